#include "cnn-pinned-input.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cnn-session-private.h"

struct _CnnPinnedInput
{
  GObject         parent_instance;
  CnnSession     *session;
  CnnPinnedSource source;
  int             index;
  char           *file_name;    /* the opened file's base name */
  CnnImageSet    *image;        /* (1, c, h, w) */
};

G_DEFINE_FINAL_TYPE (CnnPinnedInput, cnn_pinned_input, G_TYPE_OBJECT)

enum { SIG_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
changed (CnnPinnedInput *self)
{
  g_signal_emit (self, signals[SIG_CHANGED], 0);
}

const CnnImageSet *
cnn_pinned_input_get_set (CnnPinnedInput *self)
{
  const CnnDataset *ds = cnn_session_get_dataset (self->session);
  return ds == NULL ? NULL : ds->test ? ds->test : ds->train;
}

/* the model's input shape; FALSE before there is a model */
static gboolean
input_shape (CnnPinnedInput *self, CnnShape *in)
{
  CnnNetwork *net = cnn_session_get_network (self->session);
  if (net)
    *in = cnn_network_get_input_shape (net);
  return net != NULL;
}

static void
ensure_image (CnnPinnedInput *self, CnnShape in)
{
  CnnImageSet *img = self->image;
  if (img && img->c == in.c && img->h == in.h && img->w == in.w)
    return;
  g_clear_pointer (&self->image, cnn_image_set_free);
  self->image = cnn_image_set_new (1, in.c, in.h, in.w);
}

/* The data set's image at the index, when the data fit the model. */
static void
take_dataset_image (CnnPinnedInput *self)
{
  const CnnImageSet *set = cnn_pinned_input_get_set (self);
  CnnShape in;
  self->source = CNN_PINNED_DATASET;
  if (set == NULL || !input_shape (self, &in) || set->c != in.c || set->h != in.h
      || set->w != in.w)
    {
      g_clear_pointer (&self->image, cnn_image_set_free);
      return;
    }
  ensure_image (self, in);
  self->index = CLAMP (self->index, 0, set->n - 1);
  const size_t chw = (size_t) set->c * set->h * set->w;
  memcpy (self->image->pixels, set->pixels + (size_t) self->index * chw, chw);
  self->image->labels[0] = set->labels[self->index];
}

/* A new model or data set: the same index again; a file or drawing stays
 * while the input shape does. */
static void
on_model (CnnSession *session, CnnPinnedInput *self)
{
  CnnShape in;
  gboolean keeps = self->source != CNN_PINNED_DATASET && self->image && input_shape (self, &in)
                   && self->image->c == in.c && self->image->h == in.h && self->image->w == in.w;
  if (!keeps)
    take_dataset_image (self);
  changed (self);
}

const CnnImageSet *
cnn_pinned_input_get_image (CnnPinnedInput *self)
{
  return self->image;
}

CnnPinnedSource
cnn_pinned_input_get_source (CnnPinnedInput *self)
{
  return self->source;
}

int
cnn_pinned_input_get_index (CnnPinnedInput *self)
{
  return self->index;
}

int
cnn_pinned_input_get_label (CnnPinnedInput *self)
{
  return self->source == CNN_PINNED_DATASET && self->image ? self->image->labels[0] : -1;
}

char *
cnn_pinned_input_describe (CnnPinnedInput *self)
{
  if (self->source == CNN_PINNED_DRAWING)
    return g_strdup ("a drawing");
  if (self->source == CNN_PINNED_FILE)
    return g_strdup (self->file_name);
  const CnnDataset *ds = cnn_session_get_dataset (self->session);
  const char *const *names = cnn_session_get_class_names (self->session);
  int label = cnn_pinned_input_get_label (self);
  return g_strdup_printf ("%s image %d (%s)", ds && ds->test ? "test" : "training", self->index,
                          label >= 0 && names && names[label] ? names[label] : "?");
}

void
cnn_pinned_input_show_image (CnnPinnedInput *self, int index)
{
  g_return_if_fail (CNN_IS_PINNED_INPUT (self));
  self->index = MAX (index, 0);
  take_dataset_image (self);
  changed (self);
}

gboolean
cnn_pinned_input_open_file (CnnPinnedInput *self, const char *path, GError **error)
{
  g_return_val_if_fail (CNN_IS_PINNED_INPUT (self), FALSE);
  CnnShape in;
  if (!input_shape (self, &in))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "%s: there is no model to show it to yet: train one or open a checkpoint", path);
      return FALSE;
    }
  g_autoptr (CnnImage) img = cnn_image_load (path, error);
  if (img == NULL)
    return FALSE;
  /* as the window's data sets are made: cut to the aspect ratio, gray or
   * color as the model takes */
  g_autoptr (CnnImageSet) resized = cnn_image_set_new (1, in.c, in.h, in.w);
  if (!cnn_image_resize (img, in.c, in.h, in.w, CNN_FIT_CROP, resized->pixels))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: out of memory resizing the image", path);
      return FALSE;
    }
  g_clear_pointer (&self->image, cnn_image_set_free);
  self->image = g_steal_pointer (&resized);
  g_free (self->file_name);
  self->file_name = g_path_get_basename (path);
  self->source = CNN_PINNED_FILE;
  changed (self);
  return TRUE;
}

void
cnn_pinned_input_set_drawing (CnnPinnedInput *self, gboolean drawing)
{
  g_return_if_fail (CNN_IS_PINNED_INPUT (self));
  CnnShape in;
  if (!drawing)
    {
      cnn_pinned_input_show_image (self, self->index);
      return;
    }
  if (!input_shape (self, &in))
    return;
  /* a black canvas, as MNIST's digits are white on black */
  ensure_image (self, in);
  memset (self->image->pixels, 0, (size_t) in.c * in.h * in.w);
  self->source = CNN_PINNED_DRAWING;
  changed (self);
}

/* A round brush with a soft edge, about a stroke of a digit in MNIST. */
static void
paint_dot (CnnImageSet *img, double cy, double cx)
{
  double radius = MAX (1.0, 0.055 * MIN (img->h, img->w));
  int y0 = (int) floor (cy - radius - 1), y1 = (int) ceil (cy + radius + 1);
  int x0 = (int) floor (cx - radius - 1), x1 = (int) ceil (cx + radius + 1);
  for (int y = MAX (y0, 0); y <= MIN (y1, img->h - 1); y++)
    for (int x = MAX (x0, 0); x <= MIN (x1, img->w - 1); x++)
      {
        /* pixel (y, x) covers [y, y+1) × [x, x+1): its center is at +0.5 */
        double d = hypot (y + 0.5 - cy, x + 0.5 - cx);
        double alpha = CLAMP (radius + 0.5 - d, 0.0, 1.0);
        for (int c = 0; c < img->c; c++)
          {
            guint8 *p = img->pixels + ((size_t) c * img->h + y) * img->w + x;   /* (c, h, w) */
            *p = MAX (*p, (guint8) lround (255 * alpha));
          }
      }
}

void
cnn_pinned_input_draw_stroke (CnnPinnedInput *self, double y0, double x0, double y1, double x1)
{
  g_return_if_fail (CNN_IS_PINNED_INPUT (self));
  if (self->source != CNN_PINNED_DRAWING || self->image == NULL)
    return;
  int steps = MAX (1, (int) ceil (4 * hypot (y1 - y0, x1 - x0)));
  for (int i = 0; i <= steps; i++)
    paint_dot (self->image, y0 + (y1 - y0) * i / steps, x0 + (x1 - x0) * i / steps);
  changed (self);
}

gboolean
cnn_looks_like_image (const char *path)
{
  guint8 head[16] = { 0 };
  FILE *f = fopen (path, "rb");
  if (f == NULL)
    return FALSE;
  size_t n = fread (head, 1, sizeof head, f);
  fclose (f);
  return cnn_image_sniff (head, n) != CNN_IMAGE_FORMAT_UNKNOWN;
}

static void
cnn_pinned_input_dispose (GObject *object)
{
  CnnPinnedInput *self = CNN_PINNED_INPUT (object);
  if (self->session)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (cnn_pinned_input_parent_class)->dispose (object);
}

static void
cnn_pinned_input_finalize (GObject *object)
{
  CnnPinnedInput *self = CNN_PINNED_INPUT (object);
  g_free (self->file_name);
  if (self->image)
    cnn_image_set_free (self->image);
  G_OBJECT_CLASS (cnn_pinned_input_parent_class)->finalize (object);
}

static void
cnn_pinned_input_class_init (CnnPinnedInputClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->dispose = cnn_pinned_input_dispose;
  object_class->finalize = cnn_pinned_input_finalize;
  signals[SIG_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cnn_pinned_input_init (CnnPinnedInput *self)
{
}

CnnPinnedInput *
cnn_pinned_input_new (CnnSession *session)
{
  CnnPinnedInput *self = g_object_new (CNN_TYPE_PINNED_INPUT, NULL);
  self->session = g_object_ref (session);
  g_signal_connect (session, "model-changed", G_CALLBACK (on_model), self);
  take_dataset_image (self);
  return self;
}
