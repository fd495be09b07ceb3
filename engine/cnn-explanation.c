#include "cnn-explanation.h"

#include <string.h>

#include "cnn-error.h"
#include "cnn-layer.h"

static const char *const names[CNN_EXPLAIN_N_METHODS] = { "saliency", "occlusion", "lime", "gradcam" };
static const char *const titles[CNN_EXPLAIN_N_METHODS] = { "Saliency", "Occlusion", "LIME", "Grad-CAM" };

const char *
cnn_explain_method_name (CnnExplainMethod method)
{
  return method < CNN_EXPLAIN_N_METHODS ? names[method] : NULL;
}

const char *
cnn_explain_method_title (CnnExplainMethod method)
{
  return method < CNN_EXPLAIN_N_METHODS ? titles[method] : NULL;
}

void
cnn_explain_settings_init (CnnExplainSettings *s)
{
  *s = (CnnExplainSettings) { .gradcam_layer = -1 };
  for (int k = 0; k < CNN_EXPLAIN_N_METHODS; k++)
    s->want[k] = TRUE;
  cnn_saliency_config_init (&s->saliency);
  cnn_occlusion_config_init (&s->occlusion);
  cnn_lime_config_init (&s->lime);
}

void
cnn_explanation_free (CnnExplanation *e)
{
  if (e == NULL)
    return;
  g_free (e->probs);
  for (int k = 0; k < CNN_EXPLAIN_N_METHODS; k++)
    g_free (e->maps[k]);
  if (e->lime)
    cnn_lime_free (e->lime);
  g_free (e->gradcam_name);
  g_free (e);
}

CnnExplanation *
cnn_explanation_compute (CnnNetwork *net, CnnPool *pool, const float *x, const float *image,
                         const float *gray, int target, const CnnExplainSettings *settings,
                         GError **error)
{
  const CnnShape s = cnn_network_get_input_shape (net);
  const size_t plane = (size_t) s.h * s.w;
  g_autoptr (CnnExplanation) e = g_new0 (CnnExplanation, 1);
  e->shape = s;
  e->settings = *settings;
  e->n_classes = cnn_explain_n_classes (net);
  if (target >= e->n_classes)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "the class to explain must be from 0 to %d, not %d", e->n_classes - 1, target);
      return NULL;
    }
  e->probs = g_new (float, e->n_classes);
  e->predicted = cnn_explain_predict (net, pool, x, e->probs);
  e->target = target >= 0 ? target : e->predicted;
  for (int k = 0; k < CNN_EXPLAIN_N_METHODS; k++)
    if (settings->want[k])
      e->maps[k] = g_new0 (float, plane);   /* (H, W) */

  if (settings->want[CNN_EXPLAIN_SALIENCY]
      && !cnn_explain_saliency (net, pool, x, e->target, &settings->saliency,
                                e->maps[CNN_EXPLAIN_SALIENCY], error))
    return NULL;
  if (settings->want[CNN_EXPLAIN_OCCLUSION])
    {
      CnnOcclusionConfig occ = settings->occlusion;
      occ.gray = gray;
      if (!cnn_explain_occlusion (net, pool, x, e->target, &occ, e->maps[CNN_EXPLAIN_OCCLUSION],
                                  error))
        return NULL;
    }
  if (settings->want[CNN_EXPLAIN_GRADCAM])
    {
      e->gradcam_layer = settings->gradcam_layer >= 0 ? settings->gradcam_layer
                                                      : cnn_explain_gradcam_default_layer (net);
      if (e->gradcam_layer < 0)
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                       "the model has no layer with a spatial output for Grad-CAM");
          return NULL;
        }
      float *map = e->maps[CNN_EXPLAIN_GRADCAM];
      if (!cnn_explain_gradcam (net, pool, x, e->target, e->gradcam_layer, map, error))
        return NULL;
      const CnnLayer *l = cnn_network_get_layer (net, e->gradcam_layer);
      e->gradcam_name = g_strdup_printf ("%s (%d×%d)", l->name, l->out_shape.h, l->out_shape.w);
      /* Grad-CAM rectifies Σ α_k A_k: a head that reads positions
       * separately (flatten + dense) can leave nothing positive */
      e->gradcam_zero = TRUE;
      for (size_t j = 0; j < plane; j++)
        e->gradcam_zero = e->gradcam_zero && !(map[j] > 0);
    }
  if (settings->want[CNN_EXPLAIN_LIME])
    {
      CnnLimeConfig lc = settings->lime;
      lc.gray = gray;
      e->lime = cnn_lime_explain (net, pool, x, image, e->target, &lc, error);
      if (e->lime == NULL)
        return NULL;
      memcpy (e->maps[CNN_EXPLAIN_LIME], e->lime->map, plane * sizeof (float));
    }
  e->settings.occlusion.gray = NULL;
  e->settings.lime.gray = NULL;
  return g_steal_pointer (&e);
}
