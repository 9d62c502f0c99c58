/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tern-message.h"
#include "tern-store.h"

G_BEGIN_DECLS

/**
 * TernMessageList:
 *
 * A GListModel of the TernMessage of one chat, oldest first, that holds a
 * window ending at the newest message: it opens with the last
 * TERN_MESSAGE_LIST_WINDOW rows (one index seek, whatever the chat's size)
 * and grows backwards a window at a time with
 * tern_message_list_load_older(), which the conversation view calls when
 * it is scrolled near the top (items-changed (0, 0, n): the rows on screen
 * keep their place). New messages are inserted at their sorted position,
 * edits and state ticks update the objects in place, deleted rows leave.
 */
#define TERN_TYPE_MESSAGE_LIST (tern_message_list_get_type ())
G_DECLARE_FINAL_TYPE (TernMessageList, tern_message_list, TERN, MESSAGE_LIST, GObject)

#define TERN_MESSAGE_LIST_WINDOW 50
/* At most this many TernMessage objects are kept alive by the list (plus
 * any held elsewhere); rows far from the last one asked for are made
 * again from the store when asked for. */
#define TERN_MESSAGE_LIST_MAX_LIVE 1000

TernMessageList *tern_message_list_new          (TernStore       *store,
                                                 gint64           chat);
gint64           tern_message_list_get_chat_id  (TernMessageList *self);
/* TRUE while older messages than the first row exist in the store. */
gboolean         tern_message_list_get_has_more (TernMessageList *self);
/* The exact number of messages of the chat in the store (loaded or not). */
guint            tern_message_list_get_total    (TernMessageList *self);
/* Loads up to @count older rows (0 = one window) in front of the first row;
 * returns how many were added. */
guint            tern_message_list_load_older   (TernMessageList *self,
                                                 guint            count);
/* Loads older windows until the message with row id @message is in the list
 * (to jump to a replied message); its position, or -1 if it is not in this
 * chat. */
int              tern_message_list_load_until   (TernMessageList *self,
                                                 gint64           message);
/* The position of a loaded message, or -1. */
int              tern_message_list_find         (TernMessageList *self,
                                                 gint64           message);
/* How many message objects the list holds now (tests, benchmarks). */
guint            tern_message_list_get_n_live   (TernMessageList *self);

G_END_DECLS
