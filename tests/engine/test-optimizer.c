/* test-optimizer.c: every optimizer against an independent double-precision
 * reference, three of them against numbers worked out by hand, and the
 * configuration API.
 *
 * Tolerances: the engine computes in float, so parameters are compared with
 * a relative tolerance of 1e-6 (float rounds at 6e-8; three steps add a few
 * roundings). State slots get the same relative tolerance plus 1e-9 absolute,
 * because a moment can cancel to near zero (0.9 · 0.03 - 0.1 · 0.5), where
 * float keeps only an absolute accuracy of about 1e-9 for these magnitudes. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "cnn-error.h"
#include "cnn-optimizer.h"

#define REL_TOL   1e-6
#define STATE_ABS 1e-9
#define N         3
#define N_STEPS   3

/* Initial parameters and one gradient per step: each step has a negative and
 * a zero entry, and every element sees a zero gradient once, so momentum
 * carried through a zero gradient is checked. */
static const float w_start[N] = { 0.5f, -1.25f, 2.0f };
static const float grad_seq[N_STEPS][N] = {
  { 0.3f, -0.8f, 0.0f },
  { -0.5f, 0.0f, 1.2f },
  { 0.0f, 0.6f, -0.4f },
};

static const char *const all_names[CNN_OPT_N_KINDS] = {
  "sgd", "momentum", "nesterov", "adagrad", "adadelta",
  "rmsprop", "adam", "adamax", "nadam", "amsgrad",
};

/* The keys each optimizer uses, written out here rather than read from the
 * engine, so the test notices if the engine's table changes. */
static const char *const keys_of[CNN_OPT_N_KINDS] = {
  "lr",
  "lr momentum",
  "lr momentum",
  "lr epsilon initial_accumulator",
  "lr rho epsilon",
  "lr rho epsilon",
  "lr beta1 beta2 epsilon",
  "lr beta1 beta2 epsilon",
  "lr beta1 beta2 epsilon",
  "lr beta1 beta2 epsilon",
};

static const char *const all_keys[] = {
  "lr", "momentum", "rho", "beta1", "beta2", "epsilon", "initial_accumulator",
};

/* Values unlike every default, so each hyperparameter visibly matters. */
static const double custom_values[] = { 0.1, 0.5, 0.8, 0.8, 0.9, 1e-3, 0.5 };

static void
assert_close (double got, double want, double abs_tol, const char *what)
{
  double tol = REL_TOL * fabs (want) + abs_tol;
  if (!(fabs (got - want) <= tol))
    g_test_message ("%s: got %.10g, want %.10g", what, got, want);
  g_assert_cmpfloat (fabs (got - want), <=, tol);
}

/* ---- The reference: textbook formulas in double, one step at a time ---- */

typedef struct
{
  double w[N];
  double s[3][N];   /* state slots, in the order cnn-optimizer.c documents */
  int    t;
  double mu_product;
} Ref;

static void
ref_step (const CnnOptimizerConfig *c, Ref *r, const float *gf)
{
  double lr = c->lr, eps = c->epsilon, b1 = c->beta1, b2 = c->beta2;
  r->t++;
  int t = r->t;

  for (int i = 0; i < N; i++)
    {
      double g = gf[i], *w = &r->w[i];
      double *s0 = &r->s[0][i], *s1 = &r->s[1][i], *s2 = &r->s[2][i];
      switch (c->kind)
        {
        case CNN_OPT_SGD:
          *w = *w - lr * g;
          break;
        case CNN_OPT_MOMENTUM:   /* classical momentum, velocity in s0 */
          *s0 = c->momentum * *s0 - lr * g;
          *w = *w + *s0;
          break;
        case CNN_OPT_NESTEROV:
          {
            /* Bengio et al. 2013's form, from the previous velocity:
             * w += mu² v_old - (1 + mu) lr g */
            double mu = c->momentum, v_old = *s0;
            *w = *w + mu * mu * v_old - (1 + mu) * lr * g;
            *s0 = mu * v_old - lr * g;
          }
          break;
        case CNN_OPT_ADAGRAD:    /* sum of squares in s0 */
          *s0 = *s0 + g * g;
          *w = *w - lr * g / (sqrt (*s0) + eps);
          break;
        case CNN_OPT_ADADELTA:   /* Zeiler's Algorithm 1: E[g²] in s0, E[dx²] in s1 */
          {
            double rho = c->rho;
            *s0 = rho * *s0 + (1 - rho) * g * g;
            double rms_dx = sqrt (*s1 + eps), rms_g = sqrt (*s0 + eps);
            double dx = -(rms_dx / rms_g) * g;
            *s1 = rho * *s1 + (1 - rho) * dx * dx;
            *w = *w + lr * dx;
          }
          break;
        case CNN_OPT_RMSPROP:    /* mean square in s0 */
          *s0 = c->rho * *s0 + (1 - c->rho) * g * g;
          *w = *w - lr * g / (sqrt (*s0) + eps);
          break;
        case CNN_OPT_ADAM:       /* Kingma & Ba Algorithm 1: m in s0, v in s1 */
        case CNN_OPT_AMSGRAD:    /* and vmax in s2 */
          {
            *s0 = b1 * *s0 + (1 - b1) * g;
            *s1 = b2 * *s1 + (1 - b2) * g * g;
            double m_hat = *s0 / (1 - pow (b1, t));
            double v_for_step = *s1;
            if (c->kind == CNN_OPT_AMSGRAD)
              {
                *s2 = fmax (*s2, *s1);
                v_for_step = *s2;
              }
            double v_hat = v_for_step / (1 - pow (b2, t));
            *w = *w - lr * m_hat / (sqrt (v_hat) + eps);
          }
          break;
        case CNN_OPT_ADAMAX:     /* Kingma & Ba Algorithm 2: m in s0, u in s1 */
          *s0 = b1 * *s0 + (1 - b1) * g;
          *s1 = fmax (b2 * *s1, fabs (g));
          *w = *w - (lr / (1 - pow (b1, t))) * *s0 / (*s1 + eps);
          break;
        case CNN_OPT_NADAM:      /* Dozat, as PyTorch's NAdam: m in s0, v in s1 */
          {
            double mu_t = b1 * (1 - 0.5 * pow (0.96, t * 0.004));
            double mu_next = b1 * (1 - 0.5 * pow (0.96, (t + 1) * 0.004));
            double prod = r->mu_product * mu_t;   /* mu_1 ... mu_t */
            *s0 = b1 * *s0 + (1 - b1) * g;
            *s1 = b2 * *s1 + (1 - b2) * g * g;
            double m_hat = mu_next * *s0 / (1 - prod * mu_next) + (1 - mu_t) * g / (1 - prod);
            double v_hat = *s1 / (1 - pow (b2, t));
            *w = *w - lr * m_hat / (sqrt (v_hat) + eps);
          }
          break;
        case CNN_OPT_N_KINDS:
          g_assert_not_reached ();
        }
    }
  if (c->kind == CNN_OPT_NADAM)
    r->mu_product *= b1 * (1 - 0.5 * pow (0.96, t * 0.004));
}

static int
expected_slots (CnnOptimizerKind kind)
{
  switch (kind)
    {
    case CNN_OPT_SGD:
      return 0;
    case CNN_OPT_MOMENTUM:
    case CNN_OPT_NESTEROV:
    case CNN_OPT_ADAGRAD:
    case CNN_OPT_RMSPROP:
      return 1;
    case CNN_OPT_AMSGRAD:
      return 3;
    default:
      return 2;
    }
}

static void
init_config (CnnOptimizerConfig *cfg, CnnOptimizerKind kind, gboolean custom)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (cnn_optimizer_config_init (cfg, all_names[kind], &error));
  g_assert_no_error (error);
  g_assert_cmpint (cfg->kind, ==, kind);
  if (!custom)
    return;
  g_auto (GStrv) keys = g_strsplit (keys_of[kind], " ", -1);
  for (int k = 0; keys[k]; k++)
    for (guint j = 0; j < G_N_ELEMENTS (all_keys); j++)
      if (strcmp (keys[k], all_keys[j]) == 0)
        {
          g_assert_true (cnn_optimizer_config_set (cfg, all_keys[j], custom_values[j], &error));
          g_assert_no_error (error);
        }
}

static void
check_against_reference (CnnOptimizerKind kind, gboolean custom)
{
  CnnOptimizerConfig cfg;
  init_config (&cfg, kind, custom);
  g_autoptr (CnnOptimizer) opt = cnn_optimizer_new (&cfg, N);
  float w[N];
  memcpy (w, w_start, sizeof w);

  Ref ref = { .mu_product = 1.0 };
  for (int i = 0; i < N; i++)
    {
      ref.w[i] = w_start[i];
      if (kind == CNN_OPT_ADAGRAD)
        ref.s[0][i] = cfg.initial_accumulator;
    }

  for (int step = 0; step < N_STEPS; step++)
    {
      cnn_optimizer_step (opt, w, grad_seq[step]);
      ref_step (&cfg, &ref, grad_seq[step]);
      g_assert_cmpint (cnn_optimizer_get_step_count (opt), ==, step + 1);

      int n_slots = -1;
      const float *state = cnn_optimizer_get_state (opt, &n_slots);   /* (n_slots, N) */
      g_assert_cmpint (n_slots, ==, expected_slots (kind));
      for (int i = 0; i < N; i++)
        {
          g_autofree char *what = g_strdup_printf ("%s step %d w[%d]", all_names[kind],
                                                   step + 1, i);
          assert_close (w[i], ref.w[i], 0.0, what);
          for (int s = 0; s < n_slots; s++)
            {
              g_autofree char *swhat = g_strdup_printf ("%s step %d slot %d [%d]",
                                                        all_names[kind], step + 1, s, i);
              assert_close (state[s * N + i], ref.s[s][i], STATE_ABS, swhat);
            }
        }
    }
}

static void
test_reference_defaults (gconstpointer data)
{
  check_against_reference (GPOINTER_TO_INT (data), FALSE);
}

static void
test_reference_custom (gconstpointer data)
{
  check_against_reference (GPOINTER_TO_INT (data), TRUE);
}

/* ---- Hand-computed steps. w = (1, -2, 0.5), g1 = (0.5, -4, 0). ---- */

static const float hand_w[N] = { 1.0f, -2.0f, 0.5f };
static const float hand_g1[N] = { 0.5f, -4.0f, 0.0f };
static const float hand_g2[N] = { 1.0f, 0.0f, -0.5f };

static CnnOptimizer *
hand_optimizer (const char *name, double lr, double epsilon)
{
  CnnOptimizerConfig cfg;
  g_assert_true (cnn_optimizer_config_init (&cfg, name, NULL));
  g_assert_true (cnn_optimizer_config_set (&cfg, "lr", lr, NULL));
  if (epsilon > 0)
    g_assert_true (cnn_optimizer_config_set (&cfg, "epsilon", epsilon, NULL));
  return cnn_optimizer_new (&cfg, N);
}

static void
test_hand_sgd (void)
{
  /* lr 0.1: w - 0.1 g = (1 - 0.05, -2 + 0.4, 0.5 - 0) = (0.95, -1.6, 0.5) */
  g_autoptr (CnnOptimizer) opt = hand_optimizer ("sgd", 0.1, 0);
  float w[N];
  memcpy (w, hand_w, sizeof w);
  cnn_optimizer_step (opt, w, hand_g1);
  assert_close (w[0], 0.95, 0, "sgd w[0]");
  assert_close (w[1], -1.6, 0, "sgd w[1]");
  assert_close (w[2], 0.5, 0, "sgd w[2]");
}

static void
test_hand_momentum (void)
{
  /* lr 0.1, momentum 0.9.
   * Step 1: v = 0.9 · 0 - 0.1 g1 = (-0.05, 0.4, 0);  w = (0.95, -1.6, 0.5).
   * Step 2, g2 = (1, 0, -0.5):
   *   v = 0.9 (-0.05, 0.4, 0) - 0.1 (1, 0, -0.5)
   *     = (-0.045 - 0.1, 0.36 - 0, 0 + 0.05) = (-0.145, 0.36, 0.05)
   *   w = (0.95 - 0.145, -1.6 + 0.36, 0.5 + 0.05) = (0.805, -1.24, 0.55)
   * The middle parameter moves at step 2 although its gradient is 0. */
  g_autoptr (CnnOptimizer) opt = hand_optimizer ("momentum", 0.1, 0);
  float w[N];
  memcpy (w, hand_w, sizeof w);
  cnn_optimizer_step (opt, w, hand_g1);
  assert_close (w[0], 0.95, 0, "momentum step 1 w[0]");
  assert_close (w[1], -1.6, 0, "momentum step 1 w[1]");
  assert_close (w[2], 0.5, 0, "momentum step 1 w[2]");
  cnn_optimizer_step (opt, w, hand_g2);
  int n_slots = 0;
  const float *v = cnn_optimizer_get_state (opt, &n_slots);
  g_assert_cmpint (n_slots, ==, 1);
  assert_close (v[0], -0.145, 0, "momentum v[0]");
  assert_close (v[1], 0.36, 0, "momentum v[1]");
  assert_close (v[2], 0.05, 0, "momentum v[2]");
  assert_close (w[0], 0.805, 0, "momentum step 2 w[0]");
  assert_close (w[1], -1.24, 0, "momentum step 2 w[1]");
  assert_close (w[2], 0.55, 0, "momentum step 2 w[2]");
}

static void
test_hand_adam (void)
{
  /* Defaults (lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7), step 1:
   *   m = 0.1 g1 = (0.05, -0.4, 0);  v = 0.001 g1² = (0.00025, 0.016, 0)
   *   m̂ = m / (1 - 0.9) = g1;  v̂ = v / (1 - 0.999) = g1², so √v̂ = |g1|
   *   w[0] = 1 - 0.001 · 0.5 / (0.5 + 1e-7) = 1 - 0.00099999980 = 0.9990000002
   *   w[1] = -2 - 0.001 · (-4) / (4 + 1e-7) = -2 + 0.000999999975 = -1.999000000025
   *   w[2] = 0.5 - 0.001 · 0 / (0 + 1e-7) = 0.5
   * The first Adam step moves every parameter by lr, whatever |g|. */
  g_autoptr (CnnOptimizer) opt = hand_optimizer ("adam", 0.001, 0);
  float w[N];
  memcpy (w, hand_w, sizeof w);
  cnn_optimizer_step (opt, w, hand_g1);
  int n_slots = 0;
  const float *s = cnn_optimizer_get_state (opt, &n_slots);   /* m (3), then v (3) */
  g_assert_cmpint (n_slots, ==, 2);
  assert_close (s[0], 0.05, 0, "adam m[0]");
  assert_close (s[1], -0.4, 0, "adam m[1]");
  assert_close (s[2], 0.0, 0, "adam m[2]");
  assert_close (s[3], 0.00025, 0, "adam v[0]");
  assert_close (s[4], 0.016, 0, "adam v[1]");
  assert_close (s[5], 0.0, 0, "adam v[2]");
  assert_close (w[0], 0.9990000002, 0, "adam w[0]");
  assert_close (w[1], -1.999000000025, 0, "adam w[1]");
  assert_close (w[2], 0.5, 0, "adam w[2]");

  /* lr 0.1, epsilon 0.5, where epsilon shows, step 1:
   *   w[0] = 1 - 0.1 · 0.5 / (0.5 + 0.5) = 1 - 0.05 = 0.95
   *   w[1] = -2 - 0.1 · (-4) / (4 + 0.5) = -2 + 0.4 / 4.5 = -2 + 0.0888… = -1.9111…
   *   w[2] = 0.5 */
  g_autoptr (CnnOptimizer) opt2 = hand_optimizer ("adam", 0.1, 0.5);
  memcpy (w, hand_w, sizeof w);
  cnn_optimizer_step (opt2, w, hand_g1);
  assert_close (w[0], 0.95, 0, "adam eps 0.5 w[0]");
  assert_close (w[1], -2.0 + 0.4 / 4.5, 0, "adam eps 0.5 w[1]");
  assert_close (w[2], 0.5, 0, "adam eps 0.5 w[2]");
}

/* ---- Zero gradients, state, resuming ---- */

static void
test_zero_gradient (void)
{
  /* From a fresh state a zero gradient must leave parameters exactly as they
   * are (a frozen layer's gradient is all zero), for every optimizer. */
  static const float zeros[N] = { 0 };
  for (int k = 0; k < CNN_OPT_N_KINDS; k++)
    {
      CnnOptimizerConfig cfg;
      init_config (&cfg, k, FALSE);
      g_autoptr (CnnOptimizer) opt = cnn_optimizer_new (&cfg, N);
      float w[N];
      memcpy (w, w_start, sizeof w);
      for (int step = 0; step < N_STEPS; step++)
        cnn_optimizer_step (opt, w, zeros);
      if (memcmp (w, w_start, sizeof w) != 0)
        g_test_message ("%s moved with a zero gradient", all_names[k]);
      g_assert_cmpmem (w, sizeof w, w_start, sizeof w_start);
    }
}

static void
test_state (void)
{
  for (int k = 0; k < CNN_OPT_N_KINDS; k++)
    {
      CnnOptimizerConfig cfg;
      init_config (&cfg, k, TRUE);
      g_autoptr (CnnOptimizer) opt = cnn_optimizer_new (&cfg, N);
      g_assert_cmpint (cnn_optimizer_get_step_count (opt), ==, 0);
      g_assert_true (cnn_optimizer_get_config (opt)->kind == (CnnOptimizerKind) k);
      g_assert_cmpfloat (cnn_optimizer_get_config (opt)->lr, ==, cfg.lr);
      int n_slots = -1;
      const float *state = cnn_optimizer_get_state (opt, &n_slots);
      g_assert_cmpint (n_slots, ==, expected_slots (k));
      if (n_slots == 0)
        continue;
      g_assert_nonnull (state);
      for (int j = 0; j < n_slots * N; j++)
        g_assert_cmpfloat (state[j], ==, k == CNN_OPT_ADAGRAD ? (float) 0.5 : 0.0f);
    }
}

static void
resume (CnnOptimizerKind kind, int steps_before)
{
  CnnOptimizerConfig cfg;
  init_config (&cfg, kind, FALSE);
  g_autoptr (CnnOptimizer) a = cnn_optimizer_new (&cfg, N);
  g_autoptr (CnnOptimizer) b = cnn_optimizer_new (&cfg, N);
  float wa[N], wb[N];
  memcpy (wa, w_start, sizeof wa);
  for (int step = 0; step < steps_before; step++)
    cnn_optimizer_step (a, wa, grad_seq[step % N_STEPS]);
  memcpy (wb, wa, sizeof wb);

  int na = 0, nb = 0;
  float *sa = cnn_optimizer_get_state (a, &na);
  float *sb = cnn_optimizer_get_state (b, &nb);
  g_assert_cmpint (na, ==, nb);
  if (na > 0)
    memcpy (sb, sa, sizeof (float) * na * N);
  cnn_optimizer_set_step_count (b, cnn_optimizer_get_step_count (a));
  g_assert_cmpint (cnn_optimizer_get_step_count (b), ==, steps_before);

  for (int step = 0; step < 2; step++)
    {
      cnn_optimizer_step (a, wa, grad_seq[step]);
      cnn_optimizer_step (b, wb, grad_seq[step]);
    }
  if (memcmp (wa, wb, sizeof wa) != 0)
    g_test_message ("%s did not resume exactly after %d steps", all_names[kind], steps_before);
  g_assert_cmpmem (wa, sizeof wa, wb, sizeof wb);
}

static void
test_resume (void)
{
  /* A checkpoint restores the state slots and the step count; the restored
   * optimizer must then continue bit for bit, nadam's momentum product
   * included (after 3000 steps it is far below 1e-20). */
  for (int k = 0; k < CNN_OPT_N_KINDS; k++)
    {
      resume (k, 2);
      resume (k, 300);
      resume (k, 3000);
    }
}

static void
test_empty (void)
{
  /* A network without parameters still gets an optimizer. */
  CnnOptimizerConfig cfg;
  init_config (&cfg, CNN_OPT_AMSGRAD, FALSE);
  g_autoptr (CnnOptimizer) opt = cnn_optimizer_new (&cfg, 0);
  cnn_optimizer_step (opt, NULL, NULL);
  g_assert_cmpint (cnn_optimizer_get_step_count (opt), ==, 1);
}

/* ---- Configuration ---- */

static void
test_defaults (void)
{
  /* Keras 2's defaults; adadelta takes Zeiler's lr 1.0 and epsilon 1e-6. */
  static const struct
  {
    double lr, momentum, rho, beta1, beta2, epsilon, initial_accumulator;
  } want[CNN_OPT_N_KINDS] = {
    [CNN_OPT_SGD] = { 0.01, 0, 0, 0, 0, 0, 0 },
    [CNN_OPT_MOMENTUM] = { 0.01, 0.9, 0, 0, 0, 0, 0 },
    [CNN_OPT_NESTEROV] = { 0.01, 0.9, 0, 0, 0, 0, 0 },
    [CNN_OPT_ADAGRAD] = { 0.01, 0, 0, 0, 0, 1e-7, 0.1 },
    [CNN_OPT_ADADELTA] = { 1.0, 0, 0.95, 0, 0, 1e-6, 0 },
    [CNN_OPT_RMSPROP] = { 0.001, 0, 0.9, 0, 0, 1e-7, 0 },
    [CNN_OPT_ADAM] = { 0.001, 0, 0, 0.9, 0.999, 1e-7, 0 },
    [CNN_OPT_ADAMAX] = { 0.002, 0, 0, 0.9, 0.999, 1e-7, 0 },
    [CNN_OPT_NADAM] = { 0.002, 0, 0, 0.9, 0.999, 1e-7, 0 },
    [CNN_OPT_AMSGRAD] = { 0.001, 0, 0, 0.9, 0.999, 1e-7, 0 },
  };
  for (int k = 0; k < CNN_OPT_N_KINDS; k++)
    {
      CnnOptimizerConfig cfg;
      g_assert_cmpstr (cnn_optimizer_kind_name (k), ==, all_names[k]);
      init_config (&cfg, k, FALSE);
      if (cfg.lr != want[k].lr || cfg.epsilon != want[k].epsilon)
        g_test_message ("%s: lr %g epsilon %g", all_names[k], cfg.lr, cfg.epsilon);
      g_assert_cmpfloat (cfg.lr, ==, want[k].lr);
      g_assert_cmpfloat (cfg.momentum, ==, want[k].momentum);
      g_assert_cmpfloat (cfg.rho, ==, want[k].rho);
      g_assert_cmpfloat (cfg.beta1, ==, want[k].beta1);
      g_assert_cmpfloat (cfg.beta2, ==, want[k].beta2);
      g_assert_cmpfloat (cfg.epsilon, ==, want[k].epsilon);
      g_assert_cmpfloat (cfg.initial_accumulator, ==, want[k].initial_accumulator);
    }
  /* names as typed on the command line, in any case */
  CnnOptimizerConfig cfg;
  g_assert_true (cnn_optimizer_config_init (&cfg, "Adam", NULL));
  g_assert_cmpint (cfg.kind, ==, CNN_OPT_ADAM);
}

static void
test_describe (void)
{
  CnnOptimizerConfig cfg;
  init_config (&cfg, CNN_OPT_ADAM, FALSE);
  g_autofree char *text = cnn_optimizer_config_describe (&cfg);
  g_assert_cmpstr (text, ==, "adam lr=0.001 beta1=0.9 beta2=0.999 epsilon=1e-07");

  g_assert_true (cnn_optimizer_config_set (&cfg, "lr", 0.0003, NULL));
  g_assert_true (cnn_optimizer_config_set (&cfg, "beta2", 0.99, NULL));
  g_autofree char *text2 = cnn_optimizer_config_describe (&cfg);
  g_assert_cmpstr (text2, ==, "adam lr=0.0003 beta1=0.9 beta2=0.99 epsilon=1e-07");

  init_config (&cfg, CNN_OPT_SGD, FALSE);
  g_autofree char *text3 = cnn_optimizer_config_describe (&cfg);
  g_assert_cmpstr (text3, ==, "sgd lr=0.01");

  init_config (&cfg, CNN_OPT_ADAGRAD, FALSE);
  g_autofree char *text4 = cnn_optimizer_config_describe (&cfg);
  g_assert_cmpstr (text4, ==, "adagrad lr=0.01 epsilon=1e-07 initial_accumulator=0.1");
}

static void
test_unknown_name (void)
{
  g_autoptr (GError) error = NULL;
  CnnOptimizerConfig cfg;
  g_assert_false (cnn_optimizer_config_init (&cfg, "adamw", &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
  g_assert_cmpstr (error->message, ==,
                   "unknown optimizer “adamw” (known: sgd, momentum, nesterov, adagrad, "
                   "adadelta, rmsprop, adam, adamax, nadam, amsgrad)");
  g_clear_error (&error);
  g_assert_false (cnn_optimizer_config_init (&cfg, "", &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
}

static void
test_keys (void)
{
  /* Every optimizer takes exactly its own keys. */
  for (int k = 0; k < CNN_OPT_N_KINDS; k++)
    {
      g_auto (GStrv) mine = g_strsplit (keys_of[k], " ", -1);
      for (guint j = 0; j < G_N_ELEMENTS (all_keys); j++)
        {
          g_autoptr (GError) error = NULL;
          CnnOptimizerConfig cfg, before;
          init_config (&cfg, k, FALSE);
          before = cfg;
          gboolean uses = g_strv_contains ((const char *const *) mine, all_keys[j]);
          gboolean ok = cnn_optimizer_config_set (&cfg, all_keys[j], custom_values[j], &error);
          if (ok != uses)
            g_test_message ("%s %s: %s", all_names[k], all_keys[j],
                            uses ? "refused" : "accepted");
          g_assert_cmpint (ok, ==, uses);
          if (uses)
            g_assert_no_error (error);
          else
            {
              g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
              g_assert_cmpmem (&cfg, sizeof cfg, &before, sizeof before);
            }
        }
    }

  g_autoptr (GError) error = NULL;
  CnnOptimizerConfig cfg;
  init_config (&cfg, CNN_OPT_ADAM, FALSE);
  g_assert_false (cnn_optimizer_config_set (&cfg, "momentum", 0.9, &error));
  g_assert_cmpstr (error->message, ==,
                   "momentum is not a setting of adam (it has lr, beta1, beta2, epsilon)");
  g_clear_error (&error);
  g_assert_false (cnn_optimizer_config_set (&cfg, "learning_rate", 0.1, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
  g_assert_nonnull (strstr (error->message, "learning_rate"));
}

static void
test_bad_values (void)
{
  static const struct
  {
    const char *optimizer, *key;
    double      value;
  } bad[] = {
    { "sgd", "lr", 0 },
    { "sgd", "lr", -0.1 },
    { "adam", "lr", INFINITY },
    { "adam", "lr", NAN },
    { "momentum", "momentum", 1.0 },
    { "nesterov", "momentum", -0.1 },
    { "rmsprop", "rho", 1.0 },
    { "adadelta", "rho", NAN },
    { "adam", "beta1", 1.0 },
    { "nadam", "beta2", -0.5 },
    { "amsgrad", "beta2", 1.5 },
    { "adam", "epsilon", 0 },
    { "adagrad", "epsilon", -1e-8 },
    { "adagrad", "epsilon", INFINITY },
    { "adagrad", "initial_accumulator", -0.1 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      CnnOptimizerConfig cfg, before;
      g_assert_true (cnn_optimizer_config_init (&cfg, bad[i].optimizer, NULL));
      before = cfg;
      gboolean ok = cnn_optimizer_config_set (&cfg, bad[i].key, bad[i].value, &error);
      if (ok)
        g_test_message ("%s accepted %s=%g", bad[i].optimizer, bad[i].key, bad[i].value);
      g_assert_false (ok);
      g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
      g_assert_nonnull (strstr (error->message, bad[i].key));
      g_assert_cmpmem (&cfg, sizeof cfg, &before, sizeof before);
    }

  /* the edges that are allowed */
  CnnOptimizerConfig cfg;
  g_assert_true (cnn_optimizer_config_init (&cfg, "momentum", NULL));
  g_assert_true (cnn_optimizer_config_set (&cfg, "momentum", 0, NULL));
  g_assert_true (cnn_optimizer_config_init (&cfg, "adagrad", NULL));
  g_assert_true (cnn_optimizer_config_set (&cfg, "initial_accumulator", 0, NULL));
  g_assert_cmpfloat (cfg.initial_accumulator, ==, 0);

  g_autoptr (GError) error = NULL;
  g_assert_true (cnn_optimizer_config_init (&cfg, "adam", NULL));
  g_assert_false (cnn_optimizer_config_set (&cfg, "beta1", 1.0, &error));
  g_assert_cmpstr (error->message, ==, "beta1 of adam must be at least 0 and less than 1, not 1");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (int k = 0; k < CNN_OPT_N_KINDS; k++)
    {
      g_autofree char *p1 = g_strdup_printf ("/optimizer/reference/defaults/%s", all_names[k]);
      g_autofree char *p2 = g_strdup_printf ("/optimizer/reference/custom/%s", all_names[k]);
      g_test_add_data_func (p1, GINT_TO_POINTER (k), test_reference_defaults);
      g_test_add_data_func (p2, GINT_TO_POINTER (k), test_reference_custom);
    }
  g_test_add_func ("/optimizer/hand/sgd", test_hand_sgd);
  g_test_add_func ("/optimizer/hand/momentum", test_hand_momentum);
  g_test_add_func ("/optimizer/hand/adam", test_hand_adam);
  g_test_add_func ("/optimizer/zero-gradient", test_zero_gradient);
  g_test_add_func ("/optimizer/state", test_state);
  g_test_add_func ("/optimizer/resume", test_resume);
  g_test_add_func ("/optimizer/empty", test_empty);
  g_test_add_func ("/optimizer/config/defaults", test_defaults);
  g_test_add_func ("/optimizer/config/describe", test_describe);
  g_test_add_func ("/optimizer/config/unknown-name", test_unknown_name);
  g_test_add_func ("/optimizer/config/keys", test_keys);
  g_test_add_func ("/optimizer/config/bad-values", test_bad_values);

  return g_test_run ();
}
