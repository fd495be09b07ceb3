/* cnn-panel-curves.c: loss and accuracy plots side by side over a shared
 * legend. Every run keeps its palette color in both plots; training is a
 * solid line (smoothed, over a light raw line), validation a dashed line
 * with a marker per epoch, so the eye pairs the two by color and tells them
 * apart by stroke. */
#include "cnn-panel-curves.h"

#include <math.h>
#include <string.h>

#include "cnn-render-text.h"

#define RAW_ALPHA 0.28

typedef enum { LOSS, ACCURACY } Metric;

static gboolean
visible (const CnnCurvesData *d, int i)
{
  return d->runs[i] != NULL && !d->runs[i]->hidden;
}

static const CnnColor *
run_color (const CnnCurvesData *d, const CnnRenderStyle *style, int i)
{
  int c = d->runs[i]->color;
  return cnn_render_style_series (style, c >= 0 ? c : i);
}

/* A value can be drawn on this axis. */
static gboolean
usable (double v, gboolean log_scale)
{
  return isfinite (v) && (!log_scale || v > 0);
}

typedef struct
{
  double lo, hi;
  gboolean any;
} Range;

static void
range_add (Range *r, const double *v, int n, gboolean log_scale)
{
  for (int i = 0; i < n; i++)
    if (usable (v[i], log_scale))
      {
        r->lo = r->any ? MIN (r->lo, v[i]) : v[i];
        r->hi = r->any ? MAX (r->hi, v[i]) : v[i];
        r->any = TRUE;
      }
}

/* The training values the plot draws for a run: per step, or per epoch
 * when the run has no steps (a metrics.csv without steps.csv). */
static void
training_series (const CnnCurveRun *run, Metric m, const double **x, const double **y, int *n)
{
  if (run->n_steps > 0)
    {
      *x = run->step_epoch;
      *y = m == LOSS ? run->step_loss : run->step_acc;
      *n = run->n_steps;
    }
  else
    {
      *x = run->epoch;
      *y = m == LOSS ? run->train_loss : run->train_acc;
      *n = run->n_epochs;
    }
}

static double *
smoothed (const CnnCurvesData *d, const double *y, int n)
{
  double *s = g_new (double, MAX (n, 1));
  cnn_curve_smooth (y, n, d->smoothing, s);
  return s;
}

/* The nearest of 1, 2, 5 × 10^k at or below v (up: at or above). */
static double
log_step (double v, gboolean up)
{
  static const double mult[] = { 1, 2, 5, 10 };
  double decade = pow (10.0, floor (log10 (v) + 1e-9));
  if (up)
    {
      for (gsize i = 0; i < G_N_ELEMENTS (mult); i++)
        if (mult[i] * decade >= v * (1 - 1e-9))
          return mult[i] * decade;
      return 10 * decade;
    }
  for (int i = G_N_ELEMENTS (mult) - 1; i >= 0; i--)
    if (mult[i] * decade <= v * (1 + 1e-9))
      return mult[i] * decade;
  return decade;
}

/* The y range of one plot over the visible runs, rounded to ticks. */
static void
y_range (const CnnCurvesData *d, Metric m, double *lo, double *hi)
{
  gboolean log_scale = m == LOSS && d->log_loss;
  Range r = { 0 };
  for (int i = 0; i < d->n_runs; i++)
    {
      if (!visible (d, i))
        continue;
      const CnnCurveRun *run = d->runs[i];
      const double *x, *y;
      int n;
      training_series (run, m, &x, &y, &n);
      if (d->raw || d->smoothing <= 0 || run->n_steps == 0)
        range_add (&r, y, n, log_scale);
      else
        {
          /* without the raw line, the smoothed one sets the scale: its
           * first steps' spikes need no room */
          g_autofree double *s = smoothed (d, y, n);
          range_add (&r, s, n, log_scale);
        }
      range_add (&r, m == LOSS ? run->val_loss : run->val_acc, run->n_epochs, log_scale);
    }
  if (log_scale)
    {
      if (!r.any)
        {
          *lo = 0.1;
          *hi = 10;
          return;
        }
      /* out to the next 1, 2 or 5 × 10^k: whole decades would leave most of
       * a plot empty for losses between 0.3 and 3 */
      *lo = log_step (r.lo, FALSE);
      *hi = log_step (r.hi, TRUE);
      if (!(*hi > *lo))
        *hi = log_step (*lo * 1.01, TRUE);
      return;
    }
  if (!r.any)
    {
      *lo = 0;
      *hi = 1;
      return;
    }
  if (r.hi - r.lo < 1e-9 * MAX (fabs (r.hi), 1.0))
    {
      /* a constant: a small range around it */
      double pad = MAX (0.1 * fabs (r.lo), 0.05);
      r.lo -= pad;
      r.hi += pad;
    }
  *lo = r.lo;
  *hi = r.hi;
  cnn_ticks_round_range (lo, hi, 6);
  if (m == ACCURACY)
    {
      /* accuracies live in [0, 1]: no tick beyond */
      *lo = MAX (*lo, 0.0);
      *hi = MIN (*hi, 1.0);
      if (!(*hi > *lo))
        {
          *lo = 0;
          *hi = 1;
        }
    }
  else if (r.lo >= 0 && *lo < 0)
    *lo = 0;   /* a loss is never negative */
}

static double
x_max (const CnnCurvesData *d)
{
  double hi = MAX (d->min_epochs, 0.0);
  for (int i = 0; i < d->n_runs; i++)
    if (visible (d, i))
      {
        const CnnCurveRun *run = d->runs[i];
        Range r = { 0 };
        range_add (&r, run->step_epoch, run->n_steps, FALSE);
        range_add (&r, run->epoch, run->n_epochs, FALSE);
        if (r.any)
          hi = MAX (hi, r.hi);
      }
  /* whole epochs: a live run's axis grows an epoch at a time */
  return MAX (ceil (hi - 1e-9), 1.0);
}

static gboolean
has_points (const CnnCurvesData *d)
{
  for (int i = 0; i < d->n_runs; i++)
    if (visible (d, i) && (d->runs[i]->n_steps > 0 || d->runs[i]->n_epochs > 0))
      return TRUE;
  return FALSE;
}

/* Legend */

typedef struct
{
  char           *text;
  const CnnColor *color;   /* a run; NULL: a key entry in the foreground */
  int             kind;    /* key: 0 training, 1 raw, 2 validation */
  double          width;   /* swatch + text */
} LegendItem;

static double
swatch_width (const CnnRenderStyle *style)
{
  return 2.6 * style->small_size + 3 * style->line_width;
}

static GArray *
legend_items (const CnnCurvesData *d, const CnnRenderStyle *style, cairo_t *cr)
{
  GArray *items = g_array_new (FALSE, TRUE, sizeof (LegendItem));
  double sw = swatch_width (style), tw;
  for (int i = 0; i < d->n_runs; i++)
    {
      if (!visible (d, i))
        continue;
      const char *label = d->runs[i]->label;
      LegendItem it = { .color = run_color (d, style, i) };
      it.text = label && label[0] ? g_strdup (label) : g_strdup_printf ("run %d", i + 1);
      cnn_render_text_size (cr, style, CNN_TEXT_SMALL, it.text, &tw, NULL);
      it.width = sw + 0.5 * style->small_size + tw;
      g_array_append_val (items, it);
    }
  if (items->len == 0)
    return items;
  /* the key to the strokes */
  char smooth_text[64];
  if (d->smoothing > 0)
    g_snprintf (smooth_text, sizeof smooth_text, "training (smoothed %.2g)", d->smoothing);
  else
    g_strlcpy (smooth_text, "training", sizeof smooth_text);
  const char *texts[] = { smooth_text, "training (raw)", d->val_label ? d->val_label : "validation" };
  for (int k = 0; k < 3; k++)
    {
      if (k == 1 && !(d->raw && d->smoothing > 0))
        continue;
      LegendItem it = { .text = g_strdup (texts[k]), .kind = k };
      cnn_render_text_size (cr, style, CNN_TEXT_SMALL, it.text, &tw, NULL);
      it.width = sw + 0.5 * style->small_size + tw;
      g_array_append_val (items, it);
    }
  return items;
}

static void
legend_items_free (GArray *items)
{
  for (guint i = 0; i < items->len; i++)
    g_free (g_array_index (items, LegendItem, i).text);
  g_array_free (items, TRUE);
}

/* Runs flow left to right and wrap; the key starts a line of its own. */
static double
legend_layout (GArray *items, const CnnRenderStyle *style, double line_h, double width,
               double *xs, double *ys)
{
  double x = 0, y = 0, gap = 1.5 * style->small_size;
  gboolean key_started = FALSE;
  for (guint i = 0; i < items->len; i++)
    {
      LegendItem *it = &g_array_index (items, LegendItem, i);
      gboolean first_key = it->color == NULL && !key_started;
      if (first_key)
        key_started = TRUE;
      if (x > 0 && (x + it->width > width || first_key))
        {
          x = 0;
          y += line_h;
        }
      xs[i] = x;
      ys[i] = y;
      x += it->width + gap;
    }
  return items->len > 0 ? y + line_h : 0;
}

static void
set_validation_dash (cairo_t *cr, const CnnRenderStyle *style)
{
  double on = MAX (3.0 * style->line_width, 4.0), off = MAX (2.0 * style->line_width, 3.0);
  double dash[] = { on, off };
  cairo_set_dash (cr, dash, 2, 0);
}

static double
marker_radius (const CnnRenderStyle *style)
{
  return MAX (2.2 * style->line_width, 3.0);
}

static void
marker (cairo_t *cr, const CnnRenderStyle *style, const CnnColor *color, double x, double y)
{
  double r = marker_radius (style);
  cairo_new_sub_path (cr);
  cairo_arc (cr, x, y, r, 0, 2 * G_PI);
  cnn_render_set_color (cr, color);
  cairo_fill_preserve (cr);
  /* a ring in the background color keeps markers apart from lines */
  cairo_set_line_width (cr, MAX (0.5 * style->line_width, 0.75));
  cnn_render_set_color (cr, &style->background);
  cairo_stroke (cr);
}

static void
legend_draw (GArray *items, const CnnRenderStyle *style, cairo_t *cr, const CnnRect *area)
{
  double line_h = 1.5 * cnn_render_text_line_height (cr, style, CNN_TEXT_SMALL);
  g_autofree double *xs = g_new (double, MAX (items->len, 1));
  g_autofree double *ys = g_new (double, MAX (items->len, 1));
  legend_layout (items, style, line_h, area->width, xs, ys);
  double sw = swatch_width (style);
  for (guint i = 0; i < items->len; i++)
    {
      const LegendItem *it = &g_array_index (items, LegendItem, i);
      double x = area->x + xs[i], y = area->y + ys[i] + 0.5 * line_h;
      const CnnColor *c = it->color ? it->color : &style->foreground;
      cairo_save (cr);
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
      if (it->color)
        {
          /* a run: a thick bar of its color */
          cairo_rectangle (cr, x, y - 0.5 * MAX (3 * style->line_width, 5.0), sw,
                           MAX (3 * style->line_width, 5.0));
          cnn_render_set_color (cr, c);
          cairo_fill (cr);
        }
      else
        {
          cairo_set_line_width (cr, it->kind == 1 ? 0.75 * style->line_width : style->line_width);
          if (it->kind == 1)
            cairo_set_source_rgba (cr, c->r, c->g, c->b, RAW_ALPHA + 0.1);
          else
            cnn_render_set_color (cr, c);
          if (it->kind == 2)
            set_validation_dash (cr, style);
          cairo_move_to (cr, x, y);
          cairo_line_to (cr, x + sw, y);
          cairo_stroke (cr);
          if (it->kind == 2)
            marker (cr, style, c, x + 0.5 * sw, y);
        }
      cairo_restore (cr);
      cnn_render_text (cr, style, CNN_TEXT_SMALL, NULL, it->text, x + sw + 0.5 * style->small_size,
                       y, 0.0, 0.5, area->x + area->width - (x + sw + 0.5 * style->small_size));
    }
}

/* Layout */

typedef struct
{
  CnnRect  loss_area, acc_area;   /* each plot with its tick labels */
  CnnRect  legend;
  GArray  *items;
} Layout;

static const char *
loss_label (const CnnCurvesData *d)
{
  return d->log_loss ? "loss (log scale)" : "loss";
}

static void
axes_setup (const CnnCurvesData *d, Metric m, CnnAxes *ax)
{
  double lo, hi;
  y_range (d, m, &lo, &hi);
  cnn_axes_init (ax, 0, x_max (d), lo, hi);
  ax->y_log = m == LOSS && d->log_loss;
  ax->x_label = "epoch";
  ax->y_label = m == LOSS ? loss_label (d) : "accuracy";
}

static void
layout (const CnnCurvesData *d, const CnnRenderStyle *style, cairo_t *cr, double width,
        double height, Layout *l, CnnAxes *loss, CnnAxes *acc)
{
  CnnRect area = cnn_rect (0, 0, width, height);
  area = cnn_rect_inset (&area, style->padding);
  if (d->title && d->title[0])
    {
      double th = cnn_render_text_line_height (cr, style, CNN_TEXT_TITLE);
      area.y += th + style->padding;
      area.height = MAX (area.height - th - style->padding, 0);
    }
  l->items = legend_items (d, style, cr);
  double line_h = 1.5 * cnn_render_text_line_height (cr, style, CNN_TEXT_SMALL);
  g_autofree double *xs = g_new (double, MAX (l->items->len, 1));
  g_autofree double *ys = g_new (double, MAX (l->items->len, 1));
  double legend_h = legend_layout (l->items, style, line_h, area.width, xs, ys);
  /* the legend never takes more than a third of the height */
  legend_h = MIN (legend_h, area.height / 3);
  l->legend = cnn_rect (area.x, area.y + area.height - legend_h, area.width, legend_h);
  CnnRect plots = cnn_rect (area.x, area.y, area.width,
                            area.height - legend_h - (legend_h > 0 ? style->padding : 0));
  CnnCurvesShow show = d->show & CNN_CURVES_BOTH ? d->show & CNN_CURVES_BOTH : CNN_CURVES_BOTH;
  double gap = 2 * style->padding;
  if (show == CNN_CURVES_BOTH)
    {
      double w = 0.5 * (plots.width - gap);
      l->loss_area = cnn_rect (plots.x, plots.y, w, plots.height);
      l->acc_area = cnn_rect (plots.x + w + gap, plots.y, w, plots.height);
    }
  else if (show == CNN_CURVES_LOSS)
    {
      l->loss_area = plots;
      l->acc_area = cnn_rect (plots.x + plots.width, plots.y, 0, 0);
    }
  else
    {
      l->acc_area = plots;
      l->loss_area = cnn_rect (plots.x, plots.y, 0, 0);
    }
  axes_setup (d, LOSS, loss);
  axes_setup (d, ACCURACY, acc);
  if (show & CNN_CURVES_LOSS)
    cnn_axes_layout (loss, cr, style, &l->loss_area);
  else
    loss->plot = l->loss_area;
  if (show & CNN_CURVES_ACCURACY)
    cnn_axes_layout (acc, cr, style, &l->acc_area);
  else
    acc->plot = l->acc_area;
}

void
cnn_panel_curves_layout (const CnnCurvesData *data, const CnnRenderStyle *style, cairo_t *cr,
                         double width, double height, CnnAxes *loss, CnnAxes *accuracy)
{
  g_return_if_fail (data != NULL && (data->n_runs == 0 || data->runs != NULL));
  Layout l;
  CnnAxes a, b;
  layout (data, style, cr, width, height, &l, loss ? loss : &a, accuracy ? accuracy : &b);
  legend_items_free (l.items);
}

/* Series */

/* The path of a line through (x[i], y[i]), broken where a value cannot be
 * drawn. Long series are reduced to first/min/max/last per pixel column: the
 * envelope stays, and a live window redraws 20,000-step runs smoothly. A
 * point alone between gaps becomes a dot. */
static void
series_path (cairo_t *cr, const CnnAxes *ax, const double *x, const double *y, int n,
             const CnnRenderStyle *style)
{
  gboolean log_scale = ax->y_log;
  double col_w = 1.0;
  gboolean reduce = n > 4.0 * ax->plot.width;
  int i = 0;
  while (i < n)
    {
      /* one unbroken segment [i, j) */
      while (i < n && !(usable (y[i], log_scale) && isfinite (x[i])))
        i++;
      int j = i;
      while (j < n && usable (y[j], log_scale) && isfinite (x[j]))
        j++;
      if (j == i)
        break;
      if (j - i == 1)
        {
          double r = 0.6 * marker_radius (style);
          cairo_new_sub_path (cr);
          cairo_arc (cr, cnn_axes_x (ax, x[i]), cnn_axes_y (ax, y[i]), r, 0, 2 * G_PI);
          cairo_close_path (cr);
          i = j;
          continue;
        }
      cairo_move_to (cr, cnn_axes_x (ax, x[i]), cnn_axes_y (ax, y[i]));
      int k = i + 1;
      while (k < j)
        {
          double px = cnn_axes_x (ax, x[k]);
          if (!reduce)
            {
              cairo_line_to (cr, px, cnn_axes_y (ax, y[k]));
              k++;
              continue;
            }
          double col = floor (px / col_w);
          double lo = y[k], hi = y[k];
          int first = k, last = k, kmin = k, kmax = k;
          while (k < j && floor (cnn_axes_x (ax, x[k]) / col_w) == col)
            {
              if (y[k] < lo)
                lo = y[k], kmin = k;
              if (y[k] > hi)
                hi = y[k], kmax = k;
              last = k++;
            }
          int order[4] = { first, MIN (kmin, kmax), MAX (kmin, kmax), last };
          for (int o = 0; o < 4; o++)
            cairo_line_to (cr, cnn_axes_x (ax, x[order[o]]), cnn_axes_y (ax, y[order[o]]));
        }
      i = j;
    }
}

static void
draw_training (const CnnCurvesData *d, const CnnRenderStyle *style, cairo_t *cr, const CnnAxes *ax,
          Metric m, int index)
{
  const CnnCurveRun *run = d->runs[index];
  const CnnColor *c = run_color (d, style, index);
  const double *x, *y;
  int n;
  training_series (run, m, &x, &y, &n);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);

  gboolean smooth = d->smoothing > 0 && run->n_steps > 0;
  if (smooth && d->raw)
    {
      series_path (cr, ax, x, y, n, style);
      cairo_set_source_rgba (cr, c->r, c->g, c->b, RAW_ALPHA);
      cairo_set_line_width (cr, 0.75 * style->line_width);
      cairo_stroke (cr);
    }
  g_autofree double *s = smooth ? smoothed (d, y, n) : NULL;
  series_path (cr, ax, x, smooth ? s : y, n, style);
  cnn_render_set_color (cr, c);
  cairo_set_line_width (cr, style->line_width);
  cairo_stroke (cr);

}

/* Validation: a dashed line through a marker per epoch, drawn over every
 * run's training lines so no marker hides under another run's line. */
static void
draw_validation (const CnnCurvesData *d, const CnnRenderStyle *style, cairo_t *cr,
                 const CnnAxes *ax, Metric m, int index)
{
  const CnnCurveRun *run = d->runs[index];
  const CnnColor *c = run_color (d, style, index);
  const double *v = m == LOSS ? run->val_loss : run->val_acc;
  cairo_save (cr);
  set_validation_dash (cr, style);
  series_path (cr, ax, run->epoch, v, run->n_epochs, style);
  cnn_render_set_color (cr, c);
  cairo_set_line_width (cr, style->line_width);
  cairo_stroke (cr);
  cairo_restore (cr);
  for (int e = 0; e < run->n_epochs; e++)
    if (usable (v[e], ax->y_log) && isfinite (run->epoch[e]))
      marker (cr, style, c, cnn_axes_x (ax, run->epoch[e]), cnn_axes_y (ax, v[e]));
}

static void
draw_plot (const CnnCurvesData *d, const CnnRenderStyle *style, cairo_t *cr, const CnnAxes *ax,
           Metric m, gboolean empty)
{
  if (ax->plot.width < 1 || ax->plot.height < 1)
    return;
  cnn_axes_draw (ax, cr, style);
  if (empty)
    {
      cnn_render_text (cr, style, CNN_TEXT_SMALL, &style->muted,
                       d->n_runs == 0 ? "no runs yet" : "no points yet",
                       ax->plot.x + 0.5 * ax->plot.width, ax->plot.y + 0.5 * ax->plot.height, 0.5,
                       0.5, ax->plot.width);
      return;
    }
  cairo_save (cr);
  /* markers at the plot's edge stay whole: clip a marker's radius outside */
  double r = marker_radius (style) + style->line_width;
  cairo_rectangle (cr, ax->plot.x - r, ax->plot.y - r, ax->plot.width + 2 * r,
                   ax->plot.height + 2 * r);
  cairo_clip (cr);
  for (int i = 0; i < d->n_runs; i++)
    if (visible (d, i))
      draw_training (d, style, cr, ax, m, i);
  for (int i = 0; i < d->n_runs; i++)
    if (visible (d, i))
      draw_validation (d, style, cr, ax, m, i);
  cairo_restore (cr);
}

void
cnn_panel_curves_draw (const CnnCurvesData *data, const CnnRenderStyle *style, cairo_t *cr,
                       double width, double height)
{
  g_return_if_fail (data != NULL && (data->n_runs == 0 || data->runs != NULL));
  g_return_if_fail (style != NULL && cr != NULL);
  CnnRect area = cnn_rect (0, 0, width, height);
  area = cnn_rect_inset (&area, style->padding);
  cnn_render_title (cr, style, data->title, &area);

  Layout l;
  CnnAxes loss, acc;
  layout (data, style, cr, width, height, &l, &loss, &acc);
  gboolean empty = !has_points (data);
  CnnCurvesShow show = data->show & CNN_CURVES_BOTH ? data->show & CNN_CURVES_BOTH : CNN_CURVES_BOTH;
  if (show & CNN_CURVES_LOSS)
    draw_plot (data, style, cr, &loss, LOSS, empty);
  if (show & CNN_CURVES_ACCURACY)
    draw_plot (data, style, cr, &acc, ACCURACY, empty);
  if (l.legend.height > 0)
    {
      cairo_save (cr);
      cairo_rectangle (cr, l.legend.x, l.legend.y, l.legend.width, l.legend.height);
      cairo_clip (cr);
      legend_draw (l.items, style, cr, &l.legend);
      cairo_restore (cr);
    }
  legend_items_free (l.items);
}

void
cnn_panel_curves_natural_size (const CnnCurvesData *data, const CnnRenderStyle *style,
                               double *width, double *height)
{
  g_return_if_fail (data != NULL && (data->n_runs == 0 || data->runs != NULL));
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t *cr = cairo_create (s);
  /* plots about 4:3 each at the light style's text size, larger with
   * larger text (projector) */
  double k = MAX (1.0, style->label_size / cnn_render_style_get (CNN_RENDER_STYLE_LIGHT)->label_size);
  gboolean both = (data->show & CNN_CURVES_BOTH) == CNN_CURVES_BOTH || !(data->show & CNN_CURVES_BOTH);
  double w = k * (both ? 960 : 520), h = k * 380;
  GArray *items = legend_items (data, style, cr);
  double line_h = 1.5 * cnn_render_text_line_height (cr, style, CNN_TEXT_SMALL);
  g_autofree double *xs = g_new (double, MAX (items->len, 1));
  g_autofree double *ys = g_new (double, MAX (items->len, 1));
  double legend_h = legend_layout (items, style, line_h, w - 2 * style->padding, xs, ys);
  legend_items_free (items);
  h += legend_h > 0 ? legend_h + style->padding : 0;
  if (data->title && data->title[0])
    {
      double tw;
      cnn_render_text_size (cr, style, CNN_TEXT_TITLE, data->title, &tw, NULL);
      w = MAX (w, tw + 2 * style->padding);
      h += cnn_render_text_line_height (cr, style, CNN_TEXT_TITLE) + style->padding;
    }
  cairo_destroy (cr);
  cairo_surface_destroy (s);
  *width = ceil (w);
  *height = ceil (h);
}
