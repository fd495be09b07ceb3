/* cnn-file.h: reading files and checking folders, with errors in the
 * engine's domain (CNN_ERROR_IO) that name the path. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* g_file_get_contents(); len may be NULL. */
gboolean cnn_file_read    (const char *path, char **contents, gsize *len, GError **error);
/* TRUE when dir is a folder; otherwise "DIR: not a folder" or "DIR: no such folder". */
gboolean cnn_folder_check (const char *dir, GError **error);

G_END_DECLS
