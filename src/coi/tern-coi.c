/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-coi"

#include "tern-coi.h"

#include <gmime/gmime.h>

/**
 * tern_coi_init:
 *
 * Initialises GMime once for the process. Safe to call from any thread,
 * any number of times; every entry point of the codec may call it.
 */
void
tern_coi_init (void)
{
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      g_mime_init ();
      g_once_init_leave (&initialised, 1);
    }
}
