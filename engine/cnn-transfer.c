/* cnn-transfer.c: new heads, freezing, and k nearest neighbours. Feature
 * extraction and its cache are in cnn-feature-extract.c. */
#include "cnn-transfer.h"

#include <math.h>
#include <string.h>

#include "cnn-error.h"

static gboolean
is_type (const CnnNetwork *net, int i, const char *type)
{
  return strcmp (cnn_network_get_layer (net, i)->klass->name, type) == 0;
}

int
cnn_transfer_head_layer (const CnnNetwork *net)
{
  for (int i = cnn_network_get_n_layers (net) - 1; i >= 0; i--)
    if (is_type (net, i, "dense"))
      return i;
  return -1;
}

int
cnn_transfer_conv_end_layer (const CnnNetwork *net)
{
  for (int i = 0; i < cnn_network_get_n_layers (net); i++)
    if (is_type (net, i, "dense"))
      return cnn_network_get_layer (net, i)->inputs[0];
  return -1;
}

int
cnn_transfer_feature_layer (const CnnNetwork *net)
{
  int head = cnn_transfer_head_layer (net);
  return head < 0 ? -1 : cnn_network_get_layer (net, head)->inputs[0];
}

int
cnn_transfer_unfreeze_layer (const CnnNetwork *net)
{
  int last = -1, before = -1;
  for (int i = 0; i < cnn_network_get_n_layers (net); i++)
    if (is_type (net, i, "conv2d"))
      {
        before = last;
        last = i;
      }
  return before >= 0 ? before : last >= 0 ? last : cnn_transfer_head_layer (net);
}

void
cnn_transfer_freeze (CnnNetwork *net, int last)
{
  for (int i = 0; i < cnn_network_get_n_layers (net); i++)
    cnn_network_get_layer (net, i)->frozen = i <= last;
}

void
cnn_transfer_unfreeze_from (CnnNetwork *net, int first)
{
  for (int i = MAX (first, 0); i < cnn_network_get_n_layers (net); i++)
    {
      CnnLayer *l = cnn_network_get_layer (net, i);
      if (!(l->frozen && is_type (net, i, "batchnorm")))
        l->frozen = FALSE;
    }
}

/* Heads */

static const char *const head_names[] = {
  [CNN_HEAD_SOFTMAX] = "softmax", [CNN_HEAD_DENSE] = "dense", [CNN_HEAD_KNN] = "knn",
};

const char *
cnn_head_kind_name (CnnHeadKind kind)
{
  g_return_val_if_fail (kind <= CNN_HEAD_KNN, "");
  return head_names[kind];
}

gboolean
cnn_head_kind_parse (const char *text, CnnHeadKind *kind, GError **error)
{
  for (int i = 0; i < (int) G_N_ELEMENTS (head_names); i++)
    if (g_strcmp0 (text, head_names[i]) == 0)
      {
        *kind = i;
        return TRUE;
      }
  g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
               "a head is softmax, dense or knn, not “%s”", text ? text : "");
  return FALSE;
}

const char *
cnn_head_spec (CnnHeadKind kind)
{
  switch (kind)
    {
    case CNN_HEAD_SOFTMAX:
      return "# softmax regression on frozen features\n"
             "dense name=head units=classes\n"
             "softmax\n";
    case CNN_HEAD_DENSE:
      return "# a small dense net on frozen features\n"
             "dense name=hidden units=64 init=he_uniform\n"
             "relu\n"
             "dropout rate=0.3\n"
             "dense name=head units=classes\n"
             "softmax\n";
    case CNN_HEAD_KNN:
    default:
      return NULL;
    }
}

/* k nearest neighbours */

typedef struct
{
  const CnnFeatureSet *train, *query;
  const int           *train_idx, *q_idx;
  int                  n_train, k;
  CnnKnnMetric         metric;
  const double        *norms;     /* (n_train) for cosine */
  guint8              *predicted;
} KnnJob;

static double
dot (const float *a, const float *b, size_t n)
{
  double s = 0.0;
  for (size_t i = 0; i < n; i++)
    s += (double) a[i] * b[i];
  return s;
}

static double
distance (const KnnJob *job, const float *q, double q_norm, int t)
{
  size_t size = cnn_shape_size (job->train->shape);
  const float *x = job->train->x + (size_t) job->train_idx[t] * size;   /* (size) */
  if (job->metric == CNN_KNN_COSINE)
    {
      /* a zero vector is as far from everything as orthogonal ones */
      double denom = q_norm * job->norms[t];
      return 1.0 - (denom > 0.0 ? dot (q, x, size) / denom : 0.0);
    }
  double s = 0.0;
  for (size_t i = 0; i < size; i++)
    {
      double d = (double) q[i] - x[i];
      s += d * d;
    }
  return s;
}

static void
knn_range (int begin, int end, int thread, gpointer data)
{
  const KnnJob *job = data;
  const int k = job->k;
  const size_t size = cnn_shape_size (job->query->shape);
  g_autofree double *best_d = g_new (double, k);   /* (k) ascending */
  g_autofree int *best_t = g_new (int, k);
  int votes[256];
  for (int qi = begin; qi < end; qi++)
    {
      const float *q = job->query->x + (size_t) job->q_idx[qi] * size;   /* (size) */
      double q_norm = job->metric == CNN_KNN_COSINE ? sqrt (dot (q, q, size)) : 0.0;
      int found = 0;
      for (int t = 0; t < job->n_train; t++)
        {
          double d = distance (job, q, q_norm, t);
          /* strictly nearer: of equally near samples the earlier stays */
          if (found == k && !(d < best_d[k - 1]))
            continue;
          int pos = found < k ? found++ : k - 1;
          while (pos > 0 && d < best_d[pos - 1])
            {
              best_d[pos] = best_d[pos - 1];
              best_t[pos] = best_t[pos - 1];
              pos--;
            }
          best_d[pos] = d;
          best_t[pos] = t;
        }
      memset (votes, 0, sizeof votes);
      int most = 0;
      for (int j = 0; j < found; j++)
        {
          int v = ++votes[job->train->labels[job->train_idx[best_t[j]]]];
          most = MAX (most, v);
        }
      /* the nearest neighbour whose class has the most votes */
      for (int j = 0; j < found; j++)
        {
          guint8 label = job->train->labels[job->train_idx[best_t[j]]];
          if (votes[label] == most)
            {
              job->predicted[qi] = label;
              break;
            }
        }
    }
}

void
cnn_knn_classify (const CnnFeatureSet *train, const int *train_idx, int n_train,
                  const CnnFeatureSet *query, const int *q_idx, int n_query, int k,
                  CnnKnnMetric metric, CnnPool *pool, guint8 *predicted)
{
  g_return_if_fail (train && query && predicted && k >= 1 && n_train >= 1 && n_query >= 0);
  g_return_if_fail (cnn_shape_size (train->shape) == cnn_shape_size (query->shape));
  size_t size = cnn_shape_size (train->shape);
  g_autofree double *norms = g_new0 (double, n_train);
  if (metric == CNN_KNN_COSINE)
    for (int t = 0; t < n_train; t++)
      {
        const float *x = train->x + (size_t) train_idx[t] * size;
        norms[t] = sqrt (dot (x, x, size));
      }
  KnnJob job = { .train = train, .query = query, .train_idx = train_idx, .q_idx = q_idx,
                 .n_train = n_train, .k = MIN (k, n_train), .metric = metric, .norms = norms,
                 .predicted = predicted };
  cnn_pool_run (pool, n_query, knn_range, &job);
}

double
cnn_knn_accuracy (const CnnFeatureSet *train, const int *train_idx, int n_train,
                  const CnnFeatureSet *query, const int *q_idx, int n_query, int k,
                  CnnKnnMetric metric, CnnPool *pool)
{
  if (n_query == 0)
    return NAN;
  g_autofree guint8 *predicted = g_new (guint8, n_query);
  cnn_knn_classify (train, train_idx, n_train, query, q_idx, n_query, k, metric, pool, predicted);
  int correct = 0;
  for (int i = 0; i < n_query; i++)
    correct += predicted[i] == query->labels[q_idx[i]];
  return (double) correct / n_query;
}

/* A new head */

/* The spec with layer `index`'s units=… replaced by units=classes. Layers
 * are the lines that hold more than blanks and a comment (cnn-spec.c). */
static char *
spec_with_class_units (const char *spec, int index)
{
  g_auto (GStrv) lines = g_strsplit (spec, "\n", -1);
  int layer = 0;
  for (int ln = 0; lines[ln]; ln++)
    {
      g_autofree char *code = g_strndup (lines[ln], strcspn (lines[ln], "#"));
      g_strdelimit (code, "\t\r", ' ');
      if (*g_strstrip (code) == '\0')
        continue;
      if (layer++ != index)
        continue;
      g_auto (GStrv) tokens = g_strsplit (code, " ", -1);
      GString *line = g_string_new (NULL);
      gboolean replaced = FALSE;
      for (int j = 0; tokens[j]; j++)
        {
          if (tokens[j][0] == '\0')
            continue;
          if (line->len)
            g_string_append_c (line, ' ');
          if (g_str_has_prefix (tokens[j], "units="))
            {
              g_string_append (line, "units=classes");
              replaced = TRUE;
            }
          else
            g_string_append (line, tokens[j]);
        }
      if (!replaced)
        g_string_append (line, " units=classes");
      g_free (lines[ln]);
      lines[ln] = g_string_free (line, FALSE);
      break;
    }
  return g_strjoinv ("\n", lines);
}

CnnNetwork *
cnn_transfer_new_head (CnnNetwork *src, const char *source, int n_classes, guint64 seed,
                       GError **error)
{
  int head = cnn_transfer_head_layer (src);
  if (head < 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                   "%s: the model has no dense layer to replace with a new head", source);
      return NULL;
    }
  int n_layers = cnn_network_get_n_layers (src);
  for (int i = head + 1; i < n_layers; i++)
    if (cnn_network_get_layer (src, i)->n_params > 0)
      {
        g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                     "%s: layer %s after the head %s has weights: the head must be the last "
                     "layer with weights", source, cnn_network_get_layer (src, i)->name,
                     cnn_network_get_layer (src, head)->name);
        return NULL;
      }
  g_autofree char *spec = spec_with_class_units (cnn_network_get_spec (src), head);
  g_autoptr (CnnNetwork) net = cnn_network_new (spec, source, cnn_network_get_input_shape (src),
                                                n_classes, error);
  if (net == NULL)
    return NULL;
  if (cnn_network_get_n_layers (net) != n_layers
      || cnn_network_get_layer (net, head)->out_shape.c != n_classes)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                   "%s: could not give the head %s %d units", source,
                   cnn_network_get_layer (src, head)->name, n_classes);
      return NULL;
    }
  cnn_network_init_params (net, seed);
  for (int i = 0; i < n_layers; i++)
    {
      if (i == head)
        continue;
      const CnnLayer *from = cnn_network_get_layer (src, i);
      CnnLayer *to = cnn_network_get_layer (net, i);
      if (from->n_params != to->n_params || from->n_state != to->n_state)
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                       "%s: layer %s changes size with the number of classes, so its weights "
                       "cannot be kept", source, from->name);
          return NULL;
        }
      if (from->n_params)
        memcpy (to->params, from->params, from->n_params * sizeof (float));
      if (from->n_state)
        memcpy (to->state, from->state, from->n_state * sizeof (float));
    }
  return g_steal_pointer (&net);
}
