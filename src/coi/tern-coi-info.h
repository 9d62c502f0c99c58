/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <gmime/gmime.h>

G_BEGIN_DECLS

/*
 * TernCoiInfo: the description of one message, as the parser understands it.
 *
 * Plain structs with public fields, owned by the TernCoiInfo; strings are
 * UTF-8 (already decoded: RFC 2047/2231, charsets). Every pointer may be NULL
 * and every list may be empty unless documented otherwise. Free with
 * tern_coi_info_free() (g_autoptr(TernCoiInfo) works).
 */

/**
 * TernCoiKind:
 *
 * What the message is for. One kind per message; the detail lives in the
 * fields (a text message with a profile part is kind TEXT with a profile).
 */
typedef enum {
  TERN_COI_KIND_CLASSIC,            /* not a chat message (plain e-mail) */
  TERN_COI_KIND_TEXT,               /* chat text (text/plain) */
  TERN_COI_KIND_FORMATTED,          /* chat text with HTML and/or markdown */
  TERN_COI_KIND_ATTACHMENTS,        /* one or more files (maybe with text) */
  TERN_COI_KIND_EDIT,               /* editrequest / edit / Delta Chat Chat-Edit */
  TERN_COI_KIND_DELETE,             /* deleterequest / Chat-Delete */
  TERN_COI_KIND_MDN,                /* read receipt (RFC 8098 report) */
  TERN_COI_KIND_GROUP_LEFT,         /* groupleft */
  TERN_COI_KIND_GROUP_INFO_REQUEST, /* grouprequested / groupprofilerequest */
  TERN_COI_KIND_PROFILE_REQUEST,    /* profilerequest */
  TERN_COI_KIND_CONTACT_STORAGE,    /* Chat-Content: contact (COI/Contacts) */
  TERN_COI_KIND_PROFILE_STORAGE,    /* Chat-Content: profile at the top of a storage message */
  TERN_COI_KIND_GROUP_STORAGE,      /* Chat-Content: group */
  TERN_COI_KIND_LOCATION,           /* Chat-Content: location (h-geo) */
  TERN_COI_KIND_EXTENSION,          /* client specific Chat-Content (see extension_name) */
  TERN_COI_KIND_BOUNCE,             /* delivery status notification (DSN) */
} TernCoiKind;

const char *tern_coi_kind_to_string (TernCoiKind kind);

/**
 * TernCoiChatCriteria:
 *
 * Which of the spec's three chat criteria matched (a bit set).
 */
typedef enum {
  TERN_COI_CRITERIA_NONE = 0,
  TERN_COI_CRITERIA_CHAT_VERSION = 1 << 0, /* Chat-Version header present */
  TERN_COI_CRITERIA_MESSAGE_ID = 1 << 1,   /* Message-ID starts with chat$ */
  TERN_COI_CRITERIA_REFERENCES = 1 << 2,   /* first References id starts with chat$ */
} TernCoiChatCriteria;

/**
 * TernCoiProblemCode:
 *
 * Something was wrong with the input; the parse still produced a description.
 */
typedef enum {
  TERN_COI_PROBLEM_NO_HEADERS,        /* no header block could be read */
  TERN_COI_PROBLEM_TRUNCATED,         /* a multipart without its closing boundary */
  TERN_COI_PROBLEM_TOO_DEEP,          /* MIME nesting beyond opts->max_depth; rest ignored */
  TERN_COI_PROBLEM_TOO_MANY_PARTS,    /* more parts than opts->max_parts; rest ignored */
  TERN_COI_PROBLEM_TOO_LARGE,         /* input beyond opts->max_size; body not parsed */
  TERN_COI_PROBLEM_HEADER_TOO_LONG,   /* a header line beyond opts->max_header_line; cut */
  TERN_COI_PROBLEM_BAD_CHARSET,       /* unknown/invalid charset: text shown lossily */
  TERN_COI_PROBLEM_BAD_ENCODING,      /* invalid base64 / quoted-printable */
  TERN_COI_PROBLEM_BAD_FROM,          /* no From, or more than one From address */
  TERN_COI_PROBLEM_BAD_DATE,          /* missing or unparsable Date */
  TERN_COI_PROBLEM_BAD_MESSAGE_ID,    /* missing or malformed Message-ID */
  TERN_COI_PROBLEM_BAD_HTML,          /* HTML part that could not be read */
  TERN_COI_PROBLEM_TEXT_TOO_LONG,     /* display text cut at opts->max_text */
  TERN_COI_PROBLEM_CHAT_RULES,        /* a chat message breaking a MUST (detail says which) */
} TernCoiProblemCode;

typedef struct {
  TernCoiProblemCode code;
  char *detail; /* human readable, English, for logs */
} TernCoiProblem;

typedef struct {
  char *name;    /* display name, decoded; NULL when none */
  char *address; /* addr-spec as written (not normalised); never NULL */
} TernCoiAddress;

TernCoiAddress *tern_coi_address_new (const char *name, const char *address);
TernCoiAddress *tern_coi_address_copy (const TernCoiAddress *address);
void tern_coi_address_free (TernCoiAddress *address);

/**
 * TernCoiPart:
 *
 * One leaf part of the MIME tree in document order (index = position in
 * TernCoiInfo.parts). path is the IMAP-style section number ("1", "2.1"; a
 * single-part message is "1").
 */
typedef struct {
  guint index;
  char *path;
  char *content_type;        /* lower-case "type/subtype" */
  char *charset;             /* content-type charset parameter, as written */
  char *chat_content;        /* lower-case value of Chat-Content (NULL when none) */
  GHashTable *chat_content_params; /* lower-case name -> value; NULL when none */
  char *disposition;         /* lower-case Content-Disposition value (inline, attachment, pinned) */
  gboolean ignore;           /* Chat-Content: ignore */
  GMimeObject *object;       /* the part (owned ref); content decoded on demand */
} TernCoiPart;

/**
 * TernCoiAttachment:
 *
 * A file carried by the message. The content stays in GMime until asked for.
 */
typedef struct {
  guint part_index;        /* index into TernCoiInfo.parts */
  char *path;              /* same as the part's path */
  char *mime_type;         /* lower-case "type/subtype" */
  gint64 size;             /* Content-Disposition size=; -1 when absent/invalid */
  char *filename;          /* sanitised (tern_coi_names_sanitize_filename); never NULL */
  char *raw_filename;      /* as sent (decoded), may contain anything; NULL when none */
  gboolean is_preview;     /* Chat-Content: preview */
  int preview_index;       /* for a full part: index into attachments of its preview; -1 none */
  int full_index;          /* for a preview: index into attachments of its full part; -1 none */
  GMimeObject *object;     /* the part (owned ref) */
} TernCoiAttachment;

/* Decoded content of an attachment (transfer decoding done); NULL + error on failure. */
GBytes *tern_coi_attachment_get_bytes (const TernCoiAttachment *attachment, GError **error);

typedef struct {
  char *original_message_id; /* without <> */
  char *disposition;         /* e.g. "manual-action/MDN-sent-manually; displayed" (as sent) */
  char *disposition_type;    /* lower-case last word: displayed, deleted, dispatched, ... */
  char *final_recipient;     /* address part (after "rfc822;") */
  char *original_recipient;
  char *reporting_ua;
} TernCoiMdn;

/* An h-card (profile, contact, group participant). */
typedef struct {
  char *name;              /* p-name */
  char *nickname;          /* p-nickname */
  GPtrArray *emails;       /* char*: u-email (mailto: stripped) */
  char *photo_uri;         /* u-photo src as written (data: URI or other) */
  GBytes *photo;           /* decoded data: URI content, NULL when not a data: URI */
  char *photo_type;        /* MIME type of the data: URI */
  char *status;            /* p-status or x-coi-status */
  GPtrArray *categories;   /* char*: p-category, split at commas, trimmed */
  char *bday;              /* dt-bday as written */
  char *key;               /* u-key */
  char *hash;              /* p-hash (group storage participants) */
  char *notification;      /* p-notification as written (whitespace collapsed) */
  GPtrArray *profile_categories; /* char*: Chat-Content: profile; categories= of its part */
} TernCoiHCard;

TernCoiHCard *tern_coi_hcard_new (void);
void tern_coi_hcard_free (TernCoiHCard *card);

/* An h-group (group info part or group storage). */
typedef struct {
  char *id;                /* p-id */
  char *name;              /* p-name */
  char *description;       /* p-description */
  char *photo_uri;
  GBytes *photo;
  char *photo_type;
  char *notification;
  GPtrArray *participants; /* TernCoiHCard* */
} TernCoiHGroup;

TernCoiHGroup *tern_coi_hgroup_new (void);
void tern_coi_hgroup_free (TernCoiHGroup *group);

typedef struct {
  double latitude;
  double longitude;
  char *text;              /* the plain text of the message (fallback) */
} TernCoiLocation;

typedef struct {
  char *name;              /* shown name ("Gabe", "Full Name"); NULL for @all */
  char *address;           /* NULL for @all */
  gboolean is_all;
  gboolean is_me;          /* filled by the caller (or from opts->self_addresses) */
} TernCoiMention;

void tern_coi_mention_free (TernCoiMention *mention);

/* What Delta Chat sends in its own headers, read with the same meaning. */
typedef struct {
  char *group_id;          /* Chat-Group-ID */
  char *group_name;        /* Chat-Group-Name (RFC 2047 decoded) */
  char *member_added;      /* Chat-Group-Member-Added */
  char *member_removed;    /* Chat-Group-Member-Removed */
  char *edit_target;       /* Chat-Edit (first part of multipart/mixed, or top level); no <> */
  gboolean edit_in_first_part; /* Chat-Edit sat where Delta Chat applies it */
  char *delete_target;     /* Chat-Delete; no <> */
  char *dnt;               /* Chat-Disposition-Notification-To address */
  char *user_avatar;       /* Chat-User-Avatar as written */
} TernCoiDeltaChat;

typedef struct {
  /* Classification */
  gboolean is_chat;
  TernCoiChatCriteria criteria;
  gboolean is_classic;           /* == !is_chat */
  TernCoiKind kind;
  char *extension_name;          /* kind EXTENSION: the Chat-Content value (lower-case) */

  /* Headers */
  char *message_id;              /* without <> */
  char *in_reply_to;             /* first id of In-Reply-To, without <> */
  GStrv references;              /* ids without <>, in order; never NULL (may be empty) */
  GDateTime *date;               /* NULL when missing/invalid */
  TernCoiAddress *from;          /* first From address; NULL when none */
  guint n_from;                  /* number of From addresses */
  gboolean has_sender;           /* a Sender header is present */
  GPtrArray *to;                 /* TernCoiAddress*: To, also ';'-separated forms */
  GPtrArray *cc;                 /* TernCoiAddress* */
  GPtrArray *reply_to;           /* TernCoiAddress* */
  char *subject;                 /* decoded */
  char *chat_version;            /* "1.0" (value before any ';') */
  GHashTable *chat_version_params; /* name -> value; NULL when none */
  char *list_id;                 /* List-Id (the id inside <>, else the whole value) */
  gboolean has_autocrypt;        /* Autocrypt header present */
  char *auto_submitted;          /* Auto-Submitted value (lower-case) unless "no" */
  gboolean is_bounce;            /* DSN: multipart/report; report-type=delivery-status */
  gboolean is_encrypted;         /* multipart/encrypted (OpenPGP/Autocrypt): body not readable here */

  /* Groups */
  char *group_id;                /* from Message-ID, else first References id, else Chat-Group-ID */
  char *group_name;              /* Subject without reply prefixes; Chat-Group-Name fallback */

  /* Receipts */
  gboolean receipt_requested;    /* Disposition-Notification-To or Chat-DNT */
  char *receipt_address;

  /* Edit / delete */
  char *edit_target_id;          /* no <>: In-Reply-To of an edit, or Chat-Edit */
  char *delete_target_id;
  char *edit_text;               /* new text of an edit ("✏️" prefix stripped); "" = deleted */

  /* Content */
  char *text;                    /* display text: new text only (no quote, no signature);
                                  * "" when none; NULL only with headers_only / TOO_LARGE */
  char *quoted_text;             /* the folded quote (with its "On ... wrote:" line) */
  char *signature;               /* signature after "-- " (without the separator) */
  char *full_text;               /* the whole text as decoded, before the split */
  gboolean text_from_html;       /* the text was derived from HTML */
  char *html;                    /* the HTML of the main text part, when there is one */
  char *markdown;                /* text/markdown part, when there is one */
  GPtrArray *parts;              /* TernCoiPart*, leaves in document order */
  GPtrArray *attachments;        /* TernCoiAttachment* */

  /* Structured content */
  TernCoiMdn *mdn;               /* kind MDN */
  TernCoiHCard *profile;         /* first profile / contact h-card (an element of profiles) */
  GPtrArray *profiles;           /* TernCoiHCard*: every profile part (profile storage) */
  TernCoiHGroup *group;          /* groupinfo / groupprofile / group storage h-group */
  TernCoiLocation *location;     /* h-geo */
  gboolean pinned;
  GDateTime *pinned_until;       /* NULL when no (valid) timeout */
  GPtrArray *mentions;           /* TernCoiMention* (text and HTML forms, deduplicated) */

  /* Contact storage */
  GPtrArray *from_hashes;        /* char*: COI-From-Hash values (lower-case) */
  gboolean blocked;              /* COI-Blocked present */

  TernCoiDeltaChat dc;

  GPtrArray *problems;           /* TernCoiProblem* */
} TernCoiInfo;

TernCoiInfo *tern_coi_info_new (void);
void tern_coi_info_free (TernCoiInfo *info);

/* Helpers for tests and callers. */
gboolean tern_coi_info_has_problem (const TernCoiInfo *info, TernCoiProblemCode code);
void tern_coi_info_add_problem (TernCoiInfo *info, TernCoiProblemCode code, const char *format, ...)
  G_GNUC_PRINTF (3, 4);
/* The first part with this Chat-Content value (lower-case), or NULL. */
const TernCoiPart *tern_coi_info_find_part (const TernCoiInfo *info, const char *chat_content);
/* A one-line-per-field dump for debugging and golden tests. */
char *tern_coi_info_to_string (const TernCoiInfo *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernCoiInfo, tern_coi_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernCoiHCard, tern_coi_hcard_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernCoiHGroup, tern_coi_hgroup_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernCoiAddress, tern_coi_address_free)

G_END_DECLS
