/* Batch normalization (Ioffe & Szegedy 2015), Keras' BatchNormalization:
 * each channel is normalized over the batch and the pixels (after a conv) or
 * over the batch (a (c, 1, 1) input after a dense layer), then scaled by a
 * learned gamma and shifted by a learned beta.
 *
 *   params: gamma (C), then beta (C)
 *   state:  running mean (C), then running variance (C)
 *
 * Training uses the batch mean and biased variance and moves the running
 * statistics towards them: running = momentum·running + (1 - momentum)·batch
 * (Keras' convention; its momentum 0.99 is PyTorch's 0.01). Inference uses the
 * running statistics, so it is a fixed per-channel affine map; so is a
 * frozen layer in training. Backward follows the mode of the last forward,
 * whose mean and 1/std it reuses.
 *
 * The batch statistics come from each plane's sum and sum of squared
 * deviations (cnn_channel_stats_plane), added up in double by one thread
 * per channel in a fixed order, so the results do not depend on the thread
 * count. A convolution before the layer may hand them over (in_stats),
 * computed while its output was still in the cache.
 *
 * In training the layer may also leave its output unwritten and hand its
 * one consumer the affine map instead (out_map, see cnn_network_forward):
 * a convolution or pooling applies it as it reads.
 *
 * A ReLU right after batch normalization is done here in training
 * (pass->relu_after, see cnn_network_forward): one pass over memory less
 * each way, which is most of a ReLU's cost. */
#include "cnn-layer.h"

#include "cnn-simd.h"

#include <math.h>

/* Below this many input values per batch, one thread is faster. */
#define PARALLEL_MIN 16384

enum { HP_MOMENTUM, HP_EPSILON, N_HP };

static const CnnHyperSpec batchnorm_hyper[N_HP] = {
  { "momentum", CNN_HYPER_FLOAT, "0.99", 0, 1, NULL,
    "how slowly the running statistics follow the batches: running = momentum·running + (1-momentum)·batch "
    "(Keras), after a warm-up that averages the first 1/(1-momentum) batches" },
  { "epsilon", CNN_HYPER_FLOAT, "0.001", 1e-12, 1, NULL,
    "added to the variance before its square root" },
};

typedef struct
{
  int      C;
  size_t   hw;         /* H * W */
  float   *mean;       /* (C): what the last forward subtracted */
  float   *invstd;     /* (C): 1 / sqrt(var + epsilon) of the last forward */
  float   *scale;      /* (C): gamma · invstd, the map's slope */
  double  *stats;      /* (N, C, 2): the planes' statistics, when not handed over */
  size_t   stats_cap;  /* in doubles */
  gboolean training;   /* the last forward used batch statistics */
  gboolean relu;       /* the last forward applied the following ReLU */
  gint64   updates;    /* training passes since the layer was built */
} BatchNorm;

static gboolean
batchnorm_setup (CnnLayer *l, GError **error)
{
  CnnShape s = l->in_shape[0];
  BatchNorm *bn = l->priv;
  if (bn == NULL)
    l->priv = bn = g_new0 (BatchNorm, 1);
  g_free (bn->mean);
  g_free (bn->invstd);
  g_free (bn->scale);
  bn->C = s.c;
  bn->hw = (size_t) s.h * s.w;
  bn->mean = g_new0 (float, s.c);
  bn->invstd = g_new0 (float, s.c);
  bn->scale = g_new0 (float, s.c);
  l->out_shape = s;
  l->n_params = 2 * (size_t) s.c;
  l->n_state = 2 * (size_t) s.c;
  return TRUE;
}

static void
batchnorm_init (CnnLayer *l, CnnRng *rng)
{
  int C = l->in_shape[0].c;
  for (int c = 0; c < C; c++)
    {
      l->params[c] = 1.0f;        /* gamma */
      l->params[C + c] = 0.0f;    /* beta */
      l->state[c] = 0.0f;         /* running mean */
      l->state[C + c] = 1.0f;     /* running variance */
    }
}

typedef struct
{
  CnnLayer    *l;
  const CnnPass *pass;
  const float *x;    /* (N, C, H, W) */
  float       *y;    /* (N, C, H, W) */
  const float *dy;   /* (N, C, H, W): with the ReLU, its output's gradient */
  float       *dx;   /* (N, C, H, W) or NULL */
  CnnChannelMap map; /* forward: this layer's map, y = map(x) */
} BnJob;

static void
forward_channels (int begin, int end, int thread, gpointer data)
{
  BnJob *job = data;
  CnnLayer *l = job->l;
  BatchNorm *bn = l->priv;
  const int C = bn->C, N = job->pass->N;
  const size_t hw = bn->hw;
  const double M = (double) N * hw;           /* values per channel */
  /* Warm-up: the running statistics start as the plain mean of the batches
   * seen so far, until there are 1/(1-momentum) of them (100 for 0.99);
   * from then on the exponential average. Keras starts from 0 and 1
   * instead, which leaves inference far off for the first few hundred
   * steps: a small data set would validate near chance. */
  const double momentum = MIN (l->hp[HP_MOMENTUM].f, 1.0 - 1.0 / (double) (bn->updates + 1));
  const double eps = l->hp[HP_EPSILON].f;
  float *running_mean = l->state, *running_var = l->state + C;

  for (int c = begin; c < end; c++)
    {
      double mean, var;
      if (bn->training)
        {
          const double *stats = job->pass->in_stats;
          if (stats == NULL)
            {
              stats = bn->stats;
              for (int n = 0; n < N; n++)
                cnn_channel_stats_plane (job->x + ((size_t) n * C + c) * hw, hw,
                                         bn->stats + ((size_t) n * C + c) * 2);
            }
          double s = 0.0;
          for (int n = 0; n < N; n++)
            s += stats[((size_t) n * C + c) * 2];
          mean = s / M;
          /* Chan et al.'s parallel variance: a plane's squared deviations
           * from the batch mean are those from a, the (float) plane mean
           * they were taken around, plus the shift from a to the batch
           * mean: Σ(x - a + d)² = ss + 2d·Σ(x - a) + hw·d², d = a - mean */
          double dev = 0.0;
          for (int n = 0; n < N; n++)
            {
              const double *st = stats + ((size_t) n * C + c) * 2;
              double a = (float) (st[0] / (double) hw), d = a - mean;
              dev += st[1] + 2.0 * d * (st[0] - hw * a) + hw * d * d;
            }
          var = MAX (dev / M, 0.0);   /* biased, as Keras uses it */
          running_mean[c] = (float) (momentum * running_mean[c] + (1.0 - momentum) * mean);
          running_var[c] = (float) (momentum * running_var[c] + (1.0 - momentum) * var);
        }
      else
        {
          mean = running_mean[c];
          var = running_var[c];
        }
      float invstd = (float) (1.0 / sqrt (var + eps));
      bn->mean[c] = (float) mean;
      bn->invstd[c] = invstd;
      bn->scale[c] = l->params[c] * invstd;      /* gamma / std */
      if (job->pass->out_map)
        continue;   /* the consumer applies the map */
      for (int n = 0; n < N; n++)
        cnn_channel_map_apply (&job->map, c, job->x + ((size_t) n * C + c) * hw,
                               job->y + ((size_t) n * C + c) * hw, hw);   /* (H, W) */
    }
}

CNN_VECTORIZE static void
backward_channels (int begin, int end, int thread, gpointer data)
{
  BnJob *job = data;
  CnnLayer *l = job->l;
  const BatchNorm *bn = l->priv;
  const int C = bn->C, N = job->pass->N;
  const size_t hw = bn->hw;
  const double M = (double) N * hw;

  for (int c = begin; c < end; c++)
    {
      const float m = bn->mean[c], invstd = bn->invstd[c];
      const float gamma = l->params[c];
      /* the forward's affine map, whose sign decided the fused ReLU */
      const float scale = gamma * invstd, beta = l->params[C + c];
      /* Σ dy and Σ dy·x̂, with x̂ = (x - mean) / std, from the planes' sums:
       * handed over by the layer that applied this one's map, or taken here */
      double sum_dy = 0.0, sum_dy_xc = 0.0;
      for (int n = 0; n < N; n++)
        {
          size_t plane = ((size_t) n * C + c) * hw;                             /* (H, W) */
          double own[2];
          const double *sums = job->pass->in_grad_sums ? job->pass->in_grad_sums + ((size_t) n * C + c) * 2 : own;
          if (sums == own)
            cnn_channel_grad_sums_plane (&job->map, c, job->x + plane, job->dy + plane, hw, own);
          sum_dy += sums[0];
          sum_dy_xc += sums[1];
        }
      double sum_dy_xhat = sum_dy_xc * invstd;
      if (!job->pass->skip_param_grads)
        {
          l->grads[c] += (float) sum_dy_xhat;     /* d gamma */
          l->grads[C + c] += (float) sum_dy;      /* d beta */
        }
      if (job->dx == NULL)
        continue;
      /* training: the batch statistics depend on x too, which gives
       *   dx = gamma/std · (dy - mean(dy) - x̂ · mean(dy·x̂));
       * inference: the statistics are constants, dx = gamma/std · dy */
      const float k = gamma * invstd;
      const float a = bn->training ? (float) (sum_dy / M) : 0.0f;
      /* x̂ · mean(dy·x̂) = (x - mean) · b */
      const float b = bn->training ? (float) (sum_dy_xhat / M * invstd) : 0.0f;
      for (int n = 0; n < N; n++)
        {
          const float *x = job->x + ((size_t) n * C + c) * hw;     /* (H, W) */
          const float *dy = job->dy + ((size_t) n * C + c) * hw;
          float *dx = job->dx + ((size_t) n * C + c) * hw;
          if (bn->relu)
            for (size_t i = 0; i < hw; i++)
              dx[i] = k * (cnn_relu_grad ((x[i] - m) * scale + beta, dy[i]) - a - (x[i] - m) * b);
          else
            for (size_t i = 0; i < hw; i++)
              dx[i] = k * (dy[i] - a - (x[i] - m) * b);
        }
    }
}

static CnnPool *
pool_for (const CnnPass *pass, const CnnLayer *l)
{
  return (size_t) pass->N * cnn_shape_size (l->in_shape[0]) >= PARALLEL_MIN ? pass->pool : NULL;
}

static void
batchnorm_forward (CnnLayer *l, const CnnPass *pass, const float *const *in, float *out)
{
  BatchNorm *bn = l->priv;
  /* A frozen layer (fine-tuning) is the fixed map it became in
   * pretraining, as in Keras since TF 2: its running statistics are used
   * and left alone, and backward treats them as constants. */
  bn->training = pass->training && !l->frozen;
  bn->relu = pass->relu_after;
  BnJob job = { .l = l, .pass = pass, .x = in[0], .y = out,
                .map = { bn->mean, bn->scale, l->params + bn->C, bn->relu } };
  size_t n_stats = (size_t) pass->N * bn->C * 2;
  if (bn->training && pass->in_stats == NULL && bn->stats_cap < n_stats)
    {
      g_free (bn->stats);
      bn->stats = g_new (double, n_stats);
      bn->stats_cap = n_stats;
    }
  cnn_pool_run (pool_for (pass, l), bn->C, forward_channels, &job);
  if (bn->training)
    bn->updates++;
  if (pass->out_map)
    *pass->out_map = job.map;
}

static void
batchnorm_backward (CnnLayer *l, const CnnPass *pass, const float *const *in, const float *out,
                    const float *dout, float *const *din)
{
  if (pass->skip_param_grads && din[0] == NULL)
    return;
  BatchNorm *bn = l->priv;
  BnJob job = { .l = l, .pass = pass, .x = in[0], .dy = dout, .dx = din[0],
                .map = { bn->mean, bn->scale, l->params + bn->C, bn->relu } };
  cnn_pool_run (pool_for (pass, l), bn->C, backward_channels, &job);
}

static void
batchnorm_free (CnnLayer *l)
{
  BatchNorm *bn = l->priv;
  if (bn == NULL)
    return;
  g_free (bn->mean);
  g_free (bn->invstd);
  g_free (bn->scale);
  g_free (bn->stats);
  g_free (bn);
}

const CnnLayerClass cnn_batchnorm_class = {
  .name = "batchnorm",
  .help = "normalize each channel over the batch, then scale by gamma and shift by beta",
  .hyper = batchnorm_hyper,
  .n_hyper = N_HP,
  .min_inputs = 1,
  .max_inputs = 1,
  .setup = batchnorm_setup,
  .init_params = batchnorm_init,
  .forward = batchnorm_forward,
  .backward = batchnorm_backward,
  .free_priv = batchnorm_free,
  .fuses_relu = TRUE,
  .defers_output = TRUE,
  .wants_stats = TRUE,
  .grads_in_place = TRUE,
};
