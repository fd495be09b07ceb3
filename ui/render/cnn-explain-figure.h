/* cnn-explain-figure.h: a CnnExplanation as the explanation panel shows
 * it: each map with its name, unit, color scale and a line saying how it
 * was made (LIME with its R² and outlined superpixels). */
#pragma once

#include "cnn-explanation.h"
#include "cnn-panel-explain.h"

G_BEGIN_DECLS

typedef struct
{
  CnnPanelExplain panel;
  /* what the panel points into */
  char           *settings[CNN_EXPLAIN_N_METHODS];
  int            *positive, *negative;
} CnnExplainFigure;

/* The panel for `e` over `display` (C, H, W in byte units, 0 .. 255),
 * outlining LIME's negative superpixels too when `negative`. The panel
 * points into e, display and f: keep them while it is drawn. Set title,
 * class names and image caption on f->panel afterwards. */
void cnn_explain_figure_init  (CnnExplainFigure *f, const CnnExplanation *e, const float *display,
                               double opacity, gboolean negative);
void cnn_explain_figure_clear (CnnExplainFigure *f);

G_END_DECLS
