/* convscope figure PANEL: a panel drawn to PNG, SVG or PDF without a
 * display. Each panel is one entry in `panels` below: a function that
 * declares its own options, loads what it shows and hands a draw function
 * to cnn_figure_export; the options every figure shares (--style, --size,
 * --dpi, --title, --out) are declared once here. The panels that look
 * inside a model live in cnn-cli-figure-inside.c. */
#include "cnn-cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cnn-cli-figure-private.h"

void
cnn_figure_options_clear (FigureOptions *o)
{
  g_free (o->style);
  g_free (o->size);
  g_free (o->title);
  g_free (o->out);
}

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
gboolean
cnn_figure_parse (const char *summary, const GOptionEntry *panel_entries, FigureOptions *o,
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
  else if (o->out == NULL && !o->out_optional)
    *status = cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s needs --out FIG.png|svg|pdf", g_get_prgname ());
  else if (o->out && !cnn_render_format_from_path (o->out, &format, &error))
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
const char *
cnn_figure_title (const FigureOptions *o, const char *fallback)
{
  return o->title ? o->title : fallback;
}

int
cnn_figure_export (const FigureOptions *o, double natural_w, double natural_h, CnnRenderDrawFunc draw,
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
  g_autofree char *data = NULL, *split = NULL, *classes = NULL;
  int per_class = 8;
  gint64 seed = 1;
  GOptionEntry entries[] = {
    { "data", 'd', 0, G_OPTION_ARG_STRING, &data, "data set (default " DEFAULT_DATA ")", "D" },
    { "per-class", 'n', 0, G_OPTION_ARG_INT, &per_class, "images per class (default 8)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "chooses the images, and generates synthetic data (default 1)", "S" },
    { "split", 0, 0, G_OPTION_ARG_STRING, &split, "train or test (default train)", "S" },
    { "classes", 0, 0, G_OPTION_ARG_STRING, &classes, "only these classes, in this order: 0-4 or 5,6,7 (default all)", "LIST" },
    { NULL }
  };
  g_auto (FigureOptions) o = { 0 };
  int status;
  if (!cnn_figure_parse ("- sample images of each class", entries, &o, &argc, &argv, &status))
    return status;
  if (per_class < 1 || per_class > 64)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--per-class must be from 1 to 64, not %d", per_class);
  if (seed < 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--seed must not be negative");

  g_autoptr (GError) error = NULL;
  g_autoptr (CnnDataset) ds = cnn_dataset_load (data ? data : DEFAULT_DATA, (guint64) seed, &error);
  if (ds == NULL || !cnn_dataset_apply_classes (ds, classes, &error))
    return cnn_cli_fail (error);
  const CnnImageSet *set;
  if (!parse_split (split, ds, &set, &status))
    return status;
  g_autofree int *idx = cnn_panel_samples_pick (set, ds->n_classes, per_class, (guint64) seed);
  g_autofree char *title = g_strdup_printf ("%s: %s images, %d per class", ds->name,
                                            set == ds->test ? "test" : "training", per_class);
  CnnPanelSamples panel = {
    .set = set, .n_classes = ds->n_classes, .class_names = (const char *const *) ds->class_names,
    .per_class = per_class, .idx = idx, .title = cnn_figure_title (&o, title),
  };
  double w, h;
  cnn_panel_samples_natural_size (&panel, o.render_style, &w, &h);
  return cnn_figure_export (&o, w, h, draw_samples, &panel);
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
  if (!cnn_figure_parse ("- per-pixel mean and std of the training images", entries, &o, &argc, &argv,
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
  panel->title = g_strdup (cnn_figure_title (&o, title));
  double w, h;
  cnn_panel_standardization_natural_size (panel, o.render_style, &w, &h);
  return cnn_figure_export (&o, w, h, draw_standardization, panel);
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
  if (!cnn_figure_parse ("- learning curves of one or more runs", entries, &o, &argc, &argv, &status))
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
  data.title = cnn_figure_title (&o, runs->len == 1 ? "Learning curves" : "Learning curves, compared");
  if (csv)
    {
      g_autoptr (GError) error = NULL;
      if (!cnn_curve_runs_write_csv (data.runs, data.n_runs, smoothing, csv, &error))
        return cnn_cli_fail (error);
    }
  double w, h;
  cnn_panel_curves_natural_size (&data, o.render_style, &w, &h);
  return cnn_figure_export (&o, w, h, draw_curves, &data);
}

void
cnn_figure_model_options_clear (ModelOptions *m)
{
  g_free (m->model);
  g_free (m->data);
  g_free (m->shape);
}

CnnNetwork *
cnn_figure_load_model (const ModelOptions *m, CnnCheckpoint **ckpt_out, char **name, int *status)
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

/* figure augment: one training image and what the trainer makes of it */

void
cnn_figure_draw_image_strip (cairo_t *cr, double width, double height, const CnnRenderStyle *style,
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
  if (!cnn_figure_parse ("- one training image as the trainer sees it, epoch by epoch", entries, &o,
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
    .title = cnn_figure_title (&o, title),
  };
  double w, h;
  cnn_panel_image_strip_natural_size (&strip, o.render_style, &w, &h);
  return cnn_figure_export (&o, w, h, cnn_figure_draw_image_strip, &strip);
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
  { "filters", cnn_figure_filters, "the kernels of the first convolution layer" },
  { "summary", cnn_figure_summary, "layers, output shapes and parameter counts" },
  { "augment", figure_augment, "one training image and its augmented versions, epoch by epoch" },
  { "top-patches", cnn_figure_top_patches, "the image patches that excite each channel of a layer most" },
  { "activations", cnn_figure_activations, "every channel of a layer for one image, with the class probabilities" },
  { "feature-vis", cnn_figure_feature_vis, "inputs synthesized by gradient ascent to excite each channel of a layer" },
  { "class-vis", cnn_figure_class_vis, "for each class, an input that maximizes its score (Simonyan et al.)" },
  { "receptive-field", cnn_figure_receptive_field, "the receptive field of each layer, as it grows" },
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
