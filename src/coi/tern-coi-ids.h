/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * TERN_COI_GROUP_ID_LEN:
 *
 * Length of the group ids Tern generates (the spec asks for at least 12).
 */
#define TERN_COI_GROUP_ID_LEN 16

char    *tern_coi_ids_new_group_id (void);
gboolean tern_coi_ids_group_id_is_valid (const char *group_id);
char    *tern_coi_ids_new_message_id (const char *domain, const char *group_id);
char    *tern_coi_ids_domain_of (const char *address);

G_END_DECLS
