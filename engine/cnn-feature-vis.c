#include "cnn-feature-vis.h"

#include <math.h>
#include <string.h>

#include "cnn-layer.h"
#include "cnn-rng.h"

void
cnn_feature_vis_config_init (CnnFeatureVisConfig *config)
{
  *config = (CnnFeatureVisConfig) { .steps = 200, .lr = 0.05, .l2 = 1e-3, .blur_every = 4,
                                    .jitter = 1, .seed = 0 };
}

void
cnn_class_vis_config_init (CnnFeatureVisConfig *config)
{
  *config = (CnnFeatureVisConfig) { .steps = 300, .lr = 0.05, .l2 = 0.05, .blur_every = 2,
                                    .jitter = 1, .coarse = 16, .seed = 0 };
}

void
cnn_feature_vis_mean_image (const CnnNormalizer *nz, const CnnImageSet *set, int n, float *dst)
{
  const size_t chw = (size_t) set->c * set->h * set->w;
  n = CLAMP (n, 0, set->n);
  g_autofree double *sum = g_new0 (double, chw);
  for (int i = 0; i < n; i++)
    {
      const guint8 *img = set->pixels + (size_t) i * chw;   /* (c, h, w) */
      for (size_t j = 0; j < chw; j++)
        sum[j] += img[j];
    }
  for (size_t j = 0; j < chw; j++)
    dst[j] = n > 0 ? (float) (sum[j] / n) : 0.0f;
  /* standardizing is affine: the mean of standardized images is the
   * standardized mean */
  cnn_normalizer_apply (nz, dst, 1);
}

/* the mean of `channel` in a layer's output of one image */
static double
mean_of (const float *out, CnnShape s, int channel)
{
  const size_t plane = (size_t) s.h * s.w;
  double sum = 0.0;
  for (size_t i = 0; i < plane; i++)
    sum += out[(size_t) channel * plane + i];
  return sum / (double) plane;
}

double
cnn_channel_mean (CnnNetwork *net, int layer, int channel, const float *x)
{
  const float *out = cnn_network_forward (net, x, 1, FALSE, NULL, NULL, layer);
  return mean_of (out, cnn_network_get_layer (net, layer)->out_shape, channel);
}

/* dst = src shifted by (dy, dx), wrapping around, per channel */
static void
roll (const float *src, float *dst, CnnShape s, int dy, int dx)
{
  for (int c = 0; c < s.c; c++)
    for (int y = 0; y < s.h; y++)
      for (int x = 0; x < s.w; x++)
        {
          int sy = ((y - dy) % s.h + s.h) % s.h, sx = ((x - dx) % s.w + s.w) % s.w;
          dst[((size_t) c * s.h + y) * s.w + x] = src[((size_t) c * s.h + sy) * s.w + sx];
        }
}

/* 3×3 binomial blur (1 2 1 / 4 each way), edges clamped */
static void
blur (float *x, float *tmp, CnnShape s)
{
  for (int c = 0; c < s.c; c++)
    {
      float *p = x + (size_t) c * s.h * s.w;   /* (H, W) */
      for (int y = 0; y < s.h; y++)
        for (int i = 0; i < s.w; i++)
          {
            int l = MAX (i - 1, 0), r = MIN (i + 1, s.w - 1);
            tmp[y * s.w + i] = 0.25f * p[y * s.w + l] + 0.5f * p[y * s.w + i] + 0.25f * p[y * s.w + r];
          }
      for (int y = 0; y < s.h; y++)
        for (int i = 0; i < s.w; i++)
          {
            int u = MAX (y - 1, 0), d = MIN (y + 1, s.h - 1);
            p[y * s.w + i] = 0.25f * tmp[u * s.w + i] + 0.5f * tmp[y * s.w + i] + 0.25f * tmp[d * s.w + i];
          }
    }
}

double
cnn_feature_vis (CnnNetwork *net, int layer, int channel, const CnnFeatureVisConfig *config,
                 float *x, CnnFeatureVisFunc callback, gpointer user_data)
{
  g_return_val_if_fail (layer >= 0 && layer < cnn_network_get_n_layers (net), NAN);
  const CnnShape in = cnn_network_get_input_shape (net);
  const CnnShape out = cnn_network_get_layer (net, layer)->out_shape;
  g_return_val_if_fail (channel >= 0 && channel < out.c, NAN);
  const size_t n = cnn_shape_size (in), plane = (size_t) out.h * out.w;
  CnnRng rng;
  cnn_rng_init (&rng, config->seed, 0xfea7);
  /* gray noise: small around the prior, else around 0, the middle of a
   * standardized input */
  for (size_t i = 0; i < n; i++)
    x[i] = (float) ((config->prior ? config->prior[i] : 0.0) + 0.1 * cnn_rng_normal (&rng));

  g_autofree float *shifted = g_new (float, n);      /* (C, H, W) */
  g_autofree float *grad = g_new (float, n);
  g_autofree float *unshifted = g_new (float, n);
  g_autofree float *tmp = g_new (float, (size_t) in.h * in.w);
  g_autofree float *dout = g_new0 (float, cnn_shape_size (out));
  /* d mean / d unit: 1/plane over the channel's map */
  for (size_t i = 0; i < plane; i++)
    dout[(size_t) channel * plane + i] = 1.0f / (float) plane;

  for (int step = 1; step <= config->steps; step++)
    {
      int j = config->jitter;
      int dy = j ? (int) cnn_rng_below (&rng, 2 * j + 1) - j : 0;
      int dx = j ? (int) cnn_rng_below (&rng, 2 * j + 1) - j : 0;
      roll (x, shifted, in, dy, dx);
      /* the objective comes with the forward the gradient needs: on the
       * jittered view, before this step */
      double objective = mean_of (cnn_network_forward (net, shifted, 1, FALSE, NULL, NULL, layer), out,
                                  channel);
      cnn_network_backward (net, layer, dout, grad, NULL, NULL);
      roll (grad, unshifted, in, -dy, -dx);
      int passes = config->coarse * (config->steps - step) / MAX (config->steps, 1);
      for (int b = 0; b < passes; b++)
        blur (unshifted, tmp, in);
      /* a step of fixed length whatever the gradient's scale */
      double ss = 0.0;
      for (size_t i = 0; i < n; i++)
        ss += (double) unshifted[i] * unshifted[i];
      double rms = sqrt (ss / n);
      float k = rms > 0.0 ? (float) (config->lr / rms) : 0.0f;
      for (size_t i = 0; i < n; i++)
        {
          float base = config->prior ? config->prior[i] : 0.0f;
          x[i] = base + (x[i] + k * unshifted[i] - base) * (float) (1.0 - config->l2);
        }
      if (config->blur_every > 0 && step % config->blur_every == 0)
        blur (x, tmp, in);
      if (config->lo && config->hi)
        for (size_t i = 0; i < n; i++)
          x[i] = CLAMP (x[i], config->lo[i], config->hi[i]);
      if (callback && !callback (step, objective, x, user_data))
        break;
    }
  cnn_network_zero_grads (net);
  return cnn_channel_mean (net, layer, channel, x);
}
