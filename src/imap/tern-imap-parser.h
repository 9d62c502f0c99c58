/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "tern-imap-response.h"

G_BEGIN_DECLS

/**
 * TernImapParserLimits:
 * @max_line: longest line, excluding literal bodies (default 1 MiB)
 * @max_literal: largest literal (default 64 MiB)
 * @max_depth: deepest list nesting (default 64; at most 1024)
 * @max_response: largest response, lines and literals together
 *   (default 128 MiB)
 * @max_elements: most values (atoms, strings, lists, ...) in one response
 *   (default 1,000,000)
 *
 * Bounds so a hostile server cannot exhaust memory. A zero field means the
 * default, so `{ .max_literal = 4096 }` only changes one. Exceeding any limit
 * fails with TERN_IMAP_ERROR_LIMIT.
 */
typedef struct {
  gsize max_line;
  gsize max_literal;
  guint max_depth;
  gsize max_response;
  gsize max_elements;
} TernImapParserLimits;

#define TERN_IMAP_PARSER_DEFAULT_MAX_LINE     ((gsize) 1 << 20)
#define TERN_IMAP_PARSER_DEFAULT_MAX_LITERAL  ((gsize) 64 << 20)
#define TERN_IMAP_PARSER_DEFAULT_MAX_DEPTH    64
#define TERN_IMAP_PARSER_DEFAULT_MAX_RESPONSE ((gsize) 128 << 20)
#define TERN_IMAP_PARSER_DEFAULT_MAX_ELEMENTS ((gsize) 1000000)

/**
 * TernImapParser:
 *
 * A push parser for the server side of an IMAP connection. Feed it bytes as
 * they arrive, split anywhere (inside a literal, between CR and LF, one byte
 * at a time); pop complete responses in order.
 *
 * Lines end with CRLF; a bare LF is tolerated as a line end (a CR before it
 * is dropped). A lone CR inside a quoted string or human text is kept as
 * data; between tokens it is a parse error. Literal bodies (`{n}`, `{n+}`,
 * `~{n}`) are copied once, straight from the fed bytes into the GBytes the
 * response hands out (NUL-terminated after their size, so their text can be
 * read as a C string too).
 *
 * A status response or continuation (`tag OK|NO|BAD ...`, `* OK|NO|BAD|BYE|
 * PREAUTH ...`, `+ ...`) is always one line: a `{5}` ending its human text
 * is text, not a literal. 8-bit bytes are accepted anywhere outside the
 * tag (UTF-8 in quoted strings, atoms and text).
 *
 * After an error the parser is poisoned: every later feed fails with the
 * same error. Responses completed before the error can still be popped.
 * Not thread-safe; use from one thread.
 */
typedef struct _TernImapParser TernImapParser;

TernImapParser   *tern_imap_parser_new            (const TernImapParserLimits *limits);
void              tern_imap_parser_free           (TernImapParser             *parser);
/* Consumes all @len bytes. FALSE (TERN_IMAP_ERROR_PARSE / _LIMIT) if the
 * stream is malformed or too large. */
gboolean          tern_imap_parser_feed           (TernImapParser             *parser,
                                                   const guint8               *data,
                                                   gsize                       len,
                                                   GError                    **error);
/* The next complete response (transfer full), or NULL if none is ready. */
TernImapResponse *tern_imap_parser_pop            (TernImapParser             *parser);
/* Number of complete responses waiting to be popped. */
guint             tern_imap_parser_get_n_pending  (const TernImapParser       *parser);
/* TRUE if bytes of an incomplete response are buffered. */
gboolean          tern_imap_parser_is_mid_response (const TernImapParser      *parser);
/* The parsed limits in effect (defaults filled in). */
void              tern_imap_parser_get_limits     (const TernImapParser       *parser,
                                                   TernImapParserLimits       *limits);

/* Parses exactly one complete response in @data (with its final line end;
 * convenient for tests and tools). */
TernImapResponse *tern_imap_response_parse        (const char                 *data,
                                                   gsize                       len,
                                                   GError                    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TernImapParser, tern_imap_parser_free)

G_END_DECLS
