/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-core"

#include "tern-message-list.h"

struct _TernMessageList
{
  GObject     parent_instance;

  TernStore  *store;
  gint64      chat;
  gulong      changed_id;

  GPtrArray  *items;      /* TernMessage, by (sort_key, id) ascending */
  GHashTable *by_id;      /* gint64 row id -> TernMessage (borrowed from items) */
  gboolean    has_more;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TernMessageList, tern_message_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_HAS_MORE,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static int
compare_cursor (gint64 sort_key_a,
                gint64 id_a,
                gint64 sort_key_b,
                gint64 id_b)
{
  if (sort_key_a != sort_key_b)
    return sort_key_a < sort_key_b ? -1 : 1;
  if (id_a != id_b)
    return id_a < id_b ? -1 : 1;
  return 0;
}

/* The position of the first row not before (sort_key, id). */
static guint
lower_bound (TernMessageList *self,
             gint64           sort_key,
             gint64           id)
{
  guint lo = 0, hi = self->items->len;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      TernMessage *m = g_ptr_array_index (self->items, mid);

      if (compare_cursor (tern_message_get_sort_key (m), tern_message_get_id (m), sort_key, id) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
set_has_more (TernMessageList *self,
              gboolean         has_more)
{
  if (self->has_more != has_more)
    {
      self->has_more = has_more;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_MORE]);
    }
}

static void
index_message (TernMessageList *self,
               TernMessage     *message)
{
  gint64 *key = g_new (gint64, 1);

  *key = tern_message_get_id (message);
  g_hash_table_replace (self->by_id, key, message);
}

typedef struct
{
  TernMessageList *self;
  GPtrArray       *loaded;
} CollectData;

static void
collect_row_cb (const TernStoreMessageRow *row,
                gpointer                   user_data)
{
  CollectData *data = user_data;

  g_ptr_array_add (data->loaded, tern_message_new_from_row (data->self->store, row));
}

/* tern_store_foreach_message() walks from the newest row backwards. */
static void
reverse (GPtrArray *array)
{
  for (guint i = 0, j = array->len; i + 1 < j; i++, j--)
    {
      gpointer tmp = array->pdata[i];
      array->pdata[i] = array->pdata[j - 1];
      array->pdata[j - 1] = tmp;
    }
}

static GType
tern_message_list_get_item_type (GListModel *model)
{
  return TERN_TYPE_MESSAGE;
}

static guint
tern_message_list_get_n_items (GListModel *model)
{
  return TERN_MESSAGE_LIST (model)->items->len;
}

static gpointer
tern_message_list_get_item (GListModel *model,
                            guint       position)
{
  TernMessageList *self = TERN_MESSAGE_LIST (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = tern_message_list_get_item_type;
  iface->get_n_items = tern_message_list_get_n_items;
  iface->get_item = tern_message_list_get_item;
}

static void
emit_changed (TernMessageList *self,
              guint            position,
              guint            removed,
              guint            added)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
remove_at (TernMessageList *self,
           guint            position)
{
  TernMessage *message = g_ptr_array_index (self->items, position);
  gint64 id = tern_message_get_id (message);

  g_hash_table_remove (self->by_id, &id);
  g_ptr_array_remove_index (self->items, position);
}

/* Whether a row at (sort_key, id) belongs in the loaded window. */
static gboolean
in_window (TernMessageList *self,
           gint64           sort_key,
           gint64           id)
{
  TernMessage *first;

  if (self->items->len == 0 || !self->has_more)
    return TRUE;
  first = g_ptr_array_index (self->items, 0);
  return compare_cursor (sort_key, id, tern_message_get_sort_key (first),
                         tern_message_get_id (first)) > 0;
}

static int
compare_changes (gconstpointer a,
                 gconstpointer b)
{
  const TernStoreMessageChange *ca = a;
  const TernStoreMessageChange *cb = b;

  return compare_cursor (ca->sort_key, ca->id, cb->sort_key, cb->id);
}

static void
insert_rows (TernMessageList *self,
             GArray          *changes)
{
  g_autoptr(GArray) sorted = NULL;
  guint i = 0;

  sorted = g_array_sized_new (FALSE, FALSE, sizeof (TernStoreMessageChange), changes->len);
  for (guint j = 0; j < changes->len; j++)
    {
      TernStoreMessageChange *c = &g_array_index (changes, TernStoreMessageChange, j);

      if (c->chat_id == self->chat && !g_hash_table_contains (self->by_id, &c->id) &&
          in_window (self, c->sort_key, c->id))
        g_array_append_val (sorted, *c);
    }
  g_array_sort (sorted, compare_changes);

  /* Runs of rows that land next to each other are one items-changed. */
  while (i < sorted->len)
    {
      TernStoreMessageChange *c = &g_array_index (sorted, TernStoreMessageChange, i);
      guint position = lower_bound (self, c->sort_key, c->id);
      guint added = 0;

      while (i < sorted->len)
        {
          TernStoreMessageChange *d = &g_array_index (sorted, TernStoreMessageChange, i);
          g_autoptr(TernStoreMessageRow) row = NULL;
          TernMessage *message;

          if (added > 0 && lower_bound (self, d->sort_key, d->id) != position + added)
            break;
          i++;
          row = tern_store_get_message (self->store, d->id, NULL);
          if (row == NULL || row->chat_id != self->chat)
            continue;
          message = tern_message_new_from_row (self->store, row);
          g_ptr_array_insert (self->items, position + added, message);
          index_message (self, message);
          added++;
        }
      if (added > 0)
        emit_changed (self, position, 0, added);
    }
}

static void
remove_rows (TernMessageList *self,
             GArray          *changes)
{
  for (guint j = 0; j < changes->len; j++)
    {
      TernStoreMessageChange *c = &g_array_index (changes, TernStoreMessageChange, j);
      TernMessage *message = g_hash_table_lookup (self->by_id, &c->id);
      guint position;

      if (message == NULL)
        continue;
      position = lower_bound (self, tern_message_get_sort_key (message), c->id);
      g_assert (g_ptr_array_index (self->items, position) == message);
      remove_at (self, position);
      emit_changed (self, position, 1, 0);
    }
}

static void
update_rows (TernMessageList *self,
             GArray          *changes)
{
  g_autoptr(GArray) moved = g_array_new (FALSE, FALSE, sizeof (TernStoreMessageChange));

  for (guint j = 0; j < changes->len; j++)
    {
      TernStoreMessageChange *c = &g_array_index (changes, TernStoreMessageChange, j);
      TernMessage *message = g_hash_table_lookup (self->by_id, &c->id);
      g_autoptr(TernStoreMessageRow) row = NULL;

      if (message == NULL)
        {
          /* Moved into this chat, or into the window. */
          if (c->chat_id == self->chat)
            g_array_append_val (moved, *c);
          continue;
        }
      row = tern_store_get_message (self->store, c->id, NULL);
      if (row == NULL || row->chat_id != self->chat ||
          row->sort_key != tern_message_get_sort_key (message))
        {
          /* It left the chat or changed place: out now, back in below. */
          TernStoreMessageChange gone = { c->id, self->chat, 0 };
          g_autoptr(GArray) one = g_array_new (FALSE, FALSE, sizeof (TernStoreMessageChange));

          g_array_append_val (one, gone);
          remove_rows (self, one);
          if (row != NULL && row->chat_id == self->chat)
            {
              TernStoreMessageChange back = { row->id, row->chat_id, row->sort_key };
              g_array_append_val (moved, back);
            }
          continue;
        }
      tern_message_update_from_row (message, row);
    }
  if (moved->len > 0)
    insert_rows (self, moved);
}

static void
store_changed_cb (TernStore        *store,
                  TernStoreChanges *changes,
                  TernMessageList  *self)
{
  for (guint j = 0; j < changes->chats_deleted->len; j++)
    if (g_array_index (changes->chats_deleted, gint64, j) == self->chat && self->items->len > 0)
      {
        guint n = self->items->len;

        g_hash_table_remove_all (self->by_id);
        g_ptr_array_set_size (self->items, 0);
        set_has_more (self, FALSE);
        emit_changed (self, 0, n, 0);
        return;
      }

  if (changes->messages_deleted->len > 0)
    remove_rows (self, changes->messages_deleted);
  if (changes->messages_updated->len > 0)
    update_rows (self, changes->messages_updated);
  if (changes->messages_inserted->len > 0)
    insert_rows (self, changes->messages_inserted);
}

static void
tern_message_list_dispose (GObject *object)
{
  TernMessageList *self = (TernMessageList *) object;

  g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_object (&self->store);
  if (self->by_id != NULL)
    g_hash_table_remove_all (self->by_id);
  if (self->items != NULL)
    g_ptr_array_set_size (self->items, 0);

  G_OBJECT_CLASS (tern_message_list_parent_class)->dispose (object);
}

static void
tern_message_list_finalize (GObject *object)
{
  TernMessageList *self = (TernMessageList *) object;

  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (tern_message_list_parent_class)->finalize (object);
}

static void
tern_message_list_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TernMessageList *self = TERN_MESSAGE_LIST (object);

  switch (prop_id)
    {
    case PROP_HAS_MORE:
      g_value_set_boolean (value, self->has_more);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_message_list_class_init (TernMessageListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tern_message_list_dispose;
  object_class->finalize = tern_message_list_finalize;
  object_class->get_property = tern_message_list_get_property;

  properties[PROP_HAS_MORE] = g_param_spec_boolean ("has-more", NULL, NULL, FALSE, ro);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tern_message_list_init (TernMessageList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

TernMessageList *
tern_message_list_new (TernStore *store,
                       gint64     chat)
{
  TernMessageList *self;

  g_return_val_if_fail (TERN_IS_STORE (store), NULL);

  self = g_object_new (TERN_TYPE_MESSAGE_LIST, NULL);
  self->store = g_object_ref (store);
  self->chat = chat;
  self->has_more = TRUE;
  self->changed_id = g_signal_connect (store, "changed", G_CALLBACK (store_changed_cb), self);

  /* Nothing is announced for the first window: the model starts with it. */
  {
    CollectData data = { self, self->items };
    g_autoptr(GError) error = NULL;

    if (!tern_store_foreach_message (store, chat, NULL, TERN_MESSAGE_LIST_WINDOW,
                                     collect_row_cb, &data, &error))
      g_warning ("Could not read messages of chat %" G_GINT64_FORMAT ": %s", chat,
                 error->message);
    reverse (self->items);
    for (guint i = 0; i < self->items->len; i++)
      index_message (self, g_ptr_array_index (self->items, i));
    self->has_more = self->items->len == TERN_MESSAGE_LIST_WINDOW;
  }
  return self;
}

gint64
tern_message_list_get_chat_id (TernMessageList *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE_LIST (self), 0);
  return self->chat;
}

gboolean
tern_message_list_get_has_more (TernMessageList *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE_LIST (self), FALSE);
  return self->has_more;
}

guint
tern_message_list_get_total (TernMessageList *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE_LIST (self), 0);
  return tern_store_count_messages (self->store, self->chat, NULL);
}

guint
tern_message_list_load_older (TernMessageList *self,
                              guint            count)
{
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  TernStoreCursor cursor;
  CollectData data;
  guint fetched, n;

  g_return_val_if_fail (TERN_IS_MESSAGE_LIST (self), 0);

  if (!self->has_more)
    return 0;
  if (count == 0)
    count = TERN_MESSAGE_LIST_WINDOW;

  loaded = g_ptr_array_new_with_free_func (g_object_unref);
  data.self = self;
  data.loaded = loaded;
  if (self->items->len > 0)
    cursor = tern_message_get_cursor (g_ptr_array_index (self->items, 0));
  if (!tern_store_foreach_message (self->store, self->chat,
                                   self->items->len > 0 ? &cursor : NULL, count,
                                   collect_row_cb, &data, &error))
    {
      g_warning ("Could not read older messages: %s", error->message);
      return 0;
    }

  reverse (loaded);
  fetched = loaded->len;
  /* Skip any row a concurrent insert already brought in. */
  for (guint i = 0; i < loaded->len;)
    {
      gint64 id = tern_message_get_id (g_ptr_array_index (loaded, i));
      if (g_hash_table_contains (self->by_id, &id))
        g_ptr_array_remove_index (loaded, i);
      else
        i++;
    }
  n = loaded->len;
  for (guint i = 0; i < loaded->len; i++)
    index_message (self, g_ptr_array_index (loaded, i));
  g_ptr_array_extend_and_steal (loaded, g_steal_pointer (&self->items));
  self->items = g_steal_pointer (&loaded);

  set_has_more (self, fetched == count);
  if (n > 0)
    emit_changed (self, 0, 0, n);
  return n;
}

int
tern_message_list_find (TernMessageList *self,
                        gint64           message)
{
  TernMessage *m;
  guint position;

  g_return_val_if_fail (TERN_IS_MESSAGE_LIST (self), -1);

  m = g_hash_table_lookup (self->by_id, &message);
  if (m == NULL)
    return -1;
  position = lower_bound (self, tern_message_get_sort_key (m), message);
  return (int) position;
}

int
tern_message_list_load_until (TernMessageList *self,
                              gint64           message)
{
  g_autoptr(TernStoreMessageRow) row = NULL;

  g_return_val_if_fail (TERN_IS_MESSAGE_LIST (self), -1);

  row = tern_store_get_message (self->store, message, NULL);
  if (row == NULL || row->chat_id != self->chat)
    return -1;
  while (tern_message_list_find (self, message) < 0 && self->has_more)
    {
      /* One step straight to the row, plus a window of context before it. */
      guint position_before = self->items->len;
      TernStoreCursor target = { row->sort_key, row->id };
      guint needed = 0;

      if (self->items->len > 0)
        {
          TernMessage *first = g_ptr_array_index (self->items, 0);
          if (compare_cursor (target.sort_key, target.id, tern_message_get_sort_key (first),
                              tern_message_get_id (first)) >= 0)
            break;
        }
      needed = TERN_MESSAGE_LIST_WINDOW;
      if (tern_message_list_load_older (self, needed) == 0 && self->items->len == position_before)
        break;
    }
  return tern_message_list_find (self, message);
}
