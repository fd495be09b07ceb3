/* cnn-dataset.h: labelled images kept as bytes (NCHW uint8) until a batch
 * needs them, train/validation splits and input standardization. */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "cnn-image.h"

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
  char        *load_summary; /* "3 of 4,812 files skipped: …", NULL when none was */
  int          n_fixed_val;  /* the last n_fixed_val images of train are a fixed
                              * validation set (a val/ folder); 0 when none */
} CnnDataset;

/* How a data set is loaded. All zero is the default. */
typedef struct
{
  int      h, w;           /* input size; 0, 0: the most common image size of an
                            * image folder, the data set's own size otherwise */
  int      channels;       /* 1 or 3; 0: gray unless some image of a folder has
                            * color, the data set's own otherwise */
  CnnFit   fit;            /* how images of another aspect ratio are resized */
  gboolean strict;         /* a broken file in a folder is an error, not skipped */
  guint64  seed;           /* of the synthetic data set */
  /* called on the loading thread while a folder's images decode */
  void   (*progress) (int done, int total, gpointer user_data);
  gpointer user_data;
} CnnDataOptions;

/* `spec` is "fashion-mnist" (Debian's /usr/share/datasets/fashion-mnist),
 * "mnist" (Debian-style folder if present), "synthetic" (generated from
 * `seed`), or a folder holding the four IDX files under their usual names,
 * gzipped or not. Errors name the file and what is wrong. */
CnnDataset  *cnn_dataset_load      (const char *spec, guint64 seed, GError **error);
/* Sizes 0 or 1 .. 4096 (both or neither 0), channels 0, 1 or 3. */
gboolean     cnn_data_options_check (const CnnDataOptions *opts, GError **error);
/* The same with options; `spec` may also be a folder of images with one
 * sub-folder per class, or a CIFAR-10 binary folder (which one is told by
 * the files it holds). A size or channel count other than the data set's
 * own resizes and converts every image (cnn_image_resize). */
CnnDataset  *cnn_dataset_load_with (const char *spec, const CnnDataOptions *opts, GError **error);
/* Images (PNG, JPEG) in DIR/<class>/, classes sorted by name; or in
 * DIR/train/<class>/ with DIR/val/<class>/ (the fixed validation set) and/or
 * DIR/test/<class>/. Broken files are skipped and counted in load_summary
 * (an error with opts->strict). */
CnnDataset  *cnn_dataset_load_folder (const char *dir, const CnnDataOptions *opts, GError **error);
/* data_batch_1.bin … data_batch_5.bin (any of them) and test_batch.bin:
 * records of a label byte and 3×32×32 pixels (R plane, G, B); class names
 * from batches.meta.txt when present. */
CnnDataset  *cnn_dataset_load_cifar  (const char *dir, const CnnDataOptions *opts, GError **error);
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
/* Like cnn_image_set_new, but an error naming `name` instead of an abort
 * when the pixels do not fit in memory. */
CnnImageSet *cnn_image_set_try_new (int n, int c, int h, int w, const char *name, GError **error);
/* Every image of set resized and converted to c×h×w (cnn_image_resize). */
CnnImageSet *cnn_image_set_convert (const CnnImageSet *set, int c, int h, int w, CnnFit fit,
                                    const char *name, GError **error);
void         cnn_image_set_free (CnnImageSet *set);
void         cnn_dataset_free   (CnnDataset *ds);

/* Stratified split of `set` by class: about `fraction` of each class goes to
 * validation, chosen with `seed`. Index arrays are sorted ascending and
 * newly allocated; fraction 0 gives an empty validation split. */
void cnn_split_stratified (const CnnImageSet *set, int n_classes, double fraction, guint64 seed,
                           int **train_idx, int *n_train, int **val_idx, int *n_val);

/* The training and validation images of ds, as train and eval agree on:
 * the val/ folder when ds has one (val_split is then unused), else the
 * stratified split; then at most limit_per_class training images of each
 * class (0: all). Index arrays are sorted and newly allocated. */
void cnn_dataset_split (const CnnDataset *ds, double val_split, int limit_per_class, guint64 seed,
                        int **train_idx, int *n_train, int **val_idx, int *n_val);

/* At most `limit` images of each class among idx[0..n-1], chosen with
 * `seed`; the result is sorted ascending and newly allocated. limit <= 0
 * keeps them all. */
void cnn_limit_per_class (const CnnImageSet *set, const int *idx, int n, int limit, guint64 seed,
                          int **out_idx, int *n_out);

/* Class subsets (cnn-dataset-classes.c). "0-4", "5,6,7,8,9", "0-2,7" or
 * "9-5": class numbers of a data set of n_classes classes, in the order
 * given (newly allocated); a class twice or out of range is an error. */
gboolean cnn_class_list_parse (const char *text, int n_classes, int **classes, int *n,
                               GError **error);
/* Keep only the images of classes[0..n-1] in train and test, relabelled
 * 0..n-1 in that order, with their names; a fixed validation set keeps
 * its kept images last. */
gboolean cnn_dataset_select_classes (CnnDataset *ds, const int *classes, int n, GError **error);
/* Parse and select; NULL or "" keeps every class. Errors name the data set. */
gboolean cnn_dataset_apply_classes (CnnDataset *ds, const char *text, GError **error);

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
/* An image of one byte value everywhere (128: mid-gray), standardized:
 * out (c, h, w). */
void           cnn_normalizer_constant (const CnnNormalizer *nz, float byte, float *out);
/* What black (byte 0) and white (255) become, per pixel: lo and hi (c, h, w),
 * the range a standardized input can take. */
void           cnn_normalizer_bounds (const CnnNormalizer *nz, float *lo, float *hi);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnDataset, cnn_dataset_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnImageSet, cnn_image_set_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnNormalizer, cnn_normalizer_free)

G_END_DECLS
