/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tern-account.h"
#include "tern-context.h"

G_BEGIN_DECLS

#define TERN_TYPE_APPLICATION (tern_application_get_type ())

G_DECLARE_FINAL_TYPE (TernApplication, tern_application, TERN, APPLICATION, AdwApplication)

TernApplication *tern_application_new          (void);
GSettings       *tern_application_get_settings (TernApplication *self);
TernContext     *tern_application_get_context  (TernApplication *self);
void             tern_application_set_context  (TernApplication *self,
                                                TernContext     *context);
gboolean         tern_application_get_in_background (TernApplication *self);
void             tern_application_set_setup_defaults (TernApplication           *self,
                                                      const TernAccountSettings *defaults);

G_END_DECLS
