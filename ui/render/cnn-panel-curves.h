/* cnn-panel-curves.h: learning curves of one or more runs, overlaid: loss
 * and accuracy side by side, training per step (raw and smoothed) and
 * validation per epoch, one palette color per run, its label in the legend.
 * A run is a set of plain arrays the window appends to while it trains, so
 * the panel must draw a run of 0, 1 or a few points as well as a full one. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cnn-render-axis.h"
#include "cnn-render-style.h"

G_BEGIN_DECLS

/* TensorBoard's default smoothing weight */
#define CNN_CURVES_DEFAULT_SMOOTHING 0.6
/* a run holds at most this many steps and epochs (append refuses more) */
#define CNN_CURVE_RUN_MAX_POINTS (1 << 26)

typedef struct
{
  char    *label;        /* legend text: "cnn2 · adam 0.001 · standardize pixel" */
  int      n_steps;
  double  *step_epoch;   /* (n_steps) x of each step, fractional: 0.5 = half of epoch 1 done */
  double  *step_loss;    /* (n_steps) training loss of the step's batch; NaN: none */
  double  *step_acc;     /* (n_steps) training accuracy in [0, 1]; NaN: none */
  int      n_epochs;
  double  *epoch;        /* (n_epochs) x of each epoch's end: 1, 2, … */
  double  *train_loss;   /* (n_epochs) mean over the epoch's steps */
  double  *train_acc;    /* (n_epochs) */
  double  *val_loss;     /* (n_epochs) NaN: no validation split */
  double  *val_acc;      /* (n_epochs) */
  gboolean hidden;       /* skipped by the panel (the history keeps it) */
  int      color;        /* palette index; -1 (the default): the run's position */
  /* private: allocated lengths */
  int      step_cap, epoch_cap;
} CnnCurveRun;

CnnCurveRun *cnn_curve_run_new       (const char *label);
CnnCurveRun *cnn_curve_run_copy      (const CnnCurveRun *run);
void         cnn_curve_run_free      (CnnCurveRun *run);
void         cnn_curve_run_set_label (CnnCurveRun *run, const char *label);
/* Append one step or one epoch. FALSE when the run already holds
 * CNN_CURVE_RUN_MAX_POINTS of them (nothing is appended then). */
gboolean     cnn_curve_run_append_step  (CnnCurveRun *run, double epoch, double loss, double acc);
gboolean     cnn_curve_run_append_epoch (CnnCurveRun *run, double epoch, double train_loss,
                                         double train_acc, double val_loss, double val_acc);
/* Forget all points (the label and settings stay). */
void         cnn_curve_run_clear     (CnnCurveRun *run);

/* TensorBoard's smoothing: an exponential moving average with weight
 * `weight` in [0, 1) (0: none), debiased so that it starts at the first
 * value instead of 0. NaN values are skipped: their output is NaN and they
 * do not move the average. out may be values. */
void cnn_curve_smooth (const double *values, int n, double weight, double *out);

typedef enum
{
  CNN_CURVES_LOSS     = 1 << 0,
  CNN_CURVES_ACCURACY = 1 << 1,
  CNN_CURVES_BOTH     = CNN_CURVES_LOSS | CNN_CURVES_ACCURACY,
} CnnCurvesShow;

typedef struct
{
  CnnCurveRun *const *runs;   /* n_runs runs, not owned; hidden ones are skipped */
  int                 n_runs;
  CnnCurvesShow       show;       /* which plots, side by side */
  gboolean            log_loss;   /* the loss axis on a log scale */
  double              smoothing;  /* EMA weight for the training lines, [0, 1) */
  gboolean            raw;        /* the raw training line, light, behind the smoothed one */
  double              min_epochs; /* the x axis spans at least this many epochs (e.g. the
                                   * planned run, so a live curve does not rescale); 0: none */
  const char         *title;      /* NULL or "" for none */
  const char         *val_label;  /* the dashed line's legend; NULL: "validation" */
} CnnCurvesData;

/* Both plots, raw lines on, smoothing 0.6, linear loss axis, no title. */
void cnn_curves_data_init (CnnCurvesData *data);

void cnn_panel_curves_draw (const CnnCurvesData *data, const CnnRenderStyle *style, cairo_t *cr,
                            double width, double height);
void cnn_panel_curves_natural_size (const CnnCurvesData *data, const CnnRenderStyle *style,
                                    double *width, double *height);
/* The axes cnn_panel_curves_draw lays out for this size, to map data to the
 * page and back (tests, a pointer tooltip). A plot that is not shown gets
 * an empty rectangle (plot.width == 0). */
void cnn_panel_curves_layout (const CnnCurvesData *data, const CnnRenderStyle *style, cairo_t *cr,
                              double width, double height, CnnAxes *loss, CnnAxes *accuracy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnCurveRun, cnn_curve_run_free)

G_END_DECLS
