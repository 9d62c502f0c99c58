/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-core"

#include <string.h>

#include "tern-account-private.h"
#include "tern-smtp-error.h"

/* Connections of an account: IMAP and SMTP opened and logged in, and the
 * small one-shot operations the outbox and read receipts need. */

static char *
server_context (const char *what,
                const char *host,
                guint16     port)
{
  return g_strdup_printf ("%s %s:%u", what, host, port);
}

static GError *
login_error (TernAccount  *self,
             const GError *error,
             const char   *what,
             const char   *host,
             guint16       port)
{
  g_autofree char *context = server_context (what, host, port);

  if ((error->domain == TERN_IMAP_ERROR && error->code == TERN_IMAP_ERROR_AUTH) ||
      (error->domain == TERN_SMTP_ERROR && error->code == TERN_SMTP_ERROR_AUTH_FAILED))
    return g_error_new (TERN_CORE_ERROR, TERN_CORE_ERROR_AUTH,
                        "The %s rejected the password for %s (%s)", what,
                        self->row->login != NULL ? self->row->login : self->row->address,
                        error->message);
  return tern_core_error_wrap (error, context);
}

/* ---- IMAP ----------------------------------------------------------------- */

typedef struct {
  TernImapClient *imap;
  char           *password;
} OpenImapData;

static void
open_imap_data_free (OpenImapData *data)
{
  if (data->imap != NULL && tern_imap_client_get_state (data->imap) != TERN_IMAP_CLIENT_STATE_DISCONNECTED)
    tern_imap_client_close (data->imap);
  g_clear_object (&data->imap);
  g_free (data->password);
  g_free (data);
}

static void
imap_login_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  OpenImapData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!tern_imap_client_login_finish (data->imap, result, &error))
    {
      g_task_return_error (task, login_error (self, error, "IMAP server", self->row->imap_host,
                                              self->row->imap_port));
      return;
    }
  tern_account_set_server_info (self, tern_imap_client_get_capabilities (data->imap));
  tern_account_engine (self)->imap_logins++;
  g_task_return_pointer (task, g_steal_pointer (&data->imap), g_object_unref);
}

static void
imap_connect_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  OpenImapData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *context = NULL;

  if (!tern_imap_client_connect_finish (data->imap, result, &error))
    {
      context = server_context ("IMAP server", self->row->imap_host, self->row->imap_port);
      g_task_return_error (task, tern_core_error_wrap (error, context));
      return;
    }
  {
    GTask *task_ = g_steal_pointer (&task);
    tern_imap_client_login_async (data->imap,
                                  self->row->login != NULL ? self->row->login : self->row->address,
                                  data->password, g_task_get_cancellable (task_), imap_login_cb,
                                  task_);
  }
}

static void
imap_password_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  OpenImapData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->password = tern_account_get_password_finish (self, result, &error);
  if (data->password == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->imap = tern_imap_client_new (self->row->imap_host, self->row->imap_port,
                                     tern_account_security_to_net (self->row->imap_security),
                                     tern_account_pin_for_host (self, self->row->imap_host));
  tern_imap_client_set_timeouts (data->imap, 15, 15, 60);
  {
    GTask *task_ = g_steal_pointer (&task);
    tern_imap_client_connect_async (data->imap, g_task_get_cancellable (task_), imap_connect_cb,
                                    task_);
  }
}

void
tern_account_open_imap_async (TernAccount         *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, tern_account_open_imap_async);
  g_task_set_name (task, "[tern-core] open IMAP");
  g_task_set_task_data (task, g_new0 (OpenImapData, 1), (GDestroyNotify) open_imap_data_free);
  tern_account_get_password_async (self, cancellable, imap_password_cb, g_steal_pointer (&task));
}

TernImapClient *
tern_account_open_imap_finish (TernAccount  *self,
                               GAsyncResult *result,
                               GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- the engine's own state ------------------------------------------------ */

#define ENGINE_KEY "tern-account-engine"

static void
engine_free (TernAccountEngine *engine)
{
  if (engine->command != NULL)
    tern_imap_client_close (engine->command);
  g_clear_object (&engine->command);
  g_clear_handle_id (&engine->command_idle_id, g_source_remove);
  g_queue_free_full (engine->command_waiters, g_object_unref);
  if (engine->watch != NULL)
    {
      g_signal_handlers_disconnect_matched (engine->watch, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                            engine->watch_owner);
      tern_imap_client_close (engine->watch);
    }
  g_clear_object (&engine->watch);
  g_clear_handle_id (&engine->watch_retry_id, g_source_remove);
  g_free (engine->watch_folder);
  g_free (engine);
}

TernAccountEngine *
tern_account_engine (TernAccount *self)
{
  TernAccountEngine *engine = g_object_get_data (G_OBJECT (self), ENGINE_KEY);

  if (engine == NULL)
    {
      engine = g_new0 (TernAccountEngine, 1);
      engine->command_waiters = g_queue_new ();
      engine->command_idle_seconds = 30;
      engine->watch_owner = self;
      g_object_set_data_full (G_OBJECT (self), ENGINE_KEY, engine, (GDestroyNotify) engine_free);
    }
  return engine;
}

/* ---- the command connection -------------------------------------------------- */

/* One IMAP connection per account for the small commands (APPEND, a
 * Message-ID search, flag stores, the read pass): opened on demand, lent
 * to one user at a time (the others queue), kept for the next user and
 * logged out after command_idle_seconds without one, closed when the
 * account stops, opened again when it broke. A burst of sends and reads
 * costs one login. */

static void command_next (TernAccount *self);

static void
command_logout_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  tern_imap_client_logout_finish (TERN_IMAP_CLIENT (object), result, NULL);
}

static gboolean
command_idle_cb (gpointer user_data)
{
  TernAccount *self = user_data;
  TernAccountEngine *engine = tern_account_engine (self);
  g_autoptr(TernImapClient) imap = g_steal_pointer (&engine->command);

  engine->command_idle_id = 0;
  if (imap != NULL && tern_imap_client_get_state (imap) != TERN_IMAP_CLIENT_STATE_DISCONNECTED)
    tern_imap_client_logout_async (imap, NULL, command_logout_cb, NULL);
  return G_SOURCE_REMOVE;
}

static void
command_opened_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TernAccount) self = user_data;
  TernAccountEngine *engine = tern_account_engine (self);
  g_autoptr(GError) error = NULL;
  TernImapClient *imap = tern_account_open_imap_finish (self, result, &error);

  engine->command_opening = FALSE;
  if (imap == NULL)
    {
      /* every waiter would meet the same failure */
      GTask *task;

      while ((task = g_queue_pop_head (engine->command_waiters)) != NULL)
        {
          g_task_return_error (task, g_error_copy (error));
          g_object_unref (task);
        }
      return;
    }
  g_clear_object (&engine->command);
  engine->command = imap;
  engine->command_fresh = TRUE;
  command_next (self);
}

/* Lends the connection to the next waiter, opening it first if needed. */
static void
command_next (TernAccount *self)
{
  TernAccountEngine *engine = tern_account_engine (self);
  GTask *task;

  if (engine->command_busy || engine->command_opening)
    return;
  while ((task = g_queue_peek_head (engine->command_waiters)) != NULL
         && g_task_return_error_if_cancelled (task))
    g_object_unref (g_queue_pop_head (engine->command_waiters));
  if (task == NULL)
    {
      if (engine->command != NULL && engine->command_idle_id == 0)
        engine->command_idle_id = g_timeout_add_seconds (engine->command_idle_seconds,
                                                         command_idle_cb, self);
      return;
    }
  g_clear_handle_id (&engine->command_idle_id, g_source_remove);
  if (engine->command != NULL
      && tern_imap_client_get_state (engine->command) == TERN_IMAP_CLIENT_STATE_DISCONNECTED)
    g_clear_object (&engine->command);
  if (engine->command == NULL)
    {
      engine->command_opening = TRUE;
      /* not the waiter's cancellable: the connection outlives it */
      tern_account_open_imap_async (self, NULL, command_opened_cb, g_object_ref (self));
      return;
    }
  g_queue_pop_head (engine->command_waiters);
  engine->command_busy = TRUE;
  g_task_set_task_data (task, GINT_TO_POINTER (!engine->command_fresh), NULL);
  engine->command_fresh = FALSE;
  g_task_return_pointer (task, g_object_ref (engine->command), g_object_unref);
  g_object_unref (task);
}

void
tern_account_command_imap_async (TernAccount         *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, tern_account_command_imap_async);
  g_task_set_name (task, "[tern-core] command connection");
  g_queue_push_tail (tern_account_engine (self)->command_waiters, task);
  command_next (self);
}

TernImapClient *
tern_account_command_imap_finish (TernAccount  *self,
                                  GAsyncResult *result,
                                  gboolean     *reused,
                                  GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  if (reused != NULL)
    *reused = GPOINTER_TO_INT (g_task_get_task_data (G_TASK (result)));
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
tern_account_command_imap_release (TernAccount    *self,
                                   TernImapClient *imap,
                                   gboolean        broken)
{
  TernAccountEngine *engine = tern_account_engine (self);

  if (imap == NULL || imap != engine->command)
    {
      /* closed by the account meanwhile: the next waiter gets a new one */
      if (imap != NULL && broken)
        tern_imap_client_close (imap);
      command_next (self);
      return;
    }
  engine->command_busy = FALSE;
  if (broken || tern_imap_client_get_state (imap) == TERN_IMAP_CLIENT_STATE_DISCONNECTED)
    {
      tern_imap_client_close (engine->command);
      g_clear_object (&engine->command);
    }
  command_next (self);
}

void
tern_account_command_imap_close (TernAccount *self)
{
  TernAccountEngine *engine = g_object_get_data (G_OBJECT (self), ENGINE_KEY);
  g_autoptr(TernImapClient) imap = NULL;

  if (engine == NULL)
    return;
  imap = g_steal_pointer (&engine->command);
  g_clear_handle_id (&engine->command_idle_id, g_source_remove);
  engine->command_busy = FALSE;
  if (imap != NULL && tern_imap_client_get_state (imap) != TERN_IMAP_CLIENT_STATE_DISCONNECTED)
    tern_imap_client_logout_async (imap, NULL, command_logout_cb, NULL);
}

guint
tern_account_get_debug_login_count (TernAccount *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT (self), 0);
  return tern_account_engine (self)->imap_logins;
}

/* ---- SMTP ----------------------------------------------------------------- */

typedef struct {
  TernSmtpClient *smtp;
  char           *password;
} OpenSmtpData;

static void
open_smtp_data_free (OpenSmtpData *data)
{
  if (data->smtp != NULL)
    tern_smtp_client_close (data->smtp);
  g_clear_object (&data->smtp);
  g_free (data->password);
  g_free (data);
}

static void
smtp_auth_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  OpenSmtpData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!tern_smtp_client_authenticate_finish (data->smtp, result, &error))
    {
      g_task_return_error (task, login_error (self, error, "SMTP server", self->row->smtp_host,
                                              self->row->smtp_port));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&data->smtp), g_object_unref);
}

static void
smtp_connect_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  OpenSmtpData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *context = NULL;

  if (!tern_smtp_client_connect_finish (data->smtp, result, &error))
    {
      context = server_context ("SMTP server", self->row->smtp_host, self->row->smtp_port);
      g_task_return_error (task, tern_core_error_wrap (error, context));
      return;
    }
  {
    GTask *task_ = g_steal_pointer (&task);
    tern_smtp_client_authenticate_async (data->smtp,
                                         self->row->login != NULL ? self->row->login
                                                                  : self->row->address,
                                         data->password, g_task_get_cancellable (task_),
                                         smtp_auth_cb, task_);
  }
}

static void
smtp_password_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  OpenSmtpData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->password = tern_account_get_password_finish (self, result, &error);
  if (data->password == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->smtp = tern_smtp_client_new (self->row->smtp_host, self->row->smtp_port,
                                     tern_account_security_to_net (self->row->smtp_security),
                                     tern_account_pin_for_host (self, self->row->smtp_host));
  tern_smtp_client_set_timeouts (data->smtp, 15, 30, 0);
  {
    GTask *task_ = g_steal_pointer (&task);
    tern_smtp_client_connect_async (data->smtp, g_task_get_cancellable (task_), smtp_connect_cb,
                                    task_);
  }
}

void
tern_account_open_smtp_async (TernAccount         *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TERN_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_account_open_smtp_async);
  g_task_set_name (task, "[tern-core] open SMTP");
  g_task_set_task_data (task, g_new0 (OpenSmtpData, 1), (GDestroyNotify) open_smtp_data_free);
  tern_account_get_password_async (self, cancellable, smtp_password_cb, g_steal_pointer (&task));
}

TernSmtpClient *
tern_account_open_smtp_finish (TernAccount  *self,
                               GAsyncResult *result,
                               GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- one-shot operations on a connection of their own ---------------------- */

typedef enum {
  SHOT_APPEND,
  SHOT_FIND,
  SHOT_STORE,
  SHOT_HEADER,
} ShotKind;

typedef struct {
  ShotKind             kind;
  TernAccount         *account;    /* for the lease */
  TernImapClient      *imap;       /* the command connection, lent */
  gboolean             reused;
  gboolean             retried;
  TernStoreFolderRole  role;
  char                *mailbox;
  GBytes              *message;
  GStrv                flags;
  char                *message_id;
  gboolean             add;
  GPtrArray           *locations;  /* Location* */
  guint                next;
  guint32              uid;
  gboolean             found;
  char                *field;      /* SHOT_HEADER: the header field asked for */
  char                *value;      /* ... and its unfolded value, if any */
} ShotData;

typedef struct {
  char    *folder;
  guint32  uid;
} Location;

static void
location_free (Location *location)
{
  g_free (location->folder);
  g_free (location);
}

static void
shot_data_free (ShotData *data)
{
  if (data->imap != NULL)
    tern_account_command_imap_release (data->account, data->imap, TRUE);
  g_clear_object (&data->imap);
  g_clear_object (&data->account);
  g_free (data->mailbox);
  g_clear_pointer (&data->message, g_bytes_unref);
  g_strfreev (data->flags);
  g_free (data->message_id);
  g_clear_pointer (&data->locations, g_ptr_array_unref);
  g_free (data->field);
  g_free (data->value);
  g_free (data);
}

static void
shot_release (ShotData *data,
              gboolean  broken)
{
  g_autoptr(TernImapClient) imap = g_steal_pointer (&data->imap);

  tern_account_command_imap_release (data->account, imap, broken);
}

static void
shot_done (GTask *task)
{
  ShotData *data = g_task_get_task_data (task);

  shot_release (data, FALSE);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void shot_open_cb (GObject *object, GAsyncResult *result, gpointer user_data);

/* NO / BAD: the server answered (the connection is fine); anything else
 * broke the connection. One that served before may have been dropped by
 * the server meanwhile: the command runs once more on a new one. */
static void
shot_fail (GTask        *task,
           const GError *error)
{
  ShotData *data = g_task_get_task_data (task);
  gboolean answered = g_error_matches (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_NO)
                      || g_error_matches (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_BAD);
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  shot_release (data, !answered);
  if (!answered && !cancelled && data->reused && !data->retried)
    {
      g_debug ("command connection lost (%s): once more on a new one", error->message);
      data->retried = TRUE;
      data->next = 0;
      tern_account_command_imap_async (data->account, g_task_get_cancellable (task),
                                       shot_open_cb, task);
      return;
    }
  g_task_return_error (task, tern_core_error_wrap (error, NULL));
  g_object_unref (task);
}

static void store_next (GTask *task);

static void
shot_step_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  ShotData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  switch (data->kind)
    {
    case SHOT_APPEND:
      {
        TernImapAppendResult append = { 0, };
        if (!tern_imap_client_append_finish (data->imap, result, &append, &error))
          return shot_fail (task, error);
        data->uid = append.uid;
        shot_done (task);
        break;
      }
    case SHOT_FIND:
      {
        g_autoptr(GArray) uids = tern_imap_client_uid_search_finish (data->imap, result, &error);
        if (uids == NULL)
          return shot_fail (task, error);
        data->found = uids->len > 0;
        shot_done (task);
      }
      break;
    case SHOT_STORE:
      if (!tern_imap_client_uid_store_finish (data->imap, result, &error))
        return shot_fail (task, error);
      store_next (task);
      break;
    case SHOT_HEADER:
      if (!tern_imap_client_uid_fetch_finish (data->imap, result, NULL, &error))
        return shot_fail (task, error);
      shot_done (task);
      break;
    }
}

/* "Name: value" lines of a header block: the unfolded value of @field. */
static char *
header_value (GBytes     *header,
              const char *field)
{
  gsize size;
  const char *data = g_bytes_get_data (header, &size);
  g_autofree char *text = g_strndup (data, size);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GString) value = NULL;
  gsize len = strlen (field);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strchomp (lines[i]);

      if (value != NULL)
        {
          if (*line != ' ' && *line != '\t')
            break;
          g_string_append_c (value, ' ');
          g_string_append (value, g_strstrip (line));
          continue;
        }
      if (g_ascii_strncasecmp (line, field, len) == 0 && line[len] == ':')
        value = g_string_new (g_strstrip (line + len + 1));
    }
  return value != NULL ? g_string_free (g_steal_pointer (&value), FALSE) : NULL;
}

static void
header_batch (TernImapClient *client,
              GPtrArray      *fetches,
              gpointer        user_data)
{
  ShotData *data = user_data;

  for (guint i = 0; i < fetches->len && data->value == NULL; i++)
    {
      TernImapFetch *fetch = fetches->pdata[i];

      for (guint j = 0; fetch->sections != NULL && j < fetch->sections->len; j++)
        {
          TernImapBodySection *section = fetch->sections->pdata[j];

          if (section->data != NULL && g_str_has_prefix (section->section, "HEADER.FIELDS"))
            data->value = header_value (section->data, data->field);
        }
    }
}

static void
header_selected_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  ShotData *data = g_task_get_task_data (task);
  Location *location = data->locations->pdata[0];
  g_autoptr(GError) error = NULL;
  g_autofree char *set = NULL;
  const char *fields[] = { data->field, NULL };
  TernImapFetchOptions options = { 0 };

  if (!tern_imap_client_select_finish (data->imap, result, &error))
    return shot_fail (task, error);
  set = g_strdup_printf ("%u", location->uid);
  options.header_fields = fields;
  tern_imap_client_uid_fetch_async (data->imap, set, TERN_IMAP_WANT_HEADER, &options,
                                    header_batch, data, g_task_get_cancellable (task),
                                    shot_step_cb, task);
}

static void
find_selected_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  ShotData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(TernImapSearchQuery) query = NULL;
  g_autofree char *id = NULL;

  if (!tern_imap_client_select_finish (data->imap, result, &error))
    return shot_fail (task, error);
  query = tern_imap_search_query_new ();
  id = g_strdup_printf ("<%s>", data->message_id);
  tern_imap_search_query_add_header (query, "Message-ID", id);
  tern_imap_client_uid_search_async (data->imap, query, g_task_get_cancellable (task),
                                     shot_step_cb, task);
}

static void
store_selected_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  ShotData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  Location *location = data->locations->pdata[data->next - 1];
  g_autofree char *set = NULL;

  if (!tern_imap_client_select_finish (data->imap, result, &error))
    return shot_fail (task, error);
  set = g_strdup_printf ("%u", location->uid);
  tern_imap_client_uid_store_async (data->imap, set,
                                    data->add ? TERN_IMAP_STORE_ADD : TERN_IMAP_STORE_REMOVE,
                                    (const char *const *) data->flags,
                                    g_task_get_cancellable (task), shot_step_cb, task);
}

static void
store_next (GTask *task)
{
  ShotData *data = g_task_get_task_data (task);
  Location *location;

  if (data->next >= data->locations->len)
    {
      shot_done (task);
      return;
    }
  location = data->locations->pdata[data->next++];
  tern_imap_client_select_async (data->imap, location->folder, FALSE, FALSE, NULL,
                                 g_task_get_cancellable (task), store_selected_cb, task);
}

static void
shot_open_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  ShotData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->imap = tern_account_command_imap_finish (self, result, &data->reused, &error);
  if (data->imap == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  switch (data->kind)
    {
    case SHOT_APPEND:
      tern_imap_client_append_async (data->imap, data->mailbox, (const char *const *) data->flags,
                                     NULL, data->message, g_task_get_cancellable (task),
                                     shot_step_cb, task);
      break;
    case SHOT_FIND:
      tern_imap_client_select_async (data->imap, data->mailbox, TRUE, FALSE, NULL,
                                     g_task_get_cancellable (task), find_selected_cb, task);
      break;
    case SHOT_STORE:
      store_next (task);
      break;
    case SHOT_HEADER:
      {
        Location *location = data->locations->pdata[0];

        tern_imap_client_select_async (data->imap, location->folder, TRUE, FALSE, NULL,
                                       g_task_get_cancellable (task), header_selected_cb, task);
      }
      break;
    }
}

static const char *
resolve_folder (TernAccount         *self,
                TernStoreFolderRole  role)
{
  const char *name = tern_account_get_folder_name (self, role);

  if (name == NULL && role == TERN_STORE_FOLDER_ROLE_CHATS)
    name = tern_account_get_folder_name (self, TERN_STORE_FOLDER_ROLE_SENT);
  if (name == NULL && role == TERN_STORE_FOLDER_ROLE_INBOX)
    name = "INBOX";
  if (name == NULL && role == TERN_STORE_FOLDER_ROLE_CHATS)
    name = "INBOX";
  return name;
}

void
tern_account_append_async (TernAccount         *self,
                           TernStoreFolderRole  role,
                           GBytes              *message,
                           const char *const   *flags,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;
  ShotData *data;
  const char *mailbox;

  g_return_if_fail (TERN_IS_ACCOUNT (self));
  g_return_if_fail (message != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_account_append_async);
  g_task_set_name (task, "[tern-core] APPEND");
  mailbox = resolve_folder (self, role);
  if (mailbox == NULL)
    {
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_NOT_FOUND,
                               "The account has no folder for that role yet");
      g_object_unref (task);
      return;
    }
  data = g_new0 (ShotData, 1);
  data->account = g_object_ref (self);
  data->kind = SHOT_APPEND;
  data->role = role;
  data->mailbox = g_strdup (mailbox);
  data->message = g_bytes_ref (message);
  data->flags = g_strdupv ((char **) flags);
  g_task_set_task_data (task, data, (GDestroyNotify) shot_data_free);
  tern_account_command_imap_async (self, cancellable, shot_open_cb, task);
}

gboolean
tern_account_append_finish (TernAccount  *self,
                            GAsyncResult *result,
                            guint32      *out_uid,
                            GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (out_uid != NULL)
    *out_uid = ((ShotData *) g_task_get_task_data (G_TASK (result)))->uid;
  return TRUE;
}

void
tern_account_find_message_id_async (TernAccount         *self,
                                    TernStoreFolderRole  role,
                                    const char          *message_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;
  ShotData *data;
  const char *mailbox;

  g_return_if_fail (TERN_IS_ACCOUNT (self));
  g_return_if_fail (message_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_account_find_message_id_async);
  g_task_set_name (task, "[tern-core] find Message-ID");
  mailbox = resolve_folder (self, role);
  if (mailbox == NULL)
    {
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_NOT_FOUND,
                               "The account has no folder for that role yet");
      g_object_unref (task);
      return;
    }
  data = g_new0 (ShotData, 1);
  data->account = g_object_ref (self);
  data->kind = SHOT_FIND;
  data->mailbox = g_strdup (mailbox);
  if (message_id[0] == '<')
    data->message_id = g_strndup (message_id + 1, strlen (message_id) - 2);
  else
    data->message_id = g_strdup (message_id);
  g_task_set_task_data (task, data, (GDestroyNotify) shot_data_free);
  tern_account_command_imap_async (self, cancellable, shot_open_cb, task);
}

gboolean
tern_account_find_message_id_finish (TernAccount  *self,
                                     GAsyncResult *result,
                                     gboolean     *found,
                                     GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (found != NULL)
    *found = ((ShotData *) g_task_get_task_data (G_TASK (result)))->found;
  return TRUE;
}

void
tern_account_store_flags_async (TernAccount         *self,
                                gint64               message,
                                gboolean             add,
                                const char *const   *flags,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;
  ShotData *data;
  TernStore *store;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (TERN_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_account_store_flags_async);
  g_task_set_name (task, "[tern-core] UID STORE");
  data = g_new0 (ShotData, 1);
  data->account = g_object_ref (self);
  data->kind = SHOT_STORE;
  data->add = add;
  data->flags = g_strdupv ((char **) flags);
  data->locations = g_ptr_array_new_with_free_func ((GDestroyNotify) location_free);
  g_task_set_task_data (task, data, (GDestroyNotify) shot_data_free);

  /* the server copies of @message, by folder name */
  store = tern_context_get_store (self->context);
  folders = tern_store_list_folders (store, self->row->id, &error);
  if (folders == NULL)
    {
      g_task_return_error (task, tern_core_error_wrap (error, NULL));
      g_object_unref (task);
      return;
    }
  {
    g_autoptr(GPtrArray) locations = tern_store_list_locations (store, message, &error);
    if (locations == NULL)
      {
        g_task_return_error (task, tern_core_error_wrap (error, NULL));
        g_object_unref (task);
        return;
      }
    for (guint i = 0; i < locations->len; i++)
      {
        TernStoreLocationRow *loc = locations->pdata[i];
        for (guint j = 0; j < folders->len; j++)
          {
            TernStoreFolderRow *folder = folders->pdata[j];
            if (folder->id == loc->folder_id)
              {
                Location *l = g_new0 (Location, 1);
                l->folder = g_strdup (folder->name);
                l->uid = loc->uid;
                g_ptr_array_add (data->locations, l);
              }
          }
      }
  }
  if (data->locations->len == 0)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  tern_account_command_imap_async (self, cancellable, shot_open_cb, task);
}

gboolean
tern_account_store_flags_finish (TernAccount  *self,
                                 GAsyncResult *result,
                                 GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- one header field of a stored message --------------------------------------- */

void
tern_account_fetch_header_field_async (TernAccount         *self,
                                       gint64               message,
                                       const char          *field,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  GTask *task;
  ShotData *data;
  TernStore *store;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GPtrArray) locations = NULL;

  g_return_if_fail (TERN_IS_ACCOUNT (self));
  g_return_if_fail (field != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_account_fetch_header_field_async);
  g_task_set_name (task, "[tern-core] header field");
  data = g_new0 (ShotData, 1);
  data->account = g_object_ref (self);
  data->kind = SHOT_HEADER;
  data->field = g_strdup (field);
  data->locations = g_ptr_array_new_with_free_func ((GDestroyNotify) location_free);
  g_task_set_task_data (task, data, (GDestroyNotify) shot_data_free);

  store = tern_context_get_store (self->context);
  folders = tern_store_list_folders (store, self->row->id, NULL);
  locations = tern_store_list_locations (store, message, NULL);
  for (guint i = 0; locations != NULL && folders != NULL && i < locations->len; i++)
    {
      TernStoreLocationRow *loc = locations->pdata[i];

      for (guint j = 0; j < folders->len && data->locations->len == 0; j++)
        {
          TernStoreFolderRow *folder = folders->pdata[j];

          if (folder->id == loc->folder_id && loc->uid != 0)
            {
              Location *l = g_new0 (Location, 1);

              l->folder = g_strdup (folder->name);
              l->uid = loc->uid;
              g_ptr_array_add (data->locations, l);
            }
        }
    }
  if (data->locations->len == 0)
    {
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_NOT_FOUND,
                               "The message has no copy on the server");
      g_object_unref (task);
      return;
    }
  tern_account_command_imap_async (self, cancellable, shot_open_cb, task);
}

char *
tern_account_fetch_header_field_finish (TernAccount  *self,
                                        GAsyncResult *result,
                                        GError      **error)
{
  ShotData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  data = g_task_get_task_data (G_TASK (result));
  if (data->value == NULL)
    g_set_error (error, TERN_CORE_ERROR, TERN_CORE_ERROR_NOT_FOUND, "The message has no %s field",
                 data->field);
  return g_steal_pointer (&data->value);
}
