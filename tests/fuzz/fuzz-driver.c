/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Replays a fuzz target's corpus without libFuzzer, so every build runs the
 * targets as regression tests (and under ASan/UBSan in the sanitizer build).
 * Usage: fuzz-NAME [FILE_OR_DIR]... */
#include "config.h"

#include <glib.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gboolean
run_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
  return TRUE;
}

static gboolean
run_path (const char *path,
          guint      *count)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      (*count)++;
      return run_file (path);
    }

  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (!run_path (child, count))
        return FALSE;
    }
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  guint count = 0;

  /* An empty input must never crash either. */
  LLVMFuzzerTestOneInput ((const uint8_t *) "", 0);

  for (int i = 1; i < argc; i++)
    if (!run_path (argv[i], &count))
      return 1;

  g_print ("1..1\nok 1 - replayed %u corpus inputs\n", count);
  return 0;
}
