/* cnn-render-axis.c: ticks at round numbers (1, 2, 2.5, 5 × 10^k, as many
 * as fit) and axes that lay themselves out around their tick labels. */
#include "cnn-render-axis.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cnn-render-text.h"

/* decimals needed to write multiples of step exactly */
static int
step_decimals (double step)
{
  int d = 0;
  while (d < 12 && fabs (step * pow (10.0, d) - round (step * pow (10.0, d))) > 1e-6 * step * pow (10.0, d))
    d++;
  return d;
}

void
cnn_ticks_linear (double lo, double hi, int max_ticks, CnnTicks *ticks)
{
  memset (ticks, 0, sizeof *ticks);
  max_ticks = CLAMP (max_ticks, 2, CNN_MAX_TICKS);
  if (!isfinite (lo) || !isfinite (hi))
    return;
  if (hi < lo)
    {
      double t = lo;
      lo = hi;
      hi = t;
    }
  if (hi - lo <= fabs (hi) * 1e-12 || hi == lo)
    {
      ticks->n = 1;
      ticks->values[0] = lo;
      ticks->step = 1;
      ticks->decimals = step_decimals (fabs (lo) > 0 ? fabs (lo) / 1000 : 1);
      ticks->decimals = MIN (ticks->decimals, 3);
      return;
    }
  /* the smallest round step that gives no more than max_ticks ticks */
  static const double nice[] = { 1.0, 2.0, 2.5, 5.0 };
  double mag = pow (10.0, floor (log10 ((hi - lo) / max_ticks)) - 1);
  for (int i = 0; i < 4 * 4; i++)
    {
      double step = nice[i % 4] * mag * pow (10.0, i / 4);
      double first = ceil (lo / step - 1e-9) * step;
      double count = floor ((hi - first) / step + 1e-9) + 1;
      if (count > max_ticks)
        continue;
      int n = (int) MAX (count, 0.0);
      for (int k = 0; k < n; k++)
        {
          double v = first + k * step;
          ticks->values[k] = fabs (v) < step * 1e-9 ? 0.0 : v;
        }
      ticks->n = n;
      ticks->step = step;
      ticks->decimals = step_decimals (step);
      return;
    }
}

void
cnn_ticks_round_range (double *lo, double *hi, int max_ticks)
{
  CnnTicks t;
  cnn_ticks_linear (*lo, *hi, max_ticks, &t);
  if (t.n < 1 || !(t.step > 0) || *hi <= *lo)
    return;
  *lo = floor (*lo / t.step + 1e-9) * t.step;
  *hi = ceil (*hi / t.step - 1e-9) * t.step;
}

void
cnn_ticks_log (double lo, double hi, int max_ticks, CnnTicks *ticks)
{
  memset (ticks, 0, sizeof *ticks);
  max_ticks = CLAMP (max_ticks, 2, CNN_MAX_TICKS);
  if (!(lo > 0) || !isfinite (lo) || !isfinite (hi) || hi < lo)
    return;
  int k0 = (int) ceil (log10 (lo) - 1e-9), k1 = (int) floor (log10 (hi) + 1e-9);
  double decades = log10 (hi) - log10 (lo);
  ticks->step = 10;
  if (decades < 2)
    {
      /* 1, 2, 5 × 10^k */
      static const double mult[] = { 1, 2, 5 };
      for (int k = k0 - 1; k <= k1 && ticks->n < max_ticks; k++)
        for (gsize m = 0; m < G_N_ELEMENTS (mult) && ticks->n < max_ticks; m++)
          {
            double v = mult[m] * pow (10.0, k);
            if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9))
              ticks->values[ticks->n++] = v;
          }
      ticks->step = 0;
    }
  else
    {
      int every = (k1 - k0) / max_ticks + 1;
      for (int k = k0; k <= k1 && ticks->n < max_ticks; k += every)
        ticks->values[ticks->n++] = pow (10.0, k);
    }
  /* decimals for the smallest tick below 1 */
  ticks->decimals = 0;
  if (ticks->n > 0 && ticks->values[0] < 1)
    ticks->decimals = (int) ceil (-log10 (ticks->values[0]) - 1e-9);
}

/* 6000 -> "6,000" */
static void
group_thousands (const char *digits, char *buf, gsize size)
{
  const char *p = digits;
  GString *s = g_string_new (NULL);
  if (*p == '-')
    g_string_append_c (s, *p++);
  const char *dot = strchr (p, '.');
  int int_len = dot ? (int) (dot - p) : (int) strlen (p);
  for (int i = 0; i < int_len; i++)
    {
      if (i > 0 && (int_len - i) % 3 == 0)
        g_string_append_c (s, ',');
      g_string_append_c (s, p[i]);
    }
  if (dot)
    g_string_append (s, dot);
  g_strlcpy (buf, s->str, size);
  g_string_free (s, TRUE);
}

void
cnn_ticks_format (const CnnTicks *ticks, double value, char *buf, gsize size)
{
  double a = fabs (value);
  if (a != 0 && (a >= 1e7 || a < 1e-4 || ticks->decimals > 5))
    {
      g_snprintf (buf, size, "%.3g", value);
      return;
    }
  char tmp[64];
  g_snprintf (tmp, sizeof tmp, "%.*f", CLAMP (ticks->decimals, 0, 6), value);
  if (strspn (tmp, "-0.") == strlen (tmp))   /* no "-0" or "-0.00" */
    g_snprintf (tmp, sizeof tmp, "%.*f", CLAMP (ticks->decimals, 0, 6), 0.0);
  if (a >= 1000)
    group_thousands (tmp, buf, size);
  else
    g_strlcpy (buf, tmp, size);
}

void
cnn_axes_init (CnnAxes *ax, double x0, double x1, double y0, double y1)
{
  memset (ax, 0, sizeof *ax);
  ax->x0 = x0;
  ax->x1 = x1;
  ax->y0 = y0;
  ax->y1 = y1;
  ax->x_ticks = ax->y_ticks = TRUE;
}

static double
scale_pos (double v, double a, double b, gboolean log_scale)
{
  if (log_scale)
    {
      if (!(v > 0) || !(a > 0) || !(b > 0))
        return -1.0;
      v = log10 (v);
      a = log10 (a);
      b = log10 (b);
    }
  return b != a ? (v - a) / (b - a) : 0.5;
}

double
cnn_axes_x (const CnnAxes *ax, double x)
{
  return ax->plot.x + scale_pos (x, ax->x0, ax->x1, ax->x_log) * ax->plot.width;
}

double
cnn_axes_y (const CnnAxes *ax, double y)
{
  return ax->plot.y + ax->plot.height - scale_pos (y, ax->y0, ax->y1, ax->y_log) * ax->plot.height;
}

void
cnn_axes_clip (const CnnAxes *ax, cairo_t *cr)
{
  cairo_rectangle (cr, ax->plot.x, ax->plot.y, ax->plot.width, ax->plot.height);
  cairo_clip (cr);
}

/* as many ticks as fit `length` with `spacing` between them */
static void
make_ticks (double a, double b, gboolean log_scale, double length, double spacing, CnnTicks *t)
{
  int max_ticks = CLAMP ((int) (length / MAX (spacing, 1.0)) + 1, 2, 10);
  double lo = MIN (a, b), hi = MAX (a, b);
  if (log_scale)
    cnn_ticks_log (lo, hi, max_ticks, t);
  else
    cnn_ticks_linear (lo, hi, max_ticks, t);
}

/* width of the widest tick label */
static double
widest_label (cairo_t *cr, const CnnRenderStyle *style, const CnnTicks *t)
{
  double widest = 0;
  for (int i = 0; i < t->n; i++)
    {
      char buf[64];
      double w;
      cnn_ticks_format (t, t->values[i], buf, sizeof buf);
      cnn_render_text_size (cr, style, CNN_TEXT_SMALL, buf, &w, NULL);
      widest = MAX (widest, w);
    }
  return widest;
}

void
cnn_axes_layout (CnnAxes *ax, cairo_t *cr, const CnnRenderStyle *style, const CnnRect *area)
{
  double small_h = cnn_render_text_line_height (cr, style, CNN_TEXT_SMALL);
  double label_h = cnn_render_text_line_height (cr, style, CNN_TEXT_LABEL);
  double left = 0, bottom = 0, top = 0, right = 0;
  if (ax->x_ticks)
    bottom += style->tick_length + 2 + small_h;
  if (ax->x_label && ax->x_label[0])
    bottom += label_h + 2;
  if (ax->y_ticks)
    {
      top = 0.5 * small_h;   /* the top label is centered on the plot's edge */
      make_ticks (ax->y0, ax->y1, ax->y_log, area->height - top - bottom, 2.5 * small_h, &ax->yt);
      left += style->tick_length + 3 + widest_label (cr, style, &ax->yt);
    }
  if (ax->y_label && ax->y_label[0])
    left += label_h + 4;
  if (ax->x_ticks)
    {
      /* the last label is centered on the plot's right edge */
      make_ticks (ax->x0, ax->x1, ax->x_log, area->width - left, 4.5 * small_h, &ax->xt);
      right = 0.5 * widest_label (cr, style, &ax->xt);
    }
  /* the plot's edges on whole device pixels: the axes along them are crisp */
  double x0 = area->x + left, y0 = area->y + top;
  double x1 = area->x + area->width - right, y1 = area->y + area->height - bottom;
  cairo_user_to_device (cr, &x0, &y0);
  cairo_user_to_device (cr, &x1, &y1);
  x0 = ceil (x0);
  y0 = ceil (y0);
  x1 = floor (x1);
  y1 = floor (y1);
  cairo_device_to_user (cr, &x0, &y0);
  cairo_device_to_user (cr, &x1, &y1);
  ax->plot = cnn_rect (x0, y0, x1 - x0, y1 - y0);
}

void
cnn_axes_draw (const CnnAxes *ax, cairo_t *cr, const CnnRenderStyle *style)
{
  const CnnRect *p = &ax->plot;
  double small_h = cnn_render_text_line_height (cr, style, CNN_TEXT_SMALL);
  double tl = style->tick_length;
  const CnnTicks *xt = &ax->xt, *yt = &ax->yt;

  cairo_save (cr);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
  /* grid lines under everything */
  cairo_set_line_width (cr, style->grid_width);
  cnn_render_set_color (cr, &style->grid);
  for (int i = 0; ax->x_ticks && i < xt->n; i++)
    {
      double x = cnn_axes_x (ax, xt->values[i]);
      cairo_move_to (cr, x, p->y);
      cairo_line_to (cr, x, p->y + p->height);
    }
  for (int i = 0; ax->y_ticks && i < yt->n; i++)
    {
      double y = cnn_axes_y (ax, yt->values[i]);
      cairo_move_to (cr, p->x, y);
      cairo_line_to (cr, p->x + p->width, y);
    }
  cairo_stroke (cr);

  cairo_set_line_width (cr, style->axis_width);
  cnn_render_set_color (cr, &style->foreground);
  double hw = 0.5 * style->axis_width;
  cairo_move_to (cr, p->x - hw, p->y);
  cairo_line_to (cr, p->x - hw, p->y + p->height + hw);
  cairo_line_to (cr, p->x + p->width, p->y + p->height + hw);
  for (int i = 0; ax->x_ticks && i < xt->n; i++)
    {
      double x = cnn_axes_x (ax, xt->values[i]);
      cairo_move_to (cr, x, p->y + p->height);
      cairo_line_to (cr, x, p->y + p->height + tl);
    }
  for (int i = 0; ax->y_ticks && i < yt->n; i++)
    {
      double y = cnn_axes_y (ax, yt->values[i]);
      cairo_move_to (cr, p->x, y);
      cairo_line_to (cr, p->x - tl, y);
    }
  cairo_stroke (cr);
  cairo_restore (cr);

  char buf[64];
  for (int i = 0; ax->x_ticks && i < xt->n; i++)
    {
      cnn_ticks_format (xt, xt->values[i], buf, sizeof buf);
      cnn_render_text (cr, style, CNN_TEXT_SMALL, &style->muted, buf, cnn_axes_x (ax, xt->values[i]),
                       p->y + p->height + tl + 2, 0.5, 0.0, 0);
    }
  for (int i = 0; ax->y_ticks && i < yt->n; i++)
    {
      cnn_ticks_format (yt, yt->values[i], buf, sizeof buf);
      cnn_render_text (cr, style, CNN_TEXT_SMALL, &style->muted, buf, p->x - tl - 3,
                       cnn_axes_y (ax, yt->values[i]), 1.0, 0.5, 0);
    }
  if (ax->x_label && ax->x_label[0])
    {
      double y = p->y + p->height + (ax->x_ticks ? tl + 2 + small_h : 0) + 2;
      cnn_render_text (cr, style, CNN_TEXT_LABEL, NULL, ax->x_label, p->x + 0.5 * p->width, y,
                       0.5, 0.0, p->width);
    }
  if (ax->y_label && ax->y_label[0])
    {
      double w = 0;
      if (ax->y_ticks)
        w = tl + 3 + widest_label (cr, style, yt);
      cnn_render_text_vertical (cr, style, CNN_TEXT_LABEL, NULL, ax->y_label, p->x - w - 4,
                                p->y + 0.5 * p->height, 1.0, 0.5, p->height);
    }
}
