/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui-test"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "tern-application.h"
#include "tern-chat-list.h"
#include "tern-chat-row.h"
#include "tern-context.h"
#include "tern-window.h"

/* Desktop integration of the real application under Xvfb, on the private
 * session bus of tests/ui/with-xvfb:
 * - notifications go through GNotification to org.freedesktop.Notifications,
 *   which this test owns on that bus (a recording server: Notify,
 *   CloseNotification, and ActionInvoked to click one);
 * - the unread count is watched as the com.canonical.Unity.LauncherEntry
 *   "Update" signal the app emits;
 * - closing the window with run-in-background keeps the app (and its
 *   notifications) going; activating shows a window again.
 * The store is filled with the TernStore batch API (no network: the
 * account's server is a closed port). */

#define TIMEOUT_SECONDS 20

static TernApplication *app;

/* ---- the recording notification server ----------------------------------- */

static const char notifications_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/> <arg type='u' direction='in'/>"
  "      <arg type='s' direction='in'/> <arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/> <arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/> <arg type='i' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' direction='out'/> <arg type='s' direction='out'/>"
  "      <arg type='s' direction='out'/> <arg type='s' direction='out'/>"
  "    </method>"
  "    <signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "    <signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "  </interface>"
  "</node>";

typedef struct
{
  guint32  id;
  guint32  replaces;
  char    *summary;
  char    *body;
  GStrv    actions;
  GVariant *hints;
} Notified;

static GPtrArray *notified;        /* Notified, in the order received */
static GArray    *closed;          /* guint32 ids */
static GArray    *badges;          /* gint64 counts */
static guint32    next_id = 1;

static void
notified_free (Notified *n)
{
  g_free (n->summary);
  g_free (n->body);
  g_strfreev (n->actions);
  g_variant_unref (n->hints);
  g_free (n);
}

static void
method_call_cb (GDBusConnection       *connection,
                const char            *sender,
                const char            *path,
                const char            *interface,
                const char            *method,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  if (g_str_equal (method, "Notify"))
    {
      Notified *n = g_new0 (Notified, 1);
      const char *app_name, *icon;
      gint32 timeout;

      g_variant_get (parameters, "(&su&sss^as@a{sv}i)", &app_name, &n->replaces, &icon,
                     &n->summary, &n->body, &n->actions, &n->hints, &timeout);
      n->id = n->replaces != 0 ? n->replaces : next_id++;
      g_ptr_array_add (notified, n);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", n->id));
    }
  else if (g_str_equal (method, "CloseNotification"))
    {
      guint32 id;

      g_variant_get (parameters, "(u)", &id);
      g_array_append_val (closed, id);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method, "GetCapabilities"))
    {
      const char *caps[] = { "actions", "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(ssss)", "test", "tern", "1", "1.2"));
}

static void
launcher_update_cb (GDBusConnection *connection,
                    const char      *sender,
                    const char      *path,
                    const char      *interface,
                    const char      *signal,
                    GVariant        *parameters,
                    gpointer         user_data)
{
  g_autoptr(GVariant) props = NULL;
  const char *uri;
  gint64 count = -1;
  gboolean visible = FALSE;

  g_variant_get (parameters, "(&s@a{sv})", &uri, &props);
  g_assert_cmpstr (uri, ==, "application://" APP_ID ".desktop");
  g_assert_true (g_variant_lookup (props, "count", "x", &count));
  g_assert_true (g_variant_lookup (props, "count-visible", "b", &visible));
  g_assert_cmpint (visible, ==, count > 0);
  g_array_append_val (badges, count);
}

static void
start_server (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, &error);
  GDBusConnection *bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  static const GDBusInterfaceVTable vtable = { method_call_cb, NULL, NULL, { 0 } };
  g_autoptr(GVariant) reply = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (bus);
  g_assert_cmpuint (g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications",
                                                       info->interfaces[0], &vtable,
                                                       NULL, NULL, &error), >, 0);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.Notifications", 4),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &error);
  g_assert_no_error (error);
  g_dbus_connection_signal_subscribe (bus, NULL, "com.canonical.Unity.LauncherEntry", "Update",
                                      NULL, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                      launcher_update_cb, NULL, NULL);
  notified = g_ptr_array_new_with_free_func ((GDestroyNotify) notified_free);
  closed = g_array_new (FALSE, FALSE, sizeof (guint32));
  badges = g_array_new (FALSE, FALSE, sizeof (gint64));
  /* The connection stays: the app shares it (g_bus_get_sync() is a
   * singleton), and with it the name and the object. */
}

/* Clicks notification @id (the default action). */
static void
click_notification (guint32 id)
{
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (app));

  g_dbus_connection_emit_signal (bus, NULL, "/org/freedesktop/Notifications",
                                 "org.freedesktop.Notifications", "ActionInvoked",
                                 g_variant_new ("(us)", id, "default"), NULL);
}

/* ---- waiting ------------------------------------------------------------- */

static gboolean
timeout_cb (gpointer user_data)
{
  g_error ("timed out waiting for %s", (const char *) user_data);
  return G_SOURCE_REMOVE;
}

typedef gboolean (*Condition) (gconstpointer data);

static void
wait_for (Condition     condition,
          gconstpointer data,
          const char   *what)
{
  guint id = g_timeout_add_seconds (TIMEOUT_SECONDS, timeout_cb, (gpointer) what);

  while (!condition (data))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static void
flush (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* The server has answered; a round trip on the bus (ordered after that
 * answer) and a flush let the app's side see the answer too (GLib's
 * backend withdraws only notifications whose id came back). */
static void
sync_with_bus (void)
{
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_sync (g_application_get_dbus_connection (G_APPLICATION (app)),
                                       "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetId", NULL, NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  flush ();
}

static gboolean
n_notified_is (gconstpointer n)
{
  if (notified->len < GPOINTER_TO_UINT (n))
    return FALSE;
  sync_with_bus ();
  return TRUE;
}

static gboolean
n_closed_is (gconstpointer n)
{
  return closed->len >= GPOINTER_TO_UINT (n);
}

static gboolean
n_badges_is (gconstpointer n)
{
  return badges->len >= GPOINTER_TO_UINT (n);
}

static gint64
last_badge (void)
{
  g_assert_cmpuint (badges->len, >, 0);
  return g_array_index (badges, gint64, badges->len - 1);
}

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

static gboolean
flag_is_set (gconstpointer flag)
{
  return *(const gboolean *) flag;
}

static gboolean
widget_mapped (gconstpointer widget)
{
  return gtk_widget_get_mapped ((GtkWidget *) widget);
}

static void
wait_for_frame (GtkWidget *widget)
{
  gboolean painted = FALSE;
  GdkFrameClock *clock;
  gulong id;

  wait_for (widget_mapped, widget, "the window to map");
  clock = gtk_widget_get_frame_clock (widget);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  wait_for (flag_is_set, &painted, "a frame");
  g_signal_handler_disconnect (clock, id);
  flush ();
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  const char *dir = g_getenv ("TERN_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = NULL;
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);

  if (dir == NULL || *dir == '\0')
    dir = g_getenv ("TERN_UI_SCREENSHOT_DEFAULT_DIR");
  if (dir == NULL || *dir == '\0')
    dir = "screenshots";
  /* The paintable has an image of the widget's last frame: right after a
   * window appears there may be none yet. */
  for (guint attempt = 0; attempt < 10 && node == NULL; attempt++)
    {
      g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();

      wait_for_frame (widget);
      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  file = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, file));
  g_test_message ("screenshot: %s", file);
}

/* ---- the profile ---------------------------------------------------------- */

typedef struct
{
  char        *dir;
  TernContext *context;
  TernStore   *store;
  gint64       account;
  gint64       bob, carol, dave;
  gint64       bob_chat, carol_chat, dave_chat, hike_chat;
  char        *bob_avatar;           /* the file of bob's avatar */
  guint        serial;
} Profile;

static Profile profile;

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

typedef struct
{
  gint64       chat;
  gint64       sender;        /* contact; 0 = outgoing */
  const char  *address;
  const char  *text;
  gint64       time;
  gboolean     seen;
  gboolean     mentions_me;
} Msg;

static void
add_message (TernStoreBatch *batch,
             const Msg      *m)
{
  g_autofree char *mid = g_strdup_printf ("d%u@example.test", ++profile.serial);
  TernStoreMessageRow row = { 0 };

  row.account_id = profile.account;
  row.chat_id = m->chat;
  row.message_id = mid;
  row.text = (char *) m->text;
  row.sent_time = row.received_time = m->time;
  row.seen = m->seen;
  row.outgoing = m->sender == 0;
  row.sender_contact_id = m->sender;
  row.sender_address = m->sender == 0 ? NULL : (char *) m->address;
  row.kind = TERN_STORE_MESSAGE_KIND_TEXT;
  row.state = m->sender == 0 ? TERN_STORE_STATE_SENT : TERN_STORE_STATE_NONE;
  row.mentions_me = m->mentions_me;
  tern_store_batch_add_message (batch, &row, 0, 0);
}

static void
commit (TernStore      *store,
        TernStoreBatch *batch)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tern_store_commit (store, batch, &error));
  g_assert_no_error (error);
}

/* An account (its server a closed port), bob (with an avatar), carol, dave
 * (muted), a group; carol has one unread message from two hours ago, dave
 * two (muted: not counted). */
static void
make_profile (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TernStore) store = NULL;
  g_autoptr(TernStoreBatch) batch = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autofree char *hash = NULL;
  TernStoreAccountRow account = { 0 };
  TernStoreContactRow contact = { 0 };
  TernStoreChatRow muted = { 0 };
  gint64 acc, bob, carol, dave, bob_chat, carol_chat, dave_chat, hike;
  gint64 old = now_s () - 2 * 3600;

  profile.dir = g_dir_make_tmp ("tern-ui-desktop-XXXXXX", &error);
  g_assert_no_error (error);
  store = tern_store_open (profile.dir, &error);
  g_assert_no_error (error);

  batch = tern_store_begin_batch (store);
  account.address = (char *) "me@example.test";
  account.imap_host = (char *) "127.0.0.1";
  account.imap_port = 1;
  account.smtp_host = (char *) "127.0.0.1";
  account.smtp_port = 1;
  account.enabled = TRUE;
  acc = tern_store_batch_add_account (batch, &account);
  commit (store, batch);
  profile.account = tern_store_batch_get_id (batch, acc);
  g_clear_object (&batch);

  batch = tern_store_begin_batch (store);
  {
    g_autofree char *file = g_build_filename (g_getenv ("TERN_SOURCE_ROOT"), "data", "icons",
                                              "hicolor", "scalable", "apps",
                                              "io.github.ternchat.Tern.svg", NULL);
    gsize len;
    char *data;

    g_assert_true (g_file_get_contents (file, &data, &len, NULL));
    png = g_bytes_new_take (data, len);
  }
  hash = tern_store_batch_add_file (batch, png);
  bob = tern_store_batch_ensure_contact (batch, profile.account, "bob@example.test", "Bob Builder");
  carol = tern_store_batch_ensure_contact (batch, profile.account, "carol@example.test",
                                           "Carol Danvers");
  dave = tern_store_batch_ensure_contact (batch, profile.account, "dave@example.test",
                                          "Dave Lister");
  contact.avatar = hash;
  tern_store_batch_update_contact (batch, bob, TERN_STORE_CONTACT_FIELD_AVATAR, &contact);
  bob_chat = tern_store_batch_ensure_chat (batch, profile.account, TERN_STORE_CHAT_KIND_DIRECT,
                                           "bob@example.test", "Bob Builder", bob);
  carol_chat = tern_store_batch_ensure_chat (batch, profile.account, TERN_STORE_CHAT_KIND_DIRECT,
                                             "carol@example.test", "Carol Danvers", carol);
  dave_chat = tern_store_batch_ensure_chat (batch, profile.account, TERN_STORE_CHAT_KIND_DIRECT,
                                            "dave@example.test", "Dave Lister", dave);
  hike = tern_store_batch_ensure_chat (batch, profile.account, TERN_STORE_CHAT_KIND_GROUP,
                                       "hike-group", "Hiking Club", 0);
  muted.muted = TRUE;
  tern_store_batch_update_chat (batch, dave_chat, TERN_STORE_CHAT_FIELD_MUTED, &muted);
  commit (store, batch);
  profile.bob = tern_store_batch_get_id (batch, bob);
  profile.carol = tern_store_batch_get_id (batch, carol);
  profile.dave = tern_store_batch_get_id (batch, dave);
  profile.bob_chat = tern_store_batch_get_id (batch, bob_chat);
  profile.carol_chat = tern_store_batch_get_id (batch, carol_chat);
  profile.dave_chat = tern_store_batch_get_id (batch, dave_chat);
  profile.hike_chat = tern_store_batch_get_id (batch, hike);
  profile.bob_avatar = tern_store_get_attachment_path (store, hash);
  g_clear_object (&batch);

  batch = tern_store_begin_batch (store);
  add_message (batch, &(Msg) { profile.bob_chat, profile.bob, "bob@example.test",
                               "Hello from last week", old - 7 * 86400, TRUE });
  add_message (batch, &(Msg) { profile.carol_chat, profile.carol, "carol@example.test",
                               "Are you there?", old, FALSE });
  add_message (batch, &(Msg) { profile.dave_chat, profile.dave, "dave@example.test",
                               "Smoke me a kipper", old, FALSE });
  add_message (batch, &(Msg) { profile.dave_chat, profile.dave, "dave@example.test",
                               "I'll be back for breakfast", old + 1, FALSE });
  commit (store, batch);
  tern_store_close (store);

  profile.context = tern_context_new (profile.dir, &error);
  g_assert_no_error (error);
  profile.store = tern_context_get_store (profile.context);
  g_assert_cmpuint (g_list_model_get_n_items (tern_context_get_accounts (profile.context)), ==, 1);
}

static void
receive (const Msg *messages,
         guint      n)
{
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (profile.store);

  for (guint i = 0; i < n; i++)
    add_message (batch, &messages[i]);
  commit (profile.store, batch);
}

static Notified *
last_notified (void)
{
  g_assert_cmpuint (notified->len, >, 0);
  return g_ptr_array_index (notified, notified->len - 1);
}

static const char *
hint_string (Notified   *n,
             const char *key)
{
  const char *value = NULL;

  if (!g_variant_lookup (n->hints, key, "&s", &value))
    return NULL;
  return value;
}

static TernWindow *
main_window (void)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  return TERN_IS_WINDOW (window) ? TERN_WINDOW (window) : NULL;
}

static gboolean
chat_is_open (gconstpointer chat_id)
{
  TernWindow *window = main_window ();
  TernChat *chat = window ? tern_window_get_open_chat (window) : NULL;

  return chat != NULL && tern_chat_get_id (chat) == *(const gint64 *) chat_id;
}

/* ---- tests ---------------------------------------------------------------- */

static void
test_notifications (void)
{
  TernWindow *window;
  guint n, c;
  Notified *bob_note, *carol_note;

  g_application_activate (G_APPLICATION (app));
  window = main_window ();
  g_assert_nonnull (window);
  wait_for_frame (GTK_WIDGET (window));

  /* The badge: carol's unread message; dave is muted and does not count.
   * The old unread message from carol is no news: no notification. */
  wait_for (n_badges_is, GUINT_TO_POINTER (1), "the first launcher count");
  g_assert_cmpint (last_badge (), ==, 1);
  g_assert_cmpuint (notified->len, ==, 0);

  /* A new message from bob: a notification with his name, the text, his
   * avatar and a default action. */
  receive (&(Msg) { profile.bob_chat, profile.bob, "bob@example.test",
                    "Can we fix it?\nYes we can!", now_s (), FALSE }, 1);
  wait_for (n_notified_is, GUINT_TO_POINTER (1), "bob's notification");
  bob_note = last_notified ();
  g_assert_cmpstr (bob_note->summary, ==, "Bob Builder");
  g_assert_cmpstr (bob_note->body, ==, "Can we fix it?\nYes we can!");
  g_assert_cmpstr (hint_string (bob_note, "image-path"), ==, profile.bob_avatar);
  g_assert_cmpstr (hint_string (bob_note, "category"), ==, "im.received");
  g_assert_true (g_strv_contains ((const char *const *) bob_note->actions, "default"));
  wait_for (n_badges_is, GUINT_TO_POINTER (2), "the launcher count after bob's message");
  g_assert_cmpint (last_badge (), ==, 2);

  /* Nothing for: the user's own message, one already seen (read on another
   * device), an old one (history), one in a muted chat. The last message of
   * the batch (carol, new) tells that the batch was handled. */
  n = notified->len;
  {
    const Msg batch[] = {
      { profile.bob_chat, 0, NULL, "My own message", now_s (), TRUE },
      { profile.bob_chat, profile.bob, "bob@example.test", "Seen elsewhere", now_s (), TRUE },
      { profile.bob_chat, profile.bob, "bob@example.test", "From the archive", now_s () - 86400,
        FALSE },
      { profile.dave_chat, profile.dave, "dave@example.test", "Muted chatter", now_s (), FALSE },
      { profile.hike_chat, profile.dave, "dave@example.test", "Meet at the car park", now_s (),
        FALSE },
    };

    receive (batch, G_N_ELEMENTS (batch));
  }
  wait_for (n_notified_is, GUINT_TO_POINTER (n + 1), "the group's notification");
  g_assert_cmpuint (notified->len, ==, n + 1);
  g_assert_cmpstr (last_notified ()->summary, ==, "Dave Lister in Hiking Club");
  g_assert_cmpstr (last_notified ()->body, ==, "Meet at the car park");
  /* No avatar for dave: no image. */
  g_assert_null (hint_string (last_notified (), "image-path"));

  /* A mention notifies even in a muted chat. */
  receive (&(Msg) { profile.dave_chat, profile.dave, "dave@example.test", "@me look at this",
                    now_s (), FALSE, TRUE }, 1);
  wait_for (n_notified_is, GUINT_TO_POINTER (n + 2), "the mention in the muted chat");
  g_assert_cmpstr (last_notified ()->summary, ==, "Dave Lister");
  g_assert_cmpstr (last_notified ()->body, ==, "@me look at this");

  /* A second message from carol replaces nothing of bob's; carol's
   * notification goes when her chat is read elsewhere. */
  receive (&(Msg) { profile.carol_chat, profile.carol, "carol@example.test", "Hello?", now_s (),
                    FALSE }, 1);
  wait_for (n_notified_is, GUINT_TO_POINTER (n + 3), "carol's notification");
  carol_note = last_notified ();
  g_assert_cmpstr (carol_note->summary, ==, "Carol Danvers");
  c = closed->len;
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (profile.store);

    tern_store_batch_mark_chat_read (batch, profile.carol_chat);
    commit (profile.store, batch);
  }
  wait_for (n_closed_is, GUINT_TO_POINTER (c + 1), "carol's notification to be withdrawn");
  g_assert_cmpuint (g_array_index (closed, guint32, c), ==, carol_note->id);

  /* Clicking bob's notification opens his chat (app.open-chat); reading it
   * withdraws the notification and the count drops. */
  click_notification (bob_note->id);
  wait_for (chat_is_open, &profile.bob_chat, "bob's chat to open");
  wait_for (n_closed_is, GUINT_TO_POINTER (c + 2), "bob's notification to be withdrawn");
  g_assert_cmpuint (g_array_index (closed, guint32, c + 1), ==, bob_note->id);
  save_screenshot (GTK_WIDGET (main_window ()), "desktop-opened-from-notification");

  /* Notifications off: a new message counts, but shows nothing. */
  g_settings_set_boolean (tern_application_get_settings (app), "notifications", FALSE);
  n = notified->len;
  {
    guint b = badges->len;

    receive (&(Msg) { profile.carol_chat, profile.carol, "carol@example.test", "Quiet, please",
                      now_s (), FALSE }, 1);
    wait_for (n_badges_is, GUINT_TO_POINTER (b + 1), "the count after a quiet message");
  }
  flush ();
  g_assert_cmpuint (notified->len, ==, n);
  g_settings_reset (tern_application_get_settings (app), "notifications");
}

static void
test_background (void)
{
  TernWindow *window;
  guint n;

  g_application_activate (G_APPLICATION (app));
  window = main_window ();
  g_assert_nonnull (window);
  wait_for_frame (GTK_WIDGET (window));
  g_assert_false (tern_application_get_in_background (app));

  /* Closing the window with run-in-background (the default) keeps the app
   * and its notifications. */
  g_assert_true (g_settings_get_boolean (tern_application_get_settings (app), "run-in-background"));
  gtk_window_close (GTK_WINDOW (window));
  flush ();
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));
  g_assert_true (tern_application_get_in_background (app));
  n = notified->len;
  receive (&(Msg) { profile.bob_chat, profile.bob, "bob@example.test", "Still there?", now_s (),
                    FALSE }, 1);
  wait_for (n_notified_is, GUINT_TO_POINTER (n + 1), "a notification in the background");
  g_assert_cmpstr (last_notified ()->body, ==, "Still there?");

  /* Activating again shows a window over the same engine. */
  g_application_activate (G_APPLICATION (app));
  window = main_window ();
  g_assert_nonnull (window);
  g_assert_false (tern_application_get_in_background (app));
  wait_for_frame (GTK_WIDGET (window));
  g_assert_true (tern_window_get_context (window) == profile.context);
  g_assert_cmpuint (g_list_model_get_n_items (tern_window_get_chat_list (window)), ==, 4);

  /* Without the setting, closing the window lets the app go. */
  g_settings_set_boolean (tern_application_get_settings (app), "run-in-background", FALSE);
  gtk_window_close (GTK_WINDOW (window));
  flush ();
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));
  g_assert_false (tern_application_get_in_background (app));
  g_settings_reset (tern_application_get_settings (app), "run-in-background");
}

static gboolean
avatar_has_image (gconstpointer avatar)
{
  return adw_avatar_get_custom_image ((AdwAvatar *) avatar) != NULL;
}

static AdwAvatar *
find_avatar (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwAvatar *found = ADW_IS_AVATAR (child) ? ADW_AVATAR (child) : find_avatar (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A chat row shows the chat's picture once decoded (in a thread), and the
 * initials again without one. */
static void
test_chat_row_avatar (void)
{
  GtkWidget *window = gtk_window_new ();
  TernChatRow *row = tern_chat_row_new ();
  AdwAvatar *avatar = find_avatar (GTK_WIDGET (row));

  g_assert_nonnull (avatar);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (row));
  gtk_window_set_default_size (GTK_WINDOW (window), 360, -1);
  tern_chat_row_set_title (row, "Bob Builder");
  tern_chat_row_set_preview (row, "Can we fix it?");
  tern_chat_row_set_timestamp (row, now_s ());
  tern_chat_row_set_avatar_path (row, profile.bob_avatar);
  g_assert_cmpstr (tern_chat_row_get_avatar_path (row), ==, profile.bob_avatar);
  gtk_window_present (GTK_WINDOW (window));
  wait_for (avatar_has_image, avatar, "the avatar picture");
  save_screenshot (window, "desktop-chat-row-avatar");

  /* A second row with the same picture gets it at once (the cache). */
  {
    g_autoptr(TernChatRow) other = g_object_ref_sink (tern_chat_row_new ());

    tern_chat_row_set_avatar_path (other, profile.bob_avatar);
    g_assert_nonnull (adw_avatar_get_custom_image (find_avatar (GTK_WIDGET (other))));
  }

  tern_chat_row_set_avatar_path (row, NULL);
  g_assert_null (adw_avatar_get_custom_image (avatar));
  g_assert_cmpstr (adw_avatar_get_text (avatar), ==, "Bob Builder");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_printerr ("test-desktop: no display; run it under tests/ui/with-xvfb\n");
      return 1;
    }
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_printerr ("test-desktop: no session bus; run it under tests/ui/with-xvfb\n");
      return 1;
    }

  start_server ();
  make_profile ();

  app = tern_application_new ();
  tern_application_set_context (app, profile.context);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_hold (G_APPLICATION (app));

  g_test_add_func ("/ui/desktop/notifications", test_notifications);
  g_test_add_func ("/ui/desktop/background", test_background);
  g_test_add_func ("/ui/desktop/chat-row-avatar", test_chat_row_avatar);

  ret = g_test_run ();

  {
    GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));

    for (GList *l = windows; l; l = l->next)
      gtk_window_destroy (l->data);
    g_list_free (windows);
  }
  flush ();
  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  g_clear_object (&profile.context);
  return ret;
}
