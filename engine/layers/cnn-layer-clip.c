/* Clip: min(max(x, min), max), ONNX's Clip and PyTorch's ReLU6 (min=0 max=6).
 * The gradient passes where min < x < max, as in PyTorch's hardtanh. */
#include "cnn-layer.h"

#include "cnn-error.h"

enum { HP_MIN, HP_MAX, N_HP };

static const CnnHyperSpec clip_hyper[N_HP] = {
  { "min", CNN_HYPER_FLOAT, "0", -1e30, 1e30, NULL, "smallest output" },
  { "max", CNN_HYPER_FLOAT, "6", -1e30, 1e30, NULL, "largest output (6 and min=0: ReLU6)" },
};

static gboolean
clip_setup (CnnLayer *l, GError **error)
{
  if (l->hp[HP_MIN].f > l->hp[HP_MAX].f)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC, "min %g is above max %g",
                   l->hp[HP_MIN].f, l->hp[HP_MAX].f);
      return FALSE;
    }
  l->out_shape = l->in_shape[0];
  l->n_params = 0;
  l->n_state = 0;
  return TRUE;
}

static void
clip_forward (CnnLayer *l, const CnnPass *pass, const float *const *in, float *out)
{
  const float lo = (float) l->hp[HP_MIN].f, hi = (float) l->hp[HP_MAX].f;
  const size_t n = (size_t) pass->N * cnn_shape_size (l->in_shape[0]);
  const float *x = in[0];   /* (N, C, H, W) */
  for (size_t i = 0; i < n; i++)
    {
      float v = x[i] < lo ? lo : x[i];
      out[i] = v > hi ? hi : v;
    }
}

static void
clip_backward (CnnLayer *l, const CnnPass *pass, const float *const *in, const float *out,
               const float *dout, float *const *din)
{
  if (din[0] == NULL)
    return;
  const float lo = (float) l->hp[HP_MIN].f, hi = (float) l->hp[HP_MAX].f;
  const size_t n = (size_t) pass->N * cnn_shape_size (l->in_shape[0]);
  const float *x = in[0];   /* (N, C, H, W) */
  for (size_t i = 0; i < n; i++)
    din[0][i] = x[i] > lo && x[i] < hi ? dout[i] : 0.0f;
}

const CnnLayerClass cnn_clip_class = {
  .name = "clip",
  .help = "limit values to [min, max] (ReLU6: min=0 max=6)",
  .hyper = clip_hyper,
  .n_hyper = N_HP,
  .min_inputs = 1,
  .max_inputs = 1,
  .setup = clip_setup,
  .forward = clip_forward,
  .backward = clip_backward,
};
