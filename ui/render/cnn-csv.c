/* cnn-csv.c: CSV files read whole (run folders are small: a line per step),
 * split into lines, each line into fields with RFC 4180 quotes. */
#include "cnn-csv.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "cnn-error.h"

#define MAX_COLUMNS 64

struct _CnnCsv
{
  char   *path;
  char   *text;
  char   *pos;           /* the next line */
  char   *end;           /* the end of the text read */
  int     line;          /* of the last line returned, from 1 */
  int     n_columns;
  char  **header;        /* n_columns names */
  int     wanted[MAX_COLUMNS];
  int     n_wanted;
  const char *const *wanted_names;
  GPtrArray *fields;     /* of the current line */
};

void
cnn_csv_free (CnnCsv *csv)
{
  if (csv == NULL)
    return;
  g_free (csv->path);
  g_free (csv->text);
  g_strfreev (csv->header);
  if (csv->fields)
    g_ptr_array_free (csv->fields, TRUE);
  g_free (csv);
}

gboolean
cnn_csv_fail (CnnCsv *csv, GError **error, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s:%d: %s", csv->path, csv->line, msg);
  return FALSE;
}

/* The next raw line (NUL-terminated in place, without \r\n), or NULL. */
static char *
next_line (CnnCsv *csv)
{
  if (csv->pos >= csv->end)
    return NULL;
  char *line = csv->pos;
  char *nl = memchr (line, '\n', csv->end - line);
  if (nl)
    {
      *nl = '\0';
      csv->pos = nl + 1;
    }
  else
    csv->pos = csv->end;
  gsize len = strlen (line);
  if (len > 0 && line[len - 1] == '\r')
    line[len - 1] = '\0';
  csv->line++;
  return line;
}

/* Splits a line into csv->fields; quoted fields may hold commas and "". */
static gboolean
split (CnnCsv *csv, const char *line, GError **error)
{
  g_ptr_array_set_size (csv->fields, 0);
  const char *p = line;
  for (;;)
    {
      GString *field = g_string_new (NULL);
      if (*p == '"')
        {
          p++;
          for (;;)
            {
              if (*p == '\0')
                {
                  g_string_free (field, TRUE);
                  return cnn_csv_fail (csv, error, "a quoted field is not closed");
                }
              if (*p == '"' && p[1] == '"')
                {
                  g_string_append_c (field, '"');
                  p += 2;
                }
              else if (*p == '"')
                {
                  p++;
                  break;
                }
              else
                g_string_append_c (field, *p++);
            }
          if (*p != ',' && *p != '\0')
            {
              g_string_free (field, TRUE);
              return cnn_csv_fail (csv, error, "text after a quoted field");
            }
        }
      else
        while (*p != ',' && *p != '\0')
          g_string_append_c (field, *p++);
      g_ptr_array_add (csv->fields, g_string_free (field, FALSE));
      if (*p == '\0')
        return TRUE;
      p++;   /* the comma */
    }
}

CnnCsv *
cnn_csv_open (const char *path, gboolean drop_partial, GError **error)
{
  g_autoptr (CnnCsv) csv = g_new0 (CnnCsv, 1);
  csv->path = g_strdup (path);
  csv->fields = g_ptr_array_new_with_free_func (g_free);
  gsize len;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &csv->text, &len, &local))
    {
      /* GLib's message names the file already */
      g_set_error (error, CNN_ERROR, CNN_ERROR_IO, "%s", local->message);
      return NULL;
    }
  if (memchr (csv->text, '\0', len))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_FORMAT, "%s: not a CSV text file", path);
      return NULL;
    }
  csv->pos = csv->text;
  csv->end = csv->text + len;
  if (drop_partial && len > 0 && csv->text[len - 1] != '\n')
    {
      char *last = g_strrstr_len (csv->text, len, "\n");
      csv->end = last ? last + 1 : csv->text;
    }
  char *header = next_line (csv);
  if (header == NULL || header[0] == '\0')
    {
      csv->line = 1;
      cnn_csv_fail (csv, error, "no header line");
      return NULL;
    }
  if (!split (csv, header, error))
    return NULL;
  if (csv->fields->len > MAX_COLUMNS)
    {
      cnn_csv_fail (csv, error, "more than %d columns", MAX_COLUMNS);
      return NULL;
    }
  csv->n_columns = csv->fields->len;
  csv->header = g_new0 (char *, csv->n_columns + 1);
  for (int i = 0; i < csv->n_columns; i++)
    csv->header[i] = g_strstrip (g_strdup (g_ptr_array_index (csv->fields, i)));
  return g_steal_pointer (&csv);
}

int
cnn_csv_column (CnnCsv *csv, const char *name)
{
  for (int i = 0; i < csv->n_columns; i++)
    if (strcmp (csv->header[i], name) == 0)
      return i;
  return -1;
}

gboolean
cnn_csv_find_columns (CnnCsv *csv, const char *const *names, int n, GError **error)
{
  g_return_val_if_fail (n <= MAX_COLUMNS, FALSE);
  for (int i = 0; i < n; i++)
    {
      csv->wanted[i] = cnn_csv_column (csv, names[i]);
      if (csv->wanted[i] < 0)
        {
          g_autofree char *have = g_strjoinv (",", csv->header);
          int line = csv->line;
          csv->line = 1;
          cnn_csv_fail (csv, error, "no column “%s” in the header “%s”", names[i], have);
          csv->line = line;
          return FALSE;
        }
    }
  csv->n_wanted = n;
  csv->wanted_names = names;
  return TRUE;
}

int
cnn_csv_next_fields (CnnCsv *csv, char ***fields, GError **error)
{
  char *line;
  do
    line = next_line (csv);
  while (line != NULL && line[strspn (line, " \t")] == '\0');
  if (line == NULL)
    return 0;
  if (!split (csv, line, error))
    return -1;
  if ((int) csv->fields->len != csv->n_columns)
    {
      cnn_csv_fail (csv, error, "%u values where the header has %d", csv->fields->len, csv->n_columns);
      return -1;
    }
  *fields = (char **) csv->fields->pdata;
  return 1;
}

gboolean
cnn_csv_number (CnnCsv *csv, const char *field, const char *column, double *value, GError **error)
{
  g_autofree char *text = g_strstrip (g_strdup (field));
  if (text[0] == '\0' || g_ascii_strcasecmp (text, "nan") == 0 || g_ascii_strcasecmp (text, "-nan") == 0)
    {
      *value = NAN;
      return TRUE;
    }
  char *end;

  double v = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0')
    return cnn_csv_fail (csv, error, "%s is “%s”, not a number", column, text);
  *value = v;
  return TRUE;
}

int
cnn_csv_next (CnnCsv *csv, double *values, GError **error)
{
  char **fields;
  int status = cnn_csv_next_fields (csv, &fields, error);
  if (status <= 0)
    return status;
  for (int i = 0; i < csv->n_wanted; i++)
    if (!cnn_csv_number (csv, fields[csv->wanted[i]], csv->wanted_names[i], &values[i], error))
      return -1;
  return 1;
}

void
cnn_csv_append_field (GString *line, const char *text)
{
  if (text == NULL)
    return;
  if (strpbrk (text, ",\"\r\n") == NULL && text[0] != ' ' && text[0] != '\0')
    {
      g_string_append (line, text);
      return;
    }
  g_string_append_c (line, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (line, '"');
      g_string_append_c (line, *p);
    }
  g_string_append_c (line, '"');
}

void
cnn_csv_append_number (GString *line, double value)
{
  if (isnan (value))
    return;
  /* the shortest of 15 and 17 digits that reads back exactly: 0.1, not
   * 0.10000000000000001 */
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd (buf, sizeof buf, "%.15g", value);
  if (g_ascii_strtod (buf, NULL) != value)
    g_ascii_formatd (buf, sizeof buf, "%.17g", value);
  g_string_append (line, buf);
}
