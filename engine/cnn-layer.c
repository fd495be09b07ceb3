#include "cnn-layer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cnn-error.h"

extern const CnnLayerClass cnn_conv2d_class;
extern const CnnLayerClass cnn_dense_class;
extern const CnnLayerClass cnn_maxpool_class;
extern const CnnLayerClass cnn_avgpool_class;
extern const CnnLayerClass cnn_globalavgpool_class;
extern const CnnLayerClass cnn_batchnorm_class;
extern const CnnLayerClass cnn_dropout_class;
extern const CnnLayerClass cnn_relu_class;
extern const CnnLayerClass cnn_leakyrelu_class;
extern const CnnLayerClass cnn_sigmoid_class;
extern const CnnLayerClass cnn_tanh_class;
extern const CnnLayerClass cnn_softmax_class;
extern const CnnLayerClass cnn_flatten_class;
extern const CnnLayerClass cnn_add_class;
extern const CnnLayerClass cnn_concat_class;
extern const CnnLayerClass cnn_clip_class;
extern const CnnLayerClass cnn_scale_class;
extern const CnnLayerClass cnn_pad_class;
extern const CnnLayerClass cnn_lrn_class;

static const CnnLayerClass *const all_classes[] = {
  &cnn_conv2d_class,
  &cnn_dense_class,
  &cnn_maxpool_class,
  &cnn_avgpool_class,
  &cnn_globalavgpool_class,
  &cnn_batchnorm_class,
  &cnn_dropout_class,
  &cnn_relu_class,
  &cnn_leakyrelu_class,
  &cnn_sigmoid_class,
  &cnn_tanh_class,
  &cnn_softmax_class,
  &cnn_flatten_class,
  &cnn_add_class,
  &cnn_concat_class,
  &cnn_clip_class,
  &cnn_scale_class,
  &cnn_pad_class,
  &cnn_lrn_class,
  NULL,
};

const CnnLayerClass *const *
cnn_layer_classes (void)
{
  return all_classes;
}

const CnnLayerClass *
cnn_layer_class_find (const char *name)
{
  for (int i = 0; all_classes[i]; i++)
    if (g_ascii_strcasecmp (all_classes[i]->name, name) == 0)
      return all_classes[i];
  return NULL;
}

int
cnn_layer_class_find_hyper (const CnnLayerClass *klass, const char *name)
{
  for (int i = 0; i < klass->n_hyper; i++)
    if (strcmp (klass->hyper[i].name, name) == 0)
      return i;
  return -1;
}

static gboolean
parse_int (const char *text, int *out)
{
  char *end = NULL;
  if (text[0] == '\0')
    return FALSE;
  gint64 v = g_ascii_strtoll (text, &end, 10);
  if (*end != '\0' || v < G_MININT || v > G_MAXINT)
    return FALSE;
  *out = (int) v;
  return TRUE;
}

static gboolean
check_range (const CnnHyperSpec *spec, double v, GError **error)
{
  if (v < spec->min || v > spec->max)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                   "%s must be between %g and %g, not %g", spec->name, spec->min, spec->max, v);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_pair (const CnnHyperSpec *spec, const char *text, int out[2], GError **error)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);
  int n = g_strv_length (parts);
  if (n < 1 || n > 2 || !parse_int (g_strstrip (parts[0]), &out[0])
      || (n == 2 && !parse_int (g_strstrip (parts[1]), &out[1])))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                   "%s takes one whole number or two separated by a comma, not “%s”", spec->name, text);
      return FALSE;
    }
  if (n == 1)
    out[1] = out[0];
  return check_range (spec, out[0], error) && check_range (spec, out[1], error);
}

/* "1", "1,2" (height, width) or "1,2,3,4" (top, left, bottom, right) */
static gboolean
parse_padding (const CnnHyperSpec *spec, const char *text, CnnHyperValue *value, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);
  if (g_strv_length (parts) != 4)
    {
      if (!parse_pair (spec, text, value->i, error))
        return FALSE;
      value->end[0] = value->i[0];
      value->end[1] = value->i[1];
      return TRUE;
    }
  int v[4];
  for (int k = 0; k < 4; k++)
    if (!parse_int (g_strstrip (parts[k]), &v[k]) || !check_range (spec, v[k], error))
      return FALSE;
  value->i[0] = v[0];
  value->i[1] = v[1];
  value->end[0] = v[2];
  value->end[1] = v[3];
  return TRUE;
}

gboolean
cnn_hyper_parse (const CnnHyperSpec *spec, const char *text, CnnHyperValue *value, GError **error)
{
  memset (value, 0, sizeof *value);
  switch (spec->type)
    {
    case CNN_HYPER_INT:
      if (!parse_int (text, &value->i[0]))
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                       "%s takes a whole number, not “%s”", spec->name, text);
          return FALSE;
        }
      return check_range (spec, value->i[0], error);
    case CNN_HYPER_FLOAT:
      {
        char *end = NULL;
        value->f = g_ascii_strtod (text, &end);
        if (text[0] == '\0' || *end != '\0' || !isfinite (value->f))
          {
            g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                         "%s takes a number, not “%s”", spec->name, text);
            return FALSE;
          }
        return check_range (spec, value->f, error);
      }
    case CNN_HYPER_PAIR:
      return parse_pair (spec, text, value->i, error);
    case CNN_HYPER_PADDING:
      if (strcmp (text, "same") == 0)
        value->mode = CNN_PADDING_SAME;
      else if (strcmp (text, "valid") == 0)
        value->mode = CNN_PADDING_VALID;
      else
        {
          value->mode = CNN_PADDING_EXPLICIT;
          if (!parse_padding (spec, text, value, error))
            {
              g_clear_error (error);
              g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                           "%s takes same, valid, or one, two or four whole numbers ≥ 0 "
                           "(top,left,bottom,right), not “%s”", spec->name, text);
              return FALSE;
            }
        }
      return TRUE;
    case CNN_HYPER_CHOICE:
      {
        g_auto (GStrv) choices = g_strsplit (spec->choices, "|", -1);
        for (int i = 0; choices[i]; i++)
          if (strcmp (choices[i], text) == 0)
            {
              value->i[0] = i;
              return TRUE;
            }
        g_autofree char *list = g_strjoinv (", ", choices);
        g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                     "%s must be one of %s, not “%s”", spec->name, list, text);
        return FALSE;
      }
    }
  g_assert_not_reached ();
}

char *
cnn_hyper_format (const CnnHyperSpec *spec, const CnnHyperValue *value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  switch (spec->type)
    {
    case CNN_HYPER_INT:
      return g_strdup_printf ("%d", value->i[0]);
    case CNN_HYPER_FLOAT:
      return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.9g", value->f));
    case CNN_HYPER_PADDING:
      if (value->mode == CNN_PADDING_SAME)
        return g_strdup ("same");
      if (value->mode == CNN_PADDING_VALID)
        return g_strdup ("valid");
      if (value->end[0] != value->i[0] || value->end[1] != value->i[1])
        return g_strdup_printf ("%d,%d,%d,%d", value->i[0], value->i[1], value->end[0], value->end[1]);
      G_GNUC_FALLTHROUGH;
    case CNN_HYPER_PAIR:
      if (value->i[0] == value->i[1])
        return g_strdup_printf ("%d", value->i[0]);
      return g_strdup_printf ("%d,%d", value->i[0], value->i[1]);
    case CNN_HYPER_CHOICE:
      {
        g_auto (GStrv) choices = g_strsplit (spec->choices, "|", -1);
        return g_strdup (choices[value->i[0]]);
      }
    }
  g_assert_not_reached ();
}

char *
cnn_layer_describe (const CnnLayer *layer)
{
  GString *s = g_string_new (NULL);
  for (int i = 0; i < layer->klass->n_hyper; i++)
    {
      if (!layer->hp_given[i])
        continue;
      g_autofree char *v = cnn_hyper_format (&layer->klass->hyper[i], &layer->hp[i]);
      g_string_append_printf (s, "%s%s=%s", s->len ? " " : "", layer->klass->hyper[i].name, v);
    }
  return g_string_free (s, FALSE);
}

float *
cnn_scratch_ensure (float **buf, size_t *capacity, size_t count)
{
  if (*capacity < count)
    {
      void *p = NULL;
      g_free (*buf);
      /* 64-byte alignment keeps vector loads on one cache line; g_free() frees it */
      if (posix_memalign (&p, 64, MAX (count, 1) * sizeof (float)) != 0)
        g_error ("out of memory allocating %zu floats", count);
      *buf = p;
      *capacity = count;
    }
  return *buf;
}

gboolean
cnn_window_output (int in, int kernel, int stride, const CnnHyperValue *padding,
                   int axis, int *out, int *pad_before)
{
  switch (padding->mode)
    {
    case CNN_PADDING_SAME:
      {
        /* TensorFlow's rule: out = ceil(in / stride), extra padding at the end */
        *out = (in + stride - 1) / stride;
        int total = MAX ((*out - 1) * stride + kernel - in, 0);
        *pad_before = total / 2;
        break;
      }
    case CNN_PADDING_VALID:
      *pad_before = 0;
      *out = in >= kernel ? (in - kernel) / stride + 1 : 0;
      break;
    case CNN_PADDING_EXPLICIT:
    default:
      {
        int padded = in + padding->i[axis] + padding->end[axis];
        *pad_before = padding->i[axis];
        *out = padded >= kernel ? (padded - kernel) / stride + 1 : 0;
      }
      break;
    }
  return *out > 0;
}

void
cnn_init_weights (float *w, size_t n, CnnInit init, int fan_in, int fan_out, CnnRng *rng)
{
  double limit, stddev;
  switch (init)
    {
    case CNN_INIT_GLOROT_UNIFORM:
    case CNN_INIT_HE_UNIFORM:
      limit = init == CNN_INIT_GLOROT_UNIFORM ? sqrt (6.0 / (fan_in + fan_out)) : sqrt (6.0 / fan_in);
      for (size_t i = 0; i < n; i++)
        w[i] = (float) ((2.0 * cnn_rng_uniform (rng) - 1.0) * limit);
      break;
    case CNN_INIT_GLOROT_NORMAL:
    case CNN_INIT_HE_NORMAL:
      /* Keras draws from a normal truncated at 2 sigma, rescaled so the
       * variance is still the intended one (0.8796... is its std). */
      stddev = (init == CNN_INIT_GLOROT_NORMAL ? sqrt (2.0 / (fan_in + fan_out)) : sqrt (2.0 / fan_in))
               / 0.87962566103423978;
      for (size_t i = 0; i < n; i++)
        {
          double z;
          do
            z = cnn_rng_normal (rng);
          while (fabs (z) > 2.0);
          w[i] = (float) (z * stddev);
        }
      break;
    case CNN_INIT_SMALL_NORMAL:
      for (size_t i = 0; i < n; i++)
        w[i] = (float) (0.01 * cnn_rng_normal (rng));
      break;
    case CNN_INIT_ZEROS:
    default:
      memset (w, 0, n * sizeof *w);
      break;
    }
}
