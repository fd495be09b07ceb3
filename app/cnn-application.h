/* cnn-application.h: the workbench application (org.convscope.Convscope):
 * the window, About, keyboard shortcuts, light/dark style and projector
 * mode, remembered in GSettings. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CNN_APPLICATION_ID "org.convscope.Convscope"

#define CNN_TYPE_APPLICATION (cnn_application_get_type ())
G_DECLARE_FINAL_TYPE (CnnApplication, cnn_application, CNN, APPLICATION, AdwApplication)

CnnApplication *cnn_application_new (void);

/* The application's settings: the installed schema, else the one compiled
 * in the build tree; NULL when neither is there (nothing is remembered). */
GSettings      *cnn_settings_new (void);

G_END_DECLS

G_BEGIN_DECLS
/* `convscope` without a command: the window. Returns the exit status. */
int             cnn_application_run_main (int argc, char **argv);
G_END_DECLS
