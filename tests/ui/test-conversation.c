/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui-test"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "tern-application.h"
#include "tern-chat-list.h"
#include "tern-chat-row.h"
#include "tern-conversation.h"
#include "tern-message-row.h"
#include "tern-window.h"

/* The chat list and the conversation of the real window, bound to the core
 * models over a store this test fills with the TernStore batch API (no
 * engine, no network), under Xvfb, with screenshots. */

#define TIMEOUT_SECONDS 20
#define BOB_MESSAGES 300

#include "ui-test-util.h"

static TernApplication *app;

typedef struct
{
  char         *dir;
  TernStore    *store;
  gint64        account;
  gint64        bob, carol, dave;        /* contacts */
  gint64        bob_chat, hike_chat, carol_chat, dave_chat;
  TernChatList *chats;
  TernWindow   *window;
  guint         serial;
} Fixture;

/* ---- finding rows -------------------------------------------------------- */

static TernChatRow *
find_chat_row (Fixture    *f,
               const char *title)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  collect (GTK_WIDGET (tern_window_get_chat_list_view (f->window)), TERN_TYPE_CHAT_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (tern_chat_row_get_title (rows->pdata[i]), title) == 0)
      return rows->pdata[i];
  return NULL;
}

/* ---- the fixture store --------------------------------------------------- */

static gint64
add_message (Fixture               *f,
             TernStoreBatch        *batch,
             gint64                 chat,
             gint64                 sender,      /* 0 = outgoing */
             const char            *address,
             const char            *text,
             gint64                 time,
             TernStoreDeliveryState state)
{
  g_autofree char *mid = g_strdup_printf ("m%u@example.test", ++f->serial);
  TernStoreMessageRow row = { 0 };

  row.account_id = f->account;
  row.chat_id = chat;
  row.message_id = mid;
  row.text = (char *) text;
  row.sent_time = time;
  row.received_time = time;
  row.seen = sender == 0 || time < g_get_real_time () / G_USEC_PER_SEC - 3600;
  row.outgoing = sender == 0;
  row.sender_contact_id = sender;
  row.sender_address = sender == 0 ? NULL : (char *) address;
  row.kind = TERN_STORE_MESSAGE_KIND_TEXT;
  row.state = sender == 0 ? state : TERN_STORE_STATE_NONE;
  return tern_store_batch_add_message (batch, &row, 0, 0);
}

static void
fill_store (Fixture *f)
{
  g_autoptr(TernStoreBatch) batch = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 bob, carol, dave, bob_chat, hike, carol_chat, dave_chat;
  TernStoreChatRow values = { 0 };

  /* An account. */
  {
    g_autoptr(TernStoreBatch) account_batch = tern_store_begin_batch (f->store);
    TernStoreAccountRow row = { 0 };
    gint64 ref;

    row.address = (char *) "me@example.test";
    row.imap_host = (char *) "127.0.0.1";
    row.imap_port = 993;
    row.enabled = TRUE;
    ref = tern_store_batch_add_account (account_batch, &row);
    store_commit (f->store, account_batch);
    f->account = tern_store_batch_get_id (account_batch, ref);
  }

  batch = tern_store_begin_batch (f->store);
  bob = tern_store_batch_ensure_contact (batch, f->account, "bob@example.test", "Bob Builder");
  carol = tern_store_batch_ensure_contact (batch, f->account, "carol@example.test", "Carol Danvers");
  dave = tern_store_batch_ensure_contact (batch, f->account, "dave@example.test", "Dave Lister");
  bob_chat = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_DIRECT,
                                           "bob@example.test", "Bob Builder", bob);
  hike = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_GROUP,
                                       "group-hike-0001", "Hiking Club", 0);
  carol_chat = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_DIRECT,
                                             "carol@example.test", "Carol Danvers", carol);
  dave_chat = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_DIRECT,
                                            "dave@example.test", "Dave Lister", dave);

  /* Bob: 300 messages over the last ten days, both ways. */
  for (guint i = 0; i < BOB_MESSAGES - 3; i++)
    {
      g_autofree char *text = g_strdup_printf ("Message number %u about the shed", i);
      gint64 t = now - 10 * 86400 + (gint64) i * (10 * 86400 - 7200) / BOB_MESSAGES;

      add_message (f, batch, bob_chat, i % 3 ? bob : 0, "bob@example.test", text, t,
                   TERN_STORE_STATE_READ);
    }
  add_message (f, batch, bob_chat, bob, "bob@example.test",
               "Are you coming on Saturday? I can bring the ladder.", now - 3000, 0);
  add_message (f, batch, bob_chat, 0, NULL, "Yes! See you at ten.", now - 2400,
               TERN_STORE_STATE_SENT);
  add_message (f, batch, bob_chat, 0, NULL, "And I'll bring coffee.", now - 1800,
               TERN_STORE_STATE_PENDING);

  /* A group with two other people. */
  add_message (f, batch, hike, carol, "carol@example.test", "Who's in for the ridge walk?",
               now - 5000, 0);
  add_message (f, batch, hike, dave, "dave@example.test", "Me, if it doesn't rain.",
               now - 4800, 0);
  add_message (f, batch, hike, 0, NULL, "Count me in.", now - 4700, TERN_STORE_STATE_READ);
  add_message (f, batch, hike, dave, "dave@example.test", "Meet at the car park at 8.",
               now - 600, 0);

  add_message (f, batch, carol_chat, carol, "carol@example.test", "Lunch tomorrow?",
               now - 86400 * 2, 0);
  add_message (f, batch, carol_chat, 0, NULL, "Sure, at noon?", now - 86400 * 2 + 60,
               TERN_STORE_STATE_FAILED);
  add_message (f, batch, dave_chat, dave, "dave@example.test", "Did you see the match?",
               now - 7000, 0);
  add_message (f, batch, dave_chat, dave, "dave@example.test", "Unbelievable ending.",
               now - 6900, 0);

  /* Carol pinned with a draft, Dave muted. */
  values.pinned = TRUE;
  values.draft = (char *) "See you there";
  tern_store_batch_update_chat (batch, carol_chat, TERN_STORE_CHAT_FIELD_PINNED | TERN_STORE_CHAT_FIELD_DRAFT,
                                &values);
  values.muted = TRUE;
  tern_store_batch_update_chat (batch, dave_chat, TERN_STORE_CHAT_FIELD_MUTED, &values);
  store_commit (f->store, batch);

  f->bob = tern_store_batch_get_id (batch, bob);
  f->carol = tern_store_batch_get_id (batch, carol);
  f->dave = tern_store_batch_get_id (batch, dave);
  f->bob_chat = tern_store_batch_get_id (batch, bob_chat);
  f->hike_chat = tern_store_batch_get_id (batch, hike);
  f->carol_chat = tern_store_batch_get_id (batch, carol_chat);
  f->dave_chat = tern_store_batch_get_id (batch, dave_chat);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean narrow = g_strcmp0 (user_data, "narrow") == 0;
  int width = narrow ? 360 : 960;
  int height = narrow ? 640 : 680;

  f->dir = g_dir_make_tmp ("tern-ui-test-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = tern_store_open (f->dir, &error);
  g_assert_no_error (error);
  fill_store (f);
  f->chats = tern_chat_list_new (f->store, f->account, TERN_STORE_CHAT_FILTER_ACTIVE);

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_LIGHT);
  f->window = tern_window_new (app);
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
  gtk_window_set_default_size (GTK_WINDOW (f->window), width, height);
  tern_window_set_has_account (f->window, TRUE);
  tern_window_set_chat_list (f->window, G_LIST_MODEL (f->chats));
  gtk_window_present (GTK_WINDOW (f->window));
  wait_frames (GTK_WIDGET (f->window), 2);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  user_data)
{
  destroy_windows (&f->window);
  g_assert_null (f->window);

  g_assert_finalize_object (f->chats);
  tern_store_close (f->store);
  flush ();
  g_assert_finalize_object (f->store);
  remove_tree (f->dir);
  g_free (f->dir);
}

static void
assert_at_bottom (TernConversation *conversation)
{
  GtkAdjustment *adj = tern_conversation_get_vadjustment (conversation);
  double gap = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj) -
               gtk_adjustment_get_value (adj);

  g_test_message ("scroll: value %.0f page %.0f upper %.0f",
                  gtk_adjustment_get_value (adj), gtk_adjustment_get_page_size (adj),
                  gtk_adjustment_get_upper (adj));
  g_assert_cmpfloat (gap, <=, 1.0);
  g_assert_true (tern_conversation_get_at_bottom (conversation));
}

/* ---- cases --------------------------------------------------------------- */

static void
test_chat_list (Fixture       *f,
                gconstpointer  user_data)
{
  GListModel *model = G_LIST_MODEL (gtk_list_view_get_model (tern_window_get_chat_list_view (f->window)));
  TernChatRow *carol, *hike, *dave, *bob;
  GtkStack *content_stack = GTK_STACK (template_child (f->window, TERN_TYPE_WINDOW, "content_stack"));

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 4);
  /* Pinned first, then by the newest message. */
  g_assert_cmpuint (chat_position (f->window, f->carol_chat), ==, 0);
  g_assert_cmpuint (chat_position (f->window, f->hike_chat), ==, 1);
  g_assert_cmpuint (chat_position (f->window, f->bob_chat), ==, 2);
  g_assert_cmpuint (chat_position (f->window, f->dave_chat), ==, 3);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (content_stack), ==, "no-chat");

  carol = find_chat_row (f, "Carol Danvers");
  hike = find_chat_row (f, "Hiking Club");
  dave = find_chat_row (f, "Dave Lister");
  bob = find_chat_row (f, "Bob Builder");
  g_assert_nonnull (carol);
  g_assert_nonnull (hike);
  g_assert_nonnull (dave);
  g_assert_nonnull (bob);

  g_assert_true (tern_chat_row_get_pinned (carol));
  g_assert_cmpstr (tern_chat_row_get_preview (carol), ==, "Draft: See you there");
  /* The sender in a group, "You:" for one's own last message. */
  g_assert_cmpstr (tern_chat_row_get_preview (hike), ==, "Dave Lister: Meet at the car park at 8.");
  g_assert_cmpstr (tern_chat_row_get_preview (bob), ==, "You: And I'll bring coffee.");
  g_assert_cmpstr (tern_chat_row_get_preview (dave), ==, "Unbelievable ending.");
  g_assert_true (tern_chat_row_get_muted (dave));
  g_assert_false (tern_chat_row_get_muted (bob));
  /* Recent incoming messages are unread. */
  g_assert_cmpuint (tern_chat_row_get_unread_count (hike), ==, 1);
  g_assert_cmpuint (tern_chat_row_get_unread_count (bob), ==, 1);
  g_assert_cmpuint (tern_chat_row_get_unread_count (carol), ==, 0);

  save_screenshot_strict (GTK_WIDGET (f->window), "chats-light");

  /* A new message moves its chat up, below the pinned one, and the row
   * follows it. */
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);

    add_message (f, batch, f->dave_chat, f->dave, "dave@example.test", "Rematch on Sunday!",
                 g_get_real_time () / G_USEC_PER_SEC, 0);
    store_commit (f->store, batch);
  }
  wait_frames (GTK_WIDGET (f->window), 2);
  g_assert_cmpuint (chat_position (f->window, f->dave_chat), ==, 1);
  dave = find_chat_row (f, "Dave Lister");
  g_assert_cmpstr (tern_chat_row_get_preview (dave), ==, "Rematch on Sunday!");
  g_assert_cmpuint (tern_chat_row_get_unread_count (dave), ==, 1);
}

static void
test_conversation (Fixture       *f,
                   gconstpointer  user_data)
{
  TernConversation *conversation = tern_window_get_conversation (f->window);
  GtkStack *content_stack = GTK_STACK (template_child (f->window, TERN_TYPE_WINDOW, "content_stack"));
  AdwWindowTitle *title = ADW_WINDOW_TITLE (template_child (f->window, TERN_TYPE_WINDOW, "content_title"));
  TernMessageList *messages;
  TernMessageRow *row;
  double light, dark;

  activate_chat_in (f->window, f->bob_chat, 3);
  save_screenshot_strict (GTK_WIDGET (f->window), "conversation-open");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (content_stack), ==, "chat");
  g_assert_cmpstr (adw_window_title_get_title (title), ==, "Bob Builder");
  messages = tern_conversation_get_message_list (conversation);
  g_assert_nonnull (messages);
  g_assert_cmpuint (tern_message_list_get_total (messages), ==, BOB_MESSAGES);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (messages)), ==, TERN_MESSAGE_LIST_WINDOW);

  /* Opens at the newest message, with its ticks. */
  assert_at_bottom (conversation);
  row = message_row_with_body (f->window, "And I'll bring coffee.");
  g_assert_nonnull (row);
  g_assert_true (tern_message_row_get_outgoing (row));
  g_assert_cmpint (tern_message_row_get_state (row), ==, TERN_MESSAGE_ROW_STATE_PENDING);
  row = message_row_with_body (f->window, "Yes! See you at ten.");
  g_assert_nonnull (row);
  g_assert_cmpint (tern_message_row_get_state (row), ==, TERN_MESSAGE_ROW_STATE_SENT);
  row = message_row_with_body (f->window, "Are you coming on Saturday? I can bring the ladder.");
  g_assert_nonnull (row);
  g_assert_false (tern_message_row_get_outgoing (row));
  /* No sender names in a 1:1 chat. */
  g_assert_null (tern_message_row_get_sender_name (row));
  /* Older rows are not built. */
  g_assert_null (message_row_with_body (f->window, "Message number 0 about the shed"));

  light = save_screenshot_luminance (GTK_WIDGET (f->window), "conversation-light");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  wait_frames (GTK_WIDGET (f->window), 2);
  dark = save_screenshot_luminance (GTK_WIDGET (f->window), "conversation-dark");
  g_test_message ("mean luminance: light %.3f, dark %.3f", light, dark);
  g_assert_cmpfloat (light, >, 0.6);
  g_assert_cmpfloat (dark, <, 0.35);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_LIGHT);

  /* A new message while at the bottom: it appears and the view follows. */
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);

    add_message (f, batch, f->bob_chat, f->bob, "bob@example.test", "Great, coffee is welcome.",
                 g_get_real_time () / G_USEC_PER_SEC, 0);
    store_commit (f->store, batch);
  }
  wait_frames (GTK_WIDGET (f->window), 3);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (messages)), ==,
                    TERN_MESSAGE_LIST_WINDOW + 1);
  assert_at_bottom (conversation);
  g_assert_nonnull (message_row_with_body (f->window, "Great, coffee is welcome."));

  /* An edit and a delete by the sender update the rows in place. */
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    TernMessage *last = g_list_model_get_item (G_LIST_MODEL (messages),
                                               TERN_MESSAGE_LIST_WINDOW);
    TernMessage *before = g_list_model_get_item (G_LIST_MODEL (messages),
                                                 TERN_MESSAGE_LIST_WINDOW - 3);

    tern_store_batch_edit_message (batch, f->account, tern_message_get_message_id (last),
                                   "edit1@example.test", "Great, coffee is very welcome.",
                                   g_get_real_time () / G_USEC_PER_SEC);
    tern_store_batch_edit_message (batch, f->account, tern_message_get_message_id (before),
                                   "edit2@example.test", NULL,
                                   g_get_real_time () / G_USEC_PER_SEC);
    store_commit (f->store, batch);
    g_object_unref (last);
    g_object_unref (before);
  }
  wait_frames (GTK_WIDGET (f->window), 2);
  row = message_row_with_body (f->window, "Great, coffee is very welcome.");
  g_assert_nonnull (row);
  g_assert_true (tern_message_row_get_edited (row));
  g_assert_null (message_row_with_body (f->window, "Are you coming on Saturday? I can bring the ladder."));
  row = message_row_with_body (f->window, "This message was deleted");
  g_assert_nonnull (row);
  g_assert_false (tern_message_row_get_edited (row));
  save_screenshot_strict (GTK_WIDGET (f->window), "conversation-edited-deleted");

  /* Scrolling to the top loads older windows without jumping back to the
   * newest message. */
  {
    GtkAdjustment *adj = tern_conversation_get_vadjustment (conversation);
    guint before = g_list_model_get_n_items (G_LIST_MODEL (messages));

    /* The rows already loaded are shown first, a few per frame; the next
     * window comes from the store once the top of those is reached. */
    for (guint i = 0; i < 100 && g_list_model_get_n_items (G_LIST_MODEL (messages)) <
                                 before + TERN_MESSAGE_LIST_WINDOW; i++)
      {
        gtk_adjustment_set_value (adj, 0);
        wait_frames (GTK_WIDGET (f->window), 3);
      }
    g_test_message ("after scrolling up: %u rows loaded, value %.0f of %.0f",
                    g_list_model_get_n_items (G_LIST_MODEL (messages)),
                    gtk_adjustment_get_value (adj), gtk_adjustment_get_upper (adj));
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (messages)), >=,
                      before + TERN_MESSAGE_LIST_WINDOW);
    g_assert_false (tern_conversation_get_at_bottom (conversation));
    /* Well away from the bottom; the newest rows, far below, are hidden. */
    g_assert_cmpfloat (gtk_adjustment_get_value (adj), <,
                       gtk_adjustment_get_upper (adj) - 1.5 * gtk_adjustment_get_page_size (adj));
    g_assert_null (message_row_with_body (f->window, "Great, coffee is very welcome."));
    save_screenshot_strict (GTK_WIDGET (f->window), "conversation-scrolled-up");
  }
}

static void
test_markup (void)
{
  const struct { const char *in, *out; } cases[] = {
    { "plain <b>text</b> & more", "plain &lt;b&gt;text&lt;/b&gt; &amp; more" },
    { "see <https://a.example/x?y=1&z=2>.",
      "see &lt;<a href=\"https://a.example/x?y=1&amp;z=2\">https://a.example/x?y=1&amp;z=2</a>&gt;." },
    { "(mailto:bob@example.test), geo:47.1,8.5!",
      "(<a href=\"mailto:bob@example.test\">mailto:bob@example.test</a>), "
      "<a href=\"geo:47.1,8.5\">geo:47.1,8.5</a>!" },
    { "javascript:alert(1) ftp://x.example", "javascript:alert(1) ftp://x.example" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *markup = tern_message_body_to_markup (cases[i].in);

      g_assert_cmpstr (markup, ==, cases[i].out);
      GtkWidget *label = g_object_ref_sink (gtk_label_new (NULL));

      /* GtkLabel takes it (a parse error would be a fatal warning) and
       * shows exactly the original text. */
      gtk_label_set_markup (GTK_LABEL (label), markup);
      g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, cases[i].in);
      g_object_unref (label);
    }
}

static void
test_group (Fixture       *f,
            gconstpointer  user_data)
{
  TernMessageRow *row;

  activate_chat_in (f->window, f->hike_chat, 3);
  row = message_row_with_body (f->window, "Who's in for the ridge walk?");
  g_assert_nonnull (row);
  g_assert_cmpstr (tern_message_row_get_sender_name (row), ==, "Carol Danvers");
  row = message_row_with_body (f->window, "Meet at the car park at 8.");
  g_assert_nonnull (row);
  g_assert_cmpstr (tern_message_row_get_sender_name (row), ==, "Dave Lister");
  row = message_row_with_body (f->window, "Count me in.");
  g_assert_nonnull (row);
  g_assert_true (tern_message_row_get_outgoing (row));
  g_assert_cmpint (tern_message_row_get_state (row), ==, TERN_MESSAGE_ROW_STATE_READ);
  save_screenshot_strict (GTK_WIDGET (f->window), "conversation-group");
}

static void
test_keyboard_search_draft (Fixture       *f,
                            gconstpointer  user_data)
{
  GtkWidget *window = GTK_WIDGET (f->window);
  GtkStack *content_stack = GTK_STACK (template_child (f->window, TERN_TYPE_WINDOW, "content_stack"));
  GtkEditable *search = GTK_EDITABLE (template_child (f->window, TERN_TYPE_WINDOW, "search_entry"));
  GListModel *model = G_LIST_MODEL (gtk_list_view_get_model (tern_window_get_chat_list_view (f->window)));
  TernComposer *composer = tern_conversation_get_composer (tern_window_get_conversation (f->window));
  g_autoptr(TernChat) bob = tern_chat_list_lookup (f->chats, f->bob_chat);
  g_autoptr(TernChat) carol = tern_chat_list_lookup (f->chats, f->carol_chat);

  /* Ctrl+Down from nothing: the first chat; again: the second. */
  g_assert_true (gtk_widget_activate_action (window, "win.next-chat", NULL));
  wait_frames (window, 1);
  g_assert_true (tern_chat_get_id (tern_window_get_open_chat (f->window)) == f->carol_chat);
  {
    g_autofree char *draft = tern_composer_dup_text (composer);

    /* The chat's draft is in the composer. */
    g_assert_cmpstr (draft, ==, "See you there");
  }
  g_assert_true (gtk_widget_activate_action (window, "win.next-chat", NULL));
  wait_frames (window, 1);
  g_assert_true (tern_chat_get_id (tern_window_get_open_chat (f->window)) == f->hike_chat);
  g_assert_true (gtk_widget_activate_action (window, "win.previous-chat", NULL));
  wait_frames (window, 1);
  g_assert_true (tern_chat_get_id (tern_window_get_open_chat (f->window)) == f->carol_chat);

  /* A cleared draft leaves the chat when another chat opens. */
  tern_composer_set_text (composer, "");
  activate_chat_in (f->window, f->bob_chat, 3);
  g_assert_false (tern_chat_get_has_draft (carol));
  /* Typing in Bob's chat keeps a draft there. */
  tern_composer_set_text (composer, "Half-written thought");
  activate_chat_in (f->window, f->hike_chat, 3);
  g_assert_cmpstr (tern_chat_get_draft (bob), ==, "Half-written thought");
  g_assert_cmpstr (tern_chat_row_get_preview (find_chat_row (f, "Bob Builder")), ==,
                   "Draft: Half-written thought");

  /* Ctrl+W closes the chat. */
  g_assert_true (gtk_widget_activate_action (window, "win.close-chat", NULL));
  wait_frames (window, 1);
  g_assert_null (tern_window_get_open_chat (f->window));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (content_stack), ==, "no-chat");

  /* Pin and mute from the chat actions (the context menu's). */
  activate_chat_in (f->window, f->bob_chat, 3);
  g_assert_true (gtk_widget_activate_action (window, "chat.toggle-pinned", NULL));
  g_assert_true (gtk_widget_activate_action (window, "chat.toggle-muted", NULL));
  {
    guint timeout = g_timeout_add_seconds (TIMEOUT_SECONDS, timeout_cb, "the pin");

    while (!tern_chat_get_pinned (bob) || !tern_chat_get_muted (bob))
      g_main_context_iteration (NULL, TRUE);
    g_source_remove (timeout);
  }
  wait_frames (window, 2);
  g_assert_true (tern_chat_row_get_pinned (find_chat_row (f, "Bob Builder")));
  g_assert_true (tern_chat_row_get_muted (find_chat_row (f, "Bob Builder")));
  g_assert_cmpuint (chat_position (f->window, f->bob_chat), <=, 1);

  /* Search filters the list live. */
  g_assert_true (gtk_widget_activate_action (window, "win.search", NULL));
  gtk_editable_set_text (search, "hik");
  {
    guint timeout = g_timeout_add_seconds (TIMEOUT_SECONDS, timeout_cb, "the search");

    while (g_list_model_get_n_items (model) != 1)
      g_main_context_iteration (NULL, TRUE);
    g_source_remove (timeout);
  }
  wait_frames (window, 1);
  g_assert_nonnull (find_chat_row (f, "Hiking Club"));
  save_screenshot_strict (window, "chats-search");
  gtk_editable_set_text (search, "");
  {
    guint timeout = g_timeout_add_seconds (TIMEOUT_SECONDS, timeout_cb, "the search to clear");

    while (g_list_model_get_n_items (model) != 4)
      g_main_context_iteration (NULL, TRUE);
    g_source_remove (timeout);
  }

  /* Archive takes the chat out of the active list. */
  activate_chat_in (f->window, f->dave_chat, 3);
  g_assert_true (gtk_widget_activate_action (window, "chat.toggle-archived", NULL));
  {
    guint timeout = g_timeout_add_seconds (TIMEOUT_SECONDS, timeout_cb, "the archive");

    while (g_list_model_get_n_items (model) != 3)
      g_main_context_iteration (NULL, TRUE);
    g_source_remove (timeout);
  }
}

static void
test_narrow (Fixture       *f,
             gconstpointer  user_data)
{
  AdwLeaflet *leaflet = ADW_LEAFLET (template_child (f->window, TERN_TYPE_WINDOW, "leaflet"));
  GtkWidget *sidebar = template_child (f->window, TERN_TYPE_WINDOW, "sidebar_pane");
  GtkWidget *content = template_child (f->window, TERN_TYPE_WINDOW, "content_pane");
  GtkWidget *back = template_child (f->window, TERN_TYPE_WINDOW, "back_button");

  g_assert_true (adw_leaflet_get_folded (leaflet));
  g_assert_true (adw_leaflet_get_visible_child (leaflet) == sidebar);
  save_screenshot_strict (GTK_WIDGET (f->window), "chats-narrow");

  activate_chat_in (f->window, f->hike_chat, 3);
  g_assert_true (adw_leaflet_get_visible_child (leaflet) == content);
  g_assert_true (gtk_widget_get_mapped (back));
  g_assert_nonnull (message_row_with_body (f->window, "Meet at the car park at 8."));
  assert_at_bottom (tern_window_get_conversation (f->window));
  wait_frames (GTK_WIDGET (f->window), 10);
  save_screenshot_strict (GTK_WIDGET (f->window), "conversation-narrow");

  g_assert_true (gtk_widget_activate (back));
  {
    /* The leaflet may take a few frames (its child transition) to go back. */
    guint timeout = g_timeout_add_seconds (TIMEOUT_SECONDS, timeout_cb, "going back to the list");

    while (adw_leaflet_get_visible_child (leaflet) != sidebar)
      g_main_context_iteration (NULL, TRUE);
    g_source_remove (timeout);
  }
}

static void
retry_cb (TernConversation *conversation,
          gint64            message,
          gint64           *got)
{
  *got = message;
}

static void
find_widgets_with_class (GtkWidget  *widget,
                         const char *css_class,
                         GPtrArray  *found)
{
  if (gtk_widget_has_css_class (widget, css_class) && gtk_widget_get_mapped (widget))
    g_ptr_array_add (found, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    find_widgets_with_class (c, css_class, found);
}

static void
test_failed (Fixture       *f,
             gconstpointer  user_data)
{
  TernConversation *conversation = tern_window_get_conversation (f->window);
  g_autoptr(GPtrArray) failures = g_ptr_array_new ();
  TernMessageList *messages;
  g_autoptr(TernMessage) failed = NULL;
  TernMessageRow *row;
  GtkWidget *reason, *retry;
  gint64 got = 0;

  activate_chat_in (f->window, f->carol_chat, 3);
  row = message_row_with_body (f->window, "Sure, at noon?");
  g_assert_nonnull (row);
  g_assert_cmpint (tern_message_row_get_state (row), ==, TERN_MESSAGE_ROW_STATE_FAILED);
  find_widgets_with_class (GTK_WIDGET (conversation), "send-failure", failures);
  /* Only the failed message has the failure line. */
  g_assert_cmpuint (failures->len, ==, 1);
  reason = gtk_widget_get_first_child (failures->pdata[0]);
  retry = gtk_widget_get_last_child (failures->pdata[0]);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (reason)), ==, "The message could not be sent.");

  /* The server's reason, as the outbox reports it. */
  messages = tern_conversation_get_message_list (conversation);
  failed = g_list_model_get_item (G_LIST_MODEL (messages),
                                  g_list_model_get_n_items (G_LIST_MODEL (messages)) - 1);
  tern_conversation_set_failure_reason (conversation, tern_message_get_id (failed),
                                        "550 5.1.1 <carol@example.test>: Recipient address rejected");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (reason)), ==,
                   "550 5.1.1 <carol@example.test>: Recipient address rejected");
  wait_frames (GTK_WIDGET (f->window), 2);
  save_screenshot_strict (GTK_WIDGET (f->window), "conversation-failed");

  g_signal_connect (conversation, "retry", G_CALLBACK (retry_cb), &got);
  g_assert_true (gtk_widget_activate (retry));
  {
    guint timeout = g_timeout_add_seconds (TIMEOUT_SECONDS, timeout_cb, "the retry");

    while (got == 0)
      g_main_context_iteration (NULL, TRUE);
    g_source_remove (timeout);
  }
  g_assert_cmpint (got, ==, tern_message_get_id (failed));
}

/* ---- scrolling through a long chat --------------------------------------- */

/* How many rows the conversation's list view shows (its model). */
static guint
rows_shown (TernConversation *conversation)
{
  return g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (tern_conversation_get_list_view (conversation))));
}

/* Every built row shows the text of the message it is bound to (rows are
 * bound again cheaply when only their position changes). */
static void
assert_rows_match_messages (TernWindow *window)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  guint checked = 0;

  collect (GTK_WIDGET (tern_window_get_conversation (window)), TERN_TYPE_MESSAGE_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      TernMessage *message = tern_message_row_get_message (rows->pdata[i]);
      GtkWidget *item = gtk_widget_get_parent (rows->pdata[i]);

      if (message == NULL || item == NULL || !gtk_widget_get_mapped (rows->pdata[i]))
        continue;
      g_assert_cmpstr (tern_message_row_get_body (rows->pdata[i]), ==, tern_message_get_text (message));
      checked++;
    }
  g_assert_cmpuint (checked, >, 3);
}

/* New rows are bound hidden and shown once the list view has placed them
 * (so a row added above others does not restyle every row after it): no
 * row may stay hidden, and each row in the list view's range of the model
 * has been given its message. */
static void
assert_no_row_hidden (TernConversation *conversation)
{
  GtkWidget *list = GTK_WIDGET (tern_conversation_get_list_view (conversation));
  guint items = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (list);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = gtk_widget_get_first_child (child);

      if (row == NULL || !TERN_IS_MESSAGE_ROW (row))
        continue;
      items++;
      g_assert_true (gtk_widget_get_visible (child));
      g_assert_nonnull (tern_message_row_get_message (TERN_MESSAGE_ROW (row)));
    }
  g_assert_cmpuint (items, >, 0);
}

/* Scrolling up hides rows far below the view, so each older row added does
 * not restyle a long list; a message arriving meanwhile stays hidden below;
 * scrolling down brings the rows back and follows the newest again; a jump
 * to an old message and back to the newest works. */
static void
test_scroll_window (Fixture       *f,
                    gconstpointer  user_data)
{
  TernConversation *conversation = tern_window_get_conversation (f->window);
  GtkAdjustment *adj = tern_conversation_get_vadjustment (conversation);
  TernMessageList *messages;
  guint max_shown = 0, loaded;
  gint64 oldest;

  activate_chat_in (f->window, f->bob_chat, 3);
  messages = tern_conversation_get_message_list (conversation);
  assert_at_bottom (conversation);
  save_screenshot_strict (GTK_WIDGET (f->window), "conversation-window-before");

  /* Up, 60 px a frame, until three windows are loaded. */
  for (guint i = 0; i < 2000 && g_list_model_get_n_items (G_LIST_MODEL (messages)) < 3 * TERN_MESSAGE_LIST_WINDOW; i++)
    {
      gtk_adjustment_set_value (adj, MAX (0, gtk_adjustment_get_value (adj) - 60));
      wait_frames (GTK_WIDGET (f->window), 1);
      max_shown = MAX (max_shown, rows_shown (conversation));
      assert_no_row_hidden (conversation);
    }
  loaded = g_list_model_get_n_items (G_LIST_MODEL (messages));
  g_test_message ("scrolled up: %u rows loaded, %u shown (at most %u), value %.0f of %.0f", loaded,
                  rows_shown (conversation), max_shown, gtk_adjustment_get_value (adj),
                  gtk_adjustment_get_upper (adj));
  g_assert_cmpuint (loaded, >=, 3 * TERN_MESSAGE_LIST_WINDOW);
  /* Far fewer rows in the view than loaded: the newest are hidden. */
  g_assert_cmpuint (max_shown, <=, 100);
  g_assert_cmpuint (rows_shown (conversation), <, loaded - TERN_MESSAGE_LIST_WINDOW);
  g_assert_null (message_row_with_body (f->window, "And I'll bring coffee."));
  g_assert_false (tern_conversation_get_at_bottom (conversation));
  assert_rows_match_messages (f->window);
  save_screenshot_strict (GTK_WIDGET (f->window), "conversation-window-up");

  /* A new message while scrolled up: loaded, hidden below, and the rows in
   * view stay in view. */
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    g_autoptr(GPtrArray) rows = g_ptr_array_new ();
    g_autofree char *in_view = NULL;

    collect (GTK_WIDGET (conversation), TERN_TYPE_MESSAGE_ROW, rows);
    for (guint i = 0; i < rows->len && in_view == NULL; i++)
      {
        graphene_point_t top;

        if (gtk_widget_get_mapped (rows->pdata[i]) &&
            gtk_widget_compute_point (rows->pdata[i], GTK_WIDGET (tern_conversation_get_list_view (conversation)),
                                      &GRAPHENE_POINT_INIT (0, 0), &top) &&
            top.y > 100 && top.y < gtk_adjustment_get_page_size (adj) - 100)
          in_view = g_strdup (tern_message_row_get_body (rows->pdata[i]));
      }
    g_assert_nonnull (in_view);

    add_message (f, batch, f->bob_chat, f->bob, "bob@example.test", "Still there?",
                 g_get_real_time () / G_USEC_PER_SEC, 0);
    store_commit (f->store, batch);
    wait_frames (GTK_WIDGET (f->window), 3);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (messages)), ==, loaded + 1);
    g_assert_null (message_row_with_body (f->window, "Still there?"));
    g_assert_false (tern_conversation_get_at_bottom (conversation));
    g_assert_nonnull (message_row_with_body (f->window, in_view));
    g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (message_row_with_body (f->window, in_view))));
  }

  /* Down again, 120 px a frame, until the newest message is reached: the
   * hidden rows come back, rows far above are hidden, the view follows
   * the newest message again. */
  max_shown = 0;
  for (guint i = 0; i < 2000 && !tern_conversation_get_at_bottom (conversation); i++)
    {
      gtk_adjustment_set_value (adj, gtk_adjustment_get_value (adj) + 120);
      wait_frames (GTK_WIDGET (f->window), 1);
      max_shown = MAX (max_shown, rows_shown (conversation));
      assert_no_row_hidden (conversation);
    }
  /* The last step to the very end (within 8 px counts as at the bottom). */
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
  wait_frames (GTK_WIDGET (f->window), 3);
  g_test_message ("scrolled down: %u shown (at most %u)", rows_shown (conversation), max_shown);
  assert_at_bottom (conversation);
  g_assert_cmpuint (max_shown, <=, 100);
  g_assert_nonnull (message_row_with_body (f->window, "And I'll bring coffee."));
  g_assert_nonnull (message_row_with_body (f->window, "Still there?"));
  assert_rows_match_messages (f->window);
  save_screenshot_strict (GTK_WIDGET (f->window), "conversation-window-down");

  /* A message arriving now shows and is followed. */
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);

    add_message (f, batch, f->bob_chat, f->bob, "bob@example.test", "Good, see you.",
                 g_get_real_time () / G_USEC_PER_SEC, 0);
    store_commit (f->store, batch);
    wait_frames (GTK_WIDGET (f->window), 4);
    assert_at_bottom (conversation);
    g_assert_nonnull (message_row_with_body (f->window, "Good, see you."));
  }

  /* Jump to the oldest message (not loaded) and back to the newest. */
  {
    TernMessage *first;

    while (tern_message_list_get_has_more (messages))
      tern_message_list_load_older (messages, 0);
    first = g_list_model_get_item (G_LIST_MODEL (messages), 0);
    oldest = tern_message_get_id (first);
    g_assert_cmpstr (tern_message_get_text (first), ==, "Message number 0 about the shed");
    g_object_unref (first);
  }
  g_assert_true (tern_conversation_scroll_to_message (conversation, oldest));
  for (guint i = 0; i < 120 && message_row_with_body (f->window, "Message number 0 about the shed") == NULL; i++)
    wait_frames (GTK_WIDGET (f->window), 1);
  wait_frames (GTK_WIDGET (f->window), 5);
  g_assert_nonnull (message_row_with_body (f->window, "Message number 0 about the shed"));
  g_assert_false (tern_conversation_get_at_bottom (conversation));
  /* Rows the list view built as its anchor moved, outside any change of
   * its model, are shown too. */
  assert_no_row_hidden (conversation);
  tern_conversation_follow_newest (conversation);
  for (guint i = 0; i < 120 && !tern_conversation_get_at_bottom (conversation); i++)
    wait_frames (GTK_WIDGET (f->window), 1);
  wait_frames (GTK_WIDGET (f->window), 10);
  assert_at_bottom (conversation);
  g_assert_nonnull (message_row_with_body (f->window, "Good, see you."));
  assert_rows_match_messages (f->window);
  assert_no_row_hidden (conversation);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (!ui_test_init (&argc, &argv, "test-conversation"))
    return 1;

  app = ui_test_app_new ();

  g_test_add_func ("/ui/conversation/markup", test_markup);
  g_test_add ("/ui/conversation/chat-list", Fixture, NULL,
              fixture_set_up, test_chat_list, fixture_tear_down);
  g_test_add ("/ui/conversation/messages", Fixture, NULL,
              fixture_set_up, test_conversation, fixture_tear_down);
  g_test_add ("/ui/conversation/group", Fixture, NULL,
              fixture_set_up, test_group, fixture_tear_down);
  g_test_add ("/ui/conversation/keyboard-search-draft", Fixture, NULL,
              fixture_set_up, test_keyboard_search_draft, fixture_tear_down);
  g_test_add ("/ui/conversation/failed", Fixture, NULL,
              fixture_set_up, test_failed, fixture_tear_down);
  g_test_add ("/ui/conversation/scroll-window", Fixture, NULL,
              fixture_set_up, test_scroll_window, fixture_tear_down);
  g_test_add ("/ui/conversation/narrow", Fixture, "narrow",
              fixture_set_up, test_narrow, fixture_tear_down);

  ret = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  return ret;
}
