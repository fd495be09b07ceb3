/* cnn-dataset-idx.c: IDX files (the MNIST format), gzipped or plain.
 *
 * An IDX file is a 4-byte magic (0, 0, type, number of dimensions), one
 * big-endian uint32 per dimension, then the values. We accept unsigned bytes
 * only: idx3 for images (n, h, w) and idx1 for labels (n). zlib's gzread
 * reads gzipped and plain files alike. Every size is checked before anything
 * is allocated, so a damaged header cannot make us allocate gigabytes. */
#include "cnn-dataset.h"

#include <errno.h>
#include <string.h>
#include <zlib.h>

#include "cnn-error.h"

/* Fashion-MNIST's training images are 47 M pixels; far beyond that, the
 * header is damaged or the data would not fit a workbench anyway. */
#define MAX_PIXELS 100000000u
#define IDX_UBYTE  0x08
/* Reads go through zlib in pieces of this size, so that a truncated gzip
 * stream still tells how much it held. */
#define CHUNK      (1 << 20)

typedef struct
{
  const char *path;
  const char *what;        /* "pixels" or "labels", for messages */
  gzFile      gz;
  guint32     dims[3];
  int         n_dims;
  gboolean    cut;         /* the gzip stream ended before its trailer */
} IdxFile;

static void
idx_close (IdxFile *f)
{
  if (f->gz != NULL)
    gzclose (f->gz);
  f->gz = NULL;
}

/* zlib's messages start with the path we gave it; we add the path ourselves. */
static const char *
zlib_message (IdxFile *f)
{
  int errnum = 0;
  const char *msg = gzerror (f->gz, &errnum);
  gsize len = strlen (f->path);
  if (strncmp (msg, f->path, len) == 0 && strncmp (msg + len, ": ", 2) == 0)
    msg += len + 2;
  return msg;
}

/* Reads up to len bytes into buf and sets *got to how many arrived. A gzip
 * stream that ends early counts as the end of the file and sets f->cut (the
 * caller reports the truncation with sizes); other zlib or system errors fail. */
static gboolean
read_up_to (IdxFile *f, void *buf, guint64 len, guint64 *got, GError **error)
{
  z_off_t start = gztell (f->gz);
  guint8 *p = buf;
  guint64 done = 0;
  while (done < len)
    {
      unsigned want = (unsigned) MIN (len - done, (guint64) CHUNK);
      int n = gzread (f->gz, p + done, want);
      if (n < 0)
        {
          int errnum = 0;
          gzerror (f->gz, &errnum);
          if (errnum == Z_BUF_ERROR)
            {
              f->cut = TRUE;
              break;
            }
          g_set_error (error, CNN_ERROR, errnum == Z_ERRNO ? CNN_ERROR_IO : CNN_ERROR_FORMAT,
                       "%s: cannot read: %s", f->path, zlib_message (f));
          return FALSE;
        }
      if (n == 0)
        break;
      done += (guint64) n;
    }
  /* zlib also reports a stream cut short by returning 0 with Z_BUF_ERROR set */
  int errnum = Z_OK;
  gzerror (f->gz, &errnum);
  if (errnum == Z_BUF_ERROR)
    f->cut = TRUE;
  /* gztell counts what zlib delivered, including the piece of a failed read */
  z_off_t end = gztell (f->gz);
  if (start >= 0 && end >= start && (guint64) (end - start) <= len)
    done = MAX (done, (guint64) (end - start));
  *got = done;
  return TRUE;
}

static gboolean
idx_open (IdxFile *f, int want_dims, GError **error)
{
  errno = 0;
  f->gz = gzopen (f->path, "rb");
  if (f->gz == NULL)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot open: %s", f->path,
                   errno ? g_strerror (errno) : "out of memory");
      return FALSE;
    }
  gzbuffer (f->gz, 256 * 1024);

  guint8 head[4 + 4 * 3];
  guint64 got = 0;
  if (!read_up_to (f, head, 4, &got, error))
    return FALSE;
  if (got == 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: empty file (0 bytes)", f->path);
      return FALSE;
    }
  if (got < 4)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                   "%s: truncated header: expected %d bytes, found %d",
                   f->path, 4 + 4 * want_dims, (int) got);
      return FALSE;
    }
  if (head[0] != 0 || head[1] != 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                   "%s: not an IDX file: bad magic %02x %02x %02x %02x, expected 00 00 08 %02x",
                   f->path, head[0], head[1], head[2], head[3], want_dims);
      return FALSE;
    }
  if (head[2] != IDX_UBYTE)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                   "%s: wrong value type 0x%02x in the header; only unsigned bytes (0x08) are supported",
                   f->path, head[2]);
      return FALSE;
    }
  if (head[3] != want_dims)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                   "%s: has %d dimension%s, expected %d (%s)", f->path, head[3],
                   head[3] == 1 ? "" : "s", want_dims,
                   want_dims == 3 ? "images: count, height, width" : "labels: count");
      return FALSE;
    }
  if (!read_up_to (f, head + 4, 4 * want_dims, &got, error))
    return FALSE;
  if (got < (guint64) (4 * want_dims))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                   "%s: truncated header: expected %d bytes, found %d",
                   f->path, 4 + 4 * want_dims, 4 + (int) got);
      return FALSE;
    }
  f->n_dims = want_dims;
  for (int d = 0; d < want_dims; d++)
    {
      const guint8 *b = head + 4 + 4 * d;
      f->dims[d] = (guint32) b[0] << 24 | (guint32) b[1] << 16 | (guint32) b[2] << 8 | b[3];
    }
  return TRUE;
}

/* Reads exactly len bytes of values and checks that nothing follows them. */
static gboolean
idx_read_body (IdxFile *f, guint8 *buf, guint64 len, GError **error)
{
  guint64 got = 0;
  if (!read_up_to (f, buf, len, &got, error))
    return FALSE;
  if (got < len)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                   "%s: truncated: expected %" G_GUINT64_FORMAT " bytes of %s, found %" G_GUINT64_FORMAT,
                   f->path, len, f->what, got);
      return FALSE;
    }
  guint8 extra[4096];
  guint64 n_extra = 0;
  /* Count what follows, but stop early: a size is enough to explain the problem. */
  while (n_extra < CHUNK)
    {
      if (!read_up_to (f, extra, sizeof extra, &got, error))
        return FALSE;
      if (got == 0)
        break;
      n_extra += got;
    }
  if (f->cut)
    {
      /* all values arrived, but the gzip checksum that vouches for them did not */
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                   "%s: truncated: the gzip data ends before its checksum", f->path);
      return FALSE;
    }
  if (n_extra > 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                   "%s: %s%" G_GUINT64_FORMAT " extra bytes after the last of the %s "
                   "(the header says there are fewer)",
                   f->path, n_extra >= CHUNK ? "at least " : "", n_extra, f->what);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_image_dims (IdxFile *f, GError **error)
{
  guint32 n = f->dims[0], h = f->dims[1], w = f->dims[2];
  if (n == 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: holds no images (count 0)", f->path);
      return FALSE;
    }
  if (h == 0 || w == 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                   "%s: images of %u×%u pixels are empty", f->path, h, w);
      return FALSE;
    }
  /* multiply step by step so that no product can overflow 64 bits */
  guint64 hw = (guint64) h * w;
  if (hw > MAX_PIXELS || hw * n > MAX_PIXELS)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                   "%s: too large: %u images of %u×%u pixels is more than %u pixels in all",
                   f->path, n, h, w, MAX_PIXELS);
      return FALSE;
    }
  return TRUE;
}

CnnImageSet *
cnn_image_set_load_idx (const char *images_path, const char *labels_path, GError **error)
{
  g_return_val_if_fail (images_path != NULL && labels_path != NULL, NULL);
  IdxFile img = { images_path, "pixels", NULL, { 0 }, 0, FALSE };
  IdxFile lab = { labels_path, "labels", NULL, { 0 }, 0, FALSE };
  CnnImageSet *set = NULL;

  /* Both headers first: a count mismatch is found before 47 MB are read. */
  if (!idx_open (&img, 3, error) || !check_image_dims (&img, error)
      || !idx_open (&lab, 1, error))
    goto out;
  if (lab.dims[0] != img.dims[0])
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                   "%s: holds %u labels but %s holds %u images", labels_path, lab.dims[0],
                   images_path, img.dims[0]);
      goto out;
    }
  int n = (int) img.dims[0], h = (int) img.dims[1], w = (int) img.dims[2];
  set = cnn_image_set_new (n, 1, h, w);
  if (!idx_read_body (&img, set->pixels, (guint64) n * h * w, error)
      || !idx_read_body (&lab, set->labels, (guint64) n, error))
    g_clear_pointer (&set, cnn_image_set_free);

out:
  idx_close (&img);
  idx_close (&lab);
  return set;
}

/* The path of dir/base or dir/base.gz, whichever is a file (plain first). */
static char *
find_idx (const char *dir, const char *base)
{
  g_autofree char *plain = g_build_filename (dir, base, NULL);
  if (g_file_test (plain, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&plain);
  g_autofree char *gz = g_strconcat (plain, ".gz", NULL);
  if (g_file_test (gz, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&gz);
  return NULL;
}

static void
set_missing (GError **error, const char *dir, const char *base, const char *why)
{
  g_autofree char *path = g_build_filename (dir, base, NULL);
  g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: not found (nor %s.gz); %s", path, base, why);
}

CnnDataset *
cnn_dataset_load_idx_dir (const char *dir, GError **error)
{
  g_return_val_if_fail (dir != NULL, NULL);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: %s", dir,
                   g_file_test (dir, G_FILE_TEST_EXISTS) ? "not a folder" : "no such folder");
      return NULL;
    }
  g_autofree char *train_images = find_idx (dir, "train-images-idx3-ubyte");
  g_autofree char *train_labels = find_idx (dir, "train-labels-idx1-ubyte");
  g_autofree char *test_images = find_idx (dir, "t10k-images-idx3-ubyte");
  g_autofree char *test_labels = find_idx (dir, "t10k-labels-idx1-ubyte");
  if (train_images == NULL)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO,
                   "%s: no train-images-idx3-ubyte[.gz] in this folder; an IDX data folder holds "
                   "train-images-idx3-ubyte and train-labels-idx1-ubyte (and optionally the t10k pair), "
                   "gzipped or not", dir);
      return NULL;
    }
  if (train_labels == NULL)
    {
      set_missing (error, dir, "train-labels-idx1-ubyte", "the training images need their labels");
      return NULL;
    }
  if (test_images != NULL && test_labels == NULL)
    {
      set_missing (error, dir, "t10k-labels-idx1-ubyte", "the test images need their labels");
      return NULL;
    }
  if (test_images == NULL && test_labels != NULL)
    {
      set_missing (error, dir, "t10k-images-idx3-ubyte", "the test labels need their images");
      return NULL;
    }

  g_autoptr (CnnImageSet) train = cnn_image_set_load_idx (train_images, train_labels, error);
  if (train == NULL)
    return NULL;
  g_autoptr (CnnImageSet) test = NULL;
  if (test_images != NULL)
    {
      test = cnn_image_set_load_idx (test_images, test_labels, error);
      if (test == NULL)
        return NULL;
      if (test->h != train->h || test->w != train->w)
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                       "%s: images are %d×%d pixels but the training images are %d×%d",
                       test_images, test->h, test->w, train->h, train->w);
          return NULL;
        }
    }

  /* Classes are 0 .. the largest training label; a test label beyond that
   * names a class the network could never have learned. */
  int n_classes = 0;
  for (int i = 0; i < train->n; i++)
    n_classes = MAX (n_classes, train->labels[i] + 1);
  for (int i = 0; test != NULL && i < test->n; i++)
    if (test->labels[i] >= n_classes)
      {
        g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                     "%s: label %d of item %d is not a class of the training labels (0 to %d)",
                     test_labels, test->labels[i], i, n_classes - 1);
        return NULL;
      }

  CnnDataset *ds = g_new0 (CnnDataset, 1);
  ds->name = g_strdup (dir);
  ds->n_classes = n_classes;
  ds->class_names = g_new0 (char *, n_classes + 1);
  for (int k = 0; k < n_classes; k++)
    ds->class_names[k] = g_strdup_printf ("%d", k);
  ds->train = g_steal_pointer (&train);
  ds->test = g_steal_pointer (&test);
  return ds;
}
