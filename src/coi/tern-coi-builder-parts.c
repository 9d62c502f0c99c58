/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-coi"

/* The builder's MIME parts: text in canonical form with the right transfer
 * encoding, HTML documents, binary parts, dispositions, type guessing. */

#include "tern-coi-builder-private.h"

#include <string.h>

#include "tern-coi-flowed.h"
#include "tern-coi-html.h"

/* The transfer encoding a classic client and every MTA accept. */
GMimeContentEncoding
tern_coi_builder_choose_text_encoding (const char *s, gsize len)
{
  gsize line = 0;
  gsize max_line = 0;
  gsize high = 0;

  for (gsize i = 0; i < len; i++)
    {
      guchar c = s[i];

      if (c == '\n')
        {
          max_line = MAX (max_line, line);
          line = 0;
          continue;
        }
      if (c == '\r' && i + 1 < len && s[i + 1] == '\n')
        continue;
      line++;
      if (c >= 0x80 || c == '\0' || c == '\r')
        high++;
    }
  max_line = MAX (max_line, line);

  if (high == 0 && max_line <= 998)
    return GMIME_CONTENT_ENCODING_7BIT;
  if (high * 3 > len)
    return GMIME_CONTENT_ENCODING_BASE64;
  return GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
}

/* Text in canonical form (CRLF), as RFC 2045 wants it before base64 or
 * quoted-printable. Takes @text. */
static char *
to_crlf (char *text)
{
  GString *out;
  gsize    lfs = 0;

  for (const char *p = text; *p; p++)
    if (*p == '\n' && (p == text || p[-1] != '\r'))
      lfs++;
  if (lfs == 0)
    return text;
  out = g_string_sized_new (strlen (text) + lfs + 1);
  for (const char *p = text; *p; p++)
    {
      if (*p == '\n' && (p == text || p[-1] != '\r'))
        g_string_append_c (out, '\r');
      g_string_append_c (out, *p);
    }
  g_free (text);
  return g_string_free (out, FALSE);
}

/* A text part owning @content (taken). */
GMimePart *
tern_coi_builder_text_part_take (const char *subtype, char *content, gboolean flowed)
{
  GMimePart        *part = g_mime_part_new_with_type ("text", subtype);
  GMimeContentType *ct = g_mime_object_get_content_type (GMIME_OBJECT (part));
  gsize             len;
  g_autoptr (GMimeStream) stream = NULL;
  g_autoptr (GMimeDataWrapper) wrapper = NULL;
  GByteArray *array;

  content = to_crlf (content);
  len = strlen (content);
  g_mime_content_type_set_parameter (ct, "charset", "UTF-8");
  if (flowed)
    g_mime_content_type_set_parameter (ct, "format", "flowed");

  array = g_byte_array_new_take ((guint8 *)content, len);
  stream = g_mime_stream_mem_new_with_byte_array (array);
  wrapper = g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);
  g_mime_part_set_content (part, wrapper);
  g_mime_part_set_content_encoding (part, tern_coi_builder_choose_text_encoding (content, len));
  return part;
}

GMimePart *
tern_coi_builder_plain_part (const char *text)
{
  return tern_coi_builder_text_part_take ("plain", tern_coi_flowed_encode (text ? text : "", -1, 0),
                                          TRUE);
}

GMimePart *
tern_coi_builder_html_part_take (char *document, const char *chat_content)
{
  GMimePart *part = tern_coi_builder_text_part_take ("html", document, FALSE);

  if (chat_content != NULL)
    tern_coi_builder_set_header (GMIME_OBJECT (part), "Chat-Content", chat_content, FALSE);
  return part;
}

char *
tern_coi_builder_text_to_html_body (const char *text)
{
  GString *body = g_string_new ("<p>");

  tern_coi_html_append_text (body, text);
  g_string_append (body, "</p>\n");
  return g_string_free (body, FALSE);
}

void
tern_coi_builder_set_disposition (GMimeObject *object,
                                  const char  *disposition,
                                  const char  *filename,
                                  gint64       size)
{
  g_autoptr (GMimeContentDisposition) disp = g_mime_content_disposition_new ();

  g_mime_content_disposition_set_disposition (disp, disposition);
  if (filename != NULL)
    g_mime_content_disposition_set_parameter (disp, "filename", filename);
  if (size >= 0)
    {
      char buf[32];

      g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, size);
      g_mime_content_disposition_set_parameter (disp, "size", buf);
    }
  g_mime_object_set_content_disposition (object, disp);
}

char *
tern_coi_builder_guess_mime_type (const char *filename, const guint8 *head, gsize head_len)
{
  gboolean         uncertain = FALSE;
  g_autofree char *ctype = g_content_type_guess (filename, head, head_len, &uncertain);
  char            *mime = ctype != NULL ? g_content_type_get_mime_type (ctype) : NULL;

  if (mime == NULL || strchr (mime, '/') == NULL)
    {
      g_free (mime);
      return g_strdup ("application/octet-stream");
    }
  return mime;
}

GMimePart *
tern_coi_builder_binary_part (const char *mime_type, GMimeStream *stream)
{
  g_auto (GStrv) split = g_strsplit (mime_type, "/", 2);
  GMimePart *part = g_mime_part_new_with_type (split[0], split[1] ? split[1] : "octet-stream");
  g_autoptr (GMimeDataWrapper) wrapper
      = g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);

  g_mime_part_set_content (part, wrapper);
  g_mime_part_set_content_encoding (part, GMIME_CONTENT_ENCODING_BASE64);
  return part;
}
