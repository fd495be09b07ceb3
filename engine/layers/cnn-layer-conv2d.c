/* Conv2D: any kernel size (rectangular too), stride, padding same/valid/explicit,
 * optional bias. The batch is split over the worker threads, an image per
 * step, through one of three paths chosen at setup:
 *   - Winograd F(2×2, 3×3) (cnn-conv-winograd.c) for the forward pass and the
 *     input gradient of 3×3 stride-1 layers with 16+ channels,
 *   - direct AVX2 kernels (cnn-conv-direct.c) for other stride-1 layers and
 *     every stride-1 weight gradient,
 *   - im2col + OpenBLAS GEMM for strides, 1×1 kernels and CPUs without AVX2.
 * Grouped (depthwise) and dilated convolutions, which ONNX models bring, go
 * through their own path (cnn-conv-general.c), so these three stay as they are. */
#include "cnn-layer.h"

#include <string.h>

#include "cnn-conv-direct.h"
#include "cnn-conv-general.h"
#include "cnn-conv-winograd.h"
#include "cnn-error.h"
#include "cnn-kernels.h"
#include "cnn-simd.h"

enum { HP_FILTERS, HP_KERNEL, HP_STRIDE, HP_PADDING, HP_BIAS, HP_INIT, HP_GROUPS, HP_DILATION, N_HP };

static const CnnHyperSpec conv2d_hyper[N_HP] = {
  { "filters", CNN_HYPER_INT, NULL, 1, 65536, NULL, "number of output channels" },
  { "kernel", CNN_HYPER_PAIR, "3", 1, 64, NULL, "kernel size: 3 or height,width" },
  { "stride", CNN_HYPER_PAIR, "1", 1, 64, NULL, "step between windows: 1 or height,width" },
  { "padding", CNN_HYPER_PADDING, "valid", 0, 64, NULL,
    "same (output size = input size / stride), valid (no padding), or pixels: 1 or height,width" },
  { "bias", CNN_HYPER_CHOICE, "yes", 0, 0, "yes|no", "add a learned bias per filter" },
  { "init", CNN_HYPER_CHOICE, "glorot_uniform", 0, 0, CNN_INIT_CHOICES, "weight initialization" },
  { "groups", CNN_HYPER_INT, "1", 1, 65536, NULL,
    "split channels into groups convolved separately (groups = input channels: depthwise)" },
  { "dilation", CNN_HYPER_PAIR, "1", 1, 64, NULL, "spacing between kernel taps: 1 or height,width" },
};

typedef struct
{
  CnnConvGeom g;
  int         C_out;
  gboolean    has_bias;
  gboolean    direct;                /* AVX2 direct kernels instead of im2col + GEMM */
  gboolean    winograd;              /* … and Winograd F(2×2, 3×3) for forward and input gradient */
  gboolean    general;               /* grouped or dilated: cnn-conv-general.c */
  CnnConvGeneral cg;                 /* its geometry (cg.g is g) */
  float      *U;                     /* (16, C_out, C): transformed filters */
  size_t      U_cap;
  float      *U_flipped;             /* (16, C, C_out): for the input gradient */
  size_t      U_flipped_cap;
  float      *w_flipped;             /* (C, C_out, KH, KW) for the direct input gradient */
  size_t      w_flipped_cap;
  float      *xpad[CNN_MAX_THREADS];     /* (C, Hp, Wp) + slack: the direct path's padded
                                          * input image, in forward and again in backward */
  size_t      xpad_cap[CNN_MAX_THREADS];
  float      *dypad[CNN_MAX_THREADS];    /* an image's dy padded for both gradients */
  size_t      dypad_cap[CNN_MAX_THREADS];
  float      *col[CNN_MAX_THREADS];      /* (K, P) per thread */
  size_t      col_cap[CNN_MAX_THREADS];
  float      *dw[CNN_MAX_THREADS];       /* (C_out, K) + (C_out): per-thread parameter gradient */
  size_t      dw_cap[CNN_MAX_THREADS];
} Conv2d;

static void
conv2d_window (const CnnLayer *l, CnnConvGeom *geom)
{
  const Conv2d *cv = l->priv;
  *geom = cv->g;
  /* a dilated kernel spans (K - 1)·D + 1 pixels */
  geom->KH = (cv->g.KH - 1) * cv->cg.DH + 1;
  geom->KW = (cv->g.KW - 1) * cv->cg.DW + 1;
}

static gboolean
conv2d_setup (CnnLayer *l, GError **error)
{
  Conv2d *cv = g_new0 (Conv2d, 1);
  l->priv = cv;
  CnnShape in = l->in_shape[0];
  CnnConvGeom *g = &cv->g;
  g->C = in.c;
  g->H = in.h;
  g->W = in.w;
  g->KH = l->hp[HP_KERNEL].i[0];
  g->KW = l->hp[HP_KERNEL].i[1];
  g->SH = l->hp[HP_STRIDE].i[0];
  g->SW = l->hp[HP_STRIDE].i[1];
  int groups = l->hp[HP_GROUPS].i[0], DH = l->hp[HP_DILATION].i[0], DW = l->hp[HP_DILATION].i[1];
  int extent_h = (g->KH - 1) * DH + 1, extent_w = (g->KW - 1) * DW + 1;
  if (!cnn_window_output (in.h, extent_h, g->SH, &l->hp[HP_PADDING], 0, &g->HO, &g->PH)
      || !cnn_window_output (in.w, extent_w, g->SW, &l->hp[HP_PADDING], 1, &g->WO, &g->PW))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_SHAPE,
                   "a %d×%d kernel does not fit the %d×%d input", extent_h, extent_w, in.h, in.w);
      return FALSE;
    }
  cv->C_out = l->hp[HP_FILTERS].i[0];
  if (in.c % groups != 0 || cv->C_out % groups != 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_SHAPE,
                   "groups=%d must divide both the %d input channels and the %d filters",
                   groups, in.c, cv->C_out);
      return FALSE;
    }
  cv->general = groups > 1 || DH > 1 || DW > 1;
  cv->cg = (CnnConvGeneral) { .g = *g, .DH = DH, .DW = DW, .groups = groups, .C_out = cv->C_out };
  cv->has_bias = l->hp[HP_BIAS].i[0] == 0;
  /* CONVSCOPE_CONV=gemm forces the portable path, =direct the direct kernels
   * without Winograd (tests compare them) */
  const char *force = g_getenv ("CONVSCOPE_CONV");
  cv->direct = !cv->general && cnn_conv_direct_supported (g) && g_strcmp0 (force, "gemm") != 0;
  cv->winograd = cv->direct && cnn_conv_winograd_supported (g, cv->C_out) && g_strcmp0 (force, "direct") != 0;
  l->out_shape = (CnnShape) { cv->C_out, g->HO, g->WO };
  l->n_params = (size_t) cv->C_out * (g->C / groups) * g->KH * g->KW + (cv->has_bias ? cv->C_out : 0);
  return TRUE;
}

static void
conv2d_init (CnnLayer *l, CnnRng *rng)
{
  Conv2d *cv = l->priv;
  int K = cv->g.C / cv->cg.groups * cv->g.KH * cv->g.KW;
  int area = cv->g.KH * cv->g.KW;
  /* Keras: fan_in = C_in*KH*KW, fan_out = C_out*KH*KW (per group); biases start at 0 */
  cnn_init_weights (l->params, (size_t) cv->C_out * K, l->hp[HP_INIT].i[0],
                    K, cv->C_out * area, rng);
}

typedef struct
{
  CnnLayer      *l;
  const float   *x;      /* (N, C, H, W) */
  float         *y;      /* (N, C_out, HO, WO) */
  const float   *dy;     /* (N, C_out, HO, WO) */
  float         *dx;     /* (N, C, H, W) or NULL */
  const CnnChannelMap *map;   /* read x through this (direct path only) */
  double        *stats;  /* forward: (N, C_out, 2) plane statistics of y, or NULL */
  double        *grad_sums;   /* backward: (N, C, 2) sums of dx for map's batch normalization */
  gboolean       param_grads;
  gboolean       used[CNN_MAX_THREADS];   /* which threads hold a partial dW */
} ConvJob;

/* floats of per-thread scratch for whichever path runs */
static size_t
scratch_size (const Conv2d *cv, int K, int P)
{
  if (!cv->direct)
    return (size_t) K * P;
  size_t n = cnn_conv_direct_scratch_size (&cv->g, cv->C_out);
  if (cv->winograd)
    n = MAX (n, cnn_conv_winograd_scratch_size (&cv->g, cv->C_out));
  return n;
}

static gboolean
is_pointwise (const CnnConvGeom *g)
{
  return g->KH == 1 && g->KW == 1 && g->SH == 1 && g->SW == 1 && g->PH == 0 && g->PW == 0;
}

/* One image of x, through the job's map if it has one, zero-padded into
 * this thread's buffer. Forward pads each image there, and backward pads it
 * again for the weight gradient: cheaper than writing the padded batch to
 * memory and reading it back. */
static float *
padded_input (ConvJob *job, const float *x, int thread)
{
  Conv2d *cv = job->l->priv;
  const CnnConvGeom *g = &cv->g;
  const size_t size = cnn_conv_direct_padded_size (g);
  float *xp = cnn_scratch_ensure (&cv->xpad[thread], &cv->xpad_cap[thread], size + CNN_CONV_DIRECT_SLACK);
  memset (xp + size, 0, CNN_CONV_DIRECT_SLACK * sizeof (float));
  if (job->map)
    cnn_conv_direct_pad_mapped (g, x, job->map, xp);
  else
    cnn_conv_direct_pad (g, x, xp);
  return xp;
}

static void
forward_range (int begin, int end, int thread, gpointer data)
{
  ConvJob *job = data;
  Conv2d *cv = job->l->priv;
  const CnnConvGeom *g = &cv->g;
  const int K = g->C * g->KH * g->KW, P = g->HO * g->WO;
  const float *w = job->l->params;                       /* (C_out, K) */
  const float *bias = w + (size_t) cv->C_out * K;        /* (C_out) */
  size_t need = scratch_size (cv, K, P);
  float *col = is_pointwise (g) ? NULL : cnn_scratch_ensure (&cv->col[thread], &cv->col_cap[thread], need);

  for (int n = begin; n < end; n++)
    {
      const float *x = job->x + (size_t) n * g->C * g->H * g->W;   /* (C, H, W) */
      float *y = job->y + (size_t) n * cv->C_out * P;              /* (C_out, P) */
      if (cv->direct)
        {
          float *xp = padded_input (job, x, thread);
          if (cv->winograd)
            cnn_conv_winograd_forward_padded (g, cv->C_out, xp, cv->U, cv->has_bias ? bias : NULL, y, col);
          else
            cnn_conv_direct_forward_padded (g, cv->C_out, xp, w, cv->has_bias ? bias : NULL, y);
        }
      else
        {
          if (col)
            cnn_im2col (g, x, col);
          cnn_sgemm (FALSE, FALSE, cv->C_out, P, K, 1.0f, w, K, col ? col : x, P, 0.0f, y, P);
          if (cv->has_bias)
            for (int co = 0; co < cv->C_out; co++)
              {
                float b = bias[co];
                float *row = y + (size_t) co * P;
                for (int p = 0; p < P; p++)
                  row[p] += b;
              }
        }
      if (job->stats)
        for (int co = 0; co < cv->C_out; co++)
          cnn_channel_stats_plane (y + (size_t) co * P, P, job->stats + ((size_t) n * cv->C_out + co) * 2);
    }
}

static void add_bias_grad (const float *dy, int C_out, int P, float *db);

/* grouped or dilated: one image a step, like the other paths */
static void
general_forward_range (int begin, int end, int thread, gpointer data)
{
  ConvJob *job = data;
  Conv2d *cv = job->l->priv;
  const CnnConvGeom *g = &cv->g;
  const size_t K = (size_t) g->C / cv->cg.groups * g->KH * g->KW, P = (size_t) g->HO * g->WO;
  const float *w = job->l->params;   /* (C_out, C/groups, KH, KW) then bias (C_out) */
  float *col = cnn_scratch_ensure (&cv->col[thread], &cv->col_cap[thread],
                                   cnn_conv_general_scratch_size (&cv->cg));
  for (int n = begin; n < end; n++)
    {
      float *y = job->y + (size_t) n * cv->C_out * P;
      cnn_conv_general_forward (&cv->cg, job->x + (size_t) n * g->C * g->H * g->W, w,
                                cv->has_bias ? w + cv->C_out * K : NULL, y, col);
      if (job->stats)
        for (int co = 0; co < cv->C_out; co++)
          cnn_channel_stats_plane (y + co * P, P, job->stats + ((size_t) n * cv->C_out + co) * 2);
    }
}

static void
general_backward_range (int begin, int end, int thread, gpointer data)
{
  ConvJob *job = data;
  Conv2d *cv = job->l->priv;
  const CnnConvGeom *g = &cv->g;
  const size_t K = (size_t) g->C / cv->cg.groups * g->KH * g->KW, P = (size_t) g->HO * g->WO;
  float *col = cnn_scratch_ensure (&cv->col[thread], &cv->col_cap[thread],
                                   cnn_conv_general_scratch_size (&cv->cg));
  float *dw = NULL;                  /* (C_out, K) then db (C_out) */
  if (job->param_grads)
    {
      dw = cnn_scratch_ensure (&cv->dw[thread], &cv->dw_cap[thread], job->l->n_params);
      memset (dw, 0, job->l->n_params * sizeof (float));
      job->used[thread] = TRUE;
    }
  for (int n = begin; n < end; n++)
    {
      const float *dy = job->dy + (size_t) n * cv->C_out * P;   /* (C_out, P) */
      cnn_conv_general_backward (&cv->cg, job->x + (size_t) n * g->C * g->H * g->W,
                                 job->l->params, dy, dw,
                                 job->dx ? job->dx + (size_t) n * g->C * g->H * g->W : NULL, col);
      if (dw && cv->has_bias)
        add_bias_grad (dy, cv->C_out, (int) P, dw + cv->C_out * K);
    }
}

static void
conv2d_forward (CnnLayer *l, const CnnPass *pass, const float *const *in, float *out)
{
  Conv2d *cv = l->priv;
  if (cv->general)
    {
      ConvJob job = { .l = l, .x = in[0], .y = out, .stats = pass->out_stats };
      cnn_pool_run (pass->pool, pass->N, general_forward_range, &job);
      return;
    }
  if (cv->direct)
    {
      if (cv->winograd)
        cnn_conv_winograd_weights (&cv->g, cv->C_out, l->params,
                                   cnn_scratch_ensure (&cv->U, &cv->U_cap,
                                                       cnn_conv_winograd_weights_size (&cv->g, cv->C_out)));
    }
  ConvJob job = { .l = l, .x = in[0], .y = out, .map = pass->in_map, .stats = pass->out_stats };
  cnn_pool_run (pass->pool, pass->N, forward_range, &job);
}

/* db (C_out) += the sum of dy (C_out, P) over pixels; eight partial sums
 * so the compiler can use one vector register */
CNN_VECTORIZE static void
add_bias_grad (const float *dy, int C_out, int P, float *db)
{
  for (int co = 0; co < C_out; co++)
    {
      const float *row = dy + (size_t) co * P;
      float s[8] = { 0 };
      int p = 0;
      for (; p + 8 <= P; p += 8)
        for (int j = 0; j < 8; j++)
          s[j] += row[p + j];
      float total = 0.0f;
      for (; p < P; p++)
        total += row[p];
      for (int j = 0; j < 8; j++)
        total += s[j];
      db[co] += total;
    }
}

static void
backward_range (int begin, int end, int thread, gpointer data)
{
  ConvJob *job = data;
  Conv2d *cv = job->l->priv;
  const CnnConvGeom *g = &cv->g;
  const int K = g->C * g->KH * g->KW, P = g->HO * g->WO;
  const float *w = job->l->params;     /* (C_out, K) */
  gboolean pointwise = is_pointwise (g);
  size_t need = scratch_size (cv, K, P);
  float *col = cnn_scratch_ensure (&cv->col[thread], &cv->col_cap[thread], need);
  float *dw = NULL;                    /* (C_out, K) then db (C_out) */
  if (job->param_grads)
    {
      dw = cnn_scratch_ensure (&cv->dw[thread], &cv->dw_cap[thread], job->l->n_params);
      memset (dw, 0, job->l->n_params * sizeof (float));
      job->used[thread] = TRUE;
    }

  for (int n = begin; n < end; n++)
    {
      const float *x = job->x + (size_t) n * g->C * g->H * g->W;    /* (C, H, W) */
      const float *dy = job->dy + (size_t) n * cv->C_out * P;       /* (C_out, P) */
      if (cv->direct)
        {
          float *dx = job->dx ? job->dx + (size_t) n * g->C * g->H * g->W : NULL;
          if (dx && dw && cnn_conv_direct_shares_padded_dy (g))
            {
              /* dy padded once for both gradients */
              float *dyp = cnn_scratch_ensure (&cv->dypad[thread], &cv->dypad_cap[thread],
                                               cnn_conv_direct_padded_dy_size (g, cv->C_out));
              cnn_conv_direct_pad_dy (g, cv->C_out, dy, dyp);
              cnn_conv_direct_backward_weights_padded (g, cv->C_out, padded_input (job, x, thread), dyp, dw);
              if (cv->winograd)
                cnn_conv_winograd_backward_input_padded (g, cv->C_out, dyp, cv->U_flipped, dx, col);
              else
                cnn_conv_direct_backward_input_padded (g, cv->C_out, dyp, cv->w_flipped, dx);
            }
          else
            {
              if (dw)
                cnn_conv_direct_backward_weights (g, cv->C_out, padded_input (job, x, thread), dy, dw, col);
              if (dx && cv->winograd)
                cnn_conv_winograd_backward_input (g, cv->C_out, dy, cv->U_flipped, dx, col);
              else if (dx)
                cnn_conv_direct_backward_input (g, cv->C_out, dy, cv->w_flipped, dx, col);
            }
          if (dx && job->grad_sums)
            for (int c = 0; c < g->C; c++)
              {
                /* while dx and (from the padding) x are in the cache */
                size_t plane = (size_t) g->H * g->W;
                cnn_channel_grad_sums_plane (job->map, c, x + c * plane, dx + c * plane, plane,
                                             job->grad_sums + ((size_t) n * g->C + c) * 2);
              }
          if (dw && cv->has_bias)
            add_bias_grad (dy, cv->C_out, P, dw + (size_t) cv->C_out * K);
          continue;
        }
      if (dw)
        {
          const float *xc = x;
          if (!pointwise)
            {
              cnn_im2col (g, x, col);
              xc = col;
            }
          /* dW (C_out, K) += dy (C_out, P) · colᵀ (P, K) */
          cnn_sgemm (FALSE, TRUE, cv->C_out, K, P, 1.0f, dy, P, xc, P, 1.0f, dw, K);
          if (cv->has_bias)
            add_bias_grad (dy, cv->C_out, P, dw + (size_t) cv->C_out * K);
        }
      if (job->dx)
        {
          float *dx = job->dx + (size_t) n * g->C * g->H * g->W;
          /* dcol (K, P) = Wᵀ (K, C_out) · dy (C_out, P) */
          cnn_sgemm (TRUE, FALSE, K, P, cv->C_out, 1.0f, w, K, dy, P, 0.0f, pointwise ? dx : col, P);
          if (!pointwise)
            cnn_col2im (g, col, dx);
        }
    }
}

static void
conv2d_backward (CnnLayer *l, const CnnPass *pass, const float *const *in, const float *out,
                 const float *dout, float *const *din)
{
  Conv2d *cv = l->priv;
  int threads = MIN (cnn_pool_get_n_threads (pass->pool), CNN_MAX_THREADS);
  ConvJob job = { .l = l, .x = in[0], .dy = dout, .dx = din[0], .map = pass->in_map,
                  .grad_sums = pass->out_grad_sums, .param_grads = !pass->skip_param_grads };
  if (!job.param_grads && job.dx == NULL)
    return;
  if (cv->general)
    cnn_pool_run (pass->pool, pass->N, general_backward_range, &job);
  else if (cv->winograd && job.dx)
    cnn_conv_winograd_weights_flipped (&cv->g, cv->C_out, l->params,
                                       cnn_scratch_ensure (&cv->U_flipped, &cv->U_flipped_cap,
                                                           cnn_conv_winograd_weights_size (&cv->g, cv->C_out)));
  else if (cv->direct && job.dx)
    {
      size_t n = (size_t) cv->C_out * cv->g.C * cv->g.KH * cv->g.KW;
      cnn_conv_direct_flip_weights (&cv->g, cv->C_out, l->params,
                                    cnn_scratch_ensure (&cv->w_flipped, &cv->w_flipped_cap, n));
    }
  if (!cv->general)
    cnn_pool_run (pass->pool, pass->N, backward_range, &job);
  if (!job.param_grads)
    return;
  /* add the threads' partial sums in a fixed order: same result every run */
  for (int t = 0; t < threads; t++)
    {
      if (!job.used[t])
        continue;
      const float *dw = cv->dw[t];
      for (size_t i = 0; i < l->n_params; i++)
        l->grads[i] += dw[i];
    }
}

/* the direct path reads its input only while padding it; the others would
 * need the map in backward too */
static gboolean
conv2d_accepts_map (const CnnLayer *l)
{
  const Conv2d *cv = l->priv;
  return cv->direct;
}

static void
conv2d_free (CnnLayer *l)
{
  Conv2d *cv = l->priv;
  if (cv == NULL)
    return;
  for (int t = 0; t < CNN_MAX_THREADS; t++)
    {
      g_free (cv->col[t]);
      g_free (cv->dw[t]);
      g_free (cv->xpad[t]);
      g_free (cv->dypad[t]);
    }
  g_free (cv->w_flipped);
  g_free (cv->U);
  g_free (cv->U_flipped);
  g_free (cv);
}

const CnnLayerClass cnn_conv2d_class = {
  .name = "conv2d",
  .help = "2-D convolution: filters of kernel size slid over the input",
  .hyper = conv2d_hyper,
  .n_hyper = N_HP,
  .min_inputs = 1,
  .max_inputs = 1,
  .setup = conv2d_setup,
  .window = conv2d_window,
  .init_params = conv2d_init,
  .forward = conv2d_forward,
  .backward = conv2d_backward,
  .free_priv = conv2d_free,
  .gives_stats = TRUE,
  .gives_grad_sums = TRUE,
  .accepts_map = conv2d_accepts_map,
};
