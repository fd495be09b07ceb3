#include "cnn-application.h"

#include <glib-unix.h>
#include <signal.h>

#include "cnn-window-private.h"

struct _CnnApplication
{
  AdwApplication parent_instance;
  GSettings     *settings;
};

G_DEFINE_FINAL_TYPE (CnnApplication, cnn_application, ADW_TYPE_APPLICATION)

GSettings *
cnn_settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = source
    ? g_settings_schema_source_lookup (source, CNN_APPLICATION_ID, TRUE) : NULL;
#ifdef CONVSCOPE_BUILD_SCHEMA_DIR
  /* run from the build tree: the schema compiled there */
  g_autoptr (GSettingsSchemaSource) local = NULL;
  if (schema == NULL)
    {
      local = g_settings_schema_source_new_from_directory (CONVSCOPE_BUILD_SCHEMA_DIR, source,
                                                           FALSE, NULL);
      if (local)
        schema = g_settings_schema_source_lookup (local, CNN_APPLICATION_ID, FALSE);
    }
#endif
  if (schema == NULL)
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

static CnnWindow *
get_window (CnnApplication *self)
{
  GtkWindow *w = gtk_application_get_active_window (GTK_APPLICATION (self));
  return CNN_IS_WINDOW (w) ? CNN_WINDOW (w) : NULL;
}

static void
apply_style (CnnApplication *self, const char *style)
{
  AdwColorScheme scheme = g_strcmp0 (style, "light") == 0 ? ADW_COLOR_SCHEME_FORCE_LIGHT
                          : g_strcmp0 (style, "dark") == 0 ? ADW_COLOR_SCHEME_FORCE_DARK
                                                           : ADW_COLOR_SCHEME_DEFAULT;
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), scheme);
}

static void
style_changed (GSimpleAction *action, GVariant *value, gpointer data)
{
  CnnApplication *self = data;
  g_simple_action_set_state (action, value);
  const char *style = g_variant_get_string (value, NULL);
  apply_style (self, style);
  if (self->settings)
    g_settings_set_string (self->settings, "style", style);
}

static void
projector_changed (GSimpleAction *action, GVariant *value, gpointer data)
{
  CnnApplication *self = data;
  g_simple_action_set_state (action, value);
  gboolean on = g_variant_get_boolean (value);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (CNN_IS_WINDOW (l->data))
      cnn_window_set_projector (l->data, on);
  if (self->settings)
    g_settings_set_boolean (self->settings, "projector", on);
}

static void
about_activated (GSimpleAction *action, GVariant *param, gpointer data)
{
  CnnApplication *self = data;
  const char *developers[] = { "The Convscope authors", NULL };
  GtkWidget *about = adw_about_window_new ();
  g_object_set (about,
                "application-name", "Convscope",
                "application-icon", CNN_APPLICATION_ID,
                "version", PACKAGE_VERSION,
                "developer-name", "The Convscope authors",
                "developers", developers,
                "license-type", GTK_LICENSE_GPL_3_0,
                "comments", "Train small convolutional networks live and see what they "
                            "learn: learning curves, filters, the model and its data, as "
                            "figures for slides.",
                NULL);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (parent)
    gtk_window_set_transient_for (GTK_WINDOW (about), parent);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_activated (GSimpleAction *action, GVariant *param, gpointer data)
{
  /* close the windows, so each stops its run and remembers its size */
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (data)));
  for (GList *l = windows; l; l = l->next)
    gtk_window_close (l->data);
  g_list_free (windows);
}

/* SIGINT or SIGTERM: close the windows as Ctrl+Q does (the run stops, the
 * window size is remembered) instead of dying mid-step */
static gboolean
on_signal (gpointer data)
{
  quit_activated (NULL, NULL, data);
  return G_SOURCE_CONTINUE;
}

static gboolean
autotrain (gpointer data)
{
  CnnWindow *window = data;
  gtk_widget_activate_action (GTK_WIDGET (window), "win.train", NULL);
  return G_SOURCE_REMOVE;
}

static void
cnn_application_activate (GApplication *app)
{
  CnnApplication *self = CNN_APPLICATION (app);
  CnnWindow *window = get_window (self);
  if (window == NULL)
    {
      window = cnn_window_new (GTK_APPLICATION (app), self->settings);
      GAction *projector = g_action_map_lookup_action (G_ACTION_MAP (app), "projector");
      g_autoptr (GVariant) state = g_action_get_state (projector);
      cnn_window_set_projector (window, g_variant_get_boolean (state));
      /* measurements and screenshots: start a run as soon as the window shows */
      if (g_getenv ("CONVSCOPE_AUTOTRAIN"))
        g_timeout_add_full (G_PRIORITY_DEFAULT, 500, autotrain, g_object_ref (window),
                            g_object_unref);
    }
  gtk_window_present (GTK_WINDOW (window));
}

/* `convscope MODEL.ckpt|MODEL.onnx`: the window with that model open. */
static void
cnn_application_open (GApplication *app, GFile **files, int n_files, const char *hint)
{
  cnn_application_activate (app);
  CnnWindow *window = get_window (CNN_APPLICATION (app));
  g_autofree char *path = n_files > 0 ? g_file_get_path (files[0]) : NULL;
  g_autoptr (GError) error = NULL;
  if (window && path && !cnn_window_open_model (window, path, &error))
    cnn_window_show_message (window, error->message);
}

static void
cnn_application_startup (GApplication *app)
{
  CnnApplication *self = CNN_APPLICATION (app);
  G_APPLICATION_CLASS (cnn_application_parent_class)->startup (app);
  self->settings = cnn_settings_new ();
  g_autofree char *style = self->settings ? g_settings_get_string (self->settings, "style")
                                          : g_strdup ("system");
  gboolean projector = self->settings && g_settings_get_boolean (self->settings, "projector");
  const GActionEntry entries[] = {
    { "quit", quit_activated, NULL, NULL, NULL },
    { "about", about_activated, NULL, NULL, NULL },
    { "style", NULL, "s", "'system'", style_changed },
    { "projector", NULL, NULL, "false", projector_changed },
  };
  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), self);
  g_action_group_change_action_state (G_ACTION_GROUP (app), "style", g_variant_new_string (style));
  g_action_group_change_action_state (G_ACTION_GROUP (app), "projector",
                                      g_variant_new_boolean (projector));

  const char *quit[] = { "<Control>q", NULL };
  const char *help[] = { "F1", "<Control>question", NULL };
  const char *proj[] = { "<Control><Shift>p", NULL };
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay", help);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.projector", proj);
  gtk_window_set_default_icon_name (CNN_APPLICATION_ID);
  g_unix_signal_add (SIGINT, on_signal, self);
  g_unix_signal_add (SIGTERM, on_signal, self);
}

static void
cnn_application_dispose (GObject *object)
{
  g_clear_object (&CNN_APPLICATION (object)->settings);
  G_OBJECT_CLASS (cnn_application_parent_class)->dispose (object);
}

static void
cnn_application_class_init (CnnApplicationClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cnn_application_dispose;
  G_APPLICATION_CLASS (klass)->activate = cnn_application_activate;
  G_APPLICATION_CLASS (klass)->open = cnn_application_open;
  G_APPLICATION_CLASS (klass)->startup = cnn_application_startup;
}

static void
cnn_application_init (CnnApplication *self)
{
}

CnnApplication *
cnn_application_new (void)
{
  cnn_ui_ensure_resources ();
  return g_object_new (CNN_TYPE_APPLICATION, "application-id", CNN_APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN, NULL);
}

/* Whether the machine has a GPU render node; without one GTK's GL renderer
 * runs on llvmpipe, emulating a GPU on the cores the training needs. */
static gboolean
has_render_node (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/dev/dri", 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name (dir)))
    if (g_str_has_prefix (name, "renderD"))
      return TRUE;
  return FALSE;
}

int
cnn_application_run_main (int argc, char **argv)
{
  /* measured under Xvfb while cnn2 trains: with llvmpipe the training ran
   * at 65 % of its headless speed and 5 % of frames took over 100 ms; the
   * cairo renderer kept 90 % and 16.7 ms frames */
  if (g_getenv ("GSK_RENDERER") == NULL && !has_render_node ())
    g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_set_prgname ("convscope");
  g_set_application_name ("Convscope");
  g_autoptr (CnnApplication) app = cnn_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
