/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TERN_NET_ERROR (tern_net_error_quark ())

/**
 * TernNetError:
 * @TERN_NET_ERROR_CERTIFICATE_UNTRUSTED: the server's certificate is not
 *   trusted and not pinned; tern_net_error_get_fingerprint() tells which
 *   certificate it was, so the user can choose to trust it for this host
 * @TERN_NET_ERROR_PLAIN_NOT_ALLOWED: plaintext was asked for a host that is
 *   not loopback, or STARTTLS was required and is not possible
 * @TERN_NET_ERROR_TIMEOUT: connect, TLS handshake or a protocol stage took
 *   too long (transient)
 *
 * Errors shared by every network layer. Transport errors pass through as
 * G_IO_ERROR / G_RESOLVER_ERROR / G_TLS_ERROR.
 */
typedef enum {
  TERN_NET_ERROR_CERTIFICATE_UNTRUSTED,
  TERN_NET_ERROR_PLAIN_NOT_ALLOWED,
  TERN_NET_ERROR_TIMEOUT,
} TernNetError;

GQuark      tern_net_error_quark           (void);

/* The SHA-256 fingerprint carried by a TERN_NET_ERROR_CERTIFICATE_UNTRUSTED
 * error (an extended GError), or NULL for any other error. */
const char *tern_net_error_get_fingerprint (const GError *error);

/* Sets a TERN_NET_ERROR_CERTIFICATE_UNTRUSTED error carrying @fingerprint. */
void        tern_net_set_certificate_error (GError     **error,
                                            const char  *host,
                                            const char  *fingerprint,
                                            GTlsCertificateFlags flags);

G_END_DECLS
