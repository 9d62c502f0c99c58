/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "tern-message.h"

G_BEGIN_DECLS

/**
 * TernMessageMedia:
 *
 * The attachments and the location of one message, for its row in the
 * conversation: images as thumbnails (decoded off the main thread, kept in
 * a small in-memory cache; a click opens #TernImageViewer), other files as
 * rows with Open and Save As, a location as coordinates with "Open in
 * Maps" (a `geo:` URI). A message without either takes no space (the
 * widget hides itself). Setting a message does no file I/O on the main
 * thread, so it is cheap enough for list-row bind calls.
 */
#define TERN_TYPE_MESSAGE_MEDIA (tern_message_media_get_type ())
G_DECLARE_FINAL_TYPE (TernMessageMedia, tern_message_media, TERN, MESSAGE_MEDIA, GtkWidget)

GtkWidget   *tern_message_media_new         (void);
/* NULL clears. */
void         tern_message_media_set_message (TernMessageMedia *self,
                                             TernMessage      *message);
TernMessage *tern_message_media_get_message (TernMessageMedia *self);

/* The longest side of a thumbnail, in logical pixels. */
#define TERN_MESSAGE_MEDIA_THUMBNAIL_SIZE 240

/* ---- for tests ----------------------------------------------------------- */

/* Called instead of launching the default handler of @uri (geo:, file:);
 * return FALSE to act as if no application could open it. NULL restores
 * the real launcher. */
typedef gboolean (*TernMessageMediaLaunchHook) (const char *uri,
                                                gpointer    user_data);
void         tern_message_media_set_launch_hook (TernMessageMediaLaunchHook hook,
                                                 gpointer                   user_data);
/* How many thumbnails were decoded since start (cache misses). */
guint        tern_message_media_get_decode_count (void);
/* Empties the thumbnail cache. */
void         tern_message_media_clear_cache      (void);

G_END_DECLS
