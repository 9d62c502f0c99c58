/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-core"

#include "tern-attachment.h"

struct _TernAttachment
{
  GObject  parent_instance;

  char    *hash;
  char    *path;
  char    *mime_type;
  char    *name;
  gint64   size;
  char    *preview_path;  /* a preview image the sender attached, or NULL */
};

G_DEFINE_TYPE (TernAttachment, tern_attachment, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_HASH,
  PROP_PATH,
  PROP_MIME_TYPE,
  PROP_NAME,
  PROP_SIZE,
  PROP_IS_IMAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tern_attachment_finalize (GObject *object)
{
  TernAttachment *self = (TernAttachment *) object;

  g_free (self->hash);
  g_free (self->path);
  g_free (self->mime_type);
  g_free (self->name);
  g_free (self->preview_path);

  G_OBJECT_CLASS (tern_attachment_parent_class)->finalize (object);
}

static void
tern_attachment_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TernAttachment *self = TERN_ATTACHMENT (object);

  switch (prop_id)
    {
    case PROP_HASH: g_value_set_string (value, self->hash); break;
    case PROP_PATH: g_value_set_string (value, self->path); break;
    case PROP_MIME_TYPE: g_value_set_string (value, self->mime_type); break;
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_SIZE: g_value_set_int64 (value, self->size); break;
    case PROP_IS_IMAGE: g_value_set_boolean (value, tern_attachment_is_image (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tern_attachment_class_init (TernAttachmentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tern_attachment_finalize;
  object_class->get_property = tern_attachment_get_property;

  properties[PROP_HASH] = g_param_spec_string ("hash", NULL, NULL, NULL, ro);
  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, ro);
  properties[PROP_MIME_TYPE] = g_param_spec_string ("mime-type", NULL, NULL, NULL, ro);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_SIZE] = g_param_spec_int64 ("size", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_IS_IMAGE] = g_param_spec_boolean ("is-image", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tern_attachment_init (TernAttachment *self)
{
}

TernAttachment *
tern_attachment_new_from_row (TernStore                    *store,
                              const TernStoreAttachmentRow *row)
{
  TernAttachment *self;

  g_return_val_if_fail (TERN_IS_STORE (store), NULL);
  g_return_val_if_fail (row != NULL && row->hash != NULL, NULL);

  self = g_object_new (TERN_TYPE_ATTACHMENT, NULL);
  self->hash = g_strdup (row->hash);
  self->path = tern_store_get_attachment_path (store, row->hash);
  self->mime_type = g_strdup (row->mime_type != NULL ? row->mime_type : "application/octet-stream");
  self->name = g_strdup (row->name);
  self->size = row->size;
  if (row->preview_hash != NULL)
    self->preview_path = tern_store_get_attachment_path (store, row->preview_hash);
  return self;
}

const char *
tern_attachment_get_hash (TernAttachment *self)
{
  g_return_val_if_fail (TERN_IS_ATTACHMENT (self), NULL);
  return self->hash;
}

const char *
tern_attachment_get_path (TernAttachment *self)
{
  g_return_val_if_fail (TERN_IS_ATTACHMENT (self), NULL);
  return self->path;
}

const char *
tern_attachment_get_mime_type (TernAttachment *self)
{
  g_return_val_if_fail (TERN_IS_ATTACHMENT (self), NULL);
  return self->mime_type;
}

const char *
tern_attachment_get_name (TernAttachment *self)
{
  g_return_val_if_fail (TERN_IS_ATTACHMENT (self), NULL);
  return self->name;
}

gint64
tern_attachment_get_size (TernAttachment *self)
{
  g_return_val_if_fail (TERN_IS_ATTACHMENT (self), 0);
  return self->size;
}

gboolean
tern_attachment_is_image (TernAttachment *self)
{
  g_return_val_if_fail (TERN_IS_ATTACHMENT (self), FALSE);
  /* Only formats the image loaders read without surprises; never SVG from
   * mail (it could reference remote content). */
  return g_strcmp0 (self->mime_type, "image/png") == 0 ||
         g_strcmp0 (self->mime_type, "image/jpeg") == 0 ||
         g_strcmp0 (self->mime_type, "image/gif") == 0 ||
         g_strcmp0 (self->mime_type, "image/webp") == 0;
}

const char *
tern_attachment_get_preview_path (TernAttachment *self)
{
  g_return_val_if_fail (TERN_IS_ATTACHMENT (self), NULL);
  return self->preview_path;
}

GFile *
tern_attachment_get_file (TernAttachment *self)
{
  g_return_val_if_fail (TERN_IS_ATTACHMENT (self), NULL);
  return g_file_new_for_path (self->path);
}
