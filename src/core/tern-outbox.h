/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <gmime/gmime.h>

#include "tern-context.h"
#include "tern-store.h"

G_BEGIN_DECLS

/**
 * TernOutbox:
 *
 * The sender of one account (ARCHITECTURE.md, "Sending"). Every message the
 * user sends is first stored: ONE store batch holds the message row (state
 * PENDING, outgoing, seen) and the outbox entry (raw bytes + envelope
 * recipients); see tern_outbox_queue_async(). The outbox then sends due
 * entries over one SMTP connection (reused for several messages):
 *
 *   claim (SENDING, attempts + 1) -> SMTP -> SENT -> APPEND a \Seen copy to
 *   COI/Chats (chat message) or Sent (classic) and record its location
 *   (folder + APPENDUID) so the sync does not store it twice.
 *
 * Failures: transient (4xx, network, auth trouble) -> QUEUED again with the
 * next try after tern_outbox_backoff_seconds() (1 min, 2, 4 ... capped at
 * 1 h); permanent (5xx) -> FAILED with the server's text (the message row
 * shows FAILED; tern_store_get_outbox() has last_error). Recipients refused
 * while others accepted: the message is SENT; each refused recipient gets
 * an outbox entry of its own (not linked to the message row, same
 * rfc822_message_id) that is FAILED with the server's reply (5xx) or
 * QUEUED for a retry to that recipient only (4xx).
 *
 * The copy for the server: the batch that marks an entry SENT also queues
 * an APPEND entry (no message row, same rfc822_message_id, the raw bytes,
 * the envelope "<append>", due in a minute); the copy is appended at once
 * and the entry removed with the location recorded. An APPEND that fails
 * leaves the entry QUEUED with backoff: a later run (or the next start)
 * looks for the Message-ID in the folder first and appends only if it is
 * not there. SMTP never sees such an entry: a message is never sent again
 * for its copy. tern_outbox_row_is_append() tells these entries apart.
 *
 * Crash safety: at tern_outbox_start() every entry left SENDING (the
 * process died mid-send) is looked up on the server first (UID SEARCH
 * HEADER Message-ID in COI/Chats, then Sent): a copy there means it was
 * sent (-> SENT); otherwise it is queued again. Nothing is lost. The
 * residual window: killed after the SMTP server accepted the message and
 * before the APPEND finished, the message is sent a second time (with the
 * SAME Message-ID, so COI clients, Delta Chat and Tern show it once; a
 * classic client may show two). APPENDing before SMTP would close that
 * window only by opening a worse one (a copy on the server of a message
 * never sent would be taken as sent: lost), so the copy is appended right
 * after the SMTP acceptance, which keeps the window to one round trip.
 *
 * Signals (main context): sent (gint64 outbox_id, gint64 message_row),
 * failed (gint64 outbox_id, gint64 message_row, const char *reason),
 * retry (gint64 outbox_id, gint64 next_attempt).
 */
#define TERN_TYPE_OUTBOX (tern_outbox_get_type ())
G_DECLARE_FINAL_TYPE (TernOutbox, tern_outbox, TERN, OUTBOX, GObject)

/* (transfer none) the outbox of @account, created on first use (kept on the
 * account; not started). */
TernOutbox *tern_outbox_get_for_account      (TernAccount *account);

/* Recovers SENDING entries, then sends what is due and keeps a timer for
 * the next retry. tern_outbox_kick() after queuing sends at once. */
void        tern_outbox_start                (TernOutbox  *self);
void        tern_outbox_stop                 (TernOutbox  *self);
void        tern_outbox_kick                 (TernOutbox  *self);
gboolean    tern_outbox_is_busy              (TernOutbox  *self);

/* Whether @row is the APPEND entry of a message already sent (see above). */
gboolean    tern_outbox_row_is_append        (const TernStoreOutboxRow *row);

/**
 * TernOutboxRefused:
 * @address: a recipient the server refused while others got the message
 * @reason: the server's reply ("550 5.1.1 ...")
 * @retrying: TRUE while a 4xx is tried again, FALSE when refused for good
 */
typedef struct {
  char     *address;
  char     *reason;
  gboolean  retrying;
} TernOutboxRefused;

void        tern_outbox_refused_free         (TernOutboxRefused *refused);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernOutboxRefused, tern_outbox_refused_free)

/* The recipients of the message row @message that the server refused
 * (kept in outbox entries of their own, see above): an array of
 * TernOutboxRefused (transfer full), empty when there are none. */
GPtrArray  *tern_outbox_list_refused         (TernStore                 *store,
                                              const TernStoreMessageRow *message);

/* Seconds before try number @attempts + 1 after @attempts failed tries:
 * 60 * 2^(attempts - 1), at most 3600. */
gint64      tern_outbox_backoff_seconds      (guint        attempts);

/**
 * TernOutboxLocal:
 *
 * What the local message row shows while the message is on its way.
 * Strings borrowed for the call.
 */
typedef struct {
  TernStoreMessageKind kind;
  const char          *text;
  const char          *subject;
  const char          *reply_to;       /* Message-ID replied to, no <> */
  gint64               pinned_until;
  gboolean             has_location;
  double               latitude;
  double               longitude;
  const char * const  *attachment_paths; /* stored by content hash with the row */
} TernOutboxLocal;

/* Stores @message for sending in ONE batch: a message row in @chat (when
 * @local is not NULL: state PENDING, outgoing, seen) and the outbox entry
 * with the raw bytes for @recipients. @batch (optional, from
 * tern_store_begin_batch()) may already hold operations that must commit
 * with it (e.g. the local edit of an edit request). Returns the
 * message row id (0 without @local) through finish. Pure store work: no
 * network; call tern_outbox_kick() afterwards. */
void        tern_outbox_queue_async          (TernStore             *store,
                                              gint64                 account,
                                              gint64                 chat,
                                              GMimeMessage          *message,
                                              const TernOutboxLocal *local,
                                              const char * const    *recipients,
                                              TernStoreBatch        *batch,
                                              GCancellable          *cancellable,
                                              GAsyncReadyCallback    callback,
                                              gpointer               user_data);
gint64      tern_outbox_queue_finish         (GAsyncResult          *result,
                                              GError               **error);

G_END_DECLS
