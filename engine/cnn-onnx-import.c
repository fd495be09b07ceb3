/* ONNX import: decode the file with protobuf-c, walk the graph from its
 * output back to its input, import the nodes it needs in order
 * (cnn-onnx-ops.c), and build an ordinary network from the layers they
 * became: a spec text and weights, so the result is saved, trained and
 * viewed like any model of ours. */
#include "cnn-onnx.h"
#include "cnn-onnx-private.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cnn-error.h"
#include "cnn-file.h"

gboolean
cnn_onnx_is_onnx_path (const char *path)
{
  size_t n = path ? strlen (path) : 0;
  return n > 5 && g_ascii_strcasecmp (path + n - 5, ".onnx") == 0;
}

static const char *
node_label (const Onnx__NodeProto *node)
{
  if (node->name && node->name[0])
    return node->name;
  if (node->n_output > 0 && node->output[0][0])
    return node->output[0];
  return "(unnamed)";
}

gboolean
onnx_node_fail (OnnxImporter *imp, GError **error, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: node “%s” (%s): %s", imp->path,
               node_label (imp->node), imp->node->op_type ? imp->node->op_type : "no op", msg);
  return FALSE;
}

static void
value_free (gpointer p)
{
  OnnxValue *v = p;
  onnx_tensor_clear (&v->t);
  g_free (v);
}

const OnnxValue *
onnx_input (OnnxImporter *imp, int k, gboolean optional, GError **error)
{
  const Onnx__NodeProto *node = imp->node;
  if (k >= (int) node->n_input || node->input[k][0] == '\0')
    {
      if (!optional)
        onnx_node_fail (imp, error, "input %d is missing", k + 1);
      return NULL;
    }
  const OnnxValue *v = g_hash_table_lookup (imp->values, node->input[k]);
  if (v == NULL)
    onnx_node_fail (imp, error, "its input “%s” is an output Convscope does not compute "
                    "(such as a Dropout mask or MaxPool indices)", node->input[k]);
  return v;
}

/* Ops that see no difference between TensorFlow's (N, H, W, C) order and
 * ours: element-wise ones, and those that undo or flatten it */
static gboolean
order_blind (const char *op, const OnnxValue *v)
{
  static const char *const any[] = { "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip", "Identity",
                                     "Dropout", "Cast", "Add", "Sub", "Mul", "Div", "Shape", NULL };
  static const char *const nhwc[] = { "Transpose", "Flatten", "Reshape", "ReduceMean", NULL };
  static const char *const features[] = { "Gemm", "MatMul", NULL };
  for (int k = 0; any[k]; k++)
    if (strcmp (op, any[k]) == 0)
      return TRUE;
  const char *const *list = v->nhwc ? nhwc : features;
  for (int k = 0; list[k]; k++)
    if (strcmp (op, list[k]) == 0)
      return TRUE;
  return FALSE;
}

const OnnxValue *
onnx_input_tensor (OnnxImporter *imp, int k, GError **error)
{
  const OnnxValue *v = onnx_input (imp, k, FALSE, error);
  if (v && v->is_const)
    {
      onnx_node_fail (imp, error, "input %d (“%s”) is a constant, where Convscope needs the data "
                      "flowing through the network", k + 1, imp->node->input[k]);
      return NULL;
    }
  if (v && (v->nhwc || v->nhwc_features) && !order_blind (imp->node->op_type, v))
    {
      onnx_node_fail (imp, error, "its input “%s” is in TensorFlow's (N, H, W, C) order, which "
                      "Convscope follows only through element-wise ops, Transpose, Flatten, "
                      "Reshape and the dense layer after them", imp->node->input[k]);
      return NULL;
    }
  return v;
}

const OnnxValue *
onnx_input_const (OnnxImporter *imp, int k, gboolean optional, GError **error)
{
  GError *local = NULL;
  const OnnxValue *v = onnx_input (imp, k, optional, &local);
  if (local)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  if (v && !v->is_const)
    {
      onnx_node_fail (imp, error, "input %d (“%s”) is computed from the network input; "
                      "Convscope needs a constant (an initializer) there", k + 1, imp->node->input[k]);
      return NULL;
    }
  if (v == NULL && !optional)
    onnx_node_fail (imp, error, "input %d is missing", k + 1);
  return v;
}

void
onnx_set_output (OnnxImporter *imp, int k, OnnxValue *v)
{
  if (k < (int) imp->node->n_output && imp->node->output[k][0])
    g_hash_table_replace (imp->values, g_strdup (imp->node->output[k]), v);
  else
    value_free (v);
}

OnnxValue *
onnx_const_value (void)
{
  OnnxValue *v = g_new0 (OnnxValue, 1);
  v->is_const = TRUE;
  return v;
}


void
onnx_alias (OnnxImporter *imp, const OnnxValue *v)
{
  OnnxValue *copy = g_new0 (OnnxValue, 1);
  *copy = *v;
  memset (&copy->t, 0, sizeof copy->t);
  /* constants fold into the standardization only along a chain that
   * nothing else reads */
  if (v->input_affine && onnx_consumers (imp, imp->node->input[0]) != 1)
    copy->input_affine = FALSE;
  if (v->is_const)
    {
      onnx_tensor_alloc (&copy->t, v->t.n_dims, v->t.dims, v->t.is_int);
      if (v->t.is_int)
        memcpy (copy->t.i, v->t.i, v->t.n * sizeof (gint64));
      else
        memcpy (copy->t.f, v->t.f, v->t.n * sizeof (float));
    }
  onnx_set_output (imp, 0, copy);
}

gboolean
onnx_output_layer (OnnxImporter *imp, const char *type, const char *hypers, const OnnxValue *const *in,
              int n_in, const float *params, size_t n_params, const float *state, size_t n_state,
              GError **error)
{
  OnnxValue *v = onnx_add_layer (imp, type, hypers, in, n_in, params, n_params, state, n_state, error);
  if (v == NULL)
    return FALSE;
  onnx_set_output (imp, 0, v);
  return TRUE;
}

gboolean
onnx_need_rank (OnnxImporter *imp, const OnnxValue *x, int rank, GError **error)
{
  if (x->rank != rank)
    return onnx_node_fail (imp, error, "its input has %d dimensions, where Convscope supports %d",
                           x->rank, rank);
  return TRUE;
}

/* A scalar constant's value (an optional input: `def` when absent) */
gboolean
onnx_const_scalar (OnnxImporter *imp, int k, float def, float *out, GError **error)
{
  GError *local = NULL;
  const OnnxValue *v = onnx_input_const (imp, k, TRUE, &local);
  *out = def;
  if (local)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (v == NULL)
    return TRUE;
  if (v->t.n != 1)
    return onnx_node_fail (imp, error, "input %d should hold one value, not %zu", k + 1, v->t.n);
  *out = v->t.is_int ? (float) v->t.i[0] : v->t.f[0];
  return TRUE;
}

char *
onnx_pads_text (const int p[4])   /* top, left, bottom, right */
{
  if (p[0] == p[2] && p[1] == p[3])
    return p[0] == p[1] ? g_strdup_printf ("%d", p[0]) : g_strdup_printf ("%d,%d", p[0], p[1]);
  return g_strdup_printf ("%d,%d,%d,%d", p[0], p[1], p[2], p[3]);
}

int
onnx_consumers (OnnxImporter *imp, const char *name)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (imp->consumers, name));
}

OnnxLayer *
onnx_layer_of (OnnxImporter *imp, const OnnxValue *v)
{
  if (v->is_const || v->layer < 0)
    return NULL;
  return &g_array_index (imp->layers, OnnxLayer, v->layer);
}

/* ---- layers ---- */

/* A layer name from the node's: the characters specs allow, unique */
static char *
layer_name (OnnxImporter *imp, const char *type)
{
  const char *src = imp->node->name && imp->node->name[0] ? imp->node->name
                    : imp->node->n_output ? imp->node->output[0] : "";
  GString *s = g_string_new (NULL);
  for (const char *p = src; *p; p++)
    {
      char c = *p;
      if (g_ascii_isalnum (c) || c == '_' || c == '-' || c == '.')
        g_string_append_c (s, c);
      else if (s->len > 0 && s->str[s->len - 1] != '_')
        g_string_append_c (s, '_');
    }
  while (s->len > 0 && s->str[s->len - 1] == '_')
    g_string_truncate (s, s->len - 1);
  if (s->len == 0 || !(g_ascii_isalpha (s->str[0]) || s->str[0] == '_'))
    g_string_prepend (s, s->len ? "n" : type);
  if (strcmp (s->str, "input") == 0)
    g_string_append (s, "_");
  g_autofree char *base = g_string_free (s, FALSE);
  char *name = g_strdup (base);
  for (int k = 2; g_hash_table_contains (imp->names, name); k++)
    {
      g_free (name);
      name = g_strdup_printf ("%s_%d", base, k);
    }
  g_hash_table_add (imp->names, g_strdup (name));
  return name;
}

/* Set a layer up as the network will, for its output shape and sizes */
static gboolean
probe (OnnxImporter *imp, const char *type, const char *hypers, const CnnShape *in, int n_in,
       CnnShape *out, size_t *n_params, size_t *n_state, GError **error)
{
  CnnLayer l = { 0 };
  l.klass = cnn_layer_class_find (type);
  g_assert (l.klass != NULL);
  l.name = (char *) type;
  l.n_inputs = n_in;
  g_auto (GStrv) tokens = g_strsplit (hypers, " ", -1);
  GError *local = NULL;
  for (int t = 0; tokens[t]; t++)
    {
      if (tokens[t][0] == '\0')
        continue;
      char *eq = strchr (tokens[t], '=');
      g_assert (eq != NULL);
      *eq = '\0';
      int h = cnn_layer_class_find_hyper (l.klass, tokens[t]);
      g_assert (h >= 0);
      if (!cnn_hyper_parse (&l.klass->hyper[h], eq + 1, &l.hp[h], &local))
        goto fail;
      l.hp_given[h] = TRUE;
    }
  for (int h = 0; h < l.klass->n_hyper; h++)
    if (!l.hp_given[h])
      {
        g_assert (l.klass->hyper[h].default_value != NULL);
        cnn_hyper_parse (&l.klass->hyper[h], l.klass->hyper[h].default_value, &l.hp[h], NULL);
      }
  for (int j = 0; j < n_in; j++)
    l.in_shape[j] = in[j];
  gboolean ok = l.klass->setup (&l, &local);
  if (l.klass->free_priv)
    l.klass->free_priv (&l);
  else
    g_free (l.priv);
  if (!ok)
    goto fail;
  if (cnn_shape_size (l.out_shape) == 0)
    return onnx_node_fail (imp, error, "its output would be empty");
  *out = l.out_shape;
  *n_params = l.n_params;
  *n_state = l.n_state;
  return TRUE;

fail:
  onnx_node_fail (imp, error, "%s", local->message);
  g_error_free (local);
  return FALSE;
}

/* `owned`: the parameters, handed over (freed on failure), so a large
 * weight matrix is not copied once more (VGG-16's fc1 is 411 MiB). */
static OnnxValue *
add_layer (OnnxImporter *imp, const char *type, const char *hypers, const OnnxValue *const *inputs,
           int n_inputs, const float *params, float *owned, size_t n_params, const float *state,
           size_t n_state, GError **error)
{
  g_return_val_if_fail (n_inputs >= 1 && n_inputs <= CNN_MAX_INPUTS, NULL);
  g_autofree float *take = owned;
  CnnShape in[CNN_MAX_INPUTS];
  for (int j = 0; j < n_inputs; j++)
    in[j] = inputs[j]->shape;
  CnnShape out;
  size_t np = 0, ns = 0;
  if (!probe (imp, type, hypers, in, n_inputs, &out, &np, &ns, error))
    return NULL;
  /* the importer lays weights out as the layer does; a mismatch is our bug */
  g_assert (np == n_params && ns == n_state);
  OnnxLayer l = { .type = type, .hypers = g_strdup (hypers), .name = layer_name (imp, type),
                  .n_inputs = n_inputs, .n_params = np, .n_state = ns, .out = out };
  for (int j = 0; j < n_inputs; j++)
    l.inputs[j] = inputs[j]->layer;
  l.params = !np ? NULL : take ? g_steal_pointer (&take) : g_memdup2 (params, np * sizeof (float));
  l.state = ns ? g_memdup2 (state, ns * sizeof (float)) : NULL;
  g_array_append_val (imp->layers, l);

  OnnxValue *v = g_new0 (OnnxValue, 1);
  v->layer = imp->layers->len - 1;
  v->shape = out;
  /* dense and flatten make (N, F); the rest keep their input's rank */
  v->rank = strcmp (type, "dense") == 0 || strcmp (type, "flatten") == 0 ? 2 : inputs[0]->rank;
  /* element-wise layers keep TensorFlow's order where it was */
  static const char *const elementwise[] = { "relu", "leakyrelu", "sigmoid", "tanh", "clip", "dropout",
                                             "scale", NULL };
  for (int k = 0; elementwise[k]; k++)
    if (strcmp (type, elementwise[k]) == 0)
      {
        v->nhwc = inputs[0]->nhwc;
        v->nhwc_features = inputs[0]->nhwc_features;
        v->flat_from = inputs[0]->flat_from;
      }
  return v;
}

OnnxValue *
onnx_add_layer (OnnxImporter *imp, const char *type, const char *hypers,
                const OnnxValue *const *inputs, int n_inputs, const float *params, size_t n_params,
                const float *state, size_t n_state, GError **error)
{
  return add_layer (imp, type, hypers, inputs, n_inputs, params, NULL, n_params, state, n_state,
                    error);
}

gboolean
onnx_output_layer_take (OnnxImporter *imp, const char *type, const char *hypers,
                        const OnnxValue *const *in, int n_in, float *params, size_t n_params,
                        GError **error)
{
  OnnxValue *v = add_layer (imp, type, hypers, in, n_in, NULL, params, n_params, NULL, 0, error);
  if (v == NULL)
    return FALSE;
  onnx_set_output (imp, 0, v);
  return TRUE;
}

static void
layer_clear (gpointer p)
{
  OnnxLayer *l = p;
  g_free (l->hypers);
  g_free (l->name);
  g_free (l->params);
  g_free (l->state);
}

/* ---- the graph ---- */

static void
importer_free (OnnxImporter *imp)
{
  g_free (imp->dir);
  g_free (imp->input_name);
  g_free (imp->in_a);
  g_free (imp->in_b);
  g_clear_pointer (&imp->values, g_hash_table_unref);
  g_clear_pointer (&imp->consumers, g_hash_table_unref);
  g_clear_pointer (&imp->layers, g_array_unref);
  g_clear_pointer (&imp->names, g_hash_table_unref);
}

static gboolean
fail (OnnxImporter *imp, GError **error, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (OnnxImporter *imp, GError **error, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: %s", imp->path, msg);
  return FALSE;
}

/* Whether `name` reaches a Transpose to (N, C, H, W) through element-wise
 * ops only (Keras' Normalization and Rescaling come before it), each the
 * only reader of the last */
static gboolean
transposed_to_nchw (const Onnx__GraphProto *graph, const char *name, int depth)
{
  const Onnx__NodeProto *reader = NULL;
  for (size_t k = 0; k < graph->n_node; k++)
    for (size_t i = 0; i < graph->node[k]->n_input; i++)
      if (strcmp (graph->node[k]->input[i], name) == 0)
        {
          if (reader != NULL)
            return FALSE;
          reader = graph->node[k];
        }
  if (reader == NULL || reader->op_type == NULL || reader->n_output < 1 || depth > 8)
    return FALSE;
  const char *op = reader->op_type;
  if (strcmp (op, "Transpose") == 0)
    {
      const Onnx__AttributeProto *perm = onnx_attr (reader, "perm");
      return perm && perm->n_ints == 4 && perm->ints[0] == 0 && perm->ints[1] == 3
             && perm->ints[2] == 1 && perm->ints[3] == 2;
    }
  static const char *const pass[] = { "Sub", "Add", "Mul", "Div", "Cast", "Identity", NULL };
  for (int k = 0; pass[k]; k++)
    if (strcmp (op, pass[k]) == 0)
      return transposed_to_nchw (graph, reader->output[0], depth + 1);
  return FALSE;
}

/* The graph input: one float tensor (N, C, H, W) or (N, F), N free or fixed */
static gboolean
find_input (OnnxImporter *imp, const Onnx__GraphProto *graph, GError **error)
{
  const Onnx__ValueInfoProto *in = NULL;
  for (size_t k = 0; k < graph->n_input; k++)
    {
      const char *name = graph->input[k]->name;
      if (name == NULL || g_hash_table_contains (imp->values, name))
        continue;   /* older exporters list initializers as inputs too */
      if (in != NULL)
        return fail (imp, error, "the graph has several inputs (“%s”, “%s”); Convscope runs models "
                     "with one image input", in->name, name);
      in = graph->input[k];
    }
  if (in == NULL)
    return fail (imp, error, "the graph has no input");
  imp->input_name = g_strdup (in->name);
  const Onnx__TypeProto *type = in->type;
  if (type == NULL || type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE
      || type->tensor_type->elem_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
    return fail (imp, error, "the graph input “%s” is not a float tensor", in->name);
  const Onnx__TensorShapeProto *shape = type->tensor_type->shape;
  int rank = shape ? (int) shape->n_dim : 0;
  if (rank != 4 && rank != 2)
    return fail (imp, error, "the graph input “%s” has %d dimensions; Convscope reads images "
                 "(N, C, H, W) or vectors (N, F)", in->name, rank);
  gint64 d[4] = { 0, 1, 1, 1 };
  static const char *const axis[] = { "batch", "channels", "height", "width" };
  for (int k = 1; k < rank; k++)
    {
      const Onnx__TensorShapeProto__Dimension *dim = shape->dim[k];
      if (dim->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE
          || dim->dim_value < 1 || dim->dim_value > 65536)
        return fail (imp, error, "the graph input “%s” has no fixed %s; export the model with "
                     "a fixed input size", in->name, rank == 2 ? "feature count" : axis[k]);
      d[k] = dim->dim_value;
    }
  imp->input_rank = rank;
  imp->input = rank == 4 ? (CnnShape) { (int) d[1], (int) d[2], (int) d[3] }
                         : (CnnShape) { (int) d[1], 1, 1 };
  /* tf2onnx's Keras models take (N, H, W, C) and transpose it first: we
   * take (N, C, H, W), and the transpose is no more */
  gboolean nhwc = rank == 4 && transposed_to_nchw (graph, in->name, 0);
  if (nhwc)
    imp->input = (CnnShape) { (int) d[3], (int) d[1], (int) d[2] };
  size_t chw = cnn_shape_size (imp->input);
  imp->in_a = g_new (float, chw);
  imp->in_b = g_new0 (float, chw);
  for (size_t k = 0; k < chw; k++)
    imp->in_a[k] = 1.0f;
  OnnxValue *v = g_new0 (OnnxValue, 1);
  v->layer = -1;
  v->rank = rank;
  v->shape = imp->input;
  v->input_affine = TRUE;
  v->nhwc = nhwc;
  g_hash_table_replace (imp->values, g_strdup (in->name), v);
  return TRUE;
}

/* The nodes the output needs, in an order where each comes after its
 * inputs' producers; cycles and inputs nobody provides are errors. */
static gboolean
order_nodes (OnnxImporter *imp, const Onnx__GraphProto *graph, const char *output,
             GArray *order, GError **error)
{
  g_autoptr (GHashTable) producer = g_hash_table_new (g_str_hash, g_str_equal);
  for (size_t k = 0; k < graph->n_node; k++)
    for (size_t o = 0; o < graph->node[k]->n_output; o++)
      {
        const char *name = graph->node[k]->output[o];
        if (name[0] == '\0')
          continue;
        if (g_hash_table_contains (producer, name) || g_hash_table_contains (imp->values, name))
          return fail (imp, error, "the value “%s” is produced twice", name);
        g_hash_table_insert (producer, (gpointer) name, GINT_TO_POINTER (k + 1));
      }
  /* depth first from the output, with an explicit stack: 0 unseen, 1 open, 2 done */
  g_autofree guint8 *state = g_new0 (guint8, MAX (graph->n_node, 1));
  g_autoptr (GArray) stack = g_array_new (FALSE, FALSE, sizeof (int));
  int first = GPOINTER_TO_INT (g_hash_table_lookup (producer, output)) - 1;
  if (first < 0)
    {
      if (g_hash_table_contains (imp->values, output))
        return fail (imp, error, "the graph output “%s” is not computed by any node", output);
      return fail (imp, error, "no node produces the graph output “%s”", output);
    }
  g_array_append_val (stack, first);
  while (stack->len > 0)
    {
      int k = g_array_index (stack, int, stack->len - 1);
      const Onnx__NodeProto *node = graph->node[k];
      if (state[k] == 2)
        {
          g_array_set_size (stack, stack->len - 1);
          continue;
        }
      state[k] = 1;
      gboolean pushed = FALSE;
      for (size_t i = 0; i < node->n_input && !pushed; i++)
        {
          const char *name = node->input[i];
          if (name[0] == '\0' || g_hash_table_contains (imp->values, name))
            continue;
          int p = GPOINTER_TO_INT (g_hash_table_lookup (producer, name)) - 1;
          if (p < 0)
            {
              imp->node = node;
              return onnx_node_fail (imp, error, "its input “%s” is neither an initializer, the "
                                     "graph input nor the output of a node", name);
            }
          if (state[p] == 1)
            {
              imp->node = node;
              return onnx_node_fail (imp, error, "the graph has a cycle: its input “%s” depends on "
                                     "its own output", name);
            }
          if (state[p] == 0)
            {
              g_array_append_val (stack, p);
              pushed = TRUE;
            }
        }
      if (!pushed)
        {
          state[k] = 2;
          g_array_append_val (order, k);
          g_array_set_size (stack, stack->len - 1);
        }
    }
  /* who reads what, among the nodes we import */
  for (guint j = 0; j < order->len; j++)
    {
      const Onnx__NodeProto *node = graph->node[g_array_index (order, int, j)];
      for (size_t i = 0; i < node->n_input; i++)
        if (node->input[i][0])
          g_hash_table_replace (imp->consumers, g_strdup (node->input[i]),
                                GINT_TO_POINTER (onnx_consumers (imp, node->input[i]) + 1));
    }
  return TRUE;
}

/* The standardization: network input = a·x + b with x = byte / 255 */
static CnnNormalizer *
make_normalizer (OnnxImporter *imp)
{
  CnnShape s = imp->input;
  size_t chw = cnn_shape_size (s), hw = (size_t) s.h * s.w;
  g_autofree float *mean = g_new (float, chw);
  g_autofree float *scale = g_new (float, chw);
  gboolean identity = TRUE, per_channel = TRUE;
  for (size_t k = 0; k < chw; k++)
    {
      /* a·byte/255 + b = (byte - mean)·scale */
      scale[k] = imp->in_a[k] / 255.0f;
      mean[k] = -imp->in_b[k] / scale[k];
      identity = identity && imp->in_a[k] == 1.0f && imp->in_b[k] == 0.0f;
      per_channel = per_channel && imp->in_a[k] == imp->in_a[k / hw * hw]
                    && imp->in_b[k] == imp->in_b[k / hw * hw];
    }
  CnnStandardize mode = identity ? CNN_STANDARDIZE_SCALE
                        : per_channel ? CNN_STANDARDIZE_CHANNEL : CNN_STANDARDIZE_PIXEL;
  return cnn_normalizer_new_from (mode, s.c, s.h, s.w, mean, scale);
}

/* The network from the layers, which hand their weights over one by one;
 * `out` is what the graph outputs (its constants are gone by now). */
static CnnCheckpoint *
build (OnnxImporter *imp, gboolean out_const, int out_layer, CnnShape out_shape, GError **error)
{
  if (out_const || out_layer < 0)
    {
      fail (imp, error, "the graph output is %s, not computed by any layer",
            out_const ? "a constant" : "its input");
      return NULL;
    }
  if (out_layer != (int) imp->layers->len - 1)
    {
      fail (imp, error, "the graph output is not its last layer's");
      return NULL;
    }
  GString *spec = g_string_new (NULL);
  for (guint k = 0; k < imp->layers->len; k++)
    {
      const OnnxLayer *l = &g_array_index (imp->layers, OnnxLayer, k);
      g_string_append_printf (spec, "%s name=%s inputs=", l->type, l->name);
      for (int j = 0; j < l->n_inputs; j++)
        g_string_append_printf (spec, "%s%s", j ? "," : "",
                                l->inputs[j] < 0 ? "input"
                                : g_array_index (imp->layers, OnnxLayer, l->inputs[j]).name);
      g_string_append_printf (spec, "%s%s\n", l->hypers[0] ? " " : "", l->hypers);
    }
  g_autofree char *text = g_string_free (spec, FALSE);
  g_autoptr (CnnCheckpoint) ckpt = g_new0 (CnnCheckpoint, 1);
  GError *local = NULL;
  ckpt->net = cnn_network_new (text, imp->path, imp->input, MAX (out_shape.c, 1), &local);
  if (ckpt->net == NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  for (guint k = 0; k < imp->layers->len; k++)
    {
      OnnxLayer *l = &g_array_index (imp->layers, OnnxLayer, k);
      CnnLayer *nl = cnn_network_get_layer (ckpt->net, (int) k);
      g_assert (nl->n_params == l->n_params && nl->n_state == l->n_state);
      if (l->n_params)
        memcpy (nl->params, l->params, l->n_params * sizeof (float));
      if (l->n_state)
        memcpy (nl->state, l->state, l->n_state * sizeof (float));
      /* one copy of a large model's weights at a time */
      g_clear_pointer (&l->params, g_free);
      g_clear_pointer (&l->state, g_free);
    }
  ckpt->normalizer = make_normalizer (imp);
  return g_steal_pointer (&ckpt);
}

static Onnx__ModelProto *
unpack (const guint8 *data, gsize len, const char *label, GError **error)
{
  Onnx__ModelProto *model = onnx__model_proto__unpack (NULL, len, data);
  if (model == NULL)
    g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                 "%s: not an ONNX model, or a damaged or truncated one (it does not decode)", label);
  return model;
}

static CnnCheckpoint *
import_model (Onnx__ModelProto *model, const char *path, GError **error);

CnnCheckpoint *
cnn_onnx_import_data (const guint8 *data, gsize len, const char *path, GError **error)
{
  Onnx__ModelProto *model = unpack (data, len, path ? path : "the ONNX model", error);
  return model ? import_model (model, path, error) : NULL;
}

/* Imports and frees model */
static CnnCheckpoint *
import_model (Onnx__ModelProto *model, const char *path, GError **error)
{
  const char *label = path ? path : "the ONNX model";
  OnnxImporter imp = { .path = label };
  imp.dir = path ? g_path_get_dirname (path) : NULL;
  imp.values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, value_free);
  imp.consumers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  imp.layers = g_array_new (FALSE, TRUE, sizeof (OnnxLayer));
  g_array_set_clear_func (imp.layers, layer_clear);
  imp.names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  CnnCheckpoint *result = NULL;
  g_autoptr (GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  const Onnx__GraphProto *graph = model->graph;

  imp.opset = -1;
  for (size_t k = 0; k < model->n_opset_import; k++)
    {
      const Onnx__OperatorSetIdProto *o = model->opset_import[k];
      if (o->domain == NULL || o->domain[0] == '\0' || strcmp (o->domain, "ai.onnx") == 0)
        imp.opset = o->version;
    }
  if (graph == NULL || graph->n_node == 0)
    {
      fail (&imp, error, "the model has no graph");
      goto out;
    }
  if (imp.opset < 7 || imp.opset > 18)
    {
      if (imp.opset < 0)
        fail (&imp, error, "the model does not say which ONNX operator set it uses");
      else
        fail (&imp, error, "it uses ONNX operator set %" G_GINT64_FORMAT "; Convscope reads 7 to 18",
              imp.opset);
      goto out;
    }
  for (size_t k = 0; k < graph->n_initializer; k++)
    {
      Onnx__TensorProto *tp = graph->initializer[k];
      if (tp->name == NULL || tp->name[0] == '\0')
        continue;
      OnnxValue *v = g_new0 (OnnxValue, 1);
      v->is_const = TRUE;
      g_autofree char *what = g_strdup_printf ("%s: initializer “%s”", label, tp->name);
      if (!onnx_tensor_decode (tp, imp.dir, what, &v->t, error))
        {
          g_free (v);
          goto out;
        }
      /* the decoded copy is all we need: big models should not be held
       * three times over (protobuf-c allocates with malloc) */
      if (tp->has_raw_data)
        {
          free (tp->raw_data.data);
          tp->raw_data.data = NULL;
          tp->raw_data.len = 0;
          tp->has_raw_data = FALSE;
        }
      g_hash_table_replace (imp.values, g_strdup (tp->name), v);
    }
  if (!find_input (&imp, graph, error))
    goto out;
  if (graph->n_output != 1 || graph->output[0]->name == NULL)
    {
      fail (&imp, error, "the graph has %zu outputs; Convscope runs models with one", graph->n_output);
      goto out;
    }
  if (!order_nodes (&imp, graph, graph->output[0]->name, order, error))
    goto out;
  if (onnx_consumers (&imp, imp.input_name) != 1)
    ((OnnxValue *) g_hash_table_lookup (imp.values, imp.input_name))->input_affine = FALSE;
  for (guint j = 0; j < order->len; j++)
    {
      imp.node = graph->node[g_array_index (order, int, j)];
      if (imp.node->op_type == NULL)
        {
          onnx_node_fail (&imp, error, "it has no op type");
          goto out;
        }
      if (imp.node->domain && imp.node->domain[0] && strcmp (imp.node->domain, "ai.onnx") != 0)
        {
          onnx_node_fail (&imp, error, "its op comes from the “%s” domain, which Convscope does not "
                          "implement", imp.node->domain);
          goto out;
        }
      if (!onnx_import_node (&imp, error))
        goto out;
    }
  const OnnxValue *out = g_hash_table_lookup (imp.values, graph->output[0]->name);
  g_assert (out != NULL);
  gboolean out_const = out->is_const;
  int out_layer = out->layer;
  CnnShape out_shape = out->shape;
  /* the constants are in the layers now: free them before the network
   * takes its own copy of the weights */
  g_hash_table_remove_all (imp.values);
  result = build (&imp, out_const, out_layer, out_shape, error);

out:
  importer_free (&imp);
  onnx__model_proto__free_unpacked (model, NULL);
  return result;
}

CnnCheckpoint *
cnn_onnx_import (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  if (!cnn_file_read (path, &contents, &len, error))
    return NULL;
  Onnx__ModelProto *model = unpack ((const guint8 *) contents, len, path, error);
  g_clear_pointer (&contents, g_free);   /* protobuf-c copied what it needs */
  return model ? import_model (model, path, error) : NULL;
}

void
cnn_onnx_input_from_unit (const CnnNormalizer *nz, float *x, int count)
{
  size_t chw = (size_t) nz->c * nz->h * nz->w;
  for (int k = 0; k < count; k++)
    {
      float *v = x + (size_t) k * chw;   /* (c, h, w) */
      for (size_t j = 0; j < chw; j++)
        v[j] = (255.0f * v[j] - nz->mean[j]) * nz->scale[j];
    }
}
