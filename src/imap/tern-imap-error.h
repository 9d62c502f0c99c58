/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TERN_IMAP_ERROR (tern_imap_error_quark ())

/**
 * TernImapError:
 *
 * @TERN_IMAP_ERROR_PARSE: the server sent a malformed response (protocol
 *   error; the connection cannot continue)
 * @TERN_IMAP_ERROR_LIMIT: a response exceeded a parser limit (line, literal,
 *   nesting, element count or response size); the connection cannot continue
 * @TERN_IMAP_ERROR_AUTH: the server rejected the credentials (ask the user;
 *   don't retry with the same password)
 * @TERN_IMAP_ERROR_TRANSIENT: the connection was lost, the server said BYE
 *   or [UNAVAILABLE]: retry later (every pending command fails with it)
 * @TERN_IMAP_ERROR_TIMEOUT: greeting or command reply took too long; the
 *   connection was dropped (transient: retry later)
 * @TERN_IMAP_ERROR_NO: the server said NO to a command (permanent for that
 *   command; the message carries the server's text)
 * @TERN_IMAP_ERROR_BAD: the server said BAD (protocol error: a client bug or
 *   a server that misunderstood; the message carries the server's text)
 * @TERN_IMAP_ERROR_TRYCREATE: NO [TRYCREATE]: the target mailbox does not
 *   exist; create it and retry
 * @TERN_IMAP_ERROR_UNSUPPORTED: the server lacks what the operation needs
 *   (a capability, or LOGINDISABLED with no usable mechanism)
 * @TERN_IMAP_ERROR_STATE: the client is not in a state for this command
 *   (not connected, not logged in, no mailbox selected)
 *
 * Besides these, tern-imap functions pass through G_IO_ERROR_CANCELLED
 * (cancelled or tern_imap_client_close(); stay quiet), TERN_NET_ERROR_*
 * from the connect stage (TERN_NET_ERROR_CERTIFICATE_UNTRUSTED carries the
 * certificate's SHA-256 fingerprint: tern_net_error_get_fingerprint()) and
 * transport errors (G_IO_ERROR, G_RESOLVER_ERROR, G_TLS_ERROR).
 *
 * Errors of the imap layer. The codes say what the caller should do.
 */
typedef enum {
  TERN_IMAP_ERROR_FAILED,
  TERN_IMAP_ERROR_PARSE,
  TERN_IMAP_ERROR_LIMIT,
  TERN_IMAP_ERROR_AUTH,
  TERN_IMAP_ERROR_TRANSIENT,
  TERN_IMAP_ERROR_TIMEOUT,
  TERN_IMAP_ERROR_NO,
  TERN_IMAP_ERROR_BAD,
  TERN_IMAP_ERROR_TRYCREATE,
  TERN_IMAP_ERROR_UNSUPPORTED,
  TERN_IMAP_ERROR_STATE,
} TernImapError;

GQuark   tern_imap_error_quark        (void);

/* TRUE when retrying later may succeed: TERN_IMAP_ERROR_TRANSIENT/TIMEOUT,
 * TERN_NET_ERROR_TIMEOUT and transport errors tern_net_error_is_transient()
 * accepts. FALSE for cancellation, auth, NO/BAD, certificates. */
gboolean tern_imap_error_is_transient (const GError *error);

G_END_DECLS
