/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include <glib/gi18n.h>

#include "tern-window.h"

struct _TernWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  gboolean              has_account;

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar_pane;
  GtkWidget            *content_pane;
  GtkToggleButton      *search_button;
  GtkSearchBar         *search_bar;
  GtkStack             *sidebar_stack;
  GtkStack             *content_stack;
  GtkWidget            *back_button;
  GtkWidget            *content_menu_button;
  AdwWindowTitle       *content_title;
  AdwStatusPage        *empty_page;
  GtkWidget            *add_account_button;
};

enum {
  PROP_0,
  PROP_HAS_ACCOUNT,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (TernWindow, tern_window, ADW_TYPE_APPLICATION_WINDOW)

static GParamSpec *properties[N_PROPS];

static void
update_state (TernWindow *self)
{
  gboolean folded = adw_leaflet_get_folded (self->leaflet);

  gtk_stack_set_visible_child_name (self->sidebar_stack, self->has_account ? "chats" : "empty");
  gtk_stack_set_visible_child_name (self->content_stack, self->has_account ? "no-chat" : "empty");
  gtk_widget_set_sensitive (GTK_WIDGET (self->search_button), self->has_account);
  /* Typing starts a search only when there is something to search. */
  gtk_search_bar_set_key_capture_widget (self->search_bar,
                                         self->has_account ? GTK_WIDGET (self) : NULL);
  if (!self->has_account)
    gtk_toggle_button_set_active (self->search_button, FALSE);

  /* Without an account there is nothing to go back to: a folded window
   * shows the empty state with the main menu in its own header bar. */
  gtk_widget_set_visible (self->back_button, folded && self->has_account);
  gtk_widget_set_visible (self->content_menu_button, folded && !self->has_account);
  /* Folded, the empty state's header bar is the only one: name the app. */
  adw_window_title_set_title (self->content_title,
                              folded && !self->has_account ? _("Tern") : "");
  if (!self->has_account)
    adw_leaflet_set_visible_child (self->leaflet, self->content_pane);
}

static void
leaflet_folded_cb (TernWindow *self)
{
  update_state (self);
}

static void
back_clicked_cb (TernWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
search_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TernWindow *self = TERN_WINDOW (widget);

  if (!self->has_account)
    return;

  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, self->sidebar_pane);
  gtk_toggle_button_set_active (self->search_button, TRUE);
}

static void
tern_window_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  TernWindow *self = TERN_WINDOW (object);

  switch (prop_id)
    {
    case PROP_HAS_ACCOUNT:
      g_value_set_boolean (value, self->has_account);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_window_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  TernWindow *self = TERN_WINDOW (object);

  switch (prop_id)
    {
    case PROP_HAS_ACCOUNT:
      tern_window_set_has_account (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_window_constructed (GObject *object)
{
  TernWindow *self = TERN_WINDOW (object);

  G_OBJECT_CLASS (tern_window_parent_class)->constructed (object);

  /* Restored here and saved on close (not bound), so resizing does not
   * write to dconf on every frame. */
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static gboolean
tern_window_close_request (GtkWindow *window)
{
  TernWindow *self = TERN_WINDOW (window);
  int width, height;

  /* The default size follows the user's resizing, but not maximizing. */
  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  g_settings_apply (self->settings);

  return GTK_WINDOW_CLASS (tern_window_parent_class)->close_request (window);
}

static void
tern_window_dispose (GObject *object)
{
  TernWindow *self = TERN_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), TERN_TYPE_WINDOW);

  G_OBJECT_CLASS (tern_window_parent_class)->dispose (object);
}

static void
tern_window_finalize (GObject *object)
{
  TernWindow *self = TERN_WINDOW (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tern_window_parent_class)->finalize (object);
}

static void
tern_window_class_init (TernWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->get_property = tern_window_get_property;
  object_class->set_property = tern_window_set_property;
  object_class->constructed = tern_window_constructed;
  object_class->dispose = tern_window_dispose;
  object_class->finalize = tern_window_finalize;

  window_class->close_request = tern_window_close_request;

  /**
   * TernWindow:has-account:
   *
   * Whether at least one account exists. Without one the window shows the
   * empty state that invites to add an account.
   */
  properties[PROP_HAS_ACCOUNT] =
    g_param_spec_boolean ("has-account", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ternchat/Tern/tern-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TernWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, sidebar_pane);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, content_pane);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, content_menu_button);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, TernWindow, add_account_button);
  gtk_widget_class_bind_template_callback (widget_class, leaflet_folded_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);

  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search", NULL);
}

static void
tern_window_init (TernWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif

  adw_status_page_set_icon_name (self->empty_page, APP_ID);
  update_state (self);
}

TernWindow *
tern_window_new (TernApplication *application)
{
  return g_object_new (TERN_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

gboolean
tern_window_get_has_account (TernWindow *self)
{
  g_return_val_if_fail (TERN_IS_WINDOW (self), FALSE);

  return self->has_account;
}

/**
 * tern_window_set_has_account:
 *
 * Switches between the empty state (no account) and the messenger layout.
 * The accounts engine calls this when the first account is added or the
 * last one removed.
 */
void
tern_window_set_has_account (TernWindow *self,
                             gboolean    has_account)
{
  g_return_if_fail (TERN_IS_WINDOW (self));

  has_account = !!has_account;
  if (self->has_account == has_account)
    return;

  self->has_account = has_account;
  /* With a first account, a folded window starts at the chat list. */
  if (has_account)
    adw_leaflet_set_visible_child (self->leaflet, self->sidebar_pane);
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_ACCOUNT]);
}

void
tern_window_add_toast (TernWindow *self,
                       AdwToast   *toast)
{
  g_return_if_fail (TERN_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}
