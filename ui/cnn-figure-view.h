/* cnn-figure-view.h: a widget that shows one render panel. Its snapshot
 * calls the same draw function as export and the command line, in the
 * render style the window chose (light, dark or projector). */
#pragma once

#include <gtk/gtk.h>

#include "cnn-render.h"

G_BEGIN_DECLS

#define CNN_TYPE_FIGURE_VIEW (cnn_figure_view_get_type ())
G_DECLARE_FINAL_TYPE (CnnFigureView, cnn_figure_view, CNN, FIGURE_VIEW, GtkWidget)

/* The size (CSS px) a figure looks best at, for export defaults. */
typedef void (*CnnNaturalSizeFunc) (const CnnRenderStyle *style, double *width, double *height,
                                    gpointer data);

GtkWidget *cnn_figure_view_new (void);
/* What to draw: `draw (cr, width, height, style, data)`; NULL draws only the
 * background. */
void       cnn_figure_view_set_draw_func (CnnFigureView *view, CnnRenderDrawFunc draw,
                                          CnnNaturalSizeFunc natural_size, gpointer data,
                                          GDestroyNotify destroy);
void       cnn_figure_view_set_style     (CnnFigureView *view, CnnRenderStyleId style);
CnnRenderStyleId cnn_figure_view_get_style (CnnFigureView *view);
/* The natural size of the figure in `style` (the widget's size when the
 * figure has no opinion). */
void       cnn_figure_view_get_natural_size (CnnFigureView *view, const CnnRenderStyle *style,
                                             double *width, double *height);

/* Writes the figure to `path` (.png, .svg, .pdf) at width × height CSS px
 * (0: the natural size), dpi for PNG, in `style`. */
gboolean   cnn_figure_view_export (CnnFigureView *view, const char *path, double width,
                                   double height, double dpi, CnnRenderStyleId style,
                                   GError **error);

/* The data changed: redraw, but at most every `ms` milliseconds (a live
 * figure that redraws on every training step would take the CPU the
 * training needs). Style and size changes still redraw at once. */
void       cnn_figure_view_data_changed (CnnFigureView *view, guint ms);

/* How many times the widget has drawn (tests, and the frame log). */
guint      cnn_figure_view_get_draw_count (CnnFigureView *view);

G_END_DECLS
