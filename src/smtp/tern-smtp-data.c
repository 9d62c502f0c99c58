/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-smtp"

#include "tern-smtp-data.h"

void
tern_smtp_data_encoder_init (TernSmtpDataEncoder *encoder)
{
  encoder->at_line_start = TRUE;
  encoder->after_cr = FALSE;
  encoder->saw_8bit = FALSE;
  encoder->bytes_in = 0;
}

gsize
tern_smtp_data_encoder_encode (TernSmtpDataEncoder *encoder,
                               const guint8        *in,
                               gsize                len,
                               guint8              *out)
{
  gboolean at_line_start = encoder->at_line_start;
  gboolean after_cr = encoder->after_cr;
  guint8 high = 0;
  guint8 *o = out;

  for (gsize i = 0; i < len; i++)
    {
      guint8 c = in[i];

      if (after_cr)
        {
          after_cr = FALSE;
          *o++ = '\r';
          *o++ = '\n';
          at_line_start = TRUE;
          if (c == '\n')
            continue;
        }
      if (c == '\r')
        {
          after_cr = TRUE;
          continue;
        }
      if (c == '\n')
        {
          *o++ = '\r';
          *o++ = '\n';
          at_line_start = TRUE;
          continue;
        }
      if (at_line_start && c == '.')
        *o++ = '.';
      at_line_start = FALSE;
      high |= c;
      *o++ = c;
    }

  encoder->at_line_start = at_line_start;
  encoder->after_cr = after_cr;
  encoder->saw_8bit |= (high & 0x80) != 0;
  encoder->bytes_in += len;
  return o - out;
}

gsize
tern_smtp_data_encoder_finish (TernSmtpDataEncoder *encoder,
                               guint8              *out)
{
  guint8 *o = out;

  if (encoder->after_cr || !encoder->at_line_start)
    {
      *o++ = '\r';
      *o++ = '\n';
    }
  encoder->after_cr = FALSE;
  encoder->at_line_start = TRUE;
  *o++ = '.';
  *o++ = '\r';
  *o++ = '\n';
  return o - out;
}
