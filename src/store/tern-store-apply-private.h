/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "tern-store-batch-private.h"
#include "tern-store-private.h"

/* Internal to the files that apply a batch (tern-store-apply*.c). */

G_BEGIN_DECLS

#define GET_STMT(var, sql)                                             \
  sqlite3_stmt *var = tern_store_stmt_cache_get (ap->stmts, sql, error); \
  if (var == NULL)                                                     \
    return FALSE

/* helpers shared by tern-store-apply*.c */

static inline void
bind_text (sqlite3_stmt *stmt,
           int           idx,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, idx, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, idx);
}

static inline void
bind_id (sqlite3_stmt *stmt,
         int           idx,
         gint64        id)
{
  if (id > 0)
    sqlite3_bind_int64 (stmt, idx, id);
  else
    sqlite3_bind_null (stmt, idx);
}

/* Steps once: SQLITE_ROW or SQLITE_DONE, or -1 with @error set. */
static inline int
step (TernStoreApply *ap,
      sqlite3_stmt   *stmt,
      GError        **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return rc;
  tern_store_set_sqlite_error (error, ap->db, rc, "Could not write");
  sqlite3_reset (stmt);
  return -1;
}

/* Steps to the end, ignoring rows. */
static inline gboolean
run (TernStoreApply *ap,
     sqlite3_stmt   *stmt,
     GError        **error)
{
  int rc;

  while ((rc = step (ap, stmt, error)) == SQLITE_ROW)
    ;
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
}

static inline void
add_id (GArray *array,
        gint64  id)
{
  g_array_append_val (array, id);
}

static inline void
add_message_change (GArray *array,
                    gint64  id,
                    gint64  chat_id,
                    gint64  sort_key)
{
  TernStoreMessageChange change = { id, chat_id, sort_key };

  g_array_append_val (array, change);
}

static inline void
set_slot (TernStoreBatch *batch,
          TernStoreOp    *op,
          gint64          id,
          gboolean        inserted)
{
  g_array_index (batch->ids, gint64, op->slot) = id;
  g_array_index (batch->inserted, gboolean, op->slot) = inserted;
}

static inline gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Adds the hashes returned by @stmt (column 0) to the files to check. */
static inline gboolean
collect_hashes (TernStoreApply *ap,
                sqlite3_stmt   *stmt,
                GError        **error)
{
  int rc;

  while ((rc = step (ap, stmt, error)) == SQLITE_ROW)
    {
      const char *hash = (const char *) sqlite3_column_text (stmt, 0);

      if (hash != NULL && strlen (hash) >= 2)
        g_hash_table_add (ap->hashes_to_check, g_strdup (hash));
    }
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
}

/* tern-store-apply-messages.c */
gboolean tern_store_apply_add_file (TernStoreApply *ap,
                                    TernStoreBatch *batch,
                                    TernStoreOp    *op,
                                    GError        **error);
gboolean tern_store_apply_set_state (TernStoreApply *ap,
                                     gint64 message,
                                     TernStoreDeliveryState state,
                                     gboolean force,
                                     GError **error);
gboolean tern_store_apply_flush_fts (TernStoreApply *ap,
                                     GError **error);
gboolean tern_store_apply_add_message (TernStoreApply *ap,
                                       TernStoreBatch *batch,
                                       TernStoreOp *op,
                                       GError **error);
gboolean tern_store_apply_add_location (TernStoreApply *ap,
                                        TernStoreBatch *batch,
                                        TernStoreOp *op,
                                        GError **error);
gboolean tern_store_apply_remove_location (TernStoreApply *ap,
                                           TernStoreBatch *batch,
                                           TernStoreOp *op,
                                           GError **error);
gboolean tern_store_apply_set_seen (TernStoreApply *ap,
                                    TernStoreBatch *batch,
                                    TernStoreOp *op,
                                    GError **error);
void     tern_store_apply_forget_parents (TernStoreApply *ap);
gboolean tern_store_apply_merge_contacts (TernStoreApply *ap,
                                          TernStoreBatch *batch,
                                          TernStoreOp *op,
                                          GError **error);
gboolean tern_store_apply_set_mdn_sent (TernStoreApply *ap,
                                        TernStoreBatch *batch,
                                        TernStoreOp *op,
                                        GError **error);
gboolean tern_store_apply_set_pinned (TernStoreApply *ap,
                                      TernStoreBatch *batch,
                                      TernStoreOp *op,
                                      GError **error);
gboolean tern_store_apply_edit_message (TernStoreApply *ap,
                                        TernStoreBatch *batch,
                                        TernStoreOp *op,
                                        GError **error);
gboolean tern_store_apply_delete_message (TernStoreApply *ap,
                                          TernStoreBatch *batch,
                                          TernStoreOp *op,
                                          GError **error);
gboolean tern_store_apply_add_receipt (TernStoreApply *ap,
                                       TernStoreBatch *batch,
                                       TernStoreOp *op,
                                       GError **error);
gboolean tern_store_apply_add_attachment (TernStoreApply *ap,
                                          TernStoreBatch *batch,
                                          TernStoreOp *op,
                                          GError **error);
gboolean tern_store_apply_outbox_add (TernStoreApply *ap,
                                      TernStoreBatch *batch,
                                      TernStoreOp *op,
                                      GError **error);
gboolean tern_store_apply_outbox_update (TernStoreApply *ap,
                                         TernStoreBatch *batch,
                                         TernStoreOp *op,
                                         GError **error);

G_END_DECLS
