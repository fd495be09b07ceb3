/* cnn-conv-winograd.h: 3×3 stride-1 convolution by Winograd's minimal
 * filtering F(2×2, 3×3) (Lavin & Gray 2016): each 2×2 block of outputs
 * costs 16 multiplications per channel pair instead of 36. Used by conv2d
 * for the forward pass and the input gradient when the CPU has AVX2 and FMA,
 * the sizes are even and there are at least 16 channels in and out; it
 * reads the same padded input as the direct kernels (cnn-conv-direct.h). */
#pragma once

#include <glib.h>
#include <stddef.h>

#include "cnn-kernels.h"

G_BEGIN_DECLS

gboolean cnn_conv_winograd_supported    (const CnnConvGeom *g, int C_out);
/* U (16, C_out, C) from w (C_out, C, 3, 3) */
size_t   cnn_conv_winograd_weights_size (const CnnConvGeom *g, int C_out);
void     cnn_conv_winograd_weights      (const CnnConvGeom *g, int C_out, const float *w, float *U);
/* U for the input gradient: the transposed, rotated kernel */
void     cnn_conv_winograd_weights_flipped (const CnnConvGeom *g, int C_out, const float *w, float *U);
/* Floats of scratch one thread needs. */
size_t   cnn_conv_winograd_scratch_size (const CnnConvGeom *g, int C_out);
/* y (C_out, HO, WO) = bias + w ⋆ x for one image, from its padded input xp
 * (C, HO + 2, WO + 2) as cnn_conv_direct_pad makes it. */
void     cnn_conv_winograd_forward_padded (const CnnConvGeom *g, int C_out, const float *xp,
                                           const float *U, const float *bias, float *y,
                                           float *scratch);
/* dx (C, H, W) from dy (C_out, HO, WO), with the flipped U */
void     cnn_conv_winograd_backward_input (const CnnConvGeom *g, int C_out, const float *dy,
                                           const float *U_flipped, float *dx, float *scratch);
/* The same from dy already padded (cnn_conv_direct_pad_dy) */
void     cnn_conv_winograd_backward_input_padded (const CnnConvGeom *g, int C_out, const float *dyp,
                                                  const float *U_flipped, float *dx, float *scratch);

G_END_DECLS
