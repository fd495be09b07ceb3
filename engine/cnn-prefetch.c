/* cnn-prefetch.c: one worker thread, one batch in flight, a mutex and a
 * condition variable. The worker does the whole batch alone: augmenting a
 * 28×28 image takes a few µs, far less than training on it, so it never
 * holds the trainer up, and the pool's threads stay on the network. */
#include "cnn-prefetch.h"

#include "cnn-error.h"

/* images augmented between looks at the quit flag */
#define CHUNK 16

typedef enum
{
  STATE_IDLE,     /* nothing posted, or the last batch was taken */
  STATE_POSTED,   /* a job waits for the worker */
  STATE_BUSY,     /* the worker prepares it */
  STATE_READY,    /* done, not yet taken */
} State;

struct _CnnPrefetch
{
  const CnnImageSet   *set;
  const CnnNormalizer *nz;
  CnnAugment           aug;
  guint64              seed;
  int                  max_batch;
  float               *x[2];        /* (max_batch, c, h, w) each */
  guint8              *labels[2];   /* (max_batch) each */
  GThread             *thread;
  GMutex               mutex;
  GCond                cond;
  /* guarded by mutex */
  State                state;
  gboolean             quit;
  int                  slot;        /* the buffer of the posted batch */
  int                  epoch, count;
  const int           *idx;
};

static void
prepare (CnnPrefetch *pf, int slot, int epoch, const int *idx, int count)
{
  const CnnImageSet *set = pf->set;
  gsize chw = (gsize) set->c * set->h * set->w;
  for (int start = 0; start < count; start += CHUNK)
    {
      /* freeing the prefetcher does not wait for a whole large batch */
      if (g_atomic_int_get (&pf->quit))
        return;
      int n = MIN (CHUNK, count - start);
      float *x = pf->x[slot] + (gsize) start * chw;   /* (n, c, h, w) */
      cnn_augment_gather (&pf->aug, pf->seed, epoch, set, idx + start, n, x);
      cnn_normalizer_apply (pf->nz, x, n);
    }
  for (int k = 0; k < count; k++)
    pf->labels[slot][k] = set->labels[idx[k]];
}

static gpointer
worker_main (gpointer data)
{
  CnnPrefetch *pf = data;
  g_mutex_lock (&pf->mutex);
  for (;;)
    {
      while (pf->state != STATE_POSTED && !pf->quit)
        g_cond_wait (&pf->cond, &pf->mutex);
      if (pf->quit)
        break;
      pf->state = STATE_BUSY;
      int slot = pf->slot, epoch = pf->epoch, count = pf->count;
      const int *idx = pf->idx;
      g_mutex_unlock (&pf->mutex);
      prepare (pf, slot, epoch, idx, count);
      g_mutex_lock (&pf->mutex);
      pf->state = STATE_READY;
      g_cond_broadcast (&pf->cond);
    }
  g_mutex_unlock (&pf->mutex);
  return NULL;
}

CnnPrefetch *
cnn_prefetch_new (const CnnImageSet *set, const CnnNormalizer *nz, const CnnAugment *aug,
                  guint64 seed, int max_batch, GError **error)
{
  g_return_val_if_fail (set != NULL && nz != NULL && aug != NULL && max_batch > 0, NULL);
  g_return_val_if_fail (nz->c == set->c && nz->h == set->h && nz->w == set->w, NULL);
  gsize chw = (gsize) set->c * set->h * set->w;
  CnnPrefetch *pf = g_new0 (CnnPrefetch, 1);
  pf->set = set;
  pf->nz = nz;
  pf->aug = *aug;
  pf->seed = seed;
  pf->max_batch = max_batch;
  g_mutex_init (&pf->mutex);
  g_cond_init (&pf->cond);
  for (int s = 0; s < 2; s++)
    {
      pf->x[s] = chw <= G_MAXSIZE / sizeof (float) / (gsize) max_batch
                   ? g_try_malloc ((gsize) max_batch * chw * sizeof (float)) : NULL;
      pf->labels[s] = g_try_malloc (max_batch);
      if (pf->x[s] == NULL || pf->labels[s] == NULL)
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                       "not enough memory for two batches of %d augmented images: "
                       "use a smaller batch size", max_batch);
          cnn_prefetch_free (pf);
          return NULL;
        }
    }
  GError *local = NULL;
  pf->thread = g_thread_try_new ("cnn-prefetch", worker_main, pf, &local);
  if (pf->thread == NULL)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "cannot start the augmentation thread: %s",
                   local->message);
      g_error_free (local);
      cnn_prefetch_free (pf);
      return NULL;
    }
  return pf;
}

void
cnn_prefetch_free (CnnPrefetch *pf)
{
  if (pf == NULL)
    return;
  if (pf->thread)
    {
      g_mutex_lock (&pf->mutex);
      g_atomic_int_set (&pf->quit, TRUE);
      g_cond_broadcast (&pf->cond);
      g_mutex_unlock (&pf->mutex);
      g_thread_join (pf->thread);
    }
  g_mutex_clear (&pf->mutex);
  g_cond_clear (&pf->cond);
  for (int s = 0; s < 2; s++)
    {
      g_free (pf->x[s]);
      g_free (pf->labels[s]);
    }
  g_free (pf);
}

void
cnn_prefetch_post (CnnPrefetch *pf, int epoch, const int *idx, int count)
{
  g_return_if_fail (pf != NULL && idx != NULL && count > 0 && count <= pf->max_batch);
  g_mutex_lock (&pf->mutex);
  if (pf->state != STATE_IDLE)
    {
      g_mutex_unlock (&pf->mutex);
      g_return_if_reached ();
    }
  pf->slot ^= 1;
  pf->epoch = epoch;
  pf->idx = idx;
  pf->count = count;
  pf->state = STATE_POSTED;
  g_cond_broadcast (&pf->cond);
  g_mutex_unlock (&pf->mutex);
}

const float *
cnn_prefetch_wait (CnnPrefetch *pf, const guint8 **labels)
{
  g_return_val_if_fail (pf != NULL && labels != NULL, NULL);
  g_mutex_lock (&pf->mutex);
  if (pf->state == STATE_IDLE)
    {
      g_mutex_unlock (&pf->mutex);
      g_return_val_if_reached (NULL);
    }
  while (pf->state != STATE_READY)
    g_cond_wait (&pf->cond, &pf->mutex);
  pf->state = STATE_IDLE;
  int slot = pf->slot;
  g_mutex_unlock (&pf->mutex);
  *labels = pf->labels[slot];
  return pf->x[slot];
}
