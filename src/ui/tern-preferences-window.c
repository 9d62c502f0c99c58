/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include <glib/gi18n.h>

#include "tern-preferences-window.h"

struct _TernPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  /* Template children */
  GtkSwitch            *send_receipts_switch;
  GtkSwitch            *request_receipts_switch;
  GtkSwitch            *store_contacts_switch;
  AdwComboRow          *message_filter_row;
  GtkSwitch            *notifications_switch;
  GtkSwitch            *background_switch;
};

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (TernPreferencesWindow, tern_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static GParamSpec *properties[N_PROPS];

/* The order of the combo row's items; the nicks of the schema's enum. */
static const char * const message_filters[] = { "none", "active", "seen" };

static gboolean
filter_get_mapping (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (message_filters); i++)
    {
      if (g_str_equal (nick, message_filters[i]))
        {
          g_value_set_uint (value, i);
          return TRUE;
        }
    }

  return FALSE;
}

static GVariant *
filter_set_mapping (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  guint i = g_value_get_uint (value);

  if (i >= G_N_ELEMENTS (message_filters))
    return NULL;

  return g_variant_new_string (message_filters[i]);
}

static void
bind_switch (TernPreferencesWindow *self,
             const char            *key,
             GtkSwitch             *widget)
{
  g_settings_bind (self->settings, key, widget, "active", G_SETTINGS_BIND_DEFAULT);
}

static void
tern_preferences_window_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  TernPreferencesWindow *self = TERN_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_preferences_window_constructed (GObject *object)
{
  TernPreferencesWindow *self = TERN_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (tern_preferences_window_parent_class)->constructed (object);

  g_return_if_fail (G_IS_SETTINGS (self->settings));

  bind_switch (self, "send-read-receipts", self->send_receipts_switch);
  bind_switch (self, "request-read-receipts", self->request_receipts_switch);
  bind_switch (self, "store-contacts-on-server", self->store_contacts_switch);
  bind_switch (self, "notifications", self->notifications_switch);
  bind_switch (self, "run-in-background", self->background_switch);
  g_settings_bind_with_mapping (self->settings, "message-filter",
                                self->message_filter_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                filter_get_mapping, filter_set_mapping, NULL, NULL);
}

static void
tern_preferences_window_dispose (GObject *object)
{
  TernPreferencesWindow *self = TERN_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), TERN_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tern_preferences_window_parent_class)->dispose (object);
}

static void
tern_preferences_window_class_init (TernPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->set_property = tern_preferences_window_set_property;
  object_class->constructed = tern_preferences_window_constructed;
  object_class->dispose = tern_preferences_window_dispose;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ternchat/Tern/tern-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TernPreferencesWindow, send_receipts_switch);
  gtk_widget_class_bind_template_child (widget_class, TernPreferencesWindow,
                                        request_receipts_switch);
  gtk_widget_class_bind_template_child (widget_class, TernPreferencesWindow, store_contacts_switch);
  gtk_widget_class_bind_template_child (widget_class, TernPreferencesWindow, message_filter_row);
  gtk_widget_class_bind_template_child (widget_class, TernPreferencesWindow, notifications_switch);
  gtk_widget_class_bind_template_child (widget_class, TernPreferencesWindow, background_switch);
}

static void
tern_preferences_window_init (TernPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

TernPreferencesWindow *
tern_preferences_window_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (TERN_TYPE_PREFERENCES_WINDOW,
                       "settings", settings,
                       NULL);
}
