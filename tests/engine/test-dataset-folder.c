/* test-dataset-folder.c: image-folder and CIFAR-10 data sets made by the
 * test: layouts, sizes and colors, broken files, errors, splits, options,
 * and the per-class limit. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "cnn-dataset.h"
#include "cnn-error.h"
#include "cnn-rng.h"
#include "cnn-test-images.h"

static char *
make_dir (const char *parent, const char *name)
{
  char *dir = g_build_filename (parent, name, NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  return dir;
}

static char *
make_tmp_dir (void)
{
  char *dir = g_dir_make_tmp ("convscope-folder-XXXXXX", NULL);
  g_assert_nonnull (dir);
  return dir;
}

/* A uniform image: every pixel of channel k is value + k. A uniform image
 * stays uniform through any resize, so its value identifies it exactly. */
static void
write_uniform (const char *dir, const char *name, int c, int h, int w, int value, gboolean jpeg)
{
  g_autofree guint8 *px = g_new (guint8, (gsize) c * h * w);
  for (int k = 0; k < c; k++)
    memset (px + (gsize) k * h * w, value + k, (gsize) h * w);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  if (jpeg)
    cnn_test_write_jpeg_planes (path, c, h, w, px, 100);
  else
    cnn_test_write_png_planes (path, c, h, w, px);
}

/* The value of image i's channel k at pixel 0, and whether the image is uniform. */
static int
value_of (const CnnImageSet *set, int i, int k)
{
  gsize plane = (gsize) set->h * set->w;
  const guint8 *p = set->pixels + ((gsize) i * set->c + k) * plane;
  for (gsize j = 1; j < plane; j++)
    g_assert_cmpint (p[j], ==, p[0]);
  return p[0];
}

static CnnDataset *
load_ok (const char *dir, const CnnDataOptions *opts)
{
  GError *error = NULL;
  CnnDataset *ds = cnn_dataset_load_with (dir, opts, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ds);
  return ds;
}

static void
expect_error (const char *dir, const CnnDataOptions *opts, int code, const char *fragment,
              const char *fragment2)
{
  GError *error = NULL;
  CnnDataset *ds = cnn_dataset_load_with (dir, opts, &error);
  g_test_message ("expected error: %s", error ? error->message : "(none)");
  g_assert_null (ds);
  g_assert_true (g_error_matches (error, CNN_ERROR, code));
  if (strstr (error->message, fragment) == NULL
      || (fragment2 != NULL && strstr (error->message, fragment2) == NULL))
    g_error ("“%s” lacks “%s” or “%s”", error->message, fragment, fragment2 ? fragment2 : "");
  g_assert_null (strchr (error->message, '\n'));
  g_error_free (error);
}

/* ---------- a plain folder of class folders ---------- */

static void
test_folder_basic (void)
{
  g_autofree char *root = make_tmp_dir ();
  /* created out of order: classes are sorted by name */
  g_autofree char *zebra = make_dir (root, "zebra");
  g_autofree char *ant = make_dir (root, "ant");
  g_autofree char *moth = make_dir (root, "moth");
  /* most images 6×8 (h×w); some of other sizes are resized to it */
  write_uniform (zebra, "b.png", 1, 6, 8, 30, FALSE);
  write_uniform (zebra, "a.png", 1, 6, 8, 20, FALSE);
  write_uniform (ant, "x.png", 1, 6, 8, 40, FALSE);
  write_uniform (ant, "y.png", 1, 12, 5, 50, FALSE);
  write_uniform (moth, "m.jpg", 1, 6, 8, 60, TRUE);
  write_uniform (moth, "n.png", 1, 3, 3, 70, FALSE);
  write_uniform (root, "stray.png", 1, 6, 8, 99, FALSE);   /* not in a class: ignored */
  g_autofree char *hidden = g_build_filename (ant, ".DS_Store", NULL);
  cnn_test_write_bytes (hidden, "junk", 4);                  /* hidden: ignored */

  g_autoptr (CnnDataset) ds = load_ok (root, NULL);
  g_assert_cmpstr (ds->name, ==, root);
  g_assert_cmpint (ds->n_classes, ==, 3);
  g_assert_cmpstr (ds->class_names[0], ==, "ant");
  g_assert_cmpstr (ds->class_names[1], ==, "moth");
  g_assert_cmpstr (ds->class_names[2], ==, "zebra");
  g_assert_null (ds->class_names[3]);
  g_assert_null (ds->test);
  g_assert_null (ds->load_summary);
  g_assert_cmpint (ds->n_fixed_val, ==, 0);
  CnnImageSet *s = ds->train;
  g_assert_cmpint (s->n, ==, 6);
  g_assert_cmpint (s->c, ==, 1);     /* all gray */
  g_assert_cmpint (s->h, ==, 6);     /* the most common size */
  g_assert_cmpint (s->w, ==, 8);
  /* order: class by class, files by name */
  const int labels[] = { 0, 0, 1, 1, 2, 2 };
  const int values[] = { 40, 50, 60, 70, 20, 30 };
  for (int i = 0; i < 6; i++)
    {
      g_assert_cmpint (s->labels[i], ==, labels[i]);
      /* JPEG at quality 100 of a flat gray: exact or off by one */
      g_assert_cmpint (ABS (value_of (s, i, 0) - values[i]), <=, i == 2 ? 1 : 0);
    }

  /* one color image makes the whole set RGB: gray images repeat their plane */
  write_uniform (moth, "o.png", 3, 6, 8, 100, FALSE);
  g_autoptr (CnnDataset) color = load_ok (root, NULL);
  g_assert_cmpint (color->train->c, ==, 3);
  g_assert_cmpint (color->train->n, ==, 7);
  g_assert_cmpint (value_of (color->train, 4, 0), ==, 100);
  g_assert_cmpint (value_of (color->train, 4, 1), ==, 101);
  g_assert_cmpint (value_of (color->train, 4, 2), ==, 102);
  g_assert_cmpint (value_of (color->train, 0, 2), ==, 40);

  /* options: an explicit size and gray */
  CnnDataOptions opts = { .h = 4, .w = 4, .channels = 1, .fit = CNN_FIT_STRETCH };
  g_autoptr (CnnDataset) small = load_ok (root, &opts);
  g_assert_cmpint (small->train->c, ==, 1);
  g_assert_cmpint (small->train->h, ==, 4);
  g_assert_cmpint (small->train->w, ==, 4);
  /* luma of (100, 101, 102): 0.299·100 + 0.587·101 + 0.114·102 = 100.815 */
  g_assert_cmpint (value_of (small->train, 4, 0), ==, 101);

  /* through the plain loader as well */
  g_autoptr (CnnDataset) plain = cnn_dataset_load (root, 0, NULL);
  g_assert_nonnull (plain);
  g_assert_cmpint (plain->train->n, ==, 7);
  cnn_test_remove_tree (root);
}

/* A left-black, right-white wide image: crop keeps the middle, stretch squeezes it. */
static void
test_folder_fit (void)
{
  g_autofree char *root = make_tmp_dir ();
  g_autofree char *cls = make_dir (root, "only");
  guint8 px[4 * 8];
  for (int y = 0; y < 4; y++)
    for (int x = 0; x < 8; x++)
      px[y * 8 + x] = x < 2 ? 0 : x < 6 ? 100 : 200;   /* 2 black, 4 gray, 2 white columns */
  g_autofree char *path = g_build_filename (cls, "wide.png", NULL);
  cnn_test_write_png_planes (path, 1, 4, 8, px);
  CnnDataOptions crop = { .h = 4, .w = 4 };
  g_autoptr (CnnDataset) a = load_ok (root, &crop);
  for (int j = 0; j < 16; j++)
    g_assert_cmpint (a->train->pixels[j], ==, 100);   /* the middle 4 columns */
  CnnDataOptions stretch = { .h = 4, .w = 4, .fit = CNN_FIT_STRETCH };
  g_autoptr (CnnDataset) b = load_ok (root, &stretch);
  const guint8 row[4] = { 0, 100, 100, 200 };   /* pairs of columns averaged */
  for (int y = 0; y < 4; y++)
    g_assert_cmpmem (b->train->pixels + 4 * y, 4, row, 4);
  cnn_test_remove_tree (root);
}

/* ---------- broken files ---------- */

static void
write_broken_files (const char *cls_a, const char *cls_b)
{
  write_uniform (cls_a, "good1.png", 1, 5, 5, 10, FALSE);
  write_uniform (cls_a, "good2.jpg", 1, 5, 5, 20, TRUE);
  write_uniform (cls_b, "good3.png", 1, 5, 5, 30, FALSE);
  write_uniform (cls_b, "good4.png", 1, 5, 5, 40, FALSE);

  /* a truncated PNG and JPEG: whole headers, half the data */
  guint8 px[64 * 64];
  for (int i = 0; i < 64 * 64; i++)
    px[i] = (guint8) (i * 37 % 251);
  g_autofree char *png = g_build_filename (cls_a, "cut.png", NULL);
  g_autofree char *jpg = g_build_filename (cls_b, "cut.jpg", NULL);
  cnn_test_write_png_planes (png, 1, 64, 64, px);
  cnn_test_write_jpeg_planes (jpg, 1, 64, 64, px, 90);
  const char *cut[] = { png, jpg };
  for (int i = 0; i < 2; i++)
    {
      g_autoptr (GBytes) b = cnn_test_read_bytes (cut[i]);
      cnn_test_write_bytes (cut[i], g_bytes_get_data (b, NULL), g_bytes_get_size (b) * 2 / 3);
    }
  g_autofree char *empty = g_build_filename (cls_a, "empty.png", NULL);
  cnn_test_write_bytes (empty, "", 0);
  g_autofree char *text = g_build_filename (cls_b, "notes.png", NULL);
  cnn_test_write_bytes (text, "a text file, not a picture\n", 27);

  /* a PNG whose IHDR says 50000×50000 (CRC fixed) */
  g_autofree char *huge = g_build_filename (cls_b, "huge.png", NULL);
  write_uniform (cls_b, "huge.png", 1, 2, 2, 0, FALSE);
  g_autoptr (GBytes) hb = cnn_test_read_bytes (huge);
  g_autofree guint8 *d = g_memdup2 (g_bytes_get_data (hb, NULL), g_bytes_get_size (hb));
  const guint8 size[8] = { 0, 0, 0xc3, 0x50, 0, 0, 0xc3, 0x50 };
  memcpy (d + 16, size, 8);
  guint32 crc = (guint32) crc32 (0, d + 12, 17);
  const guint8 cb[4] = { crc >> 24, crc >> 16, crc >> 8, crc };
  memcpy (d + 29, cb, 4);
  cnn_test_write_bytes (huge, d, g_bytes_get_size (hb));
}

static void
test_folder_broken (void)
{
  g_autofree char *root = make_tmp_dir ();
  g_autofree char *a = make_dir (root, "a");
  g_autofree char *b = make_dir (root, "b");
  write_broken_files (a, b);
  g_autoptr (CnnDataset) ds = load_ok (root, NULL);
  g_assert_cmpint (ds->train->n, ==, 4);
  g_assert_cmpint (ds->train->h, ==, 5);
  const int values[] = { 10, 20, 30, 40 };
  for (int i = 0; i < 4; i++)
    {
      g_assert_cmpint (ds->train->labels[i], ==, i / 2);
      g_assert_cmpint (ABS (value_of (ds->train, i, 0) - values[i]), <=, 1);
    }
  /* files in name order: a/cut.png, a/empty.png, b/cut.jpg, b/huge.png, b/notes.png */
  g_test_message ("%s", ds->load_summary);
  g_assert_cmpstr (ds->load_summary, ==,
                   "5 of 9 files skipped: a/cut.png (truncated PNG), a/empty.png (empty file), "
                   "b/cut.jpg (truncated JPEG), …");

  /* strict: the first broken file is the error, named */
  CnnDataOptions strict = { .strict = TRUE };
  g_autofree char *first = g_build_filename (a, "cut.png", NULL);
  expect_error (root, &strict, CNN_ERROR_FORMAT, first, "truncated PNG");

  /* the summary's other reasons */
  g_autofree char *c1 = g_build_filename (a, "cut.png", NULL);
  g_autofree char *c2 = g_build_filename (a, "empty.png", NULL);
  g_autofree char *c3 = g_build_filename (b, "cut.jpg", NULL);
  g_remove (c1);
  g_remove (c2);
  g_remove (c3);
  g_autoptr (CnnDataset) ds2 = load_ok (root, NULL);
  g_assert_cmpstr (ds2->load_summary, ==,
                   "2 of 6 files skipped: b/huge.png (image too large: 50000×50000 pixels, more than "
                   "32768 per side or 268435456 in all), b/notes.png (not an image: neither PNG nor "
                   "JPEG)");

  /* a class whose every file is broken */
  g_autofree char *g3 = g_build_filename (b, "good3.png", NULL);
  g_autofree char *g4 = g_build_filename (b, "good4.png", NULL);
  g_remove (g3);
  g_remove (g4);
  expect_error (root, NULL, CNN_ERROR_FORMAT, b, "has no readable images");
  cnn_test_remove_tree (root);
}

static void
test_folder_errors (void)
{
  g_autofree char *root = make_tmp_dir ();
  /* no sub-folders at all */
  expect_error (root, NULL, CNN_ERROR_FORMAT, root, "no images");
  /* an empty class folder is named */
  g_autofree char *a = make_dir (root, "apples");
  g_autofree char *p = make_dir (root, "pears");
  write_uniform (a, "1.png", 1, 3, 3, 1, FALSE);
  expect_error (root, NULL, CNN_ERROR_FORMAT, p, "class “pears” has no images");
  /* a class holding only a sub-folder is empty too */
  g_autofree char *nested = make_dir (p, "deeper");
  write_uniform (nested, "2.png", 1, 3, 3, 1, FALSE);
  expect_error (root, NULL, CNN_ERROR_FORMAT, p, "directly inside");
  /* bad options */
  write_uniform (p, "3.png", 1, 3, 3, 1, FALSE);
  CnnDataOptions half = { .h = 5 };
  expect_error (root, &half, CNN_ERROR_INVALID_ARG, "input size 5×0", NULL);
  CnnDataOptions two = { .channels = 2 };
  expect_error (root, &two, CNN_ERROR_INVALID_ARG, "2 channels", NULL);
  CnnDataOptions ok = { .h = 2, .w = 2 };
  g_autoptr (CnnDataset) ds = load_ok (root, &ok);
  g_assert_cmpint (ds->train->n, ==, 2);
  /* a path that is not there, or a file */
  expect_error ("/nonexistent/images", NULL, CNN_ERROR_INVALID_ARG, "/nonexistent/images", NULL);
  g_autofree char *file = g_build_filename (a, "1.png", NULL);
  expect_error (file, NULL, CNN_ERROR_INVALID_ARG, file, "not a folder");
  GError *error = NULL;
  g_assert_null (cnn_dataset_load_folder ("/nonexistent/images", NULL, &error));
  g_assert_true (g_error_matches (error, CNN_ERROR, CNN_ERROR_IO));
  g_clear_error (&error);
  cnn_test_remove_tree (root);
}

/* A file that cannot be read is an error (I/O), not a skipped image. */
static void
test_folder_unreadable (void)
{
  g_autofree char *root = make_tmp_dir ();
  g_autofree char *cls = make_dir (root, "c");
  write_uniform (cls, "a.png", 1, 3, 3, 1, FALSE);
  write_uniform (cls, "b.png", 1, 3, 3, 1, FALSE);
  g_autofree char *locked = g_build_filename (cls, "b.png", NULL);
  g_assert_cmpint (g_chmod (locked, 0), ==, 0);
  if (g_access (locked, R_OK) == 0)
    {
      /* root reads it anyway */
      g_test_skip ("permissions do not stop this user from reading files");
      cnn_test_remove_tree (root);
      return;
    }
  expect_error (root, NULL, CNN_ERROR_IO, locked, "cannot open");
  g_assert_cmpint (g_chmod (cls, 0), ==, 0);
  expect_error (root, NULL, CNN_ERROR_IO, cls, "cannot open the folder");
  g_chmod (cls, 0755);
  cnn_test_remove_tree (root);
}

/* ---------- train/ + val/ + test/ ---------- */

static void
test_folder_splits (void)
{
  g_autofree char *root = make_tmp_dir ();
  const char *classes[] = { "cat", "dog" };
  for (int k = 0; k < 2; k++)
    {
      g_autofree char *tr = g_build_filename (root, "train", classes[k], NULL);
      g_autofree char *va = g_build_filename (root, "val", classes[k], NULL);
      g_autofree char *te = g_build_filename (root, "test", classes[k], NULL);
      g_mkdir_with_parents (tr, 0755);
      g_mkdir_with_parents (va, 0755);
      g_mkdir_with_parents (te, 0755);
      for (int i = 0; i < 3; i++)
        {
          g_autofree char *name = g_strdup_printf ("%d.png", i);
          write_uniform (tr, name, 1, 4, 4, 10 * k + i, FALSE);
          if (i < 2)
            write_uniform (va, name, 1, 4, 4, 100 + 10 * k + i, FALSE);
          if (i < 1 + k)
            write_uniform (te, name, 1, 4, 4, 200 + 10 * k + i, FALSE);
        }
    }
  g_autoptr (CnnDataset) ds = load_ok (root, NULL);
  g_assert_cmpint (ds->n_classes, ==, 2);
  g_assert_cmpstr (ds->class_names[1], ==, "dog");
  /* 6 training images, then the 4 of val/ */
  g_assert_cmpint (ds->train->n, ==, 10);
  g_assert_cmpint (ds->n_fixed_val, ==, 4);
  const int values[] = { 0, 1, 2, 10, 11, 12, 100, 101, 110, 111 };
  const int labels[] = { 0, 0, 0, 1, 1, 1, 0, 0, 1, 1 };
  for (int i = 0; i < 10; i++)
    {
      g_assert_cmpint (value_of (ds->train, i, 0), ==, values[i]);
      g_assert_cmpint (ds->train->labels[i], ==, labels[i]);
    }
  /* the split train and eval share: val/ whatever the fraction, then the
   * limit on the training part only */
  int *tr, *va, nt, nv;
  cnn_dataset_split (ds, 0.5, 2, 9, &tr, &nt, &va, &nv);
  g_assert_cmpint (nv, ==, 4);
  for (int i = 0; i < 4; i++)
    g_assert_cmpint (va[i], ==, 6 + i);
  g_assert_cmpint (nt, ==, 4);   /* 2 of the 3 of each class */
  for (int i = 0; i < 4; i++)
    {
      g_assert_cmpint (tr[i], <, 6);
      g_assert_cmpint (ds->train->labels[tr[i]], ==, i / 2);
    }
  g_free (tr);
  g_free (va);

  g_assert_nonnull (ds->test);
  g_assert_cmpint (ds->test->n, ==, 3);
  g_assert_cmpint (value_of (ds->test, 2, 0), ==, 211);
  g_assert_cmpint (ds->test->labels[2], ==, 1);

  /* a broken file in val/ is named with its split */
  g_autofree char *bad = g_build_filename (root, "val", "dog", "broken.png", NULL);
  cnn_test_write_bytes (bad, "xx", 2);
  g_autoptr (CnnDataset) ds2 = load_ok (root, NULL);
  g_assert_cmpint (ds2->n_fixed_val, ==, 4);
  g_assert_cmpstr (ds2->load_summary, ==,
                   "1 of 14 files skipped: val/dog/broken.png (not an image: neither PNG nor JPEG)");
  g_remove (bad);

  /* a val/ class unknown to train/ */
  g_autofree char *bird = g_build_filename (root, "val", "bird", NULL);
  g_mkdir_with_parents (bird, 0755);
  write_uniform (bird, "b.png", 1, 4, 4, 1, FALSE);
  expect_error (root, NULL, CNN_ERROR_FORMAT, bird, "not a class of the training images");
  cnn_test_remove_tree (bird);

  /* without val/: no fixed validation set */
  g_autofree char *val = g_build_filename (root, "val", NULL);
  cnn_test_remove_tree (val);
  g_autoptr (CnnDataset) ds3 = load_ok (root, NULL);
  g_assert_cmpint (ds3->n_fixed_val, ==, 0);
  g_assert_cmpint (ds3->train->n, ==, 6);
  g_assert_cmpint (ds3->test->n, ==, 3);
  cnn_test_remove_tree (root);
}

/* ---------- progress and determinism ---------- */

typedef struct
{
  int calls, last_done, total;
  gboolean increasing;
} Progress;

static void
on_progress (int done, int total, gpointer data)
{
  Progress *p = data;
  p->increasing &= done > p->last_done && done <= total;
  p->calls++;
  p->last_done = done;
  p->total = total;
}

static void
test_folder_progress (void)
{
  g_autofree char *root = make_tmp_dir ();
  for (int k = 0; k < 3; k++)
    {
      g_autofree char *name = g_strdup_printf ("class%d", k);
      g_autofree char *cls = make_dir (root, name);
      for (int i = 0; i < 30; i++)
        {
          g_autofree char *file = g_strdup_printf ("%02d.%s", i, i % 3 ? "png" : "jpg");
          guint8 px[3 * 9 * 7];
          for (int j = 0; j < (int) sizeof px; j++)
            px[j] = (guint8) (j * (k + 1) + i * 13);
          g_autofree char *path = g_build_filename (cls, file, NULL);
          if (i % 3)
            cnn_test_write_png_planes (path, 3, 9, 7, px);
          else
            cnn_test_write_jpeg_planes (path, 3, 9, 7, px, 90);
        }
    }
  Progress p = { 0, 0, 0, TRUE };
  CnnDataOptions opts = { .progress = on_progress, .user_data = &p, .h = 8, .w = 8 };
  g_autoptr (CnnDataset) a = load_ok (root, &opts);
  g_assert_cmpint (a->train->n, ==, 90);
  g_assert_true (p.increasing);
  g_assert_cmpint (p.calls, >=, 2);          /* chunks of at least 16 */
  g_assert_cmpint (p.last_done, ==, 90);
  g_assert_cmpint (p.total, ==, 90);
  /* two decoding threads, the same bytes every time */
  for (int round = 0; round < 2; round++)
    {
      g_autoptr (CnnDataset) b = load_ok (root, &opts);
      g_assert_cmpmem (a->train->pixels, 90 * 3 * 64, b->train->pixels, 90 * 3 * 64);
      g_assert_cmpmem (a->train->labels, 90, b->train->labels, 90);
    }
  cnn_test_remove_tree (root);
}

/* ---------- CIFAR-10 ---------- */

/* n records; record i: label labels[i], R[j] = (i + j) % 256,
 * G[j] = (2i + j + 100) % 256, B[j] = (3i + 7j) % 256. */
static void
write_cifar (const char *dir, const char *name, int n, const guint8 *labels, int first, gsize cut)
{
  gsize len = (gsize) n * 3073;
  g_autofree guint8 *d = g_new (guint8, len);
  for (int i = 0; i < n; i++)
    {
      guint8 *r = d + (gsize) i * 3073;
      int id = first + i;
      r[0] = labels[i];
      for (int j = 0; j < 1024; j++)
        {
          r[1 + j] = (guint8) (id + j);
          r[1 + 1024 + j] = (guint8) (2 * id + j + 100);
          r[1 + 2048 + j] = (guint8) (3 * id + 7 * j);
        }
    }
  g_autofree char *path = g_build_filename (dir, name, NULL);
  cnn_test_write_bytes (path, d, len - cut);
}

static void
check_cifar_image (const CnnImageSet *set, int i, int id)
{
  const guint8 *p = set->pixels + (gsize) i * 3072;   /* (3, 32, 32) */
  for (int j = 0; j < 1024; j++)
    {
      g_assert_cmpint (p[j], ==, (guint8) (id + j));
      g_assert_cmpint (p[1024 + j], ==, (guint8) (2 * id + j + 100));
      g_assert_cmpint (p[2048 + j], ==, (guint8) (3 * id + 7 * j));
    }
}

static void
test_cifar (void)
{
  g_autofree char *root = make_tmp_dir ();
  const guint8 l1[] = { 0, 9, 3, 3, 1 }, l3[] = { 5, 2, 7 }, lt[] = { 8, 0 };
  /* batches 1 and 3 only: any subset is fine */
  write_cifar (root, "data_batch_1.bin", 5, l1, 0, 0);
  write_cifar (root, "data_batch_3.bin", 3, l3, 5, 0);
  write_cifar (root, "test_batch.bin", 2, lt, 50, 0);
  g_autoptr (CnnDataset) ds = load_ok (root, NULL);
  g_assert_cmpint (ds->n_classes, ==, 10);
  g_assert_cmpstr (ds->class_names[0], ==, "airplane");
  g_assert_cmpstr (ds->class_names[9], ==, "truck");
  g_assert_cmpint (ds->train->n, ==, 8);
  g_assert_cmpint (ds->train->c, ==, 3);
  g_assert_cmpint (ds->train->h, ==, 32);
  g_assert_cmpint (ds->train->w, ==, 32);
  for (int i = 0; i < 8; i++)
    {
      g_assert_cmpint (ds->train->labels[i], ==, i < 5 ? l1[i] : l3[i - 5]);
      check_cifar_image (ds->train, i, i);
    }
  g_assert_cmpint (ds->test->n, ==, 2);
  g_assert_cmpint (ds->test->labels[0], ==, 8);
  check_cifar_image (ds->test, 1, 51);

  /* class names from batches.meta.txt (blank lines skipped) */
  g_autofree char *meta = g_build_filename (root, "batches.meta.txt", NULL);
  const char *names = "a\nb\nc\n\nd\ne\nf\ng\nh\ni\nj\n\n";
  cnn_test_write_bytes (meta, names, strlen (names));
  g_autoptr (CnnDataset) ds2 = load_ok (root, NULL);
  g_assert_cmpstr (ds2->class_names[3], ==, "d");
  g_assert_cmpstr (ds2->class_names[9], ==, "j");
  cnn_test_write_bytes (meta, "a\nb\n", 4);
  expect_error (root, NULL, CNN_ERROR_FORMAT, meta, "holds 2 class names");
  g_remove (meta);

  /* resized and gray on request: the luma of a uniform area */
  CnnDataOptions opts = { .h = 16, .w = 16, .channels = 1 };
  g_autoptr (CnnDataset) small = load_ok (root, &opts);
  g_assert_cmpint (small->train->c, ==, 1);
  g_assert_cmpint (small->train->h, ==, 16);
  g_assert_cmpint (small->test->h, ==, 16);

  /* a truncated batch names the file and the record size */
  write_cifar (root, "data_batch_3.bin", 3, l3, 5, 100);
  g_autofree char *b3 = g_build_filename (root, "data_batch_3.bin", NULL);
  expect_error (root, NULL, CNN_ERROR_FORMAT, b3, "not a whole number of CIFAR-10 records");
  /* a label beyond 9 */
  const guint8 bad[] = { 5, 12, 7 };
  write_cifar (root, "data_batch_3.bin", 3, bad, 5, 0);
  expect_error (root, NULL, CNN_ERROR_FORMAT, b3, "record 1 has label 12");
  /* an empty file */
  cnn_test_write_bytes (b3, "", 0);
  expect_error (root, NULL, CNN_ERROR_FORMAT, b3, "empty file");
  /* only the test batch */
  g_remove (b3);
  g_autofree char *b1 = g_build_filename (root, "data_batch_1.bin", NULL);
  g_remove (b1);
  expect_error (root, NULL, CNN_ERROR_IO, root, "no data_batch_1.bin");
  cnn_test_remove_tree (root);
}

/* ---------- the per-class limit ---------- */

static void
test_limit_per_class (void)
{
  const int counts[] = { 50, 3, 0, 20 };
  g_autoptr (CnnImageSet) set = cnn_image_set_new (73, 1, 1, 1);
  for (int i = 0, k = 0; k < 4; k++)
    for (int j = 0; j < counts[k]; j++, i++)
      set->labels[(i * 29) % 73] = (guint8) k;   /* 29 is prime to 73: a permutation */
  /* every other image as the candidates */
  int idx[37], n = 0;
  int in_idx[4] = { 0 };
  for (int i = 0; i < 73; i += 2)
    {
      idx[n++] = i;
      in_idx[set->labels[i]]++;
    }
  int *out = NULL, n_out = 0;
  cnn_limit_per_class (set, idx, n, 10, 7, &out, &n_out);
  int got[4] = { 0 };
  for (int j = 0; j < n_out; j++)
    {
      g_assert_true (j == 0 || out[j] > out[j - 1]);   /* sorted, no duplicates */
      g_assert_true (out[j] % 2 == 0 && out[j] < 73);   /* among idx */
      got[set->labels[out[j]]]++;
    }
  for (int k = 0; k < 4; k++)
    g_assert_cmpint (got[k], ==, MIN (in_idx[k], 10));
  /* seeded: the same seed the same images, another seed others */
  int *again = NULL, n_again = 0, *other = NULL, n_other = 0;
  cnn_limit_per_class (set, idx, n, 10, 7, &again, &n_again);
  cnn_limit_per_class (set, idx, n, 10, 8, &other, &n_other);
  g_assert_cmpint (n_again, ==, n_out);
  g_assert_cmpmem (again, sizeof (int) * n_out, out, sizeof (int) * n_out);
  g_assert_cmpint (n_other, ==, n_out);
  g_assert_true (memcmp (other, out, sizeof (int) * n_out) != 0);
  /* the order of idx does not matter */
  int rev[37];
  for (int j = 0; j < n; j++)
    rev[j] = idx[n - 1 - j];
  int *from_rev = NULL, n_rev = 0;
  cnn_limit_per_class (set, rev, n, 10, 7, &from_rev, &n_rev);
  g_assert_cmpmem (from_rev, sizeof (int) * n_rev, out, sizeof (int) * n_out);
  /* no limit keeps everything */
  int *all = NULL, n_all = 0;
  cnn_limit_per_class (set, rev, n, 0, 7, &all, &n_all);
  g_assert_cmpint (n_all, ==, n);
  g_assert_cmpmem (all, sizeof (int) * n, idx, sizeof (int) * n);
  g_free (out);
  g_free (again);
  g_free (other);
  g_free (from_rev);
  g_free (all);
}

/* Other data sets are resized and converted when asked, too. */
static void
test_reshape_synthetic (void)
{
  CnnDataOptions opts = { .h = 14, .w = 14, .channels = 3, .seed = 2 };
  g_autoptr (CnnDataset) ds = load_ok ("synthetic", &opts);
  g_assert_cmpint (ds->train->c, ==, 3);
  g_assert_cmpint (ds->train->h, ==, 14);
  g_assert_cmpint (ds->test->w, ==, 14);
  g_autoptr (CnnDataset) same = load_ok ("synthetic", &(CnnDataOptions) { .seed = 2 });
  g_assert_cmpint (same->train->c, ==, 1);
  g_assert_cmpint (same->train->h, ==, 28);
  /* a 28×28 image averaged 2×2 and repeated in three planes */
  const guint8 *src = same->train->pixels, *dst = ds->train->pixels;
  for (int y = 0; y < 14; y++)
    for (int x = 0; x < 14; x++)
      {
        int s = src[2 * y * 28 + 2 * x] + src[2 * y * 28 + 2 * x + 1]
                + src[(2 * y + 1) * 28 + 2 * x] + src[(2 * y + 1) * 28 + 2 * x + 1];
        int expect = (2 * s + 4) / 8;   /* s / 4 rounded half up */
        for (int k = 0; k < 3; k++)
          g_assert_cmpint (dst[k * 196 + y * 14 + x], ==, expect);
      }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/folder/basic", test_folder_basic);
  g_test_add_func ("/folder/fit", test_folder_fit);
  g_test_add_func ("/folder/broken", test_folder_broken);
  g_test_add_func ("/folder/errors", test_folder_errors);
  g_test_add_func ("/folder/unreadable", test_folder_unreadable);
  g_test_add_func ("/folder/splits", test_folder_splits);
  g_test_add_func ("/folder/progress", test_folder_progress);
  g_test_add_func ("/cifar", test_cifar);
  g_test_add_func ("/limit-per-class", test_limit_per_class);
  g_test_add_func ("/reshape/synthetic", test_reshape_synthetic);
  return g_test_run ();
}
