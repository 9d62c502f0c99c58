/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * TERN_COI_HASH_HEX_LEN:
 *
 * Length of a COI-From-Hash in hex characters (SHA3-256).
 */
#define TERN_COI_HASH_HEX_LEN 64

char    *tern_coi_normalize_address (const char *address);
char    *tern_coi_address_hash (const char *address);
gboolean tern_coi_hash_is_valid (const char *hash);

G_END_DECLS
