/* cnn-dataset-classes.c: a data set cut down to some of its classes
 * (`--classes 5-9`), relabelled 0..k-1 in the order given: the target task
 * of transfer learning, or a pretraining task, taken from one data set. */
#include "cnn-dataset.h"

#include <stdlib.h>
#include <string.h>

#include "cnn-error.h"

/* A whole number in [0, 9999] at *p; advances p. */
static gboolean
parse_index (const char **p, int *value)
{
  const char *s = *p;
  if (*s < '0' || *s > '9')
    return FALSE;
  long v = 0;
  while (*s >= '0' && *s <= '9')
    {
      v = v * 10 + (*s - '0');
      if (v > 9999)
        return FALSE;
      s++;
    }
  *value = (int) v;
  *p = s;
  return TRUE;
}

gboolean
cnn_class_list_parse (const char *text, int n_classes, int **classes, int *n, GError **error)
{
  g_return_val_if_fail (text != NULL && classes != NULL && n != NULL, FALSE);
  g_autoptr (GArray) list = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree gboolean *seen = g_new0 (gboolean, MAX (n_classes, 1));
  const char *p = text;
  while (TRUE)
    {
      while (*p == ' ')
        p++;
      int a, b;
      if (!parse_index (&p, &a))
        goto syntax;
      b = a;
      if (*p == '-')
        {
          p++;
          if (!parse_index (&p, &b))
            goto syntax;
        }
      if (a >= n_classes || b >= n_classes)
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                       "classes “%s”: class %d does not exist, the data set has classes 0 to %d",
                       text, MAX (a, b), n_classes - 1);
          return FALSE;
        }
      /* 7-5 counts down: the order given is the order of the new labels */
      for (int c = a;; c += a <= b ? 1 : -1)
        {
          if (seen[c])
            {
              g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                           "classes “%s”: class %d is listed twice", text, c);
              return FALSE;
            }
          seen[c] = TRUE;
          g_array_append_val (list, c);
          if (c == b)
            break;
        }
      while (*p == ' ')
        p++;
      if (*p == '\0')
        break;
      if (*p != ',')
        goto syntax;
      p++;
    }
  if (list->len > 256)
    goto syntax;   /* labels are bytes; cannot happen with a valid data set */
  *n = (int) list->len;
  *classes = (int *) g_array_free (g_steal_pointer (&list), FALSE);
  return TRUE;

syntax:
  g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
               "classes “%s”: give class numbers and ranges separated by commas, such as 0-4 or 5,6,7",
               text);
  return FALSE;
}

/* The images of `set` whose class is kept, in their order, relabelled;
 * *kept_after counts those among the last `tail` images. */
static CnnImageSet *
subset (const CnnImageSet *set, const int *new_label, int tail, int *kept_after)
{
  int m = 0, m_tail = 0;
  for (int i = 0; i < set->n; i++)
    if (new_label[set->labels[i]] >= 0)
      {
        m++;
        if (i >= set->n - tail)
          m_tail++;
      }
  CnnImageSet *out = cnn_image_set_new (m, set->c, set->h, set->w);
  size_t size = (size_t) set->c * set->h * set->w;
  int j = 0;
  for (int i = 0; i < set->n; i++)
    {
      int label = new_label[set->labels[i]];
      if (label < 0)
        continue;
      memcpy (out->pixels + (size_t) j * size, set->pixels + (size_t) i * size, size);  /* (c, h, w) */
      out->labels[j] = (guint8) label;
      j++;
    }
  if (kept_after)
    *kept_after = m_tail;
  return out;
}

gboolean
cnn_dataset_select_classes (CnnDataset *ds, const int *classes, int n, GError **error)
{
  g_return_val_if_fail (ds != NULL && ds->train != NULL && classes != NULL, FALSE);
  if (n < 1 || n > ds->n_classes)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "%s: cannot keep %d of its %d classes", ds->name, n, ds->n_classes);
      return FALSE;
    }
  /* labels are bytes: at most 256 classes, every one mapped */
  int new_label[256];
  for (int c = 0; c < 256; c++)
    new_label[c] = -1;
  for (int i = 0; i < n; i++)
    {
      if (classes[i] < 0 || classes[i] >= ds->n_classes || new_label[classes[i]] >= 0)
        {
          g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                       "%s: class %d is not one of its classes 0 to %d, or is listed twice",
                       ds->name, classes[i], ds->n_classes - 1);
          return FALSE;
        }
      new_label[classes[i]] = i;
    }
  /* the fixed validation images are the last ones of train: filtering in
   * order keeps them last */
  int n_fixed_val = 0;
  CnnImageSet *train = subset (ds->train, new_label, ds->n_fixed_val, &n_fixed_val);
  if (train->n == 0)
    {
      cnn_image_set_free (train);
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "%s: no training image belongs to the classes kept", ds->name);
      return FALSE;
    }
  CnnImageSet *test = ds->test ? subset (ds->test, new_label, 0, NULL) : NULL;
  char **names = g_new0 (char *, n + 1);
  for (int i = 0; i < n; i++)
    names[i] = g_strdup (ds->class_names && classes[i] < (int) g_strv_length (ds->class_names)
                         ? ds->class_names[classes[i]] : "");
  cnn_image_set_free (ds->train);
  cnn_image_set_free (ds->test);
  g_strfreev (ds->class_names);
  ds->train = train;
  ds->test = test;
  ds->class_names = names;
  ds->n_classes = n;
  ds->n_fixed_val = n_fixed_val;
  return TRUE;
}

gboolean
cnn_dataset_apply_classes (CnnDataset *ds, const char *text, GError **error)
{
  if (text == NULL || *text == '\0')
    return TRUE;
  g_autofree int *classes = NULL;
  int n = 0;
  GError *local = NULL;
  if (!cnn_class_list_parse (text, ds->n_classes, &classes, &n, &local))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "%s: %s", ds->name, local->message);
      g_error_free (local);
      return FALSE;
    }
  return cnn_dataset_select_classes (ds, classes, n, error);
}
