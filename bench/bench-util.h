/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers the benchmarks share (header only: each benchmark is its own
 * executable). */

#include <glib.h>
#include <stdlib.h>
#include <string.h>

static inline int
bench_compare_doubles (const void *a,
                       const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The median of @n values (the mean of the middle two when @n is even);
 * sorts @v. */
static inline double
bench_median (double *v,
              guint   n)
{
  qsort (v, n, sizeof (double), bench_compare_doubles);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Chat message @i of the sync benchmark's mailbox (bench-core-sync fills
 * the server with them; bench-coi-parse's "sync" corpus parses the same):
 * one of 200 chats, a line of text, ~380 bytes. @base makes the Message-IDs
 * of one run unique. */
static inline char *
bench_sync_message (guint   i,
                    guint32 base)
{
  guint chat = i % 200;

  return g_strdup_printf (
    "From: Peer %u <peer%u@example.test>\r\nTo: <carol@example.test>\r\n"
    "Date: %s\r\nMessage-ID: <chat$bench.%08x.%u@example.test>\r\n"
    "Subject: Chat: message %u\r\nChat-Version: 1.0\r\nMIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    "Message %u of the benchmark, chat %u: a line of ordinary chat text that is about as "
    "long as a typical message.\r\n",
    chat, chat, "Fri, 27 Nov 2026 10:00:00 +0000", base, i, i, i, chat);
}
