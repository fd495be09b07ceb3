/* cnn-image.c: PNG (libpng) and JPEG (libjpeg-turbo) decoding, and cheap
 * header peeks.
 *
 * Both libraries report errors by longjmp: every local that changes after
 * setjmp and is used after the jump is `volatile`. Every size is checked
 * against CNN_IMAGE_MAX_SIDE / CNN_IMAGE_MAX_PIXELS before pixels are
 * allocated, and pixel buffers come from g_try_malloc, so a damaged or
 * hostile header gives an error, never an abort. */
#include "cnn-image.h"

#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

#include "cnn-error.h"
#include "cnn-file.h"

/* A progressive JPEG can hold thousands of tiny scans, each a full pass
 * over the image: far more than any encoder writes means a hostile file. */
#define JPEG_MAX_SCANS 1000

static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

CnnImageFormat
cnn_image_sniff (const guint8 *head, gsize len)
{
  if (len >= 8 && memcmp (head, png_signature, 8) == 0)
    return CNN_IMAGE_FORMAT_PNG;
  /* SOI followed by the start of any marker */
  if (len >= 3 && head[0] == 0xff && head[1] == 0xd8 && head[2] == 0xff)
    return CNN_IMAGE_FORMAT_JPEG;
  return CNN_IMAGE_FORMAT_UNKNOWN;
}

static const char *const fit_names[] = {
  [CNN_FIT_CROP] = "crop",
  [CNN_FIT_STRETCH] = "stretch",
};

const char *
cnn_fit_name (CnnFit fit)
{
  if ((unsigned) fit >= G_N_ELEMENTS (fit_names))
    return "unknown";
  return fit_names[fit];
}

gboolean
cnn_fit_parse (const char *text, CnnFit *fit, GError **error)
{
  for (gsize i = 0; text != NULL && i < G_N_ELEMENTS (fit_names); i++)
    if (g_ascii_strcasecmp (text, fit_names[i]) == 0)
      {
        *fit = (CnnFit) i;
        return TRUE;
      }
  g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
               "unknown fit “%s”: use crop (keep the aspect ratio, cut the center) or stretch",
               text ? text : "");
  return FALSE;
}

CnnImage *
cnn_image_new (int c, int h, int w)
{
  if ((c != 1 && c != 3) || h < 1 || w < 1 || h > CNN_IMAGE_MAX_SIDE || w > CNN_IMAGE_MAX_SIDE
      || (gint64) h * w > CNN_IMAGE_MAX_PIXELS)
    return NULL;
  guint8 *pixels = g_try_malloc ((gsize) c * h * w);   /* (c, h, w) */
  if (pixels == NULL)
    return NULL;
  CnnImage *img = g_new0 (CnnImage, 1);
  img->c = c;
  img->h = h;
  img->w = w;
  img->pixels = pixels;
  return img;
}

void
cnn_image_free (CnnImage *img)
{
  if (img == NULL)
    return;
  g_free (img->pixels);
  g_free (img);
}

static gboolean
check_size (const char *name, const char *format, guint32 w, guint32 h, GError **error)
{
  if (w == 0 || h == 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: damaged %s: the image is %u×%u pixels",
                   name, format, w, h);
      return FALSE;
    }
  if (w > CNN_IMAGE_MAX_SIDE || h > CNN_IMAGE_MAX_SIDE || (guint64) w * h > CNN_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT,
                   "%s: image too large: %u×%u pixels, more than %d per side or %d in all",
                   name, w, h, CNN_IMAGE_MAX_SIDE, CNN_IMAGE_MAX_PIXELS);
      return FALSE;
    }
  return TRUE;
}

static void
set_not_image (const char *name, gsize len, GError **error)
{
  if (len == 0)
    g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: empty file", name);
  else
    g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: not an image: neither PNG nor JPEG", name);
}

static void
set_no_memory (const char *name, int c, int h, int w, GError **error)
{
  g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: not enough memory to decode %d×%d×%d pixels",
               name, c, h, w);
}

static guint32
be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static gboolean
palette_is_gray (png_const_colorp palette, int n)
{
  for (int i = 0; i < n; i++)
    if (palette[i].red != palette[i].green || palette[i].red != palette[i].blue)
      return FALSE;
  return TRUE;
}

/* ---------- PNG ---------- */

/* The IHDR chunk must come first: its sizes are checked here, before libpng
 * sees them, so the message is ours. `head` holds at least 33 bytes. */
static gboolean
png_check_ihdr (const guint8 *head, gsize len, const char *name, guint32 *w, guint32 *h,
                int *color_type, GError **error)
{
  if (len < 33)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: truncated PNG (%" G_GSIZE_FORMAT " bytes)",
                   name, len);
      return FALSE;
    }
  if (be32 (head + 8) != 13 || memcmp (head + 12, "IHDR", 4) != 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: damaged PNG: it does not start with IHDR",
                   name);
      return FALSE;
    }
  *w = be32 (head + 16);
  *h = be32 (head + 20);
  *color_type = head[25];
  return check_size (name, "PNG", *w, *h, error);
}

typedef struct
{
  const guint8 *data;
  gsize         len, pos;
  gboolean      truncated;
  char          message[128];
} PngSource;

static void
png_read_memory (png_structp png, png_bytep out, size_t n)
{
  PngSource *src = png_get_io_ptr (png);
  if (src->len - src->pos < n)
    {
      src->truncated = TRUE;
      png_error (png, "the file ends early");
    }
  memcpy (out, src->data + src->pos, n);
  src->pos += n;
}

static void
png_on_error (png_structp png, png_const_charp message)
{
  PngSource *src = png_get_error_ptr (png);
  g_strlcpy (src->message, message, sizeof src->message);
  png_longjmp (png, 1);
}

static void
png_on_warning (png_structp png, png_const_charp message)
{
  /* warnings (a bad sRGB profile, too much image data) do not change pixels */
}

static CnnImage *
decode_png (const guint8 *data, gsize len, const char *name, GError **error)
{
  guint32 w0, h0;
  int color_type0;
  if (!png_check_ihdr (data, len, name, &w0, &h0, &color_type0, error))
    return NULL;

  /* On the heap: libpng changes it between setjmp and longjmp, which would
   * leave a non-volatile local indeterminate after the jump. */
  g_autofree PngSource *src = g_new0 (PngSource, 1);
  src->data = data;
  src->len = len;
  png_structp png = png_create_read_struct (PNG_LIBPNG_VER_STRING, src, png_on_error, png_on_warning);
  png_infop info = png ? png_create_info_struct (png) : NULL;
  if (info == NULL)
    {
      png_destroy_read_struct (&png, NULL, NULL);
      set_no_memory (name, 3, (int) h0, (int) w0, error);
      return NULL;
    }
  /* changed after setjmp and freed after a jump */
  CnnImage *volatile img = NULL;
  guint8 *volatile buf = NULL;
  png_bytep *volatile rows = NULL;
  volatile gboolean no_memory = FALSE;

  if (setjmp (png_jmpbuf (png)))
    {
      if (no_memory)
        set_no_memory (name, 3, (int) h0, (int) w0, error);
      else if (src->truncated)
        g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: truncated PNG", name);
      else
        g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: damaged PNG: %s", name, src->message);
      png_destroy_read_struct (&png, &info, NULL);
      cnn_image_free (img);
      g_free (buf);
      g_free (rows);
      return NULL;
    }
  png_set_read_fn (png, src, png_read_memory);
  png_set_user_limits (png, CNN_IMAGE_MAX_SIDE, CNN_IMAGE_MAX_SIDE);
  png_read_info (png, info);
  png_uint_32 w = png_get_image_width (png, info), h = png_get_image_height (png, info);
  int depth = png_get_bit_depth (png, info), type = png_get_color_type (png, info);
  gboolean color = (type & PNG_COLOR_MASK_COLOR) != 0;

  /* Everything becomes 8-bit gray, gray+alpha, RGB or RGBA rows; alpha and
   * tRNS are left unexpanded or dropped below. */
  if (depth == 16)
    png_set_scale_16 (png);
  if (type == PNG_COLOR_TYPE_PALETTE)
    {
      png_colorp palette = NULL;
      int n_palette = 0;
      if (png_get_PLTE (png, info, &palette, &n_palette))
        color = !palette_is_gray (palette, n_palette);
      png_set_palette_to_rgb (png);
    }
  if (type == PNG_COLOR_TYPE_GRAY && depth < 8)
    png_set_expand_gray_1_2_4_to_8 (png);
  png_set_interlace_handling (png);
  png_read_update_info (png, info);
  int channels = png_get_channels (png, info);
  size_t rowbytes = png_get_rowbytes (png, info);
  if (png_get_bit_depth (png, info) != 8 || channels < 1 || channels > 4
      || rowbytes != (size_t) w * channels)
    png_error (png, "unexpected row format");

  img = cnn_image_new (color ? 3 : 1, (int) h, (int) w);
  buf = g_try_malloc ((gsize) h * rowbytes);         /* (h, w, channels) */
  rows = g_try_new (png_bytep, h);
  if (img == NULL || buf == NULL || rows == NULL)
    {
      no_memory = TRUE;
      png_error (png, "out of memory");
    }
  for (png_uint_32 y = 0; y < h; y++)
    rows[y] = buf + (gsize) y * rowbytes;
  png_read_image (png, rows);

  /* Interleaved rows to planes. Gray sources have 1 or 2 channels, RGB 3 or
   * 4; the extra one is alpha, dropped as Keras drops it. */
  gsize plane = (gsize) h * w;
  for (gsize i = 0; i < plane; i++)
    {
      const guint8 *p = buf + i * channels;
      if (img->c == 1)
        img->pixels[i] = p[0];
      else if (channels >= 3)
        {
          img->pixels[i] = p[0];
          img->pixels[plane + i] = p[1];
          img->pixels[2 * plane + i] = p[2];
        }
      else
        img->pixels[i] = img->pixels[plane + i] = img->pixels[2 * plane + i] = p[0];
    }
  CnnImage *result = img;
  png_destroy_read_struct (&png, &info, NULL);
  g_free (buf);
  g_free (rows);
  return result;
}

/* ---------- JPEG ---------- */

typedef struct
{
  struct jpeg_error_mgr pub;
  jmp_buf               jump;
  int                   damage;      /* the first warning that means missing data */
  char                  message[JMSG_LENGTH_MAX];
} JpegErrors;

static void
jpeg_on_error (j_common_ptr cinfo)
{
  JpegErrors *e = (JpegErrors *) cinfo->err;
  cinfo->err->format_message (cinfo, e->message);
  longjmp (e->jump, 1);
}

static void
jpeg_on_message (j_common_ptr cinfo, int level)
{
  JpegErrors *e = (JpegErrors *) cinfo->err;
  if (level >= 0)
    return;
  /* libjpeg pads a short file with gray and only warns: for us a file whose
   * data ran out is broken. Other warnings (extra bytes) change nothing. */
  int code = cinfo->err->msg_code;
  if (e->damage == 0 && (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER))
    e->damage = code;
}

static void
jpeg_on_progress (j_common_ptr cinfo)
{
  j_decompress_ptr d = (j_decompress_ptr) cinfo;
  if (d->input_scan_number > JPEG_MAX_SCANS)
    {
      JpegErrors *e = (JpegErrors *) cinfo->err;
      g_snprintf (e->message, sizeof e->message, "more than %d scans", JPEG_MAX_SCANS);
      longjmp (e->jump, 1);
    }
}

/* Kept on the heap: libjpeg changes it between setjmp and longjmp, which
 * would leave a non-volatile local indeterminate after the jump. */
typedef struct
{
  struct jpeg_decompress_struct cinfo;
  struct jpeg_progress_mgr      progress;
  JpegErrors                    errors;
} JpegDecoder;

static JpegDecoder *
jpeg_decoder_new (void)
{
  JpegDecoder *d = g_new0 (JpegDecoder, 1);
  d->cinfo.err = jpeg_std_error (&d->errors.pub);
  d->errors.pub.error_exit = jpeg_on_error;
  d->errors.pub.emit_message = jpeg_on_message;
  d->progress.progress_monitor = jpeg_on_progress;
  return d;
}

static void
jpeg_set_error (JpegDecoder *d, const char *name, GError **error)
{
  if (d->errors.damage == JWRN_JPEG_EOF)
    g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: truncated JPEG", name);
  else
    g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: damaged JPEG: %s", name, d->errors.message);
}

static guint8
clamp_byte (int v)
{
  return (guint8) CLAMP (v, 0, 255);
}

/* One decoded row (w, comps) into the planes of img at row y. */
static void
jpeg_store_row (CnnImage *img, int y, const guint8 *row, int comps, gboolean inverted)
{
  int w = img->w;
  gsize plane = (gsize) img->h * w;
  guint8 *out = img->pixels + (gsize) y * w;
  for (int x = 0; x < w; x++)
    {
      const guint8 *p = row + (gsize) x * comps;
      if (comps == 1)
        out[x] = p[0];
      else if (comps == 3)
        {
          out[x] = p[0];
          out[plane + x] = p[1];
          out[2 * plane + x] = p[2];
        }
      else
        {
          /* CMYK: ink c of 255 leaves no red; black scales all three */
          int k = inverted ? p[3] : 255 - p[3];
          for (int ch = 0; ch < 3; ch++)
            {
              int ink = inverted ? p[ch] : 255 - p[ch];
              out[ch * plane + x] = clamp_byte ((ink * k + 127) / 255);
            }
        }
    }
}

static CnnImage *
decode_jpeg (const guint8 *data, gsize len, const char *name, GError **error)
{
  g_autofree JpegDecoder *d = jpeg_decoder_new ();
  j_decompress_ptr cinfo = &d->cinfo;
  CnnImage *volatile img = NULL;
  guint8 *volatile row = NULL;
  volatile gboolean no_memory = FALSE;

  if (setjmp (d->errors.jump))
    {
      if (no_memory)
        set_no_memory (name, 3, (int) cinfo->image_height, (int) cinfo->image_width, error);
      else
        jpeg_set_error (d, name, error);
      jpeg_destroy_decompress (cinfo);
      cnn_image_free (img);
      g_free (row);
      return NULL;
    }
  jpeg_create_decompress (cinfo);
  cinfo->progress = &d->progress;
  jpeg_mem_src (cinfo, data, (unsigned long) len);
  jpeg_read_header (cinfo, TRUE);
  GError *size_error = NULL;
  if (!check_size (name, "JPEG", cinfo->image_width, cinfo->image_height, &size_error))
    {
      g_propagate_error (error, size_error);
      jpeg_destroy_decompress (cinfo);
      return NULL;
    }
  gboolean cmyk = cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK;
  gboolean gray = cinfo->jpeg_color_space == JCS_GRAYSCALE;
  cinfo->out_color_space = gray ? JCS_GRAYSCALE : cmyk ? JCS_CMYK : JCS_RGB;
  jpeg_start_decompress (cinfo);
  int comps = cinfo->output_components;
  if (comps != (gray ? 1 : cmyk ? 4 : 3))
    ERREXIT (cinfo, JERR_BAD_IN_COLORSPACE);

  img = cnn_image_new (gray ? 1 : 3, (int) cinfo->output_height, (int) cinfo->output_width);
  row = g_try_malloc ((gsize) cinfo->output_width * comps);   /* (w, comps) */
  if (img == NULL || row == NULL)
    {
      no_memory = TRUE;
      longjmp (d->errors.jump, 1);
    }
  /* Photoshop stores CMYK inverted and marks the file with an Adobe segment */
  gboolean inverted = cinfo->saw_Adobe_marker;
  while (cinfo->output_scanline < cinfo->output_height)
    {
      JSAMPROW rows[1] = { row };
      int y = (int) cinfo->output_scanline;
      if (jpeg_read_scanlines (cinfo, rows, 1) != 1)
        break;
      jpeg_store_row (img, y, row, comps, inverted);
    }
  if (cinfo->output_scanline < cinfo->output_height && d->errors.damage == 0)
    d->errors.damage = JWRN_JPEG_EOF;
  if (d->errors.damage == 0)
    jpeg_finish_decompress (cinfo);
  if (d->errors.damage != 0)
    {
      /* the warning's own text, reported like an error */
      cinfo->err->msg_code = d->errors.damage;
      cinfo->err->format_message ((j_common_ptr) cinfo, d->errors.message);
      longjmp (d->errors.jump, 1);
    }
  CnnImage *result = img;
  jpeg_destroy_decompress (cinfo);
  g_free (row);
  return result;
}

CnnImage *
cnn_image_decode (const guint8 *data, gsize len, const char *name, GError **error)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  switch (cnn_image_sniff (data, len))
    {
    case CNN_IMAGE_FORMAT_PNG:
      return decode_png (data, len, name, error);
    case CNN_IMAGE_FORMAT_JPEG:
      return decode_jpeg (data, len, name, error);
    default:
      set_not_image (name, len, error);
      return NULL;
    }
}

CnnImage *
cnn_image_load (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  if (!cnn_file_read (path, &contents, &len, error))
    return NULL;
  return cnn_image_decode ((const guint8 *) contents, len, path, error);
}

/* ---------- header peeks ---------- */

/* Walks the chunks after IHDR up to the image data, to see whether a
 * palette is all gray. Only chunk headers and PLTE are read. */
static gboolean
png_peek_palette_color (FILE *f, const char *name, gboolean *color, GError **error)
{
  if (fseek (f, 33, SEEK_SET) != 0)
    goto truncated;
  for (;;)
    {
      guint8 head[8];
      if (fread (head, 1, 8, f) != 8)
        goto truncated;
      guint32 len = be32 (head);
      if (memcmp (head + 4, "PLTE", 4) == 0)
        {
          guint8 entries[768];
          if (len > sizeof entries || len % 3 != 0)
            {
              g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: damaged PNG: bad palette", name);
              return FALSE;
            }
          if (fread (entries, 1, len, f) != len)
            goto truncated;
          *color = FALSE;
          for (guint32 i = 0; i < len; i += 3)
            if (entries[i] != entries[i + 1] || entries[i] != entries[i + 2])
              *color = TRUE;
          return TRUE;
        }
      if (memcmp (head + 4, "IDAT", 4) == 0 || memcmp (head + 4, "IEND", 4) == 0
          || len > 0x7fffffffu || fseek (f, (long) len + 4, SEEK_CUR) != 0)
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: damaged PNG: no palette", name);
          return FALSE;
        }
    }
truncated:
  g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: truncated PNG", name);
  return FALSE;
}

static gboolean
jpeg_peek (FILE *f, const char *name, CnnImageInfo *info, GError **error)
{
  g_autofree JpegDecoder *d = jpeg_decoder_new ();
  j_decompress_ptr cinfo = &d->cinfo;
  if (setjmp (d->errors.jump))
    {
      jpeg_set_error (d, name, error);
      jpeg_destroy_decompress (cinfo);
      return FALSE;
    }
  jpeg_create_decompress (cinfo);
  jpeg_stdio_src (cinfo, f);
  jpeg_read_header (cinfo, TRUE);
  /* a file that stops inside the header ends in a fake EOI and a warning */
  if (d->errors.damage == JWRN_JPEG_EOF)
    {
      jpeg_set_error (d, name, error);
      jpeg_destroy_decompress (cinfo);
      return FALSE;
    }
  info->w = (int) MIN (cinfo->image_width, (JDIMENSION) G_MAXINT);
  info->h = (int) MIN (cinfo->image_height, (JDIMENSION) G_MAXINT);
  info->color = cinfo->jpeg_color_space != JCS_GRAYSCALE;
  gboolean ok = check_size (name, "JPEG", cinfo->image_width, cinfo->image_height, error);
  jpeg_destroy_decompress (cinfo);
  return ok;
}

gboolean
cnn_image_peek (const char *path, CnnImageInfo *info, GError **error)
{
  g_return_val_if_fail (path != NULL && info != NULL, FALSE);
  memset (info, 0, sizeof *info);
  errno = 0;
  FILE *f = fopen (path, "rb");
  if (f == NULL)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot open: %s", path, g_strerror (errno));
      return FALSE;
    }
  guint8 head[33];
  gsize got = fread (head, 1, sizeof head, f);
  gboolean ok = FALSE;
  info->format = cnn_image_sniff (head, got);
  if (info->format == CNN_IMAGE_FORMAT_PNG)
    {
      guint32 w, h;
      int type;
      ok = png_check_ihdr (head, got, path, &w, &h, &type, error);
      info->w = (int) MIN (w, (guint32) G_MAXINT);
      info->h = (int) MIN (h, (guint32) G_MAXINT);
      info->color = (type & PNG_COLOR_MASK_COLOR) != 0;
      if (ok && type == PNG_COLOR_TYPE_PALETTE)
        ok = png_peek_palette_color (f, path, &info->color, error);
    }
  else if (info->format == CNN_IMAGE_FORMAT_JPEG)
    {
      rewind (f);
      ok = jpeg_peek (f, path, info, error);
    }
  else if (ferror (f))
    g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot read: %s", path, g_strerror (errno));
  else
    set_not_image (path, got, error);
  fclose (f);
  return ok;
}
