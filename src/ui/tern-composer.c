/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "tern-composer.h"

/* The message composer at the bottom of a conversation: a multi-line text
 * view where Enter sends and Shift+Enter starts a new line, an attach
 * button (a file chooser), files dropped or pasted (shown as removable
 * chips until sent), `@` completion of the members of a group, a send
 * button, and a bar quoting the message being replied to. It emits ::send;
 * the window reads the pending files (tern_composer_dup_paths()) in its
 * handler and sends them with the text. */

#define MENTION_ADDRESS_KEY "tern-mention-address"
#define MENTION_NAME_KEY    "tern-mention-name"
#define MENTION_MAX_QUERY   64

typedef struct
{
  char *name;
  char *address;   /* NULL: "@all" */
} Member;

static void
member_free (gpointer data)
{
  Member *member = data;

  g_free (member->name);
  g_free (member->address);
  g_free (member);
}

struct _TernComposer
{
  AdwBin         parent_instance;

  gboolean       can_send;

  /* Template children */
  GtkRevealer   *reply_revealer;
  GtkLabel      *reply_title;
  GtkLabel      *reply_excerpt;
  GtkTextView   *text_view;
  GtkWidget     *placeholder_label;
  GtkWidget     *attach_button;
  GtkWidget     *send_button;
  GtkRevealer   *chips_revealer;
  GtkBox        *chips_box;

  /* Files to send with the next message (GFile) */
  GPtrArray     *files;
  GHashTable    *temporary;       /* paths of pasted images this composer wrote */
  GtkNativeDialog *chooser;
  GCancellable  *cancellable;   /* clipboard reads */

  /* Mention completion: the group's members (Member), the popover, and
   * the offset of the '@' being completed (-1: none) */
  GPtrArray     *members;
  GtkPopover    *mention_popover;
  GtkListBox    *mention_list;
  GPtrArray     *mention_matches;   /* Member, borrowed from members */
  int            mention_start;
};

enum {
  PROP_0,
  PROP_CAN_SEND,
  PROP_REPLYING,
  PROP_N_FILES,
  N_PROPS
};

enum {
  SIGNAL_SEND,
  SIGNAL_ATTACH,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (TernComposer, tern_composer, ADW_TYPE_BIN)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
text_is_blank (const char *text)
{
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return FALSE;

  return TRUE;
}

static void
update_can_send (TernComposer *self)
{
  g_autofree char *text = tern_composer_dup_shown_text (self);
  gboolean can_send = !text_is_blank (text) || self->files->len > 0;

  gtk_widget_set_visible (self->placeholder_label, *text == '\0');
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send", can_send);

  if (self->can_send != can_send)
    {
      self->can_send = can_send;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_SEND]);
    }
}

static void update_mention (TernComposer *self);

static void
buffer_changed_cb (TernComposer *self)
{
  update_can_send (self);
  update_mention (self);
}

/* ---- pending files (chips) ------------------------------------------------ */

/* Forgets @file as a pasted image this composer wrote; with @delete also
 * removes it (and its temporary directory). */
static void
forget_file (TernComposer *self,
             GFile        *file,
             gboolean      delete)
{
  g_autofree char *path = g_file_get_path (file);

  if (path == NULL || !g_hash_table_remove (self->temporary, path))
    return;
  if (delete)
    {
      const char *paths[] = { path, NULL };

      tern_composer_delete_temporary_paths (paths);
    }
}

static void rebuild_chips (TernComposer *self);

static void
chip_remove_clicked_cb (GtkButton    *button,
                        TernComposer *self)
{
  GFile *file = g_object_get_data (G_OBJECT (button), "tern-file");
  guint index;

  if (file != NULL && g_ptr_array_find (self->files, file, &index))
    tern_composer_remove_file (self, index);
}

/* An image chip shows a thumbnail: decoded at its small size in a thread. */
static void
thumbnail_thread (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  g_autofree char *path = g_file_get_path (task_data);
  g_autoptr(GError) error = NULL;
  GdkPixbuf *pixbuf = path ? gdk_pixbuf_new_from_file_at_scale (path, 48, 48, TRUE, &error) : NULL;

  if (pixbuf == NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "no thumbnail");
  else
    g_task_return_pointer (task, pixbuf, g_object_unref);
}

static void
thumbnail_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GtkWidget) icon = user_data;   /* a weak hold: the chip may be gone */
  g_autoptr(GdkPixbuf) pixbuf = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autoptr(GdkTexture) texture = NULL;
  GtkWidget *picture;

  if (pixbuf == NULL || gtk_widget_get_parent (icon) == NULL)
    return;
  texture = gdk_texture_new_for_pixbuf (pixbuf);
  /* An image of icon size (a GtkPicture would ask for the texture's). */
  picture = gtk_image_new_from_paintable (GDK_PAINTABLE (texture));
  gtk_image_set_pixel_size (GTK_IMAGE (picture), 24);
  gtk_widget_add_css_class (picture, "attachment-thumbnail");
  gtk_accessible_update_property (GTK_ACCESSIBLE (picture), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Image"), -1);
  gtk_widget_insert_after (picture, gtk_widget_get_parent (icon), icon);
  gtk_widget_unparent (icon);
}

static GtkWidget *
build_chip (TernComposer *self,
            GFile        *file)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *content_type = g_content_type_guess (name, NULL, 0, NULL);
  g_autofree char *remove_label = NULL;
  GtkWidget *chip = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *icon;
  GtkWidget *label;
  GtkWidget *remove;

  icon = gtk_image_new_from_icon_name (g_content_type_is_a (content_type, "image/*")
                                       ? "image-x-generic-symbolic" : "text-x-generic-symbolic");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  g_content_type_is_a (content_type, "image/*") ? _("Image")
                                                                                : _("File"),
                                  -1);
  label = gtk_label_new (name);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 24);
  gtk_widget_set_tooltip_text (label, name);

  remove = gtk_button_new_from_icon_name ("window-close-symbolic");
  /* Translators: %s is a file name, on the button that takes it out of the message */
  remove_label = g_strdup_printf (_("Remove %s"), name);
  gtk_widget_set_tooltip_text (remove, remove_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  remove_label, -1);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_add_css_class (remove, "circular");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (remove), "tern-file", g_object_ref (file), g_object_unref);
  g_signal_connect (remove, "clicked", G_CALLBACK (chip_remove_clicked_cb), self);

  gtk_box_append (GTK_BOX (chip), icon);
  gtk_box_append (GTK_BOX (chip), label);
  if (g_content_type_is_a (content_type, "image/*"))
    {
      g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, thumbnail_done_cb,
                                          g_object_ref (icon));

      g_task_set_task_data (task, g_object_ref (file), g_object_unref);
      g_task_run_in_thread (task, thumbnail_thread);
    }
  gtk_box_append (GTK_BOX (chip), remove);
  gtk_widget_add_css_class (chip, "attachment-chip");
  gtk_accessible_update_property (GTK_ACCESSIBLE (chip), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  return chip;
}

static void
rebuild_chips (TernComposer *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->chips_box))) != NULL)
    gtk_box_remove (self->chips_box, child);
  for (guint i = 0; i < self->files->len; i++)
    gtk_box_append (self->chips_box, build_chip (self, self->files->pdata[i]));
  gtk_revealer_set_reveal_child (self->chips_revealer, self->files->len > 0);
  update_can_send (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FILES]);
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     TernComposer    *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);

          tern_composer_add_file (self, file);
        }
    }
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static void
attach_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TernComposer *self = TERN_COMPOSER (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;

  g_signal_emit (widget, signals[SIGNAL_ATTACH], 0);
  if (self->chooser != NULL)
    {
      gtk_native_dialog_show (self->chooser);
      return;
    }

  chooser = gtk_file_chooser_native_new (_("Attach Files"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Attach"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

/* ---- paste: files and images ----------------------------------------------- */

static void
pasted_files_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TernComposer) self = user_data;
  g_autoptr(GError) error = NULL;
  const GValue *value = gdk_clipboard_read_value_finish (GDK_CLIPBOARD (object), result, &error);

  if (value == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("could not paste the files: %s", error->message);
      return;
    }

  tern_composer_add_file_list (self, g_value_get_boxed (value));
}

/* A pasted image becomes a PNG file in a fresh temporary directory (so it
 * can carry a readable name), attached like any other file. */
char *
tern_composer_save_texture (GdkTexture  *texture,
                            GError     **error)
{
  g_autofree char *dir = g_dir_make_tmp ("tern-paste-XXXXXX", error);
  g_autofree char *path = NULL;

  if (dir == NULL)
    return NULL;
  /* Translators: the file name of an image pasted into the composer */
  path = g_build_filename (dir, _("Pasted image.png"), NULL);
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not write %s", path);
      return NULL;
    }
  return g_steal_pointer (&path);
}

static void
pasted_texture_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TernComposer) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (object),
                                                                      result, &error);
  g_autofree char *path = NULL;

  if (texture == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("could not paste the image: %s", error->message);
      return;
    }

  path = tern_composer_save_texture (texture, &error);
  if (path == NULL)
    {
      g_message ("could not save the pasted image: %s", error->message);
      return;
    }
  g_hash_table_add (self->temporary, g_strdup (path));
  {
    g_autoptr(GFile) file = g_file_new_for_path (path);

    tern_composer_add_file (self, file);
  }
}

/* The text view's paste: files and images are attached; text is left to
 * the text view. */
static void
paste_clipboard_cb (GtkTextView  *text_view,
                    TernComposer *self)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (text_view));
  GdkContentFormats *formats = gdk_clipboard_get_formats (clipboard);

  if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST))
    {
      g_signal_stop_emission_by_name (text_view, "paste-clipboard");
      gdk_clipboard_read_value_async (clipboard, GDK_TYPE_FILE_LIST, G_PRIORITY_DEFAULT,
                                      self->cancellable, pasted_files_cb, g_object_ref (self));
    }
  else if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE))
    {
      g_signal_stop_emission_by_name (text_view, "paste-clipboard");
      gdk_clipboard_read_texture_async (clipboard, self->cancellable, pasted_texture_cb,
                                        g_object_ref (self));
    }
}

/* ---- mentions --------------------------------------------------------------- */

static void
hide_mention (TernComposer *self)
{
  self->mention_start = -1;
  if (self->mention_popover != NULL && gtk_widget_get_visible (GTK_WIDGET (self->mention_popover)))
    gtk_popover_popdown (self->mention_popover);
}

static gboolean
iter_in_mention (const GtkTextIter *iter)
{
  g_autoptr(GSList) tags = gtk_text_iter_get_tags (iter);

  for (GSList *l = tags; l; l = l->next)
    if (g_object_get_data (l->data, MENTION_NAME_KEY) != NULL)
      return TRUE;
  return FALSE;
}

static gboolean
member_matches (const Member *member,
                const char   *query)
{
  if (*query == '\0')
    return TRUE;
  if (g_str_match_string (query, member->name, TRUE))
    return TRUE;
  if (member->address == NULL)
    return g_str_has_prefix ("all", query);
  if (member->address != NULL)
    {
      g_autofree char *address = g_utf8_casefold (member->address, -1);
      g_autofree char *folded = g_utf8_casefold (query, -1);

      return g_str_has_prefix (address, folded);
    }
  return FALSE;
}

static void
update_mention (TernComposer *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter cursor, iter, at;
  g_autofree char *query = NULL;
  gboolean found = FALSE;
  GtkWidget *child;
  GdkRectangle location;
  int x, y;

  if (self->members == NULL || self->members->len == 0)
    {
      hide_mention (self);
      return;
    }

  gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
  iter = cursor;
  for (int i = 0; i <= MENTION_MAX_QUERY && gtk_text_iter_backward_char (&iter); i++)
    {
      gunichar c = gtk_text_iter_get_char (&iter);

      if (c == '@')
        {
          GtkTextIter before = iter;

          found = !gtk_text_iter_backward_char (&before) ||
                  g_unichar_isspace (gtk_text_iter_get_char (&before)) ||
                  gtk_text_iter_get_char (&before) == '(';
          break;
        }
      if (g_unichar_isspace (c))
        break;
    }
  if (!found || iter_in_mention (&iter))
    {
      hide_mention (self);
      return;
    }

  at = iter;
  gtk_text_iter_forward_char (&iter);
  query = gtk_text_iter_get_text (&iter, &cursor);

  g_ptr_array_set_size (self->mention_matches, 0);
  for (guint i = 0; i < self->members->len; i++)
    if (member_matches (self->members->pdata[i], query))
      g_ptr_array_add (self->mention_matches, self->members->pdata[i]);
  if (self->mention_matches->len == 0)
    {
      hide_mention (self);
      return;
    }

  self->mention_start = gtk_text_iter_get_offset (&at);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->mention_list))) != NULL)
    gtk_list_box_remove (self->mention_list, child);
  for (guint i = 0; i < self->mention_matches->len; i++)
    {
      Member *member = self->mention_matches->pdata[i];
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
      GtkWidget *name = gtk_label_new (member->name);
      GtkWidget *row;

      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_box_append (GTK_BOX (box), name);
      if (member->address != NULL)
        {
          GtkWidget *address = gtk_label_new (member->address);

          gtk_label_set_xalign (GTK_LABEL (address), 0);
          gtk_widget_add_css_class (address, "caption");
          gtk_widget_add_css_class (address, "dim-label");
          gtk_box_append (GTK_BOX (box), address);
        }
      gtk_list_box_append (self->mention_list, box);
      row = GTK_WIDGET (gtk_list_box_get_row_at_index (self->mention_list, (int) i));
      gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      member->name, -1);
    }
  gtk_list_box_select_row (self->mention_list, gtk_list_box_get_row_at_index (self->mention_list, 0));

  gtk_text_view_get_iter_location (self->text_view, &at, &location);
  gtk_text_view_buffer_to_window_coords (self->text_view, GTK_TEXT_WINDOW_WIDGET,
                                         location.x, location.y, &x, &y);
  gtk_popover_set_pointing_to (self->mention_popover,
                               &(GdkRectangle) { x, y, MAX (location.width, 1), location.height });
  if (!gtk_widget_get_visible (GTK_WIDGET (self->mention_popover)))
    gtk_popover_popup (self->mention_popover);
}

/* Inserts "@@name" at @iter as a completed mention of @address (a tag
 * keeps the address; the text is sent as `@"Name":address`). */
static void
insert_tagged_mention (GtkTextBuffer *buffer,
                       GtkTextIter   *iter,
                       const char    *name,
                       const char    *address)
{
  g_autofree char *shown = g_strconcat ("@", name, NULL);
  GtkTextTag *tag = gtk_text_tag_new (NULL);

  g_object_set (tag, "weight", PANGO_WEIGHT_BOLD, NULL);
  g_object_set_data_full (G_OBJECT (tag), MENTION_NAME_KEY, g_strdup (name), g_free);
  g_object_set_data_full (G_OBJECT (tag), MENTION_ADDRESS_KEY, g_strdup (address), g_free);
  gtk_text_tag_table_add (gtk_text_buffer_get_tag_table (buffer), tag);
  g_object_unref (tag);
  gtk_text_buffer_insert_with_tags (buffer, iter, shown, -1, tag, NULL);
}

static void
insert_mention (TernComposer *self,
                Member       *member)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter start, end;
  g_autofree char *shown = g_strconcat ("@", member->address ? member->name : "all", NULL);
  int start_offset = self->mention_start;

  if (start_offset < 0)
    return;

  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_get_iter_at_offset (buffer, &start, start_offset);
  gtk_text_buffer_get_iter_at_mark (buffer, &end, gtk_text_buffer_get_insert (buffer));
  self->mention_start = -1;
  gtk_text_buffer_delete (buffer, &start, &end);
  if (member->address != NULL)
    insert_tagged_mention (buffer, &start, member->name, member->address);
  else
    gtk_text_buffer_insert (buffer, &start, shown, -1);
  gtk_text_buffer_insert (buffer, &start, " ", 1);
  gtk_text_buffer_place_cursor (buffer, &start);
  gtk_text_buffer_end_user_action (buffer);
  hide_mention (self);
}

static void
insert_selected_mention (TernComposer *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->mention_list);
  int index = row ? gtk_list_box_row_get_index (row) : 0;

  if (index >= 0 && (guint) index < self->mention_matches->len)
    insert_mention (self, self->mention_matches->pdata[index]);
}

static void
mention_row_activated_cb (GtkListBox    *list,
                          GtkListBoxRow *row,
                          TernComposer  *self)
{
  int index = gtk_list_box_row_get_index (row);

  if (index >= 0 && (guint) index < self->mention_matches->len)
    insert_mention (self, self->mention_matches->pdata[index]);
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static void
move_mention_selection (TernComposer *self,
                        int           delta)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->mention_list);
  int n = (int) self->mention_matches->len;
  int index = row ? gtk_list_box_row_get_index (row) : 0;

  index = CLAMP (index + delta, 0, n - 1);
  gtk_list_box_select_row (self->mention_list, gtk_list_box_get_row_at_index (self->mention_list, index));
}

static void
collect_mention_tag (GtkTextTag *tag,
                     gpointer    user_data)
{
  if (g_object_get_data (G_OBJECT (tag), MENTION_NAME_KEY) != NULL)
    g_ptr_array_add (user_data, tag);
}

static void
clear_mention_tags (TernComposer *self)
{
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (gtk_text_view_get_buffer (self->text_view));
  g_autoptr(GPtrArray) tags = g_ptr_array_new ();

  gtk_text_tag_table_foreach (table, collect_mention_tag, tags);
  for (guint i = 0; i < tags->len; i++)
    gtk_text_tag_table_remove (table, tags->pdata[i]);
}

/* ---- sending ---------------------------------------------------------------- */

static void
send_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TernComposer *self = TERN_COMPOSER (widget);
  g_autofree char *text = tern_composer_dup_message_text (self);
  g_autofree char *trimmed = NULL;

  if (text_is_blank (text) && self->files->len == 0)
    return;

  /* Leading and trailing blank lines are never meant to be sent. */
  trimmed = g_strstrip (g_strdup (text));
  hide_mention (self);
  g_signal_emit (self, signals[SIGNAL_SEND], 0, trimmed);

  tern_composer_set_text (self, "");
  tern_composer_clear_files (self);
  tern_composer_clear_reply (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static void
cancel_reply_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  TernComposer *self = TERN_COMPOSER (widget);

  tern_composer_clear_reply (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                TernComposer          *self)
{
  GdkModifierType modifiers = state & gtk_accelerator_get_default_mod_mask ();
  gboolean completing = self->mention_start >= 0 &&
                        gtk_widget_get_visible (GTK_WIDGET (self->mention_popover));

  if (completing && modifiers == 0)
    {
      switch (keyval)
        {
        case GDK_KEY_Up:
        case GDK_KEY_KP_Up:
          move_mention_selection (self, -1);
          return GDK_EVENT_STOP;
        case GDK_KEY_Down:
        case GDK_KEY_KP_Down:
          move_mention_selection (self, +1);
          return GDK_EVENT_STOP;
        case GDK_KEY_Return:
        case GDK_KEY_KP_Enter:
        case GDK_KEY_ISO_Enter:
        case GDK_KEY_Tab:
          insert_selected_mention (self);
          return GDK_EVENT_STOP;
        case GDK_KEY_Escape:
          hide_mention (self);
          return GDK_EVENT_STOP;
        default:
          break;
        }
    }

  if (keyval == GDK_KEY_Escape && modifiers == 0 && tern_composer_get_replying (self))
    {
      tern_composer_clear_reply (self);
      return GDK_EVENT_STOP;
    }

  if (keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter && keyval != GDK_KEY_ISO_Enter)
    return GDK_EVENT_PROPAGATE;

  /* Shift+Enter: the text view inserts a new line. */
  if (modifiers & GDK_SHIFT_MASK)
    return GDK_EVENT_PROPAGATE;

  /* Enter (and Ctrl+Enter) send; on an empty composer Enter does nothing
   * rather than inserting a blank line. */
  gtk_widget_activate_action (GTK_WIDGET (self), "composer.send", NULL);
  return GDK_EVENT_STOP;
}

static void
tern_composer_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TernComposer *self = TERN_COMPOSER (object);

  switch (prop_id)
    {
    case PROP_CAN_SEND:
      g_value_set_boolean (value, self->can_send);
      break;

    case PROP_REPLYING:
      g_value_set_boolean (value, tern_composer_get_replying (self));
      break;

    case PROP_N_FILES:
      g_value_set_uint (value, self->files->len);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_composer_dispose (GObject *object)
{
  TernComposer *self = TERN_COMPOSER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (self->chooser);
      g_clear_object (&self->chooser);
    }
  if (self->mention_popover != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->mention_popover));
      self->mention_popover = NULL;
      self->mention_list = NULL;
    }
  gtk_widget_dispose_template (GTK_WIDGET (object), TERN_TYPE_COMPOSER);

  G_OBJECT_CLASS (tern_composer_parent_class)->dispose (object);
}

static void
tern_composer_finalize (GObject *object)
{
  TernComposer *self = TERN_COMPOSER (object);

  for (guint i = 0; i < self->files->len; i++)
    forget_file (self, self->files->pdata[i], TRUE);
  g_clear_pointer (&self->files, g_ptr_array_unref);
  g_clear_pointer (&self->temporary, g_hash_table_unref);
  g_clear_pointer (&self->members, g_ptr_array_unref);
  g_clear_pointer (&self->mention_matches, g_ptr_array_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (tern_composer_parent_class)->finalize (object);
}

static gboolean
tern_composer_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (TERN_COMPOSER (widget)->text_view));
}

static void
tern_composer_class_init (TernComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = tern_composer_get_property;
  object_class->dispose = tern_composer_dispose;
  object_class->finalize = tern_composer_finalize;
  widget_class->grab_focus = tern_composer_grab_focus;

  properties[PROP_CAN_SEND] =
    g_param_spec_boolean ("can-send", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REPLYING] =
    g_param_spec_boolean ("replying", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_FILES] =
    g_param_spec_uint ("n-files", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TernComposer::send:
   * @text: the message, without leading and trailing white space
   *
   * Emitted when the user sends a message that is not blank or has files
   * (@text may then be empty); mentions are in their sent form
   * `@"Name":address`. Read the files with tern_composer_dup_paths() in
   * the handler: the composer clears itself (text, files, reply)
   * afterwards.
   */
  signals[SIGNAL_SEND] =
    g_signal_new ("send",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * TernComposer::attach:
   *
   * Emitted when the user asks to attach a file, before the composer
   * opens its file chooser.
   */
  signals[SIGNAL_ATTACH] =
    g_signal_new ("attach",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ternchat/Tern/tern-composer.ui");
  gtk_widget_class_bind_template_child (widget_class, TernComposer, reply_revealer);
  gtk_widget_class_bind_template_child (widget_class, TernComposer, reply_title);
  gtk_widget_class_bind_template_child (widget_class, TernComposer, reply_excerpt);
  gtk_widget_class_bind_template_child (widget_class, TernComposer, text_view);
  gtk_widget_class_bind_template_child (widget_class, TernComposer, placeholder_label);
  gtk_widget_class_bind_template_child (widget_class, TernComposer, attach_button);
  gtk_widget_class_bind_template_child (widget_class, TernComposer, send_button);
  gtk_widget_class_bind_template_child (widget_class, TernComposer, chips_revealer);
  gtk_widget_class_bind_template_child (widget_class, TernComposer, chips_box);

  gtk_widget_class_install_action (widget_class, "composer.send", NULL, send_activated);
  gtk_widget_class_install_action (widget_class, "composer.attach", NULL, attach_activated);
  gtk_widget_class_install_action (widget_class, "composer.cancel-reply", NULL,
                                   cancel_reply_activated);

  gtk_widget_class_set_css_name (widget_class, "composer");
}

static void
tern_composer_init (TernComposer *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->files = g_ptr_array_new_with_free_func (g_object_unref);
  self->temporary = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->mention_matches = g_ptr_array_new ();
  self->mention_start = -1;
  self->cancellable = g_cancellable_new ();

  /* The mention completion: a popover at the '@' that leaves the focus in
   * the text view (the keys go through key_pressed_cb). */
  self->mention_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->mention_list, GTK_SELECTION_BROWSE);
  gtk_list_box_set_activate_on_single_click (self->mention_list, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->mention_list), "mention-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->mention_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Mention"), -1);
  g_signal_connect (self->mention_list, "row-activated", G_CALLBACK (mention_row_activated_cb),
                    self);
  self->mention_popover = GTK_POPOVER (gtk_popover_new ());
  gtk_popover_set_child (self->mention_popover, GTK_WIDGET (self->mention_list));
  gtk_popover_set_autohide (self->mention_popover, FALSE);
  gtk_popover_set_has_arrow (self->mention_popover, FALSE);
  gtk_popover_set_position (self->mention_popover, GTK_POS_TOP);
  gtk_widget_set_halign (GTK_WIDGET (self->mention_popover), GTK_ALIGN_START);
  gtk_widget_add_css_class (GTK_WIDGET (self->mention_popover), "mention-popover");
  gtk_widget_set_parent (GTK_WIDGET (self->mention_popover), GTK_WIDGET (self->text_view));

  g_signal_connect (self->text_view, "paste-clipboard", G_CALLBACK (paste_clipboard_cb), self);
  g_signal_connect_object (gtk_text_view_get_buffer (self->text_view), "notify::cursor-position",
                           G_CALLBACK (update_mention), self, G_CONNECT_SWAPPED);

  /* Capture phase: runs before the text view's own Enter handling. */
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_name (keys, "tern-composer-keys");
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->text_view), keys);

  g_signal_connect_object (gtk_text_view_get_buffer (self->text_view), "changed",
                           G_CALLBACK (buffer_changed_cb), self, G_CONNECT_SWAPPED);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.cancel-reply", FALSE);
}

TernComposer *
tern_composer_new (void)
{
  return g_object_new (TERN_TYPE_COMPOSER, NULL);
}

/**
 * tern_composer_dup_shown_text:
 *
 * Returns: (transfer full): the text as it shows (a completed mention as
 * `@Name`)
 */
char *
tern_composer_dup_shown_text (TernComposer *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (TERN_IS_COMPOSER (self), NULL);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/**
 * tern_composer_dup_text:
 *
 * Returns: (transfer full): the text to keep, e.g. as the chat's draft:
 * completed mentions in their COI form `@"Name":address`, which
 * tern_composer_set_text() turns back into mentions (the same text as
 * tern_composer_dup_message_text())
 */
char *
tern_composer_dup_text (TernComposer *self)
{
  g_return_val_if_fail (TERN_IS_COMPOSER (self), NULL);

  return tern_composer_dup_message_text (self);
}

/* COI mentions, `@Name:address` or `@"Some Name":address` (the pattern
 * tern_message_body_strip_mentions() shows as `@Name`): 1 or 2 the name,
 * 3 the address. */
static GRegex *
mention_regex (void)
{
  static GRegex *regex;

  if (g_once_init_enter (&regex))
    g_once_init_leave (&regex,
                       g_regex_new ("@(?:\"([^\"\\n]+)\"|([^\\s@\":]+)):"
                                    "([^\\s@<>\"()]+@[^\\s@<>\"(),;]*[^\\s@<>\"(),;.:!?])",
                                    G_REGEX_OPTIMIZE, 0, NULL));
  return regex;
}

/**
 * tern_composer_shown_text_of:
 * @text: (nullable): a text as tern_composer_dup_text() returns it (a draft)
 *
 * Returns: (transfer full): @text as the composer shows it: each mention
 * `@"Name":address` as `@Name` (for one-line previews of a draft)
 */
char *
tern_composer_shown_text_of (const char *text)
{
  if (text == NULL)
    return g_strdup ("");
  if (strchr (text, '@') == NULL)
    return g_strdup (text);
  return g_regex_replace (mention_regex (), text, -1, 0, "@\\1\\2", 0, NULL);
}

/**
 * tern_composer_set_text:
 *
 * Replaces the text (a draft, or a message being edited). Mentions in
 * their COI form show as `@Name` and are sent with their address again.
 */
void
tern_composer_set_text (TernComposer *self,
                        const char   *text)
{
  GtkTextBuffer *buffer;
  g_autoptr(GMatchInfo) match = NULL;
  GtkTextIter end;
  int done = 0;

  g_return_if_fail (TERN_IS_COMPOSER (self));

  if (text == NULL)
    text = "";
  buffer = gtk_text_view_get_buffer (self->text_view);
  hide_mention (self);
  clear_mention_tags (self);
  if (strchr (text, '@') == NULL)
    {
      gtk_text_buffer_set_text (buffer, text, -1);
      return;
    }

  gtk_text_buffer_set_text (buffer, "", 0);
  g_regex_match (mention_regex (), text, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *quoted = g_match_info_fetch (match, 1);
      g_autofree char *bare = g_match_info_fetch (match, 2);
      g_autofree char *address = g_match_info_fetch (match, 3);
      int start, stop;

      g_match_info_fetch_pos (match, 0, &start, &stop);
      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_insert (buffer, &end, text + done, start - done);
      insert_tagged_mention (buffer, &end, quoted && *quoted ? quoted : bare, address);
      done = stop;
      g_match_info_next (match, NULL);
    }
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, text + done, -1);
  gtk_text_buffer_place_cursor (buffer, &end);
  hide_mention (self);
}

gboolean
tern_composer_get_can_send (TernComposer *self)
{
  g_return_val_if_fail (TERN_IS_COMPOSER (self), FALSE);

  return self->can_send;
}

/**
 * tern_composer_set_reply:
 * @sender_name: who wrote the message being replied to
 * @excerpt: the start of that message (shown on one line)
 *
 * Shows the reply bar above the text.
 */
void
tern_composer_set_reply (TernComposer *self,
                         const char   *sender_name,
                         const char   *excerpt)
{
  g_autofree char *title = NULL;
  g_autofree char *one_line = NULL;
  gboolean was_replying;

  g_return_if_fail (TERN_IS_COMPOSER (self));
  g_return_if_fail (sender_name != NULL);

  was_replying = tern_composer_get_replying (self);

  /* Translators: %s is a person's name, above the quoted message */
  title = g_strdup_printf (_("Reply to %s"), sender_name);
  one_line = g_strdup (excerpt ? excerpt : "");
  g_strdelimit (one_line, "\r\n\t", ' ');

  gtk_label_set_text (self->reply_title, title);
  gtk_label_set_text (self->reply_excerpt, g_strstrip (one_line));
  gtk_revealer_set_reveal_child (self->reply_revealer, TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.cancel-reply", TRUE);

  if (!was_replying)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPLYING]);
}

void
tern_composer_clear_reply (TernComposer *self)
{
  g_return_if_fail (TERN_IS_COMPOSER (self));

  if (!tern_composer_get_replying (self))
    return;

  gtk_revealer_set_reveal_child (self->reply_revealer, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.cancel-reply", FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPLYING]);
}

gboolean
tern_composer_get_replying (TernComposer *self)
{
  g_return_val_if_fail (TERN_IS_COMPOSER (self), FALSE);

  return gtk_revealer_get_reveal_child (self->reply_revealer);
}

typedef struct
{
  int         start, end;   /* char offsets */
  GtkTextTag *tag;
} MentionRange;

static int
mention_range_compare (gconstpointer a,
                       gconstpointer b)
{
  return ((const MentionRange *) a)->start - ((const MentionRange *) b)->start;
}

/**
 * tern_composer_dup_message_text:
 *
 * Returns: (transfer full): the text as it is sent: each completed mention
 * (shown as `@Name`) becomes `@"Name":address` (COI, "Mentions in Group
 * Messages"); a mention the user has since edited is sent as typed.
 */
char *
tern_composer_dup_message_text (TernComposer *self)
{
  GtkTextBuffer *buffer;
  GtkTextTagTable *table;
  g_autoptr(GPtrArray) tags = g_ptr_array_new ();
  g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (MentionRange));
  GString *out = g_string_new (NULL);
  GtkTextIter start, end;
  int offset = 0;

  g_return_val_if_fail (TERN_IS_COMPOSER (self), NULL);

  buffer = gtk_text_view_get_buffer (self->text_view);
  table = gtk_text_buffer_get_tag_table (buffer);
  gtk_text_tag_table_foreach (table, collect_mention_tag, tags);
  for (guint i = 0; i < tags->len; i++)
    {
      GtkTextIter iter;

      gtk_text_buffer_get_start_iter (buffer, &iter);
      if (!gtk_text_iter_starts_tag (&iter, tags->pdata[i]) &&
          !gtk_text_iter_forward_to_tag_toggle (&iter, tags->pdata[i]))
        continue;
      while (gtk_text_iter_starts_tag (&iter, tags->pdata[i]))
        {
          MentionRange range = { gtk_text_iter_get_offset (&iter), 0, tags->pdata[i] };

          gtk_text_iter_forward_to_tag_toggle (&iter, tags->pdata[i]);
          range.end = gtk_text_iter_get_offset (&iter);
          g_array_append_val (ranges, range);
          if (!gtk_text_iter_forward_to_tag_toggle (&iter, tags->pdata[i]))
            break;
        }
    }
  g_array_sort (ranges, mention_range_compare);

  for (guint i = 0; i < ranges->len; i++)
    {
      const MentionRange *range = &g_array_index (ranges, MentionRange, i);
      const char *name = g_object_get_data (G_OBJECT (range->tag), MENTION_NAME_KEY);
      const char *address = g_object_get_data (G_OBJECT (range->tag), MENTION_ADDRESS_KEY);
      g_autofree char *shown = NULL;
      g_autofree char *expected = g_strconcat ("@", name, NULL);
      g_autofree char *before = NULL;

      if (range->start < offset)
        continue;
      gtk_text_buffer_get_iter_at_offset (buffer, &start, offset);
      gtk_text_buffer_get_iter_at_offset (buffer, &end, range->start);
      before = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
      g_string_append (out, before);
      gtk_text_buffer_get_iter_at_offset (buffer, &start, range->start);
      gtk_text_buffer_get_iter_at_offset (buffer, &end, range->end);
      shown = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
      if (g_str_equal (shown, expected))
        {
          g_autofree char *quoted = g_strdup (name);

          g_strdelimit (quoted, "\"", '\'');
          g_string_append_printf (out, "@\"%s\":%s", quoted, address);
        }
      else
        g_string_append (out, shown);
      offset = range->end;
    }
  gtk_text_buffer_get_iter_at_offset (buffer, &start, offset);
  gtk_text_buffer_get_end_iter (buffer, &end);
  {
    g_autofree char *rest = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);

    g_string_append (out, rest);
  }
  return g_string_free (out, FALSE);
}

/**
 * tern_composer_add_file:
 *
 * Adds @file to the files sent with the next message (a chip above the
 * text; the same file twice is added once).
 */
void
tern_composer_add_file (TernComposer *self,
                        GFile        *file)
{
  g_return_if_fail (TERN_IS_COMPOSER (self));
  g_return_if_fail (G_IS_FILE (file));

  for (guint i = 0; i < self->files->len; i++)
    if (g_file_equal (self->files->pdata[i], file))
      return;
  g_ptr_array_add (self->files, g_object_ref (file));
  rebuild_chips (self);
}

/* Adds the files of a GdkFileList (a drop, a paste). */
void
tern_composer_add_file_list (TernComposer *self,
                             GdkFileList  *list)
{
  g_autoptr(GSList) files = NULL;

  g_return_if_fail (TERN_IS_COMPOSER (self));

  if (list == NULL)
    return;
  files = gdk_file_list_get_files (list);
  for (GSList *l = files; l; l = l->next)
    tern_composer_add_file (self, l->data);
}

guint
tern_composer_get_n_files (TernComposer *self)
{
  g_return_val_if_fail (TERN_IS_COMPOSER (self), 0);
  return self->files->len;
}

/* (transfer none) */
GFile *
tern_composer_get_file (TernComposer *self,
                        guint         index)
{
  g_return_val_if_fail (TERN_IS_COMPOSER (self), NULL);
  g_return_val_if_fail (index < self->files->len, NULL);
  return self->files->pdata[index];
}

void
tern_composer_remove_file (TernComposer *self,
                           guint         index)
{
  g_return_if_fail (TERN_IS_COMPOSER (self));
  g_return_if_fail (index < self->files->len);

  forget_file (self, self->files->pdata[index], TRUE);
  g_ptr_array_remove_index (self->files, index);
  rebuild_chips (self);
}

void
tern_composer_clear_files (TernComposer *self)
{
  g_return_if_fail (TERN_IS_COMPOSER (self));

  if (self->files->len == 0)
    return;
  for (guint i = 0; i < self->files->len; i++)
    forget_file (self, self->files->pdata[i], TRUE);
  g_ptr_array_set_size (self->files, 0);
  rebuild_chips (self);
}

/**
 * tern_composer_dup_paths:
 *
 * Returns: (transfer full) (nullable): the local paths of the pending
 * files (NULL-terminated), or NULL when there are none
 */
char **
tern_composer_dup_paths (TernComposer *self)
{
  GPtrArray *paths;

  g_return_val_if_fail (TERN_IS_COMPOSER (self), NULL);

  if (self->files->len == 0)
    return NULL;
  paths = g_ptr_array_new ();
  for (guint i = 0; i < self->files->len; i++)
    {
      char *path = g_file_get_path (self->files->pdata[i]);

      if (path != NULL)
        g_ptr_array_add (paths, path);
    }
  g_ptr_array_add (paths, NULL);
  return (char **) g_ptr_array_free (paths, FALSE);
}

/**
 * tern_composer_set_members:
 * @names: (nullable): display names of the people `@` completes
 * @addresses: their addresses (same length)
 *
 * Turns on mention completion for a group (NULL: off, for 1:1 chats).
 * "@all" (everyone) is offered too.
 */
void
tern_composer_set_members (TernComposer       *self,
                           const char * const *names,
                           const char * const *addresses)
{
  g_return_if_fail (TERN_IS_COMPOSER (self));

  hide_mention (self);
  g_clear_pointer (&self->members, g_ptr_array_unref);
  g_ptr_array_set_size (self->mention_matches, 0);
  if (names == NULL || addresses == NULL)
    return;

  self->members = g_ptr_array_new_with_free_func (member_free);
  for (guint i = 0; names[i] != NULL && addresses[i] != NULL; i++)
    {
      Member *member = g_new0 (Member, 1);

      member->name = g_strdup (*names[i] ? names[i] : addresses[i]);
      member->address = g_strdup (addresses[i]);
      g_ptr_array_add (self->members, member);
    }
  {
    Member *everyone = g_new0 (Member, 1);

    /* Translators: the mention completion entry that mentions every member (@all) */
    everyone->name = g_strdup (_("Everyone"));
    g_ptr_array_add (self->members, everyone);
  }
}

/* (transfer none) the mention completion popover (for the tests). */
GtkPopover *
tern_composer_get_mention_popover (TernComposer *self)
{
  g_return_val_if_fail (TERN_IS_COMPOSER (self), NULL);
  return self->mention_popover;
}

/**
 * tern_composer_steal_temporary_paths:
 *
 * Returns: (transfer full) (nullable): the pending files the composer wrote
 * itself (pasted images), which the caller now owns: delete them with
 * tern_composer_delete_temporary_paths() once sent (the outbox keeps its
 * own copy when the message is queued). Call it in the ::send handler;
 * otherwise the composer deletes them when it clears.
 */
char **
tern_composer_steal_temporary_paths (TernComposer *self)
{
  GPtrArray *paths;

  g_return_val_if_fail (TERN_IS_COMPOSER (self), NULL);

  if (g_hash_table_size (self->temporary) == 0)
    return NULL;
  paths = g_ptr_array_new ();
  for (guint i = 0; i < self->files->len; i++)
    {
      g_autofree char *path = g_file_get_path (self->files->pdata[i]);

      if (path != NULL && g_hash_table_remove (self->temporary, path))
        g_ptr_array_add (paths, g_steal_pointer (&path));
    }
  g_ptr_array_add (paths, NULL);
  return (char **) g_ptr_array_free (paths, FALSE);
}

/* Deletes pasted-image files and their temporary directories. */
void
tern_composer_delete_temporary_paths (const char * const *paths)
{
  for (guint i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      g_autofree char *dir = g_path_get_dirname (paths[i]);

      if (g_unlink (paths[i]) != 0)
        g_message ("could not delete %s: %s", paths[i], g_strerror (errno));
      g_rmdir (dir);
    }
}
