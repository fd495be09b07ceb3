/* cnn-panel-filters.h: the weights of a convolution layer (the first one,
 * by default) as a grid, one cell per output filter: gray inputs in the
 * diverging colormap (zero in the middle), color inputs as RGB, other
 * channel counts one row per input channel. The data is a copy of the
 * weights, so the window can hand the panel a training snapshot. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cnn-network.h"
#include "cnn-render-style.h"

G_BEGIN_DECLS

typedef enum
{
  CNN_FILTER_SCALE_FILTER,   /* each filter to its own max |w|: shows every filter's pattern */
  CNN_FILTER_SCALE_SHARED,   /* one max |w| for all: compares their strength */
} CnnFilterScale;

/* rows and filters drawn at most; more are counted in the caption */
#define CNN_FILTERS_MAX_SHOWN   256
#define CNN_FILTERS_MAX_CHANNELS 32

typedef struct
{
  char          *layer_name;   /* NULL when the model has no convolution */
  int            c_out, c_in, kh, kw;
  float         *weights;      /* (c_out, c_in, kh, kw); NULL when c_out == 0 */
  CnnFilterScale scale;
  char          *title;        /* NULL for none */
  char          *message;      /* drawn instead of the grid when c_out == 0 */
} CnnFiltersData;

/* The index of the first conv2d layer of net, or -1. */
int             cnn_filters_find_layer (const CnnNetwork *net);
/* Copies the weights of conv2d layer `layer` (-1: the first one) from
 * `params`, a copy of net's parameter arena (a training snapshot), or from
 * the network itself when params is NULL. A network without a conv2d layer
 * gives data with c_out = 0 and a message saying so (the panel draws it);
 * a `layer` that is not a conv2d is an error. */
CnnFiltersData *cnn_filters_data_new   (const CnnNetwork *net, const float *params, int layer,
                                        GError **error);
/* Filters from plain weights (c_out, c_in, kh, kw), copied. */
CnnFiltersData *cnn_filters_data_new_from_weights (const char *layer_name, const float *weights,
                                                   int c_out, int c_in, int kh, int kw);
void            cnn_filters_data_free  (CnnFiltersData *data);
gboolean        cnn_filter_scale_parse (const char *text, CnnFilterScale *scale, GError **error);

void cnn_panel_filters_draw (const CnnFiltersData *data, const CnnRenderStyle *style, cairo_t *cr,
                             double width, double height);
void cnn_panel_filters_natural_size (const CnnFiltersData *data, const CnnRenderStyle *style,
                                     double *width, double *height);
/* The rectangle cnn_panel_filters_draw gives the kernel of filter `f`,
 * input channel `ch` (ch is 0 for gray and RGB), at this size; FALSE when
 * it is not drawn. For tests and a pointer tooltip. */
gboolean cnn_panel_filters_cell (const CnnFiltersData *data, const CnnRenderStyle *style,
                                 cairo_t *cr, double width, double height, int f, int ch,
                                 CnnRect *cell);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnFiltersData, cnn_filters_data_free)

G_END_DECLS
