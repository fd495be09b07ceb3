/* cnn-network.h: a network is a graph of layers in topological order.
 *
 * All trainable parameters live in one arena and their gradients in another,
 * so an optimizer step is one flat loop and a snapshot is one copy. Layer
 * outputs are kept per node for the last forward pass, so backward and the
 * visualizations can read any layer's activations. */
#pragma once

#include <glib.h>

#include "cnn-layer.h"
#include "cnn-pool.h"
#include "cnn-rng.h"

G_BEGIN_DECLS

typedef struct _CnnNetwork CnnNetwork;

/* Build from spec text (see data/models/ and HACKING.md). `source` names the
 * text in errors (a file name or "preset cnn2"). The word `classes` in the
 * spec stands for n_classes. Parameters start at zero: call
 * cnn_network_init_params(). */
CnnNetwork *cnn_network_new          (const char *spec_text, const char *source,
                                      CnnShape input, int n_classes, GError **error);
void        cnn_network_free         (CnnNetwork *net);

void        cnn_network_init_params  (CnnNetwork *net, guint64 seed);

int         cnn_network_get_n_layers (const CnnNetwork *net);
CnnLayer   *cnn_network_get_layer    (const CnnNetwork *net, int index);
int         cnn_network_find_layer   (const CnnNetwork *net, const char *name);
CnnShape    cnn_network_get_input_shape  (const CnnNetwork *net);
CnnShape    cnn_network_get_output_shape (const CnnNetwork *net);
int         cnn_network_get_n_classes    (const CnnNetwork *net);
const char *cnn_network_get_spec     (const CnnNetwork *net);

/* The arenas. */
size_t      cnn_network_get_n_params (const CnnNetwork *net);   /* trainable */
float      *cnn_network_get_params   (CnnNetwork *net);
float      *cnn_network_get_grads    (CnnNetwork *net);
size_t      cnn_network_get_n_state  (const CnnNetwork *net);   /* BN statistics */
float      *cnn_network_get_state    (CnnNetwork *net);
void        cnn_network_zero_grads   (CnnNetwork *net);

/* Floats of every layer's output for one sample (a batch of N keeps N times
 * this, and as much again for gradients). */
size_t      cnn_network_get_activation_floats (const CnnNetwork *net);
/* Bytes of RAM in this machine. */
double      cnn_physical_memory (void);
/* FALSE, with a message for users, when `batch` samples of activations
 * (times `copies`: 1 for inference, 3 for training with gradients and layer
 * caches) would not fit in memory: better than an abort in malloc. */
gboolean    cnn_network_check_batch (const CnnNetwork *net, int batch, int copies, GError **error);

/* The layer whose output is the class scores before softmax: the last
 * layer, or its input when the last layer is a softmax. */
int         cnn_network_get_logits_layer (const CnnNetwork *net);

/* Run layers 0..upto (all with upto = -1) on x (N, input shape).
 * Returns that layer's output (N, out_shape), owned by the network and valid
 * until the next forward. */
const float *cnn_network_forward     (CnnNetwork *net, const float *x, int N,
                                      gboolean training, CnnRng *rng, CnnPool *pool,
                                      int upto);
/* The output of layer `index` from the last forward. A training forward
 * leaves some outputs unwritten (see cnn_network_output_written). */
const float *cnn_network_get_output  (const CnnNetwork *net, int index);
/* Whether the last forward wrote layer `index`'s output: in training, a
 * batch normalization (and the ReLU it applies) read by one convolution or
 * pooling hands that layer its affine map instead. */
gboolean     cnn_network_output_written (const CnnNetwork *net, int index);
/* Whether layer `index` computed, in the last forward, the statistics the
 * batch normalization reading it needs. */
gboolean     cnn_network_gave_stats     (const CnnNetwork *net, int index);
/* Whether, in the last backward, the layer that applied the map of batch
 * normalization `index` also computed the sums its backward needs. */
gboolean     cnn_network_got_grad_sums  (const CnnNetwork *net, int index);

/* Back-propagate d(loss)/d(output of layer `from`) (N, out_shape), given by
 * `dfrom`, through the last forward. Parameter gradients are ADDED to the
 * grads arena. If dx is not NULL, the input gradient (N, input shape) is
 * written there. */
void        cnn_network_backward     (CnnNetwork *net, int from, const float *dfrom,
                                      float *dx, CnnRng *rng, CnnPool *pool);
/* The gradient of layer `index`'s output (N, out_shape) from the last
 * backward, valid until the next one. Only meaningful when `index` lies on
 * a path to that backward's `from` (Grad-CAM reads it); NULL when no
 * backward has written it yet. */
const float *cnn_network_get_output_grad (const CnnNetwork *net, int index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnNetwork, cnn_network_free)

G_END_DECLS
