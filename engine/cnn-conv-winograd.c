#include "cnn-conv-winograd.h"

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "cnn-conv-direct.h"

/* An image goes through three steps, each vectorized over 8 tiles of one
 * tile row at a time:
 *   V[ξ][ci][t] = (Bᵀ d B)[ξ]   for each 4×4 input tile d    (ξ = 0..15)
 *   M[ξ][co][t] = Σ_ci U[ξ][co][ci] · V[ξ][ci][t]            (16 small GEMMs)
 *   y tile      = Aᵀ M[·][co][t] A                            (2×2 outputs)
 * with U = G g Gᵀ for each 3×3 filter g. The steps run on a group of tile
 * rows at a time (at least 16 tiles), so that V and M stay in the L1 cache;
 * within a group t = row · TWr + tw, each tile row padded to 8 tiles. */

#define VEC 8
#define UNROLL _Pragma ("GCC unroll 8")

typedef struct
{
  int TH, TW;      /* tiles down and across: HO / 2, WO / 2 */
  int TWr;         /* TW rounded up to whole vectors */
  int R;           /* tile rows per group */
  int Tr;          /* tiles in V and M: R · TWr, a multiple of 16 */
  int pad;         /* floats between ξ slices, so that the 16 slices do not
                    * fall on the same L1 cache sets (4 KB aliasing) */
  int Hp, Wp;      /* the padded input */
} Tiles;

static Tiles
tiles_for (const CnnConvGeom *g)
{
  Tiles t;
  t.TH = g->HO / 2;
  t.TW = g->WO / 2;
  t.TWr = (t.TW + VEC - 1) / VEC * VEC;
  t.R = t.TWr % (2 * VEC) == 0 ? 1 : 2;
  t.Tr = t.R * t.TWr;
  t.pad = 16;
  t.Hp = g->HO + 2;
  t.Wp = g->WO + 2;
  return t;
}

gboolean
cnn_conv_winograd_supported (const CnnConvGeom *g, int C_out)
{
  /* below 16 channels the transforms cost about what they save (measured
   * on cnn2's 8-channel layers: no difference), so those stay direct */
  return cnn_conv_direct_supported (g) && g->KH == 3 && g->KW == 3
         && g->HO % 2 == 0 && g->WO % 2 == 0 && g->H % 2 == 0 && g->W % 2 == 0
         && g->C >= 16 && C_out >= 16;
}

size_t
cnn_conv_winograd_weights_size (const CnnConvGeom *g, int C_out)
{
  return (size_t) 16 * C_out * g->C;
}

/* U = G g Gᵀ, G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1] */
static void
transform_filter (const float *f, float u[16])
{
  float t[4][3];
  for (int c = 0; c < 3; c++)
    {
      t[0][c] = f[c];
      t[1][c] = 0.5f * (f[c] + f[3 + c] + f[6 + c]);
      t[2][c] = 0.5f * (f[c] - f[3 + c] + f[6 + c]);
      t[3][c] = f[6 + c];
    }
  for (int r = 0; r < 4; r++)
    {
      u[r * 4 + 0] = t[r][0];
      u[r * 4 + 1] = 0.5f * (t[r][0] + t[r][1] + t[r][2]);
      u[r * 4 + 2] = 0.5f * (t[r][0] - t[r][1] + t[r][2]);
      u[r * 4 + 3] = t[r][2];
    }
}

void
cnn_conv_winograd_weights (const CnnConvGeom *g, int C_out, const float *w, float *U)
{
  const int C = g->C;
  for (int co = 0; co < C_out; co++)
    for (int ci = 0; ci < C; ci++)
      {
        float u[16];
        transform_filter (w + ((size_t) co * C + ci) * 9, u);
        for (int xi = 0; xi < 16; xi++)
          U[((size_t) xi * C_out + co) * C + ci] = u[xi];
      }
}

void
cnn_conv_winograd_weights_flipped (const CnnConvGeom *g, int C_out, const float *w, float *U)
{
  /* filter (ci → co) of the transposed convolution: w[co][ci] rotated 180° */
  const int C = g->C;
  for (int ci = 0; ci < C; ci++)
    for (int co = 0; co < C_out; co++)
      {
        float f[9], u[16];
        const float *src = w + ((size_t) co * C + ci) * 9;
        for (int k = 0; k < 9; k++)
          f[k] = src[8 - k];
        transform_filter (f, u);
        for (int xi = 0; xi < 16; xi++)
          U[((size_t) xi * C + ci) * C_out + co] = u[xi];
      }
}

static size_t
forward_scratch (const CnnConvGeom *g, int C_out)
{
  Tiles t = tiles_for (g);
  return (size_t) 16 * ((g->C + C_out) * t.Tr + 2 * t.pad);
}

size_t
cnn_conv_winograd_scratch_size (const CnnConvGeom *g, int C_out)
{
  CnnConvGeom b = cnn_conv_geom_transposed (g, C_out);
  Tiles tb = tiles_for (&b);
  size_t pad = (size_t) C_out * tb.Hp * tb.Wp + CNN_CONV_DIRECT_SLACK;
  return MAX (forward_scratch (g, C_out), forward_scratch (&b, g->C) + pad);
}

/* (even, odd) lanes of the 16 floats at p */
__attribute__ ((target ("avx2"), always_inline)) static inline void
deinterleave (const float *p, __m256 *even, __m256 *odd)
{
  const __m256i idx = _mm256_setr_epi32 (0, 2, 4, 6, 1, 3, 5, 7);
  __m256 a = _mm256_permutevar8x32_ps (_mm256_loadu_ps (p), idx);
  __m256 b = _mm256_permutevar8x32_ps (_mm256_loadu_ps (p + 8), idx);
  *even = _mm256_permute2f128_ps (a, b, 0x20);
  *odd = _mm256_permute2f128_ps (a, b, 0x31);
}

/* V (16, C, Tr) = Bᵀ d B of the tiles in rows th0 .. th0 + rows - 1,
 * Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1] */
__attribute__ ((target ("avx2,fma"))) static void
input_transform (const CnnConvGeom *g, const Tiles *t, const float *xp, int th0, int rows, float *V)
{
  const size_t plane = (size_t) t->Hp * t->Wp;
  for (int ci = 0; ci < g->C; ci++)
    for (int th = th0; th < th0 + rows; th++)
      for (int tw = 0; tw < t->TWr; tw += VEC)
        {
          __m256 d[4][4];
          for (int r = 0; r < 4; r++)
            {
              const float *row = xp + ci * plane + (size_t) (2 * th + r) * t->Wp + 2 * tw;
              deinterleave (row, &d[r][0], &d[r][1]);
              deinterleave (row + 2, &d[r][2], &d[r][3]);
            }
          __m256 s[4][4];
          for (int c = 0; c < 4; c++)
            {
              s[0][c] = _mm256_sub_ps (d[0][c], d[2][c]);
              s[1][c] = _mm256_add_ps (d[1][c], d[2][c]);
              s[2][c] = _mm256_sub_ps (d[2][c], d[1][c]);
              s[3][c] = _mm256_sub_ps (d[1][c], d[3][c]);
            }
          float *dst = V + (size_t) ci * t->Tr + (size_t) (th - th0) * t->TWr + tw;
          const size_t step = (size_t) g->C * t->Tr + t->pad;   /* from ξ to ξ + 1 */
          for (int r = 0; r < 4; r++)
            {
              _mm256_storeu_ps (dst + (r * 4 + 0) * step, _mm256_sub_ps (s[r][0], s[r][2]));
              _mm256_storeu_ps (dst + (r * 4 + 1) * step, _mm256_add_ps (s[r][1], s[r][2]));
              _mm256_storeu_ps (dst + (r * 4 + 2) * step, _mm256_sub_ps (s[r][2], s[r][1]));
              _mm256_storeu_ps (dst + (r * 4 + 3) * step, _mm256_sub_ps (s[r][1], s[r][3]));
            }
        }
}

/* M[ξ] (C_out, Tr) = U[ξ] (C_out, C) · V[ξ] (C, Tr): NCO channels × 16 tiles */
__attribute__ ((target ("avx2,fma"), always_inline)) static inline void
gemm_block (int NCO, int C, int C_out, int Tr, const float *U, const float *V, float *M, int co)
{
  for (int q = 0; q < Tr; q += 2 * VEC)
    {
      __m256 acc[4][2];
      UNROLL
      for (int j = 0; j < NCO; j++)
        acc[j][0] = acc[j][1] = _mm256_setzero_ps ();
      for (int ci = 0; ci < C; ci++)
        {
          __m256 v0 = _mm256_loadu_ps (V + (size_t) ci * Tr + q);
          __m256 v1 = _mm256_loadu_ps (V + (size_t) ci * Tr + q + VEC);
          UNROLL
          for (int j = 0; j < NCO; j++)
            {
              __m256 u = _mm256_broadcast_ss (U + (size_t) (co + j) * C + ci);
              acc[j][0] = _mm256_fmadd_ps (u, v0, acc[j][0]);
              acc[j][1] = _mm256_fmadd_ps (u, v1, acc[j][1]);
            }
        }
      UNROLL
      for (int j = 0; j < NCO; j++)
        {
          _mm256_storeu_ps (M + (size_t) (co + j) * Tr + q, acc[j][0]);
          _mm256_storeu_ps (M + (size_t) (co + j) * Tr + q + VEC, acc[j][1]);
        }
    }
}

__attribute__ ((target ("avx2,fma"))) static void
multiply (int C, int C_out, int Tr, int pad, const float *U, const float *V, float *M)
{
  for (int xi = 0; xi < 16; xi++)
    {
      const float *Ux = U + (size_t) xi * C_out * C;
      const float *Vx = V + (size_t) xi * ((size_t) C * Tr + pad);
      float *Mx = M + (size_t) xi * ((size_t) C_out * Tr + pad);
      int co = 0;
      for (; co + 4 <= C_out; co += 4)
        gemm_block (4, C, C_out, Tr, Ux, Vx, Mx, co);
      for (; co < C_out; co++)
        gemm_block (1, C, C_out, Tr, Ux, Vx, Mx, co);
    }
}

/* 8 tiles' left (a) and right (b) outputs as 16 consecutive floats, of
 * which `left` belong to this row. The rest may spill into the start of the
 * following rows of the same plane, which the caller writes afterwards; only
 * at the end of a plane do they go through a copy (AMD's masked stores are
 * slow). */
__attribute__ ((target ("avx2"), always_inline)) static inline void
store_pairs (float *dst, __m256 a, __m256 b, int left, const float *plane_end)
{
  __m256 lo = _mm256_unpacklo_ps (a, b), hi = _mm256_unpackhi_ps (a, b);
  __m256 first = _mm256_permute2f128_ps (lo, hi, 0x20);
  __m256 second = _mm256_permute2f128_ps (lo, hi, 0x31);
  if (left >= 2 * VEC || dst + 2 * VEC <= plane_end)
    {
      _mm256_storeu_ps (dst, first);
      _mm256_storeu_ps (dst + VEC, second);
      return;
    }
  float tmp[2 * VEC];
  _mm256_storeu_ps (tmp, first);
  _mm256_storeu_ps (tmp + VEC, second);
  memcpy (dst, tmp, left * sizeof (float));
}

/* y = Aᵀ M A + bias for the tile rows th0 .. th0 + rows - 1,
 * Aᵀ = [1 1 1 0; 0 1 -1 -1] */
__attribute__ ((target ("avx2,fma"))) static void
output_transform (const CnnConvGeom *g, const Tiles *t, int C_out, const float *M,
                  const float *bias, int th0, int rows, float *y)
{
  const size_t step = (size_t) C_out * t->Tr + t->pad;
  for (int co = 0; co < C_out; co++)
    {
      __m256 b = _mm256_set1_ps (bias ? bias[co] : 0.0f);
      const float *plane_end = y + (size_t) (co + 1) * g->HO * g->WO;
      for (int th = th0; th < th0 + rows; th++)
        /* right to left, so a spill past a row's end lands on a row start
         * that is written afterwards */
        for (int tw = (t->TW - 1) / VEC * VEC; tw >= 0; tw -= VEC)
          {
            const float *src = M + (size_t) co * t->Tr + (size_t) (th - th0) * t->TWr + tw;
            __m256 m[16];
            for (int xi = 0; xi < 16; xi++)
              m[xi] = _mm256_loadu_ps (src + xi * step);
            __m256 s0[4], s1[4];
            for (int c = 0; c < 4; c++)
              {
                s0[c] = _mm256_add_ps (_mm256_add_ps (m[c], m[4 + c]), m[8 + c]);
                s1[c] = _mm256_sub_ps (_mm256_sub_ps (m[4 + c], m[8 + c]), m[12 + c]);
              }
            __m256 y00 = _mm256_add_ps (_mm256_add_ps (_mm256_add_ps (s0[0], s0[1]), s0[2]), b);
            __m256 y01 = _mm256_add_ps (_mm256_sub_ps (_mm256_sub_ps (s0[1], s0[2]), s0[3]), b);
            __m256 y10 = _mm256_add_ps (_mm256_add_ps (_mm256_add_ps (s1[0], s1[1]), s1[2]), b);
            __m256 y11 = _mm256_add_ps (_mm256_sub_ps (_mm256_sub_ps (s1[1], s1[2]), s1[3]), b);
            int left = g->WO - 2 * tw;
            float *row = y + ((size_t) co * g->HO + 2 * th) * g->WO + 2 * tw;
            store_pairs (row, y00, y01, left, plane_end);
            store_pairs (row + g->WO, y10, y11, left, plane_end);
          }
    }
}

void
cnn_conv_winograd_forward_padded (const CnnConvGeom *g, int C_out, const float *xp,
                                  const float *U, const float *bias, float *y, float *scratch)
{
  Tiles t = tiles_for (g);
  float *V = scratch;                                         /* (16, C, Tr), slices padded */
  float *M = V + (size_t) 16 * ((size_t) g->C * t.Tr + t.pad);  /* (16, C_out, Tr), likewise */
  for (int th0 = 0; th0 < t.TH; th0 += t.R)
    {
      int rows = MIN (t.R, t.TH - th0);
      /* a short last group still multiplies whole vectors: keep the rest finite */
      if (rows < t.R)
        for (int xi = 0; xi < 16; xi++)
          for (int ci = 0; ci < g->C; ci++)
            memset (V + (size_t) xi * ((size_t) g->C * t.Tr + t.pad) + (size_t) ci * t.Tr
                    + (size_t) rows * t.TWr, 0, (size_t) (t.R - rows) * t.TWr * sizeof (float));
      input_transform (g, &t, xp, th0, rows, V);
      multiply (g->C, C_out, t.Tr, t.pad, U, V, M);
      output_transform (g, &t, C_out, M, bias, th0, rows, y);
    }
}

void
cnn_conv_winograd_backward_input_padded (const CnnConvGeom *g, int C_out, const float *dyp,
                                         const float *U_flipped, float *dx, float *scratch)
{
  CnnConvGeom b = cnn_conv_geom_transposed (g, C_out);
  cnn_conv_winograd_forward_padded (&b, g->C, dyp, U_flipped, NULL, dx, scratch);
}

void
cnn_conv_winograd_backward_input (const CnnConvGeom *g, int C_out, const float *dy,
                                  const float *U_flipped, float *dx, float *scratch)
{
  CnnConvGeom b = cnn_conv_geom_transposed (g, C_out);
  Tiles tb = tiles_for (&b);
  float *dyp = scratch;                                          /* (C_out, Hp, Wp) + slack */
  float *rest = dyp + (size_t) C_out * tb.Hp * tb.Wp + CNN_CONV_DIRECT_SLACK;
  cnn_conv_direct_pad (&b, dy, dyp);
  memset (dyp + (size_t) C_out * tb.Hp * tb.Wp, 0, CNN_CONV_DIRECT_SLACK * sizeof (float));
  cnn_conv_winograd_forward_padded (&b, g->C, dyp, U_flipped, NULL, dx, rest);
}
