#include "cnn-frame-log.h"

#include <stdlib.h>

struct _CnnFrameLog
{
  GtkWidget *widget;     /* weak: the tick callback dies with it */
  guint      tick_id;
  GArray    *times;      /* gint64, µs of the frame clock */
};

static gboolean
on_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  CnnFrameLog *log = data;
  gint64 t = gdk_frame_clock_get_frame_time (clock);
  g_array_append_val (log->times, t);
  return G_SOURCE_CONTINUE;
}

static void
on_widget_gone (gpointer data, GObject *where)
{
  CnnFrameLog *log = data;
  log->widget = NULL;
  log->tick_id = 0;
}

CnnFrameLog *
cnn_frame_log_start (GtkWidget *widget)
{
  CnnFrameLog *log = g_new0 (CnnFrameLog, 1);
  log->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  log->widget = widget;
  g_object_weak_ref (G_OBJECT (widget), on_widget_gone, log);
  log->tick_id = gtk_widget_add_tick_callback (widget, on_tick, log, NULL);
  return log;
}

static void
stop (CnnFrameLog *log)
{
  if (log->widget == NULL)
    return;
  gtk_widget_remove_tick_callback (log->widget, log->tick_id);
  g_object_weak_unref (G_OBJECT (log->widget), on_widget_gone, log);
  log->widget = NULL;
  log->tick_id = 0;
}

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

char *
cnn_frame_log_finish (CnnFrameLog *log, const char *path, GError **error)
{
  stop (log);
  if (log->times->len < 3)
    return NULL;
  guint n = log->times->len - 1;
  g_autofree gint64 *intervals = g_new (gint64, n);
  g_autoptr (GString) text = g_string_new ("interval_ms\n");
  for (guint i = 0; i < n; i++)
    {
      intervals[i] = g_array_index (log->times, gint64, i + 1)
                     - g_array_index (log->times, gint64, i);
      g_string_append_printf (text, "%.3f\n", intervals[i] / 1000.0);
    }
  if (!g_file_set_contents (path, text->str, text->len, error))
    return NULL;
  qsort (intervals, n, sizeof (gint64), compare_gint64);
  return g_strdup_printf ("%u frames, median interval %.2f ms, 95th percentile %.2f ms", n,
                          intervals[n / 2] / 1000.0, intervals[(n * 95) / 100] / 1000.0);
}

void
cnn_frame_log_free (CnnFrameLog *log)
{
  if (log == NULL)
    return;
  stop (log);
  g_array_unref (log->times);
  g_free (log);
}
