/* cnn-panel-filters.c: a convolution layer's kernels as pictures. Signed
 * weights use the diverging map around zero, so an edge detector reads as
 * warm against cool; color filters are shown as the RGB patch that excites
 * them most (zero is mid gray). */
#include "cnn-panel-filters.h"

#include <math.h>
#include <string.h>

#include "cnn-colormap.h"
#include "cnn-error.h"
#include "cnn-render-grid.h"
#include "cnn-render-text.h"

int
cnn_filters_find_layer (const CnnNetwork *net)
{
  g_return_val_if_fail (net != NULL, -1);
  for (int i = 0; i < cnn_network_get_n_layers (net); i++)
    if (strcmp (cnn_network_get_layer (net, i)->klass->name, "conv2d") == 0)
      return i;
  return -1;
}

CnnFiltersData *
cnn_filters_data_new_from_weights (const char *layer_name, const float *weights, int c_out,
                                   int c_in, int kh, int kw)
{
  g_return_val_if_fail (c_out >= 0 && c_in >= 1 && kh >= 1 && kw >= 1, NULL);
  g_return_val_if_fail (c_out == 0 || weights != NULL, NULL);
  g_return_val_if_fail ((double) c_out * c_in * kh * kw < (double) G_MAXINT, NULL);
  CnnFiltersData *d = g_new0 (CnnFiltersData, 1);
  d->layer_name = g_strdup (layer_name);
  d->c_out = c_out;
  d->c_in = c_in;
  d->kh = kh;
  d->kw = kw;
  if (c_out > 0)
    d->weights = g_memdup2 (weights, (gsize) c_out * c_in * kh * kw * sizeof (float));
  return d;
}

CnnFiltersData *
cnn_filters_data_new (const CnnNetwork *net, const float *params, int layer, GError **error)
{
  g_return_val_if_fail (net != NULL, NULL);
  if (layer < 0)
    layer = cnn_filters_find_layer (net);
  if (layer < 0)
    {
      CnnFiltersData *d = g_new0 (CnnFiltersData, 1);
      d->c_in = d->kh = d->kw = 1;
      d->message = g_strdup ("This model has no convolution layer, so it has no filters to show: "
                             "its first layer looks at the whole image at once.");
      return d;
    }
  if (layer >= cnn_network_get_n_layers (net))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "the model has no layer %d", layer);
      return NULL;
    }
  const CnnLayer *l = cnn_network_get_layer (net, layer);
  int h_filters = cnn_layer_class_find_hyper (l->klass, "filters");
  int h_kernel = cnn_layer_class_find_hyper (l->klass, "kernel");
  if (strcmp (l->klass->name, "conv2d") != 0 || h_filters < 0 || h_kernel < 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "%s is a %s layer, not a conv2d: it has no filters to show", l->name, l->klass->name);
      return NULL;
    }
  int c_out = l->hp[h_filters].i[0], kh = l->hp[h_kernel].i[0], kw = l->hp[h_kernel].i[1];
  /* a grouped convolution's filter sees in_shape.c / groups channels (one
   * when depthwise): its weights are (c_out, c_in / groups, kh, kw) */
  int h_groups = cnn_layer_class_find_hyper (l->klass, "groups");
  int groups = h_groups >= 0 ? l->hp[h_groups].i[0] : 1;
  if (groups < 1 || l->in_shape[0].c % groups != 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_SHAPE, "%s has groups=%d, which does not divide its %d "
                   "input channels", l->name, groups, l->in_shape[0].c);
      return NULL;
    }
  int c_in = l->in_shape[0].c / groups;
  gsize n = (gsize) c_out * c_in * kh * kw;
  if (l->n_params < n)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_SHAPE, "%s holds %zu weights, fewer than %d×%d×%d×%d",
                   l->name, l->n_params, c_out, c_in, kh, kw);
      return NULL;
    }
  /* a snapshot is a copy of the whole arena: the layer sits at the same offset */
  const float *w = l->params;   /* (c_out, c_in, kh, kw) */
  if (params != NULL)
    w = params + (l->params - cnn_network_get_params ((CnnNetwork *) net));
  return cnn_filters_data_new_from_weights (l->name, w, c_out, c_in, kh, kw);
}

void
cnn_filters_data_free (CnnFiltersData *d)
{
  if (d == NULL)
    return;
  g_free (d->layer_name);
  g_free (d->weights);
  g_free (d->title);
  g_free (d->message);
  g_free (d);
}

gboolean
cnn_filter_scale_parse (const char *text, CnnFilterScale *scale, GError **error)
{
  if (g_strcmp0 (text, "filter") == 0)
    *scale = CNN_FILTER_SCALE_FILTER;
  else if (g_strcmp0 (text, "shared") == 0)
    *scale = CNN_FILTER_SCALE_SHARED;
  else
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "--scale takes filter (each filter to its own range) or shared, not “%s”",
                   text ? text : "");
      return FALSE;
    }
  return TRUE;
}

/* Layout: the grid of kernels, a color bar at its right (not for RGB),
 * a caption underneath. */

typedef enum { MODE_GRAY, MODE_RGB, MODE_CHANNELS } Mode;

typedef struct
{
  const CnnFiltersData *d;
  Mode    mode;
  int     n_shown, ch_shown;     /* filters and input channels drawn */
  float  *scale;                 /* (c_out) max |w| each filter is mapped with */
  char  **row_labels, **col_labels, **captions;
  CnnGrid grid;
  CnnRect grid_area, bar;        /* bar.width == 0: none */
  char   *caption;
} Plan;

static Mode
mode_of (const CnnFiltersData *d)
{
  return d->c_in == 1 ? MODE_GRAY : d->c_in == 3 ? MODE_RGB : MODE_CHANNELS;
}

static float
max_abs (const float *w, gsize n)
{
  float m = 0;
  for (gsize i = 0; i < n; i++)
    if (isfinite (w[i]))
      m = MAX (m, fabsf (w[i]));
  return m > 0 ? m : 1.0f;   /* all zero: any scale draws them gray */
}

static void
draw_cell (cairo_t *cr, int index, const CnnRect *cell, gpointer data)
{
  const Plan *p = data;
  const CnnFiltersData *d = p->d;
  int f, ch;
  if (p->mode == MODE_CHANNELS)
    {
      ch = index / p->grid.cols;
      f = index % p->grid.cols;
    }
  else
    {
      f = index;
      ch = 0;
    }
  if (f >= p->n_shown || ch >= p->ch_shown)
    return;
  gsize k = (gsize) d->kh * d->kw;
  const float *w = d->weights + (gsize) f * d->c_in * k;   /* (c_in, kh, kw) */
  double m = p->scale[f];
  if (p->mode != MODE_RGB)
    {
      cnn_colormap_draw_values (cr, w + ch * k, d->kh, d->kw, CNN_COLORMAP_DIVERGING, -m, m, cell);
      return;
    }
  cairo_surface_t *img = cairo_image_surface_create (CAIRO_FORMAT_RGB24, d->kw, d->kh);
  if (cairo_surface_status (img) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (img);
      return;
    }
  cairo_surface_flush (img);
  guint8 *px = cairo_image_surface_get_data (img);
  int stride = cairo_image_surface_get_stride (img);
  for (int y = 0; y < d->kh; y++)
    for (int x = 0; x < d->kw; x++)
      {
        guint32 rgb = 0;
        for (int c = 0; c < 3; c++)
          {
            double v = w[c * k + (gsize) y * d->kw + x];
            double t = isfinite (v) ? CLAMP (0.5 + 0.5 * v / m, 0.0, 1.0) : 0.5;
            rgb = rgb << 8 | (guint32) lround (255 * t);
          }
        ((guint32 *) (px + (gsize) y * stride))[x] = 0xff000000u | rgb;
      }
  cairo_surface_mark_dirty (img);
  cnn_render_draw_surface_nearest (cr, img, cell);
  cairo_surface_destroy (img);
}

static char *
make_caption (const Plan *p)
{
  const CnnFiltersData *d = p->d;
  GString *s = g_string_new (NULL);
  g_string_append_printf (s, "%s: %d filters of %d×%d over %d input channel%s (weights %d×%d×%d×%d). ",
                          d->layer_name ? d->layer_name : "conv2d", d->c_out, d->kh, d->kw, d->c_in,
                          d->c_in == 1 ? "" : "s", d->c_out, d->c_in, d->kh, d->kw);
  if (p->mode == MODE_RGB)
    g_string_append (s, "Shown as RGB patches: zero is mid gray. ");
  else if (p->mode == MODE_CHANNELS)
    g_string_append (s, "One row per input channel. ");
  g_string_append (s, d->scale == CNN_FILTER_SCALE_SHARED
                      ? "One scale for all filters: compares their strength."
                      : "Each filter scaled to its own largest absolute weight.");
  if (p->n_shown < d->c_out)
    g_string_append_printf (s, " Showing the first %d of %d filters.", p->n_shown, d->c_out);
  if (p->mode == MODE_CHANNELS && p->ch_shown < d->c_in)
    g_string_append_printf (s, " Showing the first %d of %d input channels.", p->ch_shown, d->c_in);
  return g_string_free (s, FALSE);
}

/* Columns that make cells largest in `area` (gray and RGB grids). */
static int
best_cols (int n, double aspect, double width, double height)
{
  int best = 1;
  double best_size = 0;
  for (int cols = 1; cols <= n; cols++)
    {
      int rows = (n + cols - 1) / cols;
      double size = MIN (width / cols / aspect, height / rows);
      if (size > best_size * 1.0001)
        {
          best_size = size;
          best = cols;
        }
    }
  return best;
}

static void
plan_clear (Plan *p)
{
  g_free (p->scale);
  g_strfreev (p->row_labels);
  g_strfreev (p->col_labels);
  g_strfreev (p->captions);
  g_free (p->caption);
}

/* The grid's labels for `cols` columns. */
static void
plan_grid (Plan *p, int cols)
{
  const CnnFiltersData *d = p->d;
  g_strfreev (p->row_labels);
  g_strfreev (p->col_labels);
  g_strfreev (p->captions);
  p->row_labels = p->col_labels = p->captions = NULL;
  CnnGrid *g = &p->grid;
  *g = (CnnGrid) { .cell_aspect = (double) d->kw / d->kh, .draw_cell = draw_cell, .data = p };
  if (p->mode == MODE_CHANNELS)
    {
      g->rows = p->ch_shown;
      g->cols = p->n_shown;
      p->row_labels = g_new0 (char *, g->rows + 1);
      for (int r = 0; r < g->rows; r++)
        p->row_labels[r] = g_strdup_printf ("in %d", r + 1);
      if (g->cols <= 32)
        {
          p->col_labels = g_new0 (char *, g->cols + 1);
          for (int c = 0; c < g->cols; c++)
            p->col_labels[c] = g_strdup_printf ("%d", c + 1);
        }
    }
  else
    {
      g->cols = CLAMP (cols, 1, p->n_shown);
      g->rows = (p->n_shown + g->cols - 1) / g->cols;
      /* filter numbers under the cells while they are few enough to read */
      if (p->n_shown <= 64)
        {
          p->captions = g_new0 (char *, g->rows * g->cols + 1);
          for (int i = 0; i < g->rows * g->cols; i++)
            p->captions[i] = i < p->n_shown ? g_strdup_printf ("%d", i + 1) : g_strdup ("");
        }
    }
  g->row_labels = (const char *const *) p->row_labels;
  g->col_labels = (const char *const *) p->col_labels;
  g->captions = (const char *const *) p->captions;
}

static double
bar_width (const Plan *p, cairo_t *cr, const CnnRenderStyle *style, double *lo, double *hi,
           const char **label)
{
  *lo = -1;
  *hi = 1;
  *label = NULL;
  if (p->mode == MODE_RGB)
    return 0;
  if (p->d->scale == CNN_FILTER_SCALE_SHARED)
    {
      *hi = p->scale[0];
      *lo = -*hi;
      *label = "weight";
    }
  else
    {
      *lo = -1;
      *hi = 1;
      *label = "relative weight";
    }
  return style->padding + cnn_colormap_bar_width (cr, style, *lo, *hi, *label);
}

static void
plan_init (Plan *p, const CnnFiltersData *d)
{
  memset (p, 0, sizeof *p);
  p->d = d;
  p->mode = mode_of (d);
  p->n_shown = MIN (d->c_out, CNN_FILTERS_MAX_SHOWN);
  p->ch_shown = p->mode == MODE_CHANNELS ? MIN (d->c_in, CNN_FILTERS_MAX_CHANNELS) : 1;
  gsize per = (gsize) d->c_in * d->kh * d->kw;
  p->scale = g_new (float, MAX (d->c_out, 1));
  float shared = max_abs (d->weights, (gsize) d->c_out * per);
  for (int f = 0; f < d->c_out; f++)
    p->scale[f] = d->scale == CNN_FILTER_SCALE_SHARED ? shared : max_abs (d->weights + f * per, per);
  p->caption = make_caption (p);
}

/* Places the grid, bar and caption in width × height. */
static void
plan_layout (Plan *p, const CnnRenderStyle *style, cairo_t *cr, double width, double height,
             double *text_y)
{
  CnnRect area = cnn_rect (0, 0, width, height);
  area = cnn_rect_inset (&area, style->padding);
  if (p->d->title && p->d->title[0])
    {
      double used = MIN (cnn_render_text_line_height (cr, style, CNN_TEXT_TITLE) + style->padding,
                         area.height);
      area.y += used;
      area.height -= used;
    }
  double text_h = cnn_render_paragraph_height (cr, style, CNN_TEXT_SMALL, p->caption, area.width);
  *text_y = area.y + area.height - text_h;
  area.height = MAX (area.height - text_h - style->padding, 0);
  double lo, hi;
  const char *label;
  double bw = bar_width (p, cr, style, &lo, &hi, &label);
  CnnRect cells = cnn_rect (area.x, area.y, area.width - bw, area.height);
  int cols = best_cols (p->n_shown, (double) p->d->kw / p->d->kh, cells.width, cells.height);
  plan_grid (p, cols);
  /* centered in the width left of the bar, the grid and its bar are
   * centered together */
  p->grid_area = cells;
  CnnGridLayout l;
  cnn_grid_layout (&p->grid, style, cr, &cells, &l);
  p->bar = cnn_rect (0, 0, 0, 0);
  if (bw > 0 && l.cell_w > 0)
    {
      double grid_right = l.x0 + l.cols * l.cell_w + (l.cols - 1) * style->gap;
      double top = l.y0, bottom = l.y0 + (l.rows - 1) * l.step_y + l.cell_h;
      /* a bar as tall as the grid, but tall enough for its ticks and label
       * beside a single row */
      double want = MIN (cells.height, 9 * style->label_size);
      if (bottom - top < want)
        {
          double mid = 0.5 * (top + bottom);
          top = CLAMP (mid - 0.5 * want, cells.y, cells.y + cells.height - want);
          bottom = top + want;
        }
      p->bar = cnn_rect (grid_right + style->padding, top, bw - style->padding, bottom - top);
    }
}

void
cnn_panel_filters_draw (const CnnFiltersData *d, const CnnRenderStyle *style, cairo_t *cr,
                        double width, double height)
{
  g_return_if_fail (d != NULL && style != NULL && cr != NULL);
  CnnRect area = cnn_rect (0, 0, width, height);
  area = cnn_rect_inset (&area, style->padding);
  cnn_render_title (cr, style, d->title, &area);
  if (d->c_out == 0 || d->weights == NULL)
    {
      const char *msg = d->message ? d->message : "No filters to show.";
      double w = MIN (area.width, 36 * style->label_size);
      double h = cnn_render_paragraph_height (cr, style, CNN_TEXT_LABEL, msg, w);
      cnn_render_paragraph (cr, style, CNN_TEXT_LABEL, &style->muted, msg,
                            area.x + 0.5 * (area.width - w), area.y + 0.5 * (area.height - h), w);
      return;
    }
  Plan p;
  plan_init (&p, d);
  double text_y;
  plan_layout (&p, style, cr, width, height, &text_y);
  cnn_grid_draw (&p.grid, style, cr, &p.grid_area);
  if (p.bar.width > 0)
    {
      double lo, hi;
      const char *label;
      bar_width (&p, cr, style, &lo, &hi, &label);
      cnn_colormap_draw_bar (cr, style, CNN_COLORMAP_DIVERGING, lo, hi, label, &p.bar);
    }
  cnn_render_paragraph (cr, style, CNN_TEXT_SMALL, NULL, p.caption, area.x, text_y, area.width);
  plan_clear (&p);
}

gboolean
cnn_panel_filters_cell (const CnnFiltersData *d, const CnnRenderStyle *style, cairo_t *cr,
                        double width, double height, int f, int ch, CnnRect *cell)
{
  g_return_val_if_fail (d != NULL && cell != NULL, FALSE);
  if (d->c_out == 0 || f < 0 || ch < 0)
    return FALSE;
  Plan p;
  plan_init (&p, d);
  double text_y;
  plan_layout (&p, style, cr, width, height, &text_y);
  gboolean ok = FALSE;
  CnnGridLayout l;
  cnn_grid_layout (&p.grid, style, cr, &p.grid_area, &l);
  if (f < p.n_shown && ch < p.ch_shown && l.cell_w > 0)
    {
      int row = p.mode == MODE_CHANNELS ? ch : f / p.grid.cols;
      int col = p.mode == MODE_CHANNELS ? f : f % p.grid.cols;
      cnn_grid_layout_cell (&l, row, col, cell);
      ok = TRUE;
    }
  plan_clear (&p);
  return ok;
}

void
cnn_panel_filters_natural_size (const CnnFiltersData *d, const CnnRenderStyle *style,
                                double *width, double *height)
{
  g_return_if_fail (d != NULL && style != NULL);
  double k = MAX (1.0, style->label_size / cnn_render_style_get (CNN_RENDER_STYLE_LIGHT)->label_size);
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t *cr = cairo_create (s);
  double w, h;
  if (d->c_out == 0 || d->weights == NULL)
    {
      w = k * 520;
      h = k * 200;
    }
  else
    {
      Plan p;
      plan_init (&p, d);
      /* a wide grid: about twice as many columns as rows */
      int cols = p.mode == MODE_CHANNELS ? p.n_shown
                 : MIN (p.n_shown, (int) ceil (sqrt (2.0 * p.n_shown)));
      plan_grid (&p, cols);
      double cell_h = p.mode == MODE_CHANNELS ? CLAMP (8.0 * d->kh, 24.0, 64.0)
                                              : CLAMP (20.0 * d->kh, 64.0, 120.0);
      cell_h *= k;
      /* few rows: taller cells, so the color bar beside them has room */
      if (p.mode != MODE_RGB)
        cell_h = MAX (cell_h, MIN (9 * style->label_size / p.grid.rows, 2 * cell_h));
      double gw, gh, lo, hi;
      const char *label;
      cnn_grid_natural_size (&p.grid, style, cr, cell_h, &gw, &gh);
      w = gw + bar_width (&p, cr, style, &lo, &hi, &label);
      /* room for the caption in a few lines */
      w = MAX (w, k * 420);
      h = gh + style->padding
          + cnn_render_paragraph_height (cr, style, CNN_TEXT_SMALL, p.caption, w);
      plan_clear (&p);
    }
  cnn_render_title_size (cr, style, d->title, &w, &h);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
  *width = ceil (w + 2 * style->padding);
  *height = ceil (h + 2 * style->padding);
}
