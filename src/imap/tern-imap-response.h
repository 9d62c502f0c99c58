/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* ------------------------------------------------------------------------
 * Values: the generic tree every response's data is parsed into.
 * Values are owned by their TernImapResponse and live as long as it does.
 * ------------------------------------------------------------------------ */

/**
 * TernImapValueType:
 * @TERN_IMAP_VALUE_NIL: the atom NIL
 * @TERN_IMAP_VALUE_ATOM: an atom (also flags like `\Seen`, and section
 *   atoms like `BODY[HEADER.FIELDS (FROM)]<0>`, kept as one atom)
 * @TERN_IMAP_VALUE_NUMBER: an unsigned number (up to 2^64-1); its digits
 *   are also available as text
 * @TERN_IMAP_VALUE_STRING: a quoted string or a literal (`{n}`, `{n+}`,
 *   `~{n}`); may contain NUL bytes
 * @TERN_IMAP_VALUE_LIST: a parenthesised list
 */
typedef enum {
  TERN_IMAP_VALUE_NIL,
  TERN_IMAP_VALUE_ATOM,
  TERN_IMAP_VALUE_NUMBER,
  TERN_IMAP_VALUE_STRING,
  TERN_IMAP_VALUE_LIST,
} TernImapValueType;

typedef struct _TernImapValue TernImapValue;

TernImapValueType    tern_imap_value_get_value_type  (const TernImapValue *value);
gboolean             tern_imap_value_is_nil          (const TernImapValue *value);
gboolean             tern_imap_value_is_literal      (const TernImapValue *value);

/* The text of an ATOM, NUMBER or STRING (always NUL-terminated; for strings
 * with embedded NULs use @length); NULL for NIL and LIST. */
const char          *tern_imap_value_get_text        (const TernImapValue *value,
                                                      gsize               *length);
/* TRUE if @value is an ATOM/STRING/NUMBER whose text equals @text
 * (ASCII case-insensitive). */
gboolean             tern_imap_value_text_equal      (const TernImapValue *value,
                                                      const char          *text);
/* The number of a NUMBER value (0 otherwise). */
guint64              tern_imap_value_get_number      (const TernImapValue *value);
/* The bytes of a STRING/ATOM/NUMBER (literal bodies are shared, not copied);
 * NULL for NIL and LIST. Transfer full. */
GBytes              *tern_imap_value_get_bytes       (const TernImapValue *value);

/* Children of a LIST (0 / NULL for other types or out-of-range @index). */
guint                tern_imap_value_get_n_children  (const TernImapValue *value);
const TernImapValue *tern_imap_value_get_child       (const TernImapValue *value,
                                                      guint                index);

/* A debugging representation in IMAP-like syntax (literals shown as
 * {n}"..." with the content escaped, long ones truncated). */
char                *tern_imap_value_to_string       (const TernImapValue *value);

/* ------------------------------------------------------------------------
 * Responses
 * ------------------------------------------------------------------------ */

/**
 * TernImapResponseKind:
 * @TERN_IMAP_RESPONSE_TAGGED: `A1 OK ...`
 * @TERN_IMAP_RESPONSE_UNTAGGED: `* ...`
 * @TERN_IMAP_RESPONSE_CONTINUATION: `+ ...`
 */
typedef enum {
  TERN_IMAP_RESPONSE_TAGGED,
  TERN_IMAP_RESPONSE_UNTAGGED,
  TERN_IMAP_RESPONSE_CONTINUATION,
} TernImapResponseKind;

/**
 * TernImapStatus:
 * @TERN_IMAP_STATUS_NONE: a data response (`* 3 EXISTS`) or a continuation
 */
typedef enum {
  TERN_IMAP_STATUS_NONE,
  TERN_IMAP_STATUS_OK,
  TERN_IMAP_STATUS_NO,
  TERN_IMAP_STATUS_BAD,
  TERN_IMAP_STATUS_PREAUTH,
  TERN_IMAP_STATUS_BYE,
} TernImapStatus;

/**
 * TernImapCode:
 *
 * Known response codes (`[CODE args]` after a status). Anything else is
 * %TERN_IMAP_CODE_OTHER; its name is tern_imap_response_get_code_name().
 */
typedef enum {
  TERN_IMAP_CODE_NONE,
  TERN_IMAP_CODE_OTHER,
  TERN_IMAP_CODE_ALERT,
  TERN_IMAP_CODE_BADCHARSET,
  TERN_IMAP_CODE_CAPABILITY,
  TERN_IMAP_CODE_PARSE,
  TERN_IMAP_CODE_PERMANENTFLAGS,
  TERN_IMAP_CODE_READ_ONLY,
  TERN_IMAP_CODE_READ_WRITE,
  TERN_IMAP_CODE_TRYCREATE,
  TERN_IMAP_CODE_UIDNEXT,
  TERN_IMAP_CODE_UIDVALIDITY,
  TERN_IMAP_CODE_UNSEEN,
  TERN_IMAP_CODE_HIGHESTMODSEQ,
  TERN_IMAP_CODE_NOMODSEQ,
  TERN_IMAP_CODE_MODIFIED,
  TERN_IMAP_CODE_CLOSED,
  TERN_IMAP_CODE_APPENDUID,
  TERN_IMAP_CODE_COPYUID,
  TERN_IMAP_CODE_UIDNOTSTICKY,
  TERN_IMAP_CODE_AUTHENTICATIONFAILED,
  TERN_IMAP_CODE_AUTHORIZATIONFAILED,
  TERN_IMAP_CODE_UNAVAILABLE,
  TERN_IMAP_CODE_EXPIRED,
  TERN_IMAP_CODE_PRIVACYREQUIRED,
  TERN_IMAP_CODE_CONTACTADMIN,
  TERN_IMAP_CODE_NOPERM,
  TERN_IMAP_CODE_INUSE,
  TERN_IMAP_CODE_EXPUNGEISSUED,
  TERN_IMAP_CODE_CORRUPTION,
  TERN_IMAP_CODE_SERVERBUG,
  TERN_IMAP_CODE_CLIENTBUG,
  TERN_IMAP_CODE_CANNOT,
  TERN_IMAP_CODE_LIMIT,
  TERN_IMAP_CODE_OVERQUOTA,
  TERN_IMAP_CODE_ALREADYEXISTS,
  TERN_IMAP_CODE_NONEXISTENT,
  TERN_IMAP_CODE_METADATA,
  TERN_IMAP_CODE_NOTSAVED,
  TERN_IMAP_CODE_HASCHILDREN,
  TERN_IMAP_CODE_UNKNOWN_CTE,
} TernImapCode;

typedef struct _TernImapResponse TernImapResponse;

#define TERN_TYPE_IMAP_RESPONSE (tern_imap_response_get_type ())
GType                 tern_imap_response_get_type        (void) G_GNUC_CONST;
TernImapResponse     *tern_imap_response_ref             (TernImapResponse *self);
void                  tern_imap_response_unref           (TernImapResponse *self);

TernImapResponseKind  tern_imap_response_get_kind        (const TernImapResponse *self);
/* The tag of a tagged response, NULL otherwise. */
const char           *tern_imap_response_get_tag         (const TernImapResponse *self);
TernImapStatus        tern_imap_response_get_status      (const TernImapResponse *self);
/* Human-readable text after a status (and its code), or the text of a
 * continuation (`+ text`, e.g. a base64 SASL challenge); "" if none, NULL for
 * data responses. */
const char           *tern_imap_response_get_text        (const TernImapResponse *self);

TernImapCode          tern_imap_response_get_code        (const TernImapResponse *self);
/* The code name, upper-cased ("UIDVALIDITY"), or NULL without a code. */
const char           *tern_imap_response_get_code_name   (const TernImapResponse *self);
/* The code arguments as a LIST value (possibly empty), or NULL without code.
 * Tokens are parsed like data: `[PERMANENTFLAGS (\Seen \*)]` gives
 * ((\Seen \*)), `[UIDNEXT 5]` gives (5), `[COPYUID 1 1:3 7:9]` gives
 * (1 1:3 7:9). */
const TernImapValue  *tern_imap_response_get_code_args   (const TernImapResponse *self);
/* Numeric argument of UIDVALIDITY, UIDNEXT, UNSEEN, HIGHESTMODSEQ (or any
 * code whose first argument is a number): TRUE and *@number set if any. */
gboolean              tern_imap_response_get_code_number (const TernImapResponse *self,
                                                          guint64                *number);
/* CAPABILITY code arguments (upper-cased) or PERMANENTFLAGS flags (as sent);
 * NULL if the code is not the one asked. Transfer full. */
char                **tern_imap_response_dup_code_capabilities (const TernImapResponse *self);
char                **tern_imap_response_dup_code_flags        (const TernImapResponse *self);

/* For `* 23 EXISTS`, `* 5 FETCH ...`: TRUE and the number. */
gboolean              tern_imap_response_get_number      (const TernImapResponse *self,
                                                          guint64                *number);
/* Data name, upper-cased (EXISTS, EXPUNGE, RECENT, FETCH, FLAGS, LIST, LSUB,
 * NAMESPACE, METADATA, ENABLED, CAPABILITY, SEARCH, ESEARCH, STATUS,
 * VANISHED, ...), or NULL for status responses and continuations. */
const char           *tern_imap_response_get_name        (const TernImapResponse *self);
/* Convenience: TRUE if the data name equals @name (case-insensitive). */
gboolean              tern_imap_response_is_data         (const TernImapResponse *self,
                                                          const char             *name);
/* Everything after the name as a LIST value (possibly empty); NULL for
 * status responses and continuations. `* 5 FETCH (UID 7)` gives
 * ((UID 7)); `* SEARCH 1 2` gives (1 2). */
const TernImapValue  *tern_imap_response_get_data        (const TernImapResponse *self);

/* A one-line debugging representation (literals abbreviated). */
char                 *tern_imap_response_to_string       (const TernImapResponse *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernImapResponse, tern_imap_response_unref)

/* ------------------------------------------------------------------------
 * UID / sequence sets
 * ------------------------------------------------------------------------ */

typedef struct {
  guint32 first;
  guint32 last;   /* >= first; '*' is G_MAXUINT32 */
} TernImapUidRange;

typedef struct _TernImapUidSet TernImapUidSet;

/* Parses "1:5,7,9:*" (ranges may be reversed, "5:1"; they are normalised).
 * Ranges are kept in the given order, not merged. NULL + PARSE error if
 * malformed. */
TernImapUidSet   *tern_imap_uid_set_parse        (const char           *text,
                                                  GError              **error);
TernImapUidSet   *tern_imap_uid_set_new          (void);
void              tern_imap_uid_set_free         (TernImapUidSet       *set);
void              tern_imap_uid_set_add_range    (TernImapUidSet       *set,
                                                  guint32               first,
                                                  guint32               last);
guint             tern_imap_uid_set_get_n_ranges (const TernImapUidSet *set);
TernImapUidRange  tern_imap_uid_set_get_range    (const TernImapUidSet *set,
                                                  guint                 index);
gboolean          tern_imap_uid_set_contains     (const TernImapUidSet *set,
                                                  guint32               uid);
/* Number of UIDs (counting overlaps twice; '*' counts as G_MAXUINT32). */
guint64           tern_imap_uid_set_count        (const TernImapUidSet *set);
/* All UIDs in order of the ranges; NULL + LIMIT error if more than
 * @max_count. */
GArray           *tern_imap_uid_set_to_array     (const TernImapUidSet *set,
                                                  guint                 max_count,
                                                  GError              **error);
/* "1:5,7" ('*' for G_MAXUINT32). */
char             *tern_imap_uid_set_to_string    (const TernImapUidSet *set);
/* The shortest set string for an array of UIDs sorted ascending (duplicates
 * allowed): {1,2,3,5,7,8} gives "1:3,5,7:8". NULL if @n_uids is 0. */
char             *tern_imap_uid_set_format       (const guint32        *uids,
                                                  gsize                 n_uids);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernImapUidSet, tern_imap_uid_set_free)

/* Typed code decoders (FALSE if the response carries no such code or it is
 * malformed). Out sets are transfer full. */
gboolean tern_imap_response_get_appenduid (const TernImapResponse  *self,
                                           guint32                 *uidvalidity,
                                           TernImapUidSet         **uids);
gboolean tern_imap_response_get_copyuid   (const TernImapResponse  *self,
                                           guint32                 *uidvalidity,
                                           TernImapUidSet         **source_uids,
                                           TernImapUidSet         **dest_uids);

/* ------------------------------------------------------------------------
 * FETCH
 * ------------------------------------------------------------------------ */

/* One address of an envelope. Strings are as sent (names may be RFC 2047
 * encoded words; decode them in the coi layer). Group syntax: the markers
 * are folded into @group; an empty group gives one entry with only @group. */
typedef struct {
  char *name;      /* nullable */
  char *adl;       /* nullable (source route, obsolete) */
  char *mailbox;   /* nullable */
  char *host;      /* nullable */
  char *group;     /* the enclosing group's name, or NULL */
} TernImapAddress;

void tern_imap_address_free (TernImapAddress *address);
/* "mailbox@host" (or just mailbox), NULL if no mailbox. */
char *tern_imap_address_dup_email (const TernImapAddress *address);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernImapAddress, tern_imap_address_free)

typedef struct {
  char      *date;         /* raw Date: header, nullable */
  char      *subject;      /* raw (possibly encoded words), nullable */
  GPtrArray *from;         /* TernImapAddress*; never NULL (empty if NIL) */
  GPtrArray *sender;
  GPtrArray *reply_to;
  GPtrArray *to;
  GPtrArray *cc;
  GPtrArray *bcc;
  char      *in_reply_to;  /* raw, nullable */
  char      *message_id;   /* raw, nullable */
} TernImapEnvelope;

void              tern_imap_envelope_free   (TernImapEnvelope    *envelope);
/* Decodes an ENVELOPE list value. */
TernImapEnvelope *tern_imap_envelope_decode (const TernImapValue *value,
                                             GError             **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernImapEnvelope, tern_imap_envelope_free)

typedef struct _TernImapBodyPart TernImapBodyPart;

/* A BODY / BODYSTRUCTURE node. type and subtype are lower-cased;
 * parameter names are lower-cased, values as sent. Absent fields are NULL
 * (strings), 0 (numbers, see has_lines), empty arrays. */
struct _TernImapBodyPart {
  char             *type;               /* "text", "multipart", ... */
  char             *subtype;            /* "plain", "mixed", ... */
  char            **params;             /* NULL-terminated name, value, name, value, ... */
  char             *id;
  char             *description;
  char             *encoding;           /* as sent, e.g. "7BIT", "BASE64" */
  guint64           size;               /* octets */
  guint64           lines;              /* text/ and message/rfc822 only */
  gboolean          has_lines;
  char             *md5;
  char             *disposition;        /* lower-cased, e.g. "attachment" */
  char            **disposition_params; /* as params */
  char            **language;           /* NULL-terminated, or NULL */
  char             *location;
  TernImapEnvelope *envelope;           /* message/rfc822 only */
  GPtrArray        *children;           /* TernImapBodyPart*: multipart parts, or
                                         * the one body of message/rfc822 */
  char             *part_id;            /* section number: "1", "1.2"; "" for a multipart
                                         * root, "1" for a single-part root; the body of a
                                         * message/rfc822 part X is X when multipart (its
                                         * parts are X.1, X.2), else X.1 */
};

void              tern_imap_body_part_free      (TernImapBodyPart       *part);
TernImapBodyPart *tern_imap_body_part_decode    (const TernImapValue    *value,
                                                 GError                **error);
/* Parameter lookup (case-insensitive), NULL if absent. */
const char       *tern_imap_body_part_get_param (const TernImapBodyPart *part,
                                                 const char             *name);
const char       *tern_imap_body_part_get_disposition_param (const TernImapBodyPart *part,
                                                             const char             *name);
/* Finds a part by its section number ("1.2"); NULL if none. */
TernImapBodyPart *tern_imap_body_part_find      (TernImapBodyPart       *part,
                                                 const char             *part_id);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernImapBodyPart, tern_imap_body_part_free)

/* A body section of a FETCH: BODY[section]<origin> or BINARY[section]. */
typedef struct {
  char   *section;   /* as sent between the brackets: "", "1.2",
                      * "HEADER.FIELDS (FROM)"; RFC822 gives "", RFC822.HEADER
                      * "HEADER", RFC822.TEXT "TEXT" */
  gboolean binary;   /* BINARY[...] rather than BODY[...] */
  gint64  origin;    /* <origin>, or -1 */
  GBytes *data;      /* NULL for NIL */
} TernImapBodySection;

void tern_imap_body_section_free (TernImapBodySection *section);

typedef enum {
  TERN_IMAP_FETCH_UID           = 1 << 0,
  TERN_IMAP_FETCH_FLAGS         = 1 << 1,
  TERN_IMAP_FETCH_INTERNALDATE  = 1 << 2,
  TERN_IMAP_FETCH_RFC822_SIZE   = 1 << 3,
  TERN_IMAP_FETCH_MODSEQ        = 1 << 4,
  TERN_IMAP_FETCH_ENVELOPE      = 1 << 5,
  TERN_IMAP_FETCH_BODYSTRUCTURE = 1 << 6, /* BODY or BODYSTRUCTURE */
  TERN_IMAP_FETCH_SECTIONS      = 1 << 7,
} TernImapFetchItems;

typedef struct {
  guint32             seq;
  TernImapFetchItems  present;        /* which items the response carried */
  guint32             uid;            /* 0 if absent */
  char              **flags;          /* NULL if absent */
  GDateTime          *internaldate;   /* NULL if absent or unparsable */
  guint64             rfc822_size;
  guint64             modseq;         /* 0 if absent */
  TernImapEnvelope   *envelope;       /* NULL if absent */
  TernImapBodyPart   *body;           /* BODY or BODYSTRUCTURE, NULL if absent */
  gboolean            body_extended;  /* came as BODYSTRUCTURE */
  GPtrArray          *sections;       /* TernImapBodySection*, never NULL */
} TernImapFetch;

void           tern_imap_fetch_free        (TernImapFetch          *fetch);
/* Decodes a `* n FETCH (...)` response. Unknown items are ignored. */
TernImapFetch *tern_imap_fetch_decode      (const TernImapResponse *response,
                                            GError                **error);
/* The first section whose spec equals @section (case-insensitive), or NULL. */
TernImapBodySection *tern_imap_fetch_get_section (const TernImapFetch *fetch,
                                                  const char          *section);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernImapFetch, tern_imap_fetch_free)

/* Parses an IMAP date-time ("17-Jul-1996 02:44:25 -0700"); NULL if invalid. */
GDateTime *tern_imap_parse_date_time (const char *text);

/* ------------------------------------------------------------------------
 * LIST / LSUB
 * ------------------------------------------------------------------------ */

typedef enum {
  TERN_IMAP_MAILBOX_NOSELECT        = 1 << 0,
  TERN_IMAP_MAILBOX_NOINFERIORS     = 1 << 1,
  TERN_IMAP_MAILBOX_MARKED          = 1 << 2,
  TERN_IMAP_MAILBOX_UNMARKED        = 1 << 3,
  TERN_IMAP_MAILBOX_HAS_CHILDREN    = 1 << 4,
  TERN_IMAP_MAILBOX_HAS_NO_CHILDREN = 1 << 5,
  TERN_IMAP_MAILBOX_NONEXISTENT     = 1 << 6,
  TERN_IMAP_MAILBOX_SUBSCRIBED      = 1 << 7,
  TERN_IMAP_MAILBOX_REMOTE          = 1 << 8,
  TERN_IMAP_MAILBOX_ALL             = 1 << 9,
  TERN_IMAP_MAILBOX_ARCHIVE         = 1 << 10,
  TERN_IMAP_MAILBOX_DRAFTS          = 1 << 11,
  TERN_IMAP_MAILBOX_FLAGGED         = 1 << 12,
  TERN_IMAP_MAILBOX_JUNK            = 1 << 13,
  TERN_IMAP_MAILBOX_SENT            = 1 << 14,
  TERN_IMAP_MAILBOX_TRASH           = 1 << 15,
  TERN_IMAP_MAILBOX_IMPORTANT       = 1 << 16,
} TernImapMailboxFlags;

typedef struct {
  TernImapMailboxFlags   flags;       /* known flags */
  char                 **flag_names;  /* all flags as sent */
  char                   delimiter;   /* '\0' for NIL */
  char                  *name;        /* UTF-8 (decoded from modified UTF-7
                                       * unless utf8_accept) */
  char                  *raw_name;    /* as sent (to use in commands) */
  gboolean               lsub;        /* came as LSUB */
} TernImapMailbox;

void             tern_imap_mailbox_free   (TernImapMailbox        *mailbox);
/* Decodes `* LIST (flags) "/" name` or LSUB. With @utf8_accept the name is
 * taken as UTF-8 (UTF8=ACCEPT enabled); otherwise modified UTF-7 is decoded
 * (an invalid encoding keeps the raw name, made valid UTF-8). INBOX is never
 * decoded. Extended data (CHILDINFO, OLDNAME) is tolerated and ignored. */
TernImapMailbox *tern_imap_mailbox_decode (const TernImapResponse *response,
                                           gboolean                utf8_accept,
                                           GError                **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernImapMailbox, tern_imap_mailbox_free)

/* ------------------------------------------------------------------------
 * NAMESPACE
 * ------------------------------------------------------------------------ */

typedef struct {
  char *prefix;     /* as sent (modified UTF-7) */
  char  delimiter;  /* '\0' for NIL */
} TernImapNamespaceEntry;

typedef struct {
  GPtrArray *personal;  /* TernImapNamespaceEntry*, never NULL */
  GPtrArray *other;
  GPtrArray *shared;
} TernImapNamespace;

void               tern_imap_namespace_free   (TernImapNamespace      *ns);
TernImapNamespace *tern_imap_namespace_decode (const TernImapResponse *response,
                                               GError                **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernImapNamespace, tern_imap_namespace_free)

/* ------------------------------------------------------------------------
 * METADATA (RFC 5464)
 * ------------------------------------------------------------------------ */

typedef struct {
  char   *name;   /* "/private/comment" */
  GBytes *value;  /* NULL for NIL or in the unsolicited form */
} TernImapMetadataEntry;

typedef struct {
  char      *mailbox;      /* as sent; "" for server metadata */
  GPtrArray *entries;      /* TernImapMetadataEntry*, never NULL */
  gboolean   unsolicited;  /* only entry names (change notification) */
} TernImapMetadata;

void              tern_imap_metadata_free   (TernImapMetadata       *metadata);
TernImapMetadata *tern_imap_metadata_decode (const TernImapResponse *response,
                                             GError                **error);
/* The value of @entry, NULL if absent or NIL. Not a new reference. */
GBytes           *tern_imap_metadata_lookup (const TernImapMetadata *metadata,
                                             const char             *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernImapMetadata, tern_imap_metadata_free)

/* ------------------------------------------------------------------------
 * CAPABILITY, ENABLED, FLAGS, SEARCH, ESEARCH, STATUS, VANISHED
 * ------------------------------------------------------------------------ */

/* `* CAPABILITY ...`, `* ENABLED ...`, or a CAPABILITY code on a status
 * response: upper-cased names. NULL + PARSE error otherwise. */
char  **tern_imap_capabilities_decode (const TernImapResponse *response,
                                       GError                **error);
/* `* FLAGS (\Answered ...)`: flags as sent. */
char  **tern_imap_flags_decode        (const TernImapResponse *response,
                                       GError                **error);
/* `* SEARCH 1 2 3 [(MODSEQ n)]`: a GArray of guint32 (possibly empty);
 * @modseq (nullable) gets the MODSEQ or 0. */
GArray *tern_imap_search_decode       (const TernImapResponse *response,
                                       guint64                *modseq,
                                       GError                **error);

typedef struct {
  char           *tag;     /* correlator, nullable */
  gboolean        uid;
  gboolean        has_min, has_max, has_count;
  guint32         min;
  guint32         max;
  guint32         count;
  TernImapUidSet *all;     /* nullable */
  guint64         modseq;  /* 0 if absent */
} TernImapEsearch;

void             tern_imap_esearch_free   (TernImapEsearch        *esearch);
TernImapEsearch *tern_imap_esearch_decode (const TernImapResponse *response,
                                           GError                **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernImapEsearch, tern_imap_esearch_free)

typedef enum {
  TERN_IMAP_STATUS_ITEM_MESSAGES      = 1 << 0,
  TERN_IMAP_STATUS_ITEM_RECENT        = 1 << 1,
  TERN_IMAP_STATUS_ITEM_UIDNEXT       = 1 << 2,
  TERN_IMAP_STATUS_ITEM_UIDVALIDITY   = 1 << 3,
  TERN_IMAP_STATUS_ITEM_UNSEEN        = 1 << 4,
  TERN_IMAP_STATUS_ITEM_HIGHESTMODSEQ = 1 << 5,
  TERN_IMAP_STATUS_ITEM_SIZE          = 1 << 6,
  TERN_IMAP_STATUS_ITEM_DELETED       = 1 << 7,
} TernImapStatusItems;

typedef struct {
  char                *mailbox;  /* UTF-8 (decoded like LIST names) */
  char                *raw_mailbox;
  TernImapStatusItems  present;
  guint32              messages;
  guint32              recent;
  guint32              uidnext;
  guint32              uidvalidity;
  guint32              unseen;
  guint32              deleted;
  guint64              highestmodseq;
  guint64              size;
} TernImapMailboxStatus;

void                   tern_imap_mailbox_status_free   (TernImapMailboxStatus  *status);
TernImapMailboxStatus *tern_imap_mailbox_status_decode (const TernImapResponse *response,
                                                        gboolean                utf8_accept,
                                                        GError                **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernImapMailboxStatus, tern_imap_mailbox_status_free)

typedef struct {
  gboolean        earlier;
  TernImapUidSet *uids;
} TernImapVanished;

void              tern_imap_vanished_free   (TernImapVanished       *vanished);
TernImapVanished *tern_imap_vanished_decode (const TernImapResponse *response,
                                             GError                **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernImapVanished, tern_imap_vanished_free)

/* ------------------------------------------------------------------------
 * Quoting for commands
 * ------------------------------------------------------------------------ */

/**
 * TernImapQuoting:
 * @TERN_IMAP_QUOTING_ATOM: appended as an atom
 * @TERN_IMAP_QUOTING_QUOTED: appended as a quoted string (with `\"`, `\\`)
 * @TERN_IMAP_QUOTING_LITERAL: cannot be quoted (CR, LF, NUL, or 8-bit bytes
 *   without @allow_8bit): nothing was appended, send a literal
 */
typedef enum {
  TERN_IMAP_QUOTING_ATOM,
  TERN_IMAP_QUOTING_QUOTED,
  TERN_IMAP_QUOTING_LITERAL,
} TernImapQuoting;

/* Appends @str (@length bytes, -1 for NUL-terminated) to @out as an astring
 * when possible. 8-bit bytes are allowed in quoted strings when
 * @allow_8bit (UTF8=ACCEPT). An empty string gives `""`. */
TernImapQuoting tern_imap_quote_astring (GString    *out,
                                         const char *str,
                                         gssize      length,
                                         gboolean    allow_8bit);

G_END_DECLS
