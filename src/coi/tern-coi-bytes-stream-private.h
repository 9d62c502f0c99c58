/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gmime/gmime.h>

G_BEGIN_DECLS

/* A read-only GMimeStream over a GBytes (bounded to [start, end), end -1 =
 * the end): the parser reads messages without copying them, and the parts'
 * substreams share the same bytes. */
GMimeStream *tern_coi_bytes_stream_new (GBytes *bytes, gint64 start, gint64 end);

/* The bytes a stream made by tern_coi_bytes_stream_new () (or one of its
 * substreams) covers, without copying; NULL for any other stream. */
const char *tern_coi_bytes_stream_peek (GMimeStream *stream, gsize *len);

G_END_DECLS
