/* test-model-panels.c: the filter grid (known weights in the right cells
 * and colors, gray, RGB and many-channel inputs, rectangular kernels, a
 * weight snapshot, a model without convolution) and the summary table (every
 * layer listed, long models kept inside the figure). */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "cnn-error.h"
#include "cnn-presets.h"
#include "cnn-render.h"
#include "render-test-utils.h"

/* the color of the pixel at fraction (fx, fy) of `cell` */
static guint32
pixel_at (cairo_surface_t *s, const CnnRect *cell, double fx, double fy)
{
  return cnn_test_pixel (s, (int) (cell->x + fx * cell->width), (int) (cell->y + fy * cell->height));
}

static int
red (guint32 p)
{
  return p >> 16 & 0xff;
}

static int
blue (guint32 p)
{
  return p & 0xff;
}

static cairo_surface_t *
draw_filters (const CnnFiltersData *d, const CnnRenderStyle *style, int w, int h)
{
  cairo_surface_t *s = cnn_test_image_new (w, h);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  cnn_panel_filters_draw (d, style, cr, w, h);
  cairo_destroy (cr);
  return s;
}

static CnnRect
cell_of (const CnnFiltersData *d, const CnnRenderStyle *style, int w, int h, int f, int ch)
{
  cairo_surface_t *s = cnn_test_image_new (1, 1);
  cairo_t *cr = cairo_create (s);
  CnnRect cell;
  g_assert_true (cnn_panel_filters_cell (d, style, cr, w, h, f, ch, &cell));
  cairo_destroy (cr);
  cairo_surface_destroy (s);
  g_assert_cmpfloat (cell.width, >, 9);
  return cell;
}

static void
test_filters_gray (void)
{
  /* filter 0: +0.5 top left, −0.5 bottom right; filter 1: 0.25 in the
   * center only; filter 2: all zero */
  float w[3 * 9] = { 0 };
  w[0] = 0.5f;
  w[8] = -0.5f;
  w[9 + 4] = 0.25f;
  g_autoptr (CnnFiltersData) d = cnn_filters_data_new_from_weights ("conv1", w, 3, 1, 3, 3);
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  double nw, nh;
  cnn_panel_filters_natural_size (d, style, &nw, &nh);
  int W = (int) nw, H = (int) nh;
  cairo_surface_t *s = draw_filters (d, style, W, H);
  guint32 warm = cnn_colormap_argb (CNN_COLORMAP_DIVERGING, 1.0) & 0xffffff;
  guint32 cool = cnn_colormap_argb (CNN_COLORMAP_DIVERGING, 0.0) & 0xffffff;
  guint32 mid = cnn_colormap_argb (CNN_COLORMAP_DIVERGING, 0.5) & 0xffffff;

  CnnRect c0 = cell_of (d, style, W, H, 0, 0);
  guint32 tl = pixel_at (s, &c0, 1.0 / 6, 1.0 / 6), br = pixel_at (s, &c0, 5.0 / 6, 5.0 / 6);
  g_assert_true (cnn_test_near (tl, warm, 3));
  g_assert_true (cnn_test_near (br, cool, 3));
  g_assert_cmpint (red (tl), >, blue (tl) + 100);
  g_assert_cmpint (blue (br), >, red (br) + 100);
  g_assert_true (cnn_test_near (pixel_at (s, &c0, 0.5, 0.5), mid, 3));
  /* per-filter scaling: filter 1's 0.25 is its own maximum, fully warm */
  CnnRect c1 = cell_of (d, style, W, H, 1, 0);
  g_assert_true (cnn_test_near (pixel_at (s, &c1, 0.5, 0.5), warm, 3));
  g_assert_true (cnn_test_near (pixel_at (s, &c1, 1.0 / 6, 1.0 / 6), mid, 3));
  /* an all-zero filter is mid gray, not a division by zero */
  CnnRect c2 = cell_of (d, style, W, H, 2, 0);
  g_assert_true (cnn_test_near (pixel_at (s, &c2, 0.5, 0.5), mid, 3));
  /* cells are distinct */
  g_assert_true (c1.x >= c0.x + c0.width || c1.y >= c0.y + c0.height);
  /* the color bar right of the cells: its warm top and cool bottom (the
   * gradient's end pixels are a step of the map away from its ends) */
  double right = MAX (MAX (c0.x + c0.width, c1.x + c1.width), c2.x + c2.width) + 1;
  int warm_bar = 0, cool_bar = 0;
  for (int y = 0; y < H; y++)
    for (int x = (int) right; x < W; x++)
      {
        guint32 p = cnn_test_pixel (s, x, y);
        warm_bar += cnn_test_near (p, warm, 40);
        cool_bar += cnn_test_near (p, cool, 40);
      }
  g_assert_cmpint (warm_bar, >, 20);
  g_assert_cmpint (cool_bar, >, 20);
  cairo_surface_destroy (s);

  /* shared scaling: 0.25 against the largest 0.5 is three quarters warm */
  d->scale = CNN_FILTER_SCALE_SHARED;
  s = draw_filters (d, style, W, H);
  c1 = cell_of (d, style, W, H, 1, 0);
  guint32 three_q = cnn_colormap_argb (CNN_COLORMAP_DIVERGING, 0.75) & 0xffffff;
  g_assert_true (cnn_test_near (pixel_at (s, &c1, 0.5, 0.5), three_q, 3));
  cairo_surface_destroy (s);
}

static void
test_filters_rgb_and_channels (void)
{
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_DARK);
  /* RGB 2×2: red +1 at the top left, blue +1 at the bottom right, green −1
   * at the top right: colors (255,128,128), (128,128,255), (128,0,128) */
  float w[3 * 4] = { 0 };
  w[0 * 4 + 0] = 1;
  w[2 * 4 + 3] = 1;
  w[1 * 4 + 1] = -1;
  g_autoptr (CnnFiltersData) d = cnn_filters_data_new_from_weights ("rgb", w, 1, 3, 2, 2);
  cairo_surface_t *s = draw_filters (d, style, 300, 260);
  CnnRect c = cell_of (d, style, 300, 260, 0, 0);
  g_assert_true (cnn_test_near (pixel_at (s, &c, 0.25, 0.25), 0xff8080, 3));
  g_assert_true (cnn_test_near (pixel_at (s, &c, 0.75, 0.75), 0x8080ff, 3));
  g_assert_true (cnn_test_near (pixel_at (s, &c, 0.75, 0.25), 0x800080, 3));
  g_assert_true (cnn_test_near (pixel_at (s, &c, 0.25, 0.75), 0x808080, 3));
  /* no color bar for RGB: only channel 1 of 1 exists */
  CnnRect unused;
  cairo_surface_t *t = cnn_test_image_new (1, 1);
  cairo_t *cr = cairo_create (t);
  g_assert_false (cnn_panel_filters_cell (d, style, cr, 300, 260, 0, 1, &unused));
  g_assert_false (cnn_panel_filters_cell (d, style, cr, 300, 260, 1, 0, &unused));
  cairo_destroy (cr);
  cairo_surface_destroy (t);
  cairo_surface_destroy (s);

  /* two input channels, a 3×5 kernel: a row per channel, wide cells; the
   * second channel of filter 1 is warm on its right edge */
  float v[2 * 2 * 15] = { 0 };
  v[(1 * 2 + 1) * 15 + 2 * 5 + 4] = 1;   /* filter 1, channel 1, row 2, col 4 */
  v[(1 * 2 + 1) * 15 + 0] = -1;          /* … and cool at row 0, col 0 */
  g_autoptr (CnnFiltersData) e = cnn_filters_data_new_from_weights ("c2", v, 2, 2, 3, 5);
  double nw, nh;
  cnn_panel_filters_natural_size (e, style, &nw, &nh);
  s = draw_filters (e, style, (int) nw, (int) nh);
  CnnRect a = cell_of (e, style, (int) nw, (int) nh, 1, 0);
  CnnRect b = cell_of (e, style, (int) nw, (int) nh, 1, 1);
  CnnRect f0 = cell_of (e, style, (int) nw, (int) nh, 0, 1);
  g_assert_cmpfloat (b.y, >, a.y);          /* channels go down */
  g_assert_cmpfloat (f0.x, <, b.x);         /* filters go across */
  g_assert_cmpfloat_with_epsilon (b.width / b.height, 5.0 / 3.0, 0.02);
  guint32 warm = cnn_colormap_argb (CNN_COLORMAP_DIVERGING, 1.0) & 0xffffff;
  guint32 cool = cnn_colormap_argb (CNN_COLORMAP_DIVERGING, 0.0) & 0xffffff;
  g_assert_true (cnn_test_near (pixel_at (s, &b, 0.9, 5.0 / 6), warm, 3));
  g_assert_true (cnn_test_near (pixel_at (s, &b, 0.1, 1.0 / 6), cool, 3));
  cairo_surface_destroy (s);
}

static void
test_filters_from_network (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) net = cnn_network_new ("conv2d name=c filters=4 kernel=5,3\nrelu\n"
                                                "conv2d name=d filters=2 kernel=3\nflatten\ndense units=classes",
                                                "t", (CnnShape) { 1, 12, 12 }, 3, &error);
  g_assert_no_error (error);
  cnn_network_init_params (net, 1);
  g_assert_cmpint (cnn_filters_find_layer (net), ==, 0);
  g_autoptr (CnnFiltersData) d = cnn_filters_data_new (net, NULL, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (d->layer_name, ==, "c");
  g_assert_cmpint (d->c_out, ==, 4);
  g_assert_cmpint (d->kh, ==, 5);
  g_assert_cmpint (d->kw, ==, 3);
  const CnnLayer *l = cnn_network_get_layer (net, 0);
  g_assert_cmpmem (d->weights, 60 * sizeof (float), l->params, 60 * sizeof (float));

  /* from a snapshot of the arena: the snapshot's values, not the network's */
  gsize n = cnn_network_get_n_params (net);
  g_autofree float *snap = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    snap[i] = (float) i;
  int second = cnn_network_find_layer (net, "d");
  g_autoptr (CnnFiltersData) e = cnn_filters_data_new (net, snap, second, &error);
  g_assert_no_error (error);
  g_assert_cmpint (e->c_in, ==, 4);
  gsize offset = cnn_network_get_layer (net, second)->params - cnn_network_get_params (net);
  g_assert_cmpfloat (e->weights[0], ==, (float) offset);

  /* not a conv2d, not a layer */
  g_assert_null (cnn_filters_data_new (net, NULL, 1, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
  g_assert_nonnull (strstr (error->message, "is a relu layer, not a conv2d"));
  g_clear_error (&error);
  g_assert_null (cnn_filters_data_new (net, NULL, 99, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
  g_clear_error (&error);

  /* a model without convolution: the panel says so instead of a grid */
  g_autoptr (CnnNetwork) fc = cnn_network_new ("flatten\ndense units=classes", "fc", (CnnShape) { 1, 8, 8 },
                                               3, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cnn_filters_find_layer (fc), ==, -1);
  g_autoptr (CnnFiltersData) none = cnn_filters_data_new (fc, NULL, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (none->c_out, ==, 0);
  g_assert_nonnull (strstr (none->message, "no convolution layer"));
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  double nw, nh;
  cnn_panel_filters_natural_size (none, style, &nw, &nh);
  cairo_surface_t *s = draw_filters (none, style, (int) nw, (int) nh);
  guint32 bg = cnn_test_rgb (&style->background);
  int ink = nw * nh - cnn_test_count_near (s, bg, 0, NULL);
  g_assert_cmpint (ink, >, 200);   /* the message's text */
  CnnRect cell;
  cairo_t *cr = cairo_create (s);
  g_assert_false (cnn_panel_filters_cell (none, style, cr, nw, nh, 0, 0, &cell));
  cairo_destroy (cr);
  cairo_surface_destroy (s);

  CnnFilterScale scale;
  g_assert_true (cnn_filter_scale_parse ("shared", &scale, &error));
  g_assert_cmpint (scale, ==, CNN_FILTER_SCALE_SHARED);
  g_assert_false (cnn_filter_scale_parse ("global", &scale, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
}

/* A depthwise first layer (as in MobileNet): each filter sees one input
 * channel, so the panel shows it in gray from (c_out, 1, kh, kw) weights */
static void
test_filters_depthwise (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) net = cnn_network_new ("conv2d name=dw filters=6 kernel=3 groups=3\nflatten\n"
                                                "dense units=classes", "t", (CnnShape) { 3, 8, 8 }, 2, &error);
  g_assert_no_error (error);
  cnn_network_init_params (net, 1);
  g_autoptr (CnnFiltersData) d = cnn_filters_data_new (net, NULL, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (d->c_out, ==, 6);
  g_assert_cmpint (d->c_in, ==, 1);
  const CnnLayer *l = cnn_network_get_layer (net, 0);
  g_assert_cmpmem (d->weights, 6 * 9 * sizeof (float), l->params, 6 * 9 * sizeof (float));

  /* grouped but not depthwise: two channels per filter */
  g_autoptr (CnnNetwork) grouped = cnn_network_new ("conv2d filters=4 kernel=3 groups=2\nflatten\n"
                                                    "dense units=classes", "t", (CnnShape) { 4, 8, 8 }, 2,
                                                    &error);
  g_assert_no_error (error);
  g_autoptr (CnnFiltersData) g = cnn_filters_data_new (grouped, NULL, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g->c_in, ==, 2);

  /* it draws: one gray kernel per filter, no crash */
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  double nw, nh;
  cnn_panel_filters_natural_size (d, style, &nw, &nh);
  cairo_surface_t *s = draw_filters (d, style, (int) nw, (int) nh);
  guint32 bg = cnn_test_rgb (&style->background);
  g_assert_cmpint (nw * nh - cnn_test_count_near (s, bg, 0, NULL), >, 6 * 9);
  cairo_surface_destroy (s);
}

/* Lines of text: runs of pixel rows holding dark ink (the table's text and
 * rules) inside columns [x0, x1). Gaps of up to 2 rows stay in a line: an
 * underscore sits that far below its word. */
static int
ink_lines (cairo_surface_t *s, int x0, int x1)
{
  int h = cairo_image_surface_get_height (s), lines = 0, last_ink = -100;
  for (int y = 0; y < h; y++)
    {
      gboolean ink = FALSE;
      for (int x = x0; x < x1 && !ink; x++)
        {
          guint32 p = cnn_test_pixel (s, x, y);
          ink = red (p) + (p >> 8 & 0xff) + blue (p) < 3 * 140;
        }
      if (!ink)
        continue;
      if (y - last_ink > 3)
        lines++;
      last_ink = y;
    }
  return lines;
}

static void
test_summary (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) net = cnn_network_new (cnn_preset_get_text ("cnn2"), "cnn2",
                                                (CnnShape) { 1, 28, 28 }, 10, &error);
  g_assert_no_error (error);
  g_autoptr (CnnSummaryData) d = cnn_summary_data_new (net);
  const CnnSummary *sum = d->summary;
  int n = cnn_network_get_n_layers (net);
  g_assert_cmpint (sum->n_rows, ==, n);
  size_t total = 0;
  for (int i = 0; i < n; i++)
    {
      const CnnLayer *l = cnn_network_get_layer (net, i);
      g_assert_cmpstr (sum->rows[i].name, ==, l->name);
      g_assert_cmpstr (sum->rows[i].type, ==, l->klass->name);
      g_assert_cmpuint (sum->rows[i].params, ==, cnn_layer_count_params (l));
      total += sum->rows[i].params;
    }
  g_assert_cmpuint (sum->total, ==, total);
  g_assert_cmpuint (sum->trainable, ==, cnn_network_get_n_params (net));
  g_assert_cmpuint (sum->non_trainable, ==, cnn_network_get_n_state (net));
  g_autofree char *count = cnn_summary_format_count (1234567);
  g_assert_cmpstr (count, ==, "1,234,567");

  /* drawn: a line per layer, plus the input line, the header and its rule,
   * the rule above the totals and the three totals */
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  double w, h;
  cnn_panel_summary_natural_size (d, style, &w, &h);
  cairo_surface_t *s = cnn_test_image_new ((int) w, (int) h);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  cnn_panel_summary_draw (d, style, cr, w, h);
  cairo_destroy (cr);
  g_assert_cmpint (ink_lines (s, 0, (int) w), ==, n + 7);
  cairo_surface_destroy (s);
}

static void
test_summary_long_fits (void)
{
  /* inception-mini is long: in a short, wide figure it goes to two blocks
   * and stays inside; nothing is drawn past the size it was given */
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) net = cnn_network_new (cnn_preset_get_text ("inception-mini"), "inception-mini",
                                                (CnnShape) { 1, 28, 28 }, 10, &error);
  g_assert_no_error (error);
  g_autoptr (CnnSummaryData) d = cnn_summary_data_new (net);
  d->title = g_strdup ("Model inception-mini");
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_PROJECTOR);
  int W = 1300, H = 420;
  cairo_surface_t *s = cnn_test_image_new (W + 200, H + 200);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  cnn_panel_summary_draw (d, style, cr, W, H);
  cairo_destroy (cr);
  guint32 bg = cnn_test_rgb (&style->background);
  int outside = 0;
  for (int y = 0; y < H + 200; y++)
    for (int x = 0; x < W + 200; x++)
      if ((x >= W || y >= H) && cnn_test_pixel (s, x, y) != bg)
        outside++;
  g_assert_cmpint (outside, ==, 0);
  /* two blocks: the left and the right half each hold text lines */
  int n = cnn_network_get_n_layers (net);
  int left = ink_lines (s, 0, W / 2 - 40), right = ink_lines (s, W / 2 + 40, W);
  g_assert_cmpint (right, >=, (n + 1) / 2);
  g_assert_cmpint (left, >=, n / 2);
  cairo_surface_destroy (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/filters/gray", test_filters_gray);
  g_test_add_func ("/filters/rgb-and-channels", test_filters_rgb_and_channels);
  g_test_add_func ("/filters/from-network", test_filters_from_network);
  g_test_add_func ("/filters/depthwise", test_filters_depthwise);
  g_test_add_func ("/summary/every-layer", test_summary);
  g_test_add_func ("/summary/long-fits", test_summary_long_fits);
  return g_test_run ();
}
