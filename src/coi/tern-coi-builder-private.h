/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gmime/gmime.h>

#include "tern-coi-builder.h"

G_BEGIN_DECLS

/* GMime 3.2 defines no g_autoptr cleanups; the builder and its tests use these. */
#ifndef TERN_COI_GMIME_AUTOPTRS
#define TERN_COI_GMIME_AUTOPTRS
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeObject, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimePart, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMultipart, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeStream, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeParser, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeDataWrapper, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeContentDisposition, g_object_unref)
#endif

/* tern-coi-builder.c: the frame every message shares. */
typedef struct
{
  const char *group_id;        /* group form of Message-ID, Chat-Group-ID */
  gboolean    no_conversation; /* no In-Reply-To / References (new thread) */
  gboolean    no_receipt;      /* never request a receipt (reports, storage) */
  const char *in_reply_to;     /* overrides the draft's */
  const char *subject;         /* overrides the draft's */
} TernCoiBuilderFrame;

GMimeMessage *tern_coi_builder_new_message (const TernCoiDraft        *draft,
                                            const TernCoiBuilderFrame *frame,
                                            GError                   **error);
void          tern_coi_builder_set_body (GMimeMessage *message, GMimeObject *body);
gboolean      tern_coi_builder_address_is_valid (const char *address);

/* tern-coi-builder-wire.c: header values and serialisation. */
gboolean tern_coi_builder_is_ascii (const char *s);
void
tern_coi_builder_add_mailboxes (InternetAddressList *list, const TernCoiMailbox *boxes, guint n);
void  tern_coi_builder_set_address_header (GMimeMessage         *message,
                                           const char           *header,
                                           GMimeAddressType      type,
                                           const TernCoiMailbox *boxes,
                                           guint                 n);
void  tern_coi_builder_set_header (GMimeObject *object,
                                   const char  *name,
                                   const char  *value,
                                   gboolean     append);
char *tern_coi_builder_header_text (const char *text);
char *tern_coi_builder_bracket (const char *id);

/* tern-coi-builder-parts.c: MIME parts. */
GMimeContentEncoding tern_coi_builder_choose_text_encoding (const char *s, gsize len);
GMimePart *tern_coi_builder_text_part_take (const char *subtype, char *content, gboolean flowed);
GMimePart *tern_coi_builder_plain_part (const char *text);
GMimePart *tern_coi_builder_html_part_take (char *document, const char *chat_content);
char      *tern_coi_builder_text_to_html_body (const char *text);
void       tern_coi_builder_set_disposition (GMimeObject *object,
                                             const char  *disposition,
                                             const char  *filename,
                                             gint64       size);
char *tern_coi_builder_guess_mime_type (const char *filename, const guint8 *head, gsize head_len);
GMimePart *tern_coi_builder_binary_part (const char *mime_type, GMimeStream *stream);

G_END_DECLS
