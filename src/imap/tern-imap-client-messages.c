/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-imap"

#include "tern-imap-client-private.h"
#include "tern-imap-client-commands-private.h"

/* The message commands of TernImapClient: UID SEARCH, UID FETCH (streamed
 * in batches), UID STORE, UID COPY, UID MOVE (with its COPY + STORE +
 * EXPUNGE fallback), EXPUNGE and APPEND. */

/* ------------------------------------------------------------------------
 * UID SEARCH
 * ------------------------------------------------------------------------ */

typedef struct {
  char     *text;
  gboolean  is_string;
} SearchItem;

struct _TernImapSearchQuery {
  GPtrArray *items;
};

static void
search_item_free (SearchItem *item)
{
  g_free (item->text);
  g_free (item);
}

static void
search_add (TernImapSearchQuery *search,
            const char          *text,
            gboolean             is_string)
{
  SearchItem *item = g_new0 (SearchItem, 1);

  item->text = g_strdup (text);
  item->is_string = is_string;
  g_ptr_array_add (search->items, item);
}

TernImapSearchQuery *
tern_imap_search_query_new (void)
{
  TernImapSearchQuery *search = g_new0 (TernImapSearchQuery, 1);

  search->items = g_ptr_array_new_with_free_func ((GDestroyNotify) search_item_free);
  return search;
}

void
tern_imap_search_query_free (TernImapSearchQuery *search)
{
  if (search == NULL)
    return;
  g_ptr_array_unref (search->items);
  g_free (search);
}

void
tern_imap_search_query_add_raw (TernImapSearchQuery *search,
                                const char          *keys)
{
  search_add (search, keys, FALSE);
}

void
tern_imap_search_query_add_header (TernImapSearchQuery *search,
                                   const char          *field,
                                   const char          *value)
{
  search_add (search, "HEADER", FALSE);
  search_add (search, field, TRUE);
  search_add (search, value, TRUE);
}

void
tern_imap_search_query_add_keyword (TernImapSearchQuery *search,
                                    const char          *keyword,
                                    gboolean             present)
{
  search_add (search, present ? "KEYWORD" : "UNKEYWORD", FALSE);
  search_add (search, keyword, FALSE);
}

void
tern_imap_search_query_add_string (TernImapSearchQuery *search,
                                   const char          *key,
                                   const char          *value)
{
  search_add (search, key, FALSE);
  search_add (search, value, TRUE);
}

static gboolean
search_untagged (TernImapClient   *self,
                 TernImapCommand  *cmd,
                 TernImapResponse *response)
{
  g_autoptr(GArray) uids = NULL;

  if (!tern_imap_response_is_data (response, "SEARCH"))
    return FALSE;
  uids = tern_imap_search_decode (response, NULL, NULL);
  if (uids != NULL && ((GArray *) cmd->data)->len + (guint64) uids->len <= 16 * 1024 * 1024)
    g_array_append_vals (cmd->data, uids->data, uids->len);
  else if (uids != NULL)
    cmd->n_collected = G_MAXUINT - 1; /* too many UIDs: the client fails the connection */
  return TRUE;
}

void
tern_imap_client_uid_search_async (TernImapClient            *self,
                                   const TernImapSearchQuery *search,
                                   GCancellable              *cancellable,
                                   GAsyncReadyCallback        callback,
                                   gpointer                   user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_uid_search_async,
                                    "[tern-imap] UID SEARCH", cancellable, callback, user_data);
  g_autoptr(TernImapCommand) cmd = NULL;
  gboolean utf8 = FALSE;

  g_return_if_fail (search != NULL);
  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_SELECTED))
    return;
  for (guint i = 0; i < search->items->len; i++)
    {
      SearchItem *item = g_ptr_array_index (search->items, i);
      for (const char *p = item->text; item->is_string && *p; p++)
        if ((guchar) *p >= 0x80)
          utf8 = TRUE;
    }

  cmd = tern_imap_command_new (self, "UID SEARCH", task);
  tern_imap_command_add (cmd, "UID SEARCH");
  if (utf8 && !cmd->utf8_accept)
    tern_imap_command_add (cmd, " CHARSET UTF-8");
  if (search->items->len == 0)
    tern_imap_command_add (cmd, " ALL");
  for (guint i = 0; i < search->items->len; i++)
    {
      SearchItem *item = g_ptr_array_index (search->items, i);

      tern_imap_command_add (cmd, " ");
      if (item->is_string)
        tern_imap_command_add_string (cmd, item->text, -1, FALSE);
      else
        tern_imap_command_add (cmd, item->text);
    }
  cmd->data = g_array_new (FALSE, FALSE, sizeof (guint32));
  cmd->data_free = (GDestroyNotify) g_array_unref;
  cmd->untagged = search_untagged;
  cmd->done = steal_array_done;
  tern_imap_client_submit (self, cmd);
}

GArray *
tern_imap_client_uid_search_finish (TernImapClient  *self,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  return finish_pointer (self, result, tern_imap_client_uid_search_async, error);
}

/* ------------------------------------------------------------------------
 * UID FETCH (streamed in batches)
 * ------------------------------------------------------------------------ */

typedef struct {
  TernImapFetchBatchFunc  func;
  gpointer                func_data;
  GPtrArray              *batch;
  gsize                   batch_bytes;
  guint                   max_count;
  gsize                   max_bytes;
  guint                   n_fetched;
} FetchData;

static void
fetch_data_free (FetchData *data)
{
  g_ptr_array_unref (data->batch);
  g_free (data);
}

static void
fetch_flush (TernImapClient  *self,
             TernImapCommand *cmd)
{
  FetchData *data = cmd->data;

  if (data->batch->len == 0)
    return;
  if (!cmd->cancelled && data->func != NULL)
    data->func (self, data->batch, data->func_data);
  g_ptr_array_set_size (data->batch, 0);
  data->batch_bytes = 0;
}

static gboolean
fetch_untagged (TernImapClient   *self,
                TernImapCommand  *cmd,
                TernImapResponse *response)
{
  FetchData *data = cmd->data;
  g_autoptr(GError) error = NULL;
  TernImapFetch *fetch;

  if (!tern_imap_response_is_data (response, "FETCH"))
    return FALSE;
  if (cmd->cancelled)
    return TRUE;
  fetch = tern_imap_fetch_decode (response, &error);
  if (fetch == NULL)
    {
      g_debug ("malformed FETCH: %s", error->message);
      return TRUE;
    }
  if (fetch->uid == 0)
    {
      /* Not part of the UID FETCH answer: an unsolicited flag update. */
      tern_imap_fetch_free (fetch);
      return FALSE;
    }
  for (guint i = 0; i < fetch->sections->len; i++)
    {
      TernImapBodySection *section = g_ptr_array_index (fetch->sections, i);
      if (section->data != NULL)
        data->batch_bytes += g_bytes_get_size (section->data);
    }
  g_ptr_array_add (data->batch, fetch);
  data->n_fetched++;
  if (data->batch->len >= data->max_count || data->batch_bytes >= data->max_bytes)
    fetch_flush (self, cmd);
  return TRUE;
}

static void
fetch_done (TernImapClient   *self,
            TernImapCommand  *cmd,
            TernImapResponse *tagged,
            const GError     *error)
{
  FetchData *data = cmd->data;
  GTask *task;

  if (error != NULL)
    return;
  fetch_flush (self, cmd);
  if (cmd->task == NULL)
    return;
  task = g_steal_pointer (&cmd->task);
  g_task_return_int (task, data->n_fetched);
  g_object_unref (task);
}

void
tern_imap_client_uid_fetch_async (TernImapClient             *self,
                                  const char                 *uid_set,
                                  TernImapFetchWant           items,
                                  const TernImapFetchOptions *options,
                                  TernImapFetchBatchFunc      batch_func,
                                  gpointer                    batch_data,
                                  GCancellable               *cancellable,
                                  GAsyncReadyCallback         callback,
                                  gpointer                    user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_uid_fetch_async,
                                    "[tern-imap] UID FETCH", cancellable, callback, user_data);
  g_autoptr(TernImapCommand) cmd = NULL;
  static const TernImapFetchOptions no_options = { 0 };
  FetchData *data;

  if (options == NULL)
    options = &no_options;
  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_SELECTED) ||
      !check_sequence_set (task, uid_set))
    return;
  if (options->vanished && !tern_imap_client_is_enabled (self, "QRESYNC"))
    {
      g_task_return_new_error (task, TERN_IMAP_ERROR, TERN_IMAP_ERROR_UNSUPPORTED,
                               "VANISHED needs QRESYNC enabled on %s",
                               tern_imap_client_get_host (self));
      return;
    }

  cmd = tern_imap_command_new (self, "UID FETCH", task);
  tern_imap_command_addf (cmd, "UID FETCH %s (UID", uid_set);
  if (items & TERN_IMAP_WANT_FLAGS)
    tern_imap_command_add (cmd, " FLAGS");
  if (items & TERN_IMAP_WANT_INTERNALDATE)
    tern_imap_command_add (cmd, " INTERNALDATE");
  if (items & TERN_IMAP_WANT_RFC822_SIZE)
    tern_imap_command_add (cmd, " RFC822.SIZE");
  if (items & TERN_IMAP_WANT_ENVELOPE)
    tern_imap_command_add (cmd, " ENVELOPE");
  if (items & TERN_IMAP_WANT_BODYSTRUCTURE)
    tern_imap_command_add (cmd, " BODYSTRUCTURE");
  if ((items & TERN_IMAP_WANT_MODSEQ) || options->changed_since != 0)
    tern_imap_command_add (cmd, " MODSEQ");
  if (items & TERN_IMAP_WANT_HEADER)
    {
      if (options->header_fields != NULL && options->header_fields[0] != NULL)
        {
          tern_imap_command_add (cmd, " BODY.PEEK[HEADER.FIELDS (");
          for (guint i = 0; options->header_fields[i] != NULL; i++)
            {
              if (i > 0)
                tern_imap_command_add (cmd, " ");
              tern_imap_command_add_string (cmd, options->header_fields[i], -1, FALSE);
            }
          tern_imap_command_add (cmd, ")]");
        }
      else
        tern_imap_command_add (cmd, " BODY.PEEK[HEADER]");
    }
  for (guint i = 0; options->sections != NULL && options->sections[i] != NULL; i++)
    {
      for (const char *p = options->sections[i]; *p; p++)
        if (!g_ascii_isalnum (*p) && *p != '.')
          {
            g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                     "Not a section: “%s”", options->sections[i]);
            g_clear_object (&cmd->task);
            return;
          }
      tern_imap_command_addf (cmd, " BODY.PEEK[%s]", options->sections[i]);
    }
  if (items & TERN_IMAP_WANT_BODY)
    tern_imap_command_add (cmd, " BODY.PEEK[]");
  tern_imap_command_add (cmd, ")");
  if (options->changed_since != 0)
    tern_imap_command_addf (cmd, " (CHANGEDSINCE %" G_GUINT64_FORMAT "%s)", options->changed_since,
                            options->vanished ? " VANISHED" : "");

  data = g_new0 (FetchData, 1);
  data->func = batch_func;
  data->func_data = batch_data;
  data->batch = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_imap_fetch_free);
  data->max_count = options->batch_count ? options->batch_count : 100;
  data->max_bytes = options->batch_bytes ? options->batch_bytes : 1024 * 1024;
  cmd->data = data;
  cmd->data_free = (GDestroyNotify) fetch_data_free;
  cmd->untagged = fetch_untagged;
  cmd->done = fetch_done;
  cmd->streams = TRUE;
  tern_imap_client_submit (self, cmd);
}

gboolean
tern_imap_client_uid_fetch_finish (TernImapClient  *self,
                                   GAsyncResult    *result,
                                   guint           *n_fetched,
                                   GError         **error)
{
  gssize n;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  n = g_task_propagate_int (G_TASK (result), error);
  if (n < 0)
    return FALSE;
  if (n_fetched != NULL)
    *n_fetched = (guint) n;
  return TRUE;
}

/* ------------------------------------------------------------------------
 * UID STORE
 * ------------------------------------------------------------------------ */

void
tern_imap_client_uid_store_async (TernImapClient      *self,
                                  const char          *uid_set,
                                  TernImapStoreMode    mode,
                                  const char *const   *flags,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_uid_store_async,
                                    "[tern-imap] UID STORE", cancellable, callback, user_data);
  g_autoptr(TernImapCommand) cmd = NULL;
  const char *prefix = mode == TERN_IMAP_STORE_ADD ? "+" : mode == TERN_IMAP_STORE_REMOVE ? "-" : "";

  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_SELECTED) ||
      !check_sequence_set (task, uid_set))
    return;
  if (!valid_flags (flags))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "Invalid flag or keyword");
      return;
    }
  cmd = tern_imap_command_new (self, "UID STORE", task);
  tern_imap_command_addf (cmd, "UID STORE %s %sFLAGS.SILENT ", uid_set, prefix);
  append_flag_list (cmd, flags);
  tern_imap_client_submit (self, cmd);
}

gboolean
tern_imap_client_uid_store_finish (TernImapClient  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  return finish_boolean (self, result, tern_imap_client_uid_store_async, error);
}

/* ------------------------------------------------------------------------
 * UID COPY / MOVE / EXPUNGE
 * ------------------------------------------------------------------------ */

void
tern_imap_copy_result_free (TernImapCopyResult *result)
{
  if (result == NULL)
    return;
  g_free (result->source_uids);
  g_free (result->dest_uids);
  g_free (result);
}

static gboolean
copy_result_from (TernImapResponse   *response,
                  TernImapCopyResult *result)
{
  g_autoptr(TernImapUidSet) source = NULL;
  g_autoptr(TernImapUidSet) dest = NULL;
  guint32 uidvalidity = 0;

  if (!tern_imap_response_get_copyuid (response, &uidvalidity, &source, &dest))
    return FALSE;
  result->uidvalidity = uidvalidity;
  g_free (result->source_uids);
  g_free (result->dest_uids);
  result->source_uids = tern_imap_uid_set_to_string (source);
  result->dest_uids = tern_imap_uid_set_to_string (dest);
  return TRUE;
}

static gboolean
copy_untagged (TernImapClient   *self,
               TernImapCommand  *cmd,
               TernImapResponse *response)
{
  /* UID MOVE sends COPYUID in an untagged OK. */
  if (tern_imap_response_get_code (response) == TERN_IMAP_CODE_COPYUID)
    return copy_result_from (response, cmd->data);
  return FALSE;
}

static void
copy_done (TernImapClient   *self,
           TernImapCommand  *cmd,
           TernImapResponse *tagged,
           const GError     *error)
{
  GTask *task;

  if (error != NULL || cmd->task == NULL)
    return;
  copy_result_from (tagged, cmd->data);
  task = g_steal_pointer (&cmd->task);
  g_task_return_pointer (task, g_steal_pointer (&cmd->data),
                         (GDestroyNotify) tern_imap_copy_result_free);
  g_object_unref (task);
}

static void
submit_copy (TernImapClient *self,
             const char     *name,
             const char     *uid_set,
             const char     *mailbox,
             GTask          *task)
{
  g_autoptr(TernImapCommand) cmd = tern_imap_command_new (self, name, task);

  tern_imap_command_addf (cmd, "%s %s ", name, uid_set);
  tern_imap_command_add_mailbox (cmd, mailbox);
  cmd->data = g_new0 (TernImapCopyResult, 1);
  cmd->data_free = (GDestroyNotify) tern_imap_copy_result_free;
  cmd->untagged = copy_untagged;
  cmd->done = copy_done;
  tern_imap_client_submit (self, cmd);
}

void
tern_imap_client_uid_copy_async (TernImapClient      *self,
                                 const char          *uid_set,
                                 const char          *mailbox,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_uid_copy_async,
                                    "[tern-imap] UID COPY", cancellable, callback, user_data);

  g_return_if_fail (mailbox != NULL);
  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_SELECTED) ||
      !check_sequence_set (task, uid_set))
    return;
  submit_copy (self, "UID COPY", uid_set, mailbox, task);
}

TernImapCopyResult *
tern_imap_client_uid_copy_finish (TernImapClient  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  return finish_pointer (self, result, tern_imap_client_uid_copy_async, error);
}

typedef struct {
  char               *uid_set;
  TernImapCopyResult *result;
} MoveData;

static void
move_data_free (MoveData *data)
{
  g_free (data->uid_set);
  tern_imap_copy_result_free (data->result);
  g_free (data);
}

static void
move_expunge_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MoveData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!tern_imap_client_expunge_finish (TERN_IMAP_CLIENT (source), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&data->result),
                           (GDestroyNotify) tern_imap_copy_result_free);
}

static void
move_store_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MoveData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!tern_imap_client_uid_store_finish (TERN_IMAP_CLIENT (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  tern_imap_client_expunge_async (TERN_IMAP_CLIENT (source), data->uid_set,
                                  g_task_get_cancellable (task), move_expunge_cb,
                                  g_object_ref (task));
}

static void
move_copy_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MoveData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  static const char *const deleted[] = { "\\Deleted", NULL };

  data->result = tern_imap_client_uid_copy_finish (TERN_IMAP_CLIENT (source), result, &error);
  if (data->result == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  tern_imap_client_uid_store_async (TERN_IMAP_CLIENT (source), data->uid_set, TERN_IMAP_STORE_ADD,
                                    deleted, g_task_get_cancellable (task), move_store_cb,
                                    g_object_ref (task));
}

void
tern_imap_client_uid_move_async (TernImapClient      *self,
                                 const char          *uid_set,
                                 const char          *mailbox,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_uid_move_async,
                                    "[tern-imap] UID MOVE", cancellable, callback, user_data);
  MoveData *data;

  g_return_if_fail (mailbox != NULL);
  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_SELECTED) ||
      !check_sequence_set (task, uid_set))
    return;
  if (tern_imap_client_can_use (self, "MOVE"))
    {
      submit_copy (self, "UID MOVE", uid_set, mailbox, task);
      return;
    }
  g_debug ("no MOVE: UID COPY + UID STORE \\Deleted + expunge");
  data = g_new0 (MoveData, 1);
  data->uid_set = g_strdup (uid_set);
  g_task_set_task_data (task, data, (GDestroyNotify) move_data_free);
  tern_imap_client_uid_copy_async (self, uid_set, mailbox, cancellable, move_copy_cb,
                                   g_object_ref (task));
}

TernImapCopyResult *
tern_imap_client_uid_move_finish (TernImapClient  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  return finish_pointer (self, result, tern_imap_client_uid_move_async, error);
}

void
tern_imap_client_expunge_async (TernImapClient      *self,
                                const char          *uid_set,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_expunge_async, "[tern-imap] EXPUNGE",
                                    cancellable, callback, user_data);
  g_autoptr(TernImapCommand) cmd = NULL;

  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_SELECTED))
    return;
  if (uid_set != NULL && tern_imap_client_can_use (self, "UIDPLUS"))
    {
      if (!check_sequence_set (task, uid_set))
        return;
      cmd = tern_imap_command_new (self, "UID EXPUNGE", task);
      tern_imap_command_addf (cmd, "UID EXPUNGE %s", uid_set);
    }
  else
    cmd = tern_imap_client_simple_command (self, "EXPUNGE", task);
  tern_imap_client_submit (self, cmd);
}

gboolean
tern_imap_client_expunge_finish (TernImapClient  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  return finish_boolean (self, result, tern_imap_client_expunge_async, error);
}

/* ------------------------------------------------------------------------
 * APPEND
 * ------------------------------------------------------------------------ */

static char *
format_date_time (GDateTime *date)
{
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  gint64 offset = g_date_time_get_utc_offset (date) / G_TIME_SPAN_MINUTE;
  char sign = offset < 0 ? '-' : '+';

  if (offset < 0)
    offset = -offset;
  return g_strdup_printf ("%2d-%s-%04d %02d:%02d:%02d %c%02d%02d",
                          g_date_time_get_day_of_month (date),
                          months[g_date_time_get_month (date) - 1], g_date_time_get_year (date),
                          g_date_time_get_hour (date), g_date_time_get_minute (date),
                          g_date_time_get_second (date), sign, (int) (offset / 60),
                          (int) (offset % 60));
}

static void
append_done (TernImapClient   *self,
             TernImapCommand  *cmd,
             TernImapResponse *tagged,
             const GError     *error)
{
  g_autoptr(TernImapUidSet) uids = NULL;
  TernImapAppendResult *result;
  guint32 uidvalidity = 0;
  GTask *task;

  if (error != NULL || cmd->task == NULL)
    return;
  result = g_new0 (TernImapAppendResult, 1);
  if (tern_imap_response_get_appenduid (tagged, &uidvalidity, &uids) &&
      tern_imap_uid_set_get_n_ranges (uids) > 0)
    {
      result->uidvalidity = uidvalidity;
      result->uid = tern_imap_uid_set_get_range (uids, 0).first;
    }
  task = g_steal_pointer (&cmd->task);
  g_task_return_pointer (task, result, g_free);
  g_object_unref (task);
}

void
tern_imap_client_append_async (TernImapClient      *self,
                               const char          *mailbox,
                               const char *const   *flags,
                               GDateTime           *date,
                               GBytes              *message,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (self, tern_imap_client_append_async, "[tern-imap] APPEND",
                                    cancellable, callback, user_data);
  g_autoptr(TernImapCommand) cmd = NULL;

  g_return_if_fail (mailbox != NULL && message != NULL);
  if (!check_state (self, task, TERN_IMAP_CLIENT_STATE_AUTHENTICATED))
    return;
  if (!valid_flags (flags))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "Invalid flag or keyword");
      return;
    }
  cmd = tern_imap_command_new (self, "APPEND", task);
  tern_imap_command_add (cmd, "APPEND ");
  tern_imap_command_add_mailbox (cmd, mailbox);
  if (flags != NULL && flags[0] != NULL)
    {
      tern_imap_command_add (cmd, " ");
      append_flag_list (cmd, flags);
    }
  if (date != NULL)
    {
      g_autofree char *text = format_date_time (date);
      tern_imap_command_addf (cmd, " \"%s\"", text);
    }
  tern_imap_command_add (cmd, " ");
  tern_imap_command_add_literal (cmd, message);
  cmd->done = append_done;
  tern_imap_client_submit (self, cmd);
}

gboolean
tern_imap_client_append_finish (TernImapClient        *self,
                                GAsyncResult          *result,
                                TernImapAppendResult  *out_result,
                                GError               **error)
{
  g_autofree TernImapAppendResult *res = finish_pointer (self, result,
                                                         tern_imap_client_append_async, error);

  if (res == NULL)
    return FALSE;
  if (out_result != NULL)
    *out_result = *res;
  return TRUE;
}
