/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TERN_COI_ERROR (tern_coi_error_quark ())

/**
 * TernCoiError:
 * @TERN_COI_ERROR_FAILED: anything else
 * @TERN_COI_ERROR_INVALID: the input cannot be used at all (empty, not a
 *   message); do not retry, show or store it as unreadable
 *
 * Errors of the coi layer. The codes say what the caller should do.
 */
typedef enum {
  TERN_COI_ERROR_FAILED,
  TERN_COI_ERROR_INVALID,
} TernCoiError;

GQuark tern_coi_error_quark (void);

G_END_DECLS
