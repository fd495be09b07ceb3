/* cnn-sidebar.h: setting up a run: data set, model and its switches
 * (initialization, dropout, batch normalization), optimizer and its
 * hyperparameters, batch size, epochs, seed. A value that cannot be used is
 * refused at its field, which is marked and says why. */
#pragma once

#include <gtk/gtk.h>

#include "cnn-run-settings.h"

G_BEGIN_DECLS

#define CNN_TYPE_SIDEBAR (cnn_sidebar_get_type ())
G_DECLARE_FINAL_TYPE (CnnSidebar, cnn_sidebar, CNN, SIDEBAR, GtkWidget)

GtkWidget      *cnn_sidebar_new (void);
/* The settings as shown, or NULL when a field is invalid (with its reason). */
CnnRunSettings *cnn_sidebar_dup_settings (CnnSidebar *sidebar, GError **error);
void            cnn_sidebar_set_settings (CnnSidebar *sidebar, const CnnRunSettings *settings);
/* TRUE when every field holds a usable value (the "valid" property). */
gboolean        cnn_sidebar_is_valid     (CnnSidebar *sidebar);
/* The reason a field is refused ("Learning rate: …"), or NULL. */
const char     *cnn_sidebar_get_error    (CnnSidebar *sidebar);
/* Remembers the settings there (and starts from them). NULL: none. */
void            cnn_sidebar_bind_gsettings (CnnSidebar *sidebar, GSettings *settings);

/* Tests: type into a field as a user would ("lr", "momentum", …). */
void            cnn_sidebar_set_field_text (CnnSidebar *sidebar, const char *key,
                                            const char *text);

G_END_DECLS
