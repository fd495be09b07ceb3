#include "cnn-spec.h"

#include <string.h>

#include "cnn-error.h"

void
cnn_spec_free_layers (CnnLayer *layers, int n_layers)
{
  for (int i = 0; i < n_layers; i++)
    {
      if (layers[i].klass && layers[i].klass->free_priv)
        layers[i].klass->free_priv (&layers[i]);
      else
        g_free (layers[i].priv);
      g_free (layers[i].name);
    }
  g_free (layers);
}

static int
find_name (CnnLayer *layers, int n, const char *name)
{
  for (int i = 0; i < n; i++)
    if (strcmp (layers[i].name, name) == 0)
      return i;
  return -2;
}

static gboolean
valid_name (const char *s)
{
  if (!g_ascii_isalpha (s[0]) && s[0] != '_')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isalnum (*s) && *s != '_' && *s != '-' && *s != '.')
      return FALSE;
  return TRUE;
}

static gboolean
parse_line (CnnLayer *layer, char **tokens, int index, CnnLayer *layers,
            int n_classes, GError **error)
{
  const CnnLayerClass *klass = cnn_layer_class_find (tokens[0]);
  if (klass == NULL)
    {
      GString *known = g_string_new (NULL);
      for (const CnnLayerClass *const *c = cnn_layer_classes (); *c; c++)
        g_string_append_printf (known, "%s%s", known->len ? ", " : "", (*c)->name);
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                   "unknown layer type “%s” (known: %s)", tokens[0], known->str);
      g_string_free (known, TRUE);
      return FALSE;
    }
  layer->klass = klass;
  const char *inputs_text = NULL;

  /* Keras-style default name, so errors below can name the layer */
  int k = 1;
  for (int i = 0; i < index; i++)
    k += layers[i].klass == klass;
  layer->name = g_strdup_printf ("%s_%d", klass->name, k);
  while (find_name (layers, index, layer->name) >= 0)
    {
      g_free (layer->name);
      layer->name = g_strdup_printf ("%s_%d", klass->name, ++k);
    }

  for (int t = 1; tokens[t]; t++)
    {
      char *eq = strchr (tokens[t], '=');
      if (eq == NULL || eq == tokens[t] || eq[1] == '\0')
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                       "“%s” is not key=value", tokens[t]);
          return FALSE;
        }
      *eq = '\0';
      const char *key = tokens[t], *value = eq + 1;
      if (strcmp (key, "name") == 0)
        {
          if (!valid_name (value) || strcmp (value, "input") == 0)
            {
              g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                           "“%s” cannot be a layer name (letters, digits, _ - . ; not “input”)", value);
              return FALSE;
            }
          if (find_name (layers, index, value) >= 0)
            {
              g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                           "the name “%s” is used twice", value);
              return FALSE;
            }
          g_free (layer->name);
          layer->name = g_strdup (value);
          continue;
        }
      if (strcmp (key, "inputs") == 0 || strcmp (key, "input") == 0)
        {
          inputs_text = value;
          continue;
        }
      int h = cnn_layer_class_find_hyper (klass, key);
      if (h < 0)
        {
          GString *known = g_string_new (NULL);
          for (int i = 0; i < klass->n_hyper; i++)
            g_string_append_printf (known, "%s%s", known->len ? ", " : "", klass->hyper[i].name);
          g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                       "%s has no setting “%s” (it has: %s)", klass->name, key,
                       known->len ? known->str : "none");
          g_string_free (known, TRUE);
          return FALSE;
        }
      if (layer->hp_given[h])
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC, "%s is given twice", key);
          return FALSE;
        }
      g_autofree char *text = strcmp (value, "classes") == 0
                                ? g_strdup_printf ("%d", n_classes) : g_strdup (value);
      if (!cnn_hyper_parse (&klass->hyper[h], text, &layer->hp[h], error))
        return FALSE;
      layer->hp_given[h] = TRUE;
    }

  for (int h = 0; h < klass->n_hyper; h++)
    {
      if (layer->hp_given[h])
        continue;
      if (klass->hyper[h].default_value == NULL)
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                       "%s needs %s=… (%s)", klass->name, klass->hyper[h].name, klass->hyper[h].help);
          return FALSE;
        }
      if (!cnn_hyper_parse (&klass->hyper[h], klass->hyper[h].default_value, &layer->hp[h], error))
        g_error ("bad default for %s.%s", klass->name, klass->hyper[h].name);
    }

  if (inputs_text == NULL)
    {
      layer->n_inputs = 1;
      layer->inputs[0] = index - 1;   /* -1 for the first line: the network input */
    }
  else
    {
      g_auto (GStrv) names = g_strsplit (inputs_text, ",", -1);
      layer->n_inputs = g_strv_length (names);
      if (layer->n_inputs > CNN_MAX_INPUTS)
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                       "at most %d inputs, not %d", CNN_MAX_INPUTS, layer->n_inputs);
          return FALSE;
        }
      for (int i = 0; i < layer->n_inputs; i++)
        {
          const char *nm = g_strstrip (names[i]);
          int found = strcmp (nm, "input") == 0 ? -1 : find_name (layers, index, nm);
          if (found == -2)
            {
              g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                           "input “%s” is not the name of a layer above", nm);
              return FALSE;
            }
          layer->inputs[i] = found;
        }
    }
  if (layer->n_inputs < klass->min_inputs || layer->n_inputs > klass->max_inputs)
    {
      if (klass->min_inputs == klass->max_inputs)
        g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC, "%s takes %d input%s, not %d",
                     klass->name, klass->min_inputs, klass->min_inputs == 1 ? "" : "s", layer->n_inputs);
      else
        g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                     "%s takes %d to %d inputs (inputs=a,b), not %d",
                     klass->name, klass->min_inputs, klass->max_inputs, layer->n_inputs);
      return FALSE;
    }
  return TRUE;
}

CnnLayer *
cnn_spec_parse (const char *text, const char *source, int n_classes, int *n_layers, GError **error)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  int capacity = g_strv_length (lines);
  CnnLayer *layers = g_new0 (CnnLayer, MAX (capacity, 1));
  int n = 0;

  for (int ln = 0; lines[ln]; ln++)
    {
      char *hash = strchr (lines[ln], '#');
      if (hash)
        *hash = '\0';
      g_strdelimit (lines[ln], "\t\r", ' ');
      g_auto (GStrv) raw = g_strsplit (g_strstrip (lines[ln]), " ", -1);
      /* drop the empty strings that runs of spaces leave */
      int k = 0;
      for (int j = 0; raw[j]; j++)
        if (raw[j][0] != '\0')
          raw[k++] = raw[j];
        else
          g_free (raw[j]);
      raw[k] = NULL;
      if (k == 0)
        continue;
      GError *local = NULL;
      if (!parse_line (&layers[n], raw, n, layers, n_classes, &local))
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC, "%s:%d: %s%s%s", source, ln + 1,
                       layers[n].name ? layers[n].name : "", layers[n].name ? ": " : "", local->message);
          g_error_free (local);
          cnn_spec_free_layers (layers, n + 1);
          return NULL;
        }
      n++;
    }
  if (n == 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC, "%s: no layers", source);
      g_free (layers);
      return NULL;
    }
  *n_layers = n;
  return layers;
}
