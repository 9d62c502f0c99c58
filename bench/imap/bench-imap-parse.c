/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Parser throughput on FETCH responses like those recorded from Dovecot
 * (tests/data/imap/fetch.txt): 2,000 responses with UID, FLAGS,
 * INTERNALDATE, RFC822.SIZE, MODSEQ, ENVELOPE, BODYSTRUCTURE and a ~5 KB
 * BODY[] literal, fed in 64 KiB chunks; every response is popped and decoded
 * with tern_imap_fetch_decode(). Prints:
 *   imap.parse.mb_per_s          parse + FETCH decode throughput
 *   imap.parse.parse_only_mb_per_s  the same without the FETCH decode
 *   imap.parse.fetch_per_s       responses per second
 *   imap.parse.memcpy_ratio      throughput / memcpy of the same bytes (same run)
 *   imap.parse.small_mb_per_s    same on FETCH (UID FLAGS MODSEQ) lines only
 * Times are CPU time of the thread (medians of 7 rounds). */
#include "config.h"

#include <string.h>
#include <time.h>

#include "tern-imap-parser.h"

#define N_MESSAGES 2000
#define CHUNK      (64 * 1024)
#define ROUNDS     7

/* CPU time of this thread: the machine may be shared (parallel builds,
 * fuzzers), and wall time would measure the neighbours. */
static gint64
now_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static GByteArray *
build_fetch_stream (gsize body_size)
{
  GByteArray *out = g_byte_array_new ();
  GString *body = g_string_new (NULL);
  g_autoptr(GString) line = g_string_new (NULL);

  g_string_append (body,
                   "From: Alice Example <alice@example.test>\r\n"
                   "To: Bob <bob@example.test>, carol@example.test\r\n"
                   "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe_aus_Berlin?=\r\n"
                   "Date: Mon, 02 Nov 2026 10:15:00 +0100\r\n"
                   "Message-ID: <alt-1@example.test>\r\n"
                   "Chat-Version: 1.0\r\n"
                   "MIME-Version: 1.0\r\n"
                   "Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n"
                   "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n"
                   "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
  while (body->len < body_size - 200)
    g_string_append (body, "Hallo Bob, viele Gr=C3=BC=C3=9Fe! Das ist eine Zeile Text, "
                           "die ein Chat sein k=C3=B6nnte.\r\n");
  g_string_append (body, "--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hallo</p>\r\n"
                         "--b1--\r\n");

  for (guint i = 1; i <= N_MESSAGES; i++)
    {
      g_string_printf (line,
                       "* %u FETCH (UID %u FLAGS (\\Seen $Chat) INTERNALDATE \"02-Nov-2026 "
                       "09:15:00 +0000\" RFC822.SIZE %" G_GSIZE_FORMAT " MODSEQ (%u) ENVELOPE "
                       "(\"Mon, 02 Nov 2026 10:15:00 +0100\" "
                       "\"=?utf-8?q?Gr=C3=BC=C3=9Fe_aus_Berlin?=\" "
                       "((\"Alice Example\" NIL \"alice\" \"example.test\")) "
                       "((\"Alice Example\" NIL \"alice\" \"example.test\")) "
                       "((\"Alice Example\" NIL \"alice\" \"example.test\")) "
                       "((\"Bob\" NIL \"bob\" \"example.test\")(NIL NIL \"carol\" "
                       "\"example.test\")) NIL NIL NIL \"<alt-%u@example.test>\") "
                       "BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL "
                       "\"quoted-printable\" %" G_GSIZE_FORMAT " 60 NIL NIL NIL NIL)(\"text\" "
                       "\"html\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 14 1 NIL NIL NIL NIL) "
                       "\"alternative\" (\"boundary\" \"b1\") NIL NIL NIL) BODY[] {%" G_GSIZE_FORMAT
                       "}\r\n",
                       i, i, body->len, 100 + i, i, body->len - 400, body->len);
      g_byte_array_append (out, (const guint8 *) line->str, line->len);
      g_byte_array_append (out, (const guint8 *) body->str, body->len);
      g_byte_array_append (out, (const guint8 *) ")\r\n", 3);
    }
  g_byte_array_append (out, (const guint8 *) "A5 OK Fetch completed.\r\n", 24);
  g_string_free (body, TRUE);
  return out;
}

static GByteArray *
build_small_stream (void)
{
  GByteArray *out = g_byte_array_new ();
  g_autoptr(GString) line = g_string_new (NULL);

  for (guint i = 1; i <= 200000; i++)
    {
      g_string_printf (line, "* %u FETCH (UID %u FLAGS (\\Seen $Chat) MODSEQ (%u))\r\n", i,
                       i * 2, 1000 + i);
      g_byte_array_append (out, (const guint8 *) line->str, line->len);
    }
  return out;
}

static double
run_parse (GByteArray *stream,
           gboolean    decode,
           guint      *n_out)
{
  g_autoptr(TernImapParser) parser = tern_imap_parser_new (NULL);
  g_autoptr(GError) error = NULL;
  gint64 start = now_us ();
  guint n = 0;
  guint64 sum = 0;

  for (gsize off = 0; off < stream->len; off += CHUNK)
    {
      TernImapResponse *r;
      gsize len = MIN (CHUNK, stream->len - off);
      if (!tern_imap_parser_feed (parser, stream->data + off, len, &error))
        g_error ("parse failed: %s", error->message);
      while ((r = tern_imap_parser_pop (parser)) != NULL)
        {
          if (!decode)
            {
              sum += tern_imap_value_get_n_children (tern_imap_response_get_data (r)) + 1;
              n += tern_imap_response_is_data (r, "FETCH");
            }
          else if (tern_imap_response_is_data (r, "FETCH"))
            {
              TernImapFetch *f = tern_imap_fetch_decode (r, &error);
              if (f == NULL)
                g_error ("decode failed: %s", error->message);
              sum += f->uid + (f->sections->len ? 1 : 0);
              tern_imap_fetch_free (f);
              n++;
            }
          tern_imap_response_unref (r);
        }
    }
  *n_out = n;
  if (sum == 0)
    g_error ("nothing decoded");
  return (now_us () - start) / 1e6;
}

static double
run_memcpy (GByteArray *stream)
{
  guint8 *dst = g_malloc (CHUNK);
  gint64 start = now_us ();
  volatile guint8 sink = 0;

  /* the floor: copying each chunk once, as reading from a socket does */
  for (gsize off = 0; off < stream->len; off += CHUNK)
    {
      gsize len = MIN (CHUNK, stream->len - off);
      memcpy (dst, stream->data + off, len);
      sink ^= dst[len - 1];
    }
  (void) sink;
  g_free (dst);
  return (now_us () - start) / 1e6;
}

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (void)
{
  g_autoptr(GByteArray) stream = build_fetch_stream (5 * 1024);
  g_autoptr(GByteArray) small = build_small_stream ();
  double t[ROUNDS], m[ROUNDS], s[ROUNDS], p[ROUNDS];
  guint n = 0, n_small = 0;
  double mb = stream->len / 1e6;

  for (int i = 0; i < ROUNDS; i++)
    {
      t[i] = run_parse (stream, TRUE, &n);
      p[i] = run_parse (stream, FALSE, &n);
      m[i] = run_memcpy (stream);
      s[i] = run_parse (small, TRUE, &n_small);
    }
  if (n != N_MESSAGES)
    g_error ("expected %d FETCH responses, got %u", N_MESSAGES, n);
  qsort (t, ROUNDS, sizeof (double), cmp_double);
  qsort (m, ROUNDS, sizeof (double), cmp_double);
  qsort (s, ROUNDS, sizeof (double), cmp_double);
  qsort (p, ROUNDS, sizeof (double), cmp_double);
  /* medians */
  g_print ("imap.parse.mb_per_s %.1f MB/s\n", mb / t[ROUNDS / 2]);
  g_print ("imap.parse.parse_only_mb_per_s %.1f MB/s\n", mb / p[ROUNDS / 2]);
  g_print ("imap.parse.fetch_per_s %.0f responses/s\n", n / t[ROUNDS / 2]);
  g_print ("imap.parse.memcpy_ratio %.3f ratio\n", m[ROUNDS / 2] / t[ROUNDS / 2]);
  g_print ("imap.parse.small_mb_per_s %.1f MB/s\n", (small->len / 1e6) / s[ROUNDS / 2]);
  g_print ("imap.parse.small_fetch_per_s %.0f responses/s\n", n_small / s[ROUNDS / 2]);
  return 0;
}
