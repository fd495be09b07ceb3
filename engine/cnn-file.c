#include "cnn-file.h"

#include "cnn-error.h"

gboolean
cnn_file_read (const char *path, char **contents, gsize *len, GError **error)
{
  GError *local = NULL;
  if (g_file_get_contents (path, contents, len, &local))
    return TRUE;
  /* GLib's message already names the file */
  g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s", local->message);
  g_error_free (local);
  return FALSE;
}

gboolean
cnn_folder_check (const char *dir, GError **error)
{
  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    return TRUE;
  g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: %s", dir,
               g_file_test (dir, G_FILE_TEST_EXISTS) ? "not a folder" : "no such folder");
  return FALSE;
}
