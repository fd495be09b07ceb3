/* The command line as scripts use it: exit statuses, one-line errors that
 * name the file, JSON output, and the files a run writes. */
#include <glib.h>
#include <math.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "cnn-test-images.h"
#include "cnn-engine.h"

static char *tmpdir;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *r)
{
  g_free (r->out);
  g_free (r->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static void
run (Result *r, const char *args)
{
  g_autofree char *cmd = g_strdup_printf ("%s %s", g_getenv ("CONVSCOPE"), args);
  g_auto (GStrv) argv = NULL;
  g_assert_true (g_shell_parse_argv (cmd, NULL, &argv, NULL));
  int wait = 0;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_spawn_sync (tmpdir, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &r->out, &r->err,
                               &wait, &error));
  g_assert_no_error (error);
  r->status = WIFEXITED (wait) ? WEXITSTATUS (wait) : 128 + WTERMSIG (wait);
}

/* exit status 2 and exactly one line on stderr containing `fragment` */
static void
expect_bad_input (const char *args, const char *fragment)
{
  g_auto (Result) r = { 0 };
  run (&r, args);
  if (r.status != 2 || strstr (r.err, fragment) == NULL || strchr (r.err, '\n') != r.err + strlen (r.err) - 1)
    g_error ("convscope %s: status %d, stderr “%s”; wanted 2 and one line with “%s”", args, r.status,
             r.err, fragment);
}

static char *
write_file (const char *name, const char *contents, gssize len)
{
  char *path = g_build_filename (tmpdir, name, NULL);
  g_assert_true (g_file_set_contents (path, contents, len, NULL));
  return path;
}

static void
test_summary_json (void)
{
  g_auto (Result) r = { 0 };
  run (&r, "summary --model cnn2 --json");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "\"total_params\": 36314"));
  g_assert_nonnull (strstr (r.out, "{\"name\": \"conv1\", \"type\": \"conv2d\", \"output_shape\": [8, 28, 28], \"params\": 80"));
  g_auto (Result) r2 = { 0 };
  run (&r2, "summary --model cnn1 --input-shape 3,32,32 --classes 4");
  g_assert_cmpint (r2.status, ==, 0);
  /* 32*3*9+32 + 32*32*32*4+4 */
  g_assert_nonnull (strstr (r2.out, "Total params: 131,972"));
}

static void
test_layers_list (void)
{
  /* generated from the same tables the spec parser reads */
  g_auto (Result) r = { 0 };
  run (&r, "layers");
  g_assert_cmpint (r.status, ==, 0);
  const char *expect[] = { "conv2d — ", "filters    number of output channels (required)",
                           "padding", "batchnorm — ", "momentum", "concat — ", "takes 2 to 8 inputs",
                           "adam lr=0.001 beta1=0.9 beta2=0.999 epsilon=1e-07",
                           "adagrad lr=0.01 epsilon=1e-07 initial_accumulator=0.1" };
  for (size_t i = 0; i < G_N_ELEMENTS (expect); i++)
    if (strstr (r.out, expect[i]) == NULL)
      g_error ("convscope layers lacks “%s”", expect[i]);
}

static void
test_bad_input (void)
{
  expect_bad_input ("train --no-such-option", "Unknown option --no-such-option");
  expect_bad_input ("frobnicate", "unknown command “frobnicate”");
  expect_bad_input ("summary --model nonesuch", "nonesuch: no such model preset or spec file");
  g_autofree char *spec = write_file ("bad.cnn", "conv2d filters=8\nmaxpool size=banana\n", -1);
  g_autofree char *args = g_strdup_printf ("summary --model %s", spec);
  expect_bad_input (args, "bad.cnn:2: maxpool_1: size takes one whole number or two");
  expect_bad_input ("train --data synthetic --epochs 0", "--epochs must be at least 1");
  expect_bad_input ("train --data synthetic --optimizer adamw", "unknown optimizer");
  expect_bad_input ("train --data synthetic --optimizer adam --momentum 0.9", "momentum");
  expect_bad_input ("train --data synthetic --standardize zscore", "zscore");
  expect_bad_input ("train --data /nonexistent/folder", "/nonexistent/folder");
  expect_bad_input ("summary --input-shape 1,28", "--input-shape takes channels,height,width");

  /* a damaged IDX folder */
  g_autofree char *dir = g_build_filename (tmpdir, "idx", NULL);
  g_mkdir (dir, 0755);
  g_autofree char *img = g_build_filename (dir, "train-images-idx3-ubyte", NULL);
  g_autofree char *lbl = g_build_filename (dir, "train-labels-idx1-ubyte", NULL);
  g_assert_true (g_file_set_contents (img, "\x00\x00\x08\x03\x00\x00\x00\x02\x00\x00\x00\x1c\x00\x00\x00\x1c" "abc", 19, NULL));
  g_assert_true (g_file_set_contents (lbl, "\x00\x00\x08\x01\x00\x00\x00\x02\x01\x02", 10, NULL));
  g_autofree char *train = g_strdup_printf ("train --data %s --out %s/x", dir, tmpdir);
  expect_bad_input (train, "train-images-idx3-ubyte");

  /* a model far larger than memory: an error, not an abort in malloc */
  g_autofree char *huge = write_file ("huge.cnn", "flatten\ndense units=16000000\ndense units=classes\n", -1);
  g_autofree char *huge_args = g_strdup_printf ("summary --model %s", huge);
  expect_bad_input (huge_args, "huge.cnn: the model has 1.27e+10 parameters");

  /* a file that is no checkpoint */
  g_autofree char *eval = g_strdup_printf ("eval --model %s", spec);
  expect_bad_input (eval, "not a Convscope checkpoint");
}

static void
test_train_eval (void)
{
  g_autofree char *out = g_build_filename (tmpdir, "run", NULL);
  g_autofree char *args = g_strdup_printf ("train --data synthetic --model lenet --epochs 2 "
                                           "--batch-size 32 --seed 3 --json --out %s", out);
  g_auto (Result) r = { 0 };
  run (&r, args);
  g_assert_cmpint (r.status, ==, 0);
  g_auto (GStrv) lines = g_strsplit (g_strstrip (r.out), "\n", -1);
  g_assert_cmpint (g_strv_length (lines), ==, 2);
  const char *keys[] = { "\"epoch\": 2", "\"train_loss\":", "\"train_acc\":", "\"val_loss\":",
                         "\"val_acc\":", "\"img_per_s\":", "\"seconds\":" };
  for (size_t i = 0; i < G_N_ELEMENTS (keys); i++)
    g_assert_nonnull (strstr (lines[1], keys[i]));
  const char *files[] = { "metrics.csv", "steps.csv", "model.ckpt", "best.ckpt" };
  for (size_t i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *p = g_build_filename (out, files[i], NULL);
      g_assert_true (g_file_test (p, G_FILE_TEST_IS_REGULAR));
    }
  g_autofree char *csv = NULL;
  g_autofree char *csv_path = g_build_filename (out, "metrics.csv", NULL);
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_assert_true (g_str_has_prefix (csv, "epoch,train_loss,train_acc,val_loss,val_acc,img_per_s,seconds\n1,"));

  /* eval sees the same validation images as training did: the same loss */
  g_autofree char *ev = g_strdup_printf ("eval --model %s/model.ckpt --split val --json", out);
  g_auto (Result) e = { 0 };
  run (&e, ev);
  g_assert_cmpint (e.status, ==, 0);
  g_assert_true (g_str_has_prefix (e.out, "{\"accuracy\": "));
  double val_loss = g_ascii_strtod (strstr (lines[1], "\"val_loss\": ") + 12, NULL);
  double eval_loss = g_ascii_strtod (strstr (e.out, "\"loss\": ") + 8, NULL);
  g_assert_cmpfloat_with_epsilon (val_loss, eval_loss, 1e-5);

  g_autofree char *ev_test = g_strdup_printf ("eval --model %s/best.ckpt --json", out);
  g_auto (Result) t = { 0 };
  run (&t, ev_test);
  g_assert_cmpint (t.status, ==, 0);
  g_assert_nonnull (strstr (t.out, "\"split\": \"test\""));
}

static void
test_train_augment (void)
{
  /* one epoch with augmentation: the header says which, the checkpoint
   * keeps it in canonical form */
  g_autofree char *out = g_build_filename (tmpdir, "augmented", NULL);
  g_autofree char *args = g_strdup_printf ("train --data synthetic --model lenet --epochs 1 "
                                           "--batch-size 64 --seed 2 --out %s "
                                           "--augment hflip,rotation=10,width-shift=0.1,zoom=0.1", out);
  g_auto (Result) r = { 0 };
  run (&r, args);
  g_assert_cmpint (r.status, ==, 0);
  const char *canonical = "rotation=10,width-shift=0.1,zoom=0.1,hflip,fill=nearest";
  g_autofree char *header = g_strdup_printf (", augment %s\n", canonical);
  g_assert_nonnull (strstr (r.out, header));
  g_autofree char *path = g_build_filename (out, "model.ckpt", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnCheckpoint) ck = cnn_checkpoint_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ck->meta.augment, ==, canonical);

  expect_bad_input ("train --data synthetic --augment rotation=15,flip",
                    "augmentation “flip”: unknown setting; use rotation=DEGREES");
  expect_bad_input ("train --data synthetic --augment zoom=2", "zoom takes a number from 0 up to");
  expect_bad_input ("bench --data synthetic --augment fill=mirror", "fill is nearest, constant, reflect or wrap");

  /* the top-patches budget: one JSON line, every channel of the layer */
  g_auto (Result) tp = { 0 };
  run (&tp, "bench --model cnn2 --data synthetic --top-patches conv3 --threads 2 --json");
  g_assert_cmpint (tp.status, ==, 0);
  g_assert_nonnull (strstr (tp.out, "\"top_patches_layer\": \"conv3\", \"channels\": 16"));
  expect_bad_input ("bench --model cnn2 --data synthetic --top-patches nope", "cnn2 has no layer named “nope”");

  /* and as a figure: a row per channel, k patches each */
  g_autofree char *tp_png = g_build_filename (tmpdir, "top.png", NULL);
  g_autofree char *tp_args = g_strdup_printf ("figure top-patches --model cnn2 --data synthetic --layer conv3 "
                                              "--k 4 --channels 5 --images 300 --out %s", tp_png);
  g_auto (Result) tpf = { 0 };
  run (&tpf, tp_args);
  g_assert_cmpint (tpf.status, ==, 0);
  g_assert_true (g_file_test (tp_png, G_FILE_TEST_IS_REGULAR));
  expect_bad_input ("figure top-patches --model fcnn --out x.png", "fcnn has no conv2d layer");
  expect_bad_input ("figure top-patches --model cnn2 --layer nope --out x.png", "cnn2 has no layer “nope”");

  /* activations of one image, as SVG */
  g_autofree char *act_svg = g_build_filename (tmpdir, "act.svg", NULL);
  g_autofree char *act_args = g_strdup_printf ("figure activations --model cnn2 --data synthetic --layer relu1 "
                                               "--image 3 --scale shared --out %s", act_svg);
  g_auto (Result) act = { 0 };
  run (&act, act_args);
  g_assert_cmpint (act.status, ==, 0);
  g_autofree char *svg = NULL;
  g_assert_true (g_file_get_contents (act_svg, &svg, NULL, NULL));
  g_assert_nonnull (strstr (svg, "<svg"));
  /* from a file: a 40×30 gray PNG resized to the model's 28×28 */
  guint8 px[40 * 30];
  for (int i = 0; i < 40 * 30; i++)
    px[i] = (guint8) (i * 7);
  g_autofree char *in_png = g_build_filename (tmpdir, "input.png", NULL);
  cnn_test_write_png_planes (in_png, 1, 30, 40, px);
  g_autofree char *file_args = g_strdup_printf ("figure activations --model cnn2 --data synthetic --input %s "
                                                "--out %s", in_png, act_svg);
  g_auto (Result) actf = { 0 };
  run (&actf, file_args);
  g_assert_cmpint (actf.status, ==, 0);
  expect_bad_input ("figure activations --model cnn2 --data synthetic --input /nonexistent.png --out x.png",
                    "/nonexistent.png");
  expect_bad_input ("figure activations --model cnn2 --data synthetic --scale loud --out x.png",
                    "--scale takes map or shared");
  expect_bad_input ("figure activations --model cnn2 --data synthetic --image -1 --out x.png",
                    "--image must be from 0 to");

  /* feature visualization: a few short ascents */
  g_autofree char *fv_png = g_build_filename (tmpdir, "fv.png", NULL);
  g_autofree char *fv_args = g_strdup_printf ("figure feature-vis --model cnn2 --layer conv3 --channels 3 "
                                              "--steps 5 --out %s", fv_png);
  g_auto (Result) fv = { 0 };
  run (&fv, fv_args);
  g_assert_cmpint (fv.status, ==, 0);
  g_assert_true (g_file_test (fv_png, G_FILE_TEST_IS_REGULAR));
  expect_bad_input ("figure feature-vis --model cnn2 --steps -1 --out x.png", "value is out of range");
  g_autofree char *cv_args = g_strdup_printf ("figure class-vis --model cnn2 --steps 3 --out %s", fv_png);
  g_auto (Result) cv = { 0 };
  run (&cv, cv_args);
  g_assert_cmpint (cv.status, ==, 0);
  expect_bad_input ("figure class-vis --model cnn2 --l2 2 --out x.png", "value is out of range");
  g_autofree char *rf_args = g_strdup_printf ("figure receptive-field --model resnet-mini --out %s", fv_png);
  g_auto (Result) rfr = { 0 };
  run (&rfr, rf_args);
  g_assert_cmpint (rfr.status, ==, 0);
}

static void
test_diverged_exit (void)
{
  g_autofree char *out = g_build_filename (tmpdir, "diverged", NULL);
  g_autofree char *args = g_strdup_printf ("train --data synthetic --model lenet --optimizer sgd --lr 1e3 "
                                           "--standardize none --epochs 3 --out %s", out);
  g_auto (Result) r = { 0 };
  run (&r, args);
  g_assert_cmpint (r.status, ==, 3);
  g_assert_nonnull (strstr (r.err, "diverged"));
  g_autofree char *ckpt = g_build_filename (out, "model.ckpt", NULL);
  g_assert_true (g_file_test (ckpt, G_FILE_TEST_IS_REGULAR));
}

/* A tiny image folder: 3 classes of 14 gray 10×10 PNGs (a bright bar at
 * a class's own rows, noise elsewhere), one broken file, and with
 * `split` a val/ folder of 4 images per class beside train/. */
static char *
make_image_folder (const char *name, gboolean split)
{
  char *root = g_build_filename (tmpdir, name, NULL);
  guint32 state = 12345;
  for (int part = 0; part < (split ? 2 : 1); part++)
    for (int k = 0; k < 3; k++)
      {
        g_autofree char *cls = g_strdup_printf ("class-%c", 'a' + k);
        g_autofree char *dir = split ? g_build_filename (root, part ? "val" : "train", cls, NULL)
                                     : g_build_filename (root, cls, NULL);
        g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
        for (int i = 0; i < (part ? 4 : 14); i++)
          {
            guint8 px[100];
            for (int j = 0; j < 100; j++)
              {
                state = state * 1664525u + 1013904223u;
                px[j] = (j / 10) / 3 == k ? 220 : (guint8) (state >> 26);
              }
            g_autofree char *file = g_strdup_printf ("img%02d.png", i);
            g_autofree char *path = g_build_filename (dir, file, NULL);
            cnn_test_write_png_planes (path, 1, 10, 10, px);
          }
      }
  g_autofree char *broken = split ? g_build_filename (root, "train", "class-b", "zz.png", NULL)
                                  : g_build_filename (root, "class-b", "zz.png", NULL);
  g_assert_true (g_file_set_contents (broken, "not a png", -1, NULL));
  return root;
}

static double
json_number (const char *text, const char *key)
{
  g_autofree char *k = g_strdup_printf ("\"%s\": ", key);
  const char *p = strstr (text, k);
  g_assert_nonnull (p);
  return g_ascii_strtod (p + strlen (k), NULL);
}

static void
test_image_folder (void)
{
  g_autofree char *dir = make_image_folder ("images", FALSE);
  g_autofree char *out = g_build_filename (tmpdir, "img-run", NULL);
  /* 14 per class, 0.25 to validation (4 each, stratified) leaves 10, then
   * at most 6 per class are trained on */
  g_autofree char *args = g_strdup_printf ("train --data %s --model fcnn --epochs 1 --batch-size 8 "
                                           "--val-split 0.25 --limit-per-class 6 --fit stretch "
                                           "--seed 4 --json --out %s", dir, out);
  g_auto (Result) r = { 0 };
  run (&r, args);
  if (r.status != 0)
    g_error ("train on an image folder: status %d, %s", r.status, r.err);
  g_assert_nonnull (strstr (r.err, "1 of 43 files skipped: class-b/zz.png (not an image"));
  double val_loss = json_number (r.out, "val_loss");

  /* eval reloads the same images at the same size: the same validation loss */
  g_autofree char *ev = g_strdup_printf ("eval --model %s/best.ckpt --split val --json", out);
  g_auto (Result) e = { 0 };
  run (&e, ev);
  g_assert_cmpint (e.status, ==, 0);
  g_assert_cmpfloat_with_epsilon (json_number (e.out, "loss"), val_loss, 1e-5);
  g_assert_cmpint ((int) json_number (e.out, "images"), ==, 12);
  /* and the limited training part */
  g_autofree char *ev_train = g_strdup_printf ("eval --model %s/best.ckpt --split train --json", out);
  g_auto (Result) t = { 0 };
  run (&t, ev_train);
  g_assert_cmpint (t.status, ==, 0);
  g_assert_cmpint ((int) json_number (t.out, "images"), ==, 18);

  /* the header of a plain run names the limit */
  g_autofree char *out2 = g_build_filename (tmpdir, "img-run2", NULL);
  g_autofree char *args2 = g_strdup_printf ("train --data %s --model fcnn --epochs 1 --input-size 6,6 "
                                            "--channels 3 --limit-per-class 3 --out %s", dir, out2);
  g_auto (Result) r2 = { 0 };
  run (&r2, args2);
  g_assert_cmpint (r2.status, ==, 0);
  g_assert_nonnull (strstr (r2.out, "9 training and 3 validation images of 3×6×6, 3 classes"));
  g_assert_nonnull (strstr (r2.out, "limited to 3 per class"));

  /* bad options and --strict */
  g_autofree char *bad1 = g_strdup_printf ("train --data %s --input-size 6", dir);
  expect_bad_input (bad1, "--input-size takes height,width");
  g_autofree char *bad2 = g_strdup_printf ("train --data %s --channels 2", dir);
  expect_bad_input (bad2, "--channels takes 1 (gray) or 3");
  g_autofree char *bad3 = g_strdup_printf ("train --data %s --fit squash", dir);
  expect_bad_input (bad3, "unknown fit “squash”");
  g_autofree char *bad4 = g_strdup_printf ("train --data %s --limit-per-class -1", dir);
  expect_bad_input (bad4, "--limit-per-class");
  g_autofree char *bad5 = g_strdup_printf ("train --data %s --strict --out %s/strict", dir, tmpdir);
  expect_bad_input (bad5, "class-b/zz.png: not an image");
}

static void
test_image_folder_val (void)
{
  g_autofree char *dir = make_image_folder ("split-images", TRUE);
  g_autofree char *out = g_build_filename (tmpdir, "split-run", NULL);
  g_autofree char *args = g_strdup_printf ("train --data %s --model fcnn --epochs 1 --batch-size 8 "
                                           "--limit-per-class 5 --seed 2 --out %s", dir, out);
  g_auto (Result) r = { 0 };
  run (&r, args);
  if (r.status != 0)
    g_error ("train on train/ + val/: status %d, %s", r.status, r.err);
  /* the 12 images of val/ validate; 5 of each class's 14 train */
  g_assert_nonnull (strstr (r.out, "15 training and 12 validation images of 1×10×10"));
  g_assert_nonnull (strstr (r.out, "Validation: the images of"));
  g_autofree char *ev = g_strdup_printf ("eval --model %s/model.ckpt --split val --json", out);
  g_auto (Result) e = { 0 };
  run (&e, ev);
  g_assert_cmpint (e.status, ==, 0);
  g_assert_cmpint ((int) json_number (e.out, "images"), ==, 12);
  /* the default split of a data set without test/ is val */
  g_autofree char *ev2 = g_strdup_printf ("eval --model %s/model.ckpt --json", out);
  g_auto (Result) e2 = { 0 };
  run (&e2, ev2);
  g_assert_cmpint (e2.status, ==, 0);
  g_assert_nonnull (strstr (e2.out, "\"split\": \"val\""));
}

/* width and height from a PNG's IHDR, after checking its signature */
static void
png_size (const char *path, guint32 *w, guint32 *h)
{
  g_autofree guint8 *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, (char **) &data, &len, NULL));
  g_assert_cmpuint (len, >, 33);
  g_assert_cmpmem (data, 8, "\x89PNG\r\n\x1a\n", 8);
  g_assert_cmpmem (data + 12, 4, "IHDR", 4);
  *w = (guint32) data[16] << 24 | (guint32) data[17] << 16 | (guint32) data[18] << 8 | data[19];
  *h = (guint32) data[20] << 24 | (guint32) data[21] << 16 | (guint32) data[22] << 8 | data[23];
}

static void
test_figure (void)
{
  /* only --data and --out needed: the size fits the content */
  g_autofree char *png = g_build_filename (tmpdir, "data.png", NULL);
  g_autofree char *args = g_strdup_printf ("figure data --data synthetic --out %s", png);
  g_auto (Result) r = { 0 };
  run (&r, args);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  guint32 w, h;
  png_size (png, &w, &h);
  g_assert_cmpuint (w, >, 8 * 48);    /* 8 per class of at least 48 px */
  g_assert_cmpuint (h, >, 10 * 48);   /* 10 classes */

  /* --size in px and --dpi: 320×200 px at 192 dpi is 640×400 pixels */
  g_autofree char *args2 = g_strdup_printf ("figure data --data synthetic --per-class 3 --seed 5 "
                                            "--size 320x200 --dpi 192 --style projector --out %s", png);
  g_auto (Result) r2 = { 0 };
  run (&r2, args2);
  g_assert_cmpint (r2.status, ==, 0);
  png_size (png, &w, &h);
  g_assert_cmpuint (w, ==, 640);
  g_assert_cmpuint (h, ==, 400);

  g_autofree char *pdf = g_build_filename (tmpdir, "std.pdf", NULL);
  g_autofree char *args3 = g_strdup_printf ("figure standardization --data synthetic --style dark "
                                            "--title \"\" --out %s", pdf);
  g_auto (Result) r3 = { 0 };
  run (&r3, args3);
  g_assert_cmpint (r3.status, ==, 0);
  g_autofree char *contents = NULL;
  g_assert_true (g_file_get_contents (pdf, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "%PDF-"));

  expect_bad_input ("figure", "figure needs a panel: data, standardization, curves, filters, summary, augment, top-patches, activations, feature-vis, class-vis or receptive-field");
  expect_bad_input ("figure frobnicate --out x.png", "unknown figure “frobnicate”: use data, standardization,");
  expect_bad_input ("figure data --data synthetic --out x.jpg", "x.jpg: unknown figure format “.jpg”");
  expect_bad_input ("figure data --data synthetic --out x.png --size 12x", "--size takes width x height");
  expect_bad_input ("figure data --data synthetic --out x.png --size 100000x10", "--size takes width x height");
  expect_bad_input ("figure data --data synthetic --out x.png --dpi 0", "--dpi must be from 10 to 2400");

  /* augment: the original and 3 epochs in one row */
  g_autofree char *args4 = g_strdup_printf ("figure augment --data synthetic --augment hflip,rotation=10 "
                                            "--count 3 --image 7 --out %s", png);
  g_auto (Result) r4 = { 0 };
  run (&r4, args4);
  g_assert_cmpint (r4.status, ==, 0);
  png_size (png, &w, &h);
  g_assert_cmpuint (w, >, 4 * 48);
  g_assert_cmpuint (h, <, w);
  expect_bad_input ("figure augment --data synthetic --augment twirl --out x.png", "twirl");
  expect_bad_input ("figure augment --data synthetic --image 999999 --out x.png", "--image must be from 0 to");
  expect_bad_input ("figure data --data synthetic --out x.png --style neon", "unknown style “neon”");
  expect_bad_input ("figure data --data synthetic", "needs --out");
  expect_bad_input ("figure data --data synthetic --per-class 0 --out x.png", "--per-class must be from 1 to 64");
  expect_bad_input ("figure data --data synthetic --split val --out x.png", "--split takes train or test");
  expect_bad_input ("figure standardization --data /nonexistent/folder --out x.png", "/nonexistent/folder");
  g_autofree char *x_png = g_build_filename (tmpdir, "x.png", NULL);
  g_assert_false (g_file_test (x_png, G_FILE_TEST_EXISTS));

  /* a folder that does not exist: a failure to write (1), one line, no file */
  g_auto (Result) r_aug = { 0 };
  run (&r_aug, "figure data --data synthetic --out /nonexistent-folder/x.png");
  g_assert_cmpint (r_aug.status, ==, 1);
  g_assert_nonnull (strstr (r_aug.err, "/nonexistent-folder/x.png: cannot write"));
  g_assert_true (strchr (r_aug.err, '\n') == r_aug.err + strlen (r_aug.err) - 1);
}

static void
test_figure_panels (void)
{
  /* a one-epoch run: its folder holds run.ini beside the CSV files */
  g_autofree char *dir = g_build_filename (tmpdir, "fig-run", NULL);
  g_autofree char *train = g_strdup_printf ("train --data synthetic --model lenet --epochs 1 "
                                            "--batch-size 64 --optimizer sgd --lr 0.05 "
                                            "--standardize pixel --seed 2 --out %s", dir);
  g_auto (Result) t = { 0 };
  run (&t, train);
  g_assert_cmpint (t.status, ==, 0);
  g_autofree char *ini_path = g_build_filename (dir, "run.ini", NULL);
  g_autofree char *ini = NULL;
  g_assert_true (g_file_get_contents (ini_path, &ini, NULL, NULL));
  const char *keys[] = { "[run]\n", "model=lenet\n", "data=synthetic\n", "optimizer=sgd lr=0.05\n",
                         "lr=0.05\n", "batch_size=64\n", "epochs=1\n", "standardize=pixel\n",
                         "seed=2\n", "val_split=0.1\n", "steps_per_epoch=85\n" };
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    if (strstr (ini, keys[i]) == NULL)
      g_error ("run.ini lacks “%s”:\n%s", keys[i], ini);

  /* the curves of that folder, twice overlaid, as PNG and CSV */
  g_autofree char *png = g_build_filename (tmpdir, "curves.png", NULL);
  g_autofree char *csv = g_build_filename (tmpdir, "curves.csv", NULL);
  g_autofree char *curves = g_strdup_printf ("figure curves --run %s --run %s --log --smoothing 0.8 "
                                             "--dpi 150 --csv %s --out %s", dir, dir, csv, png);
  g_auto (Result) c = { 0 };
  run (&c, curves);
  g_assert_cmpint (c.status, ==, 0);
  g_assert_cmpstr (c.err, ==, "");
  guint32 w, h;
  png_size (png, &w, &h);
  g_assert_cmpuint (w, >=, 960 * 150 / 96);
  g_assert_cmpuint (h, >=, 380 * 150 / 96);
  g_autofree char *table = NULL;
  g_assert_true (g_file_get_contents (csv, &table, NULL, NULL));
  g_assert_true (g_str_has_prefix (table, "run,epoch,step,train_loss,train_loss_smoothed,"));
  g_assert_nonnull (strstr (table, "\nfig-run: lenet · sgd 0.05 · standardize pixel,"));
  /* 85 steps of each run and the header */
  g_auto (GStrv) rows = g_strsplit (g_strstrip (table), "\n", -1);
  g_assert_cmpint (g_strv_length (rows), ==, 1 + 2 * 85);

  /* filters of the trained checkpoint as SVG, the summary of a preset as PDF */
  g_autofree char *svg = g_build_filename (tmpdir, "filters.svg", NULL);
  g_autofree char *filters = g_strdup_printf ("figure filters --model %s/best.ckpt --scale shared "
                                              "--out %s", dir, svg);
  g_auto (Result) f = { 0 };
  run (&f, filters);
  g_assert_cmpint (f.status, ==, 0);
  g_autofree char *svg_text = NULL;
  g_assert_true (g_file_get_contents (svg, &svg_text, NULL, NULL));
  g_assert_nonnull (strstr (svg_text, "<svg"));
  g_assert_nonnull (strstr (svg_text, "</svg>"));
  g_autofree char *pdf = g_build_filename (tmpdir, "summary.pdf", NULL);
  g_autofree char *summary = g_strdup_printf ("figure summary --model cnn2 --style print --out %s", pdf);
  g_auto (Result) s = { 0 };
  run (&s, summary);
  g_assert_cmpint (s.status, ==, 0);
  g_autofree char *pdf_text = NULL;
  gsize pdf_len = 0;
  g_assert_true (g_file_get_contents (pdf, &pdf_text, &pdf_len, NULL));
  g_assert_true (g_str_has_prefix (pdf_text, "%PDF-"));
  g_assert_cmpuint (pdf_len, >, 16);   /* and it is complete: the trailer at the end */
  g_assert_nonnull (g_strstr_len (pdf_text + pdf_len - 16, 16, "%%EOF"));
  g_autofree char *png2 = g_build_filename (tmpdir, "filters.png", NULL);
  g_autofree char *filters2 = g_strdup_printf ("figure filters --model vgg-mini --input-shape 3,32,32 "
                                               "--out %s", png2);
  g_auto (Result) f2 = { 0 };
  run (&f2, filters2);
  g_assert_cmpint (f2.status, ==, 0);
  png_size (png2, &w, &h);
  g_assert_cmpuint (w, >, 200);

  /* bad input: exit 2, one line naming the folder, file and line */
  expect_bad_input ("figure curves --out x.png", "needs --run DIR");
  expect_bad_input ("figure curves --run /nonexistent/run --out x.png", "/nonexistent/run: no such run folder");
  g_autofree char *broken = g_build_filename (tmpdir, "broken-run", NULL);
  g_assert_cmpint (g_mkdir_with_parents (broken, 0755), ==, 0);
  g_autofree char *bad_args = g_strdup_printf ("figure curves --run %s --out x.png", broken);
  expect_bad_input (bad_args, "broken-run: not a run folder: it has no metrics.csv");
  g_autofree char *metrics = g_build_filename (broken, "metrics.csv", NULL);
  g_assert_true (g_file_set_contents (metrics, "epoch,train_loss,train_acc,val_loss,val_acc\n1,x,0,0,0\n",
                                      -1, NULL));
  g_autofree char *bad_line = g_strdup_printf ("%s:2: train_loss is “x”, not a number", metrics);
  expect_bad_input (bad_args, bad_line);
  g_autofree char *mixed = g_strdup_printf ("figure curves --run %s --run %s --out x.png", dir, broken);
  expect_bad_input (mixed, "metrics.csv:2:");
  expect_bad_input ("figure curves --run . --smoothing 1 --out x.png", "--smoothing must be from 0 to 0.99");
  expect_bad_input ("figure curves --run . --plot lr --out x.png", "--plot takes loss, accuracy or both");
  expect_bad_input ("figure filters --model fcnn --out x.png", "fcnn has no conv2d layer");
  expect_bad_input ("figure filters --model cnn2 --layer bn1 --out x.png", "bn1 is a batchnorm layer, not a conv2d");
  expect_bad_input ("figure filters --model cnn2 --layer nope --out x.png", "cnn2 has no layer “nope”");
  expect_bad_input ("figure filters --model cnn2 --scale global --out x.png", "--scale takes filter");
  expect_bad_input ("figure summary --model nonexistent-model --out x.png", "nonexistent-model");
  g_autofree char *x_png = g_build_filename (tmpdir, "x.png", NULL);
  g_assert_false (g_file_test (x_png, G_FILE_TEST_EXISTS));
}

/* the shape of a .npy the command line wrote */
static void
npy_shape (const char *path, int ndim, const gint64 *shape)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnNpy) npy = cnn_npy_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (npy->ndim, ==, ndim);
  for (int i = 0; i < ndim; i++)
    g_assert_cmpint (npy->shape[i], ==, shape[i]);
  for (gsize i = 0; i < npy->n; i++)
    g_assert_true (isfinite (npy->data[i]));
}

static void
test_explain (void)
{
  /* all four methods on a synthetic test image: a figure and four maps */
  g_autofree char *png = g_build_filename (tmpdir, "explain.png", NULL);
  g_autofree char *maps = g_build_filename (tmpdir, "maps.npy", NULL);
  g_autofree char *all = g_strdup_printf ("explain all --model cnn2 --data synthetic --index 3 --samples 100 "
                                          "--smoothgrad 4 --negative --threads 2 --out %s --npy %s", png, maps);
  g_auto (Result) r = { 0 };
  run (&r, all);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  guint32 w, h;
  png_size (png, &w, &h);
  g_assert_cmpuint (w, >, 4 * 180);
  g_assert_cmpuint (h, >, 180);
  const char *methods[] = { "saliency", "occlusion", "lime", "gradcam" };
  const gint64 one[3] = { 1, 28, 28 };
  for (int k = 0; k < 4; k++)
    {
      g_autofree char *path = g_strdup_printf ("%s/maps-%s.npy", tmpdir, methods[k]);
      npy_shape (path, 3, one);
    }

  /* a .npy of two images in, their saliency out, (2, H, W); the same seed
   * gives the same LIME maps, byte for byte */
  float x[2 * 784];
  for (int i = 0; i < 2 * 784; i++)
    x[i] = (float) ((i * 37) % 101) / 100.0f;
  const gint64 in_shape[4] = { 2, 1, 28, 28 };
  g_autofree char *xnpy = g_build_filename (tmpdir, "x.npy", NULL);
  g_assert_true (cnn_npy_save (xnpy, x, 4, in_shape, NULL));
  g_autofree char *sal = g_build_filename (tmpdir, "sal.npy", NULL);
  g_autofree char *args = g_strdup_printf ("explain saliency --input %s --npy %s", xnpy, sal);
  g_auto (Result) r2 = { 0 };
  run (&r2, args);
  g_assert_cmpint (r2.status, ==, 0);
  const gint64 two[3] = { 2, 28, 28 };
  npy_shape (sal, 3, two);
  char *lime[2] = { NULL, NULL };
  for (int i = 0; i < 2; i++)
    {
      g_autofree char *out = g_strdup_printf ("%s/lime%d.npy", tmpdir, i);
      g_autofree char *a = g_strdup_printf ("explain lime --input %s --seed 5 --samples 200 --threads 2 --npy %s",
                                            xnpy, out);
      g_auto (Result) r3 = { 0 };
      run (&r3, a);
      g_assert_cmpint (r3.status, ==, 0);
      g_assert_true (g_file_get_contents (out, &lime[i], NULL, NULL));
    }
  g_assert_cmpstr (lime[0], ==, lime[1]);
  g_free (lime[0]);
  g_free (lime[1]);

  /* a color PNG through the model's preprocessing, as SVG */
  guint8 pixels[3 * 40 * 30];
  for (int i = 0; i < 3 * 40 * 30; i++)
    pixels[i] = (guint8) (i * 7);
  g_autofree char *photo = g_build_filename (tmpdir, "photo.png", NULL);
  cnn_test_write_png_planes (photo, 3, 40, 30, pixels);
  g_autofree char *svg = g_build_filename (tmpdir, "occ.svg", NULL);
  g_autofree char *occ = g_strdup_printf ("explain occlusion --model resnet-mini --input-shape 3,24,20 --classes 5 "
                                          "--input %s --patch 6 --stride 3 --fill blur --class 2 --out %s",
                                          photo, svg);
  g_auto (Result) r4 = { 0 };
  run (&r4, occ);
  g_assert_cmpint (r4.status, ==, 0);
  g_autofree char *svg_text = NULL;
  g_assert_true (g_file_get_contents (svg, &svg_text, NULL, NULL));
  g_assert_nonnull (strstr (svg_text, "</svg>"));

  /* bad input: exit 2 and one line */
  expect_bad_input ("explain --out x.png", "explain needs a method");
  expect_bad_input ("explain blur --out x.png", "not “blur”");
  expect_bad_input ("explain saliency", "needs --out FIG.png|svg|pdf, --npy MAP.npy or both");
  expect_bad_input ("explain saliency --out x.bmp", "x.bmp");
  expect_bad_input ("explain occlusion --fill noise --out x.png", "--fill takes gray, mean, zero or blur");
  expect_bad_input ("explain gradcam --layer nope --out x.png", "cnn2 has no layer “nope”");
  expect_bad_input ("explain lime --samples 1 --out x.png", "out of range");
  g_autofree char *c12 = g_strdup_printf ("explain saliency --input %s --class 12 --out x.png", xnpy);
  expect_bad_input (c12, "--class must be from 0 to 9");
  g_autofree char *i9 = g_strdup_printf ("explain saliency --input %s --index 9 --out x.png", xnpy);
  expect_bad_input (i9, "--index must be from 0 to 1");
  static const char bad_bytes[] = "\x93NUMPY\x01\x00\x10\x00{'descr': '<i4'}    \n";
  g_autofree char *bad = write_file ("bad.npy", bad_bytes, sizeof bad_bytes - 1);
  g_autofree char *bad_args = g_strdup_printf ("explain saliency --input %s --out x.png", bad);
  expect_bad_input (bad_args, "bad.npy: holds <i4 values");
  const gint64 wrong_shape[2] = { 3, 5 };
  g_autofree char *wrong = g_build_filename (tmpdir, "wrong.npy", NULL);
  g_assert_true (cnn_npy_save (wrong, x, 2, wrong_shape, NULL));
  g_autofree char *wrong_args = g_strdup_printf ("explain saliency --input %s --out x.png", wrong);
  expect_bad_input (wrong_args, "wrong.npy: holds an array of shape (3, 5); the model takes (N, 1, 28, 28)");
  g_autofree char *text = write_file ("not-an-image.png", "hello", -1);
  g_autofree char *text_args = g_strdup_printf ("explain saliency --input %s --out x.png", text);
  expect_bad_input (text_args, "not-an-image.png");
  g_autofree char *x_png = g_build_filename (tmpdir, "x.png", NULL);
  g_assert_false (g_file_test (x_png, G_FILE_TEST_EXISTS));
}

static char *
read_text (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (tmpdir, dir, name, NULL);
  char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    g_error ("%s was not written", path);
  return text;
}

static int
count_lines (const char *text)
{
  int n = 0;
  for (const char *p = text; *p; p++)
    n += *p == '\n';
  return n;
}

/* The test images of these classes of the synthetic set the CLI loads. */
static int
synthetic_test_images (const char *classes)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CnnDataset) ds = cnn_dataset_load ("synthetic", 0, &error);
  g_assert_no_error (error);
  g_assert_true (cnn_dataset_apply_classes (ds, classes, &error));
  return ds->test->n;
}

/* Pretrain on classes 0-4 of the synthetic set, transfer to 5-9 with 6
 * images a class: the run folders, results, figure, cache and checkpoints
 * that eval reads back with the same class subset. */
static void
test_transfer (void)
{
  g_auto (Result) pre = { 0 };
  run (&pre, "train --data synthetic --classes 0-4 --epochs 1 --limit-per-class 40 --val-split 0 "
       "--batch-size 50 --threads 1 --out tpre");
  g_assert_cmpint (pre.status, ==, 0);
  g_autofree char *ini = read_text ("tpre", "run.ini");
  g_assert_nonnull (strstr (ini, "classes=0-4"));
  g_auto (Result) ev = { 0 };
  run (&ev, "eval --model tpre/model.ckpt --threads 1 --json");
  g_assert_cmpint (ev.status, ==, 0);
  g_autofree char *images_0_4 = g_strdup_printf ("\"images\": %d}", synthetic_test_images ("0-4"));
  g_assert_nonnull (strstr (ev.out, images_0_4));

  g_auto (Result) r = { 0 };
  run (&r, "transfer --from tpre/model.ckpt --classes 5-9 --limit-per-class 6 --epochs 2 "
       "--stage2-epochs 1 --curve-images 50 --threads 1 --seed 3 --out ttr --json");
  if (r.status != 0)
    g_error ("transfer: status %d, %s", r.status, r.err);
  g_assert_cmpint (count_lines (r.out), ==, 3);
  g_assert_nonnull (strstr (r.out, "{\"strategy\": \"scratch\", \"test_accuracy\": "));
  g_assert_nonnull (strstr (r.out, "{\"strategy\": \"features\", \"test_accuracy\": "));
  g_assert_nonnull (strstr (r.out, "{\"strategy\": \"finetune\", \"test_accuracy\": "));
  /* run folders like train's: 2 epochs, 2 + 1 for the two fine-tuning stages */
  g_autofree char *scratch = read_text ("ttr/scratch", "metrics.csv");
  g_autofree char *features = read_text ("ttr/features", "metrics.csv");
  g_autofree char *finetune = read_text ("ttr/finetune", "metrics.csv");
  g_assert_cmpint (count_lines (scratch), ==, 3);
  g_assert_cmpint (count_lines (features), ==, 3);
  g_assert_cmpint (count_lines (finetune), ==, 4);
  g_assert_true (g_str_has_prefix (finetune, "epoch,train_loss,train_acc,val_loss,val_acc"));
  g_assert_nonnull (strstr (finetune, "\n3,"));
  g_autofree char *steps = read_text ("ttr/finetune", "steps.csv");
  g_assert_cmpint (count_lines (steps), ==, 1 + 3);   /* 30 images in batches of 32 */
  g_autofree char *fini = read_text ("ttr/finetune", "run.ini");
  g_assert_nonnull (strstr (fini, "classes=5-9"));
  g_assert_nonnull (strstr (fini, "transfer=fine-tuned: frozen to relu5, then from conv3 at lr 0.0001"));
  g_autofree char *results = read_text ("ttr", "results.csv");
  g_assert_cmpint (count_lines (results), ==, 4);
  g_autofree char *png = g_build_filename (tmpdir, "ttr", "comparison.png", NULL);
  guint32 w, h;
  png_size (png, &w, &h);
  g_assert_cmpuint (w, >, 1000);

  /* eval reloads classes 5-9 and gets the accuracy transfer reported */
  g_auto (Result) fe = { 0 };
  run (&fe, "eval --model ttr/finetune/model.ckpt --threads 1 --json");
  g_assert_cmpint (fe.status, ==, 0);
  int n_5_9 = synthetic_test_images ("5-9");
  g_autofree char *images_5_9 = g_strdup_printf ("\"images\": %d}", n_5_9);
  g_assert_nonnull (strstr (fe.out, images_5_9));
  g_autofree char *acc = g_strndup (strstr (fe.out, "\"accuracy\": ") + 12, 8);
  g_autofree char *row = g_strdup_printf ("finetune,%s,", acc);
  if (strstr (results, row) == NULL)
    g_error ("eval says %s, transfer's results.csv %s", fe.out, results);
  g_autofree char *rowcount = g_strdup_printf (",30,%d,", n_5_9);
  g_assert_nonnull (strstr (results, rowcount));

  /* the figure of curves overlays the run folders */
  g_auto (Result) fig = { 0 };
  run (&fig, "figure curves --run ttr/scratch --run ttr/features --run ttr/finetune --out tcurves.svg");
  g_assert_cmpint (fig.status, ==, 0);

  /* features again: from the cache; kNN needs no training */
  g_auto (Result) again = { 0 };
  run (&again, "transfer --from tpre/model.ckpt --classes 5-9 --limit-per-class 6 --epochs 2 "
       "--threads 1 --seed 3 --strategy features --head knn --out tknn");
  g_assert_cmpint (again.status, ==, 0);
  g_assert_nonnull (strstr (again.out, "(from the cache)"));
  g_autofree char *knn = read_text ("tknn", "results.csv");
  g_assert_nonnull (strstr (knn, "\nfeatures,0."));
  g_autofree char *knn_dir = g_build_filename (tmpdir, "tknn", "features", NULL);
  g_assert_false (g_file_test (knn_dir, G_FILE_TEST_EXISTS));
  g_autofree char *cache = g_build_filename (tmpdir, "cache", "convscope", "features", NULL);
  g_assert_true (g_file_test (cache, G_FILE_TEST_IS_DIR));

  expect_bad_input ("transfer --classes 5-9", "transfer needs --from CKPT");
  expect_bad_input ("transfer --from tpre/model.ckpt --classes 3-12", "class 12 does not exist");
  expect_bad_input ("transfer --from tpre/model.ckpt --strategy bogus", "--strategy takes scratch");
  expect_bad_input ("transfer --from tpre/model.ckpt --layer nope", "--layer: tpre/model.ckpt has no layer “nope”");
  expect_bad_input ("transfer --from tpre/model.ckpt --head svm", "a head is softmax, dense or knn");
  expect_bad_input ("transfer --from tpre/model.ckpt --freeze-until fc2", "would freeze the new head fc2");
  expect_bad_input ("transfer --from missing.ckpt", "missing.ckpt");
  expect_bad_input ("transfer --from tpre/model.ckpt --figure x.gif", "x.gif");
  expect_bad_input ("transfer --from tpre/model.ckpt --freeze-until pool1 --stage2-from conv4",
                    "--stage2-from conv4: that layer already trains in the first stage (it comes after pool1)");
  expect_bad_input ("train --data synthetic --classes 1,1 --epochs 1", "class 1 is listed twice");
  expect_bad_input ("eval --model tpre/model.ckpt --classes 0-99", "class 99 does not exist");
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
      const char *name;
      while (d && (name = g_dir_read_name (d)))
        {
          g_autofree char *p = g_build_filename (path, name, NULL);
          remove_tree (p);
        }
      g_rmdir (path);
    }
  else
    g_remove (path);
}

/* ONNX models wherever a checkpoint goes; export of a trained one */
/* bench --inference, implied for .onnx: one JSON line per thread count,
 * the batch chosen by the memory budget unless given */
static void
test_bench_inference (void)
{
  g_autofree char *lenet = g_test_build_filename (G_TEST_DIST, "data", "onnx", "lenet.onnx", NULL);
  g_autofree char *args = g_strdup_printf ("bench --model %s --threads 1 --windows 1 --window-seconds 0.01 "
                                           "--json", lenet);
  g_auto (Result) r = { 0 };
  run (&r, args);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "\"mode\": \"inference\""));
  g_assert_nonnull (strstr (r.out, "\"input\": [1, 16, 16], \"batch\": 32, \"threads\": 1"));
  const char *rate = strstr (r.out, "\"infer_img_s\": ");
  g_assert_nonnull (rate);
  g_assert_cmpfloat (g_ascii_strtod (rate + 15, NULL), >, 0);
  g_assert_true (strchr (r.out, '\n') == r.out + strlen (r.out) - 1);   /* one thread count */

  g_autofree char *fixed = g_strdup_printf ("bench --inference --model %s --batch-size 3 --threads 1 "
                                            "--windows 1 --window-seconds 0.01", lenet);
  g_auto (Result) f = { 0 };
  run (&f, fixed);
  g_assert_cmpint (f.status, ==, 0);
  g_assert_nonnull (strstr (f.out, "batch 3:"));
  g_assert_nonnull (strstr (f.out, "1 thread: "));

  expect_bad_input ("bench --inference", "--inference needs --model FILE");
  expect_bad_input ("bench --inference --model cnn2", "cnn2 is not a checkpoint or an ONNX model");
  g_autofree char *huge = g_strdup_printf ("bench --model %s --batch-size 70000", lenet);
  expect_bad_input (huge, "out of range");
}

static void
test_onnx (void)
{
  g_autofree char *residual = g_test_build_filename (G_TEST_DIST, "data", "onnx", "residual.onnx", NULL);
  g_autofree char *sum_args = g_strdup_printf ("summary --model %s", residual);
  g_auto (Result) sum = { 0 };
  run (&sum, sum_args);
  g_assert_cmpint (sum.status, ==, 0);
  g_assert_nonnull (strstr (sum.out, "stem_Conv"));
  g_assert_nonnull (strstr (sum.out, "Input: 3×8×8"));

  /* a short run, exported; eval gives the same accuracy for both files */
  g_autofree char *out = g_build_filename (tmpdir, "for-onnx", NULL);
  g_autofree char *train = g_strdup_printf ("train --data synthetic --model lenet --epochs 1 --seed 0 "
                                            "--standardize pixel --out %s", out);
  g_auto (Result) tr = { 0 };
  run (&tr, train);
  g_assert_cmpint (tr.status, ==, 0);
  g_autofree char *onnx = g_build_filename (tmpdir, "lenet.onnx", NULL);
  g_autofree char *exp = g_strdup_printf ("export --model %s/model.ckpt --out %s", out, onnx);
  g_auto (Result) ex = { 0 };
  run (&ex, exp);
  g_assert_cmpint (ex.status, ==, 0);
  g_assert_true (g_file_test (onnx, G_FILE_TEST_IS_REGULAR));
  g_autofree char *eval_ckpt = g_strdup_printf ("eval --model %s/model.ckpt --split test --json", out);
  g_autofree char *eval_onnx = g_strdup_printf ("eval --model %s --data synthetic --split test --json", onnx);
  g_auto (Result) e1 = { 0 };
  g_auto (Result) e2 = { 0 };
  run (&e1, eval_ckpt);
  run (&e2, eval_onnx);
  g_assert_cmpint (e1.status, ==, 0);
  g_assert_cmpint (e2.status, ==, 0);
  const char *acc1 = strstr (e1.out, "\"accuracy\"");
  const char *acc2 = strstr (e2.out, "\"accuracy\"");
  g_assert_nonnull (acc1);
  g_assert_nonnull (acc2);
  g_assert_cmpint (strcspn (acc1, ","), ==, strcspn (acc2, ","));
  g_assert_true (strncmp (acc1, acc2, strcspn (acc1, ",")) == 0);

  /* the exported model trains on from its weights, with its own
   * standardization (the checkpoint's, pixel); other classes are for
   * `transfer` */
  g_autofree char *again = g_build_filename (tmpdir, "from-onnx", NULL);
  g_autofree char *train2 = g_strdup_printf ("train --model %s --data synthetic --epochs 1 --seed 0 --json "
                                             "--out %s", onnx, again);
  g_auto (Result) t2 = { 0 };
  run (&t2, train2);
  g_assert_cmpint (t2.status, ==, 0);
  g_autofree char *again_ckpt = g_build_filename (again, "model.ckpt", NULL);
  g_autoptr (CnnCheckpoint) cont = cnn_checkpoint_load (again_ckpt, NULL);
  g_assert_nonnull (cont);
  g_assert_cmpint (cont->normalizer->mode, ==, CNN_STANDARDIZE_PIXEL);
  g_autofree char *std = g_strdup_printf ("train --model %s --data synthetic --standardize scale --out x", onnx);
  expect_bad_input (std, "brings its own standardization");
  g_autofree char *sub = g_strdup_printf ("train --model %s --data synthetic --classes 0-4 --out x", onnx);
  expect_bad_input (sub, "for new classes use `convscope transfer");

  /* predict: PyTorch's outputs for the stored inputs, through a .npy each way */
  g_autofree char *convs = g_test_build_filename (G_TEST_DIST, "data", "onnx", "convs.onnx", NULL);
  g_autofree char *in_f32 = g_test_build_filename (G_TEST_DIST, "data", "onnx", "convs.in.f32", NULL);
  g_autofree char *out_f32 = g_test_build_filename (G_TEST_DIST, "data", "onnx", "convs.out.f32", NULL);
  g_autofree char *xs = NULL, *want = NULL;
  gsize n_x = 0, n_want = 0;
  g_assert_true (g_file_get_contents (in_f32, &xs, &n_x, NULL));
  g_assert_true (g_file_get_contents (out_f32, &want, &n_want, NULL));
  const char npy_header[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 12, 9), }";
  GString *npy = g_string_new_len ("\x93NUMPY\x01\x00", 8);
  guint16 hlen = 118 - 10;
  g_string_append_len (npy, (const char *) &hlen, 2);
  g_string_append (npy, npy_header);
  while (npy->len < 117)
    g_string_append_c (npy, ' ');
  g_string_append_c (npy, '\n');
  g_string_append_len (npy, xs, n_x);
  g_autofree char *x_npy = write_file ("x.npy", npy->str, npy->len);
  g_string_free (npy, TRUE);
  g_autofree char *y_npy = g_build_filename (tmpdir, "y.npy", NULL);
  g_autofree char *pred = g_strdup_printf ("predict --model %s --input %s --output %s", convs, x_npy, y_npy);
  g_auto (Result) pr = { 0 };
  run (&pr, pred);
  g_assert_cmpint (pr.status, ==, 0);
  g_autofree char *got = NULL;
  gsize n_got = 0;
  g_assert_true (g_file_get_contents (y_npy, &got, &n_got, NULL));
  g_assert_cmpuint (n_got, ==, 128 + n_want);   /* a 128-byte header, then (2, 4) floats */
  g_assert_nonnull (g_strstr_len (got + 10, 118, "'shape': (2, 4)"));
  for (gsize k = 0; k < n_want / 4; k++)
    {
      float a, b;
      memcpy (&a, got + 128 + 4 * k, 4);
      memcpy (&b, want + 4 * k, 4);
      g_assert_cmpfloat (fabsf (a - b), <, 1e-4f);   /* PyTorch's, to the import tests' bound */
    }
  /* an image for the trained checkpoint: one row of scores */
  guint8 px[20 * 24];
  for (int i = 0; i < 20 * 24; i++)
    px[i] = (guint8) (i * 3);
  g_autofree char *png = g_build_filename (tmpdir, "digit.png", NULL);
  cnn_test_write_png_planes (png, 1, 20, 24, px);
  g_autofree char *pred_img = g_strdup_printf ("predict --model %s/model.ckpt --input %s --output %s",
                                               out, png, y_npy);
  g_auto (Result) pi = { 0 };
  run (&pi, pred_img);
  g_assert_cmpint (pi.status, ==, 0);
  g_autofree char *row = NULL;
  g_assert_true (g_file_get_contents (y_npy, &row, NULL, NULL));
  g_assert_nonnull (strstr (row + 10, "'shape': (1, 10)"));
  g_autofree char *pred_bad = g_strdup_printf ("predict --model %s/model.ckpt --input %s --output %s",
                                               out, x_npy, y_npy);
  expect_bad_input (pred_bad, "x.npy holds an array of 4 dimensions that is not N×1×28×28");
  g_autofree char *text = write_file ("notes.npy", "not an array\n", -1);
  g_autofree char *pred_text = g_strdup_printf ("predict --model %s --input %s --output %s",
                                                convs, text, y_npy);
  expect_bad_input (pred_text, "notes.npy: not a NumPy .npy file");

  /* figures of an imported model: from an image file without a data set,
   * from a data set resized to the model's 3×8×8 input */
  g_autofree char *fig = g_build_filename (tmpdir, "onnx-fig.png", NULL);
  g_autofree char *act = g_strdup_printf ("figure activations --model %s --input %s --layer Relu --out %s",
                                          residual, png, fig);
  g_auto (Result) fa = { 0 };
  run (&fa, act);
  g_assert_cmpint (fa.status, ==, 0);
  g_autofree char *tp = g_strdup_printf ("figure top-patches --model %s --data synthetic --layer Relu_2 "
                                         "--images 200 --k 2 --channels 2 --out %s", residual, fig);
  g_auto (Result) ft = { 0 };
  run (&ft, tp);
  g_assert_cmpint (ft.status, ==, 0);

  g_autofree char *bad_op = g_test_build_filename (G_TEST_DIST, "data", "onnx", "bad-op.onnx", NULL);
  g_autofree char *bad_args = g_strdup_printf ("summary --model %s", bad_op);
  expect_bad_input (bad_args, "bad-op.onnx: node “erf” (Erf): the op Erf is not supported");
  expect_bad_input ("export --model cnn2 --out x.onnx", "cnn2 is not a checkpoint");
  expect_bad_input ("export --model nothing.onnx --out x.onnx", "nothing.onnx");
  g_autofree char *fmt = g_strdup_printf ("export --model %s --out x.tflite --format tflite", onnx);
  expect_bad_input (fmt, "--format tflite: the only format is onnx");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (g_getenv ("CONVSCOPE"));
  tmpdir = g_dir_make_tmp ("convscope-cli-XXXXXX", NULL);
  /* the feature cache of `transfer` goes there, not into the user's */
  g_autofree char *cache_home = g_build_filename (tmpdir, "cache", NULL);
  g_setenv ("XDG_CACHE_HOME", cache_home, TRUE);
  g_test_add_func ("/cli/summary-json", test_summary_json);
  g_test_add_func ("/cli/layers", test_layers_list);
  g_test_add_func ("/cli/bad-input", test_bad_input);
  g_test_add_func ("/cli/train-eval", test_train_eval);
  g_test_add_func ("/cli/diverged-exit", test_diverged_exit);
  g_test_add_func ("/cli/image-folder", test_image_folder);
  g_test_add_func ("/cli/image-folder-val", test_image_folder_val);
  g_test_add_func ("/cli/figure", test_figure);
  g_test_add_func ("/cli/train-augment", test_train_augment);
  g_test_add_func ("/cli/figure-panels", test_figure_panels);
  g_test_add_func ("/cli/onnx", test_onnx);
  g_test_add_func ("/cli/bench-inference", test_bench_inference);
  g_test_add_func ("/cli/explain", test_explain);
  g_test_add_func ("/cli/transfer", test_transfer);
  int status = g_test_run ();
  remove_tree (tmpdir);
  g_free (tmpdir);
  return status;
}
