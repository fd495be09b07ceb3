/* convscope figure PANEL: a panel drawn to PNG, SVG or PDF without a
 * display. Each panel is one entry in `panels` below: a function that
 * declares its own options, loads what it shows and hands a draw function
 * to figure_export; the options every figure shares (--style, --size,
 * --dpi, --title, --out) are declared once here. */
#include "cnn-cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cnn-render.h"

#define DEFAULT_DATA "fashion-mnist"

/* The options every figure takes. */
typedef struct
{
  char *style;
  char *size;
  char *title;   /* NULL: the panel's default; "": none */
  char *out;
  int   dpi;
  const CnnRenderStyle *render_style;
  double width, height;   /* from --size; 0 until then */
} FigureOptions;

static void
figure_options_clear (FigureOptions *o)
{
  g_free (o->style);
  g_free (o->size);
  g_free (o->title);
  g_free (o->out);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FigureOptions, figure_options_clear)

/* "960x540" -> 960, 540 */
static gboolean
parse_size (const char *text, double *width, double *height)
{
  int w, h;
  char x, extra;
  if (sscanf (text, "%d%c%d%c", &w, &x, &h, &extra) != 3 || (x != 'x' && x != 'X'))
    return FALSE;
  if (w < CNN_RENDER_MIN_SIZE || h < CNN_RENDER_MIN_SIZE || w > CNN_RENDER_MAX_SIZE
      || h > CNN_RENDER_MAX_SIZE)
    return FALSE;
  *width = w;
  *height = h;
  return TRUE;
}

/* Parses argv with the panel's entries and the shared ones, then checks the
 * shared ones, so that a bad --out or --size fails before any data loads. */
static gboolean
figure_parse (const char *summary, const GOptionEntry *panel_entries, FigureOptions *o,
              int *argc, char ***argv, int *status)
{
  o->dpi = 96;
  GOptionEntry common[] = {
    { "style", 0, 0, G_OPTION_ARG_STRING, &o->style, "light, dark, print or projector (default light)", "S" },
    { "size", 0, 0, G_OPTION_ARG_STRING, &o->size, "width x height in px, 1/96 inch (default: fits the content)", "WxH" },
    { "dpi", 0, 0, G_OPTION_ARG_INT, &o->dpi, "PNG resolution: pixels = px * dpi / 96, recorded in the file (default 96)", "N" },
    { "title", 0, 0, G_OPTION_ARG_STRING, &o->title, "title above the figure (\"\" for none)", "TEXT" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &o->out, "the figure: .png, .svg or .pdf", "FIG" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (summary);
  g_option_context_add_main_entries (ctx, panel_entries, NULL);
  g_option_context_add_main_entries (ctx, common, NULL);
  if (!cnn_cli_parse (ctx, argc, argv, status))
    return FALSE;

  g_autoptr (GError) error = NULL;
  o->render_style = cnn_render_style_parse (o->style, &error);
  CnnRenderFormat format;
  if (o->render_style == NULL)
    *status = cnn_cli_fail (error);
  else if (o->out == NULL)
    *status = cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s needs --out FIG.png|svg|pdf", g_get_prgname ());
  else if (!cnn_render_format_from_path (o->out, &format, &error))
    *status = cnn_cli_fail (error);
  else if (o->size && !parse_size (o->size, &o->width, &o->height))
    *status = cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT,
                                   "--size takes width x height in px from %d to %d, such as 960x540, not “%s”",
                                   CNN_RENDER_MIN_SIZE, CNN_RENDER_MAX_SIZE, o->size);
  else if (o->dpi < CNN_RENDER_MIN_DPI || o->dpi > CNN_RENDER_MAX_DPI)
    *status = cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--dpi must be from %d to %d, not %d",
                                   CNN_RENDER_MIN_DPI, CNN_RENDER_MAX_DPI, o->dpi);
  else
    return TRUE;
  return FALSE;
}

/* The panel's title: --title if given, else its default. */
static const char *
figure_title (const FigureOptions *o, const char *fallback)
{
  return o->title ? o->title : fallback;
}

static int
figure_export (const FigureOptions *o, double natural_w, double natural_h, CnnRenderDrawFunc draw,
               gpointer data)
{
  double w = o->width > 0 ? o->width : natural_w;
  double h = o->height > 0 ? o->height : natural_h;
  g_autoptr (GError) error = NULL;
  if (!cnn_render_export (o->out, w, h, o->dpi, o->render_style, draw, data, &error))
    {
      if (o->width == 0 && g_error_matches (error, CNN_ERROR, CNN_ERROR_INVALID_ARG))
        return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s (choose one with --size)", error->message);
      return cnn_cli_fail (error);
    }
  return CNN_EXIT_OK;
}

static gboolean
parse_split (const char *split, const CnnDataset *ds, const CnnImageSet **set, int *status)
{
  if (split == NULL || strcmp (split, "train") == 0)
    *set = ds->train;
  else if (strcmp (split, "test") == 0)
    {
      if (ds->test == NULL)
        {
          *status = cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s has no test split (use --split train)", ds->name);
          return FALSE;
        }
      *set = ds->test;
    }
  else
    {
      *status = cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--split takes train or test, not “%s”", split);
      return FALSE;
    }
  return TRUE;
}

/* figure data: samples per class */

static void
draw_samples (cairo_t *cr, double width, double height, const CnnRenderStyle *style, gpointer data)
{
  cnn_panel_samples_draw (data, style, cr, width, height);
}

static int
figure_data (int argc, char **argv)
{
  g_autofree char *data = NULL, *split = NULL;
  int per_class = 8;
  gint64 seed = 1;
  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_STRING, &data, "data set (default " DEFAULT_DATA ")", "D" },
    { "per-class", 'n', 0, G_OPTION_ARG_INT, &per_class, "images per class (default 8)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "chooses the images, and generates synthetic data (default 1)", "S" },
    { "split", 0, 0, G_OPTION_ARG_STRING, &split, "train or test (default train)", "S" },
    { NULL }
  };
  g_auto (FigureOptions) o = { 0 };
  int status;
  if (!figure_parse ("- sample images of each class", entries, &o, &argc, &argv, &status))
    return status;
  if (per_class < 1 || per_class > 64)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--per-class must be from 1 to 64, not %d", per_class);
  if (seed < 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--seed must not be negative");

  g_autoptr (GError) error = NULL;
  g_autoptr (CnnDataset) ds = cnn_dataset_load (data ? data : DEFAULT_DATA, (guint64) seed, &error);
  if (ds == NULL)
    return cnn_cli_fail (error);
  const CnnImageSet *set;
  if (!parse_split (split, ds, &set, &status))
    return status;
  g_autofree int *idx = cnn_panel_samples_pick (set, ds->n_classes, per_class, (guint64) seed);
  g_autofree char *title = g_strdup_printf ("%s: %s images, %d per class", ds->name,
                                            set == ds->test ? "test" : "training", per_class);
  CnnPanelSamples panel = {
    .set = set, .n_classes = ds->n_classes, .class_names = (const char *const *) ds->class_names,
    .per_class = per_class, .idx = idx, .title = figure_title (&o, title),
  };
  double w, h;
  cnn_panel_samples_natural_size (&panel, o.render_style, &w, &h);
  return figure_export (&o, w, h, draw_samples, &panel);
}

/* figure standardization: mean and std images, class counts */

static void
draw_standardization (cairo_t *cr, double width, double height, const CnnRenderStyle *style,
                      gpointer data)
{
  cnn_panel_standardization_draw (data, style, cr, width, height);
}

static int
figure_standardization (int argc, char **argv)
{
  g_autofree char *data = NULL;
  gint64 seed = 1;
  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_STRING, &data, "data set (default " DEFAULT_DATA ")", "D" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "generates synthetic data (default 1)", "S" },
    { NULL }
  };
  g_auto (FigureOptions) o = { 0 };
  int status;
  if (!figure_parse ("- per-pixel mean and std of the training images", entries, &o, &argc, &argv,
                     &status))
    return status;
  if (seed < 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--seed must not be negative");

  g_autoptr (GError) error = NULL;
  g_autoptr (CnnDataset) ds = cnn_dataset_load (data ? data : DEFAULT_DATA, (guint64) seed, &error);
  if (ds == NULL)
    return cnn_cli_fail (error);
  g_autoptr (CnnPanelStandardization) panel =
    cnn_panel_standardization_new (ds->train, ds->n_classes, (const char *const *) ds->class_names,
                                   &error);
  if (panel == NULL)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s: %s", ds->name, error->message);
  g_autofree char *title = g_strdup_printf ("%s: what standardization subtracts and divides by", ds->name);
  panel->title = g_strdup (figure_title (&o, title));
  double w, h;
  cnn_panel_standardization_natural_size (panel, o.render_style, &w, &h);
  return figure_export (&o, w, h, draw_standardization, panel);
}

/* figure curves: learning curves of run folders, overlaid */

static void
draw_curves (cairo_t *cr, double width, double height, const CnnRenderStyle *style, gpointer data)
{
  cnn_panel_curves_draw (data, style, cr, width, height);
}

static int
figure_curves (int argc, char **argv)
{
  g_auto (GStrv) run_dirs = NULL;
  g_autofree char *csv = NULL, *plot = NULL;
  gboolean log_loss = FALSE, no_raw = FALSE;
  double smoothing = CNN_CURVES_DEFAULT_SMOOTHING;
  GOptionEntry entries[] = {
    { "run", 'r', 0, G_OPTION_ARG_FILENAME_ARRAY, &run_dirs, "a run folder of convscope train --out (repeat to overlay runs)", "DIR" },
    { "log", 0, 0, G_OPTION_ARG_NONE, &log_loss, "loss on a log scale", NULL },
    { "smoothing", 0, 0, G_OPTION_ARG_DOUBLE, &smoothing, "EMA weight of the training lines, 0 to 0.99 (default 0.6, as TensorBoard)", "S" },
    { "no-raw", 0, 0, G_OPTION_ARG_NONE, &no_raw, "leave out the light raw training line", NULL },
    { "plot", 0, 0, G_OPTION_ARG_STRING, &plot, "loss, accuracy or both (default both)", "P" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, "also write the curves as one CSV table", "FILE" },
    { NULL }
  };
  g_auto (FigureOptions) o = { 0 };
  int status;
  if (!figure_parse ("- learning curves of one or more runs", entries, &o, &argc, &argv, &status))
    return status;
  if (run_dirs == NULL || run_dirs[0] == NULL)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s needs --run DIR (a folder written by convscope train --out)",
                                g_get_prgname ());
  if (!(smoothing >= 0 && smoothing <= 0.99))
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--smoothing must be from 0 to 0.99, not %g", smoothing);
  CnnCurvesShow show = CNN_CURVES_BOTH;
  if (plot && strcmp (plot, "loss") == 0)
    show = CNN_CURVES_LOSS;
  else if (plot && strcmp (plot, "accuracy") == 0)
    show = CNN_CURVES_ACCURACY;
  else if (plot && strcmp (plot, "both") != 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--plot takes loss, accuracy or both, not “%s”", plot);

  g_autoptr (GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) cnn_curve_run_free);
  for (int i = 0; run_dirs[i]; i++)
    {
      g_autoptr (GError) error = NULL;
      CnnCurveRun *run = cnn_run_folder_load (run_dirs[i], &error);
      if (run == NULL)
        return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s", error->message);
      g_ptr_array_add (runs, run);
    }
  CnnCurvesData data;
  cnn_curves_data_init (&data);
  data.runs = (CnnCurveRun *const *) runs->pdata;
  data.n_runs = runs->len;
  data.show = show;
  data.log_loss = log_loss;
  data.smoothing = smoothing;
  data.raw = !no_raw;
  data.title = figure_title (&o, runs->len == 1 ? "Learning curves" : "Learning curves, compared");
  if (csv)
    {
      g_autoptr (GError) error = NULL;
      if (!cnn_curve_runs_write_csv (data.runs, data.n_runs, smoothing, csv, &error))
        return cnn_cli_fail (error);
    }
  double w, h;
  cnn_panel_curves_natural_size (&data, o.render_style, &w, &h);
  return figure_export (&o, w, h, draw_curves, &data);
}

/* The network of --model: a checkpoint with its trained weights, or a
 * preset or spec file with fresh ones for the input of --data or
 * --input-shape (default the default data set's, 1×28×28, 10 classes). */
typedef struct
{
  char *model, *data, *shape;
  int   classes;
  gint64 seed;
} ModelOptions;

static void
model_options_clear (ModelOptions *m)
{
  g_free (m->model);
  g_free (m->data);
  g_free (m->shape);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ModelOptions, model_options_clear)

#define MODEL_ENTRIES(m) \
  { "model", 'm', 0, G_OPTION_ARG_FILENAME, &(m).model, "checkpoint, preset or spec file (default cnn2)", "M" }, \
  { "data", 'd', 0, G_OPTION_ARG_STRING, &(m).data, "for a preset: the data set whose input and classes it is built for", "D" }, \
  { "input-shape", 0, 0, G_OPTION_ARG_STRING, &(m).shape, "for a preset: channels,height,width (default 1,28,28)", "C,H,W" }, \
  { "classes", 0, 0, G_OPTION_ARG_INT, &(m).classes, "for a preset: number of classes (default 10)", "K" }, \
  { "seed", 's', 0, G_OPTION_ARG_INT64, &(m).seed, "for a preset: seed of the fresh weights (default 0)", "S" }

static CnnNetwork *
load_model (const ModelOptions *m, CnnCheckpoint **ckpt_out, char **name, int *status)
{
  g_autoptr (GError) error = NULL;
  const char *model = m->model ? m->model : "cnn2";
  g_autofree char *base = g_path_get_basename (model);
  *name = g_strdup (base);
  if (cnn_cli_is_checkpoint (model))
    {
      /* "run-adam/best.ckpt": the run folder tells checkpoints apart */
      g_autofree char *dir = g_path_get_dirname (model);
      g_autofree char *dir_base = g_path_get_basename (dir);
      if (strcmp (dir, ".") != 0)
        {
          g_free (*name);
          *name = g_build_filename (dir_base, base, NULL);
        }
      CnnCheckpoint *ckpt = cnn_checkpoint_load (model, &error);
      if (ckpt == NULL)
        {
          *status = cnn_cli_fail (error);
          return NULL;
        }
      *ckpt_out = ckpt;
      return ckpt->net;
    }
  if (m->seed < 0 || m->classes < 0 || m->classes > 255)
    {
      *status = cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, m->seed < 0 ? "--seed must not be negative"
                                                                     : "--classes must be from 1 to 255");
      return NULL;
    }
  CnnShape in = { 1, 28, 28 };
  int k = 10;
  if (m->data)
    {
      g_autoptr (CnnDataset) ds = cnn_dataset_load (m->data, 0, &error);
      if (ds == NULL)
        {
          *status = cnn_cli_fail (error);
          return NULL;
        }
      in = (CnnShape) { ds->train->c, ds->train->h, ds->train->w };
      k = ds->n_classes;
    }
  if (m->shape && !cnn_cli_parse_shape (m->shape, &in, &error))
    {
      *status = cnn_cli_fail (error);
      return NULL;
    }
  if (m->classes > 0)
    k = m->classes;
  g_autofree char *source = NULL;
  g_autofree char *spec = cnn_model_spec_load (model, &source, &error);
  CnnNetwork *net = spec ? cnn_network_new (spec, source, in, k, &error) : NULL;
  if (net == NULL)
    {
      *status = cnn_cli_fail (error);
      return NULL;
    }
  cnn_network_init_params (net, (guint64) m->seed);
  return net;
}

/* figure filters: the first convolution's kernels */

static void
draw_filters (cairo_t *cr, double width, double height, const CnnRenderStyle *style, gpointer data)
{
  cnn_panel_filters_draw (data, style, cr, width, height);
}

static int
figure_filters (int argc, char **argv)
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
  if (!figure_parse ("- the kernels of the first convolution layer", entries, &o, &argc, &argv, &status))
    return status;
  g_autoptr (GError) error = NULL;
  CnnFilterScale mode = CNN_FILTER_SCALE_FILTER;
  if (scale && !cnn_filter_scale_parse (scale, &mode, &error))
    return cnn_cli_fail (error);

  g_autoptr (CnnCheckpoint) ckpt = NULL;
  g_autofree char *name = NULL;
  CnnNetwork *net = load_model (&m, &ckpt, &name, &status);
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
  data->title = g_strdup (figure_title (&o, title));
  double w, h;
  cnn_panel_filters_natural_size (data, o.render_style, &w, &h);
  return figure_export (&o, w, h, draw_filters, data);
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

/* What the looking-inside figures share: the model of --model, one of its
 * layers (by --layer, else the last conv2d) and, when asked, the images
 * to probe it with: the test split (else training) of the data set the
 * checkpoint was trained on, else of --data, standardized as in training. */
typedef struct
{
  CnnCheckpoint     *ckpt;     /* NULL for a preset or spec file */
  CnnNetwork        *net;      /* the checkpoint's, or owned */
  char              *name;
  int                layer;
  CnnDataset        *ds;       /* NULL unless asked for */
  const CnnImageSet *set;
  CnnNormalizer     *nz;
} Probe;

static void
probe_clear (Probe *p)
{
  if (p->ckpt)
    cnn_checkpoint_free (p->ckpt);
  else if (p->net)
    cnn_network_free (p->net);
  g_free (p->name);
  if (p->ds)
    cnn_dataset_free (p->ds);
  if (p->nz)
    cnn_normalizer_free (p->nz);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Probe, probe_clear)

static gboolean
probe_load (const ModelOptions *m, const char *layer, gboolean with_data, Probe *p, int *status)
{
  p->net = load_model (m, &p->ckpt, &p->name, status);
  if (p->net == NULL)
    return FALSE;
  p->layer = layer ? cnn_network_find_layer (p->net, layer) : last_conv_layer (p->net);
  if (p->layer < 0)
    {
      *status = cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, layer ? "%s has no layer “%s”" : "%s has no conv2d layer",
                                     p->name, layer);
      return FALSE;
    }
  if (!with_data)
    return TRUE;
  g_autoptr (GError) error = NULL;
  const char *data = p->ckpt && p->ckpt->meta.data ? p->ckpt->meta.data : m->data ? m->data : DEFAULT_DATA;
  p->ds = cnn_dataset_load (data, 0, &error);
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
  const CnnNormalizer *trained = p->ckpt ? p->ckpt->normalizer : NULL;
  p->nz = trained ? cnn_normalizer_new_from (trained->mode, trained->c, trained->h, trained->w, trained->mean,
                                             trained->scale)
                  : cnn_normalizer_new_fit (CNN_STANDARDIZE_SCALE, p->set, NULL, 0);
  return TRUE;
}

/* figure top-patches: what excites each channel of a layer most */

static void
draw_top_patches (cairo_t *cr, double width, double height, const CnnRenderStyle *style,
                  gpointer data)
{
  cnn_panel_top_patches_draw (data, style, cr, width, height);
}

static int
figure_top_patches (int argc, char **argv)
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
  if (!figure_parse ("- the image patches that excite each channel of a layer most", entries, &o,
                     &argc, &argv, &status))
    return status;
  if (k < 1 || k > 64 || channels < 1 || channels > 1024 || images < 1)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--k must be from 1 to 64, --channels from 1 to 1024, "
                                "--images at least 1");
  g_auto (Probe) p = { 0 };
  if (!probe_load (&m, layer, TRUE, &p, &status))
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
  g_autoptr (CnnTopPatches) tp = cnn_top_patches_compute (net, set, nz, idx, n, index, k, 256, pool,
                                                          NULL, NULL, &error);
  if (tp == NULL)
    return cnn_cli_fail (error);
  const char *layer_name = cnn_network_get_layer (net, index)->name;
  g_autofree char *field = cnn_receptive_field_format (&tp->field);
  g_autofree char *count = cnn_summary_format_count ((size_t) n);
  g_autofree char *title = g_strdup_printf ("%s of %s: top %d of %s images, field %s", layer_name, name, k,
                                            count, field);
  CnnPanelTopPatches panel = { .tp = tp, .set = set, .n_channels = MIN (channels, tp->n_channels),
                               .title = figure_title (&o, title) };
  double w, h;
  cnn_panel_top_patches_natural_size (&panel, o.render_style, &w, &h);
  return figure_export (&o, w, h, draw_top_patches, &panel);
}

/* figure activations: every channel of a layer for one image */

static void
draw_activations (cairo_t *cr, double width, double height, const CnnRenderStyle *style,
                  gpointer data)
{
  cnn_panel_activations_draw (data, style, cr, width, height);
}

static int
figure_activations (int argc, char **argv)
{
  g_auto (ModelOptions) m = { 0 };
  g_autofree char *layer = NULL, *scale = NULL;
  int image = 0;
  GOptionEntry entries[] = {
    MODEL_ENTRIES (m),
    { "layer", 'l', 0, G_OPTION_ARG_STRING, &layer, "layer by name (default the last conv2d)", "NAME" },
    { "image", 'i', 0, G_OPTION_ARG_INT, &image, "index of the image in the test split, else training (default 0)", "I" },
    { "scale", 0, 0, G_OPTION_ARG_STRING, &scale, "map (each map to its own range, default) or shared", "S" },
    { NULL }
  };
  g_auto (FigureOptions) o = { 0 };
  int status;
  if (!figure_parse ("- every channel of a layer for one image, and the class probabilities", entries, &o,
                     &argc, &argv, &status))
    return status;
  gboolean shared = FALSE;
  if (scale && !(shared = strcmp (scale, "shared") == 0) && strcmp (scale, "map") != 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--scale takes map or shared, not “%s”", scale);
  g_auto (Probe) p = { 0 };
  if (!probe_load (&m, layer, TRUE, &p, &status))
    return status;
  CnnNetwork *net = p.net;
  const CnnImageSet *set = p.set;
  const CnnDataset *ds = p.ds;
  const char *name = p.name;
  const int index = p.layer;
  if (image < 0 || image >= set->n)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--image must be from 0 to %d for %s, not %d",
                                set->n - 1, ds->name, image);
  const CnnNormalizer *nz = p.nz;
  CnnShape in = cnn_network_get_input_shape (net);
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
  g_autofree char *title = g_strdup_printf ("%s of %s on %s image %d (%s)", l->name, name, ds->name, image,
                                            ds->class_names[set->labels[image]]);
  CnnPanelActivations panel = {
    .c = set->c, .h = set->h, .w = set->w, .image = set->pixels + (size_t) image * chw,
    .n_maps = l->out_shape.c, .map_h = l->out_shape.h, .map_w = l->out_shape.w,
    .maps = cnn_network_get_output (net, index), .shared_scale = shared,
    .n_classes = K, .probs = probs, .class_names = (const char *const *) ds->class_names,
    .title = figure_title (&o, title),
  };
  double w, h;
  cnn_panel_activations_natural_size (&panel, o.render_style, &w, &h);
  return figure_export (&o, w, h, draw_activations, &panel);
}

/* figure feature-vis and class-vis: inputs synthesized by gradient ascent */

static void draw_image_strip (cairo_t *cr, double width, double height, const CnnRenderStyle *style,
                              gpointer data);

#define VIS_ENTRIES(config, seed) \
  { "steps", 0, 0, G_OPTION_ARG_INT, &(config).steps, "gradient steps (default 200)", "N" }, \
  { "step-size", 0, 0, G_OPTION_ARG_DOUBLE, &(config).lr, "length of a step (default 0.05)", "X" }, \
  { "l2", 0, 0, G_OPTION_ARG_DOUBLE, &(config).l2, "decay per step (default 0.001)", "X" }, \
  { "blur-every", 0, 0, G_OPTION_ARG_INT, &(config).blur_every, "blur every N steps, 0 never (default 4)", "N" }, \
  { "jitter", 0, 0, G_OPTION_ARG_INT, &(config).jitter, "random shift per step in pixels (default 1)", "N" }, \
  { "noise-seed", 0, 0, G_OPTION_ARG_INT64, &(seed), "seed of the starting noise and the jitter (default 0)", "S" }

static gboolean
vis_config_ok (CnnFeatureVisConfig *config, gint64 seed)
{
  config->seed = (guint64) MAX (seed, 0);
  return seed >= 0 && config->steps >= 0 && config->steps <= 100000 && config->lr > 0 && config->lr < 100
         && config->l2 >= 0 && config->l2 < 1 && config->blur_every >= 0 && config->jitter >= 0
         && config->jitter <= 64;
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
      /* each image to 0..255 on its own range: the pattern, not its scale */
      float lo = x[0], hi = x[0];
      for (size_t i = 1; i < size; i++)
        {
          lo = MIN (lo, x[i]);
          hi = MAX (hi, x[i]);
        }
      for (size_t i = 0; i < size; i++)
        x[i] = hi > lo ? 255.0f * (x[i] - lo) / (hi - lo) : 128.0f;
      images[c] = x;
      captions[c] = names ? g_strdup_printf ("%s: %.2f", names[c], objective)
                          : g_strdup_printf ("%d: %.2f", c, objective);
    }
  CnnPanelImageStrip strip = {
    .c = in.c, .h = in.h, .w = in.w, .n = n, .images = images,
    .captions = (const char *const *) captions, .max_cols = columns,
    .title = figure_title (o, title), .no_original = TRUE,
  };
  double w, h;
  cnn_panel_image_strip_natural_size (&strip, o->render_style, &w, &h);
  return figure_export (o, w, h, draw_image_strip, &strip);
}

static int
figure_feature_vis (int argc, char **argv)
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
  if (!figure_parse ("- inputs synthesized to excite each channel of a layer", entries, &o, &argc, &argv,
                     &status))
    return status;
  if (channels < 1 || channels > 256 || columns < 1 || columns > 64 || !vis_config_ok (&config, vis_seed))
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "a --channels, --columns, --steps, --step-size, --l2, "
                                "--blur-every, --jitter or --noise-seed value is out of range");
  g_auto (Probe) p = { 0 };
  if (!probe_load (&m, layer, FALSE, &p, &status))
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
static int
figure_class_vis (int argc, char **argv)
{
  g_auto (ModelOptions) m = { 0 };
  int columns = 5;
  CnnFeatureVisConfig config;
  cnn_feature_vis_config_init (&config);
  gint64 vis_seed = 0;
  GOptionEntry entries[] = {
    MODEL_ENTRIES (m),
    { "columns", 0, 0, G_OPTION_ARG_INT, &columns, "images per row (default 5)", "N" },
    VIS_ENTRIES (config, vis_seed),
    { NULL }
  };
  g_auto (FigureOptions) o = { 0 };
  int status;
  if (!figure_parse ("- for each class, an input that maximizes its score", entries, &o, &argc, &argv, &status))
    return status;
  if (columns < 1 || columns > 64 || !vis_config_ok (&config, vis_seed))
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "a --columns, --steps, --step-size, --l2, --blur-every, "
                                "--jitter or --noise-seed value is out of range");
  g_autoptr (CnnCheckpoint) ckpt = NULL;
  g_autofree char *name = NULL;
  CnnNetwork *net = load_model (&m, &ckpt, &name, &status);
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
  return synthesize_and_export (net, logits, K, (const char *const *) names, &config, columns, title, &o);
}

/* figure summary: layers, output shapes, parameter counts */

static void
draw_summary (cairo_t *cr, double width, double height, const CnnRenderStyle *style, gpointer data)
{
  cnn_panel_summary_draw (data, style, cr, width, height);
}

static int
figure_summary (int argc, char **argv)
{
  g_auto (ModelOptions) m = { 0 };
  GOptionEntry entries[] = { MODEL_ENTRIES (m), { NULL } };
  g_auto (FigureOptions) o = { 0 };
  int status;
  if (!figure_parse ("- the model summary as a table", entries, &o, &argc, &argv, &status))
    return status;
  g_autoptr (CnnCheckpoint) ckpt = NULL;
  g_autofree char *name = NULL;
  CnnNetwork *net = load_model (&m, &ckpt, &name, &status);
  if (net == NULL)
    return status;
  g_autoptr (CnnNetwork) owned = ckpt ? NULL : net;
  g_autoptr (CnnSummaryData) data = cnn_summary_data_new (net);
  g_autofree char *title = g_strdup_printf ("Model %s", name);
  data->title = g_strdup (figure_title (&o, title));
  double w, h;
  cnn_panel_summary_natural_size (data, o.render_style, &w, &h);
  return figure_export (&o, w, h, draw_summary, data);
}

/* figure augment: one training image and what the trainer makes of it */

static void
draw_image_strip (cairo_t *cr, double width, double height, const CnnRenderStyle *style,
                  gpointer data)
{
  cnn_panel_image_strip_draw (data, style, cr, width, height);
}

#define DEFAULT_AUGMENT "rotation=15,width-shift=0.1,height-shift=0.1,hflip,zoom=0.1"

static int
figure_augment (int argc, char **argv)
{
  g_autofree char *data = NULL, *augment = NULL;
  int image = 0, count = 9, columns = 10;
  gint64 seed = 0;
  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_STRING, &data, "data set (default " DEFAULT_DATA ")", "D" },
    { "augment", 'a', 0, G_OPTION_ARG_STRING, &augment, "as train --augment (default " DEFAULT_AUGMENT ")", "SPEC" },
    { "image", 'i', 0, G_OPTION_ARG_INT, &image, "index of the training image (default 0)", "I" },
    { "count", 'n', 0, G_OPTION_ARG_INT, &count, "augmented versions: epochs 1 to N (default 9)", "N" },
    { "columns", 0, 0, G_OPTION_ARG_INT, &columns, "images per row (default 10)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "the run's seed, as train --seed (default 0)", "S" },
    { NULL }
  };
  g_auto (FigureOptions) o = { 0 };
  int status;
  if (!figure_parse ("- one training image as the trainer sees it, epoch by epoch", entries, &o,
                     &argc, &argv, &status))
    return status;
  if (count < 1 || count > 64)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--count must be from 1 to 64, not %d", count);
  if (columns < 1 || columns > 65)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--columns must be from 1 to 65, not %d", columns);
  if (seed < 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--seed must not be negative");

  g_autoptr (GError) error = NULL;
  g_autoptr (CnnAugment) aug = cnn_augment_parse (augment ? augment : DEFAULT_AUGMENT, &error);
  if (aug == NULL)
    return cnn_cli_fail (error);
  g_autoptr (CnnDataset) ds = cnn_dataset_load (data ? data : DEFAULT_DATA, (guint64) seed, &error);
  if (ds == NULL)
    return cnn_cli_fail (error);
  const CnnImageSet *set = ds->train;
  if (image < 0 || image >= set->n)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--image must be from 0 to %d for %s, not %d",
                                set->n - 1, ds->name, image);

  /* the original, then epochs 1..count, each exactly as cnn_trainer_run
   * augments this image in that epoch (byte units, before standardizing) */
  const int n = count + 1;
  const size_t size = (size_t) set->c * set->h * set->w;
  g_autofree float *pixels = g_new (float, (size_t) n * size);
  g_autofree const float **images = g_new (const float *, n);
  g_auto (GStrv) captions = g_new0 (char *, n + 1);
  for (int k = 0; k < n; k++)
    {
      float *dst = pixels + (size_t) k * size;    /* (c, h, w) */
      cnn_augment_sample (k == 0 ? NULL : aug, (guint64) seed, k, set, image, NULL, dst);
      images[k] = dst;
      captions[k] = k == 0 ? g_strdup_printf ("original (%s)", ds->class_names[set->labels[image]])
                           : g_strdup_printf ("epoch %d", k);
    }
  g_autofree char *spec = cnn_augment_describe (aug);
  g_autofree char *title = g_strdup_printf ("%s image %d, augmented: %s", ds->name, image, spec);
  CnnPanelImageStrip strip = {
    .c = set->c, .h = set->h, .w = set->w, .n = n, .images = images,
    .captions = (const char *const *) captions, .max_cols = columns,
    .title = figure_title (&o, title),
  };
  double w, h;
  cnn_panel_image_strip_natural_size (&strip, o.render_style, &w, &h);
  return figure_export (&o, w, h, draw_image_strip, &strip);
}

/* Later panels (activations, …) are one line here. */
static const struct
{
  const char *name;
  int (*run) (int argc, char **argv);
  const char *help;
} panels[] = {
  { "data", figure_data, "sample images of each class, in a grid" },
  { "standardization", figure_standardization, "mean and std images of the training set, class counts" },
  { "curves", figure_curves, "learning curves of run folders (train --out), overlaid" },
  { "filters", figure_filters, "the kernels of the first convolution layer" },
  { "summary", figure_summary, "layers, output shapes and parameter counts" },
  { "augment", figure_augment, "one training image and its augmented versions, epoch by epoch" },
  { "top-patches", figure_top_patches, "the image patches that excite each channel of a layer most" },
  { "activations", figure_activations, "every channel of a layer for one image, with the class probabilities" },
  { "feature-vis", figure_feature_vis, "inputs synthesized by gradient ascent to excite each channel of a layer" },
  { "class-vis", figure_class_vis, "for each class, an input that maximizes its score (Simonyan et al.)" },
};

static void
usage (FILE *out)
{
  fprintf (out, "Usage: convscope figure PANEL [OPTIONS] --out FIG.png|svg|pdf\n\nPanels:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (panels); i++)
    fprintf (out, "  %-16s %s\n", panels[i].name, panels[i].help);
  fprintf (out, "\nconvscope figure PANEL --help shows the options of a panel.\n");
}

/* "data, standardization or …": the panel names for messages */
static char *
panel_names (void)
{
  GString *names = g_string_new (NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (panels); i++)
    g_string_append_printf (names, "%s%s", i == 0 ? "" : i + 1 < G_N_ELEMENTS (panels) ? ", " : " or ",
                            panels[i].name);
  return g_string_free (names, FALSE);
}

int
cnn_cli_figure (int argc, char **argv)
{
  if (argc >= 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      usage (stdout);
      return CNN_EXIT_OK;
    }
  g_autofree char *names = panel_names ();
  if (argc < 2)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "figure needs a panel: %s (see convscope figure --help)",
                                names);
  for (gsize i = 0; i < G_N_ELEMENTS (panels); i++)
    if (strcmp (argv[1], panels[i].name) == 0)
      {
        g_autofree char *prgname = g_strdup_printf ("convscope figure %s", argv[1]);
        g_set_prgname (prgname);
        return panels[i].run (argc - 1, argv + 1);
      }
  return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "unknown figure “%s”: use %s", argv[1], names);
}
