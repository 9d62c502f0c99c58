/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The list models against a real store: every items-changed emission is
 * applied to a shadow list, which must equal a fresh query of the store
 * after every step, over thousands of random changes. */
#include "config.h"

#include "store-test-util.h"
#include "tern-attachment.h"
#include "tern-chat-list.h"
#include "tern-list-diff.h"
#include "tern-message-list.h"
#include "tern-search.h"

typedef struct
{
  char      *dir;
  TernStore *store;
  gint64     account;
  GRand     *rand;
  guint      serial;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = store_test_tmpdir ();
  f->store = tern_store_open (f->dir, &error);
  g_assert_no_error (error);
  f->account = store_test_add_account (f->store, "me@example.test");
  f->rand = g_rand_new_with_seed (GPOINTER_TO_UINT (data) ^ 0x7e51);
}

static void
flush_signals (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  flush_signals ();
  tern_store_close (f->store);
  g_assert_finalize_object (f->store);
  store_test_rm_rf (f->dir);
  g_free (f->dir);
  g_rand_free (f->rand);
}

static void
commit (Fixture        *f,
        TernStoreBatch *batch)
{
  g_autoptr(GError) error = NULL;

  tern_store_commit (f->store, batch, &error);
  g_assert_no_error (error);
  flush_signals ();
}

static gint64
add_chat (Fixture *f)
{
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  g_autofree char *key = g_strdup_printf ("group-%08u-xyz", ++f->serial);
  gint64 ref = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_GROUP, key,
                                             key, 0);

  commit (f, batch);
  return tern_store_batch_get_id (batch, ref);
}

static gint64
add_message (Fixture    *f,
             gint64      chat,
             gint64      time,
             const char *text)
{
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  g_autofree char *mid = g_strdup_printf ("m%u@example.test", ++f->serial);
  TernStoreMessageRow row = store_test_message (f->account, chat, mid, text, time, FALSE, FALSE);
  gint64 ref = tern_store_batch_add_message (batch, &row, 0, 0);

  commit (f, batch);
  return tern_store_batch_get_id (batch, ref);
}

/* ---- the shadow list ------------------------------------------------------ */

typedef struct
{
  GListModel *model;
  GArray     *ids;       /* gint64 */
  guint       emissions;
  guint       removed;
  guint       added;
  gint64    (*id_of) (gpointer item);
} Shadow;

static gint64
chat_id_of (gpointer item)
{
  return tern_chat_get_id (item);
}

static gint64
message_id_of (gpointer item)
{
  return tern_message_get_id (item);
}

static void
shadow_items_changed_cb (GListModel *model,
                         guint       position,
                         guint       removed,
                         guint       added,
                         Shadow     *shadow)
{
  g_assert_cmpuint (position + removed, <=, shadow->ids->len);
  g_array_remove_range (shadow->ids, position, removed);
  for (guint i = 0; i < added; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, position + i);
      gint64 id;

      g_assert_nonnull (item);
      id = shadow->id_of (item);
      g_array_insert_val (shadow->ids, position + i, id);
    }
  shadow->emissions++;
  shadow->removed += removed;
  shadow->added += added;
}

static void
shadow_init (Shadow      *shadow,
             GListModel  *model,
             gint64     (*id_of) (gpointer))
{
  shadow->model = model;
  shadow->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  shadow->id_of = id_of;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      gint64 id = id_of (item);
      g_array_append_val (shadow->ids, id);
    }
  g_signal_connect (model, "items-changed", G_CALLBACK (shadow_items_changed_cb), shadow);
}

static void
shadow_reset_counts (Shadow *shadow)
{
  shadow->emissions = shadow->removed = shadow->added = 0;
}

static void
shadow_clear (Shadow *shadow)
{
  g_signal_handlers_disconnect_by_data (shadow->model, shadow);
  g_array_unref (shadow->ids);
}

static void
assert_same_ids (GArray *a,
                 GArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpint (g_array_index (a, gint64, i), ==, g_array_index (b, gint64, i));
}

/* ---- tern_list_diff_apply ------------------------------------------------- */

typedef struct
{
  GArray *shadow;
  GArray *current;
  guint   removed;
} DiffCheck;

static void
diff_step_cb (guint    position,
              guint    removed,
              guint    added,
              gpointer user_data)
{
  DiffCheck *check = user_data;

  g_array_remove_range (check->shadow, position, removed);
  g_array_insert_vals (check->shadow, position, &g_array_index (check->current, gint64, position),
                       added);
  check->removed += removed;
}

static void
test_list_diff (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  for (guint round = 0; round < 2000; round++)
    {
      g_autoptr(GArray) current = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autoptr(GArray) target = g_array_new (FALSE, FALSE, sizeof (gint64));
      guint n = g_rand_int_range (rand, 0, 60);
      gint64 next = 1;
      DiffCheck check;

      for (guint i = 0; i < n; i++, next++)
        g_array_append_val (current, next);
      /* The target: some rows gone, some moved, some new. */
      for (guint i = 0; i < n; i++)
        if (g_rand_int_range (rand, 0, 10) > 0)
          g_array_append_val (target, g_array_index (current, gint64, i));
      for (guint k = g_rand_int_range (rand, 0, 4); k > 0 && target->len > 1; k--)
        {
          guint from = g_rand_int_range (rand, 0, target->len);
          guint to = g_rand_int_range (rand, 0, target->len);
          gint64 v = g_array_index (target, gint64, from);

          g_array_remove_index (target, from);
          g_array_insert_val (target, MIN (to, target->len), v);
        }
      for (guint k = g_rand_int_range (rand, 0, 4); k > 0; k--, next++)
        g_array_insert_val (target, g_rand_int_range (rand, 0, target->len + 1), next);

      check.shadow = g_array_copy (current);
      check.current = current;
      check.removed = 0;
      tern_list_diff_apply (current, target, diff_step_cb, &check);
      assert_same_ids (current, target);
      assert_same_ids (check.shadow, target);
      g_array_unref (check.shadow);
    }

  /* One row moving to the top is one removal and one insertion. */
  {
    g_autoptr(GArray) current = g_array_new (FALSE, FALSE, sizeof (gint64));
    g_autoptr(GArray) target = g_array_new (FALSE, FALSE, sizeof (gint64));
    DiffCheck check;

    for (gint64 i = 1; i <= 1000; i++)
      g_array_append_val (current, i);
    {
      gint64 moved = 700;
      g_array_append_val (target, moved);
    }
    for (gint64 i = 1; i <= 1000; i++)
      if (i != 700)
        g_array_append_val (target, i);
    check.shadow = g_array_copy (current);
    check.current = current;
    check.removed = 0;
    tern_list_diff_apply (current, target, diff_step_cb, &check);
    g_assert_cmpuint (check.removed, ==, 1);
    assert_same_ids (check.shadow, target);
    g_array_unref (check.shadow);
  }
}

/* ---- TernChatList --------------------------------------------------------- */

static void
assert_chat_list_matches (Fixture *f,
                          Shadow  *shadow,
                          TernStoreChatFilter filter)
{
  g_autoptr(GArray) ids = tern_store_list_chat_ids (f->store, f->account, filter, NULL);

  assert_same_ids (shadow->ids, ids);
  g_assert_cmpuint (g_list_model_get_n_items (shadow->model), ==, ids->len);
}

static void
test_chat_list_random (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(TernChatList) list = NULL;
  g_autoptr(GArray) chats = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 clock = 1700000000;
  Shadow shadow = { 0 };

  for (guint i = 0; i < 40; i++)
    {
      gint64 chat = add_chat (f);
      g_array_append_val (chats, chat);
      add_message (f, chat, clock += 10, "hello");
    }

  list = tern_chat_list_new (f->store, f->account, TERN_STORE_CHAT_FILTER_ACTIVE);
  shadow_init (&shadow, G_LIST_MODEL (list), chat_id_of);
  assert_chat_list_matches (f, &shadow, TERN_STORE_CHAT_FILTER_ACTIVE);

  for (guint step = 0; step < 1500; step++)
    {
      guint op = g_rand_int_range (f->rand, 0, 100);
      gint64 chat = chats->len > 0 ?
        g_array_index (chats, gint64, g_rand_int_range (f->rand, 0, chats->len)) : 0;
      g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
      TernStoreChatRow values = { 0 };

      shadow_reset_counts (&shadow);
      if (op < 55 && chat != 0)
        {
          /* A new message: its chat moves up, nothing else moves. */
          add_message (f, chat, clock += g_rand_int_range (f->rand, 1, 100), "news");
          g_assert_cmpuint (shadow.removed, <=, 1);
          g_assert_cmpuint (shadow.added, <=, 1);
          g_assert_cmpuint (shadow.removed, ==, shadow.added);
        }
      else if (op < 65 && chat != 0)
        {
          values.pinned = g_rand_boolean (f->rand);
          tern_store_batch_update_chat (batch, chat, TERN_STORE_CHAT_FIELD_PINNED, &values);
          commit (f, batch);
        }
      else if (op < 75 && chat != 0)
        {
          values.archived = g_rand_boolean (f->rand);
          tern_store_batch_update_chat (batch, chat, TERN_STORE_CHAT_FIELD_ARCHIVED, &values);
          commit (f, batch);
        }
      else if (op < 82 && chat != 0)
        {
          values.draft = g_rand_boolean (f->rand) ? (char *) "draft text" : NULL;
          tern_store_batch_update_chat (batch, chat, TERN_STORE_CHAT_FIELD_DRAFT, &values);
          commit (f, batch);
          g_assert_cmpuint (shadow.emissions, ==, 0);
        }
      else if (op < 90 && chat != 0)
        {
          tern_store_batch_delete_chat (batch, chat);
          commit (f, batch);
          for (guint i = 0; i < chats->len; i++)
            if (g_array_index (chats, gint64, i) == chat)
              g_array_remove_index (chats, i);
        }
      else
        {
          gint64 fresh = add_chat (f);
          g_array_append_val (chats, fresh);
        }

      assert_chat_list_matches (f, &shadow, TERN_STORE_CHAT_FILTER_ACTIVE);
    }

  /* Same objects for the same ids, with current values. */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    {
      g_autoptr(TernChat) a = g_list_model_get_item (G_LIST_MODEL (list), i);
      g_autoptr(TernChat) b = g_list_model_get_item (G_LIST_MODEL (list), i);
      g_autoptr(TernStoreChatRow) row = tern_store_get_chat (f->store, tern_chat_get_id (a), NULL);

      g_assert_true (a == b);
      g_assert_cmpuint (tern_chat_get_message_count (a), ==, row->message_count);
      g_assert_cmpuint (tern_chat_get_unread_count (a), ==, row->unread_count);
      g_assert_cmpint (tern_chat_get_pinned (a), ==, row->pinned);
    }

  shadow_clear (&shadow);
  g_assert_finalize_object (g_steal_pointer (&list));
}

static void
notify_count_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
test_chat_properties (Fixture       *f,
                      gconstpointer  data)
{
  gint64 chat = add_chat (f);
  g_autoptr(TernChatList) list = NULL;
  g_autoptr(TernChat) item = NULL;
  guint unread_notifies = 0, name_notifies = 0;

  add_message (f, chat, 1700000000, "first line\nsecond line");
  list = tern_chat_list_new (f->store, 0, TERN_STORE_CHAT_FILTER_ALL);
  item = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_cmpstr (tern_chat_get_last_message_preview (item), ==, "first line second line");
  g_assert_cmpuint (tern_chat_get_unread_count (item), ==, 1);
  g_assert_cmpstr (tern_chat_get_last_message_sender (item), ==, "peer@example.test");

  g_signal_connect (item, "notify::unread-count", G_CALLBACK (notify_count_cb), &unread_notifies);
  g_signal_connect (item, "notify::name", G_CALLBACK (notify_count_cb), &name_notifies);
  add_message (f, chat, 1700000100, "again");
  g_assert_cmpuint (tern_chat_get_unread_count (item), ==, 2);
  g_assert_cmpuint (unread_notifies, ==, 1);
  g_assert_cmpuint (name_notifies, ==, 0);

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_mark_chat_read (batch, chat);
    commit (f, batch);
  }
  g_assert_cmpuint (tern_chat_get_unread_count (item), ==, 0);
  g_assert_cmpuint (unread_notifies, ==, 2);
}

/* ---- TernMessageList ------------------------------------------------------ */

static void
assert_message_list_matches (Fixture         *f,
                             TernMessageList *list,
                             Shadow          *shadow)
{
  g_autoptr(GPtrArray) all = tern_store_get_messages_after (f->store,
                                                            tern_message_list_get_chat_id (list),
                                                            NULL, G_MAXINT, NULL);
  g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint first = all->len - MIN (all->len, shadow->ids->len);

  /* The model is the newest rows of the chat, without a gap. */
  for (guint i = first; i < all->len; i++)
    g_array_append_val (expected, ((TernStoreMessageRow *) g_ptr_array_index (all, i))->id);
  assert_same_ids (shadow->ids, expected);
  g_assert_cmpint (tern_message_list_get_has_more (list), ==, first > 0);

  for (guint i = 0; i < shadow->ids->len; i++)
    {
      g_autoptr(TernMessage) m = g_list_model_get_item (shadow->model, i);
      TernStoreMessageRow *row = g_ptr_array_index (all, first + i);

      g_assert_cmpstr (tern_message_get_text (m), ==, row->text);
      g_assert_cmpint (tern_message_get_deleted (m), ==, row->deleted);
    }
}

static void
test_message_list_random (Fixture       *f,
                          gconstpointer  data)
{
  gint64 chat = add_chat (f);
  gint64 other = add_chat (f);
  g_autoptr(TernMessageList) list = NULL;
  g_autoptr(GPtrArray) mids = g_ptr_array_new_with_free_func (g_free);
  Shadow shadow = { 0 };
  gint64 clock = 1700000000;

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    for (guint i = 0; i < 400; i++)
      {
        g_autofree char *mid = g_strdup_printf ("bulk%u@example.test", i);
        TernStoreMessageRow row = store_test_message (f->account, chat, mid, "bulk", clock += 5,
                                                      TRUE, i % 2);
        tern_store_batch_add_message (batch, &row, 0, 0);
        g_ptr_array_add (mids, g_strdup (mid));
      }
    commit (f, batch);
  }

  list = tern_message_list_new (f->store, chat);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, TERN_MESSAGE_LIST_WINDOW);
  g_assert_cmpuint (tern_message_list_get_total (list), ==, 400);
  shadow_init (&shadow, G_LIST_MODEL (list), message_id_of);
  assert_message_list_matches (f, list, &shadow);

  for (guint step = 0; step < 1200; step++)
    {
      guint op = g_rand_int_range (f->rand, 0, 100);
      g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);

      shadow_reset_counts (&shadow);
      if (op < 35)
        {
          /* New, mostly newest; sometimes far in the past (outside the window). */
          gint64 t = g_rand_int_range (f->rand, 0, 4) == 0 ?
            1700000000 + g_rand_int_range (f->rand, 0, 2000) : (clock += 3);
          g_autofree char *mid = g_strdup_printf ("n%u@example.test", ++f->serial);
          TernStoreMessageRow row = store_test_message (f->account,
                                                        g_rand_int_range (f->rand, 0, 5) ? chat : other,
                                                        mid, "new", t, FALSE, FALSE);
          tern_store_batch_add_message (batch, &row, 0, 0);
          g_ptr_array_add (mids, g_steal_pointer (&mid));
          commit (f, batch);
          g_assert_cmpuint (shadow.removed, ==, 0);
          g_assert_cmpuint (shadow.added, <=, 1);
        }
      else if (op < 55 && mids->len > 0)
        {
          const char *target = g_ptr_array_index (mids, g_rand_int_range (f->rand, 0, mids->len));
          g_autofree char *edit = g_strdup_printf ("e%u@example.test", ++f->serial);
          tern_store_batch_edit_message (batch, f->account, target, edit,
                                         g_rand_int_range (f->rand, 0, 4) ? "edited" : NULL, clock);
          commit (f, batch);
          /* Edits and deletes by the sender update rows in place. */
          g_assert_cmpuint (shadow.emissions, ==, 0);
        }
      else if (op < 70 && shadow.ids->len > 0)
        {
          gint64 victim = g_array_index (shadow.ids, gint64,
                                         g_rand_int_range (f->rand, 0, shadow.ids->len));
          tern_store_batch_delete_message (batch, victim);
          commit (f, batch);
          g_assert_cmpuint (shadow.removed, ==, 1);
          g_assert_cmpuint (shadow.added, ==, 0);
        }
      else if (op < 85)
        {
          guint before = shadow.ids->len;
          guint n = tern_message_list_load_older (list, g_rand_int_range (f->rand, 1, 80));
          g_assert_cmpuint (shadow.ids->len, ==, before + n);
          g_assert_cmpuint (shadow.emissions, <=, 1);
        }
      else
        {
          /* Random access never changes the model. */
          guint n = g_list_model_get_n_items (G_LIST_MODEL (list));
          if (n > 0)
            {
              g_autoptr(TernMessage) m = g_list_model_get_item (G_LIST_MODEL (list),
                                                                g_rand_int_range (f->rand, 0, n));
              g_assert_cmpint (tern_message_list_find (list, tern_message_get_id (m)), >=, 0);
            }
          g_assert_cmpuint (shadow.emissions, ==, 0);
        }
      assert_message_list_matches (f, list, &shadow);
    }

  shadow_clear (&shadow);
  g_assert_finalize_object (g_steal_pointer (&list));
}

/* Scrolling through a long chat keeps a bounded number of message objects;
 * evicted rows come back from the store with their latest state, and an
 * object held by somebody (a row widget) is never replaced. */
static void
test_message_list_evict (Fixture       *f,
                         gconstpointer  data)
{
  const guint total = 5000;
  gint64 chat = add_chat (f);
  g_autoptr(TernMessageList) list = NULL;
  g_autoptr(TernMessage) held = NULL;
  g_autoptr(TernMessage) again = NULL;
  guint n;

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    for (guint i = 0; i < total; i++)
      {
        g_autofree char *mid = g_strdup_printf ("ev%u@example.test", i);
        g_autofree char *text = g_strdup_printf ("message %u", i);
        TernStoreMessageRow row = store_test_message (f->account, chat, mid, text,
                                                      1700000000 + i, TRUE, FALSE);
        tern_store_batch_add_message (batch, &row, 0, 0);
      }
    commit (f, batch);
  }

  list = tern_message_list_new (f->store, chat);
  while (tern_message_list_load_older (list, 0) > 0)
    g_assert_cmpuint (tern_message_list_get_n_live (list), <=, TERN_MESSAGE_LIST_MAX_LIVE);
  n = g_list_model_get_n_items (G_LIST_MODEL (list));
  g_assert_cmpuint (n, ==, total);

  /* A widget holds the oldest rows; then the user scrolls to the newest. */
  held = g_list_model_get_item (G_LIST_MODEL (list), 10);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TernMessage) m = g_list_model_get_item (G_LIST_MODEL (list), i);
      g_autofree char *text = g_strdup_printf ("message %u", i);

      g_assert_cmpstr (tern_message_get_text (m), ==, text);
      g_assert_cmpuint (tern_message_list_get_n_live (list), <=, TERN_MESSAGE_LIST_MAX_LIVE + 1);
    }
  again = g_list_model_get_item (G_LIST_MODEL (list), 10);
  g_assert_true (again == held);

  /* An evicted row edited meanwhile comes back edited; the held one is
   * updated in place. */
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    tern_store_batch_edit_message (batch, f->account, "ev20@example.test", "edit20@example.test",
                                   "twenty, edited", 1800000000);
    tern_store_batch_edit_message (batch, f->account, "ev10@example.test", "edit10@example.test",
                                   "ten, edited", 1800000000);
    commit (f, batch);
  }
  g_assert_cmpstr (tern_message_get_text (held), ==, "ten, edited");
  {
    g_autoptr(TernMessage) m = g_list_model_get_item (G_LIST_MODEL (list), 20);
    g_assert_cmpstr (tern_message_get_text (m), ==, "twenty, edited");
    g_assert_true (tern_message_get_edited (m));
  }
  g_assert_cmpint (tern_message_list_find (list, tern_message_get_id (held)), ==, 10);
}

static void
test_message_list_jump (Fixture       *f,
                        gconstpointer  data)
{
  gint64 chat = add_chat (f);
  g_autoptr(TernMessageList) list = NULL;
  gint64 target = 0;

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    gint64 ref = 0;
    for (guint i = 0; i < 1000; i++)
      {
        g_autofree char *mid = g_strdup_printf ("j%u@example.test", i);
        TernStoreMessageRow row = store_test_message (f->account, chat, mid, "x", 1700000000 + i,
                                                      TRUE, FALSE);
        gint64 r = tern_store_batch_add_message (batch, &row, 0, 0);
        if (i == 123)
          ref = r;
      }
    commit (f, batch);
    target = tern_store_batch_get_id (batch, ref);
  }

  list = tern_message_list_new (f->store, chat);
  g_assert_cmpint (tern_message_list_find (list, target), ==, -1);
  g_assert_cmpint (tern_message_list_load_until (list, target), >=, 0);
  {
    int pos = tern_message_list_find (list, target);
    g_autoptr(TernMessage) m = g_list_model_get_item (G_LIST_MODEL (list), pos);
    g_assert_cmpint (tern_message_get_id (m), ==, target);
  }
  /* Not in this chat. */
  g_assert_cmpint (tern_message_list_load_until (list, 987654321), ==, -1);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
test_message_lazy_fields (Fixture       *f,
                          gconstpointer  data)
{
  gint64 chat = add_chat (f);
  gint64 first = add_message (f, chat, 1700000000, "the question");
  g_autoptr(TernMessageList) list = NULL;
  g_autoptr(TernMessage) reply = NULL;
  g_autofree char *geo = NULL;

  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    g_autoptr(TernStoreMessageRow) target = tern_store_get_message (f->store, first, NULL);
    TernStoreMessageRow row = store_test_message (f->account, chat, "answer@example.test",
                                                  "the answer", 1700000100, FALSE, TRUE);
    g_autoptr(GBytes) png = g_bytes_new_static ("\x89PNG fake", 9);
    gint64 ref;

    row.reply_to = target->message_id;
    row.mentions_me = TRUE;
    row.receipt_to = (char *) "bob@example.test";
    row.has_location = TRUE;
    row.latitude = 53.07516;
    row.longitude = 8.80777;
    ref = tern_store_batch_add_message (batch, &row, 0, 0);
    tern_store_batch_add_attachment (batch, ref, png, "image/png", "photo.png");
    commit (f, batch);
  }

  list = tern_message_list_new (f->store, chat);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
  reply = g_list_model_get_item (G_LIST_MODEL (list), 1);
  g_assert_cmpstr (tern_message_get_text (reply), ==, "the answer");
  g_assert_true (tern_message_get_outgoing (reply));
  g_assert_null (tern_message_get_sender_name (reply));
  g_assert_nonnull (tern_message_get_reply_message (reply));
  g_assert_cmpstr (tern_message_get_text (tern_message_get_reply_message (reply)), ==,
                   "the question");
  g_assert_true (tern_message_get_mentions_me (reply));
  g_assert_true (tern_message_get_receipt_requested (reply));
  g_assert_null (tern_message_get_failure_reason (reply));
  {
    /* The reason of a failed send reaches the object as a property change. */
    g_autoptr(TernMessage) question = g_list_model_get_item (G_LIST_MODEL (list), 0);
    g_autoptr(GBytes) raw = g_bytes_new_static ("x", 1);
    const char *rcpts[] = { "bob@example.test", NULL };
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    gint64 entry = tern_store_batch_outbox_add (batch, f->account, first, "q@x", raw, rcpts);
    guint notified = 0;

    g_assert_false (tern_message_get_mentions_me (question));
    tern_store_batch_outbox_failed (batch, entry, "554 5.7.1 rejected");
    g_signal_connect (question, "notify::failure-reason", G_CALLBACK (count_notify_cb), &notified);
    commit (f, batch);
    while (g_main_context_iteration (NULL, FALSE))
      ;
    g_assert_cmpuint (notified, ==, 1);
    g_assert_cmpstr (tern_message_get_failure_reason (question), ==, "554 5.7.1 rejected");
    g_assert_cmpint (tern_message_get_state (question), ==, TERN_MESSAGE_STATE_FAILED);
  }
  geo = tern_message_dup_geo_uri (reply);
  g_assert_cmpstr (geo, ==, "geo:53.075160,8.807770");
  g_assert_cmpuint (g_list_model_get_n_items (tern_message_get_attachments (reply)), ==, 1);
  {
    g_autoptr(TernAttachment) a = g_list_model_get_item (tern_message_get_attachments (reply), 0);
    g_assert_true (tern_attachment_is_image (a));
    g_assert_true (g_file_test (tern_attachment_get_path (a), G_FILE_TEST_IS_REGULAR));
    g_assert_cmpstr (tern_attachment_get_name (a), ==, "photo.png");
  }
}

/* ---- TernSearch ----------------------------------------------------------- */

static void
wait_idle_search (TernSearch *search)
{
  while (tern_search_get_busy (search))
    g_main_context_iteration (NULL, TRUE);
}

static void
search_changed_cb (GListModel *model,
                   guint       position,
                   guint       removed,
                   guint       added,
                   guint      *count)
{
  (*count)++;
}

static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  gint64 chat = add_chat (f);
  g_autoptr(TernSearch) search = tern_search_new (f->store, 0);
  guint changes = 0;

  add_message (f, chat, 1700000000, "Let us meet at the Café tomorrow");
  add_message (f, chat, 1700000100, "unrelated words only");
  add_message (f, chat, 1700000200, "cafe cafe cafe, the best cafe");
  g_signal_connect (search, "items-changed", G_CALLBACK (search_changed_cb), &changes);

  /* A query replaced before it finished never shows its results. */
  tern_search_set_query (search, "unrelated");
  tern_search_set_query (search, "cafe");
  wait_idle_search (search);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (search)), ==, 2);
  g_assert_cmpuint (changes, ==, 1);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(TernSearchResult) r = g_list_model_get_item (G_LIST_MODEL (search), i);
      g_assert_nonnull (tern_search_result_get_message (r));
      g_assert_cmpint (tern_chat_get_id (tern_search_result_get_chat (r)), ==, chat);
      g_assert_nonnull (strstr (tern_search_result_get_snippet (r), TERN_STORE_SNIPPET_START));
      g_assert_null (strstr (tern_message_get_text (tern_search_result_get_message (r)),
                             "unrelated"));
    }

  /* A chat matches by its name. */
  tern_search_set_query (search, "group-0000");
  wait_idle_search (search);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (search)), >=, 1);
  {
    g_autoptr(TernSearchResult) r = g_list_model_get_item (G_LIST_MODEL (search), 0);
    g_assert_null (tern_search_result_get_message (r));
  }

  tern_search_set_query (search, "");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (search)), ==, 0);
  g_assert_false (tern_search_get_busy (search));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/list-diff/random", test_list_diff);
  g_test_add ("/core/chat-list/random", Fixture, GUINT_TO_POINTER (1), fixture_setup,
              test_chat_list_random, fixture_teardown);
  g_test_add ("/core/chat-list/properties", Fixture, GUINT_TO_POINTER (2), fixture_setup,
              test_chat_properties, fixture_teardown);
  g_test_add ("/core/message-list/random", Fixture, GUINT_TO_POINTER (3), fixture_setup,
              test_message_list_random, fixture_teardown);
  g_test_add ("/core/message-list/evict", Fixture, GUINT_TO_POINTER (7), fixture_setup,
              test_message_list_evict, fixture_teardown);
  g_test_add ("/core/message-list/jump", Fixture, GUINT_TO_POINTER (4), fixture_setup,
              test_message_list_jump, fixture_teardown);
  g_test_add ("/core/message/lazy-fields", Fixture, GUINT_TO_POINTER (5), fixture_setup,
              test_message_lazy_fields, fixture_teardown);
  g_test_add ("/core/search/query", Fixture, GUINT_TO_POINTER (6), fixture_setup, test_search,
              fixture_teardown);

  return g_test_run ();
}
