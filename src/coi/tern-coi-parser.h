/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <gmime/gmime.h>

#include "tern-coi-info.h"

G_BEGIN_DECLS

/**
 * TernCoiParseOptions:
 *
 * Limits and choices for one parse. Zero-initialise and set what you need;
 * a zero limit means "the default" (shown in brackets).
 */
typedef struct {
  gsize max_size;          /* bytes accepted for a full parse [64 MiB]; beyond: headers only */
  guint max_depth;         /* MIME nesting depth walked [32] */
  guint max_parts;         /* leaf parts described [256] */
  gsize max_header_line;   /* longest header line kept [64 KiB]; longer ones are cut */
  gsize max_text;          /* display text length in bytes [1 MiB] */
  gboolean headers_only;   /* classify from the headers; no body, no text */
  const char *const *self_addresses; /* the user's addresses: fills TernCoiMention.is_me */
} TernCoiParseOptions;

/* Any bytes in, a description out. NULL + TERN_COI_ERROR_INVALID only for
 * unusable input (empty). Junk gives kind CLASSIC with problems. */
TernCoiInfo *tern_coi_parse_bytes (GBytes                    *bytes,
                                   const TernCoiParseOptions *opts,
                                   GError                   **error);

/* Describe an already parsed message (holds refs on its parts). */
TernCoiInfo *tern_coi_parse_message (GMimeMessage              *message,
                                     const TernCoiParseOptions *opts);

G_END_DECLS
