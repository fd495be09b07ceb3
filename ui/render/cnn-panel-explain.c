#include "cnn-panel-explain.h"

#include <math.h>
#include <string.h>

#include "cnn-colormap.h"
#include "cnn-render-bars.h"
#include "cnn-render-text.h"

/* the probability chart: the three most probable classes */
#define N_BARS 3

void
cnn_panel_explain_map_range (const CnnPanelExplainMap *map, int h, int w, double *lo, double *hi)
{
  const gsize n = (gsize) h * w;
  if (map->is_signed)
    cnn_colormap_range (map->values, n, CNN_SCALE_SYMMETRIC, lo, hi);
  else
    {
      /* magnitudes from 0, so that equal colors mean equal values across images */
      double a, b;
      cnn_colormap_range (map->values, n, CNN_SCALE_MINMAX, &a, &b);
      *lo = 0;
      *hi = b > 0 ? b : 1;
    }
}

static const char *
unit_of (const CnnPanelExplainMap *m)
{
  return m->unit ? m->unit : "";
}

/* the lines under each map and under the image */
static double
footer_height (const CnnRenderStyle *style)
{
  return 3.2 * style->small_size * 1.25;
}

static double
chart_height (const CnnRenderStyle *style)
{
  return N_BARS * 2.0 * style->label_size + 3.0 * style->small_size + style->padding;
}

void
cnn_panel_explain_layout (const CnnPanelExplain *panel, const CnnRenderStyle *style, cairo_t *cr,
                          double width, double height, CnnPanelExplainLayout *layout)
{
  memset (layout, 0, sizeof *layout);
  CnnRect area = cnn_rect (0, 0, width, height);
  area = cnn_rect_inset (&area, style->padding);
  if (panel->title && panel->title[0])
    {
      /* what cnn_render_title takes */
      double used = MIN (cnn_render_text_line_height (cr, style, CNN_TEXT_TITLE) + style->padding, area.height);
      area.y += used;
      area.height -= used;
    }
  const int n_maps = CLAMP (panel->n_maps, 0, CNN_PANEL_EXPLAIN_MAX_MAPS);
  const double aspect = (double) panel->w / panel->h;
  const double header = 1.6 * style->label_size;
  const double gap = 2 * style->padding;
  double bar_w[CNN_PANEL_EXPLAIN_MAX_MAPS], fixed = 0;
  for (int i = 0; i < n_maps; i++)
    {
      double lo, hi;
      cnn_panel_explain_map_range (&panel->maps[i], panel->h, panel->w, &lo, &hi);
      bar_w[i] = cnn_colormap_bar_width (cr, style, lo, hi, unit_of (&panel->maps[i]));
      fixed += gap + style->padding + bar_w[i];
    }
  /* every column as wide as the tallest image the height allows */
  const int cols = 1 + n_maps;
  double cell_w = (area.width - fixed) / cols;
  const double below = MAX (footer_height (style), panel->probs ? chart_height (style) : footer_height (style));
  double cell_h = area.height - header - below;
  cell_w = MAX (MIN (cell_w, cell_h * aspect), 1.0);

  /* a tall area (the window): the maps two by two beside the image, when
   * that makes them clearly larger */
  double widest_bar = 0;
  for (int i = 0; i < n_maps; i++)
    widest_bar = MAX (widest_bar, bar_w[i]);
  const double footer = footer_height (style);
  double grid_w = (area.width - 2 * (gap + style->padding + widest_bar)) / 3;
  double grid_h = (area.height - 2 * header - 2 * footer) / 2;
  grid_w = MAX (MIN (grid_w, grid_h * aspect), 1.0);
  const gboolean grid = n_maps >= 3 && grid_w > 1.15 * cell_w;
  if (grid)
    cell_w = grid_w;
  cell_h = cell_w / aspect;

  double x = area.x, top = area.y + header;
  layout->image = cnn_rect (x, top, cell_w, cell_h);
  /* the chart no taller than it needs */
  layout->probs = cnn_rect (x, top + cell_h + style->padding, cell_w,
                            MIN (below, area.y + area.height - (top + cell_h + style->padding)));
  x += cell_w;
  for (int i = 0; i < n_maps; i++)
    {
      double mx = x + gap, my = top;
      if (grid)
        {
          mx = x + gap + (i % 2) * (cell_w + style->padding + widest_bar + gap);
          my = top + (i / 2) * (cell_h + footer + header);
        }
      layout->maps[i] = cnn_rect (mx, my, cell_w, cell_h);
      layout->bars[i] = cnn_rect (mx + cell_w + style->padding, my, bar_w[i], cell_h);
      if (!grid)
        x = mx + cell_w + style->padding + bar_w[i];
    }
}

/* the image's luminance in [0, 1] at pixel p */
static double
gray_at (const CnnPanelExplain *panel, gsize p)
{
  const gsize plane = (gsize) panel->h * panel->w;
  double v = panel->c >= 3 ? 0.299 * panel->image[p] + 0.587 * panel->image[plane + p]
                                 + 0.114 * panel->image[2 * plane + p]
                           : panel->image[p];
  return CLAMP (v / 255.0, 0.0, 1.0);
}

static void
draw_overlay (const CnnPanelExplain *panel, const CnnPanelExplainMap *m, cairo_t *cr, const CnnRect *rect)
{
  const int h = panel->h, w = panel->w;
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  if (cairo_surface_status (s) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (s);
      return;
    }
  double lo, hi;
  cnn_panel_explain_map_range (m, h, w, &lo, &hi);
  const double a = CLAMP (panel->opacity, 0.0, 1.0);
  const CnnColormap map = m->is_signed ? CNN_COLORMAP_DIVERGING : CNN_COLORMAP_VIRIDIS;
  guint8 *data = cairo_image_surface_get_data (s);
  const int stride = cairo_image_surface_get_stride (s);
  for (int y = 0; y < h; y++)
    {
      guint32 *row = (guint32 *) (data + (gsize) y * stride);
      for (int x = 0; x < w; x++)
        {
          const gsize p = (gsize) y * w + x;
          CnnColor c;
          cnn_colormap_rgb (map, (m->values[p] - lo) / (hi - lo), &c);
          double g = gray_at (panel, p);
          /* the map over a gray copy of the image at opacity a */
          guint32 r = (guint32) lround (255 * ((1 - a) * g + a * c.r));
          guint32 gg = (guint32) lround (255 * ((1 - a) * g + a * c.g));
          guint32 b = (guint32) lround (255 * ((1 - a) * g + a * c.b));
          row[x] = 0xff000000u | r << 16 | gg << 8 | b;
        }
    }
  cairo_surface_mark_dirty (s);
  cnn_render_draw_surface_nearest (cr, s, rect);
  cairo_surface_destroy (s);
}

static gboolean
listed (int seg, const int *list, int n)
{
  for (int i = 0; i < n; i++)
    if (list[i] == seg)
      return TRUE;
  return FALSE;
}

/* The outline of the superpixels in `list`: every pixel edge with one side
 * in the set and the other out (or the image border), as one path. */
static void
outline_path (const CnnPanelExplain *panel, const int *seg, const int *list, int n, cairo_t *cr,
              const CnnRect *rect)
{
  const int h = panel->h, w = panel->w;
  const double sx = rect->width / w, sy = rect->height / h;
  g_autofree gboolean *in = g_new (gboolean, (gsize) h * w);
  for (gsize p = 0; p < (gsize) h * w; p++)
    in[p] = listed (seg[p], list, n);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        gboolean here = in[(gsize) y * w + x];
        /* the left and top edges of each pixel, and the right and bottom
         * ones at the border */
        gboolean left = x > 0 ? in[(gsize) y * w + x - 1] : FALSE;
        gboolean up = y > 0 ? in[(gsize) (y - 1) * w + x] : FALSE;
        double X = rect->x + x * sx, Y = rect->y + y * sy;
        if (here != left)
          {
            cairo_move_to (cr, X, Y);
            cairo_line_to (cr, X, Y + sy);
          }
        if (here != up)
          {
            cairo_move_to (cr, X, Y);
            cairo_line_to (cr, X + sx, Y);
          }
        if (here && x == w - 1)
          {
            cairo_move_to (cr, X + sx, Y);
            cairo_line_to (cr, X + sx, Y + sy);
          }
        if (here && y == h - 1)
          {
            cairo_move_to (cr, X, Y + sy);
            cairo_line_to (cr, X + sx, Y + sy);
          }
      }
}

/* a dark line under a light one: visible on every color of the map */
static void
stroke_outline (const CnnPanelExplain *panel, const CnnPanelExplainMap *m, const int *list, int n,
                gboolean dashed, const CnnRenderStyle *style, cairo_t *cr, const CnnRect *rect)
{
  if (n < 1 || list == NULL)
    return;
  cairo_save (cr);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_SQUARE);
  double lw = style->line_width;
  if (dashed)
    {
      double dash[2] = { 3 * lw, 2 * lw };
      cairo_set_dash (cr, dash, 2, 0);
    }
  outline_path (panel, m->segments, list, n, cr, rect);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_set_line_width (cr, 2.2 * lw);
  cairo_stroke_preserve (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_set_line_width (cr, lw);
  cairo_stroke (cr);
  cairo_restore (cr);
}

static gint
by_probability (gconstpointer a, gconstpointer b, gpointer data)
{
  const float *probs = data;
  int i = *(const int *) a, j = *(const int *) b;
  if (probs[i] != probs[j])
    return probs[i] > probs[j] ? -1 : 1;
  return (i > j) - (i < j);
}

static void
draw_probs (const CnnPanelExplain *panel, const CnnRenderStyle *style, cairo_t *cr, const CnnRect *area)
{
  if (panel->probs == NULL || panel->n_classes < 1)
    return;
  g_autofree int *order = g_new (int, panel->n_classes);
  for (int k = 0; k < panel->n_classes; k++)
    order[k] = k;
  g_qsort_with_data (order, panel->n_classes, sizeof (int), by_probability, (gpointer) panel->probs);
  const int n = MIN (N_BARS, panel->n_classes);
  double values[N_BARS];
  char *labels[N_BARS + 1] = { NULL };
  for (int i = 0; i < n; i++)
    {
      values[i] = panel->probs[order[i]];
      labels[i] = panel->class_names && panel->class_names[order[i]]
                    ? g_strdup (panel->class_names[order[i]]) : g_strdup_printf ("%d", order[i]);
    }
  CnnBarChart chart = { .n = n, .values = values, .labels = (const char *const *) labels,
                        .value_label = "probability", .show_values = TRUE };
  cnn_render_bar_chart (&chart, style, cr, area);
  for (int i = 0; i < n; i++)
    g_free (labels[i]);
}

void
cnn_panel_explain_draw (const CnnPanelExplain *panel, const CnnRenderStyle *style, cairo_t *cr,
                        double width, double height)
{
  g_return_if_fail (panel && panel->image && panel->h > 0 && panel->w > 0);
  CnnPanelExplainLayout L;
  cnn_panel_explain_layout (panel, style, cr, width, height, &L);
  CnnRect area = cnn_rect (0, 0, width, height);
  area = cnn_rect_inset (&area, style->padding);
  cnn_render_title (cr, style, panel->title, &area);

  const double name_y = L.image.y - 0.4 * style->label_size;
  cnn_render_text (cr, style, CNN_TEXT_LABEL, NULL, "Input", L.image.x + 0.5 * L.image.width, name_y, 0.5, 1,
                   L.image.width);
  cnn_render_draw_byte_floats (cr, panel->image, panel->c, panel->h, panel->w, &L.image);
  if (panel->probs)
    draw_probs (panel, style, cr, &L.probs);
  else if (panel->image_caption)
    cnn_render_paragraph (cr, style, CNN_TEXT_SMALL, &style->muted, panel->image_caption, L.probs.x,
                          L.probs.y, L.probs.width);

  for (int i = 0; i < CLAMP (panel->n_maps, 0, CNN_PANEL_EXPLAIN_MAX_MAPS); i++)
    {
      const CnnPanelExplainMap *m = &panel->maps[i];
      const CnnRect *r = &L.maps[i];
      if (m->values == NULL)
        continue;
      double span = r->width + style->padding + L.bars[i].width;
      cnn_render_text (cr, style, CNN_TEXT_LABEL, NULL, m->name ? m->name : "", r->x + 0.5 * span,
                       r->y - 0.4 * style->label_size, 0.5, 1, span);
      draw_overlay (panel, m, cr, r);
      if (m->segments)
        {
          stroke_outline (panel, m, m->positive, m->n_positive, FALSE, style, cr, r);
          stroke_outline (panel, m, m->negative, m->n_negative, TRUE, style, cr, r);
        }
      double lo, hi;
      cnn_panel_explain_map_range (m, panel->h, panel->w, &lo, &hi);
      cnn_colormap_draw_bar (cr, style, m->is_signed ? CNN_COLORMAP_DIVERGING : CNN_COLORMAP_VIRIDIS, lo, hi,
                             unit_of (m), &L.bars[i]);
      if (m->settings)
        cnn_render_paragraph (cr, style, CNN_TEXT_SMALL, &style->muted, m->settings, r->x,
                              r->y + r->height + 0.6 * style->padding, span);
    }
}

void
cnn_panel_explain_natural_size (const CnnPanelExplain *panel, const CnnRenderStyle *style, double *width,
                                double *height)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t *cr = cairo_create (s);
  /* images about 180 px wide: a 28×28 input at 6×, a slide's width for four maps */
  double k = MAX (1.0, style->label_size / cnn_render_style_get (CNN_RENDER_STYLE_LIGHT)->label_size);
  const double cell = 180 * k;
  const double aspect = (double) panel->w / panel->h;
  const int n_maps = CLAMP (panel->n_maps, 0, CNN_PANEL_EXPLAIN_MAX_MAPS);
  double w = cell, h;
  for (int i = 0; i < n_maps; i++)
    {
      double lo, hi;
      cnn_panel_explain_map_range (&panel->maps[i], panel->h, panel->w, &lo, &hi);
      w += 2 * style->padding + cell + style->padding
           + cnn_colormap_bar_width (cr, style, lo, hi, unit_of (&panel->maps[i]));
    }
  double below = MAX (footer_height (style), panel->probs ? chart_height (style) : footer_height (style));
  h = 1.6 * style->label_size + cell / aspect + below;
  cnn_render_title_size (cr, style, panel->title, &w, &h);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
  *width = ceil (w + 2 * style->padding);
  *height = ceil (h + 2 * style->padding);
}
