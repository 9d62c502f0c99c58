/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui-test"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "tern-application.h"
#include "tern-chat-list.h"
#include "tern-conversation.h"
#include "tern-message-media.h"
#include "tern-message-row.h"
#include "tern-pinned-banner.h"
#include "tern-window.h"

/* The parts of the conversation only some messages have, in the real
 * window over a store this test fills (no engine, no network), under Xvfb,
 * with screenshots: a reply's quote and the jump to the replied message,
 * a mention of the user, the folded quote of a classic mail, the edit
 * history, the pinned message banner, a failed message with the reason
 * stored with it, and a short chat sitting at the bottom. */

#define TIMEOUT_SECONDS 20

#include "ui-test-util.h"
#define FILLER 80

static TernApplication *app;

typedef struct
{
  char         *dir;
  TernStore    *store;
  gint64        account;
  gint64        group_chat, short_chat;
  gint64        rope;          /* the message replied to, far up */
  gint64        pinned;
  TernChatList *chats;
  TernWindow   *window;
  guint         serial;
} Fixture;

/* ---- the fixture store --------------------------------------------------- */

static gint64
add (Fixture                *f,
     TernStoreBatch         *batch,
     gint64                  chat,
     gint64                  sender,      /* 0 = outgoing */
     const char             *address,
     const char             *text,
     gint64                  time,
     TernStoreMessageRow    *extra,
     char                  **message_id)
{
  g_autofree char *mid = g_strdup_printf ("c%u@example.test", ++f->serial);
  TernStoreMessageRow row = { 0 };

  if (extra != NULL)
    row = *extra;
  row.account_id = f->account;
  row.chat_id = chat;
  row.message_id = mid;
  row.text = (char *) text;
  row.sent_time = time;
  row.received_time = time;
  row.seen = TRUE;
  row.outgoing = sender == 0;
  row.sender_contact_id = sender;
  row.sender_address = sender == 0 ? NULL : (char *) address;
  if (row.kind == 0)
    row.kind = TERN_STORE_MESSAGE_KIND_TEXT;
  if (sender == 0 && row.state == 0)
    row.state = TERN_STORE_STATE_SENT;
  if (message_id != NULL)
    *message_id = g_strdup (mid);
  return tern_store_batch_add_message (batch, &row, 0, 0);
}

static void
fill_store (Fixture *f)
{
  g_autoptr(TernStoreBatch) batch = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 bob, carol, dave, rope, pinned, group, direct;
  g_autofree char *rope_id = NULL;
  g_autofree char *edited_id = NULL;

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
  group = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_GROUP,
                                        "group-climb-0001", "Climbers", 0);
  direct = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_DIRECT,
                                         "carol@example.test", "Carol Danvers", carol);

  /* Far up (not in the first window of rows): the message replied to. */
  rope = add (f, batch, group, bob, "bob@example.test", "The rope is in the van.\nThe blue one.",
              now - 3 * 86400, NULL, &rope_id);
  for (guint i = 0; i < FILLER; i++)
    {
      g_autofree char *text = g_strdup_printf ("Filler %u about the weather", i);

      add (f, batch, group, i % 2 ? carol : dave, i % 2 ? "carol@example.test" : "dave@example.test",
           text, now - 3 * 86400 + 60 + i * 60, NULL, NULL);
    }
  /* Pinned without timeout, also far up. */
  {
    TernStoreMessageRow extra = { 0 };

    extra.pinned_until = G_MAXINT64;
    pinned = add (f, batch, group, bob, "bob@example.test", "Meeting point: the north car park",
                  now - 2 * 86400, &extra, NULL);
  }
  for (guint i = 0; i < FILLER; i++)
    {
      g_autofree char *text = g_strdup_printf ("More filler %u", i);

      add (f, batch, group, carol, "carol@example.test", text, now - 2 * 86400 + 60 + i * 60,
           NULL, NULL);
    }
  /* A reply that mentions the user, a classic mail with a quote and a
   * signature, one of the user's messages edited, one failed. */
  {
    TernStoreMessageRow extra = { 0 };

    extra.reply_to = rope_id;
    extra.mentions_me = TRUE;
    add (f, batch, group, carol, "carol@example.test",
         "@\"Me Myself\":me@example.test can you bring it?", now - 3600, &extra, NULL);
  }
  {
    TernStoreMessageRow extra = { 0 };

    extra.kind = TERN_STORE_MESSAGE_KIND_CLASSIC;
    extra.quote = (char *) "> On Monday Bob wrote:\n> Who brings the rope?\n-- \nDave Lister\nMountain Guide";
    add (f, batch, group, dave, "dave@example.test", "Thanks for the invite, I am in.",
         now - 3000, &extra, NULL);
  }
  add (f, batch, group, 0, NULL, "See you at 7", now - 2400, NULL, &edited_id);
  {
    TernStoreMessageRow extra = { 0 };

    extra.state = TERN_STORE_STATE_FAILED;
    extra.failure_reason = (char *) "554 5.7.1 Relay access denied";
    add (f, batch, group, 0, NULL, "Bringing snacks", now - 1200, &extra, NULL);
  }
  add (f, batch, direct, carol, "carol@example.test", "Lunch tomorrow?", now - 500, NULL, NULL);
  {
    TernStoreMessageRow extra = { 0 };

    extra.kind = TERN_STORE_MESSAGE_KIND_LOCATION;
    extra.has_location = TRUE;
    extra.latitude = 46.5475;
    extra.longitude = 7.9853;
    add (f, batch, direct, carol, "carol@example.test", "The place", now - 450, &extra, NULL);
  }
  add (f, batch, direct, 0, NULL, "Sure, at noon. I will book the table by the window if they "
       "still have it, and tell Bob and Dave to meet us there a bit earlier.", now - 420, NULL, NULL);
  add (f, batch, direct, 0, NULL, "Sure, at noon", now - 400, NULL, NULL);
  store_commit (f->store, batch);
  f->rope = tern_store_batch_get_id (batch, rope);
  f->pinned = tern_store_batch_get_id (batch, pinned);
  f->group_chat = tern_store_batch_get_id (batch, group);
  f->short_chat = tern_store_batch_get_id (batch, direct);

  batch = tern_store_begin_batch (f->store);
  tern_store_batch_edit_message (batch, f->account, edited_id, "edit1@example.test",
                                 "See you at 8", now - 2000);
  store_commit (f->store, batch);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("tern-ui-test-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = tern_store_open (f->dir, &error);
  g_assert_no_error (error);
  fill_store (f);
  f->chats = tern_chat_list_new (f->store, f->account, TERN_STORE_CHAT_FILTER_ACTIVE);

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      g_strcmp0 (user_data, "dark") == 0
                                        ? ADW_COLOR_SCHEME_FORCE_DARK
                                        : ADW_COLOR_SCHEME_FORCE_LIGHT);
  f->window = tern_window_new (app);
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 960, 680);
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


/* Whether @widget lies wholly inside the conversation's scrolled view. */
static gboolean
in_view (Fixture   *f,
         GtkWidget *widget)
{
  TernConversation *conversation = tern_window_get_conversation (f->window);
  GtkWidget *view = GTK_WIDGET (tern_conversation_get_list_view (conversation));
  GtkWidget *scroll = gtk_widget_get_parent (view);
  graphene_rect_t bounds;

  if (widget == NULL || !gtk_widget_get_mapped (widget) ||
      !gtk_widget_compute_bounds (widget, scroll, &bounds))
    return FALSE;
  return bounds.origin.y >= -1 && bounds.origin.y + bounds.size.height <= gtk_widget_get_height (scroll) + 1;
}

static void
wait_in_view (Fixture    *f,
              const char *body)
{
  for (guint i = 0; i < 90 && !in_view (f, GTK_WIDGET (message_row_with_body (f->window, body))); i++)
    wait_for_frame (GTK_WIDGET (f->window));
  g_assert_true (in_view (f, GTK_WIDGET (message_row_with_body (f->window, body))));
}

static void
find_labels (GtkWidget  *widget,
             const char *text,
             GPtrArray  *found)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    g_ptr_array_add (found, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    find_labels (c, text, found);
}

static gboolean
has_label (GtkWidget  *widget,
           const char *text)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  find_labels (widget, text, found);
  return found->len > 0;
}

/* ---- cases --------------------------------------------------------------- */

static void
test_reply_and_mention (Fixture       *f,
                        gconstpointer  user_data)
{
  TernConversation *conversation = tern_window_get_conversation (f->window);
  TernMessageList *messages;
  TernMessageRow *row;
  GtkWidget *quote;

  activate_chat_in (f->window, f->group_chat, 6);
  messages = tern_conversation_get_message_list (conversation);
  /* The replied message is not loaded yet. */
  g_assert_cmpint (tern_message_list_find (messages, f->rope), <, 0);

  /* The mention shows as the name only, and the bubble is highlighted. */
  row = message_row_with_body (f->window, "@Me Myself can you bring it?");
  g_assert_nonnull (row);
  g_assert_true (tern_message_row_get_mentions_me (row));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "mention"));
  g_assert_null (message_row_with_body (f->window, "@\"Me Myself\":me@example.test can you bring it?"));
  /* Others' messages do not have the mention style. */
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (message_row_with_body (f->window, "Thanks for the invite, I am in.")),
                                            "mention"));

  /* The quote: who wrote the replied message and its first line. */
  quote = tern_message_row_get_reply_quote (row);
  g_assert_nonnull (quote);
  g_assert_true (has_label (quote, "Bob Builder"));
  g_assert_true (has_label (quote, "The rope is in the van."));
  g_assert_null (tern_message_row_get_reply_quote (message_row_with_body (f->window, "Thanks for the invite, I am in.")));
  save_screenshot_strict (GTK_WIDGET (f->window), "conv-reply-mention");

  /* Clicking it loads older rows and brings the replied message into view. */
  g_signal_emit_by_name (quote, "clicked");
  g_assert_cmpint (tern_message_list_find (messages, f->rope), >=, 0);
  wait_in_view (f, "The rope is in the van.\nThe blue one.");
  g_assert_false (tern_conversation_get_at_bottom (conversation));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (message_row_with_body (f->window, "The rope is in the van.\nThe blue one.")),
                                           "highlighted"));
  wait_frames (GTK_WIDGET (f->window), 2);
  save_screenshot_strict (GTK_WIDGET (f->window), "conv-reply-jumped");
}

static void
test_folded_quote (Fixture       *f,
                   gconstpointer  user_data)
{
  TernMessageRow *row;
  GtkWidget *button;

  activate_chat_in (f->window, f->group_chat, 6);
  row = message_row_with_body (f->window, "Thanks for the invite, I am in.");
  g_assert_nonnull (row);
  button = tern_message_row_get_full_button (row);
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "Show Full Message");
  g_assert_false (tern_message_row_get_expanded (row));
  g_assert_false (has_label (GTK_WIDGET (row), "> On Monday Bob wrote:\n> Who brings the rope?\n-- \nDave Lister\nMountain Guide"));
  /* Messages without a quote have no button. */
  g_assert_null (tern_message_row_get_full_button (message_row_with_body (f->window, "Bringing snacks")));

  g_signal_emit_by_name (button, "clicked");
  wait_frames (GTK_WIDGET (f->window), 2);
  g_assert_true (tern_message_row_get_expanded (row));
  g_assert_true (has_label (GTK_WIDGET (row), "> On Monday Bob wrote:\n> Who brings the rope?\n-- \nDave Lister\nMountain Guide"));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "Hide Quoted Text");
  save_screenshot_strict (GTK_WIDGET (f->window), "conv-full-message");

  g_signal_emit_by_name (button, "clicked");
  g_assert_false (tern_message_row_get_expanded (row));
}

static void
test_edit_history (Fixture       *f,
                   gconstpointer  user_data)
{
  TernMessageRow *row;
  GtkWidget *popover;

  activate_chat_in (f->window, f->group_chat, 6);
  row = message_row_with_body (f->window, "See you at 8");
  g_assert_nonnull (row);
  g_assert_true (tern_message_row_get_edited (row));
  g_assert_nonnull (tern_message_row_get_edited_button (row));
  g_assert_null (tern_message_row_get_edited_button (message_row_with_body (f->window, "Bringing snacks")));

  popover = tern_message_row_show_history (row);
  g_assert_nonnull (popover);
  wait_frames (GTK_WIDGET (f->window), 3);
  g_assert_true (gtk_widget_get_mapped (popover));
  /* The earlier text, read from the store's edit history. */
  g_assert_true (has_label (popover, "See you at 7"));
  g_assert_false (has_label (popover, "No earlier versions are stored."));
  save_screenshot_strict (GTK_WIDGET (f->window), "conv-edit-history");
  gtk_popover_popdown (GTK_POPOVER (popover));
  wait_frames (GTK_WIDGET (f->window), 2);
}

static gboolean
banner_shows_pinned (gpointer data)
{
  Fixture *f = data;
  TernConversation *conversation = tern_window_get_conversation (f->window);
  TernPinnedBanner *banner = TERN_PINNED_BANNER (tern_conversation_get_pinned_banner (conversation));
  TernMessage *pinned = tern_conversation_get_pinned_message (conversation);

  return !tern_pinned_banner_get_busy (banner) && pinned != NULL &&
         tern_message_get_id (pinned) == f->pinned;
}

static gboolean
banner_settled (gpointer data)
{
  return !tern_pinned_banner_get_busy (data);
}

static void
test_pinned (Fixture       *f,
             gconstpointer  user_data)
{
  TernConversation *conversation = tern_window_get_conversation (f->window);
  GtkWidget *banner = tern_conversation_get_pinned_banner (conversation);

  /* The pinned message is far up, not loaded: the banner reads it from
   * the store. */
  activate_chat_in (f->window, f->group_chat, 6);
  wait_for (banner_shows_pinned, f, "the pinned message in the banner");
  g_assert_null (message_row_with_body (f->window, "Meeting point: the north car park"));
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (gtk_widget_get_first_child (banner))));
  g_assert_true (has_label (banner, "Meeting point: the north car park"));
  g_assert_true (has_label (banner, "Bob Builder"));
  wait_frames (GTK_WIDGET (f->window), 10);
  save_screenshot_strict (GTK_WIDGET (f->window), "conv-pinned-banner");

  /* Clicking the banner jumps to the message. */
  tern_conversation_activate_pinned (conversation);
  wait_in_view (f, "Meeting point: the north car park");

  /* Closing it unpins on this device (stored): the banner goes, the
   * message stays. */
  tern_conversation_close_pinned (conversation);
  g_assert_null (tern_conversation_get_pinned_message (conversation));
  wait_for (banner_settled, banner, "the unpin");
  g_assert_null (tern_conversation_get_pinned_message (conversation));
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (gtk_widget_get_first_child (banner))));
  g_assert_nonnull (message_row_with_body (f->window, "Meeting point: the north car park"));
  {
    g_autoptr(TernStoreMessageRow) row = tern_store_get_message (f->store, f->pinned, NULL);

    g_assert_cmpint (row->pinned_until, ==, 0);
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
test_failed_reason (Fixture       *f,
                    gconstpointer  user_data)
{
  TernConversation *conversation = tern_window_get_conversation (f->window);
  TernMessageRow *row;
  GtkWidget *retry;
  gint64 got = 0;

  activate_chat_in (f->window, f->group_chat, 6);
  row = message_row_with_body (f->window, "Bringing snacks");
  g_assert_nonnull (row);
  g_assert_cmpint (tern_message_row_get_state (row), ==, TERN_MESSAGE_ROW_STATE_FAILED);
  /* The reason stored with the message (from an earlier run). */
  g_assert_cmpstr (tern_message_row_get_failure_text (row), ==, "554 5.7.1 Relay access denied");
  g_assert_null (tern_message_row_get_failure_text (message_row_with_body (f->window, "See you at 8")));
  retry = tern_message_row_get_retry_button (row);
  g_assert_nonnull (retry);
  save_screenshot_strict (GTK_WIDGET (f->window), "conv-failed-reason");
  g_signal_connect (conversation, "retry", G_CALLBACK (retry_cb), &got);
  g_signal_emit_by_name (retry, "clicked");
  flush ();
  g_assert_cmpint (got, ==, tern_message_get_id (tern_message_row_get_message (row)));
}

static void
test_short_chat_bottom (Fixture       *f,
                        gconstpointer  user_data)
{
  TernConversation *conversation = tern_window_get_conversation (f->window);
  GtkWidget *view = GTK_WIDGET (tern_conversation_get_list_view (conversation));
  GtkWidget *scroll = gtk_widget_get_parent (view);
  TernMessageRow *first, *last;
  graphene_rect_t a, b;

  activate_chat_in (f->window, f->short_chat, 6);
  first = message_row_with_body (f->window, "Lunch tomorrow?");
  last = message_row_with_body (f->window, "Sure, at noon");
  g_assert_nonnull (first);
  g_assert_nonnull (last);
  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (first), scroll, &a));
  g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (last), scroll, &b));
  g_test_message ("first row at %.0f, last row ends at %.0f of %d", a.origin.y,
                  b.origin.y + b.size.height, gtk_widget_get_height (scroll));
  /* The newest message just above the composer, empty room above the first. */
  g_assert_cmpfloat (b.origin.y + b.size.height, >=, gtk_widget_get_height (scroll) - 2);
  g_assert_cmpfloat (b.origin.y + b.size.height, <=, gtk_widget_get_height (scroll) + 1);
  g_assert_cmpfloat (a.origin.y, >, 100);
  save_screenshot_strict (GTK_WIDGET (f->window), "conv-short-chat");

  /* The location message embeds the media widget; text-only rows have none. */
  {
    g_autoptr(GPtrArray) media = g_ptr_array_new ();

    collect (GTK_WIDGET (message_row_with_body (f->window, "The place")), TERN_TYPE_MESSAGE_MEDIA, media);
    g_assert_cmpuint (media->len, ==, 1);
    g_assert_cmpint (gtk_widget_get_height (media->pdata[0]), >, 0);
    g_ptr_array_set_size (media, 0);
    collect (GTK_WIDGET (first), TERN_TYPE_MESSAGE_MEDIA, media);
    g_assert_cmpuint (media->len, ==, 0);
  }
}

static void
test_mention_strip (void)
{
  struct { const char *in, *out; } cases[] = {
    { "@\"Gabe Lastname\":gabe+private@example.com hi", "@Gabe Lastname hi" },
    { "@Gabe:gabe+private@example.com, see this", "@Gabe, see this" },
    { "mail me at gabe@example.com", "mail me at gabe@example.com" },
    { "@all come here", "@all come here" },
    { "no mention", "no mention" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = tern_message_body_strip_mentions (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
  {
    g_autofree char *line = tern_message_first_line ("\n\n  First line  \nsecond", 100);
    g_autofree char *cut = tern_message_first_line ("abcdefghij", 4);

    g_assert_cmpstr (line, ==, "First line");
    g_assert_cmpstr (cut, ==, "abcd…");
  }
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (!ui_test_init (&argc, &argv, "test-conv-features"))
    return 1;

  app = ui_test_app_new ();

  g_test_add_func ("/ui/conv/mention-strip", test_mention_strip);
  g_test_add ("/ui/conv/reply-and-mention", Fixture, NULL,
              fixture_set_up, test_reply_and_mention, fixture_tear_down);
  g_test_add ("/ui/conv/folded-quote", Fixture, NULL,
              fixture_set_up, test_folded_quote, fixture_tear_down);
  g_test_add ("/ui/conv/edit-history", Fixture, "dark",
              fixture_set_up, test_edit_history, fixture_tear_down);
  g_test_add ("/ui/conv/pinned", Fixture, NULL,
              fixture_set_up, test_pinned, fixture_tear_down);
  g_test_add ("/ui/conv/failed-reason", Fixture, NULL,
              fixture_set_up, test_failed_reason, fixture_tear_down);
  g_test_add ("/ui/conv/short-chat-bottom", Fixture, NULL,
              fixture_set_up, test_short_chat_bottom, fixture_tear_down);

  ret = g_test_run ();
  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  return ret;
}
