/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-coi"

#include <string.h>

#include "tern-coi-parser-private.h"

/* Every field of a TernCoiInfo, for the tests that compare two parses
 * (tern_coi_info_to_string () shows only what the golden tests need).
 * Parts and attachments include what their GMime object gives: its type,
 * Content-Type with parameters, disposition, transfer encoding, header
 * fields, and the checksum of its decoded content. */

static void
field (GString *s, const char *name, const char *value)
{
  if (value == NULL)
    g_string_append_printf (s, "%s: (null)\n", name);
  else
    {
      g_string_append_printf (s, "%s: ", name);
      for (const char *p = value; *p; p++)
        {
          if (*p == '\n')
            g_string_append (s, "\\n");
          else if (*p == '\r')
            g_string_append (s, "\\r");
          else
            g_string_append_c (s, *p);
        }
      g_string_append_c (s, '\n');
    }
}

static void
int_field (GString *s, const char *name, gint64 value)
{
  g_string_append_printf (s, "%s: %" G_GINT64_FORMAT "\n", name, value);
}

static int
compare_keys (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
table (GString *s, const char *name, GHashTable *t)
{
  g_autoptr(GPtrArray) keys = NULL;
  GHashTableIter iter;
  gpointer k;

  if (t == NULL)
    {
      g_string_append_printf (s, "%s: (none)\n", name);
      return;
    }
  keys = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, t);
  while (g_hash_table_iter_next (&iter, &k, NULL))
    g_ptr_array_add (keys, k);
  g_ptr_array_sort (keys, compare_keys);
  for (guint i = 0; i < keys->len; i++)
    {
      g_autofree char *n = g_strdup_printf ("%s[%s]", name, (char *) keys->pdata[i]);
      field (s, n, g_hash_table_lookup (t, keys->pdata[i]));
    }
}

static void
addresses (GString *s, const char *name, const TernCoiAddress *a)
{
  if (a == NULL)
    {
      g_string_append_printf (s, "%s: (none)\n", name);
      return;
    }
  g_string_append_printf (s, "%s: name=", name);
  field (s, "", a->name);
  g_string_append_printf (s, "%s: address=", name);
  field (s, "", a->address);
}

static void
strv (GString *s, const char *name, GPtrArray *a)
{
  if (a == NULL)
    {
      g_string_append_printf (s, "%s: (none)\n", name);
      return;
    }
  for (guint i = 0; i < a->len; i++)
    field (s, name, a->pdata[i]);
}

static void
date (GString *s, const char *name, GDateTime *d)
{
  g_autofree char *text = d ? g_date_time_format (d, "%Y-%m-%d %H:%M:%S.%f %z") : NULL;

  field (s, name, text);
}

static void
bytes_field (GString *s, const char *name, GBytes *b)
{
  g_autofree char *sum = b ? g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, b) : NULL;

  field (s, name, sum);
}

static void
object (GString *s, const char *prefix, GMimeObject *o)
{
  GMimeContentType *ct;
  GMimeContentDisposition *cd;
  GMimeHeaderList *headers;

  if (o == NULL)
    {
      g_string_append_printf (s, "%s: (no object)\n", prefix);
      return;
    }
  g_string_append_printf (s, "%s.type: %s\n", prefix, G_OBJECT_TYPE_NAME (o));
  ct = g_mime_object_get_content_type (o);
  if (ct != NULL)
    {
      GMimeParamList *params = g_mime_content_type_get_parameters (ct);
      g_autofree char *mime = g_mime_content_type_get_mime_type (ct);

      g_string_append_printf (s, "%s.content_type: %s\n", prefix, mime);
      for (int i = 0; params && i < g_mime_param_list_length (params); i++)
        {
          GMimeParam *p = g_mime_param_list_get_parameter_at (params, i);
          g_string_append_printf (s, "%s.param: %s=", prefix, g_mime_param_get_name (p));
          field (s, "", g_mime_param_get_value (p));
        }
    }
  cd = g_mime_object_get_content_disposition (o);
  if (cd != NULL)
    {
      GMimeParamList *params = g_mime_content_disposition_get_parameters (cd);

      g_string_append_printf (s, "%s.disposition: ", prefix);
      field (s, "", g_mime_content_disposition_get_disposition (cd));
      for (int i = 0; params && i < g_mime_param_list_length (params); i++)
        {
          GMimeParam *p = g_mime_param_list_get_parameter_at (params, i);
          g_string_append_printf (s, "%s.dparam: %s=", prefix, g_mime_param_get_name (p));
          field (s, "", g_mime_param_get_value (p));
        }
    }
  headers = g_mime_object_get_header_list (o);
  for (int i = 0; headers && i < g_mime_header_list_get_count (headers); i++)
    {
      GMimeHeader *h = g_mime_header_list_get_header_at (headers, i);
      g_string_append_printf (s, "%s.header: %s=", prefix, g_mime_header_get_name (h));
      field (s, "", g_mime_header_get_raw_value (h));
    }
  if (GMIME_IS_PART (o))
    {
      GMimeDataWrapper *content = g_mime_part_get_content (GMIME_PART (o));

      g_string_append_printf (s, "%s.encoding: %d\n", prefix,
                              g_mime_part_get_content_encoding (GMIME_PART (o)));
      if (content != NULL)
        {
          GMimeStream *mem = g_mime_stream_mem_new ();
          GByteArray *array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
          g_autoptr(GBytes) b = NULL;

          g_mime_data_wrapper_write_to_stream (content, mem);
          b = g_bytes_new (array->data, array->len);
          bytes_field (s, "content", b);
          g_object_unref (mem);
        }
    }
  else if (GMIME_IS_MESSAGE_PART (o))
    {
      GMimeMessage *m = g_mime_message_part_get_message (GMIME_MESSAGE_PART (o));
      g_string_append_printf (s, "%s.message: %s\n", prefix, m ? "yes" : "no");
    }
}

static void
card (GString *s, const char *prefix, const TernCoiHCard *c)
{
  g_autofree char *k = g_strconcat (prefix, ".card", NULL);

  if (c == NULL)
    {
      g_string_append_printf (s, "%s: (none)\n", k);
      return;
    }
  field (s, k, c->name);
  field (s, k, c->nickname);
  strv (s, k, c->emails);
  field (s, k, c->photo_uri);
  bytes_field (s, k, c->photo);
  field (s, k, c->photo_type);
  field (s, k, c->status);
  strv (s, k, c->categories);
  field (s, k, c->bday);
  field (s, k, c->key);
  field (s, k, c->hash);
  field (s, k, c->notification);
  strv (s, k, c->profile_categories);
}

char *
tern_coi_info_dump (const TernCoiInfo *info)
{
  GString *s = g_string_new (NULL);

  int_field (s, "is_chat", info->is_chat);
  int_field (s, "criteria", info->criteria);
  int_field (s, "is_classic", info->is_classic);
  int_field (s, "kind", info->kind);
  field (s, "extension_name", info->extension_name);
  field (s, "message_id", info->message_id);
  field (s, "in_reply_to", info->in_reply_to);
  for (guint i = 0; info->references[i]; i++)
    field (s, "references", info->references[i]);
  date (s, "date", info->date);
  addresses (s, "from", info->from);
  int_field (s, "n_from", info->n_from);
  int_field (s, "has_sender", info->has_sender);
  for (guint i = 0; i < info->to->len; i++)
    addresses (s, "to", info->to->pdata[i]);
  for (guint i = 0; i < info->cc->len; i++)
    addresses (s, "cc", info->cc->pdata[i]);
  for (guint i = 0; i < info->reply_to->len; i++)
    addresses (s, "reply_to", info->reply_to->pdata[i]);
  field (s, "subject", info->subject);
  field (s, "chat_version", info->chat_version);
  table (s, "chat_version_params", info->chat_version_params);
  field (s, "list_id", info->list_id);
  int_field (s, "has_autocrypt", info->has_autocrypt);
  field (s, "auto_submitted", info->auto_submitted);
  int_field (s, "is_bounce", info->is_bounce);
  int_field (s, "is_encrypted", info->is_encrypted);
  field (s, "group_id", info->group_id);
  field (s, "group_name", info->group_name);
  int_field (s, "receipt_requested", info->receipt_requested);
  field (s, "receipt_address", info->receipt_address);
  field (s, "edit_target_id", info->edit_target_id);
  field (s, "delete_target_id", info->delete_target_id);
  field (s, "edit_text", info->edit_text);
  field (s, "text", info->text);
  field (s, "quoted_text", info->quoted_text);
  field (s, "signature", info->signature);
  field (s, "full_text", info->full_text);
  int_field (s, "text_from_html", info->text_from_html);
  field (s, "html", info->html);
  field (s, "markdown", info->markdown);
  for (guint i = 0; i < info->parts->len; i++)
    {
      TernCoiPart *p = info->parts->pdata[i];

      int_field (s, "part.index", p->index);
      field (s, "part.path", p->path);
      field (s, "part.content_type", p->content_type);
      field (s, "part.charset", p->charset);
      field (s, "part.chat_content", p->chat_content);
      table (s, "part.chat_content_params", p->chat_content_params);
      field (s, "part.disposition", p->disposition);
      int_field (s, "part.ignore", p->ignore);
      object (s, "part.object", p->object);
    }
  for (guint i = 0; i < info->attachments->len; i++)
    {
      TernCoiAttachment *a = info->attachments->pdata[i];
      g_autoptr(GBytes) content = tern_coi_attachment_get_bytes (a, NULL);

      int_field (s, "attachment.part_index", a->part_index);
      field (s, "attachment.path", a->path);
      field (s, "attachment.mime_type", a->mime_type);
      int_field (s, "attachment.size", a->size);
      field (s, "attachment.filename", a->filename);
      field (s, "attachment.raw_filename", a->raw_filename);
      int_field (s, "attachment.is_preview", a->is_preview);
      int_field (s, "attachment.preview_index", a->preview_index);
      int_field (s, "attachment.full_index", a->full_index);
      bytes_field (s, "attachment.bytes", content);
      object (s, "attachment.object", a->object);
    }
  if (info->mdn != NULL)
    {
      field (s, "mdn.original_message_id", info->mdn->original_message_id);
      field (s, "mdn.disposition", info->mdn->disposition);
      field (s, "mdn.disposition_type", info->mdn->disposition_type);
      field (s, "mdn.final_recipient", info->mdn->final_recipient);
      field (s, "mdn.original_recipient", info->mdn->original_recipient);
      field (s, "mdn.reporting_ua", info->mdn->reporting_ua);
    }
  card (s, "profile", info->profile);
  for (guint i = 0; i < info->profiles->len; i++)
    card (s, "profiles", info->profiles->pdata[i]);
  if (info->group != NULL)
    {
      field (s, "group.id", info->group->id);
      field (s, "group.name", info->group->name);
      field (s, "group.description", info->group->description);
      field (s, "group.photo_uri", info->group->photo_uri);
      bytes_field (s, "group.photo", info->group->photo);
      field (s, "group.photo_type", info->group->photo_type);
      field (s, "group.notification", info->group->notification);
      for (guint i = 0; i < info->group->participants->len; i++)
        card (s, "group.participant", info->group->participants->pdata[i]);
    }
  if (info->location != NULL)
    {
      g_string_append_printf (s, "location: %.17g,%.17g\n", info->location->latitude,
                              info->location->longitude);
      field (s, "location.text", info->location->text);
    }
  int_field (s, "pinned", info->pinned);
  date (s, "pinned_until", info->pinned_until);
  for (guint i = 0; i < info->mentions->len; i++)
    {
      TernCoiMention *m = info->mentions->pdata[i];

      field (s, "mention.name", m->name);
      field (s, "mention.address", m->address);
      int_field (s, "mention.is_all", m->is_all);
      int_field (s, "mention.is_me", m->is_me);
    }
  strv (s, "from_hash", info->from_hashes);
  int_field (s, "blocked", info->blocked);
  field (s, "dc.group_id", info->dc.group_id);
  field (s, "dc.group_name", info->dc.group_name);
  field (s, "dc.member_added", info->dc.member_added);
  field (s, "dc.member_removed", info->dc.member_removed);
  field (s, "dc.edit_target", info->dc.edit_target);
  int_field (s, "dc.edit_in_first_part", info->dc.edit_in_first_part);
  field (s, "dc.delete_target", info->dc.delete_target);
  field (s, "dc.dnt", info->dc.dnt);
  field (s, "dc.user_avatar", info->dc.user_avatar);
  for (guint i = 0; i < info->problems->len; i++)
    {
      TernCoiProblem *p = info->problems->pdata[i];

      int_field (s, "problem.code", p->code);
      field (s, "problem.detail", p->detail);
    }
  return g_string_free (s, FALSE);
}
