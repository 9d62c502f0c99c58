/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tern-account.h"

G_BEGIN_DECLS

#define TERN_TYPE_ACCOUNT_ASSISTANT (tern_account_assistant_get_type ())

G_DECLARE_FINAL_TYPE (TernAccountAssistant, tern_account_assistant, TERN, ACCOUNT_ASSISTANT,
                      AdwWindow)

TernAccountAssistant *tern_account_assistant_new          (void);
/* An assistant that sets the account up itself in @context (see
 * tern_account_assistant_set_context()), starting from @defaults (may be
 * NULL): the manual page is prefilled from them. */
TernAccountAssistant *tern_account_assistant_new_for_context (TernContext               *context,
                                                              const TernAccountSettings *defaults);
const char           *tern_account_assistant_get_address  (TernAccountAssistant *self);
const char           *tern_account_assistant_get_password (TernAccountAssistant *self);
gboolean              tern_account_assistant_get_can_continue (TernAccountAssistant *self);

/* With a context the assistant runs the engine's set-up itself (after
 * ::next, which is then only a notification: do not set up on it):
 * discovery, the manual page when discovery fails, errors inline, the
 * certificate prompt; on success it starts the account, emits
 * ::account-added and closes. */
void                  tern_account_assistant_set_context  (TernAccountAssistant      *self,
                                                           TernContext               *context);
void                  tern_account_assistant_set_defaults (TernAccountAssistant      *self,
                                                           const TernAccountSettings *defaults);
/* "sign-in" or "manual". */
const char           *tern_account_assistant_get_page     (TernAccountAssistant *self);
void                  tern_account_assistant_show_manual  (TernAccountAssistant *self);
/* The error shown inline on the current page, or NULL. */
const char           *tern_account_assistant_get_error    (TernAccountAssistant *self);
/* TRUE while the engine works (the page is insensitive). */
gboolean              tern_account_assistant_get_busy     (TernAccountAssistant *self);
/* The settings the manual page describes (address, password, servers);
 * free with tern_account_settings_free(). */
TernAccountSettings  *tern_account_assistant_dup_settings (TernAccountAssistant *self);

/* "AB:12:CD:..." in lines of 8 bytes, as certificate viewers show it. */
char                 *tern_account_assistant_format_fingerprint (const char *hex);

G_END_DECLS
