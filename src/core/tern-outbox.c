/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-core"

#include "tern-outbox.h"

#include "tern-account.h"
#include "tern-coi-builder.h"
#include "tern-coi-parser.h"
#include "tern-core-error.h"
#include "tern-smtp-error.h"

#define OUTBOX_KEY "tern-outbox"
#define BACKOFF_FIRST 60
#define BACKOFF_MAX   3600

/* The envelope "recipient" of an entry that holds the copy of a message
 * already sent, still to be appended to the server: never an address (no
 * address starts with '<' in the envelope list), never given to SMTP. */
#define APPEND_MARK "<append>"

struct _TernOutbox {
  GObject         parent_instance;
  TernAccount    *account;      /* not a reference: the account owns the outbox */
  TernStore      *store;
  TernSmtpClient *smtp;
  GCancellable   *cancellable;
  GPtrArray      *work;         /* TernStoreOutboxRow being worked on */
  guint           index;
  guint           timer;
  gboolean        started;
  gboolean        recovered;
  gboolean        busy;
  gboolean        again;
  TernStoreBatch *sent_batch;   /* the batch that marked current() SENT */
  gint64          append_ref;   /* its APPEND entry (a reference in sent_batch) */
  gint64          append_entry; /* the APPEND entry's id once committed */
};

enum { SIGNAL_SENT, SIGNAL_FAILED, SIGNAL_RETRY, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TernOutbox, tern_outbox, G_TYPE_OBJECT)

static void run (TernOutbox *self);
static void send_next (TernOutbox *self);
static void recover_next (TernOutbox *self);
static gboolean stopped (TernOutbox *self);

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

gint64
tern_outbox_backoff_seconds (guint attempts)
{
  gint64 delay = BACKOFF_FIRST;

  for (guint i = 1; i < attempts && delay < BACKOFF_MAX; i++)
    delay *= 2;
  return MIN (delay, BACKOFF_MAX);
}

static void
tern_outbox_dispose (GObject *object)
{
  TernOutbox *self = TERN_OUTBOX (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer, g_source_remove);
  if (self->smtp != NULL)
    tern_smtp_client_close (self->smtp);
  g_clear_object (&self->smtp);
  G_OBJECT_CLASS (tern_outbox_parent_class)->dispose (object);
}

static void
tern_outbox_finalize (GObject *object)
{
  TernOutbox *self = TERN_OUTBOX (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->sent_batch);
  g_clear_pointer (&self->work, g_ptr_array_unref);
  G_OBJECT_CLASS (tern_outbox_parent_class)->finalize (object);
}

static void
tern_outbox_class_init (TernOutboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tern_outbox_dispose;
  object_class->finalize = tern_outbox_finalize;

  signals[SIGNAL_SENT] = g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64,
                                       G_TYPE_INT64);
  signals[SIGNAL_FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_INT64,
                                         G_TYPE_INT64, G_TYPE_STRING);
  signals[SIGNAL_RETRY] = g_signal_new ("retry", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64,
                                        G_TYPE_INT64);
}

static void
tern_outbox_init (TernOutbox *self)
{
  self->cancellable = g_cancellable_new ();
}

/* The account goes: nothing may touch it any more (callbacks in flight hold
 * the outbox, not the account, and see the cancellation). */
static void
outbox_release (gpointer data)
{
  TernOutbox *self = data;

  tern_outbox_stop (self);
  self->account = NULL;
  g_object_unref (self);
}

TernOutbox *
tern_outbox_get_for_account (TernAccount *account)
{
  TernOutbox *self;

  g_return_val_if_fail (TERN_IS_ACCOUNT (account), NULL);

  self = g_object_get_data (G_OBJECT (account), OUTBOX_KEY);
  if (self == NULL)
    {
      self = g_object_new (TERN_TYPE_OUTBOX, NULL);
      self->account = account;
      self->store = g_object_ref (tern_account_get_store (account));
      g_object_set_data_full (G_OBJECT (account), OUTBOX_KEY, self, outbox_release);
    }
  return self;
}

gboolean
tern_outbox_is_busy (TernOutbox *self)
{
  return self->busy;
}

/* ---- queue ----------------------------------------------------------------- */

typedef struct {
  TernStoreBatch *batch;
  gint64          message_ref;
} QueueData;

static void
queue_data_free (QueueData *data)
{
  g_clear_object (&data->batch);
  g_free (data);
}

static void
queue_committed_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  QueueData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!tern_store_commit_finish (TERN_STORE (object), result, &error))
    {
      g_task_return_error (task, tern_core_error_wrap (error, "Storing the message"));
      return;
    }
  g_task_return_int (task, data->message_ref
                             ? tern_store_batch_get_id (data->batch, data->message_ref) : 0);
}

void
tern_outbox_queue_async (TernStore             *store,
                         gint64                 account,
                         gint64                 chat,
                         GMimeMessage          *message,
                         const TernOutboxLocal *local,
                         const char * const    *recipients,
                         TernStoreBatch        *batch,
                         GCancellable          *cancellable,
                         GAsyncReadyCallback    callback,
                         gpointer               user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GBytes) raw = NULL;
  g_autofree char *message_id = NULL;
  QueueData *data = g_new0 (QueueData, 1);

  g_task_set_source_tag (task, tern_outbox_queue_async);
  g_task_set_task_data (task, data, (GDestroyNotify) queue_data_free);
  data->batch = batch != NULL ? g_object_ref (batch) : tern_store_begin_batch (store);

  if (recipients == NULL || recipients[0] == NULL)
    {
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_INVALID,
                               "The message has no recipients");
      return;
    }
  message_id = g_strdup (g_mime_message_get_message_id (message));
  if (message_id == NULL)
    {
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_INVALID,
                               "The message has no Message-ID");
      return;
    }
  raw = tern_coi_message_to_bytes (message);

  if (local != NULL)
    {
      TernStoreMessageRow row = { 0 };
      GDateTime *date = g_mime_message_get_date (message);

      row.account_id = account;
      row.chat_id = chat;
      row.message_id = message_id;
      row.outgoing = TRUE;
      row.seen = TRUE;
      row.sent_time = date ? g_date_time_to_unix (date) : now_seconds ();
      row.received_time = row.sent_time;
      row.kind = local->kind;
      row.state = TERN_STORE_STATE_PENDING;
      row.subject = (char *) local->subject;
      row.text = (char *) (local->text ? local->text : "");
      row.reply_to = (char *) local->reply_to;
      row.pinned_until = local->pinned_until;
      row.has_location = local->has_location;
      row.latitude = local->latitude;
      row.longitude = local->longitude;
      data->message_ref = tern_store_batch_add_message (data->batch, &row, 0, 0);
      for (guint i = 0; local->attachment_paths && local->attachment_paths[i]; i++)
        {
          g_autoptr(GFile) file = g_file_new_for_path (local->attachment_paths[i]);
          g_autoptr(GBytes) bytes = NULL;
          g_autoptr(GError) error = NULL;
          g_autofree char *name = g_path_get_basename (local->attachment_paths[i]);
          g_autofree char *type = NULL;

          bytes = g_file_load_bytes (file, cancellable, NULL, &error);
          if (bytes == NULL)
            {
              g_task_return_error (task, g_steal_pointer (&error));
              return;
            }
          type = g_content_type_guess (name, g_bytes_get_data (bytes, NULL),
                                       MIN (g_bytes_get_size (bytes), 4096), NULL);
          {
            g_autofree char *mime = g_content_type_get_mime_type (type);

            tern_store_batch_add_attachment (data->batch, data->message_ref, bytes,
                                             mime ? mime : "application/octet-stream", name);
          }
        }
    }
  tern_store_batch_outbox_add (data->batch, account, data->message_ref, message_id, raw,
                               recipients);
  tern_store_commit_async (store, data->batch, cancellable, queue_committed_cb,
                           g_steal_pointer (&task));
}

gint64
tern_outbox_queue_finish (GAsyncResult *result,
                          GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), 0);
  gssize id = g_task_propagate_int (G_TASK (result), error);

  return id > 0 ? id : 0;
}

/* ---- sender ------------------------------------------------------------------ */

static TernStoreOutboxRow *
current (TernOutbox *self)
{
  return g_ptr_array_index (self->work, self->index);
}

/* Commits @batch and goes on with @next. */
typedef void (*NextFunc) (TernOutbox *self);

typedef struct {
  TernOutbox     *self;
  TernStoreBatch *batch;
  NextFunc        next;
} CommitData;

static void
commit_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  CommitData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!tern_store_commit_finish (TERN_STORE (object), result, &error))
    g_message ("outbox: store commit failed: %s", error->message);
  if (!g_cancellable_is_cancelled (data->self->cancellable))
    data->next (data->self);
  else
    data->self->busy = FALSE;
  g_object_unref (data->batch);
  g_object_unref (data->self);
  g_free (data);
}

static void
commit_then (TernOutbox     *self,
             TernStoreBatch *batch,
             NextFunc        next)
{
  CommitData *data = g_new0 (CommitData, 1);

  data->self = g_object_ref (self);
  data->batch = g_object_ref (batch);
  data->next = next;
  tern_store_commit_async (self->store, batch, NULL, commit_cb, data);
}

static gboolean
raw_is_chat (GBytes *raw)
{
  TernCoiParseOptions opts = { 0 };
  g_autoptr(TernCoiInfo) info = NULL;

  if (raw == NULL)
    return TRUE;
  opts.headers_only = TRUE;
  info = tern_coi_parse_bytes (raw, &opts, NULL);
  return info != NULL && info->is_chat;
}

static void
advance (TernOutbox *self)
{
  self->index++;
  send_next (self);
}

static gboolean
timer_cb (gpointer user_data)
{
  TernOutbox *self = user_data;

  self->timer = 0;
  run (self);
  return G_SOURCE_REMOVE;
}

static void
schedule (TernOutbox *self)
{
  g_autoptr(GPtrArray) queued = NULL;
  gint64 next = G_MAXINT64, delay;

  g_clear_handle_id (&self->timer, g_source_remove);
  if (!self->started)
    return;
  queued = tern_store_list_outbox (self->store, tern_account_get_id (self->account),
                                   TERN_STORE_OUTBOX_QUEUED, NULL);
  for (guint i = 0; queued != NULL && i < queued->len; i++)
    next = MIN (next, ((TernStoreOutboxRow *) queued->pdata[i])->next_attempt);
  if (next == G_MAXINT64)
    return;
  delay = CLAMP (next - now_seconds (), 1, BACKOFF_MAX);
  self->timer = g_timeout_add_seconds ((guint) delay, timer_cb, self);
}

static void
quit_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  tern_smtp_client_quit_finish (TERN_SMTP_CLIENT (object), result, NULL);
}

static void
finish_run (TernOutbox *self)
{
  self->busy = FALSE;
  g_clear_pointer (&self->work, g_ptr_array_unref);
  if (self->again)
    {
      self->again = FALSE;
      run (self);
      return;
    }
  /* Nothing more to send: say goodbye rather than keep a connection the
   * server will drop while idle (the next send would fail on it first). */
  if (self->smtp != NULL)
    {
      if (tern_smtp_client_is_connected (self->smtp))
        tern_smtp_client_quit_async (self->smtp, NULL, quit_cb, NULL);
      g_clear_object (&self->smtp);
    }
  schedule (self);
}

gboolean
tern_outbox_row_is_append (const TernStoreOutboxRow *row)
{
  return row != NULL && row->recipients != NULL && row->recipients[0] != NULL
         && g_strcmp0 (row->recipients[0], APPEND_MARK) == 0;
}

/* The message row of @row: its own link, else the row with its Message-ID. */
static gint64
row_message (TernOutbox         *self,
             TernStoreOutboxRow *row)
{
  g_autoptr(TernStoreMessageRow) message = NULL;

  if (row->message_id != 0)
    return row->message_id;
  if (row->rfc822_message_id == NULL)
    return 0;
  message = tern_store_find_message (self->store, tern_account_get_id (self->account),
                                     row->rfc822_message_id, NULL);
  return message != NULL ? message->id : 0;
}

/* The copy is on the server (@uid from APPENDUID, 0 if unknown): its
 * location is recorded and the APPEND entry @entry (0: none) removed, in
 * one batch. */
static void
copy_kept (TernOutbox *self,
           gint64      entry,
           gint64      message,
           gboolean    chat,
           guint32     uid)
{
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (self->store);
  const char *name = tern_account_get_folder_name (self->account,
                                                  chat ? TERN_STORE_FOLDER_ROLE_CHATS
                                                       : TERN_STORE_FOLDER_ROLE_SENT);
  g_autoptr(TernStoreFolderRow) folder = NULL;

  if (uid != 0 && message != 0 && name != NULL)
    folder = tern_store_find_folder (self->store, tern_account_get_id (self->account), name,
                                     NULL);
  if (folder != NULL)
    tern_store_batch_add_location (batch, message, folder->id, uid);
  if (entry != 0)
    tern_store_batch_outbox_remove (batch, entry);
  commit_then (self, batch, advance);
}

/* The APPEND failed: the entry waits for its next try (the message itself
 * is sent and stays so; SMTP never sees the entry). */
static void
copy_postponed (TernOutbox   *self,
                gint64        entry,
                guint         attempts,
                const GError *error)
{
  g_autoptr(TernStoreBatch) batch = NULL;

  g_message ("outbox: the copy of a sent message is not on the server yet (%s); "
             "trying again later", error->message);
  if (entry == 0)
    {
      advance (self);
      return;
    }
  batch = tern_store_begin_batch (self->store);
  tern_store_batch_outbox_retry (batch, entry, error->message,
                                 now_seconds () + tern_outbox_backoff_seconds (MAX (attempts, 1)));
  commit_then (self, batch, advance);
}

static void
append_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(TernOutbox) self = user_data;
  g_autoptr(GError) error = NULL;
  guint32 uid = 0;
  TernStoreOutboxRow *row;
  gboolean ok;

  ok = tern_account_append_finish (TERN_ACCOUNT (object), result, &uid, &error);
  if (stopped (self))
    return;
  row = current (self);
  if (!ok)
    {
      copy_postponed (self, self->append_entry,
                      tern_outbox_row_is_append (row) ? row->attempts : 1, error);
      return;
    }
  copy_kept (self, self->append_entry, row_message (self, row), raw_is_chat (row->raw), uid);
}

static void
append_copy (TernOutbox *self)
{
  TernStoreOutboxRow *row = current (self);
  const char *flags[] = { "\\Seen", NULL };
  gboolean chat = raw_is_chat (row->raw);

  tern_account_append_async (self->account,
                             chat ? TERN_STORE_FOLDER_ROLE_CHATS : TERN_STORE_FOLDER_ROLE_SENT,
                             row->raw, flags, self->cancellable, append_cb, g_object_ref (self));
}

static void
sent_committed (TernOutbox *self)
{
  TernStoreOutboxRow *row = current (self);

  self->append_entry = self->sent_batch != NULL && self->append_ref != 0
                         ? tern_store_batch_get_id (self->sent_batch, self->append_ref) : 0;
  g_clear_object (&self->sent_batch);
  self->append_ref = 0;
  g_signal_emit (self, signals[SIGNAL_SENT], 0, row->id, row->message_id);
  if (stopped (self))
    return;
  if (self->append_entry == 0)
    {
      advance (self);
      return;
    }
  append_copy (self);
}

/* An APPEND entry: a copy already there (a run killed after its APPEND)
 * is not appended twice. */
static void
pending_found_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TernOutbox) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean found = FALSE;
  TernStoreOutboxRow *row;

  if (!tern_account_find_message_id_finish (TERN_ACCOUNT (object), result, &found, &error))
    {
      if (stopped (self))
        return;
      copy_postponed (self, current (self)->id, current (self)->attempts, error);
      return;
    }
  if (stopped (self))
    return;
  row = current (self);
  self->append_entry = row->id;
  if (found)
    copy_kept (self, row->id, 0, FALSE, 0);
  else
    append_copy (self);
}

static void
append_claimed (TernOutbox *self)
{
  TernStoreOutboxRow *row = current (self);

  row->attempts++;
  tern_account_find_message_id_async (self->account,
                                      raw_is_chat (row->raw) ? TERN_STORE_FOLDER_ROLE_CHATS
                                                             : TERN_STORE_FOLDER_ROLE_SENT,
                                      row->rfc822_message_id, self->cancellable,
                                      pending_found_cb, g_object_ref (self));
}

static char *
reply_text (TernSmtpReply *reply)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (reply == NULL)
    return g_strdup ("refused");
  g_string_append_printf (text, "%u", tern_smtp_reply_get_code (reply));
  if (tern_smtp_reply_get_enhanced_code (reply) != NULL)
    g_string_append_printf (text, " %s", tern_smtp_reply_get_enhanced_code (reply));
  if (tern_smtp_reply_get_text (reply) != NULL)
    g_string_append_printf (text, " %s", tern_smtp_reply_get_text (reply));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(TernOutbox) self = user_data;
  g_autoptr(TernSmtpSendResult) sent = NULL;
  g_autoptr(TernStoreBatch) batch = NULL;
  g_autoptr(GError) error = NULL;
  TernStoreOutboxRow *row;

  sent = tern_smtp_client_send_finish (TERN_SMTP_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->busy = FALSE; /* left SENDING: recovered at the next start */
      return;
    }
  row = current (self);
  batch = tern_store_begin_batch (self->store);
  if (sent == NULL)
    {
      const char *server = tern_smtp_error_get_server_text (error);
      g_autofree char *reason = server != NULL
                                  ? g_strdup_printf ("%u %s", tern_smtp_error_get_reply_code (error),
                                                     server)
                                  : g_strdup (error->message);

      if (tern_smtp_error_is_transient (error) || !g_error_matches (error, TERN_SMTP_ERROR, error->code))
        {
          gint64 next = now_seconds () + tern_outbox_backoff_seconds (row->attempts);

          tern_store_batch_outbox_retry (batch, row->id, reason, next);
          g_signal_emit (self, signals[SIGNAL_RETRY], 0, row->id, next);
          /* The next try starts on a new connection: a server may keep
           * answering 4xx on this one (Postfix's smtpd keeps the tables it
           * started with until the connection ends). */
          tern_smtp_client_close (self->smtp);
          g_clear_object (&self->smtp);
        }
      else
        {
          tern_store_batch_outbox_failed (batch, row->id, reason);
          g_signal_emit (self, signals[SIGNAL_FAILED], 0, row->id, row->message_id, reason);
        }
      commit_then (self, batch, advance);
      return;
    }

  /* Sent to every accepted recipient; the others get entries of their own. */
  tern_store_batch_outbox_sent (batch, row->id);
  /* The copy for the server, kept in the same batch until it is appended:
   * an APPEND that fails (or a process killed before it) is tried again
   * later, never by sending the message again. A recipient tried again
   * alone (no message row of its own, the message's copy made with the
   * first send) and a message without a row whose Message-ID another row
   * has need none. */
  g_clear_object (&self->sent_batch);
  self->append_ref = 0;
  if (row->message_id != 0 || row_message (self, row) == 0)
    {
      const char *mark[] = { APPEND_MARK, NULL };

      self->append_ref = tern_store_batch_outbox_add (batch, tern_account_get_id (self->account),
                                                      0, row->rfc822_message_id, row->raw,
                                                      mark);
      tern_store_batch_outbox_retry (batch, self->append_ref, "copy not appended yet",
                                     now_seconds () + BACKOFF_FIRST);
      self->sent_batch = g_object_ref (batch);
    }
  for (guint i = 0; i < tern_smtp_send_result_get_n_recipients (sent); i++)
    {
      TernSmtpReply *reply;
      const char *rcpt[2] = { NULL, NULL };
      g_autofree char *reason = NULL;
      gint64 ref;

      if (tern_smtp_send_result_get_accepted (sent, i))
        continue;
      reply = tern_smtp_send_result_get_reply (sent, i);
      rcpt[0] = tern_smtp_send_result_get_address (sent, i);
      reason = reply_text (reply);
      ref = tern_store_batch_outbox_add (batch, tern_account_get_id (self->account), 0,
                                         row->rfc822_message_id, row->raw, rcpt);
      if (reply != NULL && tern_smtp_reply_get_code (reply) >= 400
          && tern_smtp_reply_get_code (reply) < 500)
        tern_store_batch_outbox_retry (batch, ref, reason,
                                       now_seconds () + tern_outbox_backoff_seconds (1));
      else
        tern_store_batch_outbox_failed (batch, ref, reason);
    }
  commit_then (self, batch, sent_committed);
}

static void
claimed (TernOutbox *self)
{
  TernStoreOutboxRow *row = current (self);
  g_autoptr(GInputStream) stream = NULL;

  row->attempts++;
  stream = g_memory_input_stream_new_from_bytes (row->raw);
  tern_smtp_client_send_async (self->smtp, tern_account_get_address (self->account),
                               (const char * const *) row->recipients, stream,
                               (gssize) g_bytes_get_size (row->raw), self->cancellable, send_cb,
                               g_object_ref (self));
}

static void
open_smtp_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(TernOutbox) self = user_data;
  g_autoptr(GError) error = NULL;

  self->smtp = tern_account_open_smtp_finish (TERN_ACCOUNT (object), result, &error);
  if (self->smtp == NULL)
    {
      g_autoptr(TernStoreBatch) batch = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          self->busy = FALSE;
          return;
        }
      /* Nothing was claimed: every due entry waits for the next try. */
      batch = tern_store_begin_batch (self->store);
      for (guint i = self->index; i < self->work->len; i++)
        {
          TernStoreOutboxRow *row = g_ptr_array_index (self->work, i);
          gint64 next = now_seconds () + tern_outbox_backoff_seconds (row->attempts);

          tern_store_batch_outbox_retry (batch, row->id, error->message, next);
          g_signal_emit (self, signals[SIGNAL_RETRY], 0, row->id, next);
        }
      commit_then (self, batch, finish_run);
      return;
    }
  send_next (self);
}

static gboolean
stopped (TernOutbox *self)
{
  if (self->account != NULL && !g_cancellable_is_cancelled (self->cancellable))
    return FALSE;
  self->busy = FALSE;
  g_clear_pointer (&self->work, g_ptr_array_unref);
  return TRUE;
}

static void
send_next (TernOutbox *self)
{
  g_autoptr(TernStoreBatch) batch = NULL;
  TernStoreOutboxRow *row;

  if (stopped (self))
    return;
  if (self->index >= self->work->len)
    {
      finish_run (self);
      return;
    }
  row = current (self);
  if (row->raw == NULL)
    {
      advance (self);
      return;
    }
  if (!tern_outbox_row_is_append (row)
      && (self->smtp == NULL || !tern_smtp_client_is_connected (self->smtp)))
    {
      g_clear_object (&self->smtp);
      tern_account_open_smtp_async (self->account, self->cancellable, open_smtp_cb,
                                    g_object_ref (self));
      return;
    }
  batch = tern_store_begin_batch (self->store);
  tern_store_batch_outbox_set_sending (batch, row->id);
  commit_then (self, batch, tern_outbox_row_is_append (row) ? append_claimed : claimed);
}

static void
run (TernOutbox *self)
{
  g_autoptr(GError) error = NULL;

  if (!self->started || self->account == NULL)
    return;
  if (self->busy)
    {
      self->again = TRUE;
      return;
    }
  self->busy = TRUE;
  if (!self->recovered)
    {
      self->work = tern_store_list_outbox (self->store, tern_account_get_id (self->account),
                                           TERN_STORE_OUTBOX_SENDING, &error);
      self->index = 0;
      if (self->work == NULL)
        {
          g_message ("outbox: %s", error->message);
          self->busy = FALSE;
          return;
        }
      recover_next (self);
      return;
    }
  self->work = tern_store_list_outbox_due (self->store, tern_account_get_id (self->account),
                                           now_seconds (), &error);
  self->index = 0;
  if (self->work == NULL)
    {
      g_message ("outbox: %s", error->message);
      self->busy = FALSE;
      return;
    }
  send_next (self);
}

/* ---- recovery of SENDING entries -------------------------------------------- */

typedef struct {
  TernOutbox *self;
  gboolean    tried_sent;
} RecoverData;

static void recover_search (TernOutbox *self, TernStoreFolderRole role);

static void
recover_advance (TernOutbox *self)
{
  self->index++;
  recover_next (self);
}

static void
recover_found (TernOutbox *self,
               gboolean    found)
{
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (self->store);
  TernStoreOutboxRow *row = current (self);

  if (found)
    {
      /* A copy is on the server: it was sent before the process died. */
      tern_store_batch_outbox_sent (batch, row->id);
      if (row->message_id != 0)
        g_signal_emit (self, signals[SIGNAL_SENT], 0, row->id, row->message_id);
    }
  else
    tern_store_batch_outbox_retry (batch, row->id, "interrupted while sending", now_seconds ());
  commit_then (self, batch, recover_advance);
}

static void
recover_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  RecoverData *data = user_data;
  g_autoptr(TernOutbox) self = data->self;
  g_autoptr(GError) error = NULL;
  gboolean tried_sent = data->tried_sent;
  gboolean found = FALSE;

  g_free (data);
  if (!tern_account_find_message_id_finish (TERN_ACCOUNT (object), result, &found, &error))
    {
      /* Unknown: try again at the next start; keep the entry SENDING. */
      g_message ("outbox: could not look for a sent copy: %s", error->message);
      self->busy = FALSE;
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_pointer (&self->work, g_ptr_array_unref);
          g_clear_handle_id (&self->timer, g_source_remove);
          self->timer = g_timeout_add_seconds (BACKOFF_FIRST, timer_cb, self);
        }
      return;
    }
  if (!found && !tried_sent)
    {
      recover_search (self, TERN_STORE_FOLDER_ROLE_SENT);
      return;
    }
  recover_found (self, found);
}

static void
recover_search (TernOutbox         *self,
                TernStoreFolderRole role)
{
  RecoverData *data = g_new0 (RecoverData, 1);

  data->self = g_object_ref (self);
  data->tried_sent = role == TERN_STORE_FOLDER_ROLE_SENT;
  tern_account_find_message_id_async (self->account, role, current (self)->rfc822_message_id,
                                      self->cancellable, recover_cb, data);
}

static void
recover_next (TernOutbox *self)
{
  if (stopped (self))
    return;
  if (self->index >= self->work->len)
    {
      self->recovered = TRUE;
      self->busy = FALSE;
      g_clear_pointer (&self->work, g_ptr_array_unref);
      run (self);
      return;
    }
  recover_search (self, TERN_STORE_FOLDER_ROLE_CHATS);
}

/* ---- public ---------------------------------------------------------------------- */

void
tern_outbox_start (TernOutbox *self)
{
  g_return_if_fail (TERN_IS_OUTBOX (self));

  if (self->started)
    return;
  self->started = TRUE;
  if (g_cancellable_is_cancelled (self->cancellable))
    {
      g_clear_object (&self->cancellable);
      self->cancellable = g_cancellable_new ();
    }
  run (self);
}

void
tern_outbox_stop (TernOutbox *self)
{
  g_return_if_fail (TERN_IS_OUTBOX (self));

  self->started = FALSE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer, g_source_remove);
  if (self->smtp != NULL)
    tern_smtp_client_close (self->smtp);
  g_clear_object (&self->smtp);
}

void
tern_outbox_kick (TernOutbox *self)
{
  g_return_if_fail (TERN_IS_OUTBOX (self));

  if (!self->started)
    tern_outbox_start (self);
  else
    run (self);
}

/* ---- refused recipients ---------------------------------------------------------- */

void
tern_outbox_refused_free (TernOutboxRefused *refused)
{
  if (refused == NULL)
    return;
  g_free (refused->address);
  g_free (refused->reason);
  g_free (refused);
}

GPtrArray *
tern_outbox_list_refused (TernStore                 *store,
                          const TernStoreMessageRow *message)
{
  const TernStoreOutboxState states[] = { TERN_STORE_OUTBOX_FAILED, TERN_STORE_OUTBOX_QUEUED };
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_outbox_refused_free);

  g_return_val_if_fail (TERN_IS_STORE (store), out);
  if (message == NULL || !message->outgoing || message->message_id == NULL)
    return out;
  for (guint s = 0; s < G_N_ELEMENTS (states); s++)
    {
      g_autoptr(GPtrArray) entries = tern_store_list_outbox (store, message->account_id,
                                                             states[s], NULL);

      for (guint i = 0; entries != NULL && i < entries->len; i++)
        {
          const TernStoreOutboxRow *e = entries->pdata[i];

          if (e->message_id != 0 || e->last_error == NULL
              || g_strcmp0 (e->rfc822_message_id, message->message_id) != 0
              || tern_outbox_row_is_append (e))
            continue;
          for (guint j = 0; e->recipients != NULL && e->recipients[j] != NULL; j++)
            {
              TernOutboxRefused *r = g_new0 (TernOutboxRefused, 1);

              r->address = g_strdup (e->recipients[j]);
              r->reason = g_strdup (e->last_error);
              r->retrying = states[s] == TERN_STORE_OUTBOX_QUEUED;
              g_ptr_array_add (out, r);
            }
        }
    }
  return out;
}
