/* cnn-augment.h: on-the-fly data augmentation with the meaning and ranges of
 * Keras' ImageDataGenerator (keras-preprocessing's get_random_transform and
 * apply_affine_transform, the scipy.ndimage version):
 *
 *   rotation=R       angle uniform in [-R, R] degrees
 *   width-shift=F    horizontal shift uniform in [-F, F] × width pixels
 *   height-shift=F   vertical shift uniform in [-F, F] × height pixels
 *   zoom=Z           row and column zoom factors drawn independently, each
 *                    uniform in [1-Z, 1+Z]; as in Keras a factor above 1 samples
 *                    a larger area, so the picture looks SMALLER
 *   hflip, vflip     each flip with probability 1/2, after the affine part
 *   fill=MODE        outside the image: nearest (aaaa|abcd|dddd, the default),
 *                    constant (cval, default 0, in byte units 0-255; as
 *                    scipy's constant mode, a point past the edge is cval,
 *                    not blended with it), reflect (dcba|abcd|dcba), wrap
 *                    (abcd|abcd|abcd, as Keras documents it)
 *
 * Shifts are fractions only (Keras also reads values ≥ 1 as pixels); shear,
 * brightness and channel shifts are not offered.
 *
 * The transform is taken about the image center ((h-1)/2, (w-1)/2) and
 * sampled bilinearly (Keras' order=1). In (row, col) coordinates the output
 * pixel p shows the input at
 *     o + R(θ) · (Z · (p - o) + t),   R(θ) = [cos -sin; sin cos],
 * so a positive angle turns the picture clockwise as displayed (rows going
 * down), and a positive shift moves it up / left (output row r shows input
 * row r + t): Keras' conventions. Each image's parameters come from a
 * generator seeded by (seed, epoch, image index), so the images do not
 * depend on batching, thread count or timing. */
#pragma once

#include <glib.h>

#include "cnn-dataset.h"

G_BEGIN_DECLS

typedef enum
{
  CNN_FILL_NEAREST,
  CNN_FILL_CONSTANT,
  CNN_FILL_REFLECT,
  CNN_FILL_WRAP,
} CnnFillMode;

/* The ranges, as parsed from "rotation=15,width-shift=0.1,...". All zero
 * and no flips: augmentation is off. */
typedef struct
{
  double      rotation;       /* degrees, 0 .. 180 */
  double      width_shift;    /* fraction of the width, 0 .. 1 */
  double      height_shift;   /* fraction of the height, 0 .. 1 */
  double      zoom;           /* 0 ≤ zoom < 1 */
  gboolean    hflip, vflip;
  CnnFillMode fill;
  double      cval;           /* byte units, 0 .. 255, for CNN_FILL_CONSTANT */
} CnnAugment;

/* One image's draw. */
typedef struct
{
  double   angle;              /* degrees, positive = clockwise as displayed */
  double   shift_y, shift_x;   /* pixels: output (r, c) shows input (r + shift_y, c + shift_x) */
  double   zoom_y, zoom_x;     /* > 1 shows a smaller picture */
  gboolean hflip, vflip;
} CnnAugmentParams;

/* "none" or "" gives augmentation off. Errors name the bad item and list the
 * allowed ones. */
CnnAugment *cnn_augment_parse    (const char *text, GError **error);
/* The canonical text, which parses back to the same augmentation ("none"
 * when off), for checkpoints and legends. */
char       *cnn_augment_describe (const CnnAugment *aug);
CnnAugment *cnn_augment_copy     (const CnnAugment *aug);
void        cnn_augment_free     (CnnAugment *aug);
/* TRUE when aug is NULL or changes nothing. */
gboolean    cnn_augment_is_off   (const CnnAugment *aug);

/* The parameters of image `index` in epoch `epoch` for h×w images. */
void cnn_augment_draw  (const CnnAugment *aug, guint64 seed, int epoch, int index, int h, int w,
                        CnnAugmentParams *params);
/* dst (c, h, w) float in byte units from src (c, h, w) bytes. */
void cnn_augment_apply (const CnnAugmentParams *params, CnnFillMode fill, double cval,
                        const guint8 *src, int c, int h, int w, float *dst);

/* dst (count, c, h, w) in byte units: images idx[0..count-1] of set,
 * augmented as in epoch `epoch`. */
void cnn_augment_gather (const CnnAugment *aug, guint64 seed, int epoch, const CnnImageSet *set,
                         const int *idx, int count, float *dst);
/* Exactly what the trainer sees for image `index` of set (its index in the
 * set, not its place in a shuffled epoch) in epoch `epoch` (1-based, as the
 * trainer counts) of a run with `seed` (CnnTrainConfig.seed): dst (c, h, w),
 * standardized by nz, or in byte units when nz is NULL (for pictures). With
 * aug NULL or off, the image as it is. */
void cnn_augment_sample (const CnnAugment *aug, guint64 seed, int epoch, const CnnImageSet *set,
                         int index, const CnnNormalizer *nz, float *dst);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnAugment, cnn_augment_free)

G_END_DECLS
