#include "cnn-checkpoint.h"

#include <errno.h>
#include <string.h>
#include <zlib.h>

#include "cnn-error.h"
#include "cnn-file.h"
#include "cnn-onnx.h"

static const char MAGIC[] = "CNNSCOPE-CKPT\n";
#define MAGIC_LEN 14

static void
put_u32 (GByteArray *b, guint32 v)
{
  guint32 le = GUINT32_TO_LE (v);
  g_byte_array_append (b, (guint8 *) &le, 4);
}

static void
put_u64 (GByteArray *b, guint64 v)
{
  guint64 le = GUINT64_TO_LE (v);
  g_byte_array_append (b, (guint8 *) &le, 8);
}

static void
put_floats (GByteArray *b, const float *v, size_t n)
{
  /* floats are stored little-endian, as on every machine we run on */
  G_STATIC_ASSERT (G_BYTE_ORDER == G_LITTLE_ENDIAN);
  if (n)
    g_byte_array_append (b, (const guint8 *) v, n * sizeof (float));
}

gboolean
cnn_checkpoint_save (const char *path, CnnNetwork *net, const float *params, const float *state,
                     const CnnNormalizer *nz, const CnnCheckpointMeta *meta, GError **error)
{
  g_return_val_if_fail (path && net && nz && meta, FALSE);
  CnnShape in = cnn_network_get_input_shape (net);
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_key_file_set_string (kf, "model", "spec", cnn_network_get_spec (net));
  int shape[3] = { in.c, in.h, in.w };
  g_key_file_set_integer_list (kf, "model", "input_shape", shape, 3);
  g_key_file_set_integer (kf, "model", "classes", cnn_network_get_n_classes (net));
  if (meta->class_names)
    g_key_file_set_string_list (kf, "model", "class_names", (const char *const *) meta->class_names,
                                g_strv_length (meta->class_names));
  g_key_file_set_string (kf, "data", "name", meta->data ? meta->data : "");
  g_key_file_set_double (kf, "data", "val_split", meta->val_split);
  g_key_file_set_uint64 (kf, "data", "seed", meta->seed);
  g_key_file_set_string (kf, "data", "standardize", cnn_standardize_name (nz->mode));
  g_key_file_set_string (kf, "data", "fit", cnn_fit_name (meta->fit));
  g_key_file_set_integer (kf, "data", "limit_per_class", meta->limit_per_class);
  g_key_file_set_boolean (kf, "data", "val_fixed", meta->val_fixed);
  if (meta->classes && meta->classes[0])
    g_key_file_set_string (kf, "data", "class_subset", meta->classes);
  g_key_file_set_integer (kf, "training", "epochs_done", meta->epochs_done);
  g_key_file_set_string (kf, "training", "optimizer", meta->optimizer ? meta->optimizer : "");
  if (meta->augment)
    g_key_file_set_string (kf, "training", "augment", meta->augment);
  gsize header_len = 0;
  g_autofree char *header = g_key_file_to_data (kf, &header_len, NULL);

  size_t np = cnn_network_get_n_params (net), ns = cnn_network_get_n_state (net);
  size_t nn = (size_t) nz->c * nz->h * nz->w;
  g_autoptr (GByteArray) b = g_byte_array_new ();
  g_byte_array_append (b, (const guint8 *) MAGIC, MAGIC_LEN);
  put_u32 (b, CNN_CHECKPOINT_VERSION);
  put_u32 (b, (guint32) header_len);
  g_byte_array_append (b, (const guint8 *) header, header_len);
  put_u64 (b, np);
  put_u64 (b, ns);
  put_u64 (b, nn);
  put_floats (b, params ? params : cnn_network_get_params (net), np);
  put_floats (b, state ? state : cnn_network_get_state (net), ns);
  put_floats (b, nz->mean, nn);
  put_floats (b, nz->scale, nn);
  put_u32 (b, (guint32) crc32 (0, b->data, b->len));

  GError *local = NULL;
  if (!g_file_set_contents_full (path, (const char *) b->data, b->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, &local))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s: cannot write the checkpoint: %s",
                   path, local->message);
      g_error_free (local);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  const guint8 *p, *end;
} Reader;

static gboolean
take (Reader *r, void *dst, size_t n)
{
  if ((size_t) (r->end - r->p) < n)
    return FALSE;
  if (dst)
    memcpy (dst, r->p, n);
  r->p += n;
  return TRUE;
}

static CnnCheckpoint *
fail (const char *path, GError **error, const char *problem)
{
  g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: %s", path, problem);
  return NULL;
}

void
cnn_checkpoint_meta_clear (CnnCheckpointMeta *meta)
{
  g_clear_pointer (&meta->data, g_free);
  g_clear_pointer (&meta->class_names, g_strfreev);
  g_clear_pointer (&meta->optimizer, g_free);
  g_clear_pointer (&meta->augment, g_free);
  g_clear_pointer (&meta->classes, g_free);
}

void
cnn_checkpoint_free (CnnCheckpoint *ckpt)
{
  if (ckpt == NULL)
    return;
  cnn_network_free (ckpt->net);
  cnn_normalizer_free (ckpt->normalizer);
  cnn_checkpoint_meta_clear (&ckpt->meta);
  g_free (ckpt);
}

CnnCheckpoint *
cnn_checkpoint_load (const char *path, GError **error)
{
  /* every command and the window load models here: ONNX files too */
  if (cnn_onnx_is_onnx_path (path))
    return cnn_onnx_import (path, error);
  g_autofree char *contents = NULL;
  gsize len = 0;
  if (!cnn_file_read (path, &contents, &len, error))
    return NULL;
  Reader r = { (const guint8 *) contents, (const guint8 *) contents + len };
  char magic[MAGIC_LEN];
  if (!take (&r, magic, MAGIC_LEN) || memcmp (magic, MAGIC, MAGIC_LEN) != 0)
    return fail (path, error, "not a Convscope checkpoint (no CNNSCOPE-CKPT header)");
  guint32 version, header_len, crc_stored;
  if (!take (&r, &version, 4))
    return fail (path, error, "the file is truncated");
  version = GUINT32_FROM_LE (version);
  if (version != CNN_CHECKPOINT_VERSION)
    {
      g_autofree char *msg = g_strdup_printf ("checkpoint version %u is not supported "
                                              "(this Convscope reads version %d)",
                                              version, CNN_CHECKPOINT_VERSION);
      return fail (path, error, msg);
    }
  if (len < MAGIC_LEN + 4 + 4 + 24 + 4)
    return fail (path, error, "the file is truncated");
  memcpy (&crc_stored, contents + len - 4, 4);
  if (GUINT32_FROM_LE (crc_stored) != (guint32) crc32 (0, (const guint8 *) contents, len - 4))
    return fail (path, error, "the file is damaged (checksum mismatch)");
  r.end -= 4;
  if (!take (&r, &header_len, 4))
    return fail (path, error, "the file is truncated");
  header_len = GUINT32_FROM_LE (header_len);
  if ((size_t) (r.end - r.p) < header_len)
    return fail (path, error, "the file is truncated in its header");
  g_autofree char *header = g_strndup ((const char *) r.p, header_len);
  r.p += header_len;

  g_autoptr (GKeyFile) kf = g_key_file_new ();
  GError *local = NULL;
  if (!g_key_file_load_from_data (kf, header, header_len, G_KEY_FILE_NONE, &local))
    {
      g_autofree char *msg = g_strdup_printf ("its header is damaged: %s", local->message);
      g_error_free (local);
      return fail (path, error, msg);
    }
  g_autofree char *spec = g_key_file_get_string (kf, "model", "spec", NULL);
  gsize n_shape = 0;
  g_autofree int *shape = g_key_file_get_integer_list (kf, "model", "input_shape", &n_shape, NULL);
  int classes = g_key_file_get_integer (kf, "model", "classes", NULL);
  g_autofree char *standardize = g_key_file_get_string (kf, "data", "standardize", NULL);
  CnnStandardize mode;
  if (spec == NULL || shape == NULL || n_shape != 3 || classes < 1 || standardize == NULL
      || !cnn_standardize_parse (standardize, &mode, NULL))
    return fail (path, error, "its header lacks the model spec, input shape, classes or standardization");

  g_autoptr (CnnCheckpoint) ckpt = g_new0 (CnnCheckpoint, 1);
  CnnShape in = { shape[0], shape[1], shape[2] };
  ckpt->net = cnn_network_new (spec, "its model spec", in, classes, &local);
  if (ckpt->net == NULL)
    {
      g_autofree char *msg = g_strdup_printf ("its model does not build: %s", local->message);
      g_error_free (local);
      return fail (path, error, msg);
    }
  guint64 np, ns, nn;
  if (!take (&r, &np, 8) || !take (&r, &ns, 8) || !take (&r, &nn, 8))
    return fail (path, error, "the file is truncated");
  np = GUINT64_FROM_LE (np);
  ns = GUINT64_FROM_LE (ns);
  nn = GUINT64_FROM_LE (nn);
  if (np != cnn_network_get_n_params (ckpt->net) || ns != cnn_network_get_n_state (ckpt->net)
      || nn != cnn_shape_size (in))
    return fail (path, error, "its weights do not match its model (parameter counts differ)");
  if ((size_t) (r.end - r.p) != (np + ns + 2 * nn) * sizeof (float))
    return fail (path, error, "the weights section has the wrong size");
  take (&r, cnn_network_get_params (ckpt->net), np * sizeof (float));
  take (&r, cnn_network_get_state (ckpt->net), ns * sizeof (float));
  g_autofree float *mean = g_new (float, nn);
  g_autofree float *scale = g_new (float, nn);
  take (&r, mean, nn * sizeof (float));
  take (&r, scale, nn * sizeof (float));
  ckpt->normalizer = cnn_normalizer_new_from (mode, in.c, in.h, in.w, mean, scale);

  ckpt->meta.data = g_key_file_get_string (kf, "data", "name", NULL);
  ckpt->meta.class_names = g_key_file_get_string_list (kf, "model", "class_names", NULL, NULL);
  ckpt->meta.val_split = g_key_file_get_double (kf, "data", "val_split", NULL);
  ckpt->meta.seed = g_key_file_get_uint64 (kf, "data", "seed", NULL);
  ckpt->meta.epochs_done = g_key_file_get_integer (kf, "training", "epochs_done", NULL);
  ckpt->meta.optimizer = g_key_file_get_string (kf, "training", "optimizer", NULL);
  /* absent before image folders: the defaults */
  g_autofree char *fit = g_key_file_get_string (kf, "data", "fit", NULL);
  if (fit != NULL && !cnn_fit_parse (fit, &ckpt->meta.fit, NULL))
    return fail (path, error, "its header names an unknown fit mode");
  ckpt->meta.limit_per_class = MAX (0, g_key_file_get_integer (kf, "data", "limit_per_class", NULL));
  ckpt->meta.val_fixed = g_key_file_get_boolean (kf, "data", "val_fixed", NULL);
  /* absent from older checkpoints: NULL */
  ckpt->meta.augment = g_key_file_get_string (kf, "training", "augment", NULL);
  ckpt->meta.classes = g_key_file_get_string (kf, "data", "class_subset", NULL);
  return g_steal_pointer (&ckpt);
}
