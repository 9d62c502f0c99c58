/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tern-smtp-error.h"
#include "tern-smtp-reply.h"

/* Feeds @input in pieces of @step bytes; returns every reply, fails the
 * test on a parse error. */
static GPtrArray *
parse_all (const char *input,
           gsize       len,
           gsize       step)
{
  g_autoptr(TernSmtpReplyParser) parser = tern_smtp_reply_parser_new ();
  GPtrArray *replies = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_smtp_reply_unref);
  gsize pos = 0;

  while (pos < len)
    {
      gsize piece = MIN (step, len - pos);
      gsize used = 0;

      while (used < piece)
        {
          TernSmtpReply *reply = NULL;
          g_autoptr(GError) error = NULL;
          gssize n = tern_smtp_reply_parser_feed (parser, input + pos + used, piece - used,
                                                  &reply, &error);
          g_assert_no_error (error);
          g_assert_cmpint (n, >=, 0);
          used += n;
          if (reply != NULL)
            g_ptr_array_add (replies, reply);
          else
            g_assert_cmpuint (used, ==, piece);
        }
      pos += piece;
    }
  return replies;
}

static GError *
parse_error (const char *input,
             gsize       len)
{
  g_autoptr(TernSmtpReplyParser) parser = tern_smtp_reply_parser_new ();
  gsize pos = 0;

  while (pos < len)
    {
      g_autoptr(TernSmtpReply) reply = NULL;
      GError *error = NULL;
      gssize n = tern_smtp_reply_parser_feed (parser, input + pos, len - pos, &reply, &error);

      if (n < 0)
        {
          g_assert_nonnull (error);
          return error;
        }
      pos += n;
    }
  return NULL;
}

static void
test_single_line (void)
{
  const char *input = "220 mail.example.org ESMTP ready\r\n";
  g_autoptr(GPtrArray) replies = parse_all (input, strlen (input), 4096);
  TernSmtpReply *reply;
  g_autofree char *shown = NULL;

  g_assert_cmpuint (replies->len, ==, 1);
  reply = g_ptr_array_index (replies, 0);
  g_assert_cmpuint (tern_smtp_reply_get_code (reply), ==, 220);
  g_assert_null (tern_smtp_reply_get_enhanced_code (reply));
  g_assert_cmpstr (tern_smtp_reply_get_text (reply), ==, "mail.example.org ESMTP ready");
  g_assert_true (tern_smtp_reply_is_positive (reply));
  g_assert_false (tern_smtp_reply_is_transient (reply));
  g_assert_false (tern_smtp_reply_is_permanent (reply));
  shown = tern_smtp_reply_to_string (reply);
  g_assert_cmpstr (shown, ==, "220 mail.example.org ESMTP ready");
}

static void
test_multi_line (void)
{
  const char *input = "250-mail.example.org\r\n"
                      "250-PIPELINING\r\n"
                      "250-SIZE 10240000\r\n"
                      "250-AUTH PLAIN LOGIN\r\n"
                      "250 8BITMIME\r\n";
  g_autoptr(GPtrArray) replies = parse_all (input, strlen (input), 4096);
  TernSmtpReply *reply;
  const char * const *lines;

  g_assert_cmpuint (replies->len, ==, 1);
  reply = g_ptr_array_index (replies, 0);
  g_assert_cmpuint (tern_smtp_reply_get_code (reply), ==, 250);
  lines = tern_smtp_reply_get_lines (reply);
  g_assert_cmpuint (g_strv_length ((char **) lines), ==, 5);
  g_assert_cmpstr (lines[0], ==, "mail.example.org");
  g_assert_cmpstr (lines[2], ==, "SIZE 10240000");
  g_assert_cmpstr (lines[4], ==, "8BITMIME");
  g_assert_cmpstr (tern_smtp_reply_get_text (reply), ==,
                   "mail.example.org\nPIPELINING\nSIZE 10240000\nAUTH PLAIN LOGIN\n8BITMIME");
}

static void
test_byte_at_a_time (void)
{
  const char *input = "250-first\r\n250-second\r\n250 third\r\n354 go on\r\n";
  g_autoptr(GPtrArray) whole = parse_all (input, strlen (input), 4096);
  g_autoptr(GPtrArray) bytes = parse_all (input, strlen (input), 1);
  g_autoptr(GPtrArray) threes = parse_all (input, strlen (input), 3);

  g_assert_cmpuint (whole->len, ==, 2);
  g_assert_cmpuint (bytes->len, ==, 2);
  g_assert_cmpuint (threes->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      TernSmtpReply *a = g_ptr_array_index (whole, i);
      TernSmtpReply *b = g_ptr_array_index (bytes, i);
      TernSmtpReply *c = g_ptr_array_index (threes, i);

      g_assert_cmpuint (tern_smtp_reply_get_code (a), ==, tern_smtp_reply_get_code (b));
      g_assert_cmpuint (tern_smtp_reply_get_code (a), ==, tern_smtp_reply_get_code (c));
      g_assert_cmpstr (tern_smtp_reply_get_text (a), ==, tern_smtp_reply_get_text (b));
      g_assert_cmpstr (tern_smtp_reply_get_text (a), ==, tern_smtp_reply_get_text (c));
    }
  g_assert_cmpstr (tern_smtp_reply_get_text (g_ptr_array_index (bytes, 0)), ==,
                   "first\nsecond\nthird");
}

static void
test_pipelined_stop_after_reply (void)
{
  g_autoptr(TernSmtpReplyParser) parser = tern_smtp_reply_parser_new ();
  const char *input = "250 2.1.0 Ok\r\n550 5.1.1 <x@example.org>: User unknown\r\n250 2.1.5 Ok\r\n";
  g_autoptr(TernSmtpReply) first = NULL;
  g_autoptr(TernSmtpReply) second = NULL;
  g_autoptr(GError) error = NULL;
  gssize n;

  n = tern_smtp_reply_parser_feed (parser, input, strlen (input), &first, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, strlen ("250 2.1.0 Ok\r\n"));
  g_assert_cmpuint (tern_smtp_reply_get_code (first), ==, 250);
  g_assert_cmpstr (tern_smtp_reply_get_enhanced_code (first), ==, "2.1.0");

  n = tern_smtp_reply_parser_feed (parser, input + n, strlen (input) - n, &second, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tern_smtp_reply_get_code (second), ==, 550);
  g_assert_cmpstr (tern_smtp_reply_get_enhanced_code (second), ==, "5.1.1");
  g_assert_true (tern_smtp_reply_is_permanent (second));
  g_assert_cmpstr (tern_smtp_reply_get_text (second), ==, "5.1.1 <x@example.org>: User unknown");
}

static void
test_enhanced_codes (void)
{
  struct { const char *input; const char *enhanced; } cases[] = {
    { "250 2.0.0 Ok: queued as 4F\r\n", "2.0.0" },
    { "452 4.5.3 Too many recipients\r\n", "4.5.3" },
    { "535 5.7.8 Error: authentication failed\r\n", "5.7.8" },
    { "550 5.123.456 long parts\r\n", "5.123.456" },
    { "550 4.1.1 class does not match\r\n", NULL },
    { "550 5.1 too few parts\r\n", NULL },
    { "550 5.1.1234 detail too long\r\n", NULL },
    { "550 5.1.1x no space after\r\n", NULL },
    { "250 OK\r\n", NULL },
    { "250 5.1.1\r\n", NULL },
    { "250 2.1.5\r\n", "2.1.5" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) replies = parse_all (cases[i].input, strlen (cases[i].input), 4096);
      g_assert_cmpuint (replies->len, ==, 1);
      g_assert_cmpstr (tern_smtp_reply_get_enhanced_code (g_ptr_array_index (replies, 0)), ==,
                       cases[i].enhanced);
    }
}

static void
test_tolerant_forms (void)
{
  /* Bare LF, a code with no text, an empty continuation line. */
  const char *input = "220 bare lf\n250\r\n250-\r\n250 end\r\n";
  g_autoptr(GPtrArray) replies = parse_all (input, strlen (input), 4096);

  g_assert_cmpuint (replies->len, ==, 3);
  g_assert_cmpstr (tern_smtp_reply_get_text (g_ptr_array_index (replies, 0)), ==, "bare lf");
  g_assert_cmpuint (tern_smtp_reply_get_code (g_ptr_array_index (replies, 1)), ==, 250);
  g_assert_cmpstr (tern_smtp_reply_get_text (g_ptr_array_index (replies, 1)), ==, "");
  g_assert_cmpstr (tern_smtp_reply_get_text (g_ptr_array_index (replies, 2)), ==, "\nend");
}

static void
test_malformed (void)
{
  const char *cases[] = {
    "hello\r\n",
    "25\r\n",
    "2x0 bad digit\r\n",
    "650 first digit too high\r\n",
    "050 first digit too low\r\n",
    "2500 no separator\r\n",
    "250xtext\r\n",
    "250-one\r\n251 other code\r\n",
    "\r\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = parse_error (cases[i], strlen (cases[i]));
      g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_PROTOCOL);
    }
}

static void
test_limits (void)
{
  g_autoptr(GString) line = g_string_new ("250 ");
  g_autoptr(GString) many = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) replies = NULL;

  /* A line up to the limit passes; longer fails, even without a line end. */
  g_string_append_len (line, "", 0);
  while (line->len < TERN_SMTP_REPLY_MAX_LINE)
    g_string_append_c (line, 'a');
  g_string_append (line, "\r\n");
  g_string_erase (line, TERN_SMTP_REPLY_MAX_LINE - 1, 1); /* CR counts: stay within */
  replies = parse_all (line->str, line->len, 4096);
  g_assert_cmpuint (replies->len, ==, 1);

  g_string_truncate (line, 4);
  while (line->len <= TERN_SMTP_REPLY_MAX_LINE + 10)
    g_string_append_c (line, 'a');
  error = parse_error (line->str, line->len);
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_PROTOCOL);
  g_clear_error (&error);

  for (guint i = 0; i <= TERN_SMTP_REPLY_MAX_LINES; i++)
    g_string_append (many, "250-x\r\n");
  error = parse_error (many->str, many->len);
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_PROTOCOL);
  g_clear_error (&error);

  /* Total bytes bound: many long lines. */
  g_string_truncate (many, 0);
  while (many->len < TERN_SMTP_REPLY_MAX_BYTES + 100)
    {
      g_string_append (many, "250-");
      for (guint i = 0; i < 60000; i++)
        g_string_append_c (many, 'b');
      g_string_append (many, "\r\n");
    }
  error = parse_error (many->str, many->len);
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_PROTOCOL);
}

static void
test_reset_after_error (void)
{
  g_autoptr(TernSmtpReplyParser) parser = tern_smtp_reply_parser_new ();
  g_autoptr(TernSmtpReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  gssize n;

  n = tern_smtp_reply_parser_feed (parser, "junk\r\n", 6, &reply, &error);
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_PROTOCOL);
  g_clear_error (&error);

  n = tern_smtp_reply_parser_feed (parser, "250 ok\r\n", 8, &reply, &error);
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, TERN_SMTP_ERROR, TERN_SMTP_ERROR_PROTOCOL);
  g_clear_error (&error);

  tern_smtp_reply_parser_reset (parser);
  n = tern_smtp_reply_parser_feed (parser, "250 ok\r\n", 8, &reply, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 8);
  g_assert_cmpuint (tern_smtp_reply_get_code (reply), ==, 250);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/smtp/reply/single-line", test_single_line);
  g_test_add_func ("/smtp/reply/multi-line", test_multi_line);
  g_test_add_func ("/smtp/reply/byte-at-a-time", test_byte_at_a_time);
  g_test_add_func ("/smtp/reply/pipelined", test_pipelined_stop_after_reply);
  g_test_add_func ("/smtp/reply/enhanced-codes", test_enhanced_codes);
  g_test_add_func ("/smtp/reply/tolerant", test_tolerant_forms);
  g_test_add_func ("/smtp/reply/malformed", test_malformed);
  g_test_add_func ("/smtp/reply/limits", test_limits);
  g_test_add_func ("/smtp/reply/reset", test_reset_after_error);

  return g_test_run ();
}
