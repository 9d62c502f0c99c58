/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzzes the IMAP push parser and every typed decoder. The first input byte
 * picks where the rest is split into two feeds (and whether to go one byte at
 * a time), so literal and CRLF boundaries get exercised; small limits are
 * used on odd seeds so the limit paths run too. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "tern-imap-parser.h"
#include "tern-imap-utf7.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
decode_all (TernImapResponse *r)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *str = tern_imap_response_to_string (r);
  g_assert (str != NULL);
  const TernImapValue *data = tern_imap_response_get_data (r);
  guint64 n;
  guint32 uv;

  (void) tern_imap_response_get_code_number (r, &n);
  (void) tern_imap_response_get_number (r, &n);
  g_strfreev (tern_imap_response_dup_code_capabilities (r));
  g_strfreev (tern_imap_response_dup_code_flags (r));
  {
    TernImapUidSet *a = NULL, *b = NULL;
    if (tern_imap_response_get_appenduid (r, &uv, &a))
      {
        g_free (tern_imap_uid_set_to_string (a));
        tern_imap_uid_set_free (a);
      }
    if (tern_imap_response_get_copyuid (r, &uv, &a, &b))
      {
        GArray *arr = tern_imap_uid_set_to_array (a, 1000, NULL);
        if (arr)
          g_array_unref (arr);
        tern_imap_uid_set_free (a);
        tern_imap_uid_set_free (b);
      }
  }

  tern_imap_fetch_free (tern_imap_fetch_decode (r, NULL));
  tern_imap_mailbox_free (tern_imap_mailbox_decode (r, FALSE, NULL));
  tern_imap_mailbox_free (tern_imap_mailbox_decode (r, TRUE, NULL));
  tern_imap_namespace_free (tern_imap_namespace_decode (r, NULL));
  tern_imap_metadata_free (tern_imap_metadata_decode (r, NULL));
  g_strfreev (tern_imap_capabilities_decode (r, NULL));
  g_strfreev (tern_imap_flags_decode (r, NULL));
  g_clear_pointer (&error, g_error_free);
  {
    GArray *s = tern_imap_search_decode (r, &n, NULL);
    if (s)
      g_array_unref (s);
  }
  tern_imap_esearch_free (tern_imap_esearch_decode (r, NULL));
  tern_imap_mailbox_status_free (tern_imap_mailbox_status_decode (r, FALSE, NULL));
  tern_imap_vanished_free (tern_imap_vanished_decode (r, NULL));

  /* Any value in the tree: body structures, envelopes and UTF-7 on its text */
  for (guint i = 0; i < tern_imap_value_get_n_children (data); i++)
    {
      const TernImapValue *v = tern_imap_value_get_child (data, i);
      const char *text = tern_imap_value_get_text (v, NULL);
      g_autofree char *s = tern_imap_value_to_string (v);
      g_assert (s != NULL);
      tern_imap_body_part_free (tern_imap_body_part_decode (v, NULL));
      tern_imap_envelope_free (tern_imap_envelope_decode (v, NULL));
      if (text)
        {
          g_autofree char *dec = tern_imap_utf7_decode (text, NULL);
          g_autofree char *enc = dec ? tern_imap_utf7_encode (dec, NULL) : NULL;
          g_autoptr(TernImapUidSet) set = tern_imap_uid_set_parse (text, NULL);
          GString *q = g_string_new (NULL);
          tern_imap_quote_astring (q, text, -1, i % 2);
          g_string_free (q, TRUE);
          g_assert (dec == NULL || g_strcmp0 (enc, text) == 0);
          if (set)
            g_free (tern_imap_uid_set_to_string (set));
        }
    }
}

/* Parses @data in one feed: the string forms of all responses, or NULL if
 * the stream is rejected. */
static GPtrArray *
parse_whole (const TernImapParserLimits *limits,
             const uint8_t              *data,
             size_t                      size,
             gboolean                   *ok)
{
  g_autoptr(TernImapParser) parser = tern_imap_parser_new (limits);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  TernImapResponse *r;

  *ok = tern_imap_parser_feed (parser, data, size, NULL);
  while ((r = tern_imap_parser_pop (parser)) != NULL)
    {
      g_ptr_array_add (out, tern_imap_response_to_string (r));
      tern_imap_response_unref (r);
    }
  return out;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  TernImapParserLimits small = { .max_line = 4096, .max_literal = 4096, .max_depth = 16,
                                 .max_response = 16384, .max_elements = 2000 };
  g_autoptr(TernImapParser) parser = NULL;
  TernImapResponse *r;
  gsize split;
  gboolean bytewise;
  gboolean ok = TRUE, whole_ok = TRUE;
  g_autoptr(GPtrArray) whole = NULL;
  g_autoptr(GPtrArray) pieces = g_ptr_array_new_with_free_func (g_free);

  if (size == 0)
    return 0;
  bytewise = data[0] == 0xff;
  parser = tern_imap_parser_new ((data[0] & 1) ? &small : NULL);
  split = size > 1 ? (data[0] * (size - 1)) / 255 : 0;
  data++;
  size--;
  whole = parse_whole ((data[-1] & 1) ? &small : NULL, data, size, &whole_ok);
  if (bytewise)
    {
      for (gsize i = 0; i < size && ok; i++)
        {
          ok = tern_imap_parser_feed (parser, data + i, 1, NULL);
          while ((r = tern_imap_parser_pop (parser)) != NULL)
            {
              g_ptr_array_add (pieces, tern_imap_response_to_string (r));
              decode_all (r);
              tern_imap_response_unref (r);
            }
        }
    }
  else
    {
      ok = tern_imap_parser_feed (parser, data, MIN (split, size), NULL);
      if (ok)
        ok = tern_imap_parser_feed (parser, data + MIN (split, size), size - MIN (split, size),
                                    NULL);
    }
  while ((r = tern_imap_parser_pop (parser)) != NULL)
    {
      g_ptr_array_add (pieces, tern_imap_response_to_string (r));
      decode_all (r);
      tern_imap_response_unref (r);
    }

  /* However the bytes are split, the result is the same. */
  g_assert (ok == whole_ok);
  g_assert (pieces->len == whole->len);
  for (guint i = 0; i < whole->len; i++)
    g_assert (strcmp (pieces->pdata[i], whole->pdata[i]) == 0);
  return 0;
}
