/* test-curves.c: the learning-curve panel on made-up runs (a curve lands on
 * the row its axis maps it to, runs keep their colors, hidden runs vanish,
 * the log scale spaces decades evenly, growing runs draw), TensorBoard's
 * smoothing by hand, run folders read back (broken ones with file and line
 * in the error), and the CSV table round trip. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "cnn-error.h"
#include "cnn-render.h"
#include "render-test-utils.h"

static char *tmpdir;

/* A line 1.75 px wide centered between pixel rows covers no row fully: its
 * pixels are within this sum of channel differences of its color, which is
 * still far from the background, the grid and the light raw lines. */
#define LINE_TOL 90

/* a run of n steps over epoch [0, epochs] with constant loss and accuracy */
static CnnCurveRun *
constant_run (const char *label, int n, double epochs, double loss, double acc)
{
  CnnCurveRun *run = cnn_curve_run_new (label);
  for (int i = 1; i <= n; i++)
    g_assert_true (cnn_curve_run_append_step (run, epochs * i / n, loss, acc));
  return run;
}

typedef struct
{
  cairo_surface_t *s;
  CnnAxes          loss, acc;
} Drawn;

static void
draw (const CnnCurvesData *data, const CnnRenderStyle *style, int w, int h, Drawn *d)
{
  d->s = cnn_test_image_new (w, h);
  cairo_t *cr = cairo_create (d->s);
  cnn_render_paint_background (cr, style);
  cnn_panel_curves_draw (data, style, cr, w, h);
  cnn_panel_curves_layout (data, style, cr, w, h, &d->loss, &d->acc);
  cairo_destroy (cr);
}

/* rows and columns of the pixels near rgb inside `r` */
typedef struct
{
  int    n;
  int    y0, y1, x0, x1;
  double mean_y;
} Found;

static void
find_in (cairo_surface_t *s, const CnnRect *r, guint32 rgb, int tol, Found *f)
{
  memset (f, 0, sizeof *f);
  f->y0 = f->x0 = G_MAXINT;
  f->y1 = f->x1 = -1;
  double sum = 0;
  int w = cairo_image_surface_get_width (s), h = cairo_image_surface_get_height (s);
  for (int y = MAX ((int) ceil (r->y), 0); y < MIN ((int) (r->y + r->height), h); y++)
    for (int x = MAX ((int) ceil (r->x), 0); x < MIN ((int) (r->x + r->width), w); x++)
      if (cnn_test_near (cnn_test_pixel (s, x, y), rgb, tol))
        {
          f->n++;
          sum += y + 0.5;   /* the pixel's center */
          f->y0 = MIN (f->y0, y);
          f->y1 = MAX (f->y1, y);
          f->x0 = MIN (f->x0, x);
          f->x1 = MAX (f->x1, x);
        }
  f->mean_y = f->n ? sum / f->n : -1;
}

static void
test_constant_loss_row (void)
{
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  g_autoptr (CnnCurveRun) run = constant_run ("flat", 50, 2.0, 1.0, 0.5);
  CnnCurveRun *runs[] = { run };
  CnnCurvesData data;
  cnn_curves_data_init (&data);
  data.runs = runs;
  data.n_runs = 1;
  data.show = CNN_CURVES_LOSS;
  Drawn d;
  draw (&data, style, 600, 400, &d);
  guint32 color = cnn_test_rgb (cnn_render_style_series (style, 0));
  Found f;
  find_in (d.s, &d.loss.plot, color, LINE_TOL, &f);
  double row = cnn_axes_y (&d.loss, 1.0);
  /* the line is line_width thick around its row; it spans the plot from
   * x(1/50) to x(2) */
  g_assert_cmpint (f.n, >, 0.8 * d.loss.plot.width);
  g_assert_cmpfloat (fabs (f.mean_y - row), <, 1.0);
  g_assert_cmpint (f.y0, >=, (int) floor (row - style->line_width));
  g_assert_cmpint (f.y1, <=, (int) ceil (row + style->line_width));
  g_assert_cmpint (f.x0, <=, (int) ceil (cnn_axes_x (&d.loss, 2.0 / 50)) + 2);
  g_assert_cmpint (f.x1, >=, (int) floor (cnn_axes_x (&d.loss, 2.0)) - 2);
  /* the x axis spans the two epochs, the row of 1.0 is inside the plot */
  g_assert_cmpfloat (d.loss.x1, ==, 2.0);
  g_assert_cmpfloat (row, >, d.loss.plot.y);
  g_assert_cmpfloat (row, <, d.loss.plot.y + d.loss.plot.height);
  /* the accuracy plot is not shown */
  g_assert_cmpfloat (d.acc.plot.width, ==, 0);
  cairo_surface_destroy (d.s);
}

static void
test_two_runs_hidden (void)
{
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  g_autoptr (CnnCurveRun) a = constant_run ("a", 40, 1.0, 2.0, 0.3);
  g_autoptr (CnnCurveRun) b = constant_run ("b", 40, 1.0, 1.0, 0.8);
  CnnCurveRun *runs[] = { a, b };
  CnnCurvesData data;
  cnn_curves_data_init (&data);
  data.runs = runs;
  data.n_runs = 2;
  data.smoothing = 0;
  guint32 ca = cnn_test_rgb (cnn_render_style_series (style, 0));
  guint32 cb = cnn_test_rgb (cnn_render_style_series (style, 1));
  g_assert_cmphex (ca, !=, cb);

  Drawn d;
  draw (&data, style, 900, 420, &d);
  Found fa, fb, ga, gb;
  find_in (d.s, &d.loss.plot, ca, LINE_TOL, &fa);
  find_in (d.s, &d.loss.plot, cb, LINE_TOL, &fb);
  g_assert_cmpint (fa.n, >, 0.8 * d.loss.plot.width);
  g_assert_cmpint (fb.n, >, 0.8 * d.loss.plot.width);
  g_assert_cmpfloat (fabs (fa.mean_y - cnn_axes_y (&d.loss, 2.0)), <, 1.0);
  g_assert_cmpfloat (fabs (fb.mean_y - cnn_axes_y (&d.loss, 1.0)), <, 1.0);
  /* accuracy: a at 0.3 below b at 0.8, in their own colors */
  find_in (d.s, &d.acc.plot, ca, LINE_TOL, &ga);
  find_in (d.s, &d.acc.plot, cb, LINE_TOL, &gb);
  g_assert_cmpfloat (fabs (ga.mean_y - cnn_axes_y (&d.acc, 0.3)), <, 1.0);
  g_assert_cmpfloat (fabs (gb.mean_y - cnn_axes_y (&d.acc, 0.8)), <, 1.0);
  cairo_surface_destroy (d.s);

  /* b hidden: not a pixel of its color anywhere, legend included, and the
   * loss axis is a's alone */
  b->hidden = TRUE;
  draw (&data, style, 900, 420, &d);
  g_assert_cmpint (cnn_test_count_near (d.s, cb, LINE_TOL, NULL), ==, 0);
  find_in (d.s, &d.loss.plot, ca, LINE_TOL, &fa);
  g_assert_cmpint (fa.n, >, 0.8 * d.loss.plot.width);
  g_assert_cmpfloat (d.loss.y0, >, 1.0);
  cairo_surface_destroy (d.s);

  /* a run keeps its color when the one before it is hidden */
  b->hidden = FALSE;
  a->hidden = TRUE;
  draw (&data, style, 900, 420, &d);
  g_assert_cmpint (cnn_test_count_near (d.s, ca, LINE_TOL, NULL), ==, 0);
  g_assert_cmpint (cnn_test_count_near (d.s, cb, LINE_TOL, NULL), >, 0);
  cairo_surface_destroy (d.s);
}

static void
test_log_scale (void)
{
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  g_autoptr (CnnCurveRun) a = constant_run ("0.1", 30, 1.0, 0.1, 0.5);
  g_autoptr (CnnCurveRun) b = constant_run ("1", 30, 1.0, 1.0, 0.5);
  g_autoptr (CnnCurveRun) c = constant_run ("10", 30, 1.0, 10.0, 0.5);
  CnnCurveRun *runs[] = { a, b, c };
  CnnCurvesData data;
  cnn_curves_data_init (&data);
  data.runs = runs;
  data.n_runs = 3;
  data.show = CNN_CURVES_LOSS;
  data.log_loss = TRUE;
  Drawn d;
  draw (&data, style, 500, 500, &d);
  g_assert_true (d.loss.y_log);
  g_assert_cmpfloat_with_epsilon (d.loss.y0, 0.1, 1e-12);
  g_assert_cmpfloat_with_epsilon (d.loss.y1, 10, 1e-12);
  double y[3];
  for (int i = 0; i < 3; i++)
    {
      Found f;
      find_in (d.s, &d.loss.plot, cnn_test_rgb (cnn_render_style_series (style, i)), LINE_TOL, &f);
      g_assert_cmpint (f.n, >, 0.5 * d.loss.plot.width);
      y[i] = f.mean_y;
    }
  /* a decade is the same distance on the page: within a pixel */
  g_assert_cmpfloat (y[0], >, y[1]);
  g_assert_cmpfloat (fabs ((y[0] - y[1]) - (y[1] - y[2])), <, 1.0);
  g_assert_cmpfloat (fabs ((y[0] - y[1]) - 0.5 * d.loss.plot.height), <, 2.0);
  cairo_surface_destroy (d.s);
}

static void
test_growing_run (void)
{
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_DARK);
  g_autoptr (CnnCurveRun) run = cnn_curve_run_new (NULL);
  CnnCurveRun *runs[] = { run };
  CnnCurvesData data;
  cnn_curves_data_init (&data);
  data.runs = runs;
  data.n_runs = 1;
  data.min_epochs = 5;
  guint32 color = cnn_test_rgb (cnn_render_style_series (style, 0));
  Drawn d;

  /* no runs at all, then a run without points: axes and a note, no color */
  CnnCurvesData none;
  cnn_curves_data_init (&none);
  draw (&none, style, 400, 300, &d);
  g_assert_cmpfloat (d.loss.plot.width, >, 50);
  cairo_surface_destroy (d.s);
  draw (&data, style, 400, 300, &d);
  Found f;
  find_in (d.s, &d.loss.plot, color, LINE_TOL, &f);
  g_assert_cmpint (f.n, ==, 0);
  g_assert_cmpfloat (d.loss.x1, ==, 5);   /* the planned run's length */
  cairo_surface_destroy (d.s);

  /* one step: a dot where it is */
  cnn_curve_run_append_step (run, 0.01, 2.3, 0.1);
  draw (&data, style, 400, 300, &d);
  find_in (d.s, &d.loss.plot, color, LINE_TOL, &f);
  g_assert_cmpint (f.n, >, 0);
  g_assert_cmpfloat (fabs (f.mean_y - cnn_axes_y (&d.loss, 2.3)), <, 2.0);
  cairo_surface_destroy (d.s);

  /* NaN values are skipped, infinities too; a log axis skips zero */
  cnn_curve_run_append_step (run, 0.02, NAN, NAN);
  cnn_curve_run_append_step (run, 0.03, INFINITY, 0.2);
  cnn_curve_run_append_step (run, 0.04, 0.0, 0.3);
  cnn_curve_run_append_step (run, 0.05, 2.0, 0.3);
  cnn_curve_run_append_epoch (run, 1, 2.1, 0.2, NAN, NAN);
  data.log_loss = TRUE;
  draw (&data, style, 400, 300, &d);
  g_assert_true (isfinite (d.loss.y0) && isfinite (d.loss.y1) && d.loss.y0 > 0);
  find_in (d.s, &d.loss.plot, color, LINE_TOL, &f);
  g_assert_cmpint (f.n, >, 0);
  cairo_surface_destroy (d.s);

  /* a validation point: its marker at (1, 0.5) in the accuracy plot */
  cnn_curve_run_append_epoch (run, 2, 1.0, 0.4, 1.5, 0.5);
  data.min_epochs = 0;
  draw (&data, style, 600, 300, &d);
  int mx = (int) round (cnn_axes_x (&d.acc, 2)), my = (int) round (cnn_axes_y (&d.acc, 0.5));
  g_assert_true (cnn_test_near (cnn_test_pixel (d.s, mx, my), color, 30));
  cairo_surface_destroy (d.s);
}

static void
test_long_run_and_natural_size (void)
{
  /* 50,000 steps of a falling loss: drawn through the per-column reduction,
   * the line still reaches both ends of the plot */
  const CnnRenderStyle *style = cnn_render_style_get (CNN_RENDER_STYLE_PRINT);
  g_autoptr (CnnCurveRun) run = cnn_curve_run_new ("long · a label with settings");
  for (int i = 1; i <= 50000; i++)
    cnn_curve_run_append_step (run, i / 5000.0, 2.0 * exp (-i / 10000.0), 1 - exp (-i / 10000.0));
  g_assert_cmpint (run->n_steps, ==, 50000);
  CnnCurveRun *runs[] = { run };
  CnnCurvesData data;
  cnn_curves_data_init (&data);
  data.runs = runs;
  data.n_runs = 1;
  data.title = "a title";
  double w, h;
  cnn_panel_curves_natural_size (&data, style, &w, &h);
  g_assert_cmpfloat (w, >=, 600);
  g_assert_cmpfloat (h, >=, 300);
  Drawn d;
  draw (&data, style, (int) w, (int) h, &d);
  guint32 color = cnn_test_rgb (cnn_render_style_series (style, 0));
  Found f;
  find_in (d.s, &d.loss.plot, color, LINE_TOL, &f);
  g_assert_cmpint (f.x0, <=, (int) d.loss.plot.x + 3);
  g_assert_cmpint (f.x1, >=, (int) (d.loss.plot.x + d.loss.plot.width) - 3);
  cairo_surface_destroy (d.s);

  /* a copy is independent of its source */
  g_autoptr (CnnCurveRun) copy = cnn_curve_run_copy (run);
  g_assert_cmpint (copy->n_steps, ==, 50000);
  g_assert_cmpmem (copy->step_loss, 50000 * sizeof (double), run->step_loss, 50000 * sizeof (double));
  cnn_curve_run_append_step (copy, 11, 0.1, 0.9);
  g_assert_cmpint (run->n_steps, ==, 50000);
  cnn_curve_run_clear (copy);
  g_assert_cmpint (copy->n_steps, ==, 0);
  g_assert_cmpstr (copy->label, ==, run->label);
}

static void
test_smoothing (void)
{
  /* weight 0.5 by hand: last = 0.5, shown 0.5 / (1 − 0.5) = 1; then
   * last = 0.25 + 1.5 = 1.75, shown 1.75 / (1 − 0.25) = 7/3 */
  const double v[] = { 1, NAN, 3 };
  double out[3];
  cnn_curve_smooth (v, 3, 0.5, out);
  g_assert_cmpfloat_with_epsilon (out[0], 1.0, 1e-15);
  g_assert_true (isnan (out[1]));
  g_assert_cmpfloat_with_epsilon (out[2], 7.0 / 3.0, 1e-15);
  /* weight 0 is the values themselves, in place */
  double w[] = { 4, 5 };
  cnn_curve_smooth (w, 2, 0, w);
  g_assert_cmpfloat (w[0], ==, 4);
  g_assert_cmpfloat (w[1], ==, 5);
  /* a constant stays constant at any weight (the debiasing) */
  double c[4] = { 2, 2, 2, 2 };
  cnn_curve_smooth (c, 4, 0.9, c);
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat_with_epsilon (c[i], 2.0, 1e-12);
}

/* Run folders */

static char *
make_run (const char *name, const char *metrics, const char *steps, const char *ini)
{
  char *dir = g_build_filename (tmpdir, name, NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  const struct { const char *file, *text; } files[] = {
    { "metrics.csv", metrics }, { "steps.csv", steps }, { "run.ini", ini },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *p = g_build_filename (dir, files[i].file, NULL);
      if (files[i].text)
        g_assert_true (g_file_set_contents (p, files[i].text, -1, NULL));
      else
        g_remove (p);
    }
  return dir;
}

#define METRICS_HEADER "epoch,train_loss,train_acc,val_loss,val_acc,img_per_s,seconds\n"
#define STEPS_HEADER "step,epoch,loss,acc\n"

static void
test_run_folder (void)
{
  g_autofree char *dir = make_run ("adam-run",
    METRICS_HEADER "1,0.9,0.7,0.8,0.75,1000.0,1.5\n",
    STEPS_HEADER "1,1,1.2,0.5\n2,1,1.0,0.6\n3,1,0.8,0.7\n4,1,0.6,0.8\n5,2,0.5,0.8\n6,2,0.4,0.9\n7,2,0.3",
    "[run]\nmodel=cnn2\ndata=fashion-mnist\noptimizer=adam lr=0.001 beta1=0.9 beta2=0.999 epsilon=1e-07\n"
    "lr=0.001\nbatch_size=128\nepochs=5\nstandardize=pixel\nseed=3\nval_split=0.1\nsteps_per_epoch=4\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnCurveRun) run = cnn_run_folder_load (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (run->label, ==, "adam-run: cnn2 · adam 0.001 · standardize pixel");
  g_assert_cmpint (run->n_epochs, ==, 1);
  g_assert_cmpfloat (run->val_loss[0], ==, 0.8);
  /* the unfinished line "7,2,0.3" is still being written: left out; epoch 2
   * is unfinished, so its steps are quarters of an epoch (steps_per_epoch) */
  g_assert_cmpint (run->n_steps, ==, 6);
  const double x[] = { 0.25, 0.5, 0.75, 1.0, 1.25, 1.5 };
  for (int i = 0; i < 6; i++)
    g_assert_cmpfloat_with_epsilon (run->step_epoch[i], x[i], 1e-12);
  g_assert_cmpfloat (run->step_acc[5], ==, 0.9);

  /* without run.ini and steps.csv: the folder's name, per-epoch points;
   * "nan" validation (no split) reads as NaN */
  g_autofree char *bare = make_run ("bare/", METRICS_HEADER "1,0.9,0.7,nan,nan,1000.0,1.5\n", NULL, NULL);
  g_autoptr (CnnCurveRun) b = cnn_run_folder_load (bare, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (b->label, ==, "bare");
  g_assert_cmpint (b->n_steps, ==, 0);
  g_assert_true (isnan (b->val_acc[0]));

  /* run.ini round trip through save and load */
  CnnRunInfo info;
  g_autofree char *ini = g_build_filename (dir, "run.ini", NULL);
  g_assert_true (cnn_run_info_load (&info, ini, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.steps_per_epoch, ==, 4);
  g_assert_cmpint (info.seed, ==, 3);
  g_autofree char *copy_dir = g_build_filename (tmpdir, "ini-copy", NULL);
  g_mkdir_with_parents (copy_dir, 0755);
  g_assert_true (cnn_run_info_save (&info, copy_dir, &error));
  CnnRunInfo back;
  g_autofree char *copy_ini = g_build_filename (copy_dir, "run.ini", NULL);
  g_assert_true (cnn_run_info_load (&back, copy_ini, &error));
  g_assert_cmpstr (back.optimizer, ==, info.optimizer);
  g_assert_cmpfloat (back.lr, ==, 0.001);
  g_assert_cmpfloat (back.val_split, ==, 0.1);
  g_assert_cmpint (back.batch_size, ==, 128);
  g_assert_null (back.augment);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (copy_ini, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "val_split=0.1\n"));   /* not 0.10000000000000001 */
  cnn_run_info_clear (&info);
  cnn_run_info_clear (&back);
}

/* the error for `dir` names `fragment` (the file and line) */
static void
expect_folder_error (const char *dir, int code, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnCurveRun) run = cnn_run_folder_load (dir, &error);
  g_assert_null (run);
  g_assert_error (error, CNN_ERROR, code);
  if (strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not contain “%s”", error->message, fragment);
}

static void
test_run_folder_errors (void)
{
  g_autofree char *d1 = make_run ("bad-number", METRICS_HEADER "1,0.9,0.7,0.8,0.75,10,1\n2,0.5,abc,0.4,0.8,10,1\n",
                                  NULL, NULL);
  g_autofree char *m1 = g_strdup_printf ("%s/metrics.csv:3: train_acc is “abc”, not a number", d1);
  expect_folder_error (d1, CNN_ERROR_FORMAT, m1);

  g_autofree char *d2 = make_run ("bad-count", METRICS_HEADER, STEPS_HEADER "1,1,0.5,0.5\n2,1,0.5\n", NULL);
  g_autofree char *m2 = g_strdup_printf ("%s/steps.csv:3: 3 values where the header has 4", d2);
  expect_folder_error (d2, CNN_ERROR_FORMAT, m2);

  g_autofree char *d3 = make_run ("bad-header", "epoch,loss\n1,0.5\n", NULL, NULL);
  g_autofree char *m3 = g_strdup_printf ("%s/metrics.csv:1: no column “train_loss”", d3);
  expect_folder_error (d3, CNN_ERROR_FORMAT, m3);

  g_autofree char *d4 = make_run ("bad-quote", METRICS_HEADER, STEPS_HEADER "1,\"1,0.5,0.5\n", NULL);
  expect_folder_error (d4, CNN_ERROR_FORMAT, "steps.csv:2: a quoted field is not closed");

  g_autofree char *d5 = make_run ("bad-order", METRICS_HEADER, STEPS_HEADER "1,2,0.5,0.5\n2,1,0.5,0.5\n", NULL);
  expect_folder_error (d5, CNN_ERROR_FORMAT, "steps.csv:3: epoch 1 comes after a later one");

  g_autofree char *d6 = make_run ("bad-ini", METRICS_HEADER, NULL, "[run]\nlr=fast\n");
  expect_folder_error (d6, CNN_ERROR_FORMAT, "run.ini: lr must be a number, not “fast”");

  g_autofree char *d7 = make_run ("no-metrics", NULL, STEPS_HEADER, NULL);
  expect_folder_error (d7, CNN_ERROR_IO, "no-metrics: not a run folder: it has no metrics.csv");

  g_autofree char *d8 = make_run ("empty", "", NULL, NULL);
  expect_folder_error (d8, CNN_ERROR_FORMAT, "metrics.csv:1: no header line");

  expect_folder_error ("/nonexistent/run", CNN_ERROR_IO, "/nonexistent/run: no such run folder");
}

static void
assert_same_values (const double *a, const double *b, int n)
{
  for (int i = 0; i < n; i++)
    if (!(a[i] == b[i] || (isnan (a[i]) && isnan (b[i]))))
      g_error ("value %d: %.17g read back as %.17g", i, a[i], b[i]);
}

static void
test_csv_round_trip (void)
{
  /* a label a spreadsheet must quote, steps at thirds of an epoch, an epoch
   * without validation, and an epoch ending on no step (metrics only) */
  g_autoptr (CnnCurveRun) a = cnn_curve_run_new ("cnn2, \"adam\" · 0.001");
  for (int i = 1; i <= 6; i++)
    cnn_curve_run_append_step (a, i / 3.0, 1.0 / i, 0.1 * i);
  cnn_curve_run_append_epoch (a, 1, 0.7, 0.2, NAN, NAN);
  cnn_curve_run_append_epoch (a, 2, 0.3, 0.5, 0.35, 0.45);
  cnn_curve_run_append_epoch (a, 3, 0.2, 0.6, 0.3, 0.5);
  g_autoptr (CnnCurveRun) b = cnn_curve_run_new ("second");
  cnn_curve_run_append_step (b, 0.5, 2.5, NAN);
  CnnCurveRun *runs[] = { a, b };
  g_autofree char *path = g_build_filename (tmpdir, "curves.csv", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (cnn_curve_runs_write_csv (runs, 2, 0.6, path, &error));
  g_assert_no_error (error);

  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "run,epoch,step,train_loss,train_loss_smoothed,train_acc,"
                                         "train_acc_smoothed,epoch_train_loss,epoch_train_acc,val_loss,val_acc\n"
                                         "\"cnn2, \"\"adam\"\" · 0.001\",0.333333333333333"));
  /* the third epoch ends on no step: a line of its own, step empty */
  g_assert_nonnull (strstr (text, "0.001\",3,,,,,,0.2,0.6,0.3,0.5\n"));

  int n = 0;
  CnnCurveRun **back = cnn_curve_runs_read_csv (path, &n, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 2);
  g_assert_null (back[2]);
  for (int r = 0; r < 2; r++)
    {
      const CnnCurveRun *x = runs[r], *y = back[r];
      g_assert_cmpstr (x->label, ==, y->label);
      g_assert_cmpint (x->n_steps, ==, y->n_steps);
      g_assert_cmpint (x->n_epochs, ==, y->n_epochs);
      assert_same_values (x->step_epoch, y->step_epoch, x->n_steps);
      assert_same_values (x->step_loss, y->step_loss, x->n_steps);
      assert_same_values (x->step_acc, y->step_acc, x->n_steps);
      assert_same_values (x->epoch, y->epoch, x->n_epochs);
      assert_same_values (x->train_loss, y->train_loss, x->n_epochs);
      assert_same_values (x->train_acc, y->train_acc, x->n_epochs);
      assert_same_values (x->val_loss, y->val_loss, x->n_epochs);
      assert_same_values (x->val_acc, y->val_acc, x->n_epochs);
      cnn_curve_run_free (back[r]);
    }
  g_free (back);

  /* one run alone; a folder that does not exist is an error naming it */
  g_assert_true (cnn_curve_run_write_csv (b, 0, path, &error));
  g_assert_false (cnn_curve_run_write_csv (b, 0, "/nonexistent/dir/c.csv", &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "/nonexistent/dir/c.csv"));
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
      const char *name;
      while (d && (name = g_dir_read_name (d)))
        {
          g_autofree char *p = g_build_filename (path, name, NULL);
          remove_tree (p);
        }
      g_rmdir (path);
    }
  else
    g_remove (path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("convscope-curves-XXXXXX", NULL);
  g_test_add_func ("/curves/constant-loss-row", test_constant_loss_row);
  g_test_add_func ("/curves/two-runs-hidden", test_two_runs_hidden);
  g_test_add_func ("/curves/log-scale", test_log_scale);
  g_test_add_func ("/curves/growing-run", test_growing_run);
  g_test_add_func ("/curves/long-run", test_long_run_and_natural_size);
  g_test_add_func ("/curves/smoothing", test_smoothing);
  g_test_add_func ("/run-folder/read", test_run_folder);
  g_test_add_func ("/run-folder/errors", test_run_folder_errors);
  g_test_add_func ("/run-folder/csv-round-trip", test_csv_round_trip);
  int status = g_test_run ();
  remove_tree (tmpdir);
  g_free (tmpdir);
  return status;
}
