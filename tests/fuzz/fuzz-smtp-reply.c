/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzzes the SMTP reply parser (untrusted server bytes) fed in pieces of
 * varying size, and the DATA encoder's output bound on the same bytes. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tern-smtp-data.h"
#include "tern-smtp-reply.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_reply (TernSmtpReply *reply)
{
  const char * const *lines = tern_smtp_reply_get_lines (reply);
  const char *enhanced = tern_smtp_reply_get_enhanced_code (reply);
  guint code = tern_smtp_reply_get_code (reply);
  char *shown;
  guint n = 0;

  if (code < 100 || code > 599)
    abort ();
  for (; lines[n] != NULL; n++)
    if (strchr (lines[n], '\n') != NULL)
      abort ();
  if (n == 0 || n > TERN_SMTP_REPLY_MAX_LINES)
    abort ();
  if (enhanced != NULL && (enhanced[0] - '0') != (int) (code / 100))
    abort ();
  shown = tern_smtp_reply_to_string (reply);
  g_free (shown);
  (void) tern_smtp_reply_get_text (reply);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  TernSmtpReplyParser *parser = tern_smtp_reply_parser_new ();
  TernSmtpDataEncoder encoder;
  gsize step = size > 0 ? (data[0] % 17) + 1 : 1;
  gsize pos = 0;
  guint8 *out;
  gsize out_len;

  /* Replies, fed in pieces of 1..17 bytes (or all at once for step 17). */
  if (step == 17)
    step = size > 0 ? size : 1;
  while (pos < size)
    {
      gsize piece = MIN (step, size - pos);
      TernSmtpReply *reply = NULL;
      GError *error = NULL;
      gssize n = tern_smtp_reply_parser_feed (parser, (const char *) data + pos, piece, &reply,
                                              &error);

      if (n < 0)
        {
          if (error == NULL)
            abort ();
          const uint8_t *nl = memchr (data + pos, '\n', size - pos);

          /* Go on after the failed line (the client drops the connection
           * instead); this keeps the target linear in the input size. */
          g_error_free (error);
          tern_smtp_reply_parser_reset (parser);
          if (nl == NULL)
            break;
          pos = nl - data + 1;
          continue;
        }
      if (error != NULL || (gsize) n > piece || (n == 0 && reply == NULL))
        abort ();
      if (reply != NULL)
        {
          check_reply (reply);
          tern_smtp_reply_unref (reply);
        }
      pos += n;
    }
  tern_smtp_reply_parser_free (parser);

  /* The DATA encoder never writes past its documented bound. */
  out = g_malloc (TERN_SMTP_DATA_ENCODED_MAX (size) + TERN_SMTP_DATA_FINISH_MAX);
  tern_smtp_data_encoder_init (&encoder);
  out_len = tern_smtp_data_encoder_encode (&encoder, data, size, out);
  if (out_len > TERN_SMTP_DATA_ENCODED_MAX (size))
    abort ();
  out_len += tern_smtp_data_encoder_finish (&encoder, out + out_len);
  if (out_len < 3 || memcmp (out + out_len - 3, ".\r\n", 3) != 0)
    abort ();
  g_free (out);

  return 0;
}
