/* convscope summary: layers, output shapes and parameter counts. */
#include "cnn-cli.h"

#include <stdio.h>

int
cnn_cli_summary (int argc, char **argv)
{
  g_autofree char *model = NULL, *data = NULL, *shape_text = NULL;
  int classes = 0;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model, "preset, spec file or checkpoint (default cnn2)", "M" },
    { "data", 'd', 0, G_OPTION_ARG_STRING, &data, "take the input shape and classes from a data set", "D" },
    { "input-shape", 0, 0, G_OPTION_ARG_STRING, &shape_text, "channels,height,width (default 1,28,28)", "C,H,W" },
    { "classes", 0, 0, G_OPTION_ARG_INT, &classes, "number of classes (default 10)", "K" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "print JSON", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- show a model's layers");
  g_option_context_add_main_entries (ctx, entries, NULL);
  int status;
  if (!cnn_cli_parse (ctx, &argc, &argv, &status))
    return status;

  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) owned = NULL;
  g_autoptr (CnnCheckpoint) ckpt = NULL;
  CnnNetwork *net;
  if (model == NULL)
    model = g_strdup ("cnn2");
  if (cnn_cli_is_checkpoint (model))
    {
      ckpt = cnn_checkpoint_load (model, &error);
      if (ckpt == NULL)
        return cnn_cli_fail (error);
      net = ckpt->net;
    }
  else
    {
      CnnShape in = { 1, 28, 28 };
      int k = 10;
      if (data)
        {
          g_autoptr (CnnDataset) ds = cnn_dataset_load (data, 0, &error);
          if (ds == NULL)
            return cnn_cli_fail (error);
          in = (CnnShape) { ds->train->c, ds->train->h, ds->train->w };
          k = ds->n_classes;
        }
      if (shape_text && !cnn_cli_parse_shape (shape_text, &in, &error))
        return cnn_cli_fail (error);
      if (classes < 0 || classes > 255)
        return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--classes must be between 1 and 255");
      if (classes > 0)
        k = classes;
      g_autofree char *source = NULL;
      g_autofree char *spec = cnn_model_spec_load (model, &source, &error);
      if (spec == NULL)
        return cnn_cli_fail (error);
      owned = cnn_network_new (spec, source, in, k, &error);
      if (owned == NULL)
        return cnn_cli_fail (error);
      net = owned;
    }
  g_autofree char *text = json ? cnn_summary_json (net) : cnn_summary_text (net);
  printf ("%s\n", text);
  return CNN_EXIT_OK;
}
