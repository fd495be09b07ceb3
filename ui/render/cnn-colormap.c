/* cnn-colormap.c: colormap lookup, value
 * ranges, images as cairo surfaces drawn with nearest-neighbour sampling,
 * and color bars. */
#include "cnn-colormap.h"

#include <math.h>
#include <string.h>

#include "cnn-colormap-tables.h"
#include "cnn-error.h"
#include "cnn-render-axis.h"
#include "cnn-render-text.h"

/* cairo's image surfaces are limited to 32767 pixels a side */
#define MAX_SIDE 32767
/* an upscaled copy for a vector surface stays below this many pixels a side */
#define MAX_UPSCALED_SIDE 2048

static const char *const colormap_names[] = {
  [CNN_COLORMAP_VIRIDIS] = "viridis",
  [CNN_COLORMAP_DIVERGING] = "diverging",
  [CNN_COLORMAP_GRAY] = "gray",
};

const char *
cnn_colormap_name (CnnColormap map)
{
  if ((unsigned) map >= G_N_ELEMENTS (colormap_names))
    return "unknown";
  return colormap_names[map];
}

gboolean
cnn_colormap_parse (const char *name, CnnColormap *map, GError **error)
{
  for (gsize i = 0; name != NULL && i < G_N_ELEMENTS (colormap_names); i++)
    if (g_ascii_strcasecmp (name, colormap_names[i]) == 0)
      {
        *map = (CnnColormap) i;
        return TRUE;
      }
  g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
               "unknown colormap “%s”: use viridis, diverging or gray", name ? name : "");
  return FALSE;
}

/* matplotlib's rule for a listed map: entry floor(t n), the last for t = 1.
 * viridis matches matplotlib pixel for pixel; the 257-entry diverging map
 * gives its middle entry for t = 0.5 exactly. */
static void
lookup (const float (*table)[3], int n, double t, CnnColor *c)
{
  int i = MIN ((int) (t * n), n - 1);
  c->r = table[i][0];
  c->g = table[i][1];
  c->b = table[i][2];
}

void
cnn_colormap_rgb (CnnColormap map, double t, CnnColor *color)
{
  if (isnan (t))
    {
      *color = (CnnColor) { 0.5, 0.5, 0.5 };
      return;
    }
  t = CLAMP (t, 0.0, 1.0);
  switch (map)
    {
    case CNN_COLORMAP_VIRIDIS:
      lookup (viridis_table, G_N_ELEMENTS (viridis_table), t, color);
      break;
    case CNN_COLORMAP_DIVERGING:
      lookup (coolwarm_table, G_N_ELEMENTS (coolwarm_table), t, color);
      break;
    case CNN_COLORMAP_GRAY:
    default:
      *color = (CnnColor) { t, t, t };
      break;
    }
}

static guint32
pack (double r, double g, double b)
{
  guint32 R = (guint32) lround (CLAMP (r, 0.0, 1.0) * 255);
  guint32 G = (guint32) lround (CLAMP (g, 0.0, 1.0) * 255);
  guint32 B = (guint32) lround (CLAMP (b, 0.0, 1.0) * 255);
  return 0xff000000u | R << 16 | G << 8 | B;
}

guint32
cnn_colormap_argb (CnnColormap map, double t)
{
  CnnColor c;
  cnn_colormap_rgb (map, t, &c);
  return pack (c.r, c.g, c.b);
}

void
cnn_colormap_range (const float *values, gsize n, CnnScaleMode mode, double *lo, double *hi)
{
  double mn = INFINITY, mx = -INFINITY;
  for (gsize i = 0; values != NULL && i < n; i++)
    if (isfinite (values[i]))
      {
        mn = MIN (mn, values[i]);
        mx = MAX (mx, values[i]);
      }
  if (mode == CNN_SCALE_SYMMETRIC)
    {
      double m = isfinite (mn) ? MAX (fabs (mn), fabs (mx)) : 0;
      if (!(m > 0))
        m = 1;
      *lo = -m;
      *hi = m;
      return;
    }
  if (!isfinite (mn))
    mn = mx = 0;
  if (!(mx > mn))
    {
      mn -= 0.5;
      mx += 0.5;
    }
  *lo = mn;
  *hi = mx;
}

/* An opaque w×h surface, or NULL when the size is impossible or memory is
 * short. */
static cairo_surface_t *
new_surface (int w, int h)
{
  if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE)
    return NULL;
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  if (cairo_surface_status (s) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (s);
      return NULL;
    }
  cairo_surface_flush (s);
  return s;
}

static inline guint32 *
row_of (cairo_surface_t *s, int y)
{
  return (guint32 *) (cairo_image_surface_get_data (s) + (gsize) y * cairo_image_surface_get_stride (s));
}

/* the same image with every pixel a k×k block */
static cairo_surface_t *
upscale (cairo_surface_t *src, int k)
{
  int w = cairo_image_surface_get_width (src), h = cairo_image_surface_get_height (src);
  cairo_surface_t *dst = new_surface (w * k, h * k);
  if (dst == NULL)
    return NULL;
  for (int y = 0; y < h; y++)
    {
      const guint32 *in = row_of (src, y);
      guint32 *out = row_of (dst, y * k);
      for (int x = 0; x < w; x++)
        for (int j = 0; j < k; j++)
          out[x * k + j] = in[x];
      for (int j = 1; j < k; j++)
        memcpy (row_of (dst, y * k + j), out, (gsize) w * k * sizeof (guint32));
    }
  cairo_surface_mark_dirty (dst);
  return dst;
}

static gboolean
is_vector (cairo_t *cr)
{
  switch (cairo_surface_get_type (cairo_get_target (cr)))
    {
    case CAIRO_SURFACE_TYPE_PDF:
    case CAIRO_SURFACE_TYPE_SVG:
    case CAIRO_SURFACE_TYPE_PS:
    case CAIRO_SURFACE_TYPE_RECORDING:
    case CAIRO_SURFACE_TYPE_SCRIPT:
      return TRUE;
    default:
      return FALSE;
    }
}

void
cnn_render_draw_surface_nearest (cairo_t *cr, cairo_surface_t *image, const CnnRect *rect)
{
  g_return_if_fail (image != NULL && rect != NULL);
  int w = cairo_image_surface_get_width (image), h = cairo_image_surface_get_height (image);
  if (w < 1 || h < 1 || !(rect->width > 0) || !(rect->height > 0))
    return;
  cairo_surface_t *src = cairo_surface_reference (image);
  int k = 1;
  if (is_vector (cr))
    {
      /* SVG viewers smooth embedded images (cairo 1.16 writes no
       * image-rendering hint) and PDF viewers may ignore /Interpolate false:
       * with every pixel a k×k block, smoothing only touches the outer
       * quarter of a device unit of each block at 100% zoom. */
      double dx = rect->width / w, dy = rect->height / h;
      cairo_user_to_device_distance (cr, &dx, &dy);
      double unit = MAX (fabs (dx), fabs (dy));
      k = (int) ceil (4 * unit);
      k = MAX (MIN (k, MAX_UPSCALED_SIDE / MAX (w, h)), 1);
      if (k > 1)
        {
          cairo_surface_t *big = upscale (image, k);
          if (big != NULL)
            {
              cairo_surface_destroy (src);
              src = big;
            }
          else
            k = 1;
        }
    }
  cairo_save (cr);
  cairo_rectangle (cr, rect->x, rect->y, rect->width, rect->height);
  cairo_clip (cr);
  cairo_translate (cr, rect->x, rect->y);
  cairo_scale (cr, rect->width / ((double) w * k), rect->height / ((double) h * k));
  cairo_set_source_surface (cr, src, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_pattern_set_extend (cairo_get_source (cr), CAIRO_EXTEND_PAD);
  cairo_paint (cr);
  cairo_restore (cr);
  cairo_surface_destroy (src);
}

void
cnn_colormap_draw_values (cairo_t *cr, const float *values, int h, int w, CnnColormap map,
                          double lo, double hi, const CnnRect *rect)
{
  g_return_if_fail (values != NULL && rect != NULL);
  cairo_surface_t *s = new_surface (w, h);
  if (s == NULL)
    return;
  double span = hi - lo;
  if (!(span != 0) || !isfinite (span))
    span = 1;
  for (int y = 0; y < h; y++)
    {
      guint32 *row = row_of (s, y);
      const float *v = values + (gsize) y * w;   /* (w) */
      for (int x = 0; x < w; x++)
        row[x] = cnn_colormap_argb (map, (v[x] - lo) / span);
    }
  cairo_surface_mark_dirty (s);
  cnn_render_draw_surface_nearest (cr, s, rect);
  cairo_surface_destroy (s);
}

static inline guint32
byte_clamp (float v)
{
  if (!(v > 0))   /* also NaN */
    return 0;
  return v >= 255 ? 255u : (guint32) lrintf (v);
}

/* planar (c, h, w) pixels, as bytes or byte-unit floats, to a surface */
static void
draw_planar (cairo_t *cr, const guint8 *bytes, const float *floats, int c, int h, int w,
             const CnnRect *rect)
{
  if (c < 1 || (gsize) h * w > G_MAXSIZE / 4 / MAX (c, 1))
    return;
  cairo_surface_t *s = new_surface (w, h);
  if (s == NULL)
    return;
  gsize plane = (gsize) h * w;
  gboolean rgb = c == 3;
  for (int y = 0; y < h; y++)
    {
      guint32 *row = row_of (s, y);
      for (int x = 0; x < w; x++)
        {
          gsize p = (gsize) y * w + x;
          guint32 r, g, b;
          if (bytes)
            {
              r = bytes[p];
              g = rgb ? bytes[plane + p] : r;
              b = rgb ? bytes[2 * plane + p] : r;
            }
          else
            {
              r = byte_clamp (floats[p]);
              g = rgb ? byte_clamp (floats[plane + p]) : r;
              b = rgb ? byte_clamp (floats[2 * plane + p]) : r;
            }
          row[x] = 0xff000000u | r << 16 | g << 8 | b;
        }
    }
  cairo_surface_mark_dirty (s);
  cnn_render_draw_surface_nearest (cr, s, rect);
  cairo_surface_destroy (s);
}

void
cnn_render_draw_bytes (cairo_t *cr, const guint8 *pixels, int c, int h, int w, const CnnRect *rect)
{
  g_return_if_fail (pixels != NULL && rect != NULL);
  draw_planar (cr, pixels, NULL, c, h, w, rect);
}

void
cnn_render_draw_byte_floats (cairo_t *cr, const float *pixels, int c, int h, int w,
                             const CnnRect *rect)
{
  g_return_if_fail (pixels != NULL && rect != NULL);
  draw_planar (cr, NULL, pixels, c, h, w, rect);
}

/* Color bars */

static double
strip_width (const CnnRenderStyle *style)
{
  return MAX (10.0, 0.9 * style->label_size);
}

static void
bar_ticks (cairo_t *cr, const CnnRenderStyle *style, double lo, double hi, double height,
           CnnTicks *ticks)
{
  double small_h = cnn_render_text_line_height (cr, style, CNN_TEXT_SMALL);
  int max_ticks = CLAMP ((int) (height / (2.2 * small_h)), 2, 8);
  cnn_ticks_linear (lo, hi, max_ticks, ticks);
}

double
cnn_colormap_bar_width (cairo_t *cr, const CnnRenderStyle *style, double lo, double hi,
                        const char *label)
{
  /* the tick labels of the widest possible set */
  CnnTicks t;
  double widest = 0;
  for (int max_ticks = 2; max_ticks <= 8; max_ticks++)
    {
      cnn_ticks_linear (lo, hi, max_ticks, &t);
      for (int i = 0; i < t.n; i++)
        {
          char buf[64];
          double w;
          cnn_ticks_format (&t, t.values[i], buf, sizeof buf);
          cnn_render_text_size (cr, style, CNN_TEXT_SMALL, buf, &w, NULL);
          widest = MAX (widest, w);
        }
    }
  double width = strip_width (style) + style->tick_length + 3 + widest;
  if (label && label[0])
    width += 4 + cnn_render_text_line_height (cr, style, CNN_TEXT_SMALL);
  return width;
}

void
cnn_colormap_draw_bar (cairo_t *cr, const CnnRenderStyle *style, CnnColormap map, double lo,
                       double hi, const char *label, const CnnRect *rect)
{
  g_return_if_fail (rect != NULL);
  if (!(rect->height > 0) || !(hi > lo) || !isfinite (hi - lo))
    return;
  double sw = strip_width (style);
  double x = rect->x, top = rect->y, h = rect->height;

  /* a vector gradient: exact at any zoom; 65 stops follow the tables
   * within a fraction of a unit per channel */
  cairo_pattern_t *grad = cairo_pattern_create_linear (0, top + h, 0, top);
  for (int i = 0; i <= 64; i++)
    {
      CnnColor c;
      cnn_colormap_rgb (map, i / 64.0, &c);
      cairo_pattern_add_color_stop_rgb (grad, i / 64.0, c.r, c.g, c.b);
    }
  cairo_save (cr);
  cairo_rectangle (cr, x, top, sw, h);
  cairo_set_source (cr, grad);
  cairo_fill (cr);
  cairo_pattern_destroy (grad);

  cairo_set_line_width (cr, style->axis_width);
  cnn_render_set_color (cr, &style->foreground);
  double hw = 0.5 * style->axis_width;
  cairo_rectangle (cr, x - hw, top - hw, sw + 2 * hw, h + 2 * hw);
  CnnTicks t;
  bar_ticks (cr, style, lo, hi, h, &t);
  for (int i = 0; i < t.n; i++)
    {
      double y = top + h - (t.values[i] - lo) / (hi - lo) * h;
      cairo_move_to (cr, x + sw, y);
      cairo_line_to (cr, x + sw + style->tick_length, y);
    }
  cairo_stroke (cr);
  cairo_restore (cr);

  double widest = 0;
  for (int i = 0; i < t.n; i++)
    {
      char buf[64];
      double w;
      cnn_ticks_format (&t, t.values[i], buf, sizeof buf);
      double y = top + h - (t.values[i] - lo) / (hi - lo) * h;
      cnn_render_text (cr, style, CNN_TEXT_SMALL, &style->muted, buf,
                       x + sw + style->tick_length + 3, y, 0.0, 0.5, 0);
      cnn_render_text_size (cr, style, CNN_TEXT_SMALL, buf, &w, NULL);
      widest = MAX (widest, w);
    }
  if (label && label[0])
    cnn_render_text_vertical (cr, style, CNN_TEXT_SMALL, &style->muted, label,
                              x + sw + style->tick_length + 3 + widest + 4, top + 0.5 * h,
                              0.0, 0.5, h);
}
