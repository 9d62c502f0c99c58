/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui-test"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "tern-application.h"
#include "tern-chat-row.h"
#include "tern-composer.h"
#include "tern-message-row.h"

/* The messenger's building blocks (chat row, message row, composer) on
 * their own, before they are bound to the core models: behaviour, plus a
 * gallery window rendered to PNG in light and dark for people to look at. */

#define TIMEOUT_SECONDS 20

#include "ui-test-util.h"

static TernApplication *app;

static const char *
label_text (gpointer    widget,
            GType       type,
            const char *name)
{
  return gtk_label_get_text (GTK_LABEL (template_child (widget, type, name)));
}

/* --- time formatting -------------------------------------------------- */

static void
test_format_time (void)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) now = g_date_time_new (utc, 2026, 11, 27, 18, 30, 0);
  const struct {
    int year, month, day, hour, minute;
    const char *expected;
  } cases[] = {
    { 2026, 11, 27, 14, 5, "14:05" },
    { 2026, 11, 27, 0, 0, "00:00" },
    { 2026, 11, 26, 23, 59, "Yesterday" },
    { 2026, 11, 23, 9, 0, "Mon" },
    { 2026, 11, 21, 9, 0, "Sat" },
    { 2026, 11, 20, 9, 0, "20 Nov" },
    { 2026, 3, 5, 9, 0, "5 Mar" },
    { 2025, 12, 31, 9, 0, "12/31/25" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GDateTime) time = g_date_time_new (utc, cases[i].year, cases[i].month,
                                                   cases[i].day, cases[i].hour,
                                                   cases[i].minute, 0);
      g_autofree char *text = tern_format_time_short (time, now);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

/* --- chat row ---------------------------------------------------------- */

static void
test_chat_row (void)
{
  TernChatRow *row = g_object_ref_sink (tern_chat_row_new ());
  GtkWidget *badge = template_child (row, TERN_TYPE_CHAT_ROW, "unread_badge");
  AdwAvatar *avatar = ADW_AVATAR (template_child (row, TERN_TYPE_CHAT_ROW, "avatar"));

  g_assert_false (gtk_widget_get_visible (badge));
  g_assert_false (gtk_widget_get_visible (template_child (row, TERN_TYPE_CHAT_ROW, "muted_icon")));
  g_assert_false (gtk_widget_get_visible (template_child (row, TERN_TYPE_CHAT_ROW, "pinned_icon")));

  g_object_set (row,
                "title", "Alice Liddell",
                "preview", "Shall we meet\nat the <b>café</b>?",
                "unread-count", 3,
                NULL);
  g_assert_cmpstr (label_text (row, TERN_TYPE_CHAT_ROW, "title_label"), ==, "Alice Liddell");
  g_assert_cmpstr (adw_avatar_get_text (avatar), ==, "Alice Liddell");
  /* One line, and plain text: markup is shown as typed. */
  g_assert_cmpstr (label_text (row, TERN_TYPE_CHAT_ROW, "preview_label"), ==,
                   "Shall we meet at the <b>café</b>?");
  g_assert_true (gtk_widget_get_visible (badge));
  g_assert_cmpstr (label_text (row, TERN_TYPE_CHAT_ROW, "unread_badge"), ==, "3");
  g_assert_false (gtk_widget_has_css_class (badge, "muted"));

  tern_chat_row_set_unread_count (row, 12345);
  g_assert_cmpstr (label_text (row, TERN_TYPE_CHAT_ROW, "unread_badge"), ==, "999+");
  tern_chat_row_set_muted (row, TRUE);
  g_assert_true (gtk_widget_get_visible (template_child (row, TERN_TYPE_CHAT_ROW, "muted_icon")));
  g_assert_true (gtk_widget_has_css_class (badge, "muted"));
  tern_chat_row_set_pinned (row, TRUE);
  g_assert_true (gtk_widget_get_visible (template_child (row, TERN_TYPE_CHAT_ROW, "pinned_icon")));
  tern_chat_row_set_unread_count (row, 0);
  g_assert_false (gtk_widget_get_visible (badge));

  tern_chat_row_set_timestamp (row, 0);
  g_assert_cmpstr (label_text (row, TERN_TYPE_CHAT_ROW, "time_label"), ==, "");
  tern_chat_row_set_timestamp (row, g_get_real_time () / G_USEC_PER_SEC);
  g_assert_cmpstr (label_text (row, TERN_TYPE_CHAT_ROW, "time_label"), !=, "");

  g_assert_finalize_object (row);
}

/* --- message row ------------------------------------------------------- */

/* The first descendant of @widget of @type with @css_class (NULL: any). */
static GtkWidget *
descendant (GtkWidget  *widget,
            GType       type,
            const char *css_class)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type) &&
          (css_class == NULL || gtk_widget_has_css_class (c, css_class)))
        return c;
      found = descendant (c, type, css_class);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The row builds its parts in code, some only when a message needs them:
 * find them by their style classes. */
static void
test_message_row (void)
{
  TernMessageRow *row = g_object_ref_sink (tern_message_row_new ());
  GtkWidget *bubble = descendant (GTK_WIDGET (row), GTK_TYPE_WIDGET, "message-bubble");
  GtkWidget *body = descendant (GTK_WIDGET (row), GTK_TYPE_LABEL, "body");
  GtkWidget *meta = descendant (GTK_WIDGET (row), GTK_TYPE_WIDGET, "message-meta");
  GtkWidget *sender;
  GtkImage *state;

  g_assert_nonnull (bubble);
  g_assert_nonnull (body);
  g_assert_nonnull (meta);
  g_object_set (row,
                "body", "Hello <i>there</i> & welcome",
                "sender-name", "Bob",
                "timestamp", (gint64) 1700000000,
                NULL);
  /* Text is text: no markup is interpreted. */
  g_assert_cmpstr (tern_message_row_get_body (row), ==, "Hello <i>there</i> & welcome");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (body)), ==, "Hello <i>there</i> & welcome");
  g_assert_cmpint (gtk_widget_get_halign (bubble), ==, GTK_ALIGN_START);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "incoming"));
  sender = descendant (GTK_WIDGET (row), GTK_TYPE_LABEL, "sender");
  g_assert_nonnull (sender);
  g_assert_true (gtk_widget_get_visible (sender));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (sender)), ==, "Bob");

  tern_message_row_set_outgoing (row, TRUE);
  tern_message_row_set_state (row, TERN_MESSAGE_ROW_STATE_READ);
  g_assert_cmpint (gtk_widget_get_halign (bubble), ==, GTK_ALIGN_END);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "outgoing"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "incoming"));
  g_assert_false (gtk_widget_get_visible (sender));
  state = GTK_IMAGE (descendant (meta, GTK_TYPE_IMAGE, NULL));
  g_assert_nonnull (state);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (state)));
  g_assert_cmpstr (gtk_image_get_icon_name (state), ==, "tern-message-read-symbolic");
  tern_message_row_set_state (row, TERN_MESSAGE_ROW_STATE_PENDING);
  g_assert_cmpstr (gtk_image_get_icon_name (state), ==, "tern-message-pending-symbolic");
  tern_message_row_set_state (row, TERN_MESSAGE_ROW_STATE_SENT);
  g_assert_cmpstr (gtk_image_get_icon_name (state), ==, "tern-message-sent-symbolic");
  g_assert_cmpint (tern_message_row_get_state (row), ==, TERN_MESSAGE_ROW_STATE_SENT);

  g_assert_false (tern_message_row_get_edited (row));
  tern_message_row_set_edited (row, TRUE);
  g_assert_true (tern_message_row_get_edited (row));

  /* Our own icons are in the resource. */
  g_assert_true (g_resources_get_info (
                   "/io/github/ternchat/Tern/icons/scalable/status/tern-message-read-symbolic.svg",
                   0, NULL, NULL, NULL));

  g_assert_finalize_object (row);
}

/* --- composer ---------------------------------------------------------- */

static GtkEventController *
find_key_controller (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (g_strcmp0 (gtk_event_controller_get_name (controller), "tern-composer-keys") == 0)
        return controller;
    }

  return NULL;
}

static gboolean
press_key (GtkEventController *controller,
           guint               keyval,
           GdkModifierType     state)
{
  gboolean handled = FALSE;

  g_signal_emit_by_name (controller, "key-pressed", keyval, 0, state, &handled);
  return handled;
}

static void
send_cb (TernComposer  *composer,
         const char    *text,
         GPtrArray     *sent)
{
  g_ptr_array_add (sent, g_strdup (text));
}

static void
test_composer (void)
{
  TernComposer *composer = g_object_ref (tern_composer_new ());
  GtkWidget *window = gtk_window_new ();
  GtkWidget *text_view = template_child (composer, TERN_TYPE_COMPOSER, "text_view");
  GtkWidget *send = template_child (composer, TERN_TYPE_COMPOSER, "send_button");
  GtkWidget *placeholder = template_child (composer, TERN_TYPE_COMPOSER, "placeholder_label");
  GtkEventController *keys = find_key_controller (text_view);
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = NULL;

  /* In a window, as in the app: the buttons follow their actions. */
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (composer));
  gtk_window_set_application (GTK_WINDOW (window), GTK_APPLICATION (app));
  gtk_window_present (GTK_WINDOW (window));
  wait_for_frame (window);

  g_assert_nonnull (keys);
  g_assert_cmpint (gtk_event_controller_get_propagation_phase (keys), ==, GTK_PHASE_CAPTURE);
  g_signal_connect (composer, "send", G_CALLBACK (send_cb), sent);

  g_assert_false (tern_composer_get_can_send (composer));
  g_assert_false (gtk_widget_is_sensitive (send));
  g_assert_true (gtk_widget_get_visible (placeholder));
  /* Icon-only buttons say what they do. */
  g_assert_cmpstr (gtk_widget_get_tooltip_text (send), ==, "Send");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (template_child (composer, TERN_TYPE_COMPOSER,
                                                                "attach_button")),
                   ==, "Attach File");

  /* Blank text cannot be sent; Enter on it sends nothing. */
  tern_composer_set_text (composer, "  \n\t ");
  g_assert_false (tern_composer_get_can_send (composer));
  g_assert_false (gtk_widget_get_visible (placeholder));
  g_assert_true (press_key (keys, GDK_KEY_Return, 0));
  g_assert_cmpuint (sent->len, ==, 0);

  tern_composer_set_text (composer, "\nHello\nworld  \n");
  g_assert_true (tern_composer_get_can_send (composer));
  g_assert_true (gtk_widget_is_sensitive (send));

  /* Shift+Enter is left to the text view (a new line). */
  g_assert_false (press_key (keys, GDK_KEY_Return, GDK_SHIFT_MASK));
  g_assert_false (press_key (keys, GDK_KEY_KP_Enter, GDK_SHIFT_MASK));
  g_assert_false (press_key (keys, GDK_KEY_a, 0));
  g_assert_cmpuint (sent->len, ==, 0);

  /* Enter sends the trimmed text and clears the composer. */
  g_assert_true (press_key (keys, GDK_KEY_Return, 0));
  g_assert_cmpuint (sent->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (sent, 0), ==, "Hello\nworld");
  text = tern_composer_dup_text (composer);
  g_assert_cmpstr (text, ==, "");
  g_assert_false (tern_composer_get_can_send (composer));
  g_assert_true (gtk_widget_get_visible (placeholder));

  /* Reply bar: shown, cancelled with Escape, and cleared by sending. */
  g_assert_false (tern_composer_get_replying (composer));
  tern_composer_set_reply (composer, "Alice", "See you\ntomorrow");
  g_assert_true (tern_composer_get_replying (composer));
  g_assert_cmpstr (label_text (composer, TERN_TYPE_COMPOSER, "reply_title"), ==,
                   "Reply to Alice");
  g_assert_cmpstr (label_text (composer, TERN_TYPE_COMPOSER, "reply_excerpt"), ==,
                   "See you tomorrow");
  g_assert_true (press_key (keys, GDK_KEY_Escape, 0));
  g_assert_false (tern_composer_get_replying (composer));
  g_assert_false (press_key (keys, GDK_KEY_Escape, 0));

  tern_composer_set_reply (composer, "Alice", "See you tomorrow");
  tern_composer_set_text (composer, "Yes!");
  g_assert_true (press_key (keys, GDK_KEY_KP_Enter, 0));
  g_assert_cmpuint (sent->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (sent, 1), ==, "Yes!");
  g_assert_false (tern_composer_get_replying (composer));

  g_signal_handlers_disconnect_by_func (composer, send_cb, sent);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (composer);
}

/* --- the composer's files and mentions, standalone ------------------------ */

typedef struct
{
  char  *text;
  char **paths;
} Sent;

static void
send_with_files_cb (TernComposer *composer,
                    const char   *text,
                    Sent         *sent)
{
  /* The files are readable in the handler, before the composer clears. */
  sent->text = g_strdup (text);
  sent->paths = tern_composer_dup_paths (composer);
}

static void
test_composer_files_mentions (void)
{
  TernComposer *composer = g_object_ref (tern_composer_new ());
  GtkWidget *window = gtk_window_new ();
  GtkWidget *text_view = template_child (composer, TERN_TYPE_COMPOSER, "text_view");
  GtkWidget *chips = template_child (composer, TERN_TYPE_COMPOSER, "chips_box");
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));
  GtkEventController *keys = find_key_controller (text_view);
  GtkPopover *popover = tern_composer_get_mention_popover (composer);
  g_autoptr(GFile) file = g_file_new_for_path ("/tmp/tern-test-composer-file.txt");
  const char *names[] = { "Dave Lister", "Dana Scully", NULL };
  const char *addresses[] = { "dave@example.test", "dana@example.test", NULL };
  Sent sent = { 0 };
  g_autofree char *text = NULL;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (composer));
  gtk_window_set_application (GTK_WINDOW (window), GTK_APPLICATION (app));
  gtk_window_present (GTK_WINDOW (window));
  wait_for_frame (window);
  g_signal_connect (composer, "send", G_CALLBACK (send_with_files_cb), &sent);

  /* A file alone can be sent; it shows as a chip until then. */
  tern_composer_add_file (composer, file);
  g_assert_true (tern_composer_get_can_send (composer));
  g_assert_nonnull (gtk_widget_get_first_child (chips));
  g_assert_true (press_key (keys, GDK_KEY_Return, 0));
  g_assert_cmpstr (sent.text, ==, "");
  g_assert_nonnull (sent.paths);
  g_assert_cmpstr (sent.paths[0], ==, "/tmp/tern-test-composer-file.txt");
  g_assert_null (sent.paths[1]);
  g_assert_cmpuint (tern_composer_get_n_files (composer), ==, 0);
  g_assert_null (gtk_widget_get_first_child (chips));
  g_assert_false (tern_composer_get_can_send (composer));
  g_clear_pointer (&sent.text, g_free);
  g_clear_pointer (&sent.paths, g_strfreev);

  /* Without members, '@' completes nothing. */
  gtk_text_buffer_insert_at_cursor (buffer, "@da", -1);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));
  tern_composer_set_text (composer, "");

  /* With members: "@da" offers both; Down and Enter take the second. A
   * '@' inside a word (an address) starts nothing. */
  tern_composer_set_members (composer, names, addresses);
  gtk_text_buffer_insert_at_cursor (buffer, "mail me@da", -1);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));
  tern_composer_set_text (composer, "");
  gtk_text_buffer_insert_at_cursor (buffer, "(@da", -1);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (popover)));
  g_assert_true (press_key (keys, GDK_KEY_Down, 0));
  g_assert_true (press_key (keys, GDK_KEY_Return, 0));
  g_assert_null (sent.text);
  text = tern_composer_dup_shown_text (composer);
  g_assert_cmpstr (text, ==, "(@Dana Scully ");
  g_clear_pointer (&text, g_free);
  /* The text to keep (a draft) has the address; set back, it shows as
   * the name and is sent with the address again. */
  text = tern_composer_dup_text (composer);
  g_assert_cmpstr (text, ==, "(@\"Dana Scully\":dana@example.test ");
  tern_composer_set_text (composer, "");
  tern_composer_set_text (composer, text);
  g_clear_pointer (&text, g_free);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));
  text = tern_composer_dup_shown_text (composer);
  g_assert_cmpstr (text, ==, "(@Dana Scully ");
  g_clear_pointer (&text, g_free);
  text = tern_composer_dup_message_text (composer);
  g_assert_cmpstr (text, ==, "(@\"Dana Scully\":dana@example.test ");
  g_clear_pointer (&text, g_free);
  /* The unquoted form, two mentions, text around them, an address that is
   * no mention, and a name with a quote (sent with an apostrophe). */
  tern_composer_set_text (composer, "@Gabe:gabe+x@example.test, ask @\"Ann \":ann@example.test"
                                    " or mail me@example.test!");
  text = tern_composer_dup_shown_text (composer);
  g_assert_cmpstr (text, ==, "@Gabe, ask @Ann  or mail me@example.test!");
  g_clear_pointer (&text, g_free);
  text = tern_composer_dup_text (composer);
  g_assert_cmpstr (text, ==, "@\"Gabe\":gabe+x@example.test, ask @\"Ann \":ann@example.test"
                             " or mail me@example.test!");
  g_clear_pointer (&text, g_free);
  /* The draft preview of the chat list shows the names only. */
  text = tern_composer_shown_text_of ("@Gabe:gabe+x@example.test, ask @\"Ann Lee\":ann@example.test"
                                      " or mail me@example.test!");
  g_assert_cmpstr (text, ==, "@Gabe, ask @Ann Lee or mail me@example.test!");
  g_clear_pointer (&text, g_free);
  tern_composer_set_text (composer, "");
  gtk_text_buffer_insert_at_cursor (buffer, "(@da", -1);
  g_assert_true (press_key (keys, GDK_KEY_Down, 0));
  g_assert_true (press_key (keys, GDK_KEY_Return, 0));
  /* An edited mention is sent as typed. */
  gtk_text_buffer_insert_at_cursor (buffer, "and @dav", -1);
  g_assert_true (press_key (keys, GDK_KEY_Tab, 0));
  {
    GtkTextIter start, end;

    /* "@Dave Lister " -> "@Dave Liste " */
    gtk_text_buffer_get_end_iter (buffer, &end);
    gtk_text_iter_backward_chars (&end, 1);
    start = end;
    gtk_text_iter_backward_chars (&start, 1);
    gtk_text_buffer_delete (buffer, &start, &end);
  }
  text = tern_composer_dup_message_text (composer);
  g_assert_cmpstr (text, ==, "(@\"Dana Scully\":dana@example.test and @Dave Liste ");
  g_clear_pointer (&text, g_free);
  g_assert_true (press_key (keys, GDK_KEY_Return, 0));
  g_assert_cmpstr (sent.text, ==, "(@\"Dana Scully\":dana@example.test and @Dave Liste");
  g_assert_null (sent.paths);
  g_clear_pointer (&sent.text, g_free);

  /* Off again for a 1:1 chat. */
  tern_composer_set_members (composer, NULL, NULL);
  gtk_text_buffer_insert_at_cursor (buffer, "@da", -1);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));

  g_signal_handlers_disconnect_by_func (composer, send_with_files_cb, &sent);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (composer);
}

/* --- the gallery: what the messenger will look like -------------------- */

static GtkWidget *
chat_row (const char *title,
          const char *preview,
          gint64      ago,
          guint       unread,
          gboolean    muted,
          gboolean    pinned)
{
  return g_object_new (TERN_TYPE_CHAT_ROW,
                       "title", title, "preview", preview,
                       "timestamp", g_get_real_time () / G_USEC_PER_SEC - ago,
                       "unread-count", unread, "muted", muted, "pinned", pinned,
                       NULL);
}

static GtkWidget *
message_row (const char          *body,
             const char          *sender,
             gboolean             outgoing,
             TernMessageRowState  state,
             gboolean             edited)
{
  return g_object_new (TERN_TYPE_MESSAGE_ROW,
                       "body", body, "sender-name", sender, "outgoing", outgoing,
                       "state", state, "edited", edited,
                       "timestamp", g_get_real_time () / G_USEC_PER_SEC - 600,
                       NULL);
}

static GtkWidget *
build_gallery (TernComposer **composer_out)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));
  GtkWidget *paned = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *conversation = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *messages = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *scroll = gtk_scrolled_window_new ();
  TernComposer *composer = tern_composer_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 960, 640);
  gtk_window_set_title (GTK_WINDOW (window), "Alice Liddell");
  gtk_widget_add_css_class (list, "navigation-sidebar");
  gtk_widget_set_size_request (list, 320, -1);
  gtk_list_box_append (GTK_LIST_BOX (list),
                       chat_row ("Alice Liddell", "Shall we meet at the café?", 120, 3, FALSE, TRUE));
  gtk_list_box_append (GTK_LIST_BOX (list),
                       chat_row ("Book club", "Carol: chapter 4 is wild", 3600 * 30, 12, TRUE, FALSE));
  gtk_list_box_append (GTK_LIST_BOX (list),
                       chat_row ("Bob", "You: Thanks, see you then!", 3600 * 24 * 40, 0, FALSE, FALSE));
  gtk_list_box_select_row (GTK_LIST_BOX (list), gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0));

  gtk_box_append (GTK_BOX (messages),
                  message_row ("Hi! Are you around this weekend?", "Alice Liddell", FALSE,
                               TERN_MESSAGE_ROW_STATE_NONE, FALSE));
  gtk_box_append (GTK_BOX (messages),
                  message_row ("Yes, Saturday works for me.", NULL, TRUE,
                               TERN_MESSAGE_ROW_STATE_READ, FALSE));
  gtk_box_append (GTK_BOX (messages),
                  message_row ("Shall we meet at the café? The one by the river, around ten, "
                               "before the market gets busy.", "Alice Liddell", FALSE,
                               TERN_MESSAGE_ROW_STATE_NONE, TRUE));
  gtk_box_append (GTK_BOX (messages),
                  message_row ("Perfect!", NULL, TRUE, TERN_MESSAGE_ROW_STATE_SENT, FALSE));
  gtk_box_append (GTK_BOX (messages),
                  message_row ("I'll bring the book.", NULL, TRUE,
                               TERN_MESSAGE_ROW_STATE_PENDING, FALSE));
  gtk_box_append (GTK_BOX (messages),
                  message_row ("(this one could not be sent)", NULL, TRUE,
                               TERN_MESSAGE_ROW_STATE_FAILED, FALSE));
  gtk_widget_set_valign (messages, GTK_ALIGN_END);
  gtk_widget_set_margin_top (messages, 12);
  gtk_widget_set_margin_bottom (messages, 12);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), messages);
  gtk_widget_set_vexpand (scroll, TRUE);

  tern_composer_set_reply (composer, "Alice Liddell", "Shall we meet at the café?");
  tern_composer_set_text (composer, "See you at ten!");

  gtk_box_append (GTK_BOX (conversation), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (conversation), scroll);
  gtk_box_append (GTK_BOX (conversation), GTK_WIDGET (composer));
  gtk_widget_set_hexpand (conversation, TRUE);

  gtk_box_append (GTK_BOX (paned), list);
  gtk_box_append (GTK_BOX (paned), gtk_separator_new (GTK_ORIENTATION_VERTICAL));
  gtk_box_append (GTK_BOX (paned), conversation);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), paned);

  *composer_out = composer;
  return window;
}

static void
test_gallery (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  TernComposer *composer;
  GtkWidget *window = build_gallery (&composer);

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  gtk_window_present (GTK_WINDOW (window));
  wait_for_frame (window);

  /* Laid out for real: outgoing bubbles end right of incoming ones. */
  g_assert_true (tern_composer_get_replying (composer));
  g_assert_true (gtk_widget_get_mapped (template_child (composer, TERN_TYPE_COMPOSER, "send_button")));
  /* One line of text makes a one-line composer (no scrollbar padding). */
  {
    GtkWidget *text_view = template_child (composer, TERN_TYPE_COMPOSER, "text_view");
    int natural;

    gtk_widget_measure (text_view, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (text_view),
                        NULL, &natural, NULL, NULL);
    g_assert_cmpint (gtk_widget_get_height (text_view), <=, natural + 4);
  }
  save_screenshot_strict (window, "widgets-light");

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  wait_for_frame (window);
  save_screenshot_strict (window, "widgets-dark");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_bubble_alignment (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *in = message_row ("in", "Alice", FALSE, TERN_MESSAGE_ROW_STATE_NONE, FALSE);
  GtkWidget *out = message_row ("out", NULL, TRUE, TERN_MESSAGE_ROW_STATE_SENT, FALSE);
  graphene_rect_t in_bounds, out_bounds;

  gtk_window_set_application (GTK_WINDOW (window), GTK_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (window), 600, 300);
  gtk_box_append (GTK_BOX (box), in);
  gtk_box_append (GTK_BOX (box), out);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
  wait_for_frame (window);

  g_assert_true (gtk_widget_compute_bounds (descendant (in, GTK_TYPE_WIDGET, "message-bubble"),
                                            window, &in_bounds));
  g_assert_true (gtk_widget_compute_bounds (descendant (out, GTK_TYPE_WIDGET, "message-bubble"),
                                            window, &out_bounds));
  /* Incoming hugs the left edge, outgoing the right one. */
  g_assert_cmpfloat (in_bounds.origin.x, <, 40);
  g_assert_cmpfloat (out_bounds.origin.x + out_bounds.size.width, >,
                     gtk_widget_get_width (window) - 40);
  g_assert_cmpfloat (out_bounds.origin.x, >, in_bounds.origin.x + in_bounds.size.width);

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (!ui_test_init (&argc, &argv, "test-widgets"))
    return 1;

  /* The application loads the resources, style.css and icons. */
  app = ui_test_app_new ();

  g_test_add_func ("/ui/widgets/format-time", test_format_time);
  g_test_add_func ("/ui/widgets/chat-row", test_chat_row);
  g_test_add_func ("/ui/widgets/message-row", test_message_row);
  g_test_add_func ("/ui/widgets/composer", test_composer);
  g_test_add_func ("/ui/widgets/composer-files-mentions", test_composer_files_mentions);
  g_test_add_func ("/ui/widgets/bubble-alignment", test_bubble_alignment);
  g_test_add_func ("/ui/widgets/gallery", test_gallery);

  ret = g_test_run ();

  g_application_release (G_APPLICATION (app));
  g_clear_object (&app);
  return ret;
}
