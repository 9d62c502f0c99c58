/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include <glib/gi18n.h>

#include "tern-new-chat-dialog.h"

/* New chat: with several accounts, a row to pick the account (the one
 * passed in first: the open chat's); a search entry over the contacts of
 * the account (from the store), a row "Chat with ADDRESS" when the text is
 * an address, and the contacts that match. Choosing emits ::chosen; the
 * window opens or creates the chat on tern_new_chat_dialog_get_account(). */

struct _TernNewChatDialog
{
  AdwWindow     parent_instance;

  GtkSearchEntry *entry;
  GtkLabel      *hint;
  GtkListBox    *list;
  AdwActionRow  *address_row;
  guint          n_shown;

  TernStore     *store;
  GArray        *accounts;       /* gint64 ids, in the order of the account row */
  gint64         account;
  GtkWidget     *account_list;   /* a boxed list around the account row; hidden with one account */
  AdwComboRow   *account_row;
};

enum {
  SIGNAL_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TernNewChatDialog, tern_new_chat_dialog, ADW_TYPE_WINDOW)

#define ADDRESS_KEY "tern-address"
#define NAME_KEY    "tern-name"

gboolean
tern_address_is_valid (const char *text)
{
  const char *at;
  const char *domain;

  if (text == NULL || *text == '\0')
    return FALSE;
  at = strchr (text, '@');
  if (at == NULL || at == text || strchr (at + 1, '@') != NULL)
    return FALSE;
  for (const char *p = text; p < at; p++)
    if (g_ascii_isspace (*p) || strchr ("<>()[],;:\"\\", *p) != NULL || (guchar) *p < 0x20)
      return FALSE;

  domain = at + 1;
  if (*domain == '\0' || *domain == '.' || strchr (domain, '.') == NULL ||
      domain[strlen (domain) - 1] == '.' || strstr (domain, "..") != NULL)
    return FALSE;
  for (const char *p = domain; *p; p++)
    if (!(g_ascii_isalnum (*p) || *p == '-' || *p == '.' || (guchar) *p >= 0x80))
      return FALSE;
  return TRUE;
}

static void
choose (TernNewChatDialog *self,
        const char        *address,
        const char        *name)
{
  g_autofree char *copy = g_strdup (address);
  g_autofree char *name_copy = g_strdup (name);

  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_CHOSEN], 0, copy, name_copy);
  gtk_window_destroy (GTK_WINDOW (self));
  g_object_unref (self);
}

static char *
typed_text (TernNewChatDialog *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry))));
}

static gboolean
filter_func (GtkListBoxRow *row,
             gpointer       user_data)
{
  TernNewChatDialog *self = user_data;
  g_autofree char *text = typed_text (self);
  const char *address = g_object_get_data (G_OBJECT (row), ADDRESS_KEY);
  const char *name = g_object_get_data (G_OBJECT (row), NAME_KEY);
  g_autofree char *folded_text = g_utf8_casefold (text, -1);
  g_autofree char *folded_address = NULL;

  if (row == GTK_LIST_BOX_ROW (self->address_row))
    return gtk_widget_get_visible (GTK_WIDGET (row));
  if (*text == '\0')
    return TRUE;
  if (name != NULL && g_str_match_string (text, name, TRUE))
    return TRUE;
  folded_address = g_utf8_casefold (address, -1);
  return strstr (folded_address, folded_text) != NULL;
}

static void
count_shown (TernNewChatDialog *self)
{
  self->n_shown = 0;
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list)); row;
       row = gtk_widget_get_next_sibling (row))
    if (row != GTK_WIDGET (self->address_row) && GTK_IS_LIST_BOX_ROW (row) &&
        filter_func (GTK_LIST_BOX_ROW (row), self))
      self->n_shown++;
}

static void
search_changed_cb (TernNewChatDialog *self)
{
  g_autofree char *text = typed_text (self);
  gboolean valid = tern_address_is_valid (text);

  gtk_widget_set_visible (GTK_WIDGET (self->hint), FALSE);
  if (valid)
    {
      g_autofree char *title = NULL;

      /* Translators: %s is an e-mail address the user typed */
      title = g_strdup_printf (_("Chat with %s"), text);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->address_row), title);
      g_object_set_data_full (G_OBJECT (self->address_row), ADDRESS_KEY, g_strdup (text), g_free);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->address_row), valid);
  gtk_list_box_invalidate_filter (self->list);
  count_shown (self);
}

static void
row_activated_cb (TernNewChatDialog *self,
                  GtkListBoxRow     *row)
{
  const char *address = g_object_get_data (G_OBJECT (row), ADDRESS_KEY);

  if (address != NULL)
    choose (self, address, g_object_get_data (G_OBJECT (row), NAME_KEY));
}

static void
entry_activate_cb (TernNewChatDialog *self)
{
  tern_new_chat_dialog_choose (self);
}

static void
stop_search_cb (TernNewChatDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static void load_contacts (TernNewChatDialog *self);

static void
account_selected_cb (TernNewChatDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->account_row);
  gint64 account;

  if (self->accounts == NULL || selected >= self->accounts->len)
    return;
  account = g_array_index (self->accounts, gint64, selected);
  if (account == self->account)
    return;
  self->account = account;
  load_contacts (self);
  search_changed_cb (self);
}

static void
tern_new_chat_dialog_dispose (GObject *object)
{
  TernNewChatDialog *self = TERN_NEW_CHAT_DIALOG (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->accounts, g_array_unref);

  G_OBJECT_CLASS (tern_new_chat_dialog_parent_class)->dispose (object);
}

static void
tern_new_chat_dialog_class_init (TernNewChatDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tern_new_chat_dialog_dispose;

  /**
   * TernNewChatDialog::chosen:
   * @address: the address to chat with
   * @name: (nullable): the contact's name
   */
  signals[SIGNAL_CHOSEN] =
    g_signal_new ("chosen",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tern_new_chat_dialog_init (TernNewChatDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *scroll = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *inner = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  gtk_window_set_title (GTK_WINDOW (self), _("New Chat"));
  gtk_window_set_default_size (GTK_WINDOW (self), 400, 520);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self), "new-chat-dialog");

  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header),
                                   adw_window_title_new (_("New Chat"), NULL));
  gtk_box_append (GTK_BOX (box), header);

  /* The account (shown when there are several). */
  self->account_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->account_row), _("Account"));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->account_row), FALSE);
  self->account_list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->account_list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (self->account_list, "boxed-list");
  gtk_list_box_append (GTK_LIST_BOX (self->account_list), GTK_WIDGET (self->account_row));
  gtk_widget_set_visible (self->account_list, FALSE);
  gtk_box_append (GTK_BOX (inner), self->account_list);

  self->entry = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  g_object_set (self->entry, "placeholder-text", _("Name or address"), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Name or address"), -1);
  g_signal_connect_swapped (self->entry, "search-changed", G_CALLBACK (search_changed_cb), self);
  g_signal_connect_swapped (self->entry, "activate", G_CALLBACK (entry_activate_cb), self);
  g_signal_connect_swapped (self->entry, "stop-search", G_CALLBACK (stop_search_cb), self);
  gtk_box_append (GTK_BOX (inner), GTK_WIDGET (self->entry));

  self->hint = GTK_LABEL (gtk_label_new (_("Type a full address, like name@example.org, or pick a contact.")));
  gtk_label_set_wrap (self->hint, TRUE);
  gtk_label_set_xalign (self->hint, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->hint), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->hint), FALSE);
  gtk_box_append (GTK_BOX (inner), GTK_WIDGET (self->hint));

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_widget_set_valign (GTK_WIDGET (self->list), GTK_ALIGN_START);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Contacts"), -1);
  gtk_list_box_set_filter_func (self->list, filter_func, self, NULL);
  g_signal_connect_swapped (self->list, "row-activated", G_CALLBACK (row_activated_cb), self);

  self->address_row = ADW_ACTION_ROW (adw_action_row_new ());
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self->address_row), TRUE);
  adw_action_row_add_prefix (self->address_row,
                             gtk_image_new_from_icon_name ("mail-send-symbolic"));
  gtk_widget_set_visible (GTK_WIDGET (self->address_row), FALSE);
  gtk_list_box_append (self->list, GTK_WIDGET (self->address_row));
  gtk_box_append (GTK_BOX (inner), GTK_WIDGET (self->list));

  gtk_widget_set_margin_top (inner, 12);
  gtk_widget_set_margin_bottom (inner, 12);
  gtk_widget_set_margin_start (inner, 12);
  gtk_widget_set_margin_end (inner, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), inner);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroll), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scroll, TRUE);
  gtk_box_append (GTK_BOX (box), scroll);

  adw_window_set_content (ADW_WINDOW (self), box);
}

static int
contact_compare (gconstpointer a,
                 gconstpointer b)
{
  const TernStoreContactRow *x = *(TernStoreContactRow * const *) a;
  const TernStoreContactRow *y = *(TernStoreContactRow * const *) b;

  return g_utf8_collate (x->display_name ? x->display_name : x->address,
                         y->display_name ? y->display_name : y->address);
}

/* Fills the list with the contacts of self->account (the rows of the
 * account before go). */
static void
load_contacts (TernNewChatDialog *self)
{
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *row;

  while ((row = gtk_widget_get_next_sibling (GTK_WIDGET (self->address_row))) != NULL)
    gtk_list_box_remove (self->list, row);

  if (self->store != NULL && self->account > 0)
    contacts = tern_store_list_contacts (self->store, self->account, &error);
  if (error != NULL)
    g_message ("could not list the contacts: %s", error->message);
  if (contacts != NULL)
    {
      g_ptr_array_sort (contacts, contact_compare);
      for (guint i = 0; i < contacts->len; i++)
        {
          const TernStoreContactRow *contact = contacts->pdata[i];
          GtkWidget *avatar;

          if (contact->blocked || contact->address == NULL)
            continue;
          row = adw_action_row_new ();
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                         contact->display_name && *contact->display_name
                                         ? contact->display_name : contact->address);
          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
          if (contact->display_name && *contact->display_name)
            adw_action_row_set_subtitle (ADW_ACTION_ROW (row), contact->address);
          avatar = adw_avatar_new (32, contact->display_name ? contact->display_name : contact->address,
                                   TRUE);
          adw_action_row_add_prefix (ADW_ACTION_ROW (row), avatar);
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
          g_object_set_data_full (G_OBJECT (row), ADDRESS_KEY, g_strdup (contact->address), g_free);
          g_object_set_data_full (G_OBJECT (row), NAME_KEY, g_strdup (contact->display_name), g_free);
          gtk_list_box_append (self->list, row);
        }
    }
  count_shown (self);
}

/* The accounts of the store for the account row: @account selected (or
 * the first when it is not one of them). */
static void
load_accounts (TernNewChatDialog *self,
               gint64             account)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkStringList) addresses = gtk_string_list_new (NULL);
  guint selected = 0;

  self->accounts = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (self->store != NULL)
    accounts = tern_store_list_accounts (self->store, &error);
  if (error != NULL)
    g_message ("could not list the accounts: %s", error->message);
  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    {
      const TernStoreAccountRow *row = accounts->pdata[i];

      if (row->id == account)
        selected = self->accounts->len;
      g_array_append_val (self->accounts, row->id);
      gtk_string_list_append (addresses, row->address);
    }

  if (self->accounts->len == 0)
    self->account = account;
  else
    self->account = g_array_index (self->accounts, gint64, selected);
  adw_combo_row_set_model (self->account_row, G_LIST_MODEL (addresses));
  adw_combo_row_set_selected (self->account_row, selected);
  gtk_widget_set_visible (self->account_list, self->accounts->len > 1);
  g_signal_connect_swapped (self->account_row, "notify::selected",
                            G_CALLBACK (account_selected_cb), self);
}

TernNewChatDialog *
tern_new_chat_dialog_new (GtkWindow *parent,
                          TernStore *store,
                          gint64     account)
{
  TernNewChatDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (store == NULL || TERN_IS_STORE (store), NULL);

  self = g_object_new (TERN_TYPE_NEW_CHAT_DIALOG,
                       "transient-for", parent,
                       "application", parent ? gtk_window_get_application (parent) : NULL,
                       NULL);
  self->store = store ? g_object_ref (store) : NULL;
  load_accounts (self, account);
  load_contacts (self);
  /* Typing goes to the search, also when the account row comes first. */
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
  return self;
}

GtkEditable *
tern_new_chat_dialog_get_entry (TernNewChatDialog *self)
{
  g_return_val_if_fail (TERN_IS_NEW_CHAT_DIALOG (self), NULL);
  return GTK_EDITABLE (self->entry);
}

guint
tern_new_chat_dialog_get_n_shown (TernNewChatDialog *self)
{
  g_return_val_if_fail (TERN_IS_NEW_CHAT_DIALOG (self), 0);
  return self->n_shown;
}

gboolean
tern_new_chat_dialog_choose (TernNewChatDialog *self)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (TERN_IS_NEW_CHAT_DIALOG (self), FALSE);

  text = typed_text (self);
  if (tern_address_is_valid (text))
    {
      choose (self, text, NULL);
      return TRUE;
    }
  if (*text != '\0' && self->n_shown == 1)
    for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list)); row;
         row = gtk_widget_get_next_sibling (row))
      if (row != GTK_WIDGET (self->address_row) && GTK_IS_LIST_BOX_ROW (row) &&
          filter_func (GTK_LIST_BOX_ROW (row), self))
        {
          choose (self, g_object_get_data (G_OBJECT (row), ADDRESS_KEY),
                  g_object_get_data (G_OBJECT (row), NAME_KEY));
          return TRUE;
        }

  gtk_widget_set_visible (GTK_WIDGET (self->hint), TRUE);
  return FALSE;
}

/* The account the chat is for: the one picked, at first the one passed to
 * tern_new_chat_dialog_new() (or the store's first when that is none of
 * its accounts). Valid during ::chosen. */
gint64
tern_new_chat_dialog_get_account (TernNewChatDialog *self)
{
  g_return_val_if_fail (TERN_IS_NEW_CHAT_DIALOG (self), 0);
  return self->account;
}

/* Picks @account (one of the store's; others are ignored), as the account
 * row does. */
void
tern_new_chat_dialog_set_account (TernNewChatDialog *self,
                                  gint64             account)
{
  g_return_if_fail (TERN_IS_NEW_CHAT_DIALOG (self));

  for (guint i = 0; self->accounts != NULL && i < self->accounts->len; i++)
    if (g_array_index (self->accounts, gint64, i) == account)
      adw_combo_row_set_selected (self->account_row, i);
}
