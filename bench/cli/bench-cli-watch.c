/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-bench"

/* cli.watch100k.rss_mb: resident memory of `tern-cli watch` (connected, first sync pass
 * done, idle) on a profile holding 100,000 stored messages in 200 chats. Run inside
 * tests/stack/with-stack (tools/bench). Also prints the peak (VmHWM). */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern-store.h"

#define N_MESSAGES 100000
#define N_CHATS    200

static const char *
env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || *value == '\0')
    {
      g_printerr ("bench-cli-watch: %s is not set: run inside tests/stack/with-stack\n", name);
      exit (1);
    }
  return value;
}

static int
run_cli (const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  g_autofree char *input = g_strdup_printf ("%s\n", env ("TERN_TEST_PASSWORD"));

  if (proc == NULL || !g_subprocess_communicate_utf8 (proc, input, NULL, NULL, NULL, &error))
    g_error ("tern-cli: %s", error->message);
  return g_subprocess_get_exit_status (proc);
}

static double
status_mb (GPid        pid,
           const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (line = strstr (text, field)) == NULL)
    return -1;
  return g_ascii_strtod (line + strlen (field), NULL) / 1024.0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tern-bench-cli-XXXXXX", &error);
  g_autofree char *profile = g_build_filename (dir, "bob", NULL);
  g_autofree char *address = g_strdup_printf ("bob@%s", env ("TERN_TEST_DOMAIN"));
  const char *add[] = {
    TERN_CLI_PATH, "--profile", profile, "--password-stdin", "account", "add", "--address", address,
    "--imap-host", env ("TERN_TEST_HOST"), "--imap-port", env ("TERN_TEST_IMAP_PORT"),
    "--imap-security", "starttls", "--smtp-host", env ("TERN_TEST_HOST"),
    "--smtp-port", env ("TERN_TEST_SMTP_PORT"), "--smtp-security", "starttls",
    "--trust-certificate", env ("TERN_TEST_CERT_SHA256"), NULL
  };
  const char *watch_argv[] = {
    TERN_CLI_PATH, "--profile", profile, "--json", "--password-stdin", "watch", NULL
  };
  g_autoptr(GSubprocess) watch = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *input = NULL;
  TernStore *store;
  gint64 account;
  gint64 clock = 1700000000;
  gboolean synced = FALSE;
  GPid pid;

  if (dir == NULL)
    g_error ("%s", error->message);
  if (run_cli (add) != 0)
    g_error ("tern-cli account add failed");

  /* 100,000 messages in 200 chats, written through the store like the ingest does. */
  store = tern_store_open (profile, &error);
  if (store == NULL)
    g_error ("store: %s", error->message);
  {
    g_autoptr(GPtrArray) accounts = tern_store_list_accounts (store, &error);
    account = ((TernStoreAccountRow *) g_ptr_array_index (accounts, 0))->id;
  }
  for (guint b = 0; b < N_MESSAGES / 5000; b++)
    {
      g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (store);

      for (guint i = 0; i < 5000; i++)
        {
          guint n = b * 5000 + i;
          g_autofree char *key = g_strdup_printf ("peer%03u@example.test", n % N_CHATS);
          g_autofree char *mid = g_strdup_printf ("bench%06u@example.test", n);
          g_autofree char *text = g_strdup_printf ("Message %u: hello there, how are you doing today?", n);
          gint64 chat = tern_store_batch_ensure_chat (batch, account, TERN_STORE_CHAT_KIND_DIRECT,
                                                      key, key, 0);
          TernStoreMessageRow m = { 0 };

          m.account_id = account;
          m.chat_id = chat;
          m.message_id = mid;
          m.sender_address = key;
          m.text = text;
          m.seen = TRUE;
          m.sent_time = m.received_time = clock++;
          tern_store_batch_add_message (batch, &m, 0, 0);
        }
      if (!tern_store_commit (store, batch, &error))
        g_error ("commit: %s", error->message);
    }
  tern_store_close (store);
  g_object_unref (store);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  watch = g_subprocess_newv (watch_argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                             &error);
  if (watch == NULL)
    g_error ("watch: %s", error->message);
  input = g_strdup_printf ("%s\n", env ("TERN_TEST_PASSWORD"));
  g_output_stream_write_all (g_subprocess_get_stdin_pipe (watch), input, strlen (input), NULL, NULL, NULL);
  g_output_stream_close (g_subprocess_get_stdin_pipe (watch), NULL, NULL);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (watch));
  while (!synced)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);

      if (line == NULL)
        g_error ("watch ended before its first sync: %s", error != NULL ? error->message : "EOF");
      synced = strstr (line, "\"event\":\"synced\"") != NULL;
    }
  g_usleep (2 * G_USEC_PER_SEC);   /* idle, connected */
  pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (watch), NULL, 10);
  printf ("cli.watch100k.rss_mb %.1f MB\n", status_mb (pid, "VmRSS:"));
  printf ("cli.watch100k.peak_rss_mb %.1f MB\n", status_mb (pid, "VmHWM:"));
  fflush (stdout);
  g_subprocess_send_signal (watch, SIGTERM);
  g_subprocess_wait (watch, NULL, NULL);
  return g_subprocess_get_exit_status (watch) == 0 ? 0 : 1;
}
