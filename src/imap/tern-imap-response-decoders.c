/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Typed decoders of LIST/LSUB, NAMESPACE, METADATA, CAPABILITY, ENABLED,
 * FLAGS, SEARCH, ESEARCH, STATUS and VANISHED responses. */
#include "config.h"

#define G_LOG_DOMAIN "tern-imap"

#include <string.h>

#include "tern-imap-error.h"
#include "tern-imap-response-private.h"
#include "tern-imap-utf7.h"

/* ------------------------------------------------------------------------
 * LIST / LSUB
 * ------------------------------------------------------------------------ */

static const struct {
  const char          *name;
  TernImapMailboxFlags flag;
} mailbox_flags[] = {
  { "\\Noselect", TERN_IMAP_MAILBOX_NOSELECT },
  { "\\Noinferiors", TERN_IMAP_MAILBOX_NOINFERIORS },
  { "\\Marked", TERN_IMAP_MAILBOX_MARKED },
  { "\\Unmarked", TERN_IMAP_MAILBOX_UNMARKED },
  { "\\HasChildren", TERN_IMAP_MAILBOX_HAS_CHILDREN },
  { "\\HasNoChildren", TERN_IMAP_MAILBOX_HAS_NO_CHILDREN },
  { "\\NonExistent", TERN_IMAP_MAILBOX_NONEXISTENT },
  { "\\Subscribed", TERN_IMAP_MAILBOX_SUBSCRIBED },
  { "\\Remote", TERN_IMAP_MAILBOX_REMOTE },
  { "\\All", TERN_IMAP_MAILBOX_ALL },
  { "\\Archive", TERN_IMAP_MAILBOX_ARCHIVE },
  { "\\Drafts", TERN_IMAP_MAILBOX_DRAFTS },
  { "\\Flagged", TERN_IMAP_MAILBOX_FLAGGED },
  { "\\Junk", TERN_IMAP_MAILBOX_JUNK },
  { "\\Sent", TERN_IMAP_MAILBOX_SENT },
  { "\\Trash", TERN_IMAP_MAILBOX_TRASH },
  { "\\Important", TERN_IMAP_MAILBOX_IMPORTANT },
};

void
tern_imap_mailbox_free (TernImapMailbox *mailbox)
{
  if (mailbox == NULL)
    return;
  g_strfreev (mailbox->flag_names);
  g_free (mailbox->name);
  g_free (mailbox->raw_name);
  g_free (mailbox);
}

static gboolean
decode_delimiter (const TernImapValue *v,
                  char                *out)
{
  if (tern_imap_value_is_nil (v))
    {
      *out = '\0';
      return TRUE;
    }
  if (v->type != TERN_IMAP_VALUE_STRING || v->length != 1)
    return FALSE;
  *out = v->text[0];
  return TRUE;
}

static char *
decode_mailbox_name (const TernImapValue *v,
                     gboolean             utf8_accept)
{
  char *decoded;

  if (utf8_accept || g_ascii_strcasecmp (v->text, "INBOX") == 0)
    {
      if (g_utf8_validate (v->text, v->length, NULL))
        return g_strndup (v->text, v->length);
      return g_utf8_make_valid (v->text, v->length);
    }
  decoded = tern_imap_utf7_decode (v->text, NULL);
  if (decoded == NULL)
    decoded = g_utf8_make_valid (v->text, v->length);
  return decoded;
}

TernImapMailbox *
tern_imap_mailbox_decode (const TernImapResponse *response,
                          gboolean                utf8_accept,
                          GError                **error)
{
  g_autoptr(TernImapMailbox) mb = NULL;
  const TernImapValue *flags, *delim, *name;
  gboolean lsub;

  if (response != NULL && response->name != NULL && strcmp (response->name, "LSUB") == 0)
    lsub = TRUE;
  else if (check_data (response, "LIST", error))
    lsub = FALSE;
  else
    return NULL;

  flags = child (response->data, 0);
  delim = child (response->data, 1);
  name = child (response->data, 2);
  if (!is_list (flags) || delim == NULL || !is_textual (name))
    return decode_fail (error, "LIST response"), NULL;
  mb = g_new0 (TernImapMailbox, 1);
  mb->lsub = lsub;
  if (!decode_delimiter (delim, &mb->delimiter))
    return decode_fail (error, "LIST delimiter"), NULL;
  mb->flag_names = tern_imap_strv_from_values (flags, 0, FALSE);
  for (guint i = 0; mb->flag_names[i] != NULL; i++)
    for (gsize j = 0; j < G_N_ELEMENTS (mailbox_flags); j++)
      if (g_ascii_strcasecmp (mb->flag_names[i], mailbox_flags[j].name) == 0)
        mb->flags |= mailbox_flags[j].flag;
  mb->raw_name = g_strndup (name->text, name->length);
  mb->name = decode_mailbox_name (name, utf8_accept);
  return g_steal_pointer (&mb);
}

/* ------------------------------------------------------------------------
 * NAMESPACE
 * ------------------------------------------------------------------------ */

static void
namespace_entry_free (TernImapNamespaceEntry *e)
{
  g_free (e->prefix);
  g_free (e);
}

void
tern_imap_namespace_free (TernImapNamespace *ns)
{
  if (ns == NULL)
    return;
  g_clear_pointer (&ns->personal, g_ptr_array_unref);
  g_clear_pointer (&ns->other, g_ptr_array_unref);
  g_clear_pointer (&ns->shared, g_ptr_array_unref);
  g_free (ns);
}

static GPtrArray *
decode_namespace_list (const TernImapValue *v,
                       GError             **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) namespace_entry_free);

  if (tern_imap_value_is_nil (v))
    return g_steal_pointer (&out);
  if (!is_list (v))
    return decode_fail (error, "NAMESPACE list"), NULL;
  for (guint i = 0; i < v->n_children; i++)
    {
      const TernImapValue *e = v->u.children[i];
      TernImapNamespaceEntry *entry;
      char delim;

      if (!is_list (e) || e->n_children < 2 || !is_textual (child (e, 0))
          || !decode_delimiter (child (e, 1), &delim))
        return decode_fail (error, "NAMESPACE entry"), NULL;
      entry = g_new0 (TernImapNamespaceEntry, 1);
      entry->prefix = g_strndup (child (e, 0)->text, child (e, 0)->length);
      entry->delimiter = delim;
      g_ptr_array_add (out, entry);
    }
  return g_steal_pointer (&out);
}

TernImapNamespace *
tern_imap_namespace_decode (const TernImapResponse *response,
                            GError                **error)
{
  g_autoptr(TernImapNamespace) ns = NULL;

  if (!check_data (response, "NAMESPACE", error))
    return NULL;
  if (n_children (response->data) < 3)
    return decode_fail (error, "NAMESPACE response"), NULL;
  ns = g_new0 (TernImapNamespace, 1);
  if ((ns->personal = decode_namespace_list (child (response->data, 0), error)) == NULL
      || (ns->other = decode_namespace_list (child (response->data, 1), error)) == NULL
      || (ns->shared = decode_namespace_list (child (response->data, 2), error)) == NULL)
    return NULL;
  return g_steal_pointer (&ns);
}

/* ------------------------------------------------------------------------
 * METADATA
 * ------------------------------------------------------------------------ */

static void
metadata_entry_free (TernImapMetadataEntry *e)
{
  g_free (e->name);
  g_clear_pointer (&e->value, g_bytes_unref);
  g_free (e);
}

void
tern_imap_metadata_free (TernImapMetadata *metadata)
{
  if (metadata == NULL)
    return;
  g_free (metadata->mailbox);
  g_clear_pointer (&metadata->entries, g_ptr_array_unref);
  g_free (metadata);
}

TernImapMetadata *
tern_imap_metadata_decode (const TernImapResponse *response,
                           GError                **error)
{
  g_autoptr(TernImapMetadata) md = NULL;
  const TernImapValue *data, *mailbox, *list;

  if (!check_data (response, "METADATA", error))
    return NULL;
  data = response->data;
  mailbox = child (data, 0);
  if (!is_textual (mailbox) || n_children (data) < 2)
    return decode_fail (error, "METADATA response"), NULL;
  md = g_new0 (TernImapMetadata, 1);
  md->mailbox = g_strndup (mailbox->text, mailbox->length);
  md->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) metadata_entry_free);
  list = child (data, 1);
  if (is_list (list))
    {
      if (n_children (data) != 2 || list->n_children % 2 != 0)
        return decode_fail (error, "METADATA entries"), NULL;
      for (guint i = 0; i < list->n_children; i += 2)
        {
          const TernImapValue *name = list->u.children[i];
          const TernImapValue *value = list->u.children[i + 1];
          TernImapMetadataEntry *e;
          if (!is_textual (name) || (!is_textual (value) && !tern_imap_value_is_nil (value)))
            return decode_fail (error, "METADATA entry"), NULL;
          e = g_new0 (TernImapMetadataEntry, 1);
          e->name = g_strndup (name->text, name->length);
          e->value = tern_imap_value_get_bytes (value);
          g_ptr_array_add (md->entries, e);
        }
      return g_steal_pointer (&md);
    }
  md->unsolicited = TRUE;
  for (guint i = 1; i < data->n_children; i++)
    {
      const TernImapValue *name = data->u.children[i];
      TernImapMetadataEntry *e;
      if (!is_textual (name))
        return decode_fail (error, "METADATA entry name"), NULL;
      e = g_new0 (TernImapMetadataEntry, 1);
      e->name = g_strndup (name->text, name->length);
      g_ptr_array_add (md->entries, e);
    }
  return g_steal_pointer (&md);
}

GBytes *
tern_imap_metadata_lookup (const TernImapMetadata *metadata,
                           const char             *entry)
{
  g_return_val_if_fail (metadata != NULL && entry != NULL, NULL);
  for (guint i = 0; i < metadata->entries->len; i++)
    {
      TernImapMetadataEntry *e = metadata->entries->pdata[i];
      if (g_ascii_strcasecmp (e->name, entry) == 0)
        return e->value;
    }
  return NULL;
}

/* ------------------------------------------------------------------------
 * CAPABILITY, ENABLED, FLAGS, SEARCH, ESEARCH, STATUS, VANISHED
 * ------------------------------------------------------------------------ */

char **
tern_imap_capabilities_decode (const TernImapResponse *response,
                               GError                **error)
{
  if (response != NULL && response->code == TERN_IMAP_CODE_CAPABILITY)
    return tern_imap_strv_from_values (response->code_args, 0, TRUE);
  if (response != NULL && response->name != NULL
      && (strcmp (response->name, "CAPABILITY") == 0 || strcmp (response->name, "ENABLED") == 0))
    return tern_imap_strv_from_values (response->data, 0, TRUE);
  g_set_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_PARSE,
               "Not an IMAP CAPABILITY or ENABLED response");
  return NULL;
}

char **
tern_imap_flags_decode (const TernImapResponse *response,
                        GError                **error)
{
  const TernImapValue *list;

  if (!check_data (response, "FLAGS", error))
    return NULL;
  list = child (response->data, 0);
  if (!is_list (list))
    return decode_fail (error, "FLAGS response"), NULL;
  return tern_imap_strv_from_values (list, 0, FALSE);
}

GArray *
tern_imap_search_decode (const TernImapResponse *response,
                         guint64                *modseq,
                         GError                **error)
{
  g_autoptr(GArray) out = NULL;
  const TernImapValue *data;

  if (modseq)
    *modseq = 0;
  if (!check_data (response, "SEARCH", error))
    return NULL;
  data = response->data;
  out = g_array_sized_new (FALSE, FALSE, sizeof (guint32), data->n_children);
  for (guint i = 0; i < data->n_children; i++)
    {
      const TernImapValue *v = data->u.children[i];
      guint32 n;
      if (is_list (v) && v->n_children == 2 && tern_imap_value_text_equal (child (v, 0), "MODSEQ")
          && child (v, 1)->type == TERN_IMAP_VALUE_NUMBER)
        {
          if (modseq)
            *modseq = child (v, 1)->u.number;
          continue;
        }
      if (!get_u32 (v, &n))
        return decode_fail (error, "SEARCH response"), NULL;
      g_array_append_val (out, n);
    }
  return g_steal_pointer (&out);
}

void
tern_imap_esearch_free (TernImapEsearch *esearch)
{
  if (esearch == NULL)
    return;
  g_free (esearch->tag);
  tern_imap_uid_set_free (esearch->all);
  g_free (esearch);
}

TernImapEsearch *
tern_imap_esearch_decode (const TernImapResponse *response,
                          GError                **error)
{
  g_autoptr(TernImapEsearch) es = NULL;
  const TernImapValue *data;
  guint i = 0;

  if (!check_data (response, "ESEARCH", error))
    return NULL;
  data = response->data;
  es = g_new0 (TernImapEsearch, 1);
  if (is_list (child (data, 0)))
    {
      const TernImapValue *corr = child (data, 0);
      if (corr->n_children == 2 && tern_imap_value_text_equal (child (corr, 0), "TAG")
          && is_textual (child (corr, 1)))
        es->tag = g_strndup (child (corr, 1)->text, child (corr, 1)->length);
      i = 1;
    }
  if (tern_imap_value_text_equal (child (data, i), "UID"))
    {
      es->uid = TRUE;
      i++;
    }
  for (; i + 1 < data->n_children + 1 && i < data->n_children; i += 2)
    {
      const TernImapValue *key = data->u.children[i];
      const TernImapValue *val = child (data, i + 1);
      if (val == NULL || key->type != TERN_IMAP_VALUE_ATOM)
        return decode_fail (error, "ESEARCH response"), NULL;
      if (tern_imap_value_text_equal (key, "MIN"))
        {
          if (!get_u32 (val, &es->min))
            return decode_fail (error, "ESEARCH MIN"), NULL;
          es->has_min = TRUE;
        }
      else if (tern_imap_value_text_equal (key, "MAX"))
        {
          if (!get_u32 (val, &es->max))
            return decode_fail (error, "ESEARCH MAX"), NULL;
          es->has_max = TRUE;
        }
      else if (tern_imap_value_text_equal (key, "COUNT"))
        {
          if (!get_u32 (val, &es->count))
            return decode_fail (error, "ESEARCH COUNT"), NULL;
          es->has_count = TRUE;
        }
      else if (tern_imap_value_text_equal (key, "ALL"))
        {
          tern_imap_uid_set_free (es->all);
          es->all = tern_imap_uid_set_from_value (val);
          if (es->all == NULL)
            return decode_fail (error, "ESEARCH ALL"), NULL;
        }
      else if (tern_imap_value_text_equal (key, "MODSEQ"))
        {
          if (val->type != TERN_IMAP_VALUE_NUMBER)
            return decode_fail (error, "ESEARCH MODSEQ"), NULL;
          es->modseq = val->u.number;
        }
    }
  return g_steal_pointer (&es);
}

void
tern_imap_mailbox_status_free (TernImapMailboxStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->mailbox);
  g_free (status->raw_mailbox);
  g_free (status);
}

TernImapMailboxStatus *
tern_imap_mailbox_status_decode (const TernImapResponse *response,
                                 gboolean                utf8_accept,
                                 GError                **error)
{
  g_autoptr(TernImapMailboxStatus) st = NULL;
  const TernImapValue *name, *list;

  if (!check_data (response, "STATUS", error))
    return NULL;
  name = child (response->data, 0);
  list = child (response->data, 1);
  if (!is_textual (name) || !is_list (list) || list->n_children % 2 != 0)
    return decode_fail (error, "STATUS response"), NULL;
  st = g_new0 (TernImapMailboxStatus, 1);
  st->raw_mailbox = g_strndup (name->text, name->length);
  st->mailbox = decode_mailbox_name (name, utf8_accept);
  for (guint i = 0; i < list->n_children; i += 2)
    {
      const TernImapValue *key = list->u.children[i];
      const TernImapValue *val = list->u.children[i + 1];
      guint64 n;
      if (val->type != TERN_IMAP_VALUE_NUMBER)
        return decode_fail (error, "STATUS item"), NULL;
      n = val->u.number;
      if (tern_imap_value_text_equal (key, "HIGHESTMODSEQ"))
        {
          st->highestmodseq = n;
          st->present |= TERN_IMAP_STATUS_ITEM_HIGHESTMODSEQ;
          continue;
        }
      if (tern_imap_value_text_equal (key, "SIZE"))
        {
          st->size = n;
          st->present |= TERN_IMAP_STATUS_ITEM_SIZE;
          continue;
        }
      if (n > G_MAXUINT32)
        return decode_fail (error, "STATUS number"), NULL;
      if (tern_imap_value_text_equal (key, "MESSAGES"))
        st->messages = (guint32) n, st->present |= TERN_IMAP_STATUS_ITEM_MESSAGES;
      else if (tern_imap_value_text_equal (key, "RECENT"))
        st->recent = (guint32) n, st->present |= TERN_IMAP_STATUS_ITEM_RECENT;
      else if (tern_imap_value_text_equal (key, "UIDNEXT"))
        st->uidnext = (guint32) n, st->present |= TERN_IMAP_STATUS_ITEM_UIDNEXT;
      else if (tern_imap_value_text_equal (key, "UIDVALIDITY"))
        st->uidvalidity = (guint32) n, st->present |= TERN_IMAP_STATUS_ITEM_UIDVALIDITY;
      else if (tern_imap_value_text_equal (key, "UNSEEN"))
        st->unseen = (guint32) n, st->present |= TERN_IMAP_STATUS_ITEM_UNSEEN;
      else if (tern_imap_value_text_equal (key, "DELETED"))
        st->deleted = (guint32) n, st->present |= TERN_IMAP_STATUS_ITEM_DELETED;
    }
  return g_steal_pointer (&st);
}

void
tern_imap_vanished_free (TernImapVanished *vanished)
{
  if (vanished == NULL)
    return;
  tern_imap_uid_set_free (vanished->uids);
  g_free (vanished);
}

TernImapVanished *
tern_imap_vanished_decode (const TernImapResponse *response,
                           GError                **error)
{
  g_autoptr(TernImapVanished) van = NULL;
  const TernImapValue *data;
  guint i = 0;

  if (!check_data (response, "VANISHED", error))
    return NULL;
  data = response->data;
  van = g_new0 (TernImapVanished, 1);
  if (is_list (child (data, 0)))
    {
      const TernImapValue *tag = child (data, 0);
      if (tag->n_children != 1 || !tern_imap_value_text_equal (child (tag, 0), "EARLIER"))
        return decode_fail (error, "VANISHED tag"), NULL;
      van->earlier = TRUE;
      i = 1;
    }
  if (i + 1 != data->n_children)
    return decode_fail (error, "VANISHED response"), NULL;
  van->uids = tern_imap_uid_set_from_value (child (data, i));
  if (van->uids == NULL)
    return decode_fail (error, "VANISHED set"), NULL;
  return g_steal_pointer (&van);
}
