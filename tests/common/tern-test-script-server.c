/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-test"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "tern-test-script-server.h"

#define IO_TIMEOUT_SECONDS     30
#define FINISH_TIMEOUT_SECONDS 60
#define MAX_LINE               (1024 * 1024)

struct _TernTestScriptServer
{
  char            **steps;
  GSocketListener  *listener;
  guint16           port;
  GCancellable     *cancellable;
  GThread          *thread;

  /* Written by the server thread, read under @lock. */
  GMutex            lock;
  GCond             cond;
  gboolean          done;
  gboolean          stopping;
  GError           *error;
  GPtrArray        *received;

  /* Only used by the server thread. */
  GIOStream        *stream;
  GSocketConnection *connection;
  GByteArray       *pending;
  gboolean          slow;
};

static gboolean
write_bytes (TernTestScriptServer  *self,
             const char            *data,
             gsize                  len,
             GError               **error)
{
  GOutputStream *out = g_io_stream_get_output_stream (self->stream);

  if (!self->slow)
    return g_output_stream_write_all (out, data, len, NULL, self->cancellable, error)
           && g_output_stream_flush (out, self->cancellable, error);

  for (gsize i = 0; i < len; i++)
    {
      if (!g_output_stream_write_all (out, data + i, 1, NULL, self->cancellable, error)
          || !g_output_stream_flush (out, self->cancellable, error))
        return FALSE;
      g_usleep (1000);
    }
  return TRUE;
}

/* Reads one line (without its CRLF/LF). Returns NULL at end of stream with
 * no error, or NULL with @error on failure. */
static char *
read_line (TernTestScriptServer  *self,
           GError               **error)
{
  GInputStream *in = g_io_stream_get_input_stream (self->stream);

  for (;;)
    {
      guint8 *nl = self->pending->len > 0 ? memchr (self->pending->data, '\n', self->pending->len)
                                          : NULL;
      guint8 buffer[4096];
      gssize n;

      if (nl != NULL)
        {
          gsize len = nl - self->pending->data;
          char *line = g_strndup ((const char *) self->pending->data, len);

          g_byte_array_remove_range (self->pending, 0, len + 1);
          if (len > 0 && line[len - 1] == '\r')
            line[len - 1] = '\0';
          g_mutex_lock (&self->lock);
          g_ptr_array_add (self->received, g_strdup (line));
          g_mutex_unlock (&self->lock);
          return line;
        }
      if (self->pending->len > MAX_LINE)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                       "client line longer than %d bytes", MAX_LINE);
          return NULL;
        }
      n = g_input_stream_read (in, buffer, sizeof buffer, self->cancellable, error);
      if (n < 0)
        return NULL;
      if (n == 0)
        return NULL;
      g_byte_array_append (self->pending, buffer, n);
    }
}

static gboolean
start_tls (TernTestScriptServer  *self,
           GError               **error)
{
  const char *data_dir = g_getenv ("TERN_TEST_DATA");
  g_autofree char *path = NULL;
  g_autoptr(GTlsCertificate) cert = NULL;
  GIOStream *tls;

  if (data_dir == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "TLS step: TERN_TEST_DATA is not set");
      return FALSE;
    }
  path = g_build_filename (data_dir, "net", "server.pem", NULL);
  cert = g_tls_certificate_new_from_file (path, error);
  if (cert == NULL)
    return FALSE;
  tls = g_tls_server_connection_new (self->stream, cert, error);
  if (tls == NULL)
    return FALSE;
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), self->cancellable, error))
    {
      g_object_unref (tls);
      return FALSE;
    }
  g_object_unref (self->stream);
  self->stream = tls;
  return TRUE;
}

static gboolean
run_step (TernTestScriptServer  *self,
          guint                  lineno,
          const char            *step,
          gboolean              *stop,
          GError               **error)
{
  g_autoptr(GError) local_error = NULL;

  if (g_str_has_prefix (step, "S:") || g_str_has_prefix (step, "S-")
      || g_str_has_prefix (step, "SE "))
    {
      const char *text = step + 2;
      g_autofree char *line = NULL;

      if (*text == ' ')
        text++;
      if (step[1] == ':')
        line = g_strconcat (text, "\r\n", NULL);
      else if (step[1] == 'E')
        line = g_strcompress (text);
      else
        line = g_strdup (text);
      if (!write_bytes (self, line, strlen (line), &local_error))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "script line %u (%s): client went away: %s", lineno, step,
                       local_error->message);
          return FALSE;
        }
      return TRUE;
    }

  if (g_str_has_prefix (step, "C:") || g_str_has_prefix (step, "C=")
      || g_str_has_prefix (step, "C*"))
    {
      const char *expected = step + 2;
      char kind = step[1];

      if (*expected == ' ')
        expected++;
      for (;;)
        {
          g_autofree char *line = read_line (self, &local_error);

          if (line == NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "script line %u (%s): client %s", lineno, step,
                           local_error != NULL ? local_error->message : "closed the connection");
              return FALSE;
            }
          if (kind == ':' && g_str_has_prefix (line, expected))
            return TRUE;
          if (kind != ':' && g_str_equal (line, expected))
            return TRUE;
          if (kind != '*')
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "script line %u (%s): client sent \"%s\"", lineno, step, line);
              return FALSE;
            }
        }
    }

  if (g_str_equal (step, "SLOW"))
    {
      self->slow = TRUE;
      return TRUE;
    }
  if (g_str_equal (step, "FAST"))
    {
      self->slow = FALSE;
      return TRUE;
    }
  if (g_str_has_prefix (step, "WAIT "))
    {
      gint64 end = g_get_monotonic_time ()
                   + g_ascii_strtoll (step + 5, NULL, 10) * G_TIME_SPAN_MILLISECOND;

      /* Interrupted when the server is freed. */
      g_mutex_lock (&self->lock);
      while (!self->stopping && g_get_monotonic_time () < end)
        g_cond_wait_until (&self->cond, &self->lock, end);
      g_mutex_unlock (&self->lock);
      return TRUE;
    }
  if (g_str_equal (step, "DROP"))
    {
      *stop = TRUE;
      return TRUE;
    }
  if (g_str_has_prefix (step, "RAW "))
    {
      guint64 remaining = g_ascii_strtoull (step + 4, NULL, 10);
      char chunk[8192];

      memset (chunk, 'x', sizeof chunk);
      while (remaining > 0)
        {
          gsize n = MIN (remaining, sizeof chunk);

          if (!write_bytes (self, chunk, n, &local_error))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "script line %u (%s): client went away: %s", lineno, step,
                           local_error->message);
              return FALSE;
            }
          remaining -= n;
        }
      return TRUE;
    }
  if (g_str_equal (step, "TLS"))
    {
      if (!start_tls (self, &local_error))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "script line %u (TLS): handshake failed: %s", lineno,
                       local_error->message);
          return FALSE;
        }
      return TRUE;
    }
  if (g_str_equal (step, "EOF"))
    {
      g_autofree char *line = read_line (self, &local_error);

      if (line != NULL || local_error != NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "script line %u (EOF): client %s%s%s", lineno,
                       line != NULL ? "sent \"" : "failed: ",
                       line != NULL ? line : local_error->message, line != NULL ? "\"" : "");
          return FALSE;
        }
      *stop = TRUE;
      return TRUE;
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "script line %u: unknown step \"%s\"", lineno, step);
  return FALSE;
}

static gpointer
server_thread (gpointer user_data)
{
  TernTestScriptServer *self = user_data;
  g_autoptr(GError) error = NULL;
  GSocket *socket;

  self->connection = g_socket_listener_accept (self->listener, NULL, self->cancellable, &error);
  if (self->connection != NULL)
    {
      socket = g_socket_connection_get_socket (self->connection);
      g_socket_set_timeout (socket, IO_TIMEOUT_SECONDS);
      g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
      self->stream = g_object_ref (G_IO_STREAM (self->connection));

      for (guint i = 0; self->steps[i] != NULL; i++)
        {
          const char *step = self->steps[i];
          gboolean stop = FALSE;

          if (*step == '\0' || *step == '#')
            continue;
          if (!run_step (self, i + 1, step, &stop, &error) || stop)
            break;
        }

      g_io_stream_close (self->stream, NULL, NULL);
      if (self->stream != G_IO_STREAM (self->connection))
        g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
    }
  else
    {
      g_prefix_error (&error, "no client connected: ");
    }

  g_mutex_lock (&self->lock);
  self->error = g_steal_pointer (&error);
  self->done = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  return NULL;
}

/**
 * tern_test_script_server_new:
 * @script: the steps, one per line (see the header); blank lines and lines
 *   starting with '#' are ignored
 *
 * Extensions beyond the basic steps:
 *   C= text   read one line, it must equal text exactly
 *   C* text   read lines until one equals text exactly (e.g. the "." of DATA)
 *   SE text   send text with C escapes decoded (\r, \n, \\, \ooo), no CRLF added:
 *             several lines in one write
 *   TLS       server-side TLS handshake with tests/data/net/server.pem
 *             (its fingerprint is tests/data/net/server.sha256)
 *   EOF       expect the client to close the connection (no more lines)
 */
TernTestScriptServer *
tern_test_script_server_new (const char *script)
{
  TernTestScriptServer *self = g_new0 (TernTestScriptServer, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  self->steps = g_strsplit (script, "\n", -1);
  for (guint i = 0; self->steps[i] != NULL; i++)
    g_strchug (self->steps[i]);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->received = g_ptr_array_new_with_free_func (g_free);
  self->pending = g_byte_array_new ();
  self->cancellable = g_cancellable_new ();
  self->listener = g_socket_listener_new ();
  if (!g_socket_listener_add_address (self->listener, address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error))
    g_error ("script server: cannot listen on 127.0.0.1: %s", error->message);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  self->thread = g_thread_new ("tern-script-server", server_thread, self);

  return self;
}

guint16
tern_test_script_server_port (TernTestScriptServer *self)
{
  return self->port;
}

gboolean
tern_test_script_server_finish (TernTestScriptServer  *self,
                                GError               **error)
{
  gint64 deadline = g_get_monotonic_time () + FINISH_TIMEOUT_SECONDS * G_TIME_SPAN_SECOND;
  gboolean ok;

  g_mutex_lock (&self->lock);
  while (!self->done)
    if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
      {
        g_cancellable_cancel (self->cancellable);
        deadline = g_get_monotonic_time () + FINISH_TIMEOUT_SECONDS * G_TIME_SPAN_SECOND;
      }
  ok = self->error == NULL;
  if (!ok)
    g_propagate_error (error, g_error_copy (self->error));
  g_mutex_unlock (&self->lock);

  return ok;
}

/* Every line the client sent so far, without line ends (NULL-terminated,
 * free with g_strfreev). */
char **
tern_test_script_server_dup_received (TernTestScriptServer *self)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **lines;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->received->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->received, i));
  g_mutex_unlock (&self->lock);
  lines = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return lines;
}

void
tern_test_script_server_free (TernTestScriptServer *self)
{
  if (self == NULL)
    return;

  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  g_cancellable_cancel (self->cancellable);
  g_thread_join (self->thread);
  g_socket_listener_close (self->listener);
  g_clear_object (&self->listener);
  g_clear_object (&self->stream);
  g_clear_object (&self->connection);
  g_clear_object (&self->cancellable);
  g_clear_error (&self->error);
  g_ptr_array_unref (self->received);
  g_byte_array_unref (self->pending);
  g_strfreev (self->steps);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}

static guint
count_pool_workers (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", name, "comm", NULL);
      g_autofree char *comm = NULL;

      if (g_file_get_contents (path, &comm, NULL, NULL) && g_str_has_prefix (comm, "pool")
          && !g_str_has_prefix (comm, "pool-spawner"))
        n++;
    }
  return n;
}

void
tern_test_stop_idle_threads (void)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;

  /* A worker waits ~0.5 s for more work of its pool before it becomes
   * unused; with no unused threads allowed it then exits. */
  g_thread_pool_set_max_unused_threads (0);
  while (count_pool_workers () > 0 && g_get_monotonic_time () < deadline)
    {
      g_thread_pool_stop_unused_threads ();
      g_usleep (50 * 1000);
    }
}
