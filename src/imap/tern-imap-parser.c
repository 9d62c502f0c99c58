/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-imap"

#include <string.h>

#include "tern-imap-error.h"
#include "tern-imap-parser.h"
#include "tern-imap-response-private.h"

/* How it works: feeding frames the byte stream into responses. Lines are
 * appended to one buffer; a line ending in a literal marker ({n}, {n+},
 * ~{n}) switches to literal mode, where the next n bytes are copied straight
 * into their own buffer (which becomes a GBytes), and the buffer goes on with
 * the next line. When a line ends without a marker, the response is complete
 * and is parsed in one pass over the buffer (no backtracking, no per-byte
 * calls): the buffer holds the marker text, and each marker takes the next
 * literal from the queue. A status response or continuation (first line
 * `tag OK|NO|BAD`, `* OK|NO|BAD|BYE|PREAUTH`, `+`) is always one line, so a
 * `{5}` at the end of its human text is not a literal. */

#define MAX_DEPTH_CAP 1024

/* Character classes */
enum {
  C_ATOM_END  = 1 << 0, /* ends an atom in data: SP ( ) { " CR LF NUL-less CTL */
  C_DIGIT     = 1 << 1,
  C_TAG_END   = 1 << 2,
};

static guint8 char_class[256];

struct _TernImapParser {
  TernImapParserLimits limits;
  GError              *error;          /* poisoned when set */
  GQueue               ready;          /* TernImapResponse* */

  /* the response being framed */
  guint8              *buf;
  gsize                len;
  gsize                alloc;
  gsize                line_start;     /* offset of the current line in buf */
  gsize                response_size;  /* lines and literals so far */
  gboolean             first_line_done;

  gboolean             in_literal;
  guint8              *lit_data;
  gsize                lit_len;
  gsize                lit_have;
  GPtrArray           *literals;       /* GBytes* of the current response */

  /* scratch for parsing */
  GPtrArray           *items;
  gsize               *open_lists;     /* start index in items per depth */
};

typedef struct {
  TernImapParser   *parser;
  TernImapResponse *response;
  const guint8     *start;
  const guint8     *p;
  const guint8     *end;
  guint             next_literal;
  gsize             n_values;
  GError          **error;
} ParseCtx;

static void
init_char_classes (void)
{
  static gsize inited = 0;

  if (g_once_init_enter (&inited))
    {
      for (guint c = 0; c < 256; c++)
        {
          guint8 cls = 0;
          if (c == ' ' || c == '(' || c == ')' || c == '{' || c == '"' || c == '\r' || c == '\n'
              || c == '\0')
            cls |= C_ATOM_END;
          if (c >= '0' && c <= '9')
            cls |= C_DIGIT;
          if (c == ' ' || c == '\r' || c == '\n' || c == '\0')
            cls |= C_TAG_END;
          char_class[c] = cls;
        }
      g_once_init_leave (&inited, 1);
    }
}

static char *
describe_near (const guint8 *start,
               const guint8 *p,
               const guint8 *end)
{
  const guint8 *from = p - start > 20 ? p - 20 : start;
  gsize n = MIN ((gsize) (end - from), 60);
  GString *out = g_string_new (NULL);

  /* Keep it printable: escape everything outside ASCII graphic. */
  for (gsize i = 0; i < n; i++)
    {
      guint8 c = (guint8) from[i];
      if (c >= 0x20 && c < 0x7f)
        g_string_append_c (out, (char) c);
      else
        g_string_append_printf (out, "\\x%02x", c);
    }
  return g_string_free (out, FALSE);
}

static gboolean
fail_parse (ParseCtx   *ctx,
            const char *what)
{
  g_autofree char *near = describe_near (ctx->start, ctx->p, ctx->end);

  g_set_error (ctx->error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_PARSE,
               "Malformed IMAP response: %s at offset %" G_GSIZE_FORMAT " near \"%s\"", what,
               (gsize) (ctx->p - ctx->start), near);
  return FALSE;
}

static TernImapValue *
new_value (ParseCtx *ctx,
           guint8    type)
{
  TernImapValue *v;

  if (++ctx->n_values > ctx->parser->limits.max_elements)
    {
      g_set_error (ctx->error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_LIMIT,
                   "IMAP response has more than %" G_GSIZE_FORMAT " elements",
                   ctx->parser->limits.max_elements);
      return NULL;
    }
  v = tern_imap_response_arena_alloc (ctx->response, sizeof (TernImapValue));
  memset (v, 0, sizeof *v);
  v->type = type;
  return v;
}

static inline gboolean
at_line_end (ParseCtx *ctx)
{
  const guint8 *p = ctx->p;
  return p >= ctx->end || *p == '\n' || (*p == '\r' && p + 1 < ctx->end && p[1] == '\n');
}

/* Skips a line end (CRLF or LF) at p. */
static gboolean
skip_line_end (ParseCtx *ctx)
{
  if (ctx->p < ctx->end && *ctx->p == '\r')
    ctx->p++;
  if (ctx->p < ctx->end && *ctx->p == '\n')
    {
      ctx->p++;
      return TRUE;
    }
  return FALSE;
}

static TernImapValue *
parse_literal (ParseCtx *ctx)
{
  const guint8 *p = ctx->p;
  guint64 n = 0;
  guint digits = 0;
  TernImapValue *v;
  GBytes *bytes;

  if (*p == '~')
    p++;
  p++; /* { */
  while (p < ctx->end && (char_class[*p] & C_DIGIT) && digits < 20)
    {
      n = n * 10 + (guint64) (*p - '0');
      p++;
      digits++;
    }
  if (p < ctx->end && *p == '+')
    p++;
  if (digits == 0 || p >= ctx->end || *p != '}')
    {
      fail_parse (ctx, "bad literal marker");
      return NULL;
    }
  p++;
  ctx->p = p;
  if (!skip_line_end (ctx))
    {
      fail_parse (ctx, "literal marker not at the end of a line");
      return NULL;
    }
  if (ctx->next_literal >= ctx->parser->literals->len)
    {
      fail_parse (ctx, "literal missing");
      return NULL;
    }
  bytes = g_ptr_array_index (ctx->parser->literals, ctx->next_literal);
  if (g_bytes_get_size (bytes) != n)
    {
      fail_parse (ctx, "literal size mismatch");
      return NULL;
    }
  ctx->next_literal++;
  v = new_value (ctx, TERN_IMAP_VALUE_STRING);
  if (v == NULL)
    return NULL;
  v->literal = TRUE;
  v->u.bytes = bytes; /* owned by response->literals */
  v->text = g_bytes_get_data (bytes, &v->length);
  return v;
}

static TernImapValue *
parse_quoted (ParseCtx *ctx)
{
  const guint8 *p = ctx->p + 1;
  const guint8 *s = p;
  gboolean escaped = FALSE;
  TernImapValue *v;
  char *out;
  gsize n = 0;

  /* First pass: find the end, note if there are escapes. */
  for (;;)
    {
      if (p >= ctx->end || *p == '\n')
        {
          ctx->p = p;
          fail_parse (ctx, "unterminated quoted string");
          return NULL;
        }
      if (*p == '"')
        break;
      if (*p == '\\')
        {
          escaped = TRUE;
          p++;
          if (p >= ctx->end || *p == '\n')
            continue;
        }
      p++;
    }

  v = new_value (ctx, TERN_IMAP_VALUE_STRING);
  if (v == NULL)
    return NULL;
  if (!escaped)
    {
      v->text = tern_imap_response_arena_strndup (ctx->response, (const char *) s, p - s);
      v->length = p - s;
    }
  else
    {
      out = tern_imap_response_arena_alloc (ctx->response, (p - s) + 1);
      for (const guint8 *q = s; q < p; q++)
        {
          if (*q == '\\')
            q++; /* \" and \\; other escapes are tolerated: keep the char */
          out[n++] = (char) *q;
        }
      out[n] = '\0';
      v->text = out;
      v->length = n;
    }
  ctx->p = p + 1;
  return v;
}

static TernImapValue *
parse_atom (ParseCtx *ctx,
            gboolean  in_code)
{
  const guint8 *s = ctx->p;
  const guint8 *p = s;
  const guint8 *end = ctx->end;
  TernImapValue *v;
  gsize len;

  while (p < end)
    {
      guint8 c = *p;
      if (char_class[c] & C_ATOM_END)
        break;
      if (c == ']' && in_code)
        break;
      if (c == '[' && !in_code)
        {
          /* BODY[HEADER.FIELDS (A B)]<0>: the brackets hold spaces and
           * parens; take them into the atom. */
          const guint8 *close = memchr (p, ']', end - p);
          /* only look for a line end up to the ']' so many bracketed
           * atoms on one long line stay linear */
          if (close == NULL || memchr (p, '\n', close - p) != NULL)
            {
              ctx->p = p;
              fail_parse (ctx, "unterminated [");
              return NULL;
            }
          p = close + 1;
          continue;
        }
      p++;
    }
  len = p - s;
  if (len == 0)
    {
      fail_parse (ctx, "unexpected character");
      return NULL;
    }
  ctx->p = p;

  if (len == 3 && (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'i' && (s[2] | 0x20) == 'l')
    return new_value (ctx, TERN_IMAP_VALUE_NIL);

  if (len <= 20 && (char_class[s[0]] & C_DIGIT))
    {
      guint64 n = 0;
      gboolean ok = TRUE;
      for (gsize i = 0; i < len; i++)
        {
          guint d;
          if (!(char_class[s[i]] & C_DIGIT))
            {
              ok = FALSE;
              break;
            }
          d = s[i] - '0';
          if (n > (G_MAXUINT64 - d) / 10)
            {
              ok = FALSE;
              break;
            }
          n = n * 10 + d;
        }
      if (ok)
        {
          v = new_value (ctx, TERN_IMAP_VALUE_NUMBER);
          if (v == NULL)
            return NULL;
          v->u.number = n;
          v->text = tern_imap_response_arena_strndup (ctx->response, (const char *) s, len);
          v->length = len;
          return v;
        }
    }

  v = new_value (ctx, TERN_IMAP_VALUE_ATOM);
  if (v == NULL)
    return NULL;
  v->text = tern_imap_response_arena_strndup (ctx->response, (const char *) s, len);
  v->length = len;
  return v;
}

static TernImapValue *
make_list (ParseCtx *ctx,
           gsize     from)
{
  GPtrArray *items = ctx->parser->items;
  gsize n = items->len - from;
  TernImapValue *v = new_value (ctx, TERN_IMAP_VALUE_LIST);

  if (v == NULL)
    return NULL;
  if (n > G_MAXUINT32)
    {
      g_set_error (ctx->error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_LIMIT, "IMAP list too long");
      return NULL;
    }
  v->n_children = (guint32) n;
  if (n > 0)
    {
      v->u.children = tern_imap_response_arena_alloc (ctx->response, n * sizeof (TernImapValue *));
      memcpy (v->u.children, items->pdata + from, n * sizeof (TernImapValue *));
    }
  g_ptr_array_set_size (items, from);
  return v;
}

/* Parses values until the end of the line (or ']' in a response code) into
 * one LIST value. */
static TernImapValue *
parse_values (ParseCtx *ctx,
              gboolean  in_code)
{
  TernImapParser *parser = ctx->parser;
  GPtrArray *items = parser->items;
  gsize base = items->len;
  guint depth = 0;
  TernImapValue *v;

  for (;;)
    {
      guint8 c;

      while (ctx->p < ctx->end && *ctx->p == ' ')
        ctx->p++;
      if (at_line_end (ctx) || (in_code && *ctx->p == ']'))
        {
          if (depth > 0)
            return fail_parse (ctx, "unterminated list"), NULL;
          break;
        }
      c = *ctx->p;
      switch (c)
        {
        case '(':
          if (depth >= parser->limits.max_depth)
            {
              g_set_error (ctx->error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_LIMIT,
                           "IMAP response nests lists deeper than %u", parser->limits.max_depth);
              return NULL;
            }
          parser->open_lists[depth++] = items->len;
          ctx->p++;
          continue;
        case ')':
          if (depth == 0)
            return fail_parse (ctx, "unbalanced )"), NULL;
          ctx->p++;
          v = make_list (ctx, parser->open_lists[--depth]);
          break;
        case '"':
          v = parse_quoted (ctx);
          break;
        case '{':
          v = parse_literal (ctx);
          break;
        case '~':
          if (ctx->p + 1 < ctx->end && ctx->p[1] == '{')
            v = parse_literal (ctx);
          else
            v = parse_atom (ctx, in_code);
          break;
        case '\r':
          return fail_parse (ctx, "stray CR"), NULL;
        default:
          v = parse_atom (ctx, in_code);
          break;
        }
      if (v == NULL)
        return NULL;
      g_ptr_array_add (items, v);
    }
  return make_list (ctx, base);
}

/* Text up to the line end, without it. */
static const char *
parse_text (ParseCtx *ctx)
{
  const guint8 *s = ctx->p;
  const guint8 *nl = s < ctx->end ? memchr (s, '\n', (gsize) (ctx->end - s)) : NULL;
  const guint8 *e = nl ? nl : ctx->end;
  const guint8 *after = nl ? nl + 1 : ctx->end;

  if (e > s && e[-1] == '\r')
    e--;
  ctx->p = after;
  return tern_imap_response_arena_strndup (ctx->response, (const char *) s, e - s);
}

static const char *
upper_atom (ParseCtx     *ctx,
            const guint8 *s,
            gsize         len)
{
  char *out = tern_imap_response_arena_alloc (ctx->response, len + 1);
  for (gsize i = 0; i < len; i++)
    out[i] = g_ascii_toupper ((char) s[i]);
  out[len] = '\0';
  return out;
}

static TernImapStatus
status_from_word (const guint8 *s,
                  gsize         len)
{
  if (len == 2 && g_ascii_strncasecmp ((const char *) s, "OK", 2) == 0)
    return TERN_IMAP_STATUS_OK;
  if (len == 2 && g_ascii_strncasecmp ((const char *) s, "NO", 2) == 0)
    return TERN_IMAP_STATUS_NO;
  if (len == 3 && g_ascii_strncasecmp ((const char *) s, "BAD", 3) == 0)
    return TERN_IMAP_STATUS_BAD;
  if (len == 3 && g_ascii_strncasecmp ((const char *) s, "BYE", 3) == 0)
    return TERN_IMAP_STATUS_BYE;
  if (len == 7 && g_ascii_strncasecmp ((const char *) s, "PREAUTH", 7) == 0)
    return TERN_IMAP_STATUS_PREAUTH;
  return TERN_IMAP_STATUS_NONE;
}

/* A word up to SP / line end. */
static gsize
word_len (const guint8 *p,
          const guint8 *end)
{
  const guint8 *s = p;
  while (p < end && !(char_class[*p] & C_TAG_END))
    p++;
  return p - s;
}

static gboolean
parse_status_tail (ParseCtx *ctx)
{
  TernImapResponse *r = ctx->response;

  if (ctx->p < ctx->end && *ctx->p == ' ')
    ctx->p++;
  if (ctx->p < ctx->end && *ctx->p == '[')
    {
      const guint8 *code_start = ++ctx->p;
      const guint8 *s = ctx->p;
      gsize base = ctx->parser->items->len;
      gsize saved_values = ctx->n_values;

      while (ctx->p < ctx->end && *ctx->p != ' ' && *ctx->p != ']' && *ctx->p != '\n'
             && *ctx->p != '\r')
        ctx->p++;
      if (ctx->p == s)
        return fail_parse (ctx, "empty response code");
      r->code_name = upper_atom (ctx, s, ctx->p - s);
      r->code = tern_imap_code_from_name (r->code_name);

      r->code_args = parse_values (ctx, TRUE);
      if (r->code_args == NULL || ctx->p >= ctx->end || *ctx->p != ']')
        {
          /* Unparsable arguments: keep them raw as one atom, up to the
           * last ']' of the line. */
          const guint8 *nl, *close = NULL, *q;
          if (ctx->error && *ctx->error && (*ctx->error)->code == TERN_IMAP_ERROR_LIMIT)
            return FALSE;
          g_clear_error (ctx->error);
          g_ptr_array_set_size (ctx->parser->items, base);
          ctx->n_values = saved_values;
          nl = memchr (s, '\n', ctx->end - s);
          if (nl == NULL)
            nl = ctx->end;
          for (q = s; q < nl; q++)
            if (*q == ']')
              close = q;
          if (close == NULL)
            {
              ctx->p = code_start;
              return fail_parse (ctx, "unterminated response code");
            }
          ctx->p = s + strlen (r->code_name);
          while (ctx->p < close && *ctx->p == ' ')
            ctx->p++;
          r->code_args = new_value (ctx, TERN_IMAP_VALUE_LIST);
          if (r->code_args == NULL)
            return FALSE;
          if (ctx->p < close)
            {
              TernImapValue *raw = new_value (ctx, TERN_IMAP_VALUE_ATOM);
              if (raw == NULL)
                return FALSE;
              raw->text = tern_imap_response_arena_strndup (r, (const char *) ctx->p,
                                                            close - ctx->p);
              raw->length = close - ctx->p;
              r->code_args->n_children = 1;
              r->code_args->u.children = tern_imap_response_arena_alloc (r, sizeof (gpointer));
              r->code_args->u.children[0] = raw;
            }
          ctx->p = close;
        }
      ctx->p++; /* ] */
      if (ctx->p < ctx->end && *ctx->p == ' ')
        ctx->p++;
    }
  r->text = parse_text (ctx);
  return TRUE;
}

static gboolean
parse_response (ParseCtx *ctx)
{
  TernImapResponse *r = ctx->response;
  const guint8 *s;
  gsize n;

  if (ctx->p >= ctx->end)
    return fail_parse (ctx, "empty line");

  if (*ctx->p == '+')
    {
      r->kind = TERN_IMAP_RESPONSE_CONTINUATION;
      ctx->p++;
      if (ctx->p < ctx->end && *ctx->p == ' ')
        ctx->p++;
      r->text = parse_text (ctx);
      return TRUE;
    }

  if (*ctx->p == '*')
    {
      r->kind = TERN_IMAP_RESPONSE_UNTAGGED;
      ctx->p++;
      if (ctx->p >= ctx->end || *ctx->p != ' ')
        return fail_parse (ctx, "expected a space after *");
      ctx->p++;
      s = ctx->p;
      n = word_len (s, ctx->end);
      if (n > 0 && (char_class[*s] & C_DIGIT))
        {
          guint64 num = 0;
          for (gsize i = 0; i < n; i++)
            {
              if (!(char_class[s[i]] & C_DIGIT) || num > (G_MAXUINT64 - 9) / 10)
                return fail_parse (ctx, "bad number");
              num = num * 10 + (guint64) (s[i] - '0');
            }
          r->has_number = TRUE;
          r->number = num;
          ctx->p += n;
          if (ctx->p >= ctx->end || *ctx->p != ' ')
            return fail_parse (ctx, "expected a space after the number");
          ctx->p++;
          s = ctx->p;
          n = word_len (s, ctx->end);
        }
      if (n == 0)
        return fail_parse (ctx, "missing response name");
      if (!r->has_number)
        r->status = status_from_word (s, n);
      if (r->status != TERN_IMAP_STATUS_NONE)
        {
          ctx->p += n;
          return parse_status_tail (ctx);
        }
      /* The name is an atom; stop at a '(' glued to it too. */
      for (gsize i = 0; i < n; i++)
        if (char_class[s[i]] & C_ATOM_END)
          {
            n = i;
            break;
          }
      if (n == 0)
        return fail_parse (ctx, "missing response name");
      r->name = upper_atom (ctx, s, n);
      ctx->p += n;
      r->data = parse_values (ctx, FALSE);
      if (r->data == NULL)
        return FALSE;
      if (!skip_line_end (ctx))
        return fail_parse (ctx, "expected the end of the line");
      return TRUE;
    }

  /* tagged */
  r->kind = TERN_IMAP_RESPONSE_TAGGED;
  s = ctx->p;
  n = word_len (s, ctx->end);
  if (n == 0)
    return fail_parse (ctx, "missing tag");
  for (gsize i = 0; i < n; i++)
    if (s[i] < 0x21 || s[i] >= 0x7f || s[i] == '(' || s[i] == ')' || s[i] == '{' || s[i] == '"'
        || s[i] == '\\' || s[i] == '%')
      {
        ctx->p = s + i;
        return fail_parse (ctx, "bad tag");
      }
  r->tag = tern_imap_response_arena_strndup (r, (const char *) s, n);
  ctx->p += n;
  if (ctx->p >= ctx->end || *ctx->p != ' ')
    return fail_parse (ctx, "expected a space after the tag");
  ctx->p++;
  s = ctx->p;
  n = word_len (s, ctx->end);
  r->status = status_from_word (s, n);
  if (r->status != TERN_IMAP_STATUS_OK && r->status != TERN_IMAP_STATUS_NO
      && r->status != TERN_IMAP_STATUS_BAD)
    return fail_parse (ctx, "expected OK, NO or BAD after the tag");
  ctx->p += n;
  return parse_status_tail (ctx);
}

/* Whether the first line (complete, with its LF) starts a one-line status
 * response or continuation. */
static gboolean
is_status_line (const guint8 *p,
                const guint8 *end)
{
  gsize n;

  if (p < end && *p == '+')
    return TRUE;
  if (p < end && *p == '*')
    {
      p++;
      if (p >= end || *p != ' ')
        return FALSE;
      p++;
    }
  else
    {
      n = word_len (p, end);
      if (n == 0)
        return FALSE;
      p += n;
      if (p >= end || *p != ' ')
        return FALSE;
      p++;
    }
  n = word_len (p, end);
  return status_from_word (p, n) != TERN_IMAP_STATUS_NONE;
}

static void
reset_response (TernImapParser *parser)
{
  /* Don't keep a huge buffer around after one huge response. */
  if (parser->alloc > 256 * 1024)
    {
      g_clear_pointer (&parser->buf, g_free);
      parser->alloc = 0;
    }
  parser->len = 0;
  parser->line_start = 0;
  parser->response_size = 0;
  parser->first_line_done = FALSE;
  if (parser->literals->len > 0)
    g_ptr_array_set_size (parser->literals, 0);
}

static gboolean
finish_response (TernImapParser *parser,
                 GError        **error)
{
  ParseCtx ctx;
  TernImapResponse *r;
  guint n_lits = parser->literals->len;

  r = tern_imap_response_alloc (parser->len + 64 * (n_lits + 1));
  if (n_lits > 0)
    {
      r->literals = tern_imap_response_arena_alloc (r, n_lits * sizeof (GBytes *));
      for (guint i = 0; i < n_lits; i++)
        r->literals[i] = g_bytes_ref (g_ptr_array_index (parser->literals, i));
      r->n_literals = n_lits;
    }

  ctx.parser = parser;
  ctx.response = r;
  ctx.start = parser->buf;
  ctx.p = parser->buf;
  ctx.end = parser->buf + parser->len;
  ctx.next_literal = 0;
  ctx.n_values = 0;
  ctx.error = error;

  if (!parse_response (&ctx))
    {
      g_ptr_array_set_size (parser->items, 0);
      tern_imap_response_unref (r);
      return FALSE;
    }
  if (ctx.next_literal != n_lits)
    {
      tern_imap_response_unref (r);
      return fail_parse (&ctx, "literal outside a value");
    }
  g_queue_push_tail (&parser->ready, r);
  reset_response (parser);
  return TRUE;
}

static gboolean
set_limit_error (TernImapParser *parser,
                 GError        **error,
                 const char     *what,
                 gsize           limit)
{
  g_set_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_LIMIT,
               "IMAP %s exceeds the limit of %" G_GSIZE_FORMAT " bytes", what, limit);
  return FALSE;
}

static void
buffer_append (TernImapParser *parser,
               const guint8   *data,
               gsize           n)
{
  if (parser->len + n > parser->alloc)
    {
      gsize want = MAX (parser->alloc * 2, parser->len + n);
      want = MAX (want, 4096);
      parser->buf = g_realloc (parser->buf, want);
      parser->alloc = want;
    }
  memcpy (parser->buf + parser->len, data, n);
  parser->len += n;
}

/* The line [line_start, len) is complete (ends with LF). If it ends with a
 * literal marker, returns TRUE and its size. */
static gboolean
line_literal (TernImapParser *parser,
              guint64        *size,
              gboolean       *overflow)
{
  const guint8 *s = parser->buf + parser->line_start;
  const guint8 *e = parser->buf + parser->len - 1; /* at LF */
  guint64 n = 0, mul = 1;
  guint digits = 0;

  *overflow = FALSE;
  if (e > s && e[-1] == '\r')
    e--;
  if (e <= s || e[-1] != '}')
    return FALSE;
  e--;
  if (e > s && e[-1] == '+')
    e--;
  while (e > s && (char_class[e[-1]] & C_DIGIT))
    {
      e--;
      if (digits >= 19)
        {
          *overflow = TRUE;
          continue;
        }
      n += (guint64) (*e - '0') * mul;
      mul *= 10;
      digits++;
    }
  if (digits == 0 || e <= s || e[-1] != '{')
    return FALSE;
  *size = n;
  return TRUE;
}

static gboolean
feed_real (TernImapParser *parser,
           const guint8   *data,
           gsize           len,
           GError        **error)
{
  const TernImapParserLimits *lim = &parser->limits;

  while (len > 0)
    {
      const guint8 *nl;
      gsize take;

      if (parser->in_literal)
        {
          take = MIN (len, parser->lit_len - parser->lit_have);
          memcpy (parser->lit_data + parser->lit_have, data, take);
          parser->lit_have += take;
          data += take;
          len -= take;
          if (parser->lit_have == parser->lit_len)
            {
              parser->lit_data[parser->lit_len] = '\0';
              g_ptr_array_add (parser->literals,
                               g_bytes_new_take (g_steal_pointer (&parser->lit_data),
                                                 parser->lit_len));
              parser->in_literal = FALSE;
            }
          continue;
        }

      nl = memchr (data, '\n', len);
      take = nl ? (gsize) (nl - data) + 1 : len;
      if (parser->len - parser->line_start + take > lim->max_line + 2)
        return set_limit_error (parser, error, "line", lim->max_line);
      if (parser->response_size + take > lim->max_response)
        return set_limit_error (parser, error, "response", lim->max_response);
      buffer_append (parser, data, take);
      parser->response_size += take;
      data += take;
      len -= take;
      if (nl == NULL)
        break;

      /* A complete line. */
      {
        guint64 lit = 0;
        gboolean overflow = FALSE;
        gboolean is_lit;

        if (!parser->first_line_done)
          {
            parser->first_line_done = TRUE;
            is_lit = !is_status_line (parser->buf, parser->buf + parser->len)
                     && line_literal (parser, &lit, &overflow);
          }
        else
          {
            is_lit = line_literal (parser, &lit, &overflow);
          }
        if (is_lit)
          {
            if (overflow || lit > lim->max_literal)
              return set_limit_error (parser, error, "literal", lim->max_literal);
            if (parser->response_size + lit > lim->max_response)
              return set_limit_error (parser, error, "response", lim->max_response);
            parser->response_size += lit;
            parser->lit_len = (gsize) lit;
            parser->lit_have = 0;
            parser->lit_data = g_malloc (parser->lit_len + 1);
            parser->in_literal = TRUE;
            parser->line_start = parser->len;
            if (lit == 0)
              {
                parser->lit_data[0] = '\0';
                g_ptr_array_add (parser->literals,
                                 g_bytes_new_take (g_steal_pointer (&parser->lit_data), 0));
                parser->in_literal = FALSE;
              }
            continue;
          }
        if (!finish_response (parser, error))
          return FALSE;
      }
    }
  return TRUE;
}

TernImapParser *
tern_imap_parser_new (const TernImapParserLimits *limits)
{
  TernImapParser *parser = g_new0 (TernImapParser, 1);

  init_char_classes ();
  if (limits != NULL)
    parser->limits = *limits;
  if (parser->limits.max_line == 0)
    parser->limits.max_line = TERN_IMAP_PARSER_DEFAULT_MAX_LINE;
  if (parser->limits.max_literal == 0)
    parser->limits.max_literal = TERN_IMAP_PARSER_DEFAULT_MAX_LITERAL;
  if (parser->limits.max_depth == 0)
    parser->limits.max_depth = TERN_IMAP_PARSER_DEFAULT_MAX_DEPTH;
  parser->limits.max_depth = MIN (parser->limits.max_depth, MAX_DEPTH_CAP);
  if (parser->limits.max_response == 0)
    parser->limits.max_response = TERN_IMAP_PARSER_DEFAULT_MAX_RESPONSE;
  if (parser->limits.max_elements == 0)
    parser->limits.max_elements = TERN_IMAP_PARSER_DEFAULT_MAX_ELEMENTS;
  g_queue_init (&parser->ready);
  parser->literals = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  parser->items = g_ptr_array_sized_new (64);
  parser->open_lists = g_new (gsize, parser->limits.max_depth + 1);
  return parser;
}

void
tern_imap_parser_free (TernImapParser *parser)
{
  if (parser == NULL)
    return;
  g_queue_clear_full (&parser->ready, (GDestroyNotify) tern_imap_response_unref);
  g_clear_error (&parser->error);
  g_free (parser->buf);
  g_free (parser->lit_data);
  g_ptr_array_unref (parser->literals);
  g_ptr_array_unref (parser->items);
  g_free (parser->open_lists);
  g_free (parser);
}

gboolean
tern_imap_parser_feed (TernImapParser *parser,
                       const guint8   *data,
                       gsize           len,
                       GError        **error)
{
  GError *local = NULL;

  g_return_val_if_fail (parser != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (parser->error != NULL)
    {
      g_propagate_error (error, g_error_copy (parser->error));
      return FALSE;
    }
  if (!feed_real (parser, data, len, &local))
    {
      parser->error = g_error_copy (local);
      g_debug ("%s", local->message);
      g_propagate_error (error, local);
      /* Free what the broken response held. */
      g_clear_pointer (&parser->lit_data, g_free);
      parser->in_literal = FALSE;
      reset_response (parser);
      return FALSE;
    }
  return TRUE;
}

TernImapResponse *
tern_imap_parser_pop (TernImapParser *parser)
{
  g_return_val_if_fail (parser != NULL, NULL);
  return g_queue_pop_head (&parser->ready);
}

guint
tern_imap_parser_get_n_pending (const TernImapParser *parser)
{
  g_return_val_if_fail (parser != NULL, 0);
  return parser->ready.length;
}

gboolean
tern_imap_parser_is_mid_response (const TernImapParser *parser)
{
  g_return_val_if_fail (parser != NULL, FALSE);
  return parser->len > 0 || parser->in_literal;
}

void
tern_imap_parser_get_limits (const TernImapParser *parser,
                             TernImapParserLimits *limits)
{
  g_return_if_fail (parser != NULL && limits != NULL);
  *limits = parser->limits;
}

TernImapResponse *
tern_imap_response_parse (const char *data,
                          gsize       len,
                          GError    **error)
{
  g_autoptr(TernImapParser) parser = tern_imap_parser_new (NULL);
  TernImapResponse *r;

  if (!tern_imap_parser_feed (parser, (const guint8 *) data, len, error))
    return NULL;
  r = tern_imap_parser_pop (parser);
  if (r == NULL || tern_imap_parser_is_mid_response (parser)
      || tern_imap_parser_get_n_pending (parser) > 0)
    {
      g_clear_pointer (&r, tern_imap_response_unref);
      g_set_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_PARSE,
                   "Expected exactly one complete IMAP response");
      return NULL;
    }
  return r;
}
