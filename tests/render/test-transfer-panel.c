/* The transfer comparison panel: bars as long as the accuracies, and the
 * curves beside them when there are runs. */
#include "cnn-panel-transfer.h"

#include <math.h>

#include "render-test-utils.h"

/* Lengths of the accent-colored bars, top to bottom, measured along the
 * row through each bar's middle. */
static int
bar_lengths (cairo_surface_t *s, guint32 accent, int *len, int max)
{
  int box[4];
  cnn_test_bbox_near (s, accent, 0, box);
  int x = box[0] + 1, n = 0, h = cairo_image_surface_get_height (s);
  int w = cairo_image_surface_get_width (s);
  for (int y = 0; y < h && n < max; y++)
    {
      if (!cnn_test_near (cnn_test_pixel (s, x, y), accent, 0))
        continue;
      int y1 = y;
      while (y1 + 1 < h && cnn_test_near (cnn_test_pixel (s, x, y1 + 1), accent, 0))
        y1++;
      int mid = (y + y1) / 2, x1 = x;
      while (x1 + 1 < w && cnn_test_near (cnn_test_pixel (s, x1 + 1, mid), accent, 0))
        x1++;
      len[n++] = x1 - box[0] + 1;
      y = y1;
    }
  return n;
}

static void
test_bars (void)
{
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  const char *labels[] = { "from scratch", "frozen features", "fine-tuned" };
  const double acc[] = { 0.25, 0.5, 1.0 };
  CnnTransferData d = { .n_bars = 3, .bar_labels = labels, .accuracy = acc,
                        .value_label = "test accuracy, %", .title = "Compared" };
  double w, h;
  cnn_panel_transfer_natural_size (&d, style, &w, &h);
  cairo_surface_t *s = cnn_test_image_new ((int) w, (int) h);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  cnn_panel_transfer_draw (&d, style, cr, w, h);
  cairo_destroy (cr);
  int len[4];
  g_assert_cmpint (bar_lengths (s, cnn_test_rgb (&style->accent), len, 4), ==, 3);
  /* a quarter and a half of the longest, to a pixel or two of antialiasing */
  g_assert_cmpfloat (fabs (len[0] - 0.25 * len[2]), <=, 2);
  g_assert_cmpfloat (fabs (len[1] - 0.5 * len[2]), <=, 2);
  g_assert_cmpint (len[2], >, 100);
  cairo_surface_destroy (s);
}

static void
test_with_curves (void)
{
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  g_autoptr (CnnCurveRun) a = cnn_curve_run_new ("scratch");
  g_autoptr (CnnCurveRun) b = cnn_curve_run_new ("fine-tuned");
  for (int e = 1; e <= 5; e++)
    {
      cnn_curve_run_append_epoch (a, e, 1.0 / e, 0.5 + 0.05 * e, 1.2 / e, 0.4 + 0.05 * e);
      cnn_curve_run_append_epoch (b, e, 0.5 / e, 0.7 + 0.05 * e, 0.6 / e, 0.6 + 0.05 * e);
    }
  CnnCurveRun *runs[] = { a, b };
  const char *labels[] = { "from scratch", "fine-tuned" };
  const double acc[] = { 0.65, 0.85 };
  const int series[] = { 0, 1 };
  CnnTransferData d = { .runs = runs, .n_runs = 2, .n_bars = 2, .bar_labels = labels,
                        .accuracy = acc, .series = series };
  double w, h;
  cnn_panel_transfer_natural_size (&d, style, &w, &h);
  cairo_surface_t *s = cnn_test_image_new ((int) w, (int) h);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  CnnRect curves, bars;
  cnn_panel_transfer_layout (&d, style, cr, w, h, &curves, &bars);
  g_assert_cmpfloat (curves.width, >, w / 2);
  g_assert_cmpfloat (bars.x, >=, curves.x + curves.width);
  cnn_panel_transfer_draw (&d, style, cr, w, h);
  cairo_destroy (cr);
  /* each run's color in the curves on the left and in its bar on the
   * right: the second bar (0.85) is longer than the first (0.65) */
  int right[2];
  for (int i = 0; i < 2; i++)
    {
      guint32 rgb = cnn_test_rgb (cnn_render_style_series (style, i));
      int left = 0, in_bars = 0;
      right[i] = 0;
      for (int y = 0; y < (int) h; y++)
        for (int x = 0; x < (int) w; x++)
          if (cnn_test_near (cnn_test_pixel (s, x, y), rgb, 0))
            {
              if (x < curves.x + curves.width)
                left++;
              else if (x >= bars.x)
                {
                  in_bars++;
                  right[i] = MAX (right[i], x);
                }
            }
      g_assert_cmpint (left, >, 50);
      g_assert_cmpint (in_bars, >, 500);
    }
  g_assert_cmpint (right[1], >, right[0]);
  cairo_surface_destroy (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/transfer-panel/bars", test_bars);
  g_test_add_func ("/transfer-panel/with-curves", test_with_curves);
  return g_test_run ();
}
