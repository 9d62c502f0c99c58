/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-imap"

#include "tern-imap-client-private.h"

/* IDLE (RFC 2177) for TernImapClient, or NOOP polling when the server lacks
 * it. Updates arrive through the client's dispatch as signals. A command
 * submitted while IDLE runs makes the client send DONE first; IDLE then
 * stays off until idle_start() is called again. The client re-issues IDLE
 * every reissue_seconds (default 25 min, below the 29 min RFC limit). */

static void
idle_clear_timer (TernImapIdle *idle)
{
  if (idle->timer != NULL)
    {
      g_source_destroy (idle->timer);
      g_clear_pointer (&idle->timer, g_source_unref);
    }
}

static GSource *
add_timer (TernImapClient *self,
           guint           seconds,
           GSourceFunc     func)
{
  GSource *source = g_timeout_source_new_seconds (seconds);

  g_source_set_callback (source, func, self, NULL);
  g_source_set_name (source, "[tern-imap] idle timer");
  g_source_attach (source, tern_imap_client_get_context (self));
  return source;
}

static void
send_done (TernImapClient *self)
{
  TernImapIdle *idle = tern_imap_client_get_idle (self);

  if (idle->cmd == NULL || idle->done_sent)
    return;
  if (!idle->accepted)
    {
      /* DONE goes out as soon as the server's "+" arrives. */
      idle->done_wanted = TRUE;
      return;
    }
  idle->done_sent = TRUE;
  idle->cmd->no_timeout = FALSE; /* the tagged OK must come now */
  idle_clear_timer (idle);
  tern_imap_client_send_raw (self, "DONE", FALSE);
}

static gboolean
reissue_cb (gpointer user_data)
{
  TernImapClient *self = user_data;
  TernImapIdle *idle = tern_imap_client_get_idle (self);

  g_clear_pointer (&idle->timer, g_source_unref);
  g_debug ("re-issuing IDLE");
  send_done (self); /* wanted stays TRUE: the empty queue restarts it */
  return G_SOURCE_REMOVE;
}

static void
idle_continuation (TernImapClient   *self,
                   TernImapCommand  *cmd,
                   TernImapResponse *response)
{
  TernImapIdle *idle = tern_imap_client_get_idle (self);

  if (cmd != idle->cmd || idle->accepted)
    return;
  idle->accepted = TRUE;
  tern_imap_client_set_state (self, TERN_IMAP_CLIENT_STATE_IDLE);
  if (idle->done_wanted)
    {
      send_done (self);
      return;
    }
  idle_clear_timer (idle);
  idle->timer = add_timer (self, idle->reissue_seconds, reissue_cb);
}

static void
finish_stop_tasks (TernImapIdle *idle,
                   const GError *error)
{
  g_autoptr(GPtrArray) tasks = NULL;

  if (idle->stop_tasks == NULL || idle->stop_tasks->len == 0)
    return;
  tasks = g_steal_pointer (&idle->stop_tasks);
  idle->stop_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < tasks->len; i++)
    {
      GTask *task = g_ptr_array_index (tasks, i);
      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

static void
idle_done (TernImapClient   *self,
           TernImapCommand  *cmd,
           TernImapResponse *tagged,
           const GError     *error)
{
  TernImapIdle *idle = tern_imap_client_get_idle (self);

  if (idle->cmd == cmd)
    {
      g_clear_pointer (&idle->cmd, tern_imap_command_unref);
      idle->accepted = FALSE;
      idle->done_sent = FALSE;
      idle->done_wanted = FALSE;
      idle_clear_timer (idle);
      if (tern_imap_client_get_state (self) == TERN_IMAP_CLIENT_STATE_IDLE)
        tern_imap_client_set_state (self, TERN_IMAP_CLIENT_STATE_SELECTED);
    }
  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("IDLE ended: %s", error->message);
      idle->wanted = FALSE;
    }
  finish_stop_tasks (idle, error);
}

static void
issue_idle (TernImapClient *self)
{
  TernImapIdle *idle = tern_imap_client_get_idle (self);
  g_autoptr(TernImapCommand) cmd = tern_imap_client_simple_command (self, "IDLE", NULL);

  cmd->internal = TRUE;
  cmd->no_timeout = TRUE;
  cmd->continuation = idle_continuation;
  cmd->done = idle_done;
  idle->cmd = tern_imap_command_ref (cmd);
  idle->accepted = FALSE;
  idle->done_sent = FALSE;
  idle->done_wanted = FALSE;
  tern_imap_client_submit (self, cmd);
}

static gboolean
poll_cb (gpointer user_data)
{
  TernImapClient *self = user_data;
  g_autoptr(TernImapCommand) cmd = NULL;

  if (!tern_imap_client_is_busy (self))
    {
      cmd = tern_imap_client_simple_command (self, "NOOP", NULL);
      cmd->internal = TRUE;
      tern_imap_client_submit (self, cmd);
    }
  return G_SOURCE_CONTINUE;
}

gboolean
tern_imap_idle_yield (TernImapClient *self)
{
  TernImapIdle *idle = tern_imap_client_get_idle (self);

  if (idle->polling)
    {
      idle->polling = FALSE;
      idle->wanted = FALSE;
      idle_clear_timer (idle);
      if (tern_imap_client_get_state (self) == TERN_IMAP_CLIENT_STATE_IDLE)
        tern_imap_client_set_state (self, TERN_IMAP_CLIENT_STATE_SELECTED);
      return FALSE;
    }
  if (idle->cmd == NULL)
    return FALSE;
  /* A command of the caller: end IDLE; the caller restarts it. */
  idle->wanted = FALSE;
  send_done (self);
  return TRUE;
}

void
tern_imap_idle_queue_empty (TernImapClient *self)
{
  TernImapIdle *idle = tern_imap_client_get_idle (self);

  if (!idle->wanted || idle->polling || idle->cmd != NULL)
    return;
  if (tern_imap_client_get_state (self) != TERN_IMAP_CLIENT_STATE_SELECTED)
    return;
  issue_idle (self);
}

void
tern_imap_idle_reset (TernImapClient *self)
{
  TernImapIdle *idle = tern_imap_client_get_idle (self);

  idle_clear_timer (idle);
  idle->wanted = FALSE;
  idle->polling = FALSE;
  idle->accepted = FALSE;
  idle->done_sent = FALSE;
  idle->done_wanted = FALSE;
  /* idle->cmd is failed with the other pending commands (idle_done). */
}

gboolean
tern_imap_client_idle_start (TernImapClient  *self,
                             GError         **error)
{
  TernImapIdle *idle;

  g_return_val_if_fail (TERN_IMAP_IS_CLIENT (self), FALSE);
  idle = tern_imap_client_get_idle (self);

  if (!tern_imap_client_check_state (self, TERN_IMAP_CLIENT_STATE_SELECTED, error))
    return FALSE;
  if (idle->wanted)
    return TRUE;
  idle->wanted = TRUE;

  if (!tern_imap_client_can_use (self, "IDLE"))
    {
      g_debug ("no IDLE: polling with NOOP every %u s", idle->poll_seconds);
      idle->polling = TRUE;
      idle_clear_timer (idle);
      idle->timer = add_timer (self, idle->poll_seconds, poll_cb);
      tern_imap_client_set_state (self, TERN_IMAP_CLIENT_STATE_IDLE);
      return TRUE;
    }
  if (idle->cmd == NULL && !tern_imap_client_is_busy (self))
    issue_idle (self);
  return TRUE;
}

void
tern_imap_client_idle_stop_async (TernImapClient      *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TernImapIdle *idle;

  g_return_if_fail (TERN_IMAP_IS_CLIENT (self));
  idle = tern_imap_client_get_idle (self);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_imap_client_idle_stop_async);
  g_task_set_name (task, "[tern-imap] IDLE stop");

  idle->wanted = FALSE;
  if (idle->polling)
    {
      idle->polling = FALSE;
      idle_clear_timer (idle);
      if (tern_imap_client_get_state (self) == TERN_IMAP_CLIENT_STATE_IDLE)
        tern_imap_client_set_state (self, TERN_IMAP_CLIENT_STATE_SELECTED);
    }
  if (idle->cmd == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_ptr_array_add (idle->stop_tasks, g_steal_pointer (&task));
  send_done (self);
}

gboolean
tern_imap_client_idle_stop_finish (TernImapClient  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
tern_imap_client_is_idle (TernImapClient *self)
{
  g_return_val_if_fail (TERN_IMAP_IS_CLIENT (self), FALSE);
  return tern_imap_client_get_state (self) == TERN_IMAP_CLIENT_STATE_IDLE;
}
