/* cnn-curves-page.h: the learning curves of every run of the session,
 * overlaid, with the run history (rename, hide, delete), the loss/accuracy
 * choice, log scale and smoothing. The current run grows while it trains. */
#pragma once

#include <gtk/gtk.h>

#include "cnn-figure-view.h"
#include "cnn-render.h"
#include "cnn-panel-curves.h"

G_BEGIN_DECLS

#define CNN_TYPE_CURVES_PAGE (cnn_curves_page_get_type ())
G_DECLARE_FINAL_TYPE (CnnCurvesPage, cnn_curves_page, CNN, CURVES_PAGE, GtkWidget)

GtkWidget     *cnn_curves_page_new      (void);
CnnFigureView *cnn_curves_page_get_view (CnnCurvesPage *page);

/* A new run at the end of the history, which becomes the current one; the
 * x axis spans at least `planned_epochs`. */
void           cnn_curves_page_begin_run   (CnnCurvesPage *page, const char *label,
                                            double planned_epochs);
/* The current run (NULL when there is none or it was deleted). */
CnnCurveRun   *cnn_curves_page_get_current (CnnCurvesPage *page);
/* More epochs planned for the current run (a continued run). */
void           cnn_curves_page_extend_current (CnnCurvesPage *page, double planned_epochs);
/* Points were appended to the current run: redraw. */
void           cnn_curves_page_changed     (CnnCurvesPage *page);

int            cnn_curves_page_get_n_runs  (CnnCurvesPage *page);
CnnCurveRun   *cnn_curves_page_get_run     (CnnCurvesPage *page, int index);
void           cnn_curves_page_rename_run  (CnnCurvesPage *page, int index, const char *label);
void           cnn_curves_page_set_hidden  (CnnCurvesPage *page, int index, gboolean hidden);
void           cnn_curves_page_delete_run  (CnnCurvesPage *page, int index);
/* The run list beside the plot (hidden with the sidebar). */
void           cnn_curves_page_set_show_runs (CnnCurvesPage *page, gboolean show);
void           cnn_curves_page_set_log_scale (CnnCurvesPage *page, gboolean log_scale);

/* The visible runs' curves as one CSV table. */
gboolean       cnn_curves_page_write_csv   (CnnCurvesPage *page, const char *path,
                                            GError **error);
/* PNG, SVG, PDF or CSV by the extension, at the natural size. */
gboolean       cnn_curves_page_export      (CnnCurvesPage *page, const char *path, double dpi,
                                            CnnRenderStyleId style, GError **error);

G_END_DECLS
