/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include <glib/gi18n.h>

#include "tern-account-assistant.h"
#include "tern-account.h"
#include "tern-context.h"
#include "tern-core-error.h"
#include "tern-application.h"
#include "tern-preferences-window.h"
#include "tern-window.h"

struct _TernApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;

  /* Weak pointers: one assistant and one preferences window at a time. */
  GtkWindow      *assistant;
  GtkWindow      *preferences;

  TernContext    *context;
  GCancellable   *setup_cancellable;
  TernAccountSettings *setup_defaults;
};

G_DEFINE_FINAL_TYPE (TernApplication, tern_application, ADW_TYPE_APPLICATION)

#define WEBSITE   "https://github.com/ternchat/tern"
#define ISSUE_URL "https://github.com/ternchat/tern/issues"

static GtkWindow *
get_parent_window (TernApplication *self)
{
  return gtk_application_get_active_window (GTK_APPLICATION (self));
}

static void
show_weak_window (GtkWindow **slot,
                  GtkWindow  *window)
{
  *slot = window;
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) slot);
  gtk_window_present (window);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  TernApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Close the windows first so each one saves its state. */
  for (GList *l = windows; l != NULL;)
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_close (window);
    }

  g_application_quit (G_APPLICATION (self));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  TernApplication *self = user_data;
  const char *developers[] = { _("The Tern developers"), NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", get_parent_window (self),
                        "modal", TRUE,
                        "application", self,
                        "application-name", _("Tern"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", _("The Tern developers"),
                        "developers", developers,
                        "copyright", _("© 2026 The Tern developers"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "website", WEBSITE,
                        "issue-url", ISSUE_URL,
                        "comments", _("Chat with anyone who has an e-mail address."),
                        /* Translators: replace with your names, one per line. */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  TernApplication *self = user_data;
  TernPreferencesWindow *preferences;

  if (self->preferences != NULL)
    {
      gtk_window_present (self->preferences);
      return;
    }

  preferences = tern_preferences_window_new (self->settings);
  gtk_window_set_transient_for (GTK_WINDOW (preferences), get_parent_window (self));
  gtk_window_set_application (GTK_WINDOW (preferences), GTK_APPLICATION (self));
  show_weak_window (&self->preferences, GTK_WINDOW (preferences));
}


/* ---- account set-up ------------------------------------------------------ */

typedef struct
{
  TernApplication      *self;
  TernAccountAssistant *assistant;   /* weak */
  TernAccountSettings  *settings;
} SetupData;

static void
setup_data_free (SetupData *data)
{
  g_clear_weak_pointer (&data->assistant);
  g_object_unref (data->self);
  tern_account_settings_free (data->settings);
  g_free (data);
}

static void start_setup (SetupData *data);

/* "ab12cd..." as "AB:12:CD:..." in lines of 8 bytes, as certificate
 * viewers show it. */
static char *
format_fingerprint (const char *hex)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (gsize i = 0; hex[i] && hex[i + 1]; i += 2)
    {
      if (i > 0)
        g_string_append_c (out, i % 16 == 0 ? '\n' : ':');
      g_string_append_c (out, g_ascii_toupper (hex[i]));
      g_string_append_c (out, g_ascii_toupper (hex[i + 1]));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
trust_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   SetupData        *data)
{
  if (g_strcmp0 (response, "trust") == 0 && data->assistant != NULL)
    {
      g_free (data->settings->trusted_certificate);
      data->settings->trusted_certificate = g_strdup (g_object_get_data (G_OBJECT (dialog),
                                                                         "fingerprint"));
      start_setup (data);
      return;
    }

  if (data->assistant != NULL)
    gtk_widget_set_sensitive (GTK_WIDGET (data->assistant), TRUE);
  setup_data_free (data);
}

static void
setup_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  SetupData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TernAccount) account = tern_account_setup_finish (result, &error);
  GtkWindow *parent = data->assistant ? GTK_WINDOW (data->assistant) : get_parent_window (data->self);
  AdwMessageDialog *dialog;

  if (account != NULL)
    {
      if (!data->settings->store_password)
        tern_account_set_password_for_session (account, data->settings->password);
      tern_account_start (account);
      if (data->assistant != NULL)
        gtk_window_destroy (GTK_WINDOW (data->assistant));
      setup_data_free (data);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      setup_data_free (data);
      return;
    }

  if (g_error_matches (error, TERN_CORE_ERROR, TERN_CORE_ERROR_CERTIFICATE) &&
      tern_core_error_get_fingerprint (error) != NULL)
    {
      g_autofree char *shown = format_fingerprint (tern_core_error_get_fingerprint (error));
      g_autofree char *body = g_strdup_printf (
        _("The server of %s presented a certificate that this computer does not trust. "
          "Trust it only if its SHA-256 fingerprint matches the one your provider gives you:\n\n%s"),
        data->settings->address, shown);

      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Trust This Certificate?"), body));
      g_object_set_data_full (G_OBJECT (dialog), "fingerprint",
                              g_strdup (tern_core_error_get_fingerprint (error)), g_free);
      adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "trust", _("_Trust"), NULL);
      adw_message_dialog_set_response_appearance (dialog, "trust", ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_default_response (dialog, "cancel");
      adw_message_dialog_set_close_response (dialog, "cancel");
      g_signal_connect (dialog, "response", G_CALLBACK (trust_response_cb), data);
      gtk_widget_add_css_class (GTK_WIDGET (dialog), "certificate-prompt");
      gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (data->self));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Could Not Add the Account"),
                                                       error->message));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_widget_add_css_class (GTK_WIDGET (dialog), "setup-error");
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (data->self));
  gtk_window_present (GTK_WINDOW (dialog));
  if (data->assistant != NULL)
    gtk_widget_set_sensitive (GTK_WIDGET (data->assistant), TRUE);
  setup_data_free (data);
}

static void
start_setup (SetupData *data)
{
  TernContext *context = tern_application_get_context (data->self);

  if (context == NULL)
    {
      setup_data_free (data);
      return;
    }
  if (data->assistant != NULL)
    gtk_widget_set_sensitive (GTK_WIDGET (data->assistant), FALSE);
  g_cancellable_reset (data->self->setup_cancellable);
  tern_account_setup_async (context, data->settings, data->self->setup_cancellable,
                            setup_cb, data);
}

static void
assistant_next_cb (TernAccountAssistant *assistant,
                   const char           *address,
                   const char           *password,
                   TernApplication      *self)
{
  SetupData *data = g_new0 (SetupData, 1);

  data->self = g_object_ref (self);
  g_set_weak_pointer (&data->assistant, assistant);
  if (self->setup_defaults != NULL)
    {
      data->settings = tern_account_settings_copy (self->setup_defaults);
      g_free (data->settings->address);
      data->settings->address = g_strdup (address);
      g_free (data->settings->password);
    }
  else
    data->settings = tern_account_settings_new (address);
  data->settings->password = g_strdup (password);
  start_setup (data);
}

static void
add_account_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  TernApplication *self = user_data;
  TernAccountAssistant *assistant;

  if (self->assistant != NULL)
    {
      gtk_window_present (self->assistant);
      return;
    }

  assistant = tern_account_assistant_new ();
  g_signal_connect_object (assistant, "next", G_CALLBACK (assistant_next_cb), self, 0);
  gtk_window_set_transient_for (GTK_WINDOW (assistant), get_parent_window (self));
  gtk_window_set_application (GTK_WINDOW (assistant), GTK_APPLICATION (self));
  show_weak_window (&self->assistant, GTK_WINDOW (assistant));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_activated },
  { "about", about_activated },
  { "preferences", preferences_activated },
  { "add-account", add_account_activated },
};

static void
tern_application_activate (GApplication *app)
{
  TernApplication *self = TERN_APPLICATION (app);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    {
      TernContext *context = tern_application_get_context (self);

      window = GTK_WINDOW (tern_window_new (self));
      if (context != NULL)
        {
          tern_window_set_context (TERN_WINDOW (window), context);
          tern_context_start_all (context);
        }
    }

  gtk_window_present (window);
}

static void
tern_application_startup (GApplication *app)
{
  TernApplication *self = TERN_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *help_accels[] = { "<Control>question", NULL };

  G_APPLICATION_CLASS (tern_application_parent_class)->startup (app);

  gtk_window_set_default_icon_name (APP_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-help-overlay",
                                         help_accels);
}

static void
tern_application_dispose (GObject *object)
{
  TernApplication *self = TERN_APPLICATION (object);

  if (self->assistant != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->assistant), (gpointer *) &self->assistant);
  if (self->preferences != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->preferences), (gpointer *) &self->preferences);
  self->assistant = NULL;
  self->preferences = NULL;

  g_clear_object (&self->settings);
  if (self->setup_cancellable != NULL)
    g_cancellable_cancel (self->setup_cancellable);
  g_clear_object (&self->setup_cancellable);
  if (self->context != NULL)
    tern_context_stop_all (self->context);
  g_clear_object (&self->context);
  g_clear_pointer (&self->setup_defaults, tern_account_settings_free);

  G_OBJECT_CLASS (tern_application_parent_class)->dispose (object);
}

static void
tern_application_class_init (TernApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = tern_application_dispose;

  app_class->activate = tern_application_activate;
  app_class->startup = tern_application_startup;
}

static void
tern_application_init (TernApplication *self)
{
  self->setup_cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);
}

TernApplication *
tern_application_new (void)
{
  /* The development build has its own ID (.Devel) but shares the
   * resources, so the resource base path is set explicitly. */
  return g_object_new (TERN_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/ternchat/Tern",
                       NULL);
}

/**
 * tern_application_get_settings:
 *
 * Returns: (transfer none): the application's settings (schema id = APP_ID)
 */
GSettings *
tern_application_get_settings (TernApplication *self)
{
  g_return_val_if_fail (TERN_IS_APPLICATION (self), NULL);

  return self->settings;
}

/**
 * tern_application_get_context:
 *
 * The engine, opened on first use in the default data directory (NULL,
 * with a message logged, when the store cannot be opened).
 */
TernContext *
tern_application_get_context (TernApplication *self)
{
  g_return_val_if_fail (TERN_IS_APPLICATION (self), NULL);

  if (self->context == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *dir = tern_context_default_data_dir ();

      self->context = tern_context_new (dir, &error);
      if (self->context == NULL)
        g_message ("could not open the data in %s: %s", dir, error->message);
    }

  return self->context;
}

/* Uses @context instead of the default one (tests). */
void
tern_application_set_context (TernApplication *self,
                              TernContext     *context)
{
  g_return_if_fail (TERN_IS_APPLICATION (self));
  g_set_object (&self->context, context);
}

/* What account set-up starts from before the address and password are
 * filled in: servers, ports, security, filter mode, whether to store the
 * password (the manual fallback values; tests point it at their stack). */
void
tern_application_set_setup_defaults (TernApplication           *self,
                                     const TernAccountSettings *defaults)
{
  g_return_if_fail (TERN_IS_APPLICATION (self));

  g_clear_pointer (&self->setup_defaults, tern_account_settings_free);
  if (defaults != NULL)
    self->setup_defaults = tern_account_settings_copy (defaults);
}
