/* cnn-transfer.h: transfer learning, the lecture's answer to limited data.
 *
 * Frozen features: run a data set through a pretrained model up to a layer
 * (the input of its classifier by default), keep those features (cached on
 * disk, keyed by a hash of everything they depend on), and train a new head
 * on them with the usual trainer (cnn_trainer_new_features), or classify
 * them by k nearest neighbours as a baseline.
 *
 * Fine-tuning: a copy of the model with a new head for the new classes, its
 * layers frozen up to a chosen one; frozen batch normalization keeps its
 * running statistics (cnn-layer-batchnorm.c). */
#pragma once

#include <glib.h>

#include "cnn-dataset.h"
#include "cnn-network.h"
#include "cnn-top-patches.h"
#include "cnn-trainer.h"

G_BEGIN_DECLS

/* The head: the last dense layer (-1 when the model has none). */
int            cnn_transfer_head_layer (const CnnNetwork *net);
/* The default layer for features: the head's input (-1 without a head, or
 * when the head reads the network input). */
int            cnn_transfer_feature_layer (const CnnNetwork *net);
/* The end of the convolutional part: the input of the first dense layer
 * (-1 without one, or when it reads the network input). Its output is the
 * general-purpose feature: the dense layers after it are already specific
 * to the pretrained classes (on cnn2, relu5's 40 units gave 36-66 % where
 * pool2 gave 83-87 %, in the transfer demo). */
int            cnn_transfer_conv_end_layer (const CnnNetwork *net);
/* The default first layer that fine-tuning's second stage unfreezes: the
 * second-to-last conv2d (the last two convolutions train again), the last
 * conv2d when there is one only, the head when there is none. */
int            cnn_transfer_unfreeze_layer (const CnnNetwork *net);

typedef struct
{
  int             layer;        /* whose output becomes the features */
  int             batch_size;   /* images per forward pass; 0: 256 */
  CnnPool        *pool;         /* may be NULL: the calling thread */
  const char     *cache_dir;    /* NULL: no cache */
  const char     *data_name;    /* readable part of the cache file's name; may be NULL */
  CnnProgressFunc progress;     /* may be NULL; FALSE cancels */
  gpointer        user_data;
} CnnExtractConfig;

/* The output of config->layer, in inference mode, for images idx[0..n-1] of
 * set standardized by nz, in that order, with their labels. With a cache
 * folder, features computed before for the same weights, statistics, spec,
 * layer, standardization and images (pixels and labels) are read back
 * instead (*from_cache TRUE); a cache file that is damaged or belongs to
 * something else is recomputed and replaced. The cache is written
 * atomically; failing to write it is not an error (it is a cache).
 * Cancelled by progress: NULL with CNN_ERROR_CANCELLED. */
CnnFeatureSet *cnn_features_extract (CnnNetwork *net, const CnnNormalizer *nz,
                                     const CnnImageSet *set, const int *idx, int n,
                                     const CnnExtractConfig *config, gboolean *from_cache,
                                     GError **error);
/* The cache file those features go to (newly allocated): under cache_dir,
 * named by the data, the layer and the SHA-256 of what they depend on. */
char          *cnn_features_cache_path (CnnNetwork *net, const CnnNormalizer *nz,
                                        const CnnImageSet *set, const int *idx, int n,
                                        const CnnExtractConfig *config);

typedef enum
{
  CNN_HEAD_SOFTMAX,   /* softmax regression: dense units=classes, softmax */
  CNN_HEAD_DENSE,     /* a small dense net: dense 64, relu, dropout 0.3, dense, softmax */
  CNN_HEAD_KNN,       /* k nearest neighbours, no training */
} CnnHeadKind;

const char    *cnn_head_kind_name  (CnnHeadKind kind);
gboolean       cnn_head_kind_parse (const char *text, CnnHeadKind *kind, GError **error);
/* The spec of a trainable head (softmax or dense); NULL for kNN. */
const char    *cnn_head_spec       (CnnHeadKind kind);

typedef enum
{
  CNN_KNN_COSINE,
  CNN_KNN_L2,
} CnnKnnMetric;

/* For every query sample q_idx[i] of `query`, the majority class among its
 * k nearest samples train_idx[0..n_train-1] of `train` (equally near ones:
 * the earlier first); a tie between classes goes to the class of the
 * nearest neighbour among the tied. predicted has n_query entries. The two
 * sets must hold samples of one size; k is at least 1 (at most n_train are
 * used). */
void           cnn_knn_classify (const CnnFeatureSet *train, const int *train_idx, int n_train,
                                 const CnnFeatureSet *query, const int *q_idx, int n_query,
                                 int k, CnnKnnMetric metric, CnnPool *pool, guint8 *predicted);
/* The fraction of query samples classified as their label. */
double         cnn_knn_accuracy (const CnnFeatureSet *train, const int *train_idx, int n_train,
                                 const CnnFeatureSet *query, const int *q_idx, int n_query,
                                 int k, CnnKnnMetric metric, CnnPool *pool);

/* A copy of `src` for n_classes classes: the head (the last dense layer)
 * gets n_classes units and fresh weights from `seed`, every other layer
 * the weights and statistics of src. Layers after the head must have no
 * parameters (a softmax). Errors name `source`. */
CnnNetwork    *cnn_transfer_new_head (CnnNetwork *src, const char *source, int n_classes,
                                      guint64 seed, GError **error);
/* Freeze layers 0..last (in the network's order; -1: none) and unfreeze
 * the others. Frozen layers keep their parameters (no gradient), and
 * frozen batch normalization its running statistics. */
void           cnn_transfer_freeze (CnnNetwork *net, int last);
/* Fine-tuning's second stage: layers `first` on train, but batch
 * normalization layers that are frozen stay frozen. Their statistics are
 * the pretrained data's: switched to the small new data's batch statistics,
 * they would move every later layer's input away from what stage one
 * trained on (Keras' advice: keep BN in inference mode when fine-tuning). */
void           cnn_transfer_unfreeze_from (CnnNetwork *net, int first);

G_END_DECLS
