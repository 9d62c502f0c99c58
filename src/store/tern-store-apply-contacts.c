/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-store"

#include "tern-store-apply-private.h"

/* Merging contacts: one person seen under two contacts (two addresses that
 * turned out to be the same person, e.g. contact storage messages sharing
 * a COI-From-Hash) becomes one. Everything that named the dropped contact
 * names the kept one; the kept one's empty fields take the dropped one's
 * values; two 1:1 chats become the kept contact's chat. */

static gboolean
exec_bound (TernStoreApply *ap,
            const char     *sql,
            gint64          a,
            gint64          b,
            GError        **error)
{
  GET_STMT (stmt, sql);

  sqlite3_bind_int64 (stmt, 1, a);
  sqlite3_bind_int64 (stmt, 2, b);
  return run (ap, stmt, error);
}

/* The 1:1 chat of @contact, or 0. */
static gint64
direct_chat_of (TernStoreApply *ap,
                gint64          contact,
                GError        **error)
{
  GET_STMT (stmt, "SELECT id FROM chats WHERE contact_id = ?1 AND kind = 0 ORDER BY id LIMIT 1");
  gint64 id = 0;
  int rc;

  sqlite3_bind_int64 (stmt, 1, contact);
  rc = step (ap, stmt, error);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return rc < 0 ? -1 : id;
}

/* Moves every message of chat @from into chat @into and deletes @from. */
static gboolean
merge_direct_chats (TernStoreApply *ap,
                    gint64          into,
                    gint64          from,
                    GError        **error)
{
  {
    GET_STMT (stmt, "UPDATE messages SET chat_id = ?1 WHERE chat_id = ?2 RETURNING id, sort_key");
    int rc;

    sqlite3_bind_int64 (stmt, 1, into);
    sqlite3_bind_int64 (stmt, 2, from);
    while ((rc = step (ap, stmt, error)) == SQLITE_ROW)
      add_message_change (ap->changes->messages_updated, sqlite3_column_int64 (stmt, 0), into,
                          sqlite3_column_int64 (stmt, 1));
    sqlite3_reset (stmt);
    if (rc < 0)
      return FALSE;
  }
  /* The counters follow the messages (the triggers watch seen/outgoing only). */
  if (!exec_bound (ap,
                   "UPDATE chats SET"
                   " message_count = (SELECT COUNT(*) FROM messages WHERE chat_id = ?1),"
                   " unread_count = (SELECT COUNT(*) FROM messages WHERE chat_id = ?1"
                   "                 AND seen = 0 AND outgoing = 0),"
                   " last_message_id = (SELECT id FROM messages WHERE chat_id = ?1"
                   "                    ORDER BY sort_key DESC, id DESC LIMIT 1),"
                   " last_activity = MAX(last_activity,"
                   "                     (SELECT last_activity FROM chats WHERE id = ?2)),"
                   " pinned = MAX(pinned, (SELECT pinned FROM chats WHERE id = ?2)),"
                   " draft = IFNULL(draft, (SELECT draft FROM chats WHERE id = ?2))"
                   " WHERE id = ?1",
                   into, from, error))
    return FALSE;
  if (!exec_bound (ap, "DELETE FROM chats WHERE id = ?2 AND ?1 = ?1", into, from, error))
    return FALSE;
  add_id (ap->changes->chats_updated, into);
  add_id (ap->changes->chats_deleted, from);
  return TRUE;
}

static gboolean
merge_two (TernStoreApply *ap,
           gint64          into,
           gint64          from,
           GError        **error)
{
  gint64 into_chat, from_chat;

  if (into == from || into == 0 || from == 0)
    return TRUE;

  into_chat = direct_chat_of (ap, into, error);
  from_chat = direct_chat_of (ap, from, error);
  if (into_chat < 0 || from_chat < 0)
    return FALSE;
  if (from_chat != 0 && into_chat != 0)
    {
      if (!merge_direct_chats (ap, into_chat, from_chat, error))
        return FALSE;
    }
  else if (from_chat != 0)
    {
      if (!exec_bound (ap, "UPDATE chats SET contact_id = ?1 WHERE id = ?2", into, from_chat, error))
        return FALSE;
      add_id (ap->changes->chats_updated, from_chat);
    }

  if (!exec_bound (ap, "UPDATE contact_addresses SET contact_id = ?1 WHERE contact_id = ?2",
                   into, from, error) ||
      !exec_bound (ap, "UPDATE messages SET sender_contact_id = ?1 WHERE sender_contact_id = ?2",
                   into, from, error) ||
      !exec_bound (ap, "INSERT OR IGNORE INTO chat_members (chat_id, contact_id)"
                       " SELECT chat_id, ?1 FROM chat_members WHERE contact_id = ?2",
                   into, from, error) ||
      !exec_bound (ap, "UPDATE chats SET contact_id = ?1 WHERE contact_id = ?2", into, from, error) ||
      !exec_bound (ap, "UPDATE contacts SET"
                       " display_name = IFNULL(contacts.display_name, f.display_name),"
                       " avatar = IFNULL(contacts.avatar, f.avatar),"
                       " status = IFNULL(contacts.status, f.status),"
                       " from_hash = IFNULL(contacts.from_hash, f.from_hash),"
                       " blocked = MAX(contacts.blocked, f.blocked),"
                       " last_seen = MAX(contacts.last_seen, f.last_seen),"
                       " profile_sent = MAX(contacts.profile_sent, f.profile_sent)"
                       " FROM (SELECT * FROM contacts WHERE id = ?2) AS f WHERE contacts.id = ?1",
                   into, from, error) ||
      !exec_bound (ap, "DELETE FROM contacts WHERE id = ?2 AND ?1 = ?1", into, from, error))
    return FALSE;
  add_id (ap->changes->contacts_changed, into);
  return TRUE;
}

gboolean
tern_store_apply_merge_contacts (TernStoreApply *ap,
                                 TernStoreBatch *batch,
                                 TernStoreOp    *op,
                                 GError        **error)
{
  gint64 into = tern_store_batch_resolve (batch, op->a);
  gint64 from = tern_store_batch_resolve (batch, op->b);
  gint64 account = 0;
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (op->s1 == NULL)
    {
      /* Two given contacts: only within one account. */
      GET_STMT (stmt, "SELECT (SELECT account_id FROM contacts WHERE id = ?1)"
                      "     = (SELECT account_id FROM contacts WHERE id = ?2)");
      int rc;
      gboolean same;

      sqlite3_bind_int64 (stmt, 1, into);
      sqlite3_bind_int64 (stmt, 2, from);
      rc = step (ap, stmt, error);
      same = rc == SQLITE_ROW && sqlite3_column_int (stmt, 0) == 1;
      sqlite3_reset (stmt);
      if (rc < 0)
        return FALSE;
      if (!same)
        {
          g_set_error (error, TERN_STORE_ERROR, TERN_STORE_ERROR_CONSTRAINT,
                       "Contacts %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT
                       " are not both contacts of one account", into, from);
          return FALSE;
        }
      return merge_two (ap, into, from, error);
    }

  /* Every contact of the account with this COI-From-Hash, into the oldest. */
  account = tern_store_batch_resolve (batch, op->c);
  {
    GET_STMT (stmt, "SELECT id FROM contacts WHERE account_id = ?1 AND from_hash = ?2 ORDER BY id");
    int rc;

    sqlite3_bind_int64 (stmt, 1, account);
    bind_text (stmt, 2, op->s1);
    while ((rc = step (ap, stmt, error)) == SQLITE_ROW)
      {
        gint64 id = sqlite3_column_int64 (stmt, 0);
        g_array_append_val (found, id);
      }
    sqlite3_reset (stmt);
    if (rc < 0)
      return FALSE;
  }
  for (guint i = 1; i < found->len; i++)
    if (!merge_two (ap, g_array_index (found, gint64, 0), g_array_index (found, gint64, i), error))
      return FALSE;
  return TRUE;
}
