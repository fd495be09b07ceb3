#include "cnn-explain-figure.h"

void
cnn_explain_figure_init (CnnExplainFigure *f, const CnnExplanation *e, const float *display,
                         double opacity, gboolean negative)
{
  *f = (CnnExplainFigure) { 0 };
  const CnnExplainSettings *s = &e->settings;
  f->panel = (CnnPanelExplain) {
    .c = e->shape.c, .h = e->shape.h, .w = e->shape.w, .image = display, .opacity = opacity,
    .n_classes = e->n_classes, .probs = e->probs,
  };
  for (int k = 0; k < CNN_EXPLAIN_N_METHODS; k++)
    {
      if (e->maps[k] == NULL)
        continue;
      CnnPanelExplainMap *m = &f->panel.maps[f->panel.n_maps++];
      m->name = cnn_explain_method_title (k);
      m->values = e->maps[k];
      switch (k)
        {
        case CNN_EXPLAIN_SALIENCY:
          m->unit = "|d score / d pixel|";
          f->settings[k] = s->saliency.smoothgrad > 0
            ? g_strdup_printf ("SmoothGrad: %d noisy copies, noise %g %% of the range",
                               s->saliency.smoothgrad, 100 * s->saliency.noise)
            : g_strdup ("gradient of the class score, max over channels");
          break;
        case CNN_EXPLAIN_OCCLUSION:
          m->unit = "drop of probability";
          m->is_signed = TRUE;
          f->settings[k] = g_strdup_printf ("patch %d, stride %d, %s fill", s->occlusion.patch,
                                            s->occlusion.stride, cnn_fill_name (s->occlusion.fill));
          break;
        case CNN_EXPLAIN_LIME:
          {
            const CnnLime *l = e->lime;
            m->unit = "weight";
            m->is_signed = TRUE;
            m->segments = l->segments;
            f->positive = g_new (int, MAX (l->features, 1));
            f->negative = g_new (int, MAX (l->features, 1));
            for (int j = 0; j < l->n_positive; j++)
              f->positive[j] = l->order[j];
            for (int j = 0; j < l->n_negative; j++)
              f->negative[j] = l->order[l->n_segments - 1 - j];
            m->positive = f->positive;
            m->n_positive = l->n_positive;
            m->negative = f->negative;
            m->n_negative = negative ? l->n_negative : 0;
            f->settings[k] = g_strdup_printf ("R² %.2f; %d samples, %d superpixels, %s fill; top %d "
                                              "outlined%s", l->r2, s->lime.samples, l->n_segments,
                                              cnn_fill_name (s->lime.fill), l->n_positive,
                                              negative ? ", negative dashed" : "");
          }
          break;
        case CNN_EXPLAIN_GRADCAM:
        default:
          m->unit = "class activation";
          f->settings[k] = g_strdup_printf ("layer %s, upsampled%s", e->gradcam_name,
                                            e->gradcam_zero ? "; all zero: no positive evidence at "
                                                              "this layer (try another)" : "");
          break;
        }
      m->settings = f->settings[k];
    }
}

void
cnn_explain_figure_clear (CnnExplainFigure *f)
{
  for (int k = 0; k < CNN_EXPLAIN_N_METHODS; k++)
    g_free (f->settings[k]);
  g_free (f->positive);
  g_free (f->negative);
  *f = (CnnExplainFigure) { 0 };
}
