/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "tern-coi-builder.h"

G_BEGIN_DECLS

/*
 * HTML writing for the builder: escaping and the microformats (h-card,
 * h-group, h-geo, mentions). Everything written is well-formed, every text
 * value is escaped, and properties that are for machines only sit in
 * elements with style="display: none".
 */

void  tern_coi_html_append_escaped (GString *out, const char *text);
char *tern_coi_html_escape (const char *text);
void  tern_coi_html_append_text (GString *out, const char *text);
void  tern_coi_html_append_mention (GString *out, const char *name, const char *address);
void  tern_coi_html_append_data_uri (GString *out, GBytes *data, const char *mime_type);
void  tern_coi_html_append_hcard (GString *out, const TernCoiCard *card, gboolean with_hash);
void  tern_coi_html_append_hgroup (GString            *out,
                                   const TernCoiGroup *group,
                                   const char         *group_id,
                                   gboolean            storage);
void  tern_coi_html_append_hgeo (GString *out, double latitude, double longitude);
char *tern_coi_html_document (const char *body);

G_END_DECLS
