/* cnn-lime.h: LIME for images (Ribeiro et al. 2016). The image is cut into
 * superpixels (SLIC, from VLFeat); the model sees N copies with random
 * superpixels switched off (filled, see CnnFill); a weighted ridge
 * regression of the target probability on which superpixels were on, each
 * copy weighted by exp(-d²/width²) of its cosine distance d to the whole
 * image, tells how much each superpixel adds. Seeded: the same seed (with the
 * same thread count and batch) gives the same explanation, bit for bit. */
#pragma once

#include <glib.h>

#include "cnn-explain.h"

G_BEGIN_DECLS

typedef struct
{
  int           samples;         /* perturbed copies, the whole image first (default 1000) */
  int           region_size;     /* SLIC's nominal superpixel side in pixels, 0: about 50
                                  * superpixels, at least 4 px (4 on 28×28) */
  double        regularization;  /* SLIC's compactness on an image in [0, 1]; < 0: 0.02, where segments
                                  * follow a 28×28 item's edge and stay compact */
  CnnFill       fill;            /* default blur (see CnnOcclusionConfig) */
  const float  *gray;            /* for CNN_FILL_GRAY: (C, H, W) or NULL */
  double        kernel_width;    /* of the exponential kernel on cosine distance (default 0.25) */
  double        ridge;           /* L2 penalty of the fit (default 1, as LIME's Ridge) */
  int           features;        /* K superpixels reported (default 5) */
  guint64       seed;
  int           batch;           /* copies per forward, 0: automatic */
} CnnLimeConfig;

void cnn_lime_config_init (CnnLimeConfig *config);

typedef struct
{
  int       h, w;
  int       n_segments;
  int      *segments;     /* (h, w): each pixel's superpixel, 0 .. n_segments-1, each connected */
  int       target;
  double   *coef;         /* (n_segments): the fit's weight of each superpixel */
  double    intercept;
  double    r2;           /* weighted R² of the fit on the samples */
  int      *order;        /* (n_segments): superpixels by coefficient, largest first */
  int       n_positive;   /* how many of the first K in `order` have coef > 0 */
  int       n_negative;   /* how many of the last K have coef < 0 */
  int       features;     /* K */
  float    *map;          /* (h, w): each pixel's superpixel coefficient */
} CnnLime;

/* Superpixels of `image` (C, H, W) with values in [0, 1] (what the user
 * sees; standardized inputs make poor segments), into segments (H, W).
 * Returns their number. */
int      cnn_lime_segment (const float *image, CnnShape s, int region_size, double regularization,
                           int *segments);

/* Explains class `target` (< 0: the predicted one) for x (C, H, W) in the
 * model's input scale; `image` is x as the user sees it, in [0, 1], to cut
 * into superpixels (NULL: x scaled to [0, 1]). */
CnnLime *cnn_lime_explain (CnnNetwork *net, CnnPool *pool, const float *x, const float *image, int target,
                           const CnnLimeConfig *config, GError **error);
void     cnn_lime_free    (CnnLime *lime);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnLime, cnn_lime_free)

G_END_DECLS
