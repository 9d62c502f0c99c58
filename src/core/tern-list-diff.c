/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-core"

#include "tern-list-diff.h"

/* Marks in @keep the elements of @seq (length @n, values distinct) that form
 * a longest strictly increasing subsequence. Patience sorting. */
static void
mark_lis (const guint *seq,
          guint        n,
          gboolean    *keep)
{
  g_autofree guint *tails = g_new (guint, n + 1);   /* index into seq */
  g_autofree guint *prev = g_new (guint, n + 1);
  guint len = 0;

  for (guint i = 0; i < n; i++)
    {
      guint lo = 0, hi = len;

      while (lo < hi)
        {
          guint mid = (lo + hi) / 2;
          if (seq[tails[mid]] < seq[i])
            lo = mid + 1;
          else
            hi = mid;
        }
      prev[i] = lo > 0 ? tails[lo - 1] : G_MAXUINT;
      tails[lo] = i;
      if (lo == len)
        len++;
    }

  for (guint i = len > 0 ? tails[len - 1] : G_MAXUINT; i != G_MAXUINT; i = prev[i])
    keep[i] = TRUE;
}

void
tern_list_diff_apply (GArray           *current,
                      const GArray     *target,
                      TernListDiffFunc  func,
                      gpointer          user_data)
{
  g_autoptr(GHashTable) target_pos = NULL;
  g_autoptr(GHashTable) kept = NULL;
  g_autofree guint *seq = NULL;
  g_autofree guint *seq_old = NULL;
  g_autofree gboolean *keep = NULL;
  const gint64 *t = (const gint64 *) target->data;
  guint n_common = 0;
  guint i;

  target_pos = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (i = 0; i < target->len; i++)
    g_hash_table_insert (target_pos, (gpointer) &t[i], GUINT_TO_POINTER (i + 1));

  /* The target positions of the current rows that stay, in current order. */
  seq = g_new (guint, current->len + 1);
  seq_old = g_new (guint, current->len + 1);
  for (i = 0; i < current->len; i++)
    {
      gpointer pos = g_hash_table_lookup (target_pos, &g_array_index (current, gint64, i));
      if (pos != NULL)
        {
          seq[n_common] = GPOINTER_TO_UINT (pos) - 1;
          seq_old[n_common] = i;
          n_common++;
        }
    }
  keep = g_new0 (gboolean, n_common + 1);
  mark_lis (seq, n_common, keep);

  kept = g_hash_table_new (g_int64_hash, g_int64_equal);
  {
    g_autofree gboolean *stays = g_new0 (gboolean, current->len + 1);

    for (i = 0; i < n_common; i++)
      if (keep[i])
        {
          stays[seq_old[i]] = TRUE;
          g_hash_table_add (kept, (gpointer) &t[seq[i]]);
        }

    /* Remove, from the end, every row that goes or moves. */
    i = current->len;
    while (i > 0)
      {
        guint end = i;

        while (i > 0 && !stays[i - 1])
          i--;
        if (i < end)
          {
            g_array_remove_range (current, i, end - i);
            func (i, end - i, 0, user_data);
          }
        while (i > 0 && stays[i - 1])
          i--;
      }
  }

  /* current is now the kept rows, in target order: insert the others. */
  i = 0;
  while (i < target->len)
    {
      guint start = i;

      while (i < target->len && !g_hash_table_contains (kept, &t[i]))
        i++;
      if (i > start)
        {
          g_array_insert_vals (current, start, &t[start], i - start);
          func (start, 0, i - start, user_data);
        }
      while (i < target->len && g_hash_table_contains (kept, &t[i]))
        i++;
    }

  g_assert (current->len == target->len);
}
