/* cnn-test-images.h: PNG and JPEG files written by the tests themselves
 * (libpng, libjpeg), so no binary data is committed. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  int            w, h;
  int            color_type;    /* PNG_COLOR_TYPE_* */
  int            bit_depth;     /* 1, 2, 4, 8 or 16 */
  gboolean       interlace;     /* Adam7 */
  const guint16 *samples;       /* (h, w, channels) in the file's depth; palette: indices */
  const guint8  *palette;       /* (n_palette, 3) RGB */
  int            n_palette;
  const guint8  *trans;         /* palette: (n_trans) alphas */
  int            n_trans;
  gboolean       trans_color;   /* gray / RGB: a tRNS color */
  guint16        trans_value[3];
} CnnTestPng;

/* Writes the PNG; fails the test if libpng does not. */
void   cnn_test_write_png         (const char *path, const CnnTestPng *png);
/* An 8-bit gray (c = 1) or RGB (c = 3) PNG from planes (c, h, w). */
void   cnn_test_write_png_planes  (const char *path, int c, int h, int w, const guint8 *pixels);
/* A baseline JPEG of (h, w, comps) pixels: comps 1 gray, 3 RGB, 4 CMYK
 * (written with an Adobe marker, values as given). */
void   cnn_test_write_jpeg        (const char *path, int comps, int h, int w, const guint8 *pixels,
                                   int quality);
/* The same from planes (c, h, w), c = 1 or 3. */
void   cnn_test_write_jpeg_planes (const char *path, int c, int h, int w, const guint8 *pixels,
                                   int quality);
/* The file's bytes (the test fails if it cannot be read). */
GBytes *cnn_test_read_bytes       (const char *path);
/* Writes len bytes (fails the test on error). */
void   cnn_test_write_bytes       (const char *path, const void *data, gsize len);
/* Deletes a folder and everything under it. */
void   cnn_test_remove_tree       (const char *path);

G_END_DECLS
