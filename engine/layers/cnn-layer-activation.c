/* Element-wise activations: relu, leakyrelu, sigmoid, tanh. The four classes
 * share their forward and backward functions, which switch on the kind.
 *
 * The ReLUs take their derivative from the input (slope 1 for x > 0, so 0 at
 * x = 0), sigmoid and tanh from their output (y (1 - y), 1 - y²), so
 * backward needs no cache. relu computes x · 0 for x <= 0, which is -0.0
 * for negative x (equal to 0) and keeps a NaN a NaN. */
#include "cnn-layer.h"

#include "cnn-simd.h"

#include <math.h>
#include <string.h>

/* Elements per parallel block; below PARALLEL_MIN elements one thread is
 * faster than waking the others. The split changes nothing in the results:
 * every element is computed on its own. */
#define BLOCK        8192
#define PARALLEL_MIN 32768

typedef enum
{
  ACT_RELU,
  ACT_LEAKY,
  ACT_SIGMOID,
  ACT_TANH,
} ActKind;

typedef struct
{
  ActKind      kind;
  float        alpha;   /* the slope for x <= 0: leakyrelu's alpha, 0 for relu */
  size_t       n;       /* N * c * h * w */
  const float *x;       /* (N, C, H, W) */
  const float *y;       /* (N, C, H, W) */
  const float *dy;      /* (N, C, H, W) */
  float       *out;     /* forward: y; backward: dx */
} ActJob;

extern const CnnLayerClass cnn_relu_class;
extern const CnnLayerClass cnn_leakyrelu_class;
extern const CnnLayerClass cnn_sigmoid_class;
extern const CnnLayerClass cnn_tanh_class;

static ActKind
kind_of (const CnnLayer *l)
{
  if (l->klass == &cnn_leakyrelu_class)
    return ACT_LEAKY;
  if (l->klass == &cnn_sigmoid_class)
    return ACT_SIGMOID;
  if (l->klass == &cnn_tanh_class)
    return ACT_TANH;
  return ACT_RELU;
}

static gboolean
act_setup (CnnLayer *l, GError **error)
{
  l->out_shape = l->in_shape[0];
  l->n_params = 0;
  l->n_state = 0;
  return TRUE;
}

/* The loops, one function each, with restrict parameters (x and y never
 * overlap) so that the compiler may vectorize them. */

/* 1 for x > 0, alpha (0 for relu) otherwise, chosen with a bit mask: GCC
 * compiles a ?: between floats, or even [x > 0]·(1 - alpha) + alpha, into a
 * branch, which random signs mispredict half the time. */
static inline guint32
bits_of (float f)
{
  guint32 b;
  memcpy (&b, &f, sizeof b);
  return b;
}

static inline float
slope (float x, guint32 one_bits, guint32 alpha_bits)
{
  guint32 keep = -(guint32) (x > 0.0f);    /* all ones or all zeros */
  guint32 bits = (one_bits & keep) | (alpha_bits & ~keep);
  float s;
  memcpy (&s, &bits, sizeof s);
  return s;
}

/* y = x · slope: a NaN stays NaN */
static void
leaky_forward (const float *restrict x, float *restrict y, size_t n, float alpha)
{
  const guint32 one_bits = bits_of (1.0f), alpha_bits = bits_of (alpha);
  for (size_t i = 0; i < n; i++)
    y[i] = x[i] * slope (x[i], one_bits, alpha_bits);
}

static void
leaky_backward (const float *restrict x, const float *restrict dy, float *restrict dx, size_t n,
                float alpha)
{
  const guint32 one_bits = bits_of (1.0f), alpha_bits = bits_of (alpha);
  for (size_t i = 0; i < n; i++)
    dx[i] = dy[i] * slope (x[i], one_bits, alpha_bits);
}

/* The same in place, where the network lets the activation overwrite its
 * input (training, see cnn_network_forward): y holds x's signs, so it can
 * stand in for x. Two buffers each, never overlapping, so restrict holds. */
static void
leaky_forward_in_place (float *restrict y, size_t n, float alpha)
{
  const guint32 one_bits = bits_of (1.0f), alpha_bits = bits_of (alpha);
  for (size_t i = 0; i < n; i++)
    y[i] *= slope (y[i], one_bits, alpha_bits);
}

static void
leaky_backward_in_place (const float *restrict y, float *restrict d, size_t n, float alpha)
{
  const guint32 one_bits = bits_of (1.0f), alpha_bits = bits_of (alpha);
  for (size_t i = 0; i < n; i++)
    d[i] *= slope (y[i], one_bits, alpha_bits);
}

/* exp of -|x| only, so large |x| neither overflows nor loses the small
 * side: 1 / (1 + e) for x >= 0, e / (1 + e) below */
static void
sigmoid_forward (const float *restrict x, float *restrict y, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      float e = expf (-fabsf (x[i]));
      y[i] = (x[i] >= 0.0f ? 1.0f : e) / (1.0f + e);
    }
}

static void
sigmoid_backward (const float *restrict y, const float *restrict dy, float *restrict dx, size_t n)
{
  for (size_t i = 0; i < n; i++)
    dx[i] = dy[i] * y[i] * (1.0f - y[i]);
}

static void
tanh_forward (const float *restrict x, float *restrict y, size_t n)
{
  for (size_t i = 0; i < n; i++)
    y[i] = tanhf (x[i]);
}

static void
tanh_backward (const float *restrict y, const float *restrict dy, float *restrict dx, size_t n)
{
  for (size_t i = 0; i < n; i++)
    dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}

/* Blocks [begin, end) of BLOCK values. */
CNN_VECTORIZE static void
forward_block (int begin, int end, int thread, gpointer data)
{
  const ActJob *job = data;
  size_t i0 = (size_t) begin * BLOCK;
  size_t n = MIN ((size_t) end * BLOCK, job->n) - i0;
  const float *x = job->x + i0;
  float *y = job->out + i0;

  switch (job->kind)
    {
    case ACT_RELU:
    case ACT_LEAKY:
      if (x == y)
        leaky_forward_in_place (y, n, job->alpha);
      else
        leaky_forward (x, y, n, job->alpha);
      break;
    case ACT_SIGMOID:
      sigmoid_forward (x, y, n);
      break;
    case ACT_TANH:
      tanh_forward (x, y, n);
      break;
    }
}

CNN_VECTORIZE static void
backward_block (int begin, int end, int thread, gpointer data)
{
  const ActJob *job = data;
  size_t i0 = (size_t) begin * BLOCK;
  size_t n = MIN ((size_t) end * BLOCK, job->n) - i0;
  const float *dy = job->dy + i0;
  float *dx = job->out + i0;

  switch (job->kind)
    {
    case ACT_RELU:
    case ACT_LEAKY:
      if (dy == dx)
        leaky_backward_in_place (job->x + i0, dx, n, job->alpha);
      else
        leaky_backward (job->x + i0, dy, dx, n, job->alpha);
      break;
    case ACT_SIGMOID:
      sigmoid_backward (job->y + i0, dy, dx, n);
      break;
    case ACT_TANH:
      tanh_backward (job->y + i0, dy, dx, n);
      break;
    }
}

static void
run_blocks (const CnnPass *pass, ActJob *job, CnnRangeFunc func)
{
  int n_blocks = (int) ((job->n + BLOCK - 1) / BLOCK);
  cnn_pool_run (job->n >= PARALLEL_MIN ? pass->pool : NULL, n_blocks, func, job);
}

static void
act_forward (CnnLayer *l, const CnnPass *pass, const float *const *in, float *out)
{
  ActJob job = {
    .kind = kind_of (l),
    .alpha = l->klass->n_hyper > 0 ? (float) l->hp[0].f : 0.0f,
    .n = (size_t) pass->N * cnn_shape_size (l->in_shape[0]),
    .x = in[0],
    .out = out,
  };
  run_blocks (pass, &job, forward_block);
}

static void
act_backward (CnnLayer *l, const CnnPass *pass, const float *const *in, const float *out,
              const float *dout, float *const *din)
{
  if (din[0] == NULL)
    return;
  ActJob job = {
    .kind = kind_of (l),
    .alpha = l->klass->n_hyper > 0 ? (float) l->hp[0].f : 0.0f,
    .n = (size_t) pass->N * cnn_shape_size (l->in_shape[0]),
    .x = in[0],
    .y = out,
    .dy = dout,
    .out = din[0],
  };
  run_blocks (pass, &job, backward_block);
}

static const CnnHyperSpec leaky_hyper[] = {
  { "alpha", CNN_HYPER_FLOAT, "0.3", 0, 1, NULL, "slope for negative inputs (Keras' default 0.3)" },
};

/* relu and leakyrelu may run in place (their backward needs only signs,
 * which the output keeps); sigmoid and tanh differentiate their output */
#define ACT_CLASS(var, nm, hlp, hyp, nhyp, inplace) \
  const CnnLayerClass var = {                \
    .name = nm,                              \
    .help = hlp,                             \
    .hyper = hyp,                            \
    .n_hyper = nhyp,                         \
    .min_inputs = 1,                         \
    .max_inputs = 1,                         \
    .in_place = inplace,                     \
    .backward_reads_output = !inplace,       \
    .setup = act_setup,                      \
    .forward = act_forward,                  \
    .backward = act_backward,                \
  }

ACT_CLASS (cnn_relu_class, "relu", "rectified linear unit: max(x, 0)", NULL, 0, TRUE);
ACT_CLASS (cnn_leakyrelu_class, "leakyrelu", "leaky ReLU: x for x > 0, alpha·x otherwise",
           leaky_hyper, G_N_ELEMENTS (leaky_hyper), TRUE);
ACT_CLASS (cnn_sigmoid_class, "sigmoid", "logistic function 1 / (1 + e^-x)", NULL, 0, FALSE);
ACT_CLASS (cnn_tanh_class, "tanh", "hyperbolic tangent", NULL, 0, FALSE);
