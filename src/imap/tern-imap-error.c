/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-imap"

#include "tern-imap-error.h"
#include "tern-net-connection.h"
#include "tern-net-error.h"

G_DEFINE_QUARK (tern-imap-error-quark, tern_imap_error)

gboolean
tern_imap_error_is_transient (const GError *error)
{
  if (error == NULL)
    return FALSE;
  if (error->domain == TERN_IMAP_ERROR)
    return error->code == TERN_IMAP_ERROR_TRANSIENT || error->code == TERN_IMAP_ERROR_TIMEOUT;
  if (g_error_matches (error, TERN_NET_ERROR, TERN_NET_ERROR_TIMEOUT))
    return TRUE;
  return tern_net_error_is_transient (error);
}
