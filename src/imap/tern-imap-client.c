/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-imap"

#include "tern-imap-client-private.h"
#include "tern-net-error.h"

/* The connection, the tagged command queue and the read loop of
 * TernImapClient. The commands are in tern-imap-client-commands.c, IDLE in
 * tern-imap-idle.c.
 *
 * One command runs at a time. Its bytes are split into segments at the
 * synchronising literals; each further segment is sent after the server's
 * "+". Bytes arrive through g_input_stream_read_async() into a 64 KiB buffer
 * and go straight to the push parser; each popped response goes to the
 * running command (untagged data it collects, its tagged completion) and to
 * the client (mailbox state, signals). */

#define READ_BUFFER_SIZE (64 * 1024)
#define MAX_COLLECTED 1000000
#define DEFAULT_CONNECT_TIMEOUT 30
#define DEFAULT_GREETING_TIMEOUT 30
#define DEFAULT_COMMAND_TIMEOUT 60


G_DEFINE_FINAL_TYPE (TernImapClient, tern_imap_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_HOST,
  PROP_PORT,
  PROP_SECURITY,
  PROP_PINNED_SHA256,
  PROP_STATE,
  PROP_CAPABILITIES,
  PROP_SELECTED_MAILBOX,
  PROP_UIDVALIDITY,
  PROP_UIDNEXT,
  PROP_HIGHESTMODSEQ,
  PROP_EXISTS,
  PROP_READ_ONLY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_EXISTS,
  SIGNAL_EXPUNGE,
  SIGNAL_VANISHED,
  SIGNAL_FETCH,
  SIGNAL_FLAGS,
  SIGNAL_ALERT,
  SIGNAL_BYE,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void pump_queue            (TernImapClient *self);


/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

static gboolean
debug_enabled (void)
{
  return !g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN);
}

static const char *
state_to_string (TernImapClientState state)
{
  switch (state)
    {
    case TERN_IMAP_CLIENT_STATE_DISCONNECTED: return "disconnected";
    case TERN_IMAP_CLIENT_STATE_CONNECTING: return "connecting";
    case TERN_IMAP_CLIENT_STATE_NOT_AUTHENTICATED: return "not-authenticated";
    case TERN_IMAP_CLIENT_STATE_AUTHENTICATED: return "authenticated";
    case TERN_IMAP_CLIENT_STATE_SELECTED: return "selected";
    case TERN_IMAP_CLIENT_STATE_IDLE: return "idle";
    default: return "?";
    }
}

void
tern_imap_client_set_state (TernImapClient      *self,
                            TernImapClientState  state)
{
  if (self->state == state)
    return;
  g_debug ("state %s → %s", state_to_string (self->state), state_to_string (state));
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
tern_imap_client_emit_state (TernImapClient *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

gboolean
tern_imap_client_can_use (TernImapClient *self,
                          const char     *capability)
{
  if (g_ascii_strcasecmp (capability, "MOVE") == 0 && (self->quirks & TERN_IMAP_QUIRK_IGNORE_MOVE))
    return FALSE;
  if (g_ascii_strcasecmp (capability, "UIDPLUS") == 0 &&
      (self->quirks & TERN_IMAP_QUIRK_IGNORE_UIDPLUS))
    return FALSE;
  if ((g_ascii_strcasecmp (capability, "LITERAL+") == 0 ||
       g_ascii_strcasecmp (capability, "LITERAL-") == 0) &&
      (self->quirks & TERN_IMAP_QUIRK_IGNORE_LITERAL_PLUS))
    return FALSE;
  if (g_ascii_strcasecmp (capability, "IDLE") == 0 && (self->quirks & TERN_IMAP_QUIRK_IGNORE_IDLE))
    return FALSE;
  if (g_ascii_strcasecmp (capability, "SASL-IR") == 0 &&
      (self->quirks & TERN_IMAP_QUIRK_IGNORE_SASL_IR))
    return FALSE;
  if (g_ascii_strcasecmp (capability, "AUTH=PLAIN") == 0 &&
      (self->quirks & TERN_IMAP_QUIRK_IGNORE_AUTH_PLAIN))
    return FALSE;
  return tern_imap_client_has_capability (self, capability);
}

TernImapClientQuirks
tern_imap_client_get_quirks (TernImapClient *self)
{
  return self->quirks;
}

TernImapIdle *
tern_imap_client_get_idle (TernImapClient *self)
{
  return &self->idle;
}

gboolean
tern_imap_client_is_busy (TernImapClient *self)
{
  return self->stream == NULL || self->running != NULL || !g_queue_is_empty (&self->queue);
}

gboolean
tern_imap_client_queue_is_empty (TernImapClient *self)
{
  return g_queue_is_empty (&self->queue);
}

GMainContext *
tern_imap_client_get_context (TernImapClient *self)
{
  return self->context;
}

void
tern_imap_client_take_capabilities (TernImapClient *self,
                                    char          **caps)
{
  if (caps == NULL)
    return;
  if (self->capabilities != NULL && g_strv_equal ((const char *const *) self->capabilities,
                                                  (const char *const *) caps))
    {
      g_strfreev (caps);
      return;
    }
  g_strfreev (self->capabilities);
  self->capabilities = caps;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPABILITIES]);
}

void
tern_imap_client_add_enabled (TernImapClient *self,
                              char          **enabled)
{
  for (guint i = 0; enabled != NULL && enabled[i] != NULL; i++)
    g_hash_table_add (self->enabled, g_ascii_strup (enabled[i], -1));
}

void
tern_imap_client_set_delimiter (TernImapClient *self,
                                char            delimiter)
{
  if (delimiter != '\0')
    self->delimiter = delimiter;
}

gboolean
tern_imap_client_check_state (TernImapClient      *self,
                              TernImapClientState  at_least,
                              GError             **error)
{
  TernImapClientState state = self->state;

  if (state == TERN_IMAP_CLIENT_STATE_IDLE)
    state = TERN_IMAP_CLIENT_STATE_SELECTED;
  if (self->stream == NULL || state < at_least)
    {
      g_set_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_STATE,
                   "IMAP client for %s is %s; the command needs %s", self->host,
                   state_to_string (self->state), state_to_string (at_least));
      return FALSE;
    }
  return TRUE;
}

static void
notify_if (TernImapClient *self,
           gboolean        changed,
           guint           prop)
{
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
tern_imap_client_reset_mailbox (TernImapClient *self,
                                const char     *mailbox,
                                gboolean        read_only)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->mailbox, mailbox) != 0)
    {
      g_free (self->mailbox);
      self->mailbox = g_strdup (mailbox);
      notify_if (self, TRUE, PROP_SELECTED_MAILBOX);
    }
  notify_if (self, self->uidvalidity != 0, PROP_UIDVALIDITY);
  notify_if (self, self->uidnext != 0, PROP_UIDNEXT);
  notify_if (self, self->exists != 0, PROP_EXISTS);
  notify_if (self, self->highestmodseq != 0, PROP_HIGHESTMODSEQ);
  notify_if (self, self->read_only != read_only, PROP_READ_ONLY);
  self->uidvalidity = 0;
  self->uidnext = 0;
  self->exists = 0;
  self->highestmodseq = 0;
  self->read_only = read_only;
  g_clear_pointer (&self->permanent_flags, g_strfreev);
  g_object_thaw_notify (G_OBJECT (self));
}

void
tern_imap_client_set_mailbox_code (TernImapClient   *self,
                                   TernImapResponse *response)
{
  guint64 n = 0;

  switch (tern_imap_response_get_code (response))
    {
    case TERN_IMAP_CODE_UIDVALIDITY:
      if (tern_imap_response_get_code_number (response, &n) && n != self->uidvalidity)
        {
          self->uidvalidity = (guint32) n;
          notify_if (self, TRUE, PROP_UIDVALIDITY);
        }
      break;
    case TERN_IMAP_CODE_UIDNEXT:
      if (tern_imap_response_get_code_number (response, &n) && n != self->uidnext)
        {
          self->uidnext = (guint32) n;
          notify_if (self, TRUE, PROP_UIDNEXT);
        }
      break;
    case TERN_IMAP_CODE_HIGHESTMODSEQ:
      if (tern_imap_response_get_code_number (response, &n) && n != self->highestmodseq)
        {
          self->highestmodseq = n;
          notify_if (self, TRUE, PROP_HIGHESTMODSEQ);
        }
      break;
    case TERN_IMAP_CODE_NOMODSEQ:
      notify_if (self, self->highestmodseq != 0, PROP_HIGHESTMODSEQ);
      self->highestmodseq = 0;
      break;
    case TERN_IMAP_CODE_PERMANENTFLAGS:
      g_strfreev (self->permanent_flags);
      self->permanent_flags = tern_imap_response_dup_code_flags (response);
      break;
    case TERN_IMAP_CODE_READ_ONLY:
      notify_if (self, !self->read_only, PROP_READ_ONLY);
      self->read_only = TRUE;
      break;
    case TERN_IMAP_CODE_READ_WRITE:
      notify_if (self, self->read_only, PROP_READ_ONLY);
      self->read_only = FALSE;
      break;
    default:
      break;
    }
}

GError *
tern_imap_client_status_error (TernImapClient   *self,
                               TernImapCommand  *cmd,
                               TernImapResponse *tagged)
{
  TernImapStatus status = tern_imap_response_get_status (tagged);
  TernImapCode code = tern_imap_response_get_code (tagged);
  const char *text = tern_imap_response_get_text (tagged);
  const char *code_name = tern_imap_response_get_code_name (tagged);
  g_autofree char *message = NULL;
  int error_code;

  message = g_strdup_printf ("%s %s: %s%s%s%s", cmd->name,
                             status == TERN_IMAP_STATUS_BAD ? "BAD" : "NO",
                             code_name ? "[" : "", code_name ? code_name : "",
                             code_name ? "] " : "", text ? text : "");
  if (status == TERN_IMAP_STATUS_BAD)
    error_code = TERN_IMAP_ERROR_BAD;
  else if (code == TERN_IMAP_CODE_TRYCREATE)
    error_code = TERN_IMAP_ERROR_TRYCREATE;
  else if (code == TERN_IMAP_CODE_UNAVAILABLE || code == TERN_IMAP_CODE_INUSE)
    error_code = TERN_IMAP_ERROR_TRANSIENT;
  else if (code == TERN_IMAP_CODE_AUTHENTICATIONFAILED ||
           code == TERN_IMAP_CODE_AUTHORIZATIONFAILED || code == TERN_IMAP_CODE_EXPIRED ||
           g_str_equal (cmd->name, "LOGIN") || g_str_equal (cmd->name, "AUTHENTICATE"))
    error_code = TERN_IMAP_ERROR_AUTH;
  else
    error_code = TERN_IMAP_ERROR_NO;
  return g_error_new_literal (TERN_IMAP_ERROR, error_code, message);
}

/* A lost connection (reset, broken pipe, TLS EOF, unreachable) is
 * transient; other transport errors pass through. */
static GError *
transport_error (TernImapClient *self,
                 const GError   *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);
  if (tern_net_error_is_transient (error) || g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_EOF) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
    return g_error_new (TERN_IMAP_ERROR, TERN_IMAP_ERROR_TRANSIENT, "Connection to %s lost: %s",
                        self->host, error->message);
  return g_error_copy (error);
}

/* ------------------------------------------------------------------------
 * Writing
 * ------------------------------------------------------------------------ */

static void write_next (TernImapClient *self);

static void
write_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(TernImapClient) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      if (G_OUTPUT_STREAM (source) == self->output)
        {
          g_autoptr(GError) lost = transport_error (self, error);

          g_clear_pointer (&self->writing, g_bytes_unref);
          tern_imap_client_fail (self, lost);
        }
      return;
    }
  if (G_OUTPUT_STREAM (source) != self->output)
    return;
  g_clear_pointer (&self->writing, g_bytes_unref);
  write_next (self);
}

static void
write_next (TernImapClient *self)
{
  gsize len;
  const void *data;

  if (self->writing != NULL || self->output == NULL)
    return;
  self->writing = g_queue_pop_head (&self->write_queue);
  if (self->writing == NULL)
    return;
  data = g_bytes_get_data (self->writing, &len);
  g_output_stream_write_all_async (self->output, data, len, G_PRIORITY_DEFAULT,
                                   self->cancellable, write_cb, g_object_ref (self));
}

static void
send_bytes (TernImapClient *self,
            GBytes         *bytes)
{
  g_queue_push_tail (&self->write_queue, g_bytes_ref (bytes));
  self->last_activity = g_get_monotonic_time ();
  write_next (self);
}

void
tern_imap_client_send_raw (TernImapClient *self,
                           const char     *text,
                           gboolean        sensitive)
{
  g_autoptr(GBytes) bytes = NULL;

  if (self->output == NULL)
    return;
  g_debug ("C: %s", sensitive ? "***" : text);
  bytes = g_bytes_new_take (g_strconcat (text, "\r\n", NULL), strlen (text) + 2);
  send_bytes (self, bytes);
  tern_imap_client_update_timeout (self);
}

static void
send_next_segment (TernImapClient  *self,
                   TernImapCommand *cmd)
{
  GBytes *segment;

  g_assert (cmd->next_segment < cmd->segments->len);
  segment = g_ptr_array_index (cmd->segments, cmd->next_segment);
  cmd->next_segment++;
  send_bytes (self, segment);
}

/* ------------------------------------------------------------------------
 * Completion
 * ------------------------------------------------------------------------ */

static void
command_disconnect_cancellable (TernImapCommand *cmd)
{
  if (cmd->cancelled_id != 0)
    {
      g_cancellable_disconnect (cmd->cancellable, cmd->cancelled_id);
      cmd->cancelled_id = 0;
    }
}

/* Ends @cmd: success with its tagged OK, or @error. Takes no reference. */
static void
command_finish (TernImapClient   *self,
                TernImapCommand  *cmd,
                TernImapResponse *tagged,
                const GError     *error)
{
  g_autoptr(GError) status_error = NULL;

  command_disconnect_cancellable (cmd);
  if (error == NULL && tagged != NULL && tern_imap_response_get_status (tagged) != TERN_IMAP_STATUS_OK)
    error = status_error = tern_imap_client_status_error (self, cmd, tagged);

  if (cmd->cancelled)
    {
      /* The caller was told already; still let the command clean up. */
      g_clear_object (&cmd->task);
    }

  if (error != NULL)
    {
      if (cmd->done != NULL)
        cmd->done (self, cmd, NULL, error);
      if (cmd->task != NULL)
        {
          GTask *task = g_steal_pointer (&cmd->task);
          g_task_return_error (task, g_error_copy (error));
          g_object_unref (task);
        }
      return;
    }

  if (cmd->done != NULL)
    cmd->done (self, cmd, tagged, NULL);
  if (cmd->task != NULL)
    {
      GTask *task = g_steal_pointer (&cmd->task);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
}

static gboolean
command_cancelled_idle (gpointer user_data)
{
  TernImapCommand *cmd = user_data;
  TernImapClient *self;
  GTask *task;
  GList *link;

  if (cmd->task == NULL || cmd->cancelled)
    return G_SOURCE_REMOVE;
  task = cmd->task;
  self = cmd->client;
  command_disconnect_cancellable (cmd);

  link = g_queue_find (&self->queue, cmd);
  if (link != NULL)
    {
      /* Not sent yet: just drop it. */
      g_queue_delete_link (&self->queue, link);
      cmd->cancelled = TRUE;
      command_finish (self, cmd, NULL,
                      &(GError){ G_IO_ERROR, G_IO_ERROR_CANCELLED, (char *) "Operation was cancelled" });
      tern_imap_command_unref (cmd);
      return G_SOURCE_REMOVE;
    }

  /* Running: IMAP cannot take a sent command back. Tell the caller now and
   * ignore what the server still sends for it. */
  g_debug ("%s %s cancelled by the caller; its reply will be ignored", cmd->tag, cmd->name);
  cmd->task = NULL;
  cmd->cancelled = TRUE;
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
command_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  TernImapCommand *cmd = user_data;
  TernImapClient *self = cmd->client;
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, command_cancelled_idle, tern_imap_command_ref (cmd),
                         (GDestroyNotify) tern_imap_command_unref);
  g_source_set_name (source, "[tern-imap] command cancelled");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

/* ------------------------------------------------------------------------
 * Queue
 * ------------------------------------------------------------------------ */

void
tern_imap_client_submit (TernImapClient  *self,
                         TernImapCommand *cmd)
{
  tern_imap_command_seal (cmd);

  if (self->stream == NULL || self->output == NULL)
    {
      g_autoptr(GError) error =
        g_error_new (TERN_IMAP_ERROR, TERN_IMAP_ERROR_STATE,
                     "IMAP client for %s is not connected (%s)", self->host, cmd->name);
      command_finish (self, cmd, NULL, error);
      return;
    }

  if (cmd->cancellable != NULL && cmd->task != NULL)
    {
      cmd->cancelled_id = g_cancellable_connect (cmd->cancellable,
                                                 G_CALLBACK (command_cancelled_cb), cmd, NULL);
      if (g_cancellable_is_cancelled (cmd->cancellable))
        {
          /* command_cancelled_cb ran synchronously and queued an idle; the
           * handler id is 0 then. */
        }
    }

  g_queue_push_tail (&self->queue, tern_imap_command_ref (cmd));
  if (!cmd->internal)
    tern_imap_idle_yield (self);
  pump_queue (self);
}

static void
pump_queue (TernImapClient *self)
{
  TernImapCommand *cmd;

  if (self->running != NULL || self->output == NULL || self->pause_reading ||
      self->awaiting_greeting)
    return;

  if (g_queue_is_empty (&self->queue))
    {
      tern_imap_idle_queue_empty (self);
      if (self->running != NULL || g_queue_is_empty (&self->queue))
        return;
    }

  cmd = g_queue_pop_head (&self->queue);
  self->running = cmd; /* the queue's reference moves here */
  cmd->sent = TRUE;
  if (debug_enabled ())
    g_debug ("C: %s", cmd->log_line->str);
  send_next_segment (self, cmd);
  tern_imap_client_update_timeout (self);
}

static void
running_done (TernImapClient   *self,
              TernImapResponse *tagged)
{
  g_autoptr(TernImapCommand) cmd = g_steal_pointer (&self->running);

  command_finish (self, cmd, tagged, NULL);
  tern_imap_client_update_timeout (self);
  pump_queue (self);
}

/* ------------------------------------------------------------------------
 * Timeouts
 * ------------------------------------------------------------------------ */

static guint
needed_timeout (TernImapClient *self)
{
  if (self->stream == NULL)
    return 0;
  if (self->awaiting_greeting)
    return self->greeting_timeout;
  if (self->running != NULL && !self->running->no_timeout)
    return self->command_timeout;
  return 0;
}

static gboolean timeout_cb (gpointer user_data);

static void
arm_timeout (TernImapClient *self,
             guint           ms)
{
  g_clear_pointer (&self->timeout_source, g_source_destroy);
  self->timeout_source = g_timeout_source_new (ms);
  g_source_set_callback (self->timeout_source, timeout_cb, self, NULL);
  g_source_set_name (self->timeout_source, "[tern-imap] timeout");
  g_source_attach (self->timeout_source, self->context);
  g_source_unref (self->timeout_source);
}

static gboolean
timeout_cb (gpointer user_data)
{
  TernImapClient *self = user_data;
  guint needed = needed_timeout (self);
  gint64 elapsed_ms = (g_get_monotonic_time () - self->last_activity) / 1000;
  g_autoptr(GError) error = NULL;

  self->timeout_source = NULL;
  if (needed == 0)
    return G_SOURCE_REMOVE;
  if (self->writing != NULL)
    {
      /* A large literal is still going out (a slow uplink): the reply
       * cannot come before it is sent. */
      self->last_activity = g_get_monotonic_time ();
      elapsed_ms = 0;
    }
  if (elapsed_ms < (gint64) needed * 1000)
    {
      arm_timeout (self, (guint) ((gint64) needed * 1000 - elapsed_ms) + 1);
      return G_SOURCE_REMOVE;
    }
  if (self->awaiting_greeting)
    error = g_error_new (TERN_IMAP_ERROR, TERN_IMAP_ERROR_TIMEOUT,
                         "No greeting from %s:%u within %u s", self->host, self->port, needed);
  else
    error = g_error_new (TERN_IMAP_ERROR, TERN_IMAP_ERROR_TIMEOUT,
                         "No reply from %s to %s within %u s", self->host,
                         self->running ? self->running->name : "the command", needed);
  g_object_ref (self);
  tern_imap_client_fail (self, error);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

void
tern_imap_client_update_timeout (TernImapClient *self)
{
  guint needed = needed_timeout (self);

  if (needed == 0)
    {
      g_clear_pointer (&self->timeout_source, g_source_destroy);
      return;
    }
  if (self->timeout_source == NULL)
    arm_timeout (self, needed * 1000);
}

/* ------------------------------------------------------------------------
 * Dispatch
 * ------------------------------------------------------------------------ */

static void
handle_greeting (TernImapClient   *self,
                 TernImapResponse *response)
{
  TernImapStatus status = tern_imap_response_get_status (response);
  g_autoptr(GError) error = NULL;

  self->awaiting_greeting = FALSE;
  if (tern_imap_response_get_kind (response) != TERN_IMAP_RESPONSE_UNTAGGED ||
      (status != TERN_IMAP_STATUS_OK && status != TERN_IMAP_STATUS_PREAUTH))
    {
      if (status == TERN_IMAP_STATUS_BYE)
        error = g_error_new (TERN_IMAP_ERROR, TERN_IMAP_ERROR_TRANSIENT,
                             "%s refused the connection: %s", self->host,
                             tern_imap_response_get_text (response));
      else
        error = g_error_new (TERN_IMAP_ERROR, TERN_IMAP_ERROR_PARSE,
                             "%s did not greet like an IMAP server", self->host);
      tern_imap_client_fail (self, error);
      return;
    }
  if (tern_imap_response_get_code (response) == TERN_IMAP_CODE_CAPABILITY)
    tern_imap_client_take_capabilities (self, tern_imap_response_dup_code_capabilities (response));
  if (tern_imap_response_get_code (response) == TERN_IMAP_CODE_ALERT)
    g_signal_emit (self, signals[SIGNAL_ALERT], 0, tern_imap_response_get_text (response));
  tern_imap_client_update_timeout (self);
  tern_imap_client_connect_greeted (self, status == TERN_IMAP_STATUS_PREAUTH);
}

static void
dispatch_untagged (TernImapClient   *self,
                   TernImapResponse *response)
{
  TernImapStatus status = tern_imap_response_get_status (response);
  const char *name;
  guint64 number = 0;

  if (status != TERN_IMAP_STATUS_NONE)
    {
      TernImapCode code = tern_imap_response_get_code (response);

      if (code == TERN_IMAP_CODE_ALERT)
        g_signal_emit (self, signals[SIGNAL_ALERT], 0, tern_imap_response_get_text (response));
      else if (code == TERN_IMAP_CODE_CAPABILITY)
        tern_imap_client_take_capabilities (self,
                                            tern_imap_response_dup_code_capabilities (response));
      else if (code == TERN_IMAP_CODE_CLOSED)
        {
          /* QRESYNC: the previous mailbox is closed; what follows is the new one. */
        }
      else if (code != TERN_IMAP_CODE_NONE && self->mailbox != NULL)
        tern_imap_client_set_mailbox_code (self, response);

      if (status == TERN_IMAP_STATUS_BYE)
        {
          g_free (self->bye_text);
          self->bye_text = g_strdup (tern_imap_response_get_text (response));
          g_signal_emit (self, signals[SIGNAL_BYE], 0, self->bye_text);
        }
      return;
    }

  name = tern_imap_response_get_name (response);
  if (name == NULL)
    return;

  if (g_str_equal (name, "EXISTS") && tern_imap_response_get_number (response, &number))
    {
      if (self->exists != number)
        {
          self->exists = (guint32) number;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXISTS]);
        }
      g_signal_emit (self, signals[SIGNAL_EXISTS], 0, (guint) number);
    }
  else if (g_str_equal (name, "EXPUNGE") && tern_imap_response_get_number (response, &number))
    {
      if (self->exists > 0)
        {
          self->exists--;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXISTS]);
        }
      g_signal_emit (self, signals[SIGNAL_EXPUNGE], 0, (guint) number);
    }
  else if (g_str_equal (name, "VANISHED"))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TernImapVanished) vanished = tern_imap_vanished_decode (response, &error);

      if (vanished == NULL)
        {
          g_debug ("ignoring malformed VANISHED: %s", error->message);
          return;
        }
      if (!vanished->earlier)
        {
          guint64 count = tern_imap_uid_set_count (vanished->uids);
          self->exists = count >= self->exists ? 0 : self->exists - (guint32) count;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXISTS]);
        }
      g_signal_emit (self, signals[SIGNAL_VANISHED], 0, vanished);
    }
  else if (g_str_equal (name, "FETCH"))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TernImapFetch) fetch = tern_imap_fetch_decode (response, &error);

      if (fetch == NULL)
        {
          g_debug ("ignoring malformed FETCH: %s", error->message);
          return;
        }
      if (fetch->modseq > self->highestmodseq && self->highestmodseq != 0)
        {
          self->highestmodseq = fetch->modseq;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HIGHESTMODSEQ]);
        }
      g_signal_emit (self, signals[SIGNAL_FETCH], 0, fetch);
    }
  else if (g_str_equal (name, "FLAGS"))
    {
      g_auto(GStrv) flags = tern_imap_flags_decode (response, NULL);

      if (flags != NULL)
        g_signal_emit (self, signals[SIGNAL_FLAGS], 0, flags);
    }
  else if (g_str_equal (name, "CAPABILITY"))
    tern_imap_client_take_capabilities (self, tern_imap_capabilities_decode (response, NULL));
  else if (g_str_equal (name, "ENABLED"))
    {
      g_auto(GStrv) enabled = tern_imap_capabilities_decode (response, NULL);
      tern_imap_client_add_enabled (self, enabled);
    }
}

static void
dispatch (TernImapClient   *self,
          TernImapResponse *response)
{
  TernImapCommand *running = self->running;

  if (self->awaiting_greeting)
    {
      handle_greeting (self, response);
      return;
    }

  switch (tern_imap_response_get_kind (response))
    {
    case TERN_IMAP_RESPONSE_CONTINUATION:
      if (running == NULL)
        g_debug ("ignoring a continuation with no command running");
      else if (running->next_segment < running->segments->len)
        send_next_segment (self, running);
      else if (running->continuation != NULL)
        running->continuation (self, running, response);
      else
        g_debug ("ignoring an unexpected continuation for %s", running->name);
      break;

    case TERN_IMAP_RESPONSE_TAGGED:
      if (running == NULL || g_strcmp0 (tern_imap_response_get_tag (response), running->tag) != 0)
        {
          g_debug ("ignoring a reply for unknown tag %s", tern_imap_response_get_tag (response));
          break;
        }
      if (tern_imap_response_get_code (response) == TERN_IMAP_CODE_CAPABILITY)
        tern_imap_client_take_capabilities (self,
                                            tern_imap_response_dup_code_capabilities (response));
      if (tern_imap_response_get_code (response) == TERN_IMAP_CODE_ALERT)
        g_signal_emit (self, signals[SIGNAL_ALERT], 0, tern_imap_response_get_text (response));
      running_done (self, response);
      break;

    case TERN_IMAP_RESPONSE_UNTAGGED:
    default:
      if (running != NULL && running->untagged != NULL &&
          running->untagged (self, running, response))
        {
          /* What a command collects is bounded: a hostile server cannot
           * grow a LIST or SEARCH answer without end. (UID FETCH hands its
           * messages on in batches and keeps nothing.) */
          if (++running->n_collected > MAX_COLLECTED && running->untagged != NULL &&
              !running->streams)
            {
              g_autoptr(GError) error =
                g_error_new (TERN_IMAP_ERROR, TERN_IMAP_ERROR_LIMIT,
                             "%s sent more than %u responses to %s", self->host, MAX_COLLECTED,
                             running->name);
              tern_imap_client_fail (self, error);
            }
          break;
        }
      dispatch_untagged (self, response);
      break;
    }
}

/* ------------------------------------------------------------------------
 * Reading
 * ------------------------------------------------------------------------ */

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(TernImapClient) self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (G_INPUT_STREAM (source) != self->input)
    return; /* a connection that is gone */
  self->reading = FALSE;

  if (n < 0)
    {
      g_autoptr(GError) lost = transport_error (self, error);

      tern_imap_client_fail (self, lost);
      return;
    }

  if (n == 0)
    {
      g_autoptr(GError) eof = NULL;

      if (self->logging_out)
        {
          tern_imap_client_fail (self, NULL);
          return;
        }
      eof = g_error_new (TERN_IMAP_ERROR, TERN_IMAP_ERROR_TRANSIENT,
                         "%s closed the connection%s%s", self->host,
                         self->bye_text ? ": " : "", self->bye_text ? self->bye_text : "");
      tern_imap_client_fail (self, eof);
      return;
    }

  self->last_activity = g_get_monotonic_time ();

  if (!tern_imap_parser_feed (self->parser, self->read_buffer, n, &error))
    {
      /* Responses completed before the error still count. */
      TernImapResponse *response;
      while (self->parser != NULL && (response = tern_imap_parser_pop (self->parser)) != NULL)
        {
          dispatch (self, response);
          tern_imap_response_unref (response);
        }
      tern_imap_client_fail (self, error);
      return;
    }

  /* After a STARTTLS OK nothing more is taken in plaintext. */
  while (self->parser != NULL && G_INPUT_STREAM (source) == self->input &&
         !self->pause_reading)
    {
      g_autoptr(TernImapResponse) response = tern_imap_parser_pop (self->parser);

      if (response == NULL)
        break;
      if (debug_enabled ())
        {
          g_autofree char *text = tern_imap_response_log_summary (response);
          g_debug ("S: %s", text);
        }
      dispatch (self, response);
    }

  if (G_INPUT_STREAM (source) != self->input)
    return;
  if (self->pause_reading)
    return; /* STARTTLS: the TLS handshake takes over the stream */
  tern_imap_client_start_read (self);
}

void
tern_imap_client_start_read (TernImapClient *self)
{
  if (self->reading || self->input == NULL)
    return;
  self->reading = TRUE;
  g_input_stream_read_async (self->input, self->read_buffer, READ_BUFFER_SIZE, G_PRIORITY_DEFAULT,
                             self->cancellable, read_cb, g_object_ref (self));
}

static void
close_socket (GIOStream *stream)
{
  GIOStream *base = g_object_ref (stream);

  /* Close the socket underneath at once (a TLS close could wait for a peer
   * that is gone); pending operations fail with an error right away. */
  while (G_IS_TLS_CONNECTION (base))
    {
      GIOStream *inner = NULL;
      g_object_get (base, "base-io-stream", &inner, NULL);
      g_object_unref (base);
      base = inner;
      if (base == NULL)
        return;
    }
  if (G_IS_SOCKET_CONNECTION (base))
    g_socket_close (g_socket_connection_get_socket (G_SOCKET_CONNECTION (base)), NULL);
  else
    g_io_stream_close (base, NULL, NULL);
  g_object_unref (base);
}

/* Tears the connection down and fails every pending command with @error
 * (NULL: a clean end after LOGOUT or close()). Safe to call twice. */
void
tern_imap_client_fail (TernImapClient *self,
                 const GError   *error)
{
  GQueue pending = G_QUEUE_INIT;
  TernImapCommand *cmd;
  g_autoptr(GTask) connect_task = NULL;
  gboolean was_connected = self->stream != NULL;
  g_autoptr(GError) closed_error = NULL;

  g_object_ref (self);

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("connection to %s failed: %s", self->host, error->message);

  if (self->stream != NULL)
    close_socket (self->stream);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_object (&self->stream);
  self->input = NULL;
  self->output = NULL;
  self->reading = FALSE;
  self->pause_reading = FALSE;
  self->awaiting_greeting = FALSE;
  self->logging_out = FALSE;
  g_clear_pointer (&self->parser, tern_imap_parser_free);
  g_queue_clear_full (&self->write_queue, (GDestroyNotify) g_bytes_unref);
  g_clear_pointer (&self->writing, g_bytes_unref);
  g_clear_pointer (&self->timeout_source, g_source_destroy);

  if (self->running != NULL)
    g_queue_push_tail (&pending, g_steal_pointer (&self->running));
  while ((cmd = g_queue_pop_head (&self->queue)) != NULL)
    g_queue_push_tail (&pending, cmd);
  connect_task = g_steal_pointer (&self->connect_task);

  tern_imap_idle_reset (self);
  g_clear_pointer (&self->capabilities, g_strfreev);
  g_hash_table_remove_all (self->enabled);
  tern_imap_client_reset_mailbox (self, NULL, FALSE);
  tern_imap_client_set_state (self, TERN_IMAP_CLIENT_STATE_DISCONNECTED);

  if (error == NULL)
    error = closed_error = g_error_new (TERN_IMAP_ERROR, TERN_IMAP_ERROR_STATE,
                                        "The connection to %s was closed", self->host);
  while ((cmd = g_queue_pop_head (&pending)) != NULL)
    {
      command_finish (self, cmd, NULL, error);
      tern_imap_command_unref (cmd);
    }
  if (connect_task != NULL)
    {
      tern_imap_client_connect_disconnect_cancellable (self);
      g_task_return_error (connect_task, g_error_copy (error));
    }

  if (was_connected)
    g_signal_emit (self, signals[SIGNAL_CLOSED], 0, closed_error ? NULL : error);
  g_clear_pointer (&self->bye_text, g_free);
  g_object_unref (self);
}


/* ------------------------------------------------------------------------
 * GObject
 * ------------------------------------------------------------------------ */

static void
tern_imap_client_dispose (GObject *object)
{
  TernImapClient *self = TERN_IMAP_CLIENT (object);

  if (self->stream != NULL || self->connect_task != NULL)
    tern_imap_client_close (self);
  g_clear_signal_handler (&self->monitor_id, self->monitor);
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (tern_imap_client_parent_class)->dispose (object);
}

static void
tern_imap_client_finalize (GObject *object)
{
  TernImapClient *self = TERN_IMAP_CLIENT (object);

  g_clear_pointer (&self->idle.stop_tasks, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->parser, tern_imap_parser_free);
  g_clear_pointer (&self->capabilities, g_strfreev);
  g_clear_pointer (&self->enabled, g_hash_table_unref);
  g_clear_pointer (&self->permanent_flags, g_strfreev);
  g_free (self->read_buffer);
  g_free (self->mailbox);
  g_free (self->bye_text);
  g_free (self->host);
  g_free (self->pinned_sha256);

  G_OBJECT_CLASS (tern_imap_client_parent_class)->finalize (object);
}

static void
tern_imap_client_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TernImapClient *self = TERN_IMAP_CLIENT (object);

  switch (prop_id)
    {
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_SECURITY:
      g_value_set_int (value, self->security);
      break;
    case PROP_PINNED_SHA256:
      g_value_set_string (value, self->pinned_sha256);
      break;
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_CAPABILITIES:
      g_value_set_boxed (value, self->capabilities);
      break;
    case PROP_SELECTED_MAILBOX:
      g_value_set_string (value, self->mailbox);
      break;
    case PROP_UIDVALIDITY:
      g_value_set_uint (value, self->uidvalidity);
      break;
    case PROP_UIDNEXT:
      g_value_set_uint (value, self->uidnext);
      break;
    case PROP_HIGHESTMODSEQ:
      g_value_set_uint64 (value, self->highestmodseq);
      break;
    case PROP_EXISTS:
      g_value_set_uint (value, self->exists);
      break;
    case PROP_READ_ONLY:
      g_value_set_boolean (value, self->read_only);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_imap_client_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  TernImapClient *self = TERN_IMAP_CLIENT (object);

  switch (prop_id)
    {
    case PROP_HOST:
      self->host = g_value_dup_string (value);
      break;
    case PROP_PORT:
      self->port = (guint16) g_value_get_uint (value);
      break;
    case PROP_SECURITY:
      self->security = g_value_get_int (value);
      break;
    case PROP_PINNED_SHA256:
      self->pinned_sha256 = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_imap_client_class_init (TernImapClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tern_imap_client_dispose;
  object_class->finalize = tern_imap_client_finalize;
  object_class->get_property = tern_imap_client_get_property;
  object_class->set_property = tern_imap_client_set_property;

  properties[PROP_HOST] = g_param_spec_string ("host", NULL, NULL, NULL, co);
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 993, co);
  properties[PROP_SECURITY] = g_param_spec_int ("security", NULL, NULL, TERN_NET_SECURITY_TLS,
                                                TERN_NET_SECURITY_PLAIN, TERN_NET_SECURITY_TLS,
                                                co);
  properties[PROP_PINNED_SHA256] = g_param_spec_string ("pinned-sha256", NULL, NULL, NULL, co);
  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL,
                                             TERN_IMAP_CLIENT_STATE_DISCONNECTED,
                                             TERN_IMAP_CLIENT_STATE_IDLE,
                                             TERN_IMAP_CLIENT_STATE_DISCONNECTED, ro);
  properties[PROP_CAPABILITIES] = g_param_spec_boxed ("capabilities", NULL, NULL,
                                                      G_TYPE_STRV, ro);
  properties[PROP_SELECTED_MAILBOX] = g_param_spec_string ("selected-mailbox", NULL, NULL,
                                                           NULL, ro);
  properties[PROP_UIDVALIDITY] = g_param_spec_uint ("uidvalidity", NULL, NULL, 0, G_MAXUINT32,
                                                    0, ro);
  properties[PROP_UIDNEXT] = g_param_spec_uint ("uidnext", NULL, NULL, 0, G_MAXUINT32, 0, ro);
  properties[PROP_HIGHESTMODSEQ] = g_param_spec_uint64 ("highestmodseq", NULL, NULL, 0,
                                                        G_MAXUINT64, 0, ro);
  properties[PROP_EXISTS] = g_param_spec_uint ("exists", NULL, NULL, 0, G_MAXUINT32, 0, ro);
  properties[PROP_READ_ONLY] = g_param_spec_boolean ("read-only", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TernImapClient::exists: `* n EXISTS` (the mailbox now has @n messages)
   */
  signals[SIGNAL_EXISTS] = g_signal_new ("exists", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  /**
   * TernImapClient::expunge: `* seq EXPUNGE`
   */
  signals[SIGNAL_EXPUNGE] = g_signal_new ("expunge", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  /**
   * TernImapClient::vanished: (QRESYNC) a `const TernImapVanished *`, valid
   * during the emission; earlier is TRUE for the answer to a SELECT/FETCH
   * with QRESYNC/VANISHED
   */
  signals[SIGNAL_VANISHED] = g_signal_new ("vanished", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                           1, G_TYPE_POINTER);
  /**
   * TernImapClient::fetch: an unsolicited FETCH (flag changes), a
   * `const TernImapFetch *` valid during the emission
   */
  signals[SIGNAL_FETCH] = g_signal_new ("fetch", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /**
   * TernImapClient::flags: `* FLAGS (...)`: the flags of the mailbox
   */
  signals[SIGNAL_FLAGS] = g_signal_new ("flags", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRV);
  /**
   * TernImapClient::alert: `[ALERT] text`: the user must see @text
   */
  signals[SIGNAL_ALERT] = g_signal_new ("alert", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * TernImapClient::bye: `* BYE text`: the server is closing the connection
   */
  signals[SIGNAL_BYE] = g_signal_new ("bye", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                      NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * TernImapClient::closed: the connection ended; @error (a GError, may be
   * NULL after LOGOUT or close()) says why
   */
  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
tern_imap_client_init (TernImapClient *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->enabled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->read_buffer = g_malloc (READ_BUFFER_SIZE);
  self->connect_timeout = DEFAULT_CONNECT_TIMEOUT;
  self->greeting_timeout = DEFAULT_GREETING_TIMEOUT;
  self->command_timeout = DEFAULT_COMMAND_TIMEOUT;
  self->idle.poll_seconds = 60;
  self->idle.reissue_seconds = 25 * 60;
  self->idle.stop_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_queue_init (&self->queue);
  g_queue_init (&self->write_queue);
}

/* ------------------------------------------------------------------------
 * Public API
 * ------------------------------------------------------------------------ */

TernImapClient *
tern_imap_client_new (const char      *host,
                      guint16          port,
                      TernNetSecurity  security,
                      const char      *pinned_sha256)
{
  g_return_val_if_fail (host != NULL, NULL);

  return g_object_new (TERN_IMAP_TYPE_CLIENT, "host", host, "port", (guint) port, "security",
                       (int) security, "pinned-sha256", pinned_sha256, NULL);
}

void
tern_imap_client_set_quirks (TernImapClient       *self,
                             TernImapClientQuirks  quirks)
{
  g_return_if_fail (TERN_IMAP_IS_CLIENT (self));
  self->quirks = quirks;
}

void
tern_imap_client_set_timeouts (TernImapClient *self,
                               guint           connect_seconds,
                               guint           greeting_seconds,
                               guint           command_seconds)
{
  g_return_if_fail (TERN_IMAP_IS_CLIENT (self));
  if (connect_seconds > 0)
    self->connect_timeout = connect_seconds;
  if (greeting_seconds > 0)
    self->greeting_timeout = greeting_seconds;
  if (command_seconds > 0)
    self->command_timeout = command_seconds;
}

void
tern_imap_client_set_idle_intervals (TernImapClient *self,
                                     guint           poll_seconds,
                                     guint           reissue_seconds)
{
  g_return_if_fail (TERN_IMAP_IS_CLIENT (self));
  if (poll_seconds > 0)
    self->idle.poll_seconds = poll_seconds;
  if (reissue_seconds > 0)
    self->idle.reissue_seconds = MIN (reissue_seconds, 29 * 60);
}

const char *
tern_imap_client_get_host (TernImapClient *self)
{
  g_return_val_if_fail (TERN_IMAP_IS_CLIENT (self), NULL);
  return self->host;
}

TernImapClientState
tern_imap_client_get_state (TernImapClient *self)
{
  g_return_val_if_fail (TERN_IMAP_IS_CLIENT (self), TERN_IMAP_CLIENT_STATE_DISCONNECTED);
  return self->state;
}

const char *const *
tern_imap_client_get_capabilities (TernImapClient *self)
{
  g_return_val_if_fail (TERN_IMAP_IS_CLIENT (self), NULL);
  return (const char *const *) self->capabilities;
}

gboolean
tern_imap_client_has_capability (TernImapClient *self,
                                 const char     *capability)
{
  g_return_val_if_fail (TERN_IMAP_IS_CLIENT (self), FALSE);
  for (guint i = 0; self->capabilities != NULL && self->capabilities[i] != NULL; i++)
    if (g_ascii_strcasecmp (self->capabilities[i], capability) == 0)
      return TRUE;
  return FALSE;
}

gboolean
tern_imap_client_is_enabled (TernImapClient *self,
                             const char     *extension)
{
  g_autofree char *upper = NULL;

  g_return_val_if_fail (TERN_IMAP_IS_CLIENT (self), FALSE);
  upper = g_ascii_strup (extension, -1);
  return g_hash_table_contains (self->enabled, upper);
}

char
tern_imap_client_get_delimiter (TernImapClient *self)
{
  g_return_val_if_fail (TERN_IMAP_IS_CLIENT (self), '\0');
  return self->delimiter;
}

const char *
tern_imap_client_get_selected_mailbox (TernImapClient *self)
{
  g_return_val_if_fail (TERN_IMAP_IS_CLIENT (self), NULL);
  return self->mailbox;
}

guint32
tern_imap_client_get_uidvalidity (TernImapClient *self)
{
  g_return_val_if_fail (TERN_IMAP_IS_CLIENT (self), 0);
  return self->uidvalidity;
}

guint32
tern_imap_client_get_uidnext (TernImapClient *self)
{
  g_return_val_if_fail (TERN_IMAP_IS_CLIENT (self), 0);
  return self->uidnext;
}

guint64
tern_imap_client_get_highestmodseq (TernImapClient *self)
{
  g_return_val_if_fail (TERN_IMAP_IS_CLIENT (self), 0);
  return self->highestmodseq;
}

guint32
tern_imap_client_get_exists (TernImapClient *self)
{
  g_return_val_if_fail (TERN_IMAP_IS_CLIENT (self), 0);
  return self->exists;
}

gboolean
tern_imap_client_get_read_only (TernImapClient *self)
{
  g_return_val_if_fail (TERN_IMAP_IS_CLIENT (self), FALSE);
  return self->read_only;
}

const char *const *
tern_imap_client_get_permanent_flags (TernImapClient *self)
{
  g_return_val_if_fail (TERN_IMAP_IS_CLIENT (self), NULL);
  return (const char *const *) self->permanent_flags;
}

void
tern_imap_client_close (TernImapClient *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (TERN_IMAP_IS_CLIENT (self));

  error = g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The IMAP client for %s was closed",
                       self->host);
  g_cancellable_cancel (self->cancellable);
  if (self->stream != NULL || self->connect_task != NULL || self->running != NULL ||
      !g_queue_is_empty (&self->queue))
    {
      gboolean was_connected = self->stream != NULL;

      /* tern_imap_client_fail emits closed with the error; a close asked for by
       * the caller is a clean end. */
      g_signal_handlers_block_matched (self, G_SIGNAL_MATCH_ID, signals[SIGNAL_CLOSED], 0, NULL,
                                       NULL, NULL);
      tern_imap_client_fail (self, error);
      g_signal_handlers_unblock_matched (self, G_SIGNAL_MATCH_ID, signals[SIGNAL_CLOSED], 0,
                                         NULL, NULL, NULL);
      if (was_connected)
        g_signal_emit (self, signals[SIGNAL_CLOSED], 0, NULL);
    }
}

void
tern_imap_client_set_logging_out (TernImapClient *self)
{
  self->logging_out = TRUE;
}

void
tern_imap_client_disconnect_clean (TernImapClient *self)
{
  tern_imap_client_fail (self, NULL);
}
