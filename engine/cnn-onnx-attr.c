/* Attributes of ONNX nodes, read with their types checked: every op lists
 * the ones it reads, and any other is an error naming the node. */
#include "cnn-onnx-private.h"

#include <math.h>
#include <string.h>

const Onnx__AttributeProto *
onnx_attr (const Onnx__NodeProto *node, const char *name)
{
  for (size_t k = 0; k < node->n_attribute; k++)
    if (node->attribute[k]->name && strcmp (node->attribute[k]->name, name) == 0)
      return node->attribute[k];
  return NULL;
}

gboolean
onnx_attrs_check (OnnxImporter *imp, const char *const *known, GError **error)
{
  for (size_t k = 0; k < imp->node->n_attribute; k++)
    {
      const char *name = imp->node->attribute[k]->name ? imp->node->attribute[k]->name : "";
      gboolean ok = FALSE;
      for (int j = 0; known && known[j] && !ok; j++)
        ok = strcmp (known[j], name) == 0;
      if (!ok)
        return onnx_node_fail (imp, error, "attribute “%s” is not supported", name);
    }
  return TRUE;
}

/* The attribute's type: from its type field, or (older writers) from what it holds */
static gboolean
attr_is (const Onnx__AttributeProto *a, Onnx__AttributeProto__AttributeType type)
{
  if (a->has_type)
    return a->type == type;
  switch (type)
    {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT: return a->has_i;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT: return a->has_f;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING: return a->has_s;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS: return a->n_ints > 0;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS: return a->n_floats > 0;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR: return a->t != NULL;
    default: return FALSE;
    }
}

gboolean
onnx_attr_int (OnnxImporter *imp, const char *name, gint64 def, gint64 *out, GError **error)
{
  const Onnx__AttributeProto *a = onnx_attr (imp->node, name);
  *out = def;
  if (a == NULL)
    return TRUE;
  if (!attr_is (a, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT))
    return onnx_node_fail (imp, error, "attribute “%s” should be an integer", name);
  *out = a->i;
  return TRUE;
}

gboolean
onnx_attr_float (OnnxImporter *imp, const char *name, float def, float *out, GError **error)
{
  const Onnx__AttributeProto *a = onnx_attr (imp->node, name);
  *out = def;
  if (a == NULL)
    return TRUE;
  if (!attr_is (a, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT))
    return onnx_node_fail (imp, error, "attribute “%s” should be a number", name);
  if (!isfinite (a->f))
    return onnx_node_fail (imp, error, "attribute “%s” is not a finite number", name);
  *out = a->f;
  return TRUE;
}

gboolean
onnx_attr_ints (OnnxImporter *imp, const char *name, gint64 *out, int max, int *n, GError **error)
{
  const Onnx__AttributeProto *a = onnx_attr (imp->node, name);
  *n = 0;
  if (a == NULL)
    return TRUE;
  if (!attr_is (a, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS))
    return onnx_node_fail (imp, error, "attribute “%s” should be a list of integers", name);
  if (a->n_ints > (size_t) max)
    return onnx_node_fail (imp, error, "attribute “%s” has %zu values, more than the %d a 2-D "
                           "network uses", name, a->n_ints, max);
  for (size_t k = 0; k < a->n_ints; k++)
    out[k] = a->ints[k];
  *n = (int) a->n_ints;
  return TRUE;
}

char *
onnx_attr_string (OnnxImporter *imp, const char *name, GError **error)
{
  const Onnx__AttributeProto *a = onnx_attr (imp->node, name);
  if (a == NULL)
    return NULL;
  if (!attr_is (a, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING))
    {
      onnx_node_fail (imp, error, "attribute “%s” should be a string", name);
      return NULL;
    }
  return g_strndup ((const char *) a->s.data, a->s.len);
}


gboolean
onnx_axes (OnnxImporter *imp, gint64 since, gint64 *axes, int *n, GError **error)
{
  *n = 0;
  if (imp->opset < since)
    return onnx_attr_ints (imp, "axes", axes, 8, n, error);
  GError *local = NULL;
  const OnnxValue *a = onnx_input_const (imp, 1, TRUE, &local);
  if (local)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (a && (!a->t.is_int || a->t.n > 8))
    return onnx_node_fail (imp, error, "its axes should be at most 8 integers");
  *n = a ? (int) a->t.n : 0;
  if (a)
    memcpy (axes, a->t.i, *n * sizeof (gint64));
  return TRUE;
}
