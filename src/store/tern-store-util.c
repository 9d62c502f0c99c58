/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-store"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "tern-store-private.h"

struct _TernStoreStmtCache
{
  sqlite3    *db;
  GHashTable *stmts;  /* const char *sql (by address) -> sqlite3_stmt */
};

/* errors */

void
tern_store_set_sqlite_error (GError    **error,
                             sqlite3    *db,
                             int         rc,
                             const char *what)
{
  TernStoreError code;
  int primary = rc & 0xff;

  switch (primary)
    {
    case SQLITE_FULL:
      code = TERN_STORE_ERROR_FULL;
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = TERN_STORE_ERROR_CORRUPT;
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = TERN_STORE_ERROR_BUSY;
      break;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      code = TERN_STORE_ERROR_IO;
      break;
    case SQLITE_CONSTRAINT:
      code = TERN_STORE_ERROR_CONSTRAINT;
      break;
    default:
      code = TERN_STORE_ERROR_FAILED;
      break;
    }

  /* SQLite reports ENOSPC on some paths (the WAL index) as an I/O error. */
  if (primary == SQLITE_IOERR && db != NULL && sqlite3_system_errno (db) == ENOSPC)
    code = TERN_STORE_ERROR_FULL;

  g_set_error (error, TERN_STORE_ERROR, code, "%s: %s (%d)", what,
               db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc), rc);
}

/* statements */

TernStoreStmtCache *
tern_store_stmt_cache_new (sqlite3 *db)
{
  TernStoreStmtCache *cache = g_new0 (TernStoreStmtCache, 1);

  cache->db = db;
  cache->stmts = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) sqlite3_finalize);
  return cache;
}

void
tern_store_stmt_cache_free (TernStoreStmtCache *cache)
{
  if (cache == NULL)
    return;
  g_hash_table_unref (cache->stmts);
  g_free (cache);
}

sqlite3_stmt *
tern_store_stmt_cache_get (TernStoreStmtCache *cache,
                           const char         *sql,
                           GError            **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (cache->stmts, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  int rc = sqlite3_prepare_v3 (cache->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      tern_store_set_sqlite_error (error, cache->db, rc, "Could not prepare a statement");
      g_debug ("failed SQL: %s", sql);
      return NULL;
    }
  g_hash_table_insert (cache->stmts, (gpointer) sql, stmt);
  return stmt;
}

gboolean
tern_store_exec (sqlite3    *db,
                 const char *sql,
                 GError    **error)
{
  char *msg = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &msg);

  if (rc != SQLITE_OK)
    {
      tern_store_set_sqlite_error (error, db, rc, "Could not run SQL");
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

/* attachments */

char *
tern_store_attachment_path (const char *attachments_dir,
                            const char *hash)
{
  char prefix[3] = { 0 };

  g_return_val_if_fail (hash != NULL && strlen (hash) >= 2, NULL);
  prefix[0] = hash[0];
  prefix[1] = hash[1];
  return g_build_filename (attachments_dir, prefix, hash, NULL);
}

static gboolean
set_errno_error (GError    **error,
                 int         saved_errno,
                 const char *what,
                 const char *path)
{
  g_set_error (error, TERN_STORE_ERROR,
               saved_errno == ENOSPC || saved_errno == EDQUOT ? TERN_STORE_ERROR_FULL
                                                              : TERN_STORE_ERROR_IO,
               "%s %s: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

gboolean
tern_store_write_attachment (const char *attachments_dir,
                             GBytes     *data,
                             char      **hash_out,
                             char      **path_out,
                             gboolean   *created,
                             GError    **error)
{
  g_autofree char *hash = NULL;
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *tmp = NULL;
  const guint8 *bytes;
  gsize size, done = 0;
  int fd;

  bytes = g_bytes_get_data (data, &size);
  hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256, bytes ? bytes : (const guint8 *) "", size);
  path = tern_store_attachment_path (attachments_dir, hash);
  *created = FALSE;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      dir = g_path_get_dirname (path);
      if (g_mkdir_with_parents (dir, 0700) != 0)
        return set_errno_error (error, errno, "Could not create", dir);

      tmp = g_strdup_printf ("%s.tmp-XXXXXX", path);
      fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
      if (fd < 0)
        return set_errno_error (error, errno, "Could not create", tmp);

      while (done < size)
        {
          ssize_t n = write (fd, bytes + done, size - done);

          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            {
              int saved = errno;

              close (fd);
              g_unlink (tmp);
              return set_errno_error (error, saved, "Could not write", tmp);
            }
          done += n;
        }
      if (fsync (fd) != 0 || close (fd) != 0)
        {
          int saved = errno;

          g_unlink (tmp);
          return set_errno_error (error, saved, "Could not write", tmp);
        }
      if (g_rename (tmp, path) != 0)
        {
          int saved = errno;

          g_unlink (tmp);
          return set_errno_error (error, saved, "Could not rename", tmp);
        }
      /* Make the new name durable too. */
      fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd >= 0)
        {
          fsync (fd);
          close (fd);
        }
      *created = TRUE;
    }

  if (hash_out)
    *hash_out = g_steal_pointer (&hash);
  if (path_out)
    *path_out = g_steal_pointer (&path);
  return TRUE;
}

/* search */

char *
tern_store_fts_query (const char *text)
{
  g_autoptr(GString) query = g_string_new (NULL);
  g_autoptr(GString) token = g_string_new (NULL);
  const char *p;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;

  /* The user's text is cut where the unicode61 tokenizer cuts it (its
   * token characters are letters, numbers and private use), so every term
   * is one token: no phrase and no FTS5 syntax reaches MATCH. Terms are ANDed; only the last one, which the
   * user may still be typing, matches as a prefix: a prefix term merges
   * the lists of every word it starts, a whole word reads one. */
  for (p = text;; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c != 0 && (g_unichar_isalnum (c) || g_unichar_type (c) == G_UNICODE_PRIVATE_USE))
        {
          g_string_append_unichar (token, c);
          continue;
        }
      if (token->len > 0)
        {
          if (query->len > 0)
            g_string_append_c (query, ' ');
          g_string_append_c (query, '"');
          g_string_append_len (query, token->str, token->len);
          g_string_append_c (query, '"');
          g_string_truncate (token, 0);
        }
      if (c == 0)
        break;
    }

  if (query->len == 0)
    return NULL;
  g_string_append_c (query, '*');
  return g_string_free (g_steal_pointer (&query), FALSE);
}
