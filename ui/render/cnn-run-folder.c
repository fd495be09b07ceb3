/* cnn-run-folder.c: run.ini, and metrics.csv / steps.csv read into a
 * CnnCurveRun. Columns are found by their header names, so a later column
 * added by `train` does not break older readers. A folder a run is still
 * writing is read as far as its last complete line. */
#include "cnn-run-folder.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "cnn-csv.h"
#include "cnn-error.h"

#define GROUP "run"

/* "0.1", not GKeyFile's "0.10000000000000001" */
static void
set_number (GKeyFile *kf, const char *key, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd (buf, sizeof buf, "%.15g", v);
  if (g_ascii_strtod (buf, NULL) != v)
    g_ascii_formatd (buf, sizeof buf, "%.17g", v);
  g_key_file_set_value (kf, GROUP, key, buf);
}

void
cnn_run_info_init (CnnRunInfo *info)
{
  memset (info, 0, sizeof *info);
  info->lr = NAN;
  info->val_split = NAN;
  info->batch_size = -1;
  info->epochs = -1;
  info->seed = -1;
  info->steps_per_epoch = -1;
}

void
cnn_run_info_clear (CnnRunInfo *info)
{
  g_free (info->model);
  g_free (info->data);
  g_free (info->optimizer);
  g_free (info->standardize);
  g_free (info->augment);
  g_free (info->classes);
  g_free (info->transfer);
  cnn_run_info_init (info);
}

gboolean
cnn_run_info_save (const CnnRunInfo *info, const char *dir, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  const struct { const char *key; const char *value; } strings[] = {
    { "model", info->model }, { "data", info->data }, { "optimizer", info->optimizer },
    { "standardize", info->standardize }, { "augment", info->augment },
    { "classes", info->classes }, { "transfer", info->transfer },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (strings); i++)
    if (strings[i].value)
      g_key_file_set_string (kf, GROUP, strings[i].key, strings[i].value);
  if (!isnan (info->lr))
    set_number (kf, "lr", info->lr);
  if (info->batch_size >= 0)
    g_key_file_set_integer (kf, GROUP, "batch_size", info->batch_size);
  if (info->epochs >= 0)
    g_key_file_set_integer (kf, GROUP, "epochs", info->epochs);
  if (info->seed >= 0)
    g_key_file_set_int64 (kf, GROUP, "seed", info->seed);
  if (!isnan (info->val_split))
    set_number (kf, "val_split", info->val_split);
  if (info->steps_per_epoch >= 0)
    g_key_file_set_integer (kf, GROUP, "steps_per_epoch", info->steps_per_epoch);
  gsize len;
  g_autofree char *text = g_key_file_to_data (kf, &len, NULL);
  g_autofree char *path = g_build_filename (dir, "run.ini", NULL);
  g_autoptr (GError) local = NULL;
  if (!g_file_set_contents_full (path, text, len, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &local))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot write: %s", path, local->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
cnn_run_info_load (CnnRunInfo *info, const char *path, GError **error)
{
  cnn_run_info_init (info);
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, CNN_ERROR, local->domain == G_FILE_ERROR ? CNN_ERROR_IO : CNN_ERROR_FORMAT,
                   "%s: %s", path, local->message);
      return FALSE;
    }
  if (!g_key_file_has_group (kf, GROUP))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: no [%s] group", path, GROUP);
      return FALSE;
    }
  info->model = g_key_file_get_string (kf, GROUP, "model", NULL);
  info->data = g_key_file_get_string (kf, GROUP, "data", NULL);
  info->optimizer = g_key_file_get_string (kf, GROUP, "optimizer", NULL);
  info->standardize = g_key_file_get_string (kf, GROUP, "standardize", NULL);
  info->augment = g_key_file_get_string (kf, GROUP, "augment", NULL);
  info->classes = g_key_file_get_string (kf, GROUP, "classes", NULL);
  info->transfer = g_key_file_get_string (kf, GROUP, "transfer", NULL);

  /* numbers: a key that is there must be a number of the right kind */
  const char *number_keys[] = { "lr", "val_split", "batch_size", "epochs", "seed", "steps_per_epoch" };
  for (gsize i = 0; i < G_N_ELEMENTS (number_keys); i++)
    {
      const char *key = number_keys[i];
      if (!g_key_file_has_key (kf, GROUP, key, NULL))
        continue;
      g_autoptr (GError) e = NULL;
      if (i < 2)
        {
          double v = g_key_file_get_double (kf, GROUP, key, &e);
          if (e == NULL)
            *(i == 0 ? &info->lr : &info->val_split) = v;
        }
      else
        {
          gint64 v = g_key_file_get_int64 (kf, GROUP, key, &e);
          if (e == NULL && (v < 0 || (i != 4 && v > G_MAXINT)))
            g_set_error (&e, CNN_ERROR, CNN_ERROR_FORMAT, "out of range");
          if (e == NULL)
            {
              if (i == 2)
                info->batch_size = (int) v;
              else if (i == 3)
                info->epochs = (int) v;
              else if (i == 4)
                info->seed = v;
              else
                info->steps_per_epoch = (int) v;
            }
        }
      if (e != NULL)
        {
          g_autofree char *text = g_key_file_get_value (kf, GROUP, key, NULL);
          g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: %s must be a %s, not “%s”", path,
                       key, i < 2 ? "number" : "whole number ≥ 0", text ? text : "");
          cnn_run_info_clear (info);
          return FALSE;
        }
    }
  return TRUE;
}

/* "cnn2" for "cnn2", "deep" for "models/deep.cnn" */
static char *
model_name (const char *model)
{
  char *base = g_path_get_basename (model);
  char *dot = strrchr (base, '.');
  if (dot && dot != base && strchr (model, G_DIR_SEPARATOR))
    *dot = '\0';
  return base;
}

char *
cnn_run_info_describe (const CnnRunInfo *info)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  if (info->model && info->model[0])
    g_ptr_array_add (parts, model_name (info->model));
  if (info->optimizer && info->optimizer[0])
    {
      /* "adam lr=0.001 beta1=…" -> "adam 0.001": the rate is what lectures vary */
      g_autofree char *name = g_strndup (info->optimizer, strcspn (info->optimizer, " "));
      double lr = info->lr;
      const char *at = strstr (info->optimizer, " lr=");
      if (isnan (lr) && at)
        lr = g_ascii_strtod (at + 4, NULL);
      if (!isnan (lr))
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          g_ascii_formatd (buf, sizeof buf, "%g", lr);
          g_ptr_array_add (parts, g_strdup_printf ("%s %s", name, buf));
        }
      else
        g_ptr_array_add (parts, g_steal_pointer (&name));
    }
  if (info->standardize && info->standardize[0])
    g_ptr_array_add (parts, g_strdup_printf ("standardize %s", info->standardize));
  if (info->augment && info->augment[0] && strcmp (info->augment, "none") != 0)
    g_ptr_array_add (parts, g_strdup_printf ("augment %s", info->augment));
  if (info->classes && info->classes[0])
    g_ptr_array_add (parts, g_strdup_printf ("classes %s", info->classes));
  if (info->transfer && info->transfer[0])
    g_ptr_array_add (parts, g_strdup (info->transfer));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

/* metrics.csv and steps.csv */

gboolean
cnn_run_folder_read_metrics (CnnCurveRun *run, const char *path, GError **error)
{
  static const char *const names[] = { "epoch", "train_loss", "train_acc", "val_loss", "val_acc" };
  g_autoptr (CnnCsv) csv = cnn_csv_open (path, TRUE, error);
  if (csv == NULL || !cnn_csv_find_columns (csv, names, G_N_ELEMENTS (names), error))
    return FALSE;
  double v[G_N_ELEMENTS (names)];
  int status;
  while ((status = cnn_csv_next (csv, v, error)) > 0)
    {
      if (!(isfinite (v[0]) && v[0] >= 0))
        return cnn_csv_fail (csv, error, "epoch must be a number ≥ 0");
      if (!cnn_curve_run_append_epoch (run, v[0], v[1], v[2], v[3], v[4]))
        return cnn_csv_fail (csv, error, "too many lines");
    }
  return status == 0;
}

/* the step's x: (epoch − 1) + k / steps per epoch for its k-th step */
static void
place_steps (CnnCurveRun *run, int first, const int *epochs, int steps_per_epoch)
{
  int n = run->n_steps - first;
  int i = 0;
  while (i < n)
    {
      int j = i;
      while (j < n && epochs[j] == epochs[i])
        j++;
      /* an epoch's own count when it is finished (or no better is known) */
      int count = j - i;
      gboolean finished = FALSE;
      for (int e = 0; e < run->n_epochs; e++)
        finished |= run->epoch[e] == epochs[i];
      if (!finished && steps_per_epoch > count)
        count = steps_per_epoch;
      for (int k = i; k < j; k++)
        run->step_epoch[first + k] = (epochs[i] - 1) + (double) (k - i + 1) / count;
      i = j;
    }
}

static gboolean
read_steps (CnnCurveRun *run, const char *path, int steps_per_epoch, GError **error)
{
  static const char *const names[] = { "epoch", "loss", "acc" };
  g_autoptr (CnnCsv) csv = cnn_csv_open (path, TRUE, error);
  if (csv == NULL || !cnn_csv_find_columns (csv, names, G_N_ELEMENTS (names), error))
    return FALSE;
  g_autoptr (GArray) epochs = g_array_new (FALSE, FALSE, sizeof (int));
  int first = run->n_steps, status;
  double v[3];
  while ((status = cnn_csv_next (csv, v, error)) > 0)
    {
      if (!(isfinite (v[0]) && v[0] >= 1 && v[0] <= G_MAXINT && v[0] == floor (v[0])))
        return cnn_csv_fail (csv, error, "epoch must be a whole number ≥ 1");
      int e = (int) v[0];
      if (epochs->len > 0 && e < g_array_index (epochs, int, epochs->len - 1))
        return cnn_csv_fail (csv, error, "epoch %d comes after a later one", e);
      if (!cnn_curve_run_append_step (run, NAN, v[1], v[2]))
        return cnn_csv_fail (csv, error, "too many lines");
      g_array_append_val (epochs, e);
    }
  if (status < 0)
    return FALSE;
  place_steps (run, first, (const int *) epochs->data, steps_per_epoch);
  return TRUE;
}

gboolean
cnn_run_folder_read_steps (CnnCurveRun *run, const char *path, GError **error)
{
  return read_steps (run, path, -1, error);
}

CnnCurveRun *
cnn_run_folder_load (const char *dir, GError **error)
{
  g_return_val_if_fail (dir != NULL, NULL);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: %s", dir,
                   g_file_test (dir, G_FILE_TEST_EXISTS) ? "not a folder" : "no such run folder");
      return NULL;
    }
  g_autofree char *metrics = g_build_filename (dir, "metrics.csv", NULL);
  g_autofree char *steps = g_build_filename (dir, "steps.csv", NULL);
  g_autofree char *ini = g_build_filename (dir, "run.ini", NULL);
  if (!g_file_test (metrics, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO,
                   "%s: not a run folder: it has no metrics.csv (convscope train --out writes one)", dir);
      return NULL;
    }
  g_auto (CnnRunInfo) info;
  cnn_run_info_init (&info);
  if (g_file_test (ini, G_FILE_TEST_EXISTS) && !cnn_run_info_load (&info, ini, error))
    return NULL;

  /* the folder's own name, as the user chose it with --out */
  g_autofree char *trimmed = g_strdup (dir);
  gsize len = strlen (trimmed);
  while (len > 1 && G_IS_DIR_SEPARATOR (trimmed[len - 1]))
    trimmed[--len] = '\0';
  g_autofree char *name = g_path_get_basename (trimmed);
  g_autofree char *settings = cnn_run_info_describe (&info);
  g_autofree char *label = settings[0] ? g_strdup_printf ("%s: %s", name, settings) : g_strdup (name);

  g_autoptr (CnnCurveRun) run = cnn_curve_run_new (label);
  if (!cnn_run_folder_read_metrics (run, metrics, error))
    return NULL;
  if (g_file_test (steps, G_FILE_TEST_EXISTS) && !read_steps (run, steps, info.steps_per_epoch, error))
    return NULL;
  return g_steal_pointer (&run);
}
