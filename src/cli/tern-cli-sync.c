/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-cli"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>

#include "tern-cli-common.h"
#include "tern-outbox.h"

/* The accounts a command works on: --account, else all. */
static GPtrArray *
selected_accounts (TernCli *cli)
{
  GPtrArray *list = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *accounts = tern_context_get_accounts (cli->context);

  if (cli->account != NULL || cli->password_stdin)
    {
      TernAccount *account = tern_cli_get_account (cli);

      if (account == NULL)
        {
          g_ptr_array_unref (list);
          return NULL;
        }
      g_ptr_array_add (list, g_object_ref (account));
      return list;
    }
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    g_ptr_array_add (list, g_list_model_get_item (accounts, i));
  if (list->len == 0)
    {
      g_printerr (_("tern-cli: no account yet (add one with `tern-cli account add`)\n"));
      g_ptr_array_unref (list);
      return NULL;
    }
  return list;
}

int
tern_cli_cmd_sync (TernCli *cli,
                   int      argc,
                   char   **argv)
{
  g_autoptr(GPtrArray) accounts = NULL;
  int code, worst = TERN_CLI_EXIT_OK;

  if (!tern_cli_parse (cli, &argc, &argv, NULL, NULL, &code))
    return code;
  if (argc != 1)
    return tern_cli_usage (_("sync takes no argument"));
  if ((code = tern_cli_open (cli)) != 0)
    return code;
  if ((accounts = selected_accounts (cli)) == NULL)
    return TERN_CLI_EXIT_NOT_FOUND;
  for (guint i = 0; i < accounts->len; i++)
    {
      TernAccount *account = g_ptr_array_index (accounts, i);

      code = tern_cli_sync_account (cli, account);
      if (code == TERN_CLI_EXIT_OK)
        code = tern_cli_flush_outbox (cli, account, NULL);
      if (cli->json)
        {
          g_autoptr(GString) out = g_string_new ("{");
          gboolean first = TRUE;

          tern_cli_json_str_member (out, &first, "account", tern_account_get_address (account));
          tern_cli_json_int_member (out, &first, "exit", code);
          g_string_append (out, "}\n");
          fputs (out->str, stdout);
        }
      else if (code == TERN_CLI_EXIT_OK)
        g_print (_("Synced %s\n"), tern_account_get_address (account));
      if (worst == TERN_CLI_EXIT_OK)
        worst = code;
    }
  return worst;
}

/* ---- watch ------------------------------------------------------------------ */

typedef struct {
  TernCli   *cli;
  GMainLoop *loop;
  int        code;
} Watch;

static void
emit (Watch       *watch,
      TernAccount *account,
      const char  *event,
      GString     *body)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean first = TRUE;

  if (watch->cli->json)
    {
      g_string_append_c (out, '{');
      tern_cli_json_str_member (out, &first, "event", event);
      tern_cli_json_str_member (out, &first, "account", tern_account_get_address (account));
      tern_cli_json_int_member (out, &first, "time", g_get_real_time () / 1000);
      if (body != NULL && body->len > 0)
        {
          g_string_append_c (out, ',');
          g_string_append (out, body->str);
        }
      g_string_append (out, "}\n");
    }
  else
    g_string_append_printf (out, "%s %s%s%s\n", tern_account_get_address (account), event,
                            body != NULL && body->len > 0 ? " " : "",
                            body != NULL ? body->str : "");
  fputs (out->str, stdout);
  fflush (stdout);
}

static void
on_message (TernAccount *account,
            gint64       message_id,
            gint64       chat_id,
            Watch       *watch,
            const char  *event)
{
  TernStore *store = tern_account_get_store (account);
  g_autoptr(TernStoreMessageRow) row = tern_store_get_message (store, message_id, NULL);
  g_autoptr(GString) body = g_string_new (NULL);

  if (row == NULL)
    return;
  if (watch->cli->json)
    {
      g_string_append (body, "\"message\":");
      tern_cli_json_message (body, store, row);
    }
  else
    g_string_append_printf (body, "chat %" G_GINT64_FORMAT " %s: %s", row->chat_id,
                            row->outgoing ? "me" : row->sender_address,
                            row->deleted ? "(deleted)" : row->text ? row->text : "");
  emit (watch, account, event, body);
}

static void
on_message_received (TernAccount *account,
                     gint64       message_id,
                     gint64       chat_id,
                     gpointer     user_data)
{
  on_message (account, message_id, chat_id, user_data, "message");
}

static void
on_message_changed (TernAccount *account,
                    gint64       message_id,
                    gpointer     user_data)
{
  on_message (account, message_id, 0, user_data, "message-changed");
}

static void
on_chat_changed (TernAccount *account,
                 gint64       chat_id,
                 gpointer     user_data)
{
  Watch *watch = user_data;
  g_autoptr(TernStoreChatRow) row = tern_store_get_chat (tern_account_get_store (account), chat_id, NULL);
  g_autoptr(GString) body = g_string_new (NULL);

  if (row == NULL)
    return;
  if (watch->cli->json)
    {
      g_string_append (body, "\"chat\":");
      tern_cli_json_chat (body, row);
    }
  else
    g_string_append_printf (body, "%" G_GINT64_FORMAT " %s (%u unread)", row->id,
                            row->name != NULL ? row->name : row->key, row->unread_count);
  emit (watch, account, "chat-changed", body);
}

static const char *
state_name (TernAccountState state)
{
  switch (state)
    {
    case TERN_ACCOUNT_STATE_OFFLINE: return "offline";
    case TERN_ACCOUNT_STATE_CONNECTING: return "connecting";
    case TERN_ACCOUNT_STATE_ONLINE: return "online";
    case TERN_ACCOUNT_STATE_ERROR: return "error";
    default: return "unknown";
    }
}

static void
on_state_changed (TernAccount      *account,
                  TernAccountState  state,
                  gpointer          user_data)
{
  Watch *watch = user_data;
  g_autoptr(GString) body = g_string_new (NULL);

  if (watch->cli->json)
    {
      gboolean first = TRUE;
      tern_cli_json_str_member (body, &first, "state", state_name (state));
    }
  else
    g_string_append (body, state_name (state));
  emit (watch, account, "state", body);
  if (state == TERN_ACCOUNT_STATE_ERROR)
    {
      const GError *error = tern_account_get_last_error (account);

      /* Retrying will not fix it (password, certificate): stop with its code. */
      watch->code = error != NULL ? tern_cli_exit_for_error (error) : TERN_CLI_EXIT_FAILURE;
      if (watch->code == TERN_CLI_EXIT_OK)
        watch->code = TERN_CLI_EXIT_FAILURE;
      if (error != NULL)
        tern_cli_fail (watch->cli, error);
      g_main_loop_quit (watch->loop);
    }
}

static void
on_error (TernAccount  *account,
          const GError *error,
          gpointer      user_data)
{
  Watch *watch = user_data;
  g_autoptr(GString) body = g_string_new (NULL);

  if (watch->cli->json)
    {
      gboolean first = TRUE;
      tern_cli_json_str_member (body, &first, "error", error->message);
      tern_cli_json_int_member (body, &first, "exit", tern_cli_exit_for_error (error));
    }
  else
    g_string_append (body, error->message);
  emit (watch, account, "error", body);
}

static void
on_synced (TernAccount *account,
           gpointer     user_data)
{
  emit (user_data, account, "synced", NULL);
}

static void
on_sent (TernOutbox *outbox,
         gint64      outbox_id,
         gint64      message_row,
         gpointer    user_data)
{
  Watch *watch = user_data;
  TernAccount *account = g_object_get_data (G_OBJECT (outbox), "tern-cli-account");

  if (message_row != 0)
    on_message (account, message_row, 0, watch, "sent");
}

static void
on_failed (TernOutbox *outbox,
           gint64      outbox_id,
           gint64      message_row,
           const char *reason,
           gpointer    user_data)
{
  Watch *watch = user_data;
  TernAccount *account = g_object_get_data (G_OBJECT (outbox), "tern-cli-account");
  g_autoptr(GString) body = g_string_new (NULL);

  if (watch->cli->json)
    {
      gboolean first = TRUE;
      tern_cli_json_int_member (body, &first, "message_row", message_row);
      tern_cli_json_str_member (body, &first, "reason", reason);
    }
  else
    g_string_append_printf (body, "%" G_GINT64_FORMAT ": %s", message_row, reason);
  emit (watch, account, "send-failed", body);
}

static gboolean
on_signal (gpointer user_data)
{
  Watch *watch = user_data;

  g_main_loop_quit (watch->loop);
  return G_SOURCE_CONTINUE;
}

int
tern_cli_cmd_watch (TernCli *cli,
                    int      argc,
                    char   **argv)
{
  g_autoptr(GPtrArray) accounts = NULL;
  Watch watch = { cli, NULL, TERN_CLI_EXIT_OK };
  guint sigint, sigterm;
  int code;

  if (!tern_cli_parse (cli, &argc, &argv, NULL, NULL, &code))
    return code;
  if (argc != 1)
    return tern_cli_usage (_("watch takes no argument"));
  if ((code = tern_cli_open (cli)) != 0)
    return code;
  if ((accounts = selected_accounts (cli)) == NULL)
    return TERN_CLI_EXIT_NOT_FOUND;

  watch.loop = g_main_loop_new (NULL, FALSE);
  sigint = g_unix_signal_add (SIGINT, on_signal, &watch);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &watch);
  for (guint i = 0; i < accounts->len; i++)
    {
      TernAccount *account = g_ptr_array_index (accounts, i);
      TernOutbox *outbox = tern_outbox_get_for_account (account);

      g_signal_connect (account, "message-received", G_CALLBACK (on_message_received), &watch);
      g_signal_connect (account, "message-changed", G_CALLBACK (on_message_changed), &watch);
      g_signal_connect (account, "chat-changed", G_CALLBACK (on_chat_changed), &watch);
      g_signal_connect (account, "state-changed", G_CALLBACK (on_state_changed), &watch);
      g_signal_connect (account, "error", G_CALLBACK (on_error), &watch);
      g_signal_connect (account, "synced", G_CALLBACK (on_synced), &watch);
      g_object_set_data (G_OBJECT (outbox), "tern-cli-account", account);
      g_signal_connect (outbox, "sent", G_CALLBACK (on_sent), &watch);
      g_signal_connect (outbox, "failed", G_CALLBACK (on_failed), &watch);
      tern_account_start (account);
      tern_outbox_start (outbox);
    }
  g_main_loop_run (watch.loop);

  for (guint i = 0; i < accounts->len; i++)
    {
      TernAccount *account = g_ptr_array_index (accounts, i);
      TernOutbox *outbox = tern_outbox_get_for_account (account);

      g_signal_handlers_disconnect_by_data (account, &watch);
      g_signal_handlers_disconnect_by_data (outbox, &watch);
      tern_outbox_stop (outbox);
      tern_account_stop (account);
    }
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_main_loop_unref (watch.loop);
  return watch.code;
}
