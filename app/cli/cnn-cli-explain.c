/* convscope explain saliency|occlusion|lime|gradcam|all: which pixels made
 * the model decide, as a figure (--out) and as raw maps (--npy). */
#include "cnn-cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cnn-cli-figure-private.h"

/* the engine's order: saliency, occlusion, LIME, Grad-CAM */
enum
{
  SALIENCY = CNN_EXPLAIN_SALIENCY,
  OCCLUSION = CNN_EXPLAIN_OCCLUSION,
  LIME = CNN_EXPLAIN_LIME,
  GRADCAM = CNN_EXPLAIN_GRADCAM,
  N_METHODS = CNN_EXPLAIN_N_METHODS
};

typedef struct
{
  ModelOptions m;
  char   *input, *npy, *fill, *layer;
  int     index, target, threads;
  int     smoothgrad, patch, stride, samples, features, region_size;
  double  noise, opacity;
  gboolean negative;
} ExplainOptions;

static void
explain_options_clear (ExplainOptions *e)
{
  cnn_figure_model_options_clear (&e->m);
  g_free (e->input);
  g_free (e->npy);
  g_free (e->fill);
  g_free (e->layer);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ExplainOptions, explain_options_clear)

/* The images to explain, in the model's input scale, and as the user sees
 * them (byte units) for the figure and LIME's superpixels. */
typedef struct
{
  int     n;
  float  *x;         /* (n, C, H, W) */
  float  *display;   /* (n, C, H, W), 0 .. 255 */
  char   *what;      /* "fashion-mnist test image 3" */
  int     label;     /* the true class of a data set image, else -1 */
} Inputs;

static void
inputs_clear (Inputs *in)
{
  g_free (in->x);
  g_free (in->display);
  g_free (in->what);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Inputs, inputs_clear)

static gboolean
is_npy (const char *path)
{
  FILE *f = fopen (path, "rb");
  if (f == NULL)
    return FALSE;
  char magic[6] = { 0 };
  gboolean yes = fread (magic, 1, 6, f) == 6 && memcmp (magic, "\x93NUMPY", 6) == 0;
  fclose (f);
  return yes;
}

/* .npy input: (N, C, H, W), (C, H, W), or (H, W) for a gray model,
 * already in the model's input scale; the figure shows it through the
 * inverse of the model's standardization. */
static gboolean
load_npy_inputs (const char *path, CnnShape s, const CnnNormalizer *nz, Inputs *in, int *status)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNpy) npy = cnn_npy_load (path, &error);
  if (npy == NULL)
    {
      *status = cnn_cli_fail (error);
      return FALSE;
    }
  const gint64 *d = npy->shape;
  gint64 n = -1;
  if (npy->ndim == 4 && d[1] == s.c && d[2] == s.h && d[3] == s.w)
    n = d[0];
  else if (npy->ndim == 3 && d[0] == s.c && d[1] == s.h && d[2] == s.w)
    n = 1;
  else if (npy->ndim == 2 && s.c == 1 && d[0] == s.h && d[1] == s.w)
    n = 1;
  if (n < 1 || n > 100000)
    {
      GString *shape = g_string_new ("(");
      for (int i = 0; i < npy->ndim; i++)
        g_string_append_printf (shape, "%s%" G_GINT64_FORMAT, i ? ", " : "", d[i]);
      g_string_append_c (shape, ')');
      *status = cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s: holds an array of shape %s; the model takes "
                                     "(N, %d, %d, %d) with N from 1 to 100000", path, shape->str, s.c, s.h, s.w);
      g_string_free (shape, TRUE);
      return FALSE;
    }
  const size_t size = cnn_shape_size (s);
  for (size_t i = 0; i < npy->n; i++)
    if (!isfinite (npy->data[i]))
      {
        *status = cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s: value %zu is not a finite number", path, i);
        return FALSE;
      }
  in->n = (int) n;
  in->x = g_steal_pointer (&npy->data);
  in->display = g_new (float, (size_t) n * size);
  for (size_t i = 0; i < (size_t) n * size; i++)
    {
      size_t k = i % size;
      in->display[i] = nz->scale[k] != 0 ? in->x[i] / nz->scale[k] + nz->mean[k] : 128.0f;
    }
  g_autofree char *base = g_path_get_basename (path);
  in->what = g_strdup (base);
  in->label = -1;
  return TRUE;
}

static void
from_set (const CnnImageSet *set, int image, const CnnNormalizer *nz, Inputs *in)
{
  const size_t size = (size_t) set->c * set->h * set->w;
  in->n = 1;
  in->x = g_new (float, size);
  in->display = g_new (float, size);
  cnn_normalizer_gather (nz, set, &image, 1, in->x);
  for (size_t i = 0; i < size; i++)
    in->display[i] = set->pixels[(size_t) image * size + i];
}

/* "maps.npy" -> "maps-saliency.npy" for `all` */
static char *
npy_path (const char *path, int method, gboolean all)
{
  if (!all)
    return g_strdup (path);
  size_t len = strlen (path);
  if (len > 4 && g_ascii_strcasecmp (path + len - 4, ".npy") == 0)
    len -= 4;
  return g_strdup_printf ("%.*s-%s.npy", (int) len, path, cnn_explain_method_name (method));
}

static void
draw_explain (cairo_t *cr, double width, double height, const CnnRenderStyle *style, gpointer data)
{
  cnn_panel_explain_draw (data, style, cr, width, height);
}

static const char *
class_name (char **names, int K, int k, char *buf, size_t len)
{
  if (names && (int) g_strv_length (names) == K && k >= 0 && k < K)
    return names[k];
  g_snprintf (buf, len, "class %d", k);
  return buf;
}

int
cnn_cli_explain (int argc, char **argv)
{
  g_auto (ExplainOptions) e = { .index = 0, .target = -1, .smoothgrad = 0, .noise = 0.15, .patch = 4,
                                .stride = 1, .samples = 1000, .features = 5, .opacity = 0.65 };
  const char *method_arg = NULL;
  if (argc > 1 && argv[1][0] != '-')
    {
      method_arg = argv[1];
      argv[1] = argv[0];
      argc--;
      argv++;
    }
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &e.m.model, "checkpoint, preset or spec file (default cnn2)", "FILE" },
    { "data", 'd', 0, G_OPTION_ARG_STRING, &e.m.data, "for a preset: the data set whose input and classes it is built for", "D" },
    { "input-shape", 0, 0, G_OPTION_ARG_STRING, &e.m.shape, "for a preset: channels,height,width (default 1,28,28)", "C,H,W" },
    { "classes", 0, 0, G_OPTION_ARG_INT, &e.m.classes, "for a preset: number of classes (default 10)", "K" },
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &e.input, "X.npy (float32 (N, C, H, W) in the model's input scale) or a PNG/JPEG image, made like the training images; default: an image of the checkpoint's data set", "FILE" },
    { "index", 0, 0, G_OPTION_ARG_INT, &e.index, "which image: of the data set's test split (else the checkpoint's validation images), or of X.npy for the figure (default 0)", "I" },
    { "class", 'k', 0, G_OPTION_ARG_INT, &e.target, "the class to explain (default: the predicted one, per image)", "K" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &e.m.seed, "seed of LIME's samples and SmoothGrad's noise, and of a preset's fresh weights (default 0)", "S" },
    { "npy", 0, 0, G_OPTION_ARG_FILENAME, &e.npy, "write the maps, float32 (N, H, W) at the input's size; for all, one file per method: MAP-saliency.npy, MAP-occlusion.npy, MAP-lime.npy, MAP-gradcam.npy", "MAP.npy" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &e.threads, "worker threads (default: one per core)", "T" },
    { "opacity", 0, 0, G_OPTION_ARG_DOUBLE, &e.opacity, "of the maps over the image in the figure, 0 to 1 (default 0.65)", "F" },
    { "smoothgrad", 0, 0, G_OPTION_ARG_INT, &e.smoothgrad, "saliency: average over N noisy copies (SmoothGrad; default 0: plain gradient)", "N" },
    { "noise", 0, 0, G_OPTION_ARG_DOUBLE, &e.noise, "saliency: SmoothGrad's noise, a fraction of the input's range (default 0.15)", "F" },
    { "patch", 0, 0, G_OPTION_ARG_INT, &e.patch, "occlusion: side of the square patch in pixels (default 4)", "P" },
    { "stride", 0, 0, G_OPTION_ARG_INT, &e.stride, "occlusion: pixels between patch positions (default 1)", "S" },
    { "fill", 0, 0, G_OPTION_ARG_STRING, &e.fill, "occlusion and LIME: what covers a pixel: blur (default: the image blurred, no new edges), gray, mean or zero", "F" },
    { "samples", 0, 0, G_OPTION_ARG_INT, &e.samples, "LIME: perturbed images (default 1000)", "N" },
    { "features", 0, 0, G_OPTION_ARG_INT, &e.features, "LIME: superpixels outlined (default 5)", "K" },
    { "negative", 0, 0, G_OPTION_ARG_NONE, &e.negative, "LIME: also outline the K most negative superpixels (dashed)", NULL },
    { "region-size", 0, 0, G_OPTION_ARG_INT, &e.region_size, "LIME: superpixel side in pixels (default: about 50 superpixels, at least 4 px)", "P" },
    { "layer", 'l', 0, G_OPTION_ARG_STRING, &e.layer, "Grad-CAM: layer by name (default: the last with a spatial output)", "NAME" },
    { NULL }
  };
  g_auto (FigureOptions) o = { .out_optional = TRUE };
  int status;
  if (!cnn_figure_parse ("saliency|occlusion|lime|gradcam|all - which pixels made the model decide", entries, &o,
                         &argc, &argv, &status))
    return status;
  gboolean want[N_METHODS] = { FALSE };
  gboolean all = method_arg && strcmp (method_arg, "all") == 0;
  for (int k = 0; k < N_METHODS; k++)
    want[k] = all || (method_arg && strcmp (method_arg, cnn_explain_method_name (k)) == 0);
  if (method_arg == NULL || !(all || want[0] || want[1] || want[2] || want[3]))
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, method_arg ? "explain takes saliency, occlusion, lime, gradcam "
                                "or all, not “%s”" : "explain needs a method: saliency, occlusion, lime, gradcam or all%s",
                                method_arg ? method_arg : "");
  if (o.out == NULL && e.npy == NULL)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "explain needs --out FIG.png|svg|pdf, --npy MAP.npy or both");
  CnnFill fill = CNN_FILL_BLUR;
  g_autoptr (GError) error = NULL;
  if (e.fill && !cnn_fill_parse (e.fill, &fill, &error))
    return cnn_cli_fail (error);
  if (e.smoothgrad < 0 || e.smoothgrad > 10000 || !(e.noise >= 0 && e.noise <= 10) || e.patch < 1
      || e.stride < 1 || e.samples < 2 || e.samples > 1000000 || e.features < 1 || e.region_size < 0
      || e.threads < 0 || !(e.opacity >= 0 && e.opacity <= 1) || e.index < 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "an option is out of range: --smoothgrad 0 to 10000, --noise "
                                "0 to 10, --patch, --stride, --features at least 1, --samples 2 to 1000000, "
                                "--opacity 0 to 1, --index, --threads, --region-size not negative");

  g_auto (CnnFigureProbe) p = { 0 };
  if (!cnn_figure_probe_load (&e.m, NULL, FALSE, e.input == NULL, &p, &status))
    return status;
  CnnNetwork *net = p.net;
  const CnnShape s = cnn_network_get_input_shape (net);
  const size_t size = cnn_shape_size (s), plane = (size_t) s.h * s.w;
  const int K = cnn_explain_n_classes (net);
  if (e.target >= K)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--class must be from 0 to %d for %s, not %d", K - 1, p.name,
                                e.target);
  int gradcam_layer = -1;
  if (want[GRADCAM] && e.layer && (gradcam_layer = cnn_network_find_layer (net, e.layer)) < 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s has no layer “%s”", p.name, e.layer);
  if (want[GRADCAM] && gradcam_layer < 0 && (gradcam_layer = cnn_explain_gradcam_default_layer (net)) < 0)
    return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "%s has no layer with a spatial output for Grad-CAM", p.name);

  /* without a data set: the checkpoint's standardization, else pixels / 255 */
  g_autoptr (CnnNormalizer) plain = NULL;
  const CnnNormalizer *nz = p.nz;
  if (nz == NULL)
    {
      g_autofree float *zeros = g_new0 (float, size);
      g_autofree float *scale = g_new (float, size);
      for (size_t i = 0; i < size; i++)
        scale[i] = 1.0f / 255.0f;
      nz = plain = cnn_normalizer_new_from (CNN_STANDARDIZE_SCALE, s.c, s.h, s.w, zeros, scale);
    }
  g_auto (Inputs) in = { .label = -1 };
  char **names = p.ckpt && p.ckpt->meta.class_names ? p.ckpt->meta.class_names : p.ds ? p.ds->class_names : NULL;
  if (e.input && is_npy (e.input))
    {
      if (!load_npy_inputs (e.input, s, nz, &in, &status))
        return status;
      if (e.index >= in.n)
        return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--index must be from 0 to %d for %s, not %d", in.n - 1,
                                    e.input, e.index);
    }
  else if (e.input)
    {
      g_autoptr (CnnImageSet) set = cnn_figure_probe_image_file (&p, e.input, &status);
      if (set == NULL)
        return status;
      from_set (set, 0, nz, &in);
      in.what = g_path_get_basename (e.input);
      e.index = 0;
    }
  else
    {
      /* the test split; without one, the checkpoint's validation images */
      const CnnImageSet *set = p.set;
      int image = e.index, count = set->n;
      const char *split = "test";
      g_autofree int *val = NULL;
      if (p.ds->test == NULL && p.ckpt)
        {
          g_autofree int *train_idx = NULL;
          int n_train, n_val;
          cnn_dataset_split (p.ds, p.ckpt->meta.val_split, p.ckpt->meta.limit_per_class, p.ckpt->meta.seed,
                             &train_idx, &n_train, &val, &n_val);
          if (n_val > 0)
            {
              count = n_val;
              split = "validation";
              image = e.index < n_val ? val[e.index] : -1;
            }
        }
      else if (p.ds->test == NULL)
        split = "training";
      if (e.index >= count)
        return cnn_cli_fail_printf (CNN_EXIT_BAD_INPUT, "--index must be from 0 to %d for the %s images of %s, "
                                    "not %d", count - 1, split, p.ds->name, e.index);
      from_set (set, image, nz, &in);
      in.what = g_strdup_printf ("%s %s image %d", p.ds->name, split, e.index);
      in.label = set->labels[image];
      e.index = 0;
    }

  /* a mid-gray image in the model's scale: what "gray" fills with */
  g_autofree float *gray = g_new (float, size);
  cnn_normalizer_constant (nz, 128.0f, gray);
  g_autoptr (CnnPool) pool = cnn_pool_new (e.threads);
  CnnExplainSettings settings;
  cnn_explain_settings_init (&settings);
  for (int k = 0; k < N_METHODS; k++)
    settings.want[k] = want[k];
  settings.saliency.smoothgrad = e.smoothgrad;
  settings.saliency.noise = e.noise;
  settings.saliency.seed = (guint64) MAX (e.m.seed, 0);
  settings.occlusion.patch = e.patch;
  settings.occlusion.stride = e.stride;
  settings.occlusion.fill = fill;
  settings.lime.samples = e.samples;
  settings.lime.features = e.features;
  settings.lime.region_size = e.region_size;
  settings.lime.fill = fill;
  settings.lime.seed = settings.saliency.seed;
  settings.gradcam_layer = gradcam_layer;

  /* one block, a (N, H, W) map per method wanted */
  int n_wanted = 0;
  for (int k = 0; k < N_METHODS; k++)
    n_wanted += want[k];
  g_autofree float *map_block = g_try_new0 (float, (size_t) n_wanted * in.n * plane);
  if (map_block == NULL)
    return cnn_cli_fail_printf (CNN_EXIT_FAILURE, "not enough memory for the maps of %d images", in.n);
  float *maps[N_METHODS] = { NULL };
  for (int k = 0, j = 0; k < N_METHODS; k++)
    if (want[k])
      maps[k] = map_block + (size_t) j++ * in.n * plane;
  g_autoptr (CnnExplanation) shown = NULL;
  g_autofree float *seg_image = g_new (float, size);
  for (int i = 0; i < in.n; i++)
    {
      const float *x = in.x + (size_t) i * size;   /* (C, H, W) */
      for (size_t j = 0; j < size; j++)
        seg_image[j] = CLAMP (in.display[(size_t) i * size + j] / 255.0f, 0.0f, 1.0f);
      g_autoptr (CnnExplanation) ex = cnn_explanation_compute (net, pool, x, seg_image, gray, e.target,
                                                               &settings, &error);
      if (ex == NULL)
        return cnn_cli_fail (error);
      for (int k = 0; k < N_METHODS; k++)
        if (want[k])
          memcpy (maps[k] + i * plane, ex->maps[k], plane * sizeof (float));
      if (i == e.index)
        shown = g_steal_pointer (&ex);
    }

  if (e.npy)
    for (int k = 0; k < N_METHODS; k++)
      if (want[k])
        {
          g_autofree char *path = npy_path (e.npy, k, all);
          const gint64 shape[3] = { in.n, s.h, s.w };
          if (!cnn_npy_save (path, maps[k], 3, shape, &error))
            return cnn_cli_fail (error);
        }
  if (o.out == NULL)
    return CNN_EXIT_OK;

  /* the figure: image e.index */
  const int predicted = shown->predicted, target = shown->target;
  const float *probs = shown->probs;
  char b1[32], b2[32], b3[32];
  const char *pred_name = class_name (names, K, predicted, b1, sizeof b1);
  const char *target_name = class_name (names, K, target, b2, sizeof b2);
  g_autofree char *truth = in.label >= 0 ? g_strdup_printf (", true class %s", class_name (names, K, in.label,
                                                                                         b3, sizeof b3))
                                         : g_strdup ("");
  g_autofree char *title = target == predicted
    ? g_strdup_printf ("%s on %s%s: predicted %s (%.0f %%)", p.name, in.what, truth, pred_name,
                       100.0 * probs[predicted])
    : g_strdup_printf ("%s on %s%s: predicted %s (%.0f %%), explaining %s (%.0f %%)", p.name, in.what, truth,
                       pred_name, 100.0 * probs[predicted], target_name, 100.0 * probs[target]);
  CnnExplainFigure f;
  cnn_explain_figure_init (&f, shown, in.display + (size_t) e.index * size, e.opacity, e.negative);
  f.panel.class_names = names && (int) g_strv_length (names) == K ? (const char *const *) names : NULL;
  f.panel.title = cnn_figure_title (&o, title);
  CnnPanelExplain panel = f.panel;
  double w, h;
  cnn_panel_explain_natural_size (&panel, o.render_style, &w, &h);
  int status_export = cnn_figure_export (&o, w, h, draw_explain, &panel);
  cnn_explain_figure_clear (&f);
  return status_export;
}

static int
by_value (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* convscope bench --explain: each method on one image of `set`, the
 * median of repeated runs (issue 6's budget on cnn2, 28×28, 2 cores:
 * saliency and Grad-CAM < 5 ms, occlusion with patch 4 and stride 1
 * < 0.3 s, LIME with 1000 samples < 1 s). */
int
cnn_cli_bench_explain (CnnNetwork *net, const char *model, const CnnImageSet *set, const CnnNormalizer *nz,
                       CnnPool *pool, gboolean json)
{
  const CnnShape s = cnn_network_get_input_shape (net);
  g_autofree float *x = g_new (float, cnn_shape_size (s));
  g_autofree float *map = g_new (float, (size_t) s.h * s.w);
  int image = 0;
  cnn_normalizer_gather (nz, set, &image, 1, x);
  const int runs[N_METHODS] = { 51, 7, 5, 51 };
  double ms[N_METHODS];
  g_autoptr (GError) error = NULL;
  CnnSaliencyConfig sal;
  cnn_saliency_config_init (&sal);
  CnnOcclusionConfig occ;
  cnn_occlusion_config_init (&occ);
  CnnLimeConfig lc;
  cnn_lime_config_init (&lc);
  for (int k = 0; k < N_METHODS; k++)
    {
      double t[64];
      for (int r = 0; r <= runs[k]; r++)   /* run 0 warms up */
        {
          gint64 t0 = g_get_monotonic_time ();
          gboolean ok = TRUE;
          if (k == SALIENCY)
            ok = cnn_explain_saliency (net, pool, x, -1, &sal, map, &error);
          else if (k == OCCLUSION)
            ok = cnn_explain_occlusion (net, pool, x, -1, &occ, map, &error);
          else if (k == GRADCAM)
            ok = cnn_explain_gradcam (net, pool, x, -1, -1, map, &error);
          else
            {
              CnnLime *lime = cnn_lime_explain (net, pool, x, NULL, -1, &lc, &error);
              ok = lime != NULL;
              cnn_lime_free (lime);
            }
          if (!ok)
            return cnn_cli_fail (error);
          if (r > 0)
            t[r - 1] = (g_get_monotonic_time () - t0) / 1e3;
        }
      qsort (t, runs[k], sizeof (double), by_value);
      ms[k] = t[runs[k] / 2];
    }
  const int threads = cnn_pool_get_n_threads (pool);
  if (json)
    printf ("{\"model\": \"%s\", \"input\": \"%d×%d×%d\", \"threads\": %d, \"saliency_ms\": %.3f, "
            "\"occlusion_ms\": %.3f, \"lime_ms\": %.3f, \"gradcam_ms\": %.3f}\n", model, s.c, s.h, s.w, threads,
            ms[SALIENCY], ms[OCCLUSION], ms[LIME], ms[GRADCAM]);
  else
    printf ("%s on %d×%d×%d, %d threads, median of %d/%d/%d/%d runs: saliency %.2f ms, occlusion (patch 4, "
            "stride 1) %.1f ms, LIME (1000 samples) %.1f ms, Grad-CAM %.2f ms\n", model, s.c, s.h, s.w, threads,
            runs[0], runs[1], runs[2], runs[3], ms[SALIENCY], ms[OCCLUSION], ms[LIME], ms[GRADCAM]);
  return CNN_EXIT_OK;
}
