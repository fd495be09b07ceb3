/* convscope: the workbench window without a command; the headless command
 * line with one (which never touches GTK, so it runs without a display). */
#include <stdio.h>
#include <string.h>

#include "cnn-application.h"
#include "cnn-cli.h"

static const struct
{
  const char *name;
  int (*run) (int argc, char **argv);
  const char *help;
} commands[] = {
  { "train", cnn_cli_train, "train a model on a data set and save the run" },
  { "eval", cnn_cli_eval, "accuracy and loss of a checkpoint on a split" },
  { "summary", cnn_cli_summary, "layers, output shapes and parameter counts" },
  { "bench", cnn_cli_bench, "training and inference speed in images/s" },
  { "layers", cnn_cli_layers, "layer types, their settings, and the optimizers" },
  { "transfer", cnn_cli_transfer, "from scratch, frozen features, fine-tuned: compared on new classes" },
  { "figure", cnn_cli_figure, "a panel as PNG, SVG or PDF: data samples, standardization" },
  { "export", cnn_cli_export, "a checkpoint as an ONNX model" },
  { "predict", cnn_cli_predict, "a model's outputs for inputs (.npy) or an image" },
  { "explain", cnn_cli_explain, "which pixels matter: saliency, occlusion, LIME, Grad-CAM" },
};

static void
usage (FILE *out)
{
  fprintf (out, "Usage: convscope [COMMAND [OPTIONS] | MODEL.ckpt | MODEL.onnx]\n\n"
           "Without a command, convscope opens the workbench window (with the model, if one is "
           "given).\n\nCommands:\n");
  for (size_t i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-9s %s\n", commands[i].name, commands[i].help);
  fprintf (out, "\nconvscope COMMAND --help shows the options of a command.\n");
}

int
main (int argc, char **argv)
{
  /* no command, or a model file to open in the window */
  if (argc < 2 || (argc == 2 && argv[1][0] != '-' && g_file_test (argv[1], G_FILE_TEST_IS_REGULAR)))
    return cnn_application_run_main (argc, argv);
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      usage (stdout);
      return CNN_EXIT_OK;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("convscope %s\n", PACKAGE_VERSION);
      return CNN_EXIT_OK;
    }
  for (size_t i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      {
        g_autofree char *prgname = g_strdup_printf ("convscope %s", argv[1]);
        g_set_prgname (prgname);
        return commands[i].run (argc - 1, argv + 1);
      }
  fprintf (stderr, "convscope: unknown command “%s” (see convscope --help)\n", argv[1]);
  return CNN_EXIT_BAD_INPUT;
}
