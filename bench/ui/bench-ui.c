/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-bench"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "tern-application.h"
#include "tern-chat-list.h"
#include "tern-conversation.h"
#include "tern-window.h"

/* The window over a store of 100,000 messages (one chat of 50,000, 99 of
 * about 505), in this process, under Xvfb:
 *   ui.startup100k.ms         window creation -> first frame showing the chat list
 *   ui.startup.bare.ms        the same for a bare AdwWindow with a 10,000-row GtkListView
 *   ui.startup.ratio_to_bare  the two, measured in the same run (medians of 5)
 *   ui.open_chat50k.ms        opening the 50,000-message chat -> its first frame
 *   ui.scroll.max_frame_ms    scrolling up through 1,000 of its messages: the longest
 *                             interval between painted frames (GdkFrameClock)
 *   ui.rss100k.mb             resident memory at the end
 * NOTE: start-up is measured in-process (window construction, not exec). */

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
setup_label_cb (GtkSignalListItemFactory *f,
                GtkListItem              *item)
{
  gtk_list_item_set_child (item, gtk_label_new (NULL));
}

static void
bind_label_cb (GtkSignalListItemFactory *f,
               GtkListItem              *item)
{
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      gtk_string_object_get_string (gtk_list_item_get_item (item)));
}

static double
bare_startup (void)
{
  g_autoptr(GtkStringList) strings = gtk_string_list_new (NULL);
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *window, *scroll, *list;
  gint64 start;
  double ms;

  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *s = g_strdup_printf ("Row %u", i);

      gtk_string_list_append (strings, s);
    }
  g_signal_connect (factory, "setup", G_CALLBACK (setup_label_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_label_cb), NULL);

  start = g_get_monotonic_time ();
  window = adw_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 680);
  scroll = gtk_scrolled_window_new ();
  list = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (strings)))),
                            factory);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), list);
  adw_window_set_content (ADW_WINDOW (window), scroll);
  gtk_window_present (GTK_WINDOW (window));
  wait_paint (window);
  ms = ms_since (start);
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return ms;
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

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tern-bench-ui-XXXXXX", &error);
  g_autoptr(TernApplication) app = NULL;
  TernStore *store;
  gint64 big_chat, account;
  double ours[5], bare[5], open_ms;
  TernWindow *window = NULL;
  g_autoptr(TernChatList) chats = NULL;
  GdkDisplay *display;

  gtk_init ();
  adw_init ();
  display = gdk_display_get_default ();
  if (display == NULL)
    {
      g_printerr ("bench-ui: no display; run it under tests/ui/with-xvfb\n");
      return 1;
    }

  store = tern_store_open (dir, &error);
  g_assert_no_error (error);
  fill (store, &big_chat, &account);

  app = tern_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, NULL);
  g_application_hold (G_APPLICATION (app));

  for (guint run = 0; run < 5; run++)
    {
      gint64 start;

      bare[run] = bare_startup ();

      start = g_get_monotonic_time ();
      g_clear_object (&chats);
      chats = tern_chat_list_new (store, 0, TERN_STORE_CHAT_FILTER_ACTIVE);
      window = tern_window_new (app);
      gtk_window_set_default_size (GTK_WINDOW (window), 960, 680);
      tern_window_set_has_account (window, TRUE);
      tern_window_set_chat_list (window, G_LIST_MODEL (chats));
      gtk_window_present (GTK_WINDOW (window));
      wait_paint (GTK_WIDGET (window));
      ours[run] = ms_since (start);
      if (run < 4)
        {
          gtk_window_destroy (GTK_WINDOW (window));
          while (g_main_context_iteration (NULL, FALSE))
            ;
        }
    }

  {
    GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));

    g_print ("# renderer %s\n", G_OBJECT_TYPE_NAME (renderer));
  }
  {
    double o = median (ours, 5), b = median (bare, 5);

    g_print ("ui.startup100k.ms %.1f ms\n", o);
    g_print ("ui.startup.bare.ms %.1f ms\n", b);
    g_print ("ui.startup.ratio_to_bare %.2f x\n", o / b);
  }

  /* Open the big chat. */
  {
    g_autoptr(TernChat) chat = tern_chat_list_lookup (chats, big_chat);
    gint64 start = g_get_monotonic_time ();

    tern_window_open_chat (window, chat);
    g_print ("# open_chat call %.1f ms\n", ms_since (start));
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
    g_print ("# scrolled %u frames, rows loaded %u -> %u\n", frames, start_n,
             g_list_model_get_n_items (G_LIST_MODEL (messages)));
    g_print ("ui.scroll.max_frame_ms %.1f ms\n", max_interval);
  }

  {
    g_autofree char *statm = NULL;
    long pages = 0, resident = 0;

    if (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL) &&
        sscanf (statm, "%ld %ld", &pages, &resident) == 2)
      g_print ("ui.rss100k.mb %.1f MB\n", resident * (double) sysconf (_SC_PAGESIZE) / (1024 * 1024));
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
