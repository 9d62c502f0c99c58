/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tern-test-script-server.h"

/* A plain blocking client for the server's own tests. */
typedef struct
{
  GSocketConnection *conn;
  GIOStream         *stream;
} Client;

static void
client_open (Client  *client,
             guint16  port)
{
  g_autoptr(GSocketClient) sc = g_socket_client_new ();
  g_autoptr(GError) error = NULL;

  client->conn = g_socket_client_connect_to_host (sc, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (client->conn), 10);
  client->stream = g_object_ref (G_IO_STREAM (client->conn));
}

static void
client_close (Client *client)
{
  g_io_stream_close (client->stream, NULL, NULL);
  g_clear_object (&client->stream);
  g_clear_object (&client->conn);
}

static void
client_send (Client     *client,
             const char *text)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (client->stream), text, strlen (text),
                             NULL, NULL, &error);
  g_assert_no_error (error);
}

/* Reads exactly @len bytes (fewer at EOF); counts the reads it needed. */
static char *
client_read (Client *client,
             gsize   len,
             guint  *reads)
{
  char *buffer = g_malloc0 (len + 1);
  gsize got = 0;

  *reads = 0;
  while (got < len)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_input_stream_read (g_io_stream_get_input_stream (client->stream), buffer + got,
                                      len - got, NULL, &error);
      g_assert_no_error (error);
      if (n == 0)
        break;
      got += n;
      (*reads)++;
    }
  buffer[got] = '\0';
  return buffer;
}

static gboolean
client_at_eof (Client *client)
{
  char byte;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read (g_io_stream_get_input_stream (client->stream), &byte, 1, NULL,
                                  &error);

  return n == 0 || (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED));
}

static void
test_basic_dialogue (void)
{
  g_autoptr(TernTestScriptServer) server =
    tern_test_script_server_new ("S: 220 hello\n"
                                 "# a comment\n"
                                 "\n"
                                 "C: EHLO\n"
                                 "S- 250-partial\n"
                                 "S: \n"
                                 "C= exact line\n"
                                 "C* .\n"
                                 "S: 250 done\n"
                                 "EOF\n");
  Client client = { 0 };
  g_autofree char *greeting = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *done = NULL;
  g_auto(GStrv) received = NULL;
  g_autoptr(GError) error = NULL;
  guint reads;

  client_open (&client, tern_test_script_server_port (server));
  greeting = client_read (&client, strlen ("220 hello\r\n"), &reads);
  g_assert_cmpstr (greeting, ==, "220 hello\r\n");
  client_send (&client, "EHLO me\r\n");
  reply = client_read (&client, strlen ("250-partial\r\n"), &reads);
  g_assert_cmpstr (reply, ==, "250-partial\r\n");
  client_send (&client, "exact line\r\nbody 1\n..stuffed\r\n.\r\n");
  done = client_read (&client, strlen ("250 done\r\n"), &reads);
  g_assert_cmpstr (done, ==, "250 done\r\n");
  client_close (&client);

  g_assert_true (tern_test_script_server_finish (server, &error));
  g_assert_no_error (error);
  received = tern_test_script_server_dup_received (server);
  g_assert_cmpuint (g_strv_length (received), ==, 5);
  g_assert_cmpstr (received[0], ==, "EHLO me");
  g_assert_cmpstr (received[2], ==, "body 1");
  g_assert_cmpstr (received[3], ==, "..stuffed");
  g_assert_cmpstr (received[4], ==, ".");
}

static void
test_mismatch_reported (void)
{
  g_autoptr(TernTestScriptServer) server =
    tern_test_script_server_new ("S: 220 hello\nC: EHLO\nS: 250 ok\n");
  Client client = { 0 };
  g_autofree char *greeting = NULL;
  g_autoptr(GError) error = NULL;
  guint reads;

  client_open (&client, tern_test_script_server_port (server));
  greeting = client_read (&client, strlen ("220 hello\r\n"), &reads);
  client_send (&client, "HELO me\r\n");
  g_assert_true (client_at_eof (&client));
  client_close (&client);

  g_assert_false (tern_test_script_server_finish (server, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "HELO me"));
  g_assert_nonnull (strstr (error->message, "line 2"));
}

static void
test_client_closes_early (void)
{
  g_autoptr(TernTestScriptServer) server =
    tern_test_script_server_new ("S: 220 hello\nC: QUIT\n");
  Client client = { 0 };
  g_autoptr(GError) error = NULL;

  client_open (&client, tern_test_script_server_port (server));
  client_close (&client);

  g_assert_false (tern_test_script_server_finish (server, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "QUIT"));
}

static void
test_slow_raw_drop (void)
{
  g_autoptr(TernTestScriptServer) server =
    tern_test_script_server_new ("SLOW\nS: 250 one byte at a time\nFAST\nWAIT 20\nRAW 100000\n"
                                 "DROP\nS: never sent\n");
  Client client = { 0 };
  g_autofree char *slow = NULL;
  g_autofree char *raw = NULL;
  g_autoptr(GError) error = NULL;
  guint reads;

  client_open (&client, tern_test_script_server_port (server));
  slow = client_read (&client, strlen ("250 one byte at a time\r\n"), &reads);
  g_assert_cmpstr (slow, ==, "250 one byte at a time\r\n");
  /* Bytes 1 ms apart cannot all arrive in one read. */
  g_assert_cmpuint (reads, >, 5);
  raw = client_read (&client, 100000, &reads);
  g_assert_cmpuint (strlen (raw), ==, 100000);
  g_assert_cmpuint (strspn (raw, "x"), ==, 100000);
  g_assert_true (client_at_eof (&client));
  client_close (&client);

  g_assert_true (tern_test_script_server_finish (server, &error));
  g_assert_no_error (error);
}

static void
test_escaped_send (void)
{
  g_autoptr(TernTestScriptServer) server =
    tern_test_script_server_new ("SE 250-one\\r\\n250 two\\t\\\\\\r\\n\nEOF\n");
  Client client = { 0 };
  g_autofree char *got = NULL;
  g_autoptr(GError) error = NULL;
  guint reads;

  client_open (&client, tern_test_script_server_port (server));
  got = client_read (&client, strlen ("250-one\r\n250 two\t\\\r\n"), &reads);
  g_assert_cmpstr (got, ==, "250-one\r\n250 two\t\\\r\n");
  client_close (&client);
  g_assert_true (tern_test_script_server_finish (server, &error));
  g_assert_no_error (error);
}

static gboolean
accept_any_cb (GTlsConnection      *conn,
               GTlsCertificate     *cert,
               GTlsCertificateFlags errors,
               gpointer             user_data)
{
  return TRUE;
}

static void
test_tls_step (void)
{
  g_autoptr(TernTestScriptServer) server =
    tern_test_script_server_new ("S: 220 go ahead\nTLS\nC: secret\nS: 250 private\nEOF\n");
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("127.0.0.1", 0);
  Client client = { 0 };
  g_autofree char *greeting = NULL;
  g_autofree char *reply = NULL;
  g_autoptr(GError) error = NULL;
  GIOStream *tls;
  guint reads;

  client_open (&client, tern_test_script_server_port (server));
  greeting = client_read (&client, strlen ("220 go ahead\r\n"), &reads);
  g_assert_cmpstr (greeting, ==, "220 go ahead\r\n");
  tls = g_tls_client_connection_new (client.stream, identity, &error);
  g_assert_no_error (error);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_any_cb), NULL);
  g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error);
  g_assert_no_error (error);
  g_object_unref (client.stream);
  client.stream = tls;
  client_send (&client, "secret\r\n");
  reply = client_read (&client, strlen ("250 private\r\n"), &reads);
  g_assert_cmpstr (reply, ==, "250 private\r\n");
  client_close (&client);

  g_assert_true (tern_test_script_server_finish (server, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/test/script-server/basic", test_basic_dialogue);
  g_test_add_func ("/test/script-server/mismatch", test_mismatch_reported);
  g_test_add_func ("/test/script-server/client-closes-early", test_client_closes_early);
  g_test_add_func ("/test/script-server/slow-raw-drop", test_slow_raw_drop);
  g_test_add_func ("/test/script-server/tls", test_tls_step);
  g_test_add_func ("/test/script-server/escaped", test_escaped_send);

  ret = g_test_run ();
  tern_test_stop_idle_threads ();
  return ret;
}
