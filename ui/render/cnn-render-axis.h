/* cnn-render-axis.h: ticks at round numbers, and a pair of axes mapping data
 * to the page (linear or log scale), for charts and color bars. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cnn-render-style.h"

G_BEGIN_DECLS

#define CNN_MAX_TICKS 32

typedef struct
{
  int    n;
  double values[CNN_MAX_TICKS];
  double step;        /* linear: distance between ticks; log: the factor */
  int    decimals;    /* for labels: enough to tell neighbouring ticks apart */
} CnnTicks;

/* At most max_ticks (2 .. CNN_MAX_TICKS) ticks at multiples of 1, 2, 2.5 or
 * 5 × 10^k inside [lo, hi]. */
void cnn_ticks_linear (double lo, double hi, int max_ticks, CnnTicks *ticks);
/* Powers of ten inside [lo, hi] (lo > 0), with 2× and 5× between them when
 * the range spans less than two decades; every k-th decade for long ranges. */
void cnn_ticks_log    (double lo, double hi, int max_ticks, CnnTicks *ticks);
/* "0.25", "6,000", "1e-05": the label of a tick value. A CnnTicks with only
 * decimals set formats any number that way. */
void cnn_ticks_format (const CnnTicks *ticks, double value, char *buf, gsize size);
/* Extends [*lo, *hi] outwards to the nearest linear ticks. */
void cnn_ticks_round_range (double *lo, double *hi, int max_ticks);

typedef struct
{
  CnnRect     plot;            /* the data area */
  double      x0, x1, y0, y1;  /* data at the plot's left, right, bottom, top */
  gboolean    x_log, y_log;
  gboolean    x_ticks, y_ticks; /* draw (and make room for) tick labels */
  const char *x_label, *y_label;
  CnnTicks    xt, yt;          /* chosen by cnn_axes_layout */
} CnnAxes;

/* Linear axes over the given ranges with both tick sets on and no labels. */
void   cnn_axes_init   (CnnAxes *ax, double x0, double x1, double y0, double y1);
/* Chooses the ticks and sets ax->plot to what is left of `area` after tick
 * labels and axis labels. Call it before drawing. */
void   cnn_axes_layout (CnnAxes *ax, cairo_t *cr, const CnnRenderStyle *style, const CnnRect *area);
/* Grid lines, the left and bottom axes, ticks, tick labels, axis labels. */
void   cnn_axes_draw   (const CnnAxes *ax, cairo_t *cr, const CnnRenderStyle *style);
/* Data to page coordinates. Log axes map values <= 0 below the plot. */
double cnn_axes_x      (const CnnAxes *ax, double x);
double cnn_axes_y      (const CnnAxes *ax, double y);
/* Clips to the plot area (inside cairo_save/cairo_restore). */
void   cnn_axes_clip   (const CnnAxes *ax, cairo_t *cr);

G_END_DECLS
