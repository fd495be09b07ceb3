/* Spec rewriting for the window's switches: weight initialization, dropout
 * rate and batch normalization, checked on the presets the lecture uses. */
#include "cnn-engine.h"
#include "cnn-spec-edit.h"

#include <math.h>
#include <string.h>

static CnnNetwork *
build (const char *text)
{
  g_autoptr (GError) error = NULL;
  CnnNetwork *net = cnn_network_new (text, "edited.cnn", (CnnShape) { 1, 28, 28 }, 10, &error);
  g_assert_no_error (error);
  return net;
}

static int
count_type (CnnNetwork *net, const char *type)
{
  int count = 0;
  for (int i = 0; i < cnn_network_get_n_layers (net); i++)
    count += strcmp (cnn_network_get_layer (net, i)->klass->name, type) == 0;
  return count;
}

static int
input_of (CnnNetwork *net, const char *layer, int k)
{
  int i = cnn_network_find_layer (net, layer);
  g_assert_cmpint (i, >=, 0);
  return cnn_network_get_layer (net, i)->inputs[k];
}

static char *
edit (const char *preset, const CnnSpecEdit *e)
{
  g_autoptr (GError) error = NULL;
  char *text = cnn_spec_edit (cnn_preset_get_text (preset), preset, e, &error);
  g_assert_no_error (error);
  g_assert_nonnull (text);
  return text;
}

static void
test_identity (void)
{
  CnnSpecEdit e;
  cnn_spec_edit_init (&e);
  g_assert_true (cnn_spec_edit_is_identity (&e));
  for (const char *const *p = cnn_preset_names (); *p; p++)
    {
      g_autofree char *text = edit (*p, &e);
      g_assert_cmpstr (text, ==, cnn_preset_get_text (*p));
    }
}

static void
test_remove_batchnorm (void)
{
  CnnSpecEdit e;
  cnn_spec_edit_init (&e);
  e.remove_batchnorm = TRUE;
  g_autoptr (CnnNetwork) before = build (cnn_preset_get_text ("cnn2"));
  g_autofree char *text = edit ("cnn2", &e);
  g_autoptr (CnnNetwork) net = build (text);
  g_assert_cmpint (count_type (net, "batchnorm"), ==, 0);
  g_assert_cmpint (cnn_network_get_n_layers (net), ==, cnn_network_get_n_layers (before) - 5);
  /* conv1 now feeds relu1 directly; everything else is as before */
  g_assert_cmpint (input_of (net, "relu1", 0), ==, cnn_network_find_layer (net, "conv1"));
  g_assert_cmpint (input_of (net, "drop", 0), ==, cnn_network_find_layer (net, "fc1"));
  /* four BN layers of 2×8, 2×8, 2×16, 2×16 and one of 2×40 trainable weights */
  g_assert_cmpuint (cnn_network_get_n_params (net), ==,
                    cnn_network_get_n_params (before) - 2 * (8 + 8 + 16 + 16 + 40));
  g_assert_cmpuint (cnn_network_get_n_state (net), ==, 0);
  /* unchanged lines keep their text, comments included */
  g_assert_nonnull (strstr (text, "# cnn2: the lecture's deeper CNN"));
  g_assert_nonnull (strstr (text, "conv2d     name=conv1 filters=8 kernel=3 padding=same\n"));
  g_assert_null (strstr (text, "batchnorm"));
}

static void
test_remove_batchnorm_graph (void)
{
  /* resnet-mini's additions read BN layers by name: they must read the
   * convolutions instead */
  CnnSpecEdit e;
  cnn_spec_edit_init (&e);
  e.remove_batchnorm = TRUE;
  g_autofree char *text = edit ("resnet-mini", &e);
  g_autoptr (CnnNetwork) net = build (text);
  g_assert_cmpint (count_type (net, "batchnorm"), ==, 0);
  g_assert_cmpint (input_of (net, "b1_add", 0), ==, cnn_network_find_layer (net, "b1_conv2"));
  g_assert_cmpint (input_of (net, "b1_add", 1), ==, cnn_network_find_layer (net, "stem_relu"));
  g_assert_cmpint (input_of (net, "b2_add", 0), ==, cnn_network_find_layer (net, "b2_conv2"));
  g_assert_cmpint (input_of (net, "b2_add", 1), ==, cnn_network_find_layer (net, "b2_proj"));
  g_assert_cmpint (input_of (net, "stem_relu", 0), ==, cnn_network_find_layer (net, "stem"));
  /* the projection reads b1_out by name and still does */
  g_assert_cmpint (input_of (net, "b2_proj", 0), ==, cnn_network_find_layer (net, "b1_out"));
}

static void
test_init (void)
{
  CnnSpecEdit e;
  cnn_spec_edit_init (&e);
  e.init = CNN_INIT_HE_NORMAL;
  g_autofree char *text = edit ("cnn1", &e);
  g_autoptr (CnnNetwork) net = build (text);
  int checked = 0;
  for (int i = 0; i < cnn_network_get_n_layers (net); i++)
    {
      CnnLayer *l = cnn_network_get_layer (net, i);
      int h = cnn_layer_class_find_hyper (l->klass, "init");
      if (h < 0)
        continue;
      g_assert_cmpint (l->hp[h].i[0], ==, CNN_INIT_HE_NORMAL);
      checked++;
    }
  g_assert_cmpint (checked, ==, 2);   /* conv1 and fc */
  g_assert_nonnull (strstr (text, "init=he_normal"));
  /* an init already written is replaced, not given twice */
  e.init = CNN_INIT_ZEROS;
  g_autoptr (GError) error = NULL;
  g_autofree char *again = cnn_spec_edit (text, "edited.cnn", &e, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (again, "he_normal"));
  g_assert_nonnull (strstr (again, "init=zeros"));
  /* a line that gets no init is kept as written */
  g_assert_nonnull (strstr (again, "\nrelu\n"));
}

static void
test_dropout (void)
{
  CnnSpecEdit e;
  cnn_spec_edit_init (&e);
  /* cnn2 has one dropout layer: its rate changes */
  e.dropout_rate = 0.5;
  g_autofree char *half = edit ("cnn2", &e);
  g_autoptr (CnnNetwork) net = build (half);
  CnnLayer *drop = cnn_network_get_layer (net, cnn_network_find_layer (net, "drop"));
  g_assert_cmpfloat (drop->hp[0].f, ==, 0.5);
  g_assert_cmpint (count_type (net, "dropout"), ==, 1);

  /* rate 0 removes it: relu5 reads bn5 */
  e.dropout_rate = 0.0;
  g_autofree char *none = edit ("cnn2", &e);
  g_autoptr (CnnNetwork) net0 = build (none);
  g_assert_cmpint (count_type (net0, "dropout"), ==, 0);
  g_assert_cmpint (input_of (net0, "relu5", 0), ==, cnn_network_find_layer (net0, "bn5"));

  /* cnn1 has none: one goes in front of the classifier */
  e.dropout_rate = 0.25;
  g_autofree char *added = edit ("cnn1", &e);
  g_autoptr (CnnNetwork) net1 = build (added);
  g_assert_cmpint (count_type (net1, "dropout"), ==, 1);
  int d = cnn_network_find_layer (net1, "dropout_1");
  g_assert_cmpint (d, >=, 0);
  g_assert_cmpfloat (cnn_network_get_layer (net1, d)->hp[0].f, ==, 0.25);
  g_assert_cmpint (input_of (net1, "fc", 0), ==, d);
  g_assert_cmpstr (cnn_network_get_layer (net1, input_of (net1, "dropout_1", 0))->klass->name, ==,
                   "flatten");
  /* the classifier's weights are not touched by the extra layer */
  g_autoptr (CnnNetwork) plain = build (cnn_preset_get_text ("cnn1"));
  g_assert_cmpuint (cnn_network_get_n_params (net1), ==, cnn_network_get_n_params (plain));
}

static void
test_dropout_named_input (void)
{
  /* the classifier reads its input by name: the new layer takes that over */
  const char *spec = "conv2d name=c filters=2\nflatten name=f\nrelu name=r inputs=c\n"
                     "dense name=out units=classes inputs=f\n";
  CnnSpecEdit e;
  cnn_spec_edit_init (&e);
  e.dropout_rate = 0.1;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = cnn_spec_edit (spec, "named.cnn", &e, &error);
  g_assert_no_error (error);
  g_autoptr (CnnNetwork) net = build (text);
  int d = cnn_network_find_layer (net, "dropout_1");
  g_assert_cmpint (input_of (net, "out", 0), ==, d);
  g_assert_cmpint (input_of (net, "dropout_1", 0), ==, cnn_network_find_layer (net, "f"));
  g_assert_cmpint (input_of (net, "r", 0), ==, cnn_network_find_layer (net, "c"));
}

static void
test_errors (void)
{
  CnnSpecEdit e;
  cnn_spec_edit_init (&e);
  g_autoptr (GError) error = NULL;

  e.dropout_rate = 1.0;
  g_assert_null (cnn_spec_edit (cnn_preset_get_text ("cnn2"), "cnn2", &e, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
  g_assert_nonnull (strstr (error->message, "below 1"));
  g_clear_error (&error);

  e.dropout_rate = 0.3;
  g_assert_null (cnn_spec_edit ("conv2d filters=10\nglobalavgpool\nsoftmax\n", "gap.cnn", &e,
                                &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC);
  g_assert_nonnull (strstr (error->message, "gap.cnn"));
  g_clear_error (&error);

  /* a broken spec is reported as the parser reports it */
  cnn_spec_edit_init (&e);
  e.remove_batchnorm = TRUE;
  g_assert_null (cnn_spec_edit ("conv2d filters=2\nbanana\n", "bad.cnn", &e, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC);
  g_assert_nonnull (strstr (error->message, "bad.cnn:2"));
  g_clear_error (&error);

  e.remove_batchnorm = FALSE;
  e.init = 99;
  g_assert_null (cnn_spec_edit (cnn_preset_get_text ("cnn2"), "cnn2", &e, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
}

static void
test_has_layer_type (void)
{
  g_assert_true (cnn_spec_has_layer_type (cnn_preset_get_text ("cnn2"), "batchnorm"));
  g_assert_true (cnn_spec_has_layer_type (cnn_preset_get_text ("cnn2"), "dropout"));
  g_assert_false (cnn_spec_has_layer_type (cnn_preset_get_text ("cnn1"), "batchnorm"));
  g_assert_false (cnn_spec_has_layer_type ("banana\n", "conv2d"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/spec-edit/identity", test_identity);
  g_test_add_func ("/spec-edit/remove-batchnorm", test_remove_batchnorm);
  g_test_add_func ("/spec-edit/remove-batchnorm-graph", test_remove_batchnorm_graph);
  g_test_add_func ("/spec-edit/init", test_init);
  g_test_add_func ("/spec-edit/dropout", test_dropout);
  g_test_add_func ("/spec-edit/dropout-named-input", test_dropout_named_input);
  g_test_add_func ("/spec-edit/errors", test_errors);
  g_test_add_func ("/spec-edit/has-layer-type", test_has_layer_type);
  return g_test_run ();
}
