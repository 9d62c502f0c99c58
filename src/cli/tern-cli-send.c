/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-cli"

#include <glib/gi18n.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern-cli-common.h"

/* DATE: Unix seconds or ISO 8601 (UTC when no zone is given). 0 if invalid. */
static gint64
parse_date (const char *text)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) date = NULL;
  char *end = NULL;
  gint64 seconds = g_ascii_strtoll (text, &end, 10);

  if (end != text && *end == '\0' && seconds > 0)
    return seconds;
  date = g_date_time_new_from_iso8601 (text, utc);
  if (date == NULL)
    {
      g_autofree char *midnight = g_strconcat (text, "T00:00:00", NULL);
      date = g_date_time_new_from_iso8601 (midnight, utc);
    }
  return date != NULL ? g_date_time_to_unix (date) : 0;
}

/* The folders must be known for the copy the outbox appends. */
static int
ensure_connected_once (TernCli     *cli,
                       TernAccount *account)
{
  if (tern_account_get_folder_name (account, TERN_STORE_FOLDER_ROLE_CHATS) != NULL)
    return TERN_CLI_EXIT_OK;
  return tern_cli_sync_account (cli, account);
}

static void
print_sent (TernCli     *cli,
            TernAccount *account,
            gint64       row_id,
            int          code)
{
  g_autoptr(TernStoreMessageRow) row = tern_store_get_message (tern_account_get_store (account), row_id, NULL);

  if (row == NULL)
    return;
  if (cli->json)
    {
      g_autoptr(GString) out = g_string_new (NULL);

      tern_cli_json_message (out, tern_account_get_store (account), row);
      g_string_append_c (out, '\n');
      fputs (out->str, stdout);
    }
  else if (code == TERN_CLI_EXIT_OK)
    g_print ("%s\n", row->message_id);
}

static int
send_request (TernCli         *cli,
              TernAccount     *account,
              TernSendRequest *request,
              gboolean         wait)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 row;
  int code;

  if (wait && (code = ensure_connected_once (cli, account)) != 0)
    return code;
  tern_account_send_async (account, request, NULL, tern_cli_got_result, &result);
  done = tern_cli_wait (&result);
  row = tern_account_send_finish (account, done, &error);
  if (row == 0)
    return tern_cli_fail (cli, error);
  g_array_append_val (rows, row);
  code = wait ? tern_cli_flush_outbox (cli, account, rows) : TERN_CLI_EXIT_OK;
  print_sent (cli, account, row, code);
  return code;
}

/* --to and --chat: the recipients or the chat of a request. */
static int
target (TernCli          *cli,
        TernAccount      *account,
        const char       *to,
        const char       *chat,
        TernSendRequest  *request,
        GStrv            *recipients)
{
  if ((to == NULL) == (chat == NULL))
    return tern_cli_usage (_("give either --to ADDR[,ADDR...] or --chat CHAT"));
  if (chat != NULL)
    {
      request->chat = tern_cli_resolve_chat (cli, account, chat);
      return request->chat != 0 ? TERN_CLI_EXIT_OK : TERN_CLI_EXIT_NOT_FOUND;
    }
  *recipients = g_strsplit (to, ",", -1);
  for (guint i = 0; (*recipients)[i] != NULL; i++)
    {
      g_strstrip ((*recipients)[i]);
      if (strchr ((*recipients)[i], '@') == NULL)
        return tern_cli_usage (_("“%s” is not an e-mail address"), (*recipients)[i]);
    }
  request->recipients = (const char * const *) *recipients;
  return TERN_CLI_EXIT_OK;
}

int
tern_cli_cmd_send (TernCli *cli,
                   int      argc,
                   char   **argv)
{
  g_autofree char *to = NULL, *chat = NULL, *text = NULL, *html = NULL, *reply = NULL, *until = NULL;
  g_auto(GStrv) files = NULL;
  g_auto(GStrv) recipients = NULL;
  gboolean pinned = FALSE, no_wait = FALSE;
  GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("Recipients (one = the 1:1 chat; several = a new group)"), N_("ADDR[,ADDR...]") },
    { "chat", 0, 0, G_OPTION_ARG_STRING, &chat, N_("An existing chat"), N_("CHAT") },
    { "text", 0, 0, G_OPTION_ARG_STRING, &text, N_("The text"), N_("TEXT") },
    { "html", 0, 0, G_OPTION_ARG_STRING, &html, N_("Formatted text (an HTML fragment)"), N_("HTML") },
    { "file", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, N_("Attach a file (repeatable)"), N_("PATH") },
    { "reply-to", 0, 0, G_OPTION_ARG_STRING, &reply, N_("Reply to this message"), N_("MSGID") },
    { "pin", 0, 0, G_OPTION_ARG_NONE, &pinned, N_("Send the message pinned (Content-Disposition: pinned)"), NULL },
    { "pinned", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &pinned, N_("Same as --pin"), NULL },
    { "until", 0, 0, G_OPTION_ARG_STRING, &until, N_("With --pin: unpinned at DATE (the timeout)"), N_("DATE") },
    { "no-wait", 0, 0, G_OPTION_ARG_NONE, &no_wait, N_("Only queue it (sent by the next sync or watch)"), NULL },
    { NULL }
  };
  TernSendRequest request = { 0, };
  g_autofree char *reply_id = NULL;
  TernAccount *account;
  int code;

  if (!tern_cli_parse (cli, &argc, &argv, NULL, entries, &code))
    return code;
  if (argc != 1)
    return tern_cli_usage (_("send takes its text with --text"));
  if (text == NULL && html == NULL && files == NULL)
    return tern_cli_usage (_("send needs --text, --html or --file"));
  if (until != NULL && !pinned)
    return tern_cli_usage (_("--until goes with --pin"));
  if ((code = tern_cli_open (cli)) != 0)
    return code;
  if ((account = tern_cli_get_account (cli)) == NULL)
    return TERN_CLI_EXIT_NOT_FOUND;
  if ((code = target (cli, account, to, chat, &request, &recipients)) != 0)
    return code;
  if (reply != NULL)
    {
      gint64 id = tern_cli_resolve_message (cli, account, reply);
      g_autoptr(TernStoreMessageRow) row = NULL;

      if (id == 0)
        return TERN_CLI_EXIT_NOT_FOUND;
      row = tern_store_get_message (tern_account_get_store (account), id, NULL);
      reply_id = g_strdup (row->message_id);
    }
  request.text = text;
  request.html = html;
  request.reply_to = reply_id;
  request.paths = (const char * const *) files;
  request.pinned = pinned;
  if (until != NULL && (request.pinned_until = parse_date (until)) == 0)
    return tern_cli_usage (_("--until: “%s” is not a date"), until);
  return send_request (cli, account, &request, !no_wait);
}

int
tern_cli_cmd_location (TernCli *cli,
                       int      argc,
                       char   **argv)
{
  g_autofree char *to = NULL, *chat = NULL, *text = NULL, *lat = NULL, *lon = NULL;
  g_auto(GStrv) recipients = NULL;
  GOptionEntry entries[] = {
    { "lat", 0, 0, G_OPTION_ARG_STRING, &lat, N_("Latitude (degrees)"), N_("LAT") },
    { "lon", 0, 0, G_OPTION_ARG_STRING, &lon, N_("Longitude (degrees)"), N_("LON") },
    { "text", 0, 0, G_OPTION_ARG_STRING, &text, N_("A text with it"), N_("TEXT") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("Recipients"), N_("ADDR[,ADDR...]") },
    { "chat", 0, 0, G_OPTION_ARG_STRING, &chat, N_("An existing chat"), N_("CHAT") },
    { NULL }
  };
  TernSendRequest request = { 0, };
  TernAccount *account;
  char *end;
  int code;

  if (!tern_cli_parse (cli, &argc, &argv, NULL, entries, &code))
    return code;
  if (argc != 1 || lat == NULL || lon == NULL)
    return tern_cli_usage (_("location needs --lat LAT --lon LON"));
  request.latitude = g_ascii_strtod (lat, &end);
  if (*end != '\0' || end == lat || request.latitude < -90 || request.latitude > 90)
    return tern_cli_usage (_("--lat is a number from -90 to 90"));
  request.longitude = g_ascii_strtod (lon, &end);
  if (*end != '\0' || end == lon || request.longitude < -180 || request.longitude > 180)
    return tern_cli_usage (_("--lon is a number from -180 to 180"));
  request.has_location = TRUE;
  request.text = text;
  if ((code = tern_cli_open (cli)) != 0)
    return code;
  if ((account = tern_cli_get_account (cli)) == NULL)
    return TERN_CLI_EXIT_NOT_FOUND;
  if ((code = target (cli, account, to, chat, &request, &recipients)) != 0)
    return code;
  return send_request (cli, account, &request, TRUE);
}

/* edit, delete, read, pin: one operation, then send what it queued. */
typedef enum { OP_EDIT, OP_DELETE, OP_READ, OP_PIN } Op;

static int
run_op (TernCli     *cli,
        TernAccount *account,
        Op           op,
        gint64       target_id,
        const char  *text,
        gint64       until)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(GError) error = NULL;
  int code;

  if (op != OP_PIN && (code = ensure_connected_once (cli, account)) != 0)
    return code;
  switch (op)
    {
    case OP_EDIT:
      tern_account_edit_async (account, target_id, text, NULL, tern_cli_got_result, &result);
      break;
    case OP_DELETE:
      tern_account_delete_async (account, target_id, NULL, tern_cli_got_result, &result);
      break;
    case OP_READ:
      /* Marks the chat read here and on the server, and answers the receipt
       * requests the server copies carry (see tern_account_mark_read_async()). */
      tern_account_mark_read_async (account, target_id, NULL, tern_cli_got_result, &result);
      break;
    case OP_PIN:
    default:
      tern_account_pin_async (account, target_id, until, NULL, tern_cli_got_result, &result);
      break;
    }
  done = tern_cli_wait (&result);
  if (!tern_account_send_op_finish (account, done, &error))
    return tern_cli_fail (cli, error);
  if (op == OP_PIN)
    return TERN_CLI_EXIT_OK;
  return tern_cli_flush_outbox (cli, account, NULL);
}

static int
message_op (TernCli *cli,
            int      argc,
            char   **argv,
            Op       op)
{
  g_autofree char *until = NULL;
  gboolean unpin = FALSE;
  GOptionEntry pin_entries[] = {
    { "until", 0, 0, G_OPTION_ARG_STRING, &until, N_("Unpin at DATE"), N_("DATE") },
    { "unpin", 0, 0, G_OPTION_ARG_NONE, &unpin, N_("Unpin the message"), NULL },
    { NULL }
  };
  const char *params = op == OP_EDIT ? "MSGID TEXT" : op == OP_READ ? "CHAT" : "MSGID";
  TernAccount *account;
  gint64 target_id, pin_until = 0;
  int code;

  if (!tern_cli_parse (cli, &argc, &argv, params, op == OP_PIN ? pin_entries : NULL, &code))
    return code;
  if (argc != (op == OP_EDIT ? 3 : 2))
    return tern_cli_usage (_("usage: tern-cli %s %s"), argv[0] + strlen ("tern-cli "), params);
  if (op == OP_PIN)
    {
      if (unpin && until != NULL)
        return tern_cli_usage (_("--until and --unpin exclude each other"));
      pin_until = unpin ? 0 : G_MAXINT64;
      if (until != NULL && (pin_until = parse_date (until)) == 0)
        return tern_cli_usage (_("--until: “%s” is not a date"), until);
    }
  if ((code = tern_cli_open (cli)) != 0)
    return code;
  if ((account = tern_cli_get_account (cli)) == NULL)
    return TERN_CLI_EXIT_NOT_FOUND;
  target_id = op == OP_READ ? tern_cli_resolve_chat (cli, account, argv[1])
                            : tern_cli_resolve_message (cli, account, argv[1]);
  if (target_id == 0)
    return TERN_CLI_EXIT_NOT_FOUND;
  return run_op (cli, account, op, target_id, op == OP_EDIT ? argv[2] : NULL, pin_until);
}

int
tern_cli_cmd_edit (TernCli *cli, int argc, char **argv)
{
  return message_op (cli, argc, argv, OP_EDIT);
}

int
tern_cli_cmd_delete (TernCli *cli, int argc, char **argv)
{
  return message_op (cli, argc, argv, OP_DELETE);
}

int
tern_cli_cmd_read (TernCli *cli, int argc, char **argv)
{
  return message_op (cli, argc, argv, OP_READ);
}

int
tern_cli_cmd_pin (TernCli *cli, int argc, char **argv)
{
  return message_op (cli, argc, argv, OP_PIN);
}

/* block ADDR / unblock ADDR */
static int
block_op (TernCli  *cli,
          int       argc,
          char    **argv,
          gboolean  blocked)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(GError) error = NULL;
  TernAccount *account;
  int code;

  if (!tern_cli_parse (cli, &argc, &argv, "ADDR", NULL, &code))
    return code;
  if (argc != 2)
    return tern_cli_usage (_("usage: tern-cli %s ADDR"), blocked ? "block" : "unblock");
  if ((code = tern_cli_open (cli)) != 0)
    return code;
  if ((account = tern_cli_get_account (cli)) == NULL)
    return TERN_CLI_EXIT_NOT_FOUND;
  tern_account_set_blocked_async (account, argv[1], blocked, NULL, tern_cli_got_result, &result);
  done = tern_cli_wait (&result);
  if (!tern_account_send_op_finish (account, done, &error))
    return tern_cli_fail (cli, error);
  return TERN_CLI_EXIT_OK;
}

int
tern_cli_cmd_block (TernCli *cli, int argc, char **argv)
{
  return block_op (cli, argc, argv, TRUE);
}

int
tern_cli_cmd_unblock (TernCli *cli, int argc, char **argv)
{
  return block_op (cli, argc, argv, FALSE);
}
