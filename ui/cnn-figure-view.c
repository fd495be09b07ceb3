#include "cnn-figure-view.h"

struct _CnnFigureView
{
  GtkWidget          parent_instance;
  CnnRenderDrawFunc  draw;
  CnnNaturalSizeFunc natural_size;
  gpointer           data;
  GDestroyNotify     destroy;
  CnnRenderStyleId   style;
  guint              draw_count;
  gint64             last_draw;     /* µs, monotonic */
  gint64             draw_us;       /* how long the last draw took */
  guint              redraw_source; /* a throttled redraw is pending */
};

G_DEFINE_FINAL_TYPE (CnnFigureView, cnn_figure_view, GTK_TYPE_WIDGET)

/* The figure is rasterized here, into an image at the screen's scale, so
 * the cost of a redraw is known (it sets how often a live figure may
 * redraw). The image goes to GTK inside a cairo node: a renderer that
 * repaints part of the window (the status line, ten times a second) paints
 * only that part of the image, and a GL renderer uploads it once. */
static void
cnn_figure_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  CnnFigureView *self = CNN_FIGURE_VIEW (widget);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  int scale = gtk_widget_get_scale_factor (widget);
  if (width <= 0 || height <= 0 || width > 16384 / scale || height > 16384 / scale)
    return;
  gint64 t0 = g_get_monotonic_time ();
  const CnnRenderStyle *style = cnn_render_style_get (self->style);
  cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width * scale,
                                                       height * scale);
  if (cairo_surface_status (image) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (image);
      return;
    }
  cairo_t *cr = cairo_create (image);
  cairo_scale (cr, scale, scale);
  cnn_render_paint_background (cr, style);
  if (self->draw)
    self->draw (cr, width, height, style, self->data);
  cairo_destroy (cr);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_scale (cr, 1.0 / scale, 1.0 / scale);
  cairo_set_source_surface (cr, image, 0, 0);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_destroy (image);
  self->draw_count++;
  self->last_draw = g_get_monotonic_time ();
  self->draw_us = self->last_draw - t0;
}

static gboolean
throttled_redraw (gpointer data)
{
  CnnFigureView *self = data;
  self->redraw_source = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return G_SOURCE_REMOVE;
}

void
cnn_figure_view_data_changed (CnnFigureView *self, guint ms)
{
  g_return_if_fail (CNN_IS_FIGURE_VIEW (self));
  if (self->redraw_source)
    return;
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      /* not on screen: it draws fresh when it is shown */
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  /* redrawing may take a twentieth of the main thread at most: the main
   * thread shares the cores with the training threads */
  gint64 interval = MAX ((gint64) ms * 1000, 20 * self->draw_us);
  gint64 wait = self->last_draw + interval - g_get_monotonic_time ();
  if (wait <= 0)
    gtk_widget_queue_draw (GTK_WIDGET (self));
  else
    self->redraw_source = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) (wait / 1000) + 1,
                                              throttled_redraw, self, NULL);
}

static void
cnn_figure_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                         int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  /* small minimum so the window can shrink; the figure lays itself out */
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 240 : 180;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 640 : 420;
}

static void
cnn_figure_view_dispose (GObject *object)
{
  CnnFigureView *self = CNN_FIGURE_VIEW (object);
  g_clear_handle_id (&self->redraw_source, g_source_remove);
  cnn_figure_view_set_draw_func (self, NULL, NULL, NULL, NULL);
  G_OBJECT_CLASS (cnn_figure_view_parent_class)->dispose (object);
}

static void
cnn_figure_view_class_init (CnnFigureViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->dispose = cnn_figure_view_dispose;
  widget_class->snapshot = cnn_figure_view_snapshot;
  widget_class->measure = cnn_figure_view_measure;
  gtk_widget_class_set_css_name (widget_class, "figureview");
}

static void
cnn_figure_view_init (CnnFigureView *self)
{
  self->style = CNN_RENDER_STYLE_LIGHT;
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
cnn_figure_view_new (void)
{
  return g_object_new (CNN_TYPE_FIGURE_VIEW, NULL);
}

void
cnn_figure_view_set_draw_func (CnnFigureView *self, CnnRenderDrawFunc draw,
                               CnnNaturalSizeFunc natural_size, gpointer data,
                               GDestroyNotify destroy)
{
  g_return_if_fail (CNN_IS_FIGURE_VIEW (self));
  if (self->destroy)
    self->destroy (self->data);
  self->draw = draw;
  self->natural_size = natural_size;
  self->data = data;
  self->destroy = destroy;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cnn_figure_view_set_style (CnnFigureView *self, CnnRenderStyleId style)
{
  g_return_if_fail (CNN_IS_FIGURE_VIEW (self));
  g_return_if_fail ((unsigned) style < CNN_RENDER_N_STYLES);
  if (self->style == style)
    return;
  self->style = style;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

CnnRenderStyleId
cnn_figure_view_get_style (CnnFigureView *self)
{
  return self->style;
}

void
cnn_figure_view_get_natural_size (CnnFigureView *self, const CnnRenderStyle *style,
                                  double *width, double *height)
{
  *width = MAX (gtk_widget_get_width (GTK_WIDGET (self)), 640);
  *height = MAX (gtk_widget_get_height (GTK_WIDGET (self)), 420);
  if (self->natural_size)
    self->natural_size (style, width, height, self->data);
}

gboolean
cnn_figure_view_export (CnnFigureView *self, const char *path, double width, double height,
                        double dpi, CnnRenderStyleId style_id, GError **error)
{
  g_return_val_if_fail (CNN_IS_FIGURE_VIEW (self), FALSE);
  const CnnRenderStyle *style = cnn_render_style_get (style_id);
  if (width <= 0 || height <= 0)
    cnn_figure_view_get_natural_size (self, style, &width, &height);
  if (self->draw == NULL)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "%s: there is nothing to export yet",
                   path);
      return FALSE;
    }
  return cnn_render_export (path, width, height, dpi, style, self->draw, self->data, error);
}

guint
cnn_figure_view_get_draw_count (CnnFigureView *self)
{
  return self->draw_count;
}
