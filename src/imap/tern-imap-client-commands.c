/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-imap"

#include "tern-imap-client-private.h"

/* The IMAP commands of TernImapClient: each builds a TernImapCommand,
 * collects the untagged data it expects and turns the tagged reply into
 * its result. */

static GTask *
new_task (TernImapClient      *self,
          gpointer             source_tag,
          const char          *name,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, name);
  return task;
}

static gboolean
check_state (TernImapClient      *self,
             GTask               *task,
             TernImapClientState  at_least)
{
  GError *error = NULL;

  if (!tern_imap_client_check_state (self, at_least, &error))
    {
      g_task_return_error (task, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_capability (TernImapClient *self,
                  GTask          *task,
                  const char     *capability)
{
  if (!tern_imap_client_has_capability (self, capability))
    {
      g_task_return_new_error (task, TERN_IMAP_ERROR, TERN_IMAP_ERROR_UNSUPPORTED,
                               "%s does not support %s", tern_imap_client_get_host (self),
                               capability);
      return FALSE;
    }
  return TRUE;
}

TernImapCommand *
tern_imap_client_simple_command (TernImapClient *self,
                                 const char     *name,
                                 GTask          *task)
{
  TernImapCommand *cmd = tern_imap_command_new (self, name, task);

  tern_imap_command_add (cmd, name);
  return cmd;
}

static gboolean
finish_boolean (TernImapClient  *self,
                GAsyncResult    *result,
                gpointer         source_tag,
                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gpointer
finish_pointer (TernImapClient  *self,
                GAsyncResult    *result,
                gpointer         source_tag,
                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
append_flag_list (TernImapCommand   *cmd,
                  const char *const *flags)
{
  tern_imap_command_add (cmd, "(");
  for (guint i = 0; flags != NULL && flags[i] != NULL; i++)
    {
      if (i > 0)
        tern_imap_command_add (cmd, " ");
      tern_imap_command_add (cmd, flags[i]);
    }
  tern_imap_command_add (cmd, ")");
}

static gboolean
valid_flags (const char *const *flags)
{
  for (guint i = 0; flags != NULL && flags[i] != NULL; i++)
    {
      const char *p = flags[i];

      if (*p == '\\')
        p++;
      if (*p == '\0')
        return FALSE;
      for (; *p != '\0'; p++)
        if (*p <= ' ' || *p >= 0x7f || strchr ("(){%*\"\\]", *p) != NULL)
          return FALSE;
    }
  return TRUE;
}

static gboolean
valid_sequence_set (const char *set)
{
  if (set == NULL || *set == '\0')
    return FALSE;
  for (const char *p = set; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && *p != ':' && *p != ',' && *p != '*')
      return FALSE;
  return TRUE;
}

static gboolean
check_sequence_set (GTask      *task,
                    const char *set)
{
  if (!valid_sequence_set (set))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "Not a UID set: “%s”", set ? set : "(null)");
      return FALSE;
    }
  return TRUE;
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

static void
steal_array_done (TernImapClient   *self,
                  TernImapCommand  *cmd,
                  TernImapResponse *tagged,
                  const GError     *error)
{
  GTask *task;

  if (error != NULL || cmd->task == NULL)
    return;
  task = g_steal_pointer (&cmd->task);
  g_task_return_pointer (task, g_steal_pointer (&cmd->data), cmd->data_free);
  g_object_unref (task);
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
 * UID SEARCH
 * ------------------------------------------------------------------------ */

typedef struct {
  char     *text;
  gboolean  is_string;
} SearchItem;

struct _TernImapSearchQuery {
  GPtrArray *items;
};

static void
search_item_free (SearchItem *item)
{
  g_free (item->text);
  g_free (item);
}

static void
search_add (TernImapSearchQuery *search,
            const char          *text,
            gboolean             is_string)
{
  SearchItem *item = g_new0 (SearchItem, 1);

  item->text = g_strdup (text);
  item->is_string = is_string;
  g_ptr_array_add (search->items, item);
}

TernImapSearchQuery *
tern_imap_search_query_new (void)
{
  TernImapSearchQuery *search = g_new0 (TernImapSearchQuery, 1);

  search->items = g_ptr_array_new_with_free_func ((GDestroyNotify) search_item_free);
  return search;
}

void
tern_imap_search_query_free (TernImapSearchQuery *search)
{
  if (search == NULL)
    return;
  g_ptr_array_unref (search->items);
  g_free (search);
}

void
tern_imap_search_query_add_raw (TernImapSearchQuery *search,
                                const char          *keys)
{
  search_add (search, keys, FALSE);
}

void
tern_imap_search_query_add_header (TernImapSearchQuery *search,
                                   const char          *field,
                                   const char          *value)
{
  search_add (search, "HEADER", FALSE);
  search_add (search, field, TRUE);
  search_add (search, value, TRUE);
}

void
tern_imap_search_query_add_keyword (TernImapSearchQuery *search,
                                    const char          *keyword,
                                    gboolean             present)
{
  search_add (search, present ? "KEYWORD" : "UNKEYWORD", FALSE);
  search_add (search, keyword, FALSE);
}

void
tern_imap_search_query_add_string (TernImapSearchQuery *search,
                                   const char          *key,
                                   const char          *value)
{
  search_add (search, key, FALSE);
  search_add (search, value, TRUE);
}

static gboolean
search_untagged (TernImapClient   *self,
                 TernImapCommand  *cmd,
                 TernImapResponse *response)
{
  g_autoptr(GArray) uids = NULL;

  if (!tern_imap_response_is_data (response, "SEARCH"))
    return FALSE;
  uids = tern_imap_search_decode (response, NULL, NULL);
  if (uids != NULL)
    g_array_append_vals (cmd->data, uids->data, uids->len);
  return TRUE;
}

void
tern_imap_client_uid_search_async (TernImapClient            *self,
                                   const TernImapSearchQuery *search,
                                   GCancellable              *cancellable,
                                   GAsyncReadyCallback        callback,
                                   gpointer                   user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_uid_search_async,
                                    "[tern-imap] UID SEARCH", cancellable, callback, user_data);
  g_autoptr(TernImapCommand) cmd = NULL;
  gboolean utf8 = FALSE;

  g_return_if_fail (search != NULL);
  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_SELECTED))
    return;
  for (guint i = 0; i < search->items->len; i++)
    {
      SearchItem *item = g_ptr_array_index (search->items, i);
      for (const char *p = item->text; item->is_string && *p; p++)
        if ((guchar) *p >= 0x80)
          utf8 = TRUE;
    }

  cmd = tern_imap_command_new (self, "UID SEARCH", task);
  tern_imap_command_add (cmd, "UID SEARCH");
  if (utf8 && !cmd->utf8_accept)
    tern_imap_command_add (cmd, " CHARSET UTF-8");
  if (search->items->len == 0)
    tern_imap_command_add (cmd, " ALL");
  for (guint i = 0; i < search->items->len; i++)
    {
      SearchItem *item = g_ptr_array_index (search->items, i);

      tern_imap_command_add (cmd, " ");
      if (item->is_string)
        tern_imap_command_add_string (cmd, item->text, -1, FALSE);
      else
        tern_imap_command_add (cmd, item->text);
    }
  cmd->data = g_array_new (FALSE, FALSE, sizeof (guint32));
  cmd->data_free = (GDestroyNotify) g_array_unref;
  cmd->untagged = search_untagged;
  cmd->done = steal_array_done;
  tern_imap_client_submit (self, cmd);
}

GArray *
tern_imap_client_uid_search_finish (TernImapClient  *self,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  return finish_pointer (self, result, tern_imap_client_uid_search_async, error);
}

/* ------------------------------------------------------------------------
 * UID FETCH (streamed in batches)
 * ------------------------------------------------------------------------ */

typedef struct {
  TernImapFetchBatchFunc  func;
  gpointer                func_data;
  GPtrArray              *batch;
  gsize                   batch_bytes;
  guint                   max_count;
  gsize                   max_bytes;
  guint                   n_fetched;
} FetchData;

static void
fetch_data_free (FetchData *data)
{
  g_ptr_array_unref (data->batch);
  g_free (data);
}

static void
fetch_flush (TernImapClient  *self,
             TernImapCommand *cmd)
{
  FetchData *data = cmd->data;

  if (data->batch->len == 0)
    return;
  if (!cmd->cancelled && data->func != NULL)
    data->func (self, data->batch, data->func_data);
  g_ptr_array_set_size (data->batch, 0);
  data->batch_bytes = 0;
}

static gboolean
fetch_untagged (TernImapClient   *self,
                TernImapCommand  *cmd,
                TernImapResponse *response)
{
  FetchData *data = cmd->data;
  g_autoptr(GError) error = NULL;
  TernImapFetch *fetch;

  if (!tern_imap_response_is_data (response, "FETCH"))
    return FALSE;
  if (cmd->cancelled)
    return TRUE;
  fetch = tern_imap_fetch_decode (response, &error);
  if (fetch == NULL)
    {
      g_debug ("malformed FETCH: %s", error->message);
      return TRUE;
    }
  if (fetch->uid == 0)
    {
      /* Not part of the UID FETCH answer: an unsolicited flag update. */
      tern_imap_fetch_free (fetch);
      return FALSE;
    }
  for (guint i = 0; i < fetch->sections->len; i++)
    {
      TernImapBodySection *section = g_ptr_array_index (fetch->sections, i);
      if (section->data != NULL)
        data->batch_bytes += g_bytes_get_size (section->data);
    }
  g_ptr_array_add (data->batch, fetch);
  data->n_fetched++;
  if (data->batch->len >= data->max_count || data->batch_bytes >= data->max_bytes)
    fetch_flush (self, cmd);
  return TRUE;
}

static void
fetch_done (TernImapClient   *self,
            TernImapCommand  *cmd,
            TernImapResponse *tagged,
            const GError     *error)
{
  FetchData *data = cmd->data;
  GTask *task;

  if (error != NULL)
    return;
  fetch_flush (self, cmd);
  if (cmd->task == NULL)
    return;
  task = g_steal_pointer (&cmd->task);
  g_task_return_int (task, data->n_fetched);
  g_object_unref (task);
}

void
tern_imap_client_uid_fetch_async (TernImapClient             *self,
                                  const char                 *uid_set,
                                  TernImapFetchWant           items,
                                  const TernImapFetchOptions *options,
                                  TernImapFetchBatchFunc      batch_func,
                                  gpointer                    batch_data,
                                  GCancellable               *cancellable,
                                  GAsyncReadyCallback         callback,
                                  gpointer                    user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_uid_fetch_async,
                                    "[tern-imap] UID FETCH", cancellable, callback, user_data);
  g_autoptr(TernImapCommand) cmd = NULL;
  static const TernImapFetchOptions no_options = { 0 };
  FetchData *data;

  if (options == NULL)
    options = &no_options;
  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_SELECTED) ||
      !check_sequence_set (task, uid_set))
    return;
  if (options->vanished && !tern_imap_client_is_enabled (self, "QRESYNC"))
    {
      g_task_return_new_error (task, TERN_IMAP_ERROR, TERN_IMAP_ERROR_UNSUPPORTED,
                               "VANISHED needs QRESYNC enabled on %s",
                               tern_imap_client_get_host (self));
      return;
    }

  cmd = tern_imap_command_new (self, "UID FETCH", task);
  tern_imap_command_addf (cmd, "UID FETCH %s (UID", uid_set);
  if (items & TERN_IMAP_WANT_FLAGS)
    tern_imap_command_add (cmd, " FLAGS");
  if (items & TERN_IMAP_WANT_INTERNALDATE)
    tern_imap_command_add (cmd, " INTERNALDATE");
  if (items & TERN_IMAP_WANT_RFC822_SIZE)
    tern_imap_command_add (cmd, " RFC822.SIZE");
  if (items & TERN_IMAP_WANT_ENVELOPE)
    tern_imap_command_add (cmd, " ENVELOPE");
  if (items & TERN_IMAP_WANT_BODYSTRUCTURE)
    tern_imap_command_add (cmd, " BODYSTRUCTURE");
  if ((items & TERN_IMAP_WANT_MODSEQ) || options->changed_since != 0)
    tern_imap_command_add (cmd, " MODSEQ");
  if (items & TERN_IMAP_WANT_HEADER)
    {
      if (options->header_fields != NULL && options->header_fields[0] != NULL)
        {
          tern_imap_command_add (cmd, " BODY.PEEK[HEADER.FIELDS (");
          for (guint i = 0; options->header_fields[i] != NULL; i++)
            {
              if (i > 0)
                tern_imap_command_add (cmd, " ");
              tern_imap_command_add_string (cmd, options->header_fields[i], -1, FALSE);
            }
          tern_imap_command_add (cmd, ")]");
        }
      else
        tern_imap_command_add (cmd, " BODY.PEEK[HEADER]");
    }
  for (guint i = 0; options->sections != NULL && options->sections[i] != NULL; i++)
    {
      for (const char *p = options->sections[i]; *p; p++)
        if (!g_ascii_isalnum (*p) && *p != '.')
          {
            g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                     "Not a section: “%s”", options->sections[i]);
            g_clear_object (&cmd->task);
            return;
          }
      tern_imap_command_addf (cmd, " BODY.PEEK[%s]", options->sections[i]);
    }
  if (items & TERN_IMAP_WANT_BODY)
    tern_imap_command_add (cmd, " BODY.PEEK[]");
  tern_imap_command_add (cmd, ")");
  if (options->changed_since != 0)
    tern_imap_command_addf (cmd, " (CHANGEDSINCE %" G_GUINT64_FORMAT "%s)", options->changed_since,
                            options->vanished ? " VANISHED" : "");

  data = g_new0 (FetchData, 1);
  data->func = batch_func;
  data->func_data = batch_data;
  data->batch = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_imap_fetch_free);
  data->max_count = options->batch_count ? options->batch_count : 100;
  data->max_bytes = options->batch_bytes ? options->batch_bytes : 1024 * 1024;
  cmd->data = data;
  cmd->data_free = (GDestroyNotify) fetch_data_free;
  cmd->untagged = fetch_untagged;
  cmd->done = fetch_done;
  tern_imap_client_submit (self, cmd);
}

gboolean
tern_imap_client_uid_fetch_finish (TernImapClient  *self,
                                   GAsyncResult    *result,
                                   guint           *n_fetched,
                                   GError         **error)
{
  gssize n;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  n = g_task_propagate_int (G_TASK (result), error);
  if (n < 0)
    return FALSE;
  if (n_fetched != NULL)
    *n_fetched = (guint) n;
  return TRUE;
}

/* ------------------------------------------------------------------------
 * UID STORE
 * ------------------------------------------------------------------------ */

void
tern_imap_client_uid_store_async (TernImapClient      *self,
                                  const char          *uid_set,
                                  TernImapStoreMode    mode,
                                  const char *const   *flags,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_uid_store_async,
                                    "[tern-imap] UID STORE", cancellable, callback, user_data);
  g_autoptr(TernImapCommand) cmd = NULL;
  const char *prefix = mode == TERN_IMAP_STORE_ADD ? "+" : mode == TERN_IMAP_STORE_REMOVE ? "-" : "";

  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_SELECTED) ||
      !check_sequence_set (task, uid_set))
    return;
  if (!valid_flags (flags))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "Invalid flag or keyword");
      return;
    }
  cmd = tern_imap_command_new (self, "UID STORE", task);
  tern_imap_command_addf (cmd, "UID STORE %s %sFLAGS.SILENT ", uid_set, prefix);
  append_flag_list (cmd, flags);
  tern_imap_client_submit (self, cmd);
}

gboolean
tern_imap_client_uid_store_finish (TernImapClient  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  return finish_boolean (self, result, tern_imap_client_uid_store_async, error);
}

/* ------------------------------------------------------------------------
 * UID COPY / MOVE / EXPUNGE
 * ------------------------------------------------------------------------ */

void
tern_imap_copy_result_free (TernImapCopyResult *result)
{
  if (result == NULL)
    return;
  g_free (result->source_uids);
  g_free (result->dest_uids);
  g_free (result);
}

static gboolean
copy_result_from (TernImapResponse   *response,
                  TernImapCopyResult *result)
{
  g_autoptr(TernImapUidSet) source = NULL;
  g_autoptr(TernImapUidSet) dest = NULL;
  guint32 uidvalidity = 0;

  if (!tern_imap_response_get_copyuid (response, &uidvalidity, &source, &dest))
    return FALSE;
  result->uidvalidity = uidvalidity;
  g_free (result->source_uids);
  g_free (result->dest_uids);
  result->source_uids = tern_imap_uid_set_to_string (source);
  result->dest_uids = tern_imap_uid_set_to_string (dest);
  return TRUE;
}

static gboolean
copy_untagged (TernImapClient   *self,
               TernImapCommand  *cmd,
               TernImapResponse *response)
{
  /* UID MOVE sends COPYUID in an untagged OK. */
  if (tern_imap_response_get_code (response) == TERN_IMAP_CODE_COPYUID)
    return copy_result_from (response, cmd->data);
  return FALSE;
}

static void
copy_done (TernImapClient   *self,
           TernImapCommand  *cmd,
           TernImapResponse *tagged,
           const GError     *error)
{
  GTask *task;

  if (error != NULL || cmd->task == NULL)
    return;
  copy_result_from (tagged, cmd->data);
  task = g_steal_pointer (&cmd->task);
  g_task_return_pointer (task, g_steal_pointer (&cmd->data),
                         (GDestroyNotify) tern_imap_copy_result_free);
  g_object_unref (task);
}

static void
submit_copy (TernImapClient *self,
             const char     *name,
             const char     *uid_set,
             const char     *mailbox,
             GTask          *task)
{
  g_autoptr(TernImapCommand) cmd = tern_imap_command_new (self, name, task);

  tern_imap_command_addf (cmd, "%s %s ", name, uid_set);
  tern_imap_command_add_mailbox (cmd, mailbox);
  cmd->data = g_new0 (TernImapCopyResult, 1);
  cmd->data_free = (GDestroyNotify) tern_imap_copy_result_free;
  cmd->untagged = copy_untagged;
  cmd->done = copy_done;
  tern_imap_client_submit (self, cmd);
}

void
tern_imap_client_uid_copy_async (TernImapClient      *self,
                                 const char          *uid_set,
                                 const char          *mailbox,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_uid_copy_async,
                                    "[tern-imap] UID COPY", cancellable, callback, user_data);

  g_return_if_fail (mailbox != NULL);
  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_SELECTED) ||
      !check_sequence_set (task, uid_set))
    return;
  submit_copy (self, "UID COPY", uid_set, mailbox, task);
}

TernImapCopyResult *
tern_imap_client_uid_copy_finish (TernImapClient  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  return finish_pointer (self, result, tern_imap_client_uid_copy_async, error);
}

typedef struct {
  char               *uid_set;
  TernImapCopyResult *result;
} MoveData;

static void
move_data_free (MoveData *data)
{
  g_free (data->uid_set);
  tern_imap_copy_result_free (data->result);
  g_free (data);
}

static void
move_expunge_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MoveData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!tern_imap_client_expunge_finish (TERN_IMAP_CLIENT (source), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&data->result),
                           (GDestroyNotify) tern_imap_copy_result_free);
}

static void
move_store_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MoveData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!tern_imap_client_uid_store_finish (TERN_IMAP_CLIENT (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  tern_imap_client_expunge_async (TERN_IMAP_CLIENT (source), data->uid_set,
                                  g_task_get_cancellable (task), move_expunge_cb,
                                  g_object_ref (task));
}

static void
move_copy_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MoveData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  static const char *const deleted[] = { "\\Deleted", NULL };

  data->result = tern_imap_client_uid_copy_finish (TERN_IMAP_CLIENT (source), result, &error);
  if (data->result == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  tern_imap_client_uid_store_async (TERN_IMAP_CLIENT (source), data->uid_set, TERN_IMAP_STORE_ADD,
                                    deleted, g_task_get_cancellable (task), move_store_cb,
                                    g_object_ref (task));
}

void
tern_imap_client_uid_move_async (TernImapClient      *self,
                                 const char          *uid_set,
                                 const char          *mailbox,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_uid_move_async,
                                    "[tern-imap] UID MOVE", cancellable, callback, user_data);
  MoveData *data;

  g_return_if_fail (mailbox != NULL);
  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_SELECTED) ||
      !check_sequence_set (task, uid_set))
    return;
  if (tern_imap_client_can_use (self, "MOVE"))
    {
      submit_copy (self, "UID MOVE", uid_set, mailbox, task);
      return;
    }
  g_debug ("no MOVE: UID COPY + UID STORE \\Deleted + expunge");
  data = g_new0 (MoveData, 1);
  data->uid_set = g_strdup (uid_set);
  g_task_set_task_data (task, data, (GDestroyNotify) move_data_free);
  tern_imap_client_uid_copy_async (self, uid_set, mailbox, cancellable, move_copy_cb,
                                   g_object_ref (task));
}

TernImapCopyResult *
tern_imap_client_uid_move_finish (TernImapClient  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  return finish_pointer (self, result, tern_imap_client_uid_move_async, error);
}

void
tern_imap_client_expunge_async (TernImapClient      *self,
                                const char          *uid_set,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_expunge_async, "[tern-imap] EXPUNGE",
                                    cancellable, callback, user_data);
  g_autoptr(TernImapCommand) cmd = NULL;

  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_SELECTED))
    return;
  if (uid_set != NULL && tern_imap_client_can_use (self, "UIDPLUS"))
    {
      if (!check_sequence_set (task, uid_set))
        return;
      cmd = tern_imap_command_new (self, "UID EXPUNGE", task);
      tern_imap_command_addf (cmd, "UID EXPUNGE %s", uid_set);
    }
  else
    cmd = tern_imap_client_simple_command (self, "EXPUNGE", task);
  tern_imap_client_submit (self, cmd);
}

gboolean
tern_imap_client_expunge_finish (TernImapClient  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  return finish_boolean (self, result, tern_imap_client_expunge_async, error);
}

/* ------------------------------------------------------------------------
 * APPEND
 * ------------------------------------------------------------------------ */

static char *
format_date_time (GDateTime *date)
{
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  gint64 offset = g_date_time_get_utc_offset (date) / G_TIME_SPAN_MINUTE;
  char sign = offset < 0 ? '-' : '+';

  if (offset < 0)
    offset = -offset;
  return g_strdup_printf ("%2d-%s-%04d %02d:%02d:%02d %c%02d%02d",
                          g_date_time_get_day_of_month (date),
                          months[g_date_time_get_month (date) - 1], g_date_time_get_year (date),
                          g_date_time_get_hour (date), g_date_time_get_minute (date),
                          g_date_time_get_second (date), sign, (int) (offset / 60),
                          (int) (offset % 60));
}

static void
append_done (TernImapClient   *self,
             TernImapCommand  *cmd,
             TernImapResponse *tagged,
             const GError     *error)
{
  g_autoptr(TernImapUidSet) uids = NULL;
  TernImapAppendResult *result;
  guint32 uidvalidity = 0;
  GTask *task;

  if (error != NULL || cmd->task == NULL)
    return;
  result = g_new0 (TernImapAppendResult, 1);
  if (tern_imap_response_get_appenduid (tagged, &uidvalidity, &uids) &&
      tern_imap_uid_set_get_n_ranges (uids) > 0)
    {
      result->uidvalidity = uidvalidity;
      result->uid = tern_imap_uid_set_get_range (uids, 0).first;
    }
  task = g_steal_pointer (&cmd->task);
  g_task_return_pointer (task, result, g_free);
  g_object_unref (task);
}

void
tern_imap_client_append_async (TernImapClient      *self,
                               const char          *mailbox,
                               const char *const   *flags,
                               GDateTime           *date,
                               GBytes              *message,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_append_async, "[tern-imap] APPEND",
                                    cancellable, callback, user_data);
  g_autoptr(TernImapCommand) cmd = NULL;

  g_return_if_fail (mailbox != NULL && message != NULL);
  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_AUTHENTICATED))
    return;
  if (!valid_flags (flags))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "Invalid flag or keyword");
      return;
    }
  cmd = tern_imap_command_new (self, "APPEND", task);
  tern_imap_command_add (cmd, "APPEND ");
  tern_imap_command_add_mailbox (cmd, mailbox);
  if (flags != NULL && flags[0] != NULL)
    {
      tern_imap_command_add (cmd, " ");
      append_flag_list (cmd, flags);
    }
  if (date != NULL)
    {
      g_autofree char *text = format_date_time (date);
      tern_imap_command_addf (cmd, " \"%s\"", text);
    }
  tern_imap_command_add (cmd, " ");
  tern_imap_command_add_literal (cmd, message);
  cmd->done = append_done;
  tern_imap_client_submit (self, cmd);
}

gboolean
tern_imap_client_append_finish (TernImapClient        *self,
                                GAsyncResult          *result,
                                TernImapAppendResult  *out_result,
                                GError               **error)
{
  g_autofree TernImapAppendResult *res = finish_pointer (self, result,
                                                         tern_imap_client_append_async, error);

  if (res == NULL)
    return FALSE;
  if (out_result != NULL)
    *out_result = *res;
  return TRUE;
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
