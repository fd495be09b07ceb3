/* render-test-utils.c: image surfaces and pixel checks for the render tests. */
#include "render-test-utils.h"

#include <math.h>
#include <stdlib.h>

cairo_surface_t *
cnn_test_image_new (int w, int h)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
  return s;
}

/* 0xRRGGBB of an opaque pixel */
guint32
cnn_test_pixel (cairo_surface_t *s, int x, int y)
{
  cairo_surface_flush (s);
  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x, <, cairo_image_surface_get_width (s));
  g_assert_cmpint (y, <, cairo_image_surface_get_height (s));
  const guint8 *row = cairo_image_surface_get_data (s) + (gsize) y * cairo_image_surface_get_stride (s);
  guint32 p = ((const guint32 *) row)[x];
  g_assert_cmphex (p >> 24, ==, 0xff);
  return p & 0xffffff;
}

guint32
cnn_test_rgb (const CnnColor *c)
{
  return (guint32) lround (c->r * 255) << 16 | (guint32) lround (c->g * 255) << 8
         | (guint32) lround (c->b * 255);
}

gboolean
cnn_test_near (guint32 p, guint32 rgb, int tol)
{
  int d = 0;
  for (int sh = 0; sh <= 16; sh += 8)
    d += abs ((int) (p >> sh & 0xff) - (int) (rgb >> sh & 0xff));
  return d <= tol;
}

/* pixels within `tol` (sum of channel differences) of rgb, and their mean
 * x (-1 when there are none): tol > 0 finds an antialiased line's core */
int
cnn_test_count_near (cairo_surface_t *s, guint32 rgb, int tol, double *mean_x)
{
  int n = 0;
  double sum = 0;
  for (int y = 0; y < cairo_image_surface_get_height (s); y++)
    for (int x = 0; x < cairo_image_surface_get_width (s); x++)
      if (cnn_test_near (cnn_test_pixel (s, x, y), rgb, tol))
        {
          n++;
          sum += x;
        }
  if (mean_x)
    *mean_x = n ? sum / n : -1;
  return n;
}

int
cnn_test_count_color (cairo_surface_t *s, guint32 rgb)
{
  return cnn_test_count_near (s, rgb, 0, NULL);
}

/* bounding box [x0, x1] × [y0, y1] of the pixels near rgb */
void
cnn_test_bbox_near (cairo_surface_t *s, guint32 rgb, int tol, int box[4])
{
  box[0] = box[1] = G_MAXINT;
  box[2] = box[3] = -1;
  for (int y = 0; y < cairo_image_surface_get_height (s); y++)
    for (int x = 0; x < cairo_image_surface_get_width (s); x++)
      if (cnn_test_near (cnn_test_pixel (s, x, y), rgb, tol))
        {
          box[0] = MIN (box[0], x);
          box[1] = MIN (box[1], y);
          box[2] = MAX (box[2], x);
          box[3] = MAX (box[3], y);
        }
}

/* mean x of the pixels of one color, -1 when there are none */
double
cnn_test_mean_x (cairo_surface_t *s, guint32 rgb)
{
  double x;
  cnn_test_count_near (s, rgb, 0, &x);
  return x;
}

/* every pixel of the w×h region at (x0, y0) has color rgb */
void
cnn_test_assert_block (cairo_surface_t *s, int x0, int y0, int w, int h, guint32 rgb)
{
  for (int y = y0; y < y0 + h; y++)
    for (int x = x0; x < x0 + w; x++)
      if (cnn_test_pixel (s, x, y) != rgb)
        g_error ("cnn_test_pixel (%d, %d) is %06x, not %06x", x, y, cnn_test_pixel (s, x, y), rgb);
}
