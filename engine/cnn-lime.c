#include "cnn-lime.h"

#include <math.h>
#include <string.h>
#include <vl/slic.h>

#include "cnn-error.h"
#include "cnn-rng.h"

/* The normal equations are dense: more superpixels than this would take
 * more memory and time than an explanation is worth. */
#define MAX_SEGMENTS 1000

void
cnn_lime_config_init (CnnLimeConfig *config)
{
  *config = (CnnLimeConfig) { .samples = 1000, .region_size = 0, .regularization = -1, .fill = CNN_FILL_BLUR,
                              .gray = NULL, .kernel_width = 0.25, .ridge = 1.0, .features = 5, .seed = 0,
                              .batch = 0 };
}

void
cnn_lime_free (CnnLime *lime)
{
  if (lime == NULL)
    return;
  g_free (lime->segments);
  g_free (lime->coef);
  g_free (lime->order);
  g_free (lime->map);
  g_free (lime);
}

/* Relabels `labels` (h, w) into connected regions (4-neighbours), numbered
 * in the order their first pixel appears; returns how many. VLFeat keeps a
 * region's label when SLIC cut it in two, and a superpixel in two places
 * would be switched off in both at once. */
static int
connected_regions (const vl_uint32 *labels, int h, int w, int *out)
{
  const int n = h * w;
  g_autofree int *stack = g_new (int, n);
  for (int i = 0; i < n; i++)
    out[i] = -1;
  int count = 0;
  for (int start = 0; start < n; start++)
    {
      if (out[start] >= 0)
        continue;
      int top = 0;
      stack[top++] = start;
      out[start] = count;
      while (top > 0)
        {
          int p = stack[--top], y = p / w, x = p % w;
          const int nb[4] = { x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1,
                              y < h - 1 ? p + w : -1 };
          for (int k = 0; k < 4; k++)
            if (nb[k] >= 0 && out[nb[k]] < 0 && labels[nb[k]] == labels[p])
              {
                out[nb[k]] = count;
                stack[top++] = nb[k];
              }
        }
      count++;
    }
  return count;
}

static int
auto_region_size (CnnShape s)
{
  /* about 50 superpixels, as LIME's quickshift gives on a photo; 4 px on
   * a 28×28 item leaves a few dozen, enough to tell its parts apart */
  return MAX (4, (int) lround (sqrt ((double) s.h * s.w / 50.0)));
}

int
cnn_lime_segment (const float *image, CnnShape s, int region_size, double regularization, int *segments)
{
  if (region_size <= 0)
    region_size = auto_region_size (s);
  if (regularization < 0)
    regularization = 0.02;
  g_autofree vl_uint32 *labels = g_new (vl_uint32, (size_t) s.h * s.w);
  /* regions under a quarter of the nominal area join a neighbour */
  vl_slic_segment (labels, image, s.w, s.h, s.c, region_size, (float) regularization,
                   MAX (1, region_size * region_size / 4));
  return connected_regions (labels, s.h, s.w, segments);
}

/* Solves A β = b for a symmetric positive definite A (n, n) by Cholesky,
 * in place (A becomes its factor). FALSE when A is not positive definite. */
static gboolean
cholesky_solve (double *A, double *b, int n)
{
  for (int j = 0; j < n; j++)
    {
      double d = A[j * n + j];
      for (int k = 0; k < j; k++)
        d -= A[j * n + k] * A[j * n + k];
      if (!(d > 0))
        return FALSE;
      d = sqrt (d);
      A[j * n + j] = d;
      for (int i = j + 1; i < n; i++)
        {
          double v = A[i * n + j];
          for (int k = 0; k < j; k++)
            v -= A[i * n + k] * A[j * n + k];
          A[i * n + j] = v / d;
        }
    }
  for (int i = 0; i < n; i++)   /* L y = b */
    {
      double v = b[i];
      for (int k = 0; k < i; k++)
        v -= A[i * n + k] * b[k];
      b[i] = v / A[i * n + i];
    }
  for (int i = n - 1; i >= 0; i--)   /* Lᵀ β = y */
    {
      double v = b[i];
      for (int k = i + 1; k < n; k++)
        v -= A[k * n + i] * b[k];
      b[i] = v / A[i * n + i];
    }
  return TRUE;
}

static gint
by_coef (gconstpointer a, gconstpointer b, gpointer data)
{
  const double *coef = data;
  int i = *(const int *) a, j = *(const int *) b;
  if (coef[i] != coef[j])
    return coef[i] > coef[j] ? -1 : 1;
  return (i > j) - (i < j);
}

/* The weighted ridge fit of y on the rows of Z (N, S), intercept not
 * penalized (data centered by the weighted means first, as scikit-learn's
 * Ridge does, which LIME uses). */
static gboolean
fit (const guint8 *Z, const double *y, const double *weight, int N, int S, double alpha, CnnLime *lime)
{
  double wsum = 0, ymean = 0;
  g_autofree double *zmean = g_new0 (double, S);
  for (int i = 0; i < N; i++)
    {
      wsum += weight[i];
      ymean += weight[i] * y[i];
      for (int k = 0; k < S; k++)
        zmean[k] += weight[i] * Z[(size_t) i * S + k];
    }
  if (!(wsum > 0))
    return FALSE;
  ymean /= wsum;
  for (int k = 0; k < S; k++)
    zmean[k] /= wsum;
  g_autofree double *A = g_new0 (double, (size_t) S * S);   /* (S, S), lower triangle */
  g_autofree double *row = g_new (double, S);
  double *b = lime->coef;
  memset (b, 0, S * sizeof (double));
  for (int i = 0; i < N; i++)
    {
      for (int k = 0; k < S; k++)
        row[k] = Z[(size_t) i * S + k] - zmean[k];
      const double wy = weight[i] * (y[i] - ymean);
      for (int k = 0; k < S; k++)
        {
          const double wk = weight[i] * row[k];
          b[k] += row[k] * wy;
          double *Ak = A + (size_t) k * S;
          for (int j = 0; j <= k; j++)
            Ak[j] += wk * row[j];
        }
    }
  for (int k = 0; k < S; k++)
    A[(size_t) k * S + k] += alpha;
  if (!cholesky_solve (A, b, S))
    return FALSE;
  double intercept = ymean;
  for (int k = 0; k < S; k++)
    intercept -= zmean[k] * b[k];
  lime->intercept = intercept;
  double ss_res = 0, ss_tot = 0;
  for (int i = 0; i < N; i++)
    {
      double pred = intercept;
      for (int k = 0; k < S; k++)
        pred += Z[(size_t) i * S + k] * b[k];
      ss_res += weight[i] * (y[i] - pred) * (y[i] - pred);
      ss_tot += weight[i] * (y[i] - ymean) * (y[i] - ymean);
    }
  /* scikit-learn's convention for a constant target */
  lime->r2 = ss_tot > 0 ? 1.0 - ss_res / ss_tot : ss_res > 0 ? 0.0 : 1.0;
  return TRUE;
}

CnnLime *
cnn_lime_explain (CnnNetwork *net, CnnPool *pool, const float *x, const float *image, int target,
                  const CnnLimeConfig *config, GError **error)
{
  const CnnShape s = cnn_network_get_input_shape (net);
  const int K = cnn_explain_n_classes (net);
  if (config->samples < 2 || config->samples > 1000000 || config->features < 1 || config->region_size < 0
      || !(config->kernel_width > 0) || !(config->ridge > 0) || config->batch < 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "LIME needs 2 to 1000000 samples, at least 1 "
                   "feature, and a positive kernel width and ridge penalty");
      return NULL;
    }
  if (target >= K)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "class %d does not exist: the model has %d "
                   "classes, 0 to %d", target, K, K - 1);
      return NULL;
    }
  const size_t n = cnn_shape_size (s), plane = (size_t) s.h * s.w;
  g_autofree float *probs = g_new (float, K);
  int predicted = cnn_explain_predict (net, pool, x, probs);
  if (target < 0)
    target = predicted;

  /* the superpixels, on what the user sees */
  g_autofree float *scaled = NULL;
  if (image == NULL)
    {
      float lo = x[0], hi = x[0];
      for (size_t i = 1; i < n; i++)
        {
          lo = MIN (lo, x[i]);
          hi = MAX (hi, x[i]);
        }
      scaled = g_new (float, n);
      for (size_t i = 0; i < n; i++)
        scaled[i] = hi > lo ? (x[i] - lo) / (hi - lo) : 0.5f;
      image = scaled;
    }
  g_autoptr (CnnLime) lime = g_new0 (CnnLime, 1);
  lime->h = s.h;
  lime->w = s.w;
  lime->target = target;
  lime->segments = g_new (int, plane);
  const int S = cnn_lime_segment (image, s, config->region_size, config->regularization, lime->segments);
  if (S > MAX_SEGMENTS)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "%d superpixels are more than LIME's fit takes "
                   "(%d): choose a larger region size", S, MAX_SEGMENTS);
      return NULL;
    }
  lime->n_segments = S;
  lime->coef = g_new0 (double, S);

  /* the samples: which superpixels stay on, each with probability ½, as
   * LIME's image explainer draws them; the first keeps the whole image */
  const int N = config->samples;
  g_autofree guint8 *Z = g_try_new (guint8, (size_t) N * S);    /* (N, S) */
  g_autofree double *y = g_new (double, N);
  g_autofree double *weight = g_new (double, N);
  g_autofree float *fill = g_new (float, n);
  if (Z == NULL)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "not enough memory for %d samples", N);
      return NULL;
    }
  cnn_explain_fill_image (config->fill, x, s, config->gray, fill);
  CnnRng rng;
  cnn_rng_init (&rng, config->seed, 0x11e);
  for (int k = 0; k < S; k++)
    Z[k] = 1;
  for (size_t i = S; i < (size_t) N * S; i++)
    Z[i] = (guint8) (cnn_rng_next_u32 (&rng) >> 31);

  int B = config->batch > 0 ? config->batch : MIN (N, 128);
  while (B > 1 && !cnn_network_check_batch (net, B, 1, NULL))
    B /= 2;
  g_autofree float *batch = g_try_new (float, (size_t) B * n);   /* (B, C, H, W) */
  if (batch == NULL)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "not enough memory for a batch of %d images", B);
      return NULL;
    }
  const int logits = cnn_network_get_logits_layer (net);
  for (int done = 0; done < N; done += B)
    {
      const int b = MIN (B, N - done);
      for (int i = 0; i < b; i++)
        {
          const guint8 *z = Z + (size_t) (done + i) * S;
          float *img = batch + (size_t) i * n;   /* (C, H, W) */
          for (int c = 0; c < s.c; c++)
            for (size_t p = 0; p < plane; p++)
              img[c * plane + p] = z[lime->segments[p]] ? x[c * plane + p] : fill[c * plane + p];
        }
      const float *scores = cnn_network_forward (net, batch, b, FALSE, NULL, pool, logits);   /* (b, K) */
      for (int i = 0; i < b; i++)
        {
          cnn_explain_softmax (scores + (size_t) i * K, K, probs);
          y[done + i] = probs[target];
        }
    }
  /* cosine distance to the whole image (all ones): 1 - sqrt(on / S); an
   * image with every superpixel off is as far as can be */
  for (int i = 0; i < N; i++)
    {
      int on = 0;
      for (int k = 0; k < S; k++)
        on += Z[(size_t) i * S + k];
      double d = on > 0 ? 1.0 - sqrt ((double) on / S) : 1.0;
      weight[i] = exp (-d * d / (config->kernel_width * config->kernel_width));
    }
  if (!fit (Z, y, weight, N, S, config->ridge, lime))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "LIME's regression has no solution (the "
                   "sample weights vanish)");
      return NULL;
    }

  lime->order = g_new (int, S);
  for (int k = 0; k < S; k++)
    lime->order[k] = k;
  g_qsort_with_data (lime->order, S, sizeof (int), by_coef, lime->coef);
  lime->features = MIN (config->features, S);
  for (int k = 0; k < lime->features; k++)
    {
      lime->n_positive += lime->coef[lime->order[k]] > 0;
      lime->n_negative += lime->coef[lime->order[S - 1 - k]] < 0;
    }
  lime->map = g_new (float, plane);
  for (size_t p = 0; p < plane; p++)
    lime->map[p] = (float) lime->coef[lime->segments[p]];
  return g_steal_pointer (&lime);
}
