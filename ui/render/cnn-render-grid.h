/* cnn-render-grid.h: a labelled grid of equally sized cells: row labels at
 * the left, optional column labels on top, a caption under each cell. The
 * cells' contents come from a callback, so one layout serves samples per
 * class, filters, activation maps and augmentation previews. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cnn-render-style.h"

G_BEGIN_DECLS

/* Draws cell `index` (row * cols + col) into `cell`. */
typedef void (*CnnGridCellFunc) (cairo_t *cr, int index, const CnnRect *cell, gpointer data);

typedef struct
{
  int                 rows, cols;
  double              cell_aspect;  /* width / height of a cell; 0 means square */
  const char *const  *row_labels;   /* rows entries, or NULL */
  const char *const  *col_labels;   /* cols entries, or NULL */
  const char *const  *captions;     /* rows × cols entries (any may be NULL), or NULL */
  CnnGridCellFunc     draw_cell;    /* NULL: empty cells */
  gpointer            data;
} CnnGrid;

typedef struct
{
  int    rows, cols;
  double x0, y0;          /* top left of cell (0, 0) */
  double cell_w, cell_h;  /* a cell's image */
  double step_x, step_y;  /* from one cell to the next, caption and gap included */
  double label_w;         /* room for row labels, left of x0 */
  double header_h;        /* room for column labels, above y0 */
  double caption_h;       /* room for a caption under each cell */
} CnnGridLayout;

/* Lays the grid out as large as fits in `area`, centered. Cells get no
 * size (cell_w = 0) when nothing fits. */
void cnn_grid_layout      (const CnnGrid *grid, const CnnRenderStyle *style, cairo_t *cr,
                           const CnnRect *area, CnnGridLayout *layout);
void cnn_grid_layout_cell (const CnnGridLayout *layout, int row, int col, CnnRect *cell);
/* Labels, captions, and each cell through draw_cell. */
void cnn_grid_draw        (const CnnGrid *grid, const CnnRenderStyle *style, cairo_t *cr,
                           const CnnRect *area);
/* The width the grid takes when its cells fill `height`. */
double cnn_grid_width_for_height (const CnnGrid *grid, const CnnRenderStyle *style, cairo_t *cr,
                                  double height);
/* The size the grid takes with cells `cell_h` high. */
void cnn_grid_natural_size (const CnnGrid *grid, const CnnRenderStyle *style, cairo_t *cr,
                            double cell_h, double *width, double *height);

G_END_DECLS
