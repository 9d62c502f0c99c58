/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Called after each step, with @current already changed: exactly the
 * arguments of GListModel::items-changed. */
typedef void (*TernListDiffFunc) (guint    position,
                                  guint    removed,
                                  guint    added,
                                  gpointer user_data);

/* Turns @current (gint64 ids, no duplicates) into @target step by step and
 * reports each step. Only rows that really move are removed and inserted:
 * the rows that keep their relative order (a longest increasing
 * subsequence, O(n log n)) stay where they are. Adjacent rows are reported
 * as one range. */
void tern_list_diff_apply (GArray           *current,
                           const GArray     *target,
                           TernListDiffFunc  func,
                           gpointer          user_data);

G_END_DECLS
