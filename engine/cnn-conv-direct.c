#include "cnn-conv-direct.h"

#include <immintrin.h>
#include <string.h>

/* Both passes work on a zero-padded copy of the input whose rows are Wp =
 * WO + KW - 1 wide, and compute the output in the same row width: output
 * pixel q = oh * Wp + ow then reads input q + kh * Wp + kw for every kernel
 * tap, so each tap is one contiguous run of loads, with no edge cases. The
 * columns ow >= WO are computed too and thrown away (2 of 30 for 28×28). */

#define VEC 8          /* floats per AVX register */
/* unroll the loops over a block's output channels completely, so that the
 * accumulators live in registers (-O2 alone keeps them in memory) */
#define UNROLL _Pragma ("GCC unroll 8")
#define SLACK 64       /* floats past the end that vector loads may touch */

typedef struct
{
  int Hp, Wp;          /* padded input */
  int L;               /* output pixels in padded rows: HO * Wp */
  int Lr;              /* L rounded up to whole 16-float chunks */
} Plan;

static Plan
plan_for (const CnnConvGeom *g)
{
  Plan p;
  p.Hp = g->HO + g->KH - 1;
  p.Wp = g->WO + g->KW - 1;
  p.L = g->HO * p.Wp;
  p.Lr = (p.L + 2 * VEC - 1) / (2 * VEC) * (2 * VEC);
  return p;
}

gboolean
cnn_conv_direct_supported (const CnnConvGeom *g)
{
  static int cpu_ok = -1;
  if (cpu_ok < 0)
    {
      __builtin_cpu_init ();
      cpu_ok = __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");
    }
  return cpu_ok && g->SH == 1 && g->SW == 1 && g->PH >= 0 && g->PW >= 0
         && g->PH <= g->KH - 1 && g->PW <= g->KW - 1 && g->KH <= 11 && g->KW <= 11
         && !(g->KH == 1 && g->KW == 1);
}

size_t
cnn_conv_direct_scratch_size (const CnnConvGeom *g, int C_out)
{
  /* forward: padded input + padded-width output; the input-gradient pass
   * runs the forward with the roles of C and C_out swapped, so take the
   * larger of both */
  Plan p = plan_for (g);
  size_t fwd = (size_t) g->C * p.Hp * p.Wp + (size_t) C_out * p.Lr + 2 * SLACK;
  CnnConvGeom t = { .C = C_out, .H = g->HO, .W = g->WO, .KH = g->KH, .KW = g->KW,
                    .SH = 1, .SW = 1, .HO = g->H, .WO = g->W };
  Plan q = plan_for (&t);
  size_t bwd = (size_t) C_out * q.Hp * q.Wp + (size_t) g->C * q.Lr + 2 * SLACK;
  return MAX (fwd, bwd);
}

/* xp (C, Hp, Wp) = x (C, H, W) shifted by (PH, PW) into zeros; plus zeroed slack */
static void
pad_input (const CnnConvGeom *g, const Plan *p, const float *x, float *xp)
{
  size_t plane = (size_t) p->Hp * p->Wp;
  memset (xp, 0, ((size_t) g->C * plane + SLACK) * sizeof (float));
  int rows = MIN (g->H, p->Hp - g->PH), cols = MIN (g->W, p->Wp - g->PW);
  for (int c = 0; c < g->C; c++)
    for (int h = 0; h < rows; h++)
      memcpy (xp + c * plane + (size_t) (h + g->PH) * p->Wp + g->PW,
              x + ((size_t) c * g->H + h) * g->W, cols * sizeof (float));
}

/* NCO output channels × 16 pixels per step; NCO is a constant at each call,
 * so the compiler keeps all accumulators in registers */
__attribute__ ((target ("avx2,fma"), always_inline)) static inline void
forward_block (const CnnConvGeom *g, const Plan *p, int NCO, const float *xp,
               const float *w, int C, int co, float *yp)
{
  const int taps = g->KH * g->KW, K = C * taps;
  const size_t plane = (size_t) p->Hp * p->Wp;
  for (int q = 0; q < p->Lr; q += 2 * VEC)
    {
      __m256 acc[4][2];
      UNROLL
      for (int j = 0; j < NCO; j++)
        acc[j][0] = acc[j][1] = _mm256_setzero_ps ();
      for (int ci = 0; ci < C; ci++)
        for (int kh = 0; kh < g->KH; kh++)
          {
            const float *row = xp + ci * plane + (size_t) kh * p->Wp + q;
            const float *wk = w + (size_t) co * K + (size_t) ci * taps + kh * g->KW;
            for (int kw = 0; kw < g->KW; kw++)
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
      UNROLL
      for (int j = 0; j < NCO; j++)
        {
          _mm256_storeu_ps (yp + (size_t) (co + j) * p->Lr + q, acc[j][0]);
          _mm256_storeu_ps (yp + (size_t) (co + j) * p->Lr + q + VEC, acc[j][1]);
        }
    }
}

__attribute__ ((target ("avx2,fma"))) static void
forward_padded (const CnnConvGeom *g, const Plan *p, int C, int C_out, const float *xp,
                const float *w, float *yp)
{
  int co = 0;
  for (; co + 4 <= C_out; co += 4)
    forward_block (g, p, 4, xp, w, C, co, yp);
  switch (C_out - co)
    {
    case 3: forward_block (g, p, 3, xp, w, C, co, yp); break;
    case 2: forward_block (g, p, 2, xp, w, C, co, yp); break;
    case 1: forward_block (g, p, 1, xp, w, C, co, yp); break;
    default: break;
    }
}

/* y (C_out, HO, WO) from the padded-width result, adding the bias */
static void
unpad_output (const CnnConvGeom *g, const Plan *p, int C_out, const float *yp,
              const float *bias, float *y)
{
  for (int co = 0; co < C_out; co++)
    {
      float b = bias ? bias[co] : 0.0f;
      for (int oh = 0; oh < g->HO; oh++)
        {
          const float *src = yp + (size_t) co * p->Lr + (size_t) oh * p->Wp;
          float *dst = y + ((size_t) co * g->HO + oh) * g->WO;
          for (int ow = 0; ow < g->WO; ow++)
            dst[ow] = src[ow] + b;
        }
    }
}

void
cnn_conv_direct_forward (const CnnConvGeom *g, int C_out, const float *x, const float *w,
                         const float *bias, float *y, float *scratch)
{
  Plan p = plan_for (g);
  float *xp = scratch;                                       /* (C, Hp, Wp) + slack */
  float *yp = xp + (size_t) g->C * p.Hp * p.Wp + SLACK;      /* (C_out, Lr) */
  pad_input (g, &p, x, xp);
  forward_padded (g, &p, g->C, C_out, xp, w, yp);
  unpad_output (g, &p, C_out, yp, bias, y);
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
  /* dx is the "full" correlation of dy with the flipped, transposed kernel:
   * a forward convolution from C_out to C channels, padded by K - 1 - P */
  CnnConvGeom t = { .C = C_out, .H = g->HO, .W = g->WO, .KH = g->KH, .KW = g->KW,
                    .SH = 1, .SW = 1, .PH = g->KH - 1 - g->PH, .PW = g->KW - 1 - g->PW,
                    .HO = g->H, .WO = g->W };
  cnn_conv_direct_forward (&t, g->C, dy, w_flipped, NULL, dx, scratch);
}

/* dw for NCO output channels and one input channel: dot products over the
 * padded-width pixels of dy (zero in the thrown-away columns) */
__attribute__ ((target ("avx2,fma"), always_inline)) static inline void
weights_block (const CnnConvGeom *g, const Plan *p, int NCO, const float *xp, const float *dyp,
               int ci, int co, float *dw)
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
        for (int q = 0; q < p->Lr; q += VEC)
          {
            __m256 xv = _mm256_loadu_ps (xs + q);
            UNROLL
      for (int j = 0; j < NCO; j++)
              acc[j] = _mm256_fmadd_ps (_mm256_loadu_ps (dyp + (size_t) (co + j) * p->Lr + q), xv, acc[j]);
          }
        UNROLL
      for (int j = 0; j < NCO; j++)
          {
            __m128 s = _mm_add_ps (_mm256_castps256_ps128 (acc[j]), _mm256_extractf128_ps (acc[j], 1));
            s = _mm_add_ps (s, _mm_movehl_ps (s, s));
            s = _mm_add_ss (s, _mm_movehdup_ps (s));
            dw[(size_t) (co + j) * K + (size_t) ci * taps + kh * g->KW + kw] += _mm_cvtss_f32 (s);
          }
      }
}

__attribute__ ((target ("avx2,fma"))) static void
weights_padded (const CnnConvGeom *g, const Plan *p, int C_out, const float *xp,
                const float *dyp, float *dw)
{
  for (int ci = 0; ci < g->C; ci++)
    {
      int co = 0;
      for (; co + 8 <= C_out; co += 8)
        weights_block (g, p, 8, xp, dyp, ci, co, dw);
      for (; co + 4 <= C_out; co += 4)
        weights_block (g, p, 4, xp, dyp, ci, co, dw);
      for (; co < C_out; co++)
        weights_block (g, p, 1, xp, dyp, ci, co, dw);
    }
}

void
cnn_conv_direct_backward_weights (const CnnConvGeom *g, int C_out, const float *x,
                                  const float *dy, float *dw, float *scratch)
{
  Plan p = plan_for (g);
  float *xp = scratch;                                       /* (C, Hp, Wp) + slack */
  float *dyp = xp + (size_t) g->C * p.Hp * p.Wp + SLACK;     /* (C_out, Lr), zero-padded */
  pad_input (g, &p, x, xp);
  memset (dyp, 0, (size_t) C_out * p.Lr * sizeof (float));
  for (int co = 0; co < C_out; co++)
    for (int oh = 0; oh < g->HO; oh++)
      memcpy (dyp + (size_t) co * p.Lr + (size_t) oh * p.Wp, dy + ((size_t) co * g->HO + oh) * g->WO,
              g->WO * sizeof (float));
  weights_padded (g, &p, C_out, xp, dyp, dw);
}
