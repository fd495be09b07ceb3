/* cnn-input-bar.h: the toolbar controls that choose the pinned input: the
 * data set image's number, Open (a PNG or JPEG), and the pencil that turns
 * the input into a canvas to draw on (with Clear). Pages that show one
 * input put it at the start of their toolbar. */
#pragma once

#include <gtk/gtk.h>

#include "cnn-pinned-input.h"

G_BEGIN_DECLS

#define CNN_TYPE_INPUT_BAR (cnn_input_bar_get_type ())
G_DECLARE_FINAL_TYPE (CnnInputBar, cnn_input_bar, CNN, INPUT_BAR, GtkWidget)

GtkWidget *cnn_input_bar_new (CnnPinnedInput *pin);

/* Shows the error the way the window does (a toast), from any widget in it. */
void       cnn_show_error    (GtkWidget *widget, const GError *error);

/* Files dropped on `widget`: an image becomes the pinned input, anything
 * else (a checkpoint) goes to the window to open. */
void       cnn_input_drop_target_add (GtkWidget *widget, CnnPinnedInput *pin);

G_END_DECLS
