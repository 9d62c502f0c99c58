/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-bench"

#include <string.h>
#include <time.h>

#include "bench-util.h"
#include "tern-account.h"
#include "tern-context.h"

/* Under valgrind --tool=callgrind, the counts of every thread are zeroed
 * when the sync starts and dumped when it ends (the part named "sync"):
 * the instructions per message of each thread, without the fill and the
 * raw fetch. A no-op otherwise. */
#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define SYNC_COUNT_START() CALLGRIND_ZERO_STATS
#define SYNC_COUNT_END() CALLGRIND_DUMP_STATS_AT ("sync")
#endif
#endif
#ifndef SYNC_COUNT_START
#define SYNC_COUNT_START() do { } while (0)
#define SYNC_COUNT_END() do { } while (0)
#endif

/* Initial sync of a mailbox of N chat messages (default 10,000) in 200
 * chats, against the raw IMAP fetch of the same messages (connect, login,
 * SELECT, UID FETCH 1:* (FLAGS INTERNALDATE BODY.PEEK[])) measured in the
 * same run on the same server. Needs the test stack (tests/stack/with-stack).
 *
 *   sync.raw_fetch10k.ms         the raw client
 *   sync.initial10k.ms           tern_account_sync_once (connect, login,
 *                                folders, fetch, parse, store)
 *   sync.initial10k.ratio_to_raw the second over the first
 *                                (all figures: medians of ROUNDS rounds of
 *                                the two, alternating, see main())
 *   sync.first_screen.ms         from the start of the sync until the store
 *                                holds the 20 newest chats (the first screen)
 *   sync.raw_fetch10k.cpu_ms     CPU time of this process (all its threads)
 *   sync.initial10k.cpu_ms       during each of the two: the wall-time figures
 *                                above depend on the load of the machine (the
 *                                server shares its cores), these less so
 *
 * The user is carol@example.test, filter mode none (plain server: nothing
 * moves). TERN_BENCH_N changes N (names keep "10k"). */

static const char *
env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || *value == '\0')
    g_error ("%s is not set: run inside tests/stack/with-stack", name);
  return value;
}

static void
got_result (GObject      *source,
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

/* CPU time of the process, all threads, in ms */
static double
cpu_ms (void)
{
  struct timespec t;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

static TernImapClient *
raw_imap (void)
{
  g_autofree char *address = g_strdup_printf ("carol@%s", env ("TERN_TEST_DOMAIN"));
  TernImapClient *imap = tern_imap_client_new (env ("TERN_TEST_HOST"),
                                               (guint16) atoi (env ("TERN_TEST_IMAP_PORT")),
                                               TERN_NET_SECURITY_STARTTLS,
                                               env ("TERN_TEST_CERT_SHA256"));
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GError) error = NULL;

  tern_imap_client_connect_async (imap, NULL, got_result, &r1);
  if (!tern_imap_client_connect_finish (imap, wait_result (&r1), &error))
    g_error ("connect: %s", error->message);
  tern_imap_client_login_async (imap, address, env ("TERN_TEST_PASSWORD"), NULL, got_result, &r2);
  if (!tern_imap_client_login_finish (imap, wait_result (&r2), &error))
    g_error ("login: %s", error->message);
  return imap;
}

static void
raw_select (TernImapClient *imap)
{
  g_autoptr(GAsyncResult) r = NULL;
  g_autoptr(GError) error = NULL;

  tern_imap_client_select_async (imap, "INBOX", FALSE, FALSE, NULL, NULL, got_result, &r);
  if (!tern_imap_client_select_finish (imap, wait_result (&r), &error))
    g_error ("select: %s", error->message);
}

typedef struct {
  guint  pending;
  GError *error;
} Fill;

static void
appended_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Fill *fill = user_data;
  GError *error = NULL;

  if (!tern_imap_client_append_finish (TERN_IMAP_CLIENT (source), result, NULL, &error))
    {
      if (fill->error == NULL)
        fill->error = error;
      else
        g_error_free (error);
    }
  fill->pending--;
}

/* Appends what INBOX lacks of @n messages (all of them on a fresh stack;
 * none when a kept stack, tests/stack/tern-stack, has them already). */
static void
fill_mailbox (guint n)
{
  g_autoptr(TernImapClient) imap = raw_imap ();
  Fill fill = { 0, };
  guint base = g_random_int ();
  guint have;

  raw_select (imap);
  have = tern_imap_client_get_exists (imap);
  for (guint i = have; i < n; i++)
    {
      g_autofree char *text = bench_sync_message (i, base);
      g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

      fill.pending++;
      tern_imap_client_append_async (imap, "INBOX", NULL, NULL, bytes, NULL, appended_cb, &fill);
      /* keep the queue short */
      while (fill.pending > 64)
        g_main_context_iteration (NULL, TRUE);
    }
  while (fill.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  if (fill.error != NULL)
    g_error ("append: %s", fill.error->message);
}

typedef struct {
  guint64 bytes;
  guint   n;
} Raw;

static void
raw_batch (TernImapClient *client,
           GPtrArray      *fetches,
           gpointer        user_data)
{
  Raw *raw = user_data;

  for (guint i = 0; i < fetches->len; i++)
    {
      TernImapFetch *fetch = fetches->pdata[i];
      for (guint s = 0; s < fetch->sections->len; s++)
        {
          TernImapBodySection *section = fetch->sections->pdata[s];
          if (section->data != NULL)
            raw->bytes += g_bytes_get_size (section->data);
        }
      raw->n++;
    }
}

static double
raw_fetch_ms (guint  *n_out,
              double *cpu_out)
{
  double cpu_start = cpu_ms ();
  gint64 start = g_get_monotonic_time ();
  g_autoptr(TernImapClient) imap = raw_imap ();
  g_autoptr(GAsyncResult) r = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GError) error = NULL;
  Raw raw = { 0, };
  TernImapFetchOptions options = { 0, };
  double ms;

  raw_select (imap);
  tern_imap_client_uid_fetch_async (imap, "1:*",
                                    TERN_IMAP_WANT_FLAGS | TERN_IMAP_WANT_INTERNALDATE |
                                    TERN_IMAP_WANT_BODY,
                                    &options, raw_batch, &raw, NULL, got_result, &r);
  if (!tern_imap_client_uid_fetch_finish (imap, wait_result (&r), NULL, &error))
    g_error ("fetch: %s", error->message);
  ms = (g_get_monotonic_time () - start) / 1000.0;
  *cpu_out = cpu_ms () - cpu_start;
  tern_imap_client_logout_async (imap, NULL, got_result, &r2);
  tern_imap_client_logout_finish (imap, wait_result (&r2), NULL);
  *n_out = raw.n;
  return ms;
}

typedef struct {
  TernStore *store;
  gint64     account;
  gint64     start;
  double     first_screen_ms;
} Screen;

static void
received_cb (TernAccount *account,
             gint64       message,
             gint64       chat,
             Screen      *screen)
{
  if (screen->first_screen_ms > 0)
    return;
  if (tern_store_count_chats (screen->store, screen->account, TERN_STORE_CHAT_FILTER_ALL, NULL) >= 20)
    screen->first_screen_ms = (g_get_monotonic_time () - screen->start) / 1000.0;
}

typedef struct {
  double ms;
  double cpu_ms;
  double first_screen_ms;
} Round;

/* One initial sync of carol's mailbox into a new profile in @dir. Under
 * callgrind, @count says whether this one is counted. */
static Round
sync_round (const char *dir,
            gboolean    count)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TernContext) context = NULL;
  g_autoptr(TernAccountSettings) settings = NULL;
  g_autoptr(TernAccount) account = NULL;
  g_autoptr(GAsyncResult) r = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autofree char *address = g_strdup_printf ("carol@%s", env ("TERN_TEST_DOMAIN"));
  Screen screen = { 0, };
  Round round = { 0, };
  gint64 start;

  context = tern_context_new (dir, &error);
  if (context == NULL)
    g_error ("%s", error->message);
  settings = tern_account_settings_new (address);
  settings->password = g_strdup (env ("TERN_TEST_PASSWORD"));
  settings->imap_host = g_strdup (env ("TERN_TEST_HOST"));
  settings->imap_port = (guint16) atoi (env ("TERN_TEST_IMAP_PORT"));
  settings->imap_security = TERN_ACCOUNT_SECURITY_STARTTLS;
  settings->smtp_host = g_strdup (env ("TERN_TEST_HOST"));
  settings->smtp_port = (guint16) atoi (env ("TERN_TEST_SMTP_PORT"));
  settings->smtp_security = TERN_ACCOUNT_SECURITY_STARTTLS;
  settings->trusted_certificate = g_strdup (env ("TERN_TEST_CERT_SHA256"));
  settings->filter_mode = TERN_FILTER_MODE_NONE;
  settings->store_password = FALSE;
  tern_account_setup_async (context, settings, NULL, got_result, &r);
  account = tern_account_setup_finish (wait_result (&r), &error);
  if (account == NULL)
    g_error ("setup: %s", error->message);

  screen.store = tern_context_get_store (context);
  screen.account = tern_account_get_id (account);
  g_signal_connect (account, "message-received", G_CALLBACK (received_cb), &screen);
  round.cpu_ms = cpu_ms ();
  start = screen.start = g_get_monotonic_time ();
  if (count)
    SYNC_COUNT_START ();
  tern_account_sync_once_async (account, NULL, got_result, &r2);
  if (!tern_account_sync_once_finish (account, wait_result (&r2), &error))
    g_error ("sync: %s", error->message);
  if (count)
    SYNC_COUNT_END ();
  round.ms = (g_get_monotonic_time () - start) / 1000.0;
  round.cpu_ms = cpu_ms () - round.cpu_ms;
  round.first_screen_ms = screen.first_screen_ms;

  g_printerr ("# %" G_GUINT64_FORMAT " fetched by the sync, %u chats\n",
              tern_account_get_debug_fetch_count (account),
              tern_store_count_chats (screen.store, screen.account, TERN_STORE_CHAT_FILTER_ALL, NULL));
  g_clear_object (&account);
  g_clear_object (&context);
  return round;
}

/* The raw fetch and Tern's sync alternate ROUNDS times (each sync into a
 * new profile; the first also creates the account's folders on the
 * server, the later ones find them, as a second device does), and the
 * figures are the medians: one run of either varies by up to 2x here with
 * the machine's other work. TERN_BENCH_ROUNDS changes the count. */
#define ROUNDS 3

int
main (int   argc,
      char *argv[])
{
  guint n = g_getenv ("TERN_BENCH_N") != NULL ? (guint) atoi (g_getenv ("TERN_BENCH_N")) : 10000;
  guint rounds = g_getenv ("TERN_BENCH_ROUNDS") != NULL
                 ? MAX ((guint) atoi (g_getenv ("TERN_BENCH_ROUNDS")), 1) : ROUNDS;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tern-bench-sync-XXXXXX", &error);
  g_autofree double *raw_ms = g_new0 (double, rounds);
  g_autofree double *raw_cpu = g_new0 (double, rounds);
  g_autofree double *sync_ms = g_new0 (double, rounds);
  g_autofree double *sync_cpu = g_new0 (double, rounds);
  g_autofree double *screen_ms = g_new0 (double, rounds);
  guint n_raw = 0;
  double ignored;

  if (dir == NULL)
    g_error ("%s", error->message);
  fill_mailbox (n);

  /* warm the server's caches the same way for both */
  raw_fetch_ms (&n_raw, &ignored);
  for (guint i = 0; i < rounds; i++)
    {
      g_autofree char *profile = g_strdup_printf ("%s/round-%u", dir, i);
      Round round;

      raw_ms[i] = raw_fetch_ms (&n_raw, &raw_cpu[i]);
      round = sync_round (profile, i == 0);
      sync_ms[i] = round.ms;
      sync_cpu[i] = round.cpu_ms;
      screen_ms[i] = round.first_screen_ms;
      g_printerr ("# round %u: raw fetch %.1f ms, sync %.1f ms (%.2fx), %u messages on the server\n",
                  i + 1, raw_ms[i], sync_ms[i], sync_ms[i] / raw_ms[i], n_raw);
    }

  g_print ("sync.raw_fetch10k.ms %.1f ms\n", bench_median (raw_ms, rounds));
  g_print ("sync.initial10k.ms %.1f ms\n", bench_median (sync_ms, rounds));
  g_print ("sync.initial10k.ratio_to_raw %.2f x\n", bench_median (sync_ms, rounds) / bench_median (raw_ms, rounds));
  g_print ("sync.first_screen.ms %.1f ms\n", bench_median (screen_ms, rounds));
  g_print ("sync.raw_fetch10k.cpu_ms %.1f ms\n", bench_median (raw_cpu, rounds));
  g_print ("sync.initial10k.cpu_ms %.1f ms\n", bench_median (sync_cpu, rounds));
  return 0;
}
