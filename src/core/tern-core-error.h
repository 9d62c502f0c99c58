/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TERN_CORE_ERROR (tern_core_error_quark ())

/**
 * TernCoreError:
 *
 * Errors of the core layer. The codes say what the caller should do.
 */
typedef enum {
  TERN_CORE_ERROR_FAILED,
} TernCoreError;

GQuark tern_core_error_quark (void);

G_END_DECLS
