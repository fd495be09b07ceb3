/* ONNX import and export. The models in tests/data/onnx/ were written by
 * tools/make-onnx-tests.py with PyTorch, with the outputs PyTorch computed
 * for a batch of two inputs; ours must match them. Broken files must give
 * one clear error, and an export read back must compute the same.
 *
 * Tolerance: max |ours - PyTorch| / max(1, |ours|, |PyTorch|) < 1e-4 (the
 * issue's bound). Float32 sums in another order differ by about 1e-6 here. */
#include "cnn-engine.h"
#include "cnn-onnx.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cnn-test-utils.h"

#define TOL 1e-4

static char *
data_path (const char *file)
{
  return g_test_build_filename (G_TEST_DIST, "data", "onnx", file, NULL);
}

static float *
read_floats (const char *file, size_t *n)
{
  g_autofree char *path = data_path (file);
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len % 4, ==, 0);
  *n = len / 4;
  return g_memdup2 (contents, len);
}

/* The model's output for its stored input (a batch of 2), newly allocated */
static float *
run_model (CnnCheckpoint *ck, const float *unit_input, size_t n_in, size_t *n_out)
{
  CnnNetwork *net = ck->net;
  size_t in_size = cnn_shape_size (cnn_network_get_input_shape (net));
  g_assert_cmpuint (n_in, ==, 2 * in_size);
  g_autofree float *x = g_memdup2 (unit_input, n_in * sizeof (float));
  cnn_onnx_input_from_unit (ck->normalizer, x, 2);
  const float *y = cnn_network_forward (net, x, 2, FALSE, NULL, NULL, -1);
  *n_out = 2 * cnn_shape_size (cnn_network_get_output_shape (net));
  return g_memdup2 (y, *n_out * sizeof (float));
}

static void
test_model (gconstpointer data)
{
  const char *name = data;
  g_autofree char *file = g_strdup_printf ("%s.onnx", name);
  g_autofree char *path = data_path (file);
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnCheckpoint) ck = cnn_onnx_import (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ck);
  g_test_message ("%s", cnn_network_get_spec (ck->net));

  g_autofree char *in_file = g_strdup_printf ("%s.in.f32", name);
  g_autofree char *out_file = g_strdup_printf ("%s.out.f32", name);
  size_t n_in, n_want, n_got;
  g_autofree float *x = read_floats (in_file, &n_in);
  g_autofree float *want = read_floats (out_file, &n_want);
  g_autofree float *got = run_model (ck, x, n_in, &n_got);
  g_assert_cmpuint (n_got, ==, n_want);
  double err = cnn_test_max_rel_diff (got, want, n_want);
  g_test_message ("max difference from PyTorch %.3g", err);
  g_assert_cmpfloat (err, <, TOL);
}

typedef struct
{
  const char *file;
  const char *message;   /* a part of the one-line error */
} Broken;

static const Broken broken[] = {
  { "bad-truncated.onnx", "does not decode" },
  { "bad-text.onnx", "does not decode" },
  { "bad-cycle.onnx", "cycle" },
  { "bad-missing.onnx", "its input “w” is neither an initializer" },
  { "bad-attr-type.onnx", "attribute “kernel_shape” should be a list of integers" },
  { "bad-tensor-type.onnx", "data type is string" },
  { "bad-raw-size.onnx", "raw data holds 68 bytes, not the 72" },
  { "bad-op.onnx", "node “erf” (Erf): the op Erf is not supported" },
  { "bad-attr.onnx", "node “relu” (Relu): attribute “flavour” is not supported" },
};

static void
test_broken (gconstpointer data)
{
  const Broken *b = data;
  g_autofree char *path = data_path (b->file);
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnCheckpoint) ck = cnn_onnx_import (path, &error);
  g_assert_null (ck);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, b->message));
  g_assert_nonnull (strstr (error->message, b->file));
  g_assert_null (strchr (error->message, '\n'));
}

static const char *const models[] = {
  "lenet", "bn-nodes", "bn-folded", "residual", "inception", "convs", "depthwise", "lrn", "normalized",
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (size_t k = 0; k < G_N_ELEMENTS (models); k++)
    {
      g_autofree char *name = g_strdup_printf ("/onnx/import/%s", models[k]);
      g_test_add_data_func (name, models[k], test_model);
    }
  for (size_t k = 0; k < G_N_ELEMENTS (broken); k++)
    {
      g_autofree char *name = g_strdup_printf ("/onnx/broken/%s", broken[k].file);
      g_test_add_data_func (name, &broken[k], test_broken);
    }
  return g_test_run ();
}
