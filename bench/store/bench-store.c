/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>

#include "bench-util.h"
#include "tern-store.h"

/*
 * bench-store: the store's figures, one `name value unit` line each.
 *
 * Database A: 100,000 messages in 1,000 chats, inserted as a sync would
 * (in the batches tern_store_batch_size_for() gives, 1,000 to 4,000
 * messages, with a folder location each and their full-text index; the
 * chat of each message drawn from a heavy-tailed distribution, as chat
 * activity is), then 9,000 more chats for a 10,000-chat list. Database B:
 * one chat of 100,000 messages, for opening a big chat against the bare
 * SQL query.
 *
 * Latencies are medians of repeated runs on a warm cache (the UI's case
 * after the first screen); the cold first call is printed too.
 *
 * Usage: bench-store [N_MESSAGES] (default 100000) [insert] (stop after the insert figures).
 */

#define N_CHATS        1000
#define N_LIST_CHATS   10000
/* Messages per batch: tern_store_batch_size_for() the messages still to
 * come, which tern-account-sync.c's history chunks follow after their
 * ramp (250 to 2,000; under 4 % of 100,000 messages); TERN_BENCH_BATCH=N
 * for one fixed size instead. */
static guint batch_size = 0;
#define VOCABULARY     4000

static char **words;

static double
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double
process_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
figure (const char *name,
        double      value,
        const char *unit)
{
  g_print ("%s %.3f %s\n", name, value, unit);
}

/* Wall-clock and on-CPU time (of the calling thread, where synchronous
 * reads run) of repeated runs. The CPU figure tells what the code costs
 * when the machine is shared (tools/check, other builds). */
typedef struct {
  double wall[256];
  double cpu[256];
  guint  n;
} Samples;

#define SAMPLE(s, ...)                                    \
  G_STMT_START {                                          \
    double w0_ = now_ms (), c0_ = thread_cpu_ms ();       \
    __VA_ARGS__;                                          \
    (s)->wall[(s)->n] = now_ms () - w0_;                  \
    (s)->cpu[(s)->n] = thread_cpu_ms () - c0_;            \
    (s)->n++;                                             \
  } G_STMT_END

static double
report (const char *name,
        Samples    *s)
{
  g_autofree char *cpu_name = g_strdup_printf ("%s.cpu", name);
  g_autofree char *wall_name = g_strdup_printf ("%s.ms", name);
  double wall = bench_median (s->wall, s->n);

  figure (wall_name, wall, "ms");
  figure (cpu_name, bench_median (s->cpu, s->n), "ms");
  return wall;
}

/* Pseudo-words with a Zipf-like frequency, as chat text has. */
static void
make_words (GRand *rand)
{
  static const char *syll[] = { "ka", "lo", "mi", "ne", "ru", "sa", "te", "vi", "do", "ba",
                                "che", "fé", "gu", "ho", "ja", "qui", "ze", "pa", "wo", "xi" };

  words = g_new0 (char *, VOCABULARY + 1);
  for (guint i = 0; i < VOCABULARY; i++)
    {
      GString *w = g_string_new (NULL);
      guint n = 2 + i % 3;
      guint x = i * 7919 + 13;

      for (guint s = 0; s < n; s++, x /= 20)
        g_string_append (w, syll[(x + s * 3) % G_N_ELEMENTS (syll)]);
      g_string_append_printf (w, "%u", i % 97);
      words[i] = g_string_free (w, FALSE);
    }
}

static const char *
random_word (GRand *rand)
{
  /* Zipf-ish: index = VOCABULARY ^ u - 1 */
  double u = g_rand_double (rand);
  guint idx = (guint) (pow (VOCABULARY, u)) - 1;

  return words[MIN (idx, VOCABULARY - 1)];
}

static char *
random_text (GRand *rand)
{
  GString *s = g_string_new (NULL);
  guint n = g_rand_int_range (rand, 4, 30);

  for (guint i = 0; i < n; i++)
    {
      if (i)
        g_string_append_c (s, ' ');
      g_string_append (s, random_word (rand));
    }
  return g_string_free (s, FALSE);
}

static void
rm_rf (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR))
            rm_rf (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
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

static gint64
add_account (TernStore *store)
{
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (store);
  TernStoreAccountRow row = { .address = (char *) "alice@example.test", .enabled = TRUE };
  gint64 ref = tern_store_batch_add_account (batch, &row);

  commit_or_die (store, batch);
  return tern_store_batch_get_id (batch, ref);
}

/* Which chat each message goes to. Chat activity is heavy-tailed: a few
 * chats carry most messages, as the words of chat text do (ZIPF, the
 * figure's case). ROUND_ROBIN is the worst case for the per-chat work of a
 * batch: every message of a batch in a different chat. */
typedef enum {
  SPREAD_ZIPF,
  SPREAD_ROUND_ROBIN,
} Spread;

static guint
pick_chat (GRand  *rand,
           Spread  spread,
           guint   i,
           guint   n_chats)
{
  if (spread == SPREAD_ROUND_ROBIN)
    return i % n_chats;
  return MIN ((guint) pow (n_chats, g_rand_double (rand)) - 1, n_chats - 1);
}

/* One batch on its way to the store thread. */
typedef struct {
  gboolean  done;
  double    started_ms;
  double    latency_ms;
  GError   *error;
} Commit;

static void
commit_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Commit *commit = user_data;

  tern_store_commit_finish (TERN_STORE (source), result, &commit->error);
  commit->latency_ms = now_ms () - commit->started_ms;
  commit->done = TRUE;
}

static void
wait_commit (Commit *commit,
             double *max_latency_ms)
{
  while (!commit->done)
    g_main_context_iteration (NULL, TRUE);
  if (commit->error != NULL)
    g_error ("commit: %s", commit->error->message);
  *max_latency_ms = MAX (*max_latency_ms, commit->latency_ms);
}

/* Inserts @n messages spread over @chats (ids) in sync-sized batches, the
 * way the sync hands them over (tern-account-sync.c): the next batch is
 * built while the store thread commits the previous one, and at most one
 * commit is in flight. Returns the elapsed ms from the first row to the
 * last commit; *cpu_ms gets the CPU time of the process meanwhile (all
 * threads) and *store_cpu_ms that of the threads other than this one (the
 * store's: its store thread and its checkpointer), *max_batch_ms the
 * longest commit, from handing it over to its completion. */
static double
insert_messages (TernStore *store,
                 gint64     account,
                 gint64     folder,
                 GArray    *chats,
                 guint      n,
                 GRand     *rand,
                 const char *prefix,
                 Spread      spread,
                 double    *cpu_ms,
                 double    *store_cpu_ms,
                 double    *max_batch_ms)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) targets = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n);
  Commit commits[2] = { { TRUE, 0, 0, NULL }, { TRUE, 0, 0, NULL } };
  double t0, c0, m0, max_latency = 0;
  guint k = 0;

  /* Generated outside the timing: that is the network's and parser's job. */
  for (guint i = 0; i < n; i++)
    {
      g_ptr_array_add (texts, random_text (rand));
      g_ptr_array_add (ids, g_strdup_printf ("%s%u.%08x@example.test", prefix, i, g_rand_int (rand)));
      g_array_append_val (targets, g_array_index (chats, gint64, pick_chat (rand, spread, i, chats->len)));
    }

  t0 = now_ms ();
  c0 = process_cpu_ms ();
  m0 = thread_cpu_ms ();
  for (guint start = 0, size = 0; start < n; start += size, k ^= 1)
    {
      g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (store);
      Commit *commit = &commits[k];

      size = batch_size != 0 ? MIN (batch_size, n - start) : tern_store_batch_size_for (n - start);
      for (guint i = start; i < start + size; i++)
        {
          TernStoreMessageRow row = { 0 };

          row.account_id = account;
          row.chat_id = g_array_index (targets, gint64, i);
          row.message_id = ids->pdata[i];
          row.sender_address = (char *) "bob@example.test";
          row.sent_time = 1600000000 + i * 10;
          row.received_time = row.sent_time + 1;
          row.seen = (i % 5) != 0;
          row.text = texts->pdata[i];
          tern_store_batch_add_message (batch, &row, folder, i + 1);
        }
      /* The previous batch must be in before this one goes. */
      wait_commit (&commits[k ^ 1], &max_latency);
      *commit = (Commit) { FALSE, now_ms (), 0, NULL };
      tern_store_commit_async (store, batch, NULL, commit_done_cb, commit);
    }
  wait_commit (&commits[0], &max_latency);
  wait_commit (&commits[1], &max_latency);
  if (cpu_ms)
    *cpu_ms = process_cpu_ms () - c0;
  if (store_cpu_ms)
    *store_cpu_ms = (process_cpu_ms () - c0) - (thread_cpu_ms () - m0);
  if (max_batch_ms)
    *max_batch_ms = max_latency;
  return now_ms () - t0;
}

static GArray *
make_chats (TernStore *store,
            gint64     account,
            guint      n,
            const char *prefix)
{
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (store);
  GArray *refs = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup_printf ("%s%u", prefix, i);
      g_autofree char *name = g_strdup_printf ("Chat %s %u", words[i % VOCABULARY], i);
      gint64 ref = tern_store_batch_ensure_chat (batch, account, TERN_STORE_CHAT_KIND_GROUP, key,
                                                 name, 0);
      g_array_append_val (refs, ref);
    }
  commit_or_die (store, batch);
  for (guint i = 0; i < refs->len; i++)
    g_array_index (refs, gint64, i) = tern_store_batch_get_id (batch, g_array_index (refs, gint64, i));
  return refs;
}

static gint64
make_folder (TernStore *store,
             gint64     account)
{
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (store);
  gint64 ref = tern_store_batch_ensure_folder (batch, account, "INBOX", "/", TERN_STORE_FOLDER_ROLE_INBOX);

  tern_store_batch_set_folder_uidvalidity (batch, ref, 1);
  commit_or_die (store, batch);
  return tern_store_batch_get_id (batch, ref);
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? st.st_size : 0;
}

/* ---- the bare SQL baseline --------------------------------------------- */

typedef struct {
  guint n;
  gsize bytes;
} Sink;

static void
sink_row (const TernStoreMessageRow *row,
          gpointer                   user_data)
{
  Sink *sink = user_data;

  sink->n++;
  sink->bytes += row->text ? strlen (row->text) : 0;
}

static void
bare_query (sqlite3_stmt *stmt,
            gint64        chat)
{
  gsize bytes = 0;
  guint n = 0;

  sqlite3_reset (stmt);
  sqlite3_bind_int64 (stmt, 1, chat);
  sqlite3_bind_int64 (stmt, 2, G_MAXINT64);
  sqlite3_bind_int64 (stmt, 3, G_MAXINT64);
  sqlite3_bind_int64 (stmt, 4, 50);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      /* Read every column, as the store does. */
      for (int c = 0; c < sqlite3_column_count (stmt); c++)
        {
          if (sqlite3_column_type (stmt, c) == SQLITE_TEXT)
            bytes += strlen ((const char *) sqlite3_column_text (stmt, c));
          else
            bytes += (gsize) sqlite3_column_int64 (stmt, c) & 1;
        }
      n++;
    }
  g_assert (n == 50 && bytes > 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261127);
  guint n_messages = argc > 1 ? (guint) atoi (argv[1]) : 100000;
  g_autofree char *dir_a = g_dir_make_tmp ("tern-bench-store-a-XXXXXX", &error);
  g_autofree char *dir_b = g_dir_make_tmp ("tern-bench-store-b-XXXXXX", &error);
  g_autofree char *db_a = g_build_filename (dir_a, "tern.db", NULL);
  g_autofree char *db_b = g_build_filename (dir_b, "tern.db", NULL);
  g_autofree char *loadavg = NULL;
  g_autoptr(TernStore) store = NULL;
  g_autoptr(GArray) chats = NULL;
  g_autoptr(GArray) more_chats = NULL;
  gint64 account, folder, big_chat;
  double ms, cpu, store_cpu, max_batch;
  const guint runs = 200;

  if (g_getenv ("TERN_BENCH_BATCH"))
    batch_size = (guint) atoi (g_getenv ("TERN_BENCH_BATCH"));
  if (g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL))
    g_printerr ("# load average at start: %s", loadavg);

  make_words (rand);

  /* ---- A: 100k messages in 1,000 chats ---- */
  store = tern_store_open (dir_a, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  account = add_account (store);
  folder = make_folder (store, account);
  chats = make_chats (store, account, N_CHATS, "c");
  ms = insert_messages (store, account, folder, chats, n_messages, rand, "a", SPREAD_ZIPF, &cpu,
                        &store_cpu, &max_batch);
  figure ("store.insert.msgs_per_s", n_messages / (ms / 1000.0), "msgs/s");
  figure ("store.insert.msgs_per_cpu_s", n_messages / (cpu / 1000.0), "msgs/s");
  /* Pipelined, the rate is bound by the busiest thread: on an idle machine
   * with two cores, by the store thread. The store's CPU time includes its
   * checkpointer's, which runs beside it. */
  figure ("store.insert.msgs_per_store_cpu_s", n_messages / (store_cpu / 1000.0), "msgs/s");
  figure ("store.insert.max_batch_ms", max_batch, "ms");
  if (argc > 2 && g_str_equal (argv[2], "insert"))
    {
      /* For profiling the sync insert alone: bench-store N insert */
      tern_store_close (store);
      g_clear_object (&store);
      rm_rf (dir_a);
      rm_rf (dir_b);
      g_strfreev (words);
      return 0;
    }

  /* The index as the sync left it (segments unmerged), then merged as the
   * store does when idle; the search figures below are of the merged one. */
  {
    Samples unmerged = { 0 };
    double t0, c0;
    g_autoptr(GError) merge_error = NULL;

    for (guint w = 20; w < 220; w += 5)
      SAMPLE (&unmerged, {
        g_autoptr(GPtrArray) hits = tern_store_search_messages (store, 0, words[w], 50, NULL);
        g_assert (hits != NULL && hits->len > 0);
      });
    report ("store.fts100k.unmerged", &unmerged);
    t0 = now_ms ();
    c0 = process_cpu_ms ();
    if (!tern_store_merge_search_index (store, &merge_error))
      g_error ("merge: %s", merge_error->message);
    figure ("store.fts_merge.ms", now_ms () - t0, "ms");
    figure ("store.fts_merge.cpu", process_cpu_ms () - c0, "ms");
  }

  /* 9,000 more chats with a message each: a 10,000-chat list. */
  more_chats = make_chats (store, account, N_LIST_CHATS - N_CHATS, "l");
  insert_messages (store, account, folder, more_chats, more_chats->len, rand, "l", SPREAD_ROUND_ROBIN, NULL,
                   NULL, NULL);

  {
    Samples cold = { 0 }, open_list = { 0 }, all = { 0 }, first = { 0 }, last = { 0 };

    /* Opening the list as a model does: every id in order (its length and
     * positions) + the rows of the first screen. */
#define OPEN_LIST()                                                                              \
    G_STMT_START {                                                                               \
      g_autoptr(GArray) ids = tern_store_list_chat_ids (store, 0, TERN_STORE_CHAT_FILTER_ACTIVE, NULL); \
      g_autoptr(GPtrArray) rows = tern_store_get_chats (store, (gint64 *) (gpointer) ids->data, 50, NULL); \
      g_assert (ids->len == N_LIST_CHATS && rows->len == 50);                                   \
    } G_STMT_END
    SAMPLE (&cold, OPEN_LIST ());
    report ("store.chatlist10k.cold", &cold);
    for (guint r = 0; r < 50; r++)
      SAMPLE (&open_list, OPEN_LIST ());
    report ("store.chatlist10k", &open_list);
#undef OPEN_LIST
    {
      /* The ids alone, of all accounts (chats_order) and of one account
       * (chats_account_order): both index walks. */
      Samples ids_all = { 0 }, ids_one = { 0 };

      for (guint r = 0; r < 50; r++)
        {
          SAMPLE (&ids_all, {
            g_autoptr(GArray) ids = tern_store_list_chat_ids (store, 0, TERN_STORE_CHAT_FILTER_ACTIVE, NULL);
            g_assert (ids->len == N_LIST_CHATS);
          });
          SAMPLE (&ids_one, {
            g_autoptr(GArray) ids = tern_store_list_chat_ids (store, account, TERN_STORE_CHAT_FILTER_ACTIVE, NULL);
            g_assert (ids->len == N_LIST_CHATS);
          });
        }
      report ("store.chatlist10k.ids_all_accounts", &ids_all);
      report ("store.chatlist10k.ids_one_account", &ids_one);
    }
    for (guint r = 0; r < 20; r++)
      SAMPLE (&all, {
        g_autoptr(GPtrArray) list = tern_store_list_chats (store, 0, TERN_STORE_CHAT_FILTER_ACTIVE, 0, 0, NULL);
        g_assert (list->len == N_LIST_CHATS);
      });
    report ("store.chatlist10k.all_rows", &all);
    for (guint r = 0; r < runs; r++)
      SAMPLE (&first, {
        g_autoptr(GPtrArray) list = tern_store_list_chats (store, 0, TERN_STORE_CHAT_FILTER_ACTIVE, 0, 50, NULL);
        g_assert (list->len == 50);
      });
    report ("store.chatlist10k.first_page50", &first);
    for (guint r = 0; r < 50; r++)
      SAMPLE (&last, {
        g_autoptr(GPtrArray) list = tern_store_list_chats (store, 0, TERN_STORE_CHAT_FILTER_ACTIVE, 9950, 50, NULL);
        g_assert (list->len == 50);
      });
    report ("store.chatlist10k.last_page50", &last);
  }

  /* Full-text search: the 50 best hits of single words of middling
   * frequency (different words, ~2% of messages each), of the most frequent
   * word (the worst case), and of two words. */
  {
    Samples typical = { 0 }, frequent = { 0 }, two = { 0 }, rare = { 0 };
    g_autofree char *two_words = g_strdup_printf ("%s %s", words[3], words[40]);

    for (guint w = 20; w < 220; w += 5)
      SAMPLE (&typical, {
        g_autoptr(GPtrArray) hits = tern_store_search_messages (store, 0, words[w], 50, NULL);
        g_assert (hits != NULL && hits->len > 0);
      });
    report ("store.fts100k", &typical);
    for (guint w = 3000; w < 3200; w += 5)
      SAMPLE (&rare, {
        g_autoptr(GPtrArray) hits = tern_store_search_messages (store, 0, words[w], 50, NULL);
        g_assert (hits != NULL);
      });
    report ("store.fts100k.rare_word", &rare);
    for (guint r = 0; r < 20; r++)
      SAMPLE (&frequent, {
        g_autoptr(GPtrArray) hits = tern_store_search_messages (store, 0, words[0], 50, NULL);
        g_assert (hits->len == 50);
      });
    report ("store.fts100k.most_frequent_word", &frequent);
    for (guint r = 0; r < 20; r++)
      SAMPLE (&two, {
        g_autoptr(GPtrArray) hits = tern_store_search_messages (store, 0, two_words, 50, NULL);
        g_assert (hits != NULL);
      });
    report ("store.fts100k.two_words", &two);
    {
      sqlite3 *raw = NULL;
      sqlite3_stmt *stmt = NULL;
      const char *probe[] = { words[0], words[100], words[3100] };
      const char *names[] = { "store.fts100k.most_frequent_word.matches",
                              "store.fts100k.typical_word.matches",
                              "store.fts100k.rare_word.matches" };

      g_assert (sqlite3_open_v2 (db_a, &raw, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
      g_assert (sqlite3_prepare_v2 (raw, "SELECT COUNT(*) FROM messages_fts WHERE messages_fts MATCH ?",
                                    -1, &stmt, NULL) == SQLITE_OK);
      for (guint i = 0; i < G_N_ELEMENTS (probe); i++)
        {
          g_autofree char *q = g_strdup_printf ("\"%s\"*", probe[i]);

          sqlite3_reset (stmt);
          sqlite3_bind_text (stmt, 1, q, -1, SQLITE_TRANSIENT);
          g_assert (sqlite3_step (stmt) == SQLITE_ROW);
          figure (names[i], sqlite3_column_int64 (stmt, 0), "msgs");
        }
      sqlite3_finalize (stmt);
      sqlite3_close (raw);
    }
  }

  /* Small hot reads on the main thread, and a one-message write. */
  {
    Samples get = { 0 }, count = { 0 }, commit = { 0 };

    for (guint r = 0; r < runs; r++)
      SAMPLE (&get, {
        g_autoptr(TernStoreMessageRow) row = tern_store_get_message (store, 1 + (r * 97) % n_messages, NULL);
        g_assert (row != NULL);
      });
    report ("store.get_message", &get);
    for (guint r = 0; r < runs; r++)
      SAMPLE (&count, {
        guint c = tern_store_count_messages (store, g_array_index (chats, gint64, r), NULL);
        g_assert (c > 0);
      });
    report ("store.count_messages", &count);
    for (guint r = 0; r < 50; r++)
      {
        g_autofree char *mid = g_strdup_printf ("one%u@example.test", r);

        SAMPLE (&commit, {
          g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (store);
          TernStoreMessageRow row = { .account_id = account, .chat_id = g_array_index (chats, gint64, 0),
                                      .message_id = mid, .text = (char *) "one more", .sent_time = 1 };

          tern_store_batch_add_message (batch, &row, folder, 900000 + r);
          commit_or_die (store, batch);
        });
      }
    /* (the cpu figure of a commit is the caller's only; the work is on the store thread) */
    report ("store.commit_one_message", &commit);
  }

  tern_store_close (store);
  g_clear_object (&store);
  figure ("store.bytes_per_msg", (double) file_size (db_a) / (n_messages + N_LIST_CHATS - N_CHATS),
          "bytes");

  /* ---- B: one chat of 100k messages ---- */
  store = tern_store_open (dir_b, &error);
  account = add_account (store);
  folder = make_folder (store, account);
  {
    g_autoptr(GArray) one = make_chats (store, account, 1, "big");
    big_chat = g_array_index (one, gint64, 0);
    insert_messages (store, account, folder, one, n_messages, rand, "b", SPREAD_ROUND_ROBIN, NULL,
                     NULL, NULL);
  }
  tern_store_close (store);
  g_clear_object (&store);

  store = tern_store_open (dir_b, &error);
  {
    Samples cold = { 0 };

    SAMPLE (&cold, {
      g_autoptr(GPtrArray) rows = tern_store_get_messages (store, big_chat, NULL, 50, NULL);
      g_assert (rows->len == 50);
    });
    report ("store.open_chat100k.cold", &cold);
  }
  {
    sqlite3 *bare = NULL;
    sqlite3_stmt *stmt = NULL;
    Samples with_store = { 0 }, bare_sql = { 0 }, hook = { 0 }, middle_page = { 0 };
    TernStoreCursor middle = { 0 };

    /* The same connection set-up as the store's read connection (no
     * per-call mutex, same cache), the same SQL, every column read. */
    g_assert (sqlite3_open_v2 (db_b, &bare, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK);
    g_assert (sqlite3_exec (bare, "PRAGMA cache_size = -16000; PRAGMA query_only = ON", NULL, NULL, NULL) == SQLITE_OK);
    g_assert (sqlite3_prepare_v2 (bare,
                                  "SELECT id, account_id, chat_id, message_id, sender_contact_id,"
                                  " sender_address, outgoing, sent_time, received_time, sort_key, kind,"
                                  " state, seen, edited, deleted, subject, text, quote, reply_to,"
                                  " pinned_until, latitude, longitude, n_attachments, mentions_me,"
                                  " receipt_to, mdn_sent, failure_reason FROM messages"
                                  " WHERE chat_id = ?1 AND (sort_key, id) < (?2, ?3)"
                                  " ORDER BY sort_key DESC, id DESC LIMIT ?4",
                                  -1, &stmt, NULL) == SQLITE_OK);
    {
      g_autoptr(GPtrArray) rows = tern_store_get_messages_after (store, big_chat, NULL, n_messages / 2, NULL);
      TernStoreMessageRow *row = rows->pdata[rows->len - 1];
      middle.sort_key = row->sort_key;
      middle.id = row->id;
    }

    /* Interleaved, so both see the same cache state. */
    for (guint r = 0; r < runs; r++)
      {
        Sink sink = { 0 };

        SAMPLE (&bare_sql, bare_query (stmt, big_chat));
        SAMPLE (&with_store, {
          g_autoptr(GPtrArray) rows = tern_store_get_messages (store, big_chat, NULL, 50, NULL);
          g_assert (rows->len == 50);
        });
        SAMPLE (&hook, tern_store_foreach_message (store, big_chat, NULL, 50, sink_row, &sink, NULL));
        g_assert (sink.n == 50);
        SAMPLE (&middle_page, {
          g_autoptr(GPtrArray) rows = tern_store_get_messages (store, big_chat, &middle, 50, NULL);
          g_assert (rows->len == 50);
        });
      }
    {
      double s = report ("store.open_chat100k", &with_store);
      double b = report ("store.open_chat100k.bare_sql", &bare_sql);

      figure ("store.open_chat.ratio_to_sql", s / b, "x");
      figure ("store.open_chat.cpu_ratio_to_sql",
              bench_median (with_store.cpu, with_store.n) / bench_median (bare_sql.cpu, bare_sql.n), "x");
      report ("store.open_chat100k.foreach_hook", &hook);
      report ("store.open_chat100k.middle_page", &middle_page);
    }
    sqlite3_finalize (stmt);
    sqlite3_close (bare);
  }
  tern_store_close (store);
  g_clear_object (&store);

  /* ---- C: the worst case for the per-chat work of a batch: every
   * message of a batch in another chat (1,000 chats, round robin). ---- */
  {
    g_autofree char *dir_c = g_dir_make_tmp ("tern-bench-store-c-XXXXXX", NULL);
    g_autoptr(GArray) spread = NULL;
    gint64 account_c, folder_c;

    store = tern_store_open (dir_c, &error);
    if (store == NULL)
      g_error ("%s", error->message);
    account_c = add_account (store);
    folder_c = make_folder (store, account_c);
    spread = make_chats (store, account_c, N_CHATS, "w");
    ms = insert_messages (store, account_c, folder_c, spread, n_messages, rand, "w",
                          SPREAD_ROUND_ROBIN, &cpu, NULL, NULL);
    figure ("store.insert.round_robin.msgs_per_s", n_messages / (ms / 1000.0), "msgs/s");
    figure ("store.insert.round_robin.msgs_per_cpu_s", n_messages / (cpu / 1000.0), "msgs/s");
    tern_store_close (store);
    g_clear_object (&store);
    rm_rf (dir_c);
  }

  rm_rf (dir_a);
  rm_rf (dir_b);
  g_strfreev (words);
  g_clear_pointer (&loadavg, g_free);
  if (g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL))
    g_printerr ("# load average at end: %s", loadavg);
  return 0;
}
