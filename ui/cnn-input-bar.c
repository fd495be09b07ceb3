#include "cnn-input-bar.h"

#include "cnn-page-frame.h"
#include "cnn-window-private.h"

struct _CnnInputBar
{
  GtkWidget       parent_instance;
  CnnPinnedInput *pin;
  GtkSpinButton  *image_spin;
  GtkWidget      *draw_toggle, *clear_button;
};

G_DEFINE_FINAL_TYPE (CnnInputBar, cnn_input_bar, GTK_TYPE_WIDGET)

void
cnn_show_error (GtkWidget *widget, const GError *error)
{
  cnn_show_error_message (widget, error->message);
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, CnnPinnedInput *pin)
{
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (target));
  g_autofree char *path = cnn_drop_value_path (value);
  if (path == NULL)
    return FALSE;
  g_autoptr (GError) error = NULL;
  gboolean ok;
  if (cnn_looks_like_image (path))
    ok = cnn_pinned_input_open_file (pin, path, &error);
  else
    {
      GtkRoot *root = gtk_widget_get_root (widget);
      ok = CNN_IS_WINDOW (root) && cnn_window_open_model (CNN_WINDOW (root), path, &error);
    }
  if (error)
    cnn_show_error (widget, error);
  return ok;
}

void
cnn_input_drop_target_add (GtkWidget *widget, CnnPinnedInput *pin)
{
  GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };
  gtk_drop_target_set_gtypes (drop, types, G_N_ELEMENTS (types));
  /* the page holds the pinned input as long as its controllers */
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), pin);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (drop));
}

static void
update (CnnInputBar *self)
{
  const CnnImageSet *set = cnn_pinned_input_get_set (self->pin);
  CnnPinnedSource source = cnn_pinned_input_get_source (self->pin);
  gtk_widget_set_sensitive (GTK_WIDGET (self->image_spin), set != NULL);
  g_signal_handlers_block_matched (self->image_spin, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  if (set)
    gtk_spin_button_set_range (self->image_spin, 0, set->n - 1);
  gtk_spin_button_set_value (self->image_spin, cnn_pinned_input_get_index (self->pin));
  g_signal_handlers_unblock_matched (self->image_spin, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_widget_set_visible (self->clear_button, source == CNN_PINNED_DRAWING);
  g_signal_handlers_block_matched (self->draw_toggle, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->draw_toggle), source == CNN_PINNED_DRAWING);
  g_signal_handlers_unblock_matched (self->draw_toggle, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
}

static void
on_image_changed (GtkSpinButton *spin, CnnInputBar *self)
{
  cnn_pinned_input_show_image (self->pin, gtk_spin_button_get_value_as_int (spin));
}

static void
on_draw_toggled (GtkToggleButton *toggle, CnnInputBar *self)
{
  cnn_pinned_input_set_drawing (self->pin, gtk_toggle_button_get_active (toggle));
}

static void
on_clear (GtkButton *button, CnnInputBar *self)
{
  cnn_pinned_input_set_drawing (self->pin, TRUE);
}

static void
on_open_response (GtkNativeDialog *dialog, int response, CnnInputBar *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      g_autoptr (GError) error = NULL;
      if (path && !cnn_pinned_input_open_file (self->pin, path, &error))
        cnn_show_error (GTK_WIDGET (self), error);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
on_open (GtkButton *button, CnnInputBar *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *dialog =
    gtk_file_chooser_native_new ("Open an Image", GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                 GTK_FILE_CHOOSER_ACTION_OPEN, "_Open", "_Cancel");
  GtkFileFilter *filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, "PNG and JPEG images");
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_filter_add_mime_type (filter, "image/jpeg");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);
  g_signal_connect (dialog, "response", G_CALLBACK (on_open_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
cnn_input_bar_dispose (GObject *object)
{
  CnnInputBar *self = CNN_INPUT_BAR (object);
  if (self->pin)
    g_signal_handlers_disconnect_by_data (self->pin, self);
  g_clear_object (&self->pin);
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (cnn_input_bar_parent_class)->dispose (object);
}

static void
cnn_input_bar_class_init (CnnInputBarClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cnn_input_bar_dispose;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BOX_LAYOUT);
}

static void
cnn_input_bar_init (CnnInputBar *self)
{
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self))), 6);
  GtkWidget *label = gtk_label_new_with_mnemonic ("_Image");
  self->image_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (0, 0, 1));
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), GTK_WIDGET (self->image_spin));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->image_spin),
                               "Which image of the data set's test split (else training images)");
  g_signal_connect (self->image_spin, "value-changed", G_CALLBACK (on_image_changed), self);
  GtkWidget *open = gtk_button_new_from_icon_name ("document-open-symbolic");
  gtk_widget_set_tooltip_text (open, "Open a PNG or JPEG image (or drop one here)");
  g_signal_connect (open, "clicked", G_CALLBACK (on_open), self);
  self->draw_toggle = gtk_toggle_button_new ();
  gtk_button_set_icon_name (GTK_BUTTON (self->draw_toggle), "document-edit-symbolic");
  gtk_widget_set_tooltip_text (self->draw_toggle,
                               "Draw the input with the mouse, on the image at the left");
  g_signal_connect (self->draw_toggle, "toggled", G_CALLBACK (on_draw_toggled), self);
  self->clear_button = gtk_button_new_from_icon_name ("edit-clear-symbolic");
  gtk_widget_set_tooltip_text (self->clear_button, "Start the drawing over");
  g_signal_connect (self->clear_button, "clicked", G_CALLBACK (on_clear), self);
  GtkWidget *parts[] = { label, GTK_WIDGET (self->image_spin), open, self->draw_toggle,
                         self->clear_button };
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    gtk_widget_set_parent (parts[i], GTK_WIDGET (self));
}

GtkWidget *
cnn_input_bar_new (CnnPinnedInput *pin)
{
  CnnInputBar *self = g_object_new (CNN_TYPE_INPUT_BAR, NULL);
  self->pin = g_object_ref (pin);
  g_signal_connect_swapped (pin, "changed", G_CALLBACK (update), self);
  update (self);
  return GTK_WIDGET (self);
}
