/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include <glib/gi18n.h>

#include "tern-account.h"
#include "tern-connection-banner.h"

struct _TernConnectionBanner
{
  AdwBin       parent_instance;

  TernContext *context;
  GHashTable  *watched;       /* TernAccount* (weak keys, we hold refs) */
  GtkRevealer *revealer;
  GtkBox      *lines;
  guint        update_id;
};

G_DEFINE_FINAL_TYPE (TernConnectionBanner, tern_connection_banner, ADW_TYPE_BIN)

#define ACCOUNT_KEY "tern-account"

static void
restart (TernAccount *account)
{
  tern_account_stop (account);
  tern_account_start (account);
}

static void
retry_clicked_cb (GtkButton *button)
{
  TernAccount *account = g_object_get_data (G_OBJECT (button), ACCOUNT_KEY);

  if (account != NULL)
    restart (account);
}

static void
retry_all_clicked_cb (TernConnectionBanner *self)
{
  tern_connection_banner_retry_all (self);
}

static void
add_line (TernConnectionBanner *self,
          const char           *text,
          gboolean              connecting,
          TernAccount          *retry_account,
          gboolean              retry_all)
{
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (line, "connection-status-line");
  if (connecting)
    {
      GtkWidget *spinner = gtk_spinner_new ();

      gtk_spinner_start (GTK_SPINNER (spinner));
      gtk_box_append (GTK_BOX (line), spinner);
    }
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  /* A long error wraps; it must not ask for the width of its whole text
   * (that widened the sidebar it sits in). */
  gtk_label_set_width_chars (GTK_LABEL (label), 12);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 32);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (line), label);

  if (retry_account != NULL || retry_all)
    {
      GtkWidget *button = gtk_button_new_with_mnemonic (_("_Retry"));

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "connection-retry");
      if (retry_account != NULL)
        {
          g_autofree char *tip = g_strdup_printf (_("Connect %s again now"),
                                                  tern_account_get_address (retry_account));

          gtk_widget_set_tooltip_text (button, tip);
          gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, tip, -1);
          g_object_set_data_full (G_OBJECT (button), ACCOUNT_KEY, g_object_ref (retry_account),
                                  g_object_unref);
          g_signal_connect (button, "clicked", G_CALLBACK (retry_clicked_cb), NULL);
        }
      else
        {
          gtk_widget_set_tooltip_text (button, _("Connect every account again now"));
          g_signal_connect_swapped (button, "clicked", G_CALLBACK (retry_all_clicked_cb), self);
        }
      gtk_box_append (GTK_BOX (line), button);
    }

  gtk_box_append (self->lines, line);
}

static gboolean
update (gpointer user_data)
{
  TernConnectionBanner *self = user_data;
  GListModel *accounts;
  guint n, not_online = 0;
  GtkWidget *child;

  self->update_id = 0;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->lines))) != NULL)
    gtk_box_remove (self->lines, child);

  if (self->context == NULL)
    {
      gtk_revealer_set_reveal_child (self->revealer, FALSE);
      return G_SOURCE_REMOVE;
    }

  accounts = tern_context_get_accounts (self->context);
  n = g_list_model_get_n_items (accounts);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TernAccount) account = g_list_model_get_item (accounts, i);

      if (tern_account_get_state (account) != TERN_ACCOUNT_STATE_ONLINE)
        not_online++;
    }

  if (not_online > 0 && !tern_context_get_network_available (self->context))
    add_line (self, _("You are offline. Tern connects again when the network is back."),
              FALSE, NULL, TRUE);
  else
    for (guint i = 0; i < n; i++)
      {
        g_autoptr(TernAccount) account = g_list_model_get_item (accounts, i);
        const GError *error = tern_account_get_last_error (account);
        const char *address = tern_account_get_address (account);
        g_autofree char *text = NULL;

        switch (tern_account_get_state (account))
          {
          case TERN_ACCOUNT_STATE_CONNECTING:
            text = g_strdup_printf (_("Connecting to %s…"), address);
            add_line (self, text, TRUE, NULL, FALSE);
            break;

          case TERN_ACCOUNT_STATE_ERROR:
            text = g_strdup_printf (_("%s cannot connect: %s"), address,
                                    error ? error->message : _("unknown error"));
            add_line (self, text, FALSE, account, FALSE);
            break;

          case TERN_ACCOUNT_STATE_OFFLINE:
            if (error != NULL)
              text = g_strdup_printf (_("%s is offline: %s"), address, error->message);
            else
              text = g_strdup_printf (_("%s is offline"), address);
            add_line (self, text, FALSE, account, FALSE);
            break;

          case TERN_ACCOUNT_STATE_ONLINE:
          default:
            break;
          }
      }

  gtk_revealer_set_reveal_child (self->revealer, not_online > 0);
  return G_SOURCE_REMOVE;
}

/* Coalesces bursts of notifications (state and last-error change together). */
static void
queue_update (TernConnectionBanner *self)
{
  if (self->update_id == 0)
    self->update_id = g_idle_add_full (G_PRIORITY_DEFAULT, update, self, NULL);
}

static void
accounts_changed_cb (TernConnectionBanner *self)
{
  GListModel *accounts = tern_context_get_accounts (self->context);

  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(TernAccount) account = g_list_model_get_item (accounts, i);

      if (g_hash_table_contains (self->watched, account))
        continue;
      g_hash_table_add (self->watched, g_object_ref (account));
      g_signal_connect_object (account, "notify::state", G_CALLBACK (queue_update), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (account, "notify::last-error", G_CALLBACK (queue_update), self,
                               G_CONNECT_SWAPPED);
    }
  queue_update (self);
}

static void
tern_connection_banner_dispose (GObject *object)
{
  TernConnectionBanner *self = TERN_CONNECTION_BANNER (object);

  g_clear_handle_id (&self->update_id, g_source_remove);
  g_clear_pointer (&self->watched, g_hash_table_unref);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (tern_connection_banner_parent_class)->dispose (object);
}

static void
tern_connection_banner_class_init (TernConnectionBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tern_connection_banner_dispose;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "connectionbanner");
}

static void
tern_connection_banner_init (TernConnectionBanner *self)
{
  self->watched = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->lines = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 6));
  gtk_widget_add_css_class (GTK_WIDGET (self->lines), "connection-status");
  self->revealer = GTK_REVEALER (gtk_revealer_new ());
  gtk_revealer_set_child (self->revealer, GTK_WIDGET (self->lines));
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->revealer));
}

TernConnectionBanner *
tern_connection_banner_new (void)
{
  return g_object_new (TERN_TYPE_CONNECTION_BANNER, NULL);
}

void
tern_connection_banner_set_context (TernConnectionBanner *self,
                                    TernContext          *context)
{
  g_return_if_fail (TERN_IS_CONNECTION_BANNER (self));
  g_return_if_fail (TERN_IS_CONTEXT (context));
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  g_signal_connect_object (tern_context_get_accounts (context), "items-changed",
                           G_CALLBACK (accounts_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (context, "notify::network-available", G_CALLBACK (queue_update), self,
                           G_CONNECT_SWAPPED);
  accounts_changed_cb (self);
}

gboolean
tern_connection_banner_get_revealed (TernConnectionBanner *self)
{
  g_return_val_if_fail (TERN_IS_CONNECTION_BANNER (self), FALSE);

  if (self->update_id != 0)
    {
      g_clear_handle_id (&self->update_id, g_source_remove);
      update (self);
    }
  return gtk_revealer_get_reveal_child (self->revealer);
}

char *
tern_connection_banner_dup_text (TernConnectionBanner *self)
{
  g_autoptr(GString) out = g_string_new (NULL);

  g_return_val_if_fail (TERN_IS_CONNECTION_BANNER (self), NULL);

  if (!tern_connection_banner_get_revealed (self))
    return NULL;
  for (GtkWidget *line = gtk_widget_get_first_child (GTK_WIDGET (self->lines)); line;
       line = gtk_widget_get_next_sibling (line))
    for (GtkWidget *c = gtk_widget_get_first_child (line); c; c = gtk_widget_get_next_sibling (c))
      if (GTK_IS_LABEL (c))
        {
          if (out->len > 0)
            g_string_append_c (out, '\n');
          g_string_append (out, gtk_label_get_text (GTK_LABEL (c)));
        }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

void
tern_connection_banner_retry_all (TernConnectionBanner *self)
{
  GListModel *accounts;

  g_return_if_fail (TERN_IS_CONNECTION_BANNER (self));

  if (self->context == NULL)
    return;
  accounts = tern_context_get_accounts (self->context);
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(TernAccount) account = g_list_model_get_item (accounts, i);
      TernAccountState state = tern_account_get_state (account);

      if (state == TERN_ACCOUNT_STATE_OFFLINE || state == TERN_ACCOUNT_STATE_ERROR)
        restart (account);
    }
  queue_update (self);
}
