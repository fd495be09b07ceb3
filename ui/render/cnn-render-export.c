/* cnn-render-export.c: a draw function rendered to PNG (libpng, with the
 * dpi in a pHYs chunk, which cairo 1.16's own PNG writer leaves out), SVG or
 * PDF (cairo's vector surfaces). Files go through a temporary name in the
 * same folder and a rename, as checkpoints do. */
#include "cnn-render-export.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cnn-error.h"

gboolean
cnn_render_format_from_path (const char *path, CnnRenderFormat *format, GError **error)
{
  static const struct
  {
    const char     *ext;
    CnnRenderFormat format;
  } known[] = {
    { ".png", CNN_RENDER_FORMAT_PNG },
    { ".svg", CNN_RENDER_FORMAT_SVG },
    { ".pdf", CNN_RENDER_FORMAT_PDF },
  };
  g_autofree char *base = g_path_get_basename (path ? path : "");
  const char *dot = strrchr (base, '.');
  if (dot == base)   /* ".png" is a hidden file without an extension */
    dot = NULL;
  for (gsize i = 0; dot != NULL && i < G_N_ELEMENTS (known); i++)
    if (g_ascii_strcasecmp (dot, known[i].ext) == 0)
      {
        *format = known[i].format;
        return TRUE;
      }
  if (dot != NULL)
    g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                 "%s: unknown figure format “%s”: name the file .png, .svg or .pdf", path, dot);
  else
    g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                 "%s: no figure format: name the file .png, .svg or .pdf", path ? path : "");
  return FALSE;
}

static gboolean
draw_on (cairo_surface_t *surface, double sx, double sy, double width, double height,
         const CnnRenderStyle *style, CnnRenderDrawFunc draw, gpointer data, const char *path,
         GError **error)
{
  cairo_t *cr = cairo_create (surface);
  cairo_scale (cr, sx, sy);
  cnn_render_paint_background (cr, style);
  draw (cr, width, height, style, data);
  cairo_status_t status = cairo_status (cr);
  cairo_destroy (cr);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: drawing the figure failed: %s", path,
                   cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

/* PNG */

typedef struct
{
  char message[256];
} PngErrors;

static void
on_png_error (png_structp png, png_const_charp msg)
{
  PngErrors *e = png_get_error_ptr (png);
  g_strlcpy (e->message, msg, sizeof e->message);
  png_longjmp (png, 1);
}

static void
on_png_warning (png_structp png, png_const_charp msg)
{
}

/* cairo's premultiplied native-endian ARGB row to straight RGB or RGBA */
static void
convert_row (const guint32 *in, int w, gboolean alpha, guint8 *out)
{
  for (int x = 0; x < w; x++)
    {
      guint32 p = in[x];
      guint32 a = p >> 24, r = p >> 16 & 0xff, g = p >> 8 & 0xff, b = p & 0xff;
      if (alpha && a != 0 && a != 255)
        {
          r = (r * 255 + a / 2) / a;
          g = (g * 255 + a / 2) / a;
          b = (b * 255 + a / 2) / a;
        }
      *out++ = (guint8) MIN (r, 255u);
      *out++ = (guint8) MIN (g, 255u);
      *out++ = (guint8) MIN (b, 255u);
      if (alpha)
        *out++ = (guint8) a;
    }
}

static gboolean
write_png (FILE *f, cairo_surface_t *image, double dpi, const char *path, GError **error)
{
  cairo_surface_flush (image);
  int w = cairo_image_surface_get_width (image), h = cairo_image_surface_get_height (image);
  int stride = cairo_image_surface_get_stride (image);
  const guint8 *pixels = cairo_image_surface_get_data (image);

  /* opaque figures (the usual case) are stored as RGB */
  gboolean alpha = FALSE;
  for (int y = 0; y < h && !alpha; y++)
    {
      const guint32 *row = (const guint32 *) (pixels + (gsize) y * stride);
      for (int x = 0; x < w; x++)
        if (row[x] >> 24 != 255)
          {
            alpha = TRUE;
            break;
          }
    }

  PngErrors errors = { "" };
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, &errors, on_png_error,
                                             on_png_warning);
  if (png == NULL)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot write: out of memory", path);
      return FALSE;
    }
  png_infop info = png_create_info_struct (png);
  guint8 *volatile row = NULL;
  if (setjmp (png_jmpbuf (png)))
    {
      g_free (row);
      png_destroy_write_struct (&png, &info);
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot write: %s", path,
                   errors.message[0] ? errors.message : "libpng failed");
      return FALSE;
    }
  if (info == NULL)
    png_error (png, "out of memory");
  row = g_malloc ((gsize) w * 4);
  png_init_io (png, f);
  png_set_IHDR (png, info, (png_uint_32) w, (png_uint_32) h, 8,
                alpha ? PNG_COLOR_TYPE_RGBA : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  /* pixels per metre: what the PNG specification records */
  png_uint_32 ppm = (png_uint_32) lround (dpi / 0.0254);
  png_set_pHYs (png, info, ppm, ppm, PNG_RESOLUTION_METER);
  static char key[] = "Software", value[] = "Convscope";
  png_text text = { .compression = PNG_TEXT_COMPRESSION_NONE, .key = key, .text = value };
  png_set_text (png, info, &text, 1);
  png_write_info (png, info);
  for (int y = 0; y < h; y++)
    {
      convert_row ((const guint32 *) (pixels + (gsize) y * stride), w, alpha, row);
      png_write_row (png, row);
    }
  png_write_end (png, info);
  png_destroy_write_struct (&png, &info);
  g_free (row);
  return TRUE;
}

static gboolean
export_png (FILE *f, const char *path, double width, double height, double dpi,
            const CnnRenderStyle *style, CnnRenderDrawFunc draw, gpointer data, GError **error)
{
  int pw = (int) lround (width * dpi / 96), ph = (int) lround (height * dpi / 96);
  cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, MAX (pw, 1), MAX (ph, 1));
  if (cairo_surface_status (image) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot make a %d×%d image: %s", path, pw,
                   ph, cairo_status_to_string (cairo_surface_status (image)));
      cairo_surface_destroy (image);
      return FALSE;
    }
  gboolean ok = draw_on (image, pw / width, ph / height, width, height, style, draw, data, path, error)
                && write_png (f, image, dpi, path, error);
  cairo_surface_destroy (image);
  return ok;
}

/* SVG and PDF */

static cairo_status_t
write_stream (void *closure, const unsigned char *data, unsigned int length)
{
  return fwrite (data, 1, length, closure) == length ? CAIRO_STATUS_SUCCESS
                                                     : CAIRO_STATUS_WRITE_ERROR;
}

static gboolean
export_vector (FILE *f, CnnRenderFormat format, const char *path, double width, double height,
               const CnnRenderStyle *style, CnnRenderDrawFunc draw, gpointer data, GError **error)
{
  /* 1 CSS px = 0.75 pt */
  double wpt = 0.75 * width, hpt = 0.75 * height;
  cairo_surface_t *surface;
  if (format == CNN_RENDER_FORMAT_SVG)
    surface = cairo_svg_surface_create_for_stream (write_stream, f, wpt, hpt);
  else
    {
      surface = cairo_pdf_surface_create_for_stream (write_stream, f, wpt, hpt);
      cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Convscope");
    }
  gboolean ok = draw_on (surface, 0.75, 0.75, width, height, style, draw, data, path, error);
  cairo_surface_finish (surface);
  cairo_status_t status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (ok && status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot write: %s", path,
                   status == CAIRO_STATUS_WRITE_ERROR ? g_strerror (errno)
                                                      : cairo_status_to_string (status));
      return FALSE;
    }
  return ok;
}

static gboolean
check_size (const char *path, CnnRenderFormat format, double width, double height, double dpi,
            GError **error)
{
  if (!(width >= CNN_RENDER_MIN_SIZE && width <= CNN_RENDER_MAX_SIZE
        && height >= CNN_RENDER_MIN_SIZE && height <= CNN_RENDER_MAX_SIZE))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "%s: a figure of %g×%g px is out of range (%d to %d px a side)", path, width,
                   height, CNN_RENDER_MIN_SIZE, CNN_RENDER_MAX_SIZE);
      return FALSE;
    }
  if (format != CNN_RENDER_FORMAT_PNG)
    return TRUE;
  if (!(dpi >= CNN_RENDER_MIN_DPI && dpi <= CNN_RENDER_MAX_DPI))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "%s: %g dpi is out of range (%d to %d)", path, dpi, CNN_RENDER_MIN_DPI,
                   CNN_RENDER_MAX_DPI);
      return FALSE;
    }
  double pw = round (width * dpi / 96), ph = round (height * dpi / 96);
  if (pw > CNN_RENDER_MAX_PNG_SIDE || ph > CNN_RENDER_MAX_PNG_SIDE
      || pw * ph > CNN_RENDER_MAX_PNG_PIXELS)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "%s: %g×%g px at %g dpi makes a PNG of %.0f×%.0f pixels, more than the %d a "
                   "side and %.0f million in all that export allows", path, width, height, dpi,
                   pw, ph, CNN_RENDER_MAX_PNG_SIDE, CNN_RENDER_MAX_PNG_PIXELS / 1e6);
      return FALSE;
    }
  return TRUE;
}

gboolean
cnn_render_export (const char *path, double width, double height, double dpi,
                   const CnnRenderStyle *style, CnnRenderDrawFunc draw, gpointer data,
                   GError **error)
{
  g_return_val_if_fail (path != NULL && style != NULL && draw != NULL, FALSE);
  CnnRenderFormat format;
  if (!cnn_render_format_from_path (path, &format, error)
      || !check_size (path, format, width, height, dpi, error))
    return FALSE;

  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = g_strdup_printf (".%s.XXXXXX", base);
  g_autofree char *tmp = g_build_filename (dir, name, NULL);
  int fd = g_mkstemp_full (tmp, O_RDWR, 0644);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot write: %s", path, g_strerror (saved));
      return FALSE;
    }
  FILE *f = fdopen (fd, "wb");
  if (f == NULL)
    {
      int saved = errno;
      close (fd);
      g_unlink (tmp);
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot write: %s", path, g_strerror (saved));
      return FALSE;
    }

  gboolean ok;
  if (format == CNN_RENDER_FORMAT_PNG)
    ok = export_png (f, path, width, height, dpi, style, draw, data, error);
  else
    ok = export_vector (f, format, path, width, height, style, draw, data, error);

  /* on disk before the rename, so a crash leaves the old file or the new one */
  if (ok && (fflush (f) != 0 || fsync (fileno (f)) != 0))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot write: %s", path, g_strerror (errno));
      ok = FALSE;
    }
  if (fclose (f) != 0 && ok)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot write: %s", path, g_strerror (errno));
      ok = FALSE;
    }
  if (ok && g_rename (tmp, path) != 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot write: %s", path, g_strerror (errno));
      ok = FALSE;
    }
  if (!ok)
    g_unlink (tmp);
  return ok;
}
