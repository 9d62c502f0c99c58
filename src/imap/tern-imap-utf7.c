/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-imap"

#include <string.h>

#include "tern-imap-error.h"
#include "tern-imap-utf7.h"

/* Modified BASE64 of RFC 3501 5.1.3: ',' instead of '/', no padding. */
static const char b64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int
b64_value (guint8 c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == ',')
    return 63;
  return -1;
}

static char *
fail (GError    **error,
      const char *text,
      const char *why)
{
  g_set_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_PARSE,
               "Invalid modified UTF-7 mailbox name \"%.60s\": %s", text, why);
  return NULL;
}

char *
tern_imap_utf7_decode (const char *text,
                       GError    **error)
{
  g_autoptr(GString) out = NULL;
  const guint8 *p = (const guint8 *) text;
  const guint8 *run_end = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  out = g_string_sized_new (strlen (text) + 8);
  while (*p)
    {
      gboolean after_run = p > (const guint8 *) text + 1 && p[-1] == '-' && run_end == p;
      guint32 bits = 0;
      guint n_bits = 0;
      gunichar high = 0;
      gboolean any = FALSE;

      if (*p >= 0x80)
        return fail (error, text, "8-bit byte");
      if (*p != '&')
        {
          if (*p < 0x20 || *p == 0x7f)
            return fail (error, text, "control character");
          g_string_append_c (out, (char) *p++);
          continue;
        }
      p++;
      if (*p == '-')
        {
          g_string_append_c (out, '&');
          p++;
          continue;
        }
      if (after_run)
        return fail (error, text, "adjacent base64 runs");
      /* base64 run up to '-' */
      for (;;)
        {
          int v;
          if (*p == '-')
            {
              p++;
              run_end = p;
              break;
            }
          v = b64_value (*p);
          if (v < 0)
            return fail (error, text, "unterminated or bad base64");
          p++;
          bits = (bits << 6) | (guint32) v;
          n_bits += 6;
          if (n_bits >= 16)
            {
              gunichar u = (bits >> (n_bits - 16)) & 0xffff;
              n_bits -= 16;
              bits &= (1u << n_bits) - 1;
              any = TRUE;
              if (high != 0)
                {
                  if (u < 0xdc00 || u > 0xdfff)
                    return fail (error, text, "unpaired surrogate");
                  u = 0x10000 + ((high - 0xd800) << 10) + (u - 0xdc00);
                  high = 0;
                }
              else if (u >= 0xd800 && u <= 0xdbff)
                {
                  high = u;
                  continue;
                }
              else if (u >= 0xdc00 && u <= 0xdfff)
                return fail (error, text, "unpaired surrogate");
              else if (u >= 0x20 && u <= 0x7e)
                return fail (error, text, "printable ASCII must not be encoded");
              else if (u < 0x20)
                return fail (error, text, "control character");
              g_string_append_unichar (out, u);
            }
        }
      if (!any || high != 0 || n_bits >= 6 || bits != 0)
        return fail (error, text, "bad base64 run");
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
flush_run (GString       *out,
           const guint16 *units,
           gsize          n)
{
  guint32 bits = 0;
  guint n_bits = 0;

  g_string_append_c (out, '&');
  for (gsize i = 0; i < n; i++)
    {
      bits = (bits << 16) | units[i];
      n_bits += 16;
      while (n_bits >= 6)
        {
          g_string_append_c (out, b64_chars[(bits >> (n_bits - 6)) & 0x3f]);
          n_bits -= 6;
        }
      bits &= (1u << n_bits) - 1;
    }
  if (n_bits > 0)
    g_string_append_c (out, b64_chars[(bits << (6 - n_bits)) & 0x3f]);
  g_string_append_c (out, '-');
}

char *
tern_imap_utf7_encode (const char *text,
                       GError    **error)
{
  g_autoptr(GString) out = NULL;
  g_autoptr(GArray) run = NULL;
  const char *p = text;

  g_return_val_if_fail (text != NULL, NULL);
  if (!g_utf8_validate (text, -1, NULL))
    return fail (error, "(not UTF-8)", "input is not valid UTF-8");
  out = g_string_sized_new (strlen (text) + 8);
  run = g_array_new (FALSE, FALSE, sizeof (guint16));
  while (*p)
    {
      gunichar c = g_utf8_get_char (p);
      p = g_utf8_next_char (p);
      if (c >= 0x20 && c <= 0x7e)
        {
          if (run->len > 0)
            {
              flush_run (out, (const guint16 *) run->data, run->len);
              g_array_set_size (run, 0);
            }
          if (c == '&')
            g_string_append (out, "&-");
          else
            g_string_append_c (out, (char) c);
          continue;
        }
      if (c >= 0x10000)
        {
          guint16 hi = 0xd800 + ((c - 0x10000) >> 10);
          guint16 lo = 0xdc00 + ((c - 0x10000) & 0x3ff);
          g_array_append_val (run, hi);
          g_array_append_val (run, lo);
        }
      else
        {
          guint16 u = (guint16) c;
          g_array_append_val (run, u);
        }
    }
  if (run->len > 0)
    flush_run (out, (const guint16 *) run->data, run->len);
  return g_string_free (g_steal_pointer (&out), FALSE);
}
