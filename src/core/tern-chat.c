/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-core"

#include "tern-chat.h"
#include "tern-core-error.h"

struct _TernChat
{
  GObject       parent_instance;

  TernStore    *store;
  gint64        id;
  gint64        account_id;
  TernChatKind  kind;
  char         *key;
  gint64        contact_id;
  char         *name;
  char         *description;
  char         *avatar_hash;
  char         *avatar_path;
  /* A 1:1 chat without an avatar shows its contact's: read on first use. */
  gboolean      contact_avatar_read;
  char         *contact_avatar_hash;
  char         *contact_avatar_path;
  gboolean      muted;
  gboolean      archived;
  gboolean      pinned;
  char         *draft;
  gint64        last_activity;
  guint         unread_count;
  guint         message_count;
  char         *preview;
  char         *last_sender_address;
  char         *last_sender;
};

G_DEFINE_TYPE (TernChat, tern_chat, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (TernChatKind, tern_chat_kind,
                    G_DEFINE_ENUM_VALUE (TERN_CHAT_KIND_DIRECT, "direct"),
                    G_DEFINE_ENUM_VALUE (TERN_CHAT_KIND_GROUP, "group"),
                    G_DEFINE_ENUM_VALUE (TERN_CHAT_KIND_MAILING_LIST, "mailing-list"))

enum {
  PROP_0,
  PROP_ID,
  PROP_ACCOUNT_ID,
  PROP_KIND,
  PROP_NAME,
  PROP_DESCRIPTION,
  PROP_AVATAR_PATH,
  PROP_MUTED,
  PROP_ARCHIVED,
  PROP_PINNED,
  PROP_DRAFT,
  PROP_HAS_DRAFT,
  PROP_LAST_ACTIVITY,
  PROP_UNREAD_COUNT,
  PROP_MESSAGE_COUNT,
  PROP_LAST_MESSAGE_PREVIEW,
  PROP_LAST_MESSAGE_SENDER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* A preview is one line: the first line of the text, at most this long. */
#define PREVIEW_CHARS 120

static char *
make_preview (const char *text)
{
  g_autoptr(GString) s = NULL;
  const char *p;
  guint n = 0;

  if (text == NULL)
    return NULL;

  s = g_string_new (NULL);
  for (p = text; *p != '\0' && n < PREVIEW_CHARS; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n' || c == '\r' || c == '\t')
        c = ' ';
      if (c == ' ' && s->len > 0 && s->str[s->len - 1] == ' ')
        continue;
      g_string_append_unichar (s, c);
    }
  if (*p != '\0')
    g_string_append (s, "…");
  return g_strstrip (g_string_free (g_steal_pointer (&s), FALSE));
}

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static char *
display_name (const TernStoreChatRow *row)
{
  if (row->name != NULL && *row->name != '\0')
    return g_strdup (row->name);
  return g_strdup (row->key != NULL ? row->key : "");
}

static char *
sender_name (TernStore  *store,
             gint64      account,
             const char *address)
{
  g_autoptr(TernStoreContactRow) contact = NULL;

  if (address == NULL)
    return NULL;
  contact = tern_store_find_contact (store, account, address, NULL);
  if (contact != NULL && contact->display_name != NULL && *contact->display_name != '\0')
    return g_strdup (contact->display_name);
  return g_strdup (address);
}

static gboolean
uses_contact_avatar (TernChat *self)
{
  return self->avatar_path == NULL && self->kind == TERN_CHAT_KIND_DIRECT && self->contact_id > 0;
}

/* Reads the contact's avatar; TRUE when its file changed. */
static gboolean
read_contact_avatar (TernChat *self)
{
  g_autoptr(TernStoreContactRow) contact = NULL;
  g_autoptr(GError) error = NULL;
  const char *hash;

  self->contact_avatar_read = TRUE;
  contact = tern_store_get_contact (self->store, self->contact_id, &error);
  if (contact == NULL && !g_error_matches (error, TERN_STORE_ERROR, TERN_STORE_ERROR_NOT_FOUND))
    g_debug ("could not read contact %" G_GINT64_FORMAT ": %s", self->contact_id, error->message);
  hash = contact != NULL ? contact->avatar : NULL;
  if (!set_string (&self->contact_avatar_hash, hash))
    return FALSE;
  g_clear_pointer (&self->contact_avatar_path, g_free);
  if (hash != NULL)
    self->contact_avatar_path = tern_store_get_attachment_path (self->store, hash);
  return TRUE;
}

static void
tern_chat_finalize (GObject *object)
{
  TernChat *self = (TernChat *) object;

  g_clear_object (&self->store);
  g_free (self->key);
  g_free (self->name);
  g_free (self->description);
  g_free (self->avatar_hash);
  g_free (self->avatar_path);
  g_free (self->contact_avatar_hash);
  g_free (self->contact_avatar_path);
  g_free (self->draft);
  g_free (self->preview);
  g_free (self->last_sender_address);
  g_free (self->last_sender);

  G_OBJECT_CLASS (tern_chat_parent_class)->finalize (object);
}

static void
tern_chat_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  TernChat *self = TERN_CHAT (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_int64 (value, self->id); break;
    case PROP_ACCOUNT_ID: g_value_set_int64 (value, self->account_id); break;
    case PROP_KIND: g_value_set_enum (value, self->kind); break;
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_DESCRIPTION: g_value_set_string (value, self->description); break;
    case PROP_AVATAR_PATH: g_value_set_string (value, tern_chat_get_avatar_path (self)); break;
    case PROP_MUTED: g_value_set_boolean (value, self->muted); break;
    case PROP_ARCHIVED: g_value_set_boolean (value, self->archived); break;
    case PROP_PINNED: g_value_set_boolean (value, self->pinned); break;
    case PROP_DRAFT: g_value_set_string (value, self->draft); break;
    case PROP_HAS_DRAFT: g_value_set_boolean (value, tern_chat_get_has_draft (self)); break;
    case PROP_LAST_ACTIVITY: g_value_set_int64 (value, self->last_activity); break;
    case PROP_UNREAD_COUNT: g_value_set_uint (value, self->unread_count); break;
    case PROP_MESSAGE_COUNT: g_value_set_uint (value, self->message_count); break;
    case PROP_LAST_MESSAGE_PREVIEW: g_value_set_string (value, self->preview); break;
    case PROP_LAST_MESSAGE_SENDER: g_value_set_string (value, tern_chat_get_last_message_sender (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_chat_class_init (TernChatClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tern_chat_finalize;
  object_class->get_property = tern_chat_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_ACCOUNT_ID] = g_param_spec_int64 ("account-id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, TERN_TYPE_CHAT_KIND,
                                             TERN_CHAT_KIND_DIRECT, ro);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, NULL, ro);
  properties[PROP_AVATAR_PATH] = g_param_spec_string ("avatar-path", NULL, NULL, NULL, ro);
  properties[PROP_MUTED] = g_param_spec_boolean ("muted", NULL, NULL, FALSE, ro);
  properties[PROP_ARCHIVED] = g_param_spec_boolean ("archived", NULL, NULL, FALSE, ro);
  properties[PROP_PINNED] = g_param_spec_boolean ("pinned", NULL, NULL, FALSE, ro);
  properties[PROP_DRAFT] = g_param_spec_string ("draft", NULL, NULL, NULL, ro);
  properties[PROP_HAS_DRAFT] = g_param_spec_boolean ("has-draft", NULL, NULL, FALSE, ro);
  properties[PROP_LAST_ACTIVITY] = g_param_spec_int64 ("last-activity", NULL, NULL,
                                                       G_MININT64, G_MAXINT64, 0, ro);
  properties[PROP_UNREAD_COUNT] = g_param_spec_uint ("unread-count", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_MESSAGE_COUNT] = g_param_spec_uint ("message-count", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_LAST_MESSAGE_PREVIEW] = g_param_spec_string ("last-message-preview", NULL, NULL,
                                                               NULL, ro);
  properties[PROP_LAST_MESSAGE_SENDER] = g_param_spec_string ("last-message-sender", NULL, NULL,
                                                              NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tern_chat_init (TernChat *self)
{
}

TernChat *
tern_chat_new_from_row (TernStore              *store,
                        const TernStoreChatRow *row)
{
  TernChat *self;

  g_return_val_if_fail (TERN_IS_STORE (store), NULL);
  g_return_val_if_fail (row != NULL, NULL);

  self = g_object_new (TERN_TYPE_CHAT, NULL);
  self->store = g_object_ref (store);
  self->id = row->id;
  self->account_id = row->account_id;
  self->kind = (TernChatKind) row->kind;
  self->key = g_strdup (row->key);
  g_object_freeze_notify (G_OBJECT (self));
  tern_chat_update_from_row (self, row);
  g_object_thaw_notify (G_OBJECT (self));
  return self;
}

gboolean
tern_chat_update_from_row (TernChat               *self,
                           const TernStoreChatRow *row)
{
  g_autofree char *name = NULL;
  g_autofree char *preview = NULL;
  gboolean had_draft;
  gboolean changed = FALSE;

  g_return_val_if_fail (TERN_IS_CHAT (self), FALSE);
  g_return_val_if_fail (row->id == self->id, FALSE);

#define NOTIFY(prop) G_STMT_START { \
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]); changed = TRUE; \
  } G_STMT_END

  g_object_freeze_notify (G_OBJECT (self));

  if (self->contact_id != row->contact_id)
    {
      self->contact_id = row->contact_id;
      if (self->contact_avatar_read)
        {
          /* Read again when asked (only if someone asked before). */
          self->contact_avatar_read = FALSE;
          g_clear_pointer (&self->contact_avatar_hash, g_free);
          g_clear_pointer (&self->contact_avatar_path, g_free);
          if (self->avatar_path == NULL)
            NOTIFY (PROP_AVATAR_PATH);
        }
    }

  name = display_name (row);
  if (set_string (&self->name, name))
    NOTIFY (PROP_NAME);
  if (set_string (&self->description, row->description))
    NOTIFY (PROP_DESCRIPTION);
  if (set_string (&self->avatar_hash, row->avatar))
    {
      g_clear_pointer (&self->avatar_path, g_free);
      if (row->avatar != NULL)
        self->avatar_path = tern_store_get_attachment_path (self->store, row->avatar);
      NOTIFY (PROP_AVATAR_PATH);
    }
  else if (self->contact_avatar_read && uses_contact_avatar (self) && read_contact_avatar (self))
    /* The contact's picture changed (the chat list updates every loaded
     * chat when contacts change); only chats whose avatar was shown ask. */
    NOTIFY (PROP_AVATAR_PATH);
  if (self->muted != !!row->muted)
    {
      self->muted = !!row->muted;
      NOTIFY (PROP_MUTED);
    }
  if (self->archived != !!row->archived)
    {
      self->archived = !!row->archived;
      NOTIFY (PROP_ARCHIVED);
    }
  if (self->pinned != !!row->pinned)
    {
      self->pinned = !!row->pinned;
      NOTIFY (PROP_PINNED);
    }
  had_draft = tern_chat_get_has_draft (self);
  if (set_string (&self->draft, row->draft))
    {
      NOTIFY (PROP_DRAFT);
      if (had_draft != tern_chat_get_has_draft (self))
        NOTIFY (PROP_HAS_DRAFT);
    }
  if (self->last_activity != row->last_activity)
    {
      self->last_activity = row->last_activity;
      NOTIFY (PROP_LAST_ACTIVITY);
    }
  if (self->unread_count != row->unread_count)
    {
      self->unread_count = row->unread_count;
      NOTIFY (PROP_UNREAD_COUNT);
    }
  if (self->message_count != row->message_count)
    {
      self->message_count = row->message_count;
      NOTIFY (PROP_MESSAGE_COUNT);
    }
  preview = make_preview (row->last_text);
  if (set_string (&self->preview, preview))
    NOTIFY (PROP_LAST_MESSAGE_PREVIEW);
  if (set_string (&self->last_sender_address, row->last_sender))
    {
      g_clear_pointer (&self->last_sender, g_free);
      NOTIFY (PROP_LAST_MESSAGE_SENDER);
    }

  g_object_thaw_notify (G_OBJECT (self));

#undef NOTIFY
  return changed;
}

TernStore *
tern_chat_get_store (TernChat *self)
{
  g_return_val_if_fail (TERN_IS_CHAT (self), NULL);
  return self->store;
}

gint64
tern_chat_get_id (TernChat *self)
{
  g_return_val_if_fail (TERN_IS_CHAT (self), 0);
  return self->id;
}

gint64
tern_chat_get_account_id (TernChat *self)
{
  g_return_val_if_fail (TERN_IS_CHAT (self), 0);
  return self->account_id;
}

TernChatKind
tern_chat_get_kind (TernChat *self)
{
  g_return_val_if_fail (TERN_IS_CHAT (self), TERN_CHAT_KIND_DIRECT);
  return self->kind;
}

const char *
tern_chat_get_key (TernChat *self)
{
  g_return_val_if_fail (TERN_IS_CHAT (self), NULL);
  return self->key;
}

gint64
tern_chat_get_contact_id (TernChat *self)
{
  g_return_val_if_fail (TERN_IS_CHAT (self), 0);
  return self->contact_id;
}

const char *
tern_chat_get_name (TernChat *self)
{
  g_return_val_if_fail (TERN_IS_CHAT (self), NULL);
  return self->name;
}

const char *
tern_chat_get_description (TernChat *self)
{
  g_return_val_if_fail (TERN_IS_CHAT (self), NULL);
  return self->description;
}

const char *
tern_chat_get_avatar_path (TernChat *self)
{
  g_return_val_if_fail (TERN_IS_CHAT (self), NULL);

  if (!uses_contact_avatar (self))
    return self->avatar_path;
  if (!self->contact_avatar_read)
    read_contact_avatar (self);
  return self->contact_avatar_path;
}

gboolean
tern_chat_get_muted (TernChat *self)
{
  g_return_val_if_fail (TERN_IS_CHAT (self), FALSE);
  return self->muted;
}

gboolean
tern_chat_get_archived (TernChat *self)
{
  g_return_val_if_fail (TERN_IS_CHAT (self), FALSE);
  return self->archived;
}

gboolean
tern_chat_get_pinned (TernChat *self)
{
  g_return_val_if_fail (TERN_IS_CHAT (self), FALSE);
  return self->pinned;
}

const char *
tern_chat_get_draft (TernChat *self)
{
  g_return_val_if_fail (TERN_IS_CHAT (self), NULL);
  return self->draft;
}

gboolean
tern_chat_get_has_draft (TernChat *self)
{
  g_return_val_if_fail (TERN_IS_CHAT (self), FALSE);
  return self->draft != NULL && *self->draft != '\0';
}

gint64
tern_chat_get_last_activity (TernChat *self)
{
  g_return_val_if_fail (TERN_IS_CHAT (self), 0);
  return self->last_activity;
}

guint
tern_chat_get_unread_count (TernChat *self)
{
  g_return_val_if_fail (TERN_IS_CHAT (self), 0);
  return self->unread_count;
}

guint
tern_chat_get_message_count (TernChat *self)
{
  g_return_val_if_fail (TERN_IS_CHAT (self), 0);
  return self->message_count;
}

const char *
tern_chat_get_last_message_preview (TernChat *self)
{
  g_return_val_if_fail (TERN_IS_CHAT (self), NULL);
  return self->preview;
}

const char *
tern_chat_get_last_message_sender (TernChat *self)
{
  g_return_val_if_fail (TERN_IS_CHAT (self), NULL);

  if (self->kind == TERN_CHAT_KIND_DIRECT || self->last_sender_address == NULL)
    return NULL;
  /* Resolved on first use: only the rows on screen ask. */
  if (self->last_sender == NULL)
    self->last_sender = sender_name (self->store, self->account_id, self->last_sender_address);
  return self->last_sender;
}

gboolean
tern_chat_get_last_message_outgoing (TernChat *self)
{
  g_return_val_if_fail (TERN_IS_CHAT (self), FALSE);
  return self->message_count > 0 && self->last_sender_address == NULL;
}

/* ---- local changes ------------------------------------------------------- */

static void
commit_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!tern_store_commit_finish (TERN_STORE (source), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
update_chat_async (TernChat            *self,
                   TernStoreChatFields  fields,
                   const TernStoreChatRow *values,
                   gboolean             delete,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(TernStoreBatch) batch = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, update_chat_async);
  g_task_set_name (task, "[tern-core] chat change");

  batch = tern_store_begin_batch (self->store);
  if (delete)
    tern_store_batch_delete_chat (batch, self->id);
  else
    tern_store_batch_update_chat (batch, self->id, fields, values);
  tern_store_commit_async (self->store, batch, cancellable, commit_cb, g_steal_pointer (&task));
}

void
tern_chat_set_draft_async (TernChat            *self,
                           const char          *draft,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  TernStoreChatRow values = { 0 };

  g_return_if_fail (TERN_IS_CHAT (self));
  values.draft = (draft != NULL && *draft != '\0') ? (char *) draft : NULL;
  update_chat_async (self, TERN_STORE_CHAT_FIELD_DRAFT, &values, FALSE, cancellable, callback,
                     user_data);
}

void
tern_chat_set_pinned_async (TernChat            *self,
                            gboolean             pinned,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  TernStoreChatRow values = { 0 };

  g_return_if_fail (TERN_IS_CHAT (self));
  values.pinned = pinned;
  update_chat_async (self, TERN_STORE_CHAT_FIELD_PINNED, &values, FALSE, cancellable, callback,
                     user_data);
}

void
tern_chat_set_muted_async (TernChat            *self,
                           gboolean             muted,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  TernStoreChatRow values = { 0 };

  g_return_if_fail (TERN_IS_CHAT (self));
  values.muted = muted;
  update_chat_async (self, TERN_STORE_CHAT_FIELD_MUTED, &values, FALSE, cancellable, callback,
                     user_data);
}

void
tern_chat_set_archived_async (TernChat            *self,
                              gboolean             archived,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  TernStoreChatRow values = { 0 };

  g_return_if_fail (TERN_IS_CHAT (self));
  values.archived = archived;
  update_chat_async (self, TERN_STORE_CHAT_FIELD_ARCHIVED, &values, FALSE, cancellable, callback,
                     user_data);
}

void
tern_chat_delete_async (TernChat            *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (TERN_IS_CHAT (self));
  update_chat_async (self, 0, NULL, TRUE, cancellable, callback, user_data);
}

gboolean
tern_chat_change_finish (TernChat      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- the pinned message -------------------------------------------------- */

static void
pinned_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TernStoreMessageRow) row = NULL;
  TernChat *self = g_task_get_source_object (task);

  row = tern_store_get_pinned_message_finish (TERN_STORE (source), result, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (row == NULL)
    g_task_return_pointer (task, NULL, NULL);
  else
    g_task_return_pointer (task, tern_message_new_from_row (self->store, row), g_object_unref);
}

void
tern_chat_get_pinned_message_async (TernChat            *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TERN_IS_CHAT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_chat_get_pinned_message_async);
  g_task_set_name (task, "[tern-core] pinned message");
  tern_store_get_pinned_message_async (self->store, self->id, g_get_real_time () / G_USEC_PER_SEC,
                                       cancellable, pinned_read_cb, g_steal_pointer (&task));
}

TernMessage *
tern_chat_get_pinned_message_finish (TernChat      *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        tern_chat_get_pinned_message_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
tern_chat_unpin_message_async (TernChat            *self,
                               gint64               message,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(TernStoreBatch) batch = NULL;
  g_autoptr(TernStoreMessageRow) row = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (TERN_IS_CHAT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_chat_unpin_message_async);
  g_task_set_name (task, "[tern-core] unpin message");

  /* Only a message of this chat. */
  row = tern_store_get_message (self->store, message, &error);
  if (row == NULL)
    {
      g_task_return_new_error (task, TERN_CORE_ERROR,
                               g_error_matches (error, TERN_STORE_ERROR, TERN_STORE_ERROR_NOT_FOUND)
                               ? TERN_CORE_ERROR_NOT_FOUND : TERN_CORE_ERROR_STORE,
                               "%s", error->message);
      return;
    }
  if (row->chat_id != self->id)
    {
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_INVALID,
                               "Message %" G_GINT64_FORMAT " is not in chat %" G_GINT64_FORMAT,
                               message, self->id);
      return;
    }

  batch = tern_store_begin_batch (self->store);
  tern_store_batch_set_pinned (batch, message, 0);
  tern_store_commit_async (self->store, batch, cancellable, commit_cb, g_steal_pointer (&task));
}
