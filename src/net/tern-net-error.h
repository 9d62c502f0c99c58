/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TERN_NET_ERROR (tern_net_error_quark ())

/**
 * TernNetError:
 *
 * Errors of the net layer. The codes say what the caller should do.
 */
typedef enum {
  TERN_NET_ERROR_FAILED,
} TernNetError;

GQuark tern_net_error_quark (void);

G_END_DECLS
