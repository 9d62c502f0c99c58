/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-cli"

#include <glib/gi18n.h>
#include <gmime/gmime.h>
#include <stdio.h>
#include <string.h>

#include "tern-cli-common.h"

int
tern_cli_cmd_chats (TernCli *cli,
                    int      argc,
                    char   **argv)
{
  gboolean all = FALSE;
  GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Include archived chats"), NULL },
    { NULL }
  };
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  TernAccount *account;
  int code;

  if (!tern_cli_parse (cli, &argc, &argv, NULL, entries, &code))
    return code;
  if (argc != 1)
    return tern_cli_usage (_("chats takes no argument"));
  if ((code = tern_cli_open (cli)) != 0)
    return code;
  if ((account = tern_cli_get_account (cli)) == NULL)
    return TERN_CLI_EXIT_NOT_FOUND;
  rows = tern_store_list_chats (tern_account_get_store (account), tern_account_get_id (account),
                                all ? TERN_STORE_CHAT_FILTER_ALL : TERN_STORE_CHAT_FILTER_ACTIVE,
                                0, 0, &error);
  if (rows == NULL)
    return tern_cli_fail (cli, error);
  if (cli->json)
    g_string_append_c (out, '[');
  for (guint i = 0; i < rows->len; i++)
    {
      const TernStoreChatRow *row = g_ptr_array_index (rows, i);

      if (cli->json)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          tern_cli_json_chat (out, row);
        }
      else
        {
          g_autofree char *time = tern_cli_format_time (row->last_activity);

          g_string_append_printf (out, "%" G_GINT64_FORMAT "\t%s\t%u unread\t%s\t%s\n", row->id,
                                  row->name != NULL && *row->name ? row->name : row->key,
                                  row->unread_count, time,
                                  row->last_text != NULL ? row->last_text : "");
        }
    }
  if (cli->json)
    g_string_append (out, "]\n");
  fputs (out->str, stdout);
  return TERN_CLI_EXIT_OK;
}

static void
print_message (GString                   *out,
               const TernStoreMessageRow *row)
{
  g_autofree char *time = tern_cli_format_time (row->sent_time);

  g_string_append_printf (out, "%" G_GINT64_FORMAT "\t[%s] %s: %s", row->id, time,
                          row->outgoing ? "me" : row->sender_address ? row->sender_address : "?",
                          row->deleted ? _("(deleted)") : row->text != NULL ? row->text : "");
  if (row->outgoing)
    g_string_append_printf (out, "  [%s]", tern_cli_state_name (row->state));
  if (row->outgoing && row->failure_reason != NULL)
    g_string_append_printf (out, _("  (failed: %s)"), row->failure_reason);
  if (row->edited)
    g_string_append (out, _("  (edited)"));
  if (row->pinned_until != 0)
    g_string_append (out, _("  (pinned)"));
  if (row->has_location)
    g_string_append_printf (out, "  geo:%f,%f", row->latitude, row->longitude);
  if (row->n_attachments > 0)
    g_string_append_printf (out, _("  (%u attachments)"), row->n_attachments);
  if (row->reply_to != NULL)
    g_string_append_printf (out, _("  (reply to <%s>)"), row->reply_to);
  g_string_append_printf (out, "  <%s>\n", row->message_id);
}

int
tern_cli_cmd_messages (TernCli *cli,
                       int      argc,
                       char   **argv)
{
  int limit = 0;
  GOptionEntry entries[] = {
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("Only the newest N messages"), N_("N") },
    { NULL }
  };
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  TernAccount *account;
  TernStore *store;
  gint64 chat;
  int code;

  if (!tern_cli_parse (cli, &argc, &argv, "CHAT", entries, &code))
    return code;
  if (argc != 2)
    return tern_cli_usage (_("messages needs CHAT"));
  if (limit < 0)
    return tern_cli_usage (_("--limit must be positive"));
  if ((code = tern_cli_open (cli)) != 0)
    return code;
  if ((account = tern_cli_get_account (cli)) == NULL)
    return TERN_CLI_EXIT_NOT_FOUND;
  if ((chat = tern_cli_resolve_chat (cli, account, argv[1])) == 0)
    return TERN_CLI_EXIT_NOT_FOUND;
  store = tern_account_get_store (account);
  if (limit > 0)
    rows = tern_store_get_messages (store, chat, NULL, (guint) limit, &error);
  else
    rows = tern_store_get_messages_after (store, chat, NULL, G_MAXUINT, &error);
  if (rows == NULL)
    return tern_cli_fail (cli, error);
  if (cli->json)
    g_string_append_c (out, '[');
  for (guint i = 0; i < rows->len; i++)
    {
      const TernStoreMessageRow *row = g_ptr_array_index (rows, i);

      if (cli->json)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          tern_cli_json_message (out, store, row);
        }
      else
        print_message (out, row);
    }
  if (cli->json)
    g_string_append (out, "]\n");
  fputs (out->str, stdout);
  return TERN_CLI_EXIT_OK;
}

int
tern_cli_cmd_search (TernCli *cli,
                     int      argc,
                     char   **argv)
{
  g_autoptr(GArray) chats = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  TernAccount *account;
  TernStore *store;
  gint64 account_id;
  int code;

  if (!tern_cli_parse (cli, &argc, &argv, "QUERY", NULL, &code))
    return code;
  if (argc != 2)
    return tern_cli_usage (_("search needs QUERY (quote it when it has spaces)"));
  if ((code = tern_cli_open (cli)) != 0)
    return code;
  if ((account = tern_cli_get_account (cli)) == NULL)
    return TERN_CLI_EXIT_NOT_FOUND;
  store = tern_account_get_store (account);
  account_id = tern_account_get_id (account);
  chats = tern_store_search_chats (store, account_id, argv[1], 20, &error);
  if (chats == NULL)
    return tern_cli_fail (cli, error);
  hits = tern_store_search_messages (store, account_id, argv[1], 100, &error);
  if (hits == NULL)
    return tern_cli_fail (cli, error);

  if (cli->json)
    g_string_append (out, "{\"chats\":[");
  for (guint i = 0; i < chats->len; i++)
    {
      g_autoptr(TernStoreChatRow) row = tern_store_get_chat (store, g_array_index (chats, gint64, i), NULL);

      if (row == NULL)
        continue;
      if (cli->json)
        {
          if (out->str[out->len - 1] != '[')
            g_string_append_c (out, ',');
          tern_cli_json_chat (out, row);
        }
      else
        g_string_append_printf (out, _("chat %" G_GINT64_FORMAT "\t%s\n"), row->id,
                                row->name != NULL && *row->name ? row->name : row->key);
    }
  if (cli->json)
    g_string_append (out, "],\"messages\":[");
  for (guint i = 0; i < hits->len; i++)
    {
      const TernStoreSearchHit *hit = g_ptr_array_index (hits, i);
      g_autoptr(TernStoreMessageRow) row = tern_store_get_message (store, hit->message_id, NULL);
      g_auto(GStrv) parts = NULL;
      g_autofree char *snippet = NULL;

      if (row == NULL)
        continue;
      parts = g_strsplit_set (hit->snippet != NULL ? hit->snippet : "", "\002\003", -1);
      snippet = g_strjoinv (cli->json ? "" : "*", parts);
      if (cli->json)
        {
          gboolean first = TRUE;

          if (out->str[out->len - 1] != '[')
            g_string_append_c (out, ',');
          g_string_append_c (out, '{');
          tern_cli_json_str_member (out, &first, "snippet", snippet);
          tern_cli_json_key (out, &first, "message");
          tern_cli_json_message (out, NULL, row);
          g_string_append_c (out, '}');
        }
      else
        g_string_append_printf (out, "chat %" G_GINT64_FORMAT "\t<%s>\t%s\n", row->chat_id,
                                row->message_id, snippet);
    }
  if (cli->json)
    g_string_append (out, "]}\n");
  fputs (out->str, stdout);
  return TERN_CLI_EXIT_OK;
}

/* ---- export as mbox (mboxrd: ">From " quoting of any number of >) ------- */

static void
mbox_header (GString    *out,
             const char *name,
             const char *value)
{
  g_autofree char *encoded = NULL;

  if (value == NULL)
    return;
  encoded = g_mime_utils_header_encode_text (NULL, value, "utf-8");
  g_string_append_printf (out, "%s: %s\n", name, encoded);
}

static void
mbox_message (GString                   *out,
              const char                *own,
              const TernStoreMessageRow *row)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (row->sent_time);
  g_autofree char *asctime = date != NULL ? g_date_time_format (date, "%a %b %e %H:%M:%S %Y")
                                          : g_strdup ("Thu Jan  1 00:00:00 1970");
  g_autofree char *rfcdate = date != NULL ? g_date_time_format (date, "%a, %d %b %Y %H:%M:%S +0000")
                                          : NULL;
  const char *from = row->outgoing ? own : row->sender_address;
  g_autofree char *mid = g_strdup_printf ("<%s>", row->message_id);
  g_autofree char *irt = row->reply_to != NULL ? g_strdup_printf ("<%s>", row->reply_to) : NULL;
  g_auto(GStrv) lines = NULL;
  const char *text = row->deleted ? "" : row->text != NULL ? row->text : "";

  g_string_append_printf (out, "From %s %s\n", from != NULL ? from : "MAILER-DAEMON", asctime);
  mbox_header (out, "From", from);
  mbox_header (out, "Date", rfcdate);
  mbox_header (out, "Subject", row->subject);
  g_string_append_printf (out, "Message-ID: %s\n", mid);
  if (irt != NULL)
    g_string_append_printf (out, "In-Reply-To: %s\n", irt);
  if (row->has_location)
    g_string_append_printf (out, "X-Tern-Location: geo:%f,%f\n", row->latitude, row->longitude);
  g_string_append (out, "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
                        "Content-Transfer-Encoding: 8bit\n\n");
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *p = lines[i];

      while (*p == '>')
        p++;
      if (g_str_has_prefix (p, "From "))
        g_string_append_c (out, '>');
      g_string_append (out, lines[i]);
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');
}

int
tern_cli_cmd_export (TernCli *cli,
                     int      argc,
                     char   **argv)
{
  g_autofree char *output = NULL;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write to FILE instead of stdout"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  TernStoreCursor cursor = { 0, };
  gboolean have_cursor = FALSE;
  TernAccount *account;
  TernStore *store;
  gint64 chat;
  int code;

  if (!tern_cli_parse (cli, &argc, &argv, "CHAT", entries, &code))
    return code;
  if (argc != 2)
    return tern_cli_usage (_("export needs CHAT"));
  if ((code = tern_cli_open (cli)) != 0)
    return code;
  if ((account = tern_cli_get_account (cli)) == NULL)
    return TERN_CLI_EXIT_NOT_FOUND;
  if ((chat = tern_cli_resolve_chat (cli, account, argv[1])) == 0)
    return TERN_CLI_EXIT_NOT_FOUND;
  store = tern_account_get_store (account);
  g_mime_init ();
  for (;;)
    {
      g_autoptr(GPtrArray) rows = tern_store_get_messages_after (store, chat, have_cursor ? &cursor : NULL,
                                                                 500, &error);
      if (rows == NULL)
        return tern_cli_fail (cli, error);
      if (rows->len == 0)
        break;
      for (guint i = 0; i < rows->len; i++)
        mbox_message (out, tern_account_get_address (account), g_ptr_array_index (rows, i));
      {
        const TernStoreMessageRow *last = g_ptr_array_index (rows, rows->len - 1);
        cursor.sort_key = last->sort_key;
        cursor.id = last->id;
        have_cursor = TRUE;
      }
    }
  if (output != NULL)
    {
      if (!g_file_set_contents (output, out->str, (gssize) out->len, &error))
        return tern_cli_fail (cli, error);
    }
  else
    fwrite (out->str, 1, out->len, stdout);
  return TERN_CLI_EXIT_OK;
}
