/* cnn-render-text.h: text in the style's font, laid out by pango. Sizes are
 * absolute (px in user space), so text scales with the figure on every
 * surface instead of following a screen's dpi. */
#pragma once

#include <cairo.h>
#include <pango/pangocairo.h>

#include "cnn-render-style.h"

G_BEGIN_DECLS

typedef enum
{
  CNN_TEXT_TITLE,   /* bold, title_size */
  CNN_TEXT_LABEL,   /* label_size: axis labels, row labels */
  CNN_TEXT_SMALL,   /* small_size: ticks, captions */
} CnnTextRole;

/* A single-line layout of `text` (markup is not interpreted). */
PangoLayout *cnn_render_text_layout (cairo_t *cr, const CnnRenderStyle *style, CnnTextRole role,
                                     const char *text);
/* Logical size of `text` in user units. */
void         cnn_render_text_size   (cairo_t *cr, const CnnRenderStyle *style, CnnTextRole role,
                                     const char *text, double *width, double *height);
/* Height of one line of the role's font. */
double       cnn_render_text_line_height (cairo_t *cr, const CnnRenderStyle *style,
                                          CnnTextRole role);

/* Draws `text` so that the point (x, y) sits at (xalign, yalign) of its box:
 * 0 left/top, 0.5 center, 1 right/bottom. Text wider than max_width (when
 * > 0) is ellipsized at the end. color NULL means the style's foreground. */
void cnn_render_text (cairo_t *cr, const CnnRenderStyle *style, CnnTextRole role,
                      const CnnColor *color, const char *text, double x, double y,
                      double xalign, double yalign, double max_width);
/* The same turned 90° counter-clockwise (a y-axis label), reading upwards;
 * alignments refer to the turned box as seen on the page. */
void cnn_render_text_vertical (cairo_t *cr, const CnnRenderStyle *style, CnnTextRole role,
                               const CnnColor *color, const char *text, double x, double y,
                               double xalign, double yalign, double max_height);

/* Wraps `text` to `width` and draws it from (x, y) downwards, left-aligned;
 * returns the height used. */
double cnn_render_paragraph (cairo_t *cr, const CnnRenderStyle *style, CnnTextRole role,
                             const CnnColor *color, const char *text, double x, double y,
                             double width);
double cnn_render_paragraph_height (cairo_t *cr, const CnnRenderStyle *style, CnnTextRole role,
                                    const char *text, double width);

/* Draws a title centered at the top of *area and removes its height (plus
 * padding) from *area. Nothing happens when title is NULL or empty. */
void cnn_render_title (cairo_t *cr, const CnnRenderStyle *style, const char *title, CnnRect *area);
/* The other way round, for a panel's natural size: widens *width to the
 * title's and adds the height cnn_render_title takes (nothing for none). */
void cnn_render_title_size (cairo_t *cr, const CnnRenderStyle *style, const char *title,
                            double *width, double *height);

G_END_DECLS
