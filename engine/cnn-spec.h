/* cnn-spec.h: the model-spec text format (private to the engine).
 *
 *   # comment
 *   conv2d  name=conv1 filters=8 kernel=3 padding=same
 *   add     name=res1  inputs=conv3,skip
 *
 * One layer a line: its type, then key=value pairs. `name` defaults to
 * type_K (Keras' style), `inputs` to the line above (the network input for the
 * first line; the name `input` always means it). */
#pragma once

#include "cnn-layer.h"

G_BEGIN_DECLS

/* Parse into layers whose klass, name, inputs and hp are set; shapes and
 * parameters are not. Errors name `source`, the line and the layer. */
CnnLayer *cnn_spec_parse (const char *text, const char *source, int n_classes,
                          int *n_layers, GError **error);
void      cnn_spec_free_layers (CnnLayer *layers, int n_layers);

G_END_DECLS
