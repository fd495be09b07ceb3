/* cnn-curve-csv.c: learning curves as one CSV table for spreadsheets and
 * plotting scripts, and read back. Steps and epochs share the table: an
 * epoch's values sit on the line of the step that ends it. */
#include "cnn-run-folder.h"

#include <math.h>
#include <string.h>

#include "cnn-csv.h"
#include "cnn-error.h"

static const char *const columns[] = {
  "run", "epoch", "step", "train_loss", "train_loss_smoothed", "train_acc", "train_acc_smoothed",
  "epoch_train_loss", "epoch_train_acc", "val_loss", "val_acc",
};
enum { C_RUN, C_EPOCH, C_STEP, C_LOSS, C_LOSS_S, C_ACC, C_ACC_S, C_ELOSS, C_EACC, C_VLOSS, C_VACC,
       N_COLUMNS };

static void
epoch_cells (GString *s, const CnnCurveRun *run, int e)
{
  const double v[] = { run->train_loss[e], run->train_acc[e], run->val_loss[e], run->val_acc[e] };
  for (gsize i = 0; i < G_N_ELEMENTS (v); i++)
    {
      g_string_append_c (s, ',');
      cnn_csv_append_number (s, v[i]);
    }
}

static void
epoch_line (GString *s, const CnnCurveRun *run, const char *label, int e)
{
  cnn_csv_append_field (s, label);
  g_string_append_c (s, ',');
  cnn_csv_append_number (s, run->epoch[e]);
  g_string_append (s, ",,,,,");   /* step and the four step values */
  epoch_cells (s, run, e);
  g_string_append_c (s, '\n');
}

static void
append_run (GString *s, const CnnCurveRun *run, int index, double smoothing)
{
  g_autofree char *label = run->label && run->label[0] ? g_strdup (run->label)
                                                       : g_strdup_printf ("run %d", index + 1);
  int n = run->n_steps;
  g_autofree double *loss_s = g_new (double, MAX (n, 1));
  g_autofree double *acc_s = g_new (double, MAX (n, 1));
  cnn_curve_smooth (run->step_loss, n, smoothing, loss_s);
  cnn_curve_smooth (run->step_acc, n, smoothing, acc_s);
  int e = 0;
  for (int k = 0; k < n; k++)
    {
      double x = run->step_epoch[k];
      /* epochs that end before this step and on no step of their own */
      while (e < run->n_epochs && run->epoch[e] < x - 1e-9)
        epoch_line (s, run, label, e++);
      cnn_csv_append_field (s, label);
      g_string_append_c (s, ',');
      cnn_csv_append_number (s, x);
      g_string_append_printf (s, ",%d,", k + 1);
      cnn_csv_append_number (s, run->step_loss[k]);
      g_string_append_c (s, ',');
      cnn_csv_append_number (s, loss_s[k]);
      g_string_append_c (s, ',');
      cnn_csv_append_number (s, run->step_acc[k]);
      g_string_append_c (s, ',');
      cnn_csv_append_number (s, acc_s[k]);
      if (e < run->n_epochs && fabs (run->epoch[e] - x) <= 1e-9)
        epoch_cells (s, run, e++);
      else
        g_string_append (s, ",,,,");
      g_string_append_c (s, '\n');
    }
  while (e < run->n_epochs)
    epoch_line (s, run, label, e++);
}

gboolean
cnn_curve_runs_write_csv (CnnCurveRun *const *runs, int n_runs, double smoothing, const char *path,
                          GError **error)
{
  g_return_val_if_fail (n_runs >= 0 && (n_runs == 0 || runs != NULL) && path != NULL, FALSE);
  GString *s = g_string_new (NULL);
  for (int i = 0; i < N_COLUMNS; i++)
    g_string_append_printf (s, "%s%s", i ? "," : "", columns[i]);
  g_string_append_c (s, '\n');
  for (int i = 0; i < n_runs; i++)
    if (runs[i])
      append_run (s, runs[i], i, smoothing);
  g_autoptr (GError) local = NULL;
  gboolean ok = g_file_set_contents_full (path, s->str, s->len, G_FILE_SET_CONTENTS_CONSISTENT,
                                          0644, &local);
  g_string_free (s, TRUE);
  if (!ok)
    g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot write: %s", path, local->message);
  return ok;
}

gboolean
cnn_curve_run_write_csv (const CnnCurveRun *run, double smoothing, const char *path, GError **error)
{
  g_return_val_if_fail (run != NULL, FALSE);
  CnnCurveRun *const runs[] = { (CnnCurveRun *) run };
  return cnn_curve_runs_write_csv (runs, 1, smoothing, path, error);
}

CnnCurveRun **
cnn_curve_runs_read_csv (const char *path, int *n_runs, GError **error)
{
  g_autoptr (CnnCsv) csv = cnn_csv_open (path, FALSE, error);
  if (csv == NULL)
    return NULL;
  int col[N_COLUMNS];
  for (int i = 0; i < N_COLUMNS; i++)
    if ((col[i] = cnn_csv_column (csv, columns[i])) < 0
        && !cnn_csv_find_columns (csv, &columns[i], 1, error))
      return NULL;
  g_autoptr (GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) cnn_curve_run_free);
  g_autoptr (GHashTable) by_label = g_hash_table_new (g_str_hash, g_str_equal);
  char **f;
  int status;
  while ((status = cnn_csv_next_fields (csv, &f, error)) > 0)
    {
      double v[N_COLUMNS];
      for (int i = C_EPOCH; i < N_COLUMNS; i++)
        if (!cnn_csv_number (csv, f[col[i]], columns[i], &v[i], error))
          return NULL;
      CnnCurveRun *run = g_hash_table_lookup (by_label, f[col[C_RUN]]);
      if (run == NULL)
        {
          run = cnn_curve_run_new (f[col[C_RUN]]);
          g_ptr_array_add (runs, run);
          g_hash_table_insert (by_label, run->label, run);
        }
      if (!isnan (v[C_STEP]) && !cnn_curve_run_append_step (run, v[C_EPOCH], v[C_LOSS], v[C_ACC]))
        return cnn_csv_fail (csv, error, "too many lines"), NULL;
      gboolean epoch_end = !isnan (v[C_ELOSS]) || !isnan (v[C_EACC]) || !isnan (v[C_VLOSS])
                           || !isnan (v[C_VACC]) || isnan (v[C_STEP]);
      if (epoch_end && !cnn_curve_run_append_epoch (run, v[C_EPOCH], v[C_ELOSS], v[C_EACC],
                                                    v[C_VLOSS], v[C_VACC]))
        return cnn_csv_fail (csv, error, "too many lines"), NULL;
    }
  if (status < 0)
    return NULL;
  *n_runs = runs->len;
  g_ptr_array_add (runs, NULL);
  g_ptr_array_set_free_func (runs, NULL);
  return (CnnCurveRun **) g_ptr_array_free (g_steal_pointer (&runs), FALSE);
}
