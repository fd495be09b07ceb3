/* cnn-optimizer.c: the ten optimizers of the lecture.
 *
 * Each step is one flat loop over the parameter arena. Notation: w a
 * parameter, g its gradient, t the step number (1 on the first step).
 * Defaults are Keras 2's unless said otherwise. The state slots are listed in
 * the order cnn_optimizer_get_state() returns them.
 *
 * sgd       lr 0.01.                                        slots: none
 *             w -= lr g
 * momentum  lr 0.01, momentum 0.9.                          slots: v
 *             v = momentum v - lr g;  w += v
 * nesterov  lr 0.01, momentum 0.9.                          slots: v
 *             v = momentum v - lr g;  w += momentum v - lr g
 *           (Keras' form: the look-ahead gradient rewritten in terms of w.)
 * adagrad   lr 0.01, initial_accumulator 0.1, epsilon 1e-7. slots: a
 *             a += g²;  w -= lr g / (√a + epsilon)
 * adadelta  lr 1.0, rho 0.95, epsilon 1e-6.                 slots: E[g²], E[dx²]
 *             E[g²] = rho E[g²] + (1-rho) g²
 *             dx = -√(E[dx²] + epsilon) / √(E[g²] + epsilon) g
 *             E[dx²] = rho E[dx²] + (1-rho) dx²;  w += lr dx
 *           (Zeiler's values; Keras 2.3 also had lr 1.0. tf.keras's lr 0.001
 *           makes adadelta crawl, which would misrepresent it in a race.)
 * rmsprop   lr 0.001, rho 0.9, epsilon 1e-7.                slots: a
 *             a = rho a + (1-rho) g²;  w -= lr g / (√a + epsilon)
 * adam      lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7. slots: m, v
 *             m = beta1 m + (1-beta1) g;  v = beta2 v + (1-beta2) g²
 *             m̂ = m / (1-beta1^t);  v̂ = v / (1-beta2^t)
 *             w -= lr m̂ / (√v̂ + epsilon)
 *           (Kingma & Ba's Algorithm 1, as PyTorch. Keras adds epsilon to √v
 *           before the bias correction instead; only epsilon's scale differs.)
 * adamax    lr 0.002, beta1 0.9, beta2 0.999, epsilon 1e-7. slots: m, u
 *             m = beta1 m + (1-beta1) g;  u = max (beta2 u, |g|)
 *             w -= lr / (1-beta1^t) m / (u + epsilon)
 *           (lr 0.002 as in Keras 2.3 and the paper; tf.keras uses 0.001.)
 * nadam     lr 0.002, beta1 0.9, beta2 0.999, epsilon 1e-7. slots: m, v
 *             mu_t = beta1 (1 - 0.5 · 0.96^(0.004 t)),  Π_t = mu_1 … mu_t
 *             m = beta1 m + (1-beta1) g;  v = beta2 v + (1-beta2) g²
 *             m̂ = mu_{t+1} m / (1 - Π_t mu_{t+1}) + (1-mu_t) g / (1 - Π_t)
 *             v̂ = v / (1-beta2^t);  w -= lr m̂ / (√v̂ + epsilon)
 *           (Dozat's momentum schedule with momentum_decay 0.004, as Keras;
 *           the update is exactly PyTorch's NAdam, whose epsilon is 1e-8.
 *           lr 0.002 as in Keras 2.3 and PyTorch; tf.keras uses 0.001.)
 * amsgrad   lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7. slots: m, v, vmax
 *             adam's m and v;  vmax = max (vmax, v)
 *             w -= lr m̂ / (√(vmax / (1-beta2^t)) + epsilon)
 *           (PyTorch's form: the maximum is taken before bias correction.)
 *
 * Per-element arithmetic is float; the scalars (bias corrections, the nadam
 * schedule) are computed in double and rounded once per step. */
#include "cnn-optimizer.h"

#include <math.h>
#include <string.h>

#include "cnn-error.h"
#include "cnn-simd.h"

/* These loops touch every parameter each step: CNN_VECTORIZE builds them for
 * AVX2 too. The ones calling sqrtf() vectorize because the build passes
 * -fno-math-errno, which unlike -ffast-math keeps NaN and infinity intact for
 * the divergence check. */
#define VECTORIZE CNN_VECTORIZE

enum
{
  KEY_LR                  = 1 << 0,
  KEY_MOMENTUM            = 1 << 1,
  KEY_RHO                 = 1 << 2,
  KEY_BETA1               = 1 << 3,
  KEY_BETA2               = 1 << 4,
  KEY_EPSILON             = 1 << 5,
  KEY_INITIAL_ACCUMULATOR = 1 << 6,
};

typedef enum
{
  RANGE_POSITIVE,      /* > 0, finite */
  RANGE_NON_NEGATIVE,  /* >= 0, finite */
  RANGE_FRACTION,      /* [0, 1) */
} Range;

typedef struct
{
  const char *name;
  size_t      offset;   /* into CnnOptimizerConfig */
  Range       range;
} KeyInfo;

/* In the order describe() prints them. */
static const KeyInfo key_info[] = {
  { "lr", G_STRUCT_OFFSET (CnnOptimizerConfig, lr), RANGE_POSITIVE },
  { "momentum", G_STRUCT_OFFSET (CnnOptimizerConfig, momentum), RANGE_FRACTION },
  { "rho", G_STRUCT_OFFSET (CnnOptimizerConfig, rho), RANGE_FRACTION },
  { "beta1", G_STRUCT_OFFSET (CnnOptimizerConfig, beta1), RANGE_FRACTION },
  { "beta2", G_STRUCT_OFFSET (CnnOptimizerConfig, beta2), RANGE_FRACTION },
  { "epsilon", G_STRUCT_OFFSET (CnnOptimizerConfig, epsilon), RANGE_POSITIVE },
  { "initial_accumulator", G_STRUCT_OFFSET (CnnOptimizerConfig, initial_accumulator),
    RANGE_NON_NEGATIVE },
};

typedef struct
{
  const char        *name;
  guint              keys;      /* the KEY_* it uses */
  int                n_slots;   /* per-parameter state arrays */
  CnnOptimizerConfig defaults;
} KindInfo;

#define ADAM_KEYS (KEY_LR | KEY_BETA1 | KEY_BETA2 | KEY_EPSILON)

static const KindInfo kind_info[CNN_OPT_N_KINDS] = {
  [CNN_OPT_SGD] = { "sgd", KEY_LR, 0,
                    { .kind = CNN_OPT_SGD, .lr = 0.01 } },
  [CNN_OPT_MOMENTUM] = { "momentum", KEY_LR | KEY_MOMENTUM, 1,
                         { .kind = CNN_OPT_MOMENTUM, .lr = 0.01, .momentum = 0.9 } },
  [CNN_OPT_NESTEROV] = { "nesterov", KEY_LR | KEY_MOMENTUM, 1,
                         { .kind = CNN_OPT_NESTEROV, .lr = 0.01, .momentum = 0.9 } },
  [CNN_OPT_ADAGRAD] = { "adagrad", KEY_LR | KEY_EPSILON | KEY_INITIAL_ACCUMULATOR, 1,
                        { .kind = CNN_OPT_ADAGRAD, .lr = 0.01, .epsilon = 1e-7,
                          .initial_accumulator = 0.1 } },
  [CNN_OPT_ADADELTA] = { "adadelta", KEY_LR | KEY_RHO | KEY_EPSILON, 2,
                         { .kind = CNN_OPT_ADADELTA, .lr = 1.0, .rho = 0.95, .epsilon = 1e-6 } },
  [CNN_OPT_RMSPROP] = { "rmsprop", KEY_LR | KEY_RHO | KEY_EPSILON, 1,
                        { .kind = CNN_OPT_RMSPROP, .lr = 0.001, .rho = 0.9, .epsilon = 1e-7 } },
  [CNN_OPT_ADAM] = { "adam", ADAM_KEYS, 2,
                     { .kind = CNN_OPT_ADAM, .lr = 0.001, .beta1 = 0.9, .beta2 = 0.999,
                       .epsilon = 1e-7 } },
  [CNN_OPT_ADAMAX] = { "adamax", ADAM_KEYS, 2,
                       { .kind = CNN_OPT_ADAMAX, .lr = 0.002, .beta1 = 0.9, .beta2 = 0.999,
                         .epsilon = 1e-7 } },
  [CNN_OPT_NADAM] = { "nadam", ADAM_KEYS, 2,
                      { .kind = CNN_OPT_NADAM, .lr = 0.002, .beta1 = 0.9, .beta2 = 0.999,
                        .epsilon = 1e-7 } },
  [CNN_OPT_AMSGRAD] = { "amsgrad", ADAM_KEYS, 3,
                        { .kind = CNN_OPT_AMSGRAD, .lr = 0.001, .beta1 = 0.9, .beta2 = 0.999,
                          .epsilon = 1e-7 } },
};

struct _CnnOptimizer
{
  CnnOptimizerConfig cfg;
  size_t             n;            /* parameters */
  int                n_slots;
  float             *state;        /* (n_slots, n) */
  gint64             t;            /* steps taken */
  double             mu_product;   /* nadam: mu_1 … mu_t, a function of t */
};

static gboolean
kind_valid (CnnOptimizerKind kind)
{
  return (int) kind >= 0 && kind < CNN_OPT_N_KINDS;
}

const char *
cnn_optimizer_kind_name (CnnOptimizerKind kind)
{
  g_return_val_if_fail (kind_valid (kind), NULL);
  return kind_info[kind].name;
}

gboolean
cnn_optimizer_config_init (CnnOptimizerConfig *cfg, const char *name, GError **error)
{
  g_return_val_if_fail (cfg != NULL, FALSE);
  for (int k = 0; name != NULL && k < CNN_OPT_N_KINDS; k++)
    if (g_ascii_strcasecmp (kind_info[k].name, name) == 0)
      {
        *cfg = kind_info[k].defaults;
        return TRUE;
      }

  GString *known = g_string_new (NULL);
  for (int k = 0; k < CNN_OPT_N_KINDS; k++)
    g_string_append_printf (known, "%s%s", k ? ", " : "", kind_info[k].name);
  g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
               "unknown optimizer “%s” (known: %s)", name ? name : "", known->str);
  g_string_free (known, TRUE);
  return FALSE;
}

static double *
key_field (CnnOptimizerConfig *cfg, const KeyInfo *key)
{
  return (double *) ((char *) cfg + key->offset);
}

gboolean
cnn_optimizer_config_set (CnnOptimizerConfig *cfg, const char *key, double value,
                          GError **error)
{
  g_return_val_if_fail (cfg != NULL && key != NULL && kind_valid (cfg->kind), FALSE);
  const KindInfo *kind = &kind_info[cfg->kind];

  for (guint i = 0; i < G_N_ELEMENTS (key_info); i++)
    {
      const KeyInfo *k = &key_info[i];
      if (strcmp (k->name, key) != 0 || !(kind->keys & (1u << i)))
        continue;
      const char *wanted = NULL;
      switch (k->range)
        {
        case RANGE_POSITIVE:
          if (!(value > 0 && isfinite (value)))
            wanted = "greater than 0 and finite";
          break;
        case RANGE_NON_NEGATIVE:
          if (!(value >= 0 && isfinite (value)))
            wanted = "0 or more and finite";
          break;
        case RANGE_FRACTION:
          if (!(value >= 0 && value < 1))
            wanted = "at least 0 and less than 1";
          break;
        }
      if (wanted != NULL)
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                       "%s of %s must be %s, not %g", key, kind->name, wanted, value);
          return FALSE;
        }
      *key_field (cfg, k) = value;
      return TRUE;
    }

  GString *has = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (key_info); i++)
    if (kind->keys & (1u << i))
      g_string_append_printf (has, "%s%s", has->len ? ", " : "", key_info[i].name);
  g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
               "%s is not a setting of %s (it has %s)", key, kind->name, has->str);
  g_string_free (has, TRUE);
  return FALSE;
}

char *
cnn_optimizer_config_describe (const CnnOptimizerConfig *cfg)
{
  g_return_val_if_fail (cfg != NULL && kind_valid (cfg->kind), NULL);
  const KindInfo *kind = &kind_info[cfg->kind];
  GString *s = g_string_new (kind->name);
  for (guint i = 0; i < G_N_ELEMENTS (key_info); i++)
    if (kind->keys & (1u << i))
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        /* ASCII so the text reads back the same whatever the locale */
        g_ascii_formatd (buf, sizeof buf, "%g", *key_field ((CnnOptimizerConfig *) cfg,
                                                            &key_info[i]));
        g_string_append_printf (s, " %s=%s", key_info[i].name, buf);
      }
  return g_string_free (s, FALSE);
}

CnnOptimizer *
cnn_optimizer_new (const CnnOptimizerConfig *cfg, size_t n_params)
{
  g_return_val_if_fail (cfg != NULL && kind_valid (cfg->kind), NULL);
  CnnOptimizer *opt = g_new0 (CnnOptimizer, 1);
  opt->cfg = *cfg;
  opt->n = n_params;
  opt->n_slots = kind_info[cfg->kind].n_slots;
  opt->mu_product = 1.0;
  if (opt->n_slots > 0 && n_params > 0)
    {
      opt->state = g_new0 (float, (size_t) opt->n_slots * n_params);   /* (n_slots, n) */
      if (cfg->kind == CNN_OPT_ADAGRAD)
        for (size_t i = 0; i < n_params; i++)
          opt->state[i] = (float) cfg->initial_accumulator;
    }
  return opt;
}

void
cnn_optimizer_free (CnnOptimizer *opt)
{
  if (opt == NULL)
    return;
  g_free (opt->state);
  g_free (opt);
}

const CnnOptimizerConfig *
cnn_optimizer_get_config (const CnnOptimizer *opt)
{
  return &opt->cfg;
}

gint64
cnn_optimizer_get_step_count (const CnnOptimizer *opt)
{
  return opt->t;
}

float *
cnn_optimizer_get_state (CnnOptimizer *opt, int *n_slots)
{
  if (n_slots != NULL)
    *n_slots = opt->n_slots;
  return opt->state;
}

static double
nadam_mu (double beta1, gint64 t)
{
  return beta1 * (1.0 - 0.5 * pow (0.96, (double) t * 0.004));
}

void
cnn_optimizer_set_step_count (CnnOptimizer *opt, gint64 t)
{
  g_return_if_fail (t >= 0);
  opt->t = t;
  /* nadam's product of the mu's is a function of t: multiply in the same
   * order as step() so a restored run continues bit for bit. Below 1e-20
   * (2^-54 would do) both 1 - product and 1 - product · mu_next round to
   * exactly 1, so the steps no longer depend on it and we can stop early. */
  opt->mu_product = 1.0;
  if (opt->cfg.kind == CNN_OPT_NADAM)
    for (gint64 i = 1; i <= t && opt->mu_product > 1e-20; i++)
      opt->mu_product *= nadam_mu (opt->cfg.beta1, i);
}

/* The loops. Every array is (n). */

static void VECTORIZE
step_sgd (size_t n, float *restrict w, const float *restrict g, float lr)
{
  for (size_t i = 0; i < n; i++)
    w[i] -= lr * g[i];
}

static void VECTORIZE
step_momentum (size_t n, float *restrict w, const float *restrict g, float *restrict v,
               float lr, float mom, gboolean nesterov)
{
  if (nesterov)
    for (size_t i = 0; i < n; i++)
      {
        v[i] = mom * v[i] - lr * g[i];
        w[i] += mom * v[i] - lr * g[i];
      }
  else
    for (size_t i = 0; i < n; i++)
      {
        v[i] = mom * v[i] - lr * g[i];
        w[i] += v[i];
      }
}

static void VECTORIZE
step_adagrad (size_t n, float *restrict w, const float *restrict g, float *restrict a,
              float lr, float eps)
{
  for (size_t i = 0; i < n; i++)
    {
      a[i] += g[i] * g[i];
      w[i] -= lr * g[i] / (sqrtf (a[i]) + eps);
    }
}

static void VECTORIZE
step_adadelta (size_t n, float *restrict w, const float *restrict g, float *restrict eg2,
               float *restrict edx2, float lr, float rho, float rho1, float eps)
{
  for (size_t i = 0; i < n; i++)
    {
      eg2[i] = rho * eg2[i] + rho1 * g[i] * g[i];
      /* one square root of the ratio instead of a ratio of two */
      float dx = -sqrtf ((edx2[i] + eps) / (eg2[i] + eps)) * g[i];
      edx2[i] = rho * edx2[i] + rho1 * dx * dx;
      w[i] += lr * dx;
    }
}

static void VECTORIZE
step_rmsprop (size_t n, float *restrict w, const float *restrict g, float *restrict a,
              float lr, float rho, float rho1, float eps)
{
  for (size_t i = 0; i < n; i++)
    {
      a[i] = rho * a[i] + rho1 * g[i] * g[i];
      w[i] -= lr * g[i] / (sqrtf (a[i]) + eps);
    }
}

/* step_size = lr / (1-beta1^t), inv_bc2 = 1 / (1-beta2^t) */
static void VECTORIZE
step_adam (size_t n, float *restrict w, const float *restrict g, float *restrict m,
           float *restrict v, float b1, float b1c, float b2, float b2c, float step_size,
           float inv_bc2, float eps)
{
  for (size_t i = 0; i < n; i++)
    {
      m[i] = b1 * m[i] + b1c * g[i];
      v[i] = b2 * v[i] + b2c * g[i] * g[i];
      w[i] -= step_size * m[i] / (sqrtf (v[i] * inv_bc2) + eps);
    }
}

static void VECTORIZE
step_adamax (size_t n, float *restrict w, const float *restrict g, float *restrict m,
             float *restrict u, float b1, float b1c, float b2, float step_size, float eps)
{
  for (size_t i = 0; i < n; i++)
    {
      m[i] = b1 * m[i] + b1c * g[i];
      /* a comparison, not fmaxf(), so it vectorizes without -ffinite-math-only */
      float decayed = b2 * u[i], mag = fabsf (g[i]);
      u[i] = decayed > mag ? decayed : mag;
      w[i] -= step_size * m[i] / (u[i] + eps);
    }
}

/* c_m = lr mu_{t+1} / (1 - Π_t mu_{t+1}), c_g = lr (1-mu_t) / (1 - Π_t) */
static void VECTORIZE
step_nadam (size_t n, float *restrict w, const float *restrict g, float *restrict m,
            float *restrict v, float b1, float b1c, float b2, float b2c, float c_m, float c_g,
            float inv_bc2, float eps)
{
  for (size_t i = 0; i < n; i++)
    {
      m[i] = b1 * m[i] + b1c * g[i];
      v[i] = b2 * v[i] + b2c * g[i] * g[i];
      w[i] -= (c_m * m[i] + c_g * g[i]) / (sqrtf (v[i] * inv_bc2) + eps);
    }
}

static void VECTORIZE
step_amsgrad (size_t n, float *restrict w, const float *restrict g, float *restrict m,
              float *restrict v, float *restrict vmax, float b1, float b1c, float b2, float b2c,
              float step_size, float inv_bc2, float eps)
{
  for (size_t i = 0; i < n; i++)
    {
      m[i] = b1 * m[i] + b1c * g[i];
      v[i] = b2 * v[i] + b2c * g[i] * g[i];
      vmax[i] = vmax[i] > v[i] ? vmax[i] : v[i];
      w[i] -= step_size * m[i] / (sqrtf (vmax[i] * inv_bc2) + eps);
    }
}

void
cnn_optimizer_step (CnnOptimizer *opt, float *params, const float *grads)
{
  const CnnOptimizerConfig *c = &opt->cfg;
  size_t n = opt->n;
  opt->t++;
  if (c->kind == CNN_OPT_NADAM)
    opt->mu_product *= nadam_mu (c->beta1, opt->t);
  if (n == 0)
    return;
  float *s0 = opt->state, *s1 = NULL, *s2 = NULL;   /* the slots, each (n) */
  if (opt->n_slots > 1)
    s1 = s0 + n;
  if (opt->n_slots > 2)
    s2 = s0 + 2 * n;

  double t = (double) opt->t;
  double bc1 = 1.0 - pow (c->beta1, t), bc2 = 1.0 - pow (c->beta2, t);
  float lr = (float) c->lr, eps = (float) c->epsilon;
  /* the complements in double: 1 - 0.9f is not the float nearest 0.1 */
  float b1 = (float) c->beta1, b1c = (float) (1.0 - c->beta1);
  float b2 = (float) c->beta2, b2c = (float) (1.0 - c->beta2);

  switch (c->kind)
    {
    case CNN_OPT_SGD:
      step_sgd (n, params, grads, lr);
      break;
    case CNN_OPT_MOMENTUM:
    case CNN_OPT_NESTEROV:
      step_momentum (n, params, grads, s0, lr, (float) c->momentum,
                     c->kind == CNN_OPT_NESTEROV);
      break;
    case CNN_OPT_ADAGRAD:
      step_adagrad (n, params, grads, s0, lr, eps);
      break;
    case CNN_OPT_ADADELTA:
      step_adadelta (n, params, grads, s0, s1, lr, (float) c->rho, (float) (1.0 - c->rho), eps);
      break;
    case CNN_OPT_RMSPROP:
      step_rmsprop (n, params, grads, s0, lr, (float) c->rho, (float) (1.0 - c->rho), eps);
      break;
    case CNN_OPT_ADAM:
      step_adam (n, params, grads, s0, s1, b1, b1c, b2, b2c, (float) (c->lr / bc1),
                 (float) (1.0 / bc2), eps);
      break;
    case CNN_OPT_ADAMAX:
      step_adamax (n, params, grads, s0, s1, b1, b1c, b2, (float) (c->lr / bc1), eps);
      break;
    case CNN_OPT_NADAM:
      {
        double mu = nadam_mu (c->beta1, opt->t), mu_next = nadam_mu (c->beta1, opt->t + 1);
        double c_m = c->lr * mu_next / (1.0 - opt->mu_product * mu_next);
        double c_g = c->lr * (1.0 - mu) / (1.0 - opt->mu_product);
        step_nadam (n, params, grads, s0, s1, b1, b1c, b2, b2c, (float) c_m, (float) c_g,
                    (float) (1.0 / bc2), eps);
      }
      break;
    case CNN_OPT_AMSGRAD:
      step_amsgrad (n, params, grads, s0, s1, s2, b1, b1c, b2, b2c, (float) (c->lr / bc1),
                    (float) (1.0 / bc2), eps);
      break;
    case CNN_OPT_N_KINDS:
      g_assert_not_reached ();
    }
}
