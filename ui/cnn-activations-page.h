/* cnn-activations-page.h: what one input does inside the network, live:
 * every channel of a layer as a map, and the class probabilities. The
 * input is an image of the data set, a file (opened or dropped) or a
 * drawing made with the mouse. Clicking a map enlarges it; clicking a unit
 * outlines its receptive field on the input. The maps follow the weights
 * while the network trains. */
#pragma once

#include <gtk/gtk.h>

#include "cnn-figure-view.h"
#include "cnn-pinned-input.h"
#include "cnn-session.h"

G_BEGIN_DECLS

#define CNN_TYPE_ACTIVATIONS_PAGE (cnn_activations_page_get_type ())
G_DECLARE_FINAL_TYPE (CnnActivationsPage, cnn_activations_page, CNN, ACTIVATIONS_PAGE, GtkWidget)

GtkWidget     *cnn_activations_page_new      (CnnSession *session, CnnPinnedInput *pin);
CnnFigureView *cnn_activations_page_get_view (CnnActivationsPage *page);

/* What the toolbar and the mouse do, for tests and scripts. */
void     cnn_activations_page_show_image  (CnnActivationsPage *page, int index);
gboolean cnn_activations_page_open_file   (CnnActivationsPage *page, const char *path,
                                           GError **error);
/* Drawing: a blank canvas (TRUE) or back to the data set's image. */
void     cnn_activations_page_set_drawing (CnnActivationsPage *page, gboolean drawing);
/* A stroke from (y0, x0) to (y1, x1), in input pixels. */
void     cnn_activations_page_draw_stroke (CnnActivationsPage *page, double y0, double x0,
                                           double y1, double x1);
gboolean cnn_activations_page_set_layer   (CnnActivationsPage *page, const char *name);
/* Enlarges `map` and outlines unit (y, x) and its receptive field; map -1
 * goes back to all maps. */
void     cnn_activations_page_select_unit (CnnActivationsPage *page, int map, int y, int x);
/* The receptive field box outlined on the input (FALSE when none). */
gboolean cnn_activations_page_get_field   (CnnActivationsPage *page, int *y0, int *x0, int *h,
                                           int *w);
/* The input as the network sees it, in bytes (1, c, h, w); NULL before one. */
const CnnImageSet *cnn_activations_page_get_input (CnnActivationsPage *page);
/* The most probable class for the current input, -1 before there is one. */
int      cnn_activations_page_get_top_class (CnnActivationsPage *page);
/* How many times the maps were computed (tests, and the cost measurement). */
guint    cnn_activations_page_get_compute_count (CnnActivationsPage *page);

G_END_DECLS
