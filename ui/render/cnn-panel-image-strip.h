/* cnn-panel-image-strip.h: one image and N transformed versions of it, each
 * with a caption: the augmentation preview, or any before/after row. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cnn-render-style.h"

G_BEGIN_DECLS

typedef struct
{
  int                 c, h, w;   /* every image is (c, h, w); c = 1 gray, 3 RGB */
  int                 n;         /* images, the original first */
  const float *const *images;    /* n pointers to (c, h, w) floats in byte units, 0 .. 255 */
  const char *const  *captions;  /* n entries (any may be NULL), or NULL */
  int                 max_cols;  /* wrap after this many; 0: all in one row */
  const char         *title;     /* NULL or "" for none */
  gboolean            no_original;  /* the images are peers: no frame on the first */
} CnnPanelImageStrip;

/* x (n values) to dst in byte units 0 .. 255 on its own range (gray 128
 * when flat): how a synthesized input shows its pattern, not its scale.
 * dst may be x. */
void cnn_image_stretch_to_bytes (const float *x, size_t n, float *dst);

void cnn_panel_image_strip_draw (const CnnPanelImageStrip *strip, const CnnRenderStyle *style,
                                 cairo_t *cr, double width, double height);
void cnn_panel_image_strip_natural_size (const CnnPanelImageStrip *strip,
                                         const CnnRenderStyle *style, double *width,
                                         double *height);

G_END_DECLS
