/* Receptive fields: hand-computed values for cnn2 and a residual graph, and
 * the formula checked against the gradient: back-propagating from one unit
 * of a network with positive weights reaches exactly the input pixels of
 * its field. */
#include "cnn-engine.h"

#include <string.h>

static CnnNetwork *
build (const char *spec, CnnShape in)
{
  g_autoptr (GError) error = NULL;
  CnnNetwork *net = cnn_network_new (spec, "test", in, 10, &error);
  g_assert_no_error (error);
  return net;
}

static int
find (CnnNetwork *net, const char *name)
{
  for (int i = 0; i < cnn_network_get_n_layers (net); i++)
    if (g_strcmp0 (cnn_network_get_layer (net, i)->name, name) == 0)
      return i;
  g_error ("no layer %s", name);
}

static void
assert_field (const CnnReceptiveField *rf, int size, int jump, double start, int grid)
{
  g_assert_cmpint (rf->size_h, ==, size);
  g_assert_cmpint (rf->size_w, ==, size);
  g_assert_cmpint (rf->jump_h, ==, jump);
  g_assert_cmpint (rf->jump_w, ==, jump);
  g_assert_cmpfloat (rf->start_h, ==, start);
  g_assert_cmpfloat (rf->start_w, ==, start);
  g_assert_cmpint (rf->grid_h, ==, grid);
  g_assert_cmpint (rf->grid_w, ==, grid);
}

/* cnn2 on 28×28, by hand: 3×3 same convolutions add 2·jump, 2×2 pools add
 * 1·jump and double it and move the start by half a jump */
static void
test_cnn2 (void)
{
  g_autofree char *spec = cnn_model_spec_load ("cnn2", NULL, NULL);
  g_autoptr (CnnNetwork) net = build (spec, (CnnShape) { 1, 28, 28 });
  g_autofree CnnReceptiveField *rf = cnn_network_receptive_fields (net);
  assert_field (&rf[find (net, "conv1")], 3, 1, 0.0, 28);
  assert_field (&rf[find (net, "relu1")], 3, 1, 0.0, 28);
  assert_field (&rf[find (net, "conv2")], 5, 1, 0.0, 28);
  assert_field (&rf[find (net, "pool1")], 6, 2, 0.5, 14);
  assert_field (&rf[find (net, "conv3")], 10, 2, 0.5, 14);
  assert_field (&rf[find (net, "conv4")], 14, 2, 0.5, 14);
  assert_field (&rf[find (net, "pool2")], 16, 4, 1.5, 7);
  /* fc1 sees the whole 7×7 grid: 16 + 6·4 pixels, centered on the image */
  assert_field (&rf[find (net, "fc1")], 40, 4, 13.5, 1);
  assert_field (&rf[cnn_network_get_n_layers (net) - 1], 40, 4, 13.5, 1);

  /* the summary shows them as a column, and its JSON in full */
  g_autofree char *text = cnn_summary_text (net);
  g_assert_nonnull (strstr (text, "Receptive field"));
  g_assert_true (g_regex_match_simple ("\\npool2 +maxpool +16×7×7 +0  16×16 /4\\n", text, 0, 0));
  g_autofree char *json = cnn_summary_json (net);
  g_assert_nonnull (strstr (json, "\"receptive_field\": {\"size\": [40, 40], \"jump\": [4, 4], "
                                  "\"start\": [13.5, 13.5]}"));
}

/* add takes the larger of its two paths: the 3×3 branch, not the identity */
static void
test_residual (void)
{
  const char *spec =
    "conv2d name=a filters=2 kernel=3 padding=same\n"
    "conv2d name=b filters=2 kernel=3 padding=same\n"
    "add    name=sum inputs=a,b\n"
    "conv2d name=c filters=2 kernel=5 stride=2 padding=valid\n";
  g_autoptr (CnnNetwork) net = build (spec, (CnnShape) { 1, 16, 16 });
  g_autofree CnnReceptiveField *rf = cnn_network_receptive_fields (net);
  assert_field (&rf[find (net, "sum")], 5, 1, 0.0, 16);
  /* valid 5×5 stride 2: start moves by 2 pixels, size grows by 4 */
  assert_field (&rf[find (net, "c")], 9, 2, 2.0, 6);
}

/* Positive weights, zero biases and a positive input: every path from the
 * input to a unit carries gradient, so the nonzero input gradient is the
 * unit's field (for a unit whose field lies inside the image). */
static void
check_against_gradient (const char *spec, CnnShape in, const char *layer, int oy, int ox)
{
  g_autoptr (CnnNetwork) net = build (spec, in);
  float *params = cnn_network_get_params (net);
  for (size_t i = 0; i < cnn_network_get_n_params (net); i++)
    params[i] = 0.1f;
  g_autofree CnnReceptiveField *rf = cnn_network_receptive_fields (net);
  int k = find (net, layer);
  const CnnReceptiveField *f = &rf[k];
  CnnShape out = cnn_network_get_layer (net, k)->out_shape;

  size_t nx = cnn_shape_size (in);
  g_autofree float *x = g_new (float, nx);
  for (size_t i = 0; i < nx; i++)
    x[i] = 1.0f;
  cnn_network_forward (net, x, 1, FALSE, NULL, NULL, k);
  g_autofree float *dy = g_new0 (float, cnn_shape_size (out));
  dy[(size_t) oy * out.w + ox] = 1.0f;     /* channel 0, unit (oy, ox) */
  g_autofree float *dx = g_new0 (float, nx);
  cnn_network_backward (net, k, dy, dx, NULL, NULL);

  int top = in.h, bottom = -1, left = in.w, right = -1;
  for (int c = 0; c < in.c; c++)
    for (int y = 0; y < in.h; y++)
      for (int xx = 0; xx < in.w; xx++)
        if (dx[((size_t) c * in.h + y) * in.w + xx] != 0.0f)
          {
            top = MIN (top, y);
            bottom = MAX (bottom, y);
            left = MIN (left, xx);
            right = MAX (right, xx);
          }
  g_assert_cmpint (bottom - top + 1, ==, f->size_h);
  g_assert_cmpint (right - left + 1, ==, f->size_w);
  g_assert_cmpfloat ((top + bottom) / 2.0, ==, f->start_h + oy * f->jump_h);
  g_assert_cmpfloat ((left + right) / 2.0, ==, f->start_w + ox * f->jump_w);
}

static void
test_gradient_extent (void)
{
  const char *chain =
    "conv2d name=c1 filters=3 kernel=3 padding=same\n"
    "avgpool name=p1 size=2\n"
    "conv2d name=c2 filters=2 kernel=5,3 stride=2 padding=valid\n"
    "relu   name=r2\n"
    "conv2d name=c3 filters=2 kernel=3 padding=same\n";
  const CnnShape in = { 2, 40, 40 };
  check_against_gradient (chain, in, "c1", 10, 12);
  check_against_gradient (chain, in, "p1", 7, 5);
  check_against_gradient (chain, in, "c2", 3, 4);
  check_against_gradient (chain, in, "c3", 4, 3);
  const char *branches =
    "conv2d name=a filters=2 kernel=3 padding=same\n"
    "conv2d name=b filters=2 kernel=5 padding=same inputs=a\n"
    "conv2d name=d filters=2 kernel=1 inputs=a\n"
    "concat name=cat inputs=b,d\n"
    "maxpool name=p size=3 stride=2\n";
  check_against_gradient (branches, (CnnShape) { 1, 30, 30 }, "cat", 12, 13);
  /* what ONNX models bring: dilation (the kernel's extent counts), groups,
   * explicit padding layers and asymmetric padding */
  const char *onnx =
    "conv2d name=g1 filters=4 kernel=3 groups=2 dilation=2 padding=2\n"
    "pad name=pd padding=1,2,0,0\n"
    "conv2d name=g2 filters=2 kernel=3,2 stride=2 padding=0,1,1,0\n"
    "avgpool name=ap size=2 padding=0,0,1,1\n";
  check_against_gradient (onnx, (CnnShape) { 2, 30, 30 }, "g1", 9, 11);
  check_against_gradient (onnx, (CnnShape) { 2, 30, 30 }, "pd", 9, 11);
  check_against_gradient (onnx, (CnnShape) { 2, 30, 30 }, "g2", 6, 5);
  check_against_gradient (onnx, (CnnShape) { 2, 30, 30 }, "ap", 3, 4);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/receptive/cnn2", test_cnn2);
  g_test_add_func ("/receptive/residual", test_residual);
  g_test_add_func ("/receptive/gradient-extent", test_gradient_extent);
  return g_test_run ();
}
