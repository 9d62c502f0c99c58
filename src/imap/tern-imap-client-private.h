/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "tern-imap-client.h"
#include "tern-imap-parser.h"

G_BEGIN_DECLS

/* Internal API shared by tern-imap-client.c (connection, queue, read loop),
 * tern-imap-client-commands.c (the commands) and tern-imap-idle.c. */

typedef struct _TernImapCommand TernImapCommand;

/* Called for every untagged response while @cmd is the running command;
 * return TRUE when consumed (the client then skips its own dispatch). */
typedef gboolean (*TernImapUntaggedFunc)     (TernImapClient   *self,
                                              TernImapCommand  *cmd,
                                              TernImapResponse *response);
/* Called for a "+" the command did not expect for a literal (SASL, IDLE). */
typedef void     (*TernImapContinuationFunc) (TernImapClient   *self,
                                              TernImapCommand  *cmd,
                                              TernImapResponse *response);
/* Called once when the command ends: @tagged is its tagged response (status
 * OK) when @error is NULL. The function returns the command's GTask (if
 * any). When @error is set the task (if any) is returned by the caller
 * unless the function cleared cmd->task. */
typedef void     (*TernImapDoneFunc)         (TernImapClient   *self,
                                              TernImapCommand  *cmd,
                                              TernImapResponse *tagged,
                                              const GError     *error);

struct _TernImapCommand {
  gatomicrefcount           ref_count;
  char                     *tag;
  char                     *name;        /* "SELECT", for errors and logs */
  GPtrArray                *segments;    /* GBytes: parts sent after a "+" each */
  GString                  *log_line;    /* what the debug log shows (redacted) */
  GString                  *current;     /* segment being built */
  guint                     next_segment;
  gboolean                  sent;        /* first segment queued for writing */
  gboolean                  internal;    /* issued by the client itself (IDLE, NOOP poll) */
  gboolean                  no_timeout;  /* IDLE: waits as long as it likes */
  gboolean                  cancelled;   /* caller gave up; the reply is ignored */
  gboolean                  literal_plus;
  gboolean                  streams;     /* hands its data on (UID FETCH): no collect limit */
  guint                     n_collected; /* untagged responses it consumed */
  gboolean                  literal_minus;
  gboolean                  utf8_accept;
  TernImapClient           *client;      /* unowned */
  GTask                    *task;
  GCancellable             *cancellable; /* the caller's */
  gulong                    cancelled_id;
  TernImapUntaggedFunc      untagged;
  TernImapContinuationFunc  continuation;
  TernImapDoneFunc          done;
  gpointer                  data;
  GDestroyNotify            data_free;
};

TernImapCommand *tern_imap_command_new           (TernImapClient *self,
                                                  const char     *name,
                                                  GTask          *task);
TernImapCommand *tern_imap_command_ref           (TernImapCommand *cmd);
void             tern_imap_command_unref         (TernImapCommand *cmd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernImapCommand, tern_imap_command_unref)

/* Building the command line (after the tag). */
void             tern_imap_command_add           (TernImapCommand *cmd,
                                                  const char      *text);
void             tern_imap_command_addf          (TernImapCommand *cmd,
                                                  const char      *format,
                                                  ...) G_GNUC_PRINTF (2, 3);
/* A string argument: atom, quoted or literal as needed. @sensitive hides it
 * from the log. */
void             tern_imap_command_add_string    (TernImapCommand *cmd,
                                                  const char      *str,
                                                  gssize           length,
                                                  gboolean         sensitive);
/* A mailbox name (UTF-8): modified UTF-7 or UTF-8 when UTF8=ACCEPT. */
void             tern_imap_command_add_mailbox   (TernImapCommand *cmd,
                                                  const char      *mailbox);
void             tern_imap_command_add_literal   (TernImapCommand *cmd,
                                                  GBytes          *bytes);
/* Sensitive text (shown as *** in the log). */
void             tern_imap_command_add_secret    (TernImapCommand *cmd,
                                                  const char      *text);

/* Queues @cmd (taking a reference); it is sent when the queue reaches it.
 * Fails the command at once when the client is not connected. */
void             tern_imap_client_submit         (TernImapClient  *self,
                                                  TernImapCommand *cmd);
/* Writes raw bytes after the running command (SASL response, DONE). */
void             tern_imap_client_send_raw       (TernImapClient  *self,
                                                  const char      *text,
                                                  gboolean         sensitive);

/* Converts a tagged NO/BAD into a GError (TRYCREATE, AUTH, TRANSIENT...). */
GError          *tern_imap_client_status_error   (TernImapClient   *self,
                                                  TernImapCommand  *cmd,
                                                  TernImapResponse *tagged);
/* Updates the capability list from a CAPABILITY response or code. */
void             tern_imap_client_take_capabilities (TernImapClient *self,
                                                     char          **caps);
void             tern_imap_client_set_state      (TernImapClient      *self,
                                                  TernImapClientState  state);
gboolean         tern_imap_client_can_use        (TernImapClient *self,
                                                  const char     *capability);
TernImapClientQuirks tern_imap_client_get_quirks (TernImapClient *self);
gboolean         tern_imap_client_check_state    (TernImapClient      *self,
                                                  TernImapClientState  at_least,
                                                  GError             **error);
void             tern_imap_client_reset_mailbox  (TernImapClient *self,
                                                  const char     *mailbox,
                                                  gboolean        read_only);
void             tern_imap_client_set_mailbox_code (TernImapClient   *self,
                                                    TernImapResponse *response);
void             tern_imap_client_add_enabled    (TernImapClient *self,
                                                  char          **enabled);
void             tern_imap_client_set_delimiter  (TernImapClient *self,
                                                  char            delimiter);

/* LOGOUT: the server's EOF is then a clean end; after the tagged OK the
 * connection is closed without error. */
void             tern_imap_client_set_logging_out  (TernImapClient *self);
void             tern_imap_client_disconnect_clean (TernImapClient *self);

/* A simple command with the default done function: OK → TRUE. */
TernImapCommand *tern_imap_client_simple_command (TernImapClient *self,
                                                  const char     *name,
                                                  GTask          *task);

/* IDLE (tern-imap-idle.c): the queue asks before sending the next command. */
/* Returns TRUE when the queue must wait (IDLE is ending). */
gboolean         tern_imap_idle_yield            (TernImapClient *self);
/* The queue is empty: restart IDLE if wanted. */
void             tern_imap_idle_queue_empty      (TernImapClient *self);
/* The connection is gone. */
void             tern_imap_idle_reset            (TernImapClient *self);

/* The idle state kept by the client (tern-imap-idle.c uses it). */
typedef struct {
  gboolean          wanted;        /* idle_start called, not stopped */
  gboolean          polling;       /* NOOP polling instead of IDLE */
  TernImapCommand  *cmd;           /* the running IDLE command */
  gboolean          accepted;      /* "+" seen */
  gboolean          done_sent;
  gboolean          done_wanted;   /* send DONE as soon as "+" arrives */
  GSource          *timer;         /* re-issue or poll timer */
  guint             poll_seconds;
  guint             reissue_seconds;
  GPtrArray        *stop_tasks;    /* idle_stop_async waiting for the tagged OK */
} TernImapIdle;

TernImapIdle    *tern_imap_client_get_idle       (TernImapClient *self);
gboolean         tern_imap_client_queue_is_empty (TernImapClient *self);
/* TRUE when a command runs or waits, or there is no connection. */
gboolean         tern_imap_client_is_busy        (TernImapClient *self);
GMainContext    *tern_imap_client_get_context    (TernImapClient *self);
void             tern_imap_client_emit_state     (TernImapClient *self);


/* Internal entry points between the client's files. */
void             tern_imap_command_seal          (TernImapCommand *cmd);
void             tern_imap_client_fail           (TernImapClient *self,
                                                  const GError   *error);
void             tern_imap_client_start_read     (TernImapClient *self);
void             tern_imap_client_update_timeout (TernImapClient *self);
void             tern_imap_client_connect_greeted (TernImapClient *self,
                                                   gboolean        preauth);
void             tern_imap_client_connect_disconnect_cancellable (TernImapClient *self);
/* The S: line of the debug log (literal bodies summarised by size). */
char            *tern_imap_response_log_summary  (TernImapResponse *response);

struct _TernImapClient
{
  GObject              parent_instance;

  char                *host;
  guint16              port;
  TernNetSecurity      security;
  char                *pinned_sha256;
  TernImapClientQuirks quirks;
  guint                connect_timeout;
  guint                greeting_timeout;
  guint                command_timeout;

  GMainContext        *context;
  GCancellable        *cancellable;   /* the connection's; close() cancels it */
  GNetworkMonitor     *monitor;
  gulong               monitor_id;

  GIOStream           *stream;
  GInputStream        *input;
  GOutputStream       *output;
  TernImapParser      *parser;
  guint8              *read_buffer;
  gboolean             reading;
  gboolean             pause_reading; /* STARTTLS accepted: the next bytes are TLS */

  GQueue               write_queue;   /* GBytes */
  GBytes              *writing;

  GQueue               queue;         /* TernImapCommand waiting to be sent */
  TernImapCommand     *running;
  guint                tag_counter;

  TernImapClientState  state;
  char               **capabilities;
  GHashTable          *enabled;       /* upper-case extension names */
  char                 delimiter;
  char                *bye_text;
  gboolean             logging_out;

  /* connect_async */
  GTask               *connect_task;
  GCancellable        *connect_cancellable;
  gulong               connect_cancel_id;
  gboolean             awaiting_greeting;

  /* timeouts */
  GSource             *timeout_source;
  gint64               last_activity;

  /* the selected mailbox */
  char                *mailbox;
  guint32              uidvalidity;
  guint32              uidnext;
  guint32              exists;
  guint64              highestmodseq;
  gboolean             read_only;
  char               **permanent_flags;

  TernImapIdle         idle;
};

G_END_DECLS
