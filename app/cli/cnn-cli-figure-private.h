/* cnn-cli-figure-private.h: what the figure commands share: the options
 * every figure takes, --model loading, export, and each panel's entry. */
#pragma once

#include "cnn-cli.h"
#include "cnn-render.h"

G_BEGIN_DECLS

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
  gboolean out_optional;  /* set before parsing: --out may be missing (explain --npy) */
} FigureOptions;

void cnn_figure_options_clear (FigureOptions *o);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FigureOptions, cnn_figure_options_clear)

/* Parses argv with the panel's entries and the shared ones, then checks the
 * shared ones, so that a bad --out or --size fails before any data loads. */
gboolean    cnn_figure_parse  (const char *summary, const GOptionEntry *panel_entries, FigureOptions *o,
                               int *argc, char ***argv, int *status);
/* The panel's title: --title if given, else its default. */
const char *cnn_figure_title  (const FigureOptions *o, const char *fallback);
int         cnn_figure_export (const FigureOptions *o, double natural_w, double natural_h,
                               CnnRenderDrawFunc draw, gpointer data);
void        cnn_figure_draw_image_strip (cairo_t *cr, double width, double height,
                                         const CnnRenderStyle *style, gpointer data);

/* The network of --model: a checkpoint with its trained weights, or a
 * preset or spec file with fresh ones for the input of --data or
 * --input-shape (default the default data set's, 1×28×28, 10 classes). */
typedef struct
{
  char *model, *data, *shape;
  int   classes;
  gint64 seed;
} ModelOptions;

void cnn_figure_model_options_clear (ModelOptions *m);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ModelOptions, cnn_figure_model_options_clear)

#define MODEL_ENTRIES(m) \
  { "model", 'm', 0, G_OPTION_ARG_FILENAME, &(m).model, "checkpoint, preset or spec file (default cnn2)", "M" }, \
  { "data", 'd', 0, G_OPTION_ARG_STRING, &(m).data, "for a preset: the data set whose input and classes it is built for", "D" }, \
  { "input-shape", 0, 0, G_OPTION_ARG_STRING, &(m).shape, "for a preset: channels,height,width (default 1,28,28)", "C,H,W" }, \
  { "classes", 0, 0, G_OPTION_ARG_INT, &(m).classes, "for a preset: number of classes (default 10)", "K" }, \
  { "seed", 's', 0, G_OPTION_ARG_INT64, &(m).seed, "for a preset: seed of the fresh weights (default 0)", "S" }

CnnNetwork *cnn_figure_load_model (const ModelOptions *m, CnnCheckpoint **ckpt_out, char **name,
                                   int *status);

/* What the figures that look inside a model share: the model of --model,
 * one of its layers (by --layer, else the last conv2d, when asked for) and,
 * when asked, the images to probe it with: the test split (else training)
 * of the data set the checkpoint was trained on, else of --data,
 * standardized as in training. */
typedef struct
{
  CnnCheckpoint       *ckpt;     /* NULL for a preset or spec file */
  CnnNetwork          *net;      /* the checkpoint's, or owned */
  char                *name;
  int                  layer;    /* -1 unless asked for */
  CnnDataset          *ds;       /* NULL unless asked for */
  const CnnImageSet   *set;
  const CnnNormalizer *nz;       /* the checkpoint's, or `fitted`; NULL without data for a preset */
  CnnNormalizer       *fitted;   /* pixels to [0, 1] for a fresh preset */
} CnnFigureProbe;

void     cnn_figure_probe_clear (CnnFigureProbe *p);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CnnFigureProbe, cnn_figure_probe_clear)
gboolean cnn_figure_probe_load  (const ModelOptions *m, const char *layer, gboolean need_layer,
                                 gboolean with_data, CnnFigureProbe *p, int *status);
/* A PNG or JPEG file as one image of the model's input shape, resized as
 * its training images were (the checkpoint's fit). */
CnnImageSet *cnn_figure_probe_image_file (const CnnFigureProbe *p, const char *path, int *status);

/* the panels of cnn-cli-figure-inside.c: what a model has learned */
int cnn_figure_filters     (int argc, char **argv);
int cnn_figure_summary     (int argc, char **argv);
int cnn_figure_top_patches (int argc, char **argv);
int cnn_figure_activations (int argc, char **argv);
int cnn_figure_feature_vis (int argc, char **argv);
int cnn_figure_class_vis   (int argc, char **argv);
int cnn_figure_receptive_field (int argc, char **argv);

G_END_DECLS
