#include "cnn-sidebar.h"

#include <adwaita.h>
#include <math.h>
#include <string.h>

/* The optimizer hyperparameters besides the learning rate, in the engine's
 * names; each gets an entry row shown for the optimizers that use it. */
static const struct
{
  const char *key, *title;
} hyper_keys[] = {
  { "momentum", "Momentum" },
  { "rho", "Rho (decay of the averages)" },
  { "beta1", "Beta 1 (first moment)" },
  { "beta2", "Beta 2 (second moment)" },
  { "epsilon", "Epsilon" },
  { "initial_accumulator", "Initial accumulator" },
};
#define N_HYPER G_N_ELEMENTS (hyper_keys)

static const char *const standardize_ids[] = { "scale", "pixel", "channel", "none" };
static const char *const fill_ids[] = { "nearest", "constant", "reflect", "wrap" };

/* The augmentation fields as cnn_augment_parse text; NULL when off. */
static char *
augment_text (GtkSpinButton *rotation, GtkSpinButton *wshift, GtkSpinButton *hshift,
              GtkSpinButton *zoom, GtkSwitch *hflip, GtkSwitch *vflip, guint fill)
{
  GString *t = g_string_new (NULL);
  const struct { const char *key; GtkSpinButton *spin; } spins[] = {
    { "rotation", rotation }, { "width-shift", wshift }, { "height-shift", hshift },
    { "zoom", zoom },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (spins); i++)
    {
      double v = gtk_spin_button_get_value (spins[i].spin);
      if (v > 0)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          g_ascii_formatd (buf, sizeof buf, "%g", v);
          g_string_append_printf (t, "%s%s=%s", t->len ? "," : "", spins[i].key, buf);
        }
    }
  if (gtk_switch_get_active (hflip))
    g_string_append_printf (t, "%shflip", t->len ? "," : "");
  if (gtk_switch_get_active (vflip))
    g_string_append_printf (t, "%svflip", t->len ? "," : "");
  if (t->len == 0)
    return g_string_free (t, TRUE);
  if (fill > 0 && fill < G_N_ELEMENTS (fill_ids))
    g_string_append_printf (t, ",fill=%s", fill_ids[fill]);
  return g_string_free (t, FALSE);
}

struct _CnnSidebar
{
  GtkWidget    parent_instance;
  GtkWidget   *page;
  AdwComboRow *data_row;
  AdwActionRow *folder_row;
  AdwComboRow *standardize_row;
  GtkSpinButton *limit_spin, *val_spin;
  AdwExpanderRow *augment_row;
  GtkSpinButton *rotation_spin, *wshift_spin, *hshift_spin, *zoom_spin;
  GtkSwitch   *hflip_switch, *vflip_switch;
  AdwComboRow *fill_row;
  AdwComboRow *model_row;
  AdwActionRow *spec_row;
  AdwComboRow *init_row;
  AdwExpanderRow *dropout_row;
  GtkSpinButton *dropout_spin;
  AdwActionRow *bn_row;
  GtkSwitch   *bn_switch;
  AdwComboRow *optimizer_row;
  AdwEntryRow *lr_row;
  AdwExpanderRow *hyper_row;
  GtkSpinButton *batch_spin, *epochs_spin, *seed_spin;
  GtkLabel    *status_label;
  GtkWidget   *hyper_entries[N_HYPER];

  GPtrArray   *data_ids;     /* ids of data_row's items */
  char        *folder;
  GPtrArray   *model_ids;    /* presets, then "file" */
  char        *spec_path;
  CnnOptimizerConfig optimizer;
  GHashTable  *errors;       /* field key -> reason */
  char        *first_error;
  gboolean     valid;
  gboolean     updating;     /* filling the fields from code */
  GSettings   *gsettings;
};

G_DEFINE_FINAL_TYPE (CnnSidebar, cnn_sidebar, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_VALID, N_PROPS };
static GParamSpec *props[N_PROPS];

static const char *
data_id (CnnSidebar *self)
{
  guint i = adw_combo_row_get_selected (self->data_row);
  return i < self->data_ids->len ? g_ptr_array_index (self->data_ids, i) : "fashion-mnist";
}

static const char *
model_id (CnnSidebar *self)
{
  guint i = adw_combo_row_get_selected (self->model_row);
  return i < self->model_ids->len ? g_ptr_array_index (self->model_ids, i) : "cnn2";
}

static gboolean
is_folder_kind (const char *id)
{
  return strcmp (id, "folder") == 0 || strcmp (id, "cifar") == 0;
}

/* The settings as the fields show them, valid or not. */
static CnnRunSettings *
collect (CnnSidebar *self)
{
  CnnRunSettings *s = cnn_run_settings_new ();
  g_free (s->data);
  const char *d = data_id (self);
  s->data = g_strdup (is_folder_kind (d) ? (self->folder ? self->folder : "") : d);
  g_free (s->model);
  const char *m = model_id (self);
  s->model = g_strdup (strcmp (m, "file") == 0 ? (self->spec_path ? self->spec_path : "") : m);
  s->optimizer = self->optimizer;
  s->epochs = gtk_spin_button_get_value_as_int (self->epochs_spin);
  s->batch_size = gtk_spin_button_get_value_as_int (self->batch_spin);
  s->seed = (guint64) gtk_spin_button_get_value (self->seed_spin);
  guint st = adw_combo_row_get_selected (self->standardize_row);
  cnn_standardize_parse (standardize_ids[MIN (st, G_N_ELEMENTS (standardize_ids) - 1)],
                         &s->standardize, NULL);
  s->edit.init = (int) adw_combo_row_get_selected (self->init_row) - 1;
  if (adw_expander_row_get_enable_expansion (self->dropout_row))
    s->edit.dropout_rate = gtk_spin_button_get_value (self->dropout_spin);
  s->edit.remove_batchnorm = gtk_widget_get_sensitive (GTK_WIDGET (self->bn_switch))
                             && !gtk_switch_get_active (self->bn_switch);
  s->val_split = gtk_spin_button_get_value (self->val_spin);
  s->limit_per_class = gtk_spin_button_get_value_as_int (self->limit_spin);
  if (adw_expander_row_get_enable_expansion (self->augment_row))
    s->augment = augment_text (self->rotation_spin, self->wshift_spin, self->hshift_spin,
                               self->zoom_spin, self->hflip_switch, self->vflip_switch,
                               adw_combo_row_get_selected (self->fill_row));
  return s;
}

static void
mark (GtkWidget *row, const char *reason)
{
  if (reason)
    gtk_widget_add_css_class (row, "error");
  else
    gtk_widget_remove_css_class (row, "error");
  gtk_widget_set_tooltip_text (row, reason);
}

static void
set_error (CnnSidebar *self, const char *key, GtkWidget *row, const char *title, const char *reason)
{
  mark (row, reason);
  if (reason)
    g_hash_table_replace (self->errors, g_strdup (key), g_strdup_printf ("%s: %s", title, reason));
  else
    g_hash_table_remove (self->errors, key);
}

static void
save_gsettings (CnnSidebar *self)
{
  if (self->gsettings == NULL || self->updating || !self->valid)
    return;
  g_autoptr (CnnRunSettings) s = collect (self);
  g_autofree char *opt = cnn_optimizer_config_describe (&s->optimizer);
  g_settings_delay (self->gsettings);
  g_settings_set_string (self->gsettings, "data", s->data);
  g_settings_set_string (self->gsettings, "model", s->model);
  g_settings_set_string (self->gsettings, "optimizer", opt);
  g_settings_set_int (self->gsettings, "batch-size", s->batch_size);
  g_settings_set_int (self->gsettings, "epochs", s->epochs);
  g_settings_set_int (self->gsettings, "seed", (int) MIN (s->seed, G_MAXINT));
  g_settings_set_string (self->gsettings, "standardize", cnn_standardize_name (s->standardize));
  g_settings_set_int (self->gsettings, "init", s->edit.init);
  g_settings_set_double (self->gsettings, "dropout",
                         isnan (s->edit.dropout_rate) ? -1.0 : s->edit.dropout_rate);
  g_settings_set_boolean (self->gsettings, "batch-norm",
                          gtk_switch_get_active (self->bn_switch));
  g_settings_set_int (self->gsettings, "limit-per-class", s->limit_per_class);
  g_settings_set_double (self->gsettings, "val-split", s->val_split);
  g_settings_set_string (self->gsettings, "augment", s->augment ? s->augment : "none");
  g_settings_apply (self->gsettings);
}

/* Checks what depends on several fields (the model with its edits, the data
 * folder) and updates the status line and the valid property. */
static void
revalidate (CnnSidebar *self)
{
  if (self->updating)
    return;
  g_autoptr (CnnRunSettings) s = collect (self);

  const char *d = data_id (self);
  const char *folder_error = NULL;
  if (is_folder_kind (d))
    {
      if (self->folder == NULL)
        folder_error = "choose the folder of images";
      else if (!g_file_test (self->folder, G_FILE_TEST_IS_DIR))
        folder_error = "this folder does not exist";
    }
  set_error (self, "folder", GTK_WIDGET (self->folder_row), "Data folder", folder_error);

  /* the model as written, then with the edits: the error goes where it belongs */
  g_autoptr (GError) error = NULL;
  g_autofree char *source = NULL;
  g_autofree char *text = s->model[0] ? cnn_model_spec_load (s->model, &source, &error) : NULL;
  if (s->model[0] == '\0')
    g_set_error (&error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "choose a spec file");
  CnnSpecEdit keep;
  cnn_spec_edit_init (&keep);
  g_autofree char *plain = text ? cnn_spec_edit (text, source, &keep, &error) : NULL;
  GtkWidget *model_field = strcmp (model_id (self), "file") == 0 ? GTK_WIDGET (self->spec_row)
                                                                  : GTK_WIDGET (self->model_row);
  set_error (self, "model", model_field, "Model", plain ? NULL : error->message);
  g_clear_error (&error);
  g_autofree char *edited = plain ? cnn_spec_edit (plain, source, &s->edit, &error) : NULL;
  set_error (self, "edit", GTK_WIDGET (self->dropout_row), "Model settings",
             plain && !edited ? error->message : NULL);

  g_autoptr (CnnAugment) aug = cnn_augment_parse (s->augment, &error);
  set_error (self, "augment", GTK_WIDGET (self->augment_row), "Augmentation",
             aug ? NULL : error->message);
  g_clear_error (&error);
  adw_expander_row_set_subtitle (self->augment_row,
                                 aug && !cnn_augment_is_off (aug) ? s->augment
                                 : adw_expander_row_get_enable_expansion (self->augment_row)
                                   ? "On: set a range below" : "Off");

  gboolean has_bn = plain && cnn_spec_has_layer_type (plain, "batchnorm");
  gtk_widget_set_sensitive (GTK_WIDGET (self->bn_switch), has_bn);
  adw_action_row_set_subtitle (self->bn_row, has_bn ? "Off removes every batchnorm layer"
                                                    : "Not in this model");

  /* the first reason, in a stable order */
  g_autoptr (GList) keys = g_list_sort (g_hash_table_get_keys (self->errors),
                                        (GCompareFunc) strcmp);
  g_clear_pointer (&self->first_error, g_free);
  if (keys)
    self->first_error = g_strdup (g_hash_table_lookup (self->errors, keys->data));
  gtk_label_set_text (self->status_label, self->first_error ? self->first_error : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), self->first_error != NULL);
  gboolean valid = self->first_error == NULL;
  if (valid != self->valid)
    {
      self->valid = valid;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_VALID]);
    }
  save_gsettings (self);
}

static GtkWidget *
entry_for (CnnSidebar *self, const char *key)
{
  if (strcmp (key, "lr") == 0)
    return GTK_WIDGET (self->lr_row);
  for (guint i = 0; i < N_HYPER; i++)
    if (strcmp (hyper_keys[i].key, key) == 0)
      return self->hyper_entries[i];
  return NULL;
}

/* One optimizer field: a number the engine's optimizer table accepts. */
static void
on_hyper_changed (GtkEditable *editable, CnnSidebar *self)
{
  const char *key = g_object_get_data (G_OBJECT (editable), "key");
  const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (editable));
  const char *text = gtk_editable_get_text (editable);
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  char *end = NULL;
  double v = g_ascii_strtod (trimmed, &end);
  g_autoptr (GError) error = NULL;
  if (trimmed[0] == '\0')
    g_set_error (&error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "give a number");
  else if (end == NULL || *end != '\0' || !isfinite (v))
    g_set_error (&error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "“%s” is not a number", trimmed);
  else
    {
      CnnOptimizerConfig check = self->optimizer;
      if (cnn_optimizer_config_set (&check, key, v, &error))
        *cnn_optimizer_config_field (&self->optimizer, key) = v;
    }
  set_error (self, key, GTK_WIDGET (editable), title, error ? error->message : NULL);
  revalidate (self);
}

static void
show_optimizer (CnnSidebar *self)
{
  double *defaults = NULL;
  g_auto (GStrv) keys = cnn_optimizer_keys (self->optimizer.kind, &defaults);
  g_free (defaults);
  gboolean any = FALSE;
  for (guint i = 0; i < N_HYPER; i++)
    {
      gboolean used = g_strv_contains ((const char *const *) keys, hyper_keys[i].key);
      gtk_widget_set_visible (self->hyper_entries[i], used);
      any |= used;
      g_hash_table_remove (self->errors, hyper_keys[i].key);
      mark (self->hyper_entries[i], NULL);
    }
  g_hash_table_remove (self->errors, "lr");
  mark (GTK_WIDGET (self->lr_row), NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->hyper_row), any);
  /* write the values; the change handlers see `updating` and only mark */
  for (int i = 0; keys[i]; i++)
    {
      GtkWidget *entry = entry_for (self, keys[i]);
      if (entry == NULL)
        continue;
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      g_ascii_formatd (buf, sizeof buf, "%g", *cnn_optimizer_config_field (&self->optimizer,
                                                                           keys[i]));
      g_signal_handlers_block_by_func (entry, on_hyper_changed, self);
      gtk_editable_set_text (GTK_EDITABLE (entry), buf);
      g_signal_handlers_unblock_by_func (entry, on_hyper_changed, self);
    }
  g_autofree char *described = cnn_optimizer_config_describe (&self->optimizer);
  adw_expander_row_set_subtitle (self->hyper_row, strchr (described, ' ')
                                                  ? strchr (described, ' ') + 1 : "");
}

static void
on_optimizer_selected (AdwComboRow *row, GParamSpec *pspec, CnnSidebar *self)
{
  if (self->updating)
    return;
  /* each optimizer starts from its own defaults (Keras'): adadelta's
   * learning rate is 1, sgd's 0.01 */
  guint i = adw_combo_row_get_selected (row);
  cnn_optimizer_config_init (&self->optimizer, cnn_optimizer_kind_name (MIN (i, CNN_OPT_N_KINDS - 1)),
                             NULL);
  show_optimizer (self);
  revalidate (self);
}

static void
on_data_selected (AdwComboRow *row, GParamSpec *pspec, CnnSidebar *self)
{
  const char *d = data_id (self);
  gtk_widget_set_visible (GTK_WIDGET (self->folder_row), is_folder_kind (d));
  adw_action_row_set_subtitle (self->folder_row, self->folder ? self->folder : "none chosen");
  revalidate (self);
}

static void
on_model_selected (AdwComboRow *row, GParamSpec *pspec, CnnSidebar *self)
{
  gboolean file = strcmp (model_id (self), "file") == 0;
  gtk_widget_set_visible (GTK_WIDGET (self->spec_row), file);
  adw_action_row_set_subtitle (self->spec_row, self->spec_path ? self->spec_path : "none chosen");
  mark (GTK_WIDGET (self->model_row), NULL);
  mark (GTK_WIDGET (self->spec_row), NULL);
  revalidate (self);
}

static void
on_changed (CnnSidebar *self)
{
  revalidate (self);
}

static void
on_folder_chosen (GtkNativeDialog *dialog, int response, CnnSidebar *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      char *path = file ? g_file_get_path (file) : NULL;
      const char *kind = g_object_get_data (G_OBJECT (dialog), "kind");
      if (path && strcmp (kind, "folder") == 0)
        {
          g_free (self->folder);
          self->folder = path;
          on_data_selected (self->data_row, NULL, self);
        }
      else if (path)
        {
          g_free (self->spec_path);
          self->spec_path = path;
          on_model_selected (self->model_row, NULL, self);
        }
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
choose (CnnSidebar *self, const char *kind)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  gboolean folder = strcmp (kind, "folder") == 0;
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (
    folder ? "Choose the Data Folder" : "Choose a Model Spec File",
    GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
    folder ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER : GTK_FILE_CHOOSER_ACTION_OPEN,
    "_Choose", "_Cancel");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  if (!folder)
    {
      GtkFileFilter *filter = gtk_file_filter_new ();
      gtk_file_filter_set_name (filter, "Model specs (*.cnn)");
      gtk_file_filter_add_pattern (filter, "*.cnn");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
      g_object_unref (filter);
    }
  g_object_set_data (G_OBJECT (dialog), "kind", (gpointer) kind);
  g_signal_connect (dialog, "response", G_CALLBACK (on_folder_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
choose_folder_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  choose (CNN_SIDEBAR (widget), "folder");
}

static void
choose_spec_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  choose (CNN_SIDEBAR (widget), "spec");
}

static void
cnn_sidebar_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  CnnSidebar *self = CNN_SIDEBAR (object);
  switch (prop_id)
    {
    case PROP_VALID:
      g_value_set_boolean (value, self->valid);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cnn_sidebar_dispose (GObject *object)
{
  CnnSidebar *self = CNN_SIDEBAR (object);
  gtk_widget_dispose_template (GTK_WIDGET (self), CNN_TYPE_SIDEBAR);
  g_clear_object (&self->gsettings);
  G_OBJECT_CLASS (cnn_sidebar_parent_class)->dispose (object);
}

static void
cnn_sidebar_finalize (GObject *object)
{
  CnnSidebar *self = CNN_SIDEBAR (object);
  g_ptr_array_unref (self->data_ids);
  g_ptr_array_unref (self->model_ids);
  g_free (self->folder);
  g_free (self->spec_path);
  g_hash_table_unref (self->errors);
  g_free (self->first_error);
  G_OBJECT_CLASS (cnn_sidebar_parent_class)->finalize (object);
}

static void
cnn_sidebar_class_init (CnnSidebarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->dispose = cnn_sidebar_dispose;
  object_class->finalize = cnn_sidebar_finalize;
  object_class->get_property = cnn_sidebar_get_property;
  props[PROP_VALID] = g_param_spec_boolean ("valid", NULL, NULL, TRUE,
                                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS
                                            | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, props);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/convscope/Convscope/cnn-sidebar.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, CnnSidebar, name)
  BIND (page);
  BIND (data_row);
  BIND (folder_row);
  BIND (standardize_row);
  BIND (limit_spin);
  BIND (augment_row);
  BIND (rotation_spin);
  BIND (wshift_spin);
  BIND (hshift_spin);
  BIND (zoom_spin);
  BIND (hflip_switch);
  BIND (vflip_switch);
  BIND (fill_row);
  BIND (val_spin);
  BIND (model_row);
  BIND (spec_row);
  BIND (init_row);
  BIND (dropout_row);
  BIND (dropout_spin);
  BIND (bn_row);
  BIND (bn_switch);
  BIND (optimizer_row);
  BIND (lr_row);
  BIND (hyper_row);
  BIND (batch_spin);
  BIND (epochs_spin);
  BIND (seed_spin);
  BIND (status_label);
#undef BIND
  gtk_widget_class_install_action (widget_class, "sidebar.choose-folder", NULL,
                                   choose_folder_activated);
  gtk_widget_class_install_action (widget_class, "sidebar.choose-spec", NULL,
                                   choose_spec_activated);
}

static GtkStringList *
string_list (GPtrArray *labels)
{
  g_ptr_array_add (labels, NULL);
  GtkStringList *list = gtk_string_list_new ((const char *const *) labels->pdata);
  g_ptr_array_remove_index (labels, labels->len - 1);
  return list;
}

static void
cnn_sidebar_init (CnnSidebar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->valid = TRUE;
  self->updating = TRUE;

  /* data sets: MNIST only when Debian's package is there */
  self->data_ids = g_ptr_array_new ();
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();
  g_ptr_array_add (self->data_ids, "fashion-mnist");
  g_ptr_array_add (labels, "Fashion-MNIST");
  if (g_file_test ("/usr/share/datasets/mnist", G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (self->data_ids, "mnist");
      g_ptr_array_add (labels, "MNIST");
    }
  g_ptr_array_add (self->data_ids, "synthetic");
  g_ptr_array_add (labels, "Synthetic shapes");
  g_ptr_array_add (self->data_ids, "folder");
  g_ptr_array_add (labels, "Image folder");
  g_ptr_array_add (self->data_ids, "cifar");
  g_ptr_array_add (labels, "CIFAR-10 folder");
  g_autoptr (GtkStringList) data_list = string_list (labels);
  adw_combo_row_set_model (self->data_row, G_LIST_MODEL (data_list));

  self->model_ids = g_ptr_array_new ();
  g_ptr_array_set_size (labels, 0);
  for (const char *const *p = cnn_preset_names (); *p; p++)
    {
      g_ptr_array_add (self->model_ids, (gpointer) *p);
      g_ptr_array_add (labels, (gpointer) *p);
    }
  g_ptr_array_add (self->model_ids, "file");
  g_ptr_array_add (labels, "Spec file…");
  g_autoptr (GtkStringList) model_list = string_list (labels);
  adw_combo_row_set_model (self->model_row, G_LIST_MODEL (model_list));

  g_auto (GStrv) inits = g_strsplit (CNN_INIT_CHOICES, "|", -1);
  g_autoptr (GtkStringList) init_list = gtk_string_list_new (NULL);
  gtk_string_list_append (init_list, "As in the model");
  for (int i = 0; inits[i]; i++)
    gtk_string_list_append (init_list, inits[i]);
  adw_combo_row_set_model (self->init_row, G_LIST_MODEL (init_list));

  g_autoptr (GtkStringList) opt_list = gtk_string_list_new (NULL);
  for (int k = 0; k < CNN_OPT_N_KINDS; k++)
    gtk_string_list_append (opt_list, cnn_optimizer_kind_name (k));
  adw_combo_row_set_model (self->optimizer_row, G_LIST_MODEL (opt_list));

  g_object_set_data (G_OBJECT (self->lr_row), "key", (gpointer) "lr");
  g_signal_connect (self->lr_row, "changed", G_CALLBACK (on_hyper_changed), self);
  for (guint i = 0; i < N_HYPER; i++)
    {
      GtkWidget *row = adw_entry_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), hyper_keys[i].title);
      adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (row), GTK_INPUT_PURPOSE_NUMBER);
      g_object_set_data (G_OBJECT (row), "key", (gpointer) hyper_keys[i].key);
      g_signal_connect (row, "changed", G_CALLBACK (on_hyper_changed), self);
      adw_expander_row_add_row (self->hyper_row, row);
      self->hyper_entries[i] = row;
    }

  g_signal_connect (self->data_row, "notify::selected", G_CALLBACK (on_data_selected), self);
  g_signal_connect (self->model_row, "notify::selected", G_CALLBACK (on_model_selected), self);
  g_signal_connect (self->optimizer_row, "notify::selected", G_CALLBACK (on_optimizer_selected),
                    self);
  g_signal_connect_swapped (self->standardize_row, "notify::selected", G_CALLBACK (on_changed),
                            self);
  g_signal_connect_swapped (self->init_row, "notify::selected", G_CALLBACK (on_changed), self);
  g_signal_connect_swapped (self->dropout_row, "notify::enable-expansion", G_CALLBACK (on_changed),
                            self);
  g_signal_connect_swapped (self->bn_switch, "notify::active", G_CALLBACK (on_changed), self);
  g_signal_connect_swapped (self->augment_row, "notify::enable-expansion",
                            G_CALLBACK (on_changed), self);
  g_signal_connect_swapped (self->hflip_switch, "notify::active", G_CALLBACK (on_changed), self);
  g_signal_connect_swapped (self->vflip_switch, "notify::active", G_CALLBACK (on_changed), self);
  g_signal_connect_swapped (self->fill_row, "notify::selected", G_CALLBACK (on_changed), self);
  GtkSpinButton *spins[] = { self->limit_spin, self->val_spin, self->dropout_spin,
                             self->batch_spin, self->epochs_spin, self->seed_spin,
                             self->rotation_spin, self->wshift_spin, self->hshift_spin,
                             self->zoom_spin };
  for (size_t i = 0; i < G_N_ELEMENTS (spins); i++)
    g_signal_connect_swapped (spins[i], "value-changed", G_CALLBACK (on_changed), self);

  g_autoptr (CnnRunSettings) defaults = cnn_run_settings_new ();
  self->updating = FALSE;
  cnn_sidebar_set_settings (self, defaults);
}

GtkWidget *
cnn_sidebar_new (void)
{
  return g_object_new (CNN_TYPE_SIDEBAR, NULL);
}

static guint
index_of (GPtrArray *ids, const char *id)
{
  for (guint i = 0; i < ids->len; i++)
    if (strcmp (g_ptr_array_index (ids, i), id) == 0)
      return i;
  return G_MAXUINT;
}

void
cnn_sidebar_set_settings (CnnSidebar *self, const CnnRunSettings *s)
{
  g_return_if_fail (CNN_IS_SIDEBAR (self));
  self->updating = TRUE;
  guint di = index_of (self->data_ids, s->data);
  if (di == G_MAXUINT)
    {
      /* a folder: CIFAR-10 when it holds the binary batches */
      g_autofree char *batch = g_build_filename (s->data, "data_batch_1.bin", NULL);
      g_autofree char *test = g_build_filename (s->data, "test_batch.bin", NULL);
      gboolean cifar = g_file_test (batch, G_FILE_TEST_EXISTS) || g_file_test (test, G_FILE_TEST_EXISTS);
      di = index_of (self->data_ids, cifar ? "cifar" : "folder");
      g_free (self->folder);
      self->folder = g_strdup (s->data);
    }
  adw_combo_row_set_selected (self->data_row, di);
  guint mi = index_of (self->model_ids, s->model);
  if (mi == G_MAXUINT)
    {
      mi = index_of (self->model_ids, "file");
      g_free (self->spec_path);
      self->spec_path = g_strdup (s->model);
    }
  adw_combo_row_set_selected (self->model_row, mi);
  self->optimizer = s->optimizer;
  adw_combo_row_set_selected (self->optimizer_row, s->optimizer.kind);
  gtk_spin_button_set_value (self->epochs_spin, s->epochs);
  gtk_spin_button_set_value (self->batch_spin, s->batch_size);
  gtk_spin_button_set_value (self->seed_spin, (double) MIN (s->seed, G_MAXINT));
  for (guint i = 0; i < G_N_ELEMENTS (standardize_ids); i++)
    if (strcmp (standardize_ids[i], cnn_standardize_name (s->standardize)) == 0)
      adw_combo_row_set_selected (self->standardize_row, i);
  adw_combo_row_set_selected (self->init_row, s->edit.init + 1);
  adw_expander_row_set_enable_expansion (self->dropout_row, !isnan (s->edit.dropout_rate));
  if (!isnan (s->edit.dropout_rate))
    gtk_spin_button_set_value (self->dropout_spin, s->edit.dropout_rate);
  gtk_switch_set_active (self->bn_switch, !s->edit.remove_batchnorm);
  gtk_spin_button_set_value (self->val_spin, s->val_split);
  gtk_spin_button_set_value (self->limit_spin, s->limit_per_class);
  g_autoptr (CnnAugment) aug = cnn_augment_parse (s->augment, NULL);
  gboolean aug_on = aug && !cnn_augment_is_off (aug);
  adw_expander_row_set_enable_expansion (self->augment_row, aug_on);
  gtk_spin_button_set_value (self->rotation_spin, aug_on ? aug->rotation : 0);
  gtk_spin_button_set_value (self->wshift_spin, aug_on ? aug->width_shift : 0);
  gtk_spin_button_set_value (self->hshift_spin, aug_on ? aug->height_shift : 0);
  gtk_spin_button_set_value (self->zoom_spin, aug_on ? aug->zoom : 0);
  gtk_switch_set_active (self->hflip_switch, aug_on && aug->hflip);
  gtk_switch_set_active (self->vflip_switch, aug_on && aug->vflip);
  adw_combo_row_set_selected (self->fill_row, aug_on ? (guint) aug->fill : 0);
  show_optimizer (self);
  self->updating = FALSE;
  on_data_selected (self->data_row, NULL, self);
  on_model_selected (self->model_row, NULL, self);
}

CnnRunSettings *
cnn_sidebar_dup_settings (CnnSidebar *self, GError **error)
{
  g_return_val_if_fail (CNN_IS_SIDEBAR (self), NULL);
  if (!self->valid)
    {
      g_set_error_literal (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, self->first_error);
      return NULL;
    }
  g_autoptr (CnnRunSettings) s = collect (self);
  if (!cnn_run_settings_check (s, error))
    return NULL;
  return g_steal_pointer (&s);
}

gboolean
cnn_sidebar_is_valid (CnnSidebar *self)
{
  return self->valid;
}

const char *
cnn_sidebar_get_error (CnnSidebar *self)
{
  return self->first_error;
}

void
cnn_sidebar_set_field_text (CnnSidebar *self, const char *key, const char *text)
{
  GtkWidget *entry = entry_for (self, key);
  g_return_if_fail (entry != NULL);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
}

void
cnn_sidebar_bind_gsettings (CnnSidebar *self, GSettings *gsettings)
{
  g_return_if_fail (CNN_IS_SIDEBAR (self));
  g_set_object (&self->gsettings, gsettings);
  if (gsettings == NULL)
    return;
  g_autoptr (CnnRunSettings) s = cnn_run_settings_new ();
  g_free (s->data);
  s->data = g_settings_get_string (gsettings, "data");
  g_free (s->model);
  s->model = g_settings_get_string (gsettings, "model");
  g_autofree char *opt = g_settings_get_string (gsettings, "optimizer");
  g_auto (GStrv) words = g_strsplit (opt, " ", -1);
  CnnOptimizerConfig cfg;
  if (words[0] && cnn_optimizer_config_init (&cfg, words[0], NULL))
    {
      for (int i = 1; words[i]; i++)
        {
          char *eq = strchr (words[i], '=');
          if (eq)
            {
              *eq = '\0';
              cnn_optimizer_config_set (&cfg, words[i], g_ascii_strtod (eq + 1, NULL), NULL);
            }
        }
      s->optimizer = cfg;
    }
  s->batch_size = g_settings_get_int (gsettings, "batch-size");
  s->epochs = g_settings_get_int (gsettings, "epochs");
  s->seed = (guint64) MAX (0, g_settings_get_int (gsettings, "seed"));
  g_autofree char *st = g_settings_get_string (gsettings, "standardize");
  cnn_standardize_parse (st, &s->standardize, NULL);
  s->edit.init = CLAMP (g_settings_get_int (gsettings, "init"), -1, CNN_INIT_ZEROS);
  double dropout = g_settings_get_double (gsettings, "dropout");
  s->edit.dropout_rate = dropout >= 0 && dropout < 1 ? dropout : NAN;
  s->edit.remove_batchnorm = !g_settings_get_boolean (gsettings, "batch-norm");
  s->limit_per_class = MAX (0, g_settings_get_int (gsettings, "limit-per-class"));
  s->val_split = g_settings_get_double (gsettings, "val-split");
  s->augment = g_settings_get_string (gsettings, "augment");
  /* a model file or folder that went away falls back to the defaults */
  if (cnn_preset_get_text (s->model) == NULL && !g_file_test (s->model, G_FILE_TEST_IS_REGULAR))
    {
      g_free (s->model);
      s->model = g_strdup ("cnn2");
    }
  if (!g_file_test (s->data, G_FILE_TEST_IS_DIR) && index_of (self->data_ids, s->data) == G_MAXUINT)
    {
      g_free (s->data);
      s->data = g_strdup ("fashion-mnist");
    }
  cnn_sidebar_set_settings (self, s);
}
