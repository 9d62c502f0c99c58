/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui-test"

#include <adwaita.h>

#include "tern-account-assistant.h"
#include "tern-account-row.h"
#include "tern-application.h"
#include "tern-preferences-window.h"
#include "test-dialogs-util.h"

/* The dialogs against the test stack (inside tests/stack/with-stack, under
 * tests/ui/with-xvfb), as user bob:
 * - the assistant: discovery finds nothing for example.test (no DNS for
 *   it here), so the manual page opens with the reason; a wrong password
 *   is reported inline; the right one brings up the certificate prompt
 *   with the stack's fingerprint; Trust adds the account;
 * - the preferences: bob@example.test (plain Dovecot) and bob@coi.test
 *   (Dovecot advertising COI) connected, each row saying whether the
 *   server is a COI server, which extensions it offers and that it is
 *   connected. */

static TernApplication *app;

static gboolean
not_busy (gpointer assistant)
{
  return !tern_account_assistant_get_busy (assistant);
}

static gboolean
has_prompt (gpointer except)
{
  return dlg_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, except) != NULL;
}

static gboolean
has_one_account (gpointer context)
{
  return g_list_model_get_n_items (tern_context_get_accounts (context)) == 1;
}

static void
account_added_cb (TernAccountAssistant  *assistant,
                  TernAccount           *account,
                  TernAccount          **slot)
{
  g_set_object (slot, account);
}

/* As a click does: the response, then the dialog closes (the response
 * alone leaves it open). */
static void
respond (AdwMessageDialog *dialog,
         const char       *response)
{
  adw_message_dialog_response (dialog, response);
  gtk_window_close (GTK_WINDOW (dialog));
  flush ();
}

static void
set_combo (TernAccountAssistant *assistant,
           const char           *name,
           TernAccountSecurity   security)
{
  adw_combo_row_set_selected (ADW_COMBO_ROW (template_child (assistant, TERN_TYPE_ACCOUNT_ASSISTANT,
                                                             name)), security);
}

static void
test_assistant_manual (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tern-dialogs-live-XXXXXX", &error);
  g_autoptr(TernContext) context = tern_context_new (dir, &error);
  g_autoptr(TernAccountSettings) defaults = tern_account_settings_new ("placeholder@example.test");
  g_autofree char *me = g_strdup_printf ("bob@%s", env ("TERN_TEST_DOMAIN"));
  const char *cert = env ("TERN_TEST_CERT_SHA256");
  g_autofree char *fingerprint = tern_account_assistant_format_fingerprint (cert);
  GType type = TERN_TYPE_ACCOUNT_ASSISTANT;
  TernAccountAssistant *assistant;
  AdwMessageDialog *prompt;
  TernAccount *added = NULL;
  const char *shown;
  g_autofree char *shown_copy = NULL;

  g_assert_no_error (error);
  /* with-xvfb runs a D-Bus session of its own, without the stack's
   * keyring: the password stays in the process. */
  defaults->store_password = FALSE;
  /* Held: it destroys itself once the account is added. */
  assistant = g_object_ref (tern_account_assistant_new_for_context (context, defaults));
  gtk_window_set_application (GTK_WINDOW (assistant), GTK_APPLICATION (app));
  g_signal_connect (assistant, "account-added", G_CALLBACK (account_added_cb), &added);
  gtk_window_present (GTK_WINDOW (assistant));
  dlg_set_text (assistant, type, "address_row", me);
  dlg_set_text (assistant, type, "password_row", env ("TERN_TEST_PASSWORD"));
  dlg_save_screenshot (GTK_WIDGET (assistant), "dialogs-live-assistant");

  /* Discovery: nothing answers for example.test, so the manual page. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.next", NULL));
  wait_for (not_busy, assistant, "discovery to give up");
  shown = tern_account_assistant_get_error (assistant);
  g_test_message ("after discovery: %s", shown);
  g_assert_cmpstr (tern_account_assistant_get_page (assistant), ==, "manual");
  g_assert_nonnull (shown);
  g_assert_nonnull (strstr (shown, "could not find the mail servers of bob@"));

  /* The stack's servers, STARTTLS on both; a wrong password first. */
  dlg_set_text (assistant, type, "imap_host_row", env ("TERN_TEST_HOST"));
  dlg_set_text (assistant, type, "imap_port_row", env ("TERN_TEST_IMAP_PORT"));
  set_combo (assistant, "imap_security_row", TERN_ACCOUNT_SECURITY_STARTTLS);
  dlg_set_text (assistant, type, "smtp_host_row", env ("TERN_TEST_HOST"));
  dlg_set_text (assistant, type, "smtp_port_row", env ("TERN_TEST_SMTP_PORT"));
  set_combo (assistant, "smtp_security_row", TERN_ACCOUNT_SECURITY_STARTTLS);
  dlg_save_screenshot (GTK_WIDGET (assistant), "dialogs-live-manual-page");

  {
    g_autoptr(TernAccountSettings) s = tern_account_assistant_dup_settings (assistant);

    g_assert_cmpstr (s->imap_host, ==, env ("TERN_TEST_HOST"));
    g_assert_cmpint (s->smtp_security, ==, TERN_ACCOUNT_SECURITY_STARTTLS);
  }

  /* The certificate comes first: the prompt shows the stack's fingerprint. */
  dlg_set_text (assistant, type, "password_row", "not-the-password");
  tern_account_assistant_show_manual (assistant);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.next", NULL));
  wait_for (has_prompt, NULL, "the certificate prompt");
  prompt = ADW_MESSAGE_DIALOG (dlg_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL));
  g_test_message ("prompt: %s", adw_message_dialog_get_body (prompt));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (prompt), "certificate-prompt"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (prompt), fingerprint));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (prompt), me));
  dlg_save_screenshot (GTK_WIDGET (prompt), "dialogs-live-certificate-prompt");
  respond (prompt, "trust");
  flush ();
  wait_for (not_busy, assistant, "the login with the wrong password");

  shown = tern_account_assistant_get_error (assistant);
  shown_copy = g_strdup (shown);
  g_test_message ("wrong password: %s", shown);
  g_assert_nonnull (shown);
  g_assert_nonnull (strstr (shown, "password"));
  g_assert_nonnull (strstr (shown, "Check the password and the login name."));
  g_assert_true (gtk_widget_has_css_class (template_child (assistant, type, "password_row"), "error"));
  g_assert_cmpuint (g_list_model_get_n_items (tern_context_get_accounts (context)), ==, 0);
  dlg_save_screenshot (GTK_WIDGET (assistant), "dialogs-live-wrong-password-manual");
  /* The password is on the first page; the reason goes along. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.back", NULL));
  g_assert_cmpstr (tern_account_assistant_get_error (assistant), ==, shown_copy);
  dlg_save_screenshot (GTK_WIDGET (assistant), "dialogs-live-wrong-password");
  dlg_set_text (assistant, type, "password_row", env ("TERN_TEST_PASSWORD"));
  tern_account_assistant_show_manual (assistant);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (template_child (assistant, type,
                                                                             "imap_port_row"))),
                   ==, env ("TERN_TEST_IMAP_PORT"));

  /* The right password: the certificate trusted a moment ago is not asked
   * for again, and the account is added. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (assistant), "assistant.next", NULL));
  wait_for (not_busy, assistant, "the set-up with the right password");
  prompt = ADW_MESSAGE_DIALOG (dlg_find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL));
  if (prompt != NULL)
    g_test_message ("unexpected dialog: %s: %s", adw_message_dialog_get_heading (prompt),
                    adw_message_dialog_get_body (prompt));
  g_assert_null (prompt);
  wait_for (has_one_account, context, "the account to be added");
  flush ();
  g_assert_nonnull (added);
  g_assert_cmpstr (tern_account_get_address (added), ==, me);
  g_assert_null (dlg_find_toplevel (TERN_TYPE_ACCOUNT_ASSISTANT, NULL));
  g_object_unref (assistant);

  tern_context_stop_all (context);
  g_clear_object (&added);
  flush ();
  g_clear_object (&context);
  flush ();
  remove_tree (dir);
}

/* ---- preferences: the status of accounts on both server flavours ------------- */

static TernAccount *
setup_account (TernContext *context,
               const char  *address,
               const char  *imap_port_var)
{
  g_autoptr(TernAccountSettings) s = tern_account_settings_new (address);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  TernAccount *account;

  s->store_password = FALSE;
  s->password = g_strdup (env ("TERN_TEST_PASSWORD"));
  s->imap_host = g_strdup (env ("TERN_TEST_HOST"));
  s->imap_port = (guint16) g_ascii_strtoull (env (imap_port_var), NULL, 10);
  s->imap_security = TERN_ACCOUNT_SECURITY_STARTTLS;
  s->smtp_host = g_strdup (env ("TERN_TEST_HOST"));
  s->smtp_port = (guint16) g_ascii_strtoull (env ("TERN_TEST_SMTP_PORT"), NULL, 10);
  s->smtp_security = TERN_ACCOUNT_SECURITY_STARTTLS;
  s->trusted_certificate = g_strdup (env ("TERN_TEST_CERT_SHA256"));
  s->filter_mode = TERN_FILTER_MODE_ACTIVE;
  tern_account_setup_async (context, s, NULL, got_result, &result);
  wait_for (is_set, &result, "the set-up");
  account = tern_account_setup_finish (result, &error);
  g_assert_no_error (error);
  tern_account_set_password_for_session (account, env ("TERN_TEST_PASSWORD"));
  return account;
}

static gboolean
row_connected (gpointer row)
{
  return g_str_has_prefix (tern_account_row_get_status_text (row), "Connected") &&
         tern_account_row_get_extensions_text (row) != NULL &&
         strstr (tern_account_row_get_extensions_text (row), "IDLE") != NULL;
}

static void
test_preferences_status (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tern-dialogs-live-XXXXXX", &error);
  g_autoptr(TernContext) context = tern_context_new (dir, &error);
  g_autofree char *plain = g_strdup_printf ("bob@%s", env ("TERN_TEST_DOMAIN"));
  g_autofree char *coi = g_strdup_printf ("bob@%s", env ("TERN_TEST_COI_DOMAIN"));
  g_autoptr(TernAccount) plain_account = NULL;
  g_autoptr(TernAccount) coi_account = NULL;
  TernPreferencesWindow *prefs;
  TernAccountRow *plain_row, *coi_row;
  const char *ext;

  g_assert_no_error (error);
  plain_account = setup_account (context, plain, "TERN_TEST_IMAP_PORT");
  coi_account = setup_account (context, coi, "TERN_TEST_COI_IMAP_PORT");

  prefs = tern_preferences_window_new (tern_application_get_settings (app));
  tern_preferences_window_set_context (prefs, context);
  gtk_window_set_application (GTK_WINDOW (prefs), GTK_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (prefs), 640, 900);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "accounts");
  gtk_window_present (GTK_WINDOW (prefs));
  plain_row = tern_preferences_window_find_account_row (prefs, plain);
  coi_row = tern_preferences_window_find_account_row (prefs, coi);
  g_assert_nonnull (plain_row);
  g_assert_nonnull (coi_row);

  /* Live: started after the window shows them. */
  tern_account_start (plain_account);
  tern_account_start (coi_account);
  wait_for (row_connected, plain_row, "the plain account to connect");
  wait_for (row_connected, coi_row, "the COI account to connect");

  g_test_message ("%s: %s; COI: %s; extensions: %s", plain,
                  tern_account_row_get_status_text (plain_row),
                  tern_account_row_get_coi_text (plain_row),
                  tern_account_row_get_extensions_text (plain_row));
  g_test_message ("%s: %s; COI: %s; extensions: %s", coi,
                  tern_account_row_get_status_text (coi_row),
                  tern_account_row_get_coi_text (coi_row),
                  tern_account_row_get_extensions_text (coi_row));
  g_assert_true (g_str_has_prefix (tern_account_row_get_coi_text (plain_row), "No"));
  g_assert_true (g_str_has_prefix (tern_account_row_get_coi_text (coi_row), "Yes"));
  g_assert_false (tern_account_is_coi_server (plain_account));
  g_assert_true (tern_account_is_coi_server (coi_account));

  /* The extensions the stack's Dovecot offers (tests/stack/README.md). */
  ext = tern_account_row_get_extensions_text (coi_row);
  for (const char *const *name = (const char *const[]) { "COI", "WEBPUSH", "METADATA", "IDLE",
                                                          "CONDSTORE", "QRESYNC", "MOVE",
                                                          "UIDPLUS", "SPECIAL-USE", NULL };
       *name; name++)
    g_assert_nonnull (strstr (ext, *name));
  ext = tern_account_row_get_extensions_text (plain_row);
  g_assert_null (strstr (ext, "COI"));
  g_assert_null (strstr (ext, "WEBPUSH"));
  for (const char *const *name = (const char *const[]) { "IDLE", "CONDSTORE", "QRESYNC", "MOVE",
                                                          "METADATA", NULL };
       *name; name++)
    g_assert_nonnull (strstr (ext, *name));

  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (plain_row), TRUE);
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (coi_row), TRUE);
  dlg_save_screenshot (GTK_WIDGET (prefs), "dialogs-live-preferences-accounts");

  /* Losing the connection shows at once in the row. */
  tern_account_stop (plain_account);
  flush ();
  g_assert_false (g_str_has_prefix (tern_account_row_get_status_text (plain_row), "Connected"));

  gtk_window_destroy (GTK_WINDOW (prefs));
  tern_context_stop_all (context);
  flush ();
  g_clear_object (&plain_account);
  g_clear_object (&coi_account);
  g_clear_object (&context);
  flush ();
  remove_tree (dir);
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
      g_printerr ("test-dialogs-live: no display; run it under tests/ui/with-xvfb\n");
      return 1;
    }
  env ("TERN_TEST_HOST");

  app = ui_test_app_new ();

  g_test_add_func ("/ui/dialogs-live/assistant-manual", test_assistant_manual);
  g_test_add_func ("/ui/dialogs-live/preferences-status", test_preferences_status);
  ret = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  return ret;
}
