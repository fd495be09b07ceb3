/* convscope bench --inference: images/s of a forward pass in inference
 * mode at the model's own input size (224×224 for torchvision models), on
 * random inputs, with 1 thread and with all of them. Timed like
 * tools/bench-torch-imported.py times PyTorch: a warm-up pass, then the
 * median of several windows of whole batches. */
#include "cnn-cli.h"

#include <stdio.h>
#include <sys/resource.h>

/* Activations kept for one batch: at most a quarter of the machine's
 * memory and never more than 512 MiB, so a VGG-16 (≈ 110 MiB of activations
 * per 224×224 image) runs in bounded memory beside other programs. */
#define INFERENCE_BUDGET_BYTES (512.0 * 1024 * 1024)
#define INFERENCE_MAX_BATCH 32

static int
choose_batch (const CnnNetwork *net)
{
  double budget = MIN (INFERENCE_BUDGET_BYTES, cnn_physical_memory () / 4);
  double per_image = (double) cnn_network_get_activation_floats (net) * sizeof (float);
  int batch = 1;
  /* a power of two, as people benchmark, that fits the budget */
  while (batch * 2 <= INFERENCE_MAX_BATCH && per_image * batch * 2 <= budget)
    batch *= 2;
  return batch;
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* images/s: the median of `windows` windows of about `seconds` each, whole
 * batches only (one batch of VGG-16 can take seconds by itself) */
static double
measure (CnnNetwork *net, const float *x, int batch, CnnPool *pool, double seconds, int windows)
{
  gint64 t0 = g_get_monotonic_time ();
  cnn_network_forward (net, x, batch, FALSE, NULL, pool, -1);   /* the warm-up: buffers, caches */
  double per_step = (g_get_monotonic_time () - t0) / 1e6;
  if (per_step < seconds / 4)
    {
      /* fast models: calibrate on a few more passes */
      t0 = g_get_monotonic_time ();
      int n = 0;
      while (n < 3 || g_get_monotonic_time () - t0 < 300000)
        {
          cnn_network_forward (net, x, batch, FALSE, NULL, pool, -1);
          n++;
        }
      per_step = (g_get_monotonic_time () - t0) / 1e6 / n;
    }
  int steps = MAX (1, (int) (seconds / MAX (per_step, 1e-6)));
  double rates[64];
  windows = CLAMP (windows, 1, 64);
  for (int w = 0; w < windows; w++)
    {
      gint64 s = g_get_monotonic_time ();
      for (int i = 0; i < steps; i++)
        cnn_network_forward (net, x, batch, FALSE, NULL, pool, -1);
      rates[w] = (double) steps * batch / MAX ((g_get_monotonic_time () - s) / 1e6, 1e-9);
    }
  qsort (rates, windows, sizeof (double), compare_double);
  return rates[windows / 2];
}

static double
peak_rss_mib (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

int
cnn_cli_bench_inference (CnnNetwork *net, const char *model, int batch, int threads, double seconds,
                         int windows, gboolean json)
{
  CnnShape in = cnn_network_get_input_shape (net);
  const gboolean chosen = batch == 0;
  if (chosen)
    batch = choose_batch (net);
  g_autoptr (GError) error = NULL;
  if (!cnn_network_check_batch (net, batch, 1, &error))
    return cnn_cli_fail (error);
  size_t per = cnn_shape_size (in);
  if (per == 0 || per > G_MAXSIZE / sizeof (float) / (size_t) batch)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s: an input of %d×%d×%d is too large", model, in.c,
                                in.h, in.w);
  g_autofree float *x = g_try_new (float, per * batch);
  if (x == NULL)
    return cnn_cli_fail_printf (CNN_EXIT_FAILURE, "%s: out of memory for a batch of %d inputs", model, batch);
  /* images in [0, 1], as an exported graph takes them */
  CnnRng rng;
  cnn_rng_init (&rng, 7, 7);
  for (size_t i = 0; i < per * batch; i++)
    x[i] = cnn_rng_below (&rng, 256) / 255.0f;

  /* 1 thread, then all of them (2 here): how well a pass parallelizes */
  int counts[2] = { 1, threads > 0 ? threads : cnn_pool_default_threads () }, n_counts = 2;
  if (threads > 0)
    {
      counts[0] = threads;
      n_counts = 1;
    }
  else if (counts[1] == 1)
    n_counts = 1;
  double act_mib = (double) cnn_network_get_activation_floats (net) * batch * sizeof (float) / 1048576.0;
  double param_mib = (double) (cnn_network_get_n_params (net) + cnn_network_get_n_state (net)) * sizeof (float)
                     / 1048576.0;
  if (!json)
    printf ("%s: input %d×%d×%d, batch %d%s: activations %.0f MiB, parameters %.0f MiB\n", model, in.c, in.h,
            in.w, batch, chosen ? " (chosen to keep activations under 512 MiB)" : "", act_mib, param_mib);
  for (int t = 0; t < n_counts; t++)
    {
      g_autoptr (CnnPool) pool = cnn_pool_new (counts[t]);
      double rate = measure (net, x, batch, pool, seconds, windows);
      double rss = peak_rss_mib ();
      if (json)
        printf ("{\"model\": \"%s\", \"mode\": \"inference\", \"input\": [%d, %d, %d], \"batch\": %d, "
                "\"threads\": %d, \"infer_img_s\": %.3f, \"windows\": %d, \"activations_mib\": %.1f, "
                "\"peak_rss_mib\": %.1f}\n", model, in.c, in.h, in.w, batch, cnn_pool_get_n_threads (pool),
                rate, windows, act_mib, rss);
      else
        printf ("  %d thread%s: %.2f images/s (median of %d windows), peak RSS %.0f MiB\n",
                cnn_pool_get_n_threads (pool), cnn_pool_get_n_threads (pool) == 1 ? "" : "s", rate, windows,
                rss);
      fflush (stdout);
    }
  return CNN_EXIT_OK;
}
