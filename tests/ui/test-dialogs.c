/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui-test"

#include <adwaita.h>

#include "tern-account-assistant.h"
#include "tern-account-row.h"
#include "tern-application.h"
#include "tern-connection-banner.h"
#include "tern-preferences-window.h"
#include "test-dialogs-util.h"

/* The dialogs without servers (under tests/ui/with-xvfb): the assistant's
 * manual page (validation, the settings it builds, an unreachable server
 * reported inline), the fingerprint layout, the preferences bound to the
 * engine's settings, the accounts page with per-account status rows
 * (filter mode changed through the engine, removal after a confirmation)
 * and the connection banner with several accounts. Accounts here point at
 * a closed loopback port, so they fail fast and for a known reason. */

/* A loopback port nothing listens on (bound, then closed). */
static guint16
closed_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint16 port;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);
  return port;
}

static void
test_fingerprint (void)
{
  const char *hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
  g_autofree char *shown = tern_account_assistant_format_fingerprint (hex);
  g_autofree char *colons = tern_account_assistant_format_fingerprint ("00:11:22:aa");
  g_auto(GStrv) lines = g_strsplit (shown, "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_cmpstr (lines[0], ==, "00:11:22:33:44:55:66:77");
  g_assert_cmpstr (lines[1], ==, "88:99:AA:BB:CC:DD:EE:FF");
  g_assert_cmpstr (lines[3], ==, "88:99:AA:BB:CC:DD:EE:FF");
  g_assert_cmpstr (colons, ==, "00:11:22:AA");
}

static void
test_manual_page (void)
{
  TernAccountAssistant *assistant = tern_account_assistant_new ();
  g_autoptr(TernAccountSettings) s = NULL;
  GType type = TERN_TYPE_ACCOUNT_ASSISTANT;
  gboolean next_emitted = FALSE;

  gtk_window_present (GTK_WINDOW (assistant));
  wait_for_frame (GTK_WIDGET (assistant));
  g_assert_cmpstr (tern_account_assistant_get_page (assistant), ==, "sign-in");
  g_assert_false (tern_account_assistant_get_can_continue (assistant));

  dlg_set_text (assistant, type, "address_row", "  erin@mail.example.org ");
  dlg_set_text (assistant, type, "password_row", "secret");
  g_assert_true (tern_account_assistant_get_can_continue (assistant));

  /* "Enter Servers Manually": guesses from the domain, Back returns. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.manual", NULL));
  g_assert_cmpstr (tern_account_assistant_get_page (assistant), ==, "manual");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (template_child (assistant, type, "imap_host_row"))),
                   ==, "imap.mail.example.org");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (template_child (assistant, type, "smtp_host_row"))),
                   ==, "smtp.mail.example.org");
  g_assert_true (gtk_widget_get_visible (template_child (assistant, type, "back_button")));
  g_assert_true (tern_account_assistant_get_can_continue (assistant));

  /* Validation: a server is required, ports are numbers 1..65535 or empty. */
  dlg_set_text (assistant, type, "imap_host_row", "");
  g_assert_false (tern_account_assistant_get_can_continue (assistant));
  dlg_set_text (assistant, type, "imap_host_row", "imap.example.org");
  dlg_set_text (assistant, type, "imap_port_row", "99999");
  g_assert_false (tern_account_assistant_get_can_continue (assistant));
  dlg_set_text (assistant, type, "imap_port_row", "14x");
  g_assert_false (tern_account_assistant_get_can_continue (assistant));
  dlg_set_text (assistant, type, "imap_port_row", "1143");
  dlg_set_text (assistant, type, "smtp_port_row", "");
  dlg_set_text (assistant, type, "login_row", "erin");
  adw_combo_row_set_selected (ADW_COMBO_ROW (template_child (assistant, type, "imap_security_row")),
                              TERN_ACCOUNT_SECURITY_STARTTLS);
  adw_combo_row_set_selected (ADW_COMBO_ROW (template_child (assistant, type, "smtp_security_row")),
                              TERN_ACCOUNT_SECURITY_TLS);
  g_assert_true (tern_account_assistant_get_can_continue (assistant));
  dlg_save_screenshot (GTK_WIDGET (assistant), "dialogs-assistant-manual");

  s = tern_account_assistant_dup_settings (assistant);
  g_assert_cmpstr (s->address, ==, "erin@mail.example.org");
  g_assert_cmpstr (s->password, ==, "secret");
  g_assert_cmpstr (s->imap_host, ==, "imap.example.org");
  g_assert_cmpuint (s->imap_port, ==, 1143);
  g_assert_cmpint (s->imap_security, ==, TERN_ACCOUNT_SECURITY_STARTTLS);
  g_assert_cmpstr (s->smtp_host, ==, "smtp.mail.example.org");
  g_assert_cmpuint (s->smtp_port, ==, 0);
  g_assert_cmpint (s->smtp_security, ==, TERN_ACCOUNT_SECURITY_TLS);
  g_assert_cmpstr (s->login, ==, "erin");

  /* Without a context the assistant only emits ::next. */
  g_signal_connect_swapped (assistant, "next", G_CALLBACK (g_nullify_pointer), &next_emitted);
  next_emitted = TRUE;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.next", NULL));
  g_assert_false (next_emitted);
  g_assert_false (tern_account_assistant_get_busy (assistant));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.back", NULL));
  g_assert_cmpstr (tern_account_assistant_get_page (assistant), ==, "sign-in");
  gtk_window_destroy (GTK_WINDOW (assistant));
  flush ();
}

static gboolean
not_busy (gpointer assistant)
{
  return !tern_account_assistant_get_busy (assistant);
}

static void
test_unreachable_inline (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tern-dialogs-XXXXXX", &error);
  g_autoptr(TernContext) context = tern_context_new (dir, &error);
  g_autoptr(TernAccountSettings) defaults = tern_account_settings_new ("placeholder@example.org");
  TernAccountAssistant *assistant;
  GType type = TERN_TYPE_ACCOUNT_ASSISTANT;
  g_autofree char *port = g_strdup_printf ("%u", closed_port ());
  const char *shown;

  g_assert_no_error (error);
  defaults->store_password = FALSE;
  assistant = tern_account_assistant_new_for_context (context, defaults);
  gtk_window_present (GTK_WINDOW (assistant));
  dlg_set_text (assistant, type, "address_row", "erin@example.org");
  dlg_set_text (assistant, type, "password_row", "secret");
  tern_account_assistant_show_manual (assistant);
  dlg_set_text (assistant, type, "imap_host_row", "127.0.0.1");
  dlg_set_text (assistant, type, "imap_port_row", port);
  dlg_set_text (assistant, type, "smtp_host_row", "127.0.0.1");
  dlg_set_text (assistant, type, "smtp_port_row", port);
  adw_combo_row_set_selected (ADW_COMBO_ROW (template_child (assistant, type, "imap_security_row")),
                              TERN_ACCOUNT_SECURITY_STARTTLS);
  adw_combo_row_set_selected (ADW_COMBO_ROW (template_child (assistant, type, "smtp_security_row")),
                              TERN_ACCOUNT_SECURITY_STARTTLS);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.next", NULL));
  g_assert_true (tern_account_assistant_get_busy (assistant));
  g_assert_false (tern_account_assistant_get_can_continue (assistant));
  wait_for (not_busy, assistant, "the set-up to fail");

  /* Reported inline, on the page the user is on, with the reason. */
  shown = tern_account_assistant_get_error (assistant);
  g_test_message ("inline error: %s", shown);
  g_assert_nonnull (shown);
  g_assert_cmpstr (tern_account_assistant_get_page (assistant), ==, "manual");
  g_assert_nonnull (strstr (shown, "Check the server names, ports and security"));
  g_assert_true (gtk_widget_get_visible (template_child (assistant, type, "manual_error_label")));
  g_assert_false (gtk_widget_get_visible (template_child (assistant, type, "error_label")));
  g_assert_cmpuint (g_list_model_get_n_items (tern_context_get_accounts (context)), ==, 0);
  g_assert_true (tern_account_assistant_get_can_continue (assistant));
  dlg_save_screenshot (GTK_WIDGET (assistant), "dialogs-assistant-unreachable");

  /* Editing and going back clears nothing the user typed. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.back", NULL));
  g_assert_null (tern_account_assistant_get_error (assistant));
  g_assert_cmpstr (tern_account_assistant_get_address (assistant), ==, "erin@example.org");

  gtk_window_destroy (GTK_WINDOW (assistant));
  flush ();
  g_clear_object (&context);
  remove_tree (dir);
}

/* ---- preferences ------------------------------------------------------------ */

static void
add_store_account (TernContext *context,
                   const char  *address,
                   guint16      port)
{
  g_autoptr(GError) error = NULL;
  TernStoreBatch *batch = tern_store_begin_batch (tern_context_get_store (context));
  TernStoreAccountRow row = { 0 };

  row.address = (char *) address;
  row.login = (char *) address;
  row.imap_host = (char *) "127.0.0.1";
  row.imap_port = port;
  row.imap_security = TERN_STORE_SECURITY_STARTTLS;
  row.smtp_host = (char *) "127.0.0.1";
  row.smtp_port = port;
  row.smtp_security = TERN_STORE_SECURITY_STARTTLS;
  row.filter_mode = TERN_STORE_FILTER_ACTIVE;
  row.capabilities = (char *) "";
  row.enabled = TRUE;
  tern_store_batch_add_account (batch, &row);
  g_assert_true (tern_store_commit (tern_context_get_store (context), batch, &error));
  g_assert_no_error (error);
}

static void
test_preferences_engine_settings (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tern-dialogs-XXXXXX", &error);
  g_autoptr(TernContext) context = tern_context_new (dir, &error);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  TernPreferencesWindow *prefs;

  g_assert_no_error (error);
  prefs = tern_preferences_window_new (settings);
  tern_preferences_window_set_context (prefs, context);
  gtk_window_present (GTK_WINDOW (prefs));
  wait_for_frame (GTK_WIDGET (prefs));

  g_settings_set_boolean (settings, "send-read-receipts", FALSE);
  g_assert_false (tern_context_get_send_read_receipts (context));
  g_settings_set_boolean (settings, "send-read-receipts", TRUE);
  g_assert_true (tern_context_get_send_read_receipts (context));
  g_settings_set_boolean (settings, "request-read-receipts", FALSE);
  g_assert_false (tern_context_get_request_read_receipts (context));

  /* The switches write the keys the engine follows. */
  gtk_switch_set_active (GTK_SWITCH (template_child (prefs, TERN_TYPE_PREFERENCES_WINDOW,
                                                         "request_receipts_switch")), TRUE);
  g_assert_true (tern_context_get_request_read_receipts (context));
  adw_combo_row_set_selected (ADW_COMBO_ROW (template_child (prefs, TERN_TYPE_PREFERENCES_WINDOW,
                                                                 "message_filter_row")),
                              TERN_FILTER_MODE_SEEN);
  g_assert_cmpstr (g_settings_get_string (settings, "message-filter"), ==, "seen");
  g_assert_cmpint (tern_context_get_default_filter_mode (context), ==, TERN_FILTER_MODE_SEEN);
  g_settings_set_string (settings, "message-filter", "none");
  g_assert_cmpint (tern_context_get_default_filter_mode (context), ==, TERN_FILTER_MODE_NONE);

  /* No account: the accounts page says so. */
  g_assert_true (gtk_widget_get_visible (template_child (prefs, TERN_TYPE_PREFERENCES_WINDOW,
                                                             "no_accounts_row")));
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "accounts");
  dlg_save_screenshot (GTK_WIDGET (prefs), "dialogs-preferences-no-account");

  g_settings_reset (settings, "send-read-receipts");
  g_settings_reset (settings, "request-read-receipts");
  g_settings_reset (settings, "message-filter");
  gtk_window_destroy (GTK_WINDOW (prefs));
  flush ();
  g_clear_object (&context);
  remove_tree (dir);
}

typedef struct
{
  TernAccount *account;
  TernAccountState state;
} StateWait;

static gboolean
account_failed (gpointer data)
{
  TernAccount *account = data;

  return tern_account_get_last_error (account) != NULL &&
         tern_account_get_state (account) != TERN_ACCOUNT_STATE_CONNECTING;
}

static gboolean
banner_lists_reasons (gpointer banner)
{
  g_autofree char *text = tern_connection_banner_dup_text (banner);

  return text != NULL && strstr (text, "a@example.org is offline: ") != NULL &&
         strstr (text, "b@example.net is offline: ") != NULL;
}

static void
record_state_cb (TernAccount *account,
                 GParamSpec  *pspec,
                 guint       *connecting_seen)
{
  if (tern_account_get_state (account) == TERN_ACCOUNT_STATE_CONNECTING)
    (*connecting_seen)++;
}

static gboolean
is_positive (gpointer data)
{
  return *(guint *) data > 0;
}

static gboolean
filter_is_seen (gpointer account)
{
  return tern_account_get_filter_mode (account) == TERN_FILTER_MODE_SEEN;
}

static gboolean
filters_are_none (gpointer context)
{
  GListModel *accounts = tern_context_get_accounts (context);

  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(TernAccount) account = g_list_model_get_item (accounts, i);

      if (tern_account_get_filter_mode (account) != TERN_FILTER_MODE_NONE)
        return FALSE;
    }
  return TRUE;
}

static gboolean
row_filter_is_none (gpointer row)
{
  GtkWidget *combo = dlg_find_descendant (GTK_WIDGET (row), ADW_TYPE_COMBO_ROW);

  return adw_combo_row_get_selected (ADW_COMBO_ROW (combo)) == TERN_FILTER_MODE_NONE;
}

static gboolean
one_account_left (gpointer context)
{
  return g_list_model_get_n_items (tern_context_get_accounts (context)) == 1;
}

static void
test_accounts_page_and_banner (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tern-dialogs-XXXXXX", &error);
  g_autoptr(TernContext) context = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  guint16 port = closed_port ();
  TernPreferencesWindow *prefs;
  TernConnectionBanner *banner;
  GtkWindow *banner_window;
  TernAccountRow *row_a, *row_b;
  TernAccount *a, *b;
  AdwMessageDialog *dialog;
  guint connecting_seen = 0;
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  {
    g_autoptr(TernContext) writer = tern_context_new (dir, &error);

    g_assert_no_error (error);
    add_store_account (writer, "a@example.org", port);
    add_store_account (writer, "b@example.net", port);
  }
  context = tern_context_new (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (tern_context_get_accounts (context)), ==, 2);
  a = tern_context_find_account (context, "a@example.org");
  b = tern_context_find_account (context, "b@example.net");

  prefs = tern_preferences_window_new (settings);
  tern_preferences_window_set_context (prefs, context);
  gtk_window_set_default_size (GTK_WINDOW (prefs), 600, 760);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "accounts");
  gtk_window_present (GTK_WINDOW (prefs));

  banner = tern_connection_banner_new ();
  banner_window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (banner_window, 360, 200);
  gtk_window_set_child (banner_window, GTK_WIDGET (banner));
  gtk_window_present (banner_window);
  tern_connection_banner_set_context (banner, context);

  row_a = tern_preferences_window_find_account_row (prefs, "a@example.org");
  row_b = tern_preferences_window_find_account_row (prefs, "b@example.net");
  g_assert_nonnull (row_a);
  g_assert_nonnull (row_b);
  g_assert_false (gtk_widget_get_visible (template_child (prefs, TERN_TYPE_PREFERENCES_WINDOW,
                                                              "no_accounts_row")));
  /* Not started, never signed in. */
  g_assert_cmpstr (tern_account_row_get_status_text (row_a), ==, "Offline");
  g_assert_nonnull (strstr (tern_account_row_get_coi_text (row_a), "Not known yet"));
  g_assert_true (tern_connection_banner_get_revealed (banner));
  text = tern_connection_banner_dup_text (banner);
  g_assert_cmpstr (text, ==, "a@example.org is offline\nb@example.net is offline");

  /* Started against a closed port: both fail, the rows and the banner say
   * why, live. */
  tern_account_set_password_for_session (a, "secret");
  tern_account_set_password_for_session (b, "secret");
  tern_account_start (a);
  tern_account_start (b);
  wait_for (account_failed, a, "a@example.org to fail");
  wait_for (account_failed, b, "b@example.net to fail");
  wait_for (banner_lists_reasons, banner, "the banner to list both reasons");
  g_test_message ("row status: %s", tern_account_row_get_status_text (row_a));
  g_assert_nonnull (strstr (tern_account_row_get_status_text (row_a),
                            tern_account_get_last_error (a)->message));
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row_a), TRUE);
  dlg_save_screenshot (GTK_WIDGET (prefs), "dialogs-preferences-accounts-offline");
  dlg_save_screenshot (GTK_WIDGET (banner_window), "dialogs-connection-banner");

  /* Retry restarts at once, without blocking. */
  g_signal_connect (a, "notify::state", G_CALLBACK (record_state_cb), &connecting_seen);
  {
    GtkWidget *retry = dlg_find_by_class (GTK_WIDGET (banner), "connection-retry");
    gint64 before = g_get_monotonic_time ();

    g_assert_nonnull (retry);
    g_signal_emit_by_name (retry, "clicked");
    g_assert_cmpint (g_get_monotonic_time () - before, <, G_USEC_PER_SEC / 2);
  }
  wait_for (is_positive, &connecting_seen, "a@example.org to connect again");
  g_signal_handlers_disconnect_by_func (a, record_state_cb, &connecting_seen);

  /* The filter mode of one account, through the engine. */
  {
    GtkWidget *filter = dlg_find_descendant (GTK_WIDGET (row_b), ADW_TYPE_COMBO_ROW);

    g_assert_nonnull (filter);
    adw_combo_row_set_selected (ADW_COMBO_ROW (filter), TERN_FILTER_MODE_SEEN);
    wait_for (filter_is_seen, b, "b's filter mode to change");
    g_assert_cmpint (tern_account_get_filter_mode (a), ==, TERN_FILTER_MODE_ACTIVE);
  }

  /* The General page's choice goes to every account (and is the default
   * for new ones). */
  adw_combo_row_set_selected (ADW_COMBO_ROW (template_child (prefs, TERN_TYPE_PREFERENCES_WINDOW,
                                                                 "message_filter_row")),
                              TERN_FILTER_MODE_NONE);
  wait_for (filters_are_none, context, "every account's filter mode to change");
  g_assert_cmpint (tern_context_get_default_filter_mode (context), ==, TERN_FILTER_MODE_NONE);
  /* The row shows the new mode once the engine has saved it. */
  wait_for (row_filter_is_none, row_b, "b's row to show the new mode");
  g_settings_reset (settings, "message-filter");

  /* Remove asks first; Cancel keeps the account, Remove removes it. */
  g_signal_emit_by_name (row_a, "remove-requested");
  dialog = ADW_MESSAGE_DIALOG (dlg_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL));
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (dialog), "a@example.org"));
  dlg_save_screenshot (GTK_WIDGET (dialog), "dialogs-remove-account");
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_close (GTK_WINDOW (dialog));
  flush ();
  g_assert_cmpuint (g_list_model_get_n_items (tern_context_get_accounts (context)), ==, 2);

  g_signal_emit_by_name (row_a, "remove-requested");
  dialog = ADW_MESSAGE_DIALOG (dlg_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL));
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "remove");
  gtk_window_close (GTK_WINDOW (dialog));
  wait_for (one_account_left, context, "the account to be removed");
  flush ();
  g_assert_null (tern_preferences_window_find_account_row (prefs, "a@example.org"));
  g_assert_nonnull (tern_preferences_window_find_account_row (prefs, "b@example.net"));
  g_assert_null (tern_context_find_account (context, "a@example.org"));

  tern_context_stop_all (context);
  gtk_window_destroy (GTK_WINDOW (prefs));
  gtk_window_destroy (banner_window);
  flush ();
  g_clear_object (&context);
  flush ();
  remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TernApplication) app = NULL;
  int ret;

  if (!ui_test_init (&argc, &argv, "test-dialogs"))
    return 1;

  /* The application loads the resources, style.css and icons. */
  app = ui_test_app_new ();

  g_test_add_func ("/ui/dialogs/fingerprint", test_fingerprint);
  g_test_add_func ("/ui/dialogs/assistant-manual-page", test_manual_page);
  g_test_add_func ("/ui/dialogs/assistant-unreachable-inline", test_unreachable_inline);
  g_test_add_func ("/ui/dialogs/preferences-engine-settings", test_preferences_engine_settings);
  g_test_add_func ("/ui/dialogs/accounts-page-and-banner", test_accounts_page_and_banner);
  ret = g_test_run ();

  g_application_release (G_APPLICATION (app));
  return ret;
}
