/* convscope transfer: the lecture's transfer learning on limited data.
 * From a pretrained checkpoint, train on a few images of new classes three
 * ways and compare them on the test set: from scratch (the same model,
 * random weights), frozen features with a new head, and fine-tuning (a new
 * head on frozen layers, then the last conv layers unfrozen at a smaller
 * learning rate). Each strategy writes a run folder like `train --out`
 * (metrics.csv, steps.csv, run.ini), so `figure curves` overlays them;
 * `--strategy all` also draws the comparison figure.
 *
 * The validation columns of these runs hold test images (at most
 * --curve-images of them, the same for every strategy), evaluated after
 * every epoch for the curves only: nothing is chosen by them (no best
 * epoch, no early stop). The accuracy reported is the last epoch's on the
 * whole test set. A held-out validation split would take far more images
 * than the 20 a class the comparison is about. */
#include "cnn-cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cnn-panel-transfer.h"
#include "cnn-render-export.h"
#include "cnn-run-folder.h"

enum { SCRATCH, FEATURES, FINETUNE, N_STRATEGIES };
static const char *const strategy_names[] = { "scratch", "features", "finetune" };
static const char *const strategy_titles[] = { "from scratch", "frozen features", "fine-tuned" };

typedef struct
{
  /* shared by every strategy */
  const CnnDataset    *ds;
  const int           *train_idx;
  int                  n_train;
  const int           *test_idx;       /* the whole test set */
  int                  n_test;
  const int           *curve_idx;      /* the test images of the curves */
  int                  n_curve;
  gboolean             json, verbose;
  /* the strategy being trained */
  const char          *name;
  FILE                *metrics, *steps;
  CnnCurveRun         *curve;
  CnnNetwork          *net;
  CnnTrainer          *trainer;
  const CnnNormalizer *nz;              /* images: the standardization */
  const CnnFeatureSet *test_features;   /* features: the test set's */
  int                  epoch_offset;    /* epochs of an earlier stage */
  gint64               step_offset;
  double               test_loss, test_acc;
} Run;

typedef struct
{
  gboolean     done;
  double       accuracy, loss, seconds;
  CnnCurveRun *curve;   /* NULL for kNN */
} Result;

/* Steps go to steps.csv only: the figure draws the training accuracy per
 * epoch, since a step's batch of 100 images' last 4 is mostly noise. */
static void
on_step (const CnnStepInfo *s, gpointer data)
{
  Run *r = data;
  int epoch = r->epoch_offset + s->epoch;
  fprintf (r->steps, "%" G_GINT64_FORMAT ",%d,%.6f,%.6f\n", r->step_offset + s->global_step, epoch,
           s->loss, s->accuracy);
}

/* Test loss and accuracy on images idx[0..n-1] (of the test features
 * when the run trains on features: they are in test_idx's order). */
static void
evaluate_test (Run *r, const int *idx, int n, CnnPool *pool, double *loss, double *acc)
{
  if (r->test_features)
    cnn_evaluate_features (r->net, r->test_features, idx, n, 256, pool, loss, acc);
  else
    cnn_evaluate (r->net, r->ds->test, r->nz, idx, n, 256, pool, loss, acc);
}

/* The result: the last weights on the whole test set. */
static void
final_test (Run *r, CnnPool *pool, Result *res)
{
  evaluate_test (r, r->test_idx, r->n_test, pool, &res->loss, &res->accuracy);
}

static void
on_epoch (const CnnEpochInfo *e, gpointer data)
{
  Run *r = data;
  evaluate_test (r, r->curve_idx, r->n_curve, cnn_trainer_get_pool (r->trainer), &r->test_loss,
                 &r->test_acc);
  int epoch = r->epoch_offset + e->epoch;
  fprintf (r->metrics, "%d,%.6f,%.6f,%.6f,%.6f,%.1f,%.3f\n", epoch, e->train_loss,
           e->train_accuracy, r->test_loss, r->test_acc, e->img_per_s, e->seconds);
  fflush (r->metrics);
  fflush (r->steps);
  cnn_curve_run_append_epoch (r->curve, epoch, e->train_loss, e->train_accuracy, r->test_loss,
                              r->test_acc);
  if (r->verbose && !r->json)
    printf ("  %-8s epoch %3d  loss %.4f  acc %.4f  test_loss %.4f  test_acc %.4f\n", r->name,
            epoch, e->train_loss, e->train_accuracy, r->test_loss, r->test_acc);
}

static FILE *
open_csv (const char *dir, const char *name, const char *header, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  FILE *f = fopen (path, "w");
  if (f == NULL)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot write: %s", path, g_strerror (errno));
      return NULL;
    }
  fprintf (f, "%s\n", header);
  return f;
}

/* The run folder OUT/NAME with its CSV files open and run.ini written. */
static gboolean
run_open (Run *r, const char *dir, CnnRunInfo *info, GError **error)
{
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot create the run folder: %s", dir,
                   g_strerror (errno));
      return FALSE;
    }
  if (!cnn_run_info_save (info, dir, error))
    return FALSE;
  r->metrics = open_csv (dir, "metrics.csv",
                         "epoch,train_loss,train_acc,val_loss,val_acc,img_per_s,seconds", error);
  if (r->metrics == NULL)
    return FALSE;
  r->steps = open_csv (dir, "steps.csv", "step,epoch,loss,acc", error);
  return r->steps != NULL;
}

static void
run_close (Run *r)
{
  if (r->metrics)
    fclose (r->metrics);
  if (r->steps)
    fclose (r->steps);
  r->metrics = r->steps = NULL;
}

/* One training stage of a run: its epochs and steps follow the run's
 * earlier ones. */
static gboolean
train_stage (Run *r, CnnTrainer *trainer, int batch, GError **error)
{
  r->trainer = trainer;
  CnnTrainCallbacks cb = { on_step, on_epoch, NULL, r };
  gboolean ok = cnn_trainer_run (trainer, &cb, error);
  int epochs = cnn_trainer_get_epochs_done (trainer);
  r->epoch_offset += epochs;
  r->step_offset += (gint64) epochs * ((r->n_train + batch - 1) / batch);
  r->trainer = NULL;
  return ok;
}

typedef struct
{
  const char         *from;          /* the checkpoint */
  const char         *data;
  const char         *classes;
  int                 limit_per_class;
  int                 epochs, stage2_epochs, batch, threads;
  guint64             seed;
  CnnOptimizerConfig  optimizer;
  double              stage2_lr;
  CnnHeadKind         head;
  int                 feature_layer, freeze_until, stage2_from;   /* -1: none (stage 2) */
  const char         *cache_dir;     /* NULL: --no-cache */
  const char         *out;
} Settings;


static void
info_init (CnnRunInfo *info, const Settings *s, const CnnOptimizerConfig *opt, int epochs,
           int n_train, const char *transfer)
{
  cnn_run_info_init (info);
  info->data = g_strdup (s->data);
  info->optimizer = cnn_optimizer_config_describe (opt);
  info->lr = opt->lr;
  info->batch_size = s->batch;
  info->epochs = epochs;
  info->seed = (gint64) s->seed;
  info->val_split = 0;
  info->steps_per_epoch = (n_train + s->batch - 1) / s->batch;
  info->classes = g_strdup (s->classes);
  info->transfer = g_strdup (transfer);
}

static gboolean
save_model (const Settings *s, const char *dir, CnnNetwork *net, const CnnNormalizer *nz,
            const CnnDataset *ds, int epochs, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "model.ckpt", NULL);
  g_autofree char *opt = cnn_optimizer_config_describe (&s->optimizer);
  CnnCheckpointMeta meta = { .data = (char *) s->data, .class_names = ds->class_names,
                             .seed = s->seed, .epochs_done = epochs, .optimizer = opt,
                             .limit_per_class = s->limit_per_class,
                             .classes = (char *) s->classes };
  return cnn_checkpoint_save (path, net, NULL, NULL, nz, &meta, error);
}

static CnnTrainConfig
train_config (const Settings *s, const CnnOptimizerConfig *opt, int epochs)
{
  return (CnnTrainConfig) { .epochs = epochs, .batch_size = s->batch, .seed = s->seed,
                            .threads = s->threads, .optimizer = *opt };
}

/* The same model from random weights, on the few images. */
static gboolean
run_scratch (const Settings *s, CnnCheckpoint *ckpt, Run *r, Result *res, GError **error)
{
  g_autoptr (CnnNetwork) net = cnn_transfer_new_head (ckpt->net, s->from, r->ds->n_classes, s->seed,
                                                      error);
  if (net == NULL)
    return FALSE;
  cnn_network_init_params (net, s->seed);
  /* The checkpoint's standardization, as the other strategies use: the
   * comparison is about the weights. Pixel statistics of 100 images would
   * divide by 1e-4 where those images happen to be all black (the borders),
   * and blow up test images that are not. */
  const CnnNormalizer *nz = ckpt->normalizer;
  CnnTrainConfig config = train_config (s, &s->optimizer, s->epochs);
  g_autoptr (CnnTrainer) trainer = cnn_trainer_new (net, r->ds->train, nz, r->train_idx, r->n_train,
                                                    NULL, 0, &config, error);
  if (trainer == NULL)
    return FALSE;
  g_autofree char *dir = g_build_filename (s->out, "scratch", NULL);
  g_auto (CnnRunInfo) info;
  info_init (&info, s, &s->optimizer, s->epochs, r->n_train, "from scratch");
  r->net = net;
  r->nz = nz;
  if (!run_open (r, dir, &info, error) || !train_stage (r, trainer, s->batch, error))
    return FALSE;
  run_close (r);
  final_test (r, cnn_trainer_get_pool (trainer), res);
  return save_model (s, dir, net, nz, r->ds, s->epochs, error);
}

typedef struct
{
  gint64 last_draw;
  gboolean tty;
  const char *what;
} Progress;

static gboolean
on_progress (int done, int total, gpointer data)
{
  Progress *p = data;
  gint64 now = g_get_monotonic_time ();
  if (!p->tty || (now - p->last_draw < 100000 && done < total))
    return TRUE;
  p->last_draw = now;
  fprintf (stderr, "\r  features of the %s images %d/%d ", p->what, done, total);
  if (done == total)
    fprintf (stderr, "\r%*s\r", 60, "");
  fflush (stderr);
  return TRUE;
}

/* Frozen features and a new head (or kNN) on them. */
static gboolean
run_features (const Settings *s, CnnCheckpoint *ckpt, CnnPool *pool, Run *r, Result *res,
              GError **error)
{
  Progress progress = { 0, isatty (STDERR_FILENO) && !r->json, "training" };
  CnnExtractConfig ec = { .layer = s->feature_layer, .pool = pool, .cache_dir = s->cache_dir,
                          .data_name = s->data, .progress = on_progress, .user_data = &progress };
  gboolean cached_train = FALSE, cached_test = FALSE;
  g_autoptr (CnnFeatureSet) train = cnn_features_extract (ckpt->net, ckpt->normalizer, r->ds->train,
                                                          r->train_idx, r->n_train, &ec,
                                                          &cached_train, error);
  if (train == NULL)
    return FALSE;
  progress.what = "test";
  g_autoptr (CnnFeatureSet) test = cnn_features_extract (ckpt->net, ckpt->normalizer, r->ds->test,
                                                         r->test_idx, r->n_test, &ec, &cached_test,
                                                         error);
  if (test == NULL)
    return FALSE;
  const char *layer = cnn_network_get_layer (ckpt->net, s->feature_layer)->name;
  if (!r->json)
    printf ("features: %s's output, %zu values an image%s\n", layer, cnn_shape_size (train->shape),
            cached_train && cached_test ? " (from the cache)" : "");
  /* features are indexed 0..n-1 in the order extracted */
  g_autofree int *all_train = g_new (int, MAX (r->n_train, 1));
  for (int i = 0; i < r->n_train; i++)
    all_train[i] = i;
  g_autofree int *all_test = g_new (int, MAX (r->n_test, 1));
  for (int i = 0; i < r->n_test; i++)
    all_test[i] = i;

  if (s->head == CNN_HEAD_KNN)
    {
      res->accuracy = cnn_knn_accuracy (train, all_train, r->n_train, test, all_test, r->n_test, 5,
                                        CNN_KNN_COSINE, pool);
      res->loss = NAN;
      return TRUE;
    }
  g_autofree char *source = g_strdup_printf ("%s head", cnn_head_kind_name (s->head));
  g_autoptr (CnnNetwork) head = cnn_network_new (cnn_head_spec (s->head), source, train->shape,
                                                 r->ds->n_classes, error);
  if (head == NULL)
    return FALSE;
  cnn_network_init_params (head, s->seed);
  CnnTrainConfig config = train_config (s, &s->optimizer, s->epochs);
  g_autoptr (CnnTrainer) trainer = cnn_trainer_new_features (head, train, all_train, r->n_train,
                                                             NULL, 0, &config, error);
  if (trainer == NULL)
    return FALSE;
  g_autofree char *dir = g_build_filename (s->out, "features", NULL);
  g_autofree char *what = g_strdup_printf ("%s head on %s's features", cnn_head_kind_name (s->head),
                                           layer);
  g_auto (CnnRunInfo) info;
  info_init (&info, s, &s->optimizer, s->epochs, r->n_train, what);
  r->net = head;
  r->test_features = test;
  r->test_idx = all_test;
  gboolean ok = run_open (r, dir, &info, error) && train_stage (r, trainer, s->batch, error);
  run_close (r);
  final_test (r, pool, res);
  return ok;
}

/* A new head on frozen layers, then the last conv layers too, slower. */
static gboolean
run_finetune (const Settings *s, CnnCheckpoint *ckpt, Run *r, Result *res, GError **error)
{
  g_autoptr (CnnNetwork) net = cnn_transfer_new_head (ckpt->net, s->from, r->ds->n_classes, s->seed,
                                                      error);
  if (net == NULL)
    return FALSE;
  g_autofree char *dir = g_build_filename (s->out, "finetune", NULL);
  const char *frozen = cnn_network_get_layer (net, s->freeze_until)->name;
  g_autofree char *what = s->stage2_from >= 0
    ? g_strdup_printf ("fine-tuned: frozen to %s, then from %s at lr %g", frozen,
                       cnn_network_get_layer (net, s->stage2_from)->name, s->stage2_lr)
    : g_strdup_printf ("fine-tuned: frozen to %s", frozen);
  int total = s->epochs + (s->stage2_from >= 0 ? s->stage2_epochs : 0);
  g_auto (CnnRunInfo) info;
  info_init (&info, s, &s->optimizer, total, r->n_train, what);
  r->net = net;
  r->nz = ckpt->normalizer;
  if (!run_open (r, dir, &info, error))
    return FALSE;

  cnn_transfer_freeze (net, s->freeze_until);
  CnnTrainConfig config = train_config (s, &s->optimizer, s->epochs);
  g_autoptr (CnnTrainer) stage1 = cnn_trainer_new (net, r->ds->train, ckpt->normalizer, r->train_idx,
                                                   r->n_train, NULL, 0, &config, error);
  if (stage1 == NULL || !train_stage (r, stage1, s->batch, error))
    return FALSE;
  if (!r->json)
    {
      Result first;
      final_test (r, cnn_trainer_get_pool (stage1), &first);
      printf ("finetune: after stage 1 (layers up to %s frozen): test accuracy %.4f\n", frozen,
              first.accuracy);
    }
  if (s->stage2_from >= 0)
    {
      cnn_transfer_unfreeze_from (net, s->stage2_from);
      CnnOptimizerConfig opt2 = s->optimizer;
      opt2.lr = s->stage2_lr;
      CnnTrainConfig config2 = train_config (s, &opt2, s->stage2_epochs);
      g_autoptr (CnnTrainer) stage2 = cnn_trainer_new (net, r->ds->train, ckpt->normalizer,
                                                       r->train_idx, r->n_train, NULL, 0, &config2,
                                                       error);
      if (stage2 == NULL || !train_stage (r, stage2, s->batch, error))
        return FALSE;
    }
  run_close (r);
  cnn_transfer_freeze (net, -1);
  final_test (r, cnn_trainer_get_pool (stage1), res);
  return save_model (s, dir, net, ckpt->normalizer, r->ds, total, error);
}

static void
draw_comparison (cairo_t *cr, double width, double height, const CnnRenderStyle *style,
                 gpointer data)
{
  cnn_panel_transfer_draw (data, style, cr, width, height);
}

static gboolean
write_figure (const char *path, const Settings *s, const CnnDataset *ds, int n_train, int n_test,
              Result *results, GError **error)
{
  CnnCurveRun *runs[N_STRATEGIES];
  const char *labels[N_STRATEGIES];
  double acc[N_STRATEGIES];
  int series[N_STRATEGIES];
  int n_runs = 0, n_bars = 0;
  for (int k = 0; k < N_STRATEGIES; k++)
    {
      if (!results[k].done)
        continue;
      if (results[k].curve)
        {
          cnn_curve_run_set_label (results[k].curve, strategy_titles[k]);
          /* one color a strategy, in the curves and the bars alike */
          results[k].curve->color = k;
          runs[n_runs++] = results[k].curve;
        }
      labels[n_bars] = k == FEATURES && s->head == CNN_HEAD_KNN ? "frozen features (5-NN)"
                                                                : strategy_titles[k];
      series[n_bars] = k;
      acc[n_bars++] = results[k].accuracy;
    }
  g_autofree char *title = g_strdup_printf ("Transfer learning on %s%s%s: %d training images, "
                                            "test accuracy per epoch", ds->name,
                                            s->classes ? ", classes " : "", s->classes ? s->classes : "",
                                            n_train);
  g_autofree char *value_label = g_strdup_printf ("final test accuracy, %% (%d images)", n_test);
  CnnTransferData d = { .runs = runs, .n_runs = n_runs, .n_bars = n_bars, .bar_labels = labels,
                        .accuracy = acc, .series = series, .value_label = value_label, .title = title };
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  double w, h;
  cnn_panel_transfer_natural_size (&d, style, &w, &h);
  return cnn_render_export (path, w, h, 150, style, draw_comparison, &d, error);
}

static gboolean
find_layer (CnnNetwork *net, const char *name, const char *option, const char *from, int *index,
            GError **error)
{
  if (name == NULL)
    return TRUE;
  *index = cnn_network_find_layer (net, name);
  if (*index < 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "%s: %s has no layer “%s”", option,
                   from, name);
      return FALSE;
    }
  return TRUE;
}

static char *
default_out_dir (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  return g_strdup_printf ("runs/transfer-%s", stamp);
}

int
cnn_cli_transfer (int argc, char **argv)
{
  g_autofree char *from = NULL, *data = NULL, *classes = NULL, *strategy = NULL, *layer = NULL;
  g_autofree char *head = NULL, *optimizer = NULL, *freeze_until = NULL, *stage2_from = NULL;
  g_autofree char *out = NULL, *figure = NULL;
  int limit_per_class = 0, curve_images = 1000, epochs = 30, stage2_epochs = -1, batch = 32, threads = 0;
  double lr = NAN, stage2_lr = NAN;
  gint64 seed = 0;
  gboolean no_cache = FALSE, json = FALSE, verbose = FALSE;
  GOptionEntry entries[] = {
    { "from", 'f', 0, G_OPTION_ARG_FILENAME, &from, "the pretrained checkpoint", "CKPT" },
    { "data", 'd', 0, G_OPTION_ARG_STRING, &data, "data set of the new task (default: the checkpoint's)", "D" },
    { "classes", 0, 0, G_OPTION_ARG_STRING, &classes, "the new task's classes, relabelled 0.. in this order: 5-9 or 5,6,7 (default all)", "LIST" },
    { "limit-per-class", 0, 0, G_OPTION_ARG_INT, &limit_per_class, "training images per class, chosen with the seed (default all)", "N" },
    { "strategy", 0, 0, G_OPTION_ARG_STRING, &strategy, "scratch, features, finetune or all (default all)", "S" },
    { "layer", 'l', 0, G_OPTION_ARG_STRING, &layer, "features: the layer whose output they are (default the input of the last dense layer)", "NAME" },
    { "head", 0, 0, G_OPTION_ARG_STRING, &head, "features: softmax (regression, default), dense (64 units) or knn (5 nearest, cosine)", "H" },
    { "epochs", 'e', 0, G_OPTION_ARG_INT, &epochs, "epochs from scratch, of the new head, and of each fine-tuning stage (default 30)", "N" },
    { "optimizer", 0, 0, G_OPTION_ARG_STRING, &optimizer, "as for train (default adam)", "O" },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, "learning rate (default: the optimizer's)", "X" },
    { "batch-size", 'b', 0, G_OPTION_ARG_INT, &batch, "images per step (default 32)", "B" },
    { "freeze-until", 0, 0, G_OPTION_ARG_STRING, &freeze_until, "finetune: freeze the layers up to this one (default all but the new head)", "NAME" },
    { "stage2-from", 0, 0, G_OPTION_ARG_STRING, &stage2_from, "finetune: then train the layers from this one on (default the second-to-last conv2d; none: no second stage)", "NAME" },
    { "stage2-epochs", 0, 0, G_OPTION_ARG_INT, &stage2_epochs, "finetune: epochs of the second stage (default --epochs)", "N" },
    { "stage2-lr", 0, 0, G_OPTION_ARG_DOUBLE, &stage2_lr, "finetune: learning rate of the second stage (default lr/10)", "X" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "seed of the images chosen, new weights, shuffling and dropout (default 0)", "S" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "worker threads (default: all cores)", "T" },
    { "no-cache", 0, 0, G_OPTION_ARG_NONE, &no_cache, "compute features anew instead of reading $XDG_CACHE_HOME/convscope/features", NULL },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "folder of the run folders, results.csv and comparison.png (default runs/transfer-TIME)", "DIR" },
    { "figure", 0, 0, G_OPTION_ARG_FILENAME, &figure, "the comparison figure of --strategy all (default OUT/comparison.png; .svg and .pdf too)", "FILE" },
    { "curve-images", 0, 0, G_OPTION_ARG_INT, &curve_images, "test images evaluated after each epoch for the curves, the same for every strategy (default 1000; the result is on all)", "N" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "print every epoch", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "print one JSON object per strategy", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- transfer a pretrained model to new classes");
  g_option_context_set_description (ctx, "The validation columns of the runs' metrics.csv hold test "
                                    "images (--curve-images of them), evaluated after each epoch for "
                                    "the curves only; the accuracy reported is the last epoch's, on "
                                    "the whole test set.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  int status;
  if (!cnn_cli_parse (ctx, &argc, &argv, &status))
    return status;

  if (from == NULL)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "transfer needs --from CKPT (a pretrained checkpoint)");
  gboolean run[N_STRATEGIES] = { FALSE };
  const char *which = strategy ? strategy : "all";
  for (int k = 0; k < N_STRATEGIES; k++)
    run[k] = strcmp (which, "all") == 0 || strcmp (which, strategy_names[k]) == 0;
  if (!run[SCRATCH] && !run[FEATURES] && !run[FINETUNE])
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--strategy takes scratch, features, finetune or all, not “%s”", which);
  if (epochs < 1 || epochs > 100000 || stage2_epochs < -1 || stage2_epochs > 100000)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--epochs and --stage2-epochs must be from 1 to 100000");
  if (batch < 1 || batch > 65536)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--batch-size must be between 1 and 65536, not %d", batch);
  if (threads < 0 || threads > CNN_MAX_THREADS)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--threads must be between 1 and %d", CNN_MAX_THREADS);
  if (curve_images < 1)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--curve-images must be at least 1, not %d", curve_images);
  if (seed < 0 || limit_per_class < 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--seed and --limit-per-class must be ≥ 0");
  if (classes && *classes == '\0')
    g_clear_pointer (&classes, g_free);

  g_autoptr (GError) error = NULL;
  CnnRenderFormat format;
  if (figure && !cnn_render_format_from_path (figure, &format, &error))
    return cnn_cli_fail (error);   /* before any training, not after */
  Settings s = { .from = from, .classes = classes, .limit_per_class = limit_per_class,
                 .epochs = epochs, .stage2_epochs = stage2_epochs < 0 ? epochs : stage2_epochs,
                 .batch = batch, .threads = threads, .seed = (guint64) seed };
  if (!cnn_optimizer_config_init (&s.optimizer, optimizer ? optimizer : "adam", &error)
      || (!isnan (lr) && !cnn_optimizer_config_set (&s.optimizer, "lr", lr, &error))
      || (head && !cnn_head_kind_parse (head, &s.head, &error)))
    return cnn_cli_fail (error);
  s.stage2_lr = isnan (stage2_lr) ? s.optimizer.lr / 10 : stage2_lr;
  if (!(s.stage2_lr > 0 && isfinite (s.stage2_lr)))
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--stage2-lr must be positive, not %g", s.stage2_lr);

  g_autoptr (CnnCheckpoint) ckpt = cnn_checkpoint_load (from, &error);
  if (ckpt == NULL)
    return cnn_cli_fail (error);
  CnnNetwork *pre = ckpt->net;
  int head_layer = cnn_transfer_head_layer (pre);
  if (head_layer < 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s has no dense layer to replace with a new head", from);
  s.feature_layer = cnn_transfer_feature_layer (pre);
  s.freeze_until = head_layer - 1;
  s.stage2_from = cnn_transfer_unfreeze_layer (pre);
  if (!find_layer (pre, layer, "--layer", from, &s.feature_layer, &error)
      || !find_layer (pre, freeze_until, "--freeze-until", from, &s.freeze_until, &error))
    return cnn_cli_fail (error);
  if (stage2_from && strcmp (stage2_from, "none") == 0)
    s.stage2_from = -1;
  else if (!find_layer (pre, stage2_from, "--stage2-from", from, &s.stage2_from, &error))
    return cnn_cli_fail (error);
  if (run[FEATURES] && s.feature_layer < 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s: the last dense layer reads the input: choose a layer with --layer", from);
  if (run[FINETUNE] && s.freeze_until >= head_layer)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--freeze-until %s would freeze the new head %s too",
                                freeze_until, cnn_network_get_layer (pre, head_layer)->name);
  if (run[FINETUNE] && s.stage2_from > s.freeze_until)
    {
      if (stage2_from)
        return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--stage2-from %s: that layer already trains "
                                    "in the first stage (it comes after %s)", stage2_from,
                                    cnn_network_get_layer (pre, s.freeze_until)->name);
      s.stage2_from = -1;   /* the default, past what is frozen: no second stage */
    }

  /* the new task's images, as the model takes them */
  s.data = data ? data : ckpt->meta.data;
  if (s.data == NULL || *s.data == '\0')
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s does not record its data set: give --data", from);
  CnnShape in = cnn_network_get_input_shape (pre);
  CnnDataOptions opts = { .seed = (guint64) seed, .fit = ckpt->meta.fit };
  if ((in.c == 1 || in.c == 3) && in.h <= 4096 && in.w <= 4096)
    {
      opts.channels = in.c;
      opts.h = in.h;
      opts.w = in.w;
    }
  g_autoptr (CnnDataset) ds = cnn_cli_load_data (s.data, &opts, &error);
  if (ds == NULL || !cnn_dataset_apply_classes (ds, classes, &error))
    return cnn_cli_fail (error);
  if (ds->train->c != in.c || ds->train->h != in.h || ds->train->w != in.w)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s takes %d×%d×%d images but %s has %d×%d×%d",
                                from, in.c, in.h, in.w, s.data, ds->train->c, ds->train->h, ds->train->w);
  if (ds->test == NULL || ds->test->n == 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s has no test images to compare the strategies on", s.data);

  g_autofree int *train_idx = NULL, *val_idx = NULL;
  int n_train = 0, n_val = 0;
  cnn_dataset_split (ds, 0.0, limit_per_class, (guint64) seed, &train_idx, &n_train, &val_idx, &n_val);
  if (n_train == 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s: no training images", s.data);
  g_autofree int *test_idx = g_new (int, ds->test->n);
  for (int i = 0; i < ds->test->n; i++)
    test_idx[i] = i;
  /* the curves' test images: as many of each class */
  g_autofree int *curve_idx = NULL;
  int n_curve = 0;
  cnn_limit_per_class (ds->test, test_idx, ds->test->n,
                       curve_images < ds->test->n ? MAX (1, curve_images / ds->n_classes) : 0,
                       (guint64) seed, &curve_idx, &n_curve);

  g_autofree char *cache_dir = g_build_filename (g_get_user_cache_dir (), "convscope", "features", NULL);
  s.cache_dir = no_cache ? NULL : cache_dir;
  g_autofree char *out_dir = out ? g_strdup (out) : default_out_dir ();
  s.out = out_dir;
  if (g_mkdir_with_parents (out_dir, 0755) != 0)
    return cnn_cli_fail_printf (CNN_EXIT_FAILURE, "%s: cannot create the folder: %s", out_dir,
                                g_strerror (errno));
  g_autoptr (CnnPool) pool = cnn_pool_new (threads);
  if (!json)
    {
      printf ("Transfer from %s (%s) to %s%s%s: %d classes, %d training images%s, %d test images\n",
              from, ckpt->meta.data ? ckpt->meta.data : "?", ds->name, classes ? " classes " : "",
              classes ? classes : "", ds->n_classes, n_train,
              limit_per_class > 0 ? " (limited per class with the seed)" : "", ds->test->n);
      g_autofree char *opt = cnn_optimizer_config_describe (&s.optimizer);
      printf ("%s, batch %d, %d epochs, seed %" G_GINT64_FORMAT "\n", opt, batch, epochs, seed);
      fflush (stdout);
    }

  Result results[N_STRATEGIES] = { { 0 } };
  int st = CNN_EXIT_OK;
  for (int k = 0; k < N_STRATEGIES && st == CNN_EXIT_OK; k++)
    {
      if (!run[k])
        continue;
      Run r = { .ds = ds, .train_idx = train_idx, .n_train = n_train, .test_idx = test_idx,
                .n_test = ds->test->n, .curve_idx = curve_idx, .n_curve = n_curve, .json = json, .verbose = verbose, .name = strategy_names[k],
                .test_loss = NAN, .test_acc = NAN };
      r.curve = results[k].curve = cnn_curve_run_new (strategy_names[k]);
      gint64 t0 = g_get_monotonic_time ();
      gboolean ok = k == SCRATCH ? run_scratch (&s, ckpt, &r, &results[k], &error)
                    : k == FEATURES ? run_features (&s, ckpt, pool, &r, &results[k], &error)
                    : run_finetune (&s, ckpt, &r, &results[k], &error);
      run_close (&r);
      if (!ok)
        {
          st = cnn_cli_fail (error);
          break;
        }
      if (k == FEATURES && s.head == CNN_HEAD_KNN)
        g_clear_pointer (&results[k].curve, cnn_curve_run_free);
      results[k].done = TRUE;
      results[k].seconds = (g_get_monotonic_time () - t0) / 1e6;
      if (json)
        printf ("{\"strategy\": \"%s\", \"test_accuracy\": %.6f, \"seconds\": %.3f}\n",
                strategy_names[k], results[k].accuracy, results[k].seconds);
      else
        printf ("%-9s test accuracy %.4f  (%.1f s)\n", strategy_names[k], results[k].accuracy,
                results[k].seconds);
      fflush (stdout);
    }

  if (st == CNN_EXIT_OK)
    {
      g_autoptr (GString) csv = g_string_new ("strategy,test_accuracy,test_loss,train_images,test_images,seconds\n");
      for (int k = 0; k < N_STRATEGIES; k++)
        if (results[k].done)
          {
            char acc[32], loss[32] = "";
            g_ascii_formatd (acc, sizeof acc, "%.6f", results[k].accuracy);
            if (!isnan (results[k].loss))
              g_ascii_formatd (loss, sizeof loss, "%.6f", results[k].loss);
            g_string_append_printf (csv, "%s,%s,%s,%d,%d,%.1f\n", strategy_names[k], acc, loss,
                                    n_train, ds->test->n, results[k].seconds);
          }
      g_autofree char *path = g_build_filename (out_dir, "results.csv", NULL);
      g_autoptr (GError) local = NULL;
      if (!g_file_set_contents_full (path, csv->str, csv->len, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &local))
        st = cnn_cli_fail_printf (CNN_EXIT_FAILURE, "%s: cannot write: %s", path, local->message);
    }
  if (st == CNN_EXIT_OK && run[SCRATCH] && run[FEATURES] && run[FINETUNE])
    {
      g_autofree char *path = figure ? g_strdup (figure) : g_build_filename (out_dir, "comparison.png", NULL);
      if (!write_figure (path, &s, ds, n_train, ds->test->n, results, &error))
        st = cnn_cli_fail (error);
      else if (!json)
        printf ("Saved %s\n", path);
    }
  if (st == CNN_EXIT_OK && !json)
    printf ("Run folders and results.csv in %s (convscope figure curves --run %s/scratch … overlays them)\n",
            out_dir, out_dir);
  for (int k = 0; k < N_STRATEGIES; k++)
    cnn_curve_run_free (results[k].curve);
  return st;
}
