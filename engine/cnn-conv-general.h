/* cnn-conv-general.h: convolutions the fast paths do not cover: grouped
 * (depthwise when groups = channels) and dilated, as ONNX models use them.
 * im2col with holes, then one GEMM per group. conv2d routes only these
 * layers here, so groups = 1, dilation = 1 keeps its fast paths. */
#pragma once

#include "cnn-kernels.h"

G_BEGIN_DECLS

typedef struct
{
  CnnConvGeom g;        /* C, H, W: the whole input; KH, KW: the kernel without holes;
                         * HO, WO: computed with the dilated extent */
  int         DH, DW;   /* dilation */
  int         groups;   /* C and C_out are multiples of it */
  int         C_out;
} CnnConvGeneral;

/* floats of scratch one image needs (a group's columns) */
size_t cnn_conv_general_scratch_size (const CnnConvGeneral *cg);

/* One image: x (C, H, W), w (C_out, C/groups, KH, KW), bias (C_out) or NULL,
 * y (C_out, HO, WO); col is scratch. */
void cnn_conv_general_forward  (const CnnConvGeneral *cg, const float *x, const float *w,
                                const float *bias, float *y, float *col);
/* One image: dw (C_out, C/groups·KH·KW) += dy · colᵀ (NULL: skipped), dx (C, H, W)
 * written (NULL: skipped). The bias gradient is the caller's. */
void cnn_conv_general_backward (const CnnConvGeneral *cg, const float *x, const float *w,
                                const float *dy, float *dw, float *dx, float *col);

G_END_DECLS
