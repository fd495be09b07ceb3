#include "cnn-page-frame.h"

#include <adwaita.h>

#include "cnn-export-dialog.h"
#include "cnn-window-private.h"

GtkWidget *
cnn_page_toolbar_new (void)
{
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (bar, "toolbar");
  return bar;
}

void
cnn_page_toolbar_end (GtkWidget *toolbar)
{
  GtkWidget *spacer = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_set_hexpand (spacer, TRUE);
  gtk_box_append (GTK_BOX (toolbar), spacer);
  GtkWidget *export = gtk_button_new ();
  GtkWidget *content = adw_button_content_new ();
  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), "document-save-as-symbolic");
  adw_button_content_set_label (ADW_BUTTON_CONTENT (content), "_Export…");
  adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (content), TRUE);
  gtk_button_set_child (GTK_BUTTON (export), content);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (export), "page.export");
  gtk_widget_set_tooltip_text (export, "Export the figure as PNG, SVG or PDF (Ctrl+E)");
  gtk_box_append (GTK_BOX (toolbar), export);
}

GtkProgressBar *
cnn_page_progress_new (void)
{
  GtkWidget *bar = gtk_progress_bar_new ();
  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (bar, 110, -1);
  return GTK_PROGRESS_BAR (bar);
}

void
cnn_page_export (GtkWidget *page, CnnFigureView *view, const char *name)
{
  GtkRoot *root = gtk_widget_get_root (page);
  cnn_export_dialog_show (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, view, name, NULL, NULL,
                          cnn_window_export_done, root);
}

void
cnn_page_unparent_children (GtkWidget *page)
{
  GtkWidget *child;
  while ((child = gtk_widget_get_first_child (page)))
    gtk_widget_unparent (child);
}

void
cnn_page_draw_message (cairo_t *cr, double width, double height, const CnnRenderStyle *style,
                       const char *text)
{
  double w = MIN (width - 2 * style->padding, 520);
  double h = cnn_render_paragraph_height (cr, style, CNN_TEXT_LABEL, text, w);
  cnn_render_paragraph (cr, style, CNN_TEXT_LABEL, &style->muted, text, (width - w) / 2,
                        (height - h) / 2, w);
}

void
cnn_show_error_message (GtkWidget *widget, const char *message)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  if (CNN_IS_WINDOW (root))
    cnn_window_show_message (CNN_WINDOW (root), message);
}

char *
cnn_drop_value_path (const GValue *value)
{
  GFile *file = NULL;
  if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    file = g_value_get_object (value);
  else if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = g_value_get_boxed (value);
      file = files ? files->data : NULL;
    }
  return file ? g_file_get_path (file) : NULL;
}
