/* cnn-panel-activations.h: what one image does to one layer: the image and
 * the network's class probabilities at the left, every channel of the
 * layer's output as a map (viridis) at the right. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cnn-render-style.h"

G_BEGIN_DECLS

typedef struct
{
  int                c, h, w;         /* the input image */
  const guint8      *image;           /* (c, h, w) bytes as stored in the data set */
  int                n_maps, map_h, map_w;
  const float       *maps;            /* (n_maps, map_h, map_w) */
  gboolean           shared_scale;    /* one range for all maps (else each its own) */
  int                n_classes;
  const float       *probs;           /* (n_classes), or NULL for none */
  const char *const *class_names;     /* n_classes entries, or NULL for numbers */
  const char        *title;           /* NULL or "" for none */
} CnnPanelActivations;

void cnn_panel_activations_draw         (const CnnPanelActivations *panel, const CnnRenderStyle *style,
                                         cairo_t *cr, double width, double height);
void cnn_panel_activations_natural_size (const CnnPanelActivations *panel, const CnnRenderStyle *style,
                                         double *width, double *height);

G_END_DECLS
