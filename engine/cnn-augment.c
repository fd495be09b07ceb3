/* cnn-augment.c: Keras-style random affine augmentation of byte images.
 *
 * Each image's draw (angle, shifts, zooms, flips) becomes one inverse map
 * from output to input coordinates, flips included, so the per-pixel work
 * is the same whatever was drawn: find the input point, then interpolate.
 * A row is done in two passes: the first finds each pixel's four source
 * offsets and weights (a branch for the rare points near or past the edge,
 * where the fill mode decides), the second interpolates every channel from
 * them, so a color image pays for the geometry once. */
#include "cnn-augment.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cnn-error.h"
#include "cnn-rng.h"
#include "cnn-simd.h"

/* ---------- parsing and describing ---------- */

static const char *const fill_names[] = {
  [CNN_FILL_NEAREST] = "nearest",
  [CNN_FILL_CONSTANT] = "constant",
  [CNN_FILL_REFLECT] = "reflect",
  [CNN_FILL_WRAP] = "wrap",
};

#define ALLOWED "use rotation=DEGREES, width-shift=F, height-shift=F, zoom=F, hflip, vflip, " \
                "fill=nearest|constant|reflect|wrap, cval=V"

typedef enum
{
  KEY_ROTATION,
  KEY_WIDTH_SHIFT,
  KEY_HEIGHT_SHIFT,
  KEY_ZOOM,
  KEY_HFLIP,
  KEY_VFLIP,
  KEY_FILL,
  KEY_CVAL,
  N_KEYS
} Key;

typedef struct
{
  const char *name;
  gsize       offset;      /* of the double, for numbers */
  double      lo, hi;      /* the allowed range */
  gboolean    hi_open;     /* hi itself is not allowed */
  const char *meaning;     /* "... takes MEANING" */
} NumberKey;

static const NumberKey number_keys[] = {
  [KEY_ROTATION] = { "rotation", G_STRUCT_OFFSET (CnnAugment, rotation), 0, 180, FALSE,
                     "degrees from 0 to 180" },
  [KEY_WIDTH_SHIFT] = { "width-shift", G_STRUCT_OFFSET (CnnAugment, width_shift), 0, 1, FALSE,
                        "a fraction of the width from 0 to 1" },
  [KEY_HEIGHT_SHIFT] = { "height-shift", G_STRUCT_OFFSET (CnnAugment, height_shift), 0, 1, FALSE,
                         "a fraction of the height from 0 to 1" },
  [KEY_ZOOM] = { "zoom", G_STRUCT_OFFSET (CnnAugment, zoom), 0, 1, TRUE,
                 "a number from 0 up to (not including) 1" },
  [KEY_HFLIP] = { "hflip" },
  [KEY_VFLIP] = { "vflip" },
  [KEY_FILL] = { "fill" },
  [KEY_CVAL] = { "cval", G_STRUCT_OFFSET (CnnAugment, cval), 0, 255, FALSE,
                 "a pixel value from 0 to 255" },
};

static gboolean
bad_item (GError **error, const char *item, const char *problem)
{
  g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "augmentation “%s”: %s", item, problem);
  return FALSE;
}

static gboolean
parse_item (CnnAugment *aug, const char *item, gboolean *seen, GError **error)
{
  g_autofree char *name = g_strdup (item);
  char *value = strchr (name, '=');
  if (value)
    *value++ = '\0';
  g_strstrip (name);
  /* Keras users write width_shift; one spelling is printed back */
  g_strdelimit (name, "_", '-');
  int key = -1;
  for (int k = 0; k < N_KEYS; k++)
    if (g_ascii_strcasecmp (name, number_keys[k].name) == 0)
      key = k;
  if (key < 0)
    return bad_item (error, item, "unknown setting; " ALLOWED);
  if (seen[key])
    {
      g_autofree char *msg = g_strdup_printf ("%s is given twice", number_keys[key].name);
      return bad_item (error, item, msg);
    }
  seen[key] = TRUE;

  if (key == KEY_HFLIP || key == KEY_VFLIP)
    {
      if (value)
        {
          g_autofree char *msg = g_strdup_printf ("%s takes no value (write just %s)",
                                                  number_keys[key].name, number_keys[key].name);
          return bad_item (error, item, msg);
        }
      *(key == KEY_HFLIP ? &aug->hflip : &aug->vflip) = TRUE;
      return TRUE;
    }
  if (value == NULL || *g_strstrip (value) == '\0')
    {
      g_autofree char *msg = g_strdup_printf ("%s needs a value, as in %s", number_keys[key].name,
                                              key == KEY_FILL ? "fill=nearest"
                                              : key == KEY_ROTATION ? "rotation=15"
                                              : key == KEY_CVAL ? "cval=0"
                                              : "zoom=0.1");
      return bad_item (error, item, msg);
    }
  if (key == KEY_FILL)
    {
      for (gsize f = 0; f < G_N_ELEMENTS (fill_names); f++)
        if (g_ascii_strcasecmp (value, fill_names[f]) == 0)
          {
            aug->fill = (CnnFillMode) f;
            return TRUE;
          }
      return bad_item (error, item, "fill is nearest, constant, reflect or wrap");
    }
  const NumberKey *nk = &number_keys[key];
  char *end = NULL;
  double v = g_ascii_strtod (value, &end);
  if (end == value || *end != '\0' || !isfinite (v) || v < nk->lo || v > nk->hi
      || (nk->hi_open && v >= nk->hi))
    {
      g_autofree char *msg = g_strdup_printf ("%s takes %s", nk->name, nk->meaning);
      return bad_item (error, item, msg);
    }
  *(double *) ((char *) aug + nk->offset) = v;
  return TRUE;
}

CnnAugment *
cnn_augment_parse (const char *text, GError **error)
{
  g_autoptr (CnnAugment) aug = g_new0 (CnnAugment, 1);
  aug->fill = CNN_FILL_NEAREST;
  g_autofree char *trimmed = g_strstrip (g_strdup (text ? text : ""));
  if (*trimmed == '\0' || g_ascii_strcasecmp (trimmed, "none") == 0)
    return g_steal_pointer (&aug);
  gboolean seen[N_KEYS] = { FALSE };
  g_auto (GStrv) items = g_strsplit (trimmed, ",", -1);
  for (int i = 0; items[i]; i++)
    {
      if (*g_strstrip (items[i]) == '\0')
        {
          bad_item (error, trimmed, "an item is empty (two commas in a row, or one at an end)");
          return NULL;
        }
      if (!parse_item (aug, items[i], seen, error))
        return NULL;
    }
  if (seen[KEY_CVAL] && aug->fill != CNN_FILL_CONSTANT)
    {
      bad_item (error, trimmed, "cval applies only with fill=constant");
      return NULL;
    }
  return g_steal_pointer (&aug);
}

/* the shortest text that reads back as the same double */
static void
append_number (GString *s, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  for (int digits = 6; digits <= 17; digits++)
    {
      char format[8];
      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, format, v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  g_string_append (s, buf);
}

char *
cnn_augment_describe (const CnnAugment *aug)
{
  if (cnn_augment_is_off (aug))
    return g_strdup ("none");
  GString *s = g_string_new (NULL);
  for (int k = KEY_ROTATION; k <= KEY_ZOOM; k++)
    {
      double v = *(const double *) ((const char *) aug + number_keys[k].offset);
      if (v == 0)
        continue;
      g_string_append_printf (s, "%s=", number_keys[k].name);
      append_number (s, v);
      g_string_append_c (s, ',');
    }
  if (aug->hflip)
    g_string_append (s, "hflip,");
  if (aug->vflip)
    g_string_append (s, "vflip,");
  g_string_append_printf (s, "fill=%s", fill_names[aug->fill]);
  if (aug->fill == CNN_FILL_CONSTANT)
    {
      g_string_append (s, ",cval=");
      append_number (s, aug->cval);
    }
  return g_string_free (s, FALSE);
}

CnnAugment *
cnn_augment_copy (const CnnAugment *aug)
{
  return aug ? g_memdup2 (aug, sizeof *aug) : NULL;
}

void
cnn_augment_free (CnnAugment *aug)
{
  g_free (aug);
}

gboolean
cnn_augment_is_off (const CnnAugment *aug)
{
  return aug == NULL || (aug->rotation == 0 && aug->width_shift == 0 && aug->height_shift == 0
                         && aug->zoom == 0 && !aug->hflip && !aug->vflip);
}

/* ---------- drawing ---------- */

/* splitmix64's finalizer: nearby (seed, epoch, index) give unrelated states */
static guint64
mix64 (guint64 z)
{
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* the trainer's own streams are 1 (shuffling) and 2 (dropout) */
#define AUGMENT_STREAM 0x6175676dULL

void
cnn_augment_draw (const CnnAugment *aug, guint64 seed, int epoch, int index, int h, int w,
                  CnnAugmentParams *p)
{
  g_return_if_fail (aug != NULL && p != NULL);
  CnnRng rng;
  guint64 where = ((guint64) (guint32) epoch << 32) | (guint32) index;
  cnn_rng_init (&rng, mix64 (seed ^ mix64 (where)), AUGMENT_STREAM);
  /* always seven draws in Keras' order, so turning one setting on does not
   * change what the others draw */
  double u[7];
  for (int i = 0; i < 7; i++)
    u[i] = 2.0 * cnn_rng_uniform (&rng) - 1.0;   /* [-1, 1) */
  p->angle = aug->rotation * u[0];
  p->shift_y = aug->height_shift * u[1] * h;
  p->shift_x = aug->width_shift * u[2] * w;
  p->zoom_y = 1.0 + aug->zoom * u[3];   /* Keras' zx, which scales rows */
  p->zoom_x = 1.0 + aug->zoom * u[4];
  p->hflip = aug->hflip && u[5] < 0.0;
  p->vflip = aug->vflip && u[6] < 0.0;
}

/* ---------- applying ---------- */

/* input (y, x) = (m[0] r + m[1] c + m[2], m[3] r + m[4] c + m[5]) for output (r, c) */
static void
params_to_map (const CnnAugmentParams *p, int h, int w, double m[6])
{
  double theta = p->angle * G_PI / 180.0;
  double cs = cos (theta), sn = sin (theta);
  /* A = R Z */
  double a00 = cs * p->zoom_y, a01 = -sn * p->zoom_x;
  double a10 = sn * p->zoom_y, a11 = cs * p->zoom_x;
  double oy = (h - 1) / 2.0, ox = (w - 1) / 2.0;
  /* b = o - A o + R t */
  double by = oy - (a00 * oy + a01 * ox) + (cs * p->shift_y - sn * p->shift_x);
  double bx = ox - (a10 * oy + a11 * ox) + (sn * p->shift_y + cs * p->shift_x);
  /* flips come after the affine part (Keras' apply_transform): output q is
   * affine output p = F q + f */
  double fy = p->vflip ? -1.0 : 1.0, fx = p->hflip ? -1.0 : 1.0;
  double ty = p->vflip ? h - 1 : 0, tx = p->hflip ? w - 1 : 0;
  m[0] = a00 * fy;
  m[1] = a01 * fx;
  m[2] = a00 * ty + a01 * tx + by;
  m[3] = a10 * fy;
  m[4] = a11 * fx;
  m[5] = a10 * ty + a11 * tx + bx;
  /* cos 90° is 6e-17, not 0: snap such residues so that right angles, flips
   * and whole-pixel shifts land exactly on pixels */
  for (int i = 0; i < 6; i++)
    if (fabs (m[i] - nearbyint (m[i])) < 1e-9)
      m[i] = nearbyint (m[i]);
}

/* The taps of one output row, one array per field so the geometry pass
 * vectorizes: each pixel's four source offsets (top-left, top-right,
 * bottom-left, bottom-right) and weights. value = bilinear * keep + add, so
 * constant fill past the edge needs no branch in the channel loop. */
typedef struct
{
  int32_t *o[4];            /* (w) each */
  float   *fy, *fx;         /* (w) each */
  float   *keep, *add;      /* (w) each */
  int32_t *iy, *ix;         /* (w) each: the top-left neighbor, unclamped */
} Taps;

#define TAP_ARRAYS 10

static float *
taps_init (Taps *t, int w)
{
  float *block = g_new (float, (gsize) TAP_ARRAYS * w);
  G_STATIC_ASSERT (sizeof (int32_t) == sizeof (float));
  for (int k = 0; k < 4; k++)
    t->o[k] = (int32_t *) (block + (gsize) k * w);
  t->fy = block + (gsize) 4 * w;
  t->fx = block + (gsize) 5 * w;
  t->keep = block + (gsize) 6 * w;
  t->add = block + (gsize) 7 * w;
  t->iy = (int32_t *) (block + (gsize) 8 * w);
  t->ix = (int32_t *) (block + (gsize) 9 * w);
  return block;
}

/* Input coordinates stay within ±2²² (checked on the corners of the map),
 * where floats still hold whole numbers exactly and int conversion is safe. */
#define COORD_LIMIT 4194304.0

static inline int
extend (int i, int n, CnnFillMode fill)
{
  if (i >= 0 && i < n)
    return i;
  switch (fill)
    {
    case CNN_FILL_REFLECT:
      {
        /* one reflection covers what shifts and small zooms reach */
        if (i >= -n && i < 0)
          return -1 - i;
        if (i >= n && i < 2 * n)
          return 2 * n - 1 - i;
        int period = 2 * n, k = i % period;
        if (k < 0)
          k += period;
        return k < n ? k : period - 1 - k;
      }
    case CNN_FILL_WRAP:
      {
        int k = i % n;
        return k < 0 ? k + n : k;
      }
    case CNN_FILL_NEAREST:
    case CNN_FILL_CONSTANT:
    default:
      return i < 0 ? 0 : n - 1;
    }
}

/* The taps of output row r with neighbors clamped to the image, which is the
 * nearest fill; constant fill also zeroes `keep` for points past the edge
 * (scipy's constant mode: no interpolation beyond the edges). Written
 * without branches so that it vectorizes. */
CNN_VECTORIZE static void
taps_clamped (float y0, float dy, float x0, float dx, int constant, float cval, int h, int w,
              int32_t *restrict o0, int32_t *restrict o1, int32_t *restrict o2,
              int32_t *restrict o3, float *restrict fy, float *restrict fx,
              float *restrict keep, float *restrict add, int32_t *restrict iy_out,
              int32_t *restrict ix_out)
{
  const float ymax = (float) (h - 1), xmax = (float) (w - 1);
  for (int c = 0; c < w; c++)
    {
      float y = y0 + dy * (float) c, x = x0 + dx * (float) c;
      int iy = (int) y, ix = (int) x;
      iy -= y < (float) iy;    /* floor */
      ix -= x < (float) ix;
      fy[c] = y - (float) iy;
      fx[c] = x - (float) ix;
      iy_out[c] = iy;
      ix_out[c] = ix;
      int ya = MIN (MAX (iy, 0), h - 1), yb = MIN (MAX (iy + 1, 0), h - 1);
      int xa = MIN (MAX (ix, 0), w - 1), xb = MIN (MAX (ix + 1, 0), w - 1);
      o0[c] = ya * w + xa;
      o1[c] = ya * w + xb;
      o2[c] = yb * w + xa;
      o3[c] = yb * w + xb;
      int outside = (y < 0) | (y > ymax) | (x < 0) | (x > xmax);
      float fill = (float) (outside & constant);
      keep[c] = 1.0f - fill;
      add[c] = fill * cval;
    }
}

/* (restrict only holds on parameters: the arrays go in one by one) */
static void
row_taps_clamped (const float m[6], int r, int constant, float cval, int h, int w,
                  const Taps *t)
{
  taps_clamped (m[0] * (float) r + m[2], m[1], m[3] * (float) r + m[5], m[4], constant, cval,
                h, w, t->o[0], t->o[1], t->o[2], t->o[3], t->fy, t->fx, t->keep, t->add, t->iy,
                t->ix);
}

/* reflect and wrap: the clamped taps are right wherever all four neighbors
 * are inside; the few others are redone here */
static void
row_taps_fix (CnnFillMode fill, int h, int w, const Taps *t)
{
  for (int c = 0; c < w; c++)
    {
      int iy = t->iy[c], ix = t->ix[c];
      if ((unsigned) iy < (unsigned) (h - 1) && (unsigned) ix < (unsigned) (w - 1))
        continue;
      int ya = extend (iy, h, fill), yb = extend (iy + 1, h, fill);
      int xa = extend (ix, w, fill), xb = extend (ix + 1, w, fill);
      t->o[0][c] = ya * w + xa;
      t->o[1][c] = ya * w + xb;
      t->o[2][c] = yb * w + xa;
      t->o[3][c] = yb * w + xb;
    }
}

/* out[col] from the float plane s (h, w) through the row's taps. Scalar:
 * AVX2 gathers measured slower here (3.2 against 2.6 µs a 28×28 image), and
 * floats beat bytes (no int-to-float conversion per neighbor). */
static void
interpolate_row (const float *restrict s, const int32_t *restrict o0,
                 const int32_t *restrict o1, const int32_t *restrict o2,
                 const int32_t *restrict o3, const float *restrict fy,
                 const float *restrict fx, const float *restrict keep,
                 const float *restrict add, int w, float *restrict out)
{
  for (int col = 0; col < w; col++)
    {
      float v0 = s[o0[col]], v1 = s[o1[col]], v2 = s[o2[col]], v3 = s[o3[col]];
      /* a + f (b - a) is exact when f is 0: whole-pixel moves copy */
      float top = v0 + fx[col] * (v1 - v0);
      float bottom = v2 + fx[col] * (v3 - v2);
      out[col] = (top + fy[col] * (bottom - top)) * keep[col] + add[col];
    }
}

/* dst (c, h, w) from src (c, h, w) through the map md; plane is scratch of
 * c*h*w floats, taps of w pixels */
static void
apply_map (const double md[6], CnnFillMode fill, float cval, const guint8 *src, int c, int h,
           int w, float *dst, const Taps *t, float *plane)
{
  const gsize chw = (gsize) c * h * w, hw = (gsize) h * w;
  if (md[0] == 1 && md[1] == 0 && md[2] == 0 && md[3] == 0 && md[4] == 1 && md[5] == 0)
    {
      /* drawn as the identity: nothing to interpolate */
      for (gsize j = 0; j < chw; j++)
        dst[j] = (float) src[j];
      return;
    }
  for (gsize j = 0; j < chw; j++)
    plane[j] = (float) src[j];
  float m[6];
  for (int i = 0; i < 6; i++)
    m[i] = (float) md[i];
  for (int r = 0; r < h; r++)
    {
      row_taps_clamped (m, r, fill == CNN_FILL_CONSTANT, cval, h, w, t);
      if (fill == CNN_FILL_REFLECT || fill == CNN_FILL_WRAP)
        row_taps_fix (fill, h, w, t);
      for (int ch = 0; ch < c; ch++)
        interpolate_row (plane + ch * hw, t->o[0], t->o[1], t->o[2], t->o[3], t->fy, t->fx,
                         t->keep, t->add, w, dst + ch * hw + (gsize) r * w);
    }
}

static gboolean
sizes_ok (int c, int h, int w)
{
  /* offsets within a plane are 32-bit; drawn maps stay well within COORD_LIMIT */
  return c > 0 && h > 0 && w > 0 && h <= 65536 && w <= 65536 && (gint64) h * w <= G_MAXINT32 / 2;
}

/* the map is affine, so its extremes are at the corners (NaN fails too) */
static gboolean
map_in_range (const double m[6], int h, int w)
{
  for (int k = 0; k < 4; k++)
    {
      double r = k & 1 ? h - 1 : 0, c = k & 2 ? w - 1 : 0;
      double y = m[0] * r + m[1] * c + m[2], x = m[3] * r + m[4] * c + m[5];
      if (!(fabs (y) <= COORD_LIMIT && fabs (x) <= COORD_LIMIT))
        return FALSE;
    }
  return TRUE;
}

void
cnn_augment_apply (const CnnAugmentParams *params, CnnFillMode fill, double cval,
                   const guint8 *src, int c, int h, int w, float *dst)
{
  g_return_if_fail (params != NULL && src != NULL && dst != NULL && sizes_ok (c, h, w));
  g_return_if_fail ((unsigned) fill < G_N_ELEMENTS (fill_names));
  double m[6];
  params_to_map (params, h, w, m);
  g_return_if_fail (map_in_range (m, h, w));
  Taps taps;
  g_autofree float *block = taps_init (&taps, w);
  g_autofree float *plane = g_new (float, (gsize) c * h * w);
  apply_map (m, fill, (float) cval, src, c, h, w, dst, &taps, plane);
}

void
cnn_augment_gather (const CnnAugment *aug, guint64 seed, int epoch, const CnnImageSet *set,
                    const int *idx, int count, float *dst)
{
  g_return_if_fail (aug != NULL && set != NULL && (dst != NULL || count <= 0));
  g_return_if_fail (sizes_ok (set->c, set->h, set->w));
  gsize chw = (gsize) set->c * set->h * set->w;
  Taps taps;
  g_autofree float *block = taps_init (&taps, set->w);
  g_autofree float *plane = g_new (float, chw);
  for (int k = 0; k < count; k++)
    {
      int i = idx ? idx[k] : k;
      g_return_if_fail (i >= 0 && i < set->n);
      CnnAugmentParams p;
      double m[6];
      cnn_augment_draw (aug, seed, epoch, i, set->h, set->w, &p);
      params_to_map (&p, set->h, set->w, m);
      g_return_if_fail (map_in_range (m, set->h, set->w));
      apply_map (m, aug->fill, (float) aug->cval, set->pixels + (gsize) i * chw, set->c, set->h,
                 set->w, dst + (gsize) k * chw, &taps, plane);
    }
}

void
cnn_augment_sample (const CnnAugment *aug, guint64 seed, int epoch, const CnnImageSet *set,
                    int index, const CnnNormalizer *nz, float *dst)
{
  g_return_if_fail (set != NULL && dst != NULL && index >= 0 && index < set->n);
  if (cnn_augment_is_off (aug))
    {
      /* the trainer does not augment then: plain bytes */
      gsize chw = (gsize) set->c * set->h * set->w;
      const guint8 *src = set->pixels + (gsize) index * chw;
      for (gsize j = 0; j < chw; j++)
        dst[j] = (float) src[j];
    }
  else
    cnn_augment_gather (aug, seed, epoch, set, &index, 1, dst);
  if (nz)
    cnn_normalizer_apply (nz, dst, 1);
}
