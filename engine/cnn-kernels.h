/* cnn-kernels.h: the loops that convolution is built from. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Geometry of one 2-D convolution or pooling window. */
typedef struct
{
  int C, H, W;           /* input channels and size */
  int KH, KW;            /* kernel */
  int SH, SW;            /* stride */
  int PH, PW;            /* padding before (top, left) */
  int HO, WO;            /* output size */
} CnnConvGeom;

/* A per-channel affine map with or without a ReLU after it:
 *   y = relu?((x - mean[c]) · scale[c] + shift[c])
 * (a batch normalization's; see cnn-layer.h). */
typedef struct
{
  const float *mean, *scale, *shift;   /* (C) each */
  gboolean     relu;
} CnnChannelMap;

/* The geometry of a stride-1 convolution's input gradient: itself a
 * convolution from C_out to C channels over dy, padded by K - 1 - P. */
CnnConvGeom cnn_conv_geom_transposed (const CnnConvGeom *g, int C_out);

/* col (C*KH*KW, HO*WO) from one image x (C, H, W); padding reads as 0. */
void cnn_im2col (const CnnConvGeom *g, const float *x, float *col);
/* x (C, H, W) = sum of col's entries over the windows each pixel is in.
 * Overwrites x. */
void cnn_col2im (const CnnConvGeom *g, const float *col, float *x);

/* C (M, N) = alpha * op(A) op(B) + beta * C, row-major (OpenBLAS sgemm). */
void cnn_sgemm (gboolean trans_a, gboolean trans_b, int M, int N, int K,
                float alpha, const float *A, int lda, const float *B, int ldb,
                float beta, float *C, int ldc);

G_END_DECLS
