/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Display text: charsets, format=flowed through a part, HTML to text, and
 * the split into new text, quote and signature. */
#include "config.h"

#include <string.h>

#include <gmime/gmime.h>

#include "tern-coi-flowed.h"
#include "tern-coi-microformats.h"
#include "tern-coi-text.h"

static void
split (const char *text, char **n, char **q, char **s)
{
  tern_coi_text_split (text, n, q, s);
}

static void
test_split_plain (void)
{
  g_autofree char *n = NULL, *q = NULL, *s = NULL;

  split ("just text\nsecond line", &n, &q, &s);
  g_assert_cmpstr (n, ==, "just text\nsecond line");
  g_assert_null (q);
  g_assert_null (s);
}

static void
test_split_bottom_post (void)
{
  g_autofree char *n = NULL, *q = NULL, *s = NULL;

  split ("On Mon, 4 Dec 2019 at 15:51, Bob <bob@example.com> wrote:\n> hello\n> there\n\n"
         "my answer\n\n-- \nAlice\nexample.com",
         &n, &q, &s);
  g_assert_cmpstr (n, ==, "my answer");
  g_assert_cmpstr (q, ==, "On Mon, 4 Dec 2019 at 15:51, Bob <bob@example.com> wrote:\n> hello\n> there");
  g_assert_cmpstr (s, ==, "Alice\nexample.com");
}

static void
test_split_wrapped_attribution (void)
{
  g_autofree char *n = NULL, *q = NULL, *s = NULL;

  /* Gmail wraps long attribution lines. */
  split ("Sounds good.\n\nOn Mon, Dec 4, 2019 at 3:51 PM Robert Longname <\nrobert@example.com> wrote:\n\n> old",
         &n, &q, &s);
  g_assert_cmpstr (n, ==, "Sounds good.");
  g_assert_cmpstr (q, ==, "On Mon, Dec 4, 2019 at 3:51 PM Robert Longname <\nrobert@example.com> wrote:\n\n> old");
}

static void
test_split_translations (void)
{
  const char *cases[] = {
    "Am 04.12.2019 um 15:51 schrieb Bob:",
    "Le 4 déc. 2019 à 15:51, Bob a écrit :",
    "El 4 dic 2019, a las 15:51, Bob escribió:",
    "Den 4 dec. 2019 skrev Bob:",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strconcat ("Ja!\n", cases[i], "\n> alt", NULL);
      g_autofree char *n = NULL, *q = NULL, *s = NULL;
      split (text, &n, &q, &s);
      g_assert_cmpstr (n, ==, "Ja!");
      g_assert_true (g_str_has_prefix (q, cases[i]));
    }
}

static void
test_split_attribution_needs_quote (void)
{
  g_autofree char *n = NULL, *q = NULL, *s = NULL;

  /* A sentence ending in "wrote:" without a quote after it is text. */
  split ("This is what I wrote:\nthe plan is fine", &n, &q, &s);
  g_assert_cmpstr (n, ==, "This is what I wrote:\nthe plan is fine");
  g_assert_null (q);
}

static void
test_split_outlook (void)
{
  g_autofree char *n = NULL, *q = NULL, *s = NULL;

  split ("Yes.\n\n-----Original Message-----\nFrom: Bob\nSent: Monday\n\nold text", &n, &q, &s);
  g_assert_cmpstr (n, ==, "Yes.");
  g_assert_true (g_str_has_prefix (q, "-----Original Message-----"));
  g_assert_true (g_str_has_suffix (q, "old text"));

  g_clear_pointer (&n, g_free);
  g_clear_pointer (&q, g_free);
  split ("Ok\nFrom: Bob <bob@example.com>\nSent: Monday, 4 December 2019\nTo: Alice\n\nold", &n, &q, &s);
  g_assert_cmpstr (n, ==, "Ok");
  g_assert_true (g_str_has_prefix (q, "From: Bob"));
}

static void
test_split_forward_is_content (void)
{
  g_autofree char *n = NULL, *q = NULL, *s = NULL;

  split ("FYI\n---------- Forwarded message ---------\nFrom: Carol\nDate: Mon\n\nthe news", &n, &q, &s);
  g_assert_null (q);
  g_assert_true (g_str_has_suffix (n, "the news"));
}

static void
test_split_interleaved (void)
{
  g_autofree char *n = NULL, *q = NULL, *s = NULL;

  split ("> question one\nanswer one\n> question two\nanswer two", &n, &q, &s);
  g_assert_cmpstr (n, ==, "answer one\nanswer two");
  g_assert_cmpstr (q, ==, "> question one\n> question two");
}

static void
test_split_signature_variants (void)
{
  g_autofree char *n = NULL, *q = NULL, *s = NULL;

  /* "--" without the space (stripped by some clients) near the end */
  split ("text\n--\nBob", &n, &q, &s);
  g_assert_cmpstr (n, ==, "text");
  g_assert_cmpstr (s, ==, "Bob");
  g_clear_pointer (&n, g_free);
  g_clear_pointer (&s, g_free);

  /* "---" is a rule, not a signature */
  split ("a\n---\nb", &n, &q, &s);
  g_assert_cmpstr (n, ==, "a\n---\nb");
  g_assert_null (s);
  g_clear_pointer (&n, g_free);

  /* Mailing-list footer */
  split ("post\n\n___________________\nlist mailing list\nlist@example.org", &n, &q, &s);
  g_assert_cmpstr (n, ==, "post");
  g_assert_cmpstr (s, ==, "list mailing list\nlist@example.org");
}

static void
test_split_blank_runs (void)
{
  g_autofree char *n = NULL, *q = NULL, *s = NULL;

  split ("\n\n  \na\n\n\n\nb\n\n", &n, &q, &s);
  g_assert_cmpstr (n, ==, "a\n\nb");
}

static char *
html_text (const char *html)
{
  htmlDocPtr doc = tern_coi_html_parse (html, strlen (html));
  char *text = tern_coi_text_from_html (doc);

  if (doc)
    xmlFreeDoc (doc);
  return text;
}

static void
test_html_blocks (void)
{
  g_autofree char *t = html_text ("<html><head><title>T</title><style>p{}</style></head><body>"
                                  "<p>Hello   <b>bold</b>\nworld</p><p>second</p>"
                                  "line<br>break<br><br>after<ul><li>one</li><li>two</li></ul>"
                                  "<script>evil()</script><div style=\"DISPLAY : none\">hidden</div>"
                                  "<span hidden>also hidden</span><img alt=\"[pic]\" src=\"cid:x\">"
                                  "&amp; &lt;tag&gt; &eacute;</body></html>");

  g_assert_cmpstr (t, ==, "Hello bold world\n\nsecond\n\nline\nbreak\n\nafter\n- one\n- two\n[pic]& <tag> \xc3\xa9");
}

static void
test_html_blockquote (void)
{
  g_autofree char *t = html_text ("<p>new</p><div>On Monday Bob wrote:</div>"
                                  "<blockquote type=\"cite\"><p>old one</p><p>old two</p>"
                                  "<blockquote>older</blockquote></blockquote>");
  g_autofree char *n = NULL, *q = NULL, *s = NULL;

  g_assert_cmpstr (t, ==, "new\n\nOn Monday Bob wrote:\n> old one\n>\n> old two\n>> older");
  split (t, &n, &q, &s);
  g_assert_cmpstr (n, ==, "new");
  g_assert_true (g_str_has_prefix (q, "On Monday Bob wrote:"));
}

static void
test_html_pre (void)
{
  g_autofree char *t = html_text ("<pre>a  b\n  c</pre><p>x</p>");

  g_assert_cmpstr (t, ==, "a  b\n  c\n\nx");
}

static void
test_html_junk (void)
{
  g_autofree char *a = html_text ("<<<>>>&&&;<p<p<p>");
  g_autofree char *b = html_text ("\xff\xfe<b>\xc3</b>");
  g_autofree char *c = tern_coi_text_from_html (NULL);

  g_assert_true (g_utf8_validate (a, -1, NULL));
  g_assert_true (g_utf8_validate (b, -1, NULL));
  g_assert_cmpstr (c, ==, "");
}

static void
test_to_utf8 (void)
{
  TernCoiTextFlags flags = 0;
  g_autofree char *latin = tern_coi_text_to_utf8 ("Gr\xfc\xdf" "e", 5, "ISO-8859-1", &flags);
  g_autofree char *cp = NULL;
  g_autofree char *unknown = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *none = NULL;

  g_assert_cmpstr (latin, ==, "Gr\xc3\xbc\xc3\x9f" "e");
  g_assert_cmpint (flags, ==, 0);

  cp = tern_coi_text_to_utf8 ("\x80 5", 3, "windows-1252", &flags);
  g_assert_cmpstr (cp, ==, "\xe2\x82\xac 5");

  unknown = tern_coi_text_to_utf8 ("abc", 3, "x-klingon", &flags);
  g_assert_cmpstr (unknown, ==, "abc");
  g_assert_true (flags & TERN_COI_TEXT_BAD_CHARSET);

  flags = 0;
  bad = tern_coi_text_to_utf8 ("a\xc3(b", 4, "utf-8", &flags);
  g_assert_true (g_utf8_validate (bad, -1, NULL));
  g_assert_true (flags & TERN_COI_TEXT_BAD_CHARSET);
  g_assert_true (g_str_has_prefix (bad, "a") && g_str_has_suffix (bad, "(b"));

  /* Undeclared 8-bit: windows-1252 */
  flags = 0;
  none = tern_coi_text_to_utf8 ("caf\xe9", 4, NULL, &flags);
  g_assert_cmpstr (none, ==, "caf\xc3\xa9");
}

static GMimePart *
make_part (const char *content_type, const char *body, GMimeContentEncoding encoding)
{
  GMimePart *part = g_mime_part_new ();
  GMimeContentType *ct = g_mime_content_type_parse (NULL, content_type);
  GMimeStream *stream = g_mime_stream_mem_new_with_buffer (body, strlen (body));
  GMimeDataWrapper *wrapper = g_mime_data_wrapper_new_with_stream (stream, encoding);

  g_mime_object_set_content_type (GMIME_OBJECT (part), ct);
  g_mime_part_set_content (part, wrapper);
  g_object_unref (wrapper);
  g_object_unref (stream);
  g_object_unref (ct);
  return part;
}

static void
test_part_flowed (void)
{
  GMimePart *part = make_part ("text/plain; charset=utf-8; format=flowed",
                               "one two \r\nthree\r\n> quoted \r\n> more\r\n -- \r\n", GMIME_CONTENT_ENCODING_8BIT);
  TernCoiTextFlags flags = 0;
  g_autofree char *text = tern_coi_text_part_get_text (part, 0, TRUE, &flags);

  g_assert_cmpstr (text, ==, "one two three\n> quoted more\n-- ");
  g_assert_cmpint (flags, ==, 0);
  g_object_unref (part);
}

static void
test_part_flowed_delsp (void)
{
  GMimePart *part = make_part ("text/plain; charset=utf-8; format=flowed; delsp=yes",
                               "long\xe5\x8d\x95 \r\nword\r\n", GMIME_CONTENT_ENCODING_8BIT);
  g_autofree char *text = tern_coi_text_part_get_text (part, 0, TRUE, NULL);

  g_assert_cmpstr (text, ==, "long\xe5\x8d\x95word");
  g_object_unref (part);
}

static void
test_part_qp_base64 (void)
{
  GMimePart *qp = make_part ("text/plain; charset=iso-8859-1", "Gr=FC=DFe=\r\n aus=20\r\n",
                             GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
  GMimePart *b64 = make_part ("text/plain; charset=koi8-r", "8NLJ18XU\r\n", GMIME_CONTENT_ENCODING_BASE64);
  g_autofree char *a = tern_coi_text_part_get_text (qp, 0, TRUE, NULL);
  g_autofree char *b = tern_coi_text_part_get_text (b64, 0, TRUE, NULL);

  g_assert_cmpstr (a, ==, "Gr\xc3\xbc\xc3\x9f" "e aus \n");
  g_assert_cmpstr (b, ==, "Привет");
  g_object_unref (qp);
  g_object_unref (b64);
}

static void
test_part_limit (void)
{
  GString *big = g_string_new (NULL);
  GMimePart *part;
  TernCoiTextFlags flags = 0;
  g_autofree char *text = NULL;

  for (int i = 0; i < 100000; i++)
    g_string_append (big, "\xc3\xa9");
  part = make_part ("text/plain; charset=utf-8", big->str, GMIME_CONTENT_ENCODING_8BIT);
  text = tern_coi_text_part_get_text (part, 1001, FALSE, &flags);
  g_assert_true (flags & TERN_COI_TEXT_TRUNCATED);
  g_assert_cmpuint (strlen (text), <=, 1003);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_object_unref (part);
  g_string_free (big, TRUE);
}

/* The parser's one-pass flowed decoder gives exactly what the builder's
 * reference decoder gives, on crafted and on random input. */
static void
test_flowed_matches_reference (void)
{
  const char *cases[] = {
    "", "a", "a\n", "a \nb", "a \r\nb\r\n", "> q \n> r\nx", ">> a \n> b", " stuffed\n",
    "-- \nsig", "a \n-- \nb", "a \n\nb", "> a \nb", "x \n", " \n \n", ">\n>>\n", "\r\n\r\n",
  };
  const char alphabet[] = "ab >-\r\n";
  GRand *rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (int delsp = 0; delsp < 2; delsp++)
      {
        g_autofree char *ref = tern_coi_flowed_decode (cases[i], -1, delsp);
        g_autofree char *fast = tern_coi_text_flowed_decode (cases[i], strlen (cases[i]), delsp);
        g_assert_cmpstr (fast, ==, ref);
      }
  for (guint round = 0; round < 20000; round++)
    {
      char buf[40];
      guint len = g_rand_int_range (rand, 0, sizeof buf);
      gboolean delsp = g_rand_boolean (rand);
      g_autofree char *ref = NULL;
      g_autofree char *fast = NULL;

      for (guint k = 0; k < len; k++)
        buf[k] = alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];
      ref = tern_coi_flowed_decode (buf, len, delsp);
      fast = tern_coi_text_flowed_decode (buf, len, delsp);
      g_assert_cmpstr (fast, ==, ref);
    }
  g_rand_free (rand);
}

/* The inline UTF-8 check agrees with g_utf8_validate_len () on random
 * bytes biased towards UTF-8 lead and continuation bytes. */
static void
test_utf8_check_matches_glib (void)
{
  const guchar pool[] = { 'a', ' ', 0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xa0,
                          0xed, 0x9f, 0xef, 0xf0, 0x90, 0xf4, 0x8f, 0xf5, 0xff };
  GRand *rand = g_rand_new_with_seed (11);

  for (guint round = 0; round < 50000; round++)
    {
      guchar buf[24];
      guint len = g_rand_int_range (rand, 0, sizeof buf);
      TernCoiTextFlags flags = 0;
      g_autofree char *out = NULL;
      gboolean valid;

      for (guint k = 0; k < len; k++)
        buf[k] = g_rand_int_range (rand, 0, 3) == 0 ? 'x' : pool[g_rand_int_range (rand, 0, sizeof pool)];
      valid = g_utf8_validate_len ((const char *) buf, len, NULL);
      out = tern_coi_text_to_utf8 ((const char *) buf, len, "utf-8", &flags);
      g_assert_cmpint (!(flags & TERN_COI_TEXT_BAD_CHARSET), ==, valid);
      g_assert_true (g_utf8_validate (out, -1, NULL));
      if (valid)
        g_assert_cmpmem (out, strlen (out), buf, len);
    }
  g_rand_free (rand);
}

/* Text with nothing to fold comes out of the fast path exactly as the full
 * split gives it (checked by adding a quote line, which forces the latter). */
static void
test_split_fast_matches_full (void)
{
  const char *words[] = { "hello", "friend", "don't", "From", "Dear", "via", "-x", "_y", "a:b",
                          "\t", "", " ", "\xc3\xa9", "end." };
  GRand *rand = g_rand_new_with_seed (5);

  for (guint round = 0; round < 5000; round++)
    {
      GString *text = g_string_new (NULL);
      guint n = g_rand_int_range (rand, 0, 30);
      g_autofree char *fast = NULL, *q1 = NULL, *s1 = NULL;
      g_autofree char *full = NULL, *q2 = NULL, *s2 = NULL;
      g_autofree char *forced = NULL;

      for (guint k = 0; k < n; k++)
        {
          const char *w = words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))];
          g_string_append (text, w);
          g_string_append (text, g_rand_int_range (rand, 0, 3) == 0 ? "\n" : " ");
        }
      forced = g_strconcat (text->str, "\n> quoted", NULL);
      tern_coi_text_split (text->str, &fast, &q1, &s1);
      tern_coi_text_split (forced, &full, &q2, &s2);
      if (q1 == NULL && s1 == NULL)
        g_assert_cmpstr (fast, ==, full);
      g_string_free (text, TRUE);
    }
  g_rand_free (rand);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_mime_init ();

  g_test_add_func ("/coi/text/split/plain", test_split_plain);
  g_test_add_func ("/coi/text/split/bottom-post", test_split_bottom_post);
  g_test_add_func ("/coi/text/split/wrapped-attribution", test_split_wrapped_attribution);
  g_test_add_func ("/coi/text/split/translations", test_split_translations);
  g_test_add_func ("/coi/text/split/attribution-needs-quote", test_split_attribution_needs_quote);
  g_test_add_func ("/coi/text/split/outlook", test_split_outlook);
  g_test_add_func ("/coi/text/split/forward-is-content", test_split_forward_is_content);
  g_test_add_func ("/coi/text/split/interleaved", test_split_interleaved);
  g_test_add_func ("/coi/text/split/signature-variants", test_split_signature_variants);
  g_test_add_func ("/coi/text/split/blank-runs", test_split_blank_runs);
  g_test_add_func ("/coi/text/html/blocks", test_html_blocks);
  g_test_add_func ("/coi/text/html/blockquote", test_html_blockquote);
  g_test_add_func ("/coi/text/html/pre", test_html_pre);
  g_test_add_func ("/coi/text/html/junk", test_html_junk);
  g_test_add_func ("/coi/text/charset", test_to_utf8);
  g_test_add_func ("/coi/text/flowed-matches-reference", test_flowed_matches_reference);
  g_test_add_func ("/coi/text/utf8-check-matches-glib", test_utf8_check_matches_glib);
  g_test_add_func ("/coi/text/split/fast-matches-full", test_split_fast_matches_full);
  g_test_add_func ("/coi/text/part/flowed", test_part_flowed);
  g_test_add_func ("/coi/text/part/flowed-delsp", test_part_flowed_delsp);
  g_test_add_func ("/coi/text/part/qp-base64", test_part_qp_base64);
  g_test_add_func ("/coi/text/part/limit", test_part_limit);

  return g_test_run ();
}
