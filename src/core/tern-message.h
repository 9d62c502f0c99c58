/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tern-store.h"

G_BEGIN_DECLS

typedef enum {
  TERN_MESSAGE_STATE_NONE      = TERN_STORE_STATE_NONE,
  TERN_MESSAGE_STATE_PENDING   = TERN_STORE_STATE_PENDING,
  TERN_MESSAGE_STATE_SENT      = TERN_STORE_STATE_SENT,
  TERN_MESSAGE_STATE_DELIVERED = TERN_STORE_STATE_DELIVERED,
  TERN_MESSAGE_STATE_READ      = TERN_STORE_STATE_READ,
  TERN_MESSAGE_STATE_FAILED    = TERN_STORE_STATE_FAILED,
} TernMessageState;

typedef enum {
  TERN_MESSAGE_KIND_TEXT     = TERN_STORE_MESSAGE_KIND_TEXT,
  TERN_MESSAGE_KIND_CLASSIC  = TERN_STORE_MESSAGE_KIND_CLASSIC,
  TERN_MESSAGE_KIND_SYSTEM   = TERN_STORE_MESSAGE_KIND_SYSTEM,
  TERN_MESSAGE_KIND_LOCATION = TERN_STORE_MESSAGE_KIND_LOCATION,
  TERN_MESSAGE_KIND_MEDIA    = TERN_STORE_MESSAGE_KIND_MEDIA,
} TernMessageKind;

#define TERN_TYPE_MESSAGE_STATE (tern_message_state_get_type ())
#define TERN_TYPE_MESSAGE_KIND  (tern_message_kind_get_type ())
GType tern_message_state_get_type (void) G_GNUC_CONST;
GType tern_message_kind_get_type  (void) G_GNUC_CONST;

/**
 * TernMessage:
 *
 * One message of a chat. Built from a store row without further queries;
 * attachments, edit history, receipts and the replied message are looked up
 * when first asked for. tern_message_update_from_row() notifies only what
 * changed (a state tick, an edit, a delete by the sender).
 */
#define TERN_TYPE_MESSAGE (tern_message_get_type ())
G_DECLARE_FINAL_TYPE (TernMessage, tern_message, TERN, MESSAGE, GObject)

TernMessage     *tern_message_new_from_row      (TernStore                 *store,
                                                 const TernStoreMessageRow *row);
gboolean         tern_message_update_from_row   (TernMessage               *self,
                                                 const TernStoreMessageRow *row);

gint64           tern_message_get_id            (TernMessage *self);
gint64           tern_message_get_chat_id       (TernMessage *self);
gint64           tern_message_get_account_id    (TernMessage *self);
const char      *tern_message_get_message_id    (TernMessage *self);
gint64           tern_message_get_sort_key      (TernMessage *self);
/* The store's keyset position of this message. */
TernStoreCursor  tern_message_get_cursor        (TernMessage *self);
gboolean         tern_message_get_outgoing      (TernMessage *self);
const char      *tern_message_get_sender_address (TernMessage *self);
gint64           tern_message_get_sender_contact_id (TernMessage *self);
/* The sender's display name (looked up once), or the address. NULL when outgoing. */
const char      *tern_message_get_sender_name   (TernMessage *self);
GDateTime       *tern_message_get_sent_time     (TernMessage *self);
GDateTime       *tern_message_get_received_time (TernMessage *self);
TernMessageKind  tern_message_get_kind          (TernMessage *self);
TernMessageState tern_message_get_state         (TernMessage *self);
gboolean         tern_message_get_seen          (TernMessage *self);
gboolean         tern_message_get_edited        (TernMessage *self);
gboolean         tern_message_get_deleted       (TernMessage *self);
const char      *tern_message_get_subject       (TernMessage *self);
const char      *tern_message_get_text          (TernMessage *self);
const char      *tern_message_get_quote         (TernMessage *self);
const char      *tern_message_get_reply_to      (TernMessage *self);
/* The message replied to, if it is stored (looked up once). */
TernMessage     *tern_message_get_reply_message (TernMessage *self);
/* The message mentions this account's user (or everyone: @all). */
gboolean         tern_message_get_mentions_me   (TernMessage *self);
/* The sender asked for a read receipt. */
gboolean         tern_message_get_receipt_requested (TernMessage *self);
/* Why sending failed for good, in the server's words (state FAILED), or NULL. */
const char      *tern_message_get_failure_reason (TernMessage *self);
/* 0 = not pinned; G_MAXINT64 = pinned without timeout. */
gint64           tern_message_get_pinned_until  (TernMessage *self);
gboolean         tern_message_is_pinned_at      (TernMessage *self,
                                                 gint64       now);
gboolean         tern_message_get_has_location  (TernMessage *self);
double           tern_message_get_latitude      (TernMessage *self);
double           tern_message_get_longitude     (TernMessage *self);
/* "geo:LAT,LON" or NULL. */
char            *tern_message_dup_geo_uri       (TernMessage *self);
guint            tern_message_get_n_attachments (TernMessage *self);
/* A GListModel of TernAttachment (loaded on first call). */
GListModel      *tern_message_get_attachments   (TernMessage *self);
/* TernStoreEditRow array, oldest first (a new reference each call). */
GPtrArray       *tern_message_list_edits        (TernMessage *self);
/* TernStoreReceiptRow array (a new reference each call). */
GPtrArray       *tern_message_list_receipts     (TernMessage *self);

G_END_DECLS
