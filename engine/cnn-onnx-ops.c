/* ONNX ops onto the engine's layers, one function each: convolution,
 * dense, normalization, activations, pooling; and the table of every op
 * the importer knows (routing and arithmetic are in cnn-onnx-plumbing.c,
 * constants and shape arithmetic in cnn-onnx-fold.c). */
#include "cnn-onnx-private.h"

#include <math.h>
#include <string.h>

typedef gboolean (*OpFunc) (OnnxImporter *imp, GError **error);

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
      || !(w = onnx_input_const (imp, 1, FALSE, error)) || !onnx_need_rank (imp, x, 4, error))
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
  g_autofree char *pads = onnx_pads_text (win.p);
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
  return onnx_output_layer (imp, "conv2d", hypers, &x, 1, params, np, NULL, 0, error);
}

/* dense from weights w (U, K) already scaled, handed over, and a bias (U;
 * NULL: zeros) or none. The weights become the layer's parameters without
 * another copy where the layout allows (a large fc layer is hundreds of
 * MiB). */
static gboolean
dense (OnnxImporter *imp, const OnnxValue *x, float *w, int U, gboolean has_bias,
       const float *bias, GError **error)
{
  size_t K = cnn_shape_size (x->shape), n = (size_t) U * K + (has_bias ? U : 0);
  float *params;
  if (x->nhwc_features)
    {
      /* the weights of feature (y, x, c) in ONNX's order go to (c, y, x) */
      params = g_new (float, n);
      CnnShape f = x->flat_from;
      for (int u = 0; u < U; u++)
        for (int c = 0; c < f.c; c++)
          for (int y = 0; y < f.h; y++)
            for (int xx = 0; xx < f.w; xx++)
              params[(size_t) u * K + ((size_t) c * f.h + y) * f.w + xx]
                = w[(size_t) u * K + ((size_t) y * f.w + xx) * f.c + c];
      g_free (w);
    }
  else
    params = g_renew (float, w, n);   /* the bias goes after the weights */
  for (int u = 0; has_bias && u < U; u++)
    params[(size_t) U * K + u] = bias ? bias[u] : 0.0f;
  g_autofree char *hypers = g_strdup_printf ("units=%d%s", U, has_bias ? "" : " bias=no");
  return onnx_output_layer_take (imp, "dense", hypers, &x, 1, params, n, error);
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
  float *w = g_new (float, (size_t) U * K);   /* (U, K), handed to dense */
  for (gint64 u = 0; u < U; u++)
    for (gint64 k = 0; k < K; k++)
      w[u * K + k] = alpha * (trans_b ? b->t.f[u * K + k] : b->t.f[k * U + u]);
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
  float *w = g_new (float, (size_t) U * K);   /* (U, K), handed to dense */
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
  return onnx_output_layer (imp, "batchnorm", hypers, &x, 1, params, 2 * C, state, 2 * C, error);
}

static gboolean
op_simple (OnnxImporter *imp, const char *type, GError **error)
{
  const OnnxValue *x;
  if (!onnx_attrs_check (imp, NULL, error) || !(x = onnx_input_tensor (imp, 0, error)))
    return FALSE;
  return onnx_output_layer (imp, type, "", &x, 1, NULL, 0, NULL, 0, error);
}

static gboolean op_relu (OnnxImporter *imp, GError **error) { return op_simple (imp, "relu", error); }
static gboolean op_sigmoid (OnnxImporter *imp, GError **error) { return op_simple (imp, "sigmoid", error); }
static gboolean op_tanh (OnnxImporter *imp, GError **error) { return op_simple (imp, "tanh", error); }

static gboolean
op_global_avg (OnnxImporter *imp, GError **error)
{
  const OnnxValue *x;
  if (!onnx_attrs_check (imp, NULL, error) || !(x = onnx_input_tensor (imp, 0, error))
      || !onnx_need_rank (imp, x, 4, error))
    return FALSE;
  return onnx_output_layer (imp, "globalavgpool", "", &x, 1, NULL, 0, NULL, 0, error);
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
  if (!onnx_axes (imp, 18, axes, &n, error))
    return FALSE;
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
  return onnx_output_layer (imp, "leakyrelu", hypers, &x, 1, NULL, 0, NULL, 0, error);
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
  else if (!onnx_const_scalar (imp, 1, -INFINITY, &lo, error) || !onnx_const_scalar (imp, 2, INFINITY, &hi, error))
    return FALSE;
  if (lo == 0.0f && hi == INFINITY)
    return onnx_output_layer (imp, "relu", "", &x, 1, NULL, 0, NULL, 0, error);
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *hypers = g_strdup_printf ("min=%s max=%s",
                                             g_ascii_formatd (a, sizeof a, "%.9g", MAX (lo, -1e30f)),
                                             g_ascii_formatd (b, sizeof b, "%.9g", MIN (hi, 1e30f)));
  return onnx_output_layer (imp, "clip", hypers, &x, 1, NULL, 0, NULL, 0, error);
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
  return onnx_output_layer (imp, "softmax", "", &x, 1, NULL, 0, NULL, 0, error);
}

static gboolean
op_lrn (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "alpha", "beta", "bias", "size", NULL };
  const OnnxValue *x;
  float alpha, beta, bias;
  gint64 size;
  if (!onnx_attrs_check (imp, known, error) || !(x = onnx_input_tensor (imp, 0, error))
      || !onnx_need_rank (imp, x, 4, error)
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
  return onnx_output_layer (imp, "lrn", hypers, &x, 1, NULL, 0, NULL, 0, error);
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
      || !(x = onnx_input_tensor (imp, 0, error)) || !onnx_need_rank (imp, x, 4, error))
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
  g_autofree char *pads = onnx_pads_text (win.p);
  g_autofree char *hypers = g_strdup_printf ("size=%d,%d stride=%d,%d padding=%s%s", win.k[0], win.k[1],
                                             win.s[0], win.s[1], pads,
                                             is_max ? "" : count_pad ? " count_pad=yes" : " count_pad=no");
  return onnx_output_layer (imp, is_max ? "maxpool" : "avgpool", hypers, &x, 1, NULL, 0, NULL, 0, error);
}

static gboolean op_maxpool (OnnxImporter *imp, GError **error) { return pool (imp, TRUE, error); }
static gboolean op_avgpool (OnnxImporter *imp, GError **error) { return pool (imp, FALSE, error); }

static const struct
{
  const char *op;
  OpFunc      func;
} ops[] = {
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
  { "Flatten", onnx_op_flatten },
  { "Reshape", onnx_op_reshape },
  { "Concat", onnx_op_concat },
  { "Add", onnx_op_add },
  { "Sum", onnx_op_sum },
  { "Sub", onnx_op_sub },
  { "Mul", onnx_op_mul },
  { "Div", onnx_op_div },
  { "Pad", onnx_op_pad },
  { "Dropout", onnx_op_dropout },
  { "Identity", onnx_op_identity },
  { "Constant", onnx_op_constant },
  { "Shape", onnx_op_shape },
  { "Gather", onnx_op_gather },
  { "Unsqueeze", onnx_op_unsqueeze },
  { "Squeeze", onnx_op_squeeze },
  { "Cast", onnx_op_cast },
  { "Transpose", onnx_op_transpose },
  { "Slice", onnx_op_slice },
  { "ConstantOfShape", onnx_op_constant_of_shape },
};

gboolean
onnx_import_node (OnnxImporter *imp, GError **error)
{
  for (size_t k = 0; k < G_N_ELEMENTS (ops); k++)
    if (strcmp (ops[k].op, imp->node->op_type) == 0)
      return ops[k].func (imp, error);
  return onnx_node_fail (imp, error, "the op %s is not supported", imp->node->op_type);
}
