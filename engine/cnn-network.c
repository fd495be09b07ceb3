#include "cnn-network.h"

#include <string.h>
#include <unistd.h>

#include "cnn-error.h"
#include "cnn-spec.h"

typedef struct
{
  float  *buf;
  size_t  cap;
} Buffer;

/* How a layer worked with its neighbours in the last training forward, to
 * save passes over memory (see cnn_network_forward). */
typedef struct
{
  gboolean      deferred;   /* its output was not written: its consumer applied
                             * map_of's map to map_of's input instead */
  int           map_of;     /* for a deferred layer and for the consumer: the
                             * batch normalization whose map that is; else -1 */
  CnnChannelMap map;        /* the map this layer handed over (defers_output) */
  double       *stats;      /* (N, C, 2): statistics written for the consumer */
  size_t        stats_cap;  /* in doubles */
  gboolean      gave_stats; /* written in the last forward */
  double       *grad_sums;  /* (N, C, 2): a deferred layer's backward sums, from its consumer */
  size_t        grad_sums_cap;
  gboolean      got_grad_sums;  /* written in the last backward */
} Fusion;

struct _CnnNetwork
{
  char      *spec;
  CnnShape   input;
  int        n_classes;
  int        n_layers;
  CnnLayer  *layers;

  float     *params, *grads, *state;     /* the arenas */
  size_t     n_params, n_state;

  int       *n_consumers;                /* per layer: how many layers read its output */
  Buffer    *outputs;                    /* per layer: owned output memory */
  float    **out;                        /* per layer: (N, out_shape) of the last forward;
                                          * a view layer's is its input's */
  gboolean  *in_place;                   /* per layer: ran in place in the last forward */
  gboolean  *fused;                      /* per layer: a ReLU its producer applied (fuses_relu) */
  int       *consumer;                   /* per layer: the layer that reads it, if only one does */
  Fusion    *fusion;                     /* per layer: maps and statistics handed over */
  Buffer    *douts;                      /* per layer: gradient of its output */
  Buffer     extra;                      /* gradient of a second consumer, before adding */
  int        N;                          /* batch size of the last forward */
  gboolean   training;
  int        last_run;                   /* the forward ran layers 0..last_run */
  const float *forward_input;            /* x of the last forward (the caller's) */
};

static gboolean
setup_layers (CnnNetwork *net, GError **error)
{
  for (int i = 0; i < net->n_layers; i++)
    {
      CnnLayer *l = &net->layers[i];
      for (int j = 0; j < l->n_inputs; j++)
        l->in_shape[j] = l->inputs[j] < 0 ? net->input : net->layers[l->inputs[j]].out_shape;
      GError *local = NULL;
      if (!l->klass->setup (l, &local))
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC, "layer %s (%s): %s",
                       l->name, l->klass->name, local->message);
          g_error_free (local);
          return FALSE;
        }
      if (cnn_shape_size (l->out_shape) == 0)
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                       "layer %s (%s): its output is empty for a %d×%d×%d input; the input is too small",
                       l->name, l->klass->name, l->in_shape[0].c, l->in_shape[0].h, l->in_shape[0].w);
          return FALSE;
        }
    }
  return TRUE;
}

CnnNetwork *
cnn_network_new (const char *spec_text, const char *source, CnnShape input, int n_classes, GError **error)
{
  g_return_val_if_fail (spec_text != NULL, NULL);
  if (input.c < 1 || input.h < 1 || input.w < 1 || n_classes < 1)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "%s: input shape %d×%d×%d with %d classes is not usable",
                   source, input.c, input.h, input.w, n_classes);
      return NULL;
    }
  g_autoptr (CnnNetwork) net = g_new0 (CnnNetwork, 1);
  net->spec = g_strdup (spec_text);
  net->input = input;
  net->n_classes = n_classes;
  net->layers = cnn_spec_parse (spec_text, source, n_classes, &net->n_layers, error);
  if (net->layers == NULL)
    return NULL;
  GError *local = NULL;
  if (!setup_layers (net, &local))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC, "%s: %s", source, local->message);
      g_error_free (local);
      return NULL;
    }

  for (int i = 0; i < net->n_layers; i++)
    {
      net->n_params += net->layers[i].n_params;
      net->n_state += net->layers[i].n_state;
    }
  /* weights, gradients and statistics must fit in memory: a typo such as
   * units=16000000 is a clear error, not an abort inside malloc */
  double bytes = ((double) net->n_params * 2 + net->n_state) * sizeof (float);
  if (bytes > cnn_physical_memory ())
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC,
                   "%s: the model has %.3g parameters, %.1f GiB with their gradients: more than "
                   "this machine's %.1f GiB of memory", source, (double) net->n_params,
                   bytes / 1073741824.0, cnn_physical_memory () / 1073741824.0);
      return NULL;
    }
  net->params = g_new0 (float, MAX (net->n_params, 1));
  net->grads = g_new0 (float, MAX (net->n_params, 1));
  net->state = g_new0 (float, MAX (net->n_state, 1));
  size_t p = 0, s = 0;
  for (int i = 0; i < net->n_layers; i++)
    {
      CnnLayer *l = &net->layers[i];
      l->params = net->params + p;
      l->grads = net->grads + p;
      l->state = net->state + s;
      p += l->n_params;
      s += l->n_state;
    }

  net->n_consumers = g_new0 (int, net->n_layers);
  net->consumer = g_new (int, net->n_layers);
  for (int i = 0; i < net->n_layers; i++)
    for (int j = 0; j < net->layers[i].n_inputs; j++)
      if (net->layers[i].inputs[j] >= 0)
        {
          net->n_consumers[net->layers[i].inputs[j]]++;
          net->consumer[net->layers[i].inputs[j]] = i;
        }
  net->fusion = g_new0 (Fusion, net->n_layers);
  net->outputs = g_new0 (Buffer, net->n_layers);
  net->out = g_new0 (float *, net->n_layers);
  net->in_place = g_new0 (gboolean, net->n_layers);
  net->fused = g_new0 (gboolean, net->n_layers);
  net->douts = g_new0 (Buffer, net->n_layers);
  net->last_run = -1;
  return g_steal_pointer (&net);
}

double
cnn_physical_memory (void)
{
  long pages = sysconf (_SC_PHYS_PAGES), size = sysconf (_SC_PAGESIZE);
  return pages > 0 && size > 0 ? (double) pages * size : 1e18;
}

size_t
cnn_network_get_activation_floats (const CnnNetwork *net)
{
  size_t total = 0;
  for (int i = 0; i < net->n_layers; i++)
    total += cnn_shape_size (net->layers[i].out_shape);
  return total;
}

gboolean
cnn_network_check_batch (const CnnNetwork *net, int batch, int copies, GError **error)
{
  double need = (double) copies * cnn_network_get_activation_floats (net) * batch * sizeof (float);
  if (need > 0.8 * cnn_physical_memory ())
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "a batch of %d needs about %.1f GiB for this model's activations, more than this "
                   "machine's %.1f GiB of memory allow: use a smaller batch size",
                   batch, need / 1073741824.0, cnn_physical_memory () / 1073741824.0);
      return FALSE;
    }
  return TRUE;
}

void
cnn_network_free (CnnNetwork *net)
{
  if (net == NULL)
    return;
  if (net->layers)
    {
      for (int i = 0; i < net->n_layers; i++)
        {
          g_free (net->outputs ? net->outputs[i].buf : NULL);
          g_free (net->douts ? net->douts[i].buf : NULL);
          g_free (net->fusion ? net->fusion[i].stats : NULL);
          g_free (net->fusion ? net->fusion[i].grad_sums : NULL);
        }
      cnn_spec_free_layers (net->layers, net->n_layers);
    }
  g_free (net->outputs);
  g_free (net->out);
  g_free (net->in_place);
  g_free (net->fused);
  g_free (net->consumer);
  g_free (net->fusion);
  g_free (net->douts);
  g_free (net->extra.buf);
  g_free (net->n_consumers);
  g_free (net->params);
  g_free (net->grads);
  g_free (net->state);
  g_free (net->spec);
  g_free (net);
}

void
cnn_network_init_params (CnnNetwork *net, guint64 seed)
{
  CnnRng rng;
  cnn_rng_init (&rng, seed, 0x1a7e);
  memset (net->params, 0, net->n_params * sizeof (float));
  memset (net->state, 0, net->n_state * sizeof (float));
  for (int i = 0; i < net->n_layers; i++)
    if (net->layers[i].klass->init_params)
      net->layers[i].klass->init_params (&net->layers[i], &rng);
}

int
cnn_network_get_n_layers (const CnnNetwork *net)
{
  return net->n_layers;
}

CnnLayer *
cnn_network_get_layer (const CnnNetwork *net, int index)
{
  g_return_val_if_fail (index >= 0 && index < net->n_layers, NULL);
  return &net->layers[index];
}

int
cnn_network_find_layer (const CnnNetwork *net, const char *name)
{
  for (int i = 0; i < net->n_layers; i++)
    if (strcmp (net->layers[i].name, name) == 0)
      return i;
  return -1;
}

CnnShape
cnn_network_get_input_shape (const CnnNetwork *net)
{
  return net->input;
}

CnnShape
cnn_network_get_output_shape (const CnnNetwork *net)
{
  return net->layers[net->n_layers - 1].out_shape;
}

int
cnn_network_get_n_classes (const CnnNetwork *net)
{
  return net->n_classes;
}

const char *
cnn_network_get_spec (const CnnNetwork *net)
{
  return net->spec;
}

size_t
cnn_network_get_n_params (const CnnNetwork *net)
{
  return net->n_params;
}

float *
cnn_network_get_params (CnnNetwork *net)
{
  return net->params;
}

float *
cnn_network_get_grads (CnnNetwork *net)
{
  return net->grads;
}

size_t
cnn_network_get_n_state (const CnnNetwork *net)
{
  return net->n_state;
}

float *
cnn_network_get_state (CnnNetwork *net)
{
  return net->state;
}

void
cnn_network_zero_grads (CnnNetwork *net)
{
  memset (net->grads, 0, net->n_params * sizeof (float));
}

int
cnn_network_get_logits_layer (const CnnNetwork *net)
{
  const CnnLayer *last = &net->layers[net->n_layers - 1];
  if (strcmp (last->klass->name, "softmax") == 0 && last->inputs[0] >= 0)
    return last->inputs[0];
  return net->n_layers - 1;
}

/* An activation overwrites its input in training when nothing else reads
 * that input: it saves a pass over memory per layer. Inference keeps every
 * layer's output, for the views that show them. */
static gboolean
runs_in_place (const CnnNetwork *net, int i, gboolean training)
{
  const CnnLayer *l = &net->layers[i];
  int src = l->inputs[0];
  return training && l->klass->in_place && src >= 0 && net->n_consumers[src] == 1
         && !net->layers[src].klass->backward_reads_output && !net->layers[src].klass->is_view
         && !net->in_place[src];
}

extern const CnnLayerClass cnn_relu_class;

/* A ReLU running in place on the output of the layer just before it, when
 * that layer can apply it itself (batch normalization), is left to that
 * layer: the network skips the ReLU's forward and backward. */
static gboolean
fused_into_producer (const CnnNetwork *net, int i)
{
  const CnnLayer *l = &net->layers[i];
  return net->in_place[i] && l->klass == &cnn_relu_class && l->inputs[0] == i - 1
         && net->layers[i - 1].klass->fuses_relu;
}

/* In training, a batch normalization whose output (after the ReLU it
 * applies, if any) only one layer reads, a layer that can map its input as
 * it reads it (a direct convolution, a pooling), hands that layer its
 * affine map instead of writing the output: the normalized tensor, one of
 * the largest of a step, is neither written nor read back. */
static void
plan_deferral (CnnNetwork *net, int i, int upto)
{
  const CnnLayer *l = &net->layers[i];
  if (!l->klass->defers_output)
    return;
  int top = i + 1 <= upto && net->fused[i + 1] ? i + 1 : i;
  if (top >= upto || net->n_consumers[top] != 1)
    return;
  int j = net->consumer[top];
  const CnnLayer *reader = &net->layers[j];
  if (j > upto || reader->n_inputs != 1 || reader->klass->accepts_map == NULL
      || !reader->klass->accepts_map (reader))
    return;
  for (int k = i; k <= top; k++)
    {
      net->fusion[k].deferred = TRUE;
      net->fusion[k].map_of = i;
    }
  net->fusion[j].map_of = i;
}

/* In training, a layer read only by a batch normalization computes the
 * statistics that one needs while its output is still in the cache. */
static void
plan_stats (CnnNetwork *net, int i, int upto, int N)
{
  const CnnLayer *l = &net->layers[i];
  if (!l->klass->gives_stats || net->n_consumers[i] != 1 || net->consumer[i] > upto)
    return;
  const CnnLayer *reader = &net->layers[net->consumer[i]];
  if (!reader->klass->wants_stats || reader->frozen)
    return;
  Fusion *f = &net->fusion[i];
  size_t n = (size_t) N * l->out_shape.c * 2;
  if (f->stats_cap < n)
    {
      g_free (f->stats);
      f->stats = g_new (double, n);
      f->stats_cap = n;
    }
  f->gave_stats = TRUE;
}

/* in[] of layer i, its input through a map if it applies one */
static void
layer_inputs (const CnnNetwork *net, int i, const float *x, const float **in, CnnPass *pass)
{
  const CnnLayer *l = &net->layers[i];
  for (int j = 0; j < l->n_inputs; j++)
    in[j] = l->inputs[j] < 0 ? x : net->out[l->inputs[j]];
  const Fusion *f = &net->fusion[i];
  pass->in_map = NULL;
  if (f->map_of >= 0 && !f->deferred)
    {
      int src = net->layers[f->map_of].inputs[0];
      in[0] = src < 0 ? x : net->out[src];
      pass->in_map = &net->fusion[f->map_of].map;
    }
}

const float *
cnn_network_forward (CnnNetwork *net, const float *x, int N, gboolean training,
                     CnnRng *rng, CnnPool *pool, int upto)
{
  g_return_val_if_fail (N > 0, NULL);
  if (upto < 0 || upto >= net->n_layers)
    upto = net->n_layers - 1;
  /* decided before running, since a producer must know its ReLU is fused */
  for (int i = 0; i <= upto; i++)
    {
      net->in_place[i] = runs_in_place (net, i, training);
      net->fused[i] = fused_into_producer (net, i);
      Fusion *f = &net->fusion[i];
      f->deferred = f->gave_stats = FALSE;
      f->map_of = -1;
    }
  for (int i = 0; training && i <= upto; i++)
    {
      plan_deferral (net, i, upto);
      plan_stats (net, i, upto, N);
    }
  CnnPass pass = { .N = N, .training = training, .rng = rng, .pool = pool };
  for (int i = 0; i <= upto; i++)
    {
      CnnLayer *l = &net->layers[i];
      const float *in[CNN_MAX_INPUTS];
      layer_inputs (net, i, x, in, &pass);
      float *out = l->klass->is_view || net->in_place[i] ? (float *) in[0]
                   : cnn_scratch_ensure (&net->outputs[i].buf, &net->outputs[i].cap,
                                         (size_t) N * cnn_shape_size (l->out_shape));
      net->out[i] = out;
      if (net->fused[i])
        continue;
      pass.relu_after = i < upto && net->fused[i + 1];
      Fusion *f = &net->fusion[i];
      pass.out_map = f->deferred ? &f->map : NULL;
      pass.out_stats = f->gave_stats ? f->stats : NULL;
      int src = l->inputs[0];
      pass.in_stats = src >= 0 && net->fusion[src].gave_stats ? net->fusion[src].stats : NULL;
      l->klass->forward (l, &pass, in, out);
    }
  net->N = N;
  net->forward_input = x;
  net->training = training;
  net->last_run = upto;
  return net->out[upto];
}

const float *
cnn_network_get_output (const CnnNetwork *net, int index)
{
  g_return_val_if_fail (index >= 0 && index <= net->last_run, NULL);
  g_return_val_if_fail (!net->fusion[index].deferred, NULL);
  return net->out[index];
}

gboolean
cnn_network_output_written (const CnnNetwork *net, int index)
{
  g_return_val_if_fail (index >= 0 && index <= net->last_run, FALSE);
  return !net->fusion[index].deferred;
}

gboolean
cnn_network_got_grad_sums (const CnnNetwork *net, int index)
{
  g_return_val_if_fail (index >= 0 && index < net->n_layers, FALSE);
  return net->fusion[index].got_grad_sums;
}

gboolean
cnn_network_gave_stats (const CnnNetwork *net, int index)
{
  g_return_val_if_fail (index >= 0 && index <= net->last_run, FALSE);
  return net->fusion[index].gave_stats;
}

/* The layer whose gradient buffer holds layer k's output gradient. A view
 * layer's output is its input's bytes; when nothing else reads that input,
 * both gradients share one buffer too, and the view's backward copies
 * nothing. An in-place activation likewise turns its output gradient into
 * its input gradient where it lies, and so does batch normalization in
 * training (grads_in_place): writing over data just read saves fetching
 * another buffer into the cache. */
static int
grad_owner (const CnnNetwork *net, int k)
{
  for (;;)
    {
      const CnnLayer *l = &net->layers[k];
      gboolean alone = l->inputs[0] >= 0 && net->n_consumers[l->inputs[0]] == 1;
      if (!((l->klass->is_view && alone) || net->in_place[k]
            || (l->klass->grads_in_place && net->training && alone)))
        return k;
      k = l->inputs[0];
    }
}

static void
add_into (float *dst, const float *src, size_t n)
{
  for (size_t i = 0; i < n; i++)
    dst[i] += src[i];
}

/* The layer that applied a batch normalization's map computes, while the
 * gradient it writes is in the cache, the sums that normalization's
 * backward would otherwise read the whole gradient once more for. */
static void
ask_grad_sums (CnnNetwork *net, int i, gboolean computes_dx, CnnPass *pass)
{
  const CnnLayer *l = &net->layers[i];
  Fusion *f = &net->fusion[i];
  pass->out_grad_sums = NULL;
  pass->in_grad_sums = f->deferred && f->map_of == i && f->got_grad_sums ? f->grad_sums : NULL;
  if (f->deferred || f->map_of < 0 || !computes_dx || !l->klass->gives_grad_sums)
    return;
  Fusion *bn = &net->fusion[f->map_of];
  size_t n = (size_t) net->N * l->in_shape[0].c * 2;
  if (bn->grad_sums_cap < n)
    {
      g_free (bn->grad_sums);
      bn->grad_sums = g_new (double, n);
      bn->grad_sums_cap = n;
    }
  bn->got_grad_sums = TRUE;
  pass->out_grad_sums = bn->grad_sums;
}

void
cnn_network_backward (CnnNetwork *net, int from, const float *dfrom, float *dx,
                      CnnRng *rng, CnnPool *pool)
{
  g_return_if_fail (from >= 0 && from <= net->last_run);
  const int N = net->N;
  CnnPass pass = { .N = N, .training = net->training, .rng = rng, .pool = pool };
  size_t in_size = (size_t) N * cnn_shape_size (net->input);
  /* which layers' output gradients are complete: a layer's gradient is the
   * sum over its consumers, and consumers come later in the order */
  g_autofree gboolean *written = g_new0 (gboolean, net->n_layers);
  for (int i = 0; i < net->n_layers; i++)
    net->fusion[i].got_grad_sums = FALSE;
  gboolean dx_written = FALSE;

  for (int i = from; i >= 0; i--)
    {
      CnnLayer *l = &net->layers[i];
      const float *dout;
      if (i == from)
        dout = dfrom;
      else if (written[i])
        dout = net->douts[grad_owner (net, i)].buf;
      else
        continue;   /* nothing downstream of this layer reaches `from` */
      if (net->fused[i] && i != from)
        {
          /* the producer's backward masks the gradient, which lies in the
           * buffer both share (in place) */
          written[l->inputs[0]] = TRUE;
          continue;
        }

      const float *in[CNN_MAX_INPUTS];
      float *din[CNN_MAX_INPUTS];
      /* where each input's gradient goes, and whether it must be added */
      float *target[CNN_MAX_INPUTS];
      size_t target_size[CNN_MAX_INPUTS];
      gboolean pending_add[CNN_MAX_INPUTS] = { FALSE };
      for (int j = 0; j < l->n_inputs; j++)
        {
          int src = l->inputs[j];
          target[j] = NULL;
          din[j] = NULL;
          if (src < 0)
            {
              if (dx == NULL)
                continue;
              target[j] = dx;
              target_size[j] = in_size;
              pending_add[j] = dx_written;
              dx_written = TRUE;
            }
          else
            {
              target_size[j] = (size_t) N * cnn_shape_size (net->layers[src].out_shape);
              Buffer *b = &net->douts[grad_owner (net, src)];
              target[j] = cnn_scratch_ensure (&b->buf, &b->cap, target_size[j]);
              pending_add[j] = written[src];
              written[src] = TRUE;
            }
          /* the same source twice in one layer (x + x) also needs adding */
          for (int k = 0; k < j; k++)
            if (l->inputs[k] == src && target[k] != NULL)
              pending_add[j] = TRUE;
          din[j] = pending_add[j] ? NULL : target[j];
        }
      layer_inputs (net, i, net->forward_input, in, &pass);
      pass.skip_param_grads = l->frozen;
      ask_grad_sums (net, i, din[0] != NULL, &pass);
      l->klass->backward (l, &pass, in, net->out[i], dout, din);
      /* an input whose gradient already holds another consumer's share gets
       * this layer's share computed alone into scratch, then added */
      for (int j = 0; j < l->n_inputs; j++)
        {
          if (!pending_add[j])
            continue;
          float *tmp[CNN_MAX_INPUTS] = { NULL };
          tmp[j] = cnn_scratch_ensure (&net->extra.buf, &net->extra.cap, target_size[j]);
          pass.skip_param_grads = TRUE;
          l->klass->backward (l, &pass, in, net->out[i], dout, tmp);
          add_into (target[j], tmp[j], target_size[j]);
        }
    }
}

const float *
cnn_network_get_output_grad (const CnnNetwork *net, int index)
{
  g_return_val_if_fail (index >= 0 && index < net->n_layers, NULL);
  return net->douts[grad_owner (net, index)].buf;
}
