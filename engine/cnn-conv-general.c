#include "cnn-conv-general.h"

#include <string.h>

size_t
cnn_conv_general_scratch_size (const CnnConvGeneral *cg)
{
  const CnnConvGeom *g = &cg->g;
  return (size_t) (g->C / cg->groups) * g->KH * g->KW * g->HO * g->WO;
}

/* col (Cg·KH·KW, HO·WO) from channels [c0, c0 + Cg) of x (C, H, W) */
static void
im2col_dilated (const CnnConvGeneral *cg, const float *x, int c0, float *col)
{
  const CnnConvGeom *g = &cg->g;
  const int Cg = g->C / cg->groups, P = g->HO * g->WO;
  for (int c = 0; c < Cg; c++)
    for (int kh = 0; kh < g->KH; kh++)
      for (int kw = 0; kw < g->KW; kw++)
        {
          float *row = col + (size_t) ((c * g->KH + kh) * g->KW + kw) * P;   /* (HO, WO) */
          const float *plane = x + (size_t) (c0 + c) * g->H * g->W;         /* (H, W) */
          for (int oh = 0; oh < g->HO; oh++)
            {
              int ih = oh * g->SH - g->PH + kh * cg->DH;
              float *dst = row + (size_t) oh * g->WO;
              if (ih < 0 || ih >= g->H)
                {
                  memset (dst, 0, g->WO * sizeof (float));
                  continue;
                }
              const float *src = plane + (size_t) ih * g->W;
              for (int ow = 0; ow < g->WO; ow++)
                {
                  int iw = ow * g->SW - g->PW + kw * cg->DW;
                  dst[ow] = iw >= 0 && iw < g->W ? src[iw] : 0.0f;
                }
            }
        }
}

/* channels [c0, c0 + Cg) of dx (C, H, W) += col's entries at the pixels they came from */
static void
col2im_dilated (const CnnConvGeneral *cg, const float *col, int c0, float *dx)
{
  const CnnConvGeom *g = &cg->g;
  const int Cg = g->C / cg->groups, P = g->HO * g->WO;
  for (int c = 0; c < Cg; c++)
    for (int kh = 0; kh < g->KH; kh++)
      for (int kw = 0; kw < g->KW; kw++)
        {
          const float *row = col + (size_t) ((c * g->KH + kh) * g->KW + kw) * P;
          float *plane = dx + (size_t) (c0 + c) * g->H * g->W;
          for (int oh = 0; oh < g->HO; oh++)
            {
              int ih = oh * g->SH - g->PH + kh * cg->DH;
              if (ih < 0 || ih >= g->H)
                continue;
              const float *src = row + (size_t) oh * g->WO;
              float *dst = plane + (size_t) ih * g->W;
              for (int ow = 0; ow < g->WO; ow++)
                {
                  int iw = ow * g->SW - g->PW + kw * cg->DW;
                  if (iw >= 0 && iw < g->W)
                    dst[iw] += src[ow];
                }
            }
        }
}

void
cnn_conv_general_forward (const CnnConvGeneral *cg, const float *x, const float *w,
                          const float *bias, float *y, float *col)
{
  const CnnConvGeom *g = &cg->g;
  const int Cg = g->C / cg->groups, Mg = cg->C_out / cg->groups;
  const int K = Cg * g->KH * g->KW, P = g->HO * g->WO;
  for (int gi = 0; gi < cg->groups; gi++)
    {
      im2col_dilated (cg, x, gi * Cg, col);
      /* y_g (Mg, P) = W_g (Mg, K) · col (K, P) */
      cnn_sgemm (FALSE, FALSE, Mg, P, K, 1.0f, w + (size_t) gi * Mg * K, K, col, P, 0.0f,
                 y + (size_t) gi * Mg * P, P);
    }
  if (bias)
    for (int co = 0; co < cg->C_out; co++)
      {
        float *row = y + (size_t) co * P;
        for (int p = 0; p < P; p++)
          row[p] += bias[co];
      }
}

void
cnn_conv_general_backward (const CnnConvGeneral *cg, const float *x, const float *w,
                           const float *dy, float *dw, float *dx, float *col)
{
  const CnnConvGeom *g = &cg->g;
  const int Cg = g->C / cg->groups, Mg = cg->C_out / cg->groups;
  const int K = Cg * g->KH * g->KW, P = g->HO * g->WO;
  if (dx)
    memset (dx, 0, (size_t) g->C * g->H * g->W * sizeof (float));
  for (int gi = 0; gi < cg->groups; gi++)
    {
      const float *dy_g = dy + (size_t) gi * Mg * P;   /* (Mg, P) */
      const float *w_g = w + (size_t) gi * Mg * K;     /* (Mg, K) */
      if (dw)
        {
          im2col_dilated (cg, x, gi * Cg, col);
          /* dW_g (Mg, K) += dy_g (Mg, P) · colᵀ (P, K) */
          cnn_sgemm (FALSE, TRUE, Mg, K, P, 1.0f, dy_g, P, col, P, 1.0f, dw + (size_t) gi * Mg * K, K);
        }
      if (dx)
        {
          /* dcol (K, P) = W_gᵀ (K, Mg) · dy_g (Mg, P) */
          cnn_sgemm (TRUE, FALSE, K, P, Mg, 1.0f, w_g, K, dy_g, P, 0.0f, col, P);
          col2im_dilated (cg, col, gi * Cg, dx);
        }
    }
}
