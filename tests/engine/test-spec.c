/* Model specs: parsing, defaults, names, graph inputs, and errors that name
 * the line and the problem. */
#include "cnn-engine.h"

#include <string.h>

static CnnNetwork *
build (const char *text, GError **error)
{
  return cnn_network_new (text, "test.cnn", (CnnShape) { 1, 28, 28 }, 10, error);
}

static void
test_defaults_and_names (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) net = build ("conv2d filters=4\nconv2d filters=2 kernel=5,3 padding=same\n"
                                      "# a comment\n\n  relu   # trailing\nflatten\ndense units=classes",
                                      &error);
  g_assert_no_error (error);
  g_assert_cmpint (cnn_network_get_n_layers (net), ==, 5);
  CnnLayer *c1 = cnn_network_get_layer (net, 0);
  g_assert_cmpstr (c1->name, ==, "conv2d_1");
  /* defaults: kernel 3, stride 1, valid padding -> 26×26 */
  g_assert_cmpint (c1->out_shape.c, ==, 4);
  g_assert_cmpint (c1->out_shape.h, ==, 26);
  g_assert_cmpint (c1->out_shape.w, ==, 26);
  CnnLayer *c2 = cnn_network_get_layer (net, 1);
  g_assert_cmpstr (c2->name, ==, "conv2d_2");
  g_assert_cmpint (c2->out_shape.h, ==, 26);
  g_assert_cmpint (c2->n_params, ==, 2 * 4 * 5 * 3 + 2);
  CnnLayer *d = cnn_network_get_layer (net, 4);
  g_assert_cmpint (d->out_shape.c, ==, 10);
  g_assert_cmpint (d->inputs[0], ==, 3);
  g_assert_cmpint (c1->inputs[0], ==, -1);
}

static void
test_graph_inputs (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) net = build ("conv2d name=a filters=3 padding=same\n"
                                      "conv2d name=b filters=3 padding=same\n"
                                      "add name=s inputs=a,b\n"
                                      "conv2d name=c filters=5 kernel=1 inputs=input\n"
                                      "concat name=cat inputs=s,c\n", &error);
  g_assert_no_error (error);
  CnnLayer *cat = cnn_network_get_layer (net, 4);
  g_assert_cmpint (cat->out_shape.c, ==, 8);
  g_assert_cmpint (cat->n_inputs, ==, 2);
  g_assert_cmpint (cnn_network_get_layer (net, 3)->inputs[0], ==, -1);
  g_assert_cmpint (cnn_network_find_layer (net, "s"), ==, 2);
}

static void
test_padding_forms (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) net = build ("conv2d filters=1 kernel=3 stride=2 padding=1,2\n"
                                      "conv2d filters=1 kernel=4 stride=3 padding=same", &error);
  g_assert_no_error (error);
  /* (28 + 2 - 3) / 2 + 1 = 14 rows; (28 + 4 - 3) / 2 + 1 = 15 columns */
  g_assert_cmpint (cnn_network_get_layer (net, 0)->out_shape.h, ==, 14);
  g_assert_cmpint (cnn_network_get_layer (net, 0)->out_shape.w, ==, 15);
  /* same: ceil(14 / 3) = 5, ceil(15 / 3) = 5 */
  g_assert_cmpint (cnn_network_get_layer (net, 1)->out_shape.h, ==, 5);
  g_assert_cmpint (cnn_network_get_layer (net, 1)->out_shape.w, ==, 5);
}

static void
expect_error (const char *text, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) net = build (text, &error);
  g_assert_null (net);
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC);
  if (strstr (error->message, fragment) == NULL)
    g_error ("“%s” lacks “%s”", error->message, fragment);
}

static void
test_errors (void)
{
  expect_error ("conv2d filters=4\nbogus", "test.cnn:2: unknown layer type “bogus”");
  expect_error ("conv2d", "test.cnn:1: conv2d_1: conv2d needs filters=");
  expect_error ("conv2d filters=x", "filters takes a whole number, not “x”");
  expect_error ("conv2d filters=0", "filters must be between 1 and 65536, not 0");
  expect_error ("conv2d filters=2 kernel=3,4,5", "kernel takes one whole number or two");
  expect_error ("conv2d filters=2 padding=middle", "padding takes same, valid");
  expect_error ("conv2d filters=2 colour=red", "conv2d has no setting “colour”");
  expect_error ("conv2d filters=2 filters=3", "filters is given twice");
  expect_error ("conv2d filters=2 bias=maybe", "bias must be one of yes, no, not “maybe”");
  expect_error ("relu name=a\nrelu name=a", "test.cnn:2: relu_2: the name “a” is used twice");
  expect_error ("relu\nadd inputs=relu_1,nowhere", "input “nowhere” is not the name of a layer above");
  expect_error ("relu name=a\nrelu inputs=b\nrelu name=b", "input “b” is not the name");
  expect_error ("add", "add takes 2 to 8 inputs");
  expect_error ("conv2d filters=2 kernel=40", "conv2d_1 (conv2d): a 40×40 kernel does not fit the 28×28 input");
  expect_error ("relu junk", "“junk” is not key=value");
  expect_error ("# nothing\n\n", "test.cnn: no layers");
  expect_error ("relu name=input", "cannot be a layer name");
}

static void
test_presets_build (void)
{
  const char *const *names = cnn_preset_names ();
  int count = 0;
  for (int i = 0; names[i]; i++, count++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (CnnNetwork) net = build (cnn_preset_get_text (names[i]), &error);
      g_assert_no_error (error);
      CnnShape out = cnn_network_get_output_shape (net);
      g_assert_cmpint (out.c * out.h * out.w, ==, 10);
      /* presets take their input shape from the data: color 32×32 too */
      g_autoptr (CnnNetwork) color = cnn_network_new (cnn_preset_get_text (names[i]), names[i],
                                                      (CnnShape) { 3, 32, 32 }, 7, &error);
      g_assert_no_error (error);
      g_assert_cmpint (cnn_shape_size (cnn_network_get_output_shape (color)), ==, 7);
    }
  g_assert_cmpint (count, ==, 8);
}

static void
test_describe_roundtrip (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNetwork) net = build ("conv2d filters=4 kernel=5,3 padding=same bias=no", &error);
  g_assert_no_error (error);
  g_autofree char *d = cnn_layer_describe (cnn_network_get_layer (net, 0));
  g_assert_cmpstr (d, ==, "filters=4 kernel=5,3 padding=same bias=no");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/spec/defaults-and-names", test_defaults_and_names);
  g_test_add_func ("/spec/graph-inputs", test_graph_inputs);
  g_test_add_func ("/spec/padding-forms", test_padding_forms);
  g_test_add_func ("/spec/errors", test_errors);
  g_test_add_func ("/spec/presets-build", test_presets_build);
  g_test_add_func ("/spec/describe", test_describe_roundtrip);
  return g_test_run ();
}
