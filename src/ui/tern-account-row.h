/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tern-account.h"

G_BEGIN_DECLS

#define TERN_TYPE_ACCOUNT_ROW (tern_account_row_get_type ())

G_DECLARE_FINAL_TYPE (TernAccountRow, tern_account_row, TERN, ACCOUNT_ROW, AdwExpanderRow)

/* One account in the preferences: its address, whether it is connected
 * (live, from TernAccount:state and :last-error), and when expanded whether
 * its server is a COI server, which extensions it offers, its servers, its
 * filter mode (changed through tern_account_set_filter_mode_async()) and a
 * Remove button (::remove-requested; the owner asks for confirmation). */
TernAccountRow *tern_account_row_new                 (TernAccount    *account);
TernAccount    *tern_account_row_get_account         (TernAccountRow *self);
/* What the rows show (for tests and accessibility). */
const char     *tern_account_row_get_status_text     (TernAccountRow *self);
const char     *tern_account_row_get_coi_text        (TernAccountRow *self);
const char     *tern_account_row_get_extensions_text (TernAccountRow *self);
void            tern_account_row_refresh             (TernAccountRow *self);

/* "IDLE, CONDSTORE, QRESYNC, ..." of @extensions, or NULL when none. */
char           *tern_account_extensions_to_string    (TernAccountExtensions extensions);

G_END_DECLS
