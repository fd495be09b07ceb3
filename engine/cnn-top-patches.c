#include "cnn-top-patches.h"

#include <math.h>

#include "cnn-error.h"
#include "cnn-layer.h"

typedef struct
{
  CnnTopPatches *tp;
  const float   *out;      /* (count, C, H, W) */
  int            count;
  int            first;    /* position of the batch's first image in idx */
  const int     *idx;
  int            H, W;
} ScanJob;

/* p beats q: higher value, then the earlier image (p is always later
 * than the patches kept so far, so only strictly higher values move up) */
static void
insert (CnnTopPatch *top, int k, CnnTopPatch p)
{
  if (top[k - 1].image >= 0 && !(p.value > top[k - 1].value))
    return;
  int i = k - 1;
  while (i > 0 && (top[i - 1].image < 0 || p.value > top[i - 1].value))
    {
      top[i] = top[i - 1];
      i--;
    }
  top[i] = p;
}

/* channels [begin, end): each thread owns its channels' lists */
static void
scan_channels (int begin, int end, int thread, gpointer data)
{
  ScanJob *job = data;
  const int C = job->tp->n_channels, k = job->tp->k;
  const size_t plane = (size_t) job->H * job->W;
  for (int c = begin; c < end; c++)
    for (int b = 0; b < job->count; b++)
      {
        const float *a = job->out + ((size_t) b * C + c) * plane;   /* (H, W) */
        size_t best = 0;
        for (size_t i = 1; i < plane; i++)
          if (a[i] > a[best])
            best = i;
        if (isnan (a[best]))
          continue;
        CnnTopPatch p = { job->idx[job->first + b], (int) (best / job->W), (int) (best % job->W),
                          a[best] };
        insert (job->tp->patches + (size_t) c * k, k, p);
      }
}

CnnTopPatches *
cnn_top_patches_compute (CnnNetwork *net, const CnnImageSet *set, const CnnNormalizer *nz,
                         const int *idx, int n, int layer, int k, int batch_size, CnnPool *pool,
                         CnnProgressFunc progress, gpointer user_data, GError **error)
{
  g_return_val_if_fail (layer >= 0 && layer < cnn_network_get_n_layers (net), NULL);
  g_return_val_if_fail (k >= 1 && n >= 0 && batch_size >= 1, NULL);
  const CnnShape out = cnn_network_get_layer (net, layer)->out_shape;
  g_autoptr (CnnTopPatches) tp = g_new0 (CnnTopPatches, 1);
  tp->layer = layer;
  tp->n_channels = out.c;
  tp->k = k;
  tp->patches = g_new (CnnTopPatch, (size_t) out.c * k);
  for (size_t i = 0; i < (size_t) out.c * k; i++)
    tp->patches[i] = (CnnTopPatch) { -1, 0, 0, NAN };
  g_autofree CnnReceptiveField *fields = cnn_network_receptive_fields (net);
  tp->field = fields[layer];

  const CnnShape in = cnn_network_get_input_shape (net);
  const int B = MAX (1, MIN (batch_size, n));
  if (!cnn_network_check_batch (net, B, 1, error))
    return NULL;
  g_autofree float *x = g_new (float, (size_t) B * cnn_shape_size (in));   /* (B, C, H, W) */
  for (int start = 0; start < n; start += B)
    {
      if (progress && !progress (start, n, user_data))
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_CANCELLED, "top patches: cancelled");
          return NULL;
        }
      int count = MIN (B, n - start);
      cnn_normalizer_gather (nz, set, idx + start, count, x);
      ScanJob job = { tp, cnn_network_forward (net, x, count, FALSE, NULL, pool, layer), count,
                      start, idx, out.h, out.w };
      cnn_pool_run (pool, out.c, scan_channels, &job);
    }
  if (progress)
    progress (n, n, user_data);
  return g_steal_pointer (&tp);
}

void
cnn_top_patches_free (CnnTopPatches *tp)
{
  if (tp == NULL)
    return;
  g_free (tp->patches);
  g_free (tp);
}

const CnnTopPatch *
cnn_top_patches_get (const CnnTopPatches *tp, int channel, int rank)
{
  g_return_val_if_fail (channel >= 0 && channel < tp->n_channels && rank >= 0 && rank < tp->k, NULL);
  return &tp->patches[(size_t) channel * tp->k + rank];
}

void
cnn_top_patches_box (const CnnTopPatches *tp, const CnnTopPatch *p, int *y0, int *x0, int *h,
                     int *w)
{
  cnn_receptive_field_box (&tp->field, p->y, p->x, y0, x0, h, w);
}

void
cnn_top_patches_crop (const CnnTopPatches *tp, const CnnTopPatch *p, const CnnImageSet *set,
                      guint8 *dst)
{
  int y0, x0, h, w;
  cnn_top_patches_box (tp, p, &y0, &x0, &h, &w);
  const guint8 *img = set->pixels + (size_t) p->image * set->c * set->h * set->w;  /* (C, H, W) */
  for (int c = 0; c < set->c; c++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        {
          int iy = y0 + y, ix = x0 + x;
          gboolean inside = iy >= 0 && iy < set->h && ix >= 0 && ix < set->w;
          dst[((size_t) c * h + y) * w + x] = inside ? img[((size_t) c * set->h + iy) * set->w + ix] : 0;
        }
}
