/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TERN_TYPE_CHAT_ROW (tern_chat_row_get_type ())

G_DECLARE_FINAL_TYPE (TernChatRow, tern_chat_row, TERN, CHAT_ROW, AdwBin)

TernChatRow *tern_chat_row_new              (void);
const char  *tern_chat_row_get_title        (TernChatRow *self);
void         tern_chat_row_set_title        (TernChatRow *self,
                                             const char  *title);
const char  *tern_chat_row_get_preview      (TernChatRow *self);
void         tern_chat_row_set_preview      (TernChatRow *self,
                                             const char  *preview);
gint64       tern_chat_row_get_timestamp    (TernChatRow *self);
void         tern_chat_row_set_timestamp    (TernChatRow *self,
                                             gint64       timestamp);
guint        tern_chat_row_get_unread_count (TernChatRow *self);
void         tern_chat_row_set_unread_count (TernChatRow *self,
                                             guint        unread_count);
gboolean     tern_chat_row_get_muted        (TernChatRow *self);
void         tern_chat_row_set_muted        (TernChatRow *self,
                                             gboolean     muted);
gboolean     tern_chat_row_get_pinned       (TernChatRow *self);
void         tern_chat_row_set_pinned       (TernChatRow *self,
                                             gboolean     pinned);
const char  *tern_chat_row_get_avatar_path  (TernChatRow *self);
void         tern_chat_row_set_avatar_path  (TernChatRow *self,
                                             const char  *path);

char        *tern_format_time_short         (GDateTime   *time,
                                             GDateTime   *now);

G_END_DECLS
