/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-cli"

#include <errno.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "tern-cli-common.h"
#include "tern-coi.h"
#include "tern-core-error.h"
#include "tern-ingest.h"
#include "tern-outbox.h"

GOptionEntry *
tern_cli_common_entries (TernCli *cli)
{
  GOptionEntry entries[] = {
    { "profile", 0, 0, G_OPTION_ARG_FILENAME, &cli->profile,
      N_("Data directory (default: ~/.local/share/tern)"), N_("DIR") },
    { "account", 0, 0, G_OPTION_ARG_STRING, &cli->account,
      N_("The account to use when there are several"), N_("ADDR") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json,
      N_("Machine-readable output"), NULL },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &cli->password_stdin,
      N_("Read the password (one line) from stdin, for this run only"), NULL },
    { NULL }
  };

  return g_memdup2 (entries, sizeof entries);
}

int
tern_cli_exit_for_error (const GError *error)
{
  if (error == NULL)
    return TERN_CLI_EXIT_OK;
  if (error->domain == TERN_CORE_ERROR)
    {
      switch ((TernCoreError) error->code)
        {
        case TERN_CORE_ERROR_AUTH: return TERN_CLI_EXIT_AUTH;
        case TERN_CORE_ERROR_NETWORK: return TERN_CLI_EXIT_NETWORK;
        case TERN_CORE_ERROR_CERTIFICATE: return TERN_CLI_EXIT_CERTIFICATE;
        case TERN_CORE_ERROR_NO_SECRET_SERVICE: return TERN_CLI_EXIT_NO_SECRET_SERVICE;
        case TERN_CORE_ERROR_NO_PASSWORD: return TERN_CLI_EXIT_NO_PASSWORD;
        case TERN_CORE_ERROR_NOT_FOUND: return TERN_CLI_EXIT_NOT_FOUND;
        case TERN_CORE_ERROR_INVALID: return TERN_CLI_EXIT_USAGE;
        case TERN_CORE_ERROR_FAILED:
        case TERN_CORE_ERROR_EXISTS:
        case TERN_CORE_ERROR_DISCOVERY:
        case TERN_CORE_ERROR_UNSUPPORTED:
        case TERN_CORE_ERROR_STORE:
        default:
          return TERN_CLI_EXIT_FAILURE;
        }
    }
  if (tern_core_error_is_transient (error))
    return TERN_CLI_EXIT_NETWORK;
  return TERN_CLI_EXIT_FAILURE;
}

int
tern_cli_fail (TernCli      *cli,
               const GError *error)
{
  const char *fingerprint = tern_core_error_get_fingerprint (error);

  if (cli != NULL && cli->json)
    {
      g_autoptr(GString) out = g_string_new ("{");
      gboolean first = TRUE;

      tern_cli_json_str_member (out, &first, "error", error->message);
      tern_cli_json_int_member (out, &first, "exit", tern_cli_exit_for_error (error));
      if (fingerprint != NULL)
        tern_cli_json_str_member (out, &first, "fingerprint", fingerprint);
      g_string_append (out, "}\n");
      fputs (out->str, stderr);
    }
  else
    {
      g_printerr ("tern-cli: %s\n", error->message);
      if (fingerprint != NULL)
        g_printerr (_("tern-cli: the certificate's SHA-256 fingerprint is %s; if you trust it, "
                      "add the account again with --trust-certificate %s\n"),
                    fingerprint, fingerprint);
      if (error->domain == TERN_CORE_ERROR && error->code == TERN_CORE_ERROR_NO_SECRET_SERVICE)
        g_printerr (_("tern-cli: no Secret Service is available; give the password with "
                      "--password-stdin for this run\n"));
    }
  return tern_cli_exit_for_error (error);
}

int
tern_cli_usage (const char *format,
                ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("tern-cli: %s\n", message);
  return TERN_CLI_EXIT_USAGE;
}

void
tern_cli_got_result (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

GAsyncResult *
tern_cli_wait (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return g_steal_pointer (result);
}

int
tern_cli_open (TernCli *cli)
{
  g_autoptr(GError) error = NULL;

  /* GMime before the ingest's first parse (its warm-up) */
  tern_coi_init ();
  tern_ingest_install ();
  cli->context = tern_context_new (cli->profile, &error);
  if (cli->context == NULL)
    return tern_cli_fail (cli, error);
  return TERN_CLI_EXIT_OK;
}

gboolean
tern_cli_read_password (TernCli    *cli,
                        const char *prompt)
{
  struct termios old, quiet;
  gboolean tty = isatty (STDIN_FILENO);
  char *line = NULL;
  size_t size = 0;
  ssize_t n;

  if (cli->password != NULL)
    return TRUE;
  if (tty && prompt != NULL)
    {
      g_printerr ("%s", prompt);
      if (tcgetattr (STDIN_FILENO, &old) == 0)
        {
          quiet = old;
          quiet.c_lflag &= ~(tcflag_t) ECHO;
          tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
        }
      else
        tty = FALSE;
    }
  n = getline (&line, &size, stdin);
  if (tty && prompt != NULL)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &old);
      g_printerr ("\n");
    }
  if (n <= 0)
    {
      free (line);
      return FALSE;
    }
  while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
    line[--n] = '\0';
  cli->password = g_strdup (line);
  explicit_bzero (line, size);
  free (line);
  return TRUE;
}

TernAccount *
tern_cli_get_account (TernCli *cli)
{
  GListModel *accounts = tern_context_get_accounts (cli->context);
  g_autoptr(TernAccount) account = NULL;

  if (cli->account != NULL)
    {
      TernAccount *found = tern_context_find_account (cli->context, cli->account);
      if (found == NULL)
        {
          g_printerr (_("tern-cli: no account %s (see `tern-cli account list`)\n"), cli->account);
          return NULL;
        }
      account = g_object_ref (found);
    }
  else if (g_list_model_get_n_items (accounts) == 0)
    {
      g_printerr (_("tern-cli: no account yet (add one with `tern-cli account add`)\n"));
      return NULL;
    }
  else
    {
      if (g_list_model_get_n_items (accounts) > 1)
        {
          g_printerr (_("tern-cli: there are several accounts; choose one with --account\n"));
          return NULL;
        }
      account = g_list_model_get_item (accounts, 0);
    }

  if (cli->password_stdin)
    {
      if (!tern_cli_read_password (cli, _("Password: ")))
        {
          g_printerr (_("tern-cli: --password-stdin: no password on stdin\n"));
          return NULL;
        }
      tern_account_set_password_for_session (account, cli->password);
    }
  return account; /* the context keeps it alive */
}

int
tern_cli_sync_account (TernCli     *cli,
                       TernAccount *account)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(GError) error = NULL;

  tern_account_sync_once_async (account, NULL, tern_cli_got_result, &result);
  done = tern_cli_wait (&result);
  if (!tern_account_sync_once_finish (account, done, &error))
    return tern_cli_fail (cli, error);
  return TERN_CLI_EXIT_OK;
}

gint64
tern_cli_resolve_chat (TernCli     *cli,
                       TernAccount *account,
                       const char  *chat)
{
  TernStore *store = tern_account_get_store (account);
  gint64 account_id = tern_account_get_id (account);
  const TernStoreChatKind kinds[] = {
    TERN_STORE_CHAT_KIND_DIRECT, TERN_STORE_CHAT_KIND_GROUP, TERN_STORE_CHAT_KIND_MAILING_LIST,
  };
  char *end = NULL;
  gint64 id;

  id = g_ascii_strtoll (chat, &end, 10);
  if (end != chat && *end == '\0' && id > 0)
    {
      g_autoptr(TernStoreChatRow) row = tern_store_get_chat (store, id, NULL);
      if (row != NULL && row->account_id == account_id)
        return id;
    }
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *key = kinds[i] == TERN_STORE_CHAT_KIND_DIRECT
                             ? g_ascii_strdown (chat, -1) : g_strdup (chat);
      g_autoptr(TernStoreChatRow) row = tern_store_find_chat (store, account_id, kinds[i], key, NULL);

      if (row == NULL && kinds[i] == TERN_STORE_CHAT_KIND_DIRECT)
        row = tern_store_find_chat (store, account_id, kinds[i], chat, NULL);
      if (row != NULL)
        return row->id;
    }
  g_printerr (_("tern-cli: no chat %s (see `tern-cli chats`)\n"), chat);
  return 0;
}

gint64
tern_cli_resolve_message (TernCli     *cli,
                          TernAccount *account,
                          const char  *msgid)
{
  TernStore *store = tern_account_get_store (account);
  g_autofree char *bare = g_strdup (msgid);
  g_autoptr(TernStoreMessageRow) row = NULL;
  gsize len = strlen (bare);
  char *end = NULL;
  gint64 id;

  if (len >= 2 && bare[0] == '<' && bare[len - 1] == '>')
    {
      bare[len - 1] = '\0';
      memmove (bare, bare + 1, len - 1);
    }
  row = tern_store_find_message (store, tern_account_get_id (account), bare, NULL);
  if (row != NULL)
    return row->id;
  id = g_ascii_strtoll (msgid, &end, 10);
  if (end != msgid && *end == '\0' && id > 0)
    {
      g_autoptr(TernStoreMessageRow) by_id = tern_store_get_message (store, id, NULL);
      if (by_id != NULL && by_id->account_id == tern_account_get_id (account))
        return id;
    }
  g_printerr (_("tern-cli: no message %s\n"), msgid);
  return 0;
}

/* ---- the outbox ----------------------------------------------------------- */

typedef struct {
  gboolean  timed_out;
  guint     failed;
  guint     retried;
  GString  *reasons;
} FlushState;

static void
on_outbox_failed (TernOutbox *outbox,
                  gint64      outbox_id,
                  gint64      message_row,
                  const char *reason,
                  gpointer    user_data)
{
  FlushState *state = user_data;

  state->failed++;
  g_string_append_printf (state->reasons, "%s%s", state->reasons->len ? "; " : "",
                          reason != NULL ? reason : "failed");
}

static void
on_outbox_retry (TernOutbox *outbox,
                 gint64      outbox_id,
                 gint64      next_attempt,
                 gpointer    user_data)
{
  FlushState *state = user_data;

  state->retried++;
}

static gboolean
on_flush_timeout (gpointer user_data)
{
  FlushState *state = user_data;

  state->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Nothing of @account left to send now: no SENDING entry, no QUEUED entry
 * that is due. */
static gboolean
outbox_settled (TernStore *store,
                gint64     account)
{
  g_autoptr(GPtrArray) sending = tern_store_list_outbox (store, account, TERN_STORE_OUTBOX_SENDING, NULL);
  g_autoptr(GPtrArray) due = tern_store_list_outbox_due (store, account, g_get_real_time () / G_USEC_PER_SEC, NULL);

  return (sending == NULL || sending->len == 0) && (due == NULL || due->len == 0);
}

int
tern_cli_flush_outbox (TernCli     *cli,
                       TernAccount *account,
                       GArray      *rows)
{
  TernOutbox *outbox = tern_outbox_get_for_account (account);
  TernStore *store = tern_account_get_store (account);
  FlushState state = { 0, };
  gulong ids[2];
  guint timeout;
  int code = TERN_CLI_EXIT_OK;

  state.reasons = g_string_new (NULL);
  ids[0] = g_signal_connect (outbox, "failed", G_CALLBACK (on_outbox_failed), &state);
  ids[1] = g_signal_connect (outbox, "retry", G_CALLBACK (on_outbox_retry), &state);
  timeout = g_timeout_add_seconds (120, on_flush_timeout, &state);
  tern_outbox_start (outbox);
  tern_outbox_kick (outbox);
  /* Let the outbox claim what is due before looking. */
  while (!state.timed_out && state.retried == 0
         && (tern_outbox_is_busy (outbox) || !outbox_settled (store, tern_account_get_id (account))))
    g_main_context_iteration (NULL, TRUE);
  if (!state.timed_out)
    g_source_remove (timeout);
  g_signal_handler_disconnect (outbox, ids[0]);
  g_signal_handler_disconnect (outbox, ids[1]);
  tern_outbox_stop (outbox);

  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      g_autoptr(TernStoreMessageRow) row = tern_store_get_message (store, g_array_index (rows, gint64, i), NULL);

      if (row == NULL)
        continue;
      if (row->state == TERN_STORE_STATE_FAILED)
        code = TERN_CLI_EXIT_FAILURE;
      else if (row->state == TERN_STORE_STATE_PENDING && code == TERN_CLI_EXIT_OK)
        code = TERN_CLI_EXIT_NETWORK;
    }
  if (state.failed > 0 && code == TERN_CLI_EXIT_OK && rows == NULL)
    code = TERN_CLI_EXIT_FAILURE;
  if (state.retried > 0 && code == TERN_CLI_EXIT_OK && rows == NULL)
    code = TERN_CLI_EXIT_NETWORK;
  if (state.timed_out && code == TERN_CLI_EXIT_OK)
    code = TERN_CLI_EXIT_NETWORK;

  if (code == TERN_CLI_EXIT_FAILURE)
    g_printerr (_("tern-cli: sending failed: %s\n"), state.reasons->len ? state.reasons->str : _("see `tern-cli messages`"));
  else if (code == TERN_CLI_EXIT_NETWORK)
    g_printerr (_("tern-cli: not sent yet (server unreachable or deferred); it stays in the "
                  "outbox and is sent by the next sync, send or watch\n"));
  g_string_free (state.reasons, TRUE);
  return code;
}

/* ---- JSON ----------------------------------------------------------------- */

void
tern_cli_json_string (GString    *out,
                      const char *value)
{
  if (value == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_autofree char *valid = g_utf8_make_valid (value, -1);
      tern_cli_json_string (out, valid);
      return;
    }
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) value; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default:
          if (*p < 0x20 || *p == 0x7f)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
}

void
tern_cli_json_key (GString    *out,
                   gboolean   *first,
                   const char *key)
{
  if (!*first)
    g_string_append_c (out, ',');
  *first = FALSE;
  tern_cli_json_string (out, key);
  g_string_append_c (out, ':');
}

void
tern_cli_json_str_member (GString *out, gboolean *first, const char *key, const char *value)
{
  tern_cli_json_key (out, first, key);
  tern_cli_json_string (out, value);
}

void
tern_cli_json_int_member (GString *out, gboolean *first, const char *key, gint64 value)
{
  tern_cli_json_key (out, first, key);
  g_string_append_printf (out, "%" G_GINT64_FORMAT, value);
}

void
tern_cli_json_bool_member (GString *out, gboolean *first, const char *key, gboolean value)
{
  tern_cli_json_key (out, first, key);
  g_string_append (out, value ? "true" : "false");
}

void
tern_cli_json_double_member (GString *out, gboolean *first, const char *key, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  tern_cli_json_key (out, first, key);
  g_string_append (out, g_ascii_dtostr (buf, sizeof buf, value));
}

const char *
tern_cli_state_name (TernStoreDeliveryState state)
{
  switch (state)
    {
    case TERN_STORE_STATE_NONE: return "none";
    case TERN_STORE_STATE_PENDING: return "pending";
    case TERN_STORE_STATE_SENT: return "sent";
    case TERN_STORE_STATE_DELIVERED: return "delivered";
    case TERN_STORE_STATE_READ: return "read";
    case TERN_STORE_STATE_FAILED: return "failed";
    default: return "unknown";
    }
}

const char *
tern_cli_kind_name (TernStoreMessageKind kind)
{
  switch (kind)
    {
    case TERN_STORE_MESSAGE_KIND_TEXT: return "text";
    case TERN_STORE_MESSAGE_KIND_CLASSIC: return "classic";
    case TERN_STORE_MESSAGE_KIND_SYSTEM: return "system";
    case TERN_STORE_MESSAGE_KIND_LOCATION: return "location";
    case TERN_STORE_MESSAGE_KIND_MEDIA: return "media";
    default: return "unknown";
    }
}

static const char *
chat_kind_name (TernStoreChatKind kind)
{
  switch (kind)
    {
    case TERN_STORE_CHAT_KIND_DIRECT: return "direct";
    case TERN_STORE_CHAT_KIND_GROUP: return "group";
    case TERN_STORE_CHAT_KIND_MAILING_LIST: return "mailing-list";
    default: return "unknown";
    }
}

char *
tern_cli_format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_time);

  if (time == NULL)
    return g_strdup ("-");
  return g_date_time_format_iso8601 (time);
}

void
tern_cli_json_chat (GString                *out,
                    const TernStoreChatRow *row)
{
  gboolean first = TRUE;

  g_string_append_c (out, '{');
  tern_cli_json_int_member (out, &first, "id", row->id);
  tern_cli_json_int_member (out, &first, "account", row->account_id);
  tern_cli_json_str_member (out, &first, "kind", chat_kind_name (row->kind));
  tern_cli_json_str_member (out, &first, "key", row->key);
  tern_cli_json_str_member (out, &first, "name", row->name);
  tern_cli_json_int_member (out, &first, "last_activity", row->last_activity);
  tern_cli_json_int_member (out, &first, "unread", row->unread_count);
  tern_cli_json_int_member (out, &first, "messages", row->message_count);
  tern_cli_json_bool_member (out, &first, "pinned", row->pinned);
  tern_cli_json_bool_member (out, &first, "muted", row->muted);
  tern_cli_json_bool_member (out, &first, "archived", row->archived);
  tern_cli_json_str_member (out, &first, "last_text", row->last_text);
  tern_cli_json_str_member (out, &first, "last_sender", row->last_sender);
  tern_cli_json_bool_member (out, &first, "last_outgoing", row->last_outgoing);
  g_string_append_c (out, '}');
}

/* Why an outgoing message failed ("failure_reason": the server's text of a
 * permanent failure, kept on the message) and the recipients the server
 * refused while others got it ("refused": each with the reply and whether
 * it is tried again; tern_outbox_list_refused()). */
static void
json_failures (GString                   *out,
               gboolean                  *first,
               TernStore                 *store,
               const TernStoreMessageRow *row)
{
  g_autoptr(GPtrArray) refused = tern_outbox_list_refused (store, row);
  const char *reason = row->failure_reason;
  g_autoptr(GPtrArray) failed = NULL;

  /* rows failed before schema 6: the reason is in the outbox entry */
  if (reason == NULL && row->state == TERN_STORE_STATE_FAILED)
    {
      failed = tern_store_list_outbox (store, row->account_id, TERN_STORE_OUTBOX_FAILED, NULL);
      for (guint i = 0; failed != NULL && i < failed->len; i++)
        if (((TernStoreOutboxRow *) failed->pdata[i])->message_id == row->id)
          reason = ((TernStoreOutboxRow *) failed->pdata[i])->last_error;
    }
  tern_cli_json_str_member (out, first, "failure_reason", reason);
  tern_cli_json_key (out, first, "refused");
  g_string_append_c (out, '[');
  for (guint i = 0; i < refused->len; i++)
    {
      const TernOutboxRefused *r = refused->pdata[i];
      gboolean f = TRUE;

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, '{');
      tern_cli_json_str_member (out, &f, "address", r->address);
      tern_cli_json_str_member (out, &f, "reason", r->reason);
      tern_cli_json_bool_member (out, &f, "retrying", r->retrying);
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ']');
}

void
tern_cli_json_message (GString                   *out,
                       TernStore                 *store,
                       const TernStoreMessageRow *row)
{
  gboolean first = TRUE;

  g_string_append_c (out, '{');
  tern_cli_json_int_member (out, &first, "id", row->id);
  tern_cli_json_int_member (out, &first, "chat", row->chat_id);
  tern_cli_json_str_member (out, &first, "message_id", row->message_id);
  tern_cli_json_bool_member (out, &first, "outgoing", row->outgoing);
  tern_cli_json_str_member (out, &first, "from", row->sender_address);
  tern_cli_json_int_member (out, &first, "sent", row->sent_time);
  tern_cli_json_int_member (out, &first, "received", row->received_time);
  tern_cli_json_str_member (out, &first, "kind", tern_cli_kind_name (row->kind));
  tern_cli_json_str_member (out, &first, "state", tern_cli_state_name (row->state));
  tern_cli_json_bool_member (out, &first, "seen", row->seen);
  tern_cli_json_bool_member (out, &first, "edited", row->edited);
  tern_cli_json_bool_member (out, &first, "deleted", row->deleted);
  tern_cli_json_str_member (out, &first, "subject", row->subject);
  tern_cli_json_str_member (out, &first, "text", row->text);
  tern_cli_json_str_member (out, &first, "quote", row->quote);
  tern_cli_json_str_member (out, &first, "reply_to", row->reply_to);
  if (row->pinned_until == G_MAXINT64)
    tern_cli_json_bool_member (out, &first, "pinned", TRUE);
  else if (row->pinned_until != 0)
    tern_cli_json_int_member (out, &first, "pinned_until", row->pinned_until);
  else
    tern_cli_json_bool_member (out, &first, "pinned", FALSE);
  if (row->has_location)
    {
      tern_cli_json_double_member (out, &first, "latitude", row->latitude);
      tern_cli_json_double_member (out, &first, "longitude", row->longitude);
    }
  if (store != NULL && row->n_attachments > 0)
    {
      g_autoptr(GPtrArray) atts = tern_store_list_attachments (store, row->id, NULL);

      tern_cli_json_key (out, &first, "attachments");
      g_string_append_c (out, '[');
      for (guint i = 0; atts != NULL && i < atts->len; i++)
        {
          const TernStoreAttachmentRow *att = g_ptr_array_index (atts, i);
          g_autofree char *path = tern_store_get_attachment_path (store, att->hash);
          gboolean f = TRUE;

          if (i > 0)
            g_string_append_c (out, ',');
          g_string_append_c (out, '{');
          tern_cli_json_str_member (out, &f, "name", att->name);
          tern_cli_json_str_member (out, &f, "mime_type", att->mime_type);
          tern_cli_json_int_member (out, &f, "size", att->size);
          tern_cli_json_str_member (out, &f, "hash", att->hash);
          tern_cli_json_str_member (out, &f, "path", path);
          g_string_append_c (out, '}');
        }
      g_string_append_c (out, ']');
    }
  if (store != NULL && row->edited)
    {
      g_autoptr(GPtrArray) edits = tern_store_list_edits (store, row->id, NULL);

      tern_cli_json_key (out, &first, "edits");
      g_string_append_c (out, '[');
      for (guint i = 0; edits != NULL && i < edits->len; i++)
        {
          const TernStoreEditRow *e = g_ptr_array_index (edits, i);
          gboolean f = TRUE;

          if (i > 0)
            g_string_append_c (out, ',');
          g_string_append_c (out, '{');
          tern_cli_json_str_member (out, &f, "old_text", e->old_text);
          tern_cli_json_str_member (out, &f, "new_text", e->new_text);
          tern_cli_json_int_member (out, &f, "edited_at", e->edited_at);
          tern_cli_json_str_member (out, &f, "edit_message_id", e->edit_message_id);
          g_string_append_c (out, '}');
        }
      g_string_append_c (out, ']');
    }
  if (store != NULL && row->outgoing)
    json_failures (out, &first, store, row);
  if (store != NULL && row->outgoing)
    {
      g_autoptr(GPtrArray) receipts = tern_store_list_receipts (store, row->id, NULL);

      tern_cli_json_key (out, &first, "receipts");
      g_string_append_c (out, '[');
      for (guint i = 0; receipts != NULL && i < receipts->len; i++)
        {
          const TernStoreReceiptRow *r = g_ptr_array_index (receipts, i);
          gboolean f = TRUE;

          if (i > 0)
            g_string_append_c (out, ',');
          g_string_append_c (out, '{');
          tern_cli_json_str_member (out, &f, "address", r->address);
          tern_cli_json_str_member (out, &f, "kind", r->kind == TERN_STORE_RECEIPT_READ ? "read" : "delivered");
          tern_cli_json_int_member (out, &f, "time", r->time);
          g_string_append_c (out, '}');
        }
      g_string_append_c (out, ']');
    }
  g_string_append_c (out, '}');
}

gboolean
tern_cli_parse (TernCli       *cli,
                int           *argc,
                char        ***argv,
                const char    *parameters,
                const GOptionEntry *entries,
                int           *code)
{
  g_autoptr(GOptionContext) context = g_option_context_new (parameters);
  g_autofree GOptionEntry *common = tern_cli_common_entries (cli);
  g_autoptr(GError) error = NULL;

  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, common, GETTEXT_PACKAGE);
  g_option_context_set_description (context, _("Exit codes and every command: tern-cli --help"));
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *code = tern_cli_usage ("%s", error->message);
      return FALSE;
    }
  *code = TERN_CLI_EXIT_OK;
  return TRUE;
}
