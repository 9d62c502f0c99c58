/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include <glib/gi18n.h>

#include "tern-local-time.h"
#include "tern-message-media.h"
#include "tern-message-row.h"

/* One message in a conversation, the child of each conversation list row:
 * an optional day separator, then a bubble on the left (incoming, with the
 * sender's name and avatar in groups) or on the right (outgoing, with ticks
 * for its state), and under a failed message its reason and Retry.
 *
 * Built in code, not from a template, and cheap: a fresh row is a box with
 * the bubble, the body label and the time. Everything only some messages
 * need (day separator, sender name, avatar, reply quote, attachments and
 * location, "show full message", "edited", ticks, failure line) is created the first time a
 * message bound to the row needs it and then only shown or hidden. CSS
 * classes change only when the value they stand for changes. */

struct _TernMessageRow
{
  GtkWidget            parent_instance;

  TernMessage         *message;
  char                *body;
  char                *sender_name;
  char                *day;
  gint64               timestamp;
  TernMessageRowState  state;
  gboolean             outgoing;
  gboolean             edited;
  gboolean             deleted;
  gboolean             mentions_me;
  gboolean             expanded;
  gboolean             has_avatar;
  gboolean             in_bind;
  gboolean             wrap;
  int                  text_width;    /* room for a line of text, 0 = unknown */
  PangoLayout         *measure;       /* lazy: one line of the body, to decide on wrapping */

  GtkWidget           *day_label;     /* lazy */
  GtkWidget           *line;          /* avatar + bubble */
  GtkWidget           *avatar;        /* lazy */
  GtkWidget           *bubble;
  GtkWidget           *sender_label;  /* lazy */
  GtkWidget           *reply_button;  /* lazy */
  GtkLabel            *reply_sender;
  GtkLabel            *reply_text;
  GtkLabel            *body_label;
  GtkWidget           *quote_label;   /* lazy: the folded quote/signature */
  GtkWidget           *full_button;   /* lazy */
  GtkWidget           *media;         /* lazy: TernMessageMedia */
  GtkWidget           *meta;
  GtkWidget           *edited_button; /* lazy */
  GtkLabel            *time_label;
  GtkWidget           *state_icon;    /* lazy */
  const char          *state_icon_name; /* the icon it shows (a static string) */
  GtkWidget           *failure;       /* lazy */
  GtkLabel            *failure_label;
  GtkWidget           *retry_button;
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

enum {
  SIGNAL_RETRY,
  SIGNAL_QUOTE_ACTIVATED,
  N_SIGNALS
};

G_DEFINE_ENUM_TYPE (TernMessageRowState, tern_message_row_state,
                    G_DEFINE_ENUM_VALUE (TERN_MESSAGE_ROW_STATE_NONE, "none"),
                    G_DEFINE_ENUM_VALUE (TERN_MESSAGE_ROW_STATE_PENDING, "pending"),
                    G_DEFINE_ENUM_VALUE (TERN_MESSAGE_ROW_STATE_SENT, "sent"),
                    G_DEFINE_ENUM_VALUE (TERN_MESSAGE_ROW_STATE_READ, "read"),
                    G_DEFINE_ENUM_VALUE (TERN_MESSAGE_ROW_STATE_FAILED, "failed"))

G_DEFINE_FINAL_TYPE (TernMessageRow, tern_message_row, GTK_TYPE_WIDGET)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

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

static void
set_class (GtkWidget  *widget,
           const char *css_class,
           gboolean    on)
{
  if (on)
    gtk_widget_add_css_class (widget, css_class);
  else
    gtk_widget_remove_css_class (widget, css_class);
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

static GDateTime *
local_time (gint64 timestamp)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (timestamp);

  return utc ? g_date_time_to_timezone (utc, tern_local_time_zone ()) : NULL;
}

static char *
format_time (gint64 timestamp)
{
  g_autoptr(GDateTime) time = NULL;

  if (timestamp <= 0)
    return g_strdup ("");

  time = local_time (timestamp);
  if (time == NULL)
    return g_strdup ("");
  /* Translators: the time of a message, see g_date_time_format() */
  return g_date_time_format (time, C_("message time", "%H:%M"));
}

static void
update_accessible_label (TernMessageRow *self)
{
  g_autoptr(GString) label = NULL;
  const char *time;
  const char *state;

  if (self->in_bind)
    return;

  label = g_string_new (NULL);
  time = gtk_label_get_text (self->time_label);
  state = state_description (self->state);
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
  if (self->mentions_me)
    g_string_append_printf (label, "%s%s", label->len ? ", " : "", _("mentions you"));
  g_string_append_printf (label, "%s%s", label->len ? ": " : "", self->body ? self->body : "");

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label->str,
                                  -1);
}

/* ---- lazily created parts ------------------------------------------------ */

static GtkWidget *
ensure_sender_label (TernMessageRow *self)
{
  if (self->sender_label == NULL)
    {
      self->sender_label = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (self->sender_label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (self->sender_label), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (self->sender_label, "caption-heading");
      gtk_widget_add_css_class (self->sender_label, "sender");
      gtk_box_prepend (GTK_BOX (self->bubble), self->sender_label);
    }
  return self->sender_label;
}

static void
update_direction (TernMessageRow *self)
{
  gboolean show_sender = !self->outgoing && self->sender_name && *self->sender_name;

  gtk_widget_set_halign (self->bubble, self->outgoing ? GTK_ALIGN_END : GTK_ALIGN_START);
  set_class (GTK_WIDGET (self), "outgoing", self->outgoing);
  set_class (GTK_WIDGET (self), "incoming", !self->outgoing);

  /* Your own name is never shown above your bubbles. */
  if (show_sender)
    gtk_label_set_text (GTK_LABEL (ensure_sender_label (self)), self->sender_name);
  if (self->sender_label != NULL)
    gtk_widget_set_visible (self->sender_label, show_sender);
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

  if (icon != NULL && self->state_icon == NULL)
    {
      self->state_icon = gtk_image_new ();
      gtk_image_set_pixel_size (GTK_IMAGE (self->state_icon), 16);
      gtk_box_append (GTK_BOX (self->meta), self->state_icon);
    }
  /* Rows are bound again and again: only a changed tick is set. */
  if (self->state_icon != NULL && gtk_widget_get_visible (self->state_icon) != (icon != NULL))
    gtk_widget_set_visible (self->state_icon, icon != NULL);
  if (self->state_icon != NULL && icon != NULL && g_strcmp0 (icon, self->state_icon_name) != 0)
    {
      self->state_icon_name = icon;
      gtk_image_set_from_icon_name (GTK_IMAGE (self->state_icon), icon);
      gtk_widget_set_tooltip_text (self->state_icon, description);
      if (icon != NULL)
        gtk_accessible_update_property (GTK_ACCESSIBLE (self->state_icon),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, description,
                                        -1);
    }

  set_class (GTK_WIDGET (self), "failed",
             self->outgoing && self->state == TERN_MESSAGE_ROW_STATE_FAILED);
}

static void
history_closed_cb (GtkPopover *popover)
{
  gtk_widget_unparent (GTK_WIDGET (popover));
}

static char *
format_edit_time (gint64 when)
{
  g_autoptr(GDateTime) time = NULL;

  if (when <= 0)
    return g_strdup ("");
  time = local_time (when);
  if (time == NULL)
    return g_strdup ("");
  /* Translators: when a message was edited, see g_date_time_format() */
  return g_date_time_format (time, C_("edit time", "%e %b %H:%M"));
}

/* The edit history: each earlier text of the message, oldest first, with
 * when it was replaced. Read from the store only when asked for. */
GtkWidget *
tern_message_row_show_history (TernMessageRow *self)
{
  g_autoptr(GPtrArray) edits = NULL;
  GtkWidget *popover, *box, *title;

  g_return_val_if_fail (TERN_IS_MESSAGE_ROW (self), NULL);

  if (self->message == NULL || self->edited_button == NULL)
    return NULL;

  popover = gtk_popover_new ();
  gtk_widget_add_css_class (popover, "edit-history");
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  title = gtk_label_new (_("Edit History"));
  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_box_append (GTK_BOX (box), title);

  edits = tern_message_list_edits (self->message);
  for (guint i = 0; edits != NULL && i < edits->len; i++)
    {
      const TernStoreEditRow *edit = edits->pdata[i];
      g_autofree char *when = format_edit_time (edit->edited_at);
      g_autofree char *shown = tern_message_body_strip_mentions (edit->old_text ? edit->old_text : "");
      GtkWidget *entry = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
      GtkWidget *text = gtk_label_new (shown);
      GtkWidget *time = gtk_label_new (when);

      gtk_widget_add_css_class (entry, "edit-history-entry");
      gtk_label_set_wrap (GTK_LABEL (text), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (text), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_max_width_chars (GTK_LABEL (text), 40);
      gtk_label_set_xalign (GTK_LABEL (text), 0);
      gtk_label_set_selectable (GTK_LABEL (text), TRUE);
      gtk_label_set_xalign (GTK_LABEL (time), 0);
      gtk_widget_add_css_class (time, "caption");
      gtk_widget_add_css_class (time, "dim-label");
      gtk_box_append (GTK_BOX (entry), text);
      gtk_box_append (GTK_BOX (entry), time);
      gtk_box_append (GTK_BOX (box), entry);
    }
  if (edits == NULL || edits->len == 0)
    {
      GtkWidget *none = gtk_label_new (_("No earlier versions are stored."));

      gtk_widget_add_css_class (none, "dim-label");
      gtk_box_append (GTK_BOX (box), none);
    }

  gtk_popover_set_child (GTK_POPOVER (popover), box);
  gtk_widget_set_parent (popover, self->edited_button);
  g_signal_connect (popover, "closed", G_CALLBACK (history_closed_cb), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));
  return popover;
}

static void
edited_clicked_cb (TernMessageRow *self)
{
  tern_message_row_show_history (self);
}

static void
update_edited (TernMessageRow *self)
{
  if (self->edited && self->edited_button == NULL)
    {
      self->edited_button = gtk_button_new_with_label (C_("message", "edited"));
      gtk_widget_add_css_class (self->edited_button, "flat");
      gtk_widget_add_css_class (self->edited_button, "edited-button");
      gtk_widget_set_tooltip_text (self->edited_button, _("Show the edit history"));
      gtk_widget_set_valign (self->edited_button, GTK_ALIGN_CENTER);
      g_signal_connect_swapped (self->edited_button, "clicked", G_CALLBACK (edited_clicked_cb),
                                self);
      gtk_box_prepend (GTK_BOX (self->meta), self->edited_button);
    }
  if (self->edited_button != NULL)
    gtk_widget_set_visible (self->edited_button, self->edited);
}

static void
quote_clicked_cb (TernMessageRow *self)
{
  TernMessage *replied = self->message ? tern_message_get_reply_message (self->message) : NULL;

  if (replied != NULL)
    g_signal_emit (self, signals[SIGNAL_QUOTE_ACTIVATED], 0, tern_message_get_id (replied));
}

/* Replies: who wrote the replied message and its first line, above the
 * text; a click jumps to it. */
static void
update_reply (TernMessageRow *self)
{
  TernMessage *replied = NULL;

  if (self->message != NULL && !self->deleted &&
      tern_message_get_reply_to (self->message) != NULL)
    replied = tern_message_get_reply_message (self->message);

  if (replied != NULL && self->reply_button == NULL)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

      self->reply_button = gtk_button_new ();
      gtk_widget_add_css_class (self->reply_button, "flat");
      gtk_widget_add_css_class (self->reply_button, "reply-quote");
      gtk_widget_set_tooltip_text (self->reply_button, _("Show the replied message"));
      self->reply_sender = GTK_LABEL (gtk_label_new (NULL));
      gtk_label_set_xalign (self->reply_sender, 0);
      gtk_label_set_ellipsize (self->reply_sender, PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (GTK_WIDGET (self->reply_sender), "caption-heading");
      self->reply_text = GTK_LABEL (gtk_label_new (NULL));
      gtk_label_set_xalign (self->reply_text, 0);
      gtk_label_set_ellipsize (self->reply_text, PANGO_ELLIPSIZE_END);
      gtk_label_set_max_width_chars (self->reply_text, 40);
      gtk_widget_add_css_class (GTK_WIDGET (self->reply_text), "caption");
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->reply_sender));
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->reply_text));
      gtk_button_set_child (GTK_BUTTON (self->reply_button), box);
      g_signal_connect_swapped (self->reply_button, "clicked", G_CALLBACK (quote_clicked_cb), self);
      gtk_widget_insert_before (self->reply_button, self->bubble, GTK_WIDGET (self->body_label));
    }
  if (replied != NULL)
    {
      g_autofree char *line = NULL;
      const char *name;

      if (tern_message_get_deleted (replied))
        line = g_strdup (_("This message was deleted"));
      else
        {
          g_autofree char *text = tern_message_body_strip_mentions (tern_message_get_text (replied));

          line = tern_message_first_line (text, 120);
        }
      name = tern_message_get_outgoing (replied) ? _("You") : tern_message_get_sender_name (replied);
      gtk_label_set_text (self->reply_sender, name ? name : "");
      gtk_label_set_text (self->reply_text, line);
    }
  if (self->reply_button != NULL)
    gtk_widget_set_visible (self->reply_button, replied != NULL);
}

static void
update_quote (TernMessageRow *self);

static void
full_clicked_cb (TernMessageRow *self)
{
  self->expanded = !self->expanded;
  update_quote (self);
}

/* Classic mail: the quoted earlier mail and the signature are folded
 * away behind "Show Full Message". */
static void
update_quote (TernMessageRow *self)
{
  const char *quote = NULL;

  if (self->message != NULL && !self->deleted)
    quote = tern_message_get_quote (self->message);
  if (quote != NULL && *quote == '\0')
    quote = NULL;

  if (quote != NULL && self->full_button == NULL)
    {
      self->full_button = gtk_button_new ();
      gtk_widget_add_css_class (self->full_button, "flat");
      gtk_widget_add_css_class (self->full_button, "full-message-button");
      gtk_widget_set_halign (self->full_button, GTK_ALIGN_START);
      g_signal_connect_swapped (self->full_button, "clicked", G_CALLBACK (full_clicked_cb), self);
      gtk_widget_insert_before (self->full_button, self->bubble, self->meta);
    }
  if (quote != NULL && self->expanded && self->quote_label == NULL)
    {
      self->quote_label = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (self->quote_label), 0);
      gtk_label_set_wrap (GTK_LABEL (self->quote_label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (self->quote_label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_max_width_chars (GTK_LABEL (self->quote_label), 60);
      gtk_label_set_selectable (GTK_LABEL (self->quote_label), TRUE);
      gtk_widget_set_can_focus (self->quote_label, FALSE);
      gtk_widget_add_css_class (self->quote_label, "folded-quote");
      gtk_widget_insert_after (self->quote_label, self->bubble, GTK_WIDGET (self->body_label));
    }
  if (self->full_button != NULL)
    {
      gtk_widget_set_visible (self->full_button, quote != NULL);
      gtk_button_set_label (GTK_BUTTON (self->full_button),
                            self->expanded ? _("Hide Quoted Text") : _("Show Full Message"));
    }
  if (self->quote_label != NULL)
    {
      if (quote != NULL && self->expanded)
        gtk_label_set_text (GTK_LABEL (self->quote_label), quote);
      gtk_widget_set_visible (self->quote_label, quote != NULL && self->expanded);
    }
}

/* Attachments and locations: a TernMessageMedia under the text, made for
 * the first message that has either. */
static void
update_media (TernMessageRow *self)
{
  gboolean has = self->message != NULL && !self->deleted &&
                 (tern_message_get_n_attachments (self->message) > 0 ||
                  tern_message_get_has_location (self->message));

  if (has && self->media == NULL)
    {
      self->media = tern_message_media_new ();
      gtk_widget_insert_after (self->media, self->bubble, GTK_WIDGET (self->body_label));
    }
  if (self->media != NULL)
    {
      tern_message_media_set_message (TERN_MESSAGE_MEDIA (self->media), has ? self->message : NULL);
      gtk_widget_set_visible (self->media, has);
    }
}

static void
retry_clicked_cb (TernMessageRow *self)
{
  if (self->message != NULL)
    g_signal_emit (self, signals[SIGNAL_RETRY], 0, tern_message_get_id (self->message));
}

static void
update_failure (TernMessageRow *self,
                const char     *reason)
{
  gboolean failed = self->outgoing && self->state == TERN_MESSAGE_ROW_STATE_FAILED &&
                    !self->deleted;

  if (failed && self->failure == NULL)
    {
      self->failure = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      self->failure_label = GTK_LABEL (gtk_label_new (NULL));
      self->retry_button = gtk_button_new_with_mnemonic (_("_Retry"));
      gtk_widget_set_halign (self->failure, GTK_ALIGN_END);
      gtk_widget_add_css_class (self->failure, "send-failure");
      gtk_label_set_wrap (self->failure_label, TRUE);
      gtk_label_set_natural_wrap_mode (self->failure_label, GTK_NATURAL_WRAP_NONE);
      gtk_label_set_max_width_chars (self->failure_label, 60);
      gtk_label_set_xalign (self->failure_label, 1);
      gtk_label_set_selectable (self->failure_label, TRUE);
      gtk_widget_add_css_class (GTK_WIDGET (self->failure_label), "caption");
      gtk_widget_add_css_class (GTK_WIDGET (self->failure_label), "error");
      gtk_widget_add_css_class (self->retry_button, "flat");
      gtk_widget_set_valign (self->retry_button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (self->retry_button, _("Send the message again"));
      g_signal_connect_swapped (self->retry_button, "clicked", G_CALLBACK (retry_clicked_cb), self);
      gtk_box_append (GTK_BOX (self->failure), GTK_WIDGET (self->failure_label));
      gtk_box_append (GTK_BOX (self->failure), self->retry_button);
      gtk_widget_insert_after (self->failure, GTK_WIDGET (self), self->line);
    }
  if (self->failure != NULL)
    {
      gtk_widget_set_visible (self->failure, failed);
      if (failed)
        gtk_label_set_text (self->failure_label,
                            reason && *reason ? reason : _("The message could not be sent."));
    }
}

/* ---- GObject ------------------------------------------------------------- */

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
  TernMessageRow *self = TERN_MESSAGE_ROW (object);
  GtkWidget *child;

  g_clear_object (&self->message);
  g_clear_object (&self->measure);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (tern_message_row_parent_class)->dispose (object);
}

static void
tern_message_row_finalize (GObject *object)
{
  TernMessageRow *self = TERN_MESSAGE_ROW (object);

  g_clear_pointer (&self->body, g_free);
  g_clear_pointer (&self->sender_name, g_free);
  g_clear_pointer (&self->day, g_free);

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

  /**
   * TernMessageRow::retry:
   * @message: the row id of the failed message
   */
  signals[SIGNAL_RETRY] =
    g_signal_new ("retry", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
  /**
   * TernMessageRow::quote-activated:
   * @message: the row id of the replied message
   *
   * The quote above a reply was clicked.
   */
  signals[SIGNAL_QUOTE_ACTIVATED] =
    g_signal_new ("quote-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "messagerow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
tern_message_row_init (TernMessageRow *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);

  self->line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_set_parent (self->line, GTK_WIDGET (self));

  self->bubble = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_hexpand (self->bubble, TRUE);
  gtk_widget_set_halign (self->bubble, GTK_ALIGN_START);
  gtk_widget_add_css_class (self->bubble, "message-bubble");
  gtk_box_append (GTK_BOX (self->line), self->bubble);

  self->body_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->body_label, 0);
  self->wrap = TRUE;
  gtk_label_set_wrap (self->body_label, TRUE);
  gtk_label_set_wrap_mode (self->body_label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (self->body_label, TRUE);
  gtk_label_set_max_width_chars (self->body_label, 60);
  gtk_widget_set_can_focus (GTK_WIDGET (self->body_label), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->body_label), "body");
  gtk_box_append (GTK_BOX (self->bubble), GTK_WIDGET (self->body_label));

  self->meta = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  gtk_widget_set_halign (self->meta, GTK_ALIGN_END);
  gtk_widget_add_css_class (self->meta, "message-meta");
  self->time_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->time_label), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->time_label), "numeric");
  gtk_box_append (GTK_BOX (self->meta), GTK_WIDGET (self->time_label));
  gtk_box_append (GTK_BOX (self->bubble), self->meta);

  gtk_widget_add_css_class (GTK_WIDGET (self), "incoming");
}

TernMessageRow *
tern_message_row_new (void)
{
  return g_object_new (TERN_TYPE_MESSAGE_ROW, NULL);
}

/* ---- text ----------------------------------------------------------------- */

/* COI mentions are "@Name:addr" or "@\"Some Name\":addr": shown as "@Name". */
char *
tern_message_body_strip_mentions (const char *body)
{
  static GRegex *mentions;

  if (body == NULL)
    return g_strdup ("");
  if (strchr (body, '@') == NULL)
    return g_strdup (body);

  if (g_once_init_enter (&mentions))
    g_once_init_leave (&mentions,
                       g_regex_new ("@(?:\"([^\"\\n]+)\"|([^\\s@\":]+)):"
                                    "[^\\s@<>\"()]+@[^\\s@<>\"(),;]*[^\\s@<>\"(),;.:!?]",
                                    G_REGEX_OPTIMIZE, 0, NULL));

  return g_regex_replace (mentions, body, -1, 0, "@\\1\\2", 0, NULL);
}

char *
tern_message_first_line (const char *text,
                         guint       max)
{
  const char *p = text ? text : "";
  const char *end;
  g_autofree char *line = NULL;

  while (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
    p++;
  end = strchr (p, '\n');
  line = end ? g_strndup (p, end - p) : g_strdup (p);
  g_strchomp (line);
  if (g_utf8_strlen (line, -1) > max)
    {
      g_autofree char *cut = g_utf8_substring (line, 0, max);

      return g_strconcat (cut, "…", NULL);
    }
  return g_steal_pointer (&line);
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

static gboolean
may_have_links (const char *body)
{
  return strstr (body, "://") != NULL || strstr (body, "mailto:") != NULL ||
         strstr (body, "MAILTO:") != NULL || strstr (body, "geo:") != NULL ||
         strstr (body, "GEO:") != NULL;
}

/* The conversation tells the row the room for a line of text (and tells
 * it again when the list's width changes); without it the label wraps. */
static void
show_text (TernMessageRow *self,
           const char     *text)
{
  /* Plain text, escaped; only addresses become links (never HTML).
   * Most messages have none: those skip the markup parser. */
  if (!may_have_links (text))
    gtk_label_set_text (self->body_label, text);
  else
    {
      g_autofree char *markup = tern_message_body_to_markup (text);

      gtk_label_set_markup (self->body_label, markup);
    }
}

/* Shows the body. When the room for a line is known, the row breaks the
 * lines itself (one Pango layout at that width) and the label does not
 * wrap: a label that wraps lays its text out again for every width it is
 * measured at, which was most of the cost of building a conversation. */
static void
update_wrap (TernMessageRow *self)
{
  const char *body = self->body ? self->body : "";
  gboolean wrap = self->text_width <= 0 || strlen (body) > 8192;

  if (wrap != self->wrap)
    {
      self->wrap = wrap;
      gtk_label_set_wrap (self->body_label, wrap);
    }
  if (wrap)
    {
      show_text (self, body);
      return;
    }

  /* The label's own font (its Pango context follows its style). */
  if (self->measure == NULL)
    self->measure = gtk_widget_create_pango_layout (GTK_WIDGET (self->body_label), NULL);
  else
    pango_layout_context_changed (self->measure);
  pango_layout_set_width (self->measure, -1);
  pango_layout_set_text (self->measure, body, -1);
  {
    int width = 0;

    pango_layout_get_pixel_size (self->measure, &width, NULL);
    if (width <= self->text_width)
      {
        show_text (self, body);
        return;
      }
  }
  pango_layout_set_wrap (self->measure, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_width (self->measure, self->text_width * PANGO_SCALE);
  {
    g_autoptr(GString) text = g_string_sized_new (strlen (body) + 16);
    GSList *lines = pango_layout_get_lines_readonly (self->measure);

    for (GSList *l = lines; l != NULL; l = l->next)
      {
        PangoLayoutLine *line = l->data;
        int start = line->start_index, length = line->length;

        while (length > 0 && (body[start + length - 1] == '\n' || body[start + length - 1] == '\r'))
          length--;
        /* A soft break: drop the space it replaced. */
        while (length > 0 && l->next != NULL && body[start + length - 1] == ' ')
          length--;
        if (l != lines)
          g_string_append_c (text, '\n');
        g_string_append_len (text, body + start, length);
      }
    show_text (self, text->str);
  }
}

/* The widest line of text that fits beside the bubble's margins (0 =
 * unknown: always wrap). */
void
tern_message_row_set_text_width (TernMessageRow *self,
                                 int             width)
{
  g_return_if_fail (TERN_IS_MESSAGE_ROW (self));

  if (self->text_width == width)
    return;
  self->text_width = width;
  update_wrap (self);
}

/* ---- properties ------------------------------------------------------------ */

const char *
tern_message_row_get_body (TernMessageRow *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE_ROW (self), NULL);

  return self->body;
}

void
tern_message_row_set_body (TernMessageRow *self,
                           const char     *body)
{
  g_return_if_fail (TERN_IS_MESSAGE_ROW (self));

  if (!set_string (&self->body, body))
    return;

  update_wrap (self);
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
  update_edited (self);
  update_accessible_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EDITED]);
}

/* ---- binding ----------------------------------------------------------------- */

static TernMessageRowState
row_state (TernMessage *message)
{
  if (!tern_message_get_outgoing (message))
    return TERN_MESSAGE_ROW_STATE_NONE;

  switch (tern_message_get_state (message))
    {
    case TERN_MESSAGE_STATE_PENDING:
      return TERN_MESSAGE_ROW_STATE_PENDING;
    case TERN_MESSAGE_STATE_SENT:
    case TERN_MESSAGE_STATE_DELIVERED:
      return TERN_MESSAGE_ROW_STATE_SENT;
    case TERN_MESSAGE_STATE_READ:
      return TERN_MESSAGE_ROW_STATE_READ;
    case TERN_MESSAGE_STATE_FAILED:
      return TERN_MESSAGE_ROW_STATE_FAILED;
    case TERN_MESSAGE_STATE_NONE:
    default:
      return TERN_MESSAGE_ROW_STATE_NONE;
    }
}

static void
update_day (TernMessageRow *self,
            const char     *day)
{
  if (day != NULL && self->day_label == NULL)
    {
      self->day_label = gtk_label_new (NULL);
      gtk_widget_add_css_class (self->day_label, "day-separator");
      gtk_widget_add_css_class (self->day_label, "caption-heading");
      gtk_widget_set_halign (self->day_label, GTK_ALIGN_CENTER);
      gtk_widget_insert_before (self->day_label, GTK_WIDGET (self), self->line);
    }
  if (set_string (&self->day, day) && day != NULL)
    gtk_label_set_text (GTK_LABEL (self->day_label), day);
  if (self->day_label != NULL)
    gtk_widget_set_visible (self->day_label, day != NULL);
}

static void
update_avatar (TernMessageRow *self,
               gboolean        show)
{
  if (show && self->avatar == NULL)
    {
      self->avatar = adw_avatar_new (32, NULL, TRUE);
      gtk_widget_set_valign (self->avatar, GTK_ALIGN_END);
      gtk_widget_set_margin_end (self->avatar, 6);
      gtk_widget_set_margin_bottom (self->avatar, 2);
      gtk_box_prepend (GTK_BOX (self->line), self->avatar);
    }
  if (show && g_strcmp0 (adw_avatar_get_text (ADW_AVATAR (self->avatar)), self->sender_name) != 0)
    adw_avatar_set_text (ADW_AVATAR (self->avatar), self->sender_name);
  if (self->avatar != NULL)
    gtk_widget_set_visible (self->avatar, show);
  self->has_avatar = show;
}

void
tern_message_row_bind (TernMessageRow *self,
                       TernMessage    *message,
                       gboolean        group,
                       const char     *day,
                       const char     *failure_reason)
{
  GDateTime *time;
  gboolean deleted, outgoing, mentions_me = FALSE;
  g_autofree char *body = NULL;

  g_return_if_fail (TERN_IS_MESSAGE_ROW (self));
  g_return_if_fail (TERN_IS_MESSAGE (message));

  if (self->message != message)
    {
      g_set_object (&self->message, message);
      self->expanded = FALSE;
    }
  self->in_bind = TRUE;

  deleted = tern_message_get_deleted (message);
  outgoing = tern_message_get_outgoing (message);
  time = tern_message_get_sent_time (message);
  if (!deleted && !outgoing)
    mentions_me = tern_message_get_mentions_me (message);

  if (deleted != self->deleted)
    {
      self->deleted = deleted;
      set_class (GTK_WIDGET (self), "deleted", deleted);
    }
  if (mentions_me != self->mentions_me)
    {
      self->mentions_me = mentions_me;
      set_class (GTK_WIDGET (self), "mention", mentions_me);
    }
  body = deleted ? g_strdup (_("This message was deleted"))
                 : tern_message_body_strip_mentions (tern_message_get_text (message));
  tern_message_row_set_body (self, body);
  tern_message_row_set_outgoing (self, outgoing);
  /* Sender names only where there is more than one other person. */
  tern_message_row_set_sender_name (self, group && !outgoing ? tern_message_get_sender_name (message)
                                                             : NULL);
  /* Avatars beside the bubbles of others in groups. */
  update_avatar (self, group && !outgoing);
  tern_message_row_set_timestamp (self, time ? g_date_time_to_unix (time) : 0);
  tern_message_row_set_state (self, row_state (message));
  tern_message_row_set_edited (self, tern_message_get_edited (message) && !deleted);
  update_day (self, day);
  update_reply (self);
  update_media (self);
  update_quote (self);
  /* The outbox's words of this run, else those stored with the message. */
  if (failure_reason == NULL && outgoing)
    failure_reason = tern_message_get_failure_reason (message);
  update_failure (self, failure_reason);

  self->in_bind = FALSE;
  update_accessible_label (self);
}

void
tern_message_row_unbind (TernMessageRow *self)
{
  g_return_if_fail (TERN_IS_MESSAGE_ROW (self));
  if (self->media != NULL)
    tern_message_media_set_message (TERN_MESSAGE_MEDIA (self->media), NULL);
  g_clear_object (&self->message);
}

TernMessage *
tern_message_row_get_message (TernMessageRow *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE_ROW (self), NULL);
  return self->message;
}

static GtkWidget *
if_visible (GtkWidget *widget)
{
  return widget != NULL && gtk_widget_get_visible (widget) ? widget : NULL;
}

GtkWidget *
tern_message_row_get_reply_quote (TernMessageRow *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE_ROW (self), NULL);
  return if_visible (self->reply_button);
}

GtkWidget *
tern_message_row_get_full_button (TernMessageRow *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE_ROW (self), NULL);
  return if_visible (self->full_button);
}

GtkWidget *
tern_message_row_get_edited_button (TernMessageRow *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE_ROW (self), NULL);
  return if_visible (self->edited_button);
}

GtkWidget *
tern_message_row_get_retry_button (TernMessageRow *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE_ROW (self), NULL);
  return if_visible (self->failure) ? self->retry_button : NULL;
}

const char *
tern_message_row_get_failure_text (TernMessageRow *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE_ROW (self), NULL);
  return if_visible (self->failure) ? gtk_label_get_text (self->failure_label) : NULL;
}

const char *
tern_message_row_get_day (TernMessageRow *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE_ROW (self), NULL);
  return self->day;
}

gboolean
tern_message_row_get_mentions_me (TernMessageRow *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE_ROW (self), FALSE);
  return self->mentions_me;
}

gboolean
tern_message_row_get_expanded (TernMessageRow *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE_ROW (self), FALSE);
  return self->expanded;
}
