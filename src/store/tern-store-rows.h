/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/*
 * Plain row structs of the store. Every row is a boxed type: copy with
 * tern_store_*_row_copy(), free with tern_store_*_row_free() (g_autoptr
 * works). Strings are owned by the row and may be NULL unless said
 * otherwise. Ids are SQLite rowids (> 0); 0 means "none".
 *
 * Times are Unix times in seconds (UTC) unless said otherwise; 0 = unknown.
 */

typedef enum {
  TERN_STORE_SECURITY_TLS,       /* implicit TLS */
  TERN_STORE_SECURITY_STARTTLS,
  TERN_STORE_SECURITY_PLAIN,     /* loopback only, decided by the net layer */
} TernStoreSecurity;

typedef enum {
  TERN_STORE_FILTER_NONE,
  TERN_STORE_FILTER_ACTIVE,
  TERN_STORE_FILTER_SEEN,
} TernStoreFilterMode;

typedef enum {
  TERN_STORE_FOLDER_ROLE_NONE,
  TERN_STORE_FOLDER_ROLE_INBOX,
  TERN_STORE_FOLDER_ROLE_SENT,
  TERN_STORE_FOLDER_ROLE_DRAFTS,
  TERN_STORE_FOLDER_ROLE_TRASH,
  TERN_STORE_FOLDER_ROLE_JUNK,
  TERN_STORE_FOLDER_ROLE_ARCHIVE,
  TERN_STORE_FOLDER_ROLE_CHATS,     /* <root>/Chats */
  TERN_STORE_FOLDER_ROLE_CONTACTS,  /* <root>/Contacts */
  TERN_STORE_FOLDER_ROLE_BLOCKED,
} TernStoreFolderRole;

typedef enum {
  TERN_STORE_CHAT_KIND_DIRECT,        /* 1:1; key = the peer's address */
  TERN_STORE_CHAT_KIND_GROUP,         /* key = the COI group id */
  TERN_STORE_CHAT_KIND_MAILING_LIST,  /* key = the List-Id */
} TernStoreChatKind;

typedef enum {
  TERN_STORE_MESSAGE_KIND_TEXT,      /* a chat message */
  TERN_STORE_MESSAGE_KIND_CLASSIC,   /* classic e-mail shown in a chat */
  TERN_STORE_MESSAGE_KIND_SYSTEM,    /* group change, member left, ... */
  TERN_STORE_MESSAGE_KIND_LOCATION,
  TERN_STORE_MESSAGE_KIND_MEDIA,     /* attachment(s), text optional */
} TernStoreMessageKind;

/* Delivery state of a message the user sent; incoming messages are NONE.
 * The store never moves the state backwards (read beats delivered). */
typedef enum {
  TERN_STORE_STATE_NONE,
  TERN_STORE_STATE_PENDING,    /* in the outbox */
  TERN_STORE_STATE_SENT,
  TERN_STORE_STATE_DELIVERED,
  TERN_STORE_STATE_READ,
  TERN_STORE_STATE_FAILED,
} TernStoreDeliveryState;

typedef enum {
  TERN_STORE_RECEIPT_DELIVERED = 1,
  TERN_STORE_RECEIPT_READ      = 2,
} TernStoreReceiptKind;

typedef enum {
  TERN_STORE_OUTBOX_QUEUED,    /* waiting for next_attempt */
  TERN_STORE_OUTBOX_SENDING,   /* claimed by a sender; after a crash the
                                  caller decides (look for the Message-ID) */
  TERN_STORE_OUTBOX_SENT,
  TERN_STORE_OUTBOX_FAILED,    /* permanent failure */
} TernStoreOutboxState;

/* ---- accounts ---------------------------------------------------------- */

typedef struct {
  gint64               id;
  char                *address;          /* not NULL */
  char                *display_name;
  char                *login;
  char                *imap_host;
  guint16              imap_port;
  TernStoreSecurity    imap_security;
  char                *smtp_host;
  guint16              smtp_port;
  TernStoreSecurity    smtp_security;
  TernStoreFilterMode  filter_mode;
  gboolean             coi_server;
  char                *capabilities;     /* space-separated, as last seen */
  char                *mailbox_root;     /* "COI" unless the server says */
  char                *delimiter;        /* hierarchy delimiter, "/" or "." */
  char                *namespace_prefix; /* personal namespace, e.g. "INBOX." */
  gboolean             enabled;
} TernStoreAccountRow;

/* ---- folders ----------------------------------------------------------- */

typedef struct {
  gint64               id;
  gint64               account_id;
  char                *name;             /* full IMAP name (modified UTF-7 decoded) */
  char                *delimiter;
  TernStoreFolderRole  role;
  guint32              uidvalidity;      /* 0 = not selected yet */
  guint32              uidnext;
  guint64              highestmodseq;
  gint64               last_sync;
} TernStoreFolderRow;

/* ---- contacts ---------------------------------------------------------- */

typedef struct {
  gint64    id;
  gint64    account_id;
  char     *address;       /* the primary address; all in tern_store_list_contact_addresses() */
  char     *display_name;
  char     *avatar;        /* attachment hash of the avatar file, or NULL */
  char     *status;        /* the profile's status text */
  gboolean  blocked;
  char     *from_hash;     /* COI-From-Hash, lower-case hex */
  gint64    last_seen;
  gboolean  profile_sent;
} TernStoreContactRow;

/* Which fields tern_store_batch_update_contact() writes. */
typedef enum {
  TERN_STORE_CONTACT_FIELD_DISPLAY_NAME = 1 << 0,
  TERN_STORE_CONTACT_FIELD_AVATAR       = 1 << 1,
  TERN_STORE_CONTACT_FIELD_STATUS       = 1 << 2,
  TERN_STORE_CONTACT_FIELD_BLOCKED      = 1 << 3,
  TERN_STORE_CONTACT_FIELD_FROM_HASH    = 1 << 4,
  TERN_STORE_CONTACT_FIELD_LAST_SEEN    = 1 << 5,
  TERN_STORE_CONTACT_FIELD_PROFILE_SENT = 1 << 6,
} TernStoreContactFields;

/* ---- chats ------------------------------------------------------------- */

typedef struct {
  gint64             id;
  gint64             account_id;
  TernStoreChatKind  kind;
  char              *key;            /* see TernStoreChatKind; unique per (account, kind) */
  gint64             contact_id;     /* the peer of a DIRECT chat, else 0 */
  char              *name;
  char              *description;
  char              *avatar;         /* attachment hash, or NULL */
  gboolean           muted;
  gboolean           archived;
  gboolean           pinned;
  char              *draft;
  gint64             last_activity;  /* sort key of the newest message, or creation time */
  guint              unread_count;   /* exact: kept by triggers */
  guint              message_count;  /* exact: kept by triggers (no COUNT(*)) */
  /* Filled by tern_store_list_chats() / tern_store_get_chat() from the newest
   * message, for the chat list's preview line: */
  gint64             last_message_id;
  char              *last_text;
  char              *last_sender;    /* address, NULL if outgoing */
  char              *last_sender_name; /* the sender contact's display name, or NULL */
  gboolean           last_outgoing;  /* the newest message is the user's own */
} TernStoreChatRow;

/* Which fields tern_store_batch_update_chat() writes. */
typedef enum {
  TERN_STORE_CHAT_FIELD_NAME        = 1 << 0,
  TERN_STORE_CHAT_FIELD_DESCRIPTION = 1 << 1,
  TERN_STORE_CHAT_FIELD_AVATAR      = 1 << 2,
  TERN_STORE_CHAT_FIELD_MUTED       = 1 << 3,
  TERN_STORE_CHAT_FIELD_ARCHIVED    = 1 << 4,
  TERN_STORE_CHAT_FIELD_PINNED      = 1 << 5,
  TERN_STORE_CHAT_FIELD_DRAFT       = 1 << 6,
  TERN_STORE_CHAT_FIELD_CONTACT     = 1 << 7,
} TernStoreChatFields;

/* Which chats tern_store_list_chats() returns. */
typedef enum {
  TERN_STORE_CHAT_FILTER_ACTIVE,     /* not archived */
  TERN_STORE_CHAT_FILTER_ARCHIVED,
  TERN_STORE_CHAT_FILTER_ALL,
} TernStoreChatFilter;

/* ---- messages ---------------------------------------------------------- */

typedef struct {
  gint64                  id;
  gint64                  account_id;
  gint64                  chat_id;
  char                   *message_id;        /* without <>, unique per account; not NULL */
  gint64                  sender_contact_id; /* 0 when outgoing or unknown */
  char                   *sender_address;    /* NULL when outgoing */
  gboolean                outgoing;
  gint64                  sent_time;         /* Date: header */
  gint64                  received_time;
  /* Position in the chat. On insert, 0 means MIN(sent_time, received_time)
   * (a sender's clock in the future cannot push a message to the bottom).
   * Rows in a chat are ordered by (sort_key, id). */
  gint64                  sort_key;
  TernStoreMessageKind    kind;
  TernStoreDeliveryState  state;
  gboolean                seen;
  gboolean                edited;
  gboolean                deleted;           /* deleted by its sender; text is gone */
  char                   *subject;
  char                   *text;              /* the visible text */
  char                   *quote;             /* folded quote / signature, or NULL */
  char                   *reply_to;          /* Message-ID replied to (no <>), or NULL */
  gint64                  pinned_until;      /* 0 = not pinned, G_MAXINT64 = no timeout */
  gboolean                has_location;
  double                  latitude;
  double                  longitude;
  guint                   n_attachments;     /* kept by triggers */
  gboolean                mentions_me;       /* mentions this account's user (or @all) */
  char                   *receipt_to;        /* a read receipt was requested to this address */
  gboolean                mdn_sent;          /* a read receipt for it was sent */
  char                   *failure_reason;    /* set while state is FAILED: the server's words */
} TernStoreMessageRow;

/* A keyset cursor into a chat: (sort_key, id) of a row. */
typedef struct {
  gint64 sort_key;
  gint64 id;
} TernStoreCursor;

typedef struct {
  gint64  id;
  gint64  message_id;     /* row id of the message */
  char   *hash;           /* lower-case hex SHA-256 of the content = file name */
  char   *mime_type;
  char   *name;           /* original file name, or NULL */
  gint64  size;
  char   *preview_hash;   /* a preview image's file (hash), or NULL */
} TernStoreAttachmentRow;

typedef struct {
  gint64  id;
  gint64  message_id;      /* row id of the edited message */
  char   *edit_message_id; /* Message-ID of the edit request, or NULL */
  char   *old_text;
  char   *new_text;        /* NULL for a delete */
  gint64  edited_at;
} TernStoreEditRow;

typedef struct {
  gint64                message_id;  /* row id */
  char                 *address;
  TernStoreReceiptKind  kind;
  gint64                time;
} TernStoreReceiptRow;

typedef struct {
  gint64                id;
  gint64                account_id;
  gint64                message_id;  /* row id of the message, 0 if none */
  char                 *rfc822_message_id;
  GBytes               *raw;         /* the whole message; NULL once sent */
  char                **recipients;  /* envelope recipients */
  TernStoreOutboxState  state;
  guint                 attempts;
  gint64                next_attempt;
  char                 *last_error;
  gint64                created;
} TernStoreOutboxRow;

/* A place where a message lives on the server. */
typedef struct {
  gint64  message_id;  /* row id */
  gint64  folder_id;
  guint32 uid;
} TernStoreLocationRow;

typedef struct {
  gint64  message_id;  /* row id */
  gint64  chat_id;
  double  rank;        /* bm25: lower is better; hits come best first */
  char   *snippet;     /* with the matches wrapped in U+0002 / U+0003 */
} TernStoreSearchHit;

#define TERN_STORE_SNIPPET_START "\002"
#define TERN_STORE_SNIPPET_END   "\003"

/* ---- change notifications --------------------------------------------- */

/* One message in a TernStoreChanges, with what a list model needs to place
 * it without asking the store. */
typedef struct {
  gint64 id;
  gint64 chat_id;
  gint64 sort_key;
} TernStoreMessageChange;

/**
 * TernStoreChanges:
 *
 * What one committed batch changed; emitted with TernStore::changed on the
 * main context that opened the store. Read-only, reference counted. Every
 * array is non-NULL (possibly empty). chats_* and contacts/folders/accounts
 * hold gint64 ids; messages_* hold TernStoreMessageChange.
 *
 * A message inserted and then updated in the same batch is only in
 * messages_inserted; a row deleted is only in *_deleted. A chat whose
 * unread count, last activity or preview changed is in chats_updated.
 */
typedef struct {
  GArray   *chats_inserted;
  GArray   *chats_updated;
  GArray   *chats_deleted;
  GArray   *messages_inserted;   /* TernStoreMessageChange */
  GArray   *messages_updated;    /* TernStoreMessageChange */
  GArray   *messages_deleted;    /* TernStoreMessageChange */
  GArray   *contacts_changed;
  GArray   *folders_changed;
  GArray   *accounts_changed;
  gboolean  outbox_changed;
  /*< private >*/
  gint      ref_count;
} TernStoreChanges;

#define TERN_TYPE_STORE_ACCOUNT_ROW    (tern_store_account_row_get_type ())
#define TERN_TYPE_STORE_FOLDER_ROW     (tern_store_folder_row_get_type ())
#define TERN_TYPE_STORE_CONTACT_ROW    (tern_store_contact_row_get_type ())
#define TERN_TYPE_STORE_CHAT_ROW       (tern_store_chat_row_get_type ())
#define TERN_TYPE_STORE_MESSAGE_ROW    (tern_store_message_row_get_type ())
#define TERN_TYPE_STORE_ATTACHMENT_ROW (tern_store_attachment_row_get_type ())
#define TERN_TYPE_STORE_EDIT_ROW       (tern_store_edit_row_get_type ())
#define TERN_TYPE_STORE_RECEIPT_ROW    (tern_store_receipt_row_get_type ())
#define TERN_TYPE_STORE_OUTBOX_ROW     (tern_store_outbox_row_get_type ())
#define TERN_TYPE_STORE_SEARCH_HIT     (tern_store_search_hit_get_type ())
#define TERN_TYPE_STORE_CHANGES        (tern_store_changes_get_type ())

GType                   tern_store_account_row_get_type    (void) G_GNUC_CONST;
TernStoreAccountRow    *tern_store_account_row_new         (void);
TernStoreAccountRow    *tern_store_account_row_copy        (const TernStoreAccountRow *row);
void                    tern_store_account_row_free        (TernStoreAccountRow *row);

GType                   tern_store_folder_row_get_type     (void) G_GNUC_CONST;
TernStoreFolderRow     *tern_store_folder_row_copy         (const TernStoreFolderRow *row);
void                    tern_store_folder_row_free         (TernStoreFolderRow *row);

GType                   tern_store_contact_row_get_type    (void) G_GNUC_CONST;
TernStoreContactRow    *tern_store_contact_row_copy        (const TernStoreContactRow *row);
void                    tern_store_contact_row_free        (TernStoreContactRow *row);

GType                   tern_store_chat_row_get_type       (void) G_GNUC_CONST;
TernStoreChatRow       *tern_store_chat_row_copy           (const TernStoreChatRow *row);
void                    tern_store_chat_row_free           (TernStoreChatRow *row);

GType                   tern_store_message_row_get_type    (void) G_GNUC_CONST;
TernStoreMessageRow    *tern_store_message_row_new         (void);
TernStoreMessageRow    *tern_store_message_row_copy        (const TernStoreMessageRow *row);
void                    tern_store_message_row_free        (TernStoreMessageRow *row);

GType                   tern_store_attachment_row_get_type (void) G_GNUC_CONST;
TernStoreAttachmentRow *tern_store_attachment_row_copy     (const TernStoreAttachmentRow *row);
void                    tern_store_attachment_row_free     (TernStoreAttachmentRow *row);

GType                   tern_store_edit_row_get_type       (void) G_GNUC_CONST;
TernStoreEditRow       *tern_store_edit_row_copy           (const TernStoreEditRow *row);
void                    tern_store_edit_row_free           (TernStoreEditRow *row);

GType                   tern_store_receipt_row_get_type    (void) G_GNUC_CONST;
TernStoreReceiptRow    *tern_store_receipt_row_copy        (const TernStoreReceiptRow *row);
void                    tern_store_receipt_row_free        (TernStoreReceiptRow *row);

GType                   tern_store_outbox_row_get_type     (void) G_GNUC_CONST;
TernStoreOutboxRow     *tern_store_outbox_row_copy         (const TernStoreOutboxRow *row);
void                    tern_store_outbox_row_free         (TernStoreOutboxRow *row);

GType                   tern_store_search_hit_get_type     (void) G_GNUC_CONST;
TernStoreSearchHit     *tern_store_search_hit_copy         (const TernStoreSearchHit *hit);
void                    tern_store_search_hit_free         (TernStoreSearchHit *hit);

GType                   tern_store_changes_get_type        (void) G_GNUC_CONST;
TernStoreChanges       *tern_store_changes_new             (void);
TernStoreChanges       *tern_store_changes_ref             (TernStoreChanges *changes);
void                    tern_store_changes_unref           (TernStoreChanges *changes);
gboolean                tern_store_changes_is_empty        (const TernStoreChanges *changes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernStoreAccountRow, tern_store_account_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernStoreFolderRow, tern_store_folder_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernStoreContactRow, tern_store_contact_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernStoreChatRow, tern_store_chat_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernStoreMessageRow, tern_store_message_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernStoreAttachmentRow, tern_store_attachment_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernStoreEditRow, tern_store_edit_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernStoreReceiptRow, tern_store_receipt_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernStoreOutboxRow, tern_store_outbox_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernStoreSearchHit, tern_store_search_hit_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernStoreChanges, tern_store_changes_unref)

G_END_DECLS
