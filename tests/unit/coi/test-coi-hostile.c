/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Hostile input: every parse returns a description (or a clear error for
 * empty input), within bounded memory and time, and without deep C
 * recursion. The heavy cases run in a subprocess so that the peak RSS
 * (getrusage) is measured for that case alone. */
#include "config.h"

#include <string.h>
#include <sys/resource.h>

#include <gmime/gmime.h>

#include "tern-coi-error.h"
#include "tern-coi-parser.h"
#include "tern-test-asan.h"

#define MiB (1024 * 1024)

/* Under AddressSanitizer freed memory sits in a quarantine (256 MiB by
 * default) and every allocation has shadow memory and redzones, so peak RSS
 * grows for reasons of its own and everything runs several times slower:
 * the bounds are widened there, not dropped. */
#if TERN_TEST_UNDER_ASAN
#define RSS_BOUND(kib) ((kib) * 4 + 768 * 1024)
#define TIME_BOUND(usec) ((usec) * 8)
#else
#define RSS_BOUND(kib) (kib)
#define TIME_BOUND(usec) (usec)
#endif

/* Append @n bytes of a-z to @s, fast (no per-byte call). */
static void
append_letters (GString *s, gsize n)
{
  static const char letters[] = "abcdefghijklmnopqrstuvwxyz";
  gsize start = s->len;

  g_string_set_size (s, start + n);
  for (gsize i = 0; i < n; i += 26)
    memcpy (s->str + start + i, letters, MIN (26, n - i));
}

static long
peak_rss_kib (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

static TernCoiInfo *
parse_string (const char *data, gsize len)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, len);
  g_autoptr(GError) error = NULL;
  TernCoiInfo *info = tern_coi_parse_bytes (bytes, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (info);
  return info;
}

static TernCoiInfo *
parse_fixture (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("TERN_TEST_DATA"), "coi", "hostile", name, NULL);
  g_autofree char *data = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return parse_string (data, len);
}

/* Parse @bytes (already in memory) and check growth of the peak RSS and the
 * wall time. */
static TernCoiInfo *
parse_bounded (GBytes *bytes, long max_growth_kib, gint64 max_usec)
{
  long before = peak_rss_kib ();
  gint64 start = g_get_monotonic_time ();
  g_autoptr(GError) error = NULL;
  TernCoiInfo *info = tern_coi_parse_bytes (bytes, NULL, &error);
  gint64 elapsed = g_get_monotonic_time () - start;
  long growth = peak_rss_kib () - before;

  g_assert_no_error (error);
  g_assert_nonnull (info);
  g_test_message ("parsed %" G_GSIZE_FORMAT " bytes in %" G_GINT64_FORMAT " ms, peak RSS +%ld KiB",
                  g_bytes_get_size (bytes), elapsed / 1000, growth);
  g_assert_cmpint (growth, <=, RSS_BOUND (max_growth_kib));
  g_assert_cmpint (elapsed, <=, TIME_BOUND (max_usec));
  return info;
}

static void
test_empty (void)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static ("", 0);
  g_autoptr(GError) error = NULL;
  TernCoiInfo *info = tern_coi_parse_bytes (bytes, NULL, &error);

  g_assert_null (info);
  g_assert_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID);
}

static void
test_junk (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("junk.bin");

  g_assert_false (info->is_chat);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_CLASSIC);
  g_assert_cmpuint (info->problems->len, >, 0);
  g_assert_true (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_BAD_FROM));
}

static void
test_random_bytes (void)
{
  GRand *rand = g_rand_new_with_seed (42);

  for (guint round = 0; round < 200; round++)
    {
      gsize len = 1 + g_rand_int_range (rand, 0, 4096);
      g_autofree guint8 *data = g_malloc (len);
      g_autoptr(TernCoiInfo) info = NULL;

      for (gsize i = 0; i < len; i++)
        data[i] = g_rand_int (rand) & 0xff;
      info = parse_string ((const char *) data, len);
      g_assert_nonnull (info->text);
      g_assert_true (g_utf8_validate (info->text, -1, NULL));
    }
  g_rand_free (rand);
}

static void
test_truncated (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("truncated-multipart.eml");

  g_assert_true (info->is_chat);
  g_assert_true (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_TRUNCATED));
  g_assert_cmpstr (info->text, ==, "still readable");
  g_assert_cmpuint (info->attachments->len, ==, 1);
}

static void
test_truncated_everywhere (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("TERN_TEST_DATA"), "coi", "spec",
                                            "group-info.eml", NULL);
  g_autofree char *data = NULL;
  gsize len;

  /* Every prefix of a real multipart message parses. */
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  for (gsize cut = 1; cut < len; cut += 7)
    {
      g_autoptr(TernCoiInfo) info = parse_string (data, cut);
      g_assert_true (g_utf8_validate (info->text, -1, NULL));
    }
}

static void
test_bad_base64 (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("bad-base64.eml");

  g_assert_true (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_BAD_ENCODING));
  g_assert_true (g_utf8_validate (info->text, -1, NULL));
  g_assert_true (g_str_has_prefix (info->text, "Hello "));
}

static void
test_bad_charset (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("bad-charset.eml");

  g_assert_true (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_BAD_CHARSET));
  g_assert_true (g_utf8_validate (info->text, -1, NULL));
  g_assert_true (g_str_has_prefix (info->text, "plain ascii and "));
}

static void
test_invalid_utf8 (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("invalid-utf8.eml");

  g_assert_true (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_BAD_CHARSET));
  g_assert_true (g_utf8_validate (info->text, -1, NULL));
  g_assert_true (g_str_has_prefix (info->text, "valid \xc3\xa9 then invalid "));
  g_assert_true (g_str_has_suffix (info->text, " end"));
  g_assert_true (g_utf8_validate (info->subject, -1, NULL));
}

static void
test_empty_boundary (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("empty-boundary.eml");

  g_assert_false (info->is_chat);
  g_assert_nonnull (info->text);
}

/* 10,000 nested multiparts: GMime stops at its own nesting limit
 * (GMIME_CRIT_NESTING_OVERFLOW) and the parser's walk is iterative and
 * stops at max_depth; both are reported as TOO_DEEP. */
static void
nested_child (void)
{
  GString *s = g_string_new ("From: a@example.com\r\nDate: Mon, 4 Dec 2019 15:51:37 +0100\r\n"
                             "Message-ID: <deep@example.com>\r\nMIME-Version: 1.0\r\n");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TernCoiInfo) info = NULL;

  for (int i = 0; i < 10000; i++)
    g_string_append_printf (s, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n", i, i);
  g_string_append (s, "Content-Type: text/plain\r\n\r\ndeep inside\r\n");
  for (int i = 9999; i >= 0; i--)
    g_string_append_printf (s, "--b%d--\r\n", i);
  bytes = g_string_free_to_bytes (s);

  info = parse_bounded (bytes, 32 * 1024, 5 * G_USEC_PER_SEC);
  g_assert_true (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_TOO_DEEP));
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_CLASSIC);
}

/* A 100 MB header line is cut at max_header_line before GMime sees it
 * (GMime alone keeps it in memory about four times over). */
static void
long_header_child (void)
{
  gsize n = 100 * MiB;
  GString *s = g_string_sized_new (n + 4096);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TernCoiInfo) info = NULL;

  g_string_append (s, "From: a@example.com\r\nSubject: long\r\nX-Long: ");
  append_letters (s, n);
  g_string_append (s, "\r\nMessage-ID: <chat$long@example.com>\r\nChat-Version: 1.0\r\n"
                      "Date: Mon, 4 Dec 2019 15:51:37 +0100\r\n\r\nbody after the line\r\n");
  bytes = g_string_free_to_bytes (s);

  info = parse_bounded (bytes, 32 * 1024, 10 * G_USEC_PER_SEC);
  g_assert_true (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_HEADER_TOO_LONG));
  /* The headers after the long line are still read. */
  g_assert_true (info->is_chat);
  g_assert_cmpstr (info->message_id, ==, "chat$long@example.com");
  g_assert_cmpstr (info->text, ==, "body after the line");
}

/* A 100 MB Subject folded over a million lines: the header block stops
 * growing at its limit, the headers after it are dropped, the body stays. */
static void
long_folded_header_child (void)
{
  GString *s = g_string_sized_new (101 * 1024 * 1024);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TernCoiInfo) info = NULL;

  g_string_append (s, "From: a@example.com\r\nMessage-ID: <chat$fold@example.com>\r\n"
                      "Chat-Version: 1.0\r\nSubject: start");
  while (s->len < 100 * MiB)
    g_string_append (s, "\r\n folded continuation of a very long subject line 0123456789");
  g_string_append (s, "\r\nX-After: dropped\r\n\r\nthe body\r\n");
  bytes = g_string_free_to_bytes (s);

  info = parse_bounded (bytes, 48 * 1024, 10 * G_USEC_PER_SEC);
  g_assert_true (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_HEADER_TOO_LONG));
  g_assert_true (info->is_chat);
  g_assert_cmpuint (strlen (info->subject), <=, 1024 * 1024);
  g_assert_cmpstr (info->text, ==, "the body");
}

/* A 100 MB body line: the display text is cut at max_text. */
static void
long_body_line_child (void)
{
  gsize n = 100 * MiB;
  GString *s = g_string_sized_new (n + 4096);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TernCoiInfo) info = NULL;

  g_string_append (s, "From: a@example.com\r\nSubject: long body\r\nMessage-ID: <b@example.com>\r\n"
                      "Date: Mon, 4 Dec 2019 15:51:37 +0100\r\n\r\n");
  append_letters (s, n);
  g_string_append (s, "\r\n");
  bytes = g_string_free_to_bytes (s);

  /* The text is cut at max_text (1 MiB). */
  info = parse_bounded (bytes, 64 * 1024, 10 * G_USEC_PER_SEC);
  g_assert_true (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_TEXT_TOO_LONG));
  g_assert_cmpuint (strlen (info->full_text), <=, 1 * MiB);
}

static void
many_parts_child (void)
{
  GString *s = g_string_new ("From: a@example.com\r\nMessage-ID: <chat$many@example.com>\r\n"
                             "Chat-Version: 1.0\r\nMIME-Version: 1.0\r\n"
                             "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TernCoiInfo) info = NULL;

  for (int i = 0; i < 50000; i++)
    g_string_append_printf (s, "--m\r\nContent-Type: application/octet-stream\r\n"
                               "Content-Disposition: attachment; filename=\"f%d\"\r\n\r\nx\r\n", i);
  g_string_append (s, "--m--\r\n");
  bytes = g_string_free_to_bytes (s);

  info = parse_bounded (bytes, 32 * 1024, 5 * G_USEC_PER_SEC);
  g_assert_true (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_TOO_MANY_PARTS));
  g_assert_cmpuint (info->parts->len, ==, 256);
  g_assert_cmpuint (info->attachments->len, ==, 256);
}

static void
many_addresses_child (void)
{
  GString *s = g_string_new ("From: a@example.com\r\nMessage-ID: <chat$to@example.com>\r\nTo: ");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TernCoiInfo) info = NULL;

  for (int i = 0; i < 200000; i++)
    g_string_append_printf (s, "%su%d@example.com", i ? "; " : "", i);
  g_string_append (s, "\r\nChat-Version: 1.0\r\n\r\nhi\r\n");
  bytes = g_string_free_to_bytes (s);

  info = parse_bounded (bytes, 64 * 1024, 10 * G_USEC_PER_SEC);
  g_assert_cmpuint (info->to->len, ==, 1000);
}

static void
deep_html_child (void)
{
  GString *s = g_string_new ("From: a@example.com\r\nMessage-ID: <chat$html@example.com>\r\n"
                             "Chat-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n"
                             "Chat-Content: profile\r\n\r\n<html><body>");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TernCoiInfo) info = NULL;

  for (int i = 0; i < 200000; i++)
    g_string_append (s, "<div class=\"h-card\"><span class=\"p-name\">x</span><blockquote>");
  g_string_append (s, "deep</body></html>\r\n");
  bytes = g_string_free_to_bytes (s);

  info = parse_bounded (bytes, 128 * 1024, 10 * G_USEC_PER_SEC);
  g_assert_true (g_utf8_validate (info->text, -1, NULL));
}

/* Runs @child in a fresh process (this same test re-run), so its peak RSS
 * is its own. */
static void
run_isolated (void (*child) (void))
{
  if (g_test_subprocess ())
    {
      child ();
      return;
    }
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDERR | G_TEST_SUBPROCESS_INHERIT_STDOUT);
  g_test_trap_assert_passed ();
}

static void test_nested (void) { run_isolated (nested_child); }
static void test_long_header (void) { run_isolated (long_header_child); }
static void test_long_folded_header (void) { run_isolated (long_folded_header_child); }
static void test_long_body_line (void) { run_isolated (long_body_line_child); }
static void test_many_parts (void) { run_isolated (many_parts_child); }
static void test_many_addresses (void) { run_isolated (many_addresses_child); }
static void test_deep_html (void) { run_isolated (deep_html_child); }

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_mime_init ();

  g_test_add_func ("/coi/hostile/empty", test_empty);
  g_test_add_func ("/coi/hostile/junk", test_junk);
  g_test_add_func ("/coi/hostile/random-bytes", test_random_bytes);
  g_test_add_func ("/coi/hostile/truncated", test_truncated);
  g_test_add_func ("/coi/hostile/truncated-everywhere", test_truncated_everywhere);
  g_test_add_func ("/coi/hostile/bad-base64", test_bad_base64);
  g_test_add_func ("/coi/hostile/bad-charset", test_bad_charset);
  g_test_add_func ("/coi/hostile/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/coi/hostile/empty-boundary", test_empty_boundary);
  g_test_add_func ("/coi/hostile/nested", test_nested);
  g_test_add_func ("/coi/hostile/long-header", test_long_header);
  g_test_add_func ("/coi/hostile/long-folded-header", test_long_folded_header);
  g_test_add_func ("/coi/hostile/long-body-line", test_long_body_line);
  g_test_add_func ("/coi/hostile/many-parts", test_many_parts);
  g_test_add_func ("/coi/hostile/many-addresses", test_many_addresses);
  g_test_add_func ("/coi/hostile/deep-html", test_deep_html);

  return g_test_run ();
}
