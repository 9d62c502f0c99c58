/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tern-account.h"
#include "tern-account-send.h"
#include "tern-context.h"

G_BEGIN_DECLS

/* Exit codes a script can rely on (documented in --help and README). */
typedef enum {
  TERN_CLI_EXIT_OK = 0,
  TERN_CLI_EXIT_FAILURE = 1,
  TERN_CLI_EXIT_USAGE = 2,
  TERN_CLI_EXIT_AUTH = 3,
  TERN_CLI_EXIT_NETWORK = 4,
  TERN_CLI_EXIT_CERTIFICATE = 5,
  TERN_CLI_EXIT_NO_SECRET_SERVICE = 6,
  TERN_CLI_EXIT_NO_PASSWORD = 7,
  TERN_CLI_EXIT_NOT_FOUND = 8,
} TernCliExit;

/* What every command shares: the parsed global options and the context. */
typedef struct {
  char        *profile;         /* --profile DIR, or NULL = default */
  char        *account;         /* --account ADDR, or NULL = the only one */
  gboolean     json;            /* --json */
  gboolean     password_stdin;  /* --password-stdin */
  char        *password;        /* read from stdin, wiped at exit */
  TernContext *context;
} TernCli;

/* The options every command takes; @cli is filled by the parse. */
GOptionEntry *tern_cli_common_entries  (TernCli *cli);

/* Parses the command's @entries and the common ones; FALSE with *code set
 * on a usage error. */
gboolean      tern_cli_parse           (TernCli            *cli,
                                        int                *argc,
                                        char             ***argv,
                                        const char         *parameters,
                                        const GOptionEntry *entries,
                                        int                *code);

/* Opens the context of --profile (exit code on failure, 0 on success). */
int           tern_cli_open            (TernCli *cli);
/* The account named by --account (or the only/first one); prints an error
 * and returns NULL when there is none. With --password-stdin the password
 * is set for the session. */
TernAccount  *tern_cli_get_account     (TernCli *cli);
/* Reads one line from stdin (no echo on a terminal) into cli->password. */
gboolean      tern_cli_read_password   (TernCli *cli, const char *prompt);

/* Prints @error ("tern-cli: ...") and returns the exit code for it. */
int           tern_cli_fail            (TernCli      *cli,
                                        const GError *error);
int           tern_cli_exit_for_error  (const GError *error);
/* Prints a usage error and returns TERN_CLI_EXIT_USAGE. */
int           tern_cli_usage           (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* Runs the main context until *result is set; returns it (transfer full). */
GAsyncResult *tern_cli_wait            (GAsyncResult **result);
void          tern_cli_got_result      (GObject      *source,
                                        GAsyncResult *result,
                                        gpointer      user_data);
/* One sync pass of @account; 0 or the exit code (error printed). */
int           tern_cli_sync_account    (TernCli     *cli,
                                        TernAccount *account);

/* CHAT: a store chat id or a peer address / List-Id / group id. 0 if none
 * (error printed). */
gint64        tern_cli_resolve_chat    (TernCli     *cli,
                                        TernAccount *account,
                                        const char  *chat);
/* MSGID: a Message-ID (with or without <>) or a message row id. */
gint64        tern_cli_resolve_message (TernCli     *cli,
                                        TernAccount *account,
                                        const char  *msgid);

/* Sends what is queued for @account and waits until the entries named by
 * @rows (message row ids, may be NULL = every due entry) are sent or failed. */
int           tern_cli_flush_outbox    (TernCli     *cli,
                                        TernAccount *account,
                                        GArray      *rows);

/* ---- JSON --------------------------------------------------------------- */

void          tern_cli_json_string     (GString    *out,
                                        const char *value);
/* Appends "key": to an object (with a comma when @first is FALSE). */
void          tern_cli_json_key        (GString    *out,
                                        gboolean   *first,
                                        const char *key);
void          tern_cli_json_str_member (GString *out, gboolean *first, const char *key, const char *value);
void          tern_cli_json_int_member (GString *out, gboolean *first, const char *key, gint64 value);
void          tern_cli_json_bool_member (GString *out, gboolean *first, const char *key, gboolean value);
void          tern_cli_json_double_member (GString *out, gboolean *first, const char *key, double value);

/* JSON objects of the rows (no trailing newline). */
void          tern_cli_json_chat       (GString *out, const TernStoreChatRow *row);
void          tern_cli_json_message    (GString *out, TernStore *store, const TernStoreMessageRow *row);

const char   *tern_cli_state_name      (TernStoreDeliveryState state);
const char   *tern_cli_kind_name       (TernStoreMessageKind kind);
char         *tern_cli_format_time     (gint64 unix_time);

/* ---- commands ----------------------------------------------------------- */

int tern_cli_cmd_account  (TernCli *cli, int argc, char **argv);
int tern_cli_cmd_sync     (TernCli *cli, int argc, char **argv);
int tern_cli_cmd_watch    (TernCli *cli, int argc, char **argv);
int tern_cli_cmd_chats    (TernCli *cli, int argc, char **argv);
int tern_cli_cmd_messages (TernCli *cli, int argc, char **argv);
int tern_cli_cmd_search   (TernCli *cli, int argc, char **argv);
int tern_cli_cmd_export   (TernCli *cli, int argc, char **argv);
int tern_cli_cmd_send     (TernCli *cli, int argc, char **argv);
int tern_cli_cmd_location (TernCli *cli, int argc, char **argv);
int tern_cli_cmd_edit     (TernCli *cli, int argc, char **argv);
int tern_cli_cmd_delete   (TernCli *cli, int argc, char **argv);
int tern_cli_cmd_read     (TernCli *cli, int argc, char **argv);
int tern_cli_cmd_pin      (TernCli *cli, int argc, char **argv);
int tern_cli_cmd_block    (TernCli *cli, int argc, char **argv);
int tern_cli_cmd_unblock  (TernCli *cli, int argc, char **argv);

G_END_DECLS
