#include "cnn-test-images.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>

static int
png_channels (int color_type)
{
  switch (color_type)
    {
    case PNG_COLOR_TYPE_GRAY:
    case PNG_COLOR_TYPE_PALETTE:
      return 1;
    case PNG_COLOR_TYPE_GRAY_ALPHA:
      return 2;
    case PNG_COLOR_TYPE_RGB:
      return 3;
    default:
      return 4;
    }
}

void
cnn_test_write_png (const char *path, const CnnTestPng *p)
{
  FILE *f = fopen (path, "wb");
  g_assert_nonnull (f);
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct (png);
  g_assert_nonnull (info);
  if (setjmp (png_jmpbuf (png)))
    g_error ("%s: libpng could not write the test image", path);
  png_init_io (png, f);
  png_set_IHDR (png, info, p->w, p->h, p->bit_depth, p->color_type,
                p->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (p->palette)
    {
      png_color pal[256];
      for (int i = 0; i < p->n_palette; i++)
        pal[i] = (png_color) { p->palette[3 * i], p->palette[3 * i + 1], p->palette[3 * i + 2] };
      png_set_PLTE (png, info, pal, p->n_palette);
    }
  if (p->trans)
    png_set_tRNS (png, info, p->trans, p->n_trans, NULL);
  if (p->trans_color)
    {
      png_color_16 tc = { 0, p->trans_value[0], p->trans_value[1], p->trans_value[2],
                          p->trans_value[0] };
      png_set_tRNS (png, info, NULL, 0, &tc);
    }
  png_write_info (png, info);

  /* rows packed as the file stores them: small depths MSB first, 16-bit
   * big-endian */
  int ch = png_channels (p->color_type), n = p->w * ch;
  size_t rowbytes = ((size_t) n * p->bit_depth + 7) / 8;
  guint8 *rows = g_malloc0 (rowbytes * p->h);
  for (int y = 0; y < p->h; y++)
    {
      guint8 *r = rows + rowbytes * y;
      const guint16 *s = p->samples + (size_t) y * n;
      for (int i = 0; i < n; i++)
        {
          if (p->bit_depth == 16)
            {
              r[2 * i] = s[i] >> 8;
              r[2 * i + 1] = s[i] & 0xff;
            }
          else if (p->bit_depth == 8)
            r[i] = (guint8) s[i];
          else
            {
              int bit = i * p->bit_depth;
              r[bit / 8] |= (guint8) (s[i] << (8 - p->bit_depth - bit % 8));
            }
        }
    }
  png_bytep *row_ptrs = g_new (png_bytep, p->h);
  for (int y = 0; y < p->h; y++)
    row_ptrs[y] = rows + rowbytes * y;
  png_write_image (png, row_ptrs);
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);
  g_assert_cmpint (fclose (f), ==, 0);
  g_free (row_ptrs);
  g_free (rows);
}

void
cnn_test_write_png_planes (const char *path, int c, int h, int w, const guint8 *pixels)
{
  g_assert_true (c == 1 || c == 3);
  guint16 *samples = g_new (guint16, (gsize) c * h * w);   /* (h, w, c) */
  for (int k = 0; k < c; k++)
    for (int i = 0; i < h * w; i++)
      samples[i * c + k] = pixels[(gsize) k * h * w + i];
  CnnTestPng p = { .w = w, .h = h, .bit_depth = 8, .samples = samples,
                   .color_type = c == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB };
  cnn_test_write_png (path, &p);
  g_free (samples);
}

void
cnn_test_write_jpeg (const char *path, int comps, int h, int w, const guint8 *pixels, int quality)
{
  FILE *f = fopen (path, "wb");
  g_assert_nonnull (f);
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr jerr;
  cinfo.err = jpeg_std_error (&jerr);   /* exits on error: fine in a test */
  jpeg_create_compress (&cinfo);
  jpeg_stdio_dest (&cinfo, f);
  cinfo.image_width = w;
  cinfo.image_height = h;
  cinfo.input_components = comps;
  cinfo.in_color_space = comps == 1 ? JCS_GRAYSCALE : comps == 3 ? JCS_RGB : JCS_CMYK;
  jpeg_set_defaults (&cinfo);
  jpeg_set_quality (&cinfo, quality, TRUE);
  jpeg_start_compress (&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height)
    {
      JSAMPROW row = (JSAMPROW) pixels + (size_t) cinfo.next_scanline * w * comps;
      jpeg_write_scanlines (&cinfo, &row, 1);
    }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);
  g_assert_cmpint (fclose (f), ==, 0);
}

void
cnn_test_write_jpeg_planes (const char *path, int c, int h, int w, const guint8 *pixels, int quality)
{
  guint8 *inter = g_new (guint8, (gsize) c * h * w);   /* (h, w, c) */
  for (int k = 0; k < c; k++)
    for (int i = 0; i < h * w; i++)
      inter[i * c + k] = pixels[(gsize) k * h * w + i];
  cnn_test_write_jpeg (path, c, h, w, inter, quality);
  g_free (inter);
}

GBytes *
cnn_test_read_bytes (const char *path)
{
  char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_bytes_new_take (data, len);
}

void
cnn_test_write_bytes (const char *path, const void *data, gsize len)
{
  GError *error = NULL;
  g_assert_true (g_file_set_contents (path, data, (gssize) len, &error));
  g_assert_no_error (error);
}

void
cnn_test_remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      GDir *d = g_dir_open (path, 0, NULL);
      const char *name;
      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          char *p = g_build_filename (path, name, NULL);
          cnn_test_remove_tree (p);
          g_free (p);
        }
      if (d != NULL)
        g_dir_close (d);
      g_rmdir (path);
    }
  else
    g_remove (path);
}
