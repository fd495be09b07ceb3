/* Spec rewriting works on the parsed layers (names and inputs resolved by
 * the engine's own parser) and writes lines back: a layer whose line does not
 * change keeps its text, comments included. */
#include "cnn-spec-edit.h"

#include <math.h>
#include <string.h>

#include "cnn-error.h"
#include "cnn-layer.h"
#include "cnn-spec.h"

void
cnn_spec_edit_init (CnnSpecEdit *edit)
{
  edit->init = -1;
  edit->dropout_rate = NAN;
  edit->remove_batchnorm = FALSE;
}

gboolean
cnn_spec_edit_is_identity (const CnnSpecEdit *edit)
{
  return edit->init < 0 && isnan (edit->dropout_rate) && !edit->remove_batchnorm;
}

/* The parser's tokens of one line: comment cut, split at runs of blanks. */
static char **
tokenize (const char *line)
{
  g_autofree char *copy = g_strdup (line);
  char *hash = strchr (copy, '#');
  if (hash)
    *hash = '\0';
  g_strdelimit (copy, "\t\r", ' ');
  g_auto (GStrv) raw = g_strsplit (g_strstrip (copy), " ", -1);
  GPtrArray *tokens = g_ptr_array_new ();
  for (int j = 0; raw[j]; j++)
    if (raw[j][0] != '\0')
      g_ptr_array_add (tokens, g_strdup (raw[j]));
  g_ptr_array_add (tokens, NULL);
  return (char **) g_ptr_array_free (tokens, FALSE);
}

static gboolean
token_has_key (const char *token, const char *key)
{
  size_t n = strlen (key);
  return strncmp (token, key, n) == 0 && token[n] == '=';
}

/* One layer of the edited spec. */
typedef struct
{
  int                  orig;       /* index in the parsed spec; -1: inserted */
  const CnnLayerClass *klass;
  const char          *name;
  int                  n_inputs;
  int                  inputs[CNN_MAX_INPUTS];   /* indices into the OUTPUT list; -1: input */
  GPtrArray           *settings;   /* key=value tokens other than name and inputs */
  gboolean             changed;    /* a setting was changed or added */
  gboolean             explicit_name;
} OutLayer;

static void
out_layer_clear (OutLayer *o)
{
  if (o->settings)
    g_ptr_array_unref (o->settings);
}

/* Follows removed layers down to the one whose output they passed on. */
static int
resolve (const CnnLayer *layers, const gboolean *keep, int i)
{
  while (i >= 0 && !keep[i])
    i = layers[i].inputs[0];
  return i;
}

/* The name the parser would give layer j of out[] when none is written. */
static char *
default_name (const OutLayer *out, int j)
{
  int k = 1;
  for (int i = 0; i < j; i++)
    k += out[i].klass == out[j].klass;
  for (;;)
    {
      char *name = g_strdup_printf ("%s_%d", out[j].klass->name, k);
      gboolean taken = FALSE;
      for (int i = 0; i < j && !taken; i++)
        taken = strcmp (out[i].name, name) == 0;
      if (!taken)
        return name;
      g_free (name);
      k++;
    }
}

static void
set_setting (OutLayer *o, const char *key, const char *value)
{
  for (guint i = 0; i < o->settings->len; i++)
    if (token_has_key (o->settings->pdata[i], key))
      {
        g_autofree char *want = g_strdup_printf ("%s=%s", key, value);
        if (strcmp (o->settings->pdata[i], want) == 0)
          return;
        g_ptr_array_remove_index (o->settings, i);
        break;
      }
  g_ptr_array_add (o->settings, g_strdup_printf ("%s=%s", key, value));
  o->changed = TRUE;
}

char *
cnn_spec_edit (const char *text, const char *source, const CnnSpecEdit *edit, GError **error)
{
  if (!isnan (edit->dropout_rate) && !(edit->dropout_rate >= 0.0 && edit->dropout_rate < 1.0))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "the dropout rate must be at least 0 and below 1, not %g", edit->dropout_rate);
      return NULL;
    }
  g_auto (GStrv) inits = g_strsplit (CNN_INIT_CHOICES, "|", -1);
  if (edit->init >= (int) g_strv_length (inits))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "unknown weight initialization %d",
                   edit->init);
      return NULL;
    }
  int n = 0;
  /* the value of `classes` does not matter here: it is written back as text */
  CnnLayer *layers = cnn_spec_parse (text, source, 10, &n, error);
  if (layers == NULL)
    return NULL;
  if (cnn_spec_edit_is_identity (edit))
    {
      cnn_spec_free_layers (layers, n);
      return g_strdup (text);
    }

  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  int n_lines = g_strv_length (lines);
  g_autofree int *line_of = g_new (int, n);          /* layer -> its line */
  g_autofree char ***tokens = g_new0 (char **, n);   /* layer -> its tokens */
  for (int ln = 0, i = 0; ln < n_lines && i < n; ln++)
    {
      char **t = tokenize (lines[ln]);
      if (t[0] == NULL)
        {
          g_strfreev (t);
          continue;
        }
      line_of[i] = ln;
      tokens[i++] = t;
    }

  const CnnLayerClass *bn = cnn_layer_class_find ("batchnorm");
  const CnnLayerClass *dropout = cnn_layer_class_find ("dropout");
  const CnnLayerClass *dense = cnn_layer_class_find ("dense");
  const CnnLayerClass *conv = cnn_layer_class_find ("conv2d");
  gboolean drop_all = !isnan (edit->dropout_rate) && edit->dropout_rate == 0.0;
  g_autofree gboolean *keep = g_new (gboolean, n);
  gboolean has_dropout = FALSE;
  int last_dense = -1;
  for (int i = 0; i < n; i++)
    {
      keep[i] = !(edit->remove_batchnorm && layers[i].klass == bn)
                && !(drop_all && layers[i].klass == dropout);
      has_dropout |= layers[i].klass == dropout;
      if (layers[i].klass == dense)
        last_dense = i;
    }
  /* the model has no dropout: add one in front of the classifier */
  int insert_before = -1;
  if (!isnan (edit->dropout_rate) && edit->dropout_rate > 0.0 && !has_dropout)
    {
      if (last_dense < 0)
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                       "%s: there is no dense layer to put dropout in front of", source);
          for (int i = 0; i < n; i++)
            g_strfreev (tokens[i]);
          cnn_spec_free_layers (layers, n);
          return NULL;
        }
      insert_before = last_dense;
    }

  OutLayer *out = g_new0 (OutLayer, n + 1);
  int n_out = 0;
  g_autofree int *out_index = g_new (int, n);   /* parsed layer -> output index */
  g_autofree char *inserted_name = NULL;
  for (int i = 0; i < n; i++)
    {
      out_index[i] = -1;
      if (!keep[i])
        continue;
      if (i == insert_before)
        {
          OutLayer *d = &out[n_out];
          d->orig = -1;
          d->klass = dropout;
          for (int k = 1; inserted_name == NULL; k++)
            {
              g_autofree char *name = g_strdup_printf ("dropout_%d", k);
              gboolean taken = FALSE;
              for (int j = 0; j < n && !taken; j++)
                taken = strcmp (layers[j].name, name) == 0;
              if (!taken)
                inserted_name = g_steal_pointer (&name);
            }
          d->name = inserted_name;
          d->n_inputs = 1;
          int src = resolve (layers, keep, layers[i].inputs[0]);
          d->inputs[0] = src < 0 ? -1 : out_index[src];
          d->settings = g_ptr_array_new_with_free_func (g_free);
          d->changed = TRUE;
          d->explicit_name = TRUE;
          n_out++;
        }
      OutLayer *o = &out[n_out];
      o->orig = i;
      o->klass = layers[i].klass;
      o->name = layers[i].name;
      o->n_inputs = layers[i].n_inputs;
      for (int k = 0; k < o->n_inputs; k++)
        {
          int src = resolve (layers, keep, layers[i].inputs[k]);
          o->inputs[k] = src < 0 ? -1 : out_index[src];
        }
      if (i == insert_before)
        o->inputs[0] = n_out - 1;
      o->settings = g_ptr_array_new_with_free_func (g_free);
      for (int t = 1; tokens[i][t]; t++)
        {
          if (token_has_key (tokens[i][t], "name"))
            o->explicit_name = TRUE;
          else if (!token_has_key (tokens[i][t], "inputs") && !token_has_key (tokens[i][t], "input"))
            g_ptr_array_add (o->settings, g_strdup (tokens[i][t]));
        }
      out_index[i] = n_out++;
    }

  char rate[G_ASCII_DTOSTR_BUF_SIZE];
  if (!isnan (edit->dropout_rate))
    g_ascii_formatd (rate, sizeof rate, "%g", edit->dropout_rate);
  for (int j = 0; j < n_out; j++)
    {
      if (edit->init >= 0 && (out[j].klass == conv || out[j].klass == dense))
        set_setting (&out[j], "init", inits[edit->init]);
      if (!isnan (edit->dropout_rate) && edit->dropout_rate > 0.0 && out[j].klass == dropout)
        set_setting (&out[j], "rate", rate);
    }

  GString *result = g_string_new (NULL);
  int next_line = 0;   /* lines before it are written or skipped */
  for (int j = 0; j < n_out; j++)
    {
      OutLayer *o = &out[j];
      /* comments and blank lines up to this layer's line */
      int upto = o->orig >= 0 ? line_of[o->orig] : next_line;
      for (int ln = next_line; ln < upto; ln++)
        {
          char **t = tokenize (lines[ln]);
          gboolean is_layer = t[0] != NULL;
          g_strfreev (t);
          if (!is_layer)   /* a removed layer's line is left out */
            g_string_append_printf (result, "%s\n", lines[ln]);
        }
      next_line = MAX (next_line, upto);

      g_autofree char *dflt = default_name (out, j);
      gboolean need_name = o->explicit_name || strcmp (dflt, o->name) != 0;
      gboolean default_inputs = o->n_inputs == 1 && o->inputs[0] == j - 1;
      gboolean had_inputs = FALSE, inputs_kept = o->orig >= 0;
      if (o->orig >= 0)
        {
          for (int t = 1; tokens[o->orig][t]; t++)
            had_inputs |= token_has_key (tokens[o->orig][t], "inputs")
                          || token_has_key (tokens[o->orig][t], "input");
          for (int k = 0; k < layers[o->orig].n_inputs; k++)
            inputs_kept &= layers[o->orig].inputs[k] < 0 || keep[layers[o->orig].inputs[k]];
          inputs_kept &= o->orig != insert_before;
        }
      /* as written, when nothing about the line changed: its settings, its
       * name, and the layers it reads (named, or the line above) */
      if (o->orig >= 0 && !o->changed && need_name == o->explicit_name
          && (had_inputs ? inputs_kept : default_inputs))
        {
          g_string_append_printf (result, "%s\n", lines[line_of[o->orig]]);
          next_line = line_of[o->orig] + 1;
          continue;
        }
      g_string_append (result, o->klass->name);
      if (need_name)
        g_string_append_printf (result, " name=%s", o->name);
      if (!default_inputs || had_inputs)
        {
          g_string_append (result, " inputs=");
          for (int k = 0; k < o->n_inputs; k++)
            g_string_append_printf (result, "%s%s", k ? "," : "",
                                    o->inputs[k] < 0 ? "input" : out[o->inputs[k]].name);
        }
      for (guint s = 0; s < o->settings->len; s++)
        g_string_append_printf (result, " %s", (char *) o->settings->pdata[s]);
      g_string_append_c (result, '\n');
      if (o->orig >= 0)
        next_line = line_of[o->orig] + 1;
    }
  for (int ln = next_line; ln < n_lines; ln++)
    {
      char **t = tokenize (lines[ln]);
      gboolean is_layer = t[0] != NULL;
      g_strfreev (t);
      if (!is_layer && (ln < n_lines - 1 || lines[ln][0] != '\0'))
        g_string_append_printf (result, "%s\n", lines[ln]);
    }

  for (int j = 0; j < n_out; j++)
    out_layer_clear (&out[j]);
  g_free (out);
  for (int i = 0; i < n; i++)
    g_strfreev (tokens[i]);
  cnn_spec_free_layers (layers, n);

  /* what we wrote must be a spec the engine takes */
  int n_check = 0;
  g_autoptr (GError) local = NULL;
  CnnLayer *check = cnn_spec_parse (result->str, source, 10, &n_check, &local);
  if (check == NULL)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC, "%s: the edited model is not valid: %s",
                   source, local->message);
      g_string_free (result, TRUE);
      return NULL;
    }
  cnn_spec_free_layers (check, n_check);
  return g_string_free (result, FALSE);

}

gboolean
cnn_spec_has_layer_type (const char *text, const char *type)
{
  int n = 0;
  CnnLayer *layers = cnn_spec_parse (text, "spec", 10, &n, NULL);
  if (layers == NULL)
    return FALSE;
  gboolean found = FALSE;
  for (int i = 0; i < n && !found; i++)
    found = strcmp (layers[i].klass->name, type) == 0;
  cnn_spec_free_layers (layers, n);
  return found;
}
