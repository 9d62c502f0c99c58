/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui-test"

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "tern-store.h"

/* D-Bus activation, as a notification clicked after Tern quit uses it: with
 * Tern not running, org.freedesktop.Application.ActivateAction("open-chat")
 * on its bus name makes the session bus start the built binary from a
 * service file like data/APP_ID.service (installed in this test's
 * $XDG_DATA_HOME/dbus-1/services, a directory the session bus of
 * tests/ui/with-xvfb searches), with --gapplication-service; the chat opens
 * (the store then counts its messages as read), and app.quit ends the
 * process. Screenshot: dbus-activated (the whole display). */

#ifndef TERN_BIN
#error "TERN_BIN: the path of the built tern binary"
#endif

#define TIMEOUT_SECONDS 60
#define APP_PATH_DBUS "/io/github/ternchat/Tern"

typedef struct
{
  char  *data_dir;   /* $XDG_DATA_HOME/tern: the app's default */
  gint64 chat;
} Fixture;

static void
fill_store (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TernStore) store = NULL;
  g_autoptr(TernStoreBatch) batch = NULL;
  TernStoreAccountRow account = { 0 };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 account_id, bob, chat;

  g_assert_cmpint (g_mkdir_with_parents (f->data_dir, 0700), ==, 0);
  store = tern_store_open (f->data_dir, &error);
  g_assert_no_error (error);

  /* Disabled: the app starts no connection and asks for no password. */
  batch = tern_store_begin_batch (store);
  account.address = (char *) "me@example.test";
  account.login = (char *) "me@example.test";
  account.imap_host = (char *) "127.0.0.1";
  account.imap_port = 9;
  account.smtp_host = (char *) "127.0.0.1";
  account.smtp_port = 9;
  account.enabled = FALSE;
  account_id = tern_store_batch_add_account (batch, &account);
  g_assert_true (tern_store_commit (store, batch, &error));
  g_assert_no_error (error);
  account_id = tern_store_batch_get_id (batch, account_id);
  g_clear_object (&batch);

  batch = tern_store_begin_batch (store);
  bob = tern_store_batch_ensure_contact (batch, account_id, "bob@example.test", "Bob Builder");
  chat = tern_store_batch_ensure_chat (batch, account_id, TERN_STORE_CHAT_KIND_DIRECT,
                                       "bob@example.test", "Bob Builder", bob);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *mid = g_strdup_printf ("a%u@example.test", i);
      g_autofree char *text = g_strdup_printf ("Are you there? (%u)", i + 1);
      TernStoreMessageRow row = { 0 };

      row.account_id = account_id;
      row.chat_id = chat;
      row.message_id = mid;
      row.text = text;
      row.sent_time = row.received_time = now - 300 + i * 60;
      row.seen = FALSE;
      row.sender_contact_id = bob;
      row.sender_address = (char *) "bob@example.test";
      row.kind = TERN_STORE_MESSAGE_KIND_TEXT;
      tern_store_batch_add_message (batch, &row, 0, 0);
    }
  g_assert_true (tern_store_commit (store, batch, &error));
  g_assert_no_error (error);
  f->chat = tern_store_batch_get_id (batch, chat);
  tern_store_close (store);
}

static gboolean
has_owner (GDBusConnection *bus)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", APP_ID), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(b)", &owned);
  return owned;
}

static guint
owner_pid (GDBusConnection *bus)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  guint pid = 0;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                       g_variant_new ("(s)", APP_ID), G_VARIANT_TYPE ("(u)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &pid);
  return pid;
}

static void
wait_until (gboolean   (*check) (gpointer),
            gpointer     data,
            const char  *what)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_SECONDS * G_USEC_PER_SEC;

  while (!check (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s", what);
      g_usleep (50 * 1000);
    }
}

static gboolean
chat_read (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TernStore) store = tern_store_open (f->data_dir, &error);
  g_autoptr(TernStoreChatRow) row = NULL;

  g_assert_no_error (error);
  row = tern_store_get_chat (store, f->chat, &error);
  g_assert_no_error (error);
  tern_store_close (store);
  return row->unread_count == 0;
}

static gboolean
name_gone (gpointer data)
{
  return !has_owner (data);
}

static gboolean
process_gone (gpointer data)
{
  g_autofree char *stat = g_strdup_printf ("/proc/%u/stat", GPOINTER_TO_UINT (data));
  g_autofree char *contents = NULL;
  const char *state;

  if (!g_file_get_contents (stat, &contents, NULL, NULL))
    return TRUE;
  /* "pid (comm) S ...": a zombie counts as gone. */
  state = strrchr (contents, ')');
  return state != NULL && (state[2] == 'Z' || state[2] == 'X');
}

static void
screenshot (const char *name)
{
  const char *dir = g_getenv ("TERN_SCREENSHOT_DIR");
  g_autofree char *file = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (dir == NULL || *dir == '\0')
    dir = g_getenv ("TERN_UI_SCREENSHOT_DEFAULT_DIR");
  if (dir == NULL || *dir == '\0')
    dir = "screenshots";
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  file = g_strdup_printf ("%s/%s.png", dir, name);
  {
    const char *argv[] = { "import", "-window", "root", file, NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                       &status, &error) || !g_spawn_check_wait_status (status, &error))
      g_test_message ("could not capture the display: %s", error->message);
    else
      g_test_message ("screenshot: %s", file);
  }
}

static void
test_activate_action (void)
{
  Fixture fixture = { 0 };
  Fixture *f = &fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *services = NULL;
  g_autofree char *service_file = NULL;
  g_autofree char *service = NULL;
  g_autofree char *cmdline = NULL;
  gsize cmdline_len = 0;
  guint pid;

  g_assert_true (g_file_test (TERN_BIN, G_FILE_TEST_IS_EXECUTABLE));
  f->data_dir = g_build_filename (g_get_user_data_dir (), "tern", NULL);
  fill_store (f);

  /* The service file as data/ installs it, naming the built binary. */
  services = g_build_filename (g_get_user_data_dir (), "dbus-1", "services", NULL);
  g_assert_cmpint (g_mkdir_with_parents (services, 0700), ==, 0);
  service_file = g_strdup_printf ("%s/%s.service", services, APP_ID);
  service = g_strdup_printf ("[D-BUS Service]\nName=%s\nExec=%s --gapplication-service\n",
                             APP_ID, TERN_BIN);
  g_assert_true (g_file_set_contents (service_file, service, -1, &error));
  g_assert_no_error (error);

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (has_owner (bus));
  /* The bus reads new service files when a name is asked for; make sure. */
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "ReloadConfig", NULL, NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);

  /* What the notification server does when its notification is clicked. */
  reply = g_dbus_connection_call_sync (bus, APP_ID, APP_PATH_DBUS,
                                       "org.freedesktop.Application", "ActivateAction",
                                       g_variant_new_parsed ("('open-chat', [<%x>], @a{sv} {})",
                                                             f->chat),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_SECONDS * 1000,
                                       NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);

  g_assert_true (has_owner (bus));
  pid = owner_pid (bus);
  g_assert_cmpuint (pid, >, 0);
  {
    g_autofree char *path = g_strdup_printf ("/proc/%u/cmdline", pid);

    g_assert_true (g_file_get_contents (path, &cmdline, &cmdline_len, NULL));
    /* argv[0] NUL argv[1] NUL */
    g_assert_cmpstr (cmdline, ==, TERN_BIN);
    g_assert_cmpuint (cmdline_len, >, strlen (cmdline) + 1);
    g_assert_cmpstr (cmdline + strlen (cmdline) + 1, ==, "--gapplication-service");
  }

  /* The chat opened: its messages count as read. */
  wait_until (chat_read, f, "the chat to open in the started app");
  /* The first frame comes after the chat opened (the read is at once). */
  g_usleep (3 * G_USEC_PER_SEC);
  screenshot ("dbus-activated");

  /* app.quit ends it. */
  reply = g_dbus_connection_call_sync (bus, APP_ID, APP_PATH_DBUS, "org.gtk.Actions", "Activate",
                                       g_variant_new_parsed ("('quit', @av [], @a{sv} {})"),
                                       NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, &error);
  g_assert_no_error (error);
  wait_until (name_gone, bus, "the app to leave the bus");
  wait_until (process_gone, GUINT_TO_POINTER (pid), "the app's process to end");

  g_unlink (service_file);
  g_free (f->data_dir);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL || g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_printerr ("test-dbus-activation: no display or session bus; run it under tests/ui/with-xvfb\n");
      return 1;
    }

  g_test_add_func ("/ui/desktop/dbus-activation", test_activate_action);
  return g_test_run ();
}
