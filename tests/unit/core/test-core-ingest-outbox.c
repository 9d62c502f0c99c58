/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The outbox's store side: a queued message is one batch (message row
 * PENDING + outbox entry with the raw bytes and recipients); the backoff;
 * our own sent message coming back through the sync is not stored twice. */
#include "config.h"

#include "store-test-util.h"
#include "tern-coi-builder.h"
#include "tern-ingest.h"
#include "tern-core-error.h"
#include "tern-outbox.h"

#define ME "me@example.test"
#define BOB "bob@example.test"

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
test_queue (void)
{
  g_autofree char *dir = store_test_tmpdir ();
  g_autoptr(GError) error = NULL;
  TernStore *store = tern_store_open (dir, &error);
  gint64 account = store_test_add_account (store, ME);
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (store);
  g_autoptr(TernStoreMessageRow) msg = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(TernStoreChatRow) chat_row = NULL;
  TernCoiMailbox rcpt = { NULL, BOB };
  TernCoiDraft draft = { 0 };
  TernOutboxLocal local = { 0 };
  const char *recipients[] = { BOB, NULL };
  GMimeMessage *message;
  TernStoreOutboxRow *entry;
  gint64 chat, id;

  g_assert_no_error (error);
  draft.from.address = ME;
  draft.to = &rcpt;
  draft.n_to = 1;
  draft.text = "queued text";
  message = tern_coi_build_text (&draft, &error);
  g_assert_no_error (error);

  chat = tern_store_batch_ensure_chat (batch, account, TERN_STORE_CHAT_KIND_DIRECT, BOB, BOB, 0);
  local.kind = TERN_STORE_MESSAGE_KIND_TEXT;
  local.text = "queued text";
  tern_outbox_queue_async (store, account, chat, message, &local, recipients, batch, NULL,
                           result_cb, &result);
  id = tern_outbox_queue_finish (wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  msg = tern_store_get_message (store, id, &error);
  g_assert_no_error (error);
  g_assert_true (msg->outgoing);
  g_assert_true (msg->seen);
  g_assert_cmpint (msg->state, ==, TERN_STORE_STATE_PENDING);
  g_assert_cmpstr (msg->text, ==, "queued text");
  g_assert_cmpstr (msg->message_id, ==, g_mime_message_get_message_id (message));
  chat_row = tern_store_get_chat (store, msg->chat_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (chat_row->key, ==, BOB);

  due = tern_store_list_outbox_due (store, account, G_MAXINT64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 1);
  entry = due->pdata[0];
  g_assert_cmpint (entry->message_id, ==, id);
  g_assert_cmpint (entry->state, ==, TERN_STORE_OUTBOX_QUEUED);
  g_assert_cmpstr (entry->rfc822_message_id, ==, msg->message_id);
  g_assert_cmpstrv (entry->recipients, recipients);
  g_assert_nonnull (entry->raw);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (entry->raw, NULL), g_bytes_get_size (entry->raw),
                                  "queued text"));

  /* The copy appended to COI/Chats comes back through the sync: the same
   * row, now with a location, nothing new. */
  {
    const char *own[] = { ME, NULL };
    g_autoptr(TernIngestContext) ctx = tern_ingest_context_new (store, account, own);
    g_autoptr(TernStoreBatch) b2 = tern_store_begin_batch (store);
    g_autoptr(GPtrArray) locations = NULL;
    TernIngestResult r = { 0 };
    gint64 folder;

    folder = tern_store_batch_ensure_folder (b2, account, "COI/Chats", "/",
                                             TERN_STORE_FOLDER_ROLE_CHATS);
    g_assert_true (tern_ingest_message (ctx, b2, entry->raw, folder, 42, NULL, &r, &error));
    g_assert_no_error (error);
    g_assert_true (r.known);
    g_assert_true (r.outgoing);
    tern_store_commit (store, b2, &error);
    g_assert_no_error (error);
    g_assert_cmpint (tern_store_batch_get_id (b2, r.message_ref), ==, id);
    tern_ingest_result_clear (&r);
    locations = tern_store_list_locations (store, id, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (locations->len, ==, 1);
    g_assert_cmpuint (tern_store_count_messages (store, msg->chat_id, NULL), ==, 1);
  }

  /* No recipients: refused, nothing stored. */
  {
    const char *none[] = { NULL };
    g_autoptr(GAsyncResult) r2 = NULL;
    g_autoptr(GPtrArray) after = NULL;

    tern_outbox_queue_async (store, account, msg->chat_id, message, &local, none, NULL, NULL,
                             result_cb, &r2);
    g_assert_cmpint (tern_outbox_queue_finish (wait_result (&r2), &error), ==, 0);
    g_assert_error (error, TERN_CORE_ERROR, TERN_CORE_ERROR_INVALID);
    g_clear_error (&error);
    after = tern_store_list_outbox_due (store, account, G_MAXINT64, NULL);
    g_assert_cmpuint (after->len, ==, 1);
  }

  g_object_unref (message);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  tern_store_close (store);
  g_assert_finalize_object (store);
  store_test_rm_rf (dir);
}

static void
test_backoff (void)
{
  g_assert_cmpint (tern_outbox_backoff_seconds (0), ==, 60);
  g_assert_cmpint (tern_outbox_backoff_seconds (1), ==, 60);
  g_assert_cmpint (tern_outbox_backoff_seconds (2), ==, 120);
  g_assert_cmpint (tern_outbox_backoff_seconds (3), ==, 240);
  g_assert_cmpint (tern_outbox_backoff_seconds (6), ==, 1920);
  g_assert_cmpint (tern_outbox_backoff_seconds (7), ==, 3600);
  g_assert_cmpint (tern_outbox_backoff_seconds (1000), ==, 3600);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_mime_init ();
  g_test_add_func ("/core/outbox/queue", test_queue);
  g_test_add_func ("/core/outbox/backoff", test_backoff);
  return g_test_run ();
}
