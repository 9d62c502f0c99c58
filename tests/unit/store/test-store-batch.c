/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <utime.h>

#include "store-test-util.h"

typedef struct {
  char      *dir;
  TernStore *store;
  gint64     account;
  sqlite3   *raw;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = store_test_tmpdir ();
  f->store = tern_store_open (f->dir, &error);
  g_assert_no_error (error);
  f->account = store_test_add_account (f->store, "alice@example.test");
  g_assert_cmpint (f->account, >, 0);
  f->raw = store_test_open_raw (f->dir);
  /* The set-up's ::changed, delivered on this context, before a test listens. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  sqlite3_close (f->raw);
  tern_store_close (f->store);
  g_assert_finalize_object (f->store);
  store_test_rm_rf (f->dir);
  g_free (f->dir);
}

static void
commit (Fixture        *f,
        TernStoreBatch *batch)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tern_store_commit (f->store, batch, &error));
  g_assert_no_error (error);
}

static gint64
make_chat (Fixture    *f,
           const char *key)
{
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  gint64 ref = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_GROUP, key,
                                             key, 0);

  commit (f, batch);
  return tern_store_batch_get_id (batch, ref);
}

static gint64
make_folder (Fixture    *f,
             const char *name,
             guint32     uidvalidity)
{
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  gint64 ref = tern_store_batch_ensure_folder (batch, f->account, name, "/",
                                               TERN_STORE_FOLDER_ROLE_NONE);

  tern_store_batch_set_folder_uidvalidity (batch, ref, uidvalidity);
  commit (f, batch);
  return tern_store_batch_get_id (batch, ref);
}

static gint64
add_message (Fixture    *f,
             gint64      chat,
             const char *message_id,
             const char *text,
             gint64      time,
             gboolean    seen,
             gboolean    outgoing,
             gint64      folder,
             guint32     uid,
             gboolean   *inserted)
{
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  TernStoreMessageRow row = store_test_message (f->account, chat, message_id, text, time, seen,
                                                outgoing);
  gint64 ref = tern_store_batch_add_message (batch, &row, folder, uid);

  commit (f, batch);
  if (inserted)
    *inserted = tern_store_batch_was_inserted (batch, ref);
  return tern_store_batch_get_id (batch, ref);
}

static guint
n_locations (Fixture *f,
             gint64   message)
{
  g_autoptr(GPtrArray) locations = tern_store_list_locations (f->store, message, NULL);

  g_assert_nonnull (locations);
  return locations->len;
}

/* The counters kept by triggers match what COUNT(*) says, for every chat. */
static void
assert_counts_exact (Fixture *f)
{
  g_assert_cmpint (store_test_query_int (f->raw,
                                         "SELECT COUNT(*) FROM chats c WHERE"
                                         " c.unread_count != (SELECT COUNT(*) FROM messages m"
                                         "  WHERE m.chat_id = c.id AND m.seen = 0 AND m.outgoing = 0)"
                                         " OR c.message_count != (SELECT COUNT(*) FROM messages m"
                                         "  WHERE m.chat_id = c.id)"
                                         " OR c.last_message_id IS NOT (SELECT m.id FROM messages m"
                                         "  WHERE m.chat_id = c.id ORDER BY m.sort_key DESC, m.id DESC"
                                         "  LIMIT 1)"),
                   ==, 0);
}

/* ---- deduplication ----------------------------------------------------- */

static void
test_dedup_same_twice (Fixture       *f,
                       gconstpointer  data)
{
  gint64 chat = make_chat (f, "g1");
  gint64 inbox = make_folder (f, "INBOX", 7);
  gboolean inserted = FALSE;
  gint64 first, second;

  first = add_message (f, chat, "m1@example.test", "hello", 1000, FALSE, FALSE, inbox, 1, &inserted);
  g_assert_true (inserted);
  second = add_message (f, chat, "m1@example.test", "hello again", 1000, FALSE, FALSE, inbox, 1,
                        &inserted);
  g_assert_false (inserted);
  g_assert_cmpint (first, ==, second);
  g_assert_cmpuint (tern_store_count_messages (f->store, chat, NULL), ==, 1);
  g_assert_cmpuint (n_locations (f, first), ==, 1);

  {
    /* The first copy wins: the duplicate changed nothing. */
    g_autoptr(TernStoreMessageRow) row = tern_store_get_message (f->store, first, NULL);
    g_assert_cmpstr (row->text, ==, "hello");
  }

  {
    /* Twice in one batch as well. */
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    TernStoreMessageRow row = store_test_message (f->account, chat, "m2@example.test", "x", 1001,
                                                  FALSE, FALSE);
    gint64 a = tern_store_batch_add_message (batch, &row, inbox, 2);
    gint64 b = tern_store_batch_add_message (batch, &row, inbox, 3);

    commit (f, batch);
    g_assert_cmpint (tern_store_batch_get_id (batch, a), ==, tern_store_batch_get_id (batch, b));
    g_assert_true (tern_store_batch_was_inserted (batch, a));
    g_assert_false (tern_store_batch_was_inserted (batch, b));
    g_assert_cmpuint (n_locations (f, tern_store_batch_get_id (batch, a)), ==, 2);
  }
  g_assert_cmpuint (tern_store_count_messages (f->store, chat, NULL), ==, 2);
  assert_counts_exact (f);
}

static void
test_dedup_two_folders (Fixture       *f,
                        gconstpointer  data)
{
  gint64 chat = make_chat (f, "g1");
  gint64 inbox = make_folder (f, "INBOX", 7);
  gint64 chats = make_folder (f, "COI/Chats", 9);
  gint64 id1, id2;

  id1 = add_message (f, chat, "m1@example.test", "hello", 1000, FALSE, FALSE, inbox, 5, NULL);
  id2 = add_message (f, chat, "m1@example.test", "hello", 1000, FALSE, FALSE, chats, 9, NULL);
  g_assert_cmpint (id1, ==, id2);
  g_assert_cmpuint (n_locations (f, id1), ==, 2);
  g_assert_cmpuint (tern_store_count_messages (f->store, chat, NULL), ==, 1);
  g_assert_cmpint (store_test_query_int (f->raw, "SELECT COUNT(*) FROM messages"), ==, 1);

  {
    /* Expunged from INBOX (moved): one place left, message kept. */
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_remove_location (batch, inbox, 5);
    commit (f, batch);
  }
  g_assert_cmpuint (n_locations (f, id1), ==, 1);
  {
    g_autoptr(GArray) uids = tern_store_list_folder_uids (f->store, chats, NULL);
    g_assert_cmpuint (uids->len, ==, 1);
    g_assert_cmpuint (g_array_index (uids, guint32, 0), ==, 9);
  }
}

/* A sync-sized batch writes its locations many per statement: every
 * message keeps its place, a UID taken twice in the batch points at the
 * last message given it, a duplicate adds a place, and a removal later in
 * the same batch sees the locations before it. */
static void
test_locations_big_batch (Fixture       *f,
                          gconstpointer  data)
{
  gint64 chat = make_chat (f, "g1");
  gint64 inbox = make_folder (f, "INBOX", 7);
  gint64 chats = make_folder (f, "COI/Chats", 9);
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  gint64 refs[250];
  gint64 dup, taken, removed_ref;

  for (guint i = 0; i < G_N_ELEMENTS (refs); i++)
    {
      g_autofree char *mid = g_strdup_printf ("big%u@example.test", i);
      TernStoreMessageRow row = store_test_message (f->account, chat, mid, "text", 1000 + i, TRUE,
                                                    FALSE);

      /* As the ingest does: the sender's contact before each message
       * (this does not write the locations out). */
      tern_store_batch_ensure_contact (batch, f->account, "bob@example.test", "Bob");
      refs[i] = tern_store_batch_add_message (batch, &row, i % 2 ? inbox : chats, 10 + i);
    }
  {
    /* A copy of message 3 in the other folder, and a message that takes
     * UID 10 of COI/Chats (message 0's) over. */
    TernStoreMessageRow copy = store_test_message (f->account, chat, "big3@example.test", "text",
                                                   1003, TRUE, FALSE);
    TernStoreMessageRow other = store_test_message (f->account, chat, "taker@example.test", "t",
                                                    2000, TRUE, FALSE);

    dup = tern_store_batch_add_message (batch, &copy, chats, 900);
    taken = tern_store_batch_add_message (batch, &other, chats, 10);
  }
  /* Message 5's place goes again within the batch. */
  tern_store_batch_remove_location (batch, inbox, 15);
  {
    TernStoreMessageRow late = store_test_message (f->account, chat, "late@example.test", "l",
                                                   3000, TRUE, FALSE);
    removed_ref = tern_store_batch_add_message (batch, &late, inbox, 15);
  }
  commit (f, batch);

  g_assert_cmpint (tern_store_batch_get_id (batch, dup), ==, tern_store_batch_get_id (batch, refs[3]));
  g_assert_cmpuint (n_locations (f, tern_store_batch_get_id (batch, refs[3])), ==, 2);
  g_assert_cmpuint (n_locations (f, tern_store_batch_get_id (batch, refs[0])), ==, 0);
  g_assert_cmpuint (n_locations (f, tern_store_batch_get_id (batch, taken)), ==, 1);
  g_assert_cmpuint (n_locations (f, tern_store_batch_get_id (batch, refs[5])), ==, 0);
  g_assert_cmpuint (n_locations (f, tern_store_batch_get_id (batch, removed_ref)), ==, 1);
  for (guint i = 6; i < G_N_ELEMENTS (refs); i++)
    g_assert_cmpuint (n_locations (f, tern_store_batch_get_id (batch, refs[i])), ==, 1);
  /* 250 places, one more for the copy, one moved to another message, one
   * removed and given again. */
  g_assert_cmpint (store_test_query_int (f->raw, "SELECT COUNT(*) FROM message_locations"), ==, 251);
  g_assert_cmpint (store_test_query_int (f->raw, "SELECT message_id FROM message_locations"
                                                 " WHERE uid = 10"),
                   ==, tern_store_batch_get_id (batch, taken));
  {
    g_autoptr(GArray) uids = tern_store_list_folder_uids (f->store, inbox, NULL);
    g_assert_cmpuint (uids->len, ==, 125);
  }
}

/* ::changed and async results come from the store's main context, never
 * from the store thread itself, even while the main thread waits in a
 * blocking commit and so holds no context. */
static void
changed_thread_cb (TernStore        *store,
                   TernStoreChanges *changes,
                   gpointer          user_data)
{
  GThread **where = user_data;

  *where = g_thread_self ();
}

static void
commit_async_done_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GThread **where = user_data;

  g_assert_true (tern_store_commit_finish (TERN_STORE (source), result, NULL));
  *where = g_thread_self ();
}

static void
test_changes_main_thread (Fixture       *f,
                          gconstpointer  data)
{
  GThread *emitted = NULL, *completed = NULL;
  gint64 chat = make_chat (f, "g1");
  gulong id;

  id = g_signal_connect (f->store, "changed", G_CALLBACK (changed_thread_cb), &emitted);
  add_message (f, chat, "t1@example.test", "hi", 1000, FALSE, FALSE, 0, 0, NULL);
  /* The blocking commit has returned; the signal waits for the loop. */
  g_assert_null (emitted);
  while (emitted == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (emitted == g_thread_self ());

  emitted = NULL;
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    TernStoreMessageRow row = store_test_message (f->account, chat, "t2@example.test", "ho", 1001,
                                                  FALSE, FALSE);

    tern_store_batch_add_message (batch, &row, 0, 0);
    tern_store_commit_async (f->store, batch, NULL, commit_async_done_cb, &completed);
  }
  while (completed == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (completed == g_thread_self ());
  g_assert_true (emitted == g_thread_self ());
  g_signal_handler_disconnect (f->store, id);
}

/* Contacts and chats looked up again in one batch give the same rows (the
 * batch remembers them), and the memory follows an address that moves to
 * another contact and a chat deleted in the same batch. */
static void
test_lookups_in_one_batch (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  gint64 a1, a2, b, moved, c1, c2, gone, again;

  a1 = tern_store_batch_ensure_contact (batch, f->account, "x@example.test", "X");
  a2 = tern_store_batch_ensure_contact (batch, f->account, "x@example.test", "X again");
  b = tern_store_batch_ensure_contact (batch, f->account, "y@example.test", "Y");
  tern_store_batch_add_contact_address (batch, b, "x@example.test");
  moved = tern_store_batch_ensure_contact (batch, f->account, "x@example.test", NULL);
  c1 = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_GROUP, "g", "G", 0);
  c2 = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_GROUP, "g", "G", 0);
  gone = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_GROUP, "h", "H", 0);
  tern_store_batch_delete_chat (batch, gone);
  again = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_GROUP, "h", "H", 0);
  commit (f, batch);

  g_assert_cmpint (tern_store_batch_get_id (batch, a1), ==, tern_store_batch_get_id (batch, a2));
  g_assert_true (tern_store_batch_was_inserted (batch, a1));
  g_assert_false (tern_store_batch_was_inserted (batch, a2));
  g_assert_cmpint (tern_store_batch_get_id (batch, moved), ==, tern_store_batch_get_id (batch, b));
  g_assert_cmpint (tern_store_batch_get_id (batch, c1), ==, tern_store_batch_get_id (batch, c2));
  g_assert_false (tern_store_batch_was_inserted (batch, c2));
  /* Made again (its id may be the deleted one's: SQLite reuses the top id). */
  g_assert_true (tern_store_batch_was_inserted (batch, again));
  g_assert_cmpint (store_test_query_int (f->raw, "SELECT COUNT(*) FROM chats WHERE key = 'h'"), ==, 1);
}

static void
test_dedup_uidvalidity (Fixture       *f,
                        gconstpointer  data)
{
  gint64 chat = make_chat (f, "g1");
  gint64 inbox = make_folder (f, "INBOX", 100);
  gint64 other = make_folder (f, "Other", 5);
  gint64 id, again;

  id = add_message (f, chat, "m1@example.test", "hello", 1000, FALSE, FALSE, inbox, 1, NULL);
  add_message (f, chat, "m2@example.test", "there", 1001, FALSE, FALSE, other, 1, NULL);
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_set_folder_sync_state (batch, inbox, 2, 77, 1234);
    /* The same UIDVALIDITY drops nothing. */
    tern_store_batch_set_folder_uidvalidity (batch, inbox, 100);
    commit (f, batch);
  }
  g_assert_cmpuint (n_locations (f, id), ==, 1);

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_set_folder_uidvalidity (batch, inbox, 200);
    commit (f, batch);
  }
  g_assert_cmpuint (n_locations (f, id), ==, 0);
  g_assert_cmpuint (tern_store_count_messages (f->store, chat, NULL), ==, 2);
  {
    g_autoptr(TernStoreFolderRow) folder = tern_store_get_folder (f->store, inbox, NULL);
    g_assert_cmpuint (folder->uidvalidity, ==, 200);
    g_assert_cmpuint (folder->uidnext, ==, 0);
    g_assert_cmpuint (folder->highestmodseq, ==, 0);
  }
  {
    /* Other folders keep their locations. */
    g_autoptr(GArray) uids = tern_store_list_folder_uids (f->store, other, NULL);
    g_assert_cmpuint (uids->len, ==, 1);
  }

  /* Re-synced under new UIDs: still one message, one location. */
  again = add_message (f, chat, "m1@example.test", "hello", 1000, FALSE, FALSE, inbox, 31, NULL);
  g_assert_cmpint (again, ==, id);
  g_assert_cmpuint (n_locations (f, id), ==, 1);
  g_assert_cmpint (store_test_query_int (f->raw, "SELECT COUNT(*) FROM messages"), ==, 2);
}

/* ---- unread counts ----------------------------------------------------- */

static void
test_unread_exact (Fixture       *f,
                   gconstpointer  data)
{
  gint64 chat = make_chat (f, "g1");
  gint64 ids[10];
  g_autoptr(TernStoreChatRow) row = NULL;

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *mid = g_strdup_printf ("u%u@example.test", i);

      /* 0-2 seen, 3-4 outgoing (unseen but not unread), 5-9 unread */
      ids[i] = add_message (f, chat, mid, "text", 1000 + i, i < 3, i == 3 || i == 4, 0, 0, NULL);
    }
  row = tern_store_get_chat (f->store, chat, NULL);
  g_assert_cmpuint (row->unread_count, ==, 5);
  g_assert_cmpuint (row->message_count, ==, 10);
  g_assert_cmpint (row->last_message_id, ==, ids[9]);
  assert_counts_exact (f);

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_set_seen (batch, ids[5], TRUE);
    tern_store_batch_set_seen (batch, ids[5], TRUE);  /* twice: counted once */
    tern_store_batch_set_seen (batch, ids[0], TRUE);  /* already seen */
    tern_store_batch_set_seen (batch, ids[3], TRUE);  /* outgoing */
    commit (f, batch);
  }
  g_clear_pointer (&row, tern_store_chat_row_free);
  row = tern_store_get_chat (f->store, chat, NULL);
  g_assert_cmpuint (row->unread_count, ==, 4);
  assert_counts_exact (f);

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_set_seen (batch, ids[1], FALSE);  /* marked unread again */
    tern_store_batch_delete_message (batch, ids[9]);   /* an unread one */
    tern_store_batch_delete_message (batch, ids[2]);   /* a seen one */
    commit (f, batch);
  }
  g_clear_pointer (&row, tern_store_chat_row_free);
  row = tern_store_get_chat (f->store, chat, NULL);
  g_assert_cmpuint (row->unread_count, ==, 4);
  g_assert_cmpuint (row->message_count, ==, 8);
  g_assert_cmpint (row->last_message_id, ==, ids[8]);
  assert_counts_exact (f);

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_mark_chat_read (batch, chat);
    commit (f, batch);
  }
  g_clear_pointer (&row, tern_store_chat_row_free);
  row = tern_store_get_chat (f->store, chat, NULL);
  g_assert_cmpuint (row->unread_count, ==, 0);
  assert_counts_exact (f);
}

static void
test_unread_random (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (4242);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 chats[3];
  guint serial = 0;

  for (guint i = 0; i < G_N_ELEMENTS (chats); i++)
    {
      g_autofree char *key = g_strdup_printf ("chat%u", i);
      chats[i] = make_chat (f, key);
    }

  for (guint round = 0; round < 60; round++)
    {
      g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);

      for (guint n = 0; n < 8; n++)
        {
          guint what = g_rand_int_range (rand, 0, 10);

          if (what < 5 || ids->len == 0)
            {
              g_autofree char *mid = g_strdup_printf ("r%u@example.test", serial++);
              TernStoreMessageRow row = store_test_message (
                f->account, chats[g_rand_int_range (rand, 0, 3)], mid, "t",
                g_rand_int_range (rand, 1, 5000), g_rand_boolean (rand),
                g_rand_int_range (rand, 0, 4) == 0);
              gint64 ref = tern_store_batch_add_message (batch, &row, 0, 0);

              g_array_append_val (ids, ref);
            }
          else if (what < 8)
            tern_store_batch_set_seen (batch, g_array_index (ids, gint64, g_rand_int_range (rand, 0, ids->len)),
                                       g_rand_boolean (rand));
          else if (what < 9)
            tern_store_batch_delete_message (batch, g_array_index (ids, gint64, g_rand_int_range (rand, 0, ids->len)));
          else
            tern_store_batch_mark_chat_read (batch, chats[g_rand_int_range (rand, 0, 3)]);
        }
      commit (f, batch);
      for (guint i = 0; i < ids->len; i++)
        {
          gint64 *ref = &g_array_index (ids, gint64, i);
          if (*ref < 0)
            *ref = tern_store_batch_get_id (batch, *ref);
        }
      assert_counts_exact (f);
    }
  g_assert_cmpint (store_test_query_int (f->raw, "SELECT SUM(unread_count) FROM chats"), >, 0);
  store_test_assert_fts_ok (f->raw);
}

/* ---- attachments ------------------------------------------------------- */

static char *
attachment_path_of (Fixture    *f,
                    const char *content)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, content, -1);

  return tern_store_get_attachment_path (f->store, hash);
}

static void
test_attachments_delete_chat (Fixture       *f,
                              gconstpointer  data)
{
  gint64 chat_a = make_chat (f, "a");
  gint64 chat_b = make_chat (f, "b");
  g_autoptr(GBytes) shared = g_bytes_new_static ("shared content", 14);
  g_autoptr(GBytes) only_a = g_bytes_new_static ("only in a", 9);
  g_autofree char *shared_path = attachment_path_of (f, "shared content");
  g_autofree char *only_a_path = attachment_path_of (f, "only in a");
  g_autofree char *contents = NULL;
  g_autofree char *hash = NULL;
  gint64 ma, mb;

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    TernStoreMessageRow a = store_test_message (f->account, chat_a, "a@x", "a", 1, TRUE, FALSE);
    TernStoreMessageRow b = store_test_message (f->account, chat_b, "b@x", "b", 2, TRUE, FALSE);
    gint64 ra = tern_store_batch_add_message (batch, &a, 0, 0);
    gint64 rb = tern_store_batch_add_message (batch, &b, 0, 0);

    tern_store_batch_add_attachment (batch, ra, shared, "text/plain", "s.txt");
    tern_store_batch_add_attachment (batch, ra, only_a, "text/plain", "a.txt");
    tern_store_batch_add_attachment (batch, rb, shared, "text/plain", "s2.txt");
    commit (f, batch);
    ma = tern_store_batch_get_id (batch, ra);
    mb = tern_store_batch_get_id (batch, rb);
  }

  /* Laid out as attachments/ab/abcdef... with the content. */
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "shared content", -1);
  g_assert_true (g_str_has_suffix (shared_path, hash));
  {
    g_autofree char *parent = g_path_get_dirname (shared_path);
    g_autofree char *dir = g_path_get_basename (parent);
    g_assert_cmpint (strncmp (dir, hash, 2), ==, 0);
    g_assert_cmpuint (strlen (dir), ==, 2);
  }
  g_assert_true (g_file_get_contents (shared_path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "shared content");
  g_assert_true (g_file_test (only_a_path, G_FILE_TEST_IS_REGULAR));
  {
    g_autoptr(TernStoreMessageRow) row = tern_store_get_message (f->store, ma, NULL);
    g_autoptr(GPtrArray) list = tern_store_list_attachments (f->store, ma, NULL);

    g_assert_cmpuint (row->n_attachments, ==, 2);
    g_assert_cmpuint (list->len, ==, 2);
    g_assert_cmpstr (((TernStoreAttachmentRow *) list->pdata[1])->name, ==, "a.txt");
    g_assert_cmpint (((TernStoreAttachmentRow *) list->pdata[1])->size, ==, 9);
  }

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_delete_chat (batch, chat_a);
    commit (f, batch);
  }
  g_assert_false (g_file_test (only_a_path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (shared_path, G_FILE_TEST_IS_REGULAR));
  g_assert_null (tern_store_get_chat (f->store, chat_a, NULL));
  g_assert_null (tern_store_get_message (f->store, ma, NULL));
  g_assert_cmpint (store_test_query_int (f->raw, "SELECT COUNT(*) FROM attachments"), ==, 1);

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_delete_chat (batch, chat_b);
    commit (f, batch);
  }
  g_assert_false (g_file_test (shared_path, G_FILE_TEST_EXISTS));
  g_assert_null (tern_store_get_message (f->store, mb, NULL));
}

/* A failing batch leaves no new attachment file behind. */
/* A preview image is its own file, listed with its attachment, and goes
 * with it when the message goes (unless something else uses it). */
static void
test_attachments_preview (Fixture       *f,
                          gconstpointer  data)
{
  gint64 chat = make_chat (f, "p");
  g_autoptr(GBytes) full = g_bytes_new_static ("the full picture", 16);
  g_autoptr(GBytes) small = g_bytes_new_static ("small", 5);
  g_autofree char *full_path = attachment_path_of (f, "the full picture");
  g_autofree char *small_path = attachment_path_of (f, "small");
  g_autofree char *preview = NULL;
  gint64 message;

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    TernStoreMessageRow row = store_test_message (f->account, chat, "pic@x", NULL, 1, TRUE, FALSE);
    gint64 ref = tern_store_batch_add_message (batch, &row, 0, 0);

    preview = tern_store_batch_add_file (batch, small);
    tern_store_batch_add_attachment_with_preview (batch, ref, full, "image/jpeg", "pic.jpg", preview);
    commit (f, batch);
    message = tern_store_batch_get_id (batch, ref);
  }
  {
    g_autoptr(GPtrArray) files = tern_store_list_attachments (f->store, message, NULL);
    TernStoreAttachmentRow *a = files->pdata[0];

    g_assert_cmpuint (files->len, ==, 1);
    g_assert_cmpstr (a->preview_hash, ==, preview);
    g_assert_true (g_file_test (full_path, G_FILE_TEST_IS_REGULAR));
    g_assert_true (g_file_test (small_path, G_FILE_TEST_IS_REGULAR));
  }
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_delete_message (batch, message);
    commit (f, batch);
  }
  g_assert_false (g_file_test (full_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (small_path, G_FILE_TEST_EXISTS));
}

static void
test_attachments_rollback (Fixture       *f,
                           gconstpointer  data)
{
  gint64 chat = make_chat (f, "a");
  g_autoptr(GBytes) content = g_bytes_new_static ("rolled back", 11);
  g_autofree char *path = attachment_path_of (f, "rolled back");
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  g_autoptr(GError) error = NULL;
  TernStoreMessageRow ok = store_test_message (f->account, chat, "ok@x", "a", 1, TRUE, FALSE);
  TernStoreMessageRow bad = store_test_message (f->account, 999999, "bad@x", "b", 2, TRUE, FALSE);
  gint64 ref = tern_store_batch_add_message (batch, &ok, 0, 0);

  tern_store_batch_add_attachment (batch, ref, content, "text/plain", NULL);
  bad.account_id = f->account;
  tern_store_batch_add_message (batch, &bad, 0, 0);  /* no such chat: checked by the store */

  g_assert_false (tern_store_commit (f->store, batch, &error));
  g_assert_error (error, TERN_STORE_ERROR, TERN_STORE_ERROR_CONSTRAINT);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (store_test_query_int (f->raw, "SELECT COUNT(*) FROM messages"), ==, 0);
  g_assert_cmpint (tern_store_batch_get_id (batch, ref), ==, 0);
  assert_counts_exact (f);
}

static void
make_old (const char *path)
{
  struct utimbuf times = { 1000000000, 1000000000 };

  g_assert_cmpint (g_utime (path, &times), ==, 0);
}

/* Files a crash left behind (a temp file, a file whose batch never
 * committed) are removed at the next open once they are old; files in use
 * and recent files stay. */
static void
test_attachments_clean_at_open (Fixture       *f,
                                gconstpointer  data)
{
  gint64 chat = make_chat (f, "a");
  g_autoptr(GBytes) used = g_bytes_new_static ("in use", 6);
  g_autofree char *used_path = attachment_path_of (f, "in use");
  g_autofree char *orphan_path = attachment_path_of (f, "orphan");
  g_autofree char *recent_path = attachment_path_of (f, "recent orphan");
  g_autofree char *tmp_path = g_strconcat (orphan_path, ".tmp-ABCDEF", NULL);
  g_autofree char *orphan_dir = g_path_get_dirname (orphan_path);
  g_autofree char *recent_dir = g_path_get_dirname (recent_path);
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    TernStoreMessageRow row = store_test_message (f->account, chat, "a@x", "a", 1, TRUE, FALSE);
    gint64 ref = tern_store_batch_add_message (batch, &row, 0, 0);

    tern_store_batch_add_attachment (batch, ref, used, "text/plain", NULL);
    commit (f, batch);
  }
  g_assert_cmpint (g_mkdir_with_parents (orphan_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (recent_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (orphan_path, "orphan", -1, NULL));
  g_assert_true (g_file_set_contents (tmp_path, "orph", -1, NULL));
  g_assert_true (g_file_set_contents (recent_path, "recent orphan", -1, NULL));
  make_old (orphan_path);
  make_old (tmp_path);
  make_old (used_path);

  tern_store_close (f->store);
  g_clear_object (&f->store);
  f->store = tern_store_open (f->dir, &error);
  g_assert_no_error (error);
  {
    /* The clean-up runs on the store thread before any later batch. */
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    commit (f, batch);
  }
  g_assert_false (g_file_test (orphan_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (tmp_path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (used_path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (recent_path, G_FILE_TEST_IS_REGULAR));
}

/* Avatar files: stored without a message, kept while a contact or chat
 * refers to them, removed when replaced. */
static void
test_attachments_avatar (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GBytes) first = g_bytes_new_static ("avatar one", 10);
  g_autoptr(GBytes) second = g_bytes_new_static ("avatar two", 10);
  g_autofree char *first_path = attachment_path_of (f, "avatar one");
  g_autofree char *second_path = attachment_path_of (f, "avatar two");
  g_autofree char *hash = NULL;
  gint64 bob;

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    gint64 ref = tern_store_batch_ensure_contact (batch, f->account, "bob@example.test", "Bob");
    TernStoreContactRow values = { 0 };

    hash = tern_store_batch_add_file (batch, first);
    values.avatar = hash;
    tern_store_batch_update_contact (batch, ref, TERN_STORE_CONTACT_FIELD_AVATAR, &values);
    commit (f, batch);
    bob = tern_store_batch_get_id (batch, ref);
  }
  g_assert_true (g_str_has_suffix (first_path, hash));
  g_assert_true (g_file_test (first_path, G_FILE_TEST_IS_REGULAR));
  {
    g_autoptr(TernStoreContactRow) row = tern_store_get_contact (f->store, bob, NULL);
    g_assert_cmpstr (row->avatar, ==, hash);
  }

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    g_autofree char *hash2 = tern_store_batch_add_file (batch, second);
    TernStoreContactRow values = { .avatar = hash2 };

    tern_store_batch_update_contact (batch, bob, TERN_STORE_CONTACT_FIELD_AVATAR, &values);
    commit (f, batch);
  }
  g_assert_false (g_file_test (first_path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (second_path, G_FILE_TEST_IS_REGULAR));
}

/* ---- edits ------------------------------------------------------------- */

static void
test_edit_history (Fixture       *f,
                   gconstpointer  data)
{
  gint64 chat = make_chat (f, "g");
  gint64 id = add_message (f, chat, "orig@x", "one", 1000, FALSE, FALSE, 0, 0, NULL);
  g_autoptr(GPtrArray) edits = NULL;
  g_autoptr(TernStoreMessageRow) row = NULL;

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_edit_message (batch, f->account, "orig@x", "e1@x", "two", 1100);
    /* A later edit names the previous edit as its target. */
    tern_store_batch_edit_message (batch, f->account, "e1@x", "e2@x", "three", 1200);
    /* Seen again (a second folder): applied once. */
    tern_store_batch_edit_message (batch, f->account, "orig@x", "e1@x", "two", 1100);
    /* Unknown target: skipped, not an error. */
    tern_store_batch_edit_message (batch, f->account, "unknown@x", "e3@x", "zzz", 1300);
    commit (f, batch);
  }
  row = tern_store_get_message (f->store, id, NULL);
  g_assert_cmpstr (row->text, ==, "three");
  g_assert_true (row->edited);
  g_assert_false (row->deleted);
  edits = tern_store_list_edits (f->store, id, NULL);
  g_assert_cmpuint (edits->len, ==, 2);
  g_assert_cmpstr (((TernStoreEditRow *) edits->pdata[0])->old_text, ==, "one");
  g_assert_cmpstr (((TernStoreEditRow *) edits->pdata[0])->new_text, ==, "two");
  g_assert_cmpstr (((TernStoreEditRow *) edits->pdata[1])->old_text, ==, "two");
  g_assert_cmpstr (((TernStoreEditRow *) edits->pdata[1])->new_text, ==, "three");
  g_assert_cmpint (((TernStoreEditRow *) edits->pdata[1])->edited_at, ==, 1200);
  {
    g_autoptr(GPtrArray) hits = tern_store_search_messages (f->store, 0, "three", 10, NULL);
    g_autoptr(GPtrArray) old = tern_store_search_messages (f->store, 0, "one", 10, NULL);
    g_assert_cmpuint (hits->len, ==, 1);
    g_assert_cmpuint (old->len, ==, 0);
  }

  /* An empty edit deletes: text gone, history wiped, unread no more. */
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_edit_message (batch, f->account, "e2@x", "d1@x", "", 1400);
    commit (f, batch);
  }
  g_clear_pointer (&row, tern_store_message_row_free);
  g_clear_pointer (&edits, g_ptr_array_unref);
  row = tern_store_get_message (f->store, id, NULL);
  g_assert_true (row->deleted);
  g_assert_null (row->text);
  edits = tern_store_list_edits (f->store, id, NULL);
  g_assert_cmpuint (edits->len, ==, 1);
  g_assert_null (((TernStoreEditRow *) edits->pdata[0])->old_text);
  g_assert_null (((TernStoreEditRow *) edits->pdata[0])->new_text);
  {
    g_autoptr(GPtrArray) hits = tern_store_search_messages (f->store, 0, "three", 10, NULL);
    g_assert_cmpuint (hits->len, ==, 0);
  }
  assert_counts_exact (f);
  store_test_assert_fts_ok (f->raw);
  g_assert_cmpuint (tern_store_count_messages (f->store, chat, NULL), ==, 1);
}

/* New rows are indexed at the end of the batch; an edit or delete of a row
 * added earlier in the same batch still leaves the index exact. */
static void
test_edit_in_same_batch (Fixture       *f,
                         gconstpointer  data)
{
  gint64 chat = make_chat (f, "g");
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  TernStoreMessageRow a = store_test_message (f->account, chat, "sa@x", "apple", 1, TRUE, FALSE);
  TernStoreMessageRow b = store_test_message (f->account, chat, "sb@x", "banana", 2, TRUE, FALSE);
  TernStoreMessageRow c = store_test_message (f->account, chat, "sc@x", "cherry", 3, TRUE, FALSE);
  gint64 rb;

  tern_store_batch_add_message (batch, &a, 0, 0);
  rb = tern_store_batch_add_message (batch, &b, 0, 0);
  tern_store_batch_edit_message (batch, f->account, "sa@x", "ea@x", "apricot", 5);
  tern_store_batch_delete_message (batch, rb);
  tern_store_batch_add_message (batch, &c, 0, 0);
  commit (f, batch);

  store_test_assert_fts_ok (f->raw);
#define N_HITS(q) ({ g_autoptr(GPtrArray) h_ = tern_store_search_messages (f->store, 0, q, 10, NULL); h_->len; })
  g_assert_cmpuint (N_HITS ("apple"), ==, 0);
  g_assert_cmpuint (N_HITS ("apricot"), ==, 1);
  g_assert_cmpuint (N_HITS ("banana"), ==, 0);
  g_assert_cmpuint (N_HITS ("cherry"), ==, 1);
#undef N_HITS
}

/* ---- outbox and receipts ----------------------------------------------- */

static void
test_outbox_states (Fixture       *f,
                    gconstpointer  data)
{
  gint64 chat = make_chat (f, "g");
  g_autoptr(GBytes) raw = g_bytes_new_static ("From: a\r\n\r\nhi\r\n", 15);
  const char *rcpts[] = { "bob@example.test", "carol@example.test", NULL };
  gint64 msg, entry, msg2, entry2;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    TernStoreMessageRow row = store_test_message (f->account, chat, "out1@x", "hi", now, TRUE, TRUE);
    TernStoreMessageRow row2 = store_test_message (f->account, chat, "out2@x", "ho", now, TRUE, TRUE);
    gint64 m = tern_store_batch_add_message (batch, &row, 0, 0);
    gint64 m2 = tern_store_batch_add_message (batch, &row2, 0, 0);
    gint64 e = tern_store_batch_outbox_add (batch, f->account, m, "out1@x", raw, rcpts);
    gint64 e2 = tern_store_batch_outbox_add (batch, f->account, m2, "out2@x", raw, rcpts);

    commit (f, batch);
    msg = tern_store_batch_get_id (batch, m);
    entry = tern_store_batch_get_id (batch, e);
    msg2 = tern_store_batch_get_id (batch, m2);
    entry2 = tern_store_batch_get_id (batch, e2);
  }

#define STATE_OF(id) ({ g_autoptr(TernStoreMessageRow) r_ = tern_store_get_message (f->store, id, NULL); r_->state; })
#define DUE(t) ({ g_autoptr(GPtrArray) d_ = tern_store_list_outbox_due (f->store, f->account, t, NULL); d_->len; })

  g_assert_cmpint (STATE_OF (msg), ==, TERN_STORE_STATE_PENDING);
  g_assert_cmpuint (DUE (now), ==, 2);
  {
    g_autoptr(TernStoreOutboxRow) o = tern_store_get_outbox (f->store, entry, NULL);
    g_assert_cmpuint (g_bytes_get_size (o->raw), ==, 15);
    g_assert_cmpstrv (o->recipients, rcpts);
    g_assert_cmpint (o->state, ==, TERN_STORE_OUTBOX_QUEUED);
  }

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_outbox_set_sending (batch, entry);
    commit (f, batch);
  }
  g_assert_cmpuint (DUE (now), ==, 1);
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_outbox_retry (batch, entry, "451 try later", now + 60);
    commit (f, batch);
  }
  g_assert_cmpuint (DUE (now), ==, 1);
  g_assert_cmpuint (DUE (now + 60), ==, 2);
  {
    g_autoptr(TernStoreOutboxRow) o = tern_store_get_outbox (f->store, entry, NULL);
    g_assert_cmpint (o->attempts, ==, 1);
    g_assert_cmpstr (o->last_error, ==, "451 try later");
  }
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_outbox_set_sending (batch, entry);
    tern_store_batch_outbox_sent (batch, entry);
    tern_store_batch_outbox_set_sending (batch, entry2);
    tern_store_batch_outbox_failed (batch, entry2, "550 no such user");
    commit (f, batch);
  }
  {
    g_autoptr(TernStoreOutboxRow) o = tern_store_get_outbox (f->store, entry, NULL);
    g_autoptr(TernStoreOutboxRow) o2 = tern_store_get_outbox (f->store, entry2, NULL);
    g_assert_cmpint (o->state, ==, TERN_STORE_OUTBOX_SENT);
    g_assert_cmpint (o->attempts, ==, 2);
    g_assert_null (o->raw);
    g_assert_cmpint (o2->state, ==, TERN_STORE_OUTBOX_FAILED);
    g_assert_cmpstr (o2->last_error, ==, "550 no such user");
  }
  g_assert_cmpuint (DUE (now + 1000), ==, 0);
  g_assert_cmpint (STATE_OF (msg), ==, TERN_STORE_STATE_SENT);
  g_assert_cmpint (STATE_OF (msg2), ==, TERN_STORE_STATE_FAILED);

  /* A finished entry does not move any more. */
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_outbox_sent (batch, entry2);
    tern_store_batch_outbox_retry (batch, entry, "late", now);
    commit (f, batch);
  }
  {
    g_autoptr(TernStoreOutboxRow) o = tern_store_get_outbox (f->store, entry, NULL);
    g_assert_cmpint (o->state, ==, TERN_STORE_OUTBOX_SENT);
  }
  g_assert_cmpint (STATE_OF (msg2), ==, TERN_STORE_STATE_FAILED);
  {
    /* The failure's reason is on the message row too (the UI shows it). */
    g_autoptr(TernStoreMessageRow) r = tern_store_get_message (f->store, msg2, NULL);
    g_autoptr(TernStoreMessageRow) ok = tern_store_get_message (f->store, msg, NULL);

    g_assert_cmpstr (r->failure_reason, ==, "550 no such user");
    g_assert_null (ok->failure_reason);
  }
  {
    /* A retry queues it again and forgets the old reason. */
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    g_autoptr(TernStoreMessageRow) r = NULL;

    tern_store_batch_outbox_add (batch, f->account, msg2, "out2@x", raw, rcpts);
    commit (f, batch);
    r = tern_store_get_message (f->store, msg2, NULL);
    g_assert_cmpint (r->state, ==, TERN_STORE_STATE_PENDING);
    g_assert_null (r->failure_reason);
  }

  /* Receipts move the state forward only. */
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_add_receipt (batch, msg, "bob@example.test", TERN_STORE_RECEIPT_DELIVERED, now);
    commit (f, batch);
  }
  g_assert_cmpint (STATE_OF (msg), ==, TERN_STORE_STATE_DELIVERED);
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_add_receipt (batch, msg, "BOB@example.test", TERN_STORE_RECEIPT_READ, now + 5);
    tern_store_batch_add_receipt (batch, msg, "carol@example.test", TERN_STORE_RECEIPT_DELIVERED, now + 6);
    tern_store_batch_set_state (batch, msg, TERN_STORE_STATE_SENT);
    commit (f, batch);
  }
  g_assert_cmpint (STATE_OF (msg), ==, TERN_STORE_STATE_READ);
  {
    g_autoptr(GPtrArray) receipts = tern_store_list_receipts (f->store, msg, NULL);
    g_assert_cmpuint (receipts->len, ==, 2);
    g_assert_cmpint (((TernStoreReceiptRow *) receipts->pdata[0])->kind, ==, TERN_STORE_RECEIPT_READ);
    g_assert_cmpint (((TernStoreReceiptRow *) receipts->pdata[0])->time, ==, now + 5);
    g_assert_cmpint (((TernStoreReceiptRow *) receipts->pdata[1])->kind, ==, TERN_STORE_RECEIPT_DELIVERED);
  }
#undef STATE_OF
#undef DUE
}

/* Mentions, receipt requests and $MDNSent are kept on the row. */
static void
test_message_flags (Fixture       *f,
                    gconstpointer  data)
{
  gint64 chat = make_chat (f, "g");
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 plain, asked;

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    TernStoreMessageRow row = store_test_message (f->account, chat, "p@x", "hi all", now, FALSE, FALSE);
    TernStoreMessageRow row2 = store_test_message (f->account, chat, "a@x", "@Alice look", now, FALSE, FALSE);
    gint64 p, a;

    row2.mentions_me = TRUE;
    row2.receipt_to = (char *) "bob@example.test";
    p = tern_store_batch_add_message (batch, &row, 0, 0);
    a = tern_store_batch_add_message (batch, &row2, 0, 0);
    commit (f, batch);
    plain = tern_store_batch_get_id (batch, p);
    asked = tern_store_batch_get_id (batch, a);
  }
  {
    g_autoptr(TernStoreMessageRow) p = tern_store_get_message (f->store, plain, NULL);
    g_autoptr(TernStoreMessageRow) a = tern_store_get_message (f->store, asked, NULL);

    g_assert_false (p->mentions_me);
    g_assert_null (p->receipt_to);
    g_assert_true (a->mentions_me);
    g_assert_cmpstr (a->receipt_to, ==, "bob@example.test");
    g_assert_false (a->mdn_sent);
  }
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    g_autoptr(TernStoreMessageRow) a = NULL;

    tern_store_batch_set_mdn_sent (batch, asked);
    commit (f, batch);
    a = tern_store_get_message (f->store, asked, NULL);
    g_assert_true (a->mdn_sent);
  }
}

/* ---- change notifications ---------------------------------------------- */

typedef struct {
  GPtrArray *changes;
  gboolean   done;
  GError    *error;
} ChangesData;

static void
changed_cb (TernStore        *store,
            TernStoreChanges *changes,
            gpointer          user_data)
{
  ChangesData *data = user_data;

  g_ptr_array_add (data->changes, tern_store_changes_ref (changes));
}

static void
committed_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ChangesData *data = user_data;

  tern_store_commit_finish (TERN_STORE (object), result, &data->error);
  data->done = TRUE;
}

static TernStoreChanges *
commit_and_wait (Fixture        *f,
                 TernStoreBatch *batch,
                 ChangesData    *data)
{
  data->done = FALSE;
  g_ptr_array_set_size (data->changes, 0);
  tern_store_commit_async (f->store, batch, NULL, committed_cb, data);
  while (!data->done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (data->error);
  /* The signal was queued before the result. */
  g_assert_cmpuint (data->changes->len, ==, 1);
  return data->changes->pdata[0];
}

static void
test_changes (Fixture       *f,
              gconstpointer  data)
{
  ChangesData cd = { g_ptr_array_new_with_free_func ((GDestroyNotify) tern_store_changes_unref) };
  TernStoreChanges *changes;
  gint64 chat, m[3];
  gulong handler = g_signal_connect (f->store, "changed", G_CALLBACK (changed_cb), &cd);

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    gint64 c = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_GROUP, "k", "K", 0);
    gint64 r[3];

    for (guint i = 0; i < 3; i++)
      {
        g_autofree char *mid = g_strdup_printf ("c%u@x", i);
        TernStoreMessageRow row = store_test_message (f->account, c, mid, "t", 500 + i, FALSE, FALSE);
        r[i] = tern_store_batch_add_message (batch, &row, 0, 0);
      }
    tern_store_batch_set_seen (batch, r[0], TRUE);  /* inserted wins over updated */
    changes = commit_and_wait (f, batch, &cd);
    chat = tern_store_batch_get_id (batch, c);
    for (guint i = 0; i < 3; i++)
      m[i] = tern_store_batch_get_id (batch, r[i]);
  }
  g_assert_cmpuint (changes->chats_inserted->len, ==, 1);
  g_assert_cmpint (g_array_index (changes->chats_inserted, gint64, 0), ==, chat);
  g_assert_cmpuint (changes->chats_updated->len, ==, 0);
  g_assert_cmpuint (changes->messages_inserted->len, ==, 3);
  g_assert_cmpuint (changes->messages_updated->len, ==, 0);
  for (guint i = 0; i < 3; i++)
    {
      TernStoreMessageChange *c = &g_array_index (changes->messages_inserted, TernStoreMessageChange, i);
      g_assert_cmpint (c->id, ==, m[i]);
      g_assert_cmpint (c->chat_id, ==, chat);
      g_assert_cmpint (c->sort_key, ==, 500 + i);
    }

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_mark_chat_read (batch, chat);
    tern_store_batch_delete_message (batch, m[2]);
    changes = commit_and_wait (f, batch, &cd);
  }
  g_assert_cmpuint (changes->chats_updated->len, ==, 1);
  g_assert_cmpuint (changes->messages_updated->len, ==, 1);  /* m[1]; m[2] deleted */
  g_assert_cmpint (g_array_index (changes->messages_updated, TernStoreMessageChange, 0).id, ==, m[1]);
  g_assert_cmpuint (changes->messages_deleted->len, ==, 1);
  g_assert_cmpint (g_array_index (changes->messages_deleted, TernStoreMessageChange, 0).id, ==, m[2]);

  {
    /* A batch that changes nothing emits nothing. */
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_set_seen (batch, m[0], TRUE);
    cd.done = FALSE;
    g_ptr_array_set_size (cd.changes, 0);
    tern_store_commit_async (f->store, batch, NULL, committed_cb, &cd);
    while (!cd.done)
      g_main_context_iteration (NULL, TRUE);
    while (g_main_context_iteration (NULL, FALSE))
      ;
    g_assert_cmpuint (cd.changes->len, ==, 0);
  }

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_delete_chat (batch, chat);
    changes = commit_and_wait (f, batch, &cd);
  }
  g_assert_cmpuint (changes->chats_deleted->len, ==, 1);
  g_assert_cmpuint (changes->chats_updated->len, ==, 0);
  g_assert_cmpuint (changes->messages_deleted->len, ==, 0);

  g_signal_handler_disconnect (f->store, handler);
  g_ptr_array_unref (cd.changes);
}

/* ---- pagination and lists ---------------------------------------------- */

static void
test_pagination (Fixture       *f,
                 gconstpointer  data)
{
  gint64 chat = make_chat (f, "big");
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  TernStoreCursor cursor = { 0 };
  gboolean have_cursor = FALSE;
  gint64 prev_key = G_MAXINT64, prev_id = G_MAXINT64;
  guint total = 0;

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    for (guint i = 0; i < 437; i++)
      {
        g_autofree char *mid = g_strdup_printf ("p%u@x", i);
        /* Many equal sort keys: the id breaks ties. */
        TernStoreMessageRow row = store_test_message (f->account, chat, mid, "t", 1000 + (i * 7919) % 50,
                                                      TRUE, FALSE);
        tern_store_batch_add_message (batch, &row, 0, 0);
      }
    commit (f, batch);
  }

  for (;;)
    {
      g_autoptr(GPtrArray) page = tern_store_get_messages (f->store, chat, have_cursor ? &cursor : NULL,
                                                           50, NULL);
      g_assert_nonnull (page);
      if (page->len == 0)
        break;
      /* Oldest first within the page, and older than everything before. */
      for (guint i = page->len; i-- > 0;)
        {
          TernStoreMessageRow *row = page->pdata[i];
          g_assert_true (row->sort_key < prev_key || (row->sort_key == prev_key && row->id < prev_id));
          prev_key = row->sort_key;
          prev_id = row->id;
          g_assert_false (g_hash_table_contains (seen, &row->id));
          g_hash_table_add (seen, g_memdup2 (&row->id, sizeof row->id));
          total++;
        }
      cursor.sort_key = ((TernStoreMessageRow *) page->pdata[0])->sort_key;
      cursor.id = ((TernStoreMessageRow *) page->pdata[0])->id;
      have_cursor = TRUE;
    }
  g_assert_cmpuint (total, ==, 437);
  g_assert_cmpuint (tern_store_count_messages (f->store, chat, NULL), ==, 437);

  {
    /* Forward paging from the oldest meets the same rows in reverse. */
    g_autoptr(GPtrArray) first = tern_store_get_messages_after (f->store, chat, NULL, 10, NULL);
    TernStoreCursor c = { ((TernStoreMessageRow *) first->pdata[9])->sort_key,
                          ((TernStoreMessageRow *) first->pdata[9])->id };
    g_autoptr(GPtrArray) next = tern_store_get_messages_after (f->store, chat, &c, 10, NULL);

    g_assert_cmpint (((TernStoreMessageRow *) first->pdata[0])->id, ==, prev_id);
    g_assert_cmpuint (next->len, ==, 10);
    g_assert_true (((TernStoreMessageRow *) next->pdata[0])->sort_key >= c.sort_key);
  }
}

static void
test_chat_list (Fixture       *f,
                gconstpointer  data)
{
  gint64 a = make_chat (f, "a"), b = make_chat (f, "b"), c = make_chat (f, "c"), d = make_chat (f, "d");
  g_autoptr(GPtrArray) list = NULL;

  add_message (f, a, "1@x", "in a", 3000, FALSE, FALSE, 0, 0, NULL);
  add_message (f, b, "2@x", "in b", 1000, FALSE, FALSE, 0, 0, NULL);
  add_message (f, c, "3@x", "in c", 2000, FALSE, FALSE, 0, 0, NULL);
  add_message (f, d, "4@x", "in d", 4000, FALSE, FALSE, 0, 0, NULL);
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    TernStoreChatRow values = { 0 };

    values.pinned = TRUE;
    tern_store_batch_update_chat (batch, b, TERN_STORE_CHAT_FIELD_PINNED, &values);
    values.archived = TRUE;
    values.name = (char *) "renamed";
    tern_store_batch_update_chat (batch, d, TERN_STORE_CHAT_FIELD_ARCHIVED | TERN_STORE_CHAT_FIELD_NAME,
                                  &values);
    commit (f, batch);
  }
  /* last_activity of a chat with messages: its newest message's sort key. */
  list = tern_store_list_chats (f->store, f->account, TERN_STORE_CHAT_FILTER_ACTIVE, 0, 0, NULL);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpint (((TernStoreChatRow *) list->pdata[0])->id, ==, b);  /* pinned first */
  g_assert_cmpint (((TernStoreChatRow *) list->pdata[1])->id, ==, a);
  g_assert_cmpint (((TernStoreChatRow *) list->pdata[2])->id, ==, c);
  g_assert_cmpstr (((TernStoreChatRow *) list->pdata[1])->last_text, ==, "in a");
  g_assert_cmpstr (((TernStoreChatRow *) list->pdata[1])->last_sender, ==, "peer@example.test");
  g_assert_false (((TernStoreChatRow *) list->pdata[1])->last_outgoing);
  g_assert_false (((TernStoreChatRow *) list->pdata[1])->pinned);
  g_clear_pointer (&list, g_ptr_array_unref);

  list = tern_store_list_chats (f->store, 0, TERN_STORE_CHAT_FILTER_ACTIVE, 1, 1, NULL);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (((TernStoreChatRow *) list->pdata[0])->id, ==, a);
  g_clear_pointer (&list, g_ptr_array_unref);

  list = tern_store_list_chats (f->store, 0, TERN_STORE_CHAT_FILTER_ARCHIVED, 0, 0, NULL);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((TernStoreChatRow *) list->pdata[0])->name, ==, "renamed");
  g_assert_true (((TernStoreChatRow *) list->pdata[0])->archived);
  g_clear_pointer (&list, g_ptr_array_unref);

  {
    /* Ids in the same order as the rows; rows fetched by id keep the order given. */
    g_autoptr(GArray) ids = tern_store_list_chat_ids (f->store, 0, TERN_STORE_CHAT_FILTER_ACTIVE, NULL);
    g_autoptr(GArray) ids_account = tern_store_list_chat_ids (f->store, f->account,
                                                              TERN_STORE_CHAT_FILTER_ACTIVE, NULL);
    g_autoptr(GArray) archived = tern_store_list_chat_ids (f->store, 0, TERN_STORE_CHAT_FILTER_ARCHIVED, NULL);
    g_autoptr(GArray) none = tern_store_list_chat_ids (f->store, f->account + 1, TERN_STORE_CHAT_FILTER_ALL, NULL);
    gint64 wanted[] = { c, 424242, b };
    g_autoptr(GPtrArray) rows = tern_store_get_chats (f->store, wanted, G_N_ELEMENTS (wanted), NULL);

    g_assert_cmpuint (ids->len, ==, 3);
    g_assert_cmpint (g_array_index (ids, gint64, 0), ==, b);
    g_assert_cmpint (g_array_index (ids, gint64, 1), ==, a);
    g_assert_cmpint (g_array_index (ids, gint64, 2), ==, c);
    g_assert_cmpuint (ids_account->len, ==, 3);
    g_assert_cmpuint (archived->len, ==, 1);
    g_assert_cmpint (g_array_index (archived, gint64, 0), ==, d);
    g_assert_cmpuint (none->len, ==, 0);
    g_assert_cmpuint (rows->len, ==, 2);
    g_assert_cmpint (((TernStoreChatRow *) rows->pdata[0])->id, ==, c);
    g_assert_cmpstr (((TernStoreChatRow *) rows->pdata[0])->last_text, ==, "in c");
    g_assert_cmpint (((TernStoreChatRow *) rows->pdata[1])->id, ==, b);
  }

  list = tern_store_list_chats (f->store, 0, TERN_STORE_CHAT_FILTER_ALL, 0, 0, NULL);
  g_assert_cmpuint (list->len, ==, 4);
  g_assert_cmpuint (tern_store_count_chats (f->store, 0, TERN_STORE_CHAT_FILTER_ACTIVE, NULL), ==, 3);
  g_assert_cmpuint (tern_store_count_chats (f->store, f->account + 1, TERN_STORE_CHAT_FILTER_ALL, NULL), ==, 0);
}

/* ---- contacts, accounts, folders --------------------------------------- */

/* One person under two contacts (same COI-From-Hash): after the merge one
 * contact has both addresses, their two 1:1 chats are one chat with every
 * message and exact counters, and group memberships and senders follow. */
static void
test_contacts_merge (Fixture       *f,
                     gconstpointer  data)
{
  gint64 home, work, home_chat, work_chat, group, stranger;
  gint64 now = 1700000000;

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    gint64 h = tern_store_batch_ensure_contact (batch, f->account, "ann@home.test", NULL);
    gint64 w = tern_store_batch_ensure_contact (batch, f->account, "ann@work.test", "Ann Smith");
    gint64 s = tern_store_batch_ensure_contact (batch, f->account, "sam@example.test", "Sam");
    gint64 hc = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_DIRECT,
                                              "ann@home.test", "ann@home.test", h);
    gint64 wc = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_DIRECT,
                                              "ann@work.test", "Ann Smith", w);
    gint64 g = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_GROUP,
                                             "grp", "Group", 0);
    TernStoreContactRow values = { .from_hash = (char *) "74b3c446" };
    TernStoreContactRow other = { .from_hash = (char *) "ffff0000" };

    tern_store_batch_update_contact (batch, h, TERN_STORE_CONTACT_FIELD_FROM_HASH, &values);
    tern_store_batch_update_contact (batch, w, TERN_STORE_CONTACT_FIELD_FROM_HASH, &values);
    tern_store_batch_update_contact (batch, s, TERN_STORE_CONTACT_FIELD_FROM_HASH, &other);
    tern_store_batch_set_chat_member (batch, g, w, TRUE);
    for (guint i = 0; i < 6; i++)
      {
        g_autofree char *mid = g_strdup_printf ("merge%u@x", i);
        TernStoreMessageRow row = store_test_message (f->account, i < 3 ? hc : wc, mid, "hi",
                                                      now + i, i % 2, FALSE);
        row.sender_contact_id = i < 3 ? h : w;
        tern_store_batch_add_message (batch, &row, 0, 0);
      }
    commit (f, batch);
    home = tern_store_batch_get_id (batch, h);
    work = tern_store_batch_get_id (batch, w);
    stranger = tern_store_batch_get_id (batch, s);
    home_chat = tern_store_batch_get_id (batch, hc);
    work_chat = tern_store_batch_get_id (batch, wc);
    group = tern_store_batch_get_id (batch, g);
  }

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_merge_contacts_by_hash (batch, f->account, "74b3c446");
    commit (f, batch);
  }

  {
    g_autoptr(TernStoreContactRow) kept = tern_store_get_contact (f->store, home, NULL);
    g_autoptr(TernStoreContactRow) gone = tern_store_get_contact (f->store, work, NULL);
    g_autoptr(TernStoreContactRow) sam = tern_store_get_contact (f->store, stranger, NULL);
    g_auto(GStrv) addresses = tern_store_list_contact_addresses (f->store, home, NULL);
    g_autoptr(TernStoreChatRow) chat = tern_store_get_chat (f->store, home_chat, NULL);
    g_autoptr(TernStoreChatRow) old = tern_store_get_chat (f->store, work_chat, NULL);
    g_autoptr(GArray) members = tern_store_list_chat_members (f->store, group, NULL);
    g_autoptr(TernStoreContactRow) by_work = tern_store_find_contact (f->store, f->account,
                                                                       "ann@work.test", NULL);

    g_assert_nonnull (kept);
    g_assert_null (gone);
    g_assert_nonnull (sam);
    g_assert_cmpstr (kept->display_name, ==, "Ann Smith");  /* the empty name filled */
    g_assert_cmpuint (g_strv_length (addresses), ==, 2);
    g_assert_cmpint (by_work->id, ==, home);
    g_assert_null (old);
    g_assert_nonnull (chat);
    g_assert_cmpuint (chat->message_count, ==, 6);
    g_assert_cmpuint (tern_store_count_messages (f->store, home_chat, NULL), ==, 6);
    g_assert_cmpuint (members->len, ==, 1);
    g_assert_cmpint (g_array_index (members, gint64, 0), ==, home);
  }
  g_assert_cmpint (store_test_query_int (f->raw, "SELECT COUNT(*) FROM messages WHERE sender_contact_id = "
                                                 "(SELECT MAX(id) FROM contacts WHERE from_hash = '74b3c446')"), ==, 6);
  assert_counts_exact (f);

  {
    /* Two contacts of different accounts are never merged. */
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    g_autoptr(GError) error = NULL;

    tern_store_batch_merge_contacts (batch, home, 999999);
    g_assert_false (tern_store_commit (f->store, batch, &error));
    g_assert_error (error, TERN_STORE_ERROR, TERN_STORE_ERROR_CONSTRAINT);
  }
}

static void
test_contacts (Fixture       *f,
               gconstpointer  data)
{
  gint64 bob, bob2, chat;
  g_auto(GStrv) addresses = NULL;

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    gint64 r1 = tern_store_batch_ensure_contact (batch, f->account, "bob@example.test", "Bob");
    gint64 r2 = tern_store_batch_ensure_contact (batch, f->account, "BOB@Example.test", "Other");
    gint64 c = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_DIRECT,
                                             "bob@example.test", "Bob", r1);
    TernStoreContactRow values = { 0 };

    tern_store_batch_add_contact_address (batch, r1, "bob@work.test");
    values.blocked = TRUE;
    values.from_hash = (char *) "abc";
    tern_store_batch_update_contact (batch, r1, TERN_STORE_CONTACT_FIELD_BLOCKED |
                                                TERN_STORE_CONTACT_FIELD_FROM_HASH, &values);
    tern_store_batch_set_chat_member (batch, c, r1, TRUE);
    commit (f, batch);
    bob = tern_store_batch_get_id (batch, r1);
    bob2 = tern_store_batch_get_id (batch, r2);
    chat = tern_store_batch_get_id (batch, c);
    g_assert_true (tern_store_batch_was_inserted (batch, r1));
    g_assert_false (tern_store_batch_was_inserted (batch, r2));
  }
  g_assert_cmpint (bob, ==, bob2);
  {
    /* The chat list shows the sender's name; an outgoing message is flagged. */
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    TernStoreMessageRow row = store_test_message (f->account, chat, "from-bob@x", "hi", 10, FALSE, FALSE);
    g_autoptr(TernStoreChatRow) chat_row = NULL;

    row.sender_contact_id = bob;
    tern_store_batch_add_message (batch, &row, 0, 0);
    commit (f, batch);
    chat_row = tern_store_get_chat (f->store, chat, NULL);
    g_assert_cmpstr (chat_row->last_sender_name, ==, "Bob");
    g_assert_false (chat_row->last_outgoing);
  }
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    TernStoreMessageRow row = store_test_message (f->account, chat, "to-bob@x", "ho", 20, TRUE, TRUE);
    g_autoptr(TernStoreChatRow) chat_row = NULL;

    tern_store_batch_add_message (batch, &row, 0, 0);
    commit (f, batch);
    chat_row = tern_store_get_chat (f->store, chat, NULL);
    g_assert_null (chat_row->last_sender_name);
    g_assert_true (chat_row->last_outgoing);
    g_assert_cmpstr (chat_row->last_text, ==, "ho");
  }
  {
    g_autoptr(TernStoreContactRow) row = tern_store_find_contact (f->store, f->account, "bob@WORK.test", NULL);
    g_assert_nonnull (row);
    g_assert_cmpint (row->id, ==, bob);
    g_assert_cmpstr (row->display_name, ==, "Bob");
    g_assert_true (row->blocked);
    g_assert_cmpstr (row->from_hash, ==, "abc");
  }
  addresses = tern_store_list_contact_addresses (f->store, bob, NULL);
  g_assert_cmpuint (g_strv_length (addresses), ==, 2);
  {
    g_autoptr(GArray) members = tern_store_list_chat_members (f->store, chat, NULL);
    g_autoptr(TernStoreChatRow) row = tern_store_find_chat (f->store, f->account, TERN_STORE_CHAT_KIND_DIRECT,
                                                            "bob@example.test", NULL);
    g_assert_cmpuint (members->len, ==, 1);
    g_assert_cmpint (row->contact_id, ==, bob);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(TernStoreContactRow) none = tern_store_find_contact (f->store, f->account, "x@y", &error);
    g_assert_null (none);
    g_assert_error (error, TERN_STORE_ERROR, TERN_STORE_ERROR_NOT_FOUND);
  }
}

static void
test_accounts (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(TernStoreAccountRow) row = tern_store_get_account (f->store, f->account, NULL);
  g_autoptr(GHashTable) pins = NULL;
  g_autoptr(GPtrArray) folders = NULL;

  g_assert_cmpstr (row->address, ==, "alice@example.test");
  g_assert_cmpuint (row->imap_port, ==, 993);
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    g_free (row->mailbox_root);
    row->mailbox_root = g_strdup ("COI");
    row->coi_server = TRUE;
    row->filter_mode = TERN_STORE_FILTER_SEEN;
    tern_store_batch_update_account (batch, row);
    tern_store_batch_pin_certificate (batch, f->account, "imap.example.test", "ABCDEF");
    tern_store_batch_ensure_folder (batch, f->account, "INBOX", "/", TERN_STORE_FOLDER_ROLE_INBOX);
    tern_store_batch_ensure_folder (batch, f->account, "COI/Chats", "/", TERN_STORE_FOLDER_ROLE_CHATS);
    tern_store_batch_ensure_folder (batch, f->account, "INBOX", "/", TERN_STORE_FOLDER_ROLE_INBOX);
    commit (f, batch);
  }
  g_clear_pointer (&row, tern_store_account_row_free);
  row = tern_store_get_account (f->store, f->account, NULL);
  g_assert_cmpstr (row->mailbox_root, ==, "COI");
  g_assert_true (row->coi_server);
  g_assert_cmpint (row->filter_mode, ==, TERN_STORE_FILTER_SEEN);
  pins = tern_store_get_pinned_certificates (f->store, f->account, NULL);
  g_assert_cmpstr (g_hash_table_lookup (pins, "imap.example.test"), ==, "abcdef");
  folders = tern_store_list_folders (f->store, f->account, NULL);
  g_assert_cmpuint (folders->len, ==, 2);

  {
    /* Removing the account removes what it owns. */
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_remove_account (batch, f->account);
    commit (f, batch);
  }
  g_assert_cmpint (store_test_query_int (f->raw, "SELECT COUNT(*) FROM folders"), ==, 0);
  g_assert_cmpint (store_test_query_int (f->raw, "SELECT COUNT(*) FROM accounts"), ==, 0);
}

static void
test_closed (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;

  tern_store_close (f->store);
  g_assert_false (tern_store_commit (f->store, batch, &error));
  g_assert_error (error, TERN_STORE_ERROR, TERN_STORE_ERROR_CLOSED);
  g_assert_null (tern_store_list_chats (f->store, 0, 0, 0, 10, &error2));
  g_assert_error (error2, TERN_STORE_ERROR, TERN_STORE_ERROR_CLOSED);
}

/* Many Message-IDs read at once: more than one statement's worth (64), a
 * missing one, another account's, a NULL entry and one given twice. */
static void
test_find_message_ids (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) found = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  gint64 other = store_test_add_account (f->store, "bob@example.test");
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  gint64 chat = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_GROUP, "g",
                                              "g", 0);
  gint64 other_chat = tern_store_batch_ensure_chat (batch, other, TERN_STORE_CHAT_KIND_GROUP, "g",
                                                    "g", 0);

  for (guint i = 0; i < 150; i++)
    {
      g_autofree char *mid = g_strdup_printf ("m%u@x", i);
      TernStoreMessageRow row = store_test_message (f->account, chat, mid, "text", i + 1, i % 2,
                                                    FALSE);

      /* every third is stored, the others are only asked for */
      if (i % 3 == 0)
        tern_store_batch_add_message (batch, &row, 0, 0);
      g_ptr_array_add (ids, g_steal_pointer (&mid));
    }
  {
    TernStoreMessageRow row = store_test_message (other, other_chat, "theirs@x", "text", 1, FALSE,
                                                  FALSE);

    tern_store_batch_add_message (batch, &row, 0, 0);
  }
  g_assert_true (tern_store_commit (f->store, batch, &error));
  g_assert_no_error (error);
  g_ptr_array_add (ids, g_strdup ("theirs@x"));
  g_ptr_array_add (ids, NULL);
  g_ptr_array_add (ids, g_strdup ("m3@x"));

  found = tern_store_find_message_ids (f->store, f->account, (const char * const *) ids->pdata,
                                       ids->len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpuint (g_hash_table_size (found), ==, 50);
  for (guint i = 0; i < 150; i++)
    {
      const TernStoreMessageRow *row = g_hash_table_lookup (found, ids->pdata[i]);

      if (i % 3 != 0)
        {
          g_assert_null (row);
          continue;
        }
      g_assert_nonnull (row);
      g_assert_cmpstr (row->message_id, ==, ids->pdata[i]);
      g_assert_cmpint (row->chat_id, ==, tern_store_batch_get_id (batch, chat));
      g_assert_cmpint (row->sent_time, ==, i + 1);
      g_assert_cmpint (row->seen, ==, i % 2);
      {
        g_autoptr(TernStoreMessageRow) one = tern_store_find_message (f->store, f->account,
                                                                      ids->pdata[i], &error);

        g_assert_no_error (error);
        g_assert_cmpint (one->id, ==, row->id);
      }
    }
  g_assert_false (g_hash_table_contains (found, "theirs@x"));

  {
    /* nothing asked, nothing found */
    g_autoptr(GHashTable) none = tern_store_find_message_ids (f->store, f->account, NULL, 0, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_hash_table_size (none), ==, 0);
  }
}

static gint64
file_size (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GStatBuf st;

  return g_stat (path, &st) == 0 ? st.st_size : 0;
}

/* Commits @n batches of 500 messages of about 8 KB each (one word, so the
 * full-text index stays small): about 4 MB a batch. */
static void
commit_big_batches (Fixture *f,
                    guint    first,
                    guint    n)
{
  g_autofree char *text = g_strnfill (8000, 'w');

  for (guint k = first; k < first + n; k++)
    {
      g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
      g_autoptr(GError) error = NULL;
      g_autofree char *key = g_strdup_printf ("wal-%u", k);
      gint64 chat = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_GROUP,
                                                  key, key, 0);

      for (guint i = 0; i < 500; i++)
        {
          g_autofree char *mid = g_strdup_printf ("w%u.%u@x", k, i);
          TernStoreMessageRow row = store_test_message (f->account, chat, mid, text, k, TRUE, FALSE);

          tern_store_batch_add_message (batch, &row, 0, 0);
        }
      g_assert_true (tern_store_commit (f->store, batch, &error));
      g_assert_no_error (error);
    }
}

/* The write-ahead log is copied into the database by the checkpointer
 * thread while the store is open and busy, not only at close; and a sync
 * that never pauses does not grow it beyond its bound (64 MiB, plus the
 * batch that crossed it). */
static void
test_wal_checkpointed (Fixture       *f,
                       gconstpointer  data)
{
  gint64 start = g_get_monotonic_time ();

  commit_big_batches (f, 0, 4);
  /* ~16 MB went into the log: the checkpointer copies it meanwhile. */
  while (file_size (f->dir, "tern.db") < 12 * 1024 * 1024)
    {
      g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_USEC_PER_SEC);
      g_usleep (10 * 1000);
    }
  g_test_message ("database %" G_GINT64_FORMAT " bytes, log %" G_GINT64_FORMAT " bytes",
                  file_size (f->dir, "tern.db"), file_size (f->dir, "tern.db-wal"));

  /* ~100 MB more without a pause: the log restarts, bounded. */
  commit_big_batches (f, 4, 25);
  g_test_message ("database %" G_GINT64_FORMAT " bytes, log %" G_GINT64_FORMAT " bytes",
                  file_size (f->dir, "tern.db"), file_size (f->dir, "tern.db-wal"));
  g_assert_cmpint (file_size (f->dir, "tern.db-wal"), <, (64 + 8) * 1024 * 1024);
  g_assert_cmpint (store_test_query_int (f->raw, "SELECT COUNT(*) FROM messages"), ==, 29 * 500);
  {
    g_autofree char *integrity = store_test_query_text (f->raw, "PRAGMA integrity_check");

    g_assert_cmpstr (integrity, ==, "ok");
  }
}

/* The batch size a sync's history is committed in: a quarter of what is
 * left, from 1,000 to 4,000 messages, never more than is left. */
static void
test_batch_size_for (void)
{
  g_assert_cmpuint (tern_store_batch_size_for (0), ==, 0);
  g_assert_cmpuint (tern_store_batch_size_for (1), ==, 1);
  g_assert_cmpuint (tern_store_batch_size_for (999), ==, 999);
  g_assert_cmpuint (tern_store_batch_size_for (1000), ==, 1000);
  g_assert_cmpuint (tern_store_batch_size_for (3999), ==, 1000);
  g_assert_cmpuint (tern_store_batch_size_for (10000), ==, 2500);
  g_assert_cmpuint (tern_store_batch_size_for (16004), ==, 4000);
  g_assert_cmpuint (tern_store_batch_size_for (G_MAXUINT), ==, 4000);
  {
    /* 100,000 messages take 30 batches, none smaller than 1,000 but the last. */
    guint left = 100000, batches = 0;

    while (left > 0)
      {
        guint n = tern_store_batch_size_for (left);

        g_assert_true (n >= 1000 || n == left);
        left -= n;
        batches++;
      }
    g_assert_cmpuint (batches, ==, 30);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/store/dedup/same-message-twice", test_dedup_same_twice);
  ADD ("/store/dedup/two-folders", test_dedup_two_folders);
  ADD ("/store/dedup/uidvalidity-change", test_dedup_uidvalidity);
  ADD ("/store/locations/big-batch", test_locations_big_batch);
  g_test_add_func ("/store/batch/size-for", test_batch_size_for);
  ADD ("/store/wal/checkpointed", test_wal_checkpointed);
  ADD ("/store/find/message-ids", test_find_message_ids);
  ADD ("/store/batch/lookups", test_lookups_in_one_batch);
  ADD ("/store/unread/exact", test_unread_exact);
  ADD ("/store/unread/random-operations", test_unread_random);
  ADD ("/store/attachments/delete-chat", test_attachments_delete_chat);
  ADD ("/store/attachments/rollback", test_attachments_rollback);
  ADD ("/store/attachments/clean-at-open", test_attachments_clean_at_open);
  ADD ("/store/attachments/avatar", test_attachments_avatar);
  ADD ("/store/edits/history", test_edit_history);
  ADD ("/store/edits/same-batch", test_edit_in_same_batch);
  ADD ("/store/outbox/states", test_outbox_states);
  ADD ("/store/changes/signal", test_changes);
  ADD ("/store/changes/main-thread", test_changes_main_thread);
  ADD ("/store/messages/flags", test_message_flags);
  ADD ("/store/contacts/merge", test_contacts_merge);
  ADD ("/store/attachments/preview", test_attachments_preview);
  ADD ("/store/messages/pagination", test_pagination);
  ADD ("/store/chats/list", test_chat_list);
  ADD ("/store/contacts/addresses", test_contacts);
  ADD ("/store/accounts/settings", test_accounts);
  ADD ("/store/closed", test_closed);
#undef ADD

  return g_test_run ();
}
