/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Parse-and-describe speed against GMime's own bare parse, side by side in
 * one run, on a corpus of ~4 KB chat messages.
 *
 *   bare GMime: construct the message from the bytes (a mem stream over
 *               them), decode the text part (g_mime_text_part_get_text of
 *               g_mime_message_get_body), nothing else;
 *   Tern:       tern_coi_parse_bytes () → TernCoiInfo, freed.
 *
 * The two run pass by pass over the corpus, alternating, each pass timed in
 * process CPU time (the build machine is shared); rates come from the totals.
 * Figures: coi.parse.msgs_per_s, coi.parse.gmime_bare_msgs_per_s,
 * coi.parse.ratio_to_gmime (goal >= 0.8). Optional argument: CPU seconds
 * [5]; then --tern-only or --bare-only for profiling one path.
 *
 * Instructions per message (run under callgrind): `bench-coi-parse --count
 * CORPUS N` parses N messages of CORPUS (cycling) with tern_coi_parse_bytes ()
 * and frees each description, counting only that (callgrind's counts are
 * zeroed before and dumped after; use --collect-atstart=no). CORPUS is
 *   sync      the messages bench-core-sync appends (one-line chat texts),
 *   chat4k    the ~4 KB chat messages above,
 *   fixtures  every file of tests/data/coi, tests/data/core and the
 *             coi-message fuzz corpus (read from $TERN_SOURCE_ROOT or the
 *             source tree this was built from),
 *   mix       sync 70 %, Delta Chat-like (multipart/mixed with one text
 *             part) 20 %, fixtures 10 %.
 * It prints the corpus's mean size and, from the callgrind output, the
 * caller computes instructions / N. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gmime/gmime.h>
#include <valgrind/callgrind.h>

#include "bench-util.h"
#include "tern-coi-parser.h"

#define N_MESSAGES 256

static const char *const words[] = {
  "hello", "world", "chat", "over", "imap", "message", "friend", "tonight", "meeting", "lunch",
  "caf\xc3\xa9", "gr\xc3\xbc\xc3\x9f" "e", "\xf0\x9f\x99\x82", "project", "plan", "tomorrow",
  "really", "think", "should", "maybe", "because", "the", "a", "and", "we", "you",
};

static GBytes *
make_message (guint i, GRand *rand)
{
  GString *s = g_string_new (NULL);
  GString *body = g_string_new (NULL);
  gboolean group = (i % 4) == 1;
  gboolean quoted = (i % 5) == 2;
  guint col = 0;

  g_string_append_printf (s,
    "From: Alice Example <alice@example.com>\r\n"
    "To: %s\r\n"
    "Subject: %s\r\n"
    "Date: Mon, 4 Dec 2019 15:%02u:%02u +0100\r\n"
    "Message-ID: <chat$%s%08X.%08X@example.com>\r\n"
    "References: <chat$%s00000001.00000001@example.com>\r\n"
    " <chat$%s%08X.00000000@example.com>\r\n"
    "In-Reply-To: <chat$%s%08X.00000000@example.com>\r\n"
    "Chat-Version: 1.0\r\n"
    "Disposition-Notification-To: Alice Example <alice@example.com>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=UTF-8; format=flowed\r\n"
    "Content-Transfer-Encoding: 8bit\r\n\r\n",
    group ? "bob@example.com, carol@example.com, dave@example.com" : "Bob <bob@example.com>",
    group ? "Re: My Crew" : "Chat: hello",
    i % 60, (i * 7) % 60,
    group ? "group.4321dcba1234." : "", g_rand_int (rand), g_rand_int (rand),
    group ? "group.4321dcba1234." : "",
    group ? "group.4321dcba1234." : "", i - 1,
    group ? "group.4321dcba1234." : "", i - 1);

  if (quoted)
    g_string_append (body, "On Mon, 4 Dec 2019 at 15:00, Bob <bob@example.com> wrote:\r\n"
                           "> are you coming tonight?\r\n> the plan is at eight\r\n\r\n");
  while (s->len + body->len < 4000)
    {
      const char *w = words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))];
      if (col + strlen (w) > 70)
        {
          /* soft break (format=flowed: trailing space) */
          g_string_append (body, " \r\n");
          col = 0;
        }
      else if (col > 0)
        {
          g_string_append_c (body, ' ');
          col++;
        }
      g_string_append (body, w);
      col += strlen (w);
      if (g_rand_int_range (rand, 0, 40) == 0)
        {
          g_string_append (body, ".\r\n\r\n");
          col = 0;
        }
    }
  g_string_append (body, "\r\n");
  if (i % 3 == 0)
    g_string_append (body, "@Bob:bob@example.com see above\r\n");
  g_string_append (s, body->str);
  g_string_free (body, TRUE);
  return g_string_free_to_bytes (s);
}

static volatile gsize sink;

static void
bare_gmime (GBytes *bytes)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  GMimeStream *stream = g_mime_stream_mem_new_with_buffer (data, len);
  GMimeParser *parser = g_mime_parser_new_with_stream (stream);
  GMimeMessage *message = g_mime_parser_construct_message (parser, NULL);
  GMimeObject *body = message ? g_mime_message_get_body (message) : NULL;

  if (body && GMIME_IS_TEXT_PART (body))
    {
      char *text = g_mime_text_part_get_text (GMIME_TEXT_PART (body));
      sink += strlen (text);
      g_free (text);
    }
  g_clear_object (&message);
  g_object_unref (parser);
  g_object_unref (stream);
}

static void
tern_parse (GBytes *bytes)
{
  TernCoiInfo *info = tern_coi_parse_bytes (bytes, NULL, NULL);

  if (info == NULL)
    abort ();
  sink += strlen (info->text);
  if (!info->is_chat || info->kind != TERN_COI_KIND_TEXT)
    abort ();
  tern_coi_info_free (info);
}

/* The message bench-core-sync appends, byte for byte (its number @i). */
static GBytes *
make_sync_message (guint i, guint32 base)
{
  char *text = bench_sync_message (i, base);

  return g_bytes_new_take (text, strlen (text));
}

/* What Delta Chat sends for a text: multipart/mixed with one text part. */
static GBytes *
make_deltachat_message (guint i)
{
  char *text = g_strdup_printf (
    "Content-Type: multipart/mixed; boundary=\"Kx6sIw1ZHr7GWSYyVgQ07E9WyJyiYI\"\r\n"
    "MIME-Version: 1.0\r\nDate: Thu, 26 Nov 2026 10:12:%02u +0000\r\n"
    "Chat-Version: 1.0\r\n"
    "Message-ID: <Mr.%08x.dc%u@example.test>\r\n"
    "To: <bob@example.test>\r\nFrom: \"Dora Delta\" <dora@example.test>\r\n"
    "Subject: Message from Dora\r\n"
    "Chat-Disposition-Notification-To: dora@example.test\r\n\r\n"
    "--Kx6sIw1ZHr7GWSYyVgQ07E9WyJyiYI\r\n"
    "Content-Type: text/plain; charset=\"utf-8\"; format=flowed; delsp=no\r\n\r\n"
    "Hi Bob, message %u from Delta Chat \xf0\x9f\x99\x82 with a line that is a bit \r\n"
    "longer than one line.\r\n"
    "--\r\nSent with my Delta Chat Messenger: https://delta.chat\r\n\r\n"
    "--Kx6sIw1ZHr7GWSYyVgQ07E9WyJyiYI--\r\n",
    i % 60, i * 2654435761u, i, i);

  return g_bytes_new_take (text, strlen (text));
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
collect_files (GPtrArray *out, const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  /* readdir order is the file system's: sort for the same corpus everywhere */
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *child = g_build_filename (path, names->pdata[i], NULL);
      char *contents;
      gsize len;

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        collect_files (out, child);
      else if (g_file_get_contents (child, &contents, &len, NULL) && len > 0)
        g_ptr_array_add (out, g_bytes_new_take (contents, len));
      else
        g_free (contents);
    }
}

static GPtrArray *
fixture_corpus (void)
{
  const char *root = g_getenv ("TERN_SOURCE_ROOT");
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  const char *const dirs[] = { "tests/data/coi", "tests/data/core", "tests/fuzz/corpus/coi-message" };

  if (root == NULL)
    root = TERN_BENCH_SOURCE_ROOT;
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = g_build_filename (root, dirs[i], NULL);
      collect_files (out, path);
    }
  if (out->len == 0)
    g_error ("no fixtures under %s", root);
  return out;
}

static GPtrArray *
named_corpus (const char *name)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  guint32 base = 0x5eed1234;

  if (strcmp (name, "sync") == 0)
    for (guint i = 0; i < 200; i++)
      g_ptr_array_add (out, make_sync_message (i, base));
  else if (strcmp (name, "chat4k") == 0)
    {
      GRand *rand = g_rand_new_with_seed (4242);
      for (guint i = 0; i < N_MESSAGES; i++)
        g_ptr_array_add (out, make_message (i + 2, rand));
      g_rand_free (rand);
    }
  else if (strcmp (name, "deltachat") == 0)
    for (guint i = 0; i < 200; i++)
      g_ptr_array_add (out, make_deltachat_message (i));
  else if (strcmp (name, "fixtures") == 0)
    {
      g_ptr_array_unref (out);
      out = fixture_corpus ();
    }
  else if (strcmp (name, "mix") == 0)
    {
      g_autoptr(GPtrArray) fixtures = fixture_corpus ();
      for (guint i = 0; i < 200; i++)
        {
          if (i % 10 < 7)
            g_ptr_array_add (out, make_sync_message (i, base));
          else if (i % 10 < 9)
            g_ptr_array_add (out, make_deltachat_message (i));
          else
            g_ptr_array_add (out, g_bytes_ref (fixtures->pdata[(i / 10) % fixtures->len]));
        }
    }
  else
    g_error ("unknown corpus %s (sync, chat4k, deltachat, fixtures, mix)", name);
  return out;
}

/* --count CORPUS N: N parses for callgrind, nothing else counted. */
static int
count_instructions (const char *name, guint n)
{
  g_autoptr(GPtrArray) corpus = named_corpus (name);
  gsize total = 0;

  for (guint i = 0; i < corpus->len; i++)
    total += g_bytes_get_size (corpus->pdata[i]);
  /* warm up: GType classes, iconv, GMime's tables */
  for (guint i = 0; i < corpus->len; i++)
    tern_coi_info_free (tern_coi_parse_bytes (corpus->pdata[i], NULL, NULL));

  CALLGRIND_ZERO_STATS;
  CALLGRIND_START_INSTRUMENTATION;
  CALLGRIND_TOGGLE_COLLECT;
  for (guint i = 0; i < n; i++)
    {
      TernCoiInfo *info = tern_coi_parse_bytes (corpus->pdata[i % corpus->len], NULL, NULL);
      if (info != NULL)
        tern_coi_info_free (info);
    }
  CALLGRIND_TOGGLE_COLLECT;
  CALLGRIND_DUMP_STATS_AT ("bench-coi-parse --count");
  printf ("coi.parse.count.corpus %s\n", name);
  printf ("coi.parse.count.messages %u msgs\n", n);
  printf ("coi.parse.count.mean_size %.0f bytes\n", (double) total / corpus->len);
  return 0;
}

/* CPU time of this process: the machine is shared (parallel builds), so
 * wall time would measure the neighbours; CPU time measures the work. */
static gint64
cpu_usec (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Messages per CPU second of @fn over the corpus for about @seconds of CPU. */
static double
measure (void (*fn) (GBytes *), GPtrArray *corpus, double seconds)
{
  gint64 start = cpu_usec ();
  gint64 end = start + (gint64) (seconds * G_USEC_PER_SEC);
  gint64 now;
  guint64 n = 0;

  do
    {
      for (guint i = 0; i < corpus->len; i++)
        fn (g_ptr_array_index (corpus, i));
      n += corpus->len;
      now = cpu_usec ();
    }
  while (now < end);
  return n / ((now - start) / (double) G_USEC_PER_SEC);
}

/* Both paths over the whole corpus, alternating pass by pass so that they
 * share the machine's conditions (the build machine is busy); each pass is
 * timed in CPU time and the totals give the rates. */
static void
measure_interleaved (GPtrArray *corpus, double seconds, double *bare_rate, double *tern_rate)
{
  gint64 t_bare = 0, t_tern = 0;
  guint64 n = 0;
  gint64 stop = cpu_usec () + (gint64) (seconds * G_USEC_PER_SEC);

  while (cpu_usec () < stop)
    {
      gint64 a = cpu_usec ();
      for (guint i = 0; i < corpus->len; i++)
        bare_gmime (g_ptr_array_index (corpus, i));
      gint64 b = cpu_usec ();
      for (guint i = 0; i < corpus->len; i++)
        tern_parse (g_ptr_array_index (corpus, i));
      gint64 c = cpu_usec ();
      t_bare += b - a;
      t_tern += c - b;
      n += corpus->len;
    }
  *bare_rate = n / (t_bare / (double) G_USEC_PER_SEC);
  *tern_rate = n / (t_tern / (double) G_USEC_PER_SEC);
}

int
main (int argc, char *argv[])
{
  double seconds = argc > 1 ? g_ascii_strtod (argv[1], NULL) : 5.0;
  g_autoptr(GPtrArray) corpus = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  GRand *rand = g_rand_new_with_seed (4242);
  double bare = 0, tern = 0;
  gsize total = 0;

  g_mime_init ();
  if (argc > 3 && strcmp (argv[1], "--count") == 0)
    return count_instructions (argv[2], (guint) g_ascii_strtoull (argv[3], NULL, 10));
  for (guint i = 0; i < N_MESSAGES; i++)
    {
      GBytes *b = make_message (i + 2, rand);
      total += g_bytes_get_size (b);
      g_ptr_array_add (corpus, b);
    }
  g_rand_free (rand);

  if (argc > 2 && strcmp (argv[2], "--tern-only") == 0)
    {
      /* For profiling: only the Tern path. */
      fprintf (stderr, "# tern only: %.0f/s\n", measure (tern_parse, corpus, seconds));
      return 0;
    }
  if (argc > 2 && strcmp (argv[2], "--bare-only") == 0)
    {
      fprintf (stderr, "# bare only: %.0f/s\n", measure (bare_gmime, corpus, seconds));
      return 0;
    }

  /* Warm up both paths (iconv caches, GType registration, allocator). */
  measure_interleaved (corpus, 0.2, &bare, &tern);
  measure_interleaved (corpus, seconds, &bare, &tern);

  fprintf (stderr, "# corpus: %u messages, mean %.0f bytes; %.1f s of CPU, interleaved\n",
           N_MESSAGES, (double) total / N_MESSAGES, seconds);
  printf ("coi.parse.msgs_per_s %.0f msgs/s\n", tern);
  printf ("coi.parse.gmime_bare_msgs_per_s %.0f msgs/s\n", bare);
  printf ("coi.parse.ratio_to_gmime %.3f x\n", tern / bare);
  return 0;
}
