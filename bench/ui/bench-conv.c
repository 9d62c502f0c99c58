/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-bench"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>
#include <time.h>

#include "tern-application.h"
#include "tern-chat-list.h"
#include "tern-conversation.h"
#include "tern-window.h"

/* The conversation pane of the real window over a store of 100,000
 * messages (one chat of 50,000, 99 of about 505), in this process, under
 * Xvfb (tests/ui/with-xvfb), the renderer named on the first line:
 *   ui.open_chat50k.ms        switching from a small chat to the 50,000-message chat ->
 *                             the first frame painted after it (wall; median of 5 switches;
 *                             also the first switch and the CPU time of the process)
 *   ui.scroll.max_frame_ms    scrolling up through 1,000 of its messages, 40 px a frame:
 *                             the longest frame, measured with the GdkFrameClock: from the
 *                             time the clock gives the frame (its slot, or the previous
 *                             frame's "after-paint" if later) to its own "after-paint", so
 *                             work done between frames (idle handlers: loading older rows)
 *                             that delays the frame counts. The interval between painted
 *                             frames is printed too (under Xvfb the clock spaces frames by
 *                             >= 16.7 ms).
 *   ui.scroll.max_frame_cpu_ms the same frames in main-thread CPU time (the idle work before
 *                             each included): on a shared machine the wall figure mostly
 *                             measures the other processes; the worst frames are printed as
 *                             comments with where their CPU time went. */

#define TOTAL 100000
#define BIG   50000
#define CHATS 100

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

static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
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

static void
fill (TernStore *store,
      gint64    *big_chat,
      gint64    *small_chat)
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
          g_autofree char *text = NULL;
          g_autofree char *address = NULL;
          TernStoreMessageRow row = { 0 };
          guint chat = done < BIG ? 0 : 1 + done % (CHATS - 1);

          /* Mostly short lines, every seventh a longer paragraph that wraps. */
          if (done % 7 == 0)
            text = g_strdup_printf ("Message %u, a longer one: we could meet at the station "
                                    "at nine and take the first train up the valley, then walk "
                                    "to the hut and be back before dark if the weather holds.",
                                    done);
          else
            text = g_strdup_printf ("Message %u with a few words of text in it", done);
          address = g_strdup_printf ("peer%u@example.test", chat);
          row.account_id = account;
          row.chat_id = chats[chat];
          row.message_id = mid;
          row.text = text;
          /* A few messages a day, so day separators show up. */
          row.sent_time = row.received_time = now - (TOTAL - done) * 3000;
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
  *small_chat = chats[1];
}

/* Frame accounting while scrolling: a frame lasts from when it could have
 * started (the clock's next slot after the previous frame, or the end of
 * the previous frame if later) to its "after-paint", so work done between
 * frames that delays it (idle handlers loading older rows) counts too. */
#define REFRESH_US 16667
static gint64 update_time, slot_time, prev_update, last_paint;

/* The worst frames, to say where their time went (printed as comments). */
#define WORST 8
typedef struct
{
  double ms;
  double late;         /* wall ms from when the frame could start to its "update" */
  double cpu;          /* main-thread CPU of the frame, the idle work before it included */
  guint  index;
  double before_cpu;   /* main-thread CPU between the previous frame and this one */
  double update_cpu, layout_cpu, paint_cpu;
  int    rows_loaded;  /* message list rows added since the previous frame */
  int    rows_shown;   /* list view items added since the previous frame */
} FrameInfo;
/* Frames by length, wall and main-thread CPU: < 8, < 12, < 16, < 24, < 33, < 50, >= 50 ms */
static const double bucket_ms[] = { 8, 12, 16, 24, 33, 50 };
#define N_BUCKETS (G_N_ELEMENTS (bucket_ms) + 1)

/* The figures of one scroll phase (scroll_up() clears them). */
static struct
{
  double    max_frame, max_interval, sum_frame, max_frame_slot;
  guint     n_frames, over_16, over_16_slot;
  FrameInfo worst[WORST], worst_cpu[WORST];
  double    max_frame_cpu, sum_frame_cpu;
  guint     over_16_cpu;
  /* Mean main-thread CPU per phase, for frames that showed or hid rows and
   * for frames that only moved them: [kind][idle+ticks, css+layout, paint] */
  double    phase_sum[2][3];
  guint     phase_n[2];
  guint     hist_wall[N_BUCKETS], hist_cpu[N_BUCKETS];
} stats;

static guint
bucket (double ms)
{
  guint i = 0;

  while (i < G_N_ELEMENTS (bucket_ms) && ms >= bucket_ms[i])
    i++;
  return i;
}
static FrameInfo current;
static double cpu_mark;
static GListModel *watch_loaded, *watch_shown;
static guint last_loaded, last_shown;

static double thread_cpu_ms (void);

static void
update_cb (GdkFrameClock *clock,
           gpointer       user_data)
{
  double now = thread_cpu_ms ();

  update_time = g_get_monotonic_time ();
  /* The time the clock gives this frame: its slot on the clock's grid of
   * refresh intervals (smoothed), not when the frame happened to start. */
  slot_time = gdk_frame_clock_get_frame_time (clock);
  current.before_cpu = now - cpu_mark;
  cpu_mark = now;
}

static void
layout_mark_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  double now = thread_cpu_ms ();

  current.update_cpu = now - cpu_mark;
  cpu_mark = now;
}

static void
paint_mark_cb (GdkFrameClock *clock,
               gpointer       user_data)
{
  double now = thread_cpu_ms ();

  current.layout_cpu = now - cpu_mark;
  cpu_mark = now;
}

static void
record_frame (double frame)
{
  double now = thread_cpu_ms ();
  guint loaded = g_list_model_get_n_items (watch_loaded);
  guint shown = g_list_model_get_n_items (watch_shown);

  current.paint_cpu = now - cpu_mark;
  cpu_mark = now;
  current.ms = frame;
  {
    double cpu = current.before_cpu + current.update_cpu + current.layout_cpu + current.paint_cpu;

    current.cpu = cpu;
    stats.max_frame_cpu = MAX (stats.max_frame_cpu, cpu);
    stats.sum_frame_cpu += cpu;
    if (cpu > 16)
      stats.over_16_cpu++;
    stats.hist_cpu[bucket (cpu)]++;
    stats.hist_wall[bucket (frame)]++;
  }
  current.index = stats.n_frames;
  current.rows_loaded = (int) loaded - (int) last_loaded;
  current.rows_shown = (int) shown - (int) last_shown;
  {
    guint kind = current.rows_loaded != 0 || current.rows_shown != 0;

    stats.phase_sum[kind][0] += current.before_cpu;
    stats.phase_sum[kind][1] += current.update_cpu;
    stats.phase_sum[kind][2] += current.layout_cpu + current.paint_cpu;
    stats.phase_n[kind]++;
  }
  last_loaded = loaded;
  last_shown = shown;
  for (guint i = 0; i < WORST; i++)
    if (frame > stats.worst[i].ms)
      {
        memmove (&stats.worst[i + 1], &stats.worst[i], (WORST - i - 1) * sizeof *stats.worst);
        stats.worst[i] = current;
        break;
      }
  for (guint i = 0; i < WORST; i++)
    if (current.cpu > stats.worst_cpu[i].cpu)
      {
        memmove (&stats.worst_cpu[i + 1], &stats.worst_cpu[i], (WORST - i - 1) * sizeof *stats.worst_cpu);
        stats.worst_cpu[i] = current;
        break;
      }
  memset (&current, 0, sizeof current);
}

static void
scroll_paint_cb (GdkFrameClock *clock,
                 gpointer       user_data)
{
  gint64 t = g_get_monotonic_time ();
  gint64 could_start = update_time, slot_start = update_time;
  double frame;

  /* A frame could start at its slot on the frame clock's grid, or when the
   * previous one was painted if that was later; work done before it
   * starts (idle handlers) counts. Earlier versions took the previous
   * frame's update plus one refresh interval as the slot, which counted
   * the clock's own pacing to its grid (the main loop asleep, up to a
   * refresh interval) as frame time: that figure is printed too. */
  if (last_paint != 0)
    {
      could_start = MIN (update_time, MAX (last_paint, slot_time));
      slot_start = MIN (update_time, MAX (last_paint, prev_update + REFRESH_US));
    }
  frame = (t - could_start) / 1000.0;
  stats.max_frame_slot = MAX (stats.max_frame_slot, (t - slot_start) / 1000.0);
  if ((t - slot_start) / 1000.0 > 16)
    stats.over_16_slot++;
  if (last_paint != 0)
    stats.max_interval = MAX (stats.max_interval, (t - last_paint) / 1000.0);
  stats.max_frame = MAX (stats.max_frame, frame);
  current.late = (update_time - could_start) / 1000.0;
  record_frame (frame);
  stats.sum_frame += frame;
  stats.n_frames++;
  if (frame > 16)
    stats.over_16++;
  last_paint = t;
  prev_update = update_time;
}

/* Where the time of an open goes (main thread CPU ms at each point). */
static double phase_update, phase_layout, phase_paint;

static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void
phase_cb (GdkFrameClock *clock,
          double        *slot)
{
  if (*slot == 0)
    *slot = thread_cpu_ms ();
}

static double
open_chat (TernWindow     *window,
           TernChatList   *chats,
           gint64          id,
           double         *cpu)
{
  g_autoptr(TernChat) chat = tern_chat_list_lookup (chats, id);
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  double c = cpu_ms ();
  double t = thread_cpu_ms (), call;
  gint64 start = g_get_monotonic_time ();
  double ms;
  gulong ids[3];

  phase_update = phase_layout = phase_paint = 0;
  ids[0] = g_signal_connect (clock, "update", G_CALLBACK (phase_cb), &phase_update);
  ids[1] = g_signal_connect (clock, "layout", G_CALLBACK (phase_cb), &phase_layout);
  ids[2] = g_signal_connect (clock, "paint", G_CALLBACK (phase_cb), &phase_paint);
  tern_window_open_chat (window, chat);
  call = thread_cpu_ms ();
  wait_paint (GTK_WIDGET (window));
  ms = ms_since (start);
  for (guint i = 0; i < 3; i++)
    g_signal_handler_disconnect (clock, ids[i]);
  if (cpu)
    {
      *cpu = cpu_ms () - c;
      g_print ("# open: call %.1f, to update-end %.1f, layout %.1f, paint %.1f, after %.1f "
               "(main-thread CPU ms)\n", call - t, phase_update - call,
               phase_layout - phase_update, phase_paint - phase_layout,
               thread_cpu_ms () - phase_paint);
    }
  return ms;
}

/* Scrolls the open conversation up through @n_messages (about 52 px each)
 * at 40 px a frame and prints the frame figures as @prefix.*. */
static void
scroll_up (TernWindow *window,
           guint       n_messages,
           const char *prefix)
{
  TernConversation *conversation = tern_window_get_conversation (window);
  TernMessageList *messages = tern_conversation_get_message_list (conversation);
  GtkAdjustment *adj = tern_conversation_get_vadjustment (conversation);
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  gulong update_id = g_signal_connect (clock, "update", G_CALLBACK (update_cb), NULL);
  gulong paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (scroll_paint_cb), NULL);
  gulong layout_id = g_signal_connect (clock, "layout", G_CALLBACK (layout_mark_cb), NULL);
  gulong paint_mark_id = g_signal_connect (clock, "paint", G_CALLBACK (paint_mark_cb), NULL);
  guint start_n = g_list_model_get_n_items (G_LIST_MODEL (messages));
  guint frames = 0;
  double cpu = cpu_ms ();
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + 120 * G_USEC_PER_SEC;

  g_print ("# %s\n", prefix);
  memset (&stats, 0, sizeof stats);
  memset (&current, 0, sizeof current);
  update_time = slot_time = prev_update = last_paint = 0;
  /* ~52 px a message on average: 40 px a frame until that many messages
   * have passed. */
  watch_loaded = G_LIST_MODEL (messages);
  watch_shown = G_LIST_MODEL (gtk_list_view_get_model (tern_conversation_get_list_view (conversation)));
  last_loaded = g_list_model_get_n_items (watch_loaded);
  last_shown = g_list_model_get_n_items (watch_shown);
  cpu_mark = thread_cpu_ms ();
  for (double travelled = 0; travelled < n_messages * 52.0 &&
       g_get_monotonic_time () < deadline; frames++)
    {
      gtk_adjustment_set_value (adj, MAX (0, gtk_adjustment_get_value (adj) - 40));
      travelled += 40;
      wait_paint (GTK_WIDGET (window));
    }
  g_signal_handler_disconnect (clock, update_id);
  g_signal_handler_disconnect (clock, paint_id);
  g_signal_handler_disconnect (clock, layout_id);
  g_signal_handler_disconnect (clock, paint_mark_id);
  /* GTK's own handlers of each phase run before these marks: the first
   * figure is the idle work since the last frame and the tick callbacks,
   * then CSS and size allocation, then the snapshot and the renderer. */
  for (guint h = 0; h < 2; h++)
    {
      const FrameInfo *list = h == 0 ? stats.worst : stats.worst_cpu;

      for (guint i = 0; i < WORST && list[i].ms > 0; i++)
        g_print ("# stats.worst frame by %s %u: %.1f ms wall (%.1f before its update), %.1f ms CPU; "
                 "main-thread CPU: idle+ticks %.1f, "
                 "css+layout %.1f, paint %.1f, after %.1f; rows loaded %d, rows shown %d\n",
                 h == 0 ? "wall" : "CPU", list[i].index, list[i].ms, list[i].late, list[i].cpu,
                 list[i].before_cpu, list[i].update_cpu, list[i].layout_cpu, list[i].paint_cpu,
                 list[i].rows_loaded, list[i].rows_shown);
    }
  g_print ("# scrolled %u frames in %.0f ms wall, %.0f ms CPU; rows loaded %u -> %u\n",
           frames, ms_since (start), cpu_ms () - cpu, start_n,
           g_list_model_get_n_items (G_LIST_MODEL (messages)));
  g_print ("# frames over 16 ms: %u of %u; mean frame %.2f ms; longest interval between "
           "painted frames %.1f ms\n", stats.over_16, stats.n_frames, stats.sum_frame / MAX (stats.n_frames, 1),
           stats.max_interval);
  g_print ("# frames over 16 ms of main-thread CPU: %u of %u; mean %.2f ms\n", stats.over_16_cpu,
           stats.n_frames, stats.sum_frame_cpu / MAX (stats.n_frames, 1));
  for (guint kind = 0; kind < 2; kind++)
    g_print ("# %u frames %s: mean main-thread CPU idle+ticks %.2f, css+layout %.2f, paint %.2f ms\n",
             stats.phase_n[kind], kind ? "that added or hid rows" : "that only moved rows",
             stats.phase_sum[kind][0] / MAX (stats.phase_n[kind], 1), stats.phase_sum[kind][1] / MAX (stats.phase_n[kind], 1),
             stats.phase_sum[kind][2] / MAX (stats.phase_n[kind], 1));
  for (guint h = 0; h < 2; h++)
    {
      const guint *hist = h == 0 ? stats.hist_wall : stats.hist_cpu;
      g_autoptr(GString) line = g_string_new (h == 0 ? "# frames by wall ms:" : "# frames by CPU ms: ");

      for (guint i = 0; i < N_BUCKETS; i++)
        {
          if (i == 0)
            g_string_append_printf (line, " <%.0f: %u", bucket_ms[0], hist[i]);
          else if (i == N_BUCKETS - 1)
            g_string_append_printf (line, ", >=%.0f: %u", bucket_ms[i - 1], hist[i]);
          else
            g_string_append_printf (line, ", %.0f-%.0f: %u", bucket_ms[i - 1], bucket_ms[i], hist[i]);
        }
      g_print ("%s\n", line->str);
    }
  g_print ("# counted from the previous update plus one refresh interval instead of the "
           "frame's slot: longest %.1f ms, %u frames over 16 ms\n", stats.max_frame_slot, stats.over_16_slot);
  g_print ("%s.max_frame_ms %.1f ms\n", prefix, stats.max_frame);
  /* The same frames in main-thread CPU time (idle work before the frame
   * included): what the app asks of the machine, whatever else runs. */
  g_print ("%s.max_frame_cpu_ms %.1f ms\n", prefix, stats.max_frame_cpu);
  g_print ("%s.frames_over_16ms %u frames\n", prefix, stats.over_16);
  g_print ("%s.frames_over_16ms_cpu %u frames\n", prefix, stats.over_16_cpu);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tern-bench-conv-XXXXXX", &error);
  g_autoptr(TernApplication) app = NULL;
  g_autoptr(TernChatList) chats = NULL;
  TernStore *store;
  TernWindow *window;
  gint64 big_chat, small_chat;
  double opens[5], cpus[5], first, first_cpu;
  guint scroll_messages = argc > 1 ? (guint) atoi (argv[1]) : 1000;

  gtk_init ();
  adw_init ();
  if (gdk_display_get_default () == NULL)
    {
      g_printerr ("bench-conv: no display; run it under tests/ui/with-xvfb\n");
      return 1;
    }

  store = tern_store_open (dir, &error);
  g_assert_no_error (error);
  fill (store, &big_chat, &small_chat);

  app = tern_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, NULL);
  g_application_hold (G_APPLICATION (app));

  chats = tern_chat_list_new (store, 0, TERN_STORE_CHAT_FILTER_ACTIVE);
  window = tern_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), g_getenv ("TERN_BENCH_WIDTH") ? atoi (g_getenv ("TERN_BENCH_WIDTH")) : 960, 680);
  tern_window_set_has_account (window, TRUE);
  tern_window_set_chat_list (window, G_LIST_MODEL (chats));
  gtk_window_present (GTK_WINDOW (window));
  wait_paint (GTK_WIDGET (window));
  g_print ("# renderer %s\n", G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (window))));

  /* A small chat first, so opening the big one is a switch. */
  open_chat (window, chats, small_chat, NULL);
  for (guint i = 0; i < 10; i++)
    wait_paint (GTK_WIDGET (window));
  first = open_chat (window, chats, big_chat, &first_cpu);
  for (guint run = 0; run < 5; run++)
    {
      for (guint i = 0; i < 10; i++)
        wait_paint (GTK_WIDGET (window));
      open_chat (window, chats, small_chat, NULL);
      for (guint i = 0; i < 10; i++)
        wait_paint (GTK_WIDGET (window));
      opens[run] = open_chat (window, chats, big_chat, &cpus[run]);
    }
  g_print ("# first switch %.1f ms wall, %.1f ms CPU\n", first, first_cpu);
  g_print ("# switches (wall ms): %.1f %.1f %.1f %.1f %.1f\n",
           opens[0], opens[1], opens[2], opens[3], opens[4]);
  g_print ("ui.open_chat50k.cpu_ms %.1f ms\n", median (cpus, 5));
  g_print ("ui.open_chat50k.ms %.1f ms\n", median (opens, 5));

  /* Let it settle at the bottom, then scroll up, one step per frame. */
  for (guint i = 0; i < 30; i++)
    wait_paint (GTK_WIDGET (window));
  scroll_up (window, scroll_messages, "ui.scroll");

  /* Jump to a message 5,000 back (a reply's quote does this: every row
   * loaded on the way is shown), then scroll up from there. */
  {
    TernConversation *conversation = tern_window_get_conversation (window);
    TernMessageList *messages = tern_conversation_get_message_list (conversation);
    guint n = g_list_model_get_n_items (G_LIST_MODEL (messages));
    gint64 target = 0;

    while (n < 5000 && tern_message_list_get_has_more (messages))
      {
        tern_message_list_load_older (messages, 0);
        n = g_list_model_get_n_items (G_LIST_MODEL (messages));
      }
    {
      g_autoptr(TernMessage) message = g_list_model_get_item (G_LIST_MODEL (messages), n - 5000);

      target = tern_message_get_id (message);
    }
    tern_conversation_scroll_to_message (conversation, target);
    for (guint i = 0; i < 60; i++)
      wait_paint (GTK_WIDGET (window));
    scroll_up (window, scroll_messages / 2, "ui.scroll_after_jump");
  }

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&chats);
  tern_store_close (store);
  g_object_unref (store);
  g_application_release (G_APPLICATION (app));
  return 0;
}
