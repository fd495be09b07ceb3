/* Max and average pooling over size×size windows, Keras' MaxPooling2D and
 * AveragePooling2D. Padded cells never win a max and, unless count_pad=yes,
 * are not counted in an average (Keras' behaviour).
 *
 * Maxpool's forward records which input cell won each window, so backward
 * sends each output gradient to that one cell. Every (sample, channel) plane
 * is independent, so planes are split over the threads and results do not
 * depend on the thread count. */
#include "cnn-layer.h"

#include "cnn-simd.h"

#include <immintrin.h>

#include <math.h>
#include <string.h>

#include "cnn-error.h"
#include "cnn-kernels.h"

/* Below this many input values per batch, one thread is faster. */
#define PARALLEL_MIN 16384

enum { HP_SIZE, HP_STRIDE, HP_PADDING, HP_COUNT_PAD, N_HP };

#define SIZE_HYPER \
  { "size", CNN_HYPER_PAIR, "2", 1, 64, NULL, "window size: 2 or height,width" }
#define STRIDE_HYPER \
  { "stride", CNN_HYPER_PAIR, "0", 0, 64, NULL, \
    "step between windows: 2 or height,width; 0 (the default) means the same as size" }
#define PADDING_HYPER \
  { "padding", CNN_HYPER_PADDING, "valid", 0, 63, NULL, \
    "valid (no padding), same (output size = input size / stride), or pixels: 1 or height,width" }

static const CnnHyperSpec maxpool_hyper[] = {
  SIZE_HYPER,
  STRIDE_HYPER,
  PADDING_HYPER,
};

static const CnnHyperSpec avgpool_hyper[] = {
  SIZE_HYPER,
  STRIDE_HYPER,
  PADDING_HYPER,
  { "count_pad", CNN_HYPER_CHOICE, "no", 0, 0, "no|yes",
    "divide by the whole window, padding included (yes), or only by the input cells in it (no, as Keras)" },
};

extern const CnnLayerClass cnn_maxpool_class;

typedef struct
{
  CnnConvGeom g;          /* KH, KW: window; SH, SW: stride; PH, PW: padding before */
  gboolean    is_max;
  gboolean    count_pad;
  int        *argmax;     /* (N, C, HO, WO): winning cell y * W + x in its plane, -1: none */
  size_t      argmax_cap;
  float      *mapped[CNN_MAX_THREADS];   /* (H, W): an input plane through pass->in_map */
  size_t      mapped_cap[CNN_MAX_THREADS];
} Pool;

static gboolean
pool_setup (CnnLayer *l, GError **error)
{
  if (l->priv == NULL)
    l->priv = g_new0 (Pool, 1);
  Pool *p = l->priv;
  CnnShape in = l->in_shape[0];
  CnnConvGeom *g = &p->g;
  const CnnHyperValue *pad = &l->hp[HP_PADDING];

  p->is_max = l->klass == &cnn_maxpool_class;
  p->count_pad = !p->is_max && l->hp[HP_COUNT_PAD].i[0] == 1;
  g->C = in.c;
  g->H = in.h;
  g->W = in.w;
  g->KH = l->hp[HP_SIZE].i[0];
  g->KW = l->hp[HP_SIZE].i[1];
  /* stride 0 stands for "the same as size", Keras' default */
  g->SH = l->hp[HP_STRIDE].i[0] > 0 ? l->hp[HP_STRIDE].i[0] : g->KH;
  g->SW = l->hp[HP_STRIDE].i[1] > 0 ? l->hp[HP_STRIDE].i[1] : g->KW;
  if (pad->mode == CNN_PADDING_EXPLICIT
      && (MAX (pad->i[0], pad->end[0]) >= g->KH || MAX (pad->i[1], pad->end[1]) >= g->KW))
    {
      /* a window could then hold only padding, and have nothing to pool */
      g_autofree char *text = cnn_hyper_format (&l->klass->hyper[HP_PADDING], pad);
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                   "padding %s must be smaller than the window %d×%d", text, g->KH, g->KW);
      return FALSE;
    }
  if (!cnn_window_output (in.h, g->KH, g->SH, pad, 0, &g->HO, &g->PH)
      || !cnn_window_output (in.w, g->KW, g->SW, pad, 1, &g->WO, &g->PW))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_SHAPE,
                   "a %d×%d window does not fit the %d×%d input", g->KH, g->KW, in.h, in.w);
      return FALSE;
    }
  l->out_shape = (CnnShape) { in.c, g->HO, g->WO };
  l->n_params = 0;
  l->n_state = 0;
  return TRUE;
}

typedef struct
{
  Pool        *p;
  const float *x;    /* (N, C, H, W) */
  float       *y;    /* (N, C, HO, WO) */
  const float *dy;   /* (N, C, HO, WO) */
  float       *dx;   /* (N, C, H, W) */
  const CnnChannelMap *map;   /* forward: read x through this, or NULL */
} PoolJob;

/* The input rows [*a, *b) of output row o: the window clipped to the input. */
static inline void
window (int o, int stride, int pad, int k, int size, int *a, int *b)
{
  int start = o * stride - pad;
  *a = MAX (start, 0);
  *b = MIN (start + k, size);
}

/* The lecture's MaxPooling2D(2): 2×2 windows, stride 2, no padding, by
 * far the most common case, without the general loop's window arithmetic.
 * Same rules: the first maximum wins, NaN only shows when nothing beats -inf. */
static void
max2x2_row (const CnnConvGeom *g, int oy, const float *x, float *y, int *arg)
{
  const float *r0 = x + (size_t) 2 * oy * g->W, *r1 = r0 + g->W;   /* (2, W) */
  for (int ox = 0; ox < g->WO; ox++)
    {
      const int i0 = 2 * oy * g->W + 2 * ox;
      const float v[4] = { r0[2 * ox], r0[2 * ox + 1], r1[2 * ox], r1[2 * ox + 1] };
      const int at[4] = { i0, i0 + 1, i0 + g->W, i0 + g->W + 1 };
      float best = -INFINITY;
      int best_i = -1;
      for (int k = 0; k < 4; k++)
        {
          int take = v[k] > best;
          best_i = take ? at[k] : best_i;
          best = take ? v[k] : best;
        }
      if (best_i < 0)
        {
          best_i = i0;
          best = v[0];
        }
      y[oy * g->WO + ox] = best;
      arg[oy * g->WO + ox] = best_i;
    }
}

/* 2×8 input cells -> 8 outputs: compares and blends instead of branches,
 * which random data mispredicts half the time */
__attribute__ ((target ("avx2"))) static inline void
max2x2_eight (const float *r0, const float *r1, int first, int W, float *y, int *arg)
{
  const __m256i lane = _mm256_setr_epi32 (0, 2, 4, 6, 8, 10, 12, 14);
  const __m256i even = _mm256_setr_epi32 (0, 2, 4, 6, 1, 3, 5, 7);
  /* split 16 input columns into the left (even) and right (odd) cells */
  __m256 a0 = _mm256_permutevar8x32_ps (_mm256_loadu_ps (r0), even);
  __m256 a1 = _mm256_permutevar8x32_ps (_mm256_loadu_ps (r0 + 8), even);
  __m256 b0 = _mm256_permutevar8x32_ps (_mm256_loadu_ps (r1), even);
  __m256 b1 = _mm256_permutevar8x32_ps (_mm256_loadu_ps (r1 + 8), even);
  __m256 v[4] = { _mm256_permute2f128_ps (a0, a1, 0x20), _mm256_permute2f128_ps (a0, a1, 0x31),
                  _mm256_permute2f128_ps (b0, b1, 0x20), _mm256_permute2f128_ps (b0, b1, 0x31) };
  const __m256i i0 = _mm256_add_epi32 (_mm256_set1_epi32 (first), lane);
  const __m256i at[4] = { i0, _mm256_add_epi32 (i0, _mm256_set1_epi32 (1)),
                          _mm256_add_epi32 (i0, _mm256_set1_epi32 (W)),
                          _mm256_add_epi32 (i0, _mm256_set1_epi32 (W + 1)) };
  __m256 best = _mm256_set1_ps (-INFINITY);
  __m256i best_i = _mm256_set1_epi32 (-1);
  for (int k = 0; k < 4; k++)
    {
      __m256 take = _mm256_cmp_ps (v[k], best, _CMP_GT_OQ);   /* false for NaN */
      best = _mm256_blendv_ps (best, v[k], take);
      best_i = _mm256_castps_si256 (_mm256_blendv_ps (_mm256_castsi256_ps (best_i),
                                                      _mm256_castsi256_ps (at[k]), take));
    }
  /* nothing beat -inf: the first cell, as in the scalar rule */
  __m256 none = _mm256_castsi256_ps (_mm256_cmpeq_epi32 (best_i, _mm256_set1_epi32 (-1)));
  best = _mm256_blendv_ps (best, v[0], none);
  best_i = _mm256_castps_si256 (_mm256_blendv_ps (_mm256_castsi256_ps (best_i),
                                                  _mm256_castsi256_ps (i0), none));
  _mm256_storeu_ps (y, best);
  _mm256_storeu_si256 ((__m256i *) arg, best_i);
}

/* One output row, eight at a time; the last few go through a small
 * -inf-padded copy, so no load runs past the input */
__attribute__ ((target ("avx2"))) static void
max2x2_row_avx2 (const CnnConvGeom *g, int oy, const float *x, float *y, int *arg)
{
  const float *r0 = x + (size_t) 2 * oy * g->W, *r1 = r0 + g->W;
  float *yrow = y + oy * g->WO;
  int *arow = arg + oy * g->WO;
  int ox = 0;
  for (; ox + 8 <= g->WO; ox += 8)
    max2x2_eight (r0 + 2 * ox, r1 + 2 * ox, 2 * oy * g->W + 2 * ox, g->W, yrow + ox, arow + ox);
  int left = g->WO - ox;
  if (left == 0)
    return;
  float t0[16], t1[16], ty[8];
  int ta[8];
  for (int i = 0; i < 16; i++)
    {
      t0[i] = i < 2 * left ? r0[2 * ox + i] : -INFINITY;
      t1[i] = i < 2 * left ? r1[2 * ox + i] : -INFINITY;
    }
  max2x2_eight (t0, t1, 2 * oy * g->W + 2 * ox, g->W, ty, ta);
  memcpy (yrow + ox, ty, left * sizeof (float));
  memcpy (arow + ox, ta, left * sizeof (int));
}

/* max pooling over 2×2 windows with stride 2 and no padding: the fast path */
static gboolean
is_max2x2 (const Pool *p)
{
  const CnnConvGeom *g = &p->g;
  /* padding at the end (ONNX's ceil_mode) would put windows past the input */
  return p->is_max && g->KH == 2 && g->KW == 2 && g->SH == 2 && g->SW == 2 && g->PH == 0
         && g->PW == 0 && 2 * g->HO <= g->H && 2 * g->WO <= g->W;
}

static void
max2x2_plane (const CnnConvGeom *g, const float *x, float *y, int *arg)
{
  const gboolean avx2 = cnn_cpu_has_avx2_fma ();
  for (int oy = 0; oy < g->HO; oy++)
    if (avx2)
      max2x2_row_avx2 (g, oy, x, y, arg);
    else
      max2x2_row (g, oy, x, y, arg);
}

static void
forward_planes (int begin, int end, int thread, gpointer data)
{
  PoolJob *job = data;
  Pool *p = job->p;
  const CnnConvGeom *g = &p->g;
  const size_t in_plane = (size_t) g->H * g->W, out_plane = (size_t) g->HO * g->WO;
  const gboolean max2x2 = is_max2x2 (p);

  for (int plane = begin; plane < end; plane++)
    {
      const float *x = job->x + plane * in_plane;    /* (H, W) */
      if (job->map)
        {
          /* the plane through the map, into the cache */
          float *mapped = cnn_scratch_ensure (&p->mapped[thread], &p->mapped_cap[thread], in_plane);
          cnn_channel_map_apply (job->map, plane % g->C, x, mapped, in_plane);
          x = mapped;
        }
      if (max2x2)
        {
          max2x2_plane (g, x, job->y + plane * out_plane, p->argmax + plane * out_plane);
          continue;
        }
      float *y = job->y + plane * out_plane;         /* (HO, WO) */
      int *arg = p->is_max ? p->argmax + plane * out_plane : NULL;
      for (int oy = 0; oy < g->HO; oy++)
        {
          int ya, yb;
          window (oy, g->SH, g->PH, g->KH, g->H, &ya, &yb);
          for (int ox = 0; ox < g->WO; ox++)
            {
              int xa, xb;
              window (ox, g->SW, g->PW, g->KW, g->W, &xa, &xb);
              if (p->is_max)
                {
                  /* the first maximum wins ties; written as selects, which
                   * compile without branches (maxss, cmov) */
                  float best = -INFINITY;
                  int best_i = -1;
                  for (int iy = ya; iy < yb; iy++)
                    for (int ix = xa; ix < xb; ix++)
                      {
                        float v = x[iy * g->W + ix];
                        int take = v > best;
                        best_i = take ? iy * g->W + ix : best_i;
                        best = take ? v : best;
                      }
                  if (best_i < 0)
                    {
                      /* nothing beat -inf: all -inf or NaN, which then shows */
                      best_i = ya * g->W + xa;
                      best = x[best_i];
                    }
                  y[oy * g->WO + ox] = best;
                  arg[oy * g->WO + ox] = best_i;
                }
              else
                {
                  float s = 0.0f;
                  for (int iy = ya; iy < yb; iy++)
                    for (int ix = xa; ix < xb; ix++)
                      s += x[iy * g->W + ix];
                  int count = p->count_pad ? g->KH * g->KW : (yb - ya) * (xb - xa);
                  y[oy * g->WO + ox] = count > 0 ? s / (float) count : 0.0f;
                }
            }
        }
    }
}

/* Backward of 2×2 windows with stride 2: each input cell lies in at most
 * one window, so dx is written once, dy at the arg-max and 0 elsewhere,
 * with no zeroing pass first. Cells of an odd last row or column lie in
 * no window and get 0. */
static inline float
grad_if (int arg, int at, float d)
{
  return arg == at ? d : 0.0f;
}

/* 8 windows: their 16 + 16 input cells */
__attribute__ ((target ("avx2"))) static inline void
max2x2_backward_eight (const float *dy, const int *arg, int first, int W, float *r0, float *r1)
{
  const __m256i lane = _mm256_setr_epi32 (0, 2, 4, 6, 8, 10, 12, 14);
  const __m256i i00 = _mm256_add_epi32 (_mm256_set1_epi32 (first), lane);
  const __m256 d = _mm256_loadu_ps (dy);
  const __m256i a = _mm256_loadu_si256 ((const __m256i *) arg);
  __m256 v[4];
  const int offset[4] = { 0, 1, W, W + 1 };
  for (int k = 0; k < 4; k++)
    {
      __m256i at = _mm256_add_epi32 (i00, _mm256_set1_epi32 (offset[k]));
      v[k] = _mm256_and_ps (_mm256_castsi256_ps (_mm256_cmpeq_epi32 (a, at)), d);
    }
  /* interleave left and right cells: (v0[0], v1[0], v0[1], v1[1], …) */
  __m256 lo = _mm256_unpacklo_ps (v[0], v[1]), hi = _mm256_unpackhi_ps (v[0], v[1]);
  _mm256_storeu_ps (r0, _mm256_permute2f128_ps (lo, hi, 0x20));
  _mm256_storeu_ps (r0 + 8, _mm256_permute2f128_ps (lo, hi, 0x31));
  lo = _mm256_unpacklo_ps (v[2], v[3]);
  hi = _mm256_unpackhi_ps (v[2], v[3]);
  _mm256_storeu_ps (r1, _mm256_permute2f128_ps (lo, hi, 0x20));
  _mm256_storeu_ps (r1 + 8, _mm256_permute2f128_ps (lo, hi, 0x31));
}

/* One row of windows, eight at a time; the last few through small copies
 * (arg -1 matches no cell), so nothing is read or written past the row */
__attribute__ ((target ("avx2"))) static int
max2x2_backward_row_avx2 (const CnnConvGeom *g, int oy, const float *dy, const int *arg,
                          float *r0, float *r1)
{
  int ox = 0;
  for (; ox + 8 <= g->WO; ox += 8)
    max2x2_backward_eight (dy + ox, arg + ox, 2 * oy * g->W + 2 * ox, g->W, r0 + 2 * ox,
                           r1 + 2 * ox);
  int left = g->WO - ox;
  if (left == 0)
    return ox;
  float td[8] = { 0 }, t0[16], t1[16];
  int ta[8] = { -1, -1, -1, -1, -1, -1, -1, -1 };
  for (int i = 0; i < left; i++)
    {
      td[i] = dy[ox + i];
      ta[i] = arg[ox + i];
    }
  max2x2_backward_eight (td, ta, 2 * oy * g->W + 2 * ox, g->W, t0, t1);
  for (int i = 0; i < 2 * left; i++)
    {
      r0[2 * ox + i] = t0[i];
      r1[2 * ox + i] = t1[i];
    }
  return g->WO;
}

static void
max2x2_backward_plane (const CnnConvGeom *g, const float *dy, const int *arg, float *dx)
{
  const gboolean avx2 = cnn_cpu_has_avx2_fma ();
  for (int oy = 0; oy < g->HO; oy++)
    {
      float *r0 = dx + (size_t) 2 * oy * g->W, *r1 = r0 + g->W;   /* (W) each */
      const float *dyrow = dy + (size_t) oy * g->WO;
      const int *arow = arg + (size_t) oy * g->WO;
      int ox = avx2 ? max2x2_backward_row_avx2 (g, oy, dyrow, arow, r0, r1) : 0;
      for (; ox < g->WO; ox++)
        {
          int at = 2 * oy * g->W + 2 * ox;
          r0[2 * ox] = grad_if (arow[ox], at, dyrow[ox]);
          r0[2 * ox + 1] = grad_if (arow[ox], at + 1, dyrow[ox]);
          r1[2 * ox] = grad_if (arow[ox], at + g->W, dyrow[ox]);
          r1[2 * ox + 1] = grad_if (arow[ox], at + g->W + 1, dyrow[ox]);
        }
      if (g->W > 2 * g->WO)
        r0[g->W - 1] = r1[g->W - 1] = 0.0f;
    }
  if (g->H > 2 * g->HO)
    memset (dx + (size_t) 2 * g->HO * g->W, 0, (size_t) (g->H - 2 * g->HO) * g->W * sizeof (float));
}

CNN_VECTORIZE static void
backward_planes (int begin, int end, int thread, gpointer data)
{
  PoolJob *job = data;
  const Pool *p = job->p;
  const CnnConvGeom *g = &p->g;
  const size_t in_plane = (size_t) g->H * g->W, out_plane = (size_t) g->HO * g->WO;

  for (int plane = begin; plane < end; plane++)
    {
      float *dx = job->dx + plane * in_plane;          /* (H, W) */
      const float *dy = job->dy + plane * out_plane;   /* (HO, WO) */
      if (is_max2x2 (p))
        {
          max2x2_backward_plane (g, dy, p->argmax + plane * out_plane, dx);
          continue;
        }
      memset (dx, 0, in_plane * sizeof (float));
      if (p->is_max)
        {
          const int *arg = p->argmax + plane * out_plane;
          /* overlapping windows can pick the same cell: add */
          for (size_t o = 0; o < out_plane; o++)
            if (arg[o] >= 0)
              dx[arg[o]] += dy[o];
          continue;
        }
      for (int oy = 0; oy < g->HO; oy++)
        {
          int ya, yb;
          window (oy, g->SH, g->PH, g->KH, g->H, &ya, &yb);
          for (int ox = 0; ox < g->WO; ox++)
            {
              int xa, xb;
              window (ox, g->SW, g->PW, g->KW, g->W, &xa, &xb);
              int count = p->count_pad ? g->KH * g->KW : (yb - ya) * (xb - xa);
              if (count == 0)
                continue;
              float d = dy[oy * g->WO + ox] / (float) count;
              for (int iy = ya; iy < yb; iy++)
                for (int ix = xa; ix < xb; ix++)
                  dx[iy * g->W + ix] += d;
            }
        }
    }
}

static void
pool_window (const CnnLayer *l, CnnConvGeom *geom)
{
  const Pool *p = l->priv;
  *geom = p->g;
}

static CnnPool *
pool_for (const CnnPass *pass, const CnnLayer *l)
{
  return (size_t) pass->N * cnn_shape_size (l->in_shape[0]) >= PARALLEL_MIN ? pass->pool : NULL;
}

static void
pool_forward (CnnLayer *l, const CnnPass *pass, const float *const *in, float *out)
{
  Pool *p = l->priv;
  int planes = pass->N * p->g.C;
  if (p->is_max)
    {
      size_t n = (size_t) planes * p->g.HO * p->g.WO;
      if (p->argmax_cap < n)
        {
          g_free (p->argmax);
          p->argmax = g_new (int, n);
          p->argmax_cap = n;
        }
    }
  PoolJob job = { .p = p, .x = in[0], .y = out, .map = pass->in_map };
  cnn_pool_run (pool_for (pass, l), planes, forward_planes, &job);
}

static void
pool_backward (CnnLayer *l, const CnnPass *pass, const float *const *in, const float *out,
               const float *dout, float *const *din)
{
  Pool *p = l->priv;
  if (din[0] == NULL)
    return;
  PoolJob job = { .p = p, .dy = dout, .dx = din[0] };
  cnn_pool_run (pool_for (pass, l), pass->N * p->g.C, backward_planes, &job);
}

/* backward needs only the arg-max, not the input */
static gboolean
pool_accepts_map (const CnnLayer *l)
{
  return TRUE;
}

static void
pool_free (CnnLayer *l)
{
  Pool *p = l->priv;
  if (p == NULL)
    return;
  g_free (p->argmax);
  for (int t = 0; t < CNN_MAX_THREADS; t++)
    g_free (p->mapped[t]);
  g_free (p);
}

const CnnLayerClass cnn_maxpool_class = {
  .name = "maxpool",
  .help = "largest value of each size×size window (MaxPooling2D)",
  .hyper = maxpool_hyper,
  .n_hyper = G_N_ELEMENTS (maxpool_hyper),
  .min_inputs = 1,
  .max_inputs = 1,
  .setup = pool_setup,
  .window = pool_window,
  .forward = pool_forward,
  .backward = pool_backward,
  .free_priv = pool_free,
  .accepts_map = pool_accepts_map,
};

const CnnLayerClass cnn_avgpool_class = {
  .name = "avgpool",
  .help = "mean of each size×size window (AveragePooling2D)",
  .hyper = avgpool_hyper,
  .n_hyper = G_N_ELEMENTS (avgpool_hyper),
  .min_inputs = 1,
  .max_inputs = 1,
  .setup = pool_setup,
  .window = pool_window,
  .forward = pool_forward,
  .backward = pool_backward,
  .free_priv = pool_free,
  .accepts_map = pool_accepts_map,
};
