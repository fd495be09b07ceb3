#include "cnn-summary.h"

#include <string.h>

size_t
cnn_layer_count_params (const CnnLayer *layer)
{
  return layer->n_params + layer->n_state;
}

char *
cnn_summary_format_count (size_t v)
{
  g_autofree char *digits = g_strdup_printf ("%zu", v);
  GString *s = g_string_new (NULL);
  int len = strlen (digits);
  for (int i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (s, ',');
      g_string_append_c (s, digits[i]);
    }
  return g_string_free (s, FALSE);
}

CnnSummary *
cnn_summary_new (const CnnNetwork *net)
{
  g_return_val_if_fail (net != NULL, NULL);
  CnnSummary *sum = g_new0 (CnnSummary, 1);
  sum->input = cnn_network_get_input_shape (net);
  sum->n_classes = cnn_network_get_n_classes (net);
  sum->n_rows = cnn_network_get_n_layers (net);
  sum->rows = g_new0 (CnnSummaryRow, MAX (sum->n_rows, 1));
  g_autofree CnnReceptiveField *fields = cnn_network_receptive_fields (net);
  for (int i = 0; i < sum->n_rows; i++)
    {
      const CnnLayer *l = cnn_network_get_layer (net, i);
      CnnSummaryRow *row = &sum->rows[i];
      row->name = g_strdup (l->name);
      row->type = l->klass->name;
      row->out_shape = l->out_shape;
      row->params = cnn_layer_count_params (l);
      row->trainable = l->n_params;
      row->field = fields[i];
      GString *inputs = g_string_new (NULL);
      /* name the inputs only where the graph branches: a plain chain reads top down */
      if (l->n_inputs > 1 || l->inputs[0] != i - 1)
        for (int j = 0; j < l->n_inputs; j++)
          g_string_append_printf (inputs, "%s%s", j ? ", " : "",
                                  l->inputs[j] < 0 ? "input" : cnn_network_get_layer (net, l->inputs[j])->name);
      row->inputs = g_string_free (inputs, FALSE);
      sum->total += row->params;
      sum->trainable += row->trainable;
    }
  sum->non_trainable = sum->total - sum->trainable;
  return sum;
}

void
cnn_summary_free (CnnSummary *sum)
{
  if (sum == NULL)
    return;
  for (int i = 0; i < sum->n_rows; i++)
    {
      g_free (sum->rows[i].name);
      g_free (sum->rows[i].inputs);
    }
  g_free (sum->rows);
  g_free (sum);
}

char *
cnn_summary_text (const CnnNetwork *net)
{
  g_autoptr (CnnSummary) sum = cnn_summary_new (net);
  GString *s = g_string_new (NULL);
  g_string_append_printf (s, "Input: %d×%d×%d (channels×height×width), %d classes\n",
                          sum->input.c, sum->input.h, sum->input.w, sum->n_classes);
  g_string_append_printf (s, "%-18s %-14s %-16s %10s  %-16s%s\n", "Layer", "Type", "Output shape",
                          "Params", "Receptive field", "Inputs");
  g_string_append (s, "───────────────────────────────────────────────────────────────────────────────────────\n");
  for (int i = 0; i < sum->n_rows; i++)
    {
      const CnnSummaryRow *row = &sum->rows[i];
      g_autofree char *shape = g_strdup_printf ("%d×%d×%d", row->out_shape.c, row->out_shape.h,
                                                row->out_shape.w);
      g_autofree char *count = cnn_summary_format_count (row->params);
      /* pad by characters, not bytes: "×" is two bytes */
      int pad = 16 - (int) g_utf8_strlen (shape, -1);
      g_autofree char *field = cnn_receptive_field_format (&row->field);
      int field_pad = 16 - (int) g_utf8_strlen (field, -1);
      g_string_append_printf (s, "%-18s %-14s %s%*s %10s  %s%*s%s\n", row->name, row->type, shape,
                              MAX (pad, 0), "", count, field, row->inputs[0] ? MAX (field_pad, 1) : 0, "", row->inputs);
    }
  g_autofree char *t = cnn_summary_format_count (sum->total);
  g_autofree char *tr = cnn_summary_format_count (sum->trainable);
  g_autofree char *nt = cnn_summary_format_count (sum->non_trainable);
  g_string_append (s, "───────────────────────────────────────────────────────────────────────────────────────\n");
  g_string_append_printf (s, "Total params: %s\nTrainable params: %s\nNon-trainable params: %s\n",
                          t, tr, nt);
  return g_string_free (s, FALSE);
}

char *
cnn_summary_json (const CnnNetwork *net)
{
  GString *s = g_string_new ("{\"layers\": [");
  size_t total = 0, trainable = 0;
  g_autofree CnnReceptiveField *fields = cnn_network_receptive_fields (net);
  for (int i = 0; i < cnn_network_get_n_layers (net); i++)
    {
      const CnnLayer *l = cnn_network_get_layer (net, i);
      g_autofree char *name = g_strescape (l->name, NULL);
      g_string_append_printf (s, "%s{\"name\": \"%s\", \"type\": \"%s\", \"output_shape\": [%d, %d, %d], "
                              "\"params\": %zu, \"trainable_params\": %zu, \"inputs\": [",
                              i ? ", " : "", name, l->klass->name, l->out_shape.c, l->out_shape.h,
                              l->out_shape.w, cnn_layer_count_params (l), l->n_params);
      for (int j = 0; j < l->n_inputs; j++)
        {
          g_autofree char *in = g_strescape (l->inputs[j] < 0 ? "input"
                                             : cnn_network_get_layer (net, l->inputs[j])->name, NULL);
          g_string_append_printf (s, "%s\"%s\"", j ? ", " : "", in);
        }
      const CnnReceptiveField *f = &fields[i];
      g_string_append_printf (s, "], \"receptive_field\": {\"size\": [%d, %d], \"jump\": [%d, %d], "
                              "\"start\": [%g, %g]}}", f->size_h, f->size_w, f->jump_h, f->jump_w,
                              f->start_h, f->start_w);
      total += cnn_layer_count_params (l);
      trainable += l->n_params;
    }
  CnnShape in = cnn_network_get_input_shape (net);
  g_string_append_printf (s, "], \"input_shape\": [%d, %d, %d], \"classes\": %d, "
                          "\"total_params\": %zu, \"trainable_params\": %zu}",
                          in.c, in.h, in.w, cnn_network_get_n_classes (net), total, trainable);
  return g_string_free (s, FALSE);
}
