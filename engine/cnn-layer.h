/* cnn-layer.h: the layer class table and the hyperparameter table that drives
 * the model-spec parser, `convscope layers` and the model panel.
 *
 * Tensors are contiguous NCHW float32. A CnnShape describes one sample
 * (c, h, w); the batch size N is given to forward/backward. Dense-style
 * outputs are (c, 1, 1). */
#pragma once

#include <glib.h>
#include <stddef.h>

#include "cnn-kernels.h"
#include "cnn-pool.h"
#include "cnn-rng.h"

G_BEGIN_DECLS

#define CNN_MAX_INPUTS 8
#define CNN_MAX_HYPER  12

typedef struct
{
  int c, h, w;
} CnnShape;

static inline size_t
cnn_shape_size (CnnShape s)
{
  return (size_t) s.c * s.h * s.w;
}

typedef enum
{
  CNN_HYPER_INT,      /* one integer */
  CNN_HYPER_FLOAT,    /* one number */
  CNN_HYPER_PAIR,     /* "3" or "3,5": height, width */
  CNN_HYPER_CHOICE,   /* one word out of `choices` ("a|b|c"); stored as its index */
  CNN_HYPER_PADDING,  /* "same", "valid", "1", "1,2" or "1,1,2,2" (top, left, bottom, right) */
} CnnHyperType;

typedef enum
{
  CNN_PADDING_EXPLICIT,
  CNN_PADDING_SAME,
  CNN_PADDING_VALID,
} CnnPaddingMode;

typedef struct
{
  const char  *name;
  CnnHyperType type;
  const char  *default_value;   /* parsed like user text; NULL: required */
  double       min, max;        /* allowed range for numbers and pairs */
  const char  *choices;         /* for CNN_HYPER_CHOICE, "a|b|c" */
  const char  *help;
} CnnHyperSpec;

typedef struct
{
  int    i[2];      /* INT: i[0]; PAIR and explicit PADDING: (h, w); CHOICE: index */
  double f;         /* FLOAT */
  int    mode;      /* PADDING: a CnnPaddingMode */
  int    end[2];    /* explicit PADDING: (bottom, right), equal to i[] unless
                     * four numbers were given (ONNX's asymmetric pads) */
} CnnHyperValue;

typedef struct _CnnLayer      CnnLayer;
typedef struct _CnnLayerClass CnnLayerClass;

/* Batch normalization in training hands its CnnChannelMap (cnn-kernels.h)
 * to the one layer that reads its output, which applies it as it reads its
 * input (CnnPass.in_map): the normalized tensor is then never written to
 * memory, nor read back.
 * y (n) = channel c of map applied to x (n); y may be x */
void cnn_channel_map_apply (const CnnChannelMap *map, int c, const float *x, float *y, size_t n);

/* Per image and channel, the sum of a plane's values and the sum of their
 * squared deviations from the plane's mean: (N, C, 2) doubles. A layer
 * computes them while its output is still in the cache (CnnPass.out_stats)
 * for the batch normalization that reads it, which then need not read its
 * input once more; both compute them with cnn_channel_stats_plane, so the
 * numbers are the same either way. */
void cnn_channel_stats_plane (const float *x, size_t n, double stats[2]);
/* sums[0] = Σ dy, sums[1] = Σ dy·(x - mean[c]) over a plane, dy taken as 0
 * where channel c of map gives 0 through its ReLU */
void cnn_channel_grad_sums_plane (const CnnChannelMap *map, int c, const float *x, const float *dy,
                                  size_t n, double sums[2]);

/* What one forward or backward call needs besides the tensors. */
typedef struct
{
  int      N;          /* batch size */
  gboolean training;   /* batch statistics and dropout on */
  CnnRng  *rng;        /* for dropout masks */
  CnnPool *pool;       /* worker threads */
  gboolean skip_param_grads;  /* backward: leave layer->grads alone (frozen) */
  gboolean relu_after;  /* forward: also apply the ReLU that follows (fuses_relu) */
  /* forward and backward: in[0] is the input before this map (accepts_map) */
  const CnnChannelMap *in_map;
  /* forward: fill this map instead of writing `out` (defers_output) */
  CnnChannelMap       *out_map;
  /* forward: also write the output's plane statistics here (gives_stats) */
  double              *out_stats;
  /* forward: the input's plane statistics, computed by its producer */
  const double        *in_stats;
  /* backward, with in_map: also write, per image and input channel, the
   * sums batch normalization's backward takes over its output gradient dy,
   * Σ dy and Σ dy·(x - mean) with dy masked by the map's ReLU
   * (cnn_channel_grad_sums_plane), while the input gradient is in the
   * cache (gives_grad_sums): (N, C, 2) */
  double              *out_grad_sums;
  /* backward: those sums, from the layer that applied this one's map */
  const double        *in_grad_sums;
} CnnPass;

struct _CnnLayerClass
{
  const char         *name;         /* the type as written in specs: "conv2d" */
  const char         *help;
  const CnnHyperSpec *hyper;        /* n_hyper entries */
  int                 n_hyper;
  int                 min_inputs;
  int                 max_inputs;
  /* The output is the input's bytes under another shape (flatten): the
   * network passes the input buffer as `out` instead of copying. */
  gboolean            is_view;
  /* In training the output may overwrite the input (relu): the backward pass
   * then sees in[0] == out and may get din[0] == dout. */
  gboolean            in_place;
  /* backward reads `out` (sigmoid, tanh, softmax): no in-place layer may
   * overwrite this layer's output */
  gboolean            backward_reads_output;
  /* forward can apply a ReLU that follows it (pass->relu_after), and
   * backward then takes dout as the ReLU output's gradient */
  gboolean            fuses_relu;
  /* in training, forward can hand its consumer a CnnChannelMap
   * (pass->out_map) instead of writing its output (batch normalization) */
  gboolean            defers_output;
  /* forward can write its output's plane statistics (pass->out_stats) */
  gboolean            gives_stats;
  /* in training, forward uses its input's plane statistics (pass->in_stats) */
  gboolean            wants_stats;
  /* in training, backward may get din[0] == dout: each input gradient
   * value needs only the output gradient at the same place, and sums taken
   * before any is written (batch normalization) */
  gboolean            grads_in_place;
  /* backward can write the sums of pass->out_grad_sums */
  gboolean            gives_grad_sums;
  /* whether this layer, as set up, can read its input through a map
   * (pass->in_map). NULL: it cannot. */
  gboolean (*accepts_map) (const CnnLayer *layer);

  /* From in_shape[] and hp[], set out_shape, n_params and n_state; check
   * that the inputs fit. Errors are for users (name the layer). */
  gboolean (*setup)       (CnnLayer *layer, GError **error);
  /* Fill params (and state) with their initial values. May be NULL. */
  void     (*init_params) (CnnLayer *layer, CnnRng *rng);
  /* in[i]: (N, in_shape[i]); out: (N, out_shape). */
  void     (*forward)     (CnnLayer *layer, const CnnPass *pass,
                           const float *const *in, float *out);
  /* Given dout (N, out_shape), the forward's in and out, ADD parameter
   * gradients into layer->grads (unless pass->skip_param_grads) and WRITE the input gradients into din[i]
   * (overwriting). din[i] may be NULL when that gradient is not wanted. */
  void     (*backward)    (CnnLayer *layer, const CnnPass *pass,
                           const float *const *in, const float *out,
                           const float *dout, float *const *din);
  /* Layers that slide a window over their input (conv2d, the pools): its
   * geometry, after setup. NULL for the others. Receptive fields use it. */
  void     (*window)      (const CnnLayer *layer, CnnConvGeom *geom);
  /* Release layer->priv. May be NULL (then g_free is used). */
  void     (*free_priv)   (CnnLayer *layer);
};

struct _CnnLayer
{
  const CnnLayerClass *klass;
  char          *name;
  int            n_inputs;
  int            inputs[CNN_MAX_INPUTS];   /* node index; -1: the network input */
  CnnHyperValue  hp[CNN_MAX_HYPER];        /* indexed like klass->hyper */
  gboolean       hp_given[CNN_MAX_HYPER];  /* written in the spec (else default) */
  CnnShape       in_shape[CNN_MAX_INPUTS];
  CnnShape       out_shape;

  size_t         n_params;   /* trainable, in the network's parameter arena */
  float         *params;
  float         *grads;      /* same layout as params */
  size_t         n_state;    /* not trainable (BN running statistics) */
  float         *state;
  gboolean       frozen;     /* parameters are not updated */

  gpointer       priv;       /* per-layer caches, owned by the layer */
};

/* Every layer class, NULL-terminated. */
const CnnLayerClass *const *cnn_layer_classes (void);
const CnnLayerClass        *cnn_layer_class_find (const char *name);

/* Look up a hyperparameter's index by name; -1 when the class has none. */
int       cnn_layer_class_find_hyper (const CnnLayerClass *klass, const char *name);
/* Parse `text` for hyperparameter `index` into `value`. */
gboolean  cnn_hyper_parse   (const CnnHyperSpec *spec, const char *text,
                             CnnHyperValue *value, GError **error);
/* Format a value back into spec text (newly allocated). */
char     *cnn_hyper_format  (const CnnHyperSpec *spec, const CnnHyperValue *value);
/* Human-readable hyperparameter summary of a layer: "filters=8 kernel=3". */
char     *cnn_layer_describe (const CnnLayer *layer);

/* Helpers for layer implementations. */
/* Grow *buf to hold at least `count` floats (contents not kept). */
float    *cnn_scratch_ensure (float **buf, size_t *capacity, size_t count);
/* Output size of a conv/pool along one axis; padding totals in *pad_before. */
gboolean  cnn_window_output  (int in, int kernel, int stride, const CnnHyperValue *padding,
                              int axis, int *out, int *pad_before);

/* Weight initializers (Keras' names). fan_in/fan_out as Keras computes them. */
typedef enum
{
  CNN_INIT_GLOROT_UNIFORM,
  CNN_INIT_GLOROT_NORMAL,
  CNN_INIT_HE_UNIFORM,
  CNN_INIT_HE_NORMAL,
  CNN_INIT_SMALL_NORMAL,    /* N(0, 0.01^2): the lecture's "small random numbers" */
  CNN_INIT_ZEROS,
} CnnInit;

#define CNN_INIT_CHOICES "glorot_uniform|glorot_normal|he_uniform|he_normal|small_normal|zeros"

void cnn_init_weights (float *w, size_t n, CnnInit init, int fan_in, int fan_out, CnnRng *rng);

G_END_DECLS
