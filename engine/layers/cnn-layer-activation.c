/* Element-wise activations: relu, leakyrelu, sigmoid, tanh. The four classes
 * share one forward and one backward loop, switched on the kind.
 *
 * The ReLUs take their derivative from the input (x > 0), sigmoid and tanh
 * from their output (y (1 - y), 1 - y²), so backward needs no cache. */
#include "cnn-layer.h"

#include <math.h>

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
  float        alpha;   /* leakyrelu's slope for x <= 0 */
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

static void
forward_block (int begin, int end, int thread, gpointer data)
{
  const ActJob *job = data;
  size_t i0 = (size_t) begin * BLOCK;
  size_t i1 = MIN ((size_t) end * BLOCK, job->n);
  /* restrict: x and y never overlap, which lets the compiler vectorize */
  const float *restrict x = job->x;
  float *restrict y = job->out;

  switch (job->kind)
    {
    case ACT_RELU:
      for (size_t i = i0; i < i1; i++)
        y[i] = x[i] > 0.0f ? x[i] : 0.0f;
      break;
    case ACT_LEAKY:
      for (size_t i = i0; i < i1; i++)
        y[i] = x[i] > 0.0f ? x[i] : job->alpha * x[i];
      break;
    case ACT_SIGMOID:
      /* exp of a negative number only, so large |x| neither overflows nor
       * loses the small side */
      for (size_t i = i0; i < i1; i++)
        {
          if (x[i] >= 0.0f)
            y[i] = 1.0f / (1.0f + expf (-x[i]));
          else
            {
              float e = expf (x[i]);
              y[i] = e / (1.0f + e);
            }
        }
      break;
    case ACT_TANH:
      for (size_t i = i0; i < i1; i++)
        y[i] = tanhf (x[i]);
      break;
    }
}

static void
backward_block (int begin, int end, int thread, gpointer data)
{
  const ActJob *job = data;
  size_t i0 = (size_t) begin * BLOCK;
  size_t i1 = MIN ((size_t) end * BLOCK, job->n);
  const float *restrict x = job->x, *restrict y = job->y, *restrict dy = job->dy;
  float *restrict dx = job->out;

  switch (job->kind)
    {
    case ACT_RELU:
      for (size_t i = i0; i < i1; i++)
        dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
      break;
    case ACT_LEAKY:
      for (size_t i = i0; i < i1; i++)
        dx[i] = x[i] > 0.0f ? dy[i] : job->alpha * dy[i];
      break;
    case ACT_SIGMOID:
      for (size_t i = i0; i < i1; i++)
        dx[i] = dy[i] * y[i] * (1.0f - y[i]);
      break;
    case ACT_TANH:
      for (size_t i = i0; i < i1; i++)
        dx[i] = dy[i] * (1.0f - y[i] * y[i]);
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

#define ACT_CLASS(var, nm, hlp, hyp, nhyp)   \
  const CnnLayerClass var = {                \
    .name = nm,                              \
    .help = hlp,                             \
    .hyper = hyp,                            \
    .n_hyper = nhyp,                         \
    .min_inputs = 1,                         \
    .max_inputs = 1,                         \
    .setup = act_setup,                      \
    .forward = act_forward,                  \
    .backward = act_backward,                \
  }

ACT_CLASS (cnn_relu_class, "relu", "rectified linear unit: max(x, 0)", NULL, 0);
ACT_CLASS (cnn_leakyrelu_class, "leakyrelu", "leaky ReLU: x for x > 0, alpha·x otherwise",
           leaky_hyper, G_N_ELEMENTS (leaky_hyper));
ACT_CLASS (cnn_sigmoid_class, "sigmoid", "logistic function 1 / (1 + e^-x)", NULL, 0);
ACT_CLASS (cnn_tanh_class, "tanh", "hyperbolic tangent", NULL, 0);
