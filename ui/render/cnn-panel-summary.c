/* cnn-panel-summary.c: the summary as a typeset table. Numbers are right
 * aligned so their digits line up; a model too long for the space first
 * gets a smaller font, then its rows in two blocks side by side, whichever
 * keeps the text larger. */
#include "cnn-panel-summary.h"

#include <math.h>
#include <string.h>

#include "cnn-render-text.h"

/* below this share of the style's size, two blocks beat one */
#define SHRINK_LIMIT 0.8
/* never smaller than this (px), whatever the size */
#define MIN_FONT 5.0

CnnSummaryData *
cnn_summary_data_new (const CnnNetwork *net)
{
  g_return_val_if_fail (net != NULL, NULL);
  CnnSummaryData *d = g_new0 (CnnSummaryData, 1);
  d->summary = cnn_summary_new (net);
  return d;
}

void
cnn_summary_data_free (CnnSummaryData *d)
{
  if (d == NULL)
    return;
  cnn_summary_free (d->summary);
  g_free (d->title);
  g_free (d);
}

enum { COL_NAME, COL_TYPE, COL_SHAPE, COL_PARAMS, COL_FIELD, COL_INPUTS, N_COLS };

static const char *const headers[N_COLS] = { "Layer", "Type", "Output shape", "Params",
                                             "Receptive field", "Inputs" };

typedef struct
{
  int     n_rows;
  char  **cells;           /* (n_rows, N_COLS) */
  gboolean inputs;         /* some layer names its inputs */
  char   *input_line;
  char   *totals[3][2];    /* label, number */
} Table;

static void
table_init (Table *t, const CnnSummary *s)
{
  memset (t, 0, sizeof *t);
  t->n_rows = s->n_rows;
  t->cells = g_new0 (char *, (gsize) MAX (s->n_rows, 1) * N_COLS);
  for (int i = 0; i < s->n_rows; i++)
    {
      const CnnSummaryRow *r = &s->rows[i];
      char **c = t->cells + (gsize) i * N_COLS;
      c[COL_NAME] = g_strdup (r->name);
      c[COL_TYPE] = g_strdup (r->type);
      c[COL_SHAPE] = g_strdup_printf ("%d×%d×%d", r->out_shape.c, r->out_shape.h, r->out_shape.w);
      c[COL_PARAMS] = cnn_summary_format_count (r->params);
      c[COL_FIELD] = cnn_receptive_field_format (&r->field);
      c[COL_INPUTS] = g_strdup (r->inputs ? r->inputs : "");
      t->inputs |= c[COL_INPUTS][0] != '\0';
    }
  t->input_line = g_strdup_printf ("Input %d×%d×%d (channels×height×width), %d classes",
                                   s->input.c, s->input.h, s->input.w, s->n_classes);
  t->totals[0][0] = g_strdup ("Total params");
  t->totals[0][1] = cnn_summary_format_count (s->total);
  t->totals[1][0] = g_strdup ("Trainable params");
  t->totals[1][1] = cnn_summary_format_count (s->trainable);
  t->totals[2][0] = g_strdup ("Non-trainable params");
  t->totals[2][1] = cnn_summary_format_count (s->non_trainable);
}

static void
table_clear (Table *t)
{
  for (gsize i = 0; i < (gsize) t->n_rows * N_COLS; i++)
    g_free (t->cells[i]);
  g_free (t->cells);
  g_free (t->input_line);
  for (int i = 0; i < 3; i++)
    {
      g_free (t->totals[i][0]);
      g_free (t->totals[i][1]);
    }
}

/* Sizes of one block at a style's font size. */
typedef struct
{
  double col_w[N_COLS];
  double col_gap, row_h, width;
  double totals_w;        /* the totals' label column and number */
} Metrics;

static int
n_cols (const Table *t)
{
  return t->inputs ? N_COLS : COL_INPUTS;
}

static void
measure (const Table *t, const CnnRenderStyle *style, cairo_t *cr, Metrics *m)
{
  memset (m, 0, sizeof *m);
  double w;
  for (int c = 0; c < n_cols (t); c++)
    {
      cnn_render_text_size (cr, style, CNN_TEXT_SMALL, headers[c], &m->col_w[c], NULL);
      for (int i = 0; i < t->n_rows; i++)
        {
          cnn_render_text_size (cr, style, CNN_TEXT_LABEL, t->cells[(gsize) i * N_COLS + c], &w, NULL);
          m->col_w[c] = MAX (m->col_w[c], w);
        }
    }
  double label_w = 0, num_w = 0;
  for (int i = 0; i < 3; i++)
    {
      cnn_render_text_size (cr, style, CNN_TEXT_LABEL, t->totals[i][0], &w, NULL);
      label_w = MAX (label_w, w);
      cnn_render_text_size (cr, style, CNN_TEXT_LABEL, t->totals[i][1], &w, NULL);
      num_w = MAX (num_w, w);
    }
  m->col_gap = 1.5 * style->label_size;
  m->row_h = 1.45 * cnn_render_text_line_height (cr, style, CNN_TEXT_LABEL);
  for (int c = 0; c < n_cols (t); c++)
    m->width += m->col_w[c] + (c ? m->col_gap : 0);
  m->totals_w = label_w + m->col_gap + num_w;
}

/* The style with its text and spacing scaled by s. */
static CnnRenderStyle
scaled (const CnnRenderStyle *style, double s)
{
  CnnRenderStyle st = *style;
  st.label_size = MAX (style->label_size * s, MIN_FONT);
  st.small_size = MAX (style->small_size * s, MIN_FONT);
  return st;
}

typedef struct
{
  double scale;
  int    blocks;
  double width, height;   /* of the table at that scale */
} Fit;

/* The height of a table of `rows_per_block` rows, its header, input line
 * and totals. */
static double
table_height (const Metrics *m, cairo_t *cr, const CnnRenderStyle *st, int rows_per_block)
{
  double small_h = cnn_render_text_line_height (cr, st, CNN_TEXT_SMALL);
  return small_h + 0.5 * m->row_h     /* the input line */
         + m->row_h                    /* the header */
         + rows_per_block * m->row_h
         + 0.4 * m->row_h              /* space above the totals */
         + 3 * m->row_h;
}

static void
fit_blocks (const Table *t, const CnnRenderStyle *style, cairo_t *cr, int blocks, double avail_w,
            double avail_h, Fit *f)
{
  /* size at full scale, then the scale that fits (text size is linear) */
  Metrics m;
  measure (t, style, cr, &m);
  int rows = (t->n_rows + blocks - 1) / blocks;
  double gap = 2.5 * style->label_size;
  double w = blocks * m.width + (blocks - 1) * gap;
  w = MAX (w, m.totals_w);
  double h = table_height (&m, cr, style, rows);
  double s = MIN (1.0, MIN (avail_w / w, avail_h / h));
  f->scale = MAX (s, 0.0);
  f->blocks = blocks;
  f->width = w * f->scale;
  f->height = h * f->scale;
}

static void
choose_fit (const Table *t, const CnnRenderStyle *style, cairo_t *cr, double avail_w, double avail_h,
            Fit *f)
{
  fit_blocks (t, style, cr, 1, avail_w, avail_h, f);
  if (f->scale >= SHRINK_LIMIT || t->n_rows < 6)
    return;
  Fit two;
  fit_blocks (t, style, cr, 2, avail_w, avail_h, &two);
  if (two.scale > f->scale)
    *f = two;
}

static void
draw_block (const Table *t, const Metrics *m, const CnnRenderStyle *st, cairo_t *cr, double x,
            double y, int first, int last)
{
  /* header in the muted color, a rule under it */
  double cx = x;
  for (int c = 0; c < n_cols (t); c++)
    {
      double ax = c == COL_PARAMS ? cx + m->col_w[c] : cx;
      cnn_render_text (cr, st, CNN_TEXT_SMALL, &st->muted, headers[c], ax, y + 0.5 * m->row_h,
                       c == COL_PARAMS ? 1.0 : 0.0, 0.5, 0);
      cx += m->col_w[c] + m->col_gap;
    }
  y += m->row_h;
  cairo_save (cr);
  cairo_set_line_width (cr, st->axis_width);
  cnn_render_set_color (cr, &st->foreground);
  cairo_move_to (cr, x, y);
  cairo_line_to (cr, x + m->width, y);
  cairo_stroke (cr);
  cairo_restore (cr);
  for (int i = first; i < last; i++)
    {
      /* every other row on a faint band: long rows are easy to follow */
      if ((i - first) % 2 == 1)
        {
          cairo_save (cr);
          cairo_rectangle (cr, x, y, m->width, m->row_h);
          cairo_set_source_rgba (cr, st->grid.r, st->grid.g, st->grid.b, 0.35);
          cairo_fill (cr);
          cairo_restore (cr);
        }
      cx = x;
      for (int c = 0; c < n_cols (t); c++)
        {
          const char *text = t->cells[(gsize) i * N_COLS + c];
          gboolean num = c == COL_PARAMS;
          cnn_render_text (cr, st, CNN_TEXT_LABEL, c == COL_TYPE || c == COL_INPUTS ? &st->muted : NULL,
                           text, num ? cx + m->col_w[c] : cx, y + 0.5 * m->row_h, num ? 1.0 : 0.0,
                           0.5, 0);
          cx += m->col_w[c] + m->col_gap;
        }
      y += m->row_h;
    }
}

void
cnn_panel_summary_draw (const CnnSummaryData *d, const CnnRenderStyle *style, cairo_t *cr,
                        double width, double height)
{
  g_return_if_fail (d != NULL && d->summary != NULL && style != NULL && cr != NULL);
  CnnRect area = cnn_rect (0, 0, width, height);
  area = cnn_rect_inset (&area, style->padding);
  cnn_render_title (cr, style, d->title, &area);
  Table t;
  table_init (&t, d->summary);
  Fit f;
  choose_fit (&t, style, cr, area.width, area.height, &f);
  CnnRenderStyle st = scaled (style, f.scale);
  Metrics m;
  measure (&t, &st, cr, &m);
  int per_block = (t.n_rows + f.blocks - 1) / f.blocks;
  double gap = 2.5 * st.label_size;
  double block_w = f.blocks * m.width + (f.blocks - 1) * gap;
  double x = area.x + MAX (0.5 * (area.width - MAX (block_w, m.totals_w)), 0);
  double y = area.y;

  double small_h = cnn_render_text_line_height (cr, &st, CNN_TEXT_SMALL);
  cnn_render_text (cr, &st, CNN_TEXT_SMALL, &st.muted, t.input_line, x, y, 0.0, 0.0, area.width);
  y += small_h + 0.5 * m.row_h;
  for (int b = 0; b < f.blocks; b++)
    draw_block (&t, &m, &st, cr, x + b * (m.width + gap), y, b * per_block,
                MIN ((b + 1) * per_block, t.n_rows));
  y += m.row_h * (1 + per_block);

  /* totals under a rule across the table, numbers aligned at the right */
  cairo_save (cr);
  cairo_set_line_width (cr, st.axis_width);
  cnn_render_set_color (cr, &st.foreground);
  cairo_move_to (cr, x, y + 0.2 * m.row_h);
  cairo_line_to (cr, x + MAX (block_w, m.totals_w), y + 0.2 * m.row_h);
  cairo_stroke (cr);
  cairo_restore (cr);
  y += 0.4 * m.row_h;
  /* the totals' digits under the Params column's */
  double params_right = 0;
  for (int c = 0; c <= COL_PARAMS; c++)
    params_right += m.col_w[c] + (c ? m.col_gap : 0);
  double num_right = x + MAX (params_right, m.totals_w);
  for (int i = 0; i < 3; i++)
    {
      cnn_render_text (cr, &st, CNN_TEXT_LABEL, i == 0 ? NULL : &st.muted, t.totals[i][0], x,
                       y + 0.5 * m.row_h, 0.0, 0.5, 0);
      cnn_render_text (cr, &st, CNN_TEXT_LABEL, NULL, t.totals[i][1], num_right,
                       y + 0.5 * m.row_h, 1.0, 0.5, 0);
      y += m.row_h;
    }
  table_clear (&t);
}

void
cnn_panel_summary_natural_size (const CnnSummaryData *d, const CnnRenderStyle *style,
                                double *width, double *height)
{
  g_return_if_fail (d != NULL && d->summary != NULL && style != NULL);
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t *cr = cairo_create (s);
  Table t;
  table_init (&t, d->summary);
  /* long models in two blocks: a figure no taller than a slide allows */
  Fit f;
  fit_blocks (&t, style, cr, t.n_rows > 24 ? 2 : 1, G_MAXDOUBLE, G_MAXDOUBLE, &f);
  double w = f.width, h = f.height;
  cnn_render_title_size (cr, style, d->title, &w, &h);
  table_clear (&t);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
  *width = ceil (w + 2 * style->padding);
  *height = ceil (h + 2 * style->padding);
}
