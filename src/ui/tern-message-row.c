/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include <glib/gi18n.h>

#include "tern-message-row.h"

/* One message in a conversation: a bubble on the left (incoming, with the
 * sender's name in groups) or on the right (outgoing, with ticks for its
 * state), its time and an "edited" mark. Not bound to a model yet: the
 * conversation's factory sets the properties from a TernMessage. */

struct _TernMessageRow
{
  AdwBin               parent_instance;

  char                *body;
  char                *sender_name;
  gint64               timestamp;
  TernMessageRowState  state;
  gboolean             outgoing;
  gboolean             edited;

  /* Template children */
  GtkWidget           *bubble;
  GtkLabel            *sender_label;
  GtkLabel            *body_label;
  GtkWidget           *edited_label;
  GtkLabel            *time_label;
  GtkImage            *state_icon;
};

enum {
  PROP_0,
  PROP_BODY,
  PROP_SENDER_NAME,
  PROP_OUTGOING,
  PROP_TIMESTAMP,
  PROP_STATE,
  PROP_EDITED,
  N_PROPS
};

G_DEFINE_ENUM_TYPE (TernMessageRowState, tern_message_row_state,
                    G_DEFINE_ENUM_VALUE (TERN_MESSAGE_ROW_STATE_NONE, "none"),
                    G_DEFINE_ENUM_VALUE (TERN_MESSAGE_ROW_STATE_PENDING, "pending"),
                    G_DEFINE_ENUM_VALUE (TERN_MESSAGE_ROW_STATE_SENT, "sent"),
                    G_DEFINE_ENUM_VALUE (TERN_MESSAGE_ROW_STATE_READ, "read"),
                    G_DEFINE_ENUM_VALUE (TERN_MESSAGE_ROW_STATE_FAILED, "failed"))

G_DEFINE_FINAL_TYPE (TernMessageRow, tern_message_row, ADW_TYPE_BIN)

static GParamSpec *properties[N_PROPS];

static gboolean
set_string (char       **dest,
            const char  *value)
{
  if (g_strcmp0 (*dest, value) == 0)
    return FALSE;

  g_free (*dest);
  *dest = g_strdup (value);
  return TRUE;
}

static const char *
state_description (TernMessageRowState state)
{
  switch (state)
    {
    case TERN_MESSAGE_ROW_STATE_PENDING:
      return _("Sending");
    case TERN_MESSAGE_ROW_STATE_SENT:
      return _("Sent");
    case TERN_MESSAGE_ROW_STATE_READ:
      return _("Read");
    case TERN_MESSAGE_ROW_STATE_FAILED:
      return _("Not sent");
    case TERN_MESSAGE_ROW_STATE_NONE:
    default:
      return NULL;
    }
}

static char *
format_time (gint64 timestamp)
{
  g_autoptr(GDateTime) time = NULL;

  if (timestamp <= 0)
    return g_strdup ("");

  time = g_date_time_new_from_unix_local (timestamp);
  /* Translators: the time of a message, see g_date_time_format() */
  return g_date_time_format (time, C_("message time", "%H:%M"));
}

static void
update_accessible_label (TernMessageRow *self)
{
  g_autoptr(GString) label = g_string_new (NULL);
  g_autofree char *time = format_time (self->timestamp);
  const char *state = state_description (self->state);

  if (self->outgoing)
    g_string_append (label, _("You"));
  else if (self->sender_name && *self->sender_name)
    g_string_append (label, self->sender_name);

  if (*time)
    g_string_append_printf (label, "%s%s", label->len ? ", " : "", time);
  if (self->outgoing && state)
    g_string_append_printf (label, "%s%s", label->len ? ", " : "", state);
  if (self->edited)
    g_string_append_printf (label, "%s%s", label->len ? ", " : "", C_("message", "edited"));
  g_string_append_printf (label, "%s%s", label->len ? ": " : "", self->body ? self->body : "");

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label->str,
                                  -1);
}

static void
update_direction (TernMessageRow *self)
{
  gtk_widget_set_halign (self->bubble, self->outgoing ? GTK_ALIGN_END : GTK_ALIGN_START);
  if (self->outgoing)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), "outgoing");
      gtk_widget_remove_css_class (GTK_WIDGET (self), "incoming");
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), "incoming");
      gtk_widget_remove_css_class (GTK_WIDGET (self), "outgoing");
    }

  /* Your own name is never shown above your bubbles. */
  gtk_widget_set_visible (GTK_WIDGET (self->sender_label),
                          !self->outgoing && self->sender_name && *self->sender_name);
}

static void
update_state (TernMessageRow *self)
{
  const char *icon = NULL;
  const char *description = state_description (self->state);

  if (self->outgoing)
    {
      switch (self->state)
        {
        case TERN_MESSAGE_ROW_STATE_PENDING:
          icon = "tern-message-pending-symbolic";
          break;
        case TERN_MESSAGE_ROW_STATE_SENT:
          icon = "tern-message-sent-symbolic";
          break;
        case TERN_MESSAGE_ROW_STATE_READ:
          icon = "tern-message-read-symbolic";
          break;
        case TERN_MESSAGE_ROW_STATE_FAILED:
          icon = "dialog-error-symbolic";
          break;
        case TERN_MESSAGE_ROW_STATE_NONE:
        default:
          break;
        }
    }

  gtk_image_set_from_icon_name (self->state_icon, icon);
  gtk_widget_set_visible (GTK_WIDGET (self->state_icon), icon != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->state_icon), icon ? description : NULL);
  if (icon != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->state_icon),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, description,
                                    -1);

  if (self->outgoing && self->state == TERN_MESSAGE_ROW_STATE_FAILED)
    gtk_widget_add_css_class (GTK_WIDGET (self), "failed");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "failed");
}

static void
tern_message_row_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TernMessageRow *self = TERN_MESSAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_BODY:
      g_value_set_string (value, self->body);
      break;

    case PROP_SENDER_NAME:
      g_value_set_string (value, self->sender_name);
      break;

    case PROP_OUTGOING:
      g_value_set_boolean (value, self->outgoing);
      break;

    case PROP_TIMESTAMP:
      g_value_set_int64 (value, self->timestamp);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_EDITED:
      g_value_set_boolean (value, self->edited);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_message_row_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  TernMessageRow *self = TERN_MESSAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_BODY:
      tern_message_row_set_body (self, g_value_get_string (value));
      break;

    case PROP_SENDER_NAME:
      tern_message_row_set_sender_name (self, g_value_get_string (value));
      break;

    case PROP_OUTGOING:
      tern_message_row_set_outgoing (self, g_value_get_boolean (value));
      break;

    case PROP_TIMESTAMP:
      tern_message_row_set_timestamp (self, g_value_get_int64 (value));
      break;

    case PROP_STATE:
      tern_message_row_set_state (self, g_value_get_enum (value));
      break;

    case PROP_EDITED:
      tern_message_row_set_edited (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_message_row_dispose (GObject *object)
{
  /* The bubble is both AdwBin's child and a template child: let AdwBin
   * drop it first, or it would unparent a finalized widget. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), TERN_TYPE_MESSAGE_ROW);

  G_OBJECT_CLASS (tern_message_row_parent_class)->dispose (object);
}

static void
tern_message_row_finalize (GObject *object)
{
  TernMessageRow *self = TERN_MESSAGE_ROW (object);

  g_clear_pointer (&self->body, g_free);
  g_clear_pointer (&self->sender_name, g_free);

  G_OBJECT_CLASS (tern_message_row_parent_class)->finalize (object);
}

static void
tern_message_row_class_init (TernMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = tern_message_row_get_property;
  object_class->set_property = tern_message_row_set_property;
  object_class->dispose = tern_message_row_dispose;
  object_class->finalize = tern_message_row_finalize;

  properties[PROP_BODY] =
    g_param_spec_string ("body", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TernMessageRow:sender-name:
   *
   * Shown above incoming bubbles (in group chats); never for outgoing ones.
   */
  properties[PROP_SENDER_NAME] =
    g_param_spec_string ("sender-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OUTGOING] =
    g_param_spec_boolean ("outgoing", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMESTAMP] =
    g_param_spec_int64 ("timestamp", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       TERN_TYPE_MESSAGE_ROW_STATE, TERN_MESSAGE_ROW_STATE_NONE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EDITED] =
    g_param_spec_boolean ("edited", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ternchat/Tern/tern-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, TernMessageRow, bubble);
  gtk_widget_class_bind_template_child (widget_class, TernMessageRow, sender_label);
  gtk_widget_class_bind_template_child (widget_class, TernMessageRow, body_label);
  gtk_widget_class_bind_template_child (widget_class, TernMessageRow, edited_label);
  gtk_widget_class_bind_template_child (widget_class, TernMessageRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, TernMessageRow, state_icon);

  gtk_widget_class_set_css_name (widget_class, "messagerow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
tern_message_row_init (TernMessageRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_direction (self);
  update_state (self);
  update_accessible_label (self);
}

TernMessageRow *
tern_message_row_new (void)
{
  return g_object_new (TERN_TYPE_MESSAGE_ROW, NULL);
}

const char *
tern_message_row_get_body (TernMessageRow *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE_ROW (self), NULL);

  return self->body;
}

/* The body as Pango markup: every character escaped, and web and mail
 * addresses (http, https, mailto, geo) made links. Nothing else of the
 * text is ever interpreted, and nothing is fetched. */
char *
tern_message_body_to_markup (const char *body)
{
  static GRegex *links;
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  gsize done = 0;

  if (body == NULL)
    return g_strdup ("");

  if (g_once_init_enter (&links))
    g_once_init_leave (&links,
                       g_regex_new ("\\b(?:https?://|mailto:|geo:)[^\\s<>\"]+[^\\s<>\"().,;:!?'\\]]",
                                    G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL));

  g_regex_match (links, body, 0, &match);
  while (g_match_info_matches (match))
    {
      int start, end;
      g_autofree char *before = NULL;
      g_autofree char *link = NULL;

      g_match_info_fetch_pos (match, 0, &start, &end);
      before = g_markup_escape_text (body + done, start - (int) done);
      link = g_markup_escape_text (body + start, end - start);
      g_string_append (out, before);
      g_string_append_printf (out, "<a href=\"%s\">%s</a>", link, link);
      done = end;
      g_match_info_next (match, NULL);
    }
  {
    g_autofree char *rest = g_markup_escape_text (body + done, -1);

    g_string_append (out, rest);
  }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

void
tern_message_row_set_body (TernMessageRow *self,
                           const char     *body)
{
  g_return_if_fail (TERN_IS_MESSAGE_ROW (self));

  if (!set_string (&self->body, body))
    return;

  /* Plain text, escaped; only addresses become links (never HTML). */
  {
    g_autofree char *markup = tern_message_body_to_markup (body);

    gtk_label_set_markup (self->body_label, markup);
  }
  update_accessible_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BODY]);
}

const char *
tern_message_row_get_sender_name (TernMessageRow *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE_ROW (self), NULL);

  return self->sender_name;
}

void
tern_message_row_set_sender_name (TernMessageRow *self,
                                  const char     *sender_name)
{
  g_return_if_fail (TERN_IS_MESSAGE_ROW (self));

  if (!set_string (&self->sender_name, sender_name))
    return;

  gtk_label_set_text (self->sender_label, sender_name ? sender_name : "");
  update_direction (self);
  update_accessible_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SENDER_NAME]);
}

gboolean
tern_message_row_get_outgoing (TernMessageRow *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE_ROW (self), FALSE);

  return self->outgoing;
}

void
tern_message_row_set_outgoing (TernMessageRow *self,
                               gboolean        outgoing)
{
  g_return_if_fail (TERN_IS_MESSAGE_ROW (self));

  outgoing = !!outgoing;
  if (self->outgoing == outgoing)
    return;

  self->outgoing = outgoing;
  update_direction (self);
  update_state (self);
  update_accessible_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OUTGOING]);
}

gint64
tern_message_row_get_timestamp (TernMessageRow *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE_ROW (self), 0);

  return self->timestamp;
}

void
tern_message_row_set_timestamp (TernMessageRow *self,
                                gint64          timestamp)
{
  g_autofree char *text = NULL;

  g_return_if_fail (TERN_IS_MESSAGE_ROW (self));

  if (self->timestamp == timestamp)
    return;

  self->timestamp = timestamp;
  text = format_time (timestamp);
  gtk_label_set_label (self->time_label, text);
  update_accessible_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMESTAMP]);
}

TernMessageRowState
tern_message_row_get_state (TernMessageRow *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE_ROW (self), TERN_MESSAGE_ROW_STATE_NONE);

  return self->state;
}

void
tern_message_row_set_state (TernMessageRow      *self,
                            TernMessageRowState  state)
{
  g_return_if_fail (TERN_IS_MESSAGE_ROW (self));
  g_return_if_fail (state <= TERN_MESSAGE_ROW_STATE_FAILED);

  if (self->state == state)
    return;

  self->state = state;
  update_state (self);
  update_accessible_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

gboolean
tern_message_row_get_edited (TernMessageRow *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE_ROW (self), FALSE);

  return self->edited;
}

void
tern_message_row_set_edited (TernMessageRow *self,
                             gboolean        edited)
{
  g_return_if_fail (TERN_IS_MESSAGE_ROW (self));

  edited = !!edited;
  if (self->edited == edited)
    return;

  self->edited = edited;
  gtk_widget_set_visible (self->edited_label, edited);
  update_accessible_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EDITED]);
}
