/* Scale: a learned scale and shift per channel, y = x·a[c] + b[c]. ONNX
 * models multiply, divide, add and subtract constants (input
 * normalization, MatMul + Add); the importer turns each into this layer.
 *
 *   params: scale a (C), then shift b (C) */
#include "cnn-layer.h"

#include <string.h>

static gboolean
scale_setup (CnnLayer *l, GError **error)
{
  l->out_shape = l->in_shape[0];
  l->n_params = 2 * (size_t) l->in_shape[0].c;
  l->n_state = 0;
  return TRUE;
}

static void
scale_init (CnnLayer *l, CnnRng *rng)
{
  int C = l->in_shape[0].c;
  for (int c = 0; c < C; c++)
    {
      l->params[c] = 1.0f;
      l->params[C + c] = 0.0f;
    }
}

static void
scale_forward (CnnLayer *l, const CnnPass *pass, const float *const *in, float *out)
{
  const CnnShape s = l->in_shape[0];
  const size_t hw = (size_t) s.h * s.w;
  const float *a = l->params, *b = l->params + s.c;   /* (C), (C) */
  for (int n = 0; n < pass->N; n++)
    for (int c = 0; c < s.c; c++)
      {
        const float *x = in[0] + ((size_t) n * s.c + c) * hw;   /* (H, W) */
        float *y = out + ((size_t) n * s.c + c) * hw;           /* (H, W) */
        for (size_t i = 0; i < hw; i++)
          y[i] = x[i] * a[c] + b[c];
      }
}

static void
scale_backward (CnnLayer *l, const CnnPass *pass, const float *const *in, const float *out,
                const float *dout, float *const *din)
{
  const CnnShape s = l->in_shape[0];
  const size_t hw = (size_t) s.h * s.w;
  const float *a = l->params;
  float *da = l->grads, *db = l->grads + s.c;   /* (C), (C) */
  for (int c = 0; c < s.c; c++)
    {
      double sa = 0.0, sb = 0.0;
      for (int n = 0; n < pass->N; n++)
        {
          const float *x = in[0] + ((size_t) n * s.c + c) * hw;   /* (H, W) */
          const float *dy = dout + ((size_t) n * s.c + c) * hw;   /* (H, W) */
          for (size_t i = 0; i < hw; i++)
            {
              sa += (double) dy[i] * x[i];
              sb += dy[i];
            }
          if (din[0])
            {
              float *dx = din[0] + ((size_t) n * s.c + c) * hw;
              for (size_t i = 0; i < hw; i++)
                dx[i] = dy[i] * a[c];
            }
        }
      if (!pass->skip_param_grads)
        {
          da[c] += (float) sa;
          db[c] += (float) sb;
        }
    }
}

const CnnLayerClass cnn_scale_class = {
  .name = "scale",
  .help = "learned scale and shift per channel: x·a + b",
  .min_inputs = 1,
  .max_inputs = 1,
  .setup = scale_setup,
  .init_params = scale_init,
  .forward = scale_forward,
  .backward = scale_backward,
};
