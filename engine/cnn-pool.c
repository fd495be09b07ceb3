#include "cnn-pool.h"

#include <cblas.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <unistd.h>

/* Workers spin briefly before sleeping: a training step runs dozens of short
 * parallel loops, and waking a sleeping thread costs more than most of them. */
#define SPIN_ROUNDS 20000

typedef struct
{
  CnnPool *pool;
  int      index;
  pthread_t thread;
} Worker;

struct _CnnPool
{
  int             n_threads;
  Worker         *workers;          /* n_threads - 1 of them */
  pthread_mutex_t mutex;
  pthread_cond_t  wake;
  pthread_cond_t  done;
  atomic_uint     generation;       /* bumped for each job */
  atomic_int      pending;          /* workers still busy with the job */
  atomic_bool     quit;
  /* the current job */
  CnnRangeFunc    func;
  gpointer        data;
  int             n;
};

static void
run_share (CnnPool *pool, int thread)
{
  int n = pool->n, t = pool->n_threads;
  int begin = (int) ((long) n * thread / t);
  int end = (int) ((long) n * (thread + 1) / t);
  if (begin < end)
    pool->func (begin, end, thread, pool->data);
}

static void *
worker_main (void *p)
{
  Worker *w = p;
  CnnPool *pool = w->pool;
  unsigned seen = 0;

  for (;;)
    {
      unsigned gen;
      int spins = 0;
      while ((gen = atomic_load_explicit (&pool->generation, memory_order_acquire)) == seen
             && !atomic_load (&pool->quit) && spins < SPIN_ROUNDS)
        spins++;
      if (gen == seen && !atomic_load (&pool->quit))
        {
          pthread_mutex_lock (&pool->mutex);
          while ((gen = atomic_load (&pool->generation)) == seen && !atomic_load (&pool->quit))
            pthread_cond_wait (&pool->wake, &pool->mutex);
          pthread_mutex_unlock (&pool->mutex);
        }
      if (atomic_load (&pool->quit))
        return NULL;
      seen = gen;
      run_share (pool, w->index);
      if (atomic_fetch_sub_explicit (&pool->pending, 1, memory_order_acq_rel) == 1)
        {
          pthread_mutex_lock (&pool->mutex);
          pthread_cond_signal (&pool->done);
          pthread_mutex_unlock (&pool->mutex);
        }
    }
}

int
cnn_pool_default_threads (void)
{
  long n = sysconf (_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : (int) MIN (n, CNN_MAX_THREADS);
}

CnnPool *
cnn_pool_new (int n_threads)
{
  CnnPool *pool = g_new0 (CnnPool, 1);
  if (n_threads < 1)
    n_threads = cnn_pool_default_threads ();
  n_threads = MIN (n_threads, CNN_MAX_THREADS);
  /* the pool is the only source of parallelism: OpenBLAS must not add its
   * own threads on top (oversubscribing 2 cores costs up to 3x here) */
  openblas_set_num_threads (1);
  pool->n_threads = n_threads;
  pthread_mutex_init (&pool->mutex, NULL);
  pthread_cond_init (&pool->wake, NULL);
  pthread_cond_init (&pool->done, NULL);
  atomic_init (&pool->generation, 0);
  atomic_init (&pool->pending, 0);
  atomic_init (&pool->quit, false);
  pool->workers = g_new0 (Worker, n_threads);
  for (int i = 1; i < n_threads; i++)
    {
      pool->workers[i].pool = pool;
      pool->workers[i].index = i;
      pthread_create (&pool->workers[i].thread, NULL, worker_main, &pool->workers[i]);
    }
  return pool;
}

void
cnn_pool_free (CnnPool *pool)
{
  if (pool == NULL)
    return;
  pthread_mutex_lock (&pool->mutex);
  atomic_store (&pool->quit, true);
  pthread_cond_broadcast (&pool->wake);
  pthread_mutex_unlock (&pool->mutex);
  for (int i = 1; i < pool->n_threads; i++)
    pthread_join (pool->workers[i].thread, NULL);
  pthread_mutex_destroy (&pool->mutex);
  pthread_cond_destroy (&pool->wake);
  pthread_cond_destroy (&pool->done);
  g_free (pool->workers);
  g_free (pool);
}

int
cnn_pool_get_n_threads (const CnnPool *pool)
{
  return pool ? pool->n_threads : 1;
}

void
cnn_pool_run (CnnPool *pool, int n, CnnRangeFunc func, gpointer data)
{
  if (n <= 0)
    return;
  if (pool == NULL || pool->n_threads == 1 || n == 1)
    {
      func (0, n, 0, data);
      return;
    }
  pool->func = func;
  pool->data = data;
  pool->n = n;
  atomic_store (&pool->pending, pool->n_threads - 1);
  pthread_mutex_lock (&pool->mutex);
  atomic_fetch_add_explicit (&pool->generation, 1, memory_order_release);
  pthread_cond_broadcast (&pool->wake);
  pthread_mutex_unlock (&pool->mutex);

  run_share (pool, 0);

  int spins = 0;
  while (atomic_load_explicit (&pool->pending, memory_order_acquire) > 0 && spins < SPIN_ROUNDS)
    spins++;
  if (atomic_load (&pool->pending) > 0)
    {
      pthread_mutex_lock (&pool->mutex);
      while (atomic_load (&pool->pending) > 0)
        pthread_cond_wait (&pool->done, &pool->mutex);
      pthread_mutex_unlock (&pool->mutex);
    }
}
