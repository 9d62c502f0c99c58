/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-store"

#include <errno.h>
#include <glib/gstdio.h>

#include "tern-store-apply-private.h"

/* Applies a TernStoreBatch on the write connection, inside the transaction
 * opened by the store thread. Every statement is cached (prepared once).
 * Accounts, folders, contacts and chats here; messages, attachments,
 * receipts and the outbox in tern-store-apply-messages.c. */

/* accounts */

static void
bind_account (sqlite3_stmt              *stmt,
              const TernStoreAccountRow *row)
{
  bind_text (stmt, 1, row->address);
  bind_text (stmt, 2, row->display_name);
  bind_text (stmt, 3, row->login);
  bind_text (stmt, 4, row->imap_host);
  sqlite3_bind_int (stmt, 5, row->imap_port);
  sqlite3_bind_int (stmt, 6, row->imap_security);
  bind_text (stmt, 7, row->smtp_host);
  sqlite3_bind_int (stmt, 8, row->smtp_port);
  sqlite3_bind_int (stmt, 9, row->smtp_security);
  sqlite3_bind_int (stmt, 10, row->filter_mode);
  sqlite3_bind_int (stmt, 11, !!row->coi_server);
  bind_text (stmt, 12, row->capabilities);
  bind_text (stmt, 13, row->mailbox_root);
  bind_text (stmt, 14, row->delimiter);
  bind_text (stmt, 15, row->namespace_prefix);
  sqlite3_bind_int (stmt, 16, !!row->enabled);
}

static gboolean
op_add_account (TernStoreApply *ap,
                TernStoreBatch *batch,
                TernStoreOp    *op,
                GError        **error)
{
  GET_STMT (stmt, "INSERT INTO accounts (address, display_name, login, imap_host, imap_port,"
                  " imap_security, smtp_host, smtp_port, smtp_security, filter_mode, coi_server,"
                  " capabilities, mailbox_root, delimiter, namespace_prefix, enabled)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
                  " RETURNING id");
  gint64 id = 0;
  int rc;

  bind_account (stmt, op->row);
  rc = step (ap, stmt, error);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc < 0)
    return FALSE;

  set_slot (batch, op, id, TRUE);
  add_id (ap->changes->accounts_changed, id);
  return TRUE;
}

static gboolean
op_update_account (TernStoreApply *ap,
                   TernStoreBatch *batch,
                   TernStoreOp    *op,
                   GError        **error)
{
  GET_STMT (stmt, "UPDATE accounts SET address = ?1, display_name = ?2, login = ?3,"
                  " imap_host = ?4, imap_port = ?5, imap_security = ?6, smtp_host = ?7,"
                  " smtp_port = ?8, smtp_security = ?9, filter_mode = ?10, coi_server = ?11,"
                  " capabilities = ?12, mailbox_root = ?13, delimiter = ?14,"
                  " namespace_prefix = ?15, enabled = ?16 WHERE id = ?17");
  gint64 account = tern_store_batch_resolve (batch, op->a);

  bind_account (stmt, op->row);
  sqlite3_bind_int64 (stmt, 17, account);
  if (!run (ap, stmt, error))
    return FALSE;
  add_id (ap->changes->accounts_changed, account);
  return TRUE;
}

static gboolean
op_remove_account (TernStoreApply *ap,
                   TernStoreBatch *batch,
                   TernStoreOp    *op,
                   GError        **error)
{
  gint64 account = tern_store_batch_resolve (batch, op->a);
  int rc;

  {
    GET_STMT (stmt, "SELECT a.hash FROM attachments a JOIN messages m ON m.id = a.message_id"
                    " WHERE m.account_id = ?1"
                    " UNION SELECT a.preview_hash FROM attachments a JOIN messages m"
                    "   ON m.id = a.message_id WHERE m.account_id = ?1 AND a.preview_hash IS NOT NULL"
                    " UNION SELECT avatar FROM chats WHERE account_id = ?1 AND avatar IS NOT NULL"
                    " UNION SELECT avatar FROM contacts WHERE account_id = ?1 AND avatar IS NOT NULL");
    sqlite3_bind_int64 (stmt, 1, account);
    if (!collect_hashes (ap, stmt, error))
      return FALSE;
  }
  {
    GET_STMT (stmt, "SELECT id FROM chats WHERE account_id = ?");
    sqlite3_bind_int64 (stmt, 1, account);
    while ((rc = step (ap, stmt, error)) == SQLITE_ROW)
      add_id (ap->changes->chats_deleted, sqlite3_column_int64 (stmt, 0));
    sqlite3_reset (stmt);
    if (rc < 0)
      return FALSE;
  }
  {
    GET_STMT (stmt, "DELETE FROM accounts WHERE id = ?");
    sqlite3_bind_int64 (stmt, 1, account);
    if (!run (ap, stmt, error))
      return FALSE;
  }
  add_id (ap->changes->accounts_changed, account);
  ap->changes->outbox_changed = TRUE;
  return TRUE;
}

static gboolean
op_pin_certificate (TernStoreApply *ap,
                    TernStoreBatch *batch,
                    TernStoreOp    *op,
                    GError        **error)
{
  gint64 account = tern_store_batch_resolve (batch, op->a);

  if (op->s2 != NULL)
    {
      GET_STMT (stmt, "INSERT OR REPLACE INTO pinned_certificates (account_id, host, sha256)"
                      " VALUES (?, ?, ?)");
      sqlite3_bind_int64 (stmt, 1, account);
      bind_text (stmt, 2, op->s1);
      bind_text (stmt, 3, op->s2);
      if (!run (ap, stmt, error))
        return FALSE;
    }
  else
    {
      GET_STMT (stmt, "DELETE FROM pinned_certificates WHERE account_id = ? AND host = ?");
      sqlite3_bind_int64 (stmt, 1, account);
      bind_text (stmt, 2, op->s1);
      if (!run (ap, stmt, error))
        return FALSE;
    }
  add_id (ap->changes->accounts_changed, account);
  return TRUE;
}

/* folders */

static gboolean
op_ensure_folder (TernStoreApply *ap,
                  TernStoreBatch *batch,
                  TernStoreOp    *op,
                  GError        **error)
{
  gint64 account = tern_store_batch_resolve (batch, op->a);
  gint64 id = 0;
  gboolean inserted = FALSE;
  int rc;

  {
    GET_STMT (stmt, "INSERT INTO folders (account_id, name, delimiter, role) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (account_id, name) DO UPDATE SET delimiter = excluded.delimiter,"
                    " role = excluded.role"
                    " WHERE delimiter IS NOT excluded.delimiter OR role IS NOT excluded.role"
                    " RETURNING id");
    sqlite3_bind_int64 (stmt, 1, account);
    bind_text (stmt, 2, op->s1);
    bind_text (stmt, 3, op->s2);
    sqlite3_bind_int (stmt, 4, (int) op->b);
    rc = step (ap, stmt, error);
    if (rc == SQLITE_ROW)
      {
        id = sqlite3_column_int64 (stmt, 0);
        inserted = TRUE;
      }
    sqlite3_reset (stmt);
    if (rc < 0)
      return FALSE;
  }

  if (id == 0)
    {
      GET_STMT (stmt, "SELECT id FROM folders WHERE account_id = ? AND name = ?");
      sqlite3_bind_int64 (stmt, 1, account);
      bind_text (stmt, 2, op->s1);
      rc = step (ap, stmt, error);
      if (rc == SQLITE_ROW)
        id = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
      if (rc < 0)
        return FALSE;
    }
  else
    add_id (ap->changes->folders_changed, id);

  set_slot (batch, op, id, inserted);
  return TRUE;
}

static gboolean
op_set_uidvalidity (TernStoreApply *ap,
                    TernStoreBatch *batch,
                    TernStoreOp    *op,
                    GError        **error)
{
  gint64 folder = tern_store_batch_resolve (batch, op->a);
  guint32 old;
  int rc;

  {
    GET_STMT (stmt, "SELECT uidvalidity FROM folders WHERE id = ?");
    sqlite3_bind_int64 (stmt, 1, folder);
    rc = step (ap, stmt, error);
    old = rc == SQLITE_ROW ? (guint32) sqlite3_column_int64 (stmt, 0) : 0;
    sqlite3_reset (stmt);
    if (rc != SQLITE_ROW)
      return rc == SQLITE_DONE;
  }
  if (old == op->u)
    return TRUE;

  if (old != 0)
    {
      GET_STMT (stmt, "DELETE FROM message_locations WHERE folder_id = ?");
      sqlite3_bind_int64 (stmt, 1, folder);
      if (!run (ap, stmt, error))
        return FALSE;
    }
  {
    GET_STMT (stmt, "UPDATE folders SET uidvalidity = ?, uidnext = 0, highestmodseq = 0"
                    " WHERE id = ?");
    sqlite3_bind_int64 (stmt, 1, op->u);
    sqlite3_bind_int64 (stmt, 2, folder);
    if (!run (ap, stmt, error))
      return FALSE;
  }
  add_id (ap->changes->folders_changed, folder);
  return TRUE;
}

static gboolean
op_set_sync_state (TernStoreApply *ap,
                   TernStoreBatch *batch,
                   TernStoreOp    *op,
                   GError        **error)
{
  GET_STMT (stmt, "UPDATE folders SET uidnext = ?, highestmodseq = ?, last_sync = ? WHERE id = ?");
  gint64 folder = tern_store_batch_resolve (batch, op->a);

  sqlite3_bind_int64 (stmt, 1, op->b);
  sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) op->u);
  sqlite3_bind_int64 (stmt, 3, op->c);
  sqlite3_bind_int64 (stmt, 4, folder);
  if (!run (ap, stmt, error))
    return FALSE;
  add_id (ap->changes->folders_changed, folder);
  return TRUE;
}

static gboolean
op_remove_folder (TernStoreApply *ap,
                  TernStoreBatch *batch,
                  TernStoreOp    *op,
                  GError        **error)
{
  GET_STMT (stmt, "DELETE FROM folders WHERE id = ?");
  gint64 folder = tern_store_batch_resolve (batch, op->a);

  sqlite3_bind_int64 (stmt, 1, folder);
  if (!run (ap, stmt, error))
    return FALSE;
  add_id (ap->changes->folders_changed, folder);
  return TRUE;
}

/* contacts */

static gboolean
op_ensure_contact (TernStoreApply *ap,
                   TernStoreBatch *batch,
                   TernStoreOp    *op,
                   GError        **error)
{
  gint64 account = tern_store_batch_resolve (batch, op->a);
  g_autofree char *key = g_strdup_printf ("c%" G_GINT64_FORMAT "\x1f%s", account, op->s1);
  gint64 *known = g_hash_table_lookup (ap->found, key);
  gint64 id = 0;
  int rc;

  /* The ingest asks for the sender of every message: once per batch is
   * enough. */
  if (known != NULL)
    {
      set_slot (batch, op, *known, FALSE);
      return TRUE;
    }
  {
    GET_STMT (stmt, "SELECT contact_id FROM contact_addresses WHERE account_id = ? AND address = ?");
    sqlite3_bind_int64 (stmt, 1, account);
    bind_text (stmt, 2, op->s1);
    rc = step (ap, stmt, error);
    if (rc == SQLITE_ROW)
      id = sqlite3_column_int64 (stmt, 0);
    sqlite3_reset (stmt);
    if (rc < 0)
      return FALSE;
  }
  if (id != 0)
    {
      g_hash_table_insert (ap->found, g_steal_pointer (&key), g_memdup2 (&id, sizeof id));
      set_slot (batch, op, id, FALSE);
      return TRUE;
    }

  {
    GET_STMT (stmt, "INSERT INTO contacts (account_id, address, display_name) VALUES (?, ?, ?)"
                    " RETURNING id");
    sqlite3_bind_int64 (stmt, 1, account);
    bind_text (stmt, 2, op->s1);
    bind_text (stmt, 3, op->s2);
    rc = step (ap, stmt, error);
    if (rc == SQLITE_ROW)
      id = sqlite3_column_int64 (stmt, 0);
    sqlite3_reset (stmt);
    if (rc < 0)
      return FALSE;
  }
  {
    GET_STMT (stmt, "INSERT INTO contact_addresses (account_id, address, contact_id)"
                    " VALUES (?, ?, ?)");
    sqlite3_bind_int64 (stmt, 1, account);
    bind_text (stmt, 2, op->s1);
    sqlite3_bind_int64 (stmt, 3, id);
    if (!run (ap, stmt, error))
      return FALSE;
  }
  g_array_append_val (ap->contacts_fts_pending, id);
  g_hash_table_insert (ap->found, g_steal_pointer (&key), g_memdup2 (&id, sizeof id));
  set_slot (batch, op, id, TRUE);
  add_id (ap->changes->contacts_changed, id);
  return TRUE;
}

static gboolean
op_update_contact (TernStoreApply *ap,
                   TernStoreBatch *batch,
                   TernStoreOp    *op,
                   GError        **error)
{
  GET_STMT (stmt, "UPDATE contacts SET"
                  " display_name = CASE WHEN ?1 & 1 THEN ?3 ELSE display_name END,"
                  " avatar = CASE WHEN ?1 & 2 THEN ?4 ELSE avatar END,"
                  " status = CASE WHEN ?1 & 4 THEN ?5 ELSE status END,"
                  " blocked = CASE WHEN ?1 & 8 THEN ?6 ELSE blocked END,"
                  " from_hash = CASE WHEN ?1 & 16 THEN ?7 ELSE from_hash END,"
                  " last_seen = CASE WHEN ?1 & 32 THEN ?8 ELSE last_seen END,"
                  " profile_sent = CASE WHEN ?1 & 64 THEN ?9 ELSE profile_sent END"
                  " WHERE id = ?2 RETURNING avatar IS NOT ?10");
  const TernStoreContactRow *row = op->row;
  gint64 contact = tern_store_batch_resolve (batch, op->a);

  if (contact == 0)
    return TRUE;

  /* A replaced avatar may leave its file unused. */
  if (op->flags & TERN_STORE_CONTACT_FIELD_AVATAR)
    {
      GET_STMT (old, "SELECT avatar FROM contacts WHERE id = ? AND avatar IS NOT NULL");
      sqlite3_bind_int64 (old, 1, contact);
      if (!collect_hashes (ap, old, error))
        return FALSE;
    }

  sqlite3_bind_int (stmt, 1, op->flags);
  sqlite3_bind_int64 (stmt, 2, contact);
  bind_text (stmt, 3, row->display_name);
  bind_text (stmt, 4, row->avatar);
  bind_text (stmt, 5, row->status);
  sqlite3_bind_int (stmt, 6, !!row->blocked);
  bind_text (stmt, 7, row->from_hash);
  sqlite3_bind_int64 (stmt, 8, row->last_seen);
  sqlite3_bind_int (stmt, 9, !!row->profile_sent);
  bind_text (stmt, 10, row->avatar);
  if (!run (ap, stmt, error))
    return FALSE;
  add_id (ap->changes->contacts_changed, contact);
  return TRUE;
}

static gboolean
op_add_contact_address (TernStoreApply *ap,
                        TernStoreBatch *batch,
                        TernStoreOp    *op,
                        GError        **error)
{
  GET_STMT (stmt, "INSERT INTO contact_addresses (account_id, address, contact_id)"
                  " SELECT account_id, ?1, id FROM contacts WHERE id = ?2"
                  " ON CONFLICT (account_id, address) DO UPDATE SET contact_id = excluded.contact_id");
  gint64 contact = tern_store_batch_resolve (batch, op->a);

  bind_text (stmt, 1, op->s1);
  sqlite3_bind_int64 (stmt, 2, contact);
  if (!run (ap, stmt, error))
    return FALSE;
  add_id (ap->changes->contacts_changed, contact);
  return TRUE;
}

/* chats */

static gboolean
op_ensure_chat (TernStoreApply *ap,
                TernStoreBatch *batch,
                TernStoreOp    *op,
                GError        **error)
{
  gint64 account = tern_store_batch_resolve (batch, op->a);
  gint64 contact = tern_store_batch_resolve (batch, op->c);
  g_autofree char *key = g_strdup_printf ("h%" G_GINT64_FORMAT "\x1f%d\x1f%s", account, (int) op->b,
                                          op->s1);
  gint64 *known = g_hash_table_lookup (ap->found, key);
  gint64 id = 0;
  gboolean inserted = FALSE;
  int rc;

  if (known != NULL)
    {
      set_slot (batch, op, *known, FALSE);
      return TRUE;
    }
  {
    GET_STMT (stmt, "SELECT id FROM chats WHERE account_id = ? AND kind = ? AND key = ?");
    sqlite3_bind_int64 (stmt, 1, account);
    sqlite3_bind_int (stmt, 2, (int) op->b);
    bind_text (stmt, 3, op->s1);
    rc = step (ap, stmt, error);
    if (rc == SQLITE_ROW)
      id = sqlite3_column_int64 (stmt, 0);
    sqlite3_reset (stmt);
    if (rc < 0)
      return FALSE;
  }

  if (id == 0)
    {
      GET_STMT (stmt, "INSERT INTO chats (account_id, kind, key, name, contact_id, last_activity)"
                      " VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
      sqlite3_bind_int64 (stmt, 1, account);
      sqlite3_bind_int (stmt, 2, (int) op->b);
      bind_text (stmt, 3, op->s1);
      bind_text (stmt, 4, op->s2);
      bind_id (stmt, 5, contact);
      sqlite3_bind_int64 (stmt, 6, now_seconds ());
      rc = step (ap, stmt, error);
      if (rc == SQLITE_ROW)
        id = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
      if (rc < 0)
        return FALSE;
      inserted = TRUE;
      g_array_append_val (ap->chats_fts_pending, id);
      add_id (ap->changes->chats_inserted, id);
    }

  g_hash_table_insert (ap->found, g_steal_pointer (&key), g_memdup2 (&id, sizeof id));
  set_slot (batch, op, id, inserted);
  return TRUE;
}

static gboolean
op_update_chat (TernStoreApply *ap,
                TernStoreBatch *batch,
                TernStoreOp    *op,
                GError        **error)
{
  GET_STMT (stmt, "UPDATE chats SET"
                  " name = CASE WHEN ?1 & 1 THEN ?3 ELSE name END,"
                  " description = CASE WHEN ?1 & 2 THEN ?4 ELSE description END,"
                  " avatar = CASE WHEN ?1 & 4 THEN ?5 ELSE avatar END,"
                  " muted = CASE WHEN ?1 & 8 THEN ?6 ELSE muted END,"
                  " archived = CASE WHEN ?1 & 16 THEN ?7 ELSE archived END,"
                  " pinned = CASE WHEN ?1 & 32 THEN ?8 ELSE pinned END,"
                  " draft = CASE WHEN ?1 & 64 THEN ?9 ELSE draft END,"
                  " contact_id = CASE WHEN ?1 & 128 THEN ?10 ELSE contact_id END"
                  " WHERE id = ?2");
  const TernStoreChatRow *row = op->row;
  gint64 chat = tern_store_batch_resolve (batch, op->a);

  if (chat == 0)
    return TRUE;

  if (op->flags & TERN_STORE_CHAT_FIELD_AVATAR)
    {
      GET_STMT (old, "SELECT avatar FROM chats WHERE id = ? AND avatar IS NOT NULL");
      sqlite3_bind_int64 (old, 1, chat);
      if (!collect_hashes (ap, old, error))
        return FALSE;
    }

  sqlite3_bind_int (stmt, 1, op->flags);
  sqlite3_bind_int64 (stmt, 2, chat);
  bind_text (stmt, 3, row->name);
  bind_text (stmt, 4, row->description);
  bind_text (stmt, 5, row->avatar);
  sqlite3_bind_int (stmt, 6, !!row->muted);
  sqlite3_bind_int (stmt, 7, !!row->archived);
  sqlite3_bind_int (stmt, 8, !!row->pinned);
  bind_text (stmt, 9, row->draft);
  bind_id (stmt, 10, tern_store_batch_resolve (batch, row->contact_id));
  if (!run (ap, stmt, error))
    return FALSE;
  add_id (ap->changes->chats_updated, chat);
  return TRUE;
}

static gboolean
op_delete_chat (TernStoreApply *ap,
                TernStoreBatch *batch,
                TernStoreOp    *op,
                GError        **error)
{
  gint64 chat = tern_store_batch_resolve (batch, op->a);

  {
    GET_STMT (stmt, "SELECT a.hash FROM messages m JOIN attachments a ON a.message_id = m.id"
                    " WHERE m.chat_id = ?1"
                    " UNION SELECT a.preview_hash FROM messages m JOIN attachments a"
                    "   ON a.message_id = m.id WHERE m.chat_id = ?1 AND a.preview_hash IS NOT NULL"
                    " UNION SELECT avatar FROM chats WHERE id = ?1 AND avatar IS NOT NULL");
    sqlite3_bind_int64 (stmt, 1, chat);
    if (!collect_hashes (ap, stmt, error))
      return FALSE;
  }
  {
    GET_STMT (stmt, "DELETE FROM chats WHERE id = ?");
    sqlite3_bind_int64 (stmt, 1, chat);
    if (!run (ap, stmt, error))
      return FALSE;
    if (sqlite3_changes (ap->db) > 0)
      add_id (ap->changes->chats_deleted, chat);
  }
  return TRUE;
}

static gboolean
op_set_member (TernStoreApply *ap,
               TernStoreBatch *batch,
               TernStoreOp    *op,
               GError        **error)
{
  gint64 chat = tern_store_batch_resolve (batch, op->a);
  gint64 contact = tern_store_batch_resolve (batch, op->b);

  if (chat == 0 || contact == 0)
    return TRUE;

  if (op->flags)
    {
      GET_STMT (stmt, "INSERT OR IGNORE INTO chat_members (chat_id, contact_id) VALUES (?, ?)");
      sqlite3_bind_int64 (stmt, 1, chat);
      sqlite3_bind_int64 (stmt, 2, contact);
      if (!run (ap, stmt, error))
        return FALSE;
    }
  else
    {
      GET_STMT (stmt, "DELETE FROM chat_members WHERE chat_id = ? AND contact_id = ?");
      sqlite3_bind_int64 (stmt, 1, chat);
      sqlite3_bind_int64 (stmt, 2, contact);
      if (!run (ap, stmt, error))
        return FALSE;
    }
  add_id (ap->changes->chats_updated, chat);
  return TRUE;
}

static gboolean
op_mark_chat_read (TernStoreApply *ap,
                   TernStoreBatch *batch,
                   TernStoreOp    *op,
                   GError        **error)
{
  GET_STMT (stmt, "UPDATE messages SET seen = 1 WHERE chat_id = ? AND seen = 0 AND outgoing = 0"
                  " RETURNING id, sort_key");
  gint64 chat = tern_store_batch_resolve (batch, op->a);
  int rc;

  sqlite3_bind_int64 (stmt, 1, chat);
  while ((rc = step (ap, stmt, error)) == SQLITE_ROW)
    add_message_change (ap->changes->messages_updated, sqlite3_column_int64 (stmt, 0), chat,
                        sqlite3_column_int64 (stmt, 1));
  sqlite3_reset (stmt);
  if (rc < 0)
    return FALSE;
  add_id (ap->changes->chats_updated, chat);
  return TRUE;
}

/* Whether @kind may read, replace or delete a folder location, directly
 * or through a trigger (deleting messages, folders, chats, accounts,
 * contacts). No default: a new kind must be placed here. */
static gboolean
touches_locations (TernStoreOpKind kind)
{
  switch (kind)
    {
    case OP_REMOVE_ACCOUNT:
    case OP_SET_UIDVALIDITY:
    case OP_REMOVE_FOLDER:
    case OP_MERGE_CONTACTS:
    case OP_DELETE_CHAT:
    case OP_ADD_LOCATION:
    case OP_REMOVE_LOCATION:
    case OP_EDIT_MESSAGE:
    case OP_DELETE_MESSAGE:
    case OP_OUTBOX_ADD:
    case OP_OUTBOX_SENDING:
    case OP_OUTBOX_RETRY:
    case OP_OUTBOX_SENT:
    case OP_OUTBOX_FAILED:
    case OP_OUTBOX_REMOVE:
      return TRUE;
    case OP_ADD_ACCOUNT:
    case OP_UPDATE_ACCOUNT:
    case OP_PIN_CERTIFICATE:
    case OP_ENSURE_FOLDER:
    case OP_SET_SYNC_STATE:
    case OP_ENSURE_CONTACT:
    case OP_UPDATE_CONTACT:
    case OP_ADD_CONTACT_ADDRESS:
    case OP_ENSURE_CHAT:
    case OP_UPDATE_CHAT:
    case OP_SET_MEMBER:
    case OP_MARK_CHAT_READ:
    case OP_ADD_MESSAGE:
    case OP_SET_SEEN:
    case OP_SET_STATE:
    case OP_SET_PINNED:
    case OP_SET_MDN_SENT:
    case OP_ADD_RECEIPT:
    case OP_ADD_ATTACHMENT:
    case OP_ADD_FILE:
      return FALSE;
    }
  return TRUE;
}

/* Whether @kind may update or delete a chat's name or description or a
 * contact's name or address (and so fire the full-text UPDATE or DELETE
 * triggers), directly or through a cascade. No default: a new kind must be
 * placed here. */
static gboolean
touches_names (TernStoreOpKind kind)
{
  switch (kind)
    {
    case OP_REMOVE_ACCOUNT:
    case OP_UPDATE_CONTACT:
    case OP_ADD_CONTACT_ADDRESS:
    case OP_MERGE_CONTACTS:
    case OP_UPDATE_CHAT:
    case OP_DELETE_CHAT:
      return TRUE;
    case OP_ADD_ACCOUNT:
    case OP_UPDATE_ACCOUNT:
    case OP_PIN_CERTIFICATE:
    case OP_ENSURE_FOLDER:
    case OP_SET_UIDVALIDITY:
    case OP_SET_SYNC_STATE:
    case OP_REMOVE_FOLDER:
    case OP_ENSURE_CONTACT:
    case OP_ENSURE_CHAT:
    case OP_SET_MEMBER:
    case OP_MARK_CHAT_READ:
    case OP_ADD_MESSAGE:
    case OP_ADD_LOCATION:
    case OP_REMOVE_LOCATION:
    case OP_SET_SEEN:
    case OP_SET_STATE:
    case OP_EDIT_MESSAGE:
    case OP_SET_PINNED:
    case OP_SET_MDN_SENT:
    case OP_DELETE_MESSAGE:
    case OP_ADD_RECEIPT:
    case OP_ADD_ATTACHMENT:
    case OP_ADD_FILE:
    case OP_OUTBOX_ADD:
    case OP_OUTBOX_SENDING:
    case OP_OUTBOX_RETRY:
    case OP_OUTBOX_SENT:
    case OP_OUTBOX_FAILED:
    case OP_OUTBOX_REMOVE:
      return FALSE;
    }
  return TRUE;
}

static gboolean
index_names (TernStoreApply *ap,
             GArray         *ids,
             const char     *sql,
             GError        **error)
{
  g_autoptr(GString) list = NULL;
  sqlite3_stmt *stmt;

  if (ids->len == 0)
    return TRUE;
  stmt = tern_store_stmt_cache_get (ap->stmts, sql, error);
  if (stmt == NULL)
    return FALSE;
  list = g_string_sized_new (ids->len * 8 + 2);
  g_string_append_c (list, '[');
  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf (list, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                            g_array_index (ids, gint64, i));
  g_string_append_c (list, ']');
  sqlite3_bind_text (stmt, 1, list->str, (int) list->len, SQLITE_STATIC);
  if (!run (ap, stmt, error))
    return FALSE;
  g_array_set_size (ids, 0);
  return TRUE;
}

gboolean
tern_store_apply_flush_names (TernStoreApply *ap,
                              GError        **error)
{
  return index_names (ap, ap->chats_fts_pending,
                      "INSERT INTO chats_fts (rowid, name, description)"
                      " SELECT c.id, c.name, c.description FROM json_each (?1) j"
                      " JOIN chats c ON c.id = j.value",
                      error) &&
         index_names (ap, ap->contacts_fts_pending,
                      "INSERT INTO contacts_fts (rowid, display_name, address)"
                      " SELECT c.id, c.display_name, c.address FROM json_each (?1) j"
                      " JOIN contacts c ON c.id = j.value",
                      error);
}

/* public (internal) */

gboolean
tern_store_batch_apply (TernStoreBatch *batch,
                        TernStoreApply *ap,
                        GError        **error)
{
  for (guint i = 0; i < batch->ops->len; i++)
    {
      TernStoreOp *op = &g_array_index (batch->ops, TernStoreOp, i);
      gboolean ok;

      /* New messages write their locations together, before anything
       * that may read, replace or delete locations. */
      if (touches_locations (op->kind) && !tern_store_apply_flush_locations (ap, error))
        return FALSE;
      /* New chats and contacts are indexed before anything may change or
       * delete their names (the triggers' 'delete' needs them indexed). */
      if (touches_names (op->kind) && !tern_store_apply_flush_names (ap, error))
        return FALSE;

      /* These change or delete index entries of existing rows: the rows
       * this batch added must be indexed first. */
      if ((op->kind == OP_EDIT_MESSAGE || op->kind == OP_DELETE_MESSAGE ||
           op->kind == OP_DELETE_CHAT || op->kind == OP_REMOVE_ACCOUNT) &&
          !tern_store_apply_flush_fts (ap, error))
        return FALSE;
      /* Parents checked earlier in the batch may go now. */
      if (op->kind == OP_DELETE_CHAT || op->kind == OP_REMOVE_ACCOUNT ||
          op->kind == OP_REMOVE_FOLDER || op->kind == OP_MERGE_CONTACTS ||
          op->kind == OP_ADD_CONTACT_ADDRESS)
        tern_store_apply_forget_parents (ap);

      switch (op->kind)
        {
        case OP_ADD_ACCOUNT: ok = op_add_account (ap, batch, op, error); break;
        case OP_UPDATE_ACCOUNT: ok = op_update_account (ap, batch, op, error); break;
        case OP_REMOVE_ACCOUNT: ok = op_remove_account (ap, batch, op, error); break;
        case OP_PIN_CERTIFICATE: ok = op_pin_certificate (ap, batch, op, error); break;
        case OP_ENSURE_FOLDER: ok = op_ensure_folder (ap, batch, op, error); break;
        case OP_SET_UIDVALIDITY: ok = op_set_uidvalidity (ap, batch, op, error); break;
        case OP_SET_SYNC_STATE: ok = op_set_sync_state (ap, batch, op, error); break;
        case OP_REMOVE_FOLDER: ok = op_remove_folder (ap, batch, op, error); break;
        case OP_ENSURE_CONTACT: ok = op_ensure_contact (ap, batch, op, error); break;
        case OP_UPDATE_CONTACT: ok = op_update_contact (ap, batch, op, error); break;
        case OP_ADD_CONTACT_ADDRESS: ok = op_add_contact_address (ap, batch, op, error); break;
        case OP_MERGE_CONTACTS: ok = tern_store_apply_merge_contacts (ap, batch, op, error); break;
        case OP_ENSURE_CHAT: ok = op_ensure_chat (ap, batch, op, error); break;
        case OP_UPDATE_CHAT: ok = op_update_chat (ap, batch, op, error); break;
        case OP_DELETE_CHAT: ok = op_delete_chat (ap, batch, op, error); break;
        case OP_SET_MEMBER: ok = op_set_member (ap, batch, op, error); break;
        case OP_MARK_CHAT_READ: ok = op_mark_chat_read (ap, batch, op, error); break;
        case OP_ADD_MESSAGE: ok = tern_store_apply_add_message (ap, batch, op, error); break;
        case OP_ADD_LOCATION: ok = tern_store_apply_add_location (ap, batch, op, error); break;
        case OP_REMOVE_LOCATION: ok = tern_store_apply_remove_location (ap, batch, op, error); break;
        case OP_SET_SEEN: ok = tern_store_apply_set_seen (ap, batch, op, error); break;
        case OP_SET_STATE:
          ok = tern_store_apply_set_state (ap, tern_store_batch_resolve (batch, op->a), op->flags, FALSE, error);
          break;
        case OP_EDIT_MESSAGE: ok = tern_store_apply_edit_message (ap, batch, op, error); break;
        case OP_SET_PINNED: ok = tern_store_apply_set_pinned (ap, batch, op, error); break;
        case OP_SET_MDN_SENT: ok = tern_store_apply_set_mdn_sent (ap, batch, op, error); break;
        case OP_DELETE_MESSAGE: ok = tern_store_apply_delete_message (ap, batch, op, error); break;
        case OP_ADD_RECEIPT: ok = tern_store_apply_add_receipt (ap, batch, op, error); break;
        case OP_ADD_ATTACHMENT: ok = tern_store_apply_add_attachment (ap, batch, op, error); break;
        case OP_ADD_FILE: ok = tern_store_apply_add_file (ap, batch, op, error); break;
        case OP_OUTBOX_ADD: ok = tern_store_apply_outbox_add (ap, batch, op, error); break;
        case OP_OUTBOX_SENDING:
        case OP_OUTBOX_RETRY:
        case OP_OUTBOX_SENT:
        case OP_OUTBOX_FAILED:
        case OP_OUTBOX_REMOVE:
          ok = tern_store_apply_outbox_update (ap, batch, op, error);
          break;
        default:
          g_assert_not_reached ();
        }
      if (!ok)
        return FALSE;
    }
  return tern_store_apply_flush_locations (ap, error) &&
         tern_store_apply_flush_names (ap, error) &&
         tern_store_apply_flush_fts (ap, error);
}

void
tern_store_apply_remove_unused_files (TernStoreApply *ap)
{
  GHashTableIter iter;
  const char *hash;
  sqlite3_stmt *stmt;

  if (g_hash_table_size (ap->hashes_to_check) == 0)
    return;

  stmt = tern_store_stmt_cache_get (ap->stmts,
                                    "SELECT EXISTS (SELECT 1 FROM attachments WHERE hash = ?1)"
                                    " OR EXISTS (SELECT 1 FROM attachments WHERE preview_hash = ?1)"
                                    " OR EXISTS (SELECT 1 FROM chats WHERE avatar = ?1)"
                                    " OR EXISTS (SELECT 1 FROM contacts WHERE avatar = ?1)",
                                    NULL);
  if (stmt == NULL)
    return;

  g_hash_table_iter_init (&iter, ap->hashes_to_check);
  while (g_hash_table_iter_next (&iter, (gpointer *) &hash, NULL))
    {
      gboolean used = TRUE;

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        used = sqlite3_column_int (stmt, 0);
      sqlite3_reset (stmt);

      if (!used)
        {
          g_autofree char *path = tern_store_attachment_path (ap->attachments_dir, hash);

          if (g_unlink (path) != 0 && errno != ENOENT)
            g_debug ("Could not remove %s: %s", path, g_strerror (errno));
        }
    }
}

static void
unique_ids (GArray     *ids,
            GHashTable *exclude)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  guint out = 0;

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 *id = &g_array_index (ids, gint64, i);

      if (g_hash_table_contains (seen, id) || (exclude && g_hash_table_contains (exclude, id)))
        continue;
      g_array_index (ids, gint64, out) = *id;
      g_hash_table_add (seen, &g_array_index (ids, gint64, out));
      out++;
    }
  g_array_set_size (ids, out);
}

static GHashTable *
id_set (GArray  *ids,
        gboolean messages)
{
  GHashTable *set = g_hash_table_new (g_int64_hash, g_int64_equal);

  for (guint i = 0; i < ids->len; i++)
    {
      if (messages)
        g_hash_table_add (set, &g_array_index (ids, TernStoreMessageChange, i).id);
      else
        g_hash_table_add (set, &g_array_index (ids, gint64, i));
    }
  return set;
}

static void
unique_messages (GArray     *changes,
                 GHashTable *exclude1,
                 GHashTable *exclude2)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  guint out = 0;

  for (guint i = 0; i < changes->len; i++)
    {
      TernStoreMessageChange change = g_array_index (changes, TernStoreMessageChange, i);

      if (g_hash_table_contains (seen, &change.id) ||
          (exclude1 && g_hash_table_contains (exclude1, &change.id)) ||
          (exclude2 && g_hash_table_contains (exclude2, &change.id)))
        continue;
      g_array_index (changes, TernStoreMessageChange, out) = change;
      g_hash_table_add (seen, &g_array_index (changes, TernStoreMessageChange, out).id);
      out++;
    }
  g_array_set_size (changes, out);
}

void
tern_store_changes_finish (TernStoreChanges *changes)
{
  g_autoptr(GHashTable) chats_deleted = NULL;
  g_autoptr(GHashTable) chats_inserted = NULL;
  g_autoptr(GHashTable) messages_deleted = NULL;
  g_autoptr(GHashTable) messages_inserted = NULL;

  unique_ids (changes->chats_deleted, NULL);
  chats_deleted = id_set (changes->chats_deleted, FALSE);
  unique_ids (changes->chats_inserted, chats_deleted);
  chats_inserted = id_set (changes->chats_inserted, FALSE);
  {
    g_autoptr(GHashTable) both = g_hash_table_new (g_int64_hash, g_int64_equal);
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, chats_deleted);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      g_hash_table_add (both, key);
    g_hash_table_iter_init (&iter, chats_inserted);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      g_hash_table_add (both, key);
    unique_ids (changes->chats_updated, both);
  }

  /* Messages of deleted chats are not listed one by one. */
  {
    guint out = 0;

    for (guint i = 0; i < changes->messages_deleted->len; i++)
      {
        TernStoreMessageChange c = g_array_index (changes->messages_deleted, TernStoreMessageChange, i);

        if (!g_hash_table_contains (chats_deleted, &c.chat_id))
          g_array_index (changes->messages_deleted, TernStoreMessageChange, out++) = c;
      }
    g_array_set_size (changes->messages_deleted, out);
  }
  unique_messages (changes->messages_deleted, NULL, NULL);
  messages_deleted = id_set (changes->messages_deleted, TRUE);
  unique_messages (changes->messages_inserted, messages_deleted, NULL);
  messages_inserted = id_set (changes->messages_inserted, TRUE);
  unique_messages (changes->messages_updated, messages_deleted, messages_inserted);

  {
    /* Drop messages of chats deleted in the same batch. */
    GArray *arrays[] = { changes->messages_inserted, changes->messages_updated };

    for (guint a = 0; a < G_N_ELEMENTS (arrays); a++)
      {
        guint out = 0;

        for (guint i = 0; i < arrays[a]->len; i++)
          {
            TernStoreMessageChange c = g_array_index (arrays[a], TernStoreMessageChange, i);

            if (!g_hash_table_contains (chats_deleted, &c.chat_id))
              g_array_index (arrays[a], TernStoreMessageChange, out++) = c;
          }
        g_array_set_size (arrays[a], out);
      }
  }

  unique_ids (changes->contacts_changed, NULL);
  unique_ids (changes->folders_changed, NULL);
  unique_ids (changes->accounts_changed, NULL);
}
