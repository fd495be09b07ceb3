/* convscope export: a checkpoint (or an ONNX model) as an ONNX file. */
#include "cnn-cli.h"

#include <stdio.h>

int
cnn_cli_export (int argc, char **argv)
{
  g_autofree char *model = NULL, *out = NULL, *format = NULL;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model, "checkpoint (model.ckpt, best.ckpt) or ONNX model", "FILE" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "file to write (M.onnx)", "FILE" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "onnx (the default and only format)", "F" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- write a model as ONNX (opset 13), "
                                                         "taking images in [0, 1]");
  g_option_context_add_main_entries (ctx, entries, NULL);
  int status;
  if (!cnn_cli_parse (ctx, &argc, &argv, &status))
    return status;
  if (model == NULL || out == NULL)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "export needs --model FILE and --out FILE.onnx");
  if (format && g_ascii_strcasecmp (format, "onnx") != 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--format %s: the only format is onnx", format);
  if (!cnn_cli_is_checkpoint (model))
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s is not a checkpoint: train the model first "
                                "(convscope train … --out RUN_DIR writes RUN_DIR/model.ckpt)", model);
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnCheckpoint) ckpt = cnn_checkpoint_load (model, &error);
  if (ckpt == NULL)
    return cnn_cli_fail (error);
  if (!cnn_onnx_export (out, ckpt->net, ckpt->normalizer, &error))
    return cnn_cli_fail (error);
  return CNN_EXIT_OK;
}
