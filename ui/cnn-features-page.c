#include "cnn-features-page.h"

#include <math.h>
#include <string.h>

#include "cnn-page-frame.h"
#include "cnn-page-job.h"
#include "cnn-session-private.h"
#include "cnn-window-private.h"

/* as `convscope figure top-patches` and `feature-vis`: the first 10,000
 * images, 9 a channel, 16 synthesized channels */
#define TOP_K          9
#define TOP_IMAGES     10000
#define TOP_ROWS       32
#define VIS_CHANNELS   16
#define SHOW_EVERY     10   /* steps between two looks at a forming image */

/* One computation, shared by the page (main thread) and its worker. The
 * worker owns `net`, `set` and `nz`; the rest is guarded by `lock`. */
typedef struct
{
  CnnPageJob       base;              /* its lock guards the news below */
  CnnFeaturesMode  mode;
  int              layer, channel;    /* channel -1: the first VIS_CHANNELS */
  guint            weights_version;
  double           epoch;
  char            *layer_name;

  CnnNetwork      *net;
  CnnImageSet     *set;               /* top patches: a copy of the probe images */
  CnnNormalizer   *nz;
  CnnFeatureVisConfig config;
  float           *prior, *lo, *hi;   /* class visualization: (c, h, w) each */
  CnnShape         in;

  int              done, total;
  int              n;                 /* images synthesized */
  int             *channels;          /* (n) which channel each image excites */
  float           *images;            /* (n, c, h, w) in byte units, for display */
  double          *objective;         /* (n), NAN until the image started */
  CnnTopPatches   *tp;
  GError          *error;
} Job;

struct _CnnFeaturesPage
{
  GtkWidget       parent_instance;
  GtkWidget      *toolbar;
  GtkDropDown    *mode_dropdown, *layer_dropdown, *channel_dropdown;
  GtkWidget      *compute_button;
  GtkProgressBar *progress;
  CnnFigureView  *view;

  CnnSession     *session;
  int            *layer_index;        /* the layer dropdown's network indices */
  int             n_layers;
  Job            *job;                /* the one shown (running or done) */
  CnnFeatureVisConfig vis[2];         /* the settings of feature and class visualization */
  GtkSpinButton  *steps_spin, *lr_spin, *l2_spin, *blur_spin, *jitter_spin, *coarse_spin;
  GtkWidget      *settings_button;
  GPtrArray      *cache;              /* finished jobs of the latest weights */
};

G_DEFINE_FINAL_TYPE (CnnFeaturesPage, cnn_features_page, GTK_TYPE_WIDGET)

static Job *
job_ref (Job *job)
{
  cnn_page_job_ref (&job->base);
  return job;
}

static void
job_unref (Job *job)
{
  if (job)
    cnn_page_job_unref (&job->base);
}

static void
job_clear (gpointer data)
{
  Job *job = data;
  g_free (job->layer_name);
  if (job->net)
    cnn_network_free (job->net);
  if (job->set)
    cnn_image_set_free (job->set);
  if (job->nz)
    cnn_normalizer_free (job->nz);
  g_free (job->prior);
  g_free (job->lo);
  g_free (job->hi);
  g_free (job->channels);
  g_free (job->images);
  g_free (job->objective);
  if (job->tp)
    cnn_top_patches_free (job->tp);
  g_clear_error (&job->error);
}

/* ---- the worker ---- */

static void update_from_job (CnnFeaturesPage *self);
static void show_settings (CnnFeaturesPage *self);

static void
on_news (GtkWidget *page, CnnPageJob *job)
{
  CnnFeaturesPage *self = CNN_FEATURES_PAGE (page);
  if (self->job && &self->job->base == job)
    update_from_job (self);
}

static gboolean
top_progress (int done, int total, gpointer data)
{
  Job *job = data;
  g_mutex_lock (&job->base.lock);
  job->done = done;
  job->total = total;
  cnn_page_job_notify_locked (&job->base);
  g_mutex_unlock (&job->base.lock);
  return !cnn_page_job_cancelled (&job->base);
}

typedef struct
{
  Job *job;
  int  index;
} VisStep;

static gboolean
vis_step (int step, double objective, const float *x, gpointer data)
{
  VisStep *v = data;
  Job *job = v->job;
  if (step % SHOW_EVERY == 0 || step == job->config.steps - 1)
    {
      size_t size = cnn_shape_size (job->in);
      g_mutex_lock (&job->base.lock);
      cnn_image_stretch_to_bytes (x, size, job->images + (size_t) v->index * size);
      job->objective[v->index] = objective;
      job->done = v->index * job->config.steps + step + 1;
      cnn_page_job_notify_locked (&job->base);
      g_mutex_unlock (&job->base.lock);
    }
  return !cnn_page_job_cancelled (&job->base);
}

static gpointer
worker (gpointer data)
{
  Job *job = data;
  GError *error = NULL;
  CnnTopPatches *tp = NULL;
  if (job->mode == CNN_FEATURES_TOP_PATCHES)
    {
      g_autofree int *idx = g_new (int, job->set->n);
      for (int i = 0; i < job->set->n; i++)
        idx[i] = i;
      /* both cores: a lesson waits for this, and training (if any) is
       * slowed for the second or so it takes */
      g_autoptr (CnnPool) pool = cnn_pool_new (0);
      tp = cnn_top_patches_compute (job->net, job->set, job->nz, idx, job->set->n, job->layer,
                                    TOP_K, 256, pool, top_progress, job, &error);
    }
  else
    {
      const size_t size = cnn_shape_size (job->in);
      g_autofree float *x = g_new (float, size);   /* (c, h, w) */
      for (int i = 0; i < job->n && !cnn_page_job_cancelled (&job->base); i++)
        {
          VisStep v = { job, i };
          double objective = cnn_feature_vis (job->net, job->layer, job->channels[i], &job->config,
                                              x, vis_step, &v);
          g_mutex_lock (&job->base.lock);
          cnn_image_stretch_to_bytes (x, size, job->images + (size_t) i * size);
          job->objective[i] = objective;
          g_mutex_unlock (&job->base.lock);
        }
      if (cnn_page_job_cancelled (&job->base))
        g_set_error (&error, CNN_ERROR, CNN_ERROR_CANCELLED, "cancelled");
    }
  g_mutex_lock (&job->base.lock);
  job->tp = tp;
  job->error = error;
  g_mutex_unlock (&job->base.lock);
  cnn_page_job_finish (&job->base);
  return NULL;
}

/* ---- starting and showing ---- */

static CnnFeaturesMode
current_mode (CnnFeaturesPage *self)
{
  return (CnnFeaturesMode) gtk_drop_down_get_selected (self->mode_dropdown);
}

static int
current_layer (CnnFeaturesPage *self)
{
  CnnNetwork *net = cnn_session_get_network (self->session);
  if (net == NULL)
    return -1;
  if (current_mode (self) == CNN_FEATURES_CLASS_VIS)
    return cnn_network_get_logits_layer (net);
  guint i = gtk_drop_down_get_selected (self->layer_dropdown);
  return i < (guint) self->n_layers ? self->layer_index[i] : -1;
}

static int
current_channel (CnnFeaturesPage *self)
{
  guint i = gtk_drop_down_get_selected (self->channel_dropdown);
  return i == GTK_INVALID_LIST_POSITION || i == 0 ? -1 : (int) i - 1;
}

/* the settings of a visualization mode */
static CnnFeatureVisConfig *
vis_config (CnnFeaturesPage *self, CnnFeaturesMode mode)
{
  return &self->vis[mode == CNN_FEATURES_CLASS_VIS ? 1 : 0];
}

static gboolean
same_settings (const CnnFeatureVisConfig *a, const CnnFeatureVisConfig *b)
{
  return a->steps == b->steps && a->lr == b->lr && a->l2 == b->l2 && a->blur_every == b->blur_every
         && a->jitter == b->jitter && a->coarse == b->coarse;
}

static gboolean
job_matches (CnnFeaturesPage *self, const Job *job, CnnFeaturesMode mode, int layer, int channel)
{
  return job->mode == mode && job->layer == layer
         && (mode != CNN_FEATURES_FEATURE_VIS || job->channel == channel)
         && (mode == CNN_FEATURES_TOP_PATCHES || same_settings (&job->config, vis_config (self, mode)));
}

static void
update_controls (CnnFeaturesPage *self)
{
  gboolean running = cnn_features_page_is_running (self);
  gboolean has_model = cnn_session_get_network (self->session) != NULL;
  CnnFeaturesMode mode = current_mode (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->layer_dropdown),
                            mode != CNN_FEATURES_CLASS_VIS && self->n_layers > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->channel_dropdown), mode == CNN_FEATURES_FEATURE_VIS);
  gtk_widget_set_visible (self->settings_button, mode != CNN_FEATURES_TOP_PATCHES);
  gtk_button_set_label (GTK_BUTTON (self->compute_button), running ? "_Cancel" : "_Compute");
  gtk_widget_set_sensitive (self->compute_button,
                            running || (has_model && (mode != CNN_FEATURES_TOP_PATCHES
                                                      || cnn_session_get_dataset (self->session))));
  gtk_widget_set_visible (GTK_WIDGET (self->progress), running);
}

static void
update_from_job (CnnFeaturesPage *self)
{
  Job *job = self->job;
  if (job)
    {
      g_mutex_lock (&job->base.lock);
      double fraction = job->total > 0 ? (double) job->done / job->total : 0;
      gboolean finished = job->base.finished;
      g_mutex_unlock (&job->base.lock);
      gtk_progress_bar_set_fraction (self->progress, CLAMP (fraction, 0, 1));
      if (finished && job->error && !g_error_matches (job->error, CNN_ERROR, CNN_ERROR_CANCELLED))
        {
          GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
          if (CNN_IS_WINDOW (root))
            cnn_window_show_message (CNN_WINDOW (root), job->error->message);
        }
      if (finished && job->error == NULL && job->weights_version
                                              == cnn_session_get_weights_serial (self->session)
          && !g_ptr_array_find (self->cache, job, NULL))
        g_ptr_array_add (self->cache, job_ref (job));
    }
  update_controls (self);
  cnn_figure_view_data_changed (self->view, 100);
}

/* Class visualization starts from the data's mean image and stays within
 * the pixels' range (as `convscope figure class-vis`). */
static void
job_set_class_prior (CnnFeaturesPage *self, Job *job)
{
  job->config = *vis_config (self, CNN_FEATURES_CLASS_VIS);
  const CnnNormalizer *nz = cnn_session_get_normalizer (self->session);
  const CnnDataset *ds = cnn_session_get_dataset (self->session);
  size_t size = cnn_shape_size (job->in);
  if (nz == NULL || nz->c != job->in.c || nz->h != job->in.h || nz->w != job->in.w)
    return;
  job->lo = g_new (float, size);
  job->hi = g_new (float, size);
  cnn_normalizer_bounds (nz, job->lo, job->hi);
  job->config.lo = job->lo;
  job->config.hi = job->hi;
  if (ds && ds->train->c == job->in.c && ds->train->h == job->in.h && ds->train->w == job->in.w)
    {
      job->prior = g_new (float, size);
      cnn_feature_vis_mean_image (nz, ds->train, 10000, job->prior);
      job->config.prior = job->prior;
    }
}

static Job *
job_new (CnnFeaturesPage *self, CnnFeaturesMode mode, int layer, int channel)
{
  CnnNetwork *view = cnn_session_get_network (self->session);
  Job *job = g_new0 (Job, 1);
  job->mode = mode;
  job->layer = layer;
  job->channel = channel;
  job->layer_name = g_strdup (cnn_network_get_layer (view, layer)->name);
  job->weights_version = cnn_session_get_weights_serial (self->session);
  g_autoptr (CnnWeights) w = cnn_session_dup_weights (self->session);
  job->epoch = w ? w->epoch : 0;
  cnn_page_job_init (&job->base, GTK_WIDGET (self), on_news, job_clear);
  job->net = cnn_session_dup_network (self->session);
  job->in = cnn_network_get_input_shape (view);
  if (mode == CNN_FEATURES_CLASS_VIS)
    job_set_class_prior (self, job);
  else
    job->config = *vis_config (self, CNN_FEATURES_FEATURE_VIS);
  return job;
}

/* The probe images and the normalizer, copied: the session may drop its
 * data set (another checkpoint opened) while the worker still reads. */
static gboolean
job_take_images (CnnFeaturesPage *self, Job *job)
{
  const CnnDataset *ds = cnn_session_get_dataset (self->session);
  const CnnNormalizer *nz = cnn_session_get_normalizer (self->session);
  if (ds == NULL || nz == NULL)
    return FALSE;
  const CnnImageSet *set = ds->test ? ds->test : ds->train;
  if (set->c != job->in.c || set->h != job->in.h || set->w != job->in.w || set->n < 1)
    return FALSE;
  int n = MIN (set->n, TOP_IMAGES);
  job->set = cnn_image_set_new (n, set->c, set->h, set->w);
  memcpy (job->set->pixels, set->pixels, (size_t) n * set->c * set->h * set->w);
  memcpy (job->set->labels, set->labels, n);
  job->nz = cnn_normalizer_new_from (nz->mode, nz->c, nz->h, nz->w, nz->mean, nz->scale);
  job->total = n;
  return TRUE;
}

static void
job_plan_images (Job *job, int n, int first)
{
  job->n = n;
  job->channels = g_new (int, n);
  for (int i = 0; i < n; i++)
    job->channels[i] = first + i;
  size_t size = cnn_shape_size (job->in);
  job->images = g_new (float, (size_t) n * size);
  for (size_t i = 0; i < (size_t) n * size; i++)
    job->images[i] = 128.0f;   /* gray until its turn */
  job->objective = g_new (double, n);
  for (int i = 0; i < n; i++)
    job->objective[i] = NAN;
  job->total = n * job->config.steps;
}

static void
set_job (CnnFeaturesPage *self, Job *job)
{
  if (self->job)
    cnn_page_job_cancel (&self->job->base);
  job_unref (self->job);
  self->job = job;
  update_from_job (self);
}

void
cnn_features_page_compute (CnnFeaturesPage *self)
{
  g_return_if_fail (CNN_IS_FEATURES_PAGE (self));
  CnnFeaturesMode mode = current_mode (self);
  int layer = current_layer (self), channel = current_channel (self);
  if (layer < 0)
    return;
  for (guint i = 0; i < self->cache->len; i++)
    {
      Job *cached = g_ptr_array_index (self->cache, i);
      if (job_matches (self, cached, mode, layer, channel))
        {
          set_job (self, job_ref (cached));
          return;
        }
    }
  Job *job = job_new (self, mode, layer, channel);
  const CnnLayer *l = cnn_network_get_layer (cnn_session_get_network (self->session), layer);
  if (mode == CNN_FEATURES_TOP_PATCHES)
    {
      if (!job_take_images (self, job))
        {
          job_unref (job);
          return;
        }
    }
  else if (mode == CNN_FEATURES_FEATURE_VIS && channel >= 0)
    job_plan_images (job, 1, MIN (channel, l->out_shape.c - 1));
  else if (mode == CNN_FEATURES_FEATURE_VIS)
    job_plan_images (job, MIN (VIS_CHANNELS, l->out_shape.c), 0);
  else
    job_plan_images (job, l->out_shape.c, 0);
  set_job (self, job);
  cnn_page_job_start (&job->base, "convscope-features", worker);
  update_controls (self);
}

void
cnn_features_page_cancel (CnnFeaturesPage *self)
{
  g_return_if_fail (CNN_IS_FEATURES_PAGE (self));
  if (self->job)
    cnn_page_job_cancel (&self->job->base);
}

gboolean
cnn_features_page_is_running (CnnFeaturesPage *self)
{
  if (self->job == NULL)
    return FALSE;
  return cnn_page_job_is_running (&self->job->base);
}

gboolean
cnn_features_page_is_current (CnnFeaturesPage *self)
{
  Job *job = self->job;
  if (job == NULL || cnn_features_page_is_running (self))
    return FALSE;
  return job->error == NULL && job->weights_version == cnn_session_get_weights_serial (self->session)
         && job_matches (self, job, current_mode (self), current_layer (self), current_channel (self));
}

/* The selection changed: the cached answer, else compute it when nothing
 * trains (while training, the Compute button does it: the lesson decides
 * when to spend the cores). */
static void
selection_changed (CnnFeaturesPage *self)
{
  update_controls (self);
  if (cnn_session_get_network (self->session) == NULL)
    return;
  CnnSessionState state = cnn_session_get_state (self->session);
  if ((state != CNN_SESSION_RUNNING && state != CNN_SESSION_LOADING)
      || cnn_features_page_is_running (self))
    cnn_features_page_compute (self);
  else
    cnn_figure_view_data_changed (self->view, 0);
}

/* ---- drawing ---- */

static char *
job_title (CnnFeaturesPage *self, const Job *job)
{
  g_autofree char *what = NULL;
  if (job->mode == CNN_FEATURES_TOP_PATCHES)
    {
      g_autofree char *field = cnn_receptive_field_format (&job->tp->field);
      g_autofree char *count = cnn_summary_format_count ((size_t) job->set->n);
      what = g_strdup_printf ("%s: top %d of %s images per channel · field %s", job->layer_name,
                              TOP_K, count, field);
    }
  else if (job->mode == CNN_FEATURES_FEATURE_VIS)
    what = g_strdup_printf ("%s: inputs that excite %s (%d steps)", job->layer_name,
                            job->n == 1 ? "the channel" : "each channel", job->config.steps);
  else
    what = g_strdup_printf ("An input for each class (%d steps, L2 %g)", job->config.steps,
                            job->config.l2);
  gboolean stale = job->weights_version != cnn_session_get_weights_serial (self->session);
  return g_strdup_printf ("%s · epoch %.1f%s", what, job->epoch,
                          stale ? " (older weights)" : "");
}

static void
draw_vis (CnnFeaturesPage *self, Job *job, cairo_t *cr, double width, double height,
          const CnnRenderStyle *style, gboolean natural, double *nat_w, double *nat_h)
{
  const size_t size = cnn_shape_size (job->in);
  const char *const *names = cnn_session_get_class_names (self->session);
  g_autofree const float **images = g_new (const float *, job->n);
  g_auto (GStrv) captions = g_new0 (char *, job->n + 1);
  g_mutex_lock (&job->base.lock);
  for (int i = 0; i < job->n; i++)
    {
      images[i] = job->images + (size_t) i * size;
      int ch = job->channels[i];
      g_autofree char *label = job->mode == CNN_FEATURES_CLASS_VIS && names && names[ch]
                                 ? g_strdup (names[ch]) : g_strdup_printf ("%d", ch);
      captions[i] = isnan (job->objective[i]) ? g_strdup_printf ("%s: …", label)
                                              : g_strdup_printf ("%s: %.2f", label, job->objective[i]);
    }
  g_autofree char *title = job_title (self, job);
  CnnPanelImageStrip strip = {
    .c = job->in.c, .h = job->in.h, .w = job->in.w, .n = job->n, .images = images,
    .captions = (const char *const *) captions,
    .max_cols = job->mode == CNN_FEATURES_CLASS_VIS ? 5 : 8, .title = title, .no_original = TRUE,
  };
  if (natural)
    cnn_panel_image_strip_natural_size (&strip, style, nat_w, nat_h);
  else
    cnn_panel_image_strip_draw (&strip, style, cr, width, height);
  g_mutex_unlock (&job->base.lock);
}

static void
draw_top (CnnFeaturesPage *self, Job *job, cairo_t *cr, double width, double height,
          const CnnRenderStyle *style, gboolean natural, double *nat_w, double *nat_h)
{
  g_autofree char *title = job_title (self, job);
  CnnPanelTopPatches panel = { .tp = job->tp, .set = job->set,
                               .n_channels = MIN (TOP_ROWS, job->tp->n_channels), .title = title };
  if (natural)
    cnn_panel_top_patches_natural_size (&panel, style, nat_w, nat_h);
  else
    cnn_panel_top_patches_draw (&panel, style, cr, width, height);
}

static gboolean
drawable (Job *job)
{
  if (job == NULL)
    return FALSE;
  if (job->mode != CNN_FEATURES_TOP_PATCHES)
    return TRUE;
  g_mutex_lock (&job->base.lock);
  gboolean done = job->base.finished && job->tp;
  g_mutex_unlock (&job->base.lock);
  return done;
}

static void
draw (cairo_t *cr, double width, double height, const CnnRenderStyle *style, gpointer data)
{
  CnnFeaturesPage *self = data;
  Job *job = self->job;
  if (drawable (job) && job->mode == CNN_FEATURES_TOP_PATCHES)
    draw_top (self, job, cr, width, height, style, FALSE, NULL, NULL);
  else if (drawable (job))
    draw_vis (self, job, cr, width, height, style, FALSE, NULL, NULL);
  else if (cnn_session_get_network (self->session) == NULL)
    cnn_page_draw_message (cr, width, height, style,
                  "What each channel responds to appears here once a model is built: press "
                  "Train, or open a checkpoint.");
  else if (cnn_features_page_is_running (self))
    cnn_page_draw_message (cr, width, height, style,
                  "Searching the data set for the images that excite each channel most…");
  else
    cnn_page_draw_message (cr, width, height, style,
                  current_mode (self) == CNN_FEATURES_TOP_PATCHES
                      && cnn_session_get_dataset (self->session) == NULL
                    ? "The top patches need the data set: it is loading, or press Continue."
                    : "Press Compute: it runs beside the training, on a copy of the latest weights.");
}

static void
natural_size (const CnnRenderStyle *style, double *width, double *height, gpointer data)
{
  CnnFeaturesPage *self = data;
  Job *job = self->job;
  if (drawable (job) && job->mode == CNN_FEATURES_TOP_PATCHES)
    draw_top (self, job, NULL, 0, 0, style, TRUE, width, height);
  else if (drawable (job))
    draw_vis (self, job, NULL, 0, 0, style, TRUE, width, height);
}

/* ---- the session ---- */

static void
fill_layers (CnnFeaturesPage *self)
{
  CnnNetwork *net = cnn_session_get_network (self->session);
  g_clear_pointer (&self->layer_index, g_free);
  self->n_layers = 0;
  int n = net ? cnn_network_get_n_layers (net) : 0;
  g_auto (GStrv) names = g_new0 (char *, n + 1);
  self->layer_index = g_new0 (int, MAX (n, 1));
  int pick = 0;
  for (int i = 0; i < n; i++)
    {
      const CnnLayer *l = cnn_network_get_layer (net, i);
      /* conv layers: a channel is a feature detector with a place */
      if (strcmp (l->klass->name, "conv2d") != 0)
        continue;
      pick = self->n_layers;   /* the deepest, where features are most telling */
      names[self->n_layers] = g_strdup_printf ("%s · %d channels", l->name, l->out_shape.c);
      self->layer_index[self->n_layers++] = i;
    }
  g_signal_handlers_block_matched (self->layer_dropdown, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  GtkStringList *list = gtk_string_list_new ((const char *const *) names);
  gtk_drop_down_set_model (self->layer_dropdown, G_LIST_MODEL (list));
  g_object_unref (list);
  if (self->n_layers > 0)
    gtk_drop_down_set_selected (self->layer_dropdown, pick);
  g_signal_handlers_unblock_matched (self->layer_dropdown, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
}

static void
fill_channels (CnnFeaturesPage *self)
{
  int layer = current_layer (self);
  CnnNetwork *net = cnn_session_get_network (self->session);
  int n = net && layer >= 0 ? cnn_network_get_layer (net, layer)->out_shape.c : 0;
  g_autoptr (GtkStringList) list = gtk_string_list_new (NULL);
  g_autofree char *all = g_strdup_printf ("The first %d channels", MIN (n, VIS_CHANNELS));
  gtk_string_list_append (list, all);
  for (int c = 0; c < n; c++)
    {
      g_autofree char *name = g_strdup_printf ("Channel %d", c);
      gtk_string_list_append (list, name);
    }
  g_signal_handlers_block_matched (self->channel_dropdown, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_drop_down_set_model (self->channel_dropdown, G_LIST_MODEL (list));
  gtk_drop_down_set_selected (self->channel_dropdown, 0);
  g_signal_handlers_unblock_matched (self->channel_dropdown, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
}

static void
on_model (CnnSession *session, CnnFeaturesPage *self)
{
  set_job (self, NULL);
  g_ptr_array_set_size (self->cache, 0);
  fill_layers (self);
  fill_channels (self);
  update_controls (self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    selection_changed (self);
}

/* New weights: what was computed is of older ones (still shown, marked) */
static void
on_weights (CnnSession *session, CnnFeaturesPage *self)
{
  g_ptr_array_set_size (self->cache, 0);
  CnnSessionState state = cnn_session_get_state (session);
  if (state != CNN_SESSION_RUNNING && state != CNN_SESSION_LOADING
      && gtk_widget_get_mapped (GTK_WIDGET (self)))
    selection_changed (self);
  else
    cnn_figure_view_data_changed (self->view, 1000);
}

/* Training ended or paused: bring the shown result up to date. */
static void
on_state (CnnSession *session, GParamSpec *pspec, CnnFeaturesPage *self)
{
  CnnSessionState state = cnn_session_get_state (session);
  update_controls (self);
  if (state != CNN_SESSION_RUNNING && state != CNN_SESSION_LOADING
      && gtk_widget_get_mapped (GTK_WIDGET (self)) && !cnn_features_page_is_current (self)
      && !cnn_features_page_is_running (self))
    selection_changed (self);
}

static void
cnn_features_page_map (GtkWidget *widget)
{
  CnnFeaturesPage *self = CNN_FEATURES_PAGE (widget);
  GTK_WIDGET_CLASS (cnn_features_page_parent_class)->map (widget);
  if (!cnn_features_page_is_current (self) && !cnn_features_page_is_running (self))
    selection_changed (self);
}

/* ---- toolbar ---- */

static void
on_mode_selected (GtkDropDown *dropdown, GParamSpec *pspec, CnnFeaturesPage *self)
{
  show_settings (self);
  selection_changed (self);
}

static void
on_layer_selected (GtkDropDown *dropdown, GParamSpec *pspec, CnnFeaturesPage *self)
{
  fill_channels (self);
  selection_changed (self);
}

static void
on_channel_selected (GtkDropDown *dropdown, GParamSpec *pspec, CnnFeaturesPage *self)
{
  selection_changed (self);
}

static void
compute_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  CnnFeaturesPage *self = CNN_FEATURES_PAGE (widget);
  if (cnn_features_page_is_running (self))
    cnn_features_page_cancel (self);
  else
    {
      /* Compute again: the weights may be the same, the user asks anyway */
      g_ptr_array_set_size (self->cache, 0);
      cnn_features_page_compute (self);
    }
}

static void
export_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  CnnFeaturesPage *self = CNN_FEATURES_PAGE (widget);
  static const char *const names[] = { "top-patches", "feature-vis", "class-vis" };
  cnn_page_export (widget, self->view, names[current_mode (self)]);
}

/* ---- the visualization settings (a popover) ---- */

static void
show_settings (CnnFeaturesPage *self)
{
  const CnnFeatureVisConfig *c = vis_config (self, current_mode (self));
  GtkSpinButton *spins[] = { self->steps_spin, self->lr_spin, self->l2_spin, self->blur_spin,
                             self->jitter_spin, self->coarse_spin };
  double values[] = { c->steps, c->lr, c->l2, c->blur_every, c->jitter, c->coarse };
  for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
    {
      g_signal_handlers_block_matched (spins[i], G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
      gtk_spin_button_set_value (spins[i], values[i]);
      g_signal_handlers_unblock_matched (spins[i], G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
    }
}

static void
on_setting_changed (GtkSpinButton *spin, CnnFeaturesPage *self)
{
  CnnFeatureVisConfig *c = vis_config (self, current_mode (self));
  c->steps = gtk_spin_button_get_value_as_int (self->steps_spin);
  c->lr = gtk_spin_button_get_value (self->lr_spin);
  c->l2 = gtk_spin_button_get_value (self->l2_spin);
  c->blur_every = gtk_spin_button_get_value_as_int (self->blur_spin);
  c->jitter = gtk_spin_button_get_value_as_int (self->jitter_spin);
  c->coarse = gtk_spin_button_get_value_as_int (self->coarse_spin);
  selection_changed (self);
}

static void
reset_settings_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  CnnFeaturesPage *self = CNN_FEATURES_PAGE (widget);
  if (current_mode (self) == CNN_FEATURES_CLASS_VIS)
    cnn_class_vis_config_init (vis_config (self, CNN_FEATURES_CLASS_VIS));
  else
    cnn_feature_vis_config_init (vis_config (self, CNN_FEATURES_FEATURE_VIS));
  show_settings (self);
  selection_changed (self);
}

static GtkSpinButton *
add_setting (CnnFeaturesPage *self, GtkGrid *grid, int row, const char *label, const char *tooltip,
             double lo, double hi, double step, int digits)
{
  GtkWidget *l = gtk_label_new_with_mnemonic (label);
  gtk_widget_set_halign (l, GTK_ALIGN_START);
  GtkWidget *spin = gtk_spin_button_new_with_range (lo, hi, step);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), digits);
  gtk_label_set_mnemonic_widget (GTK_LABEL (l), spin);
  gtk_widget_set_tooltip_text (spin, tooltip);
  g_signal_connect (spin, "value-changed", G_CALLBACK (on_setting_changed), self);
  gtk_grid_attach (grid, l, 0, row, 1, 1);
  gtk_grid_attach (grid, spin, 1, row, 1, 1);
  return GTK_SPIN_BUTTON (spin);
}

static GtkWidget *
build_settings (CnnFeaturesPage *self)
{
  GtkGrid *grid = GTK_GRID (gtk_grid_new ());
  gtk_grid_set_row_spacing (grid, 6);
  gtk_grid_set_column_spacing (grid, 12);
  self->steps_spin = add_setting (self, grid, 0, "_Steps", "Gradient steps per image", 1, 5000, 50, 0);
  self->lr_spin = add_setting (self, grid, 1, "Step _length",
                               "Length of a step, on the gradient scaled to unit RMS", 0.001, 1, 0.01, 3);
  self->l2_spin = add_setting (self, grid, 2, "_L2 decay",
                               "Pulls the image back each step (towards the mean image for classes)",
                               0, 0.5, 0.005, 3);
  self->blur_spin = add_setting (self, grid, 3, "_Blur every", "Blur the image every N steps (0: never)",
                                 0, 100, 1, 0);
  self->jitter_spin = add_setting (self, grid, 4, "_Jitter", "Random shift per step, in pixels", 0, 8, 1, 0);
  self->coarse_spin = add_setting (self, grid, 5, "_Coarse to fine",
                                   "Blurs of the gradient at first, fewer each step", 0, 64, 1, 0);
  GtkWidget *reset = gtk_button_new_with_mnemonic ("_Defaults");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (reset), "page.reset-settings");
  gtk_grid_attach (grid, reset, 0, 6, 2, 1);
  GtkWidget *popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (popover), GTK_WIDGET (grid));
  GtkWidget *button = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "emblem-system-symbolic");
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
  gtk_widget_set_tooltip_text (button, "Steps and strengths of the synthesis");
  return button;
}

static GtkWidget *
build_toolbar (CnnFeaturesPage *self)
{
  GtkWidget *bar = cnn_page_toolbar_new ();
  const char *const modes[] = { "Top patches", "Feature visualization", "Class visualization", NULL };
  self->mode_dropdown = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (modes));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->mode_dropdown),
                               "Top patches: the data set's images that excite each channel most. "
                               "Feature visualization: an input synthesized to excite a channel. "
                               "Class visualization: an input that maximizes each class's score.");
  self->layer_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->layer_dropdown), "The layer whose channels are shown");
  self->channel_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->channel_dropdown),
                               "One channel, or a grid of the first ones");
  g_signal_connect (self->mode_dropdown, "notify::selected", G_CALLBACK (on_mode_selected), self);
  g_signal_connect (self->layer_dropdown, "notify::selected", G_CALLBACK (on_layer_selected), self);
  g_signal_connect (self->channel_dropdown, "notify::selected", G_CALLBACK (on_channel_selected),
                    self);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->mode_dropdown));
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->layer_dropdown));
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->channel_dropdown));

  self->settings_button = build_settings (self);
  gtk_box_append (GTK_BOX (bar), self->settings_button);
  self->compute_button = gtk_button_new_with_mnemonic ("_Compute");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->compute_button), "page.compute");
  gtk_widget_set_tooltip_text (self->compute_button,
                               "Compute with the latest weights (in the background)");
  gtk_box_append (GTK_BOX (bar), self->compute_button);
  self->progress = cnn_page_progress_new ();
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->progress));

  cnn_page_toolbar_end (bar);
  return bar;
}

/* ---- the widget ---- */

static void
cnn_features_page_dispose (GObject *object)
{
  CnnFeaturesPage *self = CNN_FEATURES_PAGE (object);
  if (self->session)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  if (self->job)
    cnn_page_job_cancel (&self->job->base);
  g_clear_pointer (&self->job, job_unref);
  g_clear_pointer (&self->cache, g_ptr_array_unref);
  if (self->view)
    cnn_figure_view_set_draw_func (self->view, NULL, NULL, NULL, NULL);
  cnn_page_unparent_children (GTK_WIDGET (self));
  self->toolbar = NULL;
  self->view = NULL;
  g_clear_pointer (&self->layer_index, g_free);
  G_OBJECT_CLASS (cnn_features_page_parent_class)->dispose (object);
}

static void
cnn_features_page_class_init (CnnFeaturesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->dispose = cnn_features_page_dispose;
  widget_class->map = cnn_features_page_map;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_install_action (widget_class, "page.export", NULL, export_activated);
  gtk_widget_class_install_action (widget_class, "page.compute", NULL, compute_activated);
  gtk_widget_class_install_action (widget_class, "page.reset-settings", NULL,
                                   reset_settings_activated);
}

static void
cnn_features_page_init (CnnFeaturesPage *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  self->cache = g_ptr_array_new_with_free_func ((GDestroyNotify) job_unref);
  cnn_feature_vis_config_init (vis_config (self, CNN_FEATURES_FEATURE_VIS));
  cnn_class_vis_config_init (vis_config (self, CNN_FEATURES_CLASS_VIS));
  self->toolbar = build_toolbar (self);
  show_settings (self);
  gtk_widget_set_parent (self->toolbar, GTK_WIDGET (self));
  self->view = CNN_FIGURE_VIEW (cnn_figure_view_new ());
  gtk_widget_set_parent (GTK_WIDGET (self->view), GTK_WIDGET (self));
  cnn_figure_view_set_draw_func (self->view, draw, natural_size, self, NULL);
}

GtkWidget *
cnn_features_page_new (CnnSession *session)
{
  CnnFeaturesPage *self = g_object_new (CNN_TYPE_FEATURES_PAGE, NULL);
  self->session = g_object_ref (session);
  g_signal_connect (session, "model-changed", G_CALLBACK (on_model), self);
  g_signal_connect (session, "weights-changed", G_CALLBACK (on_weights), self);
  g_signal_connect (session, "notify::state", G_CALLBACK (on_state), self);
  on_model (session, self);
  return GTK_WIDGET (self);
}

CnnFigureView *
cnn_features_page_get_view (CnnFeaturesPage *self)
{
  return self->view;
}

void
cnn_features_page_set_mode (CnnFeaturesPage *self, CnnFeaturesMode mode)
{
  g_return_if_fail (CNN_IS_FEATURES_PAGE (self));
  gtk_drop_down_set_selected (self->mode_dropdown, mode);
}

gboolean
cnn_features_page_set_layer (CnnFeaturesPage *self, const char *name)
{
  g_return_val_if_fail (CNN_IS_FEATURES_PAGE (self), FALSE);
  CnnNetwork *net = cnn_session_get_network (self->session);
  for (int i = 0; net && i < self->n_layers; i++)
    if (strcmp (cnn_network_get_layer (net, self->layer_index[i])->name, name) == 0)
      {
        gtk_drop_down_set_selected (self->layer_dropdown, i);
        return TRUE;
      }
  return FALSE;
}

const CnnTopPatches *
cnn_features_page_get_top_patches (CnnFeaturesPage *self)
{
  Job *job = self->job;
  return job && job->mode == CNN_FEATURES_TOP_PATCHES && drawable (job) ? job->tp : NULL;
}

double
cnn_features_page_get_objective (CnnFeaturesPage *self, int i, int *n)
{
  Job *job = self->job;
  *n = 0;
  if (job == NULL || job->mode == CNN_FEATURES_TOP_PATCHES)
    return NAN;
  g_mutex_lock (&job->base.lock);
  *n = job->n;
  double value = i >= 0 && i < job->n ? job->objective[i] : NAN;
  g_mutex_unlock (&job->base.lock);
  return value;
}

void
cnn_features_page_set_steps (CnnFeaturesPage *self, int steps)
{
  g_return_if_fail (CNN_IS_FEATURES_PAGE (self));
  gtk_spin_button_set_value (self->steps_spin, steps);
}
