/* convscope train: train a model, print the learning curve, save the run. */
#include "cnn-cli.h"

#include "cnn-run-folder.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct
{
  gboolean   json;
  gboolean   tty;            /* progress bar on stderr */
  FILE      *metrics;        /* metrics.csv */
  FILE      *steps;          /* steps.csv */
  const char *out_dir;
  CnnNetwork *net;
  CnnTrainer *trainer;
  const CnnNormalizer *nz;
  CnnCheckpointMeta *meta;
  GError    *save_error;     /* first failure to save, reported at the end */
  gint64     last_draw;
} TrainRun;

static volatile sig_atomic_t interrupted;

static void
on_sigint (int sig)
{
  interrupted = 1;
}

static gboolean
should_stop (gpointer data)
{
  return interrupted != 0;
}

static void
on_step (const CnnStepInfo *s, gpointer data)
{
  TrainRun *run = data;
  if (run->steps)
    fprintf (run->steps, "%" G_GINT64_FORMAT ",%d,%.6f,%.6f\n", s->global_step, s->epoch, s->loss,
             s->accuracy);
  gint64 now = g_get_monotonic_time ();
  if (!run->tty || (now - run->last_draw < 100000 && s->step != s->steps_per_epoch))
    return;
  run->last_draw = now;
  int width = 30, done = (int) ((double) width * s->step / s->steps_per_epoch);
  char bar[64];
  for (int i = 0; i < width; i++)
    bar[i] = i < done ? '#' : '.';
  bar[width] = '\0';
  fprintf (stderr, "\r  epoch %d [%s] %d/%d  loss %.4f  %.0f img/s ", s->epoch, bar, s->step,
           s->steps_per_epoch, s->loss, s->img_per_s);
  fflush (stderr);
}

static void
save (TrainRun *run, const char *name, const float *params, const float *state)
{
  if (run->out_dir == NULL || run->save_error)
    return;
  g_autofree char *path = g_build_filename (run->out_dir, name, NULL);
  run->meta->epochs_done = cnn_trainer_get_epochs_done (run->trainer);
  cnn_checkpoint_save (path, run->net, params, state, run->nz, run->meta, &run->save_error);
}

static void
on_epoch (const CnnEpochInfo *e, gpointer data)
{
  TrainRun *run = data;
  if (run->tty)
    fprintf (stderr, "\r%*s\r", 78, "");
  if (run->json)
    {
      /* NaN is not JSON: a missing validation split is null */
      char vl[32] = "null", va[32] = "null";
      if (!isnan (e->val_loss))
        {
          g_ascii_formatd (vl, sizeof vl, "%.6f", e->val_loss);
          g_ascii_formatd (va, sizeof va, "%.6f", e->val_accuracy);
        }
      printf ("{\"epoch\": %d, \"train_loss\": %.6f, \"train_acc\": %.6f, \"val_loss\": %s, "
              "\"val_acc\": %s, \"img_per_s\": %.1f, \"seconds\": %.3f}\n",
              e->epoch, e->train_loss, e->train_accuracy, vl, va, e->img_per_s, e->seconds);
    }
  else if (isnan (e->val_loss))
    printf ("epoch %2d/%d  loss %.4f  acc %.4f  %6.0f img/s  %.1f s\n", e->epoch, e->epochs,
            e->train_loss, e->train_accuracy, e->img_per_s, e->seconds);
  else
    printf ("epoch %2d/%d  loss %.4f  acc %.4f  val_loss %.4f  val_acc %.4f  %6.0f img/s  %.1f s%s\n",
            e->epoch, e->epochs, e->train_loss, e->train_accuracy, e->val_loss, e->val_accuracy,
            e->img_per_s, e->seconds, e->best ? "  *best" : "");
  fflush (stdout);
  if (run->metrics)
    {
      fprintf (run->metrics, "%d,%.6f,%.6f,%.6f,%.6f,%.1f,%.3f\n", e->epoch, e->train_loss,
               e->train_accuracy, e->val_loss, e->val_accuracy, e->img_per_s, e->seconds);
      fflush (run->metrics);
    }
  if (run->steps)
    fflush (run->steps);
  /* save as we go: a run stopped later keeps what it learned */
  save (run, "model.ckpt", NULL, NULL);
  if (e->best)
    save (run, "best.ckpt", NULL, NULL);
}

static char *
default_out_dir (const char *model)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *base = g_path_get_basename (model);
  char *dot = strrchr (base, '.');
  if (dot && dot != base)
    *dot = '\0';
  return g_strdup_printf ("runs/%s-%s", base, stamp);
}

int
cnn_cli_train (int argc, char **argv)
{
  g_autofree char *data = NULL, *model = NULL, *optimizer = NULL, *standardize = NULL, *out = NULL;
  g_autofree char *input_size = NULL, *fit = NULL;
  g_autofree char *augment = NULL, *classes = NULL;
  double lr = NAN, momentum = NAN, rho = NAN, beta1 = NAN, beta2 = NAN, epsilon = NAN;
  double initial_accumulator = NAN;
  double val_split = NAN;   /* NAN: not given, 0.1 */
  int epochs = 5, batch = 128, threads = 0, channels = 0, limit_per_class = 0;
  gboolean strict = FALSE;
  gint64 seed = 0;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_STRING, &data, "fashion-mnist (default), synthetic, or a folder: IDX files, CIFAR-10 batches, or images in one sub-folder per class", "D" },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model, "preset (cnn2 default; fcnn cnn1 lenet vgg-mini alexnet-mini resnet-mini inception-mini), spec file, or a model to go on from: a checkpoint or an .onnx file (its weights and standardization)", "M" },
    { "optimizer", 0, 0, G_OPTION_ARG_STRING, &optimizer, "sgd momentum nesterov adagrad adadelta rmsprop adam (default) adamax nadam amsgrad", "O" },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, "learning rate (default: the optimizer's)", "X" },
    { "momentum", 0, 0, G_OPTION_ARG_DOUBLE, &momentum, "momentum (momentum, nesterov)", "X" },
    { "rho", 0, 0, G_OPTION_ARG_DOUBLE, &rho, "decay of running averages (adadelta, rmsprop)", "X" },
    { "beta1", 0, 0, G_OPTION_ARG_DOUBLE, &beta1, "first-moment decay (adam family)", "X" },
    { "beta2", 0, 0, G_OPTION_ARG_DOUBLE, &beta2, "second-moment decay (adam family)", "X" },
    { "epsilon", 0, 0, G_OPTION_ARG_DOUBLE, &epsilon, "numerical floor of adaptive methods", "X" },
    { "initial-accumulator", 0, 0, G_OPTION_ARG_DOUBLE, &initial_accumulator, "adagrad's starting sum of squares", "X" },
    { "epochs", 'e', 0, G_OPTION_ARG_INT, &epochs, "passes over the training set (default 5)", "N" },
    { "batch-size", 'b', 0, G_OPTION_ARG_INT, &batch, "images per step (default 128)", "B" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "seed of weights, shuffling, split and dropout (default 0)", "S" },
    { "standardize", 0, 0, G_OPTION_ARG_STRING, &standardize, "scale (default: pixels to [0,1]), pixel, channel or none", "MODE" },
    { "augment", 0, 0, G_OPTION_ARG_STRING, &augment, "augment training images anew each epoch, as Keras' ImageDataGenerator: any of rotation=DEGREES,width-shift=F,height-shift=F,zoom=F,hflip,vflip,fill=nearest|constant|reflect|wrap,cval=V (default none)", "SPEC" },
    { "val-split", 0, 0, G_OPTION_ARG_DOUBLE, &val_split, "fraction held out for validation, stratified (default 0.1; 0 for none; a val/ folder replaces it)", "F" },
    { "input-size", 0, 0, G_OPTION_ARG_STRING, &input_size, "resize images to height,width (default: the most common size of an image folder, else the data's own)", "H,W" },
    { "channels", 0, 0, G_OPTION_ARG_INT, &channels, "1 (gray) or 3 (color) (default: gray unless some image has color)", "1|3" },
    { "fit", 0, 0, G_OPTION_ARG_STRING, &fit, "crop (default: keep the aspect ratio, cut the center) or stretch", "MODE" },
    { "strict", 0, 0, G_OPTION_ARG_NONE, &strict, "a broken image file is an error instead of being skipped", NULL },
    { "classes", 0, 0, G_OPTION_ARG_STRING, &classes, "keep only these classes, relabelled 0.. in this order: 0-4 or 5,6,7 (default all)", "LIST" },
    { "limit-per-class", 0, 0, G_OPTION_ARG_INT, &limit_per_class, "train on at most N images per class, chosen with the seed (validation keeps its size)", "N" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "worker threads (default: all cores)", "T" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "print one JSON object per epoch", NULL },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "run folder for metrics.csv, model.ckpt, best.ckpt (default runs/MODEL-TIME)", "DIR" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- train a model");
  g_option_context_set_description (ctx, "convscope layers lists the layer types of model specs "
                                    "and every optimizer with its default settings.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  int status;
  if (!cnn_cli_parse (ctx, &argc, &argv, &status))
    return status;

  if (epochs < 1 || epochs > 100000)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--epochs must be at least 1, not %d", epochs);
  if (batch < 1 || batch > 65536)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--batch-size must be between 1 and 65536, not %d", batch);
  gboolean val_split_given = !isnan (val_split);
  if (!val_split_given)
    val_split = 0.1;
  if (!(val_split >= 0.0 && val_split < 1.0))
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--val-split must be in [0, 1), not %g", val_split);
  if (threads < 0 || threads > CNN_MAX_THREADS)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--threads must be between 1 and %d", CNN_MAX_THREADS);
  if (seed < 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--seed must be ≥ 0");
  if (limit_per_class < 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--limit-per-class must be ≥ 1 (or 0 for no limit), not %d",
                                limit_per_class);

  g_autoptr (GError) error = NULL;
  CnnTrainConfig config = { .epochs = epochs, .batch_size = batch, .seed = (guint64) seed,
                            .threads = threads };
  if (!cnn_optimizer_config_init (&config.optimizer, optimizer ? optimizer : "adam", &error))
    return cnn_cli_fail (error);
  const struct { const char *key; double value; } settings[] = {
    { "lr", lr }, { "momentum", momentum }, { "rho", rho }, { "beta1", beta1 },
    { "beta2", beta2 }, { "epsilon", epsilon }, { "initial_accumulator", initial_accumulator },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (settings); i++)
    if (!isnan (settings[i].value)
        && !cnn_optimizer_config_set (&config.optimizer, settings[i].key, settings[i].value, &error))
      return cnn_cli_fail (error);
  CnnStandardize mode = CNN_STANDARDIZE_SCALE;
  if (standardize && !cnn_standardize_parse (standardize, &mode, &error))
    return cnn_cli_fail (error);
  CnnDataOptions data_opts = { .seed = (guint64) seed };
  if (!cnn_cli_data_options (input_size, channels, fit, strict, &data_opts, &error))
    return cnn_cli_fail (error);
  g_autoptr (CnnAugment) aug = cnn_augment_parse (augment, &error);
  if (aug == NULL)
    return cnn_cli_fail (error);
  config.augment = aug;

  if (data == NULL)
    data = g_strdup ("fashion-mnist");
  if (model == NULL)
    model = g_strdup ("cnn2");
  /* a trained or imported model: its weights are where training starts */
  g_autoptr (CnnCheckpoint) from = NULL;
  if (g_str_has_suffix (model, ".ckpt") || cnn_onnx_is_onnx_path (model))
    {
      from = cnn_checkpoint_load (model, &error);
      if (from == NULL)
        return cnn_cli_fail (error);
      if (standardize)
        return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s brings its own standardization: leave out --standardize",
                                    model);
      /* the images at the model's input size */
      CnnShape want = cnn_network_get_input_shape (from->net);
      if (data_opts.h == 0 && data_opts.w == 0 && data_opts.channels == 0)
        {
          data_opts.channels = want.c;
          data_opts.h = want.h;
          data_opts.w = want.w;
        }
    }
  g_autofree char *source = NULL;
  g_autofree char *spec = from ? NULL : cnn_model_spec_load (model, &source, &error);
  if (from == NULL && spec == NULL)
    return cnn_cli_fail (error);
  g_autoptr (CnnDataset) ds = cnn_cli_load_data (data, &data_opts, &error);
  if (ds == NULL || !cnn_dataset_apply_classes (ds, classes, &error))
    return cnn_cli_fail (error);
  CnnShape in = { ds->train->c, ds->train->h, ds->train->w };
  g_autoptr (CnnNetwork) owned_net = NULL;
  CnnNetwork *net;
  if (from)
    {
      net = from->net;
      CnnShape want = cnn_network_get_input_shape (net);
      if (want.c != in.c || want.h != in.h || want.w != in.w)
        return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s takes %d×%d×%d inputs, but %s has %d×%d×%d images", model,
                                    want.c, want.h, want.w, ds->name, in.c, in.h, in.w);
      if (cnn_network_get_n_classes (net) != ds->n_classes)
        return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s has %d classes, but %s has %d: for new classes use "
                                    "`convscope transfer --from %s`", model, cnn_network_get_n_classes (net),
                                    ds->name, ds->n_classes, model);
    }
  else
    {
      net = owned_net = cnn_network_new (spec, source, in, ds->n_classes, &error);
      if (net == NULL)
        return cnn_cli_fail (error);
      cnn_network_init_params (net, (guint64) seed);
    }

  g_autofree int *train_idx = NULL, *val_idx = NULL;
  int n_train = 0, n_val = 0;
  gboolean val_fixed = ds->n_fixed_val > 0;
  if (val_fixed)
    val_split = 0;
  cnn_dataset_split (ds, val_split, limit_per_class, (guint64) seed, &train_idx, &n_train, &val_idx,
                     &n_val);
  g_autoptr (CnnNormalizer) fitted = from ? NULL : cnn_normalizer_new_fit (mode, ds->train, train_idx, n_train);
  const CnnNormalizer *nz = from ? from->normalizer : fitted;
  if (from)
    mode = nz->mode;
  g_autoptr (CnnTrainer) trainer = cnn_trainer_new (net, ds->train, nz, train_idx, n_train, val_idx,
                                                    n_val, &config, &error);
  if (trainer == NULL)
    return cnn_cli_fail (error);

  g_autofree char *out_dir = out ? g_strdup (out) : default_out_dir (model);
  g_autofree char *opt_text = cnn_optimizer_config_describe (&config.optimizer);
  g_autofree char *aug_text = cnn_augment_describe (aug);
  CnnCheckpointMeta meta = { .data = data, .class_names = ds->class_names, .val_split = val_split,
                             .seed = (guint64) seed, .optimizer = opt_text, .fit = data_opts.fit,
                             .limit_per_class = limit_per_class, .val_fixed = val_fixed,
                             .augment = aug_text, .classes = classes };
  TrainRun run = { .json = json, .tty = isatty (STDERR_FILENO) && !json, .out_dir = out_dir,
                   .net = net, .trainer = trainer, .nz = nz, .meta = &meta };
  if (!cnn_cli_open_run_files (out_dir, &run.metrics, &run.steps, &error))
    return cnn_cli_fail (error);

  /* the settings, for the legend of `figure curves` and the window's history */
  g_auto (CnnRunInfo) info;
  cnn_run_info_init (&info);
  info.model = g_strdup (model);
  info.data = g_strdup (data);
  info.optimizer = g_strdup (opt_text);
  info.lr = config.optimizer.lr;
  info.batch_size = batch;
  info.epochs = epochs;
  info.standardize = g_strdup (cnn_standardize_name (mode));
  info.seed = seed;
  info.val_split = val_split;
  info.augment = cnn_augment_is_off (aug) ? NULL : g_strdup (aug_text);
  info.steps_per_epoch = (n_train + batch - 1) / batch;
  info.classes = g_strdup (classes);
  if (!cnn_run_info_save (&info, out_dir, &error))
    {
      fclose (run.metrics);
      fclose (run.steps);
      cnn_cli_fail (error);
      return CNN_EXIT_FAILURE;
    }

  if (!json)
    {
      printf ("Training %s on %s: %d training and %d validation images of %d×%d×%d, %d classes\n",
              model, ds->name, n_train, n_val, in.c, in.h, in.w, ds->n_classes);
      if (val_fixed)
        printf ("Validation: the images of %s/val%s\n", ds->name,
                val_split_given ? " (--val-split is ignored)" : "");
      if (limit_per_class > 0)
        printf ("Training images limited to %d per class (chosen with the seed)\n", limit_per_class);
      printf ("%s, batch %d, %d epochs, standardize %s, seed %" G_GINT64_FORMAT ", %d threads%s%s\n",
              opt_text, batch, epochs, cnn_standardize_name (mode), seed,
              cnn_pool_get_n_threads (cnn_trainer_get_pool (trainer)),
              cnn_augment_is_off (aug) ? "" : ", augment ", cnn_augment_is_off (aug) ? "" : aug_text);
      fflush (stdout);
    }

  signal (SIGINT, on_sigint);
  CnnTrainCallbacks cb = { on_step, on_epoch, should_stop, &run };
  gboolean ok = cnn_trainer_run (trainer, &cb, &error);
  signal (SIGINT, SIG_DFL);
  if (run.tty)
    fprintf (stderr, "\r%*s\r", 78, "");
  fclose (run.metrics);
  fclose (run.steps);

  /* the end state: the last weights (or the last good ones after divergence) */
  save (&run, "model.ckpt", NULL, NULL);
  if (cnn_trainer_get_best_params (trainer, NULL) == NULL)
    save (&run, "best.ckpt", NULL, NULL);
  if (run.save_error)
    {
      int st = cnn_cli_fail (run.save_error);
      g_error_free (run.save_error);
      return st == CNN_EXIT_BAD_INPUT ? CNN_EXIT_FAILURE : st;
    }
  if (!ok)
    {
      if (g_error_matches (error, CNN_ERROR, CNN_ERROR_CANCELLED))
        {
          fprintf (stderr, "convscope: interrupted; the run so far is saved in %s\n", out_dir);
          return 130;
        }
      int st = cnn_cli_fail (error);
      fprintf (stderr, "convscope: the last good weights are saved in %s/model.ckpt\n", out_dir);
      return st;
    }
  if (!json)
    printf ("Saved %s/metrics.csv, steps.csv, run.ini, model.ckpt and best.ckpt\n", out_dir);
  return CNN_EXIT_OK;
}
