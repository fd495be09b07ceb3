/* convscope predict: a model's outputs for a batch of inputs (.npy) or an
 * image, written as .npy. Inputs are images in [0, 1] (float32, N×C×H×W),
 * what an ONNX graph exported from PyTorch takes (cnn-onnx.h). */
#include "cnn-cli.h"

#include <stdio.h>

#include "cnn-file.h"
#include <string.h>

/* An image file as one input in [0, 1], resized as the model's training
 * images were */
static float *
read_image (const char *path, CnnCheckpoint *ckpt, GError **error)
{
  CnnShape in = cnn_network_get_input_shape (ckpt->net);
  if (in.c != 1 && in.c != 3)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "the model takes %d channels, not an image: give an .npy array", in.c);
      return NULL;
    }
  g_autoptr (CnnImage) img = cnn_image_load (path, error);
  if (img == NULL)
    return NULL;
  g_autofree guint8 *px = g_try_malloc (cnn_shape_size (in));
  if (px == NULL || !cnn_image_resize (img, in.c, in.h, in.w, ckpt->meta.fit, px))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "%s: out of memory resizing the image", path);
      return NULL;
    }
  float *x = g_new (float, cnn_shape_size (in));
  for (size_t k = 0; k < cnn_shape_size (in); k++)
    x[k] = px[k] / 255.0f;
  return x;
}

int
cnn_cli_predict (int argc, char **argv)
{
  g_autofree char *model = NULL, *input = NULL, *output = NULL;
  int threads = 0, batch = 64;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model, "checkpoint or ONNX model", "FILE" },
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &input, "array N×C×H×W in [0, 1] (.npy: float32, float64 or bytes), or a PNG or JPEG", "X" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "the outputs, float32 (.npy)", "Y.npy" },
    { "batch-size", 'b', 0, G_OPTION_ARG_INT, &batch, "inputs per forward pass (default 64)", "B" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "worker threads (default: all cores)", "T" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- run a model on inputs and save its outputs");
  g_option_context_add_main_entries (ctx, entries, NULL);
  int status;
  if (!cnn_cli_parse (ctx, &argc, &argv, &status))
    return status;
  if (model == NULL || input == NULL || output == NULL)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "predict needs --model FILE --input X.npy --output Y.npy");
  if (batch < 1 || threads < 0 || threads > CNN_MAX_THREADS)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--batch-size and --threads must be positive");
  if (!cnn_cli_is_checkpoint (model))
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s is not a checkpoint or an ONNX model", model);

  g_autoptr (GError) error = NULL;
  g_autoptr (CnnCheckpoint) ckpt = cnn_checkpoint_load (model, &error);
  if (ckpt == NULL)
    return cnn_cli_fail (error);
  CnnShape in = cnn_network_get_input_shape (ckpt->net), os = cnn_network_get_output_shape (ckpt->net);
  g_autoptr (CnnNpy) npy = NULL;
  g_autofree float *from_image = NULL;
  const float *x;
  int N;
  if (g_str_has_suffix (input, ".npy"))
    {
      npy = cnn_npy_load (input, &error);
      if (npy == NULL)
        return cnn_cli_fail (error);
      const int ndim = npy->ndim;
      const gint64 *shape = npy->shape;
      x = npy->data;
      /* (N, C, H, W), or one input (C, H, W); vectors (N, F) for (F, 1, 1) models */
      gboolean fits = (ndim == 4 && shape[1] == in.c && shape[2] == in.h && shape[3] == in.w)
                      || (ndim == 3 && shape[0] == in.c && shape[1] == in.h && shape[2] == in.w)
                      || (ndim == 2 && in.h == 1 && in.w == 1 && shape[1] == in.c);
      if (!fits)
        return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s holds an array of %d dimensions that is not "
                                    "N×%d×%d×%d, the model's input", input, ndim, in.c, in.h, in.w);
      N = ndim == 3 ? 1 : (int) MIN (shape[0], G_MAXINT);
    }
  else
    {
      x = from_image = read_image (input, ckpt, &error);
      if (x == NULL)
        return cnn_cli_fail (error);
      N = 1;
    }
  g_autoptr (CnnPool) pool = cnn_pool_new (threads > 0 ? threads : cnn_pool_default_threads ());
  CnnCliProgress progress;
  cnn_cli_progress_init (&progress, "predict");
  g_autofree float *y = cnn_predict (ckpt, x, N, batch, pool, cnn_cli_progress_update, &progress, &error);
  cnn_cli_progress_done (&progress);
  if (y == NULL)
    return cnn_cli_fail (error);
  gint64 out_shape[4] = { N, os.c, os.h, os.w };
  if (!cnn_npy_save (output, y, os.h == 1 && os.w == 1 ? 2 : 4, out_shape, &error))
    return cnn_cli_fail (error);
  return CNN_EXIT_OK;
}
