/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TernSmtpClient against the Postfix of the test stack (tests/stack):
 * run with tests/stack/with-stack -- meson test --suite live. Every
 * variable of the stack is required; a missing one fails the test. */
#include "config.h"

#include <string.h>

#include "tern-net-error.h"
#include "tern-smtp-client.h"
#include "tern-smtp-error.h"

/* Environment */

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

static char *
address (const char *user)
{
  return g_strdup_printf ("%s@%s", user, env ("TERN_TEST_DOMAIN"));
}

/* A message generated on the fly, never held in memory: headers, then
 * @size bytes in all. Not seekable. Counts what was read. */

#define GEN_TYPE_STREAM (gen_stream_get_type ())
G_DECLARE_FINAL_TYPE (GenStream, gen_stream, GEN, STREAM, GInputStream)

struct _GenStream
{
  GInputStream parent_instance;
  char        *head;
  gsize        head_len;
  guint64      size;
  guint64      pos;
};

G_DEFINE_FINAL_TYPE (GenStream, gen_stream, G_TYPE_INPUT_STREAM)

static gssize
gen_stream_read (GInputStream  *stream,
                 void          *buffer,
                 gsize          count,
                 GCancellable  *cancellable,
                 GError       **error)
{
  GenStream *self = GEN_STREAM (stream);
  guint8 *out = buffer;
  gsize n = 0;

  while (n < count && self->pos < self->size)
    {
      if (self->pos < self->head_len)
        out[n] = self->head[self->pos];
      else
        {
          guint64 body_pos = self->pos - self->head_len;
          /* 78-byte lines: 76 letters then CRLF */
          guint col = body_pos % 78;
          out[n] = col == 76 ? '\r' : col == 77 ? '\n' : 'A' + (body_pos / 78) % 26;
        }
      n++;
      self->pos++;
    }
  return n;
}

static void
gen_stream_finalize (GObject *object)
{
  g_free (GEN_STREAM (object)->head);
  G_OBJECT_CLASS (gen_stream_parent_class)->finalize (object);
}

static void
gen_stream_class_init (GenStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gen_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = gen_stream_read;
}

static void
gen_stream_init (GenStream *self)
{
}

static GenStream *
gen_stream_new (const char *token,
                guint64     size)
{
  GenStream *self = g_object_new (GEN_TYPE_STREAM, NULL);

  self->head = g_strdup_printf ("Subject: big %s\r\nMessage-ID: <%s@tern.test>\r\n\r\n", token,
                                token);
  self->head_len = strlen (self->head);
  self->size = size;
  return self;
}

/* Helpers */

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
new_client (const char      *port_var,
            TernNetSecurity  security,
            gboolean         pinned)
{
  return tern_smtp_client_new (env ("TERN_TEST_HOST"), env_port (port_var), security,
                               pinned ? env ("TERN_TEST_CERT_SHA256") : NULL);
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
  g_autofree char *login = address (user);

  tern_smtp_client_authenticate_async (client, login, password, NULL, store_result_cb, &result);
  return tern_smtp_client_authenticate_finish (client, wait_result (&result), error);
}

static TernSmtpSendResult *
do_send_stream (TernSmtpClient      *client,
                const char          *from_user,
                const char * const  *to,
                GInputStream        *stream,
                gssize               size_hint,
                GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *from = address (from_user);

  tern_smtp_client_send_async (client, from, to, stream, size_hint, NULL, store_result_cb,
                               &result);
  return tern_smtp_client_send_finish (client, wait_result (&result), error);
}

static TernSmtpSendResult *
do_send (TernSmtpClient      *client,
         const char          *from_user,
         const char * const  *to,
         const char          *message,
         GError             **error)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (message, strlen (message),
                                                                        NULL);
  return do_send_stream (client, from_user, to, stream, -1, error);
}

static void
do_quit (TernSmtpClient *client)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  tern_smtp_client_quit_async (client, NULL, store_result_cb, &result);
  tern_smtp_client_quit_finish (client, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_false (tern_smtp_client_is_connected (client));
}

static TernSmtpClient *
ready_client (const char *user)
{
  TernSmtpClient *client = new_client ("TERN_TEST_SMTP_PORT", TERN_NET_SECURITY_STARTTLS, TRUE);
  g_autoptr(GError) error = NULL;

  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (do_auth (client, user, env ("TERN_TEST_PASSWORD"), &error));
  g_assert_no_error (error);
  return client;
}

static char *
unique_token (void)
{
  static guint counter;
  return g_strdup_printf ("t%" G_GINT64_FORMAT "x%u", g_get_real_time (), ++counter);
}

static char *
make_message (const char *token,
              const char *body)
{
  return g_strdup_printf ("From: Alice <alice@example.test>\r\n"
                          "Subject: live %s\r\n"
                          "Message-ID: <%s@tern.test>\r\n"
                          "\r\n%s", token, token, body);
}

/* The maildir file of @user whose content holds @token (waits up to 15 s),
 * or NULL. */
static char *
find_delivered (const char *user,
                const char *token,
                char      **path_out)
{
  g_autofree char *maildir = g_build_filename (env ("TERN_TEST_STACK_DIR"), "plain", "mail",
                                               env ("TERN_TEST_DOMAIN"), user, "Maildir", NULL);
  g_autofree char *needle = g_strdup_printf ("<%s@tern.test>", token);
  gint64 deadline = g_get_monotonic_time () + 15 * G_TIME_SPAN_SECOND;

  do
    {
      const char *subdirs[] = { "new", "cur" };

      for (guint s = 0; s < G_N_ELEMENTS (subdirs); s++)
        {
          g_autofree char *dir_path = g_build_filename (maildir, subdirs[s], NULL);
          g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
          const char *name;

          while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
            {
              g_autofree char *path = g_build_filename (dir_path, name, NULL);
              g_autofree char *contents = NULL;
              gsize len = 0;

              /* Read only the head: messages can be 25 MB. */
              {
                g_autoptr(GFile) file = g_file_new_for_path (path);
                g_autoptr(GFileInputStream) in = g_file_read (file, NULL, NULL);
                if (in == NULL)
                  continue;
                contents = g_malloc0 (8193);
                g_input_stream_read_all (G_INPUT_STREAM (in), contents, 8192, &len, NULL, NULL);
              }
              if (strstr (contents, needle) != NULL)
                {
                  if (path_out != NULL)
                    *path_out = g_strdup (path);
                  g_free (contents);
                  g_file_get_contents (path, &contents, &len, NULL);
                  return g_steal_pointer (&contents);
                }
            }
        }
      g_usleep (50 * 1000);
    }
  while (g_get_monotonic_time () < deadline);
  return NULL;
}

/* The last "disconnect from" line of a submission smtpd in the Postfix log. */
static char *
last_submission_disconnect (void)
{
  g_autofree char *log_path = g_build_filename (env ("TERN_TEST_STACK_DIR"), "postfix.log", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (log_path, &contents, NULL, NULL))
    return NULL;
  lines = g_strsplit (contents, "\n", -1);
  for (gint i = g_strv_length (lines) - 1; i >= 0; i--)
    if (strstr (lines[i], "/submission/smtpd[") != NULL
        && strstr (lines[i], "disconnect from") != NULL)
      return g_strdup (lines[i]);
  return NULL;
}

/* Tests */

static void
test_starttls_auth_plain (void)
{
  g_autoptr(TernSmtpClient) client = new_client ("TERN_TEST_SMTP_PORT",
                                                 TERN_NET_SECURITY_STARTTLS, TRUE);
  g_autoptr(TernSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = unique_token ();
  g_autofree char *message = make_message (token, "Hello Bob\r\n");
  g_autofree char *bob = address ("bob");
  g_autofree char *delivered = NULL;
  const char *to[] = { bob, NULL };
  const char *plain_only[] = { "PLAIN", NULL };

  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (tern_smtp_client_is_encrypted (client));
  g_assert_true (g_strv_contains (tern_smtp_client_get_auth_mechanisms (client), "PLAIN"));
  g_assert_true (g_strv_contains (tern_smtp_client_get_auth_mechanisms (client), "LOGIN"));
  g_assert_cmpuint (tern_smtp_client_get_size_limit (client), ==,
                    g_ascii_strtoull (env ("TERN_TEST_MAX_MESSAGE_SIZE"), NULL, 10));
  g_assert_true (tern_smtp_client_has_pipelining (client));
  g_assert_true (tern_smtp_client_has_8bitmime (client));

  tern_smtp_client_set_auth_mechanisms (client, plain_only);
  g_assert_true (do_auth (client, "alice", env ("TERN_TEST_PASSWORD"), &error));
  g_assert_no_error (error);

  result = do_send (client, "alice", to, message, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tern_smtp_send_result_get_n_accepted (result), ==, 1);
  g_assert_nonnull (strstr (tern_smtp_reply_get_text (tern_smtp_send_result_get_data_reply (result)),
                            "queued as"));
  do_quit (client);

  delivered = find_delivered ("bob", token, NULL);
  g_assert_nonnull (delivered);
  g_assert_nonnull (strstr (delivered, "Hello Bob"));
}

static void
test_auth_login (void)
{
  g_autoptr(TernSmtpClient) client = new_client ("TERN_TEST_SMTP_PORT",
                                                 TERN_NET_SECURITY_STARTTLS, TRUE);
  g_autoptr(GError) error = NULL;
  const char *login_only[] = { "LOGIN", NULL };

  tern_smtp_client_set_auth_mechanisms (client, login_only);
  g_assert_true (do_connect (client, &error));
  g_assert_true (do_auth (client, "carol", env ("TERN_TEST_PASSWORD"), &error));
  g_assert_no_error (error);
  g_assert_true (tern_smtp_client_is_authenticated (client));
  do_quit (client);
}

static void
test_auth_failure (void)
{
  const char *mechanisms[] = { "PLAIN", "LOGIN" };

  for (guint i = 0; i < G_N_ELEMENTS (mechanisms); i++)
    {
      g_autoptr(TernSmtpClient) client = new_client ("TERN_TEST_SMTP_PORT",
                                                     TERN_NET_SECURITY_STARTTLS, TRUE);
      g_autoptr(GError) error = NULL;
      const char *only[] = { mechanisms[i], NULL };

      tern_smtp_client_set_auth_mechanisms (client, only);
      g_assert_true (do_connect (client, &error));
      g_assert_false (do_auth (client, "alice", "not-the-password", &error));
      g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_AUTH_FAILED);
      g_assert_cmpuint (tern_smtp_error_get_reply_code (error), ==, 535);
      g_assert_cmpstr (tern_smtp_error_get_enhanced_code (error), ==, "5.7.8");
      g_assert_false (tern_smtp_error_is_transient (error));
      g_assert_false (tern_smtp_client_is_authenticated (client));
      g_test_message ("%s: %s", mechanisms[i], error->message);
      do_quit (client);
    }
}

static void
test_send_without_auth (void)
{
  g_autoptr(TernSmtpClient) client = new_client ("TERN_TEST_SMTP_PORT",
                                                 TERN_NET_SECURITY_STARTTLS, TRUE);
  g_autoptr(GError) error = NULL;
  g_autofree char *bob = address ("bob");
  const char *to[] = { bob, NULL };

  g_assert_true (do_connect (client, &error));
  g_assert_null (do_send (client, "alice", to, "Subject: x\r\n\r\nx\r\n", &error));
  g_assert_nonnull (error);
  g_assert_false (tern_smtp_error_is_transient (error));
  g_test_message ("unauthenticated: %s", error->message);
  do_quit (client);
}

static void
test_implicit_tls (void)
{
  g_autoptr(TernSmtpClient) client = new_client ("TERN_TEST_SMTPS_PORT", TERN_NET_SECURITY_TLS,
                                                 TRUE);
  g_autoptr(TernSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = unique_token ();
  g_autofree char *message = make_message (token, "over implicit TLS\r\n");
  g_autofree char *carol = address ("carol");
  g_autofree char *delivered = NULL;
  const char *to[] = { carol, NULL };

  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (tern_smtp_client_is_encrypted (client));
  g_assert_true (do_auth (client, "alice", env ("TERN_TEST_PASSWORD"), &error));
  g_assert_no_error (error);
  result = do_send (client, "alice", to, message, &error);
  g_assert_no_error (error);
  do_quit (client);
  delivered = find_delivered ("carol", token, NULL);
  g_assert_nonnull (delivered);
}

static void
test_certificate_rejected_without_pin (void)
{
  struct { const char *port; TernNetSecurity security; } cases[] = {
    { "TERN_TEST_SMTP_PORT", TERN_NET_SECURITY_STARTTLS },
    { "TERN_TEST_SMTPS_PORT", TERN_NET_SECURITY_TLS },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TernSmtpClient) client = new_client (cases[i].port, cases[i].security, FALSE);
      g_autoptr(GError) error = NULL;

      g_assert_false (do_connect (client, &error));
      g_assert_error (error, TERN_NET_ERROR, TERN_NET_ERROR_CERTIFICATE_UNTRUSTED);
      g_assert_cmpstr (tern_net_error_get_fingerprint (error), ==, env ("TERN_TEST_CERT_SHA256"));
      g_assert_false (tern_smtp_client_is_connected (client));
      g_test_message ("%s", error->message);
    }
}

static void
test_several_recipients (void)
{
  g_autoptr(TernSmtpClient) client = ready_client ("alice");
  g_autoptr(TernSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = unique_token ();
  g_autofree char *message = make_message (token, "to three\r\n");
  g_autofree char *bob = address ("bob");
  g_autofree char *carol = address ("carol");
  g_autofree char *dave = address ("dave");
  const char *to[] = { bob, carol, dave, NULL };
  const char *users[] = { "bob", "carol", "dave" };

  result = do_send (client, "alice", to, message, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tern_smtp_send_result_get_n_accepted (result), ==, 3);
  do_quit (client);
  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    {
      g_autofree char *delivered = find_delivered (users[i], token, NULL);
      g_assert_nonnull (delivered);
    }
}

static void
test_one_recipient_rejected (void)
{
  g_autoptr(TernSmtpClient) client = ready_client ("alice");
  g_autoptr(TernSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = unique_token ();
  g_autofree char *message = make_message (token, "some get it\r\n");
  g_autofree char *bob = address ("bob");
  g_autofree char *nobody = address ("nobody");
  g_autofree char *dave = address ("dave");
  g_autofree char *delivered_bob = NULL;
  g_autofree char *delivered_dave = NULL;
  const char *to[] = { bob, nobody, dave, NULL };
  TernSmtpReply *reply;

  result = do_send (client, "alice", to, message, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tern_smtp_send_result_get_n_recipients (result), ==, 3);
  g_assert_cmpuint (tern_smtp_send_result_get_n_accepted (result), ==, 2);
  g_assert_true (tern_smtp_send_result_get_accepted (result, 0));
  g_assert_false (tern_smtp_send_result_get_accepted (result, 1));
  g_assert_true (tern_smtp_send_result_get_accepted (result, 2));
  reply = tern_smtp_send_result_get_reply (result, 1);
  g_assert_cmpuint (tern_smtp_reply_get_code (reply), ==, 550);
  g_assert_cmpstr (tern_smtp_reply_get_enhanced_code (reply), ==, "5.1.1");
  g_test_message ("rejected: %s", tern_smtp_reply_get_text (reply));
  do_quit (client);

  delivered_bob = find_delivered ("bob", token, NULL);
  delivered_dave = find_delivered ("dave", token, NULL);
  g_assert_nonnull (delivered_bob);
  g_assert_nonnull (delivered_dave);
}

static void
test_all_recipients_rejected (void)
{
  g_autoptr(TernSmtpClient) client = ready_client ("alice");
  g_autoptr(GError) error = NULL;
  g_autofree char *nobody = address ("nobody");
  g_autofree char *nemo = address ("nemo");
  const char *to[] = { nobody, nemo, NULL };

  g_assert_null (do_send (client, "alice", to, "Subject: x\r\n\r\nx\r\n", &error));
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_PERMANENT);
  g_assert_cmpuint (tern_smtp_error_get_reply_code (error), ==, 550);
  g_assert_true (tern_smtp_client_is_connected (client));
  do_quit (client);
}

static void
test_size_limit_refused_before_data (void)
{
  guint64 limit = g_ascii_strtoull (env ("TERN_TEST_MAX_MESSAGE_SIZE"), NULL, 10);
  g_autoptr(TernSmtpClient) client = ready_client ("alice");
  g_autofree char *token = unique_token ();
  g_autoptr(GenStream) stream = gen_stream_new (token, limit + 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *bob = address ("bob");
  g_autofree char *line = NULL;
  const char *to[] = { bob, NULL };
  gint64 start = g_get_monotonic_time ();

  g_assert_null (do_send_stream (client, "alice", to, G_INPUT_STREAM (stream), limit + 1, &error));
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_MESSAGE_TOO_LARGE);
  g_assert_false (tern_smtp_error_is_transient (error));
  /* Not a byte of the message was read, let alone sent. */
  g_assert_cmpuint (stream->pos, ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_TIME_SPAN_SECOND);
  g_assert_true (tern_smtp_client_is_connected (client));
  g_test_message ("%s", error->message);
  do_quit (client);

  /* Postfix counted no MAIL and no DATA in this session. */
  g_usleep (300 * 1000);
  line = last_submission_disconnect ();
  g_assert_nonnull (line);
  g_test_message ("postfix: %s", line);
  g_assert_nonnull (strstr (line, "auth=1"));
  g_assert_null (strstr (line, "mail="));
  g_assert_null (strstr (line, "data="));
}

static void
test_dots_arrive_intact (void)
{
  g_autoptr(TernSmtpClient) client = ready_client ("alice");
  g_autoptr(TernSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = unique_token ();
  const char *body = ".\r\n..\r\n.hidden line\r\nmiddle.\r\n. space\r\n...three\r\nbare lf\n.after lf\nlast .";
  const char *expected = ".\n..\n.hidden line\nmiddle.\n. space\n...three\nbare lf\n.after lf\nlast .\n";
  g_autofree char *message = make_message (token, body);
  g_autofree char *bob = address ("bob");
  g_autofree char *delivered = NULL;
  const char *to[] = { bob, NULL };
  const char *got_body;

  result = do_send (client, "alice", to, message, &error);
  g_assert_no_error (error);
  do_quit (client);

  delivered = find_delivered ("bob", token, NULL);
  g_assert_nonnull (delivered);
  /* Dovecot stores LF line ends; the body follows the first empty line. */
  got_body = strstr (delivered, "\n\n");
  g_assert_nonnull (got_body);
  g_assert_cmpstr (got_body + 2, ==, expected);
}

static void
test_several_messages_one_connection (void)
{
  g_autoptr(TernSmtpClient) client = ready_client ("alice");
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) reset = NULL;
  g_autofree char *bob = address ("bob");
  g_autofree char *nobody = address ("nobody");
  g_autofree char *line = NULL;
  const char *to_bob[] = { bob, NULL };
  const char *to_nobody[] = { nobody, NULL };
  g_autofree char *tokens[3] = { unique_token (), unique_token (), unique_token () };

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *message = make_message (tokens[i], "one of several\r\n");
      g_autoptr(TernSmtpSendResult) result = do_send (client, "alice", to_bob, message, &error);

      g_assert_no_error (error);
      /* A refused transaction in between: the next one starts with RSET. */
      if (i == 0)
        {
          g_assert_null (do_send (client, "alice", to_nobody, message, &error));
          g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_PERMANENT);
          g_clear_error (&error);
        }
      if (i == 1)
        {
          tern_smtp_client_reset_async (client, NULL, store_result_cb, &reset);
          g_assert_true (tern_smtp_client_reset_finish (client, wait_result (&reset), &error));
          g_assert_no_error (error);
        }
    }
  do_quit (client);

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *delivered = find_delivered ("bob", tokens[i], NULL);
      g_assert_nonnull (delivered);
      g_free (tokens[i]);
      tokens[i] = NULL;
    }
  g_usleep (300 * 1000);
  line = last_submission_disconnect ();
  g_test_message ("postfix: %s", line);
  g_assert_nonnull (strstr (line, "mail=4 "));
  g_assert_nonnull (strstr (line, "data=3 "));
  g_assert_nonnull (strstr (line, "rset=2 "));
  g_assert_nonnull (strstr (line, "quit=1 "));
}

static guint64
peak_rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_file_get_contents ("/proc/self/status", &status, NULL, NULL);
  line = status != NULL ? strstr (status, "VmHWM:") : NULL;
  return line != NULL ? g_ascii_strtoull (line + 6, NULL, 10) : 0;
}

static void
test_large_message_streamed (void)
{
  const guint64 size = 25 * 1024 * 1024;
  g_autoptr(TernSmtpClient) client = ready_client ("alice");
  g_autofree char *token = unique_token ();
  g_autoptr(GenStream) stream = gen_stream_new (token, size);
  g_autoptr(TernSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bob = address ("bob");
  g_autofree char *path = NULL;
  g_autofree char *delivered = NULL;
  g_autofree char *basename = NULL;
  const char *to[] = { bob, NULL };
  guint64 before = peak_rss_kb ();
  guint64 after;
  gint64 start = g_get_monotonic_time ();
  const char *size_field;

  result = do_send_stream (client, "alice", to, G_INPUT_STREAM (stream), size, &error);
  g_assert_no_error (error);
  after = peak_rss_kb ();
  g_test_message ("25 MB sent in %.2f s, peak RSS %" G_GUINT64_FORMAT " → %" G_GUINT64_FORMAT
                  " kB", (g_get_monotonic_time () - start) / 1e6, before, after);
  g_assert_cmpuint (stream->pos, ==, size);
  /* Streamed in chunks: the peak grows by far less than the message. */
  g_assert_cmpuint (after - before, <, 8 * 1024);
  do_quit (client);

  delivered = find_delivered ("bob", token, &path);
  g_assert_nonnull (delivered);
  /* The maildir name carries the size with LF ends: S=<bytes>. */
  basename = g_path_get_basename (path);
  size_field = strstr (basename, ",S=");
  g_assert_nonnull (size_field);
  g_assert_cmpuint (g_ascii_strtoull (size_field + 3, NULL, 10), >, size - size / 78 - 1);
  g_assert_nonnull (strstr (delivered, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
                                       "BBBB"));
}

static void
test_relay_plain (void)
{
  g_autoptr(TernSmtpClient) client = new_client ("TERN_TEST_SMTP_RELAY_PORT",
                                                 TERN_NET_SECURITY_PLAIN, FALSE);
  g_autoptr(TernSmtpSendResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = unique_token ();
  g_autofree char *message = make_message (token, "relay\r\n");
  g_autofree char *dave = address ("dave");
  g_autofree char *delivered = NULL;
  const char *to[] = { dave, NULL };

  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_false (tern_smtp_client_is_encrypted (client));
  result = do_send (client, "alice", to, message, &error);
  g_assert_no_error (error);
  do_quit (client);
  delivered = find_delivered ("dave", token, NULL);
  g_assert_nonnull (delivered);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/smtp/live/starttls-auth-plain", test_starttls_auth_plain);
  g_test_add_func ("/smtp/live/auth-login", test_auth_login);
  g_test_add_func ("/smtp/live/auth-failure", test_auth_failure);
  g_test_add_func ("/smtp/live/send-without-auth", test_send_without_auth);
  g_test_add_func ("/smtp/live/implicit-tls", test_implicit_tls);
  g_test_add_func ("/smtp/live/certificate-rejected", test_certificate_rejected_without_pin);
  g_test_add_func ("/smtp/live/several-recipients", test_several_recipients);
  g_test_add_func ("/smtp/live/one-recipient-rejected", test_one_recipient_rejected);
  g_test_add_func ("/smtp/live/all-recipients-rejected", test_all_recipients_rejected);
  g_test_add_func ("/smtp/live/size-limit", test_size_limit_refused_before_data);
  g_test_add_func ("/smtp/live/dots-intact", test_dots_arrive_intact);
  g_test_add_func ("/smtp/live/several-messages", test_several_messages_one_connection);
  g_test_add_func ("/smtp/live/large-message", test_large_message_streamed);
  g_test_add_func ("/smtp/live/relay-plain", test_relay_plain);

  return g_test_run ();
}
