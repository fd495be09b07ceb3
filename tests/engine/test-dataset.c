/* test-dataset.c: IDX loading (good and broken files), stratified splits,
 * the normalizer against hand-computed statistics, synthetic shapes. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <zlib.h>

#include "cnn-dataset.h"
#include "cnn-error.h"
#include "cnn-rng.h"

/* ---------- writing small IDX files ---------- */

static void
write_file (const char *path, const guint8 *data, gsize len, gboolean gzip)
{
  if (gzip)
    {
      gzFile gz = gzopen (path, "wb");
      g_assert_nonnull (gz);
      if (len > 0)
        g_assert_cmpint (gzwrite (gz, data, (unsigned) len), ==, (int) len);
      g_assert_cmpint (gzclose (gz), ==, Z_OK);
    }
  else
    {
      GError *error = NULL;
      g_assert_true (g_file_set_contents (path, (const char *) data, (gssize) len, &error));
      g_assert_no_error (error);
    }
}

static void
put_u32 (GByteArray *a, guint32 v)
{
  guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };
  g_byte_array_append (a, b, 4);
}

/* An idx3 ubyte file of n images h×w; pixel value = (i * 7 + j) % 256. */
static GByteArray *
make_images (guint32 n, guint32 h, guint32 w)
{
  GByteArray *a = g_byte_array_new ();
  guint8 magic[4] = { 0, 0, 0x08, 3 };
  g_byte_array_append (a, magic, 4);
  put_u32 (a, n);
  put_u32 (a, h);
  put_u32 (a, w);
  for (guint32 i = 0; i < n; i++)
    for (guint32 j = 0; j < h * w; j++)
      {
        guint8 v = (guint8) ((i * 7 + j) % 256);
        g_byte_array_append (a, &v, 1);
      }
  return a;
}

/* An idx1 ubyte file of n labels; label i = i % n_classes. */
static GByteArray *
make_labels (guint32 n, int n_classes)
{
  GByteArray *a = g_byte_array_new ();
  guint8 magic[4] = { 0, 0, 0x08, 1 };
  g_byte_array_append (a, magic, 4);
  put_u32 (a, n);
  for (guint32 i = 0; i < n; i++)
    {
      guint8 v = (guint8) (i % n_classes);
      g_byte_array_append (a, &v, 1);
    }
  return a;
}

static char *
write_array (const char *dir, const char *name, GByteArray *a, gboolean gzip)
{
  char *path = g_build_filename (dir, name, NULL);
  write_file (path, a->data, a->len, gzip);
  g_byte_array_unref (a);
  return path;
}

static void
remove_tree (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_remove (path);
    }
  if (d != NULL)
    g_dir_close (d);
  g_rmdir (dir);
}

static char *
make_tmp_dir (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("convscope-dataset-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

/* ---------- loading good files ---------- */

static void
check_set (const CnnImageSet *set, int n, int h, int w, int n_classes)
{
  g_assert_nonnull (set);
  g_assert_cmpint (set->n, ==, n);
  g_assert_cmpint (set->c, ==, 1);
  g_assert_cmpint (set->h, ==, h);
  g_assert_cmpint (set->w, ==, w);
  for (int i = 0; i < n; i++)
    {
      g_assert_cmpint (set->labels[i], ==, i % n_classes);
      for (int j = 0; j < h * w; j++)
        g_assert_cmpint (set->pixels[(gsize) i * h * w + j], ==, (i * 7 + j) % 256);
    }
}

static void
test_idx_plain_and_gzip (void)
{
  for (int gz = 0; gz < 2; gz++)
    {
      g_autofree char *dir = make_tmp_dir ();
      const char *suffix = gz ? ".gz" : "";
      g_autofree char *img_name = g_strconcat ("a-images", suffix, NULL);
      g_autofree char *lab_name = g_strconcat ("a-labels", suffix, NULL);
      g_autofree char *img = write_array (dir, img_name, make_images (13, 5, 7), gz);
      g_autofree char *lab = write_array (dir, lab_name, make_labels (13, 4), gz);
      GError *error = NULL;
      g_autoptr (CnnImageSet) set = cnn_image_set_load_idx (img, lab, &error);
      g_assert_no_error (error);
      check_set (set, 13, 5, 7, 4);
      remove_tree (dir);
    }
}

static void
test_idx_dir (void)
{
  g_autofree char *dir = make_tmp_dir ();
  /* gzipped training pair, plain test pair: both kinds in one folder */
  g_free (write_array (dir, "train-images-idx3-ubyte.gz", make_images (30, 4, 3), TRUE));
  g_free (write_array (dir, "train-labels-idx1-ubyte.gz", make_labels (30, 6), TRUE));
  g_free (write_array (dir, "t10k-images-idx3-ubyte", make_images (8, 4, 3), FALSE));
  g_free (write_array (dir, "t10k-labels-idx1-ubyte", make_labels (8, 6), FALSE));
  GError *error = NULL;
  g_autoptr (CnnDataset) ds = cnn_dataset_load_idx_dir (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ds->name, ==, dir);
  g_assert_cmpint (ds->n_classes, ==, 6);
  g_assert_cmpint (g_strv_length (ds->class_names), ==, 6);
  g_assert_cmpstr (ds->class_names[0], ==, "0");
  g_assert_cmpstr (ds->class_names[5], ==, "5");
  check_set (ds->train, 30, 4, 3, 6);
  check_set (ds->test, 8, 4, 3, 6);

  /* through cnn_dataset_load too, and without the optional test pair */
  g_autofree char *t1 = g_build_filename (dir, "t10k-images-idx3-ubyte", NULL);
  g_autofree char *t2 = g_build_filename (dir, "t10k-labels-idx1-ubyte", NULL);
  g_remove (t1);
  g_remove (t2);
  g_autoptr (CnnDataset) ds2 = cnn_dataset_load (dir, 1, &error);
  g_assert_no_error (error);
  check_set (ds2->train, 30, 4, 3, 6);
  g_assert_null (ds2->test);
  remove_tree (dir);
}

/* ---------- broken files ---------- */

typedef enum
{
  BREAK_BAD_MAGIC,
  BREAK_TYPE_BYTE,
  BREAK_DIMS_BYTE,
  BREAK_TRUNCATED_PIXELS,
  BREAK_TRUNCATED_HEADER,
  BREAK_EMPTY_FILE,
  BREAK_COUNT_MISMATCH,
  BREAK_TRAILING,
  BREAK_MISSING_LABELS,
  BREAK_NO_FILES,
  BREAK_TOO_LARGE,
  BREAK_ZERO_ROWS,
  BREAK_TEST_LABEL_RANGE,
  BREAK_TEST_SIZE,
  BREAK_HALF_TEST_PAIR,
  BREAK_TRUNCATED_GZIP,
  BREAK_CORRUPT_GZIP,
  BREAK_GZIP_NO_TRAILER,
} Break;

typedef struct
{
  Break       what;
  gboolean    gzip;
  const char *file;      /* the file the message must name */
  const char *problem;   /* and a substring describing the problem */
  int         code;
} BrokenCase;

static const BrokenCase broken_cases[] = {
  { BREAK_BAD_MAGIC, FALSE, "train-images-idx3-ubyte", "bad magic", CNN_ERROR_FORMAT },
  { BREAK_BAD_MAGIC, TRUE, "train-images-idx3-ubyte.gz", "bad magic", CNN_ERROR_FORMAT },
  { BREAK_TYPE_BYTE, FALSE, "train-labels-idx1-ubyte", "wrong value type 0x0d", CNN_ERROR_FORMAT },
  { BREAK_DIMS_BYTE, FALSE, "train-images-idx3-ubyte", "has 1 dimension, expected 3", CNN_ERROR_FORMAT },
  { BREAK_TRUNCATED_PIXELS, FALSE, "train-images-idx3-ubyte",
    "truncated: expected 120 bytes of pixels, found 50", CNN_ERROR_FORMAT },
  { BREAK_TRUNCATED_PIXELS, TRUE, "train-images-idx3-ubyte.gz",
    "truncated: expected 120 bytes of pixels, found 50", CNN_ERROR_FORMAT },
  { BREAK_TRUNCATED_HEADER, FALSE, "train-images-idx3-ubyte",
    "truncated header: expected 16 bytes, found 7", CNN_ERROR_FORMAT },
  { BREAK_EMPTY_FILE, FALSE, "train-labels-idx1-ubyte", "empty file", CNN_ERROR_FORMAT },
  { BREAK_EMPTY_FILE, TRUE, "train-labels-idx1-ubyte.gz", "empty file", CNN_ERROR_FORMAT },
  { BREAK_COUNT_MISMATCH, FALSE, "train-labels-idx1-ubyte", "holds 9 labels but", CNN_ERROR_FORMAT },
  { BREAK_TRAILING, FALSE, "train-images-idx3-ubyte", "3 extra bytes after the last of the pixels",
    CNN_ERROR_FORMAT },
  { BREAK_TRAILING, TRUE, "train-labels-idx1-ubyte.gz", "3 extra bytes after the last of the labels",
    CNN_ERROR_FORMAT },
  { BREAK_MISSING_LABELS, FALSE, "train-labels-idx1-ubyte", "not found", CNN_ERROR_IO },
  { BREAK_NO_FILES, FALSE, "train-images-idx3-ubyte", "no train-images", CNN_ERROR_IO },
  { BREAK_TOO_LARGE, FALSE, "train-images-idx3-ubyte", "too large", CNN_ERROR_FORMAT },
  { BREAK_ZERO_ROWS, FALSE, "train-images-idx3-ubyte", "are empty", CNN_ERROR_FORMAT },
  { BREAK_TEST_LABEL_RANGE, FALSE, "t10k-labels-idx1-ubyte", "label 7 of item 0", CNN_ERROR_FORMAT },
  { BREAK_TEST_SIZE, FALSE, "t10k-images-idx3-ubyte", "images are 5×4 pixels", CNN_ERROR_FORMAT },
  { BREAK_HALF_TEST_PAIR, FALSE, "t10k-labels-idx1-ubyte", "not found", CNN_ERROR_IO },
  { BREAK_TRUNCATED_GZIP, TRUE, "train-images-idx3-ubyte.gz", "truncated", CNN_ERROR_FORMAT },
  { BREAK_CORRUPT_GZIP, TRUE, "train-images-idx3-ubyte.gz", "cannot read", CNN_ERROR_FORMAT },
  { BREAK_GZIP_NO_TRAILER, TRUE, "train-images-idx3-ubyte.gz", "truncated", CNN_ERROR_FORMAT },
};

/* Builds a training pair of 10 images of 4×3 (labels 0..4) in `dir`, broken
 * as `c` says. */
static void
write_broken (const char *dir, const BrokenCase *c)
{
  const char *sfx = c->gzip ? ".gz" : "";
  g_autofree char *img_name = g_strconcat ("train-images-idx3-ubyte", sfx, NULL);
  g_autofree char *lab_name = g_strconcat ("train-labels-idx1-ubyte", sfx, NULL);
  GByteArray *img = make_images (10, 4, 3);
  GByteArray *lab = make_labels (10, 5);
  static const guint8 garbage[3] = { 1, 2, 3 };
  gboolean write_labels = TRUE, write_images = TRUE;

  switch (c->what)
    {
    case BREAK_BAD_MAGIC:
      img->data[0] = 'P';
      img->data[1] = 'K';
      break;
    case BREAK_TYPE_BYTE:
      lab->data[2] = 0x0d;   /* float */
      break;
    case BREAK_DIMS_BYTE:
      img->data[3] = 1;
      break;
    case BREAK_TRUNCATED_PIXELS:
      g_byte_array_set_size (img, 16 + 50);
      break;
    case BREAK_TRUNCATED_HEADER:
      g_byte_array_set_size (img, 7);
      break;
    case BREAK_EMPTY_FILE:
      g_byte_array_set_size (lab, 0);
      break;
    case BREAK_COUNT_MISMATCH:
      g_byte_array_unref (lab);
      lab = make_labels (9, 5);
      break;
    case BREAK_TRAILING:
      g_byte_array_append (c->gzip ? lab : img, garbage, 3);
      break;
    case BREAK_MISSING_LABELS:
      write_labels = FALSE;
      break;
    case BREAK_NO_FILES:
      write_labels = write_images = FALSE;
      break;
    case BREAK_TOO_LARGE:
      /* 60000 images of 40000×40000 would be 96 PB: must fail before allocating */
      g_byte_array_set_size (img, 4);
      put_u32 (img, 60000);
      put_u32 (img, 40000);
      put_u32 (img, 40000);
      break;
    case BREAK_ZERO_ROWS:
      img->data[11] = 0;     /* rows (bytes 8..11) = 0 */
      break;
    case BREAK_TEST_LABEL_RANGE:
      {
        GByteArray *tl = make_labels (4, 5);
        tl->data[8] = 7;     /* the training labels only go to 4 */
        g_free (write_array (dir, "t10k-images-idx3-ubyte", make_images (4, 4, 3), FALSE));
        g_free (write_array (dir, "t10k-labels-idx1-ubyte", tl, FALSE));
      }
      break;
    case BREAK_TEST_SIZE:
      g_free (write_array (dir, "t10k-images-idx3-ubyte", make_images (4, 5, 4), FALSE));
      g_free (write_array (dir, "t10k-labels-idx1-ubyte", make_labels (4, 5), FALSE));
      break;
    case BREAK_HALF_TEST_PAIR:
      g_free (write_array (dir, "t10k-images-idx3-ubyte", make_images (4, 4, 3), FALSE));
      break;
    case BREAK_TRUNCATED_GZIP:
    case BREAK_CORRUPT_GZIP:
    case BREAK_GZIP_NO_TRAILER:
      break;   /* done on the compressed bytes below */
    }

  if (write_images)
    g_free (write_array (dir, img_name, img, c->gzip));
  else
    g_byte_array_unref (img);
  if (write_labels)
    g_free (write_array (dir, lab_name, lab, c->gzip));
  else
    g_byte_array_unref (lab);

  if (c->what == BREAK_TRUNCATED_GZIP || c->what == BREAK_CORRUPT_GZIP
      || c->what == BREAK_GZIP_NO_TRAILER)
    {
      g_autofree char *path = g_build_filename (dir, img_name, NULL);
      g_autofree char *data = NULL;
      gsize len = 0;
      g_assert_true (g_file_get_contents (path, &data, &len, NULL));
      g_assert_cmpuint (len, >, 30);
      if (c->what == BREAK_TRUNCATED_GZIP)
        len -= 20;               /* cut into the deflate data and trailer */
      else if (c->what == BREAK_GZIP_NO_TRAILER)
        len -= 8;                /* all data, no CRC and length */
      else
        data[len - 6] ^= 0x55;   /* damage the CRC */
      write_file (path, (guint8 *) data, len, FALSE);
    }
}

static void
test_idx_broken (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (broken_cases); i++)
    {
      const BrokenCase *c = &broken_cases[i];
      g_autofree char *dir = make_tmp_dir ();
      write_broken (dir, c);
      GError *error = NULL;
      g_autoptr (CnnDataset) ds = cnn_dataset_load_idx_dir (dir, &error);
      g_test_message ("case %d: %s", (int) i, error ? error->message : "(no error)");
      g_assert_null (ds);
      g_assert_true (g_error_matches (error, CNN_ERROR, c->code));
      g_assert_nonnull (strstr (error->message, c->file));
      g_assert_nonnull (strstr (error->message, c->problem));
      g_assert_null (strchr (error->message, '\n'));   /* one line */
      g_error_free (error);
      remove_tree (dir);
    }
}

static void
test_idx_missing_paths (void)
{
  GError *error = NULL;
  g_assert_null (cnn_dataset_load_idx_dir ("/nonexistent/convscope-data", &error));
  g_assert_true (g_error_matches (error, CNN_ERROR, CNN_ERROR_IO));
  g_assert_nonnull (strstr (error->message, "/nonexistent/convscope-data"));
  g_clear_error (&error);

  g_assert_null (cnn_image_set_load_idx ("/nonexistent/a-images", "/nonexistent/a-labels", &error));
  g_assert_true (g_error_matches (error, CNN_ERROR, CNN_ERROR_IO));
  g_assert_nonnull (strstr (error->message, "/nonexistent/a-images"));
  g_clear_error (&error);

  g_assert_null (cnn_dataset_load ("/nonexistent/convscope-data", 1, &error));
  g_assert_true (g_error_matches (error, CNN_ERROR, CNN_ERROR_INVALID_ARG));
  g_assert_nonnull (strstr (error->message, "/nonexistent/convscope-data"));
  g_clear_error (&error);

  if (!g_file_test ("/usr/share/datasets/mnist", G_FILE_TEST_IS_DIR))
    {
      g_assert_null (cnn_dataset_load ("mnist", 1, &error));
      g_assert_true (g_error_matches (error, CNN_ERROR, CNN_ERROR_IO));
      g_assert_nonnull (strstr (error->message, "/usr/share/datasets/mnist"));
      g_clear_error (&error);
    }
}

/* Random damage to a small valid file: the loader returns a set or an
 * error, never crashes and never leaves both unset. */
static void
test_idx_fuzz (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *img = g_build_filename (dir, "img", NULL);
  g_autofree char *lab = g_build_filename (dir, "lab", NULL);
  CnnRng rng;
  cnn_rng_init (&rng, 99, 0);
  for (int round = 0; round < 300; round++)
    {
      GByteArray *a = make_images (6, 3, 2);
      GByteArray *b = make_labels (6, 3);
      GByteArray *victim = cnn_rng_below (&rng, 2) ? a : b;
      int n_flips = 1 + (int) cnn_rng_below (&rng, 3);
      for (int f = 0; f < n_flips; f++)
        victim->data[cnn_rng_below (&rng, MIN (victim->len, 20u))] = (guint8) cnn_rng_next_u32 (&rng);
      if (cnn_rng_below (&rng, 3) == 0)
        g_byte_array_set_size (victim, cnn_rng_below (&rng, victim->len + 1));
      gboolean gz = round % 2;
      write_file (img, a->data, a->len, gz);
      write_file (lab, b->data, b->len, gz);
      g_byte_array_unref (a);
      g_byte_array_unref (b);
      GError *error = NULL;
      g_autoptr (CnnImageSet) set = cnn_image_set_load_idx (img, lab, &error);
      g_assert_true ((set == NULL) != (error == NULL));
      if (error)
        g_assert_true (strstr (error->message, img) || strstr (error->message, lab));
      g_clear_error (&error);
    }
  remove_tree (dir);
}

/* ---------- stratified split ---------- */

static CnnImageSet *
make_labelled_set (const int *counts, int n_classes)
{
  int n = 0;
  for (int k = 0; k < n_classes; k++)
    n += counts[k];
  CnnImageSet *set = cnn_image_set_new (n, 1, 1, 1);
  /* interleave the classes so that they are not contiguous */
  int *left = g_memdup2 (counts, sizeof (int) * n_classes);
  for (int i = 0, k = 0; i < n; k = (k + 1) % n_classes)
    if (left[k] > 0)
      {
        left[k]--;
        set->labels[i++] = (guint8) k;
      }
  g_free (left);
  return set;
}

static void
test_split (void)
{
  static const int counts[] = { 10, 37, 1, 0, 100, 7, 3 };
  const int n_classes = G_N_ELEMENTS (counts);
  g_autoptr (CnnImageSet) set = make_labelled_set (counts, n_classes);
  const double fractions[] = { 0.2, 0.1, 0.5, 1.0 / 3 };

  for (gsize f = 0; f < G_N_ELEMENTS (fractions); f++)
    {
      int *tr, *va, nt, nv;
      cnn_split_stratified (set, n_classes, fractions[f], 5, &tr, &nt, &va, &nv);
      g_assert_cmpint (nt + nv, ==, set->n);
      /* disjoint and covering, both sorted ascending */
      g_autofree int *seen = g_new0 (int, set->n);
      int per_class_val[7] = { 0 };
      for (int i = 0; i < nt; i++)
        {
          g_assert_true (tr[i] >= 0 && tr[i] < set->n);
          seen[tr[i]]++;
          if (i > 0)
            g_assert_cmpint (tr[i - 1], <, tr[i]);
        }
      for (int i = 0; i < nv; i++)
        {
          g_assert_true (va[i] >= 0 && va[i] < set->n);
          seen[va[i]]++;
          per_class_val[set->labels[va[i]]]++;
          if (i > 0)
            g_assert_cmpint (va[i - 1], <, va[i]);
        }
      for (int i = 0; i < set->n; i++)
        g_assert_cmpint (seen[i], ==, 1);
      /* each class within one image of its share */
      for (int k = 0; k < n_classes; k++)
        g_assert_cmpfloat (fabs (per_class_val[k] - fractions[f] * counts[k]), <=, 1.0);

      /* the same seed gives the same split */
      int *tr2, *va2, nt2, nv2;
      cnn_split_stratified (set, n_classes, fractions[f], 5, &tr2, &nt2, &va2, &nv2);
      g_assert_cmpint (nv2, ==, nv);
      g_assert_cmpmem (va2, nv2 * sizeof (int), va, nv * sizeof (int));
      g_assert_cmpmem (tr2, nt2 * sizeof (int), tr, nt * sizeof (int));
      g_free (tr2);
      g_free (va2);

      /* another seed picks other images (with 158 images the chance of an
       * identical pick is negligible) */
      cnn_split_stratified (set, n_classes, fractions[f], 6, &tr2, &nt2, &va2, &nv2);
      g_assert_cmpint (nv2, ==, nv);
      g_assert_true (memcmp (va2, va, nv * sizeof (int)) != 0);
      g_free (tr2);
      g_free (va2);
      g_free (tr);
      g_free (va);
    }

  int *tr, *va, nt, nv;
  cnn_split_stratified (set, n_classes, 0.0, 5, &tr, &nt, &va, &nv);
  g_assert_cmpint (nv, ==, 0);
  g_assert_cmpint (nt, ==, set->n);
  for (int i = 0; i < nt; i++)
    g_assert_cmpint (tr[i], ==, i);
  g_free (tr);
  g_free (va);
}

/* ---------- normalizer ---------- */

static void
test_normalizer_pixel (void)
{
  /* 3 images of 1×1×2: pixel 0 takes 0, 51, 255 (x = 0, 0.2, 1); pixel 1 is
   * always 10. By hand: pixel 0 mean 0.4, population variance
   * (0.16 + 0.04 + 0.36) / 3 = 0.186667, std 0.4320494; pixel 1 std 0. */
  g_autoptr (CnnImageSet) set = cnn_image_set_new (3, 1, 1, 2);
  const guint8 px[6] = { 0, 10, 51, 10, 255, 10 };
  memcpy (set->pixels, px, 6);
  g_autoptr (CnnNormalizer) nz = cnn_normalizer_new_fit (CNN_STANDARDIZE_PIXEL, set, NULL, 0);
  /* tolerances: float storage; means within 1e-4 gray levels, scales within
   * 1e-7 (about 1e-5 relative; the constant pixel's huge scale within 1e-3) */
  g_assert_cmpfloat_with_epsilon (nz->mean[0], 102.0, 1e-4);
  g_assert_cmpfloat_with_epsilon (nz->scale[0], 1.0 / (255.0 * (0.4320494 + 1e-4)), 1e-7);
  g_assert_cmpfloat_with_epsilon (nz->mean[1], 10.0, 1e-5);
  g_assert_cmpfloat_with_epsilon (nz->scale[1], 1.0 / (255.0 * 1e-4), 1e-3);

  float out[6];   /* (3, 1, 1, 2) */
  const int order[3] = { 2, 0, 1 };
  cnn_normalizer_gather (nz, set, order, 3, out);
  /* (1 - 0.4) / 0.4321494 = 1.388408; (0 - 0.4) / 0.4321494 = -0.925605;
   * (0.2 - 0.4) / 0.4321494 = -0.462803; constant pixels become 0 */
  g_assert_cmpfloat_with_epsilon (out[0], 1.388408, 1e-5);
  g_assert_cmpfloat_with_epsilon (out[2], -0.925605, 1e-5);
  g_assert_cmpfloat_with_epsilon (out[4], -0.462803, 1e-5);
  for (int i = 1; i < 6; i += 2)
    g_assert_cmpfloat_with_epsilon (out[i], 0.0, 1e-4);

  /* statistics over a subset: images 0 and 2 give x = 0, 1: mean 0.5, std 0.5 */
  const int subset[2] = { 0, 2 };
  g_autoptr (CnnNormalizer) nz2 = cnn_normalizer_new_fit (CNN_STANDARDIZE_PIXEL, set, subset, 2);
  g_assert_cmpfloat_with_epsilon (nz2->mean[0], 127.5, 1e-4);
  g_assert_cmpfloat_with_epsilon (nz2->scale[0], 1.0 / (255.0 * 0.5001), 1e-7);

  /* restored from stored statistics: a copy, same output */
  g_autoptr (CnnNormalizer) nz3 = cnn_normalizer_new_from (CNN_STANDARDIZE_PIXEL, 1, 1, 2,
                                                           nz->mean, nz->scale);
  g_assert_true (nz3->mean != nz->mean);
  float out3[6];
  cnn_normalizer_gather (nz3, set, order, 3, out3);
  g_assert_cmpmem (out3, sizeof out3, out, sizeof out);
}

static void
test_normalizer_scale_none (void)
{
  g_autoptr (CnnImageSet) set = cnn_image_set_new (256, 1, 1, 1);
  for (int i = 0; i < 256; i++)
    set->pixels[i] = (guint8) i;
  g_autoptr (CnnNormalizer) sc = cnn_normalizer_new_fit (CNN_STANDARDIZE_SCALE, set, NULL, 0);
  g_autoptr (CnnNormalizer) no = cnn_normalizer_new_fit (CNN_STANDARDIZE_NONE, set, NULL, 0);
  g_assert_true (sc->mean[0] == 0.0f && sc->scale[0] == 1.0f / 255.0f);
  g_assert_true (no->mean[0] == 0.0f && no->scale[0] == 1.0f);
  float a[256], b[256];
  cnn_normalizer_gather (sc, set, NULL, 256, a);
  cnn_normalizer_gather (no, set, NULL, 256, b);
  /* exact: none is the byte itself; scale is byte × (1/255) in float, which
   * lands within one rounding of byte/255 and hits 0 and 1 exactly */
  for (int i = 0; i < 256; i++)
    {
      g_assert_true (b[i] == (float) i);
      g_assert_true (a[i] == (float) i * (1.0f / 255.0f));
      g_assert_cmpfloat_with_epsilon (a[i], i / 255.0, 1e-7);
    }
  g_assert_true (a[0] == 0.0f && a[255] == 1.0f);
}

static void
test_normalizer_channel (void)
{
  /* 2 images of 3×2×2. Channel 0: 0, 255 alternating (mean 0.5, std 0.5);
   * channel 1: all 51 (mean 0.2, std 0); channel 2: image 0 all 0, image 1
   * all 255 (mean 0.5, std 0.5). Per pixel, channel 0 would be constant. */
  g_autoptr (CnnImageSet) set = cnn_image_set_new (2, 3, 2, 2);
  for (int i = 0; i < 2; i++)
    for (int p = 0; p < 4; p++)
      {
        guint8 *img = set->pixels + i * 12;   /* (3, 2, 2) */
        img[0 * 4 + p] = p % 2 ? 255 : 0;
        img[1 * 4 + p] = 51;
        img[2 * 4 + p] = i ? 255 : 0;
      }
  g_autoptr (CnnNormalizer) nz = cnn_normalizer_new_fit (CNN_STANDARDIZE_CHANNEL, set, NULL, 0);
  const double mean[3] = { 127.5, 51.0, 127.5 };
  const double std[3] = { 0.5, 0.0, 0.5 };
  for (int ch = 0; ch < 3; ch++)
    for (int p = 0; p < 4; p++)
      {
        /* tolerances: float storage */
        g_assert_cmpfloat_with_epsilon (nz->mean[ch * 4 + p], mean[ch], 1e-4);
        double scale = 1.0 / (255.0 * (std[ch] + 1e-4));
        g_assert_cmpfloat_with_epsilon (nz->scale[ch * 4 + p], scale, scale * 1e-6);
      }
  float out[24];   /* (2, 3, 2, 2) */
  cnn_normalizer_gather (nz, set, NULL, 2, out);
  /* channel 0: ±0.5 / 0.5001 = ±0.9998; channel 2 of image 1: +0.9998 */
  g_assert_cmpfloat_with_epsilon (out[0], -0.5 / 0.5001, 1e-5);
  g_assert_cmpfloat_with_epsilon (out[1], 0.5 / 0.5001, 1e-5);
  g_assert_cmpfloat_with_epsilon (out[4], 0.0, 1e-3);
  g_assert_cmpfloat_with_epsilon (out[12 + 8], 0.5 / 0.5001, 1e-5);

  /* pixel mode differs: channel 0 pixel 0 is 0 in both images, so std 0 */
  g_autoptr (CnnNormalizer) px = cnn_normalizer_new_fit (CNN_STANDARDIZE_PIXEL, set, NULL, 0);
  g_assert_cmpfloat_with_epsilon (px->mean[0], 0.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (px->mean[1], 255.0, 1e-4);
}

static void
test_standardize_names (void)
{
  const CnnStandardize modes[] = {
    CNN_STANDARDIZE_SCALE, CNN_STANDARDIZE_PIXEL, CNN_STANDARDIZE_CHANNEL, CNN_STANDARDIZE_NONE,
  };
  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      CnnStandardize m = (CnnStandardize) -1;
      GError *error = NULL;
      g_assert_true (cnn_standardize_parse (cnn_standardize_name (modes[i]), &m, &error));
      g_assert_no_error (error);
      g_assert_cmpint (m, ==, modes[i]);
    }
  CnnStandardize m;
  GError *error = NULL;
  g_assert_false (cnn_standardize_parse ("zscore", &m, &error));
  g_assert_true (g_error_matches (error, CNN_ERROR, CNN_ERROR_INVALID_ARG));
  g_assert_nonnull (strstr (error->message, "zscore"));
  g_clear_error (&error);
}

/* ---------- synthetic ---------- */

static void
test_synthetic (void)
{
  g_autoptr (CnnDataset) a = cnn_dataset_new_synthetic (11, 1000, 205);
  g_autoptr (CnnDataset) b = cnn_dataset_new_synthetic (11, 1000, 205);
  g_autoptr (CnnDataset) c = cnn_dataset_new_synthetic (12, 1000, 205);
  g_assert_cmpstr (a->name, ==, "synthetic");
  g_assert_cmpint (a->n_classes, ==, 10);
  g_assert_cmpint (g_strv_length (a->class_names), ==, 10);
  const CnnImageSet *tr = a->train;
  g_assert_cmpint (tr->n, ==, 1000);
  g_assert_cmpint (tr->c, ==, 1);
  g_assert_cmpint (tr->h, ==, 28);
  g_assert_cmpint (tr->w, ==, 28);
  g_assert_cmpint (a->test->n, ==, 205);

  /* deterministic for a seed, different for another */
  g_assert_cmpmem (a->train->pixels, 1000 * 784, b->train->pixels, 1000 * 784);
  g_assert_cmpmem (a->train->labels, 1000, b->train->labels, 1000);
  g_assert_cmpmem (a->test->pixels, 205 * 784, b->test->pixels, 205 * 784);
  g_assert_true (memcmp (a->train->pixels, c->train->pixels, 1000 * 784) != 0);

  /* balanced: exactly 100 each; 205 test images give 20 or 21 each */
  int count[10] = { 0 }, tcount[10] = { 0 };
  for (int i = 0; i < tr->n; i++)
    count[tr->labels[i]]++;
  for (int i = 0; i < a->test->n; i++)
    tcount[a->test->labels[i]]++;
  for (int k = 0; k < 10; k++)
    {
      g_assert_cmpint (count[k], ==, 100);
      g_assert_cmpint (tcount[k], >=, 20);
      g_assert_cmpint (tcount[k], <=, 21);
    }
  /* shuffled, not in class order */
  int in_order = 0;
  for (int i = 0; i < tr->n; i++)
    in_order += tr->labels[i] == i % 10;
  g_assert_cmpint (in_order, <, 300);

  /* every image shows a shape: foreground clearly above the background */
  for (int i = 0; i < tr->n; i++)
    {
      const guint8 *img = tr->pixels + (gsize) i * 784;
      int lo = 255, hi = 0;
      for (int j = 0; j < 784; j++)
        {
          lo = MIN (lo, img[j]);
          hi = MAX (hi, img[j]);
        }
      g_assert_cmpint (hi - lo, >=, 80);
      g_assert_cmpint (lo, <=, 60);
    }

  /* mean images differ between every pair of classes: mean absolute
   * difference over pixels of at least 2 gray levels */
  g_autofree double *mean = g_new0 (double, 10 * 784);   /* (10, 784) */
  for (int i = 0; i < tr->n; i++)
    for (int j = 0; j < 784; j++)
      mean[tr->labels[i] * 784 + j] += tr->pixels[(gsize) i * 784 + j] / 100.0;
  for (int k = 0; k < 10; k++)
    for (int l = k + 1; l < 10; l++)
      {
        double d = 0;
        for (int j = 0; j < 784; j++)
          d += fabs (mean[k * 784 + j] - mean[l * 784 + j]);
        g_assert_cmpfloat (d / 784, >=, 2.0);
      }

  /* the named data set */
  GError *error = NULL;
  g_autoptr (CnnDataset) s = cnn_dataset_load ("synthetic", 3, &error);
  g_assert_no_error (error);
  g_assert_cmpint (s->train->n, ==, 6000);
  g_assert_cmpint (s->test->n, ==, 1000);
}

/* ---------- Fashion-MNIST, when installed ---------- */

static void
test_fashion_mnist (void)
{
  if (!g_file_test ("/usr/share/datasets/fashion-mnist", G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("/usr/share/datasets/fashion-mnist is not installed (package dataset-fashion-mnist)");
      return;
    }
  GError *error = NULL;
  g_autoptr (CnnDataset) ds = cnn_dataset_load ("fashion-mnist", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ds->name, ==, "fashion-mnist");
  g_assert_cmpint (ds->n_classes, ==, 10);
  g_assert_cmpstr (ds->class_names[0], ==, "T-shirt/top");
  g_assert_cmpstr (ds->class_names[9], ==, "Ankle boot");
  g_assert_null (ds->class_names[10]);
  g_assert_cmpint (ds->train->n, ==, 60000);
  g_assert_cmpint (ds->test->n, ==, 10000);
  g_assert_cmpint (ds->train->h, ==, 28);
  g_assert_cmpint (ds->train->w, ==, 28);
  g_assert_cmpint (ds->test->h, ==, 28);
  /* Fashion-MNIST is balanced: 6000 and 1000 images per class */
  int count[10] = { 0 };
  for (int i = 0; i < ds->train->n; i++)
    count[ds->train->labels[i]]++;
  for (int k = 0; k < 10; k++)
    g_assert_cmpint (count[k], ==, 6000);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dataset/idx/plain-and-gzip", test_idx_plain_and_gzip);
  g_test_add_func ("/dataset/idx/folder", test_idx_dir);
  g_test_add_func ("/dataset/idx/broken", test_idx_broken);
  g_test_add_func ("/dataset/idx/missing-paths", test_idx_missing_paths);
  g_test_add_func ("/dataset/idx/fuzz", test_idx_fuzz);
  g_test_add_func ("/dataset/split/stratified", test_split);
  g_test_add_func ("/dataset/normalizer/pixel", test_normalizer_pixel);
  g_test_add_func ("/dataset/normalizer/scale-none", test_normalizer_scale_none);
  g_test_add_func ("/dataset/normalizer/channel", test_normalizer_channel);
  g_test_add_func ("/dataset/standardize/names", test_standardize_names);
  g_test_add_func ("/dataset/synthetic", test_synthetic);
  g_test_add_func ("/dataset/fashion-mnist", test_fashion_mnist);
  return g_test_run ();
}
