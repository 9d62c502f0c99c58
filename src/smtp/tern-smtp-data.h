/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * TernSmtpDataEncoder:
 * @at_line_start: the next byte begins a line
 * @after_cr: the last byte was a CR whose line end is not written yet
 * @saw_8bit: a byte ≥ 0x80 went through
 * @bytes_in: bytes encoded so far
 *
 * The DATA stream writer of RFC 5321: turns a message of any line endings
 * (CRLF, bare LF, bare CR) into CRLF lines, doubles a dot that begins a line
 * and ends with "CRLF.CRLF". It works chunk by chunk over a stream, with
 * state across chunk borders, so a message is never held whole.
 */
typedef struct
{
  gboolean at_line_start;
  gboolean after_cr;
  gboolean saw_8bit;
  guint64  bytes_in;
} TernSmtpDataEncoder;

/* Room @out needs for encoding @len input bytes. */
#define TERN_SMTP_DATA_ENCODED_MAX(len) (2 * (len) + 2)
/* Room @out needs for tern_smtp_data_encoder_finish(). */
#define TERN_SMTP_DATA_FINISH_MAX 5

void  tern_smtp_data_encoder_init   (TernSmtpDataEncoder *encoder);
/* Encodes @len bytes of @in into @out (room for TERN_SMTP_DATA_ENCODED_MAX
 * (@len) bytes); returns the number of bytes written. */
gsize tern_smtp_data_encoder_encode (TernSmtpDataEncoder *encoder,
                                     const guint8        *in,
                                     gsize                len,
                                     guint8              *out);
/* Writes the end of the data: the last line's CRLF when it has none, then
 * ".\r\n". Returns the number of bytes written (at most 5). */
gsize tern_smtp_data_encoder_finish (TernSmtpDataEncoder *encoder,
                                     guint8              *out);

G_END_DECLS
