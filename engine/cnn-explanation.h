/* cnn-explanation.h: the four attribution maps of one input at once, as
 * the `explain` command and the window's Explain page compute them: the
 * class probabilities, the target (the predicted class unless one is
 * chosen) and, for each method asked for, its (H, W) map at the input's
 * size. */
#pragma once

#include <glib.h>

#include "cnn-explain.h"
#include "cnn-lime.h"

G_BEGIN_DECLS

typedef enum
{
  CNN_EXPLAIN_SALIENCY,
  CNN_EXPLAIN_OCCLUSION,
  CNN_EXPLAIN_LIME,
  CNN_EXPLAIN_GRADCAM,
  CNN_EXPLAIN_N_METHODS
} CnnExplainMethod;

const char *cnn_explain_method_name  (CnnExplainMethod method);   /* "saliency" */
const char *cnn_explain_method_title (CnnExplainMethod method);   /* "Saliency" */

typedef struct
{
  gboolean           want[CNN_EXPLAIN_N_METHODS];
  CnnSaliencyConfig  saliency;
  CnnOcclusionConfig occlusion;   /* its gray comes from the call */
  CnnLimeConfig      lime;        /* its gray comes from the call */
  int                gradcam_layer;   /* -1: cnn_explain_gradcam_default_layer */
} CnnExplainSettings;

/* All four methods with their defaults. */
void cnn_explain_settings_init (CnnExplainSettings *settings);

typedef struct
{
  CnnShape           shape;
  int                n_classes;
  float             *probs;                            /* (n_classes) */
  int                predicted, target;
  float             *maps[CNN_EXPLAIN_N_METHODS];      /* (H, W) each; NULL when not asked for */
  CnnLime           *lime;                             /* LIME's superpixels and fit, or NULL */
  CnnExplainSettings settings;                         /* as used (gray pointers cleared) */
  int                gradcam_layer;
  char              *gradcam_name;                     /* with its size: "conv4 (14×14)" */
  gboolean           gradcam_zero;                     /* no positive evidence at that layer */
} CnnExplanation;

/* Explains x (C, H, W, in the model's input scale) for class `target` (< 0:
 * the predicted one). `image` is x as the user sees it, in [0, 1] (LIME's
 * superpixels); `gray` a mid-gray image in the model's scale (the gray
 * fill), or NULL. */
CnnExplanation *cnn_explanation_compute (CnnNetwork *net, CnnPool *pool, const float *x,
                                         const float *image, const float *gray, int target,
                                         const CnnExplainSettings *settings, GError **error);
void            cnn_explanation_free    (CnnExplanation *e);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnExplanation, cnn_explanation_free)

G_END_DECLS
