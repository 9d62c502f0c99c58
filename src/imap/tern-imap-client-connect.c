/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-imap"

#include "tern-imap-client-private.h"
#include "tern-net-error.h"

/* Connecting TernImapClient: TCP/TLS through the net layer, greeting,
 * CAPABILITY, STARTTLS (never continuing in plaintext when it fails),
 * CAPABILITY again; and the network monitor. */

/* ------------------------------------------------------------------------
 * Connect
 * ------------------------------------------------------------------------ */

static void
connect_fail (TernImapClient *self,
              GError         *error)
{
  g_autoptr(GError) owned = error;

  if (self->connect_task == NULL)
    return;
  /* tern_imap_client_fail returns the connect task with the error. */
  tern_imap_client_fail (self, owned);
}

static void
connect_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

void
tern_imap_client_connect_disconnect_cancellable (TernImapClient *self)
{
  if (self->connect_cancellable != NULL)
    {
      g_cancellable_disconnect (self->connect_cancellable, self->connect_cancel_id);
      self->connect_cancel_id = 0;
      g_clear_object (&self->connect_cancellable);
    }
}

static void
connect_succeed (TernImapClient *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

  tern_imap_client_connect_disconnect_cancellable (self);

  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}

static void connect_capability_cb (GObject      *source,
                                   GAsyncResult *result,
                                   gpointer      user_data);

static void
starttls_handshake_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(TernImapClient) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) tls = tern_net_start_tls_finish (result, &error);

  if (self->connect_task == NULL)
    return;
  if (tls == NULL)
    {
      connect_fail (self, g_steal_pointer (&error));
      return;
    }
  g_debug ("STARTTLS: TLS established with %s", self->host);
  g_clear_object (&self->stream);
  self->stream = g_steal_pointer (&tls);
  self->input = g_io_stream_get_input_stream (self->stream);
  self->output = g_io_stream_get_output_stream (self->stream);
  self->pause_reading = FALSE;
  /* Capabilities from before TLS must not be trusted. */
  g_clear_pointer (&self->capabilities, g_strfreev);
  tern_imap_client_start_read (self);
  tern_imap_client_capability_async (self, g_task_get_cancellable (self->connect_task),
                                     connect_capability_cb, g_object_ref (self));
}

static void
starttls_done (TernImapClient   *self,
               TernImapCommand  *cmd,
               TernImapResponse *tagged,
               const GError     *error)
{
  if (error != NULL)
    return;
  /* Nothing may follow the tagged OK in plaintext (CVE-2011-0411 style
   * injection): stop reading; the handshake takes over. */
  self->pause_reading = TRUE;
}

static void
starttls_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TernImapClient) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_NO) ||
          g_error_matches (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_BAD))
        {
          g_autoptr(GError) refused =
            g_error_new (TERN_NET_ERROR, TERN_NET_ERROR_PLAIN_NOT_ALLOWED,
                         "%s refused STARTTLS (%s); not continuing in plaintext", self->host,
                         error->message);
          connect_fail (self, g_steal_pointer (&refused));
        }
      else
        connect_fail (self, g_steal_pointer (&error));
      return;
    }
  if (self->connect_task == NULL)
    return;
  if (self->parser != NULL &&
      (tern_imap_parser_get_n_pending (self->parser) > 0 ||
       tern_imap_parser_is_mid_response (self->parser)))
    {
      connect_fail (self, g_error_new (TERN_IMAP_ERROR, TERN_IMAP_ERROR_PARSE,
                                       "%s sent plaintext after accepting STARTTLS", self->host));
      return;
    }
  tern_net_start_tls_async (self->stream, self->host, self->pinned_sha256,
                            g_task_get_cancellable (self->connect_task), starttls_handshake_cb,
                            g_object_ref (self));
}

static void
connect_after_capability (TernImapClient *self)
{
  if (self->security == TERN_NET_SECURITY_STARTTLS && !G_IS_TLS_CONNECTION (self->stream))
    {
      g_autoptr(GTask) task = NULL;
      g_autoptr(TernImapCommand) cmd = NULL;

      if (self->state == TERN_IMAP_CLIENT_STATE_AUTHENTICATED)
        {
          connect_fail (self, g_error_new (TERN_NET_ERROR, TERN_NET_ERROR_PLAIN_NOT_ALLOWED,
                                           "%s pre-authenticated the plaintext connection; "
                                           "STARTTLS is impossible", self->host));
          return;
        }
      if (!tern_imap_client_has_capability (self, "STARTTLS"))
        {
          connect_fail (self, g_error_new (TERN_NET_ERROR, TERN_NET_ERROR_PLAIN_NOT_ALLOWED,
                                           "%s does not offer STARTTLS; not continuing in "
                                           "plaintext", self->host));
          return;
        }
      task = g_task_new (self, g_task_get_cancellable (self->connect_task), starttls_cb,
                         g_object_ref (self));
      g_task_set_name (task, "[tern-imap] STARTTLS");
      cmd = tern_imap_command_new (self, "STARTTLS", task);
      tern_imap_command_add (cmd, "STARTTLS");
      cmd->done = starttls_done;
      tern_imap_client_submit (self, cmd);
      return;
    }
  connect_succeed (self);
}

static void
connect_capability_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(TernImapClient) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) caps = tern_imap_client_capability_finish (self, result, &error);

  if (caps == NULL)
    {
      connect_fail (self, g_steal_pointer (&error));
      return;
    }
  if (self->connect_task == NULL)
    return;
  connect_after_capability (self);
}

void
tern_imap_client_connect_greeted (TernImapClient *self,
                 gboolean        preauth)
{
  if (self->connect_task == NULL)
    return;
  tern_imap_client_set_state (self, preauth ? TERN_IMAP_CLIENT_STATE_AUTHENTICATED
                                            : TERN_IMAP_CLIENT_STATE_NOT_AUTHENTICATED);
  /* The state is set before the connect task ends so that internal commands
   * can run; the caller sees it only after connect_finish. */
  if (self->capabilities != NULL)
    {
      connect_after_capability (self);
      return;
    }
  tern_imap_client_capability_async (self, g_task_get_cancellable (self->connect_task),
                                     connect_capability_cb, g_object_ref (self));
}

static void
net_connect_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(TernImapClient) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) stream = tern_net_connect_finish (result, &error);

  if (self->connect_task == NULL)
    return;
  if (stream == NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

      tern_imap_client_connect_disconnect_cancellable (self);
      tern_imap_client_set_state (self, TERN_IMAP_CLIENT_STATE_DISCONNECTED);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_debug ("connected to %s:%u (%s)", self->host, self->port,
           G_IS_TLS_CONNECTION (stream) ? "TLS" : "plain");
  self->stream = g_steal_pointer (&stream);
  self->input = g_io_stream_get_input_stream (self->stream);
  self->output = g_io_stream_get_output_stream (self->stream);
  self->parser = tern_imap_parser_new (NULL);
  self->awaiting_greeting = TRUE;
  self->last_activity = g_get_monotonic_time ();
  tern_imap_client_update_timeout (self);
  tern_imap_client_start_read (self);
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  TernImapClient *self = user_data;
  g_autoptr(GError) error = NULL;

  if (available || self->stream == NULL || tern_net_host_is_loopback (self->host))
    return;
  error = g_error_new (TERN_IMAP_ERROR, TERN_IMAP_ERROR_TRANSIENT,
                       "The network went away (connection to %s)", self->host);
  tern_imap_client_fail (self, error);
}

void
tern_imap_client_connect_async (TernImapClient      *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TERN_IMAP_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_imap_client_connect_async);
  g_task_set_name (task, "[tern-imap] connect");

  if (self->stream != NULL || self->connect_task != NULL)
    {
      g_task_return_new_error (task, TERN_IMAP_ERROR, TERN_IMAP_ERROR_STATE,
                               "IMAP client for %s is already connected", self->host);
      return;
    }
  if (self->security == TERN_NET_SECURITY_PLAIN && !tern_net_host_is_loopback (self->host))
    {
      g_task_return_new_error (task, TERN_NET_ERROR, TERN_NET_ERROR_PLAIN_NOT_ALLOWED,
                               "Refusing an unencrypted IMAP connection to %s (not loopback)",
                               self->host);
      return;
    }
  if (!tern_net_host_is_loopback (self->host))
    {
      if (self->monitor == NULL)
        {
          self->monitor = g_object_ref (g_network_monitor_get_default ());
          self->monitor_id = g_signal_connect (self->monitor, "network-changed",
                                               G_CALLBACK (network_changed_cb), self);
        }
      if (!g_network_monitor_get_network_available (self->monitor))
        {
          g_task_return_new_error (task, TERN_IMAP_ERROR, TERN_IMAP_ERROR_TRANSIENT,
                                   "No network to reach %s", self->host);
          return;
        }
    }

  if (g_cancellable_is_cancelled (self->cancellable))
    {
      g_clear_object (&self->cancellable);
      self->cancellable = g_cancellable_new ();
    }
  self->connect_task = g_steal_pointer (&task);
  g_clear_pointer (&self->bye_text, g_free);
  tern_imap_client_set_state (self, TERN_IMAP_CLIENT_STATE_CONNECTING);
  tern_net_connect_async (self->host, self->port, self->security, self->pinned_sha256,
                          self->connect_timeout, self->cancellable, net_connect_cb,
                          g_object_ref (self));
  if (cancellable != NULL)
    {
      self->connect_cancellable = g_object_ref (cancellable);
      self->connect_cancel_id = g_cancellable_connect (cancellable,
                                                       G_CALLBACK (connect_cancelled_cb),
                                                       g_object_ref (self->cancellable),
                                                       g_object_unref);
    }
}

gboolean
tern_imap_client_connect_finish (TernImapClient  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
