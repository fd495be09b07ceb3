#include "cnn-npy.h"

#include <string.h>

#include "cnn-error.h"
#include "cnn-file.h"

/* "\x93NUMPY", major, minor: the fixed start of every .npy file */
#define MAGIC "\x93NUMPY"
#define MAGIC_LEN 6

typedef enum { DTYPE_F4, DTYPE_F8, DTYPE_U1 } Dtype;

void
cnn_npy_free (CnnNpy *npy)
{
  if (npy == NULL)
    return;
  g_free (npy->data);
  g_free (npy);
}

static gboolean
fail (GError **error, const char *name, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError **error, const char *name, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: %s", name, msg);
  return FALSE;
}

/* The header dict, a Python literal such as
 *   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 28, 28), }
 * read with a small scanner: keys and strings in quotes, True/False, a
 * tuple of whole numbers. */
typedef struct
{
  const char *p, *end;
} Scan;

static void
skip_space (Scan *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

static gboolean
eat (Scan *s, char c)
{
  skip_space (s);
  if (s->p < s->end && *s->p == c)
    {
      s->p++;
      return TRUE;
    }
  return FALSE;
}

/* a quoted string (no escapes: none of the header's strings has one) */
static char *
quoted (Scan *s)
{
  skip_space (s);
  if (s->p >= s->end || (*s->p != '\'' && *s->p != '"'))
    return NULL;
  char q = *s->p++;
  const char *start = s->p;
  while (s->p < s->end && *s->p != q)
    s->p++;
  if (s->p >= s->end)
    return NULL;
  return g_strndup (start, s->p++ - start);
}

static gboolean
parse_shape (Scan *s, CnnNpy *npy)
{
  if (!eat (s, '('))
    return FALSE;
  npy->ndim = 0;
  for (;;)
    {
      if (eat (s, ')'))
        return TRUE;
      skip_space (s);
      if (s->p >= s->end || !g_ascii_isdigit (*s->p) || npy->ndim == CNN_NPY_MAX_DIMS)
        return FALSE;
      gint64 v = 0;
      while (s->p < s->end && g_ascii_isdigit (*s->p))
        {
          if (v > G_MAXINT64 / 10 - 10)
            return FALSE;
          v = v * 10 + (*s->p++ - '0');
        }
      skip_space (s);
      if (s->p < s->end && *s->p == 'L')   /* Python 2 longs */
        s->p++;
      npy->shape[npy->ndim++] = v;
      if (!eat (s, ',') && !(s->p < s->end && *s->p == ')'))
        return FALSE;
    }
}

static gboolean
parse_header (const char *name, const char *text, gsize len, CnnNpy *npy, Dtype *dtype, GError **error)
{
  Scan s = { text, text + len };
  gboolean have_descr = FALSE, have_order = FALSE, have_shape = FALSE;
  if (!eat (&s, '{'))
    return fail (error, name, "the header is not a Python dict");
  while (!eat (&s, '}'))
    {
      g_autofree char *key = quoted (&s);
      if (key == NULL || !eat (&s, ':'))
        return fail (error, name, "the header dict is malformed");
      if (strcmp (key, "descr") == 0)
        {
          g_autofree char *descr = quoted (&s);
          if (descr == NULL)
            return fail (error, name, "the header's descr is not a string");
          if (strcmp (descr, "<f4") == 0)
            *dtype = DTYPE_F4;
          else if (strcmp (descr, "<f8") == 0)
            *dtype = DTYPE_F8;
          else if (strcmp (descr, "|u1") == 0 || strcmp (descr, "<u1") == 0 || strcmp (descr, ">u1") == 0)
            *dtype = DTYPE_U1;
          else
            return fail (error, name, "holds %s values; only float32 (<f4), float64 (<f8) and uint8 (|u1) "
                         "little-endian arrays are read", descr);
          have_descr = TRUE;
        }
      else if (strcmp (key, "fortran_order") == 0)
        {
          skip_space (&s);
          if (s.end - s.p >= 5 && strncmp (s.p, "False", 5) == 0)
            s.p += 5;
          else if (s.end - s.p >= 4 && strncmp (s.p, "True", 4) == 0)
            return fail (error, name, "is in Fortran order; save it in C order (np.ascontiguousarray)");
          else
            return fail (error, name, "the header's fortran_order is neither True nor False");
          have_order = TRUE;
        }
      else if (strcmp (key, "shape") == 0)
        {
          if (!parse_shape (&s, npy))
            return fail (error, name, "the header's shape is not a tuple of at most %d whole numbers",
                         CNN_NPY_MAX_DIMS);
          have_shape = TRUE;
        }
      else
        return fail (error, name, "the header has an unknown key “%s”", key);
      if (!eat (&s, ','))
        {
          if (!eat (&s, '}'))
            return fail (error, name, "the header dict is malformed");
          break;
        }
    }
  if (!have_descr || !have_order || !have_shape)
    return fail (error, name, "the header lacks %s", !have_descr ? "descr" : !have_order ? "fortran_order"
                                                                               : "shape");
  return TRUE;
}

CnnNpy *
cnn_npy_parse (const char *name, const guint8 *bytes, gsize len, GError **error)
{
  if (len < MAGIC_LEN + 2 || memcmp (bytes, MAGIC, MAGIC_LEN) != 0)
    return fail (error, name, "not a NumPy .npy file (no \\x93NUMPY at its start)"), NULL;
  int major = bytes[6];
  gsize header_len, offset;
  if (major == 1)
    {
      if (len < 10)
        return fail (error, name, "the file ends inside its header"), NULL;
      header_len = bytes[8] | (gsize) bytes[9] << 8;
      offset = 10;
    }
  else if (major == 2 || major == 3)
    {
      if (len < 12)
        return fail (error, name, "the file ends inside its header"), NULL;
      header_len = bytes[8] | (gsize) bytes[9] << 8 | (gsize) bytes[10] << 16 | (gsize) bytes[11] << 24;
      offset = 12;
    }
  else
    return fail (error, name, ".npy format version %d.%d is not supported (1, 2 or 3 are)", major,
                 bytes[7]), NULL;
  if (header_len > len - offset)
    return fail (error, name, "the file ends inside its header"), NULL;

  g_autoptr (CnnNpy) npy = g_new0 (CnnNpy, 1);
  Dtype dtype = DTYPE_F4;
  if (!parse_header (name, (const char *) bytes + offset, header_len, npy, &dtype, error))
    return NULL;
  offset += header_len;
  gsize n = 1;
  for (int i = 0; i < npy->ndim; i++)
    {
      /* sizes beyond what the file can hold are caught below; this only
       * keeps the product from overflowing */
      if (npy->shape[i] != 0 && n > G_MAXSIZE / 8 / (gsize) npy->shape[i])
        return fail (error, name, "its shape is too large"), NULL;
      n *= (gsize) npy->shape[i];
    }
  gsize item = dtype == DTYPE_F8 ? 8 : dtype == DTYPE_F4 ? 4 : 1;
  gsize have = len - offset;
  if (have != n * item)
    return fail (error, name, "%s: its shape needs %" G_GSIZE_FORMAT " bytes of data, the file has %"
                 G_GSIZE_FORMAT, have < n * item ? "truncated" : "size mismatch", n * item, have), NULL;
  npy->n = n;
  npy->data = g_try_new (float, MAX (n, 1));
  if (npy->data == NULL)
    return fail (error, name, "not enough memory for its %" G_GSIZE_FORMAT " values", n), NULL;
  const guint8 *src = bytes + offset;
  for (gsize i = 0; i < n; i++)
    {
      if (dtype == DTYPE_F4)
        {
          guint32 u = ((guint32) src[4 * i]) | ((guint32) src[4 * i + 1] << 8)
                                       | ((guint32) src[4 * i + 2] << 16) | ((guint32) src[4 * i + 3] << 24);
          memcpy (&npy->data[i], &u, 4);
        }
      else if (dtype == DTYPE_F8)
        {
          guint64 u = 0;
          for (int b = 7; b >= 0; b--)
            u = u << 8 | src[8 * i + b];
          double d;
          memcpy (&d, &u, 8);
          npy->data[i] = (float) d;
        }
      else
        npy->data[i] = src[i];
    }
  return g_steal_pointer (&npy);
}

CnnNpy *
cnn_npy_load (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len;
  if (!cnn_file_read (path, &contents, &len, error))
    return NULL;
  return cnn_npy_parse (path, (const guint8 *) contents, len, error);
}

guint8 *
cnn_npy_encode (const float *data, int ndim, const gint64 *shape, gsize *len)
{
  g_return_val_if_fail (ndim >= 0 && ndim <= CNN_NPY_MAX_DIMS, NULL);
  GString *dict = g_string_new ("{'descr': '<f4', 'fortran_order': False, 'shape': (");
  gsize n = 1;
  for (int i = 0; i < ndim; i++)
    {
      g_string_append_printf (dict, "%" G_GINT64_FORMAT "%s", shape[i], ndim == 1 || i < ndim - 1 ? ", " : "");
      n *= (gsize) shape[i];
    }
  if (ndim == 1)
    g_string_truncate (dict, dict->len - 1);   /* "(5,)" */
  g_string_append (dict, "), }");
  /* version 1 unless the header is longer than 65535 bytes; the data starts
   * on a 64-byte boundary and the header ends with a newline */
  int major = dict->len + 11 + 64 > 65535 ? 2 : 1;
  gsize prefix = major == 1 ? 10 : 12;
  gsize total = prefix + dict->len + 1;
  gsize padded = (total + 63) / 64 * 64;
  gsize header_len = padded - prefix;
  while (dict->len < header_len - 1)
    g_string_append_c (dict, ' ');
  g_string_append_c (dict, '\n');

  *len = padded + n * 4;
  guint8 *out = g_malloc (*len);
  memcpy (out, MAGIC, MAGIC_LEN);
  out[6] = (guint8) major;
  out[7] = 0;
  if (major == 1)
    {
      out[8] = header_len & 0xff;
      out[9] = header_len >> 8 & 0xff;
    }
  else
    for (int b = 0; b < 4; b++)
      out[8 + b] = header_len >> (8 * b) & 0xff;
  memcpy (out + prefix, dict->str, header_len);
  g_string_free (dict, TRUE);
  guint8 *dst = out + padded;
  for (gsize i = 0; i < n; i++)
    {
      guint32 u;
      memcpy (&u, &data[i], 4);
      for (int b = 0; b < 4; b++)
        dst[4 * i + b] = u >> (8 * b) & 0xff;
    }
  return out;
}

gboolean
cnn_npy_save (const char *path, const float *data, int ndim, const gint64 *shape, GError **error)
{
  for (int i = 0; i < ndim; i++)
    if (shape[i] < 0)
      {
        g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "%s: a negative size in the shape", path);
        return FALSE;
      }
  gsize len;
  g_autofree guint8 *bytes = cnn_npy_encode (data, ndim, shape, &len);
  GError *local = NULL;
  if (!g_file_set_contents_full (path, (const char *) bytes, len, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                 &local))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot write the array: %s", path, local->message);
      g_error_free (local);
      return FALSE;
    }
  return TRUE;
}
