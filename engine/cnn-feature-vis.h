/* cnn-feature-vis.h: an input synthesized to excite one channel of a layer
 * (the lecture's recipe): start from gray noise, ascend the gradient of the
 * channel's mean activation with respect to the pixels, and keep the image
 * smooth with L2 decay, a periodic blur and random jitter. */
#pragma once

#include <glib.h>

#include "cnn-dataset.h"
#include "cnn-network.h"

G_BEGIN_DECLS

typedef struct
{
  int     steps;        /* gradient steps (default 200) */
  double  lr;           /* step length, on the gradient scaled to unit RMS (default 0.05) */
  double  l2;           /* decay: x *= 1 - l2 after each step (default 1e-3) */
  int     blur_every;   /* blur with a 3×3 binomial kernel every N steps, 0: never (default 4) */
  int     jitter;       /* shift the image by up to ± this many pixels per step (default 1) */
  int     coarse;       /* smooth each step's gradient with this many 3×3 blurs at first,
                         * fewer step by step, none at the end: shapes form before
                         * detail (coarse to fine; default 0) */
  guint64 seed;         /* the starting noise and the jitter */
  /* The pixels' valid range (input shape each; NULL for none), e.g. what
   * bytes 0 and 255 become once standardized: x is kept inside it after
   * each step and starts from noise around its middle. An image that
   * cannot be darker than black or brighter than white shows shapes, not
   * extremes. */
  const float *lo, *hi;
  /* A starting image (input shape; NULL: gray noise), e.g. the data set's
   * mean image: x starts from it (plus a little noise) and decays towards
   * it instead of towards 0, so the data's typical shape is the prior and
   * the network's gradient adds what makes it one class or another. */
  const float *prior;
} CnnFeatureVisConfig;

void cnn_feature_vis_config_init (CnnFeatureVisConfig *config);
/* For class scores (Simonyan et al. 2014) on small images: 300 steps, a
 * stronger L2 (0.05) towards the prior, a blur every 2 steps, the gradient
 * coarse to fine from 16 blurs. Set `prior` to the data's mean image
 * (cnn_feature_vis_mean_image) and lo/hi to the pixels' range: on 28×28
 * data, gray noise alone gives blotches that look like no class. */
void cnn_class_vis_config_init (CnnFeatureVisConfig *config);

/* The mean of the first n images of set, standardized by nz: dst (c, h, w). */
void cnn_feature_vis_mean_image (const CnnNormalizer *nz, const CnnImageSet *set, int n, float *dst);

/* Called after each step with the objective the step ascended (the
 * channel's mean activation on that step's jittered input, before the
 * step) and the image after it; return FALSE to stop early. */
typedef gboolean (*CnnFeatureVisFunc) (int step, double objective, const float *x, gpointer user_data);

/* Synthesizes x (input shape, in the model's input scale) for `channel` of
 * `layer`. Runs the network in inference mode; it adds into the network's
 * parameter gradients, so do not use a network that is being trained.
 * Returns the objective of the final x, unshifted. */
double cnn_feature_vis (CnnNetwork *net, int layer, int channel, const CnnFeatureVisConfig *config,
                        float *x, CnnFeatureVisFunc callback, gpointer user_data);

/* The mean activation of `channel` of `layer` for the single input x. */
double cnn_channel_mean (CnnNetwork *net, int layer, int channel, const float *x);

G_END_DECLS
