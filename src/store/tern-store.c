/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-store"

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "tern-store-batch-private.h"
#include "tern-store-private.h"

struct _TernStore
{
  GObject             parent_instance;

  char               *data_dir;
  char               *db_path;
  char               *attachments_dir;
  GMainContext       *context;     /* where ::changed is emitted */

  /* Owned by the worker thread once it runs. */
  sqlite3            *wdb;
  TernStoreStmtCache *wstmts;
  GThread            *thread;
  GAsyncQueue        *queue;
  gboolean            fts_unmerged; /* worker thread: segments written since the last merge */

  /* Read connections: [0] for the synchronous reads (any thread, one at a
   * time), [1] for the asynchronous search, so a long search never holds up
   * a read of the UI. */
  struct {
    GMutex              lock;
    sqlite3            *db;
    TernStoreStmtCache *stmts;
  } readers[2];

  /* The checkpointer: its own connection and thread copy the write-ahead
   * log into the database (see wal_hook()). */
  struct {
    sqlite3            *db;
    GThread            *thread;
    GMutex              lock;
    GCond               cond;
    gboolean            wanted;
    gboolean            quit;
  } checkpointer;

  gint                closed;      /* atomic */
};

typedef enum {
  JOB_COMMIT,
  JOB_CLEAN,
  JOB_MERGE,
  JOB_QUIT,
} JobKind;

/* The message index is merged when the store thread has had nothing to do
 * for this long, one bounded step at a time (see schema/0009). */
#define MERGE_IDLE_USEC   (1 * G_USEC_PER_SEC)
#define MERGE_STEP_PAGES  256

/* Checkpoints. SQLite's own copies the write-ahead log into the database
 * on the committing thread once the log holds 1,000 pages, with two
 * fsyncs: a sync's commits then waited on the disk, 10-30 % of the time
 * of storing 100,000 messages (bench-store), more on a busy disk. Here the
 * store thread's commits only ask; the checkpointer thread does a PASSIVE
 * checkpoint on its own connection, which never blocks the writer or the
 * readers. The log restarts from its beginning when a write finds it all
 * copied; a sync that never pauses keeps it growing, so at
 * WAL_RESTART_PAGES the store thread itself finishes the copy and restarts
 * it (RESTART: it waits for the checkpointer and the readers), which
 * bounds the log at about 64 MiB. */
#define WAL_CHECKPOINT_PAGES 1000
#define WAL_RESTART_PAGES    8000

/* Attachment files older than this that nothing references (left by a
 * crash between writing the file and committing) are removed at open.
 * The age keeps a second process's in-flight write safe. */
#define CLEAN_AGE_SECONDS 600

typedef struct {
  JobKind         kind;
  TernStoreBatch *batch;
  GTask          *task;      /* async commit */
  /* blocking commit */
  GMutex          lock;
  GCond           cond;
  gboolean        done;
  gboolean        ok;
  GError         *error;
} Job;

/* A ::changed on its way to the main context. It does not keep the store
 * alive: a store dropped meanwhile has no one left to tell. */
typedef struct {
  GWeakRef          store;
  TernStoreChanges *changes;
} EmitData;

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TernStore, tern_store, G_TYPE_OBJECT)

/* ---- helpers ----------------------------------------------------------- */

static gboolean
check_open (TernStore *self,
            GError   **error)
{
  if (g_atomic_int_get (&self->closed))
    {
      g_set_error_literal (error, TERN_STORE_ERROR, TERN_STORE_ERROR_CLOSED,
                           "The store is closed");
      return FALSE;
    }
  return TRUE;
}

static void
emit_data_free (gpointer data)
{
  EmitData *emit = data;

  g_weak_ref_clear (&emit->store);
  tern_store_changes_unref (emit->changes);
  g_free (emit);
}

static gboolean
emit_changed_cb (gpointer data)
{
  EmitData *emit = data;
  g_autoptr(TernStore) store = g_weak_ref_get (&emit->store);

  if (store != NULL)
    g_signal_emit (store, signals[SIGNAL_CHANGED], 0, emit->changes);
  return G_SOURCE_REMOVE;
}

static void
remove_files (GPtrArray *files)
{
  for (guint i = 0; i < files->len; i++)
    g_unlink (g_ptr_array_index (files, i));
}

/* Runs @func on @context's loop, always through a source: never at once on
 * the calling (store) thread. g_main_context_invoke() would run it right
 * here whenever the context is this thread's default (the global one) and
 * no other thread holds it at that moment, e.g. while the main thread
 * waits in tern_store_commit(): the ::changed handlers, the UI's among
 * them, would then run on the store thread. */
static void
invoke_on (GMainContext  *context,
           GSourceFunc    func,
           gpointer       data,
           GDestroyNotify destroy)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, destroy);
  g_source_set_static_name (source, "[tern-store] result");
  g_source_attach (source, context);
  g_source_unref (source);
}

/* Runs on the worker thread. */
static gboolean
run_commit (TernStore      *self,
            TernStoreBatch *batch,
            GError        **error)
{
  g_autoptr(TernStoreChanges) changes = tern_store_changes_new ();
  g_autoptr(GHashTable) hashes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) new_files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) fts_pending = g_array_sized_new (FALSE, FALSE, sizeof (TernStoreFtsPending), 64);
  g_autoptr(GArray) locations_pending = g_array_sized_new (FALSE, FALSE,
                                                           sizeof (TernStoreLocationPending), 64);
  g_autoptr(GArray) chats_fts_pending = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) contacts_fts_pending = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GHashTable) chat_deltas = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_free);
  g_autoptr(GHashTable) chats_checked = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GHashTable) folders_checked = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GHashTable) found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  TernStoreApply ap = {
    .db = self->wdb,
    .stmts = self->wstmts,
    .attachments_dir = self->attachments_dir,
    .changes = changes,
    .hashes_to_check = hashes,
    .new_files = new_files,
    .fts_pending = fts_pending,
    .locations_pending = locations_pending,
    .chats_fts_pending = chats_fts_pending,
    .contacts_fts_pending = contacts_fts_pending,
    .chat_deltas = chat_deltas,
    .chats_checked = chats_checked,
    .folders_checked = folders_checked,
    .found = found,
  };

  if (batch->committed)
    {
      g_set_error_literal (error, TERN_STORE_ERROR, TERN_STORE_ERROR_FAILED,
                           "The batch was committed already");
      return FALSE;
    }

  if (!tern_store_exec (self->wdb, "BEGIN IMMEDIATE", error))
    return FALSE;

  if (!tern_store_batch_apply (batch, &ap, error) ||
      !tern_store_exec (self->wdb, "COMMIT", error))
    {
      if (!sqlite3_get_autocommit (self->wdb))
        tern_store_exec (self->wdb, "ROLLBACK", NULL);
      remove_files (new_files);
      tern_store_batch_reset_results (batch);
      return FALSE;
    }

  batch->committed = TRUE;
  if (fts_pending->len > 0 || changes->messages_inserted->len > 0)
    self->fts_unmerged = TRUE;
  tern_store_apply_remove_unused_files (&ap);
  tern_store_changes_finish (changes);

  if (!tern_store_changes_is_empty (changes))
    {
      EmitData *emit = g_new0 (EmitData, 1);

      g_weak_ref_init (&emit->store, self);
      emit->changes = g_steal_pointer (&changes);
      invoke_on (self->context, emit_changed_cb, emit, emit_data_free);
    }
  return TRUE;
}

static gboolean
complete_job_cb (gpointer data)
{
  Job *job = data;

  if (job->ok)
    g_task_return_boolean (job->task, TRUE);
  else
    g_task_return_error (job->task, g_steal_pointer (&job->error));
  g_object_unref (job->task);
  g_object_unref (job->batch);
  g_free (job);
  return G_SOURCE_REMOVE;
}

/* Runs on the worker thread, once after open. */
static void
clean_attachments (TernStore *self)
{
  g_autoptr(GDir) top = g_dir_open (self->attachments_dir, 0, NULL);
  sqlite3_stmt *used;
  const char *sub;
  gint64 limit = g_get_real_time () / G_USEC_PER_SEC - CLEAN_AGE_SECONDS;
  guint removed = 0;

  used = tern_store_stmt_cache_get (self->wstmts,
                                    "SELECT EXISTS (SELECT 1 FROM attachments WHERE hash = ?1)"
                                    " OR EXISTS (SELECT 1 FROM attachments WHERE preview_hash = ?1)"
                                    " OR EXISTS (SELECT 1 FROM chats WHERE avatar = ?1)"
                                    " OR EXISTS (SELECT 1 FROM contacts WHERE avatar = ?1)",
                                    NULL);
  if (top == NULL || used == NULL)
    return;

  while ((sub = g_dir_read_name (top)) != NULL)
    {
      g_autofree char *sub_path = g_build_filename (self->attachments_dir, sub, NULL);
      g_autoptr(GDir) dir = NULL;
      const char *name;

      if (strlen (sub) != 2 || (dir = g_dir_open (sub_path, 0, NULL)) == NULL)
        continue;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (sub_path, name, NULL);
          gboolean remove = FALSE;
          GStatBuf st;

          if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode) || st.st_mtime > limit)
            continue;
          if (strstr (name, ".tmp-") != NULL)
            remove = TRUE;
          else if (strlen (name) == 64 && g_str_has_prefix (name, sub))
            {
              sqlite3_reset (used);
              sqlite3_bind_text (used, 1, name, -1, SQLITE_STATIC);
              remove = sqlite3_step (used) == SQLITE_ROW && sqlite3_column_int (used, 0) == 0;
              sqlite3_reset (used);
            }
          if (remove && g_unlink (path) == 0)
            removed++;
        }
    }
  if (removed > 0)
    g_debug ("removed %u unused attachment files", removed);
}

/* Runs on the worker thread: one step of merging the message index's
 * segments, in its own transaction. Returns TRUE if there is more to do.
 * A sync writes a segment per batch and merges only when sixteen pile up
 * on one level (schema/0009): the merging that FTS5 would otherwise do
 * after every batch is done here, when nothing waits for the store. FTS5
 * says a merge that changed fewer than two rows found nothing left. */
static gboolean
merge_step (TernStore *self,
            GError   **error)
{
  int before = sqlite3_total_changes (self->wdb);

  if (!tern_store_exec (self->wdb,
                        "INSERT INTO messages_fts (messages_fts, rank) VALUES ('merge', "
                        G_STRINGIFY (MERGE_STEP_PAGES) ")", error))
    return FALSE;
  return sqlite3_total_changes (self->wdb) - before >= 2;
}

/* Runs on the worker thread: merges until done, or until a job arrives
 * (@until_done: until done). A failure (a full disk) leaves the index as
 * it was, searchable; it is tried again after the next write. */
static gboolean
merge_index (TernStore *self,
             gboolean   until_done,
             GError   **error)
{
  while (self->fts_unmerged)
    {
      g_autoptr(GError) local_error = NULL;

      if (!merge_step (self, &local_error))
        {
          self->fts_unmerged = FALSE;
          if (local_error != NULL)
            {
              g_debug ("merging the search index: %s", local_error->message);
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
        }
      if (!until_done && g_async_queue_length (self->queue) > 0)
        break;
    }
  return TRUE;
}

static gpointer
checkpointer_thread (gpointer data)
{
  TernStore *self = data;

  g_mutex_lock (&self->checkpointer.lock);
  for (;;)
    {
      while (!self->checkpointer.wanted && !self->checkpointer.quit)
        g_cond_wait (&self->checkpointer.cond, &self->checkpointer.lock);
      if (self->checkpointer.quit)
        break;
      self->checkpointer.wanted = FALSE;
      g_mutex_unlock (&self->checkpointer.lock);
      {
        int rc = sqlite3_wal_checkpoint_v2 (self->checkpointer.db, NULL,
                                            SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
          g_debug ("Checkpoint: %s", sqlite3_errmsg (self->checkpointer.db));
      }
      g_mutex_lock (&self->checkpointer.lock);
    }
  g_mutex_unlock (&self->checkpointer.lock);
  return NULL;
}

/* Called on the store thread after each commit, with the pages the log
 * holds (copied or not). */
static int
wal_hook (gpointer    data,
          sqlite3    *db,
          const char *name,
          int         pages)
{
  TernStore *self = data;

  if (pages >= WAL_RESTART_PAGES)
    {
      int rc = sqlite3_wal_checkpoint_v2 (db, name, SQLITE_CHECKPOINT_RESTART, NULL, NULL);

      if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        g_debug ("Checkpoint: %s", sqlite3_errmsg (db));
    }
  else if (pages >= WAL_CHECKPOINT_PAGES)
    {
      g_mutex_lock (&self->checkpointer.lock);
      self->checkpointer.wanted = TRUE;
      g_cond_signal (&self->checkpointer.cond);
      g_mutex_unlock (&self->checkpointer.lock);
    }
  return SQLITE_OK;
}

static void
start_checkpointer (TernStore *self)
{
  g_autoptr(GError) error = NULL;

  self->checkpointer.db = tern_store_db_open (self->db_path, FALSE, &error);
  if (self->checkpointer.db == NULL)
    {
      /* SQLite's own checkpoints on the store thread, then. */
      g_debug ("No checkpointer: %s", error->message);
      return;
    }
  self->checkpointer.thread = g_thread_new ("tern-checkpoint", checkpointer_thread, self);
  sqlite3_wal_hook (self->wdb, wal_hook, self);
}

static void
stop_checkpointer (TernStore *self)
{
  if (self->checkpointer.thread != NULL)
    {
      g_mutex_lock (&self->checkpointer.lock);
      self->checkpointer.quit = TRUE;
      g_cond_signal (&self->checkpointer.cond);
      g_mutex_unlock (&self->checkpointer.lock);
      g_thread_join (self->checkpointer.thread);
      self->checkpointer.thread = NULL;
    }
  g_clear_pointer (&self->checkpointer.db, sqlite3_close);
}

static gpointer
worker_thread (gpointer data)
{
  TernStore *self = data;

  /* Segments a previous run left unmerged are merged at the first pause. */
  self->fts_unmerged = TRUE;

  for (;;)
    {
      Job *job = self->fts_unmerged
        ? g_async_queue_timeout_pop (self->queue, MERGE_IDLE_USEC)
        : g_async_queue_pop (self->queue);

      if (job == NULL)
        {
          merge_index (self, FALSE, NULL);
          continue;
        }
      if (job->kind == JOB_QUIT)
        {
          g_free (job);
          break;
        }
      if (job->kind == JOB_CLEAN)
        {
          clean_attachments (self);
          g_free (job);
          continue;
        }
      if (job->kind == JOB_MERGE)
        {
          gboolean ok;

          self->fts_unmerged = TRUE;
          ok = merge_index (self, TRUE, &job->error);

          g_mutex_lock (&job->lock);
          job->ok = ok;
          job->done = TRUE;
          g_cond_signal (&job->cond);
          g_mutex_unlock (&job->lock);
          continue;
        }

      if (job->task != NULL)
        {
          GCancellable *cancellable = g_task_get_cancellable (job->task);

          if (g_cancellable_is_cancelled (cancellable))
            g_cancellable_set_error_if_cancelled (cancellable, &job->error);
          else
            job->ok = run_commit (self, job->batch, &job->error);
          /* Completed on the caller's context, after the ::changed signal
           * queued above, and with every reference dropped there: the task
           * may hold the last reference to the store, whose dispose joins
           * this thread. */
          invoke_on (g_task_get_context (job->task), complete_job_cb, job, NULL);
        }
      else
        {
          gboolean ok = run_commit (self, job->batch, &job->error);

          g_mutex_lock (&job->lock);
          job->ok = ok;
          job->done = TRUE;
          g_cond_signal (&job->cond);
          g_mutex_unlock (&job->lock);
        }
    }

  return NULL;
}

/* ---- GObject ----------------------------------------------------------- */

static void
tern_store_dispose (GObject *object)
{
  tern_store_close (TERN_STORE (object));

  G_OBJECT_CLASS (tern_store_parent_class)->dispose (object);
}

static void
tern_store_finalize (GObject *object)
{
  TernStore *self = TERN_STORE (object);

  g_free (self->data_dir);
  g_free (self->db_path);
  g_free (self->attachments_dir);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->queue, g_async_queue_unref);
  for (guint i = 0; i < G_N_ELEMENTS (self->readers); i++)
    g_mutex_clear (&self->readers[i].lock);
  g_mutex_clear (&self->checkpointer.lock);
  g_cond_clear (&self->checkpointer.cond);

  G_OBJECT_CLASS (tern_store_parent_class)->finalize (object);
}

static void
tern_store_class_init (TernStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tern_store_dispose;
  object_class->finalize = tern_store_finalize;

  /**
   * TernStore::changed:
   * @changes: a #TernStoreChanges
   *
   * A batch was committed; emitted on the main context that opened the store.
   */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, TERN_TYPE_STORE_CHANGES | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
tern_store_init (TernStore *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->readers); i++)
    g_mutex_init (&self->readers[i].lock);
  g_mutex_init (&self->checkpointer.lock);
  g_cond_init (&self->checkpointer.cond);
  self->queue = g_async_queue_new ();
}

/* ---- open / close ------------------------------------------------------ */

static TernStore *
open_store (const char   *data_dir,
            int           version,
            GMainContext *context,
            GError      **error)
{
  g_autoptr(TernStore) self = g_object_new (TERN_TYPE_STORE, NULL);

  self->data_dir = g_strdup (data_dir);
  self->db_path = g_build_filename (data_dir, "tern.db", NULL);
  self->attachments_dir = g_build_filename (data_dir, "attachments", NULL);
  self->context = context ? g_main_context_ref (context) : g_main_context_ref_thread_default ();

  if (g_mkdir_with_parents (self->attachments_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, TERN_STORE_ERROR,
                   saved == ENOSPC ? TERN_STORE_ERROR_FULL : TERN_STORE_ERROR_IO,
                   "Could not create %s: %s", self->attachments_dir, g_strerror (saved));
      g_atomic_int_set (&self->closed, TRUE);
      return NULL;
    }

  self->wdb = tern_store_db_open (self->db_path, FALSE, error);
  if (self->wdb == NULL || !tern_store_db_migrate (self->wdb, version, error))
    {
      g_atomic_int_set (&self->closed, TRUE);
      g_clear_pointer (&self->wdb, sqlite3_close);
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (self->readers); i++)
    {
      self->readers[i].db = tern_store_db_open (self->db_path, TRUE, error);
      if (self->readers[i].db == NULL)
        {
          g_atomic_int_set (&self->closed, TRUE);
          for (guint j = 0; j < i; j++)
            g_clear_pointer (&self->readers[j].db, sqlite3_close);
          g_clear_pointer (&self->wdb, sqlite3_close);
          return NULL;
        }
      self->readers[i].stmts = tern_store_stmt_cache_new (self->readers[i].db);
    }
  self->wstmts = tern_store_stmt_cache_new (self->wdb);
  start_checkpointer (self);
  self->thread = g_thread_new ("tern-store", worker_thread, self);
  {
    Job *clean = g_new0 (Job, 1);

    clean->kind = JOB_CLEAN;
    g_async_queue_push (self->queue, clean);
  }

  return g_steal_pointer (&self);
}

TernStore *
tern_store_open (const char *data_dir,
                 GError    **error)
{
  g_return_val_if_fail (data_dir != NULL, NULL);
  return open_store (data_dir, TERN_STORE_SCHEMA_VERSION, NULL, error);
}

TernStore *
tern_store_open_at_version (const char *data_dir,
                            int         version,
                            GError    **error)
{
  return open_store (data_dir, version, NULL, error);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  TernStore *store = open_store (task_data, TERN_STORE_SCHEMA_VERSION,
                                 g_task_get_context (task), &error);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

void
tern_store_open_async (const char          *data_dir,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_return_if_fail (data_dir != NULL);

  g_task_set_source_tag (task, tern_store_open_async);
  g_task_set_name (task, "[tern-store] open");
  g_task_set_task_data (task, g_strdup (data_dir), g_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, open_thread);
}

TernStore *
tern_store_open_finish (GAsyncResult *result,
                        GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tern_store_open_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
tern_store_close (TernStore *self)
{
  g_return_if_fail (TERN_IS_STORE (self));

  if (self->thread != NULL)
    {
      Job *quit = g_new0 (Job, 1);

      g_atomic_int_set (&self->closed, TRUE);
      quit->kind = JOB_QUIT;
      g_async_queue_push (self->queue, quit);
      g_thread_join (self->thread);
      self->thread = NULL;
    }
  g_atomic_int_set (&self->closed, TRUE);
  stop_checkpointer (self);

  for (guint i = 0; i < G_N_ELEMENTS (self->readers); i++)
    {
      g_mutex_lock (&self->readers[i].lock);
      g_clear_pointer (&self->readers[i].stmts, tern_store_stmt_cache_free);
      g_clear_pointer (&self->readers[i].db, sqlite3_close);
      g_mutex_unlock (&self->readers[i].lock);
    }

  g_clear_pointer (&self->wstmts, tern_store_stmt_cache_free);
  if (self->wdb != NULL)
    {
      /* Fold the WAL back so the next open starts small; harmless if it fails. */
      sqlite3_exec (self->wdb, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
      g_clear_pointer (&self->wdb, sqlite3_close);
    }
}

const char *
tern_store_get_data_dir (TernStore *self)
{
  g_return_val_if_fail (TERN_IS_STORE (self), NULL);
  return self->data_dir;
}

char *
tern_store_get_attachment_path (TernStore  *self,
                                const char *hash)
{
  g_return_val_if_fail (TERN_IS_STORE (self), NULL);
  g_return_val_if_fail (hash != NULL, NULL);
  return tern_store_attachment_path (self->attachments_dir, hash);
}

/* ---- writes ------------------------------------------------------------ */

TernStoreBatch *
tern_store_begin_batch (TernStore *self)
{
  g_return_val_if_fail (TERN_IS_STORE (self), NULL);
  return tern_store_batch_new ();
}

void
tern_store_commit_async (TernStore           *self,
                         TernStoreBatch      *batch,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  Job *job;

  g_return_if_fail (TERN_IS_STORE (self));
  g_return_if_fail (TERN_IS_STORE_BATCH (batch));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_store_commit_async);
  g_task_set_name (task, "[tern-store] commit");

  if (!check_open (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  job = g_new0 (Job, 1);
  job->kind = JOB_COMMIT;
  job->batch = g_object_ref (batch);
  job->task = g_steal_pointer (&task);
  g_async_queue_push (self->queue, job);
}

gboolean
tern_store_commit_finish (TernStore    *self,
                          GAsyncResult *result,
                          GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tern_store_commit_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Pushes @job (on the caller's stack) and waits for the store thread. */
static gboolean
run_blocking_job (TernStore *self,
                  Job       *job,
                  GError   **error)
{
  if (!check_open (self, error))
    return FALSE;

  g_mutex_init (&job->lock);
  g_cond_init (&job->cond);
  g_async_queue_push (self->queue, job);

  g_mutex_lock (&job->lock);
  while (!job->done)
    g_cond_wait (&job->cond, &job->lock);
  g_mutex_unlock (&job->lock);

  g_mutex_clear (&job->lock);
  g_cond_clear (&job->cond);

  if (!job->ok)
    {
      g_propagate_error (error, job->error);
      return FALSE;
    }
  return TRUE;
}

gboolean
tern_store_commit (TernStore      *self,
                   TernStoreBatch *batch,
                   GError        **error)
{
  Job job = { .kind = JOB_COMMIT, .batch = batch };

  g_return_val_if_fail (TERN_IS_STORE (self), FALSE);
  g_return_val_if_fail (TERN_IS_STORE_BATCH (batch), FALSE);
  g_return_val_if_fail (g_thread_self () != self->thread, FALSE);

  return run_blocking_job (self, &job, error);
}

#define BATCH_MIN 1000
#define BATCH_MAX 4000

guint
tern_store_batch_size_for (guint remaining)
{
  return MIN (remaining, CLAMP (remaining / 4, BATCH_MIN, BATCH_MAX));
}

gboolean
tern_store_merge_search_index (TernStore  *self,
                               GError    **error)
{
  Job job = { .kind = JOB_MERGE };

  g_return_val_if_fail (TERN_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_thread_self () != self->thread, FALSE);

  return run_blocking_job (self, &job, error);
}


/* ---- read connection (used by tern-store-read.c) ----------------------- */

gboolean
tern_store_lock_reader (TernStore           *self,
                        guint                which,
                        sqlite3            **db,
                        TernStoreStmtCache **stmts,
                        GError             **error)
{
  g_assert (which < G_N_ELEMENTS (self->readers));

  g_mutex_lock (&self->readers[which].lock);
  if (self->readers[which].db == NULL)
    {
      g_mutex_unlock (&self->readers[which].lock);
      g_set_error_literal (error, TERN_STORE_ERROR, TERN_STORE_ERROR_CLOSED,
                           "The store is closed");
      return FALSE;
    }
  *db = self->readers[which].db;
  *stmts = self->readers[which].stmts;
  return TRUE;
}

void
tern_store_unlock_reader (TernStore *self,
                          guint      which)
{
  g_mutex_unlock (&self->readers[which].lock);
}
