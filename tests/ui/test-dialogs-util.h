/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers shared by the dialog tests (test-dialogs*.c): waiting on the main
 * loop with a deadline, frames and screenshots. */

#include <adwaita.h>
#include <glib/gstdio.h>

#ifndef DIALOGS_TIMEOUT_SECONDS
#define DIALOGS_TIMEOUT_SECONDS 90
#endif

static inline void
dlg_flush (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Iterates the main loop until @check (@data) holds; fails after the timeout. */
static inline void
dlg_wait_for (gboolean   (*check) (gpointer),
              gpointer     data,
              const char  *what)
{
  gint64 deadline = g_get_monotonic_time () + DIALOGS_TIMEOUT_SECONDS * G_USEC_PER_SEC;

  while (!check (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s", what);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
}

static inline void
dlg_after_paint_cb (GdkFrameClock *clock,
                    gboolean      *painted)
{
  *painted = TRUE;
}

static inline gboolean
dlg_is_true (gpointer data)
{
  return *(gboolean *) data;
}

static inline gboolean
dlg_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static inline gboolean
dlg_is_set (gpointer slot)
{
  return *(gpointer *) slot != NULL;
}

static inline void
dlg_got_result (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static inline void
dlg_wait_for_frame (GtkWidget *widget)
{
  gboolean painted = FALSE;
  GdkFrameClock *clock;
  gulong id;

  dlg_wait_for (dlg_is_mapped, widget, "the window to map");
  clock = gtk_widget_get_frame_clock (widget);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (dlg_after_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  dlg_wait_for (dlg_is_true, &painted, "a frame");
  g_signal_handler_disconnect (clock, id);
  dlg_flush ();
}

/* Renders @widget's window to <screenshot dir>/@name.png. */
static inline void
dlg_save_screenshot (GtkWidget  *widget,
                     const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *png = g_strconcat (name, ".png", NULL);
  g_autofree char *file = NULL;
  const char *dir = g_getenv ("TERN_SCREENSHOT_DIR");
  int width, height;

  for (guint i = 0; i < 3; i++)
    dlg_wait_for_frame (widget);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  if (dir == NULL || *dir == '\0')
    dir = g_getenv ("TERN_UI_SCREENSHOT_DEFAULT_DIR");
  if (dir == NULL || *dir == '\0')
    dir = "screenshots";

  for (guint attempt = 0; attempt < 20 && node == NULL; attempt++)
    {
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();

      if (attempt > 0)
        dlg_wait_for_frame (widget);
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  if (node == NULL)
    {
      g_test_message ("could not capture %s", name);
      return;
    }
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  file = g_build_filename (dir, png, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, file));
  g_test_message ("screenshot: %s (%dx%d)", file, width, height);
}

static inline GtkWidget *
dlg_template_child (gpointer    widget,
                    GType       type,
                    const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

static inline void
dlg_set_text (gpointer    widget,
              GType       type,
              const char *name,
              const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (dlg_template_child (widget, type, name)), text);
}

/* The first descendant of @widget of @type (depth first), or NULL. */
static inline GtkWidget *
dlg_find_descendant (GtkWidget *widget,
                     GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = dlg_find_descendant (c, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The first descendant of @widget with CSS class @css_class, or NULL. */
static inline GtkWidget *
dlg_find_by_class (GtkWidget  *widget,
                   const char *css_class)
{
  if (gtk_widget_has_css_class (widget, css_class))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = dlg_find_by_class (c, css_class);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A toplevel window of @type other than @except, or NULL. */
static inline GtkWindow *
dlg_find_toplevel (GType      type,
                   GtkWindow *except)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (w != except && G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

static inline void
dlg_remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        dlg_remove_tree (child);
      else
        g_unlink (child);
    }
  if (dir != NULL)
    g_dir_close (dir);
  g_rmdir (path);
}
