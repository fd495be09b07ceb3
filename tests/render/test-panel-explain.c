/* test-panel-explain.c: the explanation panel puts each map's hot spot
 * where the evidence is, in the map's colors (viridis from 0 for
 * magnitudes, diverging for signed maps), lays its parts out inside the
 * figure without overlap, outlines LIME's superpixels, and exports. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "cnn-render.h"
#include "render-test-utils.h"

#define H 20
#define W 16

typedef struct
{
  float image[3 * H * W];
  float hot[H * W];       /* 1 in a 4×4 block at rows 2..5, columns 9..12, else 0 */
  float sign[H * W];      /* -1 in the left half, +1 in the right */
  int   seg[H * W];       /* 4 superpixels: the quadrants */
  float probs[5];
  CnnPanelExplain panel;
} Fixture;

static const int positive[1] = { 1 };   /* the top-right quadrant */

static void
fixture_init (Fixture *f, int c, int n_maps)
{
  memset (f, 0, sizeof *f);
  for (int i = 0; i < c * H * W; i++)
    f->image[i] = (float) (i % 255);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        f->hot[y * W + x] = y >= 2 && y < 6 && x >= 9 && x < 13 ? 1.0f : 0.0f;
        f->sign[y * W + x] = x < W / 2 ? -1.0f : 1.0f;
        f->seg[y * W + x] = (y >= H / 2) * 2 + (x >= W / 2);
      }
  const float probs[5] = { 0.1f, 0.6f, 0.05f, 0.2f, 0.05f };
  memcpy (f->probs, probs, sizeof probs);
  f->panel = (CnnPanelExplain) { .c = c, .h = H, .w = W, .image = f->image, .opacity = 1.0, .n_classes = 5,
                                 .probs = f->probs, .title = "Which pixels matter", .n_maps = n_maps };
  const char *names[4] = { "Saliency", "Occlusion", "LIME", "Grad-CAM" };
  for (int i = 0; i < n_maps; i++)
    {
      CnnPanelExplainMap *m = &f->panel.maps[i];
      m->name = names[i];
      m->settings = "settings of the method, long enough to wrap onto a second line under the map";
      m->unit = "unit";
      m->is_signed = i == 1 || i == 2;
      m->values = m->is_signed ? f->sign : f->hot;
    }
  if (n_maps > 2)
    {
      f->panel.maps[2].segments = f->seg;
      f->panel.maps[2].positive = positive;
      f->panel.maps[2].n_positive = 1;
    }
}

static cairo_surface_t *
draw (const CnnPanelExplain *p, int w, int h, CnnPanelExplainLayout *layout)
{
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  cairo_surface_t *s = cnn_test_image_new (w, h);
  cairo_t *cr = cairo_create (s);
  cnn_render_paint_background (cr, style);
  cnn_panel_explain_draw (p, style, cr, w, h);
  cnn_panel_explain_layout (p, style, cr, w, h, layout);
  cairo_destroy (cr);
  return s;
}

/* the pixel at the center of map pixel (y, x) of rect r */
static guint32
map_pixel (cairo_surface_t *s, const CnnRect *r, int y, int x)
{
  return cnn_test_pixel (s, (int) (r->x + (x + 0.5) * r->width / W), (int) (r->y + (y + 0.5) * r->height / H));
}

static void
test_colors (void)
{
  Fixture f;
  fixture_init (&f, 1, 4);
  double nw, nh;
  cnn_panel_explain_natural_size (&f.panel, cnn_render_style_get (CNN_RENDER_STYLE_LIGHT), &nw, &nh);
  CnnPanelExplainLayout L;
  cairo_surface_t *s = draw (&f.panel, (int) nw, (int) nh, &L);
  /* opacity 1: the map's own colors. Saliency: the hot block is viridis'
   * top, the rest its bottom (the scale starts at 0) */
  const guint32 top = cnn_colormap_argb (CNN_COLORMAP_VIRIDIS, 1.0) & 0xffffff;
  const guint32 bottom = cnn_colormap_argb (CNN_COLORMAP_VIRIDIS, 0.0) & 0xffffff;
  g_assert_true (cnn_test_near (map_pixel (s, &L.maps[0], 3, 10), top, 6));
  g_assert_true (cnn_test_near (map_pixel (s, &L.maps[0], 15, 3), bottom, 6));
  g_assert_true (cnn_test_near (map_pixel (s, &L.maps[3], 5, 12), top, 6));
  /* occlusion: negative blue on the left, positive red on the right */
  const guint32 neg = cnn_colormap_argb (CNN_COLORMAP_DIVERGING, 0.0) & 0xffffff;
  const guint32 pos = cnn_colormap_argb (CNN_COLORMAP_DIVERGING, 1.0) & 0xffffff;
  g_assert_true (cnn_test_near (map_pixel (s, &L.maps[1], 10, 2), neg, 6));
  g_assert_true (cnn_test_near (map_pixel (s, &L.maps[1], 10, 13), pos, 6));
  /* LIME: the top-right quadrant outlined, a light line (antialiased:
   * within 40 of white) on a dark one along its lower edge (row 10's
   * top) at the right, none at the left */
  const CnnRect *r = &L.maps[2];
  int edge_y = (int) lround (r->y + (H / 2) * r->height / H);
  int white_right = 0, white_left = 0;
  for (int dy = -2; dy <= 2; dy++)
    {
      white_right += cnn_test_near (cnn_test_pixel (s, (int) (r->x + 0.75 * r->width), edge_y + dy), 0xffffff, 3 * 40);
      white_left += cnn_test_near (cnn_test_pixel (s, (int) (r->x + 0.25 * r->width), edge_y + dy), 0xffffff, 3 * 40);
    }
  g_assert_cmpint (white_right, >=, 1);
  g_assert_cmpint (white_left, ==, 0);

  /* half opacity: halfway between the gray image and the color */
  f.panel.opacity = 0.5;
  cairo_surface_t *s2 = draw (&f.panel, (int) nw, (int) nh, &L);
  guint32 p = map_pixel (s2, &L.maps[0], 3, 10);
  double g = f.image[3 * W + 10] / 255.0;
  guint32 want = ((guint32) lround (255 * (0.5 * g + 0.5 * ((top >> 16) / 255.0))) << 16)
                 | ((guint32) lround (255 * (0.5 * g + 0.5 * ((top >> 8 & 0xff) / 255.0))) << 8)
                 | (guint32) lround (255 * (0.5 * g + 0.5 * ((top & 0xff) / 255.0)));
  g_assert_true (cnn_test_near (p, want, 6));
  cairo_surface_destroy (s);
  cairo_surface_destroy (s2);
}

static gboolean
inside (const CnnRect *r, double w, double h)
{
  return r->x >= 0 && r->y >= 0 && r->x + r->width <= w + 1e-9 && r->y + r->height <= h + 1e-9;
}

static void
test_layout (void)
{
  /* gray and color, one to four maps, natural and odd sizes */
  for (int c = 1; c <= 3; c += 2)
    for (int n = 1; n <= 4; n++)
      {
        Fixture f;
        fixture_init (&f, c, n);
        if (n == 2)
          f.panel.probs = NULL;
        double nw, nh;
        cnn_panel_explain_natural_size (&f.panel, cnn_render_style_get (CNN_RENDER_STYLE_LIGHT), &nw, &nh);
        const double sizes[3][2] = { { nw, nh }, { 1400, 300 }, { 500, 900 } };
        for (int k = 0; k < 3; k++)
          {
            CnnPanelExplainLayout L;
            cairo_surface_t *s = draw (&f.panel, (int) sizes[k][0], (int) sizes[k][1], &L);
            double w = sizes[k][0], h = sizes[k][1];
            g_assert_true (inside (&L.image, w, h));
            g_assert_cmpfloat (L.image.width, >, 0);
            /* the image keeps its aspect */
            g_assert_cmpfloat (fabs (L.image.width / L.image.height - (double) W / H), <, 1e-6);
            /* the maps right of the image, in a row or (a tall area) two by two,
             * each with its bar at its right, none overlapping another */
            const double image_right = L.image.x + L.image.width;
            for (int i = 0; i < n; i++)
              {
                g_assert_true (inside (&L.maps[i], w, h));
                g_assert_true (inside (&L.bars[i], w, h));
                g_assert_cmpfloat (L.maps[i].x, >=, image_right);
                g_assert_cmpfloat (L.bars[i].x, >=, L.maps[i].x + L.maps[i].width);
                for (int j = 0; j < i; j++)
                  {
                    gboolean apart_x = L.maps[i].x >= L.bars[j].x + L.bars[j].width
                                       || L.maps[j].x >= L.bars[i].x + L.bars[i].width;
                    gboolean apart_y = L.maps[i].y >= L.maps[j].y + L.maps[j].height
                                       || L.maps[j].y >= L.maps[i].y + L.maps[i].height;
                    g_assert_true (apart_x || apart_y);
                  }
              }
            cairo_surface_destroy (s);
          }
      }
}

static void
draw_cb (cairo_t *cr, double w, double h, const CnnRenderStyle *style, gpointer data)
{
  cnn_panel_explain_draw (data, style, cr, w, h);
}

static void
test_export (void)
{
  Fixture f;
  fixture_init (&f, 3, 4);
  g_autofree char *dir = g_dir_make_tmp ("convscope-explain-XXXXXX", NULL);
  const char *names[] = { "e.png", "e.svg", "e.pdf" };
  const char *magic[] = { "\x89PNG", "<?xml", "%PDF" };
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autoptr (GError) error = NULL;
      g_assert_true (cnn_render_export (path, 900, 300, 96, cnn_render_style_get (CNN_RENDER_STYLE_PRINT), draw_cb,
                                        &f.panel, &error));
      g_assert_no_error (error);
      g_autofree char *bytes = NULL;
      gsize len;
      g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
      g_assert_true (len > 100 && memcmp (bytes, magic[i], strlen (magic[i])) == 0);
      g_remove (path);
    }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/panel-explain/colors", test_colors);
  g_test_add_func ("/panel-explain/layout", test_layout);
  g_test_add_func ("/panel-explain/export", test_export);
  return g_test_run ();
}
