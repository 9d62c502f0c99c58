/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-store"

#include "tern-store-apply-private.h"

/* The operations of a batch on messages, their attachments, receipts, the
 * outbox, and the per-batch upkeep of the full-text index and the chat
 * counters (see tern-store-apply.c for the rest). */

/* Looks up chat_id and sort_key of a message; FALSE if it is gone. */
static gboolean
message_position (TernStoreApply *ap,
                  gint64          message,
                  gint64         *chat_id,
                  gint64         *sort_key,
                  GError        **error)
{
  GET_STMT (stmt, "SELECT chat_id, sort_key FROM messages WHERE id = ?");
  int rc;

  sqlite3_bind_int64 (stmt, 1, message);
  rc = step (ap, stmt, error);
  if (rc == SQLITE_ROW)
    {
      *chat_id = sqlite3_column_int64 (stmt, 0);
      *sort_key = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW;
}

static void
note_message_updated (TernStoreApply *ap,
                      gint64          message,
                      gint64          chat_id,
                      gint64          sort_key)
{
  add_message_change (ap->changes->messages_updated, message, chat_id, sort_key);
  add_id (ap->changes->chats_updated, chat_id);
}

static gboolean
state_may_change (TernStoreDeliveryState from,
                  TernStoreDeliveryState to)
{
  if (from == to)
    return FALSE;
  if (from == TERN_STORE_STATE_NONE)
    return TRUE;
  if (to == TERN_STORE_STATE_FAILED)
    return from == TERN_STORE_STATE_PENDING || from == TERN_STORE_STATE_SENT;
  if (from == TERN_STORE_STATE_FAILED)
    return to != TERN_STORE_STATE_NONE;
  return to > from;
}

gboolean
tern_store_apply_set_state (TernStoreApply         *ap,
             gint64                  message,
             TernStoreDeliveryState  state,
             gboolean                force,
             GError                **error)
{
  GET_STMT (stmt, "SELECT state, chat_id, sort_key FROM messages WHERE id = ?");
  TernStoreDeliveryState old;
  gint64 chat_id, sort_key;
  int rc;

  sqlite3_bind_int64 (stmt, 1, message);
  rc = step (ap, stmt, error);
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return rc == SQLITE_DONE;
    }
  old = sqlite3_column_int (stmt, 0);
  chat_id = sqlite3_column_int64 (stmt, 1);
  sort_key = sqlite3_column_int64 (stmt, 2);
  sqlite3_reset (stmt);

  if (!(force ? old != state : state_may_change (old, state)))
    return TRUE;

  {
    /* Leaving FAILED (a retry) forgets the reason; the outbox sets a new one. */
    GET_STMT (upd, "UPDATE messages SET state = ?1,"
                   " failure_reason = CASE WHEN ?1 = 5 THEN failure_reason END WHERE id = ?2");

    sqlite3_bind_int (upd, 1, state);
    sqlite3_bind_int64 (upd, 2, message);
    if (!run (ap, upd, error))
      return FALSE;
  }
  note_message_updated (ap, message, chat_id, sort_key);
  return TRUE;
}

/* Full-text index of new messages: added at the end of the batch (or before
 * an operation that may touch those rows' index entries), never from a
 * trigger; see schema/0004-batch-maintenance.sql. */

/* TRUE if the pending ids are n consecutive ids in ascending order. */
static gboolean
ids_are_a_run (GArray *pending)
{
  for (guint i = 1; i < pending->len; i++)
    if (g_array_index (pending, TernStoreFtsPending, i).id
        != g_array_index (pending, TernStoreFtsPending, i - 1).id + 1)
      return FALSE;
  return TRUE;
}

static gboolean
flush_counters (TernStoreApply *ap,
                GError        **error)
{
  GHashTableIter iter;
  TernStoreChatDelta *delta;
  sqlite3_stmt *stmt;

  if (g_hash_table_size (ap->chat_deltas) == 0)
    return TRUE;

  /* Sums commute with what the UPDATE/DELETE triggers did meanwhile to the
   * same chats; last_message_id is looked up again (one index seek). */
  stmt = tern_store_stmt_cache_get (ap->stmts,
                                    "UPDATE chats SET"
                                    " message_count = message_count + ?2,"
                                    " unread_count = unread_count + ?3,"
                                    " last_activity = CASE WHEN message_count = 0 THEN ?4"
                                    "                      ELSE MAX(last_activity, ?4) END,"
                                    " last_message_id = (SELECT m.id FROM messages m"
                                    "   WHERE m.chat_id = ?1 ORDER BY m.sort_key DESC, m.id DESC"
                                    "   LIMIT 1)"
                                    " WHERE id = ?1",
                                    error);
  if (stmt == NULL)
    return FALSE;

  g_hash_table_iter_init (&iter, ap->chat_deltas);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &delta))
    {
      sqlite3_bind_int64 (stmt, 1, delta->chat_id);
      sqlite3_bind_int64 (stmt, 2, delta->messages);
      sqlite3_bind_int64 (stmt, 3, delta->unread);
      sqlite3_bind_int64 (stmt, 4, delta->max_sort_key);
      if (!run (ap, stmt, error))
        return FALSE;
    }
  g_hash_table_remove_all (ap->chat_deltas);
  return TRUE;
}

static void
add_chat_delta (TernStoreApply            *ap,
                gint64                     chat,
                const TernStoreMessageRow *row,
                gint64                     sort_key)
{
  TernStoreChatDelta *delta = g_hash_table_lookup (ap->chat_deltas, &chat);

  if (delta == NULL)
    {
      delta = g_new0 (TernStoreChatDelta, 1);
      delta->chat_id = chat;
      delta->max_sort_key = sort_key;
      g_hash_table_insert (ap->chat_deltas, &delta->chat_id, delta);
    }
  delta->messages++;
  delta->unread += !row->seen && !row->outgoing;
  delta->max_sort_key = MAX (delta->max_sort_key, sort_key);
}

gboolean
tern_store_apply_flush_fts (TernStoreApply *ap,
                            GError        **error)
{
  g_autoptr(GString) ids = NULL;
  sqlite3_stmt *stmt;

  if (!flush_counters (ap, error))
    return FALSE;
  if (ap->fts_pending->len == 0)
    return TRUE;

  /* One statement for the whole batch: FTS5 writes its pending terms out
   * as a new segment at every statement savepoint, so a row-by-row insert
   * made one tiny segment per message (and merges of them). A sync batch's
   * new messages are a run of consecutive ids: those are read as a range
   * of the table, with no list to parse and no seek per row. */
  if (ids_are_a_run (ap->fts_pending))
    {
      stmt = tern_store_stmt_cache_get (ap->stmts,
                                        "INSERT INTO messages_fts (rowid, subject, text)"
                                        " SELECT id, subject, text FROM messages"
                                        " WHERE id BETWEEN ?1 AND ?2",
                                        error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, g_array_index (ap->fts_pending, TernStoreFtsPending, 0).id);
      sqlite3_bind_int64 (stmt, 2, g_array_index (ap->fts_pending, TernStoreFtsPending,
                                                  ap->fts_pending->len - 1).id);
      if (!run (ap, stmt, error))
        return FALSE;
      g_array_set_size (ap->fts_pending, 0);
      return TRUE;
    }

  stmt = tern_store_stmt_cache_get (ap->stmts,
                                    "INSERT INTO messages_fts (rowid, subject, text)"
                                    " SELECT m.id, m.subject, m.text FROM json_each (?1) j"
                                    " JOIN messages m ON m.id = j.value",
                                    error);
  if (stmt == NULL)
    return FALSE;

  ids = g_string_sized_new (ap->fts_pending->len * 8 + 2);
  g_string_append_c (ids, '[');
  for (guint i = 0; i < ap->fts_pending->len; i++)
    {
      TernStoreFtsPending *p = &g_array_index (ap->fts_pending, TernStoreFtsPending, i);

      if (i > 0)
        g_string_append_c (ids, ',');
      g_string_append_printf (ids, "%" G_GINT64_FORMAT, p->id);
    }
  g_string_append_c (ids, ']');
  sqlite3_bind_text (stmt, 1, ids->str, (int) ids->len, SQLITE_STATIC);
  if (!run (ap, stmt, error))
    return FALSE;
  g_array_set_size (ap->fts_pending, 0);
  return TRUE;
}

/* messages */

/* The parents of the rows a sync inserts are checked by the store, once per
 * batch and parent, instead of a foreign-key lookup per row (schema version
 * 7). The caches are dropped by any operation that deletes parents. */
void
tern_store_apply_forget_parents (TernStoreApply *ap)
{
  g_hash_table_remove_all (ap->chats_checked);
  g_hash_table_remove_all (ap->folders_checked);
  g_hash_table_remove_all (ap->found);
}

/* Returns the account of @chat, or 0 with @error set if there is no such chat. */
static gint64
check_chat (TernStoreApply *ap,
            gint64          chat,
            GError        **error)
{
  gpointer account;
  gint64 id = 0;
  int rc;

  if (g_hash_table_lookup_extended (ap->chats_checked, &chat, NULL, &account))
    return *(gint64 *) account;

  {
    GET_STMT (stmt, "SELECT account_id FROM chats WHERE id = ?");

    sqlite3_bind_int64 (stmt, 1, chat);
    rc = step (ap, stmt, error);
    if (rc == SQLITE_ROW)
      id = sqlite3_column_int64 (stmt, 0);
    sqlite3_reset (stmt);
  }
  if (rc < 0)
    return 0;
  if (id == 0)
    {
      g_set_error (error, TERN_STORE_ERROR, TERN_STORE_ERROR_CONSTRAINT,
                   "Chat %" G_GINT64_FORMAT " does not exist", chat);
      return 0;
    }
  {
    gint64 *pair = g_new (gint64, 2);

    pair[0] = chat;
    pair[1] = id;
    g_hash_table_insert (ap->chats_checked, &pair[0], &pair[1]);
  }
  return id;
}

static gboolean
check_folder (TernStoreApply *ap,
              gint64          folder,
              GError        **error)
{
  int rc;

  if (g_hash_table_contains (ap->folders_checked, &folder))
    return TRUE;
  {
    GET_STMT (stmt, "SELECT 1 FROM folders WHERE id = ?");

    sqlite3_bind_int64 (stmt, 1, folder);
    rc = step (ap, stmt, error);
    sqlite3_reset (stmt);
  }
  if (rc < 0)
    return FALSE;
  if (rc != SQLITE_ROW)
    {
      g_set_error (error, TERN_STORE_ERROR, TERN_STORE_ERROR_CONSTRAINT,
                   "Folder %" G_GINT64_FORMAT " does not exist", folder);
      return FALSE;
    }
  g_hash_table_add (ap->folders_checked, g_memdup2 (&folder, sizeof folder));
  return TRUE;
}

static gboolean
insert_location (TernStoreApply *ap,
                 gint64          message,
                 gint64          folder,
                 guint32         uid,
                 GError        **error)
{
  GET_STMT (stmt, "INSERT OR REPLACE INTO message_locations (folder_id, uid, message_id)"
                  " VALUES (?, ?, ?)");

  /* The folder is checked here (once per batch), not by a foreign key:
   * schema version 7. The message was just stored or found. */
  if (!check_folder (ap, folder, error))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder);
  sqlite3_bind_int64 (stmt, 2, uid);
  sqlite3_bind_int64 (stmt, 3, message);
  return run (ap, stmt, error);
}

/* Rows per INSERT of a batch's locations: one statement instead of one per
 * message saves each statement's own cost (about 4,000 instructions). */
#define LOCATIONS_PER_INSERT 100

gboolean
tern_store_apply_flush_locations (TernStoreApply *ap,
                                  GError        **error)
{
  GArray *pending = ap->locations_pending;
  guint done = 0;

  while (pending->len - done >= LOCATIONS_PER_INSERT)
    {
      static gsize sql_once = 0;
      static char *sql = NULL;
      sqlite3_stmt *stmt;

      if (g_once_init_enter (&sql_once))
        {
          GString *s = g_string_new ("INSERT OR REPLACE INTO message_locations"
                                     " (folder_id, uid, message_id) VALUES (?, ?, ?)");

          for (guint i = 1; i < LOCATIONS_PER_INSERT; i++)
            g_string_append (s, ", (?, ?, ?)");
          sql = g_string_free (s, FALSE);
          g_once_init_leave (&sql_once, 1);
        }
      stmt = tern_store_stmt_cache_get (ap->stmts, sql, error);
      if (stmt == NULL)
        return FALSE;
      for (guint i = 0; i < LOCATIONS_PER_INSERT; i++)
        {
          TernStoreLocationPending *p = &g_array_index (pending, TernStoreLocationPending, done + i);

          sqlite3_bind_int64 (stmt, 3 * i + 1, p->folder);
          sqlite3_bind_int64 (stmt, 3 * i + 2, p->uid);
          sqlite3_bind_int64 (stmt, 3 * i + 3, p->message);
        }
      if (!run (ap, stmt, error))
        return FALSE;
      done += LOCATIONS_PER_INSERT;
    }
  for (; done < pending->len; done++)
    {
      TernStoreLocationPending *p = &g_array_index (pending, TernStoreLocationPending, done);

      if (!insert_location (ap, p->message, p->folder, (guint32) p->uid, error))
        return FALSE;
    }
  g_array_set_size (pending, 0);
  return TRUE;
}

gboolean
tern_store_apply_add_message (TernStoreApply *ap,
                TernStoreBatch *batch,
                TernStoreOp    *op,
                GError        **error)
{
  GET_STMT (stmt, "INSERT INTO messages (account_id, chat_id, message_id, sender_contact_id,"
                  " sender_address, outgoing, sent_time, received_time, sort_key, kind, state,"
                  " seen, edited, deleted, subject, text, quote, reply_to, pinned_until,"
                  " latitude, longitude, mentions_me, receipt_to, mdn_sent, failure_reason)"
                  " VALUES (?1, ?2, ?3, ?4,"
                  " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,"
                  " ?22, ?23, ?24, ?25)"
                  " ON CONFLICT (account_id, message_id) DO NOTHING");
  const TernStoreMessageRow *row = op->row;
  gint64 chat = tern_store_batch_resolve (batch, row->chat_id);
  gint64 folder = tern_store_batch_resolve (batch, op->b);
  gint64 sort_key = row->sort_key;
  gint64 account = tern_store_batch_resolve (batch, row->account_id);
  gint64 chat_account;
  gint64 id = 0;
  gboolean inserted = FALSE;
  int rc;

  if (chat == 0)
    return TRUE;
  chat_account = check_chat (ap, chat, error);
  if (chat_account == 0)
    return FALSE;
  if (account != 0 && account != chat_account)
    {
      g_set_error (error, TERN_STORE_ERROR, TERN_STORE_ERROR_CONSTRAINT,
                   "Message %s: chat %" G_GINT64_FORMAT " is not of account %" G_GINT64_FORMAT,
                   row->message_id, chat, account);
      return FALSE;
    }

  if (sort_key == 0)
    {
      if (row->sent_time != 0 && row->received_time != 0)
        sort_key = MIN (row->sent_time, row->received_time);
      else if (row->sent_time != 0 || row->received_time != 0)
        sort_key = row->sent_time != 0 ? row->sent_time : row->received_time;
      else
        sort_key = now_seconds ();
    }

  sqlite3_bind_int64 (stmt, 1, chat_account);
  sqlite3_bind_int64 (stmt, 2, chat);
  bind_text (stmt, 3, row->message_id);
  bind_id (stmt, 4, tern_store_batch_resolve (batch, row->sender_contact_id));
  bind_text (stmt, 5, row->sender_address);
  sqlite3_bind_int (stmt, 6, !!row->outgoing);
  sqlite3_bind_int64 (stmt, 7, row->sent_time);
  sqlite3_bind_int64 (stmt, 8, row->received_time);
  sqlite3_bind_int64 (stmt, 9, sort_key);
  sqlite3_bind_int (stmt, 10, row->kind);
  sqlite3_bind_int (stmt, 11, row->state);
  sqlite3_bind_int (stmt, 12, !!row->seen);
  sqlite3_bind_int (stmt, 13, !!row->edited);
  sqlite3_bind_int (stmt, 14, !!row->deleted);
  bind_text (stmt, 15, row->subject);
  bind_text (stmt, 16, row->text);
  bind_text (stmt, 17, row->quote);
  bind_text (stmt, 18, row->reply_to);
  sqlite3_bind_int64 (stmt, 19, row->pinned_until);
  if (row->has_location)
    {
      sqlite3_bind_double (stmt, 20, row->latitude);
      sqlite3_bind_double (stmt, 21, row->longitude);
    }
  sqlite3_bind_int (stmt, 22, !!row->mentions_me);
  bind_text (stmt, 23, row->receipt_to);
  sqlite3_bind_int (stmt, 24, !!row->mdn_sent);
  bind_text (stmt, 25, row->state == TERN_STORE_STATE_FAILED ? row->failure_reason : NULL);
  /* No RETURNING: SQLite implements it with an ephemeral table per
   * statement. One row at most: the rowid and change count tell. */
  rc = step (ap, stmt, error);
  if (rc == SQLITE_DONE && sqlite3_changes (sqlite3_db_handle (stmt)) == 1)
    {
      id = sqlite3_last_insert_rowid (sqlite3_db_handle (stmt));
      inserted = TRUE;
    }
  sqlite3_reset (stmt);
  if (rc < 0)
    return FALSE;

  if (inserted)
    {
      TernStoreFtsPending pending = { id, row };

      g_array_append_val (ap->fts_pending, pending);
      add_chat_delta (ap, chat, row, sort_key);
      add_message_change (ap->changes->messages_inserted, id, chat, sort_key);
      add_id (ap->changes->chats_updated, chat);
    }
  else
    {
      GET_STMT (find, "SELECT id FROM messages WHERE account_id = ?1 AND message_id = ?2");
      sqlite3_bind_int64 (find, 1, chat_account);
      bind_text (find, 2, row->message_id);
      rc = step (ap, find, error);
      if (rc == SQLITE_ROW)
        id = sqlite3_column_int64 (find, 0);
      sqlite3_reset (find);
      if (rc < 0)
        return FALSE;

    }

  if (id != 0 && folder != 0)
    {
      TernStoreLocationPending pending = { folder, (guint32) op->u, id };

      /* The folder is checked here (once per batch), not by a foreign key:
       * schema version 7. */
      if (!check_folder (ap, folder, error))
        return FALSE;
      g_array_append_val (ap->locations_pending, pending);
    }

  set_slot (batch, op, id, inserted);
  return TRUE;
}

gboolean
tern_store_apply_add_location (TernStoreApply *ap,
                 TernStoreBatch *batch,
                 TernStoreOp    *op,
                 GError        **error)
{
  gint64 message = tern_store_batch_resolve (batch, op->a);
  gint64 folder = tern_store_batch_resolve (batch, op->b);

  if (message == 0 || folder == 0)
    return TRUE;
  {
    GET_STMT (stmt, "SELECT 1 FROM messages WHERE id = ?");
    int rc;

    sqlite3_bind_int64 (stmt, 1, message);
    rc = step (ap, stmt, error);
    sqlite3_reset (stmt);
    if (rc < 0)
      return FALSE;
    if (rc != SQLITE_ROW)
      {
        g_set_error (error, TERN_STORE_ERROR, TERN_STORE_ERROR_CONSTRAINT,
                     "Message %" G_GINT64_FORMAT " does not exist", message);
        return FALSE;
      }
  }
  return insert_location (ap, message, folder, (guint32) op->u, error);
}

gboolean
tern_store_apply_remove_location (TernStoreApply *ap,
                    TernStoreBatch *batch,
                    TernStoreOp    *op,
                    GError        **error)
{
  GET_STMT (stmt, "DELETE FROM message_locations WHERE folder_id = ? AND uid = ?");

  sqlite3_bind_int64 (stmt, 1, tern_store_batch_resolve (batch, op->b));
  sqlite3_bind_int64 (stmt, 2, op->u);
  return run (ap, stmt, error);
}

/* Runs an UPDATE ... RETURNING chat_id, sort_key on one message. */
static gboolean
update_message (TernStoreApply *ap,
                sqlite3_stmt   *stmt,
                gint64          message,
                GError        **error)
{
  int rc = step (ap, stmt, error);
  gint64 chat_id = 0, sort_key = 0;

  if (rc == SQLITE_ROW)
    {
      chat_id = sqlite3_column_int64 (stmt, 0);
      sort_key = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  if (rc < 0)
    return FALSE;
  if (rc == SQLITE_ROW)
    note_message_updated (ap, message, chat_id, sort_key);
  return TRUE;
}

gboolean
tern_store_apply_set_seen (TernStoreApply *ap,
             TernStoreBatch *batch,
             TernStoreOp    *op,
             GError        **error)
{
  GET_STMT (stmt, "UPDATE messages SET seen = ?1 WHERE id = ?2 AND seen != ?1"
                  " RETURNING chat_id, sort_key");
  gint64 message = tern_store_batch_resolve (batch, op->a);

  sqlite3_bind_int (stmt, 1, op->flags);
  sqlite3_bind_int64 (stmt, 2, message);
  return update_message (ap, stmt, message, error);
}

gboolean
tern_store_apply_set_mdn_sent (TernStoreApply *ap,
                               TernStoreBatch *batch,
                               TernStoreOp    *op,
                               GError        **error)
{
  GET_STMT (stmt, "UPDATE messages SET mdn_sent = 1 WHERE id = ?1 AND mdn_sent = 0"
                  " RETURNING chat_id, sort_key");
  gint64 message = tern_store_batch_resolve (batch, op->a);

  sqlite3_bind_int64 (stmt, 1, message);
  return update_message (ap, stmt, message, error);
}

gboolean
tern_store_apply_set_pinned (TernStoreApply *ap,
               TernStoreBatch *batch,
               TernStoreOp    *op,
               GError        **error)
{
  GET_STMT (stmt, "UPDATE messages SET pinned_until = ?1 WHERE id = ?2 AND pinned_until != ?1"
                  " RETURNING chat_id, sort_key");
  gint64 message = tern_store_batch_resolve (batch, op->a);

  sqlite3_bind_int64 (stmt, 1, op->c);
  sqlite3_bind_int64 (stmt, 2, message);
  return update_message (ap, stmt, message, error);
}

gboolean
tern_store_apply_edit_message (TernStoreApply *ap,
                 TernStoreBatch *batch,
                 TernStoreOp    *op,
                 GError        **error)
{
  gint64 account = tern_store_batch_resolve (batch, op->a);
  gint64 message = 0, chat_id = 0, sort_key = 0;
  g_autofree char *old_text = NULL;
  int rc;

  /* The target is a message, or (a later edit) the previous edit request. */
  {
    GET_STMT (stmt, "SELECT id, chat_id, sort_key, text FROM messages"
                    " WHERE account_id = ?1 AND message_id = ?2"
                    " UNION ALL"
                    " SELECT m.id, m.chat_id, m.sort_key, m.text FROM message_edits e"
                    " JOIN messages m ON m.id = e.message_id"
                    " WHERE e.edit_message_id = ?2 AND m.account_id = ?1"
                    " LIMIT 1");
    sqlite3_bind_int64 (stmt, 1, account);
    bind_text (stmt, 2, op->s1);
    rc = step (ap, stmt, error);
    if (rc == SQLITE_ROW)
      {
        message = sqlite3_column_int64 (stmt, 0);
        chat_id = sqlite3_column_int64 (stmt, 1);
        sort_key = sqlite3_column_int64 (stmt, 2);
        old_text = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      }
    sqlite3_reset (stmt);
    if (rc != SQLITE_ROW)
      return rc == SQLITE_DONE;
  }

  if (op->s2 != NULL)
    {
      GET_STMT (stmt, "SELECT 1 FROM message_edits WHERE edit_message_id = ? AND message_id = ?");
      bind_text (stmt, 1, op->s2);
      sqlite3_bind_int64 (stmt, 2, message);
      rc = step (ap, stmt, error);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return rc == SQLITE_ROW; /* applied already */
    }

  if (op->s3 == NULL)
    {
      /* A delete: nothing of the old content stays, not even in the history. */
      GET_STMT (hashes, "SELECT hash FROM attachments WHERE message_id = ?1"
                      " UNION SELECT preview_hash FROM attachments WHERE message_id = ?1"
                      "   AND preview_hash IS NOT NULL");
      sqlite3_bind_int64 (hashes, 1, message);
      if (!collect_hashes (ap, hashes, error))
        return FALSE;
      {
        GET_STMT (stmt, "DELETE FROM attachments WHERE message_id = ?");
        sqlite3_bind_int64 (stmt, 1, message);
        if (!run (ap, stmt, error))
          return FALSE;
      }
      {
        GET_STMT (stmt, "DELETE FROM message_edits WHERE message_id = ?");
        sqlite3_bind_int64 (stmt, 1, message);
        if (!run (ap, stmt, error))
          return FALSE;
      }
      {
        GET_STMT (stmt, "UPDATE messages SET text = NULL, quote = NULL, subject = NULL,"
                        " latitude = NULL, longitude = NULL, deleted = 1, seen = 1,"
                        " pinned_until = 0 WHERE id = ?");
        sqlite3_bind_int64 (stmt, 1, message);
        if (!run (ap, stmt, error))
          return FALSE;
      }
      g_clear_pointer (&old_text, g_free);
    }
  else
    {
      GET_STMT (stmt, "UPDATE messages SET text = ?, edited = 1 WHERE id = ?");
      bind_text (stmt, 1, op->s3);
      sqlite3_bind_int64 (stmt, 2, message);
      if (!run (ap, stmt, error))
        return FALSE;
    }

  {
    GET_STMT (stmt, "INSERT INTO message_edits (message_id, edit_message_id, old_text, new_text,"
                    " edited_at) VALUES (?, ?, ?, ?, ?)");
    sqlite3_bind_int64 (stmt, 1, message);
    bind_text (stmt, 2, op->s2);
    bind_text (stmt, 3, old_text);
    bind_text (stmt, 4, op->s3);
    sqlite3_bind_int64 (stmt, 5, op->c);
    if (!run (ap, stmt, error))
      return FALSE;
  }

  note_message_updated (ap, message, chat_id, sort_key);
  return TRUE;
}

gboolean
tern_store_apply_delete_message (TernStoreApply *ap,
                   TernStoreBatch *batch,
                   TernStoreOp    *op,
                   GError        **error)
{
  gint64 message = tern_store_batch_resolve (batch, op->a);
  gint64 chat_id, sort_key;

  if (!message_position (ap, message, &chat_id, &sort_key, error))
    return error == NULL || *error == NULL;

  {
    GET_STMT (stmt, "SELECT hash FROM attachments WHERE message_id = ?1"
                      " UNION SELECT preview_hash FROM attachments WHERE message_id = ?1"
                      "   AND preview_hash IS NOT NULL");
    sqlite3_bind_int64 (stmt, 1, message);
    if (!collect_hashes (ap, stmt, error))
      return FALSE;
  }
  {
    GET_STMT (stmt, "DELETE FROM messages WHERE id = ?");
    sqlite3_bind_int64 (stmt, 1, message);
    if (!run (ap, stmt, error))
      return FALSE;
  }
  add_message_change (ap->changes->messages_deleted, message, chat_id, sort_key);
  add_id (ap->changes->chats_updated, chat_id);
  return TRUE;
}

gboolean
tern_store_apply_add_receipt (TernStoreApply *ap,
                TernStoreBatch *batch,
                TernStoreOp    *op,
                GError        **error)
{
  gint64 message = tern_store_batch_resolve (batch, op->a);
  gboolean outgoing = FALSE;
  int rc;

  {
    GET_STMT (stmt, "SELECT outgoing FROM messages WHERE id = ?");
    sqlite3_bind_int64 (stmt, 1, message);
    rc = step (ap, stmt, error);
    if (rc == SQLITE_ROW)
      outgoing = sqlite3_column_int (stmt, 0);
    sqlite3_reset (stmt);
    if (rc != SQLITE_ROW)
      return rc == SQLITE_DONE;
  }
  {
    GET_STMT (stmt, "INSERT INTO receipts (message_id, address, kind, time) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (message_id, address) DO UPDATE SET"
                    " time = CASE WHEN excluded.kind > kind THEN excluded.time ELSE time END,"
                    " kind = MAX (kind, excluded.kind)");
    sqlite3_bind_int64 (stmt, 1, message);
    bind_text (stmt, 2, op->s1);
    sqlite3_bind_int (stmt, 3, op->flags);
    sqlite3_bind_int64 (stmt, 4, op->c);
    if (!run (ap, stmt, error))
      return FALSE;
  }

  if (!outgoing)
    return TRUE;
  return tern_store_apply_set_state (ap, message,
                      op->flags == TERN_STORE_RECEIPT_READ ? TERN_STORE_STATE_READ
                                                           : TERN_STORE_STATE_DELIVERED,
                      FALSE, error);
}

gboolean
tern_store_apply_add_attachment (TernStoreApply *ap,
                   TernStoreBatch *batch,
                   TernStoreOp    *op,
                   GError        **error)
{
  gint64 message = tern_store_batch_resolve (batch, op->a);
  g_autofree char *hash = NULL;
  g_autofree char *path = NULL;
  gint64 chat_id, sort_key;
  gboolean created;

  if (!message_position (ap, message, &chat_id, &sort_key, error))
    return error == NULL || *error == NULL;

  if (!tern_store_write_attachment (ap->attachments_dir, op->bytes, &hash, &path, &created, error))
    return FALSE;
  if (created)
    g_ptr_array_add (ap->new_files, g_steal_pointer (&path));

  {
    GET_STMT (stmt, "INSERT INTO attachments (message_id, hash, mime_type, name, size, preview_hash)"
                    " VALUES (?, ?, ?, ?, ?, ?)");
    sqlite3_bind_int64 (stmt, 1, message);
    bind_text (stmt, 2, hash);
    bind_text (stmt, 3, op->s1);
    bind_text (stmt, 4, op->s2);
    sqlite3_bind_int64 (stmt, 5, g_bytes_get_size (op->bytes));
    bind_text (stmt, 6, op->s3);
    if (!run (ap, stmt, error))
      return FALSE;
  }
  note_message_updated (ap, message, chat_id, sort_key);
  return TRUE;
}

gboolean
tern_store_apply_add_file (TernStoreApply *ap,
                           TernStoreBatch *batch,
                           TernStoreOp    *op,
                           GError        **error)
{
  g_autofree char *path = NULL;
  gboolean created;

  if (!tern_store_write_attachment (ap->attachments_dir, op->bytes, NULL, &path, &created, error))
    return FALSE;
  if (created)
    g_ptr_array_add (ap->new_files, g_steal_pointer (&path));
  return TRUE;
}

/* outbox */

gboolean
tern_store_apply_outbox_add (TernStoreApply *ap,
               TernStoreBatch *batch,
               TernStoreOp    *op,
               GError        **error)
{
  GET_STMT (stmt, "INSERT INTO outbox (account_id, message_id, rfc822_message_id, raw,"
                  " recipients, state, attempts, next_attempt, created)"
                  " VALUES (?, ?, ?, ?, ?, 0, 0, ?6, ?6) RETURNING id");
  gint64 account = tern_store_batch_resolve (batch, op->a);
  gint64 message = tern_store_batch_resolve (batch, op->b);
  g_autofree char *recipients = g_strjoinv ("\n", op->strv);
  gsize size;
  gconstpointer raw = g_bytes_get_data (op->bytes, &size);
  gint64 id = 0;
  int rc;

  sqlite3_bind_int64 (stmt, 1, account);
  bind_id (stmt, 2, message);
  bind_text (stmt, 3, op->s1);
  sqlite3_bind_blob64 (stmt, 4, raw ? raw : "", size, SQLITE_STATIC);
  bind_text (stmt, 5, recipients);
  sqlite3_bind_int64 (stmt, 6, now_seconds ());
  rc = step (ap, stmt, error);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc < 0)
    return FALSE;

  set_slot (batch, op, id, TRUE);
  ap->changes->outbox_changed = TRUE;
  if (message != 0)
    return tern_store_apply_set_state (ap, message, TERN_STORE_STATE_PENDING, TRUE, error);
  return TRUE;
}

gboolean
tern_store_apply_outbox_update (TernStoreApply *ap,
                  TernStoreBatch *batch,
                  TernStoreOp    *op,
                  GError        **error)
{
  gint64 outbox = tern_store_batch_resolve (batch, op->a);
  sqlite3_stmt *stmt = NULL;
  gint64 message = 0;
  gboolean changed = FALSE;
  int rc;

  switch (op->kind)
    {
    case OP_OUTBOX_SENDING:
      stmt = tern_store_stmt_cache_get (ap->stmts,
                                        "UPDATE outbox SET state = 1, attempts = attempts + 1"
                                        " WHERE id = ?1 AND state = 0 RETURNING message_id",
                                        error);
      break;
    case OP_OUTBOX_RETRY:
      stmt = tern_store_stmt_cache_get (ap->stmts,
                                        "UPDATE outbox SET state = 0, last_error = ?2,"
                                        " next_attempt = ?3 WHERE id = ?1 AND state IN (0, 1)"
                                        " RETURNING message_id",
                                        error);
      if (stmt)
        {
          bind_text (stmt, 2, op->s1);
          sqlite3_bind_int64 (stmt, 3, op->c);
        }
      break;
    case OP_OUTBOX_SENT:
      stmt = tern_store_stmt_cache_get (ap->stmts,
                                        "UPDATE outbox SET state = 2, raw = NULL, last_error = NULL"
                                        " WHERE id = ?1 AND state IN (0, 1) RETURNING message_id",
                                        error);
      break;
    case OP_OUTBOX_FAILED:
      stmt = tern_store_stmt_cache_get (ap->stmts,
                                        "UPDATE outbox SET state = 3, last_error = ?2"
                                        " WHERE id = ?1 AND state IN (0, 1) RETURNING message_id",
                                        error);
      if (stmt)
        bind_text (stmt, 2, op->s1);
      break;
    case OP_OUTBOX_REMOVE:
      stmt = tern_store_stmt_cache_get (ap->stmts, "DELETE FROM outbox WHERE id = ?1"
                                        " RETURNING NULL", error);
      break;
    default:
      g_assert_not_reached ();
    }
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, outbox);
  rc = step (ap, stmt, error);
  if (rc == SQLITE_ROW)
    {
      changed = TRUE;
      message = sqlite3_column_int64 (stmt, 0);
    }
  sqlite3_reset (stmt);
  if (rc < 0)
    return FALSE;
  if (!changed)
    return TRUE;

  ap->changes->outbox_changed = TRUE;
  if (message == 0)
    return TRUE;
  if (op->kind == OP_OUTBOX_SENT)
    return tern_store_apply_set_state (ap, message, TERN_STORE_STATE_SENT, FALSE, error);
  if (op->kind == OP_OUTBOX_FAILED)
    {
      GET_STMT (reason, "UPDATE messages SET failure_reason = ?1 WHERE id = ?2");

      if (!tern_store_apply_set_state (ap, message, TERN_STORE_STATE_FAILED, FALSE, error))
        return FALSE;
      /* The reason is the row's too, so the UI shows it after a restart;
       * set_state noted the change when the state moved. */
      bind_text (reason, 1, op->s1);
      sqlite3_bind_int64 (reason, 2, message);
      return run (ap, reason, error);
    }
  return TRUE;
}

