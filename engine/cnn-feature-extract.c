/* cnn-feature-extract.c: a data set's features at one layer of a model,
 * computed in batches in inference mode and cached on disk.
 *
 * Cache file (version 1, little-endian):
 *   "CNNSCOPE-FEAT\n"  magic, 14 bytes
 *   u32 version, 32 bytes SHA-256 key, u32 n, u32 c, u32 h, u32 w
 *   float32 features[n][c][h][w], u8 labels[n]
 *   u32 CRC-32 of everything before it
 * The key hashes everything the features depend on (spec, weights, BN
 * statistics, standardization, layer, and the images themselves), so a
 * retrained model or another class subset never reads stale features. */
#include "cnn-transfer.h"

#include <string.h>
#include <zlib.h>

#include "cnn-error.h"

static const char MAGIC[] = "CNNSCOPE-FEAT\n";
#define MAGIC_LEN   14
#define VERSION     1
#define KEY_LEN     32
#define HEADER_LEN  (MAGIC_LEN + 4 + KEY_LEN + 4 * 4)

static void
hash_int (GChecksum *sum, gint64 v)
{
  guint64 le = GUINT64_TO_LE ((guint64) v);
  g_checksum_update (sum, (const guchar *) &le, sizeof le);
}

static void
hash_string (GChecksum *sum, const char *s)
{
  hash_int (sum, (gint64) strlen (s));
  g_checksum_update (sum, (const guchar *) s, strlen (s));
}

static void
hash_floats (GChecksum *sum, const float *v, size_t n)
{
  G_STATIC_ASSERT (G_BYTE_ORDER == G_LITTLE_ENDIAN);
  hash_int (sum, (gint64) n);
  if (n)
    g_checksum_update (sum, (const guchar *) v, n * sizeof (float));
}

static void
compute_key (CnnNetwork *net, const CnnNormalizer *nz, const CnnImageSet *set, const int *idx,
             int n, int layer, guint8 key[KEY_LEN])
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  hash_string (sum, "convscope features 1");
  hash_string (sum, cnn_network_get_spec (net));
  CnnShape in = cnn_network_get_input_shape (net);
  hash_int (sum, in.c);
  hash_int (sum, in.h);
  hash_int (sum, in.w);
  hash_int (sum, cnn_network_get_n_classes (net));
  hash_floats (sum, cnn_network_get_params (net), cnn_network_get_n_params (net));
  hash_floats (sum, cnn_network_get_state (net), cnn_network_get_n_state (net));
  hash_int (sum, layer);
  hash_string (sum, cnn_network_get_layer (net, layer)->name);
  size_t size = (size_t) nz->c * nz->h * nz->w;
  hash_int (sum, nz->mode);
  hash_floats (sum, nz->mean, size);
  hash_floats (sum, nz->scale, size);
  size_t image = (size_t) set->c * set->h * set->w;
  hash_int (sum, set->c);
  hash_int (sum, set->h);
  hash_int (sum, set->w);
  hash_int (sum, n);
  for (int i = 0; i < n; i++)
    {
      g_checksum_update (sum, set->labels + idx[i], 1);
      g_checksum_update (sum, set->pixels + (size_t) idx[i] * image, image);   /* (c, h, w) */
    }
  gsize len = KEY_LEN;
  g_checksum_get_digest (sum, key, &len);
}

/* Letters, digits, '-' and '_' of the last path component, at most 40. */
static char *
file_part (const char *text)
{
  g_autofree char *base = g_path_get_basename (text && *text ? text : "data");
  GString *s = g_string_new (NULL);
  for (const char *p = base; *p && s->len < 40; p++)
    g_string_append_c (s, g_ascii_isalnum (*p) || *p == '-' || *p == '_' ? *p : '_');
  return g_string_free (s, FALSE);
}

static char *
cache_path (const CnnExtractConfig *config, const char *layer_name, const guint8 key[KEY_LEN])
{
  g_autofree char *data = file_part (config->data_name);
  g_autofree char *layer = file_part (layer_name);
  char hex[2 * 16 + 1];
  for (int i = 0; i < 16; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", key[i]);
  g_autofree char *name = g_strdup_printf ("%s-%s-%s.feat", data, layer, hex);
  return g_build_filename (config->cache_dir, name, NULL);
}

static gboolean
check_args (CnnNetwork *net, const CnnImageSet *set, const int *idx, int n,
            const CnnExtractConfig *config, GError **error)
{
  if (config->layer < 0 || config->layer >= cnn_network_get_n_layers (net))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "the model has no layer %d", config->layer);
      return FALSE;
    }
  CnnShape in = cnn_network_get_input_shape (net);
  if (set->c != in.c || set->h != in.h || set->w != in.w)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_SHAPE,
                   "the model takes %d×%d×%d inputs but the images are %d×%d×%d",
                   in.c, in.h, in.w, set->c, set->h, set->w);
      return FALSE;
    }
  for (int i = 0; i < n; i++)
    if (idx[i] < 0 || idx[i] >= set->n)
      {
        g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "image %d is not in the set of %d",
                     idx[i], set->n);
        return FALSE;
      }
  return TRUE;
}

char *
cnn_features_cache_path (CnnNetwork *net, const CnnNormalizer *nz, const CnnImageSet *set,
                         const int *idx, int n, const CnnExtractConfig *config)
{
  g_return_val_if_fail (config->cache_dir != NULL, NULL);
  if (!check_args (net, set, idx, n, config, NULL))
    return NULL;
  guint8 key[KEY_LEN];
  compute_key (net, nz, set, idx, n, config->layer, key);
  return cache_path (config, cnn_network_get_layer (net, config->layer)->name, key);
}

static guint32
get_u32 (const char *p)
{
  guint32 v;
  memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

/* The cached features, or NULL when the file is missing, damaged or for
 * other features. */
static CnnFeatureSet *
cache_read (const char *path, const guint8 key[KEY_LEN], int n, CnnShape shape)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  if (!g_file_get_contents (path, &contents, &len, NULL))
    return NULL;
  size_t size = cnn_shape_size (shape);
  if (len != HEADER_LEN + (gsize) n * size * sizeof (float) + (gsize) n + 4)
    return NULL;
  const char *p = contents;
  if (memcmp (p, MAGIC, MAGIC_LEN) != 0 || get_u32 (p + MAGIC_LEN) != VERSION
      || memcmp (p + MAGIC_LEN + 4, key, KEY_LEN) != 0)
    return NULL;
  p += MAGIC_LEN + 4 + KEY_LEN;
  if (get_u32 (p) != (guint32) n || get_u32 (p + 4) != (guint32) shape.c
      || get_u32 (p + 8) != (guint32) shape.h || get_u32 (p + 12) != (guint32) shape.w)
    return NULL;
  if (get_u32 (contents + len - 4) != (guint32) crc32 (0, (const guint8 *) contents, len - 4))
    return NULL;
  CnnFeatureSet *fs = cnn_feature_set_new (n, shape, path, NULL);
  if (fs == NULL)
    return NULL;
  p = contents + HEADER_LEN;
  memcpy (fs->x, p, (size_t) n * size * sizeof (float));
  memcpy (fs->labels, p + (size_t) n * size * sizeof (float), n);
  return fs;
}

static void
put_u32 (GByteArray *b, guint32 v)
{
  guint32 le = GUINT32_TO_LE (v);
  g_byte_array_append (b, (guint8 *) &le, 4);
}

static void
cache_write (const char *path, const guint8 key[KEY_LEN], const CnnFeatureSet *fs)
{
  g_autofree char *dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    return;
  size_t size = cnn_shape_size (fs->shape);
  double total = HEADER_LEN + (double) fs->n * (size * sizeof (float) + 1) + 4;
  if (total > G_MAXUINT)
    return;   /* GByteArray's limit; such a set is recomputed each time */
  g_autoptr (GByteArray) b = g_byte_array_sized_new ((guint) total);
  g_byte_array_append (b, (const guint8 *) MAGIC, MAGIC_LEN);
  put_u32 (b, VERSION);
  g_byte_array_append (b, key, KEY_LEN);
  put_u32 (b, fs->n);
  put_u32 (b, fs->shape.c);
  put_u32 (b, fs->shape.h);
  put_u32 (b, fs->shape.w);
  if (fs->n)
    {
      g_byte_array_append (b, (const guint8 *) fs->x, (guint) ((size_t) fs->n * size * sizeof (float)));
      g_byte_array_append (b, fs->labels, fs->n);
    }
  put_u32 (b, (guint32) crc32 (0, b->data, b->len));
  /* a cache: a full disk only costs the next run the recomputation */
  g_file_set_contents_full (path, (const char *) b->data, b->len, G_FILE_SET_CONTENTS_CONSISTENT,
                            0644, NULL);
}

CnnFeatureSet *
cnn_features_extract (CnnNetwork *net, const CnnNormalizer *nz, const CnnImageSet *set,
                      const int *idx, int n, const CnnExtractConfig *config, gboolean *from_cache,
                      GError **error)
{
  g_return_val_if_fail (net && nz && set && config && n >= 0 && (idx || n == 0), NULL);
  if (from_cache)
    *from_cache = FALSE;
  if (!check_args (net, set, idx, n, config, error))
    return NULL;
  const int layer = config->layer;
  CnnShape shape = cnn_network_get_layer (net, layer)->out_shape;
  guint8 key[KEY_LEN];
  g_autofree char *path = NULL;
  if (config->cache_dir)
    {
      compute_key (net, nz, set, idx, n, layer, key);
      path = cache_path (config, cnn_network_get_layer (net, layer)->name, key);
      CnnFeatureSet *cached = cache_read (path, key, n, shape);
      if (cached)
        {
          if (from_cache)
            *from_cache = TRUE;
          if (config->progress)
            config->progress (n, n, config->user_data);
          return cached;
        }
    }

  g_autoptr (CnnFeatureSet) fs = cnn_feature_set_new (n, shape, "features", error);
  if (fs == NULL)
    return NULL;
  const int B = MAX (1, MIN (config->batch_size > 0 ? config->batch_size : 256, n));
  if (!cnn_network_check_batch (net, B, 1, error))
    return NULL;
  CnnShape in = cnn_network_get_input_shape (net);
  const size_t size = cnn_shape_size (shape);
  g_autofree float *x = g_new (float, (size_t) B * cnn_shape_size (in));   /* (B, C, H, W) */
  for (int start = 0; start < n; start += B)
    {
      int count = MIN (B, n - start);
      cnn_normalizer_gather (nz, set, idx + start, count, x);
      const float *out = cnn_network_forward (net, x, count, FALSE, NULL, config->pool, layer);
      memcpy (fs->x + (size_t) start * size, out, (size_t) count * size * sizeof (float));
      for (int i = 0; i < count; i++)
        fs->labels[start + i] = set->labels[idx[start + i]];
      if (config->progress && !config->progress (start + count, n, config->user_data))
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_CANCELLED, "feature extraction was cancelled");
          return NULL;
        }
    }
  if (path)
    cache_write (path, key, fs);
  return g_steal_pointer (&fs);
}
