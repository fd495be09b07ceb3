/* cnn-panel-fields.h: the receptive field of each layer as a bar, so the
 * growth layer by layer shows (convolutions add k - 1 jumps, pooling
 * multiplies the jump); each label gives the size and the jump. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cnn-network.h"
#include "cnn-render-style.h"

G_BEGIN_DECLS

typedef struct
{
  int     n;          /* layers */
  char  **labels;     /* (n) "conv2  5×5 /1" */
  double *sizes;      /* (n) the larger side of each field, in input pixels */
  char   *title;      /* NULL for none */
} CnnFieldsData;

/* `name` names the model in the title (NULL: no title). */
CnnFieldsData *cnn_fields_data_new  (const CnnNetwork *net, const char *name);
void           cnn_fields_data_free (CnnFieldsData *data);

void cnn_panel_fields_draw         (const CnnFieldsData *data, const CnnRenderStyle *style,
                                    cairo_t *cr, double width, double height);
void cnn_panel_fields_natural_size (const CnnFieldsData *data, const CnnRenderStyle *style,
                                    double *width, double *height);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnFieldsData, cnn_fields_data_free)

G_END_DECLS
