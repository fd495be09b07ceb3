#include "cnn-predict.h"

#include <string.h>

#include "cnn-error.h"
#include "cnn-onnx.h"

float *
cnn_predict (CnnCheckpoint *ckpt, const float *x, int N, int batch, CnnPool *pool,
             CnnPredictProgress progress, gpointer user_data, GError **error)
{
  g_return_val_if_fail (ckpt != NULL && ckpt->net != NULL && N >= 0 && batch >= 1, NULL);
  CnnNetwork *net = ckpt->net;
  const size_t in_size = cnn_shape_size (cnn_network_get_input_shape (net));
  const size_t out_size = cnn_shape_size (cnn_network_get_output_shape (net));
  batch = MIN (batch, MAX (N, 1));
  if (!cnn_network_check_batch (net, batch, 1, error))
    return NULL;
  float *y = g_try_new (float, MAX ((size_t) N * out_size, 1));
  g_autofree float *xb = g_try_new (float, (size_t) batch * in_size);   /* (batch, C, H, W) */
  if (y == NULL || xb == NULL)
    {
      g_free (y);
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "not enough memory for the outputs of %d inputs", N);
      return NULL;
    }
  for (int done = 0; done < N; done += batch)
    {
      int n = MIN (batch, N - done);
      memcpy (xb, x + (size_t) done * in_size, (size_t) n * in_size * sizeof (float));
      cnn_onnx_input_from_unit (ckpt->normalizer, xb, n);
      const float *out = cnn_network_forward (net, xb, n, FALSE, NULL, pool, -1);
      memcpy (y + (size_t) done * out_size, out, (size_t) n * out_size * sizeof (float));
      if (progress && !progress (done + n, N, user_data))
        {
          g_free (y);
          g_set_error (error, CNN_ERROR, CNN_ERROR_CANCELLED, "stopped after %d of %d inputs", done + n, N);
          return NULL;
        }
    }
  return y;
}
