/* cnn-render-export.h: any draw function to a PNG, SVG or PDF file. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cnn-render-style.h"

G_BEGIN_DECLS

typedef enum
{
  CNN_RENDER_FORMAT_PNG,
  CNN_RENDER_FORMAT_SVG,
  CNN_RENDER_FORMAT_PDF,
} CnnRenderFormat;

/* Draws a figure of width × height CSS px (1/96 inch) into cr; the
 * background is already painted. */
typedef void (*CnnRenderDrawFunc) (cairo_t *cr, double width, double height,
                                   const CnnRenderStyle *style, gpointer data);

/* The format from the file name's extension (.png, .svg, .pdf, any case). */
gboolean cnn_render_format_from_path (const char *path, CnnRenderFormat *format, GError **error);

/* Writes the figure to `path`, the format chosen by its extension. PNG is
 * rendered at width·dpi/96 × height·dpi/96 pixels and records dpi in its
 * pHYs chunk; SVG and PDF are width·0.75 × height·0.75 points and ignore
 * dpi. The file is written under a temporary name in the same folder and
 * renamed at the end, so a failed export leaves no file behind and never
 * a half-written one. Errors name the file. */
gboolean cnn_render_export (const char *path, double width, double height, double dpi,
                            const CnnRenderStyle *style, CnnRenderDrawFunc draw, gpointer data,
                            GError **error);

/* PNG export limits: pixels a side and in all */
#define CNN_RENDER_MAX_PNG_SIDE   32767
#define CNN_RENDER_MAX_PNG_PIXELS 200000000.0
/* figure sizes in CSS px and dpi accepted by cnn_render_export */
#define CNN_RENDER_MIN_SIZE 16
#define CNN_RENDER_MAX_SIZE 20000
#define CNN_RENDER_MIN_DPI  10
#define CNN_RENDER_MAX_DPI  2400

G_END_DECLS
