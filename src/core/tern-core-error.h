/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TERN_CORE_ERROR (tern_core_error_quark ())

/**
 * TernCoreError:
 * @TERN_CORE_ERROR_FAILED: anything else (the message says what)
 * @TERN_CORE_ERROR_AUTH: a server rejected the login or password; ask the
 *   user (never retry with the same password)
 * @TERN_CORE_ERROR_NETWORK: the host is unreachable, the connection was
 *   lost or timed out: transient, retry later
 * @TERN_CORE_ERROR_CERTIFICATE: the server's certificate is not trusted and
 *   not pinned; tern_core_error_get_fingerprint() gives its SHA-256 so the
 *   UI/CLI can offer to pin it (TernAccountSettings.trusted_certificate)
 * @TERN_CORE_ERROR_NO_SECRET_SERVICE: no Secret Service answered (or it
 *   timed out, e.g. a locked keyring waiting on a prompt); nothing was
 *   stored in plain text. Give the password for this run instead.
 * @TERN_CORE_ERROR_NO_PASSWORD: no password is known for the account (not
 *   in the keyring, none given for the session)
 * @TERN_CORE_ERROR_NOT_FOUND: no such account / folder / message
 * @TERN_CORE_ERROR_INVALID: invalid input (address, port, fingerprint...)
 * @TERN_CORE_ERROR_EXISTS: the account exists already
 * @TERN_CORE_ERROR_DISCOVERY: no IMAP or SMTP server could be found for the
 *   address (give the hosts by hand)
 * @TERN_CORE_ERROR_UNSUPPORTED: the server lacks something required
 * @TERN_CORE_ERROR_STORE: the local store failed (disk full, corrupt)
 *
 * Errors of the core layer. The codes say what the caller should do; they
 * map one to one to tern-cli's exit codes (AUTH 3, NETWORK 4, CERTIFICATE
 * 5, NO_SECRET_SERVICE 6). Core functions wrap lower-layer errors into this
 * domain (tern_core_error_wrap()); G_IO_ERROR_CANCELLED passes through.
 */
typedef enum {
  TERN_CORE_ERROR_FAILED,
  TERN_CORE_ERROR_AUTH,
  TERN_CORE_ERROR_NETWORK,
  TERN_CORE_ERROR_CERTIFICATE,
  TERN_CORE_ERROR_NO_SECRET_SERVICE,
  TERN_CORE_ERROR_NO_PASSWORD,
  TERN_CORE_ERROR_NOT_FOUND,
  TERN_CORE_ERROR_INVALID,
  TERN_CORE_ERROR_EXISTS,
  TERN_CORE_ERROR_DISCOVERY,
  TERN_CORE_ERROR_UNSUPPORTED,
  TERN_CORE_ERROR_STORE,
} TernCoreError;

GQuark      tern_core_error_quark           (void);

/* The SHA-256 fingerprint (lower-case hex) carried by a
 * TERN_CORE_ERROR_CERTIFICATE or TERN_NET_ERROR_CERTIFICATE_UNTRUSTED
 * error, or NULL for any other error. */
const char *tern_core_error_get_fingerprint (const GError *error);

/* Sets a TERN_CORE_ERROR_CERTIFICATE error carrying @fingerprint. */
void        tern_core_set_certificate_error (GError     **error,
                                             const char  *fingerprint,
                                             const char  *format,
                                             ...) G_GNUC_PRINTF (3, 4);

/* Turns any error of the layers below (TERN_NET_ERROR, TERN_IMAP_ERROR,
 * TERN_SMTP_ERROR, TERN_STORE_ERROR, G_IO_ERROR, G_RESOLVER_ERROR,
 * G_TLS_ERROR) into a TERN_CORE_ERROR with a human message that starts with
 * @context (e.g. "IMAP server imap.example.org:993") when given. Core errors
 * and G_IO_ERROR_CANCELLED are returned as copies. Never NULL. */
GError     *tern_core_error_wrap            (const GError *error,
                                             const char   *context);

/* TRUE when retrying later may succeed (TERN_CORE_ERROR_NETWORK or a
 * transient error of a lower layer). */
gboolean    tern_core_error_is_transient    (const GError *error);

G_END_DECLS
