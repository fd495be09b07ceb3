#include "cnn-explain-page.h"

#include <math.h>
#include <string.h>

#include "cnn-page-frame.h"
#include "cnn-input-bar.h"
#include "cnn-page-job.h"
#include "cnn-session-private.h"
#include "cnn-window-private.h"

/* One explanation: what the worker needs, copied, and what it made. */
typedef struct
{
  CnnPageJob         base;
  guint              request;        /* the page's request it answers */
  CnnNetwork        *net;
  CnnShape           shape;
  float             *x, *image01, *gray, *display;   /* (c, h, w) each */
  int                target;
  CnnExplainSettings settings;
  gboolean           use_pool;       /* both cores when nothing trains */
  double             epoch;
  char              *what;           /* "test image 3 (Coat)" */
  int                label;          /* its true class, -1 unknown */
  CnnExplanation    *result;         /* set by the worker */
  GError            *error;
  gint64             seconds_us;     /* how long it took */
} Job;

struct _CnnExplainPage
{
  GtkWidget       parent_instance;
  GtkWidget      *toolbar;
  GtkDropDown    *class_dropdown, *fill_dropdown, *layer_dropdown;
  GtkSpinButton  *smoothgrad_spin, *patch_spin, *stride_spin, *samples_spin, *features_spin;
  GtkWidget      *negative_switch;
  GtkRange       *opacity_scale;
  CnnFigureView  *view;

  CnnSession     *session;
  CnnPinnedInput *pin;
  CnnExplainSettings settings;
  int            *layer_index;       /* the Grad-CAM dropdown's layers after "default" */
  int             target;            /* -1: the predicted class */
  guint           request;           /* counts what asked for a new explanation */
  Job            *running, *shown;
  gboolean        pending;           /* asked while a job ran */
  gint64          next_allowed;      /* while training: not before (µs, monotonic) */
  guint           start_source;
  guint           compute_count;
};

G_DEFINE_FINAL_TYPE (CnnExplainPage, cnn_explain_page, GTK_TYPE_WIDGET)

static Job *
job_ref (Job *job)
{
  cnn_page_job_ref (&job->base);
  return job;
}

static void
job_unref (Job *job)
{
  if (job)
    cnn_page_job_unref (&job->base);
}

static void
job_clear (gpointer data)
{
  Job *job = data;
  if (job->net)
    cnn_network_free (job->net);
  g_free (job->x);
  g_free (job->image01);
  g_free (job->gray);
  g_free (job->display);
  g_free (job->what);
  if (job->result)
    cnn_explanation_free (job->result);
  g_clear_error (&job->error);
}

static void start (CnnExplainPage *self);

/* ---- the worker ---- */

/* The worker is done (its only news): show the result, go on if asked. */
static void
job_done (GtkWidget *page, CnnPageJob *base)
{
  CnnExplainPage *self = CNN_EXPLAIN_PAGE (page);
  Job *job = (Job *) base;
  if (self->running == job)
    {
      self->running = NULL;
      if (job->result)
        {
          g_clear_pointer (&self->shown, job_unref);
          self->shown = job_ref (job);
          self->compute_count++;
          cnn_figure_view_data_changed (self->view, 100);
        }
      else if (job->error)
        cnn_show_error (GTK_WIDGET (self), job->error);
      /* while training, the next one waits twenty times as long as this took */
      CnnSessionState state = cnn_session_get_state (self->session);
      gboolean training = state == CNN_SESSION_RUNNING || state == CNN_SESSION_LOADING;
      self->next_allowed = training ? g_get_monotonic_time () + MAX (1000000, 20 * job->seconds_us)
                                    : 0;
      job_unref (job);
      if (self->pending)
        start (self);
    }
}

static gpointer
worker (gpointer data)
{
  Job *job = data;
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr (CnnPool) pool = job->use_pool ? cnn_pool_new (0) : NULL;
  job->result = cnn_explanation_compute (job->net, pool, job->x, job->image01, job->gray, job->target,
                                         &job->settings, &job->error);
  job->seconds_us = g_get_monotonic_time () - t0;
  cnn_page_job_finish (&job->base);
  return NULL;
}

/* ---- starting ---- */

static Job *
job_new (CnnExplainPage *self)
{
  CnnNetwork *view = cnn_session_get_network (self->session);
  const CnnNormalizer *nz = cnn_session_get_normalizer (self->session);
  const CnnImageSet *input = cnn_pinned_input_get_image (self->pin);
  if (view == NULL || nz == NULL || input == NULL || input->c != nz->c || input->h != nz->h
      || input->w != nz->w)
    return NULL;
  Job *job = g_new0 (Job, 1);
  cnn_page_job_init (&job->base, GTK_WIDGET (self), job_done, job_clear);
  job->request = self->request;
  job->net = cnn_session_dup_network (self->session);
  job->shape = cnn_network_get_input_shape (view);
  size_t size = cnn_shape_size (job->shape);
  job->x = g_new (float, size);
  int zero = 0;
  cnn_normalizer_gather (nz, input, &zero, 1, job->x);
  job->display = g_new (float, size);
  job->image01 = g_new (float, size);
  job->gray = g_new (float, size);
  for (size_t i = 0; i < size; i++)
    {
      job->display[i] = input->pixels[i];
      job->image01[i] = input->pixels[i] / 255.0f;
    }
  /* a mid-gray image in the model's scale: what "gray" fills with */
  cnn_normalizer_constant (nz, 128.0f, job->gray);
  job->target = self->target < cnn_explain_n_classes (view) ? self->target : -1;
  job->settings = self->settings;
  CnnSessionState state = cnn_session_get_state (self->session);
  job->use_pool = state != CNN_SESSION_RUNNING && state != CNN_SESSION_LOADING;
  g_autoptr (CnnWeights) w = cnn_session_dup_weights (self->session);
  job->epoch = w ? w->epoch : 0;
  job->what = cnn_pinned_input_describe (self->pin);
  job->label = cnn_pinned_input_get_label (self->pin);
  return job;
}

static gboolean
start_later (gpointer data)
{
  CnnExplainPage *self = data;
  self->start_source = 0;
  start (self);
  return G_SOURCE_REMOVE;
}

/* Starts the explanation of the latest request, unless one runs (it
 * follows that one) or training asks to wait. */
static void
start (CnnExplainPage *self)
{
  g_clear_handle_id (&self->start_source, g_source_remove);
  if (self->running)
    {
      self->pending = TRUE;
      return;
    }
  self->pending = FALSE;
  gint64 wait = self->next_allowed - g_get_monotonic_time ();
  if (wait > 0)
    {
      self->pending = TRUE;
      self->start_source = g_timeout_add ((guint) (wait / 1000) + 1, start_later, self);
      return;
    }
  Job *job = job_new (self);
  if (job == NULL)
    {
      cnn_figure_view_data_changed (self->view, 0);
      return;
    }
  self->running = job;
  cnn_page_job_start (&job->base, "convscope-explain", worker);
}

/* Something the explanation depends on changed: a new one, at once when
 * shown (else when it is). */
static void
request (CnnExplainPage *self, gboolean now)
{
  self->request++;
  if (now)
    self->next_allowed = 0;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    start (self);
}

static void
on_input_changed (CnnPinnedInput *pin, CnnExplainPage *self)
{
  request (self, TRUE);
}

static void
on_weights (CnnSession *session, CnnExplainPage *self)
{
  request (self, FALSE);
}

static void
cnn_explain_page_map (GtkWidget *widget)
{
  CnnExplainPage *self = CNN_EXPLAIN_PAGE (widget);
  GTK_WIDGET_CLASS (cnn_explain_page_parent_class)->map (widget);
  if (!cnn_explain_page_is_current (self))
    start (self);
}

/* ---- the model ---- */

static void
fill_classes (CnnExplainPage *self)
{
  CnnNetwork *net = cnn_session_get_network (self->session);
  const char *const *names = cnn_session_get_class_names (self->session);
  int K = net ? cnn_explain_n_classes (net) : 0;
  g_autoptr (GtkStringList) list = gtk_string_list_new (NULL);
  gtk_string_list_append (list, "The predicted class");
  for (int k = 0; k < K; k++)
    {
      g_autofree char *name = names && names[k] ? g_strdup_printf ("%d · %s", k, names[k])
                                                : g_strdup_printf ("Class %d", k);
      gtk_string_list_append (list, name);
    }
  g_signal_handlers_block_matched (self->class_dropdown, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_drop_down_set_model (self->class_dropdown, G_LIST_MODEL (list));
  gtk_drop_down_set_selected (self->class_dropdown, self->target >= 0 && self->target < K
                                                      ? self->target + 1 : 0);
  g_signal_handlers_unblock_matched (self->class_dropdown, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  if (self->target >= K)
    self->target = -1;
}

static void
fill_gradcam_layers (CnnExplainPage *self)
{
  CnnNetwork *net = cnn_session_get_network (self->session);
  int n = net ? cnn_network_get_n_layers (net) : 0;
  g_clear_pointer (&self->layer_index, g_free);
  self->layer_index = g_new0 (int, MAX (n, 1));
  g_autoptr (GtkStringList) list = gtk_string_list_new (NULL);
  gtk_string_list_append (list, "Grad-CAM: the last map");
  int m = 0;
  for (int i = 0; i < n; i++)
    {
      const CnnLayer *l = cnn_network_get_layer (net, i);
      if (l->out_shape.h * l->out_shape.w <= 1 || strcmp (l->klass->name, "conv2d") != 0)
        continue;
      g_autofree char *name = g_strdup_printf ("Grad-CAM: %s (%d×%d)", l->name, l->out_shape.h,
                                               l->out_shape.w);
      gtk_string_list_append (list, name);
      self->layer_index[m++] = i;
    }
  g_signal_handlers_block_matched (self->layer_dropdown, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_drop_down_set_model (self->layer_dropdown, G_LIST_MODEL (list));
  gtk_drop_down_set_selected (self->layer_dropdown, 0);
  g_signal_handlers_unblock_matched (self->layer_dropdown, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  self->settings.gradcam_layer = -1;
}

static void
on_model (CnnSession *session, CnnExplainPage *self)
{
  fill_classes (self);
  fill_gradcam_layers (self);
  request (self, TRUE);
}

/* ---- the toolbar ---- */

static void
on_class_selected (GtkDropDown *dropdown, GParamSpec *pspec, CnnExplainPage *self)
{
  guint i = gtk_drop_down_get_selected (dropdown);
  self->target = i == GTK_INVALID_LIST_POSITION || i == 0 ? -1 : (int) i - 1;
  request (self, TRUE);
}

static const CnnFill fills[] = { CNN_FILL_BLUR, CNN_FILL_GRAY, CNN_FILL_MEAN, CNN_FILL_ZERO };

static void
on_setting_changed (GObject *widget, GParamSpec *pspec, CnnExplainPage *self)
{
  CnnExplainSettings *s = &self->settings;
  s->saliency.smoothgrad = gtk_spin_button_get_value_as_int (self->smoothgrad_spin);
  s->occlusion.patch = gtk_spin_button_get_value_as_int (self->patch_spin);
  s->occlusion.stride = gtk_spin_button_get_value_as_int (self->stride_spin);
  guint f = gtk_drop_down_get_selected (self->fill_dropdown);
  s->occlusion.fill = s->lime.fill = fills[f < G_N_ELEMENTS (fills) ? f : 0];
  s->lime.samples = gtk_spin_button_get_value_as_int (self->samples_spin);
  s->lime.features = gtk_spin_button_get_value_as_int (self->features_spin);
  guint l = gtk_drop_down_get_selected (self->layer_dropdown);
  s->gradcam_layer = l == GTK_INVALID_LIST_POSITION || l == 0 ? -1 : self->layer_index[l - 1];
  request (self, TRUE);
}

static void
on_looks_changed (GObject *widget, GParamSpec *pspec, CnnExplainPage *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self->view));
}

static GtkSpinButton *
add_spin (CnnExplainPage *self, GtkGrid *grid, int row, const char *label, const char *tooltip,
          double lo, double hi, double value)
{
  GtkWidget *l = gtk_label_new_with_mnemonic (label);
  gtk_widget_set_halign (l, GTK_ALIGN_START);
  GtkWidget *spin = gtk_spin_button_new_with_range (lo, hi, 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  gtk_label_set_mnemonic_widget (GTK_LABEL (l), spin);
  gtk_widget_set_tooltip_text (spin, tooltip);
  g_signal_connect (spin, "notify::value", G_CALLBACK (on_setting_changed), self);
  gtk_grid_attach (grid, l, 0, row, 1, 1);
  gtk_grid_attach (grid, spin, 1, row, 1, 1);
  return GTK_SPIN_BUTTON (spin);
}

static GtkWidget *
build_settings (CnnExplainPage *self)
{
  const CnnExplainSettings *s = &self->settings;
  GtkGrid *grid = GTK_GRID (gtk_grid_new ());
  gtk_grid_set_row_spacing (grid, 6);
  gtk_grid_set_column_spacing (grid, 12);
  self->smoothgrad_spin = add_spin (self, grid, 0, "_SmoothGrad copies",
                                    "Saliency: average over this many noisy copies (0: the plain "
                                    "gradient)", 0, 100, s->saliency.smoothgrad);
  self->patch_spin = add_spin (self, grid, 1, "Occlusion _patch", "Side of the square patch, in pixels",
                               1, 64, s->occlusion.patch);
  self->stride_spin = add_spin (self, grid, 2, "Occlusion s_tride", "Pixels between patch positions",
                                1, 16, s->occlusion.stride);
  self->samples_spin = add_spin (self, grid, 3, "LIME sa_mples", "Perturbed images LIME fits on",
                                 50, 10000, s->lime.samples);
  self->features_spin = add_spin (self, grid, 4, "LIME _superpixels", "Superpixels outlined",
                                  1, 30, s->lime.features);
  const char *const fill_names[] = { "Fill: blurred image", "Fill: gray", "Fill: image mean",
                                     "Fill: zero", NULL };
  self->fill_dropdown = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (fill_names));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->fill_dropdown),
                               "What covers the pixels occlusion and LIME switch off");
  g_signal_connect (self->fill_dropdown, "notify::selected", G_CALLBACK (on_setting_changed), self);
  gtk_grid_attach (grid, GTK_WIDGET (self->fill_dropdown), 0, 5, 2, 1);
  self->layer_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->layer_dropdown), "The layer Grad-CAM weighs");
  g_signal_connect (self->layer_dropdown, "notify::selected", G_CALLBACK (on_setting_changed), self);
  gtk_grid_attach (grid, GTK_WIDGET (self->layer_dropdown), 0, 6, 2, 1);
  GtkWidget *neg_label = gtk_label_new ("LIME: negative superpixels too");
  gtk_widget_set_halign (neg_label, GTK_ALIGN_START);
  self->negative_switch = gtk_switch_new ();
  gtk_widget_set_halign (self->negative_switch, GTK_ALIGN_END);
  g_signal_connect (self->negative_switch, "notify::active", G_CALLBACK (on_looks_changed), self);
  gtk_grid_attach (grid, neg_label, 0, 7, 1, 1);
  gtk_grid_attach (grid, self->negative_switch, 1, 7, 1, 1);
  GtkWidget *op_label = gtk_label_new ("Opacity of the maps");
  gtk_widget_set_halign (op_label, GTK_ALIGN_START);
  self->opacity_scale = GTK_RANGE (gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0, 1, 0.05));
  gtk_range_set_value (self->opacity_scale, 0.65);
  gtk_widget_set_size_request (GTK_WIDGET (self->opacity_scale), 120, -1);
  g_signal_connect (self->opacity_scale, "notify::value", G_CALLBACK (on_looks_changed), self);
  g_signal_connect_swapped (self->opacity_scale, "value-changed", G_CALLBACK (gtk_widget_queue_draw),
                            self->view);
  gtk_grid_attach (grid, op_label, 0, 8, 1, 1);
  gtk_grid_attach (grid, GTK_WIDGET (self->opacity_scale), 1, 8, 1, 1);
  GtkWidget *popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (popover), GTK_WIDGET (grid));
  GtkWidget *button = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "emblem-system-symbolic");
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
  gtk_widget_set_tooltip_text (button, "The methods' settings and the maps' opacity");
  return button;
}

static void
export_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  cnn_page_export (widget, CNN_EXPLAIN_PAGE (widget)->view, "explain");
}

static GtkWidget *
build_toolbar (CnnExplainPage *self)
{
  GtkWidget *bar = cnn_page_toolbar_new ();
  self->class_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->class_dropdown), "The class whose evidence is shown");
  g_signal_connect (self->class_dropdown, "notify::selected", G_CALLBACK (on_class_selected), self);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->class_dropdown));
  gtk_box_append (GTK_BOX (bar), build_settings (self));
  cnn_page_toolbar_end (bar);
  return bar;
}

/* ---- drawing ---- */

static char *
title_of (CnnExplainPage *self, const Job *job)
{
  const CnnExplanation *e = job->result;
  const char *const *names = cnn_session_get_class_names (self->session);
  char a[32], b[32];
  const char *pred = names && e->predicted < (int) g_strv_length ((char **) names)
                       ? names[e->predicted] : (g_snprintf (a, sizeof a, "%d", e->predicted), a);
  const char *target = names && e->target < (int) g_strv_length ((char **) names)
                         ? names[e->target] : (g_snprintf (b, sizeof b, "%d", e->target), b);
  if (e->target == e->predicted)
    return g_strdup_printf ("%s: predicted %s (%.0f %%) · epoch %.1f", job->what, pred,
                            100.0 * e->probs[e->predicted], job->epoch);
  return g_strdup_printf ("%s: predicted %s (%.0f %%), explaining %s (%.0f %%) · epoch %.1f",
                          job->what, pred, 100.0 * e->probs[e->predicted], target,
                          100.0 * e->probs[e->target], job->epoch);
}

static void
with_figure (CnnExplainPage *self, cairo_t *cr, double width, double height,
             const CnnRenderStyle *style, double *nat_w, double *nat_h)
{
  const Job *job = self->shown;
  CnnExplainFigure f;
  cnn_explain_figure_init (&f, job->result, job->display, gtk_range_get_value (self->opacity_scale),
                           gtk_switch_get_active (GTK_SWITCH (self->negative_switch)));
  const char *const *names = cnn_session_get_class_names (self->session);
  if (names && (int) g_strv_length ((char **) names) == job->result->n_classes)
    f.panel.class_names = names;
  g_autofree char *title = title_of (self, job);
  g_autofree char *caption = job->label >= 0 && f.panel.class_names
                               ? g_strdup_printf ("true class: %s", names[job->label]) : NULL;
  f.panel.title = title;
  f.panel.image_caption = caption;
  if (nat_w)
    cnn_panel_explain_natural_size (&f.panel, style, nat_w, nat_h);
  else
    cnn_panel_explain_draw (&f.panel, style, cr, width, height);
  cnn_explain_figure_clear (&f);
}

static void
draw (cairo_t *cr, double width, double height, const CnnRenderStyle *style, gpointer data)
{
  CnnExplainPage *self = data;
  if (self->shown)
    {
      with_figure (self, cr, width, height, style, NULL, NULL);
      return;
    }
  const char *text = cnn_session_get_network (self->session) == NULL
    ? "Which pixels made the network decide appears here once a model is built: press Train, or "
      "open a checkpoint."
    : self->running ? "Computing saliency, occlusion, LIME and Grad-CAM…"
                    : "Waiting for an image: the data set is loading; or open one, drop one here, or draw.";
  cnn_page_draw_message (cr, width, height, style, text);
}

static void
natural_size (const CnnRenderStyle *style, double *width, double *height, gpointer data)
{
  CnnExplainPage *self = data;
  if (self->shown)
    with_figure (self, NULL, 0, 0, style, width, height);
}

/* ---- the widget ---- */

static void
cnn_explain_page_dispose (GObject *object)
{
  CnnExplainPage *self = CNN_EXPLAIN_PAGE (object);
  g_clear_handle_id (&self->start_source, g_source_remove);
  if (self->session)
    g_signal_handlers_disconnect_by_data (self->session, self);
  if (self->pin)
    g_signal_handlers_disconnect_by_data (self->pin, self);
  g_clear_object (&self->session);
  g_clear_object (&self->pin);
  g_clear_pointer (&self->running, job_unref);
  g_clear_pointer (&self->shown, job_unref);
  if (self->view)
    cnn_figure_view_set_draw_func (self->view, NULL, NULL, NULL, NULL);
  cnn_page_unparent_children (GTK_WIDGET (self));
  self->toolbar = NULL;
  self->view = NULL;
  g_clear_pointer (&self->layer_index, g_free);
  G_OBJECT_CLASS (cnn_explain_page_parent_class)->dispose (object);
}

static void
cnn_explain_page_class_init (CnnExplainPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->dispose = cnn_explain_page_dispose;
  widget_class->map = cnn_explain_page_map;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_install_action (widget_class, "page.export", NULL, export_activated);
}

static void
cnn_explain_page_init (CnnExplainPage *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  self->target = -1;
  cnn_explain_settings_init (&self->settings);
  self->view = CNN_FIGURE_VIEW (cnn_figure_view_new ());
  self->toolbar = build_toolbar (self);
  gtk_widget_set_parent (self->toolbar, GTK_WIDGET (self));
  gtk_widget_set_parent (GTK_WIDGET (self->view), GTK_WIDGET (self));
  cnn_figure_view_set_draw_func (self->view, draw, natural_size, self, NULL);
}

GtkWidget *
cnn_explain_page_new (CnnSession *session, CnnPinnedInput *pin)
{
  CnnExplainPage *self = g_object_new (CNN_TYPE_EXPLAIN_PAGE, NULL);
  self->session = g_object_ref (session);
  self->pin = g_object_ref (pin);
  gtk_box_prepend (GTK_BOX (self->toolbar), cnn_input_bar_new (pin));
  g_signal_connect (pin, "changed", G_CALLBACK (on_input_changed), self);
  g_signal_connect (session, "model-changed", G_CALLBACK (on_model), self);
  g_signal_connect (session, "weights-changed", G_CALLBACK (on_weights), self);
  cnn_input_drop_target_add (GTK_WIDGET (self), pin);
  fill_classes (self);
  fill_gradcam_layers (self);
  return GTK_WIDGET (self);
}

CnnFigureView *
cnn_explain_page_get_view (CnnExplainPage *self)
{
  return self->view;
}

void
cnn_explain_page_set_class (CnnExplainPage *self, int target)
{
  g_return_if_fail (CNN_IS_EXPLAIN_PAGE (self));
  gtk_drop_down_set_selected (self->class_dropdown, target < 0 ? 0 : (guint) target + 1);
}

const CnnExplanation *
cnn_explain_page_get_explanation (CnnExplainPage *self)
{
  return self->shown ? self->shown->result : NULL;
}

gboolean
cnn_explain_page_is_current (CnnExplainPage *self)
{
  return self->shown && !self->running && !self->pending && self->shown->request == self->request;
}

guint
cnn_explain_page_get_compute_count (CnnExplainPage *self)
{
  return self->compute_count;
}
