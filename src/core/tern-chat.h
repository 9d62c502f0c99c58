/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tern-message.h"
#include "tern-store.h"

G_BEGIN_DECLS

typedef enum {
  TERN_CHAT_KIND_DIRECT       = TERN_STORE_CHAT_KIND_DIRECT,
  TERN_CHAT_KIND_GROUP        = TERN_STORE_CHAT_KIND_GROUP,
  TERN_CHAT_KIND_MAILING_LIST = TERN_STORE_CHAT_KIND_MAILING_LIST,
} TernChatKind;

#define TERN_TYPE_CHAT_KIND (tern_chat_kind_get_type ())
GType tern_chat_kind_get_type (void) G_GNUC_CONST;

/**
 * TernChat:
 *
 * One conversation, as the chat list and the conversation view show it.
 * Built from a store row; tern_chat_update_from_row() notifies only the
 * properties that really changed. The same object stands for the same chat
 * for as long as a model holds it.
 */
#define TERN_TYPE_CHAT (tern_chat_get_type ())
G_DECLARE_FINAL_TYPE (TernChat, tern_chat, TERN, CHAT, GObject)

TernChat     *tern_chat_new_from_row        (TernStore              *store,
                                             const TernStoreChatRow *row);
/* Returns TRUE when anything changed (and was notified). */
gboolean      tern_chat_update_from_row     (TernChat               *self,
                                             const TernStoreChatRow *row);

TernStore    *tern_chat_get_store           (TernChat *self);
gint64        tern_chat_get_id              (TernChat *self);
gint64        tern_chat_get_account_id      (TernChat *self);
TernChatKind  tern_chat_get_kind            (TernChat *self);
const char   *tern_chat_get_key             (TernChat *self);
gint64        tern_chat_get_contact_id      (TernChat *self);
const char   *tern_chat_get_name            (TernChat *self);
const char   *tern_chat_get_description     (TernChat *self);
/* The absolute path of the avatar file, or NULL. A 1:1 chat without a
 * picture of its own shows its contact's (read when first asked for, and
 * followed when the contact changes). */
const char   *tern_chat_get_avatar_path     (TernChat *self);
gboolean      tern_chat_get_muted           (TernChat *self);
gboolean      tern_chat_get_archived        (TernChat *self);
gboolean      tern_chat_get_pinned          (TernChat *self);
const char   *tern_chat_get_draft           (TernChat *self);
gboolean      tern_chat_get_has_draft       (TernChat *self);
gint64        tern_chat_get_last_activity   (TernChat *self);
guint         tern_chat_get_unread_count    (TernChat *self);
guint         tern_chat_get_message_count   (TernChat *self);
const char   *tern_chat_get_last_message_preview (TernChat *self);
/* The sender's name or address of the newest message in a group or list;
 * NULL for 1:1 chats and for outgoing messages. */
const char   *tern_chat_get_last_message_sender  (TernChat *self);
gboolean      tern_chat_get_last_message_outgoing (TernChat *self);

/* Local changes (no network): each commits one store batch. */
void          tern_chat_set_draft_async     (TernChat            *self,
                                             const char          *draft,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void          tern_chat_set_pinned_async    (TernChat            *self,
                                             gboolean             pinned,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void          tern_chat_set_muted_async     (TernChat            *self,
                                             gboolean             muted,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void          tern_chat_set_archived_async  (TernChat            *self,
                                             gboolean             archived,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* Deletes the chat and its messages from this device (the store removes the
 * attachment files nothing else uses). */
void          tern_chat_delete_async        (TernChat            *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      tern_chat_change_finish       (TernChat            *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* ---- the pinned message (COI client spec, "Pinned Messages") ----------- */

/* Reads, in a thread, the newest message of the chat that is pinned now
 * (without timeout, or until a time still ahead) and not deleted. */
void          tern_chat_get_pinned_message_async  (TernChat            *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
/* (transfer full) (nullable): the message, or NULL (and no error) when none is pinned. */
TernMessage  *tern_chat_get_pinned_message_finish (TernChat            *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
/* Unpins message row @message of this chat on this device: the spec's
 * "the user locally unpinned a message" (COI has no unpin message). Its
 * pinned-until is cleared in the store, so it stays unpinned after a
 * restart and a re-sync (a known Message-ID is never re-read). Finish with
 * tern_chat_change_finish(). */
void          tern_chat_unpin_message_async       (TernChat            *self,
                                                   gint64               message,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);

G_END_DECLS
