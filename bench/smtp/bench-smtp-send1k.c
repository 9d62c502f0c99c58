/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sends 1,000 small messages over one connection with TernSmtpClient and,
 * in the same run, with Postfix's own load generator smtp-source (one
 * session, connection reused with -d), both to the stack's relay port
 * (plain SMTP, no AUTH/TLS: the same work for the server), from alice to
 * bob, payload of the same size. Runs each five times, alternating, after
 * the Postfix queue has drained, and prints the medians:
 *
 *   smtp.send1k.msgs_per_s  smtp.source.msgs_per_s  smtp.send1k.ratio_to_smtp_source
 *
 * Needs the stack (tests/stack/with-stack, as tools/bench does). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tern-smtp-client.h"

#define N_MESSAGES 1000
#define PAYLOAD    1000
#define RUNS       5

static const char *
env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || *value == '\0')
    {
      g_printerr ("bench-smtp-send1k: %s is not set (run inside tests/stack/with-stack)\n", name);
      exit (1);
    }
  return value;
}

static void
store_result_cb (GObject      *source,
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

static void
check (GError *error,
       const char *what)
{
  if (error != NULL)
    {
      g_printerr ("bench-smtp-send1k: %s: %s\n", what, error->message);
      exit (1);
    }
}

/* A message like smtp-source's: a few headers, then PAYLOAD bytes of body
 * in lines of 78 bytes (76 letters and CRLF). */
static char *
make_message (const char *from,
              const char *to)
{
  GString *message = g_string_new (NULL);
  gsize body_start;

  g_string_append_printf (message, "From: <%s>\r\nTo: <%s>\r\nSubject: bench\r\n\r\n", from, to);
  body_start = message->len;
  while (message->len - body_start < PAYLOAD)
    {
      gsize left = PAYLOAD - (message->len - body_start);

      if (left <= 2)
        g_string_append (message, "\r\n" + (2 - left));
      else
        {
          gsize letters = MIN (left - 2, 76);
          for (gsize i = 0; i < letters; i++)
            g_string_append_c (message, 'a' + i % 26);
          g_string_append (message, "\r\n");
        }
    }
  return g_string_free (message, FALSE);
}

static double
run_tern (const char *host,
          guint16     port,
          const char *from,
          const char *to,
          const char *message)
{
  g_autoptr(TernSmtpClient) client = tern_smtp_client_new (host, port, TERN_NET_SECURITY_PLAIN,
                                                           NULL);
  g_autoptr(GAsyncResult) connected = NULL;
  g_autoptr(GAsyncResult) quit = NULL;
  const char *recipients[] = { to, NULL };
  gsize len = strlen (message);
  GError *error = NULL;
  gint64 start = g_get_monotonic_time ();

  tern_smtp_client_connect_async (client, NULL, store_result_cb, &connected);
  tern_smtp_client_connect_finish (client, wait_result (&connected), &error);
  check (error, "connect");

  for (guint i = 0; i < N_MESSAGES; i++)
    {
      g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (message, len, NULL);
      g_autoptr(GAsyncResult) sent = NULL;
      g_autoptr(TernSmtpSendResult) result = NULL;

      tern_smtp_client_send_async (client, from, recipients, stream, len, NULL, store_result_cb,
                                   &sent);
      result = tern_smtp_client_send_finish (client, wait_result (&sent), &error);
      check (error, "send");
    }

  tern_smtp_client_quit_async (client, NULL, store_result_cb, &quit);
  tern_smtp_client_quit_finish (client, wait_result (&quit), &error);
  check (error, "quit");

  return N_MESSAGES / ((g_get_monotonic_time () - start) / (double) G_TIME_SPAN_SECOND);
}

static double
run_smtp_source (const char *host,
                 guint16     port,
                 const char *from,
                 const char *to)
{
  g_autofree char *target = g_strdup_printf ("%s:%u", host, port);
  g_autofree char *count = g_strdup_printf ("%d", N_MESSAGES);
  g_autofree char *length = g_strdup_printf ("%d", PAYLOAD);
  const char *argv[] = { "/usr/sbin/smtp-source", "-d", "-s", "1", "-m", count, "-l", length,
                         "-M", "[127.0.0.1]", "-f", from, "-t", to, target, NULL };
  g_autofree char *err = NULL;
  GError *error = NULL;
  int status = 0;
  gint64 start = g_get_monotonic_time ();

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status,
                &error);
  check (error, "smtp-source");
  if (!g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("bench-smtp-send1k: smtp-source failed: %s\n", err);
      check (error, "smtp-source");
    }
  return N_MESSAGES / ((g_get_monotonic_time () - start) / (double) G_TIME_SPAN_SECOND);
}

/* Waits until Postfix delivered everything, so runs do not compete with
 * the deliveries of the run before. */
static void
wait_queue_empty (void)
{
  g_autofree char *config = g_build_filename (env ("TERN_TEST_STACK_DIR"), "postfix", "etc", NULL);
  const char *argv[] = { "postqueue", "-c", config, "-j", NULL };
  gint64 deadline = g_get_monotonic_time () + 120 * G_TIME_SPAN_SECOND;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *out = NULL;
      int status = 0;

      if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                         NULL, NULL, &out, NULL, &status, NULL)
          || !g_spawn_check_wait_status (status, NULL))
        {
          g_usleep (2 * G_USEC_PER_SEC); /* no postqueue: a fixed pause */
          return;
        }
      if (out == NULL || *out == '\0')
        return;
      g_usleep (200 * 1000);
    }
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

int
main (int   argc,
      char *argv[])
{
  const char *host = env ("TERN_TEST_HOST");
  guint16 port = (guint16) g_ascii_strtoull (env ("TERN_TEST_SMTP_RELAY_PORT"), NULL, 10);
  g_autofree char *from = g_strdup_printf ("alice@%s", env ("TERN_TEST_DOMAIN"));
  g_autofree char *to = g_strdup_printf ("bob@%s", env ("TERN_TEST_DOMAIN"));
  g_autofree char *message = make_message (from, to);
  double tern[RUNS], source[RUNS];

  for (guint run = 0; run < RUNS; run++)
    {
      wait_queue_empty ();
      source[run] = run_smtp_source (host, port, from, to);
      wait_queue_empty ();
      tern[run] = run_tern (host, port, from, to, message);
      g_printerr ("# run %u: tern %.0f msgs/s, smtp-source %.0f msgs/s\n", run + 1, tern[run],
                  source[run]);
    }
  wait_queue_empty ();
  qsort (tern, RUNS, sizeof (double), compare_doubles);
  qsort (source, RUNS, sizeof (double), compare_doubles);

  g_print ("smtp.send1k.msgs_per_s %.1f msgs/s\n", tern[RUNS / 2]);
  g_print ("smtp.source.msgs_per_s %.1f msgs/s\n", source[RUNS / 2]);
  g_print ("smtp.send1k.ratio_to_smtp_source %.3f ratio\n", tern[RUNS / 2] / source[RUNS / 2]);
  return 0;
}
