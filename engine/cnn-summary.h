/* cnn-summary.h: a Keras-like model summary, as rows (for the summary
 * panel), as text and as JSON. The text, the JSON and the panel all come
 * from the same rows. */
#pragma once

#include "cnn-network.h"
#include "cnn-receptive.h"

G_BEGIN_DECLS

/* Parameters of one layer as Keras counts them: trainable + statistics. */
size_t cnn_layer_count_params (const CnnLayer *layer);

typedef struct
{
  char       *name;
  const char *type;        /* the layer class name: "conv2d" */
  CnnShape    out_shape;
  size_t      params;      /* cnn_layer_count_params () */
  size_t      trainable;   /* of those, trained by the optimizer */
  char       *inputs;      /* "conv_1, pool_2" where the graph branches; "" in a chain */
  CnnReceptiveField field; /* of a unit of the output, in input pixels */
} CnnSummaryRow;

typedef struct
{
  CnnShape       input;
  int            n_classes;
  int            n_rows;
  CnnSummaryRow *rows;     /* (n_rows) in the network's order */
  size_t         total, trainable, non_trainable;
} CnnSummary;

CnnSummary *cnn_summary_new  (const CnnNetwork *net);
void        cnn_summary_free (CnnSummary *summary);
/* 1234567 -> "1,234,567" */
char       *cnn_summary_format_count (size_t count);

char  *cnn_summary_text (const CnnNetwork *net);
char  *cnn_summary_json (const CnnNetwork *net);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnSummary, cnn_summary_free)

G_END_DECLS
