/* cnn-spec-edit.h: rewrite a model spec for the lecture's switches (weight
 * initialization, dropout rate, batch normalization on or off), so the
 * window can change them on any preset or spec file. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  /* a CnnInit for every conv2d and dense layer; -1 keeps each layer's own */
  int      init;
  /* NAN keeps every dropout layer as written; 0 removes them; a rate in
   * (0, 1) is set on every dropout layer, and a model without one gets one
   * in front of its last dense layer (the classifier) */
  double   dropout_rate;
  /* removes every batchnorm layer; a layer that read one reads its input */
  gboolean remove_batchnorm;
} CnnSpecEdit;

/* Keep everything: init -1, dropout_rate NAN, remove_batchnorm FALSE. */
void      cnn_spec_edit_init (CnnSpecEdit *edit);
/* TRUE when the edit changes nothing. */
gboolean  cnn_spec_edit_is_identity (const CnnSpecEdit *edit);

/* The edited spec text (newly allocated). Lines that do not change are
 * kept as written, comments included; changed lines name their layer and
 * inputs explicitly where the defaults would now differ. The result is
 * parsed again before it is returned. Errors name `source`. */
char     *cnn_spec_edit (const char *text, const char *source, const CnnSpecEdit *edit,
                         GError **error);

/* Whether the spec has a layer of this type ("batchnorm", "dropout");
 * FALSE for a spec that does not parse. */
gboolean  cnn_spec_has_layer_type (const char *text, const char *type);

G_END_DECLS
