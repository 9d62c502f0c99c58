/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store-test-util.h"
#include "tern-test-asan.h"

/* Crash safety: a child process (this binary with --crash-child DIR) writes
 * batches as fast as it can; we SIGKILL it at random points, reopen, and
 * check that the database is sound and every batch is whole or absent.
 * Each batch = a marker chat "batch-K" + N messages + one attachment. */

#define N_PER_BATCH 25
#define N_KILLS     50

/* How long the child may write before it is killed, at most (ms). Under
 * AddressSanitizer a batch with its fsynced attachment is several times
 * slower: give it room, so that kills still land mid-writing. */
#if TERN_TEST_UNDER_ASAN
#define MAX_RUN_MS  800
#else
#define MAX_RUN_MS  250
#endif

static char *
payload_for (int k)
{
  /* ~48 KiB so that a kill often lands inside the attachment write. */
  g_autofree char *unit = g_strdup_printf ("batch %d payload. ", k);
  GString *s = g_string_sized_new (49152);

  while (s->len < 49152)
    g_string_append (s, unit);
  return g_string_free (s, FALSE);
}

static int
child_main (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TernStore) store = tern_store_open (dir, &error);
  gint64 account;
  int k;

  if (store == NULL)
    g_error ("child: %s", error->message);

  {
    g_autoptr(GPtrArray) accounts = tern_store_list_accounts (store, NULL);
    account = accounts->len > 0 ? ((TernStoreAccountRow *) accounts->pdata[0])->id
                                : store_test_add_account (store, "alice@example.test");
  }
  k = (int) tern_store_count_chats (store, 0, TERN_STORE_CHAT_FILTER_ALL, NULL);

  /* Tell the parent we are about to write (opening is slow under ASan). */
  if (write (STDOUT_FILENO, "R", 1) != 1)
    g_error ("child: cannot signal the parent");

  for (;; k++)
    {
      g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (store);
      g_autofree char *key = g_strdup_printf ("batch-%d", k);
      g_autofree char *payload = payload_for (k);
      g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&payload), 49152);
      gint64 chat = tern_store_batch_ensure_chat (batch, account, TERN_STORE_CHAT_KIND_GROUP, key,
                                                  key, 0);
      gint64 first = 0;

      for (int i = 0; i < N_PER_BATCH; i++)
        {
          g_autofree char *mid = g_strdup_printf ("b%d.m%d@example.test", k, i);
          g_autofree char *text = g_strdup_printf ("message %d of batch %d with some words", i, k);
          TernStoreMessageRow row = store_test_message (account, chat, mid, text, 1000 + k, i % 2,
                                                        FALSE);
          gint64 ref = tern_store_batch_add_message (batch, &row, 0, 0);

          if (i == 0)
            first = ref;
        }
      tern_store_batch_add_attachment (batch, first, bytes, "application/octet-stream", "p.bin");
      if (!tern_store_commit (store, batch, &error))
        g_error ("child: %s", error->message);
    }
  return 0;
}

static void
check_database (const char *dir,
                guint      *n_batches)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TernStore) store = tern_store_open (dir, &error);
  g_autoptr(GPtrArray) chats = NULL;
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *integrity = NULL;
  sqlite3 *raw;

  g_assert_no_error (error);
  g_assert_nonnull (store);

  raw = store_test_open_raw (dir);
  integrity = store_test_query_text (raw, "PRAGMA integrity_check");
  g_assert_cmpstr (integrity, ==, "ok");
  g_assert_cmpint (store_test_query_int (raw, "SELECT COUNT(*) FROM pragma_foreign_key_check"), ==, 0);
  store_test_assert_fts_ok (raw);

  chats = tern_store_list_chats (store, 0, TERN_STORE_CHAT_FILTER_ALL, 0, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < chats->len; i++)
    {
      TernStoreChatRow *chat = chats->pdata[i];
      g_autofree char *sql = g_strdup_printf ("SELECT COUNT(*) FROM messages WHERE chat_id = %"
                                              G_GINT64_FORMAT, chat->id);
      g_autofree char *asql = g_strdup_printf ("SELECT COUNT(*) FROM attachments a JOIN messages m"
                                               " ON m.id = a.message_id WHERE m.chat_id = %"
                                               G_GINT64_FORMAT, chat->id);

      /* Whole: the marker and all of its messages and its attachment. */
      g_assert_true (g_str_has_prefix (chat->key, "batch-"));
      g_assert_cmpint (store_test_query_int (raw, sql), ==, N_PER_BATCH);
      g_assert_cmpuint (chat->message_count, ==, N_PER_BATCH);
      g_assert_cmpuint (chat->unread_count, ==, (N_PER_BATCH + 1) / 2);
      g_assert_cmpint (store_test_query_int (raw, asql), ==, 1);
      g_hash_table_add (keys, g_strdup (chat->key));
    }
  /* Batches commit in order: batch-0 .. batch-(K-1), no gaps. */
  for (guint k = 0; k < chats->len; k++)
    {
      g_autofree char *key = g_strdup_printf ("batch-%u", k);
      g_assert_true (g_hash_table_contains (keys, key));
    }
  g_assert_cmpint (store_test_query_int (raw, "SELECT COUNT(*) FROM messages"), ==,
                   (gint64) chats->len * N_PER_BATCH);

  {
    /* Every attachment row has its whole file. */
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (raw, "SELECT hash FROM attachments", -1, &stmt, NULL), ==, SQLITE_OK);
    while (sqlite3_step (stmt) == SQLITE_ROW)
      {
        const char *hash = (const char *) sqlite3_column_text (stmt, 0);
        g_autofree char *path = tern_store_get_attachment_path (store, hash);
        g_autofree char *contents = NULL;
        g_autofree char *actual = NULL;
        gsize len;

        g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
        actual = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
        g_assert_cmpstr (actual, ==, hash);
      }
    sqlite3_finalize (stmt);
  }

  sqlite3_close (raw);
  tern_store_close (store);
  *n_batches = chats->len;
}

static void
test_sigkill (void)
{
  g_autofree char *dir = store_test_tmpdir ();
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr(GRand) rand = g_rand_new ();
  guint batches = 0, grew = 0;

  g_assert_nonnull (self);

  for (guint round = 0; round < N_KILLS; round++)
    {
      g_autoptr(GError) error = NULL;
      char *argv[] = { self, (char *) "--crash-child", dir, NULL };
      GPid pid;
      int status;
      guint before = batches;

      int out_fd = -1;
      char ready = 0;

      g_assert_true (g_spawn_async_with_pipes (NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                               NULL, &pid, NULL, &out_fd, NULL, &error));
      g_assert_no_error (error);
      /* A few kills land while it opens (and recovers) the database; the
       * rest at a random point of its writing. */
      if (round % 10 != 0)
        g_assert_cmpint (read (out_fd, &ready, 1), ==, 1);
      g_usleep (g_rand_int_range (rand, 1, MAX_RUN_MS) * 1000);
      g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      /* It was killed, not dead of an error of its own. */
      g_assert_true (WIFSIGNALED (status));
      g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
      g_spawn_close_pid (pid);
      close (out_fd);

      check_database (dir, &batches);
      g_assert_cmpuint (batches, >=, before);
      if (batches > before)
        grew++;
    }
  g_test_message ("%u batches over %u kills; %u rounds made progress", batches, N_KILLS, grew);
  /* The child did write between many kills (the test is not vacuous; a batch
   * with its fsynced attachment takes ~100 ms under ASan on a busy machine). */
  g_assert_cmpuint (grew, >=, N_KILLS / 5);
  store_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && g_str_equal (argv[1], "--crash-child"))
    return child_main (argv[2]);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/crash/sigkill", test_sigkill);
  return g_test_run ();
}
