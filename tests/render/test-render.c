/* test-render.c: pixel checks on image surfaces: colormap ends and known
 * entries, nearest-neighbour upscaling, color bars, styles, text, ticks,
 * axes, bar lengths and the grid's cell positions. */
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cnn-error.h"
#include "cnn-render.h"
#include "render-test-utils.h"

/* ---------- colormaps ---------- */

static double
luminance (const CnnColor *c)
{
  double ch[3] = { c->r, c->g, c->b };
  for (int i = 0; i < 3; i++)
    ch[i] = ch[i] <= 0.03928 ? ch[i] / 12.92 : pow ((ch[i] + 0.055) / 1.055, 2.4);
  return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
}

static double
contrast (const CnnColor *a, const CnnColor *b)
{
  double la = luminance (a), lb = luminance (b);
  return (MAX (la, lb) + 0.05) / (MIN (la, lb) + 0.05);
}

/* CIELAB lightness L* (0 .. 100) of an sRGB color */
static double
lightness (const CnnColor *c)
{
  double y = luminance (c);
  return 116 * (y > 0.008856 ? cbrt (y) : 7.787 * y + 16.0 / 116) - 16;
}


static void
test_colormap_ends (void)
{
  /* matplotlib's viridis: #440154 at 0, #21918c at 0.5, #fde725 at 1;
   * Moreland's cool-warm: (59, 76, 192), (221, 221, 221), (180, 4, 38) */
  g_assert_cmphex (cnn_colormap_argb (CNN_COLORMAP_VIRIDIS, 0.0), ==, 0xff440154);
  g_assert_cmphex (cnn_colormap_argb (CNN_COLORMAP_VIRIDIS, 0.5), ==, 0xff21918c);
  g_assert_cmphex (cnn_colormap_argb (CNN_COLORMAP_VIRIDIS, 1.0), ==, 0xfffde725);
  g_assert_cmphex (cnn_colormap_argb (CNN_COLORMAP_DIVERGING, 0.0), ==, 0xff3b4cc0);
  g_assert_cmphex (cnn_colormap_argb (CNN_COLORMAP_DIVERGING, 0.5), ==, 0xffdddddd);
  g_assert_cmphex (cnn_colormap_argb (CNN_COLORMAP_DIVERGING, 1.0), ==, 0xffb40426);
  g_assert_cmphex (cnn_colormap_argb (CNN_COLORMAP_GRAY, 0.0), ==, 0xff000000);
  g_assert_cmphex (cnn_colormap_argb (CNN_COLORMAP_GRAY, 1.0), ==, 0xffffffff);
  /* out of range clamps, NaN is mid gray */
  g_assert_cmphex (cnn_colormap_argb (CNN_COLORMAP_VIRIDIS, -3.0), ==, 0xff440154);
  g_assert_cmphex (cnn_colormap_argb (CNN_COLORMAP_VIRIDIS, 7.0), ==, 0xfffde725);
  g_assert_cmphex (cnn_colormap_argb (CNN_COLORMAP_DIVERGING, NAN), ==, 0xff808080);

  /* viridis gets lighter all the way; the diverging map is lightest in the
   * middle, blue below and red above, and equally light at equal distances
   * from the middle (to 0.5 L*; the table is symmetric to 0.05) */
  double prev = -1;
  for (int i = 0; i <= 100; i++)
    {
      CnnColor c;
      cnn_colormap_rgb (CNN_COLORMAP_VIRIDIS, i / 100.0, &c);
      g_assert_cmpfloat (lightness (&c), >, prev);
      prev = lightness (&c);
    }
  CnnColor m;
  cnn_colormap_rgb (CNN_COLORMAP_DIVERGING, 0.5, &m);
  for (int i = 0; i < 50; i++)
    {
      CnnColor a, b;
      cnn_colormap_rgb (CNN_COLORMAP_DIVERGING, i / 100.0, &a);
      cnn_colormap_rgb (CNN_COLORMAP_DIVERGING, 1 - i / 100.0, &b);
      g_assert_cmpfloat (lightness (&a), <, lightness (&m));
      g_assert_cmpfloat (fabs (lightness (&a) - lightness (&b)), <, 0.5);
      g_assert_cmpfloat (a.b, >, a.r);
      g_assert_cmpfloat (b.r, >, b.b);
    }

  CnnColormap map;
  g_assert_true (cnn_colormap_parse ("Viridis", &map, NULL));
  g_assert_cmpint (map, ==, CNN_COLORMAP_VIRIDIS);
  GError *error = NULL;
  g_assert_false (cnn_colormap_parse ("jet", &map, &error));
  g_assert_nonnull (strstr (error->message, "“jet”"));
  g_clear_error (&error);
}

static void
test_colormap_range (void)
{
  const float v[] = { -1.0f, 3.0f, NAN, 2.0f, INFINITY };
  double lo, hi;
  cnn_colormap_range (v, G_N_ELEMENTS (v), CNN_SCALE_MINMAX, &lo, &hi);
  g_assert_cmpfloat (lo, ==, -1.0);
  g_assert_cmpfloat (hi, ==, 3.0);
  cnn_colormap_range (v, G_N_ELEMENTS (v), CNN_SCALE_SYMMETRIC, &lo, &hi);
  g_assert_cmpfloat (lo, ==, -3.0);
  g_assert_cmpfloat (hi, ==, 3.0);
  const float flat[] = { 2.0f, 2.0f };
  cnn_colormap_range (flat, 2, CNN_SCALE_MINMAX, &lo, &hi);
  g_assert_cmpfloat (lo, ==, 1.5);
  g_assert_cmpfloat (hi, ==, 2.5);
  cnn_colormap_range (NULL, 0, CNN_SCALE_SYMMETRIC, &lo, &hi);
  g_assert_cmpfloat (lo, ==, -1.0);
  g_assert_cmpfloat (hi, ==, 1.0);
}

static void
test_nearest_blocks (void)
{
  /* a 2×2 image in a 100×100 rect: four sharp 50×50 blocks, not a blur */
  cairo_surface_t *s = cnn_test_image_new (100, 100);
  cairo_t *cr = cairo_create (s);
  const float v[] = { 0.0f, 1.0f / 3, 2.0f / 3, 1.0f };   /* (2, 2) */
  CnnRect r = cnn_rect (0, 0, 100, 100);
  cnn_colormap_draw_values (cr, v, 2, 2, CNN_COLORMAP_GRAY, 0, 1, &r);
  cnn_test_assert_block (s, 0, 0, 50, 50, 0x000000);
  cnn_test_assert_block (s, 50, 0, 50, 50, 0x555555);
  cnn_test_assert_block (s, 0, 50, 50, 50, 0xaaaaaa);
  cnn_test_assert_block (s, 50, 50, 50, 50, 0xffffff);

  /* RGB bytes, planar (c, h, w), into a rect that is not square and not at
   * the origin: blocks of 40×30 from (10, 20), the rest untouched */
  const guint8 px[] = { 255, 0, 0, 10,     /* red plane */
                        0, 255, 0, 20,     /* green */
                        0, 0, 255, 30 };   /* blue */
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  r = cnn_rect (10, 20, 80, 60);
  cnn_render_draw_bytes (cr, px, 3, 2, 2, &r);
  cnn_test_assert_block (s, 10, 20, 40, 30, 0xff0000);
  cnn_test_assert_block (s, 50, 20, 40, 30, 0x00ff00);
  cnn_test_assert_block (s, 10, 50, 40, 30, 0x0000ff);
  cnn_test_assert_block (s, 50, 50, 40, 30, 0x0a141e);
  cnn_test_assert_block (s, 0, 0, 100, 20, 0xffffff);
  cnn_test_assert_block (s, 90, 0, 10, 100, 0xffffff);

  /* byte-unit floats are clamped to 0..255; gray uses one plane */
  const float f[] = { -40.0f, 300.0f, NAN, 127.6f };
  r = cnn_rect (0, 0, 100, 100);
  cnn_render_draw_byte_floats (cr, f, 1, 2, 2, &r);
  cnn_test_assert_block (s, 0, 0, 50, 50, 0x000000);
  cnn_test_assert_block (s, 50, 0, 50, 50, 0xffffff);
  cnn_test_assert_block (s, 0, 50, 50, 50, 0x000000);
  cnn_test_assert_block (s, 50, 50, 50, 50, 0x808080);

  /* impossible sizes draw nothing and do not crash */
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cnn_colormap_draw_values (cr, v, 0, 2, CNN_COLORMAP_GRAY, 0, 1, &r);
  cnn_colormap_draw_values (cr, v, 2, 70000, CNN_COLORMAP_GRAY, 0, 1, &r);
  cnn_render_draw_bytes (cr, px, 3, -1, 2, &r);
  cnn_test_assert_block (s, 0, 0, 100, 100, 0xffffff);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

static void
test_color_bar (void)
{
  /* the strip runs from the map's low end at the bottom to its high end at
   * the top (a pixel inside the frame, 4 px from each end: within 3%) */
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  cairo_surface_t *s = cnn_test_image_new (120, 220);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  CnnRect r = cnn_rect (10, 10, 100, 200);
  cnn_colormap_draw_bar (cr, style, CNN_COLORMAP_VIRIDIS, -2, 2, "value", &r);
  guint32 top = cnn_test_pixel (s, 15, 14), bottom = cnn_test_pixel (s, 15, 205);
  guint32 want_top = cnn_colormap_argb (CNN_COLORMAP_VIRIDIS, 1 - 4.0 / 200) & 0xffffff;
  guint32 want_bottom = cnn_colormap_argb (CNN_COLORMAP_VIRIDIS, 5.5 / 200) & 0xffffff;
  for (int sh = 0; sh <= 16; sh += 8)
    {
      g_assert_cmpint (abs ((int) (top >> sh & 0xff) - (int) (want_top >> sh & 0xff)), <=, 8);
      g_assert_cmpint (abs ((int) (bottom >> sh & 0xff) - (int) (want_bottom >> sh & 0xff)), <=, 8);
    }
  /* tick labels are drawn right of the strip: text pixels there */
  int ink = 0;
  for (int y = 10; y < 210; y++)
    for (int x = 30; x < 110; x++)
      ink += cnn_test_pixel (s, x, y) != 0xffffff;
  g_assert_cmpint (ink, >, 50);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

/* ---------- styles ---------- */

/* pixels that are not the background after drawing `text` */
static int
text_ink (const CnnRenderStyle *style, const char *text)
{
  cairo_surface_t *s = cnn_test_image_new (400, 100);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  cnn_render_text (cr, style, CNN_TEXT_LABEL, NULL, text, 5, 5, 0, 0, 0);
  int n = 400 * 100 - cnn_test_count_color (s, cnn_test_rgb (&style->background));
  cairo_destroy (cr);
  cairo_surface_destroy (s);
  return n;
}

static void
test_styles (void)
{
  const CnnRenderStyle *light = cnn_render_style_parse ("light", NULL);
  const CnnRenderStyle *dark = cnn_render_style_parse ("DARK", NULL);
  const CnnRenderStyle *print = cnn_render_style_parse ("print", NULL);
  const CnnRenderStyle *proj = cnn_render_style_parse ("projector", NULL);
  g_assert_true (light == cnn_render_style_get (CNN_RENDER_STYLE_LIGHT));
  g_assert_true (cnn_render_style_parse (NULL, NULL) == light);
  GError *error = NULL;
  g_assert_null (cnn_render_style_parse ("neon", &error));
  g_assert_nonnull (strstr (error->message, "“neon”: use light, dark, print or projector"));
  g_clear_error (&error);

  /* the backgrounds as painted: dark differs from the paper styles */
  const CnnRenderStyle *all[] = { light, dark, print, proj };
  guint32 bg[4];
  for (int i = 0; i < 4; i++)
    {
      cairo_surface_t *s = cnn_test_image_new (8, 8);
      cairo_t *cr = cairo_create (s);
      cnn_render_paint_background (cr, all[i]);
      bg[i] = cnn_test_pixel (s, 4, 4);
      g_assert_cmphex (bg[i], ==, cnn_test_rgb (&all[i]->background));
      cairo_destroy (cr);
      cairo_surface_destroy (s);
    }
  g_assert_cmphex (bg[0], ==, 0xffffff);
  g_assert_cmphex (bg[1], !=, bg[0]);
  g_assert_cmpfloat (luminance (&dark->background), <, 0.05);
  g_assert_cmphex (bg[2], ==, 0xffffff);

  for (int i = 0; i < 4; i++)
    {
      /* text reads (WCAG AAA: 7:1 for text, 4.5:1 for secondary text) and
       * every series color stands out from the background (3:1, except
       * Okabe-Ito's yellow on white, kept last) */
      g_assert_cmpfloat (contrast (&all[i]->foreground, &all[i]->background), >=, 7.0);
      g_assert_cmpfloat (contrast (&all[i]->muted, &all[i]->background), >=, 4.5);
      for (int k = 0; k < CNN_RENDER_PALETTE_SIZE - 1; k++)
        if (contrast (cnn_render_style_series (all[i], k), &all[i]->background) < 2.0)
          g_error ("%s: series color %d has contrast %.2f", all[i]->name, k,
                   contrast (cnn_render_style_series (all[i], k), &all[i]->background));
      /* 8 distinct series colors, wrapping */
      for (int a = 0; a < CNN_RENDER_PALETTE_SIZE; a++)
        for (int b = a + 1; b < CNN_RENDER_PALETTE_SIZE; b++)
          g_assert_cmphex (cnn_test_rgb (&all[i]->palette[a]), !=, cnn_test_rgb (&all[i]->palette[b]));
      g_assert_true (cnn_render_style_series (all[i], 9) == &all[i]->palette[1]);
    }

  /* projector: larger text and thicker lines; print: thinner lines */
  g_assert_cmpfloat (proj->label_size, >=, 1.5 * light->label_size);
  g_assert_cmpfloat (proj->line_width, >=, 2 * light->line_width);
  g_assert_cmpfloat (print->line_width, <, light->line_width);
  int ink_light = text_ink (light, "Ankle boot"), ink_proj = text_ink (proj, "Ankle boot");
  g_assert_cmpint (ink_light, >, 100);
  g_assert_cmpint (ink_proj, >, 2 * ink_light);
}

/* ---------- ticks and axes ---------- */

static void
assert_ticks (const CnnTicks *t, const double *want, int n)
{
  g_assert_cmpint (t->n, ==, n);
  for (int i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (t->values[i], want[i], 1e-12 * MAX (1.0, fabs (want[i])));
}

static void
test_ticks (void)
{
  CnnTicks t;
  cnn_ticks_linear (0, 1, 6, &t);
  assert_ticks (&t, (double[]) { 0, 0.2, 0.4, 0.6, 0.8, 1.0 }, 6);
  g_assert_cmpint (t.decimals, ==, 1);
  cnn_ticks_linear (0, 6000, 5, &t);
  assert_ticks (&t, (double[]) { 0, 2000, 4000, 6000 }, 4);
  cnn_ticks_linear (0.12, 0.28, 4, &t);
  assert_ticks (&t, (double[]) { 0.15, 0.2, 0.25 }, 3);
  cnn_ticks_linear (-1, 1, 3, &t);
  assert_ticks (&t, (double[]) { -1, 0, 1 }, 3);
  cnn_ticks_linear (0, 1, 3, &t);
  assert_ticks (&t, (double[]) { 0, 0.5, 1 }, 3);
  cnn_ticks_linear (3, 3, 5, &t);
  g_assert_cmpint (t.n, ==, 1);
  cnn_ticks_linear (NAN, 1, 5, &t);
  g_assert_cmpint (t.n, ==, 0);

  cnn_ticks_log (0.01, 10, 8, &t);
  assert_ticks (&t, (double[]) { 0.01, 0.1, 1, 10 }, 4);
  cnn_ticks_log (0.3, 4, 8, &t);
  assert_ticks (&t, (double[]) { 0.5, 1, 2 }, 3);
  cnn_ticks_log (1e-6, 1e6, 5, &t);
  g_assert_cmpint (t.n, <=, 5);
  g_assert_cmpfloat (t.values[0], ==, 1e-6);

  char buf[32];
  CnnTicks fmt = { .decimals = 2 };
  cnn_ticks_format (&fmt, 0.25, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "0.25");
  cnn_ticks_format (&fmt, -0.001, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "0.00");   /* no "-0.00" */
  fmt.decimals = 0;
  cnn_ticks_format (&fmt, 6000, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "6,000");
  cnn_ticks_format (&fmt, -1234567, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "-1,234,567");
  cnn_ticks_format (&fmt, 1e-5, buf, sizeof buf);
  g_assert_cmpstr (buf, ==, "1e-05");

  double lo = 0.13, hi = 0.87;
  cnn_ticks_round_range (&lo, &hi, 5);
  g_assert_cmpfloat_with_epsilon (lo, 0.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (hi, 1.0, 1e-12);
}

static void
test_axes (void)
{
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  cairo_surface_t *s = cnn_test_image_new (400, 300);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  CnnAxes ax;
  cnn_axes_init (&ax, 0, 10, 0, 1);
  ax.x_label = "epoch";
  ax.y_label = "accuracy";
  CnnRect area = cnn_rect (0, 0, 400, 300);
  cnn_axes_layout (&ax, cr, style, &area);
  /* room for labels on the left and at the bottom, the plot inside */
  g_assert_cmpfloat (ax.plot.x, >, 20);
  g_assert_cmpfloat (ax.plot.y + ax.plot.height, <, 280);
  g_assert_cmpfloat (ax.plot.x + ax.plot.width, <=, 400);
  g_assert_cmpint (ax.xt.n, >=, 3);
  g_assert_cmpint (ax.yt.n, >=, 3);
  g_assert_cmpfloat_with_epsilon (cnn_axes_x (&ax, 0), ax.plot.x, 1e-9);
  g_assert_cmpfloat_with_epsilon (cnn_axes_x (&ax, 10), ax.plot.x + ax.plot.width, 1e-9);
  g_assert_cmpfloat_with_epsilon (cnn_axes_y (&ax, 0), ax.plot.y + ax.plot.height, 1e-9);
  g_assert_cmpfloat_with_epsilon (cnn_axes_y (&ax, 0.5), ax.plot.y + 0.5 * ax.plot.height, 1e-9);
  cnn_axes_draw (&ax, cr, style);
  /* the y axis is a vertical foreground line at the plot's left edge */
  int x_axis = (int) floor (ax.plot.x - 0.5);
  int y_mid = (int) (ax.plot.y + 0.3 * ax.plot.height);
  g_assert_cmphex (cnn_test_pixel (s, x_axis, y_mid), ==, cnn_test_rgb (&style->foreground));
  /* a curve through the axes lands where the mapping says */
  cairo_move_to (cr, cnn_axes_x (&ax, 0), cnn_axes_y (&ax, 0.25));
  cairo_line_to (cr, cnn_axes_x (&ax, 10), cnn_axes_y (&ax, 0.25));
  cairo_set_line_width (cr, 4);
  cnn_render_set_color (cr, &style->palette[1]);
  cairo_stroke (cr);
  int y = (int) cnn_axes_y (&ax, 0.25);
  g_assert_cmphex (cnn_test_pixel (s, (int) cnn_axes_x (&ax, 5), y), ==, cnn_test_rgb (&style->palette[1]));

  /* log scale: decades equally spaced */
  cnn_axes_init (&ax, 0, 1, 0.01, 100);
  ax.y_log = TRUE;
  cnn_axes_layout (&ax, cr, style, &area);
  double d1 = cnn_axes_y (&ax, 0.1) - cnn_axes_y (&ax, 1);
  double d2 = cnn_axes_y (&ax, 1) - cnn_axes_y (&ax, 10);
  g_assert_cmpfloat_with_epsilon (d1, d2, 1e-9);
  g_assert_cmpfloat_with_epsilon (cnn_axes_y (&ax, 0.01), ax.plot.y + ax.plot.height, 1e-9);
  g_assert_cmpfloat (cnn_axes_y (&ax, 0), >, ax.plot.y + ax.plot.height);   /* below, not NaN */
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

static void
test_bar_chart (void)
{
  /* bars of 1, 2 and 4: the longest accent-colored run in each bar in that
   * ratio; a run is the bar's length to 1 px (its antialiased end), so the
   * 4× bar may be off by 4 + 1 px */
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  cairo_surface_t *s = cnn_test_image_new (500, 240);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  const double values[] = { 1, 2, 4 };
  const char *labels[] = { "one", "two", "four" };
  CnnBarChart chart = { .n = 3, .values = values, .labels = labels, .value_label = "count",
                        .show_values = TRUE };
  CnnRect area = cnn_rect (0, 0, 500, 240);
  cnn_render_bar_chart (&chart, style, cr, &area);
  guint32 accent = cnn_test_rgb (&style->accent);
  int runs[3] = { 0 }, found = 0;
  int prev_run = 0;
  for (int y = 0; y < 240; y++)
    {
      int run = 0;
      for (int x = 0; x < 500; x++)
        run += cnn_test_pixel (s, x, y) == accent;
      /* the middle row of each bar: the first row of a new, constant run */
      if (run > 0 && prev_run == 0 && found < 3)
        runs[found++] = 0;
      if (run > 0 && found > 0)
        runs[found - 1] = MAX (runs[found - 1], run);
      prev_run = run;
    }
  g_assert_cmpint (found, ==, 3);
  g_assert_cmpint (abs (runs[1] - 2 * runs[0]), <=, 3);
  g_assert_cmpint (abs (runs[2] - 4 * runs[0]), <=, 5);
  g_assert_cmpint (runs[2], >, 200);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

/* ---------- grid ---------- */

static const guint32 cell_colors[] = { 0xff0000, 0x00ff00, 0x0000ff, 0xffff00, 0xff00ff, 0x00ffff };

static void
fill_cell (cairo_t *cr, int index, const CnnRect *cell, gpointer data)
{
  int *calls = data;
  calls[index]++;
  guint32 c = cell_colors[index];
  cairo_set_source_rgb (cr, (c >> 16) / 255.0, (c >> 8 & 0xff) / 255.0, (c & 0xff) / 255.0);
  cairo_rectangle (cr, cell->x, cell->y, cell->width, cell->height);
  cairo_fill (cr);
}

static void
test_grid_cells (void)
{
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  cairo_surface_t *s = cnn_test_image_new (300, 200);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  int calls[6] = { 0 };
  CnnGrid grid = { .rows = 2, .cols = 3, .draw_cell = fill_cell, .data = calls };
  CnnRect area = cnn_rect (0, 0, 300, 200);
  cnn_grid_draw (&grid, style, cr, &area);

  /* by hand: square cells of min((300 - 2 gaps) / 3, (200 - 1 gap) / 2),
   * gap 4: 97.33 px; the block is 300 × 198.67, centered */
  double cw = (300.0 - 2 * 4) / 3, y0 = (200 - (2 * cw + 4)) / 2;
  for (int k = 0; k < 6; k++)
    {
      g_assert_cmpint (calls[k], ==, 1);
      int r = k / 3, c = k % 3;
      double x = c * (cw + 4), y = y0 + r * (cw + 4);
      /* inside, 2 px from each edge, the whole cell is its color */
      cnn_test_assert_block (s, (int) ceil (x) + 2, (int) ceil (y) + 2, (int) cw - 4, (int) cw - 4, cell_colors[k]);
      if (c < 2)   /* the gap to the right is background */
        g_assert_cmphex (cnn_test_pixel (s, (int) (x + cw + 2), (int) (y + cw / 2)), ==, 0xffffff);
    }

  /* with row labels, column labels and captions the cells move right and
   * down, but cell k is still row k / 3, column k % 3, and nothing
   * overlaps: labels left of the cells, captions between the rows */
  cnn_render_paint_background (cr, style);
  memset (calls, 0, sizeof calls);
  const char *rows[] = { "first row", "second" };
  const char *cols[] = { "a", "b", "c" };
  const char *caps[] = { "k=0", "k=1", "k=2", "k=3", "k=4", "k=5" };
  grid.row_labels = rows;
  grid.col_labels = cols;
  grid.captions = caps;
  cnn_grid_draw (&grid, style, cr, &area);
  CnnGridLayout l;
  cnn_grid_layout (&grid, style, cr, &area, &l);
  g_assert_cmpfloat (l.label_w, >, 30);
  g_assert_cmpfloat (l.caption_h, >, 8);
  g_assert_cmpfloat (l.x0, >=, l.label_w);
  for (int k = 0; k < 6; k++)
    {
      CnnRect cell;
      cnn_grid_layout_cell (&l, k / 3, k % 3, &cell);
      g_assert_cmphex (cnn_test_pixel (s, (int) (cell.x + cell.width / 2), (int) (cell.y + cell.height / 2)), ==,
                       cell_colors[k]);
      if (k >= 3)
        {
          CnnRect above;
          cnn_grid_layout_cell (&l, 0, k % 3, &above);
          g_assert_cmpfloat (above.y + above.height + l.caption_h, <=, cell.y);
        }
    }
  /* the label column and the caption band hold text, not cells */
  int ink = 0;
  for (int y = 0; y < 200; y++)
    for (int x = 0; x < (int) (l.x0 - style->padding); x++)
      {
        guint32 p = cnn_test_pixel (s, x, y);
        for (int k = 0; k < 6; k++)
          g_assert_cmphex (p, !=, cell_colors[k]);
        ink += p != 0xffffff;
      }
  g_assert_cmpint (ink, >, 30);

  /* nothing fits: no cell is drawn */
  memset (calls, 0, sizeof calls);
  area = cnn_rect (0, 0, 20, 5);
  cnn_grid_draw (&grid, style, cr, &area);
  for (int k = 0; k < 6; k++)
    g_assert_cmpint (calls[k], ==, 0);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

static void
test_text (void)
{
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  cairo_surface_t *s = cnn_test_image_new (200, 200);
  cairo_t *cr = cairo_create (s);
  double w1, w2, h;
  cnn_render_text_size (cr, style, CNN_TEXT_LABEL, "Ankle boot", &w1, &h);
  cnn_render_text_size (cr, style, CNN_TEXT_TITLE, "Ankle boot", &w2, NULL);
  g_assert_cmpfloat (w1, >, 30);
  g_assert_cmpfloat (w2, >, w1);
  g_assert_cmpfloat (h, >=, style->label_size);
  g_assert_cmpfloat (h, <, 2 * style->label_size);
  /* the same size at any scale: sizes are in user units */
  cairo_scale (cr, 3.125, 3.125);
  double w3;
  cnn_render_text_size (cr, style, CNN_TEXT_LABEL, "Ankle boot", &w3, NULL);
  g_assert_cmpfloat_with_epsilon (w3, w1, 0.02 * w1);
  cairo_identity_matrix (cr);

  /* a right-aligned label ends at its anchor; an ellipsized one stays
   * inside its width; a turned one is taller than wide */
  cnn_render_paint_background (cr, style);
  cnn_render_text (cr, style, CNN_TEXT_LABEL, NULL, "right", 150, 20, 1.0, 0.5, 0);
  cnn_render_text (cr, style, CNN_TEXT_LABEL, NULL, "a very long label that is cut", 0, 60, 0, 0, 80);
  cnn_render_text_vertical (cr, style, CNN_TEXT_LABEL, NULL, "turned", 180, 150, 0.5, 0.5, 0);
  int min_x = 200, max_x = -1, long_max_x = -1, vx0 = 200, vx1 = -1, vy0 = 200, vy1 = -1;
  for (int y = 0; y < 200; y++)
    for (int x = 0; x < 200; x++)
      if (cnn_test_pixel (s, x, y) != 0xffffff)
        {
          if (y < 40)
            {
              min_x = MIN (min_x, x);
              max_x = MAX (max_x, x);
            }
          else if (y < 100)
            long_max_x = MAX (long_max_x, x);
          else
            {
              vx0 = MIN (vx0, x);
              vx1 = MAX (vx1, x);
              vy0 = MIN (vy0, y);
              vy1 = MAX (vy1, y);
            }
        }
  g_assert_cmpint (max_x, <=, 150);
  g_assert_cmpint (max_x, >=, 146);
  g_assert_cmpint (min_x, <, 130);
  g_assert_cmpint (long_max_x, <=, 80);
  g_assert_cmpint (long_max_x, >, 40);
  g_assert_cmpint (vy1 - vy0, >, 2 * (vx1 - vx0));
  /* centered on its anchor, to 3 px */
  g_assert_cmpint (abs ((vy0 + vy1) / 2 - 150), <=, 3);
  g_assert_cmpint (abs ((vx0 + vx1) / 2 - 180), <=, 3);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/render/colormap/ends", test_colormap_ends);
  g_test_add_func ("/render/colormap/range", test_colormap_range);
  g_test_add_func ("/render/colormap/nearest-blocks", test_nearest_blocks);
  g_test_add_func ("/render/colormap/color-bar", test_color_bar);
  g_test_add_func ("/render/styles", test_styles);
  g_test_add_func ("/render/text", test_text);
  g_test_add_func ("/render/ticks", test_ticks);
  g_test_add_func ("/render/axes", test_axes);
  g_test_add_func ("/render/bar-chart", test_bar_chart);
  g_test_add_func ("/render/grid/cells", test_grid_cells);
  return g_test_run ();
}
