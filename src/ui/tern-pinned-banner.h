/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "tern-chat.h"
#include "tern-message.h"

G_BEGIN_DECLS

#define TERN_TYPE_PINNED_BANNER (tern_pinned_banner_get_type ())

G_DECLARE_FINAL_TYPE (TernPinnedBanner, tern_pinned_banner, TERN, PINNED_BANNER, AdwBin)

/* The bar above a conversation that shows the chat's pinned message (COI
 * client spec, "Pinned Messages"): the newest message of the chat pinned
 * now, read from the store (whether or not the conversation loaded it),
 * followed as pins arrive, expire, are edited or deleted. Clicking it emits
 * ::activated (gint64 message row id: the conversation jumps there); its
 * close button unpins the message on this device, which the store keeps.
 *
 * Properties: chat (TernChat, nullable), message (TernMessage, read-only,
 * the one shown or NULL), busy (gboolean, read-only: a read or an unpin is
 * on its way). */
TernPinnedBanner *tern_pinned_banner_new         (void);
void              tern_pinned_banner_set_chat    (TernPinnedBanner *self,
                                                  TernChat         *chat);
TernChat         *tern_pinned_banner_get_chat    (TernPinnedBanner *self);
/* (transfer none) (nullable) the message shown. */
TernMessage      *tern_pinned_banner_get_message (TernPinnedBanner *self);
gboolean          tern_pinned_banner_get_busy    (TernPinnedBanner *self);
/* What a click does: emits ::activated with the message shown. */
void              tern_pinned_banner_activate    (TernPinnedBanner *self);
/* What the close button does: unpins the message shown (stored). */
void              tern_pinned_banner_unpin       (TernPinnedBanner *self);
/* Reads the pinned message again (also done after a store change that can
 * change it, and when the shown pin times out). */
void              tern_pinned_banner_refresh     (TernPinnedBanner *self);

G_END_DECLS
