/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-core"

#include "tern-message-list.h"

/* The list is a window ending at the newest message: one entry per row,
 * with the row's place (sort_key, id) and, while it is wanted, its
 * TernMessage. Objects are made on demand and dropped again when more than
 * TERN_MESSAGE_LIST_MAX_LIVE exist, farthest from the last position asked
 * for first, never one somebody else holds (a row widget): scrolling
 * through 100,000 messages keeps 24 bytes per row, not the ~0.5 KB of a
 * message object. Positions never change by eviction. */
typedef struct
{
  gint64       sort_key;
  gint64       id;
  TernMessage *message;   /* owned; NULL when not made or evicted */
} Entry;

struct _TernMessageList
{
  GObject     parent_instance;

  TernStore  *store;
  gint64      chat;
  gulong      changed_id;

  GArray     *items;      /* Entry, by (sort_key, id) ascending */
  GHashTable *by_id;      /* gint64 row id (key owned) -> sort_key (gint64, same block) */
  guint       n_live;     /* entries with a message */
  guint       last_position;
  gboolean    has_more;
};

#define ENTRY(self, i) (&g_array_index ((self)->items, Entry, (i)))

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
      Entry *e = ENTRY (self, mid);

      if (compare_cursor (e->sort_key, e->id, sort_key, id) < 0)
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
index_entry (TernMessageList *self,
             const Entry     *entry)
{
  gint64 *pair = g_new (gint64, 2);

  pair[0] = entry->id;
  pair[1] = entry->sort_key;
  g_hash_table_replace (self->by_id, &pair[0], &pair[1]);
}

static void
clear_entry (gpointer data)
{
  Entry *entry = data;

  g_clear_object (&entry->message);
}

typedef struct
{
  TernMessageList *self;
  GArray          *loaded;  /* Entry */
} CollectData;

/* The window a model opens with, or grows by, is made into objects at
 * once: those are the rows about to be shown. */
static void
collect_row_cb (const TernStoreMessageRow *row,
                gpointer                   user_data)
{
  CollectData *data = user_data;
  Entry entry = { row->sort_key, row->id, tern_message_new_from_row (data->self->store, row) };

  g_array_append_val (data->loaded, entry);
}

/* tern_store_foreach_message() walks from the newest row backwards. */
static void
reverse (GArray *array)
{
  for (guint i = 0, j = array->len; i + 1 < j; i++, j--)
    {
      Entry tmp = g_array_index (array, Entry, i);
      g_array_index (array, Entry, i) = g_array_index (array, Entry, j - 1);
      g_array_index (array, Entry, j - 1) = tmp;
    }
}

/* Drops the objects farthest from the last position asked for until at
 * most half of TERN_MESSAGE_LIST_MAX_LIVE are left, keeping any object that
 * is referenced elsewhere (a row widget shows it). Runs once per
 * MAX_LIVE / 2 new objects, so its O(n) walk is amortised. */
static void
evict (TernMessageList *self)
{
  guint keep = TERN_MESSAGE_LIST_MAX_LIVE / 2;
  guint n = self->items->len;
  guint lo, hi;

  if (self->n_live <= TERN_MESSAGE_LIST_MAX_LIVE)
    return;
  /* Entries inside [lo, hi) around the last position stay. */
  lo = self->last_position > keep / 2 ? self->last_position - keep / 2 : 0;
  hi = MIN (n, lo + keep);
  for (guint i = 0; i < n && self->n_live > keep; i++)
    {
      Entry *e = ENTRY (self, i);

      if (e->message == NULL || (i >= lo && i < hi))
        continue;
      if (G_OBJECT (e->message)->ref_count > 1)
        continue;
      g_clear_object (&e->message);
      self->n_live--;
    }
}

/* The object of the entry at @position, made from its row if needed. */
static TernMessage *
materialize (TernMessageList *self,
             guint            position)
{
  Entry *e = ENTRY (self, position);
  g_autoptr(TernStoreMessageRow) row = NULL;
  g_autoptr(GError) error = NULL;

  self->last_position = position;
  if (e->message != NULL)
    return e->message;
  row = tern_store_get_message (self->store, e->id, &error);
  if (row == NULL)
    {
      /* Deleted meanwhile: the store's change signal removes the entry
       * soon; until then the model shows what it knew. */
      g_debug ("Message %" G_GINT64_FORMAT " is gone: %s", e->id,
               error ? error->message : "not found");
      return NULL;
    }
  e->message = tern_message_new_from_row (self->store, row);
  self->n_live++;
  if (self->n_live > TERN_MESSAGE_LIST_MAX_LIVE)
    {
      TernMessage *message = g_object_ref (e->message);

      evict (self);
      g_object_unref (message);
    }
  return e->message;
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

  TernMessage *message;

  if (position >= self->items->len)
    return NULL;
  message = materialize (self, position);
  if (message == NULL)
    {
      /* The row went away between its deletion and the change signal: a
       * placeholder keeps the list consistent for that moment. */
      Entry *e = ENTRY (self, position);
      TernStoreMessageRow row = { .id = e->id, .chat_id = self->chat, .sort_key = e->sort_key,
                                  .message_id = (char *) "", .deleted = TRUE };

      return tern_message_new_from_row (self->store, &row);
    }
  return g_object_ref (message);
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
  Entry *e = ENTRY (self, position);

  g_hash_table_remove (self->by_id, &e->id);
  if (e->message != NULL)
    self->n_live--;
  g_array_remove_index (self->items, position);
}

/* Whether a row at (sort_key, id) belongs in the loaded window. */
static gboolean
in_window (TernMessageList *self,
           gint64           sort_key,
           gint64           id)
{
  Entry *first;

  if (self->items->len == 0 || !self->has_more)
    return TRUE;
  first = ENTRY (self, 0);
  return compare_cursor (sort_key, id, first->sort_key, first->id) > 0;
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
          Entry entry;

          if (added > 0 && lower_bound (self, d->sort_key, d->id) != position + added)
            break;
          i++;
          row = tern_store_get_message (self->store, d->id, NULL);
          if (row == NULL || row->chat_id != self->chat)
            continue;
          /* New rows are what the user is about to see: made at once. */
          entry.sort_key = row->sort_key;
          entry.id = row->id;
          entry.message = tern_message_new_from_row (self->store, row);
          g_array_insert_val (self->items, position + added, entry);
          index_entry (self, &entry);
          self->n_live++;
          added++;
        }
      if (added > 0)
        emit_changed (self, position, 0, added);
    }
  evict (self);
}

static void
remove_rows (TernMessageList *self,
             GArray          *changes)
{
  for (guint j = 0; j < changes->len; j++)
    {
      TernStoreMessageChange *c = &g_array_index (changes, TernStoreMessageChange, j);
      gint64 *sort_key = g_hash_table_lookup (self->by_id, &c->id);
      guint position;

      if (sort_key == NULL)
        continue;
      position = lower_bound (self, *sort_key, c->id);
      g_assert (ENTRY (self, position)->id == c->id);
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
      gint64 *sort_key = g_hash_table_lookup (self->by_id, &c->id);
      g_autoptr(TernStoreMessageRow) row = NULL;
      Entry *entry;

      if (sort_key == NULL)
        {
          /* Moved into this chat, or into the window. */
          if (c->chat_id == self->chat)
            g_array_append_val (moved, *c);
          continue;
        }
      row = tern_store_get_message (self->store, c->id, NULL);
      if (row == NULL || row->chat_id != self->chat || row->sort_key != *sort_key)
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
      /* An object not made (or evicted) reads the new row when it is. */
      entry = ENTRY (self, lower_bound (self, row->sort_key, row->id));
      if (entry->message != NULL)
        tern_message_update_from_row (entry->message, row);
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
        g_array_set_size (self->items, 0);
        self->n_live = 0;
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
    g_array_set_size (self->items, 0);
  self->n_live = 0;

  G_OBJECT_CLASS (tern_message_list_parent_class)->dispose (object);
}

static void
tern_message_list_finalize (GObject *object)
{
  TernMessageList *self = (TernMessageList *) object;

  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->items, g_array_unref);

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
  self->items = g_array_new (FALSE, FALSE, sizeof (Entry));
  g_array_set_clear_func (self->items, clear_entry);
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
      index_entry (self, ENTRY (self, i));
    self->n_live = self->items->len;
    self->last_position = self->items->len > 0 ? self->items->len - 1 : 0;
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
  g_autoptr(GArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  TernStoreCursor cursor;
  CollectData data;
  guint fetched, n;

  g_return_val_if_fail (TERN_IS_MESSAGE_LIST (self), 0);

  if (!self->has_more)
    return 0;
  if (count == 0)
    count = TERN_MESSAGE_LIST_WINDOW;

  loaded = g_array_new (FALSE, FALSE, sizeof (Entry));
  g_array_set_clear_func (loaded, clear_entry);
  data.self = self;
  data.loaded = loaded;
  if (self->items->len > 0)
    {
      cursor.sort_key = ENTRY (self, 0)->sort_key;
      cursor.id = ENTRY (self, 0)->id;
    }
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
      if (g_hash_table_contains (self->by_id, &g_array_index (loaded, Entry, i).id))
        g_array_remove_index (loaded, i);
      else
        i++;
    }
  n = loaded->len;
  for (guint i = 0; i < loaded->len; i++)
    index_entry (self, &g_array_index (loaded, Entry, i));
  /* The entries move over (objects and all); nothing is cleared twice. */
  g_array_set_clear_func (loaded, NULL);
  g_array_prepend_vals (self->items, loaded->data, loaded->len);
  self->n_live += n;
  self->last_position = 0;

  set_has_more (self, fetched == count);
  if (n > 0)
    emit_changed (self, 0, 0, n);
  evict (self);
  return n;
}

int
tern_message_list_find (TernMessageList *self,
                        gint64           message)
{
  gint64 *sort_key;

  g_return_val_if_fail (TERN_IS_MESSAGE_LIST (self), -1);

  sort_key = g_hash_table_lookup (self->by_id, &message);
  if (sort_key == NULL)
    return -1;
  return (int) lower_bound (self, *sort_key, message);
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
          Entry *first = ENTRY (self, 0);
          if (compare_cursor (target.sort_key, target.id, first->sort_key, first->id) >= 0)
            break;
        }
      needed = TERN_MESSAGE_LIST_WINDOW;
      if (tern_message_list_load_older (self, needed) == 0 && self->items->len == position_before)
        break;
    }
  return tern_message_list_find (self, message);
}

guint
tern_message_list_get_n_live (TernMessageList *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE_LIST (self), 0);
  return self->n_live;
}
