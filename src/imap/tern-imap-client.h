/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tern-net-connection.h"
#include "tern-imap-error.h"
#include "tern-imap-response.h"

G_BEGIN_DECLS

/**
 * TernImapClientState:
 * @TERN_IMAP_CLIENT_STATE_DISCONNECTED: no connection (never connected, closed, or lost)
 * @TERN_IMAP_CLIENT_STATE_CONNECTING: connect_async() is running
 * @TERN_IMAP_CLIENT_STATE_NOT_AUTHENTICATED: greeted, TLS set up, not logged in yet
 * @TERN_IMAP_CLIENT_STATE_AUTHENTICATED: logged in, no mailbox selected
 * @TERN_IMAP_CLIENT_STATE_SELECTED: a mailbox is selected (or examined)
 * @TERN_IMAP_CLIENT_STATE_IDLE: a mailbox is selected and IDLE (or NOOP polling) runs
 */
typedef enum {
  TERN_IMAP_CLIENT_STATE_DISCONNECTED,
  TERN_IMAP_CLIENT_STATE_CONNECTING,
  TERN_IMAP_CLIENT_STATE_NOT_AUTHENTICATED,
  TERN_IMAP_CLIENT_STATE_AUTHENTICATED,
  TERN_IMAP_CLIENT_STATE_SELECTED,
  TERN_IMAP_CLIENT_STATE_IDLE,
} TernImapClientState;

/**
 * TernImapClientQuirks:
 *
 * Makes the client ignore capabilities the server offers, to exercise the
 * fallback paths (tests) or to work around a broken server.
 */
typedef enum {
  TERN_IMAP_QUIRK_NONE = 0,
  TERN_IMAP_QUIRK_IGNORE_MOVE = 1 << 0,         /* MOVE → COPY + STORE \Deleted + expunge */
  TERN_IMAP_QUIRK_IGNORE_UIDPLUS = 1 << 1,      /* UID EXPUNGE → EXPUNGE */
  TERN_IMAP_QUIRK_IGNORE_LITERAL_PLUS = 1 << 2, /* synchronising literals only */
  TERN_IMAP_QUIRK_IGNORE_IDLE = 1 << 3,         /* poll with NOOP instead of IDLE */
  TERN_IMAP_QUIRK_IGNORE_SASL_IR = 1 << 4,      /* AUTHENTICATE PLAIN waits for "+" */
  TERN_IMAP_QUIRK_IGNORE_AUTH_PLAIN = 1 << 5,   /* always LOGIN */
} TernImapClientQuirks;

/**
 * TernImapFetchWant:
 *
 * What UID FETCH asks for. UID is always fetched.
 */
typedef enum {
  TERN_IMAP_WANT_FLAGS = 1 << 0,
  TERN_IMAP_WANT_INTERNALDATE = 1 << 1,
  TERN_IMAP_WANT_RFC822_SIZE = 1 << 2,
  TERN_IMAP_WANT_ENVELOPE = 1 << 3,
  TERN_IMAP_WANT_BODYSTRUCTURE = 1 << 4,
  TERN_IMAP_WANT_MODSEQ = 1 << 5,
  TERN_IMAP_WANT_HEADER = 1 << 6, /* BODY.PEEK[HEADER] (or HEADER.FIELDS, see options) */
  TERN_IMAP_WANT_BODY = 1 << 7,   /* BODY.PEEK[] : the whole message */
} TernImapFetchWant;

/**
 * TernImapFetchOptions:
 * @header_fields: with %TERN_IMAP_WANT_HEADER, fetch only these header fields
 *   (`BODY.PEEK[HEADER.FIELDS (...)]`); NULL for the whole header
 * @sections: body parts to fetch as `BODY.PEEK[<section>]`, e.g. "1.2", "TEXT"
 * @changed_since: when non-zero, `(CHANGEDSINCE n)` (CONDSTORE)
 * @vanished: with @changed_since and QRESYNC enabled, also `VANISHED`: the
 *   expunged UIDs arrive through the #TernImapClient::vanished signal
 * @batch_count: call the batch function at least every this many messages
 *   (0: 100)
 * @batch_bytes: ... or when the literal bytes held reach this (0: 1 MiB)
 */
typedef struct {
  const char *const *header_fields;
  const char *const *sections;
  guint64             changed_since;
  gboolean            vanished;
  guint               batch_count;
  gsize               batch_bytes;
} TernImapFetchOptions;

/**
 * TernImapQresync:
 * @uidvalidity: the UIDVALIDITY the caller knows
 * @modseq: the HIGHESTMODSEQ the caller has synchronised to
 * @known_uids: the UIDs the caller knows (uid set string, may be NULL)
 *
 * SELECT/EXAMINE parameters for QRESYNC (RFC 7162). Vanished UIDs come
 * back through #TernImapClient::vanished (earlier = TRUE) and changed
 * flags through #TernImapClient::fetch.
 */
typedef struct {
  guint32     uidvalidity;
  guint64     modseq;
  const char *known_uids;
} TernImapQresync;

typedef enum {
  TERN_IMAP_STORE_ADD,
  TERN_IMAP_STORE_REMOVE,
  TERN_IMAP_STORE_REPLACE,
} TernImapStoreMode;

/**
 * TernImapAppendResult / TernImapCopyResult: what UIDPLUS told (zeros when
 * the server does not support UIDPLUS).
 */
typedef struct {
  guint32 uidvalidity;
  guint32 uid;
} TernImapAppendResult;

typedef struct {
  guint32 uidvalidity;
  char   *source_uids; /* uid set strings, as the server sent them */
  char   *dest_uids;
} TernImapCopyResult;

void tern_imap_copy_result_free (TernImapCopyResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernImapCopyResult, tern_imap_copy_result_free)

/**
 * TernImapSearchQuery:
 *
 * A UID SEARCH query built from keys. Strings are quoted or sent as
 * literals as needed; non-ASCII strings add `CHARSET UTF-8`.
 */
typedef struct _TernImapSearchQuery TernImapSearchQuery;

TernImapSearchQuery *tern_imap_search_query_new         (void);
void            tern_imap_search_query_free        (TernImapSearchQuery *search);
/* Raw search keys, e.g. "UNSEEN", "UID 1:*", "SINCE 1-Feb-2024". */
void            tern_imap_search_query_add_raw     (TernImapSearchQuery *search,
                                              const char     *keys);
/* HEADER <field> <value> */
void            tern_imap_search_query_add_header  (TernImapSearchQuery *search,
                                              const char     *field,
                                              const char     *value);
/* KEYWORD <keyword> or UNKEYWORD <keyword> */
void            tern_imap_search_query_add_keyword (TernImapSearchQuery *search,
                                              const char     *keyword,
                                              gboolean        present);
/* Any key taking one string argument: TEXT, BODY, FROM, SUBJECT... */
void            tern_imap_search_query_add_string  (TernImapSearchQuery *search,
                                              const char     *key,
                                              const char     *value);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernImapSearchQuery, tern_imap_search_query_free)

/**
 * TernImapClient:
 *
 * One IMAP connection. Everything runs on the thread-default main context
 * of the thread that created it; results and signals arrive there.
 *
 * Commands queue and run one at a time (literals use LITERAL+ when offered,
 * else wait for the server's "+"). While a connection is open the client's
 * read loop holds a reference to it: end with tern_imap_client_logout_async()
 * or tern_imap_client_close() before dropping the last reference.
 *
 * Signals (all on the client's main context):
 * - exists (guint n), expunge (guint seq): `* n EXISTS`, `* seq EXPUNGE`
 * - vanished (const TernImapVanished *): QRESYNC; earlier = TRUE for the
 *   answer to SELECT (QRESYNC) or UID FETCH (VANISHED)
 * - fetch (const TernImapFetch *): a FETCH that is not part of a UID FETCH
 *   answer (flag changes from elsewhere, QRESYNC SELECT)
 * - flags (GStrv): `* FLAGS`
 * - alert (const char *): `[ALERT]` text the user must see
 * - bye (const char *): the server said BYE
 * - closed (GError *, NULL for LOGOUT/close()): the connection ended; every
 *   pending command failed (TERN_IMAP_ERROR_TRANSIENT when it was lost)
 * Properties: state, capabilities, selected-mailbox, uidvalidity, uidnext,
 * highestmodseq, exists, read-only (notify when they change).
 *
 * Debug log: G_MESSAGES_DEBUG=tern-imap shows C: and S: lines; LOGIN
 * arguments and AUTHENTICATE payloads appear as ***, literal bodies as
 * their size.
 */
#define TERN_IMAP_TYPE_CLIENT (tern_imap_client_get_type ())
G_DECLARE_FINAL_TYPE (TernImapClient, tern_imap_client, TERN_IMAP, CLIENT, GObject)

/**
 * TernImapFetchBatchFunc:
 * @client: the client
 * @fetches: (element-type TernImapFetch): the messages received since the
 *   last call, in arrival order; owned by the client, valid during the call
 *   (take a reference with g_ptr_array_ref() or steal items to keep them)
 * @user_data: as given
 *
 * Called on the client's main context while a UID FETCH streams in.
 */
typedef void (*TernImapFetchBatchFunc) (TernImapClient *client,
                                        GPtrArray      *fetches,
                                        gpointer        user_data);


TernImapClient     *tern_imap_client_new              (const char       *host,
                                                       guint16           port,
                                                       TernNetSecurity   security,
                                                       const char       *pinned_sha256);

void                tern_imap_client_set_quirks       (TernImapClient       *self,
                                                       TernImapClientQuirks  quirks);
/* Seconds; 0 keeps the default (connect 30, greeting 30, command 60). */
void                tern_imap_client_set_timeouts     (TernImapClient *self,
                                                       guint           connect_seconds,
                                                       guint           greeting_seconds,
                                                       guint           command_seconds);
/* Seconds between NOOPs when the server lacks IDLE (default 60), and the IDLE
 * re-issue interval (default 25 minutes; the RFC allows 29). */
void                tern_imap_client_set_idle_intervals (TernImapClient *self,
                                                         guint           poll_seconds,
                                                         guint           reissue_seconds);

const char         *tern_imap_client_get_host         (TernImapClient *self);
TernImapClientState tern_imap_client_get_state        (TernImapClient *self);
const char *const  *tern_imap_client_get_capabilities (TernImapClient *self);
gboolean            tern_imap_client_has_capability   (TernImapClient *self,
                                                       const char     *capability);
/* Extensions the server confirmed with ENABLED (upper case). */
gboolean            tern_imap_client_is_enabled       (TernImapClient *self,
                                                       const char     *extension);
/* The hierarchy delimiter seen in the last LIST or NAMESPACE ('\0' unknown). */
char                tern_imap_client_get_delimiter    (TernImapClient *self);

/* Selected mailbox state (0/NULL when none selected). */
const char         *tern_imap_client_get_selected_mailbox (TernImapClient *self);
guint32             tern_imap_client_get_uidvalidity      (TernImapClient *self);
guint32             tern_imap_client_get_uidnext          (TernImapClient *self);
guint64             tern_imap_client_get_highestmodseq    (TernImapClient *self);
guint32             tern_imap_client_get_exists           (TernImapClient *self);
gboolean            tern_imap_client_get_read_only        (TernImapClient *self);
/* PERMANENTFLAGS of the selected mailbox (may be NULL) */
const char *const  *tern_imap_client_get_permanent_flags  (TernImapClient *self);

/* Connects (with the security given at construction), reads the greeting,
 * runs CAPABILITY, STARTTLS (+ CAPABILITY again). Fails with:
 * - TERN_NET_ERROR_CERTIFICATE_UNTRUSTED (fingerprint via
 *   tern_net_error_get_fingerprint()) when the certificate is not trusted
 *   and not pinned;
 * - TERN_NET_ERROR_PLAIN_NOT_ALLOWED for PLAIN to a non-loopback host, or
 *   when STARTTLS is required and the server lacks it or refuses it;
 * - TERN_IMAP_ERROR_TIMEOUT / TERN_IMAP_ERROR_TRANSIENT / G_IO_ERROR...
 *   Use tern_imap_error_is_transient() to decide on a retry. */
void                tern_imap_client_connect_async    (TernImapClient      *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean            tern_imap_client_connect_finish   (TernImapClient  *self,
                                                       GAsyncResult    *result,
                                                       GError         **error);

/* AUTHENTICATE PLAIN (SASL-IR when offered) or LOGIN (unless LOGINDISABLED);
 * refreshes the capabilities afterwards. Wrong credentials give
 * TERN_IMAP_ERROR_AUTH. */
void                tern_imap_client_login_async      (TernImapClient      *self,
                                                       const char          *user,
                                                       const char          *password,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean            tern_imap_client_login_finish     (TernImapClient  *self,
                                                       GAsyncResult    *result,
                                                       GError         **error);

/* Refreshes the capability list; returns it (free with g_strfreev). */
void                tern_imap_client_capability_async (TernImapClient      *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
char              **tern_imap_client_capability_finish (TernImapClient  *self,
                                                        GAsyncResult    *result,
                                                        GError         **error);

/* ENABLE ext...; only the extensions the server offers are sent. Returns
 * the ones it confirmed (g_strfreev). */
void                tern_imap_client_enable_async     (TernImapClient      *self,
                                                       const char *const   *extensions,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
char              **tern_imap_client_enable_finish    (TernImapClient  *self,
                                                       GAsyncResult    *result,
                                                       GError         **error);

void                tern_imap_client_namespace_async  (TernImapClient      *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
TernImapNamespace  *tern_imap_client_namespace_finish (TernImapClient  *self,
                                                       GAsyncResult    *result,
                                                       GError         **error);

/* LIST reference pattern (with RETURN (SPECIAL-USE) when offered). Returns
 * (element-type TernImapListEntry) names decoded to UTF-8. */
void                tern_imap_client_list_async       (TernImapClient      *self,
                                                       const char          *reference,
                                                       const char          *pattern,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
GPtrArray          *tern_imap_client_list_finish      (TernImapClient  *self,
                                                       GAsyncResult    *result,
                                                       GError         **error);

/* CREATE / SUBSCRIBE / UNSUBSCRIBE / DELETE a mailbox (UTF-8 name). */
void                tern_imap_client_create_async     (TernImapClient      *self,
                                                       const char          *mailbox,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean            tern_imap_client_create_finish    (TernImapClient  *self,
                                                       GAsyncResult    *result,
                                                       GError         **error);
void                tern_imap_client_subscribe_async  (TernImapClient      *self,
                                                       const char          *mailbox,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean            tern_imap_client_subscribe_finish (TernImapClient  *self,
                                                       GAsyncResult    *result,
                                                       GError         **error);
void                tern_imap_client_delete_async     (TernImapClient      *self,
                                                       const char          *mailbox,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean            tern_imap_client_delete_finish    (TernImapClient  *self,
                                                       GAsyncResult    *result,
                                                       GError         **error);

/* SELECT (or EXAMINE when @read_only). @condstore adds (CONDSTORE);
 * @qresync (needs ENABLE QRESYNC first) adds (QRESYNC (...)). The mailbox
 * state is then available from the getters. */
void                tern_imap_client_select_async     (TernImapClient        *self,
                                                       const char            *mailbox,
                                                       gboolean               read_only,
                                                       gboolean               condstore,
                                                       const TernImapQresync *qresync,
                                                       GCancellable          *cancellable,
                                                       GAsyncReadyCallback    callback,
                                                       gpointer               user_data);
gboolean            tern_imap_client_select_finish    (TernImapClient  *self,
                                                       GAsyncResult    *result,
                                                       GError         **error);

/* UID SEARCH; returns (element-type guint32) the matching UIDs. */
void                tern_imap_client_uid_search_async  (TernImapClient       *self,
                                                        const TernImapSearchQuery *search,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
GArray             *tern_imap_client_uid_search_finish (TernImapClient  *self,
                                                        GAsyncResult    *result,
                                                        GError         **error);

/* UID FETCH @uid_set @items, streamed: @batch_func gets the messages in
 * batches as they arrive (bounded by the options' batch_count/batch_bytes),
 * so memory stays flat however many messages match. Finishes with the
 * number of messages delivered. */
void                tern_imap_client_uid_fetch_async  (TernImapClient             *self,
                                                       const char                 *uid_set,
                                                       TernImapFetchWant           items,
                                                       const TernImapFetchOptions *options,
                                                       TernImapFetchBatchFunc      batch_func,
                                                       gpointer                    batch_data,
                                                       GCancellable               *cancellable,
                                                       GAsyncReadyCallback         callback,
                                                       gpointer                    user_data);
gboolean            tern_imap_client_uid_fetch_finish (TernImapClient  *self,
                                                       GAsyncResult    *result,
                                                       guint          *n_fetched,
                                                       GError         **error);

/* UID STORE @uid_set [+-]FLAGS.SILENT (flags and keywords like $MDNSent). */
void                tern_imap_client_uid_store_async  (TernImapClient      *self,
                                                       const char          *uid_set,
                                                       TernImapStoreMode    mode,
                                                       const char *const   *flags,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean            tern_imap_client_uid_store_finish (TernImapClient  *self,
                                                       GAsyncResult    *result,
                                                       GError         **error);

/* UID COPY; a missing destination fails with TERN_IMAP_ERROR_TRYCREATE.
 * Returns the COPYUID data (zeros/NULL without UIDPLUS). */
void                tern_imap_client_uid_copy_async   (TernImapClient      *self,
                                                       const char          *uid_set,
                                                       const char          *mailbox,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
TernImapCopyResult *tern_imap_client_uid_copy_finish  (TernImapClient  *self,
                                                       GAsyncResult    *result,
                                                       GError         **error);

/* UID MOVE, or without MOVE: UID COPY + UID STORE +FLAGS.SILENT (\Deleted) +
 * UID EXPUNGE (plain EXPUNGE without UIDPLUS, which also removes other
 * messages already marked \Deleted). */
void                tern_imap_client_uid_move_async   (TernImapClient      *self,
                                                       const char          *uid_set,
                                                       const char          *mailbox,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
TernImapCopyResult *tern_imap_client_uid_move_finish  (TernImapClient  *self,
                                                       GAsyncResult    *result,
                                                       GError         **error);

/* UID EXPUNGE @uid_set (UIDPLUS), or EXPUNGE when @uid_set is NULL or the
 * server lacks UIDPLUS. */
void                tern_imap_client_expunge_async    (TernImapClient      *self,
                                                       const char          *uid_set,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean            tern_imap_client_expunge_finish   (TernImapClient  *self,
                                                       GAsyncResult    *result,
                                                       GError         **error);

/* APPEND @message to @mailbox with @flags (may be NULL) and @date (may be
 * NULL); uses LITERAL+ when offered. */
void                tern_imap_client_append_async     (TernImapClient      *self,
                                                       const char          *mailbox,
                                                       const char *const   *flags,
                                                       GDateTime           *date,
                                                       GBytes              *message,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean            tern_imap_client_append_finish    (TernImapClient        *self,
                                                       GAsyncResult          *result,
                                                       TernImapAppendResult  *out_result,
                                                       GError               **error);

/* GETMETADATA [(DEPTH d)] mailbox (entries); @depth: 0, 1 or -1 (infinity);
 * returns a table entry name → GBytes value (NULL for NIL). */
void                tern_imap_client_get_metadata_async  (TernImapClient      *self,
                                                          const char          *mailbox,
                                                          const char *const   *entries,
                                                          int                  depth,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
GHashTable         *tern_imap_client_get_metadata_finish (TernImapClient  *self,
                                                          GAsyncResult    *result,
                                                          GError         **error);
/* SETMETADATA mailbox (entry value ...); a NULL value (GBytes) removes it. */
void                tern_imap_client_set_metadata_async  (TernImapClient      *self,
                                                          const char          *mailbox,
                                                          const char *const   *entries,
                                                          GBytes *const       *values,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean            tern_imap_client_set_metadata_finish (TernImapClient  *self,
                                                          GAsyncResult    *result,
                                                          GError         **error);

void                tern_imap_client_noop_async       (TernImapClient      *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean            tern_imap_client_noop_finish      (TernImapClient  *self,
                                                       GAsyncResult    *result,
                                                       GError         **error);

/* LOGOUT, then the connection is closed (state DISCONNECTED). */
void                tern_imap_client_logout_async     (TernImapClient      *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean            tern_imap_client_logout_finish    (TernImapClient  *self,
                                                       GAsyncResult    *result,
                                                       GError         **error);

/* IDLE on the selected mailbox: updates arrive as the exists/expunge/
 * vanished/fetch signals. Any command issued meanwhile ends the IDLE with
 * DONE first and leaves it stopped (call idle_start again). IDLE is
 * re-issued before the server's 29-minute limit; without the IDLE
 * capability the client polls with NOOP instead. Returns FALSE with an
 * error when no mailbox is selected. */
gboolean            tern_imap_client_idle_start       (TernImapClient  *self,
                                                       GError         **error);
/* Ends IDLE (sends DONE and waits for the tagged OK). */
void                tern_imap_client_idle_stop_async  (TernImapClient      *self,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean            tern_imap_client_idle_stop_finish (TernImapClient  *self,
                                                       GAsyncResult    *result,
                                                       GError         **error);
gboolean            tern_imap_client_is_idle          (TernImapClient *self);

/* Cancels everything in flight (commands fail with G_IO_ERROR_CANCELLED),
 * IDLE included, and closes the connection without LOGOUT. */
void                tern_imap_client_close            (TernImapClient *self);

G_END_DECLS
