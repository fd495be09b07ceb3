/* cnn-run-folder.h: the run folder `convscope train --out DIR` writes, read
 * back as learning curves: metrics.csv (one line per epoch), steps.csv (one
 * line per step) and run.ini (the run's settings, for the legend); and the
 * curves of runs written as one CSV table. No GTK: the command line uses it. */
#pragma once

#include <glib.h>

#include "cnn-panel-curves.h"

G_BEGIN_DECLS

/* The settings of a run, as run.ini holds them (group [run]). Strings may
 * be NULL and numbers NaN / -1 when not known. */
typedef struct
{
  char    *model;        /* preset name or spec file, as given to --model */
  char    *data;         /* the data set, as given to --data */
  char    *optimizer;    /* cnn_optimizer_config_describe (): "adam lr=0.001 beta1=0.9 …" */
  double   lr;
  int      batch_size;
  int      epochs;       /* planned */
  char    *standardize;  /* scale, pixel, channel or none */
  gint64   seed;
  char    *augment;      /* the augmentation spec; NULL or "" for none */
  double   val_split;
  int      steps_per_epoch;  /* places the steps of an unfinished epoch on the x axis */
  char    *classes;      /* the class subset (--classes), NULL: all */
  char    *transfer;     /* how a transfer run started: "features softmax from …"; NULL: none */
} CnnRunInfo;

/* Empty: strings NULL, lr and val_split NaN, counts and seed -1. */
void     cnn_run_info_init     (CnnRunInfo *info);
void     cnn_run_info_clear    (CnnRunInfo *info);
/* Writes DIR/run.ini (atomically). */
gboolean cnn_run_info_save     (const CnnRunInfo *info, const char *dir, GError **error);
/* Reads a run.ini file; unknown keys are ignored, a damaged file is an
 * error naming it. */
gboolean cnn_run_info_load     (CnnRunInfo *info, const char *path, GError **error);
/* The legend's settings: "cnn2 · adam 0.001 · standardize pixel" (what
 * the lecture compares: model, optimizer and rate, standardization,
 * augmentation when on). */
char    *cnn_run_info_describe (const CnnRunInfo *info);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CnnRunInfo, cnn_run_info_clear)

/* A run folder's curves: metrics.csv is required; steps.csv and run.ini
 * are read when present. The label is the folder's name, then the
 * settings from run.ini. A last line without its newline is a line still
 * being written and is left out. Errors name the file and the line. */
CnnCurveRun *cnn_run_folder_load (const char *dir, GError **error);
/* The two CSV files alone, appended to `run`. */
gboolean     cnn_run_folder_read_metrics (CnnCurveRun *run, const char *path, GError **error);
gboolean     cnn_run_folder_read_steps   (CnnCurveRun *run, const char *path, GError **error);

/* The curves as one CSV table, written atomically:
 *   run,epoch,step,train_loss,train_loss_smoothed,train_acc,train_acc_smoothed,
 *   epoch_train_loss,epoch_train_acc,val_loss,val_acc
 * one line per step (epoch fractional, step counted from 1 per run) and the
 * epoch's values on the line of the step that ends it (or a line of their
 * own, step empty); empty cells where a value does not apply or is NaN.
 * Smoothing as in the panel (cnn_curve_smooth). */
gboolean cnn_curve_run_write_csv  (const CnnCurveRun *run, double smoothing, const char *path,
                                   GError **error);
gboolean cnn_curve_runs_write_csv (CnnCurveRun *const *runs, int n_runs, double smoothing,
                                   const char *path, GError **error);
/* Reads such a table back: one run per distinct `run` value, in order of
 * appearance (the smoothed columns are ignored). A line with a step is a
 * step; a line without one, or with any of the four epoch values, also
 * ends an epoch (an epoch whose four values are all NaN and that ends on a
 * step does not come back). Returns a NULL-terminated
 * array of runs (free each with cnn_curve_run_free, then the array), *n_runs
 * set. */
CnnCurveRun **cnn_curve_runs_read_csv (const char *path, int *n_runs, GError **error);

G_END_DECLS
