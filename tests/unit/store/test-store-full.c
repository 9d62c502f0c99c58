/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "store-test-util.h"

/* A full disk during a write: a 2 MiB tmpfs mounted by the test (needs root;
 * if it cannot be mounted the test fails, it does not skip). */

#define N_PER_BATCH 10

typedef struct {
  char *dir;
  gboolean mounted;
} Fixture;

static gboolean
run (const char *const *argv,
     GError           **error)
{
  g_autofree char *err = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s: %s", argv[0], err ? err : "");
      return FALSE;
    }
  return TRUE;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", NULL, NULL };

  f->dir = store_test_tmpdir ();
  argv[6] = f->dir;
  if (!run (argv, &error))
    g_error ("Could not mount a 2 MiB tmpfs on %s (this test needs root): %s", f->dir,
             error->message);
  f->mounted = TRUE;
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->mounted)
    {
      g_autoptr(GError) error = NULL;
      const char *argv[] = { "umount", f->dir, NULL };

      if (!run (argv, &error))
        g_error ("umount %s: %s", f->dir, error->message);
    }
  store_test_rm_rf (f->dir);
  g_free (f->dir);
}

/* Writes marker + N messages per batch until the disk is full. Returns how
 * many batches went in. */
static guint
fill_disk (TernStore *store,
           gint64     account,
           guint      first,
           GError   **error)
{
  g_autofree char *text = g_strnfill (3000, 'w');

  for (guint k = first;; k++)
    {
      g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (store);
      g_autofree char *key = g_strdup_printf ("batch-%u", k);
      gint64 chat = tern_store_batch_ensure_chat (batch, account, TERN_STORE_CHAT_KIND_GROUP, key,
                                                  key, 0);

      for (guint i = 0; i < N_PER_BATCH; i++)
        {
          g_autofree char *mid = g_strdup_printf ("b%u.m%u@x", k, i);
          TernStoreMessageRow row = store_test_message (account, chat, mid, text, k, FALSE, FALSE);
          tern_store_batch_add_message (batch, &row, 0, 0);
        }
      if (!tern_store_commit (store, batch, error))
        return k - first;
      if (k > 10000)
        g_error ("A 2 MiB disk never filled up");
    }
}

static void
assert_whole (const char *dir,
              guint       expected_batches)
{
  sqlite3 *raw = store_test_open_raw (dir);
  g_autofree char *integrity = store_test_query_text (raw, "PRAGMA integrity_check");

  g_assert_cmpstr (integrity, ==, "ok");
  g_assert_cmpint (store_test_query_int (raw, "SELECT COUNT(*) FROM chats"), ==, expected_batches);
  g_assert_cmpint (store_test_query_int (raw, "SELECT COUNT(*) FROM messages"), ==,
                   (gint64) expected_batches * N_PER_BATCH);
  g_assert_cmpint (store_test_query_int (raw, "SELECT COUNT(*) FROM chats WHERE message_count != "
                                              G_STRINGIFY (N_PER_BATCH)), ==, 0);
  sqlite3_close (raw);
}

static void
test_database_full (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TernStore) store = tern_store_open (f->dir, &error);
  g_autofree char *ballast = g_build_filename (f->dir, "ballast", NULL);
  g_autofree char *filler = g_strnfill (160 * 1024, 'b');
  gint64 account;
  guint written, more;

  g_assert_no_error (error);
  account = store_test_add_account (store, "alice@example.test");
  g_assert_true (g_file_set_contents (ballast, filler, 160 * 1024, NULL));

  written = fill_disk (store, account, 0, &error);
  g_assert_error (error, TERN_STORE_ERROR, TERN_STORE_ERROR_FULL);
  g_test_message ("%u batches fit; then: %s", written, error->message);
  g_assert_cmpuint (written, >, 0);
  g_clear_error (&error);

  /* The store keeps working: reads, and a write that still does not fit. */
  {
    g_autoptr(GPtrArray) chats = tern_store_list_chats (store, 0, TERN_STORE_CHAT_FILTER_ALL, 0, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (chats->len, ==, written);
  }
  more = fill_disk (store, account, written, &error);
  g_assert_error (error, TERN_STORE_ERROR, TERN_STORE_ERROR_FULL);
  g_clear_error (&error);
  written += more;

  tern_store_close (store);
  g_clear_object (&store);

  /* Nothing half-written, and it opens again on the full disk. */
  assert_whole (f->dir, written);
  store = tern_store_open (f->dir, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) chats = tern_store_list_chats (store, 0, TERN_STORE_CHAT_FILTER_ALL, 0, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (chats->len, ==, written);
  }

  /* Once the user frees space (here: the ballast file), writes work again. */
  g_assert_cmpint (g_unlink (ballast), ==, 0);
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (store);
    TernStoreMessageRow row = { 0 };
    gint64 chat = tern_store_batch_ensure_chat (batch, account, TERN_STORE_CHAT_KIND_GROUP,
                                                "after", "after", 0);

    for (guint i = 0; i < N_PER_BATCH; i++)
      {
        g_autofree char *mid = g_strdup_printf ("after%u@x", i);
        row = store_test_message (account, chat, mid, "small", 1, FALSE, FALSE);
        tern_store_batch_add_message (batch, &row, 0, 0);
      }
    tern_store_commit (store, batch, &error);
    g_assert_no_error (error);
    written++;
  }
  tern_store_close (store);
  assert_whole (f->dir, written);
}

static void
test_attachment_full (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TernStore) store = tern_store_open (f->dir, &error);
  g_autoptr(TernStoreBatch) batch = NULL;
  g_autofree char *big = g_strnfill (3 * 1024 * 1024, 'a');
  g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&big), 3 * 1024 * 1024);
  g_autofree char *hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  gint64 account;

  g_assert_no_error (error);
  account = store_test_add_account (store, "alice@example.test");
  path = tern_store_get_attachment_path (store, hash);

  batch = tern_store_begin_batch (store);
  {
    gint64 chat = tern_store_batch_ensure_chat (batch, account, TERN_STORE_CHAT_KIND_GROUP, "a", "a", 0);
    TernStoreMessageRow row = store_test_message (account, chat, "m@x", "with a big file", 1, FALSE, FALSE);
    gint64 msg = tern_store_batch_add_message (batch, &row, 0, 0);

    tern_store_batch_add_attachment (batch, msg, bytes, "application/octet-stream", "big.bin");
  }
  g_assert_false (tern_store_commit (store, batch, &error));
  g_assert_error (error, TERN_STORE_ERROR, TERN_STORE_ERROR_FULL);

  /* Neither the rows nor a partial file (or temp file) stay behind. */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  dir = g_path_get_dirname (path);
  {
    GDir *d = g_dir_open (dir, 0, NULL);
    if (d != NULL)
      {
        g_assert_null (g_dir_read_name (d));
        g_dir_close (d);
      }
  }
  g_assert_cmpuint (tern_store_count_chats (store, 0, TERN_STORE_CHAT_FILTER_ALL, NULL), ==, 0);
  tern_store_close (store);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/store/full/database", Fixture, NULL, fixture_setup, test_database_full, fixture_teardown);
  g_test_add ("/store/full/attachment", Fixture, NULL, fixture_setup, test_attachment_full, fixture_teardown);

  return g_test_run ();
}
