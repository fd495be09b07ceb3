/* cnn-features-page.h: what a channel responds to, three ways: the data
 * set's patches that excite it most, an input synthesized to excite it
 * (feature visualization), and for each class an input that maximizes its
 * score (class visualization). Each runs in a thread of its own on a copy
 * of the latest weights, with a progress bar and a Cancel button; the
 * synthesized images show while they form. Results are kept until the
 * weights change. */
#pragma once

#include <gtk/gtk.h>

#include "cnn-figure-view.h"
#include "cnn-session.h"

G_BEGIN_DECLS

typedef enum
{
  CNN_FEATURES_TOP_PATCHES,
  CNN_FEATURES_FEATURE_VIS,
  CNN_FEATURES_CLASS_VIS,
} CnnFeaturesMode;

#define CNN_TYPE_FEATURES_PAGE (cnn_features_page_get_type ())
G_DECLARE_FINAL_TYPE (CnnFeaturesPage, cnn_features_page, CNN, FEATURES_PAGE, GtkWidget)

GtkWidget     *cnn_features_page_new      (CnnSession *session);
CnnFigureView *cnn_features_page_get_view (CnnFeaturesPage *page);

/* What the toolbar does, for tests. */
void     cnn_features_page_set_mode    (CnnFeaturesPage *page, CnnFeaturesMode mode);
gboolean cnn_features_page_set_layer   (CnnFeaturesPage *page, const char *name);
/* The synthesis' steps for the current mode, as the settings popover sets them. */
void     cnn_features_page_set_steps   (CnnFeaturesPage *page, int steps);
/* Starts computing what the toolbar shows (nothing when it is known for
 * these weights already); cancels a computation that is running. */
void     cnn_features_page_compute     (CnnFeaturesPage *page);
void     cnn_features_page_cancel      (CnnFeaturesPage *page);
gboolean cnn_features_page_is_running  (CnnFeaturesPage *page);
/* The shown result is complete and of the latest weights. */
gboolean cnn_features_page_is_current  (CnnFeaturesPage *page);
/* Top patches: the result shown (NULL for none). */
const CnnTopPatches *cnn_features_page_get_top_patches (CnnFeaturesPage *page);
/* Feature and class visualization: the objective reached by image i (NAN
 * before it started), and how many images there are. */
double   cnn_features_page_get_objective (CnnFeaturesPage *page, int i, int *n);

G_END_DECLS
