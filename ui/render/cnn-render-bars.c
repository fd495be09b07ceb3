/* cnn-render-bars.c: horizontal bars on CnnAxes, the category axis drawn
 * here. */
#include "cnn-render-bars.h"

#include <math.h>
#include <stdio.h>

#include "cnn-render-axis.h"
#include "cnn-render-text.h"

#define MAX_LABEL_SHARE 0.4

static void
format_value (double v, char *buf, gsize size)
{
  /* whole numbers (counts) with separators, others with 3 significant digits */
  CnnTicks fmt = { .decimals = v == floor (v) ? 0 : 3 };
  if (v != floor (v) && fabs (v) >= 1)
    fmt.decimals = fabs (v) >= 100 ? 0 : fabs (v) >= 10 ? 1 : 2;
  cnn_ticks_format (&fmt, v, buf, size);
}

void
cnn_render_bar_chart (const CnnBarChart *chart, const CnnRenderStyle *style, cairo_t *cr,
                      const CnnRect *area)
{
  g_return_if_fail (chart != NULL && area != NULL);
  int n = chart->n;
  if (n < 1 || chart->values == NULL)
    return;
  double max = 0, label_w = 0, value_w = 0;
  for (int i = 0; i < n; i++)
    {
      double v = chart->values[i];
      if (isfinite (v))
        max = MAX (max, v);
      double w;
      if (chart->labels && chart->labels[i])
        {
          cnn_render_text_size (cr, style, CNN_TEXT_SMALL, chart->labels[i], &w, NULL);
          label_w = MAX (label_w, w);
        }
      if (chart->show_values && isfinite (v) && v >= 0)
        {
          char buf[64];
          format_value (v, buf, sizeof buf);
          cnn_render_text_size (cr, style, CNN_TEXT_SMALL, buf, &w, NULL);
          value_w = MAX (value_w, w);
        }
    }
  label_w = MIN (label_w, MAX_LABEL_SHARE * area->width);
  double lead = label_w > 0 ? label_w + style->tick_length + 3 : 0;
  double trail = value_w > 0 ? value_w + 4 : 0;

  CnnAxes ax;
  double lo = 0, hi = max > 0 ? max : 1;
  cnn_ticks_round_range (&lo, &hi, 5);
  cnn_axes_init (&ax, lo, hi, 0, n);
  ax.y_ticks = FALSE;
  ax.x_label = chart->value_label;
  CnnRect inner = cnn_rect (area->x + lead, area->y, area->width - lead - trail, area->height);
  cnn_axes_layout (&ax, cr, style, &inner);
  if (!(ax.plot.width > 0) || !(ax.plot.height > 0))
    return;
  cnn_axes_draw (&ax, cr, style);

  double band = ax.plot.height / n;
  double small_h = cnn_render_text_line_height (cr, style, CNN_TEXT_SMALL);
  int label_every = (int) ceil (small_h / band);   /* crowded: every k-th label */
  const CnnColor *color = chart->color ? chart->color : &style->accent;
  for (int i = 0; i < n; i++)
    {
      double v = chart->values[i];
      double y = ax.plot.y + i * band;
      if (isfinite (v) && v > 0)
        {
          double x1 = cnn_axes_x (&ax, MIN (v, hi));
          cairo_rectangle (cr, ax.plot.x, y + 0.15 * band, x1 - ax.plot.x, 0.7 * band);
          cnn_render_set_color (cr, chart->series ? cnn_render_style_series (style, chart->series[i])
                                                  : color);
          cairo_fill (cr);
        }
      if (chart->show_values && isfinite (v) && v >= 0 && band >= 0.8 * small_h)
        {
          char buf[64];
          format_value (v, buf, sizeof buf);
          cnn_render_text (cr, style, CNN_TEXT_SMALL, &style->muted, buf,
                           cnn_axes_x (&ax, MIN (v, hi)) + 4, y + 0.5 * band, 0.0, 0.5, 0);
        }
      if (chart->labels && chart->labels[i] && i % label_every == 0)
        cnn_render_text (cr, style, CNN_TEXT_SMALL, NULL, chart->labels[i], ax.plot.x - 3
                         - style->tick_length, y + 0.5 * band, 1.0, 0.5, label_w);
    }
}
