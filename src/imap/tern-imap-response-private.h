/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

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

G_END_DECLS
