/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <libxml/HTMLparser.h>

#include "tern-coi-info.h"

G_BEGIN_DECLS

/* Parse HTML with libxml2's HTML parser (never fetches anything: NONET,
 * RECOVER, no errors printed). @len bytes of UTF-8 (or as declared by a
 * meta charset). Returns NULL only when nothing could be read. Free with
 * xmlFreeDoc(). */
htmlDocPtr tern_coi_html_parse (const char *html, gsize len);

/* Every top-level h-card of @doc (not the participants of an h-group), in
 * document order. Never NULL. */
GPtrArray *tern_coi_microformats_read_hcards (htmlDocPtr doc);

/* The first h-group of @doc with its participants, or NULL. */
TernCoiHGroup *tern_coi_microformats_read_hgroup (htmlDocPtr doc);

/* The first h-geo: TRUE and the coordinates when both are valid numbers in range. */
gboolean tern_coi_microformats_read_hgeo (htmlDocPtr doc, double *latitude, double *longitude);

/* Mentions in HTML: <a class="mention" href="mailto:ADDR">@Name</a> (and an
 * <a class="mention"> whose text is "@all"). Appended to @mentions
 * (TernCoiMention*), skipping duplicates. */
void tern_coi_microformats_read_mentions_html (htmlDocPtr doc, GPtrArray *mentions);

/* Mentions in plain text: @Name:address, @"Full Name":address, @all. */
void tern_coi_microformats_read_mentions_text (const char *text, GPtrArray *mentions);

/* Decode a data: URI (base64 or percent-encoded). NULL when it is not one or
 * it is larger than @max_bytes decoded. */
GBytes *tern_coi_data_uri_decode (const char *uri, gsize max_bytes, char **mime_type);

G_END_DECLS
