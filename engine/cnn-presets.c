#include "cnn-presets.h"

#include <string.h>

#include "cnn-error.h"
#include "cnn-presets-data.h"

const char *const *
cnn_preset_names (void)
{
  static const char *names[G_N_ELEMENTS (preset_data) + 1];
  if (names[0] == NULL)
    for (size_t i = 0; i < G_N_ELEMENTS (preset_data); i++)
      names[i] = preset_data[i].name;
  return names;
}

const char *
cnn_preset_get_text (const char *name)
{
  for (size_t i = 0; i < G_N_ELEMENTS (preset_data); i++)
    if (strcmp (preset_data[i].name, name) == 0)
      return preset_data[i].text;
  return NULL;
}

char *
cnn_model_spec_load (const char *model, char **source, GError **error)
{
  const char *text = cnn_preset_get_text (model);
  if (text)
    {
      if (source)
        *source = g_strdup_printf ("preset %s", model);
      return g_strdup (text);
    }
  char *contents = NULL;
  GError *local = NULL;
  if (!g_file_get_contents (model, &contents, NULL, &local))
    {
      g_autofree char *list = g_strjoinv (", ", (char **) cnn_preset_names ());
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT) && strchr (model, '/') == NULL
          && !g_str_has_suffix (model, ".cnn"))
        g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                     "%s: no such model preset or spec file (presets: %s)", model, list);
      else
        g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: %s", model, local->message);
      g_error_free (local);
      return NULL;
    }
  if (!g_utf8_validate (contents, -1, NULL))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: not a text file", model);
      g_free (contents);
      return NULL;
    }
  if (source)
    *source = g_strdup (model);
  return contents;
}
