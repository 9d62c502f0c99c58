/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tern-account-row.h"
#include "tern-context.h"

G_BEGIN_DECLS

#define TERN_TYPE_PREFERENCES_WINDOW (tern_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (TernPreferencesWindow, tern_preferences_window, TERN, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

TernPreferencesWindow *tern_preferences_window_new         (GSettings             *settings);
void                   tern_preferences_window_set_context (TernPreferencesWindow *self,
                                                            TernContext           *context);
TernAccountRow        *tern_preferences_window_find_account_row (TernPreferencesWindow *self,
                                                                 const char            *address);

/* Makes @context follow the settings the engine reads: send-read-receipts,
 * request-read-receipts and message-filter (its default-filter-mode). The
 * application calls it once at start; the preferences window again. */
void                   tern_preferences_bind_context       (GSettings             *settings,
                                                            TernContext           *context);

G_END_DECLS
