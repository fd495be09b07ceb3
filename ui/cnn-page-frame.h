/* cnn-page-frame.h: what every page of the window has around its figure:
 * a toolbar that ends with Export…, the export itself, a message where
 * there is nothing to draw yet, and files dropped on it. */
#pragma once

#include <gtk/gtk.h>

#include "cnn-figure-view.h"

G_BEGIN_DECLS

/* A toolbar box, and its end: a spacer and the Export… button (the page
 * installs the "page.export" action). */
GtkWidget *cnn_page_toolbar_new (void);
void       cnn_page_toolbar_end (GtkWidget *toolbar);
/* A progress bar for a toolbar (shown while the page computes). */
GtkProgressBar *cnn_page_progress_new (void);
/* The export dialog for the page's figure, proposing `name`. */
void       cnn_page_export      (GtkWidget *page, CnnFigureView *view, const char *name);
/* Unparents the page's children (its dispose). */
void       cnn_page_unparent_children (GtkWidget *page);
/* A muted paragraph in the middle: why the page is empty. */
void       cnn_page_draw_message (cairo_t *cr, double width, double height,
                                  const CnnRenderStyle *style, const char *text);
/* A message for the user the way the window shows them (a toast), from
 * any widget in it. */
void       cnn_show_error_message (GtkWidget *widget, const char *message);
/* The local path of the first file a drop carries, or NULL. */
char      *cnn_drop_value_path  (const GValue *value);

G_END_DECLS
