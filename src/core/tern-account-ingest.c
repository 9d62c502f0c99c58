/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-core"

#include <string.h>

#include "tern-account-private.h"
#include "tern-coi-parser.h"

/* The hook between sync and ingest, and a minimal built-in ingest used
 * until tern_account_set_ingest_funcs() installs the real one (src/core
 * tern-ingest.c): every fetched message becomes a message row in the 1:1
 * chat with its peer (or its mailing list), with its location; flag
 * changes update the seen state. Edits, deletes, receipts, groups,
 * attachments and contacts are the real ingest's business. */

static TernAccountIngestFunc ingest_func;
static TernAccountIngestFinishFunc ingest_finish_func;

void
tern_account_set_ingest_funcs (TernAccountIngestFunc       func,
                               TernAccountIngestFinishFunc finish)
{
  g_return_if_fail ((func == NULL) == (finish == NULL));
  ingest_func = func;
  ingest_finish_func = finish;
}

typedef struct {
  GPtrArray      *fetched;
  TernStoreBatch *batch;
  GArray         *refs;     /* gint64 message refs parallel to fetched (0 = none) */
  GArray         *chats;    /* gint64 chat refs parallel */
} BuiltinData;

static void
builtin_data_free (BuiltinData *data)
{
  g_ptr_array_unref (data->fetched);
  g_clear_object (&data->batch);
  g_array_unref (data->refs);
  g_array_unref (data->chats);
  g_free (data);
}

static gboolean
has_flag (char **flags,
          const char *flag)
{
  for (guint i = 0; flags != NULL && flags[i] != NULL; i++)
    if (g_ascii_strcasecmp (flags[i], flag) == 0)
      return TRUE;
  return FALSE;
}

static void
builtin_committed_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  BuiltinData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!tern_store_commit_finish (TERN_STORE (object), result, &error))
    {
      g_task_return_error (task, tern_core_error_wrap (error, "Storing messages"));
      return;
    }
  for (guint i = 0; i < data->fetched->len; i++)
    {
      TernAccountFetched *f = data->fetched->pdata[i];
      gint64 ref = g_array_index (data->refs, gint64, i);
      if (ref == 0)
        continue;
      f->message_row = tern_store_batch_get_id (data->batch, ref);
      if (f->message_row > 0 && tern_store_batch_was_inserted (data->batch, ref))
        tern_account_emit_received (self, f->message_row,
                                    tern_store_batch_get_id (data->batch,
                                                             g_array_index (data->chats, gint64, i)));
    }
  g_task_return_boolean (task, TRUE);
}

static void
builtin_ingest_async (TernAccount         *self,
                      GPtrArray           *fetched,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  BuiltinData *data = g_new0 (BuiltinData, 1);
  TernStore *store = tern_context_get_store (self->context);
  const char *self_addresses[] = { self->row->address, NULL };
  TernCoiParseOptions opts = { 0, };

  g_task_set_source_tag (task, builtin_ingest_async);
  g_task_set_name (task, "[tern-core] ingest (built-in)");
  data->fetched = g_ptr_array_ref (fetched);
  data->batch = tern_store_begin_batch (store);
  data->refs = g_array_new (FALSE, TRUE, sizeof (gint64));
  data->chats = g_array_new (FALSE, TRUE, sizeof (gint64));
  g_array_set_size (data->refs, fetched->len);
  g_array_set_size (data->chats, fetched->len);
  g_task_set_task_data (task, data, (GDestroyNotify) builtin_data_free);
  opts.self_addresses = self_addresses;

  for (guint i = 0; i < fetched->len; i++)
    {
      TernAccountFetched *f = fetched->pdata[i];
      g_autoptr(TernCoiInfo) info = NULL;
      g_autoptr(TernStoreMessageRow) row = NULL;
      const char *peer = NULL;
      const char *peer_name = NULL;
      gint64 chat, contact = 0;
      gboolean seen = has_flag (f->flags, "\\Seen");

      if (f->raw == NULL)
        {
          g_autoptr(TernStoreMessageRow) known = NULL;
          if (f->message_id == NULL)
            continue;
          known = tern_store_find_message (store, self->row->id, f->message_id, NULL);
          if (known == NULL)
            continue;
          f->message_row = known->id;
          f->is_chat = has_flag (f->flags, "$Chat");
          if (known->seen != seen)
            tern_store_batch_set_seen (data->batch, known->id, seen);
          continue;
        }

      info = tern_coi_parse_bytes (f->raw, &opts, NULL);
      if (info == NULL)
        continue;
      f->is_chat = info->is_chat;
      f->from_self = info->from != NULL &&
                     g_ascii_strcasecmp (info->from->address, self->row->address) == 0;

      row = tern_store_message_row_new ();
      row->account_id = self->row->id;
      if (info->message_id != NULL)
        row->message_id = g_strdup (info->message_id);
      else
        {
          g_autofree char *hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, f->raw);
          row->message_id = g_strdup_printf ("tern-noid-%s@local", hash);
        }
      if (f->from_self)
        {
          if (info->to != NULL && info->to->len > 0)
            {
              TernCoiAddress *to = info->to->pdata[0];
              peer = to->address;
              peer_name = to->name;
            }
        }
      else if (info->from != NULL)
        {
          peer = info->from->address;
          peer_name = info->from->name;
        }
      if (peer == NULL)
        peer = self->row->address;

      if (info->list_id != NULL)
        chat = tern_store_batch_ensure_chat (data->batch, self->row->id,
                                             TERN_STORE_CHAT_KIND_MAILING_LIST, info->list_id,
                                             info->list_id, 0);
      else
        {
          g_autofree char *key = g_ascii_strdown (peer, -1);
          contact = tern_store_batch_ensure_contact (data->batch, self->row->id, key, peer_name);
          chat = tern_store_batch_ensure_chat (data->batch, self->row->id,
                                               TERN_STORE_CHAT_KIND_DIRECT, key,
                                               peer_name != NULL ? peer_name : key, contact);
        }
      row->chat_id = chat;
      row->outgoing = f->from_self;
      if (!f->from_self && info->from != NULL)
        {
          row->sender_address = g_strdup (info->from->address);
          row->sender_contact_id = contact;
        }
      row->sent_time = info->date != NULL ? g_date_time_to_unix (info->date) : f->internal_date;
      row->received_time = f->internal_date != 0 ? f->internal_date : row->sent_time;
      row->kind = info->is_chat ? TERN_STORE_MESSAGE_KIND_TEXT : TERN_STORE_MESSAGE_KIND_CLASSIC;
      row->state = f->from_self ? TERN_STORE_STATE_SENT : TERN_STORE_STATE_NONE;
      row->seen = seen || f->from_self;
      row->subject = g_strdup (info->subject);
      row->text = g_strdup (info->text != NULL ? info->text : "");
      row->quote = g_strdup (info->quoted_text);
      row->reply_to = g_strdup (info->in_reply_to);
      g_array_index (data->refs, gint64, i) =
        tern_store_batch_add_message (data->batch, row, f->folder_id, f->uid);
      g_array_index (data->chats, gint64, i) = chat;
    }

  tern_store_commit_async (store, data->batch, cancellable, builtin_committed_cb, task);
}

static gboolean
builtin_ingest_finish (TernAccount  *self,
                       GAsyncResult *result,
                       GError      **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct {
  TernAccountIngestFinishFunc finish;
} HookData;

static void
hook_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TernAccountIngestFinishFunc finish = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!finish (TERN_ACCOUNT (object), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
tern_account_ingest_async (TernAccount         *self,
                           GPtrArray           *fetched,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, tern_account_ingest_async);
  if (ingest_func != NULL)
    {
      g_task_set_task_data (task, ingest_finish_func, NULL);
      ingest_func (self, fetched, cancellable, hook_cb, task);
    }
  else
    {
      g_task_set_task_data (task, builtin_ingest_finish, NULL);
      builtin_ingest_async (self, fetched, cancellable, hook_cb, task);
    }
}

gboolean
tern_account_ingest_finish (TernAccount  *self,
                            GAsyncResult *result,
                            GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
