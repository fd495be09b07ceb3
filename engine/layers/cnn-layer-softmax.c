/* Softmax over the channels: per sample for (c, 1, 1) scores, per pixel for
 * (c, h, w) maps. The maximum is subtracted before exp, so large scores do
 * not overflow. */
#include "cnn-layer.h"

#include <math.h>

/* Below this many values per batch, one thread is faster. */
#define PARALLEL_MIN 16384

static gboolean
softmax_setup (CnnLayer *l, GError **error)
{
  l->out_shape = l->in_shape[0];
  l->n_params = 0;
  l->n_state = 0;
  return TRUE;
}

typedef struct
{
  int          C;
  size_t       hw;   /* H * W: the distance between two channels of one pixel */
  const float *x;    /* (N, C, H, W) */
  const float *y;    /* (N, C, H, W) */
  const float *dy;   /* (N, C, H, W) */
  float       *out;  /* forward: y; backward: dx */
} SoftmaxJob;

static void
forward_samples (int begin, int end, int thread, gpointer data)
{
  SoftmaxJob *job = data;
  const int C = job->C;
  const size_t hw = job->hw;
  for (int n = begin; n < end; n++)
    for (size_t p = 0; p < hw; p++)
      {
        /* the C values of pixel p: x[c * hw] */
        const float *x = job->x + (size_t) n * C * hw + p;
        float *y = job->out + (size_t) n * C * hw + p;
        float m = x[0];
        for (int c = 1; c < C; c++)
          m = MAX (m, x[(size_t) c * hw]);
        double s = 0.0;
        for (int c = 0; c < C; c++)
          {
            float e = expf (x[(size_t) c * hw] - m);
            y[(size_t) c * hw] = e;
            s += e;
          }
        float inv = (float) (1.0 / s);
        for (int c = 0; c < C; c++)
          y[(size_t) c * hw] *= inv;
      }
}

static void
backward_samples (int begin, int end, int thread, gpointer data)
{
  SoftmaxJob *job = data;
  const int C = job->C;
  const size_t hw = job->hw;
  for (int n = begin; n < end; n++)
    for (size_t p = 0; p < hw; p++)
      {
        const float *y = job->y + (size_t) n * C * hw + p;
        const float *dy = job->dy + (size_t) n * C * hw + p;
        float *dx = job->out + (size_t) n * C * hw + p;
        /* dx = y (dy - Σ dy·y): the Jacobian diag(y) - y yᵀ applied to dy */
        double s = 0.0;
        for (int c = 0; c < C; c++)
          s += (double) dy[(size_t) c * hw] * y[(size_t) c * hw];
        float sf = (float) s;
        for (int c = 0; c < C; c++)
          dx[(size_t) c * hw] = y[(size_t) c * hw] * (dy[(size_t) c * hw] - sf);
      }
}

static CnnPool *
pool_for (const CnnPass *pass, const CnnLayer *l)
{
  return (size_t) pass->N * cnn_shape_size (l->in_shape[0]) >= PARALLEL_MIN ? pass->pool : NULL;
}

static void
softmax_forward (CnnLayer *l, const CnnPass *pass, const float *const *in, float *out)
{
  CnnShape s = l->in_shape[0];
  SoftmaxJob job = { .C = s.c, .hw = (size_t) s.h * s.w, .x = in[0], .out = out };
  cnn_pool_run (pool_for (pass, l), pass->N, forward_samples, &job);
}

static void
softmax_backward (CnnLayer *l, const CnnPass *pass, const float *const *in, const float *out,
                  const float *dout, float *const *din)
{
  if (din[0] == NULL)
    return;
  CnnShape s = l->in_shape[0];
  SoftmaxJob job = { .C = s.c, .hw = (size_t) s.h * s.w, .y = out, .dy = dout, .out = din[0] };
  cnn_pool_run (pool_for (pass, l), pass->N, backward_samples, &job);
}

const CnnLayerClass cnn_softmax_class = {
  .name = "softmax",
  .help = "turn scores into probabilities over the channels: e^x / Σ e^x",
  .min_inputs = 1,
  .max_inputs = 1,
  .backward_reads_output = TRUE,
  .setup = softmax_setup,
  .forward = softmax_forward,
  .backward = softmax_backward,
};
