/* The workbench window under Xvfb: it opens and draws; a seeded run on
 * synthetic data starts from the Train action and its metrics reach the
 * curve panel; pause, resume and stop act; a field with a bad value is
 * refused with its reason; export writes valid PNG, SVG, PDF and CSV;
 * closing mid-epoch stops the run and leaks nothing (the sanitizer build). */
#include "cnn-window.h"
#include "cnn-window-private.h"
#include "cnn-export-dialog.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static char *tmp_dir;

static gboolean
wait_until (gboolean (*cond) (gpointer), gpointer data, double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  while (!cond (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  return TRUE;
}

static void
pump (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

static gboolean
is_idle (gpointer data)
{
  return !cnn_session_is_busy (cnn_window_get_session (data));
}

static gboolean
has_steps (gpointer data)
{
  guint n = 0;
  cnn_session_get_steps (cnn_window_get_session (data), &n);
  return n >= 3;
}

static gboolean
drew (gpointer data)
{
  return cnn_figure_view_get_draw_count (data) > 0;
}

static CnnWindow *
window_new (void)
{
  CnnWindow *w = cnn_window_new (NULL, NULL);
  gtk_window_present (GTK_WINDOW (w));
  return w;
}

/* Closes the window as its close button does (close == TRUE) or destroys
 * it, and checks that the window and its session are finalized. */
static void
window_end (CnnWindow *w, gboolean close)
{
  GWeakRef weak;
  g_weak_ref_init (&weak, w);
  GWeakRef weak_session;
  g_weak_ref_init (&weak_session, cnn_window_get_session (w));
  if (close)
    gtk_window_close (GTK_WINDOW (w));
  else
    gtk_window_destroy (GTK_WINDOW (w));
  pump (0.05);
  g_assert_null (g_weak_ref_get (&weak));
  g_assert_null (g_weak_ref_get (&weak_session));
  g_weak_ref_clear (&weak);
  g_weak_ref_clear (&weak_session);
}

static void
window_close (CnnWindow *w)
{
  window_end (w, FALSE);
}

/* lenet on 20 synthetic images a class: 7 steps an epoch, one thread */
static void
set_small_run (CnnWindow *w, const char *model, int per_class, int epochs, int batch)
{
  g_autoptr (CnnRunSettings) s = cnn_run_settings_new ();
  g_free (s->data);
  s->data = g_strdup ("synthetic");
  g_free (s->model);
  s->model = g_strdup (model);
  s->limit_per_class = per_class;
  s->epochs = epochs;
  s->batch_size = batch;
  s->seed = 3;
  cnn_sidebar_set_settings (cnn_window_get_sidebar (w), s);
  g_assert_true (cnn_sidebar_is_valid (cnn_window_get_sidebar (w)));
}

static void
test_opens (void)
{
  CnnWindow *w = window_new ();
  CnnCurvesPage *curves = cnn_window_get_curves_page (w);
  g_assert_true (wait_until (drew, cnn_curves_page_get_view (curves), 30));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (w)));
  g_assert_cmpint (cnn_curves_page_get_n_runs (curves), ==, 0);
  g_assert_nonnull (strstr (cnn_window_get_status_text (w), "Train"));
  /* the default run is valid: cnn2 on Fashion-MNIST */
  g_assert_true (cnn_sidebar_is_valid (cnn_window_get_sidebar (w)));
  /* nothing to save, continue or stop yet */
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (w), "win.nonexistent", NULL));
  window_close (w);
}

/* The pixels of color `c` in an ARGB32 PNG. */
static int
count_color (const char *png, const CnnColor *c)
{
  cairo_surface_t *s = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_flush (s);
  int w = cairo_image_surface_get_width (s), h = cairo_image_surface_get_height (s);
  int stride = cairo_image_surface_get_stride (s), count = 0;
  const guint8 *data = cairo_image_surface_get_data (s);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint32 px = *(const guint32 *) (data + (size_t) y * stride + 4 * x);
        int r = px >> 16 & 0xff, g = px >> 8 & 0xff, b = px & 0xff;
        /* antialiasing blends edges: a tolerance of 24 levels keeps line cores */
        count += ABS (r - (int) (c->r * 255)) < 24 && ABS (g - (int) (c->g * 255)) < 24
                 && ABS (b - (int) (c->b * 255)) < 24;
      }
  cairo_surface_destroy (s);
  return count;
}

static void
check_file_starts (const char *path, const char *magic)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (len, >, strlen (magic));
  g_assert_cmpmem (contents, strlen (magic), magic, strlen (magic));
}

/* 300 dpi is 11811 pixels per metre in the PNG's pHYs chunk */
static void
check_png_dpi (const char *path, guint32 ppm)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  const char *p = NULL;
  for (gsize i = 0; p == NULL && i + 12 <= len; i++)
    if (memcmp (contents + i, "pHYs", 4) == 0)
      p = contents + i;
  g_assert_nonnull (p);
  guint32 x = (guint8) p[4] << 24 | (guint8) p[5] << 16 | (guint8) p[6] << 8 | (guint8) p[7];
  g_assert_cmpuint (x, ==, ppm);
}

static void
test_train_and_export (void)
{
  CnnWindow *w = window_new ();
  set_small_run (w, "lenet", 20, 2, 32);
  CnnSession *session = cnn_window_get_session (w);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.train", NULL));
  g_assert_true (cnn_session_is_busy (session));
  g_assert_true (wait_until (is_idle, w, 120));
  g_assert_nonnull (strstr (cnn_window_get_last_message (w), "Training ended after epoch 2"));

  /* the metrics reached the curve panel: one run, every step and epoch */
  CnnCurvesPage *curves = cnn_window_get_curves_page (w);
  g_assert_cmpint (cnn_curves_page_get_n_runs (curves), ==, 1);
  CnnCurveRun *run = cnn_curves_page_get_run (curves, 0);
  g_assert_cmpint (run->n_steps, ==, 14);
  g_assert_cmpint (run->n_epochs, ==, 2);
  g_assert_cmpfloat (run->epoch[1], ==, 2.0);
  g_assert_nonnull (strstr (run->label, "lenet"));

  /* and it draws them: the run's color is on the exported figure */
  g_autofree char *png = g_build_filename (tmp_dir, "curves.png", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (cnn_curves_page_export (curves, png, 96, CNN_RENDER_STYLE_LIGHT, &error));
  g_assert_no_error (error);
  const CnnRenderStyle *light = cnn_render_style_get (CNN_RENDER_STYLE_LIGHT);
  g_assert_cmpint (count_color (png, cnn_render_style_series (light, run->color)), >, 50);
  /* hidden, the run leaves no trace of its color (the legend skips it too) */
  cnn_curves_page_set_hidden (curves, 0, TRUE);
  g_assert_true (cnn_curves_page_export (curves, png, 96, CNN_RENDER_STYLE_LIGHT, &error));
  g_assert_cmpint (count_color (png, cnn_render_style_series (light, run->color)), <, 5);
  cnn_curves_page_set_hidden (curves, 0, FALSE);

  /* PNG at 300 dpi, SVG, PDF and the numbers as CSV */
  g_assert_true (cnn_curves_page_export (curves, png, 300, CNN_RENDER_STYLE_PRINT, &error));
  check_file_starts (png, "\x89PNG\r\n\x1a\n");
  check_png_dpi (png, 11811);
  g_autofree char *svg = g_build_filename (tmp_dir, "curves.svg", NULL);
  g_assert_true (cnn_curves_page_export (curves, svg, 300, CNN_RENDER_STYLE_DARK, &error));
  g_autofree char *svg_text = NULL;
  g_assert_true (g_file_get_contents (svg, &svg_text, NULL, NULL));
  g_assert_nonnull (strstr (svg_text, "<svg"));
  g_assert_nonnull (strstr (svg_text, "</svg>"));
  g_autofree char *pdf = g_build_filename (tmp_dir, "curves.pdf", NULL);
  g_assert_true (cnn_curves_page_export (curves, pdf, 300, CNN_RENDER_STYLE_LIGHT, &error));
  check_file_starts (pdf, "%PDF-");
  g_autofree char *csv = g_build_filename (tmp_dir, "curves.csv", NULL);
  g_assert_true (cnn_curves_page_export (curves, csv, 300, CNN_RENDER_STYLE_LIGHT, &error));
  check_file_starts (csv, "run,epoch,step,train_loss");

  /* the other panels draw the trained model and the data */
  static const CnnPanelKind kinds[] = { CNN_PANEL_FILTERS, CNN_PANEL_SUMMARY, CNN_PANEL_SAMPLES };
  static const char *const names[] = { "filters.pdf", "summary.svg", "samples.png" };
  static const char *const magic[] = { "%PDF-", "<?xml", "\x89PNG" };
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *path = g_build_filename (tmp_dir, names[i], NULL);
      g_assert_true (cnn_panel_page_export (cnn_window_get_panel_page (w, kinds[i]), path, 150,
                                            CNN_RENDER_STYLE_LIGHT, &error));
      g_assert_no_error (error);
      check_file_starts (path, magic[i]);
    }
  /* a panel exports no CSV, and says so naming the file */
  g_assert_false (cnn_panel_page_export (cnn_window_get_panel_page (w, CNN_PANEL_FILTERS), csv,
                                         96, CNN_RENDER_STYLE_LIGHT, &error));
  g_assert_nonnull (strstr (error->message, csv));
  g_clear_error (&error);

  /* a second run is overlaid, in another color */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.train", NULL));
  g_assert_true (wait_until (is_idle, w, 120));
  g_assert_cmpint (cnn_curves_page_get_n_runs (curves), ==, 2);
  CnnCurveRun *second = cnn_curves_page_get_run (curves, 1);
  g_assert_cmpint (second->color, !=, run->color);
  g_assert_true (cnn_curves_page_export (curves, png, 96, CNN_RENDER_STYLE_LIGHT, &error));
  g_assert_cmpint (count_color (png, cnn_render_style_series (light, second->color)), >, 50);
  cnn_curves_page_rename_run (curves, 1, "second try");
  g_assert_cmpstr (second->label, ==, "second try");
  cnn_curves_page_delete_run (curves, 0);
  g_assert_cmpint (cnn_curves_page_get_n_runs (curves), ==, 1);
  g_assert_true (cnn_curves_page_get_run (curves, 0) == second);

  const char *files[] = { "curves.png", "curves.svg", "curves.pdf", "curves.csv", "filters.pdf",
                          "summary.svg", "samples.png" };
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (tmp_dir, files[i], NULL);
      g_assert_cmpint (g_remove (path), ==, 0);
    }
  window_close (w);
}

static void
test_pause_resume_stop (void)
{
  CnnWindow *w = window_new ();
  /* enough steps that the run cannot end during the test */
  set_small_run (w, "cnn2", 600, 20, 8);
  CnnSession *session = cnn_window_get_session (w);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.train", NULL));
  g_assert_true (wait_until (has_steps, w, 120));
  g_assert_cmpint (cnn_session_get_state (session), ==, CNN_SESSION_RUNNING);
  g_assert_nonnull (strstr (cnn_window_get_status_text (w), "Epoch 1/20"));
  /* a second Train is refused while one runs */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.train", NULL));
  g_assert_cmpint (cnn_curves_page_get_n_runs (cnn_window_get_curves_page (w)), ==, 1);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.pause", NULL));
  g_assert_cmpint (cnn_session_get_state (session), ==, CNN_SESSION_PAUSED);
  pump (0.3);
  guint at = 0, later = 0;
  cnn_session_get_steps (session, &at);
  pump (0.5);
  cnn_session_get_steps (session, &later);
  g_assert_cmpuint (later, ==, at);
  g_assert_nonnull (strstr (cnn_window_get_status_text (w), "Paused"));
  CnnCurveRun *run = cnn_curves_page_get_current (cnn_window_get_curves_page (w));
  g_assert_cmpint (run->n_steps, ==, (int) at);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.pause", NULL));
  g_assert_cmpint (cnn_session_get_state (session), ==, CNN_SESSION_RUNNING);
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (later == at && g_get_monotonic_time () < end)
    {
      pump (0.05);
      cnn_session_get_steps (session, &later);
    }
  g_assert_cmpuint (later, >, at);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.stop", NULL));
  g_assert_true (wait_until (is_idle, w, 60));
  g_assert_cmpint (cnn_session_get_state (session), ==, CNN_SESSION_IDLE);
  /* the stopped model stays to explore and save */
  g_assert_nonnull (cnn_session_get_network (session));
  window_close (w);
}

static void
test_close_mid_epoch (void)
{
  CnnWindow *w = window_new ();
  set_small_run (w, "cnn2", 600, 20, 8);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.train", NULL));
  g_assert_true (wait_until (has_steps, w, 120));
  /* the window goes while the worker is mid-epoch: it is stopped and
   * joined, and window and session are finalized */
  gint64 t0 = g_get_monotonic_time ();
  window_end (w, TRUE);
  /* one step of 8 images; 10 s allows for a loaded machine and sanitizers */
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 10 * G_USEC_PER_SEC);
}

static void
test_invalid_field (void)
{
  CnnWindow *w = window_new ();
  set_small_run (w, "lenet", 20, 1, 32);
  CnnSidebar *sidebar = cnn_window_get_sidebar (w);
  cnn_sidebar_set_field_text (sidebar, "lr", "fast");
  g_assert_false (cnn_sidebar_is_valid (sidebar));
  g_assert_nonnull (strstr (cnn_sidebar_get_error (sidebar), "Learning rate"));
  g_assert_nonnull (strstr (cnn_sidebar_get_error (sidebar), "not a number"));
  /* Train is refused: nothing starts */
  gtk_widget_activate_action (GTK_WIDGET (w), "win.train", NULL);
  g_assert_false (cnn_session_is_busy (cnn_window_get_session (w)));
  g_autoptr (GError) error = NULL;
  g_assert_null (cnn_sidebar_dup_settings (sidebar, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* the engine's own range check gives the reason */
  cnn_sidebar_set_field_text (sidebar, "lr", "-0.5");
  g_assert_false (cnn_sidebar_is_valid (sidebar));
  g_assert_nonnull (strstr (cnn_sidebar_get_error (sidebar), "lr"));

  cnn_sidebar_set_field_text (sidebar, "lr", "0.01");
  g_assert_true (cnn_sidebar_is_valid (sidebar));
  g_autoptr (CnnRunSettings) s = cnn_sidebar_dup_settings (sidebar, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (s->optimizer.lr, ==, 0.01);

  /* a model setting that cannot apply: dropout without a dense layer */
  s->edit.dropout_rate = 0.2;
  g_autofree char *spec = g_build_filename (tmp_dir, "gap.cnn", NULL);
  g_assert_true (g_file_set_contents (spec, "conv2d filters=classes kernel=3\nglobalavgpool\n"
                                      "softmax\n", -1, NULL));
  g_free (s->model);
  s->model = g_strdup (spec);
  cnn_sidebar_set_settings (sidebar, s);
  g_assert_false (cnn_sidebar_is_valid (sidebar));
  g_assert_nonnull (strstr (cnn_sidebar_get_error (sidebar), "no dense layer"));
  s->edit.dropout_rate = NAN;
  cnn_sidebar_set_settings (sidebar, s);
  g_assert_true (cnn_sidebar_is_valid (sidebar));
  g_remove (spec);
  window_close (w);
}

static void
test_save_open_continue (void)
{
  CnnWindow *w = window_new ();
  set_small_run (w, "lenet", 10, 1, 32);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.train", NULL));
  g_assert_true (wait_until (is_idle, w, 120));
  g_autofree char *path = g_build_filename (tmp_dir, "model.ckpt", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (cnn_session_save (cnn_window_get_session (w), path, &error));
  g_assert_no_error (error);
  window_close (w);

  /* a new window opens it dropped on it, explores it, continues it */
  w = window_new ();
  GtkDropTarget *drop = NULL;
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (w));
  for (guint i = 0; i < g_list_model_get_n_items (controllers) && drop == NULL; i++)
    {
      g_autoptr (GObject) c = g_list_model_get_item (controllers, i);
      if (GTK_IS_DROP_TARGET (c))
        drop = GTK_DROP_TARGET (c);
    }
  g_assert_nonnull (drop);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  GValue value = G_VALUE_INIT;
  g_value_init (&value, G_TYPE_FILE);
  g_value_set_object (&value, file);
  gboolean accepted = FALSE;
  g_signal_emit_by_name (drop, "drop", &value, 10.0, 10.0, &accepted);
  g_value_unset (&value);
  g_assert_true (accepted);
  g_assert_nonnull (strstr (cnn_window_get_last_message (w), "model.ckpt"));
  g_assert_nonnull (cnn_session_get_network (cnn_window_get_session (w)));
  set_small_run (w, "lenet", 10, 1, 32);   /* Continue takes the epochs from the sidebar */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.continue", NULL));
  g_assert_true (wait_until (is_idle, w, 120));
  CnnCurvesPage *curves = cnn_window_get_curves_page (w);
  g_assert_cmpint (cnn_curves_page_get_n_runs (curves), ==, 1);
  CnnCurveRun *run = cnn_curves_page_get_run (curves, 0);
  g_assert_nonnull (strstr (run->label, "continued"));
  g_assert_cmpint (run->n_epochs, ==, 1);
  g_assert_cmpfloat (run->epoch[0], ==, 2.0);   /* the checkpoint had 1 */

  /* something that is not a checkpoint is refused with its name */
  g_autofree char *bad = g_build_filename (tmp_dir, "notes.txt", NULL);
  g_assert_true (g_file_set_contents (bad, "not a model", -1, NULL));
  g_assert_false (cnn_window_open_model (w, bad, &error));
  g_assert_nonnull (strstr (error->message, bad));
  g_remove (bad);
  g_remove (path);
  window_close (w);
}

/* An ONNX model (from tools/make-onnx-tests.py) opens as a checkpoint
 * does, by name and dropped on the window */
static void
test_open_onnx (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "onnx", "lenet.onnx", NULL);
  CnnWindow *w = window_new ();
  g_autoptr (GError) error = NULL;
  g_assert_true (cnn_window_open_model (w, path, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (cnn_window_get_last_message (w), "lenet.onnx"));
  CnnNetwork *net = cnn_session_get_network (cnn_window_get_session (w));
  g_assert_nonnull (net);
  CnnShape in = cnn_network_get_input_shape (net);
  g_assert_cmpint (in.c, ==, 1);
  g_assert_cmpint (cnn_network_get_n_classes (net), ==, 10);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.show-page", "s", "filters"));
  pump (0.2);
  window_close (w);

  /* a damaged one is refused with its name, and the window stays usable */
  w = window_new ();
  g_autofree char *bad = g_test_build_filename (G_TEST_DIST, "data", "onnx", "bad-truncated.onnx", NULL);
  g_assert_false (cnn_window_open_model (w, bad, &error));
  g_assert_nonnull (strstr (error->message, "bad-truncated.onnx"));
  window_close (w);
}

/* A window with lenet trained an epoch on synthetic data, showing `page`. */
static CnnWindow *
trained_window (const char *page)
{
  CnnWindow *w = window_new ();
  set_small_run (w, "lenet", 20, 1, 32);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.train", NULL));
  g_assert_true (wait_until (is_idle, w, 120));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.show-page", "s", page));
  return w;
}

static gboolean
activations_ready (gpointer data)
{
  return cnn_activations_page_get_top_class (data) >= 0;
}

typedef struct
{
  CnnActivationsPage *page;
  guint               count;
} ComputeWait;

static gboolean
recomputed (gpointer data)
{
  ComputeWait *c = data;
  return cnn_activations_page_get_compute_count (c->page) > c->count;
}

static GtkDropTarget *
find_drop_target (GtkWidget *widget)
{
  GtkDropTarget *drop = NULL;
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (widget);
  for (guint i = 0; i < g_list_model_get_n_items (controllers) && drop == NULL; i++)
    {
      g_autoptr (GObject) c = g_list_model_get_item (controllers, i);
      if (GTK_IS_DROP_TARGET (c))
        drop = GTK_DROP_TARGET (c);
    }
  return drop;
}

static guint8
input_pixel (CnnActivationsPage *page, int y, int x)
{
  const CnnImageSet *in = cnn_activations_page_get_input (page);
  return in->pixels[y * in->w + x];   /* (1, 1, h, w) */
}

/* The activations page: a data set image, a unit's receptive field, a
 * drawing, an image file opened and dropped, and maps that follow the
 * weights while the network trains. */
static void
test_activations (void)
{
  CnnWindow *w = trained_window ("activations");
  CnnActivationsPage *page = cnn_window_get_activations_page (w);
  g_assert_true (wait_until (activations_ready, page, 10));
  g_assert_true (wait_until (drew, cnn_activations_page_get_view (page), 10));

  /* lenet's conv2 unit (2, 3), by hand: pool rows 2..4, conv1 rows 4..9,
   * input rows 4..11; columns 6..13 the same way */
  g_assert_true (cnn_activations_page_set_layer (page, "conv2"));
  g_assert_false (cnn_activations_page_set_layer (page, "no-such-layer"));
  cnn_activations_page_select_unit (page, 5, 2, 3);
  int y0, x0, h, wd;
  g_assert_true (cnn_activations_page_get_field (page, &y0, &x0, &h, &wd));
  g_assert_cmpint (y0, ==, 4);
  g_assert_cmpint (x0, ==, 6);
  g_assert_cmpint (h, ==, 8);
  g_assert_cmpint (wd, ==, 8);
  cnn_activations_page_select_unit (page, -1, 0, 0);
  g_assert_false (cnn_activations_page_get_field (page, &y0, &x0, &h, &wd));

  /* the model page shows the receptive field chart instead of the table */
  CnnPanelPage *model = cnn_window_get_panel_page (w, CNN_PANEL_SUMMARY);
  g_autofree char *table = g_build_filename (tmp_dir, "table.png", NULL);
  g_autofree char *chart = g_build_filename (tmp_dir, "fields.png", NULL);
  g_autoptr (GError) chart_error = NULL;
  g_assert_true (cnn_panel_page_export (model, table, 96, CNN_RENDER_STYLE_LIGHT, &chart_error));
  cnn_panel_page_set_show_fields (model, TRUE);
  g_assert_true (cnn_panel_page_export (model, chart, 96, CNN_RENDER_STYLE_LIGHT, &chart_error));
  g_assert_no_error (chart_error);
  check_file_starts (chart, "\x89PNG");
  g_autofree char *a = NULL, *b = NULL;
  gsize na = 0, nb = 0;
  g_assert_true (g_file_get_contents (table, &a, &na, NULL));
  g_assert_true (g_file_get_contents (chart, &b, &nb, NULL));
  g_assert_false (na == nb && memcmp (a, b, na) == 0);
  g_remove (table);
  g_remove (chart);

  /* a drawing starts black; a stroke paints its line, nothing else */
  ComputeWait c = { page, cnn_activations_page_get_compute_count (page) };
  cnn_activations_page_set_drawing (page, TRUE);
  g_assert_cmpint (input_pixel (page, 14, 14), ==, 0);
  cnn_activations_page_draw_stroke (page, 5.5, 14.5, 22.5, 14.5);
  g_assert_true (recomputed (&c));
  g_assert_cmpint (input_pixel (page, 14, 14), ==, 255);
  g_assert_cmpint (input_pixel (page, 5, 14), ==, 255);
  g_assert_cmpint (input_pixel (page, 14, 4), ==, 0);
  g_assert_cmpint (input_pixel (page, 1, 14), ==, 0);

  /* an image file, resized to the model's input */
  g_autofree char *png = g_build_filename (tmp_dir, "square.png", NULL);
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 56, 56);
  cairo_t *cr = cairo_create (s);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, 0, 0, 28, 56);   /* the left half white */
  cairo_fill (cr);
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png (s, png), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (s);
  g_autoptr (GError) error = NULL;
  g_assert_true (cnn_activations_page_open_file (page, png, &error));
  g_assert_no_error (error);
  g_assert_cmpint (input_pixel (page, 10, 3), ==, 255);
  g_assert_cmpint (input_pixel (page, 10, 24), ==, 0);
  /* not an image: refused with the file's name */
  g_autofree char *bad = g_build_filename (tmp_dir, "notes.png", NULL);
  g_assert_true (g_file_set_contents (bad, "not an image", -1, NULL));
  g_assert_false (cnn_activations_page_open_file (page, bad, &error));
  g_assert_nonnull (strstr (error->message, bad));
  g_clear_error (&error);

  /* dropped on the page: the drawing back to the data set, then the file */
  cnn_activations_page_show_image (page, 3);
  g_assert_cmpint (input_pixel (page, 10, 24), !=, 0);
  GtkDropTarget *drop = find_drop_target (GTK_WIDGET (page));
  g_assert_nonnull (drop);
  g_autoptr (GFile) file = g_file_new_for_path (png);
  GValue value = G_VALUE_INIT;
  g_value_init (&value, G_TYPE_FILE);
  g_value_set_object (&value, file);
  gboolean accepted = FALSE;
  g_signal_emit_by_name (drop, "drop", &value, 10.0, 10.0, &accepted);
  g_value_unset (&value);
  g_assert_true (accepted);
  g_assert_cmpint (input_pixel (page, 10, 24), ==, 0);

  /* live: training on recomputes the maps of the shown input */
  c.count = cnn_activations_page_get_compute_count (page);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.continue", NULL));
  g_assert_true (wait_until (is_idle, w, 120));
  g_assert_true (wait_until (recomputed, &c, 5));
  g_remove (png);
  g_remove (bad);
  window_close (w);
}

static gboolean
features_current (gpointer data)
{
  return cnn_features_page_is_current (data);
}

static gboolean
features_stopped (gpointer data)
{
  return !cnn_features_page_is_running (data);
}

/* The features page: top patches, feature and class visualization computed
 * in the background on the latest weights, cancellable, and marked as of
 * older weights once training goes on. */
static void
test_features (void)
{
  /* shown with nothing training: it computes by itself, the deepest conv */
  CnnWindow *w = trained_window ("features");
  CnnFeaturesPage *page = cnn_window_get_features_page (w);
  g_assert_true (wait_until (features_current, page, 60));
  const CnnTopPatches *tp = cnn_features_page_get_top_patches (page);
  g_assert_nonnull (tp);
  g_assert_cmpint (tp->n_channels, ==, 16);   /* lenet's conv2 */
  g_assert_cmpint (tp->k, ==, 9);
  for (int c = 0; c < tp->n_channels; c++)
    for (int r = 1; r < tp->k; r++)
      g_assert_cmpfloat (cnn_top_patches_get (tp, c, r - 1)->value, >=,
                         cnn_top_patches_get (tp, c, r)->value);

  cnn_features_page_set_mode (page, CNN_FEATURES_FEATURE_VIS);
  g_assert_true (cnn_features_page_set_layer (page, "conv1"));
  g_assert_true (wait_until (features_current, page, 60));
  int n = 0;
  cnn_features_page_get_objective (page, 0, &n);
  g_assert_cmpint (n, ==, 6);   /* conv1's channels */
  for (int i = 0; i < n; i++)
    g_assert_true (isfinite (cnn_features_page_get_objective (page, i, &n)));

  /* other settings: computed again, not taken from the cache */
  double before = cnn_features_page_get_objective (page, 0, &n);
  cnn_features_page_set_steps (page, 5);
  g_assert_false (cnn_features_page_is_current (page) && !cnn_features_page_is_running (page)
                  && cnn_features_page_get_objective (page, 0, &n) == before);
  g_assert_true (wait_until (features_current, page, 60));
  g_assert_cmpfloat (cnn_features_page_get_objective (page, 0, &n), !=, before);

  cnn_features_page_set_mode (page, CNN_FEATURES_CLASS_VIS);
  g_assert_true (wait_until (features_current, page, 60));
  cnn_features_page_get_objective (page, 0, &n);
  g_assert_cmpint (n, ==, 10);
  g_assert_true (wait_until (drew, cnn_features_page_get_view (page), 10));

  /* asked again, then cancelled: it stops, and shows no finished result */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.compute", NULL));
  g_assert_true (cnn_features_page_is_running (page));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.compute", NULL));
  g_assert_true (wait_until (features_stopped, page, 30));
  g_assert_false (cnn_features_page_is_current (page));

  /* computed again after training on: of the new weights */
  cnn_features_page_set_mode (page, CNN_FEATURES_TOP_PATCHES);
  g_assert_true (wait_until (features_current, page, 60));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.continue", NULL));
  g_assert_true (wait_until (is_idle, w, 120));
  g_assert_true (wait_until (features_current, page, 60));
  window_close (w);
}

static gboolean
explain_current (gpointer data)
{
  return cnn_explain_page_is_current (data);
}

/* The explain page: the four maps of the pinned input, again for another
 * class and another input, each at the input's size and finite. */
static void
test_explain (void)
{
  CnnWindow *w = trained_window ("explain");
  CnnExplainPage *page = cnn_window_get_explain_page (w);
  g_assert_true (wait_until (explain_current, page, 60));
  const CnnExplanation *e = cnn_explain_page_get_explanation (page);
  g_assert_nonnull (e);
  g_assert_cmpint (e->target, ==, e->predicted);
  for (int k = 0; k < CNN_EXPLAIN_N_METHODS; k++)
    {
      g_assert_nonnull (e->maps[k]);
      for (int i = 0; i < 28 * 28; i++)
        g_assert_true (isfinite (e->maps[k][i]));
    }
  g_assert_nonnull (e->lime);
  g_assert_true (wait_until (drew, cnn_explain_page_get_view (page), 10));

  /* another class: explained, the prediction unchanged */
  int other = (e->predicted + 1) % 10, predicted = e->predicted;
  cnn_explain_page_set_class (page, other);
  g_assert_false (cnn_explain_page_is_current (page));
  g_assert_true (wait_until (explain_current, page, 60));
  e = cnn_explain_page_get_explanation (page);
  g_assert_cmpint (e->target, ==, other);
  g_assert_cmpint (e->predicted, ==, predicted);

  /* another input (shared with the activations page) */
  guint count = cnn_explain_page_get_compute_count (page);
  cnn_activations_page_show_image (cnn_window_get_activations_page (w), 5);
  g_assert_true (wait_until (explain_current, page, 60));
  g_assert_cmpuint (cnn_explain_page_get_compute_count (page), >, count);

  /* the figure exports */
  g_autofree char *png = g_build_filename (tmp_dir, "explain.png", NULL);
  g_autoptr (GError) error = NULL;
  int n_sizes = 0;
  const CnnExportSize *sizes = cnn_export_sizes (&n_sizes);
  g_assert_true (cnn_export_write (cnn_explain_page_get_view (page), png, &sizes[0], 96,
                                   CNN_RENDER_STYLE_LIGHT, NULL, NULL, &error));
  g_assert_no_error (error);
  check_file_starts (png, "\x89PNG");
  g_remove (png);
  window_close (w);
}

static gboolean
transfer_stopped (gpointer data)
{
  return !cnn_transfer_page_is_running (data);
}

/* The transfer page: lenet trained on all synthetic classes learns classes
 * 5-9 again from 10 images each, three ways; each ends with a test accuracy
 * and the comparison draws and exports. Cancel stops a run. */
static void
test_transfer (void)
{
  CnnWindow *w = trained_window ("transfer");
  CnnTransferPage *page = cnn_window_get_transfer_page (w);
  cnn_transfer_page_set_task (page, "5-9", 10, 2);
  g_autoptr (GError) error = NULL;
  g_assert_true (cnn_transfer_page_run (page, &error));
  g_assert_no_error (error);
  g_assert_true (cnn_transfer_page_is_running (page));
  g_assert_true (wait_until (transfer_stopped, page, 120));
  for (int k = 0; k < 3; k++)
    {
      double acc = cnn_transfer_page_get_accuracy (page, k);
      g_assert_true (acc >= 0 && acc <= 1);
    }
  g_assert_true (wait_until (drew, cnn_transfer_page_get_view (page), 10));
  g_autofree char *png = g_build_filename (tmp_dir, "transfer.png", NULL);
  int n_sizes = 0;
  const CnnExportSize *sizes = cnn_export_sizes (&n_sizes);
  g_assert_true (cnn_export_write (cnn_transfer_page_get_view (page), png, &sizes[0], 96,
                                   CNN_RENDER_STYLE_LIGHT, NULL, NULL, &error));
  g_assert_no_error (error);
  check_file_starts (png, "\x89PNG");
  g_remove (png);

  /* a bad class list is refused at once; a run can be cancelled */
  cnn_transfer_page_set_task (page, "5-x", 10, 2);
  g_assert_false (cnn_transfer_page_run (page, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  cnn_transfer_page_set_task (page, "0-9", 20, 50);
  g_assert_true (cnn_transfer_page_run (page, &error));
  cnn_transfer_page_cancel (page);
  g_assert_true (wait_until (transfer_stopped, page, 60));
  g_assert_true (isnan (cnn_transfer_page_get_accuracy (page, 2)));
  window_close (w);
}

static void
test_gsettings (void)
{
  if (g_getenv ("GSETTINGS_SCHEMA_DIR") == NULL)
    {
      g_test_skip ("GSETTINGS_SCHEMA_DIR is not set");
      return;
    }
  g_autoptr (GSettings) settings = g_settings_new ("org.convscope.Convscope");
  CnnWindow *w = cnn_window_new (NULL, settings);
  gtk_window_present (GTK_WINDOW (w));
  set_small_run (w, "lenet", 20, 3, 16);
  g_autofree char *model = g_settings_get_string (settings, "model");
  g_assert_cmpstr (model, ==, "lenet");
  g_assert_cmpint (g_settings_get_int (settings, "epochs"), ==, 3);
  g_assert_cmpint (g_settings_get_int (settings, "batch-size"), ==, 16);
  g_autoptr (CnnRunSettings) aug = cnn_sidebar_dup_settings (cnn_window_get_sidebar (w), NULL);
  aug->augment = g_strdup ("rotation=15,width-shift=0.1,hflip,fill=reflect");
  cnn_sidebar_set_settings (cnn_window_get_sidebar (w), aug);
  g_autofree char *remembered = g_settings_get_string (settings, "augment");
  g_assert_cmpstr (remembered, ==, "rotation=15,width-shift=0.1,hflip,fill=reflect");
  window_close (w);

  /* a new window starts from what was remembered */
  w = cnn_window_new (NULL, settings);
  g_autoptr (CnnRunSettings) s = cnn_sidebar_dup_settings (cnn_window_get_sidebar (w), NULL);
  g_assert_cmpstr (s->model, ==, "lenet");
  g_assert_cmpstr (s->data, ==, "synthetic");
  g_assert_cmpint (s->epochs, ==, 3);
  g_assert_cmpint (s->limit_per_class, ==, 20);
  g_assert_cmpstr (s->augment, ==, "rotation=15,width-shift=0.1,hflip,fill=reflect");
  window_close (w);
}

static void
test_projector (void)
{
  CnnWindow *w = window_new ();
  cnn_window_set_projector (w, TRUE);
  CnnFigureView *view = cnn_curves_page_get_view (cnn_window_get_curves_page (w));
  g_assert_cmpint (cnn_figure_view_get_style (view), ==, CNN_RENDER_STYLE_PROJECTOR);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (w), "projector"));
  /* the panels get the room; F9 (win.show-sidebar) brings the settings back */
  GtkWidget *sidebar = GTK_WIDGET (cnn_window_get_sidebar (w));
  g_assert_false (gtk_widget_get_visible (sidebar));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.show-sidebar", NULL));
  g_assert_true (gtk_widget_get_visible (sidebar));
  cnn_window_set_projector (w, FALSE);
  g_assert_true (gtk_widget_get_visible (sidebar));
  g_assert_cmpint (cnn_figure_view_get_style (view), !=, CNN_RENDER_STYLE_PROJECTOR);
  /* Alt+2 and friends: the panels switch while nothing trains too */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (w), "win.show-page", "s", "filters"));
  pump (0.1);
  window_close (w);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  g_autoptr (GError) error = NULL;
  tmp_dir = g_dir_make_tmp ("convscope-window-XXXXXX", &error);
  g_assert_no_error (error);
  g_test_add_func ("/window/opens", test_opens);
  g_test_add_func ("/window/train-and-export", test_train_and_export);
  g_test_add_func ("/window/pause-resume-stop", test_pause_resume_stop);
  g_test_add_func ("/window/close-mid-epoch", test_close_mid_epoch);
  g_test_add_func ("/window/invalid-field", test_invalid_field);
  g_test_add_func ("/window/save-open-continue", test_save_open_continue);
  g_test_add_func ("/window/open-onnx", test_open_onnx);
  g_test_add_func ("/window/activations", test_activations);
  g_test_add_func ("/window/features", test_features);
  g_test_add_func ("/window/explain", test_explain);
  g_test_add_func ("/window/transfer", test_transfer);
  g_test_add_func ("/window/gsettings", test_gsettings);
  g_test_add_func ("/window/projector", test_projector);
  int status = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
