/* Flatten: (c, h, w) -> (c*h*w, 1, 1). NCHW is already flat per sample, so
 * the network hands the input buffer over as the output (is_view) and the
 * copies below only run when it cannot (a caller with its own buffers). */
#include "cnn-layer.h"

#include <string.h>

static gboolean
flatten_setup (CnnLayer *l, GError **error)
{
  l->out_shape = (CnnShape) { (int) cnn_shape_size (l->in_shape[0]), 1, 1 };
  l->n_params = 0;
  l->n_state = 0;
  return TRUE;
}

static void
flatten_forward (CnnLayer *l, const CnnPass *pass, const float *const *in, float *out)
{
  /* in (N, C, H, W) and out (N, C*H*W) have the same layout */
  size_t n = (size_t) pass->N * cnn_shape_size (l->in_shape[0]);
  if (out != in[0])
    memcpy (out, in[0], n * sizeof (float));
}

static void
flatten_backward (CnnLayer *l, const CnnPass *pass, const float *const *in, const float *out,
                  const float *dout, float *const *din)
{
  size_t n = (size_t) pass->N * cnn_shape_size (l->in_shape[0]);
  if (din[0] != NULL && din[0] != dout)
    memcpy (din[0], dout, n * sizeof (float));
}

const CnnLayerClass cnn_flatten_class = {
  .name = "flatten",
  .help = "reshape each sample's (channels, height, width) into one vector",
  .min_inputs = 1,
  .max_inputs = 1,
  .is_view = TRUE,
  .setup = flatten_setup,
  .forward = flatten_forward,
  .backward = flatten_backward,
};
