/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tern-chat.h"
#include "tern-message.h"
#include "tern-store.h"

G_BEGIN_DECLS

/**
 * TernSearchResult:
 *
 * One hit: a chat (its name or its peer matched), or a message in a chat
 * (its text matched; the snippet marks the matches with
 * TERN_STORE_SNIPPET_START / _END).
 */
#define TERN_TYPE_SEARCH_RESULT (tern_search_result_get_type ())
G_DECLARE_FINAL_TYPE (TernSearchResult, tern_search_result, TERN, SEARCH_RESULT, GObject)

TernChat    *tern_search_result_get_chat    (TernSearchResult *self);
/* NULL for a chat hit. */
TernMessage *tern_search_result_get_message (TernSearchResult *self);
const char  *tern_search_result_get_snippet (TernSearchResult *self);

/**
 * TernSearch:
 *
 * A GListModel of TernSearchResult for the query being typed: matching
 * chats first (best first), then matching messages ranked by the full-text
 * index. Setting the query cancels the search in flight; results replace
 * the list when they arrive (the message search runs off the main thread).
 */
#define TERN_TYPE_SEARCH (tern_search_get_type ())
G_DECLARE_FINAL_TYPE (TernSearch, tern_search, TERN, SEARCH, GObject)

#define TERN_SEARCH_MAX_CHATS    20
#define TERN_SEARCH_MAX_MESSAGES 100

TernSearch  *tern_search_new          (TernStore  *store,
                                       gint64      account);
const char  *tern_search_get_query    (TernSearch *self);
void         tern_search_set_query    (TernSearch *self,
                                       const char *query);
/* TRUE while a search is running. */
gboolean     tern_search_get_busy     (TernSearch *self);

G_END_DECLS
