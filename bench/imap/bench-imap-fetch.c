/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-bench"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "tern-imap-client.h"

/* UID FETCH 1:* BODY.PEEK[] of 10,000 messages of about 5 KB from the test
 * stack's Dovecot, through TernImapClient (streamed in batches, every
 * literal parsed and handed on) against a raw socket in the same run that
 * sends the same command and reads the server's bytes to the tagged reply
 * without parsing. Both use the plain loopback port (no TLS), so the ratio
 * measures the client, not the cipher.
 *
 * Memory: VmHWM is reset (/proc/self/clear_refs) before each fetch, and the
 * peak is reported for 2,500 and for 10,000 messages: streaming keeps it
 * flat (it does not grow with the count).
 *
 * Run: tests/stack/with-stack -- <build>/bench/imap/bench-imap-fetch [N]
 * Output: one "name value unit" line per figure. */

#define MESSAGE_SIZE 5000
#define APPEND_BATCH 250
#define RUNS 5

static const char *
env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || *value == '\0')
    {
      fprintf (stderr, "bench-imap-fetch: %s is not set; run inside tests/stack/with-stack\n",
               name);
      exit (1);
    }
  return value;
}

/* ------------------------------------------------------------------------
 * Memory
 * ------------------------------------------------------------------------ */

static void
reset_peak_rss (void)
{
  FILE *f = fopen ("/proc/self/clear_refs", "w");

  if (f != NULL)
    {
      fputs ("5", f);
      fclose (f);
    }
}

static double
read_status_mb (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, field);
  if (line == NULL)
    return -1;
  return g_ascii_strtod (line + strlen (field) + 1, NULL) / 1024.0;
}

/* ------------------------------------------------------------------------
 * A blocking raw connection (populating and the baseline)
 * ------------------------------------------------------------------------ */

typedef struct {
  GSocket *socket;
  guint8  *buffer;
  gsize    buffer_size;
} Raw;

static void
raw_send (Raw        *raw,
          const void *data,
          gsize       len)
{
  g_autoptr(GError) error = NULL;
  const guint8 *p = data;

  while (len > 0)
    {
      gssize n = g_socket_send (raw->socket, (const char *) p, len, NULL, &error);
      if (n <= 0)
        g_error ("send: %s", error ? error->message : "closed");
      p += n;
      len -= n;
    }
}

/* Reads until a line starting with "@tag " has arrived whole. Only line
 * starts are looked at (memchr for LF): no parsing. Returns the bytes read. */
static gsize
raw_read_until_tag (Raw        *raw,
                    const char *tag)
{
  g_autofree char *prefix = g_strdup_printf ("%s ", tag);
  gssize prefix_len = strlen (prefix);
  gssize matched = 0; /* prefix bytes matched at the current line start; -1: not it */
  gsize total = 0;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (raw->socket, (char *) raw->buffer, raw->buffer_size, NULL,
                                   &error);
      const guint8 *p = raw->buffer, *end;

      if (n <= 0)
        g_error ("receive: %s", error ? error->message : "closed");
      total += n;
      end = raw->buffer + n;
      while (p < end)
        {
          const guint8 *nl;

          while (matched >= 0 && matched < prefix_len && p < end)
            {
              if (*p != (guint8) prefix[matched])
                matched = -1;
              else
                {
                  matched++;
                  p++;
                }
            }
          if (p >= end)
            break;
          nl = memchr (p, '\n', end - p);
          if (nl == NULL)
            break;
          if (matched == prefix_len)
            return total;
          matched = 0;
          p = nl + 1;
        }
    }
}

static Raw *
raw_connect (const char *user,
             const char *password,
             const char *mailbox)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (env ("TERN_TEST_HOST"));
  g_autoptr(GSocketAddress) sockaddr =
    g_inet_socket_address_new (address, (guint16) atoi (env ("TERN_TEST_IMAP_PORT")));
  Raw *raw = g_new0 (Raw, 1);
  g_autofree char *login = NULL;

  raw->buffer_size = 64 * 1024;
  raw->buffer = g_malloc (raw->buffer_size);
  raw->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                              &error);
  g_assert_no_error (error);
  if (!g_socket_connect (raw->socket, sockaddr, NULL, &error))
    g_error ("connect: %s", error->message);
  /* Greeting: one line. */
  {
    gssize n = g_socket_receive (raw->socket, (char *) raw->buffer, raw->buffer_size, NULL,
                                 &error);
    g_assert_cmpint (n, >, 0);
  }
  login = g_strdup_printf ("L1 LOGIN \"%s\" \"%s\"\r\n", user, password);
  raw_send (raw, login, strlen (login));
  raw_read_until_tag (raw, "L1");
  if (mailbox != NULL)
    {
      g_autofree char *select = g_strdup_printf ("S1 SELECT \"%s\"\r\n", mailbox);
      raw_send (raw, select, strlen (select));
      raw_read_until_tag (raw, "S1");
    }
  return raw;
}

static void
raw_free (Raw *raw)
{
  g_socket_close (raw->socket, NULL);
  g_object_unref (raw->socket);
  g_free (raw->buffer);
  g_free (raw);
}

static GBytes *
make_message (guint i)
{
  GString *s = g_string_sized_new (MESSAGE_SIZE + 512);
  guint32 seed = i * 2654435761u;

  g_string_append_printf (s,
                          "From: Alice <alice@example.test>\r\n"
                          "To: Bob <bob@example.test>\r\n"
                          "Subject: Benchmark message %u\r\n"
                          "Message-ID: <bench-%u@example.test>\r\n"
                          "Date: Tue, 05 Mar 2024 14:07:09 +0100\r\n"
                          "Chat-Version: 1.0\r\n"
                          "MIME-Version: 1.0\r\n"
                          "Content-Type: text/plain; charset=utf-8\r\n"
                          "\r\n",
                          i, i);
  while (s->len < MESSAGE_SIZE)
    {
      seed = seed * 1103515245u + 12345u;
      g_string_append_printf (s, "Line %08x of a chat message, with some words to read. Grüße!\r\n",
                              seed);
    }
  return g_string_free_to_bytes (s);
}

/* MULTIAPPEND with LITERAL+: APPEND_BATCH messages per command. */
static void
populate (const char *user,
          const char *password,
          const char *mailbox,
          guint       count)
{
  Raw *raw = raw_connect (user, password, NULL);
  g_autofree char *create = g_strdup_printf ("C1 CREATE \"%s\"\r\n", mailbox);

  raw_send (raw, create, strlen (create));
  raw_read_until_tag (raw, "C1");
  for (guint start = 0; start < count; start += APPEND_BATCH)
    {
      g_autoptr(GString) cmd = g_string_new (NULL);
      g_autofree char *tag = g_strdup_printf ("P%u", start);

      g_string_append_printf (cmd, "%s APPEND \"%s\"", tag, mailbox);
      for (guint i = start; i < MIN (count, start + APPEND_BATCH); i++)
        {
          g_autoptr(GBytes) message = make_message (i);
          gsize len;
          const char *data = g_bytes_get_data (message, &len);

          g_string_append_printf (cmd, " (\\Seen) {%" G_GSIZE_FORMAT "+}\r\n", len);
          g_string_append_len (cmd, data, len);
        }
      g_string_append (cmd, "\r\n");
      raw_send (raw, cmd->str, cmd->len);
      raw_read_until_tag (raw, tag);
    }
  raw_free (raw);
}

static double
cpu_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec * 1e3 + usage.ru_utime.tv_usec / 1e3 +
         usage.ru_stime.tv_sec * 1e3 + usage.ru_stime.tv_usec / 1e3;
}

/* The same command on a raw connection that stays open across runs (like
 * the client's), reading the bytes to the tagged reply. */
static double
raw_fetch (Raw        *raw,
           const char *uid_set,
           gsize      *bytes,
           double     *cpu)
{
  g_autofree char *cmd = g_strdup_printf ("A3 UID FETCH %s (UID BODY.PEEK[])\r\n", uid_set);
  gint64 start = g_get_monotonic_time ();
  double cpu_start = cpu_ms ();

  raw_send (raw, cmd, strlen (cmd));
  *bytes = raw_read_until_tag (raw, "A3");
  *cpu = cpu_ms () - cpu_start;
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* ------------------------------------------------------------------------
 * The client
 * ------------------------------------------------------------------------ */

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

typedef struct {
  guint  messages;
  gsize  bytes;
  guint  max_batch;
} Counted;

static void
count_batch (TernImapClient *client,
             GPtrArray      *fetches,
             gpointer        user_data)
{
  Counted *counted = user_data;

  counted->max_batch = MAX (counted->max_batch, fetches->len);
  for (guint i = 0; i < fetches->len; i++)
    {
      TernImapFetch *fetch = g_ptr_array_index (fetches, i);
      TernImapBodySection *section = tern_imap_fetch_get_section (fetch, "");

      counted->messages++;
      if (section != NULL && section->data != NULL)
        counted->bytes += g_bytes_get_size (section->data);
    }
}

static TernImapClient *
client_connect (const char *user,
                const char *password,
                const char *mailbox)
{
  TernImapClient *client = tern_imap_client_new (env ("TERN_TEST_HOST"),
                                                 (guint16) atoi (env ("TERN_TEST_IMAP_PORT")),
                                                 TERN_NET_SECURITY_PLAIN, NULL);
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(GAsyncResult) r = NULL;
    tern_imap_client_connect_async (client, NULL, got_result, &r);
    if (!tern_imap_client_connect_finish (client, wait_result (&r), &error))
      g_error ("connect: %s", error->message);
  }
  {
    g_autoptr(GAsyncResult) r = NULL;
    tern_imap_client_login_async (client, user, password, NULL, got_result, &r);
    if (!tern_imap_client_login_finish (client, wait_result (&r), &error))
      g_error ("login: %s", error->message);
  }
  {
    g_autoptr(GAsyncResult) r = NULL;
    tern_imap_client_select_async (client, mailbox, TRUE, FALSE, NULL, NULL, got_result, &r);
    if (!tern_imap_client_select_finish (client, wait_result (&r), &error))
      g_error ("select: %s", error->message);
  }
  return client;
}

static void
client_close (TernImapClient *client)
{
  g_autoptr(GAsyncResult) r = NULL;

  tern_imap_client_logout_async (client, NULL, got_result, &r);
  tern_imap_client_logout_finish (client, wait_result (&r), NULL);
  g_clear_object (&r);
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_object_unref (client);
}

static double
client_fetch (TernImapClient *client,
              const char     *uid_set,
              Counted        *counted,
              double         *cpu)
{
  g_autoptr(GAsyncResult) r = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  double cpu_start = cpu_ms ();
  guint n = 0;

  memset (counted, 0, sizeof *counted);
  tern_imap_client_uid_fetch_async (client, uid_set, TERN_IMAP_WANT_BODY, NULL, count_batch,
                                    counted, NULL, got_result, &r);
  if (!tern_imap_client_uid_fetch_finish (client, wait_result (&r), &n, &error))
    g_error ("fetch: %s", error->message);
  *cpu = cpu_ms () - cpu_start;
  return (g_get_monotonic_time () - start) / 1000.0;
}

int
main (int   argc,
      char *argv[])
{
  guint count = argc > 1 ? (guint) atoi (argv[1]) : 10000;
  guint small = count / 4;
  g_autofree char *user = g_strdup_printf ("alice@%s", env ("TERN_TEST_DOMAIN"));
  const char *password = env ("TERN_TEST_PASSWORD");
  g_autofree char *mailbox = g_strdup_printf ("bench-fetch-%08x", g_random_int ());
  g_autofree char *small_set = g_strdup_printf ("1:%u", small);
  double best_client = G_MAXDOUBLE, best_raw = G_MAXDOUBLE;
  double cpu_client = G_MAXDOUBLE, cpu_raw = G_MAXDOUBLE, cpu;
  double hwm_small, hwm_full, rss_base;
  gsize raw_bytes = 0;
  Counted counted;
  gint64 t0;
  TernImapClient *client;
  Raw *raw;

  t0 = g_get_monotonic_time ();
  populate (user, password, mailbox, count);
  fprintf (stderr, "populated %u messages in %.1f s\n", count,
           (g_get_monotonic_time () - t0) / 1e6);

  raw = raw_connect (user, password, mailbox);
  client = client_connect (user, password, mailbox);
  if (tern_imap_client_get_exists (client) != count)
    g_error ("mailbox has %u messages, expected %u", tern_imap_client_get_exists (client), count);
  /* Warm Dovecot's caches once. */
  raw_fetch (raw, "1:*", &raw_bytes, &cpu);

  /* Memory: peak while streaming 1/4 of the messages, then all of them. */
  reset_peak_rss ();
  rss_base = read_status_mb ("VmRSS:");
  client_fetch (client, small_set, &counted, &cpu);
  g_assert_cmpuint (counted.messages, ==, small);
  hwm_small = read_status_mb ("VmHWM:");
  reset_peak_rss ();
  client_fetch (client, "1:*", &counted, &cpu);
  g_assert_cmpuint (counted.messages, ==, count);
  hwm_full = read_status_mb ("VmHWM:");

  /* Time: interleaved runs, best of RUNS each. */
  for (int run = 0; run < RUNS; run++)
    {
      double ms = raw_fetch (raw, "1:*", &raw_bytes, &cpu);
      best_raw = MIN (best_raw, ms);
      cpu_raw = MIN (cpu_raw, cpu);
      fprintf (stderr, "run %d: raw %.1f ms (cpu %.1f)", run, ms, cpu);
      ms = client_fetch (client, "1:*", &counted, &cpu);
      g_assert_cmpuint (counted.messages, ==, count);
      best_client = MIN (best_client, ms);
      cpu_client = MIN (cpu_client, cpu);
      fprintf (stderr, ", client %.1f ms (cpu %.1f)\n", ms, cpu);
    }
  client_close (client);
  raw_free (raw);

  printf ("imap.fetch10k.messages %u count\n", count);
  printf ("imap.fetch10k.body_mb %.1f MB\n", counted.bytes / 1e6);
  printf ("imap.fetch10k.wire_mb %.1f MB\n", raw_bytes / 1e6);
  printf ("imap.fetch10k.ms %.1f ms\n", best_client);
  printf ("imap.fetch10k.raw_ms %.1f ms\n", best_raw);
  printf ("imap.fetch10k.ratio_to_raw %.2f x\n", best_client / best_raw);
  printf ("imap.fetch10k.mb_per_s %.1f MB/s\n", raw_bytes / 1e6 / (best_client / 1000.0));
  printf ("imap.fetch10k.client_cpu_ms %.1f ms\n", cpu_client);
  printf ("imap.fetch10k.raw_cpu_ms %.1f ms\n", cpu_raw);
  printf ("imap.fetch10k.largest_batch %u messages\n", counted.max_batch);
  printf ("imap.fetch10k.rss_before_mb %.1f MB\n", rss_base);
  printf ("imap.fetch2500.peak_rss_mb %.1f MB\n", hwm_small);
  printf ("imap.fetch10k.peak_rss_mb %.1f MB\n", hwm_full);
  printf ("imap.fetch10k.peak_rss_growth_vs_2500 %.2f x\n", hwm_full / hwm_small);
  return 0;
}
