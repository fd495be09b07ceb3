/* cnn-window-private.h: the window's parts, for its pages and its tests. */
#pragma once

#include "cnn-activations-page.h"
#include "cnn-curves-page.h"
#include "cnn-explain-page.h"
#include "cnn-features-page.h"
#include "cnn-panel-page.h"
#include "cnn-sidebar.h"
#include "cnn-transfer-page.h"
#include "cnn-window.h"

G_BEGIN_DECLS

CnnSidebar    *cnn_window_get_sidebar      (CnnWindow *window);
CnnCurvesPage *cnn_window_get_curves_page  (CnnWindow *window);
CnnPanelPage  *cnn_window_get_panel_page   (CnnWindow *window, CnnPanelKind kind);
CnnActivationsPage *cnn_window_get_activations_page (CnnWindow *window);
CnnFeaturesPage *cnn_window_get_features_page (CnnWindow *window);
CnnExplainPage *cnn_window_get_explain_page (CnnWindow *window);
CnnTransferPage *cnn_window_get_transfer_page (CnnWindow *window);
/* A toast for the user (pages report their errors through it). */
void           cnn_window_show_message     (CnnWindow *window, const char *message);
/* The status line above the panels ("Epoch 2/5 · …"). */
const char    *cnn_window_get_status_text  (CnnWindow *window);
/* The last message shown as a toast (tests). */
const char    *cnn_window_get_last_message (CnnWindow *window);
/* For CnnExportDoneFunc: `data` is the window (anything else is ignored). */
void           cnn_window_export_done      (const char *path, const GError *error,
                                            gpointer data);

G_END_DECLS
