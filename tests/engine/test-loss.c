/* Softmax cross-entropy: hand-computed values, stability, gradient. */
#include "cnn-engine.h"

#include <math.h>

static void
test_hand_values (void)
{
  /* scores (1, 2, 3), label 2: loss = ln(e + e² + e³) − 3 = 0.40760596;
   * softmax = (0.09003057, 0.24472847, 0.66524096); gradient = softmax − onehot */
  const float z[3] = { 1, 2, 3 };
  const guint8 y[1] = { 2 };
  float dz[3];
  int correct = 0;
  double loss = cnn_loss_softmax_xent (z, y, 1, 3, dz, &correct);
  g_assert_cmpfloat_with_epsilon (loss, 0.40760596, 1e-7);
  g_assert_cmpfloat_with_epsilon (dz[0], 0.09003057, 1e-7);
  g_assert_cmpfloat_with_epsilon (dz[1], 0.24472847, 1e-7);
  g_assert_cmpfloat_with_epsilon (dz[2], 0.66524096 - 1.0, 1e-7);
  g_assert_cmpint (correct, ==, 1);
}

static void
test_batch_mean (void)
{
  /* two samples: the loss is the mean, the gradient is divided by N */
  const float z[4] = { 0, 0, 2, 0 };
  const guint8 y[2] = { 0, 1 };
  float dz[4];
  int correct = 0;
  double loss = cnn_loss_softmax_xent (z, y, 2, 2, dz, &correct);
  /* ln 2 and ln(1 + e²) = 2.12692801 */
  g_assert_cmpfloat_with_epsilon (loss, (log (2.0) + 2.12692801) / 2, 1e-7);
  g_assert_cmpfloat_with_epsilon (dz[0], (0.5 - 1) / 2, 1e-7);
  g_assert_cmpfloat_with_epsilon (dz[3], (1 / (1 + exp (2.0)) - 1) / 2, 1e-7);
  /* ties go to the first class: sample 0 counts as correct */
  g_assert_cmpint (correct, ==, 1);
}

static void
test_stable_for_large_scores (void)
{
  const float z[2] = { 1000, 0 };
  const guint8 y[1] = { 1 };
  float dz[2];
  double loss = cnn_loss_softmax_xent (z, y, 1, 2, dz, NULL);
  g_assert_cmpfloat_with_epsilon (loss, 1000.0, 1e-9);
  g_assert_true (isfinite (dz[0]) && isfinite (dz[1]));
  g_assert_cmpfloat_with_epsilon (dz[0], 1.0, 1e-7);
}

static void
test_nan_propagates (void)
{
  /* a NaN score must give a NaN loss: that is how divergence is noticed */
  const float z[2] = { NAN, 0 };
  const guint8 y[1] = { 0 };
  g_assert_true (isnan (cnn_loss_softmax_xent (z, y, 1, 2, NULL, NULL)));
}

static void
test_gradient_fd (void)
{
  /* central differences in double of the same function, 1e-6 relative */
  float z[5] = { 0.3f, -1.2f, 2.0f, 0.7f, -0.1f };
  const guint8 y[1] = { 3 };
  float dz[5];
  cnn_loss_softmax_xent (z, y, 1, 5, dz, NULL);
  for (int k = 0; k < 5; k++)
    {
      double h = 1e-3;
      double s_up = 0, s_down = 0;
      for (int j = 0; j < 5; j++)
        {
          double zj = z[j];
          s_up += exp (j == k ? zj + h : zj);
          s_down += exp (j == k ? zj - h : zj);
        }
      double l_up = log (s_up) - (k == 3 ? z[3] + h : z[3]);
      double l_down = log (s_down) - (k == 3 ? z[3] - h : z[3]);
      g_assert_cmpfloat_with_epsilon (dz[k], (l_up - l_down) / (2 * h), 1e-6);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/loss/hand-values", test_hand_values);
  g_test_add_func ("/loss/batch-mean", test_batch_mean);
  g_test_add_func ("/loss/large-scores", test_stable_for_large_scores);
  g_test_add_func ("/loss/nan", test_nan_propagates);
  g_test_add_func ("/loss/gradient", test_gradient_fd);
  return g_test_run ();
}
