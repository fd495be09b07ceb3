/* cnn-onnx.h: ONNX models in and out.
 *
 * Import maps an inference graph (opsets 7–18; PyTorch's and tf2onnx's
 * exports) onto the engine's layers: the result is an ordinary network with
 * weights, which every view, `eval` and training accept. Constants applied
 * to the graph input first (Sub mean, Div std) become the input
 * standardization; the graph input itself is an image in [0, 1]
 * (byte / 255), as PyTorch's ToTensor() makes it.
 *
 * Export writes a network and its standardization as ONNX opset 13, with
 * the same convention: the exported graph takes images in [0, 1]. */
#pragma once

#include <glib.h>

#include "cnn-checkpoint.h"

G_BEGIN_DECLS

/* TRUE when path names an ONNX file (ends in .onnx, any case). */
gboolean       cnn_onnx_is_onnx_path (const char *path);

/* Read an ONNX model. External tensor data is looked up beside the file.
 * Errors name the file, and the node and op where one is at fault. */
CnnCheckpoint *cnn_onnx_import       (const char *path, GError **error);
/* The same from bytes in memory; `path` names them in errors and locates
 * external data (may be NULL: then external data is an error). */
CnnCheckpoint *cnn_onnx_import_data  (const guint8 *data, gsize len, const char *path,
                                      GError **error);

/* Write net (with its current weights) and nz as an ONNX file. */
gboolean       cnn_onnx_export       (const char *path, CnnNetwork *net, const CnnNormalizer *nz,
                                      GError **error);
/* The same into memory (g_free the result). */
guint8        *cnn_onnx_export_data  (CnnNetwork *net, const CnnNormalizer *nz, gsize *len,
                                      GError **error);

/* x (count, c, h, w) from images in [0, 1] (the ONNX convention above) to
 * the network's input, in place: (255 x - mean) · scale. */
void           cnn_onnx_input_from_unit (const CnnNormalizer *nz, float *x, int count);

G_END_DECLS
