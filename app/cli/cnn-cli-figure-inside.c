/* convscope figure filters|summary|top-patches|activations|feature-vis|class-vis:
 * what a model has learned, drawn without a display. */
#include "cnn-cli-figure-private.h"

#include <string.h>

/* figure filters: the first convolution's kernels */

static void
draw_filters (cairo_t *cr, double width, double height, const CnnRenderStyle *style, gpointer data)
{
  cnn_panel_filters_draw (data, style, cr, width, height);
}

int
cnn_figure_filters (int argc, char **argv)
{
  g_auto (ModelOptions) m = { 0 };
  g_autofree char *scale = NULL, *layer = NULL;
  GOptionEntry entries[] = {
    MODEL_ENTRIES (m),
    { "scale", 0, 0, G_OPTION_ARG_STRING, &scale, "filter (each filter to its own range, default) or shared", "S" },
    { "layer", 'l', 0, G_OPTION_ARG_STRING, &layer, "a conv2d layer by name (default the first)", "NAME" },
    { NULL }
  };
  g_auto (FigureOptions) o = { 0 };
  int status;
  if (!cnn_figure_parse ("- the kernels of the first convolution layer", entries, &o, &argc, &argv, &status))
    return status;
  g_autoptr (GError) error = NULL;
  CnnFilterScale mode = CNN_FILTER_SCALE_FILTER;
  if (scale && !cnn_filter_scale_parse (scale, &mode, &error))
    return cnn_cli_fail (error);

  g_autoptr (CnnCheckpoint) ckpt = NULL;
  g_autofree char *name = NULL;
  CnnNetwork *net = cnn_figure_load_model (&m, &ckpt, &name, &status);
  if (net == NULL)
    return status;
  g_autoptr (CnnNetwork) owned = ckpt ? NULL : net;
  int index = -1;
  if (layer && (index = cnn_network_find_layer (net, layer)) < 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s has no layer “%s”", name, layer);
  if (index < 0 && cnn_filters_find_layer (net) < 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s has no conv2d layer, so it has no filters to show",
                                name);
  g_autoptr (CnnFiltersData) data = cnn_filters_data_new (net, NULL, index, &error);
  if (data == NULL)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s: %s", name, error->message);
  data->scale = mode;
  g_autofree char *title = ckpt ? g_strdup_printf ("Filters of %s, trained %d epoch%s", name,
                                                   ckpt->meta.epochs_done,
                                                   ckpt->meta.epochs_done == 1 ? "" : "s")
                                : g_strdup_printf ("Filters of %s, untrained (seed %" G_GINT64_FORMAT ")",
                                                   name, m.seed);
  data->title = g_strdup (cnn_figure_title (&o, title));
  double w, h;
  cnn_panel_filters_natural_size (data, o.render_style, &w, &h);
  return cnn_figure_export (&o, w, h, draw_filters, data);
}

/* the last conv2d layer: the deepest features with a spatial map */
static int
last_conv_layer (const CnnNetwork *net)
{
  int found = -1;
  for (int i = 0; i < cnn_network_get_n_layers (net); i++)
    if (strcmp (cnn_network_get_layer (net, i)->klass->name, "conv2d") == 0)
      found = i;
  return found;
}

/* What the looking-inside figures share (cnn-cli-figure-private.h). */

void
cnn_figure_probe_clear (CnnFigureProbe *p)
{
  if (p->ckpt)
    cnn_checkpoint_free (p->ckpt);
  else if (p->net)
    cnn_network_free (p->net);
  g_free (p->name);
  if (p->ds)
    cnn_dataset_free (p->ds);
  if (p->fitted)
    cnn_normalizer_free (p->fitted);
}

gboolean
cnn_figure_probe_load (const ModelOptions *m, const char *layer, gboolean need_layer, gboolean with_data,
                       CnnFigureProbe *p, int *status)
{
  p->net = cnn_figure_load_model (m, &p->ckpt, &p->name, status);
  if (p->net == NULL)
    return FALSE;
  p->layer = -1;
  if (layer || need_layer)
    p->layer = layer ? cnn_network_find_layer (p->net, layer) : last_conv_layer (p->net);
  if ((layer || need_layer) && p->layer < 0)
    {
      *status = cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, layer ? "%s has no layer “%s”" : "%s has no conv2d layer",
                                     p->name, layer);
      return FALSE;
    }
  /* a checkpoint brings its standardization, with or without data */
  if (p->ckpt)
    p->nz = p->ckpt->normalizer;
  if (!with_data)
    return TRUE;
  g_autoptr (GError) error = NULL;
  const char *data = p->ckpt && p->ckpt->meta.data ? p->ckpt->meta.data : m->data ? m->data : DEFAULT_DATA;
  /* the images at the model's input size, as eval loads them: an imported
   * model's input is seldom the data set's */
  CnnShape want = cnn_network_get_input_shape (p->net);
  CnnDataOptions opts = { .seed = p->ckpt ? p->ckpt->meta.seed : 0, .fit = p->ckpt ? p->ckpt->meta.fit : CNN_FIT_CROP };
  if ((want.c == 1 || want.c == 3) && want.h <= 4096 && want.w <= 4096)
    {
      opts.channels = want.c;
      opts.h = want.h;
      opts.w = want.w;
    }
  p->ds = cnn_dataset_load_with (data, &opts, &error);
  if (p->ds == NULL)
    {
      *status = cnn_cli_fail (error);
      return FALSE;
    }
  p->set = p->ds->test ? p->ds->test : p->ds->train;
  CnnShape in = cnn_network_get_input_shape (p->net);
  if (in.c != p->set->c || in.h != p->set->h || in.w != p->set->w)
    {
      *status = cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s takes %d×%d×%d inputs, but %s has %d×%d×%d images",
                                     p->name, in.c, in.h, in.w, p->ds->name, p->set->c, p->set->h, p->set->w);
      return FALSE;
    }
  if (p->ckpt == NULL)
    p->nz = p->fitted = cnn_normalizer_new_fit (CNN_STANDARDIZE_SCALE, p->set, NULL, 0);
  return TRUE;
}

CnnImageSet *
cnn_figure_probe_image_file (const CnnFigureProbe *p, const char *path, int *status)
{
  /* the file as the data set's images were made: resized with the
   * checkpoint's fit, gray or color as the model takes */
  CnnShape in = cnn_network_get_input_shape (p->net);
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnImage) img = cnn_image_load (path, &error);
  if (img == NULL)
    {
      *status = cnn_cli_fail (error);
      return NULL;
    }
  g_autoptr (CnnImageSet) set = cnn_image_set_new (1, in.c, in.h, in.w);
  if (!cnn_image_resize (img, in.c, in.h, in.w, p->ckpt ? p->ckpt->meta.fit : CNN_FIT_CROP, set->pixels))
    {
      *status = cnn_cli_fail_printf (CNN_EXIT_FAILURE, "%s: out of memory resizing the image", path);
      return NULL;
    }
  set->labels[0] = 0;
  return g_steal_pointer (&set);
}

/* figure top-patches: what excites each channel of a layer most */

static void
draw_top_patches (cairo_t *cr, double width, double height, const CnnRenderStyle *style,
                  gpointer data)
{
  cnn_panel_top_patches_draw (data, style, cr, width, height);
}

int
cnn_figure_top_patches (int argc, char **argv)
{
  g_auto (ModelOptions) m = { 0 };
  g_autofree char *layer = NULL;
  int k = 9, channels = 16, images = 10000;
  GOptionEntry entries[] = {
    MODEL_ENTRIES (m),
    { "layer", 'l', 0, G_OPTION_ARG_STRING, &layer, "layer by name (default the last conv2d)", "NAME" },
    { "k", 'k', 0, G_OPTION_ARG_INT, &k, "images per channel (default 9)", "K" },
    { "channels", 0, 0, G_OPTION_ARG_INT, &channels, "rows: the first N channels (default 16)", "N" },
    { "images", 0, 0, G_OPTION_ARG_INT, &images, "images searched, from the test split when there is one (default 10000)", "N" },
    { NULL }
  };
  g_auto (FigureOptions) o = { 0 };
  int status;
  if (!cnn_figure_parse ("- the image patches that excite each channel of a layer most", entries, &o,
                     &argc, &argv, &status))
    return status;
  if (k < 1 || k > 64 || channels < 1 || channels > 1024 || images < 1)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--k must be from 1 to 64, --channels from 1 to 1024, "
                                "--images at least 1");
  g_auto (CnnFigureProbe) p = { 0 };
  if (!cnn_figure_probe_load (&m, layer, TRUE, TRUE, &p, &status))
    return status;
  CnnNetwork *net = p.net;
  const CnnImageSet *set = p.set;
  const CnnNormalizer *nz = p.nz;
  const char *name = p.name;
  const int index = p.layer;
  g_autoptr (GError) error = NULL;
  const int n = MIN (images, set->n);
  g_autofree int *idx = g_new (int, n);
  for (int i = 0; i < n; i++)
    idx[i] = i;
  g_autoptr (CnnPool) pool = cnn_pool_new (0);
  CnnCliProgress progress;
  cnn_cli_progress_init (&progress, "top patches: images");
  g_autoptr (CnnTopPatches) tp = cnn_top_patches_compute (net, set, nz, idx, n, index, k, 256, pool,
                                                          cnn_cli_progress_update, &progress, &error);
  cnn_cli_progress_done (&progress);
  if (tp == NULL)
    return cnn_cli_fail (error);
  const char *layer_name = cnn_network_get_layer (net, index)->name;
  g_autofree char *field = cnn_receptive_field_format (&tp->field);
  g_autofree char *count = cnn_summary_format_count ((size_t) n);
  g_autofree char *title = g_strdup_printf ("%s of %s: top %d of %s images, field %s", layer_name, name, k,
                                            count, field);
  CnnPanelTopPatches panel = { .tp = tp, .set = set, .n_channels = MIN (channels, tp->n_channels),
                               .title = cnn_figure_title (&o, title) };
  double w, h;
  cnn_panel_top_patches_natural_size (&panel, o.render_style, &w, &h);
  return cnn_figure_export (&o, w, h, draw_top_patches, &panel);
}

/* figure activations: every channel of a layer for one image */

static void
draw_activations (cairo_t *cr, double width, double height, const CnnRenderStyle *style,
                  gpointer data)
{
  cnn_panel_activations_draw (data, style, cr, width, height);
}

int
cnn_figure_activations (int argc, char **argv)
{
  g_auto (ModelOptions) m = { 0 };
  g_autofree char *layer = NULL, *scale = NULL, *input = NULL;
  int image = 0;
  GOptionEntry entries[] = {
    MODEL_ENTRIES (m),
    { "layer", 'l', 0, G_OPTION_ARG_STRING, &layer, "layer by name (default the last conv2d)", "NAME" },
    { "image", 'i', 0, G_OPTION_ARG_INT, &image, "index of the image in the test split, else training (default 0)", "I" },
    { "scale", 0, 0, G_OPTION_ARG_STRING, &scale, "map (each map to its own range, default) or shared", "S" },
    { "input", 0, 0, G_OPTION_ARG_FILENAME, &input, "a PNG or JPEG file instead, resized to the model's input", "FILE" },
    { NULL }
  };
  g_auto (FigureOptions) o = { 0 };
  int status;
  if (!cnn_figure_parse ("- every channel of a layer for one image, and the class probabilities", entries, &o,
                     &argc, &argv, &status))
    return status;
  gboolean shared = FALSE;
  if (scale && !(shared = strcmp (scale, "shared") == 0) && strcmp (scale, "map") != 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--scale takes map or shared, not “%s”", scale);
  g_auto (CnnFigureProbe) p = { 0 };
  /* an image file needs no data set, only a standardization */
  if (!cnn_figure_probe_load (&m, layer, TRUE, input == NULL || m.model == NULL || !cnn_cli_is_checkpoint (m.model),
                              &p, &status))
    return status;
  CnnNetwork *net = p.net;
  const CnnImageSet *set = p.set;
  const CnnDataset *ds = p.ds;
  const char *name = p.name;
  const int index = p.layer;
  CnnShape in = cnn_network_get_input_shape (net);
  g_autoptr (CnnImageSet) from_file = NULL;
  if (input)
    {
      if ((from_file = cnn_figure_probe_image_file (&p, input, &status)) == NULL)
        return status;
      set = from_file;
      image = 0;
    }
  if (image < 0 || image >= set->n)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--image must be from 0 to %d for %s, not %d",
                                set->n - 1, ds->name, image);
  const CnnNormalizer *nz = p.nz;
  g_autofree float *x = g_new (float, cnn_shape_size (in));
  cnn_normalizer_gather (nz, set, &image, 1, x);
  /* inference keeps every layer's output: one pass gives maps and scores */
  int last = cnn_network_get_n_layers (net) - 1;
  const float *out = cnn_network_forward (net, x, 1, FALSE, NULL, NULL, last);
  const int K = cnn_network_get_n_classes (net);
  g_autofree float *probs = NULL;
  if (cnn_network_get_layer (net, last)->out_shape.c == K)
    {
      probs = g_memdup2 (out, K * sizeof (float));
      if (strcmp (cnn_network_get_layer (net, last)->klass->name, "softmax") != 0)
        probs = (g_free (probs), NULL);   /* scores, not probabilities: no chart */
    }
  const CnnLayer *l = cnn_network_get_layer (net, index);
  const size_t chw = (size_t) set->c * set->h * set->w;
  g_autofree char *base = input ? g_path_get_basename (input) : NULL;
  g_autofree char *title = input ? g_strdup_printf ("%s of %s on %s", l->name, name, base)
                                 : g_strdup_printf ("%s of %s on %s image %d (%s)", l->name, name, ds->name,
                                                    image, ds->class_names[set->labels[image]]);
  CnnPanelActivations panel = {
    .c = set->c, .h = set->h, .w = set->w, .image = set->pixels + (size_t) image * chw,
    .n_maps = l->out_shape.c, .map_h = l->out_shape.h, .map_w = l->out_shape.w,
    .maps = cnn_network_get_output (net, index), .shared_scale = shared,
    .n_classes = K, .probs = probs,
    .class_names = (const char *const *) (ds ? ds->class_names : p.ckpt->meta.class_names),
    .title = cnn_figure_title (&o, title),
  };
  double w, h;
  cnn_panel_activations_natural_size (&panel, o.render_style, &w, &h);
  return cnn_figure_export (&o, w, h, draw_activations, &panel);
}

/* figure feature-vis and class-vis: inputs synthesized by gradient ascent */

#define VIS_ENTRIES(config, seed) \
  { "steps", 0, 0, G_OPTION_ARG_INT, &(config).steps, "gradient steps (default 200; class-vis 300)", "N" }, \
  { "step-size", 0, 0, G_OPTION_ARG_DOUBLE, &(config).lr, "length of a step (default 0.05)", "X" }, \
  { "l2", 0, 0, G_OPTION_ARG_DOUBLE, &(config).l2, "decay per step (default 0.001; class-vis 0.05, towards the mean image)", "X" }, \
  { "blur-every", 0, 0, G_OPTION_ARG_INT, &(config).blur_every, "blur every N steps, 0 never (default 4; class-vis 2)", "N" }, \
  { "jitter", 0, 0, G_OPTION_ARG_INT, &(config).jitter, "random shift per step in pixels (default 1)", "N" }, \
  { "coarse", 0, 0, G_OPTION_ARG_INT, &(config).coarse, "blurs of the gradient at first, fewer each step (default 0; class-vis 16)", "N" }, \
  { "noise-seed", 0, 0, G_OPTION_ARG_INT64, &(seed), "seed of the starting noise and the jitter (default 0)", "S" }

/* Synthesized images stay within what black and white standardize to,
 * when the model brings its normalizer (a checkpoint). */
typedef struct
{
  float *lo, *hi;
} VisBounds;

static void
vis_bounds_clear (VisBounds *b)
{
  g_free (b->lo);
  g_free (b->hi);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VisBounds, vis_bounds_clear)

static void
vis_bounds_apply (VisBounds *b, const CnnNormalizer *nz, const CnnNetwork *net,
                  CnnFeatureVisConfig *config)
{
  CnnShape in = cnn_network_get_input_shape (net);
  if (nz == NULL || nz->c != in.c || nz->h != in.h || nz->w != in.w)
    return;
  b->lo = g_new (float, cnn_shape_size (in));
  b->hi = g_new (float, cnn_shape_size (in));
  cnn_normalizer_bounds (nz, b->lo, b->hi);
  config->lo = b->lo;
  config->hi = b->hi;
}

static gboolean
vis_config_ok (CnnFeatureVisConfig *config, gint64 seed)
{
  config->seed = (guint64) MAX (seed, 0);
  return seed >= 0 && config->steps >= 0 && config->steps <= 100000 && config->lr > 0 && config->lr < 100
         && config->l2 >= 0 && config->l2 < 1 && config->blur_every >= 0 && config->jitter >= 0
         && config->jitter <= 64 && config->coarse >= 0 && config->coarse <= 64;
}

/* Synthesizes an input for each of the n first channels of `layer` and draws
 * them in a grid, each on its own gray range, captioned with names[c] (or
 * the channel number) and the activation reached. */
static int
synthesize_and_export (CnnNetwork *net, int layer, int n, const char *const *names,
                       const CnnFeatureVisConfig *config, int columns, const char *title,
                       const FigureOptions *o)
{
  const CnnShape in = cnn_network_get_input_shape (net);
  const size_t size = cnn_shape_size (in);
  g_autofree float *pixels = g_new (float, (size_t) n * size);
  g_autofree const float **images = g_new (const float *, n);
  g_auto (GStrv) captions = g_new0 (char *, n + 1);
  for (int c = 0; c < n; c++)
    {
      float *x = pixels + (size_t) c * size;    /* (C, H, W) */
      double objective = cnn_feature_vis (net, layer, c, config, x, NULL, NULL);
      cnn_image_stretch_to_bytes (x, size, x);
      images[c] = x;
      captions[c] = names ? g_strdup_printf ("%s: %.2f", names[c], objective)
                          : g_strdup_printf ("%d: %.2f", c, objective);
    }
  CnnPanelImageStrip strip = {
    .c = in.c, .h = in.h, .w = in.w, .n = n, .images = images,
    .captions = (const char *const *) captions, .max_cols = columns,
    .title = cnn_figure_title (o, title), .no_original = TRUE,
  };
  double w, h;
  cnn_panel_image_strip_natural_size (&strip, o->render_style, &w, &h);
  return cnn_figure_export (o, w, h, cnn_figure_draw_image_strip, &strip);
}

int
cnn_figure_feature_vis (int argc, char **argv)
{
  g_auto (ModelOptions) m = { 0 };
  g_autofree char *layer = NULL;
  int channels = 16, columns = 8;
  CnnFeatureVisConfig config;
  cnn_feature_vis_config_init (&config);
  gint64 vis_seed = 0;
  GOptionEntry entries[] = {
    MODEL_ENTRIES (m),
    { "layer", 'l', 0, G_OPTION_ARG_STRING, &layer, "layer by name (default the last conv2d)", "NAME" },
    { "channels", 0, 0, G_OPTION_ARG_INT, &channels, "the first N channels (default 16)", "N" },
    { "columns", 0, 0, G_OPTION_ARG_INT, &columns, "images per row (default 8)", "N" },
    VIS_ENTRIES (config, vis_seed),
    { NULL }
  };
  g_auto (FigureOptions) o = { 0 };
  int status;
  if (!cnn_figure_parse ("- inputs synthesized to excite each channel of a layer", entries, &o, &argc, &argv,
                     &status))
    return status;
  if (channels < 1 || channels > 256 || columns < 1 || columns > 64 || !vis_config_ok (&config, vis_seed))
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "a --channels, --columns, --steps, --step-size, --l2, "
                                "--blur-every, --jitter or --noise-seed value is out of range");
  g_auto (CnnFigureProbe) p = { 0 };
  if (!cnn_figure_probe_load (&m, layer, TRUE, FALSE, &p, &status))
    return status;
  CnnNetwork *net = p.net;
  const char *name = p.name;
  const int index = p.layer;
  const CnnLayer *l = cnn_network_get_layer (net, index);
  g_autofree char *title = g_strdup_printf ("%s of %s: inputs that excite each channel (%d steps)", l->name,
                                            name, config.steps);
  return synthesize_and_export (net, index, MIN (channels, l->out_shape.c), NULL, &config, columns, title, &o);
}

/* figure class-vis (Simonyan et al. 2014): for each class, an input that
 * maximizes its unnormalized score minus λ‖I‖² (the L2 decay) */
int
cnn_figure_class_vis (int argc, char **argv)
{
  g_auto (ModelOptions) m = { 0 };
  int columns = 5;
  CnnFeatureVisConfig config;
  cnn_class_vis_config_init (&config);
  gint64 vis_seed = 0;
  GOptionEntry entries[] = {
    MODEL_ENTRIES (m),
    { "columns", 0, 0, G_OPTION_ARG_INT, &columns, "images per row (default 5)", "N" },
    VIS_ENTRIES (config, vis_seed),
    { NULL }
  };
  g_auto (FigureOptions) o = { 0 };
  int status;
  if (!cnn_figure_parse ("- for each class, an input that maximizes its score", entries, &o, &argc, &argv, &status))
    return status;
  if (columns < 1 || columns > 64 || !vis_config_ok (&config, vis_seed))
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "a --columns, --steps, --step-size, --l2, --blur-every, "
                                "--jitter or --noise-seed value is out of range");
  g_autoptr (CnnCheckpoint) ckpt = NULL;
  g_autofree char *name = NULL;
  CnnNetwork *net = cnn_figure_load_model (&m, &ckpt, &name, &status);
  if (net == NULL)
    return status;
  g_autoptr (CnnNetwork) owned = ckpt ? NULL : net;
  /* the scores before softmax */
  int logits = cnn_network_get_logits_layer (net);
  int K = cnn_network_get_layer (net, logits)->out_shape.c;
  char **names = ckpt ? ckpt->meta.class_names : NULL;
  if (names && (int) g_strv_length (names) != K)
    names = NULL;
  g_autofree char *title = g_strdup_printf ("%s: an input for each class's score (%d steps, L2 %g)", name,
                                            config.steps, config.l2);
  g_auto (VisBounds) bounds = { 0 };
  vis_bounds_apply (&bounds, ckpt ? ckpt->normalizer : NULL, net, &config);
  /* the data's mean image as the prior, when the data set loads */
  g_autofree float *prior = NULL;
  g_autoptr (CnnDataset) ds = ckpt ? cnn_dataset_load (ckpt->meta.data, 0, NULL) : NULL;
  if (ds && !cnn_dataset_apply_classes (ds, ckpt->meta.classes, NULL))
    g_clear_pointer (&ds, cnn_dataset_free);   /* no prior then, as without data */
  CnnShape in = cnn_network_get_input_shape (net);
  if (ds && ds->train->c == in.c && ds->train->h == in.h && ds->train->w == in.w)
    {
      prior = g_new (float, cnn_shape_size (in));
      cnn_feature_vis_mean_image (ckpt->normalizer, ds->train, 10000, prior);
      config.prior = prior;
    }
  return synthesize_and_export (net, logits, K, (const char *const *) names, &config, columns, title, &o);
}

/* figure summary: layers, output shapes, parameter counts */

static void
draw_summary (cairo_t *cr, double width, double height, const CnnRenderStyle *style, gpointer data)
{
  cnn_panel_summary_draw (data, style, cr, width, height);
}

int
cnn_figure_summary (int argc, char **argv)
{
  g_auto (ModelOptions) m = { 0 };
  GOptionEntry entries[] = { MODEL_ENTRIES (m), { NULL } };
  g_auto (FigureOptions) o = { 0 };
  int status;
  if (!cnn_figure_parse ("- the model summary as a table", entries, &o, &argc, &argv, &status))
    return status;
  g_autoptr (CnnCheckpoint) ckpt = NULL;
  g_autofree char *name = NULL;
  CnnNetwork *net = cnn_figure_load_model (&m, &ckpt, &name, &status);
  if (net == NULL)
    return status;
  g_autoptr (CnnNetwork) owned = ckpt ? NULL : net;
  g_autoptr (CnnSummaryData) data = cnn_summary_data_new (net);
  g_autofree char *title = g_strdup_printf ("Model %s", name);
  data->title = g_strdup (cnn_figure_title (&o, title));
  double w, h;
  cnn_panel_summary_natural_size (data, o.render_style, &w, &h);
  return cnn_figure_export (&o, w, h, draw_summary, data);
}


/* figure receptive-field: how the field grows layer by layer */

static void
draw_fields (cairo_t *cr, double width, double height, const CnnRenderStyle *style, gpointer data)
{
  cnn_panel_fields_draw (data, style, cr, width, height);
}

int
cnn_figure_receptive_field (int argc, char **argv)
{
  g_auto (ModelOptions) m = { 0 };
  GOptionEntry entries[] = { MODEL_ENTRIES (m), { NULL } };
  g_auto (FigureOptions) o = { 0 };
  int status;
  if (!cnn_figure_parse ("- the receptive field of each layer, as it grows", entries, &o, &argc, &argv,
                         &status))
    return status;
  g_autoptr (CnnCheckpoint) ckpt = NULL;
  g_autofree char *name = NULL;
  CnnNetwork *net = cnn_figure_load_model (&m, &ckpt, &name, &status);
  if (net == NULL)
    return status;
  g_autoptr (CnnNetwork) owned = ckpt ? NULL : net;
  g_autoptr (CnnFieldsData) fields = cnn_fields_data_new (net, name);
  char *title = g_strdup (cnn_figure_title (&o, fields->title));
  g_free (fields->title);
  fields->title = title;
  double w, h;
  cnn_panel_fields_natural_size (fields, o.render_style, &w, &h);
  return cnn_figure_export (&o, w, h, draw_fields, fields);
}
