/* Add: the element-wise sum of 2 to 8 inputs of one shape (the residual
 * connection of ResNet). Each input's gradient is the output's gradient. */
#include "cnn-layer.h"

#include <string.h>

#include "cnn-error.h"

static gboolean
shapes_equal (CnnShape a, CnnShape b)
{
  return a.c == b.c && a.h == b.h && a.w == b.w;
}

static gboolean
add_setup (CnnLayer *l, GError **error)
{
  CnnShape s = l->in_shape[0];
  for (int i = 1; i < l->n_inputs; i++)
    if (!shapes_equal (l->in_shape[i], s))
      {
        CnnShape t = l->in_shape[i];
        g_set_error (error, CNN_ERROR, CNN_ERROR_SHAPE,
                     "inputs must have the same shape to be added, but input 1 is %d×%d×%d "
                     "and input %d is %d×%d×%d (channels×height×width)",
                     s.c, s.h, s.w, i + 1, t.c, t.h, t.w);
        return FALSE;
      }
  l->out_shape = s;
  l->n_params = 0;
  l->n_state = 0;
  return TRUE;
}

static void
add_forward (CnnLayer *l, const CnnPass *pass, const float *const *in, float *out)
{
  /* in[i], out: (N, C, H, W), all the same size */
  size_t n = (size_t) pass->N * cnn_shape_size (l->out_shape);
  const float *a = in[0], *b = in[1];
  for (size_t j = 0; j < n; j++)
    out[j] = a[j] + b[j];
  for (int i = 2; i < l->n_inputs; i++)
    {
      const float *x = in[i];
      for (size_t j = 0; j < n; j++)
        out[j] += x[j];
    }
}

static void
add_backward (CnnLayer *l, const CnnPass *pass, const float *const *in, const float *out,
              const float *dout, float *const *din)
{
  size_t n = (size_t) pass->N * cnn_shape_size (l->out_shape);
  for (int i = 0; i < l->n_inputs; i++)
    if (din[i] != NULL)
      memcpy (din[i], dout, n * sizeof (float));
}

const CnnLayerClass cnn_add_class = {
  .name = "add",
  .help = "element-wise sum of inputs of the same shape (residual connection): inputs=a,b",
  .min_inputs = 2,
  .max_inputs = CNN_MAX_INPUTS,
  .setup = add_setup,
  .forward = add_forward,
  .backward = add_backward,
};
