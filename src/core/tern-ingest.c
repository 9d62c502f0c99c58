/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-core"

#include "tern-ingest.h"

#include <string.h>

#include "tern-account.h"
#include "tern-coi.h"
#include "tern-coi-parser.h"
#include "tern-core-error.h"

/* A message this context can resolve: from the store (committed) or added
 * earlier to the current batch. */
typedef struct {
  gint64   ref;      /* row id or batch reference */
  gint64   chat;     /* chat id or batch reference */
  char    *sender;   /* address; NULL when outgoing */
  gboolean outgoing;
} Known;

typedef struct {
  char  *edit_id;
  char  *sender;
  char  *new_text; /* NULL: delete */
  gint64 time;
} PendingEdit;

struct _TernIngestContext {
  TernStore      *store;
  gint64          account;
  GStrv           own;
  TernStoreBatch *batch;    /* the batch the cache refers to (not a reference) */
  GHashTable     *cache;    /* Message-ID -> Known, for the current batch */
  GHashTable     *absent;   /* Message-IDs the store was asked for at once (a chunk's, by
                             * apply_and_commit()) and does not hold, for the current batch */
  GHashTable     *contacts; /* sender address -> TernStoreContactRow (NULL: none), while
                             * apply_and_commit() builds a chunk's batch: one store read per
                             * sender, not per message */
  gboolean        cache_contacts;
  GHashTable     *aliases;  /* edit Message-ID -> original Message-ID */
  GHashTable     *pending;  /* target Message-ID -> GPtrArray of PendingEdit */
  gint64          received_time; /* for the next message; 0 = now */
  GHashTable     *receipts; /* Message-ID -> address asking for a read receipt */
};

static void
known_free (gpointer data)
{
  Known *known = data;

  g_free (known->sender);
  g_free (known);
}

static void
pending_edit_free (gpointer data)
{
  PendingEdit *edit = data;

  g_free (edit->edit_id);
  g_free (edit->sender);
  g_free (edit->new_text);
  g_free (edit);
}

void
tern_ingest_result_clear (TernIngestResult *result)
{
  g_clear_pointer (&result->message_id, g_free);
  memset (result, 0, sizeof *result);
}

TernIngestContext *
tern_ingest_context_new (TernStore          *store,
                         gint64              account_id,
                         const char * const *own_addresses)
{
  TernIngestContext *ctx = g_new0 (TernIngestContext, 1);

  g_return_val_if_fail (TERN_IS_STORE (store), NULL);

  ctx->store = g_object_ref (store);
  ctx->account = account_id;
  ctx->own = g_strdupv ((char **) own_addresses);
  if (ctx->own == NULL)
    ctx->own = g_new0 (char *, 1);
  ctx->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, known_free);
  ctx->absent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ctx->contacts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) tern_store_contact_row_free);
  ctx->aliases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ctx->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_ptr_array_unref);
  ctx->receipts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return ctx;
}

void
tern_ingest_context_free (TernIngestContext *ctx)
{
  if (ctx == NULL)
    return;
  g_object_unref (ctx->store);
  g_strfreev (ctx->own);
  g_hash_table_unref (ctx->cache);
  g_hash_table_unref (ctx->absent);
  g_hash_table_unref (ctx->contacts);
  g_hash_table_unref (ctx->aliases);
  g_hash_table_unref (ctx->pending);
  g_hash_table_unref (ctx->receipts);
  g_free (ctx);
}

guint
tern_ingest_context_get_n_pending (TernIngestContext *ctx)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init (&iter, ctx->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    n += ((GPtrArray *) value)->len;
  return n;
}

char *
tern_ingest_context_take_receipt_request (TernIngestContext *ctx,
                                          const char        *message_id)
{
  g_autofree char *key = NULL;
  char *address = NULL;

  if (message_id == NULL
      || !g_hash_table_steal_extended (ctx->receipts, message_id, (gpointer *) &key,
                                       (gpointer *) &address))
    return NULL;
  return address;
}

void
tern_ingest_context_set_received_time (TernIngestContext *ctx,
                                       gint64             time)
{
  ctx->received_time = time;
}

gboolean
tern_ingest_is_own_address (TernIngestContext *ctx,
                            const char        *address)
{
  if (address == NULL)
    return FALSE;
  for (guint i = 0; ctx->own[i] != NULL; i++)
    if (g_ascii_strcasecmp (ctx->own[i], address) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
has_flag (const char * const *flags,
          const char         *flag)
{
  for (guint i = 0; flags != NULL && flags[i] != NULL; i++)
    if (g_ascii_strcasecmp (flags[i], flag) == 0)
      return TRUE;
  return FALSE;
}

/* The Known for @message_id (owned by the context), or NULL. */
static const Known *
lookup (TernIngestContext *ctx,
        const char        *message_id,
        GError           **error)
{
  g_autoptr(TernStoreMessageRow) row = NULL;
  g_autoptr(GError) local = NULL;
  Known *known;

  if (message_id == NULL || *message_id == '\0')
    return NULL;
  known = g_hash_table_lookup (ctx->cache, message_id);
  if (known != NULL)
    return known;
  if (g_hash_table_contains (ctx->absent, message_id))
    return NULL;
  row = tern_store_find_message (ctx->store, ctx->account, message_id, &local);
  if (row == NULL)
    {
      if (local != NULL && !g_error_matches (local, TERN_STORE_ERROR, TERN_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      return NULL;
    }
  known = g_new0 (Known, 1);
  known->ref = row->id;
  known->chat = row->chat_id;
  known->outgoing = row->outgoing;
  known->sender = g_strdup (row->sender_address);
  g_hash_table_insert (ctx->cache, g_strdup (message_id), known);
  return known;
}

/* The stored contact of @address (owned by the context), or NULL. The
 * batch being built is not visible to the store's reads anyway, so within
 * one batch the first answer stays the answer. */
static const TernStoreContactRow *
find_contact (TernIngestContext *ctx,
              const char        *address,
              GError           **error)
{
  TernStoreContactRow *row;
  GError *local = NULL;

  if (ctx->cache_contacts
      && g_hash_table_lookup_extended (ctx->contacts, address, NULL, (gpointer *) &row))
    return row;
  row = tern_store_find_contact (ctx->store, ctx->account, address, &local);
  if (local != NULL)
    {
      if (!g_error_matches (local, TERN_STORE_ERROR, TERN_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, local);
          return NULL;
        }
      g_clear_error (&local);
    }
  /* without the cache the row is kept until the next call (one at a time) */
  if (!ctx->cache_contacts)
    g_hash_table_remove_all (ctx->contacts);
  g_hash_table_insert (ctx->contacts, g_strdup (address), row);
  return row;
}

static void
remember (TernIngestContext *ctx,
          const char        *message_id,
          gint64             ref,
          gint64             chat,
          const char        *sender,
          gboolean           outgoing)
{
  Known *known = g_new0 (Known, 1);

  known->ref = ref;
  known->chat = chat;
  known->sender = g_strdup (sender);
  known->outgoing = outgoing;
  g_hash_table_replace (ctx->cache, g_strdup (message_id), known);
}

static gint64
unix_time (GDateTime *date)
{
  return date != NULL ? g_date_time_to_unix (date) : g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
sender_may_edit (TernIngestContext *ctx,
                 const Known       *original,
                 const char        *sender)
{
  if (original->outgoing)
    return tern_ingest_is_own_address (ctx, sender);
  return original->sender != NULL && sender != NULL
         && g_ascii_strcasecmp (original->sender, sender) == 0;
}

/* Applies an edit (or a delete, @new_text NULL) to @original_id. */
static gboolean
apply_edit (TernIngestContext *ctx,
            TernStoreBatch    *batch,
            const Known       *original,
            const char        *original_id,
            const char        *edit_id,
            const char        *sender,
            const char        *new_text,
            gint64             time)
{
  if (!sender_may_edit (ctx, original, sender))
    {
      g_debug ("edit %s of %s by %s refused: not the original's sender",
               edit_id, original_id, sender ? sender : "(none)");
      return FALSE;
    }
  tern_store_batch_edit_message (batch, ctx->account, original_id, edit_id, new_text, time);
  if (edit_id != NULL)
    g_hash_table_replace (ctx->aliases, g_strdup (edit_id), g_strdup (original_id));
  return TRUE;
}

/* Edits that waited for @message_id, which is now known. */
static void
apply_pending (TernIngestContext *ctx,
               TernStoreBatch    *batch,
               const char        *message_id)
{
  g_autoptr(GPtrArray) edits = NULL;
  g_autofree char *key = NULL;
  const Known *known;

  if (!g_hash_table_steal_extended (ctx->pending, message_id, (gpointer *) &key,
                                    (gpointer *) &edits))
    return;
  known = lookup (ctx, message_id, NULL);
  if (known == NULL)
    return;
  for (guint i = 0; i < edits->len; i++)
    {
      PendingEdit *edit = g_ptr_array_index (edits, i);

      apply_edit (ctx, batch, known, message_id, edit->edit_id, edit->sender, edit->new_text,
                  edit->time);
    }
}

static const char *
first_peer (TernIngestContext *ctx,
            const TernCoiInfo *info,
            const char       **name)
{
  GPtrArray *lists[] = { info->to, info->cc };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; lists[l] != NULL && i < lists[l]->len; i++)
      {
        TernCoiAddress *a = g_ptr_array_index (lists[l], i);

        if (!tern_ingest_is_own_address (ctx, a->address))
          {
            *name = a->name;
            return a->address;
          }
      }
  return NULL;
}

static void
add_members (TernIngestContext *ctx,
             TernStoreBatch    *batch,
             gint64             chat,
             const TernCoiInfo *info)
{
  GPtrArray *lists[] = { info->to, info->cc };

  if (info->from != NULL && !tern_ingest_is_own_address (ctx, info->from->address))
    {
      gint64 c = tern_store_batch_ensure_contact (batch, ctx->account, info->from->address,
                                                  info->from->name);
      tern_store_batch_set_chat_member (batch, chat, c, TRUE);
    }
  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; lists[l] != NULL && i < lists[l]->len; i++)
      {
        TernCoiAddress *a = g_ptr_array_index (lists[l], i);
        gint64 c;

        if (tern_ingest_is_own_address (ctx, a->address))
          continue;
        c = tern_store_batch_ensure_contact (batch, ctx->account, a->address, a->name);
        tern_store_batch_set_chat_member (batch, chat, c, TRUE);
      }
}

/* The chat a new message goes to; 0 when none can be found. */
static gint64
resolve_chat (TernIngestContext *ctx,
              TernStoreBatch    *batch,
              const TernCoiInfo *info,
              gboolean           outgoing,
              gint64             sender_contact,
              GError           **error)
{
  const char *peer, *peer_name = NULL;
  gint64 contact;

  if (info->list_id != NULL && *info->list_id != '\0')
    return tern_store_batch_ensure_chat (batch, ctx->account, TERN_STORE_CHAT_KIND_MAILING_LIST,
                                         info->list_id, info->list_id, 0);

  if (info->group_id != NULL && *info->group_id != '\0')
    {
      const char *name = info->group_name ? info->group_name : info->dc.group_name;
      gint64 chat = tern_store_batch_ensure_chat (batch, ctx->account, TERN_STORE_CHAT_KIND_GROUP,
                                                  info->group_id, name ? name : info->group_id,
                                                  0);
      add_members (ctx, batch, chat, info);
      return chat;
    }

  /* A classic reply goes where the message it answers is. */
  if (!(info->criteria & TERN_COI_CRITERIA_CHAT_VERSION))
    {
      const Known *known = lookup (ctx, info->in_reply_to, error);

      for (guint i = 0; known == NULL && info->references[i] != NULL; i++)
        known = lookup (ctx, info->references[i], error);
      if (known != NULL)
        return known->chat;
    }

  if (outgoing)
    {
      peer = first_peer (ctx, info, &peer_name);
      if (peer == NULL)
        peer = info->from->address; /* a note to self */
      contact = tern_store_batch_ensure_contact (batch, ctx->account, peer, peer_name);
    }
  else
    {
      peer = info->from->address;
      peer_name = info->from->name;
      contact = sender_contact;
    }
  {
    g_autofree char *key = g_ascii_strdown (peer, -1);

    return tern_store_batch_ensure_chat (batch, ctx->account, TERN_STORE_CHAT_KIND_DIRECT, key,
                                         peer_name ? peer_name : peer, contact);
  }
}

static TernStoreMessageKind
message_kind (const TernCoiInfo *info,
              guint              n_attachments)
{
  switch (info->kind)
    {
    case TERN_COI_KIND_LOCATION: return TERN_STORE_MESSAGE_KIND_LOCATION;
    case TERN_COI_KIND_ATTACHMENTS: return TERN_STORE_MESSAGE_KIND_MEDIA;
    case TERN_COI_KIND_CLASSIC:
    case TERN_COI_KIND_BOUNCE: return TERN_STORE_MESSAGE_KIND_CLASSIC;
    case TERN_COI_KIND_GROUP_LEFT: return TERN_STORE_MESSAGE_KIND_SYSTEM;
    default: break;
    }
  /* A reply to a chat message from a classic client (no Chat-Version) is
   * a chat message by its References, but shown (and answered) as mail. */
  if (!(info->criteria & TERN_COI_CRITERIA_CHAT_VERSION))
    return TERN_STORE_MESSAGE_KIND_CLASSIC;
  return n_attachments > 0 ? TERN_STORE_MESSAGE_KIND_MEDIA : TERN_STORE_MESSAGE_KIND_TEXT;
}

static gboolean
mentions_me (TernIngestContext *ctx,
             const TernCoiInfo *info)
{
  for (guint i = 0; info->mentions != NULL && i < info->mentions->len; i++)
    {
      TernCoiMention *m = g_ptr_array_index (info->mentions, i);

      if (m->is_me || m->is_all || tern_ingest_is_own_address (ctx, m->address))
        return TRUE;
    }
  return FALSE;
}

/* Stores the files; a preview only when its full part is missing. */
static guint
add_attachments (TernStoreBatch    *batch,
                 gint64             message,
                 const TernCoiInfo *info)
{
  guint n = 0;

  for (guint i = 0; i < info->attachments->len; i++)
    {
      TernCoiAttachment *a = g_ptr_array_index (info->attachments, i);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *preview_hash = NULL;

      if (a->is_preview && a->full_index >= 0)
        {
          TernCoiAttachment *full = g_ptr_array_index (info->attachments, a->full_index);
          g_autoptr(GBytes) probe = tern_coi_attachment_get_bytes (full, NULL);

          /* Stored with its full part (below), unless that is missing. */
          if (probe != NULL && g_bytes_get_size (probe) > 0)
            continue;
        }
      bytes = tern_coi_attachment_get_bytes (a, &error);
      if (bytes == NULL)
        {
          g_debug ("attachment %s not readable: %s", a->filename, error->message);
          continue;
        }
      /* A preview of this part (Chat-Content: preview) is kept as its own
       * file and shown instead of decoding the full image. */
      for (guint j = 0; j < info->attachments->len; j++)
        {
          TernCoiAttachment *p = g_ptr_array_index (info->attachments, j);
          g_autoptr(GBytes) preview = NULL;

          if (!p->is_preview || p->full_index != (int) i)
            continue;
          preview = tern_coi_attachment_get_bytes (p, NULL);
          if (preview != NULL && g_bytes_get_size (preview) > 0)
            preview_hash = tern_store_batch_add_file (batch, preview);
          break;
        }
      tern_store_batch_add_attachment_with_preview (batch, message, bytes, a->mime_type,
                                                    a->filename, preview_hash);
      n++;
    }
  return n;
}

static void
apply_profile (TernIngestContext *ctx,
               TernStoreBatch    *batch,
               const TernCoiInfo *info,
               gint64             contact)
{
  TernStoreContactRow values = { 0 };
  TernStoreContactFields fields = 0;
  g_autofree char *avatar = NULL;

  if (info->profile == NULL || contact == 0)
    return;
  if (info->profile->name != NULL && *info->profile->name != '\0')
    {
      values.display_name = info->profile->name;
      fields |= TERN_STORE_CONTACT_FIELD_DISPLAY_NAME;
    }
  if (info->profile->status != NULL)
    {
      values.status = info->profile->status;
      fields |= TERN_STORE_CONTACT_FIELD_STATUS;
    }
  if (info->profile->photo != NULL && g_bytes_get_size (info->profile->photo) > 0)
    {
      /* The avatar: a content-addressed file the contact row names. */
      avatar = tern_store_batch_add_file (batch, info->profile->photo);
      values.avatar = avatar;
      fields |= TERN_STORE_CONTACT_FIELD_AVATAR;
    }
  if (fields != 0)
    tern_store_batch_update_contact (batch, contact, fields, &values);
}

static char *
fold_quote (const TernCoiInfo *info)
{
  gboolean q = info->quoted_text != NULL && *info->quoted_text != '\0';
  gboolean s = info->signature != NULL && *info->signature != '\0';

  if (q && s)
    return g_strconcat (info->quoted_text, "\n-- \n", info->signature, NULL);
  if (q)
    return g_strdup (info->quoted_text);
  if (s)
    return g_strconcat ("-- \n", info->signature, NULL);
  return NULL;
}

static TernIngestAction
ingest_edit (TernIngestContext *ctx,
             TernStoreBatch    *batch,
             const TernCoiInfo *info,
             TernIngestResult  *result,
             GError           **error)
{
  gboolean is_delete = info->kind == TERN_COI_KIND_DELETE;
  const char *target = is_delete ? info->delete_target_id : info->edit_target_id;
  const char *new_text = is_delete ? NULL : info->edit_text;
  const char *sender = info->from ? info->from->address : NULL;
  const char *original_id = NULL;
  const Known *known = NULL;
  gint64 time = unix_time (info->date);
  GError *local = NULL;

  if (new_text != NULL && *new_text == '\0')
    new_text = NULL;
  if (target == NULL || *target == '\0' || info->message_id == NULL)
    return TERN_INGEST_IGNORED;

  /* Edits of an edit name the previous edit: follow it to the original. */
  original_id = g_hash_table_lookup (ctx->aliases, target);
  if (original_id == NULL)
    original_id = target;
  known = lookup (ctx, original_id, &local);
  for (guint i = 0; known == NULL && local == NULL && info->references[i] != NULL; i++)
    {
      const char *id = g_hash_table_lookup (ctx->aliases, info->references[i]);

      original_id = id ? id : info->references[i];
      if (g_strcmp0 (original_id, info->message_id) == 0)
        continue;
      known = lookup (ctx, original_id, &local);
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return TERN_INGEST_IGNORED;
    }
  if (known == NULL)
    {
      GPtrArray *list = g_hash_table_lookup (ctx->pending, target);
      PendingEdit *edit = g_new0 (PendingEdit, 1);

      if (list == NULL)
        {
          list = g_ptr_array_new_with_free_func (pending_edit_free);
          g_hash_table_insert (ctx->pending, g_strdup (target), list);
        }
      edit->edit_id = g_strdup (info->message_id);
      edit->sender = g_strdup (sender);
      edit->new_text = g_strdup (new_text);
      edit->time = time;
      g_ptr_array_add (list, edit);
      return TERN_INGEST_PENDING;
    }
  if (!apply_edit (ctx, batch, known, original_id, info->message_id, sender, new_text, time))
    return TERN_INGEST_IGNORED;
  result->message_ref = known->ref;
  result->chat_ref = known->chat;
  return TERN_INGEST_APPLIED;
}

static TernIngestAction
ingest_mdn (TernIngestContext *ctx,
            TernStoreBatch    *batch,
            const TernCoiInfo *info,
            TernIngestResult  *result,
            GError           **error)
{
  const Known *known;
  const char *type;
  TernStoreReceiptKind kind;

  if (info->mdn == NULL || info->from == NULL || result->outgoing)
    return TERN_INGEST_IGNORED;
  known = lookup (ctx, info->mdn->original_message_id, error);
  if (known == NULL || !known->outgoing)
    return TERN_INGEST_IGNORED;
  type = info->mdn->disposition_type;
  if (type != NULL && g_ascii_strcasecmp (type, "deleted") == 0)
    return TERN_INGEST_IGNORED;
  kind = type == NULL || g_ascii_strcasecmp (type, "displayed") == 0 ? TERN_STORE_RECEIPT_READ
                                                                      : TERN_STORE_RECEIPT_DELIVERED;
  tern_store_batch_add_receipt (batch, known->ref, info->from->address, kind,
                                unix_time (info->date));
  result->message_ref = known->ref;
  result->chat_ref = known->chat;
  return TERN_INGEST_APPLIED;
}

/* The Message-ID of the message a DSN reports on (its text/rfc822-headers
 * or message/rfc822 part), or NULL. */
static char *
bounced_message_id (const TernCoiInfo *info)
{
  for (guint i = 0; i < info->parts->len; i++)
    {
      TernCoiPart *part = g_ptr_array_index (info->parts, i);

      if (GMIME_IS_MESSAGE_PART (part->object))
        {
          GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (part->object));
          const char *id = inner ? g_mime_message_get_message_id (inner) : NULL;

          if (id != NULL)
            return g_strdup (id);
        }
      else if (g_strcmp0 (part->content_type, "text/rfc822-headers") == 0
               && GMIME_IS_PART (part->object))
        {
          GMimeDataWrapper *content = g_mime_part_get_content (GMIME_PART (part->object));
          GMimeStream *mem;
          GByteArray *bytes;
          g_autofree char *text = NULL;
          char *line, *start, *end;

          if (content == NULL)
            continue;
          mem = g_mime_stream_mem_new ();
          g_mime_data_wrapper_write_to_stream (content, mem);
          bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
          text = g_strndup ((const char *) bytes->data, MIN (bytes->len, 65536));
          g_object_unref (mem);
          for (line = text; line != NULL && *line != '\0'; line = strchr (line, '\n'))
            {
              while (*line == '\n' || *line == '\r')
                line++;
              if (g_ascii_strncasecmp (line, "Message-ID:", 11) != 0)
                continue;
              start = strchr (line, '<');
              end = start ? strchr (start, '>') : NULL;
              if (start != NULL && end != NULL && end > start + 1
                  && memchr (start, '\n', end - start) == NULL)
                return g_strndup (start + 1, end - start - 1);
            }
        }
    }
  return NULL;
}

/* ---- the parse ----------------------------------------------------------- *
 *
 * tern_coi_parse_bytes () reuses one GMime parser per thread and reads a
 * plain header block without GMime's message objects (its fast path), so
 * the ingest's parse threads just call it. */

TernCoiInfo *
tern_ingest_parse (GBytes             *raw,
                   const char * const *own_addresses,
                   GError            **error)
{
  TernCoiParseOptions opts = { 0 };

  g_return_val_if_fail (raw != NULL, NULL);

  opts.self_addresses = own_addresses;
  return tern_coi_parse_bytes (raw, &opts, error);
}

gboolean
tern_ingest_message (TernIngestContext  *ctx,
                     TernStoreBatch     *batch,
                     GBytes             *raw,
                     gint64              folder_id,
                     guint32             uid,
                     const char * const *flags,
                     TernIngestResult   *result,
                     GError            **error)
{
  g_autoptr(TernCoiInfo) info = NULL;

  g_return_val_if_fail (ctx != NULL, FALSE);
  g_return_val_if_fail (raw != NULL, FALSE);

  info = tern_ingest_parse (raw, (const char * const *) ctx->own, error);
  if (info == NULL)
    {
      ctx->received_time = 0;
      if (result != NULL)
        memset (result, 0, sizeof *result);
      return FALSE;
    }
  return tern_ingest_message_parsed (ctx, batch, info, folder_id, uid, flags, result, error);
}

gboolean
tern_ingest_message_parsed (TernIngestContext  *ctx,
                            TernStoreBatch     *batch,
                            const TernCoiInfo  *info,
                            gint64              folder_id,
                            guint32             uid,
                            const char * const *flags,
                            TernIngestResult   *result,
                            GError            **error)
{
  TernIngestResult local_result = { 0 };
  TernStoreMessageRow row = { 0 };
  const TernStoreContactRow *contact_row = NULL;
  g_autofree char *quote = NULL;
  g_autofree char *system_text = NULL;
  const Known *known;
  gboolean seen = has_flag (flags, "\\Seen");
  gint64 sender_contact = 0, chat, message;
  gint64 received_time = ctx->received_time;
  GError *local = NULL;

  g_return_val_if_fail (ctx != NULL, FALSE);
  g_return_val_if_fail (TERN_IS_STORE_BATCH (batch), FALSE);
  g_return_val_if_fail (info != NULL, FALSE);

  ctx->received_time = 0;
  if (received_time == 0)
    received_time = g_get_real_time () / G_USEC_PER_SEC;

  if (result == NULL)
    result = &local_result;
  memset (result, 0, sizeof *result);

  if (ctx->batch != batch)
    {
      g_hash_table_remove_all (ctx->cache);
      g_hash_table_remove_all (ctx->absent);
      ctx->batch = batch;
    }

  result->message_id = g_strdup (info->message_id);
  result->is_chat = info->is_chat;
  result->receipt_requested = info->receipt_requested;
  result->action = TERN_INGEST_IGNORED;
  if (info->from == NULL || info->message_id == NULL || *info->message_id == '\0')
    {
      /* Without a sender or an identity there is nothing to show or dedup. */
      g_debug ("message without From or Message-ID ignored");
      return TRUE;
    }
  result->outgoing = tern_ingest_is_own_address (ctx, info->from->address);
  result->mentions_me = !result->outgoing && mentions_me (ctx, info);

  /* A known message: only its new location. */
  known = lookup (ctx, info->message_id, &local);
  if (local != NULL)
    goto store_error;
  if (known != NULL)
    {
      if (folder_id != 0)
        tern_store_batch_add_location (batch, known->ref, folder_id, uid);
      if (seen || result->outgoing)
        tern_store_batch_set_seen (batch, known->ref, TRUE);
      if (has_flag (flags, "$MDNSent"))
        g_hash_table_remove (ctx->receipts, info->message_id);
      result->action = TERN_INGEST_STORED;
      result->known = TRUE;
      result->message_ref = known->ref;
      result->chat_ref = known->chat;
      return TRUE;
    }

  if (!result->outgoing)
    {
      contact_row = find_contact (ctx, info->from->address, &local);
      if (local != NULL)
        goto store_error;
      if (contact_row != NULL && contact_row->blocked)
        {
          result->action = TERN_INGEST_BLOCKED;
          return TRUE;
        }
    }

  switch (info->kind)
    {
    case TERN_COI_KIND_EDIT:
    case TERN_COI_KIND_DELETE:
      result->action = ingest_edit (ctx, batch, info, result, &local);
      if (local != NULL)
        goto store_error;
      return TRUE;
    case TERN_COI_KIND_MDN:
      result->action = ingest_mdn (ctx, batch, info, result, &local);
      if (local != NULL)
        goto store_error;
      return TRUE;
    case TERN_COI_KIND_GROUP_INFO_REQUEST:
    case TERN_COI_KIND_PROFILE_REQUEST:
    case TERN_COI_KIND_CONTACT_STORAGE:
    case TERN_COI_KIND_PROFILE_STORAGE:
    case TERN_COI_KIND_GROUP_STORAGE:
      /* Requests are answered and storage read by the account engine. */
      if (!result->outgoing && info->profile != NULL)
        {
          gint64 c = tern_store_batch_ensure_contact (batch, ctx->account, info->from->address,
                                                      info->from->name);
          apply_profile (ctx, batch, info, c);
          result->action = TERN_INGEST_APPLIED;
        }
      return TRUE;
    case TERN_COI_KIND_EXTENSION:
      if (info->text == NULL || *info->text == '\0')
        return TRUE;
      break;
    case TERN_COI_KIND_BOUNCE:
      {
        /* A bounce of one of ours: the message failed (the DSN itself is
         * not shown); one we cannot place is shown as mail. */
        g_autofree char *bounced = bounced_message_id (info);
        const Known *original = lookup (ctx, bounced, &local);

        if (local != NULL)
          goto store_error;
        if (original != NULL && original->outgoing)
          {
            tern_store_batch_set_state (batch, original->ref, TERN_STORE_STATE_FAILED);
            result->action = TERN_INGEST_APPLIED;
            result->message_ref = original->ref;
            result->chat_ref = original->chat;
            return TRUE;
          }
      }
      break;
    default:
      break;
    }

  if (!result->outgoing)
    {
      sender_contact = tern_store_batch_ensure_contact (batch, ctx->account, info->from->address,
                                                        info->from->name);
      if (contact_row != NULL && contact_row->display_name == NULL && info->from->name != NULL)
        {
          TernStoreContactRow values = { 0 };

          values.display_name = info->from->name;
          tern_store_batch_update_contact (batch, sender_contact,
                                           TERN_STORE_CONTACT_FIELD_DISPLAY_NAME, &values);
        }
      apply_profile (ctx, batch, info, sender_contact);
    }

  chat = resolve_chat (ctx, batch, info, result->outgoing, sender_contact, &local);
  if (local != NULL)
    goto store_error;

  row.account_id = ctx->account;
  row.chat_id = chat;
  row.message_id = info->message_id;
  row.sender_contact_id = sender_contact;
  row.sender_address = result->outgoing ? NULL : info->from->address;
  row.outgoing = result->outgoing;
  row.sent_time = unix_time (info->date);
  row.received_time = result->outgoing ? row.sent_time : received_time;
  row.state = result->outgoing ? TERN_STORE_STATE_SENT : TERN_STORE_STATE_NONE;
  row.seen = seen || result->outgoing;
  row.subject = info->subject;
  row.text = info->text ? info->text : (char *) "";
  quote = fold_quote (info);
  row.quote = quote;
  row.reply_to = info->in_reply_to;
  if (info->pinned)
    row.pinned_until = info->pinned_until ? g_date_time_to_unix (info->pinned_until) : G_MAXINT64;
  if (info->location != NULL)
    {
      row.has_location = TRUE;
      row.latitude = info->location->latitude;
      row.longitude = info->location->longitude;
      if (info->location->text != NULL && (info->text == NULL || *info->text == '\0'))
        row.text = info->location->text;
    }
  if (info->kind == TERN_COI_KIND_GROUP_LEFT)
    {
      const char *who = info->from->name ? info->from->name : info->from->address;

      system_text = g_strdup_printf ("%s left the group", who);
      row.text = system_text;
      if (sender_contact != 0)
        tern_store_batch_set_chat_member (batch, chat, sender_contact, FALSE);
    }
  row.kind = message_kind (info, info->attachments->len);
  row.mentions_me = result->mentions_me;
  row.mdn_sent = has_flag (flags, "$MDNSent");
  if (!result->outgoing && info->receipt_requested && info->receipt_address != NULL
      && !tern_ingest_is_own_address (ctx, info->receipt_address))
    row.receipt_to = info->receipt_address;

  message = tern_store_batch_add_message (batch, &row, folder_id, uid);
  add_attachments (batch, message, info);
  remember (ctx, info->message_id, message, chat, row.sender_address, row.outgoing);
  if (!result->outgoing && info->receipt_requested && info->receipt_address != NULL
      && !tern_ingest_is_own_address (ctx, info->receipt_address)
      && !has_flag (flags, "$MDNSent"))
    g_hash_table_replace (ctx->receipts, g_strdup (info->message_id),
                          g_strdup (info->receipt_address));
  apply_pending (ctx, batch, info->message_id);

  result->action = TERN_INGEST_STORED;
  result->message_ref = message;
  result->chat_ref = chat;
  return TRUE;

store_error:
  g_propagate_error (error, tern_core_error_wrap (local, "Store"));
  g_error_free (local);
  return FALSE;
}

/* ---- the account hook ---------------------------------------------------- */

#define CONTEXT_KEY "tern-ingest-context"

/* Below this many bodies a batch is parsed on the calling thread: a thread
 * hop is not worth it for the message IDLE just announced. */
#define PARSE_IN_THREAD_MIN 8
/* From this many, the parse is split in two (on two cores or more). */
#define PARSE_SPLIT_MIN 64
#define PREPARED_KEY "tern-ingest-prepared"

/* The GMime parse of one fetched batch, on worker threads. Reference
 * counted on the main thread only: the prepared table, each running parse
 * task and the hook that consumes it hold one. */
typedef struct {
  guint          ref_count;
  GPtrArray     *fetched;  /* TernAccountFetched* (a reference: its address stays its key) */
  GPtrArray     *infos;    /* TernCoiInfo* (or NULL) parallel to fetched */
  GStrv          own;
  guint          parsing;  /* parse tasks still running */
  gint64         start;    /* monotonic µs, for the debug log */
  GTask         *waiter;   /* the hook waiting for the parse to end */
} Parse;

typedef struct {
  GPtrArray      *fetched;
  TernStoreBatch *batch;
  GArray         *results; /* TernIngestResult parallel to fetched */
  Parse          *parse;
} HookData;

/* One parse task: bodies [from, to) of the batch. */
typedef struct {
  Parse *parse;
  guint  from;
  guint  to;
} ParseRange;

static Parse *
parse_ref (Parse *parse)
{
  parse->ref_count++;
  return parse;
}

/* Tearing down a chunk's GMime objects costs about as much as a quarter
 * of parsing them: a worker does it, not the main thread. */
static void
free_infos_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  g_ptr_array_unref (task_data);
}

static void
free_infos (Parse *parse)
{
  g_autoptr(GTask) task = NULL;

  if (parse->infos == NULL)
    return;
  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_name (task, "[tern-core] free parsed messages");
  g_task_set_task_data (task, g_steal_pointer (&parse->infos), NULL);
  g_task_run_in_thread (task, free_infos_thread);
}

static void
parse_unref (Parse *parse)
{
  if (--parse->ref_count > 0)
    return;
  g_ptr_array_unref (parse->fetched);
  free_infos (parse);
  g_strfreev (parse->own);
  g_free (parse);
}

static void
hook_data_free (HookData *data)
{
  for (guint i = 0; i < data->results->len; i++)
    tern_ingest_result_clear (&g_array_index (data->results, TernIngestResult, i));
  g_array_unref (data->results);
  g_ptr_array_unref (data->fetched);
  g_clear_pointer (&data->parse, parse_unref);
  g_clear_object (&data->batch);
  g_free (data);
}

TernIngestContext *
tern_ingest_get_for_account (TernAccount *account)
{
  TernIngestContext *ctx = g_object_get_data (G_OBJECT (account), CONTEXT_KEY);

  if (ctx == NULL)
    {
      const char *own[] = { tern_account_get_address (account), NULL };

      ctx = tern_ingest_context_new (tern_account_get_store (account),
                                     tern_account_get_id (account), own);
      g_object_set_data_full (G_OBJECT (account), CONTEXT_KEY, ctx,
                              (GDestroyNotify) tern_ingest_context_free);
    }
  return ctx;
}

static void
hook_committed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TernAccount *account = g_task_get_source_object (task);
  HookData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!tern_store_commit_finish (TERN_STORE (object), result, &error))
    {
      g_task_return_error (task, tern_core_error_wrap (error, "Storing messages"));
      return;
    }
  for (guint i = 0; i < data->fetched->len; i++)
    {
      TernAccountFetched *f = data->fetched->pdata[i];
      TernIngestResult *r = &g_array_index (data->results, TernIngestResult, i);
      gint64 id = r->message_ref ? tern_store_batch_get_id (data->batch, r->message_ref) : 0;

      if (f->raw == NULL)
        continue;
      f->message_row = r->action == TERN_INGEST_STORED ? id : 0;
      if (id <= 0)
        continue;
      if (r->action == TERN_INGEST_STORED && !r->known
          && tern_store_batch_was_inserted (data->batch, r->message_ref))
        g_signal_emit_by_name (account, "message-received", id,
                               tern_store_batch_get_id (data->batch, r->chat_ref));
      else if (r->action == TERN_INGEST_APPLIED)
        g_signal_emit_by_name (account, "message-changed", id);
    }
  g_task_return_boolean (task, TRUE);
}

/* GMime parses of bodies [from, to) of the batch: no store, no context;
 * each range writes its own slots of parse->infos. */
static void
parse_range (Parse *parse,
             guint  from,
             guint  to)
{
  for (guint i = from; i < to; i++)
    {
      TernAccountFetched *f = parse->fetched->pdata[i];
      g_autoptr(GError) error = NULL;
      TernCoiInfo *info;

      if (f->raw == NULL)
        continue;
      info = tern_ingest_parse (f->raw, (const char * const *) parse->own, &error);
      if (info == NULL)
        g_debug ("message %u in folder %" G_GINT64_FORMAT " not parsed: %s", f->uid,
                 f->folder_id, error->message);
      parse->infos->pdata[i] = info;
    }
}

static void
parse_thread (GTask        *parse_task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ParseRange *range = task_data;

  parse_range (range->parse, range->from, range->to);
  g_task_return_boolean (parse_task, TRUE);
}

static void apply_and_commit (GTask *task);

static void
parsed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Parse *parse = user_data;

  if (--parse->parsing == 0)
    {
      g_debug ("%u messages parsed in %.1f ms on workers", parse->fetched->len,
               (g_get_monotonic_time () - parse->start) / 1000.0);
      if (parse->waiter != NULL)
        apply_and_commit (g_steal_pointer (&parse->waiter));
    }
  parse_unref (parse);
}

/* Starts the parse of @fetched: on the calling thread for a few bodies
 * (done on return), else on one or two workers. */
static Parse *
parse_start (TernAccount *account,
             GPtrArray   *fetched)
{
  TernIngestContext *ctx = tern_ingest_get_for_account (account);
  Parse *parse = g_new0 (Parse, 1);
  guint n_raw = 0;

  parse->ref_count = 1;
  parse->fetched = g_ptr_array_ref (fetched);
  parse->infos = g_ptr_array_new_full (fetched->len, (GDestroyNotify) tern_coi_info_free);
  g_ptr_array_set_size (parse->infos, fetched->len);
  parse->own = g_strdupv (ctx->own);
  parse->start = g_get_monotonic_time ();
  for (guint i = 0; i < fetched->len; i++)
    if (((TernAccountFetched *) fetched->pdata[i])->raw != NULL)
      n_raw++;
  if (n_raw < PARSE_IN_THREAD_MIN)
    {
      parse_range (parse, 0, fetched->len);
      return parse;
    }
  /* A large batch (the initial sync's chunks) is split over the cores;
   * the main thread meanwhile reads the next chunk from the server. */
  parse->parsing = n_raw >= PARSE_SPLIT_MIN && g_get_num_processors () > 1 ? 2 : 1;
  for (guint p = 0, n = parse->parsing; p < n; p++)
    {
      g_autoptr(GTask) parse_task = g_task_new (NULL, NULL, parsed_cb, parse_ref (parse));
      ParseRange *range = g_new0 (ParseRange, 1);

      range->parse = parse;
      range->from = fetched->len * p / n;
      range->to = fetched->len * (p + 1) / n;
      g_task_set_name (parse_task, "[tern-core] ingest parse");
      g_task_set_task_data (parse_task, range, g_free);
      g_task_run_in_thread (parse_task, parse_thread);
    }
  return parse;
}

static gboolean installed;

void
tern_ingest_prepare (TernAccount *account,
                     GPtrArray   *fetched)
{
  GHashTable *prepared;

  g_return_if_fail (TERN_IS_ACCOUNT (account));

  if (!installed)
    return;
  prepared = g_object_get_data (G_OBJECT (account), PREPARED_KEY);
  if (prepared == NULL)
    {
      prepared = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) parse_unref);
      g_object_set_data_full (G_OBJECT (account), PREPARED_KEY, prepared,
                              (GDestroyNotify) g_hash_table_unref);
    }
  if (!g_hash_table_contains (prepared, fetched))
    g_hash_table_insert (prepared, fetched, parse_start (account, fetched));
}

void
tern_ingest_forget (TernAccount *account,
                    GPtrArray   *fetched)
{
  GHashTable *prepared;

  g_return_if_fail (TERN_IS_ACCOUNT (account));

  prepared = g_object_get_data (G_OBJECT (account), PREPARED_KEY);
  if (prepared != NULL)
    g_hash_table_remove (prepared, fetched);
}

/* The stored messages among the chunk's Message-IDs, in one read of the
 * store instead of one per message (tern_store_find_message_ids()):
 * Message-ID -> TernStoreMessageRow, or NULL if the read failed (each is
 * then read on its own). The found ones go into the context's cache as
 * lookup() would have put them; the others are remembered as absent, so
 * lookup() answers for them without a read. */
static GHashTable *
find_chunk_messages (TernIngestContext *ctx,
                     HookData          *data)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GHashTable *found;

  for (guint i = 0; i < data->fetched->len; i++)
    {
      TernAccountFetched *f = data->fetched->pdata[i];
      const TernCoiInfo *info = data->parse->infos->pdata[i];
      const char *id = f->raw == NULL ? f->message_id : info != NULL ? info->message_id : NULL;

      if (id != NULL && *id != '\0')
        g_ptr_array_add (ids, (gpointer) id);
    }
  if (ids->len == 0)
    return NULL;
  found = tern_store_find_message_ids (ctx->store, ctx->account,
                                       (const char * const *) ids->pdata, ids->len, &error);
  if (found == NULL)
    {
      g_debug ("Reading a chunk's messages at once: %s", error->message);
      return NULL;
    }
  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = ids->pdata[i];
      const TernStoreMessageRow *row = g_hash_table_lookup (found, id);

      if (row != NULL)
        remember (ctx, id, row->id, row->chat_id, row->sender_address, row->outgoing);
      else
        g_hash_table_add (ctx->absent, g_strdup (id));
    }
  return found;
}

/* On the account's thread, in the order fetched: the context's cache and
 * held edits depend on it. */
static void
apply_and_commit (GTask *task)
{
  TernAccount *account = g_task_get_source_object (task);
  HookData *data = g_task_get_task_data (task);
  TernStore *store = tern_account_get_store (account);
  TernIngestContext *ctx = tern_ingest_get_for_account (account);
  g_autoptr(GHashTable) found = NULL;

  data->batch = tern_store_begin_batch (store);
  /* A new batch may reuse the address of the one committed before: the
   * per-batch caches start empty, whatever the pointer says. */
  g_hash_table_remove_all (ctx->cache);
  g_hash_table_remove_all (ctx->absent);
  g_hash_table_remove_all (ctx->contacts);
  ctx->batch = data->batch;
  ctx->cache_contacts = TRUE;
  found = find_chunk_messages (ctx, data);
  for (guint i = 0; i < data->fetched->len; i++)
    {
      TernAccountFetched *f = data->fetched->pdata[i];
      TernIngestResult *r = &g_array_index (data->results, TernIngestResult, i);
      const TernCoiInfo *info = data->parse->infos->pdata[i];
      g_autoptr(GError) error = NULL;

      if (f->raw == NULL)
        {
          /* Only the flags changed (read on another device). */
          g_autoptr(TernStoreMessageRow) read = NULL;
          const TernStoreMessageRow *known;

          if (f->message_id == NULL)
            continue;
          if (found != NULL)
            known = g_hash_table_lookup (found, f->message_id);
          else
            known = read = tern_store_find_message (store, tern_account_get_id (account),
                                                    f->message_id, NULL);
          if (known == NULL)
            continue;
          f->message_row = known->id;
          f->from_self = known->outgoing;
          if (has_flag ((const char * const *) f->flags, "\\Seen") && !known->seen)
            tern_store_batch_set_seen (data->batch, known->id, TRUE);
          continue;
        }
      if (info == NULL)
        continue;

      tern_ingest_context_set_received_time (ctx, f->internal_date);
      if (!tern_ingest_message_parsed (ctx, data->batch, info, f->folder_id, f->uid,
                                       (const char * const *) f->flags, r, &error))
        {
          g_debug ("message %u in folder %" G_GINT64_FORMAT " not ingested: %s", f->uid,
                   f->folder_id, error->message);
          continue;
        }
      f->is_chat = r->is_chat;
      f->from_self = r->outgoing;
      f->blocked = r->action == TERN_INGEST_BLOCKED;
    }
  /* Nothing may stay cached for a later batch: a contact blocked
   * meanwhile, or a batch at this one's address. */
  ctx->cache_contacts = FALSE;
  g_hash_table_remove_all (ctx->contacts);
  g_hash_table_remove_all (ctx->cache);
  g_hash_table_remove_all (ctx->absent);
  ctx->batch = NULL;
  /* The GMime objects go with the infos, now (the batch holds copies of
   * what it needs), on a worker. */
  free_infos (data->parse);

  tern_store_commit_async (store, data->batch, g_task_get_cancellable (task), hook_committed_cb,
                           task);
}

void
tern_ingest_account_async (TernAccount         *account,
                           GPtrArray           *fetched,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (account, cancellable, callback, user_data);
  GHashTable *prepared = g_object_get_data (G_OBJECT (account), PREPARED_KEY);
  HookData *data = g_new0 (HookData, 1);
  Parse *parse = NULL;

  g_task_set_source_tag (task, tern_ingest_account_async);
  g_task_set_name (task, "[tern-core] ingest");
  data->fetched = g_ptr_array_ref (fetched);
  data->results = g_array_new (FALSE, TRUE, sizeof (TernIngestResult));
  g_array_set_size (data->results, fetched->len);
  g_task_set_task_data (task, data, (GDestroyNotify) hook_data_free);

  /* parsed already (or being parsed) since tern_ingest_prepare()? */
  if (prepared != NULL && g_hash_table_steal_extended (prepared, fetched, NULL,
                                                       (gpointer *) &parse))
    data->parse = parse;
  else
    data->parse = parse_start (account, fetched);
  if (data->parse->parsing > 0)
    {
      data->parse->waiter = task;
      return;
    }
  apply_and_commit (task);
}

gboolean
tern_ingest_account_finish (TernAccount   *account,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, account), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
tern_ingest_install (void)
{
  static const char warm[] =
    "From: <warm-up@localhost>\r\nMessage-ID: <warm-up@localhost>\r\nMIME-Version: 1.0\r\n"
    "Content-Type: text/html; charset=utf-8\r\n\r\n<p>warm-up</p>\r\n";
  static gsize warmed = 0;

  /* The parse runs on worker threads, two at a time: GMime and libxml2
   * (HTML parts) are initialised here first, on one thread, once. */
  if (g_once_init_enter (&warmed))
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (warm, sizeof warm - 1);
      g_autoptr(TernCoiInfo) info = NULL;

      tern_coi_init ();
      info = tern_ingest_parse (bytes, NULL, NULL);

      g_once_init_leave (&warmed, 1);
    }
  installed = TRUE;
  tern_account_set_ingest_funcs (tern_ingest_account_async, tern_ingest_account_finish);
}
