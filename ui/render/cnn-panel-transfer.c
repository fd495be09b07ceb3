/* cnn-panel-transfer.c: curves on the left (accuracy only: that is what
 * the strategies are compared on), the final accuracies on the right. */
#include "cnn-panel-transfer.h"

#include <math.h>

#include "cnn-render-bars.h"
#include "cnn-render-geometry.h"
#include "cnn-render-text.h"

void
cnn_panel_transfer_layout (const CnnTransferData *data, const CnnRenderStyle *style, cairo_t *cr,
                           double width, double height, CnnRect *curves, CnnRect *bars)
{
  CnnRect area = cnn_rect (0, 0, width, height);
  area = cnn_rect_inset (&area, style->padding);
  cnn_render_title (cr, style, data->title, &area);
  if (data->n_runs == 0)
    {
      *curves = cnn_rect (area.x, area.y, 0, 0);
      *bars = area;
      return;
    }
  /* the curves panel pads itself: give it the full height */
  double split = floor (0.62 * width);
  *curves = cnn_rect (0, area.y - style->padding, split, height - (area.y - style->padding));
  *bars = cnn_rect (split + style->padding, area.y + 2 * style->padding,
                    width - split - 2 * style->padding, area.height - 2 * style->padding);
}

void
cnn_panel_transfer_draw (const CnnTransferData *data, const CnnRenderStyle *style, cairo_t *cr,
                         double width, double height)
{
  g_return_if_fail (data != NULL && style != NULL && cr != NULL);
  g_return_if_fail (data->n_bars == 0 || (data->bar_labels && data->accuracy));
  CnnRect curves, bars;
  cnn_panel_transfer_layout (data, style, cr, width, height, &curves, &bars);
  if (data->n_runs > 0)
    {
      CnnCurvesData c;
      cnn_curves_data_init (&c);
      c.runs = data->runs;
      c.n_runs = data->n_runs;
      c.show = CNN_CURVES_ACCURACY;
      c.smoothing = 0.0;   /* a few steps an epoch: nothing to smooth */
      c.raw = FALSE;
      /* the runs' dashed curves are test images, for the curves only */
      c.val_label = "test";
      cairo_save (cr);
      cairo_translate (cr, curves.x, curves.y);
      cnn_panel_curves_draw (&c, style, cr, curves.width, curves.height);
      cairo_restore (cr);
    }
  if (data->n_bars > 0)
    {
      /* accuracies as percentages: what a class reads and compares */
      g_autofree double *values = g_new (double, data->n_bars);
      for (int i = 0; i < data->n_bars; i++)
        values[i] = 100.0 * data->accuracy[i];
      CnnBarChart chart = { .n = data->n_bars, .values = values, .labels = data->bar_labels,
                            .value_label = data->value_label, .show_values = TRUE,
                            .series = data->series };
      cnn_render_bar_chart (&chart, style, cr, &bars);
    }
}

void
cnn_panel_transfer_natural_size (const CnnTransferData *data, const CnnRenderStyle *style,
                                 double *width, double *height)
{
  double k = MAX (1.0, style->label_size / cnn_render_style_get (CNN_RENDER_STYLE_LIGHT)->label_size);
  double w = k * (data->n_runs > 0 ? 1040 : 420), h = k * 440;
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t *cr = cairo_create (s);
  cnn_render_title_size (cr, style, data->title, &w, &h);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
  *width = ceil (w);
  *height = ceil (h);
}

void
cnn_transfer_figure_init (CnnTransferFigure *f, CnnCurveRun *const curves[3], const gboolean done[3],
                          const double accuracy[3], gboolean knn, const char *data_name,
                          const char *classes, int n_train, int n_test)
{
  static const char *const titles[3] = { "from scratch", "frozen features", "fine-tuned" };
  *f = (CnnTransferFigure) { 0 };
  int n_runs = 0, n_bars = 0;
  for (int k = 0; k < 3; k++)
    {
      if (!done[k])
        continue;
      if (curves[k])
        {
          cnn_curve_run_set_label (curves[k], titles[k]);
          /* one color a strategy, in the curves and the bars alike */
          curves[k]->color = k;
          f->runs[n_runs++] = curves[k];
        }
      f->labels[n_bars] = k == 1 && knn ? "frozen features (5-NN)" : titles[k];
      f->series[n_bars] = k;
      f->accuracy[n_bars++] = accuracy[k];
    }
  f->title = g_strdup_printf ("Transfer learning on %s%s%s: %d training images, test accuracy per "
                              "epoch", data_name, classes ? ", classes " : "",
                              classes ? classes : "", n_train);
  f->value_label = g_strdup_printf ("final test accuracy, %% (%d images)", n_test);
  f->data = (CnnTransferData) { .runs = f->runs, .n_runs = n_runs, .n_bars = n_bars,
                                .bar_labels = f->labels, .accuracy = f->accuracy,
                                .series = f->series, .value_label = f->value_label,
                                .title = f->title };
}

void
cnn_transfer_figure_clear (CnnTransferFigure *f)
{
  g_free (f->title);
  g_free (f->value_label);
  *f = (CnnTransferFigure) { 0 };
}
