#include "cnn-transfer-page.h"

#include <math.h>
#include <string.h>

#include "cnn-page-frame.h"
#include "cnn-page-job.h"
#include "cnn-session-private.h"
#include "cnn-window-private.h"

/* One comparison, shared by the page and its worker. The worker owns the
 * network copy and the data; the news is guarded by `lock`. */
typedef struct
{
  CnnPageJob      base;
  CnnNetwork     *pre;
  CnnNormalizer  *nz;
  char           *data, *classes;
  int             per_class, epochs;
  guint64         seed;

  /* under base.lock */
  GArray         *epochs_news[CNN_N_STRATEGIES];   /* CnnEpochInfo, not yet shown */
  int             strategy;        /* the one training */
  double          accuracy[CNN_N_STRATEGIES];
  gboolean        done[CNN_N_STRATEGIES];
  int             total_epochs, epochs_seen;
  int             n_train, n_test;
  char           *data_name;
  GError         *error;
} Job;

struct _CnnTransferPage
{
  GtkWidget       parent_instance;
  GtkWidget      *toolbar;
  GtkEntry       *classes_entry;
  GtkSpinButton  *per_class_spin, *epochs_spin;
  GtkWidget      *run_button;
  GtkProgressBar *progress;
  CnnFigureView  *view;

  CnnSession     *session;
  Job            *job;
  CnnCurveRun    *curves[CNN_N_STRATEGIES];   /* the shown job's */
};

G_DEFINE_FINAL_TYPE (CnnTransferPage, cnn_transfer_page, GTK_TYPE_WIDGET)

static void
job_clear (gpointer data)
{
  Job *job = data;
  if (job->pre)
    cnn_network_free (job->pre);
  if (job->nz)
    cnn_normalizer_free (job->nz);
  g_free (job->data);
  g_free (job->classes);
  g_free (job->data_name);
  for (int k = 0; k < CNN_N_STRATEGIES; k++)
    g_array_unref (job->epochs_news[k]);
  g_clear_error (&job->error);
}

static void
job_unref (Job *job)
{
  if (job)
    cnn_page_job_unref (&job->base);
}

/* ---- the worker ---- */

static void update_from_job (CnnTransferPage *self);

static void
on_news (GtkWidget *page, CnnPageJob *job)
{
  CnnTransferPage *self = CNN_TRANSFER_PAGE (page);
  if (&self->job->base == job)
    update_from_job (self);
}

static void
on_epoch (CnnStrategy k, const CnnEpochInfo *e, gpointer data)
{
  Job *job = data;
  g_mutex_lock (&job->base.lock);
  g_array_append_val (job->epochs_news[k], *e);
  job->epochs_seen++;
  cnn_page_job_notify_locked (&job->base);
  g_mutex_unlock (&job->base.lock);
}

static gboolean
should_stop (gpointer data)
{
  Job *job = data;
  return cnn_page_job_cancelled (&job->base);
}

static gboolean
extract_progress (int done, int total, gpointer data)
{
  return !should_stop (data);
}

/* The new task's images and the plan's defaults, as `convscope transfer`
 * makes them: classes of the model's data set, per_class images each, the
 * whole test set for the result, 100 a class of it for the curves. */
static gboolean
run_job (Job *job, GError **error)
{
  CnnShape in = cnn_network_get_input_shape (job->pre);
  CnnDataOptions opts = { .seed = job->seed, .channels = in.c, .h = in.h, .w = in.w };
  g_autoptr (CnnDataset) ds = cnn_dataset_load_with (job->data, &opts, error);
  if (ds == NULL || !cnn_dataset_apply_classes (ds, job->classes, error))
    return FALSE;
  if (ds->test == NULL || ds->test->n == 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "%s has no test images to compare the strategies on", ds->name);
      return FALSE;
    }
  g_autofree int *train_idx = NULL, *test_idx = NULL, *curve_idx = NULL;
  int n_train = 0, n_curve = 0;
  cnn_transfer_task_images (ds, job->per_class, 100, job->seed, &train_idx, &n_train, &test_idx,
                            &curve_idx, &n_curve);
  if (n_train == 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG, "%s: no training images", ds->name);
      return FALSE;
    }
  /* as scripts/transfer-demo.sh: the features where the convolutions end,
   * the dense layers trained in fine-tuning's first stage, Adam at 0.003 */
  int head = cnn_transfer_head_layer (job->pre);
  int conv_end = cnn_transfer_conv_end_layer (job->pre);
  g_autoptr (CnnPool) pool = cnn_pool_new (0);
  CnnTransferPlan plan = {
    .pre = job->pre, .nz = job->nz, .source = "the model", .ds = ds,
    .train_idx = train_idx, .n_train = n_train, .test_idx = test_idx, .n_test = ds->test->n,
    .curve_idx = curve_idx, .n_curve = n_curve, .epochs = job->epochs,
    .stage2_epochs = job->epochs, .batch = 32, .seed = job->seed,
    .feature_layer = conv_end, .freeze_until = conv_end >= 0 ? conv_end : head - 1,
    .stage2_from = cnn_transfer_unfreeze_layer (job->pre), .data_name = job->data, .pool = pool,
    .on_epoch = on_epoch, .should_stop = should_stop, .progress = extract_progress,
    .user_data = job,
  };
  if (!cnn_optimizer_config_init (&plan.optimizer, "adam", error)
      || !cnn_optimizer_config_set (&plan.optimizer, "lr", 0.003, error))
    return FALSE;
  plan.stage2_lr = plan.optimizer.lr / 10;
  if (plan.stage2_from > plan.freeze_until)
    plan.stage2_from = -1;
  if (plan.feature_layer < 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "the model's last dense layer reads its input: there are no features to keep");
      return FALSE;
    }
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "convscope", "features", NULL);
  plan.cache_dir = cache;
  g_mutex_lock (&job->base.lock);
  job->n_train = n_train;
  job->n_test = ds->test->n;
  job->data_name = g_strdup (ds->name);
  for (int k = 0; k < CNN_N_STRATEGIES; k++)
    job->total_epochs += cnn_transfer_total_epochs (&plan, k);
  g_mutex_unlock (&job->base.lock);
  for (int k = 0; k < CNN_N_STRATEGIES; k++)
    {
      g_mutex_lock (&job->base.lock);
      job->strategy = k;
      g_mutex_unlock (&job->base.lock);
      CnnTransferResult res;
      if (!cnn_transfer_run (&plan, k, &res, error))
        return FALSE;
      cnn_transfer_result_clear (&res);
      g_mutex_lock (&job->base.lock);
      job->accuracy[k] = res.accuracy;
      job->done[k] = TRUE;
      cnn_page_job_notify_locked (&job->base);
      g_mutex_unlock (&job->base.lock);
    }
  return TRUE;
}

static gpointer
worker (gpointer data)
{
  Job *job = data;
  GError *error = NULL;
  run_job (job, &error);
  g_mutex_lock (&job->base.lock);
  job->error = error;
  g_mutex_unlock (&job->base.lock);
  cnn_page_job_finish (&job->base);
  return NULL;
}

/* ---- the page ---- */

gboolean
cnn_transfer_page_is_running (CnnTransferPage *self)
{
  return self->job && cnn_page_job_is_running (&self->job->base);
}

static void
update_controls (CnnTransferPage *self)
{
  gboolean running = cnn_transfer_page_is_running (self);
  gtk_button_set_label (GTK_BUTTON (self->run_button), running ? "_Cancel" : "_Run");
  gtk_widget_set_sensitive (self->run_button,
                            running || cnn_session_get_network (self->session) != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->progress), running);
}

/* The worker's news into the curves, the bars and the progress bar. */
static void
update_from_job (CnnTransferPage *self)
{
  Job *job = self->job;
  if (job)
    {
      g_mutex_lock (&job->base.lock);
      for (int k = 0; k < CNN_N_STRATEGIES; k++)
        {
          GArray *news = job->epochs_news[k];
          for (guint i = 0; i < news->len; i++)
            {
              const CnnEpochInfo *e = &g_array_index (news, CnnEpochInfo, i);
              cnn_curve_run_append_epoch (self->curves[k], e->epoch, e->train_loss,
                                          e->train_accuracy, e->val_loss, e->val_accuracy);
            }
          g_array_set_size (news, 0);
        }
      double fraction = job->total_epochs > 0 ? (double) job->epochs_seen / job->total_epochs : 0;
      gboolean failed = job->base.finished && job->error
                        && !g_error_matches (job->error, CNN_ERROR, CNN_ERROR_CANCELLED);
      g_mutex_unlock (&job->base.lock);
      gtk_progress_bar_set_fraction (self->progress, CLAMP (fraction, 0, 1));
      if (failed)
        cnn_show_error_message (GTK_WIDGET (self), job->error->message);
    }
  update_controls (self);
  cnn_figure_view_data_changed (self->view, 200);
}

void
cnn_transfer_page_set_task (CnnTransferPage *self, const char *classes, int per_class, int epochs)
{
  g_return_if_fail (CNN_IS_TRANSFER_PAGE (self));
  gtk_editable_set_text (GTK_EDITABLE (self->classes_entry), classes ? classes : "");
  gtk_spin_button_set_value (self->per_class_spin, per_class);
  gtk_spin_button_set_value (self->epochs_spin, epochs);
}

gboolean
cnn_transfer_page_run (CnnTransferPage *self, GError **error)
{
  g_return_val_if_fail (CNN_IS_TRANSFER_PAGE (self), FALSE);
  CnnNetwork *view = cnn_session_get_network (self->session);
  const CnnNormalizer *nz = cnn_session_get_normalizer (self->session);
  const CnnRunSettings *rs = cnn_session_get_settings (self->session);
  if (view == NULL || nz == NULL || rs == NULL)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "there is no model to transfer yet: train one or open a checkpoint");
      return FALSE;
    }
  if (cnn_transfer_head_layer (view) < 0)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_ARG,
                   "the model has no dense layer to replace with a new head");
      return FALSE;
    }
  const char *classes = gtk_editable_get_text (GTK_EDITABLE (self->classes_entry));
  /* the list is checked against the data set in the worker; its syntax here */
  g_autofree int *list = NULL;
  int n = 0;
  if (classes[0] && !cnn_class_list_parse (classes, 1 << 16, &list, &n, error))
    return FALSE;
  cnn_transfer_page_cancel (self);
  Job *job = g_new0 (Job, 1);
  cnn_page_job_init (&job->base, GTK_WIDGET (self), on_news, job_clear);
  job->pre = cnn_session_dup_network (self->session);
  job->nz = cnn_normalizer_new_from (nz->mode, nz->c, nz->h, nz->w, nz->mean, nz->scale);
  job->data = g_strdup (rs->data);
  job->classes = classes[0] ? g_strdup (classes) : NULL;
  job->per_class = gtk_spin_button_get_value_as_int (self->per_class_spin);
  job->epochs = gtk_spin_button_get_value_as_int (self->epochs_spin);
  job->seed = rs->seed;
  for (int k = 0; k < CNN_N_STRATEGIES; k++)
    {
      job->epochs_news[k] = g_array_new (FALSE, FALSE, sizeof (CnnEpochInfo));
      job->accuracy[k] = NAN;
      g_clear_pointer (&self->curves[k], cnn_curve_run_free);
      self->curves[k] = cnn_curve_run_new (cnn_strategy_name (k));
    }
  job_unref (self->job);
  self->job = job;
  cnn_page_job_start (&job->base, "convscope-transfer", worker);
  update_from_job (self);
  return TRUE;
}

void
cnn_transfer_page_cancel (CnnTransferPage *self)
{
  g_return_if_fail (CNN_IS_TRANSFER_PAGE (self));
  if (self->job)
    cnn_page_job_cancel (&self->job->base);
}

double
cnn_transfer_page_get_accuracy (CnnTransferPage *self, int k)
{
  if (self->job == NULL || k < 0 || k >= CNN_N_STRATEGIES)
    return NAN;
  g_mutex_lock (&self->job->base.lock);
  double acc = self->job->done[k] ? self->job->accuracy[k] : NAN;
  g_mutex_unlock (&self->job->base.lock);
  return acc;
}

static void
run_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  CnnTransferPage *self = CNN_TRANSFER_PAGE (widget);
  if (cnn_transfer_page_is_running (self))
    {
      cnn_transfer_page_cancel (self);
      return;
    }
  g_autoptr (GError) error = NULL;
  if (!cnn_transfer_page_run (self, &error))
    cnn_show_error_message (widget, error->message);
}

static void
export_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  cnn_page_export (widget, CNN_TRANSFER_PAGE (widget)->view, "transfer");
}

/* ---- drawing ---- */

static gboolean
make_figure (CnnTransferPage *self, CnnTransferFigure *f)
{
  Job *job = self->job;
  if (job == NULL)
    return FALSE;
  g_mutex_lock (&job->base.lock);
  gboolean started = job->data_name != NULL;
  gboolean shown[CNN_N_STRATEGIES];
  double acc[CNN_N_STRATEGIES];
  for (int k = 0; k < CNN_N_STRATEGIES; k++)
    {
      /* a strategy shows once it has a curve point or a result */
      shown[k] = job->done[k] || self->curves[k]->n_epochs > 0;
      acc[k] = job->done[k] ? job->accuracy[k] : NAN;
    }
  if (started)
    cnn_transfer_figure_init (f, self->curves, shown, acc, FALSE, job->data_name, job->classes,
                              job->n_train, job->n_test);
  g_mutex_unlock (&job->base.lock);
  return started && f->data.n_bars > 0;
}

static void
draw (cairo_t *cr, double width, double height, const CnnRenderStyle *style, gpointer data)
{
  CnnTransferPage *self = data;
  CnnTransferFigure f = { 0 };
  if (make_figure (self, &f))
    {
      cnn_panel_transfer_draw (&f.data, style, cr, width, height);
      cnn_transfer_figure_clear (&f);
      return;
    }
  cnn_transfer_figure_clear (&f);
  cnn_page_draw_message (cr, width, height, style,
                         cnn_transfer_page_is_running (self)
                           ? "Loading the new classes' images…"
                           : "Transfer learning: a model trained on some classes learns new ones "
                             "from a few images each, three ways: from scratch, on its frozen "
                             "features with a new head, and fine-tuned. Choose the new classes of "
                             "the model's data set (a model trained with `convscope train "
                             "--classes 0-4`, opened here, learns 5-9) and press Run.");
}

static void
natural_size (const CnnRenderStyle *style, double *width, double *height, gpointer data)
{
  CnnTransferPage *self = data;
  CnnTransferFigure f = { 0 };
  if (make_figure (self, &f))
    cnn_panel_transfer_natural_size (&f.data, style, width, height);
  cnn_transfer_figure_clear (&f);
}

static void
on_model (CnnSession *session, CnnTransferPage *self)
{
  update_controls (self);
}

static GtkSpinButton *
add_spin (GtkWidget *bar, const char *label, const char *tooltip, double lo, double hi, double value)
{
  GtkWidget *l = gtk_label_new_with_mnemonic (label);
  GtkWidget *spin = gtk_spin_button_new_with_range (lo, hi, 1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  gtk_label_set_mnemonic_widget (GTK_LABEL (l), spin);
  gtk_widget_set_tooltip_text (spin, tooltip);
  gtk_box_append (GTK_BOX (bar), l);
  gtk_box_append (GTK_BOX (bar), spin);
  return GTK_SPIN_BUTTON (spin);
}

static GtkWidget *
build_toolbar (CnnTransferPage *self)
{
  GtkWidget *bar = cnn_page_toolbar_new ();
  GtkWidget *l = gtk_label_new_with_mnemonic ("New _classes");
  self->classes_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_editable_set_text (GTK_EDITABLE (self->classes_entry), "5-9");
  gtk_editable_set_width_chars (GTK_EDITABLE (self->classes_entry), 8);
  gtk_label_set_mnemonic_widget (GTK_LABEL (l), GTK_WIDGET (self->classes_entry));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->classes_entry),
                               "Classes of the model's data set to learn: 5-9 or 5,6,7 (empty: all)");
  gtk_box_append (GTK_BOX (bar), l);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->classes_entry));
  self->per_class_spin = add_spin (bar, "_Images per class", "Training images of each new class",
                                   1, 100000, 20);
  self->epochs_spin = add_spin (bar, "E_pochs", "Epochs of each strategy (and of fine-tuning's "
                                "second stage)", 1, 1000, 30);
  self->run_button = gtk_button_new_with_mnemonic ("_Run");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->run_button), "page.run");
  gtk_box_append (GTK_BOX (bar), self->run_button);
  self->progress = cnn_page_progress_new ();
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->progress));
  cnn_page_toolbar_end (bar);
  return bar;
}

static void
cnn_transfer_page_dispose (GObject *object)
{
  CnnTransferPage *self = CNN_TRANSFER_PAGE (object);
  if (self->session)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  if (self->job)
    cnn_page_job_cancel (&self->job->base);
  g_clear_pointer (&self->job, job_unref);
  for (int k = 0; k < CNN_N_STRATEGIES; k++)
    g_clear_pointer (&self->curves[k], cnn_curve_run_free);
  if (self->view)
    cnn_figure_view_set_draw_func (self->view, NULL, NULL, NULL, NULL);
  cnn_page_unparent_children (GTK_WIDGET (self));
  self->toolbar = NULL;
  self->view = NULL;
  G_OBJECT_CLASS (cnn_transfer_page_parent_class)->dispose (object);
}

static void
cnn_transfer_page_class_init (CnnTransferPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->dispose = cnn_transfer_page_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_install_action (widget_class, "page.export", NULL, export_activated);
  gtk_widget_class_install_action (widget_class, "page.run", NULL, run_activated);
}

static void
cnn_transfer_page_init (CnnTransferPage *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  self->toolbar = build_toolbar (self);
  gtk_widget_set_parent (self->toolbar, GTK_WIDGET (self));
  self->view = CNN_FIGURE_VIEW (cnn_figure_view_new ());
  gtk_widget_set_parent (GTK_WIDGET (self->view), GTK_WIDGET (self));
  cnn_figure_view_set_draw_func (self->view, draw, natural_size, self, NULL);
}

GtkWidget *
cnn_transfer_page_new (CnnSession *session)
{
  CnnTransferPage *self = g_object_new (CNN_TYPE_TRANSFER_PAGE, NULL);
  self->session = g_object_ref (session);
  g_signal_connect (session, "model-changed", G_CALLBACK (on_model), self);
  update_controls (self);
  return GTK_WIDGET (self);
}

CnnFigureView *
cnn_transfer_page_get_view (CnnTransferPage *self)
{
  return self->view;
}
