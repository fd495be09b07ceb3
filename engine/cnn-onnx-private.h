/* cnn-onnx-private.h: what the ONNX importer's files share. */
#pragma once

#include <glib.h>

#include "cnn-layer.h"
#include "onnx.pb-c.h"

G_BEGIN_DECLS

#define ONNX_MAX_DIMS 8
/* In folded shape arithmetic (Shape → Gather → Concat → Reshape), the
 * batch size, which the graph leaves free */
#define ONNX_BATCH G_GINT64_CONSTANT (-0x7ffffffffffff00)

/* A constant: an initializer, a Constant node's value or a folded result. */
typedef struct
{
  int      n_dims;
  gint64   dims[ONNX_MAX_DIMS];
  gboolean is_int;     /* int64 values in i, else floats in f */
  size_t   n;          /* product of dims (1 for a scalar) */
  float   *f;
  gint64  *i;
} OnnxTensor;

void     onnx_tensor_clear   (OnnxTensor *t);
/* Allocate n values with these dims (n_dims ≤ ONNX_MAX_DIMS). */
void     onnx_tensor_alloc   (OnnxTensor *t, int n_dims, const gint64 *dims, gboolean is_int);
/* Decode an initializer or attribute tensor; `dir` is where external data
 * lives (NULL: not allowed). Errors are "WHAT: problem". */
gboolean onnx_tensor_decode  (const Onnx__TensorProto *tp, const char *dir, const char *what,
                              OnnxTensor *out, GError **error);
/* Values as floats / int64 (converted), newly allocated */
float   *onnx_tensor_floats  (const OnnxTensor *t);
char    *onnx_tensor_describe_dims (const OnnxTensor *t);
/* Broadcast t (numpy rules) onto a sample of shape `s` seen as rank 4
 * (N, C, H, W) or rank 2 (N, F = s.c): a newly allocated (C, H, W) array,
 * or NULL when t does not broadcast there (or varies along the batch). */
float   *onnx_tensor_broadcast (const OnnxTensor *t, int rank, CnnShape s);
/* The same onto a rank-4 sample ONNX sees as (N, H, W, C); the result is
 * still (C, H, W) */
float   *onnx_tensor_broadcast_nhwc (const OnnxTensor *t, CnnShape s);

G_END_DECLS

G_BEGIN_DECLS

/* A named value of the graph: a constant, or a tensor computed at run time
 * by a layer (or the network input). */
typedef struct
{
  gboolean   is_const;
  OnnxTensor t;             /* constant */
  int        layer;         /* run time: the producing layer; -1: the network input */
  int        rank;          /* run time: 4 (N, C, H, W) or 2 (N, F) */
  CnnShape   shape;         /* run time: one sample; (F, 1, 1) for rank 2 */
  gboolean   input_affine;  /* the graph input after constants folded into the
                             * standardization: the network input, no layer */
  gboolean   nhwc;          /* rank 4: ONNX sees it as (N, H, W, C), TensorFlow's
                             * order (tf2onnx), while we keep it as (N, C, H, W) */
  gboolean   nhwc_features; /* rank 2: flattened from an nhwc tensor, so ONNX's
                             * feature order is (H, W, C), ours (C, H, W) */
  CnnShape   flat_from;     /* with nhwc_features: the (C, H, W) flattened */
} OnnxValue;

/* A layer to be: one line of the model spec, and its weights */
typedef struct
{
  const char *type;
  char       *hypers;       /* "filters=8 kernel=3" */
  char       *name;
  int         n_inputs;
  int         inputs[CNN_MAX_INPUTS];
  float      *params;       /* n_params, the layer's own layout */
  size_t      n_params;
  float      *state;
  size_t      n_state;
  CnnShape    out;
} OnnxLayer;

typedef struct
{
  const char *path;         /* names the model in messages */
  char       *dir;          /* where external data lives; NULL: nowhere */
  gint64      opset;        /* of the default domain */
  GHashTable *values;       /* name -> OnnxValue* */
  GHashTable *consumers;    /* name -> number of needed nodes reading it */
  GArray     *layers;       /* OnnxLayer */
  GHashTable *names;        /* layer names in use */
  CnnShape    input;        /* the graph input, one sample */
  int         input_rank;
  char       *input_name;
  float      *in_a, *in_b;  /* (C, H, W): network input = a·x + b */
  const Onnx__NodeProto *node;   /* the node being imported, for messages */
} OnnxImporter;

/* "PATH: node “NAME” (OP): MESSAGE" about imp->node */
gboolean          onnx_node_fail   (OnnxImporter *imp, GError **error, const char *format, ...)
                                    G_GNUC_PRINTF (3, 4);
/* Input k of the node: NULL with an error when absent (optional: NULL, no error) */
const OnnxValue  *onnx_input       (OnnxImporter *imp, int k, gboolean optional, GError **error);
/* The same, which must be a run-time tensor / a constant */
const OnnxValue  *onnx_input_tensor (OnnxImporter *imp, int k, GError **error);
const OnnxValue  *onnx_input_const (OnnxImporter *imp, int k, gboolean optional, GError **error);
/* Name output k of the node (takes ownership of v) */
void              onnx_set_output  (OnnxImporter *imp, int k, OnnxValue *v);
/* A new layer reading `inputs` (values): its output value, or NULL with an
 * error. params/state are copied (may be NULL when the layer has none). */
OnnxValue        *onnx_add_layer   (OnnxImporter *imp, const char *type, const char *hypers,
                                    const OnnxValue *const *inputs, int n_inputs,
                                    const float *params, size_t n_params,
                                    const float *state, size_t n_state, GError **error);
OnnxLayer        *onnx_layer_of    (OnnxImporter *imp, const OnnxValue *v);
int               onnx_consumers   (OnnxImporter *imp, const char *name);

/* Attributes. Every op lists the ones it reads; any other is an error. */
const Onnx__AttributeProto *onnx_attr (const Onnx__NodeProto *node, const char *name);
gboolean onnx_attrs_check (OnnxImporter *imp, const char *const *known, GError **error);
gboolean onnx_attr_int    (OnnxImporter *imp, const char *name, gint64 def, gint64 *out, GError **error);
gboolean onnx_attr_float  (OnnxImporter *imp, const char *name, float def, float *out, GError **error);
gboolean onnx_attr_ints   (OnnxImporter *imp, const char *name, gint64 *out, int max, int *n,
                           GError **error);
/* The node's `axes` (at most 8): an attribute before opset `since`, its
 * constant input 1 from then on (as Squeeze and ReduceMean changed). */
gboolean onnx_axes        (OnnxImporter *imp, gint64 since, gint64 *axes, int *n, GError **error);
/* NULL when absent */
char    *onnx_attr_string (OnnxImporter *imp, const char *name, GError **error);

/* A new constant value */
OnnxValue *onnx_const_value (void);
/* Output 0 of the node is `v` (Identity, Dropout, a flatten of a flat tensor) */
void       onnx_alias       (OnnxImporter *imp, const OnnxValue *v);

/* Output 0 of the node is a new layer (see onnx_add_layer) */
gboolean   onnx_output_layer (OnnxImporter *imp, const char *type, const char *hypers,
                              const OnnxValue *const *in, int n_in, const float *params,
                              size_t n_params, const float *state, size_t n_state, GError **error);
/* The same, taking `params` (g_malloc'd; freed on failure too) instead of
 * copying them. */
gboolean   onnx_output_layer_take (OnnxImporter *imp, const char *type, const char *hypers,
                                   const OnnxValue *const *in, int n_in, float *params,
                                   size_t n_params, GError **error);
gboolean   onnx_need_rank    (OnnxImporter *imp, const OnnxValue *x, int rank, GError **error);
/* A scalar constant input k (optional: `def` when absent) */
gboolean   onnx_const_scalar (OnnxImporter *imp, int k, float def, float *out, GError **error);
/* top, left, bottom, right as a padding hyperparameter */
char      *onnx_pads_text    (const int p[4]);

/* Routing and arithmetic (cnn-onnx-plumbing.c) */
gboolean onnx_op_add (OnnxImporter *imp, GError **error);
gboolean onnx_op_concat (OnnxImporter *imp, GError **error);
gboolean onnx_op_div (OnnxImporter *imp, GError **error);
gboolean onnx_op_dropout (OnnxImporter *imp, GError **error);
gboolean onnx_op_flatten (OnnxImporter *imp, GError **error);
gboolean onnx_op_identity (OnnxImporter *imp, GError **error);
gboolean onnx_op_mul (OnnxImporter *imp, GError **error);
gboolean onnx_op_pad (OnnxImporter *imp, GError **error);
gboolean onnx_op_reshape (OnnxImporter *imp, GError **error);
gboolean onnx_op_sub (OnnxImporter *imp, GError **error);
gboolean onnx_op_sum (OnnxImporter *imp, GError **error);

/* Import one node (cnn-onnx-ops.c) */
gboolean onnx_import_node (OnnxImporter *imp, GError **error);

/* Constant folding and shape arithmetic (cnn-onnx-fold.c) */
gboolean onnx_reshape_const        (OnnxImporter *imp, const OnnxValue *x, GError **error);
gboolean onnx_op_constant          (OnnxImporter *imp, GError **error);
gboolean onnx_op_shape             (OnnxImporter *imp, GError **error);
gboolean onnx_op_gather            (OnnxImporter *imp, GError **error);
gboolean onnx_op_unsqueeze         (OnnxImporter *imp, GError **error);
gboolean onnx_op_squeeze           (OnnxImporter *imp, GError **error);
gboolean onnx_op_cast              (OnnxImporter *imp, GError **error);
gboolean onnx_op_transpose         (OnnxImporter *imp, GError **error);
gboolean onnx_op_slice             (OnnxImporter *imp, GError **error);
gboolean onnx_op_constant_of_shape (OnnxImporter *imp, GError **error);

G_END_DECLS
