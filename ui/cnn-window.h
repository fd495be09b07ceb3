/* cnn-window.h: the workbench window: the run set up in the sidebar, the
 * training controls and progress, and the panels (learning curves,
 * first-layer filters, model summary, data samples). */
#pragma once

#include <adwaita.h>

#include "cnn-session.h"

G_BEGIN_DECLS

#define CNN_TYPE_WINDOW (cnn_window_get_type ())
G_DECLARE_FINAL_TYPE (CnnWindow, cnn_window, CNN, WINDOW, AdwApplicationWindow)

/* settings may be NULL (nothing is remembered then). */
CnnWindow  *cnn_window_new (GtkApplication *app, GSettings *settings);
CnnSession *cnn_window_get_session (CnnWindow *window);
/* Projector mode: large fonts and thick lines, on screen and in panels. */
void        cnn_window_set_projector (CnnWindow *window, gboolean projector);
/* Opens a checkpoint (the Open action and drag and drop end here). */
gboolean    cnn_window_open_model (CnnWindow *window, const char *path, GError **error);

/* Registers the GResource bundle (templates, CSS, icons) once. */
void        cnn_ui_ensure_resources (void);

G_END_DECLS
