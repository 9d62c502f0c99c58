/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tern-smtp-reply.h"

G_BEGIN_DECLS

/**
 * TernSmtpSendResult:
 *
 * What happened to a message that was sent: for each recipient whether the
 * server accepted it and its reply to RCPT TO (so a rejected recipient's
 * 550 5.1.1 text can be shown, and a 4xx one retried), and the server's
 * final reply to the message ("250 2.0.0 Ok: queued as ..."). A send that
 * returns a result delivered the message to every accepted recipient.
 * Immutable, reference counted.
 */
typedef struct _TernSmtpSendResult TernSmtpSendResult;

#define TERN_SMTP_TYPE_SEND_RESULT (tern_smtp_send_result_get_type ())
GType               tern_smtp_send_result_get_type         (void) G_GNUC_CONST;

TernSmtpSendResult *tern_smtp_send_result_ref              (TernSmtpSendResult *result);
void                tern_smtp_send_result_unref            (TernSmtpSendResult *result);

guint               tern_smtp_send_result_get_n_recipients (TernSmtpSendResult *result);
guint               tern_smtp_send_result_get_n_accepted   (TernSmtpSendResult *result);
/* In the order given to tern_smtp_client_send_async(). */
const char         *tern_smtp_send_result_get_address      (TernSmtpSendResult *result,
                                                            guint               index);
gboolean            tern_smtp_send_result_get_accepted     (TernSmtpSendResult *result,
                                                            guint               index);
/* The reply to RCPT TO for this recipient. */
TernSmtpReply      *tern_smtp_send_result_get_reply        (TernSmtpSendResult *result,
                                                            guint               index);
/* The reply after the message data (NULL only inside the smtp layer). */
TernSmtpReply      *tern_smtp_send_result_get_data_reply   (TernSmtpSendResult *result);

/* For the smtp layer. */
TernSmtpSendResult *tern_smtp_send_result_new              (void);
void                tern_smtp_send_result_add              (TernSmtpSendResult *result,
                                                            const char         *address,
                                                            TernSmtpReply      *reply);
void                tern_smtp_send_result_set_data_reply   (TernSmtpSendResult *result,
                                                            TernSmtpReply      *reply);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernSmtpSendResult, tern_smtp_send_result_unref)

G_END_DECLS
