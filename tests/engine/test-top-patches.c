/* Top-activating images: a hand-made case with known winners and places,
 * cnn2 against a brute-force scan one image at a time, and cancelling. */
#include "cnn-engine.h"

#include <math.h>

/* A 1×1 convolution with weight 1 on raw bytes: the activation is the
 * pixel. Image i is black but for one pixel of value[i] at (y[i], x[i]). */
static void
test_known_winners (void)
{
  const int value[6] = { 10, 200, 50, 200, 90, 30 };
  const int py[6] = { 0, 4, 2, 1, 3, 0 }, px[6] = { 0, 2, 2, 3, 0, 4 };
  g_autoptr (CnnImageSet) set = cnn_image_set_new (6, 1, 5, 5);
  memset (set->pixels, 0, 6 * 25);
  for (int i = 0; i < 6; i++)
    {
      set->pixels[i * 25 + py[i] * 5 + px[i]] = (guint8) value[i];
      set->labels[i] = 0;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) net = cnn_network_new ("conv2d name=c filters=1 kernel=1 bias=no\n",
                                                "test", (CnnShape) { 1, 5, 5 }, 2, &error);
  g_assert_no_error (error);
  cnn_network_get_params (net)[0] = 1.0f;
  g_autoptr (CnnNormalizer) nz = cnn_normalizer_new_fit (CNN_STANDARDIZE_NONE, set, NULL, 0);
  const int idx[6] = { 0, 1, 2, 3, 4, 5 };
  /* batches of 4: the winners come from both batches */
  g_autoptr (CnnTopPatches) tp = cnn_top_patches_compute (net, set, nz, idx, 6, 0, 3, 4, NULL, NULL,
                                                          NULL, &error);
  g_assert_no_error (error);
  const int want[3] = { 1, 3, 4 };   /* 200, 200 (the earlier first), 90 */
  for (int r = 0; r < 3; r++)
    {
      const CnnTopPatch *p = cnn_top_patches_get (tp, 0, r);
      g_assert_cmpint (p->image, ==, want[r]);
      g_assert_cmpint (p->y, ==, py[want[r]]);
      g_assert_cmpint (p->x, ==, px[want[r]]);
      g_assert_cmpfloat (p->value, ==, value[want[r]]);
      int y0, x0, h, w;
      cnn_top_patches_box (tp, p, &y0, &x0, &h, &w);
      g_assert_cmpint (y0, ==, py[want[r]]);
      g_assert_cmpint (x0, ==, px[want[r]]);
      g_assert_cmpint (h, ==, 1);
      g_assert_cmpint (w, ==, 1);
    }
  /* more places than images: the rest stay empty */
  g_autoptr (CnnTopPatches) many = cnn_top_patches_compute (net, set, nz, idx, 2, 0, 4, 8, NULL,
                                                            NULL, NULL, &error);
  g_assert_cmpint (cnn_top_patches_get (many, 0, 1)->image, ==, 0);
  g_assert_cmpint (cnn_top_patches_get (many, 0, 2)->image, ==, -1);
}

static gboolean
stop_at_100 (int done, int total, gpointer data)
{
  *(int *) data = done;
  return done < 100;
}

/* cnn2 with fresh weights on synthetic images: for every channel of conv3,
 * the same winners and values as one-image forward passes give */
static void
test_against_brute_force (void)
{
  g_autoptr (CnnDataset) ds = cnn_dataset_new_synthetic (3, 300, 0);
  g_autofree char *spec = cnn_model_spec_load ("cnn2", NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) net = cnn_network_new (spec, "cnn2", (CnnShape) { 1, 28, 28 }, 10, &error);
  g_assert_no_error (error);
  cnn_network_init_params (net, 5);
  int layer = -1;
  for (int i = 0; i < cnn_network_get_n_layers (net); i++)
    if (g_strcmp0 (cnn_network_get_layer (net, i)->name, "conv3") == 0)
      layer = i;
  const int n = ds->train->n, k = 5, C = 16, P = 14 * 14;
  g_autofree int *idx = g_new (int, n);
  for (int i = 0; i < n; i++)
    idx[i] = i;
  g_autoptr (CnnNormalizer) nz = cnn_normalizer_new_fit (CNN_STANDARDIZE_SCALE, ds->train, NULL, 0);
  g_autoptr (CnnPool) pool = cnn_pool_new (2);
  g_autoptr (CnnTopPatches) tp = cnn_top_patches_compute (net, ds->train, nz, idx, n, layer, k, 64,
                                                          pool, NULL, NULL, &error);
  g_assert_no_error (error);

  /* brute force: each image alone, then a full sort per channel */
  g_autofree float *best = g_new (float, (size_t) n * C);
  float x[784];
  for (int i = 0; i < n; i++)
    {
      cnn_normalizer_gather (nz, ds->train, &i, 1, x);
      const float *a = cnn_network_forward (net, x, 1, FALSE, NULL, NULL, layer);
      for (int c = 0; c < C; c++)
        {
          float m = -INFINITY;
          for (int j = 0; j < P; j++)
            m = MAX (m, a[c * P + j]);
          best[(size_t) i * C + c] = m;
        }
    }
  for (int c = 0; c < C; c++)
    for (int r = 0; r < k; r++)
      {
        const CnnTopPatch *p = cnn_top_patches_get (tp, c, r);
        /* exactly r images beat it, and it is what the single pass saw */
        int better = 0;
        for (int i = 0; i < n; i++)
          better += best[(size_t) i * C + c] > p->value;
        g_assert_cmpint (better, ==, r);
        g_assert_cmpfloat_with_epsilon (best[(size_t) p->image * C + c], p->value, 1e-5);
      }

  /* cancelled from the progress callback */
  int seen = 0;
  g_autoptr (CnnTopPatches) none = cnn_top_patches_compute (net, ds->train, nz, idx, n, layer, k, 64,
                                                            pool, stop_at_100, &seen, &error);
  g_assert_null (none);
  g_assert_error (error, CNN_ERROR, CNN_ERROR_CANCELLED);
  g_assert_cmpint (seen, ==, 128);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/top-patches/known-winners", test_known_winners);
  g_test_add_func ("/top-patches/brute-force", test_against_brute_force);
  return g_test_run ();
}
