/* Local response normalization across channels (AlexNet; ONNX's LRN):
 *
 *   d[c] = bias + alpha/size · Σ x[c']²  over c' in [c - ⌊(size-1)/2⌋, c + ⌈(size-1)/2⌉]
 *   y[c] = x[c] · d[c]^-beta
 *
 * so  dx[j] = dy[j] d[j]^-beta
 *           - 2 beta alpha/size · x[j] Σ_{c whose window holds j} dy[c] x[c] d[c]^(-beta-1).
 * Backward recomputes d from the input rather than keeping it. */
#include "cnn-layer.h"

#include <math.h>

enum { HP_SIZE, HP_ALPHA, HP_BETA, HP_BIAS, N_HP };

static const CnnHyperSpec lrn_hyper[N_HP] = {
  { "size", CNN_HYPER_INT, "5", 1, 1024, NULL, "channels in each sum" },
  { "alpha", CNN_HYPER_FLOAT, "0.0001", 0, 1e6, NULL, "scale of the sum of squares (divided by size)" },
  { "beta", CNN_HYPER_FLOAT, "0.75", 0, 1e3, NULL, "exponent" },
  { "bias", CNN_HYPER_FLOAT, "1", 1e-12, 1e6, NULL, "added to the scaled sum (k in AlexNet's paper)" },
};

typedef struct
{
  float  *d;       /* (C, H, W): the divisor before its power, one sample */
  size_t  d_cap;
} Lrn;

static gboolean
lrn_setup (CnnLayer *l, GError **error)
{
  if (l->priv == NULL)
    l->priv = g_new0 (Lrn, 1);
  l->out_shape = l->in_shape[0];
  l->n_params = 0;
  l->n_state = 0;
  return TRUE;
}

/* d (C, HW) for one sample x (C, HW) */
static void
divisor (const CnnLayer *l, const float *x, float *d)
{
  const CnnShape s = l->in_shape[0];
  const size_t hw = (size_t) s.h * s.w;
  const int size = l->hp[HP_SIZE].i[0], lo = (size - 1) / 2, hi = size - 1 - lo;
  const double k = l->hp[HP_ALPHA].f / size, bias = l->hp[HP_BIAS].f;
  for (int c = 0; c < s.c; c++)
    for (size_t p = 0; p < hw; p++)
      {
        double sum = 0.0;
        for (int cc = MAX (c - lo, 0); cc <= MIN (c + hi, s.c - 1); cc++)
          sum += (double) x[cc * hw + p] * x[cc * hw + p];
        d[c * hw + p] = (float) (bias + k * sum);
      }
}

static void
lrn_forward (CnnLayer *l, const CnnPass *pass, const float *const *in, float *out)
{
  Lrn *lr = l->priv;
  const size_t chw = cnn_shape_size (l->in_shape[0]);
  const double beta = l->hp[HP_BETA].f;
  float *d = cnn_scratch_ensure (&lr->d, &lr->d_cap, chw);
  for (int n = 0; n < pass->N; n++)
    {
      const float *x = in[0] + n * chw;   /* (C, H, W) */
      float *y = out + n * chw;           /* (C, H, W) */
      divisor (l, x, d);
      for (size_t i = 0; i < chw; i++)
        y[i] = (float) (x[i] * pow (d[i], -beta));
    }
}

static void
lrn_backward (CnnLayer *l, const CnnPass *pass, const float *const *in, const float *out,
              const float *dout, float *const *din)
{
  if (din[0] == NULL)
    return;
  Lrn *lr = l->priv;
  const CnnShape s = l->in_shape[0];
  const size_t hw = (size_t) s.h * s.w, chw = cnn_shape_size (s);
  const int size = l->hp[HP_SIZE].i[0], lo = (size - 1) / 2, hi = size - 1 - lo;
  const double k = l->hp[HP_ALPHA].f / size, beta = l->hp[HP_BETA].f;
  float *d = cnn_scratch_ensure (&lr->d, &lr->d_cap, chw);
  for (int n = 0; n < pass->N; n++)
    {
      const float *x = in[0] + n * chw;      /* (C, H, W) */
      const float *dy = dout + n * chw;      /* (C, H, W) */
      float *dx = din[0] + n * chw;          /* (C, H, W) */
      divisor (l, x, d);
      for (int j = 0; j < s.c; j++)
        for (size_t p = 0; p < hw; p++)
          {
            /* channel j lies in the windows of c in [j - hi, j + lo] */
            double sum = 0.0;
            for (int c = MAX (j - hi, 0); c <= MIN (j + lo, s.c - 1); c++)
              sum += (double) dy[c * hw + p] * x[c * hw + p] * pow (d[c * hw + p], -beta - 1.0);
            dx[j * hw + p] = (float) (dy[j * hw + p] * pow (d[j * hw + p], -beta)
                                      - 2.0 * beta * k * x[j * hw + p] * sum);
          }
    }
}

static void
lrn_free (CnnLayer *l)
{
  Lrn *lr = l->priv;
  if (lr == NULL)
    return;
  g_free (lr->d);
  g_free (lr);
}

const CnnLayerClass cnn_lrn_class = {
  .name = "lrn",
  .help = "local response normalization across size neighbouring channels (AlexNet)",
  .hyper = lrn_hyper,
  .n_hyper = N_HP,
  .min_inputs = 1,
  .max_inputs = 1,
  .setup = lrn_setup,
  .forward = lrn_forward,
  .backward = lrn_backward,
  .free_priv = lrn_free,
};
