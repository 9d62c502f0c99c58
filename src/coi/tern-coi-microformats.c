/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-coi"

#include <math.h>
#include <string.h>

#include <libxml/HTMLtree.h>
#include <libxml/tree.h>

#include "tern-coi-microformats.h"

/* Microformats are read from the document as libxml2's HTML parser builds it.
 * HTML closes a <p> when a block element starts inside it, so the spec's own
 * markup (<p class="h-group"> ... <p class="p-id"> ..., <p class="h-card"><p
 * class="p-hash">) ends up flattened. A property therefore belongs to its
 * nearest ancestor root (h-card, h-group, h-geo) when it has one, and
 * otherwise to the root that came last before it in document order. */

#define MAX_PHOTO_BYTES (4 * 1024 * 1024)
#define MAX_VALUE_BYTES (64 * 1024)
#define MAX_CARDS 1000

typedef enum {
  ROOT_NONE,
  ROOT_CARD,
  ROOT_GROUP,
  ROOT_GEO,
} RootKind;

/* Next element in document order; children first unless @skip_children. */
static xmlNodePtr
next_element (xmlNodePtr node, xmlNodePtr top, gboolean skip_children)
{
  if (!skip_children && node->children != NULL)
    {
      node = node->children;
      while (node && node->type != XML_ELEMENT_NODE)
        node = node->next;
      if (node)
        return node;
      return NULL; /* unreachable path handled below */
    }
  for (;;)
    {
      while (node->next != NULL)
        {
          node = node->next;
          if (node->type == XML_ELEMENT_NODE)
            return node;
        }
      node = node->parent;
      if (node == NULL || node == top || node->type == XML_DOCUMENT_NODE
          || node->type == XML_HTML_DOCUMENT_NODE)
        return NULL;
    }
}

static xmlNodePtr
walk_next (xmlNodePtr node, xmlNodePtr top)
{
  if (node->children != NULL)
    {
      xmlNodePtr c = node->children;
      while (c && c->type != XML_ELEMENT_NODE)
        c = c->next;
      if (c)
        return c;
    }
  return next_element (node, top, TRUE);
}

static gboolean
has_class (xmlNodePtr node, const char *klass)
{
  xmlAttrPtr attr;
  const char *value;
  gsize len = strlen (klass);

  for (attr = node->properties; attr; attr = attr->next)
    if (attr->name && g_ascii_strcasecmp ((const char *) attr->name, "class") == 0)
      break;
  if (attr == NULL || attr->children == NULL || attr->children->content == NULL)
    return FALSE;
  value = (const char *) attr->children->content;
  for (const char *p = value; *p;)
    {
      const char *start;
      while (*p && g_ascii_isspace (*p))
        p++;
      start = p;
      while (*p && !g_ascii_isspace (*p))
        p++;
      if ((gsize) (p - start) == len && g_ascii_strncasecmp (start, klass, len) == 0)
        return TRUE;
    }
  return FALSE;
}

static const char *
get_attr (xmlNodePtr node, const char *name)
{
  for (xmlAttrPtr attr = node->properties; attr; attr = attr->next)
    if (attr->name && g_ascii_strcasecmp ((const char *) attr->name, name) == 0)
      return attr->children && attr->children->content
               ? (const char *) attr->children->content : "";
  return NULL;
}

static RootKind
root_kind (xmlNodePtr node)
{
  if (node->properties == NULL)
    return ROOT_NONE;
  if (has_class (node, "h-card"))
    return ROOT_CARD;
  if (has_class (node, "h-group"))
    return ROOT_GROUP;
  if (has_class (node, "h-geo"))
    return ROOT_GEO;
  return ROOT_NONE;
}

/* Text content with whitespace collapsed and trimmed, bounded. */
static char *
collapsed_text (xmlNodePtr node)
{
  g_autoptr(GString) out = g_string_new (NULL);
  xmlNodePtr n = node->children;
  gboolean space = FALSE;

  /* Iterative walk of the subtree, text nodes only. */
  while (n != NULL && n != node)
    {
      if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
        {
          for (const char *p = (const char *) n->content; p && *p; p++)
            {
              if (g_ascii_isspace (*p))
                space = TRUE;
              else
                {
                  if (space && out->len > 0)
                    g_string_append_c (out, ' ');
                  space = FALSE;
                  g_string_append_c (out, *p);
                }
            }
          if (out->len > MAX_VALUE_BYTES)
            break;
        }
      if (n->children != NULL && n->type == XML_ELEMENT_NODE)
        n = n->children;
      else
        {
          while (n != node && n->next == NULL)
            n = n->parent;
          if (n == node)
            break;
          n = n->next;
        }
    }
  return g_utf8_make_valid (out->str, out->len);
}

GBytes *
tern_coi_data_uri_decode (const char *uri, gsize max_bytes, char **mime_type)
{
  const char *comma;
  const char *meta;
  gboolean base64 = FALSE;
  gsize len;

  if (mime_type)
    *mime_type = NULL;
  if (uri == NULL)
    return NULL;
  while (g_ascii_isspace (*uri))
    uri++;
  if (g_ascii_strncasecmp (uri, "data:", 5) != 0)
    return NULL;
  meta = uri + 5;
  comma = strchr (meta, ',');
  if (comma == NULL)
    return NULL;
  if (comma - meta >= 7 && g_ascii_strncasecmp (comma - 7, ";base64", 7) == 0)
    base64 = TRUE;

  if (base64)
    {
      const char *data = comma + 1;
      gsize in_len = strlen (data);
      guchar *out;
      gint state = 0;
      guint save = 0;

      if (in_len / 4 * 3 > max_bytes + 3)
        return NULL;
      out = g_malloc (in_len / 4 * 3 + 3);
      /* g_base64_decode_step skips characters outside the alphabet (the
       * line breaks and spaces the spec's examples carry). */
      len = g_base64_decode_step (data, in_len, out, &state, &save);
      if (len == 0)
        {
          g_free (out);
          return NULL;
        }
      if (mime_type)
        *mime_type = g_ascii_strdown (meta, comma - 7 - meta);
      return g_bytes_new_take (out, len);
    }
  else
    {
      g_autofree char *raw = g_uri_unescape_string (comma + 1, NULL);
      if (raw == NULL || strlen (raw) > max_bytes)
        return NULL;
      if (mime_type)
        {
          const char *semi = memchr (meta, ';', comma - meta);
          *mime_type = g_ascii_strdown (meta, (semi ? semi : comma) - meta);
        }
      len = strlen (raw);
      return g_bytes_new_take (g_steal_pointer (&raw), len);
    }
}

static void
strv_add_split (GPtrArray **array, const char *value)
{
  g_auto(GStrv) items = g_strsplit (value, ",", 64);

  if (*array == NULL)
    *array = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; items[i]; i++)
    {
      char *item = g_strstrip (items[i]);
      if (*item)
        g_ptr_array_add (*array, g_strdup (item));
    }
}

static char *
email_value (xmlNodePtr node)
{
  const char *href = get_attr (node, "href");
  char *text;

  if (href && g_ascii_strncasecmp (href, "mailto:", 7) == 0)
    {
      g_autofree char *addr = g_uri_unescape_string (href + 7, NULL);
      if (addr)
        {
          char *q = strchr (addr, '?');
          if (q)
            *q = '\0';
          g_strstrip (addr);
          if (*addr)
            return g_utf8_make_valid (addr, -1);
        }
    }
  text = collapsed_text (node);
  if (g_ascii_strncasecmp (text, "mailto:", 7) == 0)
    memmove (text, text + 7, strlen (text + 7) + 1);
  return text;
}

static void
set_string (char **field, char *value)
{
  if (*field == NULL && value != NULL && *value)
    *field = value;
  else
    g_free (value);
}

static void
set_photo (char **uri_field, GBytes **photo, char **photo_type, xmlNodePtr node)
{
  const char *src = get_attr (node, "src");
  g_autofree char *value = NULL;

  if (*uri_field != NULL)
    return;
  if (src == NULL)
    src = get_attr (node, "href");
  value = src ? g_strdup (src) : collapsed_text (node);
  if (value == NULL || *value == '\0')
    return;
  *photo = tern_coi_data_uri_decode (value, MAX_PHOTO_BYTES, photo_type);
  /* Keep the URI itself only when it is not a (large) data: URI or is small. */
  *uri_field = g_steal_pointer (&value);
}

static void
card_property (TernCoiHCard *card, xmlNodePtr node)
{
  if (has_class (node, "p-name"))
    set_string (&card->name, collapsed_text (node));
  if (has_class (node, "p-nickname"))
    set_string (&card->nickname, collapsed_text (node));
  if (has_class (node, "u-email"))
    {
      char *email = email_value (node);
      if (*email && card->emails->len < 64)
        g_ptr_array_add (card->emails, email);
      else
        g_free (email);
    }
  if (has_class (node, "u-photo"))
    set_photo (&card->photo_uri, &card->photo, &card->photo_type, node);
  if (has_class (node, "p-status") || has_class (node, "x-coi-status"))
    set_string (&card->status, collapsed_text (node));
  if (has_class (node, "p-category"))
    {
      g_autofree char *value = collapsed_text (node);
      strv_add_split (&card->categories, value);
    }
  if (has_class (node, "dt-bday"))
    {
      const char *dt = get_attr (node, "datetime");
      set_string (&card->bday, dt ? g_strdup (dt) : collapsed_text (node));
    }
  if (has_class (node, "u-key"))
    set_string (&card->key, collapsed_text (node));
  if (has_class (node, "p-hash"))
    {
      char *hash = collapsed_text (node);
      for (char *p = hash; *p; p++)
        *p = g_ascii_tolower (*p);
      set_string (&card->hash, hash);
    }
  if (has_class (node, "p-notification"))
    set_string (&card->notification, collapsed_text (node));
}

static void
group_property (TernCoiHGroup *group, xmlNodePtr node)
{
  if (has_class (node, "p-id"))
    set_string (&group->id, collapsed_text (node));
  if (has_class (node, "p-name"))
    set_string (&group->name, collapsed_text (node));
  if (has_class (node, "p-description"))
    set_string (&group->description, collapsed_text (node));
  if (has_class (node, "u-photo"))
    set_photo (&group->photo_uri, &group->photo, &group->photo_type, node);
  if (has_class (node, "p-notification"))
    set_string (&group->notification, collapsed_text (node));
}

static gboolean
is_ancestor (xmlNodePtr ancestor, xmlNodePtr node)
{
  for (xmlNodePtr n = node->parent; n; n = n->parent)
    if (n == ancestor)
      return TRUE;
  return FALSE;
}

static gboolean
has_property_class (xmlNodePtr node)
{
  const char *klass = get_attr (node, "class");

  if (klass == NULL)
    return FALSE;
  return strstr (klass, "p-") || strstr (klass, "u-") || strstr (klass, "dt-")
         || strstr (klass, "x-coi-") || strstr (klass, "participants");
}

typedef struct {
  GPtrArray *cards;        /* top-level TernCoiHCard* */
  TernCoiHGroup *group;    /* first h-group */
  xmlNodePtr group_node;
  gboolean in_participants;
  xmlNodePtr participants_node;
  gboolean geo_found;
  double lat, lon;
  gboolean lat_ok, lon_ok;
} Reader;

/* One pass over the document collecting h-cards, the first h-group and h-geo. */
static void
read_document (htmlDocPtr doc, Reader *r, gboolean want_group)
{
  xmlNodePtr root = doc ? xmlDocGetRootElement (doc) : NULL;
  xmlNodePtr node;
  /* The most recent root in document order, and its element. */
  RootKind current = ROOT_NONE;
  TernCoiHCard *card = NULL;
  xmlNodePtr card_node = NULL;
  xmlNodePtr geo_node = NULL;
  guint n_cards = 0;

  if (root == NULL)
    return;

  for (node = root; node != NULL; node = walk_next (node, NULL))
    {
      RootKind kind;

      if (node->type != XML_ELEMENT_NODE || node->properties == NULL)
        continue;

      kind = root_kind (node);
      if (kind == ROOT_CARD)
        {
          if (++n_cards > MAX_CARDS)
            break;
          card = tern_coi_hcard_new ();
          card_node = node;
          if (r->group != NULL
              && (is_ancestor (r->group_node, node) || r->in_participants))
            g_ptr_array_add (r->group->participants, card);
          else
            g_ptr_array_add (r->cards, card);
          current = ROOT_CARD;
          /* An h-card element may carry properties itself (class="h-card p-name"). */
        }
      else if (kind == ROOT_GROUP)
        {
          if (r->group == NULL && want_group)
            {
              r->group = tern_coi_hgroup_new ();
              r->group_node = node;
              r->in_participants = FALSE;
              current = ROOT_GROUP;
            }
          else
            current = ROOT_NONE;
          card = NULL;
          continue;
        }
      else if (kind == ROOT_GEO)
        {
          if (!r->geo_found)
            {
              geo_node = node;
              current = ROOT_GEO;
            }
          continue;
        }

      if (kind == ROOT_NONE && !has_property_class (node))
        continue;

      if (r->group != NULL && kind == ROOT_NONE
          && (has_class (node, "e-participants") || has_class (node, "p-participants")))
        {
          r->in_participants = TRUE;
          r->participants_node = node;
          current = ROOT_GROUP;
          card = NULL;
          continue;
        }

      /* Which root owns this property: the nearest root ancestor, else the
       * most recent root in document order. */
      {
        RootKind owner = ROOT_NONE;
        xmlNodePtr start = kind == ROOT_CARD ? node : node->parent;

        for (xmlNodePtr n = start; n && n->type == XML_ELEMENT_NODE; n = n->parent)
          {
            if (n == card_node)
              {
                owner = ROOT_CARD;
                break;
              }
            if (r->group_node && n == r->group_node)
              {
                owner = ROOT_GROUP;
                break;
              }
            if (geo_node && n == geo_node)
              {
                owner = ROOT_GEO;
                break;
              }
            if (n != node && root_kind (n) != ROOT_NONE)
              {
                owner = ROOT_NONE; /* a root we do not collect (nested, extra) */
                break;
              }
          }
        if (owner == ROOT_NONE && kind != ROOT_CARD)
          owner = current;
        if (kind == ROOT_CARD)
          owner = ROOT_CARD;

        switch (owner)
          {
          case ROOT_CARD:
            if (card)
              card_property (card, node);
            break;
          case ROOT_GROUP:
            if (r->group)
              group_property (r->group, node);
            break;
          case ROOT_GEO:
            if (has_class (node, "p-latitude"))
              {
                g_autofree char *v = collapsed_text (node);
                char *end = NULL;
                r->lat = g_ascii_strtod (v, &end);
                r->lat_ok = end != v && *end == '\0' && isfinite (r->lat);
              }
            if (has_class (node, "p-longitude"))
              {
                g_autofree char *v = collapsed_text (node);
                char *end = NULL;
                r->lon = g_ascii_strtod (v, &end);
                r->lon_ok = end != v && *end == '\0' && isfinite (r->lon);
              }
            if (r->lat_ok && r->lon_ok)
              r->geo_found = TRUE;
            break;
          case ROOT_NONE:
          default:
            break;
          }
      }
    }
}

htmlDocPtr
tern_coi_html_parse (const char *html, gsize len)
{
  int options = HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING
                | HTML_PARSE_RECOVER | HTML_PARSE_NOBLANKS | HTML_PARSE_NOIMPLIED;

  if (html == NULL || len == 0 || len > G_MAXINT)
    return NULL;
  /* Drop NOIMPLIED: we want <html><body> so the walk has one root. */
  options &= ~HTML_PARSE_NOIMPLIED;
  return htmlReadMemory (html, (int) len, NULL, "UTF-8", options);
}

GPtrArray *
tern_coi_microformats_read_hcards (htmlDocPtr doc)
{
  Reader r = { 0 };

  r.cards = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_coi_hcard_free);
  read_document (doc, &r, TRUE);
  g_clear_pointer (&r.group, tern_coi_hgroup_free);
  return r.cards;
}

TernCoiHGroup *
tern_coi_microformats_read_hgroup (htmlDocPtr doc)
{
  Reader r = { 0 };

  r.cards = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_coi_hcard_free);
  read_document (doc, &r, TRUE);
  g_ptr_array_unref (r.cards);
  return r.group;
}

gboolean
tern_coi_microformats_read_hgeo (htmlDocPtr doc, double *latitude, double *longitude)
{
  Reader r = { 0 };

  r.cards = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_coi_hcard_free);
  read_document (doc, &r, FALSE);
  g_ptr_array_unref (r.cards);
  if (!r.geo_found || r.lat < -90 || r.lat > 90 || r.lon < -180 || r.lon > 180)
    return FALSE;
  *latitude = r.lat;
  *longitude = r.lon;
  return TRUE;
}

static void
add_mention (GPtrArray *mentions, const char *name, const char *address, gboolean is_all)
{
  TernCoiMention *m;

  if (mentions->len >= 256)
    return;
  for (guint i = 0; i < mentions->len; i++)
    {
      TernCoiMention *o = g_ptr_array_index (mentions, i);
      if (is_all && o->is_all)
        return;
      if (!is_all && !o->is_all && g_ascii_strcasecmp (o->address, address) == 0)
        return;
    }
  m = g_new0 (TernCoiMention, 1);
  m->is_all = is_all;
  if (!is_all)
    {
      m->name = g_utf8_make_valid (name, -1);
      m->address = g_utf8_make_valid (address, -1);
    }
  g_ptr_array_add (mentions, m);
}

void
tern_coi_microformats_read_mentions_html (htmlDocPtr doc, GPtrArray *mentions)
{
  xmlNodePtr root = doc ? xmlDocGetRootElement (doc) : NULL;

  for (xmlNodePtr node = root; node != NULL; node = walk_next (node, NULL))
    {
      g_autofree char *text = NULL;
      g_autofree char *address = NULL;
      const char *name;

      if (node->type != XML_ELEMENT_NODE || node->properties == NULL
          || g_ascii_strcasecmp ((const char *) node->name, "a") != 0
          || !has_class (node, "mention"))
        continue;
      text = collapsed_text (node);
      name = text[0] == '@' ? text + 1 : text;
      if (g_ascii_strcasecmp (name, "all") == 0)
        {
          add_mention (mentions, NULL, NULL, TRUE);
          continue;
        }
      {
        const char *href = get_attr (node, "href");
        if (href == NULL || g_ascii_strncasecmp (href, "mailto:", 7) != 0)
          continue;
      }
      address = email_value (node);
      if (address == NULL || strchr (address, '@') == NULL)
        continue;
      add_mention (mentions, *name ? name : address, address, FALSE);
    }
}

static gboolean
is_addr_char (char c)
{
  return c != '\0' && !g_ascii_isspace (c) && c != '<' && c != '>' && c != '(' && c != ')'
         && c != ',' && c != ';' && c != '"' && c != '[' && c != ']';
}

void
tern_coi_microformats_read_mentions_text (const char *text, GPtrArray *mentions)
{
  const char *p;

  if (text == NULL)
    return;
  for (p = strchr (text, '@'); p != NULL; p = strchr (p + 1, '@'))
    {
      const char *name_start;
      const char *name_end;
      const char *addr_start;
      const char *addr_end;
      const char *at;

      /* A mention starts a word. */
      if (p != text && !g_ascii_isspace (p[-1]) && p[-1] != '(' && p[-1] != '['
          && p[-1] != '>' && p[-1] != ',' && p[-1] != ';')
        continue;

      if (g_ascii_strncasecmp (p + 1, "all", 3) == 0 && !g_ascii_isalnum (p[4]) && p[4] != ':'
          && p[4] != '_' && p[4] != '-' && p[4] != '@')
        {
          add_mention (mentions, NULL, NULL, TRUE);
          continue;
        }

      if (p[1] == '"')
        {
          name_start = p + 2;
          name_end = strchr (name_start, '"');
          if (name_end == NULL || name_end[1] != ':' || name_end - name_start > 256
              || memchr (name_start, '\n', name_end - name_start))
            continue;
          addr_start = name_end + 2;
        }
      else
        {
          name_start = p + 1;
          name_end = name_start;
          while (*name_end && *name_end != ':' && !g_ascii_isspace (*name_end)
                 && *name_end != '@' && name_end - name_start < 256)
            name_end++;
          if (*name_end != ':' || name_end == name_start)
            continue;
          addr_start = name_end + 1;
        }

      addr_end = addr_start;
      while (is_addr_char (*addr_end) && addr_end - addr_start < 320)
        addr_end++;
      /* Trailing punctuation belongs to the sentence. */
      while (addr_end > addr_start && strchr (".:!?'", addr_end[-1]))
        addr_end--;
      at = memchr (addr_start, '@', addr_end - addr_start);
      if (at == NULL || at == addr_start || at + 1 >= addr_end
          || memchr (at + 1, '@', addr_end - at - 1) != NULL)
        continue;

      {
        g_autofree char *name = g_strndup (name_start, name_end - name_start);
        g_autofree char *address = g_strndup (addr_start, addr_end - addr_start);
        add_mention (mentions, name, address, FALSE);
      }
      p = addr_end - 1;
    }
}
