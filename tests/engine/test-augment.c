/* test-augment.c: augmentation geometry checked exactly on small known
 * images (flips, right angles, whole-pixel shifts with each fill mode, zoom,
 * color), the spec parser, seeded determinism, the prefetch worker and the
 * trainer with augmentation. */
#include "cnn-engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------- helpers ---------- */

/* an asymmetric c×h×w image: every pixel a different value */
static guint8 *
make_image (int c, int h, int w)
{
  guint8 *img = g_new (guint8, (gsize) c * h * w);
  for (int i = 0; i < c * h * w; i++)
    img[i] = (guint8) ((i * 37 + 11) % 251);
  return img;
}

static float *
apply (const CnnAugmentParams *p, CnnFillMode fill, double cval, const guint8 *src, int c, int h,
       int w)
{
  float *dst = g_new (float, (gsize) c * h * w);
  cnn_augment_apply (p, fill, cval, src, c, h, w, dst);
  return dst;
}

static const CnnAugmentParams identity = { .zoom_y = 1, .zoom_x = 1 };

#define AT(img, w, r, c) ((img)[(r) * (w) + (c)])

static const CnnFillMode all_fills[] = { CNN_FILL_NEAREST, CNN_FILL_CONSTANT, CNN_FILL_REFLECT,
                                         CNN_FILL_WRAP };

/* ---------- geometry ---------- */

static void
test_identity (void)
{
  const int h = 5, w = 7;
  g_autofree guint8 *img = make_image (1, h, w);
  for (gsize f = 0; f < G_N_ELEMENTS (all_fills); f++)
    {
      g_autofree float *out = apply (&identity, all_fills[f], 9, img, 1, h, w);
      for (int i = 0; i < h * w; i++)
        g_assert_cmpfloat (out[i], ==, img[i]);
    }
  /* a full turn is the identity too (sin 360° is -2.4e-16, snapped to 0) */
  CnnAugmentParams p = identity;
  p.angle = 360;
  g_autofree float *turned = apply (&p, CNN_FILL_CONSTANT, 50, img, 1, h, w);
  for (int i = 0; i < h * w; i++)
    g_assert_cmpfloat (turned[i], ==, img[i]);

  /* a spec with only flips: each image comes out as it is or mirrored */
  g_autoptr (CnnAugment) a = cnn_augment_parse ("hflip", NULL);
  g_autoptr (CnnImageSet) set = cnn_image_set_new (1, 1, h, w);
  memcpy (set->pixels, img, h * w);
  int same = 0, mirrored = 0;
  for (int epoch = 1; epoch <= 40; epoch++)
    {
      float out[35];
      cnn_augment_sample (a, 1, epoch, set, 0, NULL, out);
      gboolean is_same = TRUE, is_mirrored = TRUE;
      for (int r = 0; r < h; r++)
        for (int c = 0; c < w; c++)
          {
            is_same &= AT (out, w, r, c) == AT (img, w, r, c);
            is_mirrored &= AT (out, w, r, c) == AT (img, w, r, w - 1 - c);
          }
      g_assert_true (is_same != is_mirrored);
      same += is_same;
      mirrored += is_mirrored;
    }
  /* 40 fair coins: both sides come up (all one side: p = 2e-12) */
  g_assert_cmpint (same, >, 0);
  g_assert_cmpint (mirrored, >, 0);
}

static void
test_flips (void)
{
  const int h = 4, w = 7;
  g_autofree guint8 *img = make_image (1, h, w);
  for (gsize f = 0; f < G_N_ELEMENTS (all_fills); f++)
    {
      CnnAugmentParams p = identity;
      p.hflip = TRUE;
      g_autofree float *hf = apply (&p, all_fills[f], 0, img, 1, h, w);
      p = identity;
      p.vflip = TRUE;
      g_autofree float *vf = apply (&p, all_fills[f], 0, img, 1, h, w);
      p.hflip = TRUE;
      g_autofree float *both = apply (&p, all_fills[f], 0, img, 1, h, w);
      for (int r = 0; r < h; r++)
        for (int c = 0; c < w; c++)
          {
            /* hflip reverses each row, vflip the order of the rows */
            g_assert_cmpfloat (AT (hf, w, r, c), ==, AT (img, w, r, w - 1 - c));
            g_assert_cmpfloat (AT (vf, w, r, c), ==, AT (img, w, h - 1 - r, c));
            g_assert_cmpfloat (AT (both, w, r, c), ==, AT (img, w, h - 1 - r, w - 1 - c));
          }
    }
}

static void
test_right_angles (void)
{
  /* Keras' convention (rotation matrix [cos -sin; sin cos] on (row, col)):
   * +90° turns the picture clockwise as displayed, which is the transpose
   * followed by a horizontal flip; -90° is the transpose followed by a
   * vertical flip. Odd and even sizes (the center on a pixel or between). */
  for (int n = 5; n <= 6; n++)
    {
      g_autofree guint8 *img = make_image (1, n, n);
      for (gsize f = 0; f < G_N_ELEMENTS (all_fills); f++)
        {
          CnnAugmentParams p = identity;
          p.angle = 90;
          g_autofree float *cw = apply (&p, all_fills[f], 0, img, 1, n, n);
          p.angle = -90;
          g_autofree float *ccw = apply (&p, all_fills[f], 0, img, 1, n, n);
          p.angle = 180;
          g_autofree float *half = apply (&p, all_fills[f], 0, img, 1, n, n);
          for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
              {
                g_assert_cmpfloat (AT (cw, n, r, c), ==, AT (img, n, n - 1 - c, r));
                g_assert_cmpfloat (AT (ccw, n, r, c), ==, AT (img, n, c, n - 1 - r));
                g_assert_cmpfloat (AT (half, n, r, c), ==, AT (img, n, n - 1 - r, n - 1 - c));
              }
        }
    }
  /* Keras shifts in the turned frame (its matrix is rotation · shift ·
   * zoom): with +90° and shift_x = 1 on 5×5, output (r, c) shows input
   * (3 - c, r) */
  {
    const int n = 5;
    g_autofree guint8 *img = make_image (1, n, n);
    CnnAugmentParams p = identity;
    p.angle = 90;
    p.shift_x = 1;
    g_autofree float *out = apply (&p, CNN_FILL_NEAREST, 0, img, 1, n, n);
    for (int r = 0; r < n; r++)
      for (int c = 0; c < n; c++)
        g_assert_cmpfloat (AT (out, n, r, c), ==, AT (img, n, MAX (3 - c, 0), r));
  }

  /* clockwise: the top-left corner goes to the top-right */
  guint8 corner[9] = { 200, 0, 0, 0, 0, 0, 0, 0, 0 };
  CnnAugmentParams p = identity;
  p.angle = 90;
  g_autofree float *out = apply (&p, CNN_FILL_NEAREST, 0, corner, 1, 3, 3);
  g_assert_cmpfloat (out[2], ==, 200);
}

/* the value the fill mode gives at column j (any integer) of a row of n */
static double
filled (const guint8 *row, int n, int j, CnnFillMode fill, double cval)
{
  if (j >= 0 && j < n)
    return row[j];
  switch (fill)
    {
    case CNN_FILL_NEAREST:
      return row[j < 0 ? 0 : n - 1];
    case CNN_FILL_CONSTANT:
      return cval;
    case CNN_FILL_REFLECT:   /* dcba|abcd|dcba */
      return row[j < 0 ? -1 - j : 2 * n - 1 - j];
    case CNN_FILL_WRAP:      /* abcd|abcd|abcd */
    default:
      return row[j < 0 ? j + n : j - n];
    }
}

static void
test_shifts (void)
{
  /* whole-pixel shifts move the picture by exactly k, and the fill mode's
   * values enter at the edge. Output (r, c) shows input (r + shift_y,
   * c + shift_x): a positive shift moves the picture left / up (Keras). */
  const int h = 5, w = 6;
  const double cval = 7.5;
  g_autofree guint8 *img = make_image (1, h, w);
  g_autofree guint8 *col = g_new (guint8, h);
  const int shifts[] = { 2, -3, 1, -1, 4 };
  for (gsize f = 0; f < G_N_ELEMENTS (all_fills); f++)
    for (gsize s = 0; s < G_N_ELEMENTS (shifts); s++)
      {
        int k = shifts[s];
        CnnAugmentParams p = identity;
        p.shift_x = k;
        g_autofree float *sx = apply (&p, all_fills[f], cval, img, 1, h, w);
        p = identity;
        p.shift_y = k;
        g_autofree float *sy = apply (&p, all_fills[f], cval, img, 1, h, w);
        for (int r = 0; r < h; r++)
          for (int c = 0; c < w; c++)
            {
              g_assert_cmpfloat (AT (sx, w, r, c), ==,
                                 filled (&AT (img, w, r, 0), w, c + k, all_fills[f], cval));
              for (int i = 0; i < h; i++)
                col[i] = AT (img, w, i, c);
              g_assert_cmpfloat (AT (sy, w, r, c), ==, filled (col, h, r + k, all_fills[f], cval));
            }
      }
}

static void
test_zoom (void)
{
  /* zoom 2 about the center (2, 2) of a 5×5 image: output (r, c) shows
   * input (2r - 2, 2c - 2), so the picture looks half as big (Keras: a
   * zoom above 1 shows a smaller picture); nearest fill outside */
  const int n = 5;
  g_autofree guint8 *img = make_image (1, n, n);
  CnnAugmentParams p = identity;
  p.zoom_y = p.zoom_x = 2;
  g_autofree float *out = apply (&p, CNN_FILL_NEAREST, 0, img, 1, n, n);
  for (int r = 0; r < n; r++)
    for (int c = 0; c < n; c++)
      g_assert_cmpfloat (AT (out, n, r, c), ==,
                         AT (img, n, CLAMP (2 * r - 2, 0, n - 1), CLAMP (2 * c - 2, 0, n - 1)));

  /* rows only */
  p.zoom_x = 1;
  g_autofree float *rows = apply (&p, CNN_FILL_NEAREST, 0, img, 1, n, n);
  for (int r = 0; r < n; r++)
    for (int c = 0; c < n; c++)
      g_assert_cmpfloat (AT (rows, n, r, c), ==, AT (img, n, CLAMP (2 * r - 2, 0, n - 1), c));

  /* zoom 0.5: output (1, 1) lies halfway between input rows and columns 1
   * and 2, the mean of four pixels (bilinear); (0, 0) lands on (1, 1) */
  p.zoom_y = p.zoom_x = 0.5;
  g_autofree float *big = apply (&p, CNN_FILL_NEAREST, 0, img, 1, n, n);
  double mean = (AT (img, n, 1, 1) + AT (img, n, 1, 2) + AT (img, n, 2, 1) + AT (img, n, 2, 2)) / 4.0;
  /* float arithmetic on values below 256: 1e-4 covers its rounding */
  g_assert_cmpfloat_with_epsilon (AT (big, n, 1, 1), mean, 1e-4);
  g_assert_cmpfloat (AT (big, n, 0, 0), ==, AT (img, n, 1, 1));
  g_assert_cmpfloat (AT (big, n, 2, 2), ==, AT (img, n, 2, 2));
}

static void
test_constant_outside (void)
{
  /* a 45° turn of a 6×6 image: the output's corners come from outside
   * the input, so with constant fill they are exactly cval; the center
   * pixels stay within the range of the input */
  const int n = 6;
  g_autofree guint8 *img = make_image (1, n, n);
  CnnAugmentParams p = identity;
  p.angle = 45;
  g_autofree float *out = apply (&p, CNN_FILL_CONSTANT, 123.25, img, 1, n, n);
  g_assert_cmpfloat (AT (out, n, 0, 0), ==, 123.25);
  g_assert_cmpfloat (AT (out, n, 0, n - 1), ==, 123.25);
  g_assert_cmpfloat (AT (out, n, n - 1, 0), ==, 123.25);
  g_assert_cmpfloat (AT (out, n, n - 1, n - 1), ==, 123.25);
  for (int i = 0; i < n * n; i++)
    g_assert_true (out[i] >= 0 && out[i] <= 255);
}

static void
test_color_aligned (void)
{
  /* each channel of an RGB image is transformed exactly as that plane
   * alone would be: the channels stay aligned */
  const int c = 3, h = 9, w = 8;
  g_autofree guint8 *img = make_image (c, h, w);
  CnnAugmentParams p = { .angle = 23, .shift_y = 1.3, .shift_x = -2.1, .zoom_y = 0.9,
                         .zoom_x = 1.15, .hflip = TRUE };
  for (gsize f = 0; f < G_N_ELEMENTS (all_fills); f++)
    {
      g_autofree float *rgb = apply (&p, all_fills[f], 40, img, c, h, w);
      for (int ch = 0; ch < c; ch++)
        {
          g_autofree float *one = apply (&p, all_fills[f], 40, img + ch * h * w, 1, h, w);
          g_assert_true (memcmp (one, rgb + ch * h * w, sizeof (float) * h * w) == 0);
        }
    }
  /* a uniform color stays that color under any transform (nearest fill) */
  g_autofree guint8 *flat = g_new (guint8, c * h * w);
  for (int i = 0; i < c * h * w; i++)
    flat[i] = (guint8) (10 + 20 * (i / (h * w)));
  g_autofree float *out = apply (&p, CNN_FILL_NEAREST, 0, flat, c, h, w);
  for (int i = 0; i < c * h * w; i++)
    g_assert_cmpfloat (out[i], ==, flat[i]);
}

static void
test_out_of_range_params (void)
{
  /* a shift far beyond any image, or not a number, is refused with a
   * critical and dst is left alone */
  guint8 img[4] = { 1, 2, 3, 4 };
  float out[4] = { -1, -1, -1, -1 };
  CnnAugmentParams p = identity;
  p.shift_x = 1e9;
  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*map_in_range*");
  cnn_augment_apply (&p, CNN_FILL_NEAREST, 0, img, 1, 2, 2, out);
  p.shift_x = NAN;
  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*map_in_range*");
  cnn_augment_apply (&p, CNN_FILL_NEAREST, 0, img, 1, 2, 2, out);
  g_test_assert_expected_messages ();
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat (out[i], ==, -1);
}

/* ---------- parsing ---------- */

static void
test_parse (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnAugment) a = cnn_augment_parse ("rotation=15,width-shift=0.1,height-shift=0.2,"
                                                "hflip,vflip,zoom=0.1,fill=reflect", &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (a->rotation, ==, 15);
  g_assert_cmpfloat (a->width_shift, ==, 0.1);
  g_assert_cmpfloat (a->height_shift, ==, 0.2);
  g_assert_cmpfloat (a->zoom, ==, 0.1);
  g_assert_true (a->hflip && a->vflip);
  g_assert_cmpint (a->fill, ==, CNN_FILL_REFLECT);
  g_assert_false (cnn_augment_is_off (a));
  g_autofree char *text = cnn_augment_describe (a);
  g_assert_cmpstr (text, ==, "rotation=15,width-shift=0.1,height-shift=0.2,zoom=0.1,hflip,vflip,"
                   "fill=reflect");

  /* any subset, any order, Keras' underscores; the text reads back the same */
  const char *good[] = { "hflip", " zoom=0.25 , rotation=7.5 ", "width_shift=0.125",
                         "fill=constant,cval=127.5,vflip", "cval=3,fill=constant,rotation=180",
                         "height-shift=1", "rotation=0.1234567891", "fill=wrap,hflip" };
  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (CnnAugment) b = cnn_augment_parse (good[i], &error);
      g_assert_no_error (error);
      g_autofree char *d = cnn_augment_describe (b);
      g_autoptr (CnnAugment) back = cnn_augment_parse (d, &error);
      g_assert_no_error (error);
      g_assert_true (memcmp (b, back, sizeof *b) == 0);
    }
  g_autoptr (CnnAugment) c = cnn_augment_parse ("fill=constant,cval=127.5,vflip", NULL);
  g_autofree char *ctext = cnn_augment_describe (c);
  g_assert_cmpstr (ctext, ==, "vflip,fill=constant,cval=127.5");

  /* off */
  const char *off[] = { "none", "", "  NONE ", NULL };
  for (gsize i = 0; i < G_N_ELEMENTS (off); i++)
    {
      g_autoptr (CnnAugment) n = cnn_augment_parse (off[i], &error);
      g_assert_no_error (error);
      g_assert_true (cnn_augment_is_off (n));
      g_autofree char *d = cnn_augment_describe (n);
      g_assert_cmpstr (d, ==, "none");
    }
  g_assert_true (cnn_augment_is_off (NULL));
  /* fill alone changes nothing */
  g_autoptr (CnnAugment) fill_only = cnn_augment_parse ("fill=reflect", NULL);
  g_assert_true (cnn_augment_is_off (fill_only));
}

static void
test_parse_errors (void)
{
  /* each error names the bad item and what is allowed */
  const struct { const char *text, *fragment; } bad[] = {
    { "rotatoin=15", "“rotatoin=15”: unknown setting; use rotation=DEGREES, width-shift=F, "
                     "height-shift=F, zoom=F, hflip, vflip, fill=nearest|constant|reflect|wrap, cval=V" },
    { "rotation=abc", "“rotation=abc”: rotation takes degrees from 0 to 180" },
    { "rotation=200", "rotation takes degrees from 0 to 180" },
    { "rotation=-1", "rotation takes degrees" },
    { "rotation=15x", "“rotation=15x”" },
    { "rotation=nan", "rotation takes" },
    { "rotation=inf", "rotation takes" },
    { "width-shift=1.5", "width-shift takes a fraction of the width from 0 to 1" },
    { "height-shift=-0.1", "height-shift takes a fraction of the height" },
    { "zoom=1", "zoom takes a number from 0 up to (not including) 1" },
    { "hflip=1", "hflip takes no value" },
    { "vflip=yes", "vflip takes no value" },
    { "fill=mirror", "“fill=mirror”: fill is nearest, constant, reflect or wrap" },
    { "rotation", "rotation needs a value" },
    { "zoom=", "zoom needs a value" },
    { "rotation=15,,hflip", "an item is empty" },
    { "hflip,", "an item is empty" },
    { "zoom=0.1,zoom=0.2", "“zoom=0.2”: zoom is given twice" },
    { "cval=3", "cval applies only with fill=constant" },
    { "fill=constant,cval=300", "cval takes a pixel value from 0 to 255" },
    { "none,hflip", "“none”: unknown setting" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      CnnAugment *a = cnn_augment_parse (bad[i].text, &error);
      g_assert_null (a);
      g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
      if (strstr (error->message, bad[i].fragment) == NULL || strchr (error->message, '\n'))
        g_error ("“%s”: message “%s” lacks “%s”", bad[i].text, error->message, bad[i].fragment);
    }
}

/* ---------- drawing and determinism ---------- */

static void
test_draw_ranges (void)
{
  g_autoptr (CnnAugment) a = cnn_augment_parse ("rotation=10,width-shift=0.2,height-shift=0.1,"
                                                "zoom=0.3,hflip", NULL);
  const int h = 20, w = 30, n = 4000;
  int hflips = 0, neg_angle = 0, neg_sx = 0, neg_sy = 0, zoom_differs = 0;
  double max_angle = 0, max_sx = 0, max_sy = 0, min_zoom = 2, max_zoom = 0;
  for (int i = 0; i < n; i++)
    {
      CnnAugmentParams p;
      cnn_augment_draw (a, 5, 1 + i % 3, i, h, w, &p);
      g_assert_cmpfloat (fabs (p.angle), <=, 10);
      g_assert_cmpfloat (fabs (p.shift_x), <=, 0.2 * w);
      g_assert_cmpfloat (fabs (p.shift_y), <=, 0.1 * h);
      g_assert_false (p.vflip);
      hflips += p.hflip;
      neg_angle += p.angle < 0;
      neg_sx += p.shift_x < 0;
      neg_sy += p.shift_y < 0;
      zoom_differs += p.zoom_x != p.zoom_y;
      max_angle = MAX (max_angle, fabs (p.angle));
      max_sx = MAX (max_sx, fabs (p.shift_x));
      max_sy = MAX (max_sy, fabs (p.shift_y));
      min_zoom = MIN (min_zoom, MIN (p.zoom_x, p.zoom_y));
      max_zoom = MAX (max_zoom, MAX (p.zoom_x, p.zoom_y));
    }
  /* uniform draws: 4000 of them reach within 1 % of each end, and each
   * coin comes up about half the time (±5 %, over 6 standard deviations) */
  g_assert_cmpfloat (max_angle, >, 9.9);
  g_assert_cmpfloat (max_sx, >, 0.99 * 0.2 * w);
  g_assert_cmpfloat (max_sy, >, 0.99 * 0.1 * h);
  g_assert_cmpfloat (min_zoom, >=, 0.7);
  g_assert_cmpfloat (min_zoom, <, 0.71);
  g_assert_cmpfloat (max_zoom, <=, 1.3);
  g_assert_cmpfloat (max_zoom, >, 1.29);
  const int counts[] = { hflips, neg_angle, neg_sx, neg_sy };
  for (gsize i = 0; i < G_N_ELEMENTS (counts); i++)
    g_assert_cmpint (abs (counts[i] - n / 2), <, n / 20);
  /* the two zoom factors are drawn independently */
  g_assert_cmpint (zoom_differs, ==, n);
}

static CnnImageSet *
make_set (int n, int c, int h, int w)
{
  CnnImageSet *set = cnn_image_set_new (n, c, h, w);
  for (gsize i = 0; i < (gsize) n * c * h * w; i++)
    set->pixels[i] = (guint8) ((i * 131 + i / 7) % 256);
  for (int i = 0; i < n; i++)
    set->labels[i] = (guint8) (i % 10);
  return set;
}

static void
test_seeded (void)
{
  g_autoptr (CnnImageSet) set = make_set (20, 3, 10, 12);
  g_autoptr (CnnAugment) a = cnn_augment_parse ("rotation=20,width-shift=0.1,height-shift=0.1,"
                                                "zoom=0.1,hflip,vflip", NULL);
  const gsize chw = 3 * 10 * 12;
  g_autofree float *one = g_new (float, 20 * chw);
  g_autofree float *again = g_new (float, 20 * chw);
  g_autofree float *other_seed = g_new (float, 20 * chw);
  g_autofree float *other_epoch = g_new (float, 20 * chw);
  for (int i = 0; i < 20; i++)
    {
      cnn_augment_sample (a, 7, 2, set, i, NULL, one + i * chw);
      cnn_augment_sample (a, 7, 2, set, i, NULL, again + i * chw);
      cnn_augment_sample (a, 8, 2, set, i, NULL, other_seed + i * chw);
      cnn_augment_sample (a, 7, 3, set, i, NULL, other_epoch + i * chw);
    }
  g_assert_true (memcmp (one, again, 20 * chw * sizeof (float)) == 0);
  /* each image differs with another seed or epoch (a draw that leaves an
   * image unchanged in both is vanishingly unlikely with these ranges) */
  for (int i = 0; i < 20; i++)
    {
      g_assert_false (memcmp (one + i * chw, other_seed + i * chw, chw * sizeof (float)) == 0);
      g_assert_false (memcmp (one + i * chw, other_epoch + i * chw, chw * sizeof (float)) == 0);
    }

  /* a batch's images do not depend on the batch they are in, nor on their
   * place in it: gather in two uneven batches, reversed, equals sample */
  int idx[20];
  for (int i = 0; i < 20; i++)
    idx[i] = 19 - i;
  g_autofree float *batched = g_new (float, 20 * chw);
  cnn_augment_gather (a, 7, 2, set, idx, 7, batched);
  cnn_augment_gather (a, 7, 2, set, idx + 7, 13, batched + 7 * chw);
  for (int k = 0; k < 20; k++)
    g_assert_true (memcmp (batched + k * chw, one + idx[k] * chw, chw * sizeof (float)) == 0);
}

static void
test_normalizer_apply (void)
{
  /* standardizing float bytes gives what gather gives from the bytes, bit
   * for bit, in every mode; and sample with a normalizer is sample, then
   * apply */
  g_autoptr (CnnImageSet) set = make_set (12, 3, 5, 4);
  const gsize chw = 3 * 5 * 4;
  const CnnStandardize modes[] = { CNN_STANDARDIZE_SCALE, CNN_STANDARDIZE_PIXEL,
                                   CNN_STANDARDIZE_CHANNEL, CNN_STANDARDIZE_NONE };
  g_autoptr (CnnAugment) a = cnn_augment_parse ("rotation=30,zoom=0.2", NULL);
  for (gsize m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autoptr (CnnNormalizer) nz = cnn_normalizer_new_fit (modes[m], set, NULL, 0);
      g_autofree float *gathered = g_new (float, 12 * chw);
      g_autofree float *applied = g_new (float, 12 * chw);
      cnn_normalizer_gather (nz, set, NULL, 12, gathered);
      for (gsize j = 0; j < 12 * chw; j++)
        applied[j] = set->pixels[j];
      cnn_normalizer_apply (nz, applied, 12);
      g_assert_true (memcmp (gathered, applied, 12 * chw * sizeof (float)) == 0);

      /* augmentation off: sample is the plain gather */
      float plain[60], aug[60], raw[60];
      cnn_augment_sample (NULL, 1, 1, set, 4, nz, plain);
      g_assert_true (memcmp (plain, gathered + 4 * chw, sizeof plain) == 0);
      cnn_augment_sample (a, 1, 1, set, 4, nz, aug);
      cnn_augment_sample (a, 1, 1, set, 4, NULL, raw);
      cnn_normalizer_apply (nz, raw, 1);
      g_assert_true (memcmp (aug, raw, sizeof aug) == 0);
    }
}

/* ---------- the prefetch worker ---------- */

static void
test_prefetch (void)
{
  g_autoptr (CnnImageSet) set = make_set (50, 1, 28, 28);
  g_autoptr (CnnNormalizer) nz = cnn_normalizer_new_fit (CNN_STANDARDIZE_PIXEL, set, NULL, 0);
  g_autoptr (CnnAugment) a = cnn_augment_parse ("rotation=15,width-shift=0.1,hflip", NULL);
  g_autoptr (GError) error = NULL;
  const gsize chw = 28 * 28;
  int idx[50];
  for (int i = 0; i < 50; i++)
    idx[i] = (i * 17) % 50;
  g_autofree float *want = g_new (float, 16 * chw);
  {
    g_autoptr (CnnPrefetch) pf = cnn_prefetch_new (set, nz, a, 9, 16, &error);
    g_assert_no_error (error);
    /* batches of 16, 16, 16 and 2, epochs 1 and 2, posted one ahead like
     * the trainer; each equals augment + standardize done here */
    const guint8 *labels;
    for (int epoch = 1; epoch <= 2; epoch++)
      {
        cnn_prefetch_post (pf, epoch, idx, 16);
        for (int start = 0; start < 50; start += 16)
          {
            int count = MIN (16, 50 - start);
            const float *x = cnn_prefetch_wait (pf, &labels);
            if (start + 16 < 50)
              cnn_prefetch_post (pf, epoch, idx + start + 16, MIN (16, 50 - start - 16));
            cnn_augment_gather (a, 9, epoch, set, idx + start, count, want);
            cnn_normalizer_apply (nz, want, count);
            g_assert_true (memcmp (x, want, count * chw * sizeof (float)) == 0);
            for (int k = 0; k < count; k++)
              g_assert_cmpint (labels[k], ==, set->labels[idx[start + k]]);
          }
      }
    /* freed with a batch in flight: the worker stops and is joined */
    cnn_prefetch_post (pf, 3, idx, 16);
  }
}

/* ---------- the trainer ---------- */

typedef struct
{
  int steps, stop_after;
} Steps;

static void
count_step (const CnnStepInfo *info, gpointer data)
{
  ((Steps *) data)->steps++;
}

static gboolean
stop_after (gpointer data)
{
  Steps *s = data;
  return s->stop_after > 0 && s->steps >= s->stop_after;
}

/* cnn2 on 600 synthetic images, 2 epochs; the final weights */
static float *
train (const char *augment, int threads, int stop, size_t *n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnDataset) ds = cnn_dataset_new_synthetic (3, 600, 0);
  g_autoptr (CnnNetwork) net = cnn_network_new (cnn_preset_get_text ("cnn2"), "cnn2",
                                                (CnnShape) { 1, 28, 28 }, ds->n_classes, &error);
  g_assert_no_error (error);
  cnn_network_init_params (net, 3);
  g_autofree int *train_idx = NULL, *val_idx = NULL;
  int n_train, n_val;
  cnn_split_stratified (ds->train, ds->n_classes, 0.1, 3, &train_idx, &n_train, &val_idx, &n_val);
  g_autoptr (CnnNormalizer) nz = cnn_normalizer_new_fit (CNN_STANDARDIZE_PIXEL, ds->train,
                                                         train_idx, n_train);
  g_autoptr (CnnAugment) aug = augment ? cnn_augment_parse (augment, &error) : NULL;
  g_assert_no_error (error);
  CnnTrainConfig c = { .epochs = 2, .batch_size = 64, .seed = 3, .threads = threads,
                       .augment = aug };
  g_assert_true (cnn_optimizer_config_init (&c.optimizer, "adam", NULL));
  g_autoptr (CnnTrainer) t = cnn_trainer_new (net, ds->train, nz, train_idx, n_train, val_idx,
                                              n_val, &c, &error);
  g_assert_no_error (error);
  g_clear_pointer (&aug, cnn_augment_free);   /* the trainer keeps its own copy */
  Steps steps = { .stop_after = stop };
  CnnTrainCallbacks cb = { count_step, NULL, stop_after, &steps };
  gboolean ok = cnn_trainer_run (t, &cb, &error);
  if (stop > 0)
    {
      g_assert_false (ok);
      g_assert_error (error, CNN_ERROR, CNN_ERROR_CANCELLED);
      g_assert_cmpint (steps.steps, ==, stop);
    }
  else
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpint (steps.steps, ==, 2 * ((n_train + 63) / 64));
    }
  *n = cnn_network_get_n_params (net);
  return g_memdup2 (cnn_network_get_params (net), *n * sizeof (float));
}

static void
test_trainer (void)
{
  const char *spec = "rotation=10,width-shift=0.1,height-shift=0.1,zoom=0.1,hflip";
  size_t n1, n2, n3, n4, n5;
  g_autofree float *a = train (spec, 2, 0, &n1);
  g_autofree float *b = train (spec, 2, 0, &n2);
  g_autofree float *none = train (NULL, 2, 0, &n3);
  g_autofree float *off = train ("none", 2, 0, &n4);
  g_assert_cmpuint (n1, ==, n2);
  /* the same seed and threads: the same numbers, whatever the worker's timing */
  g_assert_true (memcmp (a, b, n1 * sizeof (float)) == 0);
  /* augmentation changes what is learned; "none" is no augmentation */
  g_assert_false (memcmp (a, none, n1 * sizeof (float)) == 0);
  g_assert_true (memcmp (none, off, n1 * sizeof (float)) == 0);
  /* stopped mid-epoch with a batch in preparation: a clean stop */
  g_autofree float *stopped = train (spec, 1, 3, &n5);
  for (size_t i = 0; i < n5; i++)
    g_assert_true (isfinite (stopped[i]));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/augment/identity", test_identity);
  g_test_add_func ("/augment/flips", test_flips);
  g_test_add_func ("/augment/right-angles", test_right_angles);
  g_test_add_func ("/augment/shifts", test_shifts);
  g_test_add_func ("/augment/zoom", test_zoom);
  g_test_add_func ("/augment/constant-outside", test_constant_outside);
  g_test_add_func ("/augment/color-aligned", test_color_aligned);
  g_test_add_func ("/augment/out-of-range-params", test_out_of_range_params);
  g_test_add_func ("/augment/parse", test_parse);
  g_test_add_func ("/augment/parse-errors", test_parse_errors);
  g_test_add_func ("/augment/draw-ranges", test_draw_ranges);
  g_test_add_func ("/augment/seeded", test_seeded);
  g_test_add_func ("/augment/normalizer-apply", test_normalizer_apply);
  g_test_add_func ("/augment/prefetch", test_prefetch);
  g_test_add_func ("/augment/trainer", test_trainer);
  return g_test_run ();
}
