/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-smtp"

#include <string.h>

#include "tern-smtp-error.h"
#include "tern-smtp-reply.h"

struct _TernSmtpReply
{
  gatomicrefcount  ref_count;
  guint            code;
  char            *enhanced_code;
  char           **lines;
  char            *text;
};

struct _TernSmtpReplyParser
{
  GString   *line;        /* the line being read, without its end */
  GPtrArray *lines;       /* texts of the complete lines of this reply */
  guint      code;        /* code of the first line, 0 before it */
  gsize      reply_bytes;
  gboolean   failed;
};

G_DEFINE_BOXED_TYPE (TernSmtpReply, tern_smtp_reply, tern_smtp_reply_ref, tern_smtp_reply_unref)

/* RFC 3463: class "." subject "." detail, class matching the reply's first
 * digit, subject and detail 1-3 digits; followed by a space or the end. */
static char *
parse_enhanced_code (const char *text,
                     guint       code)
{
  const char *p = text;
  guint parts = 0;

  if (*p < '2' || *p > '5' || (guint) (*p - '0') != code / 100)
    return NULL;
  p++;
  while (parts < 2)
    {
      guint digits = 0;

      if (*p != '.')
        return NULL;
      p++;
      while (g_ascii_isdigit (*p) && digits < 4)
        {
          p++;
          digits++;
        }
      if (digits == 0 || digits > 3)
        return NULL;
      parts++;
    }
  if (*p != '\0' && *p != ' ')
    return NULL;
  return g_strndup (text, p - text);
}

static TernSmtpReply *
build_reply (TernSmtpReplyParser *parser)
{
  TernSmtpReply *reply = g_new0 (TernSmtpReply, 1);

  g_atomic_ref_count_init (&reply->ref_count);
  reply->code = parser->code;
  g_ptr_array_add (parser->lines, NULL);
  reply->lines = (char **) g_ptr_array_steal (parser->lines, NULL);
  reply->text = g_strjoinv ("\n", reply->lines);
  reply->enhanced_code = parse_enhanced_code (reply->lines[0], reply->code);

  parser->code = 0;
  parser->reply_bytes = 0;
  return reply;
}

/* Handles one complete line; sets *@done when it ended the reply. */
static gboolean
parse_line (TernSmtpReplyParser  *parser,
            const char           *line,
            gsize                 len,
            gboolean             *done,
            GError              **error)
{
  guint code;
  char sep;

  if (len < 3 || line[0] < '1' || line[0] > '5' || !g_ascii_isdigit (line[1])
      || !g_ascii_isdigit (line[2]))
    {
      g_autofree char *shown = g_strndup (line, MIN (len, 40));
      g_autofree char *escaped = g_strescape (shown, NULL);

      g_set_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_PROTOCOL,
                   "Malformed SMTP reply line: \"%s\"", escaped);
      return FALSE;
    }
  code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  sep = len > 3 ? line[3] : ' ';
  if (sep != ' ' && sep != '-')
    {
      g_set_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_PROTOCOL,
                   "Malformed SMTP reply line: no separator after the code %u", code);
      return FALSE;
    }
  if (parser->code != 0 && code != parser->code)
    {
      g_set_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_PROTOCOL,
                   "Malformed SMTP reply: line code %u inside a %u reply", code, parser->code);
      return FALSE;
    }
  if (parser->lines->len >= TERN_SMTP_REPLY_MAX_LINES)
    {
      g_set_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_PROTOCOL,
                   "SMTP reply longer than %d lines", TERN_SMTP_REPLY_MAX_LINES);
      return FALSE;
    }

  parser->code = code;
  g_ptr_array_add (parser->lines, g_strndup (len > 4 ? line + 4 : "", len > 4 ? len - 4 : 0));
  *done = sep == ' ';
  return TRUE;
}

TernSmtpReplyParser *
tern_smtp_reply_parser_new (void)
{
  TernSmtpReplyParser *parser = g_new0 (TernSmtpReplyParser, 1);

  parser->line = g_string_sized_new (128);
  parser->lines = g_ptr_array_new_with_free_func (g_free);
  return parser;
}

void
tern_smtp_reply_parser_free (TernSmtpReplyParser *parser)
{
  if (parser == NULL)
    return;
  g_string_free (parser->line, TRUE);
  g_ptr_array_unref (parser->lines);
  g_free (parser);
}

void
tern_smtp_reply_parser_reset (TernSmtpReplyParser *parser)
{
  g_string_truncate (parser->line, 0);
  g_ptr_array_set_size (parser->lines, 0);
  parser->code = 0;
  parser->reply_bytes = 0;
  parser->failed = FALSE;
}

gssize
tern_smtp_reply_parser_feed (TernSmtpReplyParser  *parser,
                             const char           *data,
                             gsize                 len,
                             TernSmtpReply       **reply,
                             GError              **error)
{
  gsize pos = 0;

  g_return_val_if_fail (parser != NULL, -1);
  g_return_val_if_fail (data != NULL || len == 0, -1);
  g_return_val_if_fail (reply != NULL && *reply == NULL, -1);

  if (parser->failed)
    {
      g_set_error_literal (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_PROTOCOL,
                           "SMTP reply parser used after an error");
      return -1;
    }

  while (pos < len)
    {
      const char *nl = memchr (data + pos, '\n', len - pos);
      gsize chunk = nl != NULL ? (gsize) (nl - (data + pos)) : len - pos;
      gboolean done = FALSE;

      if (parser->line->len + chunk > TERN_SMTP_REPLY_MAX_LINE
          || parser->reply_bytes + chunk + 1 > TERN_SMTP_REPLY_MAX_BYTES)
        {
          parser->failed = TRUE;
          g_set_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_PROTOCOL,
                       "SMTP reply line longer than %d bytes", TERN_SMTP_REPLY_MAX_LINE);
          return -1;
        }
      g_string_append_len (parser->line, data + pos, chunk);
      parser->reply_bytes += chunk;
      pos += chunk;
      if (nl == NULL)
        break;

      pos++; /* the LF */
      parser->reply_bytes++;
      if (parser->line->len > 0 && parser->line->str[parser->line->len - 1] == '\r')
        g_string_truncate (parser->line, parser->line->len - 1);
      if (!parse_line (parser, parser->line->str, parser->line->len, &done, error))
        {
          parser->failed = TRUE;
          return -1;
        }
      g_string_truncate (parser->line, 0);
      if (done)
        {
          *reply = build_reply (parser);
          break;
        }
    }

  return pos;
}

TernSmtpReply *
tern_smtp_reply_ref (TernSmtpReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);
  g_atomic_ref_count_inc (&reply->ref_count);
  return reply;
}

void
tern_smtp_reply_unref (TernSmtpReply *reply)
{
  g_return_if_fail (reply != NULL);
  if (!g_atomic_ref_count_dec (&reply->ref_count))
    return;
  g_free (reply->enhanced_code);
  g_strfreev (reply->lines);
  g_free (reply->text);
  g_free (reply);
}

guint
tern_smtp_reply_get_code (const TernSmtpReply *reply)
{
  return reply->code;
}

const char *
tern_smtp_reply_get_enhanced_code (const TernSmtpReply *reply)
{
  return reply->enhanced_code;
}

const char * const *
tern_smtp_reply_get_lines (const TernSmtpReply *reply)
{
  return (const char * const *) reply->lines;
}

const char *
tern_smtp_reply_get_text (const TernSmtpReply *reply)
{
  return reply->text;
}

char *
tern_smtp_reply_to_string (const TernSmtpReply *reply)
{
  return g_strdup_printf ("%u %s", reply->code, reply->lines[0]);
}

gboolean
tern_smtp_reply_is_positive (const TernSmtpReply *reply)
{
  return reply->code >= 200 && reply->code < 400;
}

gboolean
tern_smtp_reply_is_transient (const TernSmtpReply *reply)
{
  return reply->code >= 400 && reply->code < 500;
}

gboolean
tern_smtp_reply_is_permanent (const TernSmtpReply *reply)
{
  return reply->code >= 500;
}
