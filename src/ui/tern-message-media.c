/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include <glib/gi18n.h>
#include <math.h>

#include "tern-image-viewer.h"
#include "tern-message-media.h"

/* The attachments and location of a message, under its text.
 *
 * Setting a message builds a few widgets and never reads a file on the main
 * thread: a thumbnail comes from an in-memory LRU cache keyed by the
 * attachment's content hash, or is decoded by gdk-pixbuf at its final size
 * in a worker thread (images whose header claims more than MAX_PIXELS are
 * refused). Several widgets waiting for the same hash share one decode.
 * Nothing remote is ever fetched and no text is markup: names and
 * coordinates go into plain labels. */

#define CACHE_CAPACITY 64
#define MAX_PIXELS     (50 * 1024 * 1024)

struct _TernMessageMedia
{
  GtkWidget    parent_instance;

  TernMessage *message;
  gulong       notify_id;
  GtkLabel    *status_label;   /* "No maps app is installed", made when first needed */
  char        *layout;         /* the kinds of the children, see rebuild() */
};

G_DEFINE_FINAL_TYPE (TernMessageMedia, tern_message_media, GTK_TYPE_WIDGET)

/* ---- the thumbnail cache ------------------------------------------------- */

typedef struct
{
  GdkTexture *texture;         /* NULL: the image could not be decoded */
  GList      *link;            /* in cache.lru; data is the hash (the table's key) */
} CacheEntry;

static struct
{
  GHashTable *entries;         /* hash -> CacheEntry */
  GQueue      lru;             /* most recently used first */
  GHashTable *pending;         /* hash -> GPtrArray of GtkPicture waiting */
  guint       decodes;
} cache;

/* On a thumbnail picture: the hash it shows or waits for. On Open, Save
 * and thumbnail buttons: their TernAttachment. */
static GQuark hash_quark;
static GQuark attachment_quark;

static TernMessageMediaLaunchHook launch_hook;
static gpointer                   launch_hook_data;

static void
cache_entry_free (CacheEntry *entry)
{
  g_clear_object (&entry->texture);
  g_free (entry);
}

static void
cache_ensure (void)
{
  if (cache.entries != NULL)
    return;
  cache.entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) cache_entry_free);
  cache.pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_ptr_array_unref);
  g_queue_init (&cache.lru);
}

static CacheEntry *
cache_lookup (const char *hash)
{
  CacheEntry *entry;

  cache_ensure ();
  entry = g_hash_table_lookup (cache.entries, hash);
  if (entry != NULL)
    {
      g_queue_unlink (&cache.lru, entry->link);
      g_queue_push_head_link (&cache.lru, entry->link);
    }
  return entry;
}

static void
cache_insert (const char *hash,
              GdkTexture *texture)
{
  CacheEntry *entry;
  char *key;

  cache_ensure ();
  entry = g_hash_table_lookup (cache.entries, hash);
  if (entry != NULL)
    {
      g_queue_delete_link (&cache.lru, entry->link);
      g_hash_table_remove (cache.entries, hash);
    }
  entry = g_new0 (CacheEntry, 1);
  entry->texture = texture != NULL ? g_object_ref (texture) : NULL;
  key = g_strdup (hash);
  g_queue_push_head (&cache.lru, key);
  entry->link = cache.lru.head;
  g_hash_table_insert (cache.entries, key, entry);

  while (cache.lru.length > CACHE_CAPACITY)
    {
      char *oldest = g_queue_pop_tail (&cache.lru);

      g_hash_table_remove (cache.entries, oldest);
    }
}

typedef struct
{
  char *hash;
  char *path;
  int   size;
} DecodeData;

static void
decode_data_free (DecodeData *data)
{
  g_free (data->hash);
  g_free (data->path);
  g_free (data);
}

static void
decode_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  DecodeData *data = task_data;
  GError *error = NULL;
  GdkPixbuf *pixbuf, *oriented;
  int width = 0, height = 0, target_width, target_height;
  double scale;

  if (!tern_image_viewer_probe_file (data->path, MAX_PIXELS, &width, &height, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* Never scale up; keep the aspect. */
  scale = MIN (1.0, (double) data->size / MAX (width, height));
  target_width = MAX (1, (int) (width * scale + 0.5));
  target_height = MAX (1, (int) (height * scale + 0.5));
  pixbuf = gdk_pixbuf_new_from_file_at_size (data->path, target_width, target_height, &error);
  if (pixbuf == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  oriented = gdk_pixbuf_apply_embedded_orientation (pixbuf);
  g_object_unref (pixbuf);
  g_task_return_pointer (task, oriented, g_object_unref);
}

static void
picture_show (GtkPicture *picture,
              GdkTexture *texture)
{
  GtkWidget *widget = GTK_WIDGET (picture);

  gtk_widget_remove_css_class (widget, "loading");
  gtk_widget_remove_css_class (widget, "failed");
  gtk_widget_set_tooltip_text (widget, NULL);
  if (texture == NULL)
    {
      GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (widget));
      g_autoptr(GtkIconPaintable) icon = gtk_icon_theme_lookup_icon (theme, "image-missing-symbolic", NULL,
                                                                     32, 1, GTK_TEXT_DIR_NONE, 0);

      gtk_widget_add_css_class (widget, "failed");
      gtk_picture_set_paintable (picture, GDK_PAINTABLE (icon));
      gtk_picture_set_content_fit (picture, GTK_CONTENT_FIT_SCALE_DOWN);
      gtk_widget_set_size_request (widget, 96, 72);
      gtk_widget_set_tooltip_text (widget, _("The image could not be read"));
      return;
    }
  gtk_picture_set_paintable (picture, GDK_PAINTABLE (texture));
  gtk_picture_set_content_fit (picture, GTK_CONTENT_FIT_CONTAIN);
  gtk_widget_set_size_request (widget,
                               gdk_texture_get_width (texture),
                               gdk_texture_get_height (texture));
}

static void
decoded_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  DecodeData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GPtrArray) waiting = NULL;
  char *key = NULL;

  if (pixbuf != NULL)
    texture = gdk_texture_new_for_pixbuf (pixbuf);
  else
    g_debug ("thumbnail of %s: %s", data->hash, error->message);
  cache_insert (data->hash, texture);

  if (g_hash_table_steal_extended (cache.pending, data->hash, (gpointer *) &key,
                                   (gpointer *) &waiting))
    {
      g_free (key);
      for (guint i = 0; i < waiting->len; i++)
        {
          /* A reused picture may show another attachment by now. */
          const char *wanted = g_object_get_qdata (waiting->pdata[i], hash_quark);

          if (g_strcmp0 (wanted, data->hash) == 0)
            picture_show (waiting->pdata[i], texture);
        }
    }
}

/* Shows the thumbnail of @attachment in @picture now (cached) or later. */
static void
request_thumbnail (GtkPicture     *picture,
                   TernAttachment *attachment)
{
  const char *hash = tern_attachment_get_hash (attachment);
  CacheEntry *entry = cache_lookup (hash);
  GPtrArray *waiting;

  g_object_set_qdata_full (G_OBJECT (picture), hash_quark, g_strdup (hash), g_free);
  if (entry != NULL)
    {
      picture_show (picture, entry->texture);
      return;
    }

  gtk_picture_set_paintable (picture, NULL);
  gtk_widget_remove_css_class (GTK_WIDGET (picture), "failed");
  gtk_widget_add_css_class (GTK_WIDGET (picture), "loading");
  gtk_widget_set_size_request (GTK_WIDGET (picture), TERN_MESSAGE_MEDIA_THUMBNAIL_SIZE,
                               TERN_MESSAGE_MEDIA_THUMBNAIL_SIZE * 3 / 4);
  waiting = g_hash_table_lookup (cache.pending, hash);
  if (waiting == NULL)
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, decoded_cb, NULL);
      DecodeData *data = g_new0 (DecodeData, 1);

      data->hash = g_strdup (hash);
      /* The sender's preview, when the message had one, is smaller than
       * the image: decoded instead of it (the viewer shows the full one). */
      data->path = g_strdup (tern_attachment_get_preview_path (attachment) != NULL ?
                             tern_attachment_get_preview_path (attachment) :
                             tern_attachment_get_path (attachment));
      data->size = TERN_MESSAGE_MEDIA_THUMBNAIL_SIZE;
      g_task_set_source_tag (task, request_thumbnail);
      g_task_set_name (task, "[tern-ui] decode thumbnail");
      g_task_set_task_data (task, data, (GDestroyNotify) decode_data_free);
      waiting = g_ptr_array_new_with_free_func (g_object_unref);
      g_hash_table_insert (cache.pending, g_strdup (hash), waiting);
      cache.decodes++;
      g_task_run_in_thread (task, decode_thread);
    }
  g_ptr_array_add (waiting, g_object_ref (picture));
}

/* ---- helpers ------------------------------------------------------------- */

/* A name fit for a label: no control characters, no bidirectional
 * overrides that could disguise an extension. */
static char *
display_name (TernAttachment *attachment)
{
  const char *name = tern_attachment_get_name (attachment);
  GString *out;

  if (name == NULL || *name == '\0' || !g_utf8_validate (name, -1, NULL))
    return g_strdup (_("Unnamed file"));

  out = g_string_new (NULL);
  for (const char *p = name; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
          c == 0x200E || c == 0x200F || c == '/' || c == '\\')
        continue;
      g_string_append_unichar (out, c);
    }
  if (out->len == 0)
    g_string_assign (out, _("Unnamed file"));
  return g_string_free (out, FALSE);
}

static void
set_label (GtkWidget  *widget,
           const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static void
show_status (TernMessageMedia *self,
             const char       *text)
{
  if (self->status_label == NULL)
    {
      /* Made on first use: a label per bind would cost more than the rest. */
      GtkWidget *status = gtk_label_new (NULL);

      gtk_label_set_xalign (GTK_LABEL (status), 0);
      gtk_label_set_wrap (GTK_LABEL (status), TRUE);
      gtk_widget_add_css_class (status, "media-launch-error");
      gtk_widget_add_css_class (status, "error");
      gtk_widget_add_css_class (status, "caption");
      gtk_widget_set_parent (status, GTK_WIDGET (self));
      self->status_label = GTK_LABEL (status);
    }
  gtk_label_set_text (self->status_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), TRUE);
}

typedef struct
{
  GWeakRef  media;
  char     *failure;
} LaunchData;

static void
launch_data_free (LaunchData *data)
{
  g_weak_ref_clear (&data->media);
  g_free (data->failure);
  g_free (data);
}

static void
launched_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  LaunchData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    {
      g_autoptr(TernMessageMedia) self = g_weak_ref_get (&data->media);

      g_debug ("launch: %s", error->message);
      if (self != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_status (self, data->failure);
    }
  launch_data_free (data);
}

static void
launch_uri (TernMessageMedia *self,
            const char       *uri,
            const char       *failure)
{
  g_autoptr(GdkAppLaunchContext) context = NULL;
  LaunchData *data;

  if (self->status_label != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->status_label), FALSE);
  if (launch_hook != NULL)
    {
      if (!launch_hook (uri, launch_hook_data))
        show_status (self, failure);
      return;
    }

  data = g_new0 (LaunchData, 1);
  g_weak_ref_init (&data->media, self);
  data->failure = g_strdup (failure);
  context = gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self)));
  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), NULL,
                                           launched_cb, data);
}

static GtkWindow *
parent_window (TernMessageMedia *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

/* ---- signal callbacks ---------------------------------------------------- */

static TernAttachment *
button_attachment (GtkButton *button)
{
  return g_object_get_qdata (G_OBJECT (button), attachment_quark);
}

static TernMessageMedia *
media_of (GtkButton *button)
{
  return TERN_MESSAGE_MEDIA (gtk_widget_get_ancestor (GTK_WIDGET (button), TERN_TYPE_MESSAGE_MEDIA));
}

static void
thumbnail_clicked_cb (GtkButton *button)
{
  TernImageViewer *viewer = tern_image_viewer_new (parent_window (media_of (button)),
                                                   button_attachment (button));

  gtk_window_present (GTK_WINDOW (viewer));
}

static void
open_clicked_cb (GtkButton *button)
{
  g_autoptr(GFile) file = tern_attachment_get_file (button_attachment (button));
  g_autofree char *uri = g_file_get_uri (file);

  launch_uri (media_of (button), uri, _("No application is installed that opens this file"));
}

static void
save_clicked_cb (GtkButton *button)
{
  tern_image_viewer_save_attachment (parent_window (media_of (button)), button_attachment (button));
}

static void
maps_clicked_cb (TernMessageMedia *self)
{
  g_autofree char *uri = NULL;

  if (self->message == NULL || (uri = tern_message_dup_geo_uri (self->message)) == NULL)
    return;
  launch_uri (self, uri, _("No maps app is installed"));
}

/* ---- building ------------------------------------------------------------ */

/* Children, in order: one per attachment (an image row or a file row), the
 * location row, then the status label once something failed. A message
 * whose attachments and location have the same kinds in the same order
 * (self->layout: 'i' image, 'f' file, 'l' location) reuses the children:
 * scrolling mostly rebinds rows of the same shape, and building widgets
 * costs far more than updating them. */

static void
clear (TernMessageMedia *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  self->status_label = NULL;
  g_clear_pointer (&self->layout, g_free);
}

static void
set_button_attachment (GtkWidget      *button,
                       TernAttachment *attachment)
{
  g_object_set_qdata_full (G_OBJECT (button), attachment_quark, g_object_ref (attachment),
                           g_object_unref);
}

static void
update_image (GtkWidget      *row,
              TernAttachment *attachment)
{
  GtkWidget *button = gtk_widget_get_first_child (row);
  GtkWidget *picture = gtk_button_get_child (GTK_BUTTON (button));
  g_autofree char *name = display_name (attachment);
  g_autofree char *label = g_strdup_printf (_("View image %s"), name);

  set_button_attachment (button, attachment);
  gtk_picture_set_alternative_text (GTK_PICTURE (picture), name);
  gtk_widget_set_tooltip_text (button, name);
  set_label (button, label);
  request_thumbnail (GTK_PICTURE (picture), attachment);
}

static GtkWidget *
add_image (TernMessageMedia *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *button = gtk_button_new ();
  GtkWidget *picture = gtk_picture_new ();

  gtk_picture_set_can_shrink (GTK_PICTURE (picture), FALSE);
  gtk_picture_set_content_fit (GTK_PICTURE (picture), GTK_CONTENT_FIT_CONTAIN);
  gtk_widget_add_css_class (picture, "media-thumbnail-picture");
  gtk_button_set_child (GTK_BUTTON (button), picture);
  gtk_widget_add_css_class (button, "media-thumbnail");
  gtk_widget_set_halign (button, GTK_ALIGN_START);
  g_signal_connect (button, "clicked", G_CALLBACK (thumbnail_clicked_cb), NULL);
  /* In a horizontal box the button gets its natural width and the height
   * for it; directly in the vertical layout a GtkPicture would be measured
   * height-for-width at the full width and grow to fill it. */
  gtk_box_append (GTK_BOX (row), button);
  gtk_widget_insert_before (row, GTK_WIDGET (self), NULL);
  return row;
}

static GtkWidget *
icon_button (const char *icon,
             const char *tooltip,
             const char *css_class)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "circular");
  gtk_widget_add_css_class (button, css_class);
  return button;
}

/* row: icon, labels (name, size), Open, Save As. */
static void
update_file (GtkWidget      *row,
             TernAttachment *attachment)
{
  GtkWidget *image = gtk_widget_get_first_child (row);
  GtkWidget *labels = gtk_widget_get_next_sibling (image);
  GtkWidget *name_label = gtk_widget_get_first_child (labels);
  GtkWidget *size_label = gtk_widget_get_next_sibling (name_label);
  GtkWidget *open = gtk_widget_get_next_sibling (labels);
  GtkWidget *save = gtk_widget_get_next_sibling (open);
  g_autofree char *name = display_name (attachment);
  g_autofree char *size = g_format_size ((guint64) MAX (0, tern_attachment_get_size (attachment)));
  g_autofree char *content_type = g_content_type_from_mime_type (tern_attachment_get_mime_type (attachment));
  g_autoptr(GIcon) icon = g_content_type_get_symbolic_icon (content_type != NULL ? content_type
                                                                                : "application/octet-stream");
  g_autofree char *open_label = g_strdup_printf (_("Open %s"), name);
  g_autofree char *save_label = g_strdup_printf (_("Save %s As…"), name);

  gtk_image_set_from_gicon (GTK_IMAGE (image), icon);
  gtk_label_set_text (GTK_LABEL (name_label), name);
  gtk_widget_set_tooltip_text (name_label, name);
  gtk_label_set_text (GTK_LABEL (size_label), size);
  set_button_attachment (open, attachment);
  set_label (open, open_label);
  set_button_attachment (save, attachment);
  set_label (save, save_label);
}

static GtkWidget *
add_file (TernMessageMedia *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *image = gtk_image_new ();
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name_label = gtk_label_new (NULL);
  GtkWidget *size_label = gtk_label_new (NULL);
  GtkWidget *open, *save;

  gtk_widget_add_css_class (row, "media-file");
  gtk_image_set_pixel_size (GTK_IMAGE (image), 32);
  gtk_widget_add_css_class (image, "media-file-icon");
  gtk_box_append (GTK_BOX (row), image);

  gtk_label_set_xalign (GTK_LABEL (name_label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name_label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (name_label), 32);
  gtk_widget_add_css_class (name_label, "media-file-name");
  gtk_label_set_xalign (GTK_LABEL (size_label), 0);
  gtk_widget_add_css_class (size_label, "media-file-size");
  gtk_widget_add_css_class (size_label, "dim-label");
  gtk_widget_add_css_class (size_label, "caption");
  gtk_box_append (GTK_BOX (labels), name_label);
  gtk_box_append (GTK_BOX (labels), size_label);
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_widget_set_valign (labels, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (row), labels);

  open = icon_button ("document-open-symbolic", _("Open"), "media-open");
  g_signal_connect (open, "clicked", G_CALLBACK (open_clicked_cb), NULL);
  gtk_box_append (GTK_BOX (row), open);
  save = icon_button ("document-save-as-symbolic", _("Save As…"), "media-save");
  g_signal_connect (save, "clicked", G_CALLBACK (save_clicked_cb), NULL);
  gtk_box_append (GTK_BOX (row), save);

  gtk_widget_insert_before (row, GTK_WIDGET (self), NULL);
  return row;
}

static char *
format_coordinates (double latitude,
                    double longitude)
{
  char lat[G_ASCII_DTOSTR_BUF_SIZE], lon[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (lat, sizeof lat, "%.5f", fabs (latitude));
  g_ascii_formatd (lon, sizeof lon, "%.5f", fabs (longitude));
  /* TRANSLATORS: a position: 52.52000° N, 13.40500° E */
  return g_strdup_printf (_("%s° %s, %s° %s"),
                          lat, latitude < 0 ? C_("compass", "S") : C_("compass", "N"),
                          lon, longitude < 0 ? C_("compass", "W") : C_("compass", "E"));
}

/* row: icon, coordinates, Open in Maps. */
static void
update_location (TernMessageMedia *self,
                 GtkWidget        *row)
{
  GtkWidget *label = gtk_widget_get_next_sibling (gtk_widget_get_first_child (row));
  g_autofree char *text = format_coordinates (tern_message_get_latitude (self->message),
                                              tern_message_get_longitude (self->message));
  g_autofree char *description = g_strdup_printf (_("Location %s"), text);

  gtk_label_set_text (GTK_LABEL (label), text);
  set_label (label, description);
}

static GtkWidget *
add_location (TernMessageMedia *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *icon = gtk_image_new_from_icon_name ("mark-location-symbolic");
  GtkWidget *label = gtk_label_new (NULL);
  GtkWidget *button = gtk_button_new_with_mnemonic (_("Open in _Maps"));

  gtk_widget_add_css_class (row, "media-location");
  gtk_widget_add_css_class (icon, "media-location-icon");
  gtk_box_append (GTK_BOX (row), icon);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, "media-location-coordinates");
  gtk_widget_add_css_class (label, "numeric");
  gtk_box_append (GTK_BOX (row), label);
  gtk_widget_add_css_class (button, "media-open-maps");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  set_label (button, _("Open Location in Maps"));
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (maps_clicked_cb), self);
  gtk_box_append (GTK_BOX (row), button);
  gtk_widget_insert_before (row, GTK_WIDGET (self), NULL);
  return row;
}

static void
rebuild (TernMessageMedia *self)
{
  g_autoptr(GPtrArray) attachments = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) layout = g_string_new (NULL);
  gboolean location = FALSE;
  GtkWidget *child;

  if (self->message != NULL && !tern_message_get_deleted (self->message))
    {
      if (tern_message_get_n_attachments (self->message) > 0)
        {
          GListModel *list = tern_message_get_attachments (self->message);
          guint n = g_list_model_get_n_items (list);

          for (guint i = 0; i < n; i++)
            {
              TernAttachment *attachment = g_list_model_get_item (list, i);

              g_ptr_array_add (attachments, attachment);
              g_string_append_c (layout, tern_attachment_is_image (attachment) ? 'i' : 'f');
            }
        }
      location = tern_message_get_has_location (self->message);
      if (location)
        g_string_append_c (layout, 'l');
    }

  if (self->status_label != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->status_label), FALSE);
  if (layout->len == 0)
    {
      /* Nothing to show, and no space taken; the children wait for reuse. */
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      return;
    }

  if (g_strcmp0 (self->layout, layout->str) != 0)
    {
      clear (self);
      for (guint i = 0; i < layout->len; i++)
        {
          if (layout->str[i] == 'i')
            add_image (self);
          else if (layout->str[i] == 'f')
            add_file (self);
          else
            add_location (self);
        }
      self->layout = g_strdup (layout->str);
    }

  child = gtk_widget_get_first_child (GTK_WIDGET (self));
  for (guint i = 0; i < layout->len; i++, child = gtk_widget_get_next_sibling (child))
    {
      if (layout->str[i] == 'i')
        update_image (child, attachments->pdata[i]);
      else if (layout->str[i] == 'f')
        update_file (child, attachments->pdata[i]);
      else
        update_location (self, child);
    }
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
}

static void
message_notify_cb (TernMessageMedia *self,
                   GParamSpec       *pspec)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "n-attachments") || g_str_equal (name, "has-location") ||
      g_str_equal (name, "latitude") || g_str_equal (name, "longitude") ||
      g_str_equal (name, "deleted"))
    rebuild (self);
}

/* ---- GObject ------------------------------------------------------------- */

static void
tern_message_media_dispose (GObject *object)
{
  TernMessageMedia *self = TERN_MESSAGE_MEDIA (object);

  if (self->message != NULL)
    g_clear_signal_handler (&self->notify_id, self->message);
  g_clear_object (&self->message);
  clear (self);

  G_OBJECT_CLASS (tern_message_media_parent_class)->dispose (object);
}

static void
tern_message_media_class_init (TernMessageMediaClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tern_message_media_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "messagemedia");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  hash_quark = g_quark_from_static_string ("tern-message-media-hash");
  attachment_quark = g_quark_from_static_string ("tern-message-media-attachment");
}

static void
tern_message_media_init (TernMessageMedia *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 6);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

/* ---- public API ---------------------------------------------------------- */

GtkWidget *
tern_message_media_new (void)
{
  return g_object_new (TERN_TYPE_MESSAGE_MEDIA, NULL);
}

void
tern_message_media_set_message (TernMessageMedia *self,
                                TernMessage      *message)
{
  g_return_if_fail (TERN_IS_MESSAGE_MEDIA (self));
  g_return_if_fail (message == NULL || TERN_IS_MESSAGE (message));

  if (self->message == message)
    return;
  if (self->message != NULL)
    g_clear_signal_handler (&self->notify_id, self->message);
  g_set_object (&self->message, message);
  if (message != NULL)
    self->notify_id = g_signal_connect_swapped (message, "notify", G_CALLBACK (message_notify_cb), self);
  rebuild (self);
}

TernMessage *
tern_message_media_get_message (TernMessageMedia *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE_MEDIA (self), NULL);
  return self->message;
}

void
tern_message_media_set_launch_hook (TernMessageMediaLaunchHook hook,
                                    gpointer                   user_data)
{
  launch_hook = hook;
  launch_hook_data = user_data;
}

guint
tern_message_media_get_decode_count (void)
{
  return cache.decodes;
}

void
tern_message_media_clear_cache (void)
{
  if (cache.entries == NULL)
    return;
  g_queue_clear (&cache.lru); /* the keys belong to the table */
  g_hash_table_remove_all (cache.entries);
}
