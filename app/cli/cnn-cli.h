/* cnn-cli.h: the headless command line (`convscope train|eval|summary|bench|figure`).
 * It links the engine and the render library only, so every command runs
 * without a display. */
#pragma once

#include <glib.h>
#include <stdio.h>

#include "cnn-engine.h"

G_BEGIN_DECLS

/* Exit statuses scripts rely on. */
enum
{
  CNN_EXIT_OK = 0,
  CNN_EXIT_FAILURE = 1,    /* something went wrong that is not the input's fault */
  CNN_EXIT_BAD_INPUT = 2,  /* bad option, file, spec or data: one line on stderr */
  CNN_EXIT_DIVERGED = 3,   /* the loss became NaN/Inf; the last good weights were saved */
};

int cnn_cli_train   (int argc, char **argv);
int cnn_cli_eval    (int argc, char **argv);
int cnn_cli_summary (int argc, char **argv);
int cnn_cli_bench   (int argc, char **argv);
int cnn_cli_layers  (int argc, char **argv);
int cnn_cli_figure  (int argc, char **argv);
int cnn_cli_export  (int argc, char **argv);
int cnn_cli_predict (int argc, char **argv);
int cnn_cli_explain (int argc, char **argv);
/* bench --explain: the attribution methods timed on one image of `set` */
int cnn_cli_bench_explain (CnnNetwork *net, const char *model, const CnnImageSet *set,
                           const CnnNormalizer *nz, CnnPool *pool, gboolean json);
int cnn_cli_transfer (int argc, char **argv);
/* bench --inference: forward images/s of `net` at its input size on random
 * inputs; batch 0 picks one whose activations fit 512 MiB; threads 0 measures
 * 1 thread and all cores */
int cnn_cli_bench_inference (CnnNetwork *net, const char *model, int batch, int threads, double seconds,
                             int windows, gboolean json);

/* Print "convscope: MESSAGE" on stderr and return the exit status for it. */
int  cnn_cli_fail        (const GError *error);
int  cnn_cli_fail_printf (int status, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* Parse argv with the entries; on error print one line and return FALSE. */
gboolean cnn_cli_parse   (GOptionContext *context, int *argc, char ***argv, int *status);

/* Either a checkpoint (a file starting with the checkpoint magic) or a
 * preset / spec file built for `input` and `n_classes` with fresh weights. */
gboolean cnn_cli_is_checkpoint (const char *path);
/* "1,28,28" -> shape */
gboolean cnn_cli_parse_shape   (const char *text, CnnShape *shape, GError **error);
/* --input-size "64,48" -> h, w; --channels 0, 1 or 3; --fit crop|stretch
 * (each may be NULL / 0: the data's own) into opts. */
gboolean cnn_cli_data_options  (const char *size, int channels, const char *fit, gboolean strict,
                                CnnDataOptions *opts, GError **error);
/* Create the run folder dir and its two learning-curve files with their
 * headers: metrics.csv (one line per epoch) and steps.csv (one per step).
 * On failure nothing is left open. */
gboolean cnn_cli_open_run_files (const char *dir, FILE **metrics, FILE **steps, GError **error);

/* cnn_dataset_load_with, with a progress line on stderr when it is a
 * terminal and the skipped-files summary on stderr after. */
CnnDataset *cnn_cli_load_data  (const char *spec, CnnDataOptions *opts, GError **error);

/* A progress line on stderr for a pass over many inputs ("predict
 * 640/5000 (13 %), 41 s left"): only on a terminal, only once the pass has
 * run a second, at most 4 times a second. cnn_cli_progress_update fits
 * CnnPredictProgress and CnnProgressFunc (it never cancels);
 * cnn_cli_progress_done clears the line. */
typedef struct
{
  const char *what;
  gint64      start, last_draw;
  gboolean    tty, drawn;
} CnnCliProgress;
void     cnn_cli_progress_init   (CnnCliProgress *p, const char *what);
gboolean cnn_cli_progress_update (int done, int total, gpointer p);
void     cnn_cli_progress_done   (CnnCliProgress *p);

G_END_DECLS
