/* render-test-utils.h: image surfaces and pixel checks shared by the
 * render tests. Colors are 0xRRGGBB. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cnn-render.h"

G_BEGIN_DECLS

/* an ARGB32 surface; fails the test when cairo cannot make it */
cairo_surface_t *cnn_test_image_new   (int w, int h);
/* the color of an opaque pixel (fails on a transparent one or outside) */
guint32          cnn_test_pixel       (cairo_surface_t *s, int x, int y);
guint32          cnn_test_rgb         (const CnnColor *c);
/* the sum of the channel differences is at most tol */
gboolean         cnn_test_near        (guint32 p, guint32 rgb, int tol);
/* pixels near rgb and their mean x (-1 when none; mean_x may be NULL) */
int              cnn_test_count_near  (cairo_surface_t *s, guint32 rgb, int tol, double *mean_x);
int              cnn_test_count_color (cairo_surface_t *s, guint32 rgb);
/* bounding box { x0, y0, x1, y1 } of the pixels near rgb */
void             cnn_test_bbox_near   (cairo_surface_t *s, guint32 rgb, int tol, int box[4]);
/* mean x of the pixels of exactly rgb, -1 when there are none */
double           cnn_test_mean_x      (cairo_surface_t *s, guint32 rgb);
/* every pixel of the w×h region at (x0, y0) is rgb */
void             cnn_test_assert_block (cairo_surface_t *s, int x0, int y0, int w, int h,
                                        guint32 rgb);

G_END_DECLS
