/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "tern-coi-parser-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* tern_coi_parse_bytes () has a fast path that reads plain header blocks
 * itself and leaves only the MIME part to GMime; the full path builds
 * GMime's whole message. On any input both must give the same description:
 * every field of the TernCoiInfo and what its parts' GMime objects hold
 * (tern_coi_info_dump ()), with the default options and with tight limits. */
int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static gboolean initialized;
  static const char *const self[] = { "bob@example.test", NULL };
  TernCoiParseOptions opts[2] = { { 0 }, { 0 } };
  GBytes *bytes;

  if (!initialized)
    {
      g_mime_init ();
      initialized = TRUE;
    }
  if (size > 256 * 1024)
    return 0;

  opts[0].self_addresses = self;
  opts[1].max_parts = 3;
  opts[1].max_depth = 2;
  opts[1].max_text = 64;
  opts[1].max_header_line = 200;
  bytes = g_bytes_new (data, size);
  for (guint i = 0; i < G_N_ELEMENTS (opts); i++)
    {
      TernCoiInfo *full = tern_coi_parse_bytes_path (bytes, &opts[i], TERN_COI_PARSE_FULL, NULL, NULL);
      TernCoiInfo *fast = tern_coi_parse_bytes_path (bytes, &opts[i], TERN_COI_PARSE_AUTO, NULL, NULL);
      char *a, *b;

      if ((full == NULL) != (fast == NULL) || (full == NULL && size != 0))
        abort ();
      if (full == NULL)
        continue;
      a = tern_coi_info_dump (full);
      b = tern_coi_info_dump (fast);
      if (strcmp (a, b) != 0)
        {
          fprintf (stderr, "fast path differs (options %u)\n--- full\n%s\n--- fast\n%s\n", i, a, b);
          abort ();
        }
      g_free (a);
      g_free (b);
      tern_coi_info_free (full);
      tern_coi_info_free (fast);
    }
  g_bytes_unref (bytes);
  return 0;
}
