/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tern-chat.h"
#include "tern-store.h"

G_BEGIN_DECLS

/**
 * TernChatList:
 *
 * A GListModel of TernChat: the chats of one account (or of all), pinned
 * first, then by last activity. It follows the store: after each committed
 * batch it emits items-changed for exactly the rows that moved, came or
 * went, and updates the others in place (their properties notify). Rows are
 * read from the store a page at a time, when a view asks for them.
 */
#define TERN_TYPE_CHAT_LIST (tern_chat_list_get_type ())
G_DECLARE_FINAL_TYPE (TernChatList, tern_chat_list, TERN, CHAT_LIST, GObject)

TernChatList *tern_chat_list_new         (TernStore           *store,
                                          gint64               account,
                                          TernStoreChatFilter  filter);
TernStore    *tern_chat_list_get_store   (TernChatList        *self);
/* The position of chat @chat, or -1. */
int           tern_chat_list_find        (TernChatList        *self,
                                          gint64               chat);
/* The chat object for @chat_id whether or not it is in the list (a new one
 * when it is not), or NULL when the store has no such chat. */
TernChat     *tern_chat_list_lookup      (TernChatList        *self,
                                          gint64               chat_id);
/* Re-reads the order from the store (done by itself on every change). */
void          tern_chat_list_refresh     (TernChatList        *self);

G_END_DECLS
