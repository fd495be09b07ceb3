/* The trainer on the synthetic data set: it learns, it is deterministic,
 * it stops when asked and when the loss diverges. */
#include "cnn-engine.h"

#include <math.h>
#include <string.h>

typedef struct
{
  CnnDataset    *ds;
  CnnNetwork    *net;
  CnnNormalizer *nz;
  int           *train_idx, *val_idx;
  int            n_train, n_val;
} Setup;

static void
setup_run (Setup *s, const char *model, guint64 seed, int n_train_images)
{
  g_autoptr (GError) error = NULL;
  s->ds = cnn_dataset_new_synthetic (seed, n_train_images, 200);
  s->net = cnn_network_new (cnn_preset_get_text (model), model, (CnnShape) { 1, 28, 28 },
                            s->ds->n_classes, &error);
  g_assert_no_error (error);
  cnn_network_init_params (s->net, seed);
  cnn_split_stratified (s->ds->train, s->ds->n_classes, 0.1, seed, &s->train_idx, &s->n_train,
                        &s->val_idx, &s->n_val);
  s->nz = cnn_normalizer_new_fit (CNN_STANDARDIZE_SCALE, s->ds->train, s->train_idx, s->n_train);
}

static void
teardown_run (Setup *s)
{
  cnn_normalizer_free (s->nz);
  cnn_network_free (s->net);
  cnn_dataset_free (s->ds);
  g_free (s->train_idx);
  g_free (s->val_idx);
}

static CnnTrainConfig
config (const char *optimizer, int epochs, guint64 seed, int threads)
{
  CnnTrainConfig c = { .epochs = epochs, .batch_size = 32, .seed = seed, .threads = threads };
  g_assert_true (cnn_optimizer_config_init (&c.optimizer, optimizer, NULL));
  return c;
}

typedef struct
{
  int    steps, epochs;
  double last_val_acc;
  int    stop_after;
} Counter;

static void
count_step (const CnnStepInfo *info, gpointer data)
{
  Counter *c = data;
  c->steps++;
  g_assert_cmpint (info->global_step, ==, c->steps);
  g_assert_true (isfinite (info->loss));
}

static void
count_epoch (const CnnEpochInfo *info, gpointer data)
{
  Counter *c = data;
  c->epochs++;
  g_assert_cmpint (info->epoch, ==, c->epochs);
  c->last_val_acc = info->val_accuracy;
}

static gboolean
stop_after (gpointer data)
{
  Counter *c = data;
  return c->stop_after > 0 && c->steps >= c->stop_after;
}

static void
test_learns_synthetic (void)
{
  /* lenet, Adam 1e-3, batch 32, 3 epochs of 3,600 images: the shapes are
   * easy, so the validation accuracy must pass 90 %. (cnn2 needs more steps:
   * its BN running statistics, momentum 0.99, start far from the data's.) */
  Setup s;
  setup_run (&s, "lenet", 1, 4000);
  CnnTrainConfig c = config ("adam", 3, 1, 2);
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnTrainer) t = cnn_trainer_new (s.net, s.ds->train, s.nz, s.train_idx, s.n_train,
                                              s.val_idx, s.n_val, &c, &error);
  g_assert_no_error (error);
  Counter counter = { 0 };
  CnnTrainCallbacks cb = { count_step, count_epoch, NULL, &counter };
  g_assert_true (cnn_trainer_run (t, &cb, &error));
  g_assert_no_error (error);
  g_assert_cmpint (counter.epochs, ==, 3);
  g_assert_cmpint (counter.steps, ==, 3 * ((s.n_train + 31) / 32));
  g_test_message ("validation accuracy %.4f", counter.last_val_acc);
  g_assert_cmpfloat (counter.last_val_acc, >=, 0.90);
  int best_epoch = 0;
  g_assert_nonnull (cnn_trainer_get_best_params (t, &best_epoch));
  g_assert_cmpint (best_epoch, >=, 1);

  /* the test split agrees */
  g_autofree int *all = g_new (int, s.ds->test->n);
  for (int i = 0; i < s.ds->test->n; i++)
    all[i] = i;
  double loss, acc;
  cnn_evaluate (s.net, s.ds->test, s.nz, all, s.ds->test->n, 100, NULL, &loss, &acc);
  g_assert_cmpfloat (acc, >=, 0.90);
  teardown_run (&s);
}

static float *
train_once (guint64 seed, int threads, size_t *n)
{
  Setup s;
  setup_run (&s, "cnn2", seed, 600);
  CnnTrainConfig c = config ("adam", 1, seed, threads);
  g_autoptr (CnnTrainer) t = cnn_trainer_new (s.net, s.ds->train, s.nz, s.train_idx, s.n_train,
                                              s.val_idx, s.n_val, &c, NULL);
  g_assert_true (cnn_trainer_run (t, NULL, NULL));
  *n = cnn_network_get_n_params (s.net);
  float *copy = g_memdup2 (cnn_network_get_params (s.net), *n * sizeof (float));
  teardown_run (&s);
  return copy;
}

static void
test_deterministic (void)
{
  size_t n1, n2, n3;
  g_autofree float *a = train_once (4, 2, &n1);
  g_autofree float *b = train_once (4, 2, &n2);
  g_autofree float *c = train_once (5, 2, &n3);
  g_assert_cmpuint (n1, ==, n2);
  g_assert_true (memcmp (a, b, n1 * sizeof (float)) == 0);
  g_assert_false (memcmp (a, c, n1 * sizeof (float)) == 0);
}

static void
test_should_stop (void)
{
  Setup s;
  setup_run (&s, "lenet", 2, 1000);
  CnnTrainConfig c = config ("sgd", 3, 2, 1);
  g_autoptr (CnnTrainer) t = cnn_trainer_new (s.net, s.ds->train, s.nz, s.train_idx, s.n_train,
                                              s.val_idx, s.n_val, &c, NULL);
  Counter counter = { .stop_after = 3 };
  CnnTrainCallbacks cb = { count_step, count_epoch, stop_after, &counter };
  g_autoptr (GError) error = NULL;
  g_assert_false (cnn_trainer_run (t, &cb, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_CANCELLED);
  g_assert_cmpint (counter.steps, ==, 3);
  teardown_run (&s);
}

static void
test_divergence (void)
{
  /* SGD with a learning rate of 1000 on raw 0-255 pixels: ReLU activations
   * grow layer by layer until they overflow, within a few steps */
  Setup s;
  setup_run (&s, "lenet", 3, 1000);
  cnn_normalizer_free (s.nz);
  s.nz = cnn_normalizer_new_fit (CNN_STANDARDIZE_NONE, s.ds->train, s.train_idx, s.n_train);
  CnnTrainConfig c = config ("sgd", 5, 3, 1);
  c.batch_size = 128;
  g_assert_true (cnn_optimizer_config_set (&c.optimizer, "lr", 1e3, NULL));
  g_autoptr (CnnTrainer) t = cnn_trainer_new (s.net, s.ds->train, s.nz, s.train_idx, s.n_train,
                                              s.val_idx, s.n_val, &c, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_false (cnn_trainer_run (t, NULL, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_DIVERGED);
  g_assert_nonnull (strstr (error->message, "diverged"));
  /* the weights left in the network are the last ones with a finite loss */
  const float *p = cnn_network_get_params (s.net);
  for (size_t i = 0; i < cnn_network_get_n_params (s.net); i++)
    g_assert_true (isfinite (p[i]));
  teardown_run (&s);
}

static void
test_shape_mismatch (void)
{
  Setup s;
  setup_run (&s, "fcnn", 3, 100);
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) other = cnn_network_new ("dense units=10", "t", (CnnShape) { 3, 28, 28 }, 10, &error);
  CnnTrainConfig c = config ("sgd", 1, 0, 1);
  CnnTrainer *t = cnn_trainer_new (other, s.ds->train, s.nz, s.train_idx, s.n_train, NULL, 0, &c, &error);
  g_assert_null (t);
  g_assert_error (error, CNN_ERROR, CNN_ERROR_SHAPE);
  teardown_run (&s);
}

static void
test_batch_too_big (void)
{
  /* 60,000 feature maps of 28×28 for 128 images cannot fit in memory: the
   * trainer says so instead of aborting in malloc */
  Setup s;
  setup_run (&s, "fcnn", 3, 100);
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) big = cnn_network_new ("conv2d filters=60000 kernel=3 padding=same\n"
                                                "globalavgpool\ndense units=classes", "big", (CnnShape) { 1, 28, 28 },
                                                10, &error);
  g_assert_no_error (error);
  CnnTrainConfig c = config ("sgd", 1, 0, 1);
  c.batch_size = 128;
  CnnTrainer *t = cnn_trainer_new (big, s.ds->train, s.nz, s.train_idx, s.n_train, NULL, 0, &c, &error);
  g_assert_null (t);
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
  g_assert_nonnull (strstr (error->message, "use a smaller batch size"));
  teardown_run (&s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/trainer/learns-synthetic", test_learns_synthetic);
  g_test_add_func ("/trainer/deterministic", test_deterministic);
  g_test_add_func ("/trainer/should-stop", test_should_stop);
  g_test_add_func ("/trainer/divergence", test_divergence);
  g_test_add_func ("/trainer/shape-mismatch", test_shape_mismatch);
  g_test_add_func ("/trainer/batch-too-big", test_batch_too_big);
  return g_test_run ();
}
