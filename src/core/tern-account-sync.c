/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-core"

#include <string.h>

#include "tern-account-private.h"
#include "tern-ingest.h"

/* One sync pass over INBOX, <root>/Chats and Sent (Blocked is not shown,
 * Contacts belongs to the contact storage):
 *
 * 1. per folder: with QRESYNC (ENABLEd once per connection) and a known
 *    UIDVALIDITY/HIGHESTMODSEQ, SELECT (QRESYNC ...) gives the vanished
 *    UIDs and the changed flags at once, and the new UIDs are those from
 *    the stored UIDNEXT on. Otherwise SELECT (CONDSTORE when offered); a
 *    new UIDVALIDITY drops the folder's locations (messages stay:
 *    Message-ID is the identity, so nothing is duplicated); UID SEARCH ALL
 *    against the UIDs the store knows gives the new UIDs and the vanished
 *    ones; with CONDSTORE and a known HIGHESTMODSEQ, UID FETCH (FLAGS)
 *    (CHANGEDSINCE) gives flag changes (read on another device);
 * 2. new messages are fetched newest first: first a small chunk of every
 *    folder (the first screen), then the rest in chunks, pipelined: the
 *    next chunk is fetched while the ingest parses the previous one on
 *    worker threads and commits it on the store thread; chunks are stored
 *    one after the other, in order;
 * 3. client-side filtering on a plain server (INBOX only): chat messages
 *    get the $Chat keyword (as a COI server does), the user's own get
 *    \Seen; in mode active they are moved to Chats once stored, in mode
 *    seen when \Seen; none leaves them. A COI server files them itself:
 *    the client never moves anything there.
 * 4. the folders' sync state (UIDNEXT, HIGHESTMODSEQ) is saved. */

#define FIRST_CHUNK 50
/* History chunks grow from RAMP_CHUNK to CHUNK (doubling): a chunk is
 * parsed only once it is all there, so a small one gets the workers going
 * early; and the pass's last chunk is LAST_CHUNK, so little is left to
 * parse and store once the last byte arrived. The chunks between are
 * large: each costs a FETCH round trip and a store commit, and the store
 * writes a message more cheaply in a bigger batch, so they are what
 * tern_store_batch_size_for() asks for (up to CHUNK, fewer towards the
 * end). A chunk is also kept to about CHUNK_BYTES of raw messages, by the
 * average size of the messages fetched so far: the pipeline holds up to
 * READY_MAX + 2 chunks, and a mailbox of big messages must not hold
 * thousands of them. */
#define RAMP_CHUNK 250
#define CHUNK 4000
#define LAST_CHUNK 250
#define CHUNK_BYTES ((guint64) 16 * 1024 * 1024)
/* fetched chunks waiting for the ingest (being parsed meanwhile) */
#define READY_MAX 2

typedef struct {
  TernStoreFolderRole role;
  gint64              folder_id;
  char               *name;
  guint32             uidvalidity;
  guint32             uidnext;     /* as stored: the CHANGEDSINCE range */
  guint64             modseq;      /* as stored (0 after a UIDVALIDITY change) */
  guint32             new_uidnext; /* as SELECT saw them: saved at the end */
  guint64             new_modseq;
  GArray             *new_uids;    /* guint32, descending */
  guint               next;        /* index into new_uids */
  gboolean            qresync;     /* selected with (QRESYNC ...) this pass */
  GArray             *known;       /* with qresync: the UIDs the store knew, ascending */
} FolderSync;

/* One chunk of new messages of one folder: fetched, then ingested (parsed
 * on a worker, stored on the store thread), then filtered. */
typedef struct {
  guint      folder;               /* index into SyncData.folders */
  GPtrArray *fetched;              /* TernAccountFetched* */
  gint64     start;                /* monotonic µs, for the debug log */
} Chunk;

typedef struct {
  TernImapClient *imap;
  GPtrArray      *folders;         /* FolderSync* */
  guint           index;           /* current folder in phase A */
  int             phase;           /* 0 = A, 1 = first screen, 2 = history, 3 = filter, 4 = save */
  guint           chunk_folder;    /* folder of the chunk being ingested / filtered */
  GPtrArray      *fetched;         /* TernAccountFetched* being ingested / filtered */
  guint           total;
  guint           done;
  guint           history_chunk;   /* the size of the next history chunk (ramp) */
  guint64         fetched_bytes;   /* raw bytes of the messages fetched so far */
  guint           fetched_count;   /* and their number */
  gboolean        condstore;
  gboolean        qresync;         /* QRESYNC enabled on this connection */
  gboolean        qresync_overflow; /* a VANISHED set too large: compare UIDs instead */
  gboolean        validity_pending; /* data->batch holds a first UIDVALIDITY to save */
  TernStoreBatch *batch;
  /* the pipeline of phases 1 and 2: one chunk on the wire, one fetched and
   * waiting, one being ingested; each finishes in order */
  Chunk          *fetching;
  GQueue          ready;           /* Chunk*, fetched, being parsed (at most READY_MAX) */
  gboolean        ingesting;
  guint           outstanding;     /* pipeline operations whose callback is due */
  GError         *error;           /* the first failure: returned once nothing is due */
  gboolean        returned;
  /* QRESYNC answers to the running SELECT */
  GArray         *vanished;        /* guint32 */
  GArray         *changed_uids;    /* guint32 */
  gulong          vanished_id;
  gulong          fetch_id;
  /* where the running UID FETCH delivers */
  FolderSync     *collect_folder;
  GPtrArray      *collect_into;
} SyncData;

static void sync_next (GTask *task);

static void
folder_sync_free (FolderSync *f)
{
  g_free (f->name);
  g_clear_pointer (&f->new_uids, g_array_unref);
  g_clear_pointer (&f->known, g_array_unref);
  g_free (f);
}

static void
chunk_free (Chunk *chunk)
{
  if (chunk == NULL)
    return;
  g_clear_pointer (&chunk->fetched, g_ptr_array_unref);
  g_free (chunk);
}

static void
sync_data_free (SyncData *data)
{
  g_clear_signal_handler (&data->vanished_id, data->imap);
  g_clear_signal_handler (&data->fetch_id, data->imap);
  g_clear_object (&data->imap);
  g_clear_pointer (&data->folders, g_ptr_array_unref);
  g_clear_pointer (&data->fetched, g_ptr_array_unref);
  g_clear_pointer (&data->fetching, chunk_free);
  g_queue_clear_full (&data->ready, (GDestroyNotify) chunk_free);
  g_clear_pointer (&data->vanished, g_array_unref);
  g_clear_pointer (&data->changed_uids, g_array_unref);
  g_clear_error (&data->error);
  g_clear_object (&data->batch);
  g_free (data);
}

/* Returns the first error once no pipeline operation is due any more (an
 * ingest still running would otherwise commit after the caller went on). */
static void
finish_failed (GTask *task)
{
  SyncData *data = g_task_get_task_data (task);

  if (data->error == NULL || data->outstanding > 0 || data->returned)
    return;
  data->returned = TRUE;
  /* chunks fetched but not to be ingested: their parse is not wanted */
  while (!g_queue_is_empty (&data->ready))
    {
      Chunk *chunk = g_queue_pop_head (&data->ready);

      tern_ingest_forget (g_task_get_source_object (task), chunk->fetched);
      chunk_free (chunk);
    }
  g_task_return_error (task, g_steal_pointer (&data->error));
  g_object_unref (task);
}

static void
sync_fail (GTask        *task,
           const GError *error)
{
  SyncData *data = g_task_get_task_data (task);

  if (data->error == NULL)
    data->error = tern_core_error_wrap (error, "Sync");
  finish_failed (task);
}

static FolderSync *
current_folder (SyncData *data)
{
  return data->folders->pdata[data->index];
}

static void
update_progress (TernAccount *self,
                 SyncData    *data)
{
  tern_account_set_syncing (self, TRUE,
                            data->total > 0 ? (double) data->done / data->total : 0.0);
}

static gboolean
has_flag (char **flags,
          const char *flag)
{
  for (guint i = 0; flags != NULL && flags[i] != NULL; i++)
    if (g_ascii_strcasecmp (flags[i], flag) == 0)
      return TRUE;
  return FALSE;
}

static int
cmp_uid_desc (gconstpointer a,
              gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return x < y ? 1 : x > y ? -1 : 0;
}

static int
cmp_uid_asc (gconstpointer a,
             gconstpointer b)
{
  return -cmp_uid_desc (a, b);
}

/* Monotonic ms (mod 10^5) for the debug log: a timeline of the pass. */
static double
now_ms (void)
{
  return (g_get_monotonic_time () % (G_GINT64_CONSTANT (100000) * 1000)) / 1000.0;
}

/* ---- phase A: select, compare, flags --------------------------------------- */

static void
flags_ingested_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  SyncData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!tern_account_ingest_finish (TERN_ACCOUNT (object), result, &error))
    return sync_fail (task, error);
  g_clear_pointer (&data->fetched, g_ptr_array_unref);
  data->index++;
  sync_next (task);
}

static void
collect_batch (TernImapClient *client,
               GPtrArray      *fetches,
               gpointer        user_data)
{
  GTask *task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  FolderSync *folder = data->collect_folder;

  for (guint i = 0; i < fetches->len; i++)
    {
      TernImapFetch *fetch = fetches->pdata[i];
      TernAccountFetched *f;
      TernImapBodySection *body = NULL;

      if (fetch->uid == 0)
        continue;
      f = g_new0 (TernAccountFetched, 1);
      f->folder_id = folder->folder_id;
      f->role = folder->role;
      f->uid = fetch->uid;
      f->modseq = fetch->modseq;
      f->flags = g_strdupv (fetch->flags);
      f->internal_date = fetch->internaldate != NULL ? g_date_time_to_unix (fetch->internaldate) : 0;
      for (guint s = 0; s < fetch->sections->len; s++)
        {
          TernImapBodySection *section = fetch->sections->pdata[s];
          if (section->data == NULL)
            continue;
          if (section->section[0] == '\0')
            body = section;
          else if (g_str_has_prefix (section->section, "HEADER"))
            {
              /* Message-ID header of a flag change */
              gsize len;
              const char *text = g_bytes_get_data (section->data, &len);
              g_autofree char *copy = g_strndup (text, len);
              char *lt = strchr (copy, '<');
              char *gt = lt != NULL ? strchr (lt, '>') : NULL;
              if (lt != NULL && gt != NULL)
                f->message_id = g_strndup (lt + 1, gt - lt - 1);
            }
        }
      if (body != NULL)
        {
          f->raw = g_bytes_ref (body->data);
          self->debug_fetch_count++;
        }
      g_ptr_array_add (data->collect_into, f);
    }
  g_debug ("T %.1f: %u received (%u in the chunk)", now_ms (), fetches->len,
           data->collect_into->len);
}

static void
flags_fetched_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!tern_imap_client_uid_fetch_finish (data->imap, result, NULL, &error))
    return sync_fail (task, error);
  if (data->fetched->len == 0)
    {
      g_clear_pointer (&data->fetched, g_ptr_array_unref);
      data->index++;
      sync_next (task);
      return;
    }
  tern_account_ingest_async (self, data->fetched, g_task_get_cancellable (task),
                             flags_ingested_cb, task);
}

static void
after_vanished (GTask *task)
{
  SyncData *data = g_task_get_task_data (task);
  FolderSync *folder = current_folder (data);
  static const char *const header_fields[] = { "MESSAGE-ID", NULL };
  TernImapFetchOptions options = { 0, };

  g_clear_object (&data->batch);

  if (!data->condstore || folder->modseq == 0 || folder->uidnext <= 1)
    {
      data->index++;
      sync_next (task);
      return;
    }
  /* flag changes since the last sync, for the messages known before */
  options.changed_since = folder->modseq;
  options.header_fields = header_fields;
  data->fetched = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_account_fetched_free);
  data->collect_folder = folder;
  data->collect_into = data->fetched;
  {
    g_autofree char *set = g_strdup_printf ("1:%u", folder->uidnext - 1);
    tern_imap_client_uid_fetch_async (data->imap, set,
                                      TERN_IMAP_WANT_FLAGS | TERN_IMAP_WANT_MODSEQ |
                                      TERN_IMAP_WANT_HEADER,
                                      &options, collect_batch, task, g_task_get_cancellable (task),
                                      flags_fetched_cb, task);
  }
}

static void
vanished_committed_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!tern_store_commit_finish (TERN_STORE (object), result, &error))
    return sync_fail (task, error);
  after_vanished (task);
}

static void
search_all_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) server = tern_imap_client_uid_search_finish (data->imap, result, &error);
  g_autoptr(GArray) known = NULL;
  FolderSync *folder = current_folder (data);
  TernStore *store = tern_context_get_store (self->context);
  guint i = 0, j = 0, vanished = 0;

  if (server == NULL)
    return sync_fail (task, error);
  known = tern_store_list_folder_uids (store, folder->folder_id, &error);
  if (known == NULL)
    return sync_fail (task, error);
  g_array_sort (server, cmp_uid_asc);

  /* merge walk: server - known = new, known - server = vanished (the
   * batch may hold the new UIDVALIDITY already: see selected_cb()) */
  if (data->batch == NULL)
    data->batch = tern_store_begin_batch (store);
  folder->new_uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  while (i < server->len || j < known->len)
    {
      guint32 s = i < server->len ? g_array_index (server, guint32, i) : G_MAXUINT32;
      guint32 k = j < known->len ? g_array_index (known, guint32, j) : G_MAXUINT32;
      if (s == k)
        i++, j++;
      else if (s < k)
        {
          g_array_append_val (folder->new_uids, s);
          i++;
        }
      else
        {
          tern_store_batch_remove_location (data->batch, folder->folder_id, k);
          vanished++;
          j++;
        }
    }
  g_array_sort (folder->new_uids, cmp_uid_desc);
  data->total += folder->new_uids->len;
  g_debug ("%s: %u on the server, %u known, %u new", folder->name, server->len, known->len,
           folder->new_uids->len);
  if (vanished == 0 && !data->validity_pending)
    /* nothing to write: no store round trip */
    return after_vanished (task);
  data->validity_pending = FALSE;
  tern_store_commit_async (store, data->batch, g_task_get_cancellable (task),
                           vanished_committed_cb, task);
}

static void
search_all (GTask *task)
{
  SyncData *data = g_task_get_task_data (task);
  g_autoptr(TernImapSearchQuery) query = tern_imap_search_query_new ();

  tern_imap_search_query_add_raw (query, "ALL");
  tern_imap_client_uid_search_async (data->imap, query, g_task_get_cancellable (task),
                                     search_all_cb, task);
}

static void
validity_committed_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GTask *task = user_data;
  SyncData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!tern_store_commit_finish (TERN_STORE (object), result, &error))
    return sync_fail (task, error);
  g_clear_object (&data->batch);
  search_all (task);
}

/* ---- phase A with QRESYNC (RFC 7162) ----------------------------------------- *
 *
 * SELECT mailbox (QRESYNC (uidvalidity modseq known-uids)) answers with the
 * UIDs expunged since (VANISHED (EARLIER)) and the flags changed since
 * (FETCH) in the one round trip: no UID SEARCH ALL and no comparison with
 * every known UID. New messages are the UIDs from the stored UIDNEXT on
 * (asked only when UIDNEXT moved); flag changes need the Message-ID of the
 * changed messages, fetched for those only. Without QRESYNC, or after a
 * UIDVALIDITY change, phase A compares the UIDs (below). */

#define QRESYNC_MAX_VANISHED 1000000

static void
qresync_vanished_cb (TernImapClient *imap,
                     gpointer        vanished_,
                     GTask          *task)
{
  const TernImapVanished *vanished = vanished_;
  SyncData *data = g_task_get_task_data (task);
  g_autoptr(GArray) uids = NULL;

  if (!vanished->earlier || data->qresync_overflow)
    return;
  uids = tern_imap_uid_set_to_array (vanished->uids, QRESYNC_MAX_VANISHED, NULL);
  if (uids == NULL || data->vanished->len + uids->len > QRESYNC_MAX_VANISHED)
    {
      data->qresync_overflow = TRUE;
      return;
    }
  g_array_append_vals (data->vanished, uids->data, uids->len);
}

static void
qresync_fetch_cb (TernImapClient *imap,
                  gpointer        fetch_,
                  GTask          *task)
{
  const TernImapFetch *fetch = fetch_;
  SyncData *data = g_task_get_task_data (task);

  if (fetch->uid == 0 || fetch->flags == NULL)
    return;
  g_array_append_val (data->changed_uids, fetch->uid);
}

static void
qresync_new_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data);

static void
qresync_flags (GTask *task)
{
  SyncData *data = g_task_get_task_data (task);
  FolderSync *folder = current_folder (data);
  static const char *const header_fields[] = { "MESSAGE-ID", NULL };
  TernImapFetchOptions options = { 0, };
  g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autofree char *set = NULL;

  /* the changed messages known before (new ones are fetched whole) */
  for (guint i = 0; i < data->changed_uids->len; i++)
    {
      guint32 uid = g_array_index (data->changed_uids, guint32, i);
      if (folder->uidnext == 0 || uid < folder->uidnext)
        g_array_append_val (uids, uid);
    }
  g_array_set_size (data->changed_uids, 0);
  g_debug ("%s: QRESYNC: %u new, %u changed", folder->name, folder->new_uids->len, uids->len);
  if (uids->len == 0)
    {
      data->index++;
      sync_next (task);
      return;
    }
  g_array_sort (uids, cmp_uid_asc);
  set = tern_imap_uid_set_format ((const guint32 *) (gpointer) uids->data, uids->len);
  options.header_fields = header_fields;
  data->fetched = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_account_fetched_free);
  data->collect_folder = folder;
  data->collect_into = data->fetched;
  tern_imap_client_uid_fetch_async (data->imap, set,
                                    TERN_IMAP_WANT_FLAGS | TERN_IMAP_WANT_MODSEQ |
                                    TERN_IMAP_WANT_HEADER,
                                    &options, collect_batch, task, g_task_get_cancellable (task),
                                    flags_fetched_cb, task);
}

static gboolean
uid_known (GArray  *known,
           guint32  uid)
{
  guint lo = 0, hi = known != NULL ? known->len : 0;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      guint32 k = g_array_index (known, guint32, mid);
      if (k == uid)
        return TRUE;
      if (k < uid)
        lo = mid + 1;
      else
        hi = mid;
    }
  return FALSE;
}

static void
qresync_new_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  SyncData *data = g_task_get_task_data (task);
  FolderSync *folder = current_folder (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) uids = tern_imap_client_uid_search_finish (data->imap, result, &error);

  if (uids == NULL)
    return sync_fail (task, error);
  /* "n:*" matches the highest UID even below n; UIDs an interrupted pass
   * already stored (its UIDNEXT was not saved) are not fetched again */
  for (guint i = 0; i < uids->len; i++)
    {
      guint32 uid = g_array_index (uids, guint32, i);
      if (uid >= folder->uidnext && !uid_known (folder->known, uid))
        g_array_append_val (folder->new_uids, uid);
    }
  g_array_sort (folder->new_uids, cmp_uid_desc);
  data->total += folder->new_uids->len;
  qresync_flags (task);
}

static void
qresync_committed_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  SyncData *data = g_task_get_task_data (task);
  FolderSync *folder = current_folder (data);
  g_autoptr(GError) error = NULL;

  if (!tern_store_commit_finish (TERN_STORE (object), result, &error))
    return sync_fail (task, error);
  g_clear_object (&data->batch);
  if (folder->new_uidnext > folder->uidnext)
    {
      g_autoptr(TernImapSearchQuery) query = tern_imap_search_query_new ();
      g_autofree char *keys = g_strdup_printf ("UID %u:*", MAX (folder->uidnext, 1));

      tern_imap_search_query_add_raw (query, keys);
      tern_imap_client_uid_search_async (data->imap, query, g_task_get_cancellable (task),
                                         qresync_new_cb, task);
      return;
    }
  qresync_flags (task);
}

/* The SELECT (QRESYNC) succeeded with the UIDVALIDITY we know. */
static void
qresync_selected (GTask *task)
{
  TernAccount *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  FolderSync *folder = current_folder (data);
  TernStore *store = tern_context_get_store (self->context);

  folder->new_uidnext = tern_imap_client_get_uidnext (data->imap);
  folder->new_modseq = tern_imap_client_get_highestmodseq (data->imap);
  folder->new_uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  data->batch = tern_store_begin_batch (store);
  for (guint i = 0; i < data->vanished->len; i++)
    tern_store_batch_remove_location (data->batch, folder->folder_id,
                                      g_array_index (data->vanished, guint32, i));
  g_debug ("%s: QRESYNC: %u vanished", folder->name, data->vanished->len);
  g_array_set_size (data->vanished, 0);
  tern_store_commit_async (store, data->batch, g_task_get_cancellable (task),
                           qresync_committed_cb, task);
}

static void
selected_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  FolderSync *folder = current_folder (data);
  TernStore *store = tern_context_get_store (self->context);
  guint32 validity;

  if (!tern_imap_client_select_finish (data->imap, result, &error))
    {
      g_clear_signal_handler (&data->vanished_id, data->imap);
      g_clear_signal_handler (&data->fetch_id, data->imap);
      if (g_error_matches (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_NO))
        {
          /* the folder is gone on the server: skip it this pass */
          g_debug ("SELECT %s: %s", folder->name, error->message);
          folder->new_uids = g_array_new (FALSE, FALSE, sizeof (guint32));
          folder->new_uidnext = folder->uidnext;
          folder->new_modseq = folder->modseq;
          data->index++;
          sync_next (task);
          return;
        }
      return sync_fail (task, error);
    }
  validity = tern_imap_client_get_uidvalidity (data->imap);
  g_clear_signal_handler (&data->vanished_id, data->imap);
  g_clear_signal_handler (&data->fetch_id, data->imap);
  if (folder->qresync && folder->uidvalidity == validity && !data->qresync_overflow)
    return qresync_selected (task);
  data->batch = tern_store_begin_batch (store);
  tern_store_batch_set_folder_uidvalidity (data->batch, folder->folder_id, validity);
  folder->new_uidnext = tern_imap_client_get_uidnext (data->imap);
  folder->new_modseq = tern_imap_client_get_highestmodseq (data->imap);
  if (folder->uidvalidity != 0 && folder->uidvalidity != validity)
    {
      /* the old locations go first: the UIDs the store knows are read next */
      g_debug ("%s: UIDVALIDITY %u -> %u: locations dropped", folder->name, folder->uidvalidity,
               validity);
      folder->modseq = 0;
      folder->uidnext = 0;
      folder->uidvalidity = validity;
      tern_store_commit_async (store, data->batch, g_task_get_cancellable (task),
                               validity_committed_cb, task);
      return;
    }
  /* first seen (no location to drop) or unchanged: saved with what the
   * comparison finds, in one commit (none when there is nothing to save) */
  data->validity_pending = folder->uidvalidity != validity;
  folder->uidvalidity = validity;
  search_all (task);
}

/* ---- phase B: chunks, pipelined ------------------------------------------------ *
 *
 * The next chunk is on the wire while the previous one is parsed (on a
 * worker thread, by the ingest) and committed (on the store thread); the
 * main thread only drives the connection and builds the store batches.
 * Up to READY_MAX fetched chunks wait for the ingest, already being
 * parsed (tern_ingest_prepare()). Chunks are stored one at a time in the
 * order fetched, so the ingest
 * sees every earlier chunk committed (its dedup and held edits rely on
 * it). The filter of an INBOX chunk (plain server) runs on the same
 * connection after its ingest, so no other folder is selected until it
 * is done. */

static void pump (GTask *task);
static void filter_chunk (GTask *task);
static void after_chunks (GTask *task);

static gboolean
chunk_needs_filter (TernAccount *self,
                    FolderSync  *folder)
{
  return !self->coi_server && folder->role == TERN_STORE_FOLDER_ROLE_INBOX;
}

guint
tern_account_sync_chunk_size (guint   ramp,
                              guint   left,
                              guint   all,
                              guint64 fetched_bytes,
                              guint   fetched_count)
{
  guint n = MIN (MAX (ramp, RAMP_CHUNK), tern_store_batch_size_for (all));

  /* the pass's last chunk: LAST_CHUNK (when what is left is more than two
   * of them) */
  if (left == all && left <= n && left > 2 * LAST_CHUNK)
    n = left - LAST_CHUNK;
  else if (left == all && left > n && left < n + LAST_CHUNK)
    n = left - LAST_CHUNK;
  if (fetched_count > 0 && fetched_bytes > 0)
    {
      guint64 average = MAX (fetched_bytes / fetched_count, 1);

      n = (guint) MAX (MIN ((guint64) n, CHUNK_BYTES / average), 1);
    }
  return n;
}

/* The folder of the next chunk and its size (phase 1: the first chunk of
 * every folder, the first screen; phase 2: the rest); FALSE when all is
 * fetched. The folder selected already goes first: no SELECT round trip
 * between two chunks of one folder, nor after phase A (which ends on
 * INBOX). */
static gboolean
peek_next (SyncData *data,
           guint    *folder_index,
           guint    *n)
{
  const char *selected = tern_imap_client_get_selected_mailbox (data->imap);

  for (;;)
    {
      guint pick = G_MAXUINT;

      for (guint i = 0; i < data->folders->len; i++)
        {
          FolderSync *folder = data->folders->pdata[i];
          if (folder->new_uids != NULL && folder->next < folder->new_uids->len &&
              (data->phase == 2 || folder->next == 0))
            {
              if (pick == G_MAXUINT)
                pick = i;
              if (g_strcmp0 (selected, folder->name) == 0)
                {
                  pick = i;
                  break;
                }
            }
        }
      if (pick != G_MAXUINT)
        {
          FolderSync *folder = data->folders->pdata[pick];
          guint left = folder->new_uids->len - folder->next;
          guint all = 0;

          *folder_index = pick;
          if (data->phase == 1)
            {
              *n = FIRST_CHUNK;
              return TRUE;
            }
          for (guint i = 0; i < data->folders->len; i++)
            {
              FolderSync *other = data->folders->pdata[i];
              if (other->new_uids != NULL)
                all += other->new_uids->len - other->next;
            }
          *n = tern_account_sync_chunk_size (data->history_chunk, left, all,
                                             data->fetched_bytes, data->fetched_count);
          return TRUE;
        }
      if (data->phase != 1)
        return FALSE;
      data->phase = 2;
    }
}

/* The chunk (stored, filtered) is done with. */
static void
ingest_done (GTask        *task,
             const GError *error)
{
  SyncData *data = g_task_get_task_data (task);

  data->ingesting = FALSE;
  data->outstanding--;
  g_clear_pointer (&data->fetched, g_ptr_array_unref);
  if (error != NULL)
    sync_fail (task, error);
  else
    pump (task);
}

static void
chunk_ingested_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!tern_account_ingest_finish (self, result, &error))
    return ingest_done (task, error);
  g_debug ("T %.1f: ingest of %u done", now_ms (), data->fetched->len);
  data->done += data->fetched->len;
  update_progress (self, data);
  if (data->error != NULL)
    return ingest_done (task, NULL);
  filter_chunk (task);
}

static void
start_ingest (GTask *task)
{
  TernAccount *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  Chunk *chunk = g_queue_pop_head (&data->ready);

  data->chunk_folder = chunk->folder;
  data->fetched = g_steal_pointer (&chunk->fetched);
  chunk_free (chunk);
  data->ingesting = TRUE;
  data->outstanding++;
  g_debug ("T %.1f: ingest of %u starts", now_ms (), data->fetched->len);
  tern_account_ingest_async (self, data->fetched, g_task_get_cancellable (task),
                             chunk_ingested_cb, task);
}

/* The chunk on the wire is done with (@chunk is the one data->fetching held). */
static void
fetch_done (GTask        *task,
            Chunk        *chunk,
            const GError *error)
{
  SyncData *data = g_task_get_task_data (task);

  data->outstanding--;
  if (error != NULL || data->error != NULL || chunk->fetched->len == 0)
    chunk_free (chunk);
  else
    {
      /* parsed on workers while it waits for the ingest */
      tern_ingest_prepare (g_task_get_source_object (task), chunk->fetched);
      g_queue_push_tail (&data->ready, chunk);
    }
  if (error != NULL)
    sync_fail (task, error);
  else
    pump (task);
}

static void
chunk_fetched_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  SyncData *data = g_task_get_task_data (task);
  Chunk *chunk = g_steal_pointer (&data->fetching);
  g_autoptr(GError) error = NULL;

  if (!tern_imap_client_uid_fetch_finish (data->imap, result, NULL, &error))
    return fetch_done (task, chunk, error);
  for (guint i = 0; i < chunk->fetched->len; i++)
    {
      TernAccountFetched *fetched = chunk->fetched->pdata[i];

      if (fetched->raw != NULL)
        {
          data->fetched_bytes += g_bytes_get_size (fetched->raw);
          data->fetched_count++;
        }
    }
  g_debug ("T %.1f: chunk of %u fetched after %.1f ms", now_ms (), chunk->fetched->len,
           (g_get_monotonic_time () - chunk->start) / 1000.0);
  fetch_done (task, chunk, NULL);
}

static void
fetch_chunk (GTask *task,
             guint  n)
{
  SyncData *data = g_task_get_task_data (task);
  Chunk *chunk = data->fetching;
  FolderSync *folder = data->folders->pdata[chunk->folder];
  g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autofree char *set = NULL;
  TernImapFetchOptions options = { 0, };

  n = MIN (n, folder->new_uids->len - folder->next);
  g_array_append_vals (uids, &g_array_index (folder->new_uids, guint32, folder->next), n);
  folder->next += n;
  g_array_sort (uids, cmp_uid_asc);
  set = tern_imap_uid_set_format ((const guint32 *) (gpointer) uids->data, uids->len);
  chunk->fetched = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_account_fetched_free);
  data->collect_folder = folder;
  data->collect_into = chunk->fetched;
  options.batch_count = 1000;
  options.batch_bytes = 64 * 1024 * 1024;
  tern_imap_client_uid_fetch_async (data->imap, set,
                                    TERN_IMAP_WANT_FLAGS | TERN_IMAP_WANT_INTERNALDATE |
                                    (data->condstore ? TERN_IMAP_WANT_MODSEQ : 0) |
                                    TERN_IMAP_WANT_BODY,
                                    &options, collect_batch, task, g_task_get_cancellable (task),
                                    chunk_fetched_cb, task);
}

static void
chunk_selected_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  SyncData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  Chunk *chunk = data->fetching;
  FolderSync *folder = data->folders->pdata[chunk->folder];
  guint n = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (task), "chunk-size"));

  if (!tern_imap_client_select_finish (data->imap, result, &error))
    return fetch_done (task, g_steal_pointer (&data->fetching), error);
  if (data->error != NULL)
    return fetch_done (task, g_steal_pointer (&data->fetching), NULL);
  if (tern_imap_client_get_uidvalidity (data->imap) != folder->uidvalidity)
    {
      /* changed under us: the next pass starts over for this folder */
      folder->next = folder->new_uids->len;
      chunk->fetched = g_ptr_array_new ();
      return fetch_done (task, g_steal_pointer (&data->fetching), NULL);
    }
  fetch_chunk (task, n);
}

static void
start_fetch (GTask *task,
             guint  folder_index,
             guint  n)
{
  SyncData *data = g_task_get_task_data (task);
  FolderSync *folder = data->folders->pdata[folder_index];

  if (data->phase == 2)
    data->history_chunk = MAX (data->history_chunk, MIN (n * 2, CHUNK));
  data->fetching = g_new0 (Chunk, 1);
  data->fetching->folder = folder_index;
  data->fetching->start = g_get_monotonic_time ();
  g_debug ("T %.1f: fetch of %u from %s starts", now_ms (), n, folder->name);
  data->outstanding++;
  if (g_strcmp0 (tern_imap_client_get_selected_mailbox (data->imap), folder->name) != 0)
    {
      g_object_set_data (G_OBJECT (task), "chunk-size", GUINT_TO_POINTER (n));
      tern_imap_client_select_async (data->imap, folder->name, FALSE, data->condstore, NULL,
                                     g_task_get_cancellable (task), chunk_selected_cb, task);
    }
  else
    fetch_chunk (task, n);
}

/* Starts what can start: the ingest of a fetched chunk, the fetch of the
 * next one; after the last chunk, the filter pass. */
static void
pump (GTask *task)
{
  TernAccount *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  guint folder_index, n;
  gboolean more;

  if (data->error != NULL)
    return finish_failed (task);
  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    return sync_fail (task, error);

  if (!data->ingesting && !g_queue_is_empty (&data->ready))
    start_ingest (task);

  more = peek_next (data, &folder_index, &n);
  if (more && data->fetching == NULL && data->ready.length < READY_MAX)
    {
      FolderSync *folder = data->folders->pdata[folder_index];
      gboolean reselect = g_strcmp0 (tern_imap_client_get_selected_mailbox (data->imap),
                                     folder->name) != 0;

      /* the filter of a chunk in ingest (or waiting for it) needs its
       * folder selected */
      gboolean filter_due = data->ingesting &&
                            chunk_needs_filter (self, data->folders->pdata[data->chunk_folder]);

      for (GList *l = data->ready.head; l != NULL && !filter_due; l = l->next)
        filter_due = chunk_needs_filter (self,
                                         data->folders->pdata[((Chunk *) l->data)->folder]);
      if (!(reselect && filter_due))
        start_fetch (task, folder_index, n);
    }

  if (!more && data->outstanding == 0 && g_queue_is_empty (&data->ready))
    after_chunks (task);
}

/* ---- filtering (plain server, INBOX) ----------------------------------------- */

static void filter_step (GTask *task);

typedef enum {
  FILTER_KEYWORD,
  FILTER_SEEN,
  FILTER_BLOCKED,
  FILTER_MOVE,
  FILTER_END,
} FilterStage;

static void
moved_recorded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!tern_store_commit_finish (TERN_STORE (object), result, &error))
    return ingest_done (task, error);
  filter_step (task);
}

/* A client-side move (filter or Blocked) with COPYUID: the rows' locations
 * follow the copies to the new folder at once, so a \Seen or $MDNSent set
 * before that folder is synced reaches the copy that exists. TRUE when a
 * commit is on its way (it goes on with filter_step()). */
static gboolean
record_moved (GTask               *task,
              TernImapCopyResult  *copy,
              TernStoreFolderRole  role,
              GAsyncReadyCallback  callback)
{
  TernAccount *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  TernStore *store = tern_context_get_store (self->context);
  gint64 *dest;
  g_autoptr(TernImapUidSet) from_set = NULL;
  g_autoptr(TernImapUidSet) to_set = NULL;
  g_autoptr(GArray) from = NULL;
  g_autoptr(GArray) to = NULL;
  g_autoptr(TernStoreBatch) batch = NULL;
  guint n = 0;

  if (copy->source_uids == NULL || copy->dest_uids == NULL || data->fetched == NULL)
    return FALSE;
  dest = g_hash_table_lookup (self->folder_ids, GINT_TO_POINTER (role));
  from_set = tern_imap_uid_set_parse (copy->source_uids, NULL);
  to_set = tern_imap_uid_set_parse (copy->dest_uids, NULL);
  if (dest == NULL || from_set == NULL || to_set == NULL)
    return FALSE;
  from = tern_imap_uid_set_to_array (from_set, 100000, NULL);
  to = tern_imap_uid_set_to_array (to_set, 100000, NULL);
  if (from == NULL || to == NULL || from->len != to->len)
    return FALSE;
  batch = tern_store_begin_batch (store);
  for (guint i = 0; i < from->len; i++)
    for (guint j = 0; j < data->fetched->len; j++)
      {
        TernAccountFetched *f = data->fetched->pdata[j];

        if (f->uid != g_array_index (from, guint32, i) || f->message_row == 0)
          continue;
        tern_store_batch_add_location (batch, f->message_row, *dest, g_array_index (to, guint32, i));
        tern_store_batch_remove_location (batch, f->folder_id, f->uid);
        n++;
        break;
      }
  if (n == 0)
    return FALSE;
  tern_store_commit_async (store, batch, g_task_get_cancellable (task), callback, task);
  return TRUE;
}

static void
filter_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  SyncData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (g_async_result_is_tagged (result, tern_imap_client_uid_move_async))
    {
      g_autoptr(TernImapCopyResult) copy = tern_imap_client_uid_move_finish (data->imap, result, &error);
      FilterStage *stage = g_object_get_data (G_OBJECT (task), "filter-stage");
      /* the stage just done */
      TernStoreFolderRole role = *stage - 1 == FILTER_BLOCKED ? TERN_STORE_FOLDER_ROLE_BLOCKED
                                                              : TERN_STORE_FOLDER_ROLE_CHATS;
      ok = copy != NULL;
      if (ok && record_moved (task, copy, role, moved_recorded_cb))
        return;
    }
  else
    ok = tern_imap_client_uid_store_finish (data->imap, result, &error);
  if (!ok)
    return ingest_done (task, error);
  filter_step (task);
}

static void
filter_step (GTask *task)
{
  TernAccount *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  FilterStage *stage = g_object_get_data (G_OBJECT (task), "filter-stage");
  g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autofree char *set = NULL;

  while (*stage < FILTER_END)
    {
      FilterStage current = (*stage)++;
      g_array_set_size (uids, 0);
      for (guint i = 0; i < data->fetched->len; i++)
        {
          TernAccountFetched *f = data->fetched->pdata[i];
          gboolean pick = FALSE;
          switch (current)
            {
            case FILTER_KEYWORD:
              /* the keyword serves the moves (seen, and active after an
               * interrupted pass); mode none moves nothing */
              pick = f->is_chat && !f->blocked && !has_flag (f->flags, "$Chat") &&
                     self->row->filter_mode != TERN_STORE_FILTER_NONE;
              break;
            case FILTER_SEEN:
              pick = f->from_self && !has_flag (f->flags, "\\Seen");
              break;
            case FILTER_BLOCKED:
              pick = f->blocked;
              break;
            case FILTER_MOVE:
              pick = f->is_chat && !f->blocked &&
                     (self->row->filter_mode == TERN_STORE_FILTER_ACTIVE ||
                      (self->row->filter_mode == TERN_STORE_FILTER_SEEN &&
                       (f->from_self || has_flag (f->flags, "\\Seen"))));
              break;
            case FILTER_END:
              break;
            }
          if (pick)
            g_array_append_val (uids, f->uid);
        }
      if (uids->len == 0)
        continue;
      g_array_sort (uids, cmp_uid_asc);
      set = tern_imap_uid_set_format ((const guint32 *) (gpointer) uids->data, uids->len);
      switch (current)
        {
        case FILTER_KEYWORD:
          {
            const char *flags[] = { "$Chat", NULL };
            tern_imap_client_uid_store_async (data->imap, set, TERN_IMAP_STORE_ADD, flags,
                                              cancellable, filter_done_cb, task);
            return;
          }
        case FILTER_SEEN:
          {
            const char *flags[] = { "\\Seen", NULL };
            tern_imap_client_uid_store_async (data->imap, set, TERN_IMAP_STORE_ADD, flags,
                                              cancellable, filter_done_cb, task);
            return;
          }
        case FILTER_BLOCKED:
          {
            const char *blocked = tern_account_get_folder_name (self, TERN_STORE_FOLDER_ROLE_BLOCKED);
            if (blocked == NULL)
              continue;
            tern_imap_client_uid_move_async (data->imap, set, blocked, cancellable,
                                             filter_done_cb, task);
            return;
          }
        case FILTER_MOVE:
          {
            const char *chats = tern_account_get_folder_name (self, TERN_STORE_FOLDER_ROLE_CHATS);
            if (chats == NULL)
              continue;
            g_debug ("moving %u chat messages to %s", uids->len, chats);
            tern_imap_client_uid_move_async (data->imap, set, chats, cancellable,
                                             filter_done_cb, task);
            return;
          }
        case FILTER_END:
          break;
        }
    }
  ingest_done (task, NULL);
}

static void
filter_chunk (GTask *task)
{
  TernAccount *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  FolderSync *folder = data->folders->pdata[data->chunk_folder];
  FilterStage *stage;

  if (!chunk_needs_filter (self, folder))
    return ingest_done (task, NULL);
  stage = g_new0 (FilterStage, 1);
  g_object_set_data_full (G_OBJECT (task), "filter-stage", stage, g_free);
  filter_step (task);
}

/* Mode seen: chat messages of INBOX that became \Seen since (read here
 * or elsewhere) are moved at the end of each pass. Their Message-IDs are
 * fetched first, so that with COPYUID the rows' locations follow the
 * copies to Chats at once (as in the per-chunk move). */
static void
seen_recorded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!tern_store_commit_finish (TERN_STORE (object), result, &error))
    return sync_fail (task, error);
  g_clear_pointer (&((SyncData *) g_task_get_task_data (task))->fetched, g_ptr_array_unref);
  sync_next (task);
}

static void
seen_moved_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  SyncData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(TernImapCopyResult) copy = tern_imap_client_uid_move_finish (data->imap, result, &error);

  if (copy == NULL)
    return sync_fail (task, error);
  if (record_moved (task, copy, TERN_STORE_FOLDER_ROLE_CHATS, seen_recorded_cb))
    return;
  g_clear_pointer (&data->fetched, g_ptr_array_unref);
  sync_next (task);
}

static void
seen_move (GTask *task,
           GArray *uids)
{
  TernAccount *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  g_autofree char *set = NULL;

  g_array_sort (uids, cmp_uid_asc);
  set = tern_imap_uid_set_format ((const guint32 *) (gpointer) uids->data, uids->len);
  g_debug ("moving %u seen chat messages to %s", uids->len,
           tern_account_get_folder_name (self, TERN_STORE_FOLDER_ROLE_CHATS));
  tern_imap_client_uid_move_async (data->imap, set,
                                   tern_account_get_folder_name (self, TERN_STORE_FOLDER_ROLE_CHATS),
                                   g_task_get_cancellable (task), seen_moved_cb, task);
}

static void
seen_headers_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  TernStore *store = tern_context_get_store (self->context);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));

  if (!tern_imap_client_uid_fetch_finish (data->imap, result, NULL, &error))
    return sync_fail (task, error);
  for (guint i = 0; i < data->fetched->len; i++)
    {
      TernAccountFetched *f = data->fetched->pdata[i];
      g_autoptr(TernStoreMessageRow) row = NULL;

      g_array_append_val (uids, f->uid);
      if (f->message_id == NULL)
        continue;
      row = tern_store_find_message (store, self->row->id, f->message_id, NULL);
      if (row != NULL)
        f->message_row = row->id;
    }
  if (uids->len == 0)
    {
      g_clear_pointer (&data->fetched, g_ptr_array_unref);
      sync_next (task);
      return;
    }
  seen_move (task, uids);
}

static void
seen_searched_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  SyncData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) uids = tern_imap_client_uid_search_finish (data->imap, result, &error);
  static const char *const header_fields[] = { "MESSAGE-ID", NULL };
  TernImapFetchOptions options = { 0, };
  g_autofree char *set = NULL;
  FolderSync *inbox = NULL;

  if (uids == NULL)
    return sync_fail (task, error);
  if (uids->len == 0)
    {
      sync_next (task);
      return;
    }
  for (guint i = 0; i < data->folders->len; i++)
    if (((FolderSync *) data->folders->pdata[i])->role == TERN_STORE_FOLDER_ROLE_INBOX)
      inbox = data->folders->pdata[i];
  if (inbox == NULL)
    return seen_move (task, uids);
  g_array_sort (uids, cmp_uid_asc);
  set = tern_imap_uid_set_format ((const guint32 *) (gpointer) uids->data, uids->len);
  g_clear_pointer (&data->fetched, g_ptr_array_unref);
  data->fetched = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_account_fetched_free);
  data->collect_folder = inbox;
  data->collect_into = data->fetched;
  options.header_fields = header_fields;
  tern_imap_client_uid_fetch_async (data->imap, set, TERN_IMAP_WANT_HEADER, &options,
                                    collect_batch, task, g_task_get_cancellable (task),
                                    seen_headers_cb, task);
}

static void
seen_selected_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(TernImapSearchQuery) query = tern_imap_search_query_new ();

  if (!tern_imap_client_select_finish (data->imap, result, &error))
    return sync_fail (task, error);
  tern_imap_search_query_add_keyword (query, "$Chat", TRUE);
  if (self->row->filter_mode == TERN_STORE_FILTER_SEEN)
    tern_imap_search_query_add_raw (query, "SEEN");
  tern_imap_client_uid_search_async (data->imap, query, g_task_get_cancellable (task),
                                     seen_searched_cb, task);
}

/* After the last chunk: the end-of-pass move (filter modes seen and
 * active), then the save. */
static void
after_chunks (GTask *task)
{
  TernAccount *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);

  data->phase = 3;
  /* the move for mode active happened per chunk; mode seen (and any
   * chat message an earlier, interrupted pass left) is caught here */
  if (!self->coi_server && self->row->filter_mode != TERN_STORE_FILTER_NONE &&
      tern_account_get_folder_name (self, TERN_STORE_FOLDER_ROLE_CHATS) != NULL)
    {
      tern_imap_client_select_async (data->imap, "INBOX", FALSE, FALSE, NULL,
                                     g_task_get_cancellable (task), seen_selected_cb, task);
      return;
    }
  sync_next (task);
}

/* ---- phase C: save ------------------------------------------------------------- */

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!tern_store_commit_finish (TERN_STORE (object), result, &error))
    return sync_fail (task, error);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
sync_next (GTask *task)
{
  TernAccount *self = g_task_get_source_object (task);
  SyncData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  if (data->phase == 0)
    {
      if (data->index < data->folders->len)
        {
          FolderSync *folder = current_folder (data);
          TernImapQresync qresync = { 0, };
          g_autofree char *known_set = NULL;

          folder->qresync = data->qresync && folder->uidvalidity != 0 && folder->modseq != 0;
          if (folder->qresync)
            {
              TernStore *store = tern_context_get_store (self->context);
              GArray *known = tern_store_list_folder_uids (store, folder->folder_id, NULL);

              qresync.uidvalidity = folder->uidvalidity;
              qresync.modseq = folder->modseq;
              if (known != NULL && known->len > 0)
                known_set = tern_imap_uid_set_format ((const guint32 *) (gpointer) known->data,
                                                      known->len);
              g_clear_pointer (&folder->known, g_array_unref);
              folder->known = known;
              qresync.known_uids = known_set;
              g_array_set_size (data->vanished, 0);
              g_array_set_size (data->changed_uids, 0);
              data->qresync_overflow = FALSE;
              data->vanished_id = g_signal_connect (data->imap, "vanished",
                                                    G_CALLBACK (qresync_vanished_cb), task);
              data->fetch_id = g_signal_connect (data->imap, "fetch",
                                                 G_CALLBACK (qresync_fetch_cb), task);
            }
          g_debug ("T %.1f: phase A: %s", now_ms (), folder->name);
          tern_imap_client_select_async (data->imap, folder->name, FALSE, data->condstore,
                                         folder->qresync ? &qresync : NULL,
                                         cancellable, selected_cb, task);
          return;
        }
      data->phase = 1;
      g_debug ("T %.1f: phase A done", now_ms ());
      update_progress (self, data);
    }

  if (data->phase == 1 || data->phase == 2)
    {
      pump (task);
      return;
    }

  if (data->phase == 3)
    {
      TernStore *store = tern_context_get_store (self->context);
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;

      data->phase = 4;
      g_debug ("T %.1f: saving the sync state", now_ms ());
      g_clear_object (&data->batch);
      data->batch = tern_store_begin_batch (store);
      for (guint i = 0; i < data->folders->len; i++)
        {
          FolderSync *folder = data->folders->pdata[i];
          if (folder->uidvalidity == 0)
            continue; /* not selected this pass */
          tern_store_batch_set_folder_sync_state (data->batch, folder->folder_id,
                                                  folder->new_uidnext, folder->new_modseq, now);
        }
      tern_store_commit_async (store, data->batch, cancellable, saved_cb, task);
      return;
    }
}

#define QRESYNC_TRIED_KEY "tern-sync-qresync-tried"

static void
qresync_enabled_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  SyncData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) enabled = tern_imap_client_enable_finish (data->imap, result, &error);

  /* refused: the pass goes on without; a lost connection fails it */
  if (enabled == NULL && error != NULL &&
      !(error->domain == TERN_IMAP_ERROR &&
        (error->code == TERN_IMAP_ERROR_NO || error->code == TERN_IMAP_ERROR_BAD ||
         error->code == TERN_IMAP_ERROR_STATE || error->code == TERN_IMAP_ERROR_UNSUPPORTED)))
    return sync_fail (task, error);
  if (error != NULL)
    g_debug ("ENABLE QRESYNC refused: %s", error->message);
  data->qresync = tern_imap_client_is_enabled (data->imap, "QRESYNC");
  sync_next (task);
}

void
tern_account_sync_folders_async (TernAccount         *self,
                                 TernImapClient      *imap,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  SyncData *data = g_new0 (SyncData, 1);
  TernStore *store = tern_context_get_store (self->context);
  /* phase A selects them in this order: INBOX, where most new mail is on
   * a plain server, stays selected for the first chunk */
  const TernStoreFolderRole roles[] = {
    TERN_STORE_FOLDER_ROLE_SENT, TERN_STORE_FOLDER_ROLE_CHATS, TERN_STORE_FOLDER_ROLE_INBOX,
  };

  g_task_set_source_tag (task, tern_account_sync_folders_async);
  g_task_set_name (task, "[tern-core] sync pass");
  data->imap = g_object_ref (imap);
  data->folders = g_ptr_array_new_with_free_func ((GDestroyNotify) folder_sync_free);
  data->condstore = tern_imap_client_has_capability (imap, "CONDSTORE");
  data->vanished = g_array_new (FALSE, FALSE, sizeof (guint32));
  data->changed_uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_task_set_task_data (task, data, (GDestroyNotify) sync_data_free);

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      gint64 *id = g_hash_table_lookup (self->folder_ids, GINT_TO_POINTER (roles[i]));
      g_autoptr(TernStoreFolderRow) row = NULL;
      FolderSync *folder;

      if (id == NULL)
        continue;
      row = tern_store_get_folder (store, *id, NULL);
      if (row == NULL)
        continue;
      folder = g_new0 (FolderSync, 1);
      folder->role = roles[i];
      folder->folder_id = row->id;
      folder->name = g_strdup (row->name);
      folder->uidvalidity = row->uidvalidity;
      folder->uidnext = row->uidnext;
      folder->modseq = row->highestmodseq;
      g_ptr_array_add (data->folders, folder);
    }
  tern_account_set_syncing (self, TRUE, 0.0);
  data->qresync = tern_imap_client_is_enabled (imap, "QRESYNC");
  if (!data->qresync && tern_imap_client_has_capability (imap, "QRESYNC") &&
      g_object_get_data (G_OBJECT (imap), QRESYNC_TRIED_KEY) == NULL)
    {
      static const char *const extensions[] = { "QRESYNC", NULL };

      /* once per connection: a server that refuses it (e.g. ENABLE while a
       * mailbox is selected) is not asked again on it */
      g_object_set_data (G_OBJECT (imap), QRESYNC_TRIED_KEY, GINT_TO_POINTER (1));
      tern_imap_client_enable_async (imap, extensions, cancellable, qresync_enabled_cb, task);
      return;
    }
  sync_next (task);
}

gboolean
tern_account_sync_folders_finish (TernAccount  *self,
                                  GAsyncResult *result,
                                  GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
