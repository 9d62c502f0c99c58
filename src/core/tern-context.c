/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-core"

#include <glib/gstdio.h>

#include "tern-account-private.h"
#include "tern-context.h"
#include "tern-coi.h"
#include "tern-core-error.h"
#include "tern-ingest.h"

struct _TernContext
{
  GObject          parent_instance;

  char            *data_dir;
  TernStore       *store;
  GListStore      *accounts;
  gboolean         send_read_receipts;
  gboolean         request_read_receipts;
  TernFilterMode   default_filter_mode;
  gboolean         network_available;
  char            *secret_schema_name;
  GNetworkMonitor *monitor;
  gulong           monitor_id;
};

enum {
  PROP_0,
  PROP_DATA_DIR,
  PROP_STORE,
  PROP_SEND_READ_RECEIPTS,
  PROP_REQUEST_READ_RECEIPTS,
  PROP_DEFAULT_FILTER_MODE,
  PROP_NETWORK_AVAILABLE,
  N_PROPS
};

enum {
  ACCOUNT_ADDED,
  ACCOUNT_REMOVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TernContext, tern_context, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (TernFilterMode, tern_filter_mode,
                    G_DEFINE_ENUM_VALUE (TERN_FILTER_MODE_NONE, "none"),
                    G_DEFINE_ENUM_VALUE (TERN_FILTER_MODE_ACTIVE, "active"),
                    G_DEFINE_ENUM_VALUE (TERN_FILTER_MODE_SEEN, "seen"))

const char *
tern_filter_mode_to_string (TernFilterMode mode)
{
  switch (mode)
    {
    case TERN_FILTER_MODE_NONE:
      return "none";
    case TERN_FILTER_MODE_SEEN:
      return "seen";
    case TERN_FILTER_MODE_ACTIVE:
    default:
      return "active";
    }
}

gboolean
tern_filter_mode_from_string (const char     *text,
                              TernFilterMode *mode)
{
  if (text == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (text, "none") == 0)
    *mode = TERN_FILTER_MODE_NONE;
  else if (g_ascii_strcasecmp (text, "active") == 0)
    *mode = TERN_FILTER_MODE_ACTIVE;
  else if (g_ascii_strcasecmp (text, "seen") == 0)
    *mode = TERN_FILTER_MODE_SEEN;
  else
    return FALSE;
  return TRUE;
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  TernContext *self = user_data;
  guint n;

  if (available == self->network_available)
    return;
  self->network_available = available;
  g_debug ("network %s", available ? "available" : "gone");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NETWORK_AVAILABLE]);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TernAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      tern_account_network_changed (account, available);
    }
}

static void
tern_context_dispose (GObject *object)
{
  TernContext *self = TERN_CONTEXT (object);

  if (self->accounts != NULL)
    tern_context_stop_all (self);
  if (self->monitor != NULL)
    g_clear_signal_handler (&self->monitor_id, self->monitor);
  g_clear_object (&self->monitor);
  g_clear_object (&self->accounts);
  if (self->store != NULL)
    tern_store_close (self->store);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (tern_context_parent_class)->dispose (object);
}

static void
tern_context_finalize (GObject *object)
{
  TernContext *self = TERN_CONTEXT (object);

  g_free (self->data_dir);
  g_free (self->secret_schema_name);

  G_OBJECT_CLASS (tern_context_parent_class)->finalize (object);
}

static void
tern_context_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TernContext *self = TERN_CONTEXT (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_SEND_READ_RECEIPTS:
      g_value_set_boolean (value, self->send_read_receipts);
      break;
    case PROP_REQUEST_READ_RECEIPTS:
      g_value_set_boolean (value, self->request_read_receipts);
      break;
    case PROP_DEFAULT_FILTER_MODE:
      g_value_set_enum (value, self->default_filter_mode);
      break;
    case PROP_NETWORK_AVAILABLE:
      g_value_set_boolean (value, self->network_available);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_context_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  TernContext *self = TERN_CONTEXT (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      self->data_dir = g_value_dup_string (value);
      break;
    case PROP_SEND_READ_RECEIPTS:
      tern_context_set_send_read_receipts (self, g_value_get_boolean (value));
      break;
    case PROP_REQUEST_READ_RECEIPTS:
      tern_context_set_request_read_receipts (self, g_value_get_boolean (value));
      break;
    case PROP_DEFAULT_FILTER_MODE:
      tern_context_set_default_filter_mode (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_context_class_init (TernContextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tern_context_dispose;
  object_class->finalize = tern_context_finalize;
  object_class->get_property = tern_context_get_property;
  object_class->set_property = tern_context_set_property;

  properties[PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TERN_TYPE_STORE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEND_READ_RECEIPTS] =
    g_param_spec_boolean ("send-read-receipts", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REQUEST_READ_RECEIPTS] =
    g_param_spec_boolean ("request-read-receipts", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEFAULT_FILTER_MODE] =
    g_param_spec_enum ("default-filter-mode", NULL, NULL, TERN_TYPE_FILTER_MODE,
                       TERN_FILTER_MODE_ACTIVE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NETWORK_AVAILABLE] =
    g_param_spec_boolean ("network-available", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ACCOUNT_ADDED] =
    g_signal_new ("account-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, TERN_TYPE_ACCOUNT);
  signals[ACCOUNT_REMOVED] =
    g_signal_new ("account-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, TERN_TYPE_ACCOUNT);
}

static void
tern_context_init (TernContext *self)
{
  self->accounts = g_list_store_new (TERN_TYPE_ACCOUNT);
  self->send_read_receipts = TRUE;
  self->request_read_receipts = TRUE;
  self->default_filter_mode = TERN_FILTER_MODE_ACTIVE;
  self->network_available = TRUE;
  self->secret_schema_name = g_strdup ("io.github.ternchat.Tern");
}

char *
tern_context_default_data_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "tern", NULL);
}

TernContext *
tern_context_new (const char *data_dir,
                  GError    **error)
{
  g_autoptr(TernContext) self = NULL;
  g_autofree char *dir = data_dir != NULL ? g_strdup (data_dir) : tern_context_default_data_dir ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, TERN_CORE_ERROR, TERN_CORE_ERROR_STORE,
                   "Cannot create the data directory %s: %s", dir, g_strerror (saved));
      return NULL;
    }

  tern_coi_init ();
  /* the real ingest (src/core/tern-ingest.c) instead of the built-in one */
  tern_ingest_install ();
  self = g_object_new (TERN_TYPE_CONTEXT, "data-dir", dir, NULL);
  self->store = tern_store_open (dir, &local_error);
  if (self->store == NULL)
    {
      g_propagate_error (error, tern_core_error_wrap (local_error, "Cannot open the data store"));
      return NULL;
    }

  rows = tern_store_list_accounts (self->store, &local_error);
  if (rows == NULL)
    {
      g_propagate_error (error, tern_core_error_wrap (local_error, "Cannot read the accounts"));
      return NULL;
    }
  for (guint i = 0; i < rows->len; i++)
    {
      g_autoptr(TernAccount) account = tern_account_new_from_row (self, rows->pdata[i]);
      g_list_store_append (self->accounts, account);
    }

  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_available = g_network_monitor_get_network_available (self->monitor);
  self->monitor_id = g_signal_connect (self->monitor, "network-changed",
                                       G_CALLBACK (network_changed_cb), self);

  return g_steal_pointer (&self);
}

const char *
tern_context_get_data_dir (TernContext *self)
{
  g_return_val_if_fail (TERN_IS_CONTEXT (self), NULL);
  return self->data_dir;
}

TernStore *
tern_context_get_store (TernContext *self)
{
  g_return_val_if_fail (TERN_IS_CONTEXT (self), NULL);
  return self->store;
}

GListModel *
tern_context_get_accounts (TernContext *self)
{
  g_return_val_if_fail (TERN_IS_CONTEXT (self), NULL);
  return G_LIST_MODEL (self->accounts);
}

TernAccount *
tern_context_find_account (TernContext *self,
                           const char  *address)
{
  guint n;

  g_return_val_if_fail (TERN_IS_CONTEXT (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  for (guint i = 0; i < n; i++)
    {
      TernAccount *account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      g_object_unref (account); /* the store keeps it alive */
      if (g_ascii_strcasecmp (tern_account_get_address (account), address) == 0)
        return account;
    }
  return NULL;
}

TernAccount *
tern_context_get_account (TernContext *self,
                          gint64       id)
{
  guint n;

  g_return_val_if_fail (TERN_IS_CONTEXT (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  for (guint i = 0; i < n; i++)
    {
      TernAccount *account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      g_object_unref (account);
      if (tern_account_get_id (account) == id)
        return account;
    }
  return NULL;
}

void
tern_context_start_all (TernContext *self)
{
  guint n;

  g_return_if_fail (TERN_IS_CONTEXT (self));

  n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TernAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      tern_account_start (account);
    }
}

void
tern_context_stop_all (TernContext *self)
{
  guint n;

  g_return_if_fail (TERN_IS_CONTEXT (self));

  n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TernAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
      tern_account_stop (account);
    }
}

void
tern_context_add_account (TernContext *self,
                          TernAccount *account)
{
  g_list_store_append (self->accounts, account);
  g_signal_emit (self, signals[ACCOUNT_ADDED], 0, account);
}

void
tern_context_drop_account (TernContext *self,
                           TernAccount *account)
{
  guint position;

  if (g_list_store_find (self->accounts, account, &position))
    {
      g_object_ref (account);
      g_list_store_remove (self->accounts, position);
      g_signal_emit (self, signals[ACCOUNT_REMOVED], 0, account);
      g_object_unref (account);
    }
}

gboolean
tern_context_get_send_read_receipts (TernContext *self)
{
  g_return_val_if_fail (TERN_IS_CONTEXT (self), FALSE);
  return self->send_read_receipts;
}

void
tern_context_set_send_read_receipts (TernContext *self,
                                     gboolean     send)
{
  g_return_if_fail (TERN_IS_CONTEXT (self));
  send = !!send;
  if (self->send_read_receipts == send)
    return;
  self->send_read_receipts = send;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEND_READ_RECEIPTS]);
}

gboolean
tern_context_get_request_read_receipts (TernContext *self)
{
  g_return_val_if_fail (TERN_IS_CONTEXT (self), FALSE);
  return self->request_read_receipts;
}

void
tern_context_set_request_read_receipts (TernContext *self,
                                        gboolean     request)
{
  g_return_if_fail (TERN_IS_CONTEXT (self));
  request = !!request;
  if (self->request_read_receipts == request)
    return;
  self->request_read_receipts = request;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUEST_READ_RECEIPTS]);
}

TernFilterMode
tern_context_get_default_filter_mode (TernContext *self)
{
  g_return_val_if_fail (TERN_IS_CONTEXT (self), TERN_FILTER_MODE_ACTIVE);
  return self->default_filter_mode;
}

void
tern_context_set_default_filter_mode (TernContext    *self,
                                      TernFilterMode  mode)
{
  g_return_if_fail (TERN_IS_CONTEXT (self));
  if (self->default_filter_mode == mode)
    return;
  self->default_filter_mode = mode;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEFAULT_FILTER_MODE]);
}

void
tern_context_simulate_network_changed (TernContext *self,
                                       gboolean     available)
{
  g_return_if_fail (TERN_IS_CONTEXT (self));
  network_changed_cb (self->monitor, available, self);
}

gboolean
tern_context_get_network_available (TernContext *self)
{
  g_return_val_if_fail (TERN_IS_CONTEXT (self), FALSE);
  return self->network_available;
}

const char *
tern_context_get_secret_schema_name (TernContext *self)
{
  g_return_val_if_fail (TERN_IS_CONTEXT (self), NULL);
  return self->secret_schema_name;
}

void
tern_context_set_secret_schema_name (TernContext *self,
                                     const char  *name)
{
  g_return_if_fail (TERN_IS_CONTEXT (self));
  g_return_if_fail (name != NULL && *name != '\0');
  g_free (self->secret_schema_name);
  self->secret_schema_name = g_strdup (name);
}
