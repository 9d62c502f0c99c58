/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Modified UTF-7 for mailbox names (RFC 3501 section 5.1.3). */

/* Decodes @text (NUL-terminated) to UTF-8. Invalid input (bad base64,
 * unterminated shift, non-canonical encoding, unpaired surrogates, 8-bit
 * bytes) gives NULL + TERN_IMAP_ERROR_PARSE. */
char *tern_imap_utf7_decode (const char  *text,
                             GError     **error);

/* Encodes UTF-8 @text to modified UTF-7. NULL + TERN_IMAP_ERROR_PARSE if
 * @text is not valid UTF-8. */
char *tern_imap_utf7_encode (const char  *text,
                             GError     **error);

G_END_DECLS
