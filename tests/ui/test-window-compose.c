/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui-test"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "tern-account.h"
#include "tern-application.h"
#include "tern-chat-list.h"
#include "tern-chat-row.h"
#include "tern-composer.h"
#include "tern-context.h"
#include "tern-conversation.h"
#include "tern-message-row.h"
#include "tern-new-chat-dialog.h"
#include "tern-search.h"
#include "tern-window.h"

/* The window's search, composer (files, drops, paste, mentions, Escape) and
 * new-chat dialog, on a real TernContext over a store this test fills (the
 * account is never started: sends stay in the store's outbox), under Xvfb,
 * with screenshots. */

#define TIMEOUT_SECONDS 20

#include "ui-test-util.h"
#define BOB_MESSAGES 300
#define ZEBRA_INDEX 5

static TernApplication *app;

typedef struct
{
  char         *dir;
  TernContext  *context;
  TernStore    *store;
  gint64        account;
  gint64        bob_chat, hike_chat;
  TernWindow   *window;
  guint         serial;
  /* "two-accounts": a second account with two contacts and a chat */
  gboolean      two_accounts;
  gint64        account2;
  gint64        erin_chat;
} Fixture;

static GtkWidget *
find_by_css (GtkWidget  *widget,
             GType       type,
             const char *css_class)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      (css_class == NULL || gtk_widget_has_css_class (widget, css_class)))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_css (child, type, css_class);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static TernComposer *
composer_of (Fixture *f)
{
  return tern_conversation_get_composer (tern_window_get_conversation (f->window));
}

static GtkTextView *
text_view_of (Fixture *f)
{
  return GTK_TEXT_VIEW (template_child (composer_of (f), TERN_TYPE_COMPOSER, "text_view"));
}

static GtkEventController *
composer_keys (Fixture *f)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (text_view_of (f)));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (g_strcmp0 (gtk_event_controller_get_name (controller), "tern-composer-keys") == 0)
        return controller;
    }
  g_assert_not_reached ();
  return NULL;
}

static gboolean
press_key (Fixture *f,
           guint    keyval)
{
  gboolean handled = FALSE;

  g_signal_emit_by_name (composer_keys (f), "key-pressed", keyval, 0, 0, &handled);
  return handled;
}

static char *
write_file (Fixture    *f,
            const char *name,
            const char *contents)
{
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

/* The newest message row of @chat in the store. */
static TernStoreMessageRow *
newest_message (Fixture *f,
                gint64   chat)
{
  g_autoptr(GPtrArray) rows = tern_store_get_messages (f->store, chat, NULL, 1, NULL);

  if (rows == NULL || rows->len == 0)
    return NULL;
  return tern_store_message_row_copy (rows->pdata[0]);
}

/* ---- the fixture: a context over a store with an account ----------------- */

static gint64
add_message (Fixture        *f,
             TernStoreBatch *batch,
             gint64          chat,
             gint64          sender,      /* 0 = outgoing */
             const char     *address,
             const char     *text,
             gint64          time)
{
  g_autofree char *mid = g_strdup_printf ("w%u@example.test", ++f->serial);
  TernStoreMessageRow row = { 0 };

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
  row.kind = TERN_STORE_MESSAGE_KIND_TEXT;
  row.state = sender == 0 ? TERN_STORE_STATE_READ : TERN_STORE_STATE_NONE;
  return tern_store_batch_add_message (batch, &row, 0, 0);
}

static void
fill_store (Fixture   *f,
            TernStore *store)
{
  g_autoptr(TernStoreBatch) batch = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 bob, carol, dave, bob_chat, hike;

  {
    g_autoptr(TernStoreBatch) account_batch = tern_store_begin_batch (store);
    TernStoreAccountRow row = { 0 };
    gint64 ref;

    row.address = (char *) "me@example.test";
    row.display_name = (char *) "Me";
    row.login = (char *) "me@example.test";
    /* Nothing listens there: the account is never started, and an outbox
     * run fails fast. */
    row.imap_host = (char *) "127.0.0.1";
    row.imap_port = 9;
    row.imap_security = TERN_STORE_SECURITY_PLAIN;
    row.smtp_host = (char *) "127.0.0.1";
    row.smtp_port = 9;
    row.smtp_security = TERN_STORE_SECURITY_PLAIN;
    row.enabled = TRUE;
    ref = tern_store_batch_add_account (account_batch, &row);
    g_assert_true (tern_store_commit (store, account_batch, &error));
    g_assert_no_error (error);
    f->account = tern_store_batch_get_id (account_batch, ref);
  }

  batch = tern_store_begin_batch (store);
  bob = tern_store_batch_ensure_contact (batch, f->account, "bob@example.test", "Bob Builder");
  carol = tern_store_batch_ensure_contact (batch, f->account, "carol@example.test", "Carol Danvers");
  dave = tern_store_batch_ensure_contact (batch, f->account, "dave@example.test", "Dave Lister");
  bob_chat = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_DIRECT,
                                           "bob@example.test", "Bob Builder", bob);
  hike = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_GROUP,
                                       "group-hike-0001", "Hiking Club", 0);
  tern_store_batch_set_chat_member (batch, hike, carol, TRUE);
  tern_store_batch_set_chat_member (batch, hike, dave, TRUE);

  for (guint i = 0; i < BOB_MESSAGES; i++)
    {
      g_autofree char *text = i == ZEBRA_INDEX
                              ? g_strdup ("Did you see the zebra at the shed?")
                              : g_strdup_printf ("Message number %u about the shed", i);

      add_message (f, batch, bob_chat, i % 3 ? bob : 0, "bob@example.test", text,
                   now - 10 * 86400 + (gint64) i * 600);
    }
  add_message (f, batch, hike, carol, "carol@example.test", "Who's in for the ridge walk?",
               now - 5000);
  add_message (f, batch, hike, 0, NULL, "Count me in.", now - 4700);
  g_assert_true (tern_store_commit (store, batch, &error));
  g_assert_no_error (error);

  f->bob_chat = tern_store_batch_get_id (batch, bob_chat);
  f->hike_chat = tern_store_batch_get_id (batch, hike);

  if (f->two_accounts)
    {
      g_autoptr(TernStoreBatch) account_batch = tern_store_begin_batch (store);
      g_autoptr(TernStoreBatch) second = NULL;
      TernStoreAccountRow row = { 0 };
      gint64 ref, erin, erin_chat;

      row.address = (char *) "me@work.example.org";
      row.display_name = (char *) "Me at Work";
      row.login = (char *) "me@work.example.org";
      row.imap_host = (char *) "127.0.0.1";
      row.imap_port = 9;
      row.imap_security = TERN_STORE_SECURITY_PLAIN;
      row.smtp_host = (char *) "127.0.0.1";
      row.smtp_port = 9;
      row.smtp_security = TERN_STORE_SECURITY_PLAIN;
      row.enabled = TRUE;
      ref = tern_store_batch_add_account (account_batch, &row);
      g_assert_true (tern_store_commit (store, account_batch, &error));
      g_assert_no_error (error);
      f->account2 = tern_store_batch_get_id (account_batch, ref);

      second = tern_store_begin_batch (store);
      erin = tern_store_batch_ensure_contact (second, f->account2, "erin@work.example.org", "Erin Hannon");
      tern_store_batch_ensure_contact (second, f->account2, "frank@work.example.org", "Frank Grimes");
      erin_chat = tern_store_batch_ensure_chat (second, f->account2, TERN_STORE_CHAT_KIND_DIRECT,
                                                "erin@work.example.org", "Erin Hannon", erin);
      {
        TernStoreMessageRow message = { 0 };

        message.account_id = f->account2;
        message.chat_id = erin_chat;
        message.message_id = (char *) "work1@work.example.org";
        message.text = (char *) "The quarterly report is ready";
        message.sent_time = message.received_time = now - 2000;
        message.seen = TRUE;
        message.sender_contact_id = erin;
        message.sender_address = (char *) "erin@work.example.org";
        message.kind = TERN_STORE_MESSAGE_KIND_TEXT;
        tern_store_batch_add_message (second, &message, 0, 0);
      }
      g_assert_true (tern_store_commit (store, second, &error));
      g_assert_no_error (error);
      f->erin_chat = tern_store_batch_get_id (second, erin_chat);
    }
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TernAccount) account = NULL;

  f->two_accounts = g_strcmp0 (user_data, "two-accounts") == 0;
  f->dir = g_dir_make_tmp ("tern-ui-compose-XXXXXX", &error);
  g_assert_no_error (error);
  {
    TernStore *store = tern_store_open (f->dir, &error);

    g_assert_no_error (error);
    fill_store (f, store);
    tern_store_close (store);
    flush ();
    g_assert_finalize_object (store);
  }

  f->context = tern_context_new (f->dir, &error);
  g_assert_no_error (error);
  f->store = tern_context_get_store (f->context);
  g_assert_cmpuint (g_list_model_get_n_items (tern_context_get_accounts (f->context)), ==,
                    f->two_accounts ? 2 : 1);
  for (guint i = 0; i < g_list_model_get_n_items (tern_context_get_accounts (f->context)); i++)
    {
      g_clear_object (&account);
      account = g_list_model_get_item (tern_context_get_accounts (f->context), i);
      tern_account_set_password_for_session (account, "not-used");
    }

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_LIGHT);
  f->window = tern_window_new (app);
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
  if (g_strcmp0 (user_data, "narrow") == 0)
    gtk_window_set_default_size (GTK_WINDOW (f->window), 360, 640);
  else
    gtk_window_set_default_size (GTK_WINDOW (f->window), 960, 680);
  if (g_strcmp0 (user_data, "dark") == 0)
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                        ADW_COLOR_SCHEME_FORCE_DARK);
  tern_window_set_context (f->window, f->context);
  g_assert_true (tern_window_get_has_account (f->window));
  gtk_window_present (GTK_WINDOW (f->window));
  wait_frames (GTK_WIDGET (f->window), 2);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  user_data)
{
  destroy_windows (&f->window);

  tern_context_stop_all (f->context);
  flush ();
  g_clear_object (&f->context);
  flush ();
  remove_tree (f->dir);
  g_free (f->dir);
}

static void
open_chat (Fixture *f,
           gint64   id)
{
  g_autoptr(TernStoreChatRow) row = tern_store_get_chat (f->store, id, NULL);
  g_autoptr(TernChat) chat = NULL;

  g_assert_nonnull (row);
  chat = tern_chat_new_from_row (f->store, row);
  tern_window_open_chat (f->window, chat);
  wait_frames (GTK_WIDGET (f->window), 3);
  g_assert_cmpint (tern_chat_get_id (tern_window_get_open_chat (f->window)), ==, id);
}

/* ---- search ---------------------------------------------------------------- */

typedef struct
{
  Fixture    *f;
  const char *body;
} RowWanted;

static gboolean
message_hits_shown (gpointer data)
{
  Fixture *f = data;
  GtkWidget *view = find_by_css (GTK_WIDGET (f->window), GTK_TYPE_LIST_VIEW, "message-results");

  return view != NULL && gtk_widget_get_mapped (view) &&
         g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (view)))) > 0;
}

static gboolean
row_in_view (gpointer data)
{
  RowWanted *wanted = data;
  TernConversation *conversation = tern_window_get_conversation (wanted->f->window);
  TernMessageRow *row = message_row_with_body (wanted->f->window, wanted->body);
  GtkWidget *list = GTK_WIDGET (tern_conversation_get_list_view (conversation));
  graphene_rect_t bounds;

  if (row == NULL ||
      !gtk_widget_compute_bounds (GTK_WIDGET (row), list, &bounds))
    return FALSE;
  return bounds.origin.y + bounds.size.height > 0 &&
         bounds.origin.y < gtk_widget_get_height (list);
}

static void
test_search (Fixture       *f,
             gconstpointer  user_data)
{
  GtkWidget *window = GTK_WIDGET (f->window);
  GtkEditable *search = GTK_EDITABLE (template_child (f->window, TERN_TYPE_WINDOW, "search_entry"));
  GtkListView *hits;
  g_autoptr(GObject) first = NULL;
  RowWanted wanted = { f, "Did you see the zebra at the shed?" };

  /* Ctrl+K's action opens the search; the word is only in an old message
   * of Bob's (not in the loaded window of his chat). */
  g_assert_true (gtk_widget_activate_action (window, "win.search", NULL));
  gtk_editable_set_text (search, "zebra");
  wait_for (message_hits_shown, f, "the message results");
  wait_frames (window, 2);
  hits = GTK_LIST_VIEW (find_by_css (window, GTK_TYPE_LIST_VIEW, "message-results"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (hits))), ==, 1);
  first = g_list_model_get_item (G_LIST_MODEL (gtk_list_view_get_model (hits)), 0);
  g_assert_nonnull (tern_search_result_get_message (TERN_SEARCH_RESULT (first)));
  g_assert_cmpint (tern_chat_get_id (tern_search_result_get_chat (TERN_SEARCH_RESULT (first))),
                   ==, f->bob_chat);
  /* No chat is called "zebra". */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (tern_window_get_chat_list_view (f->window)))),
                    ==, 0);
  save_screenshot_strict (window, "search-results");

  /* Activating the hit opens Bob's chat at that message. */
  g_signal_emit_by_name (hits, "activate", 0);
  g_assert_cmpint (tern_chat_get_id (tern_window_get_open_chat (f->window)), ==, f->bob_chat);
  wait_for (row_in_view, &wanted, "the found message in view");
  g_assert_cmpint (tern_message_list_find (tern_conversation_get_message_list (tern_window_get_conversation (f->window)),
                                           tern_message_get_id (tern_search_result_get_message (TERN_SEARCH_RESULT (first)))),
                   >=, 0);
  g_assert_false (tern_conversation_get_at_bottom (tern_window_get_conversation (f->window)));
  wait_frames (window, 2);
  g_assert_true (row_in_view (&wanted));
  save_screenshot_strict (window, "search-jump");

  /* A query that finds nothing hides the results; clearing shows all. */
  gtk_editable_set_text (search, "qwertyuiop");
  {
    guint timeout = g_timeout_add_seconds (TIMEOUT_SECONDS, timeout_cb, "no results");
    GtkWidget *results = gtk_widget_get_parent (gtk_widget_get_parent (GTK_WIDGET (hits)));

    while (gtk_widget_get_visible (results))
      g_main_context_iteration (NULL, TRUE);
    g_source_remove (timeout);
  }
  /* The snippet's match markers become bold, the rest is escaped. */
  {
    g_autofree char *markup = tern_window_snippet_to_markup ("a <b> \002zebra\003 & \002x");

    g_assert_cmpstr (markup, ==, "a &lt;b&gt; <b>zebra</b> &amp; <b>x</b>");
  }
}

/* Narrow (one pane) and dark: the results fill the list pane, and
 * activating one goes to the conversation pane. */
static void
test_search_narrow_dark (Fixture       *f,
                         gconstpointer  user_data)
{
  GtkWidget *window = GTK_WIDGET (f->window);
  GtkEditable *search = GTK_EDITABLE (template_child (f->window, TERN_TYPE_WINDOW, "search_entry"));
  AdwLeaflet *leaflet = ADW_LEAFLET (template_child (f->window, TERN_TYPE_WINDOW, "leaflet"));
  gboolean narrow = g_strcmp0 (user_data, "narrow") == 0;
  g_autofree char *name = g_strdup_printf ("search-%s", (const char *) user_data);
  g_autofree char *opened = g_strdup_printf ("search-%s-opened", (const char *) user_data);
  GtkListView *hits;
  RowWanted wanted = { f, "Did you see the zebra at the shed?" };

  g_assert_true (adw_leaflet_get_folded (leaflet) == narrow);
  g_assert_true (gtk_widget_activate_action (window, "win.search", NULL));
  gtk_editable_set_text (search, "zebra");
  wait_for (message_hits_shown, f, "the message results");
  wait_frames (window, 2);
  save_screenshot_strict (window, name);
  hits = GTK_LIST_VIEW (find_by_css (window, GTK_TYPE_LIST_VIEW, "message-results"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (hits))), ==, 1);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (hits))); i++)
    {
      g_autoptr(TernSearchResult) hit = g_list_model_get_item (G_LIST_MODEL (gtk_list_view_get_model (hits)), i);
      g_autoptr(TernSearchResult) zebra = NULL;

      g_assert_cmpint (tern_chat_get_id (tern_search_result_get_chat (hit)), ==, f->bob_chat);
      if (g_strcmp0 (tern_message_get_text (tern_search_result_get_message (hit)),
                     wanted.body) == 0)
        {
          /* Enter in the entry takes the first hit (no chat matched). */
          if (narrow)
            g_signal_emit_by_name (hits, "activate", i);
          else
            g_signal_emit_by_name (search, "activate");
          break;
        }
    }
  g_assert_cmpint (tern_chat_get_id (tern_window_get_open_chat (f->window)), ==, f->bob_chat);
  wait_for (row_in_view, &wanted, "the found message in view");
  if (narrow)
    g_assert_true (adw_leaflet_get_visible_child (leaflet) ==
                   template_child (f->window, TERN_TYPE_WINDOW, "content_pane"));
  wait_frames (window, 2);
  save_screenshot_strict (window, opened);
}

static GdkTexture *
red_texture (void)
{
  static guchar red[4 * 4 * 4];
  g_autoptr(GBytes) bytes = NULL;

  for (guint i = 0; i < sizeof red; i += 4)
    {
      red[i] = 0xe0;
      red[i + 1] = 0x1b;
      red[i + 2] = 0x24;
      red[i + 3] = 0xff;
    }
  bytes = g_bytes_new_static (red, sizeof red);

  return gdk_memory_texture_new (4, 4, GDK_MEMORY_R8G8B8A8, bytes, 16);
}

static gboolean
has_two_files (gpointer data)
{
  return tern_composer_get_n_files (data) == 2;
}

/* ---- files: the attach hook, chips, sending ------------------------------------ */

static gboolean
files_sent (gpointer data)
{
  Fixture *f = data;
  g_autoptr(TernStoreMessageRow) row = newest_message (f, f->bob_chat);

  return row != NULL && g_strcmp0 (row->text, "Here are the notes") == 0;
}

static void
test_attach_send (Fixture       *f,
                  gconstpointer  user_data)
{
  TernComposer *composer;
  g_autofree char *notes = write_file (f, "notes.txt", "Ladder, coffee, saw.\n");
  g_autofree char *plan = write_file (f, "plan.txt", "Saturday at ten.\n");
  g_autoptr(GFile) notes_file = g_file_new_for_path (notes);
  g_autoptr(GFile) plan_file = g_file_new_for_path (plan);
  g_autoptr(TernStoreMessageRow) sent = NULL;
  g_autoptr(GPtrArray) attachments = NULL;
  GtkWidget *chips;
  GtkWidget *remove = NULL;
  g_autofree char *pasted = NULL;

  open_chat (f, f->bob_chat);
  composer = composer_of (f);
  g_assert_false (tern_composer_get_can_send (composer));

  /* The hook the file chooser's answer goes through. */
  tern_composer_add_file (composer, notes_file);
  tern_composer_add_file (composer, plan_file);
  tern_composer_add_file (composer, notes_file);   /* once only */
  g_assert_cmpuint (tern_composer_get_n_files (composer), ==, 2);
  /* Files alone can be sent. */
  g_assert_true (tern_composer_get_can_send (composer));
  wait_frames (GTK_WIDGET (f->window), 2);
  chips = template_child (composer, TERN_TYPE_COMPOSER, "chips_box");
  g_assert_true (gtk_widget_get_mapped (chips));

  /* Each chip has a remove button named after its file. */
  for (GtkWidget *chip = gtk_widget_get_first_child (chips); chip;
       chip = gtk_widget_get_next_sibling (chip))
    {
      GtkWidget *button = find_by_css (chip, GTK_TYPE_BUTTON, NULL);

      g_assert_nonnull (button);
      g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (button),
                                                       GTK_ACCESSIBLE_PROPERTY_LABEL));
      if (g_strcmp0 (gtk_widget_get_tooltip_text (button), "Remove plan.txt") == 0)
        remove = button;
    }
  g_assert_nonnull (remove);
  save_screenshot_strict (GTK_WIDGET (f->window), "composer-chips");
  g_signal_emit_by_name (remove, "clicked");
  g_assert_cmpuint (tern_composer_get_n_files (composer), ==, 1);
  g_assert_true (g_file_equal (tern_composer_get_file (composer, 0), notes_file));

  /* A pasted image goes with it. */
  {
    g_autoptr(GdkTexture) texture = red_texture ();

    gdk_clipboard_set_texture (gtk_widget_get_clipboard (GTK_WIDGET (text_view_of (f))), texture);
    g_signal_emit_by_name (text_view_of (f), "paste-clipboard");
    wait_for (has_two_files, composer, "the pasted image");
    pasted = g_file_get_path (tern_composer_get_file (composer, 1));
    g_assert_true (g_file_test (pasted, G_FILE_TEST_EXISTS));
  }

  /* Sent with the text through the engine: the message is stored with the
   * files as its attachments, and the composer is empty again. */
  tern_composer_set_text (composer, "Here are the notes");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL));
  g_assert_cmpuint (tern_composer_get_n_files (composer), ==, 0);
  wait_for (files_sent, f, "the message with the file in the store");
  sent = newest_message (f, f->bob_chat);
  g_assert_true (sent->outgoing);
  g_assert_cmpint (sent->kind, ==, TERN_STORE_MESSAGE_KIND_MEDIA);
  attachments = tern_store_list_attachments (f->store, sent->id, NULL);
  g_assert_nonnull (attachments);
  g_assert_cmpuint (attachments->len, ==, 2);
  for (guint i = 0; i < attachments->len; i++)
    {
      TernStoreAttachmentRow *attachment = attachments->pdata[i];

      if (g_strcmp0 (attachment->name, "notes.txt") == 0)
        g_assert_cmpint (attachment->size, ==, strlen ("Ladder, coffee, saw.\n"));
      else
        {
          g_assert_cmpstr (attachment->name, ==, "Pasted image.png");
          g_assert_cmpstr (attachment->mime_type, ==, "image/png");
        }
    }
  /* The pasted image's temporary file is gone once the message is queued. */
  {
    guint timeout = g_timeout_add_seconds (TIMEOUT_SECONDS, timeout_cb, "the pasted file's removal");

    while (g_file_test (pasted, G_FILE_TEST_EXISTS))
      g_main_context_iteration (NULL, TRUE);
    g_source_remove (timeout);
  }
}

/* ---- drops and paste ------------------------------------------------------------- */

static gboolean
has_three_files (gpointer data)
{
  return tern_composer_get_n_files (data) == 3;
}

static gboolean
has_thumbnail (gpointer data)
{
  GtkWidget *picture = find_by_css (data, GTK_TYPE_IMAGE, "attachment-thumbnail");

  return picture != NULL && gtk_image_get_paintable (GTK_IMAGE (picture)) != NULL;
}

static gboolean
text_pasted (gpointer data)
{
  g_autofree char *text = tern_composer_dup_text (data);

  return strstr (text, "pasted words") != NULL;
}

static void
test_drop_paste (Fixture       *f,
                 gconstpointer  user_data)
{
  TernComposer *composer;
  GtkDropTarget *drop = tern_window_get_drop_target (f->window);
  g_autofree char *photo = write_file (f, "photo.txt", "not really a photo\n");
  g_autofree char *list_path = write_file (f, "list.txt", "eggs\n");
  g_autoptr(GFile) photo_file = g_file_new_for_path (photo);
  g_autoptr(GFile) list_file = g_file_new_for_path (list_path);
  GdkClipboard *clipboard;
  gboolean accepted = FALSE;
  g_autofree char *pasted_name = NULL;
  g_autofree char *pasted_path = NULL;

  open_chat (f, f->bob_chat);
  composer = composer_of (f);
  clipboard = gtk_widget_get_clipboard (GTK_WIDGET (text_view_of (f)));

  /* A file list dropped on the conversation (the controller's signal). */
  g_assert_nonnull (drop);
  g_assert_true (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (drop)) ==
                 GTK_WIDGET (tern_window_get_conversation (f->window)));
  /* Before the text view's own drop target (which would insert URIs). */
  g_assert_cmpint (gtk_event_controller_get_propagation_phase (GTK_EVENT_CONTROLLER (drop)), ==,
                   GTK_PHASE_CAPTURE);
  {
    GValue value = G_VALUE_INIT;
    GFile *files[] = { photo_file };

    g_value_init (&value, GDK_TYPE_FILE_LIST);
    g_value_take_boxed (&value, gdk_file_list_new_from_array (files, 1));
    g_signal_emit_by_name (drop, "drop", &value, 10.0, 10.0, &accepted);
    g_value_unset (&value);
  }
  g_assert_true (accepted);
  g_assert_cmpuint (tern_composer_get_n_files (composer), ==, 1);

  /* A pasted image is saved as a PNG and attached. */
  {
    g_autoptr(GdkTexture) texture = red_texture ();
    g_autoptr(GdkTexture) loaded = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *path = NULL;

    gdk_clipboard_set_texture (clipboard, texture);
    g_signal_emit_by_name (text_view_of (f), "paste-clipboard");
    wait_for (has_two_files, composer, "the pasted image");
    pasted_name = g_file_get_basename (tern_composer_get_file (composer, 1));
    g_assert_cmpstr (pasted_name, ==, "Pasted image.png");
    path = g_file_get_path (tern_composer_get_file (composer, 1));
    pasted_path = g_strdup (path);
    loaded = gdk_texture_new_from_filename (path, &error);
    g_assert_no_error (error);
    g_assert_cmpint (gdk_texture_get_width (loaded), ==, 4);
    /* Its chip gets a thumbnail. */
    wait_for (has_thumbnail, template_child (composer, TERN_TYPE_COMPOSER, "chips_box"),
              "the pasted image's thumbnail");
  }

  /* Copied files are attached, too. */
  {
    GFile *files[] = { list_file };
    GdkFileList *list = gdk_file_list_new_from_array (files, 1);

    gdk_clipboard_set (clipboard, GDK_TYPE_FILE_LIST, list);
    g_boxed_free (GDK_TYPE_FILE_LIST, list);
    g_signal_emit_by_name (text_view_of (f), "paste-clipboard");
    wait_for (has_three_files, composer, "the pasted file");
    g_assert_true (g_file_equal (tern_composer_get_file (composer, 2), list_file));
  }

  /* Text still pastes as text, into the entry. */
  gdk_clipboard_set_text (clipboard, "pasted words");
  g_signal_emit_by_name (text_view_of (f), "paste-clipboard");
  wait_for (text_pasted, composer, "the pasted text");
  g_assert_cmpuint (tern_composer_get_n_files (composer), ==, 3);
  wait_frames (GTK_WIDGET (f->window), 2);
  save_screenshot_strict (GTK_WIDGET (f->window), "composer-dropped-pasted");

  /* Switching chats drops the pending files, and the pasted image's file. */
  open_chat (f, f->hike_chat);
  g_assert_cmpuint (tern_composer_get_n_files (composer), ==, 0);
  g_assert_false (g_file_test (pasted_path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (photo, G_FILE_TEST_EXISTS));
}

/* ---- a draft keeps its mentions --------------------------------------------------- */

typedef struct
{
  Fixture    *f;
  gint64      chat;
  const char *draft;
} DraftWanted;

static gboolean
draft_stored (gpointer data)
{
  DraftWanted *wanted = data;
  g_autoptr(TernStoreChatRow) row = tern_store_get_chat (wanted->f->store, wanted->chat, NULL);

  return row != NULL && g_strcmp0 (row->draft, wanted->draft) == 0;
}

static gboolean
mention_sent_ridge (gpointer data)
{
  Fixture *f = data;
  g_autoptr(TernStoreMessageRow) row = newest_message (f, f->hike_chat);

  return row != NULL && row->outgoing && g_strcmp0 (row->text, "Count me in.") != 0;
}

#define CAROL_DRAFT "Hi @\"Carol Danvers\":carol@example.test, see you at the ridge"

/* A mention completed in a group's composer is kept in the chat's draft
 * with its address when another chat opens, shows as the name when the
 * chat opens again (also after a restart: a new context and window over
 * the same data directory) and is sent with its address. */
static void
test_draft_mention (Fixture       *f,
                    gconstpointer  user_data)
{
  TernComposer *composer;
  GtkTextBuffer *buffer;
  DraftWanted wanted = { f, f->hike_chat, CAROL_DRAFT };
  g_autoptr(TernStoreMessageRow) sent = NULL;
  g_autoptr(GError) error = NULL;

  open_chat (f, f->hike_chat);
  composer = composer_of (f);
  buffer = gtk_text_view_get_buffer (text_view_of (f));
  gtk_widget_grab_focus (GTK_WIDGET (text_view_of (f)));
  gtk_text_buffer_insert_at_cursor (buffer, "Hi @car", -1);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (tern_composer_get_mention_popover (composer))));
  g_assert_true (press_key (f, GDK_KEY_Return));
  {
    GtkTextIter end;

    /* "Hi @Carol Danvers " -> "Hi @Carol Danvers, see ..." */
    gtk_text_buffer_get_end_iter (buffer, &end);
    gtk_text_buffer_backspace (buffer, &end, FALSE, TRUE);
  }
  gtk_text_buffer_insert_at_cursor (buffer, ", see you at the ridge", -1);

  /* Another chat opens: the draft is stored with the address; the chat
   * list shows it with the name only. */
  open_chat (f, f->bob_chat);
  wait_for (draft_stored, &wanted, "the draft with the mention's address");
  wait_frames (GTK_WIDGET (f->window), 2);
  {
    g_autoptr(GPtrArray) rows = g_ptr_array_new ();
    gboolean seen = FALSE;

    collect (GTK_WIDGET (f->window), TERN_TYPE_CHAT_ROW, rows);
    for (guint i = 0; i < rows->len; i++)
      if (g_strcmp0 (tern_chat_row_get_preview (rows->pdata[i]),
                     "Draft: Hi @Carol Danvers, see you at the ridge") == 0)
        seen = TRUE;
    g_assert_true (seen);
  }
  {
    g_autofree char *shown = tern_composer_dup_shown_text (composer);

    g_assert_cmpstr (shown, ==, "");
  }

  /* Back: the mention shows as the name, and would be sent with its address. */
  open_chat (f, f->hike_chat);
  {
    g_autofree char *shown = tern_composer_dup_shown_text (composer);
    g_autofree char *to_send = tern_composer_dup_message_text (composer);

    g_assert_cmpstr (shown, ==, "Hi @Carol Danvers, see you at the ridge");
    g_assert_cmpstr (to_send, ==, CAROL_DRAFT);
  }
  /* No completion pops up for the restored mention. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (tern_composer_get_mention_popover (composer))));
  save_screenshot_strict (GTK_WIDGET (f->window), "draft-mention-restored");

  /* Switching back and forth leaves the stored draft as it is. */
  open_chat (f, f->bob_chat);
  flush ();
  g_assert_true (draft_stored (&wanted));

  /* Restart: a new context and window over the same directory. */
  destroy_windows (&f->window);
  tern_context_stop_all (f->context);
  flush ();
  g_clear_object (&f->context);
  flush ();
  f->context = tern_context_new (f->dir, &error);
  g_assert_no_error (error);
  f->store = tern_context_get_store (f->context);
  {
    g_autoptr(TernAccount) account = g_list_model_get_item (tern_context_get_accounts (f->context), 0);

    tern_account_set_password_for_session (account, "not-used");
  }
  f->window = tern_window_new (app);
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 960, 680);
  tern_window_set_context (f->window, f->context);
  gtk_window_present (GTK_WINDOW (f->window));
  wait_frames (GTK_WIDGET (f->window), 2);

  open_chat (f, f->hike_chat);
  composer = composer_of (f);
  {
    g_autofree char *shown = tern_composer_dup_shown_text (composer);

    g_assert_cmpstr (shown, ==, "Hi @Carol Danvers, see you at the ridge");
  }
  g_assert_true (press_key (f, GDK_KEY_Return));
  wait_for (mention_sent_ridge, f, "the message from the draft in the store");
  sent = newest_message (f, f->hike_chat);
  g_assert_cmpstr (sent->text, ==, CAROL_DRAFT);
}

/* ---- mentions and Escape -------------------------------------------------------- */

static gboolean
mention_sent (gpointer data)
{
  Fixture *f = data;
  g_autoptr(TernStoreMessageRow) row = newest_message (f, f->hike_chat);

  return row != NULL && row->outgoing && row->text != NULL && g_str_has_prefix (row->text, "Hi @");
}

#define SENT_MENTION "Hi @\"Carol Danvers\":carol@example.test and @all"

static gboolean
mention_in_list (gpointer data)
{
  for (guint i = 0; i < g_list_model_get_n_items (data); i++)
    {
      g_autoptr(TernMessage) message = g_list_model_get_item (data, i);

      if (g_strcmp0 (tern_message_get_text (message), SENT_MENTION) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_mention (Fixture       *f,
              gconstpointer  user_data)
{
  TernComposer *composer;
  GtkTextBuffer *buffer;
  GtkPopover *popover;
  g_autofree char *shown = NULL;
  g_autofree char *sent_text = NULL;
  g_autoptr(TernStoreMessageRow) sent = NULL;

  /* No completion in a 1:1 chat. */
  open_chat (f, f->bob_chat);
  composer = composer_of (f);
  popover = tern_composer_get_mention_popover (composer);
  buffer = gtk_text_view_get_buffer (text_view_of (f));
  gtk_text_buffer_insert_at_cursor (buffer, "Hi @b", -1);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));
  tern_composer_set_text (composer, "");

  /* In the group: "@car" offers Carol (not Dave, not me). */
  open_chat (f, f->hike_chat);
  gtk_widget_grab_focus (GTK_WIDGET (text_view_of (f)));
  gtk_text_buffer_insert_at_cursor (buffer, "Hi @", -1);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (popover)));
  gtk_text_buffer_insert_at_cursor (buffer, "car", -1);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (popover)));
  {
    GtkListBox *list = GTK_LIST_BOX (gtk_popover_get_child (popover));
    int n = 0;

    while (gtk_list_box_get_row_at_index (list, n) != NULL)
      n++;
    g_assert_cmpint (n, ==, 1);
  }
  wait_frames (GTK_WIDGET (f->window), 2);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (popover)));
  save_screenshot_strict (GTK_WIDGET (f->window), "mention-window");
  /* The popover is a surface of its own. */
  save_screenshot_strict (GTK_WIDGET (popover), "mention-popover");

  /* Enter takes the choice: shown as the name, sent in the COI form. */
  g_assert_true (press_key (f, GDK_KEY_Return));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));
  shown = tern_composer_dup_shown_text (composer);
  g_assert_cmpstr (shown, ==, "Hi @Carol Danvers ");
  /* "@al" offers everyone; Tab takes it as the plain "@all". */
  gtk_text_buffer_insert_at_cursor (buffer, "and @al", -1);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (popover)));
  g_assert_true (press_key (f, GDK_KEY_Tab));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));
  sent_text = tern_composer_dup_message_text (composer);
  g_assert_cmpstr (sent_text, ==, "Hi @\"Carol Danvers\":carol@example.test and @all ");

  /* Escape closes the completion without taking anything. */
  gtk_text_buffer_insert_at_cursor (buffer, "@d", -1);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (popover)));
  g_assert_true (press_key (f, GDK_KEY_Escape));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));
  {
    GtkTextIter start, end;

    gtk_text_buffer_get_end_iter (buffer, &end);
    start = end;
    gtk_text_iter_backward_chars (&start, 2);
    gtk_text_buffer_delete (buffer, &start, &end);
  }
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));

  g_assert_true (press_key (f, GDK_KEY_Return));
  wait_for (mention_sent, f, "the message with the mention in the store");
  sent = newest_message (f, f->hike_chat);
  g_assert_cmpstr (sent->text, ==, "Hi @\"Carol Danvers\":carol@example.test and @all");

  /* Escape cancels a reply, and an edit. */
  {
    TernConversation *conversation = tern_window_get_conversation (f->window);
    TernMessageList *messages = tern_conversation_get_message_list (conversation);
    g_autoptr(TernMessage) own = NULL;
    g_autoptr(TernMessage) carols = NULL;

    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (messages)); i++)
      {
        g_autoptr(TernMessage) message = g_list_model_get_item (G_LIST_MODEL (messages), i);

        if (tern_message_get_outgoing (message) && own == NULL)
          own = g_object_ref (message);
        else if (!tern_message_get_outgoing (message) && carols == NULL)
          carols = g_object_ref (message);
      }
    g_assert_nonnull (own);
    g_assert_nonnull (carols);

    tern_conversation_reply_to (conversation, carols);
    g_assert_nonnull (tern_conversation_get_reply_to (conversation));
    g_assert_true (press_key (f, GDK_KEY_Escape));
    g_assert_null (tern_conversation_get_reply_to (conversation));

    tern_conversation_edit (conversation, own);
    g_assert_cmpint (tern_conversation_get_editing (conversation), ==, tern_message_get_id (own));
    g_assert_true (press_key (f, GDK_KEY_Escape));
    g_assert_cmpint (tern_conversation_get_editing (conversation), ==, 0);

    /* The message with the mention, edited: it shows the mention by name
     * and keeps the address for the edit that is sent. */
    {
      g_autoptr(TernMessage) with_mention = NULL;
      g_autofree char *editing_shown = NULL;
      g_autofree char *editing_sent = NULL;

      wait_for (mention_in_list, messages, "the sent mention in the conversation");
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (messages)); i++)
        {
          g_autoptr(TernMessage) message = g_list_model_get_item (G_LIST_MODEL (messages), i);

          if (g_strcmp0 (tern_message_get_text (message), SENT_MENTION) == 0)
            g_set_object (&with_mention, message);
        }
      g_assert_nonnull (with_mention);
      tern_conversation_edit (conversation, with_mention);
      editing_shown = tern_composer_dup_shown_text (composer);
      editing_sent = tern_composer_dup_message_text (composer);
      g_assert_cmpstr (editing_shown, ==, "Hi @Carol Danvers and @all");
      g_assert_cmpstr (editing_sent, ==, "Hi @\"Carol Danvers\":carol@example.test and @all");
    }
    g_assert_true (press_key (f, GDK_KEY_Escape));
    g_assert_cmpint (tern_conversation_get_editing (conversation), ==, 0);
  }
}

/* ---- the new chat dialog ----------------------------------------------------------- */

static TernNewChatDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (TERN_IS_NEW_CHAT_DIALOG (window))
        return TERN_NEW_CHAT_DIALOG (window);
    }
  return NULL;
}

static gboolean
one_contact_shown (gpointer data)
{
  return tern_new_chat_dialog_get_n_shown (data) == 1;
}

static gboolean
erin_open (gpointer data)
{
  Fixture *f = data;
  TernChat *chat = tern_window_get_open_chat (f->window);

  return chat != NULL && g_strcmp0 (tern_chat_get_key (chat), "erin@example.test") == 0;
}

static gboolean
bob_open (gpointer data)
{
  Fixture *f = data;
  TernChat *chat = tern_window_get_open_chat (f->window);

  return chat != NULL && tern_chat_get_id (chat) == f->bob_chat;
}

static void
test_new_chat (Fixture       *f,
               gconstpointer  user_data)
{
  GtkWidget *window = GTK_WIDGET (f->window);
  TernNewChatDialog *dialog;
  GtkWidget *focus;

  g_assert_false (tern_address_is_valid ("erin"));
  g_assert_false (tern_address_is_valid ("erin@"));
  g_assert_false (tern_address_is_valid ("erin@example"));
  g_assert_false (tern_address_is_valid ("erin smith@example.org"));
  g_assert_false (tern_address_is_valid ("a@b@example.org"));
  g_assert_false (tern_address_is_valid ("erin@example..org"));
  g_assert_true (tern_address_is_valid ("erin@example.test"));
  g_assert_true (tern_address_is_valid ("erin+chat@mail.example.org"));

  /* Ctrl+N's action; the + button uses the same. */
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (template_child (f->window, TERN_TYPE_WINDOW, "new_chat_button"))),
                   ==, "win.new-chat");
  g_assert_true (gtk_widget_activate_action (window, "win.new-chat", NULL));
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  wait_frames (GTK_WIDGET (dialog), 2);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  /* Bob, Carol, Dave. */
  g_assert_cmpuint (tern_new_chat_dialog_get_n_shown (dialog), ==, 3);
  save_screenshot_strict (GTK_WIDGET (dialog), "new-chat");

  /* Filtered as typed; Enter on the only match opens that chat. */
  gtk_editable_set_text (tern_new_chat_dialog_get_entry (dialog), "bob");
  wait_for (one_contact_shown, dialog, "the filter");
  save_screenshot_strict (GTK_WIDGET (dialog), "new-chat-filtered");
  g_assert_true (tern_new_chat_dialog_choose (dialog));
  wait_for (bob_open, f, "Bob's chat");
  g_assert_null (find_dialog ());

  /* A typed address: invalid text is refused, a new address becomes a chat. */
  g_assert_true (gtk_widget_activate_action (window, "win.new-chat", NULL));
  dialog = find_dialog ();
  gtk_editable_set_text (tern_new_chat_dialog_get_entry (dialog), "erin at example");
  g_assert_false (tern_new_chat_dialog_choose (dialog));
  g_assert_nonnull (find_dialog ());
  gtk_editable_set_text (tern_new_chat_dialog_get_entry (dialog), "Erin@Example.test");
  g_assert_true (tern_new_chat_dialog_choose (dialog));
  wait_for (erin_open, f, "the new chat");
  {
    g_autoptr(TernStoreChatRow) row = tern_store_find_chat (f->store, f->account,
                                                             TERN_STORE_CHAT_KIND_DIRECT,
                                                             "erin@example.test", NULL);

    g_assert_nonnull (row);
  }
  wait_frames (window, 2);
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (composer_of (f))));
  save_screenshot_strict (window, "new-chat-opened");
}

/* ---- accessible names on every control ---------------------------------------------- */

static gboolean
has_text_label (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_label_get_text (GTK_LABEL (widget)) &&
      *gtk_label_get_text (GTK_LABEL (widget)))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    if (has_text_label (child))
      return TRUE;
  return FALSE;
}

static void
collect_unnamed (GtkWidget *widget,
                 GPtrArray *unnamed,
                 guint     *n_checked)
{
  /* GTK's own: the window buttons, and the search bar's close button. */
  if (GTK_IS_WINDOW_CONTROLS (widget))
    return;
  if (GTK_IS_BUTTON (widget) && GTK_IS_CENTER_BOX (gtk_widget_get_parent (widget)) &&
      gtk_widget_get_ancestor (widget, GTK_TYPE_SEARCH_BAR) != NULL)
    return;

  if (GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_SWITCH (widget) ||
      GTK_IS_CHECK_BUTTON (widget) || GTK_IS_TEXT_VIEW (widget) || GTK_IS_EDITABLE (widget))
    {
      gboolean named = gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget),
                                                         GTK_ACCESSIBLE_PROPERTY_LABEL) ||
                       gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget),
                                                         GTK_ACCESSIBLE_RELATION_LABELLED_BY);

      /* A button with text names itself. */
      if (!named && (GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) ||
                     GTK_IS_CHECK_BUTTON (widget)))
        named = has_text_label (widget);
      /* The text inside an entry belongs to the entry. */
      if (GTK_IS_TEXT (widget) && GTK_IS_EDITABLE (gtk_widget_get_parent (widget)))
        named = TRUE;
      (*n_checked)++;
      if (!named)
        g_ptr_array_add (unnamed, widget);
      /* A menu button's inner toggle is the menu button itself. */
      if (GTK_IS_MENU_BUTTON (widget))
        return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    collect_unnamed (child, unnamed, n_checked);
}

static void
assert_all_named (GtkWidget  *root,
                  const char *what,
                  guint       at_least)
{
  g_autoptr(GPtrArray) unnamed = g_ptr_array_new ();
  guint n_checked = 0;

  collect_unnamed (root, unnamed, &n_checked);
  g_test_message ("%s: %u controls checked", what, n_checked);
  for (guint i = 0; i < unnamed->len; i++)
    {
      GtkWidget *widget = unnamed->pdata[i];
      const char *tooltip = gtk_widget_get_tooltip_text (widget);

      g_test_message ("%s: no accessible name: %s (css name %s, tooltip %s, in %s)", what,
                      G_OBJECT_TYPE_NAME (widget), gtk_widget_get_css_name (widget),
                      tooltip ? tooltip : "none",
                      G_OBJECT_TYPE_NAME (gtk_widget_get_parent (widget)));
    }
  g_assert_cmpuint (n_checked, >=, at_least);
  g_assert_cmpuint (unnamed->len, ==, 0);
}

static void
test_accessible_names (Fixture       *f,
                       gconstpointer  user_data)
{
  GtkWidget *window = GTK_WIDGET (f->window);
  g_autofree char *notes = write_file (f, "notes.txt", "x\n");
  g_autoptr(GFile) file = g_file_new_for_path (notes);
  TernNewChatDialog *dialog;

  /* Every state with controls: a group open, the search shown, a chip. */
  open_chat (f, f->hike_chat);
  g_assert_true (gtk_widget_activate_action (window, "win.search", NULL));
  tern_composer_add_file (composer_of (f), file);
  tern_conversation_reply_to (tern_window_get_conversation (f->window),
                              g_list_model_get_item (G_LIST_MODEL (tern_conversation_get_message_list (tern_window_get_conversation (f->window))), 0));
  wait_frames (window, 2);
  /* search toggle, new chat, menus, search entry, back, attach, chip,
   * cancel reply, message, send, ... */
  assert_all_named (window, "window", 12);

  g_assert_true (gtk_widget_activate_action (window, "win.new-chat", NULL));
  dialog = find_dialog ();
  wait_frames (GTK_WIDGET (dialog), 1);
  assert_all_named (GTK_WIDGET (dialog), "new chat", 1);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* ---- a 1:1 chat shows its contact's avatar ------------------------------------------- */

static TernChatRow *
chat_row_titled (Fixture    *f,
                 const char *title)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  collect (GTK_WIDGET (f->window), TERN_TYPE_CHAT_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (tern_chat_row_get_title (rows->pdata[i]), title) == 0)
      return rows->pdata[i];
  return NULL;
}

static gboolean
bob_avatar_shown (gpointer data)
{
  Fixture *f = data;
  TernChatRow *row = chat_row_titled (f, "Bob Builder");
  GtkWidget *avatar = row ? find_by_css (GTK_WIDGET (row), ADW_TYPE_AVATAR, NULL) : NULL;

  return avatar != NULL && adw_avatar_get_custom_image (ADW_AVATAR (avatar)) != NULL;
}

/* Bob's 1:1 chat has no picture of its own: when Bob's contact gets one
 * (a profile arriving), his row in the chat list shows it; the group's
 * row keeps its initials. */
static void
test_contact_avatar (Fixture       *f,
                     gconstpointer  user_data)
{
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  g_autoptr(TernStoreContactRow) bob = tern_store_find_contact (f->store, f->account,
                                                                "bob@example.test", NULL);
  g_autoptr(GBytes) png = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *path = NULL;
  TernStoreContactRow values = { 0 };
  TernChatRow *row;

  g_assert_false (bob_avatar_shown (f));
  {
    /* An 8x8 orange square. */
    guchar pixels[8 * 8 * 4];
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(GdkTexture) texture = NULL;

    for (guint i = 0; i < 8 * 8; i++)
      {
        pixels[i * 4] = 0xf5;
        pixels[i * 4 + 1] = 0x79;
        pixels[i * 4 + 2] = 0x00;
        pixels[i * 4 + 3] = 0xff;
      }
    bytes = g_bytes_new (pixels, sizeof pixels);
    texture = gdk_memory_texture_new (8, 8, GDK_MEMORY_R8G8B8A8, bytes, 8 * 4);
    png = gdk_texture_save_to_png_bytes (texture);
  }
  g_assert_nonnull (bob);
  hash = tern_store_batch_add_file (batch, png);
  values.avatar = hash;
  tern_store_batch_update_contact (batch, bob->id, TERN_STORE_CONTACT_FIELD_AVATAR, &values);
  store_commit (f->store, batch);

  wait_for (bob_avatar_shown, f, "Bob's picture in his chat's row");
  row = chat_row_titled (f, "Bob Builder");
  path = tern_store_get_attachment_path (f->store, hash);
  g_assert_cmpstr (tern_chat_row_get_avatar_path (row), ==, path);
  g_assert_null (tern_chat_row_get_avatar_path (chat_row_titled (f, "Hiking Club")));
  wait_frames (GTK_WIDGET (f->window), 2);
  save_screenshot_strict (GTK_WIDGET (f->window), "chat-list-contact-avatar");
}

/* ---- the new chat dialog's account --------------------------------------------------- */

static AdwComboRow *
account_row_of (TernNewChatDialog *dialog)
{
  GtkWidget *row = find_by_css (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW, NULL);

  g_assert_nonnull (row);
  return ADW_COMBO_ROW (row);
}

static const char *
combo_item (AdwComboRow *row,
            guint        position)
{
  g_autoptr(GObject) item = g_list_model_get_item (adw_combo_row_get_model (row), position);

  g_assert_nonnull (item);
  /* The list owns the string. */
  return gtk_string_object_get_string (GTK_STRING_OBJECT (item));
}

static TernNewChatDialog *
open_new_chat (Fixture *f)
{
  TernNewChatDialog *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-chat", NULL));
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  wait_frames (GTK_WIDGET (dialog), 2);
  return dialog;
}

typedef struct
{
  gint64  account;
  char   *address;
} Chosen;

static void
chosen_cb (TernNewChatDialog *dialog,
           const char        *address,
           const char        *name,
           Chosen            *chosen)
{
  chosen->account = tern_new_chat_dialog_get_account (dialog);
  g_free (chosen->address);
  chosen->address = g_strdup (address);
}

typedef struct
{
  Fixture    *f;
  gint64      account;
  const char *key;
} OpenWanted;

static gboolean
open_chat_is (gpointer data)
{
  OpenWanted *wanted = data;
  TernChat *chat = tern_window_get_open_chat (wanted->f->window);

  return chat != NULL && tern_chat_get_account_id (chat) == wanted->account &&
         g_strcmp0 (tern_chat_get_key (chat), wanted->key) == 0;
}

/* One account: no account row. */
static void
test_new_chat_one_account (Fixture       *f,
                           gconstpointer  user_data)
{
  TernNewChatDialog *dialog = open_new_chat (f);
  AdwComboRow *row = account_row_of (dialog);

  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (row)));
  g_assert_false (gtk_widget_is_visible (GTK_WIDGET (row)));
  g_assert_cmpint (tern_new_chat_dialog_get_account (dialog), ==, f->account);
  g_assert_cmpuint (tern_new_chat_dialog_get_n_shown (dialog), ==, 3);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Two accounts: the row offers both addresses, starting with the open
 * chat's account (else the first); each shows its own contacts, and
 * ::chosen comes with the account picked. */
static void
test_new_chat_two_accounts (Fixture       *f,
                            gconstpointer  user_data)
{
  TernNewChatDialog *dialog;
  AdwComboRow *row;
  Chosen chosen = { 0 };

  open_chat (f, f->erin_chat);
  dialog = open_new_chat (f);
  row = account_row_of (dialog);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (row)));
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (row)), ==, 2);
  g_assert_cmpstr (combo_item (row, 0), ==, "me@example.test");
  g_assert_cmpstr (combo_item (row, 1), ==, "me@work.example.org");
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 1);
  g_assert_cmpint (tern_new_chat_dialog_get_account (dialog), ==, f->account2);
  /* Typing goes to the search, not to the account row above it. */
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (dialog));

    g_assert_nonnull (focus);
    g_assert_true (focus == GTK_WIDGET (tern_new_chat_dialog_get_entry (dialog)) ||
                   gtk_widget_is_ancestor (focus, GTK_WIDGET (tern_new_chat_dialog_get_entry (dialog))));
  }
  /* Erin and Frank (the work account's contacts). */
  g_assert_cmpuint (tern_new_chat_dialog_get_n_shown (dialog), ==, 2);
  save_screenshot_strict (GTK_WIDGET (dialog), "new-chat-accounts");
  assert_all_named (GTK_WIDGET (dialog), "new chat, two accounts", 2);

  /* The first account: Bob, Carol and Dave; "carol" finds her there. */
  adw_combo_row_set_selected (row, 0);
  g_assert_cmpint (tern_new_chat_dialog_get_account (dialog), ==, f->account);
  g_assert_cmpuint (tern_new_chat_dialog_get_n_shown (dialog), ==, 3);
  gtk_editable_set_text (tern_new_chat_dialog_get_entry (dialog), "carol");
  wait_for (one_contact_shown, dialog, "Carol alone");
  /* Back to work: nobody called Carol there; then back again. */
  tern_new_chat_dialog_set_account (dialog, f->account2);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 1);
  g_assert_cmpuint (tern_new_chat_dialog_get_n_shown (dialog), ==, 0);
  tern_new_chat_dialog_set_account (dialog, f->account);
  g_assert_cmpuint (tern_new_chat_dialog_get_n_shown (dialog), ==, 1);
  g_signal_connect (dialog, "chosen", G_CALLBACK (chosen_cb), &chosen);
  g_assert_true (tern_new_chat_dialog_choose (dialog));
  g_assert_cmpint (chosen.account, ==, f->account);
  g_assert_cmpstr (chosen.address, ==, "carol@example.test");
  g_clear_pointer (&chosen.address, g_free);
  flush ();
  g_assert_null (find_dialog ());
  /* The window starts the chat on the account picked, not the open chat's. */
  {
    OpenWanted wanted = { f, f->account, "carol@example.test" };

    wait_for (open_chat_is, &wanted, "Carol's chat on the first account");
  }
  /* And from a chat of the first account, on the work account. */
  dialog = open_new_chat (f);
  g_assert_cmpint (tern_new_chat_dialog_get_account (dialog), ==, f->account);
  tern_new_chat_dialog_set_account (dialog, f->account2);
  gtk_editable_set_text (tern_new_chat_dialog_get_entry (dialog), "frank");
  wait_for (one_contact_shown, dialog, "Frank alone");
  g_assert_true (tern_new_chat_dialog_choose (dialog));
  {
    OpenWanted wanted = { f, f->account2, "frank@work.example.org" };

    wait_for (open_chat_is, &wanted, "Frank's chat on the work account");
  }

  /* With no chat open: the first account. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.close-chat", NULL));
  wait_frames (GTK_WIDGET (f->window), 1);
  g_assert_null (tern_window_get_open_chat (f->window));
  dialog = open_new_chat (f);
  row = account_row_of (dialog);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (row)));
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 0);
  g_assert_cmpint (tern_new_chat_dialog_get_account (dialog), ==, f->account);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);
  /* The test accessibility backend keeps the properties the checks read. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("test-window-compose: no display; run it under tests/ui/with-xvfb\n");
      return 1;
    }

  app = ui_test_app_new ();

  g_test_add ("/ui/window/search", Fixture, NULL, fixture_set_up, test_search, fixture_tear_down);
  g_test_add ("/ui/window/search-narrow", Fixture, "narrow",
              fixture_set_up, test_search_narrow_dark, fixture_tear_down);
  g_test_add ("/ui/window/search-dark", Fixture, "dark",
              fixture_set_up, test_search_narrow_dark, fixture_tear_down);
  g_test_add ("/ui/window/attach-send", Fixture, NULL,
              fixture_set_up, test_attach_send, fixture_tear_down);
  g_test_add ("/ui/window/drop-paste", Fixture, NULL,
              fixture_set_up, test_drop_paste, fixture_tear_down);
  g_test_add ("/ui/window/mention-escape", Fixture, NULL,
              fixture_set_up, test_mention, fixture_tear_down);
  g_test_add ("/ui/window/draft-mention", Fixture, NULL,
              fixture_set_up, test_draft_mention, fixture_tear_down);
  g_test_add ("/ui/window/new-chat", Fixture, NULL,
              fixture_set_up, test_new_chat, fixture_tear_down);
  g_test_add ("/ui/window/contact-avatar", Fixture, NULL,
              fixture_set_up, test_contact_avatar, fixture_tear_down);
  g_test_add ("/ui/window/new-chat-one-account", Fixture, NULL,
              fixture_set_up, test_new_chat_one_account, fixture_tear_down);
  g_test_add ("/ui/window/new-chat-two-accounts", Fixture, "two-accounts",
              fixture_set_up, test_new_chat_two_accounts, fixture_tear_down);
  g_test_add ("/ui/window/accessible-names", Fixture, NULL,
              fixture_set_up, test_accessible_names, fixture_tear_down);

  ret = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  return ret;
}
