/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tern-coi-flowed.h"

static void
assert_lines_fit (const char *encoded, guint width)
{
  g_auto (GStrv) lines = g_strsplit (encoded, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      glong n = g_utf8_strlen (lines[i], -1);

      /* A line may only be longer if it holds a single unbreakable word. */
      if (n > (glong)width)
        {
          g_autofree char *body = g_strdup (lines[i]);
          char            *word = body;

          while (*word == '>' || *word == ' ')
            word++;
          g_strchomp (word);
          /* Never broken after "-- " (it would read as a signature). */
          if (g_str_has_prefix (word, "-- "))
            word += 3;
          if (strchr (word, ' ') != NULL)
            g_error ("line %u of width %u too long: '%s'", i, width, lines[i]);
        }
    }
}

static void
test_short (void)
{
  g_autofree char *enc = tern_coi_flowed_encode ("Hello world", -1, 0);
  g_autofree char *dec = tern_coi_flowed_decode (enc, -1, FALSE);

  g_assert_cmpstr (enc, ==, "Hello world\n");
  g_assert_cmpstr (dec, ==, "Hello world");
}

static void
test_wrap (void)
{
  const char      *para = "The quick brown fox jumps over the lazy dog and keeps on running "
                          "through the fields until the sun goes down behind the hills, "
                          "where it finally rests.";
  g_autofree char *enc = tern_coi_flowed_encode (para, -1, 0);
  g_autofree char *dec = tern_coi_flowed_decode (enc, -1, FALSE);
  g_auto (GStrv) lines = g_strsplit (enc, "\n", -1);
  guint n = g_strv_length (lines);

  /* Last element is the empty string after the final LF. */
  g_assert_cmpuint (n, >=, 3);
  g_assert_cmpstr (lines[n - 1], ==, "");
  for (guint i = 0; i + 2 < n; i++)
    {
      g_assert_true (g_str_has_suffix (lines[i], " "));
      g_assert_cmpuint (strlen (lines[i]), <=, TERN_COI_FLOWED_WIDTH);
      /* Greedy: the next word would not have fitted. */
      g_assert_cmpuint (strlen (lines[i]) + strcspn (lines[i + 1], " "), >, TERN_COI_FLOWED_WIDTH);
    }
  g_assert_false (g_str_has_suffix (lines[n - 2], " "));
  g_assert_cmpstr (dec, ==, para);
}

static void
test_narrow_width (void)
{
  g_autofree char *enc = tern_coi_flowed_encode ("aaa bbb ccc ddd", -1, 8);

  g_assert_cmpstr (enc, ==, "aaa bbb \nccc ddd\n");
}

static void
test_long_word (void)
{
  g_autofree char *url = g_strnfill (200, 'x');
  g_autofree char *text = g_strdup_printf ("see %s now", url);
  g_autofree char *enc = tern_coi_flowed_encode (text, -1, 0);
  g_autofree char *expected = g_strdup_printf ("see \n%s \nnow\n", url);
  g_autofree char *dec = tern_coi_flowed_decode (enc, -1, FALSE);

  g_assert_cmpstr (enc, ==, expected);
  g_assert_cmpstr (dec, ==, text);
}

static void
test_space_stuffing (void)
{
  g_autofree char *e1 = tern_coi_flowed_encode (" indented", -1, 0);
  g_autofree char *e2 = tern_coi_flowed_encode ("From me to you", -1, 0);
  g_autofree char *e3 = tern_coi_flowed_encode ("aaaa >bbb", -1, 6);
  g_autofree char *d1 = tern_coi_flowed_decode (e1, -1, FALSE);
  g_autofree char *d2 = tern_coi_flowed_decode (e2, -1, FALSE);
  g_autofree char *d3 = tern_coi_flowed_decode (e3, -1, FALSE);

  g_assert_cmpstr (e1, ==, "  indented\n");
  g_assert_cmpstr (e2, ==, " From me to you\n");
  g_assert_cmpstr (e3, ==, "aaaa \n >bbb\n");
  g_assert_cmpstr (d1, ==, " indented");
  g_assert_cmpstr (d2, ==, "From me to you");
  g_assert_cmpstr (d3, ==, "aaaa >bbb");
}

static void
test_trailing_spaces (void)
{
  g_autofree char *enc = tern_coi_flowed_encode ("one   \ntwo", -1, 0);
  g_autofree char *dec = tern_coi_flowed_decode (enc, -1, FALSE);

  g_assert_cmpstr (enc, ==, "one\ntwo\n");
  g_assert_cmpstr (dec, ==, "one\ntwo");
}

static void
test_signature (void)
{
  g_autofree char *enc = tern_coi_flowed_encode ("Hi\n-- \nAlice", -1, 0);
  g_autoptr (GPtrArray) lines = NULL;
  TernCoiFlowedLine *l;

  g_assert_cmpstr (enc, ==, "Hi\n-- \nAlice\n");
  lines = tern_coi_flowed_decode_lines (enc, -1, FALSE);
  g_assert_cmpuint (lines->len, ==, 3);
  l = g_ptr_array_index (lines, 1);
  g_assert_true (l->is_signature_separator);
  g_assert_cmpstr (l->text, ==, "-- ");
  l = g_ptr_array_index (lines, 0);
  g_assert_false (l->is_signature_separator);

  /* A "-- " that would start a wrapped line is not a break point. */
  {
    g_autofree char *e2 = tern_coi_flowed_encode ("-- abc", -1, 3);
    g_assert_cmpstr (e2, ==, "-- abc\n");
  }
}

static void
test_quotes (void)
{
  g_autofree char *enc = tern_coi_flowed_encode ("> > deep\n>shallow\nnew text", -1, 0);
  g_autofree char *dec = tern_coi_flowed_decode (enc, -1, FALSE);
  g_autoptr (GPtrArray) lines = tern_coi_flowed_decode_lines (enc, -1, FALSE);

  g_assert_cmpstr (enc, ==, ">> deep\n> shallow\nnew text\n");
  g_assert_cmpstr (dec, ==, ">> deep\n> shallow\nnew text");
  g_assert_cmpuint (lines->len, ==, 3);
  g_assert_cmpuint (((TernCoiFlowedLine *)lines->pdata[0])->quote_depth, ==, 2);
  g_assert_cmpuint (((TernCoiFlowedLine *)lines->pdata[1])->quote_depth, ==, 1);
  g_assert_cmpuint (((TernCoiFlowedLine *)lines->pdata[2])->quote_depth, ==, 0);
  g_assert_cmpstr (((TernCoiFlowedLine *)lines->pdata[0])->text, ==, "deep");
}

static void
test_quoted_wrap (void)
{
  g_autofree char *enc = tern_coi_flowed_encode ("> aaa bbb ccc", -1, 8);
  g_autofree char *dec = tern_coi_flowed_decode (enc, -1, FALSE);

  g_assert_cmpstr (enc, ==, "> aaa \n> bbb \n> ccc\n");
  g_assert_cmpstr (dec, ==, "> aaa bbb ccc");
}

static void
test_decode_depth_change (void)
{
  /* RFC 3676 4.5: a flowed line followed by another depth is fixed. */
  g_autofree char *dec = tern_coi_flowed_decode ("> quoted \r\nnew \r\ntext\r\n", -1, FALSE);

  g_assert_cmpstr (dec, ==, "> quoted \nnew text");
}

static void
test_decode_delsp (void)
{
  g_autofree char *yes = tern_coi_flowed_decode ("Lorem ip \r\nsum\r\n", -1, TRUE);
  g_autofree char *no = tern_coi_flowed_decode ("Lorem ip \r\nsum\r\n", -1, FALSE);

  g_assert_cmpstr (yes, ==, "Lorem ipsum");
  g_assert_cmpstr (no, ==, "Lorem ip sum");
}

static void
test_decode_unterminated (void)
{
  /* The message ends on a flowed line: nothing is lost. */
  g_autofree char *dec = tern_coi_flowed_decode ("a \nb ", -1, FALSE);

  g_assert_cmpstr (dec, ==, "a b ");
}

static void
test_utf8_width (void)
{
  /* 30 two-byte words of 2 characters: width counts characters. */
  GString         *s = g_string_new (NULL);
  g_autofree char *enc = NULL;
  g_autofree char *dec = NULL;
  g_auto (GStrv) lines = NULL;

  for (int i = 0; i < 40; i++)
    g_string_append (s, i == 0 ? "äö" : " äö");
  enc = tern_coi_flowed_encode (s->str, -1, 20);
  lines = g_strsplit (enc, "\n", -1);
  g_assert_cmpint (g_utf8_strlen (lines[0], -1), ==, 18);
  dec = tern_coi_flowed_decode (enc, -1, FALSE);
  g_assert_cmpstr (dec, ==, s->str);
  g_string_free (s, TRUE);
}

static void
test_random_roundtrip (void)
{
  static const char *words[] = { "a",
                                 "bb",
                                 "ccc",
                                 "From",
                                 ">",
                                 "--",
                                 "äöü",
                                 "x\xe2\x9c\x8f\xef\xb8\x8f",
                                 "loooooooooooooooooooooooooooooooooong",
                                 "." };
  g_autoptr (GRand) rand = g_rand_new_with_seed (3676);

  for (int iter = 0; iter < 2000; iter++)
    {
      GString         *t = g_string_new (NULL);
      guint            width = g_rand_int_range (rand, 10, 90);
      int              n_paras = g_rand_int_range (rand, 1, 5);
      g_autofree char *enc = NULL;
      g_autofree char *dec = NULL;

      for (int p = 0; p < n_paras; p++)
        {
          int n_words = g_rand_int_range (rand, 0, 40);

          if (p > 0)
            g_string_append_c (t, '\n');
          for (int w = 0; w < n_words; w++)
            {
              const char *word = words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))];
              /* Keep every paragraph unquoted and without trailing space. */
              if (w == 0 && word[0] == '>')
                word = "q";
              if (w > 0)
                g_string_append_len (t, "   ", g_rand_int_range (rand, 1, 4));
              g_string_append (t, word);
            }
        }

      enc = tern_coi_flowed_encode (t->str, t->len, width);
      assert_lines_fit (enc, width);
      dec = tern_coi_flowed_decode (enc, -1, FALSE);
      g_assert_cmpstr (dec, ==, t->str);
      g_string_free (t, TRUE);
    }
}

/* Untrusted bytes: never a crash, the output never longer than the input
 * plus the quote marks it writes back. */
static void
test_decode_garbage (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  static const char alphabet[] = "> \r\n-a\xe2\x9c\x8f\xff\x80";

  for (int iter = 0; iter < 5000; iter++)
    {
      gsize            len = g_rand_int_range (rand, 0, 300);
      g_autofree char *buf = g_malloc (len + 1);
      g_autofree char *dec = NULL;
      g_autoptr (GPtrArray) lines = NULL;
      gsize total = 0;

      for (gsize i = 0; i < len; i++)
        buf[i] = iter % 2 ? (char)g_rand_int_range (rand, 1, 256)
                          : alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];
      buf[len] = '\0';
      dec = tern_coi_flowed_decode (buf, len, iter % 3 == 0);
      lines = tern_coi_flowed_decode_lines (buf, len, FALSE);
      for (guint i = 0; i < lines->len; i++)
        total += strlen (((TernCoiFlowedLine *)lines->pdata[i])->text);
      g_assert_cmpuint (total, <=, len);
      g_assert_cmpuint (strlen (dec), <=, 2 * len + 1);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/coi/flowed/short", test_short);
  g_test_add_func ("/coi/flowed/wrap", test_wrap);
  g_test_add_func ("/coi/flowed/narrow-width", test_narrow_width);
  g_test_add_func ("/coi/flowed/long-word", test_long_word);
  g_test_add_func ("/coi/flowed/space-stuffing", test_space_stuffing);
  g_test_add_func ("/coi/flowed/trailing-spaces", test_trailing_spaces);
  g_test_add_func ("/coi/flowed/signature", test_signature);
  g_test_add_func ("/coi/flowed/quotes", test_quotes);
  g_test_add_func ("/coi/flowed/quoted-wrap", test_quoted_wrap);
  g_test_add_func ("/coi/flowed/decode-depth-change", test_decode_depth_change);
  g_test_add_func ("/coi/flowed/decode-delsp", test_decode_delsp);
  g_test_add_func ("/coi/flowed/decode-unterminated", test_decode_unterminated);
  g_test_add_func ("/coi/flowed/utf8-width", test_utf8_width);
  g_test_add_func ("/coi/flowed/random-roundtrip", test_random_roundtrip);
  g_test_add_func ("/coi/flowed/decode-garbage", test_decode_garbage);
  return g_test_run ();
}
