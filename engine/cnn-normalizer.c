/* cnn-normalizer.c: how stored bytes become network input. Every mode is
 * reduced to input = (byte - mean) * scale with per-value arrays, so the
 * per-batch conversion is one loop whatever the mode. */
#include "cnn-dataset.h"

#include <math.h>
#include <string.h>

/* the lecture's epsilon: keeps constant pixels (MNIST's border) finite */
#define STD_EPS 1e-4

static CnnNormalizer *
normalizer_alloc (CnnStandardize mode, int c, int h, int w)
{
  CnnNormalizer *nz = g_new0 (CnnNormalizer, 1);
  nz->mode = mode;
  nz->c = c;
  nz->h = h;
  nz->w = w;
  nz->mean = g_new0 (float, (gsize) c * h * w);    /* (c, h, w) */
  nz->scale = g_new0 (float, (gsize) c * h * w);   /* (c, h, w) */
  return nz;
}

/* mean and std of x = byte/255 from integer sums over `count` bytes, as
 * byte-unit mean and scale: (byte - 255 m) / (255 (s + eps)) = (x - m) / (s + eps) */
static void
stats_to_affine (guint64 sum, guint64 sum_sq, guint64 count, float *mean, float *scale)
{
  double m = 0, var = 0;
  if (count > 0)
    {
      m = (double) sum / (double) count / 255.0;
      var = (double) sum_sq / (double) count / (255.0 * 255.0) - m * m;
    }
  double s = sqrt (MAX (var, 0.0));
  *mean = (float) (255.0 * m);
  *scale = (float) (1.0 / (255.0 * (s + STD_EPS)));
}

CnnNormalizer *
cnn_normalizer_new_fit (CnnStandardize mode, const CnnImageSet *set, const int *idx, int n)
{
  g_return_val_if_fail (set != NULL, NULL);
  int c = set->c, h = set->h, w = set->w;
  gsize hw = (gsize) h * w, chw = (gsize) c * hw;
  CnnNormalizer *nz = normalizer_alloc (mode, c, h, w);
  if (idx == NULL)
    n = set->n;
  n = MAX (n, 0);
  for (int k = 0; idx != NULL && k < n; k++)
    g_return_val_if_fail (idx[k] >= 0 && idx[k] < set->n, nz);

  switch (mode)
    {
    case CNN_STANDARDIZE_SCALE:
      for (gsize j = 0; j < chw; j++)
        nz->scale[j] = 1.0f / 255.0f;
      return nz;
    case CNN_STANDARDIZE_NONE:
      for (gsize j = 0; j < chw; j++)
        nz->scale[j] = 1.0f;
      return nz;
    case CNN_STANDARDIZE_PIXEL:
    case CNN_STANDARDIZE_CHANNEL:
      break;
    default:
      g_return_val_if_reached (nz);
    }

  /* Integer sums are exact (60000 × 255² is far below 2⁶⁴), so the mean
   * and variance below are as precise as doubles allow. */
  guint64 *sum = g_new0 (guint64, chw);      /* (c, h, w) */
  guint64 *sum_sq = g_new0 (guint64, chw);   /* (c, h, w) */
  for (int k = 0; k < n; k++)
    {
      int i = idx ? idx[k] : k;
      const guint8 *src = set->pixels + (gsize) i * chw;   /* (c, h, w) */
      for (gsize j = 0; j < chw; j++)
        {
          guint64 v = src[j];
          sum[j] += v;
          sum_sq[j] += v * v;
        }
    }

  if (mode == CNN_STANDARDIZE_PIXEL)
    {
      for (gsize j = 0; j < chw; j++)
        stats_to_affine (sum[j], sum_sq[j], (guint64) n, &nz->mean[j], &nz->scale[j]);
    }
  else
    {
      for (int ch = 0; ch < c; ch++)
        {
          guint64 s1 = 0, s2 = 0;
          for (gsize p = 0; p < hw; p++)
            {
              s1 += sum[ch * hw + p];
              s2 += sum_sq[ch * hw + p];
            }
          float m, sc;
          stats_to_affine (s1, s2, (guint64) n * hw, &m, &sc);
          for (gsize p = 0; p < hw; p++)
            {
              nz->mean[ch * hw + p] = m;
              nz->scale[ch * hw + p] = sc;
            }
        }
    }
  g_free (sum);
  g_free (sum_sq);
  return nz;
}

CnnNormalizer *
cnn_normalizer_new_from (CnnStandardize mode, int c, int h, int w,
                         const float *mean, const float *scale)
{
  g_return_val_if_fail (c > 0 && h > 0 && w > 0 && mean != NULL && scale != NULL, NULL);
  CnnNormalizer *nz = normalizer_alloc (mode, c, h, w);
  gsize chw = (gsize) c * h * w;
  memcpy (nz->mean, mean, chw * sizeof (float));
  memcpy (nz->scale, scale, chw * sizeof (float));
  return nz;
}

void
cnn_normalizer_free (CnnNormalizer *nz)
{
  if (nz == NULL)
    return;
  g_free (nz->mean);
  g_free (nz->scale);
  g_free (nz);
}

void
cnn_normalizer_gather (const CnnNormalizer *nz, const CnnImageSet *set,
                       const int *idx, int count, float *dst)
{
  g_return_if_fail (nz != NULL && set != NULL && (dst != NULL || count == 0));
  g_return_if_fail (nz->c == set->c && nz->h == set->h && nz->w == set->w);
  gsize chw = (gsize) set->c * set->h * set->w;
  const float *restrict mean = nz->mean;     /* (c, h, w) */
  const float *restrict scale = nz->scale;   /* (c, h, w) */
  for (int k = 0; k < count; k++)
    {
      int i = idx ? idx[k] : k;
      g_return_if_fail (i >= 0 && i < set->n);
      const guint8 *restrict src = set->pixels + (gsize) i * chw;   /* (c, h, w) */
      float *restrict out = dst + (gsize) k * chw;                    /* (c, h, w) of dst (count, c, h, w) */
      for (gsize j = 0; j < chw; j++)
        out[j] = ((float) src[j] - mean[j]) * scale[j];
    }
}

void
cnn_normalizer_apply (const CnnNormalizer *nz, float *x, int count)
{
  g_return_if_fail (nz != NULL && (x != NULL || count <= 0));
  gsize chw = (gsize) nz->c * nz->h * nz->w;
  const float *restrict mean = nz->mean;     /* (c, h, w) */
  const float *restrict scale = nz->scale;   /* (c, h, w) */
  for (int k = 0; k < count; k++)
    {
      float *restrict v = x + (gsize) k * chw;   /* (c, h, w) of x (count, c, h, w) */
      for (gsize j = 0; j < chw; j++)
        v[j] = (v[j] - mean[j]) * scale[j];
    }
}

void
cnn_normalizer_constant (const CnnNormalizer *nz, float byte, float *out)
{
  g_return_if_fail (nz != NULL && out != NULL);
  gsize chw = (gsize) nz->c * nz->h * nz->w;
  for (gsize j = 0; j < chw; j++)
    out[j] = byte;
  cnn_normalizer_apply (nz, out, 1);
}

void
cnn_normalizer_bounds (const CnnNormalizer *nz, float *lo, float *hi)
{
  cnn_normalizer_constant (nz, 0.0f, lo);
  cnn_normalizer_constant (nz, 255.0f, hi);
}
