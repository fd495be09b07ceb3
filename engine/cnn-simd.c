#include "cnn-simd.h"

#include <glib.h>
#include <immintrin.h>

gboolean
cnn_cpu_has_avx2_fma (void)
{
  static int ok = -1;
  if (ok < 0)
    {
      __builtin_cpu_init ();
      ok = __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");
    }
  return ok;
}

__attribute__ ((target ("avx2,fma"))) static inline double
hsum (__m256 v)
{
  __m128 s = _mm_add_ps (_mm256_castps256_ps128 (v), _mm256_extractf128_ps (v, 1));
  s = _mm_add_ps (s, _mm_movehl_ps (s, s));
  s = _mm_add_ss (s, _mm_movehdup_ps (s));
  return _mm_cvtss_f32 (s);
}

__attribute__ ((target ("avx2,fma"))) static double
sum_avx2 (const float *x, size_t n)
{
  __m256 a = _mm256_setzero_ps (), b = _mm256_setzero_ps ();
  size_t i = 0;
  for (; i + 16 <= n; i += 16)
    {
      a = _mm256_add_ps (a, _mm256_loadu_ps (x + i));
      b = _mm256_add_ps (b, _mm256_loadu_ps (x + i + 8));
    }
  double total = hsum (_mm256_add_ps (a, b));
  for (; i < n; i++)
    total += x[i];
  return total;
}

__attribute__ ((target ("avx2,fma"))) static double
sum_sq_dev_avx2 (const float *x, size_t n, float m)
{
  const __m256 mv = _mm256_set1_ps (m);
  __m256 a = _mm256_setzero_ps (), b = _mm256_setzero_ps ();
  size_t i = 0;
  for (; i + 16 <= n; i += 16)
    {
      __m256 d0 = _mm256_sub_ps (_mm256_loadu_ps (x + i), mv);
      __m256 d1 = _mm256_sub_ps (_mm256_loadu_ps (x + i + 8), mv);
      a = _mm256_fmadd_ps (d0, d0, a);
      b = _mm256_fmadd_ps (d1, d1, b);
    }
  double total = hsum (_mm256_add_ps (a, b));
  for (; i < n; i++)
    total += (double) (x[i] - m) * (x[i] - m);
  return total;
}

/* Two accumulators each, in the same order as sum_prod_dev_relu_avx2, so
 * that a fused ReLU gives the same bits as a separate one. */
__attribute__ ((target ("avx2,fma"))) static void
sum_prod_dev_avx2 (const float *x, const float *dy, size_t n, float m,
                   double *sum_dy, double *sum_dy_dev)
{
  const __m256 mv = _mm256_set1_ps (m);
  __m256 a0 = _mm256_setzero_ps (), a1 = _mm256_setzero_ps ();
  __m256 b0 = _mm256_setzero_ps (), b1 = _mm256_setzero_ps ();
  size_t i = 0;
  for (; i + 16 <= n; i += 16)
    {
      __m256 d0 = _mm256_loadu_ps (dy + i), d1 = _mm256_loadu_ps (dy + i + 8);
      a0 = _mm256_add_ps (a0, d0);
      a1 = _mm256_add_ps (a1, d1);
      b0 = _mm256_fmadd_ps (d0, _mm256_sub_ps (_mm256_loadu_ps (x + i), mv), b0);
      b1 = _mm256_fmadd_ps (d1, _mm256_sub_ps (_mm256_loadu_ps (x + i + 8), mv), b1);
    }
  double ta = hsum (_mm256_add_ps (a0, a1)), tb = hsum (_mm256_add_ps (b0, b1));
  for (; i < n; i++)
    {
      ta += dy[i];
      tb += (double) dy[i] * (x[i] - m);
    }
  *sum_dy += ta;
  *sum_dy_dev += tb;
}

__attribute__ ((target ("avx2,fma"))) static void
sum_sq_shifted_avx2 (const float *x, size_t n, float k, double *sum, double *sum_sq)
{
  const __m256 kv = _mm256_set1_ps (k);
  __m256 s0 = _mm256_setzero_ps (), s1 = _mm256_setzero_ps ();
  __m256 q0 = _mm256_setzero_ps (), q1 = _mm256_setzero_ps ();
  size_t i = 0;
  for (; i + 16 <= n; i += 16)
    {
      __m256 d0 = _mm256_sub_ps (_mm256_loadu_ps (x + i), kv);
      __m256 d1 = _mm256_sub_ps (_mm256_loadu_ps (x + i + 8), kv);
      s0 = _mm256_add_ps (s0, d0);
      s1 = _mm256_add_ps (s1, d1);
      q0 = _mm256_fmadd_ps (d0, d0, q0);
      q1 = _mm256_fmadd_ps (d1, d1, q1);
    }
  double ts = hsum (_mm256_add_ps (s0, s1)), tq = hsum (_mm256_add_ps (q0, q1));
  for (; i < n; i++)
    {
      double d = (double) x[i] - k;
      ts += d;
      tq += d * d;
    }
  *sum += ts;
  *sum_sq += tq;
}

/* dy where the ReLU lets it through, (x - m)·scale + beta > 0, else 0, as a
 * mask (no branch on data). Multiply and add, not FMA: the same rounding
 * as the forward pass that decided the ReLU. */
__attribute__ ((target ("avx2,fma"))) static inline __m256
masked_dy (const float *x, const float *dy, size_t i, __m256 mv, __m256 sv, __m256 bv)
{
  __m256 v = _mm256_add_ps (_mm256_mul_ps (_mm256_sub_ps (_mm256_loadu_ps (x + i), mv), sv), bv);
  __m256 keep = _mm256_cmp_ps (v, _mm256_setzero_ps (), _CMP_GT_OQ);
  return _mm256_and_ps (keep, _mm256_loadu_ps (dy + i));
}

__attribute__ ((target ("avx2,fma"))) static void
sum_prod_dev_relu_avx2 (const float *x, const float *dy, size_t n, float m, float scale,
                        float beta, double *sum_dy, double *sum_dy_dev)
{
  const __m256 mv = _mm256_set1_ps (m), sv = _mm256_set1_ps (scale), bv = _mm256_set1_ps (beta);
  __m256 a0 = _mm256_setzero_ps (), a1 = _mm256_setzero_ps ();
  __m256 b0 = _mm256_setzero_ps (), b1 = _mm256_setzero_ps ();
  size_t i = 0;
  for (; i + 16 <= n; i += 16)
    {
      __m256 d0 = masked_dy (x, dy, i, mv, sv, bv), d1 = masked_dy (x, dy, i + 8, mv, sv, bv);
      a0 = _mm256_add_ps (a0, d0);
      a1 = _mm256_add_ps (a1, d1);
      b0 = _mm256_fmadd_ps (d0, _mm256_sub_ps (_mm256_loadu_ps (x + i), mv), b0);
      b1 = _mm256_fmadd_ps (d1, _mm256_sub_ps (_mm256_loadu_ps (x + i + 8), mv), b1);
    }
  double ta = hsum (_mm256_add_ps (a0, a1)), tb = hsum (_mm256_add_ps (b0, b1));
  for (; i < n; i++)
    {
      float d = cnn_relu_grad ((x[i] - m) * scale + beta, dy[i]);
      ta += d;
      tb += (double) d * (x[i] - m);
    }
  *sum_dy += ta;
  *sum_dy_dev += tb;
}

double
cnn_simd_sum (const float *x, size_t n)
{
  if (cnn_cpu_has_avx2_fma ())
    return sum_avx2 (x, n);
  double total = 0.0;
  for (size_t i = 0; i < n; i++)
    total += x[i];
  return total;
}

double
cnn_simd_sum_sq_dev (const float *x, size_t n, float m)
{
  if (cnn_cpu_has_avx2_fma ())
    return sum_sq_dev_avx2 (x, n, m);
  double total = 0.0;
  for (size_t i = 0; i < n; i++)
    total += (double) (x[i] - m) * (x[i] - m);
  return total;
}

void
cnn_simd_sum_prod_dev (const float *x, const float *dy, size_t n, float m,
                       double *sum_dy, double *sum_dy_dev)
{
  if (cnn_cpu_has_avx2_fma ())
    {
      sum_prod_dev_avx2 (x, dy, n, m, sum_dy, sum_dy_dev);
      return;
    }
  double ta = 0.0, tb = 0.0;
  for (size_t i = 0; i < n; i++)
    {
      ta += dy[i];
      tb += (double) dy[i] * (x[i] - m);
    }
  *sum_dy += ta;
  *sum_dy_dev += tb;
}

void
cnn_simd_sum_sq_shifted (const float *x, size_t n, float k, double *sum, double *sum_sq)
{
  if (cnn_cpu_has_avx2_fma ())
    {
      sum_sq_shifted_avx2 (x, n, k, sum, sum_sq);
      return;
    }
  double ts = 0.0, tq = 0.0;
  for (size_t i = 0; i < n; i++)
    {
      double d = (double) x[i] - k;
      ts += d;
      tq += d * d;
    }
  *sum += ts;
  *sum_sq += tq;
}

void
cnn_simd_sum_prod_dev_relu (const float *x, const float *dy, size_t n, float m, float scale,
                            float beta, double *sum_dy, double *sum_dy_dev)
{
  if (cnn_cpu_has_avx2_fma ())
    {
      sum_prod_dev_relu_avx2 (x, dy, n, m, scale, beta, sum_dy, sum_dy_dev);
      return;
    }
  double ta = 0.0, tb = 0.0;
  for (size_t i = 0; i < n; i++)
    {
      float d = cnn_relu_grad ((x[i] - m) * scale + beta, dy[i]);
      ta += d;
      tb += (double) d * (x[i] - m);
    }
  *sum_dy += ta;
  *sum_dy_dev += tb;
}
