/* cnn-conv-direct.h: direct stride-1 convolution with AVX2/FMA kernels, for
 * the small channel counts of the course's models, where im2col + GEMM spends
 * more time copying than multiplying. Used at run time only when the CPU has
 * AVX2 and FMA; the build stays portable. */
#pragma once

#include <glib.h>
#include <stddef.h>

#include "cnn-kernels.h"

G_BEGIN_DECLS

/* TRUE when this CPU can run the kernels and g (stride 1, padding smaller
 * than the kernel) suits them. */
gboolean cnn_conv_direct_supported (const CnnConvGeom *g);

/* Floats of scratch that one thread needs for g with C_out filters. */
size_t   cnn_conv_direct_scratch_size (const CnnConvGeom *g, int C_out);

/* y (C_out, HO, WO) = bias + w (C_out, C, KH, KW) ⋆ x (C, H, W), one image.
 * bias may be NULL. */
void     cnn_conv_direct_forward (const CnnConvGeom *g, int C_out, const float *x,
                                  const float *w, const float *bias, float *y, float *scratch);

/* The same in two steps, so that training can pad an image once for both
 * the forward pass and the weight gradient: xp (C, Hp, Wp) is x zero-padded, Hp = HO + KH - 1 and
 * Wp = WO + KW - 1, and 64 floats after the last image's xp must be readable
 * (and finite). */
size_t   cnn_conv_direct_padded_size    (const CnnConvGeom *g);
void     cnn_conv_direct_pad            (const CnnConvGeom *g, const float *x, float *xp);
/* The same with x read through map (cnn_channel_map_apply's arithmetic) */
void     cnn_conv_direct_pad_mapped     (const CnnConvGeom *g, const float *x,
                                         const CnnChannelMap *map, float *xp);
void     cnn_conv_direct_forward_padded (const CnnConvGeom *g, int C_out, const float *xp,
                                         const float *w, const float *bias, float *y);
#define CNN_CONV_DIRECT_SLACK 64

/* dx (C, H, W) = the input gradient of one image from dy (C_out, HO, WO).
 * w_flipped (C, C_out, KH, KW) is w transposed and rotated by 180°
 * (cnn_conv_direct_flip_weights). */
void     cnn_conv_direct_backward_input (const CnnConvGeom *g, int C_out, const float *dy,
                                         const float *w_flipped, float *dx, float *scratch);
void     cnn_conv_direct_flip_weights (const CnnConvGeom *g, int C_out, const float *w,
                                       float *w_flipped);

/* dw (C_out, C, KH, KW) += the weight gradient of one image, from its
 * padded input xp (cnn_conv_direct_pad). */
void     cnn_conv_direct_backward_weights (const CnnConvGeom *g, int C_out, const float *xp,
                                           const float *dy, float *dw, float *scratch);

/* Both gradients from one padded dy, where the output has the input's size
 * (padding "same"): dy padded for the input gradient's convolution
 * (cnn_conv_direct_pad_dy: C_out planes of the input size + KH - 1 by
 * + KW - 1, then slack) is also, shifted, dy in the padded input's row width
 * with zeros between the rows, which the weight gradient wants. One copy of
 * dy per image instead of two. */
gboolean cnn_conv_direct_shares_padded_dy      (const CnnConvGeom *g);
size_t   cnn_conv_direct_padded_dy_size        (const CnnConvGeom *g, int C_out);
void     cnn_conv_direct_pad_dy                (const CnnConvGeom *g, int C_out, const float *dy,
                                                float *dyp);
void     cnn_conv_direct_backward_input_padded (const CnnConvGeom *g, int C_out, const float *dyp,
                                                const float *w_flipped, float *dx);
void     cnn_conv_direct_backward_weights_padded (const CnnConvGeom *g, int C_out, const float *xp,
                                                  const float *dyp, float *dw);

G_END_DECLS
