#include "cnn-trainer.h"

#include <math.h>
#include <string.h>

#include "cnn-error.h"
#include "cnn-loss.h"
#include "cnn-prefetch.h"

struct _CnnTrainer
{
  CnnNetwork          *net;
  const CnnImageSet   *set;
  const CnnNormalizer *nz;
  const CnnFeatureSet *features;       /* instead of set and nz */
  int                 *train_idx;      /* shuffled every epoch */
  int                  n_train;
  const int           *val_idx;
  int                  n_val;
  CnnTrainConfig       config;
  CnnAugment          *augment;        /* NULL: off */
  CnnOptimizer        *optimizer;
  CnnPool             *pool;
  CnnRng               shuffle_rng, dropout_rng;
  int                  epochs_done;
  gint64               global_step;
  double               best_val_loss;
  int                  best_epoch;
  float               *best_params, *best_state;
  float               *good_params, *good_state;   /* before the last update */
  float               *x;        /* (B, C, H, W) */
  guint8              *labels;   /* (B) */
  float               *dlogits;  /* (B, K) */
};

CnnFeatureSet *
cnn_feature_set_new (int n, CnnShape shape, const char *name, GError **error)
{
  g_return_val_if_fail (n >= 0 && cnn_shape_size (shape) > 0, NULL);
  double bytes = (double) n * cnn_shape_size (shape) * sizeof (float);
  float *x = NULL;
  if (bytes <= 0.8 * cnn_physical_memory () && bytes < (double) G_MAXSIZE)
    x = g_try_malloc (MAX ((gsize) bytes, 1));   /* (n, shape) */
  if (x == NULL)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "%s: %d samples of %d×%d×%d floats take %.1f GiB, more than this machine's "
                   "memory allows", name, n, shape.c, shape.h, shape.w, bytes / 1073741824.0);
      return NULL;
    }
  CnnFeatureSet *set = g_new0 (CnnFeatureSet, 1);
  set->n = n;
  set->shape = shape;
  set->x = x;
  set->labels = g_malloc0 (MAX (n, 1));   /* (n) */
  return set;
}

void
cnn_feature_set_free (CnnFeatureSet *set)
{
  if (set == NULL)
    return;
  g_free (set->x);
  g_free (set->labels);
  g_free (set);
}

static CnnTrainer *trainer_new (CnnNetwork *net, CnnShape data, const int *train_idx, int n_train,
                                const int *val_idx, int n_val, const CnnTrainConfig *config,
                                GError **error);

CnnTrainer *
cnn_trainer_new (CnnNetwork *net, const CnnImageSet *set, const CnnNormalizer *nz,
                 const int *train_idx, int n_train, const int *val_idx, int n_val,
                 const CnnTrainConfig *config, GError **error)
{
  CnnTrainer *t = trainer_new (net, (CnnShape) { set->c, set->h, set->w }, train_idx, n_train,
                               val_idx, n_val, config, error);
  if (t == NULL)
    return NULL;
  t->set = set;
  t->nz = nz;
  return t;
}

CnnTrainer *
cnn_trainer_new_features (CnnNetwork *net, const CnnFeatureSet *set, const int *train_idx,
                          int n_train, const int *val_idx, int n_val,
                          const CnnTrainConfig *config, GError **error)
{
  if (!cnn_augment_is_off (config->augment))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "features cannot be augmented: augmentation works on images");
      return NULL;
    }
  CnnTrainer *t = trainer_new (net, set->shape, train_idx, n_train, val_idx, n_val, config, error);
  if (t == NULL)
    return NULL;
  t->features = set;
  return t;
}

static CnnTrainer *
trainer_new (CnnNetwork *net, CnnShape data, const int *train_idx, int n_train,
             const int *val_idx, int n_val, const CnnTrainConfig *config, GError **error)
{
  CnnShape in = cnn_network_get_input_shape (net);
  if (data.c != in.c || data.h != in.h || data.w != in.w)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_SHAPE,
                   "the model takes %d×%d×%d inputs but the images are %d×%d×%d",
                   in.c, in.h, in.w, data.c, data.h, data.w);
      return NULL;
    }
  CnnShape out = cnn_network_get_output_shape (net);
  int K = cnn_network_get_n_classes (net);
  if (cnn_shape_size (out) != (size_t) K)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_SHAPE,
                   "the model's last layer gives %zu outputs, but there are %d classes",
                   cnn_shape_size (out), K);
      return NULL;
    }
  if (!cnn_network_check_batch (net, config->batch_size, 3, error))
    return NULL;
  if (n_train < 1 || config->batch_size < 1 || config->epochs < 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "nothing to train on (%d images, batch size %d)", n_train, config->batch_size);
      return NULL;
    }

  CnnTrainer *t = g_new0 (CnnTrainer, 1);
  t->net = net;
  t->train_idx = g_memdup2 (train_idx, sizeof (int) * n_train);
  t->n_train = n_train;
  t->val_idx = val_idx;
  t->n_val = n_val;
  t->config = *config;
  t->augment = cnn_augment_is_off (config->augment) ? NULL : cnn_augment_copy (config->augment);
  t->config.augment = t->augment;
  t->optimizer = cnn_optimizer_new (&config->optimizer, cnn_network_get_n_params (net));
  t->pool = cnn_pool_new (config->threads);
  cnn_rng_init (&t->shuffle_rng, config->seed, 1);
  cnn_rng_init (&t->dropout_rng, config->seed, 2);
  t->best_val_loss = INFINITY;
  size_t np = cnn_network_get_n_params (net), ns = cnn_network_get_n_state (net);
  t->good_params = g_new (float, MAX (np, 1));
  t->good_state = g_new (float, MAX (ns, 1));
  int B = config->batch_size;
  if (t->augment == NULL)   /* otherwise the prefetcher holds the batches */
    t->x = g_new (float, (size_t) B * cnn_shape_size (in));
  t->labels = g_new (guint8, B);
  t->dlogits = g_new (float, (size_t) B * K);
  return t;
}

void
cnn_trainer_free (CnnTrainer *t)
{
  if (t == NULL)
    return;
  cnn_optimizer_free (t->optimizer);
  cnn_augment_free (t->augment);
  cnn_pool_free (t->pool);
  g_free (t->train_idx);
  g_free (t->best_params);
  g_free (t->best_state);
  g_free (t->good_params);
  g_free (t->good_state);
  g_free (t->x);
  g_free (t->labels);
  g_free (t->dlogits);
  g_free (t);
}

static void
gather_labels (const CnnImageSet *set, const int *idx, int n, guint8 *labels)
{
  for (int i = 0; i < n; i++)
    labels[i] = set->labels[idx[i]];
}

/* Samples idx[0..count-1] of the images (standardized) or of the
 * features into x, their labels into labels. */
static void
gather (const CnnImageSet *set, const CnnNormalizer *nz, const CnnFeatureSet *features,
        const int *idx, int count, float *x, guint8 *labels)
{
  if (features == NULL)
    {
      cnn_normalizer_gather (nz, set, idx, count, x);
      gather_labels (set, idx, count, labels);
      return;
    }
  size_t size = cnn_shape_size (features->shape);
  for (int i = 0; i < count; i++)
    {
      memcpy (x + (size_t) i * size, features->x + (size_t) idx[i] * size, size * sizeof (float));
      labels[i] = features->labels[idx[i]];
    }
}

static void
evaluate (CnnNetwork *net, const CnnImageSet *set, const CnnNormalizer *nz,
          const CnnFeatureSet *features, const int *idx, int n, int batch_size, CnnPool *pool,
          double *loss, double *accuracy)
{
  CnnShape in = cnn_network_get_input_shape (net);
  int K = cnn_network_get_n_classes (net);
  int logits_layer = cnn_network_get_logits_layer (net);
  int B = MAX (1, MIN (batch_size, n));
  g_autofree float *x = g_new (float, (size_t) B * cnn_shape_size (in));
  g_autofree guint8 *labels = g_new (guint8, B);
  double total = 0.0;
  long correct = 0;
  for (int start = 0; start < n; start += B)
    {
      int count = MIN (B, n - start);
      gather (set, nz, features, idx + start, count, x, labels);
      const float *logits = cnn_network_forward ((CnnNetwork *) net, x, count, FALSE, NULL, pool,
                                                 logits_layer);
      int c = 0;
      total += cnn_loss_softmax_xent (logits, labels, count, K, NULL, &c) * count;
      correct += c;
    }
  *loss = n ? total / n : NAN;
  *accuracy = n ? (double) correct / n : NAN;
}

void
cnn_evaluate (CnnNetwork *net, const CnnImageSet *set, const CnnNormalizer *nz,
              const int *idx, int n, int batch_size, CnnPool *pool,
              double *loss, double *accuracy)
{
  evaluate (net, set, nz, NULL, idx, n, batch_size, pool, loss, accuracy);
}

void
cnn_evaluate_features (CnnNetwork *net, const CnnFeatureSet *set, const int *idx, int n,
                       int batch_size, CnnPool *pool, double *loss, double *accuracy)
{
  evaluate (net, NULL, NULL, set, idx, n, batch_size, pool, loss, accuracy);
}

static void
snapshot (CnnNetwork *net, float **params, float **state)
{
  size_t np = cnn_network_get_n_params (net), ns = cnn_network_get_n_state (net);
  if (*params == NULL)
    {
      *params = g_new (float, MAX (np, 1));
      *state = g_new (float, MAX (ns, 1));
    }
  memcpy (*params, cnn_network_get_params (net), np * sizeof (float));
  memcpy (*state, cnn_network_get_state (net), ns * sizeof (float));
}

static void
restore (CnnNetwork *net, const float *params, const float *state)
{
  memcpy (cnn_network_get_params (net), params, cnn_network_get_n_params (net) * sizeof (float));
  memcpy (cnn_network_get_state (net), state, cnn_network_get_n_state (net) * sizeof (float));
}

gboolean
cnn_trainer_run (CnnTrainer *t, const CnnTrainCallbacks *cb, GError **error)
{
  static const CnnTrainCallbacks no_callbacks = { 0 };
  if (cb == NULL)
    cb = &no_callbacks;
  CnnNetwork *net = t->net;
  const int K = cnn_network_get_n_classes (net);
  const int logits_layer = cnn_network_get_logits_layer (net);
  const int B = t->config.batch_size;
  const int steps = (t->n_train + B - 1) / B;   /* the last, partial batch too (Keras) */
  const int first_epoch = t->epochs_done + 1;
  snapshot (net, &t->good_params, &t->good_state);
  /* lives for this call: every return below joins its thread */
  g_autoptr (CnnPrefetch) prefetch = NULL;
  if (t->augment)
    {
      prefetch = cnn_prefetch_new (t->set, t->nz, t->augment, t->config.seed, B, error);
      if (prefetch == NULL)
        return FALSE;
    }

  for (int epoch = first_epoch; epoch < first_epoch + t->config.epochs; epoch++)
    {
      gint64 t0 = g_get_monotonic_time ();
      double loss_sum = 0.0;
      long correct = 0, seen = 0;
      cnn_rng_shuffle_int (&t->shuffle_rng, t->train_idx, t->n_train);
      /* the epoch's first batch cannot be prepared before its shuffle */
      if (prefetch)
        cnn_prefetch_post (prefetch, epoch, t->train_idx, MIN (B, t->n_train));

      for (int step = 0; step < steps; step++)
        {
          if (cb->should_stop && cb->should_stop (cb->user_data))
            {
              g_set_error (error, CNN_ERROR, CNN_ERROR_CANCELLED, "training was stopped");
              return FALSE;
            }
          int start = step * B, count = MIN (B, t->n_train - start);
          const float *x = t->x;
          const guint8 *labels = t->labels;
          if (prefetch)
            {
              x = cnn_prefetch_wait (prefetch, &labels);
              if (step + 1 < steps)
                cnn_prefetch_post (prefetch, epoch, t->train_idx + start + B,
                                   MIN (B, t->n_train - start - B));
            }
          else
            gather (t->set, t->nz, t->features, t->train_idx + start, count, t->x, t->labels);

          const float *logits = cnn_network_forward (net, x, count, TRUE, &t->dropout_rng,
                                                     t->pool, logits_layer);
          int c = 0;
          double loss = cnn_loss_softmax_xent (logits, labels, count, K, t->dlogits, &c);
          if (!isfinite (loss))
            {
              /* the forward pass updated BN statistics with bad numbers too */
              restore (net, t->good_params, t->good_state);
              g_set_error (error, CNN_ERROR, CNN_ERROR_DIVERGED,
                           "the loss became %s at epoch %d, step %d: training diverged "
                           "(try a smaller learning rate); the last good weights are kept",
                           isnan (loss) ? "NaN" : "infinite", epoch, step + 1);
              return FALSE;
            }
          /* these weights gave a finite loss: keep them in case the update breaks them */
          snapshot (net, &t->good_params, &t->good_state);
          cnn_network_zero_grads (net);
          cnn_network_backward (net, logits_layer, t->dlogits, NULL, &t->dropout_rng, t->pool);
          cnn_optimizer_step (t->optimizer, cnn_network_get_params (net), cnn_network_get_grads (net));
          t->global_step++;

          loss_sum += loss * count;
          correct += c;
          seen += count;
          if (cb->on_step)
            {
              double secs = (g_get_monotonic_time () - t0) / 1e6;
              CnnStepInfo info = { .epoch = epoch, .step = step + 1, .steps_per_epoch = steps,
                                   .global_step = t->global_step, .batch_size = count,
                                   .loss = loss, .accuracy = (double) c / count,
                                   .img_per_s = secs > 0 ? seen / secs : 0 };
              cb->on_step (&info, cb->user_data);
            }
        }

      double train_secs = (g_get_monotonic_time () - t0) / 1e6;
      CnnEpochInfo info = { .epoch = epoch, .epochs = first_epoch + t->config.epochs - 1,
                            .train_loss = loss_sum / seen, .train_accuracy = (double) correct / seen,
                            .val_loss = NAN, .val_accuracy = NAN,
                            .img_per_s = train_secs > 0 ? seen / train_secs : 0 };
      if (t->n_val > 0)
        evaluate (net, t->set, t->nz, t->features, t->val_idx, t->n_val, MAX (B, 256), t->pool,
                  &info.val_loss, &info.val_accuracy);
      /* the lecture's checkpointer: keep the weights of the best validation loss */
      if (t->n_val == 0 || info.val_loss < t->best_val_loss)
        {
          t->best_val_loss = t->n_val ? info.val_loss : INFINITY;
          t->best_epoch = epoch;
          snapshot (net, &t->best_params, &t->best_state);
          info.best = TRUE;
        }
      info.seconds = (g_get_monotonic_time () - t0) / 1e6;
      t->epochs_done = epoch;
      if (cb->on_epoch)
        cb->on_epoch (&info, cb->user_data);
    }
  return TRUE;
}

int
cnn_trainer_get_epochs_done (const CnnTrainer *t)
{
  return t->epochs_done;
}

const float *
cnn_trainer_get_best_params (const CnnTrainer *t, int *epoch)
{
  if (epoch)
    *epoch = t->best_epoch;
  return t->best_params;
}

const float *
cnn_trainer_get_best_state (const CnnTrainer *t)
{
  return t->best_state;
}

CnnOptimizer *
cnn_trainer_get_optimizer (CnnTrainer *t)
{
  return t->optimizer;
}

CnnPool *
cnn_trainer_get_pool (CnnTrainer *t)
{
  return t->pool;
}
