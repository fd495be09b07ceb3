/* The two pieces of arithmetic that batch normalization shares with the
 * layers around it in training (cnn-layer.h: CnnChannelMap, the plane
 * statistics): whoever computes them, the numbers are the same. */
#include "cnn-layer.h"

#include "cnn-simd.h"

/* the formula batch normalization has always used, so that a mapped input
 * is bit for bit what the layer would have written (-ffp-contract=off keeps
 * the multiply and add apart) */
CNN_VECTORIZE void
cnn_channel_map_apply (const CnnChannelMap *map, int c, const float *x, float *y, size_t n)
{
  const float m = map->mean[c], scale = map->scale[c], shift = map->shift[c];
  if (map->relu)
    for (size_t i = 0; i < n; i++)
      y[i] = cnn_relu ((x[i] - m) * scale + shift);
  else
    for (size_t i = 0; i < n; i++)
      y[i] = (x[i] - m) * scale + shift;
}

void
cnn_channel_grad_sums_plane (const CnnChannelMap *map, int c, const float *x, const float *dy,
                             size_t n, double sums[2])
{
  sums[0] = sums[1] = 0.0;
  if (map->relu)
    cnn_simd_sum_prod_dev_relu (x, dy, n, map->mean[c], map->scale[c], map->shift[c], &sums[0], &sums[1]);
  else
    cnn_simd_sum_prod_dev (x, dy, n, map->mean[c], &sums[0], &sums[1]);
}

void
cnn_channel_stats_plane (const float *x, size_t n, double stats[2])
{
  if (n == 1)
    {
      /* after a dense layer: what the general case gives, without its calls */
      stats[0] = x[0];
      stats[1] = 0.0;
      return;
    }
  stats[0] = cnn_simd_sum (x, n);
  /* deviations from the plane's own mean: no cancellation in the squares */
  stats[1] = cnn_simd_sum_sq_dev (x, n, (float) (stats[0] / (double) n));
}
