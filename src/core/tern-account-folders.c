/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-core"

#include <string.h>

#include "tern-account-private.h"

/* After login: COI server detection and configuration (METADATA), the
 * namespace and delimiter, the folders by role, creating COI/Chats,
 * COI/Contacts and Blocked on a plain server, and the store's folder rows.
 *
 * COI server: GETMETADATA (DEPTH 1) "" (.../coi/config) gives mailbox-root,
 * enabled and message-filter; enabled is set to "yes" and message-filter to
 * the user's mode when they differ (never NIL: the reference server crashes
 * on it). The server files chat messages: the client never moves them. */

typedef enum {
  STEP_METADATA_READ,
  STEP_METADATA_ENABLE,
  STEP_METADATA_FILTER,
  STEP_NAMESPACE,
  STEP_LIST,
  STEP_CREATE,
  STEP_SAVE,
} Step;

typedef struct {
  TernImapClient *imap;
  Step            step;
  char           *root;          /* mailbox-root from METADATA, or "COI" */
  char           *coi_enabled;
  char           *coi_filter;
  char           *prefix;        /* personal namespace prefix */
  char            delimiter;
  GPtrArray      *mailboxes;     /* TernImapMailbox* from LIST */
  GHashTable     *roles;         /* role -> name (found or created) */
  GPtrArray      *to_create;     /* char* names still to create + subscribe */
  gboolean        subscribing;
  TernStoreBatch *batch;
  GHashTable     *refs;          /* role -> gint64 ref */
} PrepareData;

static void prepare_step (GTask *task);

static void
prepare_data_free (PrepareData *data)
{
  g_clear_object (&data->imap);
  g_free (data->root);
  g_free (data->coi_enabled);
  g_free (data->coi_filter);
  g_free (data->prefix);
  g_clear_pointer (&data->mailboxes, g_ptr_array_unref);
  g_clear_pointer (&data->roles, g_hash_table_unref);
  g_clear_pointer (&data->to_create, g_ptr_array_unref);
  g_clear_object (&data->batch);
  g_clear_pointer (&data->refs, g_hash_table_unref);
  g_free (data);
}

static void
prepare_fail (GTask        *task,
              const GError *error)
{
  g_task_return_error (task, tern_core_error_wrap (error, "Setting up the folders"));
  g_object_unref (task);
}

static char *
bytes_to_string (GBytes *bytes)
{
  gsize len;
  const char *data;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  return g_strndup (data, len);
}

static void
metadata_read_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  PrepareData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) table = tern_imap_client_get_metadata_finish (data->imap, result, &error);

  if (table == NULL)
    {
      /* a server without the entries: treat as not configured */
      g_debug ("GETMETADATA: %s", error->message);
      if (!tern_imap_error_is_transient (error) && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          data->step = STEP_METADATA_ENABLE;
          prepare_step (task);
          return;
        }
      prepare_fail (task, error);
      return;
    }
  {
    char *root = bytes_to_string (g_hash_table_lookup (table, TERN_COI_CONFIG_ENTRY "/mailbox-root"));
    if (root != NULL && *root != '\0')
      {
        g_free (data->root);
        data->root = root;
      }
    else
      g_free (root);
    data->coi_enabled = bytes_to_string (g_hash_table_lookup (table, TERN_COI_CONFIG_ENTRY "/enabled"));
    data->coi_filter = bytes_to_string (g_hash_table_lookup (table, TERN_COI_CONFIG_ENTRY "/message-filter"));
  }
  g_debug ("COI config: root %s enabled %s filter %s", data->root,
           data->coi_enabled ? data->coi_enabled : "NIL",
           data->coi_filter ? data->coi_filter : "NIL");
  data->step = STEP_METADATA_ENABLE;
  prepare_step (task);
}

static void
metadata_set_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  PrepareData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!tern_imap_client_set_metadata_finish (data->imap, result, &error))
    {
      prepare_fail (task, error);
      return;
    }
  data->step++;
  prepare_step (task);
}

static void
namespace_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  PrepareData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(TernImapNamespace) ns = tern_imap_client_namespace_finish (data->imap, result, &error);

  if (ns == NULL)
    {
      if (tern_imap_error_is_transient (error) || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          prepare_fail (task, error);
          return;
        }
    }
  else if (ns->personal->len > 0)
    {
      TernImapNamespaceEntry *entry = ns->personal->pdata[0];
      data->prefix = g_strdup (entry->prefix != NULL ? entry->prefix : "");
      data->delimiter = entry->delimiter;
    }
  data->step = STEP_LIST;
  prepare_step (task);
}

static char *
join_name (PrepareData *data,
           const char  *leaf)
{
  char delim[2] = { data->delimiter != '\0' ? data->delimiter : '/', '\0' };
  g_autofree char *root = NULL;

  if (data->prefix != NULL && *data->prefix != '\0' && !g_str_has_prefix (data->root, data->prefix))
    root = g_strconcat (data->prefix, data->root, NULL);
  else
    root = g_strdup (data->root);
  return g_strconcat (root, delim, leaf, NULL);
}

static char *
blocked_name (PrepareData *data)
{
  return g_strconcat (data->prefix != NULL ? data->prefix : "", "Blocked", NULL);
}

static void
set_role (PrepareData         *data,
          TernStoreFolderRole  role,
          const char          *name)
{
  if (!g_hash_table_contains (data->roles, GINT_TO_POINTER (role)))
    g_hash_table_insert (data->roles, GINT_TO_POINTER (role), g_strdup (name));
}

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  PrepareData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *chats = NULL;
  g_autofree char *contacts = NULL;
  g_autofree char *blocked = NULL;

  data->mailboxes = tern_imap_client_list_finish (data->imap, result, &error);
  if (data->mailboxes == NULL)
    {
      prepare_fail (task, error);
      return;
    }
  if (data->delimiter == '\0')
    data->delimiter = tern_imap_client_get_delimiter (data->imap);
  if (data->delimiter == '\0')
    data->delimiter = '/';

  chats = join_name (data, "Chats");
  contacts = join_name (data, "Contacts");
  blocked = blocked_name (data);

  set_role (data, TERN_STORE_FOLDER_ROLE_INBOX, "INBOX");
  for (guint i = 0; i < data->mailboxes->len; i++)
    {
      TernImapMailbox *mb = data->mailboxes->pdata[i];

      if (mb->flags & (TERN_IMAP_MAILBOX_NOSELECT | TERN_IMAP_MAILBOX_NONEXISTENT))
        continue;
      if (g_ascii_strcasecmp (mb->name, "INBOX") == 0)
        continue;
      if (g_strcmp0 (mb->name, chats) == 0)
        set_role (data, TERN_STORE_FOLDER_ROLE_CHATS, mb->name);
      else if (g_ascii_strcasecmp (mb->name, contacts) == 0)
        set_role (data, TERN_STORE_FOLDER_ROLE_CONTACTS, mb->name);
      else if (g_strcmp0 (mb->name, blocked) == 0)
        set_role (data, TERN_STORE_FOLDER_ROLE_BLOCKED, mb->name);
      else if (mb->flags & TERN_IMAP_MAILBOX_SENT)
        set_role (data, TERN_STORE_FOLDER_ROLE_SENT, mb->name);
      else if (mb->flags & TERN_IMAP_MAILBOX_TRASH)
        set_role (data, TERN_STORE_FOLDER_ROLE_TRASH, mb->name);
      else if (mb->flags & TERN_IMAP_MAILBOX_DRAFTS)
        set_role (data, TERN_STORE_FOLDER_ROLE_DRAFTS, mb->name);
      else if (mb->flags & TERN_IMAP_MAILBOX_JUNK)
        set_role (data, TERN_STORE_FOLDER_ROLE_JUNK, mb->name);
    }
  /* no SPECIAL-USE: the usual name */
  for (guint i = 0; i < data->mailboxes->len; i++)
    {
      TernImapMailbox *mb = data->mailboxes->pdata[i];
      const char *leaf = strrchr (mb->name, data->delimiter);
      leaf = leaf != NULL ? leaf + 1 : mb->name;
      if (g_ascii_strcasecmp (leaf, "Sent") == 0 || g_ascii_strcasecmp (leaf, "Sent Messages") == 0)
        set_role (data, TERN_STORE_FOLDER_ROLE_SENT, mb->name);
    }

  /* Both on a plain server and on a COI server that did not create them
   * (the server spec: enabling creates them; a missing one is created so
   * the filter has a target). Blocked is the client's business on a plain
   * server only. */
  if (!g_hash_table_contains (data->roles, GINT_TO_POINTER (TERN_STORE_FOLDER_ROLE_CHATS)))
    g_ptr_array_add (data->to_create, g_strdup (chats));
  if (!g_hash_table_contains (data->roles, GINT_TO_POINTER (TERN_STORE_FOLDER_ROLE_CONTACTS)))
    g_ptr_array_add (data->to_create, g_strdup (contacts));
  if (!self->coi_server &&
      !g_hash_table_contains (data->roles, GINT_TO_POINTER (TERN_STORE_FOLDER_ROLE_BLOCKED)))
    g_ptr_array_add (data->to_create, g_strdup (blocked));
  set_role (data, TERN_STORE_FOLDER_ROLE_CHATS, chats);
  set_role (data, TERN_STORE_FOLDER_ROLE_CONTACTS, contacts);
  if (!self->coi_server)
    set_role (data, TERN_STORE_FOLDER_ROLE_BLOCKED, blocked);

  data->step = STEP_CREATE;
  prepare_step (task);
}

static void
create_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  PrepareData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (data->subscribing)
    ok = tern_imap_client_subscribe_finish (data->imap, result, &error);
  else
    ok = tern_imap_client_create_finish (data->imap, result, &error);
  /* CREATE of an existing mailbox answers NO [ALREADYEXISTS]: fine */
  if (!ok && (tern_imap_error_is_transient (error) ||
              g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)))
    {
      prepare_fail (task, error);
      return;
    }
  if (!ok)
    g_debug ("%s: %s", data->subscribing ? "SUBSCRIBE" : "CREATE", error->message);
  if (data->subscribing)
    g_ptr_array_remove_index (data->to_create, 0);
  data->subscribing = !data->subscribing;
  prepare_step (task);
}

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  PrepareData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (!tern_store_commit_finish (TERN_STORE (object), result, &error))
    {
      prepare_fail (task, error);
      return;
    }
  /* names handed out by tern_account_get_folder_name() stay valid as long
   * as the folder keeps its name */
  g_hash_table_iter_init (&iter, data->refs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gint64 *id = g_new (gint64, 1);
      const char *name = g_hash_table_lookup (data->roles, key);
      *id = tern_store_batch_get_id (data->batch, *(gint64 *) value);
      g_hash_table_insert (self->folder_ids, key, id);
      if (g_strcmp0 (g_hash_table_lookup (self->folder_names, key), name) != 0)
        g_hash_table_insert (self->folder_names, key, g_strdup (name));
    }
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
prepare_step (GTask *task)
{
  TernAccount *self = g_task_get_source_object (task);
  PrepareData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  switch (data->step)
    {
    case STEP_METADATA_READ:
      if (self->coi_server && tern_imap_client_has_capability (data->imap, "METADATA"))
        {
          const char *entries[] = { TERN_COI_CONFIG_ENTRY, NULL };
          tern_imap_client_get_metadata_async (data->imap, "", entries, 1, cancellable,
                                               metadata_read_cb, task);
          return;
        }
      data->step = STEP_NAMESPACE;
      prepare_step (task);
      return;

    case STEP_METADATA_ENABLE:
      if (g_strcmp0 (data->coi_enabled, "yes") != 0)
        {
          const char *entries[] = { TERN_COI_CONFIG_ENTRY "/enabled", NULL };
          g_autoptr(GBytes) yes = g_bytes_new_static ("yes", 3);
          GBytes *values[] = { yes, NULL };
          tern_imap_client_set_metadata_async (data->imap, "", entries, values, cancellable,
                                               metadata_set_cb, task);
          return;
        }
      data->step = STEP_METADATA_FILTER;
      G_GNUC_FALLTHROUGH;

    case STEP_METADATA_FILTER:
      {
        const char *mode = tern_filter_mode_to_string ((TernFilterMode) self->row->filter_mode);
        if (g_strcmp0 (data->coi_filter, mode) != 0)
          {
            const char *entries[] = { TERN_COI_CONFIG_ENTRY "/message-filter", NULL };
            g_autoptr(GBytes) value = g_bytes_new (mode, strlen (mode));
            GBytes *values[] = { value, NULL };
            g_free (data->coi_filter);
            data->coi_filter = g_strdup (mode);
            tern_imap_client_set_metadata_async (data->imap, "", entries, values, cancellable,
                                                 metadata_set_cb, task);
            return;
          }
      }
      data->step = STEP_NAMESPACE;
      G_GNUC_FALLTHROUGH;

    case STEP_NAMESPACE:
      if (tern_imap_client_has_capability (data->imap, "NAMESPACE"))
        {
          data->step = STEP_NAMESPACE;
          tern_imap_client_namespace_async (data->imap, cancellable, namespace_cb, task);
          return;
        }
      data->step = STEP_LIST;
      G_GNUC_FALLTHROUGH;

    case STEP_LIST:
      tern_imap_client_list_async (data->imap, "", "*", cancellable, list_cb, task);
      return;

    case STEP_CREATE:
      if (data->to_create->len > 0)
        {
          const char *name = data->to_create->pdata[0];
          if (data->subscribing)
            tern_imap_client_subscribe_async (data->imap, name, cancellable, create_cb, task);
          else
            tern_imap_client_create_async (data->imap, name, cancellable, create_cb, task);
          return;
        }
      data->step = STEP_SAVE;
      G_GNUC_FALLTHROUGH;

    case STEP_SAVE:
      {
        TernStore *store = tern_context_get_store (self->context);
        char delim[2] = { data->delimiter, '\0' };
        GHashTableIter iter;
        gpointer key, value;
        g_autofree char *caps = g_strjoinv (" ", (char **) tern_imap_client_get_capabilities (data->imap));

        data->batch = tern_store_begin_batch (store);
        g_hash_table_iter_init (&iter, data->roles);
        while (g_hash_table_iter_next (&iter, &key, &value))
          {
            gint64 *ref = g_new (gint64, 1);
            *ref = tern_store_batch_ensure_folder (data->batch, self->row->id, value, delim,
                                                   GPOINTER_TO_INT (key));
            g_hash_table_insert (data->refs, key, ref);
          }
        g_free (self->row->capabilities);
        self->row->capabilities = g_steal_pointer (&caps);
        self->row->coi_server = self->coi_server;
        g_free (self->row->mailbox_root);
        self->row->mailbox_root = g_strdup (data->root);
        g_free (self->row->delimiter);
        self->row->delimiter = g_strdup (delim);
        g_free (self->row->namespace_prefix);
        self->row->namespace_prefix = g_strdup (data->prefix != NULL ? data->prefix : "");
        tern_store_batch_update_account (data->batch, self->row);
        tern_store_commit_async (store, data->batch, cancellable, save_cb, task);
        return;
      }
    }
}

void
tern_account_prepare_async (TernAccount         *self,
                            TernImapClient      *imap,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  PrepareData *data = g_new0 (PrepareData, 1);

  g_task_set_source_tag (task, tern_account_prepare_async);
  g_task_set_name (task, "[tern-core] prepare folders");
  data->imap = g_object_ref (imap);
  data->root = g_strdup (self->row->mailbox_root != NULL && *self->row->mailbox_root != '\0'
                           ? self->row->mailbox_root : "COI");
  data->roles = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  data->refs = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  data->to_create = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, data, (GDestroyNotify) prepare_data_free);
  tern_account_set_server_info (self, tern_imap_client_get_capabilities (imap));
  data->step = STEP_METADATA_READ;
  prepare_step (task);
}

gboolean
tern_account_prepare_finish (TernAccount  *self,
                             GAsyncResult *result,
                             GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
