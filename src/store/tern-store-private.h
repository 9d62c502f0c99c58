/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "tern-store.h"

G_BEGIN_DECLS

/* ---- errors, statements ------------------------------------------------ */

/* Sets @error from the last error of @db (SQLITE_FULL -> FULL, ...). */
void          tern_store_set_sqlite_error (GError     **error,
                                           sqlite3     *db,
                                           int          rc,
                                           const char  *what);

/* A cache of prepared statements of one connection, keyed by the address of
 * the SQL string (use string literals). Not thread-safe: one per connection. */
typedef struct _TernStoreStmtCache TernStoreStmtCache;

TernStoreStmtCache *tern_store_stmt_cache_new  (sqlite3            *db);
void                tern_store_stmt_cache_free (TernStoreStmtCache *cache);
/* A reset statement with cleared bindings, or NULL with @error set. */
sqlite3_stmt       *tern_store_stmt_cache_get  (TernStoreStmtCache *cache,
                                                const char         *sql,
                                                GError            **error);

gboolean      tern_store_exec             (sqlite3     *db,
                                           const char  *sql,
                                           GError     **error);

/* A read connection, locked for one read (tern-store-read.c): 0 for the
 * synchronous reads, 1 for the asynchronous search. */
gboolean      tern_store_lock_reader      (TernStore           *self,
                                           guint                which,
                                           sqlite3            **db,
                                           TernStoreStmtCache **stmts,
                                           GError             **error);
void          tern_store_unlock_reader    (TernStore           *self,
                                           guint                which);

/* ---- schema ------------------------------------------------------------ */

/* Opens @path with Tern's pragmas (WAL, foreign keys, synchronous=NORMAL). */
sqlite3      *tern_store_db_open          (const char  *path,
                                           gboolean     read_only,
                                           GError     **error);
int           tern_store_db_get_version   (sqlite3     *db);
/* Applies the migrations from the database's user_version up to @target,
 * each in its own transaction. */
gboolean      tern_store_db_migrate       (sqlite3     *db,
                                           int          target,
                                           GError     **error);
/* Like tern_store_open() but migrates only up to @version (tests). */
TernStore    *tern_store_open_at_version  (const char  *data_dir,
                                           int          version,
                                           GError     **error);

/* ---- batches ----------------------------------------------------------- */

/* A message inserted by the batch, waiting to be added to messages_fts. */
typedef struct {
  gint64                     id;
  const TernStoreMessageRow *row;  /* owned by the batch */
} TernStoreFtsPending;

/* A folder location of a message, waiting to be written. */
typedef struct {
  gint64 folder;
  gint64 uid;
  gint64 message;
} TernStoreLocationPending;

typedef struct {
  sqlite3            *db;
  TernStoreStmtCache *stmts;
  const char         *attachments_dir;
  TernStoreChanges   *changes;       /* filled while applying */
  GHashTable         *hashes_to_check; /* attachment hashes maybe unused after commit */
  GPtrArray          *new_files;     /* files created by this batch (removed on rollback) */
  GArray             *fts_pending;   /* messages inserted, not yet in messages_fts */
  GArray             *locations_pending; /* TernStoreLocationPending, not yet written */
  GArray             *chats_fts_pending;    /* ids of chats inserted, not yet in chats_fts */
  GArray             *contacts_fts_pending; /* ids of contacts inserted, not yet in contacts_fts */
  GHashTable         *chat_deltas;   /* chat id -> TernStoreChatDelta, not yet written */
  GHashTable         *chats_checked; /* chat id -> its account id: exists (this batch) */
  GHashTable         *folders_checked; /* folder ids that exist (this batch) */
  GHashTable         *found;         /* contact / chat key -> its id (gint64*), this batch */
} TernStoreApply;

/* What the messages a batch inserted add to their chat's counters. */
typedef struct {
  gint64 chat_id;
  gint64 messages;
  gint64 unread;
  gint64 max_sort_key;
} TernStoreChatDelta;

/* Runs every operation of @batch inside the transaction the caller opened. */
gboolean      tern_store_batch_apply      (TernStoreBatch  *batch,
                                           TernStoreApply  *apply,
                                           GError         **error);
/* Adds the chats and contacts the batch inserted to their full-text indexes. */
gboolean      tern_store_apply_flush_names (TernStoreApply  *apply,
                                            GError         **error);
/* Writes the locations the batch's messages brought, many per statement. */
gboolean      tern_store_apply_flush_locations (TernStoreApply  *apply,
                                                GError         **error);
/* After a commit: deletes the files of the hashes nothing uses any more. */
void          tern_store_apply_remove_unused_files (TernStoreApply *apply);
/* Sorts and deduplicates the change arrays. */
void          tern_store_changes_finish   (TernStoreChanges *changes);

/* Writes @data to dir/ab/abcdef... atomically. *created says whether the
 * file is new. */
gboolean      tern_store_write_attachment (const char  *attachments_dir,
                                           GBytes      *data,
                                           char       **hash_out,
                                           char       **path_out,
                                           gboolean    *created,
                                           GError     **error);
char         *tern_store_attachment_path  (const char  *attachments_dir,
                                           const char  *hash);

/* Turns what the user typed into an FTS5 query (every word a quoted prefix),
 * NULL when nothing searchable is left. */
char         *tern_store_fts_query        (const char  *text);

G_END_DECLS
