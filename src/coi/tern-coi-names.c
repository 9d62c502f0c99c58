/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-coi"

#include <string.h>

#include "tern-coi-names.h"

/* Reply and forward abbreviations seen in the wild (see
 * https://en.wikipedia.org/wiki/List_of_email_subject_abbreviations), compared
 * case-insensitively, followed by an optional [n] or (n) counter and a colon.
 * "Chat" is the prefix the spec's own examples put on chat subjects. */
static const char *const subject_prefixes[] = {
  "re", "aw", "sv", "vs", "antw", "atb", "odp", "ynt", "vá", "ref", "rif", "res",
  "fwd", "fw", "wg", "tr", "vb", "rv", "enc", "fs", "i", "doorst", "továbbítás",
  "πρθ", "σχετ", "回复", "转发", "chat",
  NULL
};

static const char *
skip_space (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
    p++;
  return p;
}

/* If @p starts with a known prefix and a colon (possibly full width), the
 * position after it; otherwise NULL. */
static const char *
match_prefix (const char *p)
{
  for (guint i = 0; subject_prefixes[i]; i++)
    {
      const char *word = subject_prefixes[i];
      gsize len = strlen (word);
      const char *q;

      if (g_ascii_strncasecmp (p, word, len) != 0)
        {
          /* Non-ASCII words: compare case-folded. */
          g_autofree char *head = NULL;
          g_autofree char *fold = NULL;

          if (!(word[0] & 0x80) || strlen (p) < len)
            continue;
          head = g_strndup (p, len);
          /* The cut may fall inside a character: then it is no match. */
          if (!g_utf8_validate (head, -1, NULL))
            continue;
          fold = g_utf8_casefold (head, -1);
          if (strcmp (fold, word) != 0)
            continue;
        }
      q = p + len;
      if (*q == '[' || *q == '(')
        {
          char close = *q == '[' ? ']' : ')';
          q++;
          if (!g_ascii_isdigit (*q))
            continue;
          while (g_ascii_isdigit (*q))
            q++;
          if (*q != close)
            continue;
          q++;
        }
      while (*q == ' ')
        q++;
      if (*q == ':')
        return q + 1;
      if (strncmp (q, "\xef\xbc\x9a", 3) == 0) /* FULLWIDTH COLON */
        return q + 3;
    }
  return NULL;
}

char *
tern_coi_names_strip_subject (const char *subject)
{
  const char *p;
  const char *next;
  g_autofree char *copy = NULL;

  if (subject == NULL)
    return g_strdup ("");

  p = skip_space (subject);
  for (;;)
    {
      /* Mailing-list tags like "[list] Re: ..." are kept; only reply markers go. */
      next = match_prefix (p);
      if (next == NULL)
        break;
      p = skip_space (next);
    }

  copy = g_strdup (p);
  return g_strdup (g_strchomp (copy));
}

static gboolean
is_bad_char (gunichar c)
{
  if (c < 0x20 || (c >= 0x7f && c < 0xa0))
    return TRUE;
  switch (c)
    {
    case '/': case '\\': case ':': case '*': case '?': case '"': case '<': case '>': case '|':
    case 0x200e: case 0x200f: /* LRM, RLM */
    case 0x202a: case 0x202b: case 0x202c: case 0x202d: case 0x202e: /* bidi embeddings */
    case 0x2066: case 0x2067: case 0x2068: case 0x2069: /* bidi isolates */
    case 0x2028: case 0x2029: case 0xfeff: case 0xfffd:
    case 0x2215: case 0x2044: case 0xff0f: case 0xff3c: /* slash look-alikes */
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
is_reserved_name (const char *name)
{
  static const char *const reserved[] = {
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7",
    "com8", "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
    NULL
  };
  const char *dot = strchr (name, '.');
  gsize len = dot ? (gsize) (dot - name) : strlen (name);

  for (guint i = 0; reserved[i]; i++)
    if (strlen (reserved[i]) == len && g_ascii_strncasecmp (name, reserved[i], len) == 0)
      return TRUE;
  return FALSE;
}

/* Cut @s (valid UTF-8) to at most @max bytes at a character boundary. */
static void
utf8_truncate (GString *s, gsize max)
{
  const char *end;

  if (s->len <= max)
    return;
  end = s->str + max;
  while (end > s->str && (*end & 0xc0) == 0x80)
    end--;
  g_string_truncate (s, end - s->str);
}

char *
tern_coi_names_sanitize_filename (const char *name, const char *fallback)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *valid = NULL;
  const char *p;
  const char *base;
  char *dot;

  if (fallback == NULL || *fallback == '\0')
    fallback = "file";
  if (name == NULL)
    return tern_coi_names_sanitize_filename (fallback, "file");

  /* Keep only the last path component, whatever the separator. */
  base = name;
  for (p = name; *p; p++)
    if (*p == '/' || *p == '\\')
      base = p + 1;

  /* Bound the work on hostile names: the head and the tail (extension). */
  {
    gsize len = strlen (base);
    gsize bound = 4 * TERN_COI_FILENAME_MAX;
    if (len > bound)
      {
        g_autofree char *joined = g_malloc (bound + 1);
        memcpy (joined, base, bound - 32);
        memcpy (joined + bound - 32, base + len - 32, 32);
        joined[bound] = '\0';
        valid = g_utf8_make_valid (joined, bound);
      }
    else
      valid = g_utf8_make_valid (base, len);
  }
  base = valid;

  for (p = base; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_bad_char (c))
        {
          if (out->len > 0 && out->str[out->len - 1] != '_')
            g_string_append_c (out, '_');
          continue;
        }
      if (g_unichar_isspace (c))
        c = ' ';
      g_string_append_unichar (out, c);
    }

  /* No leading dots or spaces (hidden files, "..") */
  while (out->len > 0 && (out->str[0] == '.' || out->str[0] == ' '))
    g_string_erase (out, 0, 1);
  /* No trailing dots or spaces (Windows strips them: "a.exe." -> "a.exe") */
  while (out->len > 0 && (out->str[out->len - 1] == '.' || out->str[out->len - 1] == ' '))
    g_string_truncate (out, out->len - 1);

  if (out->len > TERN_COI_FILENAME_MAX)
    {
      /* Keep a short extension. */
      dot = strrchr (out->str, '.');
      if (dot != NULL && strlen (dot) <= 16 && dot != out->str)
        {
          g_autofree char *ext = g_strdup (dot);
          g_string_truncate (out, dot - out->str);
          utf8_truncate (out, TERN_COI_FILENAME_MAX - strlen (ext));
          g_string_append (out, ext);
        }
      else
        utf8_truncate (out, TERN_COI_FILENAME_MAX);
    }

  if (out->len == 0)
    return g_strcmp0 (fallback, name) == 0 ? g_strdup ("file")
                                           : tern_coi_names_sanitize_filename (fallback, "file");
  if (is_reserved_name (out->str))
    g_string_prepend_c (out, '_');

  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
tern_coi_names_is_chat_id (const char *message_id)
{
  return message_id != NULL && strncmp (message_id, "chat$", 5) == 0;
}

char *
tern_coi_names_group_id_from_message_id (const char *message_id)
{
  const char *start;
  const char *p;

  if (message_id == NULL || strncmp (message_id, "chat$group.", 11) != 0)
    return NULL;
  start = message_id + 11;
  for (p = start; g_ascii_isalnum (*p) || *p == '_' || *p == '-'; p++)
    ;
  if (p == start || *p != '.')
    return NULL;
  return g_strndup (start, p - start);
}
