/* cnn-session.h: a training session. The engine's trainer runs in one worker
 * thread; the main thread sees it through a mutex-guarded metrics store and
 * immutable, reference-counted copies of the weights. The worker wakes the
 * main thread with at most one pending notification; every signal is
 * emitted on the main thread, and no GTK call happens anywhere here. */
#pragma once

#include <glib-object.h>

#include "cnn-engine.h"
#include "cnn-run-settings.h"

G_BEGIN_DECLS

#define CNN_TYPE_SESSION (cnn_session_get_type ())
G_DECLARE_FINAL_TYPE (CnnSession, cnn_session, CNN, SESSION, GObject)

typedef enum
{
  CNN_SESSION_IDLE,       /* no run; a model may be there to explore or continue */
  CNN_SESSION_LOADING,    /* the worker loads the data and builds the model */
  CNN_SESSION_RUNNING,
  CNN_SESSION_PAUSED,     /* the worker waits before its next step */
  CNN_SESSION_STOPPING,   /* asked to stop; the worker ends its step */
} CnnSessionState;

GType cnn_session_state_get_type (void);
#define CNN_TYPE_SESSION_STATE (cnn_session_state_get_type ())

/* An immutable copy of the parameters and BN statistics, shared between the
 * threads by reference. */
typedef struct
{
  gint64  global_step;     /* steps of this run when it was taken */
  double  epoch;           /* fractional epoch, counting earlier runs of the model */
  size_t  n_params, n_state;
  float  *params;          /* (n_params) */
  float  *state;           /* (n_state) */
} CnnWeights;

CnnWeights *cnn_weights_ref   (CnnWeights *weights);
void        cnn_weights_unref (CnnWeights *weights);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnWeights, cnn_weights_unref)

/* One training step, for the curves. */
typedef struct
{
  double epoch;            /* fractional: 0.5 is half-way through the first epoch */
  double loss, accuracy;   /* of this batch */
} CnnStepRecord;

/* Where the run is. */
typedef struct
{
  int    epoch, epochs;            /* 1-based epoch of this run, and how many */
  int    step, steps_per_epoch;
  double img_per_s;
  double seconds_left;             /* NAN when not known yet */
  double fraction;                 /* of the whole run, 0 .. 1 */
} CnnProgress;

CnnSession      *cnn_session_new       (void);

/* A fresh model trained with `settings`. Refused while a run is in progress
 * or when the settings or the model spec are invalid; data loading errors
 * come later, through ::finished. */
gboolean         cnn_session_start     (CnnSession *session, const CnnRunSettings *settings,
                                        GError **error);
/* `epochs` more epochs of the current model (trained here or opened). */
gboolean         cnn_session_continue  (CnnSession *session, int epochs, GError **error);
void             cnn_session_pause     (CnnSession *session);
void             cnn_session_resume    (CnnSession *session);
/* Asks the worker to stop after its current step; ::finished follows. */
void             cnn_session_stop      (CnnSession *session);
/* Stops and waits for the worker (at most one step, or the data load). */
void             cnn_session_shutdown  (CnnSession *session);

CnnSessionState  cnn_session_get_state (CnnSession *session);
gboolean         cnn_session_is_busy   (CnnSession *session);   /* loading to stopping */

/* The settings of the current model's run; NULL before there is one. */
const CnnRunSettings *cnn_session_get_settings (CnnSession *session);
/* Main-thread copies of what the worker reported for the current run. */
const CnnStepRecord  *cnn_session_get_steps    (CnnSession *session, guint *n);
const CnnEpochInfo   *cnn_session_get_epochs   (CnnSession *session, guint *n);
gboolean              cnn_session_get_progress (CnnSession *session, CnnProgress *progress);
/* The latest weights (a new reference), or NULL. */
CnnWeights           *cnn_session_dup_weights  (CnnSession *session);
/* A main-thread network holding the latest weights, for the panels; NULL
 * before a model exists. Replaced when a run starts or a model is opened
 * (::model-changed). */
CnnNetwork           *cnn_session_get_network  (CnnSession *session);
const CnnDataset     *cnn_session_get_dataset  (CnnSession *session);
const CnnNormalizer  *cnn_session_get_normalizer (CnnSession *session);
/* Epochs the model had before this run (a continued run or checkpoint). */
int                   cnn_session_get_epochs_before (CnnSession *session);

/* The model with its latest weights, at any time (a running session saves
 * its last snapshot). */
gboolean         cnn_session_save      (CnnSession *session, const char *path, GError **error);
/* A checkpoint to explore or continue. Refused while a run is in progress. */
gboolean         cnn_session_open      (CnnSession *session, const char *path, GError **error);

/* Shortest time between two weight snapshots (default 200 ms). */
void             cnn_session_set_snapshot_interval (CnnSession *session, int ms);

G_END_DECLS
