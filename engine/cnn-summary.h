/* cnn-summary.h: a Keras-like model summary, as text and as JSON. */
#pragma once

#include "cnn-network.h"

G_BEGIN_DECLS

/* Parameters of one layer as Keras counts them: trainable + statistics. */
size_t cnn_layer_count_params (const CnnLayer *layer);
char  *cnn_summary_text (const CnnNetwork *net);
char  *cnn_summary_json (const CnnNetwork *net);

G_END_DECLS
