/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-core"

#include <string.h>

#include "tern-account-private.h"
#include "tern-secrets.h"

enum {
  PROP_0,
  PROP_CONTEXT,
  PROP_ID,
  PROP_ADDRESS,
  PROP_DISPLAY_NAME,
  PROP_STATE,
  PROP_LAST_ERROR,
  PROP_COI_SERVER,
  PROP_CAPABILITIES,
  PROP_EXTENSIONS,
  PROP_FILTER_MODE,
  PROP_SYNCING,
  PROP_PROGRESS,
  N_PROPS
};

enum {
  MESSAGE_RECEIVED,
  MESSAGE_CHANGED,
  CHAT_CHANGED,
  STATE_CHANGED,
  ERROR,
  SYNCED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TernAccount, tern_account, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (TernAccountState, tern_account_state,
                    G_DEFINE_ENUM_VALUE (TERN_ACCOUNT_STATE_OFFLINE, "offline"),
                    G_DEFINE_ENUM_VALUE (TERN_ACCOUNT_STATE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (TERN_ACCOUNT_STATE_ONLINE, "online"),
                    G_DEFINE_ENUM_VALUE (TERN_ACCOUNT_STATE_ERROR, "error"))

G_DEFINE_BOXED_TYPE (TernAccountSettings, tern_account_settings,
                     tern_account_settings_copy, tern_account_settings_free)

/* ---- settings ------------------------------------------------------------- */

const char *
tern_account_security_to_string (TernAccountSecurity security)
{
  switch (security)
    {
    case TERN_ACCOUNT_SECURITY_TLS:
      return "tls";
    case TERN_ACCOUNT_SECURITY_STARTTLS:
      return "starttls";
    case TERN_ACCOUNT_SECURITY_PLAIN:
      return "plain";
    case TERN_ACCOUNT_SECURITY_AUTO:
    default:
      return "auto";
    }
}

gboolean
tern_account_security_from_string (const char          *text,
                                   TernAccountSecurity *security)
{
  if (text == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (text, "tls") == 0 || g_ascii_strcasecmp (text, "ssl") == 0)
    *security = TERN_ACCOUNT_SECURITY_TLS;
  else if (g_ascii_strcasecmp (text, "starttls") == 0)
    *security = TERN_ACCOUNT_SECURITY_STARTTLS;
  else if (g_ascii_strcasecmp (text, "plain") == 0)
    *security = TERN_ACCOUNT_SECURITY_PLAIN;
  else if (g_ascii_strcasecmp (text, "auto") == 0)
    *security = TERN_ACCOUNT_SECURITY_AUTO;
  else
    return FALSE;
  return TRUE;
}

TernAccountSettings *
tern_account_settings_new (const char *address)
{
  TernAccountSettings *settings = g_new0 (TernAccountSettings, 1);

  settings->address = g_strdup (address);
  settings->filter_mode = TERN_FILTER_MODE_ACTIVE;
  settings->store_password = TRUE;
  return settings;
}

TernAccountSettings *
tern_account_settings_copy (const TernAccountSettings *settings)
{
  TernAccountSettings *copy;

  if (settings == NULL)
    return NULL;
  copy = g_memdup2 (settings, sizeof *settings);
  copy->address = g_strdup (settings->address);
  copy->login = g_strdup (settings->login);
  copy->display_name = g_strdup (settings->display_name);
  copy->password = g_strdup (settings->password);
  copy->imap_host = g_strdup (settings->imap_host);
  copy->smtp_host = g_strdup (settings->smtp_host);
  copy->trusted_certificate = g_strdup (settings->trusted_certificate);
  return copy;
}

static void
wipe_free (char *secret)
{
  if (secret != NULL)
    memset (secret, 0, strlen (secret));
  g_free (secret);
}

void
tern_account_settings_free (TernAccountSettings *settings)
{
  if (settings == NULL)
    return;
  g_free (settings->address);
  g_free (settings->login);
  g_free (settings->display_name);
  wipe_free (settings->password);
  g_free (settings->imap_host);
  g_free (settings->smtp_host);
  g_free (settings->trusted_certificate);
  g_free (settings);
}

void
tern_account_fetched_free (TernAccountFetched *fetched)
{
  if (fetched == NULL)
    return;
  g_strfreev (fetched->flags);
  g_clear_pointer (&fetched->raw, g_bytes_unref);
  g_free (fetched->message_id);
  g_free (fetched);
}

/* ---- object --------------------------------------------------------------- */

static void
tern_account_dispose (GObject *object)
{
  TernAccount *self = TERN_ACCOUNT (object);

  tern_account_stop (self);
  G_OBJECT_CLASS (tern_account_parent_class)->dispose (object);
}

static void
tern_account_finalize (GObject *object)
{
  TernAccount *self = TERN_ACCOUNT (object);

  g_clear_pointer (&self->row, tern_store_account_row_free);
  g_clear_error (&self->last_error);
  g_strfreev (self->capabilities);
  wipe_free (self->session_password);
  wipe_free (self->password);
  g_clear_pointer (&self->folder_names, g_hash_table_unref);
  g_clear_pointer (&self->folder_ids, g_hash_table_unref);
  g_clear_pointer (&self->sync_waiters, g_ptr_array_unref);
  g_free (self->setup_pin);

  G_OBJECT_CLASS (tern_account_parent_class)->finalize (object);
}

static void
tern_account_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TernAccount *self = TERN_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;
    case PROP_ID:
      g_value_set_int64 (value, self->row->id);
      break;
    case PROP_ADDRESS:
      g_value_set_string (value, self->row->address);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->row->display_name);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_LAST_ERROR:
      g_value_set_boxed (value, self->last_error);
      break;
    case PROP_COI_SERVER:
      g_value_set_boolean (value, self->coi_server);
      break;
    case PROP_CAPABILITIES:
      g_value_set_boxed (value, self->capabilities);
      break;
    case PROP_EXTENSIONS:
      g_value_set_uint (value, self->extensions);
      break;
    case PROP_FILTER_MODE:
      g_value_set_enum (value, (TernFilterMode) self->row->filter_mode);
      break;
    case PROP_SYNCING:
      g_value_set_boolean (value, self->syncing);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_account_class_init (TernAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tern_account_dispose;
  object_class->finalize = tern_account_finalize;
  object_class->get_property = tern_account_get_property;

  properties[PROP_CONTEXT] = g_param_spec_object ("context", NULL, NULL, TERN_TYPE_CONTEXT, ro);
  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_ADDRESS] = g_param_spec_string ("address", NULL, NULL, NULL, ro);
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL, ro);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, TERN_TYPE_ACCOUNT_STATE,
                                              TERN_ACCOUNT_STATE_OFFLINE, ro);
  properties[PROP_LAST_ERROR] = g_param_spec_boxed ("last-error", NULL, NULL, G_TYPE_ERROR, ro);
  properties[PROP_COI_SERVER] = g_param_spec_boolean ("coi-server", NULL, NULL, FALSE, ro);
  properties[PROP_CAPABILITIES] = g_param_spec_boxed ("capabilities", NULL, NULL, G_TYPE_STRV, ro);
  properties[PROP_EXTENSIONS] = g_param_spec_uint ("extensions", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_FILTER_MODE] = g_param_spec_enum ("filter-mode", NULL, NULL,
                                                    TERN_TYPE_FILTER_MODE,
                                                    TERN_FILTER_MODE_ACTIVE, ro);
  properties[PROP_SYNCING] = g_param_spec_boolean ("syncing", NULL, NULL, FALSE, ro);
  properties[PROP_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, 0, 1, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[MESSAGE_RECEIVED] =
    g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT64);
  signals[MESSAGE_CHANGED] =
    g_signal_new ("message-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[CHAT_CHANGED] =
    g_signal_new ("chat-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[STATE_CHANGED] =
    g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, TERN_TYPE_ACCOUNT_STATE);
  signals[ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SYNCED] =
    g_signal_new ("synced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
tern_account_init (TernAccount *self)
{
  self->capabilities = g_new0 (char *, 1);
  self->folder_names = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  self->folder_ids = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  self->sync_waiters = g_ptr_array_new_with_free_func (g_object_unref);
}

TernAccount *
tern_account_new_from_row (TernContext               *context,
                           const TernStoreAccountRow *row)
{
  TernAccount *self = g_object_new (TERN_TYPE_ACCOUNT, NULL);
  g_autoptr(GPtrArray) folders = NULL;

  self->context = context;
  self->row = tern_store_account_row_copy (row);
  self->coi_server = row->coi_server;
  if (row->capabilities != NULL)
    tern_account_set_server_info (self, (const char *const *) NULL);

  folders = tern_store_list_folders (tern_context_get_store (context), row->id, NULL);
  for (guint i = 0; folders != NULL && i < folders->len; i++)
    {
      TernStoreFolderRow *folder = folders->pdata[i];
      gint64 *id;

      if (folder->role == TERN_STORE_FOLDER_ROLE_NONE)
        continue;
      id = g_new (gint64, 1);
      *id = folder->id;
      g_hash_table_replace (self->folder_names, GINT_TO_POINTER (folder->role),
                            g_strdup (folder->name));
      g_hash_table_replace (self->folder_ids, GINT_TO_POINTER (folder->role), id);
    }
  return self;
}

/* ---- internal setters ----------------------------------------------------- */

void
tern_account_set_state (TernAccount      *self,
                        TernAccountState  state,
                        const GError     *error)
{
  gboolean error_changed = FALSE;

  if (error != NULL || (state == TERN_ACCOUNT_STATE_ONLINE && self->last_error != NULL))
    {
      g_clear_error (&self->last_error);
      if (error != NULL)
        self->last_error = g_error_copy (error);
      error_changed = TRUE;
    }
  if (error_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);

  if (self->state != state)
    {
      self->state = state;
      g_debug ("%s: state %d", self->row->address, state);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
      g_signal_emit (self, signals[STATE_CHANGED], 0, state);
    }
  if (error != NULL && state == TERN_ACCOUNT_STATE_ERROR)
    g_signal_emit (self, signals[ERROR], 0, error);
}

void
tern_account_set_server_info (TernAccount       *self,
                              const char *const *capabilities)
{
  static const struct {
    const char *name;
    TernAccountExtensions ext;
  } map[] = {
    { "COI", TERN_ACCOUNT_EXT_COI },
    { "WEBPUSH", TERN_ACCOUNT_EXT_WEBPUSH },
    { "METADATA", TERN_ACCOUNT_EXT_METADATA },
    { "IDLE", TERN_ACCOUNT_EXT_IDLE },
    { "CONDSTORE", TERN_ACCOUNT_EXT_CONDSTORE },
    { "QRESYNC", TERN_ACCOUNT_EXT_QRESYNC },
    { "MOVE", TERN_ACCOUNT_EXT_MOVE },
    { "UIDPLUS", TERN_ACCOUNT_EXT_UIDPLUS },
    { "SPECIAL-USE", TERN_ACCOUNT_EXT_SPECIAL_USE },
  };
  g_auto(GStrv) caps = NULL;
  TernAccountExtensions ext = 0;

  if (capabilities != NULL)
    caps = g_strdupv ((char **) capabilities);
  else if (self->row->capabilities != NULL)
    caps = g_strsplit (self->row->capabilities, " ", -1);
  else
    caps = g_new0 (char *, 1);

  for (guint i = 0; caps[i] != NULL; i++)
    for (guint j = 0; j < G_N_ELEMENTS (map); j++)
      if (g_ascii_strcasecmp (caps[i], map[j].name) == 0)
        ext |= map[j].ext;

  if (!g_strv_equal ((const char *const *) caps, (const char *const *) self->capabilities))
    {
      g_strfreev (self->capabilities);
      self->capabilities = g_steal_pointer (&caps);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPABILITIES]);
    }
  if (ext != self->extensions)
    {
      self->extensions = ext;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXTENSIONS]);
    }
  if (!!(ext & TERN_ACCOUNT_EXT_COI) != self->coi_server && capabilities != NULL)
    {
      self->coi_server = !!(ext & TERN_ACCOUNT_EXT_COI);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COI_SERVER]);
    }
}

void
tern_account_emit_received (TernAccount *self,
                            gint64       message,
                            gint64       chat)
{
  g_signal_emit (self, signals[MESSAGE_RECEIVED], 0, message, chat);
  if (chat > 0)
    g_signal_emit (self, signals[CHAT_CHANGED], 0, chat);
}

void
tern_account_set_syncing (TernAccount *self,
                          gboolean     syncing,
                          double       progress)
{
  progress = CLAMP (progress, 0.0, 1.0);
  if (self->syncing != syncing)
    {
      self->syncing = syncing;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCING]);
      if (!syncing)
        g_signal_emit (self, signals[SYNCED], 0);
    }
  if (self->progress != progress)
    {
      self->progress = progress;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
    }
}

TernNetSecurity
tern_account_security_to_net (TernStoreSecurity security)
{
  switch (security)
    {
    case TERN_STORE_SECURITY_STARTTLS:
      return TERN_NET_SECURITY_STARTTLS;
    case TERN_STORE_SECURITY_PLAIN:
      return TERN_NET_SECURITY_PLAIN;
    case TERN_STORE_SECURITY_TLS:
    default:
      return TERN_NET_SECURITY_TLS;
    }
}

const char *
tern_account_pin_for_host (TernAccount *self,
                           const char  *host)
{
  g_autoptr(GHashTable) pins = NULL;
  static GQuark pin_quark;
  char *pin;

  /* keep the last lookup alive on the object: cheap and rarely called */
  if (self->setup_pin != NULL)
    return self->setup_pin;
  if (pin_quark == 0)
    pin_quark = g_quark_from_static_string ("tern-account-pin");
  pins = tern_store_get_pinned_certificates (tern_context_get_store (self->context),
                                             self->row->id, NULL);
  if (pins == NULL)
    return NULL;
  pin = g_strdup (g_hash_table_lookup (pins, host));
  g_object_set_qdata_full (G_OBJECT (self), pin_quark, pin, g_free);
  return pin;
}

/* ---- getters -------------------------------------------------------------- */

TernContext *
tern_account_get_context (TernAccount *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT (self), NULL);
  return self->context;
}

TernStore *
tern_account_get_store (TernAccount *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT (self), NULL);
  return tern_context_get_store (self->context);
}

gint64
tern_account_get_id (TernAccount *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT (self), 0);
  return self->row->id;
}

const char *
tern_account_get_address (TernAccount *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT (self), NULL);
  return self->row->address;
}

const char *
tern_account_get_display_name (TernAccount *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT (self), NULL);
  return self->row->display_name;
}

const TernStoreAccountRow *
tern_account_get_row (TernAccount *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT (self), NULL);
  return self->row;
}

TernAccountState
tern_account_get_state (TernAccount *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT (self), TERN_ACCOUNT_STATE_OFFLINE);
  return self->state;
}

const GError *
tern_account_get_last_error (TernAccount *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT (self), NULL);
  return self->last_error;
}

gboolean
tern_account_is_coi_server (TernAccount *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT (self), FALSE);
  return self->coi_server;
}

const char *const *
tern_account_get_capabilities (TernAccount *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT (self), NULL);
  return (const char *const *) self->capabilities;
}

TernAccountExtensions
tern_account_get_extensions (TernAccount *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT (self), 0);
  return self->extensions;
}

TernFilterMode
tern_account_get_filter_mode (TernAccount *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT (self), TERN_FILTER_MODE_ACTIVE);
  return (TernFilterMode) self->row->filter_mode;
}

gboolean
tern_account_get_syncing (TernAccount *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT (self), FALSE);
  return self->syncing;
}

double
tern_account_get_progress (TernAccount *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT (self), 0);
  return self->progress;
}

const char *
tern_account_get_folder_name (TernAccount         *self,
                              TernStoreFolderRole  role)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT (self), NULL);
  return g_hash_table_lookup (self->folder_names, GINT_TO_POINTER (role));
}

guint64
tern_account_get_debug_fetch_count (TernAccount *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT (self), 0);
  return self->debug_fetch_count;
}

/* ---- password ------------------------------------------------------------- */

void
tern_account_set_password_for_session (TernAccount *self,
                                       const char  *password)
{
  g_return_if_fail (TERN_IS_ACCOUNT (self));
  wipe_free (self->session_password);
  self->session_password = g_strdup (password);
}

static void
password_lookup_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  char *password = tern_secrets_lookup_finish (result, &error);

  if (password == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  wipe_free (self->password);
  self->password = g_strdup (password);
  g_task_return_pointer (task, password, (GDestroyNotify) wipe_free);
}

void
tern_account_get_password_async (TernAccount         *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TERN_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_account_get_password_async);
  g_task_set_name (task, "[tern-core] password");

  if (self->session_password != NULL)
    g_task_return_pointer (task, g_strdup (self->session_password), (GDestroyNotify) wipe_free);
  else if (self->password != NULL)
    g_task_return_pointer (task, g_strdup (self->password), (GDestroyNotify) wipe_free);
  else
    tern_secrets_lookup_async (tern_context_get_secret_schema_name (self->context),
                               self->row->address, cancellable, password_lookup_cb,
                               g_steal_pointer (&task));
}

char *
tern_account_get_password_finish (TernAccount  *self,
                                  GAsyncResult *result,
                                  GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- remove --------------------------------------------------------------- */

static void
remove_committed_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!tern_store_commit_finish (TERN_STORE (object), result, &error))
    {
      g_task_return_error (task, tern_core_error_wrap (error, "Cannot remove the account"));
      return;
    }
  tern_context_drop_account (self->context, self);
  g_task_return_boolean (task, TRUE);
}

static void
remove_secret_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TernAccount *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(TernStoreBatch) batch = NULL;
  TernStore *store = tern_context_get_store (self->context);

  /* A missing keyring does not keep the account: there is nothing stored
   * there we could leak, and the user asked to remove it. */
  if (!tern_secrets_clear_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_debug ("removing the secret: %s", error->message);
    }

  batch = tern_store_begin_batch (store);
  tern_store_batch_remove_account (batch, self->row->id);
  {
    GTask *task_ = g_steal_pointer (&task);
    tern_store_commit_async (store, batch, g_task_get_cancellable (task_), remove_committed_cb,
                             task_);
  }
}

void
tern_account_remove_async (TernAccount         *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TERN_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_account_remove_async);
  g_task_set_name (task, "[tern-core] remove account");

  tern_account_stop (self);
  tern_secrets_clear_async (tern_context_get_secret_schema_name (self->context),
                            self->row->address, cancellable, remove_secret_cb,
                            g_steal_pointer (&task));
}

gboolean
tern_account_remove_finish (TernAccount  *self,
                            GAsyncResult *result,
                            GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
