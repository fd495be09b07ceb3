/* cnn-pinned-input.h: the one input the lesson looks at across pages (the
 * activations and the explanations): an image of the data set, an image
 * file, or a drawing made with the mouse, as bytes of the model's input
 * shape. It follows the session: a new model or data set takes the image
 * of the same index again. "changed" is emitted on the main thread after
 * every change. */
#pragma once

#include <glib-object.h>

#include "cnn-session.h"

G_BEGIN_DECLS

typedef enum
{
  CNN_PINNED_DATASET,
  CNN_PINNED_FILE,
  CNN_PINNED_DRAWING,
} CnnPinnedSource;

#define CNN_TYPE_PINNED_INPUT (cnn_pinned_input_get_type ())
G_DECLARE_FINAL_TYPE (CnnPinnedInput, cnn_pinned_input, CNN, PINNED_INPUT, GObject)

CnnPinnedInput    *cnn_pinned_input_new        (CnnSession *session);
/* (1, c, h, w) bytes, or NULL when there is none yet (no model, or a data
 * set image before the data set is loaded). */
const CnnImageSet *cnn_pinned_input_get_image  (CnnPinnedInput *pin);
CnnPinnedSource    cnn_pinned_input_get_source (CnnPinnedInput *pin);
int                cnn_pinned_input_get_index  (CnnPinnedInput *pin);
/* The data set's label of the image, -1 for a file or a drawing. */
int                cnn_pinned_input_get_label  (CnnPinnedInput *pin);
/* The images a data set index counts in (the test split, else training), or NULL. */
const CnnImageSet *cnn_pinned_input_get_set    (CnnPinnedInput *pin);
/* "test image 3 (Ankle boot)", "shoe.png" or "a drawing". */
char              *cnn_pinned_input_describe   (CnnPinnedInput *pin);

void      cnn_pinned_input_show_image  (CnnPinnedInput *pin, int index);
/* A PNG or JPEG, resized to the model's input as the window's data sets are. */
gboolean  cnn_pinned_input_open_file   (CnnPinnedInput *pin, const char *path, GError **error);
/* A black canvas (TRUE), or back to the data set's image. */
void      cnn_pinned_input_set_drawing (CnnPinnedInput *pin, gboolean drawing);
/* A stroke from (y0, x0) to (y1, x1) in input pixels, on the drawing. */
void      cnn_pinned_input_draw_stroke (CnnPinnedInput *pin, double y0, double x0, double y1,
                                        double x1);
/* The file starts like a PNG or JPEG (for deciding where a drop goes). */
gboolean  cnn_looks_like_image         (const char *path);

G_END_DECLS
