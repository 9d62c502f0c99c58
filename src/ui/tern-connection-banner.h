/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tern-context.h"

G_BEGIN_DECLS

#define TERN_TYPE_CONNECTION_BANNER (tern_connection_banner_get_type ())

G_DECLARE_FINAL_TYPE (TernConnectionBanner, tern_connection_banner, TERN, CONNECTION_BANNER, AdwBin)

/* The connection status of every account of a context, for the top of the
 * chat list: one line per account that is not connected (connecting;
 * offline, with the reason when there is one; stopped on an error, with
 * the engine's reason), each with a Retry button that restarts that
 * account without waiting (tern_account_stop() + tern_account_start(),
 * both non-blocking). Hidden (revealer closed) while all are online. When
 * the network is down one line says so instead. */
TernConnectionBanner *tern_connection_banner_new         (void);
void                  tern_connection_banner_set_context (TernConnectionBanner *self,
                                                          TernContext          *context);
/* Whether the banner shows something. */
gboolean              tern_connection_banner_get_revealed (TernConnectionBanner *self);
/* The lines shown, joined by "\n" (tests); NULL when hidden. */
char                 *tern_connection_banner_dup_text    (TernConnectionBanner *self);
/* Restarts every account that is offline or stopped on an error. */
void                  tern_connection_banner_retry_all   (TernConnectionBanner *self);

G_END_DECLS
