/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sizes of the sync's history chunks (tern_account_sync_chunk_size()):
 * the ramp, the store's batch size for what is left, the small last chunk,
 * and the bound on raw bytes a chunk holds. */
#include "config.h"

#include "tern-account-private.h"

#define KIB ((guint64) 1024)
#define MIB (1024 * KIB)

/* The fetched-so-far arguments of a mailbox of @size-byte messages. */
#define SIZED(size) (size) * 100, 100

static void
test_ramp_and_store_batches (void)
{
  /* The ramp's first sizes, then what the store asks for: a quarter of all
   * that is left, 1,000 to 4,000. Chat messages of 2 KiB do not bound it. */
  g_assert_cmpuint (tern_account_sync_chunk_size (0, 100000, 100000, 0, 0), ==, 250);
  g_assert_cmpuint (tern_account_sync_chunk_size (500, 99750, 99750, SIZED (2 * KIB)), ==, 500);
  g_assert_cmpuint (tern_account_sync_chunk_size (2000, 99000, 99000, SIZED (2 * KIB)), ==, 2000);
  g_assert_cmpuint (tern_account_sync_chunk_size (4000, 90000, 90000, SIZED (2 * KIB)), ==, 4000);
  g_assert_cmpuint (tern_account_sync_chunk_size (4000, 10000, 10000, SIZED (2 * KIB)), ==, 2500);
  g_assert_cmpuint (tern_account_sync_chunk_size (4000, 3000, 3000, SIZED (2 * KIB)), ==, 1000);
  /* another folder's messages count for the store's batch, not for the
   * last chunk */
  g_assert_cmpuint (tern_account_sync_chunk_size (4000, 3000, 60000, SIZED (2 * KIB)), ==, 4000);
}

static void
test_last_chunk (void)
{
  /* The pass ends on a chunk of 250 when more than 500 are left. */
  g_assert_cmpuint (tern_account_sync_chunk_size (4000, 900, 900, SIZED (2 * KIB)), ==, 650);
  g_assert_cmpuint (tern_account_sync_chunk_size (4000, 250, 250, SIZED (2 * KIB)), ==, 250);
  g_assert_cmpuint (tern_account_sync_chunk_size (4000, 1100, 1100, SIZED (2 * KIB)), ==, 850);
  /* 500 or fewer: the rest in one */
  g_assert_cmpuint (tern_account_sync_chunk_size (4000, 480, 480, SIZED (2 * KIB)), ==, 480);
}

static void
test_bytes_bound (void)
{
  /* Big messages: about 16 MiB of them per chunk, at least one. */
  g_assert_cmpuint (tern_account_sync_chunk_size (4000, 90000, 90000, SIZED (100 * KIB)), ==, 163);
  g_assert_cmpuint (tern_account_sync_chunk_size (4000, 90000, 90000, SIZED (4 * MIB)), ==, 4);
  g_assert_cmpuint (tern_account_sync_chunk_size (4000, 90000, 90000, SIZED (40 * MIB)), ==, 1);
  /* the last-chunk rule does not lift it */
  g_assert_cmpuint (tern_account_sync_chunk_size (4000, 900, 900, SIZED (1 * MIB)), ==, 16);
  {
    /* Whatever the mailbox, a chunk's raw bytes stay within the bound and
     * every chunk takes at least one message. */
    g_autoptr(GRand) rand = g_rand_new_with_seed (20261128);

    for (guint i = 0; i < 10000; i++)
      {
        guint all = g_rand_int_range (rand, 1, 200000);
        guint left = g_rand_int_range (rand, 1, all + 1);
        guint64 size = g_rand_int_range (rand, 200, 64 * 1024 * 1024);
        guint n = tern_account_sync_chunk_size (g_rand_int_range (rand, 0, 8000), left, all,
                                                SIZED (size));

        g_assert_cmpuint (n, >=, 1);
        g_assert_true (n == 1 || n * size <= 16 * MIB);
      }
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/sync-chunks/ramp-and-store-batches", test_ramp_and_store_batches);
  g_test_add_func ("/core/sync-chunks/last-chunk", test_last_chunk);
  g_test_add_func ("/core/sync-chunks/bytes-bound", test_bytes_bound);
  return g_test_run ();
}
