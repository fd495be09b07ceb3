/* Concat: stack 2 to 8 inputs along the channels (the inception module).
 * Height and width must match; the channel counts may differ. */
#include "cnn-layer.h"

#include <string.h>

#include "cnn-error.h"

static gboolean
concat_setup (CnnLayer *l, GError **error)
{
  CnnShape s = l->in_shape[0];
  int c = 0;
  for (int i = 0; i < l->n_inputs; i++)
    {
      CnnShape t = l->in_shape[i];
      if (t.h != s.h || t.w != s.w)
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_SHAPE,
                       "inputs are stacked along the channels, so their height and width must "
                       "match, but input 1 is %d×%d and input %d is %d×%d (height×width)",
                       s.h, s.w, i + 1, t.h, t.w);
          return FALSE;
        }
      c += t.c;
    }
  l->out_shape = (CnnShape) { c, s.h, s.w };
  l->n_params = 0;
  l->n_state = 0;
  return TRUE;
}

static void
concat_forward (CnnLayer *l, const CnnPass *pass, const float *const *in, float *out)
{
  size_t out_size = cnn_shape_size (l->out_shape);
  for (int n = 0; n < pass->N; n++)
    {
      float *o = out + (size_t) n * out_size;        /* (C_out, H, W) of sample n */
      for (int i = 0; i < l->n_inputs; i++)
        {
          size_t size = cnn_shape_size (l->in_shape[i]);
          memcpy (o, in[i] + (size_t) n * size, size * sizeof (float));   /* (C_i, H, W) */
          o += size;
        }
    }
}

static void
concat_backward (CnnLayer *l, const CnnPass *pass, const float *const *in, const float *out,
                 const float *dout, float *const *din)
{
  size_t out_size = cnn_shape_size (l->out_shape);
  for (int n = 0; n < pass->N; n++)
    {
      const float *d = dout + (size_t) n * out_size;
      for (int i = 0; i < l->n_inputs; i++)
        {
          size_t size = cnn_shape_size (l->in_shape[i]);
          if (din[i] != NULL)
            memcpy (din[i] + (size_t) n * size, d, size * sizeof (float));
          d += size;
        }
    }
}

const CnnLayerClass cnn_concat_class = {
  .name = "concat",
  .help = "stack inputs of the same height and width along the channels (inception): inputs=a,b",
  .min_inputs = 2,
  .max_inputs = CNN_MAX_INPUTS,
  .setup = concat_setup,
  .forward = concat_forward,
  .backward = concat_backward,
};
