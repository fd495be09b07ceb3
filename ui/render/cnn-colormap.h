/* cnn-colormap.h: values to colors, and images drawn into rectangles.
 * viridis for magnitudes, a diverging map centered on zero for signed
 * values (weights, gradients), gray for intensities. Images are upscaled
 * with nearest neighbour: a 28×28 input shows its pixels, never a blur. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cnn-render-style.h"

G_BEGIN_DECLS

typedef enum
{
  CNN_COLORMAP_VIRIDIS,
  CNN_COLORMAP_DIVERGING,   /* Moreland's cool-warm: blue < 0, gray at 0, red > 0 */
  CNN_COLORMAP_GRAY,        /* black to white */
} CnnColormap;

typedef enum
{
  CNN_SCALE_MINMAX,     /* lo = min, hi = max of the values */
  CNN_SCALE_SYMMETRIC,  /* lo = -m, hi = m with m = max |value|: zero stays in the middle */
} CnnScaleMode;

const char *cnn_colormap_name  (CnnColormap map);
gboolean    cnn_colormap_parse (const char *name, CnnColormap *map, GError **error);

/* The color at t in [0, 1] (clamped; NaN gives mid gray). */
void    cnn_colormap_rgb  (CnnColormap map, double t, CnnColor *color);
/* The same as an opaque CAIRO_FORMAT_ARGB32 / RGB24 pixel, 0xffRRGGBB. */
guint32 cnn_colormap_argb (CnnColormap map, double t);

/* The range of n values under `mode`, ignoring NaN and Inf. A constant or
 * empty input gets a range of width 1 around its value (or [-1, 1] when
 * symmetric), so drawing never divides by zero. */
void cnn_colormap_range (const float *values, gsize n, CnnScaleMode mode, double *lo, double *hi);

/* Draws values (h, w), row-major, mapped from [lo, hi] through `map`, into
 * `rect` (stretched to fill it). */
void cnn_colormap_draw_values (cairo_t *cr, const float *values, int h, int w, CnnColormap map,
                               double lo, double hi, const CnnRect *rect);
/* Draws a uint8 image (c, h, w) planar as stored in data sets: c = 1 is gray,
 * c = 3 RGB. Other channel counts draw the first channel as gray. */
void cnn_render_draw_bytes  (cairo_t *cr, const guint8 *pixels, int c, int h, int w,
                             const CnnRect *rect);
/* The same from floats in byte units (0 .. 255, clamped), e.g. an augmented
 * image. */
void cnn_render_draw_byte_floats (cairo_t *cr, const float *pixels, int c, int h, int w,
                                  const CnnRect *rect);
/* Paints an image surface into `rect` with nearest-neighbour sampling. On
 * vector surfaces (SVG, PDF) it embeds a copy upscaled by a whole factor,
 * because viewers smooth small embedded images whatever the filter says. */
void cnn_render_draw_surface_nearest (cairo_t *cr, cairo_surface_t *image, const CnnRect *rect);

/* A vertical color bar for [lo, hi] in `rect`: the gradient strip at its left
 * (bar_width wide, hi at the top) with ticks and labels to its right, and
 * `label` (may be NULL) turned along its right edge. */
void   cnn_colormap_draw_bar  (cairo_t *cr, const CnnRenderStyle *style, CnnColormap map,
                               double lo, double hi, const char *label, const CnnRect *rect);
/* The width cnn_colormap_draw_bar needs for its labels. */
double cnn_colormap_bar_width (cairo_t *cr, const CnnRenderStyle *style, double lo, double hi,
                               const char *label);

G_END_DECLS
