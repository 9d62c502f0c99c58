/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-bench"

#include <adwaita.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The baseline of bench-ui's start-up figure: a bare libadwaita application
 * whose window shows a 10,000-row GtkListView of labels. Spawned by bench-ui
 * like tern itself; prints the same "tern-bench NAME VALUE" lines as tern
 * with TERN_BENCH_FIRST_FRAME (first-frame in g_get_monotonic_time() µs,
 * cpu-us, first-frame-vmrss-kb, renderer) and quits. */

static GtkWidget *list;

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *item)
{
  gtk_list_item_set_child (item, gtk_label_new (NULL));
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item)
{
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      gtk_string_object_get_string (gtk_list_item_get_item (item)));
}

static gint64
cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void
after_paint_cb (GdkFrameClock *clock,
                GtkWindow     *window)
{
  gint64 now = g_get_monotonic_time ();
  GtkWidget *row = gtk_widget_get_first_child (list);

  if (row == NULL || !gtk_widget_get_mapped (row))
    return;
  g_print ("tern-bench first-frame %" G_GINT64_FORMAT "\n", now);
  g_print ("tern-bench cpu-us %" G_GINT64_FORMAT "\n", cpu_us ());
  {
    struct timespec ts;

    clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
    g_print ("tern-bench main-thread-cpu-us %" G_GINT64_FORMAT "\n",
             (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000);
  }
  {
    g_autofree char *status = NULL;
    const char *line;

    if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL) &&
        (line = strstr (status, "\nVmRSS:")) != NULL)
      g_print ("tern-bench first-frame-vmrss-kb %" G_GINT64_FORMAT "\n",
               g_ascii_strtoll (line + strlen ("\nVmRSS:"), NULL, 10));
  }
  g_print ("tern-bench renderer %s\n",
           G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (window))));
  fflush (stdout);
  g_signal_handlers_disconnect_by_func (clock, after_paint_cb, window);
  g_application_quit (g_application_get_default ());
}

static void
realize_cb (GtkWidget *window)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (after_paint_cb), window);
}

static void
activate_cb (GApplication *app)
{
  GtkStringList *strings = gtk_string_list_new (NULL);
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *scroll = gtk_scrolled_window_new ();

  for (guint i = 0; i < 10000; i++)
    {
      char s[32];

      g_snprintf (s, sizeof s, "Row %u", i);
      gtk_string_list_append (strings, s);
    }
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), NULL);
  list = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (strings))),
                            factory);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), list);
  gtk_widget_set_vexpand (scroll, TRUE);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), scroll);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 680);
  g_signal_connect (window, "realize", G_CALLBACK (realize_cb), NULL);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = adw_application_new ("io.github.ternchat.BenchBareWindow",
                                                       G_APPLICATION_DEFAULT_FLAGS);

  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
