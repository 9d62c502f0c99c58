/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tern-store-error.h"
#include "tern-store-rows.h"
#include "tern-store-batch.h"

G_BEGIN_DECLS

/**
 * TernStore:
 *
 * The SQLite database of Tern plus its attachment files, in one data
 * directory: `<dir>/tern.db` and `<dir>/attachments/ab/abcdef...`.
 *
 * Signal ::changed (TernStoreChanges *changes): after every committed
 * batch that changed something, on the store's main context.
 *
 * Threads (see ARCHITECTURE.md, "Store threading"):
 * - Every write is a TernStoreBatch committed with tern_store_commit_async():
 *   it runs on the store's own worker thread, which owns the write
 *   connection, in one transaction; the callback and the ::changed signal
 *   come on the main context that was thread-default when the store was
 *   opened.
 * - The reads below (tern_store_list_chats(), tern_store_get_messages(), ...)
 *   are synchronous, on a separate read connection (WAL: they never wait for
 *   a writer and see the last committed batch). They are indexed and
 *   measured well under 1 ms for the UI's pages (bench/store), so the main
 *   thread may call them. They are safe from any thread (the read connection
 *   is locked per call). Search may take a few ms: use
 *   tern_store_search_messages_async() from the UI.
 */
#define TERN_TYPE_STORE (tern_store_get_type ())
G_DECLARE_FINAL_TYPE (TernStore, tern_store, TERN, STORE, GObject)

/* The schema version this build writes (PRAGMA user_version). */
#define TERN_STORE_SCHEMA_VERSION 9

/* ---- open / close ------------------------------------------------------ */

/* Opens (creating and migrating as needed) the store in @data_dir. Blocks:
 * use the async form from the UI. */
TernStore  *tern_store_open                     (const char           *data_dir,
                                                 GError              **error);
void        tern_store_open_async               (const char           *data_dir,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
TernStore  *tern_store_open_finish              (GAsyncResult         *result,
                                                 GError              **error);
/* Waits for the queued batches, then closes the connections. Later calls
 * fail with TERN_STORE_ERROR_CLOSED. Also done by dispose. */
void        tern_store_close                    (TernStore            *self);

const char *tern_store_get_data_dir             (TernStore            *self);
/* The absolute path of the attachment file with content hash @hash. */
char       *tern_store_get_attachment_path      (TernStore            *self,
                                                 const char           *hash);

/* ---- writes ------------------------------------------------------------ */

TernStoreBatch *tern_store_begin_batch          (TernStore            *self);
/* Applies @batch in one transaction on the store thread. On error nothing
 * of it was written (TERN_STORE_ERROR_FULL when the disk is full). */
void        tern_store_commit_async             (TernStore            *self,
                                                 TernStoreBatch       *batch,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean    tern_store_commit_finish            (TernStore            *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
/* Blocking form, for tools, tests and threads other than the main one. The
 * ::changed signal is still emitted on the store's main context. */
gboolean    tern_store_commit                   (TernStore            *self,
                                                 TernStoreBatch       *batch,
                                                 GError              **error);
/* The store merges the search index's segments by itself when it has had
 * nothing to do for a second. This does all of it now and blocks, for
 * tools and benchmarks (not from the store's own thread). */
gboolean    tern_store_merge_search_index       (TernStore            *self,
                                                 GError              **error);

/* How many messages of a long run of new ones (a sync's history, with
 * @remaining still to come) to put in one batch. A batch writes each index
 * page it touches and its full-text segment once, so a message costs less
 * in a bigger batch: in bench-store, batches of 4,000 write less than half
 * the write-ahead log per message of batches of 1,000 (0.7 against 1.6 KB
 * at 100,000 messages) and take 11 % fewer instructions. Bigger batches
 * also hold more rows in memory and show them later, and the last batch
 * of a run is what a caller waits for at its end: the answer is a quarter
 * of @remaining, at least 1,000 and at most 4,000 (fewer only when fewer
 * remain). */
guint       tern_store_batch_size_for           (guint                 remaining);

/* ---- reads: accounts, folders, contacts -------------------------------- */

GPtrArray  *tern_store_list_accounts            (TernStore            *self,
                                                 GError              **error); /* TernStoreAccountRow */
TernStoreAccountRow *tern_store_get_account     (TernStore            *self,
                                                 gint64                account,
                                                 GError              **error);
/* host -> lower-case hex SHA-256 */
GHashTable *tern_store_get_pinned_certificates  (TernStore            *self,
                                                 gint64                account,
                                                 GError              **error);
GPtrArray  *tern_store_list_folders             (TernStore            *self,
                                                 gint64                account,
                                                 GError              **error); /* TernStoreFolderRow */
TernStoreFolderRow *tern_store_get_folder       (TernStore            *self,
                                                 gint64                folder,
                                                 GError              **error);
TernStoreFolderRow *tern_store_find_folder      (TernStore            *self,
                                                 gint64                account,
                                                 const char           *name,
                                                 GError              **error);
/* The UIDs known in @folder, ascending (guint32). */
GArray     *tern_store_list_folder_uids         (TernStore            *self,
                                                 gint64                folder,
                                                 GError              **error);
GPtrArray  *tern_store_list_contacts            (TernStore            *self,
                                                 gint64                account,
                                                 GError              **error); /* TernStoreContactRow */
TernStoreContactRow *tern_store_get_contact     (TernStore            *self,
                                                 gint64                contact,
                                                 GError              **error);
TernStoreContactRow *tern_store_find_contact    (TernStore            *self,
                                                 gint64                account,
                                                 const char           *address,
                                                 GError              **error);
GStrv       tern_store_list_contact_addresses   (TernStore            *self,
                                                 gint64                contact,
                                                 GError              **error);

/* ---- reads: chats ------------------------------------------------------ */

/* Chats of @account (0 = all accounts), pinned first, then by
 * last_activity descending (then id descending), rows @offset ..
 * @offset + @limit - 1 (@limit 0 = all). Index-ordered: no sort, no scan
 * beyond offset + limit. */
GPtrArray  *tern_store_list_chats               (TernStore            *self,
                                                 gint64                account,
                                                 TernStoreChatFilter   filter,
                                                 guint                 offset,
                                                 guint                 limit,
                                                 GError              **error); /* TernStoreChatRow */
/* The ids of every chat tern_store_list_chats() would return, in the same
 * order (a walk of the order index, no row is read): what a list model
 * needs for its length and positions. Fetch the rows on screen with
 * tern_store_get_chats(). gint64 ids. */
GArray     *tern_store_list_chat_ids            (TernStore            *self,
                                                 gint64                account,
                                                 TernStoreChatFilter   filter,
                                                 GError              **error);
/* The rows of the @n_ids chats @ids, in that order (ids that are gone are
 * left out). */
GPtrArray  *tern_store_get_chats                (TernStore            *self,
                                                 const gint64         *ids,
                                                 guint                 n_ids,
                                                 GError              **error); /* TernStoreChatRow */
guint       tern_store_count_chats              (TernStore            *self,
                                                 gint64                account,
                                                 TernStoreChatFilter   filter,
                                                 GError              **error);
TernStoreChatRow *tern_store_get_chat           (TernStore            *self,
                                                 gint64                chat,
                                                 GError              **error);
TernStoreChatRow *tern_store_find_chat          (TernStore            *self,
                                                 gint64                account,
                                                 TernStoreChatKind     kind,
                                                 const char           *key,
                                                 GError              **error);
GArray     *tern_store_list_chat_members        (TernStore            *self,
                                                 gint64                chat,
                                                 GError              **error); /* gint64 contact ids */

/* ---- reads: messages --------------------------------------------------- */

/* Up to @limit messages of @chat strictly before @before (NULL = from the
 * newest), returned OLDEST FIRST (ready to prepend to a list). One index
 * seek on (chat_id, sort_key, id), whatever the chat's size. */
GPtrArray  *tern_store_get_messages             (TernStore            *self,
                                                 gint64                chat,
                                                 const TernStoreCursor *before,
                                                 guint                 limit,
                                                 GError              **error); /* TernStoreMessageRow */
/* Up to @limit messages strictly after @after (NULL = from the oldest),
 * oldest first. */
GPtrArray  *tern_store_get_messages_after       (TernStore            *self,
                                                 gint64                chat,
                                                 const TernStoreCursor *after,
                                                 guint                 limit,
                                                 GError              **error);
/* Calls @func for each row of the same query as tern_store_get_messages()
 * with a row owned by the store (valid during the call; steal nothing):
 * the hook for building model objects without an intermediate array. */
typedef void (*TernStoreMessageFunc) (const TernStoreMessageRow *row,
                                      gpointer                   user_data);
gboolean    tern_store_foreach_message          (TernStore            *self,
                                                 gint64                chat,
                                                 const TernStoreCursor *before,
                                                 guint                 limit,
                                                 TernStoreMessageFunc  func,
                                                 gpointer              user_data,
                                                 GError              **error);
/* The exact number of messages in @chat (kept by triggers, no COUNT(*)). */
guint       tern_store_count_messages           (TernStore            *self,
                                                 gint64                chat,
                                                 GError              **error);
TernStoreMessageRow *tern_store_get_message     (TernStore            *self,
                                                 gint64                message,
                                                 GError              **error);
TernStoreMessageRow *tern_store_find_message    (TernStore            *self,
                                                 gint64                account,
                                                 const char           *message_id,
                                                 GError              **error);
GPtrArray  *tern_store_list_locations           (TernStore            *self,
                                                 gint64                message,
                                                 GError              **error); /* TernStoreLocationRow (g_free) */
GPtrArray  *tern_store_list_attachments         (TernStore            *self,
                                                 gint64                message,
                                                 GError              **error); /* TernStoreAttachmentRow */
GPtrArray  *tern_store_list_edits               (TernStore            *self,
                                                 gint64                message,
                                                 GError              **error); /* TernStoreEditRow, oldest first */
GPtrArray  *tern_store_list_receipts            (TernStore            *self,
                                                 gint64                message,
                                                 GError              **error); /* TernStoreReceiptRow */

/* ---- reads: outbox ----------------------------------------------------- */

/* QUEUED entries of @account (0 = all) with next_attempt <= @now, oldest first. */
GPtrArray  *tern_store_list_outbox_due          (TernStore            *self,
                                                 gint64                account,
                                                 gint64                now,
                                                 GError              **error); /* TernStoreOutboxRow */
TernStoreOutboxRow *tern_store_get_outbox       (TernStore            *self,
                                                 gint64                outbox,
                                                 GError              **error);
/* Every entry of @account (0 = all) in @state, oldest first. */
GPtrArray  *tern_store_list_outbox              (TernStore            *self,
                                                 gint64                account,
                                                 TernStoreOutboxState  state,
                                                 GError              **error);

/* ---- search ------------------------------------------------------------ */

/* Full-text search over message text and subjects of @account (0 = all).
 * @query is what the user typed: every word must match as a prefix, case
 * and diacritics ignored ("cafe" finds "Café"); no FTS syntax is
 * interpreted. Best @limit hits first (bm25), ranked among the 1,000 most
 * recently stored matches: a word found in half of 100,000 messages costs
 * what a rare one does. */
GPtrArray  *tern_store_search_messages          (TernStore            *self,
                                                 gint64                account,
                                                 const char           *query,
                                                 guint                 limit,
                                                 GError              **error); /* TernStoreSearchHit */
void        tern_store_search_messages_async    (TernStore            *self,
                                                 gint64                account,
                                                 const char           *query,
                                                 guint                 limit,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
GPtrArray  *tern_store_search_messages_finish   (TernStore            *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
/* Chats whose name, or whose DIRECT peer's name or address, matches @query
 * (same rules), best first: gint64 chat ids. */
GArray     *tern_store_search_chats             (TernStore            *self,
                                                 gint64                account,
                                                 const char           *query,
                                                 guint                 limit,
                                                 GError              **error);

/* ---- reads: the pinned message of a chat ------------------------------- */

/* The newest message of @chat that is pinned at @now (pinned_until > @now,
 * so also pinned without timeout) and not deleted, or NULL without an
 * error when there is none. */
TernStoreMessageRow *tern_store_get_pinned_message        (TernStore            *self,
                                                           gint64                chat,
                                                           gint64                now,
                                                           GError              **error);
/* The same in a thread, on the second read connection (a chat without a
 * pin is read to its start). The result is NULL without an error when
 * there is none. */
void                 tern_store_get_pinned_message_async  (TernStore            *self,
                                                           gint64                chat,
                                                           gint64                now,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
TernStoreMessageRow *tern_store_get_pinned_message_finish (TernStore            *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

/* The stored messages of @account among @message_ids (@n of them; NULL
 * entries are skipped), in one read: Message-ID (owned by the row) ->
 * TernStoreMessageRow. A Message-ID not stored is not in the table. For
 * the sync's ingest, which asks once per chunk instead of once per
 * message. */
GHashTable          *tern_store_find_message_ids          (TernStore            *self,
                                                           gint64                account,
                                                           const char * const   *message_ids,
                                                           guint                 n,
                                                           GError              **error);

G_END_DECLS
