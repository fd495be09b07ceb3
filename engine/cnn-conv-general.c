#include "cnn-conv-general.h"

#include <stddef.h>
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

/* Depthwise (one filter per channel, MobileNet's): a loop per channel
 * beats a GEMM of one row per group, and needs no columns */
static gboolean
is_depthwise (const CnnConvGeneral *cg)
{
  return cg->groups == cg->g.C && cg->C_out == cg->g.C;
}

/* the output range [*a, *b) whose tap k lands inside an input of `size` */
static inline void
valid_outputs (int k, int dilation, int stride, int pad, int size, int out, int *a, int *b)
{
  int off = k * dilation - pad;   /* input = o·stride + off */
  *a = off >= 0 ? 0 : (-off + stride - 1) / stride;
  *b = size - off <= 0 ? 0 : MIN (out, (size - off + stride - 1) / stride);
  *a = MIN (*a, *b);
}

static void
depthwise_forward (const CnnConvGeneral *cg, const float *x, const float *w, const float *bias,
                   float *y)
{
  const CnnConvGeom *g = &cg->g;
  for (int c = 0; c < g->C; c++)
    {
      const float *xc = x + (size_t) c * g->H * g->W;       /* (H, W) */
      const float *wc = w + (size_t) c * g->KH * g->KW;     /* (KH, KW) */
      float *yc = y + (size_t) c * g->HO * g->WO;           /* (HO, WO) */
      float b = bias ? bias[c] : 0.0f;
      for (size_t p = 0; p < (size_t) g->HO * g->WO; p++)
        yc[p] = b;
      for (int kh = 0; kh < g->KH; kh++)
        {
          int oh0, oh1;
          valid_outputs (kh, cg->DH, g->SH, g->PH, g->H, g->HO, &oh0, &oh1);
          for (int kw = 0; kw < g->KW; kw++)
            {
              int ow0, ow1;
              valid_outputs (kw, cg->DW, g->SW, g->PW, g->W, g->WO, &ow0, &ow1);
              const float wk = wc[kh * g->KW + kw];
              for (int oh = oh0; oh < oh1; oh++)
                {
                  /* the row's first tap may lie left of the image: index, not pointer */
                  const ptrdiff_t at = (ptrdiff_t) (oh * g->SH - g->PH + kh * cg->DH) * g->W
                                       - g->PW + kw * cg->DW;
                  float *yr = yc + (size_t) oh * g->WO;
                  for (int ow = ow0; ow < ow1; ow++)
                    yr[ow] += wk * xc[at + (ptrdiff_t) ow * g->SW];
                }
            }
        }
    }
}

static void
depthwise_backward (const CnnConvGeneral *cg, const float *x, const float *w, const float *dy,
                    float *dw, float *dx)
{
  const CnnConvGeom *g = &cg->g;
  if (dx)
    memset (dx, 0, (size_t) g->C * g->H * g->W * sizeof (float));
  for (int c = 0; c < g->C; c++)
    {
      const float *xc = x + (size_t) c * g->H * g->W;       /* (H, W) */
      const float *wc = w + (size_t) c * g->KH * g->KW;     /* (KH, KW) */
      const float *dyc = dy + (size_t) c * g->HO * g->WO;   /* (HO, WO) */
      float *dxc = dx ? dx + (size_t) c * g->H * g->W : NULL;
      for (int kh = 0; kh < g->KH; kh++)
        {
          int oh0, oh1;
          valid_outputs (kh, cg->DH, g->SH, g->PH, g->H, g->HO, &oh0, &oh1);
          for (int kw = 0; kw < g->KW; kw++)
            {
              int ow0, ow1;
              valid_outputs (kw, cg->DW, g->SW, g->PW, g->W, g->WO, &ow0, &ow1);
              const float wk = wc[kh * g->KW + kw];
              double sum = 0.0;
              for (int oh = oh0; oh < oh1; oh++)
                {
                  const ptrdiff_t at = (ptrdiff_t) (oh * g->SH - g->PH + kh * cg->DH) * g->W
                                       - g->PW + kw * cg->DW;
                  const float *dyr = dyc + (size_t) oh * g->WO;
                  float s = 0.0f;
                  for (int ow = ow0; ow < ow1; ow++)
                    s += dyr[ow] * xc[at + (ptrdiff_t) ow * g->SW];
                  sum += s;
                  if (dxc)
                    for (int ow = ow0; ow < ow1; ow++)
                      dxc[at + (ptrdiff_t) ow * g->SW] += wk * dyr[ow];
                }
              if (dw)
                dw[(size_t) c * g->KH * g->KW + kh * g->KW + kw] += (float) sum;
            }
        }
    }
}

void
cnn_conv_general_forward (const CnnConvGeneral *cg, const float *x, const float *w,
                          const float *bias, float *y, float *col)
{
  const CnnConvGeom *g = &cg->g;
  if (is_depthwise (cg))
    {
      depthwise_forward (cg, x, w, bias, y);
      return;
    }
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
  if (is_depthwise (cg))
    {
      depthwise_backward (cg, x, w, dy, dw, dx);
      return;
    }
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
