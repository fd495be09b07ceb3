/* cnn-transfer-run.h: the lecture's three ways to learn new classes from a
 * few images with a pretrained model, each run the same way for the
 * command line and the window:
 *
 * - from scratch: the same model from random weights;
 * - frozen features: the pretrained layers' output at a layer, a new head
 *   trained on it (or k nearest neighbours);
 * - fine-tuning: a new head on frozen layers, then (stage two) the last
 *   conv layers too, at a smaller learning rate.
 *
 * After each epoch the model is evaluated on `curve` test images for the
 * learning curves (reported as the epoch's validation columns: nothing is
 * chosen by them); the result is the last weights' accuracy on all `test`
 * images. */
#pragma once

#include <glib.h>

#include "cnn-transfer.h"

G_BEGIN_DECLS

typedef enum
{
  CNN_STRATEGY_SCRATCH,
  CNN_STRATEGY_FEATURES,
  CNN_STRATEGY_FINETUNE,
  CNN_N_STRATEGIES
} CnnStrategy;

const char *cnn_strategy_name  (CnnStrategy strategy);   /* "scratch", "features", "finetune" */
const char *cnn_strategy_title (CnnStrategy strategy);   /* "from scratch", … */

typedef struct
{
  CnnNetwork          *pre;            /* the pretrained model (read, not changed) */
  const CnnNormalizer *nz;             /* its standardization, used by every strategy */
  const char          *source;         /* names it in errors */
  const CnnDataset    *ds;             /* the new task's images (class subset applied) */
  const int           *train_idx;      /* of ds->train */
  int                  n_train;
  const int           *test_idx;       /* of ds->test: the result */
  int                  n_test;
  const int           *curve_idx;      /* of ds->test: the curves */
  int                  n_curve;
  int                  epochs;         /* from scratch, of the new head, of fine-tuning's first stage */
  int                  stage2_epochs;
  int                  batch, threads;
  guint64              seed;
  CnnOptimizerConfig   optimizer;
  double               stage2_lr;
  CnnHeadKind          head;           /* of the features strategy */
  int                  feature_layer, freeze_until, stage2_from;   /* stage2_from -1: no stage two */
  const char          *cache_dir;      /* of features; NULL: none */
  const char          *data_name;      /* in the cache's file names */
  CnnPool             *pool;           /* feature extraction and evaluation; may be NULL */
  /* news, on the calling thread; any may be NULL. Epochs and steps count
   * on across fine-tuning's two stages; the epoch's validation columns are
   * the curve images' test loss and accuracy. */
  void               (*on_step)     (CnnStrategy k, const CnnStepInfo *info, gpointer user_data);
  void               (*on_epoch)    (CnnStrategy k, const CnnEpochInfo *info, gpointer user_data);
  gboolean           (*should_stop) (gpointer user_data);
  CnnProgressFunc      progress;       /* feature extraction; FALSE cancels */
  gpointer             user_data;
} CnnTransferPlan;

typedef struct
{
  double      accuracy, loss;          /* on the test images (loss NAN for kNN) */
  int         epochs;
  double      stage1_accuracy;         /* fine-tuning: after its first stage */
  gboolean    from_cache;              /* features: read back from the cache */
  CnnNetwork *net;                     /* the trained model (scratch, finetune), owned */
} CnnTransferResult;

/* The images of a task on ds: per_class training images a class (0: all,
 * chosen with the seed), every test image for the result, and
 * curve_per_class test images a class for the curves (0: all). Newly
 * allocated; the test indices are 0 .. ds->test->n - 1. */
void     cnn_transfer_task_images   (const CnnDataset *ds, int per_class, int curve_per_class,
                                     guint64 seed, int **train_idx, int *n_train, int **test_idx,
                                     int **curve_idx, int *n_curve);
/* What strategy k trains, for a run's label ("softmax head on pool2's
 * features"); newly allocated. */
char    *cnn_transfer_describe      (const CnnTransferPlan *plan, CnnStrategy k);
/* Epochs strategy k trains (0 for kNN). */
int      cnn_transfer_total_epochs  (const CnnTransferPlan *plan, CnnStrategy k);
gboolean cnn_transfer_run           (const CnnTransferPlan *plan, CnnStrategy k,
                                     CnnTransferResult *result, GError **error);
void     cnn_transfer_result_clear  (CnnTransferResult *result);

G_END_DECLS
