/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-core"

#include "tern-account-send.h"

#include <string.h>

#include "tern-coi-builder.h"
#include "tern-coi-parser.h"
#include "tern-core-error.h"
#include "tern-ingest.h"

/* GMime 3.2 defines no autoptr cleanups. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)

/* The recipients and shape of a message to a chat. */
typedef struct {
  GPtrArray *addresses;  /* char*, envelope + To */
  GArray    *mailboxes;  /* TernCoiMailbox borrowing addresses / names */
  GPtrArray *names;      /* char* kept alive for mailboxes */
  char      *group_id;   /* GROUP chat key, or NULL */
  char      *group_name;
} Target;

static void
target_clear (Target *target)
{
  g_clear_pointer (&target->addresses, g_ptr_array_unref);
  g_clear_pointer (&target->mailboxes, g_array_unref);
  g_clear_pointer (&target->names, g_ptr_array_unref);
  g_clear_pointer (&target->group_id, g_free);
  g_clear_pointer (&target->group_name, g_free);
}

static void
target_add (Target     *target,
            const char *address,
            const char *name)
{
  for (guint i = 0; i < target->addresses->len; i++)
    if (g_ascii_strcasecmp (target->addresses->pdata[i], address) == 0)
      return;
  g_ptr_array_add (target->addresses, g_strdup (address));
  g_ptr_array_add (target->names, g_strdup (name));
}

/* Fills @target from @chat (a store id). */
static gboolean
target_from_chat (TernAccount *self,
                  gint64       chat_id,
                  Target      *target,
                  GError     **error)
{
  TernStore *store = tern_account_get_store (self);
  g_autoptr(TernStoreChatRow) chat = NULL;
  g_autoptr(GError) local = NULL;

  chat = tern_store_get_chat (store, chat_id, &local);
  if (chat == NULL || chat->account_id != tern_account_get_id (self))
    {
      g_set_error (error, TERN_CORE_ERROR, TERN_CORE_ERROR_NOT_FOUND, "No chat %" G_GINT64_FORMAT,
                   chat_id);
      return FALSE;
    }
  switch (chat->kind)
    {
    case TERN_STORE_CHAT_KIND_DIRECT:
      target_add (target, chat->key, chat->name);
      return TRUE;
    case TERN_STORE_CHAT_KIND_GROUP:
      {
        g_autoptr(GArray) members = tern_store_list_chat_members (store, chat_id, NULL);

        for (guint i = 0; members != NULL && i < members->len; i++)
          {
            g_autoptr(TernStoreContactRow) contact =
              tern_store_get_contact (store, g_array_index (members, gint64, i), NULL);

            if (contact != NULL && contact->address != NULL
                && g_ascii_strcasecmp (contact->address, tern_account_get_address (self)) != 0)
              target_add (target, contact->address, contact->display_name);
          }
        target->group_id = g_strdup (chat->key);
        target->group_name = g_strdup (chat->name);
        if (target->addresses->len == 0)
          {
            g_set_error (error, TERN_CORE_ERROR, TERN_CORE_ERROR_INVALID,
                         "The group “%s” has no other members", chat->name);
            return FALSE;
          }
        return TRUE;
      }
    case TERN_STORE_CHAT_KIND_MAILING_LIST:
    default:
      g_set_error (error, TERN_CORE_ERROR, TERN_CORE_ERROR_UNSUPPORTED,
                   "Writing to a mailing list is not supported yet");
      return FALSE;
    }
}

static void
target_init (Target *target)
{
  memset (target, 0, sizeof *target);
  target->addresses = g_ptr_array_new_with_free_func (g_free);
  target->names = g_ptr_array_new_with_free_func (g_free);
  target->mailboxes = g_array_new (FALSE, TRUE, sizeof (TernCoiMailbox));
}

/* Mailboxes and the NULL-terminated envelope list, once addresses are final. */
static void
target_finish (Target *target)
{
  g_array_set_size (target->mailboxes, 0);
  for (guint i = 0; i < target->addresses->len; i++)
    {
      TernCoiMailbox m = { target->names->pdata[i], target->addresses->pdata[i] };

      g_array_append_val (target->mailboxes, m);
    }
  g_ptr_array_add (target->addresses, NULL);
}

static void
draft_init (TernAccount  *self,
            TernCoiDraft *draft,
            Target       *target,
            TernCoiGroup *group)
{
  memset (draft, 0, sizeof *draft);
  draft->from.name = tern_account_get_display_name (self);
  draft->from.address = tern_account_get_address (self);
  draft->to = (const TernCoiMailbox *) target->mailboxes->data;
  draft->n_to = target->mailboxes->len;
  draft->request_receipt =
    tern_context_get_request_read_receipts (tern_account_get_context (self));
  if (target->group_id != NULL)
    {
      memset (group, 0, sizeof *group);
      group->id = target->group_id;
      group->name = target->group_name;
      draft->group = group;
    }
}

typedef struct {
  gint64 result;
} SendData;

static void
queued_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  GError *error = NULL;
  gint64 id = tern_outbox_queue_finish (result, &error);

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  tern_outbox_kick (tern_outbox_get_for_account (self));
  g_task_return_int (task, id);
}

void
tern_account_send_async (TernAccount           *self,
                         const TernSendRequest *request,
                         GCancellable          *cancellable,
                         GAsyncReadyCallback    callback,
                         gpointer               user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  TernStore *store = tern_account_get_store (self);
  gint64 account = tern_account_get_id (self);
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (store);
  g_autoptr(TernStoreMessageRow) replied = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) files = g_array_new (FALSE, TRUE, sizeof (TernCoiAttachmentDraft));
  g_autoptr(GDateTime) until = NULL;
  g_autofree char *subject = NULL;
  TernOutboxLocal local = { 0 };
  TernCoiGroup group;
  TernCoiDraft draft;
  Target target;
  gint64 chat = request->chat;
  guint n_paths = request->paths ? g_strv_length ((char **) request->paths) : 0;

  g_return_if_fail (TERN_IS_ACCOUNT (self));
  g_task_set_source_tag (task, tern_account_send_async);
  target_init (&target);

  if (chat != 0)
    {
      if (!target_from_chat (self, chat, &target, &error))
        {
          target_clear (&target);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  else
    {
      for (guint i = 0; request->recipients && request->recipients[i]; i++)
        if (*request->recipients[i] != '\0')
          target_add (&target, request->recipients[i], NULL);
      if (target.addresses->len == 0)
        {
          target_clear (&target);
          g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_INVALID,
                                   "No recipient given");
          return;
        }
      if (target.addresses->len == 1)
        {
          g_autofree char *key = g_ascii_strdown (target.addresses->pdata[0], -1);
          gint64 contact = tern_store_batch_ensure_contact (batch, account, key, NULL);

          chat = tern_store_batch_ensure_chat (batch, account, TERN_STORE_CHAT_KIND_DIRECT, key,
                                               key, contact);
        }
    }
  if ((request->text == NULL || *request->text == '\0') && n_paths == 0
      && !request->has_location)
    {
      target_clear (&target);
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_INVALID,
                               "Nothing to send (no text, file or location)");
      return;
    }
  target_finish (&target);
  draft_init (self, &draft, &target, &group);
  draft.text = request->text;
  draft.html = request->html;
  if (request->pinned)
    {
      draft.pinned = TRUE;
      if (request->pinned_until > 0 && request->pinned_until != G_MAXINT64)
        until = g_date_time_new_from_unix_utc (request->pinned_until);
      draft.pinned_until = until;
    }
  if (request->reply_to != NULL)
    {
      replied = tern_store_find_message (store, account, request->reply_to, NULL);
      draft.in_reply_to = request->reply_to;
      draft.references_first = replied && replied->reply_to ? replied->reply_to : request->reply_to;
      if (replied != NULL && replied->kind == TERN_STORE_MESSAGE_KIND_CLASSIC)
        {
          const char *s = replied->subject ? replied->subject : "";

          subject = g_ascii_strncasecmp (s, "Re:", 3) == 0 ? g_strdup (s)
                                                           : g_strconcat ("Re: ", s, NULL);
          draft.subject = subject;
        }
    }
  for (guint i = 0; i < n_paths; i++)
    {
      TernCoiAttachmentDraft file = { 0 };

      file.path = request->paths[i];
      g_array_append_val (files, file);
    }
  draft.attachments = (const TernCoiAttachmentDraft *) files->data;
  draft.n_attachments = files->len;

  if (request->has_location)
    message = tern_coi_build_location (&draft, request->latitude, request->longitude, &error);
  else if (n_paths > 0)
    message = tern_coi_build_attachments (&draft, &error);
  else
    message = tern_coi_build_text (&draft, &error);
  if (message == NULL)
    {
      target_clear (&target);
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_INVALID,
                               "The message could not be built: %s", error->message);
      return;
    }

  /* A new group: its chat is keyed by the id the builder made. */
  if (chat == 0)
    {
      g_autoptr(TernCoiInfo) info = tern_coi_parse_message (message, NULL);
      const char *key = info && info->group_id ? info->group_id
                                               : g_mime_message_get_message_id (message);

      chat = tern_store_batch_ensure_chat (batch, account, TERN_STORE_CHAT_KIND_GROUP, key,
                                           request->text ? request->text : key, 0);
      for (guint i = 0; target.addresses->pdata[i] != NULL; i++)
        tern_store_batch_set_chat_member (batch, chat,
                                          tern_store_batch_ensure_contact (batch, account,
                                                                           target.addresses->pdata[i],
                                                                           NULL),
                                          TRUE);
    }

  local.kind = request->has_location ? TERN_STORE_MESSAGE_KIND_LOCATION
               : n_paths > 0         ? TERN_STORE_MESSAGE_KIND_MEDIA
                                     : TERN_STORE_MESSAGE_KIND_TEXT;
  local.text = request->text;
  local.subject = g_mime_message_get_subject (message);
  local.reply_to = request->reply_to;
  local.pinned_until = request->pinned
                         ? (request->pinned_until > 0 ? request->pinned_until : G_MAXINT64) : 0;
  local.has_location = request->has_location;
  local.latitude = request->latitude;
  local.longitude = request->longitude;
  local.attachment_paths = request->paths;
  tern_outbox_queue_async (store, account, chat, message, &local,
                           (const char * const *) target.addresses->pdata, batch, cancellable,
                           queued_cb, g_steal_pointer (&task));
  target_clear (&target);
}

gint64
tern_account_send_finish (TernAccount  *self,
                          GAsyncResult *result,
                          GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  gssize id = g_task_propagate_int (G_TASK (result), error);

  return id > 0 ? id : 0;
}

void
tern_account_send_text_async (TernAccount        *self,
                              gint64              chat,
                              const char * const *recipients,
                              const char         *text,
                              const char         *reply_to,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  TernSendRequest request = { 0 };

  request.chat = chat;
  request.recipients = recipients;
  request.text = text;
  request.reply_to = reply_to;
  tern_account_send_async (self, &request, cancellable, callback, user_data);
}

void
tern_account_send_files_async (TernAccount        *self,
                               gint64              chat,
                               const char * const *recipients,
                               const char         *text,
                               const char * const *paths,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  TernSendRequest request = { 0 };

  request.chat = chat;
  request.recipients = recipients;
  request.text = text;
  request.paths = paths;
  tern_account_send_async (self, &request, cancellable, callback, user_data);
}

void
tern_account_send_location_async (TernAccount        *self,
                                  gint64              chat,
                                  const char * const *recipients,
                                  double              latitude,
                                  double              longitude,
                                  const char         *text,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  TernSendRequest request = { 0 };

  request.chat = chat;
  request.recipients = recipients;
  request.text = text;
  request.has_location = TRUE;
  request.latitude = latitude;
  request.longitude = longitude;
  tern_account_send_async (self, &request, cancellable, callback, user_data);
}

/* ---- edit / delete ----------------------------------------------------------- */

static void
op_queued_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  GError *error = NULL;

  tern_outbox_queue_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  tern_outbox_kick (tern_outbox_get_for_account (self));
  g_task_return_boolean (task, TRUE);
}

static void
edit_or_delete (TernAccount        *self,
                gint64              message_id,
                const char         *new_text,
                gboolean            is_delete,
                GCancellable       *cancellable,
                GAsyncReadyCallback callback,
                gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  TernStore *store = tern_account_get_store (self);
  g_autoptr(TernStoreMessageRow) row = NULL;
  g_autoptr(GPtrArray) edits = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(TernStoreBatch) batch = NULL;
  g_autoptr(GError) error = NULL;
  const char *target_id;
  TernCoiGroup group;
  TernCoiDraft draft;
  Target target;

  g_task_set_source_tag (task, edit_or_delete);
  row = tern_store_get_message (store, message_id, NULL);
  if (row == NULL || row->account_id != tern_account_get_id (self))
    {
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_NOT_FOUND,
                               "No message %" G_GINT64_FORMAT, message_id);
      return;
    }
  if (!row->outgoing || row->deleted)
    {
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_INVALID,
                               row->deleted ? "The message is deleted"
                                            : "Only your own messages can be changed");
      return;
    }
  if (!is_delete && (new_text == NULL || *new_text == '\0'))
    {
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_INVALID,
                               "The new text is empty (delete the message instead)");
      return;
    }
  target_init (&target);
  if (!target_from_chat (self, row->chat_id, &target, &error))
    {
      target_clear (&target);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  target_finish (&target);
  draft_init (self, &draft, &target, &group);
  draft.request_receipt = FALSE;

  /* Later edits reference the last edit; References start with the original. */
  target_id = row->message_id;
  edits = tern_store_list_edits (store, message_id, NULL);
  for (guint i = 0; edits != NULL && i < edits->len; i++)
    {
      TernStoreEditRow *edit = edits->pdata[i];

      if (edit->edit_message_id != NULL)
        target_id = edit->edit_message_id;
    }
  draft.references_first = row->message_id;
  message = is_delete ? tern_coi_build_delete (&draft, target_id, &error)
                      : tern_coi_build_edit (&draft, target_id, new_text, &error);
  if (message == NULL)
    {
      target_clear (&target);
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_INVALID,
                               "The request could not be built: %s", error->message);
      return;
    }
  batch = tern_store_begin_batch (store);
  tern_store_batch_edit_message (batch, row->account_id, row->message_id,
                                 g_mime_message_get_message_id (message),
                                 is_delete ? NULL : new_text,
                                 g_get_real_time () / G_USEC_PER_SEC);
  tern_outbox_queue_async (store, row->account_id, row->chat_id, message, NULL,
                           (const char * const *) target.addresses->pdata, batch, cancellable,
                           op_queued_cb, g_steal_pointer (&task));
  target_clear (&target);
}

void
tern_account_edit_async (TernAccount        *self,
                         gint64              message,
                         const char         *new_text,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  edit_or_delete (self, message, new_text, FALSE, cancellable, callback, user_data);
}

void
tern_account_delete_async (TernAccount        *self,
                           gint64              message,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  edit_or_delete (self, message, NULL, TRUE, cancellable, callback, user_data);
}

/* ---- pin, retry ----------------------------------------------------------------- */

static void
committed_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!tern_store_commit_finish (TERN_STORE (object), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
tern_account_pin_async (TernAccount        *self,
                        gint64              message,
                        gint64              until,
                        GCancellable       *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  TernStore *store = tern_account_get_store (self);
  g_autoptr(TernStoreMessageRow) row = tern_store_get_message (store, message, NULL);
  g_autoptr(TernStoreBatch) batch = NULL;

  g_task_set_source_tag (task, tern_account_pin_async);
  if (row == NULL || row->account_id != tern_account_get_id (self))
    {
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_NOT_FOUND,
                               "No message %" G_GINT64_FORMAT, message);
      return;
    }
  batch = tern_store_begin_batch (store);
  tern_store_batch_set_pinned (batch, message, until);
  tern_store_commit_async (store, batch, cancellable, committed_cb, g_steal_pointer (&task));
}

static void
retry_committed_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!tern_store_commit_finish (TERN_STORE (object), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* Due now: the outbox sends it at once. */
  tern_outbox_kick (tern_outbox_get_for_account (self));
  g_task_return_boolean (task, TRUE);
}

void
tern_account_retry_async (TernAccount        *self,
                          gint64              message,
                          GCancellable       *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  TernStore *store = tern_account_get_store (self);
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (store);
  TernStoreOutboxState states[] = { TERN_STORE_OUTBOX_FAILED, TERN_STORE_OUTBOX_QUEUED };
  guint n = 0;

  g_task_set_source_tag (task, tern_account_retry_async);
  for (guint s = 0; s < G_N_ELEMENTS (states); s++)
    {
      g_autoptr(GPtrArray) rows = tern_store_list_outbox (store, tern_account_get_id (self),
                                                          states[s], NULL);

      for (guint i = 0; rows != NULL && i < rows->len; i++)
        {
          TernStoreOutboxRow *row = rows->pdata[i];

          if (row->message_id != message || row->raw == NULL)
            continue;
          if (row->state == TERN_STORE_OUTBOX_FAILED)
            {
              /* A failed entry cannot go back: queue the same bytes anew. */
              tern_store_batch_outbox_add (batch, row->account_id, message,
                                           row->rfc822_message_id, row->raw,
                                           (const char * const *) row->recipients);
              tern_store_batch_outbox_remove (batch, row->id);
            }
          else
            tern_store_batch_outbox_retry (batch, row->id, row->last_error,
                                           g_get_real_time () / G_USEC_PER_SEC);
          n++;
        }
    }
  if (n == 0)
    {
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_NOT_FOUND,
                               "Message %" G_GINT64_FORMAT " is not waiting to be sent", message);
      return;
    }
  tern_store_commit_async (store, batch, cancellable, retry_committed_cb, g_steal_pointer (&task));
}

/* ---- mark read + read receipts ------------------------------------------------- */

typedef struct {
  GArray    *unseen;    /* gint64 message rows that were unseen */
  GPtrArray *receipts;  /* GMimeMessage read receipts to queue */
  GPtrArray *rcpts;     /* char* receipt address per receipt */
  GArray    *mdn_rows;  /* gint64 message row per receipt */
  guint      pending;
  GError    *error;
} ReadData;

static void
read_data_free (ReadData *data)
{
  g_array_unref (data->unseen);
  g_ptr_array_unref (data->receipts);
  g_ptr_array_unref (data->rcpts);
  g_array_unref (data->mdn_rows);
  g_clear_error (&data->error);
  g_free (data);
}

static void
read_step_done (GTask *task)
{
  ReadData *data = g_task_get_task_data (task);

  if (--data->pending > 0)
    {
      g_object_unref (task);
      return;
    }
  if (data->error != NULL)
    g_task_return_error (task, g_steal_pointer (&data->error));
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
flags_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  /* Offline: the seen state is local now; the sync's flag pass will not
   * undo it (seen never goes back). */
  if (!tern_account_store_flags_finish (TERN_ACCOUNT (object), result, &error))
    g_debug ("setting flags failed: %s", error->message);
  read_step_done (task);
}

static void
receipt_queued_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  ReadData *data = g_task_get_task_data (task);
  GError *error = NULL;

  tern_outbox_queue_finish (result, &error);
  if (error != NULL && data->error == NULL)
    data->error = error;
  else
    g_clear_error (&error);
  read_step_done (task);
}

static void
read_committed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  ReadData *data = g_task_get_task_data (task);
  const char *seen[] = { "\\Seen", NULL };
  const char *mdn_sent[] = { "$MDNSent", NULL };
  GError *error = NULL;

  if (!tern_store_commit_finish (TERN_STORE (object), result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  data->pending = 1;
  for (guint i = 0; i < data->unseen->len; i++)
    {
      data->pending++;
      tern_account_store_flags_async (self, g_array_index (data->unseen, gint64, i), TRUE, seen,
                                      g_task_get_cancellable (task), flags_cb,
                                      g_object_ref (task));
    }
  for (guint i = 0; i < data->receipts->len; i++)
    {
      const char *rcpt[] = { data->rcpts->pdata[i], NULL };

      data->pending += 2;
      tern_outbox_queue_async (tern_account_get_store (self), tern_account_get_id (self), 0,
                               data->receipts->pdata[i], NULL, rcpt, NULL,
                               g_task_get_cancellable (task), receipt_queued_cb,
                               g_object_ref (task));
      tern_account_store_flags_async (self, g_array_index (data->mdn_rows, gint64, i), TRUE,
                                      mdn_sent, g_task_get_cancellable (task), flags_cb,
                                      g_object_ref (task));
    }
  if (data->receipts->len > 0)
    tern_outbox_kick (tern_outbox_get_for_account (self));
  read_step_done (task);
}

void
tern_account_mark_read_async (TernAccount        *self,
                              gint64              chat,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  TernStore *store = tern_account_get_store (self);
  TernIngestContext *ingest = tern_ingest_get_for_account (self);
  gboolean send = tern_context_get_send_read_receipts (tern_account_get_context (self));
  g_autoptr(TernStoreChatRow) chat_row = tern_store_get_chat (store, chat, NULL);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(TernStoreBatch) batch = NULL;
  ReadData *data = g_new0 (ReadData, 1);

  g_task_set_source_tag (task, tern_account_mark_read_async);
  data->unseen = g_array_new (FALSE, FALSE, sizeof (gint64));
  data->receipts = g_ptr_array_new_with_free_func (g_object_unref);
  data->rcpts = g_ptr_array_new_with_free_func (g_free);
  data->mdn_rows = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_task_set_task_data (task, data, (GDestroyNotify) read_data_free);
  if (chat_row == NULL || chat_row->account_id != tern_account_get_id (self))
    {
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_NOT_FOUND,
                               "No chat %" G_GINT64_FORMAT, chat);
      g_object_unref (task);
      return;
    }
  /* The unread ones are among the newest; the unread count says how many. */
  rows = tern_store_get_messages (store, chat, NULL, MAX (chat_row->unread_count, 1) + 50, NULL);
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      TernStoreMessageRow *row = rows->pdata[i];
      g_autofree char *address = NULL;

      if (row->outgoing || row->seen)
        continue;
      g_array_append_val (data->unseen, row->id);
      address = tern_ingest_context_take_receipt_request (ingest, row->message_id);
      if (send && address != NULL && !tern_ingest_is_own_address (ingest, address))
        {
          TernCoiMailbox to = { NULL, address };
          TernCoiDraft draft = { 0 };
          g_autoptr(GError) error = NULL;
          GMimeMessage *mdn;

          draft.from.name = tern_account_get_display_name (self);
          draft.from.address = tern_account_get_address (self);
          draft.to = &to;
          draft.n_to = 1;
          mdn = tern_coi_build_read_receipt (&draft, row->message_id, "Tern", &error);
          if (mdn == NULL)
            {
              g_debug ("read receipt not built: %s", error->message);
              continue;
            }
          g_ptr_array_add (data->receipts, mdn);
          g_ptr_array_add (data->rcpts, g_steal_pointer (&address));
          g_array_append_val (data->mdn_rows, row->id);
        }
    }
  batch = tern_store_begin_batch (store);
  tern_store_batch_mark_chat_read (batch, chat);
  tern_store_commit_async (store, batch, cancellable, read_committed_cb, task);
}

gboolean
tern_account_send_op_finish (TernAccount  *self,
                             GAsyncResult *result,
                             GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
