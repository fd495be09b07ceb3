/* cnn-checkpoint.h: the whole model in one file: spec, weights, BN
 * statistics, input standardization and where the data came from.
 *
 * Layout (version 1, little-endian):
 *   "CNNSCOPE-CKPT\n"  magic, 14 bytes
 *   u32 version, u32 header length, header (GKeyFile text)
 *   u64 n_params, u64 n_state, u64 n_norm
 *   float32 params[n_params], state[n_state], norm_mean[n_norm], norm_scale[n_norm]
 *   u32 CRC-32 of everything before it
 * Written to a temporary file and renamed, so a crash never leaves half a file. */
#pragma once

#include <glib.h>

#include "cnn-dataset.h"
#include "cnn-network.h"

G_BEGIN_DECLS

#define CNN_CHECKPOINT_VERSION 1

typedef struct
{
  char    *data;           /* the data set as given to --data */
  char   **class_names;    /* NULL-terminated, may be NULL */
  double   val_split;      /* the validation fraction and the seed that chose it */
  guint64  seed;
  int      epochs_done;
  char    *optimizer;      /* cnn_optimizer_config_describe() of the run */
  /* how the data was loaded, so that eval sees the same images (older
   * checkpoints lack these keys and get crop, 0, FALSE) */
  CnnFit   fit;            /* how images were resized to the input shape */
  int      limit_per_class; /* training images kept per class; 0: all */
  gboolean val_fixed;      /* validation was the data set's val/ folder */
  char    *augment;        /* cnn_augment_describe() of the run; NULL in
                            * checkpoints older than augmentation */
  char    *classes;        /* the class subset the data was cut to ("5-9"), as
                            * cnn_dataset_apply_classes takes it; NULL: all */
} CnnCheckpointMeta;

typedef struct
{
  CnnNetwork        *net;
  CnnNormalizer     *normalizer;
  CnnCheckpointMeta  meta;
} CnnCheckpoint;

/* Save net with its current weights, or with params/state when given
 * (the best epoch's, for instance). */
gboolean       cnn_checkpoint_save (const char *path, CnnNetwork *net,
                                    const float *params, const float *state,
                                    const CnnNormalizer *nz, const CnnCheckpointMeta *meta,
                                    GError **error);
/* A path ending in .onnx is imported as an ONNX model (cnn-onnx.h). */
CnnCheckpoint *cnn_checkpoint_load (const char *path, GError **error);
void           cnn_checkpoint_free (CnnCheckpoint *ckpt);
void           cnn_checkpoint_meta_clear (CnnCheckpointMeta *meta);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnCheckpoint, cnn_checkpoint_free)

G_END_DECLS
