/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tern-store.h"

G_BEGIN_DECLS

#define TERN_TYPE_NEW_CHAT_DIALOG (tern_new_chat_dialog_get_type ())

G_DECLARE_FINAL_TYPE (TernNewChatDialog, tern_new_chat_dialog, TERN, NEW_CHAT_DIALOG, AdwWindow)

/* A dialog to start a 1:1 chat: pick one of the known contacts of
 * @account (filtered as you type) or type an address. Emits ::chosen
 * (const char *address, const char *name or NULL) and closes. */
TernNewChatDialog *tern_new_chat_dialog_new       (GtkWindow         *parent,
                                                   TernStore         *store,
                                                   gint64             account);
GtkEditable       *tern_new_chat_dialog_get_entry (TernNewChatDialog *self);
/* The contact rows the filter shows. */
guint              tern_new_chat_dialog_get_n_shown (TernNewChatDialog *self);
/* What Enter in the entry does: the typed address when it is one, else
 * the only contact shown. FALSE (and a hint) when neither. */
gboolean           tern_new_chat_dialog_choose    (TernNewChatDialog *self);

/* Whether @text is a plausible e-mail address (local@domain.tld, no
 * spaces, no display name). */
gboolean           tern_address_is_valid          (const char        *text);

G_END_DECLS
