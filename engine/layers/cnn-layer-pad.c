/* Pad: widen each plane by pixels on its four sides, ONNX's Pad and
 * PyTorch's ZeroPad2d / ConstantPad2d / ReflectionPad2d / ReplicationPad2d.
 * Every output pixel reads one input pixel or none (the constant), so
 * backward adds each output gradient to the pixel it read. */
#include "cnn-layer.h"

#include <string.h>

#include "cnn-error.h"

enum { HP_PADDING, HP_VALUE, HP_MODE, N_HP };
enum { MODE_CONSTANT, MODE_REFLECT, MODE_EDGE };

static const CnnHyperSpec pad_hyper[N_HP] = {
  { "padding", CNN_HYPER_PADDING, NULL, 0, 4096, NULL,
    "pixels: 1, height,width or top,left,bottom,right" },
  { "value", CNN_HYPER_FLOAT, "0", -1e30, 1e30, NULL, "the constant that fills the border" },
  { "mode", CNN_HYPER_CHOICE, "constant", 0, 0, "constant|reflect|edge",
    "fill with value, mirror the image (without its edge) or repeat the edge pixel" },
};

static gboolean
pad_setup (CnnLayer *l, GError **error)
{
  const CnnHyperValue *p = &l->hp[HP_PADDING];
  CnnShape in = l->in_shape[0];
  if (p->mode != CNN_PADDING_EXPLICIT)
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_INVALID_SPEC, "padding takes pixels, not same or valid");
      return FALSE;
    }
  if (l->hp[HP_MODE].i[0] == MODE_REFLECT
      && (MAX (p->i[0], p->end[0]) >= in.h || MAX (p->i[1], p->end[1]) >= in.w))
    {
      g_set_error (error, CNN_ERROR, CNN_ERROR_SHAPE,
                   "reflect padding must be smaller than the %d×%d input", in.h, in.w);
      return FALSE;
    }
  l->out_shape = (CnnShape) { in.c, in.h + p->i[0] + p->end[0], in.w + p->i[1] + p->end[1] };
  l->n_params = 0;
  l->n_state = 0;
  return TRUE;
}

/* The input index output index o (of a padded axis) reads; -1: the constant */
static int
source (int o, int before, int size, int mode)
{
  int i = o - before;
  if (i >= 0 && i < size)
    return i;
  switch (mode)
    {
    case MODE_REFLECT:
      return i < 0 ? -i : 2 * (size - 1) - i;
    case MODE_EDGE:
      return i < 0 ? 0 : size - 1;
    default:
      return -1;
    }
}

static void
pad_forward (CnnLayer *l, const CnnPass *pass, const float *const *in, float *out)
{
  const CnnShape s = l->in_shape[0], o = l->out_shape;
  const int mode = l->hp[HP_MODE].i[0], top = l->hp[HP_PADDING].i[0], left = l->hp[HP_PADDING].i[1];
  const float value = (float) l->hp[HP_VALUE].f;
  for (int plane = 0; plane < pass->N * s.c; plane++)
    {
      const float *x = in[0] + (size_t) plane * s.h * s.w;   /* (H, W) */
      float *y = out + (size_t) plane * o.h * o.w;           /* (H', W') */
      for (int oy = 0; oy < o.h; oy++)
        {
          int iy = source (oy, top, s.h, mode);
          for (int ox = 0; ox < o.w; ox++)
            {
              int ix = source (ox, left, s.w, mode);
              y[oy * o.w + ox] = iy >= 0 && ix >= 0 ? x[iy * s.w + ix] : value;
            }
        }
    }
}

static void
pad_backward (CnnLayer *l, const CnnPass *pass, const float *const *in, const float *out,
              const float *dout, float *const *din)
{
  if (din[0] == NULL)
    return;
  const CnnShape s = l->in_shape[0], o = l->out_shape;
  const int mode = l->hp[HP_MODE].i[0], top = l->hp[HP_PADDING].i[0], left = l->hp[HP_PADDING].i[1];
  memset (din[0], 0, (size_t) pass->N * cnn_shape_size (s) * sizeof (float));
  for (int plane = 0; plane < pass->N * s.c; plane++)
    {
      float *dx = din[0] + (size_t) plane * s.h * s.w;          /* (H, W) */
      const float *dy = dout + (size_t) plane * o.h * o.w;      /* (H', W') */
      for (int oy = 0; oy < o.h; oy++)
        {
          int iy = source (oy, top, s.h, mode);
          if (iy < 0)
            continue;
          for (int ox = 0; ox < o.w; ox++)
            {
              int ix = source (ox, left, s.w, mode);
              if (ix >= 0)
                dx[iy * s.w + ix] += dy[oy * o.w + ox];
            }
        }
    }
}

/* For receptive fields: a 1×1 window, shifted by the padding before
 * (reflect and edge pixels read the border, close enough for a field) */
static void
pad_window (const CnnLayer *l, CnnConvGeom *g)
{
  const CnnShape in = l->in_shape[0];
  *g = (CnnConvGeom) { .C = in.c, .H = in.h, .W = in.w, .KH = 1, .KW = 1, .SH = 1, .SW = 1,
                       .PH = l->hp[HP_PADDING].i[0], .PW = l->hp[HP_PADDING].i[1],
                       .HO = l->out_shape.h, .WO = l->out_shape.w };
}

const CnnLayerClass cnn_pad_class = {
  .name = "pad",
  .help = "widen each image by a border: a constant, its mirror image or its edge",
  .hyper = pad_hyper,
  .n_hyper = N_HP,
  .min_inputs = 1,
  .max_inputs = 1,
  .setup = pad_setup,
  .window = pad_window,
  .forward = pad_forward,
  .backward = pad_backward,
};
