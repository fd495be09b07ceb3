/* cnn-panel-standardization.h: the lecture's input standardization as
 * pictures: the per-pixel mean and std images of the training set (per
 * channel for color), the class counts, and the global numbers. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cnn-dataset.h"
#include "cnn-render-style.h"

G_BEGIN_DECLS

typedef struct
{
  int     c, h, w;
  float  *mean;            /* (c, h, w): per-pixel mean of x = byte / 255 */
  float  *std;             /* (c, h, w): per-pixel standard deviation of x */
  double *channel_mean;    /* (c): mean of x over all pixels of the channel */
  double *channel_std;     /* (c) */
  int     n_images;
  int     n_classes;
  double *counts;          /* (n_classes): images per class */
  char  **class_names;     /* n_classes entries, NULL-terminated */
  char   *title;           /* NULL for none */
  char   *set_name;        /* "training images" in the caption; NULL for that */
} CnnPanelStandardization;

/* The statistics of all images of `set`, exactly as the trainer's
 * normalizer computes them (--standardize pixel and channel). */
CnnPanelStandardization *cnn_panel_standardization_new  (const CnnImageSet *set, int n_classes,
                                                         const char *const *class_names,
                                                         GError **error);
void                     cnn_panel_standardization_free (CnnPanelStandardization *panel);

void cnn_panel_standardization_draw (const CnnPanelStandardization *panel,
                                     const CnnRenderStyle *style, cairo_t *cr, double width,
                                     double height);
void cnn_panel_standardization_natural_size (const CnnPanelStandardization *panel,
                                             const CnnRenderStyle *style, double *width,
                                             double *height);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnPanelStandardization, cnn_panel_standardization_free)

G_END_DECLS
