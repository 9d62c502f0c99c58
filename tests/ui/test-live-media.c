/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui-test"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "tern-application.h"
#include "tern-attachment.h"
#include "tern-chat-list.h"
#include "tern-conversation.h"
#include "tern-message-media.h"
#include "tern-window.h"

/* An image over the test stack (run inside tests/stack/with-stack, under
 * tests/ui/with-xvfb): alice's window runs on its own data directory; bob,
 * a tern-cli profile, sends a PNG with `tern-cli send --file`; the chat
 * appears in alice's window, the message carries the image as an
 * attachment with its name, type and size, and its thumbnail is decoded
 * and shown at the right size (in the conversation's row when the row
 * embeds TernMessageMedia, otherwise in a TernMessageMedia the test sets
 * to that message). The text carries a random tag, so other suites
 * sharing the mailboxes do not disturb it.
 *
 * Pass the tern-cli binary as --tern-cli=PATH. */

#define TIMEOUT_SECONDS 120

#include "ui-test-util.h"

static TernApplication *app;
static char *tern_cli;

static GBytes *
make_png (int width,
          int height)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  guchar *pixels = gdk_pixbuf_get_pixels (pixbuf);
  g_autoptr(GError) error = NULL;
  char *buffer = NULL;
  gsize size = 0;

  /* Green hills under a blue sky. */
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guchar *p = pixels + y * stride + x * 3;
        gboolean hill = y > height * (0.6 + 0.15 * ((x % 160) / 160.0 - 0.5) * ((x % 160) / 160.0 - 0.5) * 4);

        p[0] = hill ? 60 : 120;
        p[1] = hill ? 160 : 180;
        p[2] = hill ? 70 : 240;
      }
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "png", &error, NULL));
  g_assert_no_error (error);
  return g_bytes_new_take (buffer, size);
}

/* Runs tern-cli with bob's profile, the password on stdin; returns stdout. */
static char *
run_cli (const char  *profile,
         const char **args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *no_bus = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *input = g_strconcat (env ("TERN_TEST_PASSWORD"), "\n", NULL);
  char *out = NULL, *err = NULL;

  g_ptr_array_add (argv, tern_cli);
  g_ptr_array_add (argv, (char *) "--profile");
  g_ptr_array_add (argv, (char *) profile);
  g_ptr_array_add (argv, (char *) "--password-stdin");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  /* with-xvfb's private session bus has no unlocked keyring (a keyring
   * activated there would prompt): give tern-cli no bus at all, so it keeps
   * the password for the run only (--password-stdin). */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  no_bus = g_strdup_printf ("unix:path=%s/no-bus", profile);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", no_bus, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  /* The window keeps running while tern-cli works. */
  g_subprocess_communicate_utf8_async (process, input, NULL, got_result, &result);
  wait_for (is_set, &result, args[0]);
  g_assert_true (g_subprocess_communicate_utf8_finish (process, result, &out, &err, &error));
  g_assert_no_error (error);
  g_test_message ("tern-cli %s: wait status %d\n%s%s", args[0], g_subprocess_get_status (process),
                  out != NULL ? out : "", err != NULL ? err : "");
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_free (err);
  return out;
}

typedef struct
{
  GListModel *model;
  const char *tag;
  guint       position;
} Lookup;

static gboolean
chat_with_tag (gpointer data)
{
  Lookup *lookup = data;

  for (guint i = 0; i < g_list_model_get_n_items (lookup->model); i++)
    {
      g_autoptr(TernChat) chat = g_list_model_get_item (lookup->model, i);
      const char *preview = tern_chat_get_last_message_preview (chat);

      if (preview != NULL && strstr (preview, lookup->tag) != NULL)
        {
          lookup->position = i;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
window_has_account (gpointer window)
{
  return tern_window_get_has_account (window);
}

typedef struct
{
  TernConversation *conversation;
  const char       *tag;
  TernMessage      *found;
} MessageWait;

static gboolean
message_with_tag (gpointer data)
{
  MessageWait *wait = data;
  TernMessageList *messages = tern_conversation_get_message_list (wait->conversation);
  guint n = messages != NULL ? g_list_model_get_n_items (G_LIST_MODEL (messages)) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TernMessage) m = g_list_model_get_item (G_LIST_MODEL (messages), i);
      const char *text = tern_message_get_text (m);

      if (text != NULL && strstr (text, wait->tag) != NULL && tern_message_get_n_attachments (m) > 0)
        {
          g_set_object (&wait->found, m);
          return TRUE;
        }
    }
  return FALSE;
}

static void
collect_media (GtkWidget *widget,
               GPtrArray *found)
{
  if (TERN_IS_MESSAGE_MEDIA (widget) && gtk_widget_get_mapped (widget))
    g_ptr_array_add (found, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    collect_media (c, found);
}

static GtkWidget *
find_thumbnail_picture (GtkWidget *widget)
{
  if (gtk_widget_has_css_class (widget, "media-thumbnail-picture"))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_thumbnail_picture (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
thumbnail_shown (gpointer media)
{
  GtkWidget *picture = find_thumbnail_picture (media);

  return picture != NULL && GDK_IS_TEXTURE (gtk_picture_get_paintable (GTK_PICTURE (picture)));
}

/* The conversation's own TernMessageMedia for @message, if it embeds one. */
static GtkWidget *
media_in_window (TernWindow  *window,
                 TernMessage *message)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect_media (GTK_WIDGET (tern_window_get_conversation (window)), found);
  for (guint i = 0; i < found->len; i++)
    {
      TernMessage *shown = tern_message_media_get_message (found->pdata[i]);

      if (shown != NULL && tern_message_get_id (shown) == tern_message_get_id (message))
        return found->pdata[i];
    }
  return NULL;
}

/* ---- the case ------------------------------------------------------------ */

static void
test_receive_image (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tern-ui-live-media-XXXXXX", &error);
  g_autofree char *bob_dir = g_dir_make_tmp ("tern-ui-live-media-bob-XXXXXX", &error);
  g_autofree char *me = g_strdup_printf ("alice@%s", env ("TERN_TEST_DOMAIN"));
  g_autofree char *bob = g_strdup_printf ("bob@%s", env ("TERN_TEST_DOMAIN"));
  g_autofree char *tag = g_strdup_printf ("%08x", g_random_int ());
  g_autofree char *text = g_strdup_printf ("The hills today %s", tag);
  g_autofree char *file_name = g_strdup_printf ("hills-%s.png", tag);
  g_autofree char *bob_profile = NULL;
  g_autofree char *image_path = NULL;
  g_autoptr(GBytes) png = make_png (640, 480);
  g_autoptr(TernContext) context = NULL;
  g_autoptr(TernAccount) account = NULL;
  g_autoptr(TernMessage) message = NULL;
  g_autoptr(TernAttachment) attachment = NULL;
  TernWindow *window;
  GtkWidget *media;
  GtkWidget *picture;
  GdkTexture *texture;
  const char *cert = env ("TERN_TEST_CERT_SHA256");

  g_assert_no_error (error);
  bob_profile = g_build_filename (bob_dir, "profile", NULL);
  image_path = g_build_filename (bob_dir, file_name, NULL);
  g_assert_true (g_file_set_contents (image_path, g_bytes_get_data (png, NULL),
                                      (gssize) g_bytes_get_size (png), &error));
  g_assert_no_error (error);

  /* Alice's account, set up by the engine in the window's data directory. */
  context = tern_context_new (dir, &error);
  g_assert_no_error (error);
  {
    g_autoptr(TernAccountSettings) s = tern_account_settings_new (me);
    g_autoptr(GAsyncResult) result = NULL;

    s->store_password = FALSE;
    s->password = g_strdup (env ("TERN_TEST_PASSWORD"));
    s->trusted_certificate = g_strdup (cert);
    s->imap_host = g_strdup (env ("TERN_TEST_HOST"));
    s->imap_port = env_port ("TERN_TEST_IMAP_PORT");
    s->imap_security = TERN_ACCOUNT_SECURITY_STARTTLS;
    s->smtp_host = g_strdup (env ("TERN_TEST_HOST"));
    s->smtp_port = env_port ("TERN_TEST_SMTP_PORT");
    s->smtp_security = TERN_ACCOUNT_SECURITY_STARTTLS;
    s->filter_mode = TERN_FILTER_MODE_NONE;
    tern_account_setup_async (context, s, NULL, got_result, &result);
    wait_for (is_set, &result, "alice's set-up");
    account = tern_account_setup_finish (result, &error);
    g_assert_no_error (error);
    tern_account_set_password_for_session (account, env ("TERN_TEST_PASSWORD"));
  }
  tern_application_set_context (app, context);
  g_application_activate (G_APPLICATION (app));
  wait_for (has_window, GSIZE_TO_POINTER (TERN_TYPE_WINDOW), "the window");
  window = find_window (TERN_TYPE_WINDOW);
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 720);
  wait_for (window_has_account, window, "the window to know the account");
  wait_for_frame (GTK_WIDGET (window));

  /* Bob sends the picture with tern-cli. */
  {
    const char *add[] = { "account", "add", "--address", bob,
                          "--imap-host", env ("TERN_TEST_HOST"), "--imap-port", env ("TERN_TEST_IMAP_PORT"),
                          "--imap-security", "starttls",
                          "--smtp-host", env ("TERN_TEST_HOST"), "--smtp-port", env ("TERN_TEST_SMTP_PORT"),
                          "--smtp-security", "starttls",
                          "--trust-certificate", cert, "--filter", "none", NULL };
    const char *send[] = { "send", "--to", me, "--text", text, "--file", image_path, NULL };
    g_autofree char *added = run_cli (bob_profile, add);
    g_autofree char *sent = run_cli (bob_profile, send);
  }

  /* The chat appears; open it. */
  {
    GtkListView *list = tern_window_get_chat_list_view (window);
    Lookup lookup = { G_LIST_MODEL (gtk_list_view_get_model (list)), tag, 0 };
    MessageWait wait = { tern_window_get_conversation (window), tag, NULL };

    wait_for (chat_with_tag, &lookup, "bob's message in the chat list");
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (list), "list.activate-item", "u",
                                               lookup.position));
    for (guint i = 0; i < 3; i++)
      wait_for_frame (GTK_WIDGET (window));
    wait_for (message_with_tag, &wait, "the message with its attachment");
    message = g_steal_pointer (&wait.found);
  }

  /* The attachment as the store has it. */
  g_assert_cmpuint (tern_message_get_n_attachments (message), ==, 1);
  attachment = g_list_model_get_item (tern_message_get_attachments (message), 0);
  g_assert_true (tern_attachment_is_image (attachment));
  g_assert_cmpstr (tern_attachment_get_mime_type (attachment), ==, "image/png");
  g_assert_cmpstr (tern_attachment_get_name (attachment), ==, file_name);
  g_assert_cmpint (tern_attachment_get_size (attachment), ==, (gint64) g_bytes_get_size (png));
  {
    g_autofree char *stored = NULL;
    gsize length = 0;

    g_assert_true (g_file_get_contents (tern_attachment_get_path (attachment), &stored, &length, &error));
    g_assert_no_error (error);
    g_assert_cmpmem (stored, length, g_bytes_get_data (png, NULL), g_bytes_get_size (png));
  }

  /* Its thumbnail in the window. */
  tern_conversation_follow_newest (tern_window_get_conversation (window));
  wait_for_frame (GTK_WIDGET (window));
  media = media_in_window (window, message);
  if (media != NULL)
    {
      g_test_message ("the conversation's row shows the media");
      wait_for (thumbnail_shown, media, "the thumbnail in the conversation");
      save_screenshot_strict (GTK_WIDGET (window), "live-media-received");
    }
  else
    {
      /* The conversation's rows do not embed TernMessageMedia yet: show it
       * for the received message in a window of its own. */
      GtkWidget *holder = adw_window_new ();

      g_test_message ("the conversation's rows do not embed TernMessageMedia yet; a standalone one");
      save_screenshot_strict (GTK_WIDGET (window), "live-media-conversation");
      media = tern_message_media_new ();
      gtk_widget_set_margin_top (media, 12);
      gtk_widget_set_margin_start (media, 12);
      gtk_widget_set_valign (media, GTK_ALIGN_START);
      adw_window_set_content (ADW_WINDOW (holder), media);
      gtk_window_set_default_size (GTK_WINDOW (holder), 320, 240);
      gtk_window_set_transient_for (GTK_WINDOW (holder), GTK_WINDOW (window));
      tern_message_media_set_message (TERN_MESSAGE_MEDIA (media), message);
      gtk_window_present (GTK_WINDOW (holder));
      wait_for (thumbnail_shown, media, "the thumbnail");
      save_screenshot_strict (holder, "live-media-received");
    }
  picture = find_thumbnail_picture (media);
  texture = GDK_TEXTURE (gtk_picture_get_paintable (GTK_PICTURE (picture)));
  /* 640×480 fits 240×240 as 240×180. */
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 240);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 180);
  g_assert_cmpint (gtk_widget_get_width (picture), ==, 240);
  g_assert_cmpint (gtk_widget_get_height (picture), ==, 180);

  {
    GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));

    for (GList *l = windows; l; l = l->next)
      gtk_window_destroy (l->data);
    g_list_free (windows);
  }
  {
    GListModel *toplevels = gtk_window_get_toplevels (); /* not a new reference */

    while (g_list_model_get_n_items (toplevels) > 0)
      {
        g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, 0);

        gtk_window_destroy (w);
      }
  }
  g_clear_object (&message);
  g_clear_object (&attachment);
  tern_context_stop_all (context);
  flush ();
  tern_application_set_context (app, NULL);
  g_clear_object (&account);
  g_clear_object (&context);
  flush ();
  remove_tree (dir);
  remove_tree (bob_dir);
}

int
main (int   argc,
      char *argv[])
{
  int ret, kept = 1;

  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);
  for (int i = 1; i < argc; i++)
    {
      if (g_str_has_prefix (argv[i], "--tern-cli="))
        tern_cli = g_strdup (argv[i] + strlen ("--tern-cli="));
      else
        argv[kept++] = argv[i];
    }
  argc = kept;
  argv[argc] = NULL;
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL)
    {
      g_printerr ("test-live-media: no display; run it under tests/ui/with-xvfb\n");
      return 1;
    }
  if (tern_cli == NULL || !g_file_test (tern_cli, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_printerr ("test-live-media: pass the tern-cli binary as --tern-cli=PATH\n");
      return 1;
    }
  env ("TERN_TEST_HOST");

  /* Not about notifications: with-xvfb's session has no notification
   * service, and GLib's warning about it would abort the test. */
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);

    g_settings_set_boolean (settings, "notifications", FALSE);
  }
  app = ui_test_app_new ();

  g_test_add_func ("/ui/live/media/receive-image", test_receive_image);
  ret = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  g_free (tern_cli);
  return ret;
}
