/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-net"

#include <gio/gio.h>

#include "tern-net-error.h"

typedef struct
{
  char *fingerprint;
} TernNetErrorPrivate;

static void
tern_net_error_private_init (TernNetErrorPrivate *priv)
{
  priv->fingerprint = NULL;
}

static void
tern_net_error_private_copy (const TernNetErrorPrivate *src,
                             TernNetErrorPrivate       *dest)
{
  dest->fingerprint = g_strdup (src->fingerprint);
}

static void
tern_net_error_private_clear (TernNetErrorPrivate *priv)
{
  g_clear_pointer (&priv->fingerprint, g_free);
}

G_DEFINE_EXTENDED_ERROR (TernNetError, tern_net_error)

static char *
describe_flags (GTlsCertificateFlags flags)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();

  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    g_ptr_array_add (parts, (gpointer) "self-signed or unknown issuer");
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    g_ptr_array_add (parts, (gpointer) "issued for another host");
  if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    g_ptr_array_add (parts, (gpointer) "not yet valid");
  if (flags & G_TLS_CERTIFICATE_EXPIRED)
    g_ptr_array_add (parts, (gpointer) "expired");
  if (flags & G_TLS_CERTIFICATE_REVOKED)
    g_ptr_array_add (parts, (gpointer) "revoked");
  if (flags & G_TLS_CERTIFICATE_INSECURE)
    g_ptr_array_add (parts, (gpointer) "insecure algorithm");
  if (flags & G_TLS_CERTIFICATE_GENERIC_ERROR)
    g_ptr_array_add (parts, (gpointer) "invalid");
  if (parts->len == 0)
    g_ptr_array_add (parts, (gpointer) "not trusted");
  g_ptr_array_add (parts, NULL);

  return g_strjoinv (", ", (char **) parts->pdata);
}

static char *
colon_fingerprint (const char *fingerprint)
{
  GString *out = g_string_new (NULL);

  for (gsize i = 0; fingerprint[i] != '\0'; i++)
    {
      if (i > 0 && i % 2 == 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, fingerprint[i]);
    }
  return g_string_free (out, FALSE);
}

const char *
tern_net_error_get_fingerprint (const GError *error)
{
  TernNetErrorPrivate *priv;

  if (error == NULL || error->domain != TERN_NET_ERROR
      || error->code != TERN_NET_ERROR_CERTIFICATE_UNTRUSTED)
    return NULL;
  priv = tern_net_error_get_private (error);
  return priv != NULL ? priv->fingerprint : NULL;
}

void
tern_net_set_certificate_error (GError             **error,
                                const char          *host,
                                const char          *fingerprint,
                                GTlsCertificateFlags flags)
{
  g_autofree char *why = describe_flags (flags);
  g_autofree char *pretty = colon_fingerprint (fingerprint != NULL ? fingerprint : "");
  GError *new_error;

  new_error = g_error_new (TERN_NET_ERROR, TERN_NET_ERROR_CERTIFICATE_UNTRUSTED,
                           "The certificate of %s is not trusted (%s). SHA-256 fingerprint: %s",
                           host != NULL ? host : "the server", why, pretty);
  tern_net_error_get_private (new_error)->fingerprint = g_strdup (fingerprint);
  g_propagate_error (error, new_error);
}
