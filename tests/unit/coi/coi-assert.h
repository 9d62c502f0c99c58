/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gmime/gmime.h>

G_BEGIN_DECLS

/*
 * The shared assertion of the COI header rules (client spec, COI-NOTES):
 * exactly one From (one mailbox), one Date, one Message-ID of the form
 * <chat$UNIQUE@from-domain> or <chat$group.GROUPID.UNIQUE@from-domain>
 * (GROUPID >= 12 of [0-9A-Za-z_-], equal to Chat-Group-ID when that is
 * present), MIME-Version: 1.0, Chat-Version: 1.0, no Sender, References with
 * at most two ids, In-Reply-To exactly @in_reply_to (absent when NULL),
 * Disposition-Notification-To and Chat-Disposition-Notification-To (when
 * present) naming the From address.
 */
void coi_assert_header_rules (GMimeMessage *message, const char *in_reply_to);

/* The same rules checked on the wire form, which must also be CRLF only,
 * with a 7bit header block and no line over 998 octets. Returns the
 * re-parsed message. */
GMimeMessage *coi_assert_wire_rules (GBytes *bytes, const char *in_reply_to);

/* The group id carried in the Message-ID (NULL when not the group form). */
char *coi_message_id_group (const char *message_id);

G_END_DECLS
