/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include <glib/gi18n.h>

#include "tern-chat-row.h"
#include "tern-local-time.h"

/* One chat in the sidebar list: avatar, name, last message, its time, the
 * unread count and the muted/pinned marks. Not bound to a model yet: the
 * list factory sets the properties from a TernChat. */

struct _TernChatRow
{
  AdwBin      parent_instance;

  char       *title;
  char       *preview;
  char       *avatar_path;
  GCancellable *avatar_cancellable;
  gint64      timestamp;
  guint       unread_count;
  gboolean    muted;
  gboolean    pinned;

  /* Template children */
  AdwAvatar  *avatar;
  GtkLabel   *title_label;
  GtkLabel   *preview_label;
  GtkLabel   *time_label;
  GtkLabel   *unread_badge;
  GtkWidget  *muted_icon;
  GtkWidget  *pinned_icon;
};

enum {
  PROP_0,
  PROP_TITLE,
  PROP_PREVIEW,
  PROP_TIMESTAMP,
  PROP_UNREAD_COUNT,
  PROP_MUTED,
  PROP_PINNED,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (TernChatRow, tern_chat_row, ADW_TYPE_BIN)

static GParamSpec *properties[N_PROPS];

static gboolean
set_string (char       **dest,
            const char  *value)
{
  if (g_strcmp0 (*dest, value) == 0)
    return FALSE;

  g_free (*dest);
  *dest = g_strdup (value);
  return TRUE;
}

static char *
format_time (gint64 timestamp)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GDateTime) now = NULL;

  if (timestamp <= 0 || (utc = g_date_time_new_from_unix_utc (timestamp)) == NULL)
    return g_strdup ("");

  time = g_date_time_to_timezone (utc, tern_local_time_zone ());
  now = g_date_time_new_now (tern_local_time_zone ());
  return tern_format_time_short (time, now);
}

static void
update_accessible_label (TernChatRow *self)
{
  g_autoptr(GString) label = g_string_new (self->title ? self->title : "");
  const char *time = gtk_label_get_label (self->time_label);

  if (self->pinned)
    g_string_append_printf (label, ", %s", _("pinned"));
  if (self->muted)
    g_string_append_printf (label, ", %s", _("muted"));
  if (self->unread_count > 0)
    {
      g_string_append (label, ", ");
      g_string_append_printf (label,
                              g_dngettext (GETTEXT_PACKAGE, "%u unread message",
                                           "%u unread messages", self->unread_count),
                              self->unread_count);
    }
  if (self->preview && *self->preview)
    g_string_append_printf (label, ", %s", self->preview);
  if (*time)
    g_string_append_printf (label, ", %s", time);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label->str,
                                  -1);
}

static void
update_unread (TernChatRow *self)
{
  g_autofree char *text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->unread_badge), self->unread_count > 0);
  if (self->unread_count > 999)
    text = g_strdup ("999+");
  else
    text = g_strdup_printf ("%u", self->unread_count);
  gtk_label_set_label (self->unread_badge, text);

  if (self->muted)
    gtk_widget_add_css_class (GTK_WIDGET (self->unread_badge), "muted");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->unread_badge), "muted");

  if (self->unread_count > 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->preview_label), "unread");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->preview_label), "unread");
}

static void
tern_chat_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TernChatRow *self = TERN_CHAT_ROW (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_PREVIEW:
      g_value_set_string (value, self->preview);
      break;

    case PROP_TIMESTAMP:
      g_value_set_int64 (value, self->timestamp);
      break;

    case PROP_UNREAD_COUNT:
      g_value_set_uint (value, self->unread_count);
      break;

    case PROP_MUTED:
      g_value_set_boolean (value, self->muted);
      break;

    case PROP_PINNED:
      g_value_set_boolean (value, self->pinned);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_chat_row_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TernChatRow *self = TERN_CHAT_ROW (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      tern_chat_row_set_title (self, g_value_get_string (value));
      break;

    case PROP_PREVIEW:
      tern_chat_row_set_preview (self, g_value_get_string (value));
      break;

    case PROP_TIMESTAMP:
      tern_chat_row_set_timestamp (self, g_value_get_int64 (value));
      break;

    case PROP_UNREAD_COUNT:
      tern_chat_row_set_unread_count (self, g_value_get_uint (value));
      break;

    case PROP_MUTED:
      tern_chat_row_set_muted (self, g_value_get_boolean (value));
      break;

    case PROP_PINNED:
      tern_chat_row_set_pinned (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_chat_row_dispose (GObject *object)
{
  TernChatRow *self = TERN_CHAT_ROW (object);

  g_cancellable_cancel (self->avatar_cancellable);
  g_clear_object (&self->avatar_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), TERN_TYPE_CHAT_ROW);

  G_OBJECT_CLASS (tern_chat_row_parent_class)->dispose (object);
}

static void
tern_chat_row_finalize (GObject *object)
{
  TernChatRow *self = TERN_CHAT_ROW (object);

  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->preview, g_free);
  g_clear_pointer (&self->avatar_path, g_free);

  G_OBJECT_CLASS (tern_chat_row_parent_class)->finalize (object);
}

static void
tern_chat_row_class_init (TernChatRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = tern_chat_row_get_property;
  object_class->set_property = tern_chat_row_set_property;
  object_class->dispose = tern_chat_row_dispose;
  object_class->finalize = tern_chat_row_finalize;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PREVIEW] =
    g_param_spec_string ("preview", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TernChatRow:timestamp:
   *
   * Time of the last message, seconds since the Unix epoch (0: none).
   */
  properties[PROP_TIMESTAMP] =
    g_param_spec_int64 ("timestamp", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_UNREAD_COUNT] =
    g_param_spec_uint ("unread-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MUTED] =
    g_param_spec_boolean ("muted", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PINNED] =
    g_param_spec_boolean ("pinned", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ternchat/Tern/tern-chat-row.ui");
  gtk_widget_class_bind_template_child (widget_class, TernChatRow, avatar);
  gtk_widget_class_bind_template_child (widget_class, TernChatRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, TernChatRow, preview_label);
  gtk_widget_class_bind_template_child (widget_class, TernChatRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, TernChatRow, unread_badge);
  gtk_widget_class_bind_template_child (widget_class, TernChatRow, muted_icon);
  gtk_widget_class_bind_template_child (widget_class, TernChatRow, pinned_icon);

  gtk_widget_class_set_css_name (widget_class, "chatrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
tern_chat_row_init (TernChatRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_unread (self);
  update_accessible_label (self);
}

TernChatRow *
tern_chat_row_new (void)
{
  return g_object_new (TERN_TYPE_CHAT_ROW, NULL);
}

const char *
tern_chat_row_get_title (TernChatRow *self)
{
  g_return_val_if_fail (TERN_IS_CHAT_ROW (self), NULL);

  return self->title;
}

void
tern_chat_row_set_title (TernChatRow *self,
                         const char  *title)
{
  g_return_if_fail (TERN_IS_CHAT_ROW (self));

  if (!set_string (&self->title, title))
    return;

  gtk_label_set_label (self->title_label, title);
  adw_avatar_set_text (self->avatar, title);
  update_accessible_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

const char *
tern_chat_row_get_preview (TernChatRow *self)
{
  g_return_val_if_fail (TERN_IS_CHAT_ROW (self), NULL);

  return self->preview;
}

void
tern_chat_row_set_preview (TernChatRow *self,
                           const char  *preview)
{
  g_autofree char *one_line = NULL;

  g_return_if_fail (TERN_IS_CHAT_ROW (self));

  if (!set_string (&self->preview, preview))
    return;

  /* The preview is one line: newlines and tabs become spaces. */
  one_line = g_strdup (preview ? preview : "");
  g_strdelimit (one_line, "\r\n\t", ' ');
  gtk_label_set_label (self->preview_label, g_strstrip (one_line));
  update_accessible_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREVIEW]);
}

gint64
tern_chat_row_get_timestamp (TernChatRow *self)
{
  g_return_val_if_fail (TERN_IS_CHAT_ROW (self), 0);

  return self->timestamp;
}

void
tern_chat_row_set_timestamp (TernChatRow *self,
                             gint64       timestamp)
{
  g_autofree char *text = NULL;

  g_return_if_fail (TERN_IS_CHAT_ROW (self));

  if (self->timestamp == timestamp)
    return;

  self->timestamp = timestamp;
  text = format_time (timestamp);
  gtk_label_set_label (self->time_label, text);
  update_accessible_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMESTAMP]);
}

guint
tern_chat_row_get_unread_count (TernChatRow *self)
{
  g_return_val_if_fail (TERN_IS_CHAT_ROW (self), 0);

  return self->unread_count;
}

void
tern_chat_row_set_unread_count (TernChatRow *self,
                                guint        unread_count)
{
  g_return_if_fail (TERN_IS_CHAT_ROW (self));

  if (self->unread_count == unread_count)
    return;

  self->unread_count = unread_count;
  update_unread (self);
  update_accessible_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_COUNT]);
}

gboolean
tern_chat_row_get_muted (TernChatRow *self)
{
  g_return_val_if_fail (TERN_IS_CHAT_ROW (self), FALSE);

  return self->muted;
}

void
tern_chat_row_set_muted (TernChatRow *self,
                         gboolean     muted)
{
  g_return_if_fail (TERN_IS_CHAT_ROW (self));

  muted = !!muted;
  if (self->muted == muted)
    return;

  self->muted = muted;
  gtk_widget_set_visible (self->muted_icon, muted);
  update_unread (self);
  update_accessible_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MUTED]);
}

gboolean
tern_chat_row_get_pinned (TernChatRow *self)
{
  g_return_val_if_fail (TERN_IS_CHAT_ROW (self), FALSE);

  return self->pinned;
}

void
tern_chat_row_set_pinned (TernChatRow *self,
                          gboolean     pinned)
{
  g_return_if_fail (TERN_IS_CHAT_ROW (self));

  pinned = !!pinned;
  if (self->pinned == pinned)
    return;

  self->pinned = pinned;
  gtk_widget_set_visible (self->pinned_icon, pinned);
  update_accessible_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PINNED]);
}

/* ---- avatar pictures ------------------------------------------------------ *
 * Decoded off the main thread, and shared: the list binds the same chats to
 * recycled rows again and again, so the textures of the last AVATAR_CACHE_SIZE
 * pictures stay (dropped all at once when full: simple, and cheap to refill). */

#define AVATAR_CACHE_SIZE 128

static GHashTable *avatar_cache;  /* path -> GdkTexture */

static void
load_avatar_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;
  GdkTexture *texture = gdk_texture_new_from_filename (task_data, &error);

  if (texture == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, texture, g_object_unref);
}

static void
avatar_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = g_task_propagate_pointer (G_TASK (result), &error);
  const char *path = g_task_get_task_data (G_TASK (result));
  TernChatRow *self;

  if (texture == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("could not load the avatar %s: %s", path, error->message);
      return;
    }
  if (avatar_cache == NULL)
    avatar_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  if (g_hash_table_size (avatar_cache) >= AVATAR_CACHE_SIZE)
    g_hash_table_remove_all (avatar_cache);
  g_hash_table_insert (avatar_cache, g_strdup (path), g_object_ref (texture));

  self = TERN_CHAT_ROW (object);
  if (g_strcmp0 (self->avatar_path, path) == 0)
    adw_avatar_set_custom_image (self->avatar, GDK_PAINTABLE (texture));
}

/**
 * tern_chat_row_set_avatar_path:
 * @path: (nullable): the picture of the chat (a file), or NULL for initials
 *
 * Shows the picture in the avatar once it is decoded (in a thread; pictures
 * seen recently are shown at once); initials and a colour until then.
 */
void
tern_chat_row_set_avatar_path (TernChatRow *self,
                               const char  *path)
{
  GdkTexture *cached;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TERN_IS_CHAT_ROW (self));

  if (!set_string (&self->avatar_path, path))
    return;

  g_cancellable_cancel (self->avatar_cancellable);
  g_clear_object (&self->avatar_cancellable);
  cached = path && avatar_cache ? g_hash_table_lookup (avatar_cache, path) : NULL;
  adw_avatar_set_custom_image (self->avatar, cached ? GDK_PAINTABLE (cached) : NULL);
  if (path == NULL || cached != NULL)
    return;

  self->avatar_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->avatar_cancellable, avatar_loaded_cb, NULL);
  g_task_set_source_tag (task, tern_chat_row_set_avatar_path);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, load_avatar_thread);
}

const char *
tern_chat_row_get_avatar_path (TernChatRow *self)
{
  g_return_val_if_fail (TERN_IS_CHAT_ROW (self), NULL);

  return self->avatar_path;
}

/**
 * tern_format_time_short:
 * @time: the time to show
 * @now: the current time, in the same time zone
 *
 * Formats @time for a list: the clock time today, "Yesterday", the
 * weekday within the last week, the day and month this year, the date
 * otherwise.
 *
 * Returns: (transfer full): the text
 */
char *
tern_format_time_short (GDateTime *time,
                        GDateTime *now)
{
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GDateTime) day = NULL;
  GTimeSpan days;

  g_return_val_if_fail (time != NULL, NULL);
  g_return_val_if_fail (now != NULL, NULL);

  today = g_date_time_new (g_date_time_get_timezone (now),
                           g_date_time_get_year (now), g_date_time_get_month (now),
                           g_date_time_get_day_of_month (now), 0, 0, 0);
  day = g_date_time_new (g_date_time_get_timezone (now),
                         g_date_time_get_year (time), g_date_time_get_month (time),
                         g_date_time_get_day_of_month (time), 0, 0, 0);
  /* Rounded: a day across a DST change is 23 or 25 hours long. */
  days = (g_date_time_difference (today, day) + G_TIME_SPAN_HOUR * 12) / G_TIME_SPAN_DAY;

  if (days <= 0)
    /* Translators: a time today in the chat list, see g_date_time_format() */
    return g_date_time_format (time, C_("chat list time", "%H:%M"));
  if (days == 1)
    return g_strdup (C_("chat list time", "Yesterday"));
  if (days < 7)
    /* Translators: a weekday in the chat list, see g_date_time_format() */
    return g_date_time_format (time, C_("chat list time", "%a"));
  if (g_date_time_get_year (time) == g_date_time_get_year (now))
    /* Translators: a date this year in the chat list, see g_date_time_format() */
    return g_date_time_format (time, C_("chat list time", "%-d %b"));

  /* Translators: a date in an earlier year in the chat list, see g_date_time_format() */
  return g_date_time_format (time, C_("chat list time", "%x"));
}
