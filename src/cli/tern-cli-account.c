/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-cli"

#include <glib/gi18n.h>
#include <stdio.h>

#include "tern-cli-common.h"
#include "tern-core-error.h"

static const char *
security_name (TernStoreSecurity security)
{
  return tern_account_security_to_string ((TernAccountSecurity) (security + 1));
}

static int
account_add (TernCli *cli,
             int      argc,
             char   **argv)
{
  g_autofree char *address = NULL, *login = NULL, *imap_host = NULL, *smtp_host = NULL;
  g_autofree char *imap_security = NULL, *smtp_security = NULL, *trust = NULL, *filter = NULL;
  g_autofree char *name = NULL;
  int imap_port = 0, smtp_port = 0;
  GOptionEntry entries[] = {
    { "address", 0, 0, G_OPTION_ARG_STRING, &address, N_("The e-mail address"), N_("ADDR") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("Your name for From:"), N_("NAME") },
    { "login", 0, 0, G_OPTION_ARG_STRING, &login, N_("Login name (default: the address)"), N_("NAME") },
    { "imap-host", 0, 0, G_OPTION_ARG_STRING, &imap_host, N_("IMAP host"), N_("H") },
    { "imap-port", 0, 0, G_OPTION_ARG_INT, &imap_port, N_("IMAP port"), N_("N") },
    { "imap-security", 0, 0, G_OPTION_ARG_STRING, &imap_security, N_("tls|starttls|plain"), N_("S") },
    { "smtp-host", 0, 0, G_OPTION_ARG_STRING, &smtp_host, N_("SMTP host"), N_("H") },
    { "smtp-port", 0, 0, G_OPTION_ARG_INT, &smtp_port, N_("SMTP port"), N_("N") },
    { "smtp-security", 0, 0, G_OPTION_ARG_STRING, &smtp_security, N_("tls|starttls|plain"), N_("S") },
    { "trust-certificate", 0, 0, G_OPTION_ARG_STRING, &trust,
      N_("Accept the servers' certificate with this SHA-256 fingerprint"), N_("SHA256") },
    { "filter", 0, 0, G_OPTION_ARG_STRING, &filter, N_("none|active|seen (default active)"), N_("MODE") },
    { NULL }
  };
  g_autoptr(TernAccountSettings) settings = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(GError) error = NULL;
  TernAccount *account;
  int code;

  if (!tern_cli_parse (cli, &argc, &argv, "add --address ADDR", entries, &code))
    return code;
  if (address == NULL || argc != 2)
    return tern_cli_usage (_("account add needs --address ADDR and no other argument"));
  settings = tern_account_settings_new (address);
  settings->login = g_strdup (login);
  settings->display_name = g_strdup (name);
  settings->imap_host = g_strdup (imap_host);
  settings->smtp_host = g_strdup (smtp_host);
  if (imap_port < 0 || imap_port > 65535 || smtp_port < 0 || smtp_port > 65535)
    return tern_cli_usage (_("a port is a number from 1 to 65535"));
  settings->imap_port = (guint16) imap_port;
  settings->smtp_port = (guint16) smtp_port;
  if (imap_security != NULL && !tern_account_security_from_string (imap_security, &settings->imap_security))
    return tern_cli_usage (_("--imap-security is tls, starttls or plain"));
  if (smtp_security != NULL && !tern_account_security_from_string (smtp_security, &settings->smtp_security))
    return tern_cli_usage (_("--smtp-security is tls, starttls or plain"));
  if (filter != NULL && !tern_filter_mode_from_string (filter, &settings->filter_mode))
    return tern_cli_usage (_("--filter is none, active or seen"));
  settings->trusted_certificate = g_strdup (trust);

  if ((code = tern_cli_open (cli)) != 0)
    return code;
  if (filter == NULL)
    settings->filter_mode = tern_context_get_default_filter_mode (cli->context);
  if (!tern_cli_read_password (cli, _("Password: ")))
    return tern_cli_usage (_("no password given on stdin"));
  settings->password = g_strdup (cli->password);
  /* The Secret Service keeps the password. Without one, a password typed or
   * piped without --password-stdin stops here (exit 6; never a plain-text
   * fallback); with --password-stdin the account is added anyway and the
   * password is used for this run only (give it again on every run). */
  settings->store_password = TRUE;

  tern_account_setup_async (cli->context, settings, NULL, tern_cli_got_result, &result);
  done = tern_cli_wait (&result);
  account = tern_account_setup_finish (done, &error);
  if (account == NULL && cli->password_stdin
      && g_error_matches (error, TERN_CORE_ERROR, TERN_CORE_ERROR_NO_SECRET_SERVICE))
    {
      g_printerr (_("tern-cli: %s; the password is not stored: give it with --password-stdin "
                    "on every run\n"), error->message);
      g_clear_error (&error);
      g_clear_object (&done);
      settings->store_password = FALSE;
      tern_account_setup_async (cli->context, settings, NULL, tern_cli_got_result, &result);
      done = tern_cli_wait (&result);
      account = tern_account_setup_finish (done, &error);
    }
  if (account == NULL)
    return tern_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr(GString) out = g_string_new ("{");
      gboolean first = TRUE;

      tern_cli_json_str_member (out, &first, "address", tern_account_get_address (account));
      tern_cli_json_int_member (out, &first, "id", tern_account_get_id (account));
      tern_cli_json_bool_member (out, &first, "password_stored", settings->store_password);
      g_string_append (out, "}\n");
      fputs (out->str, stdout);
    }
  else
    g_print (_("Added %s\n"), tern_account_get_address (account));
  g_object_unref (account);
  return TERN_CLI_EXIT_OK;
}

static int
account_list (TernCli *cli,
              int      argc,
              char   **argv)
{
  GListModel *accounts;
  g_autoptr(GString) out = g_string_new (NULL);
  int code;

  if (!tern_cli_parse (cli, &argc, &argv, "list", NULL, &code))
    return code;
  if (argc != 2)
    return tern_cli_usage (_("account list takes no argument"));
  if ((code = tern_cli_open (cli)) != 0)
    return code;
  accounts = tern_context_get_accounts (cli->context);
  if (cli->json)
    g_string_append_c (out, '[');
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(TernAccount) account = g_list_model_get_item (accounts, i);
      const TernStoreAccountRow *row = tern_account_get_row (account);

      if (cli->json)
        {
          gboolean first = TRUE;

          if (i > 0)
            g_string_append_c (out, ',');
          g_string_append_c (out, '{');
          tern_cli_json_int_member (out, &first, "id", row->id);
          tern_cli_json_str_member (out, &first, "address", row->address);
          tern_cli_json_str_member (out, &first, "name", row->display_name);
          tern_cli_json_str_member (out, &first, "login", row->login);
          tern_cli_json_str_member (out, &first, "imap_host", row->imap_host);
          tern_cli_json_int_member (out, &first, "imap_port", row->imap_port);
          tern_cli_json_str_member (out, &first, "imap_security", security_name (row->imap_security));
          tern_cli_json_str_member (out, &first, "smtp_host", row->smtp_host);
          tern_cli_json_int_member (out, &first, "smtp_port", row->smtp_port);
          tern_cli_json_str_member (out, &first, "smtp_security", security_name (row->smtp_security));
          tern_cli_json_str_member (out, &first, "filter",
                                    tern_filter_mode_to_string ((TernFilterMode) row->filter_mode));
          tern_cli_json_bool_member (out, &first, "coi_server", row->coi_server);
          g_string_append_c (out, '}');
        }
      else
        g_string_append_printf (out, "%s\timap %s:%u (%s)\tsmtp %s:%u (%s)\tfilter %s%s\n",
                                row->address, row->imap_host, row->imap_port,
                                security_name (row->imap_security),
                                row->smtp_host, row->smtp_port, security_name (row->smtp_security),
                                tern_filter_mode_to_string ((TernFilterMode) row->filter_mode),
                                row->coi_server ? "\tCOI server" : "");
    }
  if (cli->json)
    g_string_append (out, "]\n");
  fputs (out->str, stdout);
  return TERN_CLI_EXIT_OK;
}

static int
account_remove (TernCli *cli,
                int      argc,
                char   **argv)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(GError) error = NULL;
  TernAccount *account;
  int code;

  if (!tern_cli_parse (cli, &argc, &argv, "remove ADDR", NULL, &code))
    return code;
  if (argc != 3)
    return tern_cli_usage (_("account remove needs the address"));
  if ((code = tern_cli_open (cli)) != 0)
    return code;
  account = tern_context_find_account (cli->context, argv[2]);
  if (account == NULL)
    {
      g_printerr (_("tern-cli: no account %s\n"), argv[2]);
      return TERN_CLI_EXIT_NOT_FOUND;
    }
  tern_account_remove_async (account, NULL, tern_cli_got_result, &result);
  done = tern_cli_wait (&result);
  if (!tern_account_remove_finish (account, done, &error))
    return tern_cli_fail (cli, error);
  if (!cli->json)
    g_print (_("Removed %s\n"), argv[2]);
  return TERN_CLI_EXIT_OK;
}

int
tern_cli_cmd_account (TernCli *cli,
                      int      argc,
                      char   **argv)
{
  const char *sub = NULL;

  /* The subcommand: the first word after the program name that is not an
   * option or a global option's value. */
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--profile") || g_str_equal (argv[i], "--account"))
        {
          i++;
          continue;
        }
      if (g_str_equal (argv[i], "add") || g_str_equal (argv[i], "list")
          || g_str_equal (argv[i], "remove"))
        {
          sub = argv[i];
          break;
        }
      if (argv[i][0] != '-' && sub == NULL)
        sub = argv[i];
    }
  if (sub == NULL)
    return tern_cli_usage (_("account needs add, list or remove"));
  if (g_str_equal (sub, "add"))
    return account_add (cli, argc, argv);
  if (g_str_equal (sub, "list"))
    return account_list (cli, argc, argv);
  if (g_str_equal (sub, "remove"))
    return account_remove (cli, argc, argv);
  return tern_cli_usage (_("unknown account command “%s”"), sub);
}
