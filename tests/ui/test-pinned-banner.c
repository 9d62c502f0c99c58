/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui-test"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "tern-chat.h"
#include "tern-pinned-banner.h"
#include "tern-store.h"

/* The pinned message banner (TernPinnedBanner) over a store this test
 * fills, under Xvfb: the pin of a message far older than any page a
 * conversation loads, a newer pin arriving, a pin timing out, an edit, a
 * delete, the click, and an unpin that is still there after the store is
 * closed and opened again (a restart). Screenshots: pinned-banner,
 * pinned-banner-dark. */

#define TIMEOUT_SECONDS 20

#include "ui-test-util.h"

#define N_MESSAGES 2000
#define OLD_PINNED 7            /* the message pinned at the start, near the oldest */

typedef struct
{
  char             *dir;
  TernStore        *store;
  gint64            account;
  gint64            chat_id, other_chat_id;
  gint64            bob;
  gint64            old_pinned;  /* row id */
  TernChat         *chat;
  GtkWindow        *window;
  TernPinnedBanner *banner;
  guint             serial;
} Fixture;

static gint64
add_message (Fixture        *f,
             TernStoreBatch *batch,
             gint64          chat,
             const char     *text,
             gint64          time,
             gint64          pinned_until)
{
  g_autofree char *mid = g_strdup_printf ("p%u@example.test", ++f->serial);
  TernStoreMessageRow row = { 0 };

  row.account_id = f->account;
  row.chat_id = chat;
  row.message_id = mid;
  row.text = (char *) text;
  row.sent_time = time;
  row.received_time = time;
  row.seen = TRUE;
  row.sender_contact_id = f->bob;
  row.sender_address = (char *) "bob@example.test";
  row.kind = TERN_STORE_MESSAGE_KIND_TEXT;
  row.pinned_until = pinned_until;
  return tern_store_batch_add_message (batch, &row, 0, 0);
}

static void
fill_store (Fixture *f)
{
  g_autoptr(TernStoreBatch) batch = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 chat, other, bob, old = 0;

  {
    g_autoptr(TernStoreBatch) account_batch = tern_store_begin_batch (f->store);
    TernStoreAccountRow row = { 0 };
    gint64 ref;

    row.address = (char *) "me@example.test";
    row.login = (char *) "me@example.test";
    row.imap_host = (char *) "127.0.0.1";
    row.imap_port = 9;
    row.smtp_host = (char *) "127.0.0.1";
    row.smtp_port = 9;
    row.enabled = TRUE;
    ref = tern_store_batch_add_account (account_batch, &row);
    store_commit (f->store, account_batch);
    f->account = tern_store_batch_get_id (account_batch, ref);
  }

  batch = tern_store_begin_batch (f->store);
  bob = tern_store_batch_ensure_contact (batch, f->account, "bob@example.test", "Bob Builder");
  chat = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_DIRECT,
                                       "bob@example.test", "Bob Builder", bob);
  other = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_GROUP,
                                        "group-pins-0001", "No Pins Here", 0);
  f->bob = bob;
  for (guint i = 0; i < N_MESSAGES; i++)
    {
      g_autofree char *text = NULL;
      gint64 ref;

      if (i == OLD_PINNED)
        text = g_strdup ("The door code is 4711, and the key is under the mat");
      else
        text = g_strdup_printf ("Message %u about nothing much", i);
      /* A pin that ran out long ago is never shown. */
      ref = add_message (f, batch, chat, text, now - 30 * 86400 + (gint64) i * 60,
                         i == OLD_PINNED ? G_MAXINT64 : i == OLD_PINNED + 3 ? now - 3600 : 0);
      if (i == OLD_PINNED)
        old = ref;
    }
  add_message (f, batch, other, "Nothing pinned in this group", now - 100, 0);
  store_commit (f->store, batch);
  f->chat_id = tern_store_batch_get_id (batch, chat);
  f->other_chat_id = tern_store_batch_get_id (batch, other);
  f->bob = tern_store_batch_get_id (batch, bob);
  f->old_pinned = tern_store_batch_get_id (batch, old);
  g_assert_cmpint (f->old_pinned, >, 0);
}

static TernChat *
chat_new (Fixture *f,
          gint64   id)
{
  g_autoptr(TernStoreChatRow) row = tern_store_get_chat (f->store, id, NULL);

  g_assert_nonnull (row);
  return tern_chat_new_from_row (f->store, row);
}

static gboolean
not_busy (gpointer data)
{
  return !tern_pinned_banner_get_busy (data);
}

/* Waits until the banner has no read on its way. */
static void
settle (Fixture *f)
{
  flush ();
  wait_for (not_busy, f->banner, "the banner's read");
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *box;
  GtkWidget *filler;

  f->dir = g_dir_make_tmp ("tern-ui-pins-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = tern_store_open (f->dir, &error);
  g_assert_no_error (error);
  fill_store (f);
  f->chat = chat_new (f, f->chat_id);

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      g_strcmp0 (user_data, "dark") == 0
                                      ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
  f->window = GTK_WINDOW (gtk_window_new ());
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
  gtk_window_set_default_size (f->window, 480, 160);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  f->banner = tern_pinned_banner_new ();
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (f->banner));
  filler = gtk_label_new ("(the conversation)");
  gtk_widget_set_vexpand (filler, TRUE);
  gtk_box_append (GTK_BOX (box), filler);
  gtk_window_set_child (f->window, box);
  gtk_window_present (f->window);
  wait_frames (GTK_WIDGET (f->window), 1);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  user_data)
{
  gtk_window_destroy (f->window);
  flush ();
  wait_for (is_set_not, &f->window, "the window's release");
  g_clear_object (&f->chat);
  if (f->store != NULL)
    {
      tern_store_close (f->store);
      flush ();
      g_assert_finalize_object (f->store);
    }
  remove_tree (f->dir);
  g_free (f->dir);
}

/* Like collect(), mapped or not (the revealer maps its child once revealed). */
static void
collect_all (GtkWidget *widget,
             GType      type,
             GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    collect_all (child, type, found);
}

static GtkWidget *
banner_child (Fixture *f,
              GType    type,
              guint    nth)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect_all (GTK_WIDGET (f->banner), type, found);
  g_assert_cmpuint (found->len, >, nth);
  return found->pdata[nth];
}

static gint64
shown_id (Fixture *f)
{
  TernMessage *message = tern_pinned_banner_get_message (f->banner);

  return message != NULL ? tern_message_get_id (message) : 0;
}

static void
activated_cb (TernPinnedBanner *banner,
              gint64            message,
              gint64           *out)
{
  *out = message;
}

/* ---- tests ---------------------------------------------------------------- */

/* The pin of a message ~2,000 rows back shows (no conversation loaded it),
 * with its sender and text; the expired pin of a newer one does not. A
 * click says which message to jump to. */
static void
test_old_pin (Fixture       *f,
              gconstpointer  user_data)
{
  gint64 activated = 0;
  GtkWidget *revealer = gtk_widget_get_first_child (GTK_WIDGET (f->banner));
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  g_assert_null (tern_pinned_banner_get_message (f->banner));
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
  tern_pinned_banner_set_chat (f->banner, f->chat);
  g_assert_true (tern_pinned_banner_get_busy (f->banner));
  settle (f);
  g_assert_cmpint (shown_id (f), ==, f->old_pinned);
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
  wait_frames (GTK_WIDGET (f->window), 3);

  collect (GTK_WIDGET (f->banner), GTK_TYPE_LABEL, labels);
  g_assert_cmpuint (labels->len, ==, 2);
  g_assert_cmpstr (gtk_label_get_text (labels->pdata[0]), ==, "Bob Builder");
  g_assert_cmpstr (gtk_label_get_text (labels->pdata[1]), ==,
                   "The door code is 4711, and the key is under the mat");
  save_screenshot_strict (GTK_WIDGET (f->window),
                          g_strcmp0 (user_data, "dark") == 0 ? "pinned-banner-dark" : "pinned-banner");

  g_signal_connect (f->banner, "activated", G_CALLBACK (activated_cb), &activated);
  g_signal_emit_by_name (banner_child (f, GTK_TYPE_BUTTON, 0), "clicked");
  g_assert_cmpint (activated, ==, f->old_pinned);

  /* Another chat without pins: nothing, at once. */
  {
    g_autoptr(TernChat) other = chat_new (f, f->other_chat_id);

    tern_pinned_banner_set_chat (f->banner, other);
    g_assert_null (tern_pinned_banner_get_message (f->banner));
    g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
    settle (f);
    g_assert_null (tern_pinned_banner_get_message (f->banner));
    tern_pinned_banner_set_chat (f->banner, f->chat);
    settle (f);
    g_assert_cmpint (shown_id (f), ==, f->old_pinned);
  }
}

static gboolean
shows (gpointer data)
{
  gpointer *pair = data;
  Fixture *f = pair[0];

  return !tern_pinned_banner_get_busy (f->banner) && shown_id (f) == *(gint64 *) pair[1];
}

static void
wait_shown (Fixture    *f,
            gint64      id,
            const char *what)
{
  gpointer pair[2] = { f, &id };

  wait_for (shows, pair, what);
}

/* A newer pin arriving replaces the shown one; a pin that times out goes
 * by itself (the older one shows again); an edit shows; a deleted
 * message's pin goes. */
static void
test_arrive_expire_edit_delete (Fixture       *f,
                                gconstpointer  user_data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 newer, brief;
  GtkLabel *text;

  tern_pinned_banner_set_chat (f->banner, f->chat);
  settle (f);
  g_assert_cmpint (shown_id (f), ==, f->old_pinned);

  /* A message that is not pinned changes nothing, and costs no read of
   * the chat (only a lookup of the new row). */
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);

    add_message (f, batch, f->chat_id, "Just a message", now - 10, 0);
    store_commit (f->store, batch);
  }
  g_assert_false (tern_pinned_banner_get_busy (f->banner));
  g_assert_cmpint (shown_id (f), ==, f->old_pinned);

  /* A stored message pinned later (an update, not a new row). */
  {
    g_autoptr(GPtrArray) newest = tern_store_get_messages (f->store, f->chat_id, NULL, 2, NULL);
    gint64 id = ((TernStoreMessageRow *) newest->pdata[0])->id;
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);

    tern_store_batch_set_pinned (batch, id, G_MAXINT64);
    store_commit (f->store, batch);
    wait_shown (f, id, "the pin of a stored message");
    batch = tern_store_begin_batch (f->store);
    tern_store_batch_set_pinned (batch, id, 0);
    store_commit (f->store, batch);
    wait_shown (f, f->old_pinned, "the old pin again after the other went");
  }

  /* A new message pinned for a week. */
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    gint64 ref = add_message (f, batch, f->chat_id, "Meeting moved to Friday", now, now + 7 * 86400);

    store_commit (f->store, batch);
    newer = tern_store_batch_get_id (batch, ref);
  }
  wait_shown (f, newer, "the new pin");
  text = GTK_LABEL (banner_child (f, GTK_TYPE_LABEL, 1));
  g_assert_cmpstr (gtk_label_get_text (text), ==, "Meeting moved to Friday");

  /* Edited by its sender: the banner shows the new text. */
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    g_autoptr(TernStoreMessageRow) row = tern_store_get_message (f->store, newer, NULL);

    tern_store_batch_edit_message (batch, f->account, row->message_id, "edit-1@example.test",
                                   "Meeting moved to Saturday", now);
    store_commit (f->store, batch);
  }
  wait_for (not_busy, f->banner, "the read after the edit");
  flush ();
  g_assert_cmpint (shown_id (f), ==, newer);
  g_assert_cmpstr (gtk_label_get_text (text), ==, "Meeting moved to Saturday");

  /* An even newer one pinned for two seconds: shown, then gone by itself,
   * and the week-long pin is back. */
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    gint64 ref = add_message (f, batch, f->chat_id, "Doors open now!", now + 1,
                              g_get_real_time () / G_USEC_PER_SEC + 2);

    store_commit (f->store, batch);
    brief = tern_store_batch_get_id (batch, ref);
  }
  wait_shown (f, brief, "the brief pin");
  wait_shown (f, newer, "the brief pin to time out");
  g_assert_cmpint (g_get_real_time () / G_USEC_PER_SEC, >=, now + 2);

  /* Deleted on this device: its pin goes with it. */
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);

    tern_store_batch_delete_message (batch, newer);
    store_commit (f->store, batch);
  }
  wait_shown (f, f->old_pinned, "the pin of the deleted message to go");

  /* Deleted by its sender (the row stays, marked deleted): gone too. */
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    g_autoptr(TernStoreMessageRow) row = tern_store_get_message (f->store, f->old_pinned, NULL);

    tern_store_batch_edit_message (batch, f->account, row->message_id, "delete-1@example.test",
                                   NULL, now);
    store_commit (f->store, batch);
  }
  wait_shown (f, 0, "the pin of the message its sender deleted to go");
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (gtk_widget_get_first_child (GTK_WIDGET (f->banner)))));
}

/* The close button unpins on this device: the store forgets the pin, the
 * older pin shows, and after a restart (the store closed and opened again,
 * a new chat object and banner) the unpinned message stays unpinned. */
static void
test_unpin_persists (Fixture       *f,
                     gconstpointer  user_data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 newer;
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    gint64 ref = add_message (f, batch, f->chat_id, "Please bring snacks", now, G_MAXINT64);

    store_commit (f->store, batch);
    newer = tern_store_batch_get_id (batch, ref);
  }
  tern_pinned_banner_set_chat (f->banner, f->chat);
  settle (f);
  g_assert_cmpint (shown_id (f), ==, newer);

  /* The close button ("Unpin"). */
  {
    GtkWidget *close = banner_child (f, GTK_TYPE_BUTTON, 1);

    g_assert_cmpstr (gtk_widget_get_tooltip_text (close), ==, "Unpin");
    g_signal_emit_by_name (close, "clicked");
  }
  g_assert_null (tern_pinned_banner_get_message (f->banner));
  settle (f);
  g_assert_cmpint (shown_id (f), ==, f->old_pinned);
  {
    g_autoptr(TernStoreMessageRow) row = tern_store_get_message (f->store, newer, NULL);

    g_assert_cmpint (row->pinned_until, ==, 0);
  }

  /* Unpin the old one too: nothing is left. */
  tern_pinned_banner_unpin (f->banner);
  settle (f);
  g_assert_null (tern_pinned_banner_get_message (f->banner));

  /* Restart: close everything, open the store again. */
  tern_pinned_banner_set_chat (f->banner, NULL);
  g_clear_object (&f->chat);
  tern_store_close (f->store);
  flush ();
  g_assert_finalize_object (f->store);
  f->store = tern_store_open (f->dir, &error);
  g_assert_no_error (error);
  f->chat = chat_new (f, f->chat_id);

  {
    g_autoptr(TernMessage) pinned = NULL;
    g_autoptr(GAsyncResult) result = NULL;

    tern_chat_get_pinned_message_async (f->chat, NULL, got_result, &result);
    wait_for (is_set, &result, "the pinned message read");
    pinned = tern_chat_get_pinned_message_finish (f->chat, result, &error);
    g_assert_no_error (error);
    g_assert_null (pinned);
  }
  tern_pinned_banner_set_chat (f->banner, f->chat);
  settle (f);
  g_assert_null (tern_pinned_banner_get_message (f->banner));

  /* A message of another chat cannot be unpinned through this one. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(TernStoreChatRow) other = tern_store_get_chat (f->store, f->other_chat_id, NULL);

    g_assert_nonnull (other);
    tern_chat_unpin_message_async (f->chat, other->last_message_id, NULL, got_result, &result);
    wait_for (is_set, &result, "the refused unpin");
    g_assert_false (tern_chat_change_finish (f->chat, result, &error));
    g_assert_nonnull (error);
  }
}

/* The store read itself: NULL without an error when nothing is pinned,
 * the newest pinned one otherwise, the time decides. */
static void
test_store_read (Fixture       *f,
                 gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TernStoreMessageRow) none = NULL;
  g_autoptr(TernStoreMessageRow) old = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  none = tern_store_get_pinned_message (f->store, f->other_chat_id, now, &error);
  g_assert_no_error (error);
  g_assert_null (none);
  old = tern_store_get_pinned_message (f->store, f->chat_id, now, &error);
  g_assert_no_error (error);
  g_assert_nonnull (old);
  g_assert_cmpint (old->id, ==, f->old_pinned);
  g_assert_cmpint (old->pinned_until, ==, G_MAXINT64);

  /* At a time before the expired pin ran out, that newer one is the pin. */
  {
    g_autoptr(TernStoreMessageRow) earlier = tern_store_get_pinned_message (f->store, f->chat_id,
                                                                           now - 7200, &error);

    g_assert_no_error (error);
    g_assert_nonnull (earlier);
    g_assert_cmpint (earlier->id, >, f->old_pinned);
  }
}

int
main (int   argc,
      char *argv[])
{
  if (!ui_test_init (&argc, &argv, "test-pinned-banner"))
    return 1;
  adw_init ();
  {
    /* The app's stylesheet (an AdwApplication loads it by itself). */
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, "/io/github/ternchat/Tern/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

  g_test_add ("/ui/pinned-banner/store-read", Fixture, NULL,
              fixture_set_up, test_store_read, fixture_tear_down);
  g_test_add ("/ui/pinned-banner/old-pin", Fixture, NULL,
              fixture_set_up, test_old_pin, fixture_tear_down);
  g_test_add ("/ui/pinned-banner/old-pin-dark", Fixture, "dark",
              fixture_set_up, test_old_pin, fixture_tear_down);
  g_test_add ("/ui/pinned-banner/arrive-expire-edit-delete", Fixture, NULL,
              fixture_set_up, test_arrive_expire_edit_delete, fixture_tear_down);
  g_test_add ("/ui/pinned-banner/unpin-persists", Fixture, NULL,
              fixture_set_up, test_unpin_persists, fixture_tear_down);

  return g_test_run ();
}
