/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tern-net-connection.h"
#include "tern-net-error.h"
#include "tern-test-script-server.h"

static char *
fixture_fingerprint (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("TERN_TEST_DATA"), "net", "server.sha256",
                                            NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return g_strdup (g_strstrip (contents));
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GIOStream *
connect_sync (const char       *host,
              guint16           port,
              TernNetSecurity   security,
              const char       *pin,
              guint             timeout,
              GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tern_net_connect_async (host, port, security, pin, timeout, NULL, store_result_cb, &result);
  return tern_net_connect_finish (wait_result (&result), error);
}

static char *
read_line (GIOStream *stream)
{
  g_autoptr(GDataInputStream) in =
    g_data_input_stream_new (g_io_stream_get_input_stream (stream));
  g_autoptr(GError) error = NULL;
  char *line;

  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (in), FALSE);
  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  /* One byte at a time, so no buffered byte is lost when @in goes away. */
  g_buffered_input_stream_set_buffer_size (G_BUFFERED_INPUT_STREAM (in), 1);
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  return line;
}

static void
test_normalize_fingerprint (void)
{
  const char *hex = "d54238d1f05987642ad7f7d814cdee9d39ee7fb38f3a590b9d81e910c429b271";
  g_autofree char *upper = g_ascii_strup (hex, -1);
  g_autoptr(GString) colons = g_string_new (NULL);
  char *n;

  for (guint i = 0; i < 64; i += 2)
    g_string_append_printf (colons, "%s%.2s", i ? ":" : "", upper + i);

  n = tern_net_normalize_fingerprint (hex);
  g_assert_cmpstr (n, ==, hex);
  g_free (n);
  n = tern_net_normalize_fingerprint (colons->str);
  g_assert_cmpstr (n, ==, hex);
  g_free (n);
  n = tern_net_normalize_fingerprint ("  D5 42 38 d1 f05987642ad7f7d814cdee9d39ee7fb38f3a590b9d81e910c429b271\n");
  g_assert_cmpstr (n, ==, hex);
  g_free (n);

  g_assert_null (tern_net_normalize_fingerprint (NULL));
  g_assert_null (tern_net_normalize_fingerprint (""));
  g_assert_null (tern_net_normalize_fingerprint ("d54238"));              /* too short */
  g_assert_null (tern_net_normalize_fingerprint ("g54238d1f05987642ad7f7d814cdee9d39ee7fb38f3a590b9d81e910c429b271"));
  g_assert_null (tern_net_normalize_fingerprint ("d54238d1f05987642ad7f7d814cdee9d39ee7fb38f3a590b9d81e910c429b27100"));
}

static void
test_loopback (void)
{
  g_assert_true (tern_net_host_is_loopback ("127.0.0.1"));
  g_assert_true (tern_net_host_is_loopback ("127.1.2.3"));
  g_assert_true (tern_net_host_is_loopback ("::1"));
  g_assert_true (tern_net_host_is_loopback ("[::1]"));
  g_assert_true (tern_net_host_is_loopback ("localhost"));
  g_assert_true (tern_net_host_is_loopback ("LocalHost"));
  g_assert_false (tern_net_host_is_loopback ("128.0.0.1"));
  g_assert_false (tern_net_host_is_loopback ("10.0.0.1"));
  g_assert_false (tern_net_host_is_loopback ("::2"));
  g_assert_false (tern_net_host_is_loopback ("localhost.example.org"));
  g_assert_false (tern_net_host_is_loopback ("imap.example.org"));
  g_assert_false (tern_net_host_is_loopback (""));
  g_assert_false (tern_net_host_is_loopback (NULL));
}

static void
test_plain_refused_remote (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) stream = NULL;
  gint64 start = g_get_monotonic_time ();

  /* A reserved TEST-NET address: would hang if it were really tried. */
  stream = connect_sync ("192.0.2.1", 143, TERN_NET_SECURITY_PLAIN, NULL, 5, &error);
  g_assert_null (stream);
  g_assert_error (error, TERN_NET_ERROR, TERN_NET_ERROR_PLAIN_NOT_ALLOWED);
  g_assert_false (tern_net_error_is_transient (error));
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_TIME_SPAN_SECOND);
}

static guint16
closed_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return port;
}

static void
test_refused_is_transient (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) stream = NULL;

  stream = connect_sync ("127.0.0.1", closed_port (), TERN_NET_SECURITY_PLAIN, NULL, 5, &error);
  g_assert_null (stream);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_true (tern_net_error_is_transient (error));
}

static void
test_transient_table (void)
{
  struct { GQuark domain; int code; gboolean transient; } cases[] = {
    { G_IO_ERROR, G_IO_ERROR_TIMED_OUT, TRUE },
    { G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, TRUE },
    { G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE, TRUE },
    { G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE, TRUE },
    { G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, TRUE },
    { G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, TRUE },
    { G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, TRUE },
    { G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE, TRUE },
    { TERN_NET_ERROR, TERN_NET_ERROR_TIMEOUT, TRUE },
    { G_IO_ERROR, G_IO_ERROR_CANCELLED, FALSE },
    { G_IO_ERROR, G_IO_ERROR_FAILED, FALSE },
    { G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, FALSE },
    { TERN_NET_ERROR, TERN_NET_ERROR_CERTIFICATE_UNTRUSTED, FALSE },
    { TERN_NET_ERROR, TERN_NET_ERROR_PLAIN_NOT_ALLOWED, FALSE },
    { G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, FALSE },
  };

  g_assert_false (tern_net_error_is_transient (NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (cases[i].domain, cases[i].code, "x");
      g_assert_cmpint (tern_net_error_is_transient (error), ==, cases[i].transient);
    }
}

static void
test_certificate_error_carries_fingerprint (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) copy = NULL;
  g_autoptr(GError) other = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x");
  const char *fp = "d54238d1f05987642ad7f7d814cdee9d39ee7fb38f3a590b9d81e910c429b271";

  tern_net_set_certificate_error (&error, "imap.example.org", fp, G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_error (error, TERN_NET_ERROR, TERN_NET_ERROR_CERTIFICATE_UNTRUSTED);
  g_assert_cmpstr (tern_net_error_get_fingerprint (error), ==, fp);
  g_assert_nonnull (strstr (error->message, "imap.example.org"));
  g_assert_nonnull (strstr (error->message, "d5:42:38:d1:"));
  copy = g_error_copy (error);
  g_assert_cmpstr (tern_net_error_get_fingerprint (copy), ==, fp);
  g_assert_null (tern_net_error_get_fingerprint (other));
  g_assert_null (tern_net_error_get_fingerprint (NULL));
}

static void
test_tls_rejected_then_pinned (void)
{
  g_autofree char *expected = fixture_fingerprint ();
  g_autoptr(GError) error = NULL;

  /* Not pinned: refused, with the fingerprint of the certificate. */
  {
    g_autoptr(TernTestScriptServer) server = tern_test_script_server_new ("TLS\nS: hello\n");
    g_autoptr(GIOStream) stream = connect_sync ("127.0.0.1", tern_test_script_server_port (server),
                                                TERN_NET_SECURITY_TLS, NULL, 10, &error);
    g_assert_null (stream);
    g_assert_error (error, TERN_NET_ERROR, TERN_NET_ERROR_CERTIFICATE_UNTRUSTED);
    g_assert_cmpstr (tern_net_error_get_fingerprint (error), ==, expected);
    g_assert_false (tern_net_error_is_transient (error));
    g_test_message ("%s", error->message);
    g_clear_error (&error);
  }

  /* Pinned to another certificate: refused as well. */
  {
    g_autoptr(TernTestScriptServer) server = tern_test_script_server_new ("TLS\nS: hello\n");
    g_autoptr(GIOStream) stream =
      connect_sync ("127.0.0.1", tern_test_script_server_port (server), TERN_NET_SECURITY_TLS,
                    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 10, &error);
    g_assert_null (stream);
    g_assert_error (error, TERN_NET_ERROR, TERN_NET_ERROR_CERTIFICATE_UNTRUSTED);
    g_assert_cmpstr (tern_net_error_get_fingerprint (error), ==, expected);
    g_clear_error (&error);
  }

  /* Pinned (upper case with colons): accepted. */
  {
    g_autoptr(TernTestScriptServer) server =
      tern_test_script_server_new ("TLS\nS: hello over tls\nC: bye\n");
    g_autofree char *upper = g_ascii_strup (expected, -1);
    g_autoptr(GString) pin = g_string_new (NULL);
    g_autoptr(GIOStream) stream = NULL;
    g_autofree char *line = NULL;

    for (guint i = 0; i < 64; i += 2)
      g_string_append_printf (pin, "%s%.2s", i ? ":" : "", upper + i);
    stream = connect_sync ("127.0.0.1", tern_test_script_server_port (server),
                           TERN_NET_SECURITY_TLS, pin->str, 10, &error);
    g_assert_no_error (error);
    g_assert_true (G_IS_TLS_CONNECTION (stream));
    line = read_line (stream);
    g_assert_cmpstr (line, ==, "hello over tls");
    g_output_stream_write_all (g_io_stream_get_output_stream (stream), "bye\r\n", 5, NULL, NULL,
                               &error);
    g_assert_no_error (error);
    g_assert_true (tern_test_script_server_finish (server, &error));
    g_assert_no_error (error);
  }
}

static void
test_starttls_pinned (void)
{
  g_autofree char *expected = fixture_fingerprint ();
  g_autoptr(TernTestScriptServer) server =
    tern_test_script_server_new ("S: 220 ready\nC: STARTTLS\nS: 220 go ahead\nTLS\nS: secure\n"
                                 "C: bye\n");
  g_autoptr(GIOStream) plain = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *go_ahead = NULL;
  g_autofree char *line = NULL;

  plain = connect_sync ("127.0.0.1", tern_test_script_server_port (server),
                        TERN_NET_SECURITY_STARTTLS, expected, 10, &error);
  g_assert_no_error (error);
  g_assert_false (G_IS_TLS_CONNECTION (plain));
  greeting = read_line (plain);
  g_assert_cmpstr (greeting, ==, "220 ready");
  g_output_stream_write_all (g_io_stream_get_output_stream (plain), "STARTTLS\r\n", 10, NULL,
                             NULL, &error);
  g_assert_no_error (error);
  /* as in IMAP and SMTP, the handshake starts after the server's answer
   * (the script server would otherwise read the first TLS bytes with the
   * command line) */
  go_ahead = read_line (plain);
  g_assert_cmpstr (go_ahead, ==, "220 go ahead");

  tern_net_start_tls_async (plain, "127.0.0.1", expected, NULL, store_result_cb, &result);
  tls = tern_net_start_tls_finish (wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_TLS_CONNECTION (tls));
  line = read_line (tls);
  g_assert_cmpstr (line, ==, "secure");
  g_output_stream_write_all (g_io_stream_get_output_stream (tls), "bye\r\n", 5, NULL, NULL,
                             &error);
  g_assert_no_error (error);
  g_assert_true (tern_test_script_server_finish (server, &error));
  g_assert_no_error (error);
}

static void
test_starttls_unpinned_rejected (void)
{
  g_autofree char *expected = fixture_fingerprint ();
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new ("TLS\nS: secure\n");
  g_autoptr(GIOStream) plain = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  plain = connect_sync ("localhost", tern_test_script_server_port (server),
                        TERN_NET_SECURITY_STARTTLS, NULL, 10, &error);
  if (plain == NULL)
    {
      /* "localhost" may resolve to ::1 first; the server listens on IPv4. */
      g_clear_error (&error);
      plain = connect_sync ("127.0.0.1", tern_test_script_server_port (server),
                            TERN_NET_SECURITY_STARTTLS, NULL, 10, &error);
    }
  g_assert_no_error (error);
  tern_net_start_tls_async (plain, "localhost", NULL, NULL, store_result_cb, &result);
  tls = tern_net_start_tls_finish (wait_result (&result), &error);
  g_assert_null (tls);
  g_assert_error (error, TERN_NET_ERROR, TERN_NET_ERROR_CERTIFICATE_UNTRUSTED);
  g_assert_cmpstr (tern_net_error_get_fingerprint (error), ==, expected);
  g_assert_nonnull (strstr (error->message, "localhost"));
}

/* A pinned connection is made without a certificate database (none is
 * loaded); a certificate that is not the pinned one is then checked as
 * without a pin: accepted when the trusted authorities and the host name
 * say so, refused otherwise. Here the trusted authorities are a database
 * holding the test server's own certificate. */
static GIOStream *
starttls_sync (TernTestScriptServer *server,
               const char           *host,
               const char           *pin,
               GError              **error)
{
  g_autoptr(GIOStream) plain = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *go_ahead = NULL;

  plain = connect_sync ("127.0.0.1", tern_test_script_server_port (server),
                        TERN_NET_SECURITY_STARTTLS, pin, 10, error);
  g_assert_nonnull (plain);
  greeting = read_line (plain);
  g_assert_cmpstr (greeting, ==, "220 ready");
  g_output_stream_write_all (g_io_stream_get_output_stream (plain), "STARTTLS\r\n", 10, NULL,
                             NULL, error);
  g_assert_no_error (*error);
  go_ahead = read_line (plain);
  g_assert_cmpstr (go_ahead, ==, "220 go ahead");
  tern_net_start_tls_async (plain, host, pin, NULL, store_result_cb, &result);
  return tern_net_start_tls_finish (wait_result (&result), error);
}

static void
test_pinned_without_database (void)
{
  g_autofree char *expected = fixture_fingerprint ();
  g_autofree char *pem = g_build_filename (g_getenv ("TERN_TEST_DATA"), "net", "server.pem", NULL);
  const char *other = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;
  const struct {
    const char *host;
    const char *pin;
    gboolean    trusted;    /* the server's certificate is in the trust database */
    gboolean    accepted;
  } cases[] = {
    { "127.0.0.1", NULL, TRUE, TRUE },           /* trusted, right host */
    { "127.0.0.1", other, TRUE, TRUE },          /* not the pin, but trusted */
    { "wrong.example", other, TRUE, FALSE },     /* not the pin, wrong host */
    { "wrong.example", NULL, TRUE, FALSE },
    { "wrong.example", expected, TRUE, TRUE },   /* the pin decides */
    { "127.0.0.1", other, FALSE, FALSE },        /* not the pin, not trusted */
    { "127.0.0.1", NULL, FALSE, FALSE },
    { "127.0.0.1", expected, FALSE, TRUE },
  };

  database = g_tls_file_database_new (pem, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TernTestScriptServer) server =
        tern_test_script_server_new (cases[i].accepted
                                       ? "S: 220 ready\nC: STARTTLS\nS: 220 go ahead\nTLS\n"
                                         "S: secure\nC: bye\n"
                                       : "S: 220 ready\nC: STARTTLS\nS: 220 go ahead\nTLS\n"
                                         "S: secure\n");
      g_autoptr(GIOStream) tls = NULL;

      g_test_message ("case %u: %s, pin %s, %s", i, cases[i].host,
                      cases[i].pin != NULL ? cases[i].pin : "none",
                      cases[i].trusted ? "trusted" : "not trusted");
      tern_net_set_trust_database (cases[i].trusted ? database : NULL);
      tls = starttls_sync (server, cases[i].host, cases[i].pin, &error);
      if (cases[i].accepted)
        {
          g_autofree char *line = NULL;

          g_assert_no_error (error);
          g_assert_true (G_IS_TLS_CONNECTION (tls));
          /* with a pin, no database was set up for the connection */
          if (cases[i].pin != NULL)
            g_assert_null (g_tls_connection_get_database (G_TLS_CONNECTION (tls)));
          line = read_line (tls);
          g_assert_cmpstr (line, ==, "secure");
          g_output_stream_write_all (g_io_stream_get_output_stream (tls), "bye\r\n", 5, NULL,
                                     NULL, &error);
          g_assert_no_error (error);
          g_assert_true (tern_test_script_server_finish (server, &error));
          g_assert_no_error (error);
        }
      else
        {
          g_assert_null (tls);
          g_assert_error (error, TERN_NET_ERROR, TERN_NET_ERROR_CERTIFICATE_UNTRUSTED);
          g_assert_cmpstr (tern_net_error_get_fingerprint (error), ==, expected);
          g_clear_error (&error);
        }
    }
  tern_net_set_trust_database (NULL);
}

static void
test_handshake_timeout (void)
{
  /* The server never answers the handshake (until it is freed). */
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new ("WAIT 20000\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) stream = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed;

  stream = connect_sync ("127.0.0.1", tern_test_script_server_port (server),
                         TERN_NET_SECURITY_TLS, NULL, 1, &error);
  elapsed = g_get_monotonic_time () - start;
  g_assert_null (stream);
  g_assert_error (error, TERN_NET_ERROR, TERN_NET_ERROR_TIMEOUT);
  g_assert_true (tern_net_error_is_transient (error));
  g_assert_cmpint (elapsed, >=, G_TIME_SPAN_SECOND * 9 / 10);
  g_assert_cmpint (elapsed, <, 8 * G_TIME_SPAN_SECOND);
}

static void
test_cancelled (void)
{
  g_autoptr(TernTestScriptServer) server = tern_test_script_server_new ("WAIT 20000\n");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) stream = NULL;

  tern_net_connect_async ("127.0.0.1", tern_test_script_server_port (server),
                          TERN_NET_SECURITY_TLS, NULL, 10, cancellable, store_result_cb, &result);
  g_timeout_add_once (100, (GSourceOnceFunc) g_cancellable_cancel, cancellable);
  stream = tern_net_connect_finish (wait_result (&result), &error);
  g_assert_null (stream);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/net/fingerprint/normalize", test_normalize_fingerprint);
  g_test_add_func ("/net/loopback", test_loopback);
  g_test_add_func ("/net/connect/plain-refused-remote", test_plain_refused_remote);
  g_test_add_func ("/net/connect/refused-is-transient", test_refused_is_transient);
  g_test_add_func ("/net/error/transient", test_transient_table);
  g_test_add_func ("/net/error/certificate-fingerprint", test_certificate_error_carries_fingerprint);
  g_test_add_func ("/net/tls/rejected-then-pinned", test_tls_rejected_then_pinned);
  g_test_add_func ("/net/tls/starttls-pinned", test_starttls_pinned);
  g_test_add_func ("/net/tls/starttls-unpinned", test_starttls_unpinned_rejected);
  g_test_add_func ("/net/tls/pinned-without-database", test_pinned_without_database);
  g_test_add_func ("/net/tls/handshake-timeout", test_handshake_timeout);
  g_test_add_func ("/net/connect/cancelled", test_cancelled);

  ret = g_test_run ();
  tern_test_stop_idle_threads ();
  return ret;
}
