/* convscope eval: loss and accuracy of a checkpoint on a split. */
#include "cnn-cli.h"

#include <stdio.h>
#include <string.h>

int
cnn_cli_eval (int argc, char **argv)
{
  g_autofree char *model = NULL, *data = NULL, *split = NULL, *classes = NULL;
  int threads = 0, batch = 256;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model, "checkpoint (model.ckpt, best.ckpt)", "FILE" },
    { "data", 'd', 0, G_OPTION_ARG_STRING, &data, "data set (default: the one the model was trained on)", "D" },
    { "classes", 0, 0, G_OPTION_ARG_STRING, &classes, "class subset, relabelled 0.. in this order: 0-4 or 5,6,7; \"all\" for every class (default: the model's)", "LIST" },
    { "split", 0, 0, G_OPTION_ARG_STRING, &split, "test, val or train (default: test if the data set has one, else val)", "S" },
    { "batch-size", 'b', 0, G_OPTION_ARG_INT, &batch, "images per forward pass (default 256)", "B" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "worker threads (default: all cores)", "T" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "print {\"accuracy\": …, \"loss\": …}", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- evaluate a checkpoint");
  g_option_context_add_main_entries (ctx, entries, NULL);
  int status;
  if (!cnn_cli_parse (ctx, &argc, &argv, &status))
    return status;
  if (model == NULL)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "eval needs --model FILE (a checkpoint)");
  if (batch < 1 || threads < 0 || threads > CNN_MAX_THREADS)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--batch-size and --threads must be positive");

  g_autoptr (GError) error = NULL;
  g_autoptr (CnnCheckpoint) ckpt = cnn_checkpoint_load (model, &error);
  if (ckpt == NULL)
    return cnn_cli_fail (error);
  const char *data_name = data ? data : ckpt->meta.data;
  if (data_name == NULL || *data_name == '\0')
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s does not record its data set: give --data", model);
  /* the images as the model was trained on them: its input shape, the
   * same fit */
  CnnShape in = cnn_network_get_input_shape (ckpt->net);
  CnnDataOptions opts = { .seed = ckpt->meta.seed, .fit = ckpt->meta.fit };
  if ((in.c == 1 || in.c == 3) && in.h <= 4096 && in.w <= 4096)
    {
      opts.channels = in.c;
      opts.h = in.h;
      opts.w = in.w;
    }
  g_autoptr (CnnDataset) ds = cnn_cli_load_data (data_name, &opts, &error);
  /* the classes it was trained on, relabelled as they were */
  const char *subset = classes ? classes : ckpt->meta.classes;
  if (subset && strcmp (subset, "all") == 0)
    subset = NULL;
  if (ds == NULL || !cnn_dataset_apply_classes (ds, subset, &error))
    return cnn_cli_fail (error);
  if (ds->train->c != in.c || ds->train->h != in.h || ds->train->w != in.w)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s takes %d×%d×%d images but %s has %d×%d×%d",
                                model, in.c, in.h, in.w, data_name, ds->train->c, ds->train->h,
                                ds->train->w);
  if (ds->n_classes > cnn_network_get_n_classes (ckpt->net))
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s has %d classes but %s knows %d",
                                data_name, ds->n_classes, model, cnn_network_get_n_classes (ckpt->net));

  const char *which = split ? split : (ds->test ? "test" : "val");
  const CnnImageSet *set;
  g_autofree int *idx = NULL, *other = NULL;
  int n = 0;
  if (strcmp (which, "test") == 0)
    {
      if (ds->test == NULL)
        return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s has no test split (use --split val)", data_name);
      set = ds->test;
      n = set->n;
      idx = g_new (int, n);
      for (int i = 0; i < n; i++)
        idx[i] = i;
    }
  else if (strcmp (which, "val") == 0 || strcmp (which, "train") == 0)
    {
      /* the same split as in training: the val/ folder, or the stratified
       * split by the checkpoint's fraction and seed; then the same limit */
      set = ds->train;
      int *train_idx, *val_idx, n_train, n_val;
      if (ckpt->meta.val_fixed && ds->n_fixed_val == 0)
        return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s was validated on a val/ folder, but %s "
                                    "has none", model, data_name);
      cnn_dataset_split (ds, ckpt->meta.val_split, ckpt->meta.limit_per_class, ckpt->meta.seed,
                         &train_idx, &n_train, &val_idx, &n_val);
      gboolean val = strcmp (which, "val") == 0;
      idx = val ? val_idx : train_idx;
      other = val ? train_idx : val_idx;
      n = val ? n_val : n_train;
      if (n == 0)
        return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s was trained without a validation split "
                                    "(use --split test or train)", model);
    }
  else
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--split takes test, val or train, not “%s”", which);

  if (!cnn_network_check_batch (ckpt->net, MIN (batch, n), 1, &error))
    return cnn_cli_fail (error);
  g_autoptr (CnnPool) pool = cnn_pool_new (threads);
  /* in chunks of 16 batches, for a progress line over big models; the
   * means weighted by chunk size are the whole pass's */
  double loss = 0, acc = 0;
  CnnCliProgress progress;
  cnn_cli_progress_init (&progress, "eval");
  const int chunk = batch > G_MAXINT / 16 ? G_MAXINT : batch * 16;
  for (int start = 0; start < n; start += chunk)
    {
      int m = MIN (chunk, n - start);
      double l, a;
      cnn_evaluate (ckpt->net, set, ckpt->normalizer, idx + start, m, batch, pool, &l, &a);
      loss += l * m / n;
      acc += a * m / n;
      cnn_cli_progress_update (start + m, n, &progress);
    }
  cnn_cli_progress_done (&progress);
  if (json)
    printf ("{\"accuracy\": %.6f, \"loss\": %.6f, \"split\": \"%s\", \"images\": %d}\n", acc, loss, which, n);
  else
    printf ("%s on %s (%s split, %d images): accuracy %.4f, loss %.4f\n", model, data_name, which, n,
            acc, loss);
  return CNN_EXIT_OK;
}
