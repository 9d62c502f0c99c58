/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-coi"

#include <string.h>

#include "tern-coi-error.h"
#include "tern-coi-info.h"

const char *
tern_coi_kind_to_string (TernCoiKind kind)
{
  switch (kind)
    {
    case TERN_COI_KIND_CLASSIC: return "classic";
    case TERN_COI_KIND_TEXT: return "text";
    case TERN_COI_KIND_FORMATTED: return "formatted";
    case TERN_COI_KIND_ATTACHMENTS: return "attachments";
    case TERN_COI_KIND_EDIT: return "edit";
    case TERN_COI_KIND_DELETE: return "delete";
    case TERN_COI_KIND_MDN: return "mdn";
    case TERN_COI_KIND_GROUP_LEFT: return "group-left";
    case TERN_COI_KIND_GROUP_INFO_REQUEST: return "group-info-request";
    case TERN_COI_KIND_PROFILE_REQUEST: return "profile-request";
    case TERN_COI_KIND_CONTACT_STORAGE: return "contact-storage";
    case TERN_COI_KIND_PROFILE_STORAGE: return "profile-storage";
    case TERN_COI_KIND_GROUP_STORAGE: return "group-storage";
    case TERN_COI_KIND_LOCATION: return "location";
    case TERN_COI_KIND_EXTENSION: return "extension";
    case TERN_COI_KIND_BOUNCE: return "bounce";
    default: return "unknown";
    }
}

TernCoiAddress *
tern_coi_address_new (const char *name, const char *address)
{
  TernCoiAddress *a = g_new0 (TernCoiAddress, 1);

  a->name = name && *name ? g_strdup (name) : NULL;
  a->address = g_strdup (address ? address : "");
  return a;
}

TernCoiAddress *
tern_coi_address_copy (const TernCoiAddress *address)
{
  return tern_coi_address_new (address->name, address->address);
}

void
tern_coi_address_free (TernCoiAddress *address)
{
  if (address == NULL)
    return;
  g_free (address->name);
  g_free (address->address);
  g_free (address);
}

static void
part_free (TernCoiPart *part)
{
  g_free (part->path);
  g_free (part->content_type);
  g_free (part->charset);
  g_free (part->chat_content);
  g_free (part->disposition);
  g_clear_pointer (&part->chat_content_params, g_hash_table_unref);
  g_clear_object (&part->object);
  g_free (part);
}

static void
attachment_free (TernCoiAttachment *a)
{
  g_free (a->path);
  g_free (a->mime_type);
  g_free (a->filename);
  g_free (a->raw_filename);
  g_clear_object (&a->object);
  g_free (a);
}

GBytes *
tern_coi_attachment_get_bytes (const TernCoiAttachment *attachment, GError **error)
{
  GMimeDataWrapper *content;
  GMimeStream *mem;
  GByteArray *array;
  GBytes *result;

  g_return_val_if_fail (attachment != NULL, NULL);

  if (!GMIME_IS_PART (attachment->object)
      || (content = g_mime_part_get_content (GMIME_PART (attachment->object))) == NULL)
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "attachment has no content");
      return NULL;
    }
  mem = g_mime_stream_mem_new ();
  if (g_mime_data_wrapper_write_to_stream (content, mem) < 0)
    {
      g_object_unref (mem);
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                   "attachment content could not be decoded");
      return NULL;
    }
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
  result = g_bytes_new (array->data, array->len);
  g_object_unref (mem);
  return result;
}

void
tern_coi_mention_free (TernCoiMention *mention)
{
  if (mention == NULL)
    return;
  g_free (mention->name);
  g_free (mention->address);
  g_free (mention);
}

TernCoiHCard *
tern_coi_hcard_new (void)
{
  TernCoiHCard *card = g_new0 (TernCoiHCard, 1);

  card->emails = g_ptr_array_new_with_free_func (g_free);
  return card;
}

void
tern_coi_hcard_free (TernCoiHCard *card)
{
  if (card == NULL)
    return;
  g_free (card->name);
  g_free (card->nickname);
  g_clear_pointer (&card->emails, g_ptr_array_unref);
  g_free (card->photo_uri);
  g_clear_pointer (&card->photo, g_bytes_unref);
  g_free (card->photo_type);
  g_free (card->status);
  g_clear_pointer (&card->categories, g_ptr_array_unref);
  g_free (card->bday);
  g_free (card->key);
  g_free (card->hash);
  g_free (card->notification);
  g_clear_pointer (&card->profile_categories, g_ptr_array_unref);
  g_free (card);
}

TernCoiHGroup *
tern_coi_hgroup_new (void)
{
  TernCoiHGroup *group = g_new0 (TernCoiHGroup, 1);

  group->participants = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_coi_hcard_free);
  return group;
}

void
tern_coi_hgroup_free (TernCoiHGroup *group)
{
  if (group == NULL)
    return;
  g_free (group->id);
  g_free (group->name);
  g_free (group->description);
  g_free (group->photo_uri);
  g_clear_pointer (&group->photo, g_bytes_unref);
  g_free (group->photo_type);
  g_free (group->notification);
  g_clear_pointer (&group->participants, g_ptr_array_unref);
  g_free (group);
}

static void
problem_free (TernCoiProblem *p)
{
  g_free (p->detail);
  g_free (p);
}

TernCoiInfo *
tern_coi_info_new (void)
{
  TernCoiInfo *info = g_new0 (TernCoiInfo, 1);

  info->kind = TERN_COI_KIND_CLASSIC;
  info->is_classic = TRUE;
  info->references = g_new0 (char *, 1);
  info->to = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_coi_address_free);
  info->cc = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_coi_address_free);
  info->reply_to = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_coi_address_free);
  info->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) part_free);
  info->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) attachment_free);
  info->profiles = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_coi_hcard_free);
  info->mentions = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_coi_mention_free);
  info->from_hashes = g_ptr_array_new_with_free_func (g_free);
  info->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) problem_free);
  return info;
}

void
tern_coi_info_free (TernCoiInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->extension_name);
  g_free (info->message_id);
  g_free (info->in_reply_to);
  g_strfreev (info->references);
  g_clear_pointer (&info->date, g_date_time_unref);
  tern_coi_address_free (info->from);
  g_ptr_array_unref (info->to);
  g_ptr_array_unref (info->cc);
  g_ptr_array_unref (info->reply_to);
  g_free (info->subject);
  g_free (info->chat_version);
  g_clear_pointer (&info->chat_version_params, g_hash_table_unref);
  g_free (info->list_id);
  g_free (info->auto_submitted);
  g_free (info->group_id);
  g_free (info->group_name);
  g_free (info->receipt_address);
  g_free (info->edit_target_id);
  g_free (info->delete_target_id);
  g_free (info->edit_text);
  g_free (info->text);
  g_free (info->quoted_text);
  g_free (info->signature);
  g_free (info->full_text);
  g_free (info->html);
  g_free (info->markdown);
  g_ptr_array_unref (info->parts);
  g_ptr_array_unref (info->attachments);
  if (info->mdn)
    {
      g_free (info->mdn->original_message_id);
      g_free (info->mdn->disposition);
      g_free (info->mdn->disposition_type);
      g_free (info->mdn->final_recipient);
      g_free (info->mdn->original_recipient);
      g_free (info->mdn->reporting_ua);
      g_free (info->mdn);
    }
  /* profile points into profiles when it came from a part. */
  if (info->profile && !g_ptr_array_find (info->profiles, info->profile, NULL))
    tern_coi_hcard_free (info->profile);
  g_ptr_array_unref (info->profiles);
  tern_coi_hgroup_free (info->group);
  if (info->location)
    {
      g_free (info->location->text);
      g_free (info->location);
    }
  g_clear_pointer (&info->pinned_until, g_date_time_unref);
  g_ptr_array_unref (info->mentions);
  g_ptr_array_unref (info->from_hashes);
  g_free (info->dc.group_id);
  g_free (info->dc.group_name);
  g_free (info->dc.member_added);
  g_free (info->dc.member_removed);
  g_free (info->dc.edit_target);
  g_free (info->dc.delete_target);
  g_free (info->dc.dnt);
  g_free (info->dc.user_avatar);
  g_ptr_array_unref (info->problems);
  g_free (info);
}

gboolean
tern_coi_info_has_problem (const TernCoiInfo *info, TernCoiProblemCode code)
{
  for (guint i = 0; i < info->problems->len; i++)
    if (((TernCoiProblem *) g_ptr_array_index (info->problems, i))->code == code)
      return TRUE;
  return FALSE;
}

void
tern_coi_info_add_problem (TernCoiInfo *info, TernCoiProblemCode code, const char *format, ...)
{
  TernCoiProblem *p;
  va_list args;

  /* One entry per code is enough to act on; keeps hostile input bounded. */
  if (tern_coi_info_has_problem (info, code))
    return;
  p = g_new0 (TernCoiProblem, 1);
  p->code = code;
  va_start (args, format);
  p->detail = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (info->problems, p);
}

const TernCoiPart *
tern_coi_info_find_part (const TernCoiInfo *info, const char *chat_content)
{
  for (guint i = 0; i < info->parts->len; i++)
    {
      TernCoiPart *part = g_ptr_array_index (info->parts, i);
      if (g_strcmp0 (part->chat_content, chat_content) == 0)
        return part;
    }
  return NULL;
}

static void
append_field (GString *s, const char *name, const char *value)
{
  if (value == NULL)
    return;
  g_string_append_printf (s, "%s: ", name);
  for (const char *p = value; *p; p++)
    {
      if (*p == '\n')
        g_string_append (s, "\\n");
      else
        g_string_append_c (s, *p);
    }
  g_string_append_c (s, '\n');
}

static void
append_addresses (GString *s, const char *name, GPtrArray *list)
{
  for (guint i = 0; i < list->len; i++)
    {
      TernCoiAddress *a = g_ptr_array_index (list, i);
      g_string_append_printf (s, "%s: %s <%s>\n", name, a->name ? a->name : "", a->address);
    }
}

static void
append_card (GString *s, const char *prefix, TernCoiHCard *c)
{
  g_autofree char *k = NULL;

  k = g_strconcat (prefix, ".name", NULL);
  append_field (s, k, c->name);
  for (guint i = 0; i < c->emails->len; i++)
    g_string_append_printf (s, "%s.email: %s\n", prefix, (char *) g_ptr_array_index (c->emails, i));
  g_free (k);
  k = g_strconcat (prefix, ".status", NULL);
  append_field (s, k, c->status);
  g_free (k);
  k = g_strconcat (prefix, ".hash", NULL);
  append_field (s, k, c->hash);
  if (c->photo)
    g_string_append_printf (s, "%s.photo: %s %" G_GSIZE_FORMAT " bytes\n", prefix,
                            c->photo_type ? c->photo_type : "?", g_bytes_get_size (c->photo));
}

char *
tern_coi_info_to_string (const TernCoiInfo *info)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "is_chat: %d\ncriteria: %d\nkind: %s\n", info->is_chat,
                          info->criteria, tern_coi_kind_to_string (info->kind));
  append_field (s, "extension", info->extension_name);
  append_field (s, "message_id", info->message_id);
  append_field (s, "in_reply_to", info->in_reply_to);
  for (guint i = 0; info->references[i]; i++)
    append_field (s, "references", info->references[i]);
  if (info->date)
    {
      g_autofree char *d = g_date_time_format_iso8601 (info->date);
      append_field (s, "date", d);
    }
  if (info->from)
    g_string_append_printf (s, "from: %s <%s>\n", info->from->name ? info->from->name : "",
                            info->from->address);
  append_addresses (s, "to", info->to);
  append_addresses (s, "cc", info->cc);
  append_addresses (s, "reply_to", info->reply_to);
  append_field (s, "subject", info->subject);
  append_field (s, "group_id", info->group_id);
  append_field (s, "group_name", info->group_name);
  if (info->receipt_requested)
    append_field (s, "receipt", info->receipt_address);
  append_field (s, "edit_target", info->edit_target_id);
  append_field (s, "delete_target", info->delete_target_id);
  append_field (s, "edit_text", info->edit_text);
  append_field (s, "text", info->text);
  append_field (s, "quoted", info->quoted_text);
  append_field (s, "signature", info->signature);
  append_field (s, "list_id", info->list_id);
  for (guint i = 0; i < info->parts->len; i++)
    {
      TernCoiPart *p = g_ptr_array_index (info->parts, i);
      g_string_append_printf (s, "part %s: %s%s%s\n", p->path, p->content_type,
                              p->chat_content ? " chat-content=" : "",
                              p->chat_content ? p->chat_content : "");
    }
  for (guint i = 0; i < info->attachments->len; i++)
    {
      TernCoiAttachment *a = g_ptr_array_index (info->attachments, i);
      g_string_append_printf (s, "attachment %s: %s %s size=%" G_GINT64_FORMAT "%s\n", a->path,
                              a->mime_type, a->filename, a->size, a->is_preview ? " preview" : "");
    }
  if (info->mdn)
    {
      append_field (s, "mdn.original", info->mdn->original_message_id);
      append_field (s, "mdn.disposition", info->mdn->disposition_type);
    }
  if (info->profile)
    append_card (s, "profile", info->profile);
  if (info->group)
    {
      append_field (s, "group.id", info->group->id);
      append_field (s, "group.name", info->group->name);
      append_field (s, "group.description", info->group->description);
      for (guint i = 0; i < info->group->participants->len; i++)
        append_card (s, "group.participant", g_ptr_array_index (info->group->participants, i));
    }
  if (info->location)
    g_string_append_printf (s, "location: %.5f,%.5f\n", info->location->latitude,
                            info->location->longitude);
  if (info->pinned)
    g_string_append (s, "pinned: 1\n");
  for (guint i = 0; i < info->mentions->len; i++)
    {
      TernCoiMention *m = g_ptr_array_index (info->mentions, i);
      g_string_append_printf (s, "mention: %s <%s>\n", m->is_all ? "@all" : m->name,
                              m->address ? m->address : "");
    }
  for (guint i = 0; i < info->from_hashes->len; i++)
    append_field (s, "from_hash", g_ptr_array_index (info->from_hashes, i));
  for (guint i = 0; i < info->problems->len; i++)
    append_field (s, "problem", ((TernCoiProblem *) g_ptr_array_index (info->problems, i))->detail);
  return g_string_free (s, FALSE);
}
