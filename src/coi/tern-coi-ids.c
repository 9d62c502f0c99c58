/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-coi"

#include "tern-coi-ids.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

/*
 * Message-IDs: <chat$UNIQUE@domain>, in groups <chat$group.GROUPID.UNIQUE@domain>.
 * UNIQUE is 128 bits from the kernel's CSPRNG written as 26 base32
 * characters (lower case, no padding). Group ids are 96 bits written as 16
 * characters of base64url, i.e. [0-9A-Za-z_-], case-sensitive.
 */

static const char base64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char base32[] = "abcdefghijklmnopqrstuvwxyz234567";

static void
fill_random (guint8 *buf, gsize len)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = getrandom (buf + done, len - done, 0);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          /* No getrandom (old kernel): GLib's generator, seeded from /dev/urandom. */
          for (; done < len; done++)
            buf[done] = (guint8)g_random_int_range (0, 256);
          return;
        }
      done += n;
    }
}

/**
 * tern_coi_ids_new_group_id:
 *
 * Returns: (transfer full): a new random group id of
 *   %TERN_COI_GROUP_ID_LEN characters of `[0-9A-Za-z_-]`.
 */
char *
tern_coi_ids_new_group_id (void)
{
  guint8 raw[12];
  char  *out = g_malloc (TERN_COI_GROUP_ID_LEN + 1);

  fill_random (raw, sizeof raw);
  for (guint i = 0; i < 4; i++)
    {
      guint32 v = (raw[3 * i] << 16) | (raw[3 * i + 1] << 8) | raw[3 * i + 2];

      out[4 * i] = base64url[(v >> 18) & 63];
      out[4 * i + 1] = base64url[(v >> 12) & 63];
      out[4 * i + 2] = base64url[(v >> 6) & 63];
      out[4 * i + 3] = base64url[v & 63];
    }
  out[TERN_COI_GROUP_ID_LEN] = '\0';
  return out;
}

/**
 * tern_coi_ids_group_id_is_valid:
 * @group_id: (nullable): a string
 *
 * Returns: whether @group_id is a valid COI group id (12 or more
 *   characters of `[0-9A-Za-z_-]`).
 */
gboolean
tern_coi_ids_group_id_is_valid (const char *group_id)
{
  gsize n = 0;

  if (group_id == NULL)
    return FALSE;
  for (const char *p = group_id; *p; p++, n++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return n >= 12;
}

/**
 * tern_coi_ids_new_message_id:
 * @domain: the sender's domain (the part after '@' of From)
 * @group_id: (nullable): the group id for a group message
 *
 * Returns: (transfer full): a new Message-ID without the angle brackets:
 *   `chat$UNIQUE@domain` or `chat$group.GROUPID.UNIQUE@domain`.
 */
char *
tern_coi_ids_new_message_id (const char *domain, const char *group_id)
{
  guint8 raw[20]; /* 160 bits read, 128 used: 26 x 5 = 130 bits */
  char   unique[27];
  guint  bit = 0;

  g_return_val_if_fail (domain != NULL && *domain != '\0', NULL);
  g_return_val_if_fail (group_id == NULL || tern_coi_ids_group_id_is_valid (group_id), NULL);

  fill_random (raw, sizeof raw);
  for (guint i = 0; i < 26; i++, bit += 5)
    {
      guint byte = bit / 8;
      guint shift = bit % 8;
      guint v = ((raw[byte] << 8) | raw[byte + 1]) >> (11 - shift);

      unique[i] = base32[v & 31];
    }
  unique[26] = '\0';

  if (group_id != NULL)
    return g_strdup_printf ("chat$group.%s.%s@%s", group_id, unique, domain);
  return g_strdup_printf ("chat$%s@%s", unique, domain);
}

/**
 * tern_coi_ids_domain_of:
 * @address: an addr-spec
 *
 * Returns: (transfer full) (nullable): the lower-cased domain of @address,
 *   %NULL when it has none.
 */
char *
tern_coi_ids_domain_of (const char *address)
{
  const char *at;

  if (address == NULL)
    return NULL;
  at = strrchr (address, '@');
  if (at == NULL || at[1] == '\0')
    return NULL;
  return g_ascii_strdown (at + 1, -1);
}
