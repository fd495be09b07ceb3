/* convscope explain saliency|occlusion|lime|gradcam|all: which pixels made
 * the model decide, as a figure (--out) and as raw maps (--npy). */
#include "cnn-cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cnn-cli-figure-private.h"

enum { SALIENCY, OCCLUSION, LIME, GRADCAM, N_METHODS };

static const char *const method_names[N_METHODS] = { "saliency", "occlusion", "lime", "gradcam" };
static const char *const method_titles[N_METHODS] = { "Saliency", "Occlusion", "LIME", "Grad-CAM" };

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
  return g_strdup_printf ("%.*s-%s.npy", (int) len, path, method_names[method]);
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
    want[k] = all || (method_arg && strcmp (method_arg, method_names[k]) == 0);
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
  for (size_t i = 0; i < size; i++)
    gray[i] = (128.0f - nz->mean[i]) * nz->scale[i];
  g_autoptr (CnnPool) pool = cnn_pool_new (e.threads);
  CnnSaliencyConfig sal;
  cnn_saliency_config_init (&sal);
  sal.smoothgrad = e.smoothgrad;
  sal.noise = e.noise;
  sal.seed = (guint64) MAX (e.m.seed, 0);
  CnnOcclusionConfig occ;
  cnn_occlusion_config_init (&occ);
  occ.patch = e.patch;
  occ.stride = e.stride;
  occ.fill = fill;
  occ.gray = gray;
  CnnLimeConfig lc;
  cnn_lime_config_init (&lc);
  lc.samples = e.samples;
  lc.features = e.features;
  lc.region_size = e.region_size;
  lc.fill = fill;
  lc.gray = gray;
  lc.seed = sal.seed;

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
  g_autoptr (CnnLime) shown_lime = NULL;
  g_autofree float *probs = g_new (float, K);
  g_autofree float *seg_image = g_new (float, size);
  int predicted = 0, target = 0;
  for (int i = 0; i < in.n; i++)
    {
      const float *x = in.x + (size_t) i * size;   /* (C, H, W) */
      int pred = cnn_explain_predict (net, pool, x, probs);
      int t = e.target >= 0 ? e.target : pred;
      gboolean ok = TRUE;
      if (want[SALIENCY])
        ok = ok && cnn_explain_saliency (net, pool, x, t, &sal, maps[SALIENCY] + i * plane, &error);
      if (want[OCCLUSION])
        ok = ok && cnn_explain_occlusion (net, pool, x, t, &occ, maps[OCCLUSION] + i * plane, &error);
      if (want[GRADCAM])
        ok = ok && cnn_explain_gradcam (net, pool, x, t, gradcam_layer, maps[GRADCAM] + i * plane, &error);
      if (ok && want[LIME])
        {
          for (size_t j = 0; j < size; j++)
            seg_image[j] = CLAMP (in.display[(size_t) i * size + j] / 255.0f, 0.0f, 1.0f);
          g_autoptr (CnnLime) lime = cnn_lime_explain (net, pool, x, seg_image, t, &lc, &error);
          ok = lime != NULL;
          if (ok)
            {
              memcpy (maps[LIME] + i * plane, lime->map, plane * sizeof (float));
              if (i == e.index)
                shown_lime = g_steal_pointer (&lime);
            }
        }
      if (!ok)
        return cnn_cli_fail (error);
      if (i == e.index)
        {
          predicted = pred;
          target = t;
        }
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
  const float *x = in.x + (size_t) e.index * size;
  cnn_explain_predict (net, pool, x, probs);
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
  CnnPanelExplain panel = {
    .c = s.c, .h = s.h, .w = s.w, .image = in.display + (size_t) e.index * size, .opacity = e.opacity,
    .n_classes = K, .probs = probs, .class_names = names && (int) g_strv_length (names) == K
                                                    ? (const char *const *) names : NULL,
    .title = cnn_figure_title (&o, title),
  };
  g_auto (GStrv) settings = g_new0 (char *, N_METHODS + 1);
  g_autofree int *positive = NULL, *negative = NULL;
  for (int k = 0; k < N_METHODS; k++)
    {
      if (!want[k])
        continue;
      /* settings[] stays NULL-terminated: the maps' slots are consecutive */
      const int slot = panel.n_maps;
      CnnPanelExplainMap *m = &panel.maps[panel.n_maps++];
      m->name = method_titles[k];
      m->values = maps[k] + (size_t) e.index * plane;
      switch (k)
        {
        case SALIENCY:
          m->unit = "|d score / d pixel|";
          settings[slot] = sal.smoothgrad > 0 ? g_strdup_printf ("SmoothGrad: %d noisy copies, noise %g %% of the "
                                                              "range", sal.smoothgrad, 100 * sal.noise)
                                           : g_strdup ("gradient of the class score, max over channels");
          break;
        case OCCLUSION:
          m->unit = "drop of probability";
          m->is_signed = TRUE;
          settings[slot] = g_strdup_printf ("patch %d, stride %d, %s fill", occ.patch, occ.stride,
                                         cnn_fill_name (fill));
          break;
        case LIME:
          {
            CnnLime *l = shown_lime;
            m->unit = "weight";
            m->is_signed = TRUE;
            m->segments = l->segments;
            positive = g_new (int, l->features);
            negative = g_new (int, l->features);
            for (int j = 0; j < l->n_positive; j++)
              positive[j] = l->order[j];
            for (int j = 0; j < l->n_negative; j++)
              negative[j] = l->order[l->n_segments - 1 - j];
            m->positive = positive;
            m->n_positive = l->n_positive;
            m->negative = negative;
            m->n_negative = e.negative ? l->n_negative : 0;
            settings[slot] = g_strdup_printf ("R² %.2f; %d samples, %d superpixels, %s fill; top %d outlined%s",
                                           l->r2, lc.samples, l->n_segments, cnn_fill_name (fill), l->n_positive,
                                           e.negative ? ", negative dashed" : "");
          }
          break;
        case GRADCAM:
          {
            const CnnLayer *l = cnn_network_get_layer (net, gradcam_layer);
            m->unit = "class activation";
            float top = 0;
            for (size_t j = 0; j < plane; j++)
              top = MAX (top, m->values[j]);
            /* Grad-CAM rectifies Σ α_k A_k: a head that reads positions
             * separately (flatten + dense) can leave nothing positive */
            settings[slot] = g_strdup_printf ("layer %s (%d×%d), upsampled%s", l->name, l->out_shape.h,
                                           l->out_shape.w, top > 0 ? "" : "; all zero: no positive "
                                           "evidence at this layer (try --layer)");
          }
          break;
        }
      m->settings = settings[slot];
    }
  double w, h;
  cnn_panel_explain_natural_size (&panel, o.render_style, &w, &h);
  return cnn_figure_export (&o, w, h, draw_explain, &panel);
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
