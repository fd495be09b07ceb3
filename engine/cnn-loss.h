/* cnn-loss.h: softmax cross-entropy on class scores, fused for stability. */
#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

/* logits (N, K) and labels (N) -> mean loss over the batch. When dlogits is
 * not NULL it receives d(mean loss)/d(logits) (N, K) = (softmax - onehot) / N.
 * *n_correct (if not NULL) counts argmax == label. */
double cnn_loss_softmax_xent (const float *logits, const guint8 *labels, int N, int K,
                              float *dlogits, int *n_correct);

/* probs (N, K) = softmax(logits), in place allowed. */
void   cnn_softmax_rows (const float *logits, float *probs, int N, int K);

G_END_DECLS
