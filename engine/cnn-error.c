#include "cnn-error.h"

G_DEFINE_QUARK (cnn-error-quark, cnn_error)
