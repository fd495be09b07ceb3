#include "cnn-activations-page.h"

#include <math.h>
#include <string.h>

#include "cnn-page-frame.h"
#include "cnn-input-bar.h"
#include "cnn-pinned-input.h"
#include "cnn-session-private.h"
#include "cnn-window-private.h"

struct _CnnActivationsPage
{
  GtkWidget       parent_instance;
  GtkWidget      *toolbar;
  GtkWidget      *all_maps_button;
  GtkDropDown    *layer_dropdown, *scale_dropdown;
  CnnFigureView  *view;

  CnnSession     *session;
  CnnPinnedInput *pin;              /* the input, shared with the other pages */
  char          **layer_names;      /* the dropdown's layers, by network index */
  int            *layer_index;
  int             n_layers;

  /* the last computation: copies, so drawing never reads the network */
  int             layer;            /* network index, -1 before a model */
  float          *maps;             /* (c, h, w) of the layer */
  CnnShape        map_shape;
  float          *probs;            /* (n_classes) */
  int             n_classes;
  CnnReceptiveField field;
  char           *title;
  guint           compute_count;
  gint64          compute_us;       /* how long the last computation took */
  gint64          last_compute;
  guint           compute_source;   /* a throttled recomputation is pending */
  gboolean        dirty;            /* the weights changed while unmapped */

  /* the mouse */
  gboolean        enlarge, mark_unit;
  int             map, unit_y, unit_x;
  gboolean        stroking;
  double          stroke_y, stroke_x, drag_x0, drag_y0;
};

G_DEFINE_FINAL_TYPE (CnnActivationsPage, cnn_activations_page, GTK_TYPE_WIDGET)

/* ---- computing the maps ---- */

static void
set_title (CnnActivationsPage *self, const CnnNetwork *net)
{
  const CnnLayer *l = cnn_network_get_layer (net, self->layer);
  g_autofree char *what = cnn_pinned_input_describe (self->pin);
  g_autoptr (CnnWeights) w = cnn_session_dup_weights (self->session);
  g_free (self->title);
  self->title = g_strdup_printf ("%s on %s · epoch %.1f", l->name, what, w ? w->epoch : 0.0);
}

/* Runs the input through the network; the figure follows within
 * `redraw_ms` (a stroke of the mouse wants it at once, new weights can
 * wait). */
static void
compute_and_redraw (CnnActivationsPage *self, guint redraw_ms)
{
  CnnNetwork *net = cnn_session_get_network (self->session);
  const CnnNormalizer *nz = cnn_session_get_normalizer (self->session);
  g_clear_handle_id (&self->compute_source, g_source_remove);
  self->dirty = FALSE;
  const CnnImageSet *input = cnn_pinned_input_get_image (self->pin);
  /* a new model's layers come with its ::model-changed, after the input's */
  if (net == NULL || nz == NULL || input == NULL || self->layer < 0
      || self->layer >= cnn_network_get_n_layers (net)
      || input->c != nz->c || input->h != nz->h || input->w != nz->w)
    {
      g_clear_pointer (&self->maps, g_free);
      gtk_widget_queue_draw (GTK_WIDGET (self->view));
      return;
    }
  gint64 t0 = g_get_monotonic_time ();
  CnnShape in = cnn_network_get_input_shape (net);
  g_autofree float *x = g_new (float, cnn_shape_size (in));   /* (1, c, h, w) */
  int zero = 0;
  cnn_normalizer_gather (nz, input, &zero, 1, x);
  /* inference keeps every layer's output: one pass gives maps and scores */
  int logits = cnn_network_get_logits_layer (net);
  cnn_network_forward (net, x, 1, FALSE, NULL, NULL, MAX (logits, self->layer));
  const CnnLayer *l = cnn_network_get_layer (net, self->layer);
  self->map_shape = l->out_shape;
  g_free (self->maps);
  self->maps = g_memdup2 (cnn_network_get_output (net, self->layer),
                          cnn_shape_size (l->out_shape) * sizeof (float));
  self->n_classes = cnn_network_get_layer (net, logits)->out_shape.c;
  g_free (self->probs);
  self->probs = g_new (float, self->n_classes);
  cnn_explain_softmax (cnn_network_get_output (net, logits), self->n_classes, self->probs);
  set_title (self, net);
  self->compute_count++;
  self->last_compute = g_get_monotonic_time ();
  self->compute_us = self->last_compute - t0;
  cnn_figure_view_data_changed (self->view, redraw_ms);
}

static void
compute (CnnActivationsPage *self)
{
  compute_and_redraw (self, 30);
}

static gboolean
throttled_compute (gpointer data)
{
  CnnActivationsPage *self = data;
  self->compute_source = 0;
  compute_and_redraw (self, 200);
  return G_SOURCE_REMOVE;
}

/* New weights: recompute, but spend at most a twentieth of the main thread
 * on it (it shares the cores with training), and nothing while hidden. */
static void
on_weights (CnnSession *session, CnnActivationsPage *self)
{
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->dirty = TRUE;
      return;
    }
  if (self->compute_source)
    return;
  gint64 interval = MAX (200000, 20 * self->compute_us);
  gint64 wait = self->last_compute + interval - g_get_monotonic_time ();
  if (wait <= 0)
    compute_and_redraw (self, 200);
  else
    self->compute_source = g_timeout_add ((guint) (wait / 1000) + 1, throttled_compute, self);
}

static void
cnn_activations_page_map (GtkWidget *widget)
{
  CnnActivationsPage *self = CNN_ACTIVATIONS_PAGE (widget);
  GTK_WIDGET_CLASS (cnn_activations_page_parent_class)->map (widget);
  if (self->dirty)
    compute (self);
}

/* ---- the input ---- */

static void
update_controls (CnnActivationsPage *self)
{
  gtk_widget_set_visible (self->all_maps_button, self->enlarge);
}

static void
on_input_changed (CnnPinnedInput *pin, CnnActivationsPage *self)
{
  update_controls (self);
  compute (self);
}

void
cnn_activations_page_show_image (CnnActivationsPage *self, int index)
{
  g_return_if_fail (CNN_IS_ACTIVATIONS_PAGE (self));
  cnn_pinned_input_show_image (self->pin, index);
}

gboolean
cnn_activations_page_open_file (CnnActivationsPage *self, const char *path, GError **error)
{
  g_return_val_if_fail (CNN_IS_ACTIVATIONS_PAGE (self), FALSE);
  return cnn_pinned_input_open_file (self->pin, path, error);
}

void
cnn_activations_page_set_drawing (CnnActivationsPage *self, gboolean drawing)
{
  g_return_if_fail (CNN_IS_ACTIVATIONS_PAGE (self));
  cnn_pinned_input_set_drawing (self->pin, drawing);
}

void
cnn_activations_page_draw_stroke (CnnActivationsPage *self, double y0, double x0, double y1,
                                  double x1)
{
  g_return_if_fail (CNN_IS_ACTIVATIONS_PAGE (self));
  cnn_pinned_input_draw_stroke (self->pin, y0, x0, y1, x1);
}

/* ---- layers and units ---- */

static void
clear_selection (CnnActivationsPage *self)
{
  self->enlarge = self->mark_unit = FALSE;
  self->map = 0;
  update_controls (self);
}

void
cnn_activations_page_select_unit (CnnActivationsPage *self, int map, int y, int x)
{
  g_return_if_fail (CNN_IS_ACTIVATIONS_PAGE (self));
  if (map < 0 || self->maps == NULL || map >= self->map_shape.c)
    {
      clear_selection (self);
      gtk_widget_queue_draw (GTK_WIDGET (self->view));
      return;
    }
  self->enlarge = TRUE;
  self->map = map;
  self->mark_unit = y >= 0 && x >= 0 && y < self->map_shape.h && x < self->map_shape.w;
  self->unit_y = y;
  self->unit_x = x;
  update_controls (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->view));
}

gboolean
cnn_activations_page_get_field (CnnActivationsPage *self, int *y0, int *x0, int *h, int *w)
{
  if (!self->mark_unit || self->maps == NULL)
    return FALSE;
  cnn_receptive_field_box (&self->field, self->unit_y, self->unit_x, y0, x0, h, w);
  return TRUE;
}

static void
fill_layers (CnnActivationsPage *self)
{
  CnnNetwork *net = cnn_session_get_network (self->session);
  g_clear_pointer (&self->layer_names, g_strfreev);
  g_clear_pointer (&self->layer_index, g_free);
  self->n_layers = 0;
  self->layer = -1;
  int n = net ? cnn_network_get_n_layers (net) : 0;
  self->layer_names = g_new0 (char *, n + 1);
  self->layer_index = g_new0 (int, MAX (n, 1));
  int first_conv = -1;
  for (int i = 0; i < n; i++)
    {
      const CnnLayer *l = cnn_network_get_layer (net, i);
      /* layers with maps: a spatial grid of units */
      if (l->out_shape.h * l->out_shape.w <= 1)
        continue;
      if (first_conv < 0 && strcmp (l->klass->name, "conv2d") == 0)
        first_conv = self->n_layers;
      self->layer_names[self->n_layers] =
        g_strdup_printf ("%s · %d×%d×%d", l->name, l->out_shape.c, l->out_shape.h, l->out_shape.w);
      self->layer_index[self->n_layers++] = i;
    }
  GtkStringList *list = gtk_string_list_new ((const char *const *) self->layer_names);
  gtk_drop_down_set_model (self->layer_dropdown, G_LIST_MODEL (list));
  g_object_unref (list);
  gtk_widget_set_sensitive (GTK_WIDGET (self->layer_dropdown), self->n_layers > 0);
  if (self->n_layers > 0)
    {
      int pick = MAX (first_conv, 0);
      gtk_drop_down_set_selected (self->layer_dropdown, pick);
      self->layer = self->layer_index[pick];
      g_autofree CnnReceptiveField *fields = cnn_network_receptive_fields (net);
      self->field = fields[self->layer];
    }
}

gboolean
cnn_activations_page_set_layer (CnnActivationsPage *self, const char *name)
{
  g_return_val_if_fail (CNN_IS_ACTIVATIONS_PAGE (self), FALSE);
  CnnNetwork *net = cnn_session_get_network (self->session);
  for (int i = 0; net && i < self->n_layers; i++)
    if (strcmp (cnn_network_get_layer (net, self->layer_index[i])->name, name) == 0)
      {
        gtk_drop_down_set_selected (self->layer_dropdown, i);
        return TRUE;
      }
  return FALSE;
}

static void
on_layer_selected (GtkDropDown *dropdown, GParamSpec *pspec, CnnActivationsPage *self)
{
  guint i = gtk_drop_down_get_selected (dropdown);
  CnnNetwork *net = cnn_session_get_network (self->session);
  if (net == NULL || i == GTK_INVALID_LIST_POSITION || (int) i >= self->n_layers
      || self->layer == self->layer_index[i])
    return;
  self->layer = self->layer_index[i];
  g_autofree CnnReceptiveField *fields = cnn_network_receptive_fields (net);
  self->field = fields[self->layer];
  clear_selection (self);
  compute (self);
}

/* A new model (or data set): its layers (the pinned input follows by itself). */
static void
on_model (CnnSession *session, CnnActivationsPage *self)
{
  clear_selection (self);
  fill_layers (self);
  update_controls (self);
  compute (self);
}

/* ---- drawing the figure ---- */

static gboolean
make_panel (CnnActivationsPage *self, CnnPanelActivations *p)
{
  const CnnImageSet *input = cnn_pinned_input_get_image (self->pin);
  if (self->maps == NULL || input == NULL)
    return FALSE;
  *p = (CnnPanelActivations) {
    .c = input->c, .h = input->h, .w = input->w, .image = input->pixels,
    .n_maps = self->map_shape.c, .map_h = self->map_shape.h, .map_w = self->map_shape.w,
    .maps = self->maps,
    .shared_scale = gtk_drop_down_get_selected (self->scale_dropdown) == 1,
    .n_classes = self->n_classes, .probs = self->probs,
    .class_names = cnn_session_get_class_names (self->session),
    .title = self->title,
    .enlarge = self->enlarge, .map = self->map, .mark_unit = self->mark_unit,
    .unit_y = self->unit_y, .unit_x = self->unit_x,
  };
  int y0, x0, h, w;
  if (cnn_activations_page_get_field (self, &y0, &x0, &h, &w))
    {
      p->mark_field = TRUE;
      p->field_y0 = y0;
      p->field_x0 = x0;
      p->field_h = h;
      p->field_w = w;
    }
  return TRUE;
}

static void
draw (cairo_t *cr, double width, double height, const CnnRenderStyle *style, gpointer data)
{
  CnnActivationsPage *self = data;
  CnnPanelActivations p;
  if (make_panel (self, &p))
    {
      cnn_panel_activations_draw (&p, style, cr, width, height);
      return;
    }
  const char *text = cnn_session_get_network (self->session) == NULL
    ? "What an image does inside the network appears here once a model is built: press Train, "
      "or open a checkpoint."
    : "Loading the data set… Meanwhile, open an image file, drop one here, or draw one.";
  cnn_page_draw_message (cr, width, height, style, text);
}

static void
natural_size (const CnnRenderStyle *style, double *width, double *height, gpointer data)
{
  CnnActivationsPage *self = data;
  CnnPanelActivations p;
  if (make_panel (self, &p))
    cnn_panel_activations_natural_size (&p, style, width, height);
}

/* What is under the pointer, laid out as the view draws it. */
static CnnActivationsHit
hit_test (CnnActivationsPage *self, double px, double py, int *map, double *y, double *x)
{
  CnnPanelActivations p;
  if (!make_panel (self, &p))
    return CNN_ACTIVATIONS_HIT_NONE;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t *cr = cairo_create (surface);
  CnnActivationsLayout layout;
  const CnnRenderStyle *style = cnn_render_style_get (cnn_figure_view_get_style (self->view));
  cnn_panel_activations_layout (&p, style, cr, gtk_widget_get_width (GTK_WIDGET (self->view)),
                                gtk_widget_get_height (GTK_WIDGET (self->view)), &layout);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return cnn_panel_activations_hit (&p, &layout, px, py, map, y, x);
}

static void
on_drag_begin (GtkGestureDrag *gesture, double px, double py, CnnActivationsPage *self)
{
  int map = 0;
  double y, x;
  self->drag_x0 = px;
  self->drag_y0 = py;
  switch (hit_test (self, px, py, &map, &y, &x))
    {
    case CNN_ACTIVATIONS_HIT_INPUT:
      if (cnn_pinned_input_get_source (self->pin) == CNN_PINNED_DRAWING)
        {
          self->stroking = TRUE;
          self->stroke_y = y;
          self->stroke_x = x;
          cnn_activations_page_draw_stroke (self, y, x, y, x);
        }
      else if (self->mark_unit)
        cnn_activations_page_select_unit (self, self->map, -1, -1);
      break;
    case CNN_ACTIVATIONS_HIT_MAP:
      cnn_activations_page_select_unit (self, map, (int) floor (y), (int) floor (x));
      break;
    case CNN_ACTIVATIONS_HIT_NONE:
    default:
      break;
    }
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, CnnActivationsPage *self)
{
  if (!self->stroking)
    return;
  int map;
  double y, x;
  if (hit_test (self, self->drag_x0 + dx, self->drag_y0 + dy, &map, &y, &x)
      != CNN_ACTIVATIONS_HIT_INPUT)
    return;
  cnn_activations_page_draw_stroke (self, self->stroke_y, self->stroke_x, y, x);
  self->stroke_y = y;
  self->stroke_x = x;
}

static void
on_drag_end (GtkGestureDrag *gesture, double dx, double dy, CnnActivationsPage *self)
{
  self->stroking = FALSE;
}

/* ---- toolbar ---- */

static void
on_scale_changed (GtkDropDown *dropdown, GParamSpec *pspec, CnnActivationsPage *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self->view));
}

static void
all_maps_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  cnn_activations_page_select_unit (CNN_ACTIVATIONS_PAGE (widget), -1, -1, -1);
}

static void
export_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  cnn_page_export (widget, CNN_ACTIVATIONS_PAGE (widget)->view, "activations");
}

static GtkWidget *
build_toolbar (CnnActivationsPage *self)
{
  GtkWidget *bar = cnn_page_toolbar_new ();
  const char *const scales[] = { "Each map to its own range", "One range for all", NULL };
  self->layer_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->layer_dropdown),
                               "The layer whose channels are shown");
  g_signal_connect (self->layer_dropdown, "notify::selected", G_CALLBACK (on_layer_selected), self);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->layer_dropdown));
  self->scale_dropdown = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (scales));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->scale_dropdown),
                               "Colors: each map stretched to its own range, or one range for all");
  g_signal_connect (self->scale_dropdown, "notify::selected", G_CALLBACK (on_scale_changed), self);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->scale_dropdown));

  self->all_maps_button = gtk_button_new_with_mnemonic ("_All Maps");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->all_maps_button), "page.all-maps");
  gtk_widget_set_tooltip_text (self->all_maps_button, "Back to every channel (Escape)");
  gtk_box_append (GTK_BOX (bar), self->all_maps_button);

  cnn_page_toolbar_end (bar);
  return bar;
}

/* ---- the widget ---- */

static void
cnn_activations_page_dispose (GObject *object)
{
  CnnActivationsPage *self = CNN_ACTIVATIONS_PAGE (object);
  g_clear_handle_id (&self->compute_source, g_source_remove);
  if (self->session)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  if (self->pin)
    g_signal_handlers_disconnect_by_data (self->pin, self);
  g_clear_object (&self->pin);
  if (self->view)
    cnn_figure_view_set_draw_func (self->view, NULL, NULL, NULL, NULL);
  cnn_page_unparent_children (GTK_WIDGET (self));
  self->toolbar = NULL;
  self->view = NULL;
  g_clear_pointer (&self->layer_names, g_strfreev);
  g_clear_pointer (&self->layer_index, g_free);
  g_clear_pointer (&self->maps, g_free);
  g_clear_pointer (&self->probs, g_free);
  g_clear_pointer (&self->title, g_free);
  G_OBJECT_CLASS (cnn_activations_page_parent_class)->dispose (object);
}

static void
cnn_activations_page_class_init (CnnActivationsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->dispose = cnn_activations_page_dispose;
  widget_class->map = cnn_activations_page_map;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_install_action (widget_class, "page.export", NULL, export_activated);
  gtk_widget_class_install_action (widget_class, "page.all-maps", NULL, all_maps_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "page.all-maps", NULL);
}

static void
cnn_activations_page_init (CnnActivationsPage *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  self->layer = -1;
  self->toolbar = build_toolbar (self);
  gtk_widget_set_parent (self->toolbar, GTK_WIDGET (self));
  self->view = CNN_FIGURE_VIEW (cnn_figure_view_new ());
  gtk_widget_set_parent (GTK_WIDGET (self->view), GTK_WIDGET (self));
  cnn_figure_view_set_draw_func (self->view, draw, natural_size, self, NULL);

  GtkGesture *drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self->view), GTK_EVENT_CONTROLLER (drag));

}

GtkWidget *
cnn_activations_page_new (CnnSession *session, CnnPinnedInput *pin)
{
  CnnActivationsPage *self = g_object_new (CNN_TYPE_ACTIVATIONS_PAGE, NULL);
  self->session = g_object_ref (session);
  self->pin = g_object_ref (pin);
  g_signal_connect (pin, "changed", G_CALLBACK (on_input_changed), self);
  gtk_box_prepend (GTK_BOX (self->toolbar), cnn_input_bar_new (pin));
  cnn_input_drop_target_add (GTK_WIDGET (self), pin);
  g_signal_connect (session, "model-changed", G_CALLBACK (on_model), self);
  g_signal_connect (session, "weights-changed", G_CALLBACK (on_weights), self);
  on_model (session, self);
  return GTK_WIDGET (self);
}

CnnFigureView *
cnn_activations_page_get_view (CnnActivationsPage *self)
{
  return self->view;
}

int
cnn_activations_page_get_top_class (CnnActivationsPage *self)
{
  if (self->maps == NULL || self->probs == NULL)
    return -1;
  int best = 0;
  for (int k = 1; k < self->n_classes; k++)
    if (self->probs[k] > self->probs[best])
      best = k;
  return best;
}

guint
cnn_activations_page_get_compute_count (CnnActivationsPage *self)
{
  return self->compute_count;
}

const CnnImageSet *
cnn_activations_page_get_input (CnnActivationsPage *self)
{
  return cnn_pinned_input_get_image (self->pin);
}
