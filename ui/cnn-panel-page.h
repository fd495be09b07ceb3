/* cnn-panel-page.h: one panel of the workbench with its toolbar: the
 * first-layer filters, the model summary or the data samples. The page
 * keeps a copy of what it draws, so it never reads the trainer's memory. */
#pragma once

#include <gtk/gtk.h>

#include "cnn-engine.h"
#include "cnn-figure-view.h"

G_BEGIN_DECLS

typedef enum
{
  CNN_PANEL_FILTERS,
  CNN_PANEL_SUMMARY,
  CNN_PANEL_SAMPLES,
} CnnPanelKind;

#define CNN_TYPE_PANEL_PAGE (cnn_panel_page_get_type ())
G_DECLARE_FINAL_TYPE (CnnPanelPage, cnn_panel_page, CNN, PANEL_PAGE, GtkWidget)

GtkWidget     *cnn_panel_page_new      (CnnPanelKind kind);
CnnPanelKind   cnn_panel_page_get_kind (CnnPanelPage *page);
CnnFigureView *cnn_panel_page_get_view (CnnPanelPage *page);

/* Filters and summary: draw this network (copied; NULL: none yet). */
void           cnn_panel_page_show_network (CnnPanelPage *page, const CnnNetwork *net);
/* Samples: draw images of this data set; the page keeps the pointer until
 * the next call, so call again before the data set goes away. */
void           cnn_panel_page_show_dataset (CnnPanelPage *page, const CnnDataset *dataset,
                                            const char *title);
/* Filters: each filter scaled to itself, or one scale for all. */
void           cnn_panel_page_set_filter_scale (CnnPanelPage *page, CnnFilterScale scale);

/* Summary: the receptive field chart instead of the table. */
void           cnn_panel_page_set_show_fields (CnnPanelPage *page, gboolean show);

/* Exports the figure (the dialog's work, without the dialog). */
gboolean       cnn_panel_page_export (CnnPanelPage *page, const char *path, double dpi,
                                      CnnRenderStyleId style, GError **error);

G_END_DECLS
