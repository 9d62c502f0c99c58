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

#include "ui-test-util.h"

static TernApplication *app;

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

  app = ui_test_app_new ();
  /* No notification server on the test bus (GIO would warn, and warnings
   * are fatal here); notifications are test-desktop's subject. */
  g_settings_set_boolean (tern_application_get_settings (app), "notifications", FALSE);

  g_test_add_func ("/ui/live/search-received", test_search_received);
  ret = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  return ret;
}
