/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui-test"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "tern-account-assistant.h"
#include "tern-application.h"
#include "tern-preferences-window.h"
#include "tern-window.h"

/* The real application and window under Xvfb (tests/ui/with-xvfb). Each
 * case renders the window to a PNG in $TERN_SCREENSHOT_DIR (default: the
 * build dir's tests/ui/screenshots) for people to look at. */

#define TIMEOUT_SECONDS 20

#include "ui-test-util.h"

static TernApplication *app;

typedef struct
{
  TernWindow *window;
} Fixture;

/* user_data: NULL for a 960x680 window, or "narrow" for 360x640 (phone
 * size). Without a window manager X11 windows keep their first size, so
 * each size gets a fresh window. */
static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  gboolean narrow = g_strcmp0 (user_data, "narrow") == 0;
  int width = narrow ? 360 : 960;
  int height = narrow ? 640 : 680;

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_LIGHT);
  fixture->window = tern_window_new (app);
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), width, height);
  gtk_window_present (GTK_WINDOW (fixture->window));
  wait_for_frame (GTK_WIDGET (fixture->window));

  /* Without a compositor the window is drawn with a solid frame, so the
   * widget is a few pixels smaller than the surface. */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fixture->window)), <=, width);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fixture->window)), >=, width - 20);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (fixture->window)), <=, height);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (fixture->window)), >=, height - 20);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));

  for (GList *l = windows; l; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free (windows);

  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (fixture->window);
}

static void
assert_empty_state (TernWindow *window)
{
  GtkWidget *empty_page = template_child (window, TERN_TYPE_WINDOW, "empty_page");
  GtkWidget *button = template_child (window, TERN_TYPE_WINDOW, "add_account_button");

  g_assert_false (tern_window_get_has_account (window));
  g_assert_true (gtk_widget_get_mapped (empty_page));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (empty_page)), ==,
                   "Add an account");
  g_assert_cmpstr (adw_status_page_get_icon_name (ADW_STATUS_PAGE (empty_page)), ==, APP_ID);
  g_assert_true (gtk_widget_get_mapped (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_has_css_class (button, "suggested-action"));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==,
                   "app.add-account");
}

/* The leaflet's shadow widgets come after its pages: libadwaita 1.2 sets
 * their style classes on every allocation, and in GTK 4.8 that made every
 * later sibling (both panes, all their rows) validate its style again. */
static void
assert_leaflet_shadows_last (AdwLeaflet *leaflet)
{
  static const char *const shadows[] = { "dimming", "shadow", "border", "outline", NULL };
  guint n_shadows = 0, n_pages = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (leaflet));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (g_strv_contains (shadows, gtk_widget_get_css_name (child)))
        n_shadows++;
      else
        {
          g_assert_cmpuint (n_shadows, ==, 0);
          n_pages++;
        }
    }
  g_assert_cmpuint (n_pages, ==, 3);
  g_assert_cmpuint (n_shadows, >, 0);
}

static void
test_empty_state_light (Fixture       *fixture,
                        gconstpointer  user_data)
{
  AdwLeaflet *leaflet = ADW_LEAFLET (template_child (fixture->window, TERN_TYPE_WINDOW, "leaflet"));
  GtkWidget *sidebar = template_child (fixture->window, TERN_TYPE_WINDOW, "sidebar_pane");
  double light;

  assert_empty_state (fixture->window);
  g_assert_false (adw_style_manager_get_dark (adw_style_manager_get_default ()));
  g_assert_false (adw_leaflet_get_folded (leaflet));
  g_assert_true (gtk_widget_get_mapped (sidebar));
  assert_leaflet_shadows_last (leaflet);
  g_assert_false (gtk_widget_get_visible (template_child (fixture->window, TERN_TYPE_WINDOW,
                                                          "content_menu_button")));
  g_assert_false (gtk_widget_get_visible (template_child (fixture->window, TERN_TYPE_WINDOW,
                                                          "back_button")));
#if DEVELOPMENT_BUILD
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (fixture->window), "devel"));
#else
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (fixture->window), "devel"));
#endif

  light = save_screenshot_luminance (GTK_WIDGET (fixture->window), "window-empty-light");
  g_assert_cmpfloat (light, >, 0.7);
}

static void
test_empty_state_dark (Fixture       *fixture,
                       gconstpointer  user_data)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  double light, dark;

  light = save_screenshot_luminance (GTK_WIDGET (fixture->window), "window-empty-light-before-dark");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (style));
  wait_for_frame (GTK_WIDGET (fixture->window));

  assert_empty_state (fixture->window);
  dark = save_screenshot_luminance (GTK_WIDGET (fixture->window), "window-empty-dark");
  g_test_message ("mean luminance: light %.3f, dark %.3f", light, dark);
  g_assert_cmpfloat (dark, <, 0.35);
  g_assert_cmpfloat (light - dark, >, 0.4);
}

static void
test_empty_state_narrow (Fixture       *fixture,
                         gconstpointer  user_data)
{
  AdwLeaflet *leaflet = ADW_LEAFLET (template_child (fixture->window, TERN_TYPE_WINDOW, "leaflet"));
  GtkWidget *content = template_child (fixture->window, TERN_TYPE_WINDOW, "content_pane");
  GtkWidget *menu = template_child (fixture->window, TERN_TYPE_WINDOW, "content_menu_button");
  GtkWidget *back = template_child (fixture->window, TERN_TYPE_WINDOW, "back_button");

  g_assert_true (adw_leaflet_get_folded (leaflet));
  g_assert_true (adw_leaflet_get_visible_child (leaflet) == content);
  assert_empty_state (fixture->window);
  /* Folded without an account: the main menu moves into the content
   * header bar, and there is nothing to go back to. */
  g_assert_true (gtk_widget_get_mapped (menu));
  g_assert_false (gtk_widget_get_visible (back));

  save_screenshot_luminance (GTK_WIDGET (fixture->window), "window-empty-narrow");

  /* With an account, the folded window starts at the (sidebar) chat list,
   * and the content pane gets a back button. */
  tern_window_set_has_account (fixture->window, TRUE);
  wait_for_frame (GTK_WIDGET (fixture->window));
  g_assert_true (adw_leaflet_get_visible_child (leaflet) ==
                 template_child (fixture->window, TERN_TYPE_WINDOW, "sidebar_pane"));
  g_assert_true (gtk_widget_get_visible (back));
  g_assert_false (gtk_widget_get_visible (menu));
  tern_window_set_has_account (fixture->window, FALSE);
  wait_for_frame (GTK_WIDGET (fixture->window));
  g_assert_true (adw_leaflet_get_visible_child (leaflet) == content);
  assert_empty_state (fixture->window);
  assert_leaflet_shadows_last (leaflet);
}

typedef struct
{
  char *address;
  char *password;
} Credentials;

static void
credentials_clear (Credentials *credentials)
{
  g_clear_pointer (&credentials->address, g_free);
  g_clear_pointer (&credentials->password, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Credentials, credentials_clear)

static void
next_cb (TernAccountAssistant *assistant,
         const char           *address,
         const char           *password,
         Credentials          *got)
{
  credentials_clear (got);
  got->address = g_strdup (address);
  got->password = g_strdup (password);
}

static void
test_add_account_opens_assistant (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  GtkWidget *button = template_child (fixture->window, TERN_TYPE_WINDOW, "add_account_button");
  TernAccountAssistant *assistant;
  GtkWidget *next, *address, *password;
  g_auto(Credentials) got = { NULL, NULL };

  g_assert_null (find_window (TERN_TYPE_ACCOUNT_ASSISTANT));
  g_assert_true (gtk_widget_activate (button));

  assistant = wait_for_window (TERN_TYPE_ACCOUNT_ASSISTANT);
  g_assert_nonnull (assistant);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (assistant)) ==
                 GTK_WINDOW (fixture->window));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (assistant)));
  wait_for_frame (GTK_WIDGET (assistant));

  /* Activating again presents the same assistant. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "add-account", NULL);
  g_assert_true (find_window (TERN_TYPE_ACCOUNT_ASSISTANT) == assistant);
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 2);

  next = template_child (assistant, TERN_TYPE_ACCOUNT_ASSISTANT, "next_button");
  address = template_child (assistant, TERN_TYPE_ACCOUNT_ASSISTANT, "address_row");
  password = template_child (assistant, TERN_TYPE_ACCOUNT_ASSISTANT, "password_row");
  g_assert_true (ADW_IS_ENTRY_ROW (address));
  g_assert_true (ADW_IS_PASSWORD_ENTRY_ROW (password));

  g_assert_false (gtk_widget_is_sensitive (next));
  save_screenshot_luminance (GTK_WIDGET (assistant), "assistant-empty");

  gtk_editable_set_text (GTK_EDITABLE (address), "alice@example.test");
  g_assert_false (gtk_widget_is_sensitive (next));
  g_assert_false (tern_account_assistant_get_can_continue (assistant));

  gtk_editable_set_text (GTK_EDITABLE (password), "secret");
  g_assert_true (gtk_widget_is_sensitive (next));
  g_assert_true (tern_account_assistant_get_can_continue (assistant));

  /* Not an address: no '@', nothing after it, or a space. */
  for (guint i = 0; i < 4; i++)
    {
      const char *bad[] = { "alice", "alice@", "@example.test", "al ice@example.test" };

      gtk_editable_set_text (GTK_EDITABLE (address), bad[i]);
      g_assert_false (gtk_widget_is_sensitive (next));
    }

  gtk_editable_set_text (GTK_EDITABLE (address), "  alice@example.test ");
  g_assert_true (gtk_widget_is_sensitive (next));
  wait_for_frame (GTK_WIDGET (assistant));
  save_screenshot_luminance (GTK_WIDGET (assistant), "assistant-filled");

  g_signal_connect (assistant, "next", G_CALLBACK (next_cb), &got);
  g_assert_true (gtk_widget_activate (next));
  {
    guint timeout = g_timeout_add_seconds (TIMEOUT_SECONDS, timeout_cb, "TernAccountAssistant::next");

    while (got.address == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_source_remove (timeout);
  }
  g_assert_cmpstr (got.address, ==, "alice@example.test");
  g_assert_cmpstr (got.password, ==, "secret");

  gtk_editable_set_text (GTK_EDITABLE (password), "");
  g_assert_false (gtk_widget_is_sensitive (next));

  gtk_window_close (GTK_WINDOW (assistant));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (find_window (TERN_TYPE_ACCOUNT_ASSISTANT));
}

static void
test_about_and_preferences (Fixture       *fixture,
                            gconstpointer  user_data)
{
  GSettings *settings = tern_application_get_settings (app);
  AdwAboutWindow *about;
  TernPreferencesWindow *preferences;
  AdwComboRow *filter;

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  about = find_window (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_application_name (about), ==, "Tern");
  g_assert_cmpstr (adw_about_window_get_application_icon (about), ==, APP_ID);
  g_assert_cmpstr (adw_about_window_get_version (about), ==, PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_developer_name (about), ==, "The Tern developers");
  g_assert_cmpint (adw_about_window_get_license_type (about), ==, GTK_LICENSE_GPL_3_0);
  g_assert_cmpstr (adw_about_window_get_website (about), ==, "https://github.com/ternchat/tern");
  g_assert_cmpstr (adw_about_window_get_issue_url (about), ==,
                   "https://github.com/ternchat/tern/issues");
  wait_for_frame (GTK_WIDGET (about));
  save_screenshot_luminance (GTK_WIDGET (about), "about");
  gtk_window_destroy (GTK_WINDOW (about));

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  preferences = find_window (TERN_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);
  wait_for_frame (GTK_WIDGET (preferences));
  save_screenshot_luminance (GTK_WIDGET (preferences), "preferences");

  /* The rows write through to GSettings and follow it. */
  filter = ADW_COMBO_ROW (template_child (preferences, TERN_TYPE_PREFERENCES_WINDOW,
                                          "message_filter_row"));
  g_assert_cmpstr (g_settings_get_string (settings, "message-filter"), ==, "active");
  g_assert_cmpuint (adw_combo_row_get_selected (filter), ==, 1);
  adw_combo_row_set_selected (filter, 2);
  g_assert_cmpint (g_settings_get_enum (settings, "message-filter"), ==, 2);
  g_settings_set_string (settings, "message-filter", "none");
  g_assert_cmpuint (adw_combo_row_get_selected (filter), ==, 0);
  g_settings_reset (settings, "message-filter");

  {
    GtkSwitch *receipts = GTK_SWITCH (template_child (preferences, TERN_TYPE_PREFERENCES_WINDOW,
                                                      "send_receipts_switch"));

    g_assert_true (gtk_switch_get_active (receipts));
    gtk_switch_set_active (receipts, FALSE);
    g_assert_false (g_settings_get_boolean (settings, "send-read-receipts"));
    g_settings_reset (settings, "send-read-receipts");
    g_assert_true (gtk_switch_get_active (receipts));
  }
}

static void
test_actions_and_accels (Fixture       *fixture,
                         gconstpointer  user_data)
{
  GtkApplication *gtk_app = GTK_APPLICATION (app);
  const struct { const char *action; const char *accel; } expected[] = {
    { "app.quit", "<Control>q" },
    { "app.preferences", "<Control>comma" },
    { "win.show-help-overlay", "<Control>question" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (gtk_app, expected[i].action);

      g_assert_true (g_strv_contains ((const char * const *) accels, expected[i].accel));
    }

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "about"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "add-account"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (fixture->window),
                                            "show-help-overlay"));
  /* The shortcuts window is built when first asked for, not with the window. */
  g_assert_null (gtk_application_window_get_help_overlay (
                   GTK_APPLICATION_WINDOW (fixture->window)));

  /* The shortcuts window opens from the window action. */
  {
    GtkShortcutsWindow *help;

    g_action_group_activate_action (G_ACTION_GROUP (fixture->window), "show-help-overlay", NULL);
    help = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (fixture->window));
    wait_for_frame (GTK_WIDGET (help));
    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (help)));
    save_screenshot_luminance (GTK_WIDGET (help), "shortcuts");
    gtk_widget_hide (GTK_WIDGET (help));
  }

  /* Icon-only buttons carry accessible labels. */
  {
    GtkWidget *search = template_child (fixture->window, TERN_TYPE_WINDOW, "search_button");

    g_assert_nonnull (gtk_widget_get_tooltip_text (search));
    g_assert_false (gtk_widget_is_sensitive (search));
  }

  /* With an account the window leaves the empty state. */
  tern_window_set_has_account (fixture->window, TRUE);
  wait_for_frame (GTK_WIDGET (fixture->window));
  g_assert_false (gtk_widget_get_mapped (template_child (fixture->window, TERN_TYPE_WINDOW,
                                                         "empty_page")));
  g_assert_true (gtk_widget_is_sensitive (template_child (fixture->window, TERN_TYPE_WINDOW,
                                                          "search_button")));
  tern_window_set_has_account (fixture->window, FALSE);
  wait_for_frame (GTK_WIDGET (fixture->window));
  assert_empty_state (fixture->window);
}

static void
collect_icon_buttons (GtkWidget *widget,
                      GPtrArray *found)
{
  /* The window buttons (close, maximize) and the search bar's (hidden)
   * close button are GTK's own business. */
  if (GTK_IS_WINDOW_CONTROLS (widget))
    return;
  if (GTK_IS_BUTTON (widget) && GTK_IS_CENTER_BOX (gtk_widget_get_parent (widget)) &&
      gtk_widget_get_ancestor (widget, GTK_TYPE_SEARCH_BAR) != NULL)
    return;

  if ((GTK_IS_BUTTON (widget) && gtk_button_get_icon_name (GTK_BUTTON (widget)) != NULL) ||
      (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (widget))))
    g_ptr_array_add (found, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    collect_icon_buttons (child, found);
}

static void
test_icon_buttons_labelled (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

  collect_icon_buttons (GTK_WIDGET (fixture->window), buttons);
  /* search, main menu, back, main menu (folded) */
  g_assert_cmpuint (buttons->len, >=, 4);

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);
      const char *tooltip = gtk_widget_get_tooltip_text (button);

      g_test_message ("icon-only button: %s, tooltip \"%s\"",
                      G_OBJECT_TYPE_NAME (button), tooltip ? tooltip : "(none)");
      g_assert_nonnull (tooltip);
      g_assert_cmpstr (tooltip, !=, "");
    }
}

static void
test_window_state_saved (Fixture       *fixture,
                         gconstpointer  user_data)
{
  GSettings *settings = tern_application_get_settings (app);
  TernWindow *second;
  int width, height;

  /* Closing the window saves its size to GSettings... */
  g_settings_set_int (settings, "window-width", 123);
  g_settings_set_int (settings, "window-height", 456);
  g_settings_set_boolean (settings, "window-maximized", TRUE);
  gtk_window_close (GTK_WINDOW (fixture->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (fixture->window);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 960);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 680);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));

  /* ...and a new window starts from it. */
  g_settings_set_int (settings, "window-width", 700);
  g_settings_set_int (settings, "window-height", 500);
  second = tern_window_new (app);
  gtk_window_get_default_size (GTK_WINDOW (second), &width, &height);
  g_assert_cmpint (width, ==, 700);
  g_assert_cmpint (height, ==, 500);
  gtk_window_destroy (GTK_WINDOW (second));

  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
  g_settings_reset (settings, "window-maximized");
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (!ui_test_init (&argc, &argv, "test-window"))
    return 1;

  app = ui_test_app_new ();

  g_test_add ("/ui/window/empty-state/light", Fixture, NULL,
              fixture_set_up, test_empty_state_light, fixture_tear_down);
  g_test_add ("/ui/window/empty-state/dark", Fixture, NULL,
              fixture_set_up, test_empty_state_dark, fixture_tear_down);
  g_test_add ("/ui/window/empty-state/narrow", Fixture, "narrow",
              fixture_set_up, test_empty_state_narrow, fixture_tear_down);
  g_test_add ("/ui/window/add-account", Fixture, NULL,
              fixture_set_up, test_add_account_opens_assistant, fixture_tear_down);
  g_test_add ("/ui/window/about-and-preferences", Fixture, NULL,
              fixture_set_up, test_about_and_preferences, fixture_tear_down);
  g_test_add ("/ui/window/icon-buttons-labelled", Fixture, "narrow",
              fixture_set_up, test_icon_buttons_labelled, fixture_tear_down);
  g_test_add ("/ui/window/state-saved", Fixture, NULL,
              fixture_set_up, test_window_state_saved, fixture_tear_down);
  g_test_add ("/ui/window/actions", Fixture, NULL,
              fixture_set_up, test_actions_and_accels, fixture_tear_down);

  ret = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  return ret;
}
