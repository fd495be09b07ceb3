#include "cnn-panel-activations.h"

#include <math.h>
#include <string.h>

#include "cnn-colormap.h"
#include "cnn-render-bars.h"
#include "cnn-render-grid.h"
#include "cnn-render-text.h"

/* the classes shown in the bar chart: the most probable first, at most 10 */
#define MAX_BARS 10

typedef struct
{
  const CnnPanelActivations *panel;
  double                     lo, hi;   /* the shared range */
} CellData;

static void
draw_map (cairo_t *cr, int index, const CnnRect *cell, gpointer data)
{
  const CellData *d = data;
  const CnnPanelActivations *p = d->panel;
  if (index >= p->n_maps)
    return;
  const gsize plane = (gsize) p->map_h * p->map_w;
  const float *map = p->maps + (gsize) index * plane;   /* (map_h, map_w) */
  double lo = d->lo, hi = d->hi;
  if (!p->shared_scale)
    cnn_colormap_range (map, plane, CNN_SCALE_MINMAX, &lo, &hi);
  cnn_colormap_draw_values (cr, map, p->map_h, p->map_w, CNN_COLORMAP_VIRIDIS, lo, hi, cell);
}

static void
grid_shape (const CnnPanelActivations *p, int *rows, int *cols)
{
  /* about square overall */
  *cols = MAX (1, (int) ceil (sqrt ((double) p->n_maps)));
  *rows = (p->n_maps + *cols - 1) / *cols;
}

static char **
map_captions (const CnnPanelActivations *p, int cells)
{
  char **captions = g_new0 (char *, cells + 1);
  for (int i = 0; i < cells; i++)
    captions[i] = i < p->n_maps ? g_strdup_printf ("%d", i) : g_strdup ("");
  return captions;
}

/* the bar chart's classes, most probable first (ties: the lower class) */
static gint
by_probability (gconstpointer a, gconstpointer b, gpointer data)
{
  const float *probs = data;
  int i = *(const int *) a, j = *(const int *) b;
  if (probs[i] != probs[j])
    return probs[i] > probs[j] ? -1 : 1;
  return (i > j) - (i < j);
}

static int
top_classes (const CnnPanelActivations *p, int *order)
{
  g_autofree int *all = g_new (int, p->n_classes);
  for (int k = 0; k < p->n_classes; k++)
    all[k] = k;
  g_qsort_with_data (all, p->n_classes, sizeof (int), by_probability, (gpointer) p->probs);
  int n = MIN (p->n_classes, MAX_BARS);
  memcpy (order, all, n * sizeof (int));
  return n;
}

static void
draw_input_and_probs (const CnnPanelActivations *p, const CnnRenderStyle *style, cairo_t *cr,
                      const CnnRect *area)
{
  double side = MIN (area->width, 0.5 * area->height);
  CnnRect img = cnn_rect (area->x, area->y, side, side);
  img = cnn_rect_fit (&img, (double) p->w / p->h);
  cnn_render_draw_bytes (cr, p->image, p->c, p->h, p->w, &img);
  if (p->probs == NULL || p->n_classes < 1)
    return;
  int order[MAX_BARS];
  int n = top_classes (p, order);
  double values[MAX_BARS];
  g_autofree char **labels = g_new0 (char *, n + 1);
  g_auto (GStrv) owned = g_new0 (char *, n + 1);
  for (int i = 0; i < n; i++)
    {
      values[i] = p->probs[order[i]];
      owned[i] = p->class_names && p->class_names[order[i]] ? g_strdup (p->class_names[order[i]])
                                                            : g_strdup_printf ("%d", order[i]);
      labels[i] = owned[i];
    }
  CnnBarChart chart = { .n = n, .values = values, .labels = (const char *const *) labels,
                        .value_label = "probability", .show_values = TRUE };
  double top = img.y + img.height + style->padding;
  CnnRect bars = cnn_rect (area->x, top, area->width, area->y + area->height - top);
  cnn_render_bar_chart (&chart, style, cr, &bars);
}

void
cnn_panel_activations_draw (const CnnPanelActivations *panel, const CnnRenderStyle *style,
                            cairo_t *cr, double width, double height)
{
  g_return_if_fail (panel && panel->image && panel->maps && panel->n_maps >= 1);
  CnnRect area = cnn_rect (0, 0, width, height);
  area = cnn_rect_inset (&area, style->padding);
  cnn_render_title (cr, style, panel->title, &area);
  double left_w = MIN (0.32 * area.width, 0.6 * area.height);
  CnnRect left = cnn_rect (area.x, area.y, left_w, area.height);
  draw_input_and_probs (panel, style, cr, &left);

  int rows, cols;
  grid_shape (panel, &rows, &cols);
  g_auto (GStrv) captions = map_captions (panel, rows * cols);
  CellData d = { panel, 0, 1 };
  cnn_colormap_range (panel->maps, (gsize) panel->n_maps * panel->map_h * panel->map_w,
                      CNN_SCALE_MINMAX, &d.lo, &d.hi);
  CnnGrid grid = {
    .rows = rows, .cols = cols, .cell_aspect = (double) panel->map_w / panel->map_h,
    .captions = (const char *const *) captions, .draw_cell = draw_map, .data = &d,
  };
  double gap = 2 * style->padding;
  CnnRect right = cnn_rect (area.x + left_w + gap, area.y, area.width - left_w - gap, area.height);
  if (panel->shared_scale)
    {
      /* one color bar for the shared range */
      double bar_w = cnn_colormap_bar_width (cr, style, d.lo, d.hi, "activation");
      CnnRect bar = cnn_rect (right.x + right.width - bar_w, right.y, bar_w, right.height);
      cnn_colormap_draw_bar (cr, style, CNN_COLORMAP_VIRIDIS, d.lo, d.hi, "activation", &bar);
      right.width -= bar_w + style->padding;
    }
  cnn_grid_draw (&grid, style, cr, &right);
}

void
cnn_panel_activations_natural_size (const CnnPanelActivations *panel, const CnnRenderStyle *style,
                                    double *width, double *height)
{
  int rows, cols;
  grid_shape (panel, &rows, &cols);
  /* maps of 14 px at about 5×, capped so 64 maps still fit a slide */
  double cell = CLAMP (720.0 / MAX (rows, cols), 40.0, 96.0);
  double grid_h = rows * (cell + 1.6 * style->small_size + style->padding);
  double h = MAX (grid_h, 480.0) + 2 * style->padding + 2.2 * style->title_size;
  double w = cols * (cell + style->padding) + 0.5 * h + 6 * style->padding;
  *width = ceil (MAX (w, 720.0));
  *height = ceil (h);
}
