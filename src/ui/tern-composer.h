/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TERN_TYPE_COMPOSER (tern_composer_get_type ())

G_DECLARE_FINAL_TYPE (TernComposer, tern_composer, TERN, COMPOSER, AdwBin)

TernComposer *tern_composer_new          (void);
/* The text to keep (a draft): completed mentions in their COI form
 * `@"Name":address`, which tern_composer_set_text() shows as `@Name` again. */
char         *tern_composer_dup_text     (TernComposer *self);
/* The text as it shows (mentions as `@Name`). */
char         *tern_composer_dup_shown_text (TernComposer *self);
void          tern_composer_set_text     (TernComposer *self,
                                          const char   *text);
/* How a kept text (tern_composer_dup_text(), a draft) shows: mentions as
 * `@Name` (the chat list's "Draft:" preview). */
char         *tern_composer_shown_text_of (const char  *text);
gboolean      tern_composer_get_can_send (TernComposer *self);
void          tern_composer_set_reply    (TernComposer *self,
                                          const char   *sender_name,
                                          const char   *excerpt);
void          tern_composer_clear_reply  (TernComposer *self);
gboolean      tern_composer_get_replying (TernComposer *self);

/* The text as sent (mentions in their `@"Name":address` form). */
char         *tern_composer_dup_message_text (TernComposer *self);

/* Files sent with the next message (chips above the text). */
void          tern_composer_add_file      (TernComposer *self,
                                           GFile        *file);
void          tern_composer_add_file_list (TernComposer *self,
                                           GdkFileList  *list);
guint         tern_composer_get_n_files   (TernComposer *self);
GFile        *tern_composer_get_file      (TernComposer *self,
                                           guint         index);
void          tern_composer_remove_file   (TernComposer *self,
                                           guint         index);
void          tern_composer_clear_files   (TernComposer *self);
char        **tern_composer_dup_paths     (TernComposer *self);
/* Pasted images the composer wrote: the ::send handler takes them over and
 * deletes them once the message is queued. */
char        **tern_composer_steal_temporary_paths  (TernComposer       *self);
void          tern_composer_delete_temporary_paths (const char * const *paths);
/* Saves a pasted image as a PNG in a new temporary directory; its path. */
char         *tern_composer_save_texture  (GdkTexture   *texture,
                                           GError      **error);

/* Mention completion with `@` (group members; NULL turns it off). */
void          tern_composer_set_members   (TernComposer       *self,
                                           const char * const *names,
                                           const char * const *addresses);
GtkPopover   *tern_composer_get_mention_popover (TernComposer *self);

G_END_DECLS
