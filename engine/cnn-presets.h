/* cnn-presets.h: the model presets of data/models, compiled in. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* NULL-terminated list of preset names ("cnn2", …). */
const char *const *cnn_preset_names (void);
/* The spec text of a preset, or NULL. */
const char        *cnn_preset_get_text (const char *name);
/* `model` is a preset name or a spec file. Returns the spec text; *source
 * gets a name for error messages ("preset cnn2" or the path). */
char              *cnn_model_spec_load (const char *model, char **source, GError **error);

G_END_DECLS
