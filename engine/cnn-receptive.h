/* cnn-receptive.h: receptive fields of every layer of a network: how many
 * input pixels a unit of the layer's output sees, how far apart (in input
 * pixels) neighbouring units' fields are, and where the first one is
 * centered. */
#pragma once

#include <glib.h>

#include "cnn-network.h"

G_BEGIN_DECLS

typedef struct
{
  int    size_h, size_w;     /* the field's extent in input pixels (may exceed
                              * the image where padding was added) */
  int    jump_h, jump_w;     /* input pixels between neighbouring units */
  double start_h, start_w;   /* center of unit (0, 0)'s field, in input pixel
                              * indices (0 is the first pixel's center) */
  int    grid_h, grid_w;     /* the units' spatial grid (1×1 once flattened
                              * into a dense layer or pooled globally) */
} CnnReceptiveField;

/* One entry per layer, for its output. A unit of a sliding-window layer
 * (kernel k, stride s, padding p before) sees
 *   size = size_in + (k - 1)·jump_in,  jump = jump_in·s,
 *   start = start_in + ((k - 1)/2 - p)·jump_in;
 * element-wise layers keep their input's field; add and concat take the
 * largest over their inputs; a layer that mixes all positions (dense,
 * global pooling) sees its input's whole grid. The center of unit (y, x)
 * is start + y·jump. */
CnnReceptiveField *cnn_network_receptive_fields (const CnnNetwork *net);
/* The field of unit (y, x) as a box in input pixels: rows [*y0, *y0 + *h),
 * columns [*x0, *x0 + *w); it may reach past the image where the network
 * padded. */
void               cnn_receptive_field_box      (const CnnReceptiveField *field, int y, int x,
                                                 int *y0, int *x0, int *h, int *w);
/* "16×16 /4": size, then the jump (both axes when they differ: "9×5 /2,1") */
char              *cnn_receptive_field_format   (const CnnReceptiveField *field);

G_END_DECLS
