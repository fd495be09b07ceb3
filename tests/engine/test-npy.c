/* .npy files: float32 arrays round-trip bit for bit (versions 1 and 2),
 * float64 and uint8 files read as floats, and every malformed header or
 * data block gives one error naming the file and the problem. */
#include "cnn-engine.h"

#include <glib/gstdio.h>
#include <string.h>

static char *tmpdir;

static void
test_roundtrip (void)
{
  const gint64 shapes[][4] = { { 2, 1, 28, 28 }, { 5 }, { 3, 4 }, { 0, 3 } };
  const int ndims[] = { 4, 1, 2, 2 };
  CnnRng rng;
  cnn_rng_init (&rng, 1, 0);
  for (guint t = 0; t < G_N_ELEMENTS (ndims); t++)
    {
      gsize n = 1;
      for (int i = 0; i < ndims[t]; i++)
        n *= (gsize) shapes[t][i];
      g_autofree float *data = g_new (float, MAX (n, 1));
      for (gsize i = 0; i < n; i++)
        data[i] = (float) cnn_rng_normal (&rng) * 1e3f;
      if (n > 2)
        data[1] = -0.0f;   /* signs and tiny values survive */
      g_autofree char *path = g_build_filename (tmpdir, "a.npy", NULL);
      g_autoptr (GError) error = NULL;
      g_assert_true (cnn_npy_save (path, data, ndims[t], shapes[t], &error));
      g_assert_no_error (error);
      g_autoptr (CnnNpy) npy = cnn_npy_load (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (npy->ndim, ==, ndims[t]);
      for (int i = 0; i < ndims[t]; i++)
        g_assert_cmpint (npy->shape[i], ==, shapes[t][i]);
      g_assert_cmpuint (npy->n, ==, n);
      g_assert_cmpmem (npy->data, n * sizeof (float), data, n * sizeof (float));

      /* what NumPy expects: version 1, data aligned to 64 bytes, the
       * header ending in a newline, "(5,)" for one dimension */
      g_autofree char *bytes = NULL;
      gsize len;
      g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
      g_assert_cmpint (bytes[6], ==, 1);
      gsize header = (guint8) bytes[8] | (gsize) (guint8) bytes[9] << 8;
      g_assert_cmpuint ((10 + header) % 64, ==, 0);
      g_assert_cmpint (bytes[10 + header - 1], ==, '\n');
      if (ndims[t] == 1)
        g_assert_nonnull (strstr (bytes + 10, "'shape': (5,)"));
    }
}

/* a hand-made file: version `major`, header text, then `data` */
static GBytes *
make (int major, const char *header, const void *data, gsize data_len)
{
  GByteArray *b = g_byte_array_new ();
  g_byte_array_append (b, (const guint8 *) "\x93NUMPY", 6);
  guint8 version[2] = { (guint8) major, 0 };
  g_byte_array_append (b, version, 2);
  guint32 hl = (guint32) strlen (header);
  guint8 len[4] = { hl & 0xff, hl >> 8 & 0xff, hl >> 16 & 0xff, hl >> 24 };
  g_byte_array_append (b, len, major == 1 ? 2 : 4);
  g_byte_array_append (b, (const guint8 *) header, hl);
  g_byte_array_append (b, data, data_len);
  return g_byte_array_free_to_bytes (b);
}

static void
test_other_types (void)
{
  /* float64, version 2, Python's long suffix, no trailing comma */
  const double d[3] = { 1.5, -2.25, 1e-3 };
  g_autoptr (GBytes) f8 = make (2, "{'descr': '<f8', 'fortran_order': False, 'shape': (3L,)}\n", d, sizeof d);
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNpy) a = cnn_npy_parse ("f8.npy", g_bytes_get_data (f8, NULL), g_bytes_get_size (f8), &error);
  g_assert_no_error (error);
  g_assert_cmpint (a->ndim, ==, 1);
  g_assert_cmpfloat (a->data[0], ==, 1.5f);
  g_assert_cmpfloat (a->data[1], ==, -2.25f);
  g_assert_cmpfloat (a->data[2], ==, 1e-3f);

  /* bytes, keys in another order, a scalar-free 2-D shape */
  const guint8 u[4] = { 0, 1, 128, 255 };
  g_autoptr (GBytes) u1 = make (1, "{'shape': (2, 2), 'fortran_order': False, 'descr': '|u1', }    \n", u,
                                sizeof u);
  g_autoptr (CnnNpy) b = cnn_npy_parse ("u1.npy", g_bytes_get_data (u1, NULL), g_bytes_get_size (u1), &error);
  g_assert_no_error (error);
  g_assert_cmpint (b->shape[0], ==, 2);
  g_assert_cmpfloat (b->data[2], ==, 128.0f);
  g_assert_cmpfloat (b->data[3], ==, 255.0f);
}

static void
test_malformed (void)
{
  const float four[4] = { 1, 2, 3, 4 };
  const char *good = "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }\n";
  struct
  {
    int major;
    const char *header;
    gsize data_len;
    const char *expect;   /* in the message */
  } cases[] = {
    { 7, good, 16, "version 7" },
    { 1, "['descr', '<f4']\n", 16, "not a Python dict" },
    { 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,)\n", 16, "malformed" },
    { 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (4,), }\n", 16, "Fortran order" },
    { 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }\n", 16, ">f4" },
    { 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }\n", 16, "<i8" },
    { 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4, x), }\n", 16, "shape" },
    { 1, "{'descr': '<f4', 'fortran_order': False, }\n", 16, "lacks shape" },
    { 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'extra': 1}\n", 16, "unknown key" },
    { 1, good, 12, "truncated" },
    { 1, good, 16 + 4, "size mismatch" },
    { 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }\n", 16, "truncated" },
    { 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999), }\n", 16, "shape" },
  };
  float data[5] = { 1, 2, 3, 4, 5 };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GBytes) bytes = make (cases[i].major, cases[i].header, data, cases[i].data_len);
      g_autoptr (GError) error = NULL;
      CnnNpy *npy = cnn_npy_parse ("bad.npy", g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
      g_test_message ("case %u: %s", i, error ? error->message : "(accepted)");
      g_assert_null (npy);
      g_assert_error (error, CNN_ERROR, CNN_ERROR_FORMAT);
      g_assert_true (g_str_has_prefix (error->message, "bad.npy: "));
      g_assert_nonnull (strstr (error->message, cases[i].expect));
      g_assert_null (strchr (error->message, '\n'));
    }
  (void) four;

  /* not a .npy at all, and a header longer than the file */
  g_autoptr (GError) error = NULL;
  g_assert_null (cnn_npy_parse ("x.npy", (const guint8 *) "PNG\x0d\x0a", 5, &error));
  g_assert_nonnull (strstr (error->message, "x.npy: not a NumPy .npy file"));
  g_clear_error (&error);
  const guint8 cut[] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 200, 0, '{' };
  g_assert_null (cnn_npy_parse ("cut.npy", cut, sizeof cut, &error));
  g_assert_nonnull (strstr (error->message, "ends inside its header"));
  g_clear_error (&error);

  /* files: a missing one, and one that cannot be written */
  g_autofree char *missing = g_build_filename (tmpdir, "missing.npy", NULL);
  g_assert_null (cnn_npy_load (missing, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "missing.npy"));
  g_clear_error (&error);
  g_autofree char *nodir = g_build_filename (tmpdir, "no", "such", "dir.npy", NULL);
  const gint64 shape[1] = { 4 };
  g_assert_false (cnn_npy_save (nodir, four, 1, shape, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "cannot write"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("convscope-npy-XXXXXX", NULL);
  g_test_add_func ("/npy/roundtrip", test_roundtrip);
  g_test_add_func ("/npy/other-types", test_other_types);
  g_test_add_func ("/npy/malformed", test_malformed);
  int status = g_test_run ();
  g_autofree char *a = g_build_filename (tmpdir, "a.npy", NULL);
  g_remove (a);
  g_rmdir (tmpdir);
  g_free (tmpdir);
  return status;
}
