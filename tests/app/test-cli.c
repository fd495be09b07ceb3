/* The command line as scripts use it: exit statuses, one-line errors that
 * name the file, JSON output, and the files a run writes. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (g_getenv ("CONVSCOPE"));
  tmpdir = g_dir_make_tmp ("convscope-cli-XXXXXX", NULL);
  g_test_add_func ("/cli/summary-json", test_summary_json);
  g_test_add_func ("/cli/layers", test_layers_list);
  g_test_add_func ("/cli/bad-input", test_bad_input);
  g_test_add_func ("/cli/train-eval", test_train_eval);
  g_test_add_func ("/cli/diverged-exit", test_diverged_exit);
  g_test_add_func ("/cli/train-augment", test_train_augment);
  int status = g_test_run ();
  remove_tree (tmpdir);
  g_free (tmpdir);
  return status;
}
