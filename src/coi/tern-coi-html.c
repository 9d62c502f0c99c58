/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-coi"

#include "tern-coi-html.h"

#include <string.h>

#include "tern-coi-hash.h"

/**
 * tern_coi_html_append_escaped:
 * @out: where to write
 * @text: (nullable): UTF-8 text
 *
 * Appends @text with `& < > " '` escaped (safe in elements and in quoted
 * attribute values).
 */
void
tern_coi_html_append_escaped (GString *out, const char *text)
{
  const char *run;

  if (text == NULL)
    return;
  run = text;
  for (const char *p = text; *p; p++)
    {
      const char *rep;

      switch (*p)
        {
        case '&':
          rep = "&amp;";
          break;
        case '<':
          rep = "&lt;";
          break;
        case '>':
          rep = "&gt;";
          break;
        case '"':
          rep = "&quot;";
          break;
        case '\'':
          rep = "&#39;";
          break;
        default:
          continue;
        }
      g_string_append_len (out, run, p - run);
      g_string_append (out, rep);
      run = p + 1;
    }
  g_string_append (out, run);
}

/**
 * tern_coi_html_escape:
 * @text: (nullable): UTF-8 text
 *
 * Returns: (transfer full): @text escaped for HTML ("" for %NULL).
 */
char *
tern_coi_html_escape (const char *text)
{
  GString *out = g_string_new (NULL);

  tern_coi_html_append_escaped (out, text);
  return g_string_free (out, FALSE);
}

/**
 * tern_coi_html_append_mention:
 * @out: where to write
 * @name: (nullable): the shown name (without '@'); %NULL with no address means `@all`
 * @address: (nullable): the address mentioned
 *
 * Writes `<a class="mention" href="mailto:ADDRESS">@NAME</a>` (or `@all`).
 */
void
tern_coi_html_append_mention (GString *out, const char *name, const char *address)
{
  if (address == NULL)
    {
      g_string_append (out, "@all");
      return;
    }
  g_string_append (out, "<a class=\"mention\" href=\"mailto:");
  tern_coi_html_append_escaped (out, address);
  g_string_append (out, "\">@");
  tern_coi_html_append_escaped (out, name != NULL && *name ? name : address);
  g_string_append (out, "</a>");
}

static gboolean
is_address_char (char c)
{
  return c != '\0' && !g_ascii_isspace (c) && c != '<' && c != '>' && c != '"' && c != ','
         && c != ';' && c != '(' && c != ')';
}

/* At p (just after '@'): a mention `Name:addr` or `"Full Name":addr`.
 * Returns the end of the token or NULL. */
static const char *
scan_mention (const char *p, char **name, char **address)
{
  const char *name_start;
  const char *name_end;
  const char *addr_start;
  const char *q;

  if (*p == '"')
    {
      name_start = p + 1;
      name_end = strchr (name_start, '"');
      if (name_end == NULL || name_end == name_start
          || memchr (name_start, '\n', name_end - name_start))
        return NULL;
      q = name_end + 1;
    }
  else
    {
      name_start = p;
      q = p;
      while (*q && !g_ascii_isspace (*q) && *q != ':' && *q != '@' && *q != '"' && *q != '<')
        q++;
      name_end = q;
      if (name_end == name_start)
        return NULL;
    }
  if (*q != ':')
    return NULL;
  addr_start = ++q;
  while (is_address_char (*q))
    q++;
  /* Sentence punctuation after an address is not part of it. */
  while (q > addr_start && (q[-1] == '.' || q[-1] == '!' || q[-1] == '?' || q[-1] == ':'))
    q--;
  if (memchr (addr_start, '@', q - addr_start) == NULL || addr_start[0] == '@' || q[-1] == '@')
    return NULL;
  *name = g_strndup (name_start, name_end - name_start);
  *address = g_strndup (addr_start, q - addr_start);
  return q;
}

/**
 * tern_coi_html_append_text:
 * @out: where to write
 * @text: (nullable): plain UTF-8 text, LF line breaks
 *
 * Writes @text as HTML: escaped, one `<br>` per line break, and the text
 * form of mentions (`@Name:address`, `@"Full Name":address`) written as
 * mention links. `@all` stays as it is.
 */
void
tern_coi_html_append_text (GString *out, const char *text)
{
  const char *run;
  const char *p;

  if (text == NULL)
    return;
  run = p = text;
  while (*p)
    {
      if (*p == '@' && (p == text || g_ascii_isspace (p[-1]) || p[-1] == '(' || p[-1] == '>'))
        {
          g_autofree char *name = NULL;
          g_autofree char *address = NULL;
          const char      *end = scan_mention (p + 1, &name, &address);

          if (end != NULL)
            {
              g_autofree char *chunk = g_strndup (run, p - run);

              tern_coi_html_append_escaped (out, chunk);
              tern_coi_html_append_mention (out, name, address);
              run = p = end;
              continue;
            }
        }
      if (*p == '\n')
        {
          g_autofree char *chunk = g_strndup (run, p - run);

          tern_coi_html_append_escaped (out, chunk);
          g_string_append (out, "<br>\n");
          run = p + 1;
        }
      p++;
    }
  tern_coi_html_append_escaped (out, run);
}

/**
 * tern_coi_html_append_data_uri:
 * @out: where to write
 * @data: the bytes
 * @mime_type: (nullable): their type [image/png]
 *
 * Writes a `data:TYPE;base64,...` URI, the base64 broken into lines of 76
 * (as the spec's examples do; keeps the HTML part 7bit).
 */
void
tern_coi_html_append_data_uri (GString *out, GBytes *data, const char *mime_type)
{
  gsize            len;
  const guint8    *raw = g_bytes_get_data (data, &len);
  g_autofree char *b64 = g_base64_encode (raw, len);
  gsize            n = strlen (b64);

  g_string_append (out, "data:");
  tern_coi_html_append_escaped (out, mime_type != NULL ? mime_type : "image/png");
  g_string_append (out, ";base64,");
  for (gsize i = 0; i < n; i += 76)
    {
      g_string_append_c (out, '\n');
      g_string_append_len (out, b64 + i, MIN (76, n - i));
    }
}

static void
append_hidden (GString *out, const char *klass, const char *value)
{
  if (value == NULL || *value == '\0')
    return;
  g_string_append_printf (out, "<span class=\"%s\" style=\"display: none\">", klass);
  tern_coi_html_append_escaped (out, value);
  g_string_append (out, "</span>\n");
}

static void
append_labelled (GString *out, const char *label, const char *klass, const char *value)
{
  if (value == NULL || *value == '\0')
    return;
  if (label != NULL)
    g_string_append_printf (out, "%s: ", label);
  g_string_append_printf (out, "<span class=\"%s\">", klass);
  tern_coi_html_append_escaped (out, value);
  g_string_append (out, "</span><br>\n");
}

/**
 * tern_coi_html_append_hcard:
 * @out: where to write
 * @card: the card
 * @with_hash: also write `p-hash` (the COI-From-Hash of the first e-mail),
 *   as group storage messages do
 *
 * Writes an h-card (a `<div>`, so block content nests validly).
 */
void
tern_coi_html_append_hcard (GString *out, const TernCoiCard *card, gboolean with_hash)
{
  g_string_append (out, "<div class=\"h-card\" style=\"white-space: nowrap\">\n");
  if (with_hash && card->emails != NULL && card->emails[0] != NULL)
    {
      g_autofree char *hash = tern_coi_address_hash (card->emails[0]);
      append_hidden (out, "p-hash", hash);
    }
  if (card->photo != NULL)
    {
      g_string_append (out, "<img class=\"u-photo\" alt=\"\" style=\"float: left\" src=\"");
      tern_coi_html_append_data_uri (out, card->photo, card->photo_type);
      g_string_append (out, "\">\n");
    }
  append_labelled (out, NULL, "p-name", card->name);
  append_labelled (out, "Nickname", "p-nickname", card->nickname);
  for (guint i = 0; card->emails != NULL && card->emails[i] != NULL; i++)
    append_labelled (out, "Email", "u-email", card->emails[i]);
  append_labelled (out, NULL, "p-status", card->status);
  append_labelled (out, "PGP", "u-key", card->key);
  append_hidden (out, "p-category", card->categories);
  if (card->bday != NULL && *card->bday)
    {
      g_string_append (out, "<time class=\"dt-bday\" style=\"display: none\">");
      tern_coi_html_append_escaped (out, card->bday);
      g_string_append (out, "</time>\n");
    }
  append_hidden (out, "p-notification", card->notification);
  g_string_append (out, "</div>\n");
}

/**
 * tern_coi_html_append_hgroup:
 * @out: where to write
 * @group: the group
 * @group_id: (nullable): the id to write as `p-id` (overrides @group's)
 * @storage: a group storage message: participants carry `p-hash`
 *
 * Writes an h-group with its participants as h-cards in `e-participants`.
 */
void
tern_coi_html_append_hgroup (GString            *out,
                             const TernCoiGroup *group,
                             const char         *group_id,
                             gboolean            storage)
{
  if (group_id == NULL)
    group_id = group->id;

  g_string_append (out, "<div class=\"h-group\">\n");
  if (group->photo != NULL)
    {
      g_string_append (out, "<img class=\"u-photo\" alt=\"\" style=\"float: left\" src=\"");
      tern_coi_html_append_data_uri (out, group->photo, group->photo_type);
      g_string_append (out, "\">\n");
    }
  append_labelled (out, "Name", "p-name", group->name);
  append_labelled (out, "Description", "p-description", group->description);
  append_hidden (out, "p-id", group_id);
  append_hidden (out, "p-notification", group->notification);
  g_string_append (out, "<hr>\n<p>Participants</p>\n<div class=\"e-participants\">\n");
  for (guint i = 0; i < group->n_members; i++)
    tern_coi_html_append_hcard (out, &group->members[i], storage);
  g_string_append (out, "</div>\n</div>\n");
}

/**
 * tern_coi_html_append_hgeo:
 * @out: where to write
 * @latitude: degrees north
 * @longitude: degrees east
 *
 * Writes an h-geo with the coordinates in the C locale, 6 decimals
 * (about 0.1 m).
 */
void
tern_coi_html_append_hgeo (GString *out, double latitude, double longitude)
{
  char lat[G_ASCII_DTOSTR_BUF_SIZE];
  char lon[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (lat, sizeof lat, "%.6f", latitude);
  g_ascii_formatd (lon, sizeof lon, "%.6f", longitude);
  g_string_append_printf (out,
                          "<p class=\"h-geo\">\n"
                          "<span class=\"p-latitude\">%s</span>,\n"
                          "<span class=\"p-longitude\">%s</span>\n"
                          "</p>\n",
                          lat, lon);
}

/**
 * tern_coi_html_document:
 * @body: (nullable): HTML for inside `<body>`
 *
 * Returns: (transfer full): a complete UTF-8 HTML document.
 */
char *
tern_coi_html_document (const char *body)
{
  return g_strconcat ("<!DOCTYPE html>\n<html>\n<head>\n"
                      "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\">\n"
                      "</head>\n<body>\n",
                      body != NULL ? body : "", "\n</body>\n</html>\n", NULL);
}
