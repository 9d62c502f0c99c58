/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-bench"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "tern-application.h"
#include "tern-chat-list.h"
#include "tern-conversation.h"
#include "tern-window.h"

/* The app over a store of 100,000 messages (one chat of 50,000, 99 of about
 * 505), under Xvfb (tests/ui/with-xvfb):
 *   ui.startup100k.ms         PROCESS START (spawn of `tern` with that profile) -> the end of
 *                             the first frame showing rows of the chat list (the app reports
 *                             it with TERN_BENCH_FIRST_FRAME from a GdkFrameClock after-paint)
 *   ui.startup.bare.ms        the same for a bare libadwaita application whose window shows
 *                             a 10,000-row GtkListView (ui-bare-window), spawned the same way
 *   ui.startup.ratio_to_bare  the two, alternated in the same run (medians of RUNS)
 *   ui.startup100k.cpu_ms     the app's CPU time at that frame (CLOCK_PROCESS_CPUTIME_ID),
 *   ui.startup.bare.cpu_ms    and the bare window's
 *   ui.startup100k.rss_mb     VmRSS at that frame, and the bare window's
 *   ui.startup.bare.rss_mb      (what the renderer alone costs)
 *   ui.rss100k.mb             VmRSS of the app 0.5 s after the first frame of the 50,000-message
 *                             chat, opened through app.open-chat after the chat list's
 *   ui.rss100k.heap_mb        of which malloc's heap in use (mallinfo2 uordblks + mmapped),
 *   ui.rss100k.anon_mb        its anonymous part (RssAnon: heap, GL buffers, JIT code)
 *   ui.rss100k.file_mb        and its file-backed part (RssFile: mapped libraries, fonts)
 * each for GTK's default renderer here (GL, in software under Xvfb) and for cairo
 * (GSK_RENDERER=cairo; figures suffixed .cairo); the renderer each reports goes to stderr.
 * In process, over the same store (the conversation pane's figures):
 *   ui.open_chat50k.ms        opening the 50,000-message chat -> its first frame
 *   ui.scroll.max_frame_ms    scrolling up through 1,000 of its messages: the longest
 *                             interval between painted frames (GdkFrameClock)
 * Wall times are medians; the machine is shared, so the CPU times are printed too. */

#define TOTAL 100000
#define BIG   50000
#define CHATS 100
#define RUNS  5

static gboolean painted;

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  painted = TRUE;
}

static void
wait_paint (GtkWidget *widget)
{
  GdkFrameClock *clock;
  gulong id;

  while (!gtk_widget_get_mapped (widget))
    g_main_context_iteration (NULL, TRUE);
  clock = gtk_widget_get_frame_clock (widget);
  painted = FALSE;
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), NULL);
  gtk_widget_queue_draw (widget);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, id);
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *v,
        guint   n)
{
  qsort (v, n, sizeof *v, cmp_double);
  return v[n / 2];
}

/* What one spawned process reported ("tern-bench NAME VALUE" lines). */
typedef struct
{
  double first_frame_ms;   /* from spawn */
  double cpu_ms;
  double chat_frame_ms;    /* from spawn; 0 when no chat was opened */
  double vmrss_mb;
  double first_vmrss_mb;
  double heap_mb;
  double anon_mb;
  double file_mb;
  char   renderer[64];
} Report;

/* Spawns @argv with @env added to this process's environment, from now, and
 * reads its report until it exits. */
static gboolean
spawn_report (const char *const *argv,
              const char *const *env,
              Report            *report)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  gint64 start;
  GPid pid;
  int out_fd, status = 0;
  FILE *out;
  char line[256];

  for (guint i = 0; env[i] != NULL; i += 2)
    envp = env[i + 1] ? g_environ_setenv (envp, env[i], env[i + 1], TRUE)
                      : g_environ_unsetenv (envp, env[i]);
  memset (report, 0, sizeof *report);

  start = g_get_monotonic_time ();
  if (!g_spawn_async_with_pipes (NULL, (char **) argv, envp, G_SPAWN_DO_NOT_REAP_CHILD,
                                 NULL, NULL, &pid, NULL, &out_fd, NULL, &error))
    {
      g_printerr ("bench-ui: cannot start %s: %s\n", argv[0], error->message);
      return FALSE;
    }
  out = fdopen (out_fd, "r");
  while (fgets (line, sizeof line, out) != NULL)
    {
      char name[64], value[64];

      if (sscanf (line, "tern-bench %63s %63s", name, value) != 2)
        continue;
      if (strcmp (name, "first-frame") == 0)
        report->first_frame_ms = (g_ascii_strtoll (value, NULL, 10) - start) / 1000.0;
      else if (strcmp (name, "cpu-us") == 0)
        report->cpu_ms = g_ascii_strtoll (value, NULL, 10) / 1000.0;
      else if (strcmp (name, "chat-frame") == 0)
        report->chat_frame_ms = (g_ascii_strtoll (value, NULL, 10) - start) / 1000.0;
      else if (strcmp (name, "first-frame-vmrss-kb") == 0)
        report->first_vmrss_mb = g_ascii_strtoll (value, NULL, 10) / 1024.0;
      else if (strcmp (name, "rss-anon-kb") == 0)
        report->anon_mb = g_ascii_strtoll (value, NULL, 10) / 1024.0;
      else if (strcmp (name, "rss-file-kb") == 0)
        report->file_mb = g_ascii_strtoll (value, NULL, 10) / 1024.0;
      else if (strcmp (name, "vmrss-kb") == 0)
        report->vmrss_mb = g_ascii_strtoll (value, NULL, 10) / 1024.0;
      else if (strcmp (name, "heap-kb") == 0 || strcmp (name, "mmap-kb") == 0)
        report->heap_mb += g_ascii_strtoll (value, NULL, 10) / 1024.0;
      else if (strcmp (name, "renderer") == 0)
        g_strlcpy (report->renderer, value, sizeof report->renderer);
    }
  fclose (out);
  waitpid (pid, &status, 0);
  g_spawn_close_pid (pid);
  if (!g_spawn_check_wait_status (status, &error) || report->first_frame_ms <= 0)
    {
      g_printerr ("bench-ui: %s did not report its first frame (%s)\n", argv[0],
                  error ? error->message : "no report");
      return FALSE;
    }
  return TRUE;
}

/* Start-up of tern and of the bare window, alternated, with @renderer
 * (NULL: GTK's choice), then the RSS run; prints the figures with @suffix. */
static gboolean
measure_startup (const char *data_home,
                 const char *renderer,
                 const char *suffix,
                 gint64      big_chat)
{
  const char *tern_argv[] = { TERN_BIN, NULL };
  const char *bare_argv[] = { BARE_BIN, NULL };
  g_autofree char *chat = g_strdup_printf ("%" G_GINT64_FORMAT, big_chat);
  const char *env[] = {
    "XDG_DATA_HOME", data_home,
    "TERN_BENCH_FIRST_FRAME", "1",
    "GSK_RENDERER", renderer,
    "GSETTINGS_BACKEND", "memory",
    "TERN_BENCH_OPEN_CHAT", NULL,
    NULL
  };
  double ours[RUNS], bare[RUNS], ours_cpu[RUNS], bare_cpu[RUNS], ours_rss[RUNS], bare_rss[RUNS];
  Report report;

  for (guint run = 0; run < RUNS; run++)
    {
      if (!spawn_report (bare_argv, env, &report))
        return FALSE;
      bare[run] = report.first_frame_ms;
      bare_cpu[run] = report.cpu_ms;
      bare_rss[run] = report.first_vmrss_mb;
      if (run == 0)
        g_printerr ("# bare window renderer %s\n", report.renderer);
      if (!spawn_report (tern_argv, env, &report))
        return FALSE;
      ours[run] = report.first_frame_ms;
      ours_cpu[run] = report.cpu_ms;
      ours_rss[run] = report.first_vmrss_mb;
      if (run == 0)
        g_printerr ("# tern renderer %s\n", report.renderer);
    }
  {
    double o = median (ours, RUNS), b = median (bare, RUNS);

    g_print ("ui.startup100k%s.ms %.1f ms\n", suffix, o);
    g_print ("ui.startup.bare%s.ms %.1f ms\n", suffix, b);
    g_print ("ui.startup.ratio_to_bare%s %.2f x\n", suffix, o / b);
    g_print ("ui.startup100k%s.cpu_ms %.1f ms\n", suffix, median (ours_cpu, RUNS));
    g_print ("ui.startup.bare%s.cpu_ms %.1f ms\n", suffix, median (bare_cpu, RUNS));
    g_print ("ui.startup100k%s.rss_mb %.1f MB\n", suffix, median (ours_rss, RUNS));
    g_print ("ui.startup.bare%s.rss_mb %.1f MB\n", suffix, median (bare_rss, RUNS));
  }

  env[G_N_ELEMENTS (env) - 2] = chat;
  if (!spawn_report (tern_argv, env, &report) || report.chat_frame_ms <= 0)
    {
      g_printerr ("bench-ui: tern did not report the opened chat\n");
      return FALSE;
    }
  g_printerr ("# tern with the 50,000-message chat: its first frame %.1f ms after spawn\n",
              report.chat_frame_ms);
  g_print ("ui.rss100k%s.mb %.1f MB\n", suffix, report.vmrss_mb);
  g_print ("ui.rss100k%s.heap_mb %.1f MB\n", suffix, report.heap_mb);
  g_print ("ui.rss100k%s.anon_mb %.1f MB\n", suffix, report.anon_mb);
  g_print ("ui.rss100k%s.file_mb %.1f MB\n", suffix, report.file_mb);
  return TRUE;
}

static void
fill (TernStore *store,
      gint64    *big_chat,
      gint64    *account_out)
{
  g_autoptr(GError) error = NULL;
  gint64 account, chats[CHATS];
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint serial = 0;

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (store);
    TernStoreAccountRow row = { 0 };
    gint64 ref;

    row.address = (char *) "me@example.test";
    row.imap_host = (char *) "127.0.0.1";
    row.enabled = TRUE;
    ref = tern_store_batch_add_account (batch, &row);
    g_assert_true (tern_store_commit (store, batch, &error));
    account = tern_store_batch_get_id (batch, ref);
  }
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (store);
    gint64 refs[CHATS];

    for (guint c = 0; c < CHATS; c++)
      {
        g_autofree char *address = g_strdup_printf ("peer%u@example.test", c);
        g_autofree char *name = g_strdup_printf ("Peer %u", c);
        gint64 contact = tern_store_batch_ensure_contact (batch, account, address, name);

        refs[c] = tern_store_batch_ensure_chat (batch, account, TERN_STORE_CHAT_KIND_DIRECT,
                                                address, name, contact);
      }
    g_assert_true (tern_store_commit (store, batch, &error));
    for (guint c = 0; c < CHATS; c++)
      chats[c] = tern_store_batch_get_id (batch, refs[c]);
  }

  for (guint done = 0; done < TOTAL;)
    {
      g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (store);

      for (guint i = 0; i < 5000 && done < TOTAL; i++, done++)
        {
          g_autofree char *mid = g_strdup_printf ("b%u@example.test", ++serial);
          g_autofree char *text = g_strdup_printf ("Message %u with a few words of text in it", done);
          g_autofree char *address = NULL;
          TernStoreMessageRow row = { 0 };
          guint chat = done < BIG ? 0 : 1 + done % (CHATS - 1);

          address = g_strdup_printf ("peer%u@example.test", chat);
          row.account_id = account;
          row.chat_id = chats[chat];
          row.message_id = mid;
          row.text = text;
          row.sent_time = row.received_time = now - TOTAL + done;
          row.seen = TRUE;
          row.outgoing = done % 3 == 0;
          row.sender_address = row.outgoing ? NULL : address;
          row.kind = TERN_STORE_MESSAGE_KIND_TEXT;
          row.state = row.outgoing ? TERN_STORE_STATE_READ : TERN_STORE_STATE_NONE;
          tern_store_batch_add_message (batch, &row, 0, 0);
        }
      g_assert_true (tern_store_commit (store, batch, &error));
    }
  *big_chat = chats[0];
  *account_out = account;
}

static double max_interval;
static gint64 last_paint;

static void
frame_cb (GdkFrameClock *clock,
          gpointer       user_data)
{
  gint64 t = g_get_monotonic_time ();

  if (last_paint != 0)
    max_interval = MAX (max_interval, (t - last_paint) / 1000.0);
  last_paint = t;
}

static void
rm_rf (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            rm_rf (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("tern-bench-ui-XXXXXX", &error);
  g_autofree char *data_home = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(TernApplication) app = NULL;
  TernStore *store;
  gint64 big_chat, account;
  double open_ms;
  TernWindow *window = NULL;
  g_autoptr(TernChatList) chats = NULL;
  GdkDisplay *display;
  int status = 0;
  gboolean keep = FALSE;

  /* Without a display (tools/bench), run again under our own Xvfb. */
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL &&
      g_getenv ("TERN_BENCH_UI_XVFB") == NULL)
    {
      g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

      g_setenv ("TERN_BENCH_UI_XVFB", "1", TRUE);
      if (g_getenv ("GSETTINGS_SCHEMA_DIR") == NULL)
        g_setenv ("GSETTINGS_SCHEMA_DIR", SCHEMA_DIR, TRUE);
      execl (WITH_XVFB, WITH_XVFB, "--", self ? self : argv[0], (char *) NULL);
      g_printerr ("bench-ui: cannot run %s: %s\n", WITH_XVFB, g_strerror (errno));
      return 1;
    }

  gtk_init ();
  adw_init ();
  display = gdk_display_get_default ();
  if (display == NULL)
    {
      g_printerr ("bench-ui: no display; run it under tests/ui/with-xvfb\n");
      return 1;
    }

  /* The profile: $XDG_DATA_HOME/tern, the app's default data directory.
   * With TERN_BENCH_UI_PROFILE=DIR it is made in DIR and kept, and a DIR
   * that has one is used as it is (for profiling tern by hand:
   * XDG_DATA_HOME=DIR/data TERN_BENCH_FIRST_FRAME=1 tern). */
  g_assert_no_error (error);
  if (g_getenv ("TERN_BENCH_UI_PROFILE") != NULL)
    {
      g_free (root);
      root = g_strdup (g_getenv ("TERN_BENCH_UI_PROFILE"));
      keep = TRUE;
    }
  data_home = g_build_filename (root, "data", NULL);
  dir = g_build_filename (data_home, "tern", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  store = tern_store_open (dir, &error);
  g_assert_no_error (error);
  {
    g_autoptr(TernStoreChatRow) peer0 = tern_store_find_chat (store, 1, TERN_STORE_CHAT_KIND_DIRECT,
                                                               "peer0@example.test", NULL);

    if (keep && peer0 != NULL)
      big_chat = peer0->id;
    else
      fill (store, &big_chat, &account);
  }
  tern_store_close (store);
  g_printerr ("# the 50,000-message chat is %" G_GINT64_FORMAT "\n", big_chat);

  if (!measure_startup (data_home, NULL, "", big_chat) ||
      !measure_startup (data_home, "cairo", ".cairo", big_chat))
    status = 1;

  store = tern_store_open (dir, &error);
  g_assert_no_error (error);

  app = tern_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, NULL);
  g_application_hold (G_APPLICATION (app));

  chats = tern_chat_list_new (store, 0, TERN_STORE_CHAT_FILTER_ACTIVE);
  window = tern_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 680);
  tern_window_set_has_account (window, TRUE);
  tern_window_set_chat_list (window, G_LIST_MODEL (chats));
  gtk_window_present (GTK_WINDOW (window));
  wait_paint (GTK_WIDGET (window));
  g_printerr ("# in process: renderer %s\n",
              G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (window))));

  /* Open the big chat. */
  {
    g_autoptr(TernChat) chat = tern_chat_list_lookup (chats, big_chat);
    gint64 start = g_get_monotonic_time ();

    tern_window_open_chat (window, chat);
    g_printerr ("# open_chat call %.1f ms\n", ms_since (start));
    wait_paint (GTK_WIDGET (window));
    open_ms = ms_since (start);
    g_print ("ui.open_chat50k.ms %.1f ms\n", open_ms);
  }

  /* Let it settle at the bottom, then scroll up through 1,000 messages,
   * one step per frame. */
  for (guint i = 0; i < 30; i++)
    wait_paint (GTK_WIDGET (window));
  {
    TernConversation *conversation = tern_window_get_conversation (window);
    TernMessageList *messages = tern_conversation_get_message_list (conversation);
    GtkAdjustment *adj = tern_conversation_get_vadjustment (conversation);
    GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
    gulong id = g_signal_connect (clock, "after-paint", G_CALLBACK (frame_cb), NULL);
    guint start_n = g_list_model_get_n_items (G_LIST_MODEL (messages));
    guint frames = 0;
    gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

    last_paint = 0;
    max_interval = 0;
    /* ~52 px per message: scroll until 1,000 messages have passed. */
    for (double travelled = 0; travelled < 1000 * 52 && g_get_monotonic_time () < deadline; frames++)
      {
        double step = 40;

        gtk_adjustment_set_value (adj, MAX (0, gtk_adjustment_get_value (adj) - step));
        travelled += step;
        wait_paint (GTK_WIDGET (window));
      }
    g_signal_handler_disconnect (clock, id);
    g_printerr ("# scrolled %u frames, rows loaded %u -> %u\n", frames, start_n,
             g_list_model_get_n_items (G_LIST_MODEL (messages)));
    g_print ("ui.scroll.max_frame_ms %.1f ms\n", max_interval);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&chats);
  tern_store_close (store);
  g_object_unref (store);
  g_application_release (G_APPLICATION (app));
  if (!keep)
    rm_rf (root);
  return status;
}
