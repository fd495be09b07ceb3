#include "cnn-loss.h"

#include <math.h>

double
cnn_loss_softmax_xent (const float *logits, const guint8 *labels, int N, int K,
                       float *dlogits, int *n_correct)
{
  double total = 0.0;
  int correct = 0;
  for (int n = 0; n < N; n++)
    {
      const float *z = logits + (size_t) n * K;   /* (K) */
      int arg = 0;
      for (int k = 1; k < K; k++)
        if (z[k] > z[arg])
          arg = k;
      correct += arg == labels[n];
      /* log-sum-exp around the maximum: no overflow for large scores */
      double zmax = z[arg], sum = 0.0;
      for (int k = 0; k < K; k++)
        sum += exp ((double) z[k] - zmax);
      double log_sum = log (sum) + zmax;
      total += log_sum - z[labels[n]];
      if (dlogits)
        {
          float *dz = dlogits + (size_t) n * K;
          for (int k = 0; k < K; k++)
            dz[k] = (float) ((exp ((double) z[k] - log_sum) - (k == labels[n])) / N);
        }
    }
  if (n_correct)
    *n_correct = correct;
  return total / N;
}

void
cnn_softmax_rows (const float *logits, float *probs, int N, int K)
{
  for (int n = 0; n < N; n++)
    {
      const float *z = logits + (size_t) n * K;
      float *p = probs + (size_t) n * K;
      float zmax = z[0];
      for (int k = 1; k < K; k++)
        zmax = MAX (zmax, z[k]);
      double sum = 0.0;
      for (int k = 0; k < K; k++)
        {
          p[k] = expf (z[k] - zmax);
          sum += p[k];
        }
      for (int k = 0; k < K; k++)
        p[k] = (float) (p[k] / sum);
    }
}
