/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-imap"

#include "tern-imap-client-private.h"
#include "tern-imap-utf7.h"

/* TernImapCommand: a command's bytes, split into segments at the
 * synchronising literals, and its redacted log line; and the S: side of the
 * debug log. */

/* ------------------------------------------------------------------------
 * Commands
 * ------------------------------------------------------------------------ */

TernImapCommand *
tern_imap_command_new (TernImapClient *self,
                       const char     *name,
                       GTask          *task)
{
  TernImapCommand *cmd = g_new0 (TernImapCommand, 1);

  g_atomic_ref_count_init (&cmd->ref_count);
  cmd->tag = g_strdup_printf ("A%u", ++self->tag_counter);
  cmd->name = g_strdup (name);
  cmd->segments = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  cmd->current = g_string_new (cmd->tag);
  g_string_append_c (cmd->current, ' ');
  cmd->log_line = g_string_new (cmd->current->str);
  cmd->task = task ? g_object_ref (task) : NULL;
  if (task != NULL && g_task_get_cancellable (task) != NULL)
    cmd->cancellable = g_object_ref (g_task_get_cancellable (task));
  cmd->client = self;
  cmd->literal_plus = tern_imap_client_can_use (self, "LITERAL+");
  cmd->literal_minus = tern_imap_client_can_use (self, "LITERAL-");
  cmd->utf8_accept = g_hash_table_contains (self->enabled, "UTF8=ACCEPT");
  return cmd;
}

TernImapCommand *
tern_imap_command_ref (TernImapCommand *cmd)
{
  g_atomic_ref_count_inc (&cmd->ref_count);
  return cmd;
}

void
tern_imap_command_unref (TernImapCommand *cmd)
{
  if (!g_atomic_ref_count_dec (&cmd->ref_count))
    return;
  g_assert (cmd->cancelled_id == 0);
  if (cmd->data_free != NULL && cmd->data != NULL)
    cmd->data_free (cmd->data);
  g_clear_object (&cmd->task);
  g_clear_object (&cmd->cancellable);
  if (cmd->current != NULL)
    g_string_free (cmd->current, TRUE);
  g_string_free (cmd->log_line, TRUE);
  g_ptr_array_unref (cmd->segments);
  g_free (cmd->name);
  g_free (cmd->tag);
  g_free (cmd);
}

void
tern_imap_command_add (TernImapCommand *cmd,
                       const char      *text)
{
  g_string_append (cmd->current, text);
  g_string_append (cmd->log_line, text);
}

void
tern_imap_command_addf (TernImapCommand *cmd,
                        const char      *format,
                        ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  tern_imap_command_add (cmd, text);
}

void
tern_imap_command_add_secret (TernImapCommand *cmd,
                              const char      *text)
{
  g_string_append (cmd->current, text);
  g_string_append (cmd->log_line, "***");
}

static void
add_literal (TernImapCommand *cmd,
             const guint8    *data,
             gsize            len,
             gboolean         sensitive)
{
  gboolean plus = cmd->literal_plus || (cmd->literal_minus && len <= 4096);

  g_string_append_printf (cmd->current, "{%" G_GSIZE_FORMAT "%s}\r\n", len, plus ? "+" : "");
  if (sensitive)
    g_string_append (cmd->log_line, "{***}");
  else
    g_string_append_printf (cmd->log_line, "{%" G_GSIZE_FORMAT "%s} <%" G_GSIZE_FORMAT " bytes>",
                            len, plus ? "+" : "", len);
  if (!plus)
    {
      gsize seg_len = cmd->current->len;
      g_ptr_array_add (cmd->segments,
                       g_bytes_new_take (g_string_free (cmd->current, FALSE), seg_len));
      cmd->current = g_string_sized_new (len + 64);
    }
  g_string_append_len (cmd->current, (const char *) data, len);
}

void
tern_imap_command_add_literal (TernImapCommand *cmd,
                               GBytes          *bytes)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  add_literal (cmd, data, len, FALSE);
}

static void
add_string_full (TernImapCommand *cmd,
                 const char      *str,
                 gssize           length,
                 gboolean         sensitive,
                 gboolean         allow_8bit)
{
  gsize before = cmd->current->len;

  if (length < 0)
    length = strlen (str);
  if (tern_imap_quote_astring (cmd->current, str, length, allow_8bit) == TERN_IMAP_QUOTING_LITERAL)
    {
      add_literal (cmd, (const guint8 *) str, length, sensitive);
      return;
    }
  if (sensitive)
    g_string_append (cmd->log_line, "***");
  else
    g_string_append_len (cmd->log_line, cmd->current->str + before, cmd->current->len - before);
}

void
tern_imap_command_add_string (TernImapCommand *cmd,
                              const char      *str,
                              gssize           length,
                              gboolean         sensitive)
{
  add_string_full (cmd, str, length, sensitive, FALSE);
}

void
tern_imap_command_add_mailbox (TernImapCommand *cmd,
                               const char      *mailbox)
{
  g_autofree char *encoded = NULL;

  if (cmd->utf8_accept)
    {
      add_string_full (cmd, mailbox, -1, FALSE, TRUE);
      return;
    }
  if (g_ascii_strcasecmp (mailbox, "INBOX") == 0)
    {
      tern_imap_command_add (cmd, "INBOX");
      return;
    }
  encoded = tern_imap_utf7_encode (mailbox, NULL);
  add_string_full (cmd, encoded ? encoded : mailbox, -1, FALSE, FALSE);
}

void
tern_imap_command_seal (TernImapCommand *cmd)
{
  gsize len;

  if (cmd->current == NULL)
    return;
  g_string_append (cmd->current, "\r\n");
  len = cmd->current->len;
  g_ptr_array_add (cmd->segments, g_bytes_new_take (g_string_free (cmd->current, FALSE), len));
  cmd->current = NULL;
}

/* ------------------------------------------------------------------------
 * Logging
 * ------------------------------------------------------------------------ */

/* The S: line of the debug log: the response as sent, with literal bodies
 * summarised by their size (message contents stay out of logs). */
#define LOG_LINE_MAX 1000

static void
log_append_value (GString             *out,
                  const TernImapValue *value)
{
  gsize len = 0;
  const char *text;

  if (out->len > LOG_LINE_MAX)
    return;
  switch (tern_imap_value_get_value_type (value))
    {
    case TERN_IMAP_VALUE_NIL:
      g_string_append (out, "NIL");
      break;
    case TERN_IMAP_VALUE_ATOM:
    case TERN_IMAP_VALUE_NUMBER:
      g_string_append (out, tern_imap_value_get_text (value, NULL));
      break;
    case TERN_IMAP_VALUE_STRING:
      text = tern_imap_value_get_text (value, &len);
      if (tern_imap_value_is_literal (value))
        {
          g_string_append_printf (out, "{%" G_GSIZE_FORMAT "} <%" G_GSIZE_FORMAT " bytes>", len,
                                  len);
          break;
        }
      g_string_append_c (out, '"');
      for (gsize i = 0; i < len && i < 200; i++)
        {
          if (text[i] == '"' || text[i] == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, text[i]);
        }
      if (len > 200)
        g_string_append (out, "...");
      g_string_append_c (out, '"');
      break;
    case TERN_IMAP_VALUE_LIST:
    default:
      g_string_append_c (out, '(');
      for (guint i = 0; i < tern_imap_value_get_n_children (value); i++)
        {
          if (i > 0)
            g_string_append_c (out, ' ');
          log_append_value (out, tern_imap_value_get_child (value, i));
        }
      g_string_append_c (out, ')');
      break;
    }
}

char *
tern_imap_response_log_summary (TernImapResponse *response)
{
  static const char *const status_names[] = { NULL, "OK", "NO", "BAD", "PREAUTH", "BYE" };
  GString *out = g_string_new (NULL);
  TernImapStatus status = tern_imap_response_get_status (response);
  const TernImapValue *data;
  guint64 number = 0;

  switch (tern_imap_response_get_kind (response))
    {
    case TERN_IMAP_RESPONSE_CONTINUATION:
      g_string_append (out, "+ ");
      g_string_append (out, tern_imap_response_get_text (response));
      return g_string_free (out, FALSE);
    case TERN_IMAP_RESPONSE_TAGGED:
      g_string_append_printf (out, "%s ", tern_imap_response_get_tag (response));
      break;
    case TERN_IMAP_RESPONSE_UNTAGGED:
    default:
      g_string_append (out, "* ");
      break;
    }
  if (status != TERN_IMAP_STATUS_NONE && status < G_N_ELEMENTS (status_names))
    {
      const TernImapValue *args = tern_imap_response_get_code_args (response);

      g_string_append (out, status_names[status]);
      if (tern_imap_response_get_code_name (response) != NULL)
        {
          g_string_append_printf (out, " [%s", tern_imap_response_get_code_name (response));
          for (guint i = 0; args != NULL && i < tern_imap_value_get_n_children (args); i++)
            {
              g_string_append_c (out, ' ');
              log_append_value (out, tern_imap_value_get_child (args, i));
            }
          g_string_append_c (out, ']');
        }
      g_string_append_printf (out, " %s", tern_imap_response_get_text (response));
    }
  else
    {
      if (tern_imap_response_get_number (response, &number))
        g_string_append_printf (out, "%" G_GUINT64_FORMAT " ", number);
      g_string_append (out, tern_imap_response_get_name (response));
      data = tern_imap_response_get_data (response);
      for (guint i = 0; data != NULL && i < tern_imap_value_get_n_children (data); i++)
        {
          g_string_append_c (out, ' ');
          log_append_value (out, tern_imap_value_get_child (data, i));
        }
    }
  if (out->len > LOG_LINE_MAX)
    {
      g_string_truncate (out, LOG_LINE_MAX);
      g_string_append (out, "...");
    }
  return g_string_free (out, FALSE);
}
