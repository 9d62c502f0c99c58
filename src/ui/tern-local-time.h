/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

GTimeZone *tern_local_time_zone (void);

G_END_DECLS
