/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "store-test-util.h"
#include "tern-store-private.h"

/* Every earlier schema version, as a `sqlite3 .dump` with data
 * (tests/data/store/tern-vN.sql), upgrades to the current one with its data
 * intact, one step at a time. */

static char *
load_fixture (int version)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("tern-v%d.sql", version);
  g_autofree char *path = g_build_filename (g_getenv ("TERN_TEST_DATA"), "store", name, NULL);
  g_autofree char *sql = NULL;
  char *dir = store_test_tmpdir ();
  g_autofree char *db_path = g_build_filename (dir, "tern.db", NULL);
  sqlite3 *db = NULL;
  char *msg = NULL;

  g_assert_true (g_file_get_contents (path, &sql, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    g_error ("loading %s: %s", path, msg);
  g_assert_cmpint (tern_store_db_get_version (db), ==, version);
  sqlite3_close (db);
  return dir;
}

/* The schema (tables, indexes, triggers) of a database, as text. */
static char *
schema_of (sqlite3 *db)
{
  g_autoptr(GString) out = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT type, name, sql FROM sqlite_schema"
                                           " ORDER BY type, name", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (out, "%s %s: %s\n", sqlite3_column_text (stmt, 0),
                            sqlite3_column_text (stmt, 1), sqlite3_column_text (stmt, 2));
  sqlite3_finalize (stmt);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
assert_integrity (sqlite3 *db)
{
  g_autofree char *result = store_test_query_text (db, "PRAGMA integrity_check");

  g_assert_cmpstr (result, ==, "ok");
  g_assert_cmpint (store_test_query_int (db, "SELECT COUNT(*) FROM pragma_foreign_key_check"), ==, 0);
  if (tern_store_db_get_version (db) >= 2)
    store_test_assert_fts_ok (db);
}

static void
assert_v1_data (TernStore *store,
                int        version)
{
  g_autoptr(TernStoreAccountRow) account = tern_store_get_account (store, 1, NULL);
  g_autoptr(GHashTable) pins = tern_store_get_pinned_certificates (store, 1, NULL);
  g_autoptr(TernStoreFolderRow) inbox = tern_store_find_folder (store, 1, "INBOX", NULL);
  g_autoptr(TernStoreContactRow) bob = tern_store_find_contact (store, 1, "bob@work.test", NULL);
  g_autoptr(TernStoreChatRow) group = tern_store_find_chat (store, 1, TERN_STORE_CHAT_KIND_GROUP,
                                                            "Gr0upId_abc123", NULL);
  g_autoptr(TernStoreMessageRow) hello = tern_store_find_message (store, 1, "chat$aaa@example.test", NULL);
  g_autoptr(TernStoreMessageRow) located = tern_store_get_message (store, 4, NULL);
  g_autoptr(GPtrArray) edits = tern_store_list_edits (store, 3, NULL);
  g_autoptr(GPtrArray) attachments = tern_store_list_attachments (store, 4, NULL);
  g_autoptr(GPtrArray) locations = tern_store_list_locations (store, 1, NULL);
  g_autoptr(GPtrArray) sent = tern_store_list_outbox (store, 1, TERN_STORE_OUTBOX_SENT, NULL);
  g_autoptr(GArray) members = tern_store_list_chat_members (store, 2, NULL);

  g_assert_nonnull (account);
  g_assert_cmpstr (account->address, ==, "alice@example.test");
  g_assert_cmpuint (account->smtp_port, ==, 465);
  g_assert_true (account->coi_server);
  g_assert_cmpint (account->filter_mode, ==, TERN_STORE_FILTER_ACTIVE);
  g_assert_cmpuint (g_hash_table_size (pins), ==, 1);
  g_assert_cmpuint (inbox->uidvalidity, ==, 1700000000);
  g_assert_cmpuint (inbox->highestmodseq, ==, 99);
  g_assert_cmpstr (bob->display_name, ==, "Bob Müller");
  g_assert_cmpstr (group->name, ==, "Wandergruppe Köln");
  g_assert_true (group->pinned);
  g_assert_cmpuint (group->unread_count, ==, version >= 6 ? 3 : version >= 2 ? 2 : 1);  /* v2 and v6 add one */
  g_assert_cmpstr (hello->text, ==, "Hallo Alice, treffen wir uns im Café?");
  g_assert_true (located->has_location);
  g_assert_cmpfloat_with_epsilon (located->latitude, 50.9413, 1e-9);
  g_assert_cmpuint (located->n_attachments, ==, 1);
  g_assert_cmpuint (edits->len, ==, 1);
  g_assert_cmpuint (attachments->len, ==, 1);
  g_assert_cmpuint (locations->len, ==, 2);  /* INBOX and COI/Chats */
  g_assert_cmpuint (sent->len, ==, 1);
  g_assert_cmpuint (members->len, ==, 2);
  g_assert_cmpuint (tern_store_count_messages (store, 1, NULL), ==,
                    version >= 7 ? 4 : version >= 5 ? 3 : 2);  /* v5 and v7 add one */
}

/* What a version-1 database could not do works after the upgrade. */
static void
assert_current_features (TernStore *store)
{
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (store);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GPtrArray) receipts = NULL;
  g_autoptr(GArray) chats = NULL;

  /* v2: old rows were indexed by the migration. */
  hits = tern_store_search_messages (store, 1, "cafe", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpint (((TernStoreSearchHit *) hits->pdata[0])->message_id, ==, 1);
  chats = tern_store_search_chats (store, 1, "koln", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (chats->len, ==, 1);

  /* v3: receipts. v4: new messages indexed by the store. */
  tern_store_batch_add_receipt (batch, 2, "bob@example.test", TERN_STORE_RECEIPT_READ, 1700000999);
  {
    TernStoreMessageRow row = { .account_id = 1, .chat_id = 2, .message_id = (char *) "new@x",
                                .text = (char *) "Schirm auch", .sent_time = 1700000600 };
    tern_store_batch_add_message (batch, &row, 0, 0);
  }
  g_assert_true (tern_store_commit (store, batch, &error));
  g_assert_no_error (error);
  receipts = tern_store_list_receipts (store, 2, NULL);
  g_assert_cmpuint (receipts->len, ==, 1);
  g_clear_pointer (&hits, g_ptr_array_unref);
  hits = tern_store_search_messages (store, 1, "schirm", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 1);
}

static void
test_upgrade (gconstpointer data)
{
  int version = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = load_fixture (version);
  g_autofree char *fresh_dir = store_test_tmpdir ();
  g_autoptr(TernStore) store = NULL;
  g_autofree char *migrated_schema = NULL;
  g_autofree char *fresh_schema = NULL;
  sqlite3 *raw;

  /* One step at a time: each intermediate version opens and keeps the data. */
  for (int step = version + 1; step <= TERN_STORE_SCHEMA_VERSION; step++)
    {
      g_autoptr(TernStore) partial = tern_store_open_at_version (dir, step, &error);

      g_assert_no_error (error);
      g_assert_nonnull (partial);
      raw = store_test_open_raw (dir);
      g_assert_cmpint (tern_store_db_get_version (raw), ==, step);
      assert_integrity (raw);
      /* The store's reads ask for today's columns; below the last version
       * the data is checked in SQL: every message and chat is still there. */
      g_assert_cmpint (store_test_query_int (raw, "SELECT COUNT(*) FROM messages"), ==,
                       store_test_query_int (raw, "SELECT SUM(message_count) FROM chats"));
      g_assert_cmpint (store_test_query_int (raw, "SELECT COUNT(*) FROM messages WHERE text ="
                                                  " 'Hallo Alice, treffen wir uns im Café?'"), ==, 1);
      sqlite3_close (raw);
      if (step == TERN_STORE_SCHEMA_VERSION)
        assert_v1_data (partial, version);
      tern_store_close (partial);
    }

  store = tern_store_open (dir, &error);
  g_assert_no_error (error);
  assert_v1_data (store, version);
  assert_current_features (store);

  raw = store_test_open_raw (dir);
  g_assert_cmpint (tern_store_db_get_version (raw), ==, TERN_STORE_SCHEMA_VERSION);
  assert_integrity (raw);
  /* v9: the message index merges only by FTS5's crisis rule. */
  g_assert_cmpint (store_test_query_int (raw, "SELECT v FROM messages_fts_config WHERE k = 'automerge'"),
                   ==, 0);
  if (version >= 2)
    {
      /* Rows written by version 2 itself are still found. */
      g_autoptr(GPtrArray) hits = tern_store_search_messages (store, 1, "regenjacke", 10, NULL);
      g_assert_cmpuint (hits->len, ==, 1);
    }
  if (version >= 4)
    {
      /* A row written by version 4 (indexed by the store, counted per batch). */
      g_autoptr(GPtrArray) hits = tern_store_search_messages (store, 1, "sonnenbrille", 10, NULL);
      g_autoptr(TernStoreChatRow) group = tern_store_get_chat (store, 2, NULL);
      g_assert_cmpuint (hits->len, ==, 1);
      g_assert_cmpint (((TernStoreSearchHit *) hits->pdata[0])->message_id, ==, 6);
      g_assert_cmpuint (group->message_count, ==, version >= 6 ? 6 : 5);  /* 4 + v4 (+ v6) */
    }
  {
    /* v5: one account's chat list (its own index) matches all accounts' list. */
    g_autoptr(GArray) all = tern_store_list_chat_ids (store, 0, TERN_STORE_CHAT_FILTER_ACTIVE, NULL);
    g_autoptr(GArray) mine = tern_store_list_chat_ids (store, 1, TERN_STORE_CHAT_FILTER_ACTIVE, NULL);
    g_autoptr(GArray) other = tern_store_list_chat_ids (store, 2, TERN_STORE_CHAT_FILTER_ACTIVE, NULL);

    g_assert_cmpuint (all->len, ==, 2);
    g_assert_cmpuint (mine->len, ==, 2);
    g_assert_cmpuint (other->len, ==, 0);
    /* The pinned group first. */
    g_assert_cmpint (g_array_index (mine, gint64, 0), ==, 2);
    g_assert_cmpint (g_array_index (mine, gint64, 1), ==, 1);
    g_assert_cmpmem (all->data, all->len * sizeof (gint64), mine->data, mine->len * sizeof (gint64));
  }
  if (version >= 5)
    {
      /* v6: the failed message written by version 5 carries its outbox entry's reason. */
      g_autoptr(TernStoreMessageRow) failed = tern_store_get_message (store, 7, &error);

      g_assert_no_error (error);
      g_assert_cmpint (failed->state, ==, TERN_STORE_STATE_FAILED);
      g_assert_cmpstr (failed->failure_reason, ==, "552 5.2.2 Mailbox full");
      g_assert_false (failed->mentions_me);
      g_assert_null (failed->receipt_to);
    }
  if (version >= 6)
    {
      /* The mention and the receipt request written by version 6. */
      g_autoptr(TernStoreMessageRow) asked = tern_store_get_message (store, 8, &error);

      g_assert_no_error (error);
      g_assert_true (asked->mentions_me);
      g_assert_cmpstr (asked->receipt_to, ==, "carol@example.test");
      {
        g_autoptr(GPtrArray) where = tern_store_list_locations (store, 8, NULL);
        g_assert_cmpuint (where->len, ==, 1);
      }
    }
  if (version >= 7)
    {
      /* A message written by version 7 (no foreign keys on messages). */
      g_autoptr(TernStoreMessageRow) late = tern_store_get_message (store, 9, &error);
      g_autoptr(GPtrArray) where = tern_store_list_locations (store, 9, NULL);

      g_assert_no_error (error);
      g_assert_cmpstr (late->text, ==, "Treffpunkt am Dom um neun");
      g_assert_cmpuint (where->len, ==, 1);
    }
  if (version >= 8)
    {
      /* The preview written by version 8. */
      g_autoptr(GPtrArray) files = tern_store_list_attachments (store, 9, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (files->len, ==, 1);
      g_assert_cmpstr (((TernStoreAttachmentRow *) files->pdata[0])->preview_hash, ==,
                       "ef56000000000000000000000000000000000000000000000000000000000000");
    }
  {
    /* Every old message is found by a word, ranked, with a snippet. */
    g_autoptr(GPtrArray) hits = tern_store_search_messages (store, 1, "Café", 10, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (hits->len, ==, 1);
    g_assert_nonnull (strstr (((TernStoreSearchHit *) hits->pdata[0])->snippet, "Café"));
    g_assert_cmpint (store_test_query_int (raw, "SELECT COUNT(*) FROM messages_fts"), ==,
                     store_test_query_int (raw, "SELECT COUNT(*) FROM messages"));
  }
  {
    /* v8: attachments of earlier versions have no preview. */
    g_autoptr(GPtrArray) files = tern_store_list_attachments (store, 4, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (files->len, ==, 1);
    g_assert_null (((TernStoreAttachmentRow *) files->pdata[0])->preview_hash);
  }
  {
    /* v7: the parents are checked by the store and the cascades are
     * triggers: a message for a missing chat is refused, and deleting the
     * group takes its messages, their locations and attachments along. */
    g_autoptr(TernStoreBatch) bad = tern_store_begin_batch (store);
    g_autoptr(TernStoreBatch) del = tern_store_begin_batch (store);
    TernStoreMessageRow row = { .account_id = 1, .chat_id = 424242, .message_id = (char *) "nochat@x",
                                .sent_time = 1, .text = (char *) "x" };

    tern_store_batch_add_message (bad, &row, 0, 0);
    g_assert_false (tern_store_commit (store, bad, &error));
    g_assert_error (error, TERN_STORE_ERROR, TERN_STORE_ERROR_CONSTRAINT);
    g_clear_error (&error);
    tern_store_batch_delete_chat (del, 2);
    g_assert_true (tern_store_commit (store, del, &error));
    g_assert_no_error (error);
    g_assert_cmpint (store_test_query_int (raw, "SELECT COUNT(*) FROM messages WHERE chat_id = 2"), ==, 0);
    g_assert_cmpint (store_test_query_int (raw, "SELECT COUNT(*) FROM message_locations l WHERE NOT EXISTS"
                                                " (SELECT 1 FROM messages m WHERE m.id = l.message_id)"), ==, 0);
    g_assert_cmpint (store_test_query_int (raw, "SELECT COUNT(*) FROM attachments a WHERE NOT EXISTS"
                                                " (SELECT 1 FROM messages m WHERE m.id = a.message_id)"), ==, 0);
    g_assert_cmpint (store_test_query_int (raw, "SELECT COUNT(*) FROM messages"), ==,
                     store_test_query_int (raw, "SELECT SUM(message_count) FROM chats"));
  }
  {
    /* v6: every older message reads with the new columns' defaults. */
    g_autoptr(TernStoreMessageRow) first = tern_store_get_message (store, 1, &error);

    g_assert_no_error (error);
    g_assert_false (first->mentions_me);
    g_assert_false (first->mdn_sent);
    g_assert_null (first->failure_reason);
  }
  /* The unread counters the old version kept are still exact. */
  g_assert_cmpint (store_test_query_int (raw, "SELECT COUNT(*) FROM chats c WHERE c.unread_count !="
                                              " (SELECT COUNT(*) FROM messages m WHERE m.chat_id = c.id"
                                              "  AND m.seen = 0 AND m.outgoing = 0)"), ==, 0);
  migrated_schema = schema_of (raw);
  sqlite3_close (raw);
  tern_store_close (store);

  /* Upgraded and freshly created databases have the same schema. */
  {
    g_autoptr(TernStore) fresh = tern_store_open (fresh_dir, &error);
    g_assert_no_error (error);
    tern_store_close (fresh);
    raw = store_test_open_raw (fresh_dir);
    fresh_schema = schema_of (raw);
    sqlite3_close (raw);
  }
  g_assert_cmpstr (migrated_schema, ==, fresh_schema);

  store_test_rm_rf (dir);
  store_test_rm_rf (fresh_dir);
}

static void
test_too_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = load_fixture (2);
  g_autoptr(TernStore) store = NULL;
  sqlite3 *raw = store_test_open_raw (dir);

  g_assert_cmpint (sqlite3_exec (raw, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (raw);
  store = tern_store_open (dir, &error);
  g_assert_null (store);
  g_assert_error (error, TERN_STORE_ERROR, TERN_STORE_ERROR_TOO_NEW);
  store_test_rm_rf (dir);
}

static void
test_not_a_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = store_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "tern.db", NULL);
  g_autofree char *junk = g_strnfill (8192, 'x');
  g_autoptr(TernStore) store = NULL;

  g_assert_true (g_file_set_contents (path, junk, -1, NULL));
  store = tern_store_open (dir, &error);
  g_assert_null (store);
  g_assert_error (error, TERN_STORE_ERROR, TERN_STORE_ERROR_CORRUPT);
  store_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (int v = 1; v < TERN_STORE_SCHEMA_VERSION; v++)
    {
      g_autofree char *path = g_strdup_printf ("/store/migrate/from-v%d", v);
      g_test_add_data_func (path, GINT_TO_POINTER (v), test_upgrade);
    }
  g_test_add_func ("/store/migrate/too-new", test_too_new);
  g_test_add_func ("/store/migrate/not-a-database", test_not_a_database);

  return g_test_run ();
}
