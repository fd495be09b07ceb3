/* test-panels.c: the data panels on small made-up sets: which samples are
 * picked, where classes and images land, the standardization statistics
 * against hand-computed values, the image strip's order and frame. */
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cnn-error.h"
#include "cnn-render.h"
#include "render-test-utils.h"

/* n images of 1×4×4 (3×4×4 when color), image i all value[label], labels i % classes */
static CnnImageSet *
make_set (int n, int c, int n_classes, const guint8 *value)
{
  CnnImageSet *set = cnn_image_set_new (n, c, 4, 4);
  for (int i = 0; i < n; i++)
    {
      set->labels[i] = (guint8) (i % n_classes);
      memset (set->pixels + (gsize) i * c * 16, value[i % n_classes], (gsize) c * 16);
    }
  return set;
}

static void
test_samples_pick (void)
{
  const guint8 value[] = { 10, 20, 30 };
  g_autoptr (CnnImageSet) set = make_set (20, 1, 3, value);
  /* class 2 has 6 images (2, 5, ..., 17); asking for 8 leaves two empty */
  g_autofree int *a = cnn_panel_samples_pick (set, 3, 8, 7);
  g_autofree int *b = cnn_panel_samples_pick (set, 3, 8, 7);
  g_assert_cmpmem (a, 24 * sizeof (int), b, 24 * sizeof (int));
  for (int k = 0; k < 3; k++)
    for (int j = 0; j < 8; j++)
      {
        int i = a[k * 8 + j];
        int have = k == 2 ? 6 : 7;
        if (j >= have)
          g_assert_cmpint (i, ==, -1);
        else
          {
            g_assert_cmpint (set->labels[i], ==, k);
            if (j > 0)
              g_assert_cmpint (i, >, a[k * 8 + j - 1]);   /* in data set order */
          }
      }
  /* a different seed picks other images when there is a choice */
  g_autoptr (CnnImageSet) big = make_set (300, 1, 3, value);
  g_autofree int *c = cnn_panel_samples_pick (big, 3, 4, 1);
  g_autofree int *d = cnn_panel_samples_pick (big, 3, 4, 2);
  g_assert_true (memcmp (c, d, 12 * sizeof (int)) != 0);
}

static void
test_samples_panel (void)
{
  /* class 0 images are gray 200, class 1 gray 60: row 0 of the grid is
   * above row 1, each row has per_class cells of its class */
  const guint8 value[] = { 200, 60 };
  g_autoptr (CnnImageSet) set = make_set (10, 1, 2, value);
  g_autofree int *idx = cnn_panel_samples_pick (set, 2, 3, 1);
  const char *names[] = { "light", "dark" };
  CnnPanelSamples panel = { .set = set, .n_classes = 2, .class_names = names, .per_class = 3,
                            .idx = idx, .title = "samples" };
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  double w, h;
  cnn_panel_samples_natural_size (&panel, style, &w, &h);
  g_assert_cmpfloat (w, >, 3 * 48);
  g_assert_cmpfloat (h, >, 2 * 48);
  cairo_surface_t *s = cnn_test_image_new ((int) w, (int) h);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  cnn_panel_samples_draw (&panel, style, cr, w, h);
  int light = cnn_test_count_color (s, 0xc8c8c8), dark = cnn_test_count_color (s, 0x3c3c3c);
  /* 3 cells of at least 48×48 each */
  g_assert_cmpint (light, >, 3 * 46 * 46);
  g_assert_cmpint (dark, >, 3 * 46 * 46);
  g_assert_cmpint (abs (light - dark), <, light / 20);
  double light_y = 0, dark_y = 0;
  for (int y = 0; y < (int) h; y++)
    for (int x = 0; x < (int) w; x++)
      {
        guint32 p = cnn_test_pixel (s, x, y);
        light_y += p == 0xc8c8c8 ? y : 0;
        dark_y += p == 0x3c3c3c ? y : 0;
      }
  g_assert_cmpfloat (light_y / light, <, dark_y / dark);
  /* the labels are left of every image */
  double first_image_x = MIN (cnn_test_mean_x (s, 0xc8c8c8), cnn_test_mean_x (s, 0x3c3c3c)) - 48;
  int ink = 0;
  for (int y = 0; y < (int) h; y++)
    for (int x = 0; x < (int) first_image_x; x++)
      ink += cnn_test_pixel (s, x, y) != 0xffffff;
  g_assert_cmpint (ink, >, 20);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

static void
test_standardization_panel (void)
{
  /* two 1×2×2 images: (0, 255, 0, 255) and (0, 255, 255, 255) give, in
   * x = byte / 255, mean (0, 1, 0.5, 1) and std (0, 0, 0.5, 0); over all
   * pixels mean 0.625 and std sqrt(0.625 - 0.625²) = 0.4841 */
  g_autoptr (CnnImageSet) set = cnn_image_set_new (2, 1, 2, 2);
  const guint8 px[] = { 0, 255, 0, 255, 0, 255, 255, 255 };
  memcpy (set->pixels, px, sizeof px);
  set->labels[0] = 0;
  set->labels[1] = 2;
  GError *error = NULL;
  g_autoptr (CnnPanelStandardization) p = cnn_panel_standardization_new (set, 3, NULL, &error);
  g_assert_no_error (error);
  const float mean[] = { 0, 1, 0.5f, 1 }, std[] = { 0, 0, 0.5f, 0 };
  for (int j = 0; j < 4; j++)
    {
      /* float arithmetic in the normalizer and back: 1e-5 */
      g_assert_cmpfloat_with_epsilon (p->mean[j], mean[j], 1e-5);
      g_assert_cmpfloat_with_epsilon (p->std[j], std[j], 1e-5);
    }
  g_assert_cmpfloat_with_epsilon (p->channel_mean[0], 0.625, 1e-6);
  g_assert_cmpfloat_with_epsilon (p->channel_std[0], sqrt (0.625 - 0.625 * 0.625), 1e-5);
  g_assert_cmpfloat (p->counts[0], ==, 1);
  g_assert_cmpfloat (p->counts[1], ==, 0);
  g_assert_cmpfloat (p->counts[2], ==, 1);
  g_assert_cmpstr (p->class_names[1], ==, "1");
  g_assert_cmpint (p->n_images, ==, 2);

  /* drawn: the mean image's 0 and 1 pixels are viridis' ends, in blocks */
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  p->title = g_strdup ("standardization");
  double w, h;
  cnn_panel_standardization_natural_size (p, style, &w, &h);
  cairo_surface_t *s = cnn_test_image_new ((int) w, (int) h);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  cnn_panel_standardization_draw (p, style, cr, w, h);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  /* a mean pixel at 0 plus three std pixels at 0: at least 4 blocks of
   * 40×40 of viridis(0); two mean pixels and one std pixel at the top */
  g_assert_cmpint (cnn_test_count_color (s, 0x440154), >, 4 * 40 * 40);
  g_assert_cmpint (cnn_test_count_color (s, 0xfde725), >, 3 * 40 * 40);
  /* two bars of the accent color: classes 0 and 2 */
  g_assert_cmpint (cnn_test_count_color (s, cnn_test_rgb (&style->accent)), >, 2 * 50);
  cairo_destroy (cr);
  cairo_surface_destroy (s);

  /* an empty set is an error, not a division by zero */
  g_autoptr (CnnImageSet) empty = cnn_image_set_new (0, 1, 2, 2);
  g_assert_null (cnn_panel_standardization_new (empty, 3, NULL, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
  g_clear_error (&error);
}

static void
test_color_standardization (void)
{
  /* RGB images: three channel columns (red, green, blue), each channel's
   * statistics separately */
  g_autoptr (CnnImageSet) set = cnn_image_set_new (2, 3, 3, 3);
  for (int i = 0; i < 2; i++)
    for (int ch = 0; ch < 3; ch++)
      memset (set->pixels + (gsize) i * 27 + ch * 9, ch == 0 ? 255 : ch == 1 ? 51 * i : 0, 9);
  g_autoptr (CnnPanelStandardization) p = cnn_panel_standardization_new (set, 2, NULL, NULL);
  g_assert_cmpfloat_with_epsilon (p->channel_mean[0], 1.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (p->channel_mean[1], 0.1, 1e-6);
  g_assert_cmpfloat_with_epsilon (p->channel_std[1], 0.1, 1e-5);
  g_assert_cmpfloat_with_epsilon (p->channel_std[2], 0.0, 1e-6);
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_DARK);
  double w, h;
  cnn_panel_standardization_natural_size (p, style, &w, &h);
  cairo_surface_t *s = cnn_test_image_new ((int) w, (int) h);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  cnn_panel_standardization_draw (p, style, cr, w, h);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  /* means 1, 0.1, 0 share one scale: red's column is viridis' top, blue's
   * its bottom, in that order from left to right */
  double red = cnn_test_mean_x (s, 0xfde725), blue = cnn_test_mean_x (s, 0x440154);
  g_assert_cmpfloat (red, >=, 0);
  g_assert_cmpfloat (blue, >, red);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

/* mean y of the pixels of one color */
static double
mean_y_of (cairo_surface_t *s, guint32 rgb)
{
  double sum = 0;
  int n = 0;
  for (int y = 0; y < cairo_image_surface_get_height (s); y++)
    for (int x = 0; x < cairo_image_surface_get_width (s); x++)
      if (cnn_test_pixel (s, x, y) == rgb)
        {
          sum += y;
          n++;
        }
  return n ? sum / n : -1;
}

static void
test_image_strip_panel (void)
{
  /* an original and two versions, gray 0, 128 and 255 (the last given out
   * of range as 300), left to right on the dark style's background, the
   * original framed in the accent color */
  float a[16], b[16], c[16];
  for (int i = 0; i < 16; i++)
    {
      a[i] = 0;
      b[i] = 128;
      c[i] = 300;
    }
  const float *images[] = { a, b, c };
  const char *caps[] = { "original", "rotation 15°", "zoom 0.1" };
  CnnPanelImageStrip strip = { .c = 1, .h = 4, .w = 4, .n = 3, .images = images,
                               .captions = caps, .title = "augmentation" };
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_DARK);
  double w, h;
  cnn_panel_image_strip_natural_size (&strip, style, &w, &h);
  cairo_surface_t *s = cnn_test_image_new ((int) w, (int) h);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  cnn_panel_image_strip_draw (&strip, style, cr, w, h);
  double x0 = cnn_test_mean_x (s, 0x000000), x1 = cnn_test_mean_x (s, 0x808080), x2 = cnn_test_mean_x (s, 0xffffff);
  g_assert_cmpfloat (x0, >=, 0);
  g_assert_cmpfloat (x1, >, x0 + 40);
  g_assert_cmpfloat (x2, >, x1 + 40);
  /* cells of at least 64 px (natural size), the frame around the first */
  g_assert_cmpint (cnn_test_count_color (s, 0x808080), >, 62 * 62);
  g_assert_cmpint (cnn_test_count_color (s, 0xffffff), >, 62 * 62);
  /* a frame of four sides of 64 px or more; the color of its core within
   * 60 of the accent (a 1.75 px line is antialiased) */
  g_assert_cmpint (cnn_test_count_near (s, cnn_test_rgb (&style->accent), 60, NULL), >, 4 * 62);
  int frame[4], image[4];
  cnn_test_bbox_near (s, cnn_test_rgb (&style->accent), 60, frame);
  cnn_test_bbox_near (s, 0x000000, 0, image);
  for (int i = 0; i < 2; i++)
    {
      /* outside the image, by no more than the line and a pixel */
      g_assert_cmpint (frame[i], <, image[i]);
      g_assert_cmpint (frame[i], >=, image[i] - 5);
      g_assert_cmpint (frame[i + 2], >, image[i + 2]);
      g_assert_cmpint (frame[i + 2], <=, image[i + 2] + 5);
    }

  /* wrapping two per row puts the third image under the first */
  strip.max_cols = 2;
  strip.captions = NULL;
  cnn_render_paint_background (cr, style);
  cnn_panel_image_strip_draw (&strip, style, cr, w, h);
  g_assert_cmpfloat (fabs (cnn_test_mean_x (s, 0xffffff) - cnn_test_mean_x (s, 0x000000)), <, 2);
  g_assert_cmpfloat (mean_y_of (s, 0xffffff), >, mean_y_of (s, 0x000000) + 10);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

/* Four 4×4 maps, all 0 but map 2, which is 1 at row 1, column 3. Each map
 * to its own range: only that cell is viridis' top color (yellow), a
 * square block in the maps' area right of the input (no color bar, whose
 * top would be yellow too). */
static void
test_activations_panel (void)
{
  guint8 image[6 * 6] = { 0 };
  float maps[4 * 16] = { 0 };
  maps[2 * 16 + 1 * 4 + 3] = 1.0f;
  const float probs[3] = { 0.1f, 0.7f, 0.2f };
  const char *names[3] = { "a", "b", "c" };
  CnnPanelActivations panel = {
    .c = 1, .h = 6, .w = 6, .image = image, .n_maps = 4, .map_h = 4, .map_w = 4, .maps = maps,
    .shared_scale = FALSE, .n_classes = 3, .probs = probs, .class_names = names,
  };
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  cairo_surface_t *s = cnn_test_image_new (800, 500);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  cnn_panel_activations_draw (&panel, style, cr, 800, 500);
  cairo_destroy (cr);
  cairo_surface_flush (s);
  CnnColor top;
  cnn_colormap_rgb (CNN_COLORMAP_VIRIDIS, 1.0, &top);
  int box[4];
  cnn_test_bbox_near (s, cnn_test_rgb (&top), 6, box);
  int bw = box[2] - box[0] + 1, bh = box[3] - box[1] + 1;
  g_assert_cmpint (bw, >, 10);
  g_assert_cmpint (abs (bw - bh), <=, 2);          /* one square cell of a square map */
  g_assert_cmpint (box[0], >, 800 * 0.32);         /* right of the input column */
  /* map 2 is the first of the 2×2 grid's second row */
  g_assert_cmpint (box[1], >, 250);
  int yellow = cnn_test_count_near (s, cnn_test_rgb (&top), 6, NULL);
  g_assert_cmpint (yellow, >=, bw * bh * 9 / 10);
  cairo_surface_destroy (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/panel/samples-pick", test_samples_pick);
  g_test_add_func ("/panel/samples", test_samples_panel);
  g_test_add_func ("/panel/standardization", test_standardization_panel);
  g_test_add_func ("/panel/standardization-color", test_color_standardization);
  g_test_add_func ("/panel/image-strip", test_image_strip_panel);
  g_test_add_func ("/panel/activations", test_activations_panel);
  return g_test_run ();
}
