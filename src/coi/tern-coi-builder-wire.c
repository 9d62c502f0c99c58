/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-coi"

/* The builder's wire side: header values written raw (folded, RFC 2047
 * encoded), serialisation, and the text form of mentions. */

#include "tern-coi-builder-private.h"

#include <string.h>

void
tern_coi_builder_add_mailboxes (InternetAddressList *list, const TernCoiMailbox *boxes, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      InternetAddress *ia = internet_address_mailbox_new (boxes[i].name, boxes[i].address);

      internet_address_list_add (list, ia);
      g_object_unref (ia);
    }
}

gboolean
tern_coi_builder_is_ascii (const char *s)
{
  for (; *s; s++)
    if ((guchar)*s >= 0x80)
      return FALSE;
  return TRUE;
}

/* Header folding: tokens separated by a space, a new line when the line
 * would pass 78 characters. */
typedef struct
{
  GString *out;
  gsize    line;
} Folder;

static void
fold_token (Folder *f, const char *token, gsize len, gboolean space_before)
{
  if (space_before && f->line + 1 + len > 78 && f->line > 1 && f->out->len > 0)
    {
      g_string_append (f->out, "\n ");
      f->line = 1;
    }
  else if (space_before)
    {
      g_string_append_c (f->out, ' ');
      f->line++;
    }
  g_string_append_len (f->out, token, len);
  f->line += len;
}

/*
 * RFC 2047 Q encoded words, UTF-8, whole characters, at most 75 characters
 * each, separated by folding white space (ignored between encoded words).
 * Q, not B: GMime 3.2's decoder drops every encoded word that follows a B
 * word ending in '=' padding, so B words that are not multiples of three
 * octets would lose text for GMime readers (ours included; GMime issue
 * jstedfast/gmime#133, in Debian 12's 3.2.13). Only
 * [A-Za-z0-9!*+-/] stay literal (the phrase rules of section 5), a space
 * is '_'. With @quoted, the words are wrapped in double quotes.
 */
static void
fold_encoded_words (Folder *f, const char *text, gboolean quoted)
{
  static const char hex[] = "0123456789ABCDEF";
  g_autoptr (GString) word = g_string_new (NULL);
  const char *p = text;

  while (*p)
    {
      g_string_assign (word, quoted && p == text ? "\"=?UTF-8?Q?" : "=?UTF-8?Q?");
      while (*p)
        {
          const char *next = g_utf8_next_char (p);
          gsize       need = 0;

          for (const char *c = p; c < next && *c; c++)
            need += (g_ascii_isalnum (*c) || strchr ("!*+-/ ", *c) != NULL) ? 1 : 3;
          /* 75 minus "?=" and a closing quote. */
          if (word->len + need > 72 && word->len > 11)
            break;
          for (const char *c = p; c < next && *c; c++)
            {
              guchar u = *c;

              if (u == ' ')
                g_string_append_c (word, '_');
              else if (g_ascii_isalnum (u) || strchr ("!*+-/", u) != NULL)
                g_string_append_c (word, u);
              else
                {
                  g_string_append_c (word, '=');
                  g_string_append_c (word, hex[u >> 4]);
                  g_string_append_c (word, hex[u & 15]);
                }
            }
          p = *next ? next : p + strlen (p);
        }
      g_string_append (word, "?=");
      if (quoted && *p == '\0')
        g_string_append_c (word, '"');
      fold_token (f, word->str, word->len, TRUE);
    }
}

/* Unstructured text (Subject): ASCII words before the first and after the
 * last word that needs encoding stay as they are, the span between becomes
 * encoded words. Odd spacing (doubled, leading, trailing) or a word that
 * looks like an encoded word: everything is encoded. */
static void
fold_mixed_text (Folder *f, const char *text)
{
  g_auto (GStrv) words = NULL;
  g_autoptr (GString) span = NULL;
  gsize len = strlen (text);
  int   first = -1;
  int   last = -1;
  int   n;

  if (len == 0 || text[0] == ' ' || text[len - 1] == ' ' || strstr (text, "  ") != NULL
      || strstr (text, "=?") != NULL || strchr (text, '\t') != NULL)
    {
      fold_encoded_words (f, text, FALSE);
      return;
    }
  words = g_strsplit (text, " ", -1);
  n = g_strv_length (words);
  for (int i = 0; i < n; i++)
    if (!tern_coi_builder_is_ascii (words[i]))
      {
        if (first < 0)
          first = i;
        last = i;
      }
  for (int i = 0; i < first; i++)
    fold_token (f, words[i], strlen (words[i]), TRUE);
  span = g_string_new (NULL);
  for (int i = first; i <= last && first >= 0; i++)
    g_string_append_printf (span, "%s%s", i > first ? " " : "", words[i]);
  if (span->len > 0)
    fold_encoded_words (f, span->str, FALSE);
  for (int i = last + 1; i < n && first >= 0; i++)
    fold_token (f, words[i], strlen (words[i]), TRUE);
}

/* The display name as RFC 2047 encoded words of at most 45 octets of
 * UTF-8 each (never splitting a character), or as an atom / quoted string
 * when it is short ASCII. */
static void
fold_name (Folder *f, const char *name)
{
  g_autofree char *clean = g_utf8_make_valid (name, -1);
  gsize            len;
  gboolean         needs_quotes = FALSE;

  for (char *p = clean; *p; p++)
    if ((guchar)*p < ' ' || *p == 0x7f)
      *p = ' ';
  g_strstrip (clean);
  len = strlen (clean);
  if (len == 0)
    return;

  if (tern_coi_builder_is_ascii (clean) && len <= 64)
    {
      g_autoptr (GString) q = g_string_new (NULL);

      for (const char *p = clean; *p; p++)
        if (strchr ("()<>[]:;@\\,.\"", *p) != NULL)
          needs_quotes = TRUE;
      if (!needs_quotes)
        {
          fold_token (f, clean, len, TRUE);
          return;
        }
      g_string_append_c (q, '"');
      for (const char *p = clean; *p; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (q, '\\');
          g_string_append_c (q, *p);
        }
      g_string_append_c (q, '"');
      fold_token (f, q->str, q->len, TRUE);
      return;
    }

  /* Specials decoded from an encoded word are re-read as specials by
   * GMime's address parser (it parses the decoded header value), so such a
   * name is also put in quotes: "=?UTF-8?Q?...?=". Strict RFC 2047 readers
   * see the encoded words as the quoted text; GMime, Thunderbird, Apple
   * Mail and Python decode them. Names with '"' or '\\' (which cannot be
   * escaped there) never get here: see name_needs_gmime(). */
  needs_quotes = strpbrk (clean, "()<>[]:;@,.") != NULL;
  fold_encoded_words (f, clean, needs_quotes);
}

/* A name fold_name() would write as encoded words and that holds a quote
 * or a backslash: GMime's own encoding (which splits the ASCII specials out
 * into a quoted string) is used for it. Rare; costs an IDN pass. */
static gboolean
name_needs_gmime (const char *name)
{
  if (name == NULL || (tern_coi_builder_is_ascii (name) && strlen (name) <= 64))
    return FALSE;
  return strpbrk (name, "\"\\") != NULL;
}

/*
 * Address headers written directly as their raw (encoded, folded) value.
 * GMime's own formatter runs every address through libidn2 (about 20,000
 * instructions each, twice per header); for ASCII addresses that is a
 * no-op, so it is skipped. Non-ASCII addresses go through GMime.
 */
void
tern_coi_builder_set_address_header (GMimeMessage         *message,
                                     const char           *header,
                                     GMimeAddressType      type,
                                     const TernCoiMailbox *boxes,
                                     guint                 n)
{
  GMimeHeaderList *headers = g_mime_object_get_header_list (GMIME_OBJECT (message));
  g_autoptr (GString) raw = NULL;
  Folder f;

  if (n == 0)
    return;
  for (guint i = 0; i < n; i++)
    if (!tern_coi_builder_is_ascii (boxes[i].address) || name_needs_gmime (boxes[i].name))
      {
        if ((int)type >= 0)
          tern_coi_builder_add_mailboxes (g_mime_message_get_addresses (message, type), boxes, n);
        else
          {
            InternetAddressList *list = internet_address_list_new ();
            g_autofree char     *v = NULL;

            tern_coi_builder_add_mailboxes (list, boxes, n);
            v = internet_address_list_to_string (list, NULL, TRUE);
            g_mime_object_set_header (GMIME_OBJECT (message), header, v, NULL);
            g_object_unref (list);
          }
        return;
      }

  raw = g_string_sized_new (64 * n);
  f.out = raw;
  f.line = strlen (header) + 1;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *angle = NULL;
      gboolean         named = boxes[i].name != NULL && *boxes[i].name;

      if (i > 0)
        {
          g_string_append_c (raw, ',');
          f.line++;
        }
      if (named)
        {
          gsize before = raw->len;

          fold_name (&f, boxes[i].name);
          named = raw->len > before;
        }
      angle = named ? g_strconcat ("<", boxes[i].address, ">", NULL) : g_strdup (boxes[i].address);
      fold_token (&f, angle, strlen (angle), TRUE);
    }
  g_string_append_c (raw, '\n');

  g_mime_header_list_append (headers, header, "", NULL);
  g_mime_header_set_raw_value (
      g_mime_header_list_get_header_at (headers, g_mime_header_list_get_count (headers) - 1),
      raw->str);
}

/*
 * Other headers go in as raw values too (GMime would format them once when
 * set and again when written): printable ASCII folded at single spaces;
 * other UTF-8 text as Q encoded words (see fold_encoded_words). Anything
 * else (control characters, huge values, a header already there) goes
 * through GMime.
 */
void
tern_coi_builder_set_header (GMimeObject *object,
                             const char  *name,
                             const char  *value,
                             gboolean     append)
{
  GMimeHeaderList *headers = g_mime_object_get_header_list (object);
  gsize            len = strlen (value);
  gboolean raw_ok = len > 0 && len + strlen (name) < 900 && value[0] != ' ' && value[len - 1] != ' '
                    && strstr (value, "  ") == NULL && strstr (value, "=?") == NULL;
  gboolean encode_ok = len > 0 && len < 4000 && g_utf8_validate (value, len, NULL);
  g_autoptr (GString) raw = NULL;
  Folder      f;
  const char *p;

  for (p = value; (raw_ok || encode_ok) && *p; p++)
    {
      if ((guchar)*p < ' ' || *p == 0x7f)
        raw_ok = encode_ok = FALSE;
      else if ((guchar)*p > '~')
        raw_ok = FALSE;
    }
  if (!append && g_mime_header_list_contains (headers, name))
    raw_ok = encode_ok = FALSE;
  if (!raw_ok && !encode_ok)
    {
      if (append)
        g_mime_object_append_header (object, name, value, "UTF-8");
      else
        g_mime_object_set_header (object, name, value, "UTF-8");
      return;
    }

  raw = g_string_sized_new (len + 8);
  f.out = raw;
  f.line = strlen (name) + 1;
  if (!raw_ok)
    fold_mixed_text (&f, value);
  else
    for (p = value; *p;)
      {
        const char *sp = strchr (p, ' ');
        gsize       n = sp != NULL ? (gsize)(sp - p) : strlen (p);

        fold_token (&f, p, n, TRUE);
        p += n;
        if (*p == ' ')
          p++;
      }
  g_string_append_c (raw, '\n');
  g_mime_header_list_append (headers, name, "", NULL);
  g_mime_header_set_raw_value (
      g_mime_header_list_get_header_at (headers, g_mime_header_list_get_count (headers) - 1),
      raw->str);
}

/* One line of text for a header or a parameter: control characters (a CR
 * or LF would start a new header) become spaces, invalid UTF-8 is replaced. */
char *
tern_coi_builder_header_text (const char *text)
{
  char *out = g_utf8_make_valid (text, -1);

  for (char *p = out; *p; p++)
    if ((guchar)*p < ' ' || *p == 0x7f)
      *p = ' ';
  return out;
}

char *
tern_coi_builder_bracket (const char *id)
{
  return g_strconcat ("<", id, ">", NULL);
}

/* ------------------------------------------------------------------ misc */

/**
 * tern_coi_mention_text:
 * @name: (nullable): the shown name; %NULL with a %NULL @address gives `@all`
 * @address: (nullable): the address
 *
 * Returns: (transfer full): the text form of a mention: `@Name:address`,
 *   `@"Full Name":address` when the name has spaces or quotes would be
 *   needed, `@all`.
 */
char *
tern_coi_mention_text (const char *name, const char *address)
{
  gboolean needs_quotes = FALSE;

  if (address == NULL)
    return g_strdup ("@all");
  if (name == NULL || *name == '\0')
    name = address;
  for (const char *p = name; *p; p++)
    if (g_ascii_isspace (*p) || *p == ':' || *p == '@' || *p == '<')
      needs_quotes = TRUE;
  if (needs_quotes)
    {
      g_autofree char *clean = g_strdup (name);
      g_strdelimit (clean, "\"\n\r", ' ');
      return g_strdup_printf ("@\"%s\":%s", clean, address);
    }
  return g_strdup_printf ("@%s:%s", name, address);
}

static GMimeFormatOptions *
wire_format (void)
{
  GMimeFormatOptions *options = g_mime_format_options_new ();

  g_mime_format_options_set_newline_format (options, GMIME_NEWLINE_FORMAT_DOS);
  return options;
}

/**
 * tern_coi_message_write:
 * @message: a message
 * @stream: where to write it
 * @error: return location for an error
 *
 * Writes @message in wire form (CRLF line endings, headers 7bit with
 * RFC 2047/2231 encoded words). Attachments are streamed.
 *
 * Returns: %TRUE on success.
 */
gboolean
tern_coi_message_write (GMimeMessage *message, GMimeStream *stream, GError **error)
{
  GMimeFormatOptions *options = wire_format ();
  gssize              n;

  n = g_mime_object_write_to_stream (GMIME_OBJECT (message), options, stream);
  g_mime_format_options_free (options);
  if (n < 0 || g_mime_stream_flush (stream) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not write the message");
      return FALSE;
    }
  return TRUE;
}

/**
 * tern_coi_message_to_bytes:
 * @message: a message
 *
 * Returns: (transfer full): @message in wire form (see tern_coi_message_write()).
 */
GBytes *
tern_coi_message_to_bytes (GMimeMessage *message)
{
  GByteArray *array = g_byte_array_sized_new (4096);
  g_autoptr (GMimeStream) stream = g_mime_stream_mem_new_with_byte_array (array);
  GMimeFormatOptions *options = wire_format ();

  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  g_mime_object_write_to_stream (GMIME_OBJECT (message), options, stream);
  g_mime_format_options_free (options);
  return g_byte_array_free_to_bytes (array);
}
