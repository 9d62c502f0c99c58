/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui-test"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "tern-account-send.h"
#include "tern-application.h"
#include "tern-conversation.h"
#include "tern-message-row.h"
#include "tern-search.h"
#include "tern-window.h"

/* Search in the real window against the test stack (run inside
 * tests/stack/with-stack, under tests/ui/with-xvfb): dave (a second
 * profile, engine only) writes to carol, whose window runs on the engine;
 * once the message has arrived, typing a word of it in the window's search
 * lists it under "Messages", and activating it opens the chat at it. The
 * word carries a random tag, so earlier runs sharing the mailboxes do not
 * match. */

#define TIMEOUT_SECONDS 90

static TernApplication *app;

static const char *
env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || *value == '\0')
    g_error ("%s is not set: run this test inside tests/stack/with-stack", name);
  return value;
}

static guint16
env_port (const char *name)
{
  return (guint16) g_ascii_strtoull (env (name), NULL, 10);
}

static void
flush (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Iterates the main loop until @check (@data) holds; fails after the timeout. */
static void
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

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static void
wait_for_frame (GtkWidget *widget)
{
  gboolean painted = FALSE;
  GdkFrameClock *clock;
  gulong id;

  wait_for (is_mapped, widget, "the window to map");
  clock = gtk_widget_get_frame_clock (widget);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  wait_for (is_true, &painted, "a frame");
  g_signal_handler_disconnect (clock, id);
  flush ();
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *png = g_strconcat (name, ".png", NULL);
  g_autofree char *file = NULL;
  const char *dir = g_getenv ("TERN_SCREENSHOT_DIR");
  int width, height;

  wait_for_frame (widget);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  if (dir == NULL || *dir == '\0')
    dir = g_getenv ("TERN_UI_SCREENSHOT_DEFAULT_DIR");
  if (dir == NULL || *dir == '\0')
    dir = "screenshots";

  g_test_message ("screenshot of %s", name);
  for (guint attempt = 0; attempt < 20 && node == NULL; attempt++)
    {
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();

      if (attempt > 0)
        wait_for_frame (widget);
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  if (node == NULL)
    {
      /* Checked by the assertions around it; the picture is for people. */
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

static gpointer
find_window (GType type)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type))
      return l->data;
  return NULL;
}

static gboolean
has_window (gpointer type)
{
  return find_window (GPOINTER_TO_SIZE (type)) != NULL;
}

static gpointer
wait_for_window (GType type)
{
  wait_for (has_window, GSIZE_TO_POINTER (type), g_type_name (type));
  return find_window (type);
}

static GtkWidget *
template_child (gpointer    widget,
                GType       type,
                const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

static void
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

static TernAccountSettings *
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

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
is_set (gpointer slot)
{
  return *(gpointer *) slot != NULL;
}

static void
find_rows (GtkWidget *widget,
           GPtrArray *rows)
{
  if (TERN_IS_MESSAGE_ROW (widget) && gtk_widget_get_mapped (widget))
    g_ptr_array_add (rows, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    find_rows (c, rows);
}

static TernMessageRow *
find_message_row (TernWindow *window,
                  const char *body)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  find_rows (GTK_WIDGET (tern_window_get_conversation (window)), rows);
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (tern_message_row_get_body (rows->pdata[i]), body) == 0)
      return rows->pdata[i];
  return NULL;
}

/* ---- more cases: a window profile set up through the engine ---------------- */

typedef struct
{
  char        *dir;
  TernContext *context;
  TernAccount *account;
  TernWindow  *window;
} Profile;

static TernAccount *
setup_core_account (TernContext *context,
                    const char  *address)
{
  g_autoptr(TernAccountSettings) s = stack_settings (address);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  TernAccount *account;

  s->password = g_strdup (env ("TERN_TEST_PASSWORD"));
  s->trusted_certificate = g_strdup (env ("TERN_TEST_CERT_SHA256"));
  tern_account_setup_async (context, s, NULL, got_result, &result);
  wait_for (is_set, &result, "a set-up");
  account = tern_account_setup_finish (result, &error);
  g_assert_no_error (error);
  tern_account_set_password_for_session (account, env ("TERN_TEST_PASSWORD"));
  return account;
}

/* @address's profile in the window (the application starts its account). */
static void
window_profile (Profile    *p,
                const char *address)
{
  g_autoptr(GError) error = NULL;

  p->dir = g_dir_make_tmp ("tern-ui-live-XXXXXX", &error);
  g_assert_no_error (error);
  p->context = tern_context_new (p->dir, &error);
  g_assert_no_error (error);
  p->account = setup_core_account (p->context, address);
  tern_application_set_context (app, p->context);
  g_application_activate (G_APPLICATION (app));
  p->window = wait_for_window (TERN_TYPE_WINDOW);
  gtk_window_set_default_size (GTK_WINDOW (p->window), 960, 680);
  wait_for_frame (GTK_WIDGET (p->window));
  g_assert_true (tern_window_get_context (p->window) == p->context);
  g_assert_true (tern_window_get_has_account (p->window));
}

/* A second profile, engine only, started. */
static void
core_profile (Profile    *p,
              const char *address)
{
  g_autoptr(GError) error = NULL;

  p->dir = g_dir_make_tmp ("tern-ui-live-peer-XXXXXX", &error);
  g_assert_no_error (error);
  p->context = tern_context_new (p->dir, &error);
  g_assert_no_error (error);
  p->account = setup_core_account (p->context, address);
  tern_account_start (p->account);
}

static void
profile_clear (Profile *p)
{
  if (p->window != NULL)
    {
      GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));

      for (GList *l = windows; l; l = l->next)
        gtk_window_destroy (l->data);
      g_list_free (windows);
      p->window = NULL;
    }
  tern_context_stop_all (p->context);
  flush ();
  if (tern_application_get_context (app) == p->context)
    tern_application_set_context (app, NULL);
  g_clear_object (&p->account);
  g_clear_object (&p->context);
  flush ();
  remove_tree (p->dir);
  g_clear_pointer (&p->dir, g_free);
}

/* ---- the case -------------------------------------------------------------- */

static GtkListView *
message_results (TernWindow *window)
{
  GPtrArray *stack = g_ptr_array_new ();
  GtkListView *found = NULL;

  g_ptr_array_add (stack, window);
  while (stack->len > 0 && found == NULL)
    {
      GtkWidget *widget = g_ptr_array_steal_index (stack, stack->len - 1);

      if (GTK_IS_LIST_VIEW (widget) && gtk_widget_has_css_class (widget, "message-results"))
        found = GTK_LIST_VIEW (widget);
      for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
        g_ptr_array_add (stack, c);
    }
  g_ptr_array_unref (stack);
  g_assert_nonnull (found);
  return found;
}

static gboolean
has_hits (gpointer data)
{
  GtkListView *view = data;

  return gtk_widget_get_mapped (GTK_WIDGET (view)) &&
         g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (view))) > 0;
}

typedef struct
{
  TernWindow *window;
  const char *body;
} Shown;

static gboolean
row_shown (gpointer data)
{
  Shown *shown = data;
  TernMessageRow *row = find_message_row (shown->window, shown->body);

  return row != NULL;
}

static void
test_search_received (void)
{
  Profile me = { 0 }, peer = { 0 };
  g_autofree char *me_address = g_strdup_printf ("carol@%s", env ("TERN_TEST_DOMAIN"));
  g_autofree char *peer_address = g_strdup_printf ("dave@%s", env ("TERN_TEST_DOMAIN"));
  g_autofree char *word = g_strdup_printf ("kestrel%08x", g_random_int ());
  g_autofree char *text = g_strdup_printf ("Saw a %s over the ridge today", word);
  GtkEditable *search;
  GtkListView *hits;
  g_autoptr(TernSearchResult) hit = NULL;
  Shown shown;

  window_profile (&me, me_address);
  core_profile (&peer, peer_address);

  /* Dave writes. */
  {
    g_autoptr(GAsyncResult) sent = NULL;
    g_autoptr(GError) error = NULL;
    const char *to[] = { me_address, NULL };

    tern_account_send_text_async (peer.account, 0, to, text, NULL, NULL, got_result, &sent);
    wait_for (is_set, &sent, "dave's send");
    g_assert_cmpint (tern_account_send_finish (peer.account, sent, &error), >, 0);
    g_assert_no_error (error);
  }

  /* It arrives in carol's chat list... */
  {
    GListModel *chats = G_LIST_MODEL (gtk_list_view_get_model (tern_window_get_chat_list_view (me.window)));
    gint64 deadline = g_get_monotonic_time () + TIMEOUT_SECONDS * G_USEC_PER_SEC;
    gboolean arrived = FALSE;

    while (!arrived)
      {
        for (guint i = 0; i < g_list_model_get_n_items (chats) && !arrived; i++)
          {
            g_autoptr(TernChat) chat = g_list_model_get_item (chats, i);

            arrived = g_strcmp0 (tern_chat_get_last_message_preview (chat), text) == 0;
          }
        if (g_get_monotonic_time () > deadline)
          g_error ("timed out waiting for dave's message in the chat list");
        g_main_context_iteration (NULL, FALSE);
        g_usleep (2000);
      }
  }

  /* ...and the window's search finds it by a word of it (Ctrl+K's action). */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (me.window), "win.search", NULL));
  search = GTK_EDITABLE (template_child (me.window, TERN_TYPE_WINDOW, "search_entry"));
  hits = message_results (me.window);
  gtk_editable_set_text (search, word);
  wait_for (has_hits, hits, "the received message in the search results");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (hits))), ==, 1);
  hit = g_list_model_get_item (G_LIST_MODEL (gtk_list_view_get_model (hits)), 0);
  g_assert_cmpstr (tern_message_get_text (tern_search_result_get_message (hit)), ==, text);
  g_assert_false (tern_message_get_outgoing (tern_search_result_get_message (hit)));
  save_screenshot (GTK_WIDGET (me.window), "live-search-results");

  /* Activating it opens the chat with dave at the message. */
  g_signal_emit_by_name (hits, "activate", 0);
  g_assert_cmpstr (tern_chat_get_key (tern_window_get_open_chat (me.window)), ==, peer_address);
  shown.window = me.window;
  shown.body = text;
  wait_for (row_shown, &shown, "the found message in the conversation");
  save_screenshot (GTK_WIDGET (me.window), "live-search-opened");

  tern_account_stop (peer.account);
  profile_clear (&peer);
  profile_clear (&me);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL)
    {
      g_printerr ("test-live-search: no display; run it under tests/ui/with-xvfb\n");
      return 1;
    }
  env ("TERN_TEST_HOST");

  app = tern_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_hold (G_APPLICATION (app));
  /* No notification server on the test bus (GIO would warn, and warnings
   * are fatal here); notifications are test-desktop's subject. */
  g_settings_set_boolean (tern_application_get_settings (app), "notifications", FALSE);

  g_test_add_func ("/ui/live/search-received", test_search_received);
  ret = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  return ret;
}
