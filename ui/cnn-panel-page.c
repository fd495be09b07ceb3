#include "cnn-panel-page.h"

#include "cnn-export-dialog.h"
#include "cnn-page-frame.h"
#include "cnn-window-private.h"

#define SAMPLES_PER_CLASS 8

struct _CnnPanelPage
{
  GtkWidget       parent_instance;
  GtkWidget      *toolbar;
  GtkWidget      *controls;
  GtkWidget      *export_button;
  CnnFigureView  *view;

  CnnPanelKind    kind;
  CnnFiltersData *filters;
  CnnFilterScale  scale;
  CnnSummaryData *summary;
  CnnFieldsData  *fields;
  gboolean        show_fields;      /* the model page shows receptive fields */
  const CnnDataset *dataset;        /* borrowed; see cnn_panel_page_show_dataset */
  int            *sample_idx;       /* (n_classes, SAMPLES_PER_CLASS) */
  char           *sample_title;
  guint64         sample_seed;
  GtkWidget      *scale_dropdown;
  GtkWidget      *fields_dropdown;
};

G_DEFINE_FINAL_TYPE (CnnPanelPage, cnn_panel_page, GTK_TYPE_WIDGET)

static const char *
empty_message (CnnPanelKind kind)
{
  switch (kind)
    {
    case CNN_PANEL_FILTERS:
      return "The first layer's filters appear here once a model is built: press Train, "
             "or open a checkpoint.";
    case CNN_PANEL_SUMMARY:
      return "The model's layers, output shapes and parameter counts appear here once a model "
             "is built: press Train, or open a checkpoint.";
    case CNN_PANEL_SAMPLES:
    default:
      return "Sample images of the data set appear here once it is loaded: press Train "
             "(or Continue for an opened checkpoint).";
    }
}

static void
draw (cairo_t *cr, double width, double height, const CnnRenderStyle *style, gpointer data)
{
  CnnPanelPage *self = data;
  switch (self->kind)
    {
    case CNN_PANEL_FILTERS:
      if (self->filters)
        {
          self->filters->scale = self->scale;
          cnn_panel_filters_draw (self->filters, style, cr, width, height);
          return;
        }
      break;
    case CNN_PANEL_SUMMARY:
      if (self->show_fields && self->fields)
        {
          cnn_panel_fields_draw (self->fields, style, cr, width, height);
          return;
        }
      if (self->summary)
        {
          cnn_panel_summary_draw (self->summary, style, cr, width, height);
          return;
        }
      break;
    case CNN_PANEL_SAMPLES:
      if (self->dataset && self->sample_idx)
        {
          CnnPanelSamples p = { .set = self->dataset->train, .n_classes = self->dataset->n_classes,
                                .class_names = (const char *const *) self->dataset->class_names,
                                .per_class = SAMPLES_PER_CLASS, .idx = self->sample_idx,
                                .title = self->sample_title };
          cnn_panel_samples_draw (&p, style, cr, width, height);
          return;
        }
      break;
    }
  cnn_page_draw_message (cr, width, height, style, empty_message (self->kind));
}

static void
natural_size (const CnnRenderStyle *style, double *width, double *height, gpointer data)
{
  CnnPanelPage *self = data;
  if (self->kind == CNN_PANEL_FILTERS && self->filters)
    cnn_panel_filters_natural_size (self->filters, style, width, height);
  else if (self->kind == CNN_PANEL_SUMMARY && self->show_fields && self->fields)
    cnn_panel_fields_natural_size (self->fields, style, width, height);
  else if (self->kind == CNN_PANEL_SUMMARY && self->summary)
    cnn_panel_summary_natural_size (self->summary, style, width, height);
  else if (self->kind == CNN_PANEL_SAMPLES && self->dataset && self->sample_idx)
    {
      CnnPanelSamples p = { .set = self->dataset->train, .n_classes = self->dataset->n_classes,
                            .class_names = (const char *const *) self->dataset->class_names,
                            .per_class = SAMPLES_PER_CLASS, .idx = self->sample_idx,
                            .title = self->sample_title };
      cnn_panel_samples_natural_size (&p, style, width, height);
    }
}

static const char *
export_name (CnnPanelKind kind)
{
  return kind == CNN_PANEL_FILTERS ? "filters" : kind == CNN_PANEL_SUMMARY ? "summary" : "samples";
}

static void
on_model_view_changed (GtkDropDown *dropdown, GParamSpec *pspec, CnnPanelPage *self)
{
  self->show_fields = gtk_drop_down_get_selected (dropdown) == 1;
  gtk_widget_queue_draw (GTK_WIDGET (self->view));
}

void
cnn_panel_page_set_show_fields (CnnPanelPage *self, gboolean show)
{
  g_return_if_fail (CNN_IS_PANEL_PAGE (self));
  if (self->fields_dropdown)
    gtk_drop_down_set_selected (GTK_DROP_DOWN (self->fields_dropdown), show ? 1 : 0);
}

static void
export_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  CnnPanelPage *self = CNN_PANEL_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  cnn_export_dialog_show (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->view,
                          self->show_fields ? "receptive-fields" : export_name (self->kind), NULL, NULL, cnn_window_export_done,
                          root);
}

static void
shuffle_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  CnnPanelPage *self = CNN_PANEL_PAGE (widget);
  self->sample_seed++;
  cnn_panel_page_show_dataset (self, self->dataset, self->sample_title);
}

static void
on_scale_changed (GtkDropDown *dropdown, GParamSpec *pspec, CnnPanelPage *self)
{
  cnn_panel_page_set_filter_scale (self, gtk_drop_down_get_selected (dropdown) == 1
                                           ? CNN_FILTER_SCALE_SHARED : CNN_FILTER_SCALE_FILTER);
}

static void
cnn_panel_page_dispose (GObject *object)
{
  CnnPanelPage *self = CNN_PANEL_PAGE (object);
  if (self->view)
    cnn_figure_view_set_draw_func (self->view, NULL, NULL, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CNN_TYPE_PANEL_PAGE);
  self->view = NULL;
  g_clear_pointer (&self->filters, cnn_filters_data_free);
  g_clear_pointer (&self->summary, cnn_summary_data_free);
  g_clear_pointer (&self->fields, cnn_fields_data_free);
  g_clear_pointer (&self->sample_idx, g_free);
  g_clear_pointer (&self->sample_title, g_free);
  self->dataset = NULL;
  G_OBJECT_CLASS (cnn_panel_page_parent_class)->dispose (object);
}

static void
cnn_panel_page_class_init (CnnPanelPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->dispose = cnn_panel_page_dispose;
  g_type_ensure (CNN_TYPE_FIGURE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/convscope/Convscope/cnn-panel-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CnnPanelPage, toolbar);
  gtk_widget_class_bind_template_child (widget_class, CnnPanelPage, controls);
  gtk_widget_class_bind_template_child (widget_class, CnnPanelPage, export_button);
  gtk_widget_class_bind_template_child (widget_class, CnnPanelPage, view);
  gtk_widget_class_install_action (widget_class, "page.export", NULL, export_activated);
  gtk_widget_class_install_action (widget_class, "page.shuffle", NULL, shuffle_activated);
}

static void
cnn_panel_page_init (CnnPanelPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  cnn_figure_view_set_draw_func (self->view, draw, natural_size, self, NULL);
}

GtkWidget *
cnn_panel_page_new (CnnPanelKind kind)
{
  CnnPanelPage *self = g_object_new (CNN_TYPE_PANEL_PAGE, NULL);
  self->kind = kind;
  if (kind == CNN_PANEL_FILTERS)
    {
      const char *const scales[] = { "Each filter to its own range", "One range for all", NULL };
      self->scale_dropdown = gtk_drop_down_new_from_strings (scales);
      gtk_widget_set_tooltip_text (self->scale_dropdown,
                                   "Colors: each filter stretched to its largest weight (shows "
                                   "every pattern), or one scale for all (compares strength)");
      g_signal_connect (self->scale_dropdown, "notify::selected", G_CALLBACK (on_scale_changed),
                        self);
      gtk_box_append (GTK_BOX (self->controls), self->scale_dropdown);
    }
  else if (kind == CNN_PANEL_SUMMARY)
    {
      const char *const views[] = { "Layers", "Receptive fields", NULL };
      GtkWidget *dropdown = self->fields_dropdown = gtk_drop_down_new_from_strings (views);
      gtk_widget_set_tooltip_text (dropdown,
                                   "The layers as a table, or how much of the input a unit of "
                                   "each layer sees");
      g_signal_connect (dropdown, "notify::selected", G_CALLBACK (on_model_view_changed), self);
      gtk_box_append (GTK_BOX (self->controls), dropdown);
    }
  else if (kind == CNN_PANEL_SAMPLES)
    {
      GtkWidget *shuffle = gtk_button_new_from_icon_name ("media-playlist-shuffle-symbolic");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (shuffle), "page.shuffle");
      gtk_widget_set_tooltip_text (shuffle, "Show other images");
      gtk_box_append (GTK_BOX (self->controls), shuffle);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.shuffle", FALSE);
  return GTK_WIDGET (self);
}

CnnPanelKind
cnn_panel_page_get_kind (CnnPanelPage *self)
{
  return self->kind;
}

CnnFigureView *
cnn_panel_page_get_view (CnnPanelPage *self)
{
  return self->view;
}

void
cnn_panel_page_show_network (CnnPanelPage *self, const CnnNetwork *net)
{
  g_return_if_fail (CNN_IS_PANEL_PAGE (self));
  if (self->kind == CNN_PANEL_FILTERS)
    {
      g_clear_pointer (&self->filters, cnn_filters_data_free);
      if (net)
        {
          self->filters = cnn_filters_data_new (net, NULL, -1, NULL);
          if (self->filters)
            self->filters->scale = self->scale;
        }
      cnn_figure_view_data_changed (self->view, 150);
      return;
    }
  else if (self->kind == CNN_PANEL_SUMMARY)
    {
      g_clear_pointer (&self->summary, cnn_summary_data_free);
      g_clear_pointer (&self->fields, cnn_fields_data_free);
      if (net)
        {
          self->summary = cnn_summary_data_new (net);
          self->fields = cnn_fields_data_new (net, "the model");
        }
    }
  gtk_widget_queue_draw (GTK_WIDGET (self->view));
}

void
cnn_panel_page_show_dataset (CnnPanelPage *self, const CnnDataset *dataset, const char *title)
{
  g_return_if_fail (CNN_IS_PANEL_PAGE (self));
  g_autofree char *new_title = g_strdup (title);
  g_clear_pointer (&self->sample_idx, g_free);
  g_free (self->sample_title);
  self->sample_title = g_steal_pointer (&new_title);
  self->dataset = dataset;
  if (dataset && dataset->train && dataset->train->n > 0)
    self->sample_idx = cnn_panel_samples_pick (dataset->train, dataset->n_classes,
                                               SAMPLES_PER_CLASS, self->sample_seed);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.shuffle", self->sample_idx != NULL);
  gtk_widget_queue_draw (GTK_WIDGET (self->view));
}

void
cnn_panel_page_set_filter_scale (CnnPanelPage *self, CnnFilterScale scale)
{
  g_return_if_fail (CNN_IS_PANEL_PAGE (self));
  self->scale = scale;
  if (self->scale_dropdown)
    gtk_drop_down_set_selected (GTK_DROP_DOWN (self->scale_dropdown),
                                scale == CNN_FILTER_SCALE_SHARED ? 1 : 0);
  gtk_widget_queue_draw (GTK_WIDGET (self->view));
}

gboolean
cnn_panel_page_export (CnnPanelPage *self, const char *path, double dpi, CnnRenderStyleId style,
                       GError **error)
{
  int n = 0;
  const CnnExportSize *sizes = cnn_export_sizes (&n);
  return cnn_export_write (self->view, path, &sizes[0], dpi, style, NULL, NULL, error);
}
