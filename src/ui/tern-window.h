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

G_END_DECLS
