/* cnn-panel-activations.h: what one image does to one layer: the image and
 * the network's class probabilities at the left, every channel of the
 * layer's output as a map (viridis) at the right. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cnn-render-grid.h"
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
  /* The window's interaction (all zero for a plain figure): */
  gboolean           enlarge;         /* show map `map` alone, large, instead of the grid */
  int                map;             /* the map enlarged, or holding the marked unit */
  gboolean           mark_unit;       /* outline unit (unit_y, unit_x) of map `map` */
  int                unit_y, unit_x;
  gboolean           mark_field;      /* outline the box (field_y0, field_x0, field_h, field_w) */
  int                field_y0, field_x0, field_h, field_w;   /* on the input, in its pixels */
} CnnPanelActivations;

/* Where the parts went, for turning a click into a map, a unit or a pixel. */
typedef struct
{
  CnnRect       input;      /* the input image */
  CnnRect       maps;       /* where the maps go */
  CnnGridLayout grid;       /* the maps (when not enlarged) */
  CnnRect       enlarged;   /* the enlarged map (when enlarged) */
} CnnActivationsLayout;

typedef enum
{
  CNN_ACTIVATIONS_HIT_NONE,
  CNN_ACTIVATIONS_HIT_INPUT,   /* *y, *x: input pixel coordinates (fractional) */
  CNN_ACTIVATIONS_HIT_MAP,     /* *map, and *y, *x: the unit (fractional) */
} CnnActivationsHit;

void cnn_panel_activations_draw         (const CnnPanelActivations *panel, const CnnRenderStyle *style,
                                         cairo_t *cr, double width, double height);
void cnn_panel_activations_layout      (const CnnPanelActivations *panel, const CnnRenderStyle *style,
                                         cairo_t *cr, double width, double height,
                                         CnnActivationsLayout *layout);
CnnActivationsHit cnn_panel_activations_hit (const CnnPanelActivations *panel,
                                             const CnnActivationsLayout *layout, double px, double py,
                                             int *map, double *y, double *x);
void cnn_panel_activations_natural_size (const CnnPanelActivations *panel, const CnnRenderStyle *style,
                                         double *width, double *height);

G_END_DECLS
