/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-coi"

#include "tern-coi-hash.h"

#include <nettle/sha3.h>
#include <string.h>

/*
 * COI-From-Hash: the lower-case hex SHA3-256 of the normalised address.
 * Normalised means (client spec, "Contact Storage Message Headers"):
 * quotes removed, UTF-8, lower-cased. We also drop surrounding white
 * space and angle brackets, which are never part of an address.
 */

/**
 * tern_coi_normalize_address:
 * @address: an e-mail address, possibly `<...>` or with quotes
 *
 * Returns: (transfer full) (nullable): the normalised address, or %NULL if
 *   @address is not valid UTF-8 or is empty once normalised.
 */
char *
tern_coi_normalize_address (const char *address)
{
  g_autoptr (GString) out = NULL;
  const char *start;
  const char *end;

  if (address == NULL || !g_utf8_validate (address, -1, NULL))
    return NULL;

  start = address;
  end = address + strlen (address);
  while (start < end && g_ascii_isspace (*start))
    start++;
  while (end > start && g_ascii_isspace (end[-1]))
    end--;
  if (end - start >= 2 && *start == '<' && end[-1] == '>')
    {
      start++;
      end--;
    }

  out = g_string_sized_new (end - start);
  for (const char *p = start; p < end; p++)
    if (*p != '"')
      g_string_append_c (out, *p);

  if (out->len == 0)
    return NULL;

  return g_utf8_strdown (out->str, out->len);
}

/**
 * tern_coi_address_hash:
 * @address: an e-mail address
 *
 * Returns: (transfer full) (nullable): 64 lower-case hex characters, or
 *   %NULL if the address cannot be normalised.
 */
char *
tern_coi_address_hash (const char *address)
{
  static const char   hex[] = "0123456789abcdef";
  g_autofree char    *norm = tern_coi_normalize_address (address);
  struct sha3_256_ctx ctx;
  guint8              digest[SHA3_256_DIGEST_SIZE];
  char               *out;

  if (norm == NULL)
    return NULL;

  sha3_256_init (&ctx);
  sha3_256_update (&ctx, strlen (norm), (const guint8 *)norm);
  sha3_256_digest (&ctx, sizeof digest, digest);

  out = g_malloc (TERN_COI_HASH_HEX_LEN + 1);
  for (gsize i = 0; i < sizeof digest; i++)
    {
      out[2 * i] = hex[digest[i] >> 4];
      out[2 * i + 1] = hex[digest[i] & 0xf];
    }
  out[TERN_COI_HASH_HEX_LEN] = '\0';
  return out;
}

/**
 * tern_coi_hash_is_valid:
 * @hash: (nullable): a string
 *
 * Returns: whether @hash looks like a COI-From-Hash (64 hex digits, any case).
 */
gboolean
tern_coi_hash_is_valid (const char *hash)
{
  gsize i;

  if (hash == NULL)
    return FALSE;
  for (i = 0; hash[i] != '\0'; i++)
    if (!g_ascii_isxdigit (hash[i]) || i >= TERN_COI_HASH_HEX_LEN)
      return FALSE;
  return i == TERN_COI_HASH_HEX_LEN;
}
