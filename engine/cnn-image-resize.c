/* cnn-image-resize.c: an image to the network's input size and channels.
 *
 * Separable: each axis gets a table of source taps and weights, rows are
 * resampled first into float, then columns, then channels are combined
 * and rounded once. Area weights are exact fractions (overlaps counted in
 * units of 1/out pixel), so a 4×4 to 2×2 average is exactly the mean of
 * each 2×2 block. */
#include "cnn-image.h"

#include <math.h>
#include <string.h>

/* Taps of one output pixel along an axis: source pixels first .. first+count-1. */
typedef struct
{
  int    n_out, stride;  /* stride: the most taps of any output pixel */
  int   *first;          /* (n_out) */
  int   *count;          /* (n_out) */
  float *weight;         /* (n_out, stride) */
} AxisMap;

static void
axis_map_clear (AxisMap *m)
{
  g_free (m->first);
  g_free (m->count);
  g_free (m->weight);
}

/* Source pixels start .. start+n_in-1 to n_out pixels. */
static gboolean
axis_map_init (AxisMap *m, int start, int n_in, int n_out)
{
  memset (m, 0, sizeof *m);
  m->n_out = n_out;
  /* shrinking: an output pixel spans n_in/n_out source pixels, touching at
   * most that rounded up, plus one */
  m->stride = n_out <= n_in ? (n_in + n_out - 1) / n_out + 1 : 2;
  m->first = g_try_new (int, n_out);
  m->count = g_try_new (int, n_out);
  m->weight = g_try_new0 (float, (gsize) n_out * m->stride);
  if (m->first == NULL || m->count == NULL || m->weight == NULL)
    {
      axis_map_clear (m);
      return FALSE;
    }
  for (int j = 0; j < n_out; j++)
    {
      float *wt = m->weight + (gsize) j * m->stride;
      if (n_out <= n_in)
        {
          /* in units of 1/n_out source pixel, output j covers
           * [j·n_in, (j+1)·n_in) and source i covers [i·n_out, (i+1)·n_out):
           * the overlaps are whole numbers */
          gint64 lo = (gint64) j * n_in, hi = lo + n_in;
          int i0 = (int) (lo / n_out), i1 = (int) ((hi - 1) / n_out);
          m->first[j] = start + i0;
          m->count[j] = i1 - i0 + 1;
          for (int i = i0; i <= i1; i++)
            {
              gint64 a = MAX (lo, (gint64) i * n_out), b = MIN (hi, (gint64) (i + 1) * n_out);
              wt[i - i0] = (float) ((double) (b - a) / n_in);
            }
        }
      else
        {
          /* half-pixel centers, clamped: edge pixels repeat */
          double src = ((double) j + 0.5) * n_in / n_out - 0.5;
          src = CLAMP (src, 0.0, (double) (n_in - 1));
          int i0 = (int) floor (src);
          double f = src - i0;
          m->first[j] = start + i0;
          if (i0 + 1 < n_in && f > 0)
            {
              m->count[j] = 2;
              wt[0] = (float) (1 - f);
              wt[1] = (float) f;
            }
          else
            {
              m->count[j] = 1;
              wt[0] = 1;
            }
        }
    }
  return TRUE;
}

static guint8
round_byte (float v)
{
  float r = floorf (v + 0.5f);
  return (guint8) CLAMP (r, 0.0f, 255.0f);
}

/* The centered crop box of src with the aspect ratio h:w, as Keras'
 * smart_resize computes it (sizes truncated). */
static void
crop_box (int sh, int sw, int h, int w, int *y0, int *x0, int *ch, int *cw)
{
  gint64 want_h = (gint64) sw * h / w, want_w = (gint64) sh * w / h;
  *ch = (int) CLAMP (want_h, 1, sh);
  *cw = (int) CLAMP (want_w, 1, sw);
  *y0 = (sh - *ch) / 2;
  *x0 = (sw - *cw) / 2;
}

gboolean
cnn_image_resize (const CnnImage *src, int c, int h, int w, CnnFit fit, guint8 *dst)
{
  g_return_val_if_fail (src != NULL && dst != NULL, FALSE);
  g_return_val_if_fail ((c == 1 || c == 3) && (src->c == 1 || src->c == 3), FALSE);
  g_return_val_if_fail (h >= 1 && w >= 1 && h <= CNN_IMAGE_MAX_SIDE && w <= CNN_IMAGE_MAX_SIDE, FALSE);

  int y0 = 0, x0 = 0, ch = src->h, cw = src->w;
  if (fit == CNN_FIT_CROP)
    crop_box (src->h, src->w, h, w, &y0, &x0, &ch, &cw);
  AxisMap mx, my;
  if (!axis_map_init (&mx, x0, cw, w))
    return FALSE;
  if (!axis_map_init (&my, y0, ch, h))
    {
      axis_map_clear (&mx);
      return FALSE;
    }
  float *rows = g_try_new (float, (gsize) ch * w);        /* (ch, w): one plane, rows done */
  float *out = g_try_new (float, (gsize) src->c * h * w);  /* (src->c, h, w) */
  gboolean ok = rows != NULL && out != NULL;
  for (int k = 0; ok && k < src->c; k++)
    {
      const guint8 *plane = src->pixels + (gsize) k * src->h * src->w;
      for (int y = 0; y < ch; y++)
        {
          const guint8 *in = plane + (gsize) (y0 + y) * src->w;
          float *r = rows + (gsize) y * w;
          for (int x = 0; x < w; x++)
            {
              const float *wt = mx.weight + (gsize) x * mx.stride;
              const guint8 *p = in + mx.first[x];
              float s = 0;
              for (int t = 0; t < mx.count[x]; t++)
                s += wt[t] * p[t];
              r[x] = s;
            }
        }
      float *o = out + (gsize) k * h * w;
      for (int y = 0; y < h; y++)
        {
          const float *wt = my.weight + (gsize) y * my.stride;
          const float *r = rows + (gsize) (my.first[y] - y0) * w;
          float *oy = o + (gsize) y * w;
          for (int x = 0; x < w; x++)
            oy[x] = wt[0] * r[x];
          for (int t = 1; t < my.count[y]; t++)
            for (int x = 0; x < w; x++)
              oy[x] += wt[t] * r[(gsize) t * w + x];
        }
    }

  gsize plane = (gsize) h * w;
  for (gsize i = 0; ok && i < plane; i++)
    {
      if (src->c == c)
        for (int k = 0; k < c; k++)
          dst[k * plane + i] = round_byte (out[k * plane + i]);
      else if (c == 1)   /* ITU-R 601 luma */
        dst[i] = round_byte (0.299f * out[i] + 0.587f * out[plane + i] + 0.114f * out[2 * plane + i]);
      else
        dst[i] = dst[plane + i] = dst[2 * plane + i] = round_byte (out[i]);
    }
  g_free (rows);
  g_free (out);
  axis_map_clear (&mx);
  axis_map_clear (&my);
  return ok;
}
