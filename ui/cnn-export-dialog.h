/* cnn-export-dialog.h: Export… for a panel: a file chooser with the
 * format (from the file name or the filter), the figure size, the PNG dpi
 * and the style, then cnn_render_export through the panel's view. */
#pragma once

#include <gtk/gtk.h>

#include "cnn-figure-view.h"

G_BEGIN_DECLS

/* Writes a CSV table (learning curves) to path. */
typedef gboolean (*CnnCsvWriteFunc) (const char *path, gpointer data, GError **error);
/* Called once the file is written (error NULL) or failed; not called when
 * the user cancels. */
typedef void (*CnnExportDoneFunc) (const char *path, const GError *error, gpointer data);

/* Sizes offered, in CSS px; 0 × 0 is the figure's natural size, -1 × -1
 * its size on screen. */
typedef struct
{
  const char *id, *label;
  double      width, height;
} CnnExportSize;

const CnnExportSize *cnn_export_sizes (int *n);

/* Opens the chooser; `name` is the suggested file name without extension.
 * csv may be NULL (no CSV filter then). csv_data and done_data are GObjects
 * (or NULL), kept alive while the chooser is open. */
void cnn_export_dialog_show (GtkWindow *parent, CnnFigureView *view, const char *name,
                             CnnCsvWriteFunc csv, gpointer csv_data,
                             CnnExportDoneFunc done, gpointer done_data);

/* What the dialog does once a file is chosen, callable without it: the
 * format from the extension (.png .svg .pdf, or .csv when csv is given). */
gboolean cnn_export_write (CnnFigureView *view, const char *path, const CnnExportSize *size,
                           double dpi, CnnRenderStyleId style, CnnCsvWriteFunc csv,
                           gpointer csv_data, GError **error);

G_END_DECLS
