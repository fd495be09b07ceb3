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

/* the bar chart of the most probable classes, under the input */
static void
draw_probs (const CnnPanelActivations *p, const CnnRenderStyle *style, cairo_t *cr,
            const CnnRect *area)
{
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
  cnn_render_bar_chart (&chart, style, cr, area);
}

/* the color range of the maps drawn with one scale: all maps, or the
 * enlarged one */
static void
shared_range (const CnnPanelActivations *p, double *lo, double *hi)
{
  const gsize plane = (gsize) p->map_h * p->map_w;
  if (p->enlarge)
    cnn_colormap_range (p->maps + (gsize) p->map * plane, plane, CNN_SCALE_MINMAX, lo, hi);
  else
    cnn_colormap_range (p->maps, p->n_maps * plane, CNN_SCALE_MINMAX, lo, hi);
}

static gboolean
has_color_bar (const CnnPanelActivations *p)
{
  return p->shared_scale || p->enlarge;
}

static void
make_grid (const CnnPanelActivations *p, char **captions, CellData *d, CnnGrid *grid)
{
  int rows, cols;
  grid_shape (p, &rows, &cols);
  *grid = (CnnGrid) {
    .rows = rows, .cols = cols, .cell_aspect = (double) p->map_w / p->map_h,
    .captions = (const char *const *) captions, .draw_cell = draw_map, .data = d,
  };
}

/* the right part: maps, less the color bar */
static void
layout_parts (const CnnPanelActivations *p, const CnnRenderStyle *style, cairo_t *cr,
              double width, double height, double lo, double hi, CnnActivationsLayout *l,
              CnnRect *probs, CnnRect *bar)
{
  *l = (CnnActivationsLayout) { 0 };
  CnnRect area = cnn_rect (0, 0, width, height);
  area = cnn_rect_inset (&area, style->padding);
  double title_w = 0, title_h = 0;
  cnn_render_title_size (cr, style, p->title, &title_w, &title_h);
  area = cnn_rect (area.x, area.y + title_h, area.width, area.height - title_h);

  double left_w = MIN (0.32 * area.width, 0.6 * area.height);
  double side = MIN (left_w, 0.5 * area.height);
  CnnRect img = cnn_rect (area.x, area.y, side, side);
  l->input = cnn_rect_fit (&img, (double) p->w / p->h);
  double top = l->input.y + l->input.height + style->padding;
  *probs = cnn_rect (area.x, top, left_w, area.y + area.height - top);

  double gap = 2 * style->padding;
  CnnRect right = cnn_rect (area.x + left_w + gap, area.y, area.width - left_w - gap, area.height);
  *bar = cnn_rect (0, 0, 0, 0);
  if (has_color_bar (p))
    {
      double bar_w = cnn_colormap_bar_width (cr, style, lo, hi, "activation");
      *bar = cnn_rect (right.x + right.width - bar_w, right.y, bar_w, right.height);
      right.width -= bar_w + style->padding;
    }
  l->maps = right;
  if (p->enlarge)
    {
      /* a caption line under the map */
      CnnRect room = cnn_rect (right.x, right.y, right.width,
                               right.height - 1.6 * style->label_size);
      l->enlarged = cnn_rect_fit (&room, (double) p->map_w / p->map_h);
    }
  else
    {
      CnnGrid grid;
      make_grid (p, NULL, NULL, &grid);
      /* captions take room: lay out with them, as drawn */
      g_auto (GStrv) captions = map_captions (p, grid.rows * grid.cols);
      grid.captions = (const char *const *) captions;
      cnn_grid_layout (&grid, style, cr, &right, &l->grid);
    }
}

void
cnn_panel_activations_layout (const CnnPanelActivations *panel, const CnnRenderStyle *style,
                              cairo_t *cr, double width, double height, CnnActivationsLayout *layout)
{
  double lo, hi;
  shared_range (panel, &lo, &hi);
  CnnRect probs, bar;
  layout_parts (panel, style, cr, width, height, lo, hi, layout, &probs, &bar);
}

static gboolean
in_rect (const CnnRect *r, double x, double y)
{
  return r->width > 0 && x >= r->x && x < r->x + r->width && y >= r->y && y < r->y + r->height;
}

CnnActivationsHit
cnn_panel_activations_hit (const CnnPanelActivations *p, const CnnActivationsLayout *l, double px,
                           double py, int *map, double *y, double *x)
{
  if (in_rect (&l->input, px, py))
    {
      *y = (py - l->input.y) / l->input.height * p->h;
      *x = (px - l->input.x) / l->input.width * p->w;
      return CNN_ACTIVATIONS_HIT_INPUT;
    }
  CnnRect cell = l->enlarged;
  int index = p->map;
  if (!p->enlarge)
    {
      if (!(l->grid.cell_w > 0))
        return CNN_ACTIVATIONS_HIT_NONE;
      int col = (int) floor ((px - l->grid.x0) / l->grid.step_x);
      int row = (int) floor ((py - l->grid.y0) / l->grid.step_y);
      if (row < 0 || col < 0 || row >= l->grid.rows || col >= l->grid.cols)
        return CNN_ACTIVATIONS_HIT_NONE;
      index = row * l->grid.cols + col;
      cnn_grid_layout_cell (&l->grid, row, col, &cell);
    }
  if (index < 0 || index >= p->n_maps || !in_rect (&cell, px, py))
    return CNN_ACTIVATIONS_HIT_NONE;
  *map = index;
  *y = (py - cell.y) / cell.height * p->map_h;
  *x = (px - cell.x) / cell.width * p->map_w;
  return CNN_ACTIVATIONS_HIT_MAP;
}

/* an outline that shows on any colormap: dark under light */
static void
outline (cairo_t *cr, double x, double y, double w, double h)
{
  cairo_save (cr);
  cairo_rectangle (cr, x, y, w, h);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_set_line_width (cr, 3);
  cairo_stroke_preserve (cr);
  cairo_set_source_rgb (cr, 1.0, 0.35, 0.1);
  cairo_set_line_width (cr, 1.5);
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
mark_unit (const CnnPanelActivations *p, cairo_t *cr, const CnnRect *cell)
{
  double sy = cell->height / p->map_h, sx = cell->width / p->map_w;
  outline (cr, cell->x + p->unit_x * sx, cell->y + p->unit_y * sy, sx, sy);
}

/* the receptive field on the input, cut to the image (the network padded
 * the rest) */
static void
mark_field (const CnnPanelActivations *p, cairo_t *cr, const CnnRect *img)
{
  double sy = img->height / p->h, sx = img->width / p->w;
  int y0 = MAX (p->field_y0, 0), x0 = MAX (p->field_x0, 0);
  int y1 = MIN (p->field_y0 + p->field_h, p->h), x1 = MIN (p->field_x0 + p->field_w, p->w);
  if (y1 <= y0 || x1 <= x0)
    return;
  outline (cr, img->x + x0 * sx, img->y + y0 * sy, (x1 - x0) * sx, (y1 - y0) * sy);
}

void
cnn_panel_activations_draw (const CnnPanelActivations *panel, const CnnRenderStyle *style,
                            cairo_t *cr, double width, double height)
{
  g_return_if_fail (panel && panel->image && panel->maps && panel->n_maps >= 1);
  g_return_if_fail (!(panel->enlarge || panel->mark_unit) || (panel->map >= 0 && panel->map < panel->n_maps));
  CellData d = { panel, 0, 1 };
  shared_range (panel, &d.lo, &d.hi);
  CnnActivationsLayout l;
  CnnRect probs, bar;
  layout_parts (panel, style, cr, width, height, d.lo, d.hi, &l, &probs, &bar);

  CnnRect area = cnn_rect (0, 0, width, height);
  area = cnn_rect_inset (&area, style->padding);
  cnn_render_title (cr, style, panel->title, &area);
  cnn_render_draw_bytes (cr, panel->image, panel->c, panel->h, panel->w, &l.input);
  if (panel->mark_field)
    mark_field (panel, cr, &l.input);
  draw_probs (panel, style, cr, &probs);
  if (has_color_bar (panel))
    cnn_colormap_draw_bar (cr, style, CNN_COLORMAP_VIRIDIS, d.lo, d.hi, "activation", &bar);

  if (panel->enlarge)
    {
      draw_map (cr, panel->map, &l.enlarged, &d);
      g_autofree char *caption = NULL;
      if (panel->mark_unit)
        {
          const float *map = panel->maps + (gsize) panel->map * panel->map_h * panel->map_w;
          float value = map[panel->unit_y * panel->map_w + panel->unit_x];   /* (map_h, map_w) */
          caption = g_strdup_printf ("channel %d · unit (%d, %d): %.3g%s", panel->map, panel->unit_y,
                                     panel->unit_x, value,
                                     panel->mark_field ? " · its receptive field is outlined on the input" : "");
        }
      else
        caption = g_strdup_printf ("channel %d · click a unit to see what it sees", panel->map);
      cnn_render_text (cr, style, CNN_TEXT_LABEL, &style->muted, caption,
                       l.enlarged.x + 0.5 * l.enlarged.width,
                       l.enlarged.y + l.enlarged.height + 2, 0.5, 0.0, l.enlarged.width);
      if (panel->mark_unit)
        mark_unit (panel, cr, &l.enlarged);
      return;
    }
  CnnGrid grid;
  make_grid (panel, NULL, &d, &grid);
  g_auto (GStrv) captions = map_captions (panel, grid.rows * grid.cols);
  grid.captions = (const char *const *) captions;
  cnn_grid_draw (&grid, style, cr, &l.maps);
  if (panel->mark_unit && l.grid.cell_w > 0)
    {
      CnnRect cell;
      cnn_grid_layout_cell (&l.grid, panel->map / grid.cols, panel->map % grid.cols, &cell);
      mark_unit (panel, cr, &cell);
    }
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
