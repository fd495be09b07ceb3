/* test-image.c: PNG of every color type and JPEG decoded from files the
 * test writes, header peeks, broken and hostile files, and resizing against
 * hand-computed values. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <png.h>
#include <string.h>
#include <zlib.h>

#include "cnn-error.h"
#include "cnn-image.h"
#include "cnn-rng.h"
#include "cnn-test-images.h"

static char *tmpdir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

/* ---------- PNG color types ---------- */

typedef struct
{
  const char *name;
  int         color_type, bit_depth;
  gboolean    interlace, palette, trans;
  int         expect_c;
} PngCase;

static const PngCase png_cases[] = {
  { "gray1", PNG_COLOR_TYPE_GRAY, 1, FALSE, FALSE, FALSE, 1 },
  { "gray2", PNG_COLOR_TYPE_GRAY, 2, FALSE, FALSE, FALSE, 1 },
  { "gray4", PNG_COLOR_TYPE_GRAY, 4, FALSE, FALSE, FALSE, 1 },
  { "gray8", PNG_COLOR_TYPE_GRAY, 8, FALSE, FALSE, FALSE, 1 },
  { "gray16", PNG_COLOR_TYPE_GRAY, 16, FALSE, FALSE, FALSE, 1 },
  { "gray8-trns", PNG_COLOR_TYPE_GRAY, 8, FALSE, FALSE, TRUE, 1 },
  { "gray2-trns", PNG_COLOR_TYPE_GRAY, 2, FALSE, FALSE, TRUE, 1 },
  { "gray-alpha8", PNG_COLOR_TYPE_GRAY_ALPHA, 8, FALSE, FALSE, FALSE, 1 },
  { "gray-alpha16", PNG_COLOR_TYPE_GRAY_ALPHA, 16, FALSE, FALSE, FALSE, 1 },
  { "rgb8", PNG_COLOR_TYPE_RGB, 8, FALSE, FALSE, FALSE, 3 },
  { "rgb16", PNG_COLOR_TYPE_RGB, 16, FALSE, FALSE, FALSE, 3 },
  { "rgb8-trns", PNG_COLOR_TYPE_RGB, 8, FALSE, FALSE, TRUE, 3 },
  { "rgba8", PNG_COLOR_TYPE_RGB_ALPHA, 8, FALSE, FALSE, FALSE, 3 },
  { "rgba16", PNG_COLOR_TYPE_RGB_ALPHA, 16, FALSE, FALSE, FALSE, 3 },
  { "palette8", PNG_COLOR_TYPE_PALETTE, 8, FALSE, TRUE, FALSE, 3 },
  { "palette4-trns", PNG_COLOR_TYPE_PALETTE, 4, FALSE, TRUE, TRUE, 3 },
  { "palette1", PNG_COLOR_TYPE_PALETTE, 1, FALSE, TRUE, FALSE, 3 },
  { "interlaced-rgb8", PNG_COLOR_TYPE_RGB, 8, TRUE, FALSE, FALSE, 3 },
  { "interlaced-gray1", PNG_COLOR_TYPE_GRAY, 1, TRUE, FALSE, FALSE, 1 },
  { "interlaced-palette8-trns", PNG_COLOR_TYPE_PALETTE, 8, TRUE, TRUE, TRUE, 3 },
  { "interlaced-rgba16", PNG_COLOR_TYPE_RGB_ALPHA, 16, TRUE, FALSE, FALSE, 3 },
};

/* 16-bit to 8: round(v · 255 / 65535), what png_set_scale_16 computes */
static int
to8 (int v, int depth)
{
  if (depth == 16)
    return (v * 255 + 32767) / 65535;
  return v * 255 / ((1 << depth) - 1);
}

static void
test_png_color_types (void)
{
  /* odd sizes so that packed rows end mid-byte and Adam7 passes are uneven */
  const int w = 11, h = 7;
  CnnRng rng;
  cnn_rng_init (&rng, 5, 0);
  for (gsize t = 0; t < G_N_ELEMENTS (png_cases); t++)
    {
      const PngCase *pc = &png_cases[t];
      int ch = pc->color_type == PNG_COLOR_TYPE_GRAY || pc->color_type == PNG_COLOR_TYPE_PALETTE ? 1
               : pc->color_type == PNG_COLOR_TYPE_GRAY_ALPHA ? 2
               : pc->color_type == PNG_COLOR_TYPE_RGB ? 3 : 4;
      int max = (1 << pc->bit_depth) - 1;
      int n_palette = MIN (max + 1, 13);
      guint8 palette[13 * 3], trans[13];
      for (int i = 0; i < n_palette; i++)
        {
          palette[3 * i] = (guint8) (20 * i);
          palette[3 * i + 1] = (guint8) (255 - 7 * i);
          palette[3 * i + 2] = (guint8) (i * i);
          trans[i] = (guint8) (i * 19);   /* transparency must not change the colors */
        }
      g_autofree guint16 *samples = g_new (guint16, w * h * ch);   /* (h, w, ch) */
      for (int i = 0; i < w * h * ch; i++)
        samples[i] = (guint16) (pc->palette ? cnn_rng_below (&rng, n_palette)
                                            : cnn_rng_below (&rng, max + 1));
      samples[0] = 0;                       /* the extremes, at least once */
      samples[ch] = pc->palette ? (guint16) (n_palette - 1) : (guint16) max;
      CnnTestPng p = { .w = w, .h = h, .color_type = pc->color_type, .bit_depth = pc->bit_depth,
                       .interlace = pc->interlace, .samples = samples };
      if (pc->palette)
        {
          p.palette = palette;
          p.n_palette = n_palette;
          if (pc->trans)
            {
              p.trans = trans;
              p.n_trans = n_palette;
            }
        }
      else if (pc->trans)
        {
          p.trans_color = TRUE;
          p.trans_value[0] = samples[0];
          p.trans_value[1] = samples[1 % ch];
          p.trans_value[2] = samples[2 % ch];
        }
      g_autofree char *name = g_strconcat (pc->name, ".png", NULL);
      g_autofree char *path = tmp_path (name);
      cnn_test_write_png (path, &p);

      GError *error = NULL;
      CnnImageInfo info;
      g_assert_true (cnn_image_peek (path, &info, &error));
      g_assert_no_error (error);
      g_assert_cmpint (info.format, ==, CNN_IMAGE_FORMAT_PNG);
      g_assert_cmpint (info.w, ==, w);
      g_assert_cmpint (info.h, ==, h);
      g_assert_cmpint (info.color, ==, pc->expect_c == 3);

      g_autoptr (CnnImage) img = cnn_image_load (path, &error);
      g_assert_no_error (error);
      g_test_message ("%s: %d channels", pc->name, img->c);
      g_assert_cmpint (img->c, ==, pc->expect_c);
      g_assert_cmpint (img->w, ==, w);
      g_assert_cmpint (img->h, ==, h);
      for (int i = 0; i < w * h; i++)
        for (int k = 0; k < img->c; k++)
          {
            const guint16 *s = samples + i * ch;
            int expect = pc->palette ? palette[3 * s[0] + k] : to8 (s[k], pc->bit_depth);
            int got = img->pixels[k * w * h + i];
            if (got != expect)
              g_error ("%s: pixel %d channel %d is %d, expected %d", pc->name, i, k, got, expect);
          }
    }
}

/* A palette of grays decodes to one channel, and peek agrees. */
static void
test_png_gray_palette (void)
{
  const guint8 palette[] = { 0, 0, 0, 80, 80, 80, 255, 255, 255 };
  const guint16 samples[] = { 0, 1, 2, 2, 1, 0 };
  CnnTestPng p = { .w = 3, .h = 2, .color_type = PNG_COLOR_TYPE_PALETTE, .bit_depth = 8,
                   .samples = samples, .palette = palette, .n_palette = 3 };
  g_autofree char *path = tmp_path ("gray-palette.png");
  cnn_test_write_png (path, &p);
  CnnImageInfo info;
  g_assert_true (cnn_image_peek (path, &info, NULL));
  g_assert_false (info.color);
  g_autoptr (CnnImage) img = cnn_image_load (path, NULL);
  g_assert_nonnull (img);
  g_assert_cmpint (img->c, ==, 1);
  const guint8 expect[] = { 0, 80, 255, 255, 80, 0 };
  g_assert_cmpmem (img->pixels, 6, expect, 6);
}

/* ---------- JPEG ---------- */

/* Mean and largest absolute difference of two byte arrays. */
static void
compare (const guint8 *a, const guint8 *b, gsize n, double *mean, int *max)
{
  double sum = 0;
  *max = 0;
  for (gsize i = 0; i < n; i++)
    {
      int d = abs ((int) a[i] - (int) b[i]);
      sum += d;
      *max = MAX (*max, d);
    }
  *mean = sum / n;
}

/* Smooth planes (c, h, w): JPEG keeps them well. */
static guint8 *
smooth_planes (int c, int h, int w)
{
  guint8 *p = g_new (guint8, (gsize) c * h * w);
  for (int k = 0; k < c; k++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        p[((gsize) k * h + y) * w + x] =
          (guint8) (128 + 100 * sin (0.15 * x + 0.1 * y + 2.0 * k) * cos (0.07 * y - k));
  return p;
}

static void
test_jpeg (void)
{
  const int w = 40, h = 24;   /* not multiples of 16: partial MCUs */
  for (int c = 1; c <= 3; c += 2)
    {
      g_autofree guint8 *src = smooth_planes (c, h, w);
      g_autofree char *path = tmp_path (c == 1 ? "gray.jpg" : "color.jpg");
      cnn_test_write_jpeg_planes (path, c, h, w, src, 95);
      CnnImageInfo info;
      g_assert_true (cnn_image_peek (path, &info, NULL));
      g_assert_cmpint (info.format, ==, CNN_IMAGE_FORMAT_JPEG);
      g_assert_cmpint (info.w, ==, w);
      g_assert_cmpint (info.h, ==, h);
      g_assert_cmpint (info.color, ==, c == 3);
      GError *error = NULL;
      g_autoptr (CnnImage) img = cnn_image_load (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (img->c, ==, c);
      g_assert_cmpint (img->w, ==, w);
      g_assert_cmpint (img->h, ==, h);
      double mean;
      int max;
      compare (img->pixels, src, (gsize) c * h * w, &mean, &max);
      g_test_message ("JPEG %d channels: mean error %.2f, max %d", c, mean, max);
      /* quality 95 on smooth images: 0.4 gray levels on average (max 2)
       * for gray, 1.6 (max 19) for color, whose chroma is subsampled; 3 and
       * 32 leave room for other libjpeg builds */
      g_assert_cmpfloat (mean, <, 3.0);
      g_assert_cmpint (max, <=, 32);
    }

  /* CMYK stored inverted (Adobe): ink 255 - c; RGB = (255 - C)(255 - K)/255 */
  g_autofree guint8 *rgb = smooth_planes (3, h, w);
  g_autofree guint8 *cmyk = g_new (guint8, (gsize) 4 * h * w);   /* (h, w, 4), inverted */
  for (int i = 0; i < h * w; i++)
    {
      for (int k = 0; k < 3; k++)
        cmyk[4 * i + k] = rgb[k * h * w + i];     /* inverted C = 255 - (255 - R) */
      cmyk[4 * i + 3] = 255;                       /* no black */
    }
  g_autofree char *path = tmp_path ("cmyk.jpg");
  cnn_test_write_jpeg (path, 4, h, w, cmyk, 95);
  GError *error = NULL;
  g_autoptr (CnnImage) img = cnn_image_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (img->c, ==, 3);
  double mean;
  int max;
  compare (img->pixels, rgb, (gsize) 3 * h * w, &mean, &max);
  g_test_message ("JPEG CMYK: mean error %.2f, max %d", mean, max);
  /* CMYK is not subsampled: as close as gray (0.3 on average, max 2) */
  g_assert_cmpfloat (mean, <, 3.0);
  g_assert_cmpint (max, <=, 32);
}

/* ---------- broken and hostile files ---------- */

static guint32
crc_of (const guint8 *p, gsize n)
{
  return (guint32) crc32 (0, p, (uInt) n);
}

/* A valid PNG whose IHDR claims w×h (CRC fixed, so only the size is wrong). */
static GBytes *
png_with_size (guint32 w, guint32 h)
{
  g_autofree char *path = tmp_path ("small.png");
  const guint8 px[4] = { 1, 2, 3, 4 };
  cnn_test_write_png_planes (path, 1, 2, 2, px);
  g_autoptr (GBytes) b = cnn_test_read_bytes (path);
  gsize len;
  guint8 *d = g_memdup2 (g_bytes_get_data (b, &len), g_bytes_get_size (b));
  guint8 be[8] = { w >> 24, w >> 16, w >> 8, w, h >> 24, h >> 16, h >> 8, h };
  memcpy (d + 16, be, 8);
  guint32 crc = crc_of (d + 12, 17);
  guint8 cb[4] = { crc >> 24, crc >> 16, crc >> 8, crc };
  memcpy (d + 29, cb, 4);
  return g_bytes_new_take (d, len);
}

static void
expect_broken (const char *name, const void *data, gsize len, const char *problem)
{
  g_autofree char *path = tmp_path (name);
  cnn_test_write_bytes (path, data, len);
  GError *error = NULL;
  CnnImageInfo info;
  gboolean peeked = cnn_image_peek (path, &info, &error);
  if (!peeked)
    {
      g_assert_true (g_error_matches (error, CNN_ERROR, CNN_ERROR_FORMAT));
      g_assert_nonnull (strstr (error->message, path));
      g_clear_error (&error);
    }
  CnnImage *img = cnn_image_load (path, &error);
  g_test_message ("%s: %s", name, error ? error->message : "(no error)");
  g_assert_null (img);
  g_assert_true (g_error_matches (error, CNN_ERROR, CNN_ERROR_FORMAT));
  g_assert_nonnull (strstr (error->message, path));
  if (strstr (error->message, problem) == NULL)
    g_error ("%s: “%s” lacks “%s”", name, error->message, problem);
  g_assert_null (strchr (error->message, '\n'));
  g_error_free (error);
}

static void
test_broken (void)
{
  g_autofree guint8 *src = smooth_planes (3, 16, 16);
  g_autofree char *png_path = tmp_path ("good.png");
  g_autofree char *jpg_path = tmp_path ("good.jpg");
  cnn_test_write_png_planes (png_path, 3, 16, 16, src);
  cnn_test_write_jpeg_planes (jpg_path, 3, 16, 16, src, 90);
  g_autoptr (GBytes) png = cnn_test_read_bytes (png_path);
  g_autoptr (GBytes) jpg = cnn_test_read_bytes (jpg_path);
  const guint8 *pd = g_bytes_get_data (png, NULL), *jd = g_bytes_get_data (jpg, NULL);
  gsize pn = g_bytes_get_size (png), jn = g_bytes_get_size (jpg);

  expect_broken ("empty.png", "", 0, "empty file");
  expect_broken ("text.png", "hello, I am not a picture\n", 26, "not an image");
  expect_broken ("cut-header.png", pd, 20, "truncated PNG");
  expect_broken ("cut.png", pd, pn / 2, "truncated PNG");
  expect_broken ("cut.jpg", jd, jn / 2, "truncated JPEG");
  expect_broken ("cut-header.jpg", jd, 40, "JPEG");
  g_autofree guint8 *bad_crc = g_memdup2 (pd, pn);
  bad_crc[pn - 20] ^= 0x40;   /* inside the last IDAT's data: its CRC fails */
  expect_broken ("crc.png", bad_crc, pn, "damaged PNG");

  /* absurd sizes are refused from the header, before any allocation */
  const guint32 sizes[][2] = { { 100000, 100000 }, { 40000, 1 }, { 20000, 20000 }, { 0, 5 } };
  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr (GBytes) b = png_with_size (sizes[i][0], sizes[i][1]);
      expect_broken ("huge.png", g_bytes_get_data (b, NULL), g_bytes_get_size (b),
                     sizes[i][0] ? "image too large" : "damaged PNG");
    }
  /* a JPEG whose SOF claims 60000×60000: height and width are at bytes
   * 5..8 of the SOF0 segment */
  g_autofree guint8 *big = g_memdup2 (jd, jn);
  for (gsize i = 2; i + 9 < jn; i++)
    if (big[i] == 0xff && big[i + 1] == 0xc0)
      {
        big[i + 5] = big[i + 7] = 0xea;
        big[i + 6] = big[i + 8] = 0x60;
        break;
      }
  expect_broken ("huge.jpg", big, jn, "image too large");

  /* a directory or a missing file is an I/O error, not a format error */
  GError *error = NULL;
  g_assert_null (cnn_image_load ("/nonexistent/x.png", &error));
  g_assert_true (g_error_matches (error, CNN_ERROR, CNN_ERROR_IO));
  g_clear_error (&error);
  CnnImageInfo info;
  g_assert_false (cnn_image_peek ("/nonexistent/x.png", &info, &error));
  g_assert_true (g_error_matches (error, CNN_ERROR, CNN_ERROR_IO));
  g_assert_nonnull (strstr (error->message, "/nonexistent/x.png"));
  g_clear_error (&error);
}

/* Random damage: an image or an error, never a crash, never both unset. */
static void
test_fuzz (void)
{
  g_autofree guint8 *src = smooth_planes (3, 9, 13);
  g_autofree char *png_path = tmp_path ("fuzz.png");
  g_autofree char *jpg_path = tmp_path ("fuzz.jpg");
  cnn_test_write_png_planes (png_path, 3, 9, 13, src);
  cnn_test_write_jpeg_planes (jpg_path, 3, 9, 13, src, 80);
  GBytes *files[2] = { cnn_test_read_bytes (png_path), cnn_test_read_bytes (jpg_path) };
  g_autofree char *path = tmp_path ("fuzzed");
  CnnRng rng;
  cnn_rng_init (&rng, 17, 0);
  int decoded = 0;
  for (int round = 0; round < 600; round++)
    {
      GBytes *f = files[round % 2];
      gsize len = g_bytes_get_size (f);
      g_autofree guint8 *d = g_memdup2 (g_bytes_get_data (f, NULL), len);
      int flips = 1 + (int) cnn_rng_below (&rng, 4);
      for (int i = 0; i < flips; i++)
        d[cnn_rng_below (&rng, (guint32) len)] = (guint8) cnn_rng_next_u32 (&rng);
      if (cnn_rng_below (&rng, 4) == 0)
        len = cnn_rng_below (&rng, (guint32) len + 1);
      GError *error = NULL;
      CnnImage *img = cnn_image_decode (d, len, "fuzzed", &error);
      g_assert_true ((img == NULL) != (error == NULL));
      if (img)
        {
          g_assert_true (img->c == 1 || img->c == 3);
          g_assert_true (img->w >= 1 && img->h >= 1);
          decoded++;
        }
      else
        g_assert_nonnull (strstr (error->message, "fuzzed"));
      cnn_image_free (img);
      g_clear_error (&error);
      cnn_test_write_bytes (path, d, len);
      CnnImageInfo info;
      if (!cnn_image_peek (path, &info, &error))
        g_assert_nonnull (error);
      g_clear_error (&error);
    }
  g_test_message ("%d of 600 damaged files still decoded", decoded);
  g_bytes_unref (files[0]);
  g_bytes_unref (files[1]);
}

/* The format is told by content: a PNG named .jpg is a PNG. */
static void
test_sniff (void)
{
  const guint8 px[3] = { 10, 20, 30 };
  g_autofree char *path = tmp_path ("really-a-png.jpg");
  cnn_test_write_png_planes (path, 1, 1, 3, px);
  CnnImageInfo info;
  g_assert_true (cnn_image_peek (path, &info, NULL));
  g_assert_cmpint (info.format, ==, CNN_IMAGE_FORMAT_PNG);
  g_autoptr (CnnImage) img = cnn_image_load (path, NULL);
  g_assert_nonnull (img);
  g_assert_cmpmem (img->pixels, 3, px, 3);
  const guint8 jpeg_head[] = { 0xff, 0xd8, 0xff, 0xe0 };
  g_assert_cmpint (cnn_image_sniff (jpeg_head, 4), ==, CNN_IMAGE_FORMAT_JPEG);
  g_assert_cmpint (cnn_image_sniff (jpeg_head, 2), ==, CNN_IMAGE_FORMAT_UNKNOWN);
}

/* ---------- resizing ---------- */

static CnnImage *
image_from (int c, int h, int w, const guint8 *pixels)
{
  CnnImage *img = cnn_image_new (c, h, w);
  g_assert_nonnull (img);
  memcpy (img->pixels, pixels, (gsize) c * h * w);
  return img;
}

static void
expect_resize (const CnnImage *src, int c, int h, int w, CnnFit fit, const guint8 *expect)
{
  g_autofree guint8 *out = g_new (guint8, (gsize) c * h * w);
  g_assert_true (cnn_image_resize (src, c, h, w, fit, out));
  for (int i = 0; i < c * h * w; i++)
    if (out[i] != expect[i])
      g_error ("resize %d×%d×%d to %d×%d×%d (%s): value %d is %d, expected %d", src->c, src->h,
               src->w, c, h, w, cnn_fit_name (fit), i, out[i], expect[i]);
}

static void
test_resize_area (void)
{
  /* 4×4 to 2×2: each output is the mean of a 2×2 block, rounded half up */
  const guint8 src[16] = {
    1, 2, 10, 20,
    5, 6, 30, 41,
    0, 0, 255, 255,
    0, 1, 255, 254,
  };
  g_autoptr (CnnImage) img = image_from (1, 4, 4, src);
  /* (1+2+5+6)/4 = 3.5 -> 4; (10+20+30+41)/4 = 25.25 -> 25;
   * (0+0+0+1)/4 = 0.25 -> 0; (255+255+255+254)/4 = 254.75 -> 255 */
  const guint8 expect[4] = { 4, 25, 0, 255 };
  expect_resize (img, 1, 2, 2, CNN_FIT_STRETCH, expect);
  expect_resize (img, 1, 2, 2, CNN_FIT_CROP, expect);

  /* 3 to 2 along a row: partial pixels weighted by their overlap:
   * out0 = (0·1 + 90·0.5) / 1.5 = 30, out1 = (90·0.5 + 180·1) / 1.5 = 150 */
  const guint8 row[3] = { 0, 90, 180 };
  g_autoptr (CnnImage) r = image_from (1, 1, 3, row);
  const guint8 expect_row[2] = { 30, 150 };
  expect_resize (r, 1, 1, 2, CNN_FIT_STRETCH, expect_row);

  /* the same size is the identity */
  expect_resize (img, 1, 4, 4, CNN_FIT_CROP, src);
}

static void
test_resize_bilinear (void)
{
  /* 2×2 to 4×4, half-pixel centers: output x samples source
   * (x + 0.5)/2 - 0.5 = -0.25, 0.25, 0.75, 1.25, clamped to [0, 1], so the
   * weights along each axis are (1, 0), (.75, .25), (.25, .75), (0, 1).
   * Rows [0 100] -> [0 25 75 100] and [200 40] -> [200 160 80 40]; between
   * them .75·top + .25·bottom = [50 58.75 76.25 85] and
   * .25·top + .75·bottom = [150 126.25 78.75 55]. */
  const guint8 src[4] = { 0, 100, 200, 40 };
  g_autoptr (CnnImage) img = image_from (1, 2, 2, src);
  const guint8 expect[16] = {
    0, 25, 75, 100,
    50, 59, 76, 85,
    150, 126, 79, 55,
    200, 160, 80, 40,
  };
  expect_resize (img, 1, 4, 4, CNN_FIT_STRETCH, expect);

  /* growing one axis and shrinking the other: 2 rows to 4 (bilinear), 4
   * columns to 2 (area) */
  const guint8 src2[8] = { 0, 20, 40, 60, 100, 100, 200, 200 };
  g_autoptr (CnnImage) img2 = image_from (1, 2, 4, src2);
  /* columns: [10 50] and [100 200]; rows: 10, .75·10 + .25·100 = 32.5, ... */
  const guint8 expect2[8] = { 10, 50, 33, 88, 78, 163, 100, 200 };
  expect_resize (img2, 1, 4, 2, CNN_FIT_STRETCH, expect2);
}

static void
test_resize_fit (void)
{
  /* 2 rows × 4 columns to 2×2: crop keeps the middle two columns,
   * stretch averages pairs of columns */
  const guint8 src[8] = {
    10, 20, 30, 40,
    50, 60, 70, 80,
  };
  g_autoptr (CnnImage) img = image_from (1, 2, 4, src);
  const guint8 crop[4] = { 20, 30, 60, 70 };
  const guint8 stretch[4] = { 15, 35, 55, 75 };   /* (10+20)/2 … */
  expect_resize (img, 1, 2, 2, CNN_FIT_CROP, crop);
  expect_resize (img, 1, 2, 2, CNN_FIT_STRETCH, stretch);

  /* 5 columns, 1 row, to 1×1 crop: the center pixel; crop box of an odd
   * difference starts at (5 - 1) / 2 = 2 */
  const guint8 row[5] = { 0, 0, 77, 0, 0 };
  g_autoptr (CnnImage) r = image_from (1, 1, 5, row);
  const guint8 center[1] = { 77 };
  expect_resize (r, 1, 1, 1, CNN_FIT_CROP, center);
  const guint8 mean[1] = { 15 };   /* 77 / 5 = 15.4 */
  expect_resize (r, 1, 1, 1, CNN_FIT_STRETCH, mean);

  /* a tall image: crop takes the middle rows (4 rows to 2: rows 1 and 2) */
  const guint8 tall[4] = { 1, 2, 3, 4 };
  g_autoptr (CnnImage) t = image_from (1, 4, 1, tall);
  const guint8 mid[2] = { 2, 3 };
  expect_resize (t, 1, 2, 1, CNN_FIT_CROP, mid);
}

static void
test_resize_channels (void)
{
  /* RGB to gray: 0.299 R + 0.587 G + 0.114 B, rounded */
  const guint8 rgb[12] = {
    255, 0, 0, 10,      /* R plane: red, green, blue, gray pixels */
    0, 255, 0, 10,      /* G */
    0, 0, 255, 10,      /* B */
  };
  g_autoptr (CnnImage) img = image_from (3, 1, 4, rgb);
  /* 76.245 -> 76, 149.685 -> 150, 29.07 -> 29, 10 */
  const guint8 gray[4] = { 76, 150, 29, 10 };
  expect_resize (img, 1, 1, 4, CNN_FIT_CROP, gray);
  expect_resize (img, 3, 1, 4, CNN_FIT_CROP, rgb);

  /* gray to RGB repeats the plane */
  const guint8 g[3] = { 0, 128, 255 };
  g_autoptr (CnnImage) gi = image_from (1, 1, 3, g);
  const guint8 three[9] = { 0, 128, 255, 0, 128, 255, 0, 128, 255 };
  expect_resize (gi, 3, 1, 3, CNN_FIT_CROP, three);

  /* color channels stay apart through a resize: a red image stays red */
  guint8 red[3 * 6 * 6] = { 0 };
  memset (red, 200, 36);
  g_autoptr (CnnImage) ri = image_from (3, 6, 6, red);
  guint8 small_red[3 * 4] = { 200, 200, 200, 200 };
  expect_resize (ri, 3, 2, 2, CNN_FIT_STRETCH, small_red);
  guint8 big_red[3 * 100] = { 0 };
  memset (big_red, 200, 100);
  expect_resize (ri, 3, 10, 10, CNN_FIT_CROP, big_red);
}

static void
test_fit_names (void)
{
  CnnFit fit;
  g_assert_true (cnn_fit_parse ("stretch", &fit, NULL));
  g_assert_cmpint (fit, ==, CNN_FIT_STRETCH);
  g_assert_true (cnn_fit_parse ("CROP", &fit, NULL));
  g_assert_cmpint (fit, ==, CNN_FIT_CROP);
  GError *error = NULL;
  g_assert_false (cnn_fit_parse ("squash", &fit, &error));
  g_assert_nonnull (strstr (error->message, "squash"));
  g_clear_error (&error);
  g_assert_cmpstr (cnn_fit_name (CNN_FIT_CROP), ==, "crop");
  g_assert_cmpstr (cnn_fit_name (CNN_FIT_STRETCH), ==, "stretch");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("convscope-image-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);
  g_test_add_func ("/image/png/color-types", test_png_color_types);
  g_test_add_func ("/image/png/gray-palette", test_png_gray_palette);
  g_test_add_func ("/image/jpeg", test_jpeg);
  g_test_add_func ("/image/broken", test_broken);
  g_test_add_func ("/image/fuzz", test_fuzz);
  g_test_add_func ("/image/sniff", test_sniff);
  g_test_add_func ("/image/resize/area", test_resize_area);
  g_test_add_func ("/image/resize/bilinear", test_resize_bilinear);
  g_test_add_func ("/image/resize/fit", test_resize_fit);
  g_test_add_func ("/image/resize/channels", test_resize_channels);
  g_test_add_func ("/image/fit-names", test_fit_names);
  int status = g_test_run ();
  cnn_test_remove_tree (tmpdir);
  g_free (tmpdir);
  return status;
}
