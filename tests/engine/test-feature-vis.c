/* Feature visualization: gradient ascent raises the channel's activation
 * well above where it started and above what any of 200 real images give,
 * and the same seed gives the same image. */
#include "cnn-engine.h"

#include <math.h>
#include <string.h>

static gboolean
count_steps (int step, double objective, const float *x, gpointer data)
{
  *(int *) data = step;
  return step < 7;
}

static void
test_ascent (void)
{
  g_autofree char *spec = cnn_model_spec_load ("cnn2", NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) net = cnn_network_new (spec, "cnn2", (CnnShape) { 1, 28, 28 }, 10, &error);
  g_assert_no_error (error);
  cnn_network_init_params (net, 3);
  int layer = cnn_network_find_layer (net, "relu3");
  g_assert_cmpint (layer, >=, 0);
  const int channel = 5;

  /* what real images do: synthetic data, standardized to [0, 1] */
  g_autoptr (CnnDataset) ds = cnn_dataset_new_synthetic (1, 200, 0);
  g_autoptr (CnnNormalizer) nz = cnn_normalizer_new_fit (CNN_STANDARDIZE_SCALE, ds->train, NULL, 0);
  float x[784];
  double best_real = -1e30;
  for (int i = 0; i < ds->train->n; i++)
    {
      cnn_normalizer_gather (nz, ds->train, &i, 1, x);
      best_real = MAX (best_real, cnn_channel_mean (net, layer, channel, x));
    }

  CnnFeatureVisConfig config;
  cnn_feature_vis_config_init (&config);
  config.steps = 60;
  config.seed = 9;
  float a[784], b[784];
  memset (a, 0, sizeof a);
  double start = -1.0;
  {
    /* the objective of the starting noise: zero steps */
    CnnFeatureVisConfig none = config;
    none.steps = 0;
    start = cnn_feature_vis (net, layer, channel, &none, a, NULL, NULL);
  }
  double end = cnn_feature_vis (net, layer, channel, &config, a, NULL, NULL);
  g_test_message ("objective: noise %.4f, after 60 steps %.4f, best of 200 images %.4f", start, end,
                  best_real);
  g_assert_cmpfloat (end, >, 3 * start);
  g_assert_cmpfloat (end, >, best_real);
  /* the result is what the network sees: recomputed, the same */
  g_assert_cmpfloat_with_epsilon (cnn_channel_mean (net, layer, channel, a), end, 1e-9);

  /* the same seed, the same image; the callback can stop early */
  double again = cnn_feature_vis (net, layer, channel, &config, b, NULL, NULL);
  g_assert_cmpfloat (again, ==, end);
  g_assert_true (memcmp (a, b, sizeof a) == 0);
  int steps = 0;
  cnn_feature_vis (net, layer, channel, &config, b, count_steps, &steps);
  g_assert_cmpint (steps, ==, 7);
}

typedef struct
{
  double sum_first, sum_last;   /* objectives of the first and last third */
  int    steps;
} Trace;

static gboolean
trace_step (int step, double objective, const float *x, gpointer data)
{
  Trace *t = data;
  g_assert_true (isfinite (objective));
  if (step <= t->steps / 3)
    t->sum_first += objective;
  else if (step > t->steps - t->steps / 3)
    t->sum_last += objective;
  return TRUE;
}

/* Class visualization as the figures run it: from the data's mean image,
 * inside the pixels' range, the class score rises on average and the
 * image stays finite and in range. */
static void
test_class_vis (void)
{
  g_autofree char *spec = cnn_model_spec_load ("cnn2", NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) net = cnn_network_new (spec, "cnn2", (CnnShape) { 1, 28, 28 }, 10, &error);
  g_assert_no_error (error);
  cnn_network_init_params (net, 4);
  g_autoptr (CnnDataset) ds = cnn_dataset_new_synthetic (1, 50, 0);
  g_autoptr (CnnNormalizer) nz = cnn_normalizer_new_fit (CNN_STANDARDIZE_SCALE, ds->train, NULL, 0);

  /* the mean image by hand: scale standardization is bytes / 255 */
  float prior[784], lo[784], hi[784], x[784];
  cnn_feature_vis_mean_image (nz, ds->train, 10000, prior);
  for (int j = 0; j < 784; j += 97)
    {
      double sum = 0;
      for (int i = 0; i < ds->train->n; i++)
        sum += ds->train->pixels[(size_t) i * 784 + j];
      g_assert_cmpfloat_with_epsilon (prior[j], sum / ds->train->n / 255.0, 1e-6);
    }
  cnn_normalizer_bounds (nz, lo, hi);
  g_assert_cmpfloat (lo[0], ==, 0.0f);
  g_assert_cmpfloat_with_epsilon (hi[0], 1.0f, 1e-7);

  CnnFeatureVisConfig config;
  cnn_class_vis_config_init (&config);
  config.prior = prior;
  config.lo = lo;
  config.hi = hi;
  int logits = cnn_network_get_logits_layer (net);
  for (int k = 0; k < 3; k++)
    {
      Trace t = { .steps = config.steps };
      double start = cnn_channel_mean (net, logits, k, prior);
      double end = cnn_feature_vis (net, logits, k, &config, x, trace_step, &t);
      g_test_message ("class %d: mean image %.3f, first third %.3f, last third %.3f, end %.3f", k,
                      start, t.sum_first / (t.steps / 3), t.sum_last / (t.steps / 3), end);
      g_assert_cmpfloat (t.sum_last, >, t.sum_first);
      g_assert_cmpfloat (end, >, start);
      for (int j = 0; j < 784; j++)
        {
          g_assert_true (isfinite (x[j]));
          g_assert_cmpfloat (x[j], >=, lo[j]);
          g_assert_cmpfloat (x[j], <=, hi[j]);
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/feature-vis/ascent", test_ascent);
  g_test_add_func ("/feature-vis/class", test_class_vis);
  return g_test_run ();
}
