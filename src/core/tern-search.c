/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-core"

#include "tern-search.h"

/* ---- TernSearchResult ----------------------------------------------------- */

struct _TernSearchResult
{
  GObject      parent_instance;

  TernChat    *chat;
  TernMessage *message;
  char        *snippet;
};

G_DEFINE_FINAL_TYPE (TernSearchResult, tern_search_result, G_TYPE_OBJECT)

enum {
  RESULT_PROP_0,
  RESULT_PROP_CHAT,
  RESULT_PROP_MESSAGE,
  RESULT_PROP_SNIPPET,
  RESULT_N_PROPS
};

static GParamSpec *result_properties[RESULT_N_PROPS];

static void
tern_search_result_finalize (GObject *object)
{
  TernSearchResult *self = (TernSearchResult *) object;

  g_clear_object (&self->chat);
  g_clear_object (&self->message);
  g_free (self->snippet);

  G_OBJECT_CLASS (tern_search_result_parent_class)->finalize (object);
}

static void
tern_search_result_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TernSearchResult *self = TERN_SEARCH_RESULT (object);

  switch (prop_id)
    {
    case RESULT_PROP_CHAT: g_value_set_object (value, self->chat); break;
    case RESULT_PROP_MESSAGE: g_value_set_object (value, self->message); break;
    case RESULT_PROP_SNIPPET: g_value_set_string (value, self->snippet); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_search_result_class_init (TernSearchResultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tern_search_result_finalize;
  object_class->get_property = tern_search_result_get_property;

  result_properties[RESULT_PROP_CHAT] = g_param_spec_object ("chat", NULL, NULL, TERN_TYPE_CHAT, ro);
  result_properties[RESULT_PROP_MESSAGE] = g_param_spec_object ("message", NULL, NULL,
                                                                TERN_TYPE_MESSAGE, ro);
  result_properties[RESULT_PROP_SNIPPET] = g_param_spec_string ("snippet", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, RESULT_N_PROPS, result_properties);
}

static void
tern_search_result_init (TernSearchResult *self)
{
}

static TernSearchResult *
search_result_new (TernChat    *chat,
                   TernMessage *message,
                   const char  *snippet)
{
  TernSearchResult *self = g_object_new (TERN_TYPE_SEARCH_RESULT, NULL);

  self->chat = g_object_ref (chat);
  self->message = message != NULL ? g_object_ref (message) : NULL;
  self->snippet = g_strdup (snippet);
  return self;
}

TernChat *
tern_search_result_get_chat (TernSearchResult *self)
{
  g_return_val_if_fail (TERN_IS_SEARCH_RESULT (self), NULL);
  return self->chat;
}

TernMessage *
tern_search_result_get_message (TernSearchResult *self)
{
  g_return_val_if_fail (TERN_IS_SEARCH_RESULT (self), NULL);
  return self->message;
}

const char *
tern_search_result_get_snippet (TernSearchResult *self)
{
  g_return_val_if_fail (TERN_IS_SEARCH_RESULT (self), NULL);
  return self->snippet;
}

/* ---- TernSearch ----------------------------------------------------------- */

struct _TernSearch
{
  GObject       parent_instance;

  TernStore    *store;
  gint64        account;
  char         *query;
  GCancellable *cancellable;
  GPtrArray    *results;   /* TernSearchResult */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TernSearch, tern_search, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_QUERY,
  PROP_BUSY,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
tern_search_get_item_type (GListModel *model)
{
  return TERN_TYPE_SEARCH_RESULT;
}

static guint
tern_search_get_n_items (GListModel *model)
{
  return TERN_SEARCH (model)->results->len;
}

static gpointer
tern_search_get_item (GListModel *model,
                      guint       position)
{
  TernSearch *self = TERN_SEARCH (model);

  if (position >= self->results->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->results, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = tern_search_get_item_type;
  iface->get_n_items = tern_search_get_n_items;
  iface->get_item = tern_search_get_item;
}

static void
replace_results (TernSearch *self,
                 GPtrArray  *results)
{
  guint removed = self->results->len;

  g_ptr_array_unref (self->results);
  self->results = g_ptr_array_ref (results);
  if (removed > 0 || results->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, results->len);
  if (removed != results->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* Chats are shared between the chat hits and the message hits. */
static TernChat *
chat_for (TernSearch *self,
          GHashTable *chats,
          gint64      id)
{
  TernChat *chat = g_hash_table_lookup (chats, &id);

  if (chat == NULL)
    {
      g_autoptr(TernStoreChatRow) row = tern_store_get_chat (self->store, id, NULL);
      gint64 *key;

      if (row == NULL)
        return NULL;
      chat = tern_chat_new_from_row (self->store, row);
      key = g_new (gint64, 1);
      *key = id;
      g_hash_table_insert (chats, key, chat);
    }
  return chat;
}

static void
search_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(TernSearch) self = user_data;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GArray) chat_ids = NULL;
  g_autoptr(GHashTable) chats = NULL;
  g_autoptr(GError) error = NULL;

  hits = tern_store_search_messages_finish (TERN_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->store == NULL)
    return;

  g_clear_object (&self->cancellable);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);

  if (hits == NULL)
    {
      g_warning ("Search failed: %s", error->message);
      return;
    }

  results = g_ptr_array_new_with_free_func (g_object_unref);
  chats = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);

  chat_ids = tern_store_search_chats (self->store, self->account, self->query,
                                      TERN_SEARCH_MAX_CHATS, NULL);
  for (guint i = 0; chat_ids != NULL && i < chat_ids->len; i++)
    {
      TernChat *chat = chat_for (self, chats, g_array_index (chat_ids, gint64, i));

      if (chat != NULL)
        g_ptr_array_add (results, search_result_new (chat, NULL, NULL));
    }

  for (guint i = 0; i < hits->len; i++)
    {
      TernStoreSearchHit *hit = g_ptr_array_index (hits, i);
      g_autoptr(TernStoreMessageRow) row = tern_store_get_message (self->store, hit->message_id, NULL);
      g_autoptr(TernMessage) message = NULL;
      TernChat *chat;

      if (row == NULL)
        continue;
      chat = chat_for (self, chats, hit->chat_id);
      if (chat == NULL)
        continue;
      message = tern_message_new_from_row (self->store, row);
      g_ptr_array_add (results, search_result_new (chat, message, hit->snippet));
    }

  replace_results (self, results);
}

static void
tern_search_dispose (GObject *object)
{
  TernSearch *self = (TernSearch *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (tern_search_parent_class)->dispose (object);
}

static void
tern_search_finalize (GObject *object)
{
  TernSearch *self = (TernSearch *) object;

  g_free (self->query);
  g_ptr_array_unref (self->results);

  G_OBJECT_CLASS (tern_search_parent_class)->finalize (object);
}

static void
tern_search_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  TernSearch *self = TERN_SEARCH (object);

  switch (prop_id)
    {
    case PROP_QUERY: g_value_set_string (value, self->query); break;
    case PROP_BUSY: g_value_set_boolean (value, tern_search_get_busy (self)); break;
    case PROP_N_ITEMS: g_value_set_uint (value, self->results->len); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_search_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  TernSearch *self = TERN_SEARCH (object);

  switch (prop_id)
    {
    case PROP_QUERY: tern_search_set_query (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_search_class_init (TernSearchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tern_search_dispose;
  object_class->finalize = tern_search_finalize;
  object_class->get_property = tern_search_get_property;
  object_class->set_property = tern_search_set_property;

  properties[PROP_QUERY] =
    g_param_spec_string ("query", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tern_search_init (TernSearch *self)
{
  self->results = g_ptr_array_new_with_free_func (g_object_unref);
}

TernSearch *
tern_search_new (TernStore *store,
                 gint64     account)
{
  TernSearch *self;

  g_return_val_if_fail (TERN_IS_STORE (store), NULL);

  self = g_object_new (TERN_TYPE_SEARCH, NULL);
  self->store = g_object_ref (store);
  self->account = account;
  return self;
}

const char *
tern_search_get_query (TernSearch *self)
{
  g_return_val_if_fail (TERN_IS_SEARCH (self), NULL);
  return self->query;
}

gboolean
tern_search_get_busy (TernSearch *self)
{
  g_return_val_if_fail (TERN_IS_SEARCH (self), FALSE);
  return self->cancellable != NULL;
}

void
tern_search_set_query (TernSearch *self,
                       const char *query)
{
  g_autofree char *stripped = NULL;
  gboolean was_busy;

  g_return_if_fail (TERN_IS_SEARCH (self));

  stripped = g_strstrip (g_strdup (query != NULL ? query : ""));
  if (g_strcmp0 (stripped, self->query != NULL ? self->query : "") == 0)
    return;

  g_free (self->query);
  self->query = g_steal_pointer (&stripped);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUERY]);

  was_busy = self->cancellable != NULL;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (*self->query == '\0')
    {
      g_autoptr(GPtrArray) empty = g_ptr_array_new_with_free_func (g_object_unref);

      replace_results (self, empty);
      if (was_busy)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
      return;
    }

  self->cancellable = g_cancellable_new ();
  tern_store_search_messages_async (self->store, self->account, self->query,
                                    TERN_SEARCH_MAX_MESSAGES, self->cancellable,
                                    search_done_cb, g_object_ref (self));
  if (!was_busy)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}
