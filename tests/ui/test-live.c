/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui-test"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "tern-account-assistant.h"
#include "tern-account-send.h"
#include "tern-application.h"
#include "tern-chat-list.h"
#include "tern-conversation.h"
#include "tern-message-row.h"
#include "tern-outbox.h"
#include "tern-window.h"

/* The real window against the test stack (run inside tests/stack/with-stack,
 * under tests/ui/with-xvfb): carol adds her account through the assistant
 * (the stack's self-signed certificate brings up the trust prompt with its
 * fingerprint), dave (a second profile, core only) writes to her, the chat
 * appears in her window, she answers from the composer and dave receives
 * the answer. Texts carry a random tag, so other suites sharing the
 * mailboxes do not disturb it. */

#define TIMEOUT_SECONDS 90

#include "ui-test-util.h"

static TernApplication *app;

static gboolean
is_positive_uint (gpointer data)
{
  return *(guint *) data > 0;
}

/* ---- conditions ---------------------------------------------------------- */

typedef struct
{
  GListModel *model;
  const char *text;
  guint       position;
} Lookup;

static gboolean
chat_with_preview (gpointer data)
{
  Lookup *lookup = data;

  for (guint i = 0; i < g_list_model_get_n_items (lookup->model); i++)
    {
      g_autoptr(TernChat) chat = g_list_model_get_item (lookup->model, i);

      if (g_strcmp0 (tern_chat_get_last_message_preview (chat), lookup->text) == 0)
        {
          lookup->position = i;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
window_has_account (gpointer window)
{
  return tern_window_get_has_account (window);
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

typedef struct
{
  TernWindow *window;
  const char *body;
  TernMessageRowState state;
} RowWait;

static gboolean
row_in_state (gpointer data)
{
  RowWait *wait = data;
  TernMessageRow *row = find_message_row (wait->window, wait->body);

  return row != NULL && tern_message_row_get_state (row) == wait->state;
}

/* ---- the case ------------------------------------------------------------ */

static void
test_setup_receive_answer (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tern-ui-live-XXXXXX", &error);
  g_autofree char *peer_dir = g_dir_make_tmp ("tern-ui-live-peer-XXXXXX", &error);
  g_autofree char *me = g_strdup_printf ("carol@%s", env ("TERN_TEST_DOMAIN"));
  g_autofree char *peer = g_strdup_printf ("dave@%s", env ("TERN_TEST_DOMAIN"));
  g_autofree char *tag = g_strdup_printf ("%08x", g_random_int ());
  g_autofree char *hello = g_strdup_printf ("Hello from Dave %s", tag);
  g_autofree char *answer = g_strdup_printf ("Hi Dave, this is the window %s", tag);
  g_autoptr(TernContext) context = NULL;
  g_autoptr(TernContext) peer_context = NULL;
  g_autoptr(TernAccount) peer_account = NULL;
  TernAccountSettings *defaults;
  TernWindow *window;
  TernAccountAssistant *assistant;
  AdwMessageDialog *prompt;
  g_autofree char *fingerprint_start = NULL;
  const char *cert = env ("TERN_TEST_CERT_SHA256");

  g_assert_no_error (error);

  /* The window side: a fresh data directory, servers as the manual values. */
  context = tern_context_new (dir, &error);
  g_assert_no_error (error);
  tern_application_set_context (app, context);
  defaults = stack_settings ("placeholder@example.test");
  tern_application_set_setup_defaults (app, defaults);
  tern_account_settings_free (defaults);

  g_application_activate (G_APPLICATION (app));
  window = wait_for_window (TERN_TYPE_WINDOW);
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 680);
  wait_for_frame (GTK_WIDGET (window));
  g_assert_true (tern_window_get_context (window) == context);
  g_assert_false (tern_window_get_has_account (window));

  /* Set-up through the assistant. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "add-account", NULL);
  assistant = wait_for_window (TERN_TYPE_ACCOUNT_ASSISTANT);
  gtk_editable_set_text (GTK_EDITABLE (template_child (assistant, TERN_TYPE_ACCOUNT_ASSISTANT,
                                                       "address_row")), me);
  gtk_editable_set_text (GTK_EDITABLE (template_child (assistant, TERN_TYPE_ACCOUNT_ASSISTANT,
                                                       "password_row")),
                         env ("TERN_TEST_PASSWORD"));
  save_screenshot (GTK_WIDGET (assistant), "live-assistant");
  g_assert_true (gtk_widget_activate (template_child (assistant, TERN_TYPE_ACCOUNT_ASSISTANT,
                                                      "next_button")));

  /* The self-signed certificate: the prompt shows its fingerprint. */
  prompt = wait_for_window (ADW_TYPE_MESSAGE_DIALOG);
  g_test_message ("dialog: %s: %s", adw_message_dialog_get_heading (prompt),
                  adw_message_dialog_get_body (prompt));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (prompt), "certificate-prompt"));
  fingerprint_start = g_ascii_strup (cert, 5);
  fingerprint_start[2] = ':';
  fingerprint_start[3] = g_ascii_toupper (cert[2]);
  fingerprint_start[4] = g_ascii_toupper (cert[3]);
  g_test_message ("prompt: %s", adw_message_dialog_get_body (prompt));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (prompt), fingerprint_start));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (prompt), me));
  save_screenshot (GTK_WIDGET (prompt), "live-certificate-prompt");
  adw_message_dialog_response (prompt, "trust");

  wait_for (window_has_account, window, "the account to be set up");
  flush ();
  g_assert_null (find_window (TERN_TYPE_ACCOUNT_ASSISTANT));
  save_screenshot (GTK_WIDGET (window), "live-account-added");

  /* The second profile writes. */
  {
    g_autoptr(TernAccountSettings) s = stack_settings (peer);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GAsyncResult) sent = NULL;
    const char *to[] = { me, NULL };

    peer_context = tern_context_new (peer_dir, &error);
    g_assert_no_error (error);
    s->password = g_strdup (env ("TERN_TEST_PASSWORD"));
    s->trusted_certificate = g_strdup (cert);
    tern_account_setup_async (peer_context, s, NULL, got_result, &result);
    wait_for (is_set, &result, "the peer's set-up");
    peer_account = tern_account_setup_finish (result, &error);
    g_assert_no_error (error);
    tern_account_set_password_for_session (peer_account, env ("TERN_TEST_PASSWORD"));
    tern_account_start (peer_account);
    tern_account_send_text_async (peer_account, 0, to, hello, NULL, NULL, got_result, &sent);
    wait_for (is_set, &sent, "the peer's send");
    g_assert_cmpint (tern_account_send_finish (peer_account, sent, &error), >, 0);
    g_assert_no_error (error);
  }

  /* It arrives in the window: open the chat. */
  {
    GtkListView *list = tern_window_get_chat_list_view (window);
    Lookup lookup = { G_LIST_MODEL (gtk_list_view_get_model (list)), hello, 0 };
    RowWait wait = { window, answer, TERN_MESSAGE_ROW_STATE_SENT };

    wait_for (chat_with_preview, &lookup, "the peer's message in the chat list");
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (list), "list.activate-item", "u",
                                               lookup.position));
    for (guint i = 0; i < 3; i++)
      wait_for_frame (GTK_WIDGET (window));
    g_assert_nonnull (find_message_row (window, hello));
    save_screenshot (GTK_WIDGET (window), "live-conversation-received");

    /* Answer from the composer. */
    tern_composer_set_text (tern_conversation_get_composer (tern_window_get_conversation (window)),
                            answer);
    g_assert_true (gtk_widget_activate_action (
                     GTK_WIDGET (tern_conversation_get_composer (tern_window_get_conversation (window))),
                     "composer.send", NULL));
    wait_for (row_in_state, &wait, "the answer to be sent");
    save_screenshot (GTK_WIDGET (window), "live-conversation-sent");
  }

  /* The second profile receives the answer. */
  {
    g_autoptr(TernChatList) peer_chats = tern_chat_list_new (tern_context_get_store (peer_context),
                                                             0, TERN_STORE_CHAT_FILTER_ALL);
    Lookup lookup = { G_LIST_MODEL (peer_chats), answer, 0 };
    TernConversation *conversation = tern_window_get_conversation (window);
    TernMessageList *messages = tern_conversation_get_message_list (conversation);
    g_autoptr(TernMessage) mine = g_list_model_get_item (G_LIST_MODEL (messages),
                                                         g_list_model_get_n_items (G_LIST_MODEL (messages)) - 1);
    g_autofree char *edited = g_strdup_printf ("%s, edited", answer);
    g_autofree char *message_id = g_strdup (tern_message_get_message_id (mine));
    RowWait edited_wait = { window, edited, TERN_MESSAGE_ROW_STATE_SENT };
    RowWait deleted_wait = { window, "This message was deleted", TERN_MESSAGE_ROW_STATE_SENT };

    wait_for (chat_with_preview, &lookup, "the answer at the peer");
    g_assert_true (tern_message_get_outgoing (mine));
    g_assert_cmpstr (tern_message_get_text (mine), ==, answer);

    /* Edit it from the composer (what Up or the message menu start). */
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (conversation), "message.edit", "x",
                                               tern_message_get_id (mine)));
    g_assert_cmpint (tern_conversation_get_editing (conversation), ==, tern_message_get_id (mine));
    {
      g_autofree char *in_composer = tern_composer_dup_text (tern_conversation_get_composer (conversation));

      g_assert_cmpstr (in_composer, ==, answer);
    }
    tern_composer_set_text (tern_conversation_get_composer (conversation), edited);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tern_conversation_get_composer (conversation)),
                                               "composer.send", NULL));
    wait_for (row_in_state, &edited_wait, "the edit in the window");
    g_assert_true (tern_message_row_get_edited (find_message_row (window, edited)));
    g_assert_cmpint (tern_conversation_get_editing (conversation), ==, 0);
    save_screenshot (GTK_WIDGET (window), "live-conversation-edited");
    lookup.text = edited;
    wait_for (chat_with_preview, &lookup, "the edit at the peer");

    /* Delete it for everyone. */
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (conversation), "message.delete", "x",
                                               tern_message_get_id (mine)));
    wait_for (row_in_state, &deleted_wait, "the delete in the window");
    {
      g_autoptr(TernChat) peer_chat = g_list_model_get_item (G_LIST_MODEL (peer_chats),
                                                             lookup.position);
      g_autoptr(TernMessageList) peer_messages =
        tern_message_list_new (tern_context_get_store (peer_context), tern_chat_get_id (peer_chat));
      gint64 deadline = g_get_monotonic_time () + TIMEOUT_SECONDS * G_USEC_PER_SEC;
      gboolean deleted = FALSE;

      while (!deleted)
        {
          guint n = g_list_model_get_n_items (G_LIST_MODEL (peer_messages));

          for (guint i = 0; i < n && !deleted; i++)
            {
              g_autoptr(TernMessage) m = g_list_model_get_item (G_LIST_MODEL (peer_messages), i);

              deleted = g_strcmp0 (tern_message_get_message_id (m), message_id) == 0 &&
                        tern_message_get_deleted (m);
            }
          if (g_get_monotonic_time () > deadline)
            g_error ("timed out waiting for the delete at the peer");
          g_main_context_iteration (NULL, FALSE);
          g_usleep (2000);
        }
    }
    g_clear_object (&peer_chats);
  }

  tern_account_stop (peer_account);
  g_clear_object (&peer_account);
  {
    GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));

    for (GList *l = windows; l; l = l->next)
      gtk_window_destroy (l->data);
    g_list_free (windows);
  }
  tern_context_stop_all (context);
  tern_context_stop_all (peer_context);
  flush ();
  tern_application_set_context (app, NULL);
  g_clear_object (&context);
  g_clear_object (&peer_context);
  flush ();
  remove_tree (dir);
  remove_tree (peer_dir);
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
  /* The application starts the accounts after its first frame, once per
   * process; a later context (a test's) is started here (idempotent). */
  tern_account_start (p->account);
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

static gint64
send_text (TernAccount *account,
           const char  *to,
           const char  *text)
{
  g_autoptr(GAsyncResult) sent = NULL;
  g_autoptr(GError) error = NULL;
  const char *recipients[] = { to, NULL };
  gint64 id;

  tern_account_send_text_async (account, 0, recipients, text, NULL, NULL, got_result, &sent);
  wait_for (is_set, &sent, "a send to be queued");
  id = tern_account_send_finish (account, sent, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
open_chat_with_preview (TernWindow *window,
                        const char *preview)
{
  GtkListView *list = tern_window_get_chat_list_view (window);
  Lookup lookup = { G_LIST_MODEL (gtk_list_view_get_model (list)), preview, 0 };

  wait_for (chat_with_preview, &lookup, preview);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (list), "list.activate-item", "u",
                                             lookup.position));
  for (guint i = 0; i < 3; i++)
    wait_for_frame (GTK_WIDGET (window));
}

static void
composer_send (TernWindow *window,
               const char *text)
{
  TernComposer *composer = tern_conversation_get_composer (tern_window_get_conversation (window));

  tern_composer_set_text (composer, text);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL));
}

static GtkWidget *
find_by_class (GtkWidget  *widget,
               const char *css_class)
{
  if (gtk_widget_has_css_class (widget, css_class))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_by_class (c, css_class);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_of_type (GtkWidget *widget,
              GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_of_type (c, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The failure line (reason + Retry) of the message row showing @body. */
static GtkWidget *
failure_box (TernWindow *window,
             const char *body)
{
  GtkWidget *row = GTK_WIDGET (find_message_row (window, body));

  for (GtkWidget *w = row; w != NULL && !TERN_IS_CONVERSATION (w); w = gtk_widget_get_parent (w))
    {
      GtkWidget *failure = find_by_class (w, "send-failure");

      if (failure != NULL)
        return failure;
    }
  return NULL;
}

typedef struct
{
  TernWindow *window;
  const char *body;
  const char *reason_part;
} FailureWait;

static gboolean
failure_shown (gpointer data)
{
  FailureWait *wait = data;
  TernMessageRow *row = find_message_row (wait->window, wait->body);
  GtkWidget *failure;
  GtkWidget *label;

  if (row == NULL || tern_message_row_get_state (row) != TERN_MESSAGE_ROW_STATE_FAILED)
    return FALSE;
  failure = failure_box (wait->window, wait->body);
  if (failure == NULL || !gtk_widget_get_visible (failure))
    return FALSE;
  label = find_of_type (failure, GTK_TYPE_LABEL);
  return label != NULL && strstr (gtk_label_get_text (GTK_LABEL (label)), wait->reason_part) != NULL;
}

static void
count_failed_cb (TernOutbox  *outbox,
                 gint64       outbox_id,
                 gint64       message_row,
                 const char  *reason,
                 guint       *count)
{
  g_test_message ("outbox failed (message %" G_GINT64_FORMAT "): %s", message_row, reason);
  (*count)++;
}

static gboolean
at_least_two (gpointer data)
{
  return *(guint *) data >= 2;
}

static guint
count_in_file (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  for (const char *p = strstr (contents, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* A send the server refuses for good (a recipient outside the stack's two
 * domains: 550 5.1.2 at RCPT TO) shows the server's reason under the
 * message with Retry; Retry sends it again (a second SMTP transaction the
 * server refuses again, seen in Postfix's log and as a second failure). */
static void
test_failed_send_retry (void)
{
  Profile me = { 0 };
  g_autofree char *address = g_strdup_printf ("alice@%s", env ("TERN_TEST_DOMAIN"));
  g_autofree char *tag = g_strdup_printf ("%08x", g_random_int ());
  g_autofree char *stranger = g_strdup_printf ("nobody-%s@elsewhere.invalid", tag);
  g_autofree char *first = g_strdup_printf ("Are you there? %s", tag);
  g_autofree char *text = g_strdup_printf ("Second try from the window %s", tag);
  g_autofree char *log = g_build_filename (env ("TERN_TEST_STACK_DIR"), "postfix.log", NULL);
  FailureWait wait = { NULL, text, "5.1.2" };
  guint failures = 0;
  gulong handler;
  GtkWidget *retry;

  window_profile (&me, address);
  wait.window = me.window;
  handler = g_signal_connect (tern_outbox_get_for_account (me.account), "failed",
                              G_CALLBACK (count_failed_cb), &failures);

  /* The chat exists once a first message went to the stranger. */
  send_text (me.account, stranger, first);
  open_chat_with_preview (me.window, first);

  /* From the composer: refused, with the server's words. */
  composer_send (me.window, text);
  wait_for (failure_shown, &wait, "the failure and its reason under the message");
  {
    GtkWidget *label = find_of_type (failure_box (me.window, text), GTK_TYPE_LABEL);

    /* Postfix: "550 5.1.2 <...>: Recipient address rejected: ... the Tern
     * test stack delivers only to example.test and coi.test". */
    g_test_message ("shown reason: %s", gtk_label_get_text (GTK_LABEL (label)));
    g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (label)), "delivers only to"));
  }
  save_screenshot (GTK_WIDGET (me.window), "live-send-failed");
  wait_for (at_least_two, &failures, "both failures to be reported");
  g_assert_cmpuint (failures, ==, 2);
  g_assert_cmpuint (count_in_file (log, stranger), >=, 2);

  /* Retry: sent again, refused again. */
  {
    guint logged = count_in_file (log, stranger);

    retry = find_of_type (failure_box (me.window, text), GTK_TYPE_BUTTON);
    g_assert_nonnull (retry);
    g_assert_true (gtk_widget_get_visible (retry));
    failures = 0;
    g_signal_emit_by_name (retry, "clicked");
    wait_for (is_positive_uint, &failures, "the retry's failure");
    wait_for (failure_shown, &wait, "the failure shown again");
    g_assert_cmpuint (count_in_file (log, stranger), >, logged);
  }

  g_signal_handler_disconnect (tern_outbox_get_for_account (me.account), handler);
  profile_clear (&me);
}

/* The reply bar is in and its slide-in animation done. */
static gboolean
composer_replying (gpointer composer)
{
  GObject *revealer = gtk_widget_get_template_child (composer, TERN_TYPE_COMPOSER, "reply_revealer");

  return tern_composer_get_replying (composer) && GTK_IS_REVEALER (revealer) &&
         gtk_revealer_get_child_revealed (GTK_REVEALER (revealer));
}

static TernMessage *
find_message (TernStore  *store,
              const char *text)
{
  g_autoptr(TernChatList) chats = tern_chat_list_new (store, 0, TERN_STORE_CHAT_FILTER_ALL);

  for (guint c = 0; c < g_list_model_get_n_items (G_LIST_MODEL (chats)); c++)
    {
      g_autoptr(TernChat) chat = g_list_model_get_item (G_LIST_MODEL (chats), c);
      g_autoptr(TernMessageList) messages = tern_message_list_new (store, tern_chat_get_id (chat));

      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (messages)); i++)
        {
          g_autoptr(TernMessage) m = g_list_model_get_item (G_LIST_MODEL (messages), i);

          if (g_strcmp0 (tern_message_get_text (m), text) == 0)
            return g_steal_pointer (&m);
        }
    }
  return NULL;
}

typedef struct
{
  TernStore  *store;
  const char *text;
} MessageWait;

static gboolean
message_stored (gpointer data)
{
  MessageWait *wait = data;
  g_autoptr(TernMessage) m = find_message (wait->store, wait->text);

  return m != NULL;
}

static gboolean
label_with_text (GtkWidget  *widget,
                 const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) &&
      strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL)
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    if (label_with_text (c, text))
      return TRUE;
  return FALSE;
}

/* dave (in the window) replies to carol's message: the composer quotes it
 * while he writes; his message refers to hers (Message-ID) on both sides,
 * and both stores link the reply to the quoted message. */
static void
test_reply_quote (void)
{
  Profile me = { 0 };
  Profile peer = { 0 };
  g_autofree char *dave = g_strdup_printf ("dave@%s", env ("TERN_TEST_DOMAIN"));
  g_autofree char *carol = g_strdup_printf ("carol@%s", env ("TERN_TEST_DOMAIN"));
  g_autofree char *tag = g_strdup_printf ("%08x", g_random_int ());
  g_autofree char *question = g_strdup_printf ("Lunch at noon? %s", tag);
  g_autofree char *answer = g_strdup_printf ("Yes, see you there %s", tag);
  RowWait sent = { NULL, answer, TERN_MESSAGE_ROW_STATE_SENT };
  g_autoptr(TernMessage) quoted = NULL;
  g_autoptr(TernMessage) mine = NULL;
  g_autoptr(TernMessage) theirs = NULL;
  g_autofree char *question_id = NULL;
  TernConversation *conversation;
  TernComposer *composer;

  window_profile (&me, dave);
  core_profile (&peer, carol);
  sent.window = me.window;
  conversation = tern_window_get_conversation (me.window);
  composer = tern_conversation_get_composer (conversation);

  send_text (peer.account, dave, question);
  open_chat_with_preview (me.window, question);
  g_assert_nonnull (find_message_row (me.window, question));
  quoted = find_message (tern_context_get_store (me.context), question);
  g_assert_nonnull (quoted);
  question_id = g_strdup (tern_message_get_message_id (quoted));

  /* Reply (what the message menu does): the quote shows above the entry. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (conversation), "message.reply", "x",
                                             tern_message_get_id (quoted)));
  wait_for (composer_replying, composer, "the reply bar");
  g_assert_cmpstr (tern_conversation_get_reply_to (conversation), ==, question_id);
  g_assert_true (label_with_text (GTK_WIDGET (composer), question));
  save_screenshot (GTK_WIDGET (me.window), "live-reply-composing");

  composer_send (me.window, answer);
  wait_for (row_in_state, &sent, "the reply to be sent");
  g_assert_false (tern_composer_get_replying (composer));
  save_screenshot (GTK_WIDGET (me.window), "live-reply-sent");
  /* The bubble quotes carol's question (conv's reply quote). */
  {
    GtkWidget *quote = tern_message_row_get_reply_quote (find_message_row (me.window, answer));

    g_test_message ("reply quote in the bubble: %s", quote ? "shown" : "missing");
    g_assert_nonnull (quote);
    g_assert_true (label_with_text (quote, question));
  }

  /* dave's side: his message refers to carol's. */
  mine = find_message (tern_context_get_store (me.context), answer);
  g_assert_nonnull (mine);
  g_assert_true (tern_message_get_outgoing (mine));
  g_assert_cmpstr (tern_message_get_reply_to (mine), ==, question_id);
  g_assert_nonnull (tern_message_get_reply_message (mine));
  g_assert_cmpstr (tern_message_get_text (tern_message_get_reply_message (mine)), ==, question);

  /* carol's side: the reply arrives referring to her question. */
  {
    MessageWait wait = { tern_context_get_store (peer.context), answer };

    wait_for (message_stored, &wait, "the reply at carol's");
  }
  theirs = find_message (tern_context_get_store (peer.context), answer);
  g_test_message ("at carol's: reply-to %s, quote %s", tern_message_get_reply_to (theirs),
                  tern_message_get_quote (theirs));
  g_assert_false (tern_message_get_outgoing (theirs));
  g_assert_cmpstr (tern_message_get_reply_to (theirs), ==, question_id);
  g_assert_nonnull (tern_message_get_reply_message (theirs));
  g_assert_cmpstr (tern_message_get_text (tern_message_get_reply_message (theirs)), ==, question);
  /* And a row showing carol's copy quotes her question too. */
  {
    TernMessageRow *row = tern_message_row_new ();
    GtkWindow *carol_window = GTK_WINDOW (gtk_window_new ());
    GtkWidget *quote;

    gtk_window_set_default_size (carol_window, 420, 160);
    gtk_window_set_child (carol_window, GTK_WIDGET (row));
    tern_message_row_bind (row, theirs, FALSE, NULL, NULL);
    gtk_window_present (carol_window);
    quote = tern_message_row_get_reply_quote (row);
    g_assert_nonnull (quote);
    g_assert_true (label_with_text (quote, question));
    save_screenshot (GTK_WIDGET (carol_window), "live-reply-received");
    tern_message_row_unbind (row);
    gtk_window_destroy (carol_window);
  }

  profile_clear (&peer);
  profile_clear (&me);
}

static void
smtp_defer (const char *mode)
{
  g_autofree char *script = g_build_filename (env ("TERN_SOURCE_ROOT"), "tests", "stack",
                                              "tern-stack", NULL);
  const char *argv[] = { script, "smtp-defer", mode, env ("TERN_TEST_STACK_DIR"), NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                               NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static void
count_retry_cb (TernOutbox *outbox,
                gint64      outbox_id,
                gint64      next_attempt,
                guint      *count)
{
  g_test_message ("outbox: try again at %" G_GINT64_FORMAT, next_attempt);
  (*count)++;
}

/* A send the server defers (450 at RCPT TO while `tern-stack smtp-defer on`)
 * is not a failure: the message stays pending, without a failure line;
 * once the server accepts again, sending it now (what Retry does) delivers
 * it and the row turns sent. */
static void
test_deferred_send (void)
{
  Profile me = { 0 };
  Profile peer = { 0 };
  g_autofree char *alice = g_strdup_printf ("alice@%s", env ("TERN_TEST_DOMAIN"));
  g_autofree char *bob = g_strdup_printf ("bob@%s", env ("TERN_TEST_DOMAIN"));
  g_autofree char *tag = g_strdup_printf ("%08x", g_random_int ());
  g_autofree char *first = g_strdup_printf ("Hello Bob %s", tag);
  g_autofree char *text = g_strdup_printf ("This one waits for the server %s", tag);
  RowWait pending = { NULL, text, TERN_MESSAGE_ROW_STATE_PENDING };
  RowWait sent = { NULL, text, TERN_MESSAGE_ROW_STATE_SENT };
  g_autoptr(TernMessage) message = NULL;
  g_autoptr(GAsyncResult) retried = NULL;
  g_autoptr(GError) error = NULL;
  guint retries = 0;
  gulong handler;

  window_profile (&me, alice);
  core_profile (&peer, bob);
  pending.window = sent.window = me.window;
  send_text (me.account, bob, first);
  open_chat_with_preview (me.window, first);

  handler = g_signal_connect (tern_outbox_get_for_account (me.account), "retry",
                              G_CALLBACK (count_retry_cb), &retries);
  smtp_defer ("on");
  composer_send (me.window, text);
  wait_for (is_positive_uint, &retries, "the server to defer the message");
  smtp_defer ("off");
  g_signal_handler_disconnect (tern_outbox_get_for_account (me.account), handler);

  wait_for (row_in_state, &pending, "the row to show pending");
  g_assert_true (failure_box (me.window, text) == NULL ||
                 !gtk_widget_get_visible (failure_box (me.window, text)));
  save_screenshot (GTK_WIDGET (me.window), "live-send-deferred");

  message = find_message (tern_context_get_store (me.context), text);
  g_assert_nonnull (message);
  tern_account_retry_async (me.account, tern_message_get_id (message), NULL, got_result, &retried);
  wait_for (is_set, &retried, "the retry");
  g_assert_true (tern_account_send_op_finish (me.account, retried, &error));
  g_assert_no_error (error);
  wait_for (row_in_state, &sent, "the row to show sent");
  {
    MessageWait wait = { tern_context_get_store (peer.context), text };

    wait_for (message_stored, &wait, "the message at bob's");
  }

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
      g_printerr ("test-live: no display; run it under tests/ui/with-xvfb\n");
      return 1;
    }
  env ("TERN_TEST_HOST");

  app = ui_test_app_new ();
  /* with-xvfb's D-Bus session has no notification server (GIO would warn,
   * fatally here); notifications have their own test (test-desktop). */
  g_settings_set_boolean (tern_application_get_settings (app), "notifications", FALSE);

  g_test_add_func ("/ui/live/setup-receive-answer", test_setup_receive_answer);
  g_test_add_func ("/ui/live/failed-send-retry", test_failed_send_retry);
  g_test_add_func ("/ui/live/reply-quote", test_reply_quote);
  g_test_add_func ("/ui/live/deferred-send", test_deferred_send);
  ret = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  return ret;
}
