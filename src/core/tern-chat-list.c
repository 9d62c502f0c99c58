/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-core"

#include "tern-chat-list.h"
#include "tern-list-diff.h"

/* How many rows are read at once when a view asks for one not loaded. */
#define PAGE_SIZE 64

struct _TernChatList
{
  GObject              parent_instance;

  TernStore           *store;
  gint64               account;
  TernStoreChatFilter  filter;
  gulong               changed_id;

  GArray              *ids;      /* gint64, in list order */
  GHashTable          *chats;    /* gint64 id -> TernChat (the loaded ones) */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TernChatList, tern_chat_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
load_page (TernChatList *self,
           guint         position)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  guint start = position >= PAGE_SIZE / 4 ? position - PAGE_SIZE / 4 : 0;
  guint end = MIN (self->ids->len, start + PAGE_SIZE);
  g_autoptr(GArray) wanted = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = start; i < end; i++)
    {
      gint64 id = g_array_index (self->ids, gint64, i);
      if (!g_hash_table_contains (self->chats, &id))
        g_array_append_val (wanted, id);
    }
  if (wanted->len == 0)
    return;

  rows = tern_store_get_chats (self->store, (gint64 *) wanted->data, wanted->len, &error);
  if (rows == NULL)
    {
      g_warning ("Could not read chats: %s", error->message);
      return;
    }
  for (guint i = 0; i < rows->len; i++)
    {
      TernStoreChatRow *row = g_ptr_array_index (rows, i);
      TernChat *chat = tern_chat_new_from_row (self->store, row);
      gint64 *key = g_new (gint64, 1);

      *key = row->id;
      g_hash_table_replace (self->chats, key, chat);
    }
}

static GType
tern_chat_list_get_item_type (GListModel *model)
{
  return TERN_TYPE_CHAT;
}

static guint
tern_chat_list_get_n_items (GListModel *model)
{
  return TERN_CHAT_LIST (model)->ids->len;
}

static gpointer
tern_chat_list_get_item (GListModel *model,
                         guint       position)
{
  TernChatList *self = TERN_CHAT_LIST (model);
  TernChat *chat;
  gint64 id;

  if (position >= self->ids->len)
    return NULL;

  id = g_array_index (self->ids, gint64, position);
  chat = g_hash_table_lookup (self->chats, &id);
  if (chat == NULL)
    {
      load_page (self, position);
      chat = g_hash_table_lookup (self->chats, &id);
    }
  return chat != NULL ? g_object_ref (chat) : NULL;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = tern_chat_list_get_item_type;
  iface->get_n_items = tern_chat_list_get_n_items;
  iface->get_item = tern_chat_list_get_item;
}

static void
items_changed_cb (guint    position,
                  guint    removed,
                  guint    added,
                  gpointer user_data)
{
  g_list_model_items_changed (G_LIST_MODEL (user_data), position, removed, added);
}

static void
update_loaded (TernChatList *self,
               GArray       *ids)
{
  g_autoptr(GArray) loaded = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) rows = NULL;

  for (guint i = 0; i < ids->len; i++)
    if (g_hash_table_contains (self->chats, &g_array_index (ids, gint64, i)))
      g_array_append_val (loaded, g_array_index (ids, gint64, i));
  if (loaded->len == 0)
    return;

  rows = tern_store_get_chats (self->store, (gint64 *) loaded->data, loaded->len, NULL);
  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      TernStoreChatRow *row = g_ptr_array_index (rows, i);
      TernChat *chat = g_hash_table_lookup (self->chats, &row->id);

      if (chat != NULL)
        tern_chat_update_from_row (chat, row);
    }
}

void
tern_chat_list_refresh (TernChatList *self)
{
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  guint old_len;

  g_return_if_fail (TERN_IS_CHAT_LIST (self));

  ids = tern_store_list_chat_ids (self->store, self->account, self->filter, &error);
  if (ids == NULL)
    {
      g_warning ("Could not read the chat list: %s", error->message);
      return;
    }

  old_len = self->ids->len;
  tern_list_diff_apply (self->ids, ids, items_changed_cb, self);

  /* Forget the objects of chats that left the list. */
  {
    GHashTableIter iter;
    gpointer key;
    g_autoptr(GHashTable) present = g_hash_table_new (g_int64_hash, g_int64_equal);

    for (guint i = 0; i < self->ids->len; i++)
      g_hash_table_add (present, &g_array_index (self->ids, gint64, i));
    g_hash_table_iter_init (&iter, self->chats);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      if (!g_hash_table_contains (present, key))
        g_hash_table_iter_remove (&iter);
  }

  if (old_len != self->ids->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
store_changed_cb (TernStore        *store,
                  TernStoreChanges *changes,
                  TernChatList     *self)
{
  if (changes->chats_inserted->len == 0 &&
      changes->chats_updated->len == 0 &&
      changes->chats_deleted->len == 0 &&
      changes->contacts_changed->len == 0)
    return;

  /* In-place updates first, so rows that move carry their new values. */
  update_loaded (self, changes->chats_updated);
  if (changes->contacts_changed->len > 0)
    {
      /* A contact's name shows as the name of its 1:1 chats. */
      g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, self->chats);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_array_append_val (all, *(gint64 *) key);
      update_loaded (self, all);
    }
  tern_chat_list_refresh (self);
}

static void
tern_chat_list_dispose (GObject *object)
{
  TernChatList *self = (TernChatList *) object;

  g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_object (&self->store);
  g_clear_pointer (&self->chats, g_hash_table_unref);

  G_OBJECT_CLASS (tern_chat_list_parent_class)->dispose (object);
}

static void
tern_chat_list_finalize (GObject *object)
{
  TernChatList *self = (TernChatList *) object;

  g_array_unref (self->ids);

  G_OBJECT_CLASS (tern_chat_list_parent_class)->finalize (object);
}

static void
tern_chat_list_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TernChatList *self = TERN_CHAT_LIST (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->ids->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_chat_list_class_init (TernChatListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tern_chat_list_dispose;
  object_class->finalize = tern_chat_list_finalize;
  object_class->get_property = tern_chat_list_get_property;

  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tern_chat_list_init (TernChatList *self)
{
  self->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->chats = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
}

TernChatList *
tern_chat_list_new (TernStore           *store,
                    gint64               account,
                    TernStoreChatFilter  filter)
{
  TernChatList *self;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (TERN_IS_STORE (store), NULL);

  self = g_object_new (TERN_TYPE_CHAT_LIST, NULL);
  self->store = g_object_ref (store);
  self->account = account;
  self->filter = filter;
  self->changed_id = g_signal_connect (store, "changed", G_CALLBACK (store_changed_cb), self);

  ids = tern_store_list_chat_ids (store, account, filter, &error);
  if (ids != NULL)
    g_array_append_vals (self->ids, ids->data, ids->len);
  else
    g_warning ("Could not read the chat list: %s", error->message);
  return self;
}

TernStore *
tern_chat_list_get_store (TernChatList *self)
{
  g_return_val_if_fail (TERN_IS_CHAT_LIST (self), NULL);
  return self->store;
}

int
tern_chat_list_find (TernChatList *self,
                     gint64        chat)
{
  g_return_val_if_fail (TERN_IS_CHAT_LIST (self), -1);

  for (guint i = 0; i < self->ids->len; i++)
    if (g_array_index (self->ids, gint64, i) == chat)
      return (int) i;
  return -1;
}

TernChat *
tern_chat_list_lookup (TernChatList *self,
                       gint64        chat_id)
{
  TernChat *chat;
  g_autoptr(TernStoreChatRow) row = NULL;

  g_return_val_if_fail (TERN_IS_CHAT_LIST (self), NULL);

  chat = g_hash_table_lookup (self->chats, &chat_id);
  if (chat != NULL)
    return g_object_ref (chat);
  row = tern_store_get_chat (self->store, chat_id, NULL);
  return row != NULL ? tern_chat_new_from_row (self->store, row) : NULL;
}
