/* convscope predict: a model's outputs for a batch of inputs (.npy) or an
 * image, written as .npy. Inputs are images in [0, 1] (float32, N×C×H×W),
 * what an ONNX graph exported from PyTorch takes (cnn-onnx.h). */
#include "cnn-cli.h"

#include <stdio.h>

#include "cnn-file.h"
#include <string.h>

/* ---- .npy, float32 only ----
 * A minimal reader and writer until engine/cnn-npy.h (written for
 * `explain` on another branch) is merged; then these two give way to
 * cnn_npy_load () and cnn_npy_save (). */

#define NPY_MAX_DIMS 8

static float *
read_npy (const char *path, int *ndim, gint64 *shape, gsize *n, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  if (!cnn_file_read (path, &contents, &len, error))
    return NULL;
  const guint8 *b = (const guint8 *) contents;
  if (len < 10 || memcmp (b, "\x93NUMPY", 6) != 0 || b[6] < 1 || b[6] > 3)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: not a .npy file", path);
      return NULL;
    }
  gsize hlen = b[6] == 1 ? (gsize) (b[8] | b[9] << 8) : len >= 12 ? (gsize) (b[8] | b[9] << 8 | b[10] << 16 | (guint32) b[11] << 24) : len;
  gsize start = b[6] == 1 ? 10 : 12;
  if (hlen > len - start)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: the .npy header is truncated", path);
      return NULL;
    }
  g_autofree char *header = g_strndup (contents + start, hlen);
  const char *descr = strstr (header, "'descr'"), *shape_at = strstr (header, "'shape'");
  if (descr == NULL || shape_at == NULL || strstr (header, "'fortran_order': True") != NULL
      || strstr (descr, "'<f4'") == NULL || strstr (descr, "'<f4'") > shape_at + 100)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                   "%s: predict reads float32 arrays in C order (numpy '<f4')", path);
      return NULL;
    }
  const char *p = strchr (shape_at, '(');
  *ndim = 0;
  *n = 1;
  for (p = p ? p + 1 : NULL; p && *p && *p != ')'; )
    {
      char *end = NULL;
      gint64 d = g_ascii_strtoll (p, &end, 10);
      if (end == p)
        {
          p++;
          continue;
        }
      if (*ndim == NPY_MAX_DIMS || d < 0 || (d > 0 && *n > G_MAXSIZE / 8 / (gsize) d))
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: unusable .npy shape", path);
          return NULL;
        }
      shape[(*ndim)++] = d;
      *n *= (gsize) d;
      p = end;
    }
  if ((len - start - hlen) != *n * 4)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                   "%s: holds %zu bytes of data where its shape needs %zu", path,
                   (size_t) (len - start - hlen), (size_t) *n * 4);
      return NULL;
    }
  return g_memdup2 (contents + start + hlen, MAX (*n * 4, 1));
}

static gboolean
write_npy (const char *path, const float *data, int ndim, const gint64 *shape, GError **error)
{
  GString *h = g_string_new ("{'descr': '<f4', 'fortran_order': False, 'shape': (");
  gsize n = 1;
  for (int d = 0; d < ndim; d++)
    {
      g_string_append_printf (h, "%" G_GINT64_FORMAT "%s", shape[d], ndim == 1 ? "," : d + 1 < ndim ? ", " : "");
      n *= (gsize) shape[d];
    }
  g_string_append (h, "), }");
  while ((10 + h->len + 1) % 64 != 0)
    g_string_append_c (h, ' ');
  g_string_append_c (h, '\n');
  g_autoptr (GByteArray) b = g_byte_array_new ();
  guint8 head[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (guint8) (h->len & 0xff), (guint8) (h->len >> 8) };
  g_byte_array_append (b, head, 10);
  g_byte_array_append (b, (const guint8 *) h->str, h->len);
  g_byte_array_append (b, (const guint8 *) data, n * sizeof (float));
  g_string_free (h, TRUE);
  GError *local = NULL;
  if (!g_file_set_contents_full (path, (const char *) b->data, b->len, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0644, &local))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot write the outputs: %s", path, local->message);
      g_error_free (local);
      return FALSE;
    }
  return TRUE;
}

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
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &input, "float32 array N×C×H×W in [0, 1] (.npy), or a PNG or JPEG", "X" },
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
  int ndim = 0;
  gint64 shape[NPY_MAX_DIMS];
  gsize n = 0;
  g_autofree float *x = NULL;
  int N;
  if (g_str_has_suffix (input, ".npy"))
    {
      x = read_npy (input, &ndim, shape, &n, &error);
      if (x == NULL)
        return cnn_cli_fail (error);
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
      x = read_image (input, ckpt, &error);
      if (x == NULL)
        return cnn_cli_fail (error);
      N = 1;
    }
  g_autoptr (CnnPool) pool = cnn_pool_new (threads > 0 ? threads : cnn_pool_default_threads ());
  g_autofree float *y = cnn_predict (ckpt, x, N, batch, pool, NULL, NULL, &error);
  if (y == NULL)
    return cnn_cli_fail (error);
  gint64 out_shape[4] = { N, os.c, os.h, os.w };
  if (!write_npy (output, y, os.h == 1 && os.w == 1 ? 2 : 4, out_shape, &error))
    return cnn_cli_fail (error);
  return CNN_EXIT_OK;
}
