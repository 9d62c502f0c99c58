/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-imap"

#include <string.h>

#include "tern-imap-error.h"
#include "tern-imap-response-private.h"
#include "tern-imap-utf7.h"

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

static char **
strv_from_values (const TernImapValue *list,
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
  return strv_from_values (self->code_args, 0, TRUE);
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
  return strv_from_values (list, 0, FALSE);
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

static TernImapUidSet *
set_from_value (const TernImapValue *v)
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
  set = set_from_value (set_v);
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
  src = set_from_value (tern_imap_value_get_child (self->code_args, 1));
  dst = set_from_value (tern_imap_value_get_child (self->code_args, 2));
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
 * Decoder helpers
 * ------------------------------------------------------------------------ */

static gboolean
decode_fail (GError    **error,
             const char *what)
{
  g_set_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_PARSE, "Malformed IMAP %s", what);
  return FALSE;
}

static inline gboolean
is_list (const TernImapValue *v)
{
  return v != NULL && v->type == TERN_IMAP_VALUE_LIST;
}

static inline gboolean
is_textual (const TernImapValue *v)
{
  return v != NULL
         && (v->type == TERN_IMAP_VALUE_ATOM || v->type == TERN_IMAP_VALUE_STRING
             || v->type == TERN_IMAP_VALUE_NUMBER);
}

/* nstring → newly allocated string or NULL */
static char *
dup_nstring (const TernImapValue *v)
{
  if (!is_textual (v))
    return NULL;
  return g_strndup (v->text, v->length);
}

static gboolean
get_u32 (const TernImapValue *v,
         guint32             *out)
{
  if (v == NULL || v->type != TERN_IMAP_VALUE_NUMBER || v->u.number > G_MAXUINT32)
    return FALSE;
  *out = (guint32) v->u.number;
  return TRUE;
}

static const TernImapValue *
child (const TernImapValue *v,
       guint                i)
{
  return tern_imap_value_get_child (v, i);
}

static guint
n_children (const TernImapValue *v)
{
  return tern_imap_value_get_n_children (v);
}

static gboolean
check_data (const TernImapResponse *response,
            const char             *name,
            GError                **error)
{
  if (response == NULL || response->kind != TERN_IMAP_RESPONSE_UNTAGGED || response->name == NULL
      || strcmp (response->name, name) != 0)
    {
      g_set_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_PARSE, "Not an IMAP %s response",
                   name);
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------------
 * Date-time
 * ------------------------------------------------------------------------ */

GDateTime *
tern_imap_parse_date_time (const char *text)
{
  static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
  const char *p = text;
  int day = 0, month = 0, year = 0, hh, mm, ss, zone;
  int sign;
  g_autoptr(GTimeZone) tz = NULL;

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
  if (zone > 24 * 3600)
    return NULL;
  tz = g_time_zone_new_offset (sign * zone);
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
      part->language = strv_from_values (lang, 0, FALSE);
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
          fetch->flags = strv_from_values (val, 0, FALSE);
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

/* ------------------------------------------------------------------------
 * LIST / LSUB
 * ------------------------------------------------------------------------ */

static const struct {
  const char          *name;
  TernImapMailboxFlags flag;
} mailbox_flags[] = {
  { "\\Noselect", TERN_IMAP_MAILBOX_NOSELECT },
  { "\\Noinferiors", TERN_IMAP_MAILBOX_NOINFERIORS },
  { "\\Marked", TERN_IMAP_MAILBOX_MARKED },
  { "\\Unmarked", TERN_IMAP_MAILBOX_UNMARKED },
  { "\\HasChildren", TERN_IMAP_MAILBOX_HAS_CHILDREN },
  { "\\HasNoChildren", TERN_IMAP_MAILBOX_HAS_NO_CHILDREN },
  { "\\NonExistent", TERN_IMAP_MAILBOX_NONEXISTENT },
  { "\\Subscribed", TERN_IMAP_MAILBOX_SUBSCRIBED },
  { "\\Remote", TERN_IMAP_MAILBOX_REMOTE },
  { "\\All", TERN_IMAP_MAILBOX_ALL },
  { "\\Archive", TERN_IMAP_MAILBOX_ARCHIVE },
  { "\\Drafts", TERN_IMAP_MAILBOX_DRAFTS },
  { "\\Flagged", TERN_IMAP_MAILBOX_FLAGGED },
  { "\\Junk", TERN_IMAP_MAILBOX_JUNK },
  { "\\Sent", TERN_IMAP_MAILBOX_SENT },
  { "\\Trash", TERN_IMAP_MAILBOX_TRASH },
  { "\\Important", TERN_IMAP_MAILBOX_IMPORTANT },
};

void
tern_imap_mailbox_free (TernImapMailbox *mailbox)
{
  if (mailbox == NULL)
    return;
  g_strfreev (mailbox->flag_names);
  g_free (mailbox->name);
  g_free (mailbox->raw_name);
  g_free (mailbox);
}

static gboolean
decode_delimiter (const TernImapValue *v,
                  char                *out)
{
  if (tern_imap_value_is_nil (v))
    {
      *out = '\0';
      return TRUE;
    }
  if (v->type != TERN_IMAP_VALUE_STRING || v->length != 1)
    return FALSE;
  *out = v->text[0];
  return TRUE;
}

static char *
decode_mailbox_name (const TernImapValue *v,
                     gboolean             utf8_accept)
{
  char *decoded;

  if (utf8_accept || g_ascii_strcasecmp (v->text, "INBOX") == 0)
    {
      if (g_utf8_validate (v->text, v->length, NULL))
        return g_strndup (v->text, v->length);
      return g_utf8_make_valid (v->text, v->length);
    }
  decoded = tern_imap_utf7_decode (v->text, NULL);
  if (decoded == NULL)
    decoded = g_utf8_make_valid (v->text, v->length);
  return decoded;
}

TernImapMailbox *
tern_imap_mailbox_decode (const TernImapResponse *response,
                          gboolean                utf8_accept,
                          GError                **error)
{
  g_autoptr(TernImapMailbox) mb = NULL;
  const TernImapValue *flags, *delim, *name;
  gboolean lsub;

  if (response != NULL && response->name != NULL && strcmp (response->name, "LSUB") == 0)
    lsub = TRUE;
  else if (check_data (response, "LIST", error))
    lsub = FALSE;
  else
    return NULL;

  flags = child (response->data, 0);
  delim = child (response->data, 1);
  name = child (response->data, 2);
  if (!is_list (flags) || delim == NULL || !is_textual (name))
    return decode_fail (error, "LIST response"), NULL;
  mb = g_new0 (TernImapMailbox, 1);
  mb->lsub = lsub;
  if (!decode_delimiter (delim, &mb->delimiter))
    return decode_fail (error, "LIST delimiter"), NULL;
  mb->flag_names = strv_from_values (flags, 0, FALSE);
  for (guint i = 0; mb->flag_names[i] != NULL; i++)
    for (gsize j = 0; j < G_N_ELEMENTS (mailbox_flags); j++)
      if (g_ascii_strcasecmp (mb->flag_names[i], mailbox_flags[j].name) == 0)
        mb->flags |= mailbox_flags[j].flag;
  mb->raw_name = g_strndup (name->text, name->length);
  mb->name = decode_mailbox_name (name, utf8_accept);
  return g_steal_pointer (&mb);
}

/* ------------------------------------------------------------------------
 * NAMESPACE
 * ------------------------------------------------------------------------ */

static void
namespace_entry_free (TernImapNamespaceEntry *e)
{
  g_free (e->prefix);
  g_free (e);
}

void
tern_imap_namespace_free (TernImapNamespace *ns)
{
  if (ns == NULL)
    return;
  g_clear_pointer (&ns->personal, g_ptr_array_unref);
  g_clear_pointer (&ns->other, g_ptr_array_unref);
  g_clear_pointer (&ns->shared, g_ptr_array_unref);
  g_free (ns);
}

static GPtrArray *
decode_namespace_list (const TernImapValue *v,
                       GError             **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) namespace_entry_free);

  if (tern_imap_value_is_nil (v))
    return g_steal_pointer (&out);
  if (!is_list (v))
    return decode_fail (error, "NAMESPACE list"), NULL;
  for (guint i = 0; i < v->n_children; i++)
    {
      const TernImapValue *e = v->u.children[i];
      TernImapNamespaceEntry *entry;
      char delim;

      if (!is_list (e) || e->n_children < 2 || !is_textual (child (e, 0))
          || !decode_delimiter (child (e, 1), &delim))
        return decode_fail (error, "NAMESPACE entry"), NULL;
      entry = g_new0 (TernImapNamespaceEntry, 1);
      entry->prefix = g_strndup (child (e, 0)->text, child (e, 0)->length);
      entry->delimiter = delim;
      g_ptr_array_add (out, entry);
    }
  return g_steal_pointer (&out);
}

TernImapNamespace *
tern_imap_namespace_decode (const TernImapResponse *response,
                            GError                **error)
{
  g_autoptr(TernImapNamespace) ns = NULL;

  if (!check_data (response, "NAMESPACE", error))
    return NULL;
  if (n_children (response->data) < 3)
    return decode_fail (error, "NAMESPACE response"), NULL;
  ns = g_new0 (TernImapNamespace, 1);
  if ((ns->personal = decode_namespace_list (child (response->data, 0), error)) == NULL
      || (ns->other = decode_namespace_list (child (response->data, 1), error)) == NULL
      || (ns->shared = decode_namespace_list (child (response->data, 2), error)) == NULL)
    return NULL;
  return g_steal_pointer (&ns);
}

/* ------------------------------------------------------------------------
 * METADATA
 * ------------------------------------------------------------------------ */

static void
metadata_entry_free (TernImapMetadataEntry *e)
{
  g_free (e->name);
  g_clear_pointer (&e->value, g_bytes_unref);
  g_free (e);
}

void
tern_imap_metadata_free (TernImapMetadata *metadata)
{
  if (metadata == NULL)
    return;
  g_free (metadata->mailbox);
  g_clear_pointer (&metadata->entries, g_ptr_array_unref);
  g_free (metadata);
}

TernImapMetadata *
tern_imap_metadata_decode (const TernImapResponse *response,
                           GError                **error)
{
  g_autoptr(TernImapMetadata) md = NULL;
  const TernImapValue *data, *mailbox, *list;

  if (!check_data (response, "METADATA", error))
    return NULL;
  data = response->data;
  mailbox = child (data, 0);
  if (!is_textual (mailbox) || n_children (data) < 2)
    return decode_fail (error, "METADATA response"), NULL;
  md = g_new0 (TernImapMetadata, 1);
  md->mailbox = g_strndup (mailbox->text, mailbox->length);
  md->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) metadata_entry_free);
  list = child (data, 1);
  if (is_list (list))
    {
      if (n_children (data) != 2 || list->n_children % 2 != 0)
        return decode_fail (error, "METADATA entries"), NULL;
      for (guint i = 0; i < list->n_children; i += 2)
        {
          const TernImapValue *name = list->u.children[i];
          const TernImapValue *value = list->u.children[i + 1];
          TernImapMetadataEntry *e;
          if (!is_textual (name) || (!is_textual (value) && !tern_imap_value_is_nil (value)))
            return decode_fail (error, "METADATA entry"), NULL;
          e = g_new0 (TernImapMetadataEntry, 1);
          e->name = g_strndup (name->text, name->length);
          e->value = tern_imap_value_get_bytes (value);
          g_ptr_array_add (md->entries, e);
        }
      return g_steal_pointer (&md);
    }
  md->unsolicited = TRUE;
  for (guint i = 1; i < data->n_children; i++)
    {
      const TernImapValue *name = data->u.children[i];
      TernImapMetadataEntry *e;
      if (!is_textual (name))
        return decode_fail (error, "METADATA entry name"), NULL;
      e = g_new0 (TernImapMetadataEntry, 1);
      e->name = g_strndup (name->text, name->length);
      g_ptr_array_add (md->entries, e);
    }
  return g_steal_pointer (&md);
}

GBytes *
tern_imap_metadata_lookup (const TernImapMetadata *metadata,
                           const char             *entry)
{
  g_return_val_if_fail (metadata != NULL && entry != NULL, NULL);
  for (guint i = 0; i < metadata->entries->len; i++)
    {
      TernImapMetadataEntry *e = metadata->entries->pdata[i];
      if (g_ascii_strcasecmp (e->name, entry) == 0)
        return e->value;
    }
  return NULL;
}

/* ------------------------------------------------------------------------
 * CAPABILITY, ENABLED, FLAGS, SEARCH, ESEARCH, STATUS, VANISHED
 * ------------------------------------------------------------------------ */

char **
tern_imap_capabilities_decode (const TernImapResponse *response,
                               GError                **error)
{
  if (response != NULL && response->code == TERN_IMAP_CODE_CAPABILITY)
    return strv_from_values (response->code_args, 0, TRUE);
  if (response != NULL && response->name != NULL
      && (strcmp (response->name, "CAPABILITY") == 0 || strcmp (response->name, "ENABLED") == 0))
    return strv_from_values (response->data, 0, TRUE);
  g_set_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_PARSE,
               "Not an IMAP CAPABILITY or ENABLED response");
  return NULL;
}

char **
tern_imap_flags_decode (const TernImapResponse *response,
                        GError                **error)
{
  const TernImapValue *list;

  if (!check_data (response, "FLAGS", error))
    return NULL;
  list = child (response->data, 0);
  if (!is_list (list))
    return decode_fail (error, "FLAGS response"), NULL;
  return strv_from_values (list, 0, FALSE);
}

GArray *
tern_imap_search_decode (const TernImapResponse *response,
                         guint64                *modseq,
                         GError                **error)
{
  g_autoptr(GArray) out = NULL;
  const TernImapValue *data;

  if (modseq)
    *modseq = 0;
  if (!check_data (response, "SEARCH", error))
    return NULL;
  data = response->data;
  out = g_array_sized_new (FALSE, FALSE, sizeof (guint32), data->n_children);
  for (guint i = 0; i < data->n_children; i++)
    {
      const TernImapValue *v = data->u.children[i];
      guint32 n;
      if (is_list (v) && v->n_children == 2 && tern_imap_value_text_equal (child (v, 0), "MODSEQ")
          && child (v, 1)->type == TERN_IMAP_VALUE_NUMBER)
        {
          if (modseq)
            *modseq = child (v, 1)->u.number;
          continue;
        }
      if (!get_u32 (v, &n))
        return decode_fail (error, "SEARCH response"), NULL;
      g_array_append_val (out, n);
    }
  return g_steal_pointer (&out);
}

void
tern_imap_esearch_free (TernImapEsearch *esearch)
{
  if (esearch == NULL)
    return;
  g_free (esearch->tag);
  tern_imap_uid_set_free (esearch->all);
  g_free (esearch);
}

TernImapEsearch *
tern_imap_esearch_decode (const TernImapResponse *response,
                          GError                **error)
{
  g_autoptr(TernImapEsearch) es = NULL;
  const TernImapValue *data;
  guint i = 0;

  if (!check_data (response, "ESEARCH", error))
    return NULL;
  data = response->data;
  es = g_new0 (TernImapEsearch, 1);
  if (is_list (child (data, 0)))
    {
      const TernImapValue *corr = child (data, 0);
      if (corr->n_children == 2 && tern_imap_value_text_equal (child (corr, 0), "TAG")
          && is_textual (child (corr, 1)))
        es->tag = g_strndup (child (corr, 1)->text, child (corr, 1)->length);
      i = 1;
    }
  if (tern_imap_value_text_equal (child (data, i), "UID"))
    {
      es->uid = TRUE;
      i++;
    }
  for (; i + 1 < data->n_children + 1 && i < data->n_children; i += 2)
    {
      const TernImapValue *key = data->u.children[i];
      const TernImapValue *val = child (data, i + 1);
      if (val == NULL || key->type != TERN_IMAP_VALUE_ATOM)
        return decode_fail (error, "ESEARCH response"), NULL;
      if (tern_imap_value_text_equal (key, "MIN"))
        {
          if (!get_u32 (val, &es->min))
            return decode_fail (error, "ESEARCH MIN"), NULL;
          es->has_min = TRUE;
        }
      else if (tern_imap_value_text_equal (key, "MAX"))
        {
          if (!get_u32 (val, &es->max))
            return decode_fail (error, "ESEARCH MAX"), NULL;
          es->has_max = TRUE;
        }
      else if (tern_imap_value_text_equal (key, "COUNT"))
        {
          if (!get_u32 (val, &es->count))
            return decode_fail (error, "ESEARCH COUNT"), NULL;
          es->has_count = TRUE;
        }
      else if (tern_imap_value_text_equal (key, "ALL"))
        {
          tern_imap_uid_set_free (es->all);
          es->all = set_from_value (val);
          if (es->all == NULL)
            return decode_fail (error, "ESEARCH ALL"), NULL;
        }
      else if (tern_imap_value_text_equal (key, "MODSEQ"))
        {
          if (val->type != TERN_IMAP_VALUE_NUMBER)
            return decode_fail (error, "ESEARCH MODSEQ"), NULL;
          es->modseq = val->u.number;
        }
    }
  return g_steal_pointer (&es);
}

void
tern_imap_mailbox_status_free (TernImapMailboxStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->mailbox);
  g_free (status->raw_mailbox);
  g_free (status);
}

TernImapMailboxStatus *
tern_imap_mailbox_status_decode (const TernImapResponse *response,
                                 gboolean                utf8_accept,
                                 GError                **error)
{
  g_autoptr(TernImapMailboxStatus) st = NULL;
  const TernImapValue *name, *list;

  if (!check_data (response, "STATUS", error))
    return NULL;
  name = child (response->data, 0);
  list = child (response->data, 1);
  if (!is_textual (name) || !is_list (list) || list->n_children % 2 != 0)
    return decode_fail (error, "STATUS response"), NULL;
  st = g_new0 (TernImapMailboxStatus, 1);
  st->raw_mailbox = g_strndup (name->text, name->length);
  st->mailbox = decode_mailbox_name (name, utf8_accept);
  for (guint i = 0; i < list->n_children; i += 2)
    {
      const TernImapValue *key = list->u.children[i];
      const TernImapValue *val = list->u.children[i + 1];
      guint64 n;
      if (val->type != TERN_IMAP_VALUE_NUMBER)
        return decode_fail (error, "STATUS item"), NULL;
      n = val->u.number;
      if (tern_imap_value_text_equal (key, "HIGHESTMODSEQ"))
        {
          st->highestmodseq = n;
          st->present |= TERN_IMAP_STATUS_ITEM_HIGHESTMODSEQ;
          continue;
        }
      if (tern_imap_value_text_equal (key, "SIZE"))
        {
          st->size = n;
          st->present |= TERN_IMAP_STATUS_ITEM_SIZE;
          continue;
        }
      if (n > G_MAXUINT32)
        return decode_fail (error, "STATUS number"), NULL;
      if (tern_imap_value_text_equal (key, "MESSAGES"))
        st->messages = (guint32) n, st->present |= TERN_IMAP_STATUS_ITEM_MESSAGES;
      else if (tern_imap_value_text_equal (key, "RECENT"))
        st->recent = (guint32) n, st->present |= TERN_IMAP_STATUS_ITEM_RECENT;
      else if (tern_imap_value_text_equal (key, "UIDNEXT"))
        st->uidnext = (guint32) n, st->present |= TERN_IMAP_STATUS_ITEM_UIDNEXT;
      else if (tern_imap_value_text_equal (key, "UIDVALIDITY"))
        st->uidvalidity = (guint32) n, st->present |= TERN_IMAP_STATUS_ITEM_UIDVALIDITY;
      else if (tern_imap_value_text_equal (key, "UNSEEN"))
        st->unseen = (guint32) n, st->present |= TERN_IMAP_STATUS_ITEM_UNSEEN;
      else if (tern_imap_value_text_equal (key, "DELETED"))
        st->deleted = (guint32) n, st->present |= TERN_IMAP_STATUS_ITEM_DELETED;
    }
  return g_steal_pointer (&st);
}

void
tern_imap_vanished_free (TernImapVanished *vanished)
{
  if (vanished == NULL)
    return;
  tern_imap_uid_set_free (vanished->uids);
  g_free (vanished);
}

TernImapVanished *
tern_imap_vanished_decode (const TernImapResponse *response,
                           GError                **error)
{
  g_autoptr(TernImapVanished) van = NULL;
  const TernImapValue *data;
  guint i = 0;

  if (!check_data (response, "VANISHED", error))
    return NULL;
  data = response->data;
  van = g_new0 (TernImapVanished, 1);
  if (is_list (child (data, 0)))
    {
      const TernImapValue *tag = child (data, 0);
      if (tag->n_children != 1 || !tern_imap_value_text_equal (child (tag, 0), "EARLIER"))
        return decode_fail (error, "VANISHED tag"), NULL;
      van->earlier = TRUE;
      i = 1;
    }
  if (i + 1 != data->n_children)
    return decode_fail (error, "VANISHED response"), NULL;
  van->uids = set_from_value (child (data, i));
  if (van->uids == NULL)
    return decode_fail (error, "VANISHED set"), NULL;
  return g_steal_pointer (&van);
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
