/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Limits of the reply parser. RFC 5321 allows 512-byte reply lines; real
 * servers send longer ones, so the parser tolerates up to 64 KiB per line,
 * 1,000 lines and 1 MiB per reply, and fails beyond that. */
#define TERN_SMTP_REPLY_MAX_LINE   (64 * 1024)
#define TERN_SMTP_REPLY_MAX_LINES  1000
#define TERN_SMTP_REPLY_MAX_BYTES  (1024 * 1024)

/**
 * TernSmtpReply:
 *
 * One complete server reply: a three-digit code, the optional enhanced
 * status code (RFC 3463, e.g. "5.1.1", taken from the first line when its
 * class matches the code's) and the text of every line (without the code,
 * the separator and the line end). Immutable, reference counted.
 */
typedef struct _TernSmtpReply TernSmtpReply;

#define TERN_SMTP_TYPE_REPLY (tern_smtp_reply_get_type ())
GType                tern_smtp_reply_get_type          (void) G_GNUC_CONST;

TernSmtpReply       *tern_smtp_reply_ref               (TernSmtpReply *reply);
void                 tern_smtp_reply_unref             (TernSmtpReply *reply);
guint                tern_smtp_reply_get_code          (const TernSmtpReply *reply);
const char          *tern_smtp_reply_get_enhanced_code (const TernSmtpReply *reply);
/* The text of each line, NULL-terminated (never NULL itself). */
const char * const  *tern_smtp_reply_get_lines         (const TernSmtpReply *reply);
/* The lines joined with "\n". */
const char          *tern_smtp_reply_get_text          (const TernSmtpReply *reply);
/* "550 5.1.1 text" for logs and error messages (first line only). */
char                *tern_smtp_reply_to_string         (const TernSmtpReply *reply);
/* 2xx and 3xx. */
gboolean             tern_smtp_reply_is_positive       (const TernSmtpReply *reply);
/* 4xx. */
gboolean             tern_smtp_reply_is_transient      (const TernSmtpReply *reply);
/* 5xx. */
gboolean             tern_smtp_reply_is_permanent      (const TernSmtpReply *reply);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernSmtpReply, tern_smtp_reply_unref)

/**
 * TernSmtpReplyParser:
 *
 * An incremental parser: feed it the bytes as they arrive, in pieces of any
 * size (one byte at a time included); it returns each reply as soon as its
 * last line is complete and leaves the bytes after it unconsumed, so
 * pipelined replies come out one by one. Accepts CRLF and bare LF.
 */
typedef struct _TernSmtpReplyParser TernSmtpReplyParser;

TernSmtpReplyParser *tern_smtp_reply_parser_new        (void);
void                 tern_smtp_reply_parser_free       (TernSmtpReplyParser *parser);
/* Forgets a partial reply and any earlier error. */
void                 tern_smtp_reply_parser_reset      (TernSmtpReplyParser *parser);
/* Consumes bytes from @data until a reply is complete (then sets *@reply and
 * stops right after it) or @len is used up (*@reply stays NULL). Returns the
 * number of bytes consumed, or -1 with a TERN_SMTP_ERROR_PROTOCOL error on a
 * malformed or oversized reply (reset the parser before feeding it again). */
gssize               tern_smtp_reply_parser_feed       (TernSmtpReplyParser  *parser,
                                                        const char           *data,
                                                        gsize                 len,
                                                        TernSmtpReply       **reply,
                                                        GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernSmtpReplyParser, tern_smtp_reply_parser_free)

G_END_DECLS
