/* ONNX ops that route and combine tensors: Identity, Dropout, Flatten,
 * Reshape, Concat, Add and Sum of branches, arithmetic with constants (into
 * the standardization, a dense layer's bias or a scale layer), Pad. */
#include "cnn-onnx-private.h"

#include <math.h>
#include <string.h>

gboolean
onnx_op_identity (OnnxImporter *imp, GError **error)
{
  const OnnxValue *x;
  if (!onnx_attrs_check (imp, NULL, error) || !(x = onnx_input (imp, 0, FALSE, error)))
    return FALSE;
  onnx_alias (imp, x);
  return TRUE;
}

/* A flatten layer; from a tensor in TensorFlow's order, its features are
 * in another order than ONNX's, which the dense layer after it undoes */
static gboolean
flatten_layer (OnnxImporter *imp, const OnnxValue *x, GError **error)
{
  OnnxValue *v = onnx_add_layer (imp, "flatten", "", &x, 1, NULL, 0, NULL, 0, error);
  if (v == NULL)
    return FALSE;
  v->nhwc_features = x->nhwc;
  v->flat_from = x->shape;
  onnx_set_output (imp, 0, v);
  return TRUE;
}

/* Dropout: a dropout layer, which does nothing in inference but keeps the
 * model's regularization when it is trained further */
gboolean
onnx_op_dropout (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "ratio", "seed", "is_test", NULL };
  const OnnxValue *x;
  float ratio = 0.5f;
  if (!onnx_attrs_check (imp, known, error) || !(x = onnx_input (imp, 0, FALSE, error)))
    return FALSE;
  if (imp->node->n_output > 1 && imp->node->output[1][0] && onnx_consumers (imp, imp->node->output[1]) > 0)
    return onnx_node_fail (imp, error, "its mask output is not supported");
  if (imp->opset < 12 ? !onnx_attr_float (imp, "ratio", 0.5f, &ratio, error)
                      : !onnx_const_scalar (imp, 1, 0.5f, &ratio, error))
    return FALSE;
  if (x->is_const || x->input_affine || ratio <= 0.0f || ratio >= 1.0f)
    {
      onnx_alias (imp, x);
      return TRUE;
    }
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *hypers = g_strdup_printf ("rate=%s", g_ascii_formatd (buf, sizeof buf, "%.9g", ratio));
  return onnx_output_layer (imp, "dropout", hypers, &x, 1, NULL, 0, NULL, 0, error);
}

gboolean
onnx_op_flatten (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "axis", NULL };
  const OnnxValue *x;
  gint64 axis;
  if (!onnx_attrs_check (imp, known, error) || !(x = onnx_input_tensor (imp, 0, error))
      || !onnx_attr_int (imp, "axis", 1, &axis, error))
    return FALSE;
  if (axis < 0)
    axis += x->rank;
  if (axis != 1)
    return onnx_node_fail (imp, error, "only flattening after the batch axis (axis=1) is supported");
  if (x->rank == 2)
    {
      onnx_alias (imp, x);
      return TRUE;
    }
  return flatten_layer (imp, x, error);
}

static gboolean
is_batch (OnnxImporter *imp, gint64 d)
{
  return d == ONNX_BATCH || d == 0;
}

gboolean
onnx_op_reshape (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "allowzero", "shape", NULL };
  const OnnxValue *x, *s;
  gint64 allowzero;
  if (!onnx_attrs_check (imp, known, error) || !(x = onnx_input (imp, 0, FALSE, error))
      || !onnx_attr_int (imp, "allowzero", 0, &allowzero, error))
    return FALSE;
  if (x->is_const)
    return onnx_reshape_const (imp, x, error);
  gint64 dims[8];
  int n = 0;
  if (imp->opset < 5)
    {
      if (!onnx_attr_ints (imp, "shape", dims, 8, &n, error))
        return FALSE;
    }
  else
    {
      if (!(s = onnx_input_const (imp, 1, FALSE, error)))
        return FALSE;
      if (!s->t.is_int || s->t.n_dims != 1 || s->t.n > 8)
        return onnx_node_fail (imp, error, "its shape should be a list of at most 8 integers");
      n = (int) s->t.n;
      memcpy (dims, s->t.i, n * sizeof (gint64));
    }
  size_t total = cnn_shape_size (x->shape);
  gint64 full[4] = { ONNX_BATCH, x->shape.c, x->shape.h, x->shape.w };
  if (x->nhwc)
    {
      full[1] = x->shape.h;
      full[2] = x->shape.w;
      full[3] = x->shape.c;
    }
  gboolean flat = n == 2 && (is_batch (imp, dims[0]) || dims[0] == -1 || dims[0] == 1)
                  && (dims[1] == (gint64) total || (dims[1] == -1 && dims[0] != -1));
  gboolean same = n == x->rank;
  for (int k = 0; same && k < n; k++)
    same = k == 0 ? is_batch (imp, dims[0]) || dims[0] == 1 || dims[0] == -1
                  : dims[k] == (x->rank == 2 ? (gint64) total : full[k]) || (dims[k] == 0 && !allowzero);
  if (same)
    {
      onnx_alias (imp, x);
      return TRUE;
    }
  if (flat)
    {
      if (x->rank == 2)
        {
          onnx_alias (imp, x);
          return TRUE;
        }
      return flatten_layer (imp, x, error);
    }
  GString *t = g_string_new (NULL);
  for (int k = 0; k < n; k++)
    {
      if (dims[k] == ONNX_BATCH || (k == 0 && dims[k] == 0))   /* 0: copied, the batch */
        g_string_append_printf (t, "%sN", k ? ", " : "");
      else
        g_string_append_printf (t, "%s%" G_GINT64_FORMAT, k ? ", " : "", dims[k]);
    }
  g_autofree char *text = g_string_free (t, FALSE);
  return onnx_node_fail (imp, error, "a reshape to (%s) is not supported, only flattening to "
                         "(N, %zu)", text, total);
}

gboolean
onnx_op_concat (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "axis", NULL };
  gint64 axis;
  if (!onnx_attrs_check (imp, known, error) || !onnx_attr_int (imp, "axis", 1, &axis, error))
    return FALSE;
  int n = (int) imp->node->n_input;
  if (n < 1)
    return onnx_node_fail (imp, error, "it has no inputs");
  const OnnxValue *in[CNN_MAX_INPUTS];
  const OnnxValue *first = onnx_input (imp, 0, FALSE, error);
  if (first == NULL)
    return FALSE;
  if (first->is_const)
    {
      /* shape arithmetic: 1-D constants end to end */
      size_t total = 0;
      for (int k = 0; k < n; k++)
        {
          const OnnxValue *v = onnx_input_const (imp, k, FALSE, error);
          if (v == NULL)
            return FALSE;
          if (v->t.n_dims != 1 || v->t.is_int != first->t.is_int)
            return onnx_node_fail (imp, error, "only 1-D constants of one type are concatenated");
          total += v->t.n;
        }
      OnnxValue *out = onnx_const_value ();
      gint64 d = (gint64) total;
      onnx_tensor_alloc (&out->t, 1, &d, first->t.is_int);
      size_t at = 0;
      for (int k = 0; k < n; k++)
        {
          const OnnxValue *v = onnx_input (imp, k, FALSE, NULL);
          if (v->t.is_int)
            memcpy (out->t.i + at, v->t.i, v->t.n * sizeof (gint64));
          else
            memcpy (out->t.f + at, v->t.f, v->t.n * sizeof (float));
          at += v->t.n;
        }
      onnx_set_output (imp, 0, out);
      return TRUE;
    }
  if (axis < 0)
    axis += first->rank;
  if (axis != 1)
    return onnx_node_fail (imp, error, "only joining along the channels (axis 1) is supported");
  if (n == 1)
    {
      const OnnxValue *x = onnx_input_tensor (imp, 0, error);
      if (x)
        onnx_alias (imp, x);
      return x != NULL;
    }
  /* more inputs than a layer takes (DenseNet): joined in steps, the first
   * step's result leading the next */
  OnnxValue *joined = NULL;
  for (int k = 0; k < n;)
    {
      int m = 0;
      if (joined)
        in[m++] = joined;
      for (; m < CNN_MAX_INPUTS && k < n; k++)
        {
          if (!(in[m] = onnx_input_tensor (imp, k, error)))
            break;
          if (in[m]->rank != first->rank)
            {
              onnx_node_fail (imp, error, "its inputs have different numbers of dimensions");
              in[m] = NULL;
            }
          if (in[m++] == NULL)
            break;
        }
      OnnxValue *next = m > 0 && in[m - 1] ? onnx_add_layer (imp, "concat", "", in, m, NULL, 0, NULL, 0, error) : NULL;
      if (joined)
        {
          onnx_tensor_clear (&joined->t);
          g_free (joined);
        }
      joined = next;
      if (joined == NULL)
        return FALSE;
    }
  onnx_set_output (imp, 0, joined);
  return TRUE;
}

/* ---- element-wise arithmetic ---- */

typedef enum { ARITH_ADD, ARITH_SUB, ARITH_MUL, ARITH_DIV } Arith;

static double
arith (Arith op, double a, double b)
{
  switch (op)
    {
    case ARITH_ADD: return a + b;
    case ARITH_SUB: return a - b;
    case ARITH_MUL: return a * b;
    default: return a / b;
    }
}

/* both constant: same shape, or one holds a single value */
static gboolean
fold_arith (OnnxImporter *imp, Arith op, const OnnxValue *a, const OnnxValue *b, GError **error)
{
  const OnnxValue *big = a->t.n >= b->t.n ? a : b;
  if ((a->t.n != b->t.n && MIN (a->t.n, b->t.n) != 1) || a->t.is_int != b->t.is_int)
    return onnx_node_fail (imp, error, "arithmetic on constants of different shapes or types is not supported");
  OnnxValue *out = onnx_const_value ();
  onnx_tensor_alloc (&out->t, big->t.n_dims, big->t.dims, a->t.is_int);
  for (size_t k = 0; k < out->t.n; k++)
    {
      size_t ia = a->t.n == 1 ? 0 : k, ib = b->t.n == 1 ? 0 : k;
      if (a->t.is_int)
        {
          gint64 x = a->t.i[ia], y = b->t.i[ib];
          if (x == ONNX_BATCH || y == ONNX_BATCH || (op == ARITH_DIV && y == 0))
            {
              onnx_tensor_clear (&out->t);
              g_free (out);
              return onnx_node_fail (imp, error, "arithmetic on the batch size (or a division by "
                                     "zero) is not supported");
            }
          out->t.i[k] = op == ARITH_DIV ? x / y : (gint64) arith (op, (double) x, (double) y);
        }
      else
        out->t.f[k] = (float) arith (op, a->t.f[ia], b->t.f[ib]);
    }
  onnx_set_output (imp, 0, out);
  return TRUE;
}

/* x·a + b (per value of a sample) for `x op c` or `c op x` */
static gboolean
affine_of (Arith op, gboolean const_first, const float *c, size_t n, float *a, float *b)
{
  for (size_t k = 0; k < n; k++)
    switch (op)
      {
      case ARITH_ADD: a[k] = 1.0f; b[k] = c[k]; break;
      case ARITH_MUL: a[k] = c[k]; b[k] = 0.0f; break;
      case ARITH_SUB:
        a[k] = const_first ? -1.0f : 1.0f;
        b[k] = const_first ? c[k] : -c[k];
        break;
      case ARITH_DIV:
        if (const_first || c[k] == 0.0f)
          return FALSE;   /* c / x is not affine; x / 0 is no model */
        a[k] = 1.0f / c[k];
        b[k] = 0.0f;
        break;
      }
  return TRUE;
}

static gboolean
op_arith (OnnxImporter *imp, Arith op, GError **error)
{
  static const char *const known[] = { "axis", "broadcast", NULL };
  const OnnxValue *p, *q;
  if (!onnx_attrs_check (imp, known, error) || !(p = onnx_input (imp, 0, FALSE, error))
      || !(q = onnx_input (imp, 1, FALSE, error)))
    return FALSE;
  if (p->is_const && q->is_const)
    return fold_arith (imp, op, p, q, error);
  if (!p->is_const && !q->is_const)
    {
      if (op != ARITH_ADD)
        return onnx_node_fail (imp, error, "this op between two computed tensors is not supported "
                               "(only Add, for residual connections)");
      if (p->rank != q->rank || memcmp (&p->shape, &q->shape, sizeof p->shape) != 0)
        return onnx_node_fail (imp, error, "adding tensors of different shapes (%d×%d×%d and %d×%d×%d) "
                               "is not supported", p->shape.c, p->shape.h, p->shape.w,
                               q->shape.c, q->shape.h, q->shape.w);
      const OnnxValue *in[2] = { p, q };
      return onnx_output_layer (imp, "add", "", in, 2, NULL, 0, NULL, 0, error);
    }
  gboolean const_first = p->is_const;
  const OnnxValue *x = const_first ? q : p, *c = const_first ? p : q;
  const char *x_name = imp->node->input[const_first ? 1 : 0];
  CnnShape s = x->shape;
  size_t chw = cnn_shape_size (s), hw = (size_t) s.h * s.w;
  if (x->nhwc_features && c->t.n != 1)
    return onnx_node_fail (imp, error, "constants on features flattened in TensorFlow's order are "
                           "not supported, only single numbers");
  g_autofree float *cv = x->nhwc ? onnx_tensor_broadcast_nhwc (&c->t, s)
                                 : onnx_tensor_broadcast (&c->t, x->rank, s);
  if (cv == NULL)
    {
      g_autofree char *dims = onnx_tensor_describe_dims (&c->t);
      return onnx_node_fail (imp, error, "its constant of shape %s does not broadcast onto the "
                             "%d×%d×%d tensor it is applied to", dims, s.c, s.h, s.w);
    }
  g_autofree float *a = g_new (float, chw);
  g_autofree float *b = g_new (float, chw);
  if (!affine_of (op, const_first, cv, chw, a, b))
    return onnx_node_fail (imp, error, "%s is not supported",
                           const_first ? "dividing a constant by a tensor" : "dividing by zero");

  /* straight on the graph input: into the standardization */
  if (x->input_affine && onnx_consumers (imp, x_name) == 1)
    {
      /* a graph that starts by dividing by 255 (Keras' Rescaling) takes
       * bytes: that is our x = byte / 255 already */
      gboolean untouched = TRUE, by_255 = TRUE;
      for (size_t k = 0; k < chw; k++)
        {
          untouched = untouched && imp->in_a[k] == 1.0f && imp->in_b[k] == 0.0f;
          by_255 = by_255 && b[k] == 0.0f && fabsf (a[k] * 255.0f - 1.0f) < 1e-5f;
        }
      if (untouched && by_255)
        {
          onnx_alias (imp, x);
          return TRUE;
        }
      for (size_t k = 0; k < chw; k++)
        {
          imp->in_a[k] *= a[k];
          imp->in_b[k] = imp->in_b[k] * a[k] + b[k];
        }
      onnx_alias (imp, x);
      return TRUE;
    }
  gboolean per_channel = TRUE;
  for (size_t k = 0; k < chw && per_channel; k++)
    per_channel = a[k] == a[k / hw * hw] && b[k] == b[k / hw * hw];
  if (!per_channel)
    {
      g_autofree char *dims = onnx_tensor_describe_dims (&c->t);
      return onnx_node_fail (imp, error, "its constant of shape %s varies within a channel; only "
                             "one value per channel is supported here", dims);
    }
  /* adding to a dense layer's output that nothing else reads: its bias;
   * after a scale layer: one scale layer */
  OnnxLayer *prev = onnx_layer_of (imp, x);
  if (prev && strcmp (prev->type, "scale") == 0 && onnx_consumers (imp, x_name) == 1)
    {
      for (int ch = 0; ch < s.c; ch++)
        {
          prev->params[ch] *= a[ch * hw];
          prev->params[s.c + ch] = prev->params[s.c + ch] * a[ch * hw] + b[ch * hw];
        }
      onnx_alias (imp, x);
      return TRUE;
    }
  if (prev && op != ARITH_MUL && op != ARITH_DIV && !const_first && strcmp (prev->type, "dense") == 0
      && onnx_consumers (imp, x_name) == 1 && strstr (prev->hypers, "bias=no") == NULL)
    {
      float *bias = prev->params + prev->n_params - s.c;
      for (int u = 0; u < s.c; u++)
        bias[u] += b[u];
      onnx_alias (imp, x);
      return TRUE;
    }
  g_autofree float *params = g_new (float, 2 * s.c);   /* scale (C), shift (C) */
  for (int ch = 0; ch < s.c; ch++)
    {
      params[ch] = a[ch * hw];
      params[s.c + ch] = b[ch * hw];
    }
  return onnx_output_layer (imp, "scale", "", &x, 1, params, 2 * s.c, NULL, 0, error);
}

/* Sum of several computed tensors of one shape: an add layer */
gboolean
onnx_op_sum (OnnxImporter *imp, GError **error)
{
  int n = (int) imp->node->n_input;
  const OnnxValue *in[CNN_MAX_INPUTS];
  if (!onnx_attrs_check (imp, NULL, error))
    return FALSE;
  if (n < 1 || n > CNN_MAX_INPUTS)
    return onnx_node_fail (imp, error, "it adds %d tensors; Convscope adds 1 to %d", n, CNN_MAX_INPUTS);
  for (int k = 0; k < n; k++)
    {
      if (!(in[k] = onnx_input_tensor (imp, k, error)))
        return FALSE;
      if (in[k]->rank != in[0]->rank || memcmp (&in[k]->shape, &in[0]->shape, sizeof in[0]->shape) != 0)
        return onnx_node_fail (imp, error, "adding tensors of different shapes is not supported");
    }
  if (n == 1)
    {
      onnx_alias (imp, in[0]);
      return TRUE;
    }
  return onnx_output_layer (imp, "add", "", in, n, NULL, 0, NULL, 0, error);
}

gboolean onnx_op_add (OnnxImporter *imp, GError **error) { return op_arith (imp, ARITH_ADD, error); }
gboolean onnx_op_sub (OnnxImporter *imp, GError **error) { return op_arith (imp, ARITH_SUB, error); }
gboolean onnx_op_mul (OnnxImporter *imp, GError **error) { return op_arith (imp, ARITH_MUL, error); }
gboolean onnx_op_div (OnnxImporter *imp, GError **error) { return op_arith (imp, ARITH_DIV, error); }

gboolean
onnx_op_pad (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "mode", "pads", "value", NULL };
  const OnnxValue *x;
  if (!onnx_attrs_check (imp, known, error) || !(x = onnx_input_tensor (imp, 0, error))
      || !onnx_need_rank (imp, x, 4, error))
    return FALSE;
  gint64 pads[8];
  int n = 0;
  float value = 0.0f;
  if (imp->opset < 11)
    {
      if (!onnx_attr_ints (imp, "pads", pads, 8, &n, error) || !onnx_attr_float (imp, "value", 0.0f, &value, error))
        return FALSE;
    }
  else
    {
      const OnnxValue *p = onnx_input_const (imp, 1, FALSE, error);
      if (p == NULL || !onnx_const_scalar (imp, 2, 0.0f, &value, error))
        return FALSE;
      if (imp->node->n_input > 3 && imp->node->input[3][0])
        return onnx_node_fail (imp, error, "its axes input is not supported");
      if (!p->t.is_int || p->t.n > 8)
        return onnx_node_fail (imp, error, "its pads should be 8 integers");
      n = (int) p->t.n;
      memcpy (pads, p->t.i, n * sizeof (gint64));
    }
  if (n != 8)
    return onnx_node_fail (imp, error, "its pads should be 8 integers (N, C, H, W at each end), not %d", n);
  if (pads[0] || pads[1] || pads[4] || pads[5])
    return onnx_node_fail (imp, error, "padding the batch or channel axis is not supported");
  for (int k = 0; k < 8; k++)
    if (pads[k] < 0 || pads[k] > 4096)
      return onnx_node_fail (imp, error, "pads should be from 0 to 4096 (cropping is not supported)");
  g_autofree char *mode = onnx_attr_string (imp, "mode", error);
  if (mode == NULL && error && *error)
    return FALSE;
  if (mode && strcmp (mode, "constant") != 0 && strcmp (mode, "reflect") != 0 && strcmp (mode, "edge") != 0)
    return onnx_node_fail (imp, error, "mode “%s” is not supported", mode);
  int p4[4] = { (int) pads[2], (int) pads[3], (int) pads[6], (int) pads[7] };
  if (p4[0] == 0 && p4[1] == 0 && p4[2] == 0 && p4[3] == 0)
    {
      onnx_alias (imp, x);   /* PyTorch pads by nothing before some poolings */
      return TRUE;
    }
  g_autofree char *text = onnx_pads_text (p4);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *hypers = g_strdup_printf ("padding=%s value=%s mode=%s", text,
                                             g_ascii_formatd (buf, sizeof buf, "%.9g", value),
                                             mode ? mode : "constant");
  return onnx_output_layer (imp, "pad", hypers, &x, 1, NULL, 0, NULL, 0, error);
}

