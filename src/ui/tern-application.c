/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include <glib/gi18n.h>

#include "tern-account-assistant.h"
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
    window = GTK_WINDOW (tern_window_new (self));

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
