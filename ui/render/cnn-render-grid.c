/* cnn-render-grid.c: the grid's layout. Labels keep their natural width up
 * to a share of the area (longer ones are ellipsized); cells take the rest,
 * as large as both directions allow. */
#include "cnn-render-grid.h"

#include "cnn-render-text.h"

/* row labels never take more than this share of the width */
#define MAX_LABEL_SHARE 0.35

static double
aspect_of (const CnnGrid *grid)
{
  return grid->cell_aspect > 0 ? grid->cell_aspect : 1.0;
}

static gboolean
has_captions (const CnnGrid *grid)
{
  for (int i = 0; grid->captions != NULL && i < grid->rows * grid->cols; i++)
    if (grid->captions[i] && grid->captions[i][0])
      return TRUE;
  return FALSE;
}

static double
widest_row_label (const CnnGrid *grid, const CnnRenderStyle *style, cairo_t *cr)
{
  double widest = 0;
  for (int r = 0; grid->row_labels != NULL && r < grid->rows; r++)
    {
      double w;
      cnn_render_text_size (cr, style, CNN_TEXT_LABEL, grid->row_labels[r], &w, NULL);
      widest = MAX (widest, w);
    }
  return widest;
}

/* label width, header and caption heights: everything but the cells */
static void
frame (const CnnGrid *grid, const CnnRenderStyle *style, cairo_t *cr, double max_label_w,
       double *label_w, double *header_h, double *caption_h)
{
  double widest = widest_row_label (grid, style, cr);
  *label_w = widest > 0 ? MIN (widest, max_label_w) + style->padding : 0;
  *header_h = grid->col_labels ? cnn_render_text_line_height (cr, style, CNN_TEXT_SMALL) + 2 : 0;
  *caption_h = has_captions (grid) ? cnn_render_text_line_height (cr, style, CNN_TEXT_SMALL) + 2 : 0;
}

void
cnn_grid_layout (const CnnGrid *grid, const CnnRenderStyle *style, cairo_t *cr,
                 const CnnRect *area, CnnGridLayout *l)
{
  *l = (CnnGridLayout) { .rows = MAX (grid->rows, 0), .cols = MAX (grid->cols, 0) };
  if (l->rows == 0 || l->cols == 0)
    return;
  frame (grid, style, cr, MAX_LABEL_SHARE * area->width, &l->label_w, &l->header_h, &l->caption_h);
  double gap = style->gap, aspect = aspect_of (grid);
  double avail_w = area->width - l->label_w - (l->cols - 1) * gap;
  double avail_h = area->height - l->header_h - l->rows * l->caption_h - (l->rows - 1) * gap;
  double cw = avail_w / l->cols, ch = avail_h / l->rows;
  if (cw > ch * aspect)
    cw = ch * aspect;
  else
    ch = cw / aspect;
  if (!(cw > 0) || !(ch > 0))
    return;
  l->cell_w = cw;
  l->cell_h = ch;
  l->step_x = cw + gap;
  l->step_y = ch + l->caption_h + gap;
  double used_w = l->label_w + l->cols * cw + (l->cols - 1) * gap;
  double used_h = l->header_h + l->rows * (ch + l->caption_h) + (l->rows - 1) * gap;
  l->x0 = area->x + 0.5 * (area->width - used_w) + l->label_w;
  l->y0 = area->y + 0.5 * (area->height - used_h) + l->header_h;
}

void
cnn_grid_layout_cell (const CnnGridLayout *l, int row, int col, CnnRect *cell)
{
  *cell = cnn_rect (l->x0 + col * l->step_x, l->y0 + row * l->step_y, l->cell_w, l->cell_h);
}

void
cnn_grid_draw (const CnnGrid *grid, const CnnRenderStyle *style, cairo_t *cr, const CnnRect *area)
{
  CnnGridLayout l;
  cnn_grid_layout (grid, style, cr, area, &l);
  if (!(l.cell_w > 0))
    return;
  /* captions may run into the gap, not into the neighbour */
  double caption_w = l.cell_w + style->gap;
  for (int r = 0; r < l.rows; r++)
    {
      CnnRect first;
      cnn_grid_layout_cell (&l, r, 0, &first);
      if (grid->row_labels)
        cnn_render_text (cr, style, CNN_TEXT_LABEL, NULL, grid->row_labels[r],
                         first.x - style->padding, first.y + 0.5 * first.height, 1.0, 0.5,
                         l.label_w - style->padding);
      for (int c = 0; c < l.cols; c++)
        {
          int index = r * l.cols + c;
          CnnRect cell;
          cnn_grid_layout_cell (&l, r, c, &cell);
          if (grid->draw_cell)
            {
              cairo_save (cr);
              grid->draw_cell (cr, index, &cell, grid->data);
              cairo_restore (cr);
            }
          if (grid->captions && grid->captions[index])
            cnn_render_text (cr, style, CNN_TEXT_SMALL, &style->muted, grid->captions[index],
                             cell.x + 0.5 * cell.width, cell.y + cell.height + 2, 0.5, 0.0,
                             caption_w);
        }
    }
  for (int c = 0; grid->col_labels && c < l.cols; c++)
    {
      CnnRect cell;
      cnn_grid_layout_cell (&l, 0, c, &cell);
      cnn_render_text (cr, style, CNN_TEXT_SMALL, &style->muted, grid->col_labels[c],
                       cell.x + 0.5 * cell.width, cell.y - 2, 0.5, 1.0, l.cell_w + style->gap);
    }
}

double
cnn_grid_width_for_height (const CnnGrid *grid, const CnnRenderStyle *style, cairo_t *cr,
                           double height)
{
  double label_w, header_h, caption_h;
  frame (grid, style, cr, G_MAXDOUBLE, &label_w, &header_h, &caption_h);
  int rows = MAX (grid->rows, 1), cols = MAX (grid->cols, 1);
  double cell_h = (height - header_h - rows * caption_h - (rows - 1) * style->gap) / rows;
  double cell_w = MAX (cell_h, 0.0) * aspect_of (grid);
  return label_w + cols * cell_w + (cols - 1) * style->gap;
}

void
cnn_grid_natural_size (const CnnGrid *grid, const CnnRenderStyle *style, cairo_t *cr,
                       double cell_h, double *width, double *height)
{
  double label_w, header_h, caption_h;
  frame (grid, style, cr, G_MAXDOUBLE, &label_w, &header_h, &caption_h);
  int rows = MAX (grid->rows, 1), cols = MAX (grid->cols, 1);
  /* cells wide enough for their captions */
  double widest = 0;
  for (int i = 0; grid->captions != NULL && i < grid->rows * grid->cols; i++)
    {
      double w = 0;
      if (grid->captions[i])
        cnn_render_text_size (cr, style, CNN_TEXT_SMALL, grid->captions[i], &w, NULL);
      widest = MAX (widest, w);
    }
  cell_h = MAX (cell_h, (widest - style->gap) / aspect_of (grid));
  double cell_w = cell_h * aspect_of (grid);
  *width = label_w + cols * cell_w + (cols - 1) * style->gap;
  *height = header_h + rows * (cell_h + caption_h) + (rows - 1) * style->gap;
}
