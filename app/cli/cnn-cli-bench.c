/* convscope bench: training and inference images/s, measured like the
 * PyTorch anchor (../shared/peers/torch_bench.py): whole Adam steps on
 * batches drawn from a shuffled in-memory set, after a warm-up, median of
 * several timed windows. */
#include "cnn-cli.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

typedef struct
{
  CnnNetwork          *net;
  const CnnImageSet   *set;
  const CnnNormalizer *nz;
  CnnOptimizer        *opt;
  CnnPool             *pool;
  CnnRng               rng;
  int                  batch;
  int                 *perm;
  int                  pos;
  float               *x;
  guint8              *labels;
  float               *dlogits;
  CnnPrefetch         *prefetch;   /* with --augment: prepares the next batch */
  int                  epoch;      /* passes over perm, for the augmentation */
} Bench;

/* the next batch's images: with and without augmentation, the same source */
static const int *
next_indices (Bench *b)
{
  if (b->pos + b->batch > b->set->n)
    {
      cnn_rng_shuffle_int (&b->rng, b->perm, b->set->n);
      b->pos = 0;
      b->epoch++;
    }
  const int *idx = b->perm + b->pos;
  b->pos += b->batch;
  return idx;
}

static const int *
next_batch (Bench *b)
{
  const int *idx = next_indices (b);
  cnn_normalizer_gather (b->nz, b->set, idx, b->batch, b->x);
  for (int i = 0; i < b->batch; i++)
    b->labels[i] = b->set->labels[idx[i]];
  return idx;
}

static void
train_on (Bench *b, const float *x, const guint8 *labels)
{
  int K = cnn_network_get_n_classes (b->net), top = cnn_network_get_logits_layer (b->net);
  const float *logits = cnn_network_forward (b->net, x, b->batch, TRUE, &b->rng, b->pool, top);
  cnn_loss_softmax_xent (logits, labels, b->batch, K, b->dlogits, NULL);
  cnn_network_zero_grads (b->net);
  cnn_network_backward (b->net, top, b->dlogits, NULL, &b->rng, b->pool);
  cnn_optimizer_step (b->opt, cnn_network_get_params (b->net), cnn_network_get_grads (b->net));
}

static void
train_step (Bench *b)
{
  next_batch (b);
  train_on (b, b->x, b->labels);
}

/* as the trainer does it: the worker prepares batch k+1 while k trains */
static void
train_step_augmented (Bench *b)
{
  const guint8 *labels;
  const float *x = cnn_prefetch_wait (b->prefetch, &labels);
  /* batch k is ready, so reshuffling perm for k+1 cannot disturb it */
  cnn_prefetch_post (b->prefetch, b->epoch, next_indices (b), b->batch);
  train_on (b, x, labels);
}

static void
infer_step (Bench *b)
{
  next_batch (b);
  cnn_network_forward (b->net, b->x, b->batch, FALSE, NULL, b->pool, -1);
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* steps that take about `seconds`, after a warm-up */
static int
calibrate (Bench *b, void (*step) (Bench *), double seconds)
{
  for (int i = 0; i < 3; i++)
    step (b);
  gint64 t0 = g_get_monotonic_time ();
  int calib = 0;
  while (calib < 3 || g_get_monotonic_time () - t0 < 300000)
    {
      step (b);
      calib++;
    }
  double per_step = (g_get_monotonic_time () - t0) / 1e6 / calib;
  return MAX (2, (int) (seconds / per_step));
}

/* images/s of one window of `steps` steps */
static double
window (Bench *b, void (*step) (Bench *), int steps)
{
  gint64 s = g_get_monotonic_time ();
  for (int i = 0; i < steps; i++)
    step (b);
  return (double) steps * b->batch / ((g_get_monotonic_time () - s) / 1e6);
}

static double
median (double *rates, int n)
{
  qsort (rates, n, sizeof (double), compare_double);
  return rates[n / 2];
}

/* images/s: median over `windows` windows of about `seconds` each */
static double
measure (Bench *b, void (*step) (Bench *), double seconds, int windows)
{
  int steps = calibrate (b, step, seconds);
  double rates[64];
  windows = CLAMP (windows, 1, 64);
  for (int w = 0; w < windows; w++)
    rates[w] = window (b, step, steps);
  return median (rates, windows);
}

/* Training without and with augmentation in alternating windows, so that a
 * busy machine slows both alike and the ratio stays fair. A prefetcher
 * lives for each augmented window: between them plain steps reshuffle perm. */
static gboolean
measure_pair (Bench *b, const CnnAugment *aug, double seconds, int windows, double *plain,
              double *augmented, GError **error)
{
  int steps = calibrate (b, train_step, seconds);
  double rates[2][64];
  windows = CLAMP (windows, 1, 64);
  for (int w = 0; w < windows; w++)
    {
      rates[0][w] = window (b, train_step, steps);
      b->prefetch = cnn_prefetch_new (b->set, b->nz, aug, 0, b->batch, error);
      if (b->prefetch == NULL)
        return FALSE;
      cnn_prefetch_post (b->prefetch, b->epoch, next_indices (b), b->batch);
      if (w == 0)
        for (int i = 0; i < 3; i++)   /* the warm-up */
          train_step_augmented (b);
      rates[1][w] = window (b, train_step_augmented, steps);
      g_clear_pointer (&b->prefetch, cnn_prefetch_free);
    }
  *plain = median (rates[0], windows);
  *augmented = median (rates[1], windows);
  return TRUE;
}

/* Issue 5's budget: the top-activating images of every channel of one
 * layer over 10,000 images (the validation-sized set), median of 3 runs. */
static int
bench_top_patches (CnnNetwork *net, const char *model, const CnnImageSet *set, const char *layer_name,
                   CnnPool *pool, gboolean json)
{
  int layer = -1;
  for (int i = 0; i < cnn_network_get_n_layers (net); i++)
    if (g_strcmp0 (cnn_network_get_layer (net, i)->name, layer_name) == 0)
      layer = i;
  if (layer < 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s has no layer named “%s”", model, layer_name);
  const int n = MIN (10000, set->n);
  g_autofree int *idx = g_new (int, n);
  for (int i = 0; i < n; i++)
    idx[i] = i;
  g_autoptr (CnnNormalizer) nz = cnn_normalizer_new_fit (CNN_STANDARDIZE_SCALE, set, idx, n);
  double seconds[3];
  for (int r = 0; r < 3; r++)
    {
      g_autoptr (GError) error = NULL;
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr (CnnTopPatches) tp = cnn_top_patches_compute (net, set, nz, idx, n, layer, 9, 256, pool,
                                                              NULL, NULL, &error);
      if (tp == NULL)
        return cnn_cli_fail (error);
      seconds[r] = (g_get_monotonic_time () - t0) / 1e6;
    }
  double a = MIN (seconds[0], seconds[1]), b = MAX (seconds[0], seconds[1]);
  double median = seconds[2] < a ? a : seconds[2] > b ? b : seconds[2];
  int channels = cnn_network_get_layer (net, layer)->out_shape.c;
  if (json)
    printf ("{\"model\": \"%s\", \"top_patches_layer\": \"%s\", \"channels\": %d, \"images\": %d, "
            "\"k\": 9, \"threads\": %d, \"seconds\": %.3f}\n", model, layer_name, channels, n,
            cnn_pool_get_n_threads (pool), median);
  else
    printf ("%s: top 9 images of all %d channels of %s over %d images: %.3f s (%d threads, median of 3)\n",
            model, channels, layer_name, n, median, cnn_pool_get_n_threads (pool));
  return CNN_EXIT_OK;
}

static double
peak_rss_mib (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

int
cnn_cli_bench (int argc, char **argv)
{
  g_autofree char *model = NULL, *data = NULL, *shape_text = NULL, *augment = NULL;
  g_autofree char *input_size = NULL, *fit = NULL, *top_layer = NULL;
  int batch = 0, threads = 0, windows = 0, classes = 10, channels = 0;
  double window_s = 1.5;
  gboolean json = FALSE, explain = FALSE, inference = FALSE;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model, "preset, spec file or checkpoint (default: cnn2, cnn1, lenet, vgg-mini)", "M" },
    { "data", 'd', 0, G_OPTION_ARG_STRING, &data, "images to draw batches from (default: fashion-mnist if installed, else synthetic)", "D" },
    { "input-shape", 0, 0, G_OPTION_ARG_STRING, &shape_text, "channels,height,width of random inputs instead of a data set", "C,H,W" },
    { "input-size", 0, 0, G_OPTION_ARG_STRING, &input_size, "resize the data set's images to height,width", "H,W" },
    { "channels", 0, 0, G_OPTION_ARG_INT, &channels, "the data set's images as 1 (gray) or 3 (color) channels", "1|3" },
    { "fit", 0, 0, G_OPTION_ARG_STRING, &fit, "crop (default) or stretch, with --input-size", "MODE" },
    { "classes", 0, 0, G_OPTION_ARG_INT, &classes, "classes with --input-shape (default 10)", "K" },
    { "batch-size", 'b', 0, G_OPTION_ARG_INT, &batch, "images per step (default 128; with --inference: what fits 512 MiB of activations, at most 32)", "B" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "worker threads (default: all cores)", "T" },
    { "windows", 0, 0, G_OPTION_ARG_INT, &windows, "timed windows, the median is reported (default 7; 5 with --inference)", "N" },
    { "window-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &window_s, "length of one window (default 1.5)", "S" },
    { "augment", 0, 0, G_OPTION_ARG_STRING, &augment, "also measure training with this augmentation (as train --augment) and the ratio", "SPEC" },
    { "top-patches", 0, 0, G_OPTION_ARG_STRING, &top_layer, "instead: time the top-activating images of every channel of this layer over 10,000 images", "LAYER" },
    { "explain", 0, 0, G_OPTION_ARG_NONE, &explain, "instead: time saliency, occlusion (patch 4, stride 1), LIME (1000 samples) and Grad-CAM on one image", NULL },
    { "inference", 0, 0, G_OPTION_ARG_NONE, &inference, "instead: forward images/s at the model's input size on random inputs, 1 thread and all (the default for .onnx models)", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "print one JSON object per model", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- measure training and inference speed");
  g_option_context_add_main_entries (ctx, entries, NULL);
  int status;
  if (!cnn_cli_parse (ctx, &argc, &argv, &status))
    return status;
  if (model && g_str_has_suffix (model, ".onnx") && !top_layer && !explain)
    inference = TRUE;
  if (windows == 0)
    windows = inference ? 5 : 7;
  if (inference)
    {
      /* an imported model at its own input size: no data set to load */
      if (model == NULL)
        return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--inference needs --model FILE");
      if (batch < 0 || batch > 65536 || threads < 0 || threads > CNN_MAX_THREADS || windows < 1
          || windows > 64 || !(window_s > 0 && window_s < 600))
        return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "a --batch-size, --threads, --windows or "
                                    "--window-seconds value is out of range");
      if (!cnn_cli_is_checkpoint (model))
        return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s is not a checkpoint or an ONNX model", model);
      g_autoptr (GError) error = NULL;
      g_autoptr (CnnCheckpoint) ckpt = cnn_checkpoint_load (model, &error);
      if (ckpt == NULL)
        return cnn_cli_fail (error);
      return cnn_cli_bench_inference (ckpt->net, model, batch, threads, window_s, windows, json);
    }
  if (batch == 0)
    batch = 128;
  if (batch < 1 || batch > 65536 || threads < 0 || threads > CNN_MAX_THREADS || windows < 1
      || windows > 64 || !(window_s > 0 && window_s < 600) || classes < 1 || classes > 255)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "a --batch-size, --threads, --windows, "
                                "--window-seconds or --classes value is out of range");

  g_autoptr (GError) error = NULL;
  g_autoptr (CnnAugment) aug = cnn_augment_parse (augment, &error);
  if (aug == NULL)
    return cnn_cli_fail (error);
  const gboolean augmenting = !cnn_augment_is_off (aug);
  g_autoptr (CnnDataset) ds = NULL;
  g_autoptr (CnnImageSet) random_set = NULL;
  const CnnImageSet *set;
  if (shape_text)
    {
      CnnShape s;
      if (!cnn_cli_parse_shape (shape_text, &s, &error))
        return cnn_cli_fail (error);
      random_set = cnn_image_set_new (MAX (batch * 4, 512), s.c, s.h, s.w);
      CnnRng rng;
      cnn_rng_init (&rng, 7, 7);
      size_t n = (size_t) random_set->n * s.c * s.h * s.w;
      for (size_t i = 0; i < n; i++)
        random_set->pixels[i] = (guint8) cnn_rng_below (&rng, 256);
      for (int i = 0; i < random_set->n; i++)
        random_set->labels[i] = (guint8) (i % classes);
      set = random_set;
    }
  else
    {
      if (data == NULL)
        data = g_file_test ("/usr/share/datasets/fashion-mnist", G_FILE_TEST_IS_DIR)
                 ? g_strdup ("fashion-mnist") : g_strdup ("synthetic");
      CnnDataOptions opts = { 0 };
      if (!cnn_cli_data_options (input_size, channels, fit, FALSE, &opts, &error))
        return cnn_cli_fail (error);
      ds = cnn_cli_load_data (data, &opts, &error);
      if (ds == NULL)
        return cnn_cli_fail (error);
      set = ds->train;
      classes = ds->n_classes;
    }
  if (batch > set->n)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--batch-size %d is larger than the %d images", batch, set->n);

  const char *defaults[] = { "cnn2", "cnn1", "lenet", "vgg-mini", NULL };
  const char *one[] = { model, NULL };
  const char *const *models = model ? one : defaults;
  g_autoptr (CnnPool) pool = cnn_pool_new (threads);
  g_autoptr (CnnNormalizer) nz = cnn_normalizer_new_fit (CNN_STANDARDIZE_SCALE, set, NULL, 0);

  g_autofree char *aug_text = cnn_augment_describe (aug);
  if (!json && augmenting)
    printf ("augmentation: %s\n", aug_text);
  if (!json && !top_layer && !explain)
    printf ("%-14s %6s %7s %12s %12s %9s%s\n", "model", "batch", "threads", "train img/s", "infer img/s",
            "peak MiB", augmenting ? " augmented/s  ratio" : "");
  for (int m = 0; models[m]; m++)
    {
      g_autoptr (CnnNetwork) net = NULL;
      g_autoptr (CnnCheckpoint) ckpt = NULL;
      if (cnn_cli_is_checkpoint (models[m]))
        {
          ckpt = cnn_checkpoint_load (models[m], &error);
          if (ckpt == NULL)
            return cnn_cli_fail (error);
        }
      else
        {
          g_autofree char *source = NULL;
          g_autofree char *spec = cnn_model_spec_load (models[m], &source, &error);
          if (spec == NULL)
            return cnn_cli_fail (error);
          net = cnn_network_new (spec, source, (CnnShape) { set->c, set->h, set->w }, classes, &error);
          if (net == NULL)
            return cnn_cli_fail (error);
          cnn_network_init_params (net, 0);
        }
      CnnNetwork *use = ckpt ? ckpt->net : net;
      if (!cnn_network_check_batch (use, batch, 3, &error))
        return cnn_cli_fail (error);
      CnnShape in = cnn_network_get_input_shape (use);
      if (in.c != set->c || in.h != set->h || in.w != set->w)
        return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s takes %d×%d×%d inputs; give --input-shape",
                                    models[m], in.c, in.h, in.w);
      if (explain)
        {
          int st = cnn_cli_bench_explain (use, models[m], ds && ds->test ? ds->test : set,
                                          ckpt ? ckpt->normalizer : nz, pool, json);
          if (st != CNN_EXIT_OK)
            return st;
          continue;
        }
      if (top_layer)
        {
          /* the test images when there are (they stand in for a validation set) */
          int st = bench_top_patches (use, models[m], ds && ds->test ? ds->test : set, top_layer, pool,
                                      json);
          if (st != CNN_EXIT_OK)
            return st;
          continue;
        }
      CnnOptimizerConfig oc;
      cnn_optimizer_config_init (&oc, "adam", NULL);
      g_autoptr (CnnOptimizer) opt = cnn_optimizer_new (&oc, cnn_network_get_n_params (use));
      Bench b = { .net = use, .set = set, .nz = nz, .opt = opt, .pool = pool, .batch = batch };
      cnn_rng_init (&b.rng, 0, 3);
      b.perm = g_new (int, set->n);
      for (int i = 0; i < set->n; i++)
        b.perm[i] = i;
      b.pos = set->n;   /* shuffle before the first batch */
      b.x = g_new (float, (size_t) batch * set->c * set->h * set->w);
      b.labels = g_new (guint8, batch);
      b.dlogits = g_new (float, (size_t) batch * cnn_network_get_n_classes (use));

      double train = 0, train_aug = 0;
      if (!augmenting)
        train = measure (&b, train_step, window_s, windows);
      else if (!measure_pair (&b, aug, window_s, windows, &train, &train_aug, &error))
        {
          g_free (b.perm);
          g_free (b.x);
          g_free (b.labels);
          g_free (b.dlogits);
          return cnn_cli_fail (error);
        }
      double infer = measure (&b, infer_step, window_s / 2, windows);
      double rss = peak_rss_mib ();
      g_autofree char *aug_json = augmenting
        ? g_strdup_printf (", \"augment\": \"%s\", \"train_aug_img_s\": %.1f, \"aug_ratio\": %.3f",
                           aug_text, train_aug, train_aug / train)
        : g_strdup ("");
      g_autofree char *aug_cols = augmenting
        ? g_strdup_printf (" %12.0f %6.2f", train_aug, train_aug / train) : g_strdup ("");
      if (json)
        printf ("{\"model\": \"%s\", \"batch\": %d, \"threads\": %d, \"train_img_s\": %.1f, "
                "\"infer_img_s\": %.1f, \"peak_rss_mib\": %.1f%s}\n",
                models[m], batch, cnn_pool_get_n_threads (pool), train, infer, rss, aug_json);
      else
        printf ("%-14s %6d %7d %12.0f %12.0f %9.1f%s\n", models[m], batch, cnn_pool_get_n_threads (pool),
                train, infer, rss, aug_cols);
      fflush (stdout);
      g_free (b.perm);
      g_free (b.x);
      g_free (b.labels);
      g_free (b.dlogits);
    }
  return CNN_EXIT_OK;
}
