/* cnn-predict.h: a model's outputs for a batch of inputs, in inference. */
#pragma once

#include <glib.h>

#include "cnn-checkpoint.h"
#include "cnn-pool.h"

G_BEGIN_DECLS

/* Called after each batch with the inputs done so far; FALSE stops (the
 * call then fails with CNN_ERROR_CANCELLED). May be NULL. */
typedef gboolean (*CnnPredictProgress) (int done, int total, gpointer user_data);

/* y (N, output shape) for x (N, input shape) of images in [0, 1], the
 * ONNX convention (cnn-onnx.h): each goes through the checkpoint's
 * standardization, then the network, `batch` inputs at a time (memory
 * stays bounded whatever N). The output is the last layer's, as the
 * graph's output is in ONNX: a PyTorch export's pre-softmax scores, the
 * probabilities of our presets, which end in softmax. Newly allocated,
 * or NULL with an error. */
float *cnn_predict (CnnCheckpoint *ckpt, const float *x, int N, int batch, CnnPool *pool,
                    CnnPredictProgress progress, gpointer user_data, GError **error);

G_END_DECLS
