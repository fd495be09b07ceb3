/* The worker thread owns the network it trains; everything else it shares
 * is either immutable once published (the data set, the normalizer, weight
 * snapshots) or behind `lock` (the pending metrics, the flags). The main
 * thread learns about news from one idle source at a time and copies them
 * into its own mirrors, which the panels read without locking. */

#include <math.h>
#include <string.h>

#include <gio/gio.h>

#include "cnn-session-internal.h"

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
  cnn_session_job_free (job);
  g_mutex_lock (&self->lock);
  self->ready = self->done = self->paused = self->cancel = FALSE;
  g_mutex_unlock (&self->lock);
  self->ready_seen = FALSE;
  set_state (self, CNN_SESSION_IDLE);
  g_signal_emit (self, signals[SIG_FINISHED], 0, error);
  g_clear_error (&error);
}

gboolean
cnn_session_dispatch (gpointer data)
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
      self->weights_version++;
      g_signal_emit (self, signals[SIG_WEIGHTS_CHANGED], 0);
    }
  if (steps || epochs || ready)
    g_signal_emit (self, signals[SIG_METRICS_CHANGED], 0);
  if (done)
    finish_run (self);
  return G_SOURCE_REMOVE;
}

static char *
make_data_key (const CnnRunSettings *s)
{
  /* the seed only shapes the synthetic set */
  return g_strdup_printf ("%s\n%" G_GUINT64_FORMAT "\n%s", s->data,
                          g_strcmp0 (s->data, "synthetic") == 0 ? s->seed : 0,
                          s->classes ? s->classes : "");
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
  job->data_key = make_data_key (job->settings);
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
  self->thread = g_thread_new ("cnn-train", cnn_session_worker, job);
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
      cnn_session_job_free (job);
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
  cnn_session_job_free (job);
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

CnnNetwork *
cnn_session_dup_network (CnnSession *self)
{
  if (self->view == NULL)
    return NULL;
  g_autoptr (GError) error = NULL;
  CnnNetwork *copy = cnn_network_new (cnn_network_get_spec (self->view), "session",
                                      cnn_network_get_input_shape (self->view),
                                      cnn_network_get_n_classes (self->view), &error);
  /* the spec built the view already */
  g_assert_no_error (error);
  copy_weights_into (copy, self->weights);
  return copy;
}

guint
cnn_session_get_weights_serial (CnnSession *self)
{
  return self->weights_version;
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
    .classes = self->settings->classes,
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

/* An opened checkpoint's data set, loaded in the background so the panels
 * can show its images before any run. */
typedef struct
{
  GWeakRef       session;   /* closing the window does not wait for the load */
  char          *data, *key, *classes;
  CnnDataOptions opts;
} DataLoad;

static void
data_load_free (gpointer data)
{
  DataLoad *d = data;
  g_weak_ref_clear (&d->session);
  g_free (d->data);
  g_free (d->key);
  g_free (d->classes);
  g_free (d);
}

static void
data_load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  DataLoad *d = task_data;
  GError *error = NULL;
  CnnDataset *ds = cnn_dataset_load_with (d->data, &d->opts, &error);
  if (ds && !cnn_dataset_apply_classes (ds, d->classes, &error))
    g_clear_pointer (&ds, cnn_dataset_free);
  if (ds)
    g_task_return_pointer (task, ds, (GDestroyNotify) cnn_dataset_free);
  else
    g_task_return_error (task, error);
}

static void
data_load_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  DataLoad *d = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  CnnDataset *ds = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr (CnnSession) self = g_weak_ref_get (&d->session);
  if (self == NULL)
    {
      if (ds)
        cnn_dataset_free (ds);
      return;
    }
  /* still wanted: no run took over and the same model is open */
  g_autofree char *key = self->settings ? make_data_key (self->settings)
                                        : NULL;
  gboolean wanted = ds && self->dataset == NULL && !cnn_session_is_busy (self)
                    && g_strcmp0 (d->key, key) == 0;
  if (!wanted)
    {
      if (ds)
        cnn_dataset_free (ds);
      return;
    }
  self->dataset = ds;
  self->data_key = g_strdup (d->key);
  g_signal_emit (self, signals[SIG_MODEL_CHANGED], 0);
}

static void
load_data_in_background (CnnSession *self, const CnnDataOptions *opts)
{
  DataLoad *d = g_new0 (DataLoad, 1);
  g_weak_ref_init (&d->session, self);
  d->data = g_strdup (self->settings->data);
  d->classes = g_strdup (self->settings->classes);
  d->key = make_data_key (self->settings);
  d->opts = *opts;
  d->opts.seed = self->settings->seed;
  GTask *task = g_task_new (NULL, NULL, data_load_done, NULL);
  g_task_set_task_data (task, d, data_load_free);
  g_task_run_in_thread (task, data_load_thread);
  g_object_unref (task);
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
  s->classes = g_strdup (ckpt->meta.classes);
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
  self->weights = cnn_weights_take (self->net, 0, ckpt->meta.epochs_done);
  copy_weights_into (self->view, self->weights);
  g_clear_pointer (&self->class_names, g_strfreev);
  self->class_names = g_strdupv (ckpt->meta.class_names);
  /* a cached data set of another source or shape is not this model's */
  CnnDataOptions opts = { .channels = in.c, .h = in.h, .w = in.w };
  g_autofree char *key = make_data_key (s);
  if (!dataset_fits (self, key, &opts))
    {
      g_clear_pointer (&self->dataset, cnn_dataset_free);
      g_clear_pointer (&self->data_key, g_free);
    }
  self->epochs_before = self->epochs_done = ckpt->meta.epochs_done;
  reset_mirrors (self);
  if (self->dataset == NULL && s->data)
    load_data_in_background (self, &opts);
  g_signal_emit (self, signals[SIG_MODEL_CHANGED], 0);
  self->weights_version++;
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
