/* cnn-explain.h: which pixels made the network decide. Three attribution
 * maps for one input, each (H, W) at the input's size, all computed in
 * inference mode (batch normalization's running statistics, dropout off):
 *
 * - saliency (Simonyan et al. 2014): |d score / d pixel|, the largest over
 *   channels; SmoothGrad averages it over noisy copies of the input;
 * - occlusion (Zeiler & Fergus 2014): how much the target probability drops
 *   when a patch around each pixel is covered;
 * - Grad-CAM (Selvaraju et al. 2017): a layer's channels weighted by the
 *   mean gradient of the score over each, rectified and upsampled.
 *
 * LIME is in cnn-lime.h. The score is the target class's unnormalized
 * score (the logits layer's output), the probability its softmax. Every
 * function here adds nothing to the network's parameter gradients, but
 * runs it: do not use a network that is being trained. */
#pragma once

#include <glib.h>

#include "cnn-network.h"
#include "cnn-pool.h"

G_BEGIN_DECLS

/* What stands in for the pixels that are switched off (occlusion, LIME). */
typedef enum
{
  CNN_FILL_GRAY,   /* a mid-gray image (given by the caller), else the middle of the input's range */
  CNN_FILL_MEAN,   /* each channel's mean over the image */
  CNN_FILL_ZERO,   /* 0 in the model's input scale */
  CNN_FILL_BLUR,   /* the image blurred beyond recognition (a box of about a seventh of its side, three times) */
} CnnFill;

const char *cnn_fill_name  (CnnFill fill);
gboolean    cnn_fill_parse (const char *text, CnnFill *fill, GError **error);

/* The fill image (C, H, W) for x (C, H, W). `gray`, when not NULL, is a
 * mid-gray image (C, H, W) in the model's input scale. */
void cnn_explain_fill_image (CnnFill fill, const float *x, CnnShape s, const float *gray, float *out);

/* The number of class scores (the logits layer's output size). */
int  cnn_explain_n_classes (const CnnNetwork *net);
/* Class probabilities (softmax of the scores) of one input into probs
 * (n_classes); returns the most probable class. */
int  cnn_explain_predict   (CnnNetwork *net, CnnPool *pool, const float *x, float *probs);
/* d score[target] / d x into grad (C, H, W) for one input; returns the score. */
double cnn_explain_gradient (CnnNetwork *net, CnnPool *pool, const float *x, int target, float *grad);

typedef struct
{
  int     smoothgrad;   /* noisy copies to average, 0: the plain gradient (default 0) */
  double  noise;        /* their noise's standard deviation, a fraction of the input's range (default 0.15) */
  guint64 seed;         /* of the noise */
} CnnSaliencyConfig;

void     cnn_saliency_config_init (CnnSaliencyConfig *config);
/* map (H, W). target < 0: the predicted class. */
gboolean cnn_explain_saliency (CnnNetwork *net, CnnPool *pool, const float *x, int target,
                               const CnnSaliencyConfig *config, float *map, GError **error);

typedef struct
{
  int           patch;    /* side of the square patch in pixels (default 4, at most the input's side) */
  int           stride;   /* between patch positions (default 1); the last row and column of
                           * positions touch the far edges, so every pixel is covered */
  CnnFill       fill;     /* default blur: it removes detail without adding the edges and the
                           * object a gray square makes on a black background (Fashion-MNIST);
                           * Zeiler & Fergus used gray */
  const float  *gray;     /* for CNN_FILL_GRAY: (C, H, W) or NULL */
  int           batch;    /* occluded copies per forward, 0: automatic */
} CnnOcclusionConfig;

void     cnn_occlusion_config_init (CnnOcclusionConfig *config);
/* map (H, W): the target probability on x minus that with the patch
 * covered, averaged over the patches that cover each pixel. */
gboolean cnn_explain_occlusion (CnnNetwork *net, CnnPool *pool, const float *x, int target,
                                const CnnOcclusionConfig *config, float *map, GError **error);

/* The default Grad-CAM layer: the last one before the scores whose output
 * is still a map (more than one position), on a path to the scores; -1
 * when there is none. */
int      cnn_explain_gradcam_default_layer (const CnnNetwork *net);
/* map (H, W): ReLU(Σ_k α_k A_k) with α_k the spatial mean of d score /
 * d A_k, bilinearly upsampled from the layer's size. */
gboolean cnn_explain_gradcam (CnnNetwork *net, CnnPool *pool, const float *x, int target, int layer,
                              float *map, GError **error);

/* probs (n) = softmax of scores (n): the probabilities here come from the
 * scores, so they are right whether or not the model ends in a softmax. */
void     cnn_explain_softmax (const float *scores, int n, float *probs);

G_END_DECLS
