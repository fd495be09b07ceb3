/* cnn-npy.h: NumPy .npy arrays (format versions 1 and 2), the way scripts
 * hand tensors to the command line and take maps back.
 *
 * Read: little-endian float32 ('<f4'), float64 ('<f8') or bytes ('|u1'),
 * C order, converted to float. Write: float32, C order, version 1 (version 2
 * only when the header needs it), to a temporary file that is renamed. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CNN_NPY_MAX_DIMS 8

typedef struct
{
  int     ndim;                       /* 0 (a scalar) .. CNN_NPY_MAX_DIMS */
  gint64  shape[CNN_NPY_MAX_DIMS];
  gsize   n;                          /* product of the shape */
  float  *data;                       /* (n) in C order */
} CnnNpy;

/* Errors name the file and what is wrong with it in one line. */
CnnNpy  *cnn_npy_load (const char *path, GError **error);
/* Parses a whole .npy file already in memory; `name` is used in errors. */
CnnNpy  *cnn_npy_parse (const char *name, const guint8 *bytes, gsize len, GError **error);
void     cnn_npy_free (CnnNpy *npy);

/* The file's bytes for data (shape) as float32; `len` receives their count. */
guint8  *cnn_npy_encode (const float *data, int ndim, const gint64 *shape, gsize *len);
gboolean cnn_npy_save (const char *path, const float *data, int ndim, const gint64 *shape,
                       GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnNpy, cnn_npy_free)

G_END_DECLS
