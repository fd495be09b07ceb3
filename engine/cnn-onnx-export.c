/* ONNX export: every layer type as ONNX opset 13 nodes, the weights as
 * raw float initializers, the input standardization as a Mul and an Add
 * in front, so the graph takes images in [0, 1] like the models PyTorch
 * users have. protobuf-c packs the message; the structs it packs point
 * into memory this file owns until then. */
#include "cnn-onnx.h"
#include "cnn-onnx-private.h"

#include <stdarg.h>
#include <string.h>

#include "cnn-error.h"

#define OPSET 13
#define IR_VERSION 7   /* the IR of opset 13 (ONNX 1.8) */

typedef struct
{
  GPtrArray *owned;    /* everything below, freed together */
  GPtrArray *nodes;    /* Onnx__NodeProto * */
  GPtrArray *inits;    /* Onnx__TensorProto * */
} Exporter;

static gpointer
own (Exporter *ex, gpointer p)
{
  g_ptr_array_add (ex->owned, p);
  return p;
}

static char *
own_printf (Exporter *ex, const char *format, ...) G_GNUC_PRINTF (2, 3);

static char *
own_printf (Exporter *ex, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  char *s = g_strdup_vprintf (format, args);
  va_end (args);
  return own (ex, s);
}

/* A float initializer (raw little-endian data) named `name` */
static const char *
init_floats (Exporter *ex, const char *name, int n_dims, const gint64 *dims, const float *v)
{
  Onnx__TensorProto *t = own (ex, g_new (Onnx__TensorProto, 1));
  onnx__tensor_proto__init (t);
  t->name = own (ex, g_strdup (name));
  t->n_dims = n_dims;
  t->dims = own (ex, g_memdup2 (dims, MAX (n_dims, 1) * sizeof (gint64)));
  gint64 n = 1;
  for (int d = 0; d < n_dims; d++)
    n *= dims[d];
  t->has_data_type = TRUE;
  t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
  t->has_raw_data = TRUE;
  t->raw_data.len = n * sizeof (float);
  t->raw_data.data = own (ex, g_memdup2 (v, MAX (n, 1) * sizeof (float)));
  g_ptr_array_add (ex->inits, t);
  return t->name;
}

static const char *
init_ints (Exporter *ex, const char *name, int n, const gint64 *v)
{
  Onnx__TensorProto *t = own (ex, g_new (Onnx__TensorProto, 1));
  onnx__tensor_proto__init (t);
  t->name = own (ex, g_strdup (name));
  t->n_dims = 1;
  t->dims = own (ex, g_new (gint64, 1));
  t->dims[0] = n;
  t->has_data_type = TRUE;
  t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
  t->has_raw_data = TRUE;
  t->raw_data.len = n * sizeof (gint64);
  t->raw_data.data = own (ex, g_memdup2 (v, n * sizeof (gint64)));
  g_ptr_array_add (ex->inits, t);
  return t->name;
}

static Onnx__NodeProto *
node (Exporter *ex, const char *op, const char *name, const char *output, int n_in, ...)
{
  Onnx__NodeProto *nd = own (ex, g_new (Onnx__NodeProto, 1));
  onnx__node_proto__init (nd);
  nd->op_type = (char *) op;
  nd->name = own (ex, g_strdup (name));
  nd->n_input = n_in;
  nd->input = own (ex, g_new0 (char *, MAX (n_in, 1)));
  va_list args;
  va_start (args, n_in);
  for (int k = 0; k < n_in; k++)
    nd->input[k] = own (ex, g_strdup (va_arg (args, const char *)));
  va_end (args);
  nd->n_output = 1;
  nd->output = own (ex, g_new (char *, 1));
  nd->output[0] = own (ex, g_strdup (output));
  g_ptr_array_add (ex->nodes, nd);
  return nd;
}

static Onnx__AttributeProto *
attr (Exporter *ex, Onnx__NodeProto *nd, const char *name, Onnx__AttributeProto__AttributeType type)
{
  Onnx__AttributeProto *a = own (ex, g_new (Onnx__AttributeProto, 1));
  onnx__attribute_proto__init (a);
  a->name = (char *) name;
  a->has_type = TRUE;
  a->type = type;
  Onnx__AttributeProto **list = own (ex, g_new (Onnx__AttributeProto *, nd->n_attribute + 1));
  if (nd->n_attribute)
    memcpy (list, nd->attribute, nd->n_attribute * sizeof *list);
  list[nd->n_attribute++] = a;
  nd->attribute = list;
  return a;
}

static void
attr_int (Exporter *ex, Onnx__NodeProto *nd, const char *name, gint64 v)
{
  Onnx__AttributeProto *a = attr (ex, nd, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
  a->has_i = TRUE;
  a->i = v;
}

static void
attr_float (Exporter *ex, Onnx__NodeProto *nd, const char *name, float v)
{
  Onnx__AttributeProto *a = attr (ex, nd, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
  a->has_f = TRUE;
  a->f = v;
}

static void
attr_ints (Exporter *ex, Onnx__NodeProto *nd, const char *name, int n, const gint64 *v)
{
  Onnx__AttributeProto *a = attr (ex, nd, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
  a->n_ints = n;
  a->ints = own (ex, g_memdup2 (v, n * sizeof (gint64)));
}

static void
attr_string (Exporter *ex, Onnx__NodeProto *nd, const char *name, const char *v)
{
  Onnx__AttributeProto *a = attr (ex, nd, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);
  a->has_s = TRUE;
  a->s.data = (guint8 *) v;
  a->s.len = strlen (v);
}

static int
hyper_int (const CnnLayer *l, const char *name, int k)
{
  int h = cnn_layer_class_find_hyper (l->klass, name);
  return h < 0 ? 0 : l->hp[h].i[k];
}

static double
hyper_float (const CnnLayer *l, const char *name)
{
  int h = cnn_layer_class_find_hyper (l->klass, name);
  return h < 0 ? 0.0 : l->hp[h].f;
}

/* kernel_shape, strides, pads (and dilations) of a windowed layer */
static void
window_attrs (Exporter *ex, Onnx__NodeProto *nd, const CnnLayer *l, int kh, int kw, int dh, int dw)
{
  CnnConvGeom g;
  l->klass->window (l, &g);   /* KH, KW: the extent with dilation */
  gint64 k[2] = { kh, kw }, s[2] = { g.SH, g.SW };
  /* what padding at the end the output size implies */
  gint64 p[4] = { g.PH, g.PW, MAX ((g.HO - 1) * g.SH + g.KH - g.H - g.PH, 0),
                  MAX ((g.WO - 1) * g.SW + g.KW - g.W - g.PW, 0) };
  attr_ints (ex, nd, "kernel_shape", 2, k);
  attr_ints (ex, nd, "strides", 2, s);
  attr_ints (ex, nd, "pads", 4, p);
  if (dh > 1 || dw > 1)
    {
      gint64 d[2] = { dh, dw };
      attr_ints (ex, nd, "dilations", 2, d);
    }
}

/* A per-channel constant: (C) for rank 1, else shaped to broadcast on a
 * rank-r tensor: (1, C, 1, 1) or (1, C) */
static const char *
init_channel (Exporter *ex, const char *name, int rank, int C, const float *v)
{
  gint64 dims[4] = { 1, C, 1, 1 };
  return rank == 1 ? init_floats (ex, name, 1, dims + 1, v) : init_floats (ex, name, rank, dims, v);
}

static gboolean
export_layer (Exporter *ex, CnnNetwork *net, int i, const char *const *names, int *rank,
              const char *input, GError **error)
{
  CnnLayer *l = cnn_network_get_layer (net, i);
  const char *type = l->klass->name, *name = l->name, *out = names[i];
  const char *in[CNN_MAX_INPUTS];
  for (int j = 0; j < l->n_inputs; j++)
    in[j] = l->inputs[j] < 0 ? input : names[l->inputs[j]];
  int r = l->inputs[0] < 0 ? 4 : rank[l->inputs[0]];
  CnnShape is = l->in_shape[0];
  rank[i] = r;
  Onnx__NodeProto *nd;

  if (strcmp (type, "conv2d") == 0)
    {
      int groups = hyper_int (l, "groups", 0), C_out = l->out_shape.c;
      int kh = hyper_int (l, "kernel", 0), kw = hyper_int (l, "kernel", 1);
      gint64 wd[4] = { C_out, is.c / groups, kh, kw };
      size_t nw = (size_t) C_out * (is.c / groups) * kh * kw;
      const char *w = init_floats (ex, own_printf (ex, "%s/weight", name), 4, wd, l->params);
      if (l->n_params > nw)
        {
          gint64 bd = C_out;
          const char *b = init_floats (ex, own_printf (ex, "%s/bias", name), 1, &bd, l->params + nw);
          nd = node (ex, "Conv", name, out, 3, in[0], w, b);
        }
      else
        nd = node (ex, "Conv", name, out, 2, in[0], w);
      window_attrs (ex, nd, l, kh, kw, hyper_int (l, "dilation", 0), hyper_int (l, "dilation", 1));
      if (groups > 1)
        attr_int (ex, nd, "group", groups);
    }
  else if (strcmp (type, "dense") == 0)
    {
      const char *x = in[0];
      if (r != 2)
        {
          x = own_printf (ex, "%s/flat", name);
          attr_int (ex, node (ex, "Flatten", x, x, 1, in[0]), "axis", 1);
        }
      int U = l->out_shape.c, K = (int) cnn_shape_size (is);
      gint64 wd[2] = { U, K }, bd = U;
      const char *w = init_floats (ex, own_printf (ex, "%s/weight", name), 2, wd, l->params);
      if (l->n_params > (size_t) U * K)
        nd = node (ex, "Gemm", name, out, 3, x, w,
                   init_floats (ex, own_printf (ex, "%s/bias", name), 1, &bd, l->params + (size_t) U * K));
      else
        nd = node (ex, "Gemm", name, out, 2, x, w);
      attr_int (ex, nd, "transB", 1);
      rank[i] = 2;
    }
  else if (strcmp (type, "maxpool") == 0 || strcmp (type, "avgpool") == 0)
    {
      gboolean is_max = type[0] == 'm';
      CnnConvGeom g;
      l->klass->window (l, &g);
      nd = node (ex, is_max ? "MaxPool" : "AveragePool", name, out, 1, in[0]);
      window_attrs (ex, nd, l, g.KH, g.KW, 1, 1);
      if (!is_max)
        attr_int (ex, nd, "count_include_pad", hyper_int (l, "count_pad", 0));
    }
  else if (strcmp (type, "globalavgpool") == 0)
    node (ex, "GlobalAveragePool", name, out, 1, in[0]);
  else if (strcmp (type, "batchnorm") == 0)
    {
      int C = is.c;
      const char *p[4];
      static const char *const what[] = { "weight", "bias", "running_mean", "running_var" };
      for (int k = 0; k < 4; k++)
        p[k] = init_channel (ex, own_printf (ex, "%s/%s", name, what[k]), 1, C,
                             (k < 2 ? l->params : l->state) + (k % 2) * C);
      nd = node (ex, "BatchNormalization", name, out, 5, in[0], p[0], p[1], p[2], p[3]);
      attr_float (ex, nd, "epsilon", (float) hyper_float (l, "epsilon"));
    }
  else if (strcmp (type, "dropout") == 0)
    {
      float rate = (float) hyper_float (l, "rate");
      node (ex, "Dropout", name, out, 2, in[0],
            init_floats (ex, own_printf (ex, "%s/ratio", name), 0, NULL, &rate));
    }
  else if (strcmp (type, "relu") == 0)
    node (ex, "Relu", name, out, 1, in[0]);
  else if (strcmp (type, "sigmoid") == 0)
    node (ex, "Sigmoid", name, out, 1, in[0]);
  else if (strcmp (type, "tanh") == 0)
    node (ex, "Tanh", name, out, 1, in[0]);
  else if (strcmp (type, "leakyrelu") == 0)
    attr_float (ex, node (ex, "LeakyRelu", name, out, 1, in[0]), "alpha", (float) hyper_float (l, "alpha"));
  else if (strcmp (type, "softmax") == 0)
    attr_int (ex, node (ex, "Softmax", name, out, 1, in[0]), "axis", 1);   /* ours: over channels */
  else if (strcmp (type, "flatten") == 0)
    {
      attr_int (ex, node (ex, "Flatten", name, out, 1, in[0]), "axis", 1);
      rank[i] = 2;
    }
  else if (strcmp (type, "add") == 0 && l->n_inputs == 2)
    node (ex, "Add", name, out, 2, in[0], in[1]);
  else if (strcmp (type, "add") == 0 || strcmp (type, "concat") == 0)
    {
      nd = node (ex, type[0] == 'a' ? "Sum" : "Concat", name, out, 1, in[0]);
      nd->n_input = l->n_inputs;
      nd->input = own (ex, g_new (char *, l->n_inputs));
      for (int j = 0; j < l->n_inputs; j++)
        nd->input[j] = (char *) in[j];
      if (type[0] == 'c')
        attr_int (ex, nd, "axis", 1);
    }
  else if (strcmp (type, "clip") == 0)
    {
      float lo = (float) hyper_float (l, "min"), hi = (float) hyper_float (l, "max");
      node (ex, "Clip", name, out, 3, in[0], init_floats (ex, own_printf (ex, "%s/min", name), 0, NULL, &lo),
            init_floats (ex, own_printf (ex, "%s/max", name), 0, NULL, &hi));
    }
  else if (strcmp (type, "scale") == 0)
    {
      /* named after the Mul, as the importer names the layer it makes of both */
      const char *mid = own_printf (ex, "%s/scaled", name);
      node (ex, "Mul", name, mid, 2, in[0],
            init_channel (ex, own_printf (ex, "%s/scale", name), r, is.c, l->params));
      node (ex, "Add", own_printf (ex, "%s/add", name), out, 2, mid,
            init_channel (ex, own_printf (ex, "%s/shift", name), r, is.c, l->params + is.c));
    }
  else if (strcmp (type, "pad") == 0)
    {
      int h = cnn_layer_class_find_hyper (l->klass, "padding");
      gint64 pads[8] = { 0, 0, l->hp[h].i[0], l->hp[h].i[1], 0, 0, l->hp[h].end[0], l->hp[h].end[1] };
      float value = (float) hyper_float (l, "value");
      static const char *const modes[] = { "constant", "reflect", "edge" };
      nd = node (ex, "Pad", name, out, 3, in[0], init_ints (ex, own_printf (ex, "%s/pads", name), 8, pads),
                 init_floats (ex, own_printf (ex, "%s/value", name), 0, NULL, &value));
      attr_string (ex, nd, "mode", modes[hyper_int (l, "mode", 0)]);
    }
  else if (strcmp (type, "lrn") == 0)
    {
      nd = node (ex, "LRN", name, out, 1, in[0]);
      attr_int (ex, nd, "size", hyper_int (l, "size", 0));
      attr_float (ex, nd, "alpha", (float) hyper_float (l, "alpha"));
      attr_float (ex, nd, "beta", (float) hyper_float (l, "beta"));
      attr_float (ex, nd, "bias", (float) hyper_float (l, "bias"));
    }
  else
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "layer %s (%s) has no ONNX counterpart in this Convscope", name, type);
      return FALSE;
    }
  return TRUE;
}

static Onnx__ValueInfoProto *
value_info (Exporter *ex, const char *name, int rank, const gint64 *dims)
{
  Onnx__ValueInfoProto *vi = own (ex, g_new (Onnx__ValueInfoProto, 1));
  onnx__value_info_proto__init (vi);
  vi->name = (char *) name;
  Onnx__TypeProto *tp = own (ex, g_new (Onnx__TypeProto, 1));
  onnx__type_proto__init (tp);
  Onnx__TypeProto__Tensor *tt = own (ex, g_new (Onnx__TypeProto__Tensor, 1));
  onnx__type_proto__tensor__init (tt);
  tt->has_elem_type = TRUE;
  tt->elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
  Onnx__TensorShapeProto *sp = own (ex, g_new (Onnx__TensorShapeProto, 1));
  onnx__tensor_shape_proto__init (sp);
  sp->n_dim = rank;
  sp->dim = own (ex, g_new (Onnx__TensorShapeProto__Dimension *, rank));
  for (int d = 0; d < rank; d++)
    {
      Onnx__TensorShapeProto__Dimension *dim = own (ex, g_new (Onnx__TensorShapeProto__Dimension, 1));
      onnx__tensor_shape_proto__dimension__init (dim);
      if (d == 0)
        {
          dim->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
          dim->dim_param = (char *) "N";
        }
      else
        {
          dim->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
          dim->dim_value = dims[d];
        }
      sp->dim[d] = dim;
    }
  tt->shape = sp;
  tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
  tp->tensor_type = tt;
  vi->type = tp;
  return vi;
}

/* The standardization in front: network input = x·a + b, x = byte / 255 */
static const char *
export_normalizer (Exporter *ex, const CnnNormalizer *nz, const char *input)
{
  size_t chw = (size_t) nz->c * nz->h * nz->w, hw = (size_t) nz->h * nz->w;
  g_autofree float *a = g_new (float, chw);
  g_autofree float *b = g_new (float, chw);
  gboolean identity = TRUE, per_channel = TRUE;
  for (size_t k = 0; k < chw; k++)
    {
      a[k] = 255.0f * nz->scale[k];
      b[k] = -nz->mean[k] * nz->scale[k];
      identity = identity && a[k] == 1.0f && b[k] == 0.0f;
    }
  for (size_t k = 0; k < chw; k++)
    per_channel = per_channel && a[k] == a[k / hw * hw] && b[k] == b[k / hw * hw];
  if (identity)
    return input;
  gint64 dims[4] = { 1, nz->c, per_channel ? 1 : nz->h, per_channel ? 1 : nz->w };
  if (per_channel)
    for (int c = 0; c < nz->c; c++)
      {
        a[c] = a[c * hw];
        b[c] = b[c * hw];
      }
  node (ex, "Mul", "input/mul", "input/scaled", 2, input,
        init_floats (ex, "input/scale", 4, dims, a));
  node (ex, "Add", "input/add", "input/standardized", 2, "input/scaled",
        init_floats (ex, "input/shift", 4, dims, b));
  return "input/standardized";
}

guint8 *
cnn_onnx_export_data (CnnNetwork *net, const CnnNormalizer *nz, gsize *len, GError **error)
{
  Exporter ex = { g_ptr_array_new_with_free_func (g_free), g_ptr_array_new (), g_ptr_array_new () };
  int n = cnn_network_get_n_layers (net);
  g_autofree int *rank = g_new0 (int, n);
  g_autofree const char **names = g_new0 (const char *, n);
  guint8 *result = NULL;
  for (int i = 0; i < n; i++)
    names[i] = cnn_network_get_layer (net, i)->name;
  const char *input = export_normalizer (&ex, nz, "input");
  for (int i = 0; i < n; i++)
    if (!export_layer (&ex, net, i, names, rank, input, error))
      goto out;

  CnnShape in = cnn_network_get_input_shape (net), os = cnn_network_get_output_shape (net);
  gint64 in_dims[4] = { 0, in.c, in.h, in.w }, out_dims[4] = { 0, os.c, os.h, os.w };
  Onnx__ValueInfoProto *gin = value_info (&ex, "input", 4, in_dims);
  Onnx__ValueInfoProto *gout = value_info (&ex, names[n - 1], rank[n - 1], out_dims);
  Onnx__GraphProto graph;
  onnx__graph_proto__init (&graph);
  graph.name = (char *) "convscope";
  graph.n_node = ex.nodes->len;
  graph.node = (Onnx__NodeProto **) ex.nodes->pdata;
  graph.n_initializer = ex.inits->len;
  graph.initializer = (Onnx__TensorProto **) ex.inits->pdata;
  graph.n_input = 1;
  graph.input = &gin;
  graph.n_output = 1;
  graph.output = &gout;
  Onnx__OperatorSetIdProto opset;
  onnx__operator_set_id_proto__init (&opset);
  opset.domain = (char *) "";
  opset.has_version = TRUE;
  opset.version = OPSET;
  Onnx__OperatorSetIdProto *opsets[1] = { &opset };
  Onnx__ModelProto model;
  onnx__model_proto__init (&model);
  model.has_ir_version = TRUE;
  model.ir_version = IR_VERSION;
  model.n_opset_import = 1;
  model.opset_import = opsets;
  model.producer_name = (char *) "convscope";
  model.producer_version = (char *) PACKAGE_VERSION;
  model.graph = &graph;
  *len = onnx__model_proto__get_packed_size (&model);
  result = g_malloc (MAX (*len, 1));
  onnx__model_proto__pack (&model, result);

out:
  g_ptr_array_unref (ex.nodes);
  g_ptr_array_unref (ex.inits);
  g_ptr_array_unref (ex.owned);
  return result;
}

gboolean
cnn_onnx_export (const char *path, CnnNetwork *net, const CnnNormalizer *nz, GError **error)
{
  gsize len = 0;
  g_autofree guint8 *data = cnn_onnx_export_data (net, nz, &len, error);
  if (data == NULL)
    return FALSE;
  GError *local = NULL;
  if (!g_file_set_contents_full (path, (const char *) data, len, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0644, &local))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot write the ONNX model: %s", path,
                   local->message);
      g_error_free (local);
      return FALSE;
    }
  return TRUE;
}
