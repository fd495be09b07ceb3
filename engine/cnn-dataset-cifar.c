/* cnn-dataset-cifar.c: CIFAR-10 in its binary form (cifar-10-batches-bin).
 *
 * Each file is a run of 3073-byte records: one label byte, then 32×32 red
 * values, 32×32 green, 32×32 blue, each row by row: already the (c, h, w)
 * layout of an image set, so records are copied as they are. */
#include "cnn-dataset.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cnn-error.h"
#include "cnn-file.h"

#define CIFAR_SIDE    32
#define CIFAR_PIXELS  (3 * CIFAR_SIDE * CIFAR_SIDE)
#define CIFAR_RECORD  (1 + CIFAR_PIXELS)
#define CIFAR_CLASSES 10
#define N_BATCHES     5
/* 2^31 bytes of images: 700,000 records, 14 times CIFAR-10 */
#define MAX_RECORDS   (G_MAXINT / CIFAR_PIXELS)

static const char *const cifar_classes[] = {
  "airplane", "automobile", "bird", "cat", "deer",
  "dog", "frog", "horse", "ship", "truck", NULL,
};

/* The number of records in path, checking the size. */
static gboolean
count_records (const char *path, int *n, GError **error)
{
  GStatBuf st;
  if (g_stat (path, &st) != 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot read: %s", path, g_strerror (errno));
      return FALSE;
    }
  guint64 size = (guint64) st.st_size;
  if (size == 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: empty file (0 bytes)", path);
      return FALSE;
    }
  if (size % CIFAR_RECORD != 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                   "%s: %" G_GUINT64_FORMAT " bytes is not a whole number of CIFAR-10 records "
                   "(%d bytes each: a label and 3×32×32 pixels); the file is truncated or not CIFAR-10",
                   path, size, CIFAR_RECORD);
      return FALSE;
    }
  if (size / CIFAR_RECORD > MAX_RECORDS)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: too large: more than %d records",
                   path, MAX_RECORDS);
      return FALSE;
    }
  *n = (int) (size / CIFAR_RECORD);
  return TRUE;
}

/* Reads n records of path into set from image `first` on. */
static gboolean
read_records (const char *path, int n, CnnImageSet *set, int first, GError **error)
{
  errno = 0;
  FILE *f = fopen (path, "rb");
  if (f == NULL)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot open: %s", path, g_strerror (errno));
      return FALSE;
    }
  guint8 record[CIFAR_RECORD];
  gboolean ok = TRUE;
  for (int i = 0; ok && i < n; i++)
    {
      if (fread (record, 1, CIFAR_RECORD, f) != CIFAR_RECORD)
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot read record %d: %s", path, i,
                       ferror (f) ? g_strerror (errno) : "the file became shorter");
          ok = FALSE;
        }
      else if (record[0] >= CIFAR_CLASSES)
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                       "%s: record %d has label %d; CIFAR-10 labels are 0 to 9", path, i, record[0]);
          ok = FALSE;
        }
      else
        {
          set->labels[first + i] = record[0];
          memcpy (set->pixels + (gsize) (first + i) * CIFAR_PIXELS, record + 1, CIFAR_PIXELS);
        }
    }
  fclose (f);
  return ok;
}

/* batches.meta.txt: one class name a line (blank lines ignored). */
static char **
read_names (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  if (!cnn_file_read (path, &text, NULL, error))
    return NULL;
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: the class names are not UTF-8 text", path);
      return NULL;
    }
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; lines[i] && names->len < CIFAR_CLASSES; i++)
    {
      char *name = g_strstrip (lines[i]);
      if (*name != '\0')
        g_ptr_array_add (names, g_strdup (name));
    }
  if (names->len < CIFAR_CLASSES)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                   "%s: holds %u class names, CIFAR-10 needs %d (one a line)", path, names->len,
                   CIFAR_CLASSES);
      return NULL;
    }
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/* The set of the given files, in that order. */
static CnnImageSet *
load_files (const char *dir, char *const *paths, int n_paths, GError **error)
{
  g_autofree int *counts = g_new0 (int, n_paths);
  gint64 total = 0;
  for (int i = 0; i < n_paths; i++)
    {
      if (!count_records (paths[i], &counts[i], error))
        return NULL;
      total += counts[i];
    }
  if (total > MAX_RECORDS)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: too large: more than %d records",
                   dir, MAX_RECORDS);
      return NULL;
    }
  g_autoptr (CnnImageSet) set = cnn_image_set_try_new ((int) total, 3, CIFAR_SIDE, CIFAR_SIDE, dir, error);
  if (set == NULL)
    return NULL;
  int first = 0;
  for (int i = 0; i < n_paths; i++)
    {
      if (!read_records (paths[i], counts[i], set, first, error))
        return NULL;
      first += counts[i];
    }
  return g_steal_pointer (&set);
}

CnnDataset *
cnn_dataset_load_cifar (const char *dir, const CnnDataOptions *opts, GError **error)
{
  g_return_val_if_fail (dir != NULL, NULL);
  const CnnDataOptions defaults = { 0 };
  const CnnDataOptions *o = opts ? opts : &defaults;
  if (!cnn_data_options_check (o, error))
    return NULL;
  if (!cnn_folder_check (dir, error))
    return NULL;
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  for (int b = 1; b <= N_BATCHES; b++)
    {
      g_autofree char *name = g_strdup_printf ("data_batch_%d.bin", b);
      char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        g_ptr_array_add (paths, path);
      else
        g_free (path);
    }
  if (paths->len == 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO,
                   "%s: no data_batch_1.bin … data_batch_5.bin: a CIFAR-10 folder needs at least "
                   "one training batch", dir);
      return NULL;
    }
  g_autofree char *test_path = g_build_filename (dir, "test_batch.bin", NULL);
  g_autofree char *meta_path = g_build_filename (dir, "batches.meta.txt", NULL);

  g_autoptr (CnnDataset) ds = g_new0 (CnnDataset, 1);
  ds->name = g_strdup (dir);
  ds->n_classes = CIFAR_CLASSES;
  if (g_file_test (meta_path, G_FILE_TEST_EXISTS))
    ds->class_names = read_names (meta_path, error);
  else
    ds->class_names = g_strdupv ((char **) cifar_classes);
  if (ds->class_names == NULL)
    return NULL;
  ds->train = load_files (dir, (char *const *) paths->pdata, (int) paths->len, error);
  if (ds->train == NULL)
    return NULL;
  if (g_file_test (test_path, G_FILE_TEST_EXISTS))
    {
      char *one[] = { test_path, NULL };
      ds->test = load_files (dir, one, 1, error);
      if (ds->test == NULL)
        return NULL;
    }
  /* another size or gray, as asked */
  for (int s = 0; s < 2; s++)
    {
      CnnImageSet **set = s == 0 ? &ds->train : &ds->test;
      int c = o->channels ? o->channels : 3, h = o->h ? o->h : CIFAR_SIDE, w = o->w ? o->w : CIFAR_SIDE;
      if (*set == NULL || (c == 3 && h == CIFAR_SIDE && w == CIFAR_SIDE))
        continue;
      CnnImageSet *conv = cnn_image_set_convert (*set, c, h, w, o->fit, dir, error);
      if (conv == NULL)
        return NULL;
      cnn_image_set_free (*set);
      *set = conv;
    }
  return g_steal_pointer (&ds);
}
