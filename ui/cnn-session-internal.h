/* cnn-session-internal.h: what the session's two halves share: the
 * main-thread GObject (cnn-session.c) and the worker (cnn-session-worker.c).
 * Fields under "shared" are guarded by `lock`; the rest belong to one side. */
#pragma once

#include "cnn-session.h"
#include "cnn-session-private.h"

G_BEGIN_DECLS

typedef struct
{
  CnnSession     *session;        /* outlives the job: dispose joins the worker */
  CnnRunSettings *settings;
  gboolean        fresh;          /* a new model, else more epochs of session->net */
  char           *spec, *source;
  char           *data_key;
  CnnDataOptions  data_opts;
  CnnDataset     *dataset;
  gboolean        dataset_owned;  /* loaded here and not yet handed over */
  CnnNetwork     *net;            /* always owned by the job while it runs */
  CnnNormalizer  *nz;
  gboolean        nz_owned;
  CnnAugment     *augment;        /* NULL: none */
  CnnShape        in_shape;       /* set before `ready` */
  int             n_classes;
  int             epochs;
  int             epochs_before;
  int             snapshot_interval_ms;
  gint64          last_snapshot, last_notify;
  double          epoch_now;      /* fractional, for snapshots */
  gint64          step_now;
  GError         *error;
} Job;

struct _CnnSession
{
  GObject parent_instance;

  /* shared with the worker, under lock */
  GMutex      lock;
  GCond       cond;
  GArray     *pending_steps;      /* CnnStepRecord */
  GArray     *pending_epochs;     /* CnnEpochInfo */
  CnnProgress shared_progress;
  gboolean    shared_progress_valid;
  CnnWeights *shared_weights;
  guint       shared_weights_serial;
  gboolean    paused, cancel;
  gboolean    ready, done;
  guint       notify_source;      /* the one pending notification, or 0 */

  /* main thread only */
  CnnSessionState state;
  GThread    *thread;
  Job        *job;
  gboolean    ready_seen;
  CnnRunSettings *settings;
  GArray     *steps, *epochs;
  CnnProgress progress;
  gboolean    progress_valid;
  CnnWeights *weights;
  guint       weights_serial;
  guint       weights_version;   /* counts ::weights-changed */
  CnnNetwork *view;               /* the panels' network */
  CnnNetwork *net;                /* the model between runs */
  CnnNormalizer *nz;
  CnnDataset *dataset;
  char       *data_key;
  char      **class_names;        /* of an opened checkpoint without data */
  int         epochs_before;
  int         epochs_done;
  guint       run_serial;
  int         snapshot_interval_ms;
};

/* A snapshot of net's parameters and statistics (one reference). */
CnnWeights *cnn_weights_take        (CnnNetwork *net, gint64 step, double epoch);
void        cnn_session_job_free    (Job *job);
/* The worker thread's body: loads, builds, trains, then reports done. */
gpointer    cnn_session_worker      (gpointer job);
/* The main thread's side of a notification (an idle callback). */
gboolean    cnn_session_dispatch    (gpointer session);

G_END_DECLS
