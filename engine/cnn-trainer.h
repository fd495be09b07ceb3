/* cnn-trainer.h: the training loop. Blocking and thread-agnostic: it calls
 * its callbacks on whatever thread runs it and never touches a main loop. */
#pragma once

#include <glib.h>

#include "cnn-augment.h"
#include "cnn-dataset.h"
#include "cnn-network.h"
#include "cnn-optimizer.h"

G_BEGIN_DECLS

typedef struct
{
  int    epoch;            /* 1-based */
  int    step;             /* 1-based within the epoch */
  int    steps_per_epoch;
  gint64 global_step;      /* 1-based over the whole run */
  int    batch_size;       /* this batch (the last may be smaller) */
  double loss, accuracy;   /* this batch, training mode */
  double img_per_s;        /* over the epoch so far */
} CnnStepInfo;

typedef struct
{
  int      epoch;          /* 1-based */
  int      epochs;         /* the target of this run */
  double   train_loss, train_accuracy;   /* averaged over the epoch's batches */
  double   val_loss, val_accuracy;       /* NAN without a validation split */
  double   img_per_s;      /* training images per second */
  double   seconds;        /* the epoch's wall time, validation included */
  gboolean best;           /* the best validation loss so far */
} CnnEpochInfo;

typedef struct
{
  void     (*on_step)     (const CnnStepInfo *info, gpointer user_data);
  void     (*on_epoch)    (const CnnEpochInfo *info, gpointer user_data);
  gboolean (*should_stop) (gpointer user_data);   /* polled before each step */
  gpointer user_data;
} CnnTrainCallbacks;

typedef struct
{
  int                epochs;
  int                batch_size;
  guint64            seed;
  int                threads;      /* 0: all cores */
  CnnOptimizerConfig optimizer;
  /* NULL or off: none. Otherwise each training image is augmented anew each
   * epoch (validation and evaluation never are), by a worker thread that
   * prepares the next batch while the current one trains. Copied. */
  const CnnAugment  *augment;
} CnnTrainConfig;

typedef struct _CnnTrainer CnnTrainer;

/* Labelled samples that are already floats: the features of a layer
 * (cnn-transfer.h), on which a new head trains without going back to
 * the images. */
typedef struct
{
  int       n;
  CnnShape  shape;    /* of one sample */
  float    *x;        /* (n, shape) */
  guint8   *labels;   /* (n) */
} CnnFeatureSet;

/* NULL, with an error naming `name`, when n samples do not fit in memory. */
CnnFeatureSet *cnn_feature_set_new  (int n, CnnShape shape, const char *name, GError **error);
void           cnn_feature_set_free (CnnFeatureSet *set);

/* The trainer borrows net, set and nz for its lifetime. Training images are
 * set's images train_idx[0..n_train-1]; validation likewise (n_val may be 0). */
CnnTrainer *cnn_trainer_new  (CnnNetwork *net, const CnnImageSet *set, const CnnNormalizer *nz,
                              const int *train_idx, int n_train, const int *val_idx, int n_val,
                              const CnnTrainConfig *config, GError **error);
/* The same on samples that are floats already: no standardization and
 * no augmentation (config->augment must be off). Borrows set. */
CnnTrainer *cnn_trainer_new_features (CnnNetwork *net, const CnnFeatureSet *set,
                                      const int *train_idx, int n_train, const int *val_idx,
                                      int n_val, const CnnTrainConfig *config, GError **error);
void        cnn_trainer_free (CnnTrainer *trainer);

/* Train config->epochs epochs. FALSE with CNN_ERROR_CANCELLED when
 * should_stop said so (the weights are those of the last finished step), or
 * CNN_ERROR_DIVERGED when the loss became NaN or infinite (the network then
 * holds the weights of the last step whose loss was finite). */
gboolean    cnn_trainer_run  (CnnTrainer *trainer, const CnnTrainCallbacks *callbacks,
                              GError **error);

int         cnn_trainer_get_epochs_done (const CnnTrainer *trainer);
/* The weights and statistics of the epoch with the best validation loss
 * (the last epoch without validation); NULL before the first epoch ends. */
const float *cnn_trainer_get_best_params (const CnnTrainer *trainer, int *epoch);
const float *cnn_trainer_get_best_state  (const CnnTrainer *trainer);
CnnOptimizer *cnn_trainer_get_optimizer  (CnnTrainer *trainer);
CnnPool      *cnn_trainer_get_pool       (CnnTrainer *trainer);

/* Loss and accuracy over images idx[0..n-1] in inference mode. */
void        cnn_evaluate (CnnNetwork *net, const CnnImageSet *set, const CnnNormalizer *nz,
                          const int *idx, int n, int batch_size, CnnPool *pool,
                          double *loss, double *accuracy);
void        cnn_evaluate_features (CnnNetwork *net, const CnnFeatureSet *set, const int *idx, int n,
                                   int batch_size, CnnPool *pool, double *loss, double *accuracy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnTrainer, cnn_trainer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnFeatureSet, cnn_feature_set_free)

G_END_DECLS
