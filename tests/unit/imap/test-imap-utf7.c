/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tern-imap-error.h"
#include "tern-imap-utf7.h"

static const struct {
  const char *utf8;
  const char *utf7;
} pairs[] = {
  { "INBOX", "INBOX" },
  { "", "" },
  { "Entwürfe", "Entw&APw-rfe" },
  { "Отправленные", "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-" },
  { "&", "&-" },
  { "Tom & Jerry", "Tom &- Jerry" },
  { "&-&", "&--&-" },
  { "~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
  { "\xf0\x9f\x98\x80 smile", "&2D3eAA- smile" }, /* U+1F600 as a surrogate pair */
  { "a\xc3\xa4\xc3\xb6\xc3\xbc", "a&AOQA9gD8-" },
  { "Ä", "&AMQ-" },
};

static void
test_round_trip (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *enc = tern_imap_utf7_encode (pairs[i].utf8, &error);
      g_autofree char *dec = NULL;

      g_assert_no_error (error);
      g_assert_cmpstr (enc, ==, pairs[i].utf7);
      dec = tern_imap_utf7_decode (pairs[i].utf7, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (dec, ==, pairs[i].utf8);
    }
}

static void
test_invalid (void)
{
  static const char *const bad[] = {
    "&",            /* unterminated */
    "&U,BTFw",      /* unterminated run */
    "&U,BTFw-&",    /* trailing & */
    "&*-",          /* bad base64 char */
    "&AGE-",        /* 'a' encoded: printable ASCII must be literal */
    "&2D0-",        /* lone high surrogate */
    "&3gA-",        /* lone low surrogate */
    "&2D3YPQ-",     /* high surrogate followed by another high */
    "&AOQ",         /* missing '-' */
    "&AOR-",        /* non-zero padding bits */
    "&AOQA-",       /* a partial 16-bit unit */
    "Entw\xc3\xbcrfe", /* raw 8-bit */
    "a\x01" "b",    /* control */
    "&AOQAAA-",     /* U+0000 encoded: control */
    "&AOQ-&APY-",   /* adjacent runs: not the canonical form */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *dec = tern_imap_utf7_decode (bad[i], &error);
      g_test_message ("%s", bad[i]);
      g_assert_null (dec);
      g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_PARSE);
    }
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *enc = tern_imap_utf7_encode ("bad \xff utf8", &error);
    g_assert_null (enc);
    g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_PARSE);
  }
}

static void
test_random_round_trip (void)
{
  /* random strings of mixed scripts always round-trip */
  static const gunichar pool[] = { 'a', 'Z', '&', '-', '/', ' ', '~', 0xe4, 0x416, 0x53f0,
                                   0x1f600, 0x10ffff, 0xfffd, 0x7f, 0x80 };
  for (int n = 0; n < 2000; n++)
    {
      g_autoptr(GString) s = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *enc = NULL;
      g_autofree char *dec = NULL;
      int len = g_test_rand_int_range (0, 12);

      for (int i = 0; i < len; i++)
        g_string_append_unichar (s, pool[g_test_rand_int_range (0, G_N_ELEMENTS (pool))]);
      enc = tern_imap_utf7_encode (s->str, &error);
      g_assert_no_error (error);
      for (const char *p = enc; *p; p++)
        g_assert_true (*p >= 0x20 && *p < 0x7f);
      dec = tern_imap_utf7_decode (enc, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (dec, ==, s->str);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/imap/utf7/round-trip", test_round_trip);
  g_test_add_func ("/imap/utf7/invalid", test_invalid);
  g_test_add_func ("/imap/utf7/random-round-trip", test_random_round_trip);
  return g_test_run ();
}
