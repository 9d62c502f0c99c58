/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Typed decoders of FETCH: date-time, envelope, body structure, sections. */
#include "config.h"

#define G_LOG_DOMAIN "tern-imap"

#include <string.h>

#include "tern-imap-error.h"
#include "tern-imap-response-private.h"

/* ------------------------------------------------------------------------
 * Date-time
 * ------------------------------------------------------------------------ */

/* The time zone of a UTC offset in seconds (a whole number of minutes,
 * at most a day either way): one per offset for the life of the process,
 * shared by every thread. A FETCH of 10,000 INTERNALDATEs builds one or
 * two, not 10,000. */
#define MAX_ZONE_MINUTES (24 * 60)

static GTimeZone *
zone_for_offset (int seconds)
{
  static GTimeZone *zones[2 * MAX_ZONE_MINUTES + 1];
  GTimeZone **slot = &zones[seconds / 60 + MAX_ZONE_MINUTES];
  GTimeZone *tz = g_atomic_pointer_get (slot);

  if (tz != NULL)
    return tz;
  tz = g_time_zone_new_offset (seconds);
  if (tz == NULL)
    return NULL;
  if (!g_atomic_pointer_compare_and_exchange (slot, NULL, tz))
    {
      /* another thread was first */
      g_time_zone_unref (tz);
      tz = g_atomic_pointer_get (slot);
    }
  return tz;
}

GDateTime *
tern_imap_parse_date_time (const char *text)
{
  static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
  const char *p = text;
  int day = 0, month = 0, year = 0, hh, mm, ss, zone;
  int sign;
  GTimeZone *tz;

  if (text == NULL)
    return NULL;
  while (*p == ' ')
    p++;
  if (!g_ascii_isdigit (*p))
    return NULL;
  while (g_ascii_isdigit (*p) && day < 100)
    day = day * 10 + (*p++ - '0');
  if (*p++ != '-')
    return NULL;
  if (!p[0] || !p[1] || !p[2])
    return NULL;
  for (int i = 0; i < 12; i++)
    if (g_ascii_tolower (p[0]) == months[i * 3] && g_ascii_tolower (p[1]) == months[i * 3 + 1]
        && g_ascii_tolower (p[2]) == months[i * 3 + 2])
      month = i + 1;
  if (month == 0)
    return NULL;
  p += 3;
  if (*p++ != '-')
    return NULL;
  for (int i = 0; i < 4; i++)
    {
      if (!g_ascii_isdigit (*p))
        return NULL;
      year = year * 10 + (*p++ - '0');
    }
  if (*p++ != ' ')
    return NULL;
  if (!g_ascii_isdigit (p[0]) || !g_ascii_isdigit (p[1]) || p[2] != ':'
      || !g_ascii_isdigit (p[3]) || !g_ascii_isdigit (p[4]) || p[5] != ':'
      || !g_ascii_isdigit (p[6]) || !g_ascii_isdigit (p[7]) || p[8] != ' ')
    return NULL;
  hh = (p[0] - '0') * 10 + (p[1] - '0');
  mm = (p[3] - '0') * 10 + (p[4] - '0');
  ss = (p[6] - '0') * 10 + (p[7] - '0');
  p += 9;
  if (*p != '+' && *p != '-')
    return NULL;
  sign = *p++ == '-' ? -1 : 1;
  for (int i = 0; i < 4; i++)
    if (!g_ascii_isdigit (p[i]))
      return NULL;
  if (p[4] != '\0')
    return NULL;
  zone = ((p[0] - '0') * 10 + (p[1] - '0')) * 3600 + ((p[2] - '0') * 10 + (p[3] - '0')) * 60;
  if (zone > MAX_ZONE_MINUTES * 60)
    return NULL;
  tz = zone_for_offset (sign * zone);
  if (tz == NULL)
    return NULL;
  return g_date_time_new (tz, year, month, day, hh, mm, ss);
}

/* ------------------------------------------------------------------------
 * Envelope
 * ------------------------------------------------------------------------ */

void
tern_imap_address_free (TernImapAddress *address)
{
  if (address == NULL)
    return;
  g_free (address->name);
  g_free (address->adl);
  g_free (address->mailbox);
  g_free (address->host);
  g_free (address->group);
  g_free (address);
}

char *
tern_imap_address_dup_email (const TernImapAddress *address)
{
  g_return_val_if_fail (address != NULL, NULL);
  if (address->mailbox == NULL)
    return NULL;
  if (address->host == NULL || *address->host == '\0')
    return g_strdup (address->mailbox);
  return g_strdup_printf ("%s@%s", address->mailbox, address->host);
}

static GPtrArray *
decode_addresses (const TernImapValue *v,
                  GError             **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_imap_address_free);
  g_autofree char *group = NULL;
  gboolean group_has_members = FALSE;

  if (tern_imap_value_is_nil (v))
    return g_steal_pointer (&out);
  if (!is_list (v))
    return decode_fail (error, "address list"), NULL;

  for (guint i = 0; i < v->n_children; i++)
    {
      const TernImapValue *a = v->u.children[i];
      TernImapAddress *addr;

      if (!is_list (a) || a->n_children < 4)
        return decode_fail (error, "address"), NULL;
      if (tern_imap_value_is_nil (child (a, 3)))
        {
          if (!tern_imap_value_is_nil (child (a, 2)))
            {
              /* group start */
              g_free (group);
              group = dup_nstring (child (a, 2));
              group_has_members = FALSE;
            }
          else if (group != NULL)
            {
              /* group end */
              if (!group_has_members)
                {
                  addr = g_new0 (TernImapAddress, 1);
                  addr->group = g_strdup (group);
                  g_ptr_array_add (out, addr);
                }
              g_clear_pointer (&group, g_free);
            }
          continue;
        }
      addr = g_new0 (TernImapAddress, 1);
      addr->name = dup_nstring (child (a, 0));
      addr->adl = dup_nstring (child (a, 1));
      addr->mailbox = dup_nstring (child (a, 2));
      addr->host = dup_nstring (child (a, 3));
      addr->group = g_strdup (group);
      group_has_members = TRUE;
      g_ptr_array_add (out, addr);
    }
  return g_steal_pointer (&out);
}

void
tern_imap_envelope_free (TernImapEnvelope *envelope)
{
  if (envelope == NULL)
    return;
  g_free (envelope->date);
  g_free (envelope->subject);
  g_clear_pointer (&envelope->from, g_ptr_array_unref);
  g_clear_pointer (&envelope->sender, g_ptr_array_unref);
  g_clear_pointer (&envelope->reply_to, g_ptr_array_unref);
  g_clear_pointer (&envelope->to, g_ptr_array_unref);
  g_clear_pointer (&envelope->cc, g_ptr_array_unref);
  g_clear_pointer (&envelope->bcc, g_ptr_array_unref);
  g_free (envelope->in_reply_to);
  g_free (envelope->message_id);
  g_free (envelope);
}

TernImapEnvelope *
tern_imap_envelope_decode (const TernImapValue *value,
                           GError             **error)
{
  g_autoptr(TernImapEnvelope) env = NULL;
  GPtrArray **lists[6];

  if (!is_list (value) || value->n_children < 10)
    return decode_fail (error, "envelope"), NULL;
  env = g_new0 (TernImapEnvelope, 1);
  env->date = dup_nstring (child (value, 0));
  env->subject = dup_nstring (child (value, 1));
  lists[0] = &env->from;
  lists[1] = &env->sender;
  lists[2] = &env->reply_to;
  lists[3] = &env->to;
  lists[4] = &env->cc;
  lists[5] = &env->bcc;
  for (guint i = 0; i < 6; i++)
    {
      *lists[i] = decode_addresses (child (value, 2 + i), error);
      if (*lists[i] == NULL)
        return NULL;
    }
  env->in_reply_to = dup_nstring (child (value, 8));
  env->message_id = dup_nstring (child (value, 9));
  return g_steal_pointer (&env);
}

/* ------------------------------------------------------------------------
 * Body structure
 * ------------------------------------------------------------------------ */

void
tern_imap_body_part_free (TernImapBodyPart *part)
{
  if (part == NULL)
    return;
  g_free (part->type);
  g_free (part->subtype);
  g_strfreev (part->params);
  g_free (part->id);
  g_free (part->description);
  g_free (part->encoding);
  g_free (part->md5);
  g_free (part->disposition);
  g_strfreev (part->disposition_params);
  g_strfreev (part->language);
  g_free (part->location);
  tern_imap_envelope_free (part->envelope);
  g_clear_pointer (&part->children, g_ptr_array_unref);
  g_free (part->part_id);
  g_free (part);
}

/* body-fld-param: NIL or (name value ...) → NULL or strv */
static gboolean
decode_params (const TernImapValue *v,
               char              ***out,
               GError             **error)
{
  GPtrArray *arr;

  *out = NULL;
  if (tern_imap_value_is_nil (v))
    return TRUE;
  if (!is_list (v) || v->n_children % 2 != 0)
    return decode_fail (error, "body parameters");
  arr = g_ptr_array_sized_new (v->n_children + 1);
  for (guint i = 0; i < v->n_children; i++)
    {
      const TernImapValue *c = v->u.children[i];
      if (!is_textual (c))
        {
          g_ptr_array_add (arr, NULL);
          g_strfreev ((char **) g_ptr_array_free (arr, FALSE));
          return decode_fail (error, "body parameter");
        }
      g_ptr_array_add (arr, i % 2 == 0 ? g_ascii_strdown (c->text, c->length)
                                       : g_strndup (c->text, c->length));
    }
  g_ptr_array_add (arr, NULL);
  *out = (char **) g_ptr_array_free (arr, FALSE);
  return TRUE;
}

static char *
dup_lower (const TernImapValue *v)
{
  if (!is_textual (v))
    return NULL;
  return g_ascii_strdown (v->text, v->length);
}

/* Extension fields shared by both kinds, starting at @i: disposition,
 * language, location (tolerant: malformed extension data is ignored). */
static void
decode_extension (TernImapBodyPart    *part,
                  const TernImapValue *v,
                  guint                i)
{
  const TernImapValue *disp = child (v, i);
  const TernImapValue *lang = child (v, i + 1);
  const TernImapValue *loc = child (v, i + 2);

  if (is_list (disp) && disp->n_children >= 1)
    {
      part->disposition = dup_lower (child (disp, 0));
      if (!decode_params (child (disp, 1), &part->disposition_params, NULL))
        part->disposition_params = NULL;
    }
  if (is_textual (lang))
    {
      part->language = g_new0 (char *, 2);
      part->language[0] = g_strndup (lang->text, lang->length);
    }
  else if (is_list (lang))
    {
      part->language = tern_imap_strv_from_values (lang, 0, FALSE);
    }
  if (is_textual (loc))
    part->location = g_strndup (loc->text, loc->length);
}

static char *
child_part_id (const char *parent,
               guint       index)
{
  if (parent == NULL || *parent == '\0')
    return g_strdup_printf ("%u", index + 1);
  return g_strdup_printf ("%s.%u", parent, index + 1);
}

static TernImapBodyPart *
decode_body (const TernImapValue *v,
             char                *part_id, /* transfer full */
             guint                depth,
             GError             **error)
{
  g_autoptr(TernImapBodyPart) part = g_new0 (TernImapBodyPart, 1);
  guint i;

  part->part_id = part_id;
  part->children = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_imap_body_part_free);
  if (!is_list (v) || v->n_children == 0 || depth > 200)
    return decode_fail (error, "body structure"), NULL;

  if (is_list (child (v, 0)))
    {
      /* multipart: body+ SP subtype [ext] */
      for (i = 0; i < v->n_children && is_list (v->u.children[i]); i++)
        {
          TernImapBodyPart *c = decode_body (v->u.children[i], child_part_id (part_id, i),
                                             depth + 1, error);
          if (c == NULL)
            return NULL;
          g_ptr_array_add (part->children, c);
        }
      part->type = g_strdup ("multipart");
      part->subtype = dup_lower (child (v, i));
      if (part->subtype == NULL)
        return decode_fail (error, "multipart subtype"), NULL;
      /* extension: params, disposition, language, location */
      if (!decode_params (child (v, i + 1), &part->params, NULL))
        part->params = NULL;
      decode_extension (part, v, i + 2);
      return g_steal_pointer (&part);
    }

  if (v->n_children < 7)
    return decode_fail (error, "body part"), NULL;
  part->type = dup_lower (child (v, 0));
  part->subtype = dup_lower (child (v, 1));
  if (part->type == NULL || part->subtype == NULL)
    return decode_fail (error, "body type"), NULL;
  if (!decode_params (child (v, 2), &part->params, error))
    return NULL;
  part->id = dup_nstring (child (v, 3));
  part->description = dup_nstring (child (v, 4));
  part->encoding = dup_nstring (child (v, 5));
  if (!is_textual (child (v, 6)))
    return decode_fail (error, "body size"), NULL;
  part->size = tern_imap_value_get_number (child (v, 6));
  i = 7;
  if (strcmp (part->type, "message") == 0
      && (strcmp (part->subtype, "rfc822") == 0 || strcmp (part->subtype, "global") == 0)
      && v->n_children >= 10 && is_list (child (v, 7)) && is_list (child (v, 8)))
    {
      TernImapBodyPart *c;
      const TernImapValue *inner = child (v, 8);
      part->envelope = tern_imap_envelope_decode (child (v, 7), error);
      if (part->envelope == NULL)
        return NULL;
      c = decode_body (inner,
                       is_list (child (inner, 0)) ? g_strdup (part_id)
                                                  : child_part_id (part_id, 0),
                       depth + 1, error);
      if (c == NULL)
        return NULL;
      g_ptr_array_add (part->children, c);
      part->lines = tern_imap_value_get_number (child (v, 9));
      part->has_lines = TRUE;
      i = 10;
    }
  else if (strcmp (part->type, "text") == 0 && child (v, 7) != NULL
           && child (v, 7)->type == TERN_IMAP_VALUE_NUMBER)
    {
      part->lines = child (v, 7)->u.number;
      part->has_lines = TRUE;
      i = 8;
    }
  /* extension: md5, disposition, language, location */
  part->md5 = dup_nstring (child (v, i));
  decode_extension (part, v, i + 1);
  return g_steal_pointer (&part);
}

TernImapBodyPart *
tern_imap_body_part_decode (const TernImapValue *value,
                            GError             **error)
{
  if (!is_list (value) || value->n_children == 0)
    return decode_fail (error, "body structure"), NULL;
  return decode_body (value, g_strdup (is_list (child (value, 0)) ? "" : "1"), 0, error);
}

static const char *
strv_lookup (char      **strv,
             const char *name)
{
  if (strv == NULL)
    return NULL;
  for (guint i = 0; strv[i] != NULL && strv[i + 1] != NULL; i += 2)
    if (g_ascii_strcasecmp (strv[i], name) == 0)
      return strv[i + 1];
  return NULL;
}

const char *
tern_imap_body_part_get_param (const TernImapBodyPart *part,
                               const char             *name)
{
  g_return_val_if_fail (part != NULL && name != NULL, NULL);
  return strv_lookup (part->params, name);
}

const char *
tern_imap_body_part_get_disposition_param (const TernImapBodyPart *part,
                                           const char             *name)
{
  g_return_val_if_fail (part != NULL && name != NULL, NULL);
  return strv_lookup (part->disposition_params, name);
}

TernImapBodyPart *
tern_imap_body_part_find (TernImapBodyPart *part,
                          const char       *part_id)
{
  g_return_val_if_fail (part != NULL && part_id != NULL, NULL);
  if (g_strcmp0 (part->part_id, part_id) == 0)
    return part;
  for (guint i = 0; part->children && i < part->children->len; i++)
    {
      TernImapBodyPart *found = tern_imap_body_part_find (part->children->pdata[i], part_id);
      if (found)
        return found;
    }
  return NULL;
}

/* ------------------------------------------------------------------------
 * FETCH
 * ------------------------------------------------------------------------ */

void
tern_imap_body_section_free (TernImapBodySection *section)
{
  if (section == NULL)
    return;
  g_free (section->section);
  g_clear_pointer (&section->data, g_bytes_unref);
  g_free (section);
}

void
tern_imap_fetch_free (TernImapFetch *fetch)
{
  if (fetch == NULL)
    return;
  g_strfreev (fetch->flags);
  g_clear_pointer (&fetch->internaldate, g_date_time_unref);
  tern_imap_envelope_free (fetch->envelope);
  tern_imap_body_part_free (fetch->body);
  g_clear_pointer (&fetch->sections, g_ptr_array_unref);
  g_free (fetch);
}

/* BODY[spec]<origin>, BINARY[spec]<origin>, RFC822, RFC822.HEADER,
 * RFC822.TEXT → section; FALSE if @key is not a section item. */
static gboolean
section_from_key (const TernImapValue  *key,
                  TernImapBodySection **out)
{
  const char *t = key->text;
  gsize n = key->length;
  const char *open, *close;
  TernImapBodySection *s;

  *out = NULL;
  if (g_ascii_strcasecmp (t, "RFC822") == 0 || g_ascii_strcasecmp (t, "RFC822.HEADER") == 0
      || g_ascii_strcasecmp (t, "RFC822.TEXT") == 0)
    {
      s = g_new0 (TernImapBodySection, 1);
      s->section = g_strdup (n > 7 ? g_ascii_strcasecmp (t + 7, "HEADER") == 0 ? "HEADER" : "TEXT"
                                   : "");
      s->origin = -1;
      *out = s;
      return TRUE;
    }
  if (n >= 6 && g_ascii_strncasecmp (t, "BODY[", 5) == 0)
    open = t + 4;
  else if (n >= 8 && g_ascii_strncasecmp (t, "BINARY[", 7) == 0)
    open = t + 6;
  else
    return FALSE;
  close = strrchr (t, ']');
  if (close == NULL || close < open)
    return FALSE;
  s = g_new0 (TernImapBodySection, 1);
  s->binary = open == t + 6;
  s->section = g_strndup (open + 1, close - open - 1);
  s->origin = -1;
  if (close[1] == '<')
    {
      gint64 o = 0;
      const char *p = close + 2;
      while (g_ascii_isdigit (*p) && o < G_MAXINT64 / 10 - 10)
        o = o * 10 + (*p++ - '0');
      if (*p == '>' && p > close + 2)
        s->origin = o;
    }
  *out = s;
  return TRUE;
}

TernImapFetch *
tern_imap_fetch_decode (const TernImapResponse *response,
                        GError                **error)
{
  g_autoptr(TernImapFetch) fetch = NULL;
  const TernImapValue *items;

  if (!check_data (response, "FETCH", error))
    return NULL;
  items = child (response->data, 0);
  if (!response->has_number || response->number > G_MAXUINT32 || !is_list (items)
      || items->n_children % 2 != 0)
    return decode_fail (error, "FETCH response"), NULL;

  fetch = g_new0 (TernImapFetch, 1);
  fetch->seq = (guint32) response->number;
  fetch->sections = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_imap_body_section_free);

  for (guint i = 0; i < items->n_children; i += 2)
    {
      const TernImapValue *key = items->u.children[i];
      const TernImapValue *val = items->u.children[i + 1];
      TernImapBodySection *section;
      const char *k;

      if (key->type != TERN_IMAP_VALUE_ATOM)
        return decode_fail (error, "FETCH item name"), NULL;
      k = key->text;
      if (g_ascii_strcasecmp (k, "UID") == 0)
        {
          if (!get_u32 (val, &fetch->uid))
            return decode_fail (error, "FETCH UID"), NULL;
          fetch->present |= TERN_IMAP_FETCH_UID;
        }
      else if (g_ascii_strcasecmp (k, "FLAGS") == 0)
        {
          if (!is_list (val))
            return decode_fail (error, "FETCH FLAGS"), NULL;
          g_strfreev (fetch->flags);
          fetch->flags = tern_imap_strv_from_values (val, 0, FALSE);
          fetch->present |= TERN_IMAP_FETCH_FLAGS;
        }
      else if (g_ascii_strcasecmp (k, "INTERNALDATE") == 0)
        {
          if (!is_textual (val))
            return decode_fail (error, "FETCH INTERNALDATE"), NULL;
          g_clear_pointer (&fetch->internaldate, g_date_time_unref);
          fetch->internaldate = tern_imap_parse_date_time (val->text);
          fetch->present |= TERN_IMAP_FETCH_INTERNALDATE;
        }
      else if (g_ascii_strcasecmp (k, "RFC822.SIZE") == 0)
        {
          if (val->type != TERN_IMAP_VALUE_NUMBER)
            return decode_fail (error, "FETCH RFC822.SIZE"), NULL;
          fetch->rfc822_size = val->u.number;
          fetch->present |= TERN_IMAP_FETCH_RFC822_SIZE;
        }
      else if (g_ascii_strcasecmp (k, "MODSEQ") == 0)
        {
          const TernImapValue *m = child (val, 0);
          if (m == NULL || m->type != TERN_IMAP_VALUE_NUMBER)
            return decode_fail (error, "FETCH MODSEQ"), NULL;
          fetch->modseq = m->u.number;
          fetch->present |= TERN_IMAP_FETCH_MODSEQ;
        }
      else if (g_ascii_strcasecmp (k, "ENVELOPE") == 0)
        {
          tern_imap_envelope_free (fetch->envelope);
          fetch->envelope = tern_imap_envelope_decode (val, error);
          if (fetch->envelope == NULL)
            return NULL;
          fetch->present |= TERN_IMAP_FETCH_ENVELOPE;
        }
      else if (g_ascii_strcasecmp (k, "BODY") == 0 || g_ascii_strcasecmp (k, "BODYSTRUCTURE") == 0)
        {
          tern_imap_body_part_free (fetch->body);
          fetch->body = tern_imap_body_part_decode (val, error);
          if (fetch->body == NULL)
            return NULL;
          fetch->body_extended = g_ascii_strcasecmp (k, "BODYSTRUCTURE") == 0;
          fetch->present |= TERN_IMAP_FETCH_BODYSTRUCTURE;
        }
      else if (section_from_key (key, &section))
        {
          if (val->type != TERN_IMAP_VALUE_NIL && val->type != TERN_IMAP_VALUE_STRING
              && val->type != TERN_IMAP_VALUE_ATOM && val->type != TERN_IMAP_VALUE_NUMBER)
            {
              tern_imap_body_section_free (section);
              return decode_fail (error, "FETCH body section"), NULL;
            }
          section->data = tern_imap_value_get_bytes (val);
          g_ptr_array_add (fetch->sections, section);
          fetch->present |= TERN_IMAP_FETCH_SECTIONS;
        }
      /* other items (BINARY.SIZE, X-GM-*, SAVEDATE, EMAILID...) are ignored */
    }
  return g_steal_pointer (&fetch);
}

TernImapBodySection *
tern_imap_fetch_get_section (const TernImapFetch *fetch,
                             const char          *section)
{
  g_return_val_if_fail (fetch != NULL && section != NULL, NULL);
  for (guint i = 0; i < fetch->sections->len; i++)
    {
      TernImapBodySection *s = fetch->sections->pdata[i];
      if (g_ascii_strcasecmp (s->section, section) == 0)
        return s;
    }
  return NULL;
}
