/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include <glib/gi18n.h>

#include "tern-account-row.h"
#include "tern-application.h"
#include "tern-preferences-window.h"

/* The preferences. The General page's switches are bound to GSettings;
 * the engine follows the keys it reads through
 * tern_preferences_bind_context() (read receipts sent and requested, the
 * default filter mode). Changing the filter mode here also changes it on
 * every account (tern_account_set_filter_mode_async(); on a COI server it
 * is written to the server's METADATA). The Accounts page lists the
 * context's accounts (TernAccountRow: connection state, COI server,
 * extensions, per-account filter mode) with Add (the assistant, through
 * app.add-account) and Remove (after a confirmation,
 * tern_account_remove_async()). */

struct _TernPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  TernContext          *context;
  GPtrArray            *account_rows;
  GCancellable         *cancellable;

  /* Template children */
  GtkSwitch            *send_receipts_switch;
  GtkSwitch            *request_receipts_switch;
  GtkSwitch            *store_contacts_switch;
  AdwComboRow          *message_filter_row;
  GtkSwitch            *notifications_switch;
  GtkSwitch            *background_switch;
  AdwPreferencesGroup  *accounts_group;
  GtkWidget            *no_accounts_row;
};

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (TernPreferencesWindow, tern_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static GParamSpec *properties[N_PROPS];

/* The order of the combo row's items; the nicks of the schema's enum. */
static const char * const message_filters[] = { "none", "active", "seen" };

static gboolean
filter_get_mapping (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (message_filters); i++)
    {
      if (g_str_equal (nick, message_filters[i]))
        {
          g_value_set_uint (value, i);
          return TRUE;
        }
    }

  return FALSE;
}

static GVariant *
filter_set_mapping (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  guint i = g_value_get_uint (value);

  if (i >= G_N_ELEMENTS (message_filters))
    return NULL;

  return g_variant_new_string (message_filters[i]);
}

static void
bind_switch (TernPreferencesWindow *self,
             const char            *key,
             GtkSwitch             *widget)
{
  g_settings_bind (self->settings, key, widget, "active", G_SETTINGS_BIND_DEFAULT);
}

void
tern_preferences_bind_context (GSettings   *settings,
                               TernContext *context)
{
  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (TERN_IS_CONTEXT (context));

  /* Binding again replaces the earlier binding of the same property. */
  g_settings_bind (settings, "send-read-receipts", context, "send-read-receipts",
                   G_SETTINGS_BIND_GET);
  g_settings_bind (settings, "request-read-receipts", context, "request-read-receipts",
                   G_SETTINGS_BIND_GET);
  g_settings_bind (settings, "message-filter", context, "default-filter-mode",
                   G_SETTINGS_BIND_GET);
}

/* ---- accounts -------------------------------------------------------------- */

static void
filter_applied_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TernPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  TernAccountRow *row;

  if (!tern_account_set_filter_mode_finish (TERN_ACCOUNT (object), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  row = tern_preferences_window_find_account_row (self, tern_account_get_address (TERN_ACCOUNT (object)));
  if (row != NULL)
    tern_account_row_refresh (row);
  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("%s: could not change where chat messages go: %s"),
                                               tern_account_get_address (TERN_ACCOUNT (object)),
                                               error->message);
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (text));
    }
}

/* The user picked a filter mode on the General page: every account takes it. */
static void
message_filter_selected_cb (TernPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->message_filter_row);
  GListModel *accounts;

  if (self->context == NULL || selected > TERN_FILTER_MODE_SEEN)
    return;

  accounts = tern_context_get_accounts (self->context);
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(TernAccount) account = g_list_model_get_item (accounts, i);

      if (tern_account_get_filter_mode (account) != (TernFilterMode) selected)
        tern_account_set_filter_mode_async (account, selected, self->cancellable,
                                            filter_applied_cb, g_object_ref (self));
    }
}

static void
removed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(TernPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!tern_account_remove_finish (TERN_ACCOUNT (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (_("Could not remove %s: %s"),
                                               tern_account_get_address (TERN_ACCOUNT (object)),
                                               error->message);
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (text));
    }
}

static void
remove_response_cb (AdwMessageDialog      *dialog,
                    const char            *response,
                    TernPreferencesWindow *self)
{
  TernAccount *account = g_object_get_data (G_OBJECT (dialog), "account");

  if (g_strcmp0 (response, "remove") == 0 && account != NULL)
    tern_account_remove_async (account, self->cancellable, removed_cb, g_object_ref (self));
}

static void
remove_requested_cb (TernAccountRow        *row,
                     TernPreferencesWindow *self)
{
  TernAccount *account = tern_account_row_get_account (row);
  g_autofree char *heading = g_strdup_printf (_("Remove %s?"), tern_account_get_address (account));
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
    GTK_WINDOW (self), heading,
    _("Its chats and messages are deleted from this computer and its password from your "
      "keyring. The mail on the server is not touched.")));
  g_object_set_data_full (G_OBJECT (dialog), "account", g_object_ref (account), g_object_unref);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "remove", _("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  gtk_widget_add_css_class (GTK_WIDGET (dialog), "remove-account-dialog");
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
accounts_changed_cb (TernPreferencesWindow *self)
{
  GListModel *accounts = tern_context_get_accounts (self->context);
  guint n = g_list_model_get_n_items (accounts);

  for (guint i = 0; i < self->account_rows->len; i++)
    adw_preferences_group_remove (self->accounts_group, self->account_rows->pdata[i]);
  g_ptr_array_set_size (self->account_rows, 0);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TernAccount) account = g_list_model_get_item (accounts, i);
      TernAccountRow *row = tern_account_row_new (account);

      g_signal_connect_object (row, "remove-requested", G_CALLBACK (remove_requested_cb), self, 0);
      adw_preferences_group_add (self->accounts_group, GTK_WIDGET (row));
      g_ptr_array_add (self->account_rows, row);
    }
  gtk_widget_set_visible (self->no_accounts_row, n == 0);
}

static void
application_changed_cb (TernPreferencesWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (self->context == NULL && TERN_IS_APPLICATION (app) &&
      tern_application_get_context (TERN_APPLICATION (app)) != NULL)
    tern_preferences_window_set_context (self, tern_application_get_context (TERN_APPLICATION (app)));
}

static void
tern_preferences_window_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  TernPreferencesWindow *self = TERN_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_preferences_window_constructed (GObject *object)
{
  TernPreferencesWindow *self = TERN_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (tern_preferences_window_parent_class)->constructed (object);

  g_return_if_fail (G_IS_SETTINGS (self->settings));

  bind_switch (self, "send-read-receipts", self->send_receipts_switch);
  bind_switch (self, "request-read-receipts", self->request_receipts_switch);
  bind_switch (self, "store-contacts-on-server", self->store_contacts_switch);
  bind_switch (self, "notifications", self->notifications_switch);
  bind_switch (self, "run-in-background", self->background_switch);
  g_settings_bind_with_mapping (self->settings, "message-filter",
                                self->message_filter_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                filter_get_mapping, filter_set_mapping, NULL, NULL);
  g_signal_connect_swapped (self->message_filter_row, "notify::selected",
                            G_CALLBACK (message_filter_selected_cb), self);
  g_signal_connect (self, "notify::application", G_CALLBACK (application_changed_cb), NULL);
}

static void
tern_preferences_window_dispose (GObject *object)
{
  TernPreferencesWindow *self = TERN_PREFERENCES_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  /* The rows may outlive the window: a settings change must not reach them
   * (nor this window) any more. */
  if (self->message_filter_row != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->message_filter_row, self);
      g_settings_unbind (self->message_filter_row, "selected");
      g_settings_unbind (self->send_receipts_switch, "active");
      g_settings_unbind (self->request_receipts_switch, "active");
      g_settings_unbind (self->store_contacts_switch, "active");
      g_settings_unbind (self->notifications_switch, "active");
      g_settings_unbind (self->background_switch, "active");
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), TERN_TYPE_PREFERENCES_WINDOW);
  g_clear_pointer (&self->account_rows, g_ptr_array_unref);
  g_clear_object (&self->settings);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (tern_preferences_window_parent_class)->dispose (object);
}

static void
tern_preferences_window_class_init (TernPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->set_property = tern_preferences_window_set_property;
  object_class->constructed = tern_preferences_window_constructed;
  object_class->dispose = tern_preferences_window_dispose;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ternchat/Tern/tern-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TernPreferencesWindow, send_receipts_switch);
  gtk_widget_class_bind_template_child (widget_class, TernPreferencesWindow,
                                        request_receipts_switch);
  gtk_widget_class_bind_template_child (widget_class, TernPreferencesWindow, store_contacts_switch);
  gtk_widget_class_bind_template_child (widget_class, TernPreferencesWindow, message_filter_row);
  gtk_widget_class_bind_template_child (widget_class, TernPreferencesWindow, notifications_switch);
  gtk_widget_class_bind_template_child (widget_class, TernPreferencesWindow, background_switch);
  gtk_widget_class_bind_template_child (widget_class, TernPreferencesWindow, accounts_group);
  gtk_widget_class_bind_template_child (widget_class, TernPreferencesWindow, no_accounts_row);
}

static void
tern_preferences_window_init (TernPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->account_rows = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
}

TernPreferencesWindow *
tern_preferences_window_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (TERN_TYPE_PREFERENCES_WINDOW,
                       "settings", settings,
                       NULL);
}

/* Shows @context's accounts and applies the filter mode to them; the
 * window takes the application's context by itself when it is given a
 * TernApplication. Once only. */
void
tern_preferences_window_set_context (TernPreferencesWindow *self,
                                     TernContext           *context)
{
  g_return_if_fail (TERN_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (TERN_IS_CONTEXT (context));

  if (self->context == context)
    return;
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  tern_preferences_bind_context (self->settings, context);
  g_signal_connect_object (tern_context_get_accounts (context), "items-changed",
                           G_CALLBACK (accounts_changed_cb), self, G_CONNECT_SWAPPED);
  accounts_changed_cb (self);
}

/* (transfer none) the row of the account with @address, or NULL. */
TernAccountRow *
tern_preferences_window_find_account_row (TernPreferencesWindow *self,
                                          const char            *address)
{
  g_return_val_if_fail (TERN_IS_PREFERENCES_WINDOW (self), NULL);

  for (guint i = 0; i < self->account_rows->len; i++)
    {
      TernAccountRow *row = self->account_rows->pdata[i];

      if (g_ascii_strcasecmp (tern_account_get_address (tern_account_row_get_account (row)),
                              address) == 0)
        return row;
    }
  return NULL;
}
