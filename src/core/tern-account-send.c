/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-core"

#include "tern-account-send.h"
#include "tern-account-private.h"

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
  char      *list_subject; /* MAILING_LIST: the subject of the list's newest message */
} Target;

static void
target_clear (Target *target)
{
  g_clear_pointer (&target->addresses, g_ptr_array_unref);
  g_clear_pointer (&target->mailboxes, g_array_unref);
  g_clear_pointer (&target->names, g_ptr_array_unref);
  g_clear_pointer (&target->group_id, g_free);
  g_clear_pointer (&target->group_name, g_free);
  g_clear_pointer (&target->list_subject, g_free);
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

/* Fills @target from @chat (a store id); @list_post: the List-Post address
 * of a mailing-list chat (see list_post_lookup()). */
static gboolean
target_from_chat (TernAccount *self,
                  gint64       chat_id,
                  const char  *list_post,
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
      if (list_post == NULL)
        {
          g_set_error (error, TERN_CORE_ERROR, TERN_CORE_ERROR_UNSUPPORTED,
                       "The mailing list “%s” gives no address to write to (List-Post)",
                       chat->name);
          return FALSE;
        }
      target_add (target, list_post, chat->name);
      return TRUE;
    default:
      g_set_error (error, TERN_CORE_ERROR, TERN_CORE_ERROR_UNSUPPORTED,
                   "Unknown kind of chat");
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

static void
send_build (TernAccount           *self,
            const TernSendRequest *request,
            const char            *list_post,
            GTask                 *task_)
{
  g_autoptr(GTask) task = task_;
  GCancellable *cancellable = g_task_get_cancellable (task);
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

  target_init (&target);

  if (chat != 0)
    {
      if (!target_from_chat (self, chat, list_post, &target, &error))
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
  if (list_post != NULL && subject == NULL)
    {
      g_autoptr(GPtrArray) rows = tern_store_get_messages (store, chat, NULL, 20, NULL);
      const char *s = NULL;

      for (guint i = 0; rows != NULL && i < rows->len; i++)
        {
          TernStoreMessageRow *r = rows->pdata[i];

          if (!r->outgoing && r->subject != NULL && *r->subject != '\0')
            s = r->subject;
        }
      if (s != NULL)
        {
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

/* Sending into a mailing-list chat: the List-Post address comes from the
 * server copy of the list's newest message (List-Post: <mailto:ADDR>). */
typedef struct {
  TernSendRequest request;   /* points into the copies below */
  char           *text;
  char           *html;
  char           *reply_to;
  GStrv           paths;
} ListSend;

static void
list_send_free (ListSend *data)
{
  g_free (data->text);
  g_free (data->html);
  g_free (data->reply_to);
  g_strfreev (data->paths);
  g_free (data);
}

/* The address in a List-Post value: "<mailto:list@host?subject=...>", NULL
 * for "NO" (posting not allowed) or no mailto: URI. */
static char *
list_post_address (const char *value)
{
  const char *start = value != NULL ? strstr (value, "mailto:") : NULL;
  gsize len;

  if (start == NULL)
    return NULL;
  start += strlen ("mailto:");
  len = strcspn (start, ">?, \t");
  if (len == 0 || memchr (start, '@', len) == NULL)
    return NULL;
  return g_uri_unescape_segment (start, start + len, NULL);
}

static void
list_post_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  TernAccount *self = TERN_ACCOUNT (object);
  ListSend *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *value = tern_account_fetch_header_field_finish (self, result, &error);
  g_autofree char *address = list_post_address (value);

  if (address == NULL)
    {
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_UNSUPPORTED,
                               "The mailing list gives no address to write to (List-Post: %s)",
                               value != NULL ? value : error != NULL ? error->message : "none");
      g_object_unref (task);
      return;
    }
  send_build (self, &data->request, address, task);
}

void
tern_account_send_async (TernAccount           *self,
                         const TernSendRequest *request,
                         GCancellable          *cancellable,
                         GAsyncReadyCallback    callback,
                         gpointer               user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(TernStoreChatRow) chat = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  TernStore *store = tern_account_get_store (self);
  ListSend *data;
  gint64 newest = 0;

  g_return_if_fail (TERN_IS_ACCOUNT (self));
  g_task_set_source_tag (task, tern_account_send_async);
  if (request->chat != 0)
    chat = tern_store_get_chat (store, request->chat, NULL);
  if (chat == NULL || chat->kind != TERN_STORE_CHAT_KIND_MAILING_LIST
      || chat->account_id != tern_account_get_id (self))
    {
      send_build (self, request, NULL, task);
      return;
    }

  /* the newest message from the list with a copy on the server */
  rows = tern_store_get_messages (store, chat->id, NULL, 50, NULL);
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      TernStoreMessageRow *row = rows->pdata[i];
      g_autoptr(GPtrArray) locations = NULL;

      if (row->outgoing)
        continue;
      locations = tern_store_list_locations (store, row->id, NULL);
      if (locations != NULL && locations->len > 0)
        newest = row->id;
    }
  if (newest == 0)
    {
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_UNSUPPORTED,
                               "No message of the mailing list “%s” is on the server to "
                               "learn its address from", chat->name);
      g_object_unref (task);
      return;
    }
  data = g_new0 (ListSend, 1);
  data->request = *request;
  data->request.text = data->text = g_strdup (request->text);
  data->request.html = data->html = g_strdup (request->html);
  data->request.reply_to = data->reply_to = g_strdup (request->reply_to);
  data->request.recipients = NULL;
  data->paths = g_strdupv ((char **) request->paths);
  data->request.paths = (const char * const *) data->paths;
  g_task_set_task_data (task, data, (GDestroyNotify) list_send_free);
  tern_account_fetch_header_field_async (self, newest, "List-Post", cancellable, list_post_cb,
                                         task);
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
  if (!target_from_chat (self, row->chat_id, NULL, &target, &error))
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
tern_account_set_blocked_async (TernAccount        *self,
                                const char         *address,
                                gboolean            blocked,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  TernStore *store = tern_account_get_store (self);
  g_autoptr(TernStoreBatch) batch = NULL;
  g_autofree char *key = NULL;
  TernStoreContactRow values = { 0 };
  gint64 contact;

  g_task_set_source_tag (task, tern_account_set_blocked_async);
  if (address == NULL || strchr (address, '@') == NULL)
    {
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_INVALID,
                               "“%s” is not an e-mail address", address ? address : "");
      return;
    }
  key = g_ascii_strdown (address, -1);
  batch = tern_store_begin_batch (store);
  contact = tern_store_batch_ensure_contact (batch, tern_account_get_id (self), key, NULL);
  values.blocked = blocked;
  tern_store_batch_update_contact (batch, contact, TERN_STORE_CONTACT_FIELD_BLOCKED, &values);
  tern_store_commit_async (store, batch, cancellable, committed_cb, g_steal_pointer (&task));
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

/* Whether a read receipt is owed is asked from the server at the time of
 * reading, so a `tern-cli read` in another process than the sync that
 * stored the message answers it too: the FLAGS ($MDNSent: answered
 * already, by any client) and the receipt headers of every server copy.
 * The ingest's in-memory request only stands in when no server copy
 * answered (offline, no location yet). */

static const char *const read_header_fields[] = {
  "Disposition-Notification-To", "Chat-Disposition-Notification-To", "From", NULL
};

/* One unseen incoming message of the chat. */
typedef struct {
  gint64    row;
  char     *message_id;
  char     *memory_rcpt;  /* the request this process's ingest remembered */
  gboolean  answered;     /* a server copy answered the FETCH */
  gboolean  mdn_sent;     /* $MDNSent on a server copy */
  char     *rcpt;         /* the receipt address the server copy asks for */
  gboolean  send_mdn;
} ReadItem;

/* The server copies in one folder. */
typedef struct {
  char   *name;
  GArray *uids;   /* guint32 */
  GArray *items;  /* guint index into ReadData.items, per uid */
} ReadFolder;

typedef struct {
  GPtrArray      *items;    /* ReadItem* */
  GPtrArray      *folders;  /* ReadFolder* */
  TernAccount    *account;  /* for the lease of the command connection */
  TernImapClient *imap;     /* lent by the account */
  guint           next;     /* folder being fetched / stored */
  gboolean        storing;  /* second pass: UID STORE */
  guint           pending;  /* receipts being queued */
  char           *rest_set; /* UIDs still to get \Seen alone in this folder */
  GError         *error;
} ReadData;

static void
read_item_free (ReadItem *item)
{
  g_free (item->message_id);
  g_free (item->memory_rcpt);
  g_free (item->rcpt);
  g_free (item);
}

static void
read_folder_free (ReadFolder *folder)
{
  g_free (folder->name);
  g_array_unref (folder->uids);
  g_array_unref (folder->items);
  g_free (folder);
}

static void
read_data_free (ReadData *data)
{
  g_ptr_array_unref (data->items);
  g_ptr_array_unref (data->folders);
  if (data->imap != NULL)
    tern_account_command_imap_release (data->account, data->imap, TRUE);
  g_clear_object (&data->imap);
  g_clear_object (&data->account);
  g_clear_error (&data->error);
  g_free (data->rest_set);
  g_free (data);
}

static const char *const read_flags_seen[] = { "\\Seen", NULL };
static const char *const read_flags_mdn[] = { "\\Seen", "$MDNSent", NULL };

static void read_folder_next (GTask *task);

static void
read_finish (GTask *task)
{
  ReadData *data = g_task_get_task_data (task);

  if (data->imap != NULL)
    {
      g_autoptr(TernImapClient) imap = g_steal_pointer (&data->imap);

      tern_account_command_imap_release (data->account, imap, FALSE);
    }
  if (data->error != NULL)
    g_task_return_error (task, g_steal_pointer (&data->error));
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* The server stopped answering: the seen state is local now (the sync's
 * flag pass will not undo it: seen never goes back). */
static void
read_imap_failed (GTask        *task,
                  const GError *error)
{
  ReadData *data = g_task_get_task_data (task);

  g_debug ("read: server copies not reached: %s", error->message);
  if (data->imap != NULL)
    {
      g_autoptr(TernImapClient) imap = g_steal_pointer (&data->imap);
      gboolean answered = g_error_matches (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_NO)
                          || g_error_matches (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_BAD);

      tern_account_command_imap_release (data->account, imap, !answered);
    }
}

static void read_decide (GTask *task);

static void
read_fetch_batch (TernImapClient *client,
                  GPtrArray      *fetches,
                  gpointer        user_data)
{
  GTask *task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  ReadData *data = g_task_get_task_data (task);
  ReadFolder *folder = data->folders->pdata[data->next];
  TernIngestContext *ingest = tern_ingest_get_for_account (self);

  for (guint i = 0; i < fetches->len; i++)
    {
      TernImapFetch *fetch = fetches->pdata[i];
      ReadItem *item = NULL;
      GBytes *header = NULL;

      for (guint j = 0; j < folder->uids->len; j++)
        if (g_array_index (folder->uids, guint32, j) == fetch->uid)
          item = data->items->pdata[g_array_index (folder->items, guint, j)];
      if (item == NULL || fetch->flags == NULL)
        continue;
      item->answered = TRUE;
      for (guint j = 0; fetch->flags[j] != NULL; j++)
        if (g_ascii_strcasecmp (fetch->flags[j], "$MDNSent") == 0)
          item->mdn_sent = TRUE;
      for (guint j = 0; j < fetch->sections->len; j++)
        {
          TernImapBodySection *section = fetch->sections->pdata[j];
          if (section->data != NULL && g_str_has_prefix (section->section, "HEADER.FIELDS"))
            header = section->data;
        }
      if (header != NULL && g_bytes_get_size (header) > 0 && item->rcpt == NULL)
        {
          g_autoptr(TernCoiInfo) info = tern_coi_parse_bytes (header, NULL, NULL);

          /* The receipt goes to the sender only: a request for another
           * address is ignored (RFC 8098 §2.1, COI). */
          if (info != NULL && info->receipt_requested && info->receipt_address != NULL
              && info->from != NULL && info->n_from == 1
              && g_ascii_strcasecmp (info->receipt_address, info->from->address) == 0
              && !tern_ingest_is_own_address (ingest, info->receipt_address))
            item->rcpt = g_strdup (info->receipt_address);
        }
    }
}

static void
read_fetched_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  ReadData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!tern_imap_client_uid_fetch_finish (TERN_IMAP_CLIENT (object), result, NULL, &error))
    {
      read_imap_failed (task, error);
      read_decide (task);
      return;
    }
  data->next++;
  read_folder_next (task);
}

static void
read_stored_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  ReadData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!tern_imap_client_uid_store_finish (TERN_IMAP_CLIENT (object), result, &error))
    {
      read_imap_failed (task, error);
      read_finish (task);
      return;
    }
  if (data->rest_set != NULL)
    {
      g_autofree char *set = g_steal_pointer (&data->rest_set);

      tern_imap_client_uid_store_async (data->imap, set, TERN_IMAP_STORE_ADD, read_flags_seen,
                                        g_task_get_cancellable (task), read_stored_cb, task);
      return;
    }
  data->next++;
  read_folder_next (task);
}

static void
read_selected_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  ReadData *data = g_task_get_task_data (task);
  ReadFolder *folder = data->folders->pdata[data->next];
  g_autoptr(GError) error = NULL;
  g_autofree char *set = NULL;

  if (!tern_imap_client_select_finish (data->imap, result, &error))
    {
      /* a folder gone: skip it */
      g_debug ("read: SELECT %s failed: %s", folder->name, error->message);
      if (!g_error_matches (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_NO))
        {
          read_imap_failed (task, error);
          if (data->storing)
            read_finish (task);
          else
            read_decide (task);
          return;
        }
      data->next++;
      read_folder_next (task);
      return;
    }
  set = tern_imap_uid_set_format ((const guint32 *) (gpointer) folder->uids->data,
                                  folder->uids->len);
  if (!data->storing)
    {
      TernImapFetchOptions options = { 0 };

      options.header_fields = read_header_fields;
      tern_imap_client_uid_fetch_async (data->imap, set,
                                        TERN_IMAP_WANT_FLAGS | TERN_IMAP_WANT_HEADER,
                                        &options, read_fetch_batch, task,
                                        g_task_get_cancellable (task), read_fetched_cb, task);
    }
  else
    {
      /* \Seen on every copy; $MDNSent with it on the copies answered now */
      g_autoptr(GArray) answered = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_autoptr(GArray) rest = g_array_new (FALSE, FALSE, sizeof (guint32));

      for (guint i = 0; i < folder->uids->len; i++)
        {
          ReadItem *item = data->items->pdata[g_array_index (folder->items, guint, i)];
          g_array_append_val (item->send_mdn ? answered : rest,
                              g_array_index (folder->uids, guint32, i));
        }
      g_clear_pointer (&data->rest_set, g_free);
      if (answered->len > 0 && rest->len > 0)
        data->rest_set = tern_imap_uid_set_format ((const guint32 *) (gpointer) rest->data,
                                                   rest->len);
      if (answered->len > 0)
        {
          g_free (set);
          set = tern_imap_uid_set_format ((const guint32 *) (gpointer) answered->data,
                                          answered->len);
        }
      tern_imap_client_uid_store_async (data->imap, set, TERN_IMAP_STORE_ADD,
                                        answered->len > 0 ? read_flags_mdn : read_flags_seen,
                                        g_task_get_cancellable (task), read_stored_cb, task);
    }
}

static void
read_folder_next (GTask *task)
{
  ReadData *data = g_task_get_task_data (task);
  ReadFolder *folder;

  if (data->imap == NULL || data->next >= data->folders->len)
    {
      if (data->storing)
        read_finish (task);
      else
        read_decide (task);
      return;
    }
  folder = data->folders->pdata[data->next];
  tern_imap_client_select_async (data->imap, folder->name, FALSE, FALSE, NULL,
                                 g_task_get_cancellable (task), read_selected_cb, task);
}

static void
read_after_queue (GTask *task)
{
  ReadData *data = g_task_get_task_data (task);

  if (--data->pending > 0)
    return;
  data->storing = TRUE;
  data->next = 0;
  read_folder_next (task);
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
  read_after_queue (task);
}

/* Which messages get a receipt; queues them, then the STORE pass. */
static void
read_decide (GTask *task)
{
  TernAccount *self = g_task_get_source_object (task);
  ReadData *data = g_task_get_task_data (task);
  TernIngestContext *ingest = tern_ingest_get_for_account (self);
  gboolean send = tern_context_get_send_read_receipts (tern_account_get_context (self));
  gboolean queued = FALSE;

  data->pending = 1;
  for (guint i = 0; send && i < data->items->len; i++)
    {
      ReadItem *item = data->items->pdata[i];
      const char *address;
      TernCoiMailbox to = { NULL, NULL };
      TernCoiDraft draft = { 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(GMimeMessage) mdn = NULL;

      if (item->mdn_sent)
        address = NULL;
      else if (item->answered)
        address = item->rcpt != NULL ? item->rcpt : item->memory_rcpt;
      else
        address = item->memory_rcpt;
      if (address == NULL || tern_ingest_is_own_address (ingest, address))
        continue;
      to.address = address;
      draft.from.name = tern_account_get_display_name (self);
      draft.from.address = tern_account_get_address (self);
      draft.to = &to;
      draft.n_to = 1;
      mdn = tern_coi_build_read_receipt (&draft, item->message_id, "Tern", &error);
      if (mdn == NULL)
        {
          g_debug ("read receipt not built: %s", error->message);
          continue;
        }
      {
        const char *rcpt[] = { address, NULL };
        g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (tern_account_get_store (self));

        item->send_mdn = TRUE;
        queued = TRUE;
        data->pending++;
        /* answered for good with the receipt's entry: no second receipt
         * from this or another process */
        tern_store_batch_set_mdn_sent (batch, item->row);
        tern_outbox_queue_async (tern_account_get_store (self), tern_account_get_id (self), 0,
                                 mdn, NULL, rcpt, batch, g_task_get_cancellable (task),
                                 receipt_queued_cb, task);
      }
    }
  if (queued)
    tern_outbox_kick (tern_outbox_get_for_account (self));
  read_after_queue (task);
}

static void
read_open_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  ReadData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->imap = tern_account_command_imap_finish (TERN_ACCOUNT (object), result, NULL, &error);
  if (data->imap == NULL)
    read_imap_failed (task, error);
  read_folder_next (task);
}

static void
read_committed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  ReadData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!tern_store_commit_finish (TERN_STORE (object), result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (data->folders->len == 0)
    {
      read_decide (task);
      return;
    }
  tern_account_command_imap_async (self, g_task_get_cancellable (task), read_open_cb, task);
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
  g_autoptr(TernStoreChatRow) chat_row = tern_store_get_chat (store, chat, NULL);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(TernStoreBatch) batch = NULL;
  ReadData *data = g_new0 (ReadData, 1);

  g_task_set_source_tag (task, tern_account_mark_read_async);
  data->account = g_object_ref (self);
  data->items = g_ptr_array_new_with_free_func ((GDestroyNotify) read_item_free);
  data->folders = g_ptr_array_new_with_free_func ((GDestroyNotify) read_folder_free);
  g_task_set_task_data (task, data, (GDestroyNotify) read_data_free);
  if (chat_row == NULL || chat_row->account_id != tern_account_get_id (self))
    {
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_NOT_FOUND,
                               "No chat %" G_GINT64_FORMAT, chat);
      g_object_unref (task);
      return;
    }
  folders = tern_store_list_folders (store, tern_account_get_id (self), NULL);
  /* The unread ones are among the newest; the unread count says how many. */
  rows = tern_store_get_messages (store, chat, NULL, MAX (chat_row->unread_count, 1) + 50, NULL);
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      TernStoreMessageRow *row = rows->pdata[i];
      g_autoptr(GPtrArray) locations = NULL;
      ReadItem *item;
      guint index;

      if (row->outgoing || row->seen)
        continue;
      item = g_new0 (ReadItem, 1);
      item->row = row->id;
      item->message_id = g_strdup (row->message_id);
      item->memory_rcpt = tern_ingest_context_take_receipt_request (ingest, row->message_id);
      /* schema 6: the request and its answer are kept on the row */
      if (item->memory_rcpt == NULL && row->receipt_to != NULL && row->sender_address != NULL
          && g_ascii_strcasecmp (row->receipt_to, row->sender_address) == 0)
        item->memory_rcpt = g_strdup (row->receipt_to);
      item->mdn_sent = row->mdn_sent;
      index = data->items->len;
      g_ptr_array_add (data->items, item);
      locations = tern_store_list_locations (store, row->id, NULL);
      for (guint j = 0; locations != NULL && folders != NULL && j < locations->len; j++)
        {
          TernStoreLocationRow *loc = locations->pdata[j];
          TernStoreFolderRow *folder_row = NULL;
          ReadFolder *folder = NULL;

          for (guint k = 0; k < folders->len; k++)
            if (((TernStoreFolderRow *) folders->pdata[k])->id == loc->folder_id)
              folder_row = folders->pdata[k];
          if (folder_row == NULL || loc->uid == 0)
            continue;
          for (guint k = 0; k < data->folders->len; k++)
            if (g_strcmp0 (((ReadFolder *) data->folders->pdata[k])->name, folder_row->name) == 0)
              folder = data->folders->pdata[k];
          if (folder == NULL)
            {
              folder = g_new0 (ReadFolder, 1);
              folder->name = g_strdup (folder_row->name);
              folder->uids = g_array_new (FALSE, FALSE, sizeof (guint32));
              folder->items = g_array_new (FALSE, FALSE, sizeof (guint));
              g_ptr_array_add (data->folders, folder);
            }
          g_array_append_val (folder->uids, loc->uid);
          g_array_append_val (folder->items, index);
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
