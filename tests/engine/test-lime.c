/* LIME: the same seed gives the same explanation bit for bit, another
 * seed another sampling; SLIC superpixels are connected, about the number
 * the defaults promise on a 28×28 item and on a photo-sized image, and
 * follow an object's edge. */
#include "cnn-engine.h"

#include <math.h>
#include <string.h>

#include "cnn-test-utils.h"

/* a 28×28 "item": a bright ellipse on black, like Fashion-MNIST's */
static void
item_image (float *img, int h, int w)
{
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double dy = (y - h / 2.0) / (0.35 * h), dx = (x - w / 2.0) / (0.25 * w);
        img[y * w + x] = dy * dy + dx * dx < 1 ? 0.8f + 0.1f * ((x + y) % 2) : 0.0f;
      }
}

static void
test_deterministic (void)
{
  g_autofree char *spec = cnn_model_spec_load ("cnn2", NULL, NULL);
  CnnNetwork *net = cnn_test_network_new (spec, (CnnShape) { 1, 28, 28 }, 2);
  g_autoptr (CnnPool) pool = cnn_pool_new (2);
  float img[784];
  item_image (img, 28, 28);
  CnnLimeConfig config;
  cnn_lime_config_init (&config);
  config.samples = 300;
  config.seed = 42;
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnLime) a = cnn_lime_explain (net, pool, img, img, -1, &config, &error);
  g_assert_no_error (error);
  g_autoptr (CnnLime) b = cnn_lime_explain (net, pool, img, img, -1, &config, &error);
  g_assert_no_error (error);
  g_assert_cmpint (a->n_segments, ==, b->n_segments);
  g_assert_cmpmem (a->coef, a->n_segments * sizeof (double), b->coef, b->n_segments * sizeof (double));
  g_assert_cmpmem (&a->intercept, sizeof (double), &b->intercept, sizeof (double));
  g_assert_cmpmem (&a->r2, sizeof (double), &b->r2, sizeof (double));
  g_assert_cmpmem (a->map, 784 * sizeof (float), b->map, 784 * sizeof (float));
  config.seed = 43;
  g_autoptr (CnnLime) d = cnn_lime_explain (net, pool, img, img, -1, &config, &error);
  g_assert_no_error (error);
  g_assert_true (memcmp (a->coef, d->coef, a->n_segments * sizeof (double)) != 0);
  /* the reported features: the largest coefficients, positive first */
  g_assert_cmpint (a->features, ==, 5);
  for (int k = 1; k < a->n_segments; k++)
    g_assert_cmpfloat (a->coef[a->order[k - 1]], >=, a->coef[a->order[k]]);
  g_assert_true (a->r2 <= 1.0 && isfinite (a->r2));
  cnn_network_free (net);
}

/* every superpixel connected, and the count near what region_size implies */
static void
check_segments (const int *seg, int n_seg, int h, int w)
{
  g_autofree int *size = g_new0 (int, n_seg);
  for (int p = 0; p < h * w; p++)
    {
      g_assert_cmpint (seg[p], >=, 0);
      g_assert_cmpint (seg[p], <, n_seg);
      size[seg[p]]++;
    }
  for (int k = 0; k < n_seg; k++)
    g_assert_cmpint (size[k], >, 0);
  /* connected: a flood fill from each segment's first pixel reaches all */
  g_autofree int *seen = g_new0 (int, h * w);
  g_autofree int *stack = g_new (int, h * w);
  g_autofree int *reached = g_new0 (int, n_seg);
  for (int p = 0; p < h * w; p++)
    {
      if (seen[p] || reached[seg[p]])
        continue;
      int top = 0, count = 0;
      stack[top++] = p;
      seen[p] = 1;
      while (top)
        {
          int q = stack[--top], y = q / w, x = q % w;
          count++;
          int nb[4] = { x > 0 ? q - 1 : -1, x < w - 1 ? q + 1 : -1, y > 0 ? q - w : -1, y < h - 1 ? q + w : -1 };
          for (int k = 0; k < 4; k++)
            if (nb[k] >= 0 && !seen[nb[k]] && seg[nb[k]] == seg[q])
              {
                seen[nb[k]] = 1;
                stack[top++] = nb[k];
              }
        }
      reached[seg[p]] = 1;
      g_assert_cmpint (count, ==, size[seg[p]]);
    }
}

static void
test_segments (void)
{
  /* 28×28 gray: region size 4, a few dozen superpixels that do not cross
   * the item's edge: at least 95 % of the pixels share their superpixel's
   * majority side (inside or outside) */
  float img[784];
  item_image (img, 28, 28);
  int seg[784];
  int n = cnn_lime_segment (img, (CnnShape) { 1, 28, 28 }, 0, -1, seg);
  g_test_message ("28×28 item: %d superpixels", n);
  g_assert_cmpint (n, >=, 20);
  g_assert_cmpint (n, <=, 80);
  check_segments (seg, n, 28, 28);
  int inside[784] = { 0 }, size[784] = { 0 }, agree = 0;
  for (int p = 0; p < 784; p++)
    {
      size[seg[p]]++;
      inside[seg[p]] += img[p] > 0.5f;
    }
  for (int p = 0; p < 784; p++)
    {
      gboolean majority_in = 2 * inside[seg[p]] > size[seg[p]];
      agree += majority_in == (img[p] > 0.5f);
    }
  g_test_message ("pixels on their superpixel's side of the edge: %d of 784", agree);
  g_assert_cmpint (agree, >=, 0.95 * 784);

  /* a color photo-sized image (smooth gradients and a disc): about 50 */
  const int h = 96, w = 128;
  g_autofree float *photo = g_new (float, 3 * h * w);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        {
          double d = hypot (y - 40, x - 70);
          photo[(c * h + y) * w + x] = (float) (d < 25 ? 0.2 + 0.3 * c : 0.5 + 0.4 * sin (x * 0.05 + c) * y / h);
        }
  g_autofree int *pseg = g_new (int, h * w);
  n = cnn_lime_segment (photo, (CnnShape) { 3, h, w }, 0, -1, pseg);
  g_test_message ("%d×%d color: %d superpixels", h, w, n);
  g_assert_cmpint (n, >=, 25);
  g_assert_cmpint (n, <=, 120);
  check_segments (pseg, n, h, w);
}

static void
test_bad_config (void)
{
  g_autofree char *spec = cnn_model_spec_load ("cnn2", NULL, NULL);
  CnnNetwork *net = cnn_test_network_new (spec, (CnnShape) { 1, 28, 28 }, 2);
  float img[784];
  item_image (img, 28, 28);
  CnnLimeConfig config;
  cnn_lime_config_init (&config);
  config.samples = 1;
  g_autoptr (GError) error = NULL;
  g_assert_null (cnn_lime_explain (net, NULL, img, img, -1, &config, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
  g_clear_error (&error);
  cnn_lime_config_init (&config);
  g_assert_null (cnn_lime_explain (net, NULL, img, img, 10, &config, &error));
  g_assert_nonnull (strstr (error->message, "class 10"));
  g_clear_error (&error);
  /* one-pixel superpixels on 28×28: 784, fine; the fit stays solvable */
  config.region_size = 1;
  config.samples = 100;
  g_autoptr (CnnLime) lime = cnn_lime_explain (net, NULL, img, img, -1, &config, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lime->n_segments, >, 100);
  cnn_network_free (net);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lime/deterministic", test_deterministic);
  g_test_add_func ("/lime/segments", test_segments);
  g_test_add_func ("/lime/bad-config", test_bad_config);
  return g_test_run ();
}
