/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TERN_TYPE_ACCOUNT_ASSISTANT (tern_account_assistant_get_type ())

G_DECLARE_FINAL_TYPE (TernAccountAssistant, tern_account_assistant, TERN, ACCOUNT_ASSISTANT,
                      AdwWindow)

TernAccountAssistant *tern_account_assistant_new          (void);
const char           *tern_account_assistant_get_address  (TernAccountAssistant *self);
const char           *tern_account_assistant_get_password (TernAccountAssistant *self);
gboolean              tern_account_assistant_get_can_continue (TernAccountAssistant *self);

G_END_DECLS
