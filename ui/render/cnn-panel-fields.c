#include "cnn-panel-fields.h"

#include <math.h>

#include "cnn-receptive.h"
#include "cnn-render-bars.h"
#include "cnn-render-text.h"

CnnFieldsData *
cnn_fields_data_new (const CnnNetwork *net, const char *name)
{
  CnnFieldsData *d = g_new0 (CnnFieldsData, 1);
  d->n = cnn_network_get_n_layers (net);
  g_autofree CnnReceptiveField *fields = cnn_network_receptive_fields (net);
  d->labels = g_new0 (char *, d->n + 1);
  d->sizes = g_new (double, MAX (d->n, 1));
  for (int i = 0; i < d->n; i++)
    {
      g_autofree char *field = cnn_receptive_field_format (&fields[i]);
      d->labels[i] = g_strdup_printf ("%s  %s", cnn_network_get_layer (net, i)->name, field);
      /* the larger side: what a unit sees */
      d->sizes[i] = MAX (fields[i].size_h, fields[i].size_w);
    }
  if (name)
    {
      CnnShape in = cnn_network_get_input_shape (net);
      d->title = g_strdup_printf ("Receptive fields of %s on %d×%d inputs", name, in.h, in.w);
    }
  return d;
}

void
cnn_fields_data_free (CnnFieldsData *d)
{
  if (d == NULL)
    return;
  g_strfreev (d->labels);
  g_free (d->sizes);
  g_free (d->title);
  g_free (d);
}

void
cnn_panel_fields_draw (const CnnFieldsData *d, const CnnRenderStyle *style, cairo_t *cr,
                       double width, double height)
{
  CnnRect area = cnn_rect (0, 0, width, height);
  area = cnn_rect_inset (&area, style->padding);
  cnn_render_title (cr, style, d->title, &area);
  CnnBarChart chart = {
    .n = d->n, .values = d->sizes, .labels = (const char *const *) d->labels,
    .value_label = "receptive field (input pixels; after the slash: stride between units)",
    .show_values = FALSE,
  };
  cnn_render_bar_chart (&chart, style, cr, &area);
}

void
cnn_panel_fields_natural_size (const CnnFieldsData *d, const CnnRenderStyle *style, double *width,
                               double *height)
{
  /* a bar a line of text high */
  *width = 720;
  *height = ceil (MAX (240, 60 + 1.8 * style->label_size * d->n + 2.2 * style->title_size));
}
