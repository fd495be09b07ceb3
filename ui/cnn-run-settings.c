#include "cnn-run-settings.h"

#include <math.h>
#include <string.h>

CnnRunSettings *
cnn_run_settings_new (void)
{
  CnnRunSettings *s = g_new0 (CnnRunSettings, 1);
  s->data = g_strdup ("fashion-mnist");
  s->model = g_strdup ("cnn2");
  if (!cnn_optimizer_config_init (&s->optimizer, "adam", NULL))
    g_assert_not_reached ();
  s->epochs = 5;
  s->batch_size = 128;
  s->seed = 0;
  s->threads = 0;
  s->standardize = CNN_STANDARDIZE_SCALE;
  cnn_spec_edit_init (&s->edit);
  s->val_split = 0.1;
  s->limit_per_class = 0;
  return s;
}

CnnRunSettings *
cnn_run_settings_copy (const CnnRunSettings *settings)
{
  CnnRunSettings *s = g_memdup2 (settings, sizeof *settings);
  s->data = g_strdup (settings->data);
  s->model = g_strdup (settings->model);
  s->augment = g_strdup (settings->augment);
  s->classes = g_strdup (settings->classes);
  return s;
}

void
cnn_run_settings_free (CnnRunSettings *s)
{
  if (s == NULL)
    return;
  g_free (s->data);
  g_free (s->classes);
  g_free (s->model);
  g_free (s->augment);
  g_free (s);
}

gboolean
cnn_run_settings_check (const CnnRunSettings *s, GError **error)
{
  if (s->data == NULL || s->data[0] == '\0')
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "choose a data set");
      return FALSE;
    }
  if (s->model == NULL || s->model[0] == '\0')
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "choose a model");
      return FALSE;
    }
  if (s->epochs < 1 || s->epochs > 100000)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "epochs must be between 1 and 100000, not %d", s->epochs);
      return FALSE;
    }
  if (s->batch_size < 1 || s->batch_size > 65536)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "the batch size must be between 1 and 65536, not %d", s->batch_size);
      return FALSE;
    }
  if (!(s->val_split >= 0.0 && s->val_split < 1.0))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "the validation fraction must be at least 0 and below 1, not %g", s->val_split);
      return FALSE;
    }
  if (s->limit_per_class < 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "images per class must be 0 (all) or more, not %d", s->limit_per_class);
      return FALSE;
    }
  if (s->threads < 0 || s->threads > CNN_MAX_THREADS)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "threads must be between 0 (all cores) and %d", CNN_MAX_THREADS);
      return FALSE;
    }
  g_autoptr (CnnAugment) aug = cnn_augment_parse (s->augment, error);
  if (aug == NULL)
    return FALSE;
  /* the optimizer's own range checks, key by key */
  CnnOptimizerConfig check;
  if (!cnn_optimizer_config_init (&check, cnn_optimizer_kind_name (s->optimizer.kind), error))
    return FALSE;
  double *defaults = NULL;
  g_auto (GStrv) keys = cnn_optimizer_keys (s->optimizer.kind, &defaults);
  g_free (defaults);
  for (int i = 0; keys[i]; i++)
    if (!cnn_optimizer_config_set (&check, keys[i],
                                   *cnn_optimizer_config_field ((CnnOptimizerConfig *) &s->optimizer,
                                                                keys[i]), error))
      return FALSE;
  return TRUE;
}

char *
cnn_run_settings_build_spec (const CnnRunSettings *s, char **source, GError **error)
{
  g_autofree char *src = NULL;
  g_autofree char *text = cnn_model_spec_load (s->model, &src, error);
  if (text == NULL)
    return NULL;
  char *edited = cnn_spec_edit (text, src, &s->edit, error);
  if (edited && source)
    *source = g_steal_pointer (&src);
  return edited;
}

char *
cnn_run_settings_data_label (const char *data)
{
  if (g_strcmp0 (data, "fashion-mnist") == 0)
    return g_strdup ("Fashion-MNIST");
  if (g_strcmp0 (data, "mnist") == 0)
    return g_strdup ("MNIST");
  if (g_strcmp0 (data, "synthetic") == 0)
    return g_strdup ("Synthetic shapes");
  g_autofree char *trimmed = g_strdup (data ? data : "");
  size_t n = strlen (trimmed);
  while (n > 1 && trimmed[n - 1] == '/')
    trimmed[--n] = '\0';
  return g_path_get_basename (trimmed);
}

static char *
model_label (const char *model)
{
  if (cnn_preset_get_text (model))
    return g_strdup (model);
  g_autofree char *base = g_path_get_basename (model);
  char *dot = strrchr (base, '.');
  if (dot && dot != base)
    *dot = '\0';
  return g_steal_pointer (&base);
}

char *
cnn_run_settings_describe (const CnnRunSettings *s)
{
  g_autofree char *model = model_label (s->model);
  char lr[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd (lr, sizeof lr, "%g", s->optimizer.lr);
  GString *label = g_string_new (NULL);
  g_string_append_printf (label, "%s · %s lr %s", model,
                          cnn_optimizer_kind_name (s->optimizer.kind), lr);
  if (s->standardize != CNN_STANDARDIZE_SCALE)
    g_string_append_printf (label, " · standardize %s", cnn_standardize_name (s->standardize));
  if (s->edit.remove_batchnorm)
    g_string_append (label, " · no BN");
  if (!isnan (s->edit.dropout_rate))
    {
      char rate[G_ASCII_DTOSTR_BUF_SIZE];
      g_ascii_formatd (rate, sizeof rate, "%g", s->edit.dropout_rate);
      g_string_append_printf (label, " · dropout %s", rate);
    }
  if (s->edit.init >= 0)
    {
      g_auto (GStrv) inits = g_strsplit (CNN_INIT_CHOICES, "|", -1);
      if (s->edit.init < (int) g_strv_length (inits))
        g_string_append_printf (label, " · %s", inits[s->edit.init]);
    }
  g_autoptr (CnnAugment) aug = cnn_augment_parse (s->augment, NULL);
  if (aug && !cnn_augment_is_off (aug))
    {
      g_autofree char *text = cnn_augment_describe (aug);
      g_string_append_printf (label, " · augment %s", text);
    }
  if (s->batch_size != 128)
    g_string_append_printf (label, " · batch %d", s->batch_size);
  if (s->limit_per_class > 0)
    g_string_append_printf (label, " · %d/class", s->limit_per_class);
  if (s->classes && s->classes[0])
    g_string_append_printf (label, " · classes %s", s->classes);
  return g_string_free (label, FALSE);
}

/* cnn_optimizer_config_describe lists exactly the keys a kind uses, with
 * values: the engine's table is read through it rather than copied here. */
char **
cnn_optimizer_keys (CnnOptimizerKind kind, double **defaults)
{
  CnnOptimizerConfig cfg;
  if (!cnn_optimizer_config_init (&cfg, cnn_optimizer_kind_name (kind), NULL))
    g_return_val_if_reached (NULL);
  g_autofree char *text = cnn_optimizer_config_describe (&cfg);
  g_auto (GStrv) words = g_strsplit (text, " ", -1);
  GPtrArray *keys = g_ptr_array_new ();
  GArray *values = g_array_new (FALSE, FALSE, sizeof (double));
  for (int i = 1; words[i]; i++)
    {
      char *eq = strchr (words[i], '=');
      if (eq == NULL)
        continue;
      *eq = '\0';
      g_ptr_array_add (keys, g_strdup (words[i]));
      double v = g_ascii_strtod (eq + 1, NULL);
      g_array_append_val (values, v);
    }
  g_ptr_array_add (keys, NULL);
  if (defaults)
    *defaults = (double *) g_array_free (values, FALSE);
  else
    g_array_free (values, TRUE);
  return (char **) g_ptr_array_free (keys, FALSE);
}

double *
cnn_optimizer_config_field (CnnOptimizerConfig *cfg, const char *key)
{
  static const struct { const char *key; size_t offset; } fields[] = {
    { "lr", G_STRUCT_OFFSET (CnnOptimizerConfig, lr) },
    { "momentum", G_STRUCT_OFFSET (CnnOptimizerConfig, momentum) },
    { "rho", G_STRUCT_OFFSET (CnnOptimizerConfig, rho) },
    { "beta1", G_STRUCT_OFFSET (CnnOptimizerConfig, beta1) },
    { "beta2", G_STRUCT_OFFSET (CnnOptimizerConfig, beta2) },
    { "epsilon", G_STRUCT_OFFSET (CnnOptimizerConfig, epsilon) },
    { "initial_accumulator", G_STRUCT_OFFSET (CnnOptimizerConfig, initial_accumulator) },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (fields); i++)
    if (strcmp (fields[i].key, key) == 0)
      return G_STRUCT_MEMBER_P (cfg, fields[i].offset);
  return NULL;
}
