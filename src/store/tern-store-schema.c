/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-store"

#include <stdlib.h>

#include "tern-store-private.h"
#include "tern-store-resources.h"

#define SCHEMA_PATH "/io/github/ternchat/Tern/store/schema"

/*
 * Pragmas, and why:
 * - journal_mode=WAL: readers (the UI's read connection) never wait for the
 *   writer and the writer never waits for readers; a crash leaves the last
 *   committed transaction in the WAL, replayed on the next open.
 * - synchronous=NORMAL: in WAL mode this fsyncs at checkpoints, not at
 *   every commit. The database cannot be corrupted by a crash or power
 *   loss; a power loss (not a process crash: the OS still has the pages)
 *   may forget the last transactions committed before it. Everything the
 *   store holds can be fetched again from the server, and outgoing mail is
 *   guarded by the Message-ID, so we trade that for 10x fewer fsyncs during
 *   a sync. (Attachment files are fsynced: they are written once.)
 * - foreign_keys=ON: the cascades of the schema do the deleting.
 * - busy_timeout: another process (a second tern-cli) holding the lock
 *   makes us wait a little instead of failing at once.
 * - page_size=8192, for a new database (it cannot change once the first
 *   table exists; an older store keeps its 4 KiB pages and works the
 *   same): a sync batch of 4,000 messages writes about as many bytes to
 *   the write-ahead log and the database as with 4 KiB pages (1.4 KB per
 *   message in bench-store), in half the pages. SQLite writes every page
 *   of the log with two system calls and checkpoints read each back, so
 *   that halves the calls, and a page holds twice the index entries:
 *   store.insert.msgs_per_s 40,000-44,000 -> 49,000-54,000 msgs/s, three
 *   runs each, alternating, at load 5.
 */
static const char *const open_pragmas =
  "PRAGMA foreign_keys = ON;"
  "PRAGMA synchronous = NORMAL;"
  "PRAGMA temp_store = MEMORY;"
  "PRAGMA cache_size = -16000;";

/* Process-wide, before SQLite's first use (a no-op after it): no memory
 * statistics. Tern never asks for them, and keeping them costs a global
 * mutex and two counters on every allocation SQLite makes: 7 % of the
 * instructions of storing a synced message (callgrind, bench-store). */
static GOnce configure_once = G_ONCE_INIT;

static gpointer
configure_sqlite (gpointer data)
{
  sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
  return NULL;
}

sqlite3 *
tern_store_db_open (const char *path,
                    gboolean    read_only,
                    GError    **error)
{
  sqlite3 *db = NULL;
  /* NOMUTEX: each connection is used by one thread at a time (the write
   * connection by the store thread, the read connection under TernStore's
   * read lock), so SQLite's own per-call mutex is pure overhead. */
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  int rc;

  if (!read_only)
    flags |= SQLITE_OPEN_CREATE;

  g_once (&configure_once, configure_sqlite, NULL);
  rc = sqlite3_open_v2 (path, &db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      tern_store_set_sqlite_error (error, db, rc, "Could not open the database");
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, 5000);

  if (!read_only && !tern_store_exec (db, "PRAGMA page_size = 8192; PRAGMA journal_mode = WAL;",
                                      error))
    goto fail;
  if (!tern_store_exec (db, open_pragmas, error))
    goto fail;
  if (read_only && !tern_store_exec (db, "PRAGMA query_only = ON;", error))
    goto fail;

  return db;

fail:
  sqlite3_close (db);
  return NULL;
}

int
tern_store_db_get_version (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return version;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char **) a, *(char **) b);
}

static gboolean
check_foreign_keys (sqlite3  *db,
                    GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, "PRAGMA foreign_key_check", -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    g_set_error (error, TERN_STORE_ERROR, TERN_STORE_ERROR_CORRUPT,
                 "A row of %s refers to a missing row of %s",
                 sqlite3_column_text (stmt, 0), sqlite3_column_text (stmt, 2));
  else if (rc != SQLITE_DONE)
    tern_store_set_sqlite_error (error, db, rc, "Could not check the foreign keys");
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

static gboolean
apply_step (sqlite3    *db,
            int         version,
            GBytes     *sql,
            GError    **error)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (sql, NULL), g_bytes_get_size (sql));
  g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d;", version);

  gboolean ok;

  g_debug ("migrating the database to version %d", version);

  /* A step may rebuild a table (https://sqlite.org/lang_altertable.html):
   * foreign keys off (no cascade when the old table is dropped) and the
   * legacy rename (triggers naming the table are not re-checked while it
   * is missing). foreign_key_check proves nothing was orphaned. Both
   * pragmas are no-ops inside a transaction, so they frame it. */
  if (!tern_store_exec (db, "PRAGMA foreign_keys = OFF; PRAGMA legacy_alter_table = ON;", error))
    return FALSE;
  ok = tern_store_exec (db, "BEGIN IMMEDIATE;", error);
  if (ok && (!tern_store_exec (db, text, error) || !check_foreign_keys (db, error) ||
             !tern_store_exec (db, set_version, error)))
    {
      g_prefix_error (error, "Migration to version %d failed: ", version);
      tern_store_exec (db, "ROLLBACK;", NULL);
      ok = FALSE;
    }
  else if (ok && !tern_store_exec (db, "COMMIT;", error))
    {
      tern_store_exec (db, "ROLLBACK;", NULL);
      ok = FALSE;
    }
  if (!tern_store_exec (db, "PRAGMA legacy_alter_table = OFF; PRAGMA foreign_keys = ON;",
                        ok ? error : NULL))
    ok = FALSE;
  return ok;
}

gboolean
tern_store_db_migrate (sqlite3 *db,
                       int      target,
                       GError **error)
{
  GResource *resource = tern_store_get_resource ();
  g_auto(GStrv) names = NULL;
  int version = tern_store_db_get_version (db);

  if (version < 0)
    {
      g_set_error (error, TERN_STORE_ERROR, TERN_STORE_ERROR_CORRUPT,
                   "Could not read the schema version: %s", sqlite3_errmsg (db));
      return FALSE;
    }
  if (version > TERN_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, TERN_STORE_ERROR, TERN_STORE_ERROR_TOO_NEW,
                   "The database has schema version %d; this Tern knows up to %d",
                   version, TERN_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  names = g_resource_enumerate_children (resource, SCHEMA_PATH, 0, error);
  if (names == NULL)
    return FALSE;
  qsort (names, g_strv_length (names), sizeof (char *), compare_names);

  for (guint i = 0; names[i] != NULL; i++)
    {
      int step = atoi (names[i]);
      g_autofree char *path = NULL;
      g_autoptr(GBytes) sql = NULL;

      if (step != (int) i + 1)
        {
          g_set_error (error, TERN_STORE_ERROR, TERN_STORE_ERROR_FAILED,
                       "Schema file %s is out of sequence", names[i]);
          return FALSE;
        }
      if (step <= version || step > target)
        continue;

      path = g_strconcat (SCHEMA_PATH "/", names[i], NULL);
      sql = g_resource_lookup_data (resource, path, 0, error);
      if (sql == NULL || !apply_step (db, step, sql, error))
        return FALSE;
      version = step;
    }

  return TRUE;
}
