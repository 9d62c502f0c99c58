/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-net"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "tern-net-connection.h"
#include "tern-net-error.h"

#define DEFAULT_TIMEOUT_SECONDS 30

/* Certificate checks.
 *
 * Without a pin, GIO checks the certificate against the system's
 * certificate authorities (or tern_net_set_trust_database()'s) and the
 * host name; a certificate that fails is refused.
 *
 * With a pin, the connection is made without a database: glib-networking
 * would otherwise load the whole system store for every connection (about
 * 100 M instructions, 20-30 ms), only for the pin to decide. The
 * certificate whose fingerprint is the pinned one is accepted (as it
 * always was, whatever the CAs say); any other one is then checked against
 * the same database and host name as without a pin, and accepted only
 * when that check passes (the decision a connection with the database
 * made): exactly as strict, the store loaded only in that rare case. */
static GTlsDatabase *trust_database; /* NULL: the system's */

void
tern_net_set_trust_database (GTlsDatabase *database)
{
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  g_set_object (&trust_database, database);
}

/* State shared by a connect (TCP + optional TLS) and a STARTTLS upgrade. */
typedef struct
{
  char                *host;
  guint16              port;
  TernNetSecurity      security;
  char                *pinned;        /* normalised, or NULL */
  guint                timeout_seconds;
  GCancellable        *outer;         /* the caller's, may be NULL */
  GCancellable        *inner;         /* cancelled by the caller's or by the deadline */
  gulong               outer_handler;
  GSource             *deadline;
  gboolean             timed_out;
  GTlsConnection      *tls;
  GSocketConnectable  *identity;
  char                *seen_fingerprint;
  GTlsCertificateFlags seen_flags;
} ConnectData;

static void
connect_data_free (ConnectData *data)
{
  if (data->outer != NULL && data->outer_handler != 0)
    g_cancellable_disconnect (data->outer, data->outer_handler);
  if (data->deadline != NULL)
    {
      g_source_destroy (data->deadline);
      g_source_unref (data->deadline);
    }
  g_clear_object (&data->outer);
  g_clear_object (&data->inner);
  g_clear_object (&data->tls);
  g_clear_object (&data->identity);
  g_free (data->host);
  g_free (data->pinned);
  g_free (data->seen_fingerprint);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConnectData, connect_data_free)

static void
outer_cancelled_cb (GCancellable *outer,
                    gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static gboolean
deadline_cb (gpointer user_data)
{
  ConnectData *data = user_data;

  data->timed_out = TRUE;
  g_cancellable_cancel (data->inner);
  return G_SOURCE_REMOVE;
}

static ConnectData *
connect_data_new (const char   *host,
                  guint16       port,
                  const char   *pinned_sha256,
                  guint         timeout_seconds,
                  GCancellable *cancellable)
{
  ConnectData *data = g_new0 (ConnectData, 1);

  data->host = g_strdup (host);
  data->port = port;
  data->timeout_seconds = timeout_seconds > 0 ? timeout_seconds : DEFAULT_TIMEOUT_SECONDS;
  if (pinned_sha256 != NULL && *pinned_sha256 != '\0')
    {
      data->pinned = tern_net_normalize_fingerprint (pinned_sha256);
      if (data->pinned == NULL)
        g_debug ("Ignoring a pinned fingerprint that is not 64 hex digits");
    }
  data->inner = g_cancellable_new ();
  if (cancellable != NULL)
    {
      data->outer = g_object_ref (cancellable);
      data->outer_handler = g_cancellable_connect (cancellable, G_CALLBACK (outer_cancelled_cb),
                                                   g_object_ref (data->inner), g_object_unref);
    }
  /* Millisecond precision: a seconds source may fire up to a second early. */
  data->deadline = g_timeout_source_new (data->timeout_seconds * 1000);
  g_source_set_callback (data->deadline, deadline_cb, data, NULL);
  g_source_set_static_name (data->deadline, "[tern-net] deadline");
  g_source_attach (data->deadline, g_main_context_get_thread_default ());

  return data;
}

/* Turns a failure into what the caller should see: the deadline becomes
 * TERN_NET_ERROR_TIMEOUT, a refused certificate carries its fingerprint. */
static GError *
translate_error (ConnectData *data,
                 GError      *error)
{
  if (data->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      && (data->outer == NULL || !g_cancellable_is_cancelled (data->outer)))
    {
      GError *timeout = g_error_new (TERN_NET_ERROR, TERN_NET_ERROR_TIMEOUT,
                                     "Connecting to %s:%u timed out after %u s",
                                     data->host, data->port, data->timeout_seconds);
      g_error_free (error);
      return timeout;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      GError *timeout = g_error_new (TERN_NET_ERROR, TERN_NET_ERROR_TIMEOUT,
                                     "Connecting to %s:%u timed out: %s",
                                     data->host, data->port, error->message);
      g_error_free (error);
      return timeout;
    }
  if (data->seen_fingerprint != NULL && error->domain == G_TLS_ERROR)
    {
      GError *cert_error = NULL;

      tern_net_set_certificate_error (&cert_error, data->host, data->seen_fingerprint,
                                      data->seen_flags);
      g_debug ("TLS handshake refused: %s", error->message);
      g_error_free (error);
      return cert_error;
    }
  return error;
}

static gboolean
accept_certificate_cb (GTlsConnection      *conn,
                       GTlsCertificate     *peer_cert,
                       GTlsCertificateFlags errors,
                       gpointer             user_data)
{
  ConnectData *data = user_data;
  g_autofree char *fingerprint = tern_net_certificate_fingerprint (peer_cert);

  if (fingerprint != NULL && data->pinned != NULL && g_str_equal (fingerprint, data->pinned))
    {
      g_debug ("Accepting the pinned certificate of %s (flags 0x%x)", data->host, errors);
      return TRUE;
    }
  if (data->pinned != NULL)
    {
      /* Not the pinned one, and checked without a database so far: the
       * check a connection without a pin makes decides. */
      g_autoptr(GTlsDatabase) database =
        trust_database != NULL ? g_object_ref (trust_database)
                               : g_tls_backend_get_default_database (g_tls_backend_get_default ());
      g_autoptr(GError) error = NULL;

      errors = G_TLS_CERTIFICATE_UNKNOWN_CA;
      if (database != NULL)
        errors = g_tls_database_verify_chain (database, peer_cert,
                                              G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                              data->identity, NULL, G_TLS_DATABASE_VERIFY_NONE,
                                              NULL, &error);
      if (error != NULL)
        {
          g_debug ("Checking the certificate of %s: %s", data->host, error->message);
          errors |= G_TLS_CERTIFICATE_GENERIC_ERROR;
        }
      if (errors == 0)
        {
          g_debug ("Accepting the certificate of %s: not the pinned one, but trusted", data->host);
          return TRUE;
        }
    }

  g_debug ("Refusing the certificate of %s (flags 0x%x, fingerprint %s)", data->host, errors,
           fingerprint != NULL ? fingerprint : "?");
  g_free (data->seen_fingerprint);
  data->seen_fingerprint = g_steal_pointer (&fingerprint);
  data->seen_flags = errors;
  return FALSE;
}

static void
handshake_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error))
    {
      g_task_return_error (task, translate_error (data, error));
      return;
    }
  g_debug ("TLS established with %s:%u", data->host, data->port);
  g_task_return_pointer (task, g_steal_pointer (&data->tls), g_object_unref);
}

/* Starts the TLS handshake over @base for @task (whose data is a ConnectData). */
static void
start_handshake (GTask     *task,
                 GIOStream *base)
{
  ConnectData *data = g_task_get_task_data (task);
  GIOStream *tls;
  GError *error = NULL;

  data->identity = g_network_address_new (data->host, data->port);
  if (data->pinned != NULL)
    /* the pin decides first (above): no database, none loaded */
    tls = g_initable_new (g_tls_backend_get_client_connection_type (g_tls_backend_get_default ()),
                          NULL, &error, "base-io-stream", base, "server-identity", data->identity,
                          "database", NULL, NULL);
  else if (trust_database != NULL)
    tls = g_initable_new (g_tls_backend_get_client_connection_type (g_tls_backend_get_default ()),
                          NULL, &error, "base-io-stream", base, "server-identity", data->identity,
                          "database", trust_database, NULL);
  else
    tls = g_tls_client_connection_new (base, data->identity, &error);
  if (tls == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data->tls = G_TLS_CONNECTION (tls);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_certificate_cb), data);
  g_tls_connection_handshake_async (data->tls, G_PRIORITY_DEFAULT, data->inner, handshake_cb,
                                    g_object_ref (task));
}

static void
socket_connected_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GSocketConnection) conn = NULL;
  GSocket *socket;
  GError *error = NULL;

  conn = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  if (conn == NULL)
    {
      g_task_return_error (task, translate_error (data, error));
      return;
    }

  /* The client's timeout bounded the connect; protocol stages set their own. */
  socket = g_socket_connection_get_socket (conn);
  g_socket_set_timeout (socket, 0);
  if (g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  g_debug ("Connected to %s:%u", data->host, data->port);

  if (data->security == TERN_NET_SECURITY_TLS)
    start_handshake (task, G_IO_STREAM (conn));
  else
    g_task_return_pointer (task, g_steal_pointer (&conn), g_object_unref);
}

void
tern_net_connect_async (const char          *host,
                        guint16              port,
                        TernNetSecurity      security,
                        const char          *pinned_sha256,
                        guint                timeout_seconds,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSocketClient) client = NULL;
  ConnectData *data;

  g_return_if_fail (host != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_net_connect_async);
  g_task_set_name (task, "[tern-net] connect");

  if (security == TERN_NET_SECURITY_PLAIN && !tern_net_host_is_loopback (host))
    {
      g_task_return_new_error (task, TERN_NET_ERROR, TERN_NET_ERROR_PLAIN_NOT_ALLOWED,
                               "Refusing an unencrypted connection to %s: plaintext is only "
                               "allowed to this computer", host);
      return;
    }

  data = connect_data_new (host, port, pinned_sha256, timeout_seconds, cancellable);
  data->security = security;
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);

  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, data->timeout_seconds);
  g_debug ("Connecting to %s:%u (%s)", host, port,
           security == TERN_NET_SECURITY_TLS        ? "TLS"
           : security == TERN_NET_SECURITY_STARTTLS ? "STARTTLS"
                                                    : "plain");
  g_socket_client_connect_to_host_async (client, host, port, data->inner, socket_connected_cb,
                                         g_object_ref (task));
}

GIOStream *
tern_net_connect_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tern_net_connect_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
tern_net_start_tls_async (GIOStream           *base,
                          const char          *host,
                          const char          *pinned_sha256,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ConnectData *data;
  guint16 port = 0;

  g_return_if_fail (G_IS_IO_STREAM (base));
  g_return_if_fail (host != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_net_start_tls_async);
  g_task_set_name (task, "[tern-net] STARTTLS");

  if (G_IS_SOCKET_CONNECTION (base))
    {
      g_autoptr(GSocketAddress) remote =
        g_socket_connection_get_remote_address (G_SOCKET_CONNECTION (base), NULL);
      if (G_IS_INET_SOCKET_ADDRESS (remote))
        port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote));
    }

  data = connect_data_new (host, port, pinned_sha256, 0, cancellable);
  data->security = TERN_NET_SECURITY_STARTTLS;
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);
  start_handshake (task, base);
}

GIOStream *
tern_net_start_tls_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tern_net_start_tls_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
tern_net_certificate_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
}

char *
tern_net_normalize_fingerprint (const char *fingerprint)
{
  GString *out;

  if (fingerprint == NULL)
    return NULL;

  out = g_string_sized_new (64);
  for (const char *p = fingerprint; *p != '\0'; p++)
    {
      if (*p == ':' || g_ascii_isspace (*p))
        continue;
      if (!g_ascii_isxdigit (*p) || out->len >= 64)
        {
          g_string_free (out, TRUE);
          return NULL;
        }
      g_string_append_c (out, g_ascii_tolower (*p));
    }
  if (out->len != 64)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

gboolean
tern_net_host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *bare = NULL;
  gsize len;

  if (host == NULL || *host == '\0')
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0 || g_ascii_strcasecmp (host, "localhost.") == 0)
    return TRUE;

  len = strlen (host);
  if (host[0] == '[' && len > 2 && host[len - 1] == ']')
    bare = g_strndup (host + 1, len - 2);
  else
    bare = g_strdup (host);

  address = g_inet_address_new_from_string (bare);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

gboolean
tern_net_error_is_transient (const GError *error)
{
  if (error == NULL)
    return FALSE;

  if (error->domain == G_IO_ERROR)
    {
      switch (error->code)
        {
        case G_IO_ERROR_TIMED_OUT:
        case G_IO_ERROR_CONNECTION_REFUSED:
        case G_IO_ERROR_NETWORK_UNREACHABLE:
        case G_IO_ERROR_HOST_UNREACHABLE:
        case G_IO_ERROR_CONNECTION_CLOSED: /* == G_IO_ERROR_BROKEN_PIPE */
        case G_IO_ERROR_NOT_CONNECTED:
          return TRUE;
        default:
          return FALSE;
        }
    }
  if (error->domain == G_RESOLVER_ERROR)
    return error->code == G_RESOLVER_ERROR_TEMPORARY_FAILURE;
  if (error->domain == G_TLS_ERROR)
    return error->code == G_TLS_ERROR_EOF; /* the peer went away mid-TLS */
  if (error->domain == TERN_NET_ERROR)
    return error->code == TERN_NET_ERROR_TIMEOUT;
  return FALSE;
}
