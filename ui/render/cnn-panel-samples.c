/* cnn-panel-samples.c: samples per class. Which images are shown depends
 * only on the seed, so a figure regenerates identically. */
#include "cnn-panel-samples.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cnn-colormap.h"
#include "cnn-render-grid.h"
#include "cnn-render-text.h"
#include "cnn-rng.h"

static int
compare_int (const void *a, const void *b)
{
  int x = *(const int *) a, y = *(const int *) b;
  return (x > y) - (x < y);
}

int *
cnn_panel_samples_pick (const CnnImageSet *set, int n_classes, int per_class, guint64 seed)
{
  g_return_val_if_fail (set != NULL && n_classes >= 1 && n_classes <= 256, NULL);
  g_return_val_if_fail (per_class >= 1 && per_class <= 4096, NULL);
  int *idx = g_new (int, (gsize) n_classes * per_class);   /* (n_classes, per_class) */
  for (gsize i = 0; i < (gsize) n_classes * per_class; i++)
    idx[i] = -1;

  /* a seeded shuffle of each class's images: the first per_class of them
   * are shown, in data set order */
  CnnRng rng;
  cnn_rng_init (&rng, seed, 0x5a3b1e5);
  int *members = g_new (int, MAX (set->n, 1));
  for (int k = 0; k < n_classes; k++)
    {
      int m = 0;
      for (int i = 0; i < set->n; i++)
        if (set->labels[i] == k)
          members[m++] = i;
      cnn_rng_shuffle_int (&rng, members, m);
      int take = MIN (m, per_class);
      qsort (members, take, sizeof (int), compare_int);
      memcpy (idx + (gsize) k * per_class, members, (gsize) take * sizeof (int));
    }
  g_free (members);
  return idx;
}

typedef struct
{
  const CnnPanelSamples *panel;
  const CnnRenderStyle  *style;
} CellData;

static void
draw_cell (cairo_t *cr, int index, const CnnRect *cell, gpointer data)
{
  const CellData *d = data;
  const CnnImageSet *set = d->panel->set;
  int i = d->panel->idx[index];
  if (i < 0 || i >= set->n)
    {
      /* a class with fewer images: an empty frame says so */
      double lw = d->style->grid_width;
      cairo_rectangle (cr, cell->x + 0.5 * lw, cell->y + 0.5 * lw, cell->width - lw,
                       cell->height - lw);
      cairo_set_line_width (cr, lw);
      cnn_render_set_color (cr, &d->style->grid);
      cairo_stroke (cr);
      return;
    }
  gsize chw = (gsize) set->c * set->h * set->w;
  cnn_render_draw_bytes (cr, set->pixels + (gsize) i * chw, set->c, set->h, set->w, cell);
}

static char **
row_labels (const CnnPanelSamples *p)
{
  char **labels = g_new0 (char *, p->n_classes + 1);
  for (int k = 0; k < p->n_classes; k++)
    labels[k] = p->class_names && p->class_names[k] ? g_strdup (p->class_names[k])
                                                    : g_strdup_printf ("%d", k);
  return labels;
}

static gboolean
valid (const CnnPanelSamples *p)
{
  return p != NULL && p->set != NULL && p->idx != NULL && p->n_classes >= 1 && p->per_class >= 1
         && p->set->h >= 1 && p->set->w >= 1;
}

void
cnn_panel_samples_draw (const CnnPanelSamples *panel, const CnnRenderStyle *style, cairo_t *cr,
                        double width, double height)
{
  g_return_if_fail (valid (panel));
  g_auto (GStrv) labels = row_labels (panel);
  CellData d = { panel, style };
  CnnGrid grid = {
    .rows = panel->n_classes, .cols = panel->per_class,
    .cell_aspect = (double) panel->set->w / panel->set->h,
    .row_labels = (const char *const *) labels,
    .draw_cell = draw_cell, .data = &d,
  };
  CnnRect area = cnn_rect (0, 0, width, height);
  area = cnn_rect_inset (&area, style->padding);
  cnn_render_title (cr, style, panel->title, &area);
  cnn_grid_draw (&grid, style, cr, &area);
}

void
cnn_panel_samples_natural_size (const CnnPanelSamples *panel, const CnnRenderStyle *style,
                                double *width, double *height)
{
  g_return_if_fail (valid (panel));
  /* a scratch surface only to measure text */
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t *cr = cairo_create (s);
  g_auto (GStrv) labels = row_labels (panel);
  CnnGrid grid = {
    .rows = panel->n_classes, .cols = panel->per_class,
    .cell_aspect = (double) panel->set->w / panel->set->h,
    .row_labels = (const char *const *) labels,
  };
  /* 28×28 at 2×, 32×32 at 2×, photos at most 96 px high, all larger as
   * the style's text is (projector) */
  double cell_h = CLAMP (2.0 * panel->set->h, 48.0, 96.0);
  cell_h *= MAX (1.0, style->label_size / cnn_render_style_get (CNN_RENDER_STYLE_LIGHT)->label_size);
  double w, h;
  cnn_grid_natural_size (&grid, style, cr, cell_h, &w, &h);
  cnn_render_title_size (cr, style, panel->title, &w, &h);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
  *width = ceil (w + 2 * style->padding);
  *height = ceil (h + 2 * style->padding);
}
