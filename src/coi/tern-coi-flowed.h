/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * TERN_COI_FLOWED_WIDTH:
 *
 * The longest line tern_coi_flowed_encode() writes by default, in
 * characters, quote marks and the soft-break space included (RFC 3676
 * section 4.2 says at most 78).
 */
#define TERN_COI_FLOWED_WIDTH 78

/**
 * TernCoiFlowedLine:
 * @quote_depth: how many `>` quote marks the line had
 * @text: the logical line: soft-broken lines joined, quote marks and
 *   space-stuffing removed, UTF-8 (as valid as the input), no line ending
 * @is_signature_separator: the line was exactly `-- ` (never flowed)
 *
 * One logical (unwrapped) line of a format=flowed body.
 */
typedef struct
{
  guint    quote_depth;
  char    *text;
  gboolean is_signature_separator;
} TernCoiFlowedLine;

void tern_coi_flowed_line_free (TernCoiFlowedLine *line);

char *tern_coi_flowed_encode (const char *text, gssize len, guint width);

GPtrArray *tern_coi_flowed_decode_lines (const char *text, gssize len, gboolean delsp);

char *tern_coi_flowed_decode (const char *text, gssize len, gboolean delsp);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernCoiFlowedLine, tern_coi_flowed_line_free)

G_END_DECLS
