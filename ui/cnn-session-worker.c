/* The session's worker thread: it owns the network it trains and shares
 * only what cnn-session-internal.h marks as shared, under the lock, and
 * immutable weight snapshots. It never touches GTK or the main loop except
 * to add the one pending notification. */
#include "cnn-session-internal.h"

#include <math.h>
#include <string.h>

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

CnnWeights *
cnn_weights_take (CnnNetwork *net, gint64 step, double epoch)
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

void
cnn_session_job_free (Job *job)
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

/* With the lock held: schedule the notification unless one is pending. */
static void
notify_locked (Job *job)
{
  CnnSession *self = job->session;
  job->last_notify = g_get_monotonic_time ();
  if (self->notify_source == 0)
    self->notify_source = g_idle_add_full (G_PRIORITY_DEFAULT, cnn_session_dispatch, self, NULL);
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
  CnnWeights *w = cnn_weights_take (job->net, job->step_now, job->epoch_now);
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
      /* a model trained on a class subset goes on with those classes */
      if (!cnn_dataset_apply_classes (job->dataset, s->classes, &job->error))
        return FALSE;
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

gpointer
cnn_session_worker (gpointer data)
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
      CnnWeights *w = cnn_weights_take (job->net, 0, job->epoch_now);
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
