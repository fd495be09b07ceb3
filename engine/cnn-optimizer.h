/* cnn-optimizer.h: the ten optimizers of the lecture, as flat loops over the
 * parameter arena. Defaults follow Keras 2 (documented per optimizer in
 * cnn-optimizer.c and listed by `convscope layers`). */
#pragma once

#include <glib.h>
#include <stddef.h>

G_BEGIN_DECLS

typedef enum
{
  CNN_OPT_SGD,
  CNN_OPT_MOMENTUM,
  CNN_OPT_NESTEROV,
  CNN_OPT_ADAGRAD,
  CNN_OPT_ADADELTA,
  CNN_OPT_RMSPROP,
  CNN_OPT_ADAM,
  CNN_OPT_ADAMAX,
  CNN_OPT_NADAM,
  CNN_OPT_AMSGRAD,
  CNN_OPT_N_KINDS
} CnnOptimizerKind;

typedef struct
{
  CnnOptimizerKind kind;
  double lr;                   /* learning rate */
  double momentum;             /* momentum, nesterov */
  double rho;                  /* adadelta, rmsprop: decay of the running averages */
  double beta1, beta2;         /* adam, adamax, nadam, amsgrad */
  double epsilon;              /* every adaptive method */
  double initial_accumulator;  /* adagrad */
} CnnOptimizerConfig;

typedef struct _CnnOptimizer CnnOptimizer;

/* The names as written on the command line: "sgd", "momentum", "nesterov",
 * "adagrad", "adadelta", "rmsprop", "adam", "adamax", "nadam", "amsgrad". */
const char *cnn_optimizer_kind_name (CnnOptimizerKind kind);

/* Fill cfg with the defaults of the optimizer called `name`. */
gboolean    cnn_optimizer_config_init (CnnOptimizerConfig *cfg, const char *name, GError **error);
/* Set one hyperparameter by name ("lr", "momentum", "rho", "beta1", "beta2",
 * "epsilon", "initial_accumulator"); refuses ones the optimizer does not use
 * and values out of range, with a message naming both. */
gboolean    cnn_optimizer_config_set  (CnnOptimizerConfig *cfg, const char *key, double value,
                                       GError **error);
/* "adam lr=0.001 beta1=0.9 beta2=0.999 epsilon=1e-07": every hyperparameter it uses. */
char       *cnn_optimizer_config_describe (const CnnOptimizerConfig *cfg);

CnnOptimizer *cnn_optimizer_new  (const CnnOptimizerConfig *cfg, size_t n_params);
void          cnn_optimizer_free (CnnOptimizer *opt);
const CnnOptimizerConfig *cnn_optimizer_get_config (const CnnOptimizer *opt);
/* One update of params (n values) from grads. */
void          cnn_optimizer_step (CnnOptimizer *opt, float *params, const float *grads);
/* Steps taken so far (t in Adam's bias correction). */
gint64        cnn_optimizer_get_step_count (const CnnOptimizer *opt);
/* The per-parameter state (moments, accumulators) for checkpoints:
 * n_slots arrays of n_params floats each, contiguous. */
float        *cnn_optimizer_get_state (CnnOptimizer *opt, int *n_slots);
void          cnn_optimizer_set_step_count (CnnOptimizer *opt, gint64 t);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnOptimizer, cnn_optimizer_free)

G_END_DECLS
