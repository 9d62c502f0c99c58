/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-test"

#include <string.h>

#include "tern-imap-client.h"
#include "tern-net-error.h"
#include "tern-test-script-server.h"

/* Fault tests of TernImapClient against the scripted socket server: what a
 * real server will not do on demand. Each case ends in a clear result or
 * error, with no hang and (under ASan) no leak. */

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static GString *debug_log;

static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  if (level & G_LOG_LEVEL_DEBUG)
    {
      for (gsize i = 0; i < n_fields; i++)
        if (g_str_equal (fields[i].key, "MESSAGE"))
          {
            g_string_append (debug_log, fields[i].value);
            g_string_append_c (debug_log, '\n');
          }
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
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
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (*slot == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return *slot;
}

/* Runs the main context for @ms milliseconds. */
static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

static TernImapClient *
new_client (TernTestScriptServer *server)
{
  return tern_imap_client_new ("127.0.0.1", tern_test_script_server_port (server),
                               TERN_NET_SECURITY_PLAIN, NULL);
}

static gboolean
do_connect (TernImapClient  *client,
            GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tern_imap_client_connect_async (client, NULL, got_result, &result);
  return tern_imap_client_connect_finish (client, wait_result (&result), error);
}

static gboolean
do_login (TernImapClient  *client,
          GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tern_imap_client_login_async (client, "alice", "s3cr3t-pw", NULL, got_result, &result);
  return tern_imap_client_login_finish (client, wait_result (&result), error);
}

static gboolean
do_select (TernImapClient  *client,
           GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tern_imap_client_select_async (client, "INBOX", FALSE, FALSE, NULL, NULL, got_result, &result);
  return tern_imap_client_select_finish (client, wait_result (&result), error);
}

static gboolean
do_noop (TernImapClient  *client,
         GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tern_imap_client_noop_async (client, NULL, got_result, &result);
  return tern_imap_client_noop_finish (client, wait_result (&result), error);
}

typedef struct {
  guint      n_batches;
  guint      max_batch;
  GPtrArray *fetches;
} Collected;

static void
collect_batch (TernImapClient *client,
               GPtrArray      *fetches,
               gpointer        user_data)
{
  Collected *collected = user_data;

  collected->n_batches++;
  collected->max_batch = MAX (collected->max_batch, fetches->len);
  /* Steal the items: the client frees what is left in the array. */
  for (guint i = 0; i < fetches->len; i++)
    g_ptr_array_add (collected->fetches, g_steal_pointer (&fetches->pdata[i]));
}

static void
collected_clear (Collected *collected)
{
  g_clear_pointer (&collected->fetches, g_ptr_array_unref);
}

static void
finish_server (TernTestScriptServer *server)
{
  g_autoptr(GError) error = NULL;

  tern_test_script_server_finish (server, &error);
  g_assert_no_error (error);
}

/* Closes the client, lets the cancelled I/O settle, and checks that the
 * last reference really goes (nothing in flight holds it). */
static void
close_and_free (TernImapClient *client)
{
  tern_imap_client_close (client);
  spin (50);
  g_assert_finalize_object (client);
}

#define GREETING "S: * OK [CAPABILITY IMAP4rev1 LITERAL+ IDLE UIDPLUS] test server ready\n"
#define LOGGED_IN \
  GREETING \
  "C: A1 LOGIN\n" \
  "S: A1 OK [CAPABILITY IMAP4rev1 LITERAL+ IDLE UIDPLUS MOVE] logged in\n"
#define SELECTED \
  LOGGED_IN \
  "C: A2 SELECT INBOX\n" \
  "S: * FLAGS (\\Seen \\Deleted $Chat)\n" \
  "S: * 3 EXISTS\n" \
  "S: * OK [UIDVALIDITY 1700000000] UIDs valid\n" \
  "S: * OK [UIDNEXT 42] next\n" \
  "S: A2 OK [READ-WRITE] selected\n"

/* ------------------------------------------------------------------------
 * Tests
 * ------------------------------------------------------------------------ */

static void
test_one_byte_at_a_time (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    "SLOW\n"
    SELECTED
    "C: A3 UID FETCH 7 (UID FLAGS BODY.PEEK[])\n"
    "S: * 1 FETCH (UID 7 FLAGS (\\Seen $Chat) BODY[] {11}\n"
    "S- hello world\n"
    "S: )\n"
    "S: A3 OK fetched\n"
    "C: A4 LOGOUT\n"
    "S: * BYE bye\n"
    "S: A4 OK done\n");
  TernImapClient *client = new_client (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  Collected collected = { 0, 0, g_ptr_array_new_with_free_func ((GDestroyNotify) tern_imap_fetch_free) };
  TernImapFetch *fetch;
  guint n = 0;
  gsize len = 0;

  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (tern_imap_client_has_capability (client, "LITERAL+"));
  g_assert_true (do_login (client, &error));
  g_assert_no_error (error);
  g_assert_true (tern_imap_client_has_capability (client, "MOVE"));
  g_assert_cmpint (tern_imap_client_get_state (client), ==, TERN_IMAP_CLIENT_STATE_AUTHENTICATED);
  g_assert_true (do_select (client, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tern_imap_client_get_state (client), ==, TERN_IMAP_CLIENT_STATE_SELECTED);
  g_assert_cmpuint (tern_imap_client_get_exists (client), ==, 3);
  g_assert_cmpuint (tern_imap_client_get_uidvalidity (client), ==, 1700000000);
  g_assert_cmpuint (tern_imap_client_get_uidnext (client), ==, 42);
  g_assert_false (tern_imap_client_get_read_only (client));

  tern_imap_client_uid_fetch_async (client, "7", TERN_IMAP_WANT_FLAGS | TERN_IMAP_WANT_BODY, NULL,
                                    collect_batch, &collected, NULL, got_result, &result);
  g_assert_true (tern_imap_client_uid_fetch_finish (client, wait_result (&result), &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (collected.fetches->len, ==, 1);
  fetch = g_ptr_array_index (collected.fetches, 0);
  g_assert_cmpuint (fetch->uid, ==, 7);
  g_assert_true (g_strv_contains ((const char *const *) fetch->flags, "$Chat"));
  g_assert_cmpuint (fetch->sections->len, ==, 1);
  g_assert_cmpstr (g_bytes_get_data (((TernImapBodySection *) g_ptr_array_index (fetch->sections, 0))->data, &len), ==, "hello world");
  g_assert_cmpuint (len, ==, 11);
  g_clear_object (&result);

  tern_imap_client_logout_async (client, NULL, got_result, &result);
  g_assert_true (tern_imap_client_logout_finish (client, wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (tern_imap_client_get_state (client), ==, TERN_IMAP_CLIENT_STATE_DISCONNECTED);

  finish_server (server);
  collected_clear (&collected);
  g_clear_object (&result);
  close_and_free (client);
}

static void
test_literal_split_across_reads (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    SELECTED
    "C: A3 UID FETCH 1:* (UID BODY.PEEK[])\n"
    "S: * 1 FETCH (UID 5 BODY[] {12}\n"
    "S- Hel\n"
    "WAIT 30\n"
    "S- lo, \n"
    "WAIT 30\n"
    "S- world\n"
    "WAIT 30\n"
    "S: )\n"
    "S: * 2 FETCH (UID 6 BODY[] {3}\n"
    "WAIT 30\n"
    "S- abc\n"
    "WAIT 30\n"
    "S: )\n"
    "S: A3 OK done\n");
  TernImapClient *client = new_client (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  Collected collected = { 0, 0, g_ptr_array_new_with_free_func ((GDestroyNotify) tern_imap_fetch_free) };
  TernImapBodySection *section;
  guint n = 0;

  g_string_truncate (debug_log, 0);
  g_assert_true (do_connect (client, &error) && do_login (client, &error) &&
                 do_select (client, &error));
  g_assert_no_error (error);
  tern_imap_client_uid_fetch_async (client, "1:*", TERN_IMAP_WANT_BODY, NULL, collect_batch,
                                    &collected, NULL, got_result, &result);
  g_assert_true (tern_imap_client_uid_fetch_finish (client, wait_result (&result), &n, &error));
  /* The log summarises literal bodies by their size. */
  g_assert_nonnull (strstr (debug_log->str, "S: * 1 FETCH (UID 5 BODY[] {12} <12 bytes>)"));
  g_assert_null (strstr (debug_log->str, "Hello, world"));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);
  section = g_ptr_array_index (((TernImapFetch *) g_ptr_array_index (collected.fetches, 0))->sections, 0);
  g_assert_cmpmem (g_bytes_get_data (section->data, NULL), g_bytes_get_size (section->data),
                   "Hello, world", 12);
  section = g_ptr_array_index (((TernImapFetch *) g_ptr_array_index (collected.fetches, 1))->sections, 0);
  g_assert_cmpmem (g_bytes_get_data (section->data, NULL), g_bytes_get_size (section->data),
                   "abc", 3);

  finish_server (server);
  collected_clear (&collected);
  g_clear_object (&result);
  close_and_free (client);
}

static void
closed_cb (TernImapClient *client,
           const GError   *error,
           gpointer        user_data)
{
  GError **out = user_data;

  g_assert_null (*out);
  *out = error ? g_error_copy (error) : g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "clean");
}

static void
test_drop_mid_literal (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    SELECTED
    "C: A3 UID FETCH 1:* (UID BODY.PEEK[])\n"
    "S: * 1 FETCH (UID 5 BODY[] {1000}\n"
    "RAW 100\n"
    "WAIT 100\n"
    "DROP\n");
  TernImapClient *client = new_client (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) closed_error = NULL;
  g_autoptr(GError) noop_error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) noop_result = NULL;
  Collected collected = { 0, 0, g_ptr_array_new_with_free_func ((GDestroyNotify) tern_imap_fetch_free) };

  g_assert_true (do_connect (client, &error) && do_login (client, &error) &&
                 do_select (client, &error));
  g_assert_no_error (error);
  g_signal_connect (client, "closed", G_CALLBACK (closed_cb), &closed_error);
  tern_imap_client_uid_fetch_async (client, "1:*", TERN_IMAP_WANT_BODY, NULL, collect_batch,
                                    &collected, NULL, got_result, &result);
  /* A second command waits in the queue: it must fail too, not hang. */
  tern_imap_client_noop_async (client, NULL, got_result, &noop_result);
  g_assert_false (tern_imap_client_uid_fetch_finish (client, wait_result (&result), NULL, &error));
  g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_TRANSIENT);
  g_assert_true (tern_imap_error_is_transient (error));
  g_assert_false (tern_imap_client_noop_finish (client, wait_result (&noop_result), &noop_error));
  g_assert_error (noop_error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_TRANSIENT);
  g_assert_error (closed_error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_TRANSIENT);
  g_assert_cmpuint (collected.fetches->len, ==, 0);
  g_assert_cmpint (tern_imap_client_get_state (client), ==, TERN_IMAP_CLIENT_STATE_DISCONNECTED);

  /* Commands after the loss fail at once with a state error. */
  g_clear_error (&noop_error);
  g_assert_false (do_noop (client, &noop_error));
  g_assert_error (noop_error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_STATE);

  finish_server (server);
  collected_clear (&collected);
  g_clear_object (&result);
  g_clear_object (&noop_result);
  close_and_free (client);
}

static void
bye_cb (TernImapClient *client,
        const char     *text,
        gpointer        user_data)
{
  char **out = user_data;

  g_free (*out);
  *out = g_strdup (text);
}

static void
test_bye_mid_command (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    LOGGED_IN
    "C: A2 NOOP\n"
    "S: * BYE Server shutting down for maintenance\n"
    "DROP\n");
  TernImapClient *client = new_client (server);
  g_autoptr(GError) error = NULL;
  g_autofree char *bye = NULL;

  g_assert_true (do_connect (client, &error) && do_login (client, &error));
  g_assert_no_error (error);
  g_signal_connect (client, "bye", G_CALLBACK (bye_cb), &bye);
  g_assert_false (do_noop (client, &error));
  g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_TRANSIENT);
  g_assert_nonnull (strstr (error->message, "shutting down"));
  g_assert_cmpstr (bye, ==, "Server shutting down for maintenance");

  finish_server (server);
  close_and_free (client);
}

static void
test_oversized_literal (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    SELECTED
    "C: A3 UID FETCH 1 (UID BODY.PEEK[])\n"
    "S: * 1 FETCH (UID 1 BODY[] {999999999999}\n"
    "RAW 1000\n"
    "WAIT 200\n");
  TernImapClient *client = new_client (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  g_assert_true (do_connect (client, &error) && do_login (client, &error) &&
                 do_select (client, &error));
  g_assert_no_error (error);
  tern_imap_client_uid_fetch_async (client, "1", TERN_IMAP_WANT_BODY, NULL, NULL, NULL, NULL,
                                    got_result, &result);
  g_assert_false (tern_imap_client_uid_fetch_finish (client, wait_result (&result), NULL, &error));
  g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_LIMIT);
  g_assert_false (tern_imap_error_is_transient (error));
  g_assert_cmpint (tern_imap_client_get_state (client), ==, TERN_IMAP_CLIENT_STATE_DISCONNECTED);

  tern_test_script_server_finish (server, NULL); /* the client hung up mid-RAW */
  g_clear_object (&result);
  close_and_free (client);
}

static void
test_garbage (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    LOGGED_IN
    "C: A2 NOOP\n"
    "S: * 1 FETCH )UID 7( \"unterminated\n"
    "S: A2 OK noop\n"
    "WAIT 200\n");
  TernImapClient *client = new_client (server);
  g_autoptr(GError) error = NULL;

  g_assert_true (do_connect (client, &error) && do_login (client, &error));
  g_assert_no_error (error);
  g_assert_false (do_noop (client, &error));
  g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_PARSE);
  g_assert_cmpint (tern_imap_client_get_state (client), ==, TERN_IMAP_CLIENT_STATE_DISCONNECTED);

  tern_test_script_server_finish (server, NULL);
  close_and_free (client);
}

static void
test_greeting_timeout (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    "WAIT 3000\n"
    GREETING);
  TernImapClient *client = new_client (server);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  tern_imap_client_set_timeouts (client, 0, 1, 0);
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_TIMEOUT);
  g_assert_true (tern_imap_error_is_transient (error));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2500 * 1000);
  g_assert_cmpint (tern_imap_client_get_state (client), ==, TERN_IMAP_CLIENT_STATE_DISCONNECTED);

  tern_test_script_server_finish (server, NULL);
  close_and_free (client);
}

static void
test_command_timeout (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    LOGGED_IN
    "C: A2 NOOP\n"
    "WAIT 3000\n"
    "S: A2 OK too late\n");
  TernImapClient *client = new_client (server);
  g_autoptr(GError) error = NULL;
  gint64 start;

  tern_imap_client_set_timeouts (client, 0, 0, 1);
  g_assert_true (do_connect (client, &error) && do_login (client, &error));
  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  g_assert_false (do_noop (client, &error));
  g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "NOOP"));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 900 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2500 * 1000);

  tern_test_script_server_finish (server, NULL);
  close_and_free (client);
}

static void
test_starttls_refused (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    "S: * OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] ready\n"
    "C: A1 STARTTLS\n"
    "S: A1 NO TLS is not available right now\n"
    "WAIT 300\n");
  TernImapClient *client = tern_imap_client_new ("127.0.0.1", tern_test_script_server_port (server),
                                                 TERN_NET_SECURITY_STARTTLS, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (do_connect (client, &error));
  g_assert_error (error, TERN_NET_ERROR, TERN_NET_ERROR_PLAIN_NOT_ALLOWED);
  g_assert_nonnull (strstr (error->message, "not available right now"));
  g_assert_cmpint (tern_imap_client_get_state (client), ==, TERN_IMAP_CLIENT_STATE_DISCONNECTED);
  /* No plaintext login can follow. */
  g_clear_error (&error);
  g_assert_false (do_login (client, &error));
  g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_STATE);

  finish_server (server);
  {
    g_auto(GStrv) received = tern_test_script_server_dup_received (server);
    g_assert_cmpuint (g_strv_length (received), ==, 1);
    g_assert_cmpstr (received[0], ==, "A1 STARTTLS");
  }
  close_and_free (client);
}

static void
test_starttls_missing (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    "S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready, no TLS here\n"
    "WAIT 300\n");
  TernImapClient *client = tern_imap_client_new ("127.0.0.1", tern_test_script_server_port (server),
                                                 TERN_NET_SECURITY_STARTTLS, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (do_connect (client, &error));
  g_assert_error (error, TERN_NET_ERROR, TERN_NET_ERROR_PLAIN_NOT_ALLOWED);

  finish_server (server);
  close_and_free (client);
}

static void
test_plain_refused_non_loopback (void)
{
  TernImapClient *client = tern_imap_client_new ("imap.example.com", 143,
                                                 TERN_NET_SECURITY_PLAIN, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (do_connect (client, &error));
  g_assert_error (error, TERN_NET_ERROR, TERN_NET_ERROR_PLAIN_NOT_ALLOWED);
  g_assert_cmpint (tern_imap_client_get_state (client), ==, TERN_IMAP_CLIENT_STATE_DISCONNECTED);
  close_and_free (client);
}

static void
test_auth_failed_and_redacted (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    "S: * OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\n"
    "C: A1 AUTHENTICATE PLAIN AGFsaWNlAHMzY3IzdC1wdw==\n"
    "S: A1 NO [AUTHENTICATIONFAILED] Authentication failed.\n"
    "C: A2 LOGOUT\n"
    "S: * BYE bye\n"
    "S: A2 OK bye\n");
  TernImapClient *client = new_client (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  g_string_truncate (debug_log, 0);
  g_assert_true (do_connect (client, &error));
  g_assert_false (do_login (client, &error));
  g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "Authentication failed"));
  g_assert_cmpint (tern_imap_client_get_state (client), ==,
                   TERN_IMAP_CLIENT_STATE_NOT_AUTHENTICATED);
  tern_imap_client_logout_async (client, NULL, got_result, &result);
  g_assert_true (tern_imap_client_logout_finish (client, wait_result (&result), NULL));

  /* The traffic is logged, the credentials are not. */
  g_assert_nonnull (strstr (debug_log->str, "C: A1 AUTHENTICATE PLAIN ***"));
  g_assert_nonnull (strstr (debug_log->str, "S: A1 NO"));
  g_assert_null (strstr (debug_log->str, "AGFsaWNlAHMzY3IzdC1wdw"));
  g_assert_null (strstr (debug_log->str, "s3cr3t"));

  finish_server (server);
  g_clear_object (&result);
  close_and_free (client);
}

static void
test_login_redacted_and_sasl_continuation (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    "S: * OK [CAPABILITY IMAP4rev1] ready\n"
    "C: A1 LOGIN alice s3cr3t-pw\n"
    "S: A1 OK done\n"
    "C: A2 CAPABILITY\n"
    "S: * CAPABILITY IMAP4rev1 IDLE\n"
    "S: A2 OK capability\n");
  g_autoptr(TernTestScriptServer) server2 = tern_test_script_server_new (
    "S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\n"
    "C= A1 AUTHENTICATE PLAIN\n"
    "S: + \n"
    "C= AGFsaWNlAHMzY3IzdC1wdw==\n"
    "S: A1 OK [CAPABILITY IMAP4rev1 IDLE] welcome\n");
  TernImapClient *client = new_client (server);
  TernImapClient *client2 = new_client (server2);
  g_autoptr(GError) error = NULL;

  g_string_truncate (debug_log, 0);
  g_assert_true (do_connect (client, &error) && do_login (client, &error));
  g_assert_no_error (error);
  /* Capabilities refreshed after login. */
  g_assert_true (tern_imap_client_has_capability (client, "IDLE"));
  g_assert_nonnull (strstr (debug_log->str, "C: A1 LOGIN *** ***"));
  g_assert_null (strstr (debug_log->str, "s3cr3t"));

  g_string_truncate (debug_log, 0);
  g_assert_true (do_connect (client2, &error) && do_login (client2, &error));
  g_assert_no_error (error);
  g_assert_true (tern_imap_client_has_capability (client2, "IDLE"));
  g_assert_null (strstr (debug_log->str, "AGFsaWNlAHMzY3IzdC1wdw"));
  g_assert_nonnull (strstr (debug_log->str, "C: ***"));

  finish_server (server);
  finish_server (server2);
  close_and_free (client);
  close_and_free (client2);
}

static void
test_synchronising_literal (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    "S: * OK [CAPABILITY IMAP4rev1 UIDPLUS] ready\n"
    "C: A1 LOGIN\n"
    "S: A1 OK [CAPABILITY IMAP4rev1 UIDPLUS] in\n"
    "C= A2 APPEND INBOX (\\Seen $Chat) \" 5-Mar-2024 14:07:09 +0100\" {5}\n"
    "S: + go ahead\n"
    "C= hello\n"
    "S: A2 OK [APPENDUID 99 12] appended\n");
  TernImapClient *client = new_client (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) message = g_bytes_new_static ("hello", 5);
  g_autoptr(GTimeZone) tz = g_time_zone_new_offset (3600);
  g_autoptr(GDateTime) date = g_date_time_new (tz, 2024, 3, 5, 14, 7, 9);
  const char *flags[] = { "\\Seen", "$Chat", NULL };
  TernImapAppendResult appended = { 0 };

  g_assert_true (do_connect (client, &error) && do_login (client, &error));
  g_assert_no_error (error);
  tern_imap_client_append_async (client, "INBOX", flags, date, message, NULL, got_result, &result);
  g_assert_true (tern_imap_client_append_finish (client, wait_result (&result), &appended, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (appended.uidvalidity, ==, 99);
  g_assert_cmpuint (appended.uid, ==, 12);

  finish_server (server);
  g_clear_object (&result);
  close_and_free (client);
}

static void
exists_cb (TernImapClient *client,
           guint           n,
           gpointer        user_data)
{
  *(guint *) user_data = n;
}

static void
count_idle_cb (GObject    *object,
               GParamSpec *pspec,
               gpointer    user_data)
{
  if (tern_imap_client_is_idle (TERN_IMAP_CLIENT (object)))
    (*(guint *) user_data)++;
}

static void
test_idle (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    SELECTED
    "C= A3 IDLE\n"
    "S: + idling\n"
    "S: * 4 EXISTS\n"
    /* A command from the caller: the client ends IDLE first. */
    "C= DONE\n"
    "S: A3 OK idle done\n"
    "C= A4 NOOP\n"
    "S: A4 OK noop\n"
    /* Restarted by the caller; re-issued after 1 s. */
    "C= A5 IDLE\n"
    "S: + idling\n"
    "C= DONE\n"
    "S: A5 OK idle done\n"
    "C= A6 IDLE\n"
    "S: + idling\n"
    "C= DONE\n"
    "S: A6 OK stopped\n");
  TernImapClient *client = new_client (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  guint exists = 0;
  guint entered_idle = 0;

  g_assert_true (do_connect (client, &error) && do_login (client, &error) &&
                 do_select (client, &error));
  g_assert_no_error (error);
  tern_imap_client_set_idle_intervals (client, 0, 1);
  g_signal_connect (client, "exists", G_CALLBACK (exists_cb), &exists);
  g_assert_true (tern_imap_client_idle_start (client, &error));
  while (exists == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (exists, ==, 4);
  g_assert_cmpint (tern_imap_client_get_state (client), ==, TERN_IMAP_CLIENT_STATE_IDLE);
  g_assert_cmpuint (tern_imap_client_get_exists (client), ==, 4);

  g_assert_true (do_noop (client, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tern_imap_client_get_state (client), ==, TERN_IMAP_CLIENT_STATE_SELECTED);

  g_signal_connect (client, "notify::state", G_CALLBACK (count_idle_cb), &entered_idle);
  g_assert_true (tern_imap_client_idle_start (client, &error));
  /* The re-issue timer fires after 1-2 s (a seconds timer): DONE, IDLE again. */
  while (entered_idle < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (tern_imap_client_is_idle (client));
  tern_imap_client_idle_stop_async (client, NULL, got_result, &result);
  g_assert_true (tern_imap_client_idle_stop_finish (client, wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (tern_imap_client_get_state (client), ==, TERN_IMAP_CLIENT_STATE_SELECTED);

  finish_server (server);
  g_clear_object (&result);
  close_and_free (client);
}

static void
test_idle_polling (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    "S: * OK [CAPABILITY IMAP4rev1] ready\n"
    "C: A1 LOGIN\n"
    "S: A1 OK [CAPABILITY IMAP4rev1] in\n"
    "C: A2 SELECT INBOX\n"
    "S: * 1 EXISTS\n"
    "S: A2 OK [READ-WRITE] selected\n"
    "C= A3 NOOP\n"
    "S: * 2 EXISTS\n"
    "S: A3 OK noop\n");
  TernImapClient *client = new_client (server);
  g_autoptr(GError) error = NULL;
  guint exists = 0;

  g_assert_true (do_connect (client, &error) && do_login (client, &error) &&
                 do_select (client, &error));
  g_assert_no_error (error);
  tern_imap_client_set_idle_intervals (client, 1, 0);
  g_signal_connect (client, "exists", G_CALLBACK (exists_cb), &exists);
  g_assert_true (tern_imap_client_idle_start (client, &error));
  g_assert_true (tern_imap_client_is_idle (client));
  while (exists != 2)
    g_main_context_iteration (NULL, TRUE);

  finish_server (server);
  close_and_free (client);
}

static void
test_close_cancels_pending (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    LOGGED_IN
    "C: A2 NOOP\n"
    "WAIT 500\n");
  TernImapClient *client = new_client (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) result2 = NULL;

  g_assert_true (do_connect (client, &error) && do_login (client, &error));
  g_assert_no_error (error);
  tern_imap_client_noop_async (client, NULL, got_result, &result);
  tern_imap_client_noop_async (client, NULL, got_result, &result2);
  spin (100);
  tern_imap_client_close (client);
  g_assert_false (tern_imap_client_noop_finish (client, wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (tern_imap_client_noop_finish (client, wait_result (&result2), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  tern_test_script_server_finish (server, NULL);
  g_clear_object (&result);
  g_clear_object (&result2);
  close_and_free (client);
}

static void
test_cancel_running_fetch (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    SELECTED
    "C: A3 UID FETCH 1:* (UID FLAGS)\n"
    "S: * 1 FETCH (UID 1 FLAGS ())\n"
    "WAIT 1500\n"
    "S: * 2 FETCH (UID 2 FLAGS ())\n"
    "S: A3 OK done\n"
    "C: A4 NOOP\n"
    "S: A4 OK noop\n");
  TernImapClient *client = new_client (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Collected collected = { 0, 0, g_ptr_array_new_with_free_func ((GDestroyNotify) tern_imap_fetch_free) };
  TernImapFetchOptions options = { .batch_count = 1 };
  gint64 start;

  g_assert_true (do_connect (client, &error) && do_login (client, &error) &&
                 do_select (client, &error));
  g_assert_no_error (error);
  tern_imap_client_uid_fetch_async (client, "1:*", TERN_IMAP_WANT_FLAGS, &options, collect_batch,
                                    &collected, cancellable, got_result, &result);
  while (collected.fetches->len == 0)
    g_main_context_iteration (NULL, TRUE);
  start = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  g_assert_false (tern_imap_client_uid_fetch_finish (client, wait_result (&result), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* At once, not when the server finishes its answer 1.5 s later. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 1000 * 1000);
  /* The connection stays usable; the rest of the answer is dropped. */
  g_clear_error (&error);
  g_assert_true (do_noop (client, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (collected.fetches->len, ==, 1);

  finish_server (server);
  collected_clear (&collected);
  g_clear_object (&result);
  close_and_free (client);
}

static void
test_trycreate_and_alert (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    SELECTED
    "C: A3 UID COPY 1:3 Archive\n"
    "S: * OK [ALERT] Your mailbox is almost full\n"
    "S: A3 NO [TRYCREATE] No such mailbox\n"
    "C: A4 UID SEARCH HEADER Chat-Group-ID grp1 KEYWORD $Chat\n"
    "S: * SEARCH 3 5 8\n"
    "S: A4 OK search done\n"
    "C: A5 UID MOVE 3 Archive\n"
    "S: * OK [COPYUID 77 3 100] moved\n"
    "S: * 1 EXPUNGE\n"
    "S: A5 OK done\n");
  TernImapClient *client = new_client (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(TernImapSearchQuery) query = tern_imap_search_query_new ();
  g_autoptr(GArray) uids = NULL;
  g_autoptr(TernImapCopyResult) moved = NULL;
  g_autofree char *alert = NULL;

  g_assert_true (do_connect (client, &error) && do_login (client, &error) &&
                 do_select (client, &error));
  g_assert_no_error (error);
  g_signal_connect (client, "alert", G_CALLBACK (bye_cb), &alert);
  tern_imap_client_uid_copy_async (client, "1:3", "Archive", NULL, got_result, &result);
  g_assert_null (tern_imap_client_uid_copy_finish (client, wait_result (&result), &error));
  g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_TRYCREATE);
  g_assert_cmpstr (alert, ==, "Your mailbox is almost full");
  g_clear_object (&result);
  g_clear_error (&error);

  tern_imap_search_query_add_header (query, "Chat-Group-ID", "grp1");
  tern_imap_search_query_add_keyword (query, "$Chat", TRUE);
  tern_imap_client_uid_search_async (client, query, NULL, got_result, &result);
  uids = tern_imap_client_uid_search_finish (client, wait_result (&result), NULL);
  g_assert_nonnull (uids);
  g_assert_cmpuint (uids->len, ==, 3);
  g_assert_cmpuint (g_array_index (uids, guint32, 2), ==, 8);
  g_clear_object (&result);

  tern_imap_client_uid_move_async (client, "3", "Archive", NULL, got_result, &result);
  moved = tern_imap_client_uid_move_finish (client, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (moved->uidvalidity, ==, 77);
  g_assert_cmpstr (moved->dest_uids, ==, "100");
  g_assert_cmpuint (tern_imap_client_get_exists (client), ==, 2);

  finish_server (server);
  g_clear_object (&result);
  close_and_free (client);
}

static void
test_mailbox_names (void)
{
  /* Modified UTF-7 normally; quoted UTF-8 once UTF8=ACCEPT is enabled. */
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    "S: * OK [CAPABILITY IMAP4rev1 ENABLE UTF8=ACCEPT CONDSTORE] ready\n"
    "C: A1 LOGIN\n"
    "S: A1 OK [CAPABILITY IMAP4rev1 ENABLE UTF8=ACCEPT CONDSTORE] in\n"
    "C= A2 CREATE Entw&APw-rfe/&U,BTFw-\n"
    "S: A2 OK created\n"
    "C= A3 ENABLE UTF8=ACCEPT\n"
    "S: * ENABLED UTF8=ACCEPT\n"
    "S: A3 OK enabled\n"
    "C= A4 EXAMINE \"Entwürfe/台北\" (CONDSTORE)\n"
    "S: * 0 EXISTS\n"
    "S: * OK [HIGHESTMODSEQ 17] modseq\n"
    "S: A4 OK [READ-ONLY] examined\n");
  TernImapClient *client = new_client (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  const char *extensions[] = { "UTF8=ACCEPT", "QRESYNC", NULL };
  g_auto(GStrv) enabled = NULL;

  g_assert_true (do_connect (client, &error) && do_login (client, &error));
  g_assert_no_error (error);
  tern_imap_client_create_async (client, "Entwürfe/台北", NULL, got_result, &result);
  g_assert_true (tern_imap_client_create_finish (client, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  /* QRESYNC is not offered: only UTF8=ACCEPT is sent. */
  tern_imap_client_enable_async (client, extensions, NULL, got_result, &result);
  enabled = tern_imap_client_enable_finish (client, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (enabled, ((const char *[]) { "UTF8=ACCEPT", NULL }));
  g_assert_true (tern_imap_client_is_enabled (client, "utf8=accept"));
  g_clear_object (&result);
  tern_imap_client_select_async (client, "Entwürfe/台北", TRUE, TRUE, NULL, NULL, got_result,
                                 &result);
  g_assert_true (tern_imap_client_select_finish (client, wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_true (tern_imap_client_get_read_only (client));
  g_assert_cmpuint (tern_imap_client_get_highestmodseq (client), ==, 17);

  finish_server (server);
  g_clear_object (&result);
  close_and_free (client);
}

typedef struct {
  guint  expunged;
  guint  vanished;
  guint  fetch_uid;
  char **fetch_flags;
} Updates;

static void
expunge_cb (TernImapClient *client,
            guint           seq,
            gpointer        user_data)
{
  ((Updates *) user_data)->expunged = seq;
}

static void
vanished_cb (TernImapClient         *client,
             const TernImapVanished *vanished,
             gpointer                user_data)
{
  g_assert_false (vanished->earlier);
  ((Updates *) user_data)->vanished += (guint) tern_imap_uid_set_count (vanished->uids);
}

static void
fetch_cb (TernImapClient      *client,
          const TernImapFetch *fetch,
          gpointer             user_data)
{
  Updates *updates = user_data;

  updates->fetch_uid = fetch->uid;
  g_strfreev (updates->fetch_flags);
  updates->fetch_flags = g_strdupv (fetch->flags);
}

static void
test_unsolicited_updates (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    SELECTED
    "C= A3 IDLE\n"
    "S: + idling\n"
    "S: * 2 EXPUNGE\n"
    "S: * VANISHED 10:11\n"
    "S: * 1 FETCH (UID 9 FLAGS (\\Seen $MDNSent) MODSEQ (12))\n"
    "S: * OK [ALERT] Maintenance at noon\n"
    "C= DONE\n"
    "S: A3 OK done\n");
  TernImapClient *client = new_client (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *alert = NULL;
  Updates updates = { 0 };

  g_assert_true (do_connect (client, &error) && do_login (client, &error) &&
                 do_select (client, &error));
  g_assert_no_error (error);
  g_signal_connect (client, "expunge", G_CALLBACK (expunge_cb), &updates);
  g_signal_connect (client, "vanished", G_CALLBACK (vanished_cb), &updates);
  g_signal_connect (client, "fetch", G_CALLBACK (fetch_cb), &updates);
  g_signal_connect (client, "alert", G_CALLBACK (bye_cb), &alert);
  g_assert_true (tern_imap_client_idle_start (client, &error));
  while (alert == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (updates.expunged, ==, 2);
  g_assert_cmpuint (updates.vanished, ==, 2);
  g_assert_cmpuint (updates.fetch_uid, ==, 9);
  g_assert_true (g_strv_contains ((const char *const *) updates.fetch_flags, "$MDNSent"));
  g_assert_cmpstr (alert, ==, "Maintenance at noon");
  g_assert_cmpuint (tern_imap_client_get_exists (client), ==, 0); /* 3 - 1 - 2 */

  tern_imap_client_idle_stop_async (client, NULL, got_result, &result);
  g_assert_true (tern_imap_client_idle_stop_finish (client, wait_result (&result), &error));
  g_assert_no_error (error);

  finish_server (server);
  g_strfreev (updates.fetch_flags);
  g_clear_object (&result);
  close_and_free (client);
}

static void
test_logindisabled_and_unavailable (void)
{
  /* LOGINDISABLED without a mechanism Tern speaks: nothing is sent. */
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    "S: * OK [CAPABILITY IMAP4rev1 LOGINDISABLED AUTH=GSSAPI] ready\n"
    "C= A1 NOOP\n"
    "S: A1 OK noop\n");
  g_autoptr(TernTestScriptServer) server2 = tern_test_script_server_new (
    "S: * OK [CAPABILITY IMAP4rev1] ready\n"
    "C: A1 LOGIN\n"
    "S: A1 NO [UNAVAILABLE] Authentication backend down, try later\n");
  TernImapClient *client = new_client (server);
  TernImapClient *client2 = new_client (server2);
  g_autoptr(GError) error = NULL;

  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_false (do_login (client, &error));
  g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  /* The connection is still usable (the script sees NOOP next, not LOGIN). */
  g_assert_true (do_noop (client, &error));
  g_assert_no_error (error);

  g_assert_true (do_connect (client2, &error));
  g_assert_no_error (error);
  g_assert_false (do_login (client2, &error));
  g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_TRANSIENT);
  g_assert_true (tern_imap_error_is_transient (error));

  finish_server (server);
  finish_server (server2);
  close_and_free (client);
  close_and_free (client2);
}

static void
test_non_synchronising_literals (void)
{
  /* LITERAL+: no wait for "+"; LITERAL- (RFC 7888): only up to 4096 bytes. */
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    "S: * OK [CAPABILITY IMAP4rev1 LITERAL+] ready\n"
    "C: A1 LOGIN\n"
    "S: A1 OK [CAPABILITY IMAP4rev1 LITERAL+] in\n"
    "C= A2 APPEND Drafts {5+}\n"
    "C= hello\n"
    "S: A2 OK appended\n");
  g_autoptr(TernTestScriptServer) server2 = tern_test_script_server_new (
    "S: * OK [CAPABILITY IMAP4rev1 LITERAL-] ready\n"
    "C: A1 LOGIN\n"
    "S: A1 OK [CAPABILITY IMAP4rev1 LITERAL-] in\n"
    "C= A2 APPEND Drafts {5+}\n"
    "C= hello\n"
    "S: A2 OK appended\n"
    "C= A3 APPEND Drafts {5000}\n"
    "S: + ok\n"
    "C: xxxx\n"
    "S: A3 OK appended\n");
  TernImapClient *client = new_client (server);
  TernImapClient *client2 = new_client (server2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) small = g_bytes_new_static ("hello", 5);
  g_autofree char *big_text = g_strnfill (5000, 'x');
  g_autoptr(GBytes) big = g_bytes_new (big_text, 5000);

  g_assert_true (do_connect (client, &error) && do_login (client, &error));
  g_assert_no_error (error);
  tern_imap_client_append_async (client, "Drafts", NULL, NULL, small, NULL, got_result, &result);
  g_assert_true (tern_imap_client_append_finish (client, wait_result (&result), NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  g_assert_true (do_connect (client2, &error) && do_login (client2, &error));
  g_assert_no_error (error);
  tern_imap_client_append_async (client2, "Drafts", NULL, NULL, small, NULL, got_result, &result);
  g_assert_true (tern_imap_client_append_finish (client2, wait_result (&result), NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  tern_imap_client_append_async (client2, "Drafts", NULL, NULL, big, NULL, got_result, &result);
  g_assert_true (tern_imap_client_append_finish (client2, wait_result (&result), NULL, &error));
  g_assert_no_error (error);

  finish_server (server);
  finish_server (server2);
  g_clear_object (&result);
  close_and_free (client);
  close_and_free (client2);
}

static char *
test_server_fingerprint (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("TERN_TEST_DATA"), "net", "server.sha256",
                                            NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return g_strstrip (g_steal_pointer (&contents));
}

static void
test_starttls_pinned (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    "S: * OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\n"
    "C= A1 STARTTLS\n"
    "S: A1 OK Begin TLS negotiation now\n"
    "TLS\n"
    "C= A2 CAPABILITY\n"
    "S: * CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR IDLE\n"
    "S: A2 OK capability\n"
    "C= A3 AUTHENTICATE PLAIN AGFsaWNlAHMzY3IzdC1wdw==\n"
    "S: A3 OK [CAPABILITY IMAP4rev1 IDLE MOVE] in\n");
  g_autofree char *fingerprint = test_server_fingerprint ();
  TernImapClient *client = tern_imap_client_new ("127.0.0.1", tern_test_script_server_port (server),
                                                 TERN_NET_SECURITY_STARTTLS, fingerprint);
  g_autoptr(GError) error = NULL;

  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  /* The capabilities from before TLS are gone, those after it are used. */
  g_assert_false (tern_imap_client_has_capability (client, "LOGINDISABLED"));
  g_assert_false (tern_imap_client_has_capability (client, "STARTTLS"));
  g_assert_true (tern_imap_client_has_capability (client, "SASL-IR"));
  g_assert_true (do_login (client, &error));
  g_assert_no_error (error);
  g_assert_true (tern_imap_client_has_capability (client, "MOVE"));

  finish_server (server);
  close_and_free (client);
}

static void
test_starttls_injection (void)
{
  /* Plaintext smuggled after the STARTTLS OK must not be taken for a
   * response (it would come from an attacker on the path). */
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    "S: * OK [CAPABILITY IMAP4rev1 STARTTLS] ready\n"
    "C= A1 STARTTLS\n"
    "SE A1 OK Begin TLS\\r\\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\\r\\n\n"
    "WAIT 300\n");
  g_autofree char *fingerprint = test_server_fingerprint ();
  TernImapClient *client = tern_imap_client_new ("127.0.0.1", tern_test_script_server_port (server),
                                                 TERN_NET_SECURITY_STARTTLS, fingerprint);
  g_autoptr(GError) error = NULL;

  g_assert_false (do_connect (client, &error));
  g_assert_nonnull (error);
  g_assert_cmpint (tern_imap_client_get_state (client), ==, TERN_IMAP_CLIENT_STATE_DISCONNECTED);

  tern_test_script_server_finish (server, NULL);
  close_and_free (client);
}

int
main (int   argc,
      char *argv[])
{
  int rc;

  g_setenv ("G_MESSAGES_DEBUG", "tern-imap", TRUE);
  debug_log = g_string_new (NULL);
  g_log_set_writer_func (log_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/imap/client-faults/one-byte-at-a-time", test_one_byte_at_a_time);
  g_test_add_func ("/imap/client-faults/literal-split", test_literal_split_across_reads);
  g_test_add_func ("/imap/client-faults/drop-mid-literal", test_drop_mid_literal);
  g_test_add_func ("/imap/client-faults/bye-mid-command", test_bye_mid_command);
  g_test_add_func ("/imap/client-faults/oversized-literal", test_oversized_literal);
  g_test_add_func ("/imap/client-faults/garbage", test_garbage);
  g_test_add_func ("/imap/client-faults/greeting-timeout", test_greeting_timeout);
  g_test_add_func ("/imap/client-faults/command-timeout", test_command_timeout);
  g_test_add_func ("/imap/client-faults/starttls-refused", test_starttls_refused);
  g_test_add_func ("/imap/client-faults/starttls-missing", test_starttls_missing);
  g_test_add_func ("/imap/client-faults/plain-non-loopback", test_plain_refused_non_loopback);
  g_test_add_func ("/imap/client-faults/auth-failed-redacted", test_auth_failed_and_redacted);
  g_test_add_func ("/imap/client-faults/login-redacted-sasl-continuation",
                   test_login_redacted_and_sasl_continuation);
  g_test_add_func ("/imap/client-faults/synchronising-literal", test_synchronising_literal);
  g_test_add_func ("/imap/client-faults/idle", test_idle);
  g_test_add_func ("/imap/client-faults/idle-polling", test_idle_polling);
  g_test_add_func ("/imap/client-faults/close-cancels-pending", test_close_cancels_pending);
  g_test_add_func ("/imap/client-faults/cancel-running-fetch", test_cancel_running_fetch);
  g_test_add_func ("/imap/client-faults/trycreate-alert-search-move", test_trycreate_and_alert);

  g_test_add_func ("/imap/client-faults/mailbox-names", test_mailbox_names);
  g_test_add_func ("/imap/client-faults/unsolicited-updates", test_unsolicited_updates);

  g_test_add_func ("/imap/client-faults/logindisabled-unavailable",
                   test_logindisabled_and_unavailable);

  g_test_add_func ("/imap/client-faults/non-synchronising-literals",
                   test_non_synchronising_literals);

  g_test_add_func ("/imap/client-faults/starttls-pinned", test_starttls_pinned);
  g_test_add_func ("/imap/client-faults/starttls-injection", test_starttls_injection);

  rc = g_test_run ();
  tern_test_stop_idle_threads ();
  return rc;
}
