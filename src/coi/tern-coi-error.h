/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TERN_COI_ERROR (tern_coi_error_quark ())

/**
 * TernCoiError:
 *
 * Errors of the coi layer. The codes say what the caller should do.
 */
typedef enum {
  TERN_COI_ERROR_FAILED,
} TernCoiError;

GQuark tern_coi_error_quark (void);

G_END_DECLS
