/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tern-store.h"

G_BEGIN_DECLS

/**
 * TernFilterMode:
 * @TERN_FILTER_MODE_NONE: chat messages stay in INBOX
 * @TERN_FILTER_MODE_ACTIVE: chat messages go to COI/Chats once stored
 *   (the default)
 * @TERN_FILTER_MODE_SEEN: chat messages go to COI/Chats once \Seen
 *
 * Where chat messages live ("Filter COI Messages" in the client spec). On
 * a COI server the server files them (the mode is written to its METADATA
 * `message-filter`); on a plain server the account moves them. Same values
 * as TernStoreFilterMode.
 */
typedef enum {
  TERN_FILTER_MODE_NONE = TERN_STORE_FILTER_NONE,
  TERN_FILTER_MODE_ACTIVE = TERN_STORE_FILTER_ACTIVE,
  TERN_FILTER_MODE_SEEN = TERN_STORE_FILTER_SEEN,
} TernFilterMode;

GType       tern_filter_mode_get_type   (void);
#define TERN_TYPE_FILTER_MODE (tern_filter_mode_get_type ())
/* "none", "active", "seen" (the METADATA and tern-cli spellings). */
const char *tern_filter_mode_to_string  (TernFilterMode  mode);
/* FALSE when @text is none of them (case-insensitive). */
gboolean    tern_filter_mode_from_string (const char     *text,
                                          TernFilterMode *mode);

typedef struct _TernAccount TernAccount;

/**
 * TernContext:
 *
 * One per process: the data directory with its TernStore, the accounts (a
 * GListModel of TernAccount, in the order of their store ids), the engine
 * settings the front ends set, and a GNetworkMonitor watcher that tells
 * the accounts when the network comes back.
 *
 * Properties (G_PARAM_EXPLICIT_NOTIFY; the GUI binds them to GSettings,
 * the CLI sets them from its config):
 * - data-dir (string, construct-only)
 * - store (TernStore, read-only)
 * - send-read-receipts (gboolean, default TRUE): answer read receipt
 *   requests once a message was shown
 * - request-read-receipts (gboolean, default TRUE): ask for them when sending
 * - default-filter-mode (TernFilterMode, default ACTIVE): for new accounts
 *   whose settings name none
 * - network-available (gboolean, read-only): the GNetworkMonitor's view
 *
 * Signals:
 * - account-added (TernAccount *), account-removed (TernAccount *): also
 *   visible as items-changed on tern_context_get_accounts().
 *
 * Everything runs on the main context that was thread-default when the
 * context was created.
 */
#define TERN_TYPE_CONTEXT (tern_context_get_type ())
G_DECLARE_FINAL_TYPE (TernContext, tern_context, TERN, CONTEXT, GObject)

/* The default data directory: g_get_user_data_dir()/tern (tern-cli; the GUI
 * passes its own, e.g. .../io.github.ternchat.Tern). Newly allocated. */
char         *tern_context_default_data_dir (void);

/* Opens (creating) @data_dir and its store and loads the accounts (they are
 * not started). NULL for the default directory. Blocks on the store's open
 * (a few ms); the error is a TERN_CORE_ERROR_STORE. */
TernContext  *tern_context_new              (const char   *data_dir,
                                             GError      **error);

const char   *tern_context_get_data_dir     (TernContext  *self);
TernStore    *tern_context_get_store        (TernContext  *self);

/* (element-type TernAccount) (transfer none): the model of accounts. */
GListModel   *tern_context_get_accounts     (TernContext  *self);
/* (transfer none) the account with @address (case-insensitive), or NULL. */
TernAccount  *tern_context_find_account     (TernContext  *self,
                                             const char   *address);
/* (transfer none) the account with store id @id, or NULL. */
TernAccount  *tern_context_get_account      (TernContext  *self,
                                             gint64        id);

/* Starts / stops every account (tern_account_start()). */
void          tern_context_start_all        (TernContext  *self);
void          tern_context_stop_all         (TernContext  *self);

gboolean      tern_context_get_send_read_receipts    (TernContext *self);
void          tern_context_set_send_read_receipts    (TernContext *self,
                                                      gboolean     send);
gboolean      tern_context_get_request_read_receipts (TernContext *self);
void          tern_context_set_request_read_receipts (TernContext *self,
                                                      gboolean     request);
TernFilterMode tern_context_get_default_filter_mode  (TernContext *self);
void          tern_context_set_default_filter_mode   (TernContext    *self,
                                                      TernFilterMode  mode);
gboolean      tern_context_get_network_available     (TernContext *self);
/* Test hook: acts as if the GNetworkMonitor had emitted network-changed
 * with @available (accounts drop their retry timers when it goes, and
 * reconnect at once, without waiting for the backoff, when it is back). */
void          tern_context_simulate_network_changed  (TernContext *self,
                                                      gboolean     available);

/* The libsecret schema name (the application ID) used for passwords;
 * default "io.github.ternchat.Tern". Set before adding accounts. */
const char   *tern_context_get_secret_schema_name    (TernContext *self);
void          tern_context_set_secret_schema_name    (TernContext *self,
                                                      const char  *name);

G_END_DECLS
