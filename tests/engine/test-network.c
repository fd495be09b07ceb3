/* Networks as graphs: parameter counts as the lecture states them, and the
 * gradient of a whole branching network (residual add, inception concat,
 * one output read by several layers) against central finite differences. */
#include "cnn-engine.h"
#include "cnn-simd.h"

#include <math.h>
#include <string.h>

static CnnNetwork *
preset (const char *name)
{
  g_autoptr (GError) error = NULL;
  CnnNetwork *net = cnn_network_new (cnn_preset_get_text (name), name, (CnnShape) { 1, 28, 28 }, 10,
                                     &error);
  g_assert_no_error (error);
  return net;
}

static size_t
total_params (const CnnNetwork *net)
{
  size_t total = 0;
  for (int i = 0; i < cnn_network_get_n_layers (net); i++)
    total += cnn_layer_count_params (cnn_network_get_layer (net, i));
  return total;
}

static void
test_param_counts (void)
{
  /* Keras' counts (BN statistics included); trainable ones equal PyTorch's
   * counts in ../shared/peers/torch_bench.py */
  const struct { const char *name; size_t total, trainable; } cases[] = {
    { "fcnn", 7850, 7850 },
    { "cnn1", 251210, 251210 },
    { "cnn2", 36314, 36138 },
    { "lenet", 42050, 42050 },
    { "vgg-mini", 158634, 158634 },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (CnnNetwork) net = preset (cases[i].name);
      g_assert_cmpuint (total_params (net), ==, cases[i].total);
      g_assert_cmpuint (cnn_network_get_n_params (net), ==, cases[i].trainable);
    }
}

static void
test_logits_layer (void)
{
  g_autoptr (CnnNetwork) net = preset ("cnn2");
  int last = cnn_network_get_n_layers (net) - 1;
  g_assert_cmpint (cnn_network_get_logits_layer (net), ==, last - 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) bare = cnn_network_new ("dense units=classes", "t", (CnnShape) { 1, 4, 4 }, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cnn_network_get_logits_layer (bare), ==, 0);
}

/* A small graph with every kind of branching: relu_a feeds conv b and the
 * add; the add feeds two convolutions that are concatenated; two flatten
 * views read one output (so their gradients cannot share its buffer).
 * Smooth activations (tanh) keep finite differences away from kinks. */
static const char *branchy =
  "conv2d name=a filters=3 kernel=3 padding=same\n"
  "tanh   name=ta\n"
  "conv2d name=b filters=3 kernel=3 padding=same\n"
  "add    name=s inputs=b,ta\n"
  "conv2d name=c filters=2 kernel=1 inputs=s\n"
  "conv2d name=d filters=2 kernel=3 stride=2 padding=same inputs=s\n"
  "avgpool name=p size=2 inputs=c\n"
  "concat name=cat inputs=p,d\n"
  "batchnorm name=bn\n"
  "tanh   name=t2\n"
  "flatten name=flat\n"
  "flatten name=flat2 inputs=t2\n"
  "add    inputs=flat,flat2\n"
  "dense  units=classes\n"
  "softmax\n";

static double
loss_of (CnnNetwork *net, const float *x, const guint8 *labels, int N, CnnPool *pool)
{
  int top = cnn_network_get_logits_layer (net);
  const float *logits = cnn_network_forward (net, x, N, TRUE, NULL, pool, top);
  return cnn_loss_softmax_xent (logits, labels, N, cnn_network_get_n_classes (net), NULL, NULL);
}

static void
check_close (const char *what, int i, double analytic, double numeric)
{
  /* float32 forward, eps 1e-2: agreement to 1e-3 absolute + 3 % relative */
  if (fabs (analytic - numeric) > 1e-3 + 3e-2 * fabs (numeric))
    g_error ("%s[%d]: analytic %.6g, numeric %.6g", what, i, analytic, numeric);
}

/* a plain chain: here flatten's gradient shares its input's buffer */
static const char *chain =
  "conv2d filters=3 kernel=3\n"
  "tanh\n"
  "flatten\n"
  "dense units=classes\n";

static void
check_graph_gradient (const char *spec)
{
  const int N = 3;
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) net = cnn_network_new (spec, "graph", (CnnShape) { 2, 6, 6 }, 4, &error);
  g_assert_no_error (error);
  cnn_network_init_params (net, 11);
  g_autoptr (CnnPool) pool = cnn_pool_new (2);
  size_t nx = (size_t) N * 2 * 6 * 6;
  g_autofree float *x = g_new (float, nx);
  g_autofree float *dx = g_new (float, nx);
  guint8 labels[3] = { 0, 3, 1 };
  CnnRng rng;
  cnn_rng_init (&rng, 5, 0);
  for (size_t i = 0; i < nx; i++)
    x[i] = (float) cnn_rng_normal (&rng);

  int top = cnn_network_get_logits_layer (net);
  const float *logits = cnn_network_forward (net, x, N, TRUE, NULL, pool, top);
  g_autofree float *dl = g_new (float, N * 4);
  cnn_loss_softmax_xent (logits, labels, N, 4, dl, NULL);
  cnn_network_zero_grads (net);
  cnn_network_backward (net, top, dl, dx, NULL, pool);
  size_t np = cnn_network_get_n_params (net);
  g_autofree float *grads = g_memdup2 (cnn_network_get_grads (net), np * sizeof (float));

  const float eps = 1e-2f;
  for (size_t i = 0; i < nx; i += 7)
    {
      float keep = x[i];
      x[i] = keep + eps;
      double up = loss_of (net, x, labels, N, pool);
      x[i] = keep - eps;
      double down = loss_of (net, x, labels, N, pool);
      x[i] = keep;
      check_close ("dx", (int) i, dx[i], (up - down) / (2 * eps));
    }
  float *params = cnn_network_get_params (net);
  for (size_t i = 0; i < np; i += 3)
    {
      float keep = params[i];
      params[i] = keep + eps;
      double up = loss_of (net, x, labels, N, pool);
      params[i] = keep - eps;
      double down = loss_of (net, x, labels, N, pool);
      params[i] = keep;
      check_close ("dparam", (int) i, grads[i], (up - down) / (2 * eps));
    }
}

/* batchnorm applies the relu after it itself (fused) in training */
static const char *bn_relu_chain =
  "conv2d filters=3 kernel=3\n"
  "batchnorm\n"
  "tanh\n"
  "flatten\n"
  "dense units=classes\n";

static void
test_graph_gradient (void)
{
  check_graph_gradient (branchy);
  check_graph_gradient (chain);
  check_graph_gradient (bn_relu_chain);
}

static void
test_threads_agree (void)
{
  /* the forward pass splits images over threads; GEMM blocking may change
   * the summation order with the rows a thread gets, so 1 and 2 threads
   * agree to float rounding (1e-5 relative), not bit for bit */
  const int N = 5;
  g_autoptr (CnnNetwork) net = preset ("cnn2");
  cnn_network_init_params (net, 3);
  g_autofree float *x = g_new (float, N * 784);
  CnnRng rng;
  cnn_rng_init (&rng, 9, 0);
  for (int i = 0; i < N * 784; i++)
    x[i] = (float) cnn_rng_uniform (&rng);
  g_autoptr (CnnPool) one = cnn_pool_new (1);
  g_autoptr (CnnPool) two = cnn_pool_new (2);
  g_autofree float *a = g_memdup2 (cnn_network_forward (net, x, N, FALSE, NULL, one, -1), N * 10 * sizeof (float));
  const float *b = cnn_network_forward (net, x, N, FALSE, NULL, two, -1);
  for (int i = 0; i < N * 10; i++)
    g_assert_cmpfloat_with_epsilon (a[i], b[i], 1e-5 * MAX (1.0f, fabsf (a[i])));
}

/* outputs, input gradient and weight gradient of one conv layer */
static void
conv_pass (const char *spec, CnnShape in, int N, float **y, float **dx, float **dw, size_t *ny,
           size_t *nw)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) net = cnn_network_new (spec, "conv", in, 10, &error);
  g_assert_no_error (error);
  cnn_network_init_params (net, 21);
  size_t nx = (size_t) N * cnn_shape_size (in);
  *ny = (size_t) N * cnn_shape_size (cnn_network_get_output_shape (net));
  *nw = cnn_network_get_n_params (net);
  g_autofree float *x = g_new (float, nx);
  g_autofree float *dy = g_new (float, *ny);
  CnnRng rng;
  cnn_rng_init (&rng, 2, 0);
  for (size_t i = 0; i < nx; i++)
    x[i] = (float) cnn_rng_normal (&rng);
  for (size_t i = 0; i < *ny; i++)
    dy[i] = (float) cnn_rng_normal (&rng);
  g_autoptr (CnnPool) pool = cnn_pool_new (2);
  *y = g_memdup2 (cnn_network_forward (net, x, N, TRUE, NULL, pool, -1), *ny * sizeof (float));
  *dx = g_new (float, nx);
  cnn_network_zero_grads (net);
  cnn_network_backward (net, 0, dy, *dx, NULL, pool);
  *dw = g_memdup2 (cnn_network_get_grads (net), *nw * sizeof (float));
}

static void
assert_near (const float *a, const float *b, size_t n)
{
  /* float32 sums in a different order: 1e-4 relative to the largest value */
  float scale = 1e-6f;
  for (size_t i = 0; i < n; i++)
    scale = MAX (scale, fabsf (a[i]));
  for (size_t i = 0; i < n; i++)
    if (fabsf (a[i] - b[i]) > 1e-4f * scale)
      g_error ("[%zu]: %g vs %g", i, a[i], b[i]);
}

static void
test_conv_paths_agree (void)
{
  /* Winograd (3×3, even sizes, ≥ 16 channels), the AVX2 direct kernels
   * (where the CPU has them) and im2col + GEMM */
  const struct { const char *spec; CnnShape in; } cases[] = {
    { "conv2d filters=16 kernel=3 padding=same", { 8, 28, 28 } },
    { "conv2d filters=16 kernel=3 padding=same", { 16, 14, 10 } },
    { "conv2d filters=17 kernel=3", { 20, 10, 12 } },
    { "conv2d filters=7 kernel=5,3 bias=no", { 3, 13, 11 } },
    { "conv2d filters=9 kernel=4 padding=same", { 2, 9, 10 } },
    { "conv2d filters=5 kernel=3 padding=1,2", { 1, 6, 17 } },
    { "conv2d filters=6 kernel=3 padding=same bias=no", { 3, 9, 8 } },
  };
  for (size_t c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree float *y1 = NULL, *dx1 = NULL, *dw1 = NULL, *y2 = NULL, *dx2 = NULL, *dw2 = NULL;
      size_t ny, nw;
      g_autofree float *y3 = NULL, *dx3 = NULL, *dw3 = NULL;
      g_unsetenv ("CONVSCOPE_CONV");
      conv_pass (cases[c].spec, cases[c].in, 3, &y1, &dx1, &dw1, &ny, &nw);
      g_setenv ("CONVSCOPE_CONV", "gemm", TRUE);
      conv_pass (cases[c].spec, cases[c].in, 3, &y2, &dx2, &dw2, &ny, &nw);
      g_setenv ("CONVSCOPE_CONV", "direct", TRUE);
      conv_pass (cases[c].spec, cases[c].in, 3, &y3, &dx3, &dw3, &ny, &nw);
      g_unsetenv ("CONVSCOPE_CONV");
      assert_near (y1, y2, ny);
      assert_near (dx1, dx2, 3 * cnn_shape_size (cases[c].in));
      assert_near (dw1, dw2, nw);
      assert_near (y3, y2, ny);
      assert_near (dx3, dx2, 3 * cnn_shape_size (cases[c].in));
      assert_near (dw3, dw2, nw);
    }
}

/* One training step of each spec from the same seeds: forward, backward
 * from random output gradients. Both must give the same output, input
 * gradient and parameter gradients, bit for bit. */
/* called after the forward (backward FALSE) and after the backward */
typedef void (*CheckFunc) (CnnNetwork *net, int variant, gboolean backward);

static void
assert_same_step (const char *spec_a, const char *spec_b, CnnShape in, int N, CheckFunc check)
{
  float *out[2], *dx[2], *dw[2];
  size_t ny = 0, np = 0, nx = (size_t) N * cnn_shape_size (in);
  for (int v = 0; v < 2; v++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (CnnNetwork) net = cnn_network_new (v ? spec_b : spec_a, "relu", in, 5, &error);
      g_assert_no_error (error);
      cnn_network_init_params (net, 30);
      g_autofree float *x = g_new (float, nx);
      CnnRng rng;
      cnn_rng_init (&rng, 31, 0);
      for (size_t i = 0; i < nx; i++)
        x[i] = (float) cnn_rng_normal (&rng);
      int top = cnn_network_get_n_layers (net) - 1;
      ny = (size_t) N * 5;
      out[v] = g_memdup2 (cnn_network_forward (net, x, N, TRUE, NULL, NULL, top), ny * sizeof (float));
      if (check)
        check (net, v, FALSE);
      g_autofree float *dy = g_new (float, ny);
      for (size_t i = 0; i < ny; i++)
        dy[i] = (float) cnn_rng_normal (&rng);
      dx[v] = g_new (float, nx);
      cnn_network_zero_grads (net);
      cnn_network_backward (net, top, dy, dx[v], NULL, NULL);
      if (check)
        check (net, v, TRUE);
      np = cnn_network_get_n_params (net);
      dw[v] = g_memdup2 (cnn_network_get_grads (net), np * sizeof (float));
    }
  g_assert_true (memcmp (out[0], out[1], ny * sizeof (float)) == 0);
  g_assert_true (memcmp (dx[0], dx[1], nx * sizeof (float)) == 0);
  g_assert_true (memcmp (dw[0], dw[1], np * sizeof (float)) == 0);
  for (int v = 0; v < 2; v++)
    {
      g_free (out[v]);
      g_free (dx[v]);
      g_free (dw[v]);
    }
}

/* In training, relu overwrites its input where nothing else reads it, and
 * batchnorm applies the relu after it itself. A second network where a
 * dangling layer also reads each relu's input runs the same arithmetic
 * without either: the results must be the same, bit for bit. */
static void
test_in_place_relu (void)
{
  const char *in_place =
    "conv2d name=c1 filters=4 kernel=3 padding=same\n"
    "relu   name=r1\n"
    "conv2d name=c2 filters=3 kernel=3\n"
    "leakyrelu name=r2 alpha=0.1\n"
    "batchnorm name=b3\n"
    "relu   name=r3\n"
    "flatten\n"
    "dense units=classes\n";
  const char *copying =
    "conv2d name=c1 filters=4 kernel=3 padding=same\n"
    "relu   name=r1\n"
    "relu   name=d1 inputs=c1\n"
    "conv2d name=c2 filters=3 kernel=3 inputs=r1\n"
    "leakyrelu name=r2 alpha=0.1\n"
    "relu   name=d2 inputs=c2\n"
    "batchnorm name=b3 inputs=r2\n"
    "relu   name=r3\n"
    "relu   name=d3 inputs=b3\n"
    "flatten inputs=r3\n"
    "dense units=classes\n";
  assert_same_step (in_place, copying, (CnnShape) { 2, 8, 8 }, 4, NULL);
}

/* The fused network did fuse, the other did not */
static void
check_fusion (CnnNetwork *net, int variant, gboolean backward)
{
  const char *deferred[] = { "b1", "r1", "b3", "b2", "r2", "b4" }, *giving[] = { "c1", "c2", "c3", "c4" };
  /* only the direct convolutions (AVX2) take a map, and give the sums of
   * the map's gradient back; poolings always take one */
  gboolean direct = cnn_cpu_has_avx2_fma ();
  if (backward)
    {
      const char *summed[] = { "b1", "b3" };
      for (size_t i = 0; i < G_N_ELEMENTS (summed); i++)
        g_assert_cmpint (cnn_network_got_grad_sums (net, cnn_network_find_layer (net, summed[i])), ==,
                         variant == 0 && direct);
      g_assert_false (cnn_network_got_grad_sums (net, cnn_network_find_layer (net, "b2")));
      return;
    }
  for (size_t i = 0; i < G_N_ELEMENTS (deferred); i++)
    {
      int index = cnn_network_find_layer (net, deferred[i]);
      gboolean by_conv = i < 3;
      g_assert_cmpint (cnn_network_output_written (net, index), ==, variant == 1 || (by_conv && !direct));
    }
  for (size_t i = 0; i < G_N_ELEMENTS (giving); i++)
    g_assert_cmpint (cnn_network_gave_stats (net, cnn_network_find_layer (net, giving[i])), ==, variant == 0);
}

/* In training a batch normalization hands its map to the one convolution
 * or pooling that reads it instead of writing its output, and takes its
 * statistics from the convolution before it. A second network where
 * dangling layers also read each of those outputs runs the same arithmetic
 * without either: the results must be the same, bit for bit. */
static void
test_fused_batchnorm (void)
{
  const char *fused =
    "conv2d name=c1 filters=4 kernel=3 padding=same\n"
    "batchnorm name=b1\n"
    "relu   name=r1\n"
    "conv2d name=c2 filters=5 kernel=3 padding=same\n"
    "batchnorm name=b2\n"
    "relu   name=r2\n"
    "maxpool name=p2 size=2\n"
    "conv2d name=c3 filters=3 kernel=3 padding=same\n"
    "batchnorm name=b3\n"
    "conv2d name=c4 filters=3 kernel=3 padding=same\n"
    "batchnorm name=b4\n"
    "avgpool name=p4 size=2\n"
    "flatten\n"
    "dense units=classes\n";
  const char *apart =
    "conv2d name=c1 filters=4 kernel=3 padding=same\n"
    "relu   name=d1 inputs=c1\n"
    "batchnorm name=b1 inputs=c1\n"
    "relu   name=r1\n"
    "relu   name=e1 inputs=r1\n"
    "conv2d name=c2 filters=5 kernel=3 padding=same inputs=r1\n"
    "relu   name=d2 inputs=c2\n"
    "batchnorm name=b2 inputs=c2\n"
    "relu   name=r2\n"
    "relu   name=e2 inputs=r2\n"
    "maxpool name=p2 size=2 inputs=r2\n"
    "conv2d name=c3 filters=3 kernel=3 padding=same\n"
    "relu   name=d3 inputs=c3\n"
    "batchnorm name=b3 inputs=c3\n"
    "relu   name=e3 inputs=b3\n"
    "conv2d name=c4 filters=3 kernel=3 padding=same inputs=b3\n"
    "relu   name=d4 inputs=c4\n"
    "batchnorm name=b4 inputs=c4\n"
    "relu   name=e4 inputs=b4\n"
    "avgpool name=p4 size=2 inputs=b4\n"
    "flatten\n"
    "dense units=classes\n";
  assert_same_step (fused, apart, (CnnShape) { 2, 8, 8 }, 5, check_fusion);
}

/* Initializers: bounds and variances as Keras defines them, over 200,000
 * draws (the sample variance is then within 1 % of the true one with
 * overwhelming probability: we allow 3 %) */
static void
test_initializers (void)
{
  const size_t n = 200000;
  const int fan_in = 72, fan_out = 144;
  g_autofree float *w = g_new (float, n);
  const struct { CnnInit init; double var, bound; } cases[] = {
    { CNN_INIT_GLOROT_UNIFORM, 2.0 / (fan_in + fan_out), sqrt (6.0 / (fan_in + fan_out)) },
    { CNN_INIT_HE_UNIFORM, 2.0 / fan_in, sqrt (6.0 / fan_in) },
    /* truncated at 2 sigma of the rescaled normal */
    { CNN_INIT_GLOROT_NORMAL, 2.0 / (fan_in + fan_out), 2 * sqrt (2.0 / (fan_in + fan_out)) / 0.87962566 },
    { CNN_INIT_HE_NORMAL, 2.0 / fan_in, 2 * sqrt (2.0 / fan_in) / 0.87962566 },
    { CNN_INIT_SMALL_NORMAL, 1e-4, INFINITY },
    { CNN_INIT_ZEROS, 0.0, 0.0 },
  };
  for (size_t c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      CnnRng rng;
      cnn_rng_init (&rng, 40 + c, 0);
      cnn_init_weights (w, n, cases[c].init, fan_in, fan_out, &rng);
      double sum = 0, sq = 0, peak = 0;
      for (size_t i = 0; i < n; i++)
        {
          sum += w[i];
          sq += (double) w[i] * w[i];
          peak = MAX (peak, fabs (w[i]));
        }
      double mean = sum / n, var = sq / n - mean * mean;
      g_assert_cmpfloat (peak, <=, cases[c].bound * (1 + 1e-6));
      if (cases[c].var == 0.0)
        {
          g_assert_cmpfloat (peak, ==, 0.0);
          continue;
        }
      g_assert_cmpfloat (fabs (mean), <, 0.02 * sqrt (cases[c].var));
      g_assert_cmpfloat (fabs (var / cases[c].var - 1), <, 0.03);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/network/param-counts", test_param_counts);
  g_test_add_func ("/network/logits-layer", test_logits_layer);
  g_test_add_func ("/network/graph-gradient", test_graph_gradient);
  g_test_add_func ("/network/threads-agree", test_threads_agree);
  g_test_add_func ("/network/conv-paths-agree", test_conv_paths_agree);
  g_test_add_func ("/network/in-place-relu", test_in_place_relu);
  g_test_add_func ("/network/fused-batchnorm", test_fused_batchnorm);
  g_test_add_func ("/network/initializers", test_initializers);
  return g_test_run ();
}
