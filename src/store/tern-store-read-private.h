/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "tern-store-private.h"

/* Plumbing shared by the synchronous reads (tern-store-read.c) and the
 * search (tern-store-search.c): lock a read connection, prepare (cached),
 * step, copy out, unlock. */

G_BEGIN_DECLS

/* ---- plumbing ---------------------------------------------------------- */

typedef struct {
  TernStore          *store;
  guint               which;
  sqlite3            *db;
  TernStoreStmtCache *stmts;
} Reader;

/* (defined below) */
static inline gboolean reader_begin (TernStore *store,
                                     guint      which,
                                     Reader    *reader,
                                     GError   **error);
static inline void     reader_end   (Reader    *reader);

static inline char *
col_dup (sqlite3_stmt *stmt,
         int           i)
{
  const unsigned char *text = sqlite3_column_text (stmt, i);

  return text ? g_strdup ((const char *) text) : NULL;
}

/* Steps: TRUE for a row, FALSE at the end or on error (then @error is set). */
static inline gboolean
next_row (Reader       *reader,
          sqlite3_stmt *stmt,
          GError      **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc != SQLITE_DONE)
    tern_store_set_sqlite_error (error, reader->db, rc, "Could not read");
  return FALSE;
}

static inline gboolean
finish_rows (Reader       *reader,
             sqlite3_stmt *stmt,
             GError      **local_error,
             GError      **error)
{
  sqlite3_reset (stmt);
  reader_end (reader);
  if (*local_error != NULL)
    {
      g_propagate_error (error, *local_error);
      *local_error = NULL;
      return FALSE;
    }
  return TRUE;
}

static inline void
set_not_found (GError    **error,
               const char *what,
               gint64      id)
{
  g_set_error (error, TERN_STORE_ERROR, TERN_STORE_ERROR_NOT_FOUND, "No %s %" G_GINT64_FORMAT,
               what, id);
}

#define BEGIN_READ(sql) BEGIN_READ_ON (0, sql)

#define BEGIN_READ_ON(which, sql)                                              \
  Reader reader;                                                               \
  sqlite3_stmt *stmt;                                                          \
  GError *local_error = NULL;                                                  \
  if (!reader_begin (self, which, &reader, error))                             \
    return 0;                                                                  \
  stmt = tern_store_stmt_cache_get (reader.stmts, sql, error);                 \
  if (stmt == NULL)                                                            \
    {                                                                          \
      reader_end (&reader);                                                    \
      return 0;                                                                \
    }

/* ---- reader access ----------------------------------------------------- */

static inline gboolean
reader_begin (TernStore *store,
              guint      which,
              Reader    *reader,
              GError   **error)
{
  g_return_val_if_fail (TERN_IS_STORE (store), FALSE);
  reader->store = store;
  reader->which = which;
  return tern_store_lock_reader (store, which, &reader->db, &reader->stmts, error);
}

static inline void
reader_end (Reader *reader)
{
  tern_store_unlock_reader (reader->store, reader->which);
}

G_END_DECLS
