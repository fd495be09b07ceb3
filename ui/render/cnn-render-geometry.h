/* cnn-render-geometry.h: the rectangle every drawing function lays itself
 * out in. Units are CSS pixels (1/96 inch): export scales them to device
 * pixels or points, so panels never know what they draw on. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  double x, y, width, height;
} CnnRect;

static inline CnnRect
cnn_rect (double x, double y, double width, double height)
{
  return (CnnRect) { x, y, MAX (width, 0.0), MAX (height, 0.0) };
}

/* `r` shrunk by `d` on every side (never below zero size) */
static inline CnnRect
cnn_rect_inset (const CnnRect *r, double d)
{
  return cnn_rect (r->x + d, r->y + d, r->width - 2 * d, r->height - 2 * d);
}

/* The largest rectangle of width/height ratio `aspect` centered in `r`. */
static inline CnnRect
cnn_rect_fit (const CnnRect *r, double aspect)
{
  if (!(aspect > 0))
    aspect = 1.0;
  double w = r->width, h = r->height;
  if (w > h * aspect)
    w = h * aspect;
  else
    h = w / aspect;
  return cnn_rect (r->x + 0.5 * (r->width - w), r->y + 0.5 * (r->height - h), w, h);
}

G_END_DECLS
