/* cnn-panel-image-strip.c: images in a row (wrapping at max_cols) on the
 * labelled grid, the original marked by an accent frame. */
#include "cnn-panel-image-strip.h"

#include <math.h>

#include "cnn-colormap.h"
#include "cnn-render-grid.h"
#include "cnn-render-text.h"

typedef struct
{
  const CnnPanelImageStrip *strip;
  const CnnRenderStyle     *style;
} CellData;

static void
draw_cell (cairo_t *cr, int index, const CnnRect *cell, gpointer data)
{
  const CellData *d = data;
  const CnnPanelImageStrip *s = d->strip;
  if (index >= s->n || s->images[index] == NULL)
    return;
  cnn_render_draw_byte_floats (cr, s->images[index], s->c, s->h, s->w, cell);
  if (index == 0 && s->n > 1 && !s->no_original)
    {
      /* the original, framed just outside the image so no pixel is covered */
      double lw = MAX (d->style->line_width, 1.5), o = 0.5 * lw + 1;
      cairo_rectangle (cr, cell->x - o, cell->y - o, cell->width + 2 * o, cell->height + 2 * o);
      cairo_set_line_width (cr, lw);
      cnn_render_set_color (cr, &d->style->accent);
      cairo_stroke (cr);
    }
}

static gboolean
valid (const CnnPanelImageStrip *s)
{
  return s != NULL && s->n >= 1 && s->images != NULL && s->c >= 1 && s->h >= 1 && s->w >= 1;
}

/* the grid shape, and captions padded to rows × cols entries */
static void
make_grid (const CnnPanelImageStrip *s, CellData *d, const char **captions, CnnGrid *grid)
{
  int cols = s->max_cols > 0 ? MIN (s->max_cols, s->n) : s->n;
  int rows = (s->n + cols - 1) / cols;
  for (int i = 0; i < rows * cols; i++)
    captions[i] = s->captions && i < s->n ? s->captions[i] : NULL;
  *grid = (CnnGrid) {
    .rows = rows, .cols = cols, .cell_aspect = (double) s->w / s->h,
    .captions = captions, .draw_cell = draw_cell, .data = d,
  };
}

void
cnn_panel_image_strip_draw (const CnnPanelImageStrip *strip, const CnnRenderStyle *style,
                            cairo_t *cr, double width, double height)
{
  g_return_if_fail (valid (strip));
  CellData d = { strip, style };
  g_autofree const char **captions = g_new0 (const char *, 2 * (gsize) strip->n);
  CnnGrid grid;
  make_grid (strip, &d, captions, &grid);
  CnnRect area = cnn_rect (0, 0, width, height);
  area = cnn_rect_inset (&area, style->padding);
  cnn_render_title (cr, style, strip->title, &area);
  /* room for the original's frame */
  area = cnn_rect_inset (&area, MAX (style->line_width, 1.5) + 1);
  cnn_grid_draw (&grid, style, cr, &area);
}

void
cnn_panel_image_strip_natural_size (const CnnPanelImageStrip *strip, const CnnRenderStyle *style,
                                    double *width, double *height)
{
  g_return_if_fail (valid (strip));
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t *cr = cairo_create (s);
  CellData d = { strip, style };
  g_autofree const char **captions = g_new0 (const char *, 2 * (gsize) strip->n);
  CnnGrid grid;
  make_grid (strip, &d, captions, &grid);
  double w, h;
  cnn_grid_natural_size (&grid, style, cr, CLAMP (3.0 * strip->h, 64.0, 128.0), &w, &h);
  cnn_render_title_size (cr, style, strip->title, &w, &h);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
  double frame = 2 * (MAX (style->line_width, 1.5) + 1);
  *width = ceil (w + 2 * style->padding + frame);
  *height = ceil (h + 2 * style->padding + frame);
}

void
cnn_image_stretch_to_bytes (const float *x, size_t n, float *dst)
{
  if (n == 0)
    return;
  float lo = x[0], hi = x[0];
  for (size_t i = 1; i < n; i++)
    {
      lo = MIN (lo, x[i]);
      hi = MAX (hi, x[i]);
    }
  for (size_t i = 0; i < n; i++)
    dst[i] = hi > lo ? 255.0f * (x[i] - lo) / (hi - lo) : 128.0f;
}
