/* cnn-image.h: PNG and JPEG files as 8-bit gray or RGB pixels, and resizing
 * them to a network's input size.
 *
 * Decoding follows Keras (load_img through PIL) where it has a rule: alpha
 * is dropped, not composited (a transparent pixel keeps the color stored
 * under it); 16-bit samples are rounded to 8 bits; a palette becomes RGB
 * unless all its entries are gray. CMYK JPEGs are converted to RGB
 * (Adobe-inverted when the file has an Adobe marker, as Photoshop writes
 * them). The format comes from the file's first bytes, never its name. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Larger images are refused before anything is allocated for them. */
#define CNN_IMAGE_MAX_SIDE   (1 << 15)
#define CNN_IMAGE_MAX_PIXELS (1 << 28)

typedef enum
{
  CNN_IMAGE_FORMAT_UNKNOWN,
  CNN_IMAGE_FORMAT_PNG,
  CNN_IMAGE_FORMAT_JPEG,
} CnnImageFormat;

/* How an image of another aspect ratio becomes h×w. */
typedef enum
{
  CNN_FIT_CROP,      /* keep the aspect ratio, cut the center out (the default) */
  CNN_FIT_STRETCH,   /* scale each axis on its own */
} CnnFit;

typedef struct
{
  int      c, h, w;        /* c is 1 (gray) or 3 (RGB) */
  guint8  *pixels;         /* (c, h, w): planes, as the network's tensors */
} CnnImage;

/* What a header says, without decoding the pixels. */
typedef struct
{
  CnnImageFormat format;
  int            w, h;
  gboolean       color;    /* decodes to RGB (else gray) */
} CnnImageInfo;

CnnImageFormat cnn_image_sniff (const guint8 *head, gsize len);
const char    *cnn_fit_name    (CnnFit fit);
gboolean       cnn_fit_parse   (const char *text, CnnFit *fit, GError **error);

/* Reads the header only. Errors are CNN_ERROR_FORMAT for a file that is not
 * a PNG or JPEG, is empty, truncated in its header or absurdly large, and
 * CNN_ERROR_IO when it cannot be read; messages name the file. */
gboolean   cnn_image_peek   (const char *path, CnnImageInfo *info, GError **error);
/* Decodes a whole file. */
CnnImage  *cnn_image_load   (const char *path, GError **error);
/* Decodes bytes in memory; `name` is used in messages. */
CnnImage  *cnn_image_decode (const guint8 *data, gsize len, const char *name, GError **error);

/* NULL when the pixels cannot be allocated (or the size is invalid). */
CnnImage  *cnn_image_new    (int c, int h, int w);
void       cnn_image_free   (CnnImage *img);

/* Resizes src to h×w with c channels (1 or 3) into dst (c, h, w). Per axis,
 * shrinking averages areas (each output pixel is the mean of the source
 * area it covers, partial pixels weighted), growing interpolates bilinearly
 * between pixel centers (half-pixel convention: output x samples source
 * (x + 0.5)·in/out - 0.5, clamped at the edges). CNN_FIT_CROP cuts the
 * largest centered box of the target's aspect ratio first (Keras'
 * smart_resize). Gray from RGB is ITU-R 601 luma (0.299 R + 0.587 G +
 * 0.114 B), computed before rounding; RGB from gray repeats the plane.
 * Returns FALSE only when memory runs out. */
gboolean   cnn_image_resize (const CnnImage *src, int c, int h, int w, CnnFit fit, guint8 *dst);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnImage, cnn_image_free)

G_END_DECLS
