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
} ShotKind;

typedef struct {
  ShotKind             kind;
  TernImapClient      *imap;
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
    tern_imap_client_close (data->imap);
  g_clear_object (&data->imap);
  g_free (data->mailbox);
  g_clear_pointer (&data->message, g_bytes_unref);
  g_strfreev (data->flags);
  g_free (data->message_id);
  g_clear_pointer (&data->locations, g_ptr_array_unref);
  g_free (data);
}

static void
shot_logout_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  tern_imap_client_logout_finish (TERN_IMAP_CLIENT (object), result, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
shot_done (GTask *task)
{
  ShotData *data = g_task_get_task_data (task);

  tern_imap_client_logout_async (data->imap, NULL, shot_logout_cb, task);
}

static void
shot_fail (GTask        *task,
           const GError *error)
{
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
    }
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

  data->imap = tern_account_open_imap_finish (self, result, &error);
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
  data->kind = SHOT_APPEND;
  data->role = role;
  data->mailbox = g_strdup (mailbox);
  data->message = g_bytes_ref (message);
  data->flags = g_strdupv ((char **) flags);
  g_task_set_task_data (task, data, (GDestroyNotify) shot_data_free);
  tern_account_open_imap_async (self, cancellable, shot_open_cb, task);
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
  data->kind = SHOT_FIND;
  data->mailbox = g_strdup (mailbox);
  if (message_id[0] == '<')
    data->message_id = g_strndup (message_id + 1, strlen (message_id) - 2);
  else
    data->message_id = g_strdup (message_id);
  g_task_set_task_data (task, data, (GDestroyNotify) shot_data_free);
  tern_account_open_imap_async (self, cancellable, shot_open_cb, task);
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
  tern_account_open_imap_async (self, cancellable, shot_open_cb, task);
}

gboolean
tern_account_store_flags_finish (TernAccount  *self,
                                 GAsyncResult *result,
                                 GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
