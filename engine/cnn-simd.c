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

__attribute__ ((target ("avx2,fma"))) static void
sum_prod_dev_avx2 (const float *x, const float *dy, size_t n, float m,
                   double *sum_dy, double *sum_dy_dev)
{
  const __m256 mv = _mm256_set1_ps (m);
  __m256 a = _mm256_setzero_ps (), b = _mm256_setzero_ps ();
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    {
      __m256 d = _mm256_loadu_ps (dy + i);
      a = _mm256_add_ps (a, d);
      b = _mm256_fmadd_ps (d, _mm256_sub_ps (_mm256_loadu_ps (x + i), mv), b);
    }
  double ta = hsum (a), tb = hsum (b);
  for (; i < n; i++)
    {
      ta += dy[i];
      tb += (double) dy[i] * (x[i] - m);
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
