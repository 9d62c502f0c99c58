/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tern-chat.h"
#include "tern-composer.h"
#include "tern-message-list.h"

G_BEGIN_DECLS

#define TERN_TYPE_CONVERSATION (tern_conversation_get_type ())

G_DECLARE_FINAL_TYPE (TernConversation, tern_conversation, TERN, CONVERSATION, GtkBox)

TernConversation *tern_conversation_new              (void);
/* Shows @chat (NULL: nothing) from its newest message on. */
void              tern_conversation_set_chat         (TernConversation *self,
                                                      TernChat         *chat);
TernChat         *tern_conversation_get_chat         (TernConversation *self);
TernMessageList  *tern_conversation_get_message_list (TernConversation *self);
GtkListView      *tern_conversation_get_list_view    (TernConversation *self);
GtkAdjustment    *tern_conversation_get_vadjustment  (TernConversation *self);
TernComposer     *tern_conversation_get_composer     (TernConversation *self);
/* Whether the view follows the newest message (scrolled to the bottom). */
gboolean          tern_conversation_get_at_bottom    (TernConversation *self);
void              tern_conversation_follow_newest    (TernConversation *self);
void              tern_conversation_reply_to         (TernConversation *self,
                                                      TernMessage      *message);
/* The Message-ID replied to while the reply is shown, or NULL. */
const char       *tern_conversation_get_reply_to     (TernConversation *self);
void              tern_conversation_clear_reply_to   (TernConversation *self);
void              tern_conversation_edit             (TernConversation *self,
                                                      TernMessage      *message);
gint64            tern_conversation_get_editing      (TernConversation *self);
void              tern_conversation_set_failure_reason (TernConversation *self,
                                                        gint64            message,
                                                        const char       *reason);

/* Loads older rows until @message (a row id) is in the list, scrolls to it
 * and highlights it; FALSE if it is not in the chat. */
gboolean          tern_conversation_scroll_to_message (TernConversation *self,
                                                       gint64            message);
/* The pinned message banner: the message it shows (NULL when hidden), and
 * what its buttons do. */
TernMessage      *tern_conversation_get_pinned_message (TernConversation *self);
GtkWidget        *tern_conversation_get_pinned_banner  (TernConversation *self);
void              tern_conversation_activate_pinned    (TernConversation *self);
void              tern_conversation_close_pinned       (TernConversation *self);

/* For the bind function and the tests: the day a separator above @message
 * names ("Today", "Yesterday", a weekday or a date), relative to @now. */
char             *tern_format_day                    (GDateTime        *day,
                                                      GDateTime        *now);

G_END_DECLS
