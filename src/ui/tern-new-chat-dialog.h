/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tern-store.h"

G_BEGIN_DECLS

#define TERN_TYPE_NEW_CHAT_DIALOG (tern_new_chat_dialog_get_type ())

G_DECLARE_FINAL_TYPE (TernNewChatDialog, tern_new_chat_dialog, TERN, NEW_CHAT_DIALOG, AdwWindow)

/* A dialog to start a 1:1 chat: pick one of the known contacts of
 * @account (filtered as you type) or type an address. With several
 * accounts in @store, a row offers them (@account first: the open chat's).
 * Emits ::chosen (const char *address, const char *name or NULL) and
 * closes; the chat is for tern_new_chat_dialog_get_account(). */
TernNewChatDialog *tern_new_chat_dialog_new       (GtkWindow         *parent,
                                                   TernStore         *store,
                                                   gint64             account);
GtkEditable       *tern_new_chat_dialog_get_entry (TernNewChatDialog *self);
/* The contact rows the filter shows. */
guint              tern_new_chat_dialog_get_n_shown (TernNewChatDialog *self);
/* What Enter in the entry does: the typed address when it is one, else
 * the only contact shown. FALSE (and a hint) when neither. */
gboolean           tern_new_chat_dialog_choose    (TernNewChatDialog *self);

/* The account picked (the store id). */
gint64             tern_new_chat_dialog_get_account (TernNewChatDialog *self);
void               tern_new_chat_dialog_set_account (TernNewChatDialog *self,
                                                     gint64             account);

/* Whether @text is a plausible e-mail address (local@domain.tld, no
 * spaces, no display name). */
gboolean           tern_address_is_valid          (const char        *text);

G_END_DECLS
