/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-coi"

#include <string.h>

#include <libxml/HTMLtree.h>
#include <libxml/tree.h>

#include "tern-coi-bytes-stream-private.h"
#include "tern-coi-text.h"

/* ------------------------------------------------------------------ flowed */

/* RFC 3676 decoding in one pass into one buffer: the same result as
 * tern_coi_flowed_decode () (the builder's reference decoder, checked
 * against this one by test-coi-text), without an allocation per line —
 * this runs for every chat message. */
char *
tern_coi_text_flowed_decode (const char *text, gsize len, gboolean delsp)
{
  GString *out = g_string_sized_new (len + 1);
  const char *p = text;
  const char *end = text + len;
  gboolean open = FALSE;
  gboolean first = TRUE;
  guint cur_depth = 0;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl ? nl : end;
      const char *next = nl ? nl + 1 : end;
      const char *q = p;
      guint depth = 0;
      gboolean flowed;
      gsize n;

      if (line_end > p && line_end[-1] == '\r')
        line_end--;
      while (q < line_end && *q == '>')
        {
          depth++;
          q++;
        }
      if (q < line_end && *q == ' ')
        q++;
      n = line_end - q;

      if (open && depth != cur_depth)
        open = FALSE;
      flowed = !(n == 3 && memcmp (q, "-- ", 3) == 0) && n > 0 && q[n - 1] == ' ';

      if (!open)
        {
          if (!first)
            g_string_append_c (out, '\n');
          first = FALSE;
          for (guint d = 0; d < depth; d++)
            g_string_append_c (out, '>');
          if (depth > 0)
            g_string_append_c (out, ' ');
          cur_depth = depth;
          open = TRUE;
        }
      g_string_append_len (out, q, flowed && delsp ? n - 1 : n);
      if (!flowed)
        open = FALSE;
      p = next;
    }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ charsets */

/* g_utf8_validate_len () with a fast path over ASCII runs (8 bytes at a
 * time) and the multi-byte checks inline: chat text is mostly ASCII with
 * some accents and emoji. Same rules as GLib: shortest form only, no
 * surrogates, at most U+10FFFF, and NUL bytes are invalid. */
static gboolean
utf8_valid (const char *text, gsize len)
{
  const guchar *p = (const guchar *) text;
  const guchar *end = p + len;

  while (p < end)
    {
      guchar c;

      if (end - p >= 8)
        {
          guint64 w;
          memcpy (&w, p, 8);
          if ((w & G_GUINT64_CONSTANT (0x8080808080808080)) == 0)
            {
              /* a zero byte in w? */
              if (((w - G_GUINT64_CONSTANT (0x0101010101010101)) & ~w
                   & G_GUINT64_CONSTANT (0x8080808080808080)) != 0)
                return FALSE;
              p += 8;
              continue;
            }
        }
      c = *p;
      if (c < 0x80)
        {
          if (c == 0)
            return FALSE;
          p++;
        }
      else if (c >= 0xc2 && c <= 0xdf)
        {
          if (end - p < 2 || (p[1] & 0xc0) != 0x80)
            return FALSE;
          p += 2;
        }
      else if (c >= 0xe0 && c <= 0xef)
        {
          if (end - p < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
            return FALSE;
          if (c == 0xe0 && p[1] < 0xa0)   /* overlong */
            return FALSE;
          if (c == 0xed && p[1] >= 0xa0)  /* surrogates */
            return FALSE;
          p += 3;
        }
      else if (c >= 0xf0 && c <= 0xf4)
        {
          if (end - p < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80
              || (p[3] & 0xc0) != 0x80)
            return FALSE;
          if (c == 0xf0 && p[1] < 0x90)   /* overlong */
            return FALSE;
          if (c == 0xf4 && p[1] >= 0x90)  /* beyond U+10FFFF */
            return FALSE;
          p += 4;
        }
      else
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_utf8_name (const char *charset)
{
  return charset == NULL || *charset == '\0' || g_ascii_strcasecmp (charset, "utf-8") == 0
         || g_ascii_strcasecmp (charset, "utf8") == 0
         || g_ascii_strcasecmp (charset, "us-ascii") == 0
         || g_ascii_strcasecmp (charset, "ascii") == 0;
}

/* Convert with iconv, replacing each invalid sequence with U+FFFD. NULL when
 * the charset is unknown. */
static char *
convert_lossy (const char *data, gsize len, const char *charset, gboolean *lossy)
{
  GIConv cd = g_iconv_open ("UTF-8", charset);
  GString *out;
  gchar *in = (gchar *) data;
  gsize in_left = len;
  char buf[4096];

  if (cd == (GIConv) -1)
    return NULL;
  out = g_string_sized_new (len + len / 2 + 1);
  while (in_left > 0)
    {
      gchar *o = buf;
      gsize o_left = sizeof buf;
      gsize r = g_iconv (cd, &in, &in_left, &o, &o_left);

      g_string_append_len (out, buf, o - buf);
      if (r == (gsize) -1)
        {
          int e = errno;
          if (e == E2BIG)
            continue;
          /* EILSEQ or EINVAL (incomplete at the end): skip one byte. */
          *lossy = TRUE;
          g_string_append (out, "\xef\xbf\xbd");
          in++;
          in_left--;
          g_iconv (cd, NULL, NULL, NULL, NULL);
        }
    }
  g_iconv_close (cd);
  return g_string_free (out, FALSE);
}

char *
tern_coi_text_to_utf8 (const char       *data,
                       gsize             len,
                       const char       *charset,
                       TernCoiTextFlags *flags)
{
  const char *iconv_name;
  gboolean lossy = FALSE;
  char *out;

  if (data == NULL)
    return g_strdup ("");

  if (is_utf8_name (charset))
    {
      if (utf8_valid (data, len))
        {
          /* Valid UTF-8 but maybe with NULs: cut at the first one. */
          return g_strndup (data, len);
        }
      /* Undeclared 8-bit text: most often windows-1252. Declared UTF-8 that is
       * not: replace the bad bytes. */
      if (charset == NULL || *charset == '\0' || g_ascii_strncasecmp (charset, "utf", 3) != 0)
        {
          out = convert_lossy (data, len, "WINDOWS-1252", &lossy);
          if (out)
            {
              if (lossy && flags)
                *flags |= TERN_COI_TEXT_BAD_CHARSET;
              return out;
            }
        }
      if (flags)
        *flags |= TERN_COI_TEXT_BAD_CHARSET;
      return g_utf8_make_valid (data, len);
    }

  iconv_name = g_mime_charset_iconv_name (charset);
  out = convert_lossy (data, len, iconv_name, &lossy);
  if (out == NULL)
    {
      /* Unknown charset: show what is readable. */
      if (flags)
        *flags |= TERN_COI_TEXT_BAD_CHARSET;
      if (g_utf8_validate (data, len, NULL))
        return g_strndup (data, len);
      out = convert_lossy (data, len, "WINDOWS-1252", &lossy);
      return out ? out : g_utf8_make_valid (data, len);
    }
  if (lossy && flags)
    *flags |= TERN_COI_TEXT_BAD_CHARSET;
  return out;
}

static gboolean
base64_is_valid (GMimeStream *raw)
{
  char buf[4096];
  gssize n;
  gboolean valid = TRUE;
  gboolean seen_pad = FALSE;

  g_mime_stream_reset (raw);
  while (valid && (n = g_mime_stream_read (raw, buf, sizeof buf)) > 0)
    for (gssize i = 0; i < n; i++)
      {
        guchar c = buf[i];
        if (g_ascii_isalnum (c) || c == '+' || c == '/')
          {
            if (seen_pad)
              seen_pad = FALSE; /* concatenated base64 blocks happen; accept */
          }
        else if (c == '=')
          seen_pad = TRUE;
        else if (!g_ascii_isspace (c))
          {
            valid = FALSE;
            break;
          }
      }
  g_mime_stream_reset (raw);
  return valid;
}

char *
tern_coi_text_part_get_text (GMimePart        *part,
                             gsize             max_bytes,
                             gboolean          decode_flowed,
                             TernCoiTextFlags *flags)
{
  GMimeDataWrapper *content = g_mime_part_get_content (part);
  GMimeContentType *ct = g_mime_object_get_content_type (GMIME_OBJECT (part));
  GMimeStream *raw;
  GMimeStream *mem;
  GMimeStream *filtered;
  GMimeFilter *filter;
  GByteArray *array;
  const char *charset;
  char *text;
  GMimeContentEncoding encoding;
  TernCoiTextFlags dummy = 0;

  if (flags == NULL)
    flags = &dummy;
  if (content == NULL)
    return g_strdup ("");

  raw = g_mime_data_wrapper_get_stream (content);
  encoding = g_mime_data_wrapper_get_encoding (content);
  if (encoding == GMIME_CONTENT_ENCODING_BASE64 && raw && !base64_is_valid (raw))
    *flags |= TERN_COI_TEXT_BAD_ENCODING;

  charset = ct ? g_mime_content_type_get_parameter (ct, "charset") : NULL;

  if (encoding == GMIME_CONTENT_ENCODING_DEFAULT || encoding == GMIME_CONTENT_ENCODING_7BIT
      || encoding == GMIME_CONTENT_ENCODING_8BIT || encoding == GMIME_CONTENT_ENCODING_BINARY)
    {
      /* Fast path: the part's bytes in the message, read in place. */
      gsize direct_len = 0;
      const char *direct = tern_coi_bytes_stream_peek (raw, &direct_len);

      if (direct != NULL)
        {
          if (max_bytes > 0 && direct_len > max_bytes)
            {
              *flags |= TERN_COI_TEXT_TRUNCATED;
              direct_len = max_bytes;
            }
          text = tern_coi_text_to_utf8 (direct, direct_len, charset, flags);
          goto decoded;
        }
    }

  if (encoding != GMIME_CONTENT_ENCODING_DEFAULT && encoding != GMIME_CONTENT_ENCODING_7BIT
      && encoding != GMIME_CONTENT_ENCODING_8BIT && encoding != GMIME_CONTENT_ENCODING_BINARY)
    {
      mem = g_mime_stream_mem_new ();
      array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
      filtered = g_mime_stream_filter_new (mem);
      filter = g_mime_filter_basic_new (encoding, FALSE);
      g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), filter);
      g_object_unref (filter);
    }
  else
    {
      /* No transfer decoding: read the bytes as they are. */
      gint64 length = raw ? g_mime_stream_length (raw) : 0;
      mem = g_mime_stream_mem_new ();
      array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
      if (length > 0)
        {
          /* Reserve once (GLib 2.74 has no g_byte_array_reserve). */
          g_byte_array_set_size (array, MIN ((guint64) length, max_bytes > 0 ? max_bytes + 1 : (guint64) length));
          g_byte_array_set_size (array, 0);
        }
      filtered = g_object_ref (mem);
    }

  if (raw)
    {
      char buf[8192];
      gssize n;

      g_mime_stream_reset (raw);
      while ((n = g_mime_stream_read (raw, buf, sizeof buf)) > 0)
        {
          g_mime_stream_write (filtered, buf, n);
          if (max_bytes > 0 && array->len > max_bytes)
            {
              *flags |= TERN_COI_TEXT_TRUNCATED;
              break;
            }
        }
      g_mime_stream_flush (filtered);
      g_mime_stream_reset (raw);
    }
  g_object_unref (filtered);

  if (max_bytes > 0 && array->len > max_bytes)
    {
      guint cut = max_bytes;
      *flags |= TERN_COI_TEXT_TRUNCATED;
      g_byte_array_set_size (array, cut);
    }

  text = tern_coi_text_to_utf8 ((const char *) array->data, array->len, charset, flags);
  g_object_unref (mem);

decoded:
  if (decode_flowed && ct)
    {
      const char *format = g_mime_content_type_get_parameter (ct, "format");
      if (format && g_ascii_strcasecmp (format, "flowed") == 0)
        {
          const char *delsp = g_mime_content_type_get_parameter (ct, "delsp");
          char *flowed = tern_coi_text_flowed_decode (text, strlen (text),
                                                      delsp && g_ascii_strcasecmp (delsp, "yes") == 0);
          g_free (text);
          text = flowed;
        }
    }

  /* Line endings: CRLF and lone CR become LF. */
  if (strchr (text, '\r'))
    {
      char *w = text;
      for (const char *r = text; *r; r++)
        {
          if (*r == '\r')
            {
              if (r[1] != '\n')
                *w++ = '\n';
              continue;
            }
          *w++ = *r;
        }
      *w = '\0';
    }
  return text;
}

/* ---------------------------------------------------------------- HTML text */

typedef struct {
  GString *out;
  guint quote_depth;
  gboolean at_line_start;
  gboolean pending_space;
  guint pending_newlines;
  guint pre_depth;
  guint list_depth;
  gboolean cap_newlines;  /* just entered/left a quote: no blank line there */
} HtmlText;

static gboolean
tag_is (xmlNodePtr n, const char *name)
{
  return n->name && g_ascii_strcasecmp ((const char *) n->name, name) == 0;
}

static gboolean
is_block (xmlNodePtr n)
{
  static const char *const blocks[] = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "tr",
    "blockquote", "pre", "hr", "address", "section", "article", "header", "footer",
    "dl", "dt", "dd", "figure", "form", "fieldset", "center", "nav", "main", "aside",
    NULL
  };
  for (guint i = 0; blocks[i]; i++)
    if (tag_is (n, blocks[i]))
      return TRUE;
  return FALSE;
}

static gboolean
is_hidden (xmlNodePtr n)
{
  static const char *const skipped[] = {
    "head", "script", "style", "title", "template", "noscript", "iframe", "object", NULL
  };

  for (guint i = 0; skipped[i]; i++)
    if (tag_is (n, skipped[i]))
      return TRUE;
  for (xmlAttrPtr a = n->properties; a; a = a->next)
    {
      const char *v = a->children && a->children->content
                        ? (const char *) a->children->content : "";
      if (g_ascii_strcasecmp ((const char *) a->name, "hidden") == 0)
        return TRUE;
      if (g_ascii_strcasecmp ((const char *) a->name, "style") == 0)
        {
          /* display:none with any spacing and case */
          g_autofree char *low = g_ascii_strdown (v, -1);
          const char *d = strstr (low, "display");
          while (d)
            {
              const char *p = d + 7;
              while (*p == ' ' || *p == '\t')
                p++;
              if (*p == ':')
                {
                  p++;
                  while (*p == ' ' || *p == '\t')
                    p++;
                  if (strncmp (p, "none", 4) == 0)
                    return TRUE;
                }
              d = strstr (d + 7, "display");
            }
        }
    }
  return FALSE;
}

static void
ht_newline (HtmlText *h, guint count)
{
  if (h->out->len == 0)
    return;
  if (h->cap_newlines)
    count = 1;
  if (count > h->pending_newlines)
    h->pending_newlines = count;
  h->pending_space = FALSE;
}

static void
ht_start_text (HtmlText *h)
{
  if (h->pending_newlines > 0 && h->out->len > 0)
    {
      for (guint i = 0; i < h->pending_newlines; i++)
        {
          g_string_append_c (h->out, '\n');
          /* Blank lines inside a quote keep the quote marks. */
          if (i + 1 < h->pending_newlines && h->quote_depth > 0)
            for (guint d = 0; d < h->quote_depth; d++)
              g_string_append_c (h->out, '>');
        }
      h->at_line_start = TRUE;
    }
  h->pending_newlines = 0;
  h->cap_newlines = FALSE;
  if (h->at_line_start)
    {
      if (h->quote_depth > 0)
        {
          for (guint d = 0; d < h->quote_depth; d++)
            g_string_append_c (h->out, '>');
          g_string_append_c (h->out, ' ');
        }
      h->at_line_start = FALSE;
      h->pending_space = FALSE;
    }
  else if (h->pending_space)
    {
      g_string_append_c (h->out, ' ');
      h->pending_space = FALSE;
    }
}

static void
ht_text (HtmlText *h, const char *s)
{
  for (const char *p = s; *p; p++)
    {
      if (h->pre_depth > 0 && *p == '\n')
        {
          h->pending_newlines = MAX (h->pending_newlines, 1);
          h->at_line_start = TRUE;
          ht_start_text (h);
          continue;
        }
      if (h->pre_depth == 0 && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        {
          if (!h->at_line_start && h->out->len > 0)
            h->pending_space = TRUE;
          continue;
        }
      ht_start_text (h);
      g_string_append_c (h->out, *p);
    }
}

static gboolean
ht_enter (HtmlText *h, xmlNodePtr n)
{
  if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
    {
      if (n->content)
        ht_text (h, (const char *) n->content);
      return FALSE;
    }
  if (n->type != XML_ELEMENT_NODE)
    return FALSE;
  if (is_hidden (n))
    return FALSE;
  if (tag_is (n, "br"))
    {
      /* A <br> always ends the line, even an empty one. */
      ht_start_text (h);
      g_string_append_c (h->out, '\n');
      h->at_line_start = TRUE;
      h->pending_space = FALSE;
      return FALSE;
    }
  if (tag_is (n, "img"))
    {
      xmlChar *alt = xmlGetProp (n, (const xmlChar *) "alt");
      if (alt && *alt)
        ht_text (h, (const char *) alt);
      xmlFree (alt);
      return FALSE;
    }
  if (tag_is (n, "hr"))
    {
      ht_newline (h, 1);
      ht_start_text (h);
      g_string_append (h->out, "---");
      ht_newline (h, 1);
      return FALSE;
    }
  if (tag_is (n, "blockquote"))
    {
      ht_newline (h, 1);
      h->pending_newlines = MIN (h->pending_newlines, 1);
      h->cap_newlines = TRUE;
      h->quote_depth++;
      h->at_line_start = TRUE;
      return TRUE;
    }
  if (tag_is (n, "pre"))
    h->pre_depth++;
  if (tag_is (n, "p") || tag_is (n, "h1") || tag_is (n, "h2") || tag_is (n, "h3"))
    ht_newline (h, 2);
  else if (is_block (n))
    ht_newline (h, 1);
  if (tag_is (n, "li"))
    {
      ht_start_text (h);
      g_string_append (h->out, "- ");
    }
  if (tag_is (n, "td") || tag_is (n, "th"))
    {
      if (!h->at_line_start)
        h->pending_space = TRUE;
    }
  return TRUE;
}

static void
ht_exit (HtmlText *h, xmlNodePtr n)
{
  if (n->type != XML_ELEMENT_NODE)
    return;
  if (tag_is (n, "blockquote"))
    {
      if (h->quote_depth > 0)
        h->quote_depth--;
      h->pending_newlines = MIN (h->pending_newlines, 1);
      ht_newline (h, 1);
      return;
    }
  if (tag_is (n, "pre") && h->pre_depth > 0)
    h->pre_depth--;
  if (tag_is (n, "p") || tag_is (n, "h1") || tag_is (n, "h2") || tag_is (n, "h3"))
    ht_newline (h, 2);
  else if (is_block (n))
    ht_newline (h, 1);
}

char *
tern_coi_text_from_html (htmlDocPtr doc)
{
  HtmlText h = { 0 };
  xmlNodePtr top = doc ? xmlDocGetRootElement (doc) : NULL;
  xmlNodePtr n;

  h.out = g_string_new (NULL);
  h.at_line_start = TRUE;
  if (top == NULL)
    return g_string_free (h.out, FALSE);

  /* Iterative walk: enter, children, exit. */
  n = top;
  while (n != NULL)
    {
      if (ht_enter (&h, n) && n->children != NULL)
        {
          n = n->children;
          continue;
        }
      if (n->type == XML_ELEMENT_NODE && !is_hidden (n) && !tag_is (n, "br")
          && !tag_is (n, "img") && !tag_is (n, "hr"))
        ht_exit (&h, n);
      while (n != top && n->next == NULL)
        {
          n = n->parent;
          ht_exit (&h, n);
        }
      if (n == top)
        break;
      n = n->next;
    }

  /* Trim trailing whitespace and lines. */
  while (h.out->len > 0 && g_ascii_isspace (h.out->str[h.out->len - 1]))
    g_string_truncate (h.out, h.out->len - 1);
  {
    char *result = g_utf8_make_valid (h.out->str, h.out->len);
    g_string_free (h.out, TRUE);
    return result;
  }
}

/* --------------------------------------------------------- quote / signature */

static gboolean
ends_with_colon (const char *line)
{
  gsize len = strlen (line);

  while (len > 0 && g_ascii_isspace (line[len - 1]))
    len--;
  return len > 0 && (line[len - 1] == ':' || (len >= 3 && memcmp (line + len - 3, "\xef\xbc\x9a", 3) == 0));
}

/* "On Mon, 4 Dec 2019, Bob <bob@example.com> wrote:" and its translations. */
static gboolean
is_attribution (const char *line)
{
  static const char *const verbs[] = {
    "wrote", "writes", "schrieb", "a écrit", "escribió", "ha scritto", "schreef", "skrev",
    "napisał", "kirjoitti", "написал", "escreveu", "yazdı", "έγραψε", "napsal", "írta",
    "scrie", NULL
  };
  g_autofree char *low = NULL;

  if (!ends_with_colon (line) || strlen (line) > 400)
    return FALSE;
  low = g_utf8_strdown (line, -1);
  for (guint i = 0; verbs[i]; i++)
    if (strstr (low, verbs[i]))
      return TRUE;
  return FALSE;
}

static gboolean
is_forward_or_original_marker (const char *line)
{
  const char *p = line;

  while (*p == ' ')
    p++;
  if (strncmp (p, "-----", 5) != 0 && strncmp (p, "_____", 5) != 0 && strncmp (p, "---", 3) != 0)
    return FALSE;
  return strstr (p, "Original Message") || strstr (p, "Ursprüngliche Nachricht")
         || strstr (p, "Message d'origine") || strstr (p, "Forwarded message")
         || strstr (p, "Weitergeleitete Nachricht") || strstr (p, "Mensaje original")
         || strstr (p, "Messaggio originale") || strstr (p, "Original message");
}

static gboolean
starts_with_word (const char *line, const char *word)
{
  gsize len = strlen (word);
  return g_ascii_strncasecmp (line, word, len) == 0;
}

/* Outlook: "From: X" then "Sent: " / "Date:" lines */
static gboolean
is_outlook_header (char **lines, guint i, guint n)
{
  if (!(starts_with_word (lines[i], "From:") || starts_with_word (lines[i], "Von:")
        || starts_with_word (lines[i], "De :") || starts_with_word (lines[i], "De:")))
    return FALSE;
  for (guint j = i + 1; j < n && j < i + 3; j++)
    if (starts_with_word (lines[j], "Sent:") || starts_with_word (lines[j], "Gesendet:")
        || starts_with_word (lines[j], "Date:") || starts_with_word (lines[j], "Envoyé :")
        || starts_with_word (lines[j], "Datum:") || starts_with_word (lines[j], "Enviado:"))
      return TRUE;
  return FALSE;
}

static gboolean
is_blank (const char *line)
{
  for (const char *p = line; *p; p++)
    {
      if (g_ascii_isspace (*p))
        continue;
      if ((guchar) p[0] == 0xc2 && (guchar) p[1] == 0xa0) /* NO-BREAK SPACE */
        {
          p++;
          continue;
        }
      return FALSE;
    }
  return TRUE;
}

/* A mailing-list footer: a line of underscores near the end. */
static gboolean
is_footer_separator (const char *line)
{
  gsize n = 0;

  for (const char *p = line; *p; p++)
    {
      if (*p == '_')
        n++;
      else if (!g_ascii_isspace (*p))
        return FALSE;
    }
  return n >= 10;
}

static char *
join_lines (GPtrArray *lines)
{
  GString *s;
  guint start = 0;
  guint end = lines->len;

  while (start < end && is_blank (g_ptr_array_index (lines, start)))
    start++;
  while (end > start && is_blank (g_ptr_array_index (lines, end - 1)))
    end--;
  if (start == end)
    return NULL;
  s = g_string_new (NULL);
  for (guint i = start; i < end; i++)
    {
      /* Runs of blank lines become one. */
      if (i > start && is_blank (g_ptr_array_index (lines, i))
          && is_blank (g_ptr_array_index (lines, i - 1)))
        continue;
      if (i > start)
        g_string_append_c (s, '\n');
      if (is_blank (g_ptr_array_index (lines, i)))
        continue;
      g_string_append (s, g_ptr_array_index (lines, i));
    }
  return g_string_free (s, FALSE);
}

/* Does any line need the full split: a quote, a signature or footer
 * separator, an original-message marker, a header block or a line ending
 * with a colon (an attribution)? */
static gboolean
needs_split (const char *text)
{
  const char *p = text;

  for (;;)
    {
      const char *nl = strchr (p, '\n');
      const char *e = nl ? nl : p + strlen (p);
      const char *last = e;

      switch (*p)
        {
        case '>': case ' ':
          return TRUE;
        case '-':
        case '_':
          if (p[1] == p[0])
            return TRUE;
          break;
        case 'F': case 'f': case 'V': case 'v': case 'D': case 'd':
          if (starts_with_word (p, "From:") || starts_with_word (p, "Von:")
              || starts_with_word (p, "De:") || starts_with_word (p, "De :"))
            return TRUE;
          break;
        default:
          break;
        }
      while (last > p && (last[-1] == ' ' || last[-1] == '\t' || last[-1] == '\r'))
        last--;
      if (last > p && (last[-1] == ':' || (guchar) last[-1] == 0x9a))
        return TRUE;
      if (nl == NULL)
        return FALSE;
      p = nl + 1;
    }
}

/* The text with leading and trailing blank lines removed and runs of blank
 * lines made one: what the split gives when there is nothing to split. */
static char *
collapse_blank_lines (const char *text)
{
  GString *out = g_string_sized_new (strlen (text) + 1);
  const char *p = text;
  gboolean pending_blank = FALSE;

  for (;;)
    {
      const char *nl = strchr (p, '\n');
      gsize len = nl ? (gsize) (nl - p) : strlen (p);
      gboolean blank = TRUE;

      for (gsize k = 0; k < len; k++)
        if (!g_ascii_isspace (p[k]))
          {
            blank = FALSE;
            break;
          }
      if (blank)
        {
          /* NO-BREAK SPACE only lines are blank too: use the slow check. */
          pending_blank = out->len > 0;
        }
      else
        {
          if (out->len > 0)
            g_string_append (out, pending_blank ? "\n\n" : "\n");
          g_string_append_len (out, p, len);
          pending_blank = FALSE;
        }
      if (nl == NULL)
        break;
      p = nl + 1;
    }
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

void
tern_coi_text_split (const char *text,
                     char      **new_text,
                     char      **quoted,
                     char      **signature)
{
  g_autofree char **lines = NULL;
  g_autofree char *copy = NULL;
  g_autoptr(GPtrArray) body = NULL;
  g_autoptr(GPtrArray) quote = NULL;
  g_autoptr(GPtrArray) sig = NULL;
  guint n = 1;
  guint i;
  enum { IN_BODY, IN_SIG } state = IN_BODY;
  gboolean in_forward_header = FALSE;

  *new_text = *quoted = *signature = NULL;
  if (text == NULL || *text == '\0')
    return;
  if (!needs_split (text) && strstr (text, "\xc2\xa0") == NULL)
    {
      *new_text = collapse_blank_lines (text);
      return;
    }

  /* One copy cut into lines in place: no allocation per line. */
  copy = g_strdup (text);
  for (const char *p = copy; (p = strchr (p, '\n')) != NULL; p++)
    n++;
  lines = g_new (char *, n + 1);
  lines[0] = copy;
  i = 1;
  for (char *p = copy; (p = strchr (p, '\n')) != NULL;)
    {
      *p++ = '\0';
      lines[i++] = p;
    }
  lines[n] = NULL;
  body = g_ptr_array_sized_new (n);
  quote = g_ptr_array_new ();
  sig = g_ptr_array_new ();

  for (i = 0; i < n; i++)
    {
      char *line = lines[i];

      /* Everything after an original-message marker or an Outlook header block
       * is the quoted original. */
      if (is_blank (line))
        in_forward_header = FALSE;
      if (is_forward_or_original_marker (line)
          || (!in_forward_header && is_outlook_header (lines, i, n)))
        {
          if (strstr (line, "Forwarded") || strstr (line, "Weitergeleitete"))
            {
              /* A forward is content, not a quote (its header block too). */
              g_ptr_array_add (state == IN_SIG ? sig : body, line);
              in_forward_header = TRUE;
              continue;
            }
          for (; i < n; i++)
            g_ptr_array_add (quote, lines[i]);
          break;
        }

      /* An attribution (maybe wrapped over two lines) followed by quote lines. */
      if (line[0] != '>')
        {
          guint j = i;
          gboolean attr = is_attribution (line);

          /* A wrapped attribution: its first line carries the date. */
          if (!attr && i + 1 < n && lines[i + 1][0] != '>' && ends_with_colon (lines[i + 1])
              && strlen (line) < 200 && strlen (line) > 16
              && strpbrk (line, "0123456789") != NULL)
            {
              g_autofree char *two = g_strconcat (line, " ", lines[i + 1], NULL);
              if (is_attribution (two) && !ends_with_colon (line))
                {
                  attr = TRUE;
                  j = i + 1;
                }
            }
          if (attr)
            {
              guint k = j + 1;
              while (k < n && is_blank (lines[k]))
                k++;
              if (k < n && lines[k][0] == '>')
                {
                  for (guint m = i; m < k; m++)
                    g_ptr_array_add (quote, lines[m]);
                  i = k - 1;
                  continue;
                }
            }
        }

      if (line[0] == '>')
        {
          g_ptr_array_add (quote, line);
          continue;
        }

      if (strcmp (line, "-- ") == 0 || (strcmp (line, "--") == 0 && n - i <= 12)
          || (is_footer_separator (line) && n - i <= 12))
        {
          state = IN_SIG;
          continue;
        }

      if (state == IN_SIG)
        g_ptr_array_add (sig, line);
      else
        g_ptr_array_add (body, line);
    }

  *new_text = join_lines (body);
  *quoted = join_lines (quote);
  *signature = join_lines (sig);
}
