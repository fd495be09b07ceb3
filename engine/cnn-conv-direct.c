#include "cnn-conv-direct.h"

#include "cnn-simd.h"

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

/* Both passes work on a zero-padded copy of the input (Hp × Wp per channel,
 * Hp = HO + KH - 1, Wp = WO + KW - 1), so output pixel (oh, ow) reads input
 * (oh + kh, ow + kw) for every kernel tap with no edge cases. The forward
 * pass computes an output row 16 pixels at a time. */

#define VEC 8          /* floats per AVX register */
#define SLACK CNN_CONV_DIRECT_SLACK   /* floats past the end that vector loads may touch */
/* unroll the loops over a block's output channels completely, so that the
 * accumulators live in registers (-O2 alone keeps them in memory) */
#define UNROLL _Pragma ("GCC unroll 8")

typedef struct
{
  int Hp, Wp;          /* padded input */
} Plan;

static Plan
plan_for (const CnnConvGeom *g)
{
  Plan p = { g->HO + g->KH - 1, g->WO + g->KW - 1 };
  return p;
}

gboolean
cnn_conv_direct_supported (const CnnConvGeom *g)
{
  return cnn_cpu_has_avx2_fma () && g->SH == 1 && g->SW == 1 && g->PH >= 0 && g->PW >= 0
         && g->PH <= g->KH - 1 && g->PW <= g->KW - 1 && g->KH <= 11 && g->KW <= 11
         && !(g->KH == 1 && g->KW == 1);
}

size_t
cnn_conv_direct_scratch_size (const CnnConvGeom *g, int C_out)
{
  /* the padded input, or for the weight gradient dy in its row width; the
   * input-gradient pass pads dy */
  Plan p = plan_for (g);
  size_t fwd = MAX ((size_t) g->C * p.Hp * p.Wp + SLACK, (size_t) C_out * (g->HO * p.Wp + VEC));
  CnnConvGeom t = cnn_conv_geom_transposed (g, C_out);
  Plan q = plan_for (&t);
  size_t bwd = (size_t) C_out * q.Hp * q.Wp + SLACK;
  return MAX (fwd, bwd);
}

size_t
cnn_conv_direct_padded_size (const CnnConvGeom *g)
{
  Plan p = plan_for (g);
  return (size_t) g->C * p.Hp * p.Wp;
}

/* Copy n floats of a row. A row is short (28 floats in cnn2) and there are
 * many (100,000 per step), so libc's memcpy costs more in its call than in
 * the copy: whole vectors instead, which may read and write up to 7 floats
 * past n. The caller allows it (may_spill) only where those floats exist in
 * both buffers and the destination's are written again afterwards. */
__attribute__ ((target ("avx2"), always_inline)) static inline void
copy_row (float *dst, const float *src, int n, gboolean may_spill)
{
  if (!may_spill)
    {
      memcpy (dst, src, n * sizeof (float));
      return;
    }
  for (int i = 0; i < n; i += VEC)
    _mm256_storeu_ps (dst + i, _mm256_loadu_ps (src + i));
}

/* The same through channel c of a map, value for value what
 * cnn_channel_map_apply computes: (x - m) · s + b, then a ReLU as a
 * multiplication by 1 or 0 (so a NaN stays a NaN). */
__attribute__ ((target ("avx2"), always_inline)) static inline void
map_row (float *dst, const float *src, int n, gboolean may_spill, const CnnChannelMap *map, int c)
{
  const float m = map->mean[c], s = map->scale[c], b = map->shift[c];
  if (!may_spill)
    {
      for (int i = 0; i < n; i++)
        {
          float v = (src[i] - m) * s + b;
          dst[i] = map->relu ? cnn_relu (v) : v;
        }
      return;
    }
  const __m256 mv = _mm256_set1_ps (m), sv = _mm256_set1_ps (s), bv = _mm256_set1_ps (b);
  const __m256 one = _mm256_set1_ps (1.0f), zero = _mm256_setzero_ps ();
  for (int i = 0; i < n; i += VEC)
    {
      __m256 v = _mm256_add_ps (_mm256_mul_ps (_mm256_sub_ps (_mm256_loadu_ps (src + i), mv), sv), bv);
      if (map->relu)
        v = _mm256_mul_ps (v, _mm256_and_ps (_mm256_cmp_ps (v, zero, _CMP_GT_OQ), one));
      _mm256_storeu_ps (dst + i, v);
    }
}

static inline size_t
whole_vectors (int n)
{
  return (size_t) (n + VEC - 1) / VEC * VEC;
}

/* xp (C, Hp, Wp) = x (C, H, W) shifted by (PH, PW) into zeros. Vector loads
 * may read up to SLACK floats past its end: the caller provides them. Rows
 * are copied in order, so a row's spill lands in padding or in the next
 * row, both written afterwards; never past this image's end, which another
 * thread may be filling. */
__attribute__ ((target ("avx2"))) static void
pad_input (const CnnConvGeom *g, const Plan *p, const float *x, const CnnChannelMap *map, float *xp)
{
  const size_t plane = (size_t) p->Hp * p->Wp;
  const int rows = MIN (g->H, p->Hp - g->PH), cols = MIN (g->W, p->Wp - g->PW);
  const int right = p->Wp - g->PW - cols;
  const size_t x_size = (size_t) g->C * g->H * g->W, xp_size = (size_t) g->C * plane;
  for (int c = 0; c < g->C; c++)
    {
      float *dst = xp + c * plane;
      memset (dst, 0, (size_t) g->PH * p->Wp * sizeof (float));
      for (int h = 0; h < rows; h++)
        {
          float *row = dst + (size_t) (h + g->PH) * p->Wp;
          for (int i = 0; i < g->PW; i++)
            row[i] = 0.0f;
          size_t from = ((size_t) c * g->H + h) * g->W, to = (size_t) (row + g->PW - xp);
          gboolean may_spill = from + whole_vectors (cols) <= x_size && to + whole_vectors (cols) <= xp_size;
          if (map)
            map_row (row + g->PW, x + from, cols, may_spill, map, c);
          else
            copy_row (row + g->PW, x + from, cols, may_spill);
          for (int i = 0; i < right; i++)
            row[g->PW + cols + i] = 0.0f;
        }
      memset (dst + (size_t) (g->PH + rows) * p->Wp, 0,
              (size_t) (p->Hp - g->PH - rows) * p->Wp * sizeof (float));
    }
}

void
cnn_conv_direct_pad (const CnnConvGeom *g, const float *x, float *xp)
{
  Plan p = plan_for (g);
  pad_input (g, &p, x, NULL, xp);
}

void
cnn_conv_direct_pad_mapped (const CnnConvGeom *g, const float *x, const CnnChannelMap *map, float *xp)
{
  Plan p = plan_for (g);
  pad_input (g, &p, x, map, xp);
}

/* pad into scratch, followed by zeroed slack */
static void
pad_with_slack (const CnnConvGeom *g, const Plan *p, const float *x, float *xp)
{
  pad_input (g, p, x, NULL, xp);
  memset (xp + (size_t) g->C * p->Hp * p->Wp, 0, SLACK * sizeof (float));
}

/* NCO output channels × 16 pixels of one row per step; NCO is a constant
 * at each call, so the compiler keeps all accumulators in registers */
__attribute__ ((target ("avx2,fma"), always_inline)) static inline void
forward_block (const CnnConvGeom *g, const Plan *p, int NCO, int KW, const float *xp, const float *w,
               const float *bias, int co, float *y)
{
  const int taps = g->KH * KW, K = g->C * taps;
  const size_t plane = (size_t) p->Hp * p->Wp;
  for (int oh = 0; oh < g->HO; oh++)
    for (int ow = 0; ow < g->WO; ow += 2 * VEC)
      {
        __m256 acc[4][2];
        UNROLL
        for (int j = 0; j < NCO; j++)
          acc[j][0] = acc[j][1] = bias ? _mm256_broadcast_ss (bias + co + j) : _mm256_setzero_ps ();
        for (int ci = 0; ci < g->C; ci++)
          for (int kh = 0; kh < g->KH; kh++)
            {
              const float *row = xp + ci * plane + (size_t) (oh + kh) * p->Wp + ow;
              const float *wk = w + (size_t) co * K + (size_t) ci * taps + kh * KW;
              UNROLL
              for (int kw = 0; kw < KW; kw++)
                {
                  __m256 x0 = _mm256_loadu_ps (row + kw);
                  __m256 x1 = _mm256_loadu_ps (row + kw + VEC);
                  UNROLL
                  for (int j = 0; j < NCO; j++)
                    {
                      __m256 wv = _mm256_broadcast_ss (wk + (size_t) j * K + kw);
                      acc[j][0] = _mm256_fmadd_ps (wv, x0, acc[j][0]);
                      acc[j][1] = _mm256_fmadd_ps (wv, x1, acc[j][1]);
                    }
                }
            }
        /* Past the row's end the 16 floats spill into the start of the
         * next row, which is written afterwards; only at the end of a plane
         * do they go through a copy (AMD's masked stores are slow). */
        int left = g->WO - ow;
        gboolean spill_ok = (size_t) oh * g->WO + ow + 2 * VEC <= (size_t) g->HO * g->WO;
        UNROLL
        for (int j = 0; j < NCO; j++)
          {
            float *dst = y + ((size_t) (co + j) * g->HO + oh) * g->WO + ow;   /* (≤ 16) */
            if (left >= 2 * VEC || spill_ok)
              {
                _mm256_storeu_ps (dst, acc[j][0]);
                _mm256_storeu_ps (dst + VEC, acc[j][1]);
              }
            else
              {
                float tmp[2 * VEC];
                _mm256_storeu_ps (tmp, acc[j][0]);
                _mm256_storeu_ps (tmp + VEC, acc[j][1]);
                memcpy (dst, tmp, left * sizeof (float));
              }
          }
      }
}

/* y (C_out, HO, WO) = bias + w ⋆ xp, for a kernel KW wide: a constant in
 * the 3×3 case, so its tap loop unrolls */
__attribute__ ((target ("avx2,fma"), always_inline)) static inline void
forward_blocks (const CnnConvGeom *g, const Plan *p, int KW, int C_out, const float *xp,
                const float *w, const float *bias, float *y)
{
  int co = 0;
  for (; co + 4 <= C_out; co += 4)
    forward_block (g, p, 4, KW, xp, w, bias, co, y);
  switch (C_out - co)
    {
    case 3: forward_block (g, p, 3, KW, xp, w, bias, co, y); break;
    case 2: forward_block (g, p, 2, KW, xp, w, bias, co, y); break;
    case 1: forward_block (g, p, 1, KW, xp, w, bias, co, y); break;
    default: break;
    }
}

__attribute__ ((target ("avx2,fma"))) static void
forward_padded (const CnnConvGeom *g, const Plan *p, int C_out, const float *xp,
                const float *w, const float *bias, float *y)
{
  if (g->KW == 3)
    forward_blocks (g, p, 3, C_out, xp, w, bias, y);
  else
    forward_blocks (g, p, g->KW, C_out, xp, w, bias, y);
}

void
cnn_conv_direct_forward (const CnnConvGeom *g, int C_out, const float *x, const float *w,
                         const float *bias, float *y, float *scratch)
{
  Plan p = plan_for (g);
  float *xp = scratch;                                       /* (C, Hp, Wp) + slack */
  pad_with_slack (g, &p, x, xp);
  forward_padded (g, &p, C_out, xp, w, bias, y);
}

void
cnn_conv_direct_forward_padded (const CnnConvGeom *g, int C_out, const float *xp, const float *w,
                                const float *bias, float *y)
{
  Plan p = plan_for (g);
  forward_padded (g, &p, C_out, xp, w, bias, y);
}

void
cnn_conv_direct_flip_weights (const CnnConvGeom *g, int C_out, const float *w, float *w_flipped)
{
  const int KH = g->KH, KW = g->KW;
  for (int co = 0; co < C_out; co++)
    for (int ci = 0; ci < g->C; ci++)
      for (int kh = 0; kh < KH; kh++)
        for (int kw = 0; kw < KW; kw++)
          w_flipped[(((size_t) ci * C_out + co) * KH + (KH - 1 - kh)) * KW + (KW - 1 - kw)]
            = w[(((size_t) co * g->C + ci) * KH + kh) * KW + kw];
}

void
cnn_conv_direct_backward_input (const CnnConvGeom *g, int C_out, const float *dy,
                                const float *w_flipped, float *dx, float *scratch)
{
  /* dx is the "full" correlation of dy with the flipped, transposed kernel */
  CnnConvGeom t = cnn_conv_geom_transposed (g, C_out);
  cnn_conv_direct_forward (&t, g->C, dy, w_flipped, NULL, dx, scratch);
}

/* the sum of a vector's eight floats */
__attribute__ ((target ("avx2"), always_inline)) static inline float
hsum (__m256 v)
{
  __m128 s = _mm_add_ps (_mm256_castps256_ps128 (v), _mm256_extractf128_ps (v, 1));
  s = _mm_add_ps (s, _mm_movehl_ps (s, s));
  s = _mm_add_ss (s, _mm_movehdup_ps (s));
  return _mm_cvtss_f32 (s);
}

/* dw for NCO output channels and one input channel: dot products over all
 * pixels at once, with dy laid out in the padded input's row width (zeros in
 * the extra columns), so that tap (kh, kw) is the input shifted by
 * kh * Wp + kw: one long contiguous loop instead of many short rows */
__attribute__ ((target ("avx2,fma"), always_inline)) static inline void
weights_block (const CnnConvGeom *g, const Plan *p, int NCO, const float *xp, const float *dyp,
               size_t stride, int L, int ci, int co, float *dw)
{
  const int taps = g->KH * g->KW, K = g->C * taps;
  const size_t plane = (size_t) p->Hp * p->Wp;
  for (int kh = 0; kh < g->KH; kh++)
    for (int kw = 0; kw < g->KW; kw++)
      {
        const float *xs = xp + ci * plane + (size_t) kh * p->Wp + kw;
        __m256 acc[8];
        UNROLL
        for (int j = 0; j < NCO; j++)
          acc[j] = _mm256_setzero_ps ();
        for (int q = 0; q < L; q += VEC)
          {
            __m256 xv = _mm256_loadu_ps (xs + q);
            UNROLL
            for (int j = 0; j < NCO; j++)
              acc[j] = _mm256_fmadd_ps (_mm256_loadu_ps (dyp + (co + j) * stride + q), xv, acc[j]);
          }
        UNROLL
        for (int j = 0; j < NCO; j++)
          dw[(size_t) (co + j) * K + (size_t) ci * taps + kh * g->KW + kw] += hsum (acc[j]);
      }
}

/* The same for 3-wide kernels, one kernel row at a time: the three taps
 * of the row share their input loads, so each step loads 3 + NCO vectors
 * for 3·NCO multiply-adds instead of 1 + NCO for NCO. Loads, not
 * arithmetic, bound these loops (1.3–1.4× faster on cnn2's layers). */
__attribute__ ((target ("avx2,fma"), always_inline)) static inline void
weights_block3 (const CnnConvGeom *g, const Plan *p, int NCO, const float *xp, const float *dyp,
                size_t stride, int L, int ci, int co, float *dw)
{
  const int taps = g->KH * 3, K = g->C * taps;
  const size_t plane = (size_t) p->Hp * p->Wp;
  for (int kh = 0; kh < g->KH; kh++)
    {
      const float *xs = xp + ci * plane + (size_t) kh * p->Wp;
      __m256 acc[3][4];
      UNROLL
      for (int j = 0; j < NCO; j++)
        acc[0][j] = acc[1][j] = acc[2][j] = _mm256_setzero_ps ();
      for (int q = 0; q < L; q += VEC)
        {
          __m256 x0 = _mm256_loadu_ps (xs + q);
          __m256 x1 = _mm256_loadu_ps (xs + q + 1);
          __m256 x2 = _mm256_loadu_ps (xs + q + 2);
          UNROLL
          for (int j = 0; j < NCO; j++)
            {
              __m256 d = _mm256_loadu_ps (dyp + (co + j) * stride + q);
              acc[0][j] = _mm256_fmadd_ps (d, x0, acc[0][j]);
              acc[1][j] = _mm256_fmadd_ps (d, x1, acc[1][j]);
              acc[2][j] = _mm256_fmadd_ps (d, x2, acc[2][j]);
            }
        }
      UNROLL
      for (int j = 0; j < NCO; j++)
        for (int kw = 0; kw < 3; kw++)
          dw[(size_t) (co + j) * K + (size_t) ci * taps + kh * 3 + kw] += hsum (acc[kw][j]);
    }
}

__attribute__ ((target ("avx2,fma"))) static void
weights_padded (const CnnConvGeom *g, const Plan *p, int C_out, const float *xp,
                const float *dyp, size_t stride, int L, float *dw)
{
  for (int ci = 0; ci < g->C; ci++)
    {
      int co = 0;
      if (g->KW == 3)
        {
          for (; co + 4 <= C_out; co += 4)
            weights_block3 (g, p, 4, xp, dyp, stride, L, ci, co, dw);
          switch (C_out - co)
            {
            case 3: weights_block3 (g, p, 3, xp, dyp, stride, L, ci, co, dw); break;
            case 2: weights_block3 (g, p, 2, xp, dyp, stride, L, ci, co, dw); break;
            case 1: weights_block3 (g, p, 1, xp, dyp, stride, L, ci, co, dw); break;
            default: break;
            }
          continue;
        }
      for (; co + 8 <= C_out; co += 8)
        weights_block (g, p, 8, xp, dyp, stride, L, ci, co, dw);
      for (; co + 4 <= C_out; co += 4)
        weights_block (g, p, 4, xp, dyp, stride, L, ci, co, dw);
      for (; co < C_out; co++)
        weights_block (g, p, 1, xp, dyp, stride, L, ci, co, dw);
    }
}

/* dy rows in the padded row width, rounded up to whole vectors: (HO * Wp) */
static int
padded_dy_length (const CnnConvGeom *g, const Plan *p)
{
  return (g->HO * p->Wp + VEC - 1) / VEC * VEC;
}

__attribute__ ((target ("avx2"))) void
cnn_conv_direct_backward_weights (const CnnConvGeom *g, int C_out, const float *xp,
                                  const float *dy, float *dw, float *scratch)
{
  Plan p = plan_for (g);
  int L = padded_dy_length (g, &p);
  float *dyp = scratch;                                      /* (C_out, L) */
  const size_t dy_size = (size_t) C_out * g->HO * g->WO, dyp_size = (size_t) C_out * L;
  for (int co = 0; co < C_out; co++)
    {
      float *dst = dyp + (size_t) co * L;
      for (int oh = 0; oh < g->HO; oh++)
        {
          /* as in pad_input: a row's spill lands where later rows or zeros go */
          size_t from = ((size_t) co * g->HO + oh) * g->WO, to = (size_t) co * L + (size_t) oh * p.Wp;
          copy_row (dyp + to, dy + from, g->WO,
                    from + whole_vectors (g->WO) <= dy_size && to + whole_vectors (g->WO) <= dyp_size);
          for (int i = g->WO; i < p.Wp; i++)
            dst[(size_t) oh * p.Wp + i] = 0.0f;
        }
      for (int i = g->HO * p.Wp; i < L; i++)
        dst[i] = 0.0f;
    }
  weights_padded (g, &p, C_out, xp, dyp, L, L, dw);
}

gboolean
cnn_conv_direct_shares_padded_dy (const CnnConvGeom *g)
{
  /* 3×3, padded by one all round: a zero row under each plane for the
   * rounded-up loop to read, and rows at least a vector wide */
  return g->H == g->HO && g->W == g->WO && g->KH == 3 && g->KW == 3 && g->PH == 1 && g->PW == 1
         && g->W + 2 >= VEC;
}

size_t
cnn_conv_direct_padded_dy_size (const CnnConvGeom *g, int C_out)
{
  CnnConvGeom t = cnn_conv_geom_transposed (g, C_out);
  return cnn_conv_direct_padded_size (&t) + SLACK;
}

void
cnn_conv_direct_pad_dy (const CnnConvGeom *g, int C_out, const float *dy, float *dyp)
{
  CnnConvGeom t = cnn_conv_geom_transposed (g, C_out);
  Plan q = plan_for (&t);
  pad_with_slack (&t, &q, dy, dyp);
}

void
cnn_conv_direct_backward_input_padded (const CnnConvGeom *g, int C_out, const float *dyp,
                                       const float *w_flipped, float *dx)
{
  CnnConvGeom t = cnn_conv_geom_transposed (g, C_out);
  Plan q = plan_for (&t);
  forward_padded (&t, &q, g->C, dyp, w_flipped, NULL, dx);
}

__attribute__ ((target ("avx2"))) void
cnn_conv_direct_backward_weights_padded (const CnnConvGeom *g, int C_out, const float *xp,
                                         const float *dyp, float *dw)
{
  g_assert (cnn_conv_direct_shares_padded_dy (g));
  CnnConvGeom t = cnn_conv_geom_transposed (g, C_out);
  Plan p = plan_for (g);
  /* with the same size in and out, both planes are Wp wide: dy's pixel
   * (r, c) lies at (r + PH') Wp + PW' + c, and the Wp - WO floats after each
   * row are the right and then the next row's left padding, all zeros */
  const float *rows = dyp + (size_t) t.PH * p.Wp + t.PW;
  Plan q = plan_for (&t);
  weights_padded (g, &p, C_out, xp, rows, (size_t) q.Hp * q.Wp, padded_dy_length (g, &p), dw);
}
