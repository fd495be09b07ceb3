/* cnn-top-patches.h: for each channel of a layer, the images of a data set
 * that excite it most (their largest activation in that channel), and
 * where: the lecture's "image patches that most excite a feature map". */
#pragma once

#include <glib.h>

#include "cnn-dataset.h"
#include "cnn-network.h"
#include "cnn-pool.h"
#include "cnn-receptive.h"

G_BEGIN_DECLS

typedef struct
{
  int   image;     /* index in the image set; -1 where the set had fewer images */
  int   y, x;      /* the arg-max unit in the layer's output grid */
  float value;     /* the activation there */
} CnnTopPatch;

typedef struct
{
  int                layer;
  int                n_channels, k;
  CnnTopPatch       *patches;   /* (n_channels, k), highest first */
  CnnReceptiveField  field;     /* of the layer's units */
} CnnTopPatches;

/* Returns FALSE to cancel. done and total count images. */
typedef gboolean (*CnnProgressFunc) (int done, int total, gpointer user_data);

/* Runs the images idx[0..n-1] of set (standardized by nz) through the
 * network in inference mode up to `layer`, in batches of `batch_size`, and
 * keeps for every channel the k images with the highest maximum
 * activation (ties: the earlier image, then the first unit in row order).
 * Cancelled by progress: NULL with CNN_ERROR_CANCELLED. */
CnnTopPatches *cnn_top_patches_compute (CnnNetwork *net, const CnnImageSet *set,
                                        const CnnNormalizer *nz, const int *idx, int n,
                                        int layer, int k, int batch_size, CnnPool *pool,
                                        CnnProgressFunc progress, gpointer user_data,
                                        GError **error);
void           cnn_top_patches_free    (CnnTopPatches *tp);
const CnnTopPatch *cnn_top_patches_get (const CnnTopPatches *tp, int channel, int rank);
/* The receptive field of patch p as a box in input pixels: rows
 * [*y0, *y0 + *h), columns [*x0, *x0 + *w); it may reach past the image
 * where the network padded. */
void           cnn_top_patches_box     (const CnnTopPatches *tp, const CnnTopPatch *p,
                                        int *y0, int *x0, int *h, int *w);

/* The image bytes of that box: dst (set->c, h, w), 0 where the box lies
 * outside the image. */
void           cnn_top_patches_crop    (const CnnTopPatches *tp, const CnnTopPatch *p,
                                        const CnnImageSet *set, guint8 *dst);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnTopPatches, cnn_top_patches_free)

G_END_DECLS
