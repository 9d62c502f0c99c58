/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tern-application.h"
#include "tern-chat.h"
#include "tern-context.h"
#include "tern-conversation.h"

G_BEGIN_DECLS

#define TERN_TYPE_WINDOW (tern_window_get_type ())

G_DECLARE_FINAL_TYPE (TernWindow, tern_window, TERN, WINDOW, AdwApplicationWindow)

TernWindow *tern_window_new             (TernApplication *application);
gboolean    tern_window_get_has_account (TernWindow      *self);
void        tern_window_set_has_account (TernWindow      *self,
                                         gboolean         has_account);
void        tern_window_add_toast       (TernWindow      *self,
                                         AdwToast        *toast);
void        tern_window_set_chat_list   (TernWindow      *self,
                                         GListModel      *chats);
GListModel *tern_window_get_chat_list   (TernWindow      *self);
void        tern_window_open_chat       (TernWindow      *self,
                                         TernChat        *chat);
TernChat   *tern_window_get_open_chat   (TernWindow      *self);
TernConversation *tern_window_get_conversation (TernWindow *self);
GtkListView *tern_window_get_chat_list_view (TernWindow  *self);
void        tern_window_set_context     (TernWindow      *self,
                                         TernContext     *context);
TernContext *tern_window_get_context    (TernWindow      *self);

/* Opens @chat and scrolls to the message row @message (highlighted). */
void        tern_window_show_message    (TernWindow      *self,
                                         TernChat        *chat,
                                         gint64           message);
/* Opens (creating) the 1:1 chat with @address and focuses the composer. */
void        tern_window_start_chat      (TernWindow      *self,
                                         const char      *address,
                                         const char      *name);
/* The files drop target on the conversation (for the tests). */
GtkDropTarget *tern_window_get_drop_target (TernWindow   *self);
/* A search snippet (TERN_STORE_SNIPPET_START/_END markers) as markup. */
char       *tern_window_snippet_to_markup (const char    *snippet);

G_END_DECLS
