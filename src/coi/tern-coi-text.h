/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gmime/gmime.h>
#include <libxml/HTMLparser.h>

G_BEGIN_DECLS

typedef enum {
  TERN_COI_TEXT_OK = 0,
  TERN_COI_TEXT_BAD_CHARSET = 1 << 0,  /* unknown charset or invalid bytes: converted lossily */
  TERN_COI_TEXT_BAD_ENCODING = 1 << 1, /* invalid base64 / quoted-printable */
  TERN_COI_TEXT_TRUNCATED = 1 << 2,    /* cut at the size limit */
} TernCoiTextFlags;

/* The content of a text part as valid UTF-8: transfer decoding, charset
 * conversion (a missing charset is UTF-8 when valid, else windows-1252 /
 * ISO-8859-1), at most @max_bytes kept (0 = unlimited). Never NULL. With
 * @decode_flowed, format=flowed (and DelSp) is undone. */
char *tern_coi_text_part_get_text (GMimePart        *part,
                                   gsize             max_bytes,
                                   gboolean          decode_flowed,
                                   TernCoiTextFlags *flags);

/* RFC 3676 format=flowed decoding (soft breaks joined, space-stuffing and
 * DelSp removed, quote marks kept as "> " prefixes): the same result as the
 * builder's tern_coi_flowed_decode (), in one pass. Never NULL. */
char *tern_coi_text_flowed_decode (const char *text, gsize len, gboolean delsp);

/* Convert @len bytes in @charset to UTF-8, lossily if needed. Never NULL. */
char *tern_coi_text_to_utf8 (const char       *data,
                             gsize             len,
                             const char       *charset,
                             TernCoiTextFlags *flags);

/* Plain text of an HTML document (no rendering): blocks and <br> become line
 * breaks, lists get "- ", <blockquote> lines get "> ", hidden elements
 * (display:none, hidden), <head>, <script>, <style> are dropped. Never NULL. */
char *tern_coi_text_from_html (htmlDocPtr doc);

/* Separate new text from quoted blocks ("> ..." lines with their "On ...
 * wrote:" header, "-----Original Message-----" and Outlook header blocks to
 * the end) and from a signature (after a "-- " line). Each out parameter gets
 * a string or NULL when there is nothing of that kind. */
void tern_coi_text_split (const char *text,
                          char      **new_text,
                          char      **quoted,
                          char      **signature);

G_END_DECLS
