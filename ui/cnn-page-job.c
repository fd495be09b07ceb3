#include "cnn-page-job.h"

void
cnn_page_job_init (CnnPageJob *job, GtkWidget *page, CnnPageJobNews news, GDestroyNotify clear)
{
  job->ref = 1;
  g_weak_ref_init (&job->page, page);
  g_mutex_init (&job->lock);
  job->news = news;
  job->clear = clear;
}

CnnPageJob *
cnn_page_job_ref (CnnPageJob *job)
{
  g_atomic_int_inc (&job->ref);
  return job;
}

void
cnn_page_job_unref (CnnPageJob *job)
{
  if (job == NULL || !g_atomic_int_dec_and_test (&job->ref))
    return;
  if (job->clear)
    job->clear (job);
  g_weak_ref_clear (&job->page);
  g_mutex_clear (&job->lock);
  g_free (job);
}

static gboolean
deliver (gpointer data)
{
  CnnPageJob *job = data;
  g_mutex_lock (&job->lock);
  job->notify_pending = FALSE;
  g_mutex_unlock (&job->lock);
  GtkWidget *page = g_weak_ref_get (&job->page);
  if (page)
    {
      job->news (page, job);
      g_object_unref (page);
    }
  return G_SOURCE_REMOVE;
}

void
cnn_page_job_notify_locked (CnnPageJob *job)
{
  if (job->notify_pending)
    return;
  job->notify_pending = TRUE;
  g_idle_add_full (G_PRIORITY_DEFAULT, deliver, cnn_page_job_ref (job),
                   (GDestroyNotify) cnn_page_job_unref);
}

typedef struct
{
  CnnPageJob *job;
  GThreadFunc worker;
} Start;

static gpointer
run (gpointer data)
{
  Start *s = data;
  s->worker (s->job);
  cnn_page_job_unref (s->job);
  g_free (s);
  return NULL;
}

void
cnn_page_job_start (CnnPageJob *job, const char *name, GThreadFunc worker)
{
  Start *s = g_new (Start, 1);
  s->job = cnn_page_job_ref (job);
  s->worker = worker;
  g_thread_unref (g_thread_new (name, run, s));
}

void
cnn_page_job_finish (CnnPageJob *job)
{
  g_mutex_lock (&job->lock);
  job->finished = TRUE;
  cnn_page_job_notify_locked (job);
  g_mutex_unlock (&job->lock);
}

gboolean
cnn_page_job_is_running (CnnPageJob *job)
{
  if (job == NULL)
    return FALSE;
  g_mutex_lock (&job->lock);
  gboolean running = !job->finished;
  g_mutex_unlock (&job->lock);
  return running;
}

void
cnn_page_job_cancel (CnnPageJob *job)
{
  if (job)
    g_atomic_int_set (&job->cancel, 1);
}

gboolean
cnn_page_job_cancelled (CnnPageJob *job)
{
  return g_atomic_int_get (&job->cancel);
}
