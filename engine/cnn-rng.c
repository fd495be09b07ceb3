#include "cnn-rng.h"

#include <math.h>

void
cnn_rng_init (CnnRng *rng, uint64_t seed, uint64_t stream)
{
  rng->state = 0;
  rng->inc = (stream << 1u) | 1u;
  cnn_rng_next_u32 (rng);
  rng->state += seed;
  cnn_rng_next_u32 (rng);
}

uint32_t
cnn_rng_next_u32 (CnnRng *rng)
{
  uint64_t old = rng->state;
  rng->state = old * 6364136223846793005ULL + rng->inc;
  uint32_t xorshifted = (uint32_t) (((old >> 18u) ^ old) >> 27u);
  uint32_t rot = (uint32_t) (old >> 59u);
  return (xorshifted >> rot) | (xorshifted << ((-rot) & 31));
}

uint32_t
cnn_rng_below (CnnRng *rng, uint32_t n)
{
  g_assert (n > 0);
  uint32_t threshold = -n % n;
  for (;;)
    {
      uint32_t r = cnn_rng_next_u32 (rng);
      if (r >= threshold)
        return r % n;
    }
}

double
cnn_rng_uniform (CnnRng *rng)
{
  /* 53 random bits */
  uint64_t hi = cnn_rng_next_u32 (rng) >> 5;
  uint64_t lo = cnn_rng_next_u32 (rng) >> 6;
  return (double) (hi * 67108864u + lo) / 9007199254740992.0;
}

double
cnn_rng_normal (CnnRng *rng)
{
  double u1 = cnn_rng_uniform (rng);
  double u2 = cnn_rng_uniform (rng);
  if (u1 < 1e-300)
    u1 = 1e-300;
  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

void
cnn_rng_shuffle_int (CnnRng *rng, int *values, int n)
{
  for (int i = n - 1; i > 0; i--)
    {
      int j = (int) cnn_rng_below (rng, (uint32_t) i + 1);
      int t = values[i];
      values[i] = values[j];
      values[j] = t;
    }
}
