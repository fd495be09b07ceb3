/* cnn-dataset.h: labelled images kept as bytes (NCHW uint8) until a batch
 * needs them, train/validation splits and input standardization. */
#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

typedef struct
{
  int      n, c, h, w;     /* n images of c×h×w */
  guint8  *pixels;         /* (n, c, h, w) */
  guint8  *labels;         /* (n): 0 .. n_classes-1 */
} CnnImageSet;

typedef struct
{
  char        *name;         /* "fashion-mnist", "synthetic", or the folder path */
  int          n_classes;
  char       **class_names;  /* n_classes entries, NULL-terminated */
  CnnImageSet *train;
  CnnImageSet *test;         /* NULL when the data set has no test split */
} CnnDataset;

/* `spec` is "fashion-mnist" (Debian's /usr/share/datasets/fashion-mnist),
 * "mnist" (Debian-style folder if present), "synthetic" (generated from
 * `seed`), or a folder holding the four IDX files under their usual names,
 * gzipped or not. Errors name the file and what is wrong. */
CnnDataset  *cnn_dataset_load      (const char *spec, guint64 seed, GError **error);
/* A folder with train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz],
 * t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]; the t10k pair is
 * optional. */
CnnDataset  *cnn_dataset_load_idx_dir (const char *dir, GError **error);
/* One IDX image file (idx3, uint8) and its label file (idx1, uint8). */
CnnImageSet *cnn_image_set_load_idx (const char *images_path, const char *labels_path,
                                     GError **error);
/* 28×28 gray, 10 classes of shapes and strokes, n_train + n_test images. */
CnnDataset  *cnn_dataset_new_synthetic (guint64 seed, int n_train, int n_test);

CnnImageSet *cnn_image_set_new  (int n, int c, int h, int w);
void         cnn_image_set_free (CnnImageSet *set);
void         cnn_dataset_free   (CnnDataset *ds);

/* Stratified split of `set` by class: about `fraction` of each class goes to
 * validation, chosen with `seed`. Index arrays are sorted ascending and
 * newly allocated; fraction 0 gives an empty validation split. */
void cnn_split_stratified (const CnnImageSet *set, int n_classes, double fraction, guint64 seed,
                           int **train_idx, int *n_train, int **val_idx, int *n_val);

typedef enum
{
  CNN_STANDARDIZE_SCALE,    /* x / 255: pixels in [0, 1] (the default) */
  CNN_STANDARDIZE_PIXEL,    /* (x/255 - mean_pixel) / (std_pixel + 1e-4), per pixel */
  CNN_STANDARDIZE_CHANNEL,  /* (x/255 - mean_c) / (std_c + 1e-4), per channel */
  CNN_STANDARDIZE_NONE,     /* raw 0-255 values */
} CnnStandardize;

const char *cnn_standardize_name  (CnnStandardize mode);
gboolean    cnn_standardize_parse (const char *text, CnnStandardize *mode, GError **error);

/* How bytes become the network's input. mean and scale hold c*h*w values
 * each: input = (byte - mean) * scale, one formula for every mode. */
typedef struct
{
  CnnStandardize mode;
  int            c, h, w;
  float         *mean;    /* (c, h, w), in byte units */
  float         *scale;   /* (c, h, w) */
} CnnNormalizer;

/* Compute the statistics over set's images idx[0..n-1] (all when idx is NULL). */
CnnNormalizer *cnn_normalizer_new_fit (CnnStandardize mode, const CnnImageSet *set,
                                       const int *idx, int n);
/* From stored statistics (a checkpoint). Copies mean and scale. */
CnnNormalizer *cnn_normalizer_new_from (CnnStandardize mode, int c, int h, int w,
                                        const float *mean, const float *scale);
void           cnn_normalizer_free  (CnnNormalizer *nz);
/* dst (count, c, h, w) float from images idx[0..count-1] of set. */
void           cnn_normalizer_gather (const CnnNormalizer *nz, const CnnImageSet *set,
                                      const int *idx, int count, float *dst);
/* x (count, c, h, w) in byte units (augmented images) standardized in place,
 * the same way cnn_normalizer_gather does bytes. */
void           cnn_normalizer_apply  (const CnnNormalizer *nz, float *x, int count);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnDataset, cnn_dataset_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnImageSet, cnn_image_set_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnNormalizer, cnn_normalizer_free)

G_END_DECLS
