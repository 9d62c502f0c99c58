/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-cli"

#include <glib.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "tern-cli-common.h"
#include "tern-secrets.h"

typedef int (*CommandFunc) (TernCli *cli, int argc, char **argv);

static const struct {
  const char  *name;
  CommandFunc  func;
} commands[] = {
  { "account", tern_cli_cmd_account },
  { "sync", tern_cli_cmd_sync },
  { "watch", tern_cli_cmd_watch },
  { "chats", tern_cli_cmd_chats },
  { "messages", tern_cli_cmd_messages },
  { "send", tern_cli_cmd_send },
  { "edit", tern_cli_cmd_edit },
  { "delete", tern_cli_cmd_delete },
  { "read", tern_cli_cmd_read },
  { "pin", tern_cli_cmd_pin },
  { "block", tern_cli_cmd_block },
  { "unblock", tern_cli_cmd_unblock },
  { "location", tern_cli_cmd_location },
  { "search", tern_cli_cmd_search },
  { "export", tern_cli_cmd_export },
};

static const char help_text[] =
  "Commands:\n"
  "  account add --address ADDR [--login NAME] [--imap-host H] [--imap-port N]\n"
  "              [--imap-security tls|starttls|plain] [--smtp-host H] [--smtp-port N]\n"
  "              [--smtp-security tls|starttls|plain] [--trust-certificate SHA256]\n"
  "              [--filter none|active|seen] [--password-stdin]\n"
  "  account list\n"
  "  account remove ADDR\n"
  "  sync                          fetch what changed once, send what waits, exit\n"
  "  watch                         stay connected; one line (JSON object with --json) per event\n"
  "  chats                         list the chats, newest first\n"
  "  messages CHAT                 the messages of a chat, oldest first\n"
  "  send --to ADDR[,ADDR...] | --chat CHAT [--text TEXT] [--file PATH]...\n"
  "       [--reply-to MSGID] [--pin [--until DATE]]\n"
  "  edit MSGID TEXT               edit your own message\n"
  "  delete MSGID                  delete your own message for everyone\n"
  "  read CHAT                     mark a chat read (sends read receipts when enabled)\n"
  "  pin MSGID [--until DATE]      pin a message on this device (--unpin to unpin)\n"
  "  block ADDR | unblock ADDR     block a sender: its mail goes to Blocked, not to chats\n"
  "  location --lat LAT --lon LON [--text TEXT] (--to ADDR | --chat CHAT)\n"
  "  search QUERY                  full-text search of chats and messages\n"
  "  export CHAT                   the chat as an mbox on stdout (or --output FILE)\n"
  "\n"
  "CHAT is a chat id (see `chats`) or the peer's address; MSGID a Message-ID or a\n"
  "message id (see `messages`). DATE is ISO 8601 or Unix seconds.\n"
  "\n"
  "Options of every command:\n"
  "  --profile DIR      the data directory (default ~/.local/share/tern)\n"
  "  --account ADDR     the account, when there are several\n"
  "  --json             machine-readable output: one JSON document per listing,\n"
  "                     one JSON object per line for `watch`, errors as JSON on stderr\n"
  "  --password-stdin   read the password (one line) from stdin; used for this run\n"
  "                     only, never stored, never logged. Without it the password\n"
  "                     comes from the Secret Service (libsecret). `account add`\n"
  "                     reads the password (prompted on a terminal, else one line of\n"
  "                     stdin) and stores it in the Secret Service; with no Secret\n"
  "                     Service it stops (exit 6) unless --password-stdin is given,\n"
  "                     in which case the password is used for this run only.\n"
  "\n"
  "Exit codes:\n"
  "  0  ok\n"
  "  1  failure (the message says what; e.g. a message the server refused)\n"
  "  2  usage (unknown command or option, bad value)\n"
  "  3  authentication (a server rejected the login or password)\n"
  "  4  network or transient (unreachable, timed out, deferred; try again later;\n"
  "     queued messages stay in the outbox)\n"
  "  5  certificate untrusted (the fingerprint is printed; pin it with\n"
  "     --trust-certificate)\n"
  "  6  no Secret Service (use --password-stdin)\n"
  "  7  no password known for the account\n"
  "  8  not found (account, chat, message)\n";

static void
print_help (void)
{
  g_print ("Usage: tern-cli [OPTION...] COMMAND [ARG...]\n"
           "Chat over e-mail from the shell.\n\n%s", help_text);
}

int
main (int   argc,
      char *argv[])
{
  TernCli cli = { 0, };
  int command_index = -1;
  int code;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* a script cannot answer the keyring's unlock prompt: say it is locked */
  tern_secrets_set_interactive (FALSE);

  /* The command is the first word that is neither an option nor the value
   * of a global option given as a separate word. */
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--profile") || g_str_equal (argv[i], "--account"))
        {
          i++;
          continue;
        }
      if (g_str_equal (argv[i], "--version"))
        {
          g_print ("tern-cli %s\n", PACKAGE_VERSION);
          return TERN_CLI_EXIT_OK;
        }
      if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h") || g_str_equal (argv[i], "help"))
        {
          if (command_index < 0)
            {
              print_help ();
              return TERN_CLI_EXIT_OK;
            }
          continue;
        }
      if (argv[i][0] != '-' && command_index < 0)
        command_index = i;
    }
  if (command_index < 0)
    {
      g_printerr ("tern-cli: %s\n", _("no command given (try --help)"));
      return TERN_CLI_EXIT_USAGE;
    }

  for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
    {
      if (g_str_equal (commands[c].name, argv[command_index]))
        {
          g_autoptr(GPtrArray) args = g_ptr_array_new ();
          g_autofree char *name = g_strdup_printf ("tern-cli %s", commands[c].name);

          g_ptr_array_add (args, name);
          for (int i = 1; i < argc; i++)
            if (i != command_index)
              g_ptr_array_add (args, argv[i]);
          g_ptr_array_add (args, NULL);
          g_set_prgname ("tern-cli");
          code = commands[c].func (&cli, (int) args->len - 1, (char **) args->pdata);
          if (cli.context != NULL)
            {
              tern_context_stop_all (cli.context);
              while (g_main_context_iteration (NULL, FALSE))
                ;
              g_clear_object (&cli.context);
            }
          if (cli.password != NULL)
            {
              explicit_bzero (cli.password, strlen (cli.password));
              g_free (cli.password);
            }
          g_free (cli.profile);
          g_free (cli.account);
          return code;
        }
    }
  return tern_cli_usage (_("unknown command “%s” (try --help)"), argv[command_index]);
}
