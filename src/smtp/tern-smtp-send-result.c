/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-smtp"

#include "tern-smtp-send-result.h"

typedef struct
{
  char          *address;
  TernSmtpReply *reply;
} Recipient;

struct _TernSmtpSendResult
{
  gatomicrefcount  ref_count;
  GArray          *recipients;
  TernSmtpReply   *data_reply;
};

G_DEFINE_BOXED_TYPE (TernSmtpSendResult, tern_smtp_send_result, tern_smtp_send_result_ref,
                     tern_smtp_send_result_unref)

static void
recipient_clear (gpointer data)
{
  Recipient *recipient = data;

  g_free (recipient->address);
  g_clear_pointer (&recipient->reply, tern_smtp_reply_unref);
}

static Recipient *
get_recipient (TernSmtpSendResult *result,
               guint               index)
{
  g_return_val_if_fail (result != NULL, NULL);
  g_return_val_if_fail (index < result->recipients->len, NULL);
  return &g_array_index (result->recipients, Recipient, index);
}

TernSmtpSendResult *
tern_smtp_send_result_new (void)
{
  TernSmtpSendResult *result = g_new0 (TernSmtpSendResult, 1);

  g_atomic_ref_count_init (&result->ref_count);
  result->recipients = g_array_new (FALSE, TRUE, sizeof (Recipient));
  g_array_set_clear_func (result->recipients, recipient_clear);
  return result;
}

TernSmtpSendResult *
tern_smtp_send_result_ref (TernSmtpSendResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);
  g_atomic_ref_count_inc (&result->ref_count);
  return result;
}

void
tern_smtp_send_result_unref (TernSmtpSendResult *result)
{
  g_return_if_fail (result != NULL);
  if (!g_atomic_ref_count_dec (&result->ref_count))
    return;
  g_array_unref (result->recipients);
  g_clear_pointer (&result->data_reply, tern_smtp_reply_unref);
  g_free (result);
}

void
tern_smtp_send_result_add (TernSmtpSendResult *result,
                           const char         *address,
                           TernSmtpReply      *reply)
{
  Recipient recipient = { g_strdup (address), tern_smtp_reply_ref (reply) };

  g_array_append_val (result->recipients, recipient);
}

void
tern_smtp_send_result_set_data_reply (TernSmtpSendResult *result,
                                      TernSmtpReply      *reply)
{
  g_clear_pointer (&result->data_reply, tern_smtp_reply_unref);
  result->data_reply = reply != NULL ? tern_smtp_reply_ref (reply) : NULL;
}

guint
tern_smtp_send_result_get_n_recipients (TernSmtpSendResult *result)
{
  g_return_val_if_fail (result != NULL, 0);
  return result->recipients->len;
}

guint
tern_smtp_send_result_get_n_accepted (TernSmtpSendResult *result)
{
  guint n = 0;

  g_return_val_if_fail (result != NULL, 0);
  for (guint i = 0; i < result->recipients->len; i++)
    if (tern_smtp_send_result_get_accepted (result, i))
      n++;
  return n;
}

const char *
tern_smtp_send_result_get_address (TernSmtpSendResult *result,
                                   guint               index)
{
  Recipient *recipient = get_recipient (result, index);

  return recipient != NULL ? recipient->address : NULL;
}

gboolean
tern_smtp_send_result_get_accepted (TernSmtpSendResult *result,
                                    guint               index)
{
  Recipient *recipient = get_recipient (result, index);

  return recipient != NULL && tern_smtp_reply_get_code (recipient->reply) / 100 == 2;
}

TernSmtpReply *
tern_smtp_send_result_get_reply (TernSmtpSendResult *result,
                                 guint               index)
{
  Recipient *recipient = get_recipient (result, index);

  return recipient != NULL ? recipient->reply : NULL;
}

TernSmtpReply *
tern_smtp_send_result_get_data_reply (TernSmtpSendResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);
  return result->data_reply;
}
