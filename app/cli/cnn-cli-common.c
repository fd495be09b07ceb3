#include "cnn-cli.h"

#include <stdio.h>
#include <string.h>

int
cnn_cli_fail (const GError *error)
{
  fprintf (stderr, "convscope: %s\n", error->message);
  if (error->domain == CNN_ERROR && error->code == CNN_ERROR_DIVERGED)
    return CNN_EXIT_DIVERGED;
  if (error->domain == CNN_ERROR && error->code == CNN_ERROR_CANCELLED)
    return CNN_EXIT_FAILURE;
  if (error->domain == CNN_ERROR && error->code == CNN_ERROR_IO
      && strstr (error->message, "cannot write"))
    return CNN_EXIT_FAILURE;
  return CNN_EXIT_BAD_INPUT;
}

int
cnn_cli_fail_printf (int status, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *msg = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "convscope: %s\n", msg);
  return status;
}

gboolean
cnn_cli_parse (GOptionContext *context, int *argc, char ***argv, int *status)
{
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s (see --help)", error->message);
      return FALSE;
    }
  if (*argc > 1)
    {
      *status = cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "unexpected argument “%s” (see --help)",
                                     (*argv)[1]);
      return FALSE;
    }
  return TRUE;
}

gboolean
cnn_cli_is_checkpoint (const char *path)
{
  FILE *f = fopen (path, "rb");
  if (f == NULL)
    return FALSE;
  char magic[14] = { 0 };
  size_t n = fread (magic, 1, sizeof magic, f);
  fclose (f);
  return n == sizeof magic && memcmp (magic, "CNNSCOPE-CKPT\n", 14) == 0;
}

gboolean
cnn_cli_parse_shape (const char *text, CnnShape *shape, GError **error)
{
  int c, h, w;
  char extra;
  if (sscanf (text, "%d,%d,%d%c", &c, &h, &w, &extra) != 3 || c < 1 || h < 1 || w < 1
      || c > 4096 || h > 16384 || w > 16384)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "--input-shape takes channels,height,width such as 1,28,28, not “%s”", text);
      return FALSE;
    }
  *shape = (CnnShape) { c, h, w };
  return TRUE;
}
