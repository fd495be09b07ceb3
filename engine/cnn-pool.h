/* cnn-pool.h: a fixed set of worker threads for data-parallel loops.
 *
 * Work is split into contiguous ranges, one per thread, always the same way
 * for the same count and thread number, so results are reproducible for a
 * given thread count. The calling thread takes part as thread 0. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CNN_MAX_THREADS 64

typedef struct _CnnPool CnnPool;

/* Run items [begin, end) on thread `thread` (0 .. n_threads-1). */
typedef void (*CnnRangeFunc) (int begin, int end, int thread, gpointer data);

CnnPool *cnn_pool_new           (int n_threads);
void     cnn_pool_free          (CnnPool *pool);
int      cnn_pool_get_n_threads (const CnnPool *pool);
/* Blocks until all of [0, n) is done. Not reentrant: do not call from inside a job. */
void     cnn_pool_run           (CnnPool *pool, int n, CnnRangeFunc func, gpointer data);
/* Number of online processors (the default thread count). */
int      cnn_pool_default_threads (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnPool, cnn_pool_free)

G_END_DECLS
