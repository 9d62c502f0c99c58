/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-store"

#include "tern-store-batch-private.h"

G_DEFINE_FINAL_TYPE (TernStoreBatch, tern_store_batch, G_TYPE_OBJECT)

static void
op_clear (gpointer data)
{
  TernStoreOp *op = data;

  g_free (op->s1);
  g_free (op->s2);
  g_free (op->s3);
  g_clear_pointer (&op->bytes, g_bytes_unref);
  g_strfreev (op->strv);
  if (op->row != NULL && op->row_free != NULL)
    op->row_free (op->row);
}

static TernStoreOp *
push_op (TernStoreBatch  *self,
         TernStoreOpKind  kind,
         gboolean         with_slot)
{
  TernStoreOp op = { 0 };

  g_return_val_if_fail (!self->committed, NULL);

  op.kind = kind;
  op.slot = -1;
  if (with_slot)
    {
      gint64 zero = 0;
      gboolean no = FALSE;

      op.slot = self->ids->len;
      g_array_append_val (self->ids, zero);
      g_array_append_val (self->inserted, no);
    }
  g_array_append_val (self->ops, op);
  return &g_array_index (self->ops, TernStoreOp, self->ops->len - 1);
}

static gint64
slot_ref (const TernStoreOp *op)
{
  return -(gint64) op->slot - 1;
}

static void
tern_store_batch_finalize (GObject *object)
{
  TernStoreBatch *self = TERN_STORE_BATCH (object);

  g_array_unref (self->ops);
  g_array_unref (self->ids);
  g_array_unref (self->inserted);

  G_OBJECT_CLASS (tern_store_batch_parent_class)->finalize (object);
}

static void
tern_store_batch_class_init (TernStoreBatchClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tern_store_batch_finalize;
}

static void
tern_store_batch_init (TernStoreBatch *self)
{
  self->ops = g_array_new (FALSE, TRUE, sizeof (TernStoreOp));
  g_array_set_clear_func (self->ops, op_clear);
  self->ids = g_array_new (FALSE, TRUE, sizeof (gint64));
  self->inserted = g_array_new (FALSE, TRUE, sizeof (gboolean));
}

/* internal */

gint64
tern_store_batch_resolve (TernStoreBatch *self,
                          gint64          ref)
{
  guint slot;

  if (ref >= 0)
    return ref;
  slot = (guint) (-(ref + 1));
  if (slot >= self->ids->len)
    return 0;
  return g_array_index (self->ids, gint64, slot);
}

void
tern_store_batch_reset_results (TernStoreBatch *self)
{
  for (guint i = 0; i < self->ids->len; i++)
    {
      g_array_index (self->ids, gint64, i) = 0;
      g_array_index (self->inserted, gboolean, i) = FALSE;
    }
}

/* public */

TernStoreBatch *
tern_store_batch_new (void)
{
  return g_object_new (TERN_TYPE_STORE_BATCH, NULL);
}

guint
tern_store_batch_get_n_operations (TernStoreBatch *self)
{
  g_return_val_if_fail (TERN_IS_STORE_BATCH (self), 0);
  return self->ops->len;
}

gint64
tern_store_batch_get_id (TernStoreBatch *self,
                         gint64          ref)
{
  g_return_val_if_fail (TERN_IS_STORE_BATCH (self), 0);
  return tern_store_batch_resolve (self, ref);
}

gboolean
tern_store_batch_was_inserted (TernStoreBatch *self,
                               gint64          ref)
{
  guint slot;

  g_return_val_if_fail (TERN_IS_STORE_BATCH (self), FALSE);
  if (ref >= 0)
    return FALSE;
  slot = (guint) (-(ref + 1));
  if (slot >= self->inserted->len)
    return FALSE;
  return g_array_index (self->inserted, gboolean, slot);
}

/* accounts */

gint64
tern_store_batch_add_account (TernStoreBatch            *self,
                              const TernStoreAccountRow *row)
{
  TernStoreOp *op;

  g_return_val_if_fail (TERN_IS_STORE_BATCH (self), 0);
  g_return_val_if_fail (row != NULL && row->address != NULL, 0);

  op = push_op (self, OP_ADD_ACCOUNT, TRUE);
  op->row = tern_store_account_row_copy (row);
  op->row_free = (GDestroyNotify) tern_store_account_row_free;
  return slot_ref (op);
}

void
tern_store_batch_update_account (TernStoreBatch            *self,
                                 const TernStoreAccountRow *row)
{
  TernStoreOp *op;

  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  g_return_if_fail (row != NULL && row->address != NULL && row->id != 0);

  op = push_op (self, OP_UPDATE_ACCOUNT, FALSE);
  op->a = row->id;
  op->row = tern_store_account_row_copy (row);
  op->row_free = (GDestroyNotify) tern_store_account_row_free;
}

void
tern_store_batch_remove_account (TernStoreBatch *self,
                                 gint64          account)
{
  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  push_op (self, OP_REMOVE_ACCOUNT, FALSE)->a = account;
}

void
tern_store_batch_pin_certificate (TernStoreBatch *self,
                                  gint64          account,
                                  const char     *host,
                                  const char     *sha256)
{
  TernStoreOp *op;

  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  g_return_if_fail (host != NULL);

  op = push_op (self, OP_PIN_CERTIFICATE, FALSE);
  op->a = account;
  op->s1 = g_strdup (host);
  op->s2 = g_ascii_strdown (sha256 ? sha256 : "", -1);
  if (sha256 == NULL)
    g_clear_pointer (&op->s2, g_free);
}

/* folders */

gint64
tern_store_batch_ensure_folder (TernStoreBatch      *self,
                                gint64               account,
                                const char          *name,
                                const char          *delimiter,
                                TernStoreFolderRole  role)
{
  TernStoreOp *op;

  g_return_val_if_fail (TERN_IS_STORE_BATCH (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  op = push_op (self, OP_ENSURE_FOLDER, TRUE);
  op->a = account;
  op->b = role;
  op->s1 = g_strdup (name);
  op->s2 = g_strdup (delimiter);
  return slot_ref (op);
}

void
tern_store_batch_set_folder_uidvalidity (TernStoreBatch *self,
                                         gint64          folder,
                                         guint32         uidvalidity)
{
  TernStoreOp *op;

  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  op = push_op (self, OP_SET_UIDVALIDITY, FALSE);
  op->a = folder;
  op->u = uidvalidity;
}

void
tern_store_batch_set_folder_sync_state (TernStoreBatch *self,
                                        gint64          folder,
                                        guint32         uidnext,
                                        guint64         highestmodseq,
                                        gint64          last_sync)
{
  TernStoreOp *op;

  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  op = push_op (self, OP_SET_SYNC_STATE, FALSE);
  op->a = folder;
  op->b = uidnext;
  op->u = highestmodseq;
  op->c = last_sync;
}

void
tern_store_batch_remove_folder (TernStoreBatch *self,
                                gint64          folder)
{
  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  push_op (self, OP_REMOVE_FOLDER, FALSE)->a = folder;
}

/* contacts */

gint64
tern_store_batch_ensure_contact (TernStoreBatch *self,
                                 gint64          account,
                                 const char     *address,
                                 const char     *display_name)
{
  TernStoreOp *op;

  g_return_val_if_fail (TERN_IS_STORE_BATCH (self), 0);
  g_return_val_if_fail (address != NULL, 0);

  op = push_op (self, OP_ENSURE_CONTACT, TRUE);
  op->a = account;
  op->s1 = g_strdup (address);
  op->s2 = g_strdup (display_name);
  return slot_ref (op);
}

void
tern_store_batch_update_contact (TernStoreBatch            *self,
                                 gint64                     contact,
                                 TernStoreContactFields     fields,
                                 const TernStoreContactRow *values)
{
  TernStoreOp *op;

  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  g_return_if_fail (values != NULL);

  op = push_op (self, OP_UPDATE_CONTACT, FALSE);
  op->a = contact;
  op->flags = fields;
  op->row = tern_store_contact_row_copy (values);
  op->row_free = (GDestroyNotify) tern_store_contact_row_free;
}

void
tern_store_batch_add_contact_address (TernStoreBatch *self,
                                      gint64          contact,
                                      const char     *address)
{
  TernStoreOp *op;

  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  g_return_if_fail (address != NULL);

  op = push_op (self, OP_ADD_CONTACT_ADDRESS, FALSE);
  op->a = contact;
  op->s1 = g_strdup (address);
}

void
tern_store_batch_merge_contacts (TernStoreBatch *self,
                                 gint64          into,
                                 gint64          from)
{
  TernStoreOp *op;

  g_return_if_fail (TERN_IS_STORE_BATCH (self));

  op = push_op (self, OP_MERGE_CONTACTS, FALSE);
  op->a = into;
  op->b = from;
}

void
tern_store_batch_merge_contacts_by_hash (TernStoreBatch *self,
                                         gint64          account,
                                         const char     *from_hash)
{
  TernStoreOp *op;

  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  g_return_if_fail (from_hash != NULL);

  op = push_op (self, OP_MERGE_CONTACTS, FALSE);
  op->c = account;
  op->s1 = g_strdup (from_hash);
}

/* chats */

gint64
tern_store_batch_ensure_chat (TernStoreBatch    *self,
                              gint64             account,
                              TernStoreChatKind  kind,
                              const char        *key,
                              const char        *name,
                              gint64             contact)
{
  TernStoreOp *op;

  g_return_val_if_fail (TERN_IS_STORE_BATCH (self), 0);
  g_return_val_if_fail (key != NULL, 0);

  op = push_op (self, OP_ENSURE_CHAT, TRUE);
  op->a = account;
  op->b = kind;
  op->c = contact;
  op->s1 = g_strdup (key);
  op->s2 = g_strdup (name);
  return slot_ref (op);
}

void
tern_store_batch_update_chat (TernStoreBatch         *self,
                              gint64                  chat,
                              TernStoreChatFields     fields,
                              const TernStoreChatRow *values)
{
  TernStoreOp *op;

  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  g_return_if_fail (values != NULL);

  op = push_op (self, OP_UPDATE_CHAT, FALSE);
  op->a = chat;
  op->flags = fields;
  op->row = tern_store_chat_row_copy (values);
  op->row_free = (GDestroyNotify) tern_store_chat_row_free;
}

void
tern_store_batch_delete_chat (TernStoreBatch *self,
                              gint64          chat)
{
  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  push_op (self, OP_DELETE_CHAT, FALSE)->a = chat;
}

void
tern_store_batch_set_chat_member (TernStoreBatch *self,
                                  gint64          chat,
                                  gint64          contact,
                                  gboolean        member)
{
  TernStoreOp *op;

  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  op = push_op (self, OP_SET_MEMBER, FALSE);
  op->a = chat;
  op->b = contact;
  op->flags = !!member;
}

void
tern_store_batch_mark_chat_read (TernStoreBatch *self,
                                 gint64          chat)
{
  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  push_op (self, OP_MARK_CHAT_READ, FALSE)->a = chat;
}

/* messages */

gint64
tern_store_batch_add_message (TernStoreBatch            *self,
                              const TernStoreMessageRow *row,
                              gint64                     folder,
                              guint32                    uid)
{
  TernStoreOp *op;

  g_return_val_if_fail (TERN_IS_STORE_BATCH (self), 0);
  g_return_val_if_fail (row != NULL && row->message_id != NULL, 0);

  op = push_op (self, OP_ADD_MESSAGE, TRUE);
  op->b = folder;
  op->u = uid;
  op->row = tern_store_message_row_copy (row);
  op->row_free = (GDestroyNotify) tern_store_message_row_free;
  return slot_ref (op);
}

void
tern_store_batch_add_location (TernStoreBatch *self,
                               gint64          message,
                               gint64          folder,
                               guint32         uid)
{
  TernStoreOp *op;

  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  op = push_op (self, OP_ADD_LOCATION, FALSE);
  op->a = message;
  op->b = folder;
  op->u = uid;
}

void
tern_store_batch_remove_location (TernStoreBatch *self,
                                  gint64          folder,
                                  guint32         uid)
{
  TernStoreOp *op;

  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  op = push_op (self, OP_REMOVE_LOCATION, FALSE);
  op->b = folder;
  op->u = uid;
}

void
tern_store_batch_set_seen (TernStoreBatch *self,
                           gint64          message,
                           gboolean        seen)
{
  TernStoreOp *op;

  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  op = push_op (self, OP_SET_SEEN, FALSE);
  op->a = message;
  op->flags = !!seen;
}

void
tern_store_batch_set_state (TernStoreBatch         *self,
                            gint64                  message,
                            TernStoreDeliveryState  state)
{
  TernStoreOp *op;

  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  op = push_op (self, OP_SET_STATE, FALSE);
  op->a = message;
  op->flags = state;
}

void
tern_store_batch_edit_message (TernStoreBatch *self,
                               gint64          account,
                               const char     *target,
                               const char     *edit_message_id,
                               const char     *new_text,
                               gint64          edited_at)
{
  TernStoreOp *op;

  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  g_return_if_fail (target != NULL);

  op = push_op (self, OP_EDIT_MESSAGE, FALSE);
  op->a = account;
  op->c = edited_at;
  op->s1 = g_strdup (target);
  op->s2 = g_strdup (edit_message_id);
  op->s3 = (new_text != NULL && *new_text != '\0') ? g_strdup (new_text) : NULL;
}

void
tern_store_batch_set_mdn_sent (TernStoreBatch *self,
                               gint64          message)
{
  TernStoreOp *op;

  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  op = push_op (self, OP_SET_MDN_SENT, FALSE);
  op->a = message;
}

void
tern_store_batch_set_pinned (TernStoreBatch *self,
                             gint64          message,
                             gint64          pinned_until)
{
  TernStoreOp *op;

  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  op = push_op (self, OP_SET_PINNED, FALSE);
  op->a = message;
  op->c = pinned_until;
}

void
tern_store_batch_delete_message (TernStoreBatch *self,
                                 gint64          message)
{
  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  push_op (self, OP_DELETE_MESSAGE, FALSE)->a = message;
}

void
tern_store_batch_add_receipt (TernStoreBatch       *self,
                              gint64                message,
                              const char           *address,
                              TernStoreReceiptKind  kind,
                              gint64                time)
{
  TernStoreOp *op;

  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  g_return_if_fail (address != NULL);
  g_return_if_fail (kind == TERN_STORE_RECEIPT_DELIVERED || kind == TERN_STORE_RECEIPT_READ);

  op = push_op (self, OP_ADD_RECEIPT, FALSE);
  op->a = message;
  op->flags = kind;
  op->c = time;
  op->s1 = g_strdup (address);
}

void
tern_store_batch_add_attachment (TernStoreBatch *self,
                                 gint64          message,
                                 GBytes         *data,
                                 const char     *mime_type,
                                 const char     *name)
{
  tern_store_batch_add_attachment_with_preview (self, message, data, mime_type, name, NULL);
}

void
tern_store_batch_add_attachment_with_preview (TernStoreBatch *self,
                                              gint64          message,
                                              GBytes         *data,
                                              const char     *mime_type,
                                              const char     *name,
                                              const char     *preview_hash)
{
  TernStoreOp *op;

  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  g_return_if_fail (data != NULL);

  op = push_op (self, OP_ADD_ATTACHMENT, FALSE);
  op->a = message;
  op->bytes = g_bytes_ref (data);
  op->s1 = g_strdup (mime_type);
  op->s2 = g_strdup (name);
  op->s3 = g_strdup (preview_hash);
}

char *
tern_store_batch_add_file (TernStoreBatch *self,
                           GBytes         *data)
{
  TernStoreOp *op;

  g_return_val_if_fail (TERN_IS_STORE_BATCH (self), NULL);
  g_return_val_if_fail (data != NULL, NULL);

  op = push_op (self, OP_ADD_FILE, FALSE);
  op->bytes = g_bytes_ref (data);
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);
}

/* outbox */

gint64
tern_store_batch_outbox_add (TernStoreBatch     *self,
                             gint64              account,
                             gint64              message,
                             const char         *rfc822_message_id,
                             GBytes             *raw,
                             const char * const *recipients)
{
  TernStoreOp *op;

  g_return_val_if_fail (TERN_IS_STORE_BATCH (self), 0);
  g_return_val_if_fail (raw != NULL, 0);
  g_return_val_if_fail (recipients != NULL && recipients[0] != NULL, 0);

  op = push_op (self, OP_OUTBOX_ADD, TRUE);
  op->a = account;
  op->b = message;
  op->s1 = g_strdup (rfc822_message_id);
  op->bytes = g_bytes_ref (raw);
  op->strv = g_strdupv ((char **) recipients);
  return slot_ref (op);
}

void
tern_store_batch_outbox_set_sending (TernStoreBatch *self,
                                     gint64          outbox)
{
  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  push_op (self, OP_OUTBOX_SENDING, FALSE)->a = outbox;
}

void
tern_store_batch_outbox_retry (TernStoreBatch *self,
                               gint64          outbox,
                               const char     *error,
                               gint64          next_attempt)
{
  TernStoreOp *op;

  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  op = push_op (self, OP_OUTBOX_RETRY, FALSE);
  op->a = outbox;
  op->c = next_attempt;
  op->s1 = g_strdup (error);
}

void
tern_store_batch_outbox_sent (TernStoreBatch *self,
                              gint64          outbox)
{
  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  push_op (self, OP_OUTBOX_SENT, FALSE)->a = outbox;
}

void
tern_store_batch_outbox_failed (TernStoreBatch *self,
                                gint64          outbox,
                                const char     *error)
{
  TernStoreOp *op;

  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  op = push_op (self, OP_OUTBOX_FAILED, FALSE);
  op->a = outbox;
  op->s1 = g_strdup (error);
}

void
tern_store_batch_outbox_remove (TernStoreBatch *self,
                                gint64          outbox)
{
  g_return_if_fail (TERN_IS_STORE_BATCH (self));
  push_op (self, OP_OUTBOX_REMOVE, FALSE)->a = outbox;
}
