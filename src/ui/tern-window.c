/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include <glib/gi18n.h>

#include "tern-account-send.h"
#include "tern-account.h"
#include "tern-chat-list.h"
#include "tern-context.h"
#include "tern-outbox.h"
#include "tern-chat-row.h"
#include "tern-connection-banner.h"
#include "tern-conversation.h"
#include "tern-new-chat-dialog.h"
#include "tern-search.h"
#include "tern-connection-banner.h"
#include "tern-window.h"

#define CHAT_NOTIFY_KEY "tern-chat-notify-handler"

/* The chats shown in the first frame: more than fit a tall window. */
#define FIRST_FRAME_CHATS 24

struct _TernWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  gboolean              has_account;

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar_pane;
  GtkWidget            *content_pane;
  GtkToggleButton      *search_button;
  GtkSearchBar         *search_bar;
  GtkStack             *sidebar_stack;
  GtkStack             *content_stack;
  GtkWidget            *back_button;
  GtkWidget            *content_menu_button;
  AdwWindowTitle       *content_title;
  AdwStatusPage        *empty_page;
  GtkWidget            *add_account_button;
  GtkScrolledWindow    *chat_list_scroll;
  GtkSearchEntry       *search_entry;

  /* The chat list and the open chat */
  GListModel           *chats;
  GtkFilterListModel   *filtered_chats;
  GtkStringFilter      *chat_filter;
  /* Until the first frame, only the chats that fit in it: the list view of
   * GTK 4.8 builds a row for up to 200 items from the anchor on, whatever
   * fits the window. Grown to the whole list right after that frame. */
  GtkSliceListModel    *first_chats;
  guint                 grow_timeout;
  guint                 grow_tick;
  GtkSingleSelection   *chat_selection;
  GtkListView          *chat_list_view;
  TernConversation     *conversation;
  GMenuModel           *chat_menu;

  /* Search: chats are filtered by name in the chat list; the messages
   * TernSearch finds are listed below it. */
  TernSearch           *search;
  GtkFilterListModel   *message_hits;
  GtkWidget            *message_results;
  GtkListView          *message_results_view;

  GtkWidget            *new_chat_button;
  GtkDropTarget        *drop_target;

  /* The engine (NULL in widget tests without one) */
  TernContext          *context;
  GHashTable           *watched_accounts;  /* TernAccount* set */
  TernConnectionBanner *connection_banner;
};

enum {
  PROP_0,
  PROP_HAS_ACCOUNT,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (TernWindow, tern_window, ADW_TYPE_APPLICATION_WINDOW)

static GParamSpec *properties[N_PROPS];

/* The open chat (NULL while no conversation pane exists). */
static TernChat *
current_chat (TernWindow *self)
{
  return self->conversation ? tern_conversation_get_chat (self->conversation) : NULL;
}

static void
update_state (TernWindow *self)
{
  gboolean folded = adw_leaflet_get_folded (self->leaflet);

  gtk_stack_set_visible_child_name (self->sidebar_stack, self->has_account ? "chats" : "empty");
  if (!self->has_account)
    gtk_stack_set_visible_child_name (self->content_stack, "empty");
  else
    gtk_stack_set_visible_child_name (self->content_stack,
                                      current_chat (self) ? "chat" : "no-chat");
  gtk_widget_set_sensitive (GTK_WIDGET (self->search_button), self->has_account);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-chat", self->has_account);
  /* Typing starts a search only when there is something to search. */
  gtk_search_bar_set_key_capture_widget (self->search_bar,
                                         self->has_account ? GTK_WIDGET (self) : NULL);
  if (!self->has_account)
    gtk_toggle_button_set_active (self->search_button, FALSE);

  /* Without an account there is nothing to go back to: a folded window
   * shows the empty state with the main menu in its own header bar. */
  gtk_widget_set_visible (self->back_button, folded && self->has_account);
  gtk_widget_set_visible (self->content_menu_button, folded && !self->has_account);
  /* Folded, the empty state's header bar is the only one: name the app. */
  adw_window_title_set_title (self->content_title,
                              folded && !self->has_account ? _("Tern") : "");
  if (!self->has_account)
    adw_leaflet_set_visible_child (self->leaflet, self->content_pane);
}

static TernConversation *ensure_conversation (TernWindow *self);

/* The whole chat list, from the first frame on (and whenever something
 * needs it earlier: opening a chat, searching, moving through the list). */
static void
grow_chat_list (TernWindow *self)
{
  g_clear_handle_id (&self->grow_timeout, g_source_remove);
  if (gtk_slice_list_model_get_size (self->first_chats) != G_MAXUINT)
    gtk_slice_list_model_set_size (self->first_chats, G_MAXUINT);
}

/* After the first frame the rest of the rows come FIRST_FRAME_CHATS a
 * frame, so no frame builds them all. */
static gboolean
grow_tick_cb (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       user_data)
{
  TernWindow *self = TERN_WINDOW (widget);
  guint size = gtk_slice_list_model_get_size (self->first_chats);

  if (size >= g_list_model_get_n_items (G_LIST_MODEL (self->filtered_chats)))
    {
      self->grow_tick = 0;
      grow_chat_list (self);
      /* The conversation pane too, now rather than in the middle of
       * something else. */
      ensure_conversation (self);
      return G_SOURCE_REMOVE;
    }
  gtk_slice_list_model_set_size (self->first_chats, size + FIRST_FRAME_CHATS);
  return G_SOURCE_CONTINUE;
}

static void
first_paint_cb (GdkFrameClock *clock,
                TernWindow    *self)
{
  g_signal_handlers_disconnect_by_func (clock, first_paint_cb, self);
  g_clear_handle_id (&self->grow_timeout, g_source_remove);
  if (self->grow_tick == 0)
    self->grow_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), grow_tick_cb, NULL, NULL);
}

static gboolean
grow_timeout_cb (gpointer user_data)
{
  TernWindow *self = user_data;

  self->grow_timeout = 0;
  grow_chat_list (self);
  ensure_conversation (self);
  return G_SOURCE_REMOVE;
}

static void
tern_window_realize (GtkWidget *widget)
{
  TernWindow *self = TERN_WINDOW (widget);

  GTK_WIDGET_CLASS (tern_window_parent_class)->realize (widget);
  if (self->conversation == NULL)
    g_signal_connect_object (gtk_widget_get_frame_clock (widget), "after-paint",
                             G_CALLBACK (first_paint_cb), self, 0);
}

/* The shortcuts window, built the first time it is asked for (GtkApplication
 * would build it with every window, before its first frame). */
static void
show_help_overlay_cb (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  GtkApplicationWindow *window = GTK_APPLICATION_WINDOW (user_data);
  GtkShortcutsWindow *help = gtk_application_window_get_help_overlay (window);

  if (help == NULL)
    {
      g_autoptr(GtkBuilder) builder =
        gtk_builder_new_from_resource ("/io/github/ternchat/Tern/gtk/help-overlay.ui");

      help = GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
      gtk_application_window_set_help_overlay (window, help);
    }
  gtk_widget_show (GTK_WIDGET (help));
}

static void
leaflet_folded_cb (TernWindow *self)
{
  update_state (self);
}

static void
back_clicked_cb (TernWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
search_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TernWindow *self = TERN_WINDOW (widget);

  if (!self->has_account)
    return;

  grow_chat_list (self);
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, self->sidebar_pane);
  gtk_toggle_button_set_active (self->search_button, TRUE);
}


static void mark_read (TernWindow *self,
                       TernChat   *chat);
static void update_members (TernWindow *self,
                            TernChat   *chat);
static void message_hits_changed_cb (TernWindow *self);

/* ---- the conversation pane, made when first needed ------------------------ */

static void composer_send_cb (TernWindow *self,
                              const char *text);
static void conversation_delete_cb (TernWindow *self,
                                    gint64      message);
static void conversation_retry_cb (TernWindow *self,
                                   gint64      message);
static gboolean drop_cb (GtkDropTarget *target,
                         const GValue  *value,
                         double         x,
                         double         y,
                         TernWindow    *self);

static TernConversation *
ensure_conversation (TernWindow *self)
{
  if (self->conversation != NULL)
    return self->conversation;

  self->conversation = tern_conversation_new ();
  gtk_stack_add_named (self->content_stack, GTK_WIDGET (self->conversation), "chat");
  g_signal_connect_object (tern_conversation_get_composer (self->conversation), "send",
                           G_CALLBACK (composer_send_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->conversation, "delete",
                           G_CALLBACK (conversation_delete_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->conversation, "retry",
                           G_CALLBACK (conversation_retry_cb), self, G_CONNECT_SWAPPED);

  /* Files dropped anywhere on the conversation go to the composer. */
  self->drop_target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  gtk_event_controller_set_name (GTK_EVENT_CONTROLLER (self->drop_target), "tern-file-drop");
  /* Capture: files dropped on the text view are attached, not inserted
   * as their URIs by the text view's own drop target. */
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (self->drop_target),
                                              GTK_PHASE_CAPTURE);
  g_signal_connect (self->drop_target, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->conversation),
                             GTK_EVENT_CONTROLLER (self->drop_target));

  return self->conversation;
}

/* ---- the chat list ------------------------------------------------------- */

static void
update_chat_row (TernChatRow *row,
                 TernChat    *chat)
{
  const char *text = tern_chat_get_last_message_preview (chat);
  const char *sender = tern_chat_get_last_message_sender (chat);
  g_autofree char *preview = NULL;

  if (text == NULL)
    text = "";

  if (tern_chat_get_has_draft (chat))
    {
      /* Mentions are kept as `@"Name":address`: shown as `@Name`. */
      g_autofree char *draft = tern_composer_shown_text_of (tern_chat_get_draft (chat));

      /* Translators: the chat list preview of a chat with an unsent draft */
      preview = g_strdup_printf (_("Draft: %s"), draft);
    }
  else if (tern_chat_get_last_message_outgoing (chat) && *text)
    /* Translators: the chat list preview of your own last message */
    preview = g_strdup_printf (_("You: %s"), text);
  else if (sender != NULL && tern_chat_get_kind (chat) != TERN_CHAT_KIND_DIRECT && *text)
    /* Translators: the chat list preview in a group: "sender: text" */
    preview = g_strdup_printf (_("%s: %s"), sender, text);
  else
    preview = g_strdup (text);

  /* One line: the preview is a label in single-line mode. */
  g_strdelimit (preview, "\n\r\t", ' ');

  tern_chat_row_set_title (row, tern_chat_get_name (chat));
  tern_chat_row_set_avatar_path (row, tern_chat_get_avatar_path (chat));
  tern_chat_row_set_preview (row, preview);
  tern_chat_row_set_timestamp (row, tern_chat_get_last_activity (chat));
  tern_chat_row_set_unread_count (row, tern_chat_get_unread_count (chat));
  tern_chat_row_set_muted (row, tern_chat_get_muted (chat));
  tern_chat_row_set_pinned (row, tern_chat_get_pinned (chat));
  if (tern_chat_get_has_draft (chat))
    gtk_widget_add_css_class (GTK_WIDGET (row), "has-draft");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "has-draft");
}

static void
chat_notify_cb (GtkListItem *item)
{
  TernChat *chat = gtk_list_item_get_item (item);
  GtkWidget *row = gtk_list_item_get_child (item);

  if (chat != NULL && row != NULL)
    update_chat_row (TERN_CHAT_ROW (row), chat);
}

static void
chat_row_pressed_cb (GtkGestureClick *gesture,
                     int              n_press,
                     double           x,
                     double           y,
                     GtkListItem     *item)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  TernWindow *self = TERN_WINDOW (gtk_widget_get_root (row));
  guint position = gtk_list_item_get_position (item);
  GtkWidget *popover;

  if (position == GTK_INVALID_LIST_POSITION)
    return;

  /* The menu acts on the selected chat, as the keyboard shortcuts do. */
  gtk_single_selection_set_selected (self->chat_selection, position);
  popover = gtk_popover_menu_new_from_model (self->chat_menu);
  gtk_widget_set_parent (popover, row);
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
  gtk_popover_set_pointing_to (GTK_POPOVER (popover), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  g_signal_connect (popover, "closed", G_CALLBACK (gtk_widget_unparent), NULL);
  gtk_popover_popup (GTK_POPOVER (popover));
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
chat_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               TernWindow               *self)
{
  TernChatRow *row = tern_chat_row_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (chat_row_pressed_cb), item);
  gtk_widget_add_controller (GTK_WIDGET (row), GTK_EVENT_CONTROLLER (click));
  gtk_list_item_set_child (item, GTK_WIDGET (row));
}

static void
chat_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              TernWindow               *self)
{
  TernChat *chat = gtk_list_item_get_item (item);
  gulong handler;

  update_chat_row (TERN_CHAT_ROW (gtk_list_item_get_child (item)), chat);
  handler = g_signal_connect_object (chat, "notify", G_CALLBACK (chat_notify_cb), item,
                                     G_CONNECT_SWAPPED);
  g_object_set_data (G_OBJECT (item), CHAT_NOTIFY_KEY, GSIZE_TO_POINTER ((gsize) handler));
}

static void
chat_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                TernWindow               *self)
{
  TernChat *chat = gtk_list_item_get_item (item);
  gulong handler = (gulong) GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (item), CHAT_NOTIFY_KEY));

  if (handler != 0 && chat != NULL)
    g_signal_handler_disconnect (chat, handler);
  g_object_set_data (G_OBJECT (item), CHAT_NOTIFY_KEY, NULL);
}

static void
show_chat (TernWindow *self,
           TernChat   *chat)
{
  if (chat != NULL || self->conversation != NULL)
    {
      if (chat != tern_conversation_get_chat (ensure_conversation (self)))
        tern_composer_clear_files (tern_conversation_get_composer (self->conversation));
      tern_conversation_set_chat (self->conversation, chat);
      update_members (self, chat);
    }
  adw_window_title_set_title (self->content_title, chat ? tern_chat_get_name (chat) : "");
  adw_window_title_set_subtitle (self->content_title, "");
  if (self->has_account)
    gtk_stack_set_visible_child_name (self->content_stack, chat ? "chat" : "no-chat");
  if (chat != NULL)
    {
      mark_read (self, chat);
      adw_leaflet_set_visible_child (self->leaflet, self->content_pane);
      if (!gtk_widget_has_focus (GTK_WIDGET (self->chat_list_view)) ||
          adw_leaflet_get_folded (self->leaflet))
        gtk_widget_grab_focus (GTK_WIDGET (tern_conversation_get_composer (self->conversation)));
    }
  else if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, self->sidebar_pane);
}

static void
chat_selected_cb (TernWindow *self)
{
  TernChat *chat = gtk_single_selection_get_selected_item (self->chat_selection);

  if (chat != current_chat (self))
    show_chat (self, chat);
}

static void
chat_activate_cb (TernWindow *self,
                  guint       position)
{
  g_autoptr(TernChat) chat = g_list_model_get_item (G_LIST_MODEL (self->chat_selection), position);

  gtk_single_selection_set_selected (self->chat_selection, position);
  if (chat != NULL)
    show_chat (self, chat);
}

static void
search_changed_cb (TernWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  /* A search filters all the chats. */
  grow_chat_list (self);
  /* Without a search the filter is off, so the list model is not walked
   * (the chat list builds its rows only when they are shown). */
  gtk_string_filter_set_search (self->chat_filter, text);
  gtk_filter_list_model_set_filter (self->filtered_chats,
                                    text && *text ? GTK_FILTER (self->chat_filter) : NULL);
  /* The messages: TernSearch cancels the search of the previous keystroke. */
  if (self->search != NULL)
    tern_search_set_query (self->search, text);
  message_hits_changed_cb (self);
}

/* ---- search: the messages TernSearch finds --------------------------------- */

/* The snippet with its match markers (TERN_STORE_SNIPPET_START / _END) as
 * Pango markup: the matches in bold, everything else escaped, one line. */
char *
tern_window_snippet_to_markup (const char *snippet)
{
  GString *out = g_string_new (NULL);
  const char *p = snippet ? snippet : "";

  while (*p)
    {
      gsize n = strcspn (p, TERN_STORE_SNIPPET_START TERN_STORE_SNIPPET_END);

      if (n > 0)
        {
          g_autofree char *part = g_strndup (p, n);
          g_autofree char *escaped = NULL;

          g_strdelimit (part, "\r\n\t", ' ');
          escaped = g_markup_escape_text (part, -1);
          g_string_append (out, escaped);
          p += n;
        }
      if (*p == TERN_STORE_SNIPPET_START[0])
        g_string_append (out, "<b>");
      else if (*p == TERN_STORE_SNIPPET_END[0])
        g_string_append (out, "</b>");
      if (*p)
        p++;
    }
  /* An unbalanced marker (a cut snippet) must not break the markup. */
  {
    int open = 0;

    for (const char *q = out->str; (q = strstr (q, "<b>")) != NULL; q += 3)
      open++;
    for (const char *q = out->str; (q = strstr (q, "</b>")) != NULL; q += 4)
      open--;
    for (; open > 0; open--)
      g_string_append (out, "</b>");
    if (open < 0)
      {
        g_autofree char *plain = NULL;

        plain = g_strdup (out->str);
        g_string_truncate (out, 0);
        for (; open < 0; open++)
          g_string_append (out, "<b>");
        g_string_append (out, plain);
      }
  }
  return g_string_free (out, FALSE);
}

static gboolean
is_message_hit (gpointer item,
                gpointer user_data)
{
  return tern_search_result_get_message (item) != NULL;
}

static void
message_hits_changed_cb (TernWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  gboolean searching = text != NULL && *text != '\0';
  gboolean messages = searching && g_list_model_get_n_items (G_LIST_MODEL (self->message_hits)) > 0;
  gboolean no_chats = searching && g_list_model_get_n_items (G_LIST_MODEL (self->filtered_chats)) == 0;

  gtk_widget_set_visible (self->message_results, messages);
  /* Only messages found: they get the whole sidebar. */
  gtk_widget_set_visible (GTK_WIDGET (self->sidebar_stack), !(messages && no_chats));
}

static void
message_hit_setup_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      TernWindow               *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *snippet = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (title, "caption-heading");
  gtk_label_set_xalign (GTK_LABEL (snippet), 0);
  gtk_label_set_ellipsize (GTK_LABEL (snippet), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (snippet), TRUE);
  gtk_widget_add_css_class (snippet, "dim-label");
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), snippet);
  gtk_widget_add_css_class (box, "message-hit");
  gtk_list_item_set_child (item, box);
}

static void
message_hit_bind_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     TernWindow               *self)
{
  TernSearchResult *result = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *title = gtk_widget_get_first_child (box);
  GtkWidget *snippet = gtk_widget_get_next_sibling (title);
  TernChat *chat = tern_search_result_get_chat (result);
  TernMessage *message = tern_search_result_get_message (result);
  g_autofree char *markup = NULL;
  const char *text = tern_search_result_get_snippet (result);

  gtk_label_set_text (GTK_LABEL (title), chat ? tern_chat_get_name (chat) : "");
  if (text == NULL && message != NULL)
    text = tern_message_get_text (message);
  markup = tern_window_snippet_to_markup (text);
  gtk_label_set_markup (GTK_LABEL (snippet), markup);
}

static void
message_hit_activate_cb (TernWindow *self,
                         guint       position)
{
  g_autoptr(TernSearchResult) result = g_list_model_get_item (G_LIST_MODEL (self->message_hits),
                                                              position);

  if (result == NULL || tern_search_result_get_message (result) == NULL)
    return;
  tern_window_show_message (self, tern_search_result_get_chat (result),
                            tern_message_get_id (tern_search_result_get_message (result)));
}

/* Enter in the search entry: the first chat found, else the first message. */
static void
search_entry_activate_cb (TernWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  /* The filters follow the text with a delay: bring them up to date. */
  search_changed_cb (self);
  if (text == NULL || *text == '\0')
    return;
  if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered_chats)) > 0)
    {
      g_autoptr(TernChat) chat = g_list_model_get_item (G_LIST_MODEL (self->filtered_chats), 0);

      gtk_single_selection_set_selected (self->chat_selection, 0);
      show_chat (self, chat);
    }
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->message_hits)) > 0)
    message_hit_activate_cb (self, 0);
}

/**
 * tern_window_show_message:
 * @chat: the chat of @message
 * @message: a message row id
 *
 * Opens @chat and scrolls its conversation to @message (loading older
 * windows of the chat until it is there).
 */
void
tern_window_show_message (TernWindow *self,
                          TernChat   *chat,
                          gint64      message)
{
  g_return_if_fail (TERN_IS_WINDOW (self));
  g_return_if_fail (TERN_IS_CHAT (chat));

  if (tern_window_get_open_chat (self) == NULL ||
      tern_chat_get_id (tern_window_get_open_chat (self)) != tern_chat_get_id (chat))
    tern_window_open_chat (self, chat);
  else
    adw_leaflet_set_visible_child (self->leaflet, self->content_pane);

  /* The conversation loads older rows until it is there, stops following
   * the newest row, scrolls and highlights it. */
  tern_conversation_scroll_to_message (ensure_conversation (self), message);
}

/* ---- drag and drop onto the conversation ---------------------------------------- */

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         TernWindow    *self)
{
  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST) || tern_window_get_open_chat (self) == NULL)
    return FALSE;

  tern_composer_add_file_list (tern_conversation_get_composer (self->conversation),
                               g_value_get_boxed (value));
  gtk_widget_grab_focus (GTK_WIDGET (tern_conversation_get_composer (self->conversation)));
  return TRUE;
}

GtkDropTarget *
tern_window_get_drop_target (TernWindow *self)
{
  g_return_val_if_fail (TERN_IS_WINDOW (self), NULL);
  ensure_conversation (self);
  return self->drop_target;
}

/* ---- group members for the mention completion ------------------------------------ */

static void
update_members (TernWindow *self,
                TernChat   *chat)
{
  TernComposer *composer = tern_conversation_get_composer (self->conversation);
  TernStore *store;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) addresses = NULL;
  g_autofree char *own = NULL;
  TernAccount *account;

  if (chat == NULL || tern_chat_get_kind (chat) != TERN_CHAT_KIND_GROUP)
    {
      tern_composer_set_members (composer, NULL, NULL);
      return;
    }

  store = tern_chat_get_store (chat);
  ids = tern_store_list_chat_members (store, tern_chat_get_id (chat), NULL);
  account = self->context ? tern_context_get_account (self->context,
                                                      tern_chat_get_account_id (chat)) : NULL;
  if (account != NULL)
    own = g_ascii_strdown (tern_account_get_address (account), -1);
  names = g_ptr_array_new_with_free_func (g_free);
  addresses = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; ids != NULL && i < ids->len; i++)
    {
      g_autoptr(TernStoreContactRow) contact = tern_store_get_contact (store,
                                                                      g_array_index (ids, gint64, i),
                                                                      NULL);
      g_autofree char *address = NULL;

      if (contact == NULL || contact->address == NULL)
        continue;
      address = g_ascii_strdown (contact->address, -1);
      if (own != NULL && g_str_equal (address, own))
        continue;
      g_ptr_array_add (names, g_strdup (contact->display_name && *contact->display_name
                                        ? contact->display_name : contact->address));
      g_ptr_array_add (addresses, g_strdup (contact->address));
    }
  g_ptr_array_add (names, NULL);
  g_ptr_array_add (addresses, NULL);
  tern_composer_set_members (composer, (const char * const *) names->pdata,
                             (const char * const *) addresses->pdata);
}

/* ---- new chat -------------------------------------------------------------------- */

static TernAccount *
default_account (TernWindow *self)
{
  TernChat *open = tern_window_get_open_chat (self);
  GListModel *accounts;
  TernAccount *account = NULL;

  if (self->context == NULL)
    return NULL;
  if (open != NULL)
    account = tern_context_get_account (self->context, tern_chat_get_account_id (open));
  if (account == NULL)
    {
      g_autoptr(TernAccount) first = NULL;

      accounts = tern_context_get_accounts (self->context);
      if (g_list_model_get_n_items (accounts) == 0)
        return NULL;
      first = g_list_model_get_item (accounts, 0);
      account = first;   /* the context keeps it */
    }
  return account;
}

typedef struct
{
  TernWindow *window;
  gint64      account;
  char       *key;
} NewChat;

static void
new_chat_free (NewChat *data)
{
  g_clear_object (&data->window);
  g_free (data->key);
  g_free (data);
}

static void
open_chat_row (TernWindow *self,
               TernStore  *store,
               gint64      account,
               const char *key)
{
  g_autoptr(TernStoreChatRow) row = tern_store_find_chat (store, account,
                                                           TERN_STORE_CHAT_KIND_DIRECT, key, NULL);
  g_autoptr(TernChat) chat = NULL;

  if (row == NULL)
    {
      tern_window_add_toast (self, adw_toast_new (_("Could not start the chat")));
      return;
    }
  if (self->chats != NULL && TERN_IS_CHAT_LIST (self->chats))
    {
      tern_chat_list_refresh (TERN_CHAT_LIST (self->chats));
      chat = tern_chat_list_lookup (TERN_CHAT_LIST (self->chats), row->id);
    }
  if (chat == NULL)
    chat = tern_chat_new_from_row (store, row);
  tern_window_open_chat (self, chat);
  gtk_widget_grab_focus (GTK_WIDGET (tern_conversation_get_composer (ensure_conversation (self))));
}

static void
new_chat_committed_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  NewChat *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!tern_store_commit_finish (TERN_STORE (object), result, &error))
    {
      g_autofree char *title = g_strdup_printf (_("Could not start the chat: %s"), error->message);

      tern_window_add_toast (data->window, adw_toast_new (title));
    }
  else
    open_chat_row (data->window, TERN_STORE (object), data->account, data->key);
  new_chat_free (data);
}

/**
 * tern_window_start_chat:
 * @address: the peer's address
 * @name: (nullable): the name to give a new contact
 *
 * Opens the 1:1 chat with @address on the open chat's account (or the
 * first one), creating the contact and the chat when new, and focuses the
 * composer.
 */
static void start_chat_on (TernWindow  *self,
                           TernAccount *account,
                           const char  *address,
                           const char  *name);

void
tern_window_start_chat (TernWindow *self,
                        const char *address,
                        const char *name)
{
  g_return_if_fail (TERN_IS_WINDOW (self));
  g_return_if_fail (address != NULL);

  start_chat_on (self, default_account (self), address, name);
}

/* The 1:1 chat with @address on @account (NULL: none, a toast says so). */
static void
start_chat_on (TernWindow  *self,
               TernAccount *account,
               const char  *address,
               const char  *name)
{
  TernStore *store;
  g_autoptr(TernStoreChatRow) existing = NULL;
  g_autoptr(TernStoreBatch) batch = NULL;
  g_autofree char *key = NULL;
  NewChat *data;
  gint64 contact;

  if (account == NULL || !tern_address_is_valid (address))
    {
      tern_window_add_toast (self, adw_toast_new (_("Could not start the chat")));
      return;
    }

  store = tern_account_get_store (account);
  key = g_ascii_strdown (address, -1);
  existing = tern_store_find_chat (store, tern_account_get_id (account),
                                   TERN_STORE_CHAT_KIND_DIRECT, key, NULL);
  if (existing != NULL)
    {
      open_chat_row (self, store, tern_account_get_id (account), key);
      return;
    }

  batch = tern_store_begin_batch (store);
  contact = tern_store_batch_ensure_contact (batch, tern_account_get_id (account), key, name);
  tern_store_batch_ensure_chat (batch, tern_account_get_id (account), TERN_STORE_CHAT_KIND_DIRECT,
                                key, name && *name ? name : key, contact);
  data = g_new0 (NewChat, 1);
  data->window = g_object_ref (self);
  data->account = tern_account_get_id (account);
  data->key = g_steal_pointer (&key);
  tern_store_commit_async (store, batch, NULL, new_chat_committed_cb, data);
}

static void
new_chat_chosen_cb (TernNewChatDialog *dialog,
                    const char        *address,
                    const char        *name,
                    TernWindow        *self)
{
  /* The account picked in the dialog (several accounts). */
  TernAccount *account = self->context
                         ? tern_context_get_account (self->context,
                                                     tern_new_chat_dialog_get_account (dialog))
                         : NULL;

  start_chat_on (self, account ? account : default_account (self), address, name);
}

static void
new_chat_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TernWindow *self = TERN_WINDOW (widget);
  TernAccount *account = default_account (self);
  TernNewChatDialog *dialog;

  if (!self->has_account)
    return;

  dialog = tern_new_chat_dialog_new (GTK_WINDOW (self),
                                     account ? tern_account_get_store (account) : NULL,
                                     account ? tern_account_get_id (account) : 0);
  g_signal_connect_object (dialog, "chosen", G_CALLBACK (new_chat_chosen_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
select_relative (TernWindow *self,
                 int         delta)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->chat_selection));
  guint selected = gtk_single_selection_get_selected (self->chat_selection);
  guint next;

  grow_chat_list (self);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->chat_selection));
  if (n == 0)
    return;
  if (selected == GTK_INVALID_LIST_POSITION)
    next = delta > 0 ? 0 : n - 1;
  else if (delta < 0)
    next = selected == 0 ? 0 : selected - 1;
  else
    next = MIN (selected + 1, n - 1);

  gtk_single_selection_set_selected (self->chat_selection, next);
  gtk_widget_activate_action (GTK_WIDGET (self->chat_list_view), "list.scroll-to-item", "u", next);
}

static void
next_chat_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  select_relative (TERN_WINDOW (widget), +1);
}

static void
previous_chat_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  select_relative (TERN_WINDOW (widget), -1);
}

static void
close_chat_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TernWindow *self = TERN_WINDOW (widget);

  if (gtk_single_selection_get_selected_item (self->chat_selection) == NULL &&
      current_chat (self) == NULL)
    return;
  gtk_single_selection_set_selected (self->chat_selection, GTK_INVALID_LIST_POSITION);
  show_chat (self, NULL);
}

static void
chat_changed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TernWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!tern_chat_change_finish (TERN_CHAT (object), result, &error))
    {
      g_autofree char *title = g_strdup_printf (_("Could not change the chat: %s"), error->message);

      tern_window_add_toast (self, adw_toast_new (title));
    }
}

static void
chat_action_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  TernWindow *self = TERN_WINDOW (widget);
  TernChat *chat = gtk_single_selection_get_selected_item (self->chat_selection);

  if (chat == NULL)
    chat = current_chat (self);
  if (chat == NULL)
    return;

  if (g_str_equal (action_name, "chat.toggle-pinned"))
    tern_chat_set_pinned_async (chat, !tern_chat_get_pinned (chat), NULL, chat_changed_cb,
                                g_object_ref (self));
  else if (g_str_equal (action_name, "chat.toggle-muted"))
    tern_chat_set_muted_async (chat, !tern_chat_get_muted (chat), NULL, chat_changed_cb,
                               g_object_ref (self));
  else if (g_str_equal (action_name, "chat.toggle-archived"))
    tern_chat_set_archived_async (chat, !tern_chat_get_archived (chat), NULL, chat_changed_cb,
                                  g_object_ref (self));
  else if (g_str_equal (action_name, "chat.delete"))
    {
      if (chat == current_chat (self))
        show_chat (self, NULL);
      tern_chat_delete_async (chat, NULL, chat_changed_cb, g_object_ref (self));
    }
}

/* ---- the engine: sending, reading, connection status --------------------- */

static TernAccount *
account_of_chat (TernWindow *self,
                 TernChat   *chat)
{
  if (self->context == NULL || chat == NULL)
    return NULL;
  return tern_context_get_account (self->context, tern_chat_get_account_id (chat));
}

typedef struct
{
  TernWindow *window;
  char      **temporary;   /* pasted images to delete once queued */
} Sending;

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Sending *sending = user_data;
  g_autoptr(TernWindow) self = sending->window;
  g_autoptr(GError) error = NULL;

  /* Queued (the outbox stored its own copy of the files) or failed: the
   * pasted images are not needed any more. */
  tern_composer_delete_temporary_paths ((const char * const *) sending->temporary);
  g_strfreev (sending->temporary);
  g_free (sending);

  if (tern_account_send_finish (TERN_ACCOUNT (object), result, &error) == 0)
    {
      g_autofree char *title = g_strdup_printf (_("Could not send: %s"), error->message);

      tern_window_add_toast (self, adw_toast_new (title));
    }
}

static void retried_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data);

static void
composer_send_cb (TernWindow *self,
                  const char *text)
{
  TernChat *chat = tern_conversation_get_chat (self->conversation);
  TernAccount *account = account_of_chat (self, chat);
  TernComposer *composer = tern_conversation_get_composer (self->conversation);
  g_auto(GStrv) temporary = tern_composer_steal_temporary_paths (composer);

  if (account == NULL || tern_conversation_get_editing (self->conversation) != 0)
    tern_composer_delete_temporary_paths ((const char * const *) temporary);

  if (account == NULL)
    {
      tern_window_add_toast (self, adw_toast_new (_("This chat has no account to send from")));
      return;
    }

  if (tern_conversation_get_editing (self->conversation) != 0)
    {
      if (tern_composer_get_n_files (tern_conversation_get_composer (self->conversation)) > 0)
        tern_window_add_toast (self, adw_toast_new (_("Files are not added to an edited message")));
      tern_account_edit_async (account, tern_conversation_get_editing (self->conversation), text,
                               NULL, retried_cb, g_object_ref (self));
      tern_conversation_clear_reply_to (self->conversation);
      return;
    }

  {
    g_auto(GStrv) paths = tern_composer_dup_paths (tern_conversation_get_composer (self->conversation));
    TernSendRequest request = { 0 };
    Sending *sending = g_new0 (Sending, 1);

    request.chat = tern_chat_get_id (chat);
    request.text = text && *text ? text : NULL;
    request.reply_to = tern_conversation_get_reply_to (self->conversation);
    request.paths = (const char * const *) paths;
    sending->window = g_object_ref (self);
    sending->temporary = g_steal_pointer (&temporary);
    tern_account_send_async (account, &request, NULL, sent_cb, sending);
  }
  tern_conversation_clear_reply_to (self->conversation);
  tern_conversation_follow_newest (self->conversation);
}

static void
marked_read_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!tern_account_send_op_finish (TERN_ACCOUNT (object), result, &error))
    g_message ("could not mark the chat read: %s", error->message);
}

static void
mark_read (TernWindow *self,
           TernChat   *chat)
{
  TernAccount *account = account_of_chat (self, chat);

  if (account != NULL && tern_chat_get_unread_count (chat) > 0)
    tern_account_mark_read_async (account, tern_chat_get_id (chat), NULL, marked_read_cb, NULL);
}

static void
retried_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(TernWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!tern_account_send_op_finish (TERN_ACCOUNT (object), result, &error))
    {
      g_autofree char *title = g_strdup_printf (_("Could not change the message: %s"),
                                                error->message);

      tern_window_add_toast (self, adw_toast_new (title));
    }
}

static void
conversation_delete_cb (TernWindow *self,
                        gint64      message)
{
  TernAccount *account = account_of_chat (self, tern_conversation_get_chat (self->conversation));

  if (account != NULL)
    tern_account_delete_async (account, message, NULL, retried_cb, g_object_ref (self));
}

static void
conversation_retry_cb (TernWindow *self,
                       gint64      message)
{
  TernAccount *account = account_of_chat (self, tern_conversation_get_chat (self->conversation));

  if (account == NULL)
    return;
  tern_conversation_set_failure_reason (self->conversation, message, NULL);
  tern_account_retry_async (account, message, NULL, retried_cb, g_object_ref (self));
}

static void
outbox_failed_cb (TernWindow *self,
                  gint64      outbox,
                  gint64      message,
                  const char *reason)
{
  if (message > 0)
    tern_conversation_set_failure_reason (ensure_conversation (self), message, reason);
}

static void
accounts_changed_cb (TernWindow *self)
{
  GListModel *accounts = tern_context_get_accounts (self->context);
  guint n = g_list_model_get_n_items (accounts);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TernAccount) account = g_list_model_get_item (accounts, i);

      if (g_hash_table_add (self->watched_accounts, account))
        {
          g_signal_connect_object (tern_outbox_get_for_account (account), "failed",
                                   G_CALLBACK (outbox_failed_cb), self, G_CONNECT_SWAPPED);
        }
    }

  tern_window_set_has_account (self, n > 0);
}

static void
tern_window_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  TernWindow *self = TERN_WINDOW (object);

  switch (prop_id)
    {
    case PROP_HAS_ACCOUNT:
      g_value_set_boolean (value, self->has_account);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_window_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  TernWindow *self = TERN_WINDOW (object);

  switch (prop_id)
    {
    case PROP_HAS_ACCOUNT:
      tern_window_set_has_account (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_window_constructed (GObject *object)
{
  TernWindow *self = TERN_WINDOW (object);

  G_OBJECT_CLASS (tern_window_parent_class)->constructed (object);

  /* Restored here and saved on close (not bound), so resizing does not
   * write to dconf on every frame. */
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  else
    /* The first frame needs the rows that fit the window's height (a row
     * is at least 66 px tall, the header bar takes some). */
    gtk_slice_list_model_set_size (self->first_chats,
                                   MIN (FIRST_FRAME_CHATS,
                                        MAX (g_settings_get_int (self->settings, "window-height"), 0) / 60 + 1));
}

static gboolean
tern_window_close_request (GtkWindow *window)
{
  TernWindow *self = TERN_WINDOW (window);
  int width, height;

  /* The default size follows the user's resizing, but not maximizing. */
  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  g_settings_apply (self->settings);

  return GTK_WINDOW_CLASS (tern_window_parent_class)->close_request (window);
}

static void
tern_window_dispose (GObject *object)
{
  TernWindow *self = TERN_WINDOW (object);

  if (self->chat_list_view != NULL)
    gtk_list_view_set_model (self->chat_list_view, NULL);
  if (self->message_results_view != NULL)
    gtk_list_view_set_model (self->message_results_view, NULL);
  g_clear_object (&self->message_hits);
  g_clear_object (&self->search);
  g_clear_handle_id (&self->grow_timeout, g_source_remove);
  g_clear_object (&self->chat_selection);
  g_clear_object (&self->first_chats);
  g_clear_object (&self->filtered_chats);
  g_clear_object (&self->chat_filter);
  g_clear_object (&self->chats);
  g_clear_object (&self->chat_menu);
  gtk_widget_dispose_template (GTK_WIDGET (self), TERN_TYPE_WINDOW);

  G_OBJECT_CLASS (tern_window_parent_class)->dispose (object);
}

static void
tern_window_finalize (GObject *object)
{
  TernWindow *self = TERN_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->context);
  g_clear_pointer (&self->watched_accounts, g_hash_table_unref);

  G_OBJECT_CLASS (tern_window_parent_class)->finalize (object);
}

static void
tern_window_class_init (TernWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->get_property = tern_window_get_property;
  object_class->set_property = tern_window_set_property;
  object_class->constructed = tern_window_constructed;
  object_class->dispose = tern_window_dispose;
  object_class->finalize = tern_window_finalize;

  window_class->close_request = tern_window_close_request;
  widget_class->realize = tern_window_realize;

  /**
   * TernWindow:has-account:
   *
   * Whether at least one account exists. Without one the window shows the
   * empty state that invites to add an account.
   */
  properties[PROP_HAS_ACCOUNT] =
    g_param_spec_boolean ("has-account", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ternchat/Tern/tern-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TernWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, sidebar_pane);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, content_pane);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, content_menu_button);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, add_account_button);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, chat_list_scroll);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, new_chat_button);
  gtk_widget_class_bind_template_callback (widget_class, leaflet_folded_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_entry_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);

  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK,
                                       "win.search", NULL);

  gtk_widget_class_install_action (widget_class, "win.new-chat", NULL, new_chat_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.new-chat", NULL);

  gtk_widget_class_install_action (widget_class, "win.next-chat", NULL, next_chat_activated);
  gtk_widget_class_install_action (widget_class, "win.previous-chat", NULL,
                                   previous_chat_activated);
  gtk_widget_class_install_action (widget_class, "win.close-chat", NULL, close_chat_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_CONTROL_MASK,
                                       "win.next-chat", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, GDK_CONTROL_MASK,
                                       "win.next-chat", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_CONTROL_MASK,
                                       "win.previous-chat", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, GDK_CONTROL_MASK,
                                       "win.previous-chat", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "win.close-chat", NULL);

  /* The selected (or open) chat: the context menu and the shortcuts. */
  gtk_widget_class_install_action (widget_class, "chat.toggle-pinned", NULL, chat_action_activated);
  gtk_widget_class_install_action (widget_class, "chat.toggle-muted", NULL, chat_action_activated);
  gtk_widget_class_install_action (widget_class, "chat.toggle-archived", NULL,
                                   chat_action_activated);
  gtk_widget_class_install_action (widget_class, "chat.delete", NULL, chat_action_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK | GDK_ALT_MASK,
                                       "chat.toggle-pinned", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK | GDK_ALT_MASK,
                                       "chat.toggle-muted", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, GDK_CONTROL_MASK | GDK_ALT_MASK,
                                       "chat.toggle-archived", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, GDK_CONTROL_MASK | GDK_ALT_MASK,
                                       "chat.delete", NULL);
}

/* libadwaita 1.2's leaflet sets the style classes of its four shadow
 * widgets again on every allocation, and they are its first children. In
 * GTK 4.8 a style change of a CSS node makes every later sibling and all
 * their descendants validate their style again: each frame that allocates
 * the window (every scrolled frame) went over both panes, ~1,800 nodes.
 * Last among the leaflet's children the shadows invalidate only
 * themselves. They take no input and the leaflet draws them itself, so
 * their place among the children changes nothing else. */
static void
move_leaflet_shadows_last (AdwLeaflet *leaflet)
{
  static const char *const names[] = { "dimming", "shadow", "border", "outline", NULL };
  g_autoptr(GPtrArray) shadows = g_ptr_array_new ();

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (leaflet));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (g_strv_contains (names, gtk_widget_get_css_name (child)))
      g_ptr_array_add (shadows, child);
  for (guint i = 0; i < shadows->len; i++)
    gtk_widget_insert_before (shadows->pdata[i], GTK_WIDGET (leaflet), NULL);
}

static void
tern_window_init (TernWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  move_leaflet_shadows_last (self->leaflet);

  self->settings = g_settings_new (APP_ID);

  {
    g_autoptr(GSimpleAction) help = g_simple_action_new ("show-help-overlay", NULL);

    g_signal_connect_object (help, "activate", G_CALLBACK (show_help_overlay_cb), self, 0);
    g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (help));
  }

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif

  adw_status_page_set_icon_name (self->empty_page, APP_ID);

  /* The chat list: no model until the engine (or a test) hands one over. */
  {
    g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
    g_autoptr(GMenu) menu = g_menu_new ();

    g_signal_connect (factory, "setup", G_CALLBACK (chat_setup_cb), self);
    g_signal_connect (factory, "bind", G_CALLBACK (chat_bind_cb), self);
    g_signal_connect (factory, "unbind", G_CALLBACK (chat_unbind_cb), self);

    self->chat_filter = gtk_string_filter_new (gtk_property_expression_new (TERN_TYPE_CHAT, NULL,
                                                                            "name"));
    gtk_string_filter_set_match_mode (self->chat_filter, GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);
    gtk_string_filter_set_ignore_case (self->chat_filter, TRUE);
    self->filtered_chats = gtk_filter_list_model_new (NULL, NULL);
    self->first_chats = gtk_slice_list_model_new (g_object_ref (G_LIST_MODEL (self->filtered_chats)),
                                                  0, FIRST_FRAME_CHATS);
    /* A window that is not shown for a while (started in the background)
     * still gets its whole list. */
    self->grow_timeout = g_timeout_add_seconds_full (G_PRIORITY_LOW, 2, grow_timeout_cb, self, NULL);
    self->chat_selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->first_chats)));
    gtk_single_selection_set_autoselect (self->chat_selection, FALSE);
    gtk_single_selection_set_can_unselect (self->chat_selection, TRUE);
    gtk_single_selection_set_selected (self->chat_selection, GTK_INVALID_LIST_POSITION);
    g_signal_connect_object (self->chat_selection, "notify::selected-item",
                             G_CALLBACK (chat_selected_cb), self, G_CONNECT_SWAPPED);

    self->chat_list_view = GTK_LIST_VIEW (gtk_list_view_new (g_object_ref (GTK_SELECTION_MODEL (self->chat_selection)),
                                                             g_steal_pointer (&factory)));
    gtk_list_view_set_single_click_activate (self->chat_list_view, TRUE);
    gtk_widget_add_css_class (GTK_WIDGET (self->chat_list_view), "navigation-sidebar");
    gtk_widget_add_css_class (GTK_WIDGET (self->chat_list_view), "chat-list");
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->chat_list_view),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, _("Chats"),
                                    -1);
    g_signal_connect_object (self->chat_list_view, "activate", G_CALLBACK (chat_activate_cb),
                             self, G_CONNECT_SWAPPED);
    gtk_scrolled_window_set_child (self->chat_list_scroll, GTK_WIDGET (self->chat_list_view));

    g_menu_append (menu, _("_Pin"), "chat.toggle-pinned");
    g_menu_append (menu, _("_Mute"), "chat.toggle-muted");
    g_menu_append (menu, _("_Archive"), "chat.toggle-archived");
    g_menu_append (menu, _("_Delete Chat"), "chat.delete");
    self->chat_menu = G_MENU_MODEL (g_steal_pointer (&menu));

    /* The conversation pane is made when the first chat opens
     * (ensure_conversation): the first frame shows the chat list only. */
  }

  /* Search results: the messages found, below the (filtered) chats. */
  {
    g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
    GtkWidget *heading = gtk_label_new (_("Messages"));
    GtkWidget *scroll = gtk_scrolled_window_new ();
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

    g_signal_connect (factory, "setup", G_CALLBACK (message_hit_setup_cb), self);
    g_signal_connect (factory, "bind", G_CALLBACK (message_hit_bind_cb), self);
    self->message_hits = gtk_filter_list_model_new (NULL,
                                                    GTK_FILTER (gtk_custom_filter_new (is_message_hit,
                                                                                       NULL, NULL)));
    g_signal_connect_object (self->message_hits, "items-changed",
                             G_CALLBACK (message_hits_changed_cb), self, G_CONNECT_SWAPPED);
    self->message_results_view =
      GTK_LIST_VIEW (gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->message_hits)))),
                                        g_steal_pointer (&factory)));
    gtk_list_view_set_single_click_activate (self->message_results_view, TRUE);
    gtk_widget_add_css_class (GTK_WIDGET (self->message_results_view), "navigation-sidebar");
    gtk_widget_add_css_class (GTK_WIDGET (self->message_results_view), "message-results");
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->message_results_view),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, _("Messages found"), -1);
    g_signal_connect_object (self->message_results_view, "activate",
                             G_CALLBACK (message_hit_activate_cb), self, G_CONNECT_SWAPPED);

    g_signal_connect_object (self->filtered_chats, "items-changed",
                             G_CALLBACK (message_hits_changed_cb), self, G_CONNECT_SWAPPED);
    gtk_label_set_xalign (GTK_LABEL (heading), 0);
    gtk_widget_set_margin_start (heading, 12);
    gtk_widget_set_margin_top (heading, 6);
    gtk_widget_set_margin_bottom (heading, 6);
    gtk_widget_add_css_class (heading, "heading");
    gtk_widget_add_css_class (heading, "search-heading");
    gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroll), GTK_POLICY_NEVER,
                                    GTK_POLICY_AUTOMATIC);
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll),
                                   GTK_WIDGET (self->message_results_view));
    gtk_widget_set_vexpand (scroll, TRUE);
    gtk_box_append (GTK_BOX (box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
    gtk_box_append (GTK_BOX (box), heading);
    gtk_box_append (GTK_BOX (box), scroll);
    gtk_widget_set_vexpand (box, TRUE);
    gtk_widget_set_visible (box, FALSE);
    self->message_results = box;
    gtk_box_append (GTK_BOX (self->sidebar_pane), box);
  }

  /* The connection status of each account, above the chat list (a banner
   * with a line and a Retry per account; it blocks nothing). */
  {
    self->connection_banner = tern_connection_banner_new ();
    gtk_box_insert_child_after (GTK_BOX (self->sidebar_pane), GTK_WIDGET (self->connection_banner),
                                GTK_WIDGET (self->search_bar));
    self->watched_accounts = g_hash_table_new (NULL, NULL);
  }

  update_state (self);
}

TernWindow *
tern_window_new (TernApplication *application)
{
  return g_object_new (TERN_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

gboolean
tern_window_get_has_account (TernWindow *self)
{
  g_return_val_if_fail (TERN_IS_WINDOW (self), FALSE);

  return self->has_account;
}

/**
 * tern_window_set_has_account:
 *
 * Switches between the empty state (no account) and the messenger layout.
 * The accounts engine calls this when the first account is added or the
 * last one removed.
 */
void
tern_window_set_has_account (TernWindow *self,
                             gboolean    has_account)
{
  g_return_if_fail (TERN_IS_WINDOW (self));

  has_account = !!has_account;
  if (self->has_account == has_account)
    return;

  self->has_account = has_account;
  /* With a first account, a folded window starts at the chat list. */
  if (has_account)
    adw_leaflet_set_visible_child (self->leaflet, self->sidebar_pane);
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_ACCOUNT]);
}

void
tern_window_add_toast (TernWindow *self,
                       AdwToast   *toast)
{
  g_return_if_fail (TERN_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/**
 * tern_window_set_chat_list:
 * @chats: (nullable): a GListModel of TernChat (a TernChatList)
 *
 * The chats the sidebar shows; the engine hands over the list of its
 * accounts. Closes the open chat when it is not in the new list.
 */
void
tern_window_set_chat_list (TernWindow *self,
                           GListModel *chats)
{
  g_return_if_fail (TERN_IS_WINDOW (self));
  g_return_if_fail (chats == NULL || G_IS_LIST_MODEL (chats));

  if (!g_set_object (&self->chats, chats))
    return;

  gtk_filter_list_model_set_model (self->filtered_chats, chats);

  /* Message search over the store of the chat list (all its accounts). */
  g_clear_object (&self->search);
  if (chats != NULL && TERN_IS_CHAT_LIST (chats))
    {
      self->search = tern_search_new (tern_chat_list_get_store (TERN_CHAT_LIST (chats)), 0);
      tern_search_set_query (self->search,
                             gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
    }
  gtk_filter_list_model_set_model (self->message_hits, G_LIST_MODEL (self->search));
  gtk_single_selection_set_selected (self->chat_selection, GTK_INVALID_LIST_POSITION);
  show_chat (self, NULL);
}

GListModel *
tern_window_get_chat_list (TernWindow *self)
{
  g_return_val_if_fail (TERN_IS_WINDOW (self), NULL);
  return self->chats;
}

/* Opens @chat (selecting it in the list when it is shown there). */
void
tern_window_open_chat (TernWindow *self,
                       TernChat   *chat)
{
  GListModel *model;
  guint n;

  g_return_if_fail (TERN_IS_WINDOW (self));
  g_return_if_fail (chat == NULL || TERN_IS_CHAT (chat));

  grow_chat_list (self);
  model = G_LIST_MODEL (self->chat_selection);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; chat != NULL && i < n; i++)
    {
      g_autoptr(TernChat) item = g_list_model_get_item (model, i);

      if (tern_chat_get_id (item) == tern_chat_get_id (chat))
        {
          gtk_single_selection_set_selected (self->chat_selection, i);
          show_chat (self, item);
          return;
        }
    }

  gtk_single_selection_set_selected (self->chat_selection, GTK_INVALID_LIST_POSITION);
  show_chat (self, chat);
}

TernChat *
tern_window_get_open_chat (TernWindow *self)
{
  g_return_val_if_fail (TERN_IS_WINDOW (self), NULL);
  return current_chat (self);
}

TernConversation *
tern_window_get_conversation (TernWindow *self)
{
  g_return_val_if_fail (TERN_IS_WINDOW (self), NULL);
  return ensure_conversation (self);
}

GtkListView *
tern_window_get_chat_list_view (TernWindow *self)
{
  g_return_val_if_fail (TERN_IS_WINDOW (self), NULL);
  return self->chat_list_view;
}

/**
 * tern_window_set_context:
 * @context: the engine
 *
 * Binds the window to the engine: the chat list of all its accounts, the
 * empty state while it has none, sending from the composer, marking chats
 * read when opened, and the connection status of each account.
 */
void
tern_window_set_context (TernWindow  *self,
                         TernContext *context)
{
  g_autoptr(TernChatList) chats = NULL;

  g_return_if_fail (TERN_IS_WINDOW (self));
  g_return_if_fail (TERN_IS_CONTEXT (context));
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  chats = tern_chat_list_new (tern_context_get_store (context), 0, TERN_STORE_CHAT_FILTER_ACTIVE);
  tern_window_set_chat_list (self, G_LIST_MODEL (chats));
  g_signal_connect_object (tern_context_get_accounts (context), "items-changed",
                           G_CALLBACK (accounts_changed_cb), self, G_CONNECT_SWAPPED);
  tern_connection_banner_set_context (self->connection_banner, context);
  accounts_changed_cb (self);
}

TernContext *
tern_window_get_context (TernWindow *self)
{
  g_return_val_if_fail (TERN_IS_WINDOW (self), NULL);
  return self->context;
}
