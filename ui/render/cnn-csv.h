/* cnn-csv.h: the small CSV reader and writer behind run folders and curve
 * tables (RFC 4180 quoting, numbers in the C locale). Errors name the file
 * and the line. Private to the render library. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _CnnCsv CnnCsv;

/* Reads `path` and its header line. With `drop_partial`, a last line
 * without its newline (a writer is still at it) is left out. */
CnnCsv  *cnn_csv_open         (const char *path, gboolean drop_partial, GError **error);
void     cnn_csv_free         (CnnCsv *csv);
/* The index of each named column (all required) for cnn_csv_next. */
gboolean cnn_csv_find_columns (CnnCsv *csv, const char *const *names, int n, GError **error);
/* The index of a column, or -1. */
int      cnn_csv_column       (CnnCsv *csv, const char *name);
/* The next line's fields (owned by csv, valid until the next call):
 * 1 with a line, 0 at the end, -1 on error. Blank lines are skipped; every
 * line must have as many fields as the header. */
int      cnn_csv_next_fields  (CnnCsv *csv, char ***fields, GError **error);
/* The next line's numbers in the columns of cnn_csv_find_columns; an empty
 * cell or "nan" is NaN. Returns like cnn_csv_next_fields. */
int      cnn_csv_next         (CnnCsv *csv, double *values, GError **error);
/* A field as a number (empty: NaN), or an error naming column and line. */
gboolean cnn_csv_number       (CnnCsv *csv, const char *field, const char *column, double *value,
                               GError **error);
/* Sets "PATH:LINE: message" for the current line and returns FALSE. */
gboolean cnn_csv_fail         (CnnCsv *csv, GError **error, const char *format, ...) G_GNUC_PRINTF (3, 4);

/* Appends a field, quoted when it needs to be. */
void     cnn_csv_append_field (GString *line, const char *text);
/* Appends a number that reads back to the same double; NaN is empty. */
void     cnn_csv_append_number (GString *line, double value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnCsv, cnn_csv_free)

G_END_DECLS
