#include "cnn-transfer-run.h"

#include <math.h>

#include "cnn-error.h"

static const char *const names[CNN_N_STRATEGIES] = { "scratch", "features", "finetune" };
static const char *const titles[CNN_N_STRATEGIES] = { "from scratch", "frozen features", "fine-tuned" };

const char *
cnn_strategy_name (CnnStrategy k)
{
  return k < CNN_N_STRATEGIES ? names[k] : NULL;
}

const char *
cnn_strategy_title (CnnStrategy k)
{
  return k < CNN_N_STRATEGIES ? titles[k] : NULL;
}

/* One strategy's training, as it goes. */
typedef struct
{
  const CnnTransferPlan *plan;
  CnnStrategy            k;
  CnnNetwork            *net;
  CnnTrainer            *trainer;
  const CnnFeatureSet   *test_features;   /* features: the test set's, in test_idx's order */
  const int             *all_test;        /* features: 0 .. n_test-1 */
  int                    epoch_offset;    /* epochs of an earlier stage */
  gint64                 step_offset;
} Stage;

/* loss and accuracy on test images idx[0..n-1] (features: positions in
 * the test features) */
static void
evaluate_test (Stage *s, const int *idx, int n, CnnPool *pool, double *loss, double *acc)
{
  if (s->test_features)
    cnn_evaluate_features (s->net, s->test_features, idx, n, 256, pool, loss, acc);
  else
    cnn_evaluate (s->net, s->plan->ds->test, s->plan->nz, idx, n, 256, pool, loss, acc);
}

/* the curve images, by position in the test features when on features */
static const int *
curve_indices (Stage *s, int **owned)
{
  const CnnTransferPlan *p = s->plan;
  if (!s->test_features)
    return p->curve_idx;
  /* test features are in test_idx's order: find each curve image there */
  g_autoptr (GHashTable) where = g_hash_table_new (NULL, NULL);
  for (int i = 0; i < p->n_test; i++)
    g_hash_table_insert (where, GINT_TO_POINTER (p->test_idx[i] + 1), GINT_TO_POINTER (i));
  *owned = g_new (int, MAX (p->n_curve, 1));
  for (int i = 0; i < p->n_curve; i++)
    (*owned)[i] = GPOINTER_TO_INT (g_hash_table_lookup (where, GINT_TO_POINTER (p->curve_idx[i] + 1)));
  return *owned;
}

static void
on_step (const CnnStepInfo *info, gpointer data)
{
  Stage *s = data;
  if (s->plan->on_step == NULL)
    return;
  CnnStepInfo shifted = *info;
  shifted.epoch += s->epoch_offset;
  shifted.global_step += s->step_offset;
  s->plan->on_step (s->k, &shifted, s->plan->user_data);
}

static void
on_epoch (const CnnEpochInfo *info, gpointer data)
{
  Stage *s = data;
  const CnnTransferPlan *p = s->plan;
  CnnEpochInfo e = *info;
  g_autofree int *owned = NULL;
  const int *idx = curve_indices (s, &owned);
  evaluate_test (s, idx, p->n_curve, cnn_trainer_get_pool (s->trainer), &e.val_loss,
                 &e.val_accuracy);
  e.epoch += s->epoch_offset;
  e.best = FALSE;
  if (p->on_epoch)
    p->on_epoch (s->k, &e, p->user_data);
}

static gboolean
should_stop (gpointer data)
{
  Stage *s = data;
  return s->plan->should_stop && s->plan->should_stop (s->plan->user_data);
}

static gboolean
train_stage (Stage *s, CnnTrainer *trainer, GError **error)
{
  s->trainer = trainer;
  CnnTrainCallbacks cb = { on_step, on_epoch, should_stop, s };
  gboolean ok = cnn_trainer_run (trainer, &cb, error);
  int epochs = cnn_trainer_get_epochs_done (trainer);
  int batch = s->plan->batch;
  s->epoch_offset += epochs;
  s->step_offset += (gint64) epochs * ((s->plan->n_train + batch - 1) / batch);
  s->trainer = NULL;
  return ok;
}

static CnnTrainConfig
train_config (const CnnTransferPlan *p, const CnnOptimizerConfig *opt, int epochs)
{
  return (CnnTrainConfig) { .epochs = epochs, .batch_size = p->batch, .seed = p->seed,
                            .threads = p->threads, .optimizer = *opt };
}

static void
final_test (Stage *s, const int *idx, CnnPool *pool, CnnTransferResult *res)
{
  evaluate_test (s, idx, s->plan->n_test, pool, &res->loss, &res->accuracy);
}

/* The same model from random weights, on the few images. The checkpoint's
 * standardization, as the other strategies use: the comparison is about
 * the weights (pixel statistics of 100 images would divide by 1e-4 where
 * those happen to be black, and blow up test images that are not). */
static gboolean
run_scratch (const CnnTransferPlan *p, CnnTransferResult *res, GError **error)
{
  g_autoptr (CnnNetwork) net = cnn_transfer_new_head (p->pre, p->source, p->ds->n_classes, p->seed,
                                                      error);
  if (net == NULL)
    return FALSE;
  cnn_network_init_params (net, p->seed);
  CnnTrainConfig config = train_config (p, &p->optimizer, p->epochs);
  g_autoptr (CnnTrainer) trainer = cnn_trainer_new (net, p->ds->train, p->nz, p->train_idx,
                                                    p->n_train, NULL, 0, &config, error);
  if (trainer == NULL)
    return FALSE;
  Stage s = { .plan = p, .k = CNN_STRATEGY_SCRATCH, .net = net };
  if (!train_stage (&s, trainer, error))
    return FALSE;
  final_test (&s, p->test_idx, cnn_trainer_get_pool (trainer), res);
  res->epochs = s.epoch_offset;
  res->net = g_steal_pointer (&net);
  return TRUE;
}

/* Frozen features and a new head (or kNN) on them. */
static gboolean
run_features (const CnnTransferPlan *p, CnnTransferResult *res, GError **error)
{
  CnnExtractConfig ec = { .layer = p->feature_layer, .pool = p->pool, .cache_dir = p->cache_dir,
                          .data_name = p->data_name, .progress = p->progress,
                          .user_data = p->user_data };
  gboolean cached_train = FALSE, cached_test = FALSE;
  g_autoptr (CnnFeatureSet) train = cnn_features_extract (p->pre, p->nz, p->ds->train, p->train_idx,
                                                          p->n_train, &ec, &cached_train, error);
  if (train == NULL)
    return FALSE;
  g_autoptr (CnnFeatureSet) test = cnn_features_extract (p->pre, p->nz, p->ds->test, p->test_idx,
                                                         p->n_test, &ec, &cached_test, error);
  if (test == NULL)
    return FALSE;
  res->from_cache = cached_train && cached_test;
  /* features are indexed 0..n-1 in the order extracted */
  g_autofree int *all_train = g_new (int, MAX (p->n_train, 1));
  for (int i = 0; i < p->n_train; i++)
    all_train[i] = i;
  g_autofree int *all_test = g_new (int, MAX (p->n_test, 1));
  for (int i = 0; i < p->n_test; i++)
    all_test[i] = i;
  if (p->head == CNN_HEAD_KNN)
    {
      res->accuracy = cnn_knn_accuracy (train, all_train, p->n_train, test, all_test, p->n_test, 5,
                                        CNN_KNN_COSINE, p->pool);
      res->loss = NAN;
      return TRUE;
    }
  g_autofree char *source = g_strdup_printf ("%s head", cnn_head_kind_name (p->head));
  g_autoptr (CnnNetwork) head = cnn_network_new (cnn_head_spec (p->head), source, train->shape,
                                                 p->ds->n_classes, error);
  if (head == NULL)
    return FALSE;
  cnn_network_init_params (head, p->seed);
  CnnTrainConfig config = train_config (p, &p->optimizer, p->epochs);
  g_autoptr (CnnTrainer) trainer = cnn_trainer_new_features (head, train, all_train, p->n_train,
                                                             NULL, 0, &config, error);
  if (trainer == NULL)
    return FALSE;
  Stage s = { .plan = p, .k = CNN_STRATEGY_FEATURES, .net = head, .test_features = test,
              .all_test = all_test };
  if (!train_stage (&s, trainer, error))
    return FALSE;
  final_test (&s, all_test, p->pool, res);
  res->epochs = s.epoch_offset;
  return TRUE;
}

/* A new head on frozen layers, then the last conv layers too, slower. */
static gboolean
run_finetune (const CnnTransferPlan *p, CnnTransferResult *res, GError **error)
{
  g_autoptr (CnnNetwork) net = cnn_transfer_new_head (p->pre, p->source, p->ds->n_classes, p->seed,
                                                      error);
  if (net == NULL)
    return FALSE;
  Stage s = { .plan = p, .k = CNN_STRATEGY_FINETUNE, .net = net };
  cnn_transfer_freeze (net, p->freeze_until);
  CnnTrainConfig config = train_config (p, &p->optimizer, p->epochs);
  g_autoptr (CnnTrainer) stage1 = cnn_trainer_new (net, p->ds->train, p->nz, p->train_idx,
                                                   p->n_train, NULL, 0, &config, error);
  if (stage1 == NULL || !train_stage (&s, stage1, error))
    return FALSE;
  CnnTransferResult first = { 0 };
  final_test (&s, p->test_idx, cnn_trainer_get_pool (stage1), &first);
  res->stage1_accuracy = first.accuracy;
  if (p->stage2_from >= 0)
    {
      cnn_transfer_unfreeze_from (net, p->stage2_from);
      CnnOptimizerConfig opt2 = p->optimizer;
      opt2.lr = p->stage2_lr;
      CnnTrainConfig config2 = train_config (p, &opt2, p->stage2_epochs);
      g_autoptr (CnnTrainer) stage2 = cnn_trainer_new (net, p->ds->train, p->nz, p->train_idx,
                                                       p->n_train, NULL, 0, &config2, error);
      if (stage2 == NULL || !train_stage (&s, stage2, error))
        return FALSE;
    }
  cnn_transfer_freeze (net, -1);
  final_test (&s, p->test_idx, cnn_trainer_get_pool (stage1), res);
  res->epochs = s.epoch_offset;
  res->net = g_steal_pointer (&net);
  return TRUE;
}

void
cnn_transfer_task_images (const CnnDataset *ds, int per_class, int curve_per_class, guint64 seed,
                          int **train_idx, int *n_train, int **test_idx, int **curve_idx,
                          int *n_curve)
{
  g_autofree int *val_idx = NULL;
  int n_val = 0;
  cnn_dataset_split (ds, 0.0, per_class, seed, train_idx, n_train, &val_idx, &n_val);
  int n_test = ds->test ? ds->test->n : 0;
  *test_idx = g_new (int, MAX (n_test, 1));
  for (int i = 0; i < n_test; i++)
    (*test_idx)[i] = i;
  cnn_limit_per_class (ds->test, *test_idx, n_test, curve_per_class, seed, curve_idx, n_curve);
}

char *
cnn_transfer_describe (const CnnTransferPlan *p, CnnStrategy k)
{
  switch (k)
    {
    case CNN_STRATEGY_SCRATCH:
      return g_strdup ("from scratch");
    case CNN_STRATEGY_FEATURES:
      return g_strdup_printf ("%s head on %s's features", cnn_head_kind_name (p->head),
                              cnn_network_get_layer (p->pre, p->feature_layer)->name);
    case CNN_STRATEGY_FINETUNE:
    default:
      {
        const char *frozen = cnn_network_get_layer (p->pre, p->freeze_until)->name;
        if (p->stage2_from < 0)
          return g_strdup_printf ("fine-tuned: frozen to %s", frozen);
        return g_strdup_printf ("fine-tuned: frozen to %s, then from %s at lr %g", frozen,
                                cnn_network_get_layer (p->pre, p->stage2_from)->name, p->stage2_lr);
      }
    }
}

int
cnn_transfer_total_epochs (const CnnTransferPlan *p, CnnStrategy k)
{
  if (k == CNN_STRATEGY_FEATURES && p->head == CNN_HEAD_KNN)
    return 0;
  if (k == CNN_STRATEGY_FINETUNE && p->stage2_from >= 0)
    return p->epochs + p->stage2_epochs;
  return p->epochs;
}

gboolean
cnn_transfer_run (const CnnTransferPlan *plan, CnnStrategy k, CnnTransferResult *result,
                  GError **error)
{
  *result = (CnnTransferResult) { .accuracy = NAN, .loss = NAN, .stage1_accuracy = NAN };
  switch (k)
    {
    case CNN_STRATEGY_SCRATCH:
      return run_scratch (plan, result, error);
    case CNN_STRATEGY_FEATURES:
      return run_features (plan, result, error);
    case CNN_STRATEGY_FINETUNE:
      return run_finetune (plan, result, error);
    default:
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "no strategy %d", k);
      return FALSE;
    }
}

void
cnn_transfer_result_clear (CnnTransferResult *result)
{
  g_clear_pointer (&result->net, cnn_network_free);
}
