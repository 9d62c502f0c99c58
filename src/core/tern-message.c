/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-core"

#include "tern-attachment.h"
#include "tern-message.h"

struct _TernMessage
{
  GObject           parent_instance;

  TernStore        *store;
  gint64            id;
  gint64            chat_id;
  gint64            account_id;
  char             *message_id;
  gint64            sort_key;
  gboolean          outgoing;
  char             *sender_address;
  gint64            sender_contact_id;
  char             *sender_name;
  gint64            sent_time;
  gint64            received_time;
  TernMessageKind   kind;
  TernMessageState  state;
  gboolean          seen;
  gboolean          edited;
  gboolean          deleted;
  char             *subject;
  char             *text;
  char             *quote;
  char             *reply_to;
  gint64            pinned_until;
  gboolean          has_location;
  double            latitude;
  double            longitude;
  guint             n_attachments;
  gboolean          mentions_me;
  gboolean          receipt_requested;
  char             *failure_reason;

  /* looked up on demand */
  GDateTime        *sent_dt;
  GDateTime        *received_dt;
  GListStore       *attachments;
  TernMessage      *reply_message;
  gboolean          reply_looked_up;
};

G_DEFINE_TYPE (TernMessage, tern_message, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (TernMessageState, tern_message_state,
                    G_DEFINE_ENUM_VALUE (TERN_MESSAGE_STATE_NONE, "none"),
                    G_DEFINE_ENUM_VALUE (TERN_MESSAGE_STATE_PENDING, "pending"),
                    G_DEFINE_ENUM_VALUE (TERN_MESSAGE_STATE_SENT, "sent"),
                    G_DEFINE_ENUM_VALUE (TERN_MESSAGE_STATE_DELIVERED, "delivered"),
                    G_DEFINE_ENUM_VALUE (TERN_MESSAGE_STATE_READ, "read"),
                    G_DEFINE_ENUM_VALUE (TERN_MESSAGE_STATE_FAILED, "failed"))

G_DEFINE_ENUM_TYPE (TernMessageKind, tern_message_kind,
                    G_DEFINE_ENUM_VALUE (TERN_MESSAGE_KIND_TEXT, "text"),
                    G_DEFINE_ENUM_VALUE (TERN_MESSAGE_KIND_CLASSIC, "classic"),
                    G_DEFINE_ENUM_VALUE (TERN_MESSAGE_KIND_SYSTEM, "system"),
                    G_DEFINE_ENUM_VALUE (TERN_MESSAGE_KIND_LOCATION, "location"),
                    G_DEFINE_ENUM_VALUE (TERN_MESSAGE_KIND_MEDIA, "media"))

enum {
  PROP_0,
  PROP_ID,
  PROP_CHAT_ID,
  PROP_MESSAGE_ID,
  PROP_OUTGOING,
  PROP_SENDER_ADDRESS,
  PROP_SENDER_NAME,
  PROP_SENT_TIME,
  PROP_KIND,
  PROP_STATE,
  PROP_SEEN,
  PROP_EDITED,
  PROP_DELETED,
  PROP_SUBJECT,
  PROP_TEXT,
  PROP_QUOTE,
  PROP_REPLY_TO,
  PROP_PINNED_UNTIL,
  PROP_HAS_LOCATION,
  PROP_LATITUDE,
  PROP_LONGITUDE,
  PROP_N_ATTACHMENTS,
  PROP_MENTIONS_ME,
  PROP_RECEIPT_REQUESTED,
  PROP_FAILURE_REASON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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

static void
tern_message_finalize (GObject *object)
{
  TernMessage *self = (TernMessage *) object;

  g_clear_object (&self->store);
  g_free (self->message_id);
  g_free (self->sender_address);
  g_free (self->sender_name);
  g_free (self->subject);
  g_free (self->text);
  g_free (self->quote);
  g_free (self->reply_to);
  g_free (self->failure_reason);
  g_clear_pointer (&self->sent_dt, g_date_time_unref);
  g_clear_pointer (&self->received_dt, g_date_time_unref);
  g_clear_object (&self->attachments);
  g_clear_object (&self->reply_message);

  G_OBJECT_CLASS (tern_message_parent_class)->finalize (object);
}

static void
tern_message_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TernMessage *self = TERN_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_int64 (value, self->id); break;
    case PROP_CHAT_ID: g_value_set_int64 (value, self->chat_id); break;
    case PROP_MESSAGE_ID: g_value_set_string (value, self->message_id); break;
    case PROP_OUTGOING: g_value_set_boolean (value, self->outgoing); break;
    case PROP_SENDER_ADDRESS: g_value_set_string (value, self->sender_address); break;
    case PROP_SENDER_NAME: g_value_set_string (value, tern_message_get_sender_name (self)); break;
    case PROP_SENT_TIME: g_value_set_boxed (value, tern_message_get_sent_time (self)); break;
    case PROP_KIND: g_value_set_enum (value, self->kind); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_SEEN: g_value_set_boolean (value, self->seen); break;
    case PROP_EDITED: g_value_set_boolean (value, self->edited); break;
    case PROP_DELETED: g_value_set_boolean (value, self->deleted); break;
    case PROP_SUBJECT: g_value_set_string (value, self->subject); break;
    case PROP_TEXT: g_value_set_string (value, self->text); break;
    case PROP_QUOTE: g_value_set_string (value, self->quote); break;
    case PROP_REPLY_TO: g_value_set_string (value, self->reply_to); break;
    case PROP_PINNED_UNTIL: g_value_set_int64 (value, self->pinned_until); break;
    case PROP_HAS_LOCATION: g_value_set_boolean (value, self->has_location); break;
    case PROP_LATITUDE: g_value_set_double (value, self->latitude); break;
    case PROP_LONGITUDE: g_value_set_double (value, self->longitude); break;
    case PROP_N_ATTACHMENTS: g_value_set_uint (value, self->n_attachments); break;
    case PROP_MENTIONS_ME: g_value_set_boolean (value, self->mentions_me); break;
    case PROP_RECEIPT_REQUESTED: g_value_set_boolean (value, self->receipt_requested); break;
    case PROP_FAILURE_REASON: g_value_set_string (value, self->failure_reason); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_message_class_init (TernMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tern_message_finalize;
  object_class->get_property = tern_message_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_CHAT_ID] = g_param_spec_int64 ("chat-id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_MESSAGE_ID] = g_param_spec_string ("message-id", NULL, NULL, NULL, ro);
  properties[PROP_OUTGOING] = g_param_spec_boolean ("outgoing", NULL, NULL, FALSE, ro);
  properties[PROP_SENDER_ADDRESS] = g_param_spec_string ("sender-address", NULL, NULL, NULL, ro);
  properties[PROP_SENDER_NAME] = g_param_spec_string ("sender-name", NULL, NULL, NULL, ro);
  properties[PROP_SENT_TIME] = g_param_spec_boxed ("sent-time", NULL, NULL, G_TYPE_DATE_TIME, ro);
  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, TERN_TYPE_MESSAGE_KIND,
                                             TERN_MESSAGE_KIND_TEXT, ro);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, TERN_TYPE_MESSAGE_STATE,
                                              TERN_MESSAGE_STATE_NONE, ro);
  properties[PROP_SEEN] = g_param_spec_boolean ("seen", NULL, NULL, FALSE, ro);
  properties[PROP_EDITED] = g_param_spec_boolean ("edited", NULL, NULL, FALSE, ro);
  properties[PROP_DELETED] = g_param_spec_boolean ("deleted", NULL, NULL, FALSE, ro);
  properties[PROP_SUBJECT] = g_param_spec_string ("subject", NULL, NULL, NULL, ro);
  properties[PROP_TEXT] = g_param_spec_string ("text", NULL, NULL, NULL, ro);
  properties[PROP_QUOTE] = g_param_spec_string ("quote", NULL, NULL, NULL, ro);
  properties[PROP_REPLY_TO] = g_param_spec_string ("reply-to", NULL, NULL, NULL, ro);
  properties[PROP_PINNED_UNTIL] = g_param_spec_int64 ("pinned-until", NULL, NULL, 0, G_MAXINT64,
                                                      0, ro);
  properties[PROP_HAS_LOCATION] = g_param_spec_boolean ("has-location", NULL, NULL, FALSE, ro);
  properties[PROP_LATITUDE] = g_param_spec_double ("latitude", NULL, NULL, -90, 90, 0, ro);
  properties[PROP_LONGITUDE] = g_param_spec_double ("longitude", NULL, NULL, -180, 180, 0, ro);
  properties[PROP_N_ATTACHMENTS] = g_param_spec_uint ("n-attachments", NULL, NULL, 0, G_MAXUINT,
                                                      0, ro);
  properties[PROP_MENTIONS_ME] = g_param_spec_boolean ("mentions-me", NULL, NULL, FALSE, ro);
  properties[PROP_RECEIPT_REQUESTED] = g_param_spec_boolean ("receipt-requested", NULL, NULL,
                                                             FALSE, ro);
  properties[PROP_FAILURE_REASON] = g_param_spec_string ("failure-reason", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tern_message_init (TernMessage *self)
{
}

TernMessage *
tern_message_new_from_row (TernStore                 *store,
                           const TernStoreMessageRow *row)
{
  TernMessage *self;

  g_return_val_if_fail (TERN_IS_STORE (store), NULL);
  g_return_val_if_fail (row != NULL, NULL);

  self = g_object_new (TERN_TYPE_MESSAGE, NULL);
  self->store = g_object_ref (store);
  self->id = row->id;
  self->chat_id = row->chat_id;
  self->account_id = row->account_id;
  self->message_id = g_strdup (row->message_id);
  self->outgoing = row->outgoing;
  self->sender_address = g_strdup (row->sender_address);
  self->sender_contact_id = row->sender_contact_id;
  self->sent_time = row->sent_time;
  self->received_time = row->received_time;
  self->sort_key = row->sort_key;
  self->kind = (TernMessageKind) row->kind;
  self->state = (TernMessageState) row->state;
  self->seen = row->seen;
  self->edited = row->edited;
  self->deleted = row->deleted;
  self->subject = g_strdup (row->subject);
  self->text = g_strdup (row->text);
  self->quote = g_strdup (row->quote);
  self->reply_to = g_strdup (row->reply_to);
  self->pinned_until = row->pinned_until;
  self->has_location = row->has_location;
  self->latitude = row->latitude;
  self->longitude = row->longitude;
  self->n_attachments = row->n_attachments;
  self->mentions_me = row->mentions_me;
  self->receipt_requested = row->receipt_to != NULL;
  self->failure_reason = g_strdup (row->failure_reason);
  return self;
}

gboolean
tern_message_update_from_row (TernMessage               *self,
                              const TernStoreMessageRow *row)
{
  gboolean changed = FALSE;

  g_return_val_if_fail (TERN_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (row->id == self->id, FALSE);

#define NOTIFY(prop) G_STMT_START { \
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]); changed = TRUE; \
  } G_STMT_END
#define UPDATE(field, value, prop) G_STMT_START { \
    if (self->field != (value)) { self->field = (value); NOTIFY (prop); } \
  } G_STMT_END

  g_object_freeze_notify (G_OBJECT (self));

  self->sort_key = row->sort_key;
  self->chat_id = row->chat_id;
  UPDATE (kind, (TernMessageKind) row->kind, PROP_KIND);
  UPDATE (state, (TernMessageState) row->state, PROP_STATE);
  UPDATE (seen, !!row->seen, PROP_SEEN);
  UPDATE (edited, !!row->edited, PROP_EDITED);
  UPDATE (deleted, !!row->deleted, PROP_DELETED);
  UPDATE (pinned_until, row->pinned_until, PROP_PINNED_UNTIL);
  UPDATE (has_location, !!row->has_location, PROP_HAS_LOCATION);
  UPDATE (latitude, row->latitude, PROP_LATITUDE);
  UPDATE (longitude, row->longitude, PROP_LONGITUDE);
  UPDATE (mentions_me, !!row->mentions_me, PROP_MENTIONS_ME);
  UPDATE (receipt_requested, row->receipt_to != NULL, PROP_RECEIPT_REQUESTED);
  if (set_string (&self->failure_reason, row->failure_reason))
    NOTIFY (PROP_FAILURE_REASON);
  if (self->n_attachments != row->n_attachments)
    {
      self->n_attachments = row->n_attachments;
      g_clear_object (&self->attachments);
      NOTIFY (PROP_N_ATTACHMENTS);
    }
  if (set_string (&self->subject, row->subject))
    NOTIFY (PROP_SUBJECT);
  if (set_string (&self->text, row->text))
    NOTIFY (PROP_TEXT);
  if (set_string (&self->quote, row->quote))
    NOTIFY (PROP_QUOTE);
  if (set_string (&self->reply_to, row->reply_to))
    {
      g_clear_object (&self->reply_message);
      self->reply_looked_up = FALSE;
      NOTIFY (PROP_REPLY_TO);
    }

  g_object_thaw_notify (G_OBJECT (self));

#undef UPDATE
#undef NOTIFY
  return changed;
}

gint64
tern_message_get_id (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), 0);
  return self->id;
}

gint64
tern_message_get_chat_id (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), 0);
  return self->chat_id;
}

gint64
tern_message_get_account_id (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), 0);
  return self->account_id;
}

const char *
tern_message_get_message_id (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), NULL);
  return self->message_id;
}

gint64
tern_message_get_sort_key (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), 0);
  return self->sort_key;
}

TernStoreCursor
tern_message_get_cursor (TernMessage *self)
{
  TernStoreCursor cursor = { self->sort_key, self->id };
  return cursor;
}

gboolean
tern_message_get_outgoing (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), FALSE);
  return self->outgoing;
}

const char *
tern_message_get_sender_address (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), NULL);
  return self->sender_address;
}

gint64
tern_message_get_sender_contact_id (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), 0);
  return self->sender_contact_id;
}

const char *
tern_message_get_sender_name (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), NULL);

  if (self->outgoing || self->sender_address == NULL)
    return NULL;
  if (self->sender_name == NULL)
    {
      g_autoptr(TernStoreContactRow) contact = NULL;

      if (self->sender_contact_id != 0)
        contact = tern_store_get_contact (self->store, self->sender_contact_id, NULL);
      if (contact != NULL && contact->display_name != NULL && *contact->display_name != '\0')
        self->sender_name = g_strdup (contact->display_name);
      else
        self->sender_name = g_strdup (self->sender_address);
    }
  return self->sender_name;
}

static GDateTime *
date_time_from_unix (gint64       t,
                     GDateTime  **cache)
{
  if (*cache == NULL && t > 0)
    *cache = g_date_time_new_from_unix_local (t);
  return *cache;
}

GDateTime *
tern_message_get_sent_time (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), NULL);
  return date_time_from_unix (self->sent_time > 0 ? self->sent_time : self->received_time,
                              &self->sent_dt);
}

GDateTime *
tern_message_get_received_time (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), NULL);
  return date_time_from_unix (self->received_time, &self->received_dt);
}

TernMessageKind
tern_message_get_kind (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), TERN_MESSAGE_KIND_TEXT);
  return self->kind;
}

TernMessageState
tern_message_get_state (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), TERN_MESSAGE_STATE_NONE);
  return self->state;
}

gboolean
tern_message_get_seen (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), FALSE);
  return self->seen;
}

gboolean
tern_message_get_edited (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), FALSE);
  return self->edited;
}

gboolean
tern_message_get_deleted (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), FALSE);
  return self->deleted;
}

const char *
tern_message_get_subject (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), NULL);
  return self->subject;
}

const char *
tern_message_get_text (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), NULL);
  return self->text;
}

const char *
tern_message_get_quote (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), NULL);
  return self->quote;
}

const char *
tern_message_get_reply_to (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), NULL);
  return self->reply_to;
}

TernMessage *
tern_message_get_reply_message (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), NULL);

  if (!self->reply_looked_up && self->reply_to != NULL)
    {
      g_autoptr(TernStoreMessageRow) row = NULL;

      self->reply_looked_up = TRUE;
      row = tern_store_find_message (self->store, self->account_id, self->reply_to, NULL);
      if (row != NULL)
        self->reply_message = tern_message_new_from_row (self->store, row);
    }
  return self->reply_message;
}

gboolean
tern_message_get_mentions_me (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), FALSE);
  return self->mentions_me;
}

gboolean
tern_message_get_receipt_requested (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), FALSE);
  return self->receipt_requested;
}

const char *
tern_message_get_failure_reason (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), NULL);
  return self->failure_reason;
}

gint64
tern_message_get_pinned_until (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), 0);
  return self->pinned_until;
}

gboolean
tern_message_is_pinned_at (TernMessage *self,
                           gint64       now)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), FALSE);
  return self->pinned_until != 0 && !self->deleted && self->pinned_until > now;
}

gboolean
tern_message_get_has_location (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), FALSE);
  return self->has_location;
}

double
tern_message_get_latitude (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), 0);
  return self->latitude;
}

double
tern_message_get_longitude (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), 0);
  return self->longitude;
}

char *
tern_message_dup_geo_uri (TernMessage *self)
{
  char lat[G_ASCII_DTOSTR_BUF_SIZE];
  char lon[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (TERN_IS_MESSAGE (self), NULL);

  if (!self->has_location)
    return NULL;
  g_ascii_formatd (lat, sizeof lat, "%.6f", self->latitude);
  g_ascii_formatd (lon, sizeof lon, "%.6f", self->longitude);
  return g_strdup_printf ("geo:%s,%s", lat, lon);
}

guint
tern_message_get_n_attachments (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), 0);
  return self->n_attachments;
}

GListModel *
tern_message_get_attachments (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), NULL);

  if (self->attachments == NULL)
    {
      self->attachments = g_list_store_new (TERN_TYPE_ATTACHMENT);
      if (self->n_attachments > 0)
        {
          g_autoptr(GPtrArray) rows = tern_store_list_attachments (self->store, self->id, NULL);

          for (guint i = 0; rows != NULL && i < rows->len; i++)
            {
              g_autoptr(TernAttachment) attachment =
                tern_attachment_new_from_row (self->store, g_ptr_array_index (rows, i));
              g_list_store_append (self->attachments, attachment);
            }
        }
    }
  return G_LIST_MODEL (self->attachments);
}

GPtrArray *
tern_message_list_edits (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), NULL);
  return tern_store_list_edits (self->store, self->id, NULL);
}

GPtrArray *
tern_message_list_receipts (TernMessage *self)
{
  g_return_val_if_fail (TERN_IS_MESSAGE (self), NULL);
  return tern_store_list_receipts (self->store, self->id, NULL);
}
