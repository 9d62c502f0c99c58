/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <string.h>

#include "tern-imap-error.h"
#include "tern-imap-response.h"

G_BEGIN_DECLS

/* Shared between the parser (which builds responses) and the response and
 * decoder code. Not installed, not for other layers. */

struct _TernImapValue {
  guint8      type;       /* TernImapValueType */
  guint8      literal;    /* STRING from a literal: u.bytes set */
  guint32     n_children; /* LIST */
  gsize       length;     /* text length */
  const char *text;       /* ATOM/NUMBER/STRING, NUL-terminated */
  union {
    guint64         number;
    TernImapValue **children;
    GBytes         *bytes;
  } u;
};

typedef struct _TernImapArenaBlock TernImapArenaBlock;
struct _TernImapArenaBlock {
  TernImapArenaBlock *next;
  gsize               size;
  gsize               used;
  /* data follows, 16-aligned */
};

struct _TernImapResponse {
  gatomicrefcount       ref_count;
  TernImapResponseKind  kind;
  TernImapStatus        status;
  TernImapCode          code;
  gboolean              has_number;
  guint64               number;
  const char           *tag;
  const char           *text;
  const char           *code_name;
  const char           *name;
  TernImapValue        *code_args;
  TernImapValue        *data;
  GBytes              **literals;
  guint                 n_literals;
  TernImapArenaBlock   *arena;      /* first block is allocated with the response */
};

TernImapResponse *tern_imap_response_alloc (gsize arena_hint);
gpointer          tern_imap_response_arena_alloc (TernImapResponse *self,
                                                  gsize             size);
const char       *tern_imap_response_arena_strndup (TernImapResponse *self,
                                                    const char       *str,
                                                    gsize             len);
TernImapCode      tern_imap_code_from_name (const char *name);

/* Texts of the ATOM/STRING/NUMBER children of @list from @from on (others are
 * skipped), optionally upper-cased; never NULL. */
char            **tern_imap_strv_from_values (const TernImapValue *list,
                                              guint                from,
                                              gboolean             upper);
/* A set from an ATOM or NUMBER value, NULL if absent or malformed. */
TernImapUidSet   *tern_imap_uid_set_from_value (const TernImapValue *v);

/* Helpers of the typed decoders */
static inline gboolean
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
static inline char *
dup_nstring (const TernImapValue *v)
{
  if (!is_textual (v))
    return NULL;
  return g_strndup (v->text, v->length);
}

static inline gboolean
get_u32 (const TernImapValue *v,
         guint32             *out)
{
  if (v == NULL || v->type != TERN_IMAP_VALUE_NUMBER || v->u.number > G_MAXUINT32)
    return FALSE;
  *out = (guint32) v->u.number;
  return TRUE;
}

static inline const TernImapValue *
child (const TernImapValue *v,
       guint                i)
{
  return tern_imap_value_get_child (v, i);
}

static inline guint
n_children (const TernImapValue *v)
{
  return tern_imap_value_get_n_children (v);
}

static inline gboolean
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

G_END_DECLS
