/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include <glib/gi18n.h>

#include "tern-conversation.h"
#include "tern-message-row.h"

/* The conversation pane: a GtkListView of TernMessageRow bound to a
 * TernMessageList, opening at the newest message and loading older ones
 * when scrolled near the top (the list view keeps the rows on screen in
 * place when rows are inserted above them), with the composer below. The
 * draft of each chat is kept in the chat when another chat is opened. */

struct _TernConversation
{
  GtkBox           parent_instance;

  TernChat        *chat;
  TernMessageList *messages;
  GtkNoSelection  *selection;

  GtkScrolledWindow *scroll;
  GtkListView     *list_view;
  GtkAdjustment   *vadjustment;
  TernComposer    *composer;

  gboolean         at_bottom;
  guint            tick_id;
  guint            ticks;
  guint            settled;
  gboolean         adjusting;
  guint            load_idle;
  char            *reply_to;
  gint64           editing;          /* message row id being edited, or 0 */
  GHashTable      *failure_reasons;  /* message row id (gint64*) -> reason */
};

G_DEFINE_FINAL_TYPE (TernConversation, tern_conversation, GTK_TYPE_BOX)

#define ROW_KEY    "tern-message-row"
#define DAY_KEY    "tern-day-label"
#define NOTIFY_KEY "tern-notify-handler"
#define AVATAR_KEY "tern-avatar"
#define FAILURE_KEY "tern-failure"
#define REASON_KEY "tern-failure-reason"
#define MESSAGE_KEY "tern-message-row-id"

enum {
  SIGNAL_RETRY,
  SIGNAL_DELETE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

char *
tern_format_day (GDateTime *day,
                 GDateTime *now)
{
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GDateTime) that = NULL;
  GTimeSpan diff;

  today = g_date_time_new (g_date_time_get_timezone (now), g_date_time_get_year (now),
                           g_date_time_get_month (now), g_date_time_get_day_of_month (now),
                           0, 0, 0);
  that = g_date_time_new (g_date_time_get_timezone (now), g_date_time_get_year (day),
                          g_date_time_get_month (day), g_date_time_get_day_of_month (day),
                          0, 0, 0);
  diff = g_date_time_difference (today, that);

  if (diff <= 0)
    return g_strdup (_("Today"));
  if (diff <= G_TIME_SPAN_DAY + G_TIME_SPAN_HOUR)
    return g_strdup (_("Yesterday"));
  if (diff < 7 * G_TIME_SPAN_DAY)
    /* Translators: a day separator within the last week, see g_date_time_format() */
    return g_date_time_format (day, C_("day separator", "%A"));
  if (g_date_time_get_year (day) == g_date_time_get_year (now))
    /* Translators: a day separator this year, see g_date_time_format() */
    return g_date_time_format (day, C_("day separator", "%A, %e %B"));
  /* Translators: a day separator of an earlier year, see g_date_time_format() */
  return g_date_time_format (day, C_("day separator", "%e %B %Y"));
}

static gboolean
same_day (GDateTime *a,
          GDateTime *b)
{
  return g_date_time_get_year (a) == g_date_time_get_year (b) &&
         g_date_time_get_day_of_year (a) == g_date_time_get_day_of_year (b);
}

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
update_item (TernConversation *self,
             GtkListItem      *item)
{
  TernMessage *message = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  TernMessageRow *row;
  AdwAvatar *avatar;
  GtkLabel *day_label;
  GDateTime *time;
  guint position;
  gboolean show_day = TRUE;
  gboolean group;

  if (message == NULL || box == NULL)
    return;

  row = g_object_get_data (G_OBJECT (box), ROW_KEY);
  avatar = g_object_get_data (G_OBJECT (box), AVATAR_KEY);
  day_label = g_object_get_data (G_OBJECT (box), DAY_KEY);
  group = self->chat != NULL && tern_chat_get_kind (self->chat) != TERN_CHAT_KIND_DIRECT;
  time = tern_message_get_sent_time (message);

  if (tern_message_get_deleted (message))
    {
      tern_message_row_set_body (row, _("This message was deleted"));
      gtk_widget_add_css_class (GTK_WIDGET (row), "deleted");
    }
  else
    {
      tern_message_row_set_body (row, tern_message_get_text (message));
      gtk_widget_remove_css_class (GTK_WIDGET (row), "deleted");
    }
  tern_message_row_set_outgoing (row, tern_message_get_outgoing (message));
  /* Sender names only where there is more than one other person. */
  tern_message_row_set_sender_name (row, group ? tern_message_get_sender_name (message) : NULL);
  /* Avatars beside the bubbles of others in groups. */
  gtk_widget_set_visible (GTK_WIDGET (avatar), group && !tern_message_get_outgoing (message));
  if (group && !tern_message_get_outgoing (message))
    adw_avatar_set_text (avatar, tern_message_get_sender_name (message));
  tern_message_row_set_timestamp (row, time ? g_date_time_to_unix (time) : 0);
  tern_message_row_set_state (row, row_state (message));
  tern_message_row_set_edited (row, tern_message_get_edited (message) &&
                                    !tern_message_get_deleted (message));

  position = gtk_list_item_get_position (item);
  if (position != GTK_INVALID_LIST_POSITION && position > 0 && time != NULL)
    {
      g_autoptr(TernMessage) previous = g_list_model_get_item (G_LIST_MODEL (self->messages),
                                                               position - 1);
      GDateTime *previous_time = previous ? tern_message_get_sent_time (previous) : NULL;

      show_day = previous_time == NULL || !same_day (previous_time, time);
    }
  /* A failed message: the server's reason and a retry button. */
  {
    GtkWidget *failure = g_object_get_data (G_OBJECT (box), FAILURE_KEY);
    GtkLabel *reason = g_object_get_data (G_OBJECT (box), REASON_KEY);
    gint64 id = tern_message_get_id (message);
    const char *text = g_hash_table_lookup (self->failure_reasons, &id);
    gboolean failed = tern_message_get_outgoing (message) &&
                      tern_message_get_state (message) == TERN_MESSAGE_STATE_FAILED;

    g_object_set_data_full (G_OBJECT (box), MESSAGE_KEY, g_memdup2 (&id, sizeof id), g_free);
    gtk_widget_set_visible (failure, failed);
    gtk_label_set_text (reason, text ? text : _("The message could not be sent."));
  }

  gtk_widget_set_visible (GTK_WIDGET (day_label), show_day && time != NULL);
  if (show_day && time != NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *day = tern_format_day (time, now);

      gtk_label_set_text (day_label, day);
    }
}

static void
message_notify_cb (GtkListItem *item,
                   GParamSpec  *pspec)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  TernConversation *self;

  if (box == NULL)
    return;
  self = TERN_CONVERSATION (gtk_widget_get_ancestor (box, TERN_TYPE_CONVERSATION));
  if (self != NULL)
    update_item (self, item);
}

static void
retry_clicked_cb (GtkButton *button)
{
  GtkWidget *box = g_object_get_data (G_OBJECT (button), "tern-item-box");
  TernConversation *self = TERN_CONVERSATION (gtk_widget_get_ancestor (box, TERN_TYPE_CONVERSATION));
  gint64 *id = g_object_get_data (G_OBJECT (box), MESSAGE_KEY);

  if (self != NULL && id != NULL)
    g_signal_emit (self, signals[SIGNAL_RETRY], 0, *id);
}

static TernMessage *
message_of_box (GtkWidget *box)
{
  GtkListItem *item = g_object_get_data (G_OBJECT (box), "tern-list-item");

  return item ? gtk_list_item_get_item (item) : NULL;
}

static void
row_pressed_cb (GtkGestureClick *gesture,
                int              n_press,
                double           x,
                double           y,
                GtkWidget       *box)
{
  TernConversation *self = TERN_CONVERSATION (gtk_widget_get_ancestor (box, TERN_TYPE_CONVERSATION));
  TernMessage *message = message_of_box (box);
  g_autoptr(GMenu) menu = g_menu_new ();
  GtkWidget *popover;
  gint64 id;

  if (self == NULL || message == NULL || tern_message_get_deleted (message))
    return;

  id = tern_message_get_id (message);
  {
    g_autoptr(GMenuItem) reply = g_menu_item_new (_("_Reply"), NULL);

    g_menu_item_set_action_and_target_value (reply, "message.reply", g_variant_new_int64 (id));
    g_menu_append_item (menu, reply);
  }
  if (tern_message_get_outgoing (message))
    {
      g_autoptr(GMenuItem) edit = g_menu_item_new (_("_Edit"), NULL);
      g_autoptr(GMenuItem) delete = g_menu_item_new (_("_Delete for Everyone"), NULL);

      g_menu_item_set_action_and_target_value (edit, "message.edit", g_variant_new_int64 (id));
      g_menu_item_set_action_and_target_value (delete, "message.delete", g_variant_new_int64 (id));
      g_menu_append_item (menu, edit);
      g_menu_append_item (menu, delete);
    }

  popover = gtk_popover_menu_new_from_model (G_MENU_MODEL (menu));
  gtk_widget_set_parent (popover, box);
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
  gtk_popover_set_pointing_to (GTK_POPOVER (popover), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  g_signal_connect (popover, "closed", G_CALLBACK (gtk_widget_unparent), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          TernConversation         *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *day = gtk_label_new (NULL);
  GtkWidget *row = GTK_WIDGET (tern_message_row_new ());
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *avatar = adw_avatar_new (32, NULL, TRUE);

  gtk_widget_add_css_class (day, "day-separator");
  gtk_widget_add_css_class (day, "caption-heading");
  gtk_widget_add_css_class (day, "dim-label");
  gtk_widget_set_halign (day, GTK_ALIGN_CENTER);
  gtk_widget_set_visible (day, FALSE);
  gtk_widget_set_valign (avatar, GTK_ALIGN_END);
  gtk_widget_set_margin_start (avatar, 12);
  gtk_widget_set_margin_bottom (avatar, 2);
  gtk_widget_set_visible (avatar, FALSE);
  gtk_widget_set_hexpand (row, TRUE);
  gtk_box_append (GTK_BOX (line), avatar);
  gtk_box_append (GTK_BOX (line), row);
  gtk_box_append (GTK_BOX (box), day);
  gtk_box_append (GTK_BOX (box), line);
  {
    GtkWidget *failure = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
    GtkWidget *reason = gtk_label_new (NULL);
    GtkWidget *retry = gtk_button_new_with_mnemonic (_("_Retry"));

    gtk_widget_set_halign (failure, GTK_ALIGN_END);
    gtk_widget_set_margin_end (failure, 12);
    gtk_widget_add_css_class (failure, "send-failure");
    gtk_label_set_wrap (GTK_LABEL (reason), TRUE);
    gtk_label_set_xalign (GTK_LABEL (reason), 1);
    gtk_label_set_selectable (GTK_LABEL (reason), TRUE);
    gtk_widget_add_css_class (reason, "caption");
    gtk_widget_add_css_class (reason, "error");
    gtk_widget_add_css_class (retry, "flat");
    gtk_widget_set_valign (retry, GTK_ALIGN_CENTER);
    gtk_widget_set_tooltip_text (retry, _("Send the message again"));
    g_object_set_data (G_OBJECT (retry), "tern-item-box", box);
    g_signal_connect (retry, "clicked", G_CALLBACK (retry_clicked_cb), NULL);
    gtk_box_append (GTK_BOX (failure), reason);
    gtk_box_append (GTK_BOX (failure), retry);
    gtk_widget_set_visible (failure, FALSE);
    gtk_box_append (GTK_BOX (box), failure);
    g_object_set_data (G_OBJECT (box), FAILURE_KEY, failure);
    g_object_set_data (G_OBJECT (box), REASON_KEY, reason);
  }
  g_object_set_data (G_OBJECT (box), ROW_KEY, row);
  g_object_set_data (G_OBJECT (box), AVATAR_KEY, avatar);
  g_object_set_data (G_OBJECT (box), "tern-list-item", item);
  {
    GtkGesture *click = gtk_gesture_click_new ();

    gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
    g_signal_connect (click, "pressed", G_CALLBACK (row_pressed_cb), box);
    gtk_widget_add_controller (box, GTK_EVENT_CONTROLLER (click));
  }
  g_object_set_data (G_OBJECT (box), DAY_KEY, day);
  gtk_list_item_set_child (item, box);
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_selectable (item, FALSE);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         TernConversation         *self)
{
  TernMessage *message = gtk_list_item_get_item (item);
  gulong handler;

  update_item (self, item);
  handler = g_signal_connect_object (message, "notify", G_CALLBACK (message_notify_cb), item,
                                     G_CONNECT_SWAPPED);
  g_object_set_data (G_OBJECT (item), NOTIFY_KEY, GSIZE_TO_POINTER ((gsize) handler));
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           TernConversation         *self)
{
  TernMessage *message = gtk_list_item_get_item (item);
  gulong handler = (gulong) GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (item), NOTIFY_KEY));

  if (handler != 0 && message != NULL)
    g_signal_handler_disconnect (message, handler);
  g_object_set_data (G_OBJECT (item), NOTIFY_KEY, NULL);
}

static double
bottom_gap (TernConversation *self)
{
  return gtk_adjustment_get_upper (self->vadjustment) -
         gtk_adjustment_get_page_size (self->vadjustment) -
         gtk_adjustment_get_value (self->vadjustment);
}

/* Row heights are estimates until the rows are built, so one jump to the
 * end rarely lands there: the view follows the last row frame by frame
 * until it stays at the bottom (at most a second). */
static gboolean
bottom_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  TernConversation *self = user_data;
  guint n = self->messages ? g_list_model_get_n_items (G_LIST_MODEL (self->messages)) : 0;

  if (n == 0 || ++self->ticks > 60 || (bottom_gap (self) <= 0.5 && ++self->settled >= 2))
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }

  if (bottom_gap (self) > 0.5)
    {
      self->settled = 0;
      self->adjusting = TRUE;
      gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", n - 1);
      gtk_adjustment_set_value (self->vadjustment,
                                gtk_adjustment_get_upper (self->vadjustment) -
                                gtk_adjustment_get_page_size (self->vadjustment));
      self->adjusting = FALSE;
    }

  return G_SOURCE_CONTINUE;
}

static void
scroll_to_bottom (TernConversation *self)
{
  self->at_bottom = TRUE;
  self->ticks = 0;
  self->settled = 0;
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->list_view), bottom_tick_cb,
                                                  self, NULL);
}

static gboolean
load_older_idle_cb (gpointer user_data)
{
  TernConversation *self = user_data;

  self->load_idle = 0;
  if (self->messages != NULL && tern_message_list_get_has_more (self->messages) &&
      gtk_adjustment_get_value (self->vadjustment) <
      gtk_adjustment_get_page_size (self->vadjustment))
    tern_message_list_load_older (self->messages, 0);

  return G_SOURCE_REMOVE;
}

static void
adjustment_changed_cb (TernConversation *self)
{
  /* The list grew (a new message, better row estimates): stay at the
   * newest message if that is where the user was. */
  if (self->at_bottom && bottom_gap (self) > 0.5)
    scroll_to_bottom (self);
}

static void
value_changed_cb (TernConversation *self)
{
  double value = gtk_adjustment_get_value (self->vadjustment);
  double page = gtk_adjustment_get_page_size (self->vadjustment);
  double upper = gtk_adjustment_get_upper (self->vadjustment);

  /* While following the last row the list view moves the value itself. */
  if (self->adjusting || self->tick_id != 0)
    return;

  self->at_bottom = value >= upper - page - 8;
  if (self->messages != NULL && value < page && self->load_idle == 0 &&
      tern_message_list_get_has_more (self->messages))
    self->load_idle = g_idle_add (load_older_idle_cb, self);
}

static void
draft_saved_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!tern_chat_change_finish (TERN_CHAT (object), result, &error))
    g_message ("could not keep the draft: %s", error->message);
}

static void
save_draft (TernConversation *self)
{
  g_autofree char *text = NULL;

  if (self->chat == NULL)
    return;

  text = tern_composer_dup_text (self->composer);
  g_strstrip (text);
  if (g_strcmp0 (text, tern_chat_get_draft (self->chat) ? tern_chat_get_draft (self->chat) : "") == 0)
    return;

  tern_chat_set_draft_async (self->chat, *text ? text : NULL, NULL, draft_saved_cb, NULL);
}

static TernMessage *
lookup_message (TernConversation *self,
                gint64            id)
{
  int position = self->messages ? tern_message_list_find (self->messages, id) : -1;

  if (position < 0)
    return NULL;
  return g_list_model_get_item (G_LIST_MODEL (self->messages), (guint) position);
}

static void
reply_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TernConversation *self = TERN_CONVERSATION (widget);
  g_autoptr(TernMessage) message = lookup_message (self, g_variant_get_int64 (parameter));

  if (message != NULL)
    tern_conversation_reply_to (self, message);
}

static void
edit_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TernConversation *self = TERN_CONVERSATION (widget);
  g_autoptr(TernMessage) message = lookup_message (self, g_variant_get_int64 (parameter));

  if (message != NULL)
    tern_conversation_edit (self, message);
}

static void
delete_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_DELETE], 0, g_variant_get_int64 (parameter));
}

/* Up in an empty composer edits the last message of the user's. */
static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                TernConversation      *self)
{
  g_autofree char *text = NULL;
  guint n;

  if (keyval != GDK_KEY_Up || (state & GDK_MODIFIER_MASK) != 0 || self->messages == NULL)
    return GDK_EVENT_PROPAGATE;
  text = tern_composer_dup_text (self->composer);
  if (text != NULL && *text != '\0')
    return GDK_EVENT_PROPAGATE;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(TernMessage) message = g_list_model_get_item (G_LIST_MODEL (self->messages), i - 1);

      if (tern_message_get_outgoing (message) && !tern_message_get_deleted (message))
        {
          tern_conversation_edit (self, message);
          return GDK_EVENT_STOP;
        }
    }
  return GDK_EVENT_PROPAGATE;
}

static void
tern_conversation_dispose (GObject *object)
{
  TernConversation *self = TERN_CONVERSATION (object);

  g_clear_handle_id (&self->load_idle, g_source_remove);
  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->list_view), self->tick_id);
  self->tick_id = 0;
  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->messages);
  g_clear_object (&self->chat);
  g_clear_pointer (&self->reply_to, g_free);
  g_clear_pointer (&self->failure_reasons, g_hash_table_unref);

  G_OBJECT_CLASS (tern_conversation_parent_class)->dispose (object);
}

static void
tern_conversation_class_init (TernConversationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tern_conversation_dispose;

  gtk_widget_class_set_css_name (widget_class, "conversation");

  /**
   * TernConversation::retry:
   * @message: the row id of a failed message
   *
   * The user asks to send a failed message again.
   */
  /**
   * TernConversation::delete:
   * @message: the row id of one of the user's messages
   *
   * The user asks to delete the message for everyone.
   */
  signals[SIGNAL_DELETE] =
    g_signal_new ("delete", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_install_action (widget_class, "message.reply", "x", reply_activated);
  gtk_widget_class_install_action (widget_class, "message.edit", "x", edit_activated);
  gtk_widget_class_install_action (widget_class, "message.delete", "x", delete_activated);

  signals[SIGNAL_RETRY] =
    g_signal_new ("retry", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
tern_conversation_init (TernConversation *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  self->failure_reasons = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), self);

  self->list_view = GTK_LIST_VIEW (gtk_list_view_new (NULL, g_steal_pointer (&factory)));
  gtk_widget_add_css_class (GTK_WIDGET (self->list_view), "conversation-view");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Messages"),
                                  -1);

  self->scroll = GTK_SCROLLED_WINDOW (gtk_scrolled_window_new ());
  gtk_scrolled_window_set_policy (self->scroll, GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (GTK_WIDGET (self->scroll), TRUE);
  gtk_scrolled_window_set_child (self->scroll, GTK_WIDGET (self->list_view));
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->scroll));

  self->vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->list_view));
  g_signal_connect_object (self->vadjustment, "changed", G_CALLBACK (adjustment_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->vadjustment, "value-changed", G_CALLBACK (value_changed_cb),
                           self, G_CONNECT_SWAPPED);

  self->composer = tern_composer_new ();
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->composer));
  {
    GtkEventController *keys = gtk_event_controller_key_new ();

    gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
    g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
    gtk_widget_add_controller (GTK_WIDGET (self->composer), keys);
  }
  self->at_bottom = TRUE;
}

TernConversation *
tern_conversation_new (void)
{
  return g_object_new (TERN_TYPE_CONVERSATION, NULL);
}

void
tern_conversation_set_chat (TernConversation *self,
                            TernChat         *chat)
{
  g_return_if_fail (TERN_IS_CONVERSATION (self));
  g_return_if_fail (chat == NULL || TERN_IS_CHAT (chat));

  if (self->chat == chat)
    return;

  save_draft (self);
  g_clear_handle_id (&self->load_idle, g_source_remove);
  gtk_list_view_set_model (self->list_view, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->messages);
  g_set_object (&self->chat, chat);
  tern_conversation_clear_reply_to (self);

  if (chat == NULL)
    {
      tern_composer_set_text (self->composer, "");
      return;
    }

  self->messages = tern_message_list_new (tern_chat_get_store (chat), tern_chat_get_id (chat));
  self->selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->messages)));
  /* Follow the newest row from the start, so the first value the view
   * reports (the top) does not count as the user scrolling up. */
  scroll_to_bottom (self);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  tern_composer_set_text (self->composer, tern_chat_get_draft (chat) ? tern_chat_get_draft (chat) : "");
}

TernChat *
tern_conversation_get_chat (TernConversation *self)
{
  g_return_val_if_fail (TERN_IS_CONVERSATION (self), NULL);
  return self->chat;
}

TernMessageList *
tern_conversation_get_message_list (TernConversation *self)
{
  g_return_val_if_fail (TERN_IS_CONVERSATION (self), NULL);
  return self->messages;
}

GtkListView *
tern_conversation_get_list_view (TernConversation *self)
{
  g_return_val_if_fail (TERN_IS_CONVERSATION (self), NULL);
  return self->list_view;
}

GtkAdjustment *
tern_conversation_get_vadjustment (TernConversation *self)
{
  g_return_val_if_fail (TERN_IS_CONVERSATION (self), NULL);
  return self->vadjustment;
}

TernComposer *
tern_conversation_get_composer (TernConversation *self)
{
  g_return_val_if_fail (TERN_IS_CONVERSATION (self), NULL);
  return self->composer;
}

gboolean
tern_conversation_get_at_bottom (TernConversation *self)
{
  g_return_val_if_fail (TERN_IS_CONVERSATION (self), FALSE);
  return self->at_bottom;
}

/* Replies to @message: its quote shows above the entry, and the next
 * message sent refers to it. */
void
tern_conversation_reply_to (TernConversation *self,
                            TernMessage      *message)
{
  const char *name;

  g_return_if_fail (TERN_IS_CONVERSATION (self));
  g_return_if_fail (TERN_IS_MESSAGE (message));

  g_free (self->reply_to);
  self->reply_to = g_strdup (tern_message_get_message_id (message));
  self->editing = 0;
  name = tern_message_get_outgoing (message) ? _("You") : tern_message_get_sender_name (message);
  tern_composer_set_reply (self->composer, name, tern_message_get_text (message));
  gtk_widget_grab_focus (GTK_WIDGET (self->composer));
}

const char *
tern_conversation_get_reply_to (TernConversation *self)
{
  g_return_val_if_fail (TERN_IS_CONVERSATION (self), NULL);
  return tern_composer_get_replying (self->composer) && self->editing == 0 ? self->reply_to : NULL;
}

void
tern_conversation_clear_reply_to (TernConversation *self)
{
  g_return_if_fail (TERN_IS_CONVERSATION (self));
  g_clear_pointer (&self->reply_to, g_free);
  self->editing = 0;
  tern_composer_clear_reply (self->composer);
}

/* Scrolls to the newest message and keeps following it (after sending). */
void
tern_conversation_follow_newest (TernConversation *self)
{
  g_return_if_fail (TERN_IS_CONVERSATION (self));
  scroll_to_bottom (self);
}

static void
update_failure_labels (GtkWidget  *widget,
                       gint64      message,
                       const char *reason)
{
  gint64 *id = g_object_get_data (G_OBJECT (widget), MESSAGE_KEY);

  if (id != NULL && *id == message)
    gtk_label_set_text (g_object_get_data (G_OBJECT (widget), REASON_KEY), reason);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    update_failure_labels (child, message, reason);
}

/* The server's reason why message row @message was not sent (from the
 * outbox's failed signal), shown under it with a retry button. */
void
tern_conversation_set_failure_reason (TernConversation *self,
                                      gint64            message,
                                      const char       *reason)
{
  g_return_if_fail (TERN_IS_CONVERSATION (self));

  if (reason == NULL)
    {
      g_hash_table_remove (self->failure_reasons, &message);
      return;
    }
  g_hash_table_insert (self->failure_reasons, g_memdup2 (&message, sizeof message),
                       g_strdup (reason));
  update_failure_labels (GTK_WIDGET (self->list_view), message, reason);
}

/* Puts one of the user's messages into the composer to be edited; the
 * bar above the entry says so, Escape (the composer's cancel) ends it. */
void
tern_conversation_edit (TernConversation *self,
                        TernMessage      *message)
{
  g_return_if_fail (TERN_IS_CONVERSATION (self));
  g_return_if_fail (TERN_IS_MESSAGE (message));

  if (!tern_message_get_outgoing (message) || tern_message_get_deleted (message))
    return;

  g_clear_pointer (&self->reply_to, g_free);
  self->editing = tern_message_get_id (message);
  tern_composer_set_reply (self->composer, _("Edit Message"), tern_message_get_text (message));
  tern_composer_set_text (self->composer, tern_message_get_text (message));
  gtk_widget_grab_focus (GTK_WIDGET (self->composer));
}

/* The message row id being edited (while the composer shows it), or 0. */
gint64
tern_conversation_get_editing (TernConversation *self)
{
  g_return_val_if_fail (TERN_IS_CONVERSATION (self), 0);
  return tern_composer_get_replying (self->composer) ? self->editing : 0;
}
