/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tern-coi.h"
#include "tern-coi-parser.h"
#include "tern-ingest.h"

/* tern_ingest_parse() must describe every message exactly as
 * tern_coi_parse_bytes() with the same options does, in any order and on
 * several threads at once: the coi parser reuses one GMime parser per
 * thread, so nothing of one parse may leak into the next. */

#define STATIC_BYTES(s) g_bytes_new_static (s, sizeof s - 1)

static const char *const own[] = { "me@example.test", NULL };

static char *
describe_reference (GBytes *raw)
{
  TernCoiParseOptions opts = { 0 };
  g_autoptr(TernCoiInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  opts.self_addresses = own;
  info = tern_coi_parse_bytes (raw, &opts, &error);
  if (info == NULL)
    return g_strdup_printf ("error: %s", error->message);
  return tern_coi_info_to_string (info);
}

static char *
describe_ingest (GBytes *raw)
{
  g_autoptr(TernCoiInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = tern_ingest_parse (raw, own, &error);
  if (info == NULL)
    return g_strdup_printf ("error: %s", error->message);
  return tern_coi_info_to_string (info);
}

static void
collect_dir (GPtrArray  *out,
             const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      char *contents;
      gsize len;

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        collect_dir (out, child);
      else if (g_file_get_contents (child, &contents, &len, NULL))
        g_ptr_array_add (out, g_bytes_new_take (contents, len));
    }
}

static GBytes *
text_message (const char *body)
{
  return g_bytes_new_take (
    g_strdup_printf ("From: Peer <peer@example.test>\r\nTo: <me@example.test>\r\n"
                     "Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n"
                     "Message-ID: <chat$x.1@example.test>\r\nSubject: Chat: hi\r\n"
                     "Chat-Version: 1.0\r\nMIME-Version: 1.0\r\n"
                     "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", body),
    0);
}

/* Messages at the edges of the reuse path, and past them. */
static void
add_edge_cases (GPtrArray *out)
{
  GString *many = g_string_new ("From: <peer@example.test>\r\nMessage-ID: <m@x>\r\n"
                                "MIME-Version: 1.0\r\n"
                                "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n");
  GString *long_header = g_string_new ("From: <peer@example.test>\r\nSubject: ");
  GBytes *bytes;

  /* 1,100 parts: beyond the guard's 1,024 boundary-like lines */
  for (guint i = 0; i < 1100; i++)
    g_string_append_printf (many, "--b\r\nContent-Type: text/plain\r\n\r\npart %u\r\n", i);
  g_string_append (many, "--b--\r\n");
  bytes = g_bytes_new (many->str, many->len);
  g_ptr_array_add (out, bytes);
  /* the same cut to exactly 1,024 and 1,025 boundary-like lines */
  for (guint keep = 1024; keep <= 1025; keep++)
    {
      const char *p = many->str;
      guint seen = 0;

      while ((p = strstr (p, "\r\n--b")) != NULL && seen < keep)
        {
          seen++;
          p += 2;
        }
      g_ptr_array_add (out, g_bytes_new (many->str, p != NULL ? (gsize) (p - many->str)
                                                             : many->len));
    }
  g_string_free (many, TRUE);

  /* a header line of 70 KiB (cut by the guard) */
  for (guint i = 0; i < 70 * 1024; i++)
    g_string_append_c (long_header, 'a' + i % 26);
  g_string_append (long_header, "\r\nMessage-ID: <long@x>\r\n\r\nbody\r\n");
  g_ptr_array_add (out, g_bytes_new (long_header->str, long_header->len));
  /* just under the size limit of the reuse path */
  g_string_truncate (long_header, 0);
  g_string_append (long_header, "From: <peer@example.test>\r\nMessage-ID: <big@x>\r\n\r\n");
  while (long_header->len < 64 * 1024 - 2)
    g_string_append (long_header, "a line of text\r\n");
  g_string_truncate (long_header, 64 * 1024);
  g_ptr_array_add (out, g_bytes_new (long_header->str, long_header->len));
  g_string_free (long_header, TRUE);

  /* no headers at all, junk, a lone boundary, a truncated multipart */
  g_ptr_array_add (out, STATIC_BYTES ("\r\n\r\n"));
  g_ptr_array_add (out, STATIC_BYTES ("\x01\x02\x03 not a message"));
  g_ptr_array_add (out, STATIC_BYTES ("--"));
  g_ptr_array_add (out, STATIC_BYTES (
    "From: <a@x>\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n"
    "Content-Type: text/plain\r\n\r\nunfinished"));
  g_ptr_array_add (out, text_message ("Hello, a chat message"));
  g_ptr_array_add (out, text_message ("> quoted\r\n\r\nreply\r\n-- \r\nsig"));
}

static void
test_same_as_coi (void)
{
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  const char *root = g_getenv ("TERN_SOURCE_ROOT");
  g_autofree char *coi = NULL;
  g_autofree char *corpus = NULL;
  guint n_files;

  g_assert_nonnull (root);
  coi = g_build_filename (root, "tests", "data", "coi", NULL);
  corpus = g_build_filename (root, "tests", "fuzz", "corpus", "coi-message", NULL);
  collect_dir (inputs, coi);
  collect_dir (inputs, corpus);
  n_files = inputs->len;
  g_assert_cmpuint (n_files, >=, 20);
  add_edge_cases (inputs);

  /* twice over, forwards then backwards: each parse follows a different one */
  for (guint round = 0; round < 2; round++)
    for (guint k = 0; k < inputs->len; k++)
      {
        guint i = round == 0 ? k : inputs->len - 1 - k;
        GBytes *raw = inputs->pdata[i];
        g_autofree char *want = describe_reference (raw);
        g_autofree char *got = describe_ingest (raw);

        if (g_strcmp0 (want, got) != 0)
          g_error ("input %u (of %u files): tern_ingest_parse differs:\n--- coi\n%s\n--- ingest\n%s",
                   i, n_files, want, got);
      }
}

typedef struct {
  GPtrArray *inputs;
  GPtrArray *want;
  guint      offset;
} ThreadData;

static gpointer
parse_thread (gpointer user_data)
{
  ThreadData *t = user_data;

  for (guint round = 0; round < 20; round++)
    for (guint k = 0; k < t->inputs->len; k++)
      {
        guint i = (k + t->offset) % t->inputs->len;
        g_autofree char *got = describe_ingest (t->inputs->pdata[i]);

        if (g_strcmp0 (got, t->want->pdata[i]) != 0)
          return GINT_TO_POINTER (1);
      }
  return NULL;
}

/* Two threads at once, each with its own parser. */
static void
test_threads (void)
{
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) want = g_ptr_array_new_with_free_func (g_free);
  ThreadData a = { inputs, want, 0 }, b = { inputs, want, 3 };
  GThread *ta, *tb;

  g_ptr_array_add (inputs, text_message ("one"));
  g_ptr_array_add (inputs, text_message ("two\r\n\r\n> quoted"));
  g_ptr_array_add (inputs, STATIC_BYTES ("\r\n\r\n"));
  g_ptr_array_add (inputs, STATIC_BYTES (
    "From: <a@x>\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n"
    "Content-Type: text/plain\r\n\r\nunfinished"));
  g_ptr_array_add (inputs, text_message ("three"));
  for (guint i = 0; i < inputs->len; i++)
    g_ptr_array_add (want, describe_reference (inputs->pdata[i]));
  ta = g_thread_new ("parse-a", parse_thread, &a);
  tb = g_thread_new ("parse-b", parse_thread, &b);
  g_assert_null (g_thread_join (ta));
  g_assert_null (g_thread_join (tb));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  tern_coi_init ();

  g_test_add_func ("/core/ingest-parse/same-as-coi", test_same_as_coi);
  g_test_add_func ("/core/ingest-parse/threads", test_threads);
  return g_test_run ();
}
