/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "tern-imap-client-private.h"

G_BEGIN_DECLS

/* Helpers shared by tern-imap-client-commands.c and
 * tern-imap-client-messages.c. */

static inline GTask *
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

static inline gboolean
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

static inline gboolean
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

static inline gboolean
finish_boolean (TernImapClient  *self,
                GAsyncResult    *result,
                gpointer         source_tag,
                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static inline gpointer
finish_pointer (TernImapClient  *self,
                GAsyncResult    *result,
                gpointer         source_tag,
                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static inline void
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

static inline gboolean
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

static inline gboolean
valid_sequence_set (const char *set)
{
  if (set == NULL || *set == '\0')
    return FALSE;
  for (const char *p = set; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && *p != ':' && *p != ',' && *p != '*')
      return FALSE;
  return TRUE;
}

static inline gboolean
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

static inline void
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

G_END_DECLS
