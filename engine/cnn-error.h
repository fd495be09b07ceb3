/* cnn-error.h: the engine's GError domain. Messages are written for users. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CNN_ERROR (cnn_error_quark ())

typedef enum
{
  CNN_ERROR_INVALID_SPEC,   /* a model spec or hyperparameter is wrong */
  CNN_ERROR_INVALID_ARG,    /* a value given by the user is out of range */
  CNN_ERROR_IO,             /* a file could not be read or written */
  CNN_ERROR_FORMAT,         /* a file's contents are damaged or of the wrong kind */
  CNN_ERROR_SHAPE,          /* tensor shapes do not fit together */
  CNN_ERROR_CANCELLED,      /* the should-stop callback asked to stop */
  CNN_ERROR_DIVERGED,       /* the loss became NaN or infinite */
} CnnError;

GQuark cnn_error_quark (void);

G_END_DECLS
