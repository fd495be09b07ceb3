/* cnn-run-settings.h: everything that defines a training run as set up in
 * the window's sidebar: plain data, copied into the worker at start. */
#pragma once

#include <glib.h>

#include "cnn-engine.h"

G_BEGIN_DECLS

typedef struct
{
  char              *data;             /* "fashion-mnist", "mnist", "synthetic" or a folder */
  char              *model;            /* a preset name or a spec file */
  CnnOptimizerConfig optimizer;        /* kind, learning rate and the rest */
  int                epochs;
  int                batch_size;
  guint64            seed;
  int                threads;          /* 0: all cores */
  CnnStandardize     standardize;
  CnnSpecEdit        edit;             /* initialization, dropout, batch norm */
  double             val_split;        /* [0, 1) */
  int                limit_per_class;  /* training images per class; 0: all */
  char              *augment;          /* cnn_augment_parse text; NULL or "none": off */
  char              *classes;          /* a class subset ("5-9", an opened checkpoint's); NULL: all */
} CnnRunSettings;

/* cnn2 on Fashion-MNIST with Adam, 5 epochs of 128: what `convscope train` does. */
CnnRunSettings *cnn_run_settings_new  (void);
CnnRunSettings *cnn_run_settings_copy (const CnnRunSettings *settings);
void            cnn_run_settings_free (CnnRunSettings *settings);

/* The limits the sidebar and the session enforce; FALSE with a message
 * naming the setting otherwise. */
gboolean        cnn_run_settings_check (const CnnRunSettings *settings, GError **error);

/* The model's spec text with the edits applied; *source names it in errors. */
char           *cnn_run_settings_build_spec (const CnnRunSettings *settings, char **source,
                                             GError **error);

/* A short label for legends and the run list:
 * "cnn2 · adam lr 0.001 · standardize pixel"; settings that differ from the
 * defaults (dropout, batch norm off, initialization) are added. */
char           *cnn_run_settings_describe (const CnnRunSettings *settings);

/* The display name of a data set ("Fashion-MNIST", a folder's base name). */
char           *cnn_run_settings_data_label (const char *data);

/* The hyperparameters an optimizer uses, in table order ("lr", "beta1", …),
 * with their defaults; NULL-terminated, free with g_strfreev. */
char          **cnn_optimizer_keys (CnnOptimizerKind kind, double **defaults);
/* The field of cfg named `key`, or NULL. */
double         *cnn_optimizer_config_field (CnnOptimizerConfig *cfg, const char *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CnnRunSettings, cnn_run_settings_free)

G_END_DECLS
