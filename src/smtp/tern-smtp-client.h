/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tern-net-connection.h"
#include "tern-smtp-reply.h"
#include "tern-smtp-send-result.h"

G_BEGIN_DECLS

#define TERN_SMTP_TYPE_CLIENT (tern_smtp_client_get_type ())
G_DECLARE_FINAL_TYPE (TernSmtpClient, tern_smtp_client, TERN_SMTP, CLIENT, GObject)

/**
 * TernSmtpClient:
 *
 * A message submission client (RFC 6409) for one connection. Usage:
 * connect (greeting, EHLO, STARTTLS and EHLO again when the security says
 * so), authenticate, then send any number of messages over the same
 * connection, then quit. One operation at a time (another one started
 * while one runs fails with G_IO_ERROR_PENDING). tern_smtp_client_close()
 * cancels whatever runs and drops the connection.
 *
 * After a failed operation the connection stays usable when the server
 * answered (a rejected sender, recipients or message: the next send starts
 * with RSET); on a network error, a timeout, a malformed reply, 421 or a
 * cancellation it is closed (tern_smtp_client_is_connected() is FALSE) and
 * the caller connects again.
 *
 * Errors: see TernSmtpError; tern_smtp_error_is_transient() tells whether
 * to retry later. Certificate and network errors come from the net layer.
 */

TernSmtpClient     *tern_smtp_client_new                    (const char          *host,
                                                             guint16              port,
                                                             TernNetSecurity      security,
                                                             const char          *pinned_sha256);

/* Seconds to wait for the greeting (and the TCP/TLS connect), for the reply
 * to each command, and for each step of the message data and the reply
 * after it. 0 keeps the current value. Defaults: 60, 60, 300. */
void                tern_smtp_client_set_timeouts           (TernSmtpClient      *self,
                                                             guint                greeting_seconds,
                                                             guint                command_seconds,
                                                             guint                data_seconds);
/* The name sent with EHLO/HELO; default: the local address as a literal,
 * e.g. "[192.0.2.7]" (no host name leaks). */
void                tern_smtp_client_set_helo_name          (TernSmtpClient      *self,
                                                             const char          *helo_name);

/* The AUTH mechanisms to use, in order of preference ("PLAIN", "LOGIN");
 * NULL for the default, PLAIN then LOGIN. */
void                tern_smtp_client_set_auth_mechanisms    (TernSmtpClient      *self,
                                                             const char * const  *mechanisms);

void                tern_smtp_client_connect_async          (TernSmtpClient      *self,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
gboolean            tern_smtp_client_connect_finish         (TernSmtpClient      *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

/* AUTH PLAIN when offered, else AUTH LOGIN (see set_auth_mechanisms());
 * TERN_SMTP_ERROR_NOT_SUPPORTED when the server offers neither. */
void                tern_smtp_client_authenticate_async     (TernSmtpClient      *self,
                                                             const char          *user,
                                                             const char          *password,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
gboolean            tern_smtp_client_authenticate_finish    (TernSmtpClient      *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

/* Sends @message (RFC 5322 bytes, any line endings; read from its current
 * position to its end, in chunks, dot-stuffed on the way) from @from ("" for
 * the null sender) to @recipients. @size_hint is its size in bytes, or -1:
 * a seekable stream is measured (and scanned for 8-bit bytes) first and
 * rewound; a message larger than the server's SIZE fails with
 * TERN_SMTP_ERROR_MESSAGE_TOO_LARGE before anything is sent.
 *
 * Succeeds when the server accepted the message for at least one recipient;
 * the result says which recipients were rejected, with their replies. Fails
 * when every recipient was rejected (PERMANENT when all with 5xx, else
 * TRANSIENT), or the sender or the message were refused, or the connection
 * broke (TRANSIENT: the message was not sent). */
void                tern_smtp_client_send_async             (TernSmtpClient      *self,
                                                             const char          *from,
                                                             const char * const  *recipients,
                                                             GInputStream        *message,
                                                             gssize               size_hint,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
TernSmtpSendResult *tern_smtp_client_send_finish            (TernSmtpClient      *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

/* RSET: abandons a transaction. Sending does it by itself when needed. */
void                tern_smtp_client_reset_async            (TernSmtpClient      *self,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
gboolean            tern_smtp_client_reset_finish           (TernSmtpClient      *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

/* QUIT, then closes the connection (whatever the server answers). */
void                tern_smtp_client_quit_async             (TernSmtpClient      *self,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
gboolean            tern_smtp_client_quit_finish            (TernSmtpClient      *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

/* Cancels the running operation and drops the connection without QUIT. */
void                tern_smtp_client_close                  (TernSmtpClient      *self);

gboolean            tern_smtp_client_is_connected           (TernSmtpClient      *self);
gboolean            tern_smtp_client_is_encrypted           (TernSmtpClient      *self);
gboolean            tern_smtp_client_is_authenticated       (TernSmtpClient      *self);

/* Capabilities from the last EHLO (all empty after HELO). */
/* SIZE limit in bytes; 0 when the server announces none. */
guint64             tern_smtp_client_get_size_limit         (TernSmtpClient      *self);
/* Upper-case mechanism names, NULL-terminated (never NULL). */
const char * const *tern_smtp_client_get_auth_mechanisms    (TernSmtpClient      *self);
gboolean            tern_smtp_client_has_8bitmime           (TernSmtpClient      *self);
gboolean            tern_smtp_client_has_smtputf8           (TernSmtpClient      *self);
gboolean            tern_smtp_client_has_pipelining         (TernSmtpClient      *self);
gboolean            tern_smtp_client_has_starttls           (TernSmtpClient      *self);
/* Any EHLO keyword, case-insensitive ("ENHANCEDSTATUSCODES"). */
gboolean            tern_smtp_client_has_capability         (TernSmtpClient      *self,
                                                             const char          *keyword);

G_END_DECLS
