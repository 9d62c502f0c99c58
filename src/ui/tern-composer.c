/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include <glib/gi18n.h>

#include "tern-composer.h"

/* The message composer at the bottom of a conversation: a multi-line text
 * view where Enter sends and Shift+Enter starts a new line, an attach
 * button, a send button, and a bar quoting the message being replied to.
 * It emits ::send and ::attach; the conversation view does the rest. */

struct _TernComposer
{
  AdwBin         parent_instance;

  gboolean       can_send;

  /* Template children */
  GtkRevealer   *reply_revealer;
  GtkLabel      *reply_title;
  GtkLabel      *reply_excerpt;
  GtkTextView   *text_view;
  GtkWidget     *placeholder_label;
  GtkWidget     *attach_button;
  GtkWidget     *send_button;
};

enum {
  PROP_0,
  PROP_CAN_SEND,
  PROP_REPLYING,
  N_PROPS
};

enum {
  SIGNAL_SEND,
  SIGNAL_ATTACH,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (TernComposer, tern_composer, ADW_TYPE_BIN)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
text_is_blank (const char *text)
{
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return FALSE;

  return TRUE;
}

static void
buffer_changed_cb (TernComposer *self)
{
  g_autofree char *text = tern_composer_dup_text (self);
  gboolean can_send = !text_is_blank (text);

  gtk_widget_set_visible (self->placeholder_label, *text == '\0');
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send", can_send);

  if (self->can_send != can_send)
    {
      self->can_send = can_send;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_SEND]);
    }
}

static void
send_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TernComposer *self = TERN_COMPOSER (widget);
  g_autofree char *text = tern_composer_dup_text (self);
  g_autofree char *trimmed = NULL;

  if (text_is_blank (text))
    return;

  /* Leading and trailing blank lines are never meant to be sent. */
  trimmed = g_strstrip (g_strdup (text));
  g_signal_emit (self, signals[SIGNAL_SEND], 0, trimmed);

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), "", 0);
  tern_composer_clear_reply (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static void
attach_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_ATTACH], 0);
}

static void
cancel_reply_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  TernComposer *self = TERN_COMPOSER (widget);

  tern_composer_clear_reply (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                TernComposer          *self)
{
  GdkModifierType modifiers = state & gtk_accelerator_get_default_mod_mask ();

  if (keyval == GDK_KEY_Escape && modifiers == 0 && tern_composer_get_replying (self))
    {
      tern_composer_clear_reply (self);
      return GDK_EVENT_STOP;
    }

  if (keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter && keyval != GDK_KEY_ISO_Enter)
    return GDK_EVENT_PROPAGATE;

  /* Shift+Enter: the text view inserts a new line. */
  if (modifiers & GDK_SHIFT_MASK)
    return GDK_EVENT_PROPAGATE;

  /* Enter (and Ctrl+Enter) send; on an empty composer Enter does nothing
   * rather than inserting a blank line. */
  gtk_widget_activate_action (GTK_WIDGET (self), "composer.send", NULL);
  return GDK_EVENT_STOP;
}

static void
tern_composer_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TernComposer *self = TERN_COMPOSER (object);

  switch (prop_id)
    {
    case PROP_CAN_SEND:
      g_value_set_boolean (value, self->can_send);
      break;

    case PROP_REPLYING:
      g_value_set_boolean (value, tern_composer_get_replying (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_composer_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), TERN_TYPE_COMPOSER);

  G_OBJECT_CLASS (tern_composer_parent_class)->dispose (object);
}

static gboolean
tern_composer_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (TERN_COMPOSER (widget)->text_view));
}

static void
tern_composer_class_init (TernComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = tern_composer_get_property;
  object_class->dispose = tern_composer_dispose;
  widget_class->grab_focus = tern_composer_grab_focus;

  properties[PROP_CAN_SEND] =
    g_param_spec_boolean ("can-send", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REPLYING] =
    g_param_spec_boolean ("replying", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TernComposer::send:
   * @text: the message, without leading and trailing white space
   *
   * Emitted when the user sends a message that is not blank. The composer
   * clears itself (and the reply) afterwards.
   */
  signals[SIGNAL_SEND] =
    g_signal_new ("send",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * TernComposer::attach:
   *
   * Emitted when the user asks to attach a file.
   */
  signals[SIGNAL_ATTACH] =
    g_signal_new ("attach",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ternchat/Tern/tern-composer.ui");
  gtk_widget_class_bind_template_child (widget_class, TernComposer, reply_revealer);
  gtk_widget_class_bind_template_child (widget_class, TernComposer, reply_title);
  gtk_widget_class_bind_template_child (widget_class, TernComposer, reply_excerpt);
  gtk_widget_class_bind_template_child (widget_class, TernComposer, text_view);
  gtk_widget_class_bind_template_child (widget_class, TernComposer, placeholder_label);
  gtk_widget_class_bind_template_child (widget_class, TernComposer, attach_button);
  gtk_widget_class_bind_template_child (widget_class, TernComposer, send_button);

  gtk_widget_class_install_action (widget_class, "composer.send", NULL, send_activated);
  gtk_widget_class_install_action (widget_class, "composer.attach", NULL, attach_activated);
  gtk_widget_class_install_action (widget_class, "composer.cancel-reply", NULL,
                                   cancel_reply_activated);

  gtk_widget_class_set_css_name (widget_class, "composer");
}

static void
tern_composer_init (TernComposer *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Capture phase: runs before the text view's own Enter handling. */
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_name (keys, "tern-composer-keys");
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->text_view), keys);

  g_signal_connect_object (gtk_text_view_get_buffer (self->text_view), "changed",
                           G_CALLBACK (buffer_changed_cb), self, G_CONNECT_SWAPPED);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.cancel-reply", FALSE);
}

TernComposer *
tern_composer_new (void)
{
  return g_object_new (TERN_TYPE_COMPOSER, NULL);
}

/**
 * tern_composer_dup_text:
 *
 * Returns: (transfer full): the text as typed
 */
char *
tern_composer_dup_text (TernComposer *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (TERN_IS_COMPOSER (self), NULL);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/**
 * tern_composer_set_text:
 *
 * Replaces the text (a draft, or a message being edited).
 */
void
tern_composer_set_text (TernComposer *self,
                        const char   *text)
{
  g_return_if_fail (TERN_IS_COMPOSER (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text ? text : "", -1);
}

gboolean
tern_composer_get_can_send (TernComposer *self)
{
  g_return_val_if_fail (TERN_IS_COMPOSER (self), FALSE);

  return self->can_send;
}

/**
 * tern_composer_set_reply:
 * @sender_name: who wrote the message being replied to
 * @excerpt: the start of that message (shown on one line)
 *
 * Shows the reply bar above the text.
 */
void
tern_composer_set_reply (TernComposer *self,
                         const char   *sender_name,
                         const char   *excerpt)
{
  g_autofree char *title = NULL;
  g_autofree char *one_line = NULL;
  gboolean was_replying;

  g_return_if_fail (TERN_IS_COMPOSER (self));
  g_return_if_fail (sender_name != NULL);

  was_replying = tern_composer_get_replying (self);

  /* Translators: %s is a person's name, above the quoted message */
  title = g_strdup_printf (_("Reply to %s"), sender_name);
  one_line = g_strdup (excerpt ? excerpt : "");
  g_strdelimit (one_line, "\r\n\t", ' ');

  gtk_label_set_text (self->reply_title, title);
  gtk_label_set_text (self->reply_excerpt, g_strstrip (one_line));
  gtk_revealer_set_reveal_child (self->reply_revealer, TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.cancel-reply", TRUE);

  if (!was_replying)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPLYING]);
}

void
tern_composer_clear_reply (TernComposer *self)
{
  g_return_if_fail (TERN_IS_COMPOSER (self));

  if (!tern_composer_get_replying (self))
    return;

  gtk_revealer_set_reveal_child (self->reply_revealer, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.cancel-reply", FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPLYING]);
}

gboolean
tern_composer_get_replying (TernComposer *self)
{
  g_return_val_if_fail (TERN_IS_COMPOSER (self), FALSE);

  return gtk_revealer_get_reveal_child (self->reply_revealer);
}
