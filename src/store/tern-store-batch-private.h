/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "tern-store-batch.h"

G_BEGIN_DECLS

typedef enum {
  OP_ADD_ACCOUNT,
  OP_UPDATE_ACCOUNT,
  OP_REMOVE_ACCOUNT,
  OP_PIN_CERTIFICATE,
  OP_ENSURE_FOLDER,
  OP_SET_UIDVALIDITY,
  OP_SET_SYNC_STATE,
  OP_REMOVE_FOLDER,
  OP_ENSURE_CONTACT,
  OP_UPDATE_CONTACT,
  OP_ADD_CONTACT_ADDRESS,
  OP_MERGE_CONTACTS,
  OP_ENSURE_CHAT,
  OP_UPDATE_CHAT,
  OP_DELETE_CHAT,
  OP_SET_MEMBER,
  OP_MARK_CHAT_READ,
  OP_ADD_MESSAGE,
  OP_ADD_LOCATION,
  OP_REMOVE_LOCATION,
  OP_SET_SEEN,
  OP_SET_STATE,
  OP_EDIT_MESSAGE,
  OP_SET_PINNED,
  OP_SET_MDN_SENT,
  OP_DELETE_MESSAGE,
  OP_ADD_RECEIPT,
  OP_ADD_ATTACHMENT,
  OP_ADD_FILE,
  OP_OUTBOX_ADD,
  OP_OUTBOX_SENDING,
  OP_OUTBOX_RETRY,
  OP_OUTBOX_SENT,
  OP_OUTBOX_FAILED,
  OP_OUTBOX_REMOVE,
} TernStoreOpKind;

/* One operation; the meaning of the generic fields depends on the kind. */
typedef struct {
  TernStoreOpKind  kind;
  int              slot;      /* result slot for ops that return a reference, else -1 */
  gint64           a;         /* usually the account / target row (id or reference) */
  gint64           b;
  gint64           c;
  guint64          u;
  guint            flags;
  char            *s1;
  char            *s2;
  char            *s3;
  GBytes          *bytes;
  char           **strv;
  gpointer         row;       /* a copied row struct */
  GDestroyNotify   row_free;
} TernStoreOp;

struct _TernStoreBatch
{
  GObject  parent_instance;

  GArray  *ops;       /* TernStoreOp */
  GArray  *ids;       /* gint64, one per slot, filled when applied */
  GArray  *inserted;  /* gboolean, one per slot */
  gboolean committed;
};

/* Resolves a reference to a row id: > 0 ids as they are, slots to their
 * result (0 when that operation was skipped or has not run). */
gint64 tern_store_batch_resolve (TernStoreBatch *self,
                                 gint64          ref);
/* Forgets results (a failed commit). */
void   tern_store_batch_reset_results (TernStoreBatch *self);

G_END_DECLS
