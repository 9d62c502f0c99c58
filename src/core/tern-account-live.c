/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-core"

#include <string.h>

#include "tern-account-private.h"

/* The life of a started account: connect → prepare (COI / folders) → sync
 * → IDLE; new mail (EXISTS, a flag FETCH, EXPUNGE) runs another pass; a
 * periodic pass catches what the IDLE folder does not show (the other
 * folders). A lost connection reconnects with exponential backoff and
 * jitter, at once when the network comes back; errors that retrying will
 * not fix (password, certificate) stop in state ERROR.
 *
 * Which folder IDLE watches: on a COI server with filter active, chat
 * messages are delivered straight into Chats, so IDLE watches Chats;
 * otherwise INBOX (where everything arrives first on a plain server). A
 * second connection IDLEs on the other of the two at the same time (see
 * "the second IDLE connection" below). The small commands (APPEND, flag
 * stores, searches, the read pass) use the command connection of
 * tern-account-connect.c, not these two. */

#define BACKOFF_MIN_SECONDS 1
#define BACKOFF_MAX_SECONDS 300
#define PERIODIC_SYNC_SECONDS 120

static void connect_now (TernAccount *self);
static void run_pass (TernAccount *self);

static void
complete_waiters (TernAccount  *self,
                  const GError *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->sync_waiters);

  self->sync_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = waiters->pdata[i];
      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

static guint
backoff_delay_ms (guint attempt)
{
  guint64 base = BACKOFF_MIN_SECONDS * 1000;
  double jitter;

  for (guint i = 0; i < attempt && base < BACKOFF_MAX_SECONDS * 1000; i++)
    base *= 2;
  base = MIN (base, (guint64) BACKOFF_MAX_SECONDS * 1000);
  jitter = g_random_double_range (0.75, 1.25);
  return (guint) (base * jitter);
}

static gboolean
reconnect_cb (gpointer user_data)
{
  TernAccount *self = user_data;

  self->reconnect_id = 0;
  connect_now (self);
  return G_SOURCE_REMOVE;
}

static void watch_drop (TernAccount *self);

static void
drop_connection (TernAccount *self)
{
  watch_drop (self);
  if (self->imap != NULL)
    {
      g_clear_signal_handler (&self->exists_id, self->imap);
      g_clear_signal_handler (&self->closed_id, self->imap);
      g_clear_signal_handler (&self->fetch_id, self->imap);
      tern_imap_client_close (self->imap);
      g_clear_object (&self->imap);
    }
}

/* A failure of the running connection: retry later or stop for good. */
static void
connection_failed (TernAccount  *self,
                   const GError *error)
{
  g_autoptr(GError) wrapped = tern_core_error_wrap (error, NULL);
  guint delay;

  drop_connection (self);
  self->sync_running = FALSE;
  tern_account_set_syncing (self, FALSE, self->progress);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !self->started)
    {
      complete_waiters (self, error);
      return;
    }
  if (!tern_core_error_is_transient (wrapped))
    {
      g_debug ("%s: stopping: %s", self->row->address, wrapped->message);
      complete_waiters (self, wrapped);
      tern_account_set_state (self, TERN_ACCOUNT_STATE_ERROR, wrapped);
      return;
    }
  delay = backoff_delay_ms (self->backoff_attempt++);
  g_debug ("%s: connection lost (%s); retry in %u ms", self->row->address, wrapped->message,
           delay);
  tern_account_set_state (self, TERN_ACCOUNT_STATE_OFFLINE, wrapped);
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  if (tern_context_get_network_available (self->context))
    self->reconnect_id = g_timeout_add (delay, reconnect_cb, self);
}

static const char *
idle_folder (TernAccount *self)
{
  const char *chats = tern_account_get_folder_name (self, TERN_STORE_FOLDER_ROLE_CHATS);

  if (self->coi_server && self->row->filter_mode == TERN_STORE_FILTER_ACTIVE && chats != NULL)
    return chats;
  return "INBOX";
}

static void
idle_selected_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TernAccount) self = user_data;
  g_autoptr(GError) error = NULL;

  if (self->imap != TERN_IMAP_CLIENT (object))
    return; /* a stale connection */
  if (!tern_imap_client_select_finish (self->imap, result, &error))
    {
      connection_failed (self, error);
      return;
    }
  /* mail that came between the pass's look at this folder and now */
  {
    const char *name = tern_imap_client_get_selected_mailbox (self->imap);
    g_autoptr(TernStoreFolderRow) folder = tern_store_find_folder (tern_context_get_store (self->context),
                                                                   self->row->id, name, NULL);
    if (folder != NULL && folder->uidvalidity == tern_imap_client_get_uidvalidity (self->imap) &&
        tern_imap_client_get_uidnext (self->imap) > folder->uidnext)
      self->sync_again = TRUE;
  }
  if (self->sync_again)
    {
      run_pass (self);
      return;
    }
  if (!tern_imap_client_idle_start (self->imap, &error))
    connection_failed (self, error);
}

/* ---- the second IDLE connection ------------------------------------------------ */

/* The main connection IDLEs on one folder (idle_folder()); a second one
 * IDLEs on the other of INBOX and Chats at the same time, so a message the
 * COI server files straight into Chats (or a copy another device appends
 * there) is seen at once, as is a classic mail in INBOX. Any change it
 * reports runs a pass on the main connection. It follows the main one:
 * opened once a pass has finished, dropped with it. */

static void watch_open (TernAccount *self);

static const char *
watch_folder (TernAccount *self)
{
  const char *chats = tern_account_get_folder_name (self, TERN_STORE_FOLDER_ROLE_CHATS);
  const char *main_folder = idle_folder (self);

  if (chats == NULL || g_strcmp0 (chats, "INBOX") == 0)
    return NULL;
  return g_strcmp0 (main_folder, "INBOX") == 0 ? chats : "INBOX";
}

static void
watch_drop (TernAccount *self)
{
  TernAccountEngine *engine = tern_account_engine (self);

  g_clear_handle_id (&engine->watch_retry_id, g_source_remove);
  if (engine->watch != NULL)
    {
      g_signal_handlers_disconnect_by_data (engine->watch, self);
      engine->watch_exists_id = engine->watch_closed_id = 0;
      tern_imap_client_close (engine->watch);
      g_clear_object (&engine->watch);
    }
  g_clear_pointer (&engine->watch_folder, g_free);
}

static gboolean
watch_retry_cb (gpointer user_data)
{
  TernAccount *self = user_data;

  tern_account_engine (self)->watch_retry_id = 0;
  watch_open (self);
  return G_SOURCE_REMOVE;
}

static void
watch_failed (TernAccount  *self,
              const GError *error)
{
  TernAccountEngine *engine = tern_account_engine (self);

  g_debug ("%s: second IDLE connection lost: %s", self->row->address,
           error != NULL ? error->message : "closed");
  watch_drop (self);
  if (!self->started || self->imap == NULL)
    return;
  engine->watch_retry_id = g_timeout_add (backoff_delay_ms (engine->watch_attempt++),
                                          watch_retry_cb, self);
}

static void
watch_exists_cb (TernImapClient *imap,
                 guint           n,
                 TernAccount    *self)
{
  if (tern_imap_client_is_idle (imap))
    {
      g_debug ("%s: change in %s (second IDLE)", self->row->address,
               tern_imap_client_get_selected_mailbox (imap));
      run_pass (self);
    }
}

static void
watch_fetch_cb (TernImapClient *imap,
                gpointer        fetch,
                TernAccount    *self)
{
  watch_exists_cb (imap, 0, self);
}

static void
watch_closed_cb (TernImapClient *imap,
                 const GError   *error,
                 TernAccount    *self)
{
  if (imap != tern_account_engine (self)->watch)
    return;
  watch_failed (self, error);
}

static void
watch_selected_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TernAccount) self = user_data;
  TernAccountEngine *engine = tern_account_engine (self);
  g_autoptr(GError) error = NULL;

  if (engine->watch != TERN_IMAP_CLIENT (object))
    return;
  if (!tern_imap_client_select_finish (engine->watch, result, &error)
      || !tern_imap_client_idle_start (engine->watch, &error))
    {
      watch_failed (self, error);
      return;
    }
  engine->watch_attempt = 0;
  /* what came between the last pass and this SELECT */
  run_pass (self);
}

static void
watch_opened_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TernAccount) self = user_data;
  TernAccountEngine *engine = tern_account_engine (self);
  g_autoptr(GError) error = NULL;
  TernImapClient *imap = tern_account_open_imap_finish (self, result, &error);

  engine->watch_opening = FALSE;
  if (imap == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        watch_failed (self, error);
      return;
    }
  if (!self->started || self->imap == NULL || engine->watch_folder == NULL)
    {
      tern_imap_client_close (imap);
      g_object_unref (imap);
      return;
    }
  engine->watch = imap;
  engine->watch_exists_id = g_signal_connect (imap, "exists", G_CALLBACK (watch_exists_cb), self);
  engine->watch_closed_id = g_signal_connect (imap, "closed", G_CALLBACK (watch_closed_cb), self);
  g_signal_connect (imap, "fetch", G_CALLBACK (watch_fetch_cb), self);
  tern_imap_client_select_async (imap, engine->watch_folder, TRUE, FALSE, NULL,
                                 self->run_cancellable, watch_selected_cb, g_object_ref (self));
}

static void
watch_open (TernAccount *self)
{
  TernAccountEngine *engine = tern_account_engine (self);
  const char *folder;

  if (!self->started || self->imap == NULL || engine->watch_opening
      || engine->watch_retry_id != 0 || engine->watch_disabled)
    return;
  folder = watch_folder (self);
  if (engine->watch != NULL && g_strcmp0 (folder, engine->watch_folder) == 0)
    return;
  watch_drop (self);
  if (folder == NULL || !tern_imap_client_has_capability (self->imap, "IDLE"))
    return;
  engine->watch_folder = g_strdup (folder);
  engine->watch_opening = TRUE;
  tern_account_open_imap_async (self, self->run_cancellable, watch_opened_cb,
                                g_object_ref (self));
}

static void
pass_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(TernAccount) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!tern_account_sync_folders_finish (self, result, &error))
    {
      connection_failed (self, error);
      return;
    }
  self->sync_running = FALSE;
  self->backoff_attempt = 0;
  tern_account_set_syncing (self, FALSE, 1.0);
  complete_waiters (self, NULL);
  if (self->imap == NULL)
    return;
  if (self->sync_again)
    {
      run_pass (self);
      return;
    }
  watch_open (self);
  tern_imap_client_select_async (self->imap, idle_folder (self), FALSE,
                                 tern_imap_client_has_capability (self->imap, "CONDSTORE"), NULL,
                                 self->run_cancellable, idle_selected_cb, g_object_ref (self));
}

static void
run_pass (TernAccount *self)
{
  if (self->imap == NULL || self->state != TERN_ACCOUNT_STATE_ONLINE)
    return;
  if (self->sync_running)
    {
      self->sync_again = TRUE;
      return;
    }
  self->sync_again = FALSE;
  self->sync_running = TRUE;
  tern_account_sync_folders_async (self, self->imap, self->run_cancellable, pass_done_cb,
                                   g_object_ref (self));
}

static gboolean
periodic_cb (gpointer user_data)
{
  TernAccount *self = user_data;

  run_pass (self);
  return G_SOURCE_CONTINUE;
}

static void
exists_cb (TernImapClient *imap,
           guint           n,
           TernAccount    *self)
{
  /* new mail or a change while idle: a pass (commands end the IDLE by
   * themselves). EXISTS while a pass runs is the pass's own SELECTs. */
  if (!tern_imap_client_is_idle (imap))
    return;
  run_pass (self);
}

static void
fetch_cb (TernImapClient *imap,
          gpointer        fetch,
          TernAccount    *self)
{
  if (tern_imap_client_is_idle (imap))
    exists_cb (imap, 0, self);
}

static void
closed_cb (TernImapClient *imap,
           const GError   *error,
           TernAccount    *self)
{
  g_autoptr(GError) lost = NULL;

  if (imap != self->imap)
    return;
  if (error == NULL)
    lost = g_error_new_literal (TERN_IMAP_ERROR, TERN_IMAP_ERROR_TRANSIENT,
                                "The server closed the connection");
  else
    lost = g_error_copy (error);
  connection_failed (self, lost);
}

static void
prepared_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TernAccount) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!tern_account_prepare_finish (self, result, &error))
    {
      connection_failed (self, error);
      return;
    }
  tern_account_set_state (self, TERN_ACCOUNT_STATE_ONLINE, NULL);
  run_pass (self);
}

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(TernAccount) self = user_data;
  g_autoptr(GError) error = NULL;
  TernImapClient *imap = tern_account_open_imap_finish (self, result, &error);

  if (imap == NULL)
    {
      connection_failed (self, error);
      return;
    }
  if (!self->started && self->sync_waiters->len == 0)
    {
      tern_imap_client_close (imap);
      g_object_unref (imap);
      return;
    }
  self->imap = imap;
  self->exists_id = g_signal_connect (imap, "exists", G_CALLBACK (exists_cb), self);
  self->fetch_id = g_signal_connect (imap, "fetch", G_CALLBACK (fetch_cb), self);
  self->closed_id = g_signal_connect (imap, "closed", G_CALLBACK (closed_cb), self);
  tern_account_prepare_async (self, imap, self->run_cancellable, prepared_cb, g_object_ref (self));
}

static void
connect_now (TernAccount *self)
{
  if (self->imap != NULL)
    return;
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  if (self->run_cancellable == NULL)
    self->run_cancellable = g_cancellable_new ();
  tern_account_set_state (self, TERN_ACCOUNT_STATE_CONNECTING, NULL);
  tern_account_open_imap_async (self, self->run_cancellable, opened_cb, g_object_ref (self));
}

void
tern_account_start (TernAccount *self)
{
  g_return_if_fail (TERN_IS_ACCOUNT (self));

  if (self->started)
    return;
  self->started = TRUE;
  self->backoff_attempt = 0;
  g_clear_handle_id (&self->periodic_id, g_source_remove);
  self->periodic_id = g_timeout_add_seconds (PERIODIC_SYNC_SECONDS, periodic_cb, self);
  if (self->imap == NULL)
    connect_now (self);
}

static void
logout_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  tern_imap_client_logout_finish (TERN_IMAP_CLIENT (object), result, NULL);
}

void
tern_account_stop (TernAccount *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (TERN_IS_ACCOUNT (self));

  self->started = FALSE;
  g_clear_handle_id (&self->periodic_id, g_source_remove);
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  tern_account_command_imap_close (self);
  if (g_object_get_data (G_OBJECT (self), "tern-account-engine") != NULL)
    watch_drop (self);
  if (self->run_cancellable != NULL)
    {
      g_cancellable_cancel (self->run_cancellable);
      g_clear_object (&self->run_cancellable);
    }
  if (self->imap != NULL)
    {
      TernImapClient *imap = g_object_ref (self->imap);
      g_clear_signal_handler (&self->exists_id, self->imap);
      g_clear_signal_handler (&self->closed_id, self->imap);
      g_clear_signal_handler (&self->fetch_id, self->imap);
      g_clear_object (&self->imap);
      if (tern_imap_client_get_state (imap) != TERN_IMAP_CLIENT_STATE_DISCONNECTED)
        tern_imap_client_logout_async (imap, NULL, logout_cb, NULL);
      g_object_unref (imap);
    }
  self->sync_running = FALSE;
  self->sync_again = FALSE;
  if (self->sync_waiters != NULL && self->sync_waiters->len > 0)
    {
      error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The account was stopped");
      complete_waiters (self, error);
    }
  if (self->state != TERN_ACCOUNT_STATE_ERROR && self->row != NULL)
    tern_account_set_state (self, TERN_ACCOUNT_STATE_OFFLINE, NULL);
}

void
tern_account_network_changed (TernAccount *self,
                              gboolean     available)
{
  if (!self->started)
    return;
  if (available && self->imap == NULL)
    {
      self->backoff_attempt = 0;
      connect_now (self);
    }
  else if (!available)
    g_clear_handle_id (&self->reconnect_id, g_source_remove);
}

/* ---- sync once ------------------------------------------------------------------ */

typedef struct {
  TernImapClient *imap;
} OnceData;

static void
once_data_free (OnceData *data)
{
  if (data->imap != NULL)
    tern_imap_client_close (data->imap);
  g_clear_object (&data->imap);
  g_free (data);
}

static void
once_logout_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  tern_imap_client_logout_finish (TERN_IMAP_CLIENT (object), result, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
once_synced_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  OnceData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!tern_account_sync_folders_finish (self, result, &error))
    {
      tern_account_set_syncing (self, FALSE, self->progress);
      tern_account_set_state (self, tern_core_error_is_transient (error) ? TERN_ACCOUNT_STATE_OFFLINE
                                                                         : TERN_ACCOUNT_STATE_ERROR,
                              error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_debug ("T %.1f: sync once: pass done", (g_get_monotonic_time () % 100000000) / 1000.0);
  tern_account_set_syncing (self, FALSE, 1.0);
  tern_account_set_state (self, TERN_ACCOUNT_STATE_OFFLINE, NULL);
  tern_imap_client_logout_async (data->imap, NULL, once_logout_cb, g_steal_pointer (&task));
}

static void
once_prepared_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  OnceData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!tern_account_prepare_finish (self, result, &error))
    {
      tern_account_set_state (self, TERN_ACCOUNT_STATE_ERROR, error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  tern_account_set_state (self, TERN_ACCOUNT_STATE_ONLINE, NULL);
  g_debug ("T %.1f: sync once: folders prepared", (g_get_monotonic_time () % 100000000) / 1000.0);
  {
    GTask *task_ = g_steal_pointer (&task);
    tern_account_sync_folders_async (self, data->imap, g_task_get_cancellable (task_), once_synced_cb,
                                     task_);
  }
}

static void
once_opened_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  OnceData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->imap = tern_account_open_imap_finish (self, result, &error);
  if (data->imap == NULL)
    {
      tern_account_set_state (self, tern_core_error_is_transient (error) ? TERN_ACCOUNT_STATE_OFFLINE
                                                                         : TERN_ACCOUNT_STATE_ERROR,
                              error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_debug ("T %.1f: sync once: logged in", (g_get_monotonic_time () % 100000000) / 1000.0);
  {
    GTask *task_ = g_steal_pointer (&task);
    tern_account_prepare_async (self, data->imap, g_task_get_cancellable (task_), once_prepared_cb,
                                task_);
  }
}

void
tern_account_sync_once_async (TernAccount         *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TERN_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_account_sync_once_async);
  g_task_set_name (task, "[tern-core] sync once");

  if (self->started)
    {
      /* the running connection does it: wait for the next complete pass */
      g_ptr_array_add (self->sync_waiters, g_steal_pointer (&task));
      if (self->imap != NULL && self->state == TERN_ACCOUNT_STATE_ONLINE)
        run_pass (self);
      else if (self->imap == NULL && self->reconnect_id == 0)
        connect_now (self);
      return;
    }
  g_task_set_task_data (task, g_new0 (OnceData, 1), (GDestroyNotify) once_data_free);
  g_debug ("T %.1f: sync once: connecting", (g_get_monotonic_time () % 100000000) / 1000.0);
  tern_account_set_state (self, TERN_ACCOUNT_STATE_CONNECTING, NULL);
  tern_account_open_imap_async (self, cancellable, once_opened_cb, g_steal_pointer (&task));
}

gboolean
tern_account_sync_once_finish (TernAccount  *self,
                               GAsyncResult *result,
                               GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- filter mode -------------------------------------------------------------- */

static void
filter_saved_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!tern_store_commit_finish (TERN_STORE (object), result, &error))
    {
      g_task_return_error (task, tern_core_error_wrap (error, NULL));
      return;
    }
  g_object_notify (G_OBJECT (self), "filter-mode");
  /* a running account applies it (METADATA on a COI server) at once */
  if (self->started && self->imap != NULL)
    {
      drop_connection (self);
      self->sync_running = FALSE;
      connect_now (self);
    }
  g_task_return_boolean (task, TRUE);
}

void
tern_account_set_filter_mode_async (TernAccount         *self,
                                    TernFilterMode       mode,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TernStore *store;
  g_autoptr(TernStoreBatch) batch = NULL;

  g_return_if_fail (TERN_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_account_set_filter_mode_async);
  self->row->filter_mode = (TernStoreFilterMode) mode;
  store = tern_context_get_store (self->context);
  batch = tern_store_begin_batch (store);
  tern_store_batch_update_account (batch, self->row);
  tern_store_commit_async (store, batch, cancellable, filter_saved_cb, g_steal_pointer (&task));
}

gboolean
tern_account_set_filter_mode_finish (TernAccount  *self,
                                     GAsyncResult *result,
                                     GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
