/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "imap-test-common.h"

static const char *const transcripts[] = {
  "greeting.txt", "capability.txt", "login.txt", "list.txt", "namespace.txt",
  "enable.txt", "append.txt", "select.txt", "fetch.txt", "fetch-sections.txt",
  "search.txt", "esearch.txt", "metadata.txt", "copy.txt", "status.txt",
  "expunge.txt", "qresync.txt", "idle.txt", "logout.txt", "synthetic.txt",
};

static gboolean
value_equal (const TernImapValue *a,
             const TernImapValue *b)
{
  gsize la, lb;
  const char *ta, *tb;

  if (a == NULL || b == NULL)
    return a == b;
  if (tern_imap_value_get_value_type (a) != tern_imap_value_get_value_type (b)
      || tern_imap_value_is_literal (a) != tern_imap_value_is_literal (b)
      || tern_imap_value_get_number (a) != tern_imap_value_get_number (b)
      || tern_imap_value_get_n_children (a) != tern_imap_value_get_n_children (b))
    return FALSE;
  ta = tern_imap_value_get_text (a, &la);
  tb = tern_imap_value_get_text (b, &lb);
  if ((ta == NULL) != (tb == NULL) || la != lb || (ta && memcmp (ta, tb, la) != 0))
    return FALSE;
  for (guint i = 0; i < tern_imap_value_get_n_children (a); i++)
    if (!value_equal (tern_imap_value_get_child (a, i), tern_imap_value_get_child (b, i)))
      return FALSE;
  return TRUE;
}

static void
assert_responses_equal (GPtrArray *a,
                        GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      TernImapResponse *x = a->pdata[i], *y = b->pdata[i];
      g_autofree char *sx = tern_imap_response_to_string (x);
      g_autofree char *sy = tern_imap_response_to_string (y);
      g_assert_cmpstr (sx, ==, sy);
      g_assert_cmpint (tern_imap_response_get_kind (x), ==, tern_imap_response_get_kind (y));
      g_assert_cmpstr (tern_imap_response_get_text (x), ==, tern_imap_response_get_text (y));
      g_assert_true (value_equal (tern_imap_response_get_data (x), tern_imap_response_get_data (y)));
      g_assert_true (value_equal (tern_imap_response_get_code_args (x),
                                  tern_imap_response_get_code_args (y)));
    }
}

static GPtrArray *
parse_two_way (const guint8 *data,
               gsize         len,
               gsize         split)
{
  g_autoptr(TernImapParser) parser = tern_imap_parser_new (NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_imap_response_unref);
  g_autoptr(GError) error = NULL;
  TernImapResponse *r;

  tern_imap_parser_feed (parser, data, split, &error);
  g_assert_no_error (error);
  while ((r = tern_imap_parser_pop (parser)) != NULL)
    g_ptr_array_add (out, r);
  tern_imap_parser_feed (parser, data + split, len - split, &error);
  g_assert_no_error (error);
  while ((r = tern_imap_parser_pop (parser)) != NULL)
    g_ptr_array_add (out, r);
  g_assert_false (tern_imap_parser_is_mid_response (parser));
  return out;
}

static void
test_transcript_splits (void)
{
  for (gsize t = 0; t < G_N_ELEMENTS (transcripts); t++)
    {
      g_autoptr(GBytes) bytes = load_transcript (transcripts[t]);
      gsize len;
      const guint8 *data = g_bytes_get_data (bytes, &len);
      g_autoptr(GPtrArray) whole = NULL;
      g_autoptr(GPtrArray) bytewise = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("transcript %s (%" G_GSIZE_FORMAT " bytes)", transcripts[t], len);
      whole = parse_chunked (data, len, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (whole->len, >, 0);

      bytewise = parse_chunked (data, len, 1, &error);
      g_assert_no_error (error);
      assert_responses_equal (whole, bytewise);

      for (gsize split = 0; split <= len; split++)
        {
          g_autoptr(GPtrArray) two = parse_two_way (data, len, split);
          assert_responses_equal (whole, two);
        }
    }
}

/* Parses @data whole and in three random pieces; both must agree on the
 * responses (as strings) and on whether the stream is rejected. */
static void
check_split_agrees (const guint8 *data,
                    gsize         len)
{
  TernImapParserLimits lim = { .max_line = 2048, .max_literal = 2048, .max_depth = 12,
                               .max_response = 8192, .max_elements = 500 };
  gsize cut1 = len ? (gsize) g_test_rand_int_range (0, (gint32) len + 1) : 0;
  gsize cut2 = cut1 + (len > cut1 ? (gsize) g_test_rand_int_range (0, (gint32) (len - cut1) + 1)
                                  : 0);
  gsize cuts[4] = { 0, cut1, cut2, len };
  g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) b = g_ptr_array_new_with_free_func (g_free);
  gboolean ok_a, ok_b = TRUE;
  TernImapResponse *r;

  {
    g_autoptr(TernImapParser) p = tern_imap_parser_new (&lim);
    ok_a = tern_imap_parser_feed (p, data, len, NULL);
    while ((r = tern_imap_parser_pop (p)) != NULL)
      {
        g_ptr_array_add (a, tern_imap_response_to_string (r));
        tern_imap_response_unref (r);
      }
  }
  {
    g_autoptr(TernImapParser) p = tern_imap_parser_new (&lim);
    for (int i = 0; i < 3 && ok_b; i++)
      ok_b = tern_imap_parser_feed (p, data + cuts[i], cuts[i + 1] - cuts[i], NULL);
    while ((r = tern_imap_parser_pop (p)) != NULL)
      {
        g_ptr_array_add (b, tern_imap_response_to_string (r));
        tern_imap_response_unref (r);
      }
  }
  g_assert_cmpint (ok_a, ==, ok_b);
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpstr (a->pdata[i], ==, b->pdata[i]);
}

static void
test_random_mutations (void)
{
  static const guint8 alphabet[] = "(){}[]\"\\ \r\n*+~0123456789NILabc";

  for (gsize t = 0; t < G_N_ELEMENTS (transcripts); t++)
    {
      g_autoptr(GBytes) bytes = load_transcript (transcripts[t]);
      gsize len;
      const guint8 *orig = g_bytes_get_data (bytes, &len);

      for (int round = 0; round < 200; round++)
        {
          g_autofree guint8 *data = g_memdup2 (orig, len);
          int n = g_test_rand_int_range (1, 6);
          for (int k = 0; k < n && len > 0; k++)
            data[g_test_rand_int_range (0, (gint32) len)] =
              alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)];
          check_split_agrees (data, len);
        }
    }
}

static void
test_tagged (void)
{
  g_autoptr(TernImapResponse) r = parse_one ("A1 OK [READ-WRITE] SELECT completed\r\n");
  g_autoptr(TernImapResponse) r2 = parse_one ("a2 no Mailbox doesn't exist\r\n");
  g_autoptr(TernImapResponse) r3 = parse_one ("x BAD\r\n");

  g_assert_cmpint (tern_imap_response_get_kind (r), ==, TERN_IMAP_RESPONSE_TAGGED);
  g_assert_cmpstr (tern_imap_response_get_tag (r), ==, "A1");
  g_assert_cmpint (tern_imap_response_get_status (r), ==, TERN_IMAP_STATUS_OK);
  g_assert_cmpint (tern_imap_response_get_code (r), ==, TERN_IMAP_CODE_READ_WRITE);
  g_assert_cmpstr (tern_imap_response_get_code_name (r), ==, "READ-WRITE");
  g_assert_cmpuint (tern_imap_value_get_n_children (tern_imap_response_get_code_args (r)), ==, 0);
  g_assert_cmpstr (tern_imap_response_get_text (r), ==, "SELECT completed");
  g_assert_null (tern_imap_response_get_name (r));
  g_assert_null (tern_imap_response_get_data (r));

  g_assert_cmpint (tern_imap_response_get_status (r2), ==, TERN_IMAP_STATUS_NO);
  g_assert_cmpint (tern_imap_response_get_code (r2), ==, TERN_IMAP_CODE_NONE);
  g_assert_null (tern_imap_response_get_code_name (r2));
  g_assert_cmpstr (tern_imap_response_get_text (r2), ==, "Mailbox doesn't exist");

  g_assert_cmpint (tern_imap_response_get_status (r3), ==, TERN_IMAP_STATUS_BAD);
  g_assert_cmpstr (tern_imap_response_get_text (r3), ==, "");
}

static void
test_untagged_status (void)
{
  g_autoptr(TernImapResponse) r = parse_one ("* OK [UIDVALIDITY 3857529045] UIDs valid\r\n");
  g_autoptr(TernImapResponse) bye = parse_one ("* BYE Autologout; idle for too long\r\n");
  g_autoptr(TernImapResponse) pre = parse_one ("* PREAUTH [CAPABILITY IMAP4rev1 idle] hi\r\n");
  g_auto(GStrv) caps = NULL;
  guint64 n = 0;

  g_assert_cmpint (tern_imap_response_get_kind (r), ==, TERN_IMAP_RESPONSE_UNTAGGED);
  g_assert_null (tern_imap_response_get_tag (r));
  g_assert_cmpint (tern_imap_response_get_code (r), ==, TERN_IMAP_CODE_UIDVALIDITY);
  g_assert_true (tern_imap_response_get_code_number (r, &n));
  g_assert_cmpuint (n, ==, 3857529045u);
  g_assert_false (tern_imap_response_get_number (r, &n));

  g_assert_cmpint (tern_imap_response_get_status (bye), ==, TERN_IMAP_STATUS_BYE);
  g_assert_cmpstr (tern_imap_response_get_text (bye), ==, "Autologout; idle for too long");

  g_assert_cmpint (tern_imap_response_get_status (pre), ==, TERN_IMAP_STATUS_PREAUTH);
  caps = tern_imap_response_dup_code_capabilities (pre);
  g_assert_nonnull (caps);
  g_assert_cmpstr (caps[0], ==, "IMAP4REV1");
  g_assert_cmpstr (caps[1], ==, "IDLE");
  g_assert_null (caps[2]);
}

static void
test_continuation (void)
{
  g_autoptr(TernImapResponse) a = parse_one ("+ idling\r\n");
  g_autoptr(TernImapResponse) b = parse_one ("+\r\n");
  g_autoptr(TernImapResponse) c = parse_one ("+ dGVzdA==\r\n");
  g_autoptr(TernImapResponse) d = parse_one ("+ \r\n");

  g_assert_cmpint (tern_imap_response_get_kind (a), ==, TERN_IMAP_RESPONSE_CONTINUATION);
  g_assert_cmpstr (tern_imap_response_get_text (a), ==, "idling");
  g_assert_cmpint (tern_imap_response_get_status (a), ==, TERN_IMAP_STATUS_NONE);
  g_assert_cmpstr (tern_imap_response_get_text (b), ==, "");
  g_assert_cmpstr (tern_imap_response_get_text (c), ==, "dGVzdA==");
  g_assert_cmpstr (tern_imap_response_get_text (d), ==, "");
}

static void
test_numbered (void)
{
  g_autoptr(TernImapResponse) r = parse_one ("* 23 EXISTS\r\n");
  g_autoptr(TernImapResponse) e = parse_one ("* 4 expunge\r\n");
  guint64 n = 0;

  g_assert_true (tern_imap_response_get_number (r, &n));
  g_assert_cmpuint (n, ==, 23);
  g_assert_cmpstr (tern_imap_response_get_name (r), ==, "EXISTS");
  g_assert_cmpint (tern_imap_response_get_status (r), ==, TERN_IMAP_STATUS_NONE);
  g_assert_cmpuint (tern_imap_value_get_n_children (tern_imap_response_get_data (r)), ==, 0);
  g_assert_true (tern_imap_response_is_data (e, "EXPUNGE"));
  g_assert_true (tern_imap_response_get_number (e, &n));
  g_assert_cmpuint (n, ==, 4);
}

static void
test_codes (void)
{
  g_autoptr(TernImapResponse) pf =
    parse_one ("* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n");
  g_autoptr(TernImapResponse) ref = parse_one ("A2 NO [REFERRAL imap://u;AUTH=*@h/] go away\r\n");
  g_autoptr(TernImapResponse) bad = parse_one ("A3 NO [X-WEIRD \"open (] text]\r\n");
  g_autoptr(TernImapResponse) tc = parse_one ("A4 NO [TRYCREATE] no such mailbox\r\n");
  g_autoptr(TernImapResponse) al = parse_one ("* OK [ALERT] System shutdown in 10 minutes\r\n");
  g_autoptr(TernImapResponse) lc = parse_one ("A5 NO [authenticationfailed] Bad\r\n");
  g_auto(GStrv) flags = tern_imap_response_dup_code_flags (pf);
  const TernImapValue *args;

  g_assert_nonnull (flags);
  g_assert_cmpuint (g_strv_length (flags), ==, 3);
  g_assert_cmpstr (flags[2], ==, "\\*");
  g_assert_null (tern_imap_response_dup_code_capabilities (pf));

  g_assert_cmpint (tern_imap_response_get_code (ref), ==, TERN_IMAP_CODE_OTHER);
  g_assert_cmpstr (tern_imap_response_get_code_name (ref), ==, "REFERRAL");
  args = tern_imap_response_get_code_args (ref);
  g_assert_cmpuint (tern_imap_value_get_n_children (args), ==, 1);
  g_assert_cmpstr (tern_imap_value_get_text (tern_imap_value_get_child (args, 0), NULL), ==,
                   "imap://u;AUTH=*@h/");
  g_assert_cmpstr (tern_imap_response_get_text (ref), ==, "go away");

  /* unparsable arguments are kept raw, up to the last ']' */
  args = tern_imap_response_get_code_args (bad);
  g_assert_cmpstr (tern_imap_response_get_code_name (bad), ==, "X-WEIRD");
  g_assert_cmpuint (tern_imap_value_get_n_children (args), ==, 1);
  g_assert_cmpstr (tern_imap_value_get_text (tern_imap_value_get_child (args, 0), NULL), ==,
                   "\"open (] text");
  g_assert_cmpstr (tern_imap_response_get_text (bad), ==, "");

  g_assert_cmpint (tern_imap_response_get_code (tc), ==, TERN_IMAP_CODE_TRYCREATE);
  g_assert_cmpint (tern_imap_response_get_code (al), ==, TERN_IMAP_CODE_ALERT);
  g_assert_cmpstr (tern_imap_response_get_text (al), ==, "System shutdown in 10 minutes");
  g_assert_cmpint (tern_imap_response_get_code (lc), ==, TERN_IMAP_CODE_AUTHENTICATIONFAILED);
}

static void
test_literal_forms (void)
{
  static const char text[] =
    "* 12 FETCH (BODY[] {5}\r\nhello BINARY[1] ~{3}\r\nb\0c UID 9 X {0}\r\n Y {4+}\r\n"
    "a\r\nb)\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(TernImapResponse) r = tern_imap_response_parse (text, sizeof text - 1, &error);
  const TernImapValue *items, *v;
  g_autoptr(GBytes) b1 = NULL;
  g_autoptr(GBytes) b2 = NULL;
  gsize len;

  g_assert_no_error (error);
  items = tern_imap_value_get_child (tern_imap_response_get_data (r), 0);
  g_assert_cmpuint (tern_imap_value_get_n_children (items), ==, 10);
  g_assert_cmpstr (tern_imap_value_get_text (tern_imap_value_get_child (items, 0), NULL), ==,
                   "BODY[]");
  v = tern_imap_value_get_child (items, 1);
  g_assert_cmpint (tern_imap_value_get_value_type (v), ==, TERN_IMAP_VALUE_STRING);
  g_assert_true (tern_imap_value_is_literal (v));
  g_assert_cmpstr (tern_imap_value_get_text (v, &len), ==, "hello");
  g_assert_cmpuint (len, ==, 5);
  /* literal bytes are shared, not copied, on every access */
  b1 = tern_imap_value_get_bytes (v);
  b2 = tern_imap_value_get_bytes (v);
  g_assert_true (g_bytes_get_data (b1, NULL) == g_bytes_get_data (b2, NULL));

  v = tern_imap_value_get_child (items, 3);
  tern_imap_value_get_text (v, &len);
  g_assert_cmpuint (len, ==, 3);
  g_assert_cmpmem (tern_imap_value_get_text (v, NULL), 3, "b\0c", 3);
  g_assert_cmpuint (tern_imap_value_get_number (tern_imap_value_get_child (items, 5)), ==, 9);
  v = tern_imap_value_get_child (items, 7);
  g_assert_true (tern_imap_value_is_literal (v));
  g_assert_cmpstr (tern_imap_value_get_text (v, &len), ==, "");
  g_assert_cmpuint (len, ==, 0);
  v = tern_imap_value_get_child (items, 9);
  g_assert_cmpmem (tern_imap_value_get_text (v, NULL), 4, "a\r\nb", 4);
}

static void
test_nil (void)
{
  g_autoptr(TernImapResponse) r =
    parse_one ("* 1 FETCH (ENVELOPE (NIL nil NIL NIL NIL NIL NIL NIL NIL NIL) X NIL Y (NIL) Z "
               "NILS)\r\n");
  const TernImapValue *items = tern_imap_value_get_child (tern_imap_response_get_data (r), 0);
  const TernImapValue *env = tern_imap_value_get_child (items, 1);

  for (guint i = 0; i < 10; i++)
    g_assert_true (tern_imap_value_is_nil (tern_imap_value_get_child (env, i)));
  g_assert_true (tern_imap_value_is_nil (tern_imap_value_get_child (items, 3)));
  g_assert_null (tern_imap_value_get_text (tern_imap_value_get_child (items, 3), NULL));
  g_assert_true (tern_imap_value_is_nil (
    tern_imap_value_get_child (tern_imap_value_get_child (items, 5), 0)));
  g_assert_cmpint (tern_imap_value_get_value_type (tern_imap_value_get_child (items, 7)), ==,
                   TERN_IMAP_VALUE_ATOM);
  /* a quoted "NIL" is a string, not NIL */
  {
    g_autoptr(TernImapResponse) q = parse_one ("* X \"NIL\"\r\n");
    g_assert_cmpint (tern_imap_value_get_value_type (
                       tern_imap_value_get_child (tern_imap_response_get_data (q), 0)),
                     ==, TERN_IMAP_VALUE_STRING);
  }
}

static void
test_nested (void)
{
  g_autoptr(TernImapResponse) r = parse_one ("* X ((a (b (c))) () \"d\")e\r\n");
  const TernImapValue *data = tern_imap_response_get_data (r);
  const TernImapValue *outer = tern_imap_value_get_child (data, 0);
  const TernImapValue *c;
  g_autofree char *s = tern_imap_value_to_string (data);

  g_assert_cmpuint (tern_imap_value_get_n_children (data), ==, 2);
  g_assert_cmpuint (tern_imap_value_get_n_children (outer), ==, 3);
  c = tern_imap_value_get_child (
    tern_imap_value_get_child (tern_imap_value_get_child (tern_imap_value_get_child (outer, 0), 1),
                               1),
    0);
  g_assert_cmpstr (tern_imap_value_get_text (c, NULL), ==, "c");
  g_assert_cmpuint (tern_imap_value_get_n_children (tern_imap_value_get_child (outer, 1)), ==, 0);
  g_assert_cmpint (tern_imap_value_get_value_type (tern_imap_value_get_child (outer, 1)), ==,
                   TERN_IMAP_VALUE_LIST);
  g_assert_cmpstr (s, ==, "(((a (b (c))) () \"d\") e)");
}

static void
expect_error (const TernImapParserLimits *limits,
              const char                 *text,
              gsize                       len,
              int                         code)
{
  g_autoptr(TernImapParser) parser = tern_imap_parser_new (limits);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again = NULL;

  g_assert_false (tern_imap_parser_feed (parser, (const guint8 *) text, len, &error));
  g_assert_error (error, TERN_IMAP_ERROR, code);
  g_test_message ("%s", error->message);
  /* poisoned */
  g_assert_false (tern_imap_parser_feed (parser, (const guint8 *) "* 1 EXISTS\r\n", 12, &again));
  g_assert_error (again, TERN_IMAP_ERROR, code);
  g_assert_cmpstr (again->message, ==, error->message);
}

static void
test_depth_limit (void)
{
  TernImapParserLimits lim = { .max_depth = 8 };
  g_autoptr(GString) ok = g_string_new ("* X ");
  g_autoptr(GString) deep = g_string_new ("* X ");
  g_autoptr(GString) huge = g_string_new ("* X ");
  g_autoptr(TernImapResponse) r = NULL;

  for (int i = 0; i < 64; i++)
    g_string_append_c (ok, '(');
  for (int i = 0; i < 64; i++)
    g_string_append_c (ok, ')');
  g_string_append (ok, "\r\n");
  r = parse_one (ok->str);
  g_assert_nonnull (r);

  for (int i = 0; i < 65; i++)
    g_string_append_c (deep, '(');
  for (int i = 0; i < 65; i++)
    g_string_append_c (deep, ')');
  g_string_append (deep, "\r\n");
  expect_error (NULL, deep->str, deep->len, TERN_IMAP_ERROR_LIMIT);

  expect_error (&lim, "* X (((((((((a)))))))))\r\n", 25, TERN_IMAP_ERROR_LIMIT);

  /* far deeper than any stack could take recursively */
  for (int i = 0; i < 500000; i++)
    g_string_append_c (huge, '(');
  g_string_append (huge, "\r\n");
  expect_error (NULL, huge->str, huge->len, TERN_IMAP_ERROR_LIMIT);
}

static void
test_literal_limit (void)
{
  TernImapParserLimits lim = { .max_literal = 10 };
  g_autoptr(TernImapParser) parser = tern_imap_parser_new (&lim);
  g_autoptr(GError) error = NULL;
  const char *ok = "* 1 FETCH (BODY[] {10}\r\n0123456789)\r\n";

  g_assert_true (tern_imap_parser_feed (parser, (const guint8 *) ok, strlen (ok), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tern_imap_parser_get_n_pending (parser), ==, 1);

  /* refused as soon as the marker is seen, before any body byte */
  expect_error (&lim, "* 1 FETCH (BODY[] {11}\r\n", 24, TERN_IMAP_ERROR_LIMIT);
  expect_error (NULL, "* 1 FETCH (BODY[] {99999999999999999999999}\r\n", 46,
                TERN_IMAP_ERROR_LIMIT);
  expect_error (NULL, "* 1 FETCH (BODY[] {67108865}\r\n", 30, TERN_IMAP_ERROR_LIMIT);
}

static void
test_line_limit (void)
{
  TernImapParserLimits lim = { .max_line = 100 };
  g_autoptr(GString) line = g_string_new ("* SEARCH");
  g_autoptr(TernImapParser) parser = tern_imap_parser_new (&lim);
  g_autoptr(GError) error = NULL;

  while (line->len < 100)
    g_string_append (line, " 1");
  g_assert_cmpuint (line->len, ==, 100);
  g_string_append (line, "\r\n");
  g_assert_true (tern_imap_parser_feed (parser, (const guint8 *) line->str, line->len, &error));
  g_assert_no_error (error);

  g_string_insert (line, 8, " 7");
  expect_error (&lim, line->str, line->len, TERN_IMAP_ERROR_LIMIT);
  /* a line without end never grows past the limit either */
  {
    g_autoptr(TernImapParser) p2 = tern_imap_parser_new (&lim);
    gboolean ok = TRUE;
    for (int i = 0; i < 1000 && ok; i++)
      ok = tern_imap_parser_feed (p2, (const guint8 *) "xxxxxxxxxx", 10, &error);
    g_assert_false (ok);
    g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_LIMIT);
  }
}

static void
test_response_limit (void)
{
  TernImapParserLimits lim = { .max_response = 100, .max_literal = 1000 };

  expect_error (&lim, "* 1 FETCH (BODY[] {80}\r\n", 24, TERN_IMAP_ERROR_LIMIT);
}

static void
test_elements_limit (void)
{
  TernImapParserLimits lim = { .max_elements = 10 };
  g_autoptr(TernImapResponse) ok = NULL;

  expect_error (&lim, "* SEARCH 1 2 3 4 5 6 7 8 9 10 11\r\n", 34, TERN_IMAP_ERROR_LIMIT);
  ok = parse_one ("* SEARCH 1 2 3 4 5 6 7 8 9 10 11\r\n");
  g_assert_cmpuint (tern_imap_value_get_n_children (tern_imap_response_get_data (ok)), ==, 11);
}

static void
test_garbage (void)
{
  static const char *const bad[] = {
    "\r\n",
    "*\r\n",
    "*X\r\n",
    "* \r\n",
    "A1\r\n",
    "A1 FOO bar\r\n",
    "A1 OKAY\r\n",
    "* X (a\r\n",
    "* X a)\r\n",
    "* X \"unterminated\r\n",
    "* X {5}x\r\n",
    "* X {5\r\n",
    "* 1 FETCH (BODY[1 {3}\r\nabc)\r\n",
    "* X a\rb\r\n",
    "* OK [\r\n",
    "* OK [] x\r\n",
    "* OK [ALERT\r\n",
    "A(1 OK x\r\n",
    "* 99999999999999999999999 EXISTS\r\n",
    "* 1\r\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_test_message ("garbage %" G_GSIZE_FORMAT ": %s", i, bad[i]);
      expect_error (NULL, bad[i], strlen (bad[i]), TERN_IMAP_ERROR_PARSE);
    }
  /* the error names the position and the text */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(TernImapResponse) r = tern_imap_response_parse ("* X (a\r\n", 8, &error);
    g_assert_null (r);
    g_assert_nonnull (strstr (error->message, "offset"));
    g_assert_nonnull (strstr (error->message, "* X (a"));
  }
}

static void
test_bye_mid_stream (void)
{
  static const char text[] = "* 1 FETCH (UID 5 FLAGS (\\Seen))\r\n"
                             "* BYE Server shutting down\r\n"
                             "* 2 FETCH (UID 6 BODY[] {3}\r\nabc)\r\n"
                             "A7 OK done\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = parse_chunked ((const guint8 *) text, sizeof text - 1, 7, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 4);
  g_assert_true (tern_imap_response_is_data (all->pdata[0], "FETCH"));
  g_assert_cmpint (tern_imap_response_get_status (all->pdata[1]), ==, TERN_IMAP_STATUS_BYE);
  g_assert_cmpstr (tern_imap_response_get_text (all->pdata[1]), ==, "Server shutting down");
  g_assert_true (tern_imap_response_is_data (all->pdata[2], "FETCH"));
  g_assert_cmpstr (tern_imap_response_get_tag (all->pdata[3]), ==, "A7");
}

static void
test_line_ends (void)
{
  /* A bare LF ends a line like CRLF (documented tolerance); a CR before the
   * LF is dropped; a CR elsewhere in a quoted string or text is data; a
   * stray CR between tokens is an error. */
  static const char lf[] = "* 3 EXISTS\n* 1 FETCH (BODY[] {2}\nab)\nA1 OK fine\n+ go\n";
  static const char crlf[] =
    "* 3 EXISTS\r\n* 1 FETCH (BODY[] {2}\r\nab)\r\nA1 OK fine\r\n+ go\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) a = parse_chunked ((const guint8 *) lf, sizeof lf - 1, 1, &error);
  g_autoptr(GPtrArray) b = parse_chunked ((const guint8 *) crlf, sizeof crlf - 1, 1, &error);
  g_autoptr(TernImapResponse) q = parse_one ("* X \"a\rb\" c\r\n");
  g_autoptr(TernImapResponse) t = parse_one ("A1 OK a\rb\r\n");

  g_assert_no_error (error);
  g_assert_cmpuint (a->len, ==, 4);
  assert_responses_equal (a, b);
  g_assert_cmpstr (tern_imap_response_get_text (a->pdata[2]), ==, "fine");
  g_assert_cmpstr (tern_imap_value_get_text (
                     tern_imap_value_get_child (tern_imap_response_get_data (q), 0), NULL),
                   ==, "a\rb");
  g_assert_cmpstr (tern_imap_response_get_text (t), ==, "a\rb");
}

static void
test_quoted (void)
{
  g_autoptr(TernImapResponse) r =
    parse_one ("* X \"\" \"a\\\"b\\\\c\" \"Gr\xc3\xbc\xc3\x9f" "e\" \"\\\\\" \"(not a list)\"\r\n");
  const TernImapValue *d = tern_imap_response_get_data (r);
  gsize len = 99;

  g_assert_cmpuint (tern_imap_value_get_n_children (d), ==, 5);
  g_assert_cmpstr (tern_imap_value_get_text (tern_imap_value_get_child (d, 0), &len), ==, "");
  g_assert_cmpuint (len, ==, 0);
  g_assert_cmpint (tern_imap_value_get_value_type (tern_imap_value_get_child (d, 0)), ==,
                   TERN_IMAP_VALUE_STRING);
  g_assert_cmpstr (tern_imap_value_get_text (tern_imap_value_get_child (d, 1), NULL), ==,
                   "a\"b\\c");
  g_assert_cmpstr (tern_imap_value_get_text (tern_imap_value_get_child (d, 2), NULL), ==,
                   "Grüße");
  g_assert_cmpstr (tern_imap_value_get_text (tern_imap_value_get_child (d, 3), NULL), ==, "\\");
  g_assert_cmpstr (tern_imap_value_get_text (tern_imap_value_get_child (d, 4), NULL), ==,
                   "(not a list)");
  g_assert_false (tern_imap_value_is_literal (tern_imap_value_get_child (d, 1)));
}

static void
test_8bit (void)
{
  g_autoptr(TernImapResponse) a = parse_one ("A1 NO [CANNOT] Postfach \xc3\xbc" "berf\xc3\xbcllt\r\n");
  g_autoptr(TernImapResponse) b = parse_one ("* LIST () \"/\" \"Entw\xc3\xbcrfe\"\r\n");
  g_autoptr(TernImapResponse) c = parse_one ("* X \xff\xfe atom\xe2\x82\xac\r\n");

  g_assert_cmpstr (tern_imap_response_get_text (a), ==, "Postfach überfüllt");
  g_assert_cmpint (tern_imap_response_get_code (a), ==, TERN_IMAP_CODE_CANNOT);
  g_assert_cmpstr (tern_imap_value_get_text (
                     tern_imap_value_get_child (tern_imap_response_get_data (b), 2), NULL),
                   ==, "Entwürfe");
  g_assert_cmpuint (tern_imap_value_get_n_children (tern_imap_response_get_data (c)), ==, 2);
}

static void
test_status_text_marker (void)
{
  /* {5} ending a status line's text is text, not a literal */
  static const char text[] = "* OK see {5}\r\nA1 NO oops {2}\r\n+ {3}\r\n* 1 EXISTS\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = parse_chunked ((const guint8 *) text, sizeof text - 1, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 4);
  g_assert_cmpstr (tern_imap_response_get_text (all->pdata[0]), ==, "see {5}");
  g_assert_cmpstr (tern_imap_response_get_text (all->pdata[1]), ==, "oops {2}");
  g_assert_cmpstr (tern_imap_response_get_text (all->pdata[2]), ==, "{3}");
  g_assert_true (tern_imap_response_is_data (all->pdata[3], "EXISTS"));
}

static void
test_numbers (void)
{
  g_autoptr(TernImapResponse) r =
    parse_one ("* X 0 18446744073709551615 18446744073709551616 007 1:5 12a\r\n");
  const TernImapValue *d = tern_imap_response_get_data (r);

  g_assert_cmpint (tern_imap_value_get_value_type (tern_imap_value_get_child (d, 0)), ==,
                   TERN_IMAP_VALUE_NUMBER);
  g_assert_cmpuint (tern_imap_value_get_number (tern_imap_value_get_child (d, 1)), ==,
                    G_MAXUINT64);
  g_assert_cmpint (tern_imap_value_get_value_type (tern_imap_value_get_child (d, 2)), ==,
                   TERN_IMAP_VALUE_ATOM);
  g_assert_cmpuint (tern_imap_value_get_number (tern_imap_value_get_child (d, 3)), ==, 7);
  g_assert_cmpstr (tern_imap_value_get_text (tern_imap_value_get_child (d, 3), NULL), ==, "007");
  g_assert_cmpint (tern_imap_value_get_value_type (tern_imap_value_get_child (d, 4)), ==,
                   TERN_IMAP_VALUE_ATOM);
  g_assert_cmpint (tern_imap_value_get_value_type (tern_imap_value_get_child (d, 5)), ==,
                   TERN_IMAP_VALUE_ATOM);
}

static void
test_section_atom (void)
{
  g_autoptr(TernImapResponse) r =
    parse_one ("* 1 FETCH (BODY[HEADER.FIELDS (FROM TO)]<0> \"x\" BODY[1.2] NIL)\r\n");
  const TernImapValue *items = tern_imap_value_get_child (tern_imap_response_get_data (r), 0);

  g_assert_cmpuint (tern_imap_value_get_n_children (items), ==, 4);
  g_assert_cmpstr (tern_imap_value_get_text (tern_imap_value_get_child (items, 0), NULL), ==,
                   "BODY[HEADER.FIELDS (FROM TO)]<0>");
  g_assert_cmpstr (tern_imap_value_get_text (tern_imap_value_get_child (items, 2), NULL), ==,
                   "BODY[1.2]");
}

static void
test_pending (void)
{
  g_autoptr(TernImapParser) parser = tern_imap_parser_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TernImapResponse) a = NULL;
  g_autoptr(TernImapResponse) b = NULL;
  TernImapParserLimits lim;

  tern_imap_parser_get_limits (parser, &lim);
  g_assert_cmpuint (lim.max_line, ==, 1 << 20);
  g_assert_cmpuint (lim.max_literal, ==, 64 << 20);
  g_assert_cmpuint (lim.max_depth, ==, 64);
  g_assert_cmpuint (lim.max_response, ==, 128 << 20);
  g_assert_cmpuint (lim.max_elements, ==, 1000000);

  g_assert_null (tern_imap_parser_pop (parser));
  g_assert_true (tern_imap_parser_feed (parser, (const guint8 *) "* 1 EXISTS\r\n* 2 EX", 18,
                                        &error));
  g_assert_cmpuint (tern_imap_parser_get_n_pending (parser), ==, 1);
  g_assert_true (tern_imap_parser_is_mid_response (parser));
  g_assert_true (tern_imap_parser_feed (parser, (const guint8 *) "ISTS\r", 5, &error));
  g_assert_cmpuint (tern_imap_parser_get_n_pending (parser), ==, 1);
  g_assert_true (tern_imap_parser_feed (parser, (const guint8 *) "\n", 1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tern_imap_parser_get_n_pending (parser), ==, 2);
  g_assert_false (tern_imap_parser_is_mid_response (parser));
  a = tern_imap_parser_pop (parser);
  b = tern_imap_parser_pop (parser);
  g_assert_null (tern_imap_parser_pop (parser));
  {
    guint64 n = 0;
    tern_imap_response_get_number (a, &n);
    g_assert_cmpuint (n, ==, 1);
    tern_imap_response_get_number (b, &n);
    g_assert_cmpuint (n, ==, 2);
  }
  /* responses completed before an error can still be popped */
  g_assert_true (tern_imap_parser_feed (parser, (const guint8 *) "* 3 EXISTS\r\n* (\r\n", 17,
                                        &error) == FALSE);
  g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_PARSE);
  g_clear_pointer (&a, tern_imap_response_unref);
  a = tern_imap_parser_pop (parser);
  g_assert_nonnull (a);
  g_assert_true (tern_imap_response_is_data (a, "EXISTS"));
}

static void
test_response_outlives_parser (void)
{
  TernImapResponse *r;
  g_autoptr(GBytes) body = NULL;
  TernImapParser *parser = tern_imap_parser_new (NULL);
  const char *text = "* 1 FETCH (BODY[] {4}\r\nbody)\r\n";

  g_assert_true (tern_imap_parser_feed (parser, (const guint8 *) text, strlen (text), NULL));
  r = tern_imap_parser_pop (parser);
  tern_imap_parser_free (parser);
  body = tern_imap_value_get_bytes (tern_imap_value_get_child (
    tern_imap_value_get_child (tern_imap_response_get_data (r), 0), 1));
  tern_imap_response_unref (r);
  /* the literal outlives the response too */
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "body", 4);
}

static void
test_long_line_linear (void)
{
  /* 250,000 bracketed atoms and as many small lists on 1 MiB lines: would
   * take minutes if any scan were quadratic */
  g_autoptr(GString) a = g_string_new ("* X");
  g_autoptr(GString) b = g_string_new ("* X");
  g_autoptr(TernImapResponse) ra = NULL;
  g_autoptr(TernImapResponse) rb = NULL;
  gint64 start = g_get_monotonic_time ();

  while (a->len < (1 << 20) - 8)
    g_string_append (a, " a[]");
  g_string_append (a, "\r\n");
  while (b->len < (1 << 20) - 8)
    g_string_append (b, " ()");
  g_string_append (b, "\r\n");
  ra = parse_one (a->str);
  rb = parse_one (b->str);
  g_assert_cmpuint (tern_imap_value_get_n_children (tern_imap_response_get_data (ra)), >, 260000);
  g_assert_cmpuint (tern_imap_value_get_n_children (tern_imap_response_get_data (rb)), >, 340000);
  g_test_message ("parsed 2 MiB of tiny values in %" G_GINT64_FORMAT " ms",
                  (g_get_monotonic_time () - start) / 1000);
}

static void
test_boxed (void)
{
  g_autoptr(TernImapResponse) r = parse_one ("* 1 EXISTS\r\n");
  TernImapResponse *copy;

  g_assert_true (G_TYPE_IS_BOXED (TERN_TYPE_IMAP_RESPONSE));
  copy = g_boxed_copy (TERN_TYPE_IMAP_RESPONSE, r);
  g_assert_true (copy == r);
  g_boxed_free (TERN_TYPE_IMAP_RESPONSE, copy);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/imap/parser/tagged", test_tagged);
  g_test_add_func ("/imap/parser/untagged-status", test_untagged_status);
  g_test_add_func ("/imap/parser/continuation", test_continuation);
  g_test_add_func ("/imap/parser/numbered", test_numbered);
  g_test_add_func ("/imap/parser/codes", test_codes);
  g_test_add_func ("/imap/parser/literal", test_literal_forms);
  g_test_add_func ("/imap/parser/nil", test_nil);
  g_test_add_func ("/imap/parser/nested", test_nested);
  g_test_add_func ("/imap/parser/limit/depth", test_depth_limit);
  g_test_add_func ("/imap/parser/limit/literal", test_literal_limit);
  g_test_add_func ("/imap/parser/limit/line", test_line_limit);
  g_test_add_func ("/imap/parser/limit/response", test_response_limit);
  g_test_add_func ("/imap/parser/limit/elements", test_elements_limit);
  g_test_add_func ("/imap/parser/garbage", test_garbage);
  g_test_add_func ("/imap/parser/bye-mid-stream", test_bye_mid_stream);
  g_test_add_func ("/imap/parser/line-ends", test_line_ends);
  g_test_add_func ("/imap/parser/quoted", test_quoted);
  g_test_add_func ("/imap/parser/8bit", test_8bit);
  g_test_add_func ("/imap/parser/status-text-marker", test_status_text_marker);
  g_test_add_func ("/imap/parser/numbers", test_numbers);
  g_test_add_func ("/imap/parser/section-atom", test_section_atom);
  g_test_add_func ("/imap/parser/pending", test_pending);
  g_test_add_func ("/imap/parser/response-outlives-parser", test_response_outlives_parser);
  g_test_add_func ("/imap/parser/boxed", test_boxed);
  g_test_add_func ("/imap/parser/long-line-linear", test_long_line_linear);
  g_test_add_func ("/imap/parser/split/transcripts", test_transcript_splits);
  g_test_add_func ("/imap/parser/split/random-mutations", test_random_mutations);

  return g_test_run ();
}
