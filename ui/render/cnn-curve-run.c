/* cnn-curve-run.c: the arrays of one run's learning curves, grown by
 * doubling so the window can append a step per batch cheaply, and
 * TensorBoard's smoothing. */
#include "cnn-panel-curves.h"

#include <math.h>
#include <string.h>

CnnCurveRun *
cnn_curve_run_new (const char *label)
{
  CnnCurveRun *run = g_new0 (CnnCurveRun, 1);
  run->label = g_strdup (label);
  run->color = -1;
  return run;
}

static double *
dup_doubles (const double *v, int n, int cap)
{
  if (cap == 0)
    return NULL;
  double *copy = g_new (double, cap);
  if (n > 0)
    memcpy (copy, v, (gsize) n * sizeof (double));
  return copy;
}

CnnCurveRun *
cnn_curve_run_copy (const CnnCurveRun *run)
{
  g_return_val_if_fail (run != NULL, NULL);
  CnnCurveRun *c = g_new0 (CnnCurveRun, 1);
  c->label = g_strdup (run->label);
  c->hidden = run->hidden;
  c->color = run->color;
  /* the copy is exactly as long as the data: snapshots are not appended to,
   * and a later append simply grows it */
  c->n_steps = c->step_cap = run->n_steps;
  c->step_epoch = dup_doubles (run->step_epoch, run->n_steps, run->n_steps);
  c->step_loss = dup_doubles (run->step_loss, run->n_steps, run->n_steps);
  c->step_acc = dup_doubles (run->step_acc, run->n_steps, run->n_steps);
  c->n_epochs = c->epoch_cap = run->n_epochs;
  c->epoch = dup_doubles (run->epoch, run->n_epochs, run->n_epochs);
  c->train_loss = dup_doubles (run->train_loss, run->n_epochs, run->n_epochs);
  c->train_acc = dup_doubles (run->train_acc, run->n_epochs, run->n_epochs);
  c->val_loss = dup_doubles (run->val_loss, run->n_epochs, run->n_epochs);
  c->val_acc = dup_doubles (run->val_acc, run->n_epochs, run->n_epochs);
  return c;
}

void
cnn_curve_run_free (CnnCurveRun *run)
{
  if (run == NULL)
    return;
  g_free (run->label);
  g_free (run->step_epoch);
  g_free (run->step_loss);
  g_free (run->step_acc);
  g_free (run->epoch);
  g_free (run->train_loss);
  g_free (run->train_acc);
  g_free (run->val_loss);
  g_free (run->val_acc);
  g_free (run);
}

void
cnn_curve_run_set_label (CnnCurveRun *run, const char *label)
{
  g_return_if_fail (run != NULL);
  char *copy = g_strdup (label);
  g_free (run->label);
  run->label = copy;
}

void
cnn_curve_run_clear (CnnCurveRun *run)
{
  g_return_if_fail (run != NULL);
  run->n_steps = 0;
  run->n_epochs = 0;
}

/* room for one more point: doubles the capacity, at most to the limit */
static gboolean
grow (int n, int *cap, double **const arrays[], int n_arrays)
{
  if (n < *cap)
    return TRUE;
  if (n >= CNN_CURVE_RUN_MAX_POINTS)
    return FALSE;
  int new_cap = *cap < 64 ? 64 : MIN (2 * *cap, CNN_CURVE_RUN_MAX_POINTS);
  for (int i = 0; i < n_arrays; i++)
    *arrays[i] = g_renew (double, *arrays[i], new_cap);
  *cap = new_cap;
  return TRUE;
}

gboolean
cnn_curve_run_append_step (CnnCurveRun *run, double epoch, double loss, double acc)
{
  g_return_val_if_fail (run != NULL, FALSE);
  double **const arrays[] = { &run->step_epoch, &run->step_loss, &run->step_acc };
  if (!grow (run->n_steps, &run->step_cap, arrays, G_N_ELEMENTS (arrays)))
    return FALSE;
  int i = run->n_steps++;
  run->step_epoch[i] = epoch;
  run->step_loss[i] = loss;
  run->step_acc[i] = acc;
  return TRUE;
}

gboolean
cnn_curve_run_append_epoch (CnnCurveRun *run, double epoch, double train_loss, double train_acc,
                            double val_loss, double val_acc)
{
  g_return_val_if_fail (run != NULL, FALSE);
  double **const arrays[] = { &run->epoch, &run->train_loss, &run->train_acc, &run->val_loss,
                              &run->val_acc };
  if (!grow (run->n_epochs, &run->epoch_cap, arrays, G_N_ELEMENTS (arrays)))
    return FALSE;
  int i = run->n_epochs++;
  run->epoch[i] = epoch;
  run->train_loss[i] = train_loss;
  run->train_acc[i] = train_acc;
  run->val_loss[i] = val_loss;
  run->val_acc[i] = val_acc;
  return TRUE;
}

void
cnn_curve_smooth (const double *values, int n, double weight, double *out)
{
  if (!(weight >= 0.0))
    weight = 0.0;
  weight = MIN (weight, 0.999);
  /* TensorBoard: last = last·w + (1 − w)·v, shown divided by 1 − w^k after
   * k values, so the first point is the first value, not a fraction of it */
  double last = 0.0, decay = 1.0;
  for (int i = 0; i < n; i++)
    {
      double v = values[i];
      if (!isfinite (v))
        {
          out[i] = NAN;
          continue;
        }
      last = last * weight + (1.0 - weight) * v;
      decay *= weight;
      out[i] = weight > 0 ? last / (1.0 - decay) : v;
    }
}

void
cnn_curves_data_init (CnnCurvesData *data)
{
  g_return_if_fail (data != NULL);
  memset (data, 0, sizeof *data);
  data->show = CNN_CURVES_BOTH;
  data->smoothing = CNN_CURVES_DEFAULT_SMOOTHING;
  data->raw = TRUE;
}
