/* cnn-feature-vis.h: an input synthesized to excite one channel of a layer
 * (the lecture's recipe): start from gray noise, ascend the gradient of the
 * channel's mean activation with respect to the pixels, and keep the image
 * smooth with L2 decay, a periodic blur and random jitter. */
#pragma once

#include <glib.h>

#include "cnn-network.h"

G_BEGIN_DECLS

typedef struct
{
  int     steps;        /* gradient steps (default 200) */
  double  lr;           /* step length, on the gradient scaled to unit RMS (default 0.05) */
  double  l2;           /* decay: x *= 1 - l2 after each step (default 1e-3) */
  int     blur_every;   /* blur with a 3×3 binomial kernel every N steps, 0: never (default 4) */
  int     jitter;       /* shift the image by up to ± this many pixels per step (default 1) */
  guint64 seed;         /* the starting noise and the jitter */
} CnnFeatureVisConfig;

void cnn_feature_vis_config_init (CnnFeatureVisConfig *config);

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
