/* Dropout (inverted): in training each value is kept with probability
 * 1 - rate and then scaled by 1 / (1 - rate), so its expectation is the
 * input itself and inference is the identity, with nothing to rescale.
 *
 * The mask is drawn from pass->rng in order, one number per value, so the
 * same seed gives the same mask whatever the thread count. */
#include "cnn-layer.h"

#include <string.h>

#include "cnn-error.h"

enum { HP_RATE, N_HP };

static const CnnHyperSpec dropout_hyper[N_HP] = {
  { "rate", CNN_HYPER_FLOAT, "0.5", 0, 1, NULL,
    "fraction of values set to zero during training, 0 to below 1" },
};

typedef struct
{
  float   *mask;       /* (N, C, H, W): 0 or 1 / (1 - rate), from the last training forward */
  size_t   mask_cap;
  gboolean masked;     /* the last forward applied the mask */
} Dropout;

static gboolean
dropout_setup (CnnLayer *l, GError **error)
{
  if (l->hp[HP_RATE].f >= 1.0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                   "rate must be below 1 (rate=1 would drop every value), not %g", l->hp[HP_RATE].f);
      return FALSE;
    }
  if (l->priv == NULL)
    l->priv = g_new0 (Dropout, 1);
  l->out_shape = l->in_shape[0];
  l->n_params = 0;
  l->n_state = 0;
  return TRUE;
}

static void
dropout_forward (CnnLayer *l, const CnnPass *pass, const float *const *in, float *out)
{
  Dropout *d = l->priv;
  const double rate = l->hp[HP_RATE].f;
  const size_t n = (size_t) pass->N * cnn_shape_size (l->in_shape[0]);
  const float *x = in[0];    /* (N, C, H, W) */

  d->masked = pass->training && rate > 0.0;
  if (!d->masked)
    {
      if (out != x)
        memcpy (out, x, n * sizeof (float));
      return;
    }
  g_assert (pass->rng != NULL);
  float *mask = cnn_scratch_ensure (&d->mask, &d->mask_cap, n);
  /* keep when a uniform 32-bit number is at least rate·2³²: one draw per
   * value, P(keep) = 1 - rate up to 2⁻³² */
  const guint64 threshold = (guint64) (rate * 4294967296.0);
  const float scale = (float) (1.0 / (1.0 - rate));
  for (size_t i = 0; i < n; i++)
    {
      mask[i] = cnn_rng_next_u32 (pass->rng) >= threshold ? scale : 0.0f;
      out[i] = x[i] * mask[i];
    }
}

static void
dropout_backward (CnnLayer *l, const CnnPass *pass, const float *const *in, const float *out,
                  const float *dout, float *const *din)
{
  Dropout *d = l->priv;
  const size_t n = (size_t) pass->N * cnn_shape_size (l->in_shape[0]);
  float *dx = din[0];
  if (dx == NULL)
    return;
  if (!d->masked)
    {
      if (dx != dout)
        memcpy (dx, dout, n * sizeof (float));
      return;
    }
  for (size_t i = 0; i < n; i++)
    dx[i] = dout[i] * d->mask[i];
}

static void
dropout_free (CnnLayer *l)
{
  Dropout *d = l->priv;
  if (d == NULL)
    return;
  g_free (d->mask);
  g_free (d);
}

const CnnLayerClass cnn_dropout_class = {
  .name = "dropout",
  .help = "during training, zero a random fraction `rate` of the values and scale the rest by 1/(1-rate)",
  .hyper = dropout_hyper,
  .n_hyper = N_HP,
  .min_inputs = 1,
  .max_inputs = 1,
  .setup = dropout_setup,
  .forward = dropout_forward,
  .backward = dropout_backward,
  .free_priv = dropout_free,
};
