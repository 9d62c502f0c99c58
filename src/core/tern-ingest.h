/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tern-coi-info.h"
#include "tern-context.h"
#include "tern-store.h"

G_BEGIN_DECLS

/**
 * TernIngestContext:
 *
 * Turns received messages (the raw RFC 5322 bytes of one IMAP message) into
 * store operations: no network, no main loop, no commit. The account engine
 * keeps one context per account, begins a TernStoreBatch per fetched batch,
 * calls tern_ingest_message() for each message, then commits the batch.
 *
 * What lands where (see tern_ingest_message()):
 * - chat / classic message: a message row in the chat it belongs to
 *   (DIRECT by peer address; MAILING_LIST by List-Id; GROUP by group id;
 *   a classic reply by References/In-Reply-To to a known message's chat);
 *   the sender becomes a contact with the From display name; attachments are
 *   stored by content hash.
 * - own message from another device (From = one of the user's addresses):
 *   outgoing, seen, state SENT, in the recipients' chat.
 * - edit / delete: applied to the original (history kept by the store) only
 *   when the sender is the original's sender; an edit of an edit is applied
 *   to the original. An edit whose original is not known yet is held in the
 *   context (memory only) and applied when the original is ingested.
 * - MDN for one of our messages: a READ (displayed) or DELIVERED receipt.
 * - h-card profile: the contact's display name and status.
 * - from a blocked contact: nothing stored; TERN_INGEST_BLOCKED so the
 *   engine moves it to Blocked.
 *
 * Known messages (same Message-ID, e.g. a second folder or a re-fetch) only
 * get the new location (and the seen flag); nothing else is applied twice.
 *
 * Not thread-safe: use one context from one thread (it reads the store
 * through the store's read connection, which sees committed batches only;
 * messages ingested earlier into the same uncommitted batch are tracked by
 * the context itself).
 */
typedef struct _TernIngestContext TernIngestContext;

typedef enum {
  TERN_INGEST_STORED,   /* a message row was added, or a location to a known one */
  TERN_INGEST_APPLIED,  /* edit, delete, receipt or profile applied; no row of its own */
  TERN_INGEST_PENDING,  /* an edit/delete whose original is unknown: held */
  TERN_INGEST_BLOCKED,  /* from a blocked contact: not stored; move it to Blocked */
  TERN_INGEST_IGNORED,  /* nothing to show (storage messages, refused edit, requests) */
} TernIngestAction;

/**
 * TernIngestResult:
 *
 * What tern_ingest_message() did. Clear with tern_ingest_result_clear().
 * Refs are batch references: after the commit, tern_store_batch_get_id()
 * gives the row ids.
 */
typedef struct {
  TernIngestAction action;
  char    *message_id;   /* without <>; NULL when the message had none usable */
  gboolean is_chat;      /* a COI chat message (the engine's filter moves these) */
  gboolean outgoing;     /* From is the user (sent from another device) */
  gboolean known;        /* the Message-ID was known: only a location was added */
  gboolean mentions_me;  /* the text mentions the user (notify hint) */
  gboolean receipt_requested; /* the sender asked for a read receipt */
  gint64   message_ref;  /* the message row (or the edited one), 0 when none */
  gint64   chat_ref;     /* the chat it went to, 0 when none */
} TernIngestResult;

void tern_ingest_result_clear (TernIngestResult *result);

/* @own_addresses: the user's addresses (the account address first), used
 * for "from us" and mentions. */
TernIngestContext *tern_ingest_context_new         (TernStore          *store,
                                                    gint64              account_id,
                                                    const char * const *own_addresses);
void               tern_ingest_context_free        (TernIngestContext  *ctx);
/* How many edits/deletes wait for their original. */
guint              tern_ingest_context_get_n_pending (TernIngestContext *ctx);
gboolean           tern_ingest_is_own_address      (TernIngestContext  *ctx,
                                                    const char         *address);

/* Parses @raw with src/coi and adds what it means to @batch. @folder_id /
 * @uid: where the message lives (0 = nowhere, e.g. a local test). @flags:
 * the IMAP flags (NULL-terminated, "\\Seen", "$MDNSent", ...) or NULL.
 * @result (out, optional). FALSE with an error only when @raw is unusable
 * (empty) or the store could not be read. */
gboolean           tern_ingest_message             (TernIngestContext  *ctx,
                                                    TernStoreBatch     *batch,
                                                    GBytes             *raw,
                                                    gint64              folder_id,
                                                    guint32             uid,
                                                    const char * const *flags,
                                                    TernIngestResult   *result,
                                                    GError            **error);

/* The parsing half of tern_ingest_message(): parses @raw with src/coi for
 * the user's @own_addresses (mentions). Touches no store and no context,
 * so it may run on any thread (GMime is initialised process-wide; the
 * GMime objects the info holds belong to the thread that has the info, one
 * thread at a time). NULL with an error only for unusable (empty) input. */
TernCoiInfo       *tern_ingest_parse               (GBytes             *raw,
                                                    const char * const *own_addresses,
                                                    GError            **error);

/* The storing half: what tern_ingest_message() does once @info is parsed
 * (by tern_ingest_parse()). Not thread-safe: the context's thread only. */
gboolean           tern_ingest_message_parsed      (TernIngestContext  *ctx,
                                                    TernStoreBatch     *batch,
                                                    const TernCoiInfo  *info,
                                                    gint64              folder_id,
                                                    guint32             uid,
                                                    const char * const *flags,
                                                    TernIngestResult   *result,
                                                    GError            **error);

/* The received time of the next tern_ingest_message() call (e.g. the IMAP
 * INTERNALDATE, Unix seconds); 0 = now. Used once, then reset. */
void               tern_ingest_context_set_received_time (TernIngestContext *ctx,
                                                          gint64             time);

/* The address to send a read receipt to for the incoming message
 * @message_id (without <>), when its sender asked for one, the address is
 * not ours and $MDNSent was not set when it was ingested; NULL otherwise.
 * Forgotten once taken. Held in memory only (the store has no column for
 * it yet). */
char              *tern_ingest_context_take_receipt_request (TernIngestContext *ctx,
                                                             const char        *message_id);

/* (transfer none) the context of @account's ingest, created on first use. */
TernIngestContext *tern_ingest_get_for_account     (TernAccount        *account);

/* ---- the account engine's hook (tern_account_set_ingest_funcs()) -------- */

/* Installs tern_ingest_account_async() as the ingest of every TernAccount.
 * Each account gets its own TernIngestContext (kept on the account). */
void               tern_ingest_install             (void);

/* A TernAccountIngestFunc: ingests every TernAccountFetched of @fetched
 * (GPtrArray of TernAccountFetched, from tern-account.h) into one batch,
 * commits it, fills their out fields (is_chat, from_self, blocked,
 * message_row) and emits TernAccount::message-received for new rows and
 * ::message-changed for edits, deletes and receipts. */
void               tern_ingest_account_async       (TernAccount         *account,
                                                    GPtrArray           *fetched,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
/* Starts parsing the bodies of @fetched (the batch a later
 * tern_ingest_account_async() will get, the same array) on worker threads
 * now, so the account engine can fetch and store other batches meanwhile.
 * Nothing happens unless tern_ingest_install() installed this ingest. */
void               tern_ingest_prepare             (TernAccount         *account,
                                                    GPtrArray           *fetched);
/* Drops what tern_ingest_prepare() started for @fetched, when it will not
 * be ingested after all (the sync failed). */
void               tern_ingest_forget              (TernAccount         *account,
                                                    GPtrArray           *fetched);
gboolean           tern_ingest_account_finish      (TernAccount         *account,
                                                    GAsyncResult        *result,
                                                    GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernIngestContext, tern_ingest_context_free)

G_END_DECLS
