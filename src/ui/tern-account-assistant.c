/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include <glib/gi18n.h>

#include "tern-account-assistant.h"

/* The first page of the account assistant: address and password. The
 * accounts engine connects to TernAccountAssistant::next to detect the
 * servers and sign in; until then the page only validates its input. */

struct _TernAccountAssistant
{
  AdwWindow    parent_instance;

  /* Template children */
  GtkImage    *icon;
  AdwEntryRow *address_row;
  AdwEntryRow *password_row;
  GtkWidget   *next_button;
};

enum {
  PROP_0,
  PROP_CAN_CONTINUE,
  N_PROPS
};

enum {
  SIGNAL_NEXT,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (TernAccountAssistant, tern_account_assistant, ADW_TYPE_WINDOW)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
address_looks_valid (const char *address)
{
  const char *at = strrchr (address, '@');

  /* Only a plausibility check: something before and after one '@', no
   * spaces. The servers have the final word. */
  return at != NULL && at != address && at[1] != '\0'
         && strchr (address, ' ') == NULL && strchr (at + 1, '.') != NULL;
}

static void
entry_changed_cb (TernAccountAssistant *self)
{
  gboolean can_continue = tern_account_assistant_get_can_continue (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "assistant.next", can_continue);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_CONTINUE]);
}

static void
next_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TernAccountAssistant *self = TERN_ACCOUNT_ASSISTANT (widget);
  g_autofree char *address = NULL;

  if (!tern_account_assistant_get_can_continue (self))
    return;

  address = g_strstrip (g_strdup (tern_account_assistant_get_address (self)));
  g_signal_emit (self, signals[SIGNAL_NEXT], 0, address,
                 tern_account_assistant_get_password (self));
}

static void
tern_account_assistant_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  TernAccountAssistant *self = TERN_ACCOUNT_ASSISTANT (object);

  switch (prop_id)
    {
    case PROP_CAN_CONTINUE:
      g_value_set_boolean (value, tern_account_assistant_get_can_continue (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_account_assistant_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), TERN_TYPE_ACCOUNT_ASSISTANT);

  G_OBJECT_CLASS (tern_account_assistant_parent_class)->dispose (object);
}

static void
tern_account_assistant_class_init (TernAccountAssistantClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = tern_account_assistant_get_property;
  object_class->dispose = tern_account_assistant_dispose;

  /**
   * TernAccountAssistant:can-continue:
   *
   * Whether both the address and the password are filled in.
   */
  properties[PROP_CAN_CONTINUE] =
    g_param_spec_boolean ("can-continue", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TernAccountAssistant::next:
   * @address: the e-mail address, trimmed
   * @password: the password
   *
   * Emitted when the user continues with a filled-in page.
   */
  signals[SIGNAL_NEXT] =
    g_signal_new ("next",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ternchat/Tern/tern-account-assistant.ui");
  gtk_widget_class_bind_template_child (widget_class, TernAccountAssistant, icon);
  gtk_widget_class_bind_template_child (widget_class, TernAccountAssistant, address_row);
  gtk_widget_class_bind_template_child (widget_class, TernAccountAssistant, password_row);
  gtk_widget_class_bind_template_child (widget_class, TernAccountAssistant, next_button);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);

  gtk_widget_class_install_action (widget_class, "assistant.next", NULL, next_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tern_account_assistant_init (TernAccountAssistant *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_image_set_from_icon_name (self->icon, APP_ID);
  gtk_window_set_default_widget (GTK_WINDOW (self), self->next_button);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "assistant.next", FALSE);
}

TernAccountAssistant *
tern_account_assistant_new (void)
{
  return g_object_new (TERN_TYPE_ACCOUNT_ASSISTANT, NULL);
}

const char *
tern_account_assistant_get_address (TernAccountAssistant *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT_ASSISTANT (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->address_row));
}

const char *
tern_account_assistant_get_password (TernAccountAssistant *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT_ASSISTANT (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->password_row));
}

gboolean
tern_account_assistant_get_can_continue (TernAccountAssistant *self)
{
  g_autofree char *address = NULL;

  g_return_val_if_fail (TERN_IS_ACCOUNT_ASSISTANT (self), FALSE);

  address = g_strstrip (g_strdup (tern_account_assistant_get_address (self)));
  return address_looks_valid (address) && *tern_account_assistant_get_password (self) != '\0';
}
