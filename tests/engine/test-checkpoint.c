/* Checkpoints: a round trip gives the same outputs; wrong or damaged files
 * give one clear error. */
#include "cnn-engine.h"

#include <glib/gstdio.h>
#include <string.h>
#include <zlib.h>

static char *tmpdir;

static CnnNetwork *
make_net (void)
{
  g_autoptr (GError) error = NULL;
  CnnNetwork *net = cnn_network_new (cnn_preset_get_text ("cnn2"), "cnn2", (CnnShape) { 1, 28, 28 }, 10, &error);
  g_assert_no_error (error);
  cnn_network_init_params (net, 8);
  /* make the BN statistics something other than their initial values */
  float *state = cnn_network_get_state (net);
  for (size_t i = 0; i < cnn_network_get_n_state (net); i++)
    state[i] = 0.5f + 0.01f * (float) i;
  return net;
}

static char *
save_one (const char *name)
{
  g_autoptr (CnnNetwork) net = make_net ();
  g_autoptr (CnnDataset) ds = cnn_dataset_new_synthetic (1, 50, 0);
  g_autoptr (CnnNormalizer) nz = cnn_normalizer_new_fit (CNN_STANDARDIZE_PIXEL, ds->train, NULL, 0);
  char *names[] = { "a", "b", NULL };
  CnnCheckpointMeta meta = { .data = "synthetic", .class_names = names, .val_split = 0.25, .seed = 77,
                             .epochs_done = 3, .optimizer = "adam lr=0.001" };
  char *path = g_build_filename (tmpdir, name, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (cnn_checkpoint_save (path, net, NULL, NULL, nz, &meta, &error));
  g_assert_no_error (error);
  return path;
}

static void
test_roundtrip (void)
{
  g_autofree char *path = save_one ("round.ckpt");
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnCheckpoint) ck = cnn_checkpoint_load (path, &error);
  g_assert_no_error (error);
  g_autoptr (CnnNetwork) net = make_net ();
  g_assert_cmpuint (cnn_network_get_n_params (ck->net), ==, cnn_network_get_n_params (net));
  g_assert_true (memcmp (cnn_network_get_params (ck->net), cnn_network_get_params (net),
                         cnn_network_get_n_params (net) * sizeof (float)) == 0);
  g_assert_true (memcmp (cnn_network_get_state (ck->net), cnn_network_get_state (net),
                         cnn_network_get_n_state (net) * sizeof (float)) == 0);
  g_assert_cmpstr (ck->meta.data, ==, "synthetic");
  g_assert_cmpfloat (ck->meta.val_split, ==, 0.25);
  g_assert_cmpuint (ck->meta.seed, ==, 77);
  g_assert_cmpint (ck->meta.epochs_done, ==, 3);
  g_assert_cmpstr (ck->meta.class_names[1], ==, "b");
  g_assert_cmpstr (ck->meta.optimizer, ==, "adam lr=0.001");
  g_assert_cmpint (ck->normalizer->mode, ==, CNN_STANDARDIZE_PIXEL);
  g_assert_cmpstr (cnn_network_get_spec (ck->net), ==, cnn_preset_get_text ("cnn2"));

  /* same inference outputs, bit for bit */
  float x[2 * 784];
  for (int i = 0; i < 2 * 784; i++)
    x[i] = (float) ((i * 37) % 101) / 101.0f;
  g_autofree float *a = g_memdup2 (cnn_network_forward (net, x, 2, FALSE, NULL, NULL, -1), 20 * sizeof (float));
  const float *b = cnn_network_forward (ck->net, x, 2, FALSE, NULL, NULL, -1);
  g_assert_true (memcmp (a, b, 20 * sizeof (float)) == 0);
}

static void
expect_load_error (const char *path, int code, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnCheckpoint) ck = cnn_checkpoint_load (path, &error);
  g_assert_null (ck);
  g_assert_error (error, CNN_ERROR, code);
  if (strstr (error->message, fragment) == NULL || strstr (error->message, path) == NULL)
    g_error ("“%s” lacks “%s” or the path", error->message, fragment);
}

static void
test_damaged (void)
{
  g_autofree char *path = save_one ("good.ckpt");
  g_autofree char *bytes = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  g_autofree char *bad = g_build_filename (tmpdir, "bad.ckpt", NULL);

  /* one flipped bit in the weights */
  bytes[len - 100] ^= 0x10;
  g_assert_true (g_file_set_contents (bad, bytes, len, NULL));
  expect_load_error (bad, CNN_ERROR_FORMAT, "damaged (checksum mismatch)");
  bytes[len - 100] ^= 0x10;

  /* cut short */
  g_assert_true (g_file_set_contents (bad, bytes, len / 2, NULL));
  expect_load_error (bad, CNN_ERROR_FORMAT, "damaged");
  g_assert_true (g_file_set_contents (bad, bytes, 10, NULL));
  expect_load_error (bad, CNN_ERROR_FORMAT, "not a Convscope checkpoint");
  g_assert_true (g_file_set_contents (bad, "", 0, NULL));
  expect_load_error (bad, CNN_ERROR_FORMAT, "not a Convscope checkpoint");

  /* another program's file */
  g_assert_true (g_file_set_contents (bad, "\x89PNG\r\n\x1a\n0000000000000000000000000", -1, NULL));
  expect_load_error (bad, CNN_ERROR_FORMAT, "not a Convscope checkpoint");

  /* a future version */
  bytes[14] = 9;
  g_assert_true (g_file_set_contents (bad, bytes, len, NULL));
  expect_load_error (bad, CNN_ERROR_FORMAT, "version 9 is not supported");

  g_autofree char *missing = g_build_filename (tmpdir, "missing.ckpt", NULL);
  expect_load_error (missing, CNN_ERROR_IO, "No such file");
}

static void
test_atomic_overwrite (void)
{
  /* saving over an existing checkpoint replaces it whole; no temp files stay */
  g_autofree char *path = save_one ("same.ckpt");
  g_free (save_one ("same.ckpt"));
  g_autoptr (GDir) dir = g_dir_open (tmpdir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (dir)))
    g_assert_true (g_str_has_suffix (name, ".ckpt"));
  g_autoptr (CnnCheckpoint) ck = cnn_checkpoint_load (path, NULL);
  g_assert_nonnull (ck);
}

/* The data keys of image folders round-trip; a checkpoint written before
 * they existed loads with their defaults. */
static void
test_data_keys (void)
{
  g_autoptr (CnnNetwork) net = make_net ();
  g_autoptr (CnnDataset) ds = cnn_dataset_new_synthetic (1, 50, 0);
  g_autoptr (CnnNormalizer) nz = cnn_normalizer_new_fit (CNN_STANDARDIZE_SCALE, ds->train, NULL, 0);
  CnnCheckpointMeta meta = { .data = "photos", .fit = CNN_FIT_STRETCH, .limit_per_class = 100,
                             .val_fixed = TRUE, .classes = "5-9" };
  g_autofree char *path = g_build_filename (tmpdir, "keys.ckpt", NULL);
  g_assert_true (cnn_checkpoint_save (path, net, NULL, NULL, nz, &meta, NULL));
  g_autoptr (CnnCheckpoint) ck = cnn_checkpoint_load (path, NULL);
  g_assert_nonnull (ck);
  g_assert_cmpint (ck->meta.fit, ==, CNN_FIT_STRETCH);
  g_assert_cmpint (ck->meta.limit_per_class, ==, 100);
  g_assert_true (ck->meta.val_fixed);
  g_assert_cmpstr (ck->meta.classes, ==, "5-9");

  /* the same file without the three keys, its length and CRC redone */
  g_autofree char *bytes = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  guint32 header_len;
  memcpy (&header_len, bytes + 18, 4);
  header_len = GUINT32_FROM_LE (header_len);
  g_autofree char *header = g_strndup (bytes + 22, header_len);
  g_auto (GStrv) lines = g_strsplit (header, "\n", -1);
  GString *old = g_string_new (NULL);
  for (int i = 0; lines[i]; i++)
    if (!g_str_has_prefix (lines[i], "fit=") && !g_str_has_prefix (lines[i], "limit_per_class=")
        && !g_str_has_prefix (lines[i], "val_fixed=") && !g_str_has_prefix (lines[i], "class_subset="))
      g_string_append_printf (old, "%s%s", lines[i], lines[i + 1] ? "\n" : "");
  g_assert_cmpuint (old->len, <, header_len);
  g_autoptr (GByteArray) b = g_byte_array_new ();
  g_byte_array_append (b, (guint8 *) bytes, 18);
  guint32 le = GUINT32_TO_LE ((guint32) old->len);
  g_byte_array_append (b, (guint8 *) &le, 4);
  g_byte_array_append (b, (guint8 *) old->str, old->len);
  g_byte_array_append (b, (guint8 *) bytes + 22 + header_len, len - 22 - header_len - 4);
  guint32 crc = GUINT32_TO_LE ((guint32) crc32 (0, b->data, b->len));
  g_byte_array_append (b, (guint8 *) &crc, 4);
  g_string_free (old, TRUE);
  g_autofree char *old_path = g_build_filename (tmpdir, "old.ckpt", NULL);
  g_assert_true (g_file_set_contents (old_path, (char *) b->data, b->len, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnCheckpoint) ck_old = cnn_checkpoint_load (old_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ck_old->meta.fit, ==, CNN_FIT_CROP);
  g_assert_cmpint (ck_old->meta.limit_per_class, ==, 0);
  g_assert_false (ck_old->meta.val_fixed);
  g_assert_null (ck_old->meta.classes);   /* every class */
  g_assert_cmpstr (ck_old->meta.data, ==, "photos");
}

static void
test_augment_meta (void)
{
  /* the run's augmentation travels with the checkpoint; a checkpoint
   * written before there was augmentation (no such key) still loads */
  g_autoptr (CnnNetwork) net = make_net ();
  g_autoptr (CnnDataset) ds = cnn_dataset_new_synthetic (1, 20, 0);
  g_autoptr (CnnNormalizer) nz = cnn_normalizer_new_fit (CNN_STANDARDIZE_SCALE, ds->train, NULL, 0);
  const char *texts[] = { "rotation=15,hflip,fill=nearest", NULL };
  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      CnnCheckpointMeta meta = { .data = "synthetic", .optimizer = "adam lr=0.001",
                                 .augment = (char *) texts[i] };
      g_autofree char *path = g_build_filename (tmpdir, i == 0 ? "aug.ckpt" : "old.ckpt", NULL);
      g_autoptr (GError) error = NULL;
      g_assert_true (cnn_checkpoint_save (path, net, NULL, NULL, nz, &meta, &error));
      g_autofree char *bytes = NULL;
      gsize len;
      g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
      /* the header text starts after the magic, version and length */
      gboolean has_key = g_strstr_len (bytes + 22, len - 22, "\naugment=") != NULL;
      g_assert_true (has_key == (texts[i] != NULL));
      g_autoptr (CnnCheckpoint) ck = cnn_checkpoint_load (path, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (ck->meta.augment, ==, texts[i]);
      g_assert_cmpstr (ck->meta.optimizer, ==, "adam lr=0.001");
    }
}

static void
remove_tree (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_remove (p);
    }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("convscope-ckpt-XXXXXX", NULL);
  g_test_add_func ("/checkpoint/roundtrip", test_roundtrip);
  g_test_add_func ("/checkpoint/damaged", test_damaged);
  g_test_add_func ("/checkpoint/atomic-overwrite", test_atomic_overwrite);
  g_test_add_func ("/checkpoint/data-keys", test_data_keys);
  g_test_add_func ("/checkpoint/augment-meta", test_augment_meta);
  int status = g_test_run ();
  remove_tree (tmpdir);
  g_free (tmpdir);
  return status;
}
