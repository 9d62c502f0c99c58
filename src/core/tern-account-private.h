/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "tern-account.h"
#include "tern-context.h"

G_BEGIN_DECLS

/* Shared by the account's files (tern-account*.c) and the context. */

#define TERN_COI_CONFIG_ENTRY "/private/vendor/vendor.dovecot/coi/config"

struct _TernAccount
{
  GObject               parent_instance;

  TernContext          *context;       /* not owned: the context owns the account */
  TernStoreAccountRow  *row;
  TernAccountState      state;
  GError               *last_error;
  gboolean              coi_server;
  GStrv                 capabilities;
  TernAccountExtensions extensions;
  gboolean              syncing;
  double                progress;
  char                 *session_password;
  char                 *password;      /* cached for the process after lookup */
  GHashTable           *folder_names;  /* TernStoreFolderRole (int) -> char* */
  GHashTable           *folder_ids;    /* TernStoreFolderRole (int) -> gint64* */

  /* running */
  gboolean              started;
  GCancellable         *run_cancellable;
  TernImapClient       *imap;          /* sync + IDLE connection */
  guint                 reconnect_id;
  guint                 periodic_id;
  guint                 backoff_attempt;
  gboolean              sync_running;
  gboolean              sync_again;
  gulong                exists_id;
  gulong                closed_id;
  gulong                fetch_id;
  GPtrArray            *sync_waiters;  /* GTask* of sync_once */
  guint64               debug_fetch_count;
  char                 *setup_pin;     /* pin used before the row is saved */
};

TernAccount *tern_account_new_from_row          (TernContext               *context,
                                                 const TernStoreAccountRow *row);
void         tern_account_set_state             (TernAccount               *self,
                                                 TernAccountState           state,
                                                 const GError              *error);
void         tern_account_set_server_info       (TernAccount               *self,
                                                 const char *const         *capabilities);
void         tern_account_emit_received         (TernAccount               *self,
                                                 gint64                     message,
                                                 gint64                     chat);
void         tern_account_set_syncing           (TernAccount               *self,
                                                 gboolean                   syncing,
                                                 double                     progress);
void         tern_account_network_changed       (TernAccount               *self,
                                                 gboolean                   available);

/* Context side. */
void         tern_context_add_account           (TernContext               *self,
                                                 TernAccount               *account);
void         tern_context_drop_account          (TernContext               *self,
                                                 TernAccount               *account);

/* Connection: a new IMAP client connected and logged in for @self
 * (password from the session or the keyring), capabilities recorded. */
void            tern_account_open_imap_async    (TernAccount         *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
TernImapClient *tern_account_open_imap_finish   (TernAccount         *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* COI detection / folder set-up on a logged-in client (tern-account-folders.c). */
void         tern_account_prepare_async         (TernAccount         *self,
                                                 TernImapClient      *imap,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean     tern_account_prepare_finish        (TernAccount         *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* One sync pass over the folders on @imap (tern-account-sync.c). */
void         tern_account_sync_folders_async    (TernAccount         *self,
                                                 TernImapClient      *imap,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean     tern_account_sync_folders_finish   (TernAccount         *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Built-in ingest (tern-account-ingest.c) and the hook. */
void         tern_account_ingest_async          (TernAccount         *self,
                                                 GPtrArray           *fetched,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean     tern_account_ingest_finish         (TernAccount         *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

TernNetSecurity tern_account_security_to_net    (TernStoreSecurity    security);
const char  *tern_account_pin_for_host          (TernAccount         *self,
                                                 const char          *host);

/* The engine's state of an account beside the struct (tern-account-connect.c). */
typedef struct {
  TernImapClient *command;          /* the command connection, or NULL */
  gboolean        command_busy;     /* lent out */
  gboolean        command_opening;
  gboolean        command_fresh;    /* not lent since it was opened */
  GQueue         *command_waiters;  /* GTask* */
  guint           command_idle_id;
  guint           command_idle_seconds;
  guint           imap_logins;
  TernImapClient *watch;            /* the second IDLE connection, or NULL */
  char           *watch_folder;
  gboolean        watch_opening;
  gboolean        watch_disabled;   /* tests: one IDLE connection only */
  gpointer        watch_owner;      /* the account (signal data), not a reference */
  guint           watch_retry_id;
  guint           watch_attempt;
  gulong          watch_exists_id;
  gulong          watch_closed_id;
} TernAccountEngine;

TernAccountEngine *tern_account_engine           (TernAccount         *self);

/* The command connection (see tern-account-connect.c): an exclusive lease
 * on one logged-in connection; give it back with release (@broken: it
 * failed, drop it). @reused: it served an earlier lease (a failure on it
 * may be a connection the server dropped meanwhile: worth one retry). */
void            tern_account_command_imap_async   (TernAccount         *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
TernImapClient *tern_account_command_imap_finish  (TernAccount         *self,
                                                   GAsyncResult        *result,
                                                   gboolean            *reused,
                                                   GError             **error);
void            tern_account_command_imap_release (TernAccount         *self,
                                                   TernImapClient      *imap,
                                                   gboolean             broken);
void            tern_account_command_imap_close   (TernAccount         *self);

/* The unfolded value of header @field of the server copy of message row
 * @message (on the command connection); TERN_CORE_ERROR_NOT_FOUND when the
 * message has no copy or no such field. */
void            tern_account_fetch_header_field_async  (TernAccount         *self,
                                                        gint64               message,
                                                        const char          *field,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
char           *tern_account_fetch_header_field_finish (TernAccount         *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

/* The size of the sync's next history chunk (tern-account-sync.c): @ramp
 * the ramp's next size, @left the messages left in the chunk's folder,
 * @all those left in all folders, @fetched_bytes and @fetched_count the
 * raw size and number of the messages fetched so far. */
guint           tern_account_sync_chunk_size      (guint                ramp,
                                                   guint                left,
                                                   guint                all,
                                                   guint64              fetched_bytes,
                                                   guint                fetched_count);

G_END_DECLS
