/* The window reacts to the session's signals, which all arrive on the main
 * thread, and copies what the panels draw: no page ever reads the network
 * the worker trains. */
#include "cnn-window.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cnn-export-dialog.h"
#include "cnn-frame-log.h"
#include "cnn-page-frame.h"
#include "cnn-resources.h"
#include "cnn-session-private.h"
#include "cnn-window-private.h"

struct _CnnWindow
{
  AdwApplicationWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkWidget       *header_bar;
  GtkWidget       *sidebar_button;
  GtkWidget       *train_button, *pause_button, *stop_button, *continue_button;
  GtkWidget       *switcher_title;
  GtkWidget       *paned;
  CnnSidebar      *sidebar;
  GtkWidget       *progress_box;
  GtkInscription  *status_label;   /* changes ten times a second without a relayout */
  GtkProgressBar  *progress_bar;
  AdwViewStack    *stack;

  CnnSession      *session;
  CnnCurvesPage   *curves;
  CnnPanelPage    *filters, *summary, *samples;
  CnnPinnedInput  *pinned;       /* the input the activations (and explanations) show */
  CnnActivationsPage *activations;
  CnnFeaturesPage *features;
  CnnExplainPage  *explain;
  CnnTransferPage *transfer;
  GSettings       *gsettings;
  gboolean         projector;
  guint            curve_serial;
  guint            steps_copied, epochs_copied;
  double           planned_epochs;
  char            *run_label;
  char            *last_message;

  /* CONVSCOPE_FRAME_LOG: frame intervals while the window lives */
  CnnFrameLog     *frame_log;
  double           last_img_per_s;
};

G_DEFINE_FINAL_TYPE (CnnWindow, cnn_window, ADW_TYPE_APPLICATION_WINDOW)

enum { PROP_0, PROP_SHOW_SIDEBAR, N_PROPS };
static GParamSpec *props[N_PROPS];

void
cnn_ui_ensure_resources (void)
{
  static gsize done = 0;
  if (g_once_init_enter (&done))
    {
      cnn_register_resource ();
      g_once_init_leave (&done, 1);
    }
}

static void
show_message (CnnWindow *self, const char *message)
{
  g_free (self->last_message);
  self->last_message = g_strdup (message);
  AdwToast *toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* ---- what the user can do, by state ---- */

static void
update_actions (CnnWindow *self)
{
  CnnSessionState state = cnn_session_get_state (self->session);
  gboolean busy = cnn_session_is_busy (self->session);
  gboolean valid = cnn_sidebar_is_valid (self->sidebar);
  gboolean has_model = cnn_session_get_network (self->session) != NULL;
  GtkWidget *w = GTK_WIDGET (self);
  gtk_widget_action_set_enabled (w, "win.train", !busy && valid);
  gtk_widget_action_set_enabled (w, "win.pause", state == CNN_SESSION_RUNNING
                                                 || state == CNN_SESSION_PAUSED
                                                 || state == CNN_SESSION_LOADING);
  gtk_widget_action_set_enabled (w, "win.stop", busy && state != CNN_SESSION_STOPPING);
  gtk_widget_action_set_enabled (w, "win.continue", !busy && has_model && valid);
  gtk_widget_action_set_enabled (w, "win.save", has_model
                                                && cnn_session_get_normalizer (self->session));
  gtk_widget_action_set_enabled (w, "win.open", !busy);
  gboolean paused = state == CNN_SESSION_PAUSED;
  gtk_button_set_icon_name (GTK_BUTTON (self->pause_button),
                            paused ? "media-playback-start-symbolic"
                                   : "media-playback-pause-symbolic");
  gtk_widget_set_tooltip_text (self->pause_button, paused ? "Resume (Ctrl+Space)"
                                                          : "Pause (Ctrl+Space)");
}

static char *
format_duration (double seconds)
{
  if (!isfinite (seconds) || seconds < 0)
    return g_strdup ("");
  long s = lround (seconds);
  if (s >= 3600)
    return g_strdup_printf ("%ld h %02ld min left", s / 3600, s / 60 % 60);
  if (s >= 60)
    return g_strdup_printf ("%ld min %02ld s left", s / 60, s % 60);
  return g_strdup_printf ("%ld s left", s);
}

static void
update_progress (CnnWindow *self)
{
  CnnSessionState state = cnn_session_get_state (self->session);
  CnnProgress p;
  gboolean have = cnn_session_get_progress (self->session, &p);
  g_autofree char *text = NULL;
  int before = cnn_session_get_epochs_before (self->session);
  if (state == CNN_SESSION_LOADING)
    text = g_strdup ("Loading the data and building the model…");
  else if (have && state != CNN_SESSION_IDLE)
    {
      g_autofree char *left = format_duration (p.seconds_left);
      text = g_strdup_printf ("%sEpoch %d/%d · batch %d/%d · %.0f images/s%s%s",
                              state == CNN_SESSION_PAUSED ? "Paused · "
                              : state == CNN_SESSION_STOPPING ? "Stopping · " : "",
                              before + p.epoch, before + p.epochs, p.step, p.steps_per_epoch,
                              p.img_per_s, left[0] ? " · " : "", left);
      self->last_img_per_s = p.img_per_s;
    }
  else if (state == CNN_SESSION_RUNNING || state == CNN_SESSION_PAUSED)
    text = g_strdup ("Starting…");
  if (text)
    gtk_inscription_set_text (self->status_label, text);
  gtk_progress_bar_set_fraction (self->progress_bar, have ? CLAMP (p.fraction, 0, 1) : 0);
}

/* ---- the session's news ---- */

static void
on_state (CnnSession *session, GParamSpec *pspec, CnnWindow *self)
{
  update_actions (self);
  update_progress (self);
}

static void
on_metrics (CnnSession *session, CnnWindow *self)
{
  guint n_steps = 0, n_epochs = 0;
  const CnnStepRecord *steps = cnn_session_get_steps (session, &n_steps);
  const CnnEpochInfo *epochs = cnn_session_get_epochs (session, &n_epochs);
  guint serial = cnn_session_get_run_serial (session);
  if (serial != self->curve_serial && (n_steps > 0 || n_epochs > 0))
    {
      /* the first points of a new model: a new run in the history */
      self->curve_serial = serial;
      self->steps_copied = self->epochs_copied = 0;
      g_autofree char *label = NULL;
      const CnnRunSettings *rs = cnn_session_get_settings (session);
      if (self->run_label)
        label = g_strdup (self->run_label);
      else
        label = rs ? cnn_run_settings_describe (rs) : g_strdup ("run");
      cnn_curves_page_begin_run (self->curves, label, self->planned_epochs);
    }
  CnnCurveRun *run = cnn_curves_page_get_current (self->curves);
  if (serial == self->curve_serial && run)
    {
      for (guint i = self->steps_copied; i < n_steps; i++)
        cnn_curve_run_append_step (run, steps[i].epoch, steps[i].loss, steps[i].accuracy);
      for (guint i = self->epochs_copied; i < n_epochs; i++)
        cnn_curve_run_append_epoch (run, epochs[i].epoch, epochs[i].train_loss,
                                    epochs[i].train_accuracy, epochs[i].val_loss,
                                    epochs[i].val_accuracy);
      cnn_curves_page_changed (self->curves);
    }
  if (serial == self->curve_serial)
    {
      self->steps_copied = n_steps;
      self->epochs_copied = n_epochs;
    }
  update_progress (self);
}

static void
on_weights (CnnSession *session, CnnWindow *self)
{
  cnn_panel_page_show_network (self->filters, cnn_session_get_network (session));
}

static void
on_model (CnnSession *session, CnnWindow *self)
{
  CnnNetwork *net = cnn_session_get_network (session);
  cnn_panel_page_show_network (self->summary, net);
  cnn_panel_page_show_network (self->filters, net);
  const CnnDataset *ds = cnn_session_get_dataset (session);
  g_autofree char *title = NULL;
  if (ds)
    {
      const CnnRunSettings *rs = cnn_session_get_settings (session);
      g_autofree char *name = cnn_run_settings_data_label (rs ? rs->data : ds->name);
      title = g_strdup_printf ("%s: %d training images of %d×%d×%d, %d classes", name,
                               ds->train->n, ds->train->c, ds->train->h, ds->train->w,
                               ds->n_classes);
    }
  cnn_panel_page_show_dataset (self->samples, ds, title);
  update_actions (self);
}

static void
on_finished (CnnSession *session, const GError *error, CnnWindow *self)
{
  if (error)
    show_message (self, error->message);
  else
    {
      guint n = 0;
      const CnnEpochInfo *e = cnn_session_get_epochs (session, &n);
      g_autofree char *msg = NULL;
      if (n > 0 && !isnan (e[n - 1].val_accuracy))
        msg = g_strdup_printf ("Training ended after epoch %d: validation accuracy %.1f %%",
                               e[n - 1].epoch, 100 * e[n - 1].val_accuracy);
      else if (n > 0)
        msg = g_strdup_printf ("Training ended after epoch %d: accuracy %.1f %%", e[n - 1].epoch,
                               100 * e[n - 1].train_accuracy);
      else
        msg = g_strdup ("Training stopped before the first epoch ended");
      show_message (self, msg);
      gtk_inscription_set_text (self->status_label, msg);
    }
  update_actions (self);
  update_progress (self);
}

/* ---- actions ---- */

static void
train_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  CnnWindow *self = CNN_WINDOW (widget);
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnRunSettings) settings = cnn_sidebar_dup_settings (self->sidebar, &error);
  if (settings == NULL || !cnn_session_start (self->session, settings, &error))
    {
      show_message (self, error->message);
      return;
    }
  g_clear_pointer (&self->run_label, g_free);
  self->planned_epochs = settings->epochs;
}

static void
continue_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  CnnWindow *self = CNN_WINDOW (widget);
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnRunSettings) settings = cnn_sidebar_dup_settings (self->sidebar, &error);
  int epochs = settings ? settings->epochs : 1;
  int before = cnn_session_get_epochs_before (self->session);
  guint n = 0;
  cnn_session_get_epochs (self->session, &n);
  if (!cnn_session_continue (self->session, epochs, &error))
    {
      show_message (self, error->message);
      return;
    }
  /* the x axis makes room for the epochs to come */
  self->planned_epochs = before + n + epochs;
  if (self->curve_serial == cnn_session_get_run_serial (self->session))
    cnn_curves_page_extend_current (self->curves, self->planned_epochs);
  else
    {
      const CnnRunSettings *rs = cnn_session_get_settings (self->session);
      g_autofree char *base = g_path_get_basename (rs ? rs->model : "model");
      g_free (self->run_label);
      self->run_label = g_strdup_printf ("%s · continued", base);
    }
}

static void
pause_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  CnnWindow *self = CNN_WINDOW (widget);
  if (cnn_session_get_state (self->session) == CNN_SESSION_PAUSED)
    cnn_session_resume (self->session);
  else
    cnn_session_pause (self->session);
}

static void
stop_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  cnn_session_stop (CNN_WINDOW (widget)->session);
}

static GtkWidget *
visible_page (CnnWindow *self)
{
  return adw_view_stack_get_visible_child (self->stack);
}

static void
export_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  CnnWindow *self = CNN_WINDOW (widget);
  GtkWidget *page = visible_page (self);
  if (page)
    gtk_widget_activate_action (page, "page.export", NULL);
}

void
cnn_window_show_message (CnnWindow *self, const char *message)
{
  show_message (self, message);
}

void
cnn_window_export_done (const char *path, const GError *error, gpointer data)
{
  if (!CNN_IS_WINDOW (data))
    return;
  CnnWindow *self = data;
  if (error)
    show_message (self, error->message);
  else
    {
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *msg = g_strdup_printf ("Exported %s", base);
      show_message (self, msg);
    }
}

gboolean
cnn_window_open_model (CnnWindow *self, const char *path, GError **error)
{
  if (!cnn_session_open (self->session, path, error))
    return FALSE;
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *msg = g_strdup_printf ("Opened %s (%d epochs trained): explore it, or "
                                          "Continue training", base,
                                          cnn_session_get_epochs_before (self->session));
  show_message (self, msg);
  gtk_inscription_set_text (self->status_label, msg);
  update_actions (self);
  update_progress (self);
  return TRUE;
}

static void
on_open_response (GtkNativeDialog *dialog, int response, CnnWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      g_autoptr (GError) error = NULL;
      if (path && !cnn_window_open_model (self, path, &error))
        show_message (self, error->message);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

/* Open also takes ONNX models (cnn_checkpoint_load imports them); Save
 * writes checkpoints only */
static void
add_checkpoint_filter (GtkFileChooser *chooser, gboolean onnx)
{
  GtkFileFilter *filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, onnx ? "Models (*.ckpt, *.onnx)" : "Convscope models (*.ckpt)");
  gtk_file_filter_add_pattern (filter, "*.ckpt");
  if (onnx)
    gtk_file_filter_add_pattern (filter, "*.onnx");
  gtk_file_chooser_add_filter (chooser, filter);
  g_object_unref (filter);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, "All files");
  gtk_file_filter_add_pattern (filter, "*");
  gtk_file_chooser_add_filter (chooser, filter);
  g_object_unref (filter);
}

static void
open_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  CnnWindow *self = CNN_WINDOW (widget);
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new ("Open a Model", GTK_WINDOW (self),
                                                              GTK_FILE_CHOOSER_ACTION_OPEN,
                                                              "_Open", "_Cancel");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  add_checkpoint_filter (GTK_FILE_CHOOSER (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_open_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
on_save_response (GtkNativeDialog *dialog, int response, CnnWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      g_autoptr (GError) error = NULL;
      if (path && !g_str_has_suffix (path, ".ckpt"))
        {
          char *with = g_strconcat (path, ".ckpt", NULL);
          g_free (path);
          path = with;
        }
      if (path && !cnn_session_save (self->session, path, &error))
        show_message (self, error->message);
      else if (path)
        {
          g_autofree char *base = g_path_get_basename (path);
          g_autofree char *msg = g_strdup_printf ("Saved the model as %s", base);
          show_message (self, msg);
        }
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
save_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  CnnWindow *self = CNN_WINDOW (widget);
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new ("Save the Model", GTK_WINDOW (self),
                                                              GTK_FILE_CHOOSER_ACTION_SAVE,
                                                              "_Save", "_Cancel");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  add_checkpoint_filter (GTK_FILE_CHOOSER (dialog), FALSE);
  const CnnRunSettings *rs = cnn_session_get_settings (self->session);
  g_autofree char *base = g_path_get_basename (rs ? rs->model : "model");
  char *dot = strrchr (base, '.');
  if (dot && dot != base)
    *dot = '\0';
  g_autofree char *name = g_strdup_printf ("%s.ckpt", base);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_signal_connect (dialog, "response", G_CALLBACK (on_save_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
show_page_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  CnnWindow *self = CNN_WINDOW (widget);
  adw_view_stack_set_visible_child_name (self->stack, g_variant_get_string (param, NULL));
}

/* ---- drag and drop a checkpoint ---- */

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, CnnWindow *self)
{
  g_autofree char *path = cnn_drop_value_path (value);
  if (path == NULL)
    return FALSE;
  g_autoptr (GError) error = NULL;
  if (!cnn_window_open_model (self, path, &error))
    {
      show_message (self, error->message);
      return FALSE;
    }
  return TRUE;
}

/* ---- looks ---- */

static void
update_style (CnnWindow *self)
{
  AdwStyleManager *sm = adw_style_manager_get_default ();
  CnnRenderStyleId id = self->projector ? CNN_RENDER_STYLE_PROJECTOR
                        : adw_style_manager_get_dark (sm) ? CNN_RENDER_STYLE_DARK
                                                          : CNN_RENDER_STYLE_LIGHT;
  cnn_figure_view_set_style (cnn_curves_page_get_view (self->curves), id);
  cnn_figure_view_set_style (cnn_panel_page_get_view (self->filters), id);
  cnn_figure_view_set_style (cnn_panel_page_get_view (self->summary), id);
  cnn_figure_view_set_style (cnn_panel_page_get_view (self->samples), id);
  cnn_figure_view_set_style (cnn_activations_page_get_view (self->activations), id);
  cnn_figure_view_set_style (cnn_features_page_get_view (self->features), id);
  cnn_figure_view_set_style (cnn_explain_page_get_view (self->explain), id);
  cnn_figure_view_set_style (cnn_transfer_page_get_view (self->transfer), id);
  /* the run list's color dots follow the curves' palette */
  gtk_widget_queue_draw (GTK_WIDGET (self->curves));
}

static void
set_show_sidebar (CnnWindow *self, gboolean show)
{
  if (self->sidebar == NULL || gtk_widget_get_visible (GTK_WIDGET (self->sidebar)) == show)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->sidebar), show);
  if (self->curves)
    cnn_curves_page_set_show_runs (self->curves, show);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SHOW_SIDEBAR]);
}

void
cnn_window_set_projector (CnnWindow *self, gboolean projector)
{
  g_return_if_fail (CNN_IS_WINDOW (self));
  if (self->projector == projector && gtk_widget_has_css_class (GTK_WIDGET (self), "projector")
      == projector)
    return;
  self->projector = projector;
  if (projector)
    gtk_widget_add_css_class (GTK_WIDGET (self), "projector");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "projector");
  /* on a projector the panels get the room; F9 brings the settings back */
  set_show_sidebar (self, !projector);
  gtk_paned_set_position (GTK_PANED (self->paned), projector ? 440 : 340);
  update_style (self);
}

/* ---- the frame log (measurements, not a test) ---- */

static void
write_frame_log (CnnWindow *self)
{
  const char *path = g_getenv ("CONVSCOPE_FRAME_LOG");
  if (path == NULL || self->frame_log == NULL)
    return;
  g_autoptr (GError) error = NULL;
  g_autofree char *summary = cnn_frame_log_finish (self->frame_log, path, &error);
  if (error)
    g_printerr ("convscope: %s\n", error->message);
  if (summary)
    g_printerr ("convscope: %s, last training speed %.0f images/s\n", summary,
                self->last_img_per_s);
  guint n_epochs = 0;
  const CnnEpochInfo *e = cnn_session_get_epochs (self->session, &n_epochs);
  for (guint i = 0; i < n_epochs; i++)
    g_printerr ("convscope: epoch %d: %.0f training images/s\n", e[i].epoch, e[i].img_per_s);
}

/* ---- lifetime ---- */

static gboolean
cnn_window_close_request (GtkWindow *window)
{
  CnnWindow *self = CNN_WINDOW (window);
  if (self->gsettings)
    {
      int w = 0, h = 0;
      gtk_window_get_default_size (window, &w, &h);
      g_settings_set_int (self->gsettings, "window-width", w);
      g_settings_set_int (self->gsettings, "window-height", h);
      g_settings_set_boolean (self->gsettings, "window-maximized",
                              gtk_window_is_maximized (window));
    }
  /* a run mid-epoch stops within a step, before the window goes */
  cnn_session_shutdown (self->session);
  write_frame_log (self);
  return GTK_WINDOW_CLASS (cnn_window_parent_class)->close_request (window);
}

static void
cnn_window_dispose (GObject *object)
{
  CnnWindow *self = CNN_WINDOW (object);
  if (self->session)
    {
      cnn_session_shutdown (self->session);
      g_signal_handlers_disconnect_by_data (self->session, self);
    }
  g_signal_handlers_disconnect_by_data (adw_style_manager_get_default (), self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CNN_TYPE_WINDOW);
  /* the pages lived in the template's stack */
  self->curves = NULL;
  self->filters = self->summary = self->samples = NULL;
  self->activations = NULL;
  self->features = NULL;
  self->explain = NULL;
  self->transfer = NULL;
  g_clear_object (&self->pinned);
  g_clear_object (&self->session);
  g_clear_object (&self->gsettings);
  G_OBJECT_CLASS (cnn_window_parent_class)->dispose (object);
}

static void
cnn_window_finalize (GObject *object)
{
  CnnWindow *self = CNN_WINDOW (object);
  g_free (self->run_label);
  g_free (self->last_message);
  cnn_frame_log_free (self->frame_log);
  G_OBJECT_CLASS (cnn_window_parent_class)->finalize (object);
}

static void
cnn_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CnnWindow *self = CNN_WINDOW (object);
  switch (prop_id)
    {
    case PROP_SHOW_SIDEBAR:
      /* asked for by the action muxer, also while the template goes away */
      g_value_set_boolean (value, self->sidebar && gtk_widget_get_visible (GTK_WIDGET (self->sidebar)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cnn_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  CnnWindow *self = CNN_WINDOW (object);
  switch (prop_id)
    {
    case PROP_SHOW_SIDEBAR:
      set_show_sidebar (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cnn_window_class_init (CnnWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);
  object_class->dispose = cnn_window_dispose;
  object_class->finalize = cnn_window_finalize;
  object_class->get_property = cnn_window_get_property;
  object_class->set_property = cnn_window_set_property;
  window_class->close_request = cnn_window_close_request;

  props[PROP_SHOW_SIDEBAR] = g_param_spec_boolean ("show-sidebar", NULL, NULL, TRUE,
                                                   G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                                                   | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, props);

  cnn_ui_ensure_resources ();
  g_type_ensure (CNN_TYPE_SIDEBAR);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/convscope/Convscope/cnn-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, CnnWindow, name)
  BIND (toast_overlay);
  BIND (header_bar);
  BIND (sidebar_button);
  BIND (train_button);
  BIND (pause_button);
  BIND (stop_button);
  BIND (continue_button);
  BIND (switcher_title);
  BIND (paned);
  BIND (sidebar);
  BIND (progress_box);
  BIND (status_label);
  BIND (progress_bar);
  BIND (stack);
#undef BIND

  gtk_widget_class_install_action (widget_class, "win.train", NULL, train_activated);
  gtk_widget_class_install_action (widget_class, "win.continue", NULL, continue_activated);
  gtk_widget_class_install_action (widget_class, "win.pause", NULL, pause_activated);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_activated);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_activated);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_activated);
  gtk_widget_class_install_action (widget_class, "win.save", NULL, save_activated);
  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_activated);
  gtk_widget_class_install_property_action (widget_class, "win.show-sidebar", "show-sidebar");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.show-sidebar", NULL);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "win.train", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, GDK_CONTROL_MASK,
                                       "win.pause", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_period, GDK_CONTROL_MASK,
                                       "win.stop", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK,
                                       "win.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "win.save", NULL);
  static const char *const pages[] = { "curves", "filters", "summary", "samples", "activations",
                                       "features", "explain", "transfer" };
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK,
                                         "win.show-page", "s", pages[i]);
}

static void
add_page (CnnWindow *self, GtkWidget *page, const char *name, const char *title,
          const char *icon)
{
  AdwViewStackPage *p = adw_view_stack_add_titled (self->stack, page, name, title);
  adw_view_stack_page_set_icon_name (p, icon);
}

static void
cnn_window_init (CnnWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* the page icons, also without the application (which adds them itself) */
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (self)));
  if (!g_object_get_data (G_OBJECT (theme), "convscope-icons"))
    {
      gtk_icon_theme_add_resource_path (theme, "/org/convscope/Convscope/icons");
      g_object_set_data (G_OBJECT (theme), "convscope-icons", GINT_TO_POINTER (1));
    }

  self->session = cnn_session_new ();
  self->curves = CNN_CURVES_PAGE (cnn_curves_page_new ());
  self->filters = CNN_PANEL_PAGE (cnn_panel_page_new (CNN_PANEL_FILTERS));
  self->summary = CNN_PANEL_PAGE (cnn_panel_page_new (CNN_PANEL_SUMMARY));
  self->samples = CNN_PANEL_PAGE (cnn_panel_page_new (CNN_PANEL_SAMPLES));
  add_page (self, GTK_WIDGET (self->curves), "curves", "Curves",
            "convscope-curves-symbolic");
  add_page (self, GTK_WIDGET (self->filters), "filters", "Filters",
            "view-grid-symbolic");
  add_page (self, GTK_WIDGET (self->summary), "summary", "Model",
            "view-list-symbolic");
  add_page (self, GTK_WIDGET (self->samples), "samples", "Data",
            "image-x-generic-symbolic");
  self->pinned = cnn_pinned_input_new (self->session);
  self->activations = CNN_ACTIVATIONS_PAGE (cnn_activations_page_new (self->session,
                                                                       self->pinned));
  add_page (self, GTK_WIDGET (self->activations), "activations", "Activations",
            "edit-find-symbolic");
  self->features = CNN_FEATURES_PAGE (cnn_features_page_new (self->session));
  add_page (self, GTK_WIDGET (self->features), "features", "Features",
            "view-app-grid-symbolic");
  self->explain = CNN_EXPLAIN_PAGE (cnn_explain_page_new (self->session, self->pinned));
  add_page (self, GTK_WIDGET (self->explain), "explain", "Explain",
            "find-location-symbolic");
  self->transfer = CNN_TRANSFER_PAGE (cnn_transfer_page_new (self->session));
  add_page (self, GTK_WIDGET (self->transfer), "transfer", "Transfer", "go-next-symbolic");

  g_signal_connect (self->session, "notify::state", G_CALLBACK (on_state), self);
  g_signal_connect (self->session, "metrics-changed", G_CALLBACK (on_metrics), self);
  g_signal_connect (self->session, "weights-changed", G_CALLBACK (on_weights), self);
  g_signal_connect (self->session, "model-changed", G_CALLBACK (on_model), self);
  g_signal_connect (self->session, "finished", G_CALLBACK (on_finished), self);
  g_signal_connect_swapped (self->sidebar, "notify::valid", G_CALLBACK (update_actions), self);

  GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };
  gtk_drop_target_set_gtypes (drop, types, G_N_ELEMENTS (types));
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  g_signal_connect_swapped (adw_style_manager_get_default (), "notify::dark",
                            G_CALLBACK (update_style), self);
  update_style (self);

  if (g_getenv ("CONVSCOPE_FRAME_LOG"))
    self->frame_log = cnn_frame_log_start (GTK_WIDGET (self));
  update_actions (self);
}

CnnWindow *
cnn_window_new (GtkApplication *app, GSettings *settings)
{
  CnnWindow *self = g_object_new (CNN_TYPE_WINDOW, "application", app, NULL);
  if (settings)
    {
      self->gsettings = g_object_ref (settings);
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (settings, "window-width"),
                                   g_settings_get_int (settings, "window-height"));
      if (g_settings_get_boolean (settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
      cnn_sidebar_bind_gsettings (self->sidebar, settings);
    }
  return self;
}

CnnSession *
cnn_window_get_session (CnnWindow *self)
{
  return self->session;
}

CnnSidebar *
cnn_window_get_sidebar (CnnWindow *self)
{
  return self->sidebar;
}

CnnCurvesPage *
cnn_window_get_curves_page (CnnWindow *self)
{
  return self->curves;
}

CnnActivationsPage *
cnn_window_get_activations_page (CnnWindow *self)
{
  return self->activations;
}

CnnFeaturesPage *
cnn_window_get_features_page (CnnWindow *self)
{
  return self->features;
}

CnnExplainPage *
cnn_window_get_explain_page (CnnWindow *self)
{
  return self->explain;
}

CnnTransferPage *
cnn_window_get_transfer_page (CnnWindow *self)
{
  return self->transfer;
}

CnnPanelPage *
cnn_window_get_panel_page (CnnWindow *self, CnnPanelKind kind)
{
  return kind == CNN_PANEL_FILTERS ? self->filters
         : kind == CNN_PANEL_SUMMARY ? self->summary : self->samples;
}

const char *
cnn_window_get_status_text (CnnWindow *self)
{
  return gtk_inscription_get_text (self->status_label);
}

const char *
cnn_window_get_last_message (CnnWindow *self)
{
  return self->last_message;
}
