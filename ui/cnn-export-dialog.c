#include "cnn-export-dialog.h"

#include <string.h>

static const CnnExportSize sizes[] = {
  { "natural", "Natural size", 0, 0 },
  { "screen", "As on screen", -1, -1 },
  { "slide", "Slide 1280 × 720", 1280, 720 },
  { "half-slide", "Half slide 640 × 480", 640, 480 },
  { "page", "Page width 700 × 450", 700, 450 },
  { "large", "Large 1920 × 1080", 1920, 1080 },
};

static const char *const dpis[] = { "96", "150", "300", "600" };

const CnnExportSize *
cnn_export_sizes (int *n)
{
  *n = G_N_ELEMENTS (sizes);
  return sizes;
}

typedef struct
{
  CnnFigureView    *view;
  CnnCsvWriteFunc   csv;
  gpointer          csv_data;
  CnnExportDoneFunc done;
  gpointer          done_data;
} Request;

static void
request_free (Request *r)
{
  g_object_unref (r->view);
  g_clear_object (&r->csv_data);
  g_clear_object (&r->done_data);
  g_free (r);
}

gboolean
cnn_export_write (CnnFigureView *view, const char *path, const CnnExportSize *size, double dpi,
                  CnnRenderStyleId style, CnnCsvWriteFunc csv, gpointer csv_data, GError **error)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);
  if (g_str_has_suffix (lower, ".csv"))
    {
      if (csv == NULL)
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                       "%s: this panel exports as PNG, SVG or PDF, not CSV", path);
          return FALSE;
        }
      return csv (path, csv_data, error);
    }
  double w = size->width, h = size->height;
  if (w < 0 || h < 0)
    {
      w = gtk_widget_get_width (GTK_WIDGET (view));
      h = gtk_widget_get_height (GTK_WIDGET (view));
    }
  return cnn_figure_view_export (view, path, w, h, dpi, style, error);
}

static void
on_response (GtkNativeDialog *dialog, int response, gpointer data)
{
  Request *r = data;
  GtkFileChooser *chooser = GTK_FILE_CHOOSER (dialog);
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (chooser);
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      g_autoptr (GError) error = NULL;
      if (path == NULL)
        g_set_error (&error, CNN_ERROR, CNN_ERROR_IO, "the chosen place is not a local file");
      else
        {
          /* no known extension: the one of the chosen filter */
          g_autofree char *lower = g_ascii_strdown (path, -1);
          if (!g_str_has_suffix (lower, ".png") && !g_str_has_suffix (lower, ".svg")
              && !g_str_has_suffix (lower, ".pdf") && !g_str_has_suffix (lower, ".csv"))
            {
              GtkFileFilter *filter = gtk_file_chooser_get_filter (chooser);
              const char *ext = filter ? g_object_get_data (G_OBJECT (filter), "ext") : NULL;
              char *with = g_strconcat (path, ext ? ext : ".png", NULL);
              g_free (path);
              path = with;
            }
          const char *size_id = gtk_file_chooser_get_choice (chooser, "size");
          const char *dpi = gtk_file_chooser_get_choice (chooser, "dpi");
          const char *style_name = gtk_file_chooser_get_choice (chooser, "style");
          const CnnExportSize *size = &sizes[0];
          for (size_t i = 0; i < G_N_ELEMENTS (sizes); i++)
            if (g_strcmp0 (size_id, sizes[i].id) == 0)
              size = &sizes[i];
          const CnnRenderStyle *style = cnn_render_style_parse (style_name, NULL);
          cnn_export_write (r->view, path, size, dpi ? g_ascii_strtod (dpi, NULL) : 300,
                            style ? style->id : CNN_RENDER_STYLE_LIGHT, r->csv, r->csv_data,
                            &error);
        }
      if (r->done)
        r->done (path, error, r->done_data);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  request_free (r);
}

static void
add_filter (GtkFileChooser *chooser, const char *name, const char *pattern, const char *mime,
            const char *ext)
{
  GtkFileFilter *filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, name);
  gtk_file_filter_add_pattern (filter, pattern);
  gtk_file_filter_add_mime_type (filter, mime);
  g_object_set_data (G_OBJECT (filter), "ext", (gpointer) ext);
  gtk_file_chooser_add_filter (chooser, filter);
  g_object_unref (filter);
}

void
cnn_export_dialog_show (GtkWindow *parent, CnnFigureView *view, const char *name,
                        CnnCsvWriteFunc csv, gpointer csv_data, CnnExportDoneFunc done,
                        gpointer done_data)
{
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new ("Export Figure", parent,
                                                              GTK_FILE_CHOOSER_ACTION_SAVE,
                                                              "_Export", "_Cancel");
  GtkFileChooser *chooser = GTK_FILE_CHOOSER (dialog);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  add_filter (chooser, "PNG image", "*.png", "image/png", ".png");
  add_filter (chooser, "SVG drawing", "*.svg", "image/svg+xml", ".svg");
  add_filter (chooser, "PDF document", "*.pdf", "application/pdf", ".pdf");
  if (csv)
    add_filter (chooser, "CSV table (the curves' numbers)", "*.csv", "text/csv", ".csv");
  g_autofree char *file_name = g_strdup_printf ("%s.png", name);
  gtk_file_chooser_set_current_name (chooser, file_name);

  const char *style_ids[] = { "light", "dark", "print", "projector", NULL };
  const char *style_labels[] = { "Light", "Dark", "Print", "Projector", NULL };
  gtk_file_chooser_add_choice (chooser, "style", "Style", style_ids, style_labels);
  gtk_file_chooser_set_choice (chooser, "style", "light");
  const char *size_ids[G_N_ELEMENTS (sizes) + 1], *size_labels[G_N_ELEMENTS (sizes) + 1];
  for (size_t i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      size_ids[i] = sizes[i].id;
      size_labels[i] = sizes[i].label;
    }
  size_ids[G_N_ELEMENTS (sizes)] = size_labels[G_N_ELEMENTS (sizes)] = NULL;
  gtk_file_chooser_add_choice (chooser, "size", "Size", size_ids, size_labels);
  gtk_file_chooser_set_choice (chooser, "size", "natural");
  const char *dpi_ids[G_N_ELEMENTS (dpis) + 1];
  const char *dpi_labels[G_N_ELEMENTS (dpis) + 1];
  char labels[G_N_ELEMENTS (dpis)][32];
  for (size_t i = 0; i < G_N_ELEMENTS (dpis); i++)
    {
      g_snprintf (labels[i], sizeof labels[i], "PNG %s dpi", dpis[i]);
      dpi_ids[i] = dpis[i];
      dpi_labels[i] = labels[i];
    }
  dpi_ids[G_N_ELEMENTS (dpis)] = dpi_labels[G_N_ELEMENTS (dpis)] = NULL;
  gtk_file_chooser_add_choice (chooser, "dpi", "Resolution", dpi_ids, dpi_labels);
  gtk_file_chooser_set_choice (chooser, "dpi", "300");

  Request *r = g_new0 (Request, 1);
  r->view = g_object_ref (view);
  r->csv = csv;
  r->csv_data = csv_data ? g_object_ref (csv_data) : NULL;
  r->done = done;
  r->done_data = done_data ? g_object_ref (done_data) : NULL;
  g_signal_connect (dialog, "response", G_CALLBACK (on_response), r);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}
