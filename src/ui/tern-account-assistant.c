/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include <glib/gi18n.h>

#include "tern-account-assistant.h"
#include "tern-core-error.h"

/* The account set-up assistant. The first page asks for the address and
 * the password; the manual page for the IMAP and SMTP servers, ports,
 * security and login name (shown when discovery finds nothing, or on
 * request). With a context (tern_account_assistant_set_context()) the
 * assistant runs tern_account_setup_async() itself and shows what went
 * wrong inline: a rejected password, an unreachable server (with the
 * engine's reason), servers that could not be discovered (then the manual
 * page), and for an untrusted certificate the trust prompt with its
 * SHA-256 fingerprint. Without a context it only validates and emits
 * ::next (with one it emits ::next too, as a notification). */

struct _TernAccountAssistant
{
  AdwWindow    parent_instance;

  TernContext         *context;
  TernAccountSettings *defaults;
  TernAccountSettings *pending;      /* what the running set-up uses */
  GCancellable        *cancellable;
  gboolean             busy;
  gboolean             manual_filled;
  char                *trusted;      /* fingerprint the user trusted here */

  /* Template children */
  GtkImage    *icon;
  GtkStack    *stack;
  GtkWidget   *back_button;
  GtkWidget   *cancel_button;
  GtkWidget   *next_button;
  GtkSpinner  *spinner;
  GtkLabel    *error_label;
  GtkLabel    *manual_error_label;
  AdwEntryRow *address_row;
  AdwEntryRow *password_row;
  AdwEntryRow *imap_host_row;
  AdwEntryRow *imap_port_row;
  AdwComboRow *imap_security_row;
  AdwEntryRow *smtp_host_row;
  AdwEntryRow *smtp_port_row;
  AdwComboRow *smtp_security_row;
  AdwEntryRow *login_row;
};

enum {
  PROP_0,
  PROP_CAN_CONTINUE,
  PROP_BUSY,
  PROP_PAGE,
  N_PROPS
};

enum {
  SIGNAL_NEXT,
  SIGNAL_ACCOUNT_ADDED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (TernAccountAssistant, tern_account_assistant, ADW_TYPE_WINDOW)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
address_looks_valid (const char *address)
{
  const char *at = strrchr (address, '@');

  /* Only a plausibility check: something before and after one '@', no
   * spaces. The servers have the final word. */
  return at != NULL && at != address && at[1] != '\0'
         && strchr (address, ' ') == NULL && strchr (at + 1, '.') != NULL;
}

/* "" = 0 (the usual port); FALSE when not a port number. */
static gboolean
parse_port (AdwEntryRow *row,
            guint16     *port)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  guint64 value = 0;

  if (*text == '\0')
    {
      *port = 0;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, 1, 65535, &value, NULL))
    return FALSE;
  *port = (guint16) value;
  return TRUE;
}

static char *
row_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static gboolean
on_manual_page (TernAccountAssistant *self)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "manual") == 0;
}

static gboolean
manual_page_valid (TernAccountAssistant *self)
{
  g_autofree char *imap = row_text (self->imap_host_row);
  g_autofree char *smtp = row_text (self->smtp_host_row);
  guint16 port;

  /* Servers without spaces; a port number or nothing. */
  return *imap != '\0' && *smtp != '\0' && strchr (imap, ' ') == NULL &&
         strchr (smtp, ' ') == NULL && parse_port (self->imap_port_row, &port) &&
         parse_port (self->smtp_port_row, &port);
}

static void
update_actions (TernAccountAssistant *self)
{
  gboolean can_continue = tern_account_assistant_get_can_continue (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "assistant.next", can_continue);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "assistant.manual", !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "assistant.back", !self->busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_CONTINUE]);
}

static void
entry_changed_cb (TernAccountAssistant *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->password_row), "error");
  update_actions (self);
}

static void
show_error (TernAccountAssistant *self,
            const char           *text)
{
  GtkLabel *label = on_manual_page (self) ? self->manual_error_label : self->error_label;

  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->manual_error_label), FALSE);
  if (text == NULL)
    return;
  gtk_label_set_text (label, text);
  gtk_widget_set_visible (GTK_WIDGET (label), TRUE);
}

static void
set_busy (TernAccountAssistant *self,
          gboolean              busy)
{
  self->busy = busy;
  /* An entry that keeps the focus while its page turns insensitive never
   * gets its focus-out (GTK warns). */
  if (busy)
    gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->stack), !busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
fill_manual_page (TernAccountAssistant *self)
{
  const TernAccountSettings *d = self->defaults;
  g_autofree char *address = row_text (self->address_row);
  const char *domain = strrchr (address, '@');

  if (self->manual_filled)
    return;
  self->manual_filled = TRUE;

  if (d != NULL && d->imap_host != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->imap_host_row), d->imap_host);
  else if (domain != NULL && domain[1] != '\0')
    {
      g_autofree char *guess = g_strconcat ("imap.", domain + 1, NULL);
      gtk_editable_set_text (GTK_EDITABLE (self->imap_host_row), guess);
    }
  if (d != NULL && d->smtp_host != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->smtp_host_row), d->smtp_host);
  else if (domain != NULL && domain[1] != '\0')
    {
      g_autofree char *guess = g_strconcat ("smtp.", domain + 1, NULL);
      gtk_editable_set_text (GTK_EDITABLE (self->smtp_host_row), guess);
    }
  if (d != NULL && d->imap_port != 0)
    {
      g_autofree char *port = g_strdup_printf ("%u", d->imap_port);
      gtk_editable_set_text (GTK_EDITABLE (self->imap_port_row), port);
    }
  if (d != NULL && d->smtp_port != 0)
    {
      g_autofree char *port = g_strdup_printf ("%u", d->smtp_port);
      gtk_editable_set_text (GTK_EDITABLE (self->smtp_port_row), port);
    }
  adw_combo_row_set_selected (self->imap_security_row, d ? d->imap_security : 0);
  adw_combo_row_set_selected (self->smtp_security_row, d ? d->smtp_security : 0);
  if (d != NULL && d->login != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->login_row), d->login);
}

static void
show_page (TernAccountAssistant *self,
           const char           *name)
{
  gboolean manual = g_str_equal (name, "manual");

  if (manual)
    fill_manual_page (self);
  /* Focus leaves the page first: a hidden entry keeping it confuses GtkText. */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_stack_set_visible_child_name (self->stack, name);
  gtk_widget_set_visible (self->back_button, manual);
  gtk_widget_set_visible (self->cancel_button, !manual);
  gtk_widget_grab_focus (GTK_WIDGET (manual ? self->imap_host_row : self->address_row));
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
}

/* ---- running the engine's set-up ------------------------------------------ */

static void start_setup (TernAccountAssistant *self);

char *
tern_account_assistant_format_fingerprint (const char *hex)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  g_autoptr(GString) out = g_string_new (NULL);

  g_return_val_if_fail (hex != NULL, NULL);

  for (const char *p = hex; *p; p++)
    if (g_ascii_isxdigit (*p))
      g_string_append_c (digits, g_ascii_toupper (*p));

  for (gsize i = 0; i + 1 < digits->len; i += 2)
    {
      if (i > 0)
        g_string_append_c (out, i % 16 == 0 ? '\n' : ':');
      g_string_append_len (out, digits->str + i, 2);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
trust_response_cb (AdwMessageDialog     *dialog,
                   const char           *response,
                   TernAccountAssistant *self)
{
  if (g_strcmp0 (response, "trust") == 0 && self->pending != NULL)
    {
      g_free (self->trusted);
      self->trusted = g_strdup (g_object_get_data (G_OBJECT (dialog), "fingerprint"));
      g_free (self->pending->trusted_certificate);
      self->pending->trusted_certificate = g_strdup (self->trusted);
      start_setup (self);
      return;
    }

  show_error (self, _("The certificate was not trusted, so the account was not added."));
}

static void
show_trust_prompt (TernAccountAssistant *self,
                   const char           *fingerprint)
{
  g_autofree char *shown = tern_account_assistant_format_fingerprint (fingerprint);
  g_autofree char *body = g_strdup_printf (
    _("The server of %s presented a certificate that this computer does not trust. "
      "Trust it only if its SHA-256 fingerprint matches the one your provider gives you:\n\n%s"),
    self->pending->address, shown);
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Trust This Certificate?"), body));
  g_object_set_data_full (G_OBJECT (dialog), "fingerprint", g_strdup (fingerprint), g_free);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "trust", _("_Trust"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "trust", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  gtk_widget_add_css_class (GTK_WIDGET (dialog), "certificate-prompt");
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  g_signal_connect_object (dialog, "response", G_CALLBACK (trust_response_cb), self, 0);
  if (gtk_window_get_application (GTK_WINDOW (self)) != NULL)
    gtk_window_set_application (GTK_WINDOW (dialog), gtk_window_get_application (GTK_WINDOW (self)));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
setup_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(TernAccountAssistant) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TernAccount) account = tern_account_setup_finish (result, &error);
  g_autofree char *text = NULL;
  const char *hint = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);

  if (account != NULL)
    {
      if (!self->pending->store_password)
        tern_account_set_password_for_session (account, self->pending->password);
      tern_account_start (account);
      g_signal_emit (self, signals[SIGNAL_ACCOUNT_ADDED], 0, account);
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }

  if (g_error_matches (error, TERN_CORE_ERROR, TERN_CORE_ERROR_CERTIFICATE) &&
      tern_core_error_get_fingerprint (error) != NULL)
    {
      show_trust_prompt (self, tern_core_error_get_fingerprint (error));
      return;
    }

  if (g_error_matches (error, TERN_CORE_ERROR, TERN_CORE_ERROR_DISCOVERY) && !on_manual_page (self))
    {
      show_page (self, "manual");
      text = g_strdup_printf (_("Tern could not find the mail servers of %s by itself (%s). "
                                "Enter them below; your provider's help pages list them."),
                              self->pending->address, error->message);
      show_error (self, text);
      return;
    }

  if (g_error_matches (error, TERN_CORE_ERROR, TERN_CORE_ERROR_AUTH))
    {
      hint = on_manual_page (self)
               ? _("Check the password and the login name.")
               : _("Check the password.");
      gtk_widget_add_css_class (GTK_WIDGET (self->password_row), "error");
    }
  else if (g_error_matches (error, TERN_CORE_ERROR, TERN_CORE_ERROR_NETWORK))
    hint = on_manual_page (self)
             ? _("Check the server names, ports and security, and your network connection.")
             : _("Check your network connection, or enter the servers manually.");
  else if (g_error_matches (error, TERN_CORE_ERROR, TERN_CORE_ERROR_EXISTS))
    hint = _("This account is set up already.");
  else if (g_error_matches (error, TERN_CORE_ERROR, TERN_CORE_ERROR_NO_SECRET_SERVICE))
    hint = _("Tern keeps passwords in your keyring; make sure it is running and unlocked.");

  text = hint ? g_strdup_printf ("%s\n%s", error->message, hint) : g_strdup (error->message);
  show_error (self, text);
}

static void
start_setup (TernAccountAssistant *self)
{
  show_error (self, NULL);
  set_busy (self, TRUE);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  tern_account_setup_async (self->context, self->pending, self->cancellable, setup_cb,
                            g_object_ref (self));
}

static void
next_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TernAccountAssistant *self = TERN_ACCOUNT_ASSISTANT (widget);
  g_autofree char *address = NULL;

  if (!tern_account_assistant_get_can_continue (self) || self->busy)
    return;

  address = row_text (self->address_row);
  g_signal_emit (self, signals[SIGNAL_NEXT], 0, address, tern_account_assistant_get_password (self));
  if (self->context == NULL)
    return;

  g_clear_pointer (&self->pending, tern_account_settings_free);
  self->pending = tern_account_assistant_dup_settings (self);
  start_setup (self);
}

static void
manual_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TernAccountAssistant *self = TERN_ACCOUNT_ASSISTANT (widget);

  show_error (self, NULL);
  show_page (self, "manual");
}

static void
back_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TernAccountAssistant *self = TERN_ACCOUNT_ASSISTANT (widget);
  g_autofree char *auth_error = NULL;

  /* A rejected password stays explained next to the password field. */
  if (gtk_widget_has_css_class (GTK_WIDGET (self->password_row), "error"))
    auth_error = g_strdup (tern_account_assistant_get_error (self));
  show_error (self, NULL);
  show_page (self, "sign-in");
  show_error (self, auth_error);
}

/* ---- GObject ------------------------------------------------------------------ */

static void
tern_account_assistant_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  TernAccountAssistant *self = TERN_ACCOUNT_ASSISTANT (object);

  switch (prop_id)
    {
    case PROP_CAN_CONTINUE:
      g_value_set_boolean (value, tern_account_assistant_get_can_continue (self));
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    case PROP_PAGE:
      g_value_set_string (value, tern_account_assistant_get_page (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_account_assistant_dispose (GObject *object)
{
  TernAccountAssistant *self = TERN_ACCOUNT_ASSISTANT (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->context);
  g_clear_pointer (&self->defaults, tern_account_settings_free);
  g_clear_pointer (&self->pending, tern_account_settings_free);
  g_clear_pointer (&self->trusted, g_free);

  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), TERN_TYPE_ACCOUNT_ASSISTANT);

  G_OBJECT_CLASS (tern_account_assistant_parent_class)->dispose (object);
}

static void
tern_account_assistant_class_init (TernAccountAssistantClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = tern_account_assistant_get_property;
  object_class->dispose = tern_account_assistant_dispose;

  /**
   * TernAccountAssistant:can-continue:
   *
   * Whether the current page is filled in (address and password; on the
   * manual page also both servers and valid ports).
   */
  properties[PROP_CAN_CONTINUE] =
    g_param_spec_boolean ("can-continue", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAGE] =
    g_param_spec_string ("page", NULL, NULL,
                         "sign-in",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TernAccountAssistant::next:
   * @address: the e-mail address, trimmed
   * @password: the password
   *
   * Emitted when the user continues with a filled-in page. Without a
   * context that is all (the owner sets the account up); with one the
   * assistant then sets it up itself, so the owner must not.
   */
  signals[SIGNAL_NEXT] =
    g_signal_new ("next",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * TernAccountAssistant::account-added:
   * @account: the new account (already started)
   *
   * Emitted just before the assistant closes after a successful set-up.
   */
  signals[SIGNAL_ACCOUNT_ADDED] =
    g_signal_new ("account-added",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, TERN_TYPE_ACCOUNT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ternchat/Tern/tern-account-assistant.ui");
  gtk_widget_class_bind_template_child (widget_class, TernAccountAssistant, icon);
  gtk_widget_class_bind_template_child (widget_class, TernAccountAssistant, stack);
  gtk_widget_class_bind_template_child (widget_class, TernAccountAssistant, back_button);
  gtk_widget_class_bind_template_child (widget_class, TernAccountAssistant, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, TernAccountAssistant, next_button);
  gtk_widget_class_bind_template_child (widget_class, TernAccountAssistant, spinner);
  gtk_widget_class_bind_template_child (widget_class, TernAccountAssistant, error_label);
  gtk_widget_class_bind_template_child (widget_class, TernAccountAssistant, manual_error_label);
  gtk_widget_class_bind_template_child (widget_class, TernAccountAssistant, address_row);
  gtk_widget_class_bind_template_child (widget_class, TernAccountAssistant, password_row);
  gtk_widget_class_bind_template_child (widget_class, TernAccountAssistant, imap_host_row);
  gtk_widget_class_bind_template_child (widget_class, TernAccountAssistant, imap_port_row);
  gtk_widget_class_bind_template_child (widget_class, TernAccountAssistant, imap_security_row);
  gtk_widget_class_bind_template_child (widget_class, TernAccountAssistant, smtp_host_row);
  gtk_widget_class_bind_template_child (widget_class, TernAccountAssistant, smtp_port_row);
  gtk_widget_class_bind_template_child (widget_class, TernAccountAssistant, smtp_security_row);
  gtk_widget_class_bind_template_child (widget_class, TernAccountAssistant, login_row);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);

  gtk_widget_class_install_action (widget_class, "assistant.next", NULL, next_activated);
  gtk_widget_class_install_action (widget_class, "assistant.manual", NULL, manual_activated);
  gtk_widget_class_install_action (widget_class, "assistant.back", NULL, back_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tern_account_assistant_init (TernAccountAssistant *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_image_set_from_icon_name (self->icon, APP_ID);
  gtk_window_set_default_widget (GTK_WINDOW (self), self->next_button);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "assistant.next", FALSE);
}

TernAccountAssistant *
tern_account_assistant_new (void)
{
  return g_object_new (TERN_TYPE_ACCOUNT_ASSISTANT, NULL);
}

TernAccountAssistant *
tern_account_assistant_new_for_context (TernContext               *context,
                                        const TernAccountSettings *defaults)
{
  TernAccountAssistant *self = tern_account_assistant_new ();

  tern_account_assistant_set_context (self, context);
  tern_account_assistant_set_defaults (self, defaults);
  return self;
}

void
tern_account_assistant_set_context (TernAccountAssistant *self,
                                    TernContext          *context)
{
  g_return_if_fail (TERN_IS_ACCOUNT_ASSISTANT (self));
  g_return_if_fail (context == NULL || TERN_IS_CONTEXT (context));

  g_set_object (&self->context, context);
}

void
tern_account_assistant_set_defaults (TernAccountAssistant      *self,
                                     const TernAccountSettings *defaults)
{
  g_return_if_fail (TERN_IS_ACCOUNT_ASSISTANT (self));

  g_clear_pointer (&self->defaults, tern_account_settings_free);
  if (defaults != NULL)
    self->defaults = tern_account_settings_copy (defaults);
  self->manual_filled = FALSE;
}

const char *
tern_account_assistant_get_page (TernAccountAssistant *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT_ASSISTANT (self), NULL);

  return on_manual_page (self) ? "manual" : "sign-in";
}

void
tern_account_assistant_show_manual (TernAccountAssistant *self)
{
  g_return_if_fail (TERN_IS_ACCOUNT_ASSISTANT (self));

  show_page (self, "manual");
}

const char *
tern_account_assistant_get_error (TernAccountAssistant *self)
{
  GtkLabel *label;

  g_return_val_if_fail (TERN_IS_ACCOUNT_ASSISTANT (self), NULL);

  label = on_manual_page (self) ? self->manual_error_label : self->error_label;
  return gtk_widget_get_visible (GTK_WIDGET (label)) ? gtk_label_get_text (label) : NULL;
}

gboolean
tern_account_assistant_get_busy (TernAccountAssistant *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT_ASSISTANT (self), FALSE);

  return self->busy;
}

TernAccountSettings *
tern_account_assistant_dup_settings (TernAccountAssistant *self)
{
  g_autofree char *address = NULL;
  TernAccountSettings *s;

  g_return_val_if_fail (TERN_IS_ACCOUNT_ASSISTANT (self), NULL);

  address = row_text (self->address_row);
  if (self->defaults != NULL)
    {
      s = tern_account_settings_copy (self->defaults);
      g_free (s->address);
      s->address = g_strdup (address);
    }
  else
    s = tern_account_settings_new (address);
  g_free (s->password);
  s->password = g_strdup (tern_account_assistant_get_password (self));

  /* Trusted once in this assistant: not asked again after a wrong password. */
  if (s->trusted_certificate == NULL && self->trusted != NULL)
    s->trusted_certificate = g_strdup (self->trusted);

  if (on_manual_page (self))
    {
      g_autofree char *login = row_text (self->login_row);

      g_free (s->imap_host);
      s->imap_host = row_text (self->imap_host_row);
      g_free (s->smtp_host);
      s->smtp_host = row_text (self->smtp_host_row);
      if (!parse_port (self->imap_port_row, &s->imap_port))
        s->imap_port = 0;
      if (!parse_port (self->smtp_port_row, &s->smtp_port))
        s->smtp_port = 0;
      s->imap_security = adw_combo_row_get_selected (self->imap_security_row);
      s->smtp_security = adw_combo_row_get_selected (self->smtp_security_row);
      if (s->imap_security > TERN_ACCOUNT_SECURITY_PLAIN)
        s->imap_security = TERN_ACCOUNT_SECURITY_AUTO;
      if (s->smtp_security > TERN_ACCOUNT_SECURITY_PLAIN)
        s->smtp_security = TERN_ACCOUNT_SECURITY_AUTO;
      g_free (s->login);
      s->login = *login ? g_steal_pointer (&login) : NULL;
    }
  return s;
}

const char *
tern_account_assistant_get_address (TernAccountAssistant *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT_ASSISTANT (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->address_row));
}

const char *
tern_account_assistant_get_password (TernAccountAssistant *self)
{
  g_return_val_if_fail (TERN_IS_ACCOUNT_ASSISTANT (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->password_row));
}

gboolean
tern_account_assistant_get_can_continue (TernAccountAssistant *self)
{
  g_autofree char *address = NULL;

  g_return_val_if_fail (TERN_IS_ACCOUNT_ASSISTANT (self), FALSE);

  if (self->busy)
    return FALSE;
  address = row_text (self->address_row);
  if (!address_looks_valid (address) || *tern_account_assistant_get_password (self) == '\0')
    return FALSE;
  return !on_manual_page (self) || manual_page_valid (self);
}
