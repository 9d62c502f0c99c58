/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-coi"

#include <errno.h>
#include <string.h>

#include "tern-coi-bytes-stream-private.h"
#include "tern-coi-error.h"
#include "tern-coi-microformats.h"
#include "tern-coi-names.h"
#include "tern-coi-parser.h"
#include "tern-coi-parser-private.h"
#include "tern-coi-text.h"

/* How the parser reads COI (decisions where the spec is silent or
 * contradicts itself; COI-NOTES.md: "send the strict form, accept every
 * form"):
 * - A chat message is any of the three criteria (Chat-Version, a chat$
 *   Message-ID, a chat$ first References id); which ones matched is kept.
 * - The group id comes from the Message-ID, else the first References id
 *   (classic replies), else Delta Chat's Chat-Group-ID; the group name is the
 *   Subject without reply prefixes, else Chat-Group-Name.
 * - Chat-Content is read on the message and on every part, lower-cased,
 *   with parameters; "edit" = "editrequest", "groupprofile" = "groupinfo",
 *   "groupprofilerequest" = "grouprequested"; trailing ";" accepted. A
 *   value with a dot is a client extension.
 * - Edits: Chat-Content editrequest/edit with In-Reply-To, or Delta Chat's
 *   Chat-Edit (first part of multipart/mixed, also top level: the flag
 *   dc.edit_in_first_part says which); the new text is the display text
 *   without the quote and without a leading "✏️".
 * - Receipts: Disposition-Notification-To, else
 *   Chat-Disposition-Notification-To. A DNT that differs from From on a
 *   message with Chat-Version is reported as a CHAT_RULES problem.
 * - Recipient lists separated by ";" (the spec's examples) are read as lists
 *   unless the value is an RFC 5322 group ("name: a, b;").
 * - The display text prefers text/plain (safer than HTML), else the HTML
 *   turned into text; parts marked Chat-Content: ignore are never shown.
 * - Attachments are the parts that are not the message text: non-text
 *   types, parts with a file name, Content-Disposition: attachment,
 *   message/rfc822. A preview is paired with the nearest full part after
 *   it (else before it).
 * - Limits: the input is bounded before GMime builds anything (long header
 *   lines cut, at most max(4 × max_parts, 1024) boundary lines), the MIME
 *   walk is iterative and stops at max_depth / max_parts, every string read
 *   from a part is bounded; each limit hit is a problem in the description. */

#define DEFAULT_MAX_SIZE ((gsize) 256 * 1024 * 1024)
#define DEFAULT_MAX_DEPTH 32
#define DEFAULT_MAX_PARTS 256
#define DEFAULT_MAX_HEADER_LINE ((gsize) 64 * 1024)
#define DEFAULT_MAX_TEXT ((gsize) 1024 * 1024)
#define MAX_REFERENCES 512
#define MAX_ADDRESSES 1000
#define MAX_HTML_BYTES ((gsize) 8 * 1024 * 1024)

/* ------------------------------------------------------------ small helpers */

static char *
strip_angle (const char *id)
{
  const char *start;
  const char *end;

  if (id == NULL)
    return NULL;
  while (g_ascii_isspace (*id))
    id++;
  start = *id == '<' ? id + 1 : id;
  end = strchr (start, '>');
  if (end == NULL)
    {
      end = start;
      while (*end && !g_ascii_isspace (*end))
        end++;
    }
  if (end == start)
    return NULL;
  return g_utf8_make_valid (start, end - start);
}

/* Message ids of In-Reply-To / References, tolerant: "<a@b> <c@d>", a missing
 * ">", comments and bare ids. */
static GPtrArray *
parse_id_list (const char *value, guint max)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  const char *p = value;

  while (p && *p && ids->len < max)
    {
      const char *start;
      const char *end;

      while (*p && (g_ascii_isspace (*p) || *p == ','))
        p++;
      if (*p == '\0')
        break;
      if (*p == '(')
        {
          /* comment */
          int depth = 0;
          for (; *p; p++)
            {
              if (*p == '(')
                depth++;
              else if (*p == ')' && --depth == 0)
                {
                  p++;
                  break;
                }
            }
          continue;
        }
      if (*p == '<')
        {
          start = ++p;
          end = start;
          while (*end && *end != '>' && *end != '<' && !g_ascii_isspace (*end))
            end++;
          p = *end == '>' ? end + 1 : end;
        }
      else
        {
          start = p;
          end = start;
          while (*end && !g_ascii_isspace (*end) && *end != '<' && *end != ',')
            end++;
          p = end;
          /* Bare words that are not ids ("Re", "Message") are skipped. */
          if (memchr (start, '@', end - start) == NULL)
            continue;
        }
      if (end > start)
        g_ptr_array_add (ids, g_utf8_make_valid (start, end - start));
    }
  return ids;
}

/* Replace *field with a copy of value (GLib 2.74 has no g_set_str). */
static void
set_str (char **field, const char *value)
{
  char *copy;

  if (*field == value)
    return;
  copy = value ? g_strdup (value) : NULL;
  g_free (*field);
  *field = copy;
}

static char *
lower_dup (const char *s, gssize len)
{
  return s ? g_ascii_strdown (s, len) : NULL;
}

/* "value; a=b; c=d" → lower-case value and a table of parameters. */
static char *
parse_value_params (const char *raw, GHashTable **params)
{
  const char *semi;
  g_autofree char *value = NULL;
  const char *p;

  if (params)
    *params = NULL;
  if (raw == NULL)
    return NULL;
  while (g_ascii_isspace (*raw))
    raw++;
  semi = strchr (raw, ';');
  value = g_ascii_strdown (raw, semi ? semi - raw : -1);
  g_strstrip (value);

  for (p = semi; p && *p && params;)
    {
      const char *name_start;
      const char *eq;
      const char *val_end;
      g_autofree char *name = NULL;
      char *val;

      p++;
      while (g_ascii_isspace (*p))
        p++;
      name_start = p;
      eq = strchr (p, '=');
      semi = strchr (p, ';');
      if (eq == NULL || (semi && semi < eq))
        {
          p = semi;
          continue;
        }
      if (*params == NULL)
        *params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      name = g_ascii_strdown (name_start, eq - name_start);
      g_strstrip (name);
      p = eq + 1;
      while (g_ascii_isspace (*p))
        p++;
      if (*p == '"')
        {
          const char *q = strchr (p + 1, '"');
          val_end = q ? q : p + strlen (p);
          val = g_strndup (p + 1, val_end - p - 1);
          p = q ? q + 1 : val_end;
          semi = strchr (p, ';');
        }
      else
        {
          val_end = semi ? semi : p + strlen (p);
          val = g_strndup (p, val_end - p);
          g_strstrip (val);
        }
      if (*name && g_hash_table_size (*params) < 32)
        g_hash_table_replace (*params, g_steal_pointer (&name), val);
      else
        g_free (val);
      p = semi;
    }
  return *value ? g_steal_pointer (&value) : NULL;
}

static void
add_mailboxes (GPtrArray *out, InternetAddressList *list, guint *count)
{
  int n = list ? internet_address_list_length (list) : 0;

  for (int i = 0; i < n && out->len < MAX_ADDRESSES; i++)
    {
      InternetAddress *ia = internet_address_list_get_address (list, i);

      if (INTERNET_ADDRESS_IS_MAILBOX (ia))
        {
          const char *addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (ia));
          const char *name = internet_address_get_name (ia);
          if (addr == NULL || *addr == '\0')
            continue;
          g_ptr_array_add (out, tern_coi_address_new (name, addr));
          if (count)
            (*count)++;
        }
      else if (INTERNET_ADDRESS_IS_GROUP (ia))
        add_mailboxes (out, internet_address_group_get_members (INTERNET_ADDRESS_GROUP (ia)), count);
    }
}

/* Does the value use ';' as a list separator (the spec's examples) rather
 * than as the end of an RFC 5322 group? */
static gboolean
uses_semicolon_lists (const char *raw)
{
  gboolean quoted = FALSE;
  gboolean colon = FALSE;
  gboolean semi = FALSE;

  for (const char *p = raw; *p; p++)
    {
      if (*p == '\\' && p[1])
        {
          p++;
          continue;
        }
      if (*p == '"')
        quoted = !quoted;
      else if (!quoted && *p == ':')
        colon = TRUE;
      else if (!quoted && *p == ';')
        semi = TRUE;
    }
  return semi && !colon;
}

static void
parse_address_header (GPtrArray *out, const char *raw, GMimeParserOptions *options)
{
  InternetAddressList *list;
  g_autofree char *fixed = NULL;

  if (raw == NULL)
    return;
  if (uses_semicolon_lists (raw))
    {
      gboolean quoted = FALSE;
      fixed = g_strdup (raw);
      for (char *p = fixed; *p; p++)
        {
          if (*p == '\\' && p[1])
            {
              p++;
              continue;
            }
          if (*p == '"')
            quoted = !quoted;
          else if (!quoted && *p == ';')
            *p = ',';
        }
      raw = fixed;
    }
  list = internet_address_list_parse (options, raw);
  add_mailboxes (out, list, NULL);
  g_clear_object (&list);
}

/* The first address of a header that names one mailbox. The common shapes
 * ("Name <a@b>", "<a@b>", "a@b") are read directly; anything else goes
 * through GMime's address parser. */
static char *
single_address (const char *raw, GMimeParserOptions *options)
{
  g_autoptr(GPtrArray) a = NULL;
  const char *lt;
  const char *gt;

  if (raw == NULL)
    return NULL;
  if (strpbrk (raw, ",;\"(\\=") == NULL)
    {
      lt = strchr (raw, '<');
      gt = lt ? strchr (lt, '>') : NULL;
      if (lt && gt && strchr (gt + 1, '<') == NULL && memchr (lt + 1, '@', gt - lt - 1))
        return g_utf8_make_valid (lt + 1, gt - lt - 1);
      if (lt == NULL && strchr (raw, '>') == NULL)
        {
          g_autofree char *trimmed = g_strstrip (g_strdup (raw));
          if (*trimmed && strchr (trimmed, '@') && strpbrk (trimmed, " \t\r\n") == NULL)
            return g_utf8_make_valid (trimmed, -1);
        }
    }
  a = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_coi_address_free);
  parse_address_header (a, raw, options);
  return a->len > 0 ? g_strdup (((TernCoiAddress *) a->pdata[0])->address) : NULL;
}

/* ------------------------------------------------------------ the parse */

typedef struct {
  TernCoiInfo *info;
  TernCoiParseOptions opts;
  GMimeParserOptions *gmime_options;
  char *message_chat_content;
  GHashTable *message_chat_content_params;
  const char *dnt_raw;
  const char *content_disposition_raw;
  gboolean has_mime_version;
  gboolean truncated;
} Ctx;

static gboolean
name_is (const char *name, const char *want)
{
  return g_ascii_strcasecmp (name, want) == 0;
}

/* GMime 3.2 drops the text after a B-encoded word that ends in '=' padding
 * when another encoded word follows ("=?UTF-8?B?YWI=?= =?UTF-8?B?Y2Q=?="
 * decodes to "ab"), and senders write such pairs all the time. Its
 * Q-encoded words have no such trouble, so every B word of a raw header is
 * rewritten as the Q word of the same bytes before GMime decodes it.
 * NULL when @raw has no B word (nothing to do). */
static char *
b_words_as_q (const char *raw)
{
  g_autoptr(GString) out = NULL;
  const char *p = raw;

  if (raw == NULL || (strstr (raw, "?B?") == NULL && strstr (raw, "?b?") == NULL))
    return NULL;

  out = g_string_sized_new (strlen (raw) + 16);
  while (*p != '\0')
    {
      const char *start = strstr (p, "=?");
      const char *charset_end, *text, *end;
      g_autofree guchar *bytes = NULL;
      g_autofree char *payload = NULL;
      gsize n_bytes = 0;

      if (start == NULL)
        break;
      charset_end = strchr (start + 2, '?');
      if (charset_end == NULL || (charset_end[1] != 'B' && charset_end[1] != 'b') ||
          charset_end[2] != '?')
        {
          g_string_append_len (out, p, start + 2 - p);
          p = start + 2;
          continue;
        }
      text = charset_end + 3;
      end = strstr (text, "?=");
      if (end == NULL || memchr (text, ' ', end - text) != NULL)
        {
          g_string_append_len (out, p, start + 2 - p);
          p = start + 2;
          continue;
        }
      payload = g_strndup (text, end - text);
      bytes = g_base64_decode (payload, &n_bytes);

      g_string_append_len (out, p, start - p);
      g_string_append_len (out, start, charset_end - start);
      g_string_append (out, "?Q?");
      for (gsize i = 0; i < n_bytes; i++)
        {
          if (g_ascii_isalnum (bytes[i]))
            g_string_append_c (out, bytes[i]);
          else
            g_string_append_printf (out, "=%02X", bytes[i]);
        }
      g_string_append (out, "?=");
      p = end + 2;
    }
  g_string_append (out, p);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ------------------------------------------------------------ header view
 *
 * What read_headers () reads of a message: its header fields (name, raw
 * value, value) and what GMime derives from them (Message-ID, Date, Subject,
 * address lists). From a GMimeMessage, or, on the fast path, from the header
 * block read here directly, computed the way GMime 3.2 computes them (same
 * utility functions, same order, the last field winning where GMime's does):
 *   value        g_mime_utils_header_decode_text (unfold (raw value))
 *   Message-ID   the last Message-Id field: g_mime_utils_decode_message_id (value)
 *   Date         the last Date field: g_mime_utils_header_decode_date (value)
 *   Subject      the value of the last Subject field
 *   From, To...  internet_address_list_parse (raw value) of every field of
 *                that name, appended in order. */

typedef struct {
  const char *name;
  const char *raw;
  GMimeHeader *gmime;   /* full path */
  char *owned;          /* fast path: "name\0raw" */
  char *value;          /* fast path: decoded on first use */
} Hdr;

typedef struct {
  GArray *headers;                      /* Hdr */
  GMimeMessage *message;                /* full path; NULL on the fast path */
  /* fast path only */
  char *message_id;
  GDateTime *date;
  InternetAddressList *lists[GMIME_ADDRESS_TYPE_BCC + 1];
} HeaderView;

static void
hdr_clear (gpointer p)
{
  Hdr *h = p;

  g_free (h->owned);
  g_free (h->value);
}

static void
view_init (HeaderView *view, GMimeMessage *message)
{
  memset (view, 0, sizeof *view);
  view->headers = g_array_new (FALSE, TRUE, sizeof (Hdr));
  g_array_set_clear_func (view->headers, hdr_clear);
  view->message = message;
  if (message != NULL)
    {
      GMimeHeaderList *list = g_mime_object_get_header_list (GMIME_OBJECT (message));
      int n = g_mime_header_list_get_count (list);

      g_array_set_size (view->headers, n);
      for (int i = 0; i < n; i++)
        {
          Hdr *h = &g_array_index (view->headers, Hdr, i);

          h->gmime = g_mime_header_list_get_header_at (list, i);
          h->name = g_mime_header_get_name (h->gmime);
          h->raw = g_mime_header_get_raw_value (h->gmime);
        }
    }
}

static void
view_clear (HeaderView *view)
{
  g_array_unref (view->headers);
  g_free (view->message_id);
  g_clear_pointer (&view->date, g_date_time_unref);
  for (guint i = 0; i < G_N_ELEMENTS (view->lists); i++)
    g_clear_object (&view->lists[i]);
}

/* A raw value of one line of printable ASCII without "=?" decodes to
 * itself without the blanks around it: the unfold and the RFC 2047 decoder
 * have nothing to do. NULL when it is not that simple. */
static char *
simple_value (const char *raw)
{
  const char *start = raw;
  const char *end;
  const char *p;

  while (*start == ' ')
    start++;
  for (p = start; (guchar) *p >= 0x20 && (guchar) *p < 0x7f; p++)
    if (p[0] == '=' && p[1] == '?')
      return NULL;
  end = p;
  /* then only the line's end */
  if (p[0] == '\r')
    p++;
  if (p[0] == '\n')
    p++;
  if (*p != '\0')
    return NULL;
  while (end > start && end[-1] == ' ')
    end--;
  return g_strndup (start, end - start);
}

static const char *
hdr_value (Hdr *h)
{
  if (h->gmime != NULL)
    return g_mime_header_get_value (h->gmime);
  if (h->value == NULL && h->raw != NULL && (h->value = simple_value (h->raw)) == NULL)
    {
      g_autofree char *unfolded = g_mime_utils_header_unfold (h->raw);

      h->value = g_mime_utils_header_decode_text (NULL, unfolded);
    }
  return h->value;
}

/* The last field named @name, or NULL. */
static Hdr *
view_last (HeaderView *view, const char *name)
{
  for (guint i = view->headers->len; i > 0; i--)
    {
      Hdr *h = &g_array_index (view->headers, Hdr, i - 1);

      if (g_ascii_strcasecmp (h->name, name) == 0)
        return h;
    }
  return NULL;
}

static const char *
view_message_id (HeaderView *view)
{
  Hdr *h;

  if (view->message != NULL)
    return g_mime_message_get_message_id (view->message);
  if (view->message_id == NULL && (h = view_last (view, "Message-Id")) != NULL && hdr_value (h))
    view->message_id = g_mime_utils_decode_message_id (hdr_value (h));
  return view->message_id;
}

static GDateTime *
view_date (HeaderView *view)
{
  Hdr *h;

  if (view->message != NULL)
    return g_mime_message_get_date (view->message);
  if (view->date == NULL && (h = view_last (view, "Date")) != NULL && hdr_value (h))
    view->date = g_mime_utils_header_decode_date (hdr_value (h));
  return view->date;
}

static const char *
view_subject (HeaderView *view)
{
  Hdr *h;

  if (view->message != NULL)
    return g_mime_message_get_subject (view->message);
  h = view_last (view, "Subject");
  return h ? hdr_value (h) : NULL;
}

static InternetAddressList *
view_addresses (HeaderView *view, GMimeAddressType type)
{
  static const char *const names[] = { "Sender", "From", "Reply-To", "To", "Cc", "Bcc" };

  if (view->message != NULL)
    return g_mime_message_get_addresses (view->message, type);
  if (view->lists[type] == NULL)
    {
      view->lists[type] = internet_address_list_new ();
      for (guint i = 0; i < view->headers->len; i++)
        {
          Hdr *h = &g_array_index (view->headers, Hdr, i);
          InternetAddressList *list;

          if (g_ascii_strcasecmp (h->name, names[type]) != 0 || h->raw == NULL)
            continue;
          if ((list = internet_address_list_parse (NULL, h->raw)) != NULL)
            {
              internet_address_list_append (view->lists[type], list);
              g_object_unref (list);
            }
        }
    }
  return view->lists[type];
}

static gboolean
is_atom_char (char c)
{
  return g_ascii_isalnum (c);
}

/* A dot-atom of [A-Za-z0-9_+-] words (local part) or [A-Za-z0-9-] labels
 * (domain, not an IDN "xn--" one). */
static gboolean
simple_dot_atom (const char *p, const char *end, gboolean domain)
{
  gboolean need_word = TRUE;

  if (p == end)
    return FALSE;
  for (; p < end; p++)
    {
      if (*p == '.')
        {
          if (need_word)
            return FALSE;
          need_word = TRUE;
          continue;
        }
      if (!g_ascii_isalnum (*p) && *p != '-' && (domain || (*p != '_' && *p != '+')))
        return FALSE;
      if (domain && need_word && g_ascii_strncasecmp (p, "xn--", 4) == 0)
        return FALSE;
      need_word = FALSE;
    }
  return !need_word;
}

static gboolean
simple_addr_spec (const char *p, const char *end)
{
  const char *at = memchr (p, '@', end - p);

  return at != NULL && simple_dot_atom (p, at, FALSE) && simple_dot_atom (at + 1, end, TRUE);
}

/* The mailbox shapes chat messages use, read without GMime's address
 * parser (which builds a list and an object per address): "a@b", "<a@b>",
 * "Name Words <a@b>" and "\"Name Words\" <a@b>", the name being words of
 * letters and digits with single spaces. FALSE for anything else. */
static gboolean
simple_mailbox (const char *raw, char **name, char **addr)
{
  const char *p = raw;
  const char *end;
  const char *name_start = NULL, *name_end = NULL;
  const char *lt;

  while (*p == ' ' || *p == '\t')
    p++;
  end = p + strlen (p);
  while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
    end--;
  if (p == end)
    return FALSE;
  if (end[-1] != '>')
    {
      if (!simple_addr_spec (p, end))
        return FALSE;
      *name = NULL;
      *addr = g_strndup (p, end - p);
      return TRUE;
    }
  lt = memchr (p, '<', end - p);
  if (lt == NULL || !simple_addr_spec (lt + 1, end - 1))
    return FALSE;
  if (lt > p)
    {
      const char *q = p;
      const char *stop = lt;
      gboolean quoted = *q == '"';

      if (lt[-1] != ' ')
        return FALSE;
      stop = lt - 1;
      if (quoted)
        {
          if (stop - q < 3 || stop[-1] != '"')
            return FALSE;
          q++;
          stop--;
        }
      name_start = q;
      name_end = stop;
      /* words of [A-Za-z0-9] separated by single spaces */
      if (!is_atom_char (*q) || !is_atom_char (stop[-1]))
        return FALSE;
      for (; q < stop; q++)
        if (!(is_atom_char (*q) || (*q == ' ' && is_atom_char (q[1]))))
          return FALSE;
    }
  *name = name_start ? g_strndup (name_start, name_end - name_start) : NULL;
  *addr = g_strndup (lt + 1, end - 1 - (lt + 1));
  return TRUE;
}

/* add_mailboxes () of the view's addresses of @type: on the fast path the
 * simple shapes are read directly, anything else through GMime. */
static void
view_add_mailboxes (HeaderView *view, GMimeAddressType type, GPtrArray *out, guint *count)
{
  static const char *const names[] = { "Sender", "From", "Reply-To", "To", "Cc", "Bcc" };
  g_autoptr(GPtrArray) found = NULL;

  if (view->message == NULL && view->lists[type] == NULL)
    {
      found = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_coi_address_free);
      for (guint i = 0; i < view->headers->len; i++)
        {
          Hdr *h = &g_array_index (view->headers, Hdr, i);
          char *name, *addr;

          if (g_ascii_strcasecmp (h->name, names[type]) != 0)
            continue;
          if (!simple_mailbox (h->raw, &name, &addr))
            {
              g_clear_pointer (&found, g_ptr_array_unref);
              break;
            }
          g_ptr_array_add (found, tern_coi_address_new (name, addr));
          g_free (name);
          g_free (addr);
        }
    }
  if (found == NULL)
    {
      add_mailboxes (out, view_addresses (view, type), count);
      return;
    }
  for (guint i = 0; i < found->len && out->len < MAX_ADDRESSES; i++)
    {
      g_ptr_array_add (out, g_steal_pointer (&found->pdata[i]));
      if (count)
        (*count)++;
    }
}

static void
read_headers (Ctx *ctx, HeaderView *view)
{
  TernCoiInfo *info = ctx->info;
  int n = view->headers->len;
  const char *in_reply_to = NULL;
  const char *references = NULL;
  const char *to_raw = NULL;
  const char *cc_raw = NULL;
  const char *reply_to_raw = NULL;
  const char *from_raw = NULL;
  const char *subject_raw = NULL;
  gboolean seen_to = FALSE, seen_cc = FALSE;

  for (int i = 0; i < n; i++)
    {
      Hdr *h = &g_array_index (view->headers, Hdr, i);
      const char *name = h->name;

      if (name == NULL)
        continue;
      switch (g_ascii_tolower (name[0]))
        {
        case 'c':
          if (name_is (name, "Chat-Version"))
            {
              if (info->chat_version == NULL)
                {
                  g_free (parse_value_params (hdr_value (h), &info->chat_version_params));
                  {
                    const char *v = hdr_value (h);
                    const char *semi = v ? strchr (v, ';') : NULL;
                    info->chat_version = v ? g_strndup (v, semi ? semi - v : (gssize) strlen (v)) : g_strdup ("");
                    g_strstrip (info->chat_version);
                  }
                }
            }
          else if (name_is (name, "Chat-Content"))
            {
              if (ctx->message_chat_content == NULL)
                ctx->message_chat_content = parse_value_params (hdr_value (h),
                                                                &ctx->message_chat_content_params);
            }
          else if (name_is (name, "Chat-Disposition-Notification-To"))
            {
              if (info->dc.dnt == NULL)
                info->dc.dnt = single_address (h->raw, ctx->gmime_options);
            }
          else if (name_is (name, "Chat-Group-ID"))
            set_str (&info->dc.group_id, hdr_value (h));
          else if (name_is (name, "Chat-Group-Name"))
            set_str (&info->dc.group_name, hdr_value (h));
          else if (name_is (name, "Chat-Group-Member-Added"))
            set_str (&info->dc.member_added, hdr_value (h));
          else if (name_is (name, "Chat-Group-Member-Removed"))
            set_str (&info->dc.member_removed, hdr_value (h));
          else if (name_is (name, "Chat-Edit"))
            {
              g_free (info->dc.edit_target);
              info->dc.edit_target = strip_angle (hdr_value (h));
            }
          else if (name_is (name, "Chat-Delete"))
            {
              g_free (info->dc.delete_target);
              info->dc.delete_target = strip_angle (hdr_value (h));
            }
          else if (name_is (name, "Chat-User-Avatar"))
            set_str (&info->dc.user_avatar, hdr_value (h));
          else if (name_is (name, "COI-From-Hash"))
            {
              const char *v = hdr_value (h);
              if (v && info->from_hashes->len < 64)
                {
                  char *hash = g_ascii_strdown (v, -1);
                  g_strstrip (hash);
                  g_ptr_array_add (info->from_hashes, hash);
                }
            }
          else if (name_is (name, "COI-Blocked"))
            info->blocked = TRUE;
          else if (name_is (name, "Cc"))
            {
              if (!seen_cc)
                cc_raw = h->raw;
              seen_cc = TRUE;
            }
          else if (name_is (name, "Content-Disposition"))
            ctx->content_disposition_raw = h->raw;
          break;
        case 'd':
          if (name_is (name, "Disposition-Notification-To"))
            ctx->dnt_raw = h->raw;
          break;
        case 'i':
          if (name_is (name, "In-Reply-To") && in_reply_to == NULL)
            in_reply_to = h->raw;
          break;
        case 'r':
          if (name_is (name, "References") && references == NULL)
            references = h->raw;
          else if (name_is (name, "Reply-To") && reply_to_raw == NULL)
            reply_to_raw = h->raw;
          break;
        case 't':
          if (name_is (name, "To"))
            {
              if (!seen_to)
                to_raw = h->raw;
              seen_to = TRUE;
            }
          break;
        case 'l':
          if (name_is (name, "List-Id") && info->list_id == NULL)
            {
              /* "Description <list.id>": the id inside the brackets */
              const char *v = hdr_value (h);
              const char *lt = v ? strrchr (v, '<') : NULL;
              info->list_id = strip_angle (lt ? lt : v);
            }
          break;
        case 'a':
          if (name_is (name, "Autocrypt"))
            info->has_autocrypt = TRUE;
          else if (name_is (name, "Auto-Submitted"))
            {
              g_autofree char *v = lower_dup (hdr_value (h), -1);
              if (v)
                {
                  g_strstrip (v);
                  if (*v && strncmp (v, "no", 2) != 0)
                    set_str (&info->auto_submitted, v);
                }
            }
          break;
        case 's':
          if (name_is (name, "Sender"))
            info->has_sender = TRUE;
          else if (name_is (name, "Subject") && subject_raw == NULL)
            subject_raw = h->raw;
          break;
        case 'f':
          if (name_is (name, "From") && from_raw == NULL)
            from_raw = h->raw;
          break;
        case 'm':
          if (name_is (name, "MIME-Version"))
            ctx->has_mime_version = TRUE;
          break;
        default:
          break;
        }
    }

  /* Ids */
  info->message_id = strip_angle (view_message_id (view));
  if (info->message_id == NULL)
    tern_coi_info_add_problem (info, TERN_COI_PROBLEM_BAD_MESSAGE_ID, "no Message-ID");
  if (in_reply_to)
    {
      g_autoptr(GPtrArray) ids = parse_id_list (in_reply_to, 1);
      if (ids->len > 0)
        info->in_reply_to = g_strdup (ids->pdata[0]);
    }
  if (references)
    {
      g_autoptr(GPtrArray) ids = parse_id_list (references, MAX_REFERENCES);
      g_strfreev (info->references);
      g_ptr_array_add (ids, NULL);
      info->references = (GStrv) g_ptr_array_steal (ids, NULL);
    }

  /* Date */
  {
    GDateTime *date = view_date (view);
    if (date)
      info->date = g_date_time_ref (date);
    else
      tern_coi_info_add_problem (info, TERN_COI_PROBLEM_BAD_DATE, "missing or invalid Date");
  }

  /* Addresses */
  {
    g_autoptr(GPtrArray) from = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_coi_address_free);
    guint count = 0;

    g_autofree char *from_q = b_words_as_q (from_raw);

    if (from_q != NULL)
      {
        InternetAddressList *list = internet_address_list_parse (ctx->gmime_options, from_q);
        add_mailboxes (from, list, &count);
        g_clear_object (&list);
      }
    else
      view_add_mailboxes (view, GMIME_ADDRESS_TYPE_FROM, from, &count);
    info->n_from = count;
    if (from->len > 0)
      info->from = g_ptr_array_steal_index (from, 0);
    if (count != 1)
      tern_coi_info_add_problem (info, TERN_COI_PROBLEM_BAD_FROM, "%u From addresses", count);
  }
  {
    g_autofree char *to_q = b_words_as_q (to_raw);
    g_autofree char *cc_q = b_words_as_q (cc_raw);
    g_autofree char *reply_to_q = b_words_as_q (reply_to_raw);

    if (to_q != NULL || (to_raw && uses_semicolon_lists (to_raw)))
      parse_address_header (info->to, to_q ? to_q : to_raw, ctx->gmime_options);
    else
      view_add_mailboxes (view, GMIME_ADDRESS_TYPE_TO, info->to, NULL);
    if (cc_q != NULL || (cc_raw && uses_semicolon_lists (cc_raw)))
      parse_address_header (info->cc, cc_q ? cc_q : cc_raw, ctx->gmime_options);
    else
      view_add_mailboxes (view, GMIME_ADDRESS_TYPE_CC, info->cc, NULL);
    if (reply_to_q != NULL || (reply_to_raw && uses_semicolon_lists (reply_to_raw)))
      parse_address_header (info->reply_to, reply_to_q ? reply_to_q : reply_to_raw,
                            ctx->gmime_options);
    else
      view_add_mailboxes (view, GMIME_ADDRESS_TYPE_REPLY_TO, info->reply_to, NULL);
  }

  {
    g_autofree char *subject_q = b_words_as_q (subject_raw);
    g_autofree char *decoded = NULL;
    const char *subject;

    if (subject_q != NULL)
      {
        g_autofree char *unfolded = g_mime_utils_header_unfold (subject_q);

        decoded = g_mime_utils_header_decode_text (ctx->gmime_options, unfolded);
        g_strstrip (decoded);
        subject = decoded;
      }
    else
      subject = view_subject (view);
    if (subject)
      info->subject = g_utf8_make_valid (subject, -1);
  }

  /* Receipt requests: the COI header, else Delta Chat's. */
  if (ctx->dnt_raw)
    {
      info->receipt_address = single_address (ctx->dnt_raw, ctx->gmime_options);
      info->receipt_requested = info->receipt_address != NULL;
    }
  if (!info->receipt_requested && info->dc.dnt)
    {
      info->receipt_requested = TRUE;
      info->receipt_address = g_strdup (info->dc.dnt);
    }
}

static void
classify_chat (Ctx *ctx)
{
  TernCoiInfo *info = ctx->info;

  if (info->chat_version)
    info->criteria |= TERN_COI_CRITERIA_CHAT_VERSION;
  if (tern_coi_names_is_chat_id (info->message_id))
    info->criteria |= TERN_COI_CRITERIA_MESSAGE_ID;
  if (info->references[0] && tern_coi_names_is_chat_id (info->references[0]))
    info->criteria |= TERN_COI_CRITERIA_REFERENCES;
  info->is_chat = info->criteria != TERN_COI_CRITERIA_NONE;
  info->is_classic = !info->is_chat;

  info->group_id = tern_coi_names_group_id_from_message_id (info->message_id);
  if (info->group_id == NULL && info->references[0])
    info->group_id = tern_coi_names_group_id_from_message_id (info->references[0]);
  if (info->group_id == NULL && info->dc.group_id && *info->dc.group_id)
    info->group_id = g_strdup (info->dc.group_id);
  if (info->group_id)
    {
      info->group_name = tern_coi_names_strip_subject (info->subject);
      if (*info->group_name == '\0' && info->dc.group_name)
        set_str (&info->group_name, info->dc.group_name);
    }
  else if (info->dc.group_name)
    info->group_name = g_strdup (info->dc.group_name);

  if (info->is_chat && info->chat_version)
    {
      if (info->has_sender)
        tern_coi_info_add_problem (info, TERN_COI_PROBLEM_CHAT_RULES, "chat message with Sender");
      if (!ctx->has_mime_version)
        tern_coi_info_add_problem (info, TERN_COI_PROBLEM_CHAT_RULES,
                                   "chat message without MIME-Version");
      if (info->receipt_requested && ctx->dnt_raw && info->from
          && g_ascii_strcasecmp (info->receipt_address, info->from->address) != 0)
        tern_coi_info_add_problem (info, TERN_COI_PROBLEM_CHAT_RULES,
                                   "Disposition-Notification-To differs from From");
    }
}

/* Content-Disposition: pinned; timeout=Tue, 5 Dec 2019 0:00:00 +0100 (an
 * unquoted date with commas, so read from the raw value). */
static void
read_pinned (Ctx *ctx, const char *raw)
{
  TernCoiInfo *info = ctx->info;
  g_autofree char *value = NULL;
  const char *t;

  if (raw == NULL)
    return;
  value = g_strdup (raw);
  /* unfold */
  for (char *p = value; *p; p++)
    if (*p == '\r' || *p == '\n' || *p == '\t')
      *p = ' ';
  g_strstrip (value);
  if (g_ascii_strncasecmp (value, "pinned", 6) != 0
      || (value[6] != '\0' && value[6] != ';' && value[6] != ' '))
    return;
  info->pinned = TRUE;
  for (t = value; (t = strchr (t, ';')) != NULL;)
    {
      t++;
      while (*t == ' ')
        t++;
      if (g_ascii_strncasecmp (t, "timeout", 7) == 0)
        {
          const char *v = t + 7;
          g_autofree char *date = NULL;
          const char *end;

          while (*v == ' ')
            v++;
          if (*v != '=')
            continue;
          v++;
          while (*v == ' ')
            v++;
          if (*v == '"')
            {
              v++;
              end = strchr (v, '"');
            }
          else
            end = strchr (v, ';');
          date = end ? g_strndup (v, end - v) : g_strdup (v);
          g_strstrip (date);
          info->pinned_until = g_mime_utils_header_decode_date (date);
          break;
        }
    }
}

typedef struct {
  GMimeObject *object;
  char *path;
  guint depth;
  gboolean in_alternative;
  gboolean in_report;
  guint alt_group;
} Frame;

/* Leaves of the MIME tree in document order, iteratively (no recursion: the
 * tree may be deep), bounded by depth and count. */
static void
collect_parts (Ctx *ctx, GMimeObject *top, GArray *alt_groups)
{
  TernCoiInfo *info = ctx->info;
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (Frame));
  guint next_alt = 1;

  if (top == NULL)
    return;
  {
    Frame f = { top, g_strdup (GMIME_IS_MULTIPART (top) ? "" : "1"), 0, FALSE, FALSE, 0 };
    g_array_append_val (stack, f);
  }

  while (stack->len > 0)
    {
      Frame f = g_array_index (stack, Frame, stack->len - 1);
      g_array_set_size (stack, stack->len - 1);

      if (GMIME_IS_MULTIPART (f.object))
        {
          GMimeMultipart *mp = GMIME_MULTIPART (f.object);
          GMimeContentType *ct = g_mime_object_get_content_type (f.object);
          const char *sub = ct ? g_mime_content_type_get_media_subtype (ct) : NULL;
          int count = g_mime_multipart_get_count (mp);
          gboolean alt = sub && g_ascii_strcasecmp (sub, "alternative") == 0;
          gboolean report = sub && g_ascii_strcasecmp (sub, "report") == 0;
          guint alt_group = alt ? next_alt++ : f.alt_group;

          if (!mp->write_end_boundary && !ctx->truncated)
            {
              ctx->truncated = TRUE;
              tern_coi_info_add_problem (info, TERN_COI_PROBLEM_TRUNCATED,
                                         "multipart without its closing boundary");
            }
          if (f.depth >= ctx->opts.max_depth)
            {
              tern_coi_info_add_problem (info, TERN_COI_PROBLEM_TOO_DEEP,
                                         "MIME nesting deeper than %u", ctx->opts.max_depth);
              g_free (f.path);
              continue;
            }
          /* Push children in reverse so the first is popped first. */
          for (int i = count - 1; i >= 0; i--)
            {
              Frame c;
              c.object = g_mime_multipart_get_part (mp, i);
              c.path = *f.path ? g_strdup_printf ("%s.%d", f.path, i + 1)
                               : g_strdup_printf ("%d", i + 1);
              c.depth = f.depth + 1;
              c.in_alternative = f.in_alternative || alt;
              c.in_report = f.in_report || report;
              c.alt_group = alt_group;
              g_array_append_val (stack, c);
            }
          g_free (f.path);
          continue;
        }

      if (info->parts->len >= ctx->opts.max_parts)
        {
          tern_coi_info_add_problem (info, TERN_COI_PROBLEM_TOO_MANY_PARTS,
                                     "more than %u parts", ctx->opts.max_parts);
          g_free (f.path);
          for (guint i = 0; i < stack->len; i++)
            g_free (g_array_index (stack, Frame, i).path);
          g_array_set_size (stack, 0);
          break;
        }

      {
        TernCoiPart *part = g_new0 (TernCoiPart, 1);
        GMimeContentType *ct = g_mime_object_get_content_type (f.object);
        GMimeContentDisposition *cd = g_mime_object_get_content_disposition (f.object);
        const char *cc = g_mime_object_get_header (f.object, "Chat-Content");

        part->index = info->parts->len;
        part->path = f.path;
        if (ct)
          {
            const char *type = g_mime_content_type_get_media_type (ct);
            const char *sub = g_mime_content_type_get_media_subtype (ct);
            char *joined = g_strconcat (type ? type : "application", "/",
                                        sub ? sub : "octet-stream", NULL);
            part->content_type = g_ascii_strdown (joined, -1);
            g_free (joined);
            part->charset = g_strdup (g_mime_content_type_get_parameter (ct, "charset"));
          }
        else
          part->content_type = g_strdup ("text/plain");
        if (cd && g_mime_content_disposition_get_disposition (cd))
          part->disposition = g_ascii_strdown (g_mime_content_disposition_get_disposition (cd), -1);
        /* A single-part message carries its Chat-Content in the message headers. */
        if (cc == NULL && f.object == top)
          {
            part->chat_content = g_strdup (ctx->message_chat_content);
            if (ctx->message_chat_content_params)
              part->chat_content_params = g_hash_table_ref (ctx->message_chat_content_params);
          }
        else if (cc)
          part->chat_content = parse_value_params (cc, &part->chat_content_params);
        part->ignore = g_strcmp0 (part->chat_content, "ignore") == 0;
        part->object = g_object_ref (f.object);
        g_ptr_array_add (info->parts, part);
        g_array_append_val (alt_groups, f.alt_group);
        (void) f.in_alternative;
        (void) f.in_report;
      }
    }
}

static gboolean
is_text_type (const char *ct, const char *sub)
{
  return g_str_has_prefix (ct, "text/") && strcmp (ct + 5, sub) == 0;
}

static gboolean
is_attachment_like (TernCoiPart *part)
{
  GMimeContentType *ct;

  if (g_strcmp0 (part->disposition, "attachment") == 0)
    return TRUE;
  if (GMIME_IS_PART (part->object)
      && g_mime_part_get_filename (GMIME_PART (part->object)) != NULL)
    return TRUE;
  ct = g_mime_object_get_content_type (part->object);
  return ct && g_mime_content_type_get_parameter (ct, "name") != NULL;
}

static void
read_mdn (Ctx *ctx, TernCoiPart *part)
{
  TernCoiInfo *info = ctx->info;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  TernCoiMdn *mdn;
  GString *current = NULL;

  if (GMIME_IS_PART (part->object))
    text = tern_coi_text_part_get_text (GMIME_PART (part->object), 64 * 1024, FALSE, NULL);
  else if (GMIME_IS_MESSAGE_PART (part->object))
    {
      /* GMime may parse the fields as a headers-only message. */
      GMimeMessage *m = g_mime_message_part_get_message (GMIME_MESSAGE_PART (part->object));
      if (m)
        text = g_mime_object_get_headers (GMIME_OBJECT (m), NULL);
    }
  if (text == NULL)
    return;

  mdn = info->mdn ? info->mdn : g_new0 (TernCoiMdn, 1);
  info->mdn = mdn;
  lines = g_strsplit (text, "\n", 200);
  for (guint i = 0; lines[i] || current; i++)
    {
      const char *line = lines[i];

      if (line && (line[0] == ' ' || line[0] == '\t') && current)
        {
          g_string_append (current, line);
          continue;
        }
      if (current)
        {
          char *colon = strchr (current->str, ':');
          if (colon)
            {
              g_autofree char *name = g_strndup (current->str, colon - current->str);
              g_autofree char *value = g_strstrip (g_strdup (colon + 1));
              g_strstrip (name);
              if (name_is (name, "Original-Message-ID"))
                {
                  g_free (mdn->original_message_id);
                  mdn->original_message_id = strip_angle (value);
                }
              else if (name_is (name, "Disposition"))
                {
                  const char *semi = strrchr (value, ';');
                  set_str (&mdn->disposition, value);
                  g_free (mdn->disposition_type);
                  mdn->disposition_type = g_ascii_strdown (g_strstrip (semi ? (char *) semi + 1 : value), -1);
                  g_strstrip (mdn->disposition_type);
                }
              else if (name_is (name, "Final-Recipient") || name_is (name, "Original-Recipient"))
                {
                  const char *semi = strchr (value, ';');
                  g_autofree char *addr = g_strstrip (g_strdup (semi ? semi + 1 : value));
                  if (name_is (name, "Final-Recipient"))
                    set_str (&mdn->final_recipient, addr);
                  else
                    set_str (&mdn->original_recipient, addr);
                }
              else if (name_is (name, "Reporting-UA"))
                set_str (&mdn->reporting_ua, value);
            }
          g_string_free (current, TRUE);
          current = NULL;
        }
      if (line == NULL)
        break;
      if (*line && *line != '\r')
        current = g_string_new (line);
    }
  if (mdn->disposition_type)
    {
      /* "displayed" from "manual-action/MDN-sent-manually; displayed/error" */
      char *slash = strchr (mdn->disposition_type, '/');
      if (slash)
        *slash = '\0';
    }
}

static void
add_attachment (Ctx *ctx, TernCoiPart *part)
{
  TernCoiInfo *info = ctx->info;
  TernCoiAttachment *a = g_new0 (TernCoiAttachment, 1);
  const char *filename = NULL;
  const char *fallback = "file";

  a->part_index = part->index;
  a->path = g_strdup (part->path);
  a->mime_type = g_strdup (part->content_type);
  a->size = -1;
  a->is_preview = g_strcmp0 (part->chat_content, "preview") == 0;
  a->preview_index = -1;
  a->full_index = -1;
  a->object = g_object_ref (part->object);

  if (GMIME_IS_PART (part->object))
    {
      GMimeContentDisposition *cd = g_mime_object_get_content_disposition (part->object);
      filename = g_mime_part_get_filename (GMIME_PART (part->object));
      if (cd)
        {
          const char *size = g_mime_content_disposition_get_parameter (cd, "size");
          if (size)
            {
              char *end = NULL;
              gint64 v = g_ascii_strtoll (size, &end, 10);
              if (end != size && *end == '\0' && v >= 0)
                a->size = v;
            }
        }
    }
  else if (GMIME_IS_MESSAGE_PART (part->object))
    {
      GMimeMessage *m = g_mime_message_part_get_message (GMIME_MESSAGE_PART (part->object));
      filename = m ? g_mime_message_get_subject (m) : NULL;
      fallback = "message.eml";
    }
  if (filename)
    {
      a->raw_filename = g_utf8_make_valid (filename, -1);
      if (GMIME_IS_MESSAGE_PART (part->object))
        {
          g_autofree char *eml = g_strconcat (a->raw_filename, ".eml", NULL);
          a->filename = tern_coi_names_sanitize_filename (eml, fallback);
        }
      else
        a->filename = tern_coi_names_sanitize_filename (a->raw_filename, fallback);
    }
  else
    {
      /* A name from the type: "image.jpeg" */
      const char *slash = strchr (part->content_type, '/');
      g_autofree char *guess = NULL;
      if (GMIME_IS_MESSAGE_PART (part->object))
        guess = g_strdup (fallback);
      else
        guess = g_strdup_printf ("%.*s.%s", (int) (slash ? slash - part->content_type : 4),
                                 part->content_type, slash ? slash + 1 : "bin");
      a->filename = tern_coi_names_sanitize_filename (guess, "file");
    }
  g_ptr_array_add (info->attachments, a);
}

static void
pair_previews (TernCoiInfo *info)
{
  GPtrArray *atts = info->attachments;

  for (guint i = 0; i < atts->len; i++)
    {
      TernCoiAttachment *p = g_ptr_array_index (atts, i);
      int partner = -1;

      if (!p->is_preview)
        continue;
      /* The nearest full part after it, else before it, not yet paired. */
      for (guint j = i + 1; j < atts->len && partner < 0; j++)
        {
          TernCoiAttachment *f = g_ptr_array_index (atts, j);
          if (!f->is_preview && f->preview_index < 0)
            partner = j;
        }
      for (int j = (int) i - 1; j >= 0 && partner < 0; j--)
        {
          TernCoiAttachment *f = g_ptr_array_index (atts, j);
          if (!f->is_preview && f->preview_index < 0)
            partner = j;
        }
      if (partner >= 0)
        {
          TernCoiAttachment *f = g_ptr_array_index (atts, partner);
          f->preview_index = i;
          p->full_index = partner;
        }
    }
}

static void
add_problem_flags (TernCoiInfo *info, TernCoiTextFlags flags, const char *path)
{
  if (flags & TERN_COI_TEXT_BAD_CHARSET)
    tern_coi_info_add_problem (info, TERN_COI_PROBLEM_BAD_CHARSET,
                               "part %s: unknown charset or invalid bytes", path);
  if (flags & TERN_COI_TEXT_BAD_ENCODING)
    tern_coi_info_add_problem (info, TERN_COI_PROBLEM_BAD_ENCODING,
                               "part %s: invalid transfer encoding", path);
  if (flags & TERN_COI_TEXT_TRUNCATED)
    tern_coi_info_add_problem (info, TERN_COI_PROBLEM_TEXT_TOO_LONG,
                               "part %s: text cut at the limit", path);
}

static htmlDocPtr
parse_html_part (Ctx *ctx, TernCoiPart *part, char **html_out)
{
  TernCoiTextFlags flags = 0;
  char *html;
  htmlDocPtr doc;

  html = tern_coi_text_part_get_text (GMIME_PART (part->object), MAX_HTML_BYTES, FALSE, &flags);
  add_problem_flags (ctx->info, flags, part->path);
  doc = tern_coi_html_parse (html, strlen (html));
  if (doc == NULL && *html)
    tern_coi_info_add_problem (ctx->info, TERN_COI_PROBLEM_BAD_HTML, "part %s: unreadable HTML",
                               part->path);
  if (html_out)
    *html_out = html;
  else
    g_free (html);
  return doc;
}

static gboolean
is_structured_content (const char *cc)
{
  return cc && (strcmp (cc, "profile") == 0 || strcmp (cc, "contact") == 0
                || strcmp (cc, "groupinfo") == 0 || strcmp (cc, "groupprofile") == 0
                || strcmp (cc, "group") == 0 || strcmp (cc, "location") == 0);
}

static gboolean
is_extension_name (const char *cc)
{
  /* Client specific values start with a reverse domain: "com.example.x". */
  return cc && strchr (cc, '.') != NULL;
}

static void
set_main_text (Ctx *ctx, char *full, gboolean from_html)
{
  TernCoiInfo *info = ctx->info;

  if (strlen (full) > ctx->opts.max_text)
    {
      gsize cut = ctx->opts.max_text;
      while (cut > 0 && (full[cut] & 0xc0) == 0x80)
        cut--;
      full[cut] = '\0';
      tern_coi_info_add_problem (info, TERN_COI_PROBLEM_TEXT_TOO_LONG, "text cut at %" G_GSIZE_FORMAT
                                 " bytes", ctx->opts.max_text);
    }
  info->full_text = full;
  info->text_from_html = from_html;
  tern_coi_text_split (full, &info->text, &info->quoted_text, &info->signature);
  if (info->text == NULL)
    info->text = g_strdup ("");
}

static void
describe_body (Ctx *ctx, GMimeObject *top)
{
  TernCoiInfo *info = ctx->info;
  g_autoptr(GArray) alt_groups = g_array_new (FALSE, TRUE, sizeof (guint));
  GString *plain = NULL;
  TernCoiPart *html_part = NULL;
  gboolean formatted_html = FALSE;
  gboolean has_markdown = FALSE;
  gboolean need_mentions_html = FALSE;
  guint plain_alt_group = 0;
  const char *top_sub = NULL;
  const char *report_type = NULL;

  if (top)
    {
      GMimeContentType *ct = g_mime_object_get_content_type (top);
      if (ct && g_ascii_strcasecmp (g_mime_content_type_get_media_type (ct), "multipart") == 0)
        {
          top_sub = g_mime_content_type_get_media_subtype (ct);
          report_type = g_mime_content_type_get_parameter (ct, "report-type");
        }
    }
  if (top_sub && g_ascii_strcasecmp (top_sub, "encrypted") == 0)
    {
      /* The payload is ciphertext, not a file for the user: nothing to show
       * until it is decrypted (later: Autocrypt). */
      info->is_encrypted = TRUE;
      set_main_text (ctx, g_strdup (""), FALSE);
      info->kind = TERN_COI_KIND_TEXT;
      return;
    }
  if (top_sub && g_ascii_strcasecmp (top_sub, "report") == 0 && report_type
      && g_ascii_strcasecmp (report_type, "delivery-status") == 0)
    info->is_bounce = TRUE;

  collect_parts (ctx, top, alt_groups);

  for (guint i = 0; i < info->parts->len; i++)
    {
      TernCoiPart *part = g_ptr_array_index (info->parts, i);
      guint alt_group = g_array_index (alt_groups, guint, i);
      const char *ct = part->content_type;

      if (part->ignore)
        continue;

      /* Delta Chat puts Chat-Edit in the headers of the first part. */
      if (i == 0 && part->object != top)
        {
          const char *edit = g_mime_object_get_header (part->object, "Chat-Edit");
          if (edit)
            {
              g_free (info->dc.edit_target);
              info->dc.edit_target = strip_angle (edit);
              info->dc.edit_in_first_part = info->dc.edit_target != NULL;
            }
        }

      if (strcmp (ct, "message/disposition-notification") == 0)
        {
          read_mdn (ctx, part);
          continue;
        }
      if (strcmp (ct, "message/delivery-status") == 0
          || strcmp (ct, "message/global-delivery-status") == 0
          || strcmp (ct, "text/rfc822-headers") == 0)
        {
          info->is_bounce = info->is_bounce || strcmp (ct, "text/rfc822-headers") != 0;
          continue;
        }
      if (strcmp (ct, "application/pgp-signature") == 0
          || strcmp (ct, "application/pkcs7-signature") == 0
          || strcmp (ct, "application/pgp-encrypted") == 0)
        continue;

      if (GMIME_IS_PART (part->object) && !is_attachment_like (part))
        {
          if (is_text_type (ct, "plain"))
            {
              TernCoiTextFlags flags = 0;
              g_autofree char *t = NULL;

              /* Alternatives of a plain part already taken are not repeated. */
              if (plain && alt_group != 0 && alt_group == plain_alt_group)
                continue;
              t = tern_coi_text_part_get_text (GMIME_PART (part->object), ctx->opts.max_text, TRUE,
                                               &flags);
              add_problem_flags (info, flags, part->path);
              if (plain == NULL)
                {
                  plain = g_string_new (t);
                  plain_alt_group = alt_group;
                }
              else if (*t)
                {
                  g_string_append_c (plain, '\n');
                  g_string_append (plain, t);
                }
              continue;
            }
          if (is_text_type (ct, "html"))
            {
              if (is_structured_content (part->chat_content))
                continue;
              if (html_part == NULL)
                html_part = part;
              if (alt_group != 0)
                formatted_html = TRUE;
              continue;
            }
          if (is_text_type (ct, "markdown") || is_text_type (ct, "x-markdown"))
            {
              TernCoiTextFlags flags = 0;
              if (info->markdown == NULL)
                {
                  info->markdown = tern_coi_text_part_get_text (GMIME_PART (part->object),
                                                                ctx->opts.max_text, FALSE, &flags);
                  add_problem_flags (info, flags, part->path);
                }
              has_markdown = TRUE;
              continue;
            }
        }

      if (is_text_type (ct, "html") && is_structured_content (part->chat_content)
          && !is_attachment_like (part))
        continue;

      add_attachment (ctx, part);
    }
  pair_previews (info);

  /* The display text: plain first (security-minded), else the HTML's text. */
  if (plain)
    set_main_text (ctx, g_string_free (g_steal_pointer (&plain), FALSE), FALSE);
  if (html_part && GMIME_IS_PART (html_part->object))
    {
      gboolean need_text = info->full_text == NULL;
      need_mentions_html = info->is_chat;
      if (need_text || need_mentions_html)
        {
          htmlDocPtr doc = parse_html_part (ctx, html_part, &info->html);
          if (need_text)
            set_main_text (ctx, tern_coi_text_from_html (doc), TRUE);
          if (need_mentions_html && doc)
            tern_coi_microformats_read_mentions_html (doc, info->mentions);
          if (doc)
            xmlFreeDoc (doc);
        }
    }

  /* Structured parts: profiles, groups, locations. */
  for (guint i = 0; i < info->parts->len; i++)
    {
      TernCoiPart *part = g_ptr_array_index (info->parts, i);
      htmlDocPtr doc;
      g_autofree char *html = NULL;

      if (!is_structured_content (part->chat_content) || !GMIME_IS_PART (part->object)
          || !is_text_type (part->content_type, "html"))
        continue;
      doc = parse_html_part (ctx, part, &html);
      if (doc == NULL)
        continue;
      if (strcmp (part->chat_content, "profile") == 0 || strcmp (part->chat_content, "contact") == 0)
        {
          g_autoptr(GPtrArray) cards = tern_coi_microformats_read_hcards (doc);
          if (cards->len > 0)
            {
              TernCoiHCard *card = g_ptr_array_steal_index (cards, 0);
              const char *cats = part->chat_content_params
                                   ? g_hash_table_lookup (part->chat_content_params, "categories")
                                   : NULL;
              if (cats)
                {
                  g_auto(GStrv) items = g_strsplit (cats, ",", 64);
                  card->profile_categories = g_ptr_array_new_with_free_func (g_free);
                  for (guint k = 0; items[k]; k++)
                    if (*g_strstrip (items[k]))
                      g_ptr_array_add (card->profile_categories, g_strdup (items[k]));
                }
              g_ptr_array_add (info->profiles, card);
              if (info->profile == NULL)
                info->profile = card;
            }
        }
      else if (strcmp (part->chat_content, "location") == 0)
        {
          double lat, lon;
          if (info->location == NULL && tern_coi_microformats_read_hgeo (doc, &lat, &lon))
            {
              info->location = g_new0 (TernCoiLocation, 1);
              info->location->latitude = lat;
              info->location->longitude = lon;
            }
        }
      else if (info->group == NULL)
        info->group = tern_coi_microformats_read_hgroup (doc);

      if (info->full_text == NULL)
        set_main_text (ctx, tern_coi_text_from_html (doc), TRUE);
      if (info->html == NULL)
        info->html = g_steal_pointer (&html);
      if (info->is_chat)
        tern_coi_microformats_read_mentions_html (doc, info->mentions);
      xmlFreeDoc (doc);
    }

  if (info->full_text == NULL)
    set_main_text (ctx, g_strdup (""), FALSE);
  if (info->location)
    info->location->text = g_strdup (info->text);

  if (info->is_chat)
    tern_coi_microformats_read_mentions_text (info->full_text, info->mentions);

  ctx->info->kind = TERN_COI_KIND_TEXT;
  if (has_markdown || (formatted_html && html_part && info->chat_version))
    ctx->info->kind = TERN_COI_KIND_FORMATTED;
  for (guint i = 0; i < info->attachments->len; i++)
    if (!((TernCoiAttachment *) g_ptr_array_index (info->attachments, i))->is_preview)
      {
        ctx->info->kind = TERN_COI_KIND_ATTACHMENTS;
        break;
      }
}

static void
decide_kind (Ctx *ctx)
{
  TernCoiInfo *info = ctx->info;
  const char *cc = ctx->message_chat_content;
  TernCoiKind kind = info->kind;

  /* A Chat-Content on a part names the message's purpose too (except
   * the per-part markers). */
  if (cc == NULL || strcmp (cc, "ignore") == 0 || strcmp (cc, "preview") == 0)
    {
      cc = NULL;
      for (guint i = 0; i < info->parts->len && cc == NULL; i++)
        {
          TernCoiPart *part = g_ptr_array_index (info->parts, i);
          const char *v = part->chat_content;
          if (v && strcmp (v, "ignore") != 0 && strcmp (v, "preview") != 0
              && strcmp (v, "profile") != 0 && strcmp (v, "groupinfo") != 0
              && strcmp (v, "groupprofile") != 0 && strcmp (v, "status") != 0)
            cc = v;
        }
    }

  if (info->mdn != NULL && info->mdn->original_message_id)
    kind = TERN_COI_KIND_MDN;
  else if (info->is_bounce)
    kind = TERN_COI_KIND_BOUNCE;
  else if (cc && (strcmp (cc, "editrequest") == 0 || strcmp (cc, "edit") == 0))
    {
      kind = TERN_COI_KIND_EDIT;
      set_str (&info->edit_target_id, info->in_reply_to);
    }
  else if (cc && (strcmp (cc, "deleterequest") == 0 || strcmp (cc, "delete") == 0))
    {
      kind = TERN_COI_KIND_DELETE;
      set_str (&info->delete_target_id, info->in_reply_to);
    }
  else if (info->dc.edit_target)
    {
      kind = TERN_COI_KIND_EDIT;
      set_str (&info->edit_target_id, info->dc.edit_target);
    }
  else if (info->dc.delete_target)
    {
      kind = TERN_COI_KIND_DELETE;
      set_str (&info->delete_target_id, info->dc.delete_target);
    }
  else if (cc && strcmp (cc, "groupleft") == 0)
    kind = TERN_COI_KIND_GROUP_LEFT;
  else if (cc && (strcmp (cc, "grouprequested") == 0 || strcmp (cc, "groupprofilerequest") == 0))
    kind = TERN_COI_KIND_GROUP_INFO_REQUEST;
  else if (cc && strcmp (cc, "profilerequest") == 0)
    kind = TERN_COI_KIND_PROFILE_REQUEST;
  else if (cc && strcmp (cc, "contact") == 0)
    kind = TERN_COI_KIND_CONTACT_STORAGE;
  else if (ctx->message_chat_content && strcmp (ctx->message_chat_content, "profile") == 0)
    kind = TERN_COI_KIND_PROFILE_STORAGE;
  else if (cc && strcmp (cc, "group") == 0)
    kind = TERN_COI_KIND_GROUP_STORAGE;
  else if (cc && strcmp (cc, "location") == 0)
    kind = TERN_COI_KIND_LOCATION;
  else if (is_extension_name (cc))
    {
      kind = TERN_COI_KIND_EXTENSION;
      set_str (&info->extension_name, cc);
    }

  if (!info->is_chat && kind != TERN_COI_KIND_MDN && kind != TERN_COI_KIND_BOUNCE)
    kind = TERN_COI_KIND_CLASSIC;
  info->kind = kind;

  if (kind == TERN_COI_KIND_EDIT)
    {
      const char *t = info->text ? info->text : "";
      /* Delta Chat: "✏️new text" (the quote of the old text is already split off). */
      if (g_str_has_prefix (t, "\xe2\x9c\x8f\xef\xb8\x8f"))
        t += 6;
      else if (g_str_has_prefix (t, "\xe2\x9c\x8f"))
        t += 3;
      while (*t == ' ')
        t++;
      info->edit_text = g_strdup (t);
      if (info->text && t != info->text)
        {
          g_free (info->text);
          info->text = g_strdup (info->edit_text);
        }
    }
}

static void
fill_is_me (Ctx *ctx)
{
  const char *const *self = ctx->opts.self_addresses;

  if (self == NULL)
    return;
  for (guint i = 0; i < ctx->info->mentions->len; i++)
    {
      TernCoiMention *m = g_ptr_array_index (ctx->info->mentions, i);
      for (guint k = 0; self[k] && !m->is_me; k++)
        m->is_me = m->is_all || (m->address && g_ascii_strcasecmp (m->address, self[k]) == 0);
    }
}

static void
normalise_opts (Ctx *ctx, const TernCoiParseOptions *opts)
{
  if (opts)
    ctx->opts = *opts;
  if (ctx->opts.max_size == 0)
    ctx->opts.max_size = DEFAULT_MAX_SIZE;
  if (ctx->opts.max_depth == 0)
    ctx->opts.max_depth = DEFAULT_MAX_DEPTH;
  if (ctx->opts.max_parts == 0)
    ctx->opts.max_parts = DEFAULT_MAX_PARTS;
  if (ctx->opts.max_header_line == 0)
    ctx->opts.max_header_line = DEFAULT_MAX_HEADER_LINE;
  if (ctx->opts.max_text == 0)
    ctx->opts.max_text = DEFAULT_MAX_TEXT;
}

static void
describe (Ctx *ctx, HeaderView *view, GMimeObject *top)
{
  read_headers (ctx, view);
  classify_chat (ctx);
  {
    /* GMime keeps the top-level Content-* headers on the MIME part. */
    const char *raw = ctx->content_disposition_raw;
    if (raw == NULL && top)
      {
        GMimeHeaderList *list = g_mime_object_get_header_list (top);
        GMimeHeader *h = g_mime_header_list_get_header (list, "Content-Disposition");
        raw = h ? g_mime_header_get_raw_value (h) : NULL;
      }
    read_pinned (ctx, raw);
  }
  if (!ctx->opts.headers_only)
    describe_body (ctx, top);
  decide_kind (ctx);
  fill_is_me (ctx);
}

static void
describe_message (Ctx *ctx, GMimeMessage *message)
{
  HeaderView view;

  view_init (&view, message);
  describe (ctx, &view, g_mime_message_get_mime_part (message));
  view_clear (&view);
}

static void
ctx_clear (Ctx *ctx)
{
  g_free (ctx->message_chat_content);
  g_clear_pointer (&ctx->message_chat_content_params, g_hash_table_unref);
}

TernCoiInfo *
tern_coi_parse_message (GMimeMessage *message, const TernCoiParseOptions *opts)
{
  Ctx ctx = { 0 };

  g_return_val_if_fail (GMIME_IS_MESSAGE (message), NULL);

  normalise_opts (&ctx, opts);
  ctx.info = tern_coi_info_new ();
  ctx.gmime_options = NULL;
  describe_message (&ctx, message);
  ctx_clear (&ctx);
  return ctx.info;
}

/* What GMime gets to see, bounded before it parses anything:
 * - header lines longer than max_line are cut, and a header block stops
 *   growing at MAX_HEADER_BLOCK bytes (its further lines are dropped): GMime
 *   would keep a 100 MB header (one line or folded) in memory several times
 *   over. Header blocks are the start of the message and what follows a
 *   boundary-like line ("--...") up to the next empty line;
 * - the input ends at the max_boundaries-th boundary-like line: GMime builds
 *   every part before we can look at them (about 3 KiB each), so the number
 *   of parts it may build is bounded here. The rest is reported as
 *   TOO_MANY_PARTS (and GMime reports the missing end boundaries).
 * All of it is done with substreams of the original bytes: no copy. */
#define MAX_HEADER_BLOCK ((gsize) 1024 * 1024)

typedef struct {
  GMimeStream *stream;
  GMimeStream *cat;
  gint64 kept_from;
} Guard;

/* Keep [kept_from, upto) and continue keeping from @resume. */
static void
guard_cut (Guard *g, gint64 upto, gint64 resume)
{
  GMimeStream *sub;

  if (g->cat == NULL)
    g->cat = g_mime_stream_cat_new ();
  if (upto > g->kept_from)
    {
      sub = g_mime_stream_substream (g->stream, g->kept_from, upto);
      g_mime_stream_cat_add_source (GMIME_STREAM_CAT (g->cat), sub);
      g_object_unref (sub);
    }
  g->kept_from = resume;
}

static GMimeStream *
guard_input (GBytes *bytes, GMimeStream *stream, gsize max_line, guint max_boundaries,
             TernCoiInfo *info)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  const char *p = data;
  const char *end = data + size;
  gboolean in_headers = TRUE;
  gsize block = 0;
  gint64 skip_from = -1;
  gint64 stop = size;
  guint boundaries = 0;
  Guard g = { stream, NULL, 0 };

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl ? nl : end;
      const char *next = nl ? nl + 1 : end;
      gsize len = line_end - p;
      gboolean drop = FALSE;

      if (len == 0 || (len == 1 && *p == '\r'))
        in_headers = FALSE;
      else if (len >= 2 && p[0] == '-' && p[1] == '-')
        {
          in_headers = TRUE;
          block = 0;
          if (++boundaries > max_boundaries)
            {
              stop = p - data;
              tern_coi_info_add_problem (info, TERN_COI_PROBLEM_TOO_MANY_PARTS,
                                         "more than %u boundaries: the rest is ignored",
                                         max_boundaries);
              break;
            }
        }
      else if (in_headers)
        {
          block += MIN (len, max_line) + 1;
          if (block > MAX_HEADER_BLOCK)
            {
              drop = TRUE;
              tern_coi_info_add_problem (info, TERN_COI_PROBLEM_HEADER_TOO_LONG,
                                         "header block beyond %" G_GSIZE_FORMAT " bytes cut",
                                         MAX_HEADER_BLOCK);
            }
        }

      /* Leaving a dropped run: keep from here. */
      if (!drop && skip_from >= 0)
        {
          guard_cut (&g, skip_from, p - data);
          skip_from = -1;
        }
      if (drop)
        {
          if (skip_from < 0)
            skip_from = p - data;
        }
      else if (in_headers && len > max_line)
        {
          guard_cut (&g, (p - data) + max_line, line_end - data);
          tern_coi_info_add_problem (info, TERN_COI_PROBLEM_HEADER_TOO_LONG,
                                     "header line of %" G_GSIZE_FORMAT " bytes cut", len);
        }
      p = next;
    }
  if (skip_from >= 0 && skip_from < stop)
    stop = skip_from;
  if (g.cat == NULL)
    return stop == (gint64) size ? g_object_ref (stream) : g_mime_stream_substream (stream, 0, stop);
  guard_cut (&g, stop, stop);
  return g.cat;
}

/* ------------------------------------------------------------ the fast path
 *
 * GMime builds an object per header field, six address lists and the
 * message around its MIME part: for a chat message of a few hundred bytes
 * that is most of the parse (callgrind: ~135k of ~265k instructions, and
 * ~30k more to free them). The description needs none of that beyond what
 * the header view gives, so when the header block is plain (every line a
 * field "Name: value", a continuation line, or the empty line ending it),
 * the message's own fields are read here and only the MIME part is left to
 * GMime: its Content-* fields (where GMime puts them) and the body, handed
 * to g_mime_parser_construct_part (). Everything else (a line GMime would
 * drop or treat as an mbox From line, NUL or a lone CR in the header block,
 * no empty line before the end, input the guard changed) takes the full
 * parse. The MIME part is GMime's in both cases, so attachments, multiparts
 * and encodings are read by the same code. test-coi-fastpath and the
 * fuzz-coi-fastpath target check that both paths give the same description.
 *
 * After it, for the messages bench-core-sync appends (bench-coi-parse
 * --count sync, callgrind): ~110k instructions per message instead of
 * ~265k, parse and free; the GMime part (~30k to build, ~25k to free) is
 * most of what is left. */

/* The largest message whose Content-* fields, when spread among the
 * others, are copied together with its body for the MIME part's parse. */
#define FAST_COPY_MAX ((gsize) 1024 * 1024)

/* The field [from, to) of @data, its name ending at @colon: into @view, or
 * into @runs (pairs of offsets, adjacent ones merged) when it is one of the
 * MIME part's Content-* fields. */
static void
close_field (const char *data, gsize from, gsize colon, gsize to, HeaderView *view, GArray *runs)
{
  gsize name_len = colon - from;
  gsize raw_len = to - colon - 1;
  Hdr h = { 0 };

  if (name_len >= 8 && g_ascii_strncasecmp (data + from, "Content-", 8) == 0)
    {
      gsize pair[2] = { from, to };

      if (runs->len >= 2 && g_array_index (runs, gsize, runs->len - 1) == from)
        g_array_index (runs, gsize, runs->len - 1) = to;
      else
        g_array_append_vals (runs, pair, 2);
      return;
    }
  h.owned = g_malloc (name_len + 1 + raw_len + 1);
  memcpy (h.owned, data + from, name_len);
  h.owned[name_len] = '\0';
  memcpy (h.owned + name_len + 1, data + colon + 1, raw_len);
  h.owned[name_len + 1 + raw_len] = '\0';
  h.name = h.owned;
  h.raw = h.owned + name_len + 1;
  g_array_append_val (view->headers, h);
}

/* Splits the header block the way GMime's parser does (field name up to the
 * ':', raw value = everything after the ':' up to and including the end of
 * its last line) into @view, leaving out the Content-* fields: GMime gives
 * them to the MIME part. The part's input is then the bytes from *part_from
 * (its Content-* fields when they are one run right before the empty line,
 * else just the empty line), or, when they are spread out, *copy: them
 * followed by the empty line and the body. FALSE when the block is not
 * plain (see above). */
static gboolean
fast_read_header_block (const char *data, gsize size, HeaderView *view, gsize *part_from,
                        GBytes **copy)
{
  const char *p = data;
  const char *end = data + size;
  g_autoptr(GArray) runs = g_array_new (FALSE, FALSE, sizeof (gsize));
  gssize field = -1;   /* the current field: offset of its name */
  gsize colon = 0;

  for (;;)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *cr;
      const char *q;
      gsize len;

      if (nl == NULL)
        return FALSE;   /* no empty line: GMime's end-of-input handling */
      len = nl - p;
      cr = memchr (p, '\r', len);
      if ((cr != NULL && cr != nl - 1) || memchr (p, '\0', len) != NULL)
        return FALSE;
      if (p[0] == ' ' || p[0] == '\t')
        {
          if (field < 0)
            return FALSE;   /* a continuation of nothing */
          p = nl + 1;
          continue;
        }
      if (field >= 0)
        close_field (data, field, colon, p - data, view, runs);
      field = -1;
      if (len == 0 || (len == 1 && p[0] == '\r'))
        break;   /* the empty line */
      for (q = p; q < nl && *q != ':'; q++)
        if ((guchar) *q <= 0x20 || (guchar) *q >= 0x7f)
          return FALSE;   /* GMime would drop the line, or read an mbox From line */
      if (q == nl || q == p)
        return FALSE;
      field = p - data;
      colon = q - data;
      p = nl + 1;
    }

  if (runs->len == 0)
    *part_from = p - data;
  else if (runs->len == 2 && g_array_index (runs, gsize, 1) == (gsize) (p - data))
    *part_from = g_array_index (runs, gsize, 0);
  else if (size > FAST_COPY_MAX)
    return FALSE;   /* no copy of a large message: GMime reads it in place */
  else
    {
      GByteArray *a = g_byte_array_sized_new (size);

      for (guint i = 0; i < runs->len; i += 2)
        g_byte_array_append (a, (const guint8 *) data + g_array_index (runs, gsize, i),
                             g_array_index (runs, gsize, i + 1) - g_array_index (runs, gsize, i));
      g_byte_array_append (a, (const guint8 *) p, end - p);
      *copy = g_byte_array_free_to_bytes (a);
      *part_from = 0;
    }
  return TRUE;
}

/* The thread's GMime parser, re-initialised per message (GMime's own reuse,
 * g_mime_parser_init_with_stream ()): building and freeing one costs about
 * 30k instructions, most of it its buffers. NULL when the thread's parser is
 * in use (a parse within a parse): the caller makes its own. */
static GPrivate thread_parser = G_PRIVATE_INIT (g_object_unref);
static GPrivate thread_parser_busy;

static GMimeParser *
parser_take (GMimeStream *stream)
{
  GMimeParser *parser;

  if (g_private_get (&thread_parser_busy) != NULL)
    parser = g_mime_parser_new ();
  else
    {
      parser = g_private_get (&thread_parser);
      if (parser == NULL)
        {
          parser = g_mime_parser_new ();
          g_private_set (&thread_parser, parser);
        }
      g_object_ref (parser);
      g_private_set (&thread_parser_busy, parser);
    }
  g_mime_parser_init_with_stream (parser, stream);
  g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
  g_mime_parser_set_persist_stream (parser, TRUE);
  return parser;
}

static GMimeStream *empty_stream;

static void
parser_give_back (GMimeParser *parser)
{
  if (g_private_get (&thread_parser_busy) == parser)
    {
      /* drop the message's stream (and bytes) now, not at the next parse */
      g_mime_parser_init_with_stream (parser, empty_stream);
      g_private_set (&thread_parser_busy, NULL);
    }
  g_object_unref (parser);
}

static TernCoiInfo *
parse_bytes (GBytes *bytes, const TernCoiParseOptions *opts, TernCoiParsePath path,
             gboolean *took_fast, GError **error)
{
  Ctx ctx = { 0 };
  GMimeStream *stream;
  GMimeStream *guarded;
  GMimeParser *parser;
  GMimeMessage *message;
  gsize size;

  g_return_val_if_fail (bytes != NULL, NULL);

  if (took_fast)
    *took_fast = FALSE;
  size = g_bytes_get_size (bytes);
  if (size == 0)
    {
      g_set_error_literal (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "empty message");
      return NULL;
    }

  if (g_once_init_enter (&empty_stream))
    g_once_init_leave (&empty_stream, g_mime_stream_mem_new ());

  normalise_opts (&ctx, opts);
  ctx.info = tern_coi_info_new ();

  if (size > ctx.opts.max_size)
    {
      tern_coi_info_add_problem (ctx.info, TERN_COI_PROBLEM_TOO_LARGE,
                                 "message of %" G_GSIZE_FORMAT " bytes: headers only", size);
      ctx.opts.headers_only = TRUE;
    }

  stream = tern_coi_bytes_stream_new (bytes, 0, -1);
  guarded = guard_input (bytes, stream, ctx.opts.max_header_line,
                         MAX (ctx.opts.max_parts * 4, 1024), ctx.info);

  /* GMime's default options, without a warning callback: with one, GMime
   * runs extra checks that cost about 10% of its parse. Truncated
   * multiparts and deep nesting are found by the walk instead. */
  ctx.gmime_options = NULL;

  if (path != TERN_COI_PARSE_FULL && guarded == stream)
    {
      HeaderView view;
      GBytes *copy = NULL;
      gsize part_from = 0;

      view_init (&view, NULL);
      if (fast_read_header_block (g_bytes_get_data (bytes, NULL), size, &view, &part_from,
                                  &copy))
        {
          GMimeStream *part_stream = copy ? tern_coi_bytes_stream_new (copy, 0, -1)
                                          : tern_coi_bytes_stream_new (bytes, part_from, -1);
          GMimeObject *top;

          parser = parser_take (part_stream);
          top = g_mime_parser_construct_part (parser, NULL);
          parser_give_back (parser);
          g_object_unref (part_stream);
          g_clear_pointer (&copy, g_bytes_unref);
          if (top != NULL)
            {
              describe (&ctx, &view, top);
              g_object_unref (top);
              view_clear (&view);
              g_object_unref (guarded);
              g_object_unref (stream);
              ctx_clear (&ctx);
              if (took_fast)
                *took_fast = TRUE;
              return ctx.info;
            }
        }
      view_clear (&view);
      g_clear_pointer (&copy, g_bytes_unref);
    }

  parser = parser_take (guarded);
  message = g_mime_parser_construct_message (parser, NULL);
  parser_give_back (parser);
  g_object_unref (guarded);
  g_object_unref (stream);

  if (message == NULL)
    {
      tern_coi_info_add_problem (ctx.info, TERN_COI_PROBLEM_NO_HEADERS, "no message headers");
      tern_coi_info_add_problem (ctx.info, TERN_COI_PROBLEM_BAD_FROM, "no From");
      ctx.info->text = g_strdup ("");
      ctx.info->full_text = g_strdup ("");
      ctx_clear (&ctx);
      return ctx.info;
    }

  describe_message (&ctx, message);
  g_object_unref (message);
  ctx_clear (&ctx);
  return ctx.info;
}

TernCoiInfo *
tern_coi_parse_bytes (GBytes *bytes, const TernCoiParseOptions *opts, GError **error)
{
  return parse_bytes (bytes, opts, TERN_COI_PARSE_AUTO, NULL, error);
}

TernCoiInfo *
tern_coi_parse_bytes_path (GBytes                    *bytes,
                           const TernCoiParseOptions *opts,
                           TernCoiParsePath           path,
                           gboolean                  *took_fast,
                           GError                   **error)
{
  return parse_bytes (bytes, opts, path, took_fast, error);
}
