/* cnn-render.h: the render library's umbrella header. Pure drawing on any
 * cairo_t (cairo + pango, no GTK): styles, colormaps, text, axes, grids,
 * bar charts, panels, and PNG/SVG/PDF export. */
#pragma once

#include "cnn-colormap.h"
#include "cnn-error.h"
#include "cnn-panel-curves.h"
#include "cnn-panel-explain.h"
#include "cnn-panel-filters.h"
#include "cnn-panel-image-strip.h"
#include "cnn-panel-samples.h"
#include "cnn-panel-top-patches.h"
#include "cnn-panel-activations.h"
#include "cnn-panel-standardization.h"
#include "cnn-panel-summary.h"
#include "cnn-panel-fields.h"
#include "cnn-explain-figure.h"
#include "cnn-panel-transfer.h"
#include "cnn-render-axis.h"
#include "cnn-render-bars.h"
#include "cnn-render-export.h"
#include "cnn-render-geometry.h"
#include "cnn-render-grid.h"
#include "cnn-render-style.h"
#include "cnn-render-text.h"
#include "cnn-run-folder.h"
