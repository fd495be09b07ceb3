/* Dense (fully connected): out = x Wᵀ + b. A (c, h, w) input is read as a
 * flat vector of c*h*w values, so a Flatten before it is optional. */
#include "cnn-layer.h"

#include <string.h>

#include "cnn-kernels.h"

enum { HP_UNITS, HP_BIAS, HP_INIT, N_HP };

static const CnnHyperSpec dense_hyper[N_HP] = {
  { "units", CNN_HYPER_INT, NULL, 1, 1 << 24, NULL, "number of outputs (`classes` for the class count)" },
  { "bias", CNN_HYPER_CHOICE, "yes", 0, 0, "yes|no", "add a learned bias per unit" },
  { "init", CNN_HYPER_CHOICE, "glorot_uniform", 0, 0, CNN_INIT_CHOICES, "weight initialization" },
};

typedef struct
{
  int      K;          /* inputs */
  int      U;          /* units */
  gboolean has_bias;
} Dense;

static gboolean
dense_setup (CnnLayer *l, GError **error)
{
  Dense *d = g_new0 (Dense, 1);
  l->priv = d;
  d->K = (int) cnn_shape_size (l->in_shape[0]);
  d->U = l->hp[HP_UNITS].i[0];
  d->has_bias = l->hp[HP_BIAS].i[0] == 0;
  l->out_shape = (CnnShape) { d->U, 1, 1 };
  l->n_params = (size_t) d->U * d->K + (d->has_bias ? d->U : 0);
  return TRUE;
}

static void
dense_init (CnnLayer *l, CnnRng *rng)
{
  Dense *d = l->priv;
  cnn_init_weights (l->params, (size_t) d->U * d->K, l->hp[HP_INIT].i[0], d->K, d->U, rng);
}

typedef struct
{
  const Dense *d;
  const float *x;     /* (N, K) */
  const float *w;     /* (U, K) then b (U) */
  float       *y;     /* (N, U) */
  const float *dy;    /* (N, U) */
  float       *dx;    /* (N, K) */
  float       *dw;    /* (U, K) then db (U) */
  int          N;
} DenseJob;

static void
forward_rows (int begin, int end, int thread, gpointer data)
{
  DenseJob *job = data;
  const Dense *d = job->d;
  float *y = job->y + (size_t) begin * d->U;
  /* y[begin:end] (rows, U) = x[begin:end] (rows, K) · Wᵀ (K, U) */
  cnn_sgemm (FALSE, TRUE, end - begin, d->U, d->K, 1.0f, job->x + (size_t) begin * d->K, d->K,
             job->w, d->K, 0.0f, y, d->U);
  if (d->has_bias)
    {
      const float *b = job->w + (size_t) d->U * d->K;
      for (int n = begin; n < end; n++)
        for (int u = 0; u < d->U; u++)
          job->y[(size_t) n * d->U + u] += b[u];
    }
}

static void
dense_forward (CnnLayer *l, const CnnPass *pass, const float *const *in, float *out)
{
  DenseJob job = { .d = l->priv, .x = in[0], .w = l->params, .y = out, .N = pass->N };
  cnn_pool_run (pass->pool, pass->N, forward_rows, &job);
}

/* Weight gradient, split by input columns: each thread owns whole columns
 * of dW and reads only its share of x (splitting by units would make every
 * thread read all of x, 12 MB per step for cnn1); no reduction is needed and
 * the sums run in the same order every time. */
static void
weight_grad_columns (int begin, int end, int thread, gpointer data)
{
  DenseJob *job = data;
  const Dense *d = job->d;
  /* dW[:, begin:end] (U, cols) += dyᵀ (U, N) · x[:, begin:end] (N, cols) */
  cnn_sgemm (TRUE, FALSE, d->U, end - begin, job->N, 1.0f, job->dy, d->U,
             job->x + begin, d->K, 1.0f, job->dw + begin, d->K);
}

static void
bias_grad (const DenseJob *job)
{
  const Dense *d = job->d;
  float *db = job->dw + (size_t) d->U * d->K;   /* (U) */
  for (int u = 0; u < d->U; u++)
    {
      float s = 0.0f;
      for (int n = 0; n < job->N; n++)
        s += job->dy[(size_t) n * d->U + u];
      db[u] += s;
    }
}

static void
input_grad_rows (int begin, int end, int thread, gpointer data)
{
  DenseJob *job = data;
  const Dense *d = job->d;
  /* dx[begin:end] (rows, K) = dy[begin:end] (rows, U) · W (U, K) */
  cnn_sgemm (FALSE, FALSE, end - begin, d->K, d->U, 1.0f, job->dy + (size_t) begin * d->U, d->U,
             job->w, d->K, 0.0f, job->dx + (size_t) begin * d->K, d->K);
}

static void
dense_backward (CnnLayer *l, const CnnPass *pass, const float *const *in, const float *out,
                const float *dout, float *const *din)
{
  Dense *d = l->priv;
  DenseJob job = { .d = d, .x = in[0], .w = l->params, .dy = dout, .dx = din[0],
                   .dw = l->grads, .N = pass->N };
  if (!pass->skip_param_grads)
    {
      cnn_pool_run (pass->pool, d->K, weight_grad_columns, &job);
      if (d->has_bias)
        bias_grad (&job);
    }
  if (din[0])
    cnn_pool_run (pass->pool, pass->N, input_grad_rows, &job);
}

const CnnLayerClass cnn_dense_class = {
  .name = "dense",
  .help = "fully connected layer (flattens its input)",
  .hyper = dense_hyper,
  .n_hyper = N_HP,
  .min_inputs = 1,
  .max_inputs = 1,
  .setup = dense_setup,
  .init_params = dense_init,
  .forward = dense_forward,
  .backward = dense_backward,
};
