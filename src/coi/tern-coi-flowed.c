/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-coi"

#include "tern-coi-flowed.h"

#include <string.h>

/*
 * RFC 3676 format=flowed, DelSp=no on the way out, both DelSp forms on the
 * way in.
 *
 * Encoding: every input line is a paragraph. Leading '>' marks (optionally
 * separated by single spaces, "> > x") give its quote depth; the line is
 * written as ">>" + " " + text so that the space after the marks is the
 * stuffing the decoder removes. Long paragraphs are broken after a run of
 * spaces, which stays at the end of the line (the soft break, DelSp=no).
 * A word longer than the width is left whole (DelSp=no cannot break inside
 * a word). Hard-broken lines lose their trailing spaces, which would
 * otherwise read as soft breaks; the signature separator "-- " is kept.
 * Unquoted lines that start with ' ', '>' or "From " are space-stuffed.
 *
 * Decoding (section 4): quote depth = leading '>' count; one stuffing space
 * after the marks is removed; a line ending in a space is flowed and joins
 * the next line if the next has the same quote depth; with DelSp=yes the
 * trailing space is removed when joining; "-- " is never flowed.
 */

static const char *
next_line (const char *p, const char *end, const char **line_end)
{
  const char *nl = memchr (p, '\n', end - p);
  const char *e = nl != NULL ? nl : end;

  if (e > p && e[-1] == '\r')
    *line_end = e - 1;
  else
    *line_end = e;
  return nl != NULL ? nl + 1 : end;
}

static void
append_prefix (GString *out, guint depth, gboolean needs_stuffing)
{
  for (guint i = 0; i < depth; i++)
    g_string_append_c (out, '>');
  if (depth > 0 || needs_stuffing)
    g_string_append_c (out, ' ');
}

static gboolean
needs_stuffing (const char *s, gsize len)
{
  return len > 0 && (s[0] == ' ' || s[0] == '>' || (len >= 5 && memcmp (s, "From ", 5) == 0));
}

static void
encode_paragraph (GString *out, guint depth, const char *s, gsize len, guint width)
{
  gsize avail;
  gsize pos = 0;

  /* Trailing spaces would make the hard break soft. */
  if (!(depth == 0 && len == 3 && memcmp (s, "-- ", 3) == 0))
    while (len > 0 && s[len - 1] == ' ')
      len--;

  avail = depth == 0 ? width : (width > depth + 2 ? width - depth - 1 : 1);

  do
    {
      gsize    chars = 0;  /* characters in s[pos, i) */
      gsize    best = pos; /* last soft break that fits */
      gsize    line_end = 0;
      gsize    i = pos;
      gboolean stuff = depth == 0 && needs_stuffing (s + pos, len - pos);
      gsize    line_avail = stuff && avail > 1 ? avail - 1 : avail;

      while (i < len)
        {
          const char *next;

          if (i > pos && s[i - 1] == ' ' && s[i] != ' '
              && !(i - pos == 3 && memcmp (s + pos, "-- ", 3) == 0))
            {
              if (chars <= line_avail)
                best = i;
              else
                {
                  /* Nothing fitted: the first break after the width. */
                  line_end = best > pos ? best : i;
                  break;
                }
            }
          if (chars > line_avail && best > pos)
            {
              line_end = best;
              break;
            }
          next = g_utf8_find_next_char (s + i, s + len);
          i = next != NULL ? (gsize)(next - s) : len;
          chars++;
        }
      if (line_end == 0)
        line_end = (chars > line_avail && best > pos) ? best : len;

      append_prefix (out, depth, stuff);
      g_string_append_len (out, s + pos, line_end - pos);
      g_string_append_c (out, '\n');
      pos = line_end;
    }
  while (pos < len);
}

/**
 * tern_coi_flowed_encode:
 * @text: UTF-8 text, lines separated by LF or CRLF
 * @len: length of @text or -1
 * @width: longest line in characters, 0 for %TERN_COI_FLOWED_WIDTH
 *
 * Encodes @text as format=flowed with DelSp=no.
 *
 * Returns: (transfer full): the encoded body, lines ending in LF, the last
 *   line too (empty input gives an empty string).
 */
char *
tern_coi_flowed_encode (const char *text, gssize len, guint width)
{
  GString    *out;
  const char *p;
  const char *end;

  g_return_val_if_fail (text != NULL || len == 0, NULL);

  if (len < 0)
    len = strlen (text);
  if (width == 0)
    width = TERN_COI_FLOWED_WIDTH;

  out = g_string_sized_new (len + len / 16 + 2);
  p = text;
  end = text + len;
  /* Every LF separates two lines: "a\n" is "a" and an empty line. */
  for (gboolean more = len > 0; more;)
    {
      const char *line_end;
      const char *next = next_line (p, end, &line_end);
      const char *q = p;
      guint       depth = 0;

      /* Quote marks: ">", ">>", "> > ", followed by one optional space. */
      while (q < line_end && *q == '>')
        {
          depth++;
          q++;
          if (q + 1 < line_end && q[0] == ' ' && q[1] == '>')
            q++;
        }
      if (depth > 0 && q < line_end && *q == ' ')
        q++;

      encode_paragraph (out, depth, q, line_end - q, width);
      more = next < end || (next > p && next[-1] == '\n');
      p = next;
    }

  return g_string_free (out, FALSE);
}

/**
 * tern_coi_flowed_line_free:
 * @line: (nullable): a line
 */
void
tern_coi_flowed_line_free (TernCoiFlowedLine *line)
{
  if (line == NULL)
    return;
  g_free (line->text);
  g_free (line);
}

/**
 * tern_coi_flowed_decode_lines:
 * @text: a format=flowed body (after transfer decoding and charset conversion)
 * @len: length of @text or -1
 * @delsp: whether the part had `DelSp=yes`
 *
 * Returns: (transfer full) (element-type TernCoiFlowedLine): the logical
 *   lines. A final line ending is not a line of its own.
 */
GPtrArray *
tern_coi_flowed_decode_lines (const char *text, gssize len, gboolean delsp)
{
  GPtrArray  *lines = g_ptr_array_new_with_free_func ((GDestroyNotify)tern_coi_flowed_line_free);
  GString    *cur = NULL;
  guint       cur_depth = 0;
  const char *p;
  const char *end;

  g_return_val_if_fail (text != NULL || len == 0, lines);

  if (len < 0)
    len = strlen (text);
  p = text;
  end = text + len;

  while (p < end)
    {
      const char *line_end;
      const char *next = next_line (p, end, &line_end);
      const char *q = p;
      guint       depth = 0;
      gboolean    is_sig;
      gboolean    flowed;
      gsize       n;

      while (q < line_end && *q == '>')
        {
          depth++;
          q++;
        }
      if (q < line_end && *q == ' ')
        q++;
      n = line_end - q;

      /* A flowed line followed by a line of another depth ends there. */
      if (cur != NULL && depth != cur_depth)
        {
          TernCoiFlowedLine *l = g_new0 (TernCoiFlowedLine, 1);
          l->quote_depth = cur_depth;
          l->text = g_string_free (cur, FALSE);
          g_ptr_array_add (lines, l);
          cur = NULL;
        }

      is_sig = (n == 3 && memcmp (q, "-- ", 3) == 0);
      flowed = !is_sig && n > 0 && q[n - 1] == ' ';

      if (cur == NULL)
        {
          cur = g_string_sized_new (n + 1);
          cur_depth = depth;
        }
      if (flowed && delsp)
        g_string_append_len (cur, q, n - 1);
      else
        g_string_append_len (cur, q, n);

      if (!flowed)
        {
          TernCoiFlowedLine *l = g_new0 (TernCoiFlowedLine, 1);
          l->quote_depth = cur_depth;
          l->is_signature_separator = is_sig && cur->len == 3;
          l->text = g_string_free (cur, FALSE);
          g_ptr_array_add (lines, l);
          cur = NULL;
        }
      p = next;
    }

  if (cur != NULL)
    {
      TernCoiFlowedLine *l = g_new0 (TernCoiFlowedLine, 1);
      l->quote_depth = cur_depth;
      l->text = g_string_free (cur, FALSE);
      g_ptr_array_add (lines, l);
    }

  return lines;
}

/**
 * tern_coi_flowed_decode:
 * @text: a format=flowed body
 * @len: length of @text or -1
 * @delsp: whether the part had `DelSp=yes`
 *
 * Decodes to plain text with LF line endings. Quoted lines are written as
 * the quote marks, a space and the text (`>> text`), so that a quote
 * splitter sees ordinary quoted lines.
 *
 * Returns: (transfer full): the text; no final line ending.
 */
char *
tern_coi_flowed_decode (const char *text, gssize len, gboolean delsp)
{
  g_autoptr (GPtrArray) lines = tern_coi_flowed_decode_lines (text, len, delsp);
  GString *out = g_string_sized_new (len > 0 ? len : 16);

  for (guint i = 0; i < lines->len; i++)
    {
      TernCoiFlowedLine *l = g_ptr_array_index (lines, i);

      if (i > 0)
        g_string_append_c (out, '\n');
      if (l->quote_depth > 0)
        {
          for (guint d = 0; d < l->quote_depth; d++)
            g_string_append_c (out, '>');
          g_string_append_c (out, ' ');
        }
      g_string_append (out, l->text);
    }

  return g_string_free (out, FALSE);
}
