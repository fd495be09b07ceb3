#include "cnn-test-utils.h"

#include <math.h>
#include <string.h>

/* The finite-difference step: with float32 forwards, a smaller step loses
 * more to rounding in L than it gains in truncation error. */
#define GRADCHECK_EPS 1e-2
/* Inputs are spaced this far apart: a ±eps step never crosses a ReLU kink
 * (0 is at least 3·eps away) or changes which cell wins a max-pool window. */
#define GRADCHECK_GAP (6 * GRADCHECK_EPS)
/* Results with and without a thread pool may differ by summation order. */
#define POOL_TOL 1e-5

void
cnn_test_fill_uniform (float *x, size_t n, float lo, float hi, CnnRng *rng)
{
  for (size_t i = 0; i < n; i++)
    x[i] = (float) (lo + (hi - lo) * cnn_rng_uniform (rng));
}

void
cnn_test_fill_normal (float *x, size_t n, float stddev, CnnRng *rng)
{
  for (size_t i = 0; i < n; i++)
    x[i] = (float) (stddev * cnn_rng_normal (rng));
}

void
cnn_test_fill_distinct (float *x, size_t n, float gap, CnnRng *rng)
{
  if (n == 0)
    return;
  double step = MAX (gap, 2.0 / (double) n);
  g_autofree int *order = g_new (int, n);
  for (size_t i = 0; i < n; i++)
    order[i] = (int) i;
  cnn_rng_shuffle_int (rng, order, (int) n);
  for (size_t j = 0; j < n; j++)
    {
      /* symmetric around 0; for odd n the middle value would be 0 itself,
       * so it moves past the top end instead */
      double v = ((double) j - (double) (n - 1) / 2.0) * step;
      if (fabs (v) < step / 4)
        v = ((double) (n - 1) / 2.0 + 1.0) * step;
      x[order[j]] = (float) v;
    }
}

static double
rel_err (double a, double b)
{
  if (!isfinite (a) || !isfinite (b))
    return INFINITY;
  return fabs (a - b) / MAX (1.0, MAX (fabs (a), fabs (b)));
}

double
cnn_test_max_rel_diff (const float *a, const float *b, size_t n)
{
  double worst = 0.0;
  for (size_t i = 0; i < n; i++)
    {
      double e = rel_err (a[i], b[i]);
      worst = MAX (worst, e);
    }
  return worst;
}

CnnNetwork *
cnn_test_network_new (const char *spec, CnnShape in, guint64 seed)
{
  g_autoptr (GError) error = NULL;
  CnnNetwork *net = cnn_network_new (spec, "test", in, 10, &error);
  g_assert_no_error (error);
  g_assert_nonnull (net);
  cnn_network_init_params (net, seed);
  return net;
}

typedef struct
{
  CnnLayer    *l;
  CnnPass      pass;
  CnnRng       rng;              /* reseeded before every forward: same dropout mask */
  int          n_inputs;
  const float *in[CNN_MAX_INPUTS];
  float       *x[CNN_MAX_INPUTS];      /* (N, in_shape[i]) */
  size_t       in_size[CNN_MAX_INPUTS];
  float       *out;                    /* (N, out_shape) */
  float       *r;                      /* (N, out_shape): dL/dout */
  size_t       out_size;
} Check;

static void
check_forward (Check *c)
{
  cnn_rng_init (&c->rng, 4242, 7);
  c->l->klass->forward (c->l, &c->pass, c->in, c->out);
}

/* L = Σ out·r, in double */
static double
check_loss (Check *c)
{
  check_forward (c);
  double L = 0.0;
  for (size_t i = 0; i < c->out_size; i++)
    L += (double) c->out[i] * c->r[i];
  return L;
}

/* Backward into din (prefilled with NaN, so every value must be written). */
static void
check_backward (Check *c, float *const *din)
{
  for (int i = 0; i < c->n_inputs; i++)
    if (din[i])
      for (size_t j = 0; j < c->in_size[i]; j++)
        din[i][j] = NAN;
  c->l->klass->backward (c->l, &c->pass, c->in, c->out, c->r, din);
}

/* Central difference of L with respect to *v. */
static double
numeric_grad (Check *c, float *v)
{
  float saved = *v;
  float up = (float) (saved + GRADCHECK_EPS), down = (float) (saved - GRADCHECK_EPS);
  *v = up;
  double lp = check_loss (c);
  *v = down;
  double lm = check_loss (c);
  *v = saved;
  /* the step actually taken, after rounding to float */
  return (lp - lm) / ((double) up - (double) down);
}

static double
compare (const char *spec, const char *what, int index, const float *analytic, const float *numeric,
         size_t n)
{
  double worst = 0.0;
  size_t at = 0;
  for (size_t j = 0; j < n; j++)
    {
      double e = rel_err (analytic[j], numeric[j]);
      if (e > worst || isnan (e))
        {
          worst = isnan (e) ? INFINITY : e;
          at = j;
        }
    }
  if (n > 0)
    g_test_message ("%s: %s %d: max error %.3g at %zu (analytic %.6g, numeric %.6g)",
                    spec, what, index, worst, at, analytic[at], numeric[at]);
  return worst;
}

double
cnn_test_gradcheck (const char *spec, CnnShape in, int n_inputs, int N, gboolean training, double tol)
{
  g_autoptr (CnnNetwork) net = cnn_test_network_new (spec, in, 1);
  /* one line in messages */
  g_autofree char *label = g_strdelimit (g_strdup (spec), "\n", ';');
  Check c = { 0 };
  c.l = cnn_network_get_layer (net, cnn_network_get_n_layers (net) - 1);
  CnnLayer *l = c.l;
  g_assert_cmpint (l->n_inputs, ==, n_inputs);
  c.n_inputs = n_inputs;
  c.pass = (CnnPass) { .N = N, .training = training, .rng = &c.rng };

  CnnRng rng;
  cnn_rng_init (&rng, 99, 1);
  /* params and state away from their initial values (gamma = 1, zero
   * biases) so that every term of the gradient shows */
  for (size_t k = 0; k < l->n_params; k++)
    l->params[k] += (float) (cnn_rng_uniform (&rng) - 0.5);
  cnn_test_fill_uniform (l->state, l->n_state, 0.5f, 1.5f, &rng);

  size_t total_in = 0;
  for (int i = 0; i < n_inputs; i++)
    {
      c.in_size[i] = (size_t) N * cnn_shape_size (l->in_shape[i]);
      total_in += c.in_size[i];
    }
  /* all inputs in one buffer, distinct over all of them */
  g_autofree float *xbuf = g_new (float, total_in);
  cnn_test_fill_distinct (xbuf, total_in, GRADCHECK_GAP, &rng);
  for (int i = 0, off = 0; i < n_inputs; off += (int) c.in_size[i], i++)
    {
      c.x[i] = xbuf + off;
      c.in[i] = c.x[i];
    }
  c.out_size = (size_t) N * cnn_shape_size (l->out_shape);
  g_autofree float *out = c.out = g_new (float, c.out_size);
  g_autofree float *r = c.r = g_new (float, c.out_size);
  cnn_test_fill_uniform (c.r, c.out_size, -1.0f, 1.0f, &rng);

  float *din[CNN_MAX_INPUTS] = { NULL }, *din2[CNN_MAX_INPUTS] = { NULL };
  for (int i = 0; i < n_inputs; i++)
    {
      din[i] = g_new (float, c.in_size[i]);
      din2[i] = g_new (float, c.in_size[i]);
    }
  const size_t np = l->n_params;
  g_autofree float *grads = g_new0 (float, MAX (np, 1));
  g_autofree float *tmp = g_new0 (float, MAX (np, 1));
  g_autofree float *out0 = g_new (float, c.out_size);

  /* the analytic gradients */
  memset (l->grads, 0, np * sizeof (float));
  check_forward (&c);
  memcpy (out0, c.out, c.out_size * sizeof (float));
  check_backward (&c, din);
  memcpy (grads, l->grads, np * sizeof (float));

  /* backward adds to the parameter gradients and overwrites din */
  check_backward (&c, din2);
  for (size_t k = 0; k < np; k++)
    tmp[k] = 2.0f * grads[k];
  g_assert_cmpfloat (cnn_test_max_rel_diff (l->grads, tmp, np), <=, 1e-6);
  for (int i = 0; i < n_inputs; i++)
    g_assert_cmpfloat (cnn_test_max_rel_diff (din[i], din2[i], c.in_size[i]), ==, 0.0);

  /* skip_param_grads: the gradients stay exactly as they were */
  for (size_t k = 0; k < np; k++)
    l->grads[k] = tmp[k] = (float) k - 0.5f;
  c.pass.skip_param_grads = TRUE;
  check_backward (&c, din2);
  g_assert_true (memcmp (l->grads, tmp, np * sizeof (float)) == 0);
  for (int i = 0; i < n_inputs; i++)
    g_assert_cmpfloat (cnn_test_max_rel_diff (din[i], din2[i], c.in_size[i]), ==, 0.0);
  float *none[CNN_MAX_INPUTS] = { NULL };
  check_backward (&c, none);
  g_assert_true (memcmp (l->grads, tmp, np * sizeof (float)) == 0);
  c.pass.skip_param_grads = FALSE;

  /* din all NULL: parameter gradients only */
  memset (l->grads, 0, np * sizeof (float));
  check_backward (&c, none);
  g_assert_cmpfloat (cnn_test_max_rel_diff (l->grads, grads, np), ==, 0.0);

  /* din[0] NULL: the other inputs' gradients are still right */
  if (n_inputs > 1)
    {
      float *some[CNN_MAX_INPUTS] = { NULL };
      for (int i = 1; i < n_inputs; i++)
        some[i] = din2[i];
      check_backward (&c, some);
      for (int i = 1; i < n_inputs; i++)
        g_assert_cmpfloat (cnn_test_max_rel_diff (din[i], din2[i], c.in_size[i]), ==, 0.0);
    }

  /* with two threads: the same results, to summation order */
  {
    g_autoptr (CnnPool) pool = cnn_pool_new (2);
    c.pass.pool = pool;
    memset (l->grads, 0, np * sizeof (float));
    check_forward (&c);
    g_assert_cmpfloat (cnn_test_max_rel_diff (c.out, out0, c.out_size), <=, POOL_TOL);
    check_backward (&c, din2);
    g_assert_cmpfloat (cnn_test_max_rel_diff (l->grads, grads, np), <=, POOL_TOL);
    for (int i = 0; i < n_inputs; i++)
      g_assert_cmpfloat (cnn_test_max_rel_diff (din[i], din2[i], c.in_size[i]), <=, POOL_TOL);
    c.pass.pool = NULL;
  }

  /* the numeric gradients */
  double worst = 0.0;
  for (int i = 0; i < n_inputs; i++)
    {
      g_autofree float *num = g_new (float, c.in_size[i]);
      for (size_t j = 0; j < c.in_size[i]; j++)
        num[j] = (float) numeric_grad (&c, &c.x[i][j]);
      double e = compare (label, "input", i, din[i], num, c.in_size[i]);
      worst = MAX (worst, e);
    }
  if (np > 0)
    {
      g_autofree float *num = g_new (float, np);
      for (size_t k = 0; k < np; k++)
        num[k] = (float) numeric_grad (&c, &l->params[k]);
      double e = compare (label, "params", 0, grads, num, np);
      worst = MAX (worst, e);
    }

  for (int i = 0; i < n_inputs; i++)
    {
      g_free (din[i]);
      g_free (din2[i]);
    }
  if (!(worst < tol))
    g_test_message ("gradient check failed for “%s” (%s): error %.3g, tolerance %.3g",
                    label, training ? "training" : "inference", worst, tol);
  g_assert_cmpfloat (worst, <, tol);
  return worst;
}
