/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tern-attachment.h"

G_BEGIN_DECLS

/**
 * TernImageViewer:
 *
 * A window showing one image attachment large, fitted to the window
 * (decoded off the main thread), with Save As; Escape closes it.
 */
#define TERN_TYPE_IMAGE_VIEWER (tern_image_viewer_get_type ())
G_DECLARE_FINAL_TYPE (TernImageViewer, tern_image_viewer, TERN, IMAGE_VIEWER, AdwWindow)

TernImageViewer *tern_image_viewer_new            (GtkWindow       *parent,
                                                   TernAttachment  *attachment);
TernAttachment  *tern_image_viewer_get_attachment (TernImageViewer *self);
/* The decoded image, or NULL while loading or when it could not be read. */
GdkPaintable    *tern_image_viewer_get_paintable  (TernImageViewer *self);

/* Reads the header of an image file (any thread): TRUE and its size when
 * gdk-pixbuf recognises the content as PNG, JPEG, GIF or WebP (whatever
 * type the mail declared: no SVG, TIFF, ICO... loaders ever run on mail)
 * and it has at most @max_pixels pixels. */
gboolean         tern_image_viewer_probe_file      (const char      *path,
                                                    gint64           max_pixels,
                                                    int             *width,
                                                    int             *height,
                                                    GError         **error);

/* Asks where to save a copy of @attachment (a native file chooser, its
 * sanitised name proposed) and copies the file there. */
void             tern_image_viewer_save_attachment (GtkWindow      *parent,
                                                    TernAttachment *attachment);
/* What Save does once a place is chosen: copies the attachment's file to
 * @target (replacing it). */
void             tern_image_viewer_copy_attachment_async  (TernAttachment      *attachment,
                                                           GFile               *target,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean         tern_image_viewer_copy_attachment_finish (GAsyncResult        *result,
                                                           GError             **error);

G_END_DECLS
