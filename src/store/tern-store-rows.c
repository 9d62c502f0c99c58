/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-store"

#include "tern-store-rows.h"

G_DEFINE_BOXED_TYPE (TernStoreAccountRow, tern_store_account_row,
                     tern_store_account_row_copy, tern_store_account_row_free)
G_DEFINE_BOXED_TYPE (TernStoreFolderRow, tern_store_folder_row,
                     tern_store_folder_row_copy, tern_store_folder_row_free)
G_DEFINE_BOXED_TYPE (TernStoreContactRow, tern_store_contact_row,
                     tern_store_contact_row_copy, tern_store_contact_row_free)
G_DEFINE_BOXED_TYPE (TernStoreChatRow, tern_store_chat_row,
                     tern_store_chat_row_copy, tern_store_chat_row_free)
G_DEFINE_BOXED_TYPE (TernStoreMessageRow, tern_store_message_row,
                     tern_store_message_row_copy, tern_store_message_row_free)
G_DEFINE_BOXED_TYPE (TernStoreAttachmentRow, tern_store_attachment_row,
                     tern_store_attachment_row_copy, tern_store_attachment_row_free)
G_DEFINE_BOXED_TYPE (TernStoreEditRow, tern_store_edit_row,
                     tern_store_edit_row_copy, tern_store_edit_row_free)
G_DEFINE_BOXED_TYPE (TernStoreReceiptRow, tern_store_receipt_row,
                     tern_store_receipt_row_copy, tern_store_receipt_row_free)
G_DEFINE_BOXED_TYPE (TernStoreOutboxRow, tern_store_outbox_row,
                     tern_store_outbox_row_copy, tern_store_outbox_row_free)
G_DEFINE_BOXED_TYPE (TernStoreSearchHit, tern_store_search_hit,
                     tern_store_search_hit_copy, tern_store_search_hit_free)
G_DEFINE_BOXED_TYPE (TernStoreChanges, tern_store_changes,
                     tern_store_changes_ref, tern_store_changes_unref)

/* accounts */

TernStoreAccountRow *
tern_store_account_row_new (void)
{
  TernStoreAccountRow *row = g_new0 (TernStoreAccountRow, 1);

  row->enabled = TRUE;
  return row;
}

TernStoreAccountRow *
tern_store_account_row_copy (const TernStoreAccountRow *row)
{
  TernStoreAccountRow *copy = g_memdup2 (row, sizeof *row);

  copy->address = g_strdup (row->address);
  copy->display_name = g_strdup (row->display_name);
  copy->login = g_strdup (row->login);
  copy->imap_host = g_strdup (row->imap_host);
  copy->smtp_host = g_strdup (row->smtp_host);
  copy->capabilities = g_strdup (row->capabilities);
  copy->mailbox_root = g_strdup (row->mailbox_root);
  copy->delimiter = g_strdup (row->delimiter);
  copy->namespace_prefix = g_strdup (row->namespace_prefix);
  return copy;
}

void
tern_store_account_row_free (TernStoreAccountRow *row)
{
  if (row == NULL)
    return;
  g_free (row->address);
  g_free (row->display_name);
  g_free (row->login);
  g_free (row->imap_host);
  g_free (row->smtp_host);
  g_free (row->capabilities);
  g_free (row->mailbox_root);
  g_free (row->delimiter);
  g_free (row->namespace_prefix);
  g_free (row);
}

/* folders */

TernStoreFolderRow *
tern_store_folder_row_copy (const TernStoreFolderRow *row)
{
  TernStoreFolderRow *copy = g_memdup2 (row, sizeof *row);

  copy->name = g_strdup (row->name);
  copy->delimiter = g_strdup (row->delimiter);
  return copy;
}

void
tern_store_folder_row_free (TernStoreFolderRow *row)
{
  if (row == NULL)
    return;
  g_free (row->name);
  g_free (row->delimiter);
  g_free (row);
}

/* contacts */

TernStoreContactRow *
tern_store_contact_row_copy (const TernStoreContactRow *row)
{
  TernStoreContactRow *copy = g_memdup2 (row, sizeof *row);

  copy->address = g_strdup (row->address);
  copy->display_name = g_strdup (row->display_name);
  copy->avatar = g_strdup (row->avatar);
  copy->status = g_strdup (row->status);
  copy->from_hash = g_strdup (row->from_hash);
  return copy;
}

void
tern_store_contact_row_free (TernStoreContactRow *row)
{
  if (row == NULL)
    return;
  g_free (row->address);
  g_free (row->display_name);
  g_free (row->avatar);
  g_free (row->status);
  g_free (row->from_hash);
  g_free (row);
}

/* chats */

TernStoreChatRow *
tern_store_chat_row_copy (const TernStoreChatRow *row)
{
  TernStoreChatRow *copy = g_memdup2 (row, sizeof *row);

  copy->key = g_strdup (row->key);
  copy->name = g_strdup (row->name);
  copy->description = g_strdup (row->description);
  copy->avatar = g_strdup (row->avatar);
  copy->draft = g_strdup (row->draft);
  copy->last_text = g_strdup (row->last_text);
  copy->last_sender = g_strdup (row->last_sender);
  copy->last_sender_name = g_strdup (row->last_sender_name);
  return copy;
}

void
tern_store_chat_row_free (TernStoreChatRow *row)
{
  if (row == NULL)
    return;
  g_free (row->key);
  g_free (row->name);
  g_free (row->description);
  g_free (row->avatar);
  g_free (row->draft);
  g_free (row->last_text);
  g_free (row->last_sender);
  g_free (row->last_sender_name);
  g_free (row);
}

/* messages */

TernStoreMessageRow *
tern_store_message_row_new (void)
{
  return g_new0 (TernStoreMessageRow, 1);
}

TernStoreMessageRow *
tern_store_message_row_copy (const TernStoreMessageRow *row)
{
  TernStoreMessageRow *copy = g_memdup2 (row, sizeof *row);

  copy->message_id = g_strdup (row->message_id);
  copy->sender_address = g_strdup (row->sender_address);
  copy->subject = g_strdup (row->subject);
  copy->text = g_strdup (row->text);
  copy->quote = g_strdup (row->quote);
  copy->reply_to = g_strdup (row->reply_to);
  copy->receipt_to = g_strdup (row->receipt_to);
  copy->failure_reason = g_strdup (row->failure_reason);
  return copy;
}

void
tern_store_message_row_free (TernStoreMessageRow *row)
{
  if (row == NULL)
    return;
  g_free (row->message_id);
  g_free (row->sender_address);
  g_free (row->subject);
  g_free (row->text);
  g_free (row->quote);
  g_free (row->reply_to);
  g_free (row->receipt_to);
  g_free (row->failure_reason);
  g_free (row);
}

/* attachments */

TernStoreAttachmentRow *
tern_store_attachment_row_copy (const TernStoreAttachmentRow *row)
{
  TernStoreAttachmentRow *copy = g_memdup2 (row, sizeof *row);

  copy->hash = g_strdup (row->hash);
  copy->mime_type = g_strdup (row->mime_type);
  copy->name = g_strdup (row->name);
  copy->preview_hash = g_strdup (row->preview_hash);
  return copy;
}

void
tern_store_attachment_row_free (TernStoreAttachmentRow *row)
{
  if (row == NULL)
    return;
  g_free (row->hash);
  g_free (row->mime_type);
  g_free (row->name);
  g_free (row->preview_hash);
  g_free (row);
}

/* edits */

TernStoreEditRow *
tern_store_edit_row_copy (const TernStoreEditRow *row)
{
  TernStoreEditRow *copy = g_memdup2 (row, sizeof *row);

  copy->edit_message_id = g_strdup (row->edit_message_id);
  copy->old_text = g_strdup (row->old_text);
  copy->new_text = g_strdup (row->new_text);
  return copy;
}

void
tern_store_edit_row_free (TernStoreEditRow *row)
{
  if (row == NULL)
    return;
  g_free (row->edit_message_id);
  g_free (row->old_text);
  g_free (row->new_text);
  g_free (row);
}

/* receipts */

TernStoreReceiptRow *
tern_store_receipt_row_copy (const TernStoreReceiptRow *row)
{
  TernStoreReceiptRow *copy = g_memdup2 (row, sizeof *row);

  copy->address = g_strdup (row->address);
  return copy;
}

void
tern_store_receipt_row_free (TernStoreReceiptRow *row)
{
  if (row == NULL)
    return;
  g_free (row->address);
  g_free (row);
}

/* outbox */

TernStoreOutboxRow *
tern_store_outbox_row_copy (const TernStoreOutboxRow *row)
{
  TernStoreOutboxRow *copy = g_memdup2 (row, sizeof *row);

  copy->rfc822_message_id = g_strdup (row->rfc822_message_id);
  copy->raw = row->raw ? g_bytes_ref (row->raw) : NULL;
  copy->recipients = g_strdupv (row->recipients);
  copy->last_error = g_strdup (row->last_error);
  return copy;
}

void
tern_store_outbox_row_free (TernStoreOutboxRow *row)
{
  if (row == NULL)
    return;
  g_free (row->rfc822_message_id);
  g_clear_pointer (&row->raw, g_bytes_unref);
  g_strfreev (row->recipients);
  g_free (row->last_error);
  g_free (row);
}

/* search hits */

TernStoreSearchHit *
tern_store_search_hit_copy (const TernStoreSearchHit *hit)
{
  TernStoreSearchHit *copy = g_memdup2 (hit, sizeof *hit);

  copy->snippet = g_strdup (hit->snippet);
  return copy;
}

void
tern_store_search_hit_free (TernStoreSearchHit *hit)
{
  if (hit == NULL)
    return;
  g_free (hit->snippet);
  g_free (hit);
}

/* changes */

TernStoreChanges *
tern_store_changes_new (void)
{
  TernStoreChanges *changes = g_new0 (TernStoreChanges, 1);

  changes->ref_count = 1;
  changes->chats_inserted = g_array_new (FALSE, FALSE, sizeof (gint64));
  changes->chats_updated = g_array_new (FALSE, FALSE, sizeof (gint64));
  changes->chats_deleted = g_array_new (FALSE, FALSE, sizeof (gint64));
  changes->messages_inserted = g_array_new (FALSE, FALSE, sizeof (TernStoreMessageChange));
  changes->messages_updated = g_array_new (FALSE, FALSE, sizeof (TernStoreMessageChange));
  changes->messages_deleted = g_array_new (FALSE, FALSE, sizeof (TernStoreMessageChange));
  changes->contacts_changed = g_array_new (FALSE, FALSE, sizeof (gint64));
  changes->folders_changed = g_array_new (FALSE, FALSE, sizeof (gint64));
  changes->accounts_changed = g_array_new (FALSE, FALSE, sizeof (gint64));
  return changes;
}

TernStoreChanges *
tern_store_changes_ref (TernStoreChanges *changes)
{
  g_return_val_if_fail (changes != NULL, NULL);
  g_atomic_int_inc (&changes->ref_count);
  return changes;
}

void
tern_store_changes_unref (TernStoreChanges *changes)
{
  if (changes == NULL || !g_atomic_int_dec_and_test (&changes->ref_count))
    return;
  g_array_unref (changes->chats_inserted);
  g_array_unref (changes->chats_updated);
  g_array_unref (changes->chats_deleted);
  g_array_unref (changes->messages_inserted);
  g_array_unref (changes->messages_updated);
  g_array_unref (changes->messages_deleted);
  g_array_unref (changes->contacts_changed);
  g_array_unref (changes->folders_changed);
  g_array_unref (changes->accounts_changed);
  g_free (changes);
}

gboolean
tern_store_changes_is_empty (const TernStoreChanges *changes)
{
  return changes->chats_inserted->len == 0 && changes->chats_updated->len == 0 &&
         changes->chats_deleted->len == 0 && changes->messages_inserted->len == 0 &&
         changes->messages_updated->len == 0 && changes->messages_deleted->len == 0 &&
         changes->contacts_changed->len == 0 && changes->folders_changed->len == 0 &&
         changes->accounts_changed->len == 0 && !changes->outbox_changed;
}
