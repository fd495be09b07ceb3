/* cnn-panel-samples.h: a grid of sample images, one row per class with the
 * class name at its left. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cnn-dataset.h"
#include "cnn-render-style.h"

G_BEGIN_DECLS

typedef struct
{
  const CnnImageSet *set;
  int                n_classes;
  const char *const *class_names;  /* n_classes entries, or NULL for numbers */
  int                per_class;
  const int         *idx;          /* (n_classes, per_class) image indices; -1: none left */
  const char        *title;        /* NULL or "" for none */
} CnnPanelSamples;

/* Picks up to per_class images of each class at random (seeded): returns
 * the (n_classes, per_class) index array for CnnPanelSamples.idx, -1 where a
 * class has fewer images. Free with g_free. */
int  *cnn_panel_samples_pick (const CnnImageSet *set, int n_classes, int per_class, guint64 seed);

void  cnn_panel_samples_draw (const CnnPanelSamples *panel, const CnnRenderStyle *style,
                              cairo_t *cr, double width, double height);
/* A size (px) that shows small images at about 2× and large ones smaller. */
void  cnn_panel_samples_natural_size (const CnnPanelSamples *panel, const CnnRenderStyle *style,
                                      double *width, double *height);

G_END_DECLS
