/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-test"

#include <string.h>
#include <glib/gstdio.h>

#include "tern-account-private.h"
#include "tern-account-send.h"
#include "tern-account.h"
#include "tern-context.h"
#include "tern-outbox.h"

/* The engine around the sync loop, on the test stack: one command
 * connection for a burst of sends (one login), logged out when idle, a new
 * one after the server dropped it; a second IDLE connection so INBOX and
 * COI/Chats are both live; several accounts in one context; the network
 * coming back reconnects at once instead of after the backoff. */

static const char *
env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || *value == '\0')
    g_error ("%s is not set: run the live tests inside tests/stack/with-stack", name);
  return value;
}

static guint16
env_port (const char *name)
{
  return (guint16) g_ascii_strtoull (env (name), NULL, 10);
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + 90 * G_USEC_PER_SEC;

  while (*slot == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return *slot;
}

/* Runs the main loop until @check is true or @ms pass; the time it took in
 * ms through @took (wall clock). */
static gboolean
wait_until_ms (gboolean (*check) (gpointer),
               gpointer  data,
               guint     ms,
               gint64   *took)
{
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + (gint64) ms * 1000;

  while (!check (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  if (took != NULL)
    *took = (g_get_monotonic_time () - start) / 1000;
  return TRUE;
}

static void
spin_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  if (dir != NULL)
    g_dir_close (dir);
  g_rmdir (path);
}

static TernAccount *
add_account (TernContext    *context,
             const char     *user,
             gboolean        coi,
             TernFilterMode  filter)
{
  g_autofree char *address = g_strdup_printf ("%s@%s", user,
                                              env (coi ? "TERN_TEST_COI_DOMAIN" : "TERN_TEST_DOMAIN"));
  g_autoptr(TernAccountSettings) s = tern_account_settings_new (address);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  TernAccount *account;

  s->password = g_strdup (env ("TERN_TEST_PASSWORD"));
  s->store_password = FALSE;
  s->imap_host = g_strdup (env ("TERN_TEST_HOST"));
  s->imap_port = env_port (coi ? "TERN_TEST_COI_IMAP_PORT" : "TERN_TEST_IMAP_PORT");
  s->imap_security = TERN_ACCOUNT_SECURITY_STARTTLS;
  s->smtp_host = g_strdup (env ("TERN_TEST_HOST"));
  s->smtp_port = env_port ("TERN_TEST_SMTP_PORT");
  s->smtp_security = TERN_ACCOUNT_SECURITY_STARTTLS;
  s->trusted_certificate = g_strdup (env ("TERN_TEST_CERT_SHA256"));
  s->filter_mode = filter;
  tern_account_setup_async (context, s, NULL, got_result, &result);
  account = tern_account_setup_finish (wait_result (&result), &error);
  g_assert_no_error (error);
  tern_account_set_password_for_session (account, env ("TERN_TEST_PASSWORD"));
  return account;
}

static void
sync_once (TernAccount *account)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) synced = NULL;

  tern_account_sync_once_async (account, NULL, got_result, &synced);
  tern_account_sync_once_finish (account, wait_result (&synced), &error);
  g_assert_no_error (error);
}

static void
drain (void)
{
  for (int i = 0; i < 50; i++)
    while (g_main_context_iteration (NULL, FALSE))
      ;
}

static void
close_context (TernContext **context,
               char        **dir)
{
  GListModel *accounts = tern_context_get_accounts (*context);

  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(TernAccount) account = g_list_model_get_item (accounts, i);

      tern_outbox_stop (tern_outbox_get_for_account (account));
      tern_account_stop (account);
    }
  drain ();
  g_clear_object (context);
  remove_tree (*dir);
  g_clear_pointer (dir, g_free);
}

static TernImapClient *
raw_imap (const char *user,
          gboolean    coi)
{
  g_autofree char *address = g_strdup_printf ("%s@%s", user,
                                              env (coi ? "TERN_TEST_COI_DOMAIN" : "TERN_TEST_DOMAIN"));
  TernImapClient *imap = tern_imap_client_new (env ("TERN_TEST_HOST"),
                                               env_port (coi ? "TERN_TEST_COI_IMAP_PORT"
                                                             : "TERN_TEST_IMAP_PORT"),
                                               TERN_NET_SECURITY_STARTTLS,
                                               env ("TERN_TEST_CERT_SHA256"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;

  tern_imap_client_connect_async (imap, NULL, got_result, &r1);
  tern_imap_client_connect_finish (imap, wait_result (&r1), &error);
  g_assert_no_error (error);
  tern_imap_client_login_async (imap, address, env ("TERN_TEST_PASSWORD"), NULL, got_result, &r2);
  tern_imap_client_login_finish (imap, wait_result (&r2), &error);
  g_assert_no_error (error);
  return imap;
}

static guint
count_in (TernImapClient *imap,
          const char     *mailbox,
          const char     *id)
{
  g_autoptr(GAsyncResult) r = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TernImapSearchQuery) q = tern_imap_search_query_new ();
  g_autoptr(GArray) uids = NULL;
  g_autofree char *bracketed = g_strdup_printf ("<%s>", id);

  tern_imap_client_select_async (imap, mailbox, TRUE, FALSE, NULL, NULL, got_result, &r);
  if (!tern_imap_client_select_finish (imap, wait_result (&r), &error))
    return 0;
  tern_imap_search_query_add_header (q, "Message-ID", bracketed);
  tern_imap_client_uid_search_async (imap, q, NULL, got_result, &r2);
  uids = tern_imap_client_uid_search_finish (imap, wait_result (&r2), &error);
  g_assert_no_error (error);
  return uids->len;
}

static void
deliver (const char *message,
         const char *rcpt)
{
  g_autofree char *script = g_build_filename (env ("TERN_SOURCE_ROOT"), "tests", "stack",
                                              "deliver-raw", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) input = g_bytes_new (message, strlen (message));

  proc = g_subprocess_launcher_spawn (launcher, &error, script, "-", rcpt, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate (proc, input, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (proc));
}

static char *
make_message (const char *from,
              const char *to,
              const char *id,
              const char *text,
              gboolean    chat)
{
  return g_strdup_printf ("From: <%s>\r\nTo: <%s>\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\n"
                          "Message-ID: <%s>\r\nSubject: %s%s\r\n%s"
                          "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                          "%s\r\n", from, to, id, chat ? "Chat: " : "", text,
                          chat ? "Chat-Version: 1.0\r\n" : "", text);
}

static void
restart_dovecot (const char *which)
{
  g_autofree char *script = g_build_filename (env ("TERN_SOURCE_ROOT"), "tests", "stack",
                                              "tern-stack", NULL);
  const char *argv[] = { script, "restart-dovecot", env ("TERN_TEST_STACK_DIR"), which, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

typedef struct {
  TernStore  *store;
  gint64      account;
  const char *message_id;
} FindWait;

static gboolean
message_stored (gpointer data)
{
  FindWait *w = data;
  g_autoptr(TernStoreMessageRow) row = tern_store_find_message (w->store, w->account,
                                                                w->message_id, NULL);
  return row != NULL;
}

typedef struct {
  TernStore *store;
  GArray    *ids;
} SentWait;

static gboolean
all_sent (gpointer data)
{
  SentWait *w = data;

  for (guint i = 0; i < w->ids->len; i++)
    {
      g_autoptr(TernStoreMessageRow) row = tern_store_get_message (w->store,
                                                                   g_array_index (w->ids, gint64, i),
                                                                   NULL);
      if (row == NULL || row->state != TERN_STORE_STATE_SENT)
        return FALSE;
    }
  return TRUE;
}

static gboolean
outbox_idle (gpointer data)
{
  return !tern_outbox_is_busy (data);
}

static gint64
send_text (TernAccount *account,
           const char  *to,
           const char  *text)
{
  const char *rcpt[] = { to, NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  tern_account_send_text_async (account, 0, rcpt, text, NULL, NULL, got_result, &result);
  id = tern_account_send_finish (account, wait_result (&result), &error);
  g_assert_no_error (error);
  return id;
}

/* ---- one command connection ------------------------------------------------------ */

static void
test_command_connection (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tern-engine-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TernContext) context = tern_context_new (dir, &error);
  g_autofree char *bob = g_strdup_printf ("bob@%s", env ("TERN_TEST_DOMAIN"));
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *dave = NULL;
  g_autofree char *unread_id = NULL;
  TernAccount *alice;
  TernAccountEngine *engine;
  TernOutbox *outbox;
  SentWait w;
  guint logins;

  g_assert_no_error (error);
  alice = add_account (context, "alice", FALSE, TERN_FILTER_MODE_NONE);
  /* two unread messages from dave, for the read pass */
  dave = g_strdup_printf ("dave@%s", env ("TERN_TEST_DOMAIN"));
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *id = g_strdup_printf ("chat$unread%u.%08x@example.test", i, g_random_int ());
      g_autofree char *msg = make_message (dave, tern_account_get_address (alice), id, "unread", TRUE);

      deliver (msg, tern_account_get_address (alice));
      if (i == 1)
        unread_id = g_strdup (id);
    }
  sync_once (alice);
  engine = tern_account_engine (alice);
  outbox = tern_outbox_get_for_account (alice);
  logins = tern_account_get_debug_login_count (alice);

  /* A burst: 6 messages, each with its APPEND, and Message-ID searches. */
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *text = g_strdup_printf ("burst %u %08x", i, g_random_int ());
      gint64 id = send_text (alice, bob, text);

      g_array_append_val (ids, id);
    }
  w.store = tern_context_get_store (context);
  w.ids = ids;
  g_assert_true (wait_until_ms (all_sent, &w, 60000, NULL));
  g_assert_true (wait_until_ms (outbox_idle, outbox, 60000, NULL));
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(TernStoreMessageRow) row = tern_store_get_message (w.store,
                                                                   g_array_index (ids, gint64, i),
                                                                   NULL);
      g_autoptr(GPtrArray) locations = tern_store_list_locations (w.store, row->id, NULL);
      g_autoptr(GAsyncResult) r = NULL;
      gboolean found = FALSE;

      g_assert_cmpuint (locations->len, ==, 1);  /* appended, location kept */
      tern_account_find_message_id_async (alice, TERN_STORE_FOLDER_ROLE_CHATS, row->message_id,
                                          NULL, got_result, &r);
      g_assert_true (tern_account_find_message_id_finish (alice, wait_result (&r), &found, &error));
      g_assert_no_error (error);
      g_assert_true (found);
    }
  /* and the read pass over dave's chat (flags on the server copies) */
  {
    g_autoptr(TernStoreMessageRow) row = NULL;
    g_autoptr(TernStoreChatRow) chat = NULL;
    g_autoptr(GAsyncResult) r = NULL;

    row = tern_store_find_message (w.store, tern_account_get_id (alice), unread_id, NULL);
    g_assert_nonnull (row);
    tern_account_mark_read_async (alice, row->chat_id, NULL, got_result, &r);
    g_assert_true (tern_account_send_op_finish (alice, wait_result (&r), &error));
    g_assert_no_error (error);
    chat = tern_store_get_chat (w.store, row->chat_id, NULL);
    g_assert_cmpuint (chat->unread_count, ==, 0);
  }
  g_test_message ("logins for 6 sends + 6 searches + a read pass: %u",
                  tern_account_get_debug_login_count (alice) - logins);
  g_assert_cmpuint (tern_account_get_debug_login_count (alice) - logins, ==, 1);
  g_assert_nonnull (engine->command);

  /* The server drops it (Dovecot restarted): the next command runs on a
   * new connection, once. */
  restart_dovecot ("plain");
  {
    g_autofree char *text = g_strdup_printf ("after restart %08x", g_random_int ());
    gint64 id = send_text (alice, bob, text);
    g_autoptr(TernStoreMessageRow) row = NULL;
    g_autoptr(GPtrArray) locations = NULL;
    g_autoptr(TernImapClient) imap = NULL;

    g_array_set_size (ids, 0);
    g_array_append_val (ids, id);
    g_assert_true (wait_until_ms (all_sent, &w, 60000, NULL));
    g_assert_true (wait_until_ms (outbox_idle, outbox, 60000, NULL));
    row = tern_store_get_message (w.store, id, NULL);
    locations = tern_store_list_locations (w.store, id, NULL);
    g_assert_cmpuint (locations->len, ==, 1);
    imap = raw_imap ("alice", FALSE);
    g_assert_cmpuint (count_in (imap, tern_account_get_folder_name (alice, TERN_STORE_FOLDER_ROLE_CHATS),
                                row->message_id), ==, 1);
    tern_imap_client_close (imap);
  }
  g_assert_cmpuint (tern_account_get_debug_login_count (alice) - logins, ==, 2);

  /* Unused for command_idle_seconds: logged out. */
  engine->command_idle_seconds = 1;
  {
    g_autoptr(GAsyncResult) r = NULL;
    gboolean found = FALSE;

    tern_account_find_message_id_async (alice, TERN_STORE_FOLDER_ROLE_CHATS, "nothing@here",
                                        NULL, got_result, &r);
    g_assert_true (tern_account_find_message_id_finish (alice, wait_result (&r), &found, &error));
    g_assert_false (found);
  }
  g_assert_nonnull (engine->command);
  spin_ms (1800);
  g_assert_null (engine->command);

  close_context (&context, &dir);
}

/* ---- two IDLE connections ----------------------------------------------------------- */

typedef struct {
  TernAccount *account;
} OnlineWait;

static gboolean
watching (gpointer data)
{
  TernAccount *account = data;
  TernAccountEngine *engine = tern_account_engine (account);

  return tern_account_get_state (account) == TERN_ACCOUNT_STATE_ONLINE && engine->watch != NULL
         && tern_imap_client_is_idle (engine->watch) && account->imap != NULL
         && tern_imap_client_is_idle (account->imap);
}

/* On the COI flavour with filter active the main connection IDLEs on
 * COI/Chats and the second on INBOX: a chat message the server files into
 * Chats and a classic mail left in INBOX are both stored within a few
 * seconds (the periodic pass comes only every two minutes). */
static void
test_two_idle_connections (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tern-engine-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TernContext) context = tern_context_new (dir, &error);
  g_autofree char *chat_id = g_strdup_printf ("chat$idle2.%08x@example.test", g_random_int ());
  g_autofree char *classic_id = g_strdup_printf ("idle2.%08x@example.test", g_random_int ());
  g_autofree char *to = NULL;
  g_autofree char *from = g_strdup_printf ("carol@%s", env ("TERN_TEST_DOMAIN"));
  TernAccount *alice;
  TernAccountEngine *engine;
  FindWait f;
  gint64 took = 0;

  g_assert_no_error (error);
  alice = add_account (context, "alice", TRUE, TERN_FILTER_MODE_ACTIVE);
  to = g_strdup (tern_account_get_address (alice));
  tern_account_start (alice);
  g_assert_true (wait_until_ms (watching, alice, 30000, NULL));
  g_assert_true (tern_account_is_coi_server (alice));
  engine = tern_account_engine (alice);
  g_assert_cmpstr (tern_imap_client_get_selected_mailbox (alice->imap), ==,
                   tern_account_get_folder_name (alice, TERN_STORE_FOLDER_ROLE_CHATS));
  g_assert_cmpstr (tern_imap_client_get_selected_mailbox (engine->watch), ==, "INBOX");
  spin_ms (300);

  f.store = tern_context_get_store (context);
  f.account = tern_account_get_id (alice);
  {
    g_autofree char *msg = make_message (from, to, chat_id, "filed into Chats", TRUE);
    g_autoptr(TernImapClient) imap = NULL;

    deliver (msg, to);
    f.message_id = chat_id;
    g_assert_true (wait_until_ms (message_stored, &f, 5000, &took));
    g_test_message ("chat message filed into Chats stored after %" G_GINT64_FORMAT " ms", took);
    imap = raw_imap ("alice", TRUE);
    g_assert_cmpuint (count_in (imap, tern_account_get_folder_name (alice, TERN_STORE_FOLDER_ROLE_CHATS),
                                chat_id), ==, 1);
    tern_imap_client_close (imap);
  }
  g_assert_true (wait_until_ms (watching, alice, 10000, NULL));
  spin_ms (300);
  {
    g_autofree char *msg = make_message (from, to, classic_id, "a classic mail", FALSE);

    deliver (msg, to);
    f.message_id = classic_id;
    g_assert_true (wait_until_ms (message_stored, &f, 5000, &took));
    g_test_message ("classic mail in INBOX stored after %" G_GINT64_FORMAT " ms", took);
  }

  /* the second connection goes with the account */
  tern_account_stop (alice);
  g_assert_null (engine->watch);
  close_context (&context, &dir);
}

/* ---- the network comes back ----------------------------------------------------- */

static gboolean
is_online (gpointer data)
{
  TernAccount *account = data;

  return tern_account_get_state (account) == TERN_ACCOUNT_STATE_ONLINE && account->imap != NULL
         && tern_imap_client_is_idle (account->imap);
}

static gboolean
is_waiting (gpointer data)
{
  TernAccount *account = data;

  return tern_account_get_state (account) == TERN_ACCOUNT_STATE_OFFLINE && account->imap == NULL;
}

/* The connection is lost (Dovecot restarted) after many failures, so the
 * next try is minutes away; while the network is gone no timer runs; when
 * GNetworkMonitor says it is back the account reconnects at once. */
static void
test_network_back (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tern-engine-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TernContext) context = tern_context_new (dir, &error);
  TernAccount *alice;
  gint64 took = 0;

  g_assert_no_error (error);
  alice = add_account (context, "alice", FALSE, TERN_FILTER_MODE_ACTIVE);
  tern_account_start (alice);
  g_assert_true (wait_until_ms (is_online, alice, 30000, NULL));
  tern_account_engine (alice)->watch_disabled = TRUE;

  alice->backoff_attempt = 8;  /* the next retry in about 256 s */
  restart_dovecot ("plain");
  g_assert_true (wait_until_ms (is_waiting, alice, 30000, NULL));
  g_assert_cmpuint (alice->reconnect_id, !=, 0);

  tern_context_simulate_network_changed (context, FALSE);
  g_assert_false (tern_context_get_network_available (context));
  g_assert_cmpuint (alice->reconnect_id, ==, 0);  /* no retry while offline */
  spin_ms (500);
  g_assert_true (is_waiting (alice));

  tern_context_simulate_network_changed (context, TRUE);
  g_assert_true (wait_until_ms (is_online, alice, 15000, &took));
  g_test_message ("online %" G_GINT64_FORMAT " ms after the network came back", took);
  g_assert_cmpint (took, <, 10000);
  close_context (&context, &dir);
}

/* ---- several accounts side by side ------------------------------------------------ */

/* alice@example.test (plain) and bob@coi.test (COI flavour) in one context,
 * both started: both stay live (IDLE); a message to each lands in a chat of
 * its own account only. */
static void
test_two_accounts (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tern-engine-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TernContext) context = tern_context_new (dir, &error);
  g_autofree char *from = g_strdup_printf ("dave@%s", env ("TERN_TEST_DOMAIN"));
  g_autofree char *to_alice = g_strdup_printf ("chat$two-a.%08x@example.test", g_random_int ());
  g_autofree char *to_bob = g_strdup_printf ("chat$two-b.%08x@example.test", g_random_int ());
  TernAccount *alice, *bob;
  TernStore *store;
  FindWait f;

  g_assert_no_error (error);
  alice = add_account (context, "alice", FALSE, TERN_FILTER_MODE_ACTIVE);
  bob = add_account (context, "bob", TRUE, TERN_FILTER_MODE_ACTIVE);
  g_assert_cmpuint (g_list_model_get_n_items (tern_context_get_accounts (context)), ==, 2);
  tern_account_start (alice);
  tern_account_start (bob);
  g_assert_true (wait_until_ms (is_online, alice, 30000, NULL));
  g_assert_true (wait_until_ms (is_online, bob, 30000, NULL));
  g_assert_false (tern_account_is_coi_server (alice));
  g_assert_true (tern_account_is_coi_server (bob));
  spin_ms (300);

  {
    g_autofree char *a = make_message (from, tern_account_get_address (alice), to_alice, "for alice", TRUE);
    g_autofree char *b = make_message (from, tern_account_get_address (bob), to_bob, "for bob", TRUE);

    deliver (a, tern_account_get_address (alice));
    deliver (b, tern_account_get_address (bob));
  }
  store = tern_context_get_store (context);
  f.store = store;
  f.account = tern_account_get_id (alice);
  f.message_id = to_alice;
  g_assert_true (wait_until_ms (message_stored, &f, 10000, NULL));
  f.account = tern_account_get_id (bob);
  f.message_id = to_bob;
  g_assert_true (wait_until_ms (message_stored, &f, 10000, NULL));

  /* each in its own account's chat with dave, not in the other's */
  {
    g_autoptr(TernStoreMessageRow) a = tern_store_find_message (store, tern_account_get_id (alice), to_alice, NULL);
    g_autoptr(TernStoreMessageRow) b = tern_store_find_message (store, tern_account_get_id (bob), to_bob, NULL);
    g_autoptr(TernStoreMessageRow) a_in_b = tern_store_find_message (store, tern_account_get_id (bob), to_alice, NULL);
    g_autoptr(TernStoreMessageRow) b_in_a = tern_store_find_message (store, tern_account_get_id (alice), to_bob, NULL);
    g_autoptr(TernStoreChatRow) chat_a = tern_store_get_chat (store, a->chat_id, NULL);
    g_autoptr(TernStoreChatRow) chat_b = tern_store_get_chat (store, b->chat_id, NULL);

    g_assert_null (a_in_b);
    g_assert_null (b_in_a);
    g_assert_cmpint (chat_a->account_id, ==, tern_account_get_id (alice));
    g_assert_cmpint (chat_b->account_id, ==, tern_account_get_id (bob));
    g_assert_cmpint (chat_a->id, !=, chat_b->id);
    g_assert_cmpstr (chat_a->key, ==, from);
    g_assert_cmpstr (chat_b->key, ==, from);
  }
  close_context (&context, &dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/live/engine/command-connection", test_command_connection);
  g_test_add_func ("/core/live/engine/two-idle-connections", test_two_idle_connections);
  g_test_add_func ("/core/live/engine/network-back", test_network_back);
  g_test_add_func ("/core/live/engine/two-accounts", test_two_accounts);
  return g_test_run ();
}
