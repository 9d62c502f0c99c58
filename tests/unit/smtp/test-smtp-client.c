/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fault and protocol tests of TernSmtpClient against the scripted server:
 * what a real Postfix will not do on demand. */
#include "config.h"

#include <string.h>

#include "tern-net-error.h"
#include "tern-smtp-client.h"
#include "tern-smtp-error.h"
#include "tern-test-script-server.h"

#define GREETING "S: 220 test.example ESMTP\n"
#define EHLO_FULL                                                                                  \
  "C: EHLO \n"                                                                                     \
  "S: 250-test.example\n"                                                                          \
  "S: 250-PIPELINING\n"                                                                            \
  "S: 250-SIZE 1000\n"                                                                             \
  "S: 250-8BITMIME\n"                                                                              \
  "S: 250-SMTPUTF8\n"                                                                              \
  "S: 250-ENHANCEDSTATUSCODES\n"                                                                   \
  "S: 250 AUTH PLAIN LOGIN\n"
#define EHLO_BASIC                                                                                 \
  "C: EHLO \n"                                                                                     \
  "S: 250-test.example\n"                                                                          \
  "S: 250 SIZE 1000\n"

static GString *debug_log;

static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  if (level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
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
store_result_cb (GObject      *source,
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

static TernSmtpClient *
new_client (TernTestScriptServer *server)
{
  TernSmtpClient *client = tern_smtp_client_new ("127.0.0.1", tern_test_script_server_port (server),
                                                 TERN_NET_SECURITY_PLAIN, NULL);
  tern_smtp_client_set_timeouts (client, 10, 10, 10);
  return client;
}

static gboolean
do_connect (TernSmtpClient  *client,
            GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tern_smtp_client_connect_async (client, NULL, store_result_cb, &result);
  return tern_smtp_client_connect_finish (client, wait_result (&result), error);
}

static gboolean
do_auth (TernSmtpClient  *client,
         const char      *user,
         const char      *password,
         GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tern_smtp_client_authenticate_async (client, user, password, NULL, store_result_cb, &result);
  return tern_smtp_client_authenticate_finish (client, wait_result (&result), error);
}

static TernSmtpSendResult *
do_send_stream (TernSmtpClient      *client,
                const char          *from,
                const char * const  *to,
                GInputStream        *stream,
                gssize               size_hint,
                GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tern_smtp_client_send_async (client, from, to, stream, size_hint, NULL, store_result_cb,
                               &result);
  return tern_smtp_client_send_finish (client, wait_result (&result), error);
}

static TernSmtpSendResult *
do_send (TernSmtpClient      *client,
         const char          *from,
         const char * const  *to,
         const char          *message,
         GError             **error)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (message, strlen (message),
                                                                        NULL);
  return do_send_stream (client, from, to, stream, -1, error);
}

static gboolean
do_quit (TernSmtpClient  *client,
         GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tern_smtp_client_quit_async (client, NULL, store_result_cb, &result);
  return tern_smtp_client_quit_finish (client, wait_result (&result), error);
}

static void
assert_script_ok (TernTestScriptServer *server)
{
  g_autoptr(GError) error = NULL;

  tern_test_script_server_finish (server, &error);
  g_assert_no_error (error);
}

static gboolean
received_has_prefix (TernTestScriptServer *server,
                     const char           *prefix)
{
  g_auto(GStrv) lines = tern_test_script_server_dup_received (server);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return TRUE;
  return FALSE;
}

static void
test_session (void)
{
  /* "\0alice\0secret" in base64 */
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    GREETING EHLO_FULL
    "C= AUTH PLAIN AGFsaWNlAHNlY3JldA==\n"
    "S: 235 2.7.0 Authentication successful\n"
    "C= MAIL FROM:<alice@example.org> SIZE=30\n"
    "C= RCPT TO:<bob@example.org>\n"
    "C= RCPT TO:<carol@example.org>\n"
    "S: 250 2.1.0 Ok\n"
    "S: 250 2.1.5 Ok\n"
    "S: 250 2.1.5 Ok\n"
    "C= DATA\n"
    "S: 354 End data with <CR><LF>.<CR><LF>\n"
    "C= Subject: hi\n"
    "C= \n"
    "C= ..leading dot\n"
    "C= end\n"
    "C= .\n"
    "S: 250 2.0.0 Ok: queued as ABC123\n"
    "C= QUIT\n"
    "S: 221 2.0.0 Bye\n");
  g_autoptr(TernSmtpClient) client = new_client (server);
  g_autoptr(TernSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *to[] = { "bob@example.org", "carol@example.org", NULL };
  const char * const *mechs;

  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (tern_smtp_client_is_connected (client));
  g_assert_false (tern_smtp_client_is_encrypted (client));
  g_assert_cmpuint (tern_smtp_client_get_size_limit (client), ==, 1000);
  g_assert_true (tern_smtp_client_has_pipelining (client));
  g_assert_true (tern_smtp_client_has_8bitmime (client));
  g_assert_true (tern_smtp_client_has_smtputf8 (client));
  g_assert_false (tern_smtp_client_has_starttls (client));
  g_assert_true (tern_smtp_client_has_capability (client, "enhancedstatuscodes"));
  mechs = tern_smtp_client_get_auth_mechanisms (client);
  g_assert_cmpstr (mechs[0], ==, "PLAIN");
  g_assert_cmpstr (mechs[1], ==, "LOGIN");
  g_assert_null (mechs[2]);

  g_assert_true (do_auth (client, "alice", "secret", &error));
  g_assert_no_error (error);
  g_assert_true (tern_smtp_client_is_authenticated (client));

  /* Bare LF line ends become CRLF, the leading dot is doubled. */
  result = do_send (client, "alice@example.org", to, "Subject: hi\n\n.leading dot\nend\n", &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_cmpuint (tern_smtp_send_result_get_n_recipients (result), ==, 2);
  g_assert_cmpuint (tern_smtp_send_result_get_n_accepted (result), ==, 2);
  g_assert_cmpstr (tern_smtp_send_result_get_address (result, 1), ==, "carol@example.org");
  g_assert_cmpstr (tern_smtp_reply_get_text (tern_smtp_send_result_get_data_reply (result)), ==,
                   "2.0.0 Ok: queued as ABC123");

  g_assert_true (do_quit (client, &error));
  g_assert_no_error (error);
  g_assert_false (tern_smtp_client_is_connected (client));
  assert_script_ok (server);

  /* Credentials never reach the log. */
  g_assert_nonnull (strstr (debug_log->str, "C: AUTH PLAIN ***"));
  g_assert_null (strstr (debug_log->str, "AGFsaWNlAHNlY3JldA"));
  g_assert_null (strstr (debug_log->str, "secret"));
}

static void
test_auth_login (void)
{
  /* "alice" → YWxpY2U=, "secret" → c2VjcmV0 */
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    GREETING
    "C: EHLO\n"
    "S: 250-test.example\n"
    "S: 250 AUTH=LOGIN\n"
    "C= AUTH LOGIN\n"
    "S: 334 VXNlcm5hbWU6\n"
    "C= YWxpY2U=\n"
    "S: 334 UGFzc3dvcmQ6\n"
    "C= c2VjcmV0\n"
    "S: 535 5.7.8 Error: authentication failed\n"
    "C= AUTH LOGIN\n"
    "S: 334 VXNlcm5hbWU6\n"
    "C= YWxpY2U=\n"
    "S: 334 UGFzc3dvcmQ6\n"
    "C= c2VjcmV0\n"
    "S: 235 2.7.0 Authentication successful\n"
    "C= QUIT\n"
    "S: 221 Bye\n");
  g_autoptr(TernSmtpClient) client = new_client (server);
  g_autoptr(GError) error = NULL;

  g_string_truncate (debug_log, 0);
  g_assert_true (do_connect (client, &error));
  g_assert_cmpstr (tern_smtp_client_get_auth_mechanisms (client)[0], ==, "LOGIN");

  g_assert_false (do_auth (client, "alice", "secret", &error));
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_AUTH_FAILED);
  g_assert_cmpuint (tern_smtp_error_get_reply_code (error), ==, 535);
  g_assert_cmpstr (tern_smtp_error_get_enhanced_code (error), ==, "5.7.8");
  g_assert_false (tern_smtp_error_is_transient (error));
  g_assert_true (tern_smtp_client_is_connected (client));
  g_clear_error (&error);

  g_assert_true (do_auth (client, "alice", "secret", &error));
  g_assert_no_error (error);
  g_assert_true (do_quit (client, &error));
  assert_script_ok (server);
  g_assert_null (strstr (debug_log->str, "YWxpY2U="));
  g_assert_null (strstr (debug_log->str, "c2VjcmV0"));
}

static void
test_no_common_auth (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    GREETING "C: EHLO\nS: 250-test.example\nS: 250 AUTH CRAM-MD5 GSSAPI\nC= QUIT\nS: 221 Bye\n");
  g_autoptr(TernSmtpClient) client = new_client (server);
  g_autoptr(GError) error = NULL;

  g_assert_true (do_connect (client, &error));
  g_assert_false (do_auth (client, "alice", "secret", &error));
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_assert_true (do_quit (client, &error));
  assert_script_ok (server);
}

static void
test_some_recipients_rejected (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    GREETING EHLO_FULL
    "C= MAIL FROM:<alice@example.org> SIZE=3\n"
    "C= RCPT TO:<bob@example.org>\n"
    "C= RCPT TO:<nobody@example.org>\n"
    "C= RCPT TO:<full@example.org>\n"
    "S: 250 2.1.0 Ok\n"
    "S: 250 2.1.5 Ok\n"
    "S: 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown\n"
    "S: 452 4.2.2 Mailbox full\n"
    "C= DATA\n"
    "S: 354 go\n"
    "C* .\n"
    "S: 250 2.0.0 Ok: queued\n"
    "C= QUIT\n"
    "S: 221 Bye\n");
  g_autoptr(TernSmtpClient) client = new_client (server);
  g_autoptr(TernSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *to[] = { "bob@example.org", "nobody@example.org", "full@example.org", NULL };
  TernSmtpReply *reply;

  g_assert_true (do_connect (client, &error));
  result = do_send (client, "alice@example.org", to, "x\r\n", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tern_smtp_send_result_get_n_recipients (result), ==, 3);
  g_assert_cmpuint (tern_smtp_send_result_get_n_accepted (result), ==, 1);
  g_assert_true (tern_smtp_send_result_get_accepted (result, 0));
  g_assert_false (tern_smtp_send_result_get_accepted (result, 1));
  g_assert_false (tern_smtp_send_result_get_accepted (result, 2));
  reply = tern_smtp_send_result_get_reply (result, 1);
  g_assert_cmpuint (tern_smtp_reply_get_code (reply), ==, 550);
  g_assert_cmpstr (tern_smtp_reply_get_enhanced_code (reply), ==, "5.1.1");
  g_assert_true (tern_smtp_reply_is_permanent (reply));
  reply = tern_smtp_send_result_get_reply (result, 2);
  g_assert_cmpuint (tern_smtp_reply_get_code (reply), ==, 452);
  g_assert_true (tern_smtp_reply_is_transient (reply));
  g_assert_true (do_quit (client, &error));
  assert_script_ok (server);
}

static void
test_all_rejected_then_rset (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    GREETING EHLO_FULL
    "C= MAIL FROM:<alice@example.org> SIZE=3\n"
    "C= RCPT TO:<x@example.org>\n"
    "C= RCPT TO:<y@example.org>\n"
    "S: 250 2.1.0 Ok\n"
    "S: 550 5.1.1 unknown x\n"
    "S: 554 5.7.1 denied y\n"
    /* permanent; the next send resets the transaction first */
    "C= RSET\n"
    "S: 250 2.0.0 Ok\n"
    "C= MAIL FROM:<alice@example.org> SIZE=3\n"
    "C= RCPT TO:<x@example.org>\n"
    "C= RCPT TO:<y@example.org>\n"
    "S: 250 2.1.0 Ok\n"
    "S: 550 5.1.1 unknown x\n"
    "S: 451 4.3.0 try later\n"
    "C= RSET\n"
    "S: 250 2.0.0 Ok\n"
    "C= MAIL FROM:<alice@example.org> SIZE=3\n"
    "C= RCPT TO:<x@example.org>\n"
    "S: 250 2.1.0 Ok\n"
    "S: 250 2.1.5 Ok\n"
    "C= DATA\n"
    "S: 354 go\n"
    "C= x\n"
    "C= .\n"
    "S: 250 2.0.0 queued\n"
    /* a clean transaction needs no RSET */
    "C= MAIL FROM:<alice@example.org> SIZE=3\n"
    "C= RCPT TO:<x@example.org>\n"
    "S: 250 2.1.0 Ok\n"
    "S: 250 2.1.5 Ok\n"
    "C= DATA\n"
    "S: 354 go\n"
    "C* .\n"
    "S: 250 2.0.0 queued\n"
    "C= QUIT\n"
    "S: 221 Bye\n");
  g_autoptr(TernSmtpClient) client = new_client (server);
  g_autoptr(GError) error = NULL;
  const char *both[] = { "x@example.org", "y@example.org", NULL };
  const char *one[] = { "x@example.org", NULL };
  TernSmtpSendResult *result;

  g_assert_true (do_connect (client, &error));

  result = do_send (client, "alice@example.org", both, "x\r\n", &error);
  g_assert_null (result);
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_PERMANENT);
  g_assert_false (tern_smtp_error_is_transient (error));
  g_assert_cmpuint (tern_smtp_error_get_reply_code (error), ==, 550);
  g_assert_nonnull (strstr (error->message, "y@example.org"));
  g_assert_true (tern_smtp_client_is_connected (client));
  g_clear_error (&error);

  result = do_send (client, "alice@example.org", both, "x\r\n", &error);
  g_assert_null (result);
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_TRANSIENT);
  g_assert_true (tern_smtp_error_is_transient (error));
  g_assert_cmpuint (tern_smtp_error_get_reply_code (error), ==, 451);
  g_clear_error (&error);

  result = do_send (client, "alice@example.org", one, "x\r\n", &error);
  g_assert_no_error (error);
  tern_smtp_send_result_unref (result);
  result = do_send (client, "alice@example.org", one, "y\r\n", &error);
  g_assert_no_error (error);
  tern_smtp_send_result_unref (result);

  g_assert_true (do_quit (client, &error));
  assert_script_ok (server);
}

static void
test_421_mid_session (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    GREETING EHLO_FULL
    "C= MAIL FROM:<alice@example.org> SIZE=3\n"
    "C= RCPT TO:<bob@example.org>\n"
    "S: 421 4.3.2 Service shutting down, closing transmission channel\n"
    "DROP\n");
  g_autoptr(TernSmtpClient) client = new_client (server);
  g_autoptr(GError) error = NULL;
  const char *to[] = { "bob@example.org", NULL };
  TernSmtpSendResult *result;

  g_assert_true (do_connect (client, &error));
  result = do_send (client, "alice@example.org", to, "x\r\n", &error);
  g_assert_null (result);
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_TRANSIENT);
  g_assert_cmpuint (tern_smtp_error_get_reply_code (error), ==, 421);
  g_assert_cmpstr (tern_smtp_error_get_enhanced_code (error), ==, "4.3.2");
  g_assert_nonnull (strstr (tern_smtp_error_get_server_text (error), "shutting down"));
  g_assert_true (tern_smtp_error_is_transient (error));
  g_assert_false (tern_smtp_client_is_connected (client));
  assert_script_ok (server);
}

static void
test_drop_during_data (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    GREETING EHLO_FULL
    "C= MAIL FROM:<alice@example.org> SIZE=20\n"
    "C= RCPT TO:<bob@example.org>\n"
    "S: 250 2.1.0 Ok\n"
    "S: 250 2.1.5 Ok\n"
    "C= DATA\n"
    "S: 354 go\n"
    "C= Subject: x\n"
    "C= \n"
    "C= body\n"
    "DROP\n");
  g_autoptr(TernSmtpClient) client = new_client (server);
  g_autoptr(GError) error = NULL;
  const char *to[] = { "bob@example.org", NULL };
  TernSmtpSendResult *result;

  g_assert_true (do_connect (client, &error));
  result = do_send (client, "alice@example.org", to, "Subject: x\r\n\r\nbody\r\n", &error);
  g_assert_null (result);
  g_assert_nonnull (error);
  g_assert_true (tern_smtp_error_is_transient (error));
  g_assert_false (tern_smtp_client_is_connected (client));
  g_test_message ("drop during DATA: %s", error->message);
  assert_script_ok (server);
}

static void
test_malformed_greeting (void)
{
  g_autoptr(TernTestScriptServer) server =
    tern_test_script_server_new ("S: hello, I am not an SMTP server\n");
  g_autoptr(TernSmtpClient) client = new_client (server);
  g_autoptr(GError) error = NULL;

  g_assert_false (do_connect (client, &error));
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_PROTOCOL);
  g_assert_false (tern_smtp_client_is_connected (client));
  assert_script_ok (server);
}

static void
test_malformed_multiline (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    GREETING "C: EHLO\nS: 250-test.example\nS: 251 PIPELINING\n");
  g_autoptr(TernSmtpClient) client = new_client (server);
  g_autoptr(GError) error = NULL;

  g_assert_false (do_connect (client, &error));
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_PROTOCOL);
  g_assert_false (tern_smtp_client_is_connected (client));
  assert_script_ok (server);
}

static void
test_oversized_reply (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    GREETING "C: EHLO\nS- 250-\nRAW 200000\n");
  g_autoptr(TernSmtpClient) client = new_client (server);
  g_autoptr(GError) error = NULL;

  g_assert_false (do_connect (client, &error));
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_PROTOCOL);
  tern_test_script_server_finish (server, NULL); /* the client may go before RAW ends */
}

static void
test_slow_replies (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    "SLOW\n" GREETING EHLO_FULL
    "C= MAIL FROM:<alice@example.org> SIZE=3\n"
    "C= RCPT TO:<bob@example.org>\n"
    "S: 250 2.1.0 Ok\n"
    "S: 250 2.1.5 Ok\n"
    "C= DATA\n"
    "S: 354 go\n"
    "C* .\n"
    "S: 250-2.0.0 Ok\n"
    "S: 250 2.0.0 queued as XYZ\n"
    "FAST\n"
    "C= QUIT\n"
    "S: 221 Bye\n");
  g_autoptr(TernSmtpClient) client = new_client (server);
  g_autoptr(TernSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *to[] = { "bob@example.org", NULL };

  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tern_smtp_client_get_size_limit (client), ==, 1000);
  g_assert_true (tern_smtp_client_has_pipelining (client));
  result = do_send (client, "alice@example.org", to, "x\r\n", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tern_smtp_reply_get_text (tern_smtp_send_result_get_data_reply (result)), ==,
                   "2.0.0 Ok\n2.0.0 queued as XYZ");
  g_assert_true (do_quit (client, &error));
  assert_script_ok (server);
}

static void
test_4xx_on_rcpt_sequential (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    GREETING EHLO_BASIC
    "C= MAIL FROM:<alice@example.org> SIZE=3\n"
    "S: 250 2.1.0 Ok\n"
    "C= RCPT TO:<bob@example.org>\n"
    "S: 452 4.5.3 Too many recipients\n"
    "C= RSET\n"
    "S: 250 Ok\n"
    "C= MAIL FROM:<alice@example.org> SIZE=3\n"
    "S: 553 5.7.1 Sender address rejected: not owned by user\n"
    "C= RSET\n"
    "S: 250 Ok\n"
    "C= MAIL FROM:<alice@example.org> SIZE=3\n"
    "S: 530 5.7.0 Authentication required\n"
    "C= QUIT\n"
    "S: 221 Bye\n");
  g_autoptr(TernSmtpClient) client = new_client (server);
  g_autoptr(GError) error = NULL;
  const char *to[] = { "bob@example.org", NULL };

  g_assert_true (do_connect (client, &error));
  g_assert_false (tern_smtp_client_has_pipelining (client));

  g_assert_null (do_send (client, "alice@example.org", to, "x\r\n", &error));
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_TRANSIENT);
  g_assert_cmpuint (tern_smtp_error_get_reply_code (error), ==, 452);
  g_clear_error (&error);

  g_assert_null (do_send (client, "alice@example.org", to, "x\r\n", &error));
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_PERMANENT);
  g_assert_cmpuint (tern_smtp_error_get_reply_code (error), ==, 553);
  g_assert_false (tern_smtp_error_is_transient (error));
  g_assert_true (tern_smtp_client_is_connected (client));
  g_clear_error (&error);

  g_assert_null (do_send (client, "alice@example.org", to, "x\r\n", &error));
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_AUTH_REQUIRED);
  g_assert_cmpstr (tern_smtp_error_get_enhanced_code (error), ==, "5.7.0");
  g_assert_false (tern_smtp_error_is_transient (error));
  g_clear_error (&error);

  g_assert_true (do_quit (client, &error));
  assert_script_ok (server);
}

static void
test_5xx_on_mail_pipelined (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    GREETING EHLO_FULL
    "C= MAIL FROM:<alice@example.org> SIZE=3\n"
    "C= RCPT TO:<bob@example.org>\n"
    "S: 553 5.7.1 Sender address rejected\n"
    "S: 503 5.5.1 Error: need MAIL command\n"
    "C= RSET\n"
    "S: 250 Ok\n"
    "C= QUIT\n"
    "S: 221 Bye\n");
  g_autoptr(TernSmtpClient) client = new_client (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  const char *to[] = { "bob@example.org", NULL };

  g_assert_true (do_connect (client, &error));
  g_assert_null (do_send (client, "alice@example.org", to, "x\r\n", &error));
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_PERMANENT);
  g_assert_cmpuint (tern_smtp_error_get_reply_code (error), ==, 553);
  g_clear_error (&error);

  tern_smtp_client_reset_async (client, NULL, store_result_cb, &result);
  g_assert_true (tern_smtp_client_reset_finish (client, wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_true (do_quit (client, &error));
  assert_script_ok (server);
}

static void
test_data_refused (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    GREETING EHLO_FULL
    "C= MAIL FROM:<alice@example.org> SIZE=3\n"
    "C= RCPT TO:<bob@example.org>\n"
    "S: 250 Ok\n"
    "S: 250 Ok\n"
    "C= DATA\n"
    "S: 354 go\n"
    "C* .\n"
    "S: 552 5.3.4 Message size exceeds fixed limit\n"
    "C= MAIL FROM:<alice@example.org> SIZE=3\n"
    "C= RCPT TO:<bob@example.org>\n"
    "S: 250 Ok\n"
    "S: 250 Ok\n"
    "C= DATA\n"
    "S: 451 4.3.0 Error: queue file write error\n"
    "C= RSET\n"
    "S: 250 Ok\n"
    "C= QUIT\n"
    "S: 221 Bye\n");
  g_autoptr(TernSmtpClient) client = new_client (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  const char *to[] = { "bob@example.org", NULL };

  g_assert_true (do_connect (client, &error));
  g_assert_null (do_send (client, "alice@example.org", to, "x\r\n", &error));
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_PERMANENT);
  g_assert_cmpuint (tern_smtp_error_get_reply_code (error), ==, 552);
  g_assert_cmpstr (tern_smtp_error_get_enhanced_code (error), ==, "5.3.4");
  g_clear_error (&error);

  g_assert_null (do_send (client, "alice@example.org", to, "x\r\n", &error));
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_TRANSIENT);
  g_clear_error (&error);

  tern_smtp_client_reset_async (client, NULL, store_result_cb, &result);
  g_assert_true (tern_smtp_client_reset_finish (client, wait_result (&result), &error));
  g_assert_true (do_quit (client, &error));
  assert_script_ok (server);
}

static void
test_greeting_timeout (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new ("WAIT 20000\n");
  g_autoptr(TernSmtpClient) client = new_client (server);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed;

  tern_smtp_client_set_timeouts (client, 1, 0, 0);
  g_assert_false (do_connect (client, &error));
  elapsed = g_get_monotonic_time () - start;
  g_assert_error (error, TERN_NET_ERROR, TERN_NET_ERROR_TIMEOUT);
  g_assert_true (tern_smtp_error_is_transient (error));
  g_assert_cmpint (elapsed, >=, G_TIME_SPAN_SECOND * 9 / 10);
  g_assert_cmpint (elapsed, <, 8 * G_TIME_SPAN_SECOND);
  g_assert_false (tern_smtp_client_is_connected (client));
}

static void
test_command_timeout (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    GREETING "C: EHLO\nWAIT 20000\n");
  g_autoptr(TernSmtpClient) client = new_client (server);
  g_autoptr(GError) error = NULL;

  tern_smtp_client_set_timeouts (client, 0, 1, 0);
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, TERN_NET_ERROR, TERN_NET_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "EHLO"));
}

static void
test_helo_fallback (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    GREETING
    "C= EHLO [127.0.0.1]\n"
    "S: 502 5.5.2 Error: command not recognized\n"
    "C= HELO [127.0.0.1]\n"
    "S: 250 test.example\n"
    "C= MAIL FROM:<>\n"
    "S: 250 Ok\n"
    "C= RCPT TO:<bob@example.org>\n"
    "S: 250 Ok\n"
    "C= DATA\n"
    "S: 354 go\n"
    "C* .\n"
    "S: 250 Ok\n"
    "C= QUIT\n"
    "S: 221 Bye\n");
  g_autoptr(TernSmtpClient) client = new_client (server);
  g_autoptr(TernSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *to[] = { "bob@example.org", NULL };

  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tern_smtp_client_get_size_limit (client), ==, 0);
  g_assert_false (tern_smtp_client_has_pipelining (client));
  result = do_send (client, "", to, "x\r\n", &error);
  g_assert_no_error (error);
  g_assert_true (do_quit (client, &error));
  assert_script_ok (server);
}

static void
test_size_refused_before_mail (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    GREETING EHLO_FULL "C= QUIT\nS: 221 Bye\n");
  g_autoptr(TernSmtpClient) client = new_client (server);
  g_autoptr(GError) error = NULL;
  g_autofree char *big = g_strnfill (1001, 'a');
  const char *to[] = { "bob@example.org", NULL };

  g_assert_true (do_connect (client, &error));
  g_assert_null (do_send (client, "alice@example.org", to, big, &error));
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_MESSAGE_TOO_LARGE);
  g_assert_false (tern_smtp_error_is_transient (error));
  g_assert_true (tern_smtp_client_is_connected (client));
  g_clear_error (&error);
  g_assert_true (do_quit (client, &error));
  assert_script_ok (server);
  g_assert_false (received_has_prefix (server, "MAIL"));
}

static void
test_8bit_and_utf8 (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    GREETING EHLO_FULL
    "C= MAIL FROM:<alice@example.org> SIZE=9 BODY=8BITMIME\n"
    "C= RCPT TO:<bob@example.org>\n"
    "S: 250 Ok\n"
    "S: 250 Ok\n"
    "C= DATA\n"
    "S: 354 go\n"
    "C* .\n"
    "S: 250 Ok\n"
    "C= MAIL FROM:<j\xc3\xb6rg@example.org> SIZE=3 SMTPUTF8\n"
    "C= RCPT TO:<bob@example.org>\n"
    "S: 250 Ok\n"
    "S: 250 Ok\n"
    "C= DATA\n"
    "S: 354 go\n"
    "C* .\n"
    "S: 250 Ok\n"
    "C= QUIT\n"
    "S: 221 Bye\n");
  g_autoptr(TernSmtpClient) client = new_client (server);
  g_autoptr(GError) error = NULL;
  const char *to[] = { "bob@example.org", NULL };
  TernSmtpSendResult *result;

  g_assert_true (do_connect (client, &error));
  result = do_send (client, "alice@example.org", to, "Gr\xc3\xbc\xc3\x9f" "e\r\n", &error);
  g_assert_no_error (error);
  tern_smtp_send_result_unref (result);
  result = do_send (client, "j\xc3\xb6rg@example.org", to, "x\r\n", &error);
  g_assert_no_error (error);
  tern_smtp_send_result_unref (result);
  g_assert_true (do_quit (client, &error));
  assert_script_ok (server);
}

static void
test_8bit_and_utf8_not_offered (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    GREETING EHLO_BASIC "C= QUIT\nS: 221 Bye\n");
  g_autoptr(TernSmtpClient) client = new_client (server);
  g_autoptr(GError) error = NULL;
  const char *to[] = { "bob@example.org", NULL };
  const char *utf8_to[] = { "b\xc3\xb6" "b@example.org", NULL };
  const char *bad_to[] = { "bob@example.org>\r\nRSET", NULL };

  g_assert_true (do_connect (client, &error));
  g_assert_null (do_send (client, "alice@example.org", to, "Gr\xc3\xbc\xc3\x9f" "e\r\n", &error));
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_assert_null (do_send (client, "alice@example.org", utf8_to, "x\r\n", &error));
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_assert_null (do_send (client, "alice@example.org", bad_to, "x\r\n", &error));
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_INVALID_ADDRESS);
  g_clear_error (&error);
  g_assert_true (tern_smtp_client_is_connected (client));
  g_assert_true (do_quit (client, &error));
  assert_script_ok (server);
  g_assert_false (received_has_prefix (server, "MAIL"));
}

static void
test_non_seekable_8bit_abort (void)
{
  /* A stream that cannot be scanned first: without 8BITMIME an 8-bit byte
   * found while sending aborts the connection instead of ending the data. */
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    GREETING EHLO_BASIC
    "C= MAIL FROM:<alice@example.org>\n"
    "S: 250 Ok\n"
    "C= RCPT TO:<bob@example.org>\n"
    "S: 250 Ok\n"
    "C= DATA\n"
    "S: 354 go\n"
    "EOF\n");
  g_autoptr(TernSmtpClient) client = new_client (server);
  g_autoptr(GError) error = NULL;
  const char *to[] = { "bob@example.org", NULL };
  const char *text = "Gr\xc3\xbc\xc3\x9f" "e\r\n";
  g_autoptr(GInputStream) memory = g_memory_input_stream_new_from_data (text, strlen (text), NULL);
  g_autoptr(GCharsetConverter) conv = g_charset_converter_new ("UTF-8", "UTF-8", NULL);
  g_autoptr(GInputStream) stream = g_converter_input_stream_new (memory, G_CONVERTER (conv));

  g_assert_false (G_IS_SEEKABLE (stream) && g_seekable_can_seek (G_SEEKABLE (stream)));
  g_assert_true (do_connect (client, &error));
  g_assert_null (do_send_stream (client, "alice@example.org", to, stream, -1, &error));
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_NOT_SUPPORTED);
  g_assert_false (tern_smtp_client_is_connected (client));
  assert_script_ok (server);
  g_assert_false (received_has_prefix (server, "."));
}

/* Splits at CRLF, bare CR or bare LF (a last line without end included). */
static char **
split_lines (const char *text)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  const char *start = text;
  char **lines;

  for (const char *p = text;; p++)
    {
      if (*p == '\0')
        {
          if (p > start)
            {
              g_autofree char *line = g_strndup (start, p - start);
              g_strv_builder_add (builder, line);
            }
          break;
        }
      if (*p == '\r' || *p == '\n')
        {
          g_autofree char *line = g_strndup (start, p - start);

          g_strv_builder_add (builder, line);
          if (p[0] == '\r' && p[1] == '\n')
            p++;
          start = p + 1;
        }
    }
  lines = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return lines;
}

/* Appends lines of about 1000 bytes (every third starting with a dot)
 * until @message is at least @len long. */
static void
append_lines (GString *message,
              gsize    len)
{
  static guint n;

  while (message->len < len)
    {
      g_string_append_printf (message, "%sline %u ", n % 3 == 0 ? "." : "", n);
      for (guint i = 0; i < 980; i++)
        g_string_append_c (message, 'a' + i % 26);
      g_string_append (message, n % 5 == 0 ? "\n" : "\r\n");
      n++;
    }
}

/* Pads @message with one line so that its next byte is at offset @at. */
static void
pad_to (GString *message,
        gsize    at)
{
  g_assert_cmpuint (message->len + 3, <=, at);
  while (message->len < at - 2)
    g_string_append_c (message, 'p');
  g_string_append (message, "\r\n");
}

static void
test_large_message_chunks (void)
{
  /* 256 KiB crossing the client's 64 KiB read chunks with the awkward
   * cases exactly on the borders: CR|LF split, a dot first in a chunk, a
   * dot last in a chunk, a bare CR last in a chunk. */
  const gsize chunk = 65536;
  g_autoptr(GString) message = g_string_new (NULL);
  g_autoptr(TernTestScriptServer) server = NULL;
  g_autoptr(TernSmtpClient) client = NULL;
  g_autoptr(TernSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) received = NULL;
  g_auto(GStrv) sent_lines = NULL;
  const char *to[] = { "bob@example.org", NULL };
  guint data_start = 0;
  guint i;

  append_lines (message, chunk - 2000);
  pad_to (message, chunk - 1);
  g_string_append (message, "\r\n.CRLF split over the border\r\n");      /* CR | LF */
  g_assert_cmpint (message->str[chunk - 1], ==, '\r');

  append_lines (message, 2 * chunk - 2000);
  pad_to (message, 2 * chunk);
  g_string_append (message, ".first in a chunk\r\n");                    /* \n | . */
  g_assert_cmpint (message->str[2 * chunk], ==, '.');

  append_lines (message, 3 * chunk - 2000);
  pad_to (message, 3 * chunk - 1);
  g_string_append (message, "..last in a chunk\r\n");                    /* . | . */
  g_assert_cmpint (message->str[3 * chunk - 1], ==, '.');

  append_lines (message, 4 * chunk - 2000);
  pad_to (message, 4 * chunk - 1);
  g_string_append (message, "\r.bare CR before\r\n");                    /* CR | . */
  g_assert_cmpint (message->str[4 * chunk - 1], ==, '\r');
  append_lines (message, 4 * chunk + 3000);
  g_string_append (message, ".no line end at the end");

  /* No SIZE limit in this EHLO. */
  server = tern_test_script_server_new (GREETING "C: EHLO\nS: 250-test.example\nS: 250 PIPELINING\n"
                                                 "C: MAIL\nC: RCPT\nS: 250 Ok\nS: 250 Ok\nC= DATA\n"
                                                 "S: 354 go\nC* .\nS: 250 Ok\nC= QUIT\nS: 221 Bye\n");
  client = new_client (server);

  g_assert_true (do_connect (client, &error));
  result = do_send (client, "alice@example.org", to, message->str, &error);
  g_assert_no_error (error);
  g_assert_true (do_quit (client, &error));
  assert_script_ok (server);

  received = tern_test_script_server_dup_received (server);
  while (received[data_start] != NULL && !g_str_equal (received[data_start], "DATA"))
    data_start++;
  g_assert_nonnull (received[data_start]);

  /* The message's own lines (CRLF, LF and CR ends alike), as sent. */
  sent_lines = split_lines (message->str);
  for (i = 0; sent_lines[i] != NULL; i++)
    {
      const char *got = received[data_start + 1 + i];
      g_assert_nonnull (got);
      if (sent_lines[i][0] == '.')
        {
          g_assert_true (got[0] == '.');
          g_assert_cmpstr (got + 1, ==, sent_lines[i]);
        }
      else
        g_assert_cmpstr (got, ==, sent_lines[i]);
    }
  g_assert_cmpstr (received[data_start + 1 + i], ==, ".");
}

static void
test_starttls (void)
{
  g_autofree char *fp_path = g_build_filename (g_getenv ("TERN_TEST_DATA"), "net",
                                               "server.sha256", NULL);
  g_autofree char *fingerprint = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (fp_path, &fingerprint, NULL, &error);
  g_assert_no_error (error);
  g_strstrip (fingerprint);

  /* Pinned: upgraded, EHLO again, the second capabilities count. */
  {
    g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
      GREETING
      "C: EHLO\nS: 250-test.example\nS: 250-STARTTLS\nS: 250 SIZE 10\n"
      "C= STARTTLS\nS: 220 2.0.0 Ready to start TLS\nTLS\n"
      "C: EHLO\nS: 250-test.example\nS: 250-AUTH PLAIN\nS: 250 SIZE 2000\n"
      "C= QUIT\nS: 221 Bye\n");
    g_autoptr(TernSmtpClient) client = tern_smtp_client_new (
      "127.0.0.1", tern_test_script_server_port (server), TERN_NET_SECURITY_STARTTLS, fingerprint);

    g_assert_true (do_connect (client, &error));
    g_assert_no_error (error);
    g_assert_true (tern_smtp_client_is_encrypted (client));
    g_assert_false (tern_smtp_client_has_starttls (client));
    g_assert_cmpuint (tern_smtp_client_get_size_limit (client), ==, 2000);
    g_assert_cmpstr (tern_smtp_client_get_auth_mechanisms (client)[0], ==, "PLAIN");
    g_assert_true (do_quit (client, &error));
    assert_script_ok (server);
  }

  /* Not pinned: the certificate error of the net layer, with its fingerprint. */
  {
    g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
      GREETING "C: EHLO\nS: 250-test.example\nS: 250 STARTTLS\n"
      "C= STARTTLS\nS: 220 Ready\nTLS\n");
    g_autoptr(TernSmtpClient) client = tern_smtp_client_new (
      "127.0.0.1", tern_test_script_server_port (server), TERN_NET_SECURITY_STARTTLS, NULL);

    g_assert_false (do_connect (client, &error));
    g_assert_error (error, TERN_NET_ERROR, TERN_NET_ERROR_CERTIFICATE_UNTRUSTED);
    g_assert_cmpstr (tern_net_error_get_fingerprint (error), ==, fingerprint);
    g_assert_false (tern_smtp_error_is_transient (error));
    g_assert_false (tern_smtp_client_is_connected (client));
    g_clear_error (&error);
    tern_test_script_server_finish (server, NULL);
  }

  /* STARTTLS required but not offered: never continue in plaintext. */
  {
    g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
      GREETING "C: EHLO\nS: 250-test.example\nS: 250 AUTH PLAIN\nEOF\n");
    g_autoptr(TernSmtpClient) client = tern_smtp_client_new (
      "127.0.0.1", tern_test_script_server_port (server), TERN_NET_SECURITY_STARTTLS, fingerprint);

    g_assert_false (do_connect (client, &error));
    g_assert_error (error, TERN_NET_ERROR, TERN_NET_ERROR_PLAIN_NOT_ALLOWED);
    g_clear_error (&error);
    assert_script_ok (server);
    g_assert_false (received_has_prefix (server, "AUTH"));
  }

  /* STARTTLS refused: same. */
  {
    g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
      GREETING "C: EHLO\nS: 250-test.example\nS: 250 STARTTLS\n"
      "C= STARTTLS\nS: 502 5.5.1 no\nEOF\n");
    g_autoptr(TernSmtpClient) client = tern_smtp_client_new (
      "127.0.0.1", tern_test_script_server_port (server), TERN_NET_SECURITY_STARTTLS, fingerprint);

    g_assert_false (do_connect (client, &error));
    g_assert_error (error, TERN_NET_ERROR, TERN_NET_ERROR_PLAIN_NOT_ALLOWED);
    g_clear_error (&error);
    assert_script_ok (server);
  }

  /* Bytes injected after the 220 to STARTTLS: refused. */
  {
    g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
      GREETING "C: EHLO\nS: 250-test.example\nS: 250 STARTTLS\n"
      "C= STARTTLS\nSE 220 Ready\\r\\n250 injected\\r\\n\nEOF\n");
    g_autoptr(TernSmtpClient) client = tern_smtp_client_new (
      "127.0.0.1", tern_test_script_server_port (server), TERN_NET_SECURITY_STARTTLS, fingerprint);

    g_assert_false (do_connect (client, &error));
    g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_PROTOCOL);
    g_clear_error (&error);
    assert_script_ok (server);
  }
}

static void
test_implicit_tls (void)
{
  g_autofree char *fp_path = g_build_filename (g_getenv ("TERN_TEST_DATA"), "net",
                                               "server.sha256", NULL);
  g_autofree char *fingerprint = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    "TLS\n" GREETING EHLO_FULL "C= QUIT\nS: 221 Bye\n");
  g_autoptr(TernSmtpClient) client = NULL;

  g_file_get_contents (fp_path, &fingerprint, NULL, &error);
  g_strstrip (fingerprint);
  client = tern_smtp_client_new ("127.0.0.1", tern_test_script_server_port (server),
                                 TERN_NET_SECURITY_TLS, fingerprint);
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (tern_smtp_client_is_encrypted (client));
  g_assert_true (do_quit (client, &error));
  assert_script_ok (server);
}

static void
test_cancel_and_pending (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new (
    GREETING EHLO_FULL
    "C= MAIL FROM:<alice@example.org> SIZE=3\n"
    "C= RCPT TO:<bob@example.org>\n"
    "WAIT 1000\n");
  g_autoptr(TernSmtpClient) client = new_client (server);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data ("x\r\n", 3, NULL);
  g_autoptr(GError) error = NULL;
  const char *to[] = { "bob@example.org", NULL };

  g_assert_true (do_connect (client, &error));
  tern_smtp_client_send_async (client, "alice@example.org", to, stream, -1, cancellable,
                               store_result_cb, &result);
  tern_smtp_client_reset_async (client, NULL, store_result_cb, &second);
  g_assert_false (tern_smtp_client_reset_finish (client, wait_result (&second), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&error);

  g_timeout_add_once (100, (GSourceOnceFunc) g_cancellable_cancel, cancellable);
  g_assert_null (tern_smtp_client_send_finish (client, wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (tern_smtp_client_is_connected (client));
  tern_test_script_server_finish (server, NULL);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  debug_log = g_string_new (NULL);
  g_log_set_writer_func (log_writer, NULL, NULL);

  g_test_add_func ("/smtp/client/session", test_session);
  g_test_add_func ("/smtp/client/auth-login", test_auth_login);
  g_test_add_func ("/smtp/client/no-common-auth", test_no_common_auth);
  g_test_add_func ("/smtp/client/some-recipients-rejected", test_some_recipients_rejected);
  g_test_add_func ("/smtp/client/all-rejected-then-rset", test_all_rejected_then_rset);
  g_test_add_func ("/smtp/client/421-mid-session", test_421_mid_session);
  g_test_add_func ("/smtp/client/drop-during-data", test_drop_during_data);
  g_test_add_func ("/smtp/client/malformed-greeting", test_malformed_greeting);
  g_test_add_func ("/smtp/client/malformed-multiline", test_malformed_multiline);
  g_test_add_func ("/smtp/client/oversized-reply", test_oversized_reply);
  g_test_add_func ("/smtp/client/slow-replies", test_slow_replies);
  g_test_add_func ("/smtp/client/4xx-rcpt-5xx-mail", test_4xx_on_rcpt_sequential);
  g_test_add_func ("/smtp/client/5xx-mail-pipelined", test_5xx_on_mail_pipelined);
  g_test_add_func ("/smtp/client/data-refused", test_data_refused);
  g_test_add_func ("/smtp/client/greeting-timeout", test_greeting_timeout);
  g_test_add_func ("/smtp/client/command-timeout", test_command_timeout);
  g_test_add_func ("/smtp/client/helo-fallback", test_helo_fallback);
  g_test_add_func ("/smtp/client/size-refused-before-mail", test_size_refused_before_mail);
  g_test_add_func ("/smtp/client/8bit-utf8", test_8bit_and_utf8);
  g_test_add_func ("/smtp/client/8bit-utf8-not-offered", test_8bit_and_utf8_not_offered);
  g_test_add_func ("/smtp/client/non-seekable-8bit", test_non_seekable_8bit_abort);
  g_test_add_func ("/smtp/client/large-message", test_large_message_chunks);
  g_test_add_func ("/smtp/client/starttls", test_starttls);
  g_test_add_func ("/smtp/client/implicit-tls", test_implicit_tls);
  g_test_add_func ("/smtp/client/cancel-pending", test_cancel_and_pending);

  ret = g_test_run ();
  tern_test_stop_idle_threads ();
  return ret;
}
