/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <gmime/gmime.h>

G_BEGIN_DECLS

/*
 * Intentions in, GMimeMessages out.
 *
 * Every struct here is a plain description owned by the caller: zero it,
 * set what applies, pass it in. The builder borrows the pointers for the
 * duration of the call only (the message it returns holds its own copies
 * of strings and references on GBytes, which are never copied; a file
 * attachment is opened by the builder, its descriptor held by the message,
 * and streamed from disk each time the message is written).
 *
 * Every built message follows the header rules of the COI client spec
 * (one From, Date, Message-ID `<chat$...@domain>` or
 * `<chat$group.GROUPID....@domain>`, MIME-Version 1.0, Chat-Version 1.0,
 * no Sender, References with at most the first and the last message,
 * In-Reply-To when replying, Disposition-Notification-To = From when a
 * receipt is requested) and carries the Delta Chat headers alongside where
 * they harm no classic client (Chat-Disposition-Notification-To,
 * Chat-Group-ID, Chat-Group-Name, Chat-Edit, Chat-Delete).
 */

typedef struct
{
  const char *name;    /* display name, UTF-8; NULL for none */
  const char *address; /* addr-spec */
} TernCoiMailbox;

/* An h-card: a profile, a contact or a group participant. */
typedef struct
{
  const char        *name;
  const char        *nickname;
  const char *const *emails;             /* NULL-terminated; the first is the primary */
  GBytes            *photo;              /* avatar, written as a data: URI */
  const char        *photo_type;         /* MIME type of photo [image/png] */
  const char        *status;             /* p-status */
  const char        *categories;         /* p-category: comma separated (friend, work, ...) */
  const char        *bday;               /* dt-bday as written (1998-12-24, --12-24) */
  const char        *key;                /* u-key (public key, base64) */
  const char        *notification;       /* p-notification (enabled=true;types=...) */
  const char        *profile_categories; /* profile storage: Chat-Content categories= */
} TernCoiCard;

/* An h-group. */
typedef struct
{
  const char        *id;   /* group id; NULL = generate (builders that create) */
  const char        *name; /* group name = Subject */
  const char        *description;
  GBytes            *photo;
  const char        *photo_type;
  const char        *notification;
  const TernCoiCard *members; /* participants as h-cards */
  guint              n_members;
} TernCoiGroup;

/* A file to send. Exactly one of path / bytes. */
typedef struct
{
  const char *path; /* streamed from disk when the message is written */
  GBytes     *bytes;
  const char *filename;          /* shown name [basename of path, "file"] */
  const char *mime_type;         /* [guessed: g_content_type_guess] */
  GBytes     *preview;           /* optional downscaled image (Chat-Content: preview) */
  const char *preview_mime_type; /* [guessed from the preview bytes, else image/jpeg] */
} TernCoiAttachmentDraft;

/**
 * TernCoiDraft:
 *
 * What the user wants to send. Fields that do not apply to a builder are
 * ignored by it.
 */
typedef struct
{
  TernCoiMailbox        from;
  const TernCoiMailbox *to;
  guint                 n_to;
  const TernCoiMailbox *cc;
  guint                 n_cc;
  const char           *subject;    /* ignored in groups (Subject = group name) */
  GDateTime            *date;       /* [now] */
  const char           *message_id; /* [generated]; without <> */

  /* Conversation: ids without <>. */
  const char *in_reply_to;      /* the message replied to */
  const char *references_first; /* first message of the conversation */
  const char *references_last;  /* [in_reply_to] */

  gboolean request_receipt;

  /* Content. */
  const char *text;        /* the message text, UTF-8, LF; mentions
                              in the text form (tern_coi_mention_text) */
  const char *html;        /* formatted: an HTML fragment for <body> */
  const char *markdown;    /* formatted: text/markdown alternative */
  const char *ignore_html; /* optional part for classic clients only,
                              marked Chat-Content: ignore */
  const TernCoiAttachmentDraft *attachments;
  guint                         n_attachments;

  /* Group (NULL: 1:1 chat). */
  const TernCoiGroup *group;
  gboolean            group_info; /* add a Chat-Content: groupinfo part */

  /* Sender profile to attach (Chat-Content: profile), NULL: none. */
  const TernCoiCard *profile;

  gboolean   pinned;
  GDateTime *pinned_until; /* NULL: no timeout */
} TernCoiDraft;

GMimeMessage *tern_coi_build_text (const TernCoiDraft *draft, GError **error);
GMimeMessage *tern_coi_build_attachments (const TernCoiDraft *draft, GError **error);
GMimeMessage *tern_coi_build_edit (const TernCoiDraft *draft,
                                   const char         *target_id,
                                   const char         *new_text,
                                   GError            **error);
GMimeMessage *
tern_coi_build_delete (const TernCoiDraft *draft, const char *target_id, GError **error);
GMimeMessage *tern_coi_build_read_receipt (const TernCoiDraft *draft,
                                           const char         *original_message_id,
                                           const char         *reporting_ua,
                                           GError            **error);
GMimeMessage *tern_coi_build_group_left (const TernCoiDraft *draft, GError **error);
GMimeMessage *tern_coi_build_group_info_request (const TernCoiDraft *draft, GError **error);
GMimeMessage *tern_coi_build_profile_request (const TernCoiDraft *draft, GError **error);
GMimeMessage *
tern_coi_convert_to_group (const TernCoiDraft *draft, char **new_group_id, GError **error);
GMimeMessage *tern_coi_build_location (const TernCoiDraft *draft,
                                       double              latitude,
                                       double              longitude,
                                       GError            **error);
GMimeMessage *tern_coi_build_extension (const TernCoiDraft *draft,
                                        const char         *name,
                                        const char         *content_type,
                                        GBytes             *data,
                                        GError            **error);
GMimeMessage *tern_coi_build_contact_storage (const TernCoiMailbox *owner,
                                              const TernCoiCard    *contact,
                                              gboolean              blocked,
                                              GDateTime            *date,
                                              GError              **error);
GMimeMessage *tern_coi_build_profile_storage (const TernCoiMailbox *owner,
                                              const TernCoiCard    *profiles,
                                              guint                 n_profiles,
                                              GDateTime            *date,
                                              GError              **error);
GMimeMessage *tern_coi_build_group_storage (const TernCoiMailbox *owner,
                                            const TernCoiGroup   *group,
                                            GDateTime            *date,
                                            GError              **error);

char *tern_coi_mention_text (const char *name, const char *address);

GBytes  *tern_coi_message_to_bytes (GMimeMessage *message);
gboolean tern_coi_message_write (GMimeMessage *message, GMimeStream *stream, GError **error);

G_END_DECLS
