/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-smtp"

#include <string.h>

#include "tern-net-error.h"
#include "tern-smtp-client.h"
#include "tern-smtp-data.h"
#include "tern-smtp-error.h"

#define READ_BUFFER_SIZE 16384
#define DATA_CHUNK_SIZE  65536

#define DEFAULT_GREETING_TIMEOUT 60
#define DEFAULT_COMMAND_TIMEOUT  60
#define DEFAULT_DATA_TIMEOUT     300

typedef void (*Step)      (TernSmtpClient *self);
typedef void (*ReplyStep) (TernSmtpClient *self,
                           TernSmtpReply  *reply);

struct _TernSmtpClient
{
  GObject              parent_instance;

  char                *host;
  guint16              port;
  TernNetSecurity      security;
  char                *pinned;
  guint                greeting_timeout;
  guint                command_timeout;
  guint                data_timeout;
  char                *helo_name;
  char                *auto_helo_name;
  char               **mechanisms;

  /* The connection. */
  GIOStream           *stream;
  gboolean             encrypted;
  gboolean             authenticated;
  gboolean             need_rset;
  TernSmtpReplyParser *parser;
  GByteArray          *inbuf;
  GString             *wbuf;
  guint8               readbuf[READ_BUFFER_SIZE];

  /* Capabilities of the last EHLO. */
  GPtrArray           *keywords;
  GPtrArray           *auth_mechs;
  guint64              size_limit;

  /* The running operation: one at a time. */
  GTask               *op;
  GCancellable        *op_cancellable;
  GCancellable        *op_outer;
  gulong               op_outer_handler;
  GSource             *deadline;
  gboolean             deadline_fired;
  guint                stage_seconds;
  const char          *stage;
  Step                 write_step;
  ReplyStep            reply_step;
  guint                reply_timeout;
};

typedef struct
{
  char     *user;
  char     *password;
  gboolean  login;
} AuthData;

typedef struct
{
  char                 *from;
  char                **recipients;
  GInputStream         *message;
  gssize                size_hint;
  guint64               size;
  gboolean              scanned;
  gboolean              has_8bit;
  goffset               start_offset;
  gboolean              declare_8bit;
  gboolean              smtputf8;
  guint                 next_recipient;
  TernSmtpReply        *mail_reply;
  TernSmtpSendResult   *result;
  TernSmtpDataEncoder   encoder;
  guint8               *in_chunk;
  guint8               *out_chunk;
} SendData;

G_DEFINE_FINAL_TYPE (TernSmtpClient, tern_smtp_client, G_TYPE_OBJECT)

static void read_reply (TernSmtpClient *self,
                        guint           timeout,
                        ReplyStep       next);
static void send_ehlo  (TernSmtpClient *self);
static void send_mail  (TernSmtpClient *self);
static void read_chunk (TernSmtpClient *self);

/* Data of the operations */

static void
auth_data_free (AuthData *data)
{
  if (data->password != NULL)
    memset (data->password, 0, strlen (data->password));
  g_free (data->password);
  g_free (data->user);
  g_free (data);
}

static void
send_data_free (SendData *data)
{
  g_free (data->from);
  g_strfreev (data->recipients);
  g_clear_object (&data->message);
  g_clear_pointer (&data->mail_reply, tern_smtp_reply_unref);
  g_clear_pointer (&data->result, tern_smtp_send_result_unref);
  g_free (data->in_chunk);
  g_free (data->out_chunk);
  g_free (data);
}

/* The connection */

static void
clear_capabilities (TernSmtpClient *self)
{
  g_ptr_array_set_size (self->keywords, 0);
  g_ptr_array_set_size (self->auth_mechs, 0);
  g_ptr_array_add (self->auth_mechs, NULL);
  self->size_limit = 0;
}

/* The write buffer may hold credentials (AUTH): zero it. */
static void
wipe_write_buffer (TernSmtpClient *self)
{
  memset (self->wbuf->str, 0, self->wbuf->allocated_len);
  g_string_truncate (self->wbuf, 0);
}

static void
drop_connection (TernSmtpClient *self)
{
  if (self->stream != NULL)
    {
      g_debug ("Closing the connection to %s:%u", self->host, self->port);
      g_io_stream_close_async (self->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      g_clear_object (&self->stream);
    }
  self->encrypted = FALSE;
  self->authenticated = FALSE;
  self->need_rset = FALSE;
  wipe_write_buffer (self);
  g_byte_array_set_size (self->inbuf, 0);
  tern_smtp_reply_parser_reset (self->parser);
  clear_capabilities (self);
}

/* The running operation */

static void
outer_cancelled_cb (GCancellable *outer,
                    gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static gboolean
deadline_cb (gpointer user_data)
{
  TernSmtpClient *self = user_data;

  g_debug ("No answer within %u s (%s)", self->stage_seconds, self->stage);
  self->deadline_fired = TRUE;
  g_clear_pointer (&self->deadline, g_source_unref);
  g_cancellable_cancel (self->op_cancellable);
  return G_SOURCE_REMOVE;
}

static void
disarm (TernSmtpClient *self)
{
  if (self->deadline != NULL)
    {
      g_source_destroy (self->deadline);
      g_clear_pointer (&self->deadline, g_source_unref);
    }
}

static void
arm (TernSmtpClient *self,
     guint           seconds,
     const char     *stage)
{
  disarm (self);
  self->stage = stage;
  self->stage_seconds = seconds;
  self->deadline = g_timeout_source_new (seconds * 1000);
  g_source_set_callback (self->deadline, deadline_cb, self, NULL);
  g_source_set_static_name (self->deadline, "[tern-smtp] deadline");
  g_source_attach (self->deadline, g_main_context_get_thread_default ());
}

static gboolean
begin_op (TernSmtpClient *self,
          GTask          *task,
          GCancellable   *cancellable,
          gboolean        need_connection)
{
  if (self->op != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "Another SMTP operation is running on this connection");
      return FALSE;
    }
  if (need_connection && self->stream == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               "Not connected to the SMTP server %s", self->host);
      return FALSE;
    }

  self->op = g_object_ref (task);
  self->op_cancellable = g_cancellable_new ();
  self->deadline_fired = FALSE;
  if (cancellable != NULL)
    {
      self->op_outer = g_object_ref (cancellable);
      self->op_outer_handler = g_cancellable_connect (cancellable, G_CALLBACK (outer_cancelled_cb),
                                                      g_object_ref (self->op_cancellable),
                                                      g_object_unref);
    }
  return TRUE;
}

/* Ends the operation; returns its task (owned) for the caller to return. */
static GTask *
end_op (TernSmtpClient *self)
{
  GTask *task = g_steal_pointer (&self->op);

  disarm (self);
  if (self->op_outer != NULL)
    {
      g_cancellable_disconnect (self->op_outer, self->op_outer_handler);
      self->op_outer_handler = 0;
      g_clear_object (&self->op_outer);
    }
  g_clear_object (&self->op_cancellable);
  return task;
}

static void
complete_boolean (TernSmtpClient *self)
{
  g_autoptr(GTask) task = end_op (self);

  g_task_return_boolean (task, TRUE);
}

static void
complete_pointer (TernSmtpClient *self,
                  gpointer        pointer,
                  GDestroyNotify  destroy)
{
  g_autoptr(GTask) task = end_op (self);

  g_task_return_pointer (task, pointer, destroy);
}

static void
fail (TernSmtpClient *self,
      GError         *error,
      gboolean        drop)
{
  g_autoptr(GTask) task = NULL;

  g_debug ("%s failed: %s", g_task_get_name (self->op), error->message);
  if (drop)
    drop_connection (self);
  task = end_op (self);
  g_task_return_error (task, error);
}

/* A failure of the connection itself: it is closed. The deadline becomes
 * TERN_NET_ERROR_TIMEOUT; a broken transport TERN_SMTP_ERROR_TRANSIENT. */
static void
fail_io (TernSmtpClient *self,
         GError         *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->deadline_fired
      && (self->op_outer == NULL || !g_cancellable_is_cancelled (self->op_outer)))
    {
      g_error_free (error);
      error = g_error_new (TERN_NET_ERROR, TERN_NET_ERROR_TIMEOUT,
                           "The SMTP server %s did not answer within %u s (%s)", self->host,
                           self->stage_seconds, self->stage);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
           && error->domain != TERN_SMTP_ERROR && error->domain != TERN_NET_ERROR)
    {
      GError *wrapped = g_error_new (TERN_SMTP_ERROR, TERN_SMTP_ERROR_TRANSIENT,
                                     "Lost the connection to the SMTP server %s: %s", self->host,
                                     error->message);
      g_error_free (error);
      error = wrapped;
    }
  fail (self, error, TRUE);
}

/* Fails the operation with the server's @reply, classified:
 * 4xx → TRANSIENT, 530 → AUTH_REQUIRED, other 5xx → @permanent_code,
 * anything else → PROTOCOL. 421 and unexpected codes close the connection. */
static void
fail_reply (TernSmtpClient *self,
            TernSmtpReply  *reply,
            TernSmtpError   permanent_code,
            gboolean        drop,
            const char     *context)
{
  guint code = tern_smtp_reply_get_code (reply);
  g_autofree char *shown = tern_smtp_reply_to_string (reply);
  TernSmtpError error_code;
  GError *error = NULL;

  if (code >= 400 && code < 500)
    error_code = TERN_SMTP_ERROR_TRANSIENT;
  else if (code == 530)
    error_code = TERN_SMTP_ERROR_AUTH_REQUIRED;
  else if (code >= 500)
    error_code = permanent_code;
  else
    {
      error_code = TERN_SMTP_ERROR_PROTOCOL;
      drop = TRUE;
    }
  if (code == 421)
    drop = TRUE;

  tern_smtp_set_reply_error (&error, error_code, code, tern_smtp_reply_get_enhanced_code (reply),
                             tern_smtp_reply_get_text (reply), "%s: %s", context, shown);
  fail (self, error, drop);
}

/* I/O primitives */

static void
write_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  TernSmtpClient *self = user_data;
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      fail_io (self, error);
      return;
    }
  self->write_step (self);
}

/* Writes @len bytes of @data (alive until @next runs), then runs @next. */
static void
write_then (TernSmtpClient *self,
            const void     *data,
            gsize           len,
            guint           timeout,
            const char     *stage,
            Step            next)
{
  self->write_step = next;
  arm (self, timeout, stage);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (self->stream), data, len,
                                   G_PRIORITY_DEFAULT, self->op_cancellable, write_done_cb, self);
}

static void
log_reply (TernSmtpReply *reply)
{
  const char * const *lines = tern_smtp_reply_get_lines (reply);
  guint code = tern_smtp_reply_get_code (reply);

  for (guint i = 0; lines[i] != NULL; i++)
    g_debug ("S: %u%c%s", code, lines[i + 1] != NULL ? '-' : ' ', lines[i]);
}

static void read_more (TernSmtpClient *self);

static void
parse_buffered (TernSmtpClient *self)
{
  g_autoptr(TernSmtpReply) reply = NULL;
  GError *error = NULL;
  gssize consumed;

  if (self->inbuf->len == 0)
    {
      read_more (self);
      return;
    }
  consumed = tern_smtp_reply_parser_feed (self->parser, (const char *) self->inbuf->data,
                                          self->inbuf->len, &reply, &error);
  if (consumed < 0)
    {
      fail (self, error, TRUE);
      return;
    }
  g_byte_array_remove_range (self->inbuf, 0, consumed);
  if (reply == NULL)
    {
      read_more (self);
      return;
    }
  log_reply (reply);
  disarm (self);
  self->reply_step (self, reply);
}

static void
read_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  TernSmtpClient *self = user_data;
  GError *error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n < 0)
    {
      fail_io (self, error);
      return;
    }
  if (n == 0)
    {
      fail (self,
            g_error_new (TERN_SMTP_ERROR, TERN_SMTP_ERROR_TRANSIENT,
                         "The SMTP server %s closed the connection (%s)", self->host, self->stage),
            TRUE);
      return;
    }
  g_byte_array_append (self->inbuf, self->readbuf, n);
  parse_buffered (self);
}

static void
read_more (TernSmtpClient *self)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (self->stream), self->readbuf,
                             sizeof self->readbuf, G_PRIORITY_DEFAULT, self->op_cancellable,
                             read_done_cb, self);
}

/* Reads the next reply (maybe buffered already) and gives it to @next. */
static void
read_reply (TernSmtpClient *self,
            guint           timeout,
            ReplyStep       next)
{
  self->reply_step = next;
  arm (self, timeout, self->stage != NULL ? self->stage : "reply");
  parse_buffered (self);
}

static void
read_command_reply (TernSmtpClient *self)
{
  read_reply (self, self->reply_timeout, self->reply_step);
}

static void
log_command (const char *line,
             gboolean    sensitive)
{
  if (!sensitive)
    g_debug ("C: %s", line);
  else if (g_ascii_strncasecmp (line, "AUTH ", 5) == 0)
    {
      const char *mech_end = strchr (line + 5, ' ');
      g_autofree char *head = g_strndup (line, mech_end != NULL ? (gsize) (mech_end - line) : strlen (line));
      g_debug ("C: %s ***", head);
    }
  else
    g_debug ("C: ***");
}

/* Queues a command line in the write buffer (sent by flush_then()). */
static void
queue_command (TernSmtpClient *self,
               const char     *line,
               gboolean        sensitive)
{
  log_command (line, sensitive);
  g_string_append (self->wbuf, line);
  g_string_append (self->wbuf, "\r\n");
}

/* Sends one command and gives its reply to @next. */
static void
send_command (TernSmtpClient *self,
              const char     *line,
              gboolean        sensitive,
              const char     *stage,
              ReplyStep       next)
{
  g_string_truncate (self->wbuf, 0);
  queue_command (self, line, sensitive);
  self->reply_step = next;
  self->reply_timeout = self->command_timeout;
  write_then (self, self->wbuf->str, self->wbuf->len, self->command_timeout, stage,
              read_command_reply);
}

/* Connect: greeting, EHLO, STARTTLS, EHLO */

static void
parse_capabilities (TernSmtpClient *self,
                    TernSmtpReply  *reply)
{
  const char * const *lines = tern_smtp_reply_get_lines (reply);

  clear_capabilities (self);
  g_ptr_array_set_size (self->auth_mechs, 0);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit_set (lines[i], " =", -1);
      char *keyword;

      if (words[0] == NULL || words[0][0] == '\0')
        continue;
      keyword = g_ascii_strup (words[0], -1);
      g_ptr_array_add (self->keywords, keyword);

      if (g_str_equal (keyword, "SIZE") && words[1] != NULL)
        self->size_limit = g_ascii_strtoull (words[1], NULL, 10);
      else if (g_str_equal (keyword, "AUTH"))
        for (guint w = 1; words[w] != NULL; w++)
          {
            g_autofree char *mech = g_ascii_strup (words[w], -1);
            if (*mech != '\0' && !g_ptr_array_find_with_equal_func (self->auth_mechs, mech,
                                                                    g_str_equal, NULL))
              g_ptr_array_add (self->auth_mechs, g_steal_pointer (&mech));
          }
    }
  g_ptr_array_add (self->auth_mechs, NULL);
}

static void
connect_done (TernSmtpClient *self)
{
  g_debug ("Ready: %s:%u (%s), SIZE %" G_GUINT64_FORMAT "%s%s%s", self->host, self->port,
           self->encrypted ? "TLS" : "plain", self->size_limit,
           tern_smtp_client_has_pipelining (self) ? " PIPELINING" : "",
           tern_smtp_client_has_8bitmime (self) ? " 8BITMIME" : "",
           tern_smtp_client_has_smtputf8 (self) ? " SMTPUTF8" : "");
  complete_boolean (self);
}

static void
tls_started_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  TernSmtpClient *self = user_data;
  GError *error = NULL;
  GIOStream *tls;

  tls = tern_net_start_tls_finish (result, &error);
  if (tls == NULL)
    {
      fail (self, error, TRUE);
      return;
    }
  g_clear_object (&self->stream);
  self->stream = tls;
  self->encrypted = TRUE;
  tern_smtp_reply_parser_reset (self->parser);
  clear_capabilities (self);
  send_ehlo (self);
}

static void
starttls_reply (TernSmtpClient *self,
                TernSmtpReply  *reply)
{
  guint code = tern_smtp_reply_get_code (reply);

  if (code == 220)
    {
      if (self->inbuf->len > 0)
        {
          /* Bytes sent before the handshake could be injected: refuse. */
          fail (self,
                g_error_new (TERN_SMTP_ERROR, TERN_SMTP_ERROR_PROTOCOL,
                             "The SMTP server %s sent data after agreeing to STARTTLS",
                             self->host),
                TRUE);
          return;
        }
      disarm (self);
      tern_net_start_tls_async (self->stream, self->host, self->pinned, self->op_cancellable,
                                tls_started_cb, self);
      return;
    }
  if (code >= 400 && code < 500)
    {
      fail_reply (self, reply, TERN_SMTP_ERROR_PERMANENT, TRUE, "The server refused STARTTLS");
      return;
    }
  {
    g_autofree char *shown = tern_smtp_reply_to_string (reply);
    fail (self,
          g_error_new (TERN_NET_ERROR, TERN_NET_ERROR_PLAIN_NOT_ALLOWED,
                       "The SMTP server %s refused STARTTLS (%s); not continuing unencrypted",
                       self->host, shown),
          TRUE);
  }
}

static void
after_ehlo (TernSmtpClient *self)
{
  if (self->security != TERN_NET_SECURITY_STARTTLS || self->encrypted)
    {
      connect_done (self);
      return;
    }
  if (!tern_smtp_client_has_starttls (self))
    {
      fail (self,
            g_error_new (TERN_NET_ERROR, TERN_NET_ERROR_PLAIN_NOT_ALLOWED,
                         "The SMTP server %s does not offer STARTTLS; not continuing "
                         "unencrypted", self->host),
            TRUE);
      return;
    }
  send_command (self, "STARTTLS", FALSE, "STARTTLS", starttls_reply);
}

static void
helo_reply (TernSmtpClient *self,
            TernSmtpReply  *reply)
{
  if (tern_smtp_reply_get_code (reply) != 250)
    {
      fail_reply (self, reply, TERN_SMTP_ERROR_PERMANENT, TRUE, "The server refused HELO");
      return;
    }
  clear_capabilities (self);
  after_ehlo (self);
}

static const char *
helo_name (TernSmtpClient *self)
{
  if (self->helo_name != NULL)
    return self->helo_name;
  if (self->auto_helo_name != NULL)
    return self->auto_helo_name;
  return "localhost";
}

static void
ehlo_reply (TernSmtpClient *self,
            TernSmtpReply  *reply)
{
  guint code = tern_smtp_reply_get_code (reply);

  if (code == 250)
    {
      parse_capabilities (self, reply);
      after_ehlo (self);
    }
  else if (code >= 500 && code != 530)
    {
      g_autofree char *line = g_strdup_printf ("HELO %s", helo_name (self));
      send_command (self, line, FALSE, "HELO", helo_reply);
    }
  else
    fail_reply (self, reply, TERN_SMTP_ERROR_PERMANENT, TRUE, "The server refused EHLO");
}

static void
send_ehlo (TernSmtpClient *self)
{
  g_autofree char *line = g_strdup_printf ("EHLO %s", helo_name (self));

  send_command (self, line, FALSE, "EHLO", ehlo_reply);
}

static void
greeting_reply (TernSmtpClient *self,
                TernSmtpReply  *reply)
{
  if (tern_smtp_reply_get_code (reply) != 220)
    {
      fail_reply (self, reply, TERN_SMTP_ERROR_PERMANENT, TRUE,
                  "The SMTP server refused the connection");
      return;
    }
  send_ehlo (self);
}

static char *
local_address_literal (GIOStream *stream)
{
  g_autoptr(GIOStream) base = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autofree char *text = NULL;
  GInetAddress *address;

  if (G_IS_TLS_CONNECTION (stream))
    g_object_get (stream, "base-io-stream", &base, NULL);
  else
    base = g_object_ref (stream);
  if (!G_IS_SOCKET_CONNECTION (base))
    return NULL;
  local = g_socket_connection_get_local_address (G_SOCKET_CONNECTION (base), NULL);
  if (!G_IS_INET_SOCKET_ADDRESS (local))
    return NULL;
  address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
  text = g_inet_address_to_string (address);
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[IPv6:%s]", text);
  return g_strdup_printf ("[%s]", text);
}

static void
net_connected_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  TernSmtpClient *self = user_data;
  GError *error = NULL;
  GIOStream *stream;

  stream = tern_net_connect_finish (result, &error);
  if (stream == NULL)
    {
      fail (self, error, FALSE);
      return;
    }
  self->stream = stream;
  self->encrypted = self->security == TERN_NET_SECURITY_TLS;
  g_free (self->auto_helo_name);
  self->auto_helo_name = local_address_literal (stream);
  self->stage = "greeting";
  read_reply (self, self->greeting_timeout, greeting_reply);
}

/* AUTH */

static void
auth_reply (TernSmtpClient *self,
            TernSmtpReply  *reply)
{
  guint code = tern_smtp_reply_get_code (reply);

  wipe_write_buffer (self);
  if (code == 235)
    {
      self->authenticated = TRUE;
      complete_boolean (self);
      return;
    }
  if (code == 504)
    {
      fail_reply (self, reply, TERN_SMTP_ERROR_NOT_SUPPORTED, FALSE,
                  "The server does not support this authentication mechanism");
      return;
    }
  if (code == 334)
    {
      /* More challenges than the mechanism has: abandon the exchange. */
      fail (self,
            g_error_new (TERN_SMTP_ERROR, TERN_SMTP_ERROR_PROTOCOL,
                         "The SMTP server %s asked for more authentication data than expected",
                         self->host),
            TRUE);
      return;
    }
  fail_reply (self, reply, TERN_SMTP_ERROR_AUTH_FAILED, FALSE,
              "The server refused the user name or password");
}

static void
login_password_reply (TernSmtpClient *self,
                      TernSmtpReply  *reply)
{
  AuthData *data = g_task_get_task_data (self->op);
  g_autofree char *encoded = NULL;

  if (tern_smtp_reply_get_code (reply) != 334)
    {
      auth_reply (self, reply);
      return;
    }
  encoded = g_base64_encode ((const guchar *) data->password, strlen (data->password));
  send_command (self, encoded, TRUE, "AUTH LOGIN", auth_reply);
  memset (encoded, 0, strlen (encoded));
}

static void
login_user_reply (TernSmtpClient *self,
                  TernSmtpReply  *reply)
{
  AuthData *data = g_task_get_task_data (self->op);
  g_autofree char *encoded = NULL;

  if (tern_smtp_reply_get_code (reply) != 334)
    {
      auth_reply (self, reply);
      return;
    }
  encoded = g_base64_encode ((const guchar *) data->user, strlen (data->user));
  send_command (self, encoded, TRUE, "AUTH LOGIN", login_password_reply);
}

/* RSET */

static void
rset_reply (TernSmtpClient *self,
            TernSmtpReply  *reply)
{
  if (tern_smtp_reply_get_code (reply) / 100 != 2)
    {
      fail_reply (self, reply, TERN_SMTP_ERROR_PERMANENT, FALSE, "The server refused RSET");
      return;
    }
  self->need_rset = FALSE;
  complete_boolean (self);
}

/* QUIT */

static void
quit_reply (TernSmtpClient *self,
            TernSmtpReply  *reply)
{
  drop_connection (self);
  complete_boolean (self);
}

/* Send */

static gboolean
check_address (const char  *address,
               gboolean     allow_empty,
               gboolean    *non_ascii,
               GError     **error)
{
  if (address == NULL || (*address == '\0' && !allow_empty))
    {
      g_set_error_literal (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_INVALID_ADDRESS,
                           "An empty e-mail address cannot be used");
      return FALSE;
    }
  for (const guchar *p = (const guchar *) address; *p != '\0'; p++)
    {
      if (*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>')
        {
          g_autofree char *escaped = g_strescape (address, NULL);
          g_set_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_INVALID_ADDRESS,
                       "The e-mail address \"%s\" contains a character SMTP does not allow",
                       escaped);
          return FALSE;
        }
      if (*p >= 0x80)
        *non_ascii = TRUE;
    }
  if (*non_ascii && !g_utf8_validate (address, -1, NULL))
    {
      g_set_error_literal (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_INVALID_ADDRESS,
                           "An e-mail address is not valid UTF-8");
      return FALSE;
    }
  return TRUE;
}

static char *
format_size (guint64 size)
{
  return g_format_size_full (size, G_FORMAT_SIZE_LONG_FORMAT);
}

static void
data_end_reply (TernSmtpClient *self,
                TernSmtpReply  *reply)
{
  SendData *data = g_task_get_task_data (self->op);

  self->need_rset = FALSE;
  if (tern_smtp_reply_get_code (reply) / 100 != 2)
    {
      fail_reply (self, reply, TERN_SMTP_ERROR_PERMANENT, FALSE,
                  "The server refused the message");
      return;
    }
  tern_smtp_send_result_set_data_reply (data->result, reply);
  complete_pointer (self, g_steal_pointer (&data->result),
                    (GDestroyNotify) tern_smtp_send_result_unref);
}

static void
data_end_written (TernSmtpClient *self)
{
  self->stage = "reply to the message";
  read_reply (self, self->data_timeout, data_end_reply);
}

static void
chunk_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  TernSmtpClient *self = user_data;
  SendData *data = g_task_get_task_data (self->op);
  GError *error = NULL;
  gssize n;
  gsize len;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n < 0)
    {
      /* The data cannot be ended without sending a partial message. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail_io (self, error);
      else
        {
          g_prefix_error (&error, "Reading the message failed: ");
          fail (self, error, TRUE);
        }
      return;
    }
  if (n == 0)
    {
      len = tern_smtp_data_encoder_finish (&data->encoder, data->out_chunk);
      g_debug ("C: <%" G_GUINT64_FORMAT " bytes of message>", data->encoder.bytes_in);
      g_debug ("C: .");
      write_then (self, data->out_chunk, len, self->data_timeout, "message data",
                  data_end_written);
      return;
    }

  len = tern_smtp_data_encoder_encode (&data->encoder, data->in_chunk, n, data->out_chunk);
  if (data->encoder.saw_8bit && !data->declare_8bit)
    {
      fail (self,
            g_error_new (TERN_SMTP_ERROR, TERN_SMTP_ERROR_NOT_SUPPORTED,
                         "The message contains 8-bit data and the SMTP server %s does not "
                         "offer 8BITMIME", self->host),
            TRUE);
      return;
    }
  write_then (self, data->out_chunk, len, self->data_timeout, "message data", read_chunk);
}

static void
read_chunk (TernSmtpClient *self)
{
  SendData *data = g_task_get_task_data (self->op);

  arm (self, self->data_timeout, "message data");
  g_input_stream_read_async (data->message, data->in_chunk, DATA_CHUNK_SIZE, G_PRIORITY_DEFAULT,
                             self->op_cancellable, chunk_read_cb, self);
}

static void
data_reply (TernSmtpClient *self,
            TernSmtpReply  *reply)
{
  SendData *data = g_task_get_task_data (self->op);

  if (tern_smtp_reply_get_code (reply) != 354)
    {
      fail_reply (self, reply, TERN_SMTP_ERROR_PERMANENT, FALSE, "The server refused DATA");
      return;
    }
  tern_smtp_data_encoder_init (&data->encoder);
  if (data->in_chunk == NULL)
    {
      data->in_chunk = g_malloc (DATA_CHUNK_SIZE);
      data->out_chunk = g_malloc (TERN_SMTP_DATA_ENCODED_MAX (DATA_CHUNK_SIZE));
    }
  read_chunk (self);
}

static void
after_recipients (TernSmtpClient *self)
{
  SendData *data = g_task_get_task_data (self->op);
  TernSmtpSendResult *result = data->result;
  guint n = tern_smtp_send_result_get_n_recipients (result);
  g_autoptr(GString) detail = NULL;
  TernSmtpReply *first = NULL;
  gboolean any_transient = FALSE;
  GError *error = NULL;

  if (tern_smtp_send_result_get_n_accepted (result) > 0)
    {
      send_command (self, "DATA", FALSE, "DATA", data_reply);
      return;
    }

  detail = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      TernSmtpReply *reply = tern_smtp_send_result_get_reply (result, i);
      g_autofree char *shown = tern_smtp_reply_to_string (reply);

      if (first == NULL)
        first = reply;
      if (!tern_smtp_reply_is_permanent (reply))
        {
          any_transient = TRUE;
          if (tern_smtp_reply_is_permanent (first))
            first = reply;
        }
      g_string_append_printf (detail, "%s%s: %s", i > 0 ? "; " : "",
                              tern_smtp_send_result_get_address (result, i), shown);
    }
  tern_smtp_set_reply_error (&error,
                             any_transient ? TERN_SMTP_ERROR_TRANSIENT : TERN_SMTP_ERROR_PERMANENT,
                             tern_smtp_reply_get_code (first),
                             tern_smtp_reply_get_enhanced_code (first),
                             tern_smtp_reply_get_text (first),
                             "The server refused every recipient: %s", detail->str);
  fail (self, error, FALSE);
}

static void
recipient_reply (TernSmtpClient *self,
                 TernSmtpReply  *reply)
{
  SendData *data = g_task_get_task_data (self->op);
  guint index = data->next_recipient++;
  gboolean pipelined = tern_smtp_client_has_pipelining (self);

  if (tern_smtp_reply_get_code (reply) == 421)
    {
      fail_reply (self, reply, TERN_SMTP_ERROR_PERMANENT, TRUE,
                  "The server closed the connection");
      return;
    }
  tern_smtp_send_result_add (data->result, data->recipients[index], reply);

  if (data->recipients[data->next_recipient] == NULL)
    {
      /* In a pipeline the sender's refusal comes first but is acted on
       * once every reply of the group is read. */
      if (tern_smtp_reply_get_code (data->mail_reply) / 100 != 2)
        fail_reply (self, data->mail_reply, TERN_SMTP_ERROR_PERMANENT, FALSE,
                    "The server refused the sender");
      else
        after_recipients (self);
      return;
    }
  if (pipelined)
    {
      read_reply (self, self->command_timeout, recipient_reply);
    }
  else
    {
      g_autofree char *line =
        g_strdup_printf ("RCPT TO:<%s>", data->recipients[data->next_recipient]);
      send_command (self, line, FALSE, "RCPT TO", recipient_reply);
    }
}

static void
mail_reply (TernSmtpClient *self,
            TernSmtpReply  *reply)
{
  SendData *data = g_task_get_task_data (self->op);
  guint code = tern_smtp_reply_get_code (reply);

  data->mail_reply = tern_smtp_reply_ref (reply);
  if (code == 421 || (code / 100 != 2 && !tern_smtp_client_has_pipelining (self)))
    {
      fail_reply (self, reply, TERN_SMTP_ERROR_PERMANENT, code == 421,
                  "The server refused the sender");
      return;
    }
  if (tern_smtp_client_has_pipelining (self))
    {
      read_reply (self, self->command_timeout, recipient_reply);
    }
  else
    {
      g_autofree char *line = g_strdup_printf ("RCPT TO:<%s>", data->recipients[0]);
      send_command (self, line, FALSE, "RCPT TO", recipient_reply);
    }
}

static void
read_mail_reply (TernSmtpClient *self)
{
  read_reply (self, self->command_timeout, mail_reply);
}

static void
send_mail (TernSmtpClient *self)
{
  SendData *data = g_task_get_task_data (self->op);
  g_autoptr(GString) mail = g_string_new (NULL);

  g_string_printf (mail, "MAIL FROM:<%s>", data->from);
  if (data->scanned || data->size_hint >= 0)
    if (tern_smtp_client_has_capability (self, "SIZE"))
      g_string_append_printf (mail, " SIZE=%" G_GUINT64_FORMAT,
                              data->scanned ? data->size : (guint64) data->size_hint);
  if (data->declare_8bit)
    g_string_append (mail, " BODY=8BITMIME");
  if (data->smtputf8)
    g_string_append (mail, " SMTPUTF8");

  self->need_rset = TRUE;
  data->next_recipient = 0;
  if (tern_smtp_client_has_pipelining (self))
    {
      g_string_truncate (self->wbuf, 0);
      queue_command (self, mail->str, FALSE);
      for (guint i = 0; data->recipients[i] != NULL; i++)
        {
          g_autofree char *line = g_strdup_printf ("RCPT TO:<%s>", data->recipients[i]);
          queue_command (self, line, FALSE);
        }
      write_then (self, self->wbuf->str, self->wbuf->len, self->command_timeout, "MAIL FROM",
                  read_mail_reply);
    }
  else
    {
      send_command (self, mail->str, FALSE, "MAIL FROM", mail_reply);
    }
}

static void
rset_then_mail_reply (TernSmtpClient *self,
                      TernSmtpReply  *reply)
{
  if (tern_smtp_reply_get_code (reply) / 100 != 2)
    {
      fail_reply (self, reply, TERN_SMTP_ERROR_PERMANENT, FALSE, "The server refused RSET");
      return;
    }
  self->need_rset = FALSE;
  send_mail (self);
}

static void
start_transaction (TernSmtpClient *self)
{
  SendData *data = g_task_get_task_data (self->op);
  gboolean size_known = data->scanned || data->size_hint >= 0;
  guint64 size = data->scanned ? data->size : (guint64) MAX (data->size_hint, 0);

  if (size_known && self->size_limit > 0 && size > self->size_limit)
    {
      g_autofree char *have = format_size (size);
      g_autofree char *limit = format_size (self->size_limit);
      fail (self,
            g_error_new (TERN_SMTP_ERROR, TERN_SMTP_ERROR_MESSAGE_TOO_LARGE,
                         "The message is too large for the SMTP server %s: %s, it accepts at "
                         "most %s", self->host, have, limit),
            FALSE);
      return;
    }
  if (data->scanned && data->has_8bit && !tern_smtp_client_has_8bitmime (self))
    {
      fail (self,
            g_error_new (TERN_SMTP_ERROR, TERN_SMTP_ERROR_NOT_SUPPORTED,
                         "The message contains 8-bit data and the SMTP server %s does not "
                         "offer 8BITMIME", self->host),
            FALSE);
      return;
    }
  data->declare_8bit = tern_smtp_client_has_8bitmime (self) && (!data->scanned || data->has_8bit);

  if (self->need_rset)
    send_command (self, "RSET", FALSE, "RSET", rset_then_mail_reply);
  else
    send_mail (self);
}

static void
scan_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  TernSmtpClient *self = user_data;
  SendData *data = g_task_get_task_data (self->op);
  GError *error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n < 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, "Reading the message failed: ");
      fail (self, error, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
      return;
    }
  if (n > 0)
    {
      guint8 high = 0;

      for (gssize i = 0; i < n; i++)
        high |= data->in_chunk[i];
      data->has_8bit |= (high & 0x80) != 0;
      data->size += n;
      g_input_stream_read_async (data->message, data->in_chunk, DATA_CHUNK_SIZE,
                                 G_PRIORITY_DEFAULT, self->op_cancellable, scan_read_cb, self);
      return;
    }

  if (!g_seekable_seek (G_SEEKABLE (data->message), data->start_offset, G_SEEK_SET,
                        self->op_cancellable, &error))
    {
      g_prefix_error (&error, "Rewinding the message failed: ");
      fail (self, error, FALSE);
      return;
    }
  data->scanned = TRUE;
  start_transaction (self);
}

/* GObject */

static void
tern_smtp_client_dispose (GObject *object)
{
  TernSmtpClient *self = TERN_SMTP_CLIENT (object);

  drop_connection (self);

  G_OBJECT_CLASS (tern_smtp_client_parent_class)->dispose (object);
}

static void
tern_smtp_client_finalize (GObject *object)
{
  TernSmtpClient *self = TERN_SMTP_CLIENT (object);

  g_free (self->host);
  g_free (self->pinned);
  g_free (self->helo_name);
  g_free (self->auto_helo_name);
  g_strfreev (self->mechanisms);
  tern_smtp_reply_parser_free (self->parser);
  g_byte_array_unref (self->inbuf);
  g_string_free (self->wbuf, TRUE);
  g_ptr_array_unref (self->keywords);
  g_ptr_array_unref (self->auth_mechs);

  G_OBJECT_CLASS (tern_smtp_client_parent_class)->finalize (object);
}

static void
tern_smtp_client_class_init (TernSmtpClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tern_smtp_client_dispose;
  object_class->finalize = tern_smtp_client_finalize;
}

static void
tern_smtp_client_init (TernSmtpClient *self)
{
  self->greeting_timeout = DEFAULT_GREETING_TIMEOUT;
  self->command_timeout = DEFAULT_COMMAND_TIMEOUT;
  self->data_timeout = DEFAULT_DATA_TIMEOUT;
  self->parser = tern_smtp_reply_parser_new ();
  self->inbuf = g_byte_array_new ();
  self->wbuf = g_string_sized_new (512);
  self->keywords = g_ptr_array_new_with_free_func (g_free);
  self->auth_mechs = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->auth_mechs, NULL);
}

/* Public API */

TernSmtpClient *
tern_smtp_client_new (const char      *host,
                      guint16          port,
                      TernNetSecurity  security,
                      const char      *pinned_sha256)
{
  TernSmtpClient *self;

  g_return_val_if_fail (host != NULL, NULL);

  self = g_object_new (TERN_SMTP_TYPE_CLIENT, NULL);
  self->host = g_strdup (host);
  self->port = port;
  self->security = security;
  self->pinned = g_strdup (pinned_sha256);
  return self;
}

void
tern_smtp_client_set_timeouts (TernSmtpClient *self,
                               guint           greeting_seconds,
                               guint           command_seconds,
                               guint           data_seconds)
{
  g_return_if_fail (TERN_SMTP_IS_CLIENT (self));

  if (greeting_seconds > 0)
    self->greeting_timeout = greeting_seconds;
  if (command_seconds > 0)
    self->command_timeout = command_seconds;
  if (data_seconds > 0)
    self->data_timeout = data_seconds;
}

void
tern_smtp_client_set_helo_name (TernSmtpClient *self,
                                const char     *helo_name)
{
  g_return_if_fail (TERN_SMTP_IS_CLIENT (self));

  g_free (self->helo_name);
  self->helo_name = g_strdup (helo_name);
}

void
tern_smtp_client_set_auth_mechanisms (TernSmtpClient     *self,
                                      const char * const *mechanisms)
{
  g_return_if_fail (TERN_SMTP_IS_CLIENT (self));

  g_strfreev (self->mechanisms);
  self->mechanisms = g_strdupv ((char **) mechanisms);
}

static const char *
choose_mechanism (TernSmtpClient *self)
{
  static const char * const defaults[] = { "PLAIN", "LOGIN", NULL };
  const char * const *wanted = self->mechanisms != NULL ? (const char * const *) self->mechanisms
                                                        : defaults;
  const char * const *offered = tern_smtp_client_get_auth_mechanisms (self);

  for (guint i = 0; wanted[i] != NULL; i++)
    for (guint j = 0; offered[j] != NULL; j++)
      if (g_ascii_strcasecmp (wanted[i], offered[j]) == 0
          && (g_str_equal (offered[j], "PLAIN") || g_str_equal (offered[j], "LOGIN")))
        return offered[j];
  return NULL;
}

void
tern_smtp_client_connect_async (TernSmtpClient      *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TERN_SMTP_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_smtp_client_connect_async);
  g_task_set_name (task, "[tern-smtp] connect");

  if (!begin_op (self, task, cancellable, FALSE))
    return;
  if (self->stream != NULL)
    {
      fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_EXISTS,
                               "Already connected to %s", self->host),
            FALSE);
      return;
    }
  drop_connection (self);
  self->stage = "connect";
  tern_net_connect_async (self->host, self->port, self->security, self->pinned,
                          self->greeting_timeout, self->op_cancellable, net_connected_cb, self);
}

gboolean
tern_smtp_client_connect_finish (TernSmtpClient  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tern_smtp_client_connect_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
tern_smtp_client_authenticate_async (TernSmtpClient      *self,
                                     const char          *user,
                                     const char          *password,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *mechanism;
  AuthData *data;

  g_return_if_fail (TERN_SMTP_IS_CLIENT (self));
  g_return_if_fail (user != NULL);
  g_return_if_fail (password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_smtp_client_authenticate_async);
  g_task_set_name (task, "[tern-smtp] AUTH");
  data = g_new0 (AuthData, 1);
  data->user = g_strdup (user);
  data->password = g_strdup (password);
  g_task_set_task_data (task, data, (GDestroyNotify) auth_data_free);

  if (!begin_op (self, task, cancellable, TRUE))
    return;

  mechanism = choose_mechanism (self);
  if (g_strcmp0 (mechanism, "PLAIN") == 0)
    {
      gsize ulen = strlen (user), plen = strlen (password);
      gsize len = ulen + plen + 2;
      g_autofree guchar *raw = g_malloc (len);
      g_autofree char *encoded = NULL;
      g_autofree char *line = NULL;

      raw[0] = '\0';
      memcpy (raw + 1, user, ulen);
      raw[1 + ulen] = '\0';
      memcpy (raw + 2 + ulen, password, plen);
      encoded = g_base64_encode (raw, len);
      memset (raw, 0, len);
      line = g_strconcat ("AUTH PLAIN ", encoded, NULL);
      memset (encoded, 0, strlen (encoded));
      send_command (self, line, TRUE, "AUTH PLAIN", auth_reply);
      memset (line, 0, strlen (line));
    }
  else if (g_strcmp0 (mechanism, "LOGIN") == 0)
    {
      data->login = TRUE;
      send_command (self, "AUTH LOGIN", FALSE, "AUTH LOGIN", login_user_reply);
    }
  else
    {
      fail (self,
            g_error_new (TERN_SMTP_ERROR, TERN_SMTP_ERROR_NOT_SUPPORTED,
                         "The SMTP server %s offers no authentication Tern supports "
                         "(PLAIN or LOGIN)%s", self->host,
                         self->encrypted ? "" : " on an unencrypted connection"),
            FALSE);
    }
}

gboolean
tern_smtp_client_authenticate_finish (TernSmtpClient  *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                          == tern_smtp_client_authenticate_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
tern_smtp_client_send_async (TernSmtpClient      *self,
                             const char          *from,
                             const char * const  *recipients,
                             GInputStream        *message,
                             gssize               size_hint,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  gboolean non_ascii = FALSE;
  SendData *data;

  g_return_if_fail (TERN_SMTP_IS_CLIENT (self));
  g_return_if_fail (from != NULL);
  g_return_if_fail (recipients != NULL);
  g_return_if_fail (G_IS_INPUT_STREAM (message));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_smtp_client_send_async);
  g_task_set_name (task, "[tern-smtp] send");

  if (recipients[0] == NULL)
    {
      g_task_return_new_error (task, TERN_SMTP_ERROR, TERN_SMTP_ERROR_INVALID_ADDRESS,
                               "A message needs at least one recipient");
      return;
    }
  if (!check_address (from, TRUE, &non_ascii, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; recipients[i] != NULL; i++)
    if (!check_address (recipients[i], FALSE, &non_ascii, &error))
      {
        g_task_return_error (task, error);
        return;
      }

  data = g_new0 (SendData, 1);
  data->from = g_strdup (from);
  data->recipients = g_strdupv ((char **) recipients);
  data->message = g_object_ref (message);
  data->size_hint = size_hint;
  data->smtputf8 = non_ascii;
  data->result = tern_smtp_send_result_new ();
  g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);

  if (!begin_op (self, task, cancellable, TRUE))
    return;

  if (non_ascii && !tern_smtp_client_has_smtputf8 (self))
    {
      fail (self,
            g_error_new (TERN_SMTP_ERROR, TERN_SMTP_ERROR_NOT_SUPPORTED,
                         "An address is not ASCII and the SMTP server %s does not offer "
                         "SMTPUTF8", self->host),
            FALSE);
      return;
    }

  if (G_IS_SEEKABLE (message) && g_seekable_can_seek (G_SEEKABLE (message)))
    {
      data->start_offset = g_seekable_tell (G_SEEKABLE (message));
      data->in_chunk = g_malloc (DATA_CHUNK_SIZE);
      data->out_chunk = g_malloc (TERN_SMTP_DATA_ENCODED_MAX (DATA_CHUNK_SIZE));
      g_input_stream_read_async (message, data->in_chunk, DATA_CHUNK_SIZE, G_PRIORITY_DEFAULT,
                                 self->op_cancellable, scan_read_cb, self);
      return;
    }
  start_transaction (self);
}

TernSmtpSendResult *
tern_smtp_client_send_finish (TernSmtpClient  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tern_smtp_client_send_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
tern_smtp_client_reset_async (TernSmtpClient      *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TERN_SMTP_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_smtp_client_reset_async);
  g_task_set_name (task, "[tern-smtp] RSET");

  if (!begin_op (self, task, cancellable, TRUE))
    return;
  send_command (self, "RSET", FALSE, "RSET", rset_reply);
}

gboolean
tern_smtp_client_reset_finish (TernSmtpClient  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tern_smtp_client_reset_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
tern_smtp_client_quit_async (TernSmtpClient      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TERN_SMTP_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_smtp_client_quit_async);
  g_task_set_name (task, "[tern-smtp] QUIT");

  if (self->stream == NULL && self->op == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (!begin_op (self, task, cancellable, TRUE))
    return;
  send_command (self, "QUIT", FALSE, "QUIT", quit_reply);
}

gboolean
tern_smtp_client_quit_finish (TernSmtpClient  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tern_smtp_client_quit_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
tern_smtp_client_close (TernSmtpClient *self)
{
  g_return_if_fail (TERN_SMTP_IS_CLIENT (self));

  if (self->op != NULL)
    g_cancellable_cancel (self->op_cancellable); /* its failure drops the connection */
  else
    drop_connection (self);
}

gboolean
tern_smtp_client_is_connected (TernSmtpClient *self)
{
  g_return_val_if_fail (TERN_SMTP_IS_CLIENT (self), FALSE);
  return self->stream != NULL;
}

gboolean
tern_smtp_client_is_encrypted (TernSmtpClient *self)
{
  g_return_val_if_fail (TERN_SMTP_IS_CLIENT (self), FALSE);
  return self->stream != NULL && self->encrypted;
}

gboolean
tern_smtp_client_is_authenticated (TernSmtpClient *self)
{
  g_return_val_if_fail (TERN_SMTP_IS_CLIENT (self), FALSE);
  return self->authenticated;
}

guint64
tern_smtp_client_get_size_limit (TernSmtpClient *self)
{
  g_return_val_if_fail (TERN_SMTP_IS_CLIENT (self), 0);
  return self->size_limit;
}

const char * const *
tern_smtp_client_get_auth_mechanisms (TernSmtpClient *self)
{
  g_return_val_if_fail (TERN_SMTP_IS_CLIENT (self), NULL);
  return (const char * const *) self->auth_mechs->pdata;
}

gboolean
tern_smtp_client_has_capability (TernSmtpClient *self,
                                 const char     *keyword)
{
  g_return_val_if_fail (TERN_SMTP_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (keyword != NULL, FALSE);

  for (guint i = 0; i < self->keywords->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (self->keywords, i), keyword) == 0)
      return TRUE;
  return FALSE;
}

gboolean
tern_smtp_client_has_8bitmime (TernSmtpClient *self)
{
  return tern_smtp_client_has_capability (self, "8BITMIME");
}

gboolean
tern_smtp_client_has_smtputf8 (TernSmtpClient *self)
{
  return tern_smtp_client_has_capability (self, "SMTPUTF8");
}

gboolean
tern_smtp_client_has_pipelining (TernSmtpClient *self)
{
  return tern_smtp_client_has_capability (self, "PIPELINING");
}

gboolean
tern_smtp_client_has_starttls (TernSmtpClient *self)
{
  return tern_smtp_client_has_capability (self, "STARTTLS");
}
