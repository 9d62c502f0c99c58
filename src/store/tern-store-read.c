/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-store"

#include "tern-store-read-private.h"

/* The synchronous reads of TernStore, on the read connection. Each takes the
 * read lock for its duration, prepares once (statement cache) and copies the
 * rows out before returning. */

#define MESSAGE_COLUMNS                                                               \
  "id, account_id, chat_id, message_id, sender_contact_id, sender_address, outgoing," \
  " sent_time, received_time, sort_key, kind, state, seen, edited, deleted, subject," \
  " text, quote, reply_to, pinned_until, latitude, longitude, n_attachments,"        \
  " mentions_me, receipt_to, mdn_sent, failure_reason"

#define CHAT_COLUMNS                                                                  \
  "c.id, c.account_id, c.kind, c.key, c.contact_id, c.name, c.description, c.avatar," \
  " c.muted, c.archived, c.pinned, c.draft, c.last_activity, c.unread_count,"         \
  " c.message_count, c.last_message_id, m.text, m.sender_address, ct.display_name,"   \
  " m.outgoing"

#define CHAT_FROM                                                    \
  " FROM chats c LEFT JOIN messages m ON m.id = c.last_message_id"   \
  " LEFT JOIN contacts ct ON ct.id = m.sender_contact_id"

/* ---- row readers ------------------------------------------------------- */

static TernStoreAccountRow *
read_account (sqlite3_stmt *stmt)
{
  TernStoreAccountRow *row = g_new0 (TernStoreAccountRow, 1);

  row->id = sqlite3_column_int64 (stmt, 0);
  row->address = col_dup (stmt, 1);
  row->display_name = col_dup (stmt, 2);
  row->login = col_dup (stmt, 3);
  row->imap_host = col_dup (stmt, 4);
  row->imap_port = sqlite3_column_int (stmt, 5);
  row->imap_security = sqlite3_column_int (stmt, 6);
  row->smtp_host = col_dup (stmt, 7);
  row->smtp_port = sqlite3_column_int (stmt, 8);
  row->smtp_security = sqlite3_column_int (stmt, 9);
  row->filter_mode = sqlite3_column_int (stmt, 10);
  row->coi_server = sqlite3_column_int (stmt, 11);
  row->capabilities = col_dup (stmt, 12);
  row->mailbox_root = col_dup (stmt, 13);
  row->delimiter = col_dup (stmt, 14);
  row->namespace_prefix = col_dup (stmt, 15);
  row->enabled = sqlite3_column_int (stmt, 16);
  return row;
}

#define ACCOUNT_SELECT                                                                         \
  "SELECT id, address, display_name, login, imap_host, imap_port, imap_security, smtp_host,"   \
  " smtp_port, smtp_security, filter_mode, coi_server, capabilities, mailbox_root, delimiter," \
  " namespace_prefix, enabled FROM accounts"

static TernStoreFolderRow *
read_folder (sqlite3_stmt *stmt)
{
  TernStoreFolderRow *row = g_new0 (TernStoreFolderRow, 1);

  row->id = sqlite3_column_int64 (stmt, 0);
  row->account_id = sqlite3_column_int64 (stmt, 1);
  row->name = col_dup (stmt, 2);
  row->delimiter = col_dup (stmt, 3);
  row->role = sqlite3_column_int (stmt, 4);
  row->uidvalidity = (guint32) sqlite3_column_int64 (stmt, 5);
  row->uidnext = (guint32) sqlite3_column_int64 (stmt, 6);
  row->highestmodseq = (guint64) sqlite3_column_int64 (stmt, 7);
  row->last_sync = sqlite3_column_int64 (stmt, 8);
  return row;
}

#define FOLDER_SELECT                                                                      \
  "SELECT id, account_id, name, delimiter, role, uidvalidity, uidnext, highestmodseq,"     \
  " last_sync FROM folders"

static TernStoreContactRow *
read_contact (sqlite3_stmt *stmt)
{
  TernStoreContactRow *row = g_new0 (TernStoreContactRow, 1);

  row->id = sqlite3_column_int64 (stmt, 0);
  row->account_id = sqlite3_column_int64 (stmt, 1);
  row->address = col_dup (stmt, 2);
  row->display_name = col_dup (stmt, 3);
  row->avatar = col_dup (stmt, 4);
  row->status = col_dup (stmt, 5);
  row->blocked = sqlite3_column_int (stmt, 6);
  row->from_hash = col_dup (stmt, 7);
  row->last_seen = sqlite3_column_int64 (stmt, 8);
  row->profile_sent = sqlite3_column_int (stmt, 9);
  return row;
}

#define CONTACT_SELECT                                                                     \
  "SELECT id, account_id, address, display_name, avatar, status, blocked, from_hash,"      \
  " last_seen, profile_sent FROM contacts"

static TernStoreChatRow *
read_chat (sqlite3_stmt *stmt)
{
  TernStoreChatRow *row = g_new0 (TernStoreChatRow, 1);

  row->id = sqlite3_column_int64 (stmt, 0);
  row->account_id = sqlite3_column_int64 (stmt, 1);
  row->kind = sqlite3_column_int (stmt, 2);
  row->key = col_dup (stmt, 3);
  row->contact_id = sqlite3_column_int64 (stmt, 4);
  row->name = col_dup (stmt, 5);
  row->description = col_dup (stmt, 6);
  row->avatar = col_dup (stmt, 7);
  row->muted = sqlite3_column_int (stmt, 8);
  row->archived = sqlite3_column_int (stmt, 9);
  row->pinned = sqlite3_column_int (stmt, 10);
  row->draft = col_dup (stmt, 11);
  row->last_activity = sqlite3_column_int64 (stmt, 12);
  row->unread_count = sqlite3_column_int (stmt, 13);
  row->message_count = sqlite3_column_int (stmt, 14);
  row->last_message_id = sqlite3_column_int64 (stmt, 15);
  row->last_text = col_dup (stmt, 16);
  row->last_sender = col_dup (stmt, 17);
  row->last_sender_name = col_dup (stmt, 18);
  row->last_outgoing = sqlite3_column_int (stmt, 19);
  return row;
}

/* Fills @row from @stmt; with @copy FALSE the strings point into the
 * statement (valid until the next step). */
static void
fill_message (sqlite3_stmt        *stmt,
              TernStoreMessageRow *row,
              gboolean             copy)
{
#define STR(i) (copy ? col_dup (stmt, i) : (char *) sqlite3_column_text (stmt, i))
  row->id = sqlite3_column_int64 (stmt, 0);
  row->account_id = sqlite3_column_int64 (stmt, 1);
  row->chat_id = sqlite3_column_int64 (stmt, 2);
  row->message_id = STR (3);
  row->sender_contact_id = sqlite3_column_int64 (stmt, 4);
  row->sender_address = STR (5);
  row->outgoing = sqlite3_column_int (stmt, 6);
  row->sent_time = sqlite3_column_int64 (stmt, 7);
  row->received_time = sqlite3_column_int64 (stmt, 8);
  row->sort_key = sqlite3_column_int64 (stmt, 9);
  row->kind = sqlite3_column_int (stmt, 10);
  row->state = sqlite3_column_int (stmt, 11);
  row->seen = sqlite3_column_int (stmt, 12);
  row->edited = sqlite3_column_int (stmt, 13);
  row->deleted = sqlite3_column_int (stmt, 14);
  row->subject = STR (15);
  row->text = STR (16);
  row->quote = STR (17);
  row->reply_to = STR (18);
  row->pinned_until = sqlite3_column_int64 (stmt, 19);
  row->has_location = sqlite3_column_type (stmt, 20) != SQLITE_NULL;
  row->latitude = sqlite3_column_double (stmt, 20);
  row->longitude = sqlite3_column_double (stmt, 21);
  row->n_attachments = sqlite3_column_int (stmt, 22);
  row->mentions_me = sqlite3_column_int (stmt, 23);
  row->receipt_to = STR (24);
  row->mdn_sent = sqlite3_column_int (stmt, 25);
  row->failure_reason = STR (26);
#undef STR
}

static TernStoreMessageRow *
read_message (sqlite3_stmt *stmt)
{
  TernStoreMessageRow *row = g_new (TernStoreMessageRow, 1);

  fill_message (stmt, row, TRUE);
  return row;
}

static TernStoreOutboxRow *
read_outbox (sqlite3_stmt *stmt)
{
  TernStoreOutboxRow *row = g_new0 (TernStoreOutboxRow, 1);
  const char *recipients = (const char *) sqlite3_column_text (stmt, 5);

  row->id = sqlite3_column_int64 (stmt, 0);
  row->account_id = sqlite3_column_int64 (stmt, 1);
  row->message_id = sqlite3_column_int64 (stmt, 2);
  row->rfc822_message_id = col_dup (stmt, 3);
  if (sqlite3_column_type (stmt, 4) != SQLITE_NULL)
    row->raw = g_bytes_new (sqlite3_column_blob (stmt, 4), sqlite3_column_bytes (stmt, 4));
  row->recipients = g_strsplit (recipients ? recipients : "", "\n", -1);
  row->state = sqlite3_column_int (stmt, 6);
  row->attempts = sqlite3_column_int (stmt, 7);
  row->next_attempt = sqlite3_column_int64 (stmt, 8);
  row->last_error = col_dup (stmt, 9);
  row->created = sqlite3_column_int64 (stmt, 10);
  return row;
}

#define OUTBOX_SELECT                                                                       \
  "SELECT id, account_id, message_id, rfc822_message_id, raw, recipients, state, attempts," \
  " next_attempt, last_error, created FROM outbox"

typedef gpointer (*ReadFunc) (sqlite3_stmt *stmt);

/* Collects every row of @stmt (bound by the caller) into a new array. */
static GPtrArray *
collect (Reader        *reader,
         sqlite3_stmt  *stmt,
         ReadFunc       read,
         GDestroyNotify free_func,
         GError       **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (free_func);
  GError *local_error = NULL;

  while (next_row (reader, stmt, &local_error))
    g_ptr_array_add (rows, read (stmt));
  if (!finish_rows (reader, stmt, &local_error, error))
    return NULL;
  return g_steal_pointer (&rows);
}

/* Reads at most one row; NULL with NOT_FOUND when there is none. */
static gpointer
collect_one (Reader        *reader,
             sqlite3_stmt  *stmt,
             ReadFunc       read,
             const char    *what,
             gint64         id,
             GError       **error)
{
  GError *local_error = NULL;
  gpointer row = NULL;

  if (next_row (reader, stmt, &local_error))
    row = read (stmt);
  if (!finish_rows (reader, stmt, &local_error, error))
    return NULL;
  if (row == NULL)
    set_not_found (error, what, id);
  return row;
}

/* ---- accounts, folders, contacts --------------------------------------- */

GPtrArray *
tern_store_list_accounts (TernStore *self,
                          GError   **error)
{
  BEGIN_READ (ACCOUNT_SELECT " ORDER BY id");
  (void) local_error;
  return collect (&reader, stmt, (ReadFunc) read_account,
                  (GDestroyNotify) tern_store_account_row_free, error);
}

TernStoreAccountRow *
tern_store_get_account (TernStore *self,
                        gint64     account,
                        GError   **error)
{
  BEGIN_READ (ACCOUNT_SELECT " WHERE id = ?");
  (void) local_error;
  sqlite3_bind_int64 (stmt, 1, account);
  return collect_one (&reader, stmt, (ReadFunc) read_account, "account", account, error);
}

GHashTable *
tern_store_get_pinned_certificates (TernStore *self,
                                    gint64     account,
                                    GError   **error)
{
  BEGIN_READ ("SELECT host, sha256 FROM pinned_certificates WHERE account_id = ?");
  g_autoptr(GHashTable) pins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  sqlite3_bind_int64 (stmt, 1, account);
  while (next_row (&reader, stmt, &local_error))
    g_hash_table_insert (pins, col_dup (stmt, 0), col_dup (stmt, 1));
  if (!finish_rows (&reader, stmt, &local_error, error))
    return NULL;
  return g_steal_pointer (&pins);
}

GPtrArray *
tern_store_list_folders (TernStore *self,
                         gint64     account,
                         GError   **error)
{
  BEGIN_READ (FOLDER_SELECT " WHERE account_id = ? ORDER BY name");
  (void) local_error;
  sqlite3_bind_int64 (stmt, 1, account);
  return collect (&reader, stmt, (ReadFunc) read_folder,
                  (GDestroyNotify) tern_store_folder_row_free, error);
}

TernStoreFolderRow *
tern_store_get_folder (TernStore *self,
                       gint64     folder,
                       GError   **error)
{
  BEGIN_READ (FOLDER_SELECT " WHERE id = ?");
  (void) local_error;
  sqlite3_bind_int64 (stmt, 1, folder);
  return collect_one (&reader, stmt, (ReadFunc) read_folder, "folder", folder, error);
}

TernStoreFolderRow *
tern_store_find_folder (TernStore  *self,
                        gint64      account,
                        const char *name,
                        GError    **error)
{
  BEGIN_READ (FOLDER_SELECT " WHERE account_id = ? AND name = ?");
  (void) local_error;
  sqlite3_bind_int64 (stmt, 1, account);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  return collect_one (&reader, stmt, (ReadFunc) read_folder, "folder in account", account, error);
}

GArray *
tern_store_list_folder_uids (TernStore *self,
                             gint64     folder,
                             GError   **error)
{
  BEGIN_READ ("SELECT uid FROM message_locations WHERE folder_id = ? ORDER BY uid");
  g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));

  sqlite3_bind_int64 (stmt, 1, folder);
  while (next_row (&reader, stmt, &local_error))
    {
      guint32 uid = (guint32) sqlite3_column_int64 (stmt, 0);

      g_array_append_val (uids, uid);
    }
  if (!finish_rows (&reader, stmt, &local_error, error))
    return NULL;
  return g_steal_pointer (&uids);
}

GPtrArray *
tern_store_list_contacts (TernStore *self,
                          gint64     account,
                          GError   **error)
{
  BEGIN_READ (CONTACT_SELECT " WHERE account_id = ? ORDER BY id");
  (void) local_error;
  sqlite3_bind_int64 (stmt, 1, account);
  return collect (&reader, stmt, (ReadFunc) read_contact,
                  (GDestroyNotify) tern_store_contact_row_free, error);
}

TernStoreContactRow *
tern_store_get_contact (TernStore *self,
                        gint64     contact,
                        GError   **error)
{
  BEGIN_READ (CONTACT_SELECT " WHERE id = ?");
  (void) local_error;
  sqlite3_bind_int64 (stmt, 1, contact);
  return collect_one (&reader, stmt, (ReadFunc) read_contact, "contact", contact, error);
}

TernStoreContactRow *
tern_store_find_contact (TernStore  *self,
                         gint64      account,
                         const char *address,
                         GError    **error)
{
  BEGIN_READ (CONTACT_SELECT " WHERE id = (SELECT contact_id FROM contact_addresses"
                             " WHERE account_id = ? AND address = ?)");
  (void) local_error;
  sqlite3_bind_int64 (stmt, 1, account);
  sqlite3_bind_text (stmt, 2, address, -1, SQLITE_STATIC);
  return collect_one (&reader, stmt, (ReadFunc) read_contact, "contact in account", account,
                      error);
}

GStrv
tern_store_list_contact_addresses (TernStore *self,
                                   gint64     contact,
                                   GError   **error)
{
  BEGIN_READ ("SELECT address FROM contact_addresses WHERE contact_id = ? ORDER BY address");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  sqlite3_bind_int64 (stmt, 1, contact);
  while (next_row (&reader, stmt, &local_error))
    g_strv_builder_add (builder, (const char *) sqlite3_column_text (stmt, 0));
  if (!finish_rows (&reader, stmt, &local_error, error))
    return NULL;
  return g_strv_builder_end (builder);
}

/* ---- chats ------------------------------------------------------------- */

GPtrArray *
tern_store_list_chats (TernStore           *self,
                       gint64               account,
                       TernStoreChatFilter  filter,
                       guint                offset,
                       guint                limit,
                       GError             **error)
{
  const char *sql;

  if (filter == TERN_STORE_CHAT_FILTER_ALL)
    sql = "SELECT " CHAT_COLUMNS CHAT_FROM
          " WHERE (?1 = 0 OR c.account_id = ?1)"
          " ORDER BY c.pinned DESC, c.last_activity DESC, c.id DESC LIMIT ?3 OFFSET ?4";
  else
    sql = "SELECT " CHAT_COLUMNS CHAT_FROM
          " WHERE c.archived = ?2 AND (?1 = 0 OR c.account_id = ?1)"
          " ORDER BY c.pinned DESC, c.last_activity DESC, c.id DESC LIMIT ?3 OFFSET ?4";

  {
    BEGIN_READ (sql);
    (void) local_error;
    sqlite3_bind_int64 (stmt, 1, account);
    sqlite3_bind_int (stmt, 2, filter == TERN_STORE_CHAT_FILTER_ARCHIVED);
    sqlite3_bind_int64 (stmt, 3, limit == 0 ? -1 : (gint64) limit);
    sqlite3_bind_int64 (stmt, 4, offset);
    return collect (&reader, stmt, (ReadFunc) read_chat,
                    (GDestroyNotify) tern_store_chat_row_free, error);
  }
}

GArray *
tern_store_list_chat_ids (TernStore           *self,
                          gint64               account,
                          TernStoreChatFilter  filter,
                          GError             **error)
{
  /* chats_order serves all accounts' list; one account's is sorted (schema 9). */
  const char *sql;

  if (filter == TERN_STORE_CHAT_FILTER_ALL)
    sql = account == 0
      ? "SELECT id FROM chats WHERE ?1 = 0 AND ?2 = ?2"
        " ORDER BY pinned DESC, last_activity DESC, id DESC"
      : "SELECT id FROM chats WHERE account_id = ?1 AND ?2 = ?2"
        " ORDER BY pinned DESC, last_activity DESC, id DESC";
  else
    sql = account == 0
      ? "SELECT id FROM chats WHERE ?1 = 0 AND archived = ?2"
        " ORDER BY pinned DESC, last_activity DESC, id DESC"
      : "SELECT id FROM chats WHERE account_id = ?1 AND archived = ?2"
        " ORDER BY pinned DESC, last_activity DESC, id DESC";

  {
    BEGIN_READ (sql);
    g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

    sqlite3_bind_int64 (stmt, 1, account);
    sqlite3_bind_int (stmt, 2, filter == TERN_STORE_CHAT_FILTER_ARCHIVED);
    while (next_row (&reader, stmt, &local_error))
      {
        gint64 id = sqlite3_column_int64 (stmt, 0);

        g_array_append_val (ids, id);
      }
    if (!finish_rows (&reader, stmt, &local_error, error))
      return NULL;
    return g_steal_pointer (&ids);
  }
}

GPtrArray *
tern_store_get_chats (TernStore    *self,
                      const gint64 *ids,
                      guint         n_ids,
                      GError      **error)
{
  BEGIN_READ ("SELECT " CHAT_COLUMNS CHAT_FROM " WHERE c.id = ?");
  g_autoptr(GPtrArray) rows = g_ptr_array_new_full (n_ids, (GDestroyNotify) tern_store_chat_row_free);

  for (guint i = 0; i < n_ids && local_error == NULL; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, ids[i]);
      if (next_row (&reader, stmt, &local_error))
        g_ptr_array_add (rows, read_chat (stmt));
    }
  if (!finish_rows (&reader, stmt, &local_error, error))
    return NULL;
  return g_steal_pointer (&rows);
}

guint
tern_store_count_chats (TernStore           *self,
                        gint64               account,
                        TernStoreChatFilter  filter,
                        GError             **error)
{
  BEGIN_READ ("SELECT COUNT(*) FROM chats WHERE (?1 = 0 OR account_id = ?1)"
              " AND (?2 = 2 OR archived = ?2)");
  guint count = 0;

  sqlite3_bind_int64 (stmt, 1, account);
  sqlite3_bind_int (stmt, 2, filter == TERN_STORE_CHAT_FILTER_ALL ? 2
                             : filter == TERN_STORE_CHAT_FILTER_ARCHIVED);
  if (next_row (&reader, stmt, &local_error))
    count = sqlite3_column_int (stmt, 0);
  finish_rows (&reader, stmt, &local_error, error);
  return count;
}

TernStoreChatRow *
tern_store_get_chat (TernStore *self,
                     gint64     chat,
                     GError   **error)
{
  BEGIN_READ ("SELECT " CHAT_COLUMNS CHAT_FROM " WHERE c.id = ?");
  (void) local_error;
  sqlite3_bind_int64 (stmt, 1, chat);
  return collect_one (&reader, stmt, (ReadFunc) read_chat, "chat", chat, error);
}

TernStoreChatRow *
tern_store_find_chat (TernStore         *self,
                      gint64             account,
                      TernStoreChatKind  kind,
                      const char        *key,
                      GError           **error)
{
  BEGIN_READ ("SELECT " CHAT_COLUMNS CHAT_FROM
              " WHERE c.account_id = ? AND c.kind = ? AND c.key = ?");
  (void) local_error;
  sqlite3_bind_int64 (stmt, 1, account);
  sqlite3_bind_int (stmt, 2, kind);
  sqlite3_bind_text (stmt, 3, key, -1, SQLITE_STATIC);
  return collect_one (&reader, stmt, (ReadFunc) read_chat, "chat in account", account, error);
}

GArray *
tern_store_list_chat_members (TernStore *self,
                              gint64     chat,
                              GError   **error)
{
  BEGIN_READ ("SELECT contact_id FROM chat_members WHERE chat_id = ? ORDER BY contact_id");
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  sqlite3_bind_int64 (stmt, 1, chat);
  while (next_row (&reader, stmt, &local_error))
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  if (!finish_rows (&reader, stmt, &local_error, error))
    return NULL;
  return g_steal_pointer (&ids);
}

/* ---- messages ---------------------------------------------------------- */

static const char *const messages_before_sql =
  "SELECT " MESSAGE_COLUMNS " FROM messages WHERE chat_id = ?1 AND (sort_key, id) < (?2, ?3)"
  " ORDER BY sort_key DESC, id DESC LIMIT ?4";

static const char *const messages_after_sql =
  "SELECT " MESSAGE_COLUMNS " FROM messages WHERE chat_id = ?1 AND (sort_key, id) > (?2, ?3)"
  " ORDER BY sort_key, id LIMIT ?4";

static GPtrArray *
get_messages (TernStore             *self,
              gint64                 chat,
              const TernStoreCursor *cursor,
              gboolean               before,
              guint                  limit,
              GError               **error)
{
  BEGIN_READ (before ? messages_before_sql : messages_after_sql);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_full (limit ? MIN (limit, 1024) : 64,
                                                    (GDestroyNotify) tern_store_message_row_free);

  sqlite3_bind_int64 (stmt, 1, chat);
  sqlite3_bind_int64 (stmt, 2, cursor ? cursor->sort_key : before ? G_MAXINT64 : G_MININT64);
  sqlite3_bind_int64 (stmt, 3, cursor ? cursor->id : before ? G_MAXINT64 : G_MININT64);
  sqlite3_bind_int64 (stmt, 4, limit == 0 ? -1 : (gint64) limit);
  while (next_row (&reader, stmt, &local_error))
    g_ptr_array_add (rows, read_message (stmt));
  if (!finish_rows (&reader, stmt, &local_error, error))
    return NULL;

  if (before)
    {
      /* Oldest first. */
      for (guint i = 0, j = rows->len ? rows->len - 1 : 0; i < j; i++, j--)
        {
          gpointer tmp = rows->pdata[i];

          rows->pdata[i] = rows->pdata[j];
          rows->pdata[j] = tmp;
        }
    }
  return g_steal_pointer (&rows);
}

GPtrArray *
tern_store_get_messages (TernStore             *self,
                         gint64                 chat,
                         const TernStoreCursor *before,
                         guint                  limit,
                         GError               **error)
{
  return get_messages (self, chat, before, TRUE, limit, error);
}

GPtrArray *
tern_store_get_messages_after (TernStore             *self,
                               gint64                 chat,
                               const TernStoreCursor *after,
                               guint                  limit,
                               GError               **error)
{
  return get_messages (self, chat, after, FALSE, limit, error);
}

gboolean
tern_store_foreach_message (TernStore             *self,
                            gint64                 chat,
                            const TernStoreCursor *before,
                            guint                  limit,
                            TernStoreMessageFunc   func,
                            gpointer               user_data,
                            GError               **error)
{
  BEGIN_READ (messages_before_sql);

  sqlite3_bind_int64 (stmt, 1, chat);
  sqlite3_bind_int64 (stmt, 2, before ? before->sort_key : G_MAXINT64);
  sqlite3_bind_int64 (stmt, 3, before ? before->id : G_MAXINT64);
  sqlite3_bind_int64 (stmt, 4, limit == 0 ? -1 : (gint64) limit);
  while (next_row (&reader, stmt, &local_error))
    {
      TernStoreMessageRow row;

      fill_message (stmt, &row, FALSE);
      func (&row, user_data);
    }
  return finish_rows (&reader, stmt, &local_error, error);
}

guint
tern_store_count_messages (TernStore *self,
                           gint64     chat,
                           GError   **error)
{
  BEGIN_READ ("SELECT message_count FROM chats WHERE id = ?");
  guint count = 0;
  gboolean found;

  sqlite3_bind_int64 (stmt, 1, chat);
  found = next_row (&reader, stmt, &local_error);
  if (found)
    count = sqlite3_column_int (stmt, 0);
  if (finish_rows (&reader, stmt, &local_error, error) && !found)
    set_not_found (error, "chat", chat);
  return count;
}

TernStoreMessageRow *
tern_store_get_message (TernStore *self,
                        gint64     message,
                        GError   **error)
{
  BEGIN_READ ("SELECT " MESSAGE_COLUMNS " FROM messages WHERE id = ?");
  (void) local_error;
  sqlite3_bind_int64 (stmt, 1, message);
  return collect_one (&reader, stmt, (ReadFunc) read_message, "message", message, error);
}

TernStoreMessageRow *
tern_store_find_message (TernStore  *self,
                         gint64      account,
                         const char *message_id,
                         GError    **error)
{
  BEGIN_READ ("SELECT " MESSAGE_COLUMNS " FROM messages WHERE account_id = ? AND message_id = ?");
  (void) local_error;
  sqlite3_bind_int64 (stmt, 1, account);
  sqlite3_bind_text (stmt, 2, message_id, -1, SQLITE_STATIC);
  return collect_one (&reader, stmt, (ReadFunc) read_message, "message in account", account,
                      error);
}

static gpointer
read_location (sqlite3_stmt *stmt)
{
  TernStoreLocationRow *row = g_new0 (TernStoreLocationRow, 1);

  row->message_id = sqlite3_column_int64 (stmt, 0);
  row->folder_id = sqlite3_column_int64 (stmt, 1);
  row->uid = (guint32) sqlite3_column_int64 (stmt, 2);
  return row;
}

GPtrArray *
tern_store_list_locations (TernStore *self,
                           gint64     message,
                           GError   **error)
{
  BEGIN_READ ("SELECT message_id, folder_id, uid FROM message_locations WHERE message_id = ?"
              " ORDER BY folder_id, uid");
  (void) local_error;
  sqlite3_bind_int64 (stmt, 1, message);
  return collect (&reader, stmt, read_location, g_free, error);
}

static gpointer
read_attachment (sqlite3_stmt *stmt)
{
  TernStoreAttachmentRow *row = g_new0 (TernStoreAttachmentRow, 1);

  row->id = sqlite3_column_int64 (stmt, 0);
  row->message_id = sqlite3_column_int64 (stmt, 1);
  row->hash = col_dup (stmt, 2);
  row->mime_type = col_dup (stmt, 3);
  row->name = col_dup (stmt, 4);
  row->size = sqlite3_column_int64 (stmt, 5);
  row->preview_hash = col_dup (stmt, 6);
  return row;
}

GPtrArray *
tern_store_list_attachments (TernStore *self,
                             gint64     message,
                             GError   **error)
{
  BEGIN_READ ("SELECT id, message_id, hash, mime_type, name, size, preview_hash FROM attachments"
              " WHERE message_id = ? ORDER BY id");
  (void) local_error;
  sqlite3_bind_int64 (stmt, 1, message);
  return collect (&reader, stmt, read_attachment,
                  (GDestroyNotify) tern_store_attachment_row_free, error);
}

static gpointer
read_edit (sqlite3_stmt *stmt)
{
  TernStoreEditRow *row = g_new0 (TernStoreEditRow, 1);

  row->id = sqlite3_column_int64 (stmt, 0);
  row->message_id = sqlite3_column_int64 (stmt, 1);
  row->edit_message_id = col_dup (stmt, 2);
  row->old_text = col_dup (stmt, 3);
  row->new_text = col_dup (stmt, 4);
  row->edited_at = sqlite3_column_int64 (stmt, 5);
  return row;
}

GPtrArray *
tern_store_list_edits (TernStore *self,
                       gint64     message,
                       GError   **error)
{
  BEGIN_READ ("SELECT id, message_id, edit_message_id, old_text, new_text, edited_at"
              " FROM message_edits WHERE message_id = ? ORDER BY id");
  (void) local_error;
  sqlite3_bind_int64 (stmt, 1, message);
  return collect (&reader, stmt, read_edit, (GDestroyNotify) tern_store_edit_row_free, error);
}

static gpointer
read_receipt (sqlite3_stmt *stmt)
{
  TernStoreReceiptRow *row = g_new0 (TernStoreReceiptRow, 1);

  row->message_id = sqlite3_column_int64 (stmt, 0);
  row->address = col_dup (stmt, 1);
  row->kind = sqlite3_column_int (stmt, 2);
  row->time = sqlite3_column_int64 (stmt, 3);
  return row;
}

GPtrArray *
tern_store_list_receipts (TernStore *self,
                          gint64     message,
                          GError   **error)
{
  BEGIN_READ ("SELECT message_id, address, kind, time FROM receipts WHERE message_id = ?"
              " ORDER BY address");
  (void) local_error;
  sqlite3_bind_int64 (stmt, 1, message);
  return collect (&reader, stmt, read_receipt, (GDestroyNotify) tern_store_receipt_row_free,
                  error);
}

/* ---- outbox ------------------------------------------------------------ */

GPtrArray *
tern_store_list_outbox_due (TernStore *self,
                            gint64     account,
                            gint64     now,
                            GError   **error)
{
  BEGIN_READ (OUTBOX_SELECT " WHERE state = 0 AND next_attempt <= ?2"
                            " AND (?1 = 0 OR account_id = ?1) ORDER BY next_attempt, id");
  (void) local_error;
  sqlite3_bind_int64 (stmt, 1, account);
  sqlite3_bind_int64 (stmt, 2, now);
  return collect (&reader, stmt, (ReadFunc) read_outbox,
                  (GDestroyNotify) tern_store_outbox_row_free, error);
}

GPtrArray *
tern_store_list_outbox (TernStore            *self,
                        gint64                account,
                        TernStoreOutboxState  state,
                        GError              **error)
{
  BEGIN_READ (OUTBOX_SELECT " WHERE state = ?2 AND (?1 = 0 OR account_id = ?1) ORDER BY id");
  (void) local_error;
  sqlite3_bind_int64 (stmt, 1, account);
  sqlite3_bind_int (stmt, 2, state);
  return collect (&reader, stmt, (ReadFunc) read_outbox,
                  (GDestroyNotify) tern_store_outbox_row_free, error);
}

TernStoreOutboxRow *
tern_store_get_outbox (TernStore *self,
                       gint64     outbox,
                       GError   **error)
{
  BEGIN_READ (OUTBOX_SELECT " WHERE id = ?");
  (void) local_error;
  sqlite3_bind_int64 (stmt, 1, outbox);
  return collect_one (&reader, stmt, (ReadFunc) read_outbox, "outbox entry", outbox, error);
}

/* ---- the pinned message of a chat -------------------------------------- */

static TernStoreMessageRow *
get_pinned_message (TernStore *self,
                    guint      which,
                    gint64     chat,
                    gint64     now,
                    GError   **error)
{
  /* One seek in messages_pinned (schema 9), the partial index of pinned
   * messages, which "pinned_until != 0" lets the planner use. */
  BEGIN_READ_ON (which, "SELECT " MESSAGE_COLUMNS " FROM messages WHERE chat_id = ?1"
                 " AND pinned_until != 0 AND pinned_until > ?2 AND deleted = 0"
                 " ORDER BY sort_key DESC, id DESC LIMIT 1");
  TernStoreMessageRow *row = NULL;

  sqlite3_bind_int64 (stmt, 1, chat);
  sqlite3_bind_int64 (stmt, 2, now);
  if (next_row (&reader, stmt, &local_error))
    row = read_message (stmt);
  if (!finish_rows (&reader, stmt, &local_error, error))
    {
      g_clear_pointer (&row, tern_store_message_row_free);
      return NULL;
    }
  return row;
}

TernStoreMessageRow *
tern_store_get_pinned_message (TernStore *self,
                               gint64     chat,
                               gint64     now,
                               GError   **error)
{
  return get_pinned_message (self, 0, chat, now, error);
}

typedef struct {
  gint64 chat;
  gint64 now;
} PinnedQuery;

static void
pinned_message_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  PinnedQuery *query = task_data;
  GError *error = NULL;
  TernStoreMessageRow *row;

  if (g_task_return_error_if_cancelled (task))
    return;
  /* On the second read connection, like the search: the UI's reads do not
   * wait for it. */
  row = get_pinned_message (source_object, 1, query->chat, query->now, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, row, (GDestroyNotify) tern_store_message_row_free);
}

void
tern_store_get_pinned_message_async (TernStore           *self,
                                     gint64               chat,
                                     gint64               now,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  PinnedQuery *query;

  g_return_if_fail (TERN_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_store_get_pinned_message_async);
  g_task_set_name (task, "[tern-store] pinned message");
  query = g_new0 (PinnedQuery, 1);
  query->chat = chat;
  query->now = now;
  g_task_set_task_data (task, query, g_free);
  g_task_run_in_thread (task, pinned_message_thread);
}

TernStoreMessageRow *
tern_store_get_pinned_message_finish (TernStore     *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        tern_store_get_pinned_message_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- bulk Message-ID lookup (the sync's ingest) ------------------------- */

/* Message-IDs asked per statement step: one cached statement, the unused
 * places bound to NULL (which matches nothing). */
#define FIND_IDS_PER_STEP 64
#define FIND_IDS_PLACES_8 "?,?,?,?,?,?,?,?"
#define FIND_IDS_PLACES_64                                                          \
  FIND_IDS_PLACES_8 "," FIND_IDS_PLACES_8 "," FIND_IDS_PLACES_8 "," FIND_IDS_PLACES_8 \
  "," FIND_IDS_PLACES_8 "," FIND_IDS_PLACES_8 "," FIND_IDS_PLACES_8 "," FIND_IDS_PLACES_8

GHashTable *
tern_store_find_message_ids (TernStore          *self,
                             gint64              account,
                             const char * const *message_ids,
                             guint               n,
                             GError            **error)
{
  g_autoptr(GHashTable) found = NULL;
  BEGIN_READ ("SELECT " MESSAGE_COLUMNS " FROM messages WHERE account_id = ?1 AND message_id IN ("
              FIND_IDS_PLACES_64 ")");

  found = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                 (GDestroyNotify) tern_store_message_row_free);
  for (guint from = 0; from < n && local_error == NULL; from += FIND_IDS_PER_STEP)
    {
      sqlite3_bind_int64 (stmt, 1, account);
      for (guint i = 0; i < FIND_IDS_PER_STEP; i++)
        {
          const char *id = from + i < n ? message_ids[from + i] : NULL;

          if (id != NULL)
            sqlite3_bind_text (stmt, 2 + i, id, -1, SQLITE_STATIC);
          else
            sqlite3_bind_null (stmt, 2 + i);
        }
      while (next_row (&reader, stmt, &local_error))
        {
          TernStoreMessageRow *row = read_message (stmt);

          /* the key lives in the row */
          g_hash_table_replace (found, row->message_id, row);
        }
      sqlite3_reset (stmt);
    }
  sqlite3_clear_bindings (stmt);
  if (!finish_rows (&reader, stmt, &local_error, error))
    return NULL;
  return g_steal_pointer (&found);
}
