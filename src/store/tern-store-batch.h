/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tern-store-rows.h"

G_BEGIN_DECLS

/**
 * TernStoreBatch:
 *
 * A list of writes applied by tern_store_commit_async() in ONE transaction:
 * all of them or none. Build it on any thread (not shared between threads),
 * commit it once.
 *
 * References: the functions that create or find a row return a reference.
 * A reference is either a real row id (> 0, when you passed one in) or a
 * batch-local handle (< 0) that stands for the row the batch will create or
 * find; pass it anywhere an id is expected in the same batch (also in the
 * chat_id / sender_contact_id fields of a TernStoreMessageRow). After a
 * successful commit, tern_store_batch_get_id() turns a reference into the
 * row id.
 *
 * Operations that name a row that is gone by the time the batch runs (a
 * message deleted meanwhile, an edit of an unknown Message-ID) are skipped,
 * not errors; tern_store_batch_get_id() then returns 0 for their handle.
 */
#define TERN_TYPE_STORE_BATCH (tern_store_batch_get_type ())
G_DECLARE_FINAL_TYPE (TernStoreBatch, tern_store_batch, TERN, STORE_BATCH, GObject)

TernStoreBatch *tern_store_batch_new                    (void);
guint           tern_store_batch_get_n_operations       (TernStoreBatch *self);
/* After a successful commit: the row id of @ref (0 if the operation was
 * skipped). Ids > 0 are returned as they are. */
gint64          tern_store_batch_get_id                 (TernStoreBatch *self,
                                                         gint64          ref);
/* After a successful commit: whether tern_store_batch_add_message() of @ref
 * created a new row (FALSE: the Message-ID was known, only a location was added). */
gboolean        tern_store_batch_was_inserted           (TernStoreBatch *self,
                                                         gint64          ref);

/* ---- accounts ---------------------------------------------------------- */

/* Inserts an account (row->id ignored). Returns a reference. */
gint64          tern_store_batch_add_account            (TernStoreBatch            *self,
                                                         const TernStoreAccountRow *row);
/* Replaces every settings field of account row->id. */
void            tern_store_batch_update_account         (TernStoreBatch            *self,
                                                         const TernStoreAccountRow *row);
/* Removes the account and everything it owns (folders, chats, messages,
 * contacts, outbox); attachment files no longer used are deleted. */
void            tern_store_batch_remove_account         (TernStoreBatch            *self,
                                                         gint64                     account);
/* Remembers the SHA-256 fingerprint (lower-case hex) trusted for @host; NULL forgets it. */
void            tern_store_batch_pin_certificate        (TernStoreBatch            *self,
                                                         gint64                     account,
                                                         const char                *host,
                                                         const char                *sha256);

/* ---- folders ----------------------------------------------------------- */

/* Finds the folder @name of @account or creates it; updates delimiter and
 * role when they differ. Returns a reference. */
gint64          tern_store_batch_ensure_folder          (TernStoreBatch            *self,
                                                         gint64                     account,
                                                         const char                *name,
                                                         const char                *delimiter,
                                                         TernStoreFolderRole        role);
/* Records UIDVALIDITY. When it differs from the stored non-zero value, every
 * location in the folder is dropped (the messages are kept) and UIDNEXT /
 * HIGHESTMODSEQ are reset to 0. */
void            tern_store_batch_set_folder_uidvalidity (TernStoreBatch            *self,
                                                         gint64                     folder,
                                                         guint32                    uidvalidity);
void            tern_store_batch_set_folder_sync_state  (TernStoreBatch            *self,
                                                         gint64                     folder,
                                                         guint32                    uidnext,
                                                         guint64                    highestmodseq,
                                                         gint64                     last_sync);
/* Removes a folder and its locations (messages are kept). */
void            tern_store_batch_remove_folder          (TernStoreBatch            *self,
                                                         gint64                     folder);

/* ---- contacts ---------------------------------------------------------- */

/* Finds the contact that owns @address in @account (case-insensitive) or
 * creates one with @display_name (kept as it is when the contact exists).
 * Returns a reference. */
gint64          tern_store_batch_ensure_contact         (TernStoreBatch            *self,
                                                         gint64                     account,
                                                         const char                *address,
                                                         const char                *display_name);
void            tern_store_batch_update_contact         (TernStoreBatch            *self,
                                                         gint64                     contact,
                                                         TernStoreContactFields     fields,
                                                         const TernStoreContactRow *values);
/* Gives @contact another address (moved from another contact if needed). */
void            tern_store_batch_add_contact_address    (TernStoreBatch            *self,
                                                         gint64                     contact,
                                                         const char                *address);

/* Makes @from part of @into (both of one account): its addresses, the
 * messages it sent, its memberships and its 1:1 chat (merged into @into's,
 * messages and all) go to @into, empty fields of @into take its values, and
 * @from is deleted. */
void            tern_store_batch_merge_contacts         (TernStoreBatch            *self,
                                                         gint64                     into,
                                                         gint64                     from);
/* Merges every contact of @account whose COI-From-Hash is @from_hash into
 * the oldest of them (contact storage messages name a person by the hash
 * of each of their addresses; duplicates are merged, COI client spec). */
void            tern_store_batch_merge_contacts_by_hash (TernStoreBatch            *self,
                                                         gint64                     account,
                                                         const char                *from_hash);

/* ---- chats ------------------------------------------------------------- */

/* Finds the chat (@account, @kind, @key) or creates it named @name (kept as
 * it is when the chat exists). last_activity of a new chat is now. For a
 * DIRECT chat, pass the peer contact (reference or id) or 0. */
gint64          tern_store_batch_ensure_chat            (TernStoreBatch            *self,
                                                         gint64                     account,
                                                         TernStoreChatKind          kind,
                                                         const char                *key,
                                                         const char                *name,
                                                         gint64                     contact);
void            tern_store_batch_update_chat            (TernStoreBatch            *self,
                                                         gint64                     chat,
                                                         TernStoreChatFields        fields,
                                                         const TernStoreChatRow    *values);
/* Deletes the chat, its messages, their locations, receipts, edits and
 * attachments; attachment files are deleted after the commit unless another
 * message still uses the same content. */
void            tern_store_batch_delete_chat            (TernStoreBatch            *self,
                                                         gint64                     chat);
void            tern_store_batch_set_chat_member        (TernStoreBatch            *self,
                                                         gint64                     chat,
                                                         gint64                     contact,
                                                         gboolean                   member);
/* Marks every message of the chat seen (unread count becomes 0). */
void            tern_store_batch_mark_chat_read         (TernStoreBatch            *self,
                                                         gint64                     chat);

/* ---- messages ---------------------------------------------------------- */

/* Stores a message, deduplicated by (account, Message-ID): when the
 * Message-ID is known, nothing of the row is changed and only the location
 * (@folder, @uid) is added. @folder 0 = no location (e.g. a message being
 * sent). id, n_attachments are ignored; sort_key 0 is computed (see
 * TernStoreMessageRow). Returns a reference. */
gint64          tern_store_batch_add_message            (TernStoreBatch            *self,
                                                         const TernStoreMessageRow *row,
                                                         gint64                     folder,
                                                         guint32                    uid);
void            tern_store_batch_add_location           (TernStoreBatch            *self,
                                                         gint64                     message,
                                                         gint64                     folder,
                                                         guint32                    uid);
/* The copy at (@folder, @uid) is gone (expunged / moved). The message stays. */
void            tern_store_batch_remove_location        (TernStoreBatch            *self,
                                                         gint64                     folder,
                                                         guint32                    uid);
void            tern_store_batch_set_seen               (TernStoreBatch            *self,
                                                         gint64                     message,
                                                         gboolean                   seen);
/* Moves the delivery state forward (never back, except to FAILED from PENDING/SENT). */
void            tern_store_batch_set_state              (TernStoreBatch            *self,
                                                         gint64                     message,
                                                         TernStoreDeliveryState     state);
/* Applies an edit (or, with @new_text NULL or "", a delete) of the message
 * with Message-ID @target in @account: the old text goes into the edit
 * history, text is replaced, edited (or deleted) is set. The caller has
 * checked that the sender may edit it. Skipped if @target is unknown or
 * @edit_message_id was applied already. */
void            tern_store_batch_edit_message           (TernStoreBatch            *self,
                                                         gint64                     account,
                                                         const char                *target,
                                                         const char                *edit_message_id,
                                                         const char                *new_text,
                                                         gint64                     edited_at);
/* A read receipt for @message was sent (or found sent: $MDNSent). */
void            tern_store_batch_set_mdn_sent           (TernStoreBatch            *self,
                                                         gint64                     message);
/* @pinned_until: 0 unpins, G_MAXINT64 pins without timeout. */
void            tern_store_batch_set_pinned             (TernStoreBatch            *self,
                                                         gint64                     message,
                                                         gint64                     pinned_until);
/* Removes the message row from this device (locations, receipts, edits,
 * attachments with it). */
void            tern_store_batch_delete_message         (TernStoreBatch            *self,
                                                         gint64                     message);
/* A receipt from @address; a READ receipt implies delivered. The message's
 * state moves to DELIVERED / READ accordingly. */
void            tern_store_batch_add_receipt            (TernStoreBatch            *self,
                                                         gint64                     message,
                                                         const char                *address,
                                                         TernStoreReceiptKind       kind,
                                                         gint64                     time);
/* Stores @data as a file named by its SHA-256 under <data dir>/attachments
 * (written atomically; kept if it exists) and links it to @message. */
void            tern_store_batch_add_attachment         (TernStoreBatch            *self,
                                                         gint64                     message,
                                                         GBytes                    *data,
                                                         const char                *mime_type,
                                                         const char                *name);

/* Like tern_store_batch_add_attachment(), with a smaller rendering of it
 * (a preview image the sender attached) already stored with
 * tern_store_batch_add_file() as @preview_hash, or NULL. */
void            tern_store_batch_add_attachment_with_preview (TernStoreBatch       *self,
                                                              gint64                message,
                                                              GBytes               *data,
                                                              const char           *mime_type,
                                                              const char           *name,
                                                              const char           *preview_hash);

/* Stores @data as a content-addressed file, like attachments, without
 * linking it to a message; returns its hash (lower-case hex SHA-256, free
 * it) for the avatar field of a contact or chat in this or a later batch.
 * A file nothing refers to is removed when the reference goes, or at a
 * later open. */
char           *tern_store_batch_add_file               (TernStoreBatch            *self,
                                                         GBytes                    *data);

/* ---- outbox ------------------------------------------------------------ */

/* Queues @raw (the whole RFC 5322 message) for @recipients, linked to the
 * message row @message (sets its state to PENDING) or 0. Due now.
 * Returns a reference. */
gint64          tern_store_batch_outbox_add             (TernStoreBatch            *self,
                                                         gint64                     account,
                                                         gint64                     message,
                                                         const char                *rfc822_message_id,
                                                         GBytes                    *raw,
                                                         const char * const        *recipients);
/* QUEUED -> SENDING (attempts + 1). */
void            tern_store_batch_outbox_set_sending     (TernStoreBatch            *self,
                                                         gint64                     outbox);
/* SENDING/QUEUED -> QUEUED with @error and the next try at @next_attempt. */
void            tern_store_batch_outbox_retry           (TernStoreBatch            *self,
                                                         gint64                     outbox,
                                                         const char                *error,
                                                         gint64                     next_attempt);
/* -> SENT; the raw message is dropped; the message's state becomes SENT. */
void            tern_store_batch_outbox_sent            (TernStoreBatch            *self,
                                                         gint64                     outbox);
/* -> FAILED (permanent) with @error; the message's state becomes FAILED. */
void            tern_store_batch_outbox_failed          (TernStoreBatch            *self,
                                                         gint64                     outbox,
                                                         const char                *error);
/* Removes the entry (e.g. the user gave up on a failed message). */
void            tern_store_batch_outbox_remove          (TernStoreBatch            *self,
                                                         gint64                     outbox);

G_END_DECLS
