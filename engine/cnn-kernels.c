#include "cnn-kernels.h"

#include <cblas.h>
#include <string.h>

CnnConvGeom
cnn_conv_geom_transposed (const CnnConvGeom *g, int C_out)
{
  CnnConvGeom t = { .C = C_out, .H = g->HO, .W = g->WO, .KH = g->KH, .KW = g->KW,
                    .SH = 1, .SW = 1, .PH = g->KH - 1 - g->PH, .PW = g->KW - 1 - g->PW,
                    .HO = g->H, .WO = g->W };
  return t;
}

void
cnn_im2col (const CnnConvGeom *g, const float *x, float *col)
{
  const int P = g->HO * g->WO;
  for (int c = 0; c < g->C; c++)
    for (int kh = 0; kh < g->KH; kh++)
      for (int kw = 0; kw < g->KW; kw++)
        {
          /* row (c, kh, kw) of col: the input pixel each output position sees */
          float *row = col + (size_t) ((c * g->KH + kh) * g->KW + kw) * P;
          const float *plane = x + (size_t) c * g->H * g->W;
          for (int oh = 0; oh < g->HO; oh++)
            {
              int ih = oh * g->SH - g->PH + kh;
              float *dst = row + oh * g->WO;
              if (ih < 0 || ih >= g->H)
                {
                  memset (dst, 0, g->WO * sizeof (float));
                  continue;
                }
              const float *src = plane + (size_t) ih * g->W;
              int iw0 = -g->PW + kw;
              if (g->SW == 1 && iw0 >= 0 && iw0 + g->WO <= g->W)
                {
                  memcpy (dst, src + iw0, g->WO * sizeof (float));
                  continue;
                }
              for (int ow = 0; ow < g->WO; ow++)
                {
                  int iw = ow * g->SW + iw0;
                  dst[ow] = (iw >= 0 && iw < g->W) ? src[iw] : 0.0f;
                }
            }
        }
}

void
cnn_col2im (const CnnConvGeom *g, const float *col, float *x)
{
  const int P = g->HO * g->WO;
  memset (x, 0, (size_t) g->C * g->H * g->W * sizeof (float));
  for (int c = 0; c < g->C; c++)
    for (int kh = 0; kh < g->KH; kh++)
      for (int kw = 0; kw < g->KW; kw++)
        {
          const float *row = col + (size_t) ((c * g->KH + kh) * g->KW + kw) * P;
          float *plane = x + (size_t) c * g->H * g->W;
          for (int oh = 0; oh < g->HO; oh++)
            {
              int ih = oh * g->SH - g->PH + kh;
              if (ih < 0 || ih >= g->H)
                continue;
              const float *src = row + oh * g->WO;
              float *dst = plane + (size_t) ih * g->W;
              int iw0 = -g->PW + kw;
              for (int ow = 0; ow < g->WO; ow++)
                {
                  int iw = ow * g->SW + iw0;
                  if (iw >= 0 && iw < g->W)
                    dst[iw] += src[ow];
                }
            }
        }
}

void
cnn_sgemm (gboolean trans_a, gboolean trans_b, int M, int N, int K,
           float alpha, const float *A, int lda, const float *B, int ldb,
           float beta, float *C, int ldc)
{
  cblas_sgemm (CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
               trans_b ? CblasTrans : CblasNoTrans,
               M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
