/* cnn-dataset.c: image sets, data sets by name, stratified splits and the
 * names of the standardization modes. The IDX reader, the synthetic shapes
 * and the normalizer live in their own files. */
#include "cnn-dataset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cnn-error.h"
#include "cnn-network.h"
#include "cnn-rng.h"

#define SYNTHETIC_TRAIN 6000
#define SYNTHETIC_TEST  1000
/* the largest input side a data set is resized to */
#define MAX_INPUT_SIDE  4096

/* A data set known by name: a Debian-style folder of IDX files. */
typedef struct
{
  const char        *name;
  const char        *dir;
  const char        *missing_hint;   /* what to do when `dir` is absent */
  const char *const *class_names;    /* NULL-terminated */
} NamedSet;

static const char *const fashion_classes[] = {
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot", NULL,
};

static const char *const digit_classes[] = {
  "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", NULL,
};

static const NamedSet named_sets[] = {
  { "fashion-mnist", "/usr/share/datasets/fashion-mnist",
    "install the Debian package dataset-fashion-mnist (apt install dataset-fashion-mnist)",
    fashion_classes },
  { "mnist", "/usr/share/datasets/mnist",
    "put MNIST's four IDX files in a folder and give that folder's path instead",
    digit_classes },
};

CnnImageSet *
cnn_image_set_new (int n, int c, int h, int w)
{
  g_return_val_if_fail (n >= 0 && c > 0 && h > 0 && w > 0, NULL);
  CnnImageSet *set = g_new0 (CnnImageSet, 1);
  set->n = n;
  set->c = c;
  set->h = h;
  set->w = w;
  set->pixels = g_malloc0 ((gsize) n * c * h * w);   /* (n, c, h, w) */
  set->labels = g_malloc0 ((gsize) n);               /* (n) */
  return set;
}

CnnImageSet *
cnn_image_set_try_new (int n, int c, int h, int w, const char *name, GError **error)
{
  g_return_val_if_fail (n >= 0 && c > 0 && h > 0 && w > 0, NULL);
  double bytes = (double) n * c * h * w;
  guint8 *pixels = NULL;
  /* leave room for the network and its batches */
  if (bytes <= 0.8 * cnn_physical_memory () && bytes < (double) G_MAXSIZE)
    pixels = g_try_malloc0 (MAX ((gsize) bytes, 1));   /* (n, c, h, w) */
  if (pixels == NULL)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "%s: %d images of %d×%d×%d take %.1f GiB, more than this machine's memory "
                   "allows: choose a smaller input size",
                   name, n, c, h, w, bytes / 1073741824.0);
      return NULL;
    }
  CnnImageSet *set = g_new0 (CnnImageSet, 1);
  set->n = n;
  set->c = c;
  set->h = h;
  set->w = w;
  set->pixels = pixels;
  set->labels = g_malloc0 ((gsize) MAX (n, 1));     /* (n) */
  return set;
}

CnnImageSet *
cnn_image_set_convert (const CnnImageSet *set, int c, int h, int w, CnnFit fit, const char *name,
                       GError **error)
{
  g_return_val_if_fail (set != NULL && (set->c == 1 || set->c == 3) && (c == 1 || c == 3), NULL);
  CnnImageSet *out = cnn_image_set_try_new (set->n, c, h, w, name, error);
  if (out == NULL)
    return NULL;
  memcpy (out->labels, set->labels, (gsize) set->n);
  gsize in_size = (gsize) set->c * set->h * set->w, out_size = (gsize) c * h * w;
  for (int i = 0; i < set->n; i++)
    {
      CnnImage img = { set->c, set->h, set->w, set->pixels + i * in_size };
      if (!cnn_image_resize (&img, c, h, w, fit, out->pixels + i * out_size))
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: not enough memory to resize the images",
                       name);
          cnn_image_set_free (out);
          return NULL;
        }
    }
  return out;
}

void
cnn_image_set_free (CnnImageSet *set)
{
  if (set == NULL)
    return;
  g_free (set->pixels);
  g_free (set->labels);
  g_free (set);
}

void
cnn_dataset_free (CnnDataset *ds)
{
  if (ds == NULL)
    return;
  g_free (ds->name);
  g_strfreev (ds->class_names);
  cnn_image_set_free (ds->train);
  cnn_image_set_free (ds->test);
  g_free (ds->load_summary);
  g_free (ds);
}

static int
max_label (const CnnImageSet *set)
{
  int m = -1;
  for (int i = 0; set != NULL && i < set->n; i++)
    m = MAX (m, set->labels[i]);
  return m;
}

static CnnDataset *
load_named (const NamedSet *ns, GError **error)
{
  if (!g_file_test (ns->dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: %s does not exist; %s",
                   ns->name, ns->dir, ns->missing_hint);
      return NULL;
    }
  g_autoptr (CnnDataset) ds = cnn_dataset_load_idx_dir (ns->dir, error);
  if (ds == NULL)
    return NULL;
  int n_classes = (int) g_strv_length ((char **) ns->class_names);
  int top = MAX (max_label (ds->train), max_label (ds->test));
  if (top >= n_classes)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                   "%s: label %d found, but %s has only %d classes (0 to %d)",
                   ns->dir, top, ns->name, n_classes, n_classes - 1);
      return NULL;
    }
  g_free (ds->name);
  ds->name = g_strdup (ns->name);
  g_strfreev (ds->class_names);
  ds->class_names = g_strdupv ((char **) ns->class_names);
  ds->n_classes = n_classes;
  return g_steal_pointer (&ds);
}

/* Whether dir holds one of the files, plain or gzipped. */
static gboolean
has_any (const char *dir, const char *const *names)
{
  for (int i = 0; names[i]; i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autofree char *gz = g_strconcat (path, ".gz", NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS) || g_file_test (gz, G_FILE_TEST_EXISTS))
        return TRUE;
    }
  return FALSE;
}

static const char *const idx_names[] = {
  "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
  "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", NULL,
};

static const char *const cifar_names[] = {
  "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
  "data_batch_5.bin", "test_batch.bin", NULL,
};

gboolean
cnn_data_options_check (const CnnDataOptions *o, GError **error)
{
  if ((o->h == 0) != (o->w == 0) || o->h < 0 || o->w < 0 || o->h > MAX_INPUT_SIDE
      || o->w > MAX_INPUT_SIDE)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "input size %d×%d: height and width must both be between 1 and %d "
                   "(or both 0 for the data's own size)", o->h, o->w, MAX_INPUT_SIDE);
      return FALSE;
    }
  if (o->channels != 0 && o->channels != 1 && o->channels != 3)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "%d channels: images have 1 (gray) or 3 (RGB)", o->channels);
      return FALSE;
    }
  if ((unsigned) o->fit > CNN_FIT_STRETCH)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "unknown fit mode %d", (int) o->fit);
      return FALSE;
    }
  return TRUE;
}

/* Resize and convert a loaded data set to the size and channels asked for. */
static gboolean
reshape (CnnDataset *ds, const CnnDataOptions *o, GError **error)
{
  CnnImageSet *sets[2] = { ds->train, ds->test };
  for (int s = 0; s < 2; s++)
    {
      CnnImageSet *set = sets[s];
      if (set == NULL)
        continue;
      int c = o->channels ? o->channels : set->c;
      int h = o->h ? o->h : set->h, w = o->w ? o->w : set->w;
      if (c == set->c && h == set->h && w == set->w)
        continue;
      if (set->c != 1 && set->c != 3)
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                       "%s: images of %d channels cannot be converted", ds->name, set->c);
          return FALSE;
        }
      CnnImageSet *conv = cnn_image_set_convert (set, c, h, w, o->fit, ds->name, error);
      if (conv == NULL)
        return FALSE;
      cnn_image_set_free (set);
      if (s == 0)
        ds->train = conv;
      else
        ds->test = conv;
    }
  return TRUE;
}

CnnDataset *
cnn_dataset_load_with (const char *spec, const CnnDataOptions *opts, GError **error)
{
  const CnnDataOptions defaults = { 0 };
  if (opts == NULL)
    opts = &defaults;
  if (spec == NULL || spec[0] == '\0')
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "no data set given: use fashion-mnist, mnist, synthetic or a folder "
                   "(IDX files, CIFAR-10 batches, or images in one sub-folder per class)");
      return NULL;
    }
  if (!cnn_data_options_check (opts, error))
    return NULL;
  g_autoptr (CnnDataset) ds = NULL;
  if (strcmp (spec, "synthetic") == 0)
    ds = cnn_dataset_new_synthetic (opts->seed, SYNTHETIC_TRAIN, SYNTHETIC_TEST);
  for (gsize i = 0; ds == NULL && i < G_N_ELEMENTS (named_sets); i++)
    if (strcmp (spec, named_sets[i].name) == 0)
      {
        ds = load_named (&named_sets[i], error);
        if (ds == NULL)
          return NULL;
      }
  if (ds == NULL && g_file_test (spec, G_FILE_TEST_IS_DIR))
    {
      if (has_any (spec, idx_names))
        ds = cnn_dataset_load_idx_dir (spec, error);
      else if (has_any (spec, cifar_names))
        return cnn_dataset_load_cifar (spec, opts, error);    /* sized as asked already */
      else
        return cnn_dataset_load_folder (spec, opts, error);
      if (ds == NULL)
        return NULL;
    }
  if (ds == NULL)
    {
      if (g_file_test (spec, G_FILE_TEST_EXISTS))
        g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                     "%s: not a folder; a data set is fashion-mnist, mnist, synthetic "
                     "or a folder of IDX files, CIFAR-10 batches or images", spec);
      else
        g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                     "%s: no such data set or folder; use fashion-mnist, mnist, synthetic "
                     "or a folder of IDX files, CIFAR-10 batches or images", spec);
      return NULL;
    }
  if (!reshape (ds, opts, error))
    return NULL;
  return g_steal_pointer (&ds);
}

CnnDataset *
cnn_dataset_load (const char *spec, guint64 seed, GError **error)
{
  CnnDataOptions opts = { .seed = seed };
  return cnn_dataset_load_with (spec, &opts, error);
}

static int
compare_int (gconstpointer a, gconstpointer b)
{
  int x = *(const int *) a, y = *(const int *) b;
  return (x > y) - (x < y);
}

void
cnn_split_stratified (const CnnImageSet *set, int n_classes, double fraction, guint64 seed,
                      int **train_idx, int *n_train, int **val_idx, int *n_val)
{
  g_return_if_fail (set != NULL && train_idx != NULL && n_train != NULL);
  g_return_if_fail (val_idx != NULL && n_val != NULL);
  g_return_if_fail (n_classes >= 1 && n_classes <= 256);
  if (!(fraction > 0))       /* also catches NaN */
    fraction = 0;
  fraction = MIN (fraction, 1.0);

  /* Bucket the image indices by label. Labels are bytes, so 256 buckets hold
   * every image even if a label is not below n_classes. */
  int count[256] = { 0 }, start[257];
  for (int i = 0; i < set->n; i++)
    count[set->labels[i]]++;
  start[0] = 0;
  for (int k = 0; k < 256; k++)
    start[k + 1] = start[k] + count[k];
  int *order = g_new (int, MAX (set->n, 1));   /* (n): indices grouped by label */
  int fill[256];
  memcpy (fill, start, sizeof fill);
  for (int i = 0; i < set->n; i++)
    order[fill[set->labels[i]]++] = i;

  /* The same seed picks the same images whatever else the caller does with
   * its own generators: this one is private to the split. */
  CnnRng rng;
  cnn_rng_init (&rng, seed, 0x5b117);
  int *val = g_new (int, MAX (set->n, 1));
  int *train = g_new (int, MAX (set->n, 1));
  int nv = 0, nt = 0;
  for (int k = 0; k < 256; k++)
    {
      int *members = order + start[k];
      cnn_rng_shuffle_int (&rng, members, count[k]);
      int take = (int) floor (fraction * count[k] + 0.5);
      for (int j = 0; j < count[k]; j++)
        {
          if (j < take)
            val[nv++] = members[j];
          else
            train[nt++] = members[j];
        }
    }
  g_free (order);
  qsort (val, nv, sizeof (int), compare_int);
  qsort (train, nt, sizeof (int), compare_int);
  *val_idx = val;
  *n_val = nv;
  *train_idx = train;
  *n_train = nt;
}

void
cnn_limit_per_class (const CnnImageSet *set, const int *idx, int n, int limit, guint64 seed,
                     int **out_idx, int *n_out)
{
  g_return_if_fail (set != NULL && (idx != NULL || n == 0) && out_idx != NULL && n_out != NULL);
  int *out = g_new (int, MAX (n, 1));
  if (limit <= 0)
    {
      if (n > 0)
        memcpy (out, idx, sizeof (int) * n);
      qsort (out, n, sizeof (int), compare_int);
      *out_idx = out;
      *n_out = n;
      return;
    }
  /* group idx by label (stable), shuffle each group, keep its first `limit` */
  int count[256] = { 0 }, start[257];
  for (int i = 0; i < n; i++)
    count[set->labels[idx[i]]]++;
  start[0] = 0;
  for (int k = 0; k < 256; k++)
    start[k + 1] = start[k] + count[k];
  int *order = g_new (int, MAX (n, 1));   /* (n): idx grouped by label */
  int fill[256];
  memcpy (fill, start, sizeof fill);
  for (int i = 0; i < n; i++)
    order[fill[set->labels[idx[i]]]++] = idx[i];
  /* a stream of its own: the split's choice is not disturbed by this one */
  CnnRng rng;
  cnn_rng_init (&rng, seed, 0x11a17);
  int m = 0;
  for (int k = 0; k < 256; k++)
    {
      int *members = order + start[k];
      /* the same images whatever order idx came in */
      qsort (members, count[k], sizeof (int), compare_int);
      cnn_rng_shuffle_int (&rng, members, count[k]);
      for (int j = 0; j < MIN (count[k], limit); j++)
        out[m++] = members[j];
    }
  g_free (order);
  qsort (out, m, sizeof (int), compare_int);
  *out_idx = out;
  *n_out = m;
}

void
cnn_dataset_split (const CnnDataset *ds, double val_split, int limit_per_class, guint64 seed,
                   int **train_idx, int *n_train, int **val_idx, int *n_val)
{
  g_return_if_fail (ds != NULL && ds->train != NULL);
  g_return_if_fail (ds->n_fixed_val >= 0 && ds->n_fixed_val <= ds->train->n);
  int *tr, *va, nt, nv;
  if (ds->n_fixed_val > 0)
    {
      /* the val/ folder's images are the last ones of the set */
      nv = ds->n_fixed_val;
      nt = ds->train->n - nv;
      tr = g_new (int, MAX (nt, 1));
      va = g_new (int, nv);
      for (int i = 0; i < nt; i++)
        tr[i] = i;
      for (int i = 0; i < nv; i++)
        va[i] = nt + i;
    }
  else
    cnn_split_stratified (ds->train, ds->n_classes, val_split, seed, &tr, &nt, &va, &nv);
  /* limited after the split, so that the validation set keeps its size */
  if (limit_per_class > 0)
    {
      int *limited, n_limited;
      cnn_limit_per_class (ds->train, tr, nt, limit_per_class, seed, &limited, &n_limited);
      g_free (tr);
      tr = limited;
      nt = n_limited;
    }
  *train_idx = tr;
  *n_train = nt;
  *val_idx = va;
  *n_val = nv;
}

static const char *const standardize_names[] = {
  [CNN_STANDARDIZE_SCALE] = "scale",
  [CNN_STANDARDIZE_PIXEL] = "pixel",
  [CNN_STANDARDIZE_CHANNEL] = "channel",
  [CNN_STANDARDIZE_NONE] = "none",
};

const char *
cnn_standardize_name (CnnStandardize mode)
{
  if ((unsigned) mode >= G_N_ELEMENTS (standardize_names))
    return "unknown";
  return standardize_names[mode];
}

gboolean
cnn_standardize_parse (const char *text, CnnStandardize *mode, GError **error)
{
  for (gsize i = 0; text != NULL && i < G_N_ELEMENTS (standardize_names); i++)
    if (g_ascii_strcasecmp (text, standardize_names[i]) == 0)
      {
        *mode = (CnnStandardize) i;
        return TRUE;
      }
  g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
               "unknown standardization “%s”: use pixel, channel, scale or none",
               text ? text : "");
  return FALSE;
}
