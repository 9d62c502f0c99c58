/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Building and serialising chat messages, and streaming a 25 MB attachment.
 *
 * Figures (one line each, "name value unit"):
 *   coi.build.msgs_per_s                text message: build + serialise (CRLF), per CPU second
 *   coi.build.wall.msgs_per_s           the same per wall-clock second (shared machine)
 *   coi.build.gmime_bare.msgs_per_s     a like message made by hand with bare GMime calls
 *   coi.build.ratio_to_gmime            the two CPU figures, measured in the same run
 *   coi.build.formatted.msgs_per_s      formatted (plain + markdown + HTML) message
 *   coi.build.bytes_per_msg             size of the text message
 *   coi.build.attachment.output_mb      25 MB file -> base64 message written to a file
 *   coi.build.attachment.peak_rss_mb    peak RSS of the process that wrote it
 *   coi.build.attachment.rss_growth_mb  peak RSS minus the RSS before building
 *   coi.build.attachment.rss_to_output  peak RSS / output size (goal: <= 2)
 *   coi.build.attachment.mb_per_s       output written per second
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tern-coi-builder.h"
#include "tern-coi.h"

#define ATTACHMENT_SIZE (25 * 1024 * 1024)

static const TernCoiMailbox to[] = {
  { "Bob Bär", "bob@example.test" },
  { NULL, "carol@example.test" },
};

static const char *text
    = "Hi Bob, hi Carol!\n"
      "Shall we meet at the café at noon tomorrow? I will bring the printed tickets and the map, "
      "and I found a place where we can leave the bikes. Let me know if that still works for you.\n"
      "See you, Alice";

static TernCoiDraft
make_draft (GDateTime *date)
{
  TernCoiDraft d = { 0 };

  d.from = (TernCoiMailbox){ "Alice Ängel", "alice@example.test" };
  d.to = to;
  d.n_to = G_N_ELEMENTS (to);
  d.date = date;
  d.text = text;
  d.in_reply_to = "chat$previous.1@example.test";
  d.references_first = "chat$first.0@example.test";
  d.request_receipt = TRUE;
  return d;
}

static gsize
build_once (const TernCoiDraft *d, gboolean formatted)
{
  GMimeMessage *m = tern_coi_build_text (d, NULL);
  GBytes       *b = tern_coi_message_to_bytes (m);
  gsize         n = g_bytes_get_size (b);

  g_bytes_unref (b);
  g_object_unref (m);
  return n;
}

/* The same message by hand: the floor GMime itself sets. */
static gsize
bare_once (GDateTime *date, const char *flowed_body)
{
  GMimeMessage       *m = g_mime_message_new (FALSE);
  GMimeObject        *obj = GMIME_OBJECT (m);
  GMimeTextPart      *part = g_mime_text_part_new_with_subtype ("plain");
  GMimeFormatOptions *opts = g_mime_format_options_new ();
  GByteArray         *array = g_byte_array_sized_new (4096);
  GMimeStream        *stream = g_mime_stream_mem_new_with_byte_array (array);
  gsize               n;

  g_mime_message_add_mailbox (m, GMIME_ADDRESS_TYPE_FROM, "Alice Ängel", "alice@example.test");
  g_mime_message_add_mailbox (m, GMIME_ADDRESS_TYPE_TO, "Bob Bär", "bob@example.test");
  g_mime_message_add_mailbox (m, GMIME_ADDRESS_TYPE_TO, NULL, "carol@example.test");
  g_mime_message_set_subject (m, "Chat: Hi Bob, hi Carol!", "UTF-8");
  g_mime_message_set_date (m, date);
  g_mime_message_set_message_id (m, "chat$abcdefghijklmnopqrstuvwxyz@example.test");
  g_mime_object_set_header (obj, "In-Reply-To", "<chat$previous.1@example.test>", NULL);
  g_mime_object_set_header (obj, "References",
                            "<chat$first.0@example.test> <chat$previous.1@example.test>", NULL);
  g_mime_object_set_header (obj, "MIME-Version", "1.0", NULL);
  g_mime_object_set_header (obj, "Chat-Version", "1.0", NULL);
  g_mime_object_set_header (obj, "Disposition-Notification-To", "Alice <alice@example.test>", NULL);
  g_mime_text_part_set_text (part, flowed_body);
  g_mime_part_set_content_encoding (GMIME_PART (part), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
  g_mime_message_set_mime_part (m, GMIME_OBJECT (part));
  g_object_unref (part);

  g_mime_format_options_set_newline_format (opts, GMIME_NEWLINE_FORMAT_DOS);
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  g_mime_object_write_to_stream (obj, opts, stream);
  n = array->len;
  g_object_unref (stream);
  g_byte_array_free (array, TRUE);
  g_mime_format_options_free (opts);
  g_object_unref (m);
  return n;
}

typedef gsize (*Runner) (gpointer data);

typedef struct
{
  TernCoiDraft draft;
  GDateTime   *date;
  gboolean     formatted;
} Ctx;

static gsize
run_build (gpointer data)
{
  Ctx *c = data;
  return build_once (&c->draft, c->formatted);
}

static gsize
run_bare (gpointer data)
{
  Ctx *c = data;
  return bare_once (c->date, text);
}

static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Messages per second of this thread's CPU time (*cpu) and of wall time
 * (returned). The machine is shared (other builds run beside us): the CPU
 * figure is the codec's own cost, the wall figure what this run saw. */
static double
rate (Runner fn, gpointer data, double seconds, double *cpu)
{
  gint64  start;
  gint64  elapsed;
  double  cpu_start;
  guint64 n = 0;

  for (int i = 0; i < 200; i++) /* warm up */
    fn (data);
  start = g_get_monotonic_time ();
  cpu_start = cpu_seconds ();
  do
    {
      for (int i = 0; i < 100; i++)
        fn (data);
      n += 100;
      elapsed = g_get_monotonic_time () - start;
    }
  while (elapsed < seconds * G_USEC_PER_SEC);
  if (cpu != NULL)
    *cpu = n / (cpu_seconds () - cpu_start);
  return n / (elapsed / (double)G_USEC_PER_SEC);
}

static long
max_rss_kb (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static long
current_rss_kb (void)
{
  g_autofree char *status = NULL;
  const char      *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line ? strtol (line + 6, NULL, 10) : -1;
}

/* In a child process, so its peak RSS is its own. */
static int
attachment_child (const char *dir)
{
  g_autofree char *in_path = g_build_filename (dir, "big.bin", NULL);
  g_autofree char *out_path = g_build_filename (dir, "big.eml", NULL);
  g_autoptr (GError) error = NULL;
  GMimeMessage          *m;
  GMimeStream           *out;
  TernCoiAttachmentDraft att = { 0 };
  TernCoiDraft           d;
  GDateTime             *date;
  GRand                 *rand = g_rand_new_with_seed (25);
  guint32                chunk[16384];
  FILE                  *f;
  long                   before_kb;
  long                   peak_kb;
  gint64                 start;
  double                 secs;
  GStatBuf               st;

  tern_coi_init ();
  f = fopen (in_path, "wb");
  for (gsize written = 0; written < ATTACHMENT_SIZE; written += sizeof chunk)
    {
      for (guint i = 0; i < G_N_ELEMENTS (chunk); i++)
        chunk[i] = g_rand_int (rand);
      fwrite (chunk, 1, sizeof chunk, f);
    }
  fclose (f);
  g_rand_free (rand);

  date = g_date_time_new_now_utc ();
  d = make_draft (date);
  att.path = in_path;
  att.filename = "holiday.mp4";
  d.attachments = &att;
  d.n_attachments = 1;

  before_kb = current_rss_kb ();
  start = g_get_monotonic_time ();
  m = tern_coi_build_attachments (&d, &error);
  if (m == NULL)
    {
      fprintf (stderr, "build failed: %s\n", error->message);
      return 1;
    }
  out = g_mime_stream_fs_open (out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600, &error);
  if (out == NULL || !tern_coi_message_write (m, out, &error))
    {
      fprintf (stderr, "write failed: %s\n", error ? error->message : "?");
      return 1;
    }
  g_object_unref (out);
  secs = (g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC;
  peak_kb = max_rss_kb ();
  g_object_unref (m);
  g_date_time_unref (date);

  if (g_stat (out_path, &st) != 0)
    return 1;
  printf ("coi.build.attachment.output_mb %.2f MB\n", st.st_size / 1048576.0);
  printf ("coi.build.attachment.peak_rss_mb %.2f MB\n", peak_kb / 1024.0);
  printf ("coi.build.attachment.rss_growth_mb %.2f MB\n", (peak_kb - before_kb) / 1024.0);
  printf ("coi.build.attachment.rss_to_output %.3f ratio\n", (peak_kb * 1024.0) / st.st_size);
  printf ("coi.build.attachment.mb_per_s %.1f MB/s\n", st.st_size / 1048576.0 / secs);
  fflush (stdout);
  g_unlink (in_path);
  g_unlink (out_path);
  return 0;
}

int
main (int argc, char **argv)
{
  double           seconds = argc > 1 ? g_ascii_strtod (argv[1], NULL) : 2.0;
  g_autofree char *dir = NULL;
  Ctx              ctx = { 0 };
  Ctx              fmt = { 0 };
  pid_t            pid;
  int              status = 0;

  if (seconds <= 0)
    seconds = 2.0;

  /* The attachment first, in a fresh child process. */
  dir = g_dir_make_tmp ("tern-bench-coi-XXXXXX", NULL);
  fflush (stdout);
  pid = fork ();
  if (pid == 0)
    _exit (attachment_child (dir));
  waitpid (pid, &status, 0);
  g_rmdir (dir);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    fprintf (stderr, "attachment measurement failed\n");

  tern_coi_init ();
  ctx.date = g_date_time_new_now_utc ();
  ctx.draft = make_draft (ctx.date);
  fmt = ctx;
  fmt.draft.html
      = "<p>Hi Bob, hi Carol!</p><p>Shall we meet at the <b>café</b> at noon tomorrow?</p>";
  fmt.draft.markdown = "Hi Bob, hi Carol!\n\nShall we meet at the **café** at noon tomorrow?";
  fmt.formatted = TRUE;

  /* Interleave to share the machine's state fairly. */
  {
    double cpu_build = 0, cpu_bare = 0, cpu_fmt = 0, c;
    double wall_build = 0, wall_bare = 0, wall_fmt;

    for (int round = 0; round < 2; round++)
      {
        wall_build += rate (run_build, &ctx, seconds / 2, &c) / 2;
        cpu_build += c / 2;
        wall_bare += rate (run_bare, &ctx, seconds / 2, &c) / 2;
        cpu_bare += c / 2;
      }
    wall_fmt = rate (run_build, &fmt, seconds / 2, &cpu_fmt);

    printf ("coi.build.msgs_per_s %.0f msgs/s\n", cpu_build);
    printf ("coi.build.wall.msgs_per_s %.0f msgs/s\n", wall_build);
    printf ("coi.build.gmime_bare.msgs_per_s %.0f msgs/s\n", cpu_bare);
    printf ("coi.build.gmime_bare.wall.msgs_per_s %.0f msgs/s\n", wall_bare);
    printf ("coi.build.ratio_to_gmime %.2f ratio\n", cpu_build / cpu_bare);
    printf ("coi.build.formatted.msgs_per_s %.0f msgs/s\n", cpu_fmt);
    printf ("coi.build.formatted.wall.msgs_per_s %.0f msgs/s\n", wall_fmt);
  }
  printf ("coi.build.bytes_per_msg %" G_GSIZE_FORMAT " bytes\n", build_once (&ctx.draft, FALSE));

  g_date_time_unref (ctx.date);
  return 0;
}
