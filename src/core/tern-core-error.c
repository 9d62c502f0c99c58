/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-core"

#include <gio/gio.h>

#include "tern-core-error.h"
#include "tern-imap-error.h"
#include "tern-net-error.h"
#include "tern-smtp-error.h"
#include "tern-store-error.h"

typedef struct
{
  char *fingerprint;
} TernCoreErrorPrivate;

static void
tern_core_error_private_init (TernCoreErrorPrivate *priv)
{
  priv->fingerprint = NULL;
}

static void
tern_core_error_private_copy (const TernCoreErrorPrivate *src,
                              TernCoreErrorPrivate       *dest)
{
  dest->fingerprint = g_strdup (src->fingerprint);
}

static void
tern_core_error_private_clear (TernCoreErrorPrivate *priv)
{
  g_clear_pointer (&priv->fingerprint, g_free);
}

G_DEFINE_EXTENDED_ERROR (TernCoreError, tern_core_error)

const char *
tern_core_error_get_fingerprint (const GError *error)
{
  if (error == NULL)
    return NULL;
  if (error->domain == TERN_CORE_ERROR && error->code == TERN_CORE_ERROR_CERTIFICATE)
    return tern_core_error_get_private (error)->fingerprint;
  return tern_net_error_get_fingerprint (error);
}

void
tern_core_set_certificate_error (GError    **error,
                                 const char *fingerprint,
                                 const char *format,
                                 ...)
{
  g_autofree char *message = NULL;
  GError *e;
  va_list args;

  if (error == NULL)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  e = g_error_new_literal (TERN_CORE_ERROR, TERN_CORE_ERROR_CERTIFICATE, message);
  tern_core_error_get_private (e)->fingerprint = g_strdup (fingerprint);
  g_propagate_error (error, e);
}

static TernCoreError
classify (const GError *error)
{
  if (error->domain == TERN_CORE_ERROR)
    return error->code;
  if (error->domain == TERN_NET_ERROR)
    {
      switch (error->code)
        {
        case TERN_NET_ERROR_CERTIFICATE_UNTRUSTED:
          return TERN_CORE_ERROR_CERTIFICATE;
        case TERN_NET_ERROR_PLAIN_NOT_ALLOWED:
          return TERN_CORE_ERROR_INVALID;
        default:
          return TERN_CORE_ERROR_NETWORK;
        }
    }
  if (error->domain == TERN_IMAP_ERROR)
    {
      if (error->code == TERN_IMAP_ERROR_AUTH)
        return TERN_CORE_ERROR_AUTH;
      if (error->code == TERN_IMAP_ERROR_UNSUPPORTED)
        return TERN_CORE_ERROR_UNSUPPORTED;
      if (tern_imap_error_is_transient (error))
        return TERN_CORE_ERROR_NETWORK;
      return TERN_CORE_ERROR_FAILED;
    }
  if (error->domain == TERN_SMTP_ERROR)
    {
      if (error->code == TERN_SMTP_ERROR_AUTH_FAILED)
        return TERN_CORE_ERROR_AUTH;
      if (error->code == TERN_SMTP_ERROR_NOT_SUPPORTED)
        return TERN_CORE_ERROR_UNSUPPORTED;
      if (tern_smtp_error_is_transient (error))
        return TERN_CORE_ERROR_NETWORK;
      return TERN_CORE_ERROR_FAILED;
    }
  if (error->domain == TERN_STORE_ERROR)
    return error->code == TERN_STORE_ERROR_NOT_FOUND ? TERN_CORE_ERROR_NOT_FOUND
                                                      : TERN_CORE_ERROR_STORE;
  if (error->domain == G_TLS_ERROR)
    return TERN_CORE_ERROR_NETWORK;
  if (error->domain == G_RESOLVER_ERROR || error->domain == G_IO_ERROR)
    return TERN_CORE_ERROR_NETWORK;
  return TERN_CORE_ERROR_FAILED;
}

GError *
tern_core_error_wrap (const GError *error,
                      const char   *context)
{
  GError *e;
  TernCoreError code;
  g_autofree char *message = NULL;

  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == TERN_CORE_ERROR || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  code = classify (error);
  if (context != NULL)
    message = g_strdup_printf ("%s: %s", context, error->message);
  else
    message = g_strdup (error->message);

  e = g_error_new_literal (TERN_CORE_ERROR, code, message);
  if (code == TERN_CORE_ERROR_CERTIFICATE)
    tern_core_error_get_private (e)->fingerprint = g_strdup (tern_net_error_get_fingerprint (error));
  return e;
}

gboolean
tern_core_error_is_transient (const GError *error)
{
  if (error == NULL)
    return FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;
  return classify (error) == TERN_CORE_ERROR_NETWORK;
}
