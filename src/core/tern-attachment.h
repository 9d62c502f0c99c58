/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "tern-store.h"

G_BEGIN_DECLS

/**
 * TernAttachment:
 *
 * A file received or sent with a message, stored once on disk under its
 * content hash. The name is the sanitised original name (for "Save As").
 */
#define TERN_TYPE_ATTACHMENT (tern_attachment_get_type ())
G_DECLARE_FINAL_TYPE (TernAttachment, tern_attachment, TERN, ATTACHMENT, GObject)

TernAttachment *tern_attachment_new_from_row  (TernStore                    *store,
                                               const TernStoreAttachmentRow *row);

const char     *tern_attachment_get_hash      (TernAttachment *self);
const char     *tern_attachment_get_path      (TernAttachment *self);
const char     *tern_attachment_get_mime_type (TernAttachment *self);
const char     *tern_attachment_get_name      (TernAttachment *self);
gint64          tern_attachment_get_size      (TernAttachment *self);
gboolean        tern_attachment_is_image      (TernAttachment *self);
GFile          *tern_attachment_get_file      (TernAttachment *self);
/* The path of the preview image the sender attached (smaller than the image
 * itself: show it instead of decoding the full file), or NULL. */
const char     *tern_attachment_get_preview_path (TernAttachment *self);

G_END_DECLS
