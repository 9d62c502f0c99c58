/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include <glib/gi18n.h>

#include "tern-account-row.h"

struct _TernAccountRow
{
  AdwExpanderRow  parent_instance;

  TernAccount    *account;
  GCancellable   *cancellable;
  gboolean        setting_filter;

  GtkImage       *state_icon;
  GtkSpinner     *spinner;
  AdwActionRow   *coi_row;
  AdwActionRow   *extensions_row;
  AdwActionRow   *servers_row;
  AdwComboRow    *filter_row;
  GtkWidget      *remove_button;
  char           *status_text;
};

enum {
  SIGNAL_REMOVE_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TernAccountRow, tern_account_row, ADW_TYPE_EXPANDER_ROW)

static const struct {
  TernAccountExtensions flag;
  const char           *name;
} extension_names[] = {
  { TERN_ACCOUNT_EXT_COI, "COI" },
  { TERN_ACCOUNT_EXT_WEBPUSH, "WEBPUSH" },
  { TERN_ACCOUNT_EXT_METADATA, "METADATA" },
  { TERN_ACCOUNT_EXT_IDLE, "IDLE" },
  { TERN_ACCOUNT_EXT_CONDSTORE, "CONDSTORE" },
  { TERN_ACCOUNT_EXT_QRESYNC, "QRESYNC" },
  { TERN_ACCOUNT_EXT_MOVE, "MOVE" },
  { TERN_ACCOUNT_EXT_UIDPLUS, "UIDPLUS" },
  { TERN_ACCOUNT_EXT_SPECIAL_USE, "SPECIAL-USE" },
};

char *
tern_account_extensions_to_string (TernAccountExtensions extensions)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (extension_names); i++)
    {
      if ((extensions & extension_names[i].flag) == 0)
        continue;
      if (out->len > 0)
        g_string_append (out, ", ");
      g_string_append (out, extension_names[i].name);
    }
  return out->len > 0 ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

static gboolean
capabilities_known (TernAccountRow *self)
{
  const char *const *caps = tern_account_get_capabilities (self->account);

  return caps != NULL && caps[0] != NULL;
}

static void
update_state (TernAccountRow *self)
{
  const GError *error = tern_account_get_last_error (self->account);
  TernContext *context = tern_account_get_context (self->account);
  const char *icon = NULL;
  const char *state_class = "offline";
  gboolean connecting = FALSE;

  g_clear_pointer (&self->status_text, g_free);
  switch (tern_account_get_state (self->account))
    {
    case TERN_ACCOUNT_STATE_ONLINE:
      self->status_text = g_strdup (tern_account_get_syncing (self->account)
                                      ? _("Connected, syncing")
                                      : _("Connected"));
      icon = "emblem-ok-symbolic";
      state_class = "connected";
      break;

    case TERN_ACCOUNT_STATE_CONNECTING:
      self->status_text = g_strdup (_("Connecting…"));
      connecting = TRUE;
      break;

    case TERN_ACCOUNT_STATE_ERROR:
      self->status_text = g_strdup_printf (_("Not connected: %s"),
                                           error ? error->message : _("unknown error"));
      icon = "dialog-error-symbolic";
      state_class = "failed";
      break;

    case TERN_ACCOUNT_STATE_OFFLINE:
    default:
      if (context != NULL && !tern_context_get_network_available (context))
        self->status_text = g_strdup (_("Offline: no network"));
      else if (error != NULL)
        self->status_text = g_strdup_printf (_("Offline, retrying soon: %s"), error->message);
      else
        self->status_text = g_strdup (_("Offline"));
      icon = "network-offline-symbolic";
      break;
    }

  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (self), self->status_text);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), connecting);
  gtk_spinner_set_spinning (self->spinner, connecting);
  gtk_widget_set_visible (GTK_WIDGET (self->state_icon), icon != NULL);
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_icon), "connected");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_icon), "failed");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_icon), "offline");
  gtk_widget_add_css_class (GTK_WIDGET (self->state_icon), state_class);
  if (icon != NULL)
    gtk_image_set_from_icon_name (self->state_icon, icon);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->state_icon), self->status_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->state_icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->status_text, -1);
}

static void
update_server (TernAccountRow *self)
{
  g_autofree char *extensions = tern_account_extensions_to_string (tern_account_get_extensions (self->account));
  const TernStoreAccountRow *row = tern_account_get_row (self->account);

  if (!capabilities_known (self))
    {
      adw_action_row_set_subtitle (self->coi_row, _("Not known yet: Tern has not signed in"));
      adw_action_row_set_subtitle (self->extensions_row, _("Not known yet: Tern has not signed in"));
    }
  else
    {
      adw_action_row_set_subtitle (self->coi_row,
                                   tern_account_is_coi_server (self->account)
                                     ? _("Yes: the server files chat messages itself")
                                     : _("No: a standard mail server; Tern files chat messages"));
      adw_action_row_set_subtitle (self->extensions_row,
                                   extensions ? extensions : _("None that Tern uses"));
    }

  if (row != NULL)
    {
      g_autofree char *servers = g_strdup_printf (_("IMAP %s:%u, SMTP %s:%u"),
                                                  row->imap_host ? row->imap_host : "?",
                                                  row->imap_port,
                                                  row->smtp_host ? row->smtp_host : "?",
                                                  row->smtp_port);
      adw_action_row_set_subtitle (self->servers_row, servers);
    }
}

static void
update_filter (TernAccountRow *self)
{
  self->setting_filter = TRUE;
  adw_combo_row_set_selected (self->filter_row, tern_account_get_filter_mode (self->account));
  self->setting_filter = FALSE;
}

static void
filter_set_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TernAccountRow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!tern_account_set_filter_mode_finish (TERN_ACCOUNT (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      g_autofree char *text = g_strdup_printf (_("Could not change where chat messages go: %s"),
                                               error->message);

      if (ADW_IS_PREFERENCES_WINDOW (root))
        adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), adw_toast_new (text));
      update_filter (self);
    }
}

static void
filter_selected_cb (TernAccountRow *self)
{
  guint selected = adw_combo_row_get_selected (self->filter_row);

  if (self->setting_filter || selected > TERN_FILTER_MODE_SEEN ||
      (TernFilterMode) selected == tern_account_get_filter_mode (self->account))
    return;

  tern_account_set_filter_mode_async (self->account, selected, self->cancellable,
                                      filter_set_cb, g_object_ref (self));
}

static void
remove_clicked_cb (TernAccountRow *self)
{
  g_signal_emit (self, signals[SIGNAL_REMOVE_REQUESTED], 0);
}

static void
tern_account_row_dispose (GObject *object)
{
  TernAccountRow *self = TERN_ACCOUNT_ROW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (tern_account_row_parent_class)->dispose (object);
}

static void
tern_account_row_finalize (GObject *object)
{
  TernAccountRow *self = TERN_ACCOUNT_ROW (object);

  g_free (self->status_text);

  G_OBJECT_CLASS (tern_account_row_parent_class)->finalize (object);
}

static void
tern_account_row_class_init (TernAccountRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tern_account_row_dispose;
  object_class->finalize = tern_account_row_finalize;

  /**
   * TernAccountRow::remove-requested:
   *
   * The user pressed Remove (nothing is removed yet).
   */
  signals[SIGNAL_REMOVE_REQUESTED] =
    g_signal_new ("remove-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static AdwActionRow *
add_info_row (TernAccountRow *self,
              const char     *title)
{
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_add_css_class (GTK_WIDGET (row), "property");
  adw_expander_row_add_row (ADW_EXPANDER_ROW (self), GTK_WIDGET (row));
  return row;
}

static void
tern_account_row_init (TernAccountRow *self)
{
  g_autoptr(GtkStringList) filters = NULL;
  AdwActionRow *remove_row;
  GtkWidget *remove;

  self->cancellable = g_cancellable_new ();
  gtk_widget_add_css_class (GTK_WIDGET (self), "account-row");

  self->spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->spinner), GTK_ALIGN_CENTER);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (self), GTK_WIDGET (self->spinner));
  self->state_icon = GTK_IMAGE (gtk_image_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self->state_icon), "account-state");
  adw_expander_row_add_action (ADW_EXPANDER_ROW (self), GTK_WIDGET (self->state_icon));

  self->coi_row = add_info_row (self, _("COI Server"));
  self->extensions_row = add_info_row (self, _("Server Extensions"));
  self->servers_row = add_info_row (self, _("Servers"));

  filters = gtk_string_list_new ((const char *[]) { _("Leave in the inbox"),
                                                    _("Move to the chats folder"),
                                                    _("Move to the chats folder once read"),
                                                    NULL });
  self->filter_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->filter_row),
                                 _("Chat Messages in the Inbox"));
  adw_combo_row_set_model (self->filter_row, G_LIST_MODEL (filters));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (self), GTK_WIDGET (self->filter_row));

  remove_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (remove_row), _("Remove From Tern"));
  adw_action_row_set_subtitle (remove_row,
                               _("Deletes the account's chats from this computer; "
                                 "the mail on the server stays"));
  remove = gtk_button_new_with_mnemonic (_("_Remove…"));
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "destructive-action");
  gtk_widget_add_css_class (remove, "remove-account");
  g_signal_connect_swapped (remove, "clicked", G_CALLBACK (remove_clicked_cb), self);
  adw_action_row_add_suffix (remove_row, remove);
  self->remove_button = remove;
  adw_action_row_set_activatable_widget (remove_row, remove);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (self), GTK_WIDGET (remove_row));
}

TernAccountRow *
tern_account_row_new (TernAccount *account)
{
  TernAccountRow *self;

  g_return_val_if_fail (TERN_IS_ACCOUNT (account), NULL);

  self = g_object_new (TERN_TYPE_ACCOUNT_ROW, NULL);
  self->account = g_object_ref (account);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), tern_account_get_address (account));
  {
    g_autofree char *label = g_strdup_printf (_("Remove %s"), tern_account_get_address (account));

    gtk_accessible_update_property (GTK_ACCESSIBLE (self->remove_button),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  }

  g_signal_connect_object (account, "notify::state", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (account, "notify::last-error", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (account, "notify::syncing", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  if (tern_account_get_context (account) != NULL)
    g_signal_connect_object (tern_account_get_context (account), "notify::network-available",
                             G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (account, "notify::capabilities", G_CALLBACK (update_server), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (account, "notify::extensions", G_CALLBACK (update_server), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (account, "notify::coi-server", G_CALLBACK (update_server), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (account, "notify::filter-mode", G_CALLBACK (update_filter), self,
                           G_CONNECT_SWAPPED);

  update_state (self);
  update_server (self);
  update_filter (self);
  g_signal_connect_swapped (self->filter_row, "notify::selected",
                            G_CALLBACK (filter_selected_cb), self);
  return self;
}

TernAccount *
tern_account_row_get_account (TernAccountRow *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT_ROW (self), NULL);

  return self->account;
}

const char *
tern_account_row_get_status_text (TernAccountRow *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT_ROW (self), NULL);

  return self->status_text;
}

const char *
tern_account_row_get_coi_text (TernAccountRow *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT_ROW (self), NULL);

  return adw_action_row_get_subtitle (self->coi_row);
}

const char *
tern_account_row_get_extensions_text (TernAccountRow *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT_ROW (self), NULL);

  return adw_action_row_get_subtitle (self->extensions_row);
}

/* Shows the account's current state again (TernAccount:filter-mode has no
 * notification yet: the owner calls this after changing it). */
void
tern_account_row_refresh (TernAccountRow *self)
{
  g_return_if_fail (TERN_IS_ACCOUNT_ROW (self));

  update_state (self);
  update_server (self);
  update_filter (self);
}
