/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tern-context.h"
#include "tern-core-error.h"
#include "tern-imap-client.h"
#include "tern-smtp-client.h"
#include "tern-store.h"

G_BEGIN_DECLS

/**
 * TernAccountState:
 * @TERN_ACCOUNT_STATE_OFFLINE: not started, stopped, or waiting for the
 *   network / the next reconnect attempt
 * @TERN_ACCOUNT_STATE_CONNECTING: connecting, logging in, setting up folders
 * @TERN_ACCOUNT_STATE_ONLINE: connected; syncing or idle
 * @TERN_ACCOUNT_STATE_ERROR: stopped on an error that retrying will not fix
 *   (password rejected, certificate untrusted): see last-error
 */
typedef enum {
  TERN_ACCOUNT_STATE_OFFLINE,
  TERN_ACCOUNT_STATE_CONNECTING,
  TERN_ACCOUNT_STATE_ONLINE,
  TERN_ACCOUNT_STATE_ERROR,
} TernAccountState;

GType tern_account_state_get_type (void);
#define TERN_TYPE_ACCOUNT_STATE (tern_account_state_get_type ())

/**
 * TernAccountExtensions:
 *
 * The server extensions that matter to the engine, as seen after login.
 */
typedef enum {
  TERN_ACCOUNT_EXT_NONE = 0,
  TERN_ACCOUNT_EXT_COI = 1 << 0,
  TERN_ACCOUNT_EXT_WEBPUSH = 1 << 1,
  TERN_ACCOUNT_EXT_METADATA = 1 << 2,
  TERN_ACCOUNT_EXT_IDLE = 1 << 3,
  TERN_ACCOUNT_EXT_CONDSTORE = 1 << 4,
  TERN_ACCOUNT_EXT_QRESYNC = 1 << 5,
  TERN_ACCOUNT_EXT_MOVE = 1 << 6,
  TERN_ACCOUNT_EXT_UIDPLUS = 1 << 7,
  TERN_ACCOUNT_EXT_SPECIAL_USE = 1 << 8,
} TernAccountExtensions;

/**
 * TernAccountSecurity:
 * @TERN_ACCOUNT_SECURITY_AUTO: discover (prefer implicit TLS, then STARTTLS)
 *
 * The other values match TernNetSecurity / TernStoreSecurity + 1.
 */
typedef enum {
  TERN_ACCOUNT_SECURITY_AUTO,
  TERN_ACCOUNT_SECURITY_TLS,
  TERN_ACCOUNT_SECURITY_STARTTLS,
  TERN_ACCOUNT_SECURITY_PLAIN,
} TernAccountSecurity;

/* "tls", "starttls", "plain" (tern-cli spellings); "auto" for AUTO. */
const char *tern_account_security_to_string   (TernAccountSecurity  security);
gboolean    tern_account_security_from_string (const char          *text,
                                               TernAccountSecurity *security);

/**
 * TernAccountSettings:
 * @address: the e-mail address (required)
 * @login: the login name; NULL = @address
 * @display_name: the user's name for From:, or NULL
 * @password: the password (required for set-up); never stored by the
 *   engine except in the Secret Service
 * @imap_host, @smtp_host: NULL = discover
 * @imap_port, @smtp_port: 0 = the usual port for the security (or discover)
 * @imap_security, @smtp_security: AUTO = discover
 * @trusted_certificate: a SHA-256 fingerprint (hex, colons allowed) to
 *   accept for the servers' certificates when the system does not trust
 *   them; pinned for both hosts of the account. NULL = system trust only.
 * @filter_mode: where chat messages go
 * @store_password: TRUE (default): store @password in the Secret Service
 *   (set-up fails with TERN_CORE_ERROR_NO_SECRET_SERVICE without one);
 *   FALSE: keep it for this process only (tern-cli --password-stdin with
 *   no keyring)
 *
 * What the user typed in the set-up form (or on tern-cli's command line).
 * tern_account_settings_new() fills the defaults; free with
 * tern_account_settings_free() (the password is wiped).
 */
typedef struct {
  char                *address;
  char                *login;
  char                *display_name;
  char                *password;
  char                *imap_host;
  guint16              imap_port;
  TernAccountSecurity  imap_security;
  char                *smtp_host;
  guint16              smtp_port;
  TernAccountSecurity  smtp_security;
  char                *trusted_certificate;
  TernFilterMode       filter_mode;
  gboolean             store_password;
} TernAccountSettings;

GType                tern_account_settings_get_type (void);
TernAccountSettings *tern_account_settings_new      (const char                *address);
TernAccountSettings *tern_account_settings_copy     (const TernAccountSettings *settings);
void                 tern_account_settings_free     (TernAccountSettings       *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernAccountSettings, tern_account_settings_free)

/**
 * TernAccount:
 *
 * One e-mail account: its settings (the store's account row), its IMAP
 * connection(s), COI detection, folders, sync, IDLE and reconnects.
 *
 * Properties (read-only, notify when they change): context, id, address,
 * display-name, state (TernAccountState), last-error (GError boxed, NULL
 * when fine), coi-server (gboolean), capabilities (GStrv), extensions
 * (TernAccountExtensions as guint), filter-mode (TernFilterMode), syncing
 * (gboolean), progress (double 0..1 of the current sync; 1 when done).
 *
 * Signals (main context):
 * - message-received (gint64 message_id, gint64 chat_id): a new message
 *   row was stored from the server (not one the user just sent here)
 * - message-changed (gint64 message_id): flags, edit, delete, receipt
 * - chat-changed (gint64 chat_id)
 * - state-changed (TernAccountState state): also notify::state
 * - error (const GError *error): a failure worth showing (login, a sync
 *   step that failed for good); transient losses only change the state
 * - synced (): a sync pass finished (first screen and history included)
 */
#define TERN_TYPE_ACCOUNT (tern_account_get_type ())
G_DECLARE_FINAL_TYPE (TernAccount, tern_account, TERN, ACCOUNT, GObject)

/* ---- set-up ------------------------------------------------------------- */

/* Finds the servers for @settings without logging in: manual values win;
 * otherwise DNS SRV (RFC 6186/8314: _imaps._tcp, _imap._tcp,
 * _submissions._tcp, _submission._tcp) through the default GResolver, then
 * imap./mail./smtp. + domain and the domain itself on 993/143 and 465/587,
 * probed concurrently with short timeouts, TLS preferred. Returns a copy of
 * @settings with host, port and security filled in (password kept). */
void                 tern_account_discover_async    (const TernAccountSettings *settings,
                                                     GCancellable              *cancellable,
                                                     GAsyncReadyCallback        callback,
                                                     gpointer                   user_data);
TernAccountSettings *tern_account_discover_finish   (GAsyncResult              *result,
                                                     GError                   **error);

/* Discovers (see above), logs in to IMAP and SMTP, stores the password in
 * the Secret Service (unless !store_password), saves the account row and
 * pinned certificates, adds the account to @context and returns it (not
 * started). Errors: TERN_CORE_ERROR_AUTH ("The IMAP server rejected the
 * password for alice@example.test"), _NETWORK, _CERTIFICATE (with
 * tern_core_error_get_fingerprint()), _NO_SECRET_SERVICE, _EXISTS,
 * _DISCOVERY, _INVALID. Nothing is saved on error. */
void                 tern_account_setup_async       (TernContext               *context,
                                                     const TernAccountSettings *settings,
                                                     GCancellable              *cancellable,
                                                     GAsyncReadyCallback        callback,
                                                     gpointer                   user_data);
TernAccount         *tern_account_setup_finish      (GAsyncResult              *result,
                                                     GError                   **error);

/* Stops the account, deletes its secret and every store row it owns, and
 * removes it from its context. Server data is left alone. */
void                 tern_account_remove_async      (TernAccount               *self,
                                                     GCancellable              *cancellable,
                                                     GAsyncReadyCallback        callback,
                                                     gpointer                   user_data);
gboolean             tern_account_remove_finish     (TernAccount               *self,
                                                     GAsyncResult              *result,
                                                     GError                   **error);

/* ---- properties ---------------------------------------------------------- */

TernContext         *tern_account_get_context       (TernAccount *self);
TernStore           *tern_account_get_store         (TernAccount *self);
gint64               tern_account_get_id            (TernAccount *self);
const char          *tern_account_get_address       (TernAccount *self);
const char          *tern_account_get_display_name  (TernAccount *self);
/* (transfer none) the stored settings row. */
const TernStoreAccountRow *tern_account_get_row     (TernAccount *self);
TernAccountState     tern_account_get_state         (TernAccount *self);
/* NULL when fine. */
const GError        *tern_account_get_last_error    (TernAccount *self);
gboolean             tern_account_is_coi_server     (TernAccount *self);
/* As last seen after login (NULL-terminated; empty before the first login). */
const char *const   *tern_account_get_capabilities  (TernAccount *self);
TernAccountExtensions tern_account_get_extensions   (TernAccount *self);
TernFilterMode       tern_account_get_filter_mode   (TernAccount *self);
gboolean             tern_account_get_syncing       (TernAccount *self);
double               tern_account_get_progress      (TernAccount *self);

/* Changes the filter mode: saved in the store; on a COI server written to
 * its METADATA `message-filter` (never NIL) at once when online, else at
 * the next connect. */
void                 tern_account_set_filter_mode_async  (TernAccount         *self,
                                                          TernFilterMode       mode,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean             tern_account_set_filter_mode_finish (TernAccount   *self,
                                                          GAsyncResult  *result,
                                                          GError       **error);

/* ---- password ------------------------------------------------------------- */

/* Uses @password for this process only (tern-cli --password-stdin): it is
 * tried before the Secret Service and never stored. NULL forgets it. */
void                 tern_account_set_password_for_session (TernAccount *self,
                                                            const char  *password);
/* The session password, else the stored secret. Errors:
 * TERN_CORE_ERROR_NO_SECRET_SERVICE, TERN_CORE_ERROR_NO_PASSWORD. */
void                 tern_account_get_password_async  (TernAccount         *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
char                *tern_account_get_password_finish (TernAccount   *self,
                                                       GAsyncResult  *result,
                                                       GError       **error);

/* ---- life cycle ------------------------------------------------------------ */

/* Connects and stays connected: login, COI detection (enable + filter on a
 * COI server), folders, a full sync pass, then IDLE; on a lost connection
 * reconnects with exponential backoff (1 s doubling up to 5 min, ±25 %
 * jitter) and at once when the network comes back. Errors that retrying
 * will not fix put the account in state ERROR and emit ::error. */
void                 tern_account_start             (TernAccount *self);
/* Disconnects (LOGOUT when possible) and cancels everything in flight. */
void                 tern_account_stop              (TernAccount *self);

/* One pass for `tern-cli sync`: connect (or use the running connection),
 * COI detection, folders, sync INBOX / COI/Chats / Sent, client-side
 * filtering, then finish (the connection is closed again unless the
 * account was started). */
void                 tern_account_sync_once_async   (TernAccount         *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean             tern_account_sync_once_finish  (TernAccount   *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);

/* ---- for the outbox, read receipts and the front ends -------------------- */

/* The full IMAP name of the folder with @role ("INBOX", "COI/Chats",
 * "INBOX.COI.Chats", the SPECIAL-USE \Sent folder...), or NULL when not
 * known yet (before the first connect). */
const char          *tern_account_get_folder_name   (TernAccount         *self,
                                                     TernStoreFolderRole  role);

/* APPENDs @message to the folder with @role (CHATS for chat messages, SENT
 * for classic mail; CHATS falls back to SENT and then INBOX when missing)
 * with @flags (e.g. "\\Seen"), on a connection of its own so IDLE is not
 * disturbed. Returns the UID when the server says it (UIDPLUS), else 0. */
void                 tern_account_append_async      (TernAccount         *self,
                                                     TernStoreFolderRole  role,
                                                     GBytes              *message,
                                                     const char *const   *flags,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean             tern_account_append_finish     (TernAccount    *self,
                                                     GAsyncResult   *result,
                                                     guint32        *out_uid,
                                                     GError        **error);

/* UID SEARCH HEADER Message-ID @message_id (without <>) in the folder with
 * @role: TRUE when a copy exists there (outbox recovery after a crash). */
void                 tern_account_find_message_id_async  (TernAccount         *self,
                                                          TernStoreFolderRole  role,
                                                          const char          *message_id,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean             tern_account_find_message_id_finish (TernAccount   *self,
                                                          GAsyncResult  *result,
                                                          gboolean      *found,
                                                          GError       **error);

/* UID STORE @flags (add or remove) on every server copy of the message row
 * @message (its store locations): \Seen when read, $MDNSent after a read
 * receipt. In filter mode SEEN on a plain server, a chat message in INBOX
 * made \Seen moves to COI/Chats at the next sync pass (a running account
 * gets one at once from its IDLE). Opens a connection of its own. */
void                 tern_account_store_flags_async  (TernAccount         *self,
                                                      gint64               message,
                                                      gboolean             add,
                                                      const char *const   *flags,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean             tern_account_store_flags_finish (TernAccount   *self,
                                                      GAsyncResult  *result,
                                                      GError       **error);

/* A new SMTP connection to the account's submission server, connected and
 * authenticated (password from the session or the Secret Service). The
 * caller owns it (quit or close it when done). */
void                 tern_account_open_smtp_async   (TernAccount         *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
TernSmtpClient      *tern_account_open_smtp_finish  (TernAccount   *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);

/* ---- ingest hook ------------------------------------------------------------ */

/**
 * TernAccountFetched:
 * @folder_id: the store folder row
 * @role: its role
 * @uid: the message's UID in it
 * @modseq: its MODSEQ (0 unknown)
 * @flags: (array zero-terminated) its flags and keywords
 * @internal_date: INTERNALDATE, Unix seconds (0 unknown)
 * @raw: the whole message, or NULL when only the flags changed
 * @message_id: with @raw NULL: the Message-ID (no <>) of the changed
 *   message, when the server told it
 * @is_chat: (out) set by the ingest: a chat message (to COI/Chats)
 * @from_self: (out) set by the ingest: From is the user (mark \Seen)
 * @blocked: (out) set by the ingest: from a blocked contact (to Blocked)
 * @message_row: (out) set by the ingest: the message row id, 0 if none
 *
 * One message fetched by the sync, handed to the ingest.
 */
typedef struct {
  gint64               folder_id;
  TernStoreFolderRole  role;
  guint32              uid;
  guint64              modseq;
  char               **flags;
  gint64               internal_date;
  GBytes              *raw;
  char                *message_id;
  gboolean             is_chat;
  gboolean             from_self;
  gboolean             blocked;
  gint64               message_row;
} TernAccountFetched;

void tern_account_fetched_free (TernAccountFetched *fetched);

/**
 * TernAccountIngestFunc:
 *
 * Stores @fetched (element-type TernAccountFetched) in one store batch:
 * new messages with their location (folder, uid), flag changes, and fills
 * the out fields. Must call @callback once; the finish func returns FALSE
 * with an error when nothing was stored.
 */
typedef void     (*TernAccountIngestFunc)       (TernAccount         *account,
                                                 GPtrArray           *fetched,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
typedef gboolean (*TernAccountIngestFinishFunc) (TernAccount   *account,
                                                 GAsyncResult  *result,
                                                 GError       **error);

/* Replaces the ingest of every account (the ingest engineer's
 * tern_ingest_* once it exists; until then a minimal built-in one that
 * stores each message through src/coi). NULL restores the built-in. */
void tern_account_set_ingest_funcs (TernAccountIngestFunc       func,
                                    TernAccountIngestFinishFunc finish);

/* Debug counters for tests and benchmarks: messages whose body the sync
 * fetched (UID FETCH BODY.PEEK[]) since the account was created. */
guint64 tern_account_get_debug_fetch_count (TernAccount *self);
/* IMAP logins of @self since it was created (tests: a burst of sends and
 * reads shares one command connection). */
guint   tern_account_get_debug_login_count (TernAccount *self);

G_END_DECLS
