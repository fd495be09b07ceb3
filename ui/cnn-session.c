/* The worker thread owns the network it trains; everything else it shares
 * is either immutable once published (the data set, the normalizer, weight
 * snapshots) or behind `lock` (the pending metrics, the flags). The main
 * thread learns about news from one idle source at a time and copies them
 * into its own mirrors, which the panels read without locking. */
#include "cnn-session.h"

#include <math.h>
#include <string.h>

#include "cnn-session-private.h"

struct _CnnWeightsPriv
{
  CnnWeights    pub;
  gatomicrefcount refs;
};
typedef struct _CnnWeightsPriv CnnWeightsPriv;

CnnWeights *
cnn_weights_ref (CnnWeights *weights)
{
  g_atomic_ref_count_inc (&((CnnWeightsPriv *) weights)->refs);
  return weights;
}

void
cnn_weights_unref (CnnWeights *weights)
{
  if (weights == NULL)
    return;
  CnnWeightsPriv *w = (CnnWeightsPriv *) weights;
  if (g_atomic_ref_count_dec (&w->refs))
    {
      g_free (w->pub.params);
      g_free (w->pub.state);
      g_free (w);
    }
}

static CnnWeights *
weights_take (CnnNetwork *net, gint64 step, double epoch)
{
  CnnWeightsPriv *w = g_new0 (CnnWeightsPriv, 1);
  g_atomic_ref_count_init (&w->refs);
  w->pub.global_step = step;
  w->pub.epoch = epoch;
  w->pub.n_params = cnn_network_get_n_params (net);
  w->pub.n_state = cnn_network_get_n_state (net);
  w->pub.params = g_memdup2 (cnn_network_get_params (net), MAX (w->pub.n_params, 1) * sizeof (float));
  w->pub.state = g_memdup2 (cnn_network_get_state (net), MAX (w->pub.n_state, 1) * sizeof (float));
  return &w->pub;
}

/* What one run needs; the worker owns it until the main thread joins it. */
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

static void
job_free (Job *job)
{
  cnn_run_settings_free (job->settings);
  g_free (job->spec);
  g_free (job->source);
  g_free (job->data_key);
  if (job->dataset_owned)
    cnn_dataset_free (job->dataset);
  cnn_network_free (job->net);
  if (job->nz_owned)
    cnn_normalizer_free (job->nz);
  cnn_augment_free (job->augment);
  g_clear_error (&job->error);
  g_free (job);
}

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

G_DEFINE_TYPE (CnnSession, cnn_session, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (CnnSessionState, cnn_session_state,
                    G_DEFINE_ENUM_VALUE (CNN_SESSION_IDLE, "idle"),
                    G_DEFINE_ENUM_VALUE (CNN_SESSION_LOADING, "loading"),
                    G_DEFINE_ENUM_VALUE (CNN_SESSION_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (CNN_SESSION_PAUSED, "paused"),
                    G_DEFINE_ENUM_VALUE (CNN_SESSION_STOPPING, "stopping"))

enum { PROP_0, PROP_STATE, N_PROPS };
static GParamSpec *props[N_PROPS];

enum { SIG_MODEL_CHANGED, SIG_METRICS_CHANGED, SIG_WEIGHTS_CHANGED, SIG_FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
set_state (CnnSession *self, CnnSessionState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
}

/* ---- the worker's side ---- */

static gboolean dispatch (gpointer data);

/* With the lock held: schedule the notification unless one is pending. */
static void
notify_locked (Job *job)
{
  CnnSession *self = job->session;
  job->last_notify = g_get_monotonic_time ();
  if (self->notify_source == 0)
    self->notify_source = g_idle_add_full (G_PRIORITY_DEFAULT, dispatch, self, NULL);
}

static void
publish_weights_locked (Job *job, CnnWeights *w)
{
  CnnSession *self = job->session;
  cnn_weights_unref (self->shared_weights);
  self->shared_weights = w;
  self->shared_weights_serial++;
}

static void
snapshot (Job *job)
{
  CnnWeights *w = weights_take (job->net, job->step_now, job->epoch_now);
  job->last_snapshot = g_get_monotonic_time ();
  g_mutex_lock (&job->session->lock);
  publish_weights_locked (job, w);
  g_mutex_unlock (&job->session->lock);
}

static gboolean
should_stop (gpointer data)
{
  Job *job = data;
  CnnSession *self = job->session;
  g_mutex_lock (&self->lock);
  if (self->paused && !self->cancel)
    {
      /* show the steps made since the last notification before waiting */
      notify_locked (job);
      while (self->paused && !self->cancel)
        g_cond_wait (&self->cond, &self->lock);
    }
  gboolean stop = self->cancel;
  g_mutex_unlock (&self->lock);
  return stop;
}

static void
on_step (const CnnStepInfo *s, gpointer data)
{
  Job *job = data;
  CnnSession *self = job->session;
  job->step_now = s->global_step;
  job->epoch_now = job->epochs_before + (s->epoch - 1) + (double) s->step / s->steps_per_epoch;
  CnnStepRecord rec = { .epoch = job->epoch_now, .loss = s->loss, .accuracy = s->accuracy };
  gint64 now = g_get_monotonic_time ();
  if (now - job->last_snapshot >= (gint64) job->snapshot_interval_ms * 1000)
    snapshot (job);

  double steps_left = (double) (job->epochs - s->epoch) * s->steps_per_epoch
                      + (s->steps_per_epoch - s->step);
  g_mutex_lock (&self->lock);
  g_array_append_val (self->pending_steps, rec);
  self->shared_progress = (CnnProgress) {
    .epoch = s->epoch, .epochs = job->epochs, .step = s->step,
    .steps_per_epoch = s->steps_per_epoch, .img_per_s = s->img_per_s,
    .seconds_left = s->img_per_s > 0 ? steps_left * s->batch_size / s->img_per_s : NAN,
    .fraction = ((double) (s->epoch - 1) * s->steps_per_epoch + s->step)
                / ((double) job->epochs * s->steps_per_epoch),
  };
  self->shared_progress_valid = TRUE;
  /* five notifications a second at most: a fast model makes thousands of
   * steps a second, which the main thread takes in one go; every wake-up
   * of the main thread preempts a training thread, which stalls the others
   * at the pool's next barrier */
  if (now - job->last_notify >= 200000)
    notify_locked (job);
  g_mutex_unlock (&self->lock);
}

static void
on_epoch (const CnnEpochInfo *e, gpointer data)
{
  Job *job = data;
  CnnSession *self = job->session;
  CnnEpochInfo rec = *e;
  rec.epoch += job->epochs_before;
  rec.epochs += job->epochs_before;
  snapshot (job);
  g_mutex_lock (&self->lock);
  g_array_append_val (self->pending_epochs, rec);
  notify_locked (job);
  g_mutex_unlock (&self->lock);
}

static gboolean
prepare (Job *job, int **train_idx, int *n_train, int **val_idx, int *n_val)
{
  CnnRunSettings *s = job->settings;
  if (job->dataset == NULL)
    {
      job->dataset = cnn_dataset_load_with (s->data, &job->data_opts, &job->error);
      if (job->dataset == NULL)
        return FALSE;
      job->dataset_owned = TRUE;
    }
  CnnDataset *ds = job->dataset;
  CnnShape in = { ds->train->c, ds->train->h, ds->train->w };
  if (job->fresh)
    {
      job->net = cnn_network_new (job->spec, job->source, in, ds->n_classes, &job->error);
      if (job->net == NULL)
        return FALSE;
      cnn_network_init_params (job->net, s->seed);
    }
  else
    {
      CnnShape want = cnn_network_get_input_shape (job->net);
      if (want.c != in.c || want.h != in.h || want.w != in.w)
        {
          g_set_error (&job->error, CNN_ERROR, CNN_ERROR_SHAPE,
                       "the model takes %d×%d×%d images but %s has %d×%d×%d", want.c, want.h,
                       want.w, s->data, in.c, in.h, in.w);
          return FALSE;
        }
      if (ds->n_classes > cnn_network_get_n_classes (job->net))
        {
          g_set_error (&job->error, CNN_ERROR, CNN_ERROR_SHAPE, "%s has %d classes but the model "
                       "knows %d", s->data, ds->n_classes, cnn_network_get_n_classes (job->net));
          return FALSE;
        }
    }
  job->in_shape = in;
  job->n_classes = cnn_network_get_n_classes (job->net);
  double val_split = ds->n_fixed_val > 0 ? 0.0 : s->val_split;
  cnn_dataset_split (ds, val_split, s->limit_per_class, s->seed, train_idx, n_train, val_idx, n_val);
  if (job->nz == NULL)
    {
      job->nz = cnn_normalizer_new_fit (s->standardize, ds->train, *train_idx, *n_train);
      job->nz_owned = TRUE;
    }
  return TRUE;
}

static gpointer
worker (gpointer data)
{
  Job *job = data;
  CnnSession *self = job->session;
  g_autofree int *train_idx = NULL, *val_idx = NULL;
  int n_train = 0, n_val = 0;
  CnnTrainer *trainer = NULL;
  gboolean ok = prepare (job, &train_idx, &n_train, &val_idx, &n_val);
  if (ok)
    {
      CnnTrainConfig config = { .epochs = job->epochs, .batch_size = job->settings->batch_size,
                                .seed = job->settings->seed, .threads = job->settings->threads,
                                .optimizer = job->settings->optimizer,
                                .augment = job->augment };
      trainer = cnn_trainer_new (job->net, job->dataset->train, job->nz, train_idx, n_train,
                                 val_idx, n_val, &config, &job->error);
      ok = trainer != NULL;
    }
  if (ok)
    {
      job->epoch_now = job->epochs_before;
      CnnWeights *w = weights_take (job->net, 0, job->epoch_now);
      job->last_snapshot = g_get_monotonic_time ();
      g_mutex_lock (&self->lock);
      self->ready = TRUE;
      publish_weights_locked (job, w);
      notify_locked (job);
      g_mutex_unlock (&self->lock);

      CnnTrainCallbacks cb = { on_step, on_epoch, should_stop, job };
      ok = cnn_trainer_run (trainer, &cb, &job->error);
      /* stopped or diverged: the weights are the last good step's */
      snapshot (job);
    }
  if (!ok && g_error_matches (job->error, CNN_ERROR, CNN_ERROR_CANCELLED))
    g_clear_error (&job->error);
  cnn_trainer_free (trainer);

  g_mutex_lock (&self->lock);
  self->done = TRUE;
  notify_locked (job);
  g_mutex_unlock (&self->lock);
  return NULL;
}

/* ---- the main thread's side ---- */

static void
copy_weights_into (CnnNetwork *net, const CnnWeights *w)
{
  if (net == NULL || w == NULL || w->n_params != cnn_network_get_n_params (net)
      || w->n_state != cnn_network_get_n_state (net))
    return;
  memcpy (cnn_network_get_params (net), w->params, w->n_params * sizeof (float));
  memcpy (cnn_network_get_state (net), w->state, w->n_state * sizeof (float));
}

static void
reset_mirrors (CnnSession *self)
{
  g_array_set_size (self->steps, 0);
  g_array_set_size (self->epochs, 0);
  self->progress_valid = FALSE;
  self->run_serial++;
}

/* The worker has built the model: hand over what the panels read. */
static void
take_ready (CnnSession *self)
{
  Job *job = self->job;
  self->ready_seen = TRUE;
  if (job->fresh)
    {
      g_autoptr (GError) error = NULL;
      CnnNetwork *view = cnn_network_new (job->spec, job->source, job->in_shape, job->n_classes,
                                          &error);
      /* the worker built the same spec a moment ago */
      g_assert_no_error (error);
      g_clear_pointer (&self->view, cnn_network_free);
      self->view = view;
      g_clear_pointer (&self->net, cnn_network_free);
      g_clear_pointer (&self->nz, cnn_normalizer_free);
      self->nz = job->nz;
      job->nz_owned = FALSE;
      g_clear_pointer (&self->settings, cnn_run_settings_free);
      self->settings = cnn_run_settings_copy (job->settings);
      g_clear_pointer (&self->class_names, g_strfreev);
      self->epochs_before = 0;
      self->epochs_done = 0;
      reset_mirrors (self);
    }
  if (job->dataset_owned)
    {
      if (self->dataset != job->dataset)
        g_clear_pointer (&self->dataset, cnn_dataset_free);
      self->dataset = job->dataset;
      job->dataset_owned = FALSE;
      g_free (self->data_key);
      self->data_key = g_strdup (job->data_key);
    }
  if (self->state == CNN_SESSION_LOADING)
    set_state (self, CNN_SESSION_RUNNING);
  g_signal_emit (self, signals[SIG_MODEL_CHANGED], 0);
}

static void
finish_run (CnnSession *self)
{
  g_thread_join (self->thread);
  self->thread = NULL;
  Job *job = g_steal_pointer (&self->job);
  /* a continued model comes back whatever happened; a new one only when
   * it was built (a failed load leaves the previous model in place) */
  if (!job->fresh || self->ready_seen)
    self->net = g_steal_pointer (&job->net);
  GError *error = g_steal_pointer (&job->error);
  job_free (job);
  g_mutex_lock (&self->lock);
  self->ready = self->done = self->paused = self->cancel = FALSE;
  g_mutex_unlock (&self->lock);
  self->ready_seen = FALSE;
  set_state (self, CNN_SESSION_IDLE);
  g_signal_emit (self, signals[SIG_FINISHED], 0, error);
  g_clear_error (&error);
}

static gboolean
dispatch (gpointer data)
{
  CnnSession *self = data;
  g_autoptr (GArray) steps = NULL, epochs = NULL;
  CnnWeights *w = NULL;
  g_mutex_lock (&self->lock);
  self->notify_source = 0;
  if (self->pending_steps->len)
    {
      steps = self->pending_steps;
      self->pending_steps = g_array_new (FALSE, FALSE, sizeof (CnnStepRecord));
    }
  if (self->pending_epochs->len)
    {
      epochs = self->pending_epochs;
      self->pending_epochs = g_array_new (FALSE, FALSE, sizeof (CnnEpochInfo));
    }
  CnnProgress progress = self->shared_progress;
  gboolean progress_valid = self->shared_progress_valid;
  if (self->shared_weights && self->shared_weights_serial != self->weights_serial)
    {
      w = cnn_weights_ref (self->shared_weights);
      self->weights_serial = self->shared_weights_serial;
    }
  gboolean ready = self->ready && !self->ready_seen;
  gboolean done = self->done;
  g_mutex_unlock (&self->lock);

  /* a new model starts its mirrors over: take it before this run's news */
  if (ready)
    take_ready (self);
  if (progress_valid)
    {
      self->progress = progress;
      self->progress_valid = TRUE;
    }
  if (steps)
    g_array_append_vals (self->steps, steps->data, steps->len);
  if (epochs)
    {
      g_array_append_vals (self->epochs, epochs->data, epochs->len);
      self->epochs_done = g_array_index (epochs, CnnEpochInfo, epochs->len - 1).epoch;
    }
  if (w)
    {
      cnn_weights_unref (self->weights);
      self->weights = w;
      copy_weights_into (self->view, w);
      g_signal_emit (self, signals[SIG_WEIGHTS_CHANGED], 0);
    }
  if (steps || epochs || ready)
    g_signal_emit (self, signals[SIG_METRICS_CHANGED], 0);
  if (done)
    finish_run (self);
  return G_SOURCE_REMOVE;
}

static char *
make_data_key (const char *data, guint64 seed)
{
  /* the seed only shapes the synthetic set */
  return g_strdup_printf ("%s\n%" G_GUINT64_FORMAT, data,
                          g_strcmp0 (data, "synthetic") == 0 ? seed : 0);
}

/* The cached data set serves a run of `key` whose options ask for its shape
 * (or for the data set's own, all zero). */
static gboolean
dataset_fits (CnnSession *self, const char *key, const CnnDataOptions *opts)
{
  if (self->dataset == NULL || g_strcmp0 (self->data_key, key) != 0)
    return FALSE;
  const CnnImageSet *t = self->dataset->train;
  return (opts->channels == 0 || opts->channels == t->c) && (opts->h == 0 || opts->h == t->h)
         && (opts->w == 0 || opts->w == t->w);
}

static void
launch (CnnSession *self, Job *job)
{
  job->session = self;
  /* checked by cnn_run_settings_check (start) or written by us (continue) */
  job->augment = cnn_augment_parse (job->settings->augment, NULL);
  job->snapshot_interval_ms = self->snapshot_interval_ms;
  job->data_key = make_data_key (job->settings->data, job->settings->seed);
  if (dataset_fits (self, job->data_key, &job->data_opts))
    job->dataset = self->dataset;   /* borrowed: both threads only read it */
  self->job = job;
  self->ready_seen = FALSE;
  self->progress_valid = FALSE;
  g_mutex_lock (&self->lock);
  self->ready = self->done = self->paused = self->cancel = FALSE;
  self->shared_progress_valid = FALSE;
  g_mutex_unlock (&self->lock);
  set_state (self, CNN_SESSION_LOADING);
  self->thread = g_thread_new ("cnn-train", worker, job);
}

gboolean
cnn_session_start (CnnSession *self, const CnnRunSettings *settings, GError **error)
{
  g_return_val_if_fail (CNN_IS_SESSION (self), FALSE);
  if (self->job)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "a run is in progress: stop it first");
      return FALSE;
    }
  if (!cnn_run_settings_check (settings, error))
    return FALSE;
  Job *job = g_new0 (Job, 1);
  job->fresh = TRUE;
  job->settings = cnn_run_settings_copy (settings);
  job->spec = cnn_run_settings_build_spec (settings, &job->source, error);
  if (job->spec == NULL)
    {
      job_free (job);
      return FALSE;
    }
  job->data_opts.seed = settings->seed;
  job->epochs = settings->epochs;
  launch (self, job);
  return TRUE;
}

gboolean
cnn_session_continue (CnnSession *self, int epochs, GError **error)
{
  g_return_val_if_fail (CNN_IS_SESSION (self), FALSE);
  if (self->job)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "a run is in progress: stop it first");
      return FALSE;
    }
  if (self->net == NULL || self->nz == NULL || self->settings == NULL)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "there is no model to continue: train one or open a checkpoint");
      return FALSE;
    }
  if (epochs < 1 || epochs > 100000)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "epochs must be between 1 and 100000, not %d", epochs);
      return FALSE;
    }
  Job *job = g_new0 (Job, 1);
  job->settings = cnn_run_settings_copy (self->settings);
  job->settings->epochs = epochs;
  job->spec = g_strdup (cnn_network_get_spec (self->net));
  job->source = g_strdup ("the model");
  /* the images as the model was trained on them */
  CnnShape in = cnn_network_get_input_shape (self->net);
  if ((in.c == 1 || in.c == 3) && in.h <= 4096 && in.w <= 4096)
    job->data_opts = (CnnDataOptions) { .channels = in.c, .h = in.h, .w = in.w };
  job->data_opts.seed = self->settings->seed;
  job->net = g_steal_pointer (&self->net);
  job->nz = self->nz;   /* borrowed, immutable */
  job->epochs = epochs;
  job->epochs_before = self->epochs_done;
  self->epochs_before = self->epochs_done;
  launch (self, job);
  return TRUE;
}

void
cnn_session_pause (CnnSession *self)
{
  g_return_if_fail (CNN_IS_SESSION (self));
  if (self->state != CNN_SESSION_RUNNING && self->state != CNN_SESSION_LOADING)
    return;
  g_mutex_lock (&self->lock);
  self->paused = TRUE;
  g_mutex_unlock (&self->lock);
  set_state (self, CNN_SESSION_PAUSED);
}

void
cnn_session_resume (CnnSession *self)
{
  g_return_if_fail (CNN_IS_SESSION (self));
  if (self->state != CNN_SESSION_PAUSED)
    return;
  g_mutex_lock (&self->lock);
  self->paused = FALSE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  set_state (self, self->ready_seen ? CNN_SESSION_RUNNING : CNN_SESSION_LOADING);
}

void
cnn_session_stop (CnnSession *self)
{
  g_return_if_fail (CNN_IS_SESSION (self));
  if (self->job == NULL || self->state == CNN_SESSION_STOPPING)
    return;
  g_mutex_lock (&self->lock);
  self->cancel = TRUE;
  self->paused = FALSE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  set_state (self, CNN_SESSION_STOPPING);
}

void
cnn_session_shutdown (CnnSession *self)
{
  g_return_if_fail (CNN_IS_SESSION (self));
  if (self->job == NULL)
    return;
  cnn_session_stop (self);
  g_thread_join (self->thread);
  self->thread = NULL;
  /* what the last notification would have delivered is dropped with the job */
  g_mutex_lock (&self->lock);
  if (self->notify_source)
    g_source_remove (self->notify_source);
  self->notify_source = 0;
  g_array_set_size (self->pending_steps, 0);
  g_array_set_size (self->pending_epochs, 0);
  self->ready = self->done = self->paused = self->cancel = FALSE;
  g_mutex_unlock (&self->lock);
  Job *job = g_steal_pointer (&self->job);
  if (self->ready_seen || !job->fresh)
    self->net = g_steal_pointer (&job->net);
  job_free (job);
  self->ready_seen = FALSE;
  set_state (self, CNN_SESSION_IDLE);
}

CnnSessionState
cnn_session_get_state (CnnSession *self)
{
  return self->state;
}

gboolean
cnn_session_is_busy (CnnSession *self)
{
  return self->job != NULL;
}

const CnnRunSettings *
cnn_session_get_settings (CnnSession *self)
{
  return self->settings;
}

const CnnStepRecord *
cnn_session_get_steps (CnnSession *self, guint *n)
{
  *n = self->steps->len;
  return (const CnnStepRecord *) self->steps->data;
}

const CnnEpochInfo *
cnn_session_get_epochs (CnnSession *self, guint *n)
{
  *n = self->epochs->len;
  return (const CnnEpochInfo *) self->epochs->data;
}

gboolean
cnn_session_get_progress (CnnSession *self, CnnProgress *progress)
{
  if (!self->progress_valid)
    return FALSE;
  *progress = self->progress;
  return TRUE;
}

CnnWeights *
cnn_session_dup_weights (CnnSession *self)
{
  return self->weights ? cnn_weights_ref (self->weights) : NULL;
}

CnnNetwork *
cnn_session_get_network (CnnSession *self)
{
  return self->view;
}

const CnnDataset *
cnn_session_get_dataset (CnnSession *self)
{
  return self->dataset;
}

const CnnNormalizer *
cnn_session_get_normalizer (CnnSession *self)
{
  return self->nz;
}

int
cnn_session_get_epochs_before (CnnSession *self)
{
  return self->epochs_before;
}

guint
cnn_session_get_run_serial (CnnSession *self)
{
  return self->run_serial;
}

const char *const *
cnn_session_get_class_names (CnnSession *self)
{
  if (self->dataset)
    return (const char *const *) self->dataset->class_names;
  return (const char *const *) self->class_names;
}

void
cnn_session_set_snapshot_interval (CnnSession *self, int ms)
{
  self->snapshot_interval_ms = CLAMP (ms, 0, 60000);
}

gboolean
cnn_session_save (CnnSession *self, const char *path, GError **error)
{
  if (self->view == NULL || self->nz == NULL || self->weights == NULL || self->settings == NULL)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "%s: there is no trained model to save yet", path);
      return FALSE;
    }
  g_autofree char *opt = cnn_optimizer_config_describe (&self->settings->optimizer);
  CnnCheckpointMeta meta = {
    .data = self->settings->data,
    .class_names = (char **) cnn_session_get_class_names (self),
    .val_split = self->dataset && self->dataset->n_fixed_val > 0 ? 0.0 : self->settings->val_split,
    .seed = self->settings->seed,
    .epochs_done = self->epochs_done,
    .optimizer = opt,
    .limit_per_class = self->settings->limit_per_class,
    .val_fixed = self->dataset && self->dataset->n_fixed_val > 0,
  };
  g_autoptr (CnnAugment) aug = cnn_augment_parse (self->settings->augment, NULL);
  g_autofree char *aug_text = aug ? cnn_augment_describe (aug) : NULL;
  meta.augment = aug_text;
  return cnn_checkpoint_save (path, self->view, self->weights->params, self->weights->state,
                              self->nz, &meta, error);
}

/* "adam lr=0.001 beta1=0.9 …" back into a configuration; adam on failure. */
static void
parse_optimizer (const char *text, CnnOptimizerConfig *cfg)
{
  g_auto (GStrv) words = g_strsplit (text ? text : "", " ", -1);
  if (words[0] == NULL || !cnn_optimizer_config_init (cfg, words[0], NULL))
    {
      cnn_optimizer_config_init (cfg, "adam", NULL);
      return;
    }
  for (int i = 1; words[i]; i++)
    {
      char *eq = strchr (words[i], '=');
      if (eq == NULL)
        continue;
      *eq = '\0';
      cnn_optimizer_config_set (cfg, words[i], g_ascii_strtod (eq + 1, NULL), NULL);
    }
}

gboolean
cnn_session_open (CnnSession *self, const char *path, GError **error)
{
  if (self->job)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "a run is in progress: stop it first");
      return FALSE;
    }
  g_autoptr (CnnCheckpoint) ckpt = cnn_checkpoint_load (path, error);
  if (ckpt == NULL)
    return FALSE;
  CnnRunSettings *s = cnn_run_settings_new ();
  g_free (s->data);
  s->data = g_strdup (ckpt->meta.data && ckpt->meta.data[0] ? ckpt->meta.data : "fashion-mnist");
  g_free (s->model);
  s->model = g_strdup (path);
  parse_optimizer (ckpt->meta.optimizer, &s->optimizer);
  s->seed = ckpt->meta.seed;
  s->standardize = ckpt->normalizer->mode;
  s->val_split = ckpt->meta.val_split;
  s->limit_per_class = ckpt->meta.limit_per_class;
  /* an augmentation this version cannot read is dropped, not fatal */
  g_autoptr (CnnAugment) aug = cnn_augment_parse (ckpt->meta.augment, NULL);
  s->augment = aug ? cnn_augment_describe (aug) : NULL;
  g_clear_pointer (&self->settings, cnn_run_settings_free);
  self->settings = s;

  g_clear_pointer (&self->net, cnn_network_free);
  g_clear_pointer (&self->view, cnn_network_free);
  g_clear_pointer (&self->nz, cnn_normalizer_free);
  self->net = g_steal_pointer (&ckpt->net);
  self->nz = g_steal_pointer (&ckpt->normalizer);
  CnnShape in = cnn_network_get_input_shape (self->net);
  self->view = cnn_network_new (cnn_network_get_spec (self->net), path, in,
                                cnn_network_get_n_classes (self->net), error);
  if (self->view == NULL)
    return FALSE;
  cnn_weights_unref (self->weights);
  self->weights = weights_take (self->net, 0, ckpt->meta.epochs_done);
  copy_weights_into (self->view, self->weights);
  g_clear_pointer (&self->class_names, g_strfreev);
  self->class_names = g_strdupv (ckpt->meta.class_names);
  /* a cached data set of another source or shape is not this model's */
  CnnDataOptions opts = { .channels = in.c, .h = in.h, .w = in.w };
  g_autofree char *key = make_data_key (s->data, s->seed);
  if (!dataset_fits (self, key, &opts))
    {
      g_clear_pointer (&self->dataset, cnn_dataset_free);
      g_clear_pointer (&self->data_key, g_free);
    }
  self->epochs_before = self->epochs_done = ckpt->meta.epochs_done;
  reset_mirrors (self);
  g_signal_emit (self, signals[SIG_MODEL_CHANGED], 0);
  g_signal_emit (self, signals[SIG_WEIGHTS_CHANGED], 0);
  g_signal_emit (self, signals[SIG_METRICS_CHANGED], 0);
  return TRUE;
}

static void
cnn_session_dispose (GObject *object)
{
  CnnSession *self = CNN_SESSION (object);
  cnn_session_shutdown (self);
  G_OBJECT_CLASS (cnn_session_parent_class)->dispose (object);
}

static void
cnn_session_finalize (GObject *object)
{
  CnnSession *self = CNN_SESSION (object);
  g_array_unref (self->pending_steps);
  g_array_unref (self->pending_epochs);
  cnn_weights_unref (self->shared_weights);
  g_array_unref (self->steps);
  g_array_unref (self->epochs);
  cnn_weights_unref (self->weights);
  cnn_run_settings_free (self->settings);
  cnn_network_free (self->view);
  cnn_network_free (self->net);
  cnn_normalizer_free (self->nz);
  cnn_dataset_free (self->dataset);
  g_free (self->data_key);
  g_strfreev (self->class_names);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (cnn_session_parent_class)->finalize (object);
}

static void
cnn_session_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CnnSession *self = CNN_SESSION (object);
  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cnn_session_class_init (CnnSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->dispose = cnn_session_dispose;
  object_class->finalize = cnn_session_finalize;
  object_class->get_property = cnn_session_get_property;

  props[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, CNN_TYPE_SESSION_STATE,
                                         CNN_SESSION_IDLE,
                                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS
                                         | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /* a new network: a run built its model, or a checkpoint was opened */
  signals[SIG_MODEL_CHANGED] = g_signal_new ("model-changed", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 0);
  signals[SIG_METRICS_CHANGED] = g_signal_new ("metrics-changed", G_TYPE_FROM_CLASS (klass),
                                               G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                               G_TYPE_NONE, 0);
  signals[SIG_WEIGHTS_CHANGED] = g_signal_new ("weights-changed", G_TYPE_FROM_CLASS (klass),
                                               G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                               G_TYPE_NONE, 0);
  /* the run ended: completed or stopped (error NULL), failed or diverged */
  signals[SIG_FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
cnn_session_init (CnnSession *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->pending_steps = g_array_new (FALSE, FALSE, sizeof (CnnStepRecord));
  self->pending_epochs = g_array_new (FALSE, FALSE, sizeof (CnnEpochInfo));
  self->steps = g_array_new (FALSE, FALSE, sizeof (CnnStepRecord));
  self->epochs = g_array_new (FALSE, FALSE, sizeof (CnnEpochInfo));
  self->snapshot_interval_ms = 200;
}

CnnSession *
cnn_session_new (void)
{
  return g_object_new (CNN_TYPE_SESSION, NULL);
}
