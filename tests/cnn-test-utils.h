/* cnn-test-utils.h: helpers shared by the engine tests: random tensors and a
 * finite-difference gradient check for any layer type. */
#pragma once

#include <glib.h>

#include "cnn-layer.h"
#include "cnn-network.h"
#include "cnn-rng.h"

G_BEGIN_DECLS

/* x[i] uniform in [lo, hi). */
void        cnn_test_fill_uniform  (float *x, size_t n, float lo, float hi, CnnRng *rng);
/* x[i] normal with mean 0 and standard deviation `stddev`. */
void        cnn_test_fill_normal   (float *x, size_t n, float stddev, CnnRng *rng);
/* n distinct values in random order: evenly spaced at least `gap` apart,
 * covering at least [-1, 1], none closer than gap/2 to 0. Keeps a
 * finite-difference step below gap/2 clear of ReLU kinks and max-pool ties. */
void        cnn_test_fill_distinct (float *x, size_t n, float gap, CnnRng *rng);

/* max over i of |a[i] - b[i]| / max(1, |a[i]|, |b[i]|); infinity when any
 * value is not finite. */
double      cnn_test_max_rel_diff  (const float *a, const float *b, size_t n);

/* Build a network from spec text and initialize it with `seed`; fails the
 * test when the spec does not build. */
CnnNetwork *cnn_test_network_new   (const char *spec, CnnShape in, guint64 seed);

/* Check the last layer of the network built from `spec` (input shape `in`):
 * it gets n_inputs random arrays (N, its in_shape[i]) and the loss
 * L = Σ out·r for a fixed random r. Its backward's input and parameter
 * gradients are compared with central differences of L (step 1e-2,
 * L summed in double), and the test fails when
 *   max |analytic - numeric| / max(1, |analytic|, |numeric|) >= tol.
 * Also checks the backward contract: input gradients are overwritten,
 * parameter gradients are added, skip_param_grads leaves them alone, a NULL
 * din[i] is skipped, and a 2-thread pool gives the same results (to 1e-5).
 * Parameters and state are randomized first (state to [0.5, 1.5), positive so
 * that it is a valid running variance). Returns the largest error found. */
double      cnn_test_gradcheck     (const char *spec, CnnShape in, int n_inputs, int N,
                                    gboolean training, double tol);

G_END_DECLS
