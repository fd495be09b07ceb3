/* cnn-session-private.h: what the window reads besides the public API. */
#pragma once

#include "cnn-session.h"

G_BEGIN_DECLS

/* Changes whenever the step and epoch mirrors start over (a new model was
 * built or opened); a continued run keeps it and appends. */
guint              cnn_session_get_run_serial  (CnnSession *session);
/* The data set's class names, or an opened checkpoint's; may be NULL. */
const char *const *cnn_session_get_class_names (CnnSession *session);

/* A network of its own with the latest weights, for a worker thread (a
 * panel's long computation); NULL before a model exists. */
CnnNetwork        *cnn_session_dup_network     (CnnSession *session);
/* Changes whenever ::weights-changed is emitted: a cache key. */
guint              cnn_session_get_weights_serial (CnnSession *session);

G_END_DECLS
