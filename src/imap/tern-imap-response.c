/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-imap"

#include <string.h>

#include "tern-imap-error.h"
#include "tern-imap-response-private.h"

#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((gsize) (a) - 1))
#define HEAD_SIZE      ALIGN_UP (sizeof (TernImapResponse), 16)
#define BLOCK_HEAD     ALIGN_UP (sizeof (TernImapArenaBlock), 16)

struct _TernImapUidSet {
  GArray *ranges; /* TernImapUidRange */
};

G_DEFINE_BOXED_TYPE (TernImapResponse, tern_imap_response, tern_imap_response_ref,
                     tern_imap_response_unref)

static const struct {
  const char  *name;
  TernImapCode code;
} code_names[] = {
  { "ALERT", TERN_IMAP_CODE_ALERT },
  { "BADCHARSET", TERN_IMAP_CODE_BADCHARSET },
  { "CAPABILITY", TERN_IMAP_CODE_CAPABILITY },
  { "PARSE", TERN_IMAP_CODE_PARSE },
  { "PERMANENTFLAGS", TERN_IMAP_CODE_PERMANENTFLAGS },
  { "READ-ONLY", TERN_IMAP_CODE_READ_ONLY },
  { "READ-WRITE", TERN_IMAP_CODE_READ_WRITE },
  { "TRYCREATE", TERN_IMAP_CODE_TRYCREATE },
  { "UIDNEXT", TERN_IMAP_CODE_UIDNEXT },
  { "UIDVALIDITY", TERN_IMAP_CODE_UIDVALIDITY },
  { "UNSEEN", TERN_IMAP_CODE_UNSEEN },
  { "HIGHESTMODSEQ", TERN_IMAP_CODE_HIGHESTMODSEQ },
  { "NOMODSEQ", TERN_IMAP_CODE_NOMODSEQ },
  { "MODIFIED", TERN_IMAP_CODE_MODIFIED },
  { "CLOSED", TERN_IMAP_CODE_CLOSED },
  { "APPENDUID", TERN_IMAP_CODE_APPENDUID },
  { "COPYUID", TERN_IMAP_CODE_COPYUID },
  { "UIDNOTSTICKY", TERN_IMAP_CODE_UIDNOTSTICKY },
  { "AUTHENTICATIONFAILED", TERN_IMAP_CODE_AUTHENTICATIONFAILED },
  { "AUTHORIZATIONFAILED", TERN_IMAP_CODE_AUTHORIZATIONFAILED },
  { "UNAVAILABLE", TERN_IMAP_CODE_UNAVAILABLE },
  { "EXPIRED", TERN_IMAP_CODE_EXPIRED },
  { "PRIVACYREQUIRED", TERN_IMAP_CODE_PRIVACYREQUIRED },
  { "CONTACTADMIN", TERN_IMAP_CODE_CONTACTADMIN },
  { "NOPERM", TERN_IMAP_CODE_NOPERM },
  { "INUSE", TERN_IMAP_CODE_INUSE },
  { "EXPUNGEISSUED", TERN_IMAP_CODE_EXPUNGEISSUED },
  { "CORRUPTION", TERN_IMAP_CODE_CORRUPTION },
  { "SERVERBUG", TERN_IMAP_CODE_SERVERBUG },
  { "CLIENTBUG", TERN_IMAP_CODE_CLIENTBUG },
  { "CANNOT", TERN_IMAP_CODE_CANNOT },
  { "LIMIT", TERN_IMAP_CODE_LIMIT },
  { "OVERQUOTA", TERN_IMAP_CODE_OVERQUOTA },
  { "ALREADYEXISTS", TERN_IMAP_CODE_ALREADYEXISTS },
  { "NONEXISTENT", TERN_IMAP_CODE_NONEXISTENT },
  { "METADATA", TERN_IMAP_CODE_METADATA },
  { "NOTSAVED", TERN_IMAP_CODE_NOTSAVED },
  { "HASCHILDREN", TERN_IMAP_CODE_HASCHILDREN },
  { "UNKNOWN-CTE", TERN_IMAP_CODE_UNKNOWN_CTE },
};

/* ------------------------------------------------------------------------
 * Arena and response lifetime
 * ------------------------------------------------------------------------ */

TernImapCode
tern_imap_code_from_name (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (code_names); i++)
    if (strcmp (code_names[i].name, name) == 0)
      return code_names[i].code;
  return TERN_IMAP_CODE_OTHER;
}

TernImapResponse *
tern_imap_response_alloc (gsize arena_hint)
{
  gsize first = ALIGN_UP (MAX (arena_hint, 256), 16);
  guint8 *mem = g_malloc (HEAD_SIZE + BLOCK_HEAD + first);
  TernImapResponse *self = (TernImapResponse *) mem;
  TernImapArenaBlock *block = (TernImapArenaBlock *) (mem + HEAD_SIZE);

  memset (self, 0, sizeof *self);
  g_atomic_ref_count_init (&self->ref_count);
  block->next = NULL;
  block->size = first;
  block->used = 0;
  self->arena = block;
  return self;
}

gpointer
tern_imap_response_arena_alloc (TernImapResponse *self,
                                gsize             size)
{
  TernImapArenaBlock *block = self->arena;
  gpointer p;

  size = ALIGN_UP (size, 8);
  if (block->size - block->used < size)
    {
      gsize want = MAX (MIN (block->size * 2, (gsize) 1 << 20), size);
      TernImapArenaBlock *nb = g_malloc (BLOCK_HEAD + want);
      nb->size = want;
      nb->used = 0;
      /* Keep the embedded first block last in the chain: the newest block is
       * the head, the first block is freed with the response. */
      nb->next = block;
      self->arena = nb;
      block = nb;
    }
  p = (guint8 *) block + BLOCK_HEAD + block->used;
  block->used += size;
  return p;
}

const char *
tern_imap_response_arena_strndup (TernImapResponse *self,
                                  const char       *str,
                                  gsize             len)
{
  char *out = tern_imap_response_arena_alloc (self, len + 1);
  memcpy (out, str, len);
  out[len] = '\0';
  return out;
}

TernImapResponse *
tern_imap_response_ref (TernImapResponse *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
tern_imap_response_unref (TernImapResponse *self)
{
  TernImapArenaBlock *embedded;

  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  for (guint i = 0; i < self->n_literals; i++)
    g_bytes_unref (self->literals[i]);
  embedded = (TernImapArenaBlock *) ((guint8 *) self + HEAD_SIZE);
  for (TernImapArenaBlock *b = self->arena; b != NULL && b != embedded;)
    {
      TernImapArenaBlock *next = b->next;
      g_free (b);
      b = next;
    }
  g_free (self);
}

/* ------------------------------------------------------------------------
 * Values
 * ------------------------------------------------------------------------ */

TernImapValueType
tern_imap_value_get_value_type (const TernImapValue *value)
{
  g_return_val_if_fail (value != NULL, TERN_IMAP_VALUE_NIL);
  return value->type;
}

gboolean
tern_imap_value_is_nil (const TernImapValue *value)
{
  return value == NULL || value->type == TERN_IMAP_VALUE_NIL;
}

gboolean
tern_imap_value_is_literal (const TernImapValue *value)
{
  return value != NULL && value->literal;
}

const char *
tern_imap_value_get_text (const TernImapValue *value,
                          gsize               *length)
{
  if (value == NULL || value->type == TERN_IMAP_VALUE_NIL || value->type == TERN_IMAP_VALUE_LIST)
    {
      if (length)
        *length = 0;
      return NULL;
    }
  if (length)
    *length = value->length;
  return value->text;
}

gboolean
tern_imap_value_text_equal (const TernImapValue *value,
                            const char          *text)
{
  const char *t = tern_imap_value_get_text (value, NULL);
  gsize n = strlen (text);

  return t != NULL && value->length == n && g_ascii_strncasecmp (t, text, n) == 0;
}

guint64
tern_imap_value_get_number (const TernImapValue *value)
{
  if (value == NULL || value->type != TERN_IMAP_VALUE_NUMBER)
    return 0;
  return value->u.number;
}

GBytes *
tern_imap_value_get_bytes (const TernImapValue *value)
{
  if (value == NULL)
    return NULL;
  if (value->literal)
    return g_bytes_ref (value->u.bytes);
  if (value->type == TERN_IMAP_VALUE_NIL || value->type == TERN_IMAP_VALUE_LIST)
    return NULL;
  return g_bytes_new (value->text, value->length);
}

guint
tern_imap_value_get_n_children (const TernImapValue *value)
{
  if (value == NULL || value->type != TERN_IMAP_VALUE_LIST)
    return 0;
  return value->n_children;
}

const TernImapValue *
tern_imap_value_get_child (const TernImapValue *value,
                           guint                index)
{
  if (value == NULL || value->type != TERN_IMAP_VALUE_LIST || index >= value->n_children)
    return NULL;
  return value->u.children[index];
}

static void
append_value (GString             *out,
              const TernImapValue *v,
              guint                depth)
{
  switch (v->type)
    {
    case TERN_IMAP_VALUE_NIL:
      g_string_append (out, "NIL");
      break;
    case TERN_IMAP_VALUE_ATOM:
    case TERN_IMAP_VALUE_NUMBER:
      g_string_append_len (out, v->text, v->length);
      break;
    case TERN_IMAP_VALUE_STRING:
      {
        gsize n = MIN (v->length, 200);
        if (v->literal)
          g_string_append_printf (out, "{%" G_GSIZE_FORMAT "}", v->length);
        g_string_append_c (out, '"');
        for (gsize i = 0; i < n; i++)
          {
            guint8 c = (guint8) v->text[i];
            if (c == '"' || c == '\\')
              g_string_append_printf (out, "\\%c", c);
            else if (c < 0x20 || c == 0x7f)
              g_string_append_printf (out, "\\x%02x", c);
            else
              g_string_append_c (out, (char) c);
          }
        if (n < v->length)
          g_string_append (out, "...");
        g_string_append_c (out, '"');
      }
      break;
    case TERN_IMAP_VALUE_LIST:
      if (depth > 100)
        {
          g_string_append (out, "(...)");
          break;
        }
      g_string_append_c (out, '(');
      for (guint i = 0; i < v->n_children; i++)
        {
          if (i > 0)
            g_string_append_c (out, ' ');
          append_value (out, v->u.children[i], depth + 1);
        }
      g_string_append_c (out, ')');
      break;
    default:
      g_assert_not_reached ();
    }
}

char *
tern_imap_value_to_string (const TernImapValue *value)
{
  GString *out = g_string_new (NULL);

  if (value == NULL)
    g_string_append (out, "(null)");
  else
    append_value (out, value, 0);
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------------
 * Response accessors
 * ------------------------------------------------------------------------ */

TernImapResponseKind
tern_imap_response_get_kind (const TernImapResponse *self)
{
  g_return_val_if_fail (self != NULL, TERN_IMAP_RESPONSE_UNTAGGED);
  return self->kind;
}

const char *
tern_imap_response_get_tag (const TernImapResponse *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->tag;
}

TernImapStatus
tern_imap_response_get_status (const TernImapResponse *self)
{
  g_return_val_if_fail (self != NULL, TERN_IMAP_STATUS_NONE);
  return self->status;
}

const char *
tern_imap_response_get_text (const TernImapResponse *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->text;
}

TernImapCode
tern_imap_response_get_code (const TernImapResponse *self)
{
  g_return_val_if_fail (self != NULL, TERN_IMAP_CODE_NONE);
  return self->code;
}

const char *
tern_imap_response_get_code_name (const TernImapResponse *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->code_name;
}

const TernImapValue *
tern_imap_response_get_code_args (const TernImapResponse *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->code_args;
}

gboolean
tern_imap_response_get_code_number (const TernImapResponse *self,
                                    guint64                *number)
{
  const TernImapValue *v;

  g_return_val_if_fail (self != NULL, FALSE);
  v = tern_imap_value_get_child (self->code_args, 0);
  if (v == NULL || v->type != TERN_IMAP_VALUE_NUMBER)
    return FALSE;
  if (number)
    *number = v->u.number;
  return TRUE;
}

char **
tern_imap_strv_from_values (const TernImapValue *list,
                  guint                from,
                  gboolean             upper)
{
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = from; i < tern_imap_value_get_n_children (list); i++)
    {
      const TernImapValue *c = list->u.children[i];
      if (c->type == TERN_IMAP_VALUE_ATOM || c->type == TERN_IMAP_VALUE_STRING
          || c->type == TERN_IMAP_VALUE_NUMBER)
        g_ptr_array_add (out, upper ? g_ascii_strup (c->text, c->length)
                                    : g_strndup (c->text, c->length));
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

char **
tern_imap_response_dup_code_capabilities (const TernImapResponse *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (self->code != TERN_IMAP_CODE_CAPABILITY)
    return NULL;
  return tern_imap_strv_from_values (self->code_args, 0, TRUE);
}

char **
tern_imap_response_dup_code_flags (const TernImapResponse *self)
{
  const TernImapValue *list;

  g_return_val_if_fail (self != NULL, NULL);
  if (self->code != TERN_IMAP_CODE_PERMANENTFLAGS)
    return NULL;
  list = tern_imap_value_get_child (self->code_args, 0);
  if (list == NULL || list->type != TERN_IMAP_VALUE_LIST)
    return NULL;
  return tern_imap_strv_from_values (list, 0, FALSE);
}

gboolean
tern_imap_response_get_number (const TernImapResponse *self,
                               guint64                *number)
{
  g_return_val_if_fail (self != NULL, FALSE);
  if (self->has_number && number)
    *number = self->number;
  return self->has_number;
}

const char *
tern_imap_response_get_name (const TernImapResponse *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->name;
}

gboolean
tern_imap_response_is_data (const TernImapResponse *self,
                            const char             *name)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->name != NULL && g_ascii_strcasecmp (self->name, name) == 0;
}

const TernImapValue *
tern_imap_response_get_data (const TernImapResponse *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->data;
}

char *
tern_imap_response_to_string (const TernImapResponse *self)
{
  static const char *const statuses[] = { "", "OK", "NO", "BAD", "PREAUTH", "BYE" };
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (self != NULL, NULL);
  switch (self->kind)
    {
    case TERN_IMAP_RESPONSE_CONTINUATION:
      g_string_append_printf (out, "+ %s", self->text);
      return g_string_free (out, FALSE);
    case TERN_IMAP_RESPONSE_TAGGED:
      g_string_append (out, self->tag);
      break;
    case TERN_IMAP_RESPONSE_UNTAGGED:
    default:
      g_string_append_c (out, '*');
      break;
    }
  if (self->has_number)
    g_string_append_printf (out, " %" G_GUINT64_FORMAT, self->number);
  if (self->status != TERN_IMAP_STATUS_NONE)
    {
      g_string_append_printf (out, " %s", statuses[self->status]);
      if (self->code_name)
        {
          g_string_append_printf (out, " [%s", self->code_name);
          for (guint i = 0; i < tern_imap_value_get_n_children (self->code_args); i++)
            {
              g_string_append_c (out, ' ');
              append_value (out, self->code_args->u.children[i], 0);
            }
          g_string_append_c (out, ']');
        }
      if (self->text && *self->text)
        g_string_append_printf (out, " %s", self->text);
    }
  else
    {
      g_string_append_printf (out, " %s", self->name);
      for (guint i = 0; i < tern_imap_value_get_n_children (self->data); i++)
        {
          g_string_append_c (out, ' ');
          append_value (out, self->data->u.children[i], 0);
        }
    }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------------
 * UID sets
 * ------------------------------------------------------------------------ */

TernImapUidSet *
tern_imap_uid_set_new (void)
{
  TernImapUidSet *set = g_new0 (TernImapUidSet, 1);
  set->ranges = g_array_new (FALSE, FALSE, sizeof (TernImapUidRange));
  return set;
}

void
tern_imap_uid_set_free (TernImapUidSet *set)
{
  if (set == NULL)
    return;
  g_array_unref (set->ranges);
  g_free (set);
}

void
tern_imap_uid_set_add_range (TernImapUidSet *set,
                             guint32         first,
                             guint32         last)
{
  TernImapUidRange r = { MIN (first, last), MAX (first, last) };

  g_return_if_fail (set != NULL);
  g_array_append_val (set->ranges, r);
}

static gboolean
parse_set_number (const char **pp,
                  guint32     *out)
{
  const char *p = *pp;
  guint64 n = 0;

  if (*p == '*')
    {
      *out = G_MAXUINT32;
      *pp = p + 1;
      return TRUE;
    }
  if (!g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p))
    {
      n = n * 10 + (guint64) (*p - '0');
      if (n > G_MAXUINT32)
        return FALSE;
      p++;
    }
  if (n == 0)
    return FALSE; /* nz-number */
  *out = (guint32) n;
  *pp = p;
  return TRUE;
}

TernImapUidSet *
tern_imap_uid_set_parse (const char *text,
                         GError    **error)
{
  g_autoptr(TernImapUidSet) set = tern_imap_uid_set_new ();
  const char *p = text;

  g_return_val_if_fail (text != NULL, NULL);
  for (;;)
    {
      guint32 a, b;
      if (!parse_set_number (&p, &a))
        break;
      b = a;
      if (*p == ':')
        {
          p++;
          if (!parse_set_number (&p, &b))
            break;
        }
      tern_imap_uid_set_add_range (set, a, b);
      if (*p == '\0')
        return g_steal_pointer (&set);
      if (*p != ',')
        break;
      p++;
    }
  g_set_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_PARSE, "Malformed IMAP set \"%.60s\"",
               text);
  return NULL;
}

guint
tern_imap_uid_set_get_n_ranges (const TernImapUidSet *set)
{
  g_return_val_if_fail (set != NULL, 0);
  return set->ranges->len;
}

TernImapUidRange
tern_imap_uid_set_get_range (const TernImapUidSet *set,
                             guint                 index)
{
  TernImapUidRange none = { 0, 0 };

  g_return_val_if_fail (set != NULL, none);
  g_return_val_if_fail (index < set->ranges->len, none);
  return g_array_index (set->ranges, TernImapUidRange, index);
}

gboolean
tern_imap_uid_set_contains (const TernImapUidSet *set,
                            guint32               uid)
{
  g_return_val_if_fail (set != NULL, FALSE);
  for (guint i = 0; i < set->ranges->len; i++)
    {
      TernImapUidRange *r = &g_array_index (set->ranges, TernImapUidRange, i);
      if (uid >= r->first && uid <= r->last)
        return TRUE;
    }
  return FALSE;
}

guint64
tern_imap_uid_set_count (const TernImapUidSet *set)
{
  guint64 n = 0;

  g_return_val_if_fail (set != NULL, 0);
  for (guint i = 0; i < set->ranges->len; i++)
    {
      TernImapUidRange *r = &g_array_index (set->ranges, TernImapUidRange, i);
      n += (guint64) r->last - r->first + 1;
    }
  return n;
}

GArray *
tern_imap_uid_set_to_array (const TernImapUidSet *set,
                            guint                 max_count,
                            GError              **error)
{
  GArray *out;
  guint64 n;

  g_return_val_if_fail (set != NULL, NULL);
  n = tern_imap_uid_set_count (set);
  if (n > max_count)
    {
      g_set_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_LIMIT,
                   "IMAP set holds %" G_GUINT64_FORMAT " UIDs, more than %u", n, max_count);
      return NULL;
    }
  out = g_array_sized_new (FALSE, FALSE, sizeof (guint32), (guint) n);
  for (guint i = 0; i < set->ranges->len; i++)
    {
      TernImapUidRange *r = &g_array_index (set->ranges, TernImapUidRange, i);
      for (guint64 u = r->first; u <= r->last; u++)
        {
          guint32 v = (guint32) u;
          g_array_append_val (out, v);
        }
    }
  return out;
}

static void
append_set_number (GString *out,
                   guint32  n)
{
  if (n == G_MAXUINT32)
    g_string_append_c (out, '*');
  else
    g_string_append_printf (out, "%u", n);
}

char *
tern_imap_uid_set_to_string (const TernImapUidSet *set)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (set != NULL, NULL);
  for (guint i = 0; i < set->ranges->len; i++)
    {
      TernImapUidRange *r = &g_array_index (set->ranges, TernImapUidRange, i);
      if (i > 0)
        g_string_append_c (out, ',');
      append_set_number (out, r->first);
      if (r->last != r->first)
        {
          g_string_append_c (out, ':');
          append_set_number (out, r->last);
        }
    }
  return g_string_free (out, FALSE);
}

char *
tern_imap_uid_set_format (const guint32 *uids,
                          gsize          n_uids)
{
  GString *out;
  gsize i = 0;

  if (n_uids == 0)
    return NULL;
  g_return_val_if_fail (uids != NULL, NULL);
  out = g_string_sized_new (16);
  while (i < n_uids)
    {
      guint32 first = uids[i], last = uids[i];
      i++;
      while (i < n_uids && (uids[i] == last || (last != G_MAXUINT32 && uids[i] == last + 1)))
        last = uids[i++];
      if (out->len > 0)
        g_string_append_c (out, ',');
      g_string_append_printf (out, "%u", first);
      if (last != first)
        g_string_append_printf (out, ":%u", last);
    }
  return g_string_free (out, FALSE);
}

TernImapUidSet *
tern_imap_uid_set_from_value (const TernImapValue *v)
{
  if (v == NULL || (v->type != TERN_IMAP_VALUE_ATOM && v->type != TERN_IMAP_VALUE_NUMBER))
    return NULL;
  return tern_imap_uid_set_parse (v->text, NULL);
}

gboolean
tern_imap_response_get_appenduid (const TernImapResponse *self,
                                  guint32                *uidvalidity,
                                  TernImapUidSet        **uids)
{
  const TernImapValue *uv, *set_v;
  TernImapUidSet *set;

  g_return_val_if_fail (self != NULL, FALSE);
  if (self->code != TERN_IMAP_CODE_APPENDUID)
    return FALSE;
  uv = tern_imap_value_get_child (self->code_args, 0);
  set_v = tern_imap_value_get_child (self->code_args, 1);
  if (uv == NULL || uv->type != TERN_IMAP_VALUE_NUMBER || uv->u.number > G_MAXUINT32)
    return FALSE;
  set = tern_imap_uid_set_from_value (set_v);
  if (set == NULL)
    return FALSE;
  if (uidvalidity)
    *uidvalidity = (guint32) uv->u.number;
  if (uids)
    *uids = set;
  else
    tern_imap_uid_set_free (set);
  return TRUE;
}

gboolean
tern_imap_response_get_copyuid (const TernImapResponse *self,
                                guint32                *uidvalidity,
                                TernImapUidSet        **source_uids,
                                TernImapUidSet        **dest_uids)
{
  const TernImapValue *uv;
  g_autoptr(TernImapUidSet) src = NULL;
  g_autoptr(TernImapUidSet) dst = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  if (self->code != TERN_IMAP_CODE_COPYUID)
    return FALSE;
  uv = tern_imap_value_get_child (self->code_args, 0);
  if (uv == NULL || uv->type != TERN_IMAP_VALUE_NUMBER || uv->u.number > G_MAXUINT32)
    return FALSE;
  src = tern_imap_uid_set_from_value (tern_imap_value_get_child (self->code_args, 1));
  dst = tern_imap_uid_set_from_value (tern_imap_value_get_child (self->code_args, 2));
  if (src == NULL || dst == NULL)
    return FALSE;
  if (uidvalidity)
    *uidvalidity = (guint32) uv->u.number;
  if (source_uids)
    *source_uids = g_steal_pointer (&src);
  if (dest_uids)
    *dest_uids = g_steal_pointer (&dst);
  return TRUE;
}

/* ------------------------------------------------------------------------
 * Quoting
 * ------------------------------------------------------------------------ */

TernImapQuoting
tern_imap_quote_astring (GString    *out,
                         const char *str,
                         gssize      length,
                         gboolean    allow_8bit)
{
  gsize n;
  gboolean atom = TRUE;

  g_return_val_if_fail (out != NULL && str != NULL, TERN_IMAP_QUOTING_LITERAL);
  n = length < 0 ? strlen (str) : (gsize) length;
  if (n == 0)
    atom = FALSE;
  for (gsize i = 0; i < n; i++)
    {
      guint8 c = (guint8) str[i];
      if (c == '\0' || c == '\r' || c == '\n' || (c >= 0x80 && !allow_8bit))
        return TERN_IMAP_QUOTING_LITERAL;
      if (c <= 0x20 || c >= 0x7f || c == '(' || c == ')' || c == '{' || c == '"' || c == '\\'
          || c == '%' || c == '*' || c == ']')
        atom = FALSE;
    }
  if (n == 3 && g_ascii_strncasecmp (str, "NIL", 3) == 0)
    atom = FALSE; /* would read as NIL in some parsers' eyes; quote it */
  if (atom)
    {
      g_string_append_len (out, str, n);
      return TERN_IMAP_QUOTING_ATOM;
    }
  g_string_append_c (out, '"');
  for (gsize i = 0; i < n; i++)
    {
      if (str[i] == '"' || str[i] == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, str[i]);
    }
  g_string_append_c (out, '"');
  return TERN_IMAP_QUOTING_QUOTED;
}
