/* Attribution maps: saliency is the gradient of the class score (checked
 * against central differences), on a model where only one region of the
 * image can matter all four methods put their mass there, randomizing the
 * weights changes the saliency map (Adebayo et al.'s sanity check), and
 * every method runs on gray and color inputs of odd sizes and on the graph
 * presets. */
#include "cnn-engine.h"

#include <math.h>
#include <string.h>

#include "cnn-test-utils.h"

/* central differences of score[target] in double, step h */
static void
numeric_gradient (CnnNetwork *net, const float *x, int target, double h, double *g)
{
  const CnnShape s = cnn_network_get_input_shape (net);
  const size_t n = cnn_shape_size (s);
  const int logits = cnn_network_get_logits_layer (net);
  const int K = cnn_explain_n_classes (net);
  g_autofree float *xp = g_memdup2 (x, n * sizeof (float));
  for (size_t i = 0; i < n; i++)
    {
      xp[i] = (float) (x[i] + h);
      double up = cnn_network_forward (net, xp, 1, FALSE, NULL, NULL, logits)[target % K];
      xp[i] = (float) (x[i] - h);
      double down = cnn_network_forward (net, xp, 1, FALSE, NULL, NULL, logits)[target % K];
      xp[i] = x[i];
      g[i] = (up - down) / (2 * h);
    }
}

static void
check_gradient (const char *preset, CnnShape in, guint64 seed)
{
  g_autofree char *spec = cnn_model_spec_load (preset, NULL, NULL);
  CnnNetwork *net = cnn_test_network_new (spec, in, seed);
  CnnRng rng;
  cnn_rng_init (&rng, seed, 7);
  /* Biases start at zero, so a unit that sees only zeros (after a ReLU)
   * sits exactly on the next ReLU's kink, where a central difference
   * averages both sides and no gradient is one of them: perturb every
   * parameter, biases included. */
  float *params = cnn_network_get_params (net);
  for (size_t i = 0; i < cnn_network_get_n_params (net); i++)
    params[i] += (float) (0.05 * cnn_rng_normal (&rng));
  const size_t n = cnn_shape_size (in);
  g_autofree float *x = g_new (float, n);
  cnn_test_fill_distinct (x, n, 2.0f / n, &rng);
  g_autofree float *grad = g_new (float, n);
  g_autofree double *num = g_new (double, n);
  g_autofree double *half = g_new (double, n);
  const int target = 3;
  cnn_explain_gradient (net, NULL, x, target, grad);
  numeric_gradient (net, x, target, 1e-3, num);
  numeric_gradient (net, x, target, 5e-4, half);
  double scale = 0;
  for (size_t i = 0; i < n; i++)
    scale = MAX (scale, fabs (num[i]));
  g_assert_cmpfloat (scale, >, 0);
  /* Float32 scores and a step of 1e-3 give differences good to a few
   * tenths of a percent of the largest component. Where a ReLU kink or a
   * max-pool tie lies within the step, the quotient is no derivative, and
   * steps of 1e-3 and 5e-4 disagree by more than 1 %: such components (at
   * most 15 %) are skipped. Elsewhere: every component within 2 % of the
   * largest, and the median within 0.2 %. */
  double worst = 0;
  int kinks = 0, kept = 0;
  g_autofree double *err = g_new (double, n);
  for (size_t i = 0; i < n; i++)
    {
      if (fabs (num[i] - half[i]) > 1e-2 * scale)
        {
          kinks++;
          continue;
        }
      err[kept++] = fabs (grad[i] - num[i]);
      worst = MAX (worst, fabs (grad[i] - num[i]));
    }
  for (int i = 1; i < kept; i++)   /* insertion sort for the median */
    for (int j = i; j > 0 && err[j - 1] > err[j]; j--)
      {
        double t = err[j];
        err[j] = err[j - 1];
        err[j - 1] = t;
      }
  double median = err[kept / 2];
  g_test_message ("%s %d×%d×%d: |analytic - numeric| max %.2e, median %.2e; max |gradient| %.2e; %d of %zu "
                  "components near a kink", preset, in.c, in.h, in.w, worst, median, scale, kinks, n);
  g_assert_cmpint (kinks, <=, 0.15 * n);
  g_assert_cmpfloat (worst, <, 2e-2 * scale);
  g_assert_cmpfloat (median, <, 2e-3 * scale);
  /* the map is |gradient| maximized over channels */
  g_autofree float *map = g_new (float, (size_t) in.h * in.w);
  CnnSaliencyConfig config;
  cnn_saliency_config_init (&config);
  g_autoptr (GError) error = NULL;
  g_assert_true (cnn_explain_saliency (net, NULL, x, target, &config, map, &error));
  for (int p = 0; p < in.h * in.w; p++)
    {
      float m = 0;
      for (int c = 0; c < in.c; c++)
        m = MAX (m, fabsf (grad[(size_t) c * in.h * in.w + p]));
      g_assert_cmpfloat (map[p], ==, m);
    }
  /* parameter gradients are left alone */
  const float *grads = cnn_network_get_grads (net);
  for (size_t i = 0; i < cnn_network_get_n_params (net); i++)
    g_assert_cmpfloat (grads[i], ==, 0.0f);
  cnn_network_free (net);
}

static void
test_gradient (void)
{
  check_gradient ("cnn2", (CnnShape) { 1, 12, 12 }, 1);
  check_gradient ("resnet-mini", (CnnShape) { 3, 8, 10 }, 2);
  check_gradient ("inception-mini", (CnnShape) { 1, 10, 8 }, 3);
}

/* A model where only a 6×6 region of a 16×16 image matters: a 1×1
 * convolution splits x into relu(x) and relu(-x), and the class-0 score
 * reads relu(x) inside the region only (class 1's score is 0). Inside the
 * region the image is bright (x > 0), outside dark (x < 0), so both
 * channels carry an image everywhere, but only the region reaches the
 * score. */
#define RY 4
#define RX 8
#define RS 6
#define SIDE 16

static gboolean
in_region (int y, int x)
{
  return y >= RY && y < RY + RS && x >= RX && x < RX + RS;
}

static CnnNetwork *
region_model (void)
{
  const char *spec = "conv2d name=conv filters=2 kernel=1\nrelu name=relu\nflatten name=flat\n"
                     "dense name=fc units=classes\nsoftmax name=prob\n";
  g_autoptr (GError) error = NULL;
  CnnNetwork *net = cnn_network_new (spec, "region model", (CnnShape) { 1, SIDE, SIDE }, 2, &error);
  g_assert_no_error (error);
  CnnLayer *conv = cnn_network_get_layer (net, cnn_network_find_layer (net, "conv"));
  g_assert_cmpuint (conv->n_params, ==, 4);   /* (2, 1, 1, 1) weights, 2 biases */
  const float conv_w[4] = { 1, -1, 0, 0 };
  memcpy (conv->params, conv_w, sizeof conv_w);
  CnnLayer *fc = cnn_network_get_layer (net, cnn_network_find_layer (net, "fc"));
  g_assert_cmpuint (fc->n_params, ==, 2 * 2 * SIDE * SIDE + 2);   /* (2, 512) and 2 biases */
  memset (fc->params, 0, fc->n_params * sizeof (float));
  for (int y = 0; y < SIDE; y++)
    for (int x = 0; x < SIDE; x++)
      if (in_region (y, x))
        fc->params[y * SIDE + x] = 0.05f;   /* class 0, channel 0 */
  return net;
}

static void
region_image (float *x, guint64 seed)
{
  CnnRng rng;
  cnn_rng_init (&rng, seed, 1);
  for (int y = 0; y < SIDE; y++)
    for (int i = 0; i < SIDE; i++)
      {
        double u = cnn_rng_uniform (&rng);
        x[y * SIDE + i] = (float) (in_region (y, i) ? 0.5 + 0.5 * u : -0.5 - 0.5 * u);
      }
}

/* the share of the map's positive mass inside the region */
static double
mass_inside (const float *map)
{
  double in = 0, all = 0;
  for (int y = 0; y < SIDE; y++)
    for (int x = 0; x < SIDE; x++)
      {
        double v = MAX (map[y * SIDE + x], 0.0f);
        all += v;
        if (in_region (y, x))
          in += v;
      }
  return all > 0 ? in / all : 0;
}

static void
test_region (void)
{
  g_autoptr (CnnNetwork) net = region_model ();
  float x[SIDE * SIDE], map[SIDE * SIDE], probs[2];
  region_image (x, 5);
  g_assert_cmpint (cnn_explain_predict (net, NULL, x, probs), ==, 0);
  g_autoptr (GError) error = NULL;

  CnnSaliencyConfig sal;
  cnn_saliency_config_init (&sal);
  g_assert_true (cnn_explain_saliency (net, NULL, x, -1, &sal, map, &error));
  double m_sal = mass_inside (map);
  sal.smoothgrad = 16;
  sal.seed = 3;
  g_assert_true (cnn_explain_saliency (net, NULL, x, -1, &sal, map, &error));
  double m_smooth = mass_inside (map);

  g_autoptr (CnnPool) pool = cnn_pool_new (2);
  CnnOcclusionConfig occ;
  cnn_occlusion_config_init (&occ);
  occ.patch = 3;
  occ.fill = CNN_FILL_ZERO;
  g_assert_true (cnn_explain_occlusion (net, pool, x, -1, &occ, map, &error));
  double m_occ = mass_inside (map);
  /* a hand check: with a 1-pixel patch, the map at a pixel is the drop of
   * the probability when that pixel alone is zeroed */
  occ.patch = 1;
  g_assert_true (cnn_explain_occlusion (net, pool, x, -1, &occ, map, &error));
  float xz[SIDE * SIDE], pz[2], p0[2];
  memcpy (xz, x, sizeof x);
  xz[(RY + 2) * SIDE + RX + 3] = 0;
  cnn_explain_predict (net, NULL, x, p0);
  cnn_explain_predict (net, NULL, xz, pz);
  g_assert_cmpfloat_with_epsilon (map[(RY + 2) * SIDE + RX + 3], p0[0] - pz[0], 1e-6);
  g_assert_cmpfloat (map[0], ==, 0.0f);

  g_assert_cmpint (cnn_explain_gradcam_default_layer (net), ==, cnn_network_find_layer (net, "relu"));
  g_assert_true (cnn_explain_gradcam (net, NULL, x, -1, -1, map, &error));
  double m_cam = mass_inside (map);

  CnnLimeConfig lc;
  cnn_lime_config_init (&lc);
  lc.fill = CNN_FILL_ZERO;
  lc.samples = 500;
  g_autoptr (CnnLime) lime = cnn_lime_explain (net, pool, x, NULL, -1, &lc, &error);
  g_assert_no_error (error);
  double m_lime = mass_inside (lime->map);
  g_test_message ("mass inside the region: saliency %.3f, SmoothGrad %.3f, occlusion %.3f, Grad-CAM %.3f, "
                  "LIME %.3f (R² %.3f, %d superpixels)", m_sal, m_smooth, m_occ, m_cam, m_lime, lime->r2,
                  lime->n_segments);
  /* Thresholds. Saliency and Grad-CAM see the region exactly (gradient
   * and relu(x) vanish outside): all of it, to rounding. Occlusion smears
   * by construction: a 3-pixel patch straddling the border credits up to
   * 2 pixels outside, a band that holds most pixels of the 6×6 region's
   * surroundings: more than half. LIME's superpixels follow the bright
   * region's edge: at least 90 %. The region is 14 % of the image. */
  g_assert_cmpfloat (m_sal, >, 0.999);
  g_assert_cmpfloat (m_smooth, >, 0.9);
  g_assert_cmpfloat (m_occ, >, 0.5);
  g_assert_cmpfloat (m_cam, >, 0.999);
  g_assert_cmpfloat (m_lime, >, 0.9);
  /* the reported superpixels that matter (a coefficient of at least a
   * tenth of the largest; the rest is sampling noise) lie mostly in the
   * region */
  g_assert_cmpint (lime->n_positive, >=, 1);
  const double top = lime->coef[lime->order[0]];
  for (int k = 0; k < lime->n_positive && lime->coef[lime->order[k]] >= 0.1 * top; k++)
    {
      int seg = lime->order[k], inside = 0, size = 0;
      for (int p = 0; p < SIDE * SIDE; p++)
        if (lime->segments[p] == seg)
          {
            size++;
            inside += in_region (p / SIDE, p % SIDE);
          }
      g_assert_cmpint (2 * inside, >, size);
    }
}

static double
correlation (const float *a, const float *b, int n)
{
  double ma = 0, mb = 0;
  for (int i = 0; i < n; i++)
    {
      ma += a[i];
      mb += b[i];
    }
  ma /= n;
  mb /= n;
  double sab = 0, saa = 0, sbb = 0;
  for (int i = 0; i < n; i++)
    {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) * (a[i] - ma);
      sbb += (b[i] - mb) * (b[i] - mb);
    }
  return saa > 0 && sbb > 0 ? sab / sqrt (saa * sbb) : 0;
}

/* Adebayo et al. 2018: a saliency map that does not change when the
 * weights are randomized explains the image, not the model. Their
 * cascading randomization: the top layer first, then the one below. */
static void
test_sanity (void)
{
  g_autoptr (CnnNetwork) net = region_model ();
  float x[SIDE * SIDE], before[SIDE * SIDE], after[SIDE * SIDE];
  region_image (x, 6);
  CnnSaliencyConfig config;
  cnn_saliency_config_init (&config);
  g_autoptr (GError) error = NULL;
  g_assert_true (cnn_explain_saliency (net, NULL, x, 0, &config, before, &error));
  const char *cascade[] = { "fc", "conv" };
  CnnRng rng;
  cnn_rng_init (&rng, 11, 0);
  for (guint i = 0; i < G_N_ELEMENTS (cascade); i++)
    {
      CnnLayer *l = cnn_network_get_layer (net, cnn_network_find_layer (net, cascade[i]));
      cnn_test_fill_normal (l->params, l->n_params, 0.1f, &rng);
      g_assert_true (cnn_explain_saliency (net, NULL, x, 0, &config, after, &error));
      double r = correlation (before, after, SIDE * SIDE);
      g_test_message ("%s randomized: correlation with the map before %.3f", cascade[i], r);
      /* the map before is the region (a block of equal values): the
       * randomized model's map, spread over all pixels, may correlate with
       * it only by chance; bound 0.5 */
      g_assert_cmpfloat (fabs (r), <, 0.5);
    }
}

/* every method on a model and input size: maps finite, the right size, and
 * Grad-CAM and saliency non-negative */
static void
run_all (const char *preset, CnnShape in, int classes)
{
  g_autofree char *spec = cnn_model_spec_load (preset, NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) net = cnn_network_new (spec, preset, in, classes, &error);
  g_assert_no_error (error);
  cnn_network_init_params (net, 4);
  g_autoptr (CnnPool) pool = cnn_pool_new (2);
  const size_t n = cnn_shape_size (in), plane = (size_t) in.h * in.w;
  g_autofree float *x = g_new (float, n);
  g_autofree float *map = g_new (float, plane);
  CnnRng rng;
  cnn_rng_init (&rng, 8, 0);
  cnn_test_fill_uniform (x, n, 0, 1, &rng);

  CnnSaliencyConfig sal;
  cnn_saliency_config_init (&sal);
  sal.smoothgrad = 5;
  CnnOcclusionConfig occ;
  cnn_occlusion_config_init (&occ);
  occ.patch = 5;
  occ.stride = 3;
  occ.fill = CNN_FILL_BLUR;
  CnnLimeConfig lc;
  cnn_lime_config_init (&lc);
  lc.samples = 50;
  lc.fill = CNN_FILL_MEAN;
  for (int method = 0; method < 4; method++)
    {
      gboolean ok = TRUE;
      const float *m = map;
      g_autoptr (CnnLime) lime = NULL;
      if (method == 0)
        ok = cnn_explain_saliency (net, pool, x, -1, &sal, map, &error);
      else if (method == 1)
        ok = cnn_explain_occlusion (net, pool, x, classes - 1, &occ, map, &error);
      else if (method == 2)
        ok = cnn_explain_gradcam (net, pool, x, -1, -1, map, &error);
      else
        {
          lime = cnn_lime_explain (net, pool, x, NULL, 1, &lc, &error);
          ok = lime != NULL;
          m = ok ? lime->map : map;
          g_assert_cmpint (lime->h, ==, in.h);
        }
      g_assert_no_error (error);
      g_assert_true (ok);
      for (size_t p = 0; p < plane; p++)
        {
          g_assert_true (isfinite (m[p]));
          if (method == 0 || method == 2)
            g_assert_cmpfloat (m[p], >=, 0);
        }
    }
  /* a class the model does not have, and a layer without a map */
  g_assert_false (cnn_explain_occlusion (net, pool, x, classes, &occ, map, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
  g_clear_error (&error);
  g_assert_false (cnn_explain_gradcam (net, pool, x, 0, cnn_network_get_logits_layer (net), map, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
}

static void
test_models (void)
{
  run_all ("cnn2", (CnnShape) { 1, 28, 28 }, 10);
  run_all ("cnn2", (CnnShape) { 3, 20, 13 }, 4);
  run_all ("resnet-mini", (CnnShape) { 3, 17, 23 }, 5);
  run_all ("inception-mini", (CnnShape) { 1, 21, 16 }, 3);
}

static void
test_fill (void)
{
  const CnnShape s = { 2, 3, 4 };
  float x[24], out[24];
  for (int i = 0; i < 24; i++)
    x[i] = (float) i;
  cnn_explain_fill_image (CNN_FILL_MEAN, x, s, NULL, out);
  g_assert_cmpfloat (out[0], ==, 5.5f);
  g_assert_cmpfloat (out[12], ==, 17.5f);
  cnn_explain_fill_image (CNN_FILL_GRAY, x, s, NULL, out);
  g_assert_cmpfloat (out[7], ==, 11.5f);
  cnn_explain_fill_image (CNN_FILL_ZERO, x, s, NULL, out);
  g_assert_cmpfloat (out[23], ==, 0.0f);
  /* blur keeps the mean of a plane whose rows and columns are linear */
  cnn_explain_fill_image (CNN_FILL_BLUR, x, s, NULL, out);
  g_assert_cmpfloat (out[0], >, x[0]);
  g_assert_cmpfloat (out[11], <, x[11]);
  CnnFill f;
  g_assert_true (cnn_fill_parse ("Blur", &f, NULL));
  g_assert_cmpint (f, ==, CNN_FILL_BLUR);
  g_autoptr (GError) error = NULL;
  g_assert_false (cnn_fill_parse ("noise", &f, &error));
  g_assert_nonnull (strstr (error->message, "noise"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/explain/gradient", test_gradient);
  g_test_add_func ("/explain/region", test_region);
  g_test_add_func ("/explain/sanity", test_sanity);
  g_test_add_func ("/explain/models", test_models);
  g_test_add_func ("/explain/fill", test_fill);
  return g_test_run ();
}
