/* cnn-frame-log.h: the frame intervals of a widget's frame clock, for
 * measuring how smoothly the window draws while it trains (a measurement,
 * not a test: CONVSCOPE_FRAME_LOG=FILE). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef struct _CnnFrameLog CnnFrameLog;

/* Starts recording every frame of widget's frame clock (a tick callback,
 * which keeps the clock running at the display's rate). */
CnnFrameLog *cnn_frame_log_start  (GtkWidget *widget);
/* Stops; writes one interval a line (ms) to path and returns a summary
 * ("N frames, median interval X ms, 95th percentile Y ms"), or NULL with
 * an error naming the file. NULL without error when fewer than 3 frames
 * were seen. */
char        *cnn_frame_log_finish (CnnFrameLog *log, const char *path, GError **error);
void         cnn_frame_log_free   (CnnFrameLog *log);

G_END_DECLS
