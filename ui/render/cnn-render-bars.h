/* cnn-render-bars.h: a horizontal bar chart, categories down the left (class
 * names read better there than turned under an axis), values along the
 * bottom. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cnn-render-style.h"

G_BEGIN_DECLS

typedef struct
{
  int                n;
  const double      *values;       /* n values >= 0 (negatives and NaN draw no bar) */
  const char *const *labels;       /* n category names */
  const char        *value_label;  /* under the value axis, or NULL */
  gboolean           show_values;  /* the number at the end of each bar */
  const CnnColor    *color;        /* NULL: the style's accent */
  const int         *series;       /* NULL, or n palette indices: bar i in
                                    * cnn_render_style_series (style, series[i]) */
} CnnBarChart;

void cnn_render_bar_chart (const CnnBarChart *chart, const CnnRenderStyle *style, cairo_t *cr,
                           const CnnRect *area);

G_END_DECLS
