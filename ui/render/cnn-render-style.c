/* cnn-render-style.c: the four styles. Series colors are Okabe & Ito's
 * palette (Color Universal Design, 2008), distinguishable with the common
 * color-vision deficiencies; each style orders it so the first colors have
 * the most contrast on its background (yellow last on white, blue last on
 * black). */
#include "cnn-render-style.h"

#include "cnn-error.h"

#define HEX(v) { ((v) >> 16 & 0xff) / 255.0, ((v) >> 8 & 0xff) / 255.0, ((v) & 0xff) / 255.0 }

/* Okabe-Ito */
#define OI_BLACK      HEX (0x000000)
#define OI_ORANGE     HEX (0xE69F00)
#define OI_SKY_BLUE   HEX (0x56B4E9)
#define OI_GREEN      HEX (0x009E73)
#define OI_YELLOW     HEX (0xF0E442)
#define OI_BLUE       HEX (0x0072B2)
#define OI_VERMILLION HEX (0xD55E00)
#define OI_PURPLE     HEX (0xCC79A7)

#define ON_WHITE { OI_BLUE, OI_VERMILLION, OI_GREEN, OI_ORANGE, OI_PURPLE, OI_SKY_BLUE, OI_BLACK, OI_YELLOW }

/* DejaVu Sans (fonts-dejavu-core) is the one family every setup has, so a
 * figure lays out the same on every machine. */
#define FONT "DejaVu Sans"

static const CnnRenderStyle styles[CNN_RENDER_N_STYLES] = {
  [CNN_RENDER_STYLE_LIGHT] = {
    .id = CNN_RENDER_STYLE_LIGHT, .name = "light",
    .background = HEX (0xFFFFFF), .foreground = HEX (0x1F1F1F), .grid = HEX (0xDEDEDE),
    .muted = HEX (0x5E5E5E), .accent = OI_BLUE,
    .palette = ON_WHITE,
    .font_family = FONT, .title_size = 16, .label_size = 13, .small_size = 11,
    .line_width = 1.75, .axis_width = 1.0, .grid_width = 0.75,
    .padding = 12, .gap = 4, .tick_length = 4,
  },
  [CNN_RENDER_STYLE_DARK] = {
    .id = CNN_RENDER_STYLE_DARK, .name = "dark",
    .background = HEX (0x1E1E1E), .foreground = HEX (0xEDEDED), .grid = HEX (0x454545),
    .muted = HEX (0xB0B0B0), .accent = OI_SKY_BLUE,
    .palette = { OI_SKY_BLUE, OI_ORANGE, OI_GREEN, OI_VERMILLION, OI_PURPLE, OI_YELLOW,
                 HEX (0xF2F2F2), OI_BLUE },
    .font_family = FONT, .title_size = 16, .label_size = 13, .small_size = 11,
    .line_width = 1.75, .axis_width = 1.0, .grid_width = 0.75,
    .padding = 12, .gap = 4, .tick_length = 4,
  },
  [CNN_RENDER_STYLE_PRINT] = {
    .id = CNN_RENDER_STYLE_PRINT, .name = "print",
    .background = HEX (0xFFFFFF), .foreground = HEX (0x000000), .grid = HEX (0xD0D0D0),
    .muted = HEX (0x404040), .accent = OI_BLUE,
    .palette = ON_WHITE,
    .font_family = FONT, .title_size = 13, .label_size = 11, .small_size = 9,
    .line_width = 1.0, .axis_width = 0.5, .grid_width = 0.4,
    .padding = 8, .gap = 3, .tick_length = 3,
  },
  [CNN_RENDER_STYLE_PROJECTOR] = {
    .id = CNN_RENDER_STYLE_PROJECTOR, .name = "projector",
    .background = HEX (0xFFFFFF), .foreground = HEX (0x000000), .grid = HEX (0xBDBDBD),
    .muted = HEX (0x303030), .accent = OI_BLUE,
    .palette = ON_WHITE,
    .font_family = FONT, .title_size = 30, .label_size = 24, .small_size = 20,
    .line_width = 4.0, .axis_width = 2.0, .grid_width = 1.5,
    .padding = 20, .gap = 6, .tick_length = 8,
  },
};

const CnnRenderStyle *
cnn_render_style_get (CnnRenderStyleId id)
{
  g_return_val_if_fail ((unsigned) id < CNN_RENDER_N_STYLES, &styles[0]);
  return &styles[id];
}

const CnnRenderStyle *
cnn_render_style_parse (const char *name, GError **error)
{
  if (name == NULL)
    return &styles[CNN_RENDER_STYLE_LIGHT];
  for (int i = 0; i < CNN_RENDER_N_STYLES; i++)
    if (g_ascii_strcasecmp (name, styles[i].name) == 0)
      return &styles[i];
  g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
               "unknown style “%s”: use light, dark, print or projector", name);
  return NULL;
}

const CnnColor *
cnn_render_style_series (const CnnRenderStyle *style, int i)
{
  int k = i % CNN_RENDER_PALETTE_SIZE;
  return &style->palette[k < 0 ? k + CNN_RENDER_PALETTE_SIZE : k];
}

void
cnn_render_set_color (cairo_t *cr, const CnnColor *color)
{
  cairo_set_source_rgb (cr, color->r, color->g, color->b);
}

void
cnn_render_paint_background (cairo_t *cr, const CnnRenderStyle *style)
{
  cairo_save (cr);
  cnn_render_set_color (cr, &style->background);
  cairo_paint (cr);
  cairo_restore (cr);
}
