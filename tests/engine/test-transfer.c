/* Transfer learning: class subsets, the feature cache, freezing during
 * fine-tuning (parameters and BN statistics), k nearest neighbours on a
 * hand-made set, new heads, and training on features. */
#include "cnn-engine.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "cnn-test-utils.h"

static char *tmpdir;

/* ---- class subsets ---- */

static void
expect_classes (const char *text, int n_classes, const int *want, int n_want)
{
  g_autofree int *classes = NULL;
  int n = -1;
  g_autoptr (GError) error = NULL;
  g_assert_true (cnn_class_list_parse (text, n_classes, &classes, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (classes, n * sizeof (int), want, n_want * sizeof (int));
}

static void
expect_bad_classes (const char *text, const char *fragment)
{
  g_autofree int *classes = NULL;
  int n = 0;
  g_autoptr (GError) error = NULL;
  g_assert_false (cnn_class_list_parse (text, 10, &classes, &n, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
  if (strstr (error->message, fragment) == NULL)
    g_error ("“%s”: %s (wanted “%s”)", text, error->message, fragment);
  g_assert_null (classes);
}

static void
test_class_list (void)
{
  expect_classes ("0-4", 10, (int[]) { 0, 1, 2, 3, 4 }, 5);
  expect_classes ("5,6,7,8,9", 10, (int[]) { 5, 6, 7, 8, 9 }, 5);
  expect_classes ("9-7, 1", 10, (int[]) { 9, 8, 7, 1 }, 4);
  expect_classes ("3", 4, (int[]) { 3 }, 1);
  expect_bad_classes ("0-10", "class 10 does not exist, the data set has classes 0 to 9");
  expect_bad_classes ("1,2,1", "class 1 is listed twice");
  expect_bad_classes ("0-3,2", "class 2 is listed twice");
  expect_bad_classes ("", "such as 0-4");
  expect_bad_classes ("3-", "such as 0-4");
  expect_bad_classes ("1,,2", "such as 0-4");
  expect_bad_classes ("shirt", "such as 0-4");
  expect_bad_classes ("-1", "such as 0-4");
  expect_bad_classes ("99999999999", "such as 0-4");
}

/* Image i of a 1×2×2 set is filled with the byte i, its label labels[i]. */
static CnnImageSet *
numbered_set (const guint8 *labels, int n)
{
  CnnImageSet *set = cnn_image_set_new (n, 1, 2, 2);
  for (int i = 0; i < n; i++)
    {
      memset (set->pixels + i * 4, i, 4);
      set->labels[i] = labels[i];
    }
  return set;
}

static void
test_select_classes (void)
{
  static const guint8 train_labels[] = { 0, 1, 2, 3, 2, 1, 3, 0, 3, 2 };
  static const guint8 test_labels[] = { 3, 3, 1, 0 };
  static const char *const names[] = { "zero", "one", "two", "three", NULL };
  CnnDataset *raw = g_new0 (CnnDataset, 1);
  g_autoptr (CnnDataset) ds = raw;
  ds->name = g_strdup ("numbered");
  ds->n_classes = 4;
  ds->class_names = g_strdupv ((char **) names);
  ds->train = numbered_set (train_labels, 10);
  ds->test = numbered_set (test_labels, 4);
  ds->n_fixed_val = 3;   /* images 7, 8, 9: labels 0, 3, 2 */

  g_autoptr (GError) error = NULL;
  g_assert_true (cnn_dataset_apply_classes (ds, "3,1", &error));
  g_assert_no_error (error);
  g_assert_cmpint (ds->n_classes, ==, 2);
  g_assert_cmpstr (ds->class_names[0], ==, "three");
  g_assert_cmpstr (ds->class_names[1], ==, "one");
  g_assert_null (ds->class_names[2]);
  /* train keeps images 1, 3, 5, 6, 8 in order: 3 -> 0, 1 -> 1 */
  const int kept[] = { 1, 3, 5, 6, 8 };
  const guint8 relabelled[] = { 1, 0, 1, 0, 0 };
  g_assert_cmpint (ds->train->n, ==, 5);
  for (int i = 0; i < 5; i++)
    {
      g_assert_cmpint (ds->train->pixels[i * 4 + 3], ==, kept[i]);
      g_assert_cmpint (ds->train->labels[i], ==, relabelled[i]);
    }
  /* of the fixed validation images only image 8 is kept, and it is last */
  g_assert_cmpint (ds->n_fixed_val, ==, 1);
  /* test keeps 0, 1, 2 */
  g_assert_cmpint (ds->test->n, ==, 3);
  g_assert_cmpint (ds->test->pixels[2 * 4], ==, 2);
  g_assert_cmpint (ds->test->labels[0], ==, 0);
  g_assert_cmpint (ds->test->labels[2], ==, 1);

  /* NULL and "" keep everything; a class out of the new range is an error
   * naming the data set */
  g_assert_true (cnn_dataset_apply_classes (ds, NULL, &error));
  g_assert_true (cnn_dataset_apply_classes (ds, "", &error));
  g_assert_cmpint (ds->n_classes, ==, 2);
  g_assert_false (cnn_dataset_apply_classes (ds, "2", &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
  g_assert_nonnull (strstr (error->message, "numbered: classes “2”"));
}

/* ---- feature extraction and its cache ---- */

static const char small_spec[] =
  "conv2d name=c1 filters=4 kernel=3\n"
  "batchnorm name=bn\n"
  "relu\n"
  "maxpool size=2\n"
  "flatten\n"
  "dense name=fc units=8\n"
  "relu name=r\n"
  "dense name=head units=classes\n"
  "softmax\n";

static CnnNetwork *
small_net (int n_classes, guint64 seed)
{
  g_autoptr (GError) error = NULL;
  CnnNetwork *net = cnn_network_new (small_spec, "small", (CnnShape) { 1, 28, 28 }, n_classes, &error);
  g_assert_no_error (error);
  cnn_network_init_params (net, seed);
  /* BN statistics as after pretraining, not the initial 0 and 1: means
   * near the conv outputs (so that units stay alive), variances positive */
  CnnRng rng;
  cnn_rng_init (&rng, seed, 7);
  CnnLayer *bn = cnn_network_get_layer (net, cnn_network_find_layer (net, "bn"));
  int C = bn->out_shape.c;
  cnn_test_fill_uniform (bn->state, C, -0.1f, 0.1f, &rng);
  cnn_test_fill_uniform (bn->state + C, C, 0.5f, 1.5f, &rng);
  return net;
}

static int
count_files (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  int n = 0;
  while (d && g_dir_read_name (d))
    n++;
  return n;
}

static void
test_feature_cache (void)
{
  g_autoptr (CnnDataset) ds = cnn_dataset_new_synthetic (3, 50, 0);
  g_autoptr (CnnNetwork) net = small_net (10, 1);
  g_autoptr (CnnNormalizer) nz = cnn_normalizer_new_fit (CNN_STANDARDIZE_PIXEL, ds->train, NULL, 0);
  const int n = 20;
  int idx[20];
  for (int i = 0; i < n; i++)
    idx[i] = 2 * i + 1;
  g_autofree char *cache = g_build_filename (tmpdir, "features", NULL);
  int layer = cnn_transfer_feature_layer (net);
  g_assert_cmpint (layer, ==, cnn_network_find_layer (net, "r"));
  CnnExtractConfig ec = { .layer = layer, .batch_size = 7, .cache_dir = cache, .data_name = "synthetic" };

  g_autoptr (GError) error = NULL;
  gboolean cached = TRUE;
  g_autoptr (CnnFeatureSet) a = cnn_features_extract (net, nz, ds->train, idx, n, &ec, &cached, &error);
  g_assert_no_error (error);
  g_assert_false (cached);
  g_assert_cmpint (a->n, ==, n);
  g_assert_cmpint (cnn_shape_size (a->shape), ==, 8);
  /* the same numbers as one forward of all 20 in inference mode */
  g_autofree float *x = g_new (float, (size_t) n * 784);
  cnn_normalizer_gather (nz, ds->train, idx, n, x);
  const float *direct = cnn_network_forward (net, x, n, FALSE, NULL, NULL, layer);
  g_assert_cmpfloat (cnn_test_max_rel_diff (a->x, direct, (size_t) n * 8), <, 1e-6); /* batching only */
  for (int i = 0; i < n; i++)
    g_assert_cmpint (a->labels[i], ==, ds->train->labels[idx[i]]);
  g_assert_cmpint (count_files (cache), ==, 1);

  /* read back, bit for bit */
  g_autoptr (CnnFeatureSet) b = cnn_features_extract (net, nz, ds->train, idx, n, &ec, &cached, &error);
  g_assert_no_error (error);
  g_assert_true (cached);
  g_assert_cmpmem (b->x, (size_t) n * 8 * sizeof (float), a->x, (size_t) n * 8 * sizeof (float));
  g_assert_cmpmem (b->labels, n, a->labels, n);

  /* a damaged file is recomputed and replaced */
  g_autofree char *path = cnn_features_cache_path (net, nz, ds->train, idx, n, &ec);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  contents[len / 2] ^= 0x40;
  g_assert_true (g_file_set_contents (path, contents, len, NULL));
  g_autoptr (CnnFeatureSet) c = cnn_features_extract (net, nz, ds->train, idx, n, &ec, &cached, &error);
  g_assert_false (cached);
  g_assert_cmpmem (c->x, (size_t) n * 8 * sizeof (float), a->x, (size_t) n * 8 * sizeof (float));
  g_assert_true (g_file_set_contents (path, contents, len / 3, NULL));   /* truncated */
  g_autoptr (CnnFeatureSet) d = cnn_features_extract (net, nz, ds->train, idx, n, &ec, &cached, &error);
  g_assert_false (cached);
  g_autoptr (CnnFeatureSet) e = cnn_features_extract (net, nz, ds->train, idx, n, &ec, &cached, &error);
  g_assert_true (cached);

  /* new weights: another key, new features */
  cnn_network_get_params (net)[0] += 0.5f;
  g_autoptr (CnnFeatureSet) f = cnn_features_extract (net, nz, ds->train, idx, n, &ec, &cached, &error);
  g_assert_no_error (error);
  g_assert_false (cached);
  g_assert_cmpfloat (cnn_test_max_rel_diff (f->x, a->x, (size_t) n * 8), >, 1e-4);
  g_assert_cmpint (count_files (cache), ==, 2);
  /* so do new BN statistics, another image list, another layer */
  cnn_network_get_state (net)[0] += 0.5f;
  g_autoptr (CnnFeatureSet) g = cnn_features_extract (net, nz, ds->train, idx, n, &ec, &cached, &error);
  g_assert_false (cached);
  g_autoptr (CnnFeatureSet) h = cnn_features_extract (net, nz, ds->train, idx, n - 1, &ec, &cached, &error);
  g_assert_false (cached);
  ec.layer = cnn_network_find_layer (net, "fc");
  g_autoptr (CnnFeatureSet) k = cnn_features_extract (net, nz, ds->train, idx, n, &ec, &cached, &error);
  g_assert_false (cached);
  g_assert_cmpint (count_files (cache), ==, 5);

  /* without a cache folder nothing is written */
  ec.cache_dir = NULL;
  g_autoptr (CnnFeatureSet) l = cnn_features_extract (net, nz, ds->train, idx, n, &ec, &cached, &error);
  g_assert_false (cached);
  g_assert_cmpint (count_files (cache), ==, 5);
  /* bad input is an error, not a crash */
  idx[3] = ds->train->n;
  g_assert_null (cnn_features_extract (net, nz, ds->train, idx, n, &ec, &cached, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
  g_clear_error (&error);
  ec.layer = 99;
  g_assert_null (cnn_features_extract (net, nz, ds->train, idx, 2, &ec, &cached, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
}

static gboolean
cancel_at_second (int done, int total, gpointer data)
{
  int *calls = data;
  return ++*calls < 2;
}

static void
test_feature_cancel (void)
{
  g_autoptr (CnnDataset) ds = cnn_dataset_new_synthetic (3, 30, 0);
  g_autoptr (CnnNetwork) net = small_net (10, 1);
  g_autoptr (CnnNormalizer) nz = cnn_normalizer_new_fit (CNN_STANDARDIZE_SCALE, ds->train, NULL, 0);
  int idx[30];
  for (int i = 0; i < 30; i++)
    idx[i] = i;
  int calls = 0;
  CnnExtractConfig ec = { .layer = 3, .batch_size = 10, .progress = cancel_at_second, .user_data = &calls };
  g_autoptr (GError) error = NULL;
  g_assert_null (cnn_features_extract (net, nz, ds->train, idx, 30, &ec, NULL, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_CANCELLED);
  g_assert_cmpint (calls, ==, 2);
}

/* ---- a new head, and freezing ---- */

static void
test_new_head (void)
{
  g_autoptr (CnnNetwork) src = small_net (10, 2);
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) net = cnn_transfer_new_head (src, "small", 3, 9, &error);
  g_assert_no_error (error);
  int head = cnn_transfer_head_layer (net);
  g_assert_cmpint (head, ==, cnn_network_find_layer (net, "head"));
  g_assert_cmpint (cnn_network_get_layer (net, head)->out_shape.c, ==, 3);
  g_assert_cmpint (cnn_network_get_n_classes (net), ==, 3);
  for (int i = 0; i < cnn_network_get_n_layers (net); i++)
    {
      const CnnLayer *a = cnn_network_get_layer (src, i), *b = cnn_network_get_layer (net, i);
      if (i == head)
        continue;
      g_assert_cmpmem (a->params, a->n_params * sizeof (float), b->params, b->n_params * sizeof (float));
      g_assert_cmpmem (a->state, a->n_state * sizeof (float), b->state, b->n_state * sizeof (float));
    }
  /* a head written with a number of units gets the new count too */
  g_autoptr (CnnNetwork) lit = cnn_network_new ("dense name=fc units=6  # hidden\n\n"
                                                "relu\n"
                                                "# the classifier\n"
                                                "dense name=out units=10 init=he_normal\n",
                                                "literal", (CnnShape) { 1, 4, 4 }, 10, &error);
  g_assert_no_error (error);
  g_autoptr (CnnNetwork) lit3 = cnn_transfer_new_head (lit, "literal", 3, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cnn_network_get_output_shape (lit3).c, ==, 3);
  g_assert_nonnull (strstr (cnn_network_get_spec (lit3), "dense name=out units=classes init=he_normal"));
  /* a hidden layer that changes with the class count cannot keep its weights */
  g_autoptr (CnnNetwork) two = cnn_network_new ("dense name=a units=classes\ndense name=b units=classes\n",
                                                "two", (CnnShape) { 1, 4, 4 }, 10, &error);
  g_assert_null (cnn_transfer_new_head (two, "two", 3, 1, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC);
  g_assert_nonnull (strstr (error->message, "two: layer a changes size"));
  g_clear_error (&error);
  /* no dense layer: nothing to replace */
  g_autoptr (CnnNetwork) conv = cnn_network_new ("conv2d filters=2 kernel=3\n", "conv",
                                                 (CnnShape) { 1, 4, 4 }, 2, &error);
  g_assert_null (cnn_transfer_new_head (conv, "conv", 3, 1, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC);
  g_assert_cmpint (cnn_transfer_feature_layer (conv), ==, -1);
  g_clear_error (&error);
  /* defaults of cnn2: features are fc2's input, stage 2 starts at conv3 */
  g_autofree char *source = NULL;
  g_autofree char *spec = cnn_model_spec_load ("cnn2", &source, &error);
  g_assert_no_error (error);
  g_autoptr (CnnNetwork) cnn2 = cnn_network_new (spec, source, (CnnShape) { 1, 28, 28 }, 5, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cnn_transfer_head_layer (cnn2), ==, cnn_network_find_layer (cnn2, "fc2"));
  g_assert_cmpint (cnn_transfer_feature_layer (cnn2), ==, cnn_network_find_layer (cnn2, "relu5"));
  g_assert_cmpint (cnn_transfer_unfreeze_layer (cnn2), ==, cnn_network_find_layer (cnn2, "conv3"));
  /* where its convolutions end: fc1's input, the flattened pool2 */
  int conv_end = cnn_transfer_conv_end_layer (cnn2);
  g_assert_cmpint (conv_end, ==, cnn_network_find_layer (cnn2, "fc1") - 1);
  g_assert_cmpstr (cnn_network_get_layer (cnn2, conv_end)->klass->name, ==, "flatten");
  g_assert_cmpint (cnn_transfer_conv_end_layer (conv), ==, -1);
}

/* Copies of the parameters and statistics of layers first..last. */
static float *
copy_layers (CnnNetwork *net, int first, int last, gboolean state, size_t *count)
{
  size_t n = 0;
  for (int i = first; i <= last; i++)
    n += state ? cnn_network_get_layer (net, i)->n_state : cnn_network_get_layer (net, i)->n_params;
  float *out = g_new (float, MAX (n, 1));
  size_t at = 0;
  for (int i = first; i <= last; i++)
    {
      const CnnLayer *l = cnn_network_get_layer (net, i);
      size_t m = state ? l->n_state : l->n_params;
      memcpy (out + at, state ? l->state : l->params, m * sizeof (float));
      at += m;
    }
  *count = n;
  return out;
}

static void
train_epochs (CnnNetwork *net, const CnnDataset *ds, const CnnNormalizer *nz, int epochs)
{
  int idx[60];
  for (int i = 0; i < 60; i++)
    idx[i] = i;
  CnnTrainConfig config = { .epochs = epochs, .batch_size = 16, .seed = 4, .threads = 1 };
  g_autoptr (GError) error = NULL;
  g_assert_true (cnn_optimizer_config_init (&config.optimizer, "adam", &error));
  g_autoptr (CnnTrainer) t = cnn_trainer_new (net, ds->train, nz, idx, 60, NULL, 0, &config, &error);
  g_assert_no_error (error);
  g_assert_true (cnn_trainer_run (t, NULL, &error));
  g_assert_no_error (error);
}

static void
test_freeze (void)
{
  g_autoptr (CnnDataset) ds = cnn_dataset_new_synthetic (5, 60, 0);
  g_autoptr (CnnNormalizer) nz = cnn_normalizer_new_fit (CNN_STANDARDIZE_SCALE, ds->train, NULL, 0);
  g_autoptr (CnnNetwork) src = small_net (10, 3);
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) net = cnn_transfer_new_head (src, "small", 10, 5, &error);
  g_assert_no_error (error);
  const int head = cnn_transfer_head_layer (net), fc = cnn_network_find_layer (net, "fc");
  const int bn = cnn_network_find_layer (net, "bn"), last = cnn_network_get_n_layers (net) - 1;

  /* stage 1: everything but the head frozen */
  cnn_transfer_freeze (net, head - 1);
  g_assert_true (cnn_network_get_layer (net, bn)->frozen);
  g_assert_false (cnn_network_get_layer (net, head)->frozen);
  size_t np, ns, nh;
  g_autofree float *params0 = copy_layers (net, 0, head - 1, FALSE, &np);
  g_autofree float *state0 = copy_layers (net, 0, last, TRUE, &ns);
  g_autofree float *head0 = copy_layers (net, head, head, FALSE, &nh);
  train_epochs (net, ds, nz, 2);
  g_autofree float *params1 = copy_layers (net, 0, head - 1, FALSE, &np);
  g_autofree float *state1 = copy_layers (net, 0, last, TRUE, &ns);
  g_autofree float *head1 = copy_layers (net, head, head, FALSE, &nh);
  g_assert_cmpmem (params1, np * sizeof (float), params0, np * sizeof (float));
  g_assert_cmpmem (state1, ns * sizeof (float), state0, ns * sizeof (float));
  g_assert_cmpfloat (cnn_test_max_rel_diff (head1, head0, nh), >, 1e-3);

  /* stage 2: fc trains too, conv and BN stay */
  cnn_transfer_freeze (net, fc - 1);
  g_autofree float *fc1 = copy_layers (net, fc, fc, FALSE, &nh);
  train_epochs (net, ds, nz, 1);
  g_autofree float *params2 = copy_layers (net, 0, fc - 1, FALSE, &np);
  g_autofree float *state2 = copy_layers (net, 0, last, TRUE, &ns);
  g_autofree float *fc2 = copy_layers (net, fc, fc, FALSE, &nh);
  g_assert_cmpmem (params2, np * sizeof (float), params0, np * sizeof (float));
  g_assert_cmpmem (state2, ns * sizeof (float), state0, ns * sizeof (float));
  g_assert_cmpfloat (cnn_test_max_rel_diff (fc2, fc1, nh), >, 1e-3);

  /* stage 2 as fine-tuning runs it: the conv layer trains, its frozen BN
   * keeps parameters and statistics */
  const int c1 = cnn_network_find_layer (net, "c1");
  cnn_transfer_unfreeze_from (net, c1);
  g_assert_false (cnn_network_get_layer (net, c1)->frozen);
  g_assert_true (cnn_network_get_layer (net, bn)->frozen);
  g_autofree float *conv1 = copy_layers (net, c1, c1, FALSE, &nh);
  g_autofree float *bnp1 = copy_layers (net, bn, bn, FALSE, &np);
  train_epochs (net, ds, nz, 1);
  g_autofree float *conv2 = copy_layers (net, c1, c1, FALSE, &nh);
  g_autofree float *bnp2 = copy_layers (net, bn, bn, FALSE, &np);
  g_autofree float *state4 = copy_layers (net, 0, last, TRUE, &ns);
  g_assert_cmpfloat (cnn_test_max_rel_diff (conv2, conv1, nh), >, 1e-3);
  g_assert_cmpmem (bnp2, np * sizeof (float), bnp1, np * sizeof (float));
  g_assert_cmpmem (state4, ns * sizeof (float), state0, ns * sizeof (float));

  /* the same network unfrozen: BN moves its statistics (so the checks above could fail) */
  cnn_transfer_freeze (net, -1);
  train_epochs (net, ds, nz, 1);
  g_autofree float *state3 = copy_layers (net, 0, last, TRUE, &ns);
  g_assert_cmpfloat (cnn_test_max_rel_diff (state3, state0, ns), >, 1e-3);
}

/* A frozen BN layer computes in training what it computes in inference. */
static void
test_frozen_bn_forward (void)
{
  g_autoptr (CnnNetwork) net = small_net (10, 6);
  g_autoptr (CnnDataset) ds = cnn_dataset_new_synthetic (5, 8, 0);
  g_autoptr (CnnNormalizer) nz = cnn_normalizer_new_fit (CNN_STANDARDIZE_SCALE, ds->train, NULL, 0);
  int idx[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
  g_autofree float *x = g_new (float, 8 * 784);
  cnn_normalizer_gather (nz, ds->train, idx, 8, x);
  int bn = cnn_network_find_layer (net, "bn");
  CnnShape s = cnn_network_get_layer (net, bn)->out_shape;
  size_t n = 8 * cnn_shape_size (s);
  g_autofree float *infer = g_memdup2 (cnn_network_forward (net, x, 8, FALSE, NULL, NULL, bn),
                                       n * sizeof (float));
  cnn_transfer_freeze (net, bn);
  CnnRng rng;
  cnn_rng_init (&rng, 1, 1);
  const float *train = cnn_network_forward (net, x, 8, TRUE, &rng, NULL, bn);
  g_assert_cmpmem (train, n * sizeof (float), infer, n * sizeof (float));
  cnn_transfer_freeze (net, -1);
  train = cnn_network_forward (net, x, 8, TRUE, &rng, NULL, bn);
  g_assert_cmpfloat (cnn_test_max_rel_diff (train, infer, n), >, 1e-3);
}

/* ---- k nearest neighbours ---- */

static CnnFeatureSet *
points (const float (*xy)[2], const guint8 *labels, int n)
{
  g_autoptr (GError) error = NULL;
  CnnFeatureSet *fs = cnn_feature_set_new (n, (CnnShape) { 2, 1, 1 }, "points", &error);
  g_assert_no_error (error);
  memcpy (fs->x, xy, n * 2 * sizeof (float));
  memcpy (fs->labels, labels, n);
  return fs;
}

static guint8
knn1 (const CnnFeatureSet *train, const CnnFeatureSet *query, int q, int k, CnnKnnMetric metric)
{
  const int all[5] = { 0, 1, 2, 3, 4 };
  guint8 out = 255;
  cnn_knn_classify (train, all, train->n, query, &q, 1, k, metric, NULL, &out);
  return out;
}

static void
test_knn (void)
{
  static const float train_xy[5][2] = { { 0, 0 }, { 1, 0 }, { 0, 2 }, { 3, 3 }, { 0, 3 } };
  static const guint8 train_labels[5] = { 0, 0, 1, 2, 1 };
  static const float query_xy[4][2] = { { 0.4f, 0 }, { 0, 2.4f }, { 2, 2.8f }, { 1, 0.9f } };
  static const guint8 query_labels[4] = { 0, 1, 1, 2 };
  g_autoptr (CnnFeatureSet) train = points (train_xy, train_labels, 5);
  g_autoptr (CnnFeatureSet) query = points (query_xy, query_labels, 4);
  /* squared L2 distances, by hand:
   *   (0.4, 0): 0.16 0.36 4.16 15.76 9.16  -> 3 nearest t0 t1 t2: 0, 0, 1 -> 0
   *   (0, 2.4): 5.76 6.76 0.16 9.36 0.36   -> t2 t4 t0: 1, 1, 0 -> 1
   *   (2, 2.8): 11.84 8.84 4.64 1.04 4.04  -> k=3 t3 t4 t2: 2, 1, 1 -> 1;
   *                                           k=2 t3 t4: a tie, t3 is nearer -> 2
   *   (1, 0.9): 1.81 0.81 2.21 8.41 5.41   -> k=1 t1 -> 0 */
  g_assert_cmpint (knn1 (train, query, 0, 3, CNN_KNN_L2), ==, 0);
  g_assert_cmpint (knn1 (train, query, 1, 3, CNN_KNN_L2), ==, 1);
  g_assert_cmpint (knn1 (train, query, 2, 3, CNN_KNN_L2), ==, 1);
  g_assert_cmpint (knn1 (train, query, 2, 2, CNN_KNN_L2), ==, 2);
  g_assert_cmpint (knn1 (train, query, 3, 1, CNN_KNN_L2), ==, 0);
  /* cosine from (1, 0.9): 1 - cos is 0.0014 to t3, 0.257 to t1, 0.331 to
   * t2 and t4 (one direction), 1 to t0 (a zero vector): k=1 t3 -> 2; k=3
   * t3 t1 t2, one vote each -> the nearest, t3 -> 2; k=5 all: 0 and 1 tie
   * at two votes, t1 (class 0) is nearer than t2 -> 0 */
  g_assert_cmpint (knn1 (train, query, 3, 1, CNN_KNN_COSINE), ==, 2);
  g_assert_cmpint (knn1 (train, query, 3, 3, CNN_KNN_COSINE), ==, 2);
  g_assert_cmpint (knn1 (train, query, 3, 5, CNN_KNN_COSINE), ==, 0);
  /* k beyond the training set uses all of it */
  g_assert_cmpint (knn1 (train, query, 3, 50, CNN_KNN_COSINE), ==, 0);
  /* accuracy with k=3, L2: predictions 0 1 1 1 against 0 1 1 2 */
  const int all[5] = { 0, 1, 2, 3, 4 };
  g_autoptr (CnnPool) pool = cnn_pool_new (2);
  g_assert_cmpfloat (cnn_knn_accuracy (train, all, 5, query, all, 4, 3, CNN_KNN_L2, pool), ==, 0.75);
  /* a subset of the training samples: without t3, (1, 0.9) by cosine, k=1 -> t1 -> 0 */
  const int some[4] = { 0, 1, 2, 4 };
  int q = 3;
  guint8 out = 255;
  cnn_knn_classify (train, some, 4, query, &q, 1, 1, CNN_KNN_COSINE, NULL, &out);
  g_assert_cmpint (out, ==, 0);
}

/* ---- a head trained on features ---- */

static void
test_train_on_features (void)
{
  /* three classes at three corners of a square, with noise: softmax
   * regression separates them */
  g_autoptr (GError) error = NULL;
  const int n = 90;
  g_autoptr (CnnFeatureSet) fs = cnn_feature_set_new (n, (CnnShape) { 2, 1, 1 }, "corners", &error);
  g_assert_no_error (error);
  CnnRng rng;
  cnn_rng_init (&rng, 3, 0);
  static const float corner[3][2] = { { 2, 0 }, { 0, 2 }, { -2, -2 } };
  for (int i = 0; i < n; i++)
    {
      int c = i % 3;
      float noise[2];
      cnn_test_fill_uniform (noise, 2, -0.5f, 0.5f, &rng);
      fs->x[2 * i] = corner[c][0] + noise[0];
      fs->x[2 * i + 1] = corner[c][1] + noise[1];
      fs->labels[i] = (guint8) c;
    }
  g_autoptr (CnnNetwork) head = cnn_network_new (cnn_head_spec (CNN_HEAD_SOFTMAX), "head",
                                                 fs->shape, 3, &error);
  g_assert_no_error (error);
  cnn_network_init_params (head, 1);
  int train_idx[60], val_idx[30];
  for (int i = 0; i < 60; i++)
    train_idx[i] = i;
  for (int i = 0; i < 30; i++)
    val_idx[i] = 60 + i;
  CnnTrainConfig config = { .epochs = 30, .batch_size = 10, .seed = 2, .threads = 1 };
  g_assert_true (cnn_optimizer_config_init (&config.optimizer, "adam", &error));
  config.optimizer.lr = 0.05;
  g_autoptr (CnnTrainer) t = cnn_trainer_new_features (head, fs, train_idx, 60, val_idx, 30, &config,
                                                       &error);
  g_assert_no_error (error);
  g_assert_true (cnn_trainer_run (t, NULL, &error));
  double loss, acc;
  cnn_evaluate_features (head, fs, val_idx, 30, 8, NULL, &loss, &acc);
  g_assert_cmpfloat (acc, ==, 1.0);
  g_assert_cmpfloat (loss, <, 0.2);

  /* wrong shapes and augmentation are errors */
  g_autoptr (CnnNetwork) wide = cnn_network_new (cnn_head_spec (CNN_HEAD_DENSE), "head",
                                                 (CnnShape) { 3, 1, 1 }, 3, &error);
  g_assert_no_error (error);
  g_assert_null (cnn_trainer_new_features (wide, fs, train_idx, 60, NULL, 0, &config, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_SHAPE);
  g_clear_error (&error);
  g_autoptr (CnnAugment) aug = cnn_augment_parse ("hflip", &error);
  g_assert_no_error (error);
  config.augment = aug;
  g_assert_null (cnn_trainer_new_features (head, fs, train_idx, 60, NULL, 0, &config, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
}

static void
test_head_kinds (void)
{
  CnnHeadKind kind;
  g_autoptr (GError) error = NULL;
  for (int k = CNN_HEAD_SOFTMAX; k <= CNN_HEAD_KNN; k++)
    {
      g_assert_true (cnn_head_kind_parse (cnn_head_kind_name (k), &kind, &error));
      g_assert_cmpint (kind, ==, k);
    }
  g_assert_null (cnn_head_spec (CNN_HEAD_KNN));
  g_assert_false (cnn_head_kind_parse ("svm", &kind, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("test-transfer-XXXXXX", NULL);
  g_test_add_func ("/transfer/class-list", test_class_list);
  g_test_add_func ("/transfer/select-classes", test_select_classes);
  g_test_add_func ("/transfer/feature-cache", test_feature_cache);
  g_test_add_func ("/transfer/feature-cancel", test_feature_cancel);
  g_test_add_func ("/transfer/new-head", test_new_head);
  g_test_add_func ("/transfer/freeze", test_freeze);
  g_test_add_func ("/transfer/frozen-bn-forward", test_frozen_bn_forward);
  g_test_add_func ("/transfer/knn", test_knn);
  g_test_add_func ("/transfer/train-on-features", test_train_on_features);
  g_test_add_func ("/transfer/head-kinds", test_head_kinds);
  int status = g_test_run ();
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
  (void) system (cmd);
  g_free (tmpdir);
  return status;
}
