/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers shared by the imap parser/decoder tests (header-only). */

#include <glib.h>
#include <string.h>

#include "tern-imap-error.h"
#include "tern-imap-parser.h"

static inline GBytes *
load_transcript (const char *name)
{
  const char *dir = g_getenv ("TERN_TEST_DATA");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_assert_nonnull (dir);
  path = g_build_filename (dir, "imap", name, NULL);
  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

/* Feeds @data in pieces of @chunk bytes (0: all at once); returns every
 * response (TernImapResponse*), or NULL with @error set. */
static inline GPtrArray *
parse_chunked (const guint8 *data,
               gsize         len,
               gsize         chunk,
               GError      **error)
{
  g_autoptr(TernImapParser) parser = tern_imap_parser_new (NULL);
  g_autoptr(GPtrArray) out =
    g_ptr_array_new_with_free_func ((GDestroyNotify) tern_imap_response_unref);
  gsize off = 0;
  TernImapResponse *r;

  if (chunk == 0)
    chunk = MAX (len, 1);
  while (off < len)
    {
      gsize n = MIN (chunk, len - off);
      if (!tern_imap_parser_feed (parser, data + off, n, error))
        return NULL;
      off += n;
      while ((r = tern_imap_parser_pop (parser)) != NULL)
        g_ptr_array_add (out, r);
    }
  g_assert_false (tern_imap_parser_is_mid_response (parser));
  return g_steal_pointer (&out);
}

static inline GPtrArray *
parse_transcript (const char *name)
{
  g_autoptr(GBytes) bytes = load_transcript (name);
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  GPtrArray *out = parse_chunked (data, len, 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (out);
  return out;
}

static inline TernImapResponse *
parse_one (const char *text)
{
  g_autoptr(GError) error = NULL;
  TernImapResponse *r = tern_imap_response_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (r);
  return r;
}

/* The first response with data name @name at or after @from, or NULL. */
static inline TernImapResponse *
find_data (GPtrArray  *responses,
           const char *name,
           guint       nth)
{
  for (guint i = 0; i < responses->len; i++)
    if (tern_imap_response_is_data (responses->pdata[i], name) && nth-- == 0)
      return responses->pdata[i];
  return NULL;
}
