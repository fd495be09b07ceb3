/* cnn-simd.h: run-time dispatch for hot loops.
 *
 * CNN_VECTORIZE compiles a function twice, for CPUs with AVX2 and for any
 * x86-64, and the loader picks one (GCC's target_clones, an ifunc). Plain C
 * loops so marked get 8-wide vectors where the CPU has them while the build
 * stays portable (no -march=native).
 *
 * The reductions below are written with intrinsics, because GCC turns the
 * plain-C form into scalar adds: each has an AVX2 and a portable body. Their
 * partial sums run in float over at most a plane (a few thousand values) and
 * come back as double for the caller to add up. */
#pragma once

#include <stddef.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CNN_VECTORIZE __attribute__ ((target_clones ("avx2", "default")))
#else
#define CNN_VECTORIZE
#endif

#include <glib.h>

/* TRUE when this CPU has AVX2 and FMA: the hand-written kernels need both */
gboolean cnn_cpu_has_avx2_fma (void);

/* Σ x */
double cnn_simd_sum          (const float *x, size_t n);
/* Σ (x - m)² */
double cnn_simd_sum_sq_dev   (const float *x, size_t n, float m);
/* *sum_dy += Σ dy, *sum_dy_dev += Σ dy·(x - m) */
void   cnn_simd_sum_prod_dev (const float *x, const float *dy, size_t n, float m,
                              double *sum_dy, double *sum_dy_dev);
/* *sum += Σ (x - k), *sum_sq += Σ (x - k)²: mean and variance in one pass;
 * a shift k near the mean keeps the difference of squares exact enough */
void   cnn_simd_sum_sq_shifted (const float *x, size_t n, float k, double *sum, double *sum_sq);
/* cnn_simd_sum_prod_dev through a ReLU after batch normalization: dy is taken
 * as 0 where (x - m)·scale + beta <= 0, the ReLU's input, recomputed from x
 * instead of read from memory */
void   cnn_simd_sum_prod_dev_relu (const float *x, const float *dy, size_t n, float m,
                                   float scale, float beta, double *sum_dy, double *sum_dy_dev);

/* relu(x) = x·[x > 0] with the factor chosen by a bit mask (a ?: between
 * floats compiles to a branch that random signs mispredict); x·0 keeps a
 * NaN a NaN, so a diverging run is still seen. */
static inline float
cnn_relu (float x)
{
  union { float f; guint32 u; } one = { 1.0f }, factor;
  factor.u = one.u & -(guint32) (x > 0.0f);
  return x * factor.f;
}

/* dy where the ReLU's output y is positive, else 0 (dy·0) */
static inline float
cnn_relu_grad (float y, float dy)
{
  union { float f; guint32 u; } one = { 1.0f }, factor;
  factor.u = one.u & -(guint32) (y > 0.0f);
  return dy * factor.f;
}
