/* test-export.c: exported files are valid PNG (signature, chunk CRCs, the
 * size at the dpi, a pHYs chunk in pixels per metre), SVG and PDF (header,
 * size in points, trailer); bad names, unwritable folders and failed
 * drawings give errors that name the file and leave no file behind. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <zlib.h>

#include "cnn-error.h"
#include "cnn-render.h"

static char *tmpdir;

/* a figure with a red square in its top left quarter */
static void
draw_square (cairo_t *cr, double width, double height, const CnnRenderStyle *style, gpointer data)
{
  int *calls = data;
  if (calls)
    (*calls)++;
  cairo_set_source_rgb (cr, 1, 0, 0);
  cairo_rectangle (cr, 0, 0, width / 2, height / 2);
  cairo_fill (cr);
}

/* a drawing that leaves its cairo_t in an error state */
static void
draw_broken (cairo_t *cr, double width, double height, const CnnRenderStyle *style, gpointer data)
{
  cairo_restore (cr);   /* without a save: CAIRO_STATUS_INVALID_RESTORE */
}

/* a 4×4 image in a 100×50 rect: for the vector surfaces' upscaled copies */
static void
draw_small_image (cairo_t *cr, double width, double height, const CnnRenderStyle *style,
                  gpointer data)
{
  guint8 px[16];
  for (int i = 0; i < 16; i++)
    px[i] = (guint8) (i * 17);
  CnnRect r = cnn_rect (0, 0, 100, 50);
  cnn_render_draw_bytes (cr, px, 1, 4, 4, &r);
}

/* an image wider than the vector surfaces' upscaled copies may be */
static void
draw_wide_image (cairo_t *cr, double width, double height, const CnnRenderStyle *style,
                 gpointer data)
{
  const int w = 2100;
  g_autofree float *v = g_new (float, 2 * w);   /* (2, w) */
  for (int i = 0; i < 2 * w; i++)
    v[i] = (float) (i % 7);
  CnnRect r = cnn_rect (0, 0, width, height);
  cnn_colormap_draw_values (cr, v, 2, w, CNN_COLORMAP_VIRIDIS, 0, 6, &r);
}

static char *
path_in_tmp (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

/* needle in binary data (g_strstr_len stops at the first NUL) */
static gboolean
contains (const char *data, gsize len, const char *needle)
{
  gsize n = strlen (needle);
  for (gsize i = 0; i + n <= len; i++)
    if (memcmp (data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

static guint32
be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* the folder holds exactly `n` entries (no temporary files left over) */
static void
assert_entries (int n)
{
  g_autoptr (GDir) d = g_dir_open (tmpdir, 0, NULL);
  int count = 0;
  const char *name;
  while ((name = g_dir_read_name (d)))
    count++;
  g_assert_cmpint (count, ==, n);
}

static void
remove_all (void)
{
  g_autoptr (GDir) d = g_dir_open (tmpdir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *p = path_in_tmp (name);
      g_remove (p);
    }
}

static void
test_png (void)
{
  remove_all ();
  g_autofree char *path = path_in_tmp ("fig.png");
  GError *error = NULL;
  int calls = 0;
  /* 192×96 px at 300 dpi: 600×300 pixels */
  g_assert_true (cnn_render_export (path, 192, 96, 300, cnn_render_style_get (CNN_RENDER_STYLE_LIGHT),
                                    draw_square, &calls, &error));
  g_assert_no_error (error);
  g_assert_cmpint (calls, ==, 1);
  assert_entries (1);

  g_autofree guint8 *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, (char **) &data, &len, NULL));
  g_assert_cmpuint (len, >, 8 + 25 + 12);
  g_assert_cmpmem (data, 8, "\x89PNG\r\n\x1a\n", 8);

  /* walk the chunks: each CRC matches, IHDR first, IEND last */
  gsize pos = 8;
  gboolean seen_phys = FALSE, seen_iend = FALSE;
  int n_chunks = 0;
  while (pos + 12 <= len)
    {
      guint32 n = be32 (data + pos);
      g_assert_cmpuint (pos + 12 + n, <=, len);
      const guint8 *type = data + pos + 4, *body = data + pos + 8;
      guint32 crc = (guint32) crc32 (0, type, 4 + n);
      g_assert_cmphex (crc, ==, be32 (body + n));
      if (n_chunks == 0)
        {
          g_assert_cmpmem (type, 4, "IHDR", 4);
          g_assert_cmpuint (be32 (body), ==, 600);
          g_assert_cmpuint (be32 (body + 4), ==, 300);
          g_assert_cmpuint (body[8], ==, 8);   /* bit depth */
        }
      if (memcmp (type, "pHYs", 4) == 0)
        {
          /* 300 dpi = 300 / 0.0254 = 11811 pixels per metre, unit 1 (metre) */
          g_assert_cmpuint (n, ==, 9);
          g_assert_cmpuint (be32 (body), ==, 11811);
          g_assert_cmpuint (be32 (body + 4), ==, 11811);
          g_assert_cmpuint (body[8], ==, 1);
          seen_phys = TRUE;
        }
      if (memcmp (type, "IEND", 4) == 0)
        {
          seen_iend = TRUE;
          g_assert_cmpuint (pos + 12 + n, ==, len);
        }
      pos += 12 + n;
      n_chunks++;
    }
  g_assert_true (seen_phys);
  g_assert_true (seen_iend);

  /* it decodes, and the square is where the drawing put it, scaled */
  cairo_surface_t *s = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (s), ==, 600);
  const guint32 *px = (const guint32 *) cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s) / 4;
  g_assert_cmphex (px[10 * stride + 10] & 0xffffff, ==, 0xff0000);
  g_assert_cmphex (px[149 * stride + 299] & 0xffffff, ==, 0xff0000);
  g_assert_cmphex (px[150 * stride + 300] & 0xffffff, ==, 0xffffff);   /* background */
  g_assert_cmphex (px[10 * stride + 300] & 0xffffff, ==, 0xffffff);
  cairo_surface_destroy (s);

  /* dark style, 96 dpi: 1 px = 1 pixel, the background painted dark;
   * 100×50 at 150 dpi rounds to 156×78 */
  g_autofree char *dark = path_in_tmp ("dark.PNG");
  g_assert_true (cnn_render_export (dark, 100, 50, 96, cnn_render_style_get (CNN_RENDER_STYLE_DARK),
                                    draw_square, NULL, &error));
  s = cairo_image_surface_create_from_png (dark);
  g_assert_cmpint (cairo_image_surface_get_width (s), ==, 100);
  g_assert_cmpint (cairo_image_surface_get_height (s), ==, 50);
  px = (const guint32 *) cairo_image_surface_get_data (s);
  g_assert_cmphex (px[cairo_image_surface_get_stride (s) / 4 * 40 + 90] & 0xffffff, ==, 0x1e1e1e);
  cairo_surface_destroy (s);
  g_assert_true (cnn_render_export (dark, 100, 50, 150, cnn_render_style_get (CNN_RENDER_STYLE_DARK),
                                    draw_square, NULL, &error));
  s = cairo_image_surface_create_from_png (dark);
  g_assert_cmpint (cairo_image_surface_get_width (s), ==, 156);
  g_assert_cmpint (cairo_image_surface_get_height (s), ==, 78);
  cairo_surface_destroy (s);
  assert_entries (2);
}

static void
test_svg (void)
{
  remove_all ();
  g_autofree char *path = path_in_tmp ("fig.svg");
  GError *error = NULL;
  /* 200×100 px = 150×75 pt */
  g_assert_true (cnn_render_export (path, 200, 100, 300, cnn_render_style_get (CNN_RENDER_STYLE_PRINT),
                                    draw_small_image, NULL, &error));
  g_assert_no_error (error);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "<?xml"));
  const char *svg = strstr (text, "<svg");
  g_assert_nonnull (svg);
  g_assert_nonnull (strstr (svg, "width=\"150pt\""));
  g_assert_nonnull (strstr (svg, "height=\"75pt\""));
  g_assert_nonnull (strstr (text, "</svg>"));
  /* the 4×4 image is embedded upscaled by a whole factor: 100 px = 75 pt
   * for 4 pixels, at least 4 × 18.75 texels per pixel */
  const char *img = strstr (text, "<image");
  g_assert_nonnull (img);
  const char *wattr = strstr (img, "width=\"");
  g_assert_nonnull (wattr);
  int w = atoi (wattr + 7);
  g_assert_cmpint (w % 4, ==, 0);
  g_assert_cmpint (w, >=, 4 * 75);
  assert_entries (1);
}

static void
test_pdf (void)
{
  remove_all ();
  g_autofree char *path = path_in_tmp ("fig.pdf");
  GError *error = NULL;
  g_assert_true (cnn_render_export (path, 200, 100, 96, cnn_render_style_get (CNN_RENDER_STYLE_PROJECTOR),
                                    draw_small_image, NULL, &error));
  g_assert_no_error (error);
  g_autofree char *data = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_true (g_str_has_prefix (data, "%PDF-"));
  while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
    len--;
  g_assert_cmpuint (len, >, 5);
  g_assert_cmpmem (data + len - 5, 5, "%%EOF", 5);
  /* one page of 150 × 75 pt; images are not interpolated */
  g_assert_true (contains (data, len, "/MediaBox [ 0 0 150 75 ]"));
  g_assert_true (contains (data, len, "/Interpolate false"));
  assert_entries (1);

  /* an image too wide to upscale is embedded as it is */
  g_assert_true (cnn_render_export (path, 400, 100, 96, cnn_render_style_get (CNN_RENDER_STYLE_LIGHT),
                                    draw_wide_image, NULL, &error));
  g_assert_no_error (error);
  g_autofree char *svg = path_in_tmp ("wide.svg");
  g_assert_true (cnn_render_export (svg, 400, 100, 96, cnn_render_style_get (CNN_RENDER_STYLE_LIGHT),
                                    draw_wide_image, NULL, &error));
  g_assert_no_error (error);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (svg, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "width=\"2100\""));
  assert_entries (2);
}

static void
test_errors (void)
{
  remove_all ();
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  GError *error = NULL;
  int calls = 0;

  /* a name without a known extension: nothing is drawn or written */
  g_autofree char *jpg = path_in_tmp ("fig.jpg");
  g_assert_false (cnn_render_export (jpg, 100, 100, 96, style, draw_square, &calls, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
  g_assert_nonnull (strstr (error->message, "fig.jpg: unknown figure format “.jpg”"));
  g_clear_error (&error);
  g_autofree char *bare = path_in_tmp ("figure");
  g_assert_false (cnn_render_export (bare, 100, 100, 96, style, draw_square, &calls, &error));
  g_assert_nonnull (strstr (error->message, "figure: no figure format"));
  g_clear_error (&error);
  g_assert_cmpint (calls, ==, 0);
  assert_entries (0);

  /* a folder that does not exist */
  g_autofree char *nowhere = g_build_filename (tmpdir, "no-such-folder", "fig.png", NULL);
  g_assert_false (cnn_render_export (nowhere, 100, 100, 96, style, draw_square, &calls, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, nowhere));
  g_assert_nonnull (strstr (error->message, "cannot write"));
  g_clear_error (&error);
  /* the path is a folder */
  g_autofree char *folder = path_in_tmp ("folder.pdf");
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  g_assert_false (cnn_render_export (folder, 100, 100, 96, style, draw_square, &calls, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, folder));
  g_clear_error (&error);
  g_assert_true (g_file_test (folder, G_FILE_TEST_IS_DIR));
  g_rmdir (folder);
  assert_entries (0);

  /* sizes and resolutions out of range: refused before drawing */
  calls = 0;
  g_autofree char *png = path_in_tmp ("fig.png");
  const double bad[][3] = { { 0, 100, 96 }, { 100, -5, 96 }, { NAN, 100, 96 }, { 100, 100, 0 },
                            { 100, 100, 5000 }, { 20000, 20000, 300 }, { 100, 1e9, 96 } };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (cnn_render_export (png, bad[i][0], bad[i][1], bad[i][2], style, draw_square,
                                         &calls, &error));
      g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
      g_assert_true (g_str_has_prefix (error->message, png));
      g_clear_error (&error);
    }
  g_assert_cmpint (calls, ==, 0);
  assert_entries (0);

  /* a drawing that fails leaves no file, and an older file untouched */
  const char *formats[] = { "old.png", "old.svg", "old.pdf" };
  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *old = path_in_tmp (formats[i]);
      g_assert_true (g_file_set_contents (old, "previous", -1, NULL));
      g_assert_false (cnn_render_export (old, 100, 100, 96, style, draw_broken, NULL, &error));
      g_assert_error (error, CNN_ERROR, CNN_ERROR_IO);
      g_assert_true (g_str_has_prefix (error->message, old));
      g_clear_error (&error);
      g_autofree char *contents = NULL;
      g_assert_true (g_file_get_contents (old, &contents, NULL, NULL));
      g_assert_cmpstr (contents, ==, "previous");
      assert_entries (1);
      g_remove (old);
    }
  assert_entries (0);
}

static void
test_formats (void)
{
  CnnRenderFormat f;
  g_assert_true (cnn_render_format_from_path ("a/b/c.SVG", &f, NULL));
  g_assert_cmpint (f, ==, CNN_RENDER_FORMAT_SVG);
  g_assert_true (cnn_render_format_from_path ("x.pdf", &f, NULL));
  g_assert_cmpint (f, ==, CNN_RENDER_FORMAT_PDF);
  g_assert_true (cnn_render_format_from_path ("x.png", &f, NULL));
  g_assert_cmpint (f, ==, CNN_RENDER_FORMAT_PNG);
  g_assert_false (cnn_render_format_from_path ("dir.png/x", &f, NULL));
  g_assert_false (cnn_render_format_from_path (".png", &f, NULL));   /* a hidden file, no extension */
  g_assert_false (cnn_render_format_from_path ("x.png.bak", &f, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("convscope-export-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);
  g_test_add_func ("/export/formats", test_formats);
  g_test_add_func ("/export/png", test_png);
  g_test_add_func ("/export/svg", test_svg);
  g_test_add_func ("/export/pdf", test_pdf);
  g_test_add_func ("/export/errors", test_errors);
  int status = g_test_run ();
  remove_all ();
  g_rmdir (tmpdir);
  g_free (tmpdir);
  return status;
}
