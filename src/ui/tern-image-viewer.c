/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include <glib/gi18n.h>

#include "tern-image-viewer.h"

/* One image large. The file is decoded in a worker thread (with gdk-pixbuf,
 * refusing images whose header claims absurd dimensions and scaling huge
 * ones down), so opening the viewer never blocks the main loop. Nothing
 * but the local attachment file is read. */

/* Pixel counts above this are refused (a decompression bomb is a few KB). */
#define MAX_PIXELS   (64 * 1024 * 1024)
/* The longest side shown; bigger images are scaled down while decoding. */
#define MAX_SIDE     4096

struct _TernImageViewer
{
  AdwWindow       parent_instance;

  TernAttachment *attachment;
  GCancellable   *cancellable;
  GdkPaintable   *paintable;

  GtkWidget      *stack;
  GtkPicture     *picture;
  GtkLabel       *error_label;
};

G_DEFINE_FINAL_TYPE (TernImageViewer, tern_image_viewer, ADW_TYPE_WINDOW)

/* ---- decoding ------------------------------------------------------------ */

gboolean
tern_image_viewer_probe_file (const char  *path,
                              gint64       max_pixels,
                              int         *width,
                              int         *height,
                              GError     **error)
{
  static const char * const allowed[] = { "png", "jpeg", "gif", "webp", NULL };
  GdkPixbufFormat *format;
  g_autofree char *name = NULL;

  *width = *height = 0;
  format = gdk_pixbuf_get_file_info (path, width, height);
  if (format != NULL)
    name = gdk_pixbuf_format_get_name (format);
  if (name == NULL || !g_strv_contains (allowed, name) || *width <= 0 || *height <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The image could not be read"));
      return FALSE;
    }
  if ((gint64) *width * *height > max_pixels)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The image is too large to show"));
      return FALSE;
    }
  return TRUE;
}

static void
decode_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  const char *path = task_data;
  GError *error = NULL;
  GdkPixbuf *pixbuf;
  int width = 0, height = 0;

  if (!tern_image_viewer_probe_file (path, MAX_PIXELS, &width, &height, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (width > MAX_SIDE || height > MAX_SIDE)
    pixbuf = gdk_pixbuf_new_from_file_at_scale (path, MAX_SIDE, MAX_SIDE, TRUE, &error);
  else
    pixbuf = gdk_pixbuf_new_from_file (path, &error);
  if (pixbuf == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  {
    GdkPixbuf *oriented = gdk_pixbuf_apply_embedded_orientation (pixbuf);

    g_object_unref (pixbuf);
    g_task_return_pointer (task, oriented, g_object_unref);
  }
}

static void
decoded_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(TernImageViewer) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = g_task_propagate_pointer (G_TASK (result), &error);

  if (pixbuf == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          gtk_label_set_text (self->error_label, error->message);
          gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "error");
        }
      return;
    }
  g_clear_object (&self->paintable);
  self->paintable = GDK_PAINTABLE (gdk_texture_new_for_pixbuf (pixbuf));
  gtk_picture_set_paintable (self->picture, self->paintable);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "image");
}

static void
load (TernImageViewer *self)
{
  g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, decoded_cb, g_object_ref (self));

  g_task_set_source_tag (task, load);
  g_task_set_name (task, "[tern-ui] decode image");
  g_task_set_task_data (task, g_strdup (tern_attachment_get_path (self->attachment)), g_free);
  g_task_run_in_thread (task, decode_thread);
}

/* ---- save as ------------------------------------------------------------- */

typedef struct
{
  GtkFileChooserNative *chooser;
  TernAttachment       *attachment;
  GtkWindow            *parent;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_clear_object (&data->chooser);
  g_clear_object (&data->attachment);
  g_clear_weak_pointer (&data->parent);
  g_free (data);
}

static void
copied_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_file_copy_finish (G_FILE (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
tern_image_viewer_copy_attachment_async (TernAttachment      *attachment,
                                         GFile               *target,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GFile) source = NULL;
  GTask *task;

  g_return_if_fail (TERN_IS_ATTACHMENT (attachment));
  g_return_if_fail (G_IS_FILE (target));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_image_viewer_copy_attachment_async);
  g_task_set_name (task, "[tern-ui] save attachment");
  source = tern_attachment_get_file (attachment);
  g_file_copy_async (source, target, G_FILE_COPY_OVERWRITE, G_PRIORITY_DEFAULT, cancellable,
                     NULL, NULL, copied_cb, task);
}

gboolean
tern_image_viewer_copy_attachment_finish (GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GWeakRef *parent_ref = user_data;
  g_autoptr(GtkWindow) parent = g_weak_ref_get (parent_ref);
  g_autoptr(GError) error = NULL;

  g_weak_ref_clear (parent_ref);
  g_free (parent_ref);
  if (!tern_image_viewer_copy_attachment_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      GtkWidget *dialog = adw_message_dialog_new (parent, _("Could Not Save the File"), error->message);

      g_message ("Could not save the attachment: %s", error->message);
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     SaveData        *data)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) target = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (target != NULL)
        {
          GWeakRef *parent_ref = g_new0 (GWeakRef, 1);

          g_weak_ref_init (parent_ref, data->parent);
          tern_image_viewer_copy_attachment_async (data->attachment, target, NULL, saved_cb, parent_ref);
        }
    }
  save_data_free (data);
}

void
tern_image_viewer_save_attachment (GtkWindow      *parent,
                                   TernAttachment *attachment)
{
  SaveData *data;
  const char *name;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (TERN_IS_ATTACHMENT (attachment));

  data = g_new0 (SaveData, 1);
  data->attachment = g_object_ref (attachment);
  g_set_weak_pointer (&data->parent, parent);
  data->chooser = gtk_file_chooser_native_new (_("Save As"), parent, GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (data->chooser), TRUE);
  name = tern_attachment_get_name (attachment);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (data->chooser),
                                     name != NULL && *name != '\0' ? name : _("attachment"));
  g_signal_connect (data->chooser, "response", G_CALLBACK (chooser_response_cb), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (data->chooser));
}

static void
save_clicked_cb (TernImageViewer *self)
{
  tern_image_viewer_save_attachment (GTK_WINDOW (self), self->attachment);
}

/* ---- GObject ------------------------------------------------------------- */

static void
tern_image_viewer_dispose (GObject *object)
{
  TernImageViewer *self = TERN_IMAGE_VIEWER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->paintable);
  g_clear_object (&self->attachment);

  G_OBJECT_CLASS (tern_image_viewer_parent_class)->dispose (object);
}

static void
tern_image_viewer_class_init (TernImageViewerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tern_image_viewer_dispose;

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tern_image_viewer_init (TernImageViewer *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *save = gtk_button_new_from_icon_name ("document-save-as-symbolic");
  GtkWidget *spinner = gtk_spinner_new ();
  GtkWidget *error = gtk_label_new (NULL);

  self->cancellable = g_cancellable_new ();

  gtk_widget_set_tooltip_text (save, _("Save As…"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (save), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Save Image As…"), -1);
  g_signal_connect_swapped (save, "clicked", G_CALLBACK (save_clicked_cb), self);
  gtk_widget_add_css_class (save, "image-viewer-save");
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), save);
  gtk_box_append (GTK_BOX (box), header);

  self->stack = gtk_stack_new ();
  gtk_widget_set_vexpand (self->stack, TRUE);
  gtk_widget_set_hexpand (self->stack, TRUE);

  gtk_spinner_set_spinning (GTK_SPINNER (spinner), TRUE);
  gtk_widget_set_halign (spinner, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (spinner, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (spinner, 32, 32);
  gtk_stack_add_named (GTK_STACK (self->stack), spinner, "loading");

  self->picture = GTK_PICTURE (gtk_picture_new ());
  gtk_picture_set_content_fit (self->picture, GTK_CONTENT_FIT_CONTAIN);
  gtk_picture_set_can_shrink (self->picture, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->picture), "image-viewer-picture");
  gtk_stack_add_named (GTK_STACK (self->stack), GTK_WIDGET (self->picture), "image");

  self->error_label = GTK_LABEL (error);
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_widget_add_css_class (error, "dim-label");
  gtk_stack_add_named (GTK_STACK (self->stack), error, "error");
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "loading");

  gtk_box_append (GTK_BOX (box), self->stack);
  adw_window_set_content (ADW_WINDOW (self), box);
  gtk_widget_add_css_class (GTK_WIDGET (self), "image-viewer");
  gtk_window_set_default_size (GTK_WINDOW (self), 800, 600);
}

/* ---- public API ---------------------------------------------------------- */

TernImageViewer *
tern_image_viewer_new (GtkWindow      *parent,
                       TernAttachment *attachment)
{
  TernImageViewer *self;
  const char *name;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (TERN_IS_ATTACHMENT (attachment), NULL);

  self = g_object_new (TERN_TYPE_IMAGE_VIEWER, NULL);
  if (parent != NULL)
    {
      gtk_window_set_transient_for (GTK_WINDOW (self), parent);
      gtk_window_set_destroy_with_parent (GTK_WINDOW (self), TRUE);
      if (gtk_window_get_application (parent) != NULL)
        gtk_window_set_application (GTK_WINDOW (self), gtk_window_get_application (parent));
    }
  self->attachment = g_object_ref (attachment);
  name = tern_attachment_get_name (attachment);
  gtk_window_set_title (GTK_WINDOW (self), name != NULL && *name != '\0' ? name : _("Image"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->picture), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  gtk_window_get_title (GTK_WINDOW (self)), -1);
  load (self);
  return self;
}

TernAttachment *
tern_image_viewer_get_attachment (TernImageViewer *self)
{
  g_return_val_if_fail (TERN_IS_IMAGE_VIEWER (self), NULL);
  return self->attachment;
}

GdkPaintable *
tern_image_viewer_get_paintable (TernImageViewer *self)
{
  g_return_val_if_fail (TERN_IS_IMAGE_VIEWER (self), NULL);
  return self->paintable;
}
