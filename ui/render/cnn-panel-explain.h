/* cnn-panel-explain.h: which pixels made the network decide, for one
 * image: the image with its top-3 class probabilities at the left, then up
 * to four attribution maps side by side, each laid over a gray copy of the
 * image at a set opacity, with its own color bar (the maps are in
 * different units: gradient, probability drop, regression weight,
 * activation). Magnitudes (saliency, Grad-CAM) use viridis from 0;
 * signed maps (occlusion, LIME) the diverging map, symmetric around 0.
 * LIME's K most positive superpixels are outlined (solid), its most
 * negative ones too when given (dashed). */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cnn-render-geometry.h"
#include "cnn-render-style.h"

G_BEGIN_DECLS

#define CNN_PANEL_EXPLAIN_MAX_MAPS 4

typedef struct
{
  const char  *name;         /* above the map: "Saliency" */
  const char  *settings;     /* under it, wrapped: "SmoothGrad 20, noise 15 %" (may be NULL) */
  const char  *unit;         /* along the color bar (may be NULL) */
  const float *values;       /* (h, w): the image's size */
  gboolean     is_signed;    /* diverging and symmetric, else viridis from 0 */
  /* LIME: superpixels (h, w) and the ones to outline */
  const int   *segments;
  int          n_positive;
  const int   *positive;
  int          n_negative;
  const int   *negative;
} CnnPanelExplainMap;

typedef struct
{
  int                 c, h, w;     /* the input image */
  const float        *image;       /* (c, h, w) in byte units, 0 .. 255: c = 1 gray, 3 RGB */
  const char         *image_caption;   /* under the image (may be NULL): "true class: Coat" */
  int                 n_maps;      /* 0 .. CNN_PANEL_EXPLAIN_MAX_MAPS */
  CnnPanelExplainMap  maps[CNN_PANEL_EXPLAIN_MAX_MAPS];
  double              opacity;     /* of the maps over the image, 0 .. 1 (0.65 is a good start) */
  int                 n_classes;
  const float        *probs;       /* (n_classes), or NULL for no chart */
  const char *const  *class_names; /* n_classes entries, or NULL for numbers */
  const char         *title;       /* NULL or "" for none */
} CnnPanelExplain;

/* Where the parts go for a given size (the draw function's own layout,
 * for tests and pointers). */
typedef struct
{
  CnnRect image;
  CnnRect probs;
  CnnRect maps[CNN_PANEL_EXPLAIN_MAX_MAPS];
  CnnRect bars[CNN_PANEL_EXPLAIN_MAX_MAPS];
} CnnPanelExplainLayout;

void cnn_panel_explain_layout       (const CnnPanelExplain *panel, const CnnRenderStyle *style, cairo_t *cr,
                                     double width, double height, CnnPanelExplainLayout *layout);
void cnn_panel_explain_draw         (const CnnPanelExplain *panel, const CnnRenderStyle *style, cairo_t *cr,
                                     double width, double height);
void cnn_panel_explain_natural_size (const CnnPanelExplain *panel, const CnnRenderStyle *style,
                                     double *width, double *height);
/* The color range the panel uses for a map. */
void cnn_panel_explain_map_range    (const CnnPanelExplainMap *map, int h, int w, double *lo, double *hi);

G_END_DECLS
