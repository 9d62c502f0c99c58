/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TERN_SMTP_ERROR (tern_smtp_error_quark ())

/**
 * TernSmtpError:
 * @TERN_SMTP_ERROR_FAILED: anything else (a bug, an unexpected state)
 * @TERN_SMTP_ERROR_TRANSIENT: the server answered 4xx, or closed the
 *   connection (421, or during a transaction): retry later; a message that
 *   failed this way was NOT sent
 * @TERN_SMTP_ERROR_PERMANENT: the server answered 5xx for the message or its
 *   sender, or refused every recipient with 5xx: do not retry, report
 * @TERN_SMTP_ERROR_AUTH_FAILED: the server refused the user name/password
 *   (535 and other 5xx answers to AUTH): ask the user
 * @TERN_SMTP_ERROR_AUTH_REQUIRED: the server wants authentication or TLS
 *   first (530 5.7.0): an account configuration problem, permanent
 * @TERN_SMTP_ERROR_NOT_SUPPORTED: the server lacks something the message or
 *   the account needs (no common AUTH mechanism, SMTPUTF8 for a non-ASCII
 *   address, 8BITMIME for 8-bit content): permanent for this server
 * @TERN_SMTP_ERROR_MESSAGE_TOO_LARGE: the message exceeds the server's SIZE
 *   limit (refused before sending it, or 552 5.3.4 after): permanent
 * @TERN_SMTP_ERROR_INVALID_ADDRESS: an address contains characters that
 *   cannot go into an SMTP command (CR, LF, <, >, spaces): permanent
 * @TERN_SMTP_ERROR_PROTOCOL: the server's reply was malformed or out of
 *   place; the connection is closed (treated as transient)
 *
 * Errors of the smtp layer; the codes say what the caller should do. Errors
 * caused by a server reply carry it: tern_smtp_error_get_reply_code(),
 * tern_smtp_error_get_enhanced_code(), tern_smtp_error_get_server_text().
 * Network and certificate errors pass through from the net layer
 * (TERN_NET_ERROR, G_IO_ERROR, G_TLS_ERROR, G_RESOLVER_ERROR).
 */
typedef enum {
  TERN_SMTP_ERROR_FAILED,
  TERN_SMTP_ERROR_TRANSIENT,
  TERN_SMTP_ERROR_PERMANENT,
  TERN_SMTP_ERROR_AUTH_FAILED,
  TERN_SMTP_ERROR_AUTH_REQUIRED,
  TERN_SMTP_ERROR_NOT_SUPPORTED,
  TERN_SMTP_ERROR_MESSAGE_TOO_LARGE,
  TERN_SMTP_ERROR_INVALID_ADDRESS,
  TERN_SMTP_ERROR_PROTOCOL,
} TernSmtpError;

GQuark      tern_smtp_error_quark             (void);

/* Sets a TERN_SMTP_ERROR carrying a server reply (@reply_code 0 for none). */
void        tern_smtp_set_reply_error         (GError      **error,
                                               TernSmtpError code,
                                               guint         reply_code,
                                               const char   *enhanced_code,
                                               const char   *server_text,
                                               const char   *format,
                                               ...) G_GNUC_PRINTF (6, 7);

/* The reply code (e.g. 550) behind a TERN_SMTP_ERROR, or 0. */
guint       tern_smtp_error_get_reply_code    (const GError *error);
/* The enhanced status code (e.g. "5.1.1") behind a TERN_SMTP_ERROR, or NULL. */
const char *tern_smtp_error_get_enhanced_code (const GError *error);
/* The server's text (lines joined with "\n") behind a TERN_SMTP_ERROR, or NULL. */
const char *tern_smtp_error_get_server_text   (const GError *error);

/* TRUE when retrying later may succeed: TERN_SMTP_ERROR_TRANSIENT and
 * _PROTOCOL, and the transient network errors (tern_net_error_is_transient()).
 * Cancellation is neither transient nor permanent: check it first. */
gboolean    tern_smtp_error_is_transient      (const GError *error);

G_END_DECLS
