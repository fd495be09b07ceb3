/* cnn-panel-transfer.h: transfer-learning strategies compared: their
 * accuracy curves overlaid (cnn-panel-curves) and their final accuracies
 * as bars, one palette color per strategy in both. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cnn-panel-curves.h"
#include "cnn-render-style.h"

G_BEGIN_DECLS

typedef struct
{
  CnnCurveRun *const *runs;       /* n_runs learning curves (may be 0), not owned */
  int                 n_runs;
  int                 n_bars;     /* final accuracies, one a strategy */
  const char *const  *bar_labels; /* (n_bars) "fine-tuned" */
  const double       *accuracy;   /* (n_bars) in [0, 1]; NaN: none */
  const int          *series;     /* (n_bars) palette index of each bar (a run's
                                   * `color`), or NULL: the style's accent */
  const char         *value_label; /* under the bars: "test accuracy (5,000 images)"; NULL: none */
  const char         *title;      /* NULL or "" for none */
} CnnTransferData;

/* The comparison as the command line and the window draw it: strategy k
 * (cnn-transfer-run.h's order) when done[k], with its curve curves[k]
 * (NULL for none, as kNN) and final accuracy[k]. The data points into f
 * and into the curves (labelled and colored here). */
typedef struct
{
  CnnTransferData data;
  CnnCurveRun    *runs[3];
  const char     *labels[3];
  double          accuracy[3];
  int             series[3];
  char           *title, *value_label;
} CnnTransferFigure;

void cnn_transfer_figure_init  (CnnTransferFigure *f, CnnCurveRun *const curves[3],
                                const gboolean done[3], const double accuracy[3], gboolean knn,
                                const char *data_name, const char *classes, int n_train,
                                int n_test);
void cnn_transfer_figure_clear (CnnTransferFigure *f);

void cnn_panel_transfer_draw (const CnnTransferData *data, const CnnRenderStyle *style,
                              cairo_t *cr, double width, double height);
void cnn_panel_transfer_natural_size (const CnnTransferData *data, const CnnRenderStyle *style,
                                      double *width, double *height);
/* Where the two parts go for this size (the curves' area is empty
 * without runs), for tests. */
void cnn_panel_transfer_layout (const CnnTransferData *data, const CnnRenderStyle *style,
                                cairo_t *cr, double width, double height, CnnRect *curves,
                                CnnRect *bars);

G_END_DECLS
