#include "cnn-receptive.h"

#include <math.h>

#include "cnn-layer.h"

/* One axis of a window of k with stride s and padding p before. */
static void
slide (int k, int s, int p, int *size, int *jump, double *start)
{
  *size += (k - 1) * *jump;
  *start += ((k - 1) / 2.0 - p) * *jump;
  *jump *= s;
}

/* The field of a unit that sees every position of `in`'s grid: a window
 * as large as the grid. */
static CnnReceptiveField
whole_grid (CnnReceptiveField in)
{
  CnnReceptiveField rf = in;
  slide (in.grid_h, 1, 0, &rf.size_h, &rf.jump_h, &rf.start_h);
  slide (in.grid_w, 1, 0, &rf.size_w, &rf.jump_w, &rf.start_w);
  rf.grid_h = rf.grid_w = 1;
  return rf;
}

CnnReceptiveField *
cnn_network_receptive_fields (const CnnNetwork *net)
{
  const int n = cnn_network_get_n_layers (net);
  const CnnShape input = cnn_network_get_input_shape (net);
  const CnnReceptiveField pixel = { 1, 1, 1, 1, 0.0, 0.0, input.h, input.w };
  CnnReceptiveField *rf = g_new0 (CnnReceptiveField, n);
  for (int i = 0; i < n; i++)
    {
      const CnnLayer *l = cnn_network_get_layer (net, i);
      /* the input with the largest field (add, concat: every path counts) */
      CnnReceptiveField in = pixel;
      for (int j = 0; j < l->n_inputs; j++)
        {
          CnnReceptiveField r = l->inputs[j] < 0 ? pixel : rf[l->inputs[j]];
          if (j == 0 || (size_t) r.size_h * r.size_w > (size_t) in.size_h * in.size_w)
            in = r;
        }
      CnnShape out = l->out_shape;
      if (l->klass->window)
        {
          CnnConvGeom g;
          l->klass->window (l, &g);
          rf[i] = in;
          slide (g.KH, g.SH, g.PH, &rf[i].size_h, &rf[i].jump_h, &rf[i].start_h);
          slide (g.KW, g.SW, g.PW, &rf[i].size_w, &rf[i].jump_w, &rf[i].start_w);
          rf[i].grid_h = g.HO;
          rf[i].grid_w = g.WO;
        }
      else if (l->klass->is_view || (out.h == in.grid_h && out.w == in.grid_w))
        rf[i] = in;   /* element-wise, or flatten: each unit keeps its field */
      else
        rf[i] = whole_grid (in);
    }
  return rf;
}

char *
cnn_receptive_field_format (const CnnReceptiveField *f)
{
  if (f->jump_h == f->jump_w)
    return g_strdup_printf ("%d×%d /%d", f->size_h, f->size_w, f->jump_h);
  return g_strdup_printf ("%d×%d /%d,%d", f->size_h, f->size_w, f->jump_h, f->jump_w);
}

void
cnn_receptive_field_box (const CnnReceptiveField *f, int y, int x, int *y0, int *x0, int *h, int *w)
{
  /* center ± (size - 1)/2; sizes from odd kernels are odd, even ones
   * (2×2 pools) have a center between pixels, which the floor handles */
  *y0 = (int) floor (f->start_h + y * f->jump_h - (f->size_h - 1) / 2.0 + 1e-9);
  *x0 = (int) floor (f->start_w + x * f->jump_w - (f->size_w - 1) / 2.0 + 1e-9);
  *h = f->size_h;
  *w = f->size_w;
}
