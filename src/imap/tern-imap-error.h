/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TERN_IMAP_ERROR (tern_imap_error_quark ())

/**
 * TernImapError:
 *
 * Errors of the imap layer. The codes say what the caller should do.
 */
typedef enum {
  TERN_IMAP_ERROR_FAILED,
} TernImapError;

GQuark tern_imap_error_quark (void);

G_END_DECLS
