/* cnn-page-job.h: a page's long computation in a thread of its own. The
 * page and the worker share one reference-counted job; the worker writes
 * its news under the job's mutex and wakes the main thread through one
 * idle source at a time (cnn_page_job_notify_locked), where `news` runs if
 * the page still lives and still shows this job. Cancel is an atomic flag
 * the worker polls. A page's job type starts with a CnnPageJob. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef struct _CnnPageJob CnnPageJob;

/* On the main thread: the page's news of `job`; the page decides whether
 * it is the job it shows. */
typedef void (*CnnPageJobNews) (GtkWidget *page, CnnPageJob *job);

struct _CnnPageJob
{
  gint            ref;
  GWeakRef        page;
  GMutex          lock;
  volatile gint   cancel;
  gboolean        finished, notify_pending;
  CnnPageJobNews  news;
  GDestroyNotify  clear;   /* frees what the job type adds (not the job) */
};

/* job: a zeroed allocation of the page's job type, one reference. */
void        cnn_page_job_init          (CnnPageJob *job, GtkWidget *page, CnnPageJobNews news,
                                        GDestroyNotify clear);
CnnPageJob *cnn_page_job_ref           (CnnPageJob *job);
void        cnn_page_job_unref         (CnnPageJob *job);
/* Runs `worker (job)` in a new thread, which holds a reference. */
void        cnn_page_job_start         (CnnPageJob *job, const char *name, GThreadFunc worker);
/* Wakes the main thread once for any number of changes: call with the
 * lock held. */
void        cnn_page_job_notify_locked (CnnPageJob *job);
/* From the worker, at its end: finished, and a last notification. */
void        cnn_page_job_finish        (CnnPageJob *job);
gboolean    cnn_page_job_is_running    (CnnPageJob *job);   /* NULL: FALSE */
void        cnn_page_job_cancel        (CnnPageJob *job);   /* NULL: nothing */
gboolean    cnn_page_job_cancelled     (CnnPageJob *job);

G_END_DECLS
