/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tern-account.h"
#include "tern-outbox.h"

G_BEGIN_DECLS

/**
 * TernSendRequest:
 * @chat: the chat to send to (store id), or 0 to use @recipients
 * @recipients: (array zero-terminated) with @chat 0: one address = the 1:1
 *   chat with it (created when new); several = a new group chat
 * @text: the text (may be NULL with files or a location)
 * @html: formatted text (an HTML fragment), or NULL
 * @reply_to: the Message-ID (no <>) of the message replied to, or NULL
 * @paths: (array zero-terminated) files to attach, or NULL
 * @pinned: send the message pinned; @pinned_until its timeout (0 = none)
 * @has_location: send a location message (@latitude, @longitude)
 *
 * What the user wants to send. Zero it and set what applies. Strings are
 * borrowed for the call.
 */
typedef struct {
  gint64              chat;
  const char * const *recipients;
  const char         *text;
  const char         *html;
  const char         *reply_to;
  const char * const *paths;
  gboolean            pinned;
  gint64              pinned_until;
  gboolean            has_location;
  double              latitude;
  double              longitude;
} TernSendRequest;

/* Builds the message with src/coi, stores it (message row PENDING +
 * outbox entry, one batch) and wakes the account's outbox, which sends it
 * in the background (TernOutbox signals, the row's state). Finish: the
 * message row id. Errors: TERN_CORE_ERROR_INVALID (no recipients, no
 * content, unknown reply), _NOT_FOUND (chat), _UNSUPPORTED (a mailing list
 * without List-Post: the address comes from the server copy of its newest
 * message),
 * _STORE. */
void     tern_account_send_async          (TernAccount           *self,
                                           const TernSendRequest *request,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
/* Convenience forms of tern_account_send_async(). */
void     tern_account_send_text_async     (TernAccount           *self,
                                           gint64                 chat,
                                           const char * const    *recipients,
                                           const char            *text,
                                           const char            *reply_to,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
void     tern_account_send_files_async    (TernAccount           *self,
                                           gint64                 chat,
                                           const char * const    *recipients,
                                           const char            *text,
                                           const char * const    *paths,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
void     tern_account_send_location_async (TernAccount           *self,
                                           gint64                 chat,
                                           const char * const    *recipients,
                                           double                 latitude,
                                           double                 longitude,
                                           const char            *text,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
/* For every send form above: the message row id, 0 on error. */
gint64   tern_account_send_finish         (TernAccount           *self,
                                           GAsyncResult          *result,
                                           GError               **error);

/* Edits / deletes the user's own message row @message: applied locally at
 * once (history kept by the store) and sent as an edit / delete request to
 * the chat (referencing the last edit, References starting with the
 * original). TERN_CORE_ERROR_INVALID for a message that is not ours or is
 * deleted. */
void     tern_account_edit_async          (TernAccount           *self,
                                           gint64                 message,
                                           const char            *new_text,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
void     tern_account_delete_async        (TernAccount           *self,
                                           gint64                 message,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
/* Pins (@until: Unix time, G_MAXINT64 = no timeout) or unpins (0) the
 * message row @message on this device (the spec's "locally unpinned");
 * to send a pinned message use TernSendRequest.pinned. */
void     tern_account_pin_async           (TernAccount           *self,
                                           gint64                 message,
                                           gint64                 until,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
/* Marks every message of @chat seen locally, then, on one IMAP connection,
 * fetches FLAGS and the receipt headers (Disposition-Notification-To,
 * Chat-Disposition-Notification-To, From) of the server copies of the ones
 * that were unseen and, when the context's send-read-receipts is on, answers
 * each receipt request (the address must be the From address and not one of
 * ours, $MDNSent not set on any copy) with an MDN through the outbox; then
 * sets \Seen (and $MDNSent on the answered ones) on the server copies. So a
 * process that did not ingest the message answers it too, and reading on a
 * second device sends no second receipt. A message no server copy answered
 * for (offline, no location) falls back to the request this process's ingest
 * remembered (tern_ingest_context_take_receipt_request()). */
void     tern_account_mark_read_async     (TernAccount           *self,
                                           gint64                 chat,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
/* Sends a FAILED (or waiting) message again now. */
void     tern_account_retry_async         (TernAccount           *self,
                                           gint64                 message,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
/* Blocks (or unblocks) the contact with @address (created if unknown): from
 * the next sync on, its messages are moved to the Blocked folder on the
 * server and never stored (tern-ingest: TERN_INGEST_BLOCKED). Messages
 * already stored stay. */
void     tern_account_set_blocked_async   (TernAccount           *self,
                                           const char            *address,
                                           gboolean               blocked,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
/* For edit, delete, pin, mark_read, set_blocked and retry. */
gboolean tern_account_send_op_finish      (TernAccount           *self,
                                           GAsyncResult          *result,
                                           GError               **error);

G_END_DECLS
