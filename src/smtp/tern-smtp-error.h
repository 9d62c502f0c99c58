/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TERN_SMTP_ERROR (tern_smtp_error_quark ())

/**
 * TernSmtpError:
 *
 * Errors of the smtp layer. The codes say what the caller should do.
 */
typedef enum {
  TERN_SMTP_ERROR_FAILED,
} TernSmtpError;

GQuark tern_smtp_error_quark (void);

G_END_DECLS
