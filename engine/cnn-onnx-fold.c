/* Constants of ONNX graphs: the Constant op and the shape arithmetic
 * exporters emit around a flatten (Shape, Gather, Unsqueeze, Concat,
 * Reshape) or a padding (ConstantOfShape, Slice, Transpose, Cast), folded
 * at import. A Transpose between TensorFlow's (N, H, W, C) and our order
 * relabels a computed tensor (tf2onnx). */
#include "cnn-onnx-private.h"

#include <string.h>

/* New dims for a constant: 0 copies, -1 takes the rest */
gboolean
onnx_reshape_const (OnnxImporter *imp, const OnnxValue *x, GError **error)
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
  OnnxValue *v = onnx_const_value ();
  onnx_tensor_alloc (&v->t, n, dims, x->t.is_int);
  if (x->t.is_int)
    memcpy (v->t.i, x->t.i, x->t.n * sizeof (gint64));
  else
    memcpy (v->t.f, x->t.f, x->t.n * sizeof (float));
  onnx_set_output (imp, 0, v);
  return TRUE;
}

gboolean
onnx_op_constant (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "value", "value_float", "value_floats", "value_int",
                                       "value_ints", NULL };
  if (!onnx_attrs_check (imp, known, error))
    return FALSE;
  if (imp->node->n_attribute != 1)
    return onnx_node_fail (imp, error, "it should have exactly one value attribute");
  const Onnx__AttributeProto *a = imp->node->attribute[0];
  OnnxValue *v = onnx_const_value ();
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

gboolean
onnx_op_shape (OnnxImporter *imp, GError **error)
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
  OnnxValue *v = onnx_const_value ();
  onnx_tensor_alloc (&v->t, 1, &n, TRUE);
  for (gint64 k = 0; k < n; k++)
    v->t.i[k] = dims[start + k];
  onnx_set_output (imp, 0, v);
  return TRUE;
}

gboolean
onnx_op_gather (OnnxImporter *imp, GError **error)
{
  static const char *const known[] = { "axis", NULL };
  const OnnxValue *d, *ix;
  gint64 axis;
  if (!onnx_attrs_check (imp, known, error) || !onnx_attr_int (imp, "axis", 0, &axis, error)
      || !(d = onnx_input_const (imp, 0, FALSE, error)) || !(ix = onnx_input_const (imp, 1, FALSE, error)))
    return FALSE;
  if (d->t.n_dims != 1 || (axis != 0 && axis != -1) || !ix->t.is_int)
    return onnx_node_fail (imp, error, "only gathering from a 1-D constant (shape arithmetic) is supported");
  OnnxValue *v = onnx_const_value ();
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
  if (!onnx_axes (imp, 13, axes, &n, error))
    return FALSE;
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
  OnnxValue *v = onnx_const_value ();
  onnx_tensor_alloc (&v->t, m, dims, x->t.is_int);
  if (x->t.is_int)
    memcpy (v->t.i, x->t.i, x->t.n * sizeof (gint64));
  else
    memcpy (v->t.f, x->t.f, x->t.n * sizeof (float));
  onnx_set_output (imp, 0, v);
  return TRUE;
}

gboolean onnx_op_unsqueeze (OnnxImporter *imp, GError **error) { return squeeze (imp, TRUE, error); }
gboolean onnx_op_squeeze (OnnxImporter *imp, GError **error) { return squeeze (imp, FALSE, error); }

gboolean
onnx_op_cast (OnnxImporter *imp, GError **error)
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
      onnx_alias (imp, x);
      return TRUE;
    }
  if (!to_int && !to_float)
    return onnx_node_fail (imp, error, "casting to type %" G_GINT64_FORMAT " is not supported", to);
  OnnxValue *v = onnx_const_value ();
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

/* A constant of `dims` whose element idx is x's at offset + Σ idx[k]·stride[k]:
 * a transpose or a slice of x, copied */
static OnnxValue *
strided_copy (const OnnxValue *x, int r, const gint64 *dims, gint64 offset, const gint64 *stride)
{
  gint64 idx[ONNX_MAX_DIMS] = { 0 };
  OnnxValue *v = onnx_const_value ();
  onnx_tensor_alloc (&v->t, r, dims, x->t.is_int);
  for (size_t o = 0; o < v->t.n; o++)
    {
      gint64 at = offset;
      for (int k = 0; k < r; k++)
        at += idx[k] * stride[k];
      if (x->t.is_int)
        v->t.i[o] = x->t.i[at];
      else
        v->t.f[o] = x->t.f[at];
      for (int k = r - 1; k >= 0 && ++idx[k] == dims[k]; k--)
        idx[k] = 0;
    }
  return v;
}

gboolean
onnx_op_transpose (OnnxImporter *imp, GError **error)
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
  gint64 dims[ONNX_MAX_DIMS], in_stride[ONNX_MAX_DIMS], stride[ONNX_MAX_DIMS];
  strides_of (&x->t, in_stride);
  for (int k = 0; k < r; k++)
    {
      dims[k] = x->t.dims[perm[k]];
      stride[k] = in_stride[perm[k]];
    }
  onnx_set_output (imp, 0, strided_copy (x, r, dims, 0, stride));
  return TRUE;
}

/* Slice of a constant: starts, ends, axes, steps (inputs from opset 10) */
gboolean
onnx_op_slice (OnnxImporter *imp, GError **error)
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
  gint64 in_stride[ONNX_MAX_DIMS], offset = 0;
  strides_of (&x->t, in_stride);
  for (int k = 0; k < r; k++)
    {
      offset += start[k] * in_stride[k];
      step[k] *= in_stride[k];
    }
  onnx_set_output (imp, 0, strided_copy (x, r, dims, offset, step));
  return TRUE;
}

gboolean
onnx_op_constant_of_shape (OnnxImporter *imp, GError **error)
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
  OnnxValue *v = onnx_const_value ();
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

