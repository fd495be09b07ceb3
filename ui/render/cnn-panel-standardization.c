/* cnn-panel-standardization.c: mean and std images with their color bars
 * on the left, images per class on the right, the numbers underneath. The
 * statistics come from the engine's normalizer, so the pictures show what
 * training subtracts and divides by, not a second computation of it. */
#include "cnn-panel-standardization.h"

#include <math.h>

#include "cnn-colormap.h"
#include "cnn-error.h"
#include "cnn-render-axis.h"
#include "cnn-render-bars.h"
#include "cnn-render-grid.h"
#include "cnn-render-text.h"

/* the normalizer's epsilon, as in the lecture's formula */
#define STD_EPS 1e-4

CnnPanelStandardization *
cnn_panel_standardization_new (const CnnImageSet *set, int n_classes,
                               const char *const *class_names, GError **error)
{
  g_return_val_if_fail (set != NULL && n_classes >= 1 && n_classes <= 256, NULL);
  if (set->n < 1)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "the data set has no images to compute a mean and std from");
      return NULL;
    }
  g_autoptr (CnnNormalizer) pixel = cnn_normalizer_new_fit (CNN_STANDARDIZE_PIXEL, set, NULL, 0);
  g_autoptr (CnnNormalizer) channel = cnn_normalizer_new_fit (CNN_STANDARDIZE_CHANNEL, set, NULL, 0);
  int c = set->c, hw = set->h * set->w;
  gsize chw = (gsize) c * hw;

  CnnPanelStandardization *p = g_new0 (CnnPanelStandardization, 1);
  p->c = c;
  p->h = set->h;
  p->w = set->w;
  p->n_images = set->n;
  p->mean = g_new (float, chw);   /* (c, h, w) */
  p->std = g_new (float, chw);    /* (c, h, w) */
  /* the normalizer stores input = (byte - mean) * scale with mean in byte
   * units and scale = 1 / (255 (std + eps)) */
  for (gsize j = 0; j < chw; j++)
    {
      p->mean[j] = pixel->mean[j] / 255.0f;
      p->std[j] = (float) MAX (1.0 / (255.0 * pixel->scale[j]) - STD_EPS, 0.0);
    }
  p->channel_mean = g_new (double, c);
  p->channel_std = g_new (double, c);
  for (int ch = 0; ch < c; ch++)
    {
      p->channel_mean[ch] = channel->mean[(gsize) ch * hw] / 255.0;
      p->channel_std[ch] = MAX (1.0 / (255.0 * channel->scale[(gsize) ch * hw]) - STD_EPS, 0.0);
    }
  p->n_classes = n_classes;
  p->counts = g_new0 (double, n_classes);
  for (int i = 0; i < set->n; i++)
    if (set->labels[i] < n_classes)
      p->counts[set->labels[i]]++;
  p->class_names = g_new0 (char *, n_classes + 1);
  for (int k = 0; k < n_classes; k++)
    p->class_names[k] = class_names && class_names[k] ? g_strdup (class_names[k])
                                                      : g_strdup_printf ("%d", k);
  return p;
}

void
cnn_panel_standardization_free (CnnPanelStandardization *p)
{
  if (p == NULL)
    return;
  g_free (p->mean);
  g_free (p->std);
  g_free (p->channel_mean);
  g_free (p->channel_std);
  g_free (p->counts);
  g_strfreev (p->class_names);
  g_free (p->title);
  g_free (p->set_name);
  g_free (p);
}

typedef struct
{
  const CnnPanelStandardization *p;
  double lo[2], hi[2];   /* color scale of the mean row and of the std row */
} Cells;

static void
draw_cell (cairo_t *cr, int index, const CnnRect *cell, gpointer data)
{
  const Cells *d = data;
  const CnnPanelStandardization *p = d->p;
  int row = index / p->c, ch = index % p->c;
  const float *img = (row == 0 ? p->mean : p->std) + (gsize) ch * p->h * p->w;   /* (h, w) */
  cnn_colormap_draw_values (cr, img, p->h, p->w, CNN_COLORMAP_VIRIDIS, d->lo[row], d->hi[row], cell);
}

static char *
caption (const CnnPanelStandardization *p)
{
  static const char *const rgb[] = { "red", "green", "blue" };
  char count[32];
  cnn_ticks_format (&(CnnTicks) { .decimals = 0 }, p->n_images, count, sizeof count);
  GString *s = g_string_new (NULL);
  g_string_append_printf (s, "%s %s, %d×%d %s, x = pixel / 255. ", count,
                          p->set_name ? p->set_name : "training images", p->h, p->w,
                          p->c == 1 ? "gray" : p->c == 3 ? "RGB" : "multi-channel");
  if (p->c == 1)
    g_string_append_printf (s, "Mean of x %.3f, std %.3f. ", p->channel_mean[0], p->channel_std[0]);
  else
    for (int ch = 0; ch < p->c; ch++)
      {
        g_autofree char *name = p->c == 3 ? g_strdup (rgb[ch]) : g_strdup_printf ("channel %d", ch + 1);
        g_string_append_printf (s, "%s: mean %.3f, std %.3f%s", name, p->channel_mean[ch],
                                p->channel_std[ch], ch + 1 < p->c ? "; " : ". ");
      }
  g_string_append (s, "Standardized per pixel: x′ = (x − mean) / (std + 0.0001).");
  return g_string_free (s, FALSE);
}

/* Color bars need this much room right of the images. */
static double
bars_width (cairo_t *cr, const CnnRenderStyle *style, const Cells *d)
{
  return style->padding + MAX (cnn_colormap_bar_width (cr, style, d->lo[0], d->hi[0], NULL),
                               cnn_colormap_bar_width (cr, style, d->lo[1], d->hi[1], NULL));
}

/* Class names plus bars of `bars_em` em and the counts. */
static double
chart_width (cairo_t *cr, const CnnRenderStyle *style, const CnnPanelStandardization *p,
             double bars_em)
{
  double names_w = 0, tw;
  for (int k = 0; k < p->n_classes; k++)
    {
      cnn_render_text_size (cr, style, CNN_TEXT_SMALL, p->class_names[k], &tw, NULL);
      names_w = MAX (names_w, tw);
    }
  return names_w + bars_em * style->small_size;
}

static void
scales (const CnnPanelStandardization *p, Cells *d)
{
  gsize chw = (gsize) p->c * p->h * p->w;
  d->p = p;
  cnn_colormap_range (p->mean, chw, CNN_SCALE_MINMAX, &d->lo[0], &d->hi[0]);
  cnn_colormap_range (p->std, chw, CNN_SCALE_MINMAX, &d->lo[1], &d->hi[1]);
}

static void
make_grid (const CnnPanelStandardization *p, Cells *d, CnnGrid *grid)
{
  static const char *const row_labels[] = { "mean", "std" };
  static const char *const rgb[] = { "red", "green", "blue" };
  *grid = (CnnGrid) {
    .rows = 2, .cols = p->c, .cell_aspect = (double) p->w / p->h,
    .row_labels = row_labels, .col_labels = p->c == 3 ? rgb : NULL,
    .draw_cell = draw_cell, .data = d,
  };
}

void
cnn_panel_standardization_draw (const CnnPanelStandardization *p, const CnnRenderStyle *style,
                                cairo_t *cr, double width, double height)
{
  g_return_if_fail (p != NULL && p->c >= 1 && p->n_classes >= 1);
  CnnRect area = cnn_rect (0, 0, width, height);
  area = cnn_rect_inset (&area, style->padding);
  cnn_render_title (cr, style, p->title, &area);

  g_autofree char *text = caption (p);
  double text_h = cnn_render_paragraph_height (cr, style, CNN_TEXT_SMALL, text, area.width);
  cnn_render_paragraph (cr, style, CNN_TEXT_SMALL, NULL, text, area.x,
                        area.y + area.height - text_h, area.width);
  area.height = MAX (area.height - text_h - style->padding, 0);

  Cells d;
  scales (p, &d);
  CnnGrid grid;
  make_grid (p, &d, &grid);
  double bw = bars_width (cr, style, &d);

  /* The images as large as the height allows, leaving the chart room for
   * its names, short bars and counts. A tall figure stacks them instead. */
  gboolean stacked = area.width < area.height;
  CnnRect left, right;
  if (stacked)
    {
      left = cnn_rect (area.x, area.y, area.width, 0.6 * area.height);
      right = cnn_rect (area.x, area.y + 0.6 * area.height + style->padding, area.width,
                        0.4 * area.height - style->padding);
    }
  else
    {
      double gw = cnn_grid_width_for_height (&grid, style, cr, area.height);
      double left_w = MIN (gw + bw, area.width - 2 * style->padding - chart_width (cr, style, p, 10));
      left_w = MAX (left_w, 0.4 * area.width);
      left = cnn_rect (area.x, area.y, left_w, area.height);
      right = cnn_rect (area.x + left_w + 2 * style->padding, area.y,
                        area.width - left_w - 2 * style->padding, area.height);
    }

  CnnRect images = cnn_rect (left.x, left.y, left.width - bw, left.height);
  cnn_grid_draw (&grid, style, cr, &images);
  CnnGridLayout l;
  cnn_grid_layout (&grid, style, cr, &images, &l);
  for (int row = 0; row < 2 && l.cell_w > 0; row++)
    {
      CnnRect last;
      cnn_grid_layout_cell (&l, row, p->c - 1, &last);
      CnnRect bar = cnn_rect (last.x + last.width + style->padding, last.y, bw - style->padding,
                              last.height);
      cnn_colormap_draw_bar (cr, style, CNN_COLORMAP_VIRIDIS, d.lo[row], d.hi[row], NULL, &bar);
    }

  CnnBarChart chart = {
    .n = p->n_classes, .values = p->counts, .labels = (const char *const *) p->class_names,
    .value_label = "images per class", .show_values = TRUE,
  };
  /* the chart no taller than it needs, centered beside the images */
  double line = cnn_render_text_line_height (cr, style, CNN_TEXT_SMALL);
  double chart_h = MIN (right.height, (p->n_classes + 3) * 1.6 * line + 2 * line);
  CnnRect box = cnn_rect (right.x, right.y + 0.5 * (right.height - chart_h), right.width, chart_h);
  cnn_render_bar_chart (&chart, style, cr, &box);
}

void
cnn_panel_standardization_natural_size (const CnnPanelStandardization *p,
                                        const CnnRenderStyle *style, double *width, double *height)
{
  g_return_if_fail (p != NULL);
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t *cr = cairo_create (s);
  Cells d;
  scales (p, &d);
  CnnGrid grid;
  make_grid (p, &d, &grid);
  /* the mean and std images large enough to see single pixels of a 28×28
   * image, and at least as tall as the class list beside them */
  double line = cnn_render_text_line_height (cr, style, CNN_TEXT_SMALL);
  double cell_h = CLAMP (5.0 * p->h, 96.0, 200.0);
  cell_h = MAX (cell_h, 0.5 * (p->n_classes + 3) * 1.6 * line);
  double gw, gh;
  cnn_grid_natural_size (&grid, style, cr, cell_h, &gw, &gh);
  double chart_w = chart_width (cr, style, p, 18);
  double w = gw + bars_width (cr, style, &d) + 2 * style->padding + chart_w;
  double h = gh;
  cnn_render_title_size (cr, style, p->title, &w, &h);
  g_autofree char *text = caption (p);
  h += style->padding + cnn_render_paragraph_height (cr, style, CNN_TEXT_SMALL, text, w);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
  *width = ceil (w + 2 * style->padding);
  *height = ceil (h + 2 * style->padding);
}
