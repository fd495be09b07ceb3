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

enum { SCRATCH = CNN_STRATEGY_SCRATCH, FEATURES = CNN_STRATEGY_FEATURES, FINETUNE = CNN_STRATEGY_FINETUNE,
       N_STRATEGIES = CNN_N_STRATEGIES };

/* The run folder of the strategy being trained: its CSV files and curve. */
typedef struct
{
  gboolean     json, verbose;
  const char  *name;
  FILE        *metrics, *steps;
  CnnCurveRun *curve;
  gint64       last_draw;   /* feature extraction's progress line */
  gboolean     tty;
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
on_step (CnnStrategy k, const CnnStepInfo *s, gpointer data)
{
  Run *r = data;
  fprintf (r->steps, "%" G_GINT64_FORMAT ",%d,%.6f,%.6f\n", s->global_step, s->epoch, s->loss,
           s->accuracy);
}

static void
on_epoch (CnnStrategy k, const CnnEpochInfo *e, gpointer data)
{
  Run *r = data;
  fprintf (r->metrics, "%d,%.6f,%.6f,%.6f,%.6f,%.1f,%.3f\n", e->epoch, e->train_loss,
           e->train_accuracy, e->val_loss, e->val_accuracy, e->img_per_s, e->seconds);
  fflush (r->metrics);
  fflush (r->steps);
  cnn_curve_run_append_epoch (r->curve, e->epoch, e->train_loss, e->train_accuracy, e->val_loss,
                              e->val_accuracy);
  if (r->verbose && !r->json)
    printf ("  %-8s epoch %3d  loss %.4f  acc %.4f  test_loss %.4f  test_acc %.4f\n", r->name,
            e->epoch, e->train_loss, e->train_accuracy, e->val_loss, e->val_accuracy);
}

static gboolean
on_progress (int done, int total, gpointer data)
{
  Run *r = data;
  gint64 now = g_get_monotonic_time ();
  if (!r->tty || (now - r->last_draw < 100000 && done < total))
    return TRUE;
  r->last_draw = now;
  fprintf (stderr, "\r  features %d/%d ", done, total);
  if (done == total)
    fprintf (stderr, "\r%*s\r", 60, "");
  fflush (stderr);
  return TRUE;
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

/* The run folder OUT/NAME with its CSV files open and run.ini written. */
static gboolean
run_open (Run *r, const char *dir, CnnRunInfo *info, GError **error)
{
  if (!cnn_cli_open_run_files (dir, &r->metrics, &r->steps, error))
    return FALSE;
  if (cnn_run_info_save (info, dir, error))
    return TRUE;
  run_close (r);
  return FALSE;
}

typedef struct
{
  const char *from, *data, *classes, *out;
  int         limit_per_class;
} Settings;

static void
info_init (CnnRunInfo *info, const Settings *s, const CnnTransferPlan *p, CnnStrategy k)
{
  cnn_run_info_init (info);
  CnnOptimizerConfig opt = p->optimizer;
  info->data = g_strdup (s->data);
  info->optimizer = cnn_optimizer_config_describe (&opt);
  info->lr = opt.lr;
  info->batch_size = p->batch;
  info->epochs = cnn_transfer_total_epochs (p, k);
  info->seed = (gint64) p->seed;
  info->val_split = 0;
  info->steps_per_epoch = (p->n_train + p->batch - 1) / p->batch;
  info->classes = g_strdup (s->classes);
  info->transfer = cnn_transfer_describe (p, k);
}

static gboolean
save_model (const Settings *s, const CnnTransferPlan *p, const char *dir, CnnNetwork *net,
            int epochs, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "model.ckpt", NULL);
  g_autofree char *opt = cnn_optimizer_config_describe (&p->optimizer);
  CnnCheckpointMeta meta = { .data = (char *) s->data, .class_names = p->ds->class_names,
                             .seed = p->seed, .epochs_done = epochs, .optimizer = opt,
                             .limit_per_class = s->limit_per_class,
                             .classes = (char *) s->classes };
  return cnn_checkpoint_save (path, net, NULL, NULL, p->nz, &meta, error);
}

/* Strategy k in its run folder OUT/NAME (kNN: none), its model saved. */
static gboolean
run_strategy (const Settings *s, CnnTransferPlan *p, CnnStrategy k, Run *r, Result *res,
              GError **error)
{
  gboolean knn = k == CNN_STRATEGY_FEATURES && p->head == CNN_HEAD_KNN;
  g_autofree char *dir = g_build_filename (s->out, cnn_strategy_name (k), NULL);
  g_auto (CnnRunInfo) info;
  info_init (&info, s, p, k);
  if (!knn && !run_open (r, dir, &info, error))
    return FALSE;
  p->user_data = r;
  CnnTransferResult tr;
  gboolean ok = cnn_transfer_run (p, k, &tr, error);
  run_close (r);
  if (!ok)
    return FALSE;
  res->accuracy = tr.accuracy;
  res->loss = tr.loss;
  if (!r->json && k == CNN_STRATEGY_FEATURES)
    printf ("features: %s's output%s\n", cnn_network_get_layer (p->pre, p->feature_layer)->name,
            tr.from_cache ? " (from the cache)" : "");
  if (!r->json && k == CNN_STRATEGY_FINETUNE)
    printf ("finetune: after stage 1 (layers up to %s frozen): test accuracy %.4f\n",
            cnn_network_get_layer (p->pre, p->freeze_until)->name, tr.stage1_accuracy);
  if (tr.net)
    ok = save_model (s, p, dir, tr.net, tr.epochs, error);
  cnn_transfer_result_clear (&tr);
  return ok;
}

static void
draw_comparison (cairo_t *cr, double width, double height, const CnnRenderStyle *style,
                 gpointer data)
{
  cnn_panel_transfer_draw (data, style, cr, width, height);
}

static gboolean
write_figure (const char *path, const Settings *s, const CnnTransferPlan *p, Result *results,
              GError **error)
{
  CnnCurveRun *curves[N_STRATEGIES];
  gboolean done[N_STRATEGIES];
  double acc[N_STRATEGIES];
  for (int k = 0; k < N_STRATEGIES; k++)
    {
      curves[k] = results[k].curve;
      done[k] = results[k].done;
      acc[k] = results[k].accuracy;
    }
  CnnTransferFigure f;
  cnn_transfer_figure_init (&f, curves, done, acc, p->head == CNN_HEAD_KNN, p->ds->name, s->classes,
                            p->n_train, p->n_test);
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  double w, h;
  cnn_panel_transfer_natural_size (&f.data, style, &w, &h);
  gboolean ok = cnn_render_export (path, w, h, 150, style, draw_comparison, &f.data, error);
  cnn_transfer_figure_clear (&f);
  return ok;
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
    run[k] = strcmp (which, "all") == 0 || strcmp (which, cnn_strategy_name (k)) == 0;
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
  Settings s = { .from = from, .classes = classes, .limit_per_class = limit_per_class };
  CnnTransferPlan plan = { .source = from, .epochs = epochs,
                           .stage2_epochs = stage2_epochs < 0 ? epochs : stage2_epochs,
                           .batch = batch, .threads = threads, .seed = (guint64) seed,
                           .on_step = on_step, .on_epoch = on_epoch, .progress = on_progress };
  CnnTransferPlan *p = &plan;
  if (!cnn_optimizer_config_init (&p->optimizer, optimizer ? optimizer : "adam", &error)
      || (!isnan (lr) && !cnn_optimizer_config_set (&p->optimizer, "lr", lr, &error))
      || (head && !cnn_head_kind_parse (head, &p->head, &error)))
    return cnn_cli_fail (error);
  p->stage2_lr = isnan (stage2_lr) ? p->optimizer.lr / 10 : stage2_lr;
  if (!(p->stage2_lr > 0 && isfinite (p->stage2_lr)))
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--stage2-lr must be positive, not %g", p->stage2_lr);

  g_autoptr (CnnCheckpoint) ckpt = cnn_checkpoint_load (from, &error);
  if (ckpt == NULL)
    return cnn_cli_fail (error);
  CnnNetwork *pre = ckpt->net;
  int head_layer = cnn_transfer_head_layer (pre);
  if (head_layer < 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s has no dense layer to replace with a new head", from);
  p->pre = pre;
  p->nz = ckpt->normalizer;
  p->feature_layer = cnn_transfer_feature_layer (pre);
  p->freeze_until = head_layer - 1;
  p->stage2_from = cnn_transfer_unfreeze_layer (pre);
  if (!find_layer (pre, layer, "--layer", from, &p->feature_layer, &error)
      || !find_layer (pre, freeze_until, "--freeze-until", from, &p->freeze_until, &error))
    return cnn_cli_fail (error);
  if (stage2_from && strcmp (stage2_from, "none") == 0)
    p->stage2_from = -1;
  else if (!find_layer (pre, stage2_from, "--stage2-from", from, &p->stage2_from, &error))
    return cnn_cli_fail (error);
  if (run[FEATURES] && p->feature_layer < 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s: the last dense layer reads the input: choose a layer with --layer", from);
  if (run[FINETUNE] && p->freeze_until >= head_layer)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--freeze-until %s would freeze the new head %s too",
                                freeze_until, cnn_network_get_layer (pre, head_layer)->name);
  if (run[FINETUNE] && p->stage2_from > p->freeze_until)
    {
      if (stage2_from)
        return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--stage2-from %s: that layer already trains "
                                    "in the first stage (it comes after %s)", stage2_from,
                                    cnn_network_get_layer (pre, p->freeze_until)->name);
      p->stage2_from = -1;   /* the default, past what is frozen: no second stage */
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

  /* the curves' test images: as many of each class */
  g_autofree int *train_idx = NULL, *test_idx = NULL, *curve_idx = NULL;
  int n_train = 0, n_curve = 0;
  cnn_transfer_task_images (ds, limit_per_class,
                            curve_images < ds->test->n ? MAX (1, curve_images / ds->n_classes) : 0,
                            (guint64) seed, &train_idx, &n_train, &test_idx, &curve_idx, &n_curve);
  if (n_train == 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s: no training images", s.data);

  g_autofree char *cache_dir = g_build_filename (g_get_user_cache_dir (), "convscope", "features", NULL);
  p->cache_dir = no_cache ? NULL : cache_dir;
  p->data_name = s.data;
  p->ds = ds;
  p->train_idx = train_idx;
  p->n_train = n_train;
  p->test_idx = test_idx;
  p->n_test = ds->test->n;
  p->curve_idx = curve_idx;
  p->n_curve = n_curve;
  g_autofree char *out_dir = out ? g_strdup (out) : default_out_dir ();
  s.out = out_dir;
  if (g_mkdir_with_parents (out_dir, 0755) != 0)
    return cnn_cli_fail_printf (CNN_EXIT_FAILURE, "%s: cannot create the folder: %s", out_dir,
                                g_strerror (errno));
  g_autoptr (CnnPool) pool = cnn_pool_new (threads);
  p->pool = pool;
  if (!json)
    {
      printf ("Transfer from %s (%s) to %s%s%s: %d classes, %d training images%s, %d test images\n",
              from, ckpt->meta.data ? ckpt->meta.data : "?", ds->name, classes ? " classes " : "",
              classes ? classes : "", ds->n_classes, n_train,
              limit_per_class > 0 ? " (limited per class with the seed)" : "", ds->test->n);
      g_autofree char *opt = cnn_optimizer_config_describe (&p->optimizer);
      printf ("%s, batch %d, %d epochs, seed %" G_GINT64_FORMAT "\n", opt, batch, epochs, seed);
      fflush (stdout);
    }

  Result results[N_STRATEGIES] = { { 0 } };
  int st = CNN_EXIT_OK;
  for (int k = 0; k < N_STRATEGIES && st == CNN_EXIT_OK; k++)
    {
      if (!run[k])
        continue;
      Run r = { .json = json, .verbose = verbose, .name = cnn_strategy_name (k),
                .tty = isatty (STDERR_FILENO) && !json };
      r.curve = results[k].curve = cnn_curve_run_new (cnn_strategy_name (k));
      gint64 t0 = g_get_monotonic_time ();
      gboolean ok = run_strategy (&s, p, k, &r, &results[k], &error);
      if (!ok)
        {
          st = cnn_cli_fail (error);
          break;
        }
      if (k == FEATURES && p->head == CNN_HEAD_KNN)
        g_clear_pointer (&results[k].curve, cnn_curve_run_free);
      results[k].done = TRUE;
      results[k].seconds = (g_get_monotonic_time () - t0) / 1e6;
      if (json)
        printf ("{\"strategy\": \"%s\", \"test_accuracy\": %.6f, \"seconds\": %.3f}\n",
                cnn_strategy_name (k), results[k].accuracy, results[k].seconds);
      else
        printf ("%-9s test accuracy %.4f  (%.1f s)\n", cnn_strategy_name (k), results[k].accuracy,
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
            g_string_append_printf (csv, "%s,%s,%s,%d,%d,%.1f\n", cnn_strategy_name (k), acc, loss,
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
      if (!write_figure (path, &s, p, results, &error))
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
