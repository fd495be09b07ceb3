/* convscope layers: the layer types and their settings, straight from the
 * hyperparameter tables that the spec parser reads, so this list can never
 * disagree with what a spec accepts. */
#include "cnn-cli.h"

#include <stdio.h>

static const char *
type_hint (const CnnHyperSpec *h)
{
  switch (h->type)
    {
    case CNN_HYPER_INT:
      return "N";
    case CNN_HYPER_FLOAT:
      return "X";
    case CNN_HYPER_PAIR:
      return "N or H,W";
    case CNN_HYPER_PADDING:
      return "same|valid|N|H,W";
    case CNN_HYPER_CHOICE:
      return h->choices;
    }
  return "";
}

int
cnn_cli_layers (int argc, char **argv)
{
  GOptionEntry entries[] = { { NULL } };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- list the layer types of model specs");
  g_option_context_add_main_entries (ctx, entries, NULL);
  int status;
  if (!cnn_cli_parse (ctx, &argc, &argv, &status))
    return status;

  printf ("Layer types for model specs (one layer a line: TYPE key=value …;\n"
          "every layer also takes name=NAME and inputs=A,B):\n\n");
  for (const CnnLayerClass *const *c = cnn_layer_classes (); *c; c++)
    {
      const CnnLayerClass *k = *c;
      printf ("%s — %s\n", k->name, k->help);
      if (k->max_inputs > 1)
        printf ("    takes %d to %d inputs (inputs=a,b,…)\n", k->min_inputs, k->max_inputs);
      for (int i = 0; i < k->n_hyper; i++)
        {
          const CnnHyperSpec *h = &k->hyper[i];
          g_autofree char *def = h->default_value ? g_strdup_printf ("default %s", h->default_value)
                                                  : g_strdup ("required");
          printf ("    %-10s %s (%s)\n", h->name, h->help, def);
          printf ("    %-10s values: %s\n", "", type_hint (h));
        }
      printf ("\n");
    }
  printf ("Optimizers (convscope train --optimizer NAME, settings as --lr, --beta1, …):\n");
  for (int kind = 0; kind < CNN_OPT_N_KINDS; kind++)
    {
      CnnOptimizerConfig cfg;
      cnn_optimizer_config_init (&cfg, cnn_optimizer_kind_name (kind), NULL);
      g_autofree char *text = cnn_optimizer_config_describe (&cfg);
      printf ("    %s\n", text);
    }
  return CNN_EXIT_OK;
}
