/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-smtp"

#include "tern-net-connection.h"
#include "tern-smtp-error.h"

typedef struct
{
  guint  reply_code;
  char  *enhanced_code;
  char  *server_text;
} TernSmtpErrorPrivate;

static void
tern_smtp_error_private_init (TernSmtpErrorPrivate *priv)
{
  priv->reply_code = 0;
  priv->enhanced_code = NULL;
  priv->server_text = NULL;
}

static void
tern_smtp_error_private_copy (const TernSmtpErrorPrivate *src,
                              TernSmtpErrorPrivate       *dest)
{
  dest->reply_code = src->reply_code;
  dest->enhanced_code = g_strdup (src->enhanced_code);
  dest->server_text = g_strdup (src->server_text);
}

static void
tern_smtp_error_private_clear (TernSmtpErrorPrivate *priv)
{
  g_clear_pointer (&priv->enhanced_code, g_free);
  g_clear_pointer (&priv->server_text, g_free);
}

G_DEFINE_EXTENDED_ERROR (TernSmtpError, tern_smtp_error)

static TernSmtpErrorPrivate *
get_private (const GError *error)
{
  if (error == NULL || error->domain != TERN_SMTP_ERROR)
    return NULL;
  return tern_smtp_error_get_private (error);
}

void
tern_smtp_set_reply_error (GError        **error,
                           TernSmtpError   code,
                           guint           reply_code,
                           const char     *enhanced_code,
                           const char     *server_text,
                           const char     *format,
                           ...)
{
  g_autofree char *message = NULL;
  TernSmtpErrorPrivate *priv;
  GError *new_error;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  new_error = g_error_new_literal (TERN_SMTP_ERROR, code, message);
  priv = tern_smtp_error_get_private (new_error);
  priv->reply_code = reply_code;
  priv->enhanced_code = g_strdup (enhanced_code);
  priv->server_text = g_strdup (server_text);
  g_propagate_error (error, new_error);
}

guint
tern_smtp_error_get_reply_code (const GError *error)
{
  TernSmtpErrorPrivate *priv = get_private (error);

  return priv != NULL ? priv->reply_code : 0;
}

const char *
tern_smtp_error_get_enhanced_code (const GError *error)
{
  TernSmtpErrorPrivate *priv = get_private (error);

  return priv != NULL ? priv->enhanced_code : NULL;
}

const char *
tern_smtp_error_get_server_text (const GError *error)
{
  TernSmtpErrorPrivate *priv = get_private (error);

  return priv != NULL ? priv->server_text : NULL;
}

gboolean
tern_smtp_error_is_transient (const GError *error)
{
  if (error == NULL)
    return FALSE;
  if (error->domain == TERN_SMTP_ERROR)
    return error->code == TERN_SMTP_ERROR_TRANSIENT || error->code == TERN_SMTP_ERROR_PROTOCOL;
  return tern_net_error_is_transient (error);
}
