#include "cnn-curves-page.h"

#include "cnn-export-dialog.h"
#include "cnn-run-folder.h"
#include "cnn-window-private.h"

typedef struct
{
  CnnCurveRun *run;
  double       planned;   /* epochs the x axis makes room for */
} RunEntry;

struct _CnnCurvesPage
{
  GtkWidget      parent_instance;
  GtkWidget     *toolbar;
  GtkDropDown   *show_dropdown;
  GtkToggleButton *log_toggle;
  GtkAdjustment *smoothing_adjustment;
  GtkWidget     *smoothing_scale;
  GtkWidget     *paned;
  CnnFigureView *view;
  GtkListBox    *run_list;
  GtkWidget     *runs_box, *runs_separator;

  GPtrArray     *runs;        /* RunEntry, in the order they were made */
  CnnCurveRun   *current;
  int            next_color;
};

G_DEFINE_FINAL_TYPE (CnnCurvesPage, cnn_curves_page, GTK_TYPE_WIDGET)

static void
run_entry_free (RunEntry *e)
{
  cnn_curve_run_free (e->run);
  g_free (e);
}

static int
visible_runs (CnnCurvesPage *self, CnnCurveRun **out, double *planned)
{
  int n = 0;
  *planned = 0;
  for (guint i = 0; i < self->runs->len; i++)
    {
      RunEntry *e = g_ptr_array_index (self->runs, i);
      if (e->run->hidden)
        continue;
      if (out)
        out[n] = e->run;
      *planned = MAX (*planned, e->planned);
      n++;
    }
  return n;
}

static void
fill_data (CnnCurvesPage *self, CnnCurvesData *d, CnnCurveRun **runs)
{
  cnn_curves_data_init (d);
  double planned = 0;
  d->n_runs = visible_runs (self, runs, &planned);
  d->runs = runs;
  guint show = gtk_drop_down_get_selected (self->show_dropdown);
  d->show = show == 1 ? CNN_CURVES_LOSS : show == 2 ? CNN_CURVES_ACCURACY : CNN_CURVES_BOTH;
  d->log_loss = gtk_toggle_button_get_active (self->log_toggle);
  d->smoothing = gtk_adjustment_get_value (self->smoothing_adjustment);
  d->min_epochs = planned;
}

static void
draw (cairo_t *cr, double width, double height, const CnnRenderStyle *style, gpointer data)
{
  CnnCurvesPage *self = data;
  if (self->runs->len == 0)
    {
      const char *text = "Press Train: the loss and accuracy of the run appear here while the "
                         "network learns. Train again with other settings and the runs are "
                         "overlaid, to compare.";
      double w = MIN (width - 2 * style->padding, 520);
      double h = cnn_render_paragraph_height (cr, style, CNN_TEXT_LABEL, text, w);
      cnn_render_paragraph (cr, style, CNN_TEXT_LABEL, &style->muted, text, (width - w) / 2,
                            (height - h) / 2, w);
      return;
    }
  g_autofree CnnCurveRun **runs = g_new0 (CnnCurveRun *, self->runs->len + 1);
  CnnCurvesData d;
  fill_data (self, &d, runs);
  cnn_panel_curves_draw (&d, style, cr, width, height);
}

static void
natural_size (const CnnRenderStyle *style, double *width, double *height, gpointer data)
{
  CnnCurvesPage *self = data;
  g_autofree CnnCurveRun **runs = g_new0 (CnnCurveRun *, self->runs->len + 1);
  CnnCurvesData d;
  fill_data (self, &d, runs);
  cnn_panel_curves_natural_size (&d, style, width, height);
}

static int
find_run (CnnCurvesPage *self, CnnCurveRun *run)
{
  for (guint i = 0; i < self->runs->len; i++)
    if (((RunEntry *) g_ptr_array_index (self->runs, i))->run == run)
      return i;
  return -1;
}

static void rebuild_list (CnnCurvesPage *self);

static void
swatch_draw (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  CnnCurvesPage *self = g_object_get_data (G_OBJECT (area), "page");
  CnnCurveRun *run = data;
  if (self == NULL || find_run (self, run) < 0)
    return;
  const CnnRenderStyle *style = cnn_render_style_get (cnn_figure_view_get_style (self->view));
  cnn_render_set_color (cr, cnn_render_style_series (style, run->color));
  cairo_arc (cr, width / 2.0, height / 2.0, MIN (width, height) / 2.0 - 1, 0, 2 * G_PI);
  cairo_fill (cr);
}

static void
on_visible_toggled (GtkCheckButton *check, CnnCurvesPage *self)
{
  int i = find_run (self, g_object_get_data (G_OBJECT (check), "run"));
  if (i >= 0)
    cnn_curves_page_set_hidden (self, i, !gtk_check_button_get_active (check));
}

static void
on_editing_changed (GtkEditableLabel *label, GParamSpec *pspec, CnnCurvesPage *self)
{
  if (gtk_editable_label_get_editing (label))
    return;
  CnnCurveRun *run = g_object_get_data (G_OBJECT (label), "run");
  int i = find_run (self, run);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (label));
  if (i >= 0 && text && text[0] && g_strcmp0 (text, run->label) != 0)
    {
      cnn_curve_run_set_label (run, text);
      gtk_widget_queue_draw (GTK_WIDGET (self->view));
    }
}

static void
on_delete_clicked (GtkButton *button, CnnCurvesPage *self)
{
  int i = find_run (self, g_object_get_data (G_OBJECT (button), "run"));
  if (i >= 0)
    cnn_curves_page_delete_run (self, i);
}

static GtkWidget *
make_row (CnnCurvesPage *self, CnnCurveRun *run)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *swatch = gtk_drawing_area_new ();
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (swatch), 12);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (swatch), 12);
  gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (swatch), "page", self);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), swatch_draw, run, NULL);
  gtk_box_append (GTK_BOX (box), swatch);

  GtkWidget *check = gtk_check_button_new ();
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), !run->hidden);
  gtk_widget_set_tooltip_text (check, "Show this run in the plot");
  g_object_set_data (G_OBJECT (check), "run", run);
  g_signal_connect (check, "toggled", G_CALLBACK (on_visible_toggled), self);
  gtk_box_append (GTK_BOX (box), check);

  GtkWidget *label = gtk_editable_label_new (run->label ? run->label : "");
  gtk_widget_set_hexpand (label, TRUE);
  gtk_editable_set_width_chars (GTK_EDITABLE (label), 8);
  gtk_editable_set_max_width_chars (GTK_EDITABLE (label), 24);
  gtk_widget_set_tooltip_text (label, "Double-click to rename; the legend shows this name");
  g_object_set_data (G_OBJECT (label), "run", run);
  g_signal_connect (label, "notify::editing", G_CALLBACK (on_editing_changed), self);
  gtk_box_append (GTK_BOX (box), label);

  GtkWidget *del = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_add_css_class (del, "flat");
  gtk_widget_set_tooltip_text (del, "Delete this run");
  gtk_accessible_update_property (GTK_ACCESSIBLE (del), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Delete run", -1);
  g_object_set_data (G_OBJECT (del), "run", run);
  g_signal_connect (del, "clicked", G_CALLBACK (on_delete_clicked), self);
  gtk_box_append (GTK_BOX (box), del);
  return box;
}

static void
rebuild_list (CnnCurvesPage *self)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->run_list))) != NULL)
    gtk_list_box_remove (self->run_list, child);
  for (guint i = 0; i < self->runs->len; i++)
    gtk_list_box_append (self->run_list,
                         make_row (self, ((RunEntry *) g_ptr_array_index (self->runs, i))->run));
}

static gboolean
write_csv (const char *path, gpointer data, GError **error)
{
  return cnn_curves_page_write_csv (CNN_CURVES_PAGE (data), path, error);
}

static void
export_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  CnnCurvesPage *self = CNN_CURVES_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  cnn_export_dialog_show (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->view, "curves",
                          write_csv, self, cnn_window_export_done, root);
}

static void
on_option_changed (CnnCurvesPage *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self->view));
}

static void
cnn_curves_page_dispose (GObject *object)
{
  CnnCurvesPage *self = CNN_CURVES_PAGE (object);
  if (self->view)
    cnn_figure_view_set_draw_func (self->view, NULL, NULL, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CNN_TYPE_CURVES_PAGE);
  self->view = NULL;
  self->current = NULL;
  g_clear_pointer (&self->runs, g_ptr_array_unref);
  G_OBJECT_CLASS (cnn_curves_page_parent_class)->dispose (object);
}

static void
cnn_curves_page_class_init (CnnCurvesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->dispose = cnn_curves_page_dispose;
  g_type_ensure (CNN_TYPE_FIGURE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/convscope/Convscope/cnn-curves-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CnnCurvesPage, toolbar);
  gtk_widget_class_bind_template_child (widget_class, CnnCurvesPage, show_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CnnCurvesPage, log_toggle);
  gtk_widget_class_bind_template_child (widget_class, CnnCurvesPage, smoothing_adjustment);
  gtk_widget_class_bind_template_child (widget_class, CnnCurvesPage, smoothing_scale);
  gtk_widget_class_bind_template_child (widget_class, CnnCurvesPage, paned);
  gtk_widget_class_bind_template_child (widget_class, CnnCurvesPage, view);
  gtk_widget_class_bind_template_child (widget_class, CnnCurvesPage, run_list);
  gtk_widget_class_bind_template_child (widget_class, CnnCurvesPage, runs_box);
  gtk_widget_class_bind_template_child (widget_class, CnnCurvesPage, runs_separator);
  gtk_widget_class_install_action (widget_class, "page.export", NULL, export_activated);
}

static void
cnn_curves_page_init (CnnCurvesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) run_entry_free);
  cnn_figure_view_set_draw_func (self->view, draw, natural_size, self, NULL);
  g_signal_connect_swapped (self->show_dropdown, "notify::selected",
                            G_CALLBACK (on_option_changed), self);
  g_signal_connect_swapped (self->log_toggle, "toggled", G_CALLBACK (on_option_changed), self);
  g_signal_connect_swapped (self->smoothing_adjustment, "value-changed",
                            G_CALLBACK (on_option_changed), self);
}

GtkWidget *
cnn_curves_page_new (void)
{
  return g_object_new (CNN_TYPE_CURVES_PAGE, NULL);
}

CnnFigureView *
cnn_curves_page_get_view (CnnCurvesPage *self)
{
  return self->view;
}

void
cnn_curves_page_begin_run (CnnCurvesPage *self, const char *label, double planned_epochs)
{
  g_return_if_fail (CNN_IS_CURVES_PAGE (self));
  RunEntry *e = g_new0 (RunEntry, 1);
  e->run = cnn_curve_run_new (label);
  e->run->color = self->next_color++;
  e->planned = planned_epochs;
  g_ptr_array_add (self->runs, e);
  self->current = e->run;
  rebuild_list (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->view));
}

CnnCurveRun *
cnn_curves_page_get_current (CnnCurvesPage *self)
{
  return self->current;
}

void
cnn_curves_page_extend_current (CnnCurvesPage *self, double planned_epochs)
{
  int i = self->current ? find_run (self, self->current) : -1;
  if (i < 0)
    return;
  RunEntry *e = g_ptr_array_index (self->runs, i);
  e->planned = MAX (e->planned, planned_epochs);
  gtk_widget_queue_draw (GTK_WIDGET (self->view));
}

/* A live curve gains a point every few milliseconds; redrawing it a few
 * times a second looks as smooth and leaves the CPU to the training. */
#define LIVE_REDRAW_MS 250

void
cnn_curves_page_changed (CnnCurvesPage *self)
{
  cnn_figure_view_data_changed (self->view, LIVE_REDRAW_MS);
}

int
cnn_curves_page_get_n_runs (CnnCurvesPage *self)
{
  return self->runs->len;
}

CnnCurveRun *
cnn_curves_page_get_run (CnnCurvesPage *self, int index)
{
  g_return_val_if_fail (index >= 0 && (guint) index < self->runs->len, NULL);
  return ((RunEntry *) g_ptr_array_index (self->runs, index))->run;
}

void
cnn_curves_page_rename_run (CnnCurvesPage *self, int index, const char *label)
{
  g_return_if_fail (index >= 0 && (guint) index < self->runs->len);
  cnn_curve_run_set_label (cnn_curves_page_get_run (self, index), label);
  rebuild_list (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->view));
}

void
cnn_curves_page_set_hidden (CnnCurvesPage *self, int index, gboolean hidden)
{
  g_return_if_fail (index >= 0 && (guint) index < self->runs->len);
  CnnCurveRun *run = cnn_curves_page_get_run (self, index);
  if (run->hidden == hidden)
    return;
  run->hidden = hidden;
  /* keep the check box in step when called from code */
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->run_list, index);
  if (row)
    {
      GtkWidget *box = gtk_list_box_row_get_child (row);
      GtkWidget *check = gtk_widget_get_next_sibling (gtk_widget_get_first_child (box));
      if (GTK_IS_CHECK_BUTTON (check)
          && gtk_check_button_get_active (GTK_CHECK_BUTTON (check)) == hidden)
        gtk_check_button_set_active (GTK_CHECK_BUTTON (check), !hidden);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self->view));
}

void
cnn_curves_page_delete_run (CnnCurvesPage *self, int index)
{
  g_return_if_fail (index >= 0 && (guint) index < self->runs->len);
  if (cnn_curves_page_get_run (self, index) == self->current)
    self->current = NULL;
  g_ptr_array_remove_index (self->runs, index);
  rebuild_list (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->view));
}

void
cnn_curves_page_set_show_runs (CnnCurvesPage *self, gboolean show)
{
  g_return_if_fail (CNN_IS_CURVES_PAGE (self));
  gtk_widget_set_visible (self->runs_box, show);
  gtk_widget_set_visible (self->runs_separator, show);
}

void
cnn_curves_page_set_log_scale (CnnCurvesPage *self, gboolean log_scale)
{
  gtk_toggle_button_set_active (self->log_toggle, log_scale);
}

gboolean
cnn_curves_page_write_csv (CnnCurvesPage *self, const char *path, GError **error)
{
  g_autofree CnnCurveRun **runs = g_new0 (CnnCurveRun *, self->runs->len + 1);
  double planned;
  int n = visible_runs (self, runs, &planned);
  if (n == 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "%s: there are no curves to write",
                   path);
      return FALSE;
    }
  return cnn_curve_runs_write_csv (runs, n, gtk_adjustment_get_value (self->smoothing_adjustment),
                                   path, error);
}

gboolean
cnn_curves_page_export (CnnCurvesPage *self, const char *path, double dpi,
                        CnnRenderStyleId style, GError **error)
{
  int n = 0;
  const CnnExportSize *sizes = cnn_export_sizes (&n);
  return cnn_export_write (self->view, path, &sizes[0], dpi, style, write_csv, self, error);
}
