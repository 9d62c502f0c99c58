/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TERN_STORE_ERROR (tern_store_error_quark ())

/**
 * TernStoreError:
 *
 * Errors of the store layer. The codes say what the caller should do.
 */
typedef enum {
  TERN_STORE_ERROR_FAILED,
} TernStoreError;

GQuark tern_store_error_quark (void);

G_END_DECLS
