/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "tern-store.h"

/* Helpers shared by the store tests (header-only, each test is one binary). */

static inline void
store_test_rm_rf (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            store_test_rm_rf (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

static inline char *
store_test_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("tern-store-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static inline gint64
store_test_add_account (TernStore  *store,
                        const char *address)
{
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (store);
  g_autoptr(GError) error = NULL;
  TernStoreAccountRow row = { 0 };
  gint64 ref;

  row.address = (char *) address;
  row.imap_host = (char *) "127.0.0.1";
  row.imap_port = 993;
  row.enabled = TRUE;
  ref = tern_store_batch_add_account (batch, &row);
  tern_store_commit (store, batch, &error);
  g_assert_no_error (error);
  return tern_store_batch_get_id (batch, ref);
}

/* A message row for tests; strings are borrowed. */
static inline TernStoreMessageRow
store_test_message (gint64      account,
                    gint64      chat,
                    const char *message_id,
                    const char *text,
                    gint64      time,
                    gboolean    seen,
                    gboolean    outgoing)
{
  TernStoreMessageRow row = { 0 };

  row.account_id = account;
  row.chat_id = chat;
  row.message_id = (char *) message_id;
  row.text = (char *) text;
  row.sent_time = time;
  row.received_time = time;
  row.seen = seen;
  row.outgoing = outgoing;
  row.sender_address = outgoing ? NULL : (char *) "peer@example.test";
  return row;
}

/* Opens the database file directly (read-only checks). */
static inline sqlite3 *
store_test_open_raw (const char *data_dir)
{
  g_autofree char *path = g_build_filename (data_dir, "tern.db", NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

static inline gint64
store_test_query_int (sqlite3    *db,
                      const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static inline char *
store_test_query_text (sqlite3    *db,
                       const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

/* The full-text indexes agree with their content tables. */
static inline void
store_test_assert_fts_ok (sqlite3 *db)
{
  const char *tables[] = { "messages_fts", "chats_fts", "contacts_fts" };

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("INSERT INTO %s (%s, rank) VALUES ('integrity-check', 1)",
                                              tables[i], tables[i]);
      char *msg = NULL;

      if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
        g_error ("%s: %s", tables[i], msg);
    }
}
