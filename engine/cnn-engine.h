/* cnn-engine.h: the engine's umbrella header; app/ and ui/ include only this. */
#pragma once

#include "cnn-augment.h"
#include "cnn-checkpoint.h"
#include "cnn-dataset.h"
#include "cnn-error.h"
#include "cnn-image.h"
#include "cnn-layer.h"
#include "cnn-loss.h"
#include "cnn-network.h"
#include "cnn-optimizer.h"
#include "cnn-pool.h"
#include "cnn-prefetch.h"
#include "cnn-presets.h"
#include "cnn-rng.h"
#include "cnn-spec-edit.h"
#include "cnn-summary.h"
#include "cnn-trainer.h"
