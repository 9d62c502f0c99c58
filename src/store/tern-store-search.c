/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-store"

#include "tern-store-read-private.h"

/* Full-text search over messages and chats (FTS5, see schema/). */

/* ---- search ------------------------------------------------------------ */

#define SEARCH_WINDOW 1000

static GPtrArray *
search_messages (TernStore  *self,
                 guint       which,
                 gint64      account,
                 const char *query,
                 guint       limit,
                 GError    **error)
{
  g_autofree char *fts = tern_store_fts_query (query);
  g_autoptr(GPtrArray) hits = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_store_search_hit_free);
  gint64 floor = 0;

  g_return_val_if_fail (TERN_IS_STORE (self), NULL);

  if (fts == NULL || limit == 0)
    return g_steal_pointer (&hits);

  {
    /* Ranking scores every candidate, so the candidates are bounded: the
     * SEARCH_WINDOW most recently stored matches (found in rowid order,
     * without scoring). A word in every other message costs the same as a
     * rare one; a messenger's search favours recent messages anyway. */
    BEGIN_READ_ON (which, "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1"
                " ORDER BY rowid DESC LIMIT 1 OFFSET " G_STRINGIFY (SEARCH_WINDOW - 1));
    sqlite3_bind_text (stmt, 1, fts, -1, SQLITE_STATIC);
    if (next_row (&reader, stmt, &local_error))
      floor = sqlite3_column_int64 (stmt, 0);
    if (!finish_rows (&reader, stmt, &local_error, error))
      return NULL;
  }

  {
    /* FTS5 hands the rows out in rank order (no sort by SQLite), so the
     * snippet is computed only for the rows stepped over. */
    BEGIN_READ_ON (which, "SELECT f.rowid, m.chat_id, m.account_id, f.rank,"
                " COALESCE(NULLIF(snippet(messages_fts, 1, char(2), char(3), '…', 12), ''),"
                "          snippet(messages_fts, 0, char(2), char(3), '…', 12))"
                " FROM messages_fts f JOIN messages m ON m.id = f.rowid"
                " WHERE messages_fts MATCH ?1 AND f.rowid >= ?2 ORDER BY f.rank");
    sqlite3_bind_text (stmt, 1, fts, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 2, floor);
    while (hits->len < limit && next_row (&reader, stmt, &local_error))
      {
        TernStoreSearchHit *hit;

        if (account != 0 && sqlite3_column_int64 (stmt, 2) != account)
          continue;
        hit = g_new0 (TernStoreSearchHit, 1);
        hit->message_id = sqlite3_column_int64 (stmt, 0);
        hit->chat_id = sqlite3_column_int64 (stmt, 1);
        hit->rank = sqlite3_column_double (stmt, 3);
        hit->snippet = col_dup (stmt, 4);
        g_ptr_array_add (hits, hit);
      }
    if (!finish_rows (&reader, stmt, &local_error, error))
      return NULL;
  }
  return g_steal_pointer (&hits);
}

GPtrArray *
tern_store_search_messages (TernStore  *self,
                            gint64      account,
                            const char *query,
                            guint       limit,
                            GError    **error)
{
  return search_messages (self, 0, account, query, limit, error);
}

typedef struct {
  gint64  account;
  char   *query;
  guint   limit;
} SearchData;

static void
search_data_free (gpointer data)
{
  SearchData *search = data;

  g_free (search->query);
  g_free (search);
}

static void
search_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SearchData *search = task_data;
  GError *error = NULL;
  GPtrArray *hits;

  if (g_task_return_error_if_cancelled (task))
    return;
  /* On the second read connection: the UI's reads do not wait for it. */
  hits = search_messages (source_object, 1, search->account, search->query, search->limit,
                          &error);
  if (hits == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, hits, (GDestroyNotify) g_ptr_array_unref);
}

void
tern_store_search_messages_async (TernStore           *self,
                                  gint64               account,
                                  const char          *query,
                                  guint                limit,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SearchData *search;

  g_return_if_fail (TERN_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_store_search_messages_async);
  g_task_set_name (task, "[tern-store] search");
  search = g_new0 (SearchData, 1);
  search->account = account;
  search->query = g_strdup (query);
  search->limit = limit;
  g_task_set_task_data (task, search, search_data_free);
  g_task_run_in_thread (task, search_thread);
}

GPtrArray *
tern_store_search_messages_finish (TernStore    *self,
                                   GAsyncResult *result,
                                   GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        tern_store_search_messages_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

GArray *
tern_store_search_chats (TernStore  *self,
                         gint64      account,
                         const char *query,
                         guint       limit,
                         GError    **error)
{
  g_autofree char *fts = tern_store_fts_query (query);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  g_return_val_if_fail (TERN_IS_STORE (self), NULL);

  if (fts == NULL || limit == 0)
    return g_steal_pointer (&ids);

  {
    /* Chat names first, then 1:1 chats by their peer, each best first. */
    BEGIN_READ ("SELECT id, account_id FROM ("
                "  SELECT c.id, c.account_id, 0 AS part, f.rank AS rank FROM chats_fts f"
                "  JOIN chats c ON c.id = f.rowid WHERE chats_fts MATCH ?1"
                "  UNION ALL"
                "  SELECT c.id, c.account_id, 1, f.rank FROM contacts_fts f"
                "  JOIN chats c ON c.contact_id = f.rowid AND c.kind = 0"
                "  WHERE contacts_fts MATCH ?1"
                ") ORDER BY part, rank");
    sqlite3_bind_text (stmt, 1, fts, -1, SQLITE_STATIC);
    while (ids->len < limit && next_row (&reader, stmt, &local_error))
      {
        gint64 id = sqlite3_column_int64 (stmt, 0);

        if (account != 0 && sqlite3_column_int64 (stmt, 1) != account)
          continue;
        if (g_hash_table_contains (seen, &id))
          continue;
        g_hash_table_add (seen, g_memdup2 (&id, sizeof id));
        g_array_append_val (ids, id);
      }
    if (!finish_rows (&reader, stmt, &local_error, error))
      return NULL;
  }
  return g_steal_pointer (&ids);
}
