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
  { "bad-reshape.onnx", "node “reshape” (Reshape): a reshape to (N, 2, -1) is not supported" },
  { "bad-free-size.onnx", "the graph input “x” has no fixed height" },
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

/* ---- export, then import: the same network ---- */

/* Every layer type and setting the exporter writes, in one graph */
static const char all_layers_spec[] =
  "conv2d name=c1 filters=4 kernel=3 padding=1,0,2,1\n"
  "pad name=p1 padding=1,2 mode=reflect\n"
  "conv2d name=dw filters=4 kernel=3 groups=4 dilation=2 padding=same bias=no\n"
  "lrn name=n1 size=3 alpha=0.3\n"
  "clip name=cl min=-0.5 max=0.8\n"
  "scale name=sc\n"
  "leakyrelu name=lr alpha=0.2\n"
  "avgpool name=ap size=3 stride=2 padding=1 count_pad=yes\n"
  "batchnorm name=bn epsilon=0.01\n"
  "sigmoid name=sg\n"
  "conv2d name=c2 filters=4 kernel=1 inputs=bn\n"
  "tanh name=th\n"
  "add name=sum inputs=sg,th,bn\n"
  "avgpool name=ap2 size=2 stride=1 count_pad=no padding=1\n"
  "pad name=p2 padding=0,1,1,0 mode=edge\n"
  "pad name=p3 padding=1 value=0.25\n"
  "concat name=cat inputs=p3,p3\n"
  "dropout name=dr rate=0.3\n"
  "maxpool name=mp size=2 padding=0,0,1,1\n"
  "relu name=r\n"
  "flatten name=fl\n"
  "dense name=d1 units=6\n"
  "batchnorm name=bn2\n"
  "dense name=d2 units=3 bias=no\n"
  "softmax name=sm\n";

/* a network with random weights and BN statistics */
static CnnNetwork *
random_net (const char *spec, CnnShape in)
{
  CnnNetwork *net = cnn_test_network_new (spec, in, 11);
  CnnRng rng;
  cnn_rng_init (&rng, 3, 3);
  cnn_test_fill_normal (cnn_network_get_params (net), cnn_network_get_n_params (net), 0.3f, &rng);
  cnn_test_fill_uniform (cnn_network_get_state (net), cnn_network_get_n_state (net), 0.5f, 1.5f, &rng);
  return net;
}

static void
check_roundtrip (const char *spec, CnnShape in, CnnStandardize mode)
{
  g_autoptr (CnnNetwork) net = random_net (spec, in);
  size_t chw = cnn_shape_size (in);
  g_autofree float *mean = g_new (float, chw);
  g_autofree float *scale = g_new (float, chw);
  CnnRng rng;
  cnn_rng_init (&rng, 4, 4);
  for (size_t k = 0; k < chw; k++)
    {
      gboolean scaled = mode == CNN_STANDARDIZE_SCALE;
      mean[k] = scaled ? 0.0f : 100.0f + 50.0f * (float) cnn_rng_uniform (&rng);
      scale[k] = scaled ? 1.0f / 255.0f : 0.01f + 0.02f * (float) cnn_rng_uniform (&rng);
    }
  g_autoptr (CnnNormalizer) nz = cnn_normalizer_new_from (mode, in.c, in.h, in.w, mean, scale);

  g_autoptr (GError) error = NULL;
  gsize len = 0;
  g_autofree guint8 *bytes = cnn_onnx_export_data (net, nz, &len, &error);
  g_assert_no_error (error);
  g_autoptr (CnnCheckpoint) ck = cnn_onnx_import_data (bytes, len, "export.onnx", &error);
  g_assert_no_error (error);
  g_test_message ("%s", cnn_network_get_spec (ck->net));

  /* the weights, in the same order, to the bit */
  g_assert_cmpuint (cnn_network_get_n_params (ck->net), ==, cnn_network_get_n_params (net));
  g_assert_cmpuint (cnn_network_get_n_state (ck->net), ==, cnn_network_get_n_state (net));
  g_assert_true (memcmp (cnn_network_get_params (ck->net), cnn_network_get_params (net),
                         cnn_network_get_n_params (net) * sizeof (float)) == 0);
  g_assert_true (memcmp (cnn_network_get_state (ck->net), cnn_network_get_state (net),
                         cnn_network_get_n_state (net) * sizeof (float)) == 0);

  /* the same outputs for the same images in [0, 1] */
  g_autofree float *x = g_new (float, 3 * chw);
  cnn_test_fill_uniform (x, 3 * chw, 0.0f, 1.0f, &rng);
  g_autofree float *x2 = g_memdup2 (x, 3 * chw * sizeof (float));
  cnn_onnx_input_from_unit (nz, x, 3);
  cnn_onnx_input_from_unit (ck->normalizer, x2, 3);
  size_t n_out = 3 * cnn_shape_size (cnn_network_get_output_shape (net));
  g_assert_cmpuint (n_out, ==, 3 * cnn_shape_size (cnn_network_get_output_shape (ck->net)));
  g_autofree float *want = g_memdup2 (cnn_network_forward (net, x, 3, FALSE, NULL, NULL, -1),
                                      n_out * sizeof (float));
  const float *got = cnn_network_forward (ck->net, x2, 3, FALSE, NULL, NULL, -1);
  double err = cnn_test_max_rel_diff (got, want, n_out);
  g_test_message ("max difference %.3g", err);
  if (mode == CNN_STANDARDIZE_SCALE)
    g_assert_true (memcmp (got, want, n_out * sizeof (float)) == 0);
  else
    /* the standardization goes through a·x + b and back: float rounding */
    g_assert_cmpfloat (err, <, 1e-5);
}

static void
test_roundtrip_all_layers (void)
{
  check_roundtrip (all_layers_spec, (CnnShape) { 2, 9, 8 }, CNN_STANDARDIZE_SCALE);
  check_roundtrip (all_layers_spec, (CnnShape) { 2, 9, 8 }, CNN_STANDARDIZE_PIXEL);
}

static void
test_roundtrip_presets (void)
{
  for (const char *const *p = cnn_preset_names (); *p; p++)
    {
      g_test_message ("preset %s", *p);
      check_roundtrip (cnn_preset_get_text (*p), (CnnShape) { 3, 32, 32 }, CNN_STANDARDIZE_CHANNEL);
    }
}


/* external data that is not there: an error naming the file it wanted */
static void
test_external_missing (void)
{
  g_autofree char *src = data_path ("residual.onnx");
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
  g_autofree char *dir = g_dir_make_tmp ("test-onnx-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "residual.onnx", NULL);
  g_assert_true (g_file_set_contents (path, contents, len, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnCheckpoint) ck = cnn_onnx_import (path, &error);
  g_assert_null (ck);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "residual.data"));
  g_assert_nonnull (strstr (error->message, "its external data"));
  /* read from memory, external data has nowhere to come from */
  g_clear_error (&error);
  CnnCheckpoint *mem = cnn_onnx_import_data ((const guint8 *) contents, len, NULL, &error);
  g_assert_null (mem);
  g_assert_nonnull (strstr (error->message, "no usable location"));
  g_unlink (path);
  g_rmdir (dir);
}

/* Damaged files never crash: every 7th prefix of a model, and exported
 * models with bytes changed at random, either import into a network that
 * runs or fail with a message (checked for memory errors in the sanitizer
 * build of scripts/test.sh) */
static void
test_damaged_never_crash (void)
{
  g_autofree char *path = data_path ("lenet.onnx");
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  int imported = 0, refused = 0;
  for (gsize n = 0; n < len; n += 7)
    {
      GError *error = NULL;
      CnnCheckpoint *ck = cnn_onnx_import_data ((const guint8 *) contents, n, "prefix.onnx", &error);
      g_assert_true ((ck == NULL) != (error == NULL));
      imported += ck != NULL;
      refused += ck == NULL;
      cnn_checkpoint_free (ck);
      g_clear_error (&error);
    }
  g_assert_cmpint (refused, >, 0);

  g_autoptr (CnnNetwork) net = random_net (all_layers_spec, (CnnShape) { 2, 9, 8 });
  float mean[144] = { 0 }, scale[144];
  for (int k = 0; k < 144; k++)
    scale[k] = 1.0f / 255.0f;
  g_autoptr (CnnNormalizer) nz = cnn_normalizer_new_from (CNN_STANDARDIZE_SCALE, 2, 9, 8, mean, scale);
  gsize n_bytes = 0;
  g_autofree guint8 *bytes = cnn_onnx_export_data (net, nz, &n_bytes, NULL);
  g_assert_nonnull (bytes);
  CnnRng rng;
  cnn_rng_init (&rng, 17, 1);
  float x[2 * 144];
  for (int k = 0; k < 2 * 144; k++)
    x[k] = 0.5f;
  for (int trial = 0; trial < 300; trial++)
    {
      g_autofree guint8 *bad = g_memdup2 (bytes, n_bytes);
      int changes = 1 + (int) (cnn_rng_uniform (&rng) * 4);
      for (int c = 0; c < changes; c++)
        bad[(gsize) (cnn_rng_uniform (&rng) * n_bytes) % n_bytes] = (guint8) (cnn_rng_uniform (&rng) * 256);
      GError *error = NULL;
      CnnCheckpoint *ck = cnn_onnx_import_data (bad, n_bytes, "changed.onnx", &error);
      g_assert_true ((ck == NULL) != (error == NULL));
      if (ck)
        {
          CnnShape in = cnn_network_get_input_shape (ck->net);
          if (cnn_shape_size (in) <= 144)
            cnn_network_forward (ck->net, x, 2, FALSE, NULL, NULL, -1);
          imported++;
        }
      else
        {
          g_assert_null (strchr (error->message, '\n'));
          refused++;
        }
      cnn_checkpoint_free (ck);
      g_clear_error (&error);
    }
  g_test_message ("%d imported, %d refused", imported, refused);
}

/* An imported model saves as a checkpoint and loads back the same: its
 * spec (names with dots, four-number paddings, groups) parses again */
static void
test_checkpoint_of_import (void)
{
  static const char *const names[] = { "convs", "depthwise", "wide-concat", "normalized" };
  g_autofree char *dir = g_dir_make_tmp ("test-onnx-XXXXXX", NULL);
  g_autofree char *ckpt_path = g_build_filename (dir, "imported.ckpt", NULL);
  for (size_t k = 0; k < G_N_ELEMENTS (names); k++)
    {
      g_autofree char *file = g_strdup_printf ("%s.onnx", names[k]);
      g_autofree char *path = data_path (file);
      g_autoptr (GError) error = NULL;
      g_autoptr (CnnCheckpoint) ck = cnn_onnx_import (path, &error);
      g_assert_no_error (error);
      g_assert_true (cnn_checkpoint_save (ckpt_path, ck->net, NULL, NULL, ck->normalizer, &ck->meta, &error));
      g_assert_no_error (error);
      g_autoptr (CnnCheckpoint) back = cnn_checkpoint_load (ckpt_path, &error);
      g_assert_no_error (error);
      g_autofree char *in_file = g_strdup_printf ("%s.in.f32", names[k]);
      size_t n_in, n1, n2;
      g_autofree float *x = read_floats (in_file, &n_in);
      g_autofree float *y1 = run_model (ck, x, n_in, &n1);
      g_autofree float *y2 = run_model (back, x, n_in, &n2);
      g_assert_cmpuint (n1, ==, n2);
      g_assert_true (memcmp (y1, y2, n1 * sizeof (float)) == 0);
    }
  g_unlink (ckpt_path);
  g_rmdir (dir);
}

static const char *const models[] = {
  "lenet", "bn-nodes", "bn-folded", "residual", "inception", "convs", "depthwise", "lrn", "normalized",
  "shared-input", "wide-concat", "keras-like", "keras-gap", "rescaled",
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
  g_test_add_func ("/onnx/roundtrip/all-layers", test_roundtrip_all_layers);
  g_test_add_func ("/onnx/roundtrip/presets", test_roundtrip_presets);
  g_test_add_func ("/onnx/external-missing", test_external_missing);
  g_test_add_func ("/onnx/checkpoint-of-import", test_checkpoint_of_import);
  g_test_add_func ("/onnx/damaged-never-crash", test_damaged_never_crash);
  return g_test_run ();
}
