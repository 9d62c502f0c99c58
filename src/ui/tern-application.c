/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include <glib/gi18n.h>
#include <malloc.h>
#include <stdio.h>
#include <time.h>

#include "tern-account-assistant.h"
#include "tern-account.h"
#include "tern-chat-list.h"
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
  TernAccountSettings *setup_defaults;

  /* Desktop integration (see "desktop integration" below) */
  gint64          started;           /* real time of start-up, seconds */
  gboolean        first_frame_done;  /* deferred start-up work ran */
  gboolean        accounts_started;
  gboolean        background_hold;   /* held while running without a window */
  gboolean        quitting;
  TernStore      *watched_store;
  gulong          store_changed_id;
  GHashTable     *unread;            /* chat id -> unread count that counts (0 when muted) */
  gboolean        unread_loaded;
  guint           total_unread;
  gint64          badge_sent;        /* last count sent to the launcher, -1 = none */
  GHashTable     *notified;          /* chat ids with a notification shown */
};

G_DEFINE_FINAL_TYPE (TernApplication, tern_application, ADW_TYPE_APPLICATION)

#define WEBSITE   "https://github.com/ternchat/tern"
#define RESOURCE_BASE "/io/github/ternchat/Tern"
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

  self->quitting = TRUE;
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

  /* The assistant runs the set-up itself (discovery, manual servers, the
   * certificate prompt) and starts the account. */
  assistant = tern_account_assistant_new_for_context (tern_application_get_context (self),
                                                      self->setup_defaults);
  gtk_window_set_transient_for (GTK_WINDOW (assistant), get_parent_window (self));
  gtk_window_set_application (GTK_WINDOW (assistant), GTK_APPLICATION (self));
  show_weak_window (&self->assistant, GTK_WINDOW (assistant));
}

/* ---- desktop integration ------------------------------------------------- */

/* A message whose time is this much older than the start of this process is
 * "old": fetched history, not news worth a notification. */
#define OLD_MESSAGE_SECONDS (10 * 60)
#define NOTIFICATION_BODY_MAX 240
#define LAUNCHER_ENTRY_INTERFACE "com.canonical.Unity.LauncherEntry"

static char *
notification_id (gint64 chat_id)
{
  return g_strdup_printf ("chat-%" G_GINT64_FORMAT, chat_id);
}

static void
withdraw_chat_notification (TernApplication *self,
                            gint64           chat_id)
{
  g_autofree char *id = NULL;

  if (!g_hash_table_remove (self->notified, &chat_id))
    return;
  id = notification_id (chat_id);
  g_debug ("withdrawing %s", id);
  g_application_withdraw_notification (G_APPLICATION (self), id);
}

static void
withdraw_all_notifications (TernApplication *self)
{
  g_autoptr(GList) chats = g_hash_table_get_keys (self->notified);

  for (GList *l = chats; l != NULL; l = l->next)
    {
      g_autofree char *id = notification_id (*(gint64 *) l->data);

      g_application_withdraw_notification (G_APPLICATION (self), id);
    }
  g_hash_table_remove_all (self->notified);
}

/* The total unread count as the launcher's badge (the Unity LauncherEntry
 * signal, which GNOME's dash-to-dock, Plank, KDE and others read). */
static void
send_badge (TernApplication *self)
{
  GDBusConnection *connection = g_application_get_dbus_connection (G_APPLICATION (self));
  const char *path = g_application_get_dbus_object_path (G_APPLICATION (self));
  GVariantBuilder props;

  g_debug ("launcher count %u (loaded %d, bus %p, path %s)", self->total_unread,
           self->unread_loaded, connection, path);
  if (!self->unread_loaded || connection == NULL || path == NULL ||
      self->badge_sent == self->total_unread)
    return;

  g_variant_builder_init (&props, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&props, "{sv}", "count", g_variant_new_int64 (self->total_unread));
  g_variant_builder_add (&props, "{sv}", "count-visible",
                         g_variant_new_boolean (self->total_unread > 0));
  g_dbus_connection_emit_signal (connection, NULL, path, LAUNCHER_ENTRY_INTERFACE, "Update",
                                 g_variant_new ("(sa{sv})", "application://" APP_ID ".desktop",
                                                &props),
                                 NULL);
  self->badge_sent = self->total_unread;
}

/* Muted chats do not count towards the badge. */
static void
set_chat_unread (TernApplication        *self,
                 const TernStoreChatRow *row)
{
  guint count = row->muted ? 0 : row->unread_count;
  gpointer old;

  if (g_hash_table_lookup_extended (self->unread, &row->id, NULL, &old))
    self->total_unread -= GPOINTER_TO_UINT (old);
  self->total_unread += count;
  g_hash_table_insert (self->unread, g_memdup2 (&row->id, sizeof row->id),
                       GUINT_TO_POINTER (count));
}

static void
load_unread (TernApplication *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  if (self->unread_loaded || self->watched_store == NULL)
    return;

  rows = tern_store_list_chats (self->watched_store, 0, TERN_STORE_CHAT_FILTER_ALL, 0, 0, &error);
  if (rows == NULL)
    {
      g_message ("could not count the unread messages: %s", error->message);
      return;
    }
  g_hash_table_remove_all (self->unread);
  self->total_unread = 0;
  for (guint i = 0; i < rows->len; i++)
    set_chat_unread (self, g_ptr_array_index (rows, i));
  self->unread_loaded = TRUE;
  send_badge (self);
}

static char *
notification_body (const TernStoreMessageRow *row)
{
  g_autofree char *text = NULL;

  if (row->text != NULL && *g_strstrip (text = g_strdup (row->text)) != '\0')
    {
      if (g_utf8_strlen (text, -1) > NOTIFICATION_BODY_MAX)
        {
          g_autofree char *cut = g_utf8_substring (text, 0, NOTIFICATION_BODY_MAX);

          return g_strconcat (cut, "…", NULL);
        }
      return g_steal_pointer (&text);
    }
  if (row->n_attachments > 0)
    return g_strdup (_("Sent an attachment"));
  if (row->has_location)
    return g_strdup (_("Shared a location"));
  return g_strdup (_("New message"));
}

static gboolean
chat_is_in_view (TernApplication *self,
                 gint64           chat_id)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  TernChat *open;

  if (!TERN_IS_WINDOW (window) || !gtk_widget_get_visible (GTK_WIDGET (window)) ||
      !gtk_window_is_active (window))
    return FALSE;
  open = tern_window_get_open_chat (TERN_WINDOW (window));
  return open != NULL && tern_chat_get_id (open) == chat_id;
}

/* A notification for a new incoming message: the sender as the title (and
 * the group's name in groups), the text as the body, the sender's avatar as
 * the icon; clicking it opens the chat. Nothing for the user's own, already
 * seen, old or deleted messages, nor for muted chats unless the message
 * mentions the user, nor for the chat in front of the user. */
static void
maybe_notify (TernApplication *self,
              gint64           message_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TernStoreMessageRow) row = NULL;
  g_autoptr(TernStoreChatRow) chat = NULL;
  g_autoptr(TernStoreContactRow) contact = NULL;
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *body = NULL;
  g_autofree char *title = NULL;
  g_autofree char *id = NULL;
  g_autofree char *avatar = NULL;
  const char *sender;
  gint64 when;

  row = tern_store_get_message (self->watched_store, message_id, &error);
  if (row == NULL || row->outgoing || row->seen || row->deleted ||
      row->kind == TERN_STORE_MESSAGE_KIND_SYSTEM)
    return;
  when = row->received_time > 0 ? row->received_time : row->sent_time;
  if (when < self->started - OLD_MESSAGE_SECONDS)
    return;
  chat = tern_store_get_chat (self->watched_store, row->chat_id, &error);
  if (chat == NULL || (chat->muted && !row->mentions_me))
    return;
  if (chat_is_in_view (self, chat->id))
    return;

  if (row->sender_contact_id > 0)
    contact = tern_store_get_contact (self->watched_store, row->sender_contact_id, NULL);
  sender = contact != NULL && contact->display_name && *contact->display_name
           ? contact->display_name : row->sender_address;
  if (sender == NULL)
    sender = chat->name;
  if (chat->kind == TERN_STORE_CHAT_KIND_DIRECT || chat->name == NULL ||
      g_strcmp0 (sender, chat->name) == 0)
    title = g_strdup (sender);
  else
    /* Translators: a notification's title: sender, group */
    title = g_strdup_printf (_("%s in %s"), sender, chat->name);
  body = notification_body (row);

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_notification_set_category (notification, "im.received");
  if (row->mentions_me)
    g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  if (contact != NULL && contact->avatar != NULL)
    avatar = tern_store_get_attachment_path (self->watched_store, contact->avatar);
  else if (chat->kind == TERN_STORE_CHAT_KIND_DIRECT && chat->avatar != NULL)
    avatar = tern_store_get_attachment_path (self->watched_store, chat->avatar);
  if (avatar != NULL && g_file_test (avatar, G_FILE_TEST_IS_REGULAR))
    {
      g_autoptr(GFile) file = g_file_new_for_path (avatar);
      g_autoptr(GIcon) icon = g_file_icon_new (file);

      g_notification_set_icon (notification, icon);
    }
  g_notification_set_default_action_and_target_value (notification, "app.open-chat",
                                                      g_variant_new_int64 (chat->id));

  /* One notification per chat: a newer message replaces it. */
  id = notification_id (chat->id);
  g_application_send_notification (G_APPLICATION (self), id, notification);
  g_hash_table_add (self->notified, g_memdup2 (&chat->id, sizeof chat->id));
}

static void
store_changed_cb (TernStore        *store,
                  TernStoreChanges *changes,
                  TernApplication  *self)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 recent = self->started - OLD_MESSAGE_SECONDS;

  /* Chats: the unread counts (and a chat read elsewhere takes its
   * notification away). */
  for (guint i = 0; i < changes->chats_deleted->len; i++)
    {
      gint64 chat = g_array_index (changes->chats_deleted, gint64, i);
      gpointer old;

      withdraw_chat_notification (self, chat);
      if (g_hash_table_lookup_extended (self->unread, &chat, NULL, &old))
        {
          self->total_unread -= GPOINTER_TO_UINT (old);
          g_hash_table_remove (self->unread, &chat);
        }
    }
  for (guint i = 0; i < changes->chats_updated->len; i++)
    {
      gint64 chat = g_array_index (changes->chats_updated, gint64, i);

      if (self->unread_loaded || g_hash_table_contains (self->notified, &chat))
        g_array_append_val (ids, chat);
    }
  if (self->unread_loaded)
    g_array_append_vals (ids, changes->chats_inserted->data, changes->chats_inserted->len);
  if (ids->len > 0)
    {
      g_autoptr(GPtrArray) rows = tern_store_get_chats (store, (gint64 *) ids->data, ids->len,
                                                        NULL);

      for (guint i = 0; rows != NULL && i < rows->len; i++)
        {
          TernStoreChatRow *row = g_ptr_array_index (rows, i);

          if (row->unread_count == 0)
            withdraw_chat_notification (self, row->id);
          if (self->unread_loaded)
            set_chat_unread (self, row);
        }
    }

  /* Messages: a notification for each new incoming one (the sort key is
   * the earlier of its sent and received times: history is skipped without
   * reading it). */
  if (g_settings_get_boolean (self->settings, "notifications"))
    for (guint i = 0; i < changes->messages_inserted->len; i++)
      {
        TernStoreMessageChange *change = &g_array_index (changes->messages_inserted,
                                                         TernStoreMessageChange, i);

        if (change->sort_key >= recent)
          maybe_notify (self, change->id);
      }

  send_badge (self);
}

static void
watch_context (TernApplication *self)
{
  TernStore *store = self->context ? tern_context_get_store (self->context) : NULL;

  if (store == self->watched_store)
    return;
  if (self->watched_store != NULL)
    g_clear_signal_handler (&self->store_changed_id, self->watched_store);
  g_clear_object (&self->watched_store);
  g_hash_table_remove_all (self->unread);
  self->unread_loaded = FALSE;
  self->total_unread = 0;
  if (store == NULL)
    return;
  self->watched_store = g_object_ref (store);
  self->store_changed_id = g_signal_connect (store, "changed", G_CALLBACK (store_changed_cb), self);
  /* The engine follows the receipt and filter settings from the start,
   * not only once Preferences was opened. */
  if (self->settings != NULL)
    tern_preferences_bind_context (self->settings, self->context);
  if (self->first_frame_done)
    load_unread (self);
}

static void
notifications_setting_cb (TernApplication *self)
{
  if (!g_settings_get_boolean (self->settings, "notifications"))
    withdraw_all_notifications (self);
}

static gboolean
has_accounts (TernApplication *self)
{
  return self->context != NULL &&
         g_list_model_get_n_items (tern_context_get_accounts (self->context)) > 0;
}

/* Closing the last window keeps the engine running (syncing, notifying)
 * when the setting says so; activating again shows a new window. */
static void
window_removed_cb (TernApplication *self)
{
  if (self->quitting || self->background_hold ||
      gtk_application_get_windows (GTK_APPLICATION (self)) != NULL ||
      !g_settings_get_boolean (self->settings, "run-in-background") || !has_accounts (self))
    return;

  self->background_hold = TRUE;
  g_application_hold (G_APPLICATION (self));
}

static void
drop_background_hold (TernApplication *self)
{
  if (!self->background_hold)
    return;
  self->background_hold = FALSE;
  g_application_release (G_APPLICATION (self));
}

static void
run_in_background_setting_cb (TernApplication *self)
{
  if (!g_settings_get_boolean (self->settings, "run-in-background"))
    drop_background_hold (self);
}

static void
start_accounts (TernApplication *self)
{
  if (self->accounts_started || self->context == NULL)
    return;
  self->accounts_started = TRUE;
  tern_context_start_all (self->context);
}

/* What waits until the window has shown its first frame: the windows' icon
 * (on X11 GTK renders it at several sizes, waiting for the icon theme to
 * load: ~20 ms CPU and more wall time before the first frame), connecting
 * the accounts and counting the unread messages for the badge. */
static gboolean
first_frame_idle_cb (gpointer user_data)
{
  TernApplication *self = user_data;

  if (self->first_frame_done)
    return G_SOURCE_REMOVE;
  self->first_frame_done = TRUE;
  gtk_window_set_default_icon_name (APP_ID);
  start_accounts (self);
  load_unread (self);
  return G_SOURCE_REMOVE;
}

static void
first_paint_cb (GdkFrameClock   *clock,
                TernApplication *self)
{
  g_signal_handlers_disconnect_by_func (clock, first_paint_cb, self);
  g_idle_add_full (G_PRIORITY_LOW, first_frame_idle_cb, g_object_ref (self), g_object_unref);
}

static void
window_realize_cb (GtkWidget       *window,
                   TernApplication *self)
{
  g_signal_handlers_disconnect_by_func (window, window_realize_cb, self);
  g_signal_connect_object (gtk_widget_get_frame_clock (window), "after-paint",
                           G_CALLBACK (first_paint_cb), self, 0);
}

static void
open_chat_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  TernApplication *self = user_data;
  gint64 chat_id = g_variant_get_int64 (parameter);
  g_autoptr(TernChat) chat = NULL;
  GListModel *chats;
  GtkWindow *window;

  g_application_activate (G_APPLICATION (self));
  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (!TERN_IS_WINDOW (window))
    return;

  chats = tern_window_get_chat_list (TERN_WINDOW (window));
  if (TERN_IS_CHAT_LIST (chats))
    chat = tern_chat_list_lookup (TERN_CHAT_LIST (chats), chat_id);
  for (guint i = 0; chat == NULL && chats != NULL && i < g_list_model_get_n_items (chats); i++)
    {
      g_autoptr(TernChat) item = g_list_model_get_item (chats, i);

      if (tern_chat_get_id (item) == chat_id)
        chat = g_steal_pointer (&item);
    }
  if (chat == NULL)
    return;

  tern_window_open_chat (TERN_WINDOW (window), chat);
  withdraw_chat_notification (self, chat_id);
}


/* ---- start-up measurement (bench/ui/bench-ui) ---------------------------- *
 * With TERN_BENCH_FIRST_FRAME set, the app prints to stdout, as
 * "tern-bench NAME VALUE" lines (times in g_get_monotonic_time() µs, the
 * clock the parent shares):
 *   renderer     the GskRenderer type
 *   first-frame  the end of the first frame that shows rows in the chat list
 *   cpu-us       the process's CPU time then (CLOCK_PROCESS_CPUTIME_ID)
 *   first-frame-vmrss-kb  and its VmRSS
 * then, with TERN_BENCH_OPEN_CHAT=<chat id>, opens that chat (app.open-chat):
 *   chat-frame   the end of the first frame showing it
 *   vmrss-kb     VmRSS half a second later (rss-anon-kb, rss-file-kb: its anonymous
 *                and file-backed parts), and malloc's view of the heap
 *   heap-kb, heap-free-kb, mmap-kb
 * and quits. */

typedef struct
{
  TernApplication *self;
  TernWindow      *window;
  gint64           chat_id;
  gboolean         chat_requested;
} BenchData;

static void
bench_print (const char *name,
             gint64      value)
{
  g_print ("tern-bench %s %" G_GINT64_FORMAT "\n", name, value);
  fflush (stdout);
}

/* A "Name:  123 kB" line of /proc/self/status (VmRSS, RssAnon, RssFile). */
static gint64
bench_status_kb (const char *name)
{
  g_autofree char *status = NULL;
  g_autofree char *key = g_strdup_printf ("\n%s:", name);
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, key)) == NULL)
    return -1;
  return g_ascii_strtoll (line + strlen (key), NULL, 10);
}

static gint64
bench_vmrss_kb (void)
{
  return bench_status_kb ("VmRSS");
}

static gboolean
bench_quit_cb (gpointer user_data)
{
  BenchData *data = user_data;
  struct mallinfo2 info = mallinfo2 ();

  bench_print ("vmrss-kb", bench_vmrss_kb ());
  bench_print ("rss-anon-kb", bench_status_kb ("RssAnon"));
  bench_print ("rss-file-kb", bench_status_kb ("RssFile"));
  bench_print ("heap-kb", (gint64) (info.uordblks / 1024));
  bench_print ("heap-free-kb", (gint64) (info.fordblks / 1024));
  bench_print ("mmap-kb", (gint64) (info.hblkhd / 1024));
  data->self->quitting = TRUE;
  g_application_quit (G_APPLICATION (data->self));
  return G_SOURCE_REMOVE;
}

static gboolean
bench_rows_shown (TernWindow *window)
{
  GtkWidget *view = GTK_WIDGET (tern_window_get_chat_list_view (window));
  GtkWidget *row = gtk_widget_get_first_child (view);

  return gtk_widget_get_mapped (view) && row != NULL && gtk_widget_get_mapped (row) &&
         gtk_widget_get_first_child (row) != NULL;
}

static void
bench_after_paint_cb (GdkFrameClock *clock,
                      BenchData     *data)
{
  gint64 now = g_get_monotonic_time ();

  if (!data->chat_requested)
    {
      if (!bench_rows_shown (data->window))
        return;
      bench_print ("first-frame", now);
      {
        struct timespec ts;

        clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
        bench_print ("cpu-us", (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000);
        clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
        bench_print ("main-thread-cpu-us", (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000);
      }
      bench_print ("first-frame-vmrss-kb", bench_vmrss_kb ());
      {
        guint rows = 0;

        for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (tern_window_get_chat_list_view (data->window)));
             row != NULL; row = gtk_widget_get_next_sibling (row))
          rows++;
        bench_print ("chat-list-rows", rows);
      }
      g_print ("tern-bench renderer %s\n",
               G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (data->window))));
      data->chat_requested = TRUE;
      if (data->chat_id > 0)
        g_action_group_activate_action (G_ACTION_GROUP (data->self), "open-chat",
                                        g_variant_new_int64 (data->chat_id));
      else
        {
          g_signal_handlers_disconnect_by_func (clock, bench_after_paint_cb, data);
          g_idle_add_full (G_PRIORITY_LOW, bench_quit_cb, data, g_free);
        }
      return;
    }

  if (tern_window_get_open_chat (data->window) == NULL ||
      !gtk_widget_get_mapped (GTK_WIDGET (tern_window_get_conversation (data->window))))
    return;
  bench_print ("chat-frame", now);
  g_signal_handlers_disconnect_by_func (clock, bench_after_paint_cb, data);
  g_timeout_add_full (G_PRIORITY_LOW, 500, bench_quit_cb, data, g_free);
}

static gboolean
bench_give_up_cb (gpointer user_data)
{
  TernApplication *self = user_data;

  g_printerr ("tern: the benchmark did not see its frames; quitting\n");
  self->quitting = TRUE;
  g_application_quit (G_APPLICATION (self));
  return G_SOURCE_REMOVE;
}

static void
bench_realize_cb (GtkWidget *window,
                  BenchData *data)
{
  g_signal_handlers_disconnect_by_func (window, bench_realize_cb, data);
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (bench_after_paint_cb), data);
}

static void
bench_watch (TernApplication *self,
             TernWindow      *window)
{
  BenchData *data;
  const char *chat = g_getenv ("TERN_BENCH_OPEN_CHAT");

  if (g_getenv ("TERN_BENCH_FIRST_FRAME") == NULL)
    return;
  data = g_new0 (BenchData, 1);
  data->self = self;
  data->window = window;
  data->chat_id = chat ? g_ascii_strtoll (chat, NULL, 10) : 0;
  g_signal_connect (window, "realize", G_CALLBACK (bench_realize_cb), data);
  /* Never wait for ever (a profile without chats shows no rows). */
  g_timeout_add_seconds (120, bench_give_up_cb, self);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_activated },
  { "about", about_activated },
  { "preferences", preferences_activated },
  { "add-account", add_account_activated },
  { "open-chat", open_chat_activated, "x" },
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
      if (!self->first_frame_done)
        {
          g_signal_connect_object (window, "realize", G_CALLBACK (window_realize_cb), self, 0);
          /* In case the window is never painted (hidden, minimized). */
          g_timeout_add_seconds_full (G_PRIORITY_LOW, 5, first_frame_idle_cb, g_object_ref (self),
                                      g_object_unref);
        }
      bench_watch (self, TERN_WINDOW (window));
      if (context != NULL)
        tern_window_set_context (TERN_WINDOW (window), context);
    }
  /* Back from the background: the window keeps the app running now. */
  drop_background_hold (self);

  gtk_window_present (window);
}

static void
tern_application_startup (GApplication *app)
{
  TernApplication *self = TERN_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *help_accels[] = { "<Control>question", NULL };

  /* With a resource base path GtkApplication builds the shortcuts window
   * (gtk/help-overlay.ui) for every window it gets, before the window's
   * first frame (~9 ms CPU here). Without one during start-up it does not:
   * the app's style sheet and icons are added below as GTK and libadwaita
   * would, and the window builds its shortcuts window when first asked
   * (win.show-help-overlay). */
  g_application_set_resource_base_path (app, NULL);
  G_APPLICATION_CLASS (tern_application_parent_class)->startup (app);
  g_application_set_resource_base_path (app, RESOURCE_BASE);
  if (gdk_display_get_default () != NULL)
    {
      GdkDisplay *display = gdk_display_get_default ();
      g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

      gtk_css_provider_load_from_resource (provider, RESOURCE_BASE "/style.css");
      gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
      gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (display),
                                        RESOURCE_BASE "/icons");
    }


  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-help-overlay",
                                         help_accels);

  g_signal_connect (self, "window-removed", G_CALLBACK (window_removed_cb), NULL);
  g_signal_connect_object (self->settings, "changed::notifications",
                           G_CALLBACK (notifications_setting_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::run-in-background",
                           G_CALLBACK (run_in_background_setting_cb), self, G_CONNECT_SWAPPED);
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

  if (self->watched_store != NULL)
    g_clear_signal_handler (&self->store_changed_id, self->watched_store);
  g_clear_object (&self->watched_store);
  g_clear_pointer (&self->unread, g_hash_table_unref);
  g_clear_pointer (&self->notified, g_hash_table_unref);
  g_clear_object (&self->settings);
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
  self->settings = g_settings_new (APP_ID);
  self->started = g_get_real_time () / G_USEC_PER_SEC;
  self->badge_sent = -1;
  self->unread = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->notified = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

TernApplication *
tern_application_new (void)
{
  /* The development build has its own ID (.Devel) but shares the
   * resources, so the resource base path is set explicitly. */
  return g_object_new (TERN_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", RESOURCE_BASE,
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
      watch_context (self);
    }

  return self->context;
}

/* Uses @context instead of the default one (tests). */
void
tern_application_set_context (TernApplication *self,
                              TernContext     *context)
{
  g_return_if_fail (TERN_IS_APPLICATION (self));
  if (g_set_object (&self->context, context))
    self->accounts_started = FALSE;
  watch_context (self);
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

/**
 * tern_application_get_in_background:
 *
 * Whether the app runs without a window (the main window was closed and
 * the run-in-background setting kept it going).
 */
gboolean
tern_application_get_in_background (TernApplication *self)
{
  g_return_val_if_fail (TERN_IS_APPLICATION (self), FALSE);

  return self->background_hold;
}
