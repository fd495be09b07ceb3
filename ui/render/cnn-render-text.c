/* cnn-render-text.c: pango layouts in the style's font. Metrics hinting is
 * off so a figure has the same layout on an image, an SVG and a PDF surface
 * and at any dpi (hinted metrics would round advances to device pixels). */
#include "cnn-render-text.h"

static double
role_size (const CnnRenderStyle *style, CnnTextRole role)
{
  switch (role)
    {
    case CNN_TEXT_TITLE:
      return style->title_size;
    case CNN_TEXT_LABEL:
      return style->label_size;
    case CNN_TEXT_SMALL:
    default:
      return style->small_size;
    }
}

PangoLayout *
cnn_render_text_layout (cairo_t *cr, const CnnRenderStyle *style, CnnTextRole role, const char *text)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoContext *ctx = pango_layout_get_context (layout);
  cairo_font_options_t *fo = cairo_font_options_create ();
  cairo_font_options_set_hint_metrics (fo, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (fo, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_antialias (fo, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options (ctx, fo);
  cairo_font_options_destroy (fo);
  pango_context_set_round_glyph_positions (ctx, FALSE);
  pango_layout_context_changed (layout);

  PangoFontDescription *fd = pango_font_description_new ();
  pango_font_description_set_family (fd, style->font_family);
  pango_font_description_set_absolute_size (fd, role_size (style, role) * PANGO_SCALE);
  if (role == CNN_TEXT_TITLE)
    pango_font_description_set_weight (fd, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, fd);
  pango_font_description_free (fd);
  pango_layout_set_text (layout, text ? text : "", -1);
  return layout;
}

void
cnn_render_text_size (cairo_t *cr, const CnnRenderStyle *style, CnnTextRole role, const char *text,
                      double *width, double *height)
{
  PangoLayout *layout = cnn_render_text_layout (cr, style, role, text);
  PangoRectangle logical;
  pango_layout_get_extents (layout, NULL, &logical);
  if (width)
    *width = (double) logical.width / PANGO_SCALE;
  if (height)
    *height = (double) logical.height / PANGO_SCALE;
  g_object_unref (layout);
}

double
cnn_render_text_line_height (cairo_t *cr, const CnnRenderStyle *style, CnnTextRole role)
{
  double h;
  /* letters with ascenders and descenders give the full line */
  cnn_render_text_size (cr, style, role, "Ágy", NULL, &h);
  return h;
}

static void
show (cairo_t *cr, const CnnRenderStyle *style, CnnTextRole role, const CnnColor *color,
      const char *text, double x, double y, double xalign, double yalign, double max_width,
      gboolean vertical)
{
  if (text == NULL || text[0] == '\0')
    return;
  PangoLayout *layout = cnn_render_text_layout (cr, style, role, text);
  if (max_width > 0)
    {
      pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }
  PangoRectangle logical;
  pango_layout_get_extents (layout, NULL, &logical);
  double w = (double) logical.width / PANGO_SCALE, h = (double) logical.height / PANGO_SCALE;
  double lx = (double) logical.x / PANGO_SCALE;   /* nonzero when a width is set */
  cairo_save (cr);
  cnn_render_set_color (cr, color ? color : &style->foreground);
  if (vertical)
    {
      /* on the page the box is h wide and w tall */
      cairo_translate (cr, x - xalign * h, y + (1 - yalign) * w);
      cairo_rotate (cr, -G_PI / 2);
    }
  else
    cairo_translate (cr, x - xalign * w, y - yalign * h);
  cairo_move_to (cr, -lx, 0);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
  g_object_unref (layout);
}

void
cnn_render_text (cairo_t *cr, const CnnRenderStyle *style, CnnTextRole role, const CnnColor *color,
                 const char *text, double x, double y, double xalign, double yalign, double max_width)
{
  show (cr, style, role, color, text, x, y, xalign, yalign, max_width, FALSE);
}

void
cnn_render_text_vertical (cairo_t *cr, const CnnRenderStyle *style, CnnTextRole role,
                          const CnnColor *color, const char *text, double x, double y,
                          double xalign, double yalign, double max_height)
{
  show (cr, style, role, color, text, x, y, xalign, yalign, max_height, TRUE);
}

static PangoLayout *
paragraph_layout (cairo_t *cr, const CnnRenderStyle *style, CnnTextRole role, const char *text,
                  double width)
{
  PangoLayout *layout = cnn_render_text_layout (cr, style, role, text);
  pango_layout_set_width (layout, (int) (MAX (width, 1.0) * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  return layout;
}

double
cnn_render_paragraph_height (cairo_t *cr, const CnnRenderStyle *style, CnnTextRole role,
                             const char *text, double width)
{
  if (text == NULL || text[0] == '\0')
    return 0;
  PangoLayout *layout = paragraph_layout (cr, style, role, text, width);
  PangoRectangle logical;
  pango_layout_get_extents (layout, NULL, &logical);
  g_object_unref (layout);
  return (double) logical.height / PANGO_SCALE;
}

double
cnn_render_paragraph (cairo_t *cr, const CnnRenderStyle *style, CnnTextRole role,
                      const CnnColor *color, const char *text, double x, double y, double width)
{
  if (text == NULL || text[0] == '\0')
    return 0;
  PangoLayout *layout = paragraph_layout (cr, style, role, text, width);
  PangoRectangle logical;
  pango_layout_get_extents (layout, NULL, &logical);
  cairo_save (cr);
  cnn_render_set_color (cr, color ? color : &style->foreground);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
  g_object_unref (layout);
  return (double) logical.height / PANGO_SCALE;
}

void
cnn_render_title (cairo_t *cr, const CnnRenderStyle *style, const char *title, CnnRect *area)
{
  if (title == NULL || title[0] == '\0')
    return;
  double h = cnn_render_text_line_height (cr, style, CNN_TEXT_TITLE);
  cnn_render_text (cr, style, CNN_TEXT_TITLE, NULL, title, area->x + 0.5 * area->width, area->y,
                   0.5, 0.0, area->width);
  double used = MIN (h + style->padding, area->height);
  area->y += used;
  area->height -= used;
}

void
cnn_render_title_size (cairo_t *cr, const CnnRenderStyle *style, const char *title, double *width,
                       double *height)
{
  if (title == NULL || title[0] == '\0')
    return;
  double tw;
  cnn_render_text_size (cr, style, CNN_TEXT_TITLE, title, &tw, NULL);
  *width = MAX (*width, tw);
  *height += cnn_render_text_line_height (cr, style, CNN_TEXT_TITLE) + style->padding;
}
