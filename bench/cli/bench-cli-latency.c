/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-bench"

/* sync.latency_added.ms: runs cli-latency.py (a raw IMAP IDLE client against `tern-cli
 * watch`, see there) with this build's tern-cli. */

#include <glib.h>
#include <stdio.h>
#include <unistd.h>

int
main (int   argc,
      char *argv[])
{
  execlp ("python3", "python3", CLI_LATENCY_SCRIPT, TERN_CLI_PATH, (char *) NULL);
  perror ("bench-cli-latency: python3");
  return 1;
}
