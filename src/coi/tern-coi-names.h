/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * TERN_COI_FILENAME_MAX:
 *
 * The longest sanitised file name, in bytes (UTF-8, cut at a character).
 */
#define TERN_COI_FILENAME_MAX 200

/* Subject without reply/forward prefixes (Re:, RE:, AW:, SV:, Fwd:, WG:, Re[2]:,
 * "Chat:", ...), repeated and in any case; trimmed. Never NULL. */
char *tern_coi_names_strip_subject (const char *subject);

/* A file name safe to create in a folder: no path separators, no control or
 * bidi-override characters, no leading dots or spaces, no trailing dots or
 * spaces, valid UTF-8, at most TERN_COI_FILENAME_MAX bytes (the extension kept),
 * not a reserved device name. Never NULL nor empty: @fallback (or "file"). */
char *tern_coi_names_sanitize_filename (const char *name, const char *fallback);

/* The group id of a COI Message-ID (without <>) of the form
 * chat$group.GROUPID.UNIQUE@domain, or NULL. Group ids are [0-9A-Za-z_-]+;
 * shorter than 12 characters are accepted when reading. */
char *tern_coi_names_group_id_from_message_id (const char *message_id);

/* TRUE when the id (without <>) starts with "chat$". */
gboolean tern_coi_names_is_chat_id (const char *message_id);

G_END_DECLS
