/* Constants of ONNX models: decoding TensorProto (raw_data, the typed
 * fields, external data files) and numpy broadcasting onto a sample. */
#include "cnn-onnx-private.h"

#include <string.h>

#include "cnn-error.h"
#include "cnn-file.h"

/* No constant we could use holds more values than this (2^31 floats, 8 GiB) */
#define MAX_VALUES ((gint64) 1 << 31)

void
onnx_tensor_clear (OnnxTensor *t)
{
  g_clear_pointer (&t->f, g_free);
  g_clear_pointer (&t->i, g_free);
  memset (t, 0, sizeof *t);
}

void
onnx_tensor_alloc (OnnxTensor *t, int n_dims, const gint64 *dims, gboolean is_int)
{
  g_return_if_fail (n_dims >= 0 && n_dims <= ONNX_MAX_DIMS);
  memset (t, 0, sizeof *t);
  t->n_dims = n_dims;
  t->n = 1;
  for (int d = 0; d < n_dims; d++)
    {
      t->dims[d] = dims[d];
      t->n *= (size_t) dims[d];
    }
  t->is_int = is_int;
  if (is_int)
    t->i = g_new0 (gint64, MAX (t->n, 1));
  else
    t->f = g_new0 (float, MAX (t->n, 1));
}

char *
onnx_tensor_describe_dims (const OnnxTensor *t)
{
  GString *s = g_string_new ("[");
  for (int d = 0; d < t->n_dims; d++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, d ? ", " : "", t->dims[d]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

float *
onnx_tensor_floats (const OnnxTensor *t)
{
  float *v = g_new (float, MAX (t->n, 1));
  for (size_t k = 0; k < t->n; k++)
    v[k] = t->is_int ? (float) t->i[k] : t->f[k];
  return v;
}

/* The bytes of an external tensor: location (relative, inside dir), offset, length */
static gboolean
read_external (const Onnx__TensorProto *tp, const char *dir, const char *what, size_t want,
               guint8 **bytes, GError **error)
{
  const char *location = NULL;
  gint64 offset = 0, length = -1;
  for (size_t k = 0; k < tp->n_external_data; k++)
    {
      const Onnx__StringStringEntryProto *e = tp->external_data[k];
      if (e->key == NULL || e->value == NULL)
        continue;
      if (strcmp (e->key, "location") == 0)
        location = e->value;
      else if (strcmp (e->key, "offset") == 0)
        offset = g_ascii_strtoll (e->value, NULL, 10);
      else if (strcmp (e->key, "length") == 0)
        length = g_ascii_strtoll (e->value, NULL, 10);
    }
  if (dir == NULL || location == NULL || location[0] == '\0' || g_path_is_absolute (location)
      || strstr (location, "..") != NULL)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                   "%s: its external data has no usable location (a file name beside the model)", what);
      return FALSE;
    }
  g_autofree char *path = g_build_filename (dir, location, NULL);
  g_autofree char *contents = NULL;
  gsize len = 0;
  GError *local = NULL;
  if (!cnn_file_read (path, &contents, &len, &local))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: its external data: %s", what, local->message);
      g_error_free (local);
      return FALSE;
    }
  if (length < 0)
    length = (gint64) want;
  if (offset < 0 || (guint64) length != want || (guint64) offset > len || (guint64) length > len - offset)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                   "%s: its external data (%s, offset %" G_GINT64_FORMAT ", %zu bytes wanted) "
                   "lies outside the %zu-byte file", what, location, offset, want, (size_t) len);
      return FALSE;
    }
  *bytes = g_memdup2 (contents + offset, want);
  return TRUE;
}

static const char *
type_name (int type)
{
  static const char *const names[] = { "undefined", "float", "uint8", "int8", "uint16", "int16",
                                       "int32", "int64", "string", "bool", "float16", "double",
                                       "uint32", "uint64", "complex64", "complex128", "bfloat16" };
  return type >= 0 && type < (int) G_N_ELEMENTS (names) ? names[type] : "unknown";
}

gboolean
onnx_tensor_decode (const Onnx__TensorProto *tp, const char *dir, const char *what,
                    OnnxTensor *out, GError **error)
{
  memset (out, 0, sizeof *out);
  int type = tp->has_data_type ? tp->data_type : 0;
  size_t elem;
  switch (type)
    {
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32:
      elem = 4;
      break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE:
      elem = 8;
      break;
    default:
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                   "%s: its data type is %s (%d); Convscope reads float, double, int32 and int64",
                   what, type_name (type), type);
      return FALSE;
    }
  if (tp->n_dims > ONNX_MAX_DIMS)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: %zu dimensions are too many (at most %d)",
                   what, tp->n_dims, ONNX_MAX_DIMS);
      return FALSE;
    }
  gint64 n = 1;
  for (size_t d = 0; d < tp->n_dims; d++)
    {
      if (tp->dims[d] < 0 || (tp->dims[d] > 0 && n > MAX_VALUES / tp->dims[d]))
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                       "%s: dimension %zu is %" G_GINT64_FORMAT ", which is negative or too large",
                       what, d, tp->dims[d]);
          return FALSE;
        }
      n *= tp->dims[d];
    }
  gboolean is_int = type == ONNX__TENSOR_PROTO__DATA_TYPE__INT32 || type == ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
  onnx_tensor_alloc (out, (int) tp->n_dims, tp->dims, is_int);

  g_autofree guint8 *external = NULL;
  const guint8 *raw = NULL;
  if (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
    {
      if (!read_external (tp, dir, what, (size_t) n * elem, &external, error))
        goto fail;
      raw = external;
    }
  else if (tp->has_raw_data)
    {
      if (tp->raw_data.len != (size_t) n * elem)
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                       "%s: its raw data holds %zu bytes, not the %" G_GINT64_FORMAT " its shape needs",
                       what, tp->raw_data.len, n * (gint64) elem);
          goto fail;
        }
      raw = tp->raw_data.data;
    }

  G_STATIC_ASSERT (G_BYTE_ORDER == G_LITTLE_ENDIAN);   /* raw data is little-endian */
  size_t have;
  switch (type)
    {
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
      have = raw ? (size_t) n : tp->n_float_data;
      if (have == (size_t) n && n > 0)
        memcpy (out->f, raw ? (const void *) raw : (const void *) tp->float_data, n * sizeof (float));
      break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE:
      have = raw ? (size_t) n : tp->n_double_data;
      for (gint64 k = 0; have == (size_t) n && k < n; k++)
        {
          double v;
          if (raw)
            memcpy (&v, raw + 8 * k, 8);
          else
            v = tp->double_data[k];
          out->f[k] = (float) v;
        }
      break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32:
      have = raw ? (size_t) n : tp->n_int32_data;
      for (gint64 k = 0; have == (size_t) n && k < n; k++)
        {
          gint32 v;
          if (raw)
            memcpy (&v, raw + 4 * k, 4);
          else
            v = tp->int32_data[k];
          out->i[k] = v;
        }
      break;
    default:   /* INT64 */
      have = raw ? (size_t) n : tp->n_int64_data;
      if (have == (size_t) n && n > 0)
        memcpy (out->i, raw ? (const void *) raw : (const void *) tp->int64_data, n * sizeof (gint64));
      break;
    }
  if (have != (size_t) n)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                   "%s: it holds %zu values, not the %" G_GINT64_FORMAT " its shape needs", what, have, n);
      goto fail;
    }
  return TRUE;

fail:
  onnx_tensor_clear (out);
  return FALSE;
}

float *
onnx_tensor_broadcast (const OnnxTensor *t, int rank, CnnShape s)
{
  /* the sample's dims, right-aligned as numpy does: (N, C, H, W) or (N, F) */
  gint64 full[4] = { 1, s.c, s.h, s.w };
  int full_rank = rank == 2 ? 2 : 4;
  if (rank == 2)
    full[1] = s.c;
  if (t->n_dims > full_rank)
    return NULL;
  int shift = full_rank - t->n_dims;
  for (int d = 0; d < t->n_dims; d++)
    if (t->dims[d] != 1 && t->dims[d] != full[shift + d])
      return NULL;
  if (shift == 0 && t->dims[0] != 1)
    return NULL;   /* one value per batch item: not a constant of the model */

  size_t chw = cnn_shape_size (s);
  float *v = g_new (float, MAX (chw, 1));
  /* strides of t along the sample's axes (0 where it broadcasts) */
  gint64 stride[4] = { 0, 0, 0, 0 }, step = 1;
  for (int d = t->n_dims - 1; d >= 0; d--)
    {
      stride[shift + d] = t->dims[d] == 1 ? 0 : step;
      step *= t->dims[d];
    }
  int C = s.c, H = rank == 2 ? 1 : s.h, W = rank == 2 ? 1 : s.w;
  for (int c = 0; c < C; c++)
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++)
        {
          gint64 at = c * stride[1] + (rank == 2 ? 0 : y * stride[2] + x * stride[3]);
          v[((size_t) c * H + y) * W + x] = t->is_int ? (float) t->i[at] : t->f[at];
        }
  return v;
}

float *
onnx_tensor_broadcast_nhwc (const OnnxTensor *t, CnnShape s)
{
  /* broadcast onto (1, H, W, C) as if H were channels, then move C first */
  CnnShape hwc = { s.h, s.w, s.c };
  g_autofree float *v = onnx_tensor_broadcast (t, 4, hwc);   /* (H, W, C) */
  if (v == NULL)
    return NULL;
  float *out = g_new (float, MAX (cnn_shape_size (s), 1));   /* (C, H, W) */
  for (int c = 0; c < s.c; c++)
    for (int y = 0; y < s.h; y++)
      for (int x = 0; x < s.w; x++)
        out[((size_t) c * s.h + y) * s.w + x] = v[((size_t) y * s.w + x) * s.c + c];
  return out;
}
