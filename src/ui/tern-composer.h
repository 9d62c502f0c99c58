/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TERN_TYPE_COMPOSER (tern_composer_get_type ())

G_DECLARE_FINAL_TYPE (TernComposer, tern_composer, TERN, COMPOSER, AdwBin)

TernComposer *tern_composer_new          (void);
char         *tern_composer_dup_text     (TernComposer *self);
void          tern_composer_set_text     (TernComposer *self,
                                          const char   *text);
gboolean      tern_composer_get_can_send (TernComposer *self);
void          tern_composer_set_reply    (TernComposer *self,
                                          const char   *sender_name,
                                          const char   *excerpt);
void          tern_composer_clear_reply  (TernComposer *self);
gboolean      tern_composer_get_replying (TernComposer *self);

G_END_DECLS
