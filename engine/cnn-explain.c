#include "cnn-explain.h"

#include <math.h>
#include <string.h>

#include "cnn-error.h"
#include "cnn-rng.h"

static const char *const fill_names[] = { "gray", "mean", "zero", "blur" };

const char *
cnn_fill_name (CnnFill fill)
{
  return (unsigned) fill < G_N_ELEMENTS (fill_names) ? fill_names[fill] : "?";
}

gboolean
cnn_fill_parse (const char *text, CnnFill *fill, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (fill_names); i++)
    if (g_ascii_strcasecmp (text, fill_names[i]) == 0)
      {
        *fill = (CnnFill) i;
        return TRUE;
      }
  g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "--fill takes gray, mean, zero or blur, not “%s”", text);
  return FALSE;
}

/* one plane (H, W) blurred with a box of radius r along rows, then columns
 * (edges clamped); tmp holds H*W */
static void
box_blur (float *p, float *tmp, int H, int W, int r)
{
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        double s = 0;
        for (int d = -r; d <= r; d++)
          s += p[y * W + CLAMP (x + d, 0, W - 1)];
        tmp[y * W + x] = (float) (s / (2 * r + 1));
      }
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        double s = 0;
        for (int d = -r; d <= r; d++)
          s += tmp[CLAMP (y + d, 0, H - 1) * W + x];
        p[y * W + x] = (float) (s / (2 * r + 1));
      }
}

void
cnn_explain_fill_image (CnnFill fill, const float *x, CnnShape s, const float *gray, float *out)
{
  const size_t plane = (size_t) s.h * s.w, n = plane * s.c;
  switch (fill)
    {
    case CNN_FILL_ZERO:
      memset (out, 0, n * sizeof (float));
      break;
    case CNN_FILL_GRAY:
      if (gray)
        memcpy (out, gray, n * sizeof (float));
      else
        {
          float lo = x[0], hi = x[0];
          for (size_t i = 1; i < n; i++)
            {
              lo = MIN (lo, x[i]);
              hi = MAX (hi, x[i]);
            }
          for (size_t i = 0; i < n; i++)
            out[i] = 0.5f * (lo + hi);
        }
      break;
    case CNN_FILL_MEAN:
      for (int c = 0; c < s.c; c++)
        {
          double sum = 0;
          for (size_t i = 0; i < plane; i++)
            sum += x[c * plane + i];
          for (size_t i = 0; i < plane; i++)
            out[c * plane + i] = (float) (sum / plane);
        }
      break;
    case CNN_FILL_BLUR:
      {
        /* three box passes approximate a Gaussian of σ ≈ r: a 28×28 item
         * becomes a soft blob, a photo loses its details */
        int r = MAX (1, MIN (s.h, s.w) / 7);
        g_autofree float *tmp = g_new (float, plane);
        memcpy (out, x, n * sizeof (float));
        for (int c = 0; c < s.c; c++)
          for (int pass = 0; pass < 3; pass++)
            box_blur (out + c * plane, tmp, s.h, s.w, r);
      }
      break;
    }
}

int
cnn_explain_n_classes (const CnnNetwork *net)
{
  const CnnLayer *l = cnn_network_get_layer (net, cnn_network_get_logits_layer (net));
  return (int) cnn_shape_size (l->out_shape);
}

void
cnn_explain_softmax (const float *scores, int n, float *probs)
{
  float m = scores[0];
  for (int k = 1; k < n; k++)
    m = MAX (m, scores[k]);
  double sum = 0;
  for (int k = 0; k < n; k++)
    sum += exp ((double) scores[k] - m);
  for (int k = 0; k < n; k++)
    probs[k] = (float) (exp ((double) scores[k] - m) / sum);
}

/* Scores (N, K) of N inputs, inference mode. */
static const float *
scores_of (CnnNetwork *net, CnnPool *pool, const float *x, int N)
{
  return cnn_network_forward (net, x, N, FALSE, NULL, pool, cnn_network_get_logits_layer (net));
}

int
cnn_explain_predict (CnnNetwork *net, CnnPool *pool, const float *x, float *probs)
{
  const int K = cnn_explain_n_classes (net);
  cnn_explain_softmax (scores_of (net, pool, x, 1), K, probs);
  int best = 0;
  for (int k = 1; k < K; k++)
    if (probs[k] > probs[best])
      best = k;
  return best;
}

/* Backward through the last forward with every layer treated as frozen:
 * only input gradients are wanted, and the parameter gradients (a third of
 * a convolution's backward) are neither computed nor added to the arena. */
static void
backward_inputs_only (CnnNetwork *net, int from, const float *dfrom, float *dx, CnnPool *pool)
{
  const int n = cnn_network_get_n_layers (net);
  g_autofree gboolean *frozen = g_new (gboolean, n);
  for (int i = 0; i < n; i++)
    {
      CnnLayer *l = cnn_network_get_layer (net, i);
      frozen[i] = l->frozen;
      l->frozen = TRUE;
    }
  cnn_network_backward (net, from, dfrom, dx, NULL, pool);
  for (int i = 0; i < n; i++)
    cnn_network_get_layer (net, i)->frozen = frozen[i];
}

/* Gradients of score[targets[i]] of N inputs (N, C, H, W) into grad. */
static void
gradients (CnnNetwork *net, CnnPool *pool, const float *x, int N, const int *targets, float *grad,
           float *scores_out)
{
  const int K = cnn_explain_n_classes (net);
  const float *scores = scores_of (net, pool, x, N);
  g_autofree float *dfrom = g_new0 (float, (size_t) N * K);   /* (N, K) */
  for (int i = 0; i < N; i++)
    {
      dfrom[(size_t) i * K + targets[i]] = 1.0f;
      if (scores_out)
        scores_out[i] = scores[(size_t) i * K + targets[i]];
    }
  backward_inputs_only (net, cnn_network_get_logits_layer (net), dfrom, grad, pool);
}

double
cnn_explain_gradient (CnnNetwork *net, CnnPool *pool, const float *x, int target, float *grad)
{
  g_return_val_if_fail (target >= 0 && target < cnn_explain_n_classes (net), NAN);
  float score;
  gradients (net, pool, x, 1, &target, grad, &score);
  return score;
}

static gboolean
check_target (CnnNetwork *net, CnnPool *pool, const float *x, int *target, GError **error)
{
  const int K = cnn_explain_n_classes (net);
  if (*target >= K)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "class %d does not exist: the model has %d "
                   "classes, 0 to %d", *target, K, K - 1);
      return FALSE;
    }
  if (*target < 0)
    {
      g_autofree float *probs = g_new (float, K);
      *target = cnn_explain_predict (net, pool, x, probs);
    }
  return TRUE;
}

/* The largest batch of up to `want` inputs that fits in memory, at least 1. */
static int
fit_batch (const CnnNetwork *net, int want, int copies)
{
  int b = MAX (want, 1);
  while (b > 1 && !cnn_network_check_batch (net, b, copies, NULL))
    b /= 2;
  return b;
}

void
cnn_saliency_config_init (CnnSaliencyConfig *config)
{
  *config = (CnnSaliencyConfig) { .smoothgrad = 0, .noise = 0.15, .seed = 0 };
}

/* map (H, W) += weight * max over channels of |grad (C, H, W)| */
static void
add_abs_max (const float *grad, CnnShape s, float weight, float *map)
{
  const size_t plane = (size_t) s.h * s.w;
  for (size_t i = 0; i < plane; i++)
    {
      float m = 0.0f;
      for (int c = 0; c < s.c; c++)
        m = MAX (m, fabsf (grad[c * plane + i]));
      map[i] += weight * m;
    }
}

gboolean
cnn_explain_saliency (CnnNetwork *net, CnnPool *pool, const float *x, int target,
                      const CnnSaliencyConfig *config, float *map, GError **error)
{
  if (config->smoothgrad < 0 || config->smoothgrad > 100000 || !(config->noise >= 0 && config->noise < 100))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "SmoothGrad takes 0 to 100000 samples and a "
                   "noise level from 0 to 100 times the input's range");
      return FALSE;
    }
  if (!check_target (net, pool, x, &target, error))
    return FALSE;
  const CnnShape s = cnn_network_get_input_shape (net);
  const size_t n = cnn_shape_size (s), plane = (size_t) s.h * s.w;
  memset (map, 0, plane * sizeof (float));
  if (config->smoothgrad == 0)
    {
      g_autofree float *grad = g_new (float, n);
      gradients (net, pool, x, 1, &target, grad, NULL);
      add_abs_max (grad, s, 1.0f, map);
      return TRUE;
    }

  float lo = x[0], hi = x[0];
  for (size_t i = 1; i < n; i++)
    {
      lo = MIN (lo, x[i]);
      hi = MAX (hi, x[i]);
    }
  const double sigma = config->noise * (hi - lo);
  const int total = config->smoothgrad;
  const int B = fit_batch (net, MIN (total, 32), 3);
  g_autofree float *noisy = g_try_new (float, (size_t) B * n);   /* (B, C, H, W) */
  g_autofree float *grad = g_try_new (float, (size_t) B * n);
  g_autofree int *targets = g_new (int, B);
  if (noisy == NULL || grad == NULL)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "not enough memory for SmoothGrad's batch");
      return FALSE;
    }
  for (int i = 0; i < B; i++)
    targets[i] = target;
  CnnRng rng;
  cnn_rng_init (&rng, config->seed, 0x5a11);
  for (int done = 0; done < total; done += B)
    {
      const int b = MIN (B, total - done);
      for (size_t i = 0; i < (size_t) b * n; i++)
        noisy[i] = x[i % n] + (float) (sigma * cnn_rng_normal (&rng));
      gradients (net, pool, noisy, b, targets, grad, NULL);
      for (int i = 0; i < b; i++)
        add_abs_max (grad + (size_t) i * n, s, 1.0f / total, map);
    }
  return TRUE;
}

void
cnn_occlusion_config_init (CnnOcclusionConfig *config)
{
  *config = (CnnOcclusionConfig) { .patch = 4, .stride = 1, .fill = CNN_FILL_BLUR, .gray = NULL, .batch = 0 };
}

/* Patch positions along one axis of `size` pixels: 0, stride, ... and the
 * last one flush with the far edge. Returns their count. */
static int
positions (int size, int patch, int stride, int *pos)
{
  int n = 0;
  for (int p = 0; p + patch <= size; p += stride)
    pos[n++] = p;
  if (pos[n - 1] + patch < size)
    pos[n++] = size - patch;
  return n;
}

gboolean
cnn_explain_occlusion (CnnNetwork *net, CnnPool *pool, const float *x, int target,
                       const CnnOcclusionConfig *config, float *map, GError **error)
{
  const CnnShape s = cnn_network_get_input_shape (net);
  if (config->patch < 1 || config->stride < 1 || config->batch < 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "occlusion needs a patch and a stride of at least "
                   "1 pixel, not %d and %d", config->patch, config->stride);
      return FALSE;
    }
  if (!check_target (net, pool, x, &target, error))
    return FALSE;
  const int patch_h = MIN (config->patch, s.h), patch_w = MIN (config->patch, s.w);
  const size_t n = cnn_shape_size (s), plane = (size_t) s.h * s.w;
  const int K = cnn_explain_n_classes (net);
  g_autofree int *ys = g_new (int, s.h + 1);
  g_autofree int *xs = g_new (int, s.w + 1);
  const int ny = positions (s.h, patch_h, config->stride, ys);
  const int nx = positions (s.w, patch_w, config->stride, xs);
  const int total = ny * nx;

  g_autofree float *probs = g_new (float, K);
  cnn_explain_softmax (scores_of (net, pool, x, 1), K, probs);
  const double p0 = probs[target];
  g_autofree float *fill = g_new (float, n);
  cnn_explain_fill_image (config->fill, x, s, config->gray, fill);

  const int B = fit_batch (net, config->batch > 0 ? config->batch : MIN (total, 128), 1);
  g_autofree float *batch = g_try_new (float, (size_t) B * n);   /* (B, C, H, W) */
  g_autofree double *sum = g_new0 (double, plane);
  g_autofree int *count = g_new0 (int, plane);
  if (batch == NULL)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "not enough memory for a batch of %d occluded "
                   "images", B);
      return FALSE;
    }
  for (int done = 0; done < total; done += B)
    {
      const int b = MIN (B, total - done);
      for (int i = 0; i < b; i++)
        {
          const int y0 = ys[(done + i) / nx], x0 = xs[(done + i) % nx];
          float *img = batch + (size_t) i * n;   /* (C, H, W) */
          memcpy (img, x, n * sizeof (float));
          for (int c = 0; c < s.c; c++)
            for (int y = y0; y < y0 + patch_h; y++)
              memcpy (img + c * plane + (size_t) y * s.w + x0, fill + c * plane + (size_t) y * s.w + x0,
                      patch_w * sizeof (float));
        }
      const float *scores = scores_of (net, pool, batch, b);   /* (b, K) */
      for (int i = 0; i < b; i++)
        {
          cnn_explain_softmax (scores + (size_t) i * K, K, probs);
          const double drop = p0 - probs[target];
          const int y0 = ys[(done + i) / nx], x0 = xs[(done + i) % nx];
          for (int y = y0; y < y0 + patch_h; y++)
            for (int xx = x0; xx < x0 + patch_w; xx++)
              {
                sum[(size_t) y * s.w + xx] += drop;
                count[(size_t) y * s.w + xx]++;
              }
        }
    }
  for (size_t i = 0; i < plane; i++)
    map[i] = (float) (sum[i] / MAX (count[i], 1));
  return TRUE;
}

/* reach[i]: layer i's output flows into layer `to` (or is it) */
static void
reaches (const CnnNetwork *net, int to, gboolean *reach)
{
  const int n = cnn_network_get_n_layers (net);
  memset (reach, 0, n * sizeof (gboolean));
  reach[to] = TRUE;
  for (int i = to; i >= 0; i--)
    if (reach[i])
      {
        const CnnLayer *l = cnn_network_get_layer (net, i);
        for (int j = 0; j < l->n_inputs; j++)
          if (l->inputs[j] >= 0)
            reach[l->inputs[j]] = TRUE;
      }
}

int
cnn_explain_gradcam_default_layer (const CnnNetwork *net)
{
  const int logits = cnn_network_get_logits_layer (net);
  g_autofree gboolean *reach = g_new (gboolean, cnn_network_get_n_layers (net));
  reaches (net, logits, reach);
  for (int i = logits - 1; i >= 0; i--)
    {
      const CnnLayer *l = cnn_network_get_layer (net, i);
      if (reach[i] && !l->klass->is_view && l->out_shape.h * l->out_shape.w > 1)
        return i;
    }
  return -1;
}

/* src (h, w) bilinearly resampled to dst (H, W), pixel centers aligned */
static void
bilinear (const float *src, int h, int w, float *dst, int H, int W)
{
  for (int y = 0; y < H; y++)
    {
      double fy = CLAMP ((y + 0.5) * h / H - 0.5, 0.0, h - 1.0);
      int y0 = (int) fy, y1 = MIN (y0 + 1, h - 1);
      double ty = fy - y0;
      for (int x = 0; x < W; x++)
        {
          double fx = CLAMP ((x + 0.5) * w / W - 0.5, 0.0, w - 1.0);
          int x0 = (int) fx, x1 = MIN (x0 + 1, w - 1);
          double tx = fx - x0;
          double top = (1 - tx) * src[y0 * w + x0] + tx * src[y0 * w + x1];
          double bottom = (1 - tx) * src[y1 * w + x0] + tx * src[y1 * w + x1];
          dst[y * W + x] = (float) ((1 - ty) * top + ty * bottom);
        }
    }
}

gboolean
cnn_explain_gradcam (CnnNetwork *net, CnnPool *pool, const float *x, int target, int layer, float *map,
                     GError **error)
{
  const int logits = cnn_network_get_logits_layer (net);
  if (layer < 0)
    layer = cnn_explain_gradcam_default_layer (net);
  if (layer < 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "the model has no layer with a spatial output "
                   "before its scores, so Grad-CAM has no map to weight");
      return FALSE;
    }
  const CnnLayer *l = cnn_network_get_layer (net, layer);
  g_autofree gboolean *reach = g_new (gboolean, cnn_network_get_n_layers (net));
  reaches (net, logits, reach);
  if (layer >= logits || !reach[layer] || l->out_shape.h * l->out_shape.w < 2)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "Grad-CAM needs a layer with a spatial output "
                   "that leads to the scores; %s (%d×%d×%d) is not one", l->name, l->out_shape.c,
                   l->out_shape.h, l->out_shape.w);
      return FALSE;
    }
  if (!check_target (net, pool, x, &target, error))
    return FALSE;
  const CnnShape s = cnn_network_get_input_shape (net);
  const CnnShape a = l->out_shape;
  const int K = cnn_explain_n_classes (net);
  scores_of (net, pool, x, 1);
  g_autofree float *dfrom = g_new0 (float, K);
  dfrom[target] = 1.0f;
  backward_inputs_only (net, logits, dfrom, NULL, pool);
  const float *A = cnn_network_get_output (net, layer);          /* (C, h, w) */
  const float *dA = cnn_network_get_output_grad (net, layer);    /* (C, h, w) */
  if (dA == NULL)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "Grad-CAM: no gradient reached %s", l->name);
      return FALSE;
    }
  const size_t plane = (size_t) a.h * a.w;
  g_autofree float *cam = g_new0 (float, plane);                 /* (h, w) */
  for (int k = 0; k < a.c; k++)
    {
      double alpha = 0;
      for (size_t i = 0; i < plane; i++)
        alpha += dA[k * plane + i];
      alpha /= plane;
      for (size_t i = 0; i < plane; i++)
        cam[i] += (float) (alpha * A[k * plane + i]);
    }
  for (size_t i = 0; i < plane; i++)
    cam[i] = MAX (cam[i], 0.0f);
  bilinear (cam, a.h, a.w, map, s.h, s.w);
  return TRUE;
}
