/* The training session without a window: a seeded run on synthetic data
 * delivers its metrics and weights on the main thread; pause, resume and
 * stop act at once; shutting down mid-epoch joins the worker; a saved model
 * opens again and continues. */
#include "cnn-session.h"
#include "cnn-session-private.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

typedef struct
{
  gboolean finished;
  GError  *error;
  int      metrics, weights, models;
} Events;

static void
on_finished (CnnSession *s, const GError *error, Events *ev)
{
  ev->finished = TRUE;
  g_clear_error (&ev->error);
  ev->error = error ? g_error_copy (error) : NULL;
}

static void
on_metrics (CnnSession *s, Events *ev)
{
  ev->metrics++;
}

static void
on_weights (CnnSession *s, Events *ev)
{
  ev->weights++;
}

static void
on_model (CnnSession *s, Events *ev)
{
  ev->models++;
}

static CnnSession *
session_new (Events *ev)
{
  CnnSession *s = cnn_session_new ();
  g_signal_connect (s, "finished", G_CALLBACK (on_finished), ev);
  g_signal_connect (s, "metrics-changed", G_CALLBACK (on_metrics), ev);
  g_signal_connect (s, "weights-changed", G_CALLBACK (on_weights), ev);
  g_signal_connect (s, "model-changed", G_CALLBACK (on_model), ev);
  return s;
}

/* Iterates the main loop until *flag or the timeout (a generous one: the
 * sanitizer build is several times slower). */
static gboolean
wait_for (gboolean (*cond) (gpointer), gpointer data, double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  while (!cond (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

static gboolean
is_finished (gpointer data)
{
  return ((Events *) data)->finished;
}

static gboolean
has_steps (gpointer data)
{
  guint n = 0;
  cnn_session_get_steps (data, &n);
  return n >= 3;
}

static void
pump (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static CnnRunSettings *
small_settings (const char *model, int per_class, int epochs)
{
  CnnRunSettings *s = cnn_run_settings_new ();
  g_free (s->data);
  s->data = g_strdup ("synthetic");
  g_free (s->model);
  s->model = g_strdup (model);
  s->limit_per_class = per_class;
  s->epochs = epochs;
  s->batch_size = 32;
  s->seed = 7;
  s->threads = 1;   /* the same numbers on every machine */
  return s;
}

static void
test_run (void)
{
  Events ev = { 0 };
  g_autoptr (CnnSession) s = session_new (&ev);
  g_autoptr (CnnRunSettings) settings = small_settings ("lenet", 20, 2);
  g_autoptr (GError) error = NULL;
  g_assert_true (cnn_session_start (s, settings, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cnn_session_get_state (s), ==, CNN_SESSION_LOADING);
  g_assert_true (cnn_session_is_busy (s));
  g_assert_true (wait_for (is_finished, &ev, 120));
  g_assert_no_error (ev.error);
  g_assert_cmpint (cnn_session_get_state (s), ==, CNN_SESSION_IDLE);
  g_assert_false (cnn_session_is_busy (s));

  /* 20 training images of each of 10 classes (validation keeps its 10 %):
   * 200 images in 7 batches of 32 (the last has 8), twice */
  guint n_steps = 0, n_epochs = 0;
  const CnnStepRecord *steps = cnn_session_get_steps (s, &n_steps);
  const CnnEpochInfo *epochs = cnn_session_get_epochs (s, &n_epochs);
  g_assert_cmpuint (n_steps, ==, 14);
  g_assert_cmpuint (n_epochs, ==, 2);
  for (guint i = 0; i < n_steps; i++)
    {
      g_assert_true (isfinite (steps[i].loss));
      g_assert_cmpfloat_with_epsilon (steps[i].epoch, (i + 1) / 7.0, 1e-9);
    }
  g_assert_cmpint (epochs[0].epoch, ==, 1);
  g_assert_cmpint (epochs[1].epoch, ==, 2);
  g_assert_true (isfinite (epochs[1].val_loss));
  CnnProgress p;
  g_assert_true (cnn_session_get_progress (s, &p));
  g_assert_cmpint (p.epoch, ==, 2);
  g_assert_cmpint (p.step, ==, 7);
  g_assert_cmpfloat (p.fraction, ==, 1.0);
  g_assert_cmpint (ev.models, ==, 1);
  g_assert_cmpint (ev.metrics, >=, 1);
  g_assert_cmpint (ev.weights, >=, 2);   /* the start and at least the end */

  /* the panels' network holds the final weights */
  CnnNetwork *net = cnn_session_get_network (s);
  g_assert_nonnull (net);
  g_autoptr (CnnWeights) w = cnn_session_dup_weights (s);
  g_assert_nonnull (w);
  g_assert_cmpuint (w->n_params, ==, cnn_network_get_n_params (net));
  g_assert_cmpmem (w->params, w->n_params * sizeof (float), cnn_network_get_params (net),
                   w->n_params * sizeof (float));
  g_assert_cmpfloat (w->epoch, ==, 2.0);
  g_assert_nonnull (cnn_session_get_dataset (s));
  g_assert_nonnull (cnn_session_get_normalizer (s));
  g_assert_cmpstr (cnn_session_get_class_names (s)[0], !=, NULL);

  /* the same seed and thread count give the same run */
  Events ev2 = { 0 };
  g_autoptr (CnnSession) s2 = session_new (&ev2);
  g_assert_true (cnn_session_start (s2, settings, &error));
  g_assert_true (wait_for (is_finished, &ev2, 120));
  guint n2 = 0;
  const CnnStepRecord *steps2 = cnn_session_get_steps (s2, &n2);
  g_assert_cmpuint (n2, ==, n_steps);
  g_assert_cmpfloat (steps2[n2 - 1].loss, ==, steps[n_steps - 1].loss);
  g_clear_error (&ev.error);
  g_clear_error (&ev2.error);
}

static void
test_pause_resume_stop (void)
{
  Events ev = { 0 };
  g_autoptr (CnnSession) s = session_new (&ev);
  /* enough steps that the run cannot end during the test */
  g_autoptr (CnnRunSettings) settings = small_settings ("cnn2", 600, 20);
  settings->batch_size = 8;
  g_autoptr (GError) error = NULL;
  g_assert_true (cnn_session_start (s, settings, &error));
  g_assert_true (wait_for (has_steps, s, 120));

  cnn_session_pause (s);
  g_assert_cmpint (cnn_session_get_state (s), ==, CNN_SESSION_PAUSED);
  /* the worker may finish the step it is in; after that nothing moves */
  pump (0.3);
  guint paused_at = 0, later = 0;
  cnn_session_get_steps (s, &paused_at);
  pump (0.5);
  cnn_session_get_steps (s, &later);
  g_assert_cmpuint (later, ==, paused_at);

  cnn_session_resume (s);
  g_assert_cmpint (cnn_session_get_state (s), ==, CNN_SESSION_RUNNING);
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (later == paused_at && g_get_monotonic_time () < end)
    {
      pump (0.05);
      cnn_session_get_steps (s, &later);
    }
  g_assert_cmpuint (later, >, paused_at);

  /* stopping from a pause works too */
  cnn_session_pause (s);
  cnn_session_stop (s);
  g_assert_cmpint (cnn_session_get_state (s), ==, CNN_SESSION_STOPPING);
  g_assert_true (wait_for (is_finished, &ev, 60));
  g_assert_no_error (ev.error);   /* stopping is not an error */
  g_assert_cmpint (cnn_session_get_state (s), ==, CNN_SESSION_IDLE);
  guint n_epochs = 0;
  cnn_session_get_epochs (s, &n_epochs);
  g_assert_cmpuint (n_epochs, <, 20);
  /* the stopped model stays, to save or continue */
  g_assert_nonnull (cnn_session_get_network (s));
}

static void
test_shutdown_mid_epoch (void)
{
  Events ev = { 0 };
  CnnSession *s = session_new (&ev);
  g_autoptr (CnnRunSettings) settings = small_settings ("cnn2", 600, 20);
  settings->batch_size = 8;
  g_assert_true (cnn_session_start (s, settings, NULL));
  g_assert_true (wait_for (has_steps, s, 120));
  /* the last reference goes mid-epoch: dispose stops and joins the worker
   * within a step; nothing is left behind (the sanitizer build checks) */
  GWeakRef weak;
  g_weak_ref_init (&weak, s);
  gint64 t0 = g_get_monotonic_time ();
  g_object_unref (s);
  gint64 took = g_get_monotonic_time () - t0;
  g_assert_null (g_weak_ref_get (&weak));
  g_weak_ref_clear (&weak);
  /* one step of 8 images of cnn2 takes milliseconds; 10 s allows for a
   * loaded machine and the sanitizers */
  g_assert_cmpint (took, <, 10 * G_USEC_PER_SEC);
  /* no notification fires for the dead session */
  pump (0.1);
  g_assert_false (ev.finished);
}

static void
test_shutdown_while_loading_and_paused (void)
{
  Events ev = { 0 };
  CnnSession *s = session_new (&ev);
  g_autoptr (CnnRunSettings) settings = small_settings ("cnn2", 600, 20);
  g_assert_true (cnn_session_start (s, settings, NULL));
  cnn_session_pause (s);   /* before the model even exists */
  g_assert_cmpint (cnn_session_get_state (s), ==, CNN_SESSION_PAUSED);
  pump (0.2);
  g_object_unref (s);
}

static void
test_save_open_continue (void)
{
  Events ev = { 0 };
  g_autoptr (CnnSession) s = session_new (&ev);
  g_autoptr (CnnRunSettings) settings = small_settings ("lenet", 10, 1);
  settings->standardize = CNN_STANDARDIZE_PIXEL;
  settings->augment = g_strdup ("rotation=10,hflip");
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("convscope-session-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *path = g_build_filename (dir, "model.ckpt", NULL);

  /* nothing to save before a run */
  g_assert_false (cnn_session_save (s, path, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);

  g_assert_true (cnn_session_start (s, settings, &error));
  g_assert_true (wait_for (is_finished, &ev, 120));
  g_assert_true (cnn_session_save (s, path, &error));
  g_assert_no_error (error);

  Events ev2 = { 0 };
  g_autoptr (CnnSession) o = session_new (&ev2);
  g_assert_true (cnn_session_open (o, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ev2.models, ==, 1);
  CnnNetwork *a = cnn_session_get_network (s), *b = cnn_session_get_network (o);
  g_assert_cmpuint (cnn_network_get_n_params (a), ==, cnn_network_get_n_params (b));
  g_assert_cmpmem (cnn_network_get_params (a), cnn_network_get_n_params (a) * sizeof (float),
                   cnn_network_get_params (b), cnn_network_get_n_params (b) * sizeof (float));
  const CnnRunSettings *rs = cnn_session_get_settings (o);
  g_assert_cmpstr (rs->data, ==, "synthetic");
  g_assert_cmpint (rs->standardize, ==, CNN_STANDARDIZE_PIXEL);
  g_assert_cmpint (rs->optimizer.kind, ==, CNN_OPT_ADAM);
  g_assert_cmpint (rs->limit_per_class, ==, 10);
  g_assert_nonnull (strstr (rs->augment, "rotation=10"));
  g_assert_nonnull (strstr (rs->augment, "hflip"));
  g_assert_cmpint (cnn_session_get_epochs_before (o), ==, 1);
  g_assert_nonnull (cnn_session_get_class_names (o));

  /* one more epoch: numbered 2, and the loss goes on from the saved model */
  guint serial = cnn_session_get_run_serial (o);
  g_assert_true (cnn_session_continue (o, 1, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (is_finished, &ev2, 120));
  g_assert_no_error (ev2.error);
  guint n_epochs = 0, n_steps = 0;
  const CnnEpochInfo *e = cnn_session_get_epochs (o, &n_epochs);
  const CnnStepRecord *st = cnn_session_get_steps (o, &n_steps);
  g_assert_cmpuint (n_epochs, ==, 1);
  g_assert_cmpint (e[0].epoch, ==, 2);
  g_assert_cmpfloat (st[0].epoch, >, 1.0);
  g_assert_cmpuint (cnn_session_get_run_serial (o), ==, serial);

  /* and a third from the continued model, in the same session */
  g_assert_true (cnn_session_continue (o, 1, &error));
  ev2.finished = FALSE;
  g_assert_true (wait_for (is_finished, &ev2, 120));
  e = cnn_session_get_epochs (o, &n_epochs);
  g_assert_cmpuint (n_epochs, ==, 2);
  g_assert_cmpint (e[1].epoch, ==, 3);

  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_clear_error (&ev.error);
  g_clear_error (&ev2.error);
}

static gboolean
has_dataset (gpointer data)
{
  return cnn_session_get_dataset (data) != NULL;
}

/* A run on a class subset saves it; the opened checkpoint loads its data
 * set in the background, cut to the same classes, and continues on them. */
static void
test_class_subset (void)
{
  Events ev = { 0 };
  g_autoptr (CnnSession) s = session_new (&ev);
  g_autoptr (CnnRunSettings) settings = small_settings ("lenet", 10, 1);
  settings->classes = g_strdup ("7,2,5");
  g_autoptr (GError) error = NULL;
  g_assert_true (cnn_session_start (s, settings, &error));
  g_assert_true (wait_for (is_finished, &ev, 120));
  g_assert_no_error (ev.error);
  g_assert_cmpint (cnn_network_get_n_classes (cnn_session_get_network (s)), ==, 3);
  g_assert_cmpint (cnn_session_get_dataset (s)->n_classes, ==, 3);
  g_autofree char *dir = g_dir_make_tmp ("convscope-session-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "subset.ckpt", NULL);
  g_assert_true (cnn_session_save (s, path, &error));
  g_assert_no_error (error);

  Events ev2 = { 0 };
  g_autoptr (CnnSession) o = session_new (&ev2);
  g_assert_true (cnn_session_open (o, path, &error));
  g_assert_cmpstr (cnn_session_get_settings (o)->classes, ==, "7,2,5");
  g_assert_true (wait_for (has_dataset, o, 60));
  const CnnDataset *ds = cnn_session_get_dataset (o);
  g_assert_cmpint (ds->n_classes, ==, 3);
  const CnnDataset *full = cnn_session_get_dataset (s);
  g_assert_cmpstr (ds->class_names[0], ==, full->class_names[0]);
  g_assert_cmpint (ds->train->n, ==, full->train->n);
  g_assert_true (cnn_session_continue (o, 1, &error));
  g_assert_true (wait_for (is_finished, &ev2, 120));
  g_assert_no_error (ev2.error);
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_errors (void)
{
  Events ev = { 0 };
  g_autoptr (CnnSession) s = session_new (&ev);
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnRunSettings) settings = small_settings ("lenet", 10, 1);

  g_assert_false (cnn_session_continue (s, 1, &error));
  g_assert_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG);
  g_clear_error (&error);

  settings->batch_size = 0;
  g_assert_false (cnn_session_start (s, settings, &error));
  g_assert_nonnull (strstr (error->message, "batch size"));
  g_clear_error (&error);
  settings->batch_size = 32;

  settings->optimizer.lr = -1;
  g_assert_false (cnn_session_start (s, settings, &error));
  g_assert_nonnull (strstr (error->message, "lr"));
  g_clear_error (&error);
  settings->optimizer.lr = 0.001;

  settings->augment = g_strdup ("spin=90");
  g_assert_false (cnn_session_start (s, settings, &error));
  g_assert_nonnull (strstr (error->message, "spin"));
  g_clear_error (&error);
  g_clear_pointer (&settings->augment, g_free);

  g_free (settings->model);
  settings->model = g_strdup ("/nonexistent/model.cnn");
  g_assert_false (cnn_session_start (s, settings, &error));
  g_assert_nonnull (strstr (error->message, "/nonexistent/model.cnn"));
  g_clear_error (&error);
  g_free (settings->model);
  settings->model = g_strdup ("lenet");

  /* a data set that is not there fails in the worker, through ::finished */
  g_free (settings->data);
  settings->data = g_strdup ("/nonexistent/images");
  g_assert_true (cnn_session_start (s, settings, &error));
  g_assert_false (cnn_session_start (s, settings, &error));   /* busy */
  g_assert_nonnull (strstr (error->message, "in progress"));
  g_clear_error (&error);
  g_assert_true (wait_for (is_finished, &ev, 60));
  g_assert_nonnull (ev.error);
  g_assert_nonnull (strstr (ev.error->message, "/nonexistent/images"));
  g_assert_null (cnn_session_get_network (s));
  g_assert_cmpint (cnn_session_get_state (s), ==, CNN_SESSION_IDLE);

  g_autofree char *bad = g_build_filename (g_get_tmp_dir (), "convscope-not-a-checkpoint", NULL);
  g_assert_true (g_file_set_contents (bad, "hello", -1, NULL));
  g_assert_false (cnn_session_open (s, bad, &error));
  g_assert_nonnull (strstr (error->message, bad));
  g_remove (bad);
  g_clear_error (&ev.error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/session/run", test_run);
  g_test_add_func ("/session/pause-resume-stop", test_pause_resume_stop);
  g_test_add_func ("/session/shutdown-mid-epoch", test_shutdown_mid_epoch);
  g_test_add_func ("/session/shutdown-while-loading-paused", test_shutdown_while_loading_and_paused);
  g_test_add_func ("/session/save-open-continue", test_save_open_continue);
  g_test_add_func ("/session/class-subset", test_class_subset);
  g_test_add_func ("/session/errors", test_errors);
  return g_test_run ();
}
