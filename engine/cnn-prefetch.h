/* cnn-prefetch.h: a worker thread that prepares the next training batch
 * (augment, standardize, labels) while the caller trains on the current one.
 * Two buffers alternate: the batch returned by cnn_prefetch_wait stays valid
 * while the next one is being prepared. What a batch holds depends only on
 * its images, epoch and seed, never on timing. */
#pragma once

#include <glib.h>

#include "cnn-augment.h"
#include "cnn-dataset.h"

G_BEGIN_DECLS

typedef struct _CnnPrefetch CnnPrefetch;

/* Borrows set and nz until freed; copies aug. Batches hold up to max_batch
 * images. Fails when the buffers or the thread cannot be had. */
CnnPrefetch  *cnn_prefetch_new  (const CnnImageSet *set, const CnnNormalizer *nz,
                                 const CnnAugment *aug, guint64 seed, int max_batch,
                                 GError **error);
/* Stops and joins the worker, abandoning a batch in preparation. */
void          cnn_prefetch_free (CnnPrefetch *pf);
/* Start preparing images idx[0..count-1] of set as seen in epoch `epoch`.
 * idx must stay unchanged until the matching cnn_prefetch_wait returns; one
 * batch is prepared at a time (post, wait, post, wait, ...). */
void          cnn_prefetch_post (CnnPrefetch *pf, int epoch, const int *idx, int count);
/* Wait for the posted batch: (count, c, h, w) standardized input, and its
 * labels in *labels. Both stay valid until the post after next. */
const float  *cnn_prefetch_wait (CnnPrefetch *pf, const guint8 **labels);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnPrefetch, cnn_prefetch_free)

G_END_DECLS
