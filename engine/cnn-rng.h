/* cnn-rng.h: an explicit, seeded random generator (PCG32). Never rand(). */
#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

typedef struct
{
  uint64_t state;
  uint64_t inc;
} CnnRng;

void     cnn_rng_init        (CnnRng *rng, uint64_t seed, uint64_t stream);
uint32_t cnn_rng_next_u32    (CnnRng *rng);
/* uniform in [0, n) without modulo bias */
uint32_t cnn_rng_below       (CnnRng *rng, uint32_t n);
/* uniform in [0, 1) */
double   cnn_rng_uniform     (CnnRng *rng);
/* standard normal (Box-Muller, no cached second value so state is simple) */
double   cnn_rng_normal      (CnnRng *rng);
/* in-place Fisher-Yates shuffle */
void     cnn_rng_shuffle_int (CnnRng *rng, int *values, int n);

G_END_DECLS
