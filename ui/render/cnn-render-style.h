/* cnn-render-style.h: the look of every panel. A style holds colors, fonts
 * and line widths; panels take one and never hard-code a color. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cnn-render-geometry.h"

G_BEGIN_DECLS

#define CNN_RENDER_PALETTE_SIZE 8

typedef struct
{
  double r, g, b;   /* 0 .. 1, sRGB */
} CnnColor;

typedef enum
{
  CNN_RENDER_STYLE_LIGHT,      /* the screen default */
  CNN_RENDER_STYLE_DARK,
  CNN_RENDER_STYLE_PRINT,      /* white paper, black ink, thin lines */
  CNN_RENDER_STYLE_PROJECTOR,  /* large fonts and thick lines for a classroom */
  CNN_RENDER_N_STYLES,
} CnnRenderStyleId;

typedef struct
{
  CnnRenderStyleId id;
  const char *name;
  CnnColor    background;
  CnnColor    foreground;    /* text, axes */
  CnnColor    grid;          /* grid lines, frames of empty cells */
  CnnColor    muted;         /* secondary text: ticks, captions, notes */
  CnnColor    accent;        /* a single series, bars */
  /* categorical colors for series, Okabe & Ito's color-blind safe set,
   * ordered for contrast on this style's background */
  CnnColor    palette[CNN_RENDER_PALETTE_SIZE];
  const char *font_family;
  double      title_size;    /* font sizes in px */
  double      label_size;    /* axis labels, row labels */
  double      small_size;    /* ticks, captions */
  double      line_width;    /* data: curves, bar outlines */
  double      axis_width;    /* axes, ticks, frames */
  double      grid_width;
  double      padding;       /* around a figure and between its parts */
  double      gap;           /* between the cells of a grid */
  double      tick_length;
} CnnRenderStyle;

const CnnRenderStyle *cnn_render_style_get   (CnnRenderStyleId id);
/* "light", "dark", "print" or "projector" (any case); NULL gives light. */
const CnnRenderStyle *cnn_render_style_parse (const char *name, GError **error);
/* The i-th series color (wraps after CNN_RENDER_PALETTE_SIZE). */
const CnnColor       *cnn_render_style_series (const CnnRenderStyle *style, int i);

void cnn_render_set_color        (cairo_t *cr, const CnnColor *color);
/* Fills the whole clip with the style's background. */
void cnn_render_paint_background (cairo_t *cr, const CnnRenderStyle *style);

G_END_DECLS
