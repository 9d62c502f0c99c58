/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-core"

#include <libsecret/secret.h>

#include "tern-core-error.h"
#include "tern-secrets.h"

typedef enum {
  OP_STORE,
  OP_LOOKUP,
  OP_CLEAR,
} Op;

typedef struct {
  Op            op;
  GCancellable *inner;       /* cancelled on timeout or outer cancel */
  guint         timeout_id;
  gulong        cancel_id;
  GCancellable *outer;
  gboolean      timed_out;
} SecretData;

static guint secrets_timeout_seconds = 10;
static gboolean secrets_interactive = TRUE;

static void
secret_data_free (SecretData *data)
{
  if (data->timeout_id != 0)
    {
      GSource *source = g_main_context_find_source_by_id (g_main_context_get_thread_default (),
                                                          data->timeout_id);
      if (source != NULL)
        g_source_destroy (source);
      data->timeout_id = 0;
    }
  if (data->outer != NULL && data->cancel_id != 0)
    g_cancellable_disconnect (data->outer, data->cancel_id);
  g_clear_object (&data->outer);
  g_clear_object (&data->inner);
  g_free (data);
}

static const SecretSchema *
get_schema (const char *name)
{
  static GHashTable *schemas; /* name -> SecretSchema, kept for the process */
  static GMutex lock;
  SecretSchema *schema;

  g_mutex_lock (&lock);
  if (schemas == NULL)
    schemas = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify) secret_schema_unref);
  schema = g_hash_table_lookup (schemas, name);
  if (schema == NULL)
    {
      schema = secret_schema_new (name, SECRET_SCHEMA_NONE,
                                  "address", SECRET_SCHEMA_ATTRIBUTE_STRING,
                                  "protocol", SECRET_SCHEMA_ATTRIBUTE_STRING,
                                  NULL);
      g_hash_table_insert (schemas, g_strdup (name), schema);
    }
  g_mutex_unlock (&lock);
  return schema;
}

static gboolean
timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  SecretData *data = g_task_get_task_data (task);

  data->timeout_id = 0;
  data->timed_out = TRUE;
  g_cancellable_cancel (data->inner);
  return G_SOURCE_REMOVE;
}

static void
outer_cancelled_cb (GCancellable *cancellable,
                    gpointer      user_data)
{
  GCancellable *inner = user_data;
  g_cancellable_cancel (inner);
}

static GTask *
start_task (Op                   op,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data,
            gpointer             source_tag)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  SecretData *data = g_new0 (SecretData, 1);

  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, "[tern-core] secret");
  data->op = op;
  data->inner = g_cancellable_new ();
  if (cancellable != NULL)
    {
      data->outer = g_object_ref (cancellable);
      data->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (outer_cancelled_cb),
                                               data->inner, NULL);
    }
  g_task_set_task_data (task, data, (GDestroyNotify) secret_data_free);
  /* the source holds no reference: it is removed when the data is freed */
  {
    g_autoptr(GSource) source = g_timeout_source_new_seconds (secrets_timeout_seconds);
    g_source_set_callback (source, timeout_cb, task, NULL);
    g_source_set_static_name (source, "[tern-core] secret timeout");
    data->timeout_id = g_source_attach (source, g_main_context_get_thread_default ());
  }
  return task;
}

static void
return_error (GTask  *task,
              GError *error)
{
  SecretData *data = g_task_get_task_data (task);

  if (data->timed_out)
    g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_NO_SECRET_SERVICE,
                             "The Secret Service (keyring) did not answer within %u s "
                             "(is it locked?)", secrets_timeout_seconds);
  else if (data->outer != NULL && g_cancellable_is_cancelled (data->outer))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
  else
    g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_NO_SECRET_SERVICE,
                             "No Secret Service (keyring) is available: %s", error->message);
}

static char *
normalize (const char *address)
{
  return g_utf8_strdown (address, -1);
}

void
tern_secrets_set_interactive (gboolean interactive)
{
  secrets_interactive = interactive;
}

void
tern_secrets_set_timeout (guint seconds)
{
  secrets_timeout_seconds = seconds > 0 ? seconds : 10;
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
tern_secrets_store_async (const char          *schema_name,
                          const char          *address,
                          const char          *password,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = start_task (OP_STORE, cancellable, callback, user_data, tern_secrets_store_async);
  SecretData *data = g_task_get_task_data (task);
  g_autofree char *addr = normalize (address);
  g_autofree char *label = g_strdup_printf ("Tern: %s", addr);

  secret_password_store (get_schema (schema_name), SECRET_COLLECTION_DEFAULT, label, password,
                         data->inner, store_cb, task,
                         "address", addr, "protocol", "imap", NULL);
}

gboolean
tern_secrets_store_finish (GAsyncResult *result,
                           GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct {
  char *schema_name;
  char *address;
} LookupArgs;

static void
lookup_args_free (LookupArgs *args)
{
  g_free (args->schema_name);
  g_free (args->address);
  g_free (args);
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *password = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    return_error (task, error);
  else if (password == NULL)
    g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_NO_PASSWORD,
                             "No password is stored for this account");
  else
    {
      char *copy = g_strdup (password);
      secret_password_free (password);
      g_task_return_pointer (task, copy, g_free);
    }
}

/* First a search that neither unlocks nor loads secrets: a secret in a
 * locked keyring is reported as such at once when nobody can answer an
 * unlock prompt (tern_secrets_set_interactive (FALSE): tern-cli), instead
 * of a lookup that asks for a prompt (which, with no prompter, comes back
 * empty: "no password"). Interactive, the lookup asks the keyring to
 * unlock, bounded by the timeout. */
static void
search_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SecretData *data = g_task_get_task_data (task);
  LookupArgs *args = g_object_get_data (G_OBJECT (task), "tern-lookup-args");
  g_autoptr(GError) error = NULL;
  GList *items = secret_service_search_finish (NULL, result, &error);
  gboolean locked = FALSE;

  for (GList *l = items; l != NULL; l = l->next)
    if (secret_item_get_locked (l->data))
      locked = TRUE;
  g_list_free_full (items, g_object_unref);
  if (error != NULL)
    {
      return_error (task, error);
      return;
    }
  if (items == NULL)
    {
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_NO_PASSWORD,
                               "No password is stored for this account");
      return;
    }
  if (locked && !secrets_interactive)
    {
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_NO_SECRET_SERVICE,
                               "The keyring holding the password is locked (unlock it, or give "
                               "the password for this run)");
      return;
    }
  secret_password_lookup (get_schema (args->schema_name), data->inner, lookup_cb,
                          g_steal_pointer (&task), "address", args->address, "protocol", "imap",
                          NULL);
}

void
tern_secrets_lookup_async (const char          *schema_name,
                           const char          *address,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = start_task (OP_LOOKUP, cancellable, callback, user_data, tern_secrets_lookup_async);
  SecretData *data = g_task_get_task_data (task);
  LookupArgs *args = g_new0 (LookupArgs, 1);
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);

  args->schema_name = g_strdup (schema_name);
  args->address = normalize (address);
  g_object_set_data_full (G_OBJECT (task), "tern-lookup-args", args,
                          (GDestroyNotify) lookup_args_free);
  g_hash_table_insert (attributes, (gpointer) "address", args->address);
  g_hash_table_insert (attributes, (gpointer) "protocol", (gpointer) "imap");
  secret_service_search (NULL, get_schema (schema_name), attributes, SECRET_SEARCH_ALL,
                         data->inner, search_cb, task);
}

char *
tern_secrets_lookup_finish (GAsyncResult *result,
                            GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
tern_secrets_clear_async (const char          *schema_name,
                          const char          *address,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = start_task (OP_CLEAR, cancellable, callback, user_data, tern_secrets_clear_async);
  SecretData *data = g_task_get_task_data (task);
  g_autofree char *addr = normalize (address);

  secret_password_clear (get_schema (schema_name), data->inner, clear_cb, task,
                         "address", addr, "protocol", "imap", NULL);
}

gboolean
tern_secrets_clear_finish (GAsyncResult *result,
                           GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
