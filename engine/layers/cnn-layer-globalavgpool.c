/* Global average pooling: the mean of each channel, (c, h, w) -> (c, 1, 1),
 * as in GoogLeNet and ResNet before their classifier. */
#include "cnn-layer.h"

/* Below this many input values per batch, one thread is faster. */
#define PARALLEL_MIN 16384

static gboolean
gap_setup (CnnLayer *l, GError **error)
{
  l->out_shape = (CnnShape) { l->in_shape[0].c, 1, 1 };
  l->n_params = 0;
  l->n_state = 0;
  return TRUE;
}

typedef struct
{
  size_t       hw;   /* H * W */
  const float *x;    /* (N, C, H, W) */
  float       *y;    /* (N, C) */
  const float *dy;   /* (N, C) */
  float       *dx;   /* (N, C, H, W) */
} GapJob;

static void
forward_planes (int begin, int end, int thread, gpointer data)
{
  GapJob *job = data;
  for (int plane = begin; plane < end; plane++)
    {
      const float *x = job->x + plane * job->hw;   /* (H, W) */
      double s = 0.0;
      for (size_t i = 0; i < job->hw; i++)
        s += x[i];
      job->y[plane] = (float) (s / (double) job->hw);
    }
}

static void
backward_planes (int begin, int end, int thread, gpointer data)
{
  GapJob *job = data;
  for (int plane = begin; plane < end; plane++)
    {
      float *dx = job->dx + plane * job->hw;       /* (H, W) */
      float d = job->dy[plane] / (float) job->hw;
      for (size_t i = 0; i < job->hw; i++)
        dx[i] = d;
    }
}

static CnnPool *
pool_for (const CnnPass *pass, const CnnLayer *l)
{
  return (size_t) pass->N * cnn_shape_size (l->in_shape[0]) >= PARALLEL_MIN ? pass->pool : NULL;
}

static void
gap_forward (CnnLayer *l, const CnnPass *pass, const float *const *in, float *out)
{
  CnnShape s = l->in_shape[0];
  GapJob job = { .hw = (size_t) s.h * s.w, .x = in[0], .y = out };
  cnn_pool_run (pool_for (pass, l), pass->N * s.c, forward_planes, &job);
}

static void
gap_backward (CnnLayer *l, const CnnPass *pass, const float *const *in, const float *out,
              const float *dout, float *const *din)
{
  if (din[0] == NULL)
    return;
  CnnShape s = l->in_shape[0];
  GapJob job = { .hw = (size_t) s.h * s.w, .dy = dout, .dx = din[0] };
  cnn_pool_run (pool_for (pass, l), pass->N * s.c, backward_planes, &job);
}

const CnnLayerClass cnn_globalavgpool_class = {
  .name = "globalavgpool",
  .help = "mean of each channel over the whole image: (c, h, w) -> (c, 1, 1)",
  .min_inputs = 1,
  .max_inputs = 1,
  .setup = gap_setup,
  .forward = gap_forward,
  .backward = gap_backward,
};
