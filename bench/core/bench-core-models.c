/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The models the UI binds to, over a large store:
 *   core.open_chat100k.ms       open a chat of 100,000 messages: a TernMessageList
 *                               with its last 50 rows as TernMessage objects
 *   core.open_chat.ratio_to_sql the same against the bare SQL query for those rows
 *   core.chatlist10k.ms         a TernChatList of 10,000 chats with its first
 *                               screen (30 rows) as TernChat objects
 *   core.chatlist_move.ms       a new message moves a chat to the top: commit seen
 *                               by the list, items-changed emitted (median)
 * Each figure is the median of repeated runs, each on a fresh model. */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench-util.h"
#include "tern-chat-list.h"
#include "tern-message-list.h"
#include "tern-store.h"

#define N_BIG      100000
#define N_CHATS    10000
#define RUNS       41

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* CPU time of this thread: what the main thread really spends, whatever
 * else the machine is doing. */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        rm_rf (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
commit_or_die (TernStore      *store,
               TernStoreBatch *batch)
{
  g_autoptr(GError) error = NULL;

  if (!tern_store_commit (store, batch, &error))
    g_error ("commit: %s", error->message);
}

static void
flush (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
drop_cb (const TernStoreMessageRow *row,
         gpointer                   user_data)
{
}

static void
bare_query (sqlite3_stmt *stmt,
            gint64        chat)
{
  guint n = 0;
  gsize sum = 0;

  sqlite3_reset (stmt);
  sqlite3_bind_int64 (stmt, 1, chat);
  sqlite3_bind_int64 (stmt, 2, G_MAXINT64);
  sqlite3_bind_int64 (stmt, 3, G_MAXINT64);
  sqlite3_bind_int64 (stmt, 4, 50);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int c = 0; c < sqlite3_column_count (stmt); c++)
        {
          if (sqlite3_column_type (stmt, c) == SQLITE_TEXT)
            sum += strlen ((const char *) sqlite3_column_text (stmt, c));
          else
            sum += (gsize) sqlite3_column_int64 (stmt, c) & 1;
        }
      n++;
    }
  g_assert (n == 50 && sum > 0);
}

static void
moved_cb (GListModel *model,
          guint       position,
          guint       removed,
          guint       added,
          double     *when)
{
  *when = now_ms ();
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tern-bench-core-XXXXXX", &error);
  g_autoptr(TernStore) store = NULL;
  g_autofree char *db_path = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  double model_ms[RUNS], sql_ms[RUNS], list_ms[RUNS], list_cpu_ms[RUNS], move_ms[RUNS];
  gint64 account, big_chat = 0;
  g_autoptr(GArray) chats = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 clock = 1600000000;

  g_assert_no_error (error);
  store = tern_store_open (dir, &error);
  g_assert_no_error (error);

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (store);
    TernStoreAccountRow row = { 0 };
    gint64 ref;

    row.address = (char *) "me@example.test";
    row.enabled = TRUE;
    ref = tern_store_batch_add_account (batch, &row);
    commit_or_die (store, batch);
    account = tern_store_batch_get_id (batch, ref);
  }

  /* 10,000 chats with a message each, and one chat of 100,000 messages. */
  for (guint b = 0; b < N_CHATS / 1000; b++)
    {
      g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (store);
      g_autoptr(GArray) refs = g_array_new (FALSE, FALSE, sizeof (gint64));

      for (guint i = 0; i < 1000; i++)
        {
          g_autofree char *key = g_strdup_printf ("peer%05u@example.test", b * 1000 + i);
          g_autofree char *mid = g_strdup_printf ("c%u@example.test", b * 1000 + i);
          gint64 chat = tern_store_batch_ensure_chat (batch, account, TERN_STORE_CHAT_KIND_DIRECT,
                                                      key, key, 0);
          TernStoreMessageRow m = { 0 };

          m.account_id = account;
          m.chat_id = chat;
          m.message_id = mid;
          m.sender_address = key;
          m.text = (char *) "Hello there, how are you doing today?";
          m.sent_time = m.received_time = clock++;
          tern_store_batch_add_message (batch, &m, 0, 0);
          g_array_append_val (refs, chat);
        }
      commit_or_die (store, batch);
      for (guint i = 0; i < refs->len; i++)
        {
          gint64 id = tern_store_batch_get_id (batch, g_array_index (refs, gint64, i));
          g_array_append_val (chats, id);
        }
    }
  for (guint b = 0; b < N_BIG / 5000; b++)
    {
      g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (store);
      gint64 chat = tern_store_batch_ensure_chat (batch, account, TERN_STORE_CHAT_KIND_GROUP,
                                                  "bigchat-000000", "Big chat", 0);

      for (guint i = 0; i < 5000; i++)
        {
          g_autofree char *mid = g_strdup_printf ("big%u@example.test", b * 5000 + i);
          TernStoreMessageRow m = { 0 };

          m.account_id = account;
          m.chat_id = chat;
          m.message_id = mid;
          m.sender_address = (char *) ((i % 3) ? "friend@example.test" : NULL);
          m.outgoing = (i % 3) == 0;
          m.seen = TRUE;
          m.text = (char *) "A message of ordinary length, the kind people send all day long.";
          m.sent_time = m.received_time = clock++;
          tern_store_batch_add_message (batch, &m, 0, 0);
        }
      commit_or_die (store, batch);
      big_chat = tern_store_batch_get_id (batch, chat);
    }
  flush ();
  g_assert_cmpuint (tern_store_count_messages (store, big_chat, NULL), ==, N_BIG);

  db_path = g_build_filename (dir, "tern.db", NULL);
  g_assert (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
  g_assert (sqlite3_prepare_v2 (db, "SELECT * FROM messages WHERE chat_id = ?1 AND "
                                "(sort_key, id) < (?2, ?3) ORDER BY sort_key DESC, id DESC LIMIT ?4",
                                -1, &stmt, NULL) == SQLITE_OK);

  /* Warm both paths once (page cache, prepared statements). */
  bare_query (stmt, big_chat);
  tern_store_foreach_message (store, big_chat, NULL, 50, drop_cb, NULL, NULL);

  for (guint r = 0; r < RUNS; r++)
    {
      double t0 = now_ms ();
      g_autoptr(TernMessageList) list = tern_message_list_new (store, big_chat);
      guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

      for (guint i = 0; i < n; i++)
        g_object_unref (g_list_model_get_item (G_LIST_MODEL (list), i));
      model_ms[r] = now_ms () - t0;
      g_assert (n == 50);

      t0 = now_ms ();
      bare_query (stmt, big_chat);
      sql_ms[r] = now_ms () - t0;
    }

  for (guint r = 0; r < RUNS; r++)
    {
      double t0 = now_ms ();
      double c0 = cpu_ms ();
      /* All accounts, as the window shows them. */
      g_autoptr(TernChatList) list = tern_chat_list_new (store, 0, TERN_STORE_CHAT_FILTER_ACTIVE);

      for (guint i = 0; i < 30; i++)
        g_object_unref (g_list_model_get_item (G_LIST_MODEL (list), i));
      list_ms[r] = now_ms () - t0;
      list_cpu_ms[r] = cpu_ms () - c0;
      g_assert (g_list_model_get_n_items (G_LIST_MODEL (list)) == N_CHATS + 1);
    }

  {
    g_autoptr(TernChatList) list = tern_chat_list_new (store, 0, TERN_STORE_CHAT_FILTER_ACTIVE);
    double moved = 0;

    g_signal_connect (list, "items-changed", G_CALLBACK (moved_cb), &moved);
    for (guint r = 0; r < RUNS; r++)
      {
        g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (store);
        g_autofree char *mid = g_strdup_printf ("move%u@example.test", r);
        TernStoreMessageRow m = { 0 };
        double t0;

        m.account_id = account;
        m.chat_id = g_array_index (chats, gint64, (r * 7919) % chats->len);
        m.message_id = mid;
        m.sender_address = (char *) "peer@example.test";
        m.text = (char *) "news";
        m.sent_time = m.received_time = clock++;
        tern_store_batch_add_message (batch, &m, 0, 0);
        moved = 0;
        t0 = now_ms ();
        commit_or_die (store, batch);
        while (moved == 0)
          g_main_context_iteration (NULL, TRUE);
        move_ms[r] = moved - t0;
      }
  }

  {
    double model = bench_median (model_ms, RUNS);
    double sql = bench_median (sql_ms, RUNS);

    printf ("core.open_chat100k.ms %.3f ms\n", model);
    printf ("core.open_chat.bare_sql_ms %.3f ms\n", sql);
    printf ("core.open_chat.ratio_to_sql %.2f x\n", model / sql);
    printf ("core.chatlist10k.ms %.3f ms\n", bench_median (list_ms, RUNS));
    printf ("core.chatlist10k.cpu_ms %.3f ms\n", bench_median (list_cpu_ms, RUNS));
    printf ("core.chatlist_move.ms %.3f ms\n", bench_median (move_ms, RUNS));
  }

  sqlite3_finalize (stmt);
  sqlite3_close (db);
  tern_store_close (store);
  g_clear_object (&store);
  rm_rf (dir);
  return 0;
}
