/* cnn-dataset-synthetic.c: a data set that needs no files. 28×28 gray
 * images of ten shapes and strokes, each drawn at a random place, size,
 * thickness and brightness, with a little noise. Random placement means a
 * classifier has to recognise the shape, not look up pixels; a small CNN
 * learns it well within an epoch or two. */
#include "cnn-dataset.h"

#include <math.h>

#include "cnn-rng.h"

#define SIZE 28
#define N_SHAPES 10

typedef enum
{
  SHAPE_HBAR,
  SHAPE_VBAR,
  SHAPE_BACKSLASH,
  SHAPE_SLASH,
  SHAPE_SQUARE,
  SHAPE_RING,
  SHAPE_PLUS,
  SHAPE_X,
  SHAPE_DISC,
  SHAPE_TRIANGLE,
} Shape;

static const char *const shape_names[N_SHAPES + 1] = {
  "horizontal bar", "vertical bar", "diagonal \\", "diagonal /", "square",
  "ring", "plus", "X", "disc", "triangle", NULL,
};

/* One shape's geometry in pixel units (y grows downwards). */
typedef struct
{
  Shape kind;
  float cx, cy;
  float len;          /* bars and strokes: length; square: half side; ring, disc: radius */
  float thick;        /* strokes and ring: line width */
  float angle;        /* strokes: direction; square: rotation */
  float cos_a, sin_a; /* of angle */
  float tri_b, tri_h; /* triangle: half base, height */
  float ex, ey;       /* half extents of the bounding box, around (cx, cy) */
} Geometry;

static float
uniform (CnnRng *rng, float lo, float hi)
{
  return lo + (hi - lo) * (float) cnn_rng_uniform (rng);
}

/* fminf/fmaxf are library calls without -ffast-math; these inline */
static inline float
min_f (float a, float b)
{
  return a < b ? a : b;
}

static inline float
max_f (float a, float b)
{
  return a > b ? a : b;
}

/* distance from (x, y) to the stroke of length len through the center
 * along direction (c, s), minus half the thickness */
static float
stroke_distance (const Geometry *g, float c, float s, float x, float y)
{
  float dx = x - g->cx, dy = y - g->cy;
  float along = dx * c + dy * s;
  float across = -dx * s + dy * c;
  float half = 0.5f * g->len;
  float over = fabsf (along) - half;
  float d = over > 0 ? sqrtf (over * over + across * across) : fabsf (across);
  return d - 0.5f * g->thick;
}

/* Signed distance to the shape's edge: negative inside. Exact for strokes,
 * discs and rings; a close bound for the square's and triangle's corners,
 * which only matters for the one-pixel anti-aliased edge. */
static float
shape_distance (const Geometry *g, float x, float y)
{
  float c = g->cos_a, s = g->sin_a;
  float dx = x - g->cx, dy = y - g->cy;
  switch (g->kind)
    {
    case SHAPE_HBAR:
    case SHAPE_VBAR:
    case SHAPE_BACKSLASH:
    case SHAPE_SLASH:
      return stroke_distance (g, c, s, x, y);
    case SHAPE_PLUS:
    case SHAPE_X:
      return min_f (stroke_distance (g, c, s, x, y), stroke_distance (g, -s, c, x, y));
    case SHAPE_SQUARE:
      return max_f (fabsf (dx * c + dy * s), fabsf (-dx * s + dy * c)) - g->len;
    case SHAPE_RING:
      return fabsf (sqrtf (dx * dx + dy * dy) - g->len) - 0.5f * g->thick;
    case SHAPE_DISC:
      return sqrtf (dx * dx + dy * dy) - g->len;
    case SHAPE_TRIANGLE:
      {
        /* apex up at (0, -h/2), base corners at (±b, h/2): the largest
         * signed distance to the three edge lines */
        float b = g->tri_b, h = g->tri_h;
        float base = dy - 0.5f * h;
        float norm = sqrtf (h * h + b * b);
        float side = (h * fabsf (dx) - b * dy - 0.5f * b * h) / norm;
        return max_f (base, side);
      }
    }
  return 1e9f;
}

static void
pick_geometry (CnnRng *rng, Shape kind, Geometry *g)
{
  const float jitter = 0.15f;   /* radians: strokes stay clearly in their class */
  g->kind = kind;
  g->thick = uniform (rng, 2.0f, 4.0f);
  g->len = uniform (rng, 12.0f, 22.0f);
  g->angle = uniform (rng, -jitter, jitter);
  switch (kind)
    {
    case SHAPE_VBAR:
      g->angle += (float) G_PI_2;
      break;
    case SHAPE_BACKSLASH:
    case SHAPE_X:
      g->angle += (float) G_PI_4;
      break;
    case SHAPE_SLASH:
      g->angle -= (float) G_PI_4;
      break;
    case SHAPE_SQUARE:
      g->len = uniform (rng, 4.5f, 8.0f);
      break;
    case SHAPE_RING:
      g->len = uniform (rng, 5.0f, 10.0f);
      g->thick = uniform (rng, 1.5f, 3.0f);
      break;
    case SHAPE_DISC:
      g->len = uniform (rng, 4.5f, 9.0f);
      break;
    case SHAPE_TRIANGLE:
      g->tri_b = uniform (rng, 5.0f, 10.0f);
      g->tri_h = uniform (rng, 9.0f, 18.0f);
      break;
    default:
      break;
    }

  g->cos_a = cosf (g->angle);
  g->sin_a = sinf (g->angle);
  float c = fabsf (g->cos_a), s = fabsf (g->sin_a);
  switch (kind)
    {
    case SHAPE_SQUARE:
      g->ex = g->ey = g->len * (c + s);
      break;
    case SHAPE_RING:
      g->ex = g->ey = g->len + 0.5f * g->thick;
      break;
    case SHAPE_DISC:
      g->ex = g->ey = g->len;
      break;
    case SHAPE_TRIANGLE:
      g->ex = g->tri_b;
      g->ey = 0.5f * g->tri_h;
      break;
    case SHAPE_PLUS:
    case SHAPE_X:
      /* the second arm is the first turned by 90 degrees */
      g->ex = g->ey = 0.5f * g->len * MAX (c, s) + 0.5f * g->thick;
      break;
    default:
      g->ex = 0.5f * g->len * c + 0.5f * g->thick;
      g->ey = 0.5f * g->len * s + 0.5f * g->thick;
      break;
    }

  /* anywhere that keeps a one-pixel margin; centered if it cannot */
  float lo_x = g->ex + 1.0f, hi_x = SIZE - g->ex - 1.0f;
  float lo_y = g->ey + 1.0f, hi_y = SIZE - g->ey - 1.0f;
  g->cx = lo_x < hi_x ? uniform (rng, lo_x, hi_x) : 0.5f * SIZE;
  g->cy = lo_y < hi_y ? uniform (rng, lo_y, hi_y) : 0.5f * SIZE;
}

static void
draw (CnnRng *rng, Shape kind, guint8 *img /* (SIZE, SIZE) */)
{
  Geometry g = { 0 };
  pick_geometry (rng, kind, &g);
  float bg = uniform (rng, 0.0f, 0.12f) * 255.0f;
  float fg = uniform (rng, 0.55f, 1.0f) * 255.0f;
  float noise = uniform (rng, 0.0f, 0.06f) * 255.0f;
  /* a third of the images have hard edges, the rest a soft edge of 0.5 to 1.5 px */
  float soft = cnn_rng_below (rng, 3) == 0 ? 0.0f : uniform (rng, 0.5f, 1.5f);

  /* only pixels near the bounding box can be covered */
  int x0 = MAX (0, (int) floorf (g.cx - g.ex - 2.0f));
  int x1 = MIN (SIZE - 1, (int) ceilf (g.cx + g.ex + 2.0f));
  int y0 = MAX (0, (int) floorf (g.cy - g.ey - 2.0f));
  int y1 = MIN (SIZE - 1, (int) ceilf (g.cy + g.ey + 2.0f));

  for (int y = 0; y < SIZE; y++)
    for (int x = 0; x < SIZE; x++)
      {
        float cover = 0.0f;
        if (x >= x0 && x <= x1 && y >= y0 && y <= y1)
          {
            float d = shape_distance (&g, x + 0.5f, y + 0.5f);
            if (soft == 0.0f)
              cover = d < 0.0f ? 1.0f : 0.0f;
            else
              cover = min_f (1.0f, max_f (0.0f, 0.5f - d / soft));
          }
        /* uniform noise in [-noise/2, noise/2] from 16 random bits */
        float r = (float) (cnn_rng_next_u32 (rng) & 0xffff) * (1.0f / 65535.0f) - 0.5f;
        float v = bg + (fg - bg) * cover + noise * r;
        img[y * SIZE + x] = (guint8) min_f (255.0f, max_f (0.0f, v + 0.5f));
      }
}

static CnnImageSet *
make_set (guint64 seed, guint64 stream, int n)
{
  CnnRng rng;
  cnn_rng_init (&rng, seed, stream);
  CnnImageSet *set = cnn_image_set_new (n, 1, SIZE, SIZE);
  /* balanced classes in a random order */
  int *order = g_new (int, MAX (n, 1));   /* (n) */
  for (int i = 0; i < n; i++)
    order[i] = i % N_SHAPES;
  cnn_rng_shuffle_int (&rng, order, n);
  for (int i = 0; i < n; i++)
    {
      set->labels[i] = (guint8) order[i];
      draw (&rng, (Shape) order[i], set->pixels + (gsize) i * SIZE * SIZE);
    }
  g_free (order);
  return set;
}

CnnDataset *
cnn_dataset_new_synthetic (guint64 seed, int n_train, int n_test)
{
  g_return_val_if_fail (n_train >= 0 && n_test >= 0, NULL);
  CnnDataset *ds = g_new0 (CnnDataset, 1);
  ds->name = g_strdup ("synthetic");
  ds->n_classes = N_SHAPES;
  ds->class_names = g_strdupv ((char **) shape_names);
  /* separate streams: the test images do not change with the training count */
  ds->train = make_set (seed, 1, n_train);
  ds->test = n_test > 0 ? make_set (seed, 2, n_test) : NULL;
  return ds;
}
