/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <gmime/gmime.h>

#include "tern-coi-microformats.h"
#include "tern-coi-names.h"
#include "tern-coi-parser.h"
#include "tern-coi-text.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* The parse path for untrusted bytes: the whole message description, plus
 * the helpers that see raw strings (subject, file names, mentions, HTML). */
int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static gboolean initialized;
  GBytes *bytes;
  TernCoiInfo *info;
  char *s;

  if (!initialized)
    {
      g_mime_init ();
      initialized = TRUE;
    }

  bytes = g_bytes_new (data, size);
  info = tern_coi_parse_bytes (bytes, NULL, NULL);
  if (info)
    {
      s = tern_coi_info_to_string (info);
      g_free (s);
      for (guint i = 0; i < info->attachments->len && i < 4; i++)
        {
          GBytes *content = tern_coi_attachment_get_bytes (g_ptr_array_index (info->attachments, i), NULL);
          if (content)
            g_bytes_unref (content);
        }
      tern_coi_info_free (info);
    }
  else if (size != 0)
    abort (); /* only empty input may fail */
  g_bytes_unref (bytes);

  /* Helpers on the raw bytes as a string (bounded). */
  if (size < 64 * 1024)
    {
      char *str = g_strndup ((const char *) data, size);
      char *a = tern_coi_names_strip_subject (str);
      char *b = tern_coi_names_sanitize_filename (str, NULL);
      char *c = tern_coi_names_group_id_from_message_id (str);
      GPtrArray *mentions = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_coi_mention_free);
      char *nt, *q, *sig;

      if (b == NULL || *b == '\0' || strchr (b, '/') || b[0] == '.')
        abort ();
      tern_coi_microformats_read_mentions_text (str, mentions);
      tern_coi_text_split (str, &nt, &q, &sig);
      g_free (nt);
      g_free (q);
      g_free (sig);
      g_ptr_array_unref (mentions);
      g_free (a);
      g_free (b);
      g_free (c);
      g_free (str);
    }
  return 0;
}
