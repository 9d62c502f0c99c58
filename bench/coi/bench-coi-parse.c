/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Parse-and-describe speed against GMime's own bare parse, side by side in
 * one run, on a corpus of ~4 KB chat messages.
 *
 *   bare GMime: construct the message from the bytes (a mem stream over
 *               them), decode the text part (g_mime_text_part_get_text of
 *               g_mime_message_get_body), nothing else;
 *   Tern:       tern_coi_parse_bytes () → TernCoiInfo, freed.
 *
 * The two run in alternating rounds, timed in process CPU time (the build
 * machine is shared); the best round of each is reported.
 * Figures: coi.parse.msgs_per_s, coi.parse.gmime_bare_msgs_per_s,
 * coi.parse.ratio_to_gmime (goal >= 0.8). Optional argument: seconds per
 * round [0.5]. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gmime/gmime.h>

#include "tern-coi-parser.h"

#define N_MESSAGES 256
#define ROUNDS 5

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

int
main (int argc, char *argv[])
{
  double seconds = argc > 1 ? g_ascii_strtod (argv[1], NULL) : 0.5;
  g_autoptr(GPtrArray) corpus = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  GRand *rand = g_rand_new_with_seed (4242);
  double best_bare = 0, best_tern = 0;
  gsize total = 0;

  g_mime_init ();
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
  measure (bare_gmime, corpus, 0.1);
  measure (tern_parse, corpus, 0.1);

  for (guint r = 0; r < ROUNDS; r++)
    {
      double bare = measure (bare_gmime, corpus, seconds);
      double tern = measure (tern_parse, corpus, seconds);
      best_bare = MAX (best_bare, bare);
      best_tern = MAX (best_tern, tern);
      fprintf (stderr, "# round %u: bare %.0f/s, tern %.0f/s\n", r, bare, tern);
    }

  fprintf (stderr, "# corpus: %u messages, mean %.0f bytes\n", N_MESSAGES, (double) total / N_MESSAGES);
  printf ("coi.parse.msgs_per_s %.0f msgs/s\n", best_tern);
  printf ("coi.parse.gmime_bare_msgs_per_s %.0f msgs/s\n", best_bare);
  printf ("coi.parse.ratio_to_gmime %.3f x\n", best_tern / best_bare);
  return 0;
}
