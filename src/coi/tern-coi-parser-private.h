/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "tern-coi-parser.h"

G_BEGIN_DECLS

/* For tests and the fuzz target: which way tern_coi_parse_bytes () reads
 * the message. AUTO is what it does (the fast path when the header block
 * allows it, else the full parse); FULL always builds GMime's whole
 * message. Both must give the same description for every input. */
typedef enum {
  TERN_COI_PARSE_AUTO,
  TERN_COI_PARSE_FULL,
} TernCoiParsePath;

/* tern_coi_parse_bytes () along @path; *took_fast (may be NULL) says
 * whether the fast path described the message. */
TernCoiInfo *tern_coi_parse_bytes_path (GBytes                    *bytes,
                                        const TernCoiParseOptions *opts,
                                        TernCoiParsePath           path,
                                        gboolean                  *took_fast,
                                        GError                   **error);

/* Every field of @info, one per line (parts and attachments with what their
 * GMime objects hold), for comparing two descriptions. */
char *tern_coi_info_dump (const TernCoiInfo *info);

G_END_DECLS
