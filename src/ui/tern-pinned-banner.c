/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include <glib/gi18n.h>

#include "tern-message-row.h"
#include "tern-pinned-banner.h"

/* The pinned message banner. The spec keeps a pinned message in view until
 * its timeout, until a newer pinned message arrives, or until the user
 * unpins it locally; so the banner shows the newest message pinned now.
 * It asks the store (tern_chat_get_pinned_message_async(), in a thread)
 * when the chat is set, after a store change that can change the pin (a
 * message of the chat pinned now, an edit, delete or unpin of the shown
 * one) and when the shown pin times out. Unpinning clears the message's pinned-until in the store (COI
 * defines no unpin message: it is local), so it holds after a restart. */

struct _TernPinnedBanner
{
  AdwBin        parent_instance;

  TernChat     *chat;
  TernStore    *store;
  gulong        changed_id;
  TernMessage  *message;         /* shown, or NULL */
  GCancellable *cancellable;     /* the read on its way */
  guint         refresh_idle;
  guint         expiry_id;
  guint         unpinning;       /* unpins on their way */

  GtkRevealer  *revealer;
  GtkWidget    *button;
  GtkLabel     *sender;
  GtkLabel     *text;
  GtkWidget    *close;
};

G_DEFINE_FINAL_TYPE (TernPinnedBanner, tern_pinned_banner, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CHAT,
  PROP_MESSAGE,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* A pin whose time is further away is checked again after this long. */
#define MAX_EXPIRY_WAIT_SECONDS (24 * 3600)

static void start_read (TernPinnedBanner *self);

/* ---- showing ----------------------------------------------------------------- */

static gboolean
expiry_cb (gpointer user_data)
{
  TernPinnedBanner *self = user_data;

  self->expiry_id = 0;
  start_read (self);
  return G_SOURCE_REMOVE;
}

static void
set_message (TernPinnedBanner *self,
             TernMessage      *message)
{
  gboolean changed = self->message != message;

  g_clear_handle_id (&self->expiry_id, g_source_remove);
  if (changed)
    g_set_object (&self->message, message);

  gtk_revealer_set_reveal_child (self->revealer, message != NULL);
  if (message != NULL)
    {
      g_autofree char *text = tern_message_body_strip_mentions (tern_message_get_text (message));
      g_autofree char *line = tern_message_first_line (text, 200);
      const char *name = tern_message_get_outgoing (message) ? _("You")
                                                             : tern_message_get_sender_name (message);
      gint64 until = tern_message_get_pinned_until (message);

      gtk_label_set_text (self->sender, name ? name : "");
      gtk_label_set_text (self->text, line);
      if (until != G_MAXINT64)
        {
          gint64 now = g_get_real_time () / G_USEC_PER_SEC;
          gint64 wait = CLAMP (until - now, 0, MAX_EXPIRY_WAIT_SECONDS) + 1;

          self->expiry_id = g_timeout_add_seconds ((guint) wait, expiry_cb, self);
        }
    }
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}

/* ---- reading ------------------------------------------------------------------ */

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  TernPinnedBanner *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TernMessage) message = NULL;

  message = tern_chat_get_pinned_message_finish (TERN_CHAT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }

  g_clear_object (&self->cancellable);
  if (error != NULL)
    g_message ("could not read the pinned message: %s", error->message);
  else if (message != NULL && self->message != NULL &&
           tern_message_get_id (message) == tern_message_get_id (self->message))
    {
      /* The same message: keep the object, take its new values (an edit). */
      g_autoptr(TernStoreMessageRow) row = tern_store_get_message (self->store,
                                                                   tern_message_get_id (message),
                                                                   NULL);
      if (row != NULL)
        tern_message_update_from_row (self->message, row);
      set_message (self, self->message);
    }
  else
    set_message (self, message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  g_object_unref (self);
}

static void
start_read (TernPinnedBanner *self)
{
  gboolean was_busy = tern_pinned_banner_get_busy (self);

  g_clear_handle_id (&self->refresh_idle, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->chat == NULL)
    return;

  self->cancellable = g_cancellable_new ();
  tern_chat_get_pinned_message_async (self->chat, self->cancellable, read_cb, g_object_ref (self));
  if (!was_busy)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static gboolean
refresh_idle_cb (gpointer user_data)
{
  TernPinnedBanner *self = user_data;

  self->refresh_idle = 0;
  start_read (self);
  return G_SOURCE_REMOVE;
}

/* At most this many changed messages of the chat are looked at one by one;
 * beyond, the pin is read again. */
#define MAX_LOOKUPS 32

/* Whether the changes in @changes can change the pin shown: the shown
 * message changed or went, or a message of the chat is pinned now. Most
 * changes are new messages that are not pinned: an indexed lookup each
 * (microseconds) instead of a read of the chat (milliseconds). */
static gboolean
changes_pin (TernPinnedBanner *self,
             GArray           *changes,
             gboolean          deleted,
             guint            *lookups)
{
  gint64 chat = tern_chat_get_id (self->chat);
  gint64 shown = self->message != NULL ? tern_message_get_id (self->message) : 0;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  for (guint i = 0; i < changes->len; i++)
    {
      const TernStoreMessageChange *change = &g_array_index (changes, TernStoreMessageChange, i);
      g_autoptr(TernStoreMessageRow) row = NULL;

      if (change->chat_id != chat)
        continue;
      if (change->id == shown)
        return TRUE;
      if (deleted)
        continue;
      if (++(*lookups) > MAX_LOOKUPS)
        return TRUE;
      row = tern_store_get_message (self->store, change->id, NULL);
      if (row != NULL && row->pinned_until > now && !row->deleted)
        return TRUE;
    }
  return FALSE;
}

static void
store_changed_cb (TernStore        *store,
                  TernStoreChanges *changes,
                  TernPinnedBanner *self)
{
  gint64 chat;
  guint lookups = 0;

  if (self->chat == NULL)
    return;
  chat = tern_chat_get_id (self->chat);

  for (guint i = 0; i < changes->chats_deleted->len; i++)
    if (g_array_index (changes->chats_deleted, gint64, i) == chat)
      {
        set_message (self, NULL);
        return;
      }
  /* A read on its way started before this change: read again. */
  if (self->refresh_idle == 0 &&
      (self->cancellable != NULL ||
       changes_pin (self, changes->messages_deleted, TRUE, &lookups) ||
       changes_pin (self, changes->messages_updated, FALSE, &lookups) ||
       changes_pin (self, changes->messages_inserted, FALSE, &lookups)))
    /* One read for a burst of batches (a sync stores many). */
    self->refresh_idle = g_idle_add (refresh_idle_cb, self);
}

/* ---- unpinning ------------------------------------------------------------------ */

static void
unpinned_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  TernPinnedBanner *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!tern_chat_change_finish (TERN_CHAT (source), result, &error))
    g_message ("could not unpin the message: %s", error->message);
  self->unpinning--;
  /* The store's change asked for a read already; this one covers a failure
   * and a chat changed meanwhile. */
  if (self->chat == TERN_CHAT (source))
    start_read (self);
  else if (self->unpinning == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  g_object_unref (self);
}

/* ---- the widget ---------------------------------------------------------------- */

static void
disconnect_chat (TernPinnedBanner *self)
{
  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_object (&self->store);
  g_clear_handle_id (&self->refresh_idle, g_source_remove);
  g_clear_handle_id (&self->expiry_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

static void
tern_pinned_banner_dispose (GObject *object)
{
  TernPinnedBanner *self = TERN_PINNED_BANNER (object);

  disconnect_chat (self);
  g_clear_object (&self->chat);
  g_clear_object (&self->message);

  G_OBJECT_CLASS (tern_pinned_banner_parent_class)->dispose (object);
}

static void
tern_pinned_banner_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TernPinnedBanner *self = TERN_PINNED_BANNER (object);

  switch (prop_id)
    {
    case PROP_CHAT: g_value_set_object (value, self->chat); break;
    case PROP_MESSAGE: g_value_set_object (value, self->message); break;
    case PROP_BUSY: g_value_set_boolean (value, tern_pinned_banner_get_busy (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_pinned_banner_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  TernPinnedBanner *self = TERN_PINNED_BANNER (object);

  switch (prop_id)
    {
    case PROP_CHAT: tern_pinned_banner_set_chat (self, g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_pinned_banner_class_init (TernPinnedBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tern_pinned_banner_dispose;
  object_class->get_property = tern_pinned_banner_get_property;
  object_class->set_property = tern_pinned_banner_set_property;

  properties[PROP_CHAT] =
    g_param_spec_object ("chat", NULL, NULL, TERN_TYPE_CHAT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MESSAGE] =
    g_param_spec_object ("message", NULL, NULL, TERN_TYPE_MESSAGE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TernPinnedBanner::activated:
   * @message: the row id of the pinned message
   *
   * The banner was clicked: show that message.
   */
  signals[SIGNAL_ACTIVATED] =
    g_signal_new ("activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_css_name (widget_class, "pinnedbanner");
}

static void
tern_pinned_banner_init (TernPinnedBanner *self)
{
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *icon = gtk_image_new_from_icon_name ("view-pin-symbolic");

  gtk_widget_add_css_class (bar, "pinned-banner");
  self->sender = GTK_LABEL (gtk_label_new (NULL));
  self->text = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->sender, 0);
  gtk_label_set_xalign (self->text, 0);
  gtk_label_set_ellipsize (self->sender, PANGO_ELLIPSIZE_END);
  gtk_label_set_ellipsize (self->text, PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (self->text, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->sender), "caption-heading");
  gtk_widget_add_css_class (GTK_WIDGET (self->sender), "accent");
  gtk_box_append (GTK_BOX (texts), GTK_WIDGET (self->sender));
  gtk_box_append (GTK_BOX (texts), GTK_WIDGET (self->text));
  gtk_box_append (GTK_BOX (content), icon);
  gtk_box_append (GTK_BOX (content), texts);

  self->button = gtk_button_new ();
  gtk_button_set_child (GTK_BUTTON (self->button), content);
  gtk_widget_add_css_class (self->button, "flat");
  gtk_widget_set_hexpand (self->button, TRUE);
  gtk_widget_set_tooltip_text (self->button, _("Show the pinned message"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Pinned message"), -1);
  g_signal_connect_swapped (self->button, "clicked", G_CALLBACK (tern_pinned_banner_activate), self);

  self->close = gtk_button_new_from_icon_name ("window-close-symbolic");
  gtk_widget_add_css_class (self->close, "flat");
  gtk_widget_add_css_class (self->close, "circular");
  gtk_widget_set_valign (self->close, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (self->close, _("Unpin"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->close),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Unpin"), -1);
  g_signal_connect_swapped (self->close, "clicked", G_CALLBACK (tern_pinned_banner_unpin), self);

  gtk_box_append (GTK_BOX (bar), self->button);
  gtk_box_append (GTK_BOX (bar), self->close);

  self->revealer = GTK_REVEALER (gtk_revealer_new ());
  gtk_revealer_set_transition_type (self->revealer, GTK_REVEALER_TRANSITION_TYPE_SLIDE_DOWN);
  gtk_revealer_set_child (self->revealer, bar);
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->revealer));
}

TernPinnedBanner *
tern_pinned_banner_new (void)
{
  return g_object_new (TERN_TYPE_PINNED_BANNER, NULL);
}

void
tern_pinned_banner_set_chat (TernPinnedBanner *self,
                             TernChat         *chat)
{
  g_return_if_fail (TERN_IS_PINNED_BANNER (self));
  g_return_if_fail (chat == NULL || TERN_IS_CHAT (chat));

  if (self->chat == chat)
    return;

  disconnect_chat (self);
  g_set_object (&self->chat, chat);
  /* The banner of the chat before must not show over this one, even for
   * the time of the read. */
  gtk_revealer_set_transition_type (self->revealer, GTK_REVEALER_TRANSITION_TYPE_NONE);
  set_message (self, NULL);
  gtk_revealer_set_transition_type (self->revealer, GTK_REVEALER_TRANSITION_TYPE_SLIDE_DOWN);
  if (chat != NULL)
    {
      self->store = g_object_ref (tern_chat_get_store (chat));
      self->changed_id = g_signal_connect (self->store, "changed", G_CALLBACK (store_changed_cb),
                                           self);
    }
  start_read (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHAT]);
}

TernChat *
tern_pinned_banner_get_chat (TernPinnedBanner *self)
{
  g_return_val_if_fail (TERN_IS_PINNED_BANNER (self), NULL);
  return self->chat;
}

TernMessage *
tern_pinned_banner_get_message (TernPinnedBanner *self)
{
  g_return_val_if_fail (TERN_IS_PINNED_BANNER (self), NULL);
  return self->message;
}

gboolean
tern_pinned_banner_get_busy (TernPinnedBanner *self)
{
  g_return_val_if_fail (TERN_IS_PINNED_BANNER (self), FALSE);
  return self->cancellable != NULL || self->refresh_idle != 0 || self->unpinning > 0;
}

void
tern_pinned_banner_activate (TernPinnedBanner *self)
{
  g_return_if_fail (TERN_IS_PINNED_BANNER (self));

  if (self->message != NULL)
    g_signal_emit (self, signals[SIGNAL_ACTIVATED], 0, tern_message_get_id (self->message));
}

void
tern_pinned_banner_unpin (TernPinnedBanner *self)
{
  g_return_if_fail (TERN_IS_PINNED_BANNER (self));

  if (self->message == NULL || self->chat == NULL)
    return;

  self->unpinning++;
  /* A read on its way would show the message again for a moment. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  tern_chat_unpin_message_async (self->chat, tern_message_get_id (self->message), NULL,
                                 unpinned_cb, g_object_ref (self));
  /* Hidden at once; a read after the store's change shows an older pin. */
  set_message (self, NULL);
  if (self->unpinning == 1)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

void
tern_pinned_banner_refresh (TernPinnedBanner *self)
{
  g_return_if_fail (TERN_IS_PINNED_BANNER (self));
  start_read (self);
}
