/* cnn-transfer-page.h: the lecture's transfer learning on the current
 * model: new classes of its data set with a few images each, learned three
 * ways (from scratch, frozen features with a new head, fine-tuned), their
 * test accuracy curves overlaid as they train and their final accuracies
 * as bars. The strategies run one after the other in a thread of their own
 * on a copy of the model, with a progress bar and Cancel. */
#pragma once

#include <gtk/gtk.h>

#include "cnn-figure-view.h"
#include "cnn-session.h"

G_BEGIN_DECLS

#define CNN_TYPE_TRANSFER_PAGE (cnn_transfer_page_get_type ())
G_DECLARE_FINAL_TYPE (CnnTransferPage, cnn_transfer_page, CNN, TRANSFER_PAGE, GtkWidget)

GtkWidget     *cnn_transfer_page_new      (CnnSession *session);
CnnFigureView *cnn_transfer_page_get_view (CnnTransferPage *page);

/* What the toolbar sets, and Run (FALSE with the reason when it cannot start). */
void     cnn_transfer_page_set_task (CnnTransferPage *page, const char *classes, int per_class,
                                     int epochs);
gboolean cnn_transfer_page_run      (CnnTransferPage *page, GError **error);
void     cnn_transfer_page_cancel   (CnnTransferPage *page);
gboolean cnn_transfer_page_is_running (CnnTransferPage *page);
/* Strategy k's final test accuracy (cnn-transfer-run.h's order), NAN before. */
double   cnn_transfer_page_get_accuracy (CnnTransferPage *page, int k);

G_END_DECLS
