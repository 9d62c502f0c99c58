/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-ui"

#include "tern-local-time.h"

/* The local time zone for the rows' times (main thread only; transfer
 * none), looked up again at most once a minute: GLib's
 * g_time_zone_new_local() reads the zone each time here, which was most of
 * the cost of binding a message row. */
GTimeZone *
tern_local_time_zone (void)
{
  static GTimeZone *zone;
  static gint64 looked_up;
  gint64 now = g_get_monotonic_time ();

  if (zone == NULL || now - looked_up > 60 * G_USEC_PER_SEC)
    {
      g_clear_pointer (&zone, g_time_zone_unref);
      zone = g_time_zone_new_local ();
      looked_up = now;
    }
  return zone;
}
