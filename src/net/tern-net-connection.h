/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * TernNetSecurity:
 * @TERN_NET_SECURITY_TLS: implicit TLS from the first byte (IMAPS 993, SMTPS 465)
 * @TERN_NET_SECURITY_STARTTLS: plain connect, the protocol upgrades with
 *   tern_net_start_tls_async(); never continue in plaintext if that fails
 * @TERN_NET_SECURITY_PLAIN: no TLS at all; only allowed to loopback addresses
 */
typedef enum {
  TERN_NET_SECURITY_TLS,
  TERN_NET_SECURITY_STARTTLS,
  TERN_NET_SECURITY_PLAIN,
} TernNetSecurity;

/* Shared by the IMAP and SMTP clients: connect with the chosen security,
 * validate the server certificate through GIO, and accept a certificate
 * the system does not trust only when its SHA-256 fingerprint equals
 * @pinned_sha256 (hex, any case, colons allowed; NULL for none).
 *
 * An untrusted certificate fails with TERN_NET_ERROR_CERTIFICATE_UNTRUSTED;
 * tern_net_error_get_fingerprint() gives its fingerprint so the UI can offer
 * to pin it. @timeout_seconds bounds the TCP connect and TLS handshake
 * (0: a default of 30 s). Returns the GIOStream to speak the protocol on
 * (a GTlsConnection for TLS, the GSocketConnection otherwise). */
void       tern_net_connect_async    (const char          *host,
                                      guint16              port,
                                      TernNetSecurity      security,
                                      const char          *pinned_sha256,
                                      guint                timeout_seconds,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
GIOStream *tern_net_connect_finish   (GAsyncResult        *result,
                                      GError             **error);

/* Upgrades @base (after the protocol's STARTTLS was accepted) to TLS with
 * the same certificate rules; the handshake is bounded by 30 s
 * (TERN_NET_ERROR_TIMEOUT). Returns the new GTlsConnection. The caller
 * must discard any bytes it buffered from @base before the handshake. */
void       tern_net_start_tls_async  (GIOStream           *base,
                                      const char          *host,
                                      const char          *pinned_sha256,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
GIOStream *tern_net_start_tls_finish (GAsyncResult        *result,
                                      GError             **error);

/* The certificate authorities connections trust from now on (a reference
 * is kept); NULL: the system's (the default). For tests and embedders. */
void       tern_net_set_trust_database      (GTlsDatabase    *database);

/* Lower-case hex SHA-256 of the certificate's DER bytes, 64 characters. */
char      *tern_net_certificate_fingerprint (GTlsCertificate *certificate);

/* Normalises a user-given fingerprint (drops colons/spaces, lower-cases);
 * NULL when it is not 64 hex digits. */
char      *tern_net_normalize_fingerprint   (const char      *fingerprint);

/* TRUE for 127.0.0.0/8, ::1 and "localhost". */
gboolean   tern_net_host_is_loopback        (const char      *host);

/* TRUE when @error says the network is unreachable or the peer went away:
 * something worth retrying later (transient), not a permanent refusal. */
gboolean   tern_net_error_is_transient      (const GError    *error);

G_END_DECLS
