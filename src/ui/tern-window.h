/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tern-application.h"

G_BEGIN_DECLS

#define TERN_TYPE_WINDOW (tern_window_get_type ())

G_DECLARE_FINAL_TYPE (TernWindow, tern_window, TERN, WINDOW, AdwApplicationWindow)

TernWindow *tern_window_new             (TernApplication *application);
gboolean    tern_window_get_has_account (TernWindow      *self);
void        tern_window_set_has_account (TernWindow      *self,
                                         gboolean         has_account);
void        tern_window_add_toast       (TernWindow      *self,
                                         AdwToast        *toast);

G_END_DECLS
