/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Ingest: every kind of received message, built with the src/coi builders
 * or read from raw .eml fixtures (classic, Thunderbird, Delta Chat, mailing
 * list), lands in a real store exactly as expected. */
#include "config.h"

#include "store-test-util.h"
#include "tern-coi-builder.h"
#include "tern-ingest.h"

#define ME "me@example.test"
#define BOB "bob@example.test"
#define EVE "eve@example.test"

typedef struct
{
  char              *dir;
  TernStore         *store;
  gint64             account;
  gint64             inbox;
  gint64             chats;
  TernIngestContext *ctx;
} Fixture;

static const char *const seen_flags[] = { "\\Seen", NULL };

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TernStoreBatch) batch = NULL;
  const char *own[] = { ME, NULL };
  gint64 inbox, chats;

  f->dir = store_test_tmpdir ();
  f->store = tern_store_open (f->dir, &error);
  g_assert_no_error (error);
  f->account = store_test_add_account (f->store, ME);
  batch = tern_store_begin_batch (f->store);
  inbox = tern_store_batch_ensure_folder (batch, f->account, "INBOX", "/",
                                          TERN_STORE_FOLDER_ROLE_INBOX);
  chats = tern_store_batch_ensure_folder (batch, f->account, "COI/Chats", "/",
                                          TERN_STORE_FOLDER_ROLE_CHATS);
  tern_store_commit (f->store, batch, &error);
  g_assert_no_error (error);
  f->inbox = tern_store_batch_get_id (batch, inbox);
  f->chats = tern_store_batch_get_id (batch, chats);
  f->ctx = tern_ingest_context_new (f->store, f->account, own);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
  tern_ingest_context_free (f->ctx);
  tern_store_close (f->store);
  g_assert_finalize_object (f->store);
  store_test_rm_rf (f->dir);
  g_free (f->dir);
}

/* Ingests @raw alone in one batch and commits; the result's refs are
 * turned into row ids. */
static TernIngestAction
ingest (Fixture            *f,
        GBytes             *raw,
        gint64              folder,
        guint32             uid,
        const char * const *flags,
        gint64             *message,
        gint64             *chat)
{
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  g_autoptr(GError) error = NULL;
  TernIngestResult result = { 0 };
  TernIngestAction action;

  g_assert_true (tern_ingest_message (f->ctx, batch, raw, folder, uid, flags, &result, &error));
  g_assert_no_error (error);
  tern_store_commit (f->store, batch, &error);
  g_assert_no_error (error);
  if (message != NULL)
    *message = result.message_ref ? tern_store_batch_get_id (batch, result.message_ref) : 0;
  if (chat != NULL)
    *chat = result.chat_ref ? tern_store_batch_get_id (batch, result.chat_ref) : 0;
  action = result.action;
  tern_ingest_result_clear (&result);
  return action;
}

static GBytes *
to_bytes (GMimeMessage *message)
{
  GBytes *bytes;

  g_assert_nonnull (message);
  bytes = tern_coi_message_to_bytes (message);
  g_object_unref (message);
  return bytes;
}

static GBytes *
load_fixture (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("TERN_TEST_DATA"), "core", name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents;
  gsize length;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

static GBytes *
chat_text (const char *from,
           const char *to,
           const char *message_id,
           const char *text,
           const char *reply_to)
{
  TernCoiMailbox rcpt = { NULL, to };
  TernCoiDraft draft = { 0 };
  g_autoptr(GError) error = NULL;
  GMimeMessage *message;

  draft.from.name = g_str_equal (from, BOB) ? "Bob Builder" : NULL;
  draft.from.address = from;
  draft.to = &rcpt;
  draft.n_to = 1;
  draft.message_id = message_id;
  draft.text = text;
  draft.in_reply_to = reply_to;
  message = tern_coi_build_text (&draft, &error);
  g_assert_no_error (error);
  return to_bytes (message);
}

static GBytes *
chat_edit (const char *from,
           const char *message_id,
           const char *target,
           const char *original,
           const char *new_text,
           gboolean    is_delete)
{
  TernCoiMailbox rcpt = { NULL, ME };
  TernCoiDraft draft = { 0 };
  g_autoptr(GError) error = NULL;
  GMimeMessage *message;

  draft.from.address = from;
  draft.to = &rcpt;
  draft.n_to = 1;
  draft.message_id = message_id;
  /* As Tern's outbox sends them: References starts with the original. */
  draft.references_first = original;
  message = is_delete ? tern_coi_build_delete (&draft, target, &error)
                      : tern_coi_build_edit (&draft, target, new_text, &error);
  g_assert_no_error (error);
  return to_bytes (message);
}

static TernStoreMessageRow *
get_message (Fixture *f,
             gint64   id)
{
  g_autoptr(GError) error = NULL;
  TernStoreMessageRow *row = tern_store_get_message (f->store, id, &error);

  g_assert_no_error (error);
  return row;
}

static TernStoreChatRow *
get_chat (Fixture *f,
          gint64   id)
{
  g_autoptr(GError) error = NULL;
  TernStoreChatRow *row = tern_store_get_chat (f->store, id, &error);

  g_assert_no_error (error);
  return row;
}

static guint
count_chats (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  guint n = tern_store_count_chats (f->store, f->account, TERN_STORE_CHAT_FILTER_ALL, &error);

  g_assert_no_error (error);
  return n;
}

static void
test_chat_text (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) raw = chat_text (BOB, ME, "chat$t1@example.test", "Hello there", NULL);
  g_autoptr(TernStoreMessageRow) msg = NULL;
  g_autoptr(TernStoreChatRow) chat = NULL;
  g_autoptr(TernStoreContactRow) contact = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id, chat_id;

  g_assert_cmpint (ingest (f, raw, f->chats, 10, NULL, &id, &chat_id), ==, TERN_INGEST_STORED);
  msg = get_message (f, id);
  g_assert_cmpstr (msg->text, ==, "Hello there");
  g_assert_cmpstr (msg->message_id, ==, "chat$t1@example.test");
  g_assert_cmpstr (msg->sender_address, ==, BOB);
  g_assert_false (msg->outgoing);
  g_assert_false (msg->seen);
  g_assert_cmpint (msg->kind, ==, TERN_STORE_MESSAGE_KIND_TEXT);
  g_assert_cmpint (msg->chat_id, ==, chat_id);

  chat = get_chat (f, chat_id);
  g_assert_cmpint (chat->kind, ==, TERN_STORE_CHAT_KIND_DIRECT);
  g_assert_cmpstr (chat->key, ==, BOB);
  g_assert_cmpstr (chat->name, ==, "Bob Builder");
  g_assert_cmpuint (chat->unread_count, ==, 1);
  g_assert_cmpuint (chat->message_count, ==, 1);

  contact = tern_store_find_contact (f->store, f->account, BOB, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contact->display_name, ==, "Bob Builder");
  g_assert_cmpint (msg->sender_contact_id, ==, contact->id);
  g_assert_cmpint (chat->contact_id, ==, contact->id);

  /* A second message from Bob, seen: same chat, unread stays 1. */
  {
    g_autoptr(GBytes) raw2 = chat_text (BOB, ME, "chat$t2@example.test", "Second", NULL);
    g_autoptr(TernStoreChatRow) chat2 = NULL;
    g_autoptr(TernStoreMessageRow) msg2 = NULL;
    gint64 id2, chat_id2;

    g_assert_cmpint (ingest (f, raw2, f->chats, 11, seen_flags, &id2, &chat_id2), ==,
                     TERN_INGEST_STORED);
    g_assert_cmpint (chat_id2, ==, chat_id);
    msg2 = get_message (f, id2);
    g_assert_true (msg2->seen);
    chat2 = get_chat (f, chat_id);
    g_assert_cmpuint (chat2->unread_count, ==, 1);
    g_assert_cmpuint (chat2->message_count, ==, 2);
  }
  g_assert_cmpuint (count_chats (f), ==, 1);
}

static void
test_dedup (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GBytes) raw = chat_text (BOB, ME, "chat$dup@example.test", "Only once", NULL);
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  g_autoptr(GPtrArray) locations = NULL;
  g_autoptr(TernStoreChatRow) chat = NULL;
  g_autoptr(GError) error = NULL;
  TernIngestResult r1 = { 0 }, r2 = { 0 };
  gint64 id, id3, chat_id;

  /* Twice in the same batch (INBOX and COI/Chats) ... */
  g_assert_true (tern_ingest_message (f->ctx, batch, raw, f->inbox, 5, NULL, &r1, &error));
  g_assert_true (tern_ingest_message (f->ctx, batch, raw, f->chats, 7, NULL, &r2, &error));
  g_assert_no_error (error);
  g_assert_false (r1.known);
  g_assert_true (r2.known);
  tern_store_commit (f->store, batch, &error);
  g_assert_no_error (error);
  id = tern_store_batch_get_id (batch, r1.message_ref);
  g_assert_cmpint (tern_store_batch_get_id (batch, r2.message_ref), ==, id);
  chat_id = tern_store_batch_get_id (batch, r1.chat_ref);
  tern_ingest_result_clear (&r1);
  tern_ingest_result_clear (&r2);

  /* ... and once more in a later batch, seen there. */
  g_assert_cmpint (ingest (f, raw, f->chats, 8, seen_flags, &id3, NULL), ==, TERN_INGEST_STORED);
  g_assert_cmpint (id3, ==, id);

  locations = tern_store_list_locations (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (locations->len, ==, 3);
  chat = get_chat (f, chat_id);
  g_assert_cmpuint (chat->message_count, ==, 1);
  g_assert_cmpuint (chat->unread_count, ==, 0);
}

static void
test_edit_delete (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) orig = chat_text (BOB, ME, "chat$orig@example.test", "Helo", NULL);
  g_autoptr(GBytes) edit1 = chat_edit (BOB, "chat$e1@example.test", "chat$orig@example.test",
                                       NULL, "Hello", FALSE);
  g_autoptr(GBytes) evil = chat_edit (EVE, "chat$evil@example.test", "chat$orig@example.test",
                                      NULL, "I owe Eve money", FALSE);
  /* Later edits reference the last edit, not the original. */
  g_autoptr(GBytes) edit2 = chat_edit (BOB, "chat$e2@example.test", "chat$e1@example.test",
                                       "chat$orig@example.test", "Hello!", FALSE);
  g_autoptr(GBytes) del = chat_edit (BOB, "chat$d1@example.test", "chat$e2@example.test",
                                     "chat$orig@example.test", NULL, TRUE);
  g_autoptr(GPtrArray) edits = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id, edited, chat_id;

  g_assert_cmpint (ingest (f, orig, f->chats, 1, NULL, &id, &chat_id), ==, TERN_INGEST_STORED);
  g_assert_cmpint (ingest (f, edit1, f->chats, 2, NULL, &edited, NULL), ==, TERN_INGEST_APPLIED);
  g_assert_cmpint (edited, ==, id);
  {
    g_autoptr(TernStoreMessageRow) msg = get_message (f, id);

    g_assert_cmpstr (msg->text, ==, "Hello");
    g_assert_true (msg->edited);
  }

  /* Eve may not edit Bob's message. */
  g_assert_cmpint (ingest (f, evil, f->chats, 3, NULL, NULL, NULL), ==, TERN_INGEST_IGNORED);
  {
    g_autoptr(TernStoreMessageRow) msg = get_message (f, id);

    g_assert_cmpstr (msg->text, ==, "Hello");
  }

  /* A restart in between: the context forgets what it saw; the chain is
   * still followed (edit2 names edit1). */
  tern_ingest_context_free (f->ctx);
  {
    const char *own[] = { ME, NULL };

    f->ctx = tern_ingest_context_new (f->store, f->account, own);
  }
  g_assert_cmpint (ingest (f, edit2, f->chats, 4, NULL, &edited, NULL), ==, TERN_INGEST_APPLIED);
  g_assert_cmpint (edited, ==, id);
  {
    g_autoptr(TernStoreMessageRow) msg = get_message (f, id);

    g_assert_cmpstr (msg->text, ==, "Hello!");
  }
  edits = tern_store_list_edits (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (edits->len, ==, 2);
  g_assert_cmpstr (((TernStoreEditRow *) edits->pdata[0])->old_text, ==, "Helo");
  g_assert_cmpstr (((TernStoreEditRow *) edits->pdata[0])->new_text, ==, "Hello");
  g_assert_cmpstr (((TernStoreEditRow *) edits->pdata[1])->old_text, ==, "Hello");
  g_assert_cmpstr (((TernStoreEditRow *) edits->pdata[1])->new_text, ==, "Hello!");
  g_clear_pointer (&edits, g_ptr_array_unref);

  /* The delete: the store keeps no old content, only the fact. */
  g_assert_cmpint (ingest (f, del, f->chats, 5, NULL, &edited, NULL), ==, TERN_INGEST_APPLIED);
  g_assert_cmpint (edited, ==, id);
  {
    g_autoptr(TernStoreMessageRow) msg = get_message (f, id);

    g_assert_true (msg->deleted);
    g_assert_null (msg->text);
  }
  edits = tern_store_list_edits (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (edits->len, ==, 1);
  g_assert_null (((TernStoreEditRow *) edits->pdata[0])->new_text);

  /* The edit messages are no chat messages of their own. */
  {
    g_autoptr(TernStoreChatRow) chat = get_chat (f, chat_id);

    g_assert_cmpuint (chat->message_count, ==, 1);
  }
}

static void
test_edit_before_original (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) orig = chat_text (BOB, ME, "chat$late@example.test", "Draft", NULL);
  g_autoptr(GBytes) edit = chat_edit (BOB, "chat$early@example.test", "chat$late@example.test",
                                      NULL, "Final", FALSE);
  g_autoptr(GBytes) evil = chat_edit (EVE, "chat$early-evil@example.test",
                                      "chat$late@example.test", NULL, "Hacked", FALSE);
  g_autoptr(TernStoreMessageRow) msg = NULL;
  gint64 id;

  g_assert_cmpint (ingest (f, edit, f->chats, 1, NULL, NULL, NULL), ==, TERN_INGEST_PENDING);
  g_assert_cmpint (ingest (f, evil, f->chats, 2, NULL, NULL, NULL), ==, TERN_INGEST_PENDING);
  g_assert_cmpuint (tern_ingest_context_get_n_pending (f->ctx), ==, 2);
  g_assert_cmpint (ingest (f, orig, f->chats, 3, NULL, &id, NULL), ==, TERN_INGEST_STORED);
  g_assert_cmpuint (tern_ingest_context_get_n_pending (f->ctx), ==, 0);
  msg = get_message (f, id);
  g_assert_cmpstr (msg->text, ==, "Final");
  g_assert_true (msg->edited);
}

/* Our own message sent from another device, then Bob's read receipt. */
static void
test_own_device_and_receipt (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GBytes) own = chat_text (ME, BOB, "chat$mine@example.test", "From my phone", NULL);
  g_autoptr(TernStoreMessageRow) msg = NULL;
  g_autoptr(TernStoreChatRow) chat = NULL;
  g_autoptr(GPtrArray) receipts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) mdn = NULL;
  TernCoiMailbox rcpt = { NULL, ME };
  TernCoiDraft draft = { 0 };
  GMimeMessage *built;
  gint64 id, chat_id, target;

  g_assert_cmpint (ingest (f, own, f->chats, 1, NULL, &id, &chat_id), ==, TERN_INGEST_STORED);
  msg = get_message (f, id);
  g_assert_true (msg->outgoing);
  g_assert_true (msg->seen);
  g_assert_null (msg->sender_address);
  g_assert_cmpint (msg->state, ==, TERN_STORE_STATE_SENT);
  chat = get_chat (f, chat_id);
  g_assert_cmpstr (chat->key, ==, BOB);
  g_assert_cmpuint (chat->unread_count, ==, 0);

  draft.from.address = BOB;
  draft.to = &rcpt;
  draft.n_to = 1;
  built = tern_coi_build_read_receipt (&draft, "chat$mine@example.test", "Tern test", &error);
  g_assert_no_error (error);
  mdn = to_bytes (built);
  g_assert_cmpint (ingest (f, mdn, f->chats, 2, NULL, &target, NULL), ==, TERN_INGEST_APPLIED);
  g_assert_cmpint (target, ==, id);
  g_clear_pointer (&msg, tern_store_message_row_free);
  msg = get_message (f, id);
  g_assert_cmpint (msg->state, ==, TERN_STORE_STATE_READ);
  receipts = tern_store_list_receipts (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (receipts->len, ==, 1);
  g_assert_cmpstr (((TernStoreReceiptRow *) receipts->pdata[0])->address, ==, BOB);
  g_assert_cmpint (((TernStoreReceiptRow *) receipts->pdata[0])->kind, ==, TERN_STORE_RECEIPT_READ);
  g_clear_pointer (&chat, tern_store_chat_row_free);
  chat = get_chat (f, chat_id);
  g_assert_cmpuint (chat->message_count, ==, 1);
}

/* A receipt for a message that is not ours changes nothing. */
static void
test_receipt_not_ours (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GBytes) theirs = chat_text (BOB, ME, "chat$theirs@example.test", "Hi", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) mdn = NULL;
  g_autoptr(GPtrArray) receipts = NULL;
  TernCoiMailbox rcpt = { NULL, ME };
  TernCoiDraft draft = { 0 };
  gint64 id;

  g_assert_cmpint (ingest (f, theirs, f->chats, 1, NULL, &id, NULL), ==, TERN_INGEST_STORED);
  draft.from.address = EVE;
  draft.to = &rcpt;
  draft.n_to = 1;
  mdn = to_bytes (tern_coi_build_read_receipt (&draft, "chat$theirs@example.test", "x", &error));
  g_assert_no_error (error);
  g_assert_cmpint (ingest (f, mdn, f->chats, 2, NULL, NULL, NULL), ==, TERN_INGEST_IGNORED);
  receipts = tern_store_list_receipts (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (receipts->len, ==, 0);
}

static void
test_attachments (Fixture       *f,
                  gconstpointer  data)
{
  static const char content[] = "%PDF-1.4 not really a pdf, but bytes";
  g_autoptr(GBytes) file = g_bytes_new_static (content, sizeof content - 1);
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GPtrArray) attachments = NULL;
  g_autoptr(TernStoreMessageRow) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected_hash = NULL;
  g_autofree char *path = NULL;
  g_autofree char *stored = NULL;
  TernCoiAttachmentDraft att = { 0 };
  TernCoiMailbox rcpt = { NULL, ME };
  TernCoiDraft draft = { 0 };
  TernStoreAttachmentRow *a;
  gsize length;
  gint64 id;

  att.bytes = file;
  att.filename = "report.pdf";
  att.mime_type = "application/pdf";
  draft.from.address = BOB;
  draft.to = &rcpt;
  draft.n_to = 1;
  draft.text = "the report";
  draft.attachments = &att;
  draft.n_attachments = 1;
  raw = to_bytes (tern_coi_build_attachments (&draft, &error));
  g_assert_no_error (error);

  g_assert_cmpint (ingest (f, raw, f->chats, 1, NULL, &id, NULL), ==, TERN_INGEST_STORED);
  msg = get_message (f, id);
  g_assert_cmpint (msg->kind, ==, TERN_STORE_MESSAGE_KIND_MEDIA);
  g_assert_cmpuint (msg->n_attachments, ==, 1);
  attachments = tern_store_list_attachments (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (attachments->len, ==, 1);
  a = attachments->pdata[0];
  g_assert_cmpstr (a->name, ==, "report.pdf");
  g_assert_cmpstr (a->mime_type, ==, "application/pdf");
  g_assert_cmpint (a->size, ==, sizeof content - 1);
  expected_hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, file);
  g_assert_cmpstr (a->hash, ==, expected_hash);
  path = tern_store_get_attachment_path (f->store, a->hash);
  g_assert_true (g_str_has_suffix (path, expected_hash));
  g_file_get_contents (path, &stored, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (stored, length, content, sizeof content - 1);
}

static void
test_image_with_preview (Fixture       *f,
                         gconstpointer  data)
{
  static const char full[] = "\x89PNG\r\n\x1a\n full image bytes ................";
  static const char small[] = "\x89PNG\r\n\x1a\n preview";
  g_autoptr(GBytes) full_bytes = g_bytes_new_static (full, sizeof full - 1);
  g_autoptr(GBytes) preview_bytes = g_bytes_new_static (small, sizeof small - 1);
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GPtrArray) attachments = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *full_hash = NULL;
  TernCoiAttachmentDraft att = { 0 };
  TernCoiMailbox rcpt = { NULL, ME };
  TernCoiDraft draft = { 0 };
  gint64 id;

  att.bytes = full_bytes;
  att.filename = "photo.png";
  att.mime_type = "image/png";
  att.preview = preview_bytes;
  att.preview_mime_type = "image/png";
  draft.from.address = BOB;
  draft.to = &rcpt;
  draft.n_to = 1;
  draft.attachments = &att;
  draft.n_attachments = 1;
  raw = to_bytes (tern_coi_build_attachments (&draft, &error));
  g_assert_no_error (error);

  g_assert_cmpint (ingest (f, raw, f->chats, 1, NULL, &id, NULL), ==, TERN_INGEST_STORED);
  attachments = tern_store_list_attachments (f->store, id, &error);
  g_assert_no_error (error);
  /* The full part is there: it is the attachment; the preview is not a
   * second attachment but its preview file. */
  g_assert_cmpuint (attachments->len, ==, 1);
  full_hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, full_bytes);
  g_assert_cmpstr (((TernStoreAttachmentRow *) attachments->pdata[0])->hash, ==, full_hash);
  {
    g_autofree char *preview_hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, preview_bytes);
    g_autofree char *path = tern_store_get_attachment_path (f->store, preview_hash);
    g_autofree char *stored = NULL;
    gsize length = 0;

    g_assert_cmpstr (((TernStoreAttachmentRow *) attachments->pdata[0])->preview_hash, ==, preview_hash);
    g_assert_true (g_file_get_contents (path, &stored, &length, NULL));
    g_assert_cmpmem (stored, length, small, sizeof small - 1);
  }
}

static void
test_group (Fixture       *f,
            gconstpointer  data)
{
  TernCoiMailbox rcpt[] = { { NULL, ME }, { "Carol", "carol@example.test" } };
  TernCoiGroup group = { 0 };
  TernCoiDraft draft = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GBytes) raw2 = NULL;
  g_autoptr(GBytes) dc = load_fixture ("deltachat-group.eml");
  g_autoptr(TernStoreChatRow) chat = NULL;
  g_autoptr(TernStoreMessageRow) msg = NULL;
  g_autoptr(GArray) members = NULL;
  gint64 id, chat_id, chat_id2, dc_chat;

  group.id = "grp0123456789";
  group.name = "Climbing";
  draft.from.name = "Bob Builder";
  draft.from.address = BOB;
  draft.to = rcpt;
  draft.n_to = 2;
  draft.text = "Saturday?";
  draft.group = &group;
  raw = to_bytes (tern_coi_build_text (&draft, &error));
  g_assert_no_error (error);

  g_assert_cmpint (ingest (f, raw, f->chats, 1, NULL, &id, &chat_id), ==, TERN_INGEST_STORED);
  chat = get_chat (f, chat_id);
  g_assert_cmpint (chat->kind, ==, TERN_STORE_CHAT_KIND_GROUP);
  g_assert_cmpstr (chat->key, ==, "grp0123456789");
  g_assert_cmpstr (chat->name, ==, "Climbing");
  g_assert_cmpstr (chat->last_sender_name, ==, "Bob Builder");
  members = tern_store_list_chat_members (f->store, chat_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (members->len, ==, 2); /* Bob and Carol, not me */
  msg = get_message (f, id);
  g_assert_cmpstr (msg->sender_address, ==, BOB);

  /* Carol answers in the group: same chat. */
  draft.from.name = "Carol";
  draft.from.address = "carol@example.test";
  rcpt[1].name = "Bob Builder";
  rcpt[1].address = BOB;
  draft.message_id = NULL;
  draft.text = "Yes!";
  raw2 = to_bytes (tern_coi_build_text (&draft, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ingest (f, raw2, f->chats, 2, NULL, NULL, &chat_id2), ==, TERN_INGEST_STORED);
  g_assert_cmpint (chat_id2, ==, chat_id);

  /* Delta Chat's Chat-Group-ID makes its own group chat. */
  g_assert_cmpint (ingest (f, dc, f->chats, 3, NULL, NULL, &dc_chat), ==, TERN_INGEST_STORED);
  g_clear_pointer (&chat, tern_store_chat_row_free);
  chat = get_chat (f, dc_chat);
  g_assert_cmpint (chat->kind, ==, TERN_STORE_CHAT_KIND_GROUP);
  g_assert_cmpstr (chat->key, ==, "Gr0upIdDelta1");
  g_assert_cmpstr (chat->name, ==, "Hiking");
  g_assert_cmpuint (count_chats (f), ==, 2);
}

static void
test_classic_reply_threads (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GBytes) first = chat_text (ME, "carol@example.test", "chat$first-to-carol@example.test",
                                       "Lunch tomorrow?", NULL);
  g_autoptr(GBytes) reply = load_fixture ("classic-thunderbird-reply.eml");
  g_autoptr(TernStoreMessageRow) msg = NULL;
  gint64 id, chat_id, chat_id2;

  g_assert_cmpint (ingest (f, first, f->chats, 1, NULL, NULL, &chat_id), ==, TERN_INGEST_STORED);
  g_assert_cmpint (ingest (f, reply, f->inbox, 1, NULL, &id, &chat_id2), ==, TERN_INGEST_STORED);
  g_assert_cmpint (chat_id2, ==, chat_id);
  msg = get_message (f, id);
  g_assert_cmpint (msg->kind, ==, TERN_STORE_MESSAGE_KIND_CLASSIC);
  g_assert_cmpstr (msg->text, ==, "Sounds good, see you at noon.");
  g_assert_nonnull (msg->quote);
  g_assert_nonnull (strstr (msg->quote, "Lunch tomorrow?"));
  g_assert_nonnull (strstr (msg->quote, "Classic Corp."));
  g_assert_cmpstr (msg->reply_to, ==, "chat$first-to-carol@example.test");
  g_assert_cmpstr (msg->subject, ==, "Re: lunch");
}

static void
test_mailing_list (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) raw = load_fixture ("mailing-list.eml");
  g_autoptr(TernStoreChatRow) chat = NULL;
  gint64 chat_id;

  g_assert_cmpint (ingest (f, raw, f->inbox, 1, NULL, NULL, &chat_id), ==, TERN_INGEST_STORED);
  chat = get_chat (f, chat_id);
  g_assert_cmpint (chat->kind, ==, TERN_STORE_CHAT_KIND_MAILING_LIST);
  g_assert_cmpstr (chat->key, ==, "tern-devel.lists.example.test");
  g_assert_cmpstr (chat->last_sender, ==, "dan@lists.example.test");
}

static void
test_deltachat_text (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) raw = load_fixture ("deltachat-text.eml");
  g_autoptr(TernStoreChatRow) chat = NULL;
  g_autoptr(TernStoreMessageRow) msg = NULL;
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  g_autoptr(GError) error = NULL;
  TernIngestResult r = { 0 };

  g_assert_true (tern_ingest_message (f->ctx, batch, raw, f->inbox, 1, NULL, &r, &error));
  g_assert_no_error (error);
  g_assert_true (r.is_chat);
  g_assert_true (r.receipt_requested);
  tern_store_commit (f->store, batch, &error);
  g_assert_no_error (error);
  chat = get_chat (f, tern_store_batch_get_id (batch, r.chat_ref));
  msg = get_message (f, tern_store_batch_get_id (batch, r.message_ref));
  tern_ingest_result_clear (&r);
  g_assert_cmpint (chat->kind, ==, TERN_STORE_CHAT_KIND_DIRECT);
  g_assert_cmpstr (chat->key, ==, "dora@example.test");
  g_assert_cmpstr (chat->name, ==, "Dora Delta");
  g_assert_cmpstr (msg->text, ==, "Hi from Delta Chat");
  g_assert_cmpint (msg->kind, ==, TERN_STORE_MESSAGE_KIND_TEXT);
}

static void
test_blocked (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GBytes) raw = chat_text (EVE, ME, "chat$spam@example.test", "Buy now", NULL);
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  g_autoptr(GError) error = NULL;
  TernStoreContactRow values = { 0 };
  gint64 contact;

  contact = tern_store_batch_ensure_contact (batch, f->account, EVE, NULL);
  values.blocked = TRUE;
  tern_store_batch_update_contact (batch, contact, TERN_STORE_CONTACT_FIELD_BLOCKED, &values);
  tern_store_commit (f->store, batch, &error);
  g_assert_no_error (error);

  g_assert_cmpint (ingest (f, raw, f->inbox, 1, NULL, NULL, NULL), ==, TERN_INGEST_BLOCKED);
  g_assert_cmpuint (count_chats (f), ==, 0);
}

/* A contact blocked after a first message of theirs was stored: the next
 * one is refused, whatever the ingest context saw before. */
static void
test_blocked_later (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) first = chat_text (EVE, ME, "chat$first@example.test", "Hello", NULL);
  g_autoptr(GBytes) second = chat_text (EVE, ME, "chat$second@example.test", "Buy now", NULL);
  g_autoptr(TernStoreContactRow) eve = NULL;
  g_autoptr(TernStoreBatch) batch = NULL;
  g_autoptr(GError) error = NULL;
  TernStoreContactRow values = { 0 };

  g_assert_cmpint (ingest (f, first, f->inbox, 1, NULL, NULL, NULL), ==, TERN_INGEST_STORED);
  eve = tern_store_find_contact (f->store, f->account, EVE, &error);
  g_assert_no_error (error);
  g_assert_false (eve->blocked);
  batch = tern_store_begin_batch (f->store);
  values.blocked = TRUE;
  tern_store_batch_update_contact (batch, eve->id, TERN_STORE_CONTACT_FIELD_BLOCKED, &values);
  tern_store_commit (f->store, batch, &error);
  g_assert_no_error (error);
  g_clear_object (&batch);

  g_assert_cmpint (ingest (f, second, f->inbox, 2, NULL, NULL, NULL), ==, TERN_INGEST_BLOCKED);
  g_assert_null (tern_store_find_message (f->store, f->account, "chat$second@example.test", NULL));
}

static void
test_location_pinned_mention (Fixture       *f,
                              gconstpointer  data)
{
  TernCoiMailbox rcpt = { NULL, ME };
  TernCoiDraft draft = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) loc = NULL;
  g_autoptr(GBytes) pinned = NULL;
  g_autoptr(GDateTime) until = g_date_time_new_from_unix_utc (2000000000);
  g_autoptr(TernStoreMessageRow) msg = NULL;
  g_autoptr(TernStoreMessageRow) pin = NULL;
  g_autoptr(TernStoreBatch) batch = NULL;
  g_autofree char *mention = tern_coi_mention_text ("Me", ME);
  g_autofree char *text = NULL;
  TernIngestResult r = { 0 };
  gint64 id;

  draft.from.address = BOB;
  draft.to = &rcpt;
  draft.n_to = 1;
  draft.text = "I am here";
  loc = to_bytes (tern_coi_build_location (&draft, 52.52, 13.405, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ingest (f, loc, f->chats, 1, NULL, &id, NULL), ==, TERN_INGEST_STORED);
  msg = get_message (f, id);
  g_assert_cmpint (msg->kind, ==, TERN_STORE_MESSAGE_KIND_LOCATION);
  g_assert_true (msg->has_location);
  g_assert_cmpfloat_with_epsilon (msg->latitude, 52.52, 1e-6);
  g_assert_cmpfloat_with_epsilon (msg->longitude, 13.405, 1e-6);

  text = g_strdup_printf ("Hey %s, look at this", mention);
  draft.text = text;
  draft.pinned = TRUE;
  draft.pinned_until = until;
  pinned = to_bytes (tern_coi_build_text (&draft, &error));
  g_assert_no_error (error);
  batch = tern_store_begin_batch (f->store);
  g_assert_true (tern_ingest_message (f->ctx, batch, pinned, f->chats, 2, NULL, &r, &error));
  g_assert_no_error (error);
  g_assert_true (r.mentions_me);
  tern_store_commit (f->store, batch, &error);
  g_assert_no_error (error);
  pin = get_message (f, tern_store_batch_get_id (batch, r.message_ref));
  tern_ingest_result_clear (&r);
  g_assert_cmpint (pin->pinned_until, ==, 2000000000);
}

/* mentions_me is kept on the row: a mention of the user (by address),
 * not one of someone else, not a text without mentions. */
static void
test_mentions_stored (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *me = tern_coi_mention_text ("Me", ME);
  g_autofree char *eve = tern_coi_mention_text ("Eve", EVE);
  g_autofree char *to_me = g_strdup_printf ("Hey %s, look", me);
  g_autofree char *to_eve = g_strdup_printf ("Hey %s, look", eve);
  g_autoptr(GBytes) a = chat_text (BOB, ME, "chat$m1@example.test", to_me, NULL);
  g_autoptr(GBytes) b = chat_text (BOB, ME, "chat$m2@example.test", to_eve, NULL);
  g_autoptr(GBytes) c = chat_text (BOB, ME, "chat$m3@example.test", "no mention", NULL);
  g_autoptr(TernStoreMessageRow) ma = NULL;
  g_autoptr(TernStoreMessageRow) mb = NULL;
  g_autoptr(TernStoreMessageRow) mc = NULL;
  gint64 ia, ib, ic;

  g_assert_cmpint (ingest (f, a, f->chats, 1, NULL, &ia, NULL), ==, TERN_INGEST_STORED);
  g_assert_cmpint (ingest (f, b, f->chats, 2, NULL, &ib, NULL), ==, TERN_INGEST_STORED);
  g_assert_cmpint (ingest (f, c, f->chats, 3, NULL, &ic, NULL), ==, TERN_INGEST_STORED);
  ma = get_message (f, ia);
  mb = get_message (f, ib);
  mc = get_message (f, ic);
  g_assert_true (ma->mentions_me);
  g_assert_false (mb->mentions_me);
  g_assert_false (mc->mentions_me);
}

typedef struct {
  GBytes      *raw;
  TernCoiInfo *info;
} ParseJob;

static gpointer
parse_job (gpointer user_data)
{
  ParseJob *job = user_data;
  const char *own[] = { ME, NULL };

  job->info = tern_ingest_parse (job->raw, own, NULL);
  return NULL;
}

/* Parsed on another thread, stored on this one (as the account hook does):
 * the same row as tern_ingest_message(), with the receipt request and
 * $MDNSent kept on it. */
static void
test_parse_on_thread (Fixture       *f,
                      gconstpointer  data)
{
  ParseJob job = { 0 };
  g_autoptr(GThread) thread = NULL;
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(TernStoreMessageRow) msg = NULL;
  g_autoptr(TernStoreMessageRow) sent = NULL;
  g_autoptr(TernCoiInfo) info = NULL;
  static const char *const mdn_flags[] = { "$MDNSent", NULL };
  TernIngestResult r = { 0 };
  gint64 id;

  job.raw = load_fixture ("deltachat-text.eml");
  thread = g_thread_new ("parse", parse_job, &job);
  g_thread_join (g_steal_pointer (&thread));
  info = g_steal_pointer (&job.info);
  g_assert_nonnull (info);
  g_assert_true (tern_ingest_message_parsed (f->ctx, batch, info, f->inbox, 1, NULL, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r.action, ==, TERN_INGEST_STORED);
  g_assert_true (r.receipt_requested);
  tern_store_commit (f->store, batch, &error);
  g_assert_no_error (error);
  msg = get_message (f, tern_store_batch_get_id (batch, r.message_ref));
  tern_ingest_result_clear (&r);
  g_assert_cmpstr (msg->text, ==, "Hi from Delta Chat");
  g_assert_cmpstr (msg->receipt_to, ==, "dora@example.test");
  g_assert_false (msg->mdn_sent);
  g_assert_false (msg->mentions_me);
  g_bytes_unref (job.raw);

  /* a receipt already sent from elsewhere ($MDNSent) */
  {
    g_autoptr(GBytes) raw = chat_text (BOB, ME, "chat$mdn@example.test", "read", NULL);

    g_assert_cmpint (ingest (f, raw, f->inbox, 2, mdn_flags, &id, NULL), ==, TERN_INGEST_STORED);
    sent = get_message (f, id);
    g_assert_true (sent->mdn_sent);
  }
}

/* A text with the sender's profile: display name, status and avatar. */
static void
test_profile (Fixture       *f,
              gconstpointer  data)
{
  static const char png[] = "\x89PNG\r\n\x1a\n avatar bytes";
  g_autoptr(GBytes) photo = g_bytes_new_static (png, sizeof png - 1);
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(TernStoreContactRow) contact = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *path = NULL;
  const char *emails[] = { BOB, NULL };
  TernCoiMailbox rcpt = { NULL, ME };
  TernCoiCard card = { 0 };
  TernCoiDraft draft = { 0 };

  card.name = "Robert B.";
  card.emails = emails;
  card.status = "Building things";
  card.photo = photo;
  card.photo_type = "image/png";
  draft.from.address = BOB;
  draft.to = &rcpt;
  draft.n_to = 1;
  draft.text = "here is my profile";
  draft.profile = &card;
  raw = to_bytes (tern_coi_build_text (&draft, &error));
  g_assert_no_error (error);

  g_assert_cmpint (ingest (f, raw, f->chats, 1, NULL, NULL, NULL), ==, TERN_INGEST_STORED);
  contact = tern_store_find_contact (f->store, f->account, BOB, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contact->display_name, ==, "Robert B.");
  g_assert_cmpstr (contact->status, ==, "Building things");
  hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, photo);
  g_assert_cmpstr (contact->avatar, ==, hash);
  path = tern_store_get_attachment_path (f->store, hash);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

/* A delivery status notification for one of our messages: FAILED. */
static void
test_bounce (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GBytes) own = chat_text (ME, "gone@example.test", "chat$bounced@example.test",
                                     "are you there?", NULL);
  static const char dsn[] =
    "From: MAILER-DAEMON@example.test\r\nTo: " ME "\r\nSubject: Undelivered Mail\r\n"
    "Date: Fri, 27 Nov 2026 12:00:00 +0000\r\nMessage-ID: <dsn1@example.test>\r\n"
    "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n"
    "--r\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
    "--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; example.test\r\n\r\n"
    "Final-Recipient: rfc822; gone@example.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"
    "--r\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: " ME "\r\n"
    "Message-ID: <chat$bounced@example.test>\r\n"
    "--r--\r\n";
  g_autoptr(GBytes) raw = g_bytes_new_static (dsn, sizeof dsn - 1);
  g_autoptr(TernStoreMessageRow) msg = NULL;
  gint64 id, target, chat_id;

  g_assert_cmpint (ingest (f, own, f->chats, 1, NULL, &id, &chat_id), ==, TERN_INGEST_STORED);
  g_assert_cmpint (ingest (f, raw, f->inbox, 1, NULL, &target, NULL), ==, TERN_INGEST_APPLIED);
  g_assert_cmpint (target, ==, id);
  msg = get_message (f, id);
  g_assert_cmpint (msg->state, ==, TERN_STORE_STATE_FAILED);
  g_assert_cmpuint (count_chats (f), ==, 1);
}

static void
test_garbage (Fixture       *f,
              gconstpointer  data)
{
  static const char junk[] = "\x01\x02 not a message at all\r\n\r\n\xff\xfe";
  g_autoptr(GBytes) raw = g_bytes_new_static (junk, sizeof junk - 1);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  g_autoptr(GError) error = NULL;
  TernIngestResult r = { 0 };

  g_assert_true (tern_ingest_message (f->ctx, batch, raw, f->inbox, 1, NULL, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpint (r.action, ==, TERN_INGEST_IGNORED);
  tern_ingest_result_clear (&r);
  g_assert_false (tern_ingest_message (f->ctx, batch, empty, f->inbox, 2, NULL, &r, &error));
  g_assert_nonnull (error);
  tern_ingest_result_clear (&r);
  g_clear_error (&error);
  tern_store_commit (f->store, batch, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_chats (f), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_mime_init ();

#define ADD(name, func) \
  g_test_add ("/core/ingest/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("chat-text", test_chat_text);
  ADD ("dedup", test_dedup);
  ADD ("edit-delete", test_edit_delete);
  ADD ("edit-before-original", test_edit_before_original);
  ADD ("own-device-and-receipt", test_own_device_and_receipt);
  ADD ("mentions-stored", test_mentions_stored);
  ADD ("parse-on-thread", test_parse_on_thread);
  ADD ("receipt-not-ours", test_receipt_not_ours);
  ADD ("attachments", test_attachments);
  ADD ("image-with-preview", test_image_with_preview);
  ADD ("group", test_group);
  ADD ("classic-reply-threads", test_classic_reply_threads);
  ADD ("mailing-list", test_mailing_list);
  ADD ("deltachat-text", test_deltachat_text);
  ADD ("blocked", test_blocked);
  ADD ("blocked-later", test_blocked_later);
  ADD ("location-pinned-mention", test_location_pinned_mention);
  ADD ("profile", test_profile);
  ADD ("bounce", test_bounce);
  ADD ("garbage", test_garbage);
#undef ADD

  return g_test_run ();
}
