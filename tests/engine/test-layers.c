/* Every layer type: backward against central finite differences in several
 * configurations, tiny cases computed by hand, and the shape errors users
 * see.
 *
 * Gradient-check tolerances are on max |a - n| / max(1, |a|, |n|) with a
 * finite-difference step of 1e-2 (cnn-test-utils.c). The errors seen, over
 * several seeds, are below 1.2e-4 for the linear and smooth cases and below
 * 3e-4 for BN in training; the tolerances leave a margin above that:
 *   TOL_LINEAR 1e-3  layers linear in what is perturbed (conv, dense, pools,
 *                    add, concat, flatten, dropout, BN in inference, and the
 *                    piecewise-linear ReLUs away from their kink): only the
 *                    float32 rounding of L is left;
 *   TOL_SMOOTH 1e-3  smooth nonlinear layers (sigmoid, tanh, softmax), which
 *                    add an O(eps²) truncation error;
 *   TOL_BN     5e-3  BN in training, whose batch statistics move with every
 *                    perturbation and whose gradients are the largest. */
#include <math.h>
#include <string.h>

#include "cnn-error.h"
#include "cnn-test-utils.h"

#define TOL_LINEAR 1e-3
#define TOL_SMOOTH 1e-3
#define TOL_BN     5e-3

typedef struct
{
  const char *spec;
  CnnShape    in;
  int         n_inputs;
  int         N;
  gboolean    training;
  double      tol;
} GradCase;

static const GradCase grad_cases[] = {
  /* conv2d and dense (the lead's layers) */
  { "conv2d filters=3 kernel=3 padding=same", { 2, 5, 5 }, 1, 2, TRUE, TOL_LINEAR },
  { "conv2d filters=2 kernel=5,3", { 2, 7, 6 }, 1, 2, TRUE, TOL_LINEAR },
  { "conv2d filters=3 kernel=3 stride=2 padding=1,2 bias=no", { 2, 6, 7 }, 1, 2, TRUE, TOL_LINEAR },
  { "conv2d filters=4 kernel=1", { 3, 3, 4 }, 1, 2, TRUE, TOL_LINEAR },
  /* grouped, depthwise and dilated (the general path), asymmetric padding */
  { "conv2d filters=4 kernel=3 groups=2 padding=1", { 4, 5, 5 }, 1, 2, TRUE, TOL_LINEAR },
  { "conv2d filters=6 kernel=3,2 groups=3 stride=2 padding=1,0,2,1 bias=no", { 3, 6, 7 }, 1, 2, TRUE,
    TOL_LINEAR },
  { "conv2d filters=3 kernel=3 dilation=2 padding=2", { 2, 7, 6 }, 1, 2, TRUE, TOL_LINEAR },
  { "conv2d filters=4 kernel=3 groups=4 dilation=2,1 padding=same", { 4, 6, 5 }, 1, 2, TRUE, TOL_LINEAR },
  { "conv2d filters=3 kernel=3 padding=0,1,2,1", { 2, 5, 5 }, 1, 2, TRUE, TOL_LINEAR },
  { "conv2d filters=3 kernel=3,2 groups=3 stride=2,1 dilation=1,2 padding=0,1,2,1", { 3, 7, 6 }, 1, 2, TRUE,
    TOL_LINEAR },
  { "dense units=4", { 3, 2, 2 }, 1, 3, TRUE, TOL_LINEAR },
  { "dense units=5 bias=no", { 6, 1, 1 }, 1, 4, TRUE, TOL_LINEAR },
  /* pooling */
  { "maxpool size=2", { 2, 4, 6 }, 1, 2, TRUE, TOL_LINEAR },
  /* the vector path (8 windows a row) with an odd last row and column */
  { "maxpool size=2", { 2, 7, 19 }, 1, 2, TRUE, TOL_LINEAR },
  { "maxpool size=3 stride=2 padding=same", { 2, 7, 6 }, 1, 2, TRUE, TOL_LINEAR },
  { "maxpool size=3 stride=1 padding=1", { 2, 4, 5 }, 1, 2, FALSE, TOL_LINEAR },
  { "maxpool size=2,3 stride=1,2", { 2, 5, 7 }, 1, 2, TRUE, TOL_LINEAR },
  { "avgpool size=3 stride=2 padding=same count_pad=no", { 2, 6, 7 }, 1, 2, TRUE, TOL_LINEAR },
  { "avgpool size=3 stride=2 padding=same count_pad=yes", { 2, 6, 7 }, 1, 2, TRUE, TOL_LINEAR },
  { "avgpool size=2 padding=1 count_pad=no", { 2, 5, 5 }, 1, 2, TRUE, TOL_LINEAR },
  { "avgpool size=2 padding=1 count_pad=yes", { 2, 5, 5 }, 1, 2, TRUE, TOL_LINEAR },
  { "maxpool size=3 stride=2 padding=0,0,1,1", { 2, 6, 6 }, 1, 2, TRUE, TOL_LINEAR },
  /* 2×2 windows with an end padded (ceil mode): not the fast path's case */
  { "maxpool size=2 padding=0,0,1,1", { 2, 5, 7 }, 1, 2, TRUE, TOL_LINEAR },
  { "avgpool size=3 stride=2 padding=1,0,1,2 count_pad=yes", { 2, 6, 5 }, 1, 2, TRUE, TOL_LINEAR },
  { "globalavgpool", { 3, 4, 5 }, 1, 2, TRUE, TOL_LINEAR },
  /* batch normalization after a convolution (per channel over N, H, W) and
   * after a dense layer (per feature over N) */
  { "conv2d filters=3 kernel=3 padding=same\nbatchnorm", { 2, 4, 5 }, 1, 3, TRUE, TOL_BN },
  { "conv2d filters=3 kernel=3 padding=same\nbatchnorm", { 2, 4, 5 }, 1, 3, FALSE, TOL_LINEAR },
  { "dense units=6\nbatchnorm", { 4, 1, 1 }, 1, 5, TRUE, TOL_BN },
  { "dense units=6\nbatchnorm momentum=0.9 epsilon=0.01", { 4, 1, 1 }, 1, 5, FALSE, TOL_LINEAR },
  /* dropout: the mask is the same in every forward of one check */
  { "dropout rate=0.4", { 3, 4, 4 }, 1, 2, TRUE, TOL_LINEAR },
  { "dropout rate=0.4", { 3, 4, 4 }, 1, 2, FALSE, TOL_LINEAR },
  /* activations */
  { "relu", { 3, 4, 4 }, 1, 2, TRUE, TOL_LINEAR },
  { "leakyrelu", { 3, 4, 4 }, 1, 2, TRUE, TOL_LINEAR },
  { "leakyrelu alpha=0.05", { 3, 4, 4 }, 1, 2, TRUE, TOL_LINEAR },
  { "sigmoid", { 3, 4, 4 }, 1, 2, TRUE, TOL_SMOOTH },
  { "tanh", { 3, 4, 4 }, 1, 2, TRUE, TOL_SMOOTH },
  { "softmax", { 5, 1, 1 }, 1, 4, TRUE, TOL_SMOOTH },
  { "softmax", { 4, 3, 3 }, 1, 2, TRUE, TOL_SMOOTH },
  /* the layers ONNX models bring: clip (kept off its kinks by the
   * distinct values), per-channel scale, padding in its three modes, LRN */
  { "clip min=-0.5 max=0.7", { 3, 4, 4 }, 1, 2, TRUE, TOL_LINEAR },
  { "scale", { 3, 4, 5 }, 1, 2, TRUE, TOL_LINEAR },
  { "dense units=4\nscale", { 3, 1, 1 }, 1, 3, TRUE, TOL_LINEAR },
  { "pad padding=1,2,0,3 value=0.5", { 2, 3, 4 }, 1, 2, TRUE, TOL_LINEAR },
  { "pad padding=2,1 mode=reflect", { 2, 3, 4 }, 1, 2, TRUE, TOL_LINEAR },
  { "pad padding=2,0,1,3 mode=edge", { 2, 3, 4 }, 1, 2, TRUE, TOL_LINEAR },
  { "lrn size=3 alpha=0.5 beta=0.75 bias=1", { 5, 3, 3 }, 1, 2, TRUE, TOL_SMOOTH },
  { "lrn size=4 alpha=0.2 beta=0.6 bias=2", { 6, 2, 3 }, 1, 2, TRUE, TOL_SMOOTH },
  /* plumbing */
  { "flatten", { 2, 3, 4 }, 1, 2, TRUE, TOL_LINEAR },
  { "add inputs=input,input", { 2, 3, 4 }, 2, 2, TRUE, TOL_LINEAR },
  { "add inputs=input,input,input", { 2, 3, 4 }, 3, 2, TRUE, TOL_LINEAR },
  { "concat inputs=input,input", { 2, 3, 4 }, 2, 2, TRUE, TOL_LINEAR },
  { "conv2d name=a filters=3 kernel=1\nconcat inputs=input,a,input", { 2, 3, 3 }, 3, 2, TRUE,
    TOL_LINEAR },
};

static void
test_gradcheck (gconstpointer data)
{
  const GradCase *gc = data;
  double err = cnn_test_gradcheck (gc->spec, gc->in, gc->n_inputs, gc->N, gc->training, gc->tol);
  g_test_message ("max error %.3g (tolerance %.3g)", err, gc->tol);
}

/* Every layer type has at least one gradient check above. */
static void
test_all_types_checked (void)
{
  for (const CnnLayerClass *const *k = cnn_layer_classes (); *k; k++)
    {
      gboolean found = FALSE;
      for (size_t i = 0; i < G_N_ELEMENTS (grad_cases) && !found; i++)
        {
          const char *last = strrchr (grad_cases[i].spec, '\n');
          last = last ? last + 1 : grad_cases[i].spec;
          size_t len = strcspn (last, " ");
          found = strlen ((*k)->name) == len && strncmp (last, (*k)->name, len) == 0;
        }
      if (!found)
        g_test_message ("no gradient check for %s", (*k)->name);
      g_assert_true (found);
    }
}

/* ---- tiny cases with exact values ---- */

/* A network of one layer (or more), its forward on x. */
static const float *
run (CnnNetwork *net, const float *x, int N, gboolean training)
{
  CnnRng rng;
  cnn_rng_init (&rng, 5, 5);
  return cnn_network_forward (net, x, N, training, &rng, NULL, -1);
}

/* |got - want| <= tol · max(1, |want|) for each value */
static void
assert_floats (const float *got, const float *want, size_t n, double tol)
{
  for (size_t i = 0; i < n; i++)
    {
      double bound = tol * MAX (1.0, fabs (want[i]));
      if (!(fabs (got[i] - want[i]) <= bound))
        g_test_message ("value %zu: got %.9g, want %.9g", i, got[i], want[i]);
      g_assert_cmpfloat (fabs (got[i] - want[i]), <=, bound);
    }
}

static void
test_maxpool_exact (void)
{
  g_autoptr (CnnNetwork) net = cnn_test_network_new ("maxpool size=2", (CnnShape) { 1, 4, 4 }, 1);
  /* (1, 1, 4, 4); the bottom-right window holds a tie (3 twice): the first
   * in row-major order wins */
  const float x[16] = {
    1, 2, 5, 3,
    4, 0, 1, 6,
    7, 8, 3, 2,
    0, 9, 3, 1,
  };
  const float want[4] = { 4, 6, 9, 3 };
  assert_floats (run (net, x, 1, FALSE), want, 4, 0.0);

  const float dy[4] = { 1, 2, 3, 4 };
  const float want_dx[16] = {
    0, 0, 0, 0,
    1, 0, 0, 2,
    0, 0, 4, 0,
    0, 3, 0, 0,
  };
  float dx[16];
  cnn_network_backward (net, 0, dy, dx, NULL, NULL);
  assert_floats (dx, want_dx, 16, 0.0);
}

/* The layers ONNX models bring, by hand */
static void
test_onnx_layers_exact (void)
{
  /* clip as ReLU6; the gradient passes strictly inside (0, 6) */
  g_autoptr (CnnNetwork) clip = cnn_test_network_new ("clip min=0 max=6", (CnnShape) { 5, 1, 1 }, 1);
  const float cx[5] = { -2, 0.5f, 0, 3, 7 }, cwant[5] = { 0, 0.5f, 0, 3, 6 };
  assert_floats (run (clip, cx, 1, FALSE), cwant, 5, 0.0);
  const float cdy[5] = { 1, 1, 1, 1, 1 }, cdx_want[5] = { 0, 1, 0, 1, 0 };
  float cdx[5];
  cnn_network_backward (clip, 0, cdy, cdx, NULL, NULL);
  assert_floats (cdx, cdx_want, 5, 0.0);

  /* scale: x·a + b per channel */
  g_autoptr (CnnNetwork) scale = cnn_test_network_new ("scale", (CnnShape) { 2, 1, 2 }, 1);
  const float sp[4] = { 2, -1, 0.5f, 1 };   /* a (2), b (2) */
  memcpy (cnn_network_get_params (scale), sp, sizeof sp);
  const float sx[4] = { 1, 2, 3, 4 }, swant[4] = { 2.5f, 4.5f, -2, -3 };
  assert_floats (run (scale, sx, 1, FALSE), swant, 4, 0.0);

  /* pad: a constant, the mirror image without its edge, the edge */
  g_autoptr (CnnNetwork) pc = cnn_test_network_new ("pad padding=1,0,0,1 value=9", (CnnShape) { 1, 2, 2 }, 1);
  const float px[4] = { 1, 2, 3, 4 }, pc_want[9] = { 9, 9, 9, 1, 2, 9, 3, 4, 9 };
  assert_floats (run (pc, px, 1, FALSE), pc_want, 9, 0.0);
  g_autoptr (CnnNetwork) pr = cnn_test_network_new ("pad padding=1 mode=reflect", (CnnShape) { 1, 2, 3 }, 1);
  g_autoptr (CnnNetwork) pe = cnn_test_network_new ("pad padding=1 mode=edge", (CnnShape) { 1, 2, 3 }, 1);
  const float rx[6] = { 1, 2, 3, 4, 5, 6 };
  const float pr_want[20] = { 5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5, 2, 1, 2, 3, 2 };
  const float pe_want[20] = { 1, 1, 2, 3, 3, 1, 1, 2, 3, 3, 4, 4, 5, 6, 6, 4, 4, 5, 6, 6 };
  assert_floats (run (pr, rx, 1, FALSE), pr_want, 20, 0.0);
  assert_floats (run (pe, rx, 1, FALSE), pe_want, 20, 0.0);
  /* edge: each corner pixel is read four times */
  float ones[20], edx[6];
  for (int i = 0; i < 20; i++)
    ones[i] = 1;
  cnn_network_backward (pe, 0, ones, edx, NULL, NULL);
  const float edx_want[6] = { 4, 2, 4, 4, 2, 4 };
  assert_floats (edx, edx_want, 6, 0.0);

  /* LRN, size 3, alpha/size = 1, beta 1, bias 1 over channels (1, 2, 3):
   * y = x / (1 + sum of neighbours' squares) */
  g_autoptr (CnnNetwork) lrn = cnn_test_network_new ("lrn size=3 alpha=3 beta=1 bias=1", (CnnShape) { 3, 1, 1 }, 1);
  const float lx[3] = { 1, 2, 3 }, lwant[3] = { 1.0f / 6, 2.0f / 15, 3.0f / 14 };
  assert_floats (run (lrn, lx, 1, FALSE), lwant, 3, 1e-6);

  /* grouped 1×1: each channel its own filter; dilated: taps 2 apart */
  g_autoptr (CnnNetwork) grouped = cnn_test_network_new ("conv2d filters=2 kernel=1 groups=2", (CnnShape) { 2, 1, 1 }, 1);
  const float gp[4] = { 2, 7, 0.5f, -1 };   /* w (2, 1, 1, 1), bias (2) */
  memcpy (cnn_network_get_params (grouped), gp, sizeof gp);
  const float gx[2] = { 3, 5 }, gwant[2] = { 6.5f, 34 };
  assert_floats (run (grouped, gx, 1, FALSE), gwant, 2, 0.0);
  g_autoptr (CnnNetwork) dilated = cnn_test_network_new ("conv2d filters=1 kernel=2,1 dilation=2,1 bias=no",
                                                         (CnnShape) { 1, 5, 1 }, 1);
  const float dp[2] = { 1, 10 };
  memcpy (cnn_network_get_params (dilated), dp, sizeof dp);
  const float dx_in[5] = { 1, 2, 3, 4, 5 }, dwant[3] = { 31, 42, 53 };
  assert_floats (run (dilated, dx_in, 1, FALSE), dwant, 3, 0.0);
}

/* Depthwise convolutions have a loop of their own: it must agree with
 * the GEMM path of a one-channel convolution, channel by channel, with
 * strides, dilation and uneven padding (to float rounding: 1e-5) */
static void
test_depthwise_matches_gemm (void)
{
  const char *settings = "kernel=3,2 stride=2,1 dilation=2,1 padding=1,2,0,1";
  g_autofree char *dw_spec = g_strdup_printf ("conv2d filters=3 groups=3 %s", settings);
  g_autofree char *one_spec = g_strdup_printf ("conv2d filters=1 %s", settings);
  g_autoptr (CnnNetwork) dw = cnn_test_network_new (dw_spec, (CnnShape) { 3, 9, 8 }, 3);
  CnnRng rng;
  cnn_rng_init (&rng, 9, 9);
  float x[2 * 3 * 9 * 8];
  cnn_test_fill_uniform (x, G_N_ELEMENTS (x), -1, 1, &rng);
  const float *y = run (dw, x, 2, FALSE);
  CnnShape out = cnn_network_get_output_shape (dw);
  const float *w = cnn_network_get_params (dw);   /* (3, 1, 3, 2), then bias (3) */
  for (int c = 0; c < 3; c++)
    {
      g_autoptr (CnnNetwork) one = cnn_test_network_new (one_spec, (CnnShape) { 1, 9, 8 }, 3);
      float *p = cnn_network_get_params (one);
      memcpy (p, w + c * 6, 6 * sizeof (float));
      p[6] = w[18 + c];
      for (int n = 0; n < 2; n++)
        {
          const float *yc = run (one, x + (n * 3 + c) * 72, 1, FALSE);
          size_t plane = (size_t) out.h * out.w;
          assert_floats (y + (n * 3 + c) * plane, yc, plane, 1e-5);
        }
    }
}

static void
test_maxpool_overlap_exact (void)
{
  /* 3×3 windows with stride 1 and padding 1 on a 2×2 input: all four
   * windows hold the whole input, so -1 wins all four and its gradient is
   * the sum of theirs. Padding never wins although every value is negative
   * (a zero pad would). */
  g_autoptr (CnnNetwork) net = cnn_test_network_new ("maxpool size=3 stride=1 padding=1",
                                                     (CnnShape) { 1, 2, 2 }, 1);
  const float x[4] = { -4, -3, -2, -1 };
  const float want[4] = { -1, -1, -1, -1 };
  assert_floats (run (net, x, 1, FALSE), want, 4, 0.0);
  const float dy[4] = { 1, 2, 3, 4 };
  const float want_dx[4] = { 0, 0, 0, 10 };
  float dx[4];
  cnn_network_backward (net, 0, dy, dx, NULL, NULL);
  assert_floats (dx, want_dx, 4, 0.0);
}

static void
test_avgpool_exact (void)
{
  const float x[9] = {
    1, 2, 3,
    4, 5, 6,
    7, 8, 9,
  };
  /* padding 1, stride 2: windows rows/cols {-1,0} and {1,2}. Without
   * count_pad the corner window is the 1 alone; with it, 1/4. */
  {
    g_autoptr (CnnNetwork) net = cnn_test_network_new ("avgpool size=2 padding=1",
                                                       (CnnShape) { 1, 3, 3 }, 1);
    const float want[4] = { 1, 2.5f, 5.5f, 7 };   /* {1}, {2,3}, {4,7}, {5,6,8,9} */
    assert_floats (run (net, x, 1, FALSE), want, 4, 1e-6);
    /* each output's gradient 1 is shared by the cells its window counts */
    const float dy[4] = { 1, 1, 1, 1 };
    const float want_dx[9] = {
      1, 0.5f, 0.5f,
      0.5f, 0.25f, 0.25f,
      0.5f, 0.25f, 0.25f,
    };
    float dx[9];
    cnn_network_backward (net, 0, dy, dx, NULL, NULL);
    assert_floats (dx, want_dx, 9, 1e-6);
  }
  {
    g_autoptr (CnnNetwork) net = cnn_test_network_new ("avgpool size=2 padding=1 count_pad=yes",
                                                       (CnnShape) { 1, 3, 3 }, 1);
    const float want[4] = { 0.25f, 1.25f, 2.75f, 7 };
    assert_floats (run (net, x, 1, FALSE), want, 4, 1e-6);
    const float dy[4] = { 1, 1, 1, 1 };
    float dx[9];
    cnn_network_backward (net, 0, dy, dx, NULL, NULL);
    for (int i = 0; i < 9; i++)
      g_assert_cmpfloat_with_epsilon (dx[i], 0.25, 1e-6);
  }
  {
    /* same: out = ceil(3/2) = 2, the one padding row and column at the end
     * (TensorFlow), not counted */
    g_autoptr (CnnNetwork) net = cnn_test_network_new ("avgpool size=2 padding=same",
                                                       (CnnShape) { 1, 3, 3 }, 1);
    const float want[4] = { 3, 4.5f, 7.5f, 9 };   /* {1,2,4,5}, {3,6}, {7,8}, {9} */
    assert_floats (run (net, x, 1, FALSE), want, 4, 1e-6);
  }
}

static void
test_globalavgpool_exact (void)
{
  g_autoptr (CnnNetwork) net = cnn_test_network_new ("globalavgpool", (CnnShape) { 2, 2, 2 }, 1);
  const float x[8] = { 1, 2, 3, 4, -1, -1, 5, 1 };
  const float want[2] = { 2.5f, 1 };
  assert_floats (run (net, x, 1, FALSE), want, 2, 1e-6);
  const float dy[2] = { 4, -8 };
  const float want_dx[8] = { 1, 1, 1, 1, -2, -2, -2, -2 };
  float dx[8];
  cnn_network_backward (net, 0, dy, dx, NULL, NULL);
  assert_floats (dx, want_dx, 8, 1e-6);
}

static void
test_batchnorm_inference_exact (void)
{
  g_autoptr (CnnNetwork) net = cnn_test_network_new ("batchnorm", (CnnShape) { 2, 1, 1 }, 1);
  float *p = cnn_network_get_params (net), *s = cnn_network_get_state (net);
  /* the initial values: gamma 1, beta 0, running mean 0, running variance 1 */
  const float init_p[4] = { 1, 1, 0, 0 }, init_s[4] = { 0, 0, 1, 1 };
  assert_floats (p, init_p, 4, 0.0);
  assert_floats (s, init_s, 4, 0.0);

  const float gamma_beta[4] = { 2, 0.5f, 1, -1 };     /* gamma (2), beta (2) */
  const float mean_var[4] = { 1, -2, 4, 0.25f };      /* running mean (2), variance (2) */
  memcpy (p, gamma_beta, sizeof gamma_beta);
  memcpy (s, mean_var, sizeof mean_var);
  /* y = gamma (x - mean) / sqrt(var + 0.001) + beta:
   *   2 · (3 - 1) / sqrt(4.001) + 1 = 2.999750047
   *   0.5 · (-1.5 + 2) / sqrt(0.251) - 1 = -0.500997010 */
  const float x[2] = { 3, -1.5f };
  const float want[2] = { 2.999750047f, -0.500997010f };
  assert_floats (run (net, x, 1, FALSE), want, 2, 1e-6);
  /* inference changes no statistics */
  assert_floats (s, mean_var, 4, 0.0);

  /* backward is the affine map's: dx = gamma / sqrt(var + eps) dy,
   * dgamma = x̂ dy, dbeta = dy */
  const float dy[2] = { 1, 1 };
  float dx[2];
  cnn_network_zero_grads (net);
  cnn_network_backward (net, 0, dy, dx, NULL, NULL);
  const float want_dx[2] = { 0.999875023f, 0.998005980f };
  const float want_g[4] = { 0.999875023f, 0.998005980f, 1, 1 };
  assert_floats (dx, want_dx, 2, 1e-6);
  assert_floats (cnn_network_get_grads (net), want_g, 4, 1e-6);
}

static void
test_batchnorm_training (void)
{
  const CnnShape shape = { 3, 4, 4 };
  const int N = 8, C = 3, HW = 16;
  g_autoptr (CnnNetwork) net = cnn_test_network_new ("batchnorm momentum=0.9", shape, 1);
  float *state = cnn_network_get_state (net);
  CnnRng rng;
  cnn_rng_init (&rng, 11, 0);
  for (int step = 0; step < 12; step++)
    {
      /* (N, C, H, W): channel c has mean about c - 1 and spread 2 + c */
      g_autofree float *x = g_new (float, N * C * HW);
      cnn_test_fill_normal (x, N * C * HW, 1.0f, &rng);
      for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
          for (int i = 0; i < HW; i++)
            x[(n * C + c) * HW + i] = x[(n * C + c) * HW + i] * (2 + c) + (c - 1);
      float before[6];
      memcpy (before, state, sizeof before);
      const float *y = run (net, x, N, TRUE);
      for (int c = 0; c < C; c++)
        {
          double sx = 0, sxx = 0, sy = 0, syy = 0;
          for (int n = 0; n < N; n++)
            for (int i = 0; i < HW; i++)
              {
                double v = x[(n * C + c) * HW + i], w = y[(n * C + c) * HW + i];
                sx += v;
                sxx += v * v;
                sy += w;
                syy += w * w;
              }
          double M = N * HW;
          double mean = sx / M, var = sxx / M - mean * mean;   /* biased */
          double ymean = sy / M, yvar = syy / M - ymean * ymean;
          /* the output of each channel has mean 0 and variance
           * var / (var + 0.001), within 1e-3 of 1 here (var > 1) */
          g_assert_cmpfloat_with_epsilon (ymean, 0.0, 1e-5);
          g_assert_cmpfloat_with_epsilon (yvar, var / (var + 0.001), 1e-4);
          g_assert_cmpfloat_with_epsilon (yvar, 1.0, 1e-3);
          /* running = m running + (1 - m) batch, with the biased variance;
           * m = min(0.9, 1 - 1/(step + 1)): the first 10 steps average the
           * batches seen so far (warm-up), then Keras' rule */
          double m = MIN (0.9, 1.0 - 1.0 / (step + 1));
          g_assert_cmpfloat_with_epsilon (state[c], m * before[c] + (1 - m) * mean, 1e-5);
          g_assert_cmpfloat_with_epsilon (state[C + c], m * before[C + c] + (1 - m) * var, 1e-4);
        }
    }
}

static void
test_softmax_exact (void)
{
  g_autoptr (CnnNetwork) net = cnn_test_network_new ("softmax", (CnnShape) { 3, 1, 1 }, 1);
  /* e^k / (e + e² + e³), and the same for the shifted scores: no overflow */
  const float x[6] = { 1, 2, 3, 1001, 1002, 1003 };
  const float want[6] = { 0.090030573f, 0.244728471f, 0.665240956f,
                          0.090030573f, 0.244728471f, 0.665240956f };
  assert_floats (run (net, x, 2, FALSE), want, 6, 1e-6);
  /* dx = y (dy - Σ dy·y) for dy = (1, 0, 0): y0 (1 - y0), -y1 y0, -y2 y0 */
  const float dy[6] = { 1, 0, 0, 1, 0, 0 };
  const float want_dx[6] = { 0.081925069f, -0.022033045f, -0.059892025f,
                             0.081925069f, -0.022033045f, -0.059892025f };
  float dx[6];
  cnn_network_backward (net, 0, dy, dx, NULL, NULL);
  assert_floats (dx, want_dx, 6, 1e-6);
}

static void
test_softmax_spatial (void)
{
  /* over the channels at each pixel: every pixel's probabilities sum to 1 */
  g_autoptr (CnnNetwork) net = cnn_test_network_new ("softmax", (CnnShape) { 4, 3, 2 }, 1);
  float x[2 * 24];
  CnnRng rng;
  cnn_rng_init (&rng, 3, 0);
  cnn_test_fill_uniform (x, 48, -5, 5, &rng);
  const float *y = run (net, x, 2, FALSE);
  for (int n = 0; n < 2; n++)
    for (int p = 0; p < 6; p++)
      {
        double s = 0;
        for (int c = 0; c < 4; c++)
          s += y[(n * 4 + c) * 6 + p];
        g_assert_cmpfloat_with_epsilon (s, 1.0, 1e-6);
      }
}

static void
test_activations_exact (void)
{
  const float x[5] = { -100, -2, 0, 0.5f, 100 };
  struct
  {
    const char *spec;
    float       want[5];
  } cases[] = {
    { "relu", { 0, 0, 0, 0.5f, 100 } },
    { "leakyrelu", { -30, -0.6f, 0, 0.5f, 100 } },           /* alpha 0.3 */
    { "leakyrelu alpha=0.1", { -10, -0.2f, 0, 0.5f, 100 } },
    /* 1 / (1 + e^-x): e^-100 underflows gracefully on both sides */
    { "sigmoid", { 3.720076e-44f, 0.119202922f, 0.5f, 0.622459331f, 1 } },
    { "tanh", { -1, -0.964027580f, 0, 0.462117157f, 1 } },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (CnnNetwork) net = cnn_test_network_new (cases[i].spec, (CnnShape) { 5, 1, 1 }, 1);
      assert_floats (run (net, x, 1, FALSE), cases[i].want, 5, 1e-7);
    }
  /* the ReLU's gradient at 0 is 0 (x > 0 passes); leaky's is alpha */
  g_autoptr (CnnNetwork) net = cnn_test_network_new ("leakyrelu", (CnnShape) { 5, 1, 1 }, 1);
  run (net, x, 1, FALSE);
  const float dy[5] = { 1, 1, 1, 1, 1 };
  const float want_dx[5] = { 0.3f, 0.3f, 0.3f, 1, 1 };
  float dx[5];
  cnn_network_backward (net, 0, dy, dx, NULL, NULL);
  assert_floats (dx, want_dx, 5, 1e-7);
}

static void
test_dropout_expectation (void)
{
  /* E[dropout(x)] = x: the mean of T training outputs approaches the
   * inference output (x itself). Per value the standard error is
   * |x| sqrt(rate / (1 - rate) / T) = 0.0131 |x| for rate 0.3, T = 2500;
   * the tolerance is 5 of those. Over all values together it is 8 times
   * smaller, and the tolerance is 5 of that. */
  const int T = 2500, n = 64;
  const double rate = 0.3;
  g_autoptr (CnnNetwork) net = cnn_test_network_new ("dropout rate=0.3", (CnnShape) { 4, 4, 4 }, 1);
  float x[64];
  CnnRng rng;
  cnn_rng_init (&rng, 8, 0);
  cnn_test_fill_uniform (x, n, 0.5f, 2.0f, &rng);
  const float *y = run (net, x, 1, FALSE);
  assert_floats (y, x, n, 0.0);   /* identity in inference */

  g_autofree double *sum = g_new0 (double, n);
  long dropped = 0;
  for (int t = 0; t < T; t++)
    {
      y = cnn_network_forward (net, x, 1, TRUE, &rng, NULL, -1);
      for (int i = 0; i < n; i++)
        {
          /* each value is dropped or scaled by exactly 1 / (1 - rate) */
          if (y[i] == 0.0f)
            dropped++;
          else
            g_assert_cmpfloat_with_epsilon (y[i], x[i] / (1 - rate), 1e-6 * x[i]);
          sum[i] += y[i];
        }
    }
  double se = sqrt (rate / (1 - rate) / T), total_rel = 0;
  for (int i = 0; i < n; i++)
    {
      double mean = sum[i] / T;
      g_assert_cmpfloat_with_epsilon (mean, x[i], 5 * se * x[i]);
      total_rel += mean / x[i];
    }
  g_assert_cmpfloat_with_epsilon (total_rel / n, 1.0, 5 * se / sqrt (n));
  /* the dropped fraction: standard error sqrt(0.21 / 160000) = 0.0011 */
  g_assert_cmpfloat_with_epsilon ((double) dropped / (T * n), rate, 0.006);

  /* backward uses the last training forward's mask */
  float dy[64], dx[64];
  for (int i = 0; i < n; i++)
    dy[i] = 1;
  cnn_network_backward (net, 0, dy, dx, NULL, NULL);
  for (int i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (dx[i], y[i] / x[i], 1e-6);
}

static void
test_dropout_deterministic (void)
{
  /* the same seed gives the same mask */
  g_autoptr (CnnNetwork) net = cnn_test_network_new ("dropout", (CnnShape) { 8, 8, 8 }, 1);
  float x[512], a[512];
  for (int i = 0; i < 512; i++)
    x[i] = 1;
  memcpy (a, run (net, x, 1, TRUE), sizeof a);
  g_assert_true (memcmp (a, run (net, x, 1, TRUE), sizeof a) == 0);
  /* rate 0 in training is the identity */
  g_autoptr (CnnNetwork) none = cnn_test_network_new ("dropout rate=0", (CnnShape) { 8, 8, 8 }, 1);
  assert_floats (run (none, x, 1, TRUE), x, 512, 0.0);
}

static void
test_shapes (void)
{
  struct
  {
    const char *spec;
    CnnShape    in, out;
  } cases[] = {
    { "flatten", { 2, 3, 4 }, { 24, 1, 1 } },
    { "globalavgpool", { 5, 3, 4 }, { 5, 1, 1 } },
    { "maxpool", { 3, 7, 8 }, { 3, 3, 4 } },
    { "maxpool size=3 stride=2", { 3, 7, 8 }, { 3, 3, 3 } },
    { "maxpool size=3 stride=2 padding=same", { 3, 7, 8 }, { 3, 4, 4 } },
    { "avgpool size=2,3 stride=1 padding=1", { 1, 4, 4 }, { 1, 5, 4 } },
    { "batchnorm", { 6, 2, 2 }, { 6, 2, 2 } },
    { "conv2d name=a filters=3 kernel=1\nconv2d name=b filters=5 kernel=3 padding=same inputs=input\n"
      "concat inputs=a,b,input", { 2, 4, 4 }, { 10, 4, 4 } },
    { "conv2d name=a filters=2 kernel=1\nadd inputs=a,input,a", { 2, 4, 4 }, { 2, 4, 4 } },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (CnnNetwork) net = cnn_test_network_new (cases[i].spec, cases[i].in, 1);
      CnnShape s = cnn_network_get_output_shape (net);
      g_assert_cmpint (s.c, ==, cases[i].out.c);
      g_assert_cmpint (s.h, ==, cases[i].out.h);
      g_assert_cmpint (s.w, ==, cases[i].out.w);
    }
  /* parameter and state counts of batchnorm: gamma, beta; mean, variance */
  g_autoptr (CnnNetwork) bn = cnn_test_network_new ("batchnorm", (CnnShape) { 6, 2, 2 }, 1);
  g_assert_cmpuint (cnn_network_get_n_params (bn), ==, 12);
  g_assert_cmpuint (cnn_network_get_n_state (bn), ==, 12);
}

static void
test_shape_errors (void)
{
  struct
  {
    const char *spec;
    CnnShape    in;
    const char *parts[4];   /* what the message must contain */
  } cases[] = {
    { "conv2d name=a filters=3 kernel=1\nadd name=res inputs=a,input", { 2, 4, 4 },
      { "res", "3×4×4", "2×4×4", NULL } },
    { "maxpool name=p size=2\nconcat name=mix inputs=p,input", { 2, 4, 4 },
      { "mix", "2×2", "4×4", NULL } },
    { "maxpool name=big size=5", { 1, 3, 3 }, { "big", "5×5", "3×3", NULL } },
    { "avgpool name=pp size=2 padding=2", { 1, 6, 6 }, { "pp", "padding", NULL } },
    { "dropout name=d rate=1", { 1, 3, 3 }, { "d", "rate", NULL } },
    { "dropout name=d rate=-0.1", { 1, 3, 3 }, { "d", "rate", NULL } },
    { "leakyrelu name=lr alpha=2", { 1, 3, 3 }, { "lr", "alpha", NULL } },
    { "batchnorm name=bn epsilon=0", { 1, 3, 3 }, { "bn", "epsilon", NULL } },
    { "add name=lonely", { 1, 3, 3 }, { "lonely", "inputs", NULL } },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (CnnNetwork) net = cnn_network_new (cases[i].spec, "test", cases[i].in, 10, &error);
      g_assert_null (net);
      g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC);
      g_test_message ("%s", error->message);
      for (int j = 0; cases[i].parts[j]; j++)
        {
          if (strstr (error->message, cases[i].parts[j]) == NULL)
            g_test_message ("“%s” is not in “%s”", cases[i].parts[j], error->message);
          g_assert_nonnull (strstr (error->message, cases[i].parts[j]));
        }
    }
}

/* Large enough for the layers to use the pool: results must be bitwise the
 * same with 2 threads as with none (every value is computed by one thread
 * in a fixed order). */
static void
test_threads_bitwise (void)
{
  const char *specs[] = {
    "relu", "leakyrelu", "sigmoid", "tanh", "maxpool", "maxpool size=3 stride=2 padding=same",
    "avgpool size=3 stride=1 padding=same", "globalavgpool", "batchnorm", "softmax",
  };
  const CnnShape shape = { 8, 16, 16 };
  const int N = 16;
  const size_t n_in = (size_t) N * cnn_shape_size (shape);
  g_autofree float *x = g_new (float, n_in);
  g_autofree float *dx1 = g_new (float, n_in);
  g_autofree float *dx2 = g_new (float, n_in);
  CnnRng rng;
  cnn_rng_init (&rng, 21, 0);
  cnn_test_fill_normal (x, n_in, 2.0f, &rng);
  g_autoptr (CnnPool) pool = cnn_pool_new (2);

  for (size_t s = 0; s < G_N_ELEMENTS (specs); s++)
    for (int training = 0; training < 2; training++)
      {
        g_autoptr (CnnNetwork) net = cnn_test_network_new (specs[s], shape, 1);
        const size_t n_out = (size_t) N * cnn_shape_size (cnn_network_get_output_shape (net));
        const size_t np = cnn_network_get_n_params (net);
        g_autofree float *y1 = g_new (float, n_out);
        g_autofree float *dy = g_new (float, n_out);
        g_autofree float *g1 = g_new (float, MAX (np, 1));
        cnn_test_fill_uniform (dy, n_out, -1, 1, &rng);

        memcpy (y1, cnn_network_forward (net, x, N, training, NULL, NULL, -1), n_out * sizeof (float));
        cnn_network_zero_grads (net);
        cnn_network_backward (net, 0, dy, dx1, NULL, NULL);
        memcpy (g1, cnn_network_get_grads (net), np * sizeof (float));

        const float *y2 = cnn_network_forward (net, x, N, training, NULL, pool, -1);
        g_assert_true (memcmp (y1, y2, n_out * sizeof (float)) == 0);
        cnn_network_zero_grads (net);
        cnn_network_backward (net, 0, dy, dx2, NULL, pool);
        g_assert_true (memcmp (dx1, dx2, n_in * sizeof (float)) == 0);
        g_assert_true (memcmp (g1, cnn_network_get_grads (net), np * sizeof (float)) == 0);
      }
}

/* The 2×2 max-pool fast path (vectors of eight outputs, then a scalar
 * tail) against the rule written out: the first maximum in row-major order
 * wins, NaN only when nothing beats -inf. Ties, -inf and NaN are planted. */
static void
test_maxpool_2x2_rule (void)
{
  const int C = 3, H = 20, W = 22, HO = 10, WO = 11, N = 2;
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) net = cnn_network_new ("maxpool size=2", "t", (CnnShape) { C, H, W }, 10, &error);
  g_assert_no_error (error);
  g_autofree float *x = g_new (float, N * C * H * W);
  CnnRng rng;
  cnn_rng_init (&rng, 12, 0);
  for (int i = 0; i < N * C * H * W; i++)
    x[i] = (float) cnn_rng_below (&rng, 5);        /* many ties */
  x[0] = x[1] = x[W] = x[W + 1] = -INFINITY;        /* a window of -inf */
  x[2] = NAN;                                       /* NaN beside numbers */
  x[4] = x[5] = x[W + 4] = x[W + 5] = NAN;          /* a window of NaN */
  const float *y = cnn_network_forward (net, x, N, TRUE, NULL, NULL, -1);
  g_autofree float *dy = g_new (float, N * C * HO * WO);
  g_autofree float *dx = g_new (float, N * C * H * W);
  for (int i = 0; i < N * C * HO * WO; i++)
    dy[i] = (float) (i + 1);
  cnn_network_backward (net, 0, dy, dx, NULL, NULL);
  for (int p = 0; p < N * C; p++)
    for (int oy = 0; oy < HO; oy++)
      for (int ox = 0; ox < WO; ox++)
        {
          const float *plane = x + (size_t) p * H * W;
          int cells[4] = { 2 * oy * W + 2 * ox, 2 * oy * W + 2 * ox + 1,
                           (2 * oy + 1) * W + 2 * ox, (2 * oy + 1) * W + 2 * ox + 1 };
          int win = -1;
          for (int k = 0; k < 4; k++)
            if (plane[cells[k]] > (win < 0 ? -INFINITY : plane[win]))
              win = cells[k];
          if (win < 0)
            win = cells[0];
          float got = y[(p * HO + oy) * WO + ox];
          if (isnan (plane[win]))
            g_assert_true (isnan (got));
          else
            g_assert_cmpfloat (got, ==, plane[win]);
          /* the gradient goes to the winning cell only */
          g_assert_cmpfloat (dx[(size_t) p * H * W + win], ==, dy[(p * HO + oy) * WO + ox]);
        }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (size_t i = 0; i < G_N_ELEMENTS (grad_cases); i++)
    {
      const GradCase *gc = &grad_cases[i];
      g_autofree char *spec = g_strdelimit (g_strdup (gc->spec), "\n =,", '_');
      g_autofree char *path = g_strdup_printf ("/layers/gradcheck/%02zu-%s-%s", i, spec,
                                               gc->training ? "train" : "infer");
      g_test_add_data_func (path, gc, test_gradcheck);
    }
  g_test_add_func ("/layers/gradcheck/all-types", test_all_types_checked);
  g_test_add_func ("/layers/maxpool/exact", test_maxpool_exact);
  g_test_add_func ("/layers/onnx-layers/exact", test_onnx_layers_exact);
  g_test_add_func ("/layers/conv2d/depthwise-matches-gemm", test_depthwise_matches_gemm);
  g_test_add_func ("/layers/maxpool/overlap-exact", test_maxpool_overlap_exact);
  g_test_add_func ("/layers/avgpool/exact", test_avgpool_exact);
  g_test_add_func ("/layers/globalavgpool/exact", test_globalavgpool_exact);
  g_test_add_func ("/layers/batchnorm/inference-exact", test_batchnorm_inference_exact);
  g_test_add_func ("/layers/batchnorm/training", test_batchnorm_training);
  g_test_add_func ("/layers/softmax/exact", test_softmax_exact);
  g_test_add_func ("/layers/softmax/spatial", test_softmax_spatial);
  g_test_add_func ("/layers/activations/exact", test_activations_exact);
  g_test_add_func ("/layers/dropout/expectation", test_dropout_expectation);
  g_test_add_func ("/layers/dropout/deterministic", test_dropout_deterministic);
  g_test_add_func ("/layers/shapes", test_shapes);
  g_test_add_func ("/layers/shape-errors", test_shape_errors);
  g_test_add_func ("/layers/threads-bitwise", test_threads_bitwise);
  g_test_add_func ("/layers/maxpool/2x2-rule", test_maxpool_2x2_rule);
  return g_test_run ();
}
