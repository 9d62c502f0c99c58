/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-coi"

#include "tern-coi-builder.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "tern-coi.h"
#include "tern-coi-error.h"
#include "tern-coi-builder-private.h"
#include "tern-coi-bytes-stream-private.h"
#include "tern-coi-flowed.h"
#include "tern-coi-hash.h"
#include "tern-coi-html.h"
#include "tern-coi-ids.h"

/* Delta Chat's edit marker, U+270F U+FE0F. */
#define EDIT_PREFIX "\xe2\x9c\x8f\xef\xb8\x8f"

/* ---------------------------------------------------------------- helpers */

static gboolean
address_is_valid (const char *address)
{
  const char *at;

  if (address == NULL || *address == '\0' || !g_utf8_validate (address, -1, NULL))
    return FALSE;
  at = strrchr (address, '@');
  if (at == NULL || at == address || at[1] == '\0')
    return FALSE;
  for (const char *p = address; *p; p++)
    if (g_ascii_isspace (*p) || *p == '<' || *p == '>' || *p == ',' || *p == ';')
      return FALSE;
  return TRUE;
}

static gboolean
id_is_valid (const char *id)
{
  if (id == NULL || *id == '\0' || strchr (id, '@') == NULL)
    return FALSE;
  for (const char *p = id; *p; p++)
    if ((guchar) *p <= ' ' || (guchar) *p >= 0x7f || *p == '<' || *p == '>')
      return FALSE;
  return TRUE;
}

static gboolean
check_mailboxes (const TernCoiMailbox *list,
                 guint                 n,
                 const char           *what,
                 GError              **error)
{
  for (guint i = 0; i < n; i++)
    if (!address_is_valid (list[i].address))
      {
        g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                     "%s address %u is not a valid address", what, i + 1);
        return FALSE;
      }
  return TRUE;
}

static void
add_mailboxes (InternetAddressList  *list,
               const TernCoiMailbox *boxes,
               guint                 n)
{
  for (guint i = 0; i < n; i++)
    {
      InternetAddress *ia = internet_address_mailbox_new (boxes[i].name, boxes[i].address);

      internet_address_list_add (list, ia);
      g_object_unref (ia);
    }
}

static gboolean
is_ascii (const char *s)
{
  for (; *s; s++)
    if ((guchar) *s >= 0x80)
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
fold_token (Folder     *f,
            const char *token,
            gsize       len,
            gboolean    space_before)
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
 * octets would lose text for GMime readers (ours included). Only
 * [A-Za-z0-9!*+-/] stay literal (the phrase rules of section 5), a space
 * is '_'. With @quoted, the words are wrapped in double quotes.
 */
static void
fold_encoded_words (Folder     *f,
                    const char *text,
                    gboolean    quoted)
{
  static const char hex[] = "0123456789ABCDEF";
  g_autoptr(GString) word = g_string_new (NULL);
  const char *p = text;

  while (*p)
    {
      g_string_assign (word, quoted && p == text ? "\"=?UTF-8?Q?" : "=?UTF-8?Q?");
      while (*p)
        {
          const char *next = g_utf8_next_char (p);
          gsize need = 0;

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
fold_mixed_text (Folder     *f,
                 const char *text)
{
  g_auto(GStrv) words = NULL;
  g_autoptr(GString) span = NULL;
  gsize len = strlen (text);
  int first = -1;
  int last = -1;
  int n;

  if (len == 0 || text[0] == ' ' || text[len - 1] == ' ' || strstr (text, "  ") != NULL ||
      strstr (text, "=?") != NULL || strchr (text, '\t') != NULL)
    {
      fold_encoded_words (f, text, FALSE);
      return;
    }
  words = g_strsplit (text, " ", -1);
  n = g_strv_length (words);
  for (int i = 0; i < n; i++)
    if (!is_ascii (words[i]))
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
fold_name (Folder     *f,
           const char *name)
{
  g_autofree char *clean = g_utf8_make_valid (name, -1);
  gsize len;
  gboolean needs_quotes = FALSE;

  for (char *p = clean; *p; p++)
    if ((guchar) *p < ' ' || *p == 0x7f)
      *p = ' ';
  g_strstrip (clean);
  len = strlen (clean);
  if (len == 0)
    return;

  if (is_ascii (clean) && len <= 64)
    {
      g_autoptr(GString) q = g_string_new (NULL);

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
  if (name == NULL || (is_ascii (name) && strlen (name) <= 64))
    return FALSE;
  return strpbrk (name, "\"\\") != NULL;
}

/*
 * Address headers written directly as their raw (encoded, folded) value.
 * GMime's own formatter runs every address through libidn2 (about 20,000
 * instructions each, twice per header); for ASCII addresses that is a
 * no-op, so it is skipped. Non-ASCII addresses go through GMime.
 */
static void
set_address_header (GMimeMessage         *message,
                    const char           *header,
                    GMimeAddressType      type,
                    const TernCoiMailbox *boxes,
                    guint                 n)
{
  GMimeHeaderList *headers = g_mime_object_get_header_list (GMIME_OBJECT (message));
  g_autoptr(GString) raw = NULL;
  Folder f;

  if (n == 0)
    return;
  for (guint i = 0; i < n; i++)
    if (!is_ascii (boxes[i].address) || name_needs_gmime (boxes[i].name))
      {
        if ((int) type >= 0)
          add_mailboxes (g_mime_message_get_addresses (message, type), boxes, n);
        else
          {
            InternetAddressList *list = internet_address_list_new ();
            g_autofree char *v = NULL;

            add_mailboxes (list, boxes, n);
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
      gboolean named = boxes[i].name != NULL && *boxes[i].name;

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
  g_mime_header_set_raw_value (g_mime_header_list_get_header_at (headers,
                                 g_mime_header_list_get_count (headers) - 1),
                               raw->str);
}

/*
 * Other headers go in as raw values too (GMime would format them once when
 * set and again when written): printable ASCII folded at single spaces;
 * other UTF-8 text as Q encoded words (see fold_encoded_words). Anything
 * else (control characters, huge values, a header already there) goes
 * through GMime.
 */
static void
set_header (GMimeObject *object,
            const char  *name,
            const char  *value,
            gboolean     append)
{
  GMimeHeaderList *headers = g_mime_object_get_header_list (object);
  gsize len = strlen (value);
  gboolean raw_ok = len > 0 && len + strlen (name) < 900 && value[0] != ' ' && value[len - 1] != ' '
                    && strstr (value, "  ") == NULL && strstr (value, "=?") == NULL;
  g_autoptr(GString) raw = NULL;
  Folder f;

  gboolean encode_ok = len > 0 && len < 4000 && g_utf8_validate (value, len, NULL);
  const char *p;

  for (p = value; (raw_ok || encode_ok) && *p; p++)
    {
      if ((guchar) *p < ' ' || *p == 0x7f)
        raw_ok = encode_ok = FALSE;
      else if ((guchar) *p > '~')
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
        gsize n = sp != NULL ? (gsize) (sp - p) : strlen (p);

        fold_token (&f, p, n, TRUE);
        p += n;
        if (*p == ' ')
          p++;
      }
  g_string_append_c (raw, '\n');
  g_mime_header_list_append (headers, name, "", NULL);
  g_mime_header_set_raw_value (g_mime_header_list_get_header_at (headers,
                                 g_mime_header_list_get_count (headers) - 1),
                               raw->str);
}

/* One line of text for a header or a parameter: control characters (a CR
 * or LF would start a new header) become spaces, invalid UTF-8 is replaced. */
static char *
header_text (const char *text)
{
  char *out = g_utf8_make_valid (text, -1);

  for (char *p = out; *p; p++)
    if ((guchar) *p < ' ' || *p == 0x7f)
      *p = ' ';
  return out;
}

static char *
bracket (const char *id)
{
  return g_strconcat ("<", id, ">", NULL);
}

/* The transfer encoding a classic client and every MTA accept. */
static GMimeContentEncoding
choose_text_encoding (const char *s,
                      gsize       len)
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
  gsize lfs = 0;

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
static GMimePart *
text_part_take (const char *subtype,
                char       *content,
                gboolean    flowed)
{
  GMimePart *part = g_mime_part_new_with_type ("text", subtype);
  GMimeContentType *ct = g_mime_object_get_content_type (GMIME_OBJECT (part));
  gsize len;
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeDataWrapper) wrapper = NULL;
  GByteArray *array;

  content = to_crlf (content);
  len = strlen (content);
  g_mime_content_type_set_parameter (ct, "charset", "UTF-8");
  if (flowed)
    g_mime_content_type_set_parameter (ct, "format", "flowed");

  array = g_byte_array_new_take ((guint8 *) content, len);
  stream = g_mime_stream_mem_new_with_byte_array (array);
  wrapper = g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);
  g_mime_part_set_content (part, wrapper);
  g_mime_part_set_content_encoding (part, choose_text_encoding (content, len));
  return part;
}

static GMimePart *
plain_part (const char *text)
{
  return text_part_take ("plain", tern_coi_flowed_encode (text ? text : "", -1, 0), TRUE);
}

static GMimePart *
html_part_take (char       *document,
                const char *chat_content)
{
  GMimePart *part = text_part_take ("html", document, FALSE);

  if (chat_content != NULL)
    set_header (GMIME_OBJECT (part), "Chat-Content", chat_content, FALSE);
  return part;
}

static char *
text_to_html_body (const char *text)
{
  GString *body = g_string_new ("<p>");

  tern_coi_html_append_text (body, text);
  g_string_append (body, "</p>\n");
  return g_string_free (body, FALSE);
}

static void
set_disposition (GMimeObject *object,
                 const char  *disposition,
                 const char  *filename,
                 gint64       size)
{
  g_autoptr(GMimeContentDisposition) disp = g_mime_content_disposition_new ();

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

static char *
default_subject (const char *text)
{
  g_autofree char *first = NULL;
  const char *nl;
  glong n;

  if (text == NULL)
    return g_strdup ("Chat");
  nl = strchr (text, '\n');
  first = nl ? g_strndup (text, nl - text) : g_strdup (text);
  g_strstrip (first);
  if (*first == '\0')
    return g_strdup ("Chat");
  n = g_utf8_strlen (first, -1);
  if (n > 40)
    {
      g_autofree char *cut = g_utf8_substring (first, 0, 40);
      return g_strdup_printf ("Chat: %s...", cut);
    }
  return g_strdup_printf ("Chat: %s", first);
}

/* ---------------------------------------------------- the message frame */

typedef struct
{
  const char *group_id;        /* group form of Message-ID, Chat-Group-ID */
  gboolean    no_conversation; /* no In-Reply-To / References (new thread) */
  gboolean    no_receipt;      /* never request a receipt (reports, storage) */
  const char *in_reply_to;     /* overrides the draft's */
  const char *subject;         /* overrides the draft's */
} Frame;

static GMimeMessage *
new_message (const TernCoiDraft *draft,
             const Frame        *frame,
             GError            **error)
{
  g_autoptr(GMimeMessage) message = NULL;
  g_autofree char *domain = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *subject = NULL;
  const char *in_reply_to;
  GMimeObject *obj;

  tern_coi_init ();

  if (!address_is_valid (draft->from.address))
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "The From address is not valid");
      return NULL;
    }
  if (!check_mailboxes (draft->to, draft->n_to, "To", error) ||
      !check_mailboxes (draft->cc, draft->n_cc, "Cc", error))
    return NULL;
  if (frame->group_id != NULL && !tern_coi_ids_group_id_is_valid (frame->group_id))
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                   "A group id needs at least 12 characters of [0-9A-Za-z_-]");
      return NULL;
    }
  in_reply_to = frame->in_reply_to != NULL ? frame->in_reply_to : draft->in_reply_to;
  if (frame->no_conversation)
    in_reply_to = NULL;
  if ((in_reply_to != NULL && !id_is_valid (in_reply_to)) ||
      (!frame->no_conversation &&
       ((draft->references_first != NULL && !id_is_valid (draft->references_first)) ||
        (draft->references_last != NULL && !id_is_valid (draft->references_last)))))
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                   "A message id to refer to is not valid (no <>, one @)");
      return NULL;
    }
  if (draft->message_id != NULL && !id_is_valid (draft->message_id))
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "The Message-ID is not valid");
      return NULL;
    }

  message = g_mime_message_new (FALSE);
  obj = GMIME_OBJECT (message);

  set_address_header (message, "From", GMIME_ADDRESS_TYPE_FROM, &draft->from, 1);
  set_address_header (message, "To", GMIME_ADDRESS_TYPE_TO, draft->to, draft->n_to);
  set_address_header (message, "Cc", GMIME_ADDRESS_TYPE_CC, draft->cc, draft->n_cc);

  if (frame->subject != NULL)
    subject = header_text (frame->subject);
  else if (draft->group != NULL && draft->group->name != NULL)
    subject = header_text (draft->group->name);
  else if (draft->subject != NULL)
    subject = header_text (draft->subject);
  else
    {
      g_autofree char *d = default_subject (draft->text);
      subject = header_text (d);
    }
  set_header (obj, "Subject", subject, FALSE);

  {
    g_autoptr(GDateTime) now = draft->date == NULL ? g_date_time_new_now_local () : NULL;
    g_autofree char *date = g_mime_utils_header_format_date (draft->date ? draft->date : now);

    set_header (obj, "Date", date, FALSE);
  }

  if (draft->message_id != NULL)
    message_id = g_strdup (draft->message_id);
  else
    {
      domain = tern_coi_ids_domain_of (draft->from.address);
      message_id = tern_coi_ids_new_message_id (domain, frame->group_id);
    }
  {
    g_autofree char *v = bracket (message_id);
    set_header (obj, "Message-ID", v, FALSE);
  }

  if (in_reply_to != NULL)
    {
      g_autofree char *v = bracket (in_reply_to);
      set_header (obj, "In-Reply-To", v, FALSE);
    }
  if (!frame->no_conversation)
    {
      const char *first = draft->references_first;
      const char *last = draft->references_last != NULL ? draft->references_last : in_reply_to;
      g_autoptr(GString) refs = g_string_new (NULL);

      if (first != NULL)
        g_string_append_printf (refs, "<%s>", first);
      if (last != NULL && g_strcmp0 (first, last) != 0)
        g_string_append_printf (refs, "%s<%s>", refs->len ? " " : "", last);
      if (refs->len > 0)
        set_header (obj, "References", refs->str, FALSE);
    }

  set_header (obj, "MIME-Version", "1.0", FALSE);
  set_header (obj, "Chat-Version", "1.0", FALSE);

  if (draft->request_receipt && !frame->no_receipt)
    {
      set_address_header (message, "Disposition-Notification-To", -1, &draft->from, 1);
      set_header (obj, "Chat-Disposition-Notification-To", draft->from.address, FALSE);
    }

  if (frame->group_id != NULL)
    {
      set_header (obj, "Chat-Group-ID", frame->group_id, FALSE);
      if (draft->group != NULL && draft->group->name != NULL)
        {
          g_autofree char *name = header_text (draft->group->name);
          set_header (obj, "Chat-Group-Name", name, FALSE);
        }
    }

  return g_steal_pointer (&message);
}

/* Pinned messages: Content-Disposition of the top-level entity. */
static void
apply_pinned (const TernCoiDraft *draft,
              GMimeObject        *body)
{
  g_autoptr(GMimeContentDisposition) disp = NULL;

  if (!draft->pinned)
    return;
  disp = g_mime_content_disposition_new ();
  g_mime_content_disposition_set_disposition (disp, "pinned");
  if (draft->pinned_until != NULL)
    {
      g_autofree char *date = g_mime_utils_header_format_date (draft->pinned_until);
      g_mime_content_disposition_set_parameter (disp, "timeout", date);
    }
  g_mime_object_set_content_disposition (body, disp);
}

static void
set_body (GMimeMessage *message,
          GMimeObject  *body)
{
  g_mime_message_set_mime_part (message, body);
  g_object_unref (body);
}

static const char *
draft_group_id (const TernCoiDraft *draft)
{
  return draft->group != NULL ? draft->group->id : NULL;
}

static gboolean
check_group (const TernCoiDraft *draft,
             GError            **error)
{
  if (draft->group != NULL && draft->group->id == NULL)
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                   "A group message needs the group id (tern_coi_convert_to_group creates one)");
      return FALSE;
    }
  return TRUE;
}

/* --------------------------------------------------------- text bodies */

static GMimeObject *
structured_part (const TernCoiDraft *draft,
                 const char         *group_id,
                 gboolean            profile,
                 const char         *text_html)
{
  g_autoptr(GString) body = g_string_new (text_html);

  if (profile)
    {
      if (body->len > 0)
        g_string_append (body, "<hr>\n");
      tern_coi_html_append_hcard (body, draft->profile, FALSE);
      return GMIME_OBJECT (html_part_take (tern_coi_html_document (body->str), "profile"));
    }
  g_string_append (body, "<div style=\"display: none\">\n<hr>\n");
  tern_coi_html_append_hgroup (body, draft->group, group_id, FALSE);
  g_string_append (body, "</div>\n");
  return GMIME_OBJECT (html_part_take (tern_coi_html_document (body->str), "groupinfo"));
}

/*
 * The text of a message with what goes along with it:
 *   text only                      text/plain (flowed)
 *   formatted                      alternative [plain, markdown?, html | mixed [html, ignore]]
 *   text + profile or groupinfo    alternative [plain, html marked profile/groupinfo]
 *   formatted + profile/groupinfo  mixed [alternative [...], html profile, html groupinfo]
 *   text + profile + groupinfo     mixed [alternative [plain, html groupinfo], html profile]
 */
static GMimeObject *
text_body (const TernCoiDraft *draft,
           const char         *group_id,
           const char         *text)
{
  gboolean formatted = draft->html != NULL || draft->markdown != NULL;
  gboolean want_group = draft->group_info && draft->group != NULL;
  gboolean want_profile = draft->profile != NULL;
  g_autofree char *text_html = NULL;
  GMimeMultipart *alt;
  GMimeMultipart *mixed = NULL;
  GMimeObject *html = NULL;

  if (!formatted && !want_group && !want_profile && draft->ignore_html == NULL)
    return GMIME_OBJECT (plain_part (text));

  text_html = draft->html != NULL ? g_strdup (draft->html) : text_to_html_body (text);
  alt = g_mime_multipart_new_with_subtype ("alternative");
  g_mime_multipart_add (alt, GMIME_OBJECT (plain_part (text)));
  g_object_unref (g_mime_multipart_get_part (alt, 0));
  if (draft->markdown != NULL)
    {
      GMimePart *md = text_part_take ("markdown", g_strdup (draft->markdown), FALSE);
      g_mime_multipart_add (alt, GMIME_OBJECT (md));
      g_object_unref (md);
    }

  if (formatted || (!want_group && !want_profile))
    html = GMIME_OBJECT (html_part_take (tern_coi_html_document (text_html), NULL));
  else if (want_group)
    {
      html = structured_part (draft, group_id, FALSE, text_html);
      want_group = FALSE;
    }
  else
    {
      html = structured_part (draft, group_id, TRUE, text_html);
      want_profile = FALSE;
    }

  if (draft->ignore_html != NULL)
    {
      GMimeMultipart *inner = g_mime_multipart_new_with_subtype ("mixed");
      GMimePart *ign = html_part_take (tern_coi_html_document (draft->ignore_html), "ignore");

      g_mime_multipart_add (inner, html);
      g_mime_multipart_add (inner, GMIME_OBJECT (ign));
      g_object_unref (html);
      g_object_unref (ign);
      html = GMIME_OBJECT (inner);
    }
  g_mime_multipart_add (alt, html);
  g_object_unref (html);

  if (!want_group && !want_profile)
    return GMIME_OBJECT (alt);

  mixed = g_mime_multipart_new_with_subtype ("mixed");
  g_mime_multipart_add (mixed, GMIME_OBJECT (alt));
  g_object_unref (alt);
  if (want_group)
    {
      GMimeObject *p = structured_part (draft, group_id, FALSE, "");
      g_mime_multipart_add (mixed, p);
      g_object_unref (p);
    }
  if (want_profile)
    {
      GMimeObject *p = structured_part (draft, group_id, TRUE, "");
      g_mime_multipart_add (mixed, p);
      g_object_unref (p);
    }
  return GMIME_OBJECT (mixed);
}

/* A text message with a top-level Chat-Content (NULL: none). */
static GMimeMessage *
build_text_kind (const TernCoiDraft *draft,
                 const char         *chat_content,
                 const char         *text,
                 GError            **error)
{
  Frame frame = { 0 };
  g_autoptr(GMimeMessage) message = NULL;
  GMimeObject *body;

  if (!check_group (draft, error))
    return NULL;
  frame.group_id = draft_group_id (draft);
  message = new_message (draft, &frame, error);
  if (message == NULL)
    return NULL;
  if (chat_content != NULL)
    set_header (GMIME_OBJECT (message), "Chat-Content", chat_content, FALSE);
  body = text_body (draft, frame.group_id, text != NULL ? text : draft->text);
  apply_pinned (draft, body);
  set_body (message, body);
  return g_steal_pointer (&message);
}

/**
 * tern_coi_build_text:
 * @draft: the message
 * @error: return location for a #TERN_COI_ERROR_INVALID on a bad draft
 *
 * A chat text message: `text/plain; charset=UTF-8; format=flowed`, or with
 * `html`/`markdown` a multipart/alternative (formatted text); with
 * `profile` a Chat-Content: profile part, with `group_info` a groupinfo
 * part; `pinned` sets Content-Disposition: pinned.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_text (const TernCoiDraft *draft,
                     GError            **error)
{
  g_return_val_if_fail (draft != NULL, NULL);
  return build_text_kind (draft, NULL, NULL, error);
}

/* ------------------------------------------------------------ attachments */

static char *
guess_mime_type (const char   *filename,
                 const guint8 *head,
                 gsize         head_len)
{
  gboolean uncertain = FALSE;
  g_autofree char *ctype = g_content_type_guess (filename, head, head_len, &uncertain);
  char *mime = ctype != NULL ? g_content_type_get_mime_type (ctype) : NULL;

  if (mime == NULL || strchr (mime, '/') == NULL)
    {
      g_free (mime);
      return g_strdup ("application/octet-stream");
    }
  return mime;
}

static GMimePart *
binary_part (const char  *mime_type,
             GMimeStream *stream)
{
  g_auto(GStrv) split = g_strsplit (mime_type, "/", 2);
  GMimePart *part = g_mime_part_new_with_type (split[0], split[1] ? split[1] : "octet-stream");
  g_autoptr(GMimeDataWrapper) wrapper =
    g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);

  g_mime_part_set_content (part, wrapper);
  g_mime_part_set_content_encoding (part, GMIME_CONTENT_ENCODING_BASE64);
  return part;
}

static GMimePart *
preview_part (const TernCoiAttachmentDraft *a)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (a->preview, &len);
  g_autofree char *mime = a->preview_mime_type ? g_strdup (a->preview_mime_type)
                                               : guess_mime_type (NULL, data, MIN (len, 4096));
  g_autoptr(GMimeStream) stream = tern_coi_bytes_stream_new (a->preview, 0, -1);
  GMimePart *part;

  if (!g_str_has_prefix (mime, "image/"))
    {
      g_free (mime);
      mime = g_strdup ("image/jpeg");
    }
  part = binary_part (mime, stream);
  set_header (GMIME_OBJECT (part), "Chat-Content", "preview", FALSE);
  set_disposition (GMIME_OBJECT (part), "inline", NULL, (gint64) len);
  return part;
}

static GMimePart *
attachment_part (const TernCoiAttachmentDraft *a,
                 GError                      **error)
{
  g_autoptr(GMimeStream) stream = NULL;
  g_autofree char *mime = NULL;
  g_autofree char *filename = NULL;
  gint64 size;
  GMimePart *part;

  if ((a->path == NULL) == (a->bytes == NULL))
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                   "An attachment needs a path or bytes (one of them)");
      return NULL;
    }

  {
    g_autofree char *base = NULL;

    if (a->filename != NULL)
      base = g_path_get_basename (a->filename);
    else if (a->path != NULL)
      base = g_filename_display_basename (a->path);
    if (base == NULL || *base == '\0' || strcmp (base, ".") == 0 || strcmp (base, "/") == 0 ||
        strcmp (base, "..") == 0)
      {
        g_free (base);
        base = g_strdup ("file");
      }
    filename = header_text (base);
  }

  if (a->path != NULL)
    {
      struct stat st;
      guint8 head[4096];
      gssize n;

      stream = g_mime_stream_fs_open (a->path, O_RDONLY | O_CLOEXEC, 0, error);
      if (stream == NULL)
        {
          g_prefix_error (error, "%s: ", a->path);
          return NULL;
        }
      if (fstat (GMIME_STREAM_FS (stream)->fd, &st) != 0 ||
          !S_ISREG (st.st_mode))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE, "%s: not a regular file",
                       a->path);
          return NULL;
        }
      size = st.st_size;
      if (a->mime_type == NULL)
        {
          n = g_mime_stream_read (stream, (char *) head, sizeof head);
          mime = guess_mime_type (filename, head, n > 0 ? (gsize) n : 0);
          g_mime_stream_reset (stream);
        }
    }
  else
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (a->bytes, &len);

      stream = tern_coi_bytes_stream_new (a->bytes, 0, -1);
      size = len;
      if (a->mime_type == NULL)
        mime = guess_mime_type (filename, data, MIN (len, 4096));
    }
  if (mime == NULL)
    mime = g_ascii_strdown (a->mime_type, -1);

  part = binary_part (mime, stream);
  set_disposition (GMIME_OBJECT (part), "inline", filename, size);
  return part;
}

/**
 * tern_coi_build_attachments:
 * @draft: the message; `attachments` must hold at least one file, `text`
 *   is optional
 * @error: return location for an error (bad draft, file not readable)
 *
 * One file alone becomes the body itself (the spec's first example);
 * several, a text or previews make a multipart/mixed with the text first
 * and each preview right before its full part. Files are streamed from
 * disk when the message is written, base64.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_attachments (const TernCoiDraft *draft,
                            GError            **error)
{
  Frame frame = { 0 };
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_object_unref);
  GMimeObject *body;

  g_return_val_if_fail (draft != NULL, NULL);

  if (draft->n_attachments == 0)
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "No attachment to send");
      return NULL;
    }
  if (!check_group (draft, error))
    return NULL;
  frame.group_id = draft_group_id (draft);
  message = new_message (draft, &frame, error);
  if (message == NULL)
    return NULL;

  if ((draft->text != NULL && *draft->text != '\0') || draft->html != NULL ||
      draft->profile != NULL || (draft->group_info && draft->group != NULL))
    g_ptr_array_add (parts, text_body (draft, frame.group_id, draft->text));

  for (guint i = 0; i < draft->n_attachments; i++)
    {
      const TernCoiAttachmentDraft *a = &draft->attachments[i];
      GMimePart *full = attachment_part (a, error);

      if (full == NULL)
        return NULL;
      if (a->preview != NULL)
        g_ptr_array_add (parts, preview_part (a));
      g_ptr_array_add (parts, full);
    }

  /* A pinned single file keeps its own inline disposition: wrap it. */
  if (parts->len == 1 && !draft->pinned)
    body = g_object_ref (g_ptr_array_index (parts, 0));
  else
    {
      GMimeMultipart *mixed = g_mime_multipart_new_with_subtype ("mixed");

      for (guint i = 0; i < parts->len; i++)
        g_mime_multipart_add (mixed, g_ptr_array_index (parts, i));
      body = GMIME_OBJECT (mixed);
    }
  apply_pinned (draft, body);
  set_body (message, body);
  return g_steal_pointer (&message);
}

/* ------------------------------------------------------- edit and delete */

/**
 * tern_coi_build_edit:
 * @draft: the conversation (from, to, group, references)
 * @target_id: the Message-ID (no <>) of the message edited, or of its last edit
 * @new_text: the new text; "" means the message is deleted
 * @error: return location for an error
 *
 * COI form: `Chat-Content: editrequest` + `In-Reply-To: <target>`. Delta Chat
 * form alongside: a multipart/mixed whose first part has `Chat-Edit:
 * <target>` and the text "✏️" + new text.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_edit (const TernCoiDraft *draft,
                     const char         *target_id,
                     const char         *new_text,
                     GError            **error)
{
  Frame frame = { 0 };
  g_autoptr(GMimeMessage) message = NULL;
  g_autofree char *target = NULL;
  g_autofree char *text = NULL;
  GMimeMultipart *mixed;
  GMimePart *part;

  g_return_val_if_fail (draft != NULL, NULL);

  if (!id_is_valid (target_id))
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "The edited message id is not valid");
      return NULL;
    }
  if (!check_group (draft, error))
    return NULL;
  frame.group_id = draft_group_id (draft);
  frame.in_reply_to = target_id;
  message = new_message (draft, &frame, error);
  if (message == NULL)
    return NULL;
  set_header (GMIME_OBJECT (message), "Chat-Content", "editrequest", FALSE);

  target = bracket (target_id);
  text = g_strconcat (EDIT_PREFIX, new_text != NULL ? new_text : "", NULL);
  part = plain_part (text);
  set_header (GMIME_OBJECT (part), "Chat-Edit", target, FALSE);
  mixed = g_mime_multipart_new_with_subtype ("mixed");
  g_mime_multipart_add (mixed, GMIME_OBJECT (part));
  g_object_unref (part);
  set_body (message, GMIME_OBJECT (mixed));
  return g_steal_pointer (&message);
}

/**
 * tern_coi_build_delete:
 * @draft: the conversation; `text` is the line a classic client shows
 *   [the spec's "(original message marked as deleted)"]
 * @target_id: the Message-ID (no <>) of the message deleted
 * @error: return location for an error
 *
 * `Chat-Content: deleterequest`, `In-Reply-To: <target>` and Delta Chat's
 * `Chat-Delete: <target>`.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_delete (const TernCoiDraft *draft,
                       const char         *target_id,
                       GError            **error)
{
  Frame frame = { 0 };
  g_autoptr(GMimeMessage) message = NULL;
  g_autofree char *target = NULL;

  g_return_val_if_fail (draft != NULL, NULL);

  if (!id_is_valid (target_id))
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "The deleted message id is not valid");
      return NULL;
    }
  if (!check_group (draft, error))
    return NULL;
  frame.group_id = draft_group_id (draft);
  frame.in_reply_to = target_id;
  message = new_message (draft, &frame, error);
  if (message == NULL)
    return NULL;
  target = bracket (target_id);
  set_header (GMIME_OBJECT (message), "Chat-Content", "deleterequest", FALSE);
  set_header (GMIME_OBJECT (message), "Chat-Delete", target, FALSE);
  set_body (message, GMIME_OBJECT (plain_part (
    draft->text != NULL ? draft->text : "(original message marked as deleted)")));
  return g_steal_pointer (&message);
}

/* ------------------------------------------------------------ read receipt */

/**
 * tern_coi_build_read_receipt:
 * @draft: from = the reader, to = the sender of the original; `subject`
 *   [Chat: Read receipt]; references as for any message
 * @original_message_id: the Message-ID (no <>) of the message read
 * @reporting_ua: (nullable): the Reporting-UA field [Tern]
 * @error: return location for an error
 *
 * An RFC 8098 multipart/report (report-type=disposition-notification) with a
 * human-readable part and the message/disposition-notification part
 * (`Disposition: manual-action/MDN-sent-manually; displayed`), without a
 * copy of the original, with Chat-Version: 1.0; never requests a receipt.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_read_receipt (const TernCoiDraft *draft,
                             const char         *original_message_id,
                             const char         *reporting_ua,
                             GError            **error)
{
  Frame frame = { 0 };
  g_autoptr(GMimeMessage) message = NULL;
  g_autofree char *human = NULL;
  g_autofree char *fields = NULL;
  g_autofree char *ua = NULL;
  GMimeMultipart *report;
  GMimePart *mdn;

  g_return_val_if_fail (draft != NULL, NULL);

  if (!id_is_valid (original_message_id))
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "The original message id is not valid");
      return NULL;
    }
  frame.no_receipt = TRUE;
  frame.group_id = NULL; /* a receipt is 1:1 even in groups */
  frame.subject = draft->subject != NULL ? draft->subject : "Chat: Read receipt";
  message = new_message (draft, &frame, error);
  if (message == NULL)
    return NULL;

  report = g_mime_multipart_new_with_subtype ("report");
  g_mime_content_type_set_parameter (g_mime_object_get_content_type (GMIME_OBJECT (report)),
                                     "report-type", "disposition-notification");

  human = g_strdup_printf ("The message <%s> was displayed to %s.\n"
                           "This is no guarantee that it was read or understood.",
                           original_message_id, draft->from.address);
  {
    GMimePart *p = plain_part (human);
    g_mime_multipart_add (report, GMIME_OBJECT (p));
    g_object_unref (p);
  }

  /* Header-like fields: keep them 7bit (an odd UA string is cleaned). */
  ua = g_strdup (reporting_ua != NULL ? reporting_ua : "Tern");
  for (char *p = ua; *p; p++)
    if ((guchar) *p < ' ' || (guchar) *p >= 0x7f)
      *p = '?';
  fields = g_strdup_printf ("Reporting-UA: %s\r\n"
                            "Original-Recipient: rfc822;%s\r\n"
                            "Final-Recipient: rfc822;%s\r\n"
                            "Original-Message-ID: <%s>\r\n"
                            "Disposition: manual-action/MDN-sent-manually; displayed\r\n",
                            ua, draft->from.address, draft->from.address, original_message_id);
  mdn = g_mime_part_new_with_type ("message", "disposition-notification");
  {
    g_autoptr(GMimeStream) stream = g_mime_stream_mem_new_with_buffer (fields, strlen (fields));
    g_autoptr(GMimeDataWrapper) w =
      g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);
    g_mime_part_set_content (mdn, w);
  }
  g_mime_part_set_content_encoding (mdn, GMIME_CONTENT_ENCODING_7BIT);
  g_mime_multipart_add (report, GMIME_OBJECT (mdn));
  g_object_unref (mdn);

  set_body (message, GMIME_OBJECT (report));
  return g_steal_pointer (&message);
}

/* ------------------------------------------------------------------ groups */

/**
 * tern_coi_build_group_left:
 * @draft: `group` set, `to` = the remaining members, `text` = a short
 *   explanation (the user's reason or a default)
 * @error: return location for an error
 *
 * `Chat-Content: groupleft`, Reply-To = the remaining members, and Delta
 * Chat's `Chat-Group-Member-Removed` naming the sender.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_group_left (const TernCoiDraft *draft,
                           GError            **error)
{
  g_autoptr(GMimeMessage) message = NULL;
  TernCoiDraft d;

  g_return_val_if_fail (draft != NULL, NULL);
  if (draft->group == NULL)
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "Leaving needs a group");
      return NULL;
    }
  d = *draft;
  d.group_info = FALSE;
  d.profile = NULL;
  if (d.text == NULL)
    d.text = "I left the group.";
  message = build_text_kind (&d, "groupleft", NULL, error);
  if (message == NULL)
    return NULL;
  {
    g_autoptr(GArray) rest = g_array_new (FALSE, FALSE, sizeof (TernCoiMailbox));

    g_array_append_vals (rest, draft->to, draft->n_to);
    g_array_append_vals (rest, draft->cc, draft->n_cc);
    set_address_header (message, "Reply-To", GMIME_ADDRESS_TYPE_REPLY_TO,
                        (const TernCoiMailbox *) (gpointer) rest->data, rest->len);
  }
  set_header (GMIME_OBJECT (message), "Chat-Group-Member-Removed", draft->from.address, FALSE);
  return g_steal_pointer (&message);
}

/**
 * tern_coi_build_group_info_request:
 * @draft: a group text message (`group` set)
 * @error: return location for an error
 *
 * A text message with `Chat-Content: grouprequested`.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_group_info_request (const TernCoiDraft *draft,
                                   GError            **error)
{
  g_return_val_if_fail (draft != NULL, NULL);
  if (draft->group == NULL)
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "A group info request needs a group");
      return NULL;
    }
  return build_text_kind (draft, "grouprequested", NULL, error);
}

/**
 * tern_coi_build_profile_request:
 * @draft: a text message (the spec recommends sending it with one)
 * @error: return location for an error
 *
 * A text message with `Chat-Content: profilerequest`.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_profile_request (const TernCoiDraft *draft,
                                GError            **error)
{
  g_return_val_if_fail (draft != NULL, NULL);
  return build_text_kind (draft, "profilerequest", NULL, error);
}

/**
 * tern_coi_convert_to_group:
 * @draft: the first message of the new group: `group` set (its `id` may be
 *   %NULL: one is generated), `to`/`cc` = the members
 * @new_group_id: (out) (optional) (transfer full): the group id used
 * @error: return location for an error
 *
 * Turns a 1:1 chat into a group: a new thread (a group Message-ID, no
 * In-Reply-To, no References) with a groupinfo part.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_convert_to_group (const TernCoiDraft *draft,
                           char              **new_group_id,
                           GError            **error)
{
  g_autofree char *id = NULL;
  TernCoiGroup group;
  TernCoiDraft d;
  GMimeMessage *message;

  g_return_val_if_fail (draft != NULL, NULL);
  if (draft->group == NULL)
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "Converting needs the new group");
      return NULL;
    }
  group = *draft->group;
  id = group.id != NULL ? g_strdup (group.id) : tern_coi_ids_new_group_id ();
  group.id = id;
  d = *draft;
  d.group = &group;
  d.group_info = TRUE;
  d.in_reply_to = NULL;
  d.references_first = NULL;
  d.references_last = NULL;
  message = build_text_kind (&d, NULL, NULL, error);
  if (message != NULL && new_group_id != NULL)
    *new_group_id = g_steal_pointer (&id);
  return message;
}

/* ---------------------------------------------------------------- location */

/**
 * tern_coi_build_location:
 * @draft: the message (`text` is shown above the position)
 * @latitude: degrees north, -90..90
 * @longitude: degrees east, -180..180
 * @error: return location for an error
 *
 * multipart/alternative: text/plain with "Position: LAT, LON" and a
 * text/html part marked `Chat-Content: location` with an h-geo.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_location (const TernCoiDraft *draft,
                         double              latitude,
                         double              longitude,
                         GError            **error)
{
  Frame frame = { 0 };
  g_autoptr(GMimeMessage) message = NULL;
  g_autofree char *plain = NULL;
  char lat[G_ASCII_DTOSTR_BUF_SIZE];
  char lon[G_ASCII_DTOSTR_BUF_SIZE];
  GMimeMultipart *alt;
  GString *html;

  g_return_val_if_fail (draft != NULL, NULL);

  if (!(latitude >= -90.0 && latitude <= 90.0 && longitude >= -180.0 && longitude <= 180.0))
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "The position is out of range");
      return NULL;
    }
  if (!check_group (draft, error))
    return NULL;
  frame.group_id = draft_group_id (draft);
  message = new_message (draft, &frame, error);
  if (message == NULL)
    return NULL;

  g_ascii_formatd (lat, sizeof lat, "%.6f", latitude);
  g_ascii_formatd (lon, sizeof lon, "%.6f", longitude);
  if (draft->text != NULL && *draft->text)
    plain = g_strdup_printf ("%s\n-\nPosition: %s, %s", draft->text, lat, lon);
  else
    plain = g_strdup_printf ("Position: %s, %s", lat, lon);

  html = g_string_new (NULL);
  if (draft->text != NULL && *draft->text)
    {
      g_string_append (html, "<p>");
      tern_coi_html_append_text (html, draft->text);
      g_string_append (html, "</p>\n<hr>\n");
    }
  g_string_append (html, "<p>Position:</p>\n");
  tern_coi_html_append_hgeo (html, latitude, longitude);

  alt = g_mime_multipart_new_with_subtype ("alternative");
  {
    GMimePart *p = plain_part (plain);
    GMimePart *h = html_part_take (tern_coi_html_document (html->str), "location");

    g_mime_multipart_add (alt, GMIME_OBJECT (p));
    g_mime_multipart_add (alt, GMIME_OBJECT (h));
    g_object_unref (p);
    g_object_unref (h);
  }
  g_string_free (html, TRUE);
  apply_pinned (draft, GMIME_OBJECT (alt));
  set_body (message, GMIME_OBJECT (alt));
  return g_steal_pointer (&message);
}

/* --------------------------------------------------------------- extension */

static gboolean
extension_name_is_valid (const char *name)
{
  if (name == NULL || strchr (name, '.') == NULL || name[0] == '.')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

/**
 * tern_coi_build_extension:
 * @draft: the message; `text` explains the content to classic clients
 * @name: the Chat-Content value, starting with a reverse domain
 *   (`com.example.Poll`)
 * @content_type: the data's type (`application/json`)
 * @data: the data
 * @error: return location for an error
 *
 * multipart/mixed: the explanation (text/plain), then the data part marked
 * `Chat-Content: NAME`.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_extension (const TernCoiDraft *draft,
                          const char         *name,
                          const char         *content_type,
                          GBytes             *data,
                          GError            **error)
{
  Frame frame = { 0 };
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GMimeStream) stream = NULL;
  GMimeMultipart *mixed;
  GMimePart *part;
  gsize len;
  const char *raw;

  g_return_val_if_fail (draft != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);

  if (!extension_name_is_valid (name))
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                   "An extension name starts with a reverse domain: [A-Za-z0-9._-] with a dot");
      return NULL;
    }
  if (content_type == NULL || strchr (content_type, '/') == NULL)
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "The extension needs a content type");
      return NULL;
    }
  if (!check_group (draft, error))
    return NULL;
  frame.group_id = draft_group_id (draft);
  message = new_message (draft, &frame, error);
  if (message == NULL)
    return NULL;

  mixed = g_mime_multipart_new_with_subtype ("mixed");
  {
    GMimeObject *t = text_body (draft, frame.group_id,
                                draft->text != NULL ? draft->text
                                                    : "This message needs a chat app to be shown.");
    g_mime_multipart_add (mixed, t);
    g_object_unref (t);
  }
  raw = g_bytes_get_data (data, &len);
  stream = tern_coi_bytes_stream_new (data, 0, -1);
  part = binary_part (content_type, stream);
  if (g_str_has_prefix (content_type, "text/"))
    g_mime_content_type_set_parameter (g_mime_object_get_content_type (GMIME_OBJECT (part)),
                                       "charset", "UTF-8");
  g_mime_part_set_content_encoding (part, choose_text_encoding (raw, len) ==
                                            GMIME_CONTENT_ENCODING_7BIT
                                          ? GMIME_CONTENT_ENCODING_7BIT
                                          : GMIME_CONTENT_ENCODING_BASE64);
  set_header (GMIME_OBJECT (part), "Chat-Content", name, FALSE);
  g_mime_multipart_add (mixed, GMIME_OBJECT (part));
  g_object_unref (part);
  apply_pinned (draft, GMIME_OBJECT (mixed));
  set_body (message, GMIME_OBJECT (mixed));
  return g_steal_pointer (&message);
}

/* ------------------------------------------------------- storage messages */

static GMimeMessage *
storage_message (const TernCoiMailbox *owner,
                 const char           *subject,
                 const char           *group_id,
                 GDateTime            *date,
                 GError              **error)
{
  TernCoiDraft d = { 0 };
  Frame frame = { 0 };

  if (owner == NULL)
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "A storage message needs its owner");
      return NULL;
    }
  d.from = *owner;
  d.date = date;
  frame.subject = subject;
  frame.group_id = group_id;
  frame.no_conversation = TRUE;
  frame.no_receipt = TRUE;
  return new_message (&d, &frame, error);
}

static gboolean
check_card (const TernCoiCard *card,
            GError           **error)
{
  if (card == NULL || card->emails == NULL || card->emails[0] == NULL)
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "A card needs an e-mail address");
      return FALSE;
    }
  for (guint i = 0; card->emails[i] != NULL; i++)
    if (!address_is_valid (card->emails[i]))
      {
        g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                     "E-mail address %u of the card is not valid", i + 1);
        return FALSE;
      }
  return TRUE;
}

/**
 * tern_coi_build_contact_storage:
 * @owner: the user (From)
 * @contact: the contact's h-card (at least one e-mail)
 * @blocked: the contact is blocked (`COI-Blocked: yes`)
 * @date: (nullable): when the contact was last changed [now]
 * @error: return location for an error
 *
 * A text/html message with `Chat-Content: contact`, one `COI-From-Hash` per
 * e-mail address of the contact, for COI/Contacts.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_contact_storage (const TernCoiMailbox *owner,
                                const TernCoiCard    *contact,
                                gboolean              blocked,
                                GDateTime            *date,
                                GError              **error)
{
  g_autoptr(GMimeMessage) message = NULL;
  GString *body;

  if (!check_card (contact, error))
    return NULL;
  message = storage_message (owner, "Contact", NULL, date, error);
  if (message == NULL)
    return NULL;

  for (guint i = 0; contact->emails[i] != NULL; i++)
    {
      g_autofree char *hash = tern_coi_address_hash (contact->emails[i]);
      set_header (GMIME_OBJECT (message), "COI-From-Hash", hash, TRUE);
    }
  if (blocked)
    set_header (GMIME_OBJECT (message), "COI-Blocked", "yes", FALSE);
  set_header (GMIME_OBJECT (message), "Chat-Content", "contact", FALSE);

  body = g_string_new (NULL);
  tern_coi_html_append_hcard (body, contact, FALSE);
  set_body (message, GMIME_OBJECT (html_part_take (tern_coi_html_document (body->str), NULL)));
  g_string_free (body, TRUE);
  return g_steal_pointer (&message);
}

/**
 * tern_coi_build_profile_storage:
 * @owner: the user (From)
 * @profiles: the user's profiles, one per audience (`profile_categories`
 *   says which categories of contacts see it; NULL = everyone)
 * @n_profiles: at least 1
 * @date: (nullable): when the profile was last changed [now]
 * @error: return location for an error
 *
 * multipart/mixed with `Chat-Content: profile`, one text/html part per
 * profile marked `Chat-Content: profile[; categories=...]`.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_profile_storage (const TernCoiMailbox *owner,
                                const TernCoiCard    *profiles,
                                guint                 n_profiles,
                                GDateTime            *date,
                                GError              **error)
{
  g_autoptr(GMimeMessage) message = NULL;
  GMimeMultipart *mixed;

  if (n_profiles == 0)
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "No profile to store");
      return NULL;
    }
  for (guint i = 0; i < n_profiles; i++)
    if (!check_card (&profiles[i], error))
      return NULL;
  message = storage_message (owner, "Profile", NULL, date, error);
  if (message == NULL)
    return NULL;
  set_header (GMIME_OBJECT (message), "Chat-Content", "profile", FALSE);

  mixed = g_mime_multipart_new_with_subtype ("mixed");
  for (guint i = 0; i < n_profiles; i++)
    {
      g_autofree char *cc = NULL;
      GString *body = g_string_new (NULL);
      GMimePart *part;

      if (profiles[i].profile_categories != NULL && *profiles[i].profile_categories)
        {
          g_autoptr(GString) cats = g_string_new (NULL);
          g_auto(GStrv) items = g_strsplit (profiles[i].profile_categories, ",", -1);

          for (guint k = 0; items[k]; k++)
            {
              g_strstrip (items[k]);
              for (char *p = items[k]; *p; p++)
                if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
                  *p = '_';
              if (*items[k])
                g_string_append_printf (cats, "%s%s", cats->len ? "," : "", items[k]);
            }
          cc = g_strdup_printf ("profile; categories=%s", cats->str);
        }
      tern_coi_html_append_hcard (body, &profiles[i], FALSE);
      part = html_part_take (tern_coi_html_document (body->str), cc != NULL ? cc : "profile");
      g_string_free (body, TRUE);
      g_mime_multipart_add (mixed, GMIME_OBJECT (part));
      g_object_unref (part);
    }
  set_body (message, GMIME_OBJECT (mixed));
  return g_steal_pointer (&message);
}

/**
 * tern_coi_build_group_storage:
 * @owner: the user (From)
 * @group: the group (`id` required), members with their e-mails
 * @date: (nullable): when the group was last changed [now]
 * @error: return location for an error
 *
 * `Chat-Content: group`, a group Message-ID, multipart/mixed with one
 * text/html part holding the h-group (p-id) and the participants as h-cards
 * with p-hash.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_group_storage (const TernCoiMailbox *owner,
                              const TernCoiGroup   *group,
                              GDateTime            *date,
                              GError              **error)
{
  g_autoptr(GMimeMessage) message = NULL;
  GMimeMultipart *mixed;
  GMimePart *part;
  GString *body;

  if (group == NULL || group->id == NULL)
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "A group storage message needs the group id");
      return NULL;
    }
  for (guint i = 0; i < group->n_members; i++)
    if (!check_card (&group->members[i], error))
      return NULL;
  message = storage_message (owner, "Group", group->id, date, error);
  if (message == NULL)
    return NULL;
  set_header (GMIME_OBJECT (message), "Chat-Content", "group", FALSE);

  body = g_string_new (NULL);
  tern_coi_html_append_hgroup (body, group, NULL, TRUE);
  part = html_part_take (tern_coi_html_document (body->str), "group");
  g_string_free (body, TRUE);
  mixed = g_mime_multipart_new_with_subtype ("mixed");
  g_mime_multipart_add (mixed, GMIME_OBJECT (part));
  g_object_unref (part);
  set_body (message, GMIME_OBJECT (mixed));
  return g_steal_pointer (&message);
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
tern_coi_mention_text (const char *name,
                       const char *address)
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
tern_coi_message_write (GMimeMessage  *message,
                        GMimeStream   *stream,
                        GError       **error)
{
  GMimeFormatOptions *options = wire_format ();
  gssize n;

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
  g_autoptr(GMimeStream) stream = g_mime_stream_mem_new_with_byte_array (array);
  GMimeFormatOptions *options = wire_format ();

  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  g_mime_object_write_to_stream (GMIME_OBJECT (message), options, stream);
  g_mime_format_options_free (options);
  return g_byte_array_free_to_bytes (array);
}
