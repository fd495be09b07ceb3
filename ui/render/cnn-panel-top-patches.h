/* cnn-panel-top-patches.h: for each channel of a layer (a row), the image
 * patches that excite it most: each the receptive field of the arg-max
 * unit, captioned with the activation. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cnn-render-style.h"
#include "cnn-top-patches.h"

G_BEGIN_DECLS

typedef struct
{
  const CnnTopPatches *tp;
  const CnnImageSet   *set;          /* the images tp's indices refer to */
  int                  n_channels;   /* rows: channels 0 .. n_channels-1 (≤ tp->n_channels) */
  const char          *title;        /* NULL or "" for none */
} CnnPanelTopPatches;

void cnn_panel_top_patches_draw         (const CnnPanelTopPatches *panel, const CnnRenderStyle *style,
                                         cairo_t *cr, double width, double height);
void cnn_panel_top_patches_natural_size (const CnnPanelTopPatches *panel, const CnnRenderStyle *style,
                                         double *width, double *height);

G_END_DECLS
