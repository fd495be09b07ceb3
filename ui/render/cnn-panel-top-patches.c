#include "cnn-panel-top-patches.h"

#include <math.h>

#include "cnn-colormap.h"
#include "cnn-render-grid.h"
#include "cnn-render-text.h"

typedef struct
{
  const CnnPanelTopPatches *panel;
  const CnnRenderStyle     *style;
  guint8                   *crop;    /* (c, field h, field w) scratch */
  int                       first;   /* the channel of the block's first row */
} CellData;

static void
draw_cell (cairo_t *cr, int index, const CnnRect *cell, gpointer data)
{
  const CellData *d = data;
  const CnnTopPatches *tp = d->panel->tp;
  int channel = d->first + index / tp->k;
  if (channel >= d->panel->n_channels)
    return;   /* a padding row */
  const CnnTopPatch *p = cnn_top_patches_get (tp, channel, index % tp->k);
  if (p->image < 0)
    return;   /* fewer images than places */
  cnn_top_patches_crop (tp, p, d->panel->set, d->crop);
  cnn_render_draw_bytes (cr, d->crop, d->panel->set->c, tp->field.size_h, tp->field.size_w, cell);
}

/* row labels "channel 3" and captions with the activation */
static void
make_labels (const CnnPanelTopPatches *panel, char ***rows, char ***captions)
{
  const CnnTopPatches *tp = panel->tp;
  *rows = g_new0 (char *, panel->n_channels + 1);
  *captions = g_new0 (char *, (gsize) panel->n_channels * tp->k + 1);
  for (int c = 0; c < panel->n_channels; c++)
    {
      (*rows)[c] = g_strdup_printf ("channel %d", c);
      for (int r = 0; r < tp->k; r++)
        {
          const CnnTopPatch *p = cnn_top_patches_get (tp, c, r);
          (*captions)[(gsize) c * tp->k + r] = p->image < 0 ? g_strdup ("")
                                                            : g_strdup_printf ("%.2f", p->value);
        }
    }
}

static CnnGrid
grid_for (const CnnPanelTopPatches *panel, char **rows, char **captions)
{
  CnnGrid grid = {
    .rows = panel->n_channels, .cols = panel->tp->k,
    .cell_aspect = (double) panel->tp->field.size_w / panel->tp->field.size_h,
    .row_labels = (const char *const *) rows, .captions = (const char *const *) captions,
  };
  return grid;
}

void
cnn_panel_top_patches_draw (const CnnPanelTopPatches *panel, const CnnRenderStyle *style,
                            cairo_t *cr, double width, double height)
{
  g_return_if_fail (panel && panel->tp && panel->set && panel->n_channels >= 1
                    && panel->n_channels <= panel->tp->n_channels);
  g_auto (GStrv) rows = NULL;
  g_auto (GStrv) captions = NULL;
  make_labels (panel, &rows, &captions);
  const CnnReceptiveField *f = &panel->tp->field;
  g_autofree guint8 *crop = g_new (guint8, (gsize) panel->set->c * f->size_h * f->size_w);
  CellData d = { panel, style, crop, 0 };
  CnnGrid grid = grid_for (panel, rows, captions);
  grid.draw_cell = draw_cell;
  grid.data = &d;
  CnnRect area = cnn_rect (0, 0, width, height);
  area = cnn_rect_inset (&area, style->padding);
  cnn_render_title (cr, style, panel->title, &area);

  /* many channels in a wide area: side by side blocks of rows, as many as
   * make the patches largest */
  const int n = panel->n_channels, k = panel->tp->k;
  int blocks = 1;
  double best = 0;
  for (int b = 1; b <= MIN (4, n); b++)
    {
      CnnRect sub = cnn_rect (area.x, area.y, area.width / b, area.height);
      grid.rows = (n + b - 1) / b;
      CnnGridLayout l;
      cnn_grid_layout (&grid, style, cr, &sub, &l);
      if (l.cell_w > 1.1 * best)
        {
          best = l.cell_w;
          blocks = b;
        }
    }
  const int per_block = (n + blocks - 1) / blocks;
  /* the last block padded with empty rows, so all blocks' rows line up */
  g_autofree const char **all_rows = g_new0 (const char *, (gsize) blocks * per_block + 1);
  g_autofree const char **all_captions = g_new0 (const char *, (gsize) blocks * per_block * k + 1);
  for (int i = 0; i < blocks * per_block; i++)
    {
      all_rows[i] = i < n ? rows[i] : "";
      for (int r = 0; r < k; r++)
        all_captions[(gsize) i * k + r] = i < n ? captions[(gsize) i * k + r] : "";
    }
  grid.rows = per_block;
  for (int b = 0; b < blocks; b++)
    {
      d.first = b * per_block;
      grid.row_labels = all_rows + d.first;
      grid.captions = all_captions + (gsize) d.first * k;
      double gap = b > 0 ? 2 * style->padding : 0;
      CnnRect sub = cnn_rect (area.x + b * area.width / blocks + gap, area.y,
                              area.width / blocks - gap, area.height);
      cnn_grid_draw (&grid, style, cr, &sub);
    }
}

void
cnn_panel_top_patches_natural_size (const CnnPanelTopPatches *panel, const CnnRenderStyle *style,
                                    double *width, double *height)
{
  g_return_if_fail (panel && panel->tp && panel->n_channels >= 1);
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t *cr = cairo_create (s);
  g_auto (GStrv) rows = NULL;
  g_auto (GStrv) captions = NULL;
  make_labels (panel, &rows, &captions);
  CnnGrid grid = grid_for (panel, rows, captions);
  /* small fields at 4 px a pixel, large ones no taller than 96 px */
  double cell_h = CLAMP (4.0 * panel->tp->field.size_h, 48.0, 96.0);
  double w, h;
  cnn_grid_natural_size (&grid, style, cr, cell_h, &w, &h);
  cnn_render_title_size (cr, style, panel->title, &w, &h);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
  *width = ceil (w + 2 * style->padding);
  *height = ceil (h + 2 * style->padding);
}
