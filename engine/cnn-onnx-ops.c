/* ONNX ops onto the engine's layers, one function each. Constants flow
 * through the shape arithmetic exporters emit for a flatten (Shape,
 * Gather, Unsqueeze, Concat, Reshape) and are folded here; a constant
 * applied to the graph input first becomes the input standardization. */
#include "cnn-onnx-private.h"

#include <math.h>
#include <string.h>

typedef gboolean (*OpFunc) (OnnxImporter *imp, GError **error);

/* ---- small helpers ---- */

static OnnxValue *
const_value (void)
{
  OnnxValue *v = g_new0 (OnnxValue, 1);
  v->is_const = TRUE;
  return v;
}

/* An alias: output 0 is input `v` (Identity, Dropout, a no-op Flatten) */
static void
alias (OnnxImporter *imp, const OnnxValue *v)
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

static gboolean
output_layer (OnnxImporter *imp, const char *type, const char *hypers, const OnnxValue *const *in,
              int n_in, const float *params, size_t n_params, const float *state, size_t n_state,
              GError **error)
{
  OnnxValue *v = onnx_add_layer (imp, type, hypers, in, n_in, params, n_params, state, n_state, error);
  if (v == NULL)
    return FALSE;
  onnx_set_output (imp, 0, v);
  return TRUE;
}

static gboolean
need_rank (OnnxImporter *imp, const OnnxValue *x, int rank, GError **error)
{
  if (x->rank != rank)
    return onnx_node_fail (imp, error, "its input has %d dimensions, where Convscope supports %d",
                           x->rank, rank);
  return TRUE;
}

/* A scalar constant's value (an optional input: `def` when absent) */
static gboolean
const_scalar (OnnxImporter *imp, int k, float def, float *out, GError **error)
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

static char *
pads_text (const int p[4])   /* top, left, bottom, right */
{
  if (p[0] == p[2] && p[1] == p[3])
    return p[0] == p[1] ? g_strdup_printf ("%d", p[0]) : g_strdup_printf ("%d,%d", p[0], p[1]);
  return g_strdup_printf ("%d,%d,%d,%d", p[0], p[1], p[2], p[3]);
}

/* The 2-D window attributes of Conv and the pools: kernel, strides, pads
 * (auto_pad resolved), dilations; ceil_mode as extra padding at the end. */
typedef struct
{
  int k[2], s[2], d[2], p[4];
} Window;

static gboolean
window_attrs (OnnxImporter *imp, const OnnxValue *x, const int *kernel_from_weights,
              gboolean pool, Window *w, GError **error)
{
  gint64 v[8];
  int n;
  if (!onnx_attr_ints (imp, "kernel_shape", v, 8, &n, error))
    return FALSE;
  if (n == 0 && kernel_from_weights)
    {
      w->k[0] = kernel_from_weights[0];
      w->k[1] = kernel_from_weights[1];
    }
  else if (n != 2 || v[0] < 1 || v[1] < 1 || v[0] > 64 || v[1] > 64)
    return onnx_node_fail (imp, error, "kernel_shape should be two sizes from 1 to 64 (a 2-D %s)",
                           pool ? "pooling" : "convolution");
  else
    {
      if (kernel_from_weights && (v[0] != kernel_from_weights[0] || v[1] != kernel_from_weights[1]))
        return onnx_node_fail (imp, error, "kernel_shape does not match the weights");
      w->k[0] = (int) v[0];
      w->k[1] = (int) v[1];
    }
  static const char *const pair_names[] = { "strides", "dilations" };
  for (int a = 0; a < 2; a++)
    {
      int *dst = a == 0 ? w->s : w->d;
      if (!onnx_attr_ints (imp, pair_names[a], v, 8, &n, error))
        return FALSE;
      if (n == 0)
        dst[0] = dst[1] = 1;
      else if (n != 2 || v[0] < 1 || v[1] < 1 || v[0] > 64 || v[1] > 64)
        return onnx_node_fail (imp, error, "%s should be two values from 1 to 64", pair_names[a]);
      else
        {
          dst[0] = (int) v[0];
          dst[1] = (int) v[1];
        }
    }
  if (pool && (w->d[0] != 1 || w->d[1] != 1))
    return onnx_node_fail (imp, error, "dilations other than 1 are not supported in pooling");
  if (!onnx_attr_ints (imp, "pads", v, 8, &n, error))
    return FALSE;
  if (n != 0 && n != 4)
    return onnx_node_fail (imp, error, "pads should hold four values (a 2-D window), not %d", n);
  for (int j = 0; j < 4; j++)
    {
      if (n && (v[j] < 0 || v[j] > 4096))
        return onnx_node_fail (imp, error, "pads should be from 0 to 4096");
      w->p[j] = n ? (int) v[j] : 0;
    }
  g_autofree char *auto_pad = onnx_attr_string (imp, "auto_pad", error);
  if (auto_pad == NULL && error && *error)
    return FALSE;
  if (auto_pad && strcmp (auto_pad, "NOTSET") != 0)
    {
      int size[2] = { x->shape.h, x->shape.w };
      if (strcmp (auto_pad, "VALID") == 0)
        memset (w->p, 0, sizeof w->p);
      else if (strcmp (auto_pad, "SAME_UPPER") == 0 || strcmp (auto_pad, "SAME_LOWER") == 0)
        for (int a = 0; a < 2; a++)
          {
            int out = (size[a] + w->s[a] - 1) / w->s[a];
            int extent = (w->k[a] - 1) * w->d[a] + 1;
            int total = MAX ((out - 1) * w->s[a] + extent - size[a], 0);
            int small = total / 2;
            w->p[a] = auto_pad[5] == 'U' ? small : total - small;
            w->p[a + 2] = total - w->p[a];
          }
      else
        return onnx_node_fail (imp, error, "auto_pad “%s” is not supported", auto_pad);
    }
  gint64 ceil_mode = 0;
  if (pool && !onnx_attr_int (imp, "ceil_mode", 0, &ceil_mode, error))
    return FALSE;
  if (ceil_mode)
    {
      /* the output rounds up: pad the end, but (as PyTorch) no window may
       * start in the end padding */
      int size[2] = { x->shape.h, x->shape.w };
      for (int a = 0; a < 2; a++)
        {
          int span = size[a] + w->p[a] + w->p[a + 2] - w->k[a];
          if (span < 0)
            continue;
          int out = (span + w->s[a] - 1) / w->s[a] + 1;
          if ((out - 1) * w->s[a] >= size[a] + w->p[a])
            out--;
          w->p[a + 2] += MAX ((out - 1) * w->s[a] + w->k[a] - (size[a] + w->p[a] + w->p[a + 2]), 0);
        }
    }
  return TRUE;
}

/* ---- convolution and dense ---- */

static gboolean
op_conv (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "auto_pad", "dilations", "group", "kernel_shape", "pads",
                                       "strides", NULL };
  const OnnxValue *x, *w, *b;
  GError *local = NULL;
  if (!onnx_attrs_check (imp, known, error) || !(x = onnx_input_tensor (imp, 0, error))
      || !(w = onnx_input_const (imp, 1, FALSE, error)) || !need_rank (imp, x, 4, error))
    return FALSE;
  b = onnx_input_const (imp, 2, TRUE, &local);
  if (local)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  gint64 group;
  if (!onnx_attr_int (imp, "group", 1, &group, error))
    return FALSE;
  if (w->t.n_dims != 4 || w->t.is_int)
    return onnx_node_fail (imp, error, "its weights should be a float tensor (M, C/group, kH, kW) "
                           "for a 2-D convolution");
  gint64 M = w->t.dims[0];
  if (group < 1 || group > x->shape.c || w->t.dims[1] * group != x->shape.c || M % group != 0 || M < 1)
    return onnx_node_fail (imp, error, "its weights (%" G_GINT64_FORMAT " × %" G_GINT64_FORMAT
                           " channels, group %" G_GINT64_FORMAT ") do not fit its %d-channel input",
                           M, w->t.dims[1], group, x->shape.c);
  if (b && (b->t.is_int || b->t.n != (size_t) M))
    return onnx_node_fail (imp, error, "its bias should hold %" G_GINT64_FORMAT " floats", M);
  int kernel[2] = { (int) w->t.dims[2], (int) w->t.dims[3] };
  if (w->t.dims[2] > 64 || w->t.dims[3] > 64)
    return onnx_node_fail (imp, error, "kernels larger than 64 are not supported");
  Window win;
  if (!window_attrs (imp, x, kernel, FALSE, &win, error))
    return FALSE;
  g_autofree char *pads = pads_text (win.p);
  GString *h = g_string_new (NULL);
  g_string_append_printf (h, "filters=%" G_GINT64_FORMAT " kernel=%d,%d stride=%d,%d padding=%s",
                          M, win.k[0], win.k[1], win.s[0], win.s[1], pads);
  if (group > 1)
    g_string_append_printf (h, " groups=%" G_GINT64_FORMAT, group);
  if (win.d[0] > 1 || win.d[1] > 1)
    g_string_append_printf (h, " dilation=%d,%d", win.d[0], win.d[1]);
  if (b == NULL)
    g_string_append (h, " bias=no");
  g_autofree char *hypers = g_string_free (h, FALSE);
  size_t nw = w->t.n, np = nw + (b ? b->t.n : 0);
  g_autofree float *params = g_new (float, np);
  memcpy (params, w->t.f, nw * sizeof (float));   /* (M, C/group, kH, kW), ours too */
  if (b)
    memcpy (params + nw, b->t.f, b->t.n * sizeof (float));
  return output_layer (imp, "conv2d", hypers, &x, 1, params, np, NULL, 0, error);
}

/* dense from weights (U, K) already scaled, and a bias (U; NULL: zeros)
 * or none */
static gboolean
dense (OnnxImporter *imp, const OnnxValue *x, const float *w, int U, gboolean has_bias,
       const float *bias, GError **error)
{
  size_t K = cnn_shape_size (x->shape), n = (size_t) U * K + (has_bias ? U : 0);
  g_autofree float *params = g_new (float, n);
  memcpy (params, w, (size_t) U * K * sizeof (float));
  if (x->nhwc_features)
    {
      /* the weights of feature (y, x, c) in ONNX's order go to (c, y, x) */
      CnnShape f = x->flat_from;
      for (int u = 0; u < U; u++)
        for (int c = 0; c < f.c; c++)
          for (int y = 0; y < f.h; y++)
            for (int xx = 0; xx < f.w; xx++)
              params[(size_t) u * K + ((size_t) c * f.h + y) * f.w + xx]
                = w[(size_t) u * K + ((size_t) y * f.w + xx) * f.c + c];
    }
  for (int u = 0; has_bias && u < U; u++)
    params[(size_t) U * K + u] = bias ? bias[u] : 0.0f;
  g_autofree char *hypers = g_strdup_printf ("units=%d%s", U, has_bias ? "" : " bias=no");
  return output_layer (imp, "dense", hypers, &x, 1, params, n, NULL, 0, error);
}

static gboolean
op_gemm (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "alpha", "beta", "transA", "transB", "broadcast", NULL };
  const OnnxValue *x, *b, *c;
  GError *local = NULL;
  if (!onnx_attrs_check (imp, known, error) || !(x = onnx_input_tensor (imp, 0, error))
      || !(b = onnx_input_const (imp, 1, FALSE, error)))
    return FALSE;
  c = onnx_input_const (imp, 2, TRUE, &local);
  if (local)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  gint64 trans_a, trans_b;
  float alpha, beta;
  if (!onnx_attr_int (imp, "transA", 0, &trans_a, error) || !onnx_attr_int (imp, "transB", 0, &trans_b, error)
      || !onnx_attr_float (imp, "alpha", 1.0f, &alpha, error) || !onnx_attr_float (imp, "beta", 1.0f, &beta, error))
    return FALSE;
  if (trans_a)
    return onnx_node_fail (imp, error, "transA=1 (a transposed batch) is not supported");
  if (x->rank != 2)
    return onnx_node_fail (imp, error, "its input has %d dimensions; Gemm takes (N, K): "
                           "a Flatten should come before it", x->rank);
  if (b->t.n_dims != 2 || b->t.is_int)
    return onnx_node_fail (imp, error, "its weights should be a 2-D float tensor");
  gint64 K = trans_b ? b->t.dims[1] : b->t.dims[0], U = trans_b ? b->t.dims[0] : b->t.dims[1];
  if (K != (gint64) cnn_shape_size (x->shape) || U < 1 || U > (1 << 24))
    return onnx_node_fail (imp, error, "its weights are %" G_GINT64_FORMAT "×%" G_GINT64_FORMAT
                           ", which does not fit its %zu inputs", b->t.dims[0], b->t.dims[1],
                           cnn_shape_size (x->shape));
  g_autofree float *w = g_new (float, (size_t) U * K);   /* (U, K) */
  for (gint64 u = 0; u < U; u++)
    for (gint64 k = 0; k < K; k++)
      w[u * K + k] = alpha * (trans_b ? b->t.f[u * K + k] : b->t.f[k * U + u]);
  g_autofree float *bias = NULL;
  if (c)
    {
      CnnShape s = { (int) U, 1, 1 };
      bias = onnx_tensor_broadcast (&c->t, 2, s);
      if (bias == NULL)
        {
          g_autofree char *dims = onnx_tensor_describe_dims (&c->t);
          return onnx_node_fail (imp, error, "its bias of shape %s does not broadcast to (%"
                                 G_GINT64_FORMAT ")", dims, U);
        }
      for (gint64 u = 0; u < U; u++)
        bias[u] *= beta;
    }
  return dense (imp, x, w, (int) U, c != NULL, bias, error);
}

static gboolean
op_matmul (OnnxImporter *imp, GError **error)
{
  const OnnxValue *x, *b;
  if (!onnx_attrs_check (imp, NULL, error) || !(x = onnx_input_tensor (imp, 0, error))
      || !(b = onnx_input_const (imp, 1, FALSE, error)))
    return FALSE;
  if (x->rank != 2)
    return onnx_node_fail (imp, error, "a MatMul of a %d-dimensional tensor is not supported, only "
                           "(N, K) times a constant (K, U)", x->rank);
  if (b->t.n_dims != 2 || b->t.is_int || b->t.dims[0] != (gint64) cnn_shape_size (x->shape)
      || b->t.dims[1] < 1 || b->t.dims[1] > (1 << 24))
    return onnx_node_fail (imp, error, "its second input should be a float (%zu, U) constant",
                           cnn_shape_size (x->shape));
  gint64 K = b->t.dims[0], U = b->t.dims[1];
  g_autofree float *w = g_new (float, (size_t) U * K);
  for (gint64 u = 0; u < U; u++)
    for (gint64 k = 0; k < K; k++)
      w[u * K + k] = b->t.f[k * U + u];
  /* a bias of zeros, which a following Add fills */
  return dense (imp, x, w, (int) U, TRUE, NULL, error);
}

/* ---- normalization and activations ---- */

static gboolean
op_batchnorm (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "epsilon", "momentum", "training_mode", "spatial",
                                       "is_test", "consumed_inputs", NULL };
  const OnnxValue *x, *p[4];
  if (!onnx_attrs_check (imp, known, error) || !(x = onnx_input_tensor (imp, 0, error)))
    return FALSE;
  for (int k = 0; k < 4; k++)
    if (!(p[k] = onnx_input_const (imp, k + 1, FALSE, error)))
      return FALSE;
  float eps;
  gint64 training, spatial;
  if (!onnx_attr_float (imp, "epsilon", 1e-5f, &eps, error)
      || !onnx_attr_int (imp, "training_mode", 0, &training, error)
      || !onnx_attr_int (imp, "spatial", 1, &spatial, error))
    return FALSE;
  if (training || spatial != 1 || imp->node->n_output > 1)
    return onnx_node_fail (imp, error, "only inference batch normalization is supported "
                           "(training_mode=0, spatial=1, one output)");
  if (eps < 1e-12f || eps > 1.0f)
    return onnx_node_fail (imp, error, "epsilon %g is outside Convscope's range [1e-12, 1]", eps);
  int C = x->shape.c;
  for (int k = 0; k < 4; k++)
    if (p[k]->t.is_int || p[k]->t.n != (size_t) C)
      return onnx_node_fail (imp, error, "input %d should hold %d floats, one per channel", k + 2, C);
  g_autofree float *params = g_new (float, 2 * C);   /* gamma, beta */
  g_autofree float *state = g_new (float, 2 * C);    /* mean, variance */
  memcpy (params, p[0]->t.f, C * sizeof (float));
  memcpy (params + C, p[1]->t.f, C * sizeof (float));
  memcpy (state, p[2]->t.f, C * sizeof (float));
  memcpy (state + C, p[3]->t.f, C * sizeof (float));
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *hypers = g_strdup_printf ("epsilon=%s", g_ascii_formatd (buf, sizeof buf, "%.9g", eps));
  return output_layer (imp, "batchnorm", hypers, &x, 1, params, 2 * C, state, 2 * C, error);
}

static gboolean
op_simple (OnnxImporter *imp, const char *type, GError **error)
{
  const OnnxValue *x;
  if (!onnx_attrs_check (imp, NULL, error) || !(x = onnx_input_tensor (imp, 0, error)))
    return FALSE;
  return output_layer (imp, type, "", &x, 1, NULL, 0, NULL, 0, error);
}

static gboolean op_relu (OnnxImporter *imp, GError **error) { return op_simple (imp, "relu", error); }
static gboolean op_sigmoid (OnnxImporter *imp, GError **error) { return op_simple (imp, "sigmoid", error); }
static gboolean op_tanh (OnnxImporter *imp, GError **error) { return op_simple (imp, "tanh", error); }

static gboolean
op_global_avg (OnnxImporter *imp, GError **error)
{
  const OnnxValue *x;
  if (!onnx_attrs_check (imp, NULL, error) || !(x = onnx_input_tensor (imp, 0, error))
      || !need_rank (imp, x, 4, error))
    return FALSE;
  return output_layer (imp, "globalavgpool", "", &x, 1, NULL, 0, NULL, 0, error);
}

/* The mean over height and width (Keras' GlobalAveragePooling2D through
 * tf2onnx, torch's x.mean((2, 3))): global average pooling */
static gboolean
op_reduce_mean (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "axes", "keepdims", "noop_with_empty_axes", NULL };
  const OnnxValue *x;
  gint64 axes[8], keepdims;
  int n = 0;
  if (!onnx_attrs_check (imp, known, error) || !(x = onnx_input (imp, 0, FALSE, error))
      || !onnx_attr_int (imp, "keepdims", 1, &keepdims, error))
    return FALSE;
  if (x->is_const || x->rank != 4)
    return onnx_node_fail (imp, error, "only the mean of a 4-D tensor over its height and width "
                           "is supported");
  if (imp->opset < 18)
    {
      if (!onnx_attr_ints (imp, "axes", axes, 8, &n, error))
        return FALSE;
    }
  else
    {
      GError *local = NULL;
      const OnnxValue *a = onnx_input_const (imp, 1, TRUE, &local);
      if (local)
        {
          g_propagate_error (error, local);
          return FALSE;
        }
      if (a && (!a->t.is_int || a->t.n > 8))
        return onnx_node_fail (imp, error, "its axes should be at most 8 integers");
      n = a ? (int) a->t.n : 0;
      if (a)
        memcpy (axes, a->t.i, n * sizeof (gint64));
    }
  /* the spatial axes in the order ONNX sees the tensor */
  int h_axis = x->nhwc ? 1 : 2, w_axis = x->nhwc ? 2 : 3;
  gboolean h = FALSE, w = FALSE, other = FALSE;
  for (int k = 0; k < n; k++)
    {
      gint64 a = axes[k] < 0 ? axes[k] + 4 : axes[k];
      h = h || a == h_axis;
      w = w || a == w_axis;
      other = other || (a != h_axis && a != w_axis);
    }
  if (!h || !w || other)
    return onnx_node_fail (imp, error, "only the mean over height and width is supported");
  OnnxValue *v = onnx_add_layer (imp, "globalavgpool", "", &x, 1, NULL, 0, NULL, 0, error);
  if (v == NULL)
    return FALSE;
  if (keepdims)
    {
      v->nhwc = x->nhwc;
      onnx_set_output (imp, 0, v);
      return TRUE;
    }
  /* (N, C) */
  const OnnxValue *in = v;
  OnnxValue *flat = onnx_add_layer (imp, "flatten", "", &in, 1, NULL, 0, NULL, 0, error);
  onnx_tensor_clear (&v->t);
  g_free (v);
  if (flat == NULL)
    return FALSE;
  onnx_set_output (imp, 0, flat);
  return TRUE;
}

static gboolean
op_leaky (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "alpha", NULL };
  const OnnxValue *x;
  float alpha;
  if (!onnx_attrs_check (imp, known, error) || !(x = onnx_input_tensor (imp, 0, error))
      || !onnx_attr_float (imp, "alpha", 0.01f, &alpha, error))
    return FALSE;
  if (alpha < 0.0f || alpha > 1.0f)
    return onnx_node_fail (imp, error, "alpha %g is outside Convscope's range [0, 1]", alpha);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *hypers = g_strdup_printf ("alpha=%s", g_ascii_formatd (buf, sizeof buf, "%.9g", alpha));
  return output_layer (imp, "leakyrelu", hypers, &x, 1, NULL, 0, NULL, 0, error);
}

static gboolean
op_clip (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "min", "max", NULL };
  const OnnxValue *x;
  float lo, hi;
  if (!onnx_attrs_check (imp, known, error) || !(x = onnx_input_tensor (imp, 0, error)))
    return FALSE;
  if (imp->opset < 11)
    {
      if (!onnx_attr_float (imp, "min", -INFINITY, &lo, error) || !onnx_attr_float (imp, "max", INFINITY, &hi, error))
        return FALSE;
    }
  else if (!const_scalar (imp, 1, -INFINITY, &lo, error) || !const_scalar (imp, 2, INFINITY, &hi, error))
    return FALSE;
  if (lo == 0.0f && hi == INFINITY)
    return output_layer (imp, "relu", "", &x, 1, NULL, 0, NULL, 0, error);
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *hypers = g_strdup_printf ("min=%s max=%s",
                                             g_ascii_formatd (a, sizeof a, "%.9g", MAX (lo, -1e30f)),
                                             g_ascii_formatd (b, sizeof b, "%.9g", MIN (hi, 1e30f)));
  return output_layer (imp, "clip", hypers, &x, 1, NULL, 0, NULL, 0, error);
}

static gboolean
op_softmax (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "axis", NULL };
  const OnnxValue *x;
  gint64 axis;
  if (!onnx_attrs_check (imp, known, error) || !(x = onnx_input_tensor (imp, 0, error))
      || !onnx_attr_int (imp, "axis", imp->opset < 13 ? 1 : -1, &axis, error))
    return FALSE;
  if (axis < 0)
    axis += x->rank;
  /* ours is over the channels, for each pixel */
  gboolean ok = axis == 1 && (x->rank == 2 || imp->opset >= 13 || (x->shape.h == 1 && x->shape.w == 1));
  if (!ok)
    return onnx_node_fail (imp, error, "a softmax over axis %" G_GINT64_FORMAT " of a %d-dimensional "
                           "tensor is not supported, only over the channels (axis 1)", axis, x->rank);
  return output_layer (imp, "softmax", "", &x, 1, NULL, 0, NULL, 0, error);
}

static gboolean
op_lrn (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "alpha", "beta", "bias", "size", NULL };
  const OnnxValue *x;
  float alpha, beta, bias;
  gint64 size;
  if (!onnx_attrs_check (imp, known, error) || !(x = onnx_input_tensor (imp, 0, error))
      || !need_rank (imp, x, 4, error)
      || !onnx_attr_float (imp, "alpha", 1e-4f, &alpha, error) || !onnx_attr_float (imp, "beta", 0.75f, &beta, error)
      || !onnx_attr_float (imp, "bias", 1.0f, &bias, error) || !onnx_attr_int (imp, "size", 0, &size, error))
    return FALSE;
  if (size < 1 || size > 1024)
    return onnx_node_fail (imp, error, "size should be from 1 to 1024");
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE], k[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *hypers = g_strdup_printf ("size=%d alpha=%s beta=%s bias=%s", (int) size,
                                             g_ascii_formatd (a, sizeof a, "%.9g", alpha),
                                             g_ascii_formatd (b, sizeof b, "%.9g", beta),
                                             g_ascii_formatd (k, sizeof k, "%.9g", bias));
  return output_layer (imp, "lrn", hypers, &x, 1, NULL, 0, NULL, 0, error);
}

/* ---- pooling ---- */

static gboolean
pool (OnnxImporter *imp, gboolean is_max, GError **error)
{
  static const char *const known_max[] = { "auto_pad", "ceil_mode", "dilations", "kernel_shape",
                                           "pads", "storage_order", "strides", NULL };
  static const char *const known_avg[] = { "auto_pad", "ceil_mode", "count_include_pad",
                                           "kernel_shape", "pads", "strides", NULL };
  const OnnxValue *x;
  if (!onnx_attrs_check (imp, is_max ? known_max : known_avg, error)
      || !(x = onnx_input_tensor (imp, 0, error)) || !need_rank (imp, x, 4, error))
    return FALSE;
  if (imp->node->n_output > 1 && imp->node->output[1][0] && onnx_consumers (imp, imp->node->output[1]) > 0)
    return onnx_node_fail (imp, error, "its Indices output is not supported");
  Window win;
  gint64 count_pad = 0, ceil_mode = 0;
  if (!window_attrs (imp, x, NULL, TRUE, &win, error)
      || (!is_max && !onnx_attr_int (imp, "count_include_pad", 0, &count_pad, error))
      || !onnx_attr_int (imp, "ceil_mode", 0, &ceil_mode, error))
    return FALSE;
  if (!is_max && count_pad && ceil_mode)
    return onnx_node_fail (imp, error, "ceil_mode=1 together with count_include_pad=1 is not supported");
  g_autofree char *pads = pads_text (win.p);
  g_autofree char *hypers = g_strdup_printf ("size=%d,%d stride=%d,%d padding=%s%s", win.k[0], win.k[1],
                                             win.s[0], win.s[1], pads,
                                             is_max ? "" : count_pad ? " count_pad=yes" : " count_pad=no");
  return output_layer (imp, is_max ? "maxpool" : "avgpool", hypers, &x, 1, NULL, 0, NULL, 0, error);
}

static gboolean op_maxpool (OnnxImporter *imp, GError **error) { return pool (imp, TRUE, error); }
static gboolean op_avgpool (OnnxImporter *imp, GError **error) { return pool (imp, FALSE, error); }

/* ---- plumbing ---- */

static gboolean
op_identity (OnnxImporter *imp, GError **error)
{
  const OnnxValue *x;
  if (!onnx_attrs_check (imp, NULL, error) || !(x = onnx_input (imp, 0, FALSE, error)))
    return FALSE;
  alias (imp, x);
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
static gboolean
op_dropout (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "ratio", "seed", "is_test", NULL };
  const OnnxValue *x;
  float ratio = 0.5f;
  if (!onnx_attrs_check (imp, known, error) || !(x = onnx_input (imp, 0, FALSE, error)))
    return FALSE;
  if (imp->node->n_output > 1 && imp->node->output[1][0] && onnx_consumers (imp, imp->node->output[1]) > 0)
    return onnx_node_fail (imp, error, "its mask output is not supported");
  if (imp->opset < 12 ? !onnx_attr_float (imp, "ratio", 0.5f, &ratio, error)
                      : !const_scalar (imp, 1, 0.5f, &ratio, error))
    return FALSE;
  if (x->is_const || x->input_affine || ratio <= 0.0f || ratio >= 1.0f)
    {
      alias (imp, x);
      return TRUE;
    }
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *hypers = g_strdup_printf ("rate=%s", g_ascii_formatd (buf, sizeof buf, "%.9g", ratio));
  return output_layer (imp, "dropout", hypers, &x, 1, NULL, 0, NULL, 0, error);
}

static gboolean
op_flatten (OnnxImporter *imp, GError **error)
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
      alias (imp, x);
      return TRUE;
    }
  return flatten_layer (imp, x, error);
}

/* New dims for a constant: 0 copies, -1 takes the rest */
static gboolean
reshape_const (OnnxImporter *imp, const OnnxValue *x, GError **error)
{
  const OnnxValue *s = onnx_input_const (imp, 1, FALSE, error);
  if (s == NULL)
    return FALSE;
  if (!s->t.is_int || s->t.n_dims != 1 || s->t.n > ONNX_MAX_DIMS)
    return onnx_node_fail (imp, error, "its shape should be a list of at most %d integers", ONNX_MAX_DIMS);
  gint64 dims[ONNX_MAX_DIMS];
  int n = (int) s->t.n, infer = -1;
  gint64 known = 1;
  for (int k = 0; k < n; k++)
    {
      dims[k] = s->t.i[k];
      if (dims[k] == 0 && k < x->t.n_dims)
        dims[k] = x->t.dims[k];
      if (dims[k] == -1 && infer < 0)
        infer = k;
      else if (dims[k] < 0)
        return onnx_node_fail (imp, error, "its shape holds %" G_GINT64_FORMAT, dims[k]);
      else
        known *= dims[k];
    }
  if (infer >= 0)
    dims[infer] = known > 0 ? (gint64) x->t.n / known : 0;
  gint64 total = 1;
  for (int k = 0; k < n; k++)
    total *= dims[k];
  if (total != (gint64) x->t.n)
    return onnx_node_fail (imp, error, "a constant of %zu values cannot take that shape", x->t.n);
  OnnxValue *v = const_value ();
  onnx_tensor_alloc (&v->t, n, dims, x->t.is_int);
  if (x->t.is_int)
    memcpy (v->t.i, x->t.i, x->t.n * sizeof (gint64));
  else
    memcpy (v->t.f, x->t.f, x->t.n * sizeof (float));
  onnx_set_output (imp, 0, v);
  return TRUE;
}

static gboolean
is_batch (OnnxImporter *imp, gint64 d)
{
  return d == ONNX_BATCH || d == 0;
}

static gboolean
op_reshape (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "allowzero", "shape", NULL };
  const OnnxValue *x, *s;
  gint64 allowzero;
  if (!onnx_attrs_check (imp, known, error) || !(x = onnx_input (imp, 0, FALSE, error))
      || !onnx_attr_int (imp, "allowzero", 0, &allowzero, error))
    return FALSE;
  if (x->is_const)
    return reshape_const (imp, x, error);
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
      alias (imp, x);
      return TRUE;
    }
  if (flat)
    {
      if (x->rank == 2)
        {
          alias (imp, x);
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

static gboolean
op_concat (OnnxImporter *imp, GError **error)
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
      OnnxValue *out = const_value ();
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
        alias (imp, x);
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
  OnnxValue *out = const_value ();
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
      return output_layer (imp, "add", "", in, 2, NULL, 0, NULL, 0, error);
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
          alias (imp, x);
          return TRUE;
        }
      for (size_t k = 0; k < chw; k++)
        {
          imp->in_a[k] *= a[k];
          imp->in_b[k] = imp->in_b[k] * a[k] + b[k];
        }
      alias (imp, x);
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
      alias (imp, x);
      return TRUE;
    }
  if (prev && op != ARITH_MUL && op != ARITH_DIV && !const_first && strcmp (prev->type, "dense") == 0
      && onnx_consumers (imp, x_name) == 1 && strstr (prev->hypers, "bias=no") == NULL)
    {
      float *bias = prev->params + prev->n_params - s.c;
      for (int u = 0; u < s.c; u++)
        bias[u] += b[u];
      alias (imp, x);
      return TRUE;
    }
  g_autofree float *params = g_new (float, 2 * s.c);   /* scale (C), shift (C) */
  for (int ch = 0; ch < s.c; ch++)
    {
      params[ch] = a[ch * hw];
      params[s.c + ch] = b[ch * hw];
    }
  return output_layer (imp, "scale", "", &x, 1, params, 2 * s.c, NULL, 0, error);
}

/* Sum of several computed tensors of one shape: an add layer */
static gboolean
op_sum (OnnxImporter *imp, GError **error)
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
      alias (imp, in[0]);
      return TRUE;
    }
  return output_layer (imp, "add", "", in, n, NULL, 0, NULL, 0, error);
}

static gboolean op_add (OnnxImporter *imp, GError **error) { return op_arith (imp, ARITH_ADD, error); }
static gboolean op_sub (OnnxImporter *imp, GError **error) { return op_arith (imp, ARITH_SUB, error); }
static gboolean op_mul (OnnxImporter *imp, GError **error) { return op_arith (imp, ARITH_MUL, error); }
static gboolean op_div (OnnxImporter *imp, GError **error) { return op_arith (imp, ARITH_DIV, error); }

static gboolean
op_pad (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "mode", "pads", "value", NULL };
  const OnnxValue *x;
  if (!onnx_attrs_check (imp, known, error) || !(x = onnx_input_tensor (imp, 0, error))
      || !need_rank (imp, x, 4, error))
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
      if (p == NULL || !const_scalar (imp, 2, 0.0f, &value, error))
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
      alias (imp, x);   /* PyTorch pads by nothing before some poolings */
      return TRUE;
    }
  g_autofree char *text = pads_text (p4);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *hypers = g_strdup_printf ("padding=%s value=%s mode=%s", text,
                                             g_ascii_formatd (buf, sizeof buf, "%.9g", value),
                                             mode ? mode : "constant");
  return output_layer (imp, "pad", hypers, &x, 1, NULL, 0, NULL, 0, error);
}

/* ---- constants and shape arithmetic ---- */

static gboolean
op_constant (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "value", "value_float", "value_floats", "value_int",
                                       "value_ints", NULL };
  if (!onnx_attrs_check (imp, known, error))
    return FALSE;
  if (imp->node->n_attribute != 1)
    return onnx_node_fail (imp, error, "it should have exactly one value attribute");
  const Onnx__AttributeProto *a = imp->node->attribute[0];
  OnnxValue *v = const_value ();
  const char *name = a->name;
  if (strcmp (name, "value") == 0)
    {
      g_autofree char *what = g_strdup_printf ("%s: node “%s” (Constant)", imp->path,
                                               imp->node->name ? imp->node->name : "");
      if (a->t == NULL)
        {
          g_free (v);
          return onnx_node_fail (imp, error, "its value is not a tensor");
        }
      if (!onnx_tensor_decode (a->t, NULL, what, &v->t, error))
        {
          g_free (v);
          return FALSE;
        }
    }
  else if (strcmp (name, "value_float") == 0 || strcmp (name, "value_int") == 0)
    {
      gboolean is_int = name[6] == 'i';
      onnx_tensor_alloc (&v->t, 0, NULL, is_int);
      if (is_int)
        v->t.i[0] = a->i;
      else
        v->t.f[0] = a->f;
    }
  else
    {
      gboolean is_int = name[6] == 'i';
      gint64 n = is_int ? (gint64) a->n_ints : (gint64) a->n_floats;
      onnx_tensor_alloc (&v->t, 1, &n, is_int);
      if (n && is_int)
        memcpy (v->t.i, a->ints, n * sizeof (gint64));
      else if (n)
        memcpy (v->t.f, a->floats, n * sizeof (float));
    }
  onnx_set_output (imp, 0, v);
  return TRUE;
}

static gboolean
op_shape (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "start", "end", NULL };
  const OnnxValue *x;
  gint64 start, end;
  if (!onnx_attrs_check (imp, known, error) || !(x = onnx_input (imp, 0, FALSE, error)))
    return FALSE;
  gint64 dims[ONNX_MAX_DIMS];
  int rank;
  if (x->is_const)
    {
      rank = x->t.n_dims;
      memcpy (dims, x->t.dims, rank * sizeof (gint64));
    }
  else
    {
      rank = x->rank;
      dims[0] = ONNX_BATCH;
      if (rank == 2)
        dims[1] = (gint64) cnn_shape_size (x->shape);
      else
        {
          dims[x->nhwc ? 3 : 1] = x->shape.c;
          dims[x->nhwc ? 1 : 2] = x->shape.h;
          dims[x->nhwc ? 2 : 3] = x->shape.w;
        }
    }
  if (!onnx_attr_int (imp, "start", 0, &start, error) || !onnx_attr_int (imp, "end", rank, &end, error))
    return FALSE;
  start = start < 0 ? MAX (start + rank, 0) : MIN (start, rank);
  end = end < 0 ? MAX (end + rank, 0) : MIN (end, rank);
  gint64 n = MAX (end - start, 0);
  OnnxValue *v = const_value ();
  onnx_tensor_alloc (&v->t, 1, &n, TRUE);
  for (gint64 k = 0; k < n; k++)
    v->t.i[k] = dims[start + k];
  onnx_set_output (imp, 0, v);
  return TRUE;
}

static gboolean
op_gather (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "axis", NULL };
  const OnnxValue *d, *ix;
  gint64 axis;
  if (!onnx_attrs_check (imp, known, error) || !onnx_attr_int (imp, "axis", 0, &axis, error)
      || !(d = onnx_input_const (imp, 0, FALSE, error)) || !(ix = onnx_input_const (imp, 1, FALSE, error)))
    return FALSE;
  if (d->t.n_dims != 1 || (axis != 0 && axis != -1) || !ix->t.is_int)
    return onnx_node_fail (imp, error, "only gathering from a 1-D constant (shape arithmetic) is supported");
  OnnxValue *v = const_value ();
  onnx_tensor_alloc (&v->t, ix->t.n_dims, ix->t.dims, d->t.is_int);
  for (size_t k = 0; k < ix->t.n; k++)
    {
      gint64 i = ix->t.i[k] < 0 ? ix->t.i[k] + (gint64) d->t.n : ix->t.i[k];
      if (i < 0 || i >= (gint64) d->t.n)
        {
          onnx_tensor_clear (&v->t);
          g_free (v);
          return onnx_node_fail (imp, error, "index %" G_GINT64_FORMAT " is out of range", ix->t.i[k]);
        }
      if (d->t.is_int)
        v->t.i[k] = d->t.i[i];
      else
        v->t.f[k] = d->t.f[i];
    }
  onnx_set_output (imp, 0, v);
  return TRUE;
}

/* Unsqueeze and Squeeze of constants: the values stay, the dims change */
static gboolean
squeeze (OnnxImporter *imp, gboolean un, GError **error)
{
  static const char *const known[] = { "axes", NULL };
  const OnnxValue *x;
  gint64 axes[8];
  int n = 0;
  if (!onnx_attrs_check (imp, known, error) || !(x = onnx_input (imp, 0, FALSE, error)))
    return FALSE;
  if (!x->is_const)
    return onnx_node_fail (imp, error, "only constants (shape arithmetic) can be %s",
                           un ? "unsqueezed" : "squeezed");
  if (imp->opset < 13)
    {
      if (!onnx_attr_ints (imp, "axes", axes, 8, &n, error))
        return FALSE;
    }
  else
    {
      GError *local = NULL;
      const OnnxValue *a = onnx_input_const (imp, 1, TRUE, &local);
      if (local)
        {
          g_propagate_error (error, local);
          return FALSE;
        }
      if (a && (!a->t.is_int || a->t.n > 8))
        return onnx_node_fail (imp, error, "its axes should be at most 8 integers");
      n = a ? (int) a->t.n : 0;
      if (a)
        memcpy (axes, a->t.i, n * sizeof (gint64));
    }
  int out_rank = un ? x->t.n_dims + n : x->t.n_dims;
  if (un && n == 0)
    return onnx_node_fail (imp, error, "it has no axes");
  if (out_rank > ONNX_MAX_DIMS)
    return onnx_node_fail (imp, error, "the result would have more than %d dimensions", ONNX_MAX_DIMS);
  gboolean mark[ONNX_MAX_DIMS] = { FALSE };
  for (int k = 0; k < n; k++)
    {
      gint64 a = axes[k] < 0 ? axes[k] + out_rank : axes[k];
      if (a < 0 || a >= out_rank)
        return onnx_node_fail (imp, error, "axis %" G_GINT64_FORMAT " is out of range", axes[k]);
      mark[a] = TRUE;
    }
  gint64 dims[ONNX_MAX_DIMS];
  int m = 0, src = 0;
  if (un)
    for (int k = 0; k < out_rank; k++)
      dims[m++] = mark[k] ? 1 : x->t.dims[src++];
  else
    for (int k = 0; k < x->t.n_dims; k++)
      if (!(n ? mark[k] : x->t.dims[k] == 1))
        dims[m++] = x->t.dims[k];
  OnnxValue *v = const_value ();
  onnx_tensor_alloc (&v->t, m, dims, x->t.is_int);
  if (x->t.is_int)
    memcpy (v->t.i, x->t.i, x->t.n * sizeof (gint64));
  else
    memcpy (v->t.f, x->t.f, x->t.n * sizeof (float));
  onnx_set_output (imp, 0, v);
  return TRUE;
}

static gboolean op_unsqueeze (OnnxImporter *imp, GError **error) { return squeeze (imp, TRUE, error); }
static gboolean op_squeeze (OnnxImporter *imp, GError **error) { return squeeze (imp, FALSE, error); }

static gboolean
op_cast (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "to", "saturate", NULL };
  const OnnxValue *x;
  gint64 to;
  if (!onnx_attrs_check (imp, known, error) || !(x = onnx_input (imp, 0, FALSE, error))
      || !onnx_attr_int (imp, "to", 0, &to, error))
    return FALSE;
  gboolean to_int = to == ONNX__TENSOR_PROTO__DATA_TYPE__INT64 || to == ONNX__TENSOR_PROTO__DATA_TYPE__INT32;
  gboolean to_float = to == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT || to == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE;
  if (!x->is_const)
    {
      if (!to_float)
        return onnx_node_fail (imp, error, "casting the network's data to type %" G_GINT64_FORMAT
                               " is not supported", to);
      alias (imp, x);
      return TRUE;
    }
  if (!to_int && !to_float)
    return onnx_node_fail (imp, error, "casting to type %" G_GINT64_FORMAT " is not supported", to);
  OnnxValue *v = const_value ();
  onnx_tensor_alloc (&v->t, x->t.n_dims, x->t.dims, to_int);
  for (size_t k = 0; k < x->t.n; k++)
    if (to_int)
      v->t.i[k] = x->t.is_int ? x->t.i[k] : (gint64) x->t.f[k];
    else
      v->t.f[k] = x->t.is_int ? (float) x->t.i[k] : x->t.f[k];
  onnx_set_output (imp, 0, v);
  return TRUE;
}

/* Row-major strides of dims */
static void
strides_of (const OnnxTensor *t, gint64 *stride)
{
  gint64 step = 1;
  for (int d = t->n_dims - 1; d >= 0; d--)
    {
      stride[d] = step;
      step *= t->dims[d];
    }
}

static gboolean
op_transpose (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "perm", NULL };
  const OnnxValue *x;
  gint64 perm[ONNX_MAX_DIMS];
  int n;
  if (!onnx_attrs_check (imp, known, error) || !(x = onnx_input (imp, 0, FALSE, error)))
    return FALSE;
  if (!onnx_attr_ints (imp, "perm", perm, ONNX_MAX_DIMS, &n, error))
    return FALSE;
  if (!x->is_const)
    {
      /* between TensorFlow's order and ours, which only relabels (tf2onnx) */
      gboolean to_nchw = n == 4 && perm[0] == 0 && perm[1] == 3 && perm[2] == 1 && perm[3] == 2;
      gboolean to_nhwc = n == 4 && perm[0] == 0 && perm[1] == 2 && perm[2] == 3 && perm[3] == 1;
      if (x->rank != 4 || !(x->nhwc ? to_nchw : to_nhwc))
        return onnx_node_fail (imp, error, "only constants, and 4-D tensors between (N, C, H, W) and "
                               "(N, H, W, C), can be transposed");
      OnnxValue *v = g_new0 (OnnxValue, 1);
      *v = *x;
      memset (&v->t, 0, sizeof v->t);
      v->nhwc = !x->nhwc;
      v->input_affine = FALSE;
      onnx_set_output (imp, 0, v);
      return TRUE;
    }
  int r = x->t.n_dims;
  if (n == 0)
    for (n = 0; n < r; n++)
      perm[n] = r - 1 - n;
  gboolean used[ONNX_MAX_DIMS] = { FALSE };
  for (int k = 0; k < n; k++)
    {
      if (n != r || perm[k] < 0 || perm[k] >= r || used[perm[k]])
        return onnx_node_fail (imp, error, "perm is not a permutation of the %d axes", r);
      used[perm[k]] = TRUE;
    }
  gint64 dims[ONNX_MAX_DIMS], in_stride[ONNX_MAX_DIMS], idx[ONNX_MAX_DIMS] = { 0 };
  for (int k = 0; k < r; k++)
    dims[k] = x->t.dims[perm[k]];
  strides_of (&x->t, in_stride);
  OnnxValue *v = const_value ();
  onnx_tensor_alloc (&v->t, r, dims, x->t.is_int);
  for (size_t o = 0; o < v->t.n; o++)
    {
      gint64 at = 0;
      for (int k = 0; k < r; k++)
        at += idx[k] * in_stride[perm[k]];
      if (x->t.is_int)
        v->t.i[o] = x->t.i[at];
      else
        v->t.f[o] = x->t.f[at];
      for (int k = r - 1; k >= 0 && ++idx[k] == dims[k]; k--)
        idx[k] = 0;
    }
  onnx_set_output (imp, 0, v);
  return TRUE;
}

/* Slice of a constant: starts, ends, axes, steps (inputs from opset 10) */
static gboolean
op_slice (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "starts", "ends", "axes", NULL };
  const OnnxValue *x;
  if (!onnx_attrs_check (imp, known, error) || !(x = onnx_input (imp, 0, FALSE, error)))
    return FALSE;
  if (!x->is_const)
    return onnx_node_fail (imp, error, "only constants (shape arithmetic) can be sliced");
  int r = x->t.n_dims;
  gint64 arg[4][ONNX_MAX_DIMS];
  int count[4] = { 0, 0, 0, 0 };
  static const char *const names[] = { "starts", "ends", "axes", "steps" };
  for (int a = 0; a < 4; a++)
    {
      if (imp->opset < 10)
        {
          if (a < 3 && !onnx_attr_ints (imp, names[a], arg[a], ONNX_MAX_DIMS, &count[a], error))
            return FALSE;
          continue;
        }
      GError *local = NULL;
      const OnnxValue *v = onnx_input_const (imp, a + 1, a >= 2, &local);
      if (local)
        {
          g_propagate_error (error, local);
          return FALSE;
        }
      if (v == NULL)
        continue;
      if (!v->t.is_int || v->t.n > ONNX_MAX_DIMS)
        return onnx_node_fail (imp, error, "its %s should be at most %d integers", names[a], ONNX_MAX_DIMS);
      count[a] = (int) v->t.n;
      memcpy (arg[a], v->t.i, v->t.n * sizeof (gint64));
    }
  int n = count[0];
  if (count[1] != n || (count[2] && count[2] != n) || (count[3] && count[3] != n) || n > r)
    return onnx_node_fail (imp, error, "its starts, ends, axes and steps do not match");
  gint64 start[ONNX_MAX_DIMS], step[ONNX_MAX_DIMS], dims[ONNX_MAX_DIMS];
  for (int k = 0; k < r; k++)
    {
      start[k] = 0;
      step[k] = 1;
      dims[k] = x->t.dims[k];
    }
  for (int j = 0; j < n; j++)
    {
      gint64 axis = count[2] ? arg[2][j] : j, size;
      if (axis < 0)
        axis += r;
      if (axis < 0 || axis >= r)
        return onnx_node_fail (imp, error, "axis %" G_GINT64_FORMAT " is out of range", arg[2][j]);
      size = x->t.dims[axis];
      gint64 st = count[3] ? arg[3][j] : 1, b = arg[0][j], e = arg[1][j];
      if (st == 0)
        return onnx_node_fail (imp, error, "a step of 0");
      b = b < 0 ? b + size : b;
      e = e < 0 ? (e < -size ? -1 : e + size) : e;   /* INT64_MIN ends stay below 0 */
      if (st > 0)
        {
          b = CLAMP (b, 0, size);
          e = CLAMP (e, 0, size);
          dims[axis] = e > b ? (e - b + st - 1) / st : 0;
        }
      else
        {
          b = CLAMP (b, 0, size - 1);
          e = CLAMP (e, -1, size - 1);
          dims[axis] = b > e ? (b - e - st - 1) / -st : 0;
        }
      start[axis] = b;
      step[axis] = st;
    }
  gint64 in_stride[ONNX_MAX_DIMS], idx[ONNX_MAX_DIMS] = { 0 };
  strides_of (&x->t, in_stride);
  OnnxValue *v = const_value ();
  onnx_tensor_alloc (&v->t, r, dims, x->t.is_int);
  for (size_t o = 0; o < v->t.n; o++)
    {
      gint64 at = 0;
      for (int k = 0; k < r; k++)
        at += (start[k] + idx[k] * step[k]) * in_stride[k];
      if (x->t.is_int)
        v->t.i[o] = x->t.i[at];
      else
        v->t.f[o] = x->t.f[at];
      for (int k = r - 1; k >= 0 && ++idx[k] == dims[k]; k--)
        idx[k] = 0;
    }
  onnx_set_output (imp, 0, v);
  return TRUE;
}

static gboolean
op_constant_of_shape (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "value", NULL };
  const OnnxValue *s;
  if (!onnx_attrs_check (imp, known, error) || !(s = onnx_input_const (imp, 0, FALSE, error)))
    return FALSE;
  if (!s->t.is_int || s->t.n_dims != 1 || s->t.n > ONNX_MAX_DIMS)
    return onnx_node_fail (imp, error, "its input should be a list of at most %d integers", ONNX_MAX_DIMS);
  gint64 total = 1;
  for (size_t k = 0; k < s->t.n; k++)
    {
      if (s->t.i[k] < 0 || s->t.i[k] > 65536)
        return onnx_node_fail (imp, error, "it makes a constant of size %" G_GINT64_FORMAT
                               ", which Convscope does not fold", s->t.i[k]);
      total *= s->t.i[k];
    }
  if (total > (1 << 24))
    return onnx_node_fail (imp, error, "its constant would be too large to fold");
  OnnxTensor fill = { 0 };
  const Onnx__AttributeProto *a = onnx_attr (imp->node, "value");
  g_autofree char *what = g_strdup_printf ("%s: node “%s” (ConstantOfShape)", imp->path,
                                           imp->node->name ? imp->node->name : "");
  if (a && (a->t == NULL || !onnx_tensor_decode (a->t, NULL, what, &fill, error)))
    return a->t == NULL ? onnx_node_fail (imp, error, "its value is not a tensor") : FALSE;
  if (a && fill.n != 1)
    {
      onnx_tensor_clear (&fill);
      return onnx_node_fail (imp, error, "its value should hold one number");
    }
  OnnxValue *v = const_value ();
  onnx_tensor_alloc (&v->t, (int) s->t.n, s->t.i, a ? fill.is_int : FALSE);
  for (size_t k = 0; k < v->t.n; k++)
    if (v->t.is_int)
      v->t.i[k] = fill.i[0];
    else
      v->t.f[k] = a ? fill.f[0] : 0.0f;
  onnx_tensor_clear (&fill);
  onnx_set_output (imp, 0, v);
  return TRUE;
}

static const struct
{
  const char *op;
  OpFunc      func;
} ops[] = {
  { "Transpose", op_transpose },
  { "Slice", op_slice },
  { "ConstantOfShape", op_constant_of_shape },
  { "Conv", op_conv },
  { "Gemm", op_gemm },
  { "MatMul", op_matmul },
  { "BatchNormalization", op_batchnorm },
  { "Relu", op_relu },
  { "LeakyRelu", op_leaky },
  { "Clip", op_clip },
  { "Sigmoid", op_sigmoid },
  { "Tanh", op_tanh },
  { "Softmax", op_softmax },
  { "LRN", op_lrn },
  { "MaxPool", op_maxpool },
  { "AveragePool", op_avgpool },
  { "GlobalAveragePool", op_global_avg },
  { "ReduceMean", op_reduce_mean },
  { "Flatten", op_flatten },
  { "Reshape", op_reshape },
  { "Concat", op_concat },
  { "Add", op_add },
  { "Sum", op_sum },
  { "Sub", op_sub },
  { "Mul", op_mul },
  { "Div", op_div },
  { "Pad", op_pad },
  { "Dropout", op_dropout },
  { "Identity", op_identity },
  { "Constant", op_constant },
  { "Shape", op_shape },
  { "Gather", op_gather },
  { "Unsqueeze", op_unsqueeze },
  { "Squeeze", op_squeeze },
  { "Cast", op_cast },
};

gboolean
onnx_import_node (OnnxImporter *imp, GError **error)
{
  for (size_t k = 0; k < G_N_ELEMENTS (ops); k++)
    if (strcmp (ops[k].op, imp->node->op_type) == 0)
      return ops[k].func (imp, error);
  return onnx_node_fail (imp, error, "the op %s is not supported", imp->node->op_type);
}
