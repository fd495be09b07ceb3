#include "cnn-cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
cnn_cli_fail (const GError *error)
{
  fprintf (stderr, "convscope: %s\n", error->message);
  if (error->domain == CNN_ERROR && error->code == CNN_ERROR_DIVERGED)
    return CNN_EXIT_DIVERGED;
  if (error->domain == CNN_ERROR && error->code == CNN_ERROR_CANCELLED)
    return CNN_EXIT_FAILURE;
  /* output we could not write is not the user's input being bad */
  if (error->domain == CNN_ERROR && error->code == CNN_ERROR_IO
      && (strstr (error->message, "cannot write") || strstr (error->message, "cannot create")))
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
  /* an ONNX model loads as a checkpoint too (cnn_checkpoint_load) */
  if (cnn_onnx_is_onnx_path (path))
    return TRUE;
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

gboolean
cnn_cli_data_options (const char *size, int channels, const char *fit, gboolean strict,
                      CnnDataOptions *opts, GError **error)
{
  if (size != NULL)
    {
      int h, w;
      char extra;
      if (sscanf (size, "%d,%d%c", &h, &w, &extra) != 2 || h < 1 || w < 1 || h > 4096 || w > 4096)
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                       "--input-size takes height,width between 1 and 4096 such as 64,64, not “%s”",
                       size);
          return FALSE;
        }
      opts->h = h;
      opts->w = w;
    }
  if (channels != 0 && channels != 1 && channels != 3)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "--channels takes 1 (gray) or 3 (color), not %d", channels);
      return FALSE;
    }
  opts->channels = channels;
  if (fit != NULL && !cnn_fit_parse (fit, &opts->fit, error))
    return FALSE;
  opts->strict = strict;
  return TRUE;
}

typedef struct
{
  gint64 last_draw;
  gboolean drawn;
} LoadProgress;

static void
on_load_progress (int done, int total, gpointer data)
{
  LoadProgress *p = data;
  gint64 now = g_get_monotonic_time ();
  if (now - p->last_draw < 100000 && done < total)
    return;
  p->last_draw = now;
  p->drawn = TRUE;
  fprintf (stderr, "\r  loading images %d/%d ", done, total);
  fflush (stderr);
}

CnnDataset *
cnn_cli_load_data (const char *spec, CnnDataOptions *opts, GError **error)
{
  LoadProgress progress = { 0, FALSE };
  if (isatty (STDERR_FILENO))
    {
      opts->progress = on_load_progress;
      opts->user_data = &progress;
    }
  CnnDataset *ds = cnn_dataset_load_with (spec, opts, error);
  opts->progress = NULL;
  opts->user_data = NULL;
  if (progress.drawn)
    fprintf (stderr, "\r%*s\r", 40, "");
  if (ds != NULL && ds->load_summary != NULL)
    fprintf (stderr, "%s: %s\n", spec, ds->load_summary);
  return ds;
}

void
cnn_cli_progress_init (CnnCliProgress *p, const char *what)
{
  *p = (CnnCliProgress) { .what = what, .start = g_get_monotonic_time (), .tty = isatty (STDERR_FILENO) };
}

gboolean
cnn_cli_progress_update (int done, int total, gpointer data)
{
  CnnCliProgress *p = data;
  gint64 now = g_get_monotonic_time ();
  /* a pass that ends within a second draws nothing; then 4 times a second */
  if (!p->tty || total <= 0 || now - p->start < 1000000 || (now - p->last_draw < 250000 && done < total))
    return TRUE;
  p->last_draw = now;
  p->drawn = TRUE;
  double elapsed = (now - p->start) / 1e6;
  double left = done > 0 ? elapsed * (total - done) / done : 0;
  fprintf (stderr, "\r  %s %d/%d (%3.0f %%), %.0f s left ", p->what, done, total, 100.0 * done / total,
           left);
  fflush (stderr);
  return TRUE;
}

void
cnn_cli_progress_done (CnnCliProgress *p)
{
  if (p->drawn)
    fprintf (stderr, "\r%*s\r", 60, "");
  p->drawn = FALSE;
}

static FILE *
open_csv (const char *dir, const char *name, const char *header, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  FILE *f = fopen (path, "w");
  if (f == NULL)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot write: %s", path, g_strerror (errno));
      return NULL;
    }
  fprintf (f, "%s\n", header);
  return f;
}

gboolean
cnn_cli_open_run_files (const char *dir, FILE **metrics, FILE **steps, GError **error)
{
  *metrics = *steps = NULL;
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot create the run folder: %s", dir,
                   g_strerror (errno));
      return FALSE;
    }
  *metrics = open_csv (dir, "metrics.csv",
                       "epoch,train_loss,train_acc,val_loss,val_acc,img_per_s,seconds", error);
  if (*metrics == NULL)
    return FALSE;
  *steps = open_csv (dir, "steps.csv", "step,epoch,loss,acc", error);
  if (*steps == NULL)
    {
      fclose (*metrics);
      *metrics = NULL;
      return FALSE;
    }
  return TRUE;
}
