/* cnn-explain-page.h: which pixels made the network decide, for the pinned
 * input: saliency, occlusion, LIME and Grad-CAM side by side over the
 * image, with the top-3 class probabilities, a class selector and each
 * method's settings. The four maps are computed in a thread of their own
 * on a copy of the latest weights, again when the input, the class, a
 * setting or the weights change (while training, within a twentieth of the
 * machine). */
#pragma once

#include <gtk/gtk.h>

#include "cnn-figure-view.h"
#include "cnn-pinned-input.h"
#include "cnn-session.h"

G_BEGIN_DECLS

#define CNN_TYPE_EXPLAIN_PAGE (cnn_explain_page_get_type ())
G_DECLARE_FINAL_TYPE (CnnExplainPage, cnn_explain_page, CNN, EXPLAIN_PAGE, GtkWidget)

GtkWidget     *cnn_explain_page_new      (CnnSession *session, CnnPinnedInput *pin);
CnnFigureView *cnn_explain_page_get_view (CnnExplainPage *page);

/* The class to explain; -1: the predicted one. */
void     cnn_explain_page_set_class (CnnExplainPage *page, int target);
/* The explanation shown (NULL before one), and whether it is of the
 * current input, class, settings and weights with nothing left to do. */
const CnnExplanation *cnn_explain_page_get_explanation (CnnExplainPage *page);
gboolean cnn_explain_page_is_current (CnnExplainPage *page);
/* How many explanations were computed (tests, and the cost while training). */
guint    cnn_explain_page_get_compute_count (CnnExplainPage *page);

G_END_DECLS
