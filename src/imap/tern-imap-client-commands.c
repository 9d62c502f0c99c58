/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-imap"

#include "tern-imap-client-private.h"
#include "tern-imap-client-commands-private.h"

/* The session and mailbox commands of TernImapClient (CAPABILITY, LOGIN,
 * ENABLE, NAMESPACE, LIST, CREATE, SELECT, METADATA, NOOP, LOGOUT): each
 * builds a TernImapCommand, collects the untagged data it expects and turns
 * the tagged reply into its result. Message commands are in
 * tern-imap-client-messages.c. */

/* ------------------------------------------------------------------------
 * Simple commands
 * ------------------------------------------------------------------------ */

TernImapCommand *
tern_imap_client_simple_command (TernImapClient *self,
                                 const char     *name,
                                 GTask          *task)
{
  TernImapCommand *cmd = tern_imap_command_new (self, name, task);

  tern_imap_command_add (cmd, name);
  return cmd;
}

/* ------------------------------------------------------------------------
 * CAPABILITY
 * ------------------------------------------------------------------------ */

static void
capability_done (TernImapClient   *self,
                 TernImapCommand  *cmd,
                 TernImapResponse *tagged,
                 const GError     *error)
{
  const char *const *caps;
  GTask *task;

  if (error != NULL || cmd->task == NULL)
    return;
  task = g_steal_pointer (&cmd->task);
  caps = tern_imap_client_get_capabilities (self);
  g_task_return_pointer (task, caps ? g_strdupv ((char **) caps) : g_new0 (char *, 1),
                         (GDestroyNotify) g_strfreev);
  g_object_unref (task);
}

void
tern_imap_client_capability_async (TernImapClient      *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_capability_async,
                                    "[tern-imap] CAPABILITY", cancellable, callback, user_data);
  g_autoptr(TernImapCommand) cmd = NULL;

  cmd = tern_imap_client_simple_command (self, "CAPABILITY", task);
  cmd->done = capability_done;
  tern_imap_client_submit (self, cmd);
}

char **
tern_imap_client_capability_finish (TernImapClient  *self,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  return finish_pointer (self, result, tern_imap_client_capability_async, error);
}

/* ------------------------------------------------------------------------
 * LOGIN / AUTHENTICATE PLAIN
 * ------------------------------------------------------------------------ */

static void
login_capability_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) caps = tern_imap_client_capability_finish (TERN_IMAP_CLIENT (source), result,
                                                           &error);

  if (caps == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
login_done (TernImapClient   *self,
            TernImapCommand  *cmd,
            TernImapResponse *tagged,
            const GError     *error)
{
  GTask *task;

  if (error != NULL)
    return;
  tern_imap_client_set_state (self, TERN_IMAP_CLIENT_STATE_AUTHENTICATED);
  if (cmd->task == NULL)
    return;
  task = g_steal_pointer (&cmd->task);
  if (tern_imap_response_get_code (tagged) == TERN_IMAP_CODE_CAPABILITY)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  /* Capabilities change after login: ask again. */
  tern_imap_client_capability_async (self, g_task_get_cancellable (task), login_capability_cb,
                                     task);
}

static void
authenticate_continuation (TernImapClient   *self,
                           TernImapCommand  *cmd,
                           TernImapResponse *response)
{
  /* AUTHENTICATE PLAIN without SASL-IR: the server's empty challenge. */
  if (cmd->data == NULL)
    {
      tern_imap_client_send_raw (self, "*", FALSE); /* a second challenge: abort */
      return;
    }
  tern_imap_client_send_raw (self, cmd->data, TRUE);
  g_clear_pointer (&cmd->data, g_free);
}

static char *
sasl_plain (const char *user,
            const char *password)
{
  gsize ulen = strlen (user), plen = strlen (password);
  g_autofree guint8 *raw = g_malloc (ulen + plen + 2);
  char *encoded;

  raw[0] = '\0';
  memcpy (raw + 1, user, ulen);
  raw[ulen + 1] = '\0';
  memcpy (raw + ulen + 2, password, plen);
  encoded = g_base64_encode (raw, ulen + plen + 2);
  memset (raw, 0, ulen + plen + 2);
  return encoded;
}

void
tern_imap_client_login_async (TernImapClient      *self,
                              const char          *user,
                              const char          *password,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_login_async, "[tern-imap] LOGIN",
                                    cancellable, callback, user_data);
  g_autoptr(TernImapCommand) cmd = NULL;

  g_return_if_fail (user != NULL && password != NULL);

  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_NOT_AUTHENTICATED))
    return;
  if (tern_imap_client_get_state (self) != TERN_IMAP_CLIENT_STATE_NOT_AUTHENTICATED)
    {
      g_task_return_new_error (task, TERN_IMAP_ERROR, TERN_IMAP_ERROR_STATE,
                               "Already logged in to %s", tern_imap_client_get_host (self));
      return;
    }

  if (tern_imap_client_can_use (self, "AUTH=PLAIN"))
    {
      g_autofree char *payload = sasl_plain (user, password);

      cmd = tern_imap_command_new (self, "AUTHENTICATE", task);
      tern_imap_command_add (cmd, "AUTHENTICATE PLAIN");
      if (tern_imap_client_can_use (self, "SASL-IR"))
        {
          tern_imap_command_add (cmd, " ");
          tern_imap_command_add_secret (cmd, payload);
        }
      else
        {
          cmd->data = g_steal_pointer (&payload);
          cmd->data_free = g_free;
          cmd->continuation = authenticate_continuation;
        }
    }
  else if (tern_imap_client_has_capability (self, "LOGINDISABLED"))
    {
      g_task_return_new_error (task, TERN_IMAP_ERROR, TERN_IMAP_ERROR_UNSUPPORTED,
                               "%s disabled LOGIN and offers no mechanism Tern supports",
                               tern_imap_client_get_host (self));
      return;
    }
  else
    {
      cmd = tern_imap_command_new (self, "LOGIN", task);
      tern_imap_command_add (cmd, "LOGIN ");
      tern_imap_command_add_string (cmd, user, -1, TRUE);
      tern_imap_command_add (cmd, " ");
      tern_imap_command_add_string (cmd, password, -1, TRUE);
    }
  cmd->done = login_done;
  tern_imap_client_submit (self, cmd);
}

gboolean
tern_imap_client_login_finish (TernImapClient  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  return finish_boolean (self, result, tern_imap_client_login_async, error);
}

/* ------------------------------------------------------------------------
 * ENABLE
 * ------------------------------------------------------------------------ */

static gboolean
enable_untagged (TernImapClient   *self,
                 TernImapCommand  *cmd,
                 TernImapResponse *response)
{
  g_auto(GStrv) enabled = NULL;
  GPtrArray *collected = cmd->data;

  if (!tern_imap_response_is_data (response, "ENABLED"))
    return FALSE;
  enabled = tern_imap_capabilities_decode (response, NULL);
  tern_imap_client_add_enabled (self, enabled);
  for (guint i = 0; enabled != NULL && enabled[i] != NULL; i++)
    g_ptr_array_add (collected, g_strdup (enabled[i]));
  return TRUE;
}

static void
enable_done (TernImapClient   *self,
             TernImapCommand  *cmd,
             TernImapResponse *tagged,
             const GError     *error)
{
  GPtrArray *collected = cmd->data;
  GTask *task;

  if (error != NULL || cmd->task == NULL)
    return;
  task = g_steal_pointer (&cmd->task);
  g_ptr_array_add (collected, NULL);
  g_task_return_pointer (task, g_strdupv ((char **) collected->pdata),
                         (GDestroyNotify) g_strfreev);
  g_object_unref (task);
}

void
tern_imap_client_enable_async (TernImapClient      *self,
                               const char *const   *extensions,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_enable_async, "[tern-imap] ENABLE",
                                    cancellable, callback, user_data);
  g_autoptr(TernImapCommand) cmd = NULL;
  guint n = 0;

  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_AUTHENTICATED))
    return;
  cmd = tern_imap_command_new (self, "ENABLE", task);
  tern_imap_command_add (cmd, "ENABLE");
  for (guint i = 0; extensions != NULL && extensions[i] != NULL; i++)
    {
      if (!tern_imap_client_has_capability (self, extensions[i]))
        continue;
      tern_imap_command_add (cmd, " ");
      tern_imap_command_add (cmd, extensions[i]);
      n++;
    }
  if (n == 0 || !tern_imap_client_has_capability (self, "ENABLE"))
    {
      g_task_return_pointer (task, g_new0 (char *, 1), (GDestroyNotify) g_strfreev);
      return;
    }
  cmd->data = g_ptr_array_new_with_free_func (g_free);
  cmd->data_free = (GDestroyNotify) g_ptr_array_unref;
  cmd->untagged = enable_untagged;
  cmd->done = enable_done;
  tern_imap_client_submit (self, cmd);
}

char **
tern_imap_client_enable_finish (TernImapClient  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  return finish_pointer (self, result, tern_imap_client_enable_async, error);
}

/* ------------------------------------------------------------------------
 * NAMESPACE
 * ------------------------------------------------------------------------ */

static gboolean
namespace_untagged (TernImapClient   *self,
                    TernImapCommand  *cmd,
                    TernImapResponse *response)
{
  g_autoptr(GError) error = NULL;
  TernImapNamespace *ns;

  if (!tern_imap_response_is_data (response, "NAMESPACE"))
    return FALSE;
  ns = tern_imap_namespace_decode (response, &error);
  if (ns == NULL)
    {
      g_debug ("malformed NAMESPACE: %s", error->message);
      return TRUE;
    }
  if (ns->personal->len > 0)
    tern_imap_client_set_delimiter (
      self, ((TernImapNamespaceEntry *) g_ptr_array_index (ns->personal, 0))->delimiter);
  if (cmd->data != NULL)
    tern_imap_namespace_free (cmd->data);
  cmd->data = ns;
  return TRUE;
}

static void
namespace_done (TernImapClient   *self,
                TernImapCommand  *cmd,
                TernImapResponse *tagged,
                const GError     *error)
{
  GTask *task;

  if (error != NULL || cmd->task == NULL)
    return;
  task = g_steal_pointer (&cmd->task);
  if (cmd->data == NULL)
    g_task_return_new_error (task, TERN_IMAP_ERROR, TERN_IMAP_ERROR_PARSE,
                             "%s sent no NAMESPACE data", tern_imap_client_get_host (self));
  else
    g_task_return_pointer (task, g_steal_pointer (&cmd->data),
                           (GDestroyNotify) tern_imap_namespace_free);
  g_object_unref (task);
}

void
tern_imap_client_namespace_async (TernImapClient      *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_namespace_async,
                                    "[tern-imap] NAMESPACE", cancellable, callback, user_data);
  g_autoptr(TernImapCommand) cmd = NULL;

  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_AUTHENTICATED) ||
      !check_capability (self, task, "NAMESPACE"))
    return;
  cmd = tern_imap_client_simple_command (self, "NAMESPACE", task);
  cmd->data_free = (GDestroyNotify) tern_imap_namespace_free;
  cmd->untagged = namespace_untagged;
  cmd->done = namespace_done;
  tern_imap_client_submit (self, cmd);
}

TernImapNamespace *
tern_imap_client_namespace_finish (TernImapClient  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  return finish_pointer (self, result, tern_imap_client_namespace_async, error);
}

/* ------------------------------------------------------------------------
 * LIST
 * ------------------------------------------------------------------------ */

static gboolean
list_untagged (TernImapClient   *self,
               TernImapCommand  *cmd,
               TernImapResponse *response)
{
  g_autoptr(GError) error = NULL;
  TernImapMailbox *mailbox;

  if (!tern_imap_response_is_data (response, "LIST"))
    return FALSE;
  mailbox = tern_imap_mailbox_decode (response, cmd->utf8_accept, &error);
  if (mailbox == NULL)
    {
      g_debug ("malformed LIST: %s", error->message);
      return TRUE;
    }
  tern_imap_client_set_delimiter (self, mailbox->delimiter);
  g_ptr_array_add (cmd->data, mailbox);
  return TRUE;
}

void
tern_imap_client_list_async (TernImapClient      *self,
                             const char          *reference,
                             const char          *pattern,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_list_async, "[tern-imap] LIST",
                                    cancellable, callback, user_data);
  g_autoptr(TernImapCommand) cmd = NULL;

  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_AUTHENTICATED))
    return;
  cmd = tern_imap_command_new (self, "LIST", task);
  tern_imap_command_add (cmd, "LIST ");
  tern_imap_command_add_mailbox (cmd, reference ? reference : "");
  tern_imap_command_add (cmd, " ");
  tern_imap_command_add_mailbox (cmd, pattern ? pattern : "*");
  if (tern_imap_client_has_capability (self, "SPECIAL-USE") &&
      tern_imap_client_has_capability (self, "LIST-EXTENDED"))
    tern_imap_command_add (cmd, " RETURN (SPECIAL-USE)");
  cmd->data = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_imap_mailbox_free);
  cmd->data_free = (GDestroyNotify) g_ptr_array_unref;
  cmd->untagged = list_untagged;
  cmd->done = steal_array_done;
  tern_imap_client_submit (self, cmd);
}

GPtrArray *
tern_imap_client_list_finish (TernImapClient  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  return finish_pointer (self, result, tern_imap_client_list_async, error);
}

/* ------------------------------------------------------------------------
 * CREATE / SUBSCRIBE / DELETE
 * ------------------------------------------------------------------------ */

static void
mailbox_command (TernImapClient      *self,
                 const char          *name,
                 gpointer             source_tag,
                 const char          *mailbox,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  g_autofree char *task_name = g_strdup_printf ("[tern-imap] %s", name);
  g_autoptr(GTask) task = new_task (self, source_tag, task_name, cancellable, callback, user_data);
  g_autoptr(TernImapCommand) cmd = NULL;

  g_return_if_fail (mailbox != NULL);
  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_AUTHENTICATED))
    return;
  cmd = tern_imap_command_new (self, name, task);
  tern_imap_command_add (cmd, name);
  tern_imap_command_add (cmd, " ");
  tern_imap_command_add_mailbox (cmd, mailbox);
  tern_imap_client_submit (self, cmd);
}

void
tern_imap_client_create_async (TernImapClient      *self,
                               const char          *mailbox,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  mailbox_command (self, "CREATE", tern_imap_client_create_async, mailbox, cancellable, callback,
                   user_data);
}

gboolean
tern_imap_client_create_finish (TernImapClient  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  return finish_boolean (self, result, tern_imap_client_create_async, error);
}

void
tern_imap_client_subscribe_async (TernImapClient      *self,
                                  const char          *mailbox,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  mailbox_command (self, "SUBSCRIBE", tern_imap_client_subscribe_async, mailbox, cancellable,
                   callback, user_data);
}

gboolean
tern_imap_client_subscribe_finish (TernImapClient  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  return finish_boolean (self, result, tern_imap_client_subscribe_async, error);
}

void
tern_imap_client_delete_async (TernImapClient      *self,
                               const char          *mailbox,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  mailbox_command (self, "DELETE", tern_imap_client_delete_async, mailbox, cancellable, callback,
                   user_data);
}

gboolean
tern_imap_client_delete_finish (TernImapClient  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  return finish_boolean (self, result, tern_imap_client_delete_async, error);
}

/* ------------------------------------------------------------------------
 * SELECT / EXAMINE
 * ------------------------------------------------------------------------ */

typedef struct {
  char     *mailbox;
  gboolean  read_only;
  gboolean  reset;
} SelectData;

static void
select_data_free (SelectData *data)
{
  g_free (data->mailbox);
  g_free (data);
}

static void
select_reset (TernImapClient *self,
              SelectData     *data)
{
  if (data->reset)
    return;
  data->reset = TRUE;
  tern_imap_client_reset_mailbox (self, data->mailbox, data->read_only);
}

static gboolean
select_untagged (TernImapClient   *self,
                 TernImapCommand  *cmd,
                 TernImapResponse *response)
{
  SelectData *data = cmd->data;

  /* With QRESYNC, [CLOSED] ends the previous mailbox: what came before it
   * belongs to the old one. */
  if (tern_imap_response_get_code (response) == TERN_IMAP_CODE_CLOSED)
    {
      data->reset = FALSE;
      select_reset (self, data);
      return TRUE;
    }
  select_reset (self, data);
  return FALSE; /* EXISTS, FLAGS, codes, VANISHED, FETCH: the client's dispatch */
}

static void
select_done (TernImapClient   *self,
             TernImapCommand  *cmd,
             TernImapResponse *tagged,
             const GError     *error)
{
  SelectData *data = cmd->data;

  if (error != NULL)
    {
      /* A failed SELECT leaves no mailbox selected. */
      if (tern_imap_client_get_state (self) >= TERN_IMAP_CLIENT_STATE_SELECTED)
        {
          tern_imap_client_reset_mailbox (self, NULL, FALSE);
          tern_imap_client_set_state (self, TERN_IMAP_CLIENT_STATE_AUTHENTICATED);
        }
      return;
    }
  select_reset (self, data);
  tern_imap_client_set_mailbox_code (self, tagged);
  tern_imap_client_set_state (self, TERN_IMAP_CLIENT_STATE_SELECTED);
}

void
tern_imap_client_select_async (TernImapClient        *self,
                               const char            *mailbox,
                               gboolean               read_only,
                               gboolean               condstore,
                               const TernImapQresync *qresync,
                               GCancellable          *cancellable,
                               GAsyncReadyCallback    callback,
                               gpointer               user_data)
{
  const char *name = read_only ? "EXAMINE" : "SELECT";
  g_autoptr(GTask) task = new_task (self, tern_imap_client_select_async,
                                    read_only ? "[tern-imap] EXAMINE" : "[tern-imap] SELECT",
                                    cancellable, callback, user_data);
  g_autoptr(TernImapCommand) cmd = NULL;
  SelectData *data;

  g_return_if_fail (mailbox != NULL);
  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_AUTHENTICATED))
    return;
  if (qresync != NULL && !tern_imap_client_is_enabled (self, "QRESYNC"))
    {
      g_task_return_new_error (task, TERN_IMAP_ERROR, TERN_IMAP_ERROR_UNSUPPORTED,
                               "QRESYNC is not enabled on %s", tern_imap_client_get_host (self));
      return;
    }
  if (qresync != NULL && qresync->known_uids != NULL && !valid_sequence_set (qresync->known_uids))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "Not a UID set: “%s”", qresync->known_uids);
      return;
    }

  cmd = tern_imap_command_new (self, name, task);
  tern_imap_command_add (cmd, name);
  tern_imap_command_add (cmd, " ");
  tern_imap_command_add_mailbox (cmd, mailbox);
  if (qresync != NULL)
    {
      tern_imap_command_addf (cmd, " (QRESYNC (%u %" G_GUINT64_FORMAT "%s%s))",
                              qresync->uidvalidity, qresync->modseq,
                              qresync->known_uids ? " " : "",
                              qresync->known_uids ? qresync->known_uids : "");
    }
  else if (condstore && tern_imap_client_has_capability (self, "CONDSTORE"))
    tern_imap_command_add (cmd, " (CONDSTORE)");

  data = g_new0 (SelectData, 1);
  data->mailbox = g_strdup (mailbox);
  data->read_only = read_only;
  cmd->data = data;
  cmd->data_free = (GDestroyNotify) select_data_free;
  cmd->untagged = select_untagged;
  cmd->done = select_done;
  tern_imap_client_submit (self, cmd);
}

gboolean
tern_imap_client_select_finish (TernImapClient  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  return finish_boolean (self, result, tern_imap_client_select_async, error);
}

/* ------------------------------------------------------------------------
 * GETMETADATA / SETMETADATA
 * ------------------------------------------------------------------------ */

static gboolean
metadata_untagged (TernImapClient   *self,
                   TernImapCommand  *cmd,
                   TernImapResponse *response)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TernImapMetadata) metadata = NULL;

  if (!tern_imap_response_is_data (response, "METADATA"))
    return FALSE;
  metadata = tern_imap_metadata_decode (response, &error);
  if (metadata == NULL)
    {
      g_debug ("malformed METADATA: %s", error->message);
      return TRUE;
    }
  if (metadata->unsolicited)
    return TRUE;
  for (guint i = 0; i < metadata->entries->len; i++)
    {
      TernImapMetadataEntry *entry = g_ptr_array_index (metadata->entries, i);
      g_hash_table_replace (cmd->data, g_strdup (entry->name),
                            entry->value ? g_bytes_ref (entry->value) : NULL);
    }
  return TRUE;
}

static gboolean
check_metadata (TernImapClient *self,
                GTask          *task,
                const char     *mailbox)
{
  if (tern_imap_client_has_capability (self, "METADATA") ||
      (*mailbox == '\0' && tern_imap_client_has_capability (self, "METADATA-SERVER")))
    return TRUE;
  return check_capability (self, task, "METADATA");
}

void
tern_imap_client_get_metadata_async (TernImapClient      *self,
                                     const char          *mailbox,
                                     const char *const   *entries,
                                     int                  depth,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_get_metadata_async,
                                    "[tern-imap] GETMETADATA", cancellable, callback, user_data);
  g_autoptr(TernImapCommand) cmd = NULL;

  g_return_if_fail (mailbox != NULL && entries != NULL && entries[0] != NULL);
  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_AUTHENTICATED) ||
      !check_metadata (self, task, mailbox))
    return;
  cmd = tern_imap_command_new (self, "GETMETADATA", task);
  tern_imap_command_add (cmd, "GETMETADATA ");
  if (depth != 0)
    tern_imap_command_add (cmd, depth < 0 ? "(DEPTH infinity) " : "(DEPTH 1) ");
  tern_imap_command_add_mailbox (cmd, mailbox);
  tern_imap_command_add (cmd, " (");
  for (guint i = 0; entries[i] != NULL; i++)
    {
      if (i > 0)
        tern_imap_command_add (cmd, " ");
      tern_imap_command_add_string (cmd, entries[i], -1, FALSE);
    }
  tern_imap_command_add (cmd, ")");
  cmd->data = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify) g_bytes_unref);
  cmd->data_free = (GDestroyNotify) g_hash_table_unref;
  cmd->untagged = metadata_untagged;
  cmd->done = steal_array_done;
  tern_imap_client_submit (self, cmd);
}

GHashTable *
tern_imap_client_get_metadata_finish (TernImapClient  *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  return finish_pointer (self, result, tern_imap_client_get_metadata_async, error);
}

void
tern_imap_client_set_metadata_async (TernImapClient      *self,
                                     const char          *mailbox,
                                     const char *const   *entries,
                                     GBytes *const       *values,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_set_metadata_async,
                                    "[tern-imap] SETMETADATA", cancellable, callback, user_data);
  g_autoptr(TernImapCommand) cmd = NULL;

  g_return_if_fail (mailbox != NULL && entries != NULL && entries[0] != NULL && values != NULL);
  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_AUTHENTICATED) ||
      !check_metadata (self, task, mailbox))
    return;
  cmd = tern_imap_command_new (self, "SETMETADATA", task);
  tern_imap_command_add (cmd, "SETMETADATA ");
  tern_imap_command_add_mailbox (cmd, mailbox);
  tern_imap_command_add (cmd, " (");
  for (guint i = 0; entries[i] != NULL; i++)
    {
      if (i > 0)
        tern_imap_command_add (cmd, " ");
      tern_imap_command_add_string (cmd, entries[i], -1, FALSE);
      tern_imap_command_add (cmd, " ");
      if (values[i] == NULL)
        tern_imap_command_add (cmd, "NIL");
      else
        {
          gsize len = 0;
          const char *data = g_bytes_get_data (values[i], &len);
          tern_imap_command_add_string (cmd, data ? data : "", len, FALSE);
        }
    }
  tern_imap_command_add (cmd, ")");
  tern_imap_client_submit (self, cmd);
}

gboolean
tern_imap_client_set_metadata_finish (TernImapClient  *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  return finish_boolean (self, result, tern_imap_client_set_metadata_async, error);
}

/* ------------------------------------------------------------------------
 * NOOP / LOGOUT
 * ------------------------------------------------------------------------ */

void
tern_imap_client_noop_async (TernImapClient      *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_noop_async, "[tern-imap] NOOP",
                                    cancellable, callback, user_data);
  g_autoptr(TernImapCommand) cmd = NULL;

  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_NOT_AUTHENTICATED))
    return;
  cmd = tern_imap_client_simple_command (self, "NOOP", task);
  tern_imap_client_submit (self, cmd);
}

gboolean
tern_imap_client_noop_finish (TernImapClient  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  return finish_boolean (self, result, tern_imap_client_noop_async, error);
}

static void
logout_done (TernImapClient   *self,
             TernImapCommand  *cmd,
             TernImapResponse *tagged,
             const GError     *error)
{
  GTask *task;

  if (cmd->task == NULL)
    return;
  /* The server may close the connection before its tagged OK arrives: for
   * LOGOUT that is a clean end too. */
  if (error != NULL && !g_error_matches (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_STATE))
    return;
  task = g_steal_pointer (&cmd->task);
  if (error == NULL)
    tern_imap_client_disconnect_clean (self);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

void
tern_imap_client_logout_async (TernImapClient      *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_logout_async, "[tern-imap] LOGOUT",
                                    cancellable, callback, user_data);
  g_autoptr(TernImapCommand) cmd = NULL;

  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_NOT_AUTHENTICATED))
    return;
  cmd = tern_imap_client_simple_command (self, "LOGOUT", task);
  cmd->done = logout_done;
  tern_imap_client_set_logging_out (self);
  tern_imap_client_submit (self, cmd);
}

gboolean
tern_imap_client_logout_finish (TernImapClient  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  return finish_boolean (self, result, tern_imap_client_logout_async, error);
}
