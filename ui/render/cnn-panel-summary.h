/* cnn-panel-summary.h: the model summary of `convscope summary` as a
 * table: layer, type, output shape, parameters, and the totals. The rows
 * come from the engine's CnnSummary, so the panel and the text agree. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cnn-network.h"
#include "cnn-render-style.h"
#include "cnn-summary.h"

G_BEGIN_DECLS

typedef struct
{
  CnnSummary *summary;
  char       *title;     /* NULL for none */
} CnnSummaryData;

CnnSummaryData *cnn_summary_data_new  (const CnnNetwork *net);
void            cnn_summary_data_free (CnnSummaryData *data);

/* A long model is drawn in a smaller font, then in two column blocks side
 * by side, so it fits the size it is given. */
void cnn_panel_summary_draw (const CnnSummaryData *data, const CnnRenderStyle *style, cairo_t *cr,
                             double width, double height);
void cnn_panel_summary_natural_size (const CnnSummaryData *data, const CnnRenderStyle *style,
                                     double *width, double *height);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnSummaryData, cnn_summary_data_free)

G_END_DECLS
