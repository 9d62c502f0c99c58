/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "coi-assert.h"

#include <string.h>

static guint
count_headers (GMimeObject *obj, const char *name)
{
  GMimeHeaderList *list = g_mime_object_get_header_list (obj);
  guint            n = 0;

  for (int i = 0; i < g_mime_header_list_get_count (list); i++)
    if (g_ascii_strcasecmp (g_mime_header_get_name (g_mime_header_list_get_header_at (list, i)),
                            name)
        == 0)
      n++;
  return n;
}

static char *
header_stripped (GMimeObject *obj, const char *name)
{
  const char *v = g_mime_object_get_header (obj, name);

  return v != NULL ? g_strstrip (g_strdup (v)) : NULL;
}

static const char *
single_address (InternetAddressList *list)
{
  InternetAddress *ia;

  g_assert_nonnull (list);
  g_assert_cmpint (internet_address_list_length (list), ==, 1);
  ia = internet_address_list_get_address (list, 0);
  g_assert_true (INTERNET_ADDRESS_IS_MAILBOX (ia));
  return internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (ia));
}

char *
coi_message_id_group (const char *message_id)
{
  const char *start;
  const char *dot;

  if (message_id == NULL || !g_str_has_prefix (message_id, "chat$group."))
    return NULL;
  start = message_id + strlen ("chat$group.");
  dot = strchr (start, '.');
  if (dot == NULL)
    return NULL;
  return g_strndup (start, dot - start);
}

void
coi_assert_header_rules (GMimeMessage *message, const char *in_reply_to)
{
  GMimeObject     *obj = GMIME_OBJECT (message);
  g_autofree char *mime_version = NULL;
  g_autofree char *chat_version = NULL;
  g_autofree char *raw_id = NULL;
  g_autofree char *group = NULL;
  g_autofree char *from_domain = NULL;
  const char      *from;
  const char      *id;
  const char      *at;
  GDateTime       *date;

  /* One From, one mailbox. */
  g_assert_cmpuint (count_headers (obj, "From"), ==, 1);
  from = single_address (g_mime_message_get_from (message));
  g_assert_nonnull (strchr (from, '@'));
  from_domain = g_ascii_strdown (strrchr (from, '@') + 1, -1);

  /* Date. */
  g_assert_cmpuint (count_headers (obj, "Date"), ==, 1);
  date = g_mime_message_get_date (message);
  g_assert_nonnull (date);

  /* Message-ID. */
  g_assert_cmpuint (count_headers (obj, "Message-ID"), ==, 1);
  raw_id = header_stripped (obj, "Message-ID");
  g_assert_true (raw_id[0] == '<' && raw_id[strlen (raw_id) - 1] == '>');
  id = g_mime_message_get_message_id (message);
  g_assert_nonnull (id);
  g_assert_true (g_str_has_prefix (id, "chat$"));
  at = strrchr (id, '@');
  g_assert_nonnull (at);
  g_assert_cmpint (g_ascii_strcasecmp (at + 1, from_domain), ==, 0);
  g_assert_cmpint (at - id, >, 5);
  group = coi_message_id_group (id);
  if (g_str_has_prefix (id, "chat$group."))
    {
      const char *unique;

      g_assert_nonnull (group);
      g_assert_cmpuint (strlen (group), >=, 12);
      for (const char *p = group; *p; p++)
        g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
      unique = id + strlen ("chat$group.") + strlen (group) + 1;
      g_assert_cmpint (at - unique, >, 0);
    }
  if (g_mime_object_get_header (obj, "Chat-Group-ID") != NULL)
    {
      g_autofree char *cg = header_stripped (obj, "Chat-Group-ID");
      g_assert_cmpstr (cg, ==, group);
    }

  /* Versions, no Sender. */
  g_assert_cmpuint (count_headers (obj, "MIME-Version"), ==, 1);
  mime_version = header_stripped (obj, "MIME-Version");
  g_assert_cmpstr (mime_version, ==, "1.0");
  g_assert_cmpuint (count_headers (obj, "Chat-Version"), ==, 1);
  chat_version = header_stripped (obj, "Chat-Version");
  g_assert_cmpstr (chat_version, ==, "1.0");
  g_assert_cmpuint (count_headers (obj, "Sender"), ==, 0);

  /* References: at most the first and the last message. */
  g_assert_cmpuint (count_headers (obj, "References"), <=, 1);
  if (g_mime_object_get_header (obj, "References") != NULL)
    {
      GMimeReferences *refs
          = g_mime_references_parse (NULL, g_mime_object_get_header (obj, "References"));
      g_assert_nonnull (refs);
      g_assert_cmpint (g_mime_references_length (refs), >=, 1);
      g_assert_cmpint (g_mime_references_length (refs), <=, 2);
      g_mime_references_free (refs);
    }

  /* In-Reply-To exactly when replying. */
  g_assert_cmpuint (count_headers (obj, "In-Reply-To"), <=, 1);
  if (in_reply_to == NULL)
    g_assert_null (g_mime_object_get_header (obj, "In-Reply-To"));
  else
    {
      g_autofree char *irt = header_stripped (obj, "In-Reply-To");
      g_autofree char *expected = g_strdup_printf ("<%s>", in_reply_to);
      g_assert_cmpstr (irt, ==, expected);
    }

  /* Receipt requests name the sender. */
  g_assert_cmpuint (count_headers (obj, "Disposition-Notification-To"), <=, 1);
  if (g_mime_object_get_header (obj, "Disposition-Notification-To") != NULL)
    {
      InternetAddressList *dnt = internet_address_list_parse (
          NULL, g_mime_object_get_header (obj, "Disposition-Notification-To"));
      g_assert_cmpstr (single_address (dnt), ==, from);
      g_object_unref (dnt);
    }
  if (g_mime_object_get_header (obj, "Chat-Disposition-Notification-To") != NULL)
    {
      g_autofree char *cdnt = header_stripped (obj, "Chat-Disposition-Notification-To");
      g_assert_cmpstr (cdnt, ==, from);
      g_assert_nonnull (g_mime_object_get_header (obj, "Disposition-Notification-To"));
    }
}

GMimeMessage *
coi_assert_wire_rules (GBytes *bytes, const char *in_reply_to)
{
  gsize         len;
  const char   *data = g_bytes_get_data (bytes, &len);
  gboolean      in_headers = TRUE;
  gsize         line_start = 0;
  GMimeStream  *stream;
  GMimeParser  *parser;
  GMimeMessage *message;

  g_assert_cmpuint (len, >, 0);
  for (gsize i = 0; i < len; i++)
    {
      guchar c = data[i];

      if (c == '\n')
        {
          g_assert_true (i > 0 && data[i - 1] == '\r');
          g_assert_cmpuint (i - line_start, <=, 999);
          if (i - line_start == 1)
            in_headers = FALSE;
          line_start = i + 1;
          continue;
        }
      if (c == '\r')
        g_assert_true (i + 1 < len && data[i + 1] == '\n');
      if (in_headers)
        g_assert_cmpuint (c, <, 0x80);
    }

  stream = g_mime_stream_mem_new_with_buffer (data, len);
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  g_object_unref (parser);
  g_object_unref (stream);
  g_assert_nonnull (message);
  coi_assert_header_rules (message, in_reply_to);
  return message;
}
