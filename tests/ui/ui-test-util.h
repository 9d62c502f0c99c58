/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers shared by the UI test programs (tests/ui/test-*.c): the stack
 * environment, waiting on the main loop with a deadline, frames and
 * screenshots, finding windows and template children, removing a data
 * directory. A program may define TIMEOUT_SECONDS before including this
 * header; the default suits the tests against the stack. */

#include <adwaita.h>
#include <glib/gstdio.h>

#include "tern-account.h"
#include "tern-application.h"
#include "tern-chat.h"
#include "tern-message-row.h"
#include "tern-store.h"
#include "tern-window.h"

#ifndef TIMEOUT_SECONDS
#define TIMEOUT_SECONDS 90
#endif

/* ---- the program -------------------------------------------------------- */

/* Sets the C locale (the assertions compare with untranslated strings and C
 * formats, whatever the locale of whoever runs the test), initialises GTest
 * and checks for a display; FALSE, having said why, when there is none. */
static inline gboolean
ui_test_init (int         *argc,
              char      ***argv,
              const char  *program)
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (argc, argv, NULL);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("%s: no display; run it under tests/ui/with-xvfb\n", program);
      return FALSE;
    }
  return TRUE;
}

/* A registered, held, non-unique TernApplication (the default application). */
static inline TernApplication *
ui_test_app_new (void)
{
  g_autoptr(GError) error = NULL;
  TernApplication *app = tern_application_new ();

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_hold (G_APPLICATION (app));
  return app;
}

/* ---- the test stack's environment ---------------------------------------- */

static inline const char *
env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || *value == '\0')
    g_error ("%s is not set: run this test inside tests/stack/with-stack", name);
  return value;
}

static inline guint16
env_port (const char *name)
{
  return (guint16) g_ascii_strtoull (env (name), NULL, 10);
}

/* Account settings for @address on the test stack (STARTTLS, no filter,
 * password not stored). */
static inline TernAccountSettings *
stack_settings (const char *address)
{
  TernAccountSettings *s = tern_account_settings_new (address);

  s->store_password = FALSE;
  s->imap_host = g_strdup (env ("TERN_TEST_HOST"));
  s->imap_port = env_port ("TERN_TEST_IMAP_PORT");
  s->imap_security = TERN_ACCOUNT_SECURITY_STARTTLS;
  s->smtp_host = g_strdup (env ("TERN_TEST_HOST"));
  s->smtp_port = env_port ("TERN_TEST_SMTP_PORT");
  s->smtp_security = TERN_ACCOUNT_SECURITY_STARTTLS;
  s->filter_mode = TERN_FILTER_MODE_NONE;
  return s;
}

/* ---- the main loop ------------------------------------------------------- */

static inline void
flush (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Iterates the main loop until @check (@data) holds; fails after
 * TIMEOUT_SECONDS. */
static inline void
wait_for (gboolean   (*check) (gpointer),
          gpointer     data,
          const char  *what)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_SECONDS * G_USEC_PER_SEC;

  while (!check (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

/* A timeout source's callback that fails, naming what was awaited. */
static inline gboolean
timeout_cb (gpointer user_data)
{
  g_error ("timed out waiting for %s", (const char *) user_data);
  return G_SOURCE_REMOVE;
}

static inline gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static inline gboolean
is_set (gpointer slot)
{
  return *(gpointer *) slot != NULL;
}

static inline gboolean
is_set_not (gpointer slot)
{
  return *(gpointer *) slot == NULL;
}

static inline gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* Iterates the main loop until *@flag is set; fails after TIMEOUT_SECONDS. */
static inline void
wait_until (gboolean   *flag,
            const char *what)
{
  wait_for (is_true, flag, what);
}

/* An async callback that keeps the result in *(GAsyncResult **) @user_data. */
static inline void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* ---- frames and screenshots ---------------------------------------------- */

static inline void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

/* Waits until @widget is mapped and one more frame of it has been painted. */
static inline void
wait_for_frame (GtkWidget *widget)
{
  gboolean painted = FALSE;
  GdkFrameClock *clock;
  gulong id;

  wait_for (is_mapped, widget, "the window to map");
  clock = gtk_widget_get_frame_clock (widget);
  g_assert_nonnull (clock);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  wait_for (is_true, &painted, "a frame");
  g_signal_handler_disconnect (clock, id);
  flush ();
}

static inline void
wait_frames (GtkWidget *widget,
             guint      n)
{
  for (guint i = 0; i < n; i++)
    wait_for_frame (widget);
}

/* $TERN_SCREENSHOT_DIR, else the build's default, else ./screenshots. */
static inline const char *
screenshot_dir (void)
{
  const char *dir = g_getenv ("TERN_SCREENSHOT_DIR");

  if (dir == NULL || *dir == '\0')
    dir = g_getenv ("TERN_UI_SCREENSHOT_DEFAULT_DIR");
  if (dir == NULL || *dir == '\0')
    dir = "screenshots";
  return dir;
}

/* Renders @widget to <screenshot dir>/@name.png and returns the texture.
 * When the widget cannot be captured, fails if @strict, otherwise says so
 * and returns NULL (the picture is for people; assertions check the UI). */
static inline GdkTexture *
capture_screenshot (GtkWidget  *widget,
                    const char *name,
                    gboolean    strict)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  GdkTexture *texture;
  g_autofree char *png = g_strconcat (name, ".png", NULL);
  g_autofree char *file = NULL;
  const char *dir = screenshot_dir ();
  int width, height;

  wait_for_frame (widget);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  if (strict)
    {
      g_assert_cmpint (width, >, 0);
      g_assert_cmpint (height, >, 0);
    }

  g_test_message ("screenshot of %s", name);
  for (guint attempt = 0; attempt < 20 && node == NULL; attempt++)
    {
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();

      if (attempt > 0)
        wait_for_frame (widget);
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  if (strict)
    g_assert_nonnull (node);
  if (node == NULL)
    {
      g_test_message ("could not capture %s", name);
      return NULL;
    }
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  file = g_build_filename (dir, png, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, file));
  g_test_message ("screenshot: %s (%dx%d)", file, width, height);
  return texture;
}

/* The mean luminance (0..1) of @texture. */
static inline double
texture_luminance (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = (gsize) width * 4;
  g_autofree guchar *pixels = g_malloc (stride * height);
  double sum = 0;

  gdk_texture_download (texture, pixels, stride);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guchar *p = pixels + y * stride + x * 4;

        sum += (0.0722 * p[0] + 0.7152 * p[1] + 0.2126 * p[2]) / 255.0;
      }
  return sum / ((double) width * height);
}

/* ---- windows and widgets ------------------------------------------------- */

/* A window of @type of the default application, or NULL. */
static inline gpointer
find_window (GType type)
{
  GApplication *app = g_application_get_default ();

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type))
      return l->data;
  return NULL;
}

static inline gboolean
has_window (gpointer type)
{
  return find_window (GPOINTER_TO_SIZE (type)) != NULL;
}

static inline gpointer
wait_for_window (GType type)
{
  wait_for (has_window, GSIZE_TO_POINTER (type), g_type_name (type));
  return find_window (type);
}

static inline GtkWidget *
template_child (gpointer    widget,
                GType       type,
                const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

/* Adds the mapped descendants of @widget (itself included) of @type to @found. */
static inline void
collect (GtkWidget *widget,
         GType      type,
         GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && gtk_widget_get_mapped (widget))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    collect (child, type, found);
}

/* ---- files --------------------------------------------------------------- */

/* Removes @path and everything under it (symbolic links are not followed). */
static inline void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  if (dir != NULL)
    g_dir_close (dir);
  g_rmdir (path);
}

/* Saves a screenshot of @widget; one that cannot be captured is reported. */
static inline void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  g_autoptr(GdkTexture) texture = capture_screenshot (widget, name, FALSE);
}

/* Saves a screenshot of @widget; fails if it cannot be captured. */
static inline void
save_screenshot_strict (GtkWidget  *widget,
                        const char *name)
{
  g_autoptr(GdkTexture) texture = capture_screenshot (widget, name, TRUE);
}

/* Saves a screenshot of @widget (failing if it cannot be captured) and
 * returns its mean luminance (0..1). */
static inline double
save_screenshot_luminance (GtkWidget  *widget,
                           const char *name)
{
  g_autoptr(GdkTexture) texture = capture_screenshot (widget, name, TRUE);

  return texture_luminance (texture);
}

/* ---- a window over a fixture store --------------------------------------- */

/* Commits @batch to @store, which must succeed, and lets the models follow. */
static inline void
store_commit (TernStore      *store,
              TernStoreBatch *batch)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tern_store_commit (store, batch, &error));
  g_assert_no_error (error);
  flush ();
}

/* The mapped message row of @window's conversation showing @body, or NULL. */
static inline TernMessageRow *
message_row_with_body (TernWindow *window,
                       const char *body)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  collect (GTK_WIDGET (tern_window_get_conversation (window)), TERN_TYPE_MESSAGE_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (tern_message_row_get_body (rows->pdata[i]), body) == 0)
      return rows->pdata[i];
  return NULL;
}

/* The position of chat @chat in @window's chat list; fails if it is not there. */
static inline guint
chat_position (TernWindow *window,
               gint64      chat)
{
  GListModel *model = G_LIST_MODEL (gtk_list_view_get_model (tern_window_get_chat_list_view (window)));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(TernChat) item = g_list_model_get_item (model, i);

      if (tern_chat_get_id (item) == chat)
        return i;
    }
  g_assert_not_reached ();
}

/* Activates chat @chat in @window's chat list and waits @frames frames. */
static inline void
activate_chat_in (TernWindow *window,
                  gint64      chat,
                  guint       frames)
{
  GtkWidget *list = GTK_WIDGET (tern_window_get_chat_list_view (window));

  g_assert_true (gtk_widget_activate_action (list, "list.activate-item", "u",
                                             chat_position (window, chat)));
  wait_frames (GTK_WIDGET (window), frames);
}

/* Destroys the default application's windows and waits until *@window, a
 * weak pointer, is cleared: a chat change still on its way to the store
 * holds the window until its result arrives. */
static inline void
destroy_windows (TernWindow **window)
{
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (g_application_get_default ())));

  for (GList *l = windows; l; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free (windows);
  flush ();
  wait_for (is_set_not, window, "the window's release");
}
