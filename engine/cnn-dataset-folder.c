/* cnn-dataset-folder.c: a folder of PNG and JPEG images, one sub-folder per
 * class (DIR/<class>/<image>), or the explicit split DIR/train/<class>/ with
 * DIR/val/<class>/ and/or DIR/test/<class>/.
 *
 * Three passes: list the files (sorted, so the order never depends on the
 * file system), read each header (cheap) to find the most common size and
 * whether any image has color, then decode and resize every image into the
 * set, two threads at a time. A file that is not a good image is skipped and
 * counted; only the layout (no classes, an empty class, an unreadable
 * folder) is an error, or any bad file with `strict`. */
#include "cnn-dataset.h"

#include <stdatomic.h>
#include <string.h>

#include "cnn-error.h"
#include "cnn-file.h"
#include "cnn-pool.h"

#define MAX_CLASSES    256   /* labels are bytes */
#define DECODE_THREADS 2
#define SUMMARY_NAMES  3     /* broken files named in the summary */

enum { SPLIT_TRAIN, SPLIT_VAL, SPLIT_TEST, N_SPLITS };
static const char *const split_dirs[N_SPLITS] = { "train", "val", "test" };

typedef struct
{
  char        *path;      /* as opened */
  char        *rel;       /* relative to the data set folder, for messages */
  int          label;
  int          split;
  CnnImageInfo info;
  char        *problem;   /* why it is skipped; NULL while it is good */
  gboolean     io_error;  /* the problem is reading, not the contents */
  int          slot;      /* its index in sets[set_of (split)] */
} Entry;

typedef struct
{
  const char    *dir;
  GPtrArray     *entries;           /* of Entry, in load order */
  char          *train_dir;         /* DIR or DIR/train: where the classes are */
  char         **classes;           /* NULL-terminated, sorted */
  int            n_classes;
  /* 0: training images, then the val/ images after them; 1: test/ */
  CnnImageSet   *sets[2];
  const CnnDataOptions *opts;
  atomic_int     next;              /* decode work queue */
  int            end;
} Loader;

static int
set_of (int split)
{
  return split == SPLIT_TEST ? 1 : 0;
}

static void
entry_free (gpointer p)
{
  Entry *e = p;
  g_free (e->path);
  g_free (e->rel);
  g_free (e->problem);
  g_free (e);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The names in dir that are folders (want_dirs) or regular files (a FIFO
 * would block the open), sorted bytewise, hidden ones (".DS_Store", ".git")
 * left out. Symbolic links count as what they point to. */
static GPtrArray *
list_dir (const char *dir, gboolean want_dirs, GError **error)
{
  GError *local = NULL;
  g_autoptr (GDir) d = g_dir_open (dir, 0, &local);
  if (d == NULL)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot open the folder: %s", dir,
                   local->message);
      g_error_free (local);
      return NULL;
    }
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      if (name[0] == '.')
        continue;
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, want_dirs ? G_FILE_TEST_IS_DIR : G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_sort (names, compare_names);
  return names;
}

static gboolean
is_split_layout (GPtrArray *subdirs)
{
  gboolean has_train = FALSE;
  for (guint i = 0; i < subdirs->len; i++)
    {
      const char *name = subdirs->pdata[i];
      if (strcmp (name, "train") == 0)
        has_train = TRUE;
      else if (strcmp (name, "val") != 0 && strcmp (name, "test") != 0)
        return FALSE;
    }
  return has_train;
}

static int
class_index (Loader *ld, const char *name)
{
  for (int k = 0; k < ld->n_classes; k++)
    if (strcmp (ld->classes[k], name) == 0)
      return k;
  return -1;
}

/* The files of every class folder in split_dir (DIR or DIR/train …). */
static gboolean
list_split (Loader *ld, const char *split_dir, const char *rel_prefix, int split, GError **error)
{
  g_autoptr (GPtrArray) classes = list_dir (split_dir, TRUE, error);
  if (classes == NULL)
    return FALSE;
  for (guint c = 0; c < classes->len; c++)
    {
      const char *cls = classes->pdata[c];
      g_autofree char *class_dir = g_build_filename (split_dir, cls, NULL);
      int label = class_index (ld, cls);
      if (label < 0)
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                       "%s: not a class of the training images (%s/train has no folder “%s”)",
                       class_dir, ld->dir, cls);
          return FALSE;
        }
      g_autoptr (GPtrArray) files = list_dir (class_dir, FALSE, error);
      if (files == NULL)
        return FALSE;
      if (files->len == 0)
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                       "%s: class “%s” has no images (they go directly inside its folder)",
                       class_dir, cls);
          return FALSE;
        }
      for (guint f = 0; f < files->len; f++)
        {
          Entry *e = g_new0 (Entry, 1);
          e->path = g_build_filename (class_dir, files->pdata[f], NULL);
          e->rel = g_strconcat (rel_prefix, cls, "/", files->pdata[f], NULL);
          e->label = label;
          e->split = split;
          g_ptr_array_add (ld->entries, e);
        }
    }
  return TRUE;
}

static gboolean
list_entries (Loader *ld, GError **error)
{
  g_autoptr (GPtrArray) subdirs = list_dir (ld->dir, TRUE, error);
  if (subdirs == NULL)
    return FALSE;
  gboolean split_layout = is_split_layout (subdirs);
  ld->train_dir = split_layout ? g_build_filename (ld->dir, "train", NULL) : g_strdup (ld->dir);
  const char *train_dir = ld->train_dir;
  g_autoptr (GPtrArray) classes = split_layout ? list_dir (train_dir, TRUE, error)
                                               : g_ptr_array_ref (subdirs);
  if (classes == NULL)
    return FALSE;
  if (classes->len == 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                   "%s: no images: an image data set has one sub-folder of images per class "
                   "(or train/ and val/ folders holding those)", train_dir);
      return FALSE;
    }
  if (classes->len > MAX_CLASSES)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: %u class folders; at most %d are supported",
                   train_dir, classes->len, MAX_CLASSES);
      return FALSE;
    }
  ld->n_classes = (int) classes->len;
  ld->classes = g_new0 (char *, ld->n_classes + 1);
  for (int k = 0; k < ld->n_classes; k++)
    ld->classes[k] = g_strdup (classes->pdata[k]);

  if (!split_layout)
    return list_split (ld, ld->dir, "", SPLIT_TRAIN, error);
  for (int s = 0; s < N_SPLITS; s++)
    {
      g_autofree char *split_dir = g_build_filename (ld->dir, split_dirs[s], NULL);
      g_autofree char *prefix = g_strconcat (split_dirs[s], "/", NULL);
      if ((s == SPLIT_TRAIN || g_file_test (split_dir, G_FILE_TEST_IS_DIR))
          && !list_split (ld, split_dir, prefix, s, error))
        return FALSE;
    }
  return TRUE;
}

/* The reason part of "PATH: reason". */
static char *
reason_of (const GError *error, const char *path)
{
  gsize len = strlen (path);
  const char *msg = error->message;
  if (strncmp (msg, path, len) == 0 && strncmp (msg + len, ": ", 2) == 0)
    msg += len + 2;
  return g_strdup (msg);
}

static void
mark_bad (Entry *e, const GError *error)
{
  e->problem = reason_of (error, e->path);
  e->io_error = error->code == CNN_ERROR_IO;
}

/* The first file that could not be read, as an error. */
static gboolean
check_io (Loader *ld, gboolean strict, GError **error)
{
  for (guint i = 0; i < ld->entries->len; i++)
    {
      Entry *e = ld->entries->pdata[i];
      if (e->problem != NULL && (e->io_error || strict))
        {
          g_set_error (error, CNN_ERROR, e->io_error ? CNN_ERROR_IO : CNN_ERROR_FORMAT, "%s: %s",
                       e->path, e->problem);
          return FALSE;
        }
    }
  return TRUE;
}

/* The most common size among the good training images (of sizes equally
 * common, the one that got there first) and whether any of them has color. */
static void
choose_shape (Loader *ld, int *h, int *w, int *c)
{
  /* (h, w) as one key -> how many images have it */
  g_autoptr (GHashTable) tally = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gboolean color = FALSE;
  gint64 best = 0;
  int best_count = 0;
  for (guint i = 0; i < ld->entries->len; i++)
    {
      Entry *e = ld->entries->pdata[i];
      if (e->problem != NULL || e->split != SPLIT_TRAIN)
        continue;
      color |= e->info.color;
      gint64 key = (gint64) e->info.h << 32 | (guint32) e->info.w;
      int n = GPOINTER_TO_INT (g_hash_table_lookup (tally, &key)) + 1;
      g_hash_table_replace (tally, g_memdup2 (&key, sizeof key), GINT_TO_POINTER (n));
      if (n > best_count)
        {
          best = key;
          best_count = n;
        }
    }
  *h = (int) (best >> 32);
  *w = (int) (guint32) best;
  *c = color ? 3 : 1;
}

static void
decode_range (int begin, int end, int thread, gpointer data)
{
  Loader *ld = data;
  const CnnDataOptions *o = ld->opts;
  for (;;)
    {
      /* a shared counter: a slow photo does not hold up the other thread */
      int i = atomic_fetch_add (&ld->next, 1);
      if (i >= ld->end)
        break;
      Entry *e = ld->entries->pdata[i];
      if (e->problem != NULL)
        continue;
      GError *error = NULL;
      CnnImage *img = cnn_image_load (e->path, &error);
      CnnImageSet *set = ld->sets[set_of (e->split)];
      gsize size = (gsize) set->c * set->h * set->w;
      if (img != NULL && !cnn_image_resize (img, set->c, set->h, set->w, o->fit,
                                            set->pixels + (gsize) e->slot * size))
        g_set_error (&error, CNN_ERROR, CNN_ERROR_IO, "%s: not enough memory to resize it", e->path);
      if (error != NULL)
        {
          mark_bad (e, error);
          g_error_free (error);
        }
      cnn_image_free (img);
    }
}

static gboolean
decode_all (Loader *ld, GError **error)
{
  const CnnDataOptions *o = ld->opts;
  int total = (int) ld->entries->len;
  /* report about a hundred times, in chunks of at least 16 files */
  int chunk = MAX (16, total / 100);
  g_autoptr (CnnPool) pool = cnn_pool_new (MIN (DECODE_THREADS, cnn_pool_default_threads ()));
  int n_threads = cnn_pool_get_n_threads (pool);
  for (int start = 0; start < total; start += chunk)
    {
      atomic_store (&ld->next, start);
      ld->end = MIN (total, start + chunk);
      cnn_pool_run (pool, n_threads, decode_range, ld);
      if (o->progress)
        o->progress (ld->end, total, o->user_data);
    }
  return check_io (ld, o->strict, error);
}

/* Drops the skipped images from each set, keeping the order; counts the
 * fixed validation images kept. */
static void
compact (Loader *ld, int *n_val)
{
  int kept[2] = { 0, 0 };
  *n_val = 0;
  for (guint i = 0; i < ld->entries->len; i++)
    {
      Entry *e = ld->entries->pdata[i];
      if (e->problem != NULL)
        continue;
      CnnImageSet *set = ld->sets[set_of (e->split)];
      gsize size = (gsize) set->c * set->h * set->w;
      int to = kept[set_of (e->split)]++;
      if (to != e->slot)
        memmove (set->pixels + (gsize) to * size, set->pixels + (gsize) e->slot * size, size);
      set->labels[to] = (guint8) e->label;
      e->slot = to;
      *n_val += e->split == SPLIT_VAL;
    }
  for (int s = 0; s < 2; s++)
    if (ld->sets[s] != NULL)
      ld->sets[s]->n = kept[s];
}

/* "1234567" -> "1,234,567" */
static char *
thousands (int n)
{
  g_autofree char *digits = g_strdup_printf ("%d", n);
  GString *s = g_string_new (NULL);
  int len = (int) strlen (digits);
  for (int i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (s, ',');
      g_string_append_c (s, digits[i]);
    }
  return g_string_free (s, FALSE);
}

static char *
make_summary (Loader *ld)
{
  int skipped = 0, shown = 0;
  GString *names = g_string_new (NULL);
  for (guint i = 0; i < ld->entries->len; i++)
    {
      Entry *e = ld->entries->pdata[i];
      if (e->problem == NULL)
        continue;
      skipped++;
      if (shown < SUMMARY_NAMES)
        g_string_append_printf (names, "%s%s (%s)", shown ? ", " : "", e->rel, e->problem);
      else if (shown == SUMMARY_NAMES)
        g_string_append (names, ", …");
      shown++;
    }
  if (skipped == 0)
    {
      g_string_free (names, TRUE);
      return NULL;
    }
  g_autofree char *a = thousands (skipped), *b = thousands ((int) ld->entries->len);
  g_autofree char *list = g_string_free (names, FALSE);
  return g_strdup_printf ("%s of %s file%s skipped: %s", a, b, ld->entries->len == 1 ? "" : "s", list);
}

/* Every class needs a training image that could be read. */
static gboolean
check_classes (Loader *ld, GError **error)
{
  g_autofree int *good = g_new0 (int, ld->n_classes);
  g_autofree int *all = g_new0 (int, ld->n_classes);
  for (guint i = 0; i < ld->entries->len; i++)
    {
      Entry *e = ld->entries->pdata[i];
      if (e->split != SPLIT_TRAIN)
        continue;
      all[e->label]++;
      good[e->label] += e->problem == NULL;
    }
  for (int k = 0; k < ld->n_classes; k++)
    if (good[k] == 0)
      {
        g_autofree char *dir = g_build_filename (ld->train_dir, ld->classes[k], NULL);
        g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                     "%s: class “%s” has no readable images (all %d of its files are broken)",
                     dir, ld->classes[k], all[k]);
        return FALSE;
      }
  return TRUE;
}

CnnDataset *
cnn_dataset_load_folder (const char *dir, const CnnDataOptions *opts, GError **error)
{
  g_return_val_if_fail (dir != NULL, NULL);
  const CnnDataOptions defaults = { 0 };
  const CnnDataOptions *o = opts ? opts : &defaults;
  if (!cnn_data_options_check (o, error))
    return NULL;
  if (!cnn_folder_check (dir, error))
    return NULL;
  g_autofree char *test_dir = g_build_filename (dir, "test", NULL);
  Loader ld = { .dir = dir, .opts = o };
  ld.entries = g_ptr_array_new_with_free_func (entry_free);
  CnnDataset *ds = NULL;
  if (!list_entries (&ld, error))
    goto out;

  /* headers: sizes and colors, and the first broken files. Training and
   * val/ images share a set, val/ last (the entries come in that order). */
  int count[2] = { 0, 0 };
  for (guint i = 0; i < ld.entries->len; i++)
    {
      Entry *e = ld.entries->pdata[i];
      GError *local = NULL;
      if (cnn_image_peek (e->path, &e->info, &local))
        e->slot = count[set_of (e->split)]++;
      else
        {
          mark_bad (e, local);
          g_error_free (local);
        }
    }
  /* strict waits for the decoding too, to name the first broken file in order */
  if (!check_io (&ld, FALSE, error) || (!o->strict && !check_classes (&ld, error)))
    goto out;
  int h = o->h, w = o->w, c = o->channels;
  if (h == 0 || c == 0)
    {
      int auto_h, auto_w, auto_c;
      choose_shape (&ld, &auto_h, &auto_w, &auto_c);
      if (h == 0)
        {
          h = auto_h;
          w = auto_w;
        }
      if (c == 0)
        c = auto_c;
      /* no good training image at all: only possible with strict, which
       * then names the first broken file */
      if (auto_h == 0 && !check_io (&ld, TRUE, error))
        goto out;
    }
  for (int s = 0; s < 2; s++)
    if (count[s] > 0 || s == 0)
      {
        ld.sets[s] = cnn_image_set_try_new (count[s], c, h, w, s ? test_dir : ld.train_dir, error);
        if (ld.sets[s] == NULL)
          goto out;
      }

  if (!decode_all (&ld, error) || !check_classes (&ld, error))
    goto out;
  ds = g_new0 (CnnDataset, 1);
  compact (&ld, &ds->n_fixed_val);
  ds->name = g_strdup (dir);
  ds->n_classes = ld.n_classes;
  ds->class_names = g_steal_pointer (&ld.classes);
  ds->load_summary = make_summary (&ld);
  ds->train = g_steal_pointer (&ld.sets[0]);
  if (ld.sets[1] != NULL && ld.sets[1]->n > 0)
    ds->test = g_steal_pointer (&ld.sets[1]);

out:
  for (int s = 0; s < 2; s++)
    cnn_image_set_free (ld.sets[s]);
  g_free (ld.train_dir);
  g_strfreev (ld.classes);
  g_ptr_array_unref (ld.entries);
  return ds;
}
