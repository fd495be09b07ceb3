/* test-render.c: pixel checks on image surfaces: colormap ends and known
 * entries, nearest-neighbour upscaling, the grid's cell positions, bar
 * lengths, styles, ticks, and the three data panels on small made-up sets. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "cnn-error.h"
#include "cnn-render.h"

/* ---------- surfaces and pixels ---------- */

static cairo_surface_t *
new_image (int w, int h)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
  return s;
}

/* 0xRRGGBB of an opaque pixel */
static guint32
pixel (cairo_surface_t *s, int x, int y)
{
  cairo_surface_flush (s);
  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x, <, cairo_image_surface_get_width (s));
  g_assert_cmpint (y, <, cairo_image_surface_get_height (s));
  const guint8 *row = cairo_image_surface_get_data (s) + (gsize) y * cairo_image_surface_get_stride (s);
  guint32 p = ((const guint32 *) row)[x];
  g_assert_cmphex (p >> 24, ==, 0xff);
  return p & 0xffffff;
}

static guint32
rgb_of (const CnnColor *c)
{
  return (guint32) lround (c->r * 255) << 16 | (guint32) lround (c->g * 255) << 8
         | (guint32) lround (c->b * 255);
}

static gboolean
near (guint32 p, guint32 rgb, int tol)
{
  int d = 0;
  for (int sh = 0; sh <= 16; sh += 8)
    d += abs ((int) (p >> sh & 0xff) - (int) (rgb >> sh & 0xff));
  return d <= tol;
}

/* pixels within `tol` (sum of channel differences) of rgb, and their mean
 * x (-1 when there are none): tol > 0 finds an antialiased line's core */
static int
count_near (cairo_surface_t *s, guint32 rgb, int tol, double *mean_x)
{
  int n = 0;
  double sum = 0;
  for (int y = 0; y < cairo_image_surface_get_height (s); y++)
    for (int x = 0; x < cairo_image_surface_get_width (s); x++)
      if (near (pixel (s, x, y), rgb, tol))
        {
          n++;
          sum += x;
        }
  if (mean_x)
    *mean_x = n ? sum / n : -1;
  return n;
}

static int
count_color (cairo_surface_t *s, guint32 rgb)
{
  return count_near (s, rgb, 0, NULL);
}

/* bounding box [x0, x1] × [y0, y1] of the pixels near rgb */
static void
bbox_near (cairo_surface_t *s, guint32 rgb, int tol, int box[4])
{
  box[0] = box[1] = G_MAXINT;
  box[2] = box[3] = -1;
  for (int y = 0; y < cairo_image_surface_get_height (s); y++)
    for (int x = 0; x < cairo_image_surface_get_width (s); x++)
      if (near (pixel (s, x, y), rgb, tol))
        {
          box[0] = MIN (box[0], x);
          box[1] = MIN (box[1], y);
          box[2] = MAX (box[2], x);
          box[3] = MAX (box[3], y);
        }
}

/* mean x of the pixels of one color, -1 when there are none */
static double
mean_x_of (cairo_surface_t *s, guint32 rgb)
{
  double x;
  count_near (s, rgb, 0, &x);
  return x;
}

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

/* every pixel of the w×h region at (x0, y0) has color rgb */
static void
assert_block (cairo_surface_t *s, int x0, int y0, int w, int h, guint32 rgb)
{
  for (int y = y0; y < y0 + h; y++)
    for (int x = x0; x < x0 + w; x++)
      if (pixel (s, x, y) != rgb)
        g_error ("pixel (%d, %d) is %06x, not %06x", x, y, pixel (s, x, y), rgb);
}

static void
test_nearest_blocks (void)
{
  /* a 2×2 image in a 100×100 rect: four sharp 50×50 blocks, not a blur */
  cairo_surface_t *s = new_image (100, 100);
  cairo_t *cr = cairo_create (s);
  const float v[] = { 0.0f, 1.0f / 3, 2.0f / 3, 1.0f };   /* (2, 2) */
  CnnRect r = cnn_rect (0, 0, 100, 100);
  cnn_colormap_draw_values (cr, v, 2, 2, CNN_COLORMAP_GRAY, 0, 1, &r);
  assert_block (s, 0, 0, 50, 50, 0x000000);
  assert_block (s, 50, 0, 50, 50, 0x555555);
  assert_block (s, 0, 50, 50, 50, 0xaaaaaa);
  assert_block (s, 50, 50, 50, 50, 0xffffff);

  /* RGB bytes, planar (c, h, w), into a rect that is not square and not at
   * the origin: blocks of 40×30 from (10, 20), the rest untouched */
  const guint8 px[] = { 255, 0, 0, 10,     /* red plane */
                        0, 255, 0, 20,     /* green */
                        0, 0, 255, 30 };   /* blue */
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  r = cnn_rect (10, 20, 80, 60);
  cnn_render_draw_bytes (cr, px, 3, 2, 2, &r);
  assert_block (s, 10, 20, 40, 30, 0xff0000);
  assert_block (s, 50, 20, 40, 30, 0x00ff00);
  assert_block (s, 10, 50, 40, 30, 0x0000ff);
  assert_block (s, 50, 50, 40, 30, 0x0a141e);
  assert_block (s, 0, 0, 100, 20, 0xffffff);
  assert_block (s, 90, 0, 10, 100, 0xffffff);

  /* byte-unit floats are clamped to 0..255; gray uses one plane */
  const float f[] = { -40.0f, 300.0f, NAN, 127.6f };
  r = cnn_rect (0, 0, 100, 100);
  cnn_render_draw_byte_floats (cr, f, 1, 2, 2, &r);
  assert_block (s, 0, 0, 50, 50, 0x000000);
  assert_block (s, 50, 0, 50, 50, 0xffffff);
  assert_block (s, 0, 50, 50, 50, 0x000000);
  assert_block (s, 50, 50, 50, 50, 0x808080);

  /* impossible sizes draw nothing and do not crash */
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cnn_colormap_draw_values (cr, v, 0, 2, CNN_COLORMAP_GRAY, 0, 1, &r);
  cnn_colormap_draw_values (cr, v, 2, 70000, CNN_COLORMAP_GRAY, 0, 1, &r);
  cnn_render_draw_bytes (cr, px, 3, -1, 2, &r);
  assert_block (s, 0, 0, 100, 100, 0xffffff);
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
  cairo_surface_t *s = new_image (120, 220);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  CnnRect r = cnn_rect (10, 10, 100, 200);
  cnn_colormap_draw_bar (cr, style, CNN_COLORMAP_VIRIDIS, -2, 2, "value", &r);
  guint32 top = pixel (s, 15, 14), bottom = pixel (s, 15, 205);
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
      ink += pixel (s, x, y) != 0xffffff;
  g_assert_cmpint (ink, >, 50);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

/* ---------- styles ---------- */

/* pixels that are not the background after drawing `text` */
static int
text_ink (const CnnRenderStyle *style, const char *text)
{
  cairo_surface_t *s = new_image (400, 100);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  cnn_render_text (cr, style, CNN_TEXT_LABEL, NULL, text, 5, 5, 0, 0, 0);
  int n = 400 * 100 - count_color (s, rgb_of (&style->background));
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
      cairo_surface_t *s = new_image (8, 8);
      cairo_t *cr = cairo_create (s);
      cnn_render_paint_background (cr, all[i]);
      bg[i] = pixel (s, 4, 4);
      g_assert_cmphex (bg[i], ==, rgb_of (&all[i]->background));
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
          g_assert_cmphex (rgb_of (&all[i]->palette[a]), !=, rgb_of (&all[i]->palette[b]));
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
  cairo_surface_t *s = new_image (400, 300);
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
  g_assert_cmphex (pixel (s, x_axis, y_mid), ==, rgb_of (&style->foreground));
  /* a curve through the axes lands where the mapping says */
  cairo_move_to (cr, cnn_axes_x (&ax, 0), cnn_axes_y (&ax, 0.25));
  cairo_line_to (cr, cnn_axes_x (&ax, 10), cnn_axes_y (&ax, 0.25));
  cairo_set_line_width (cr, 4);
  cnn_render_set_color (cr, &style->palette[1]);
  cairo_stroke (cr);
  int y = (int) cnn_axes_y (&ax, 0.25);
  g_assert_cmphex (pixel (s, (int) cnn_axes_x (&ax, 5), y), ==, rgb_of (&style->palette[1]));

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
  cairo_surface_t *s = new_image (500, 240);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  const double values[] = { 1, 2, 4 };
  const char *labels[] = { "one", "two", "four" };
  CnnBarChart chart = { .n = 3, .values = values, .labels = labels, .value_label = "count",
                        .show_values = TRUE };
  CnnRect area = cnn_rect (0, 0, 500, 240);
  cnn_render_bar_chart (&chart, style, cr, &area);
  guint32 accent = rgb_of (&style->accent);
  int runs[3] = { 0 }, found = 0;
  int prev_run = 0;
  for (int y = 0; y < 240; y++)
    {
      int run = 0;
      for (int x = 0; x < 500; x++)
        run += pixel (s, x, y) == accent;
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
  cairo_surface_t *s = new_image (300, 200);
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
      assert_block (s, (int) ceil (x) + 2, (int) ceil (y) + 2, (int) cw - 4, (int) cw - 4, cell_colors[k]);
      if (c < 2)   /* the gap to the right is background */
        g_assert_cmphex (pixel (s, (int) (x + cw + 2), (int) (y + cw / 2)), ==, 0xffffff);
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
      g_assert_cmphex (pixel (s, (int) (cell.x + cell.width / 2), (int) (cell.y + cell.height / 2)), ==,
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
        guint32 p = pixel (s, x, y);
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

/* ---------- panels ---------- */

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
  cairo_surface_t *s = new_image ((int) w, (int) h);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  cnn_panel_samples_draw (&panel, style, cr, w, h);
  int light = count_color (s, 0xc8c8c8), dark = count_color (s, 0x3c3c3c);
  /* 3 cells of at least 48×48 each */
  g_assert_cmpint (light, >, 3 * 46 * 46);
  g_assert_cmpint (dark, >, 3 * 46 * 46);
  g_assert_cmpint (abs (light - dark), <, light / 20);
  double light_y = 0, dark_y = 0;
  for (int y = 0; y < (int) h; y++)
    for (int x = 0; x < (int) w; x++)
      {
        guint32 p = pixel (s, x, y);
        light_y += p == 0xc8c8c8 ? y : 0;
        dark_y += p == 0x3c3c3c ? y : 0;
      }
  g_assert_cmpfloat (light_y / light, <, dark_y / dark);
  /* the labels are left of every image */
  double first_image_x = MIN (mean_x_of (s, 0xc8c8c8), mean_x_of (s, 0x3c3c3c)) - 48;
  int ink = 0;
  for (int y = 0; y < (int) h; y++)
    for (int x = 0; x < (int) first_image_x; x++)
      ink += pixel (s, x, y) != 0xffffff;
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
  cairo_surface_t *s = new_image ((int) w, (int) h);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  cnn_panel_standardization_draw (p, style, cr, w, h);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  /* a mean pixel at 0 plus three std pixels at 0: at least 4 blocks of
   * 40×40 of viridis(0); two mean pixels and one std pixel at the top */
  g_assert_cmpint (count_color (s, 0x440154), >, 4 * 40 * 40);
  g_assert_cmpint (count_color (s, 0xfde725), >, 3 * 40 * 40);
  /* two bars of the accent color: classes 0 and 2 */
  g_assert_cmpint (count_color (s, rgb_of (&style->accent)), >, 2 * 50);
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
  cairo_surface_t *s = new_image ((int) w, (int) h);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  cnn_panel_standardization_draw (p, style, cr, w, h);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  /* means 1, 0.1, 0 share one scale: red's column is viridis' top, blue's
   * its bottom, in that order from left to right */
  double red = mean_x_of (s, 0xfde725), blue = mean_x_of (s, 0x440154);
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
      if (pixel (s, x, y) == rgb)
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
  cairo_surface_t *s = new_image ((int) w, (int) h);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  cnn_panel_image_strip_draw (&strip, style, cr, w, h);
  double x0 = mean_x_of (s, 0x000000), x1 = mean_x_of (s, 0x808080), x2 = mean_x_of (s, 0xffffff);
  g_assert_cmpfloat (x0, >=, 0);
  g_assert_cmpfloat (x1, >, x0 + 40);
  g_assert_cmpfloat (x2, >, x1 + 40);
  /* cells of at least 64 px (natural size), the frame around the first */
  g_assert_cmpint (count_color (s, 0x808080), >, 62 * 62);
  g_assert_cmpint (count_color (s, 0xffffff), >, 62 * 62);
  /* a frame of four sides of 64 px or more; the color of its core within
   * 60 of the accent (a 1.75 px line is antialiased) */
  g_assert_cmpint (count_near (s, rgb_of (&style->accent), 60, NULL), >, 4 * 62);
  int frame[4], image[4];
  bbox_near (s, rgb_of (&style->accent), 60, frame);
  bbox_near (s, 0x000000, 0, image);
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
  g_assert_cmpfloat (fabs (mean_x_of (s, 0xffffff) - mean_x_of (s, 0x000000)), <, 2);
  g_assert_cmpfloat (mean_y_of (s, 0xffffff), >, mean_y_of (s, 0x000000) + 10);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

static void
test_text (void)
{
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  cairo_surface_t *s = new_image (200, 200);
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
      if (pixel (s, x, y) != 0xffffff)
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
  g_test_add_func ("/render/panel/samples-pick", test_samples_pick);
  g_test_add_func ("/render/panel/samples", test_samples_panel);
  g_test_add_func ("/render/panel/standardization", test_standardization_panel);
  g_test_add_func ("/render/panel/standardization-color", test_color_standardization);
  g_test_add_func ("/render/panel/image-strip", test_image_strip_panel);
  return g_test_run ();
}
