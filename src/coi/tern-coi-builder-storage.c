/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-coi"

/* Storage messages for COI/Contacts: contacts, the user's profiles, groups. */

#include "tern-coi-builder-private.h"

#include "tern-coi-error.h"
#include "tern-coi-hash.h"
#include "tern-coi-html.h"

/* ------------------------------------------------------- storage messages */

static GMimeMessage *
storage_message (const TernCoiMailbox *owner,
                 const char           *subject,
                 const char           *group_id,
                 GDateTime            *date,
                 GError              **error)
{
  TernCoiDraft        d = { 0 };
  TernCoiBuilderFrame frame = { 0 };

  if (owner == NULL)
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                   "A storage message needs its owner");
      return NULL;
    }
  d.from = *owner;
  d.date = date;
  frame.subject = subject;
  frame.group_id = group_id;
  frame.no_conversation = TRUE;
  frame.no_receipt = TRUE;
  return tern_coi_builder_new_message (&d, &frame, error);
}

static gboolean
check_card (const TernCoiCard *card, GError **error)
{
  if (card == NULL || card->emails == NULL || card->emails[0] == NULL)
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "A card needs an e-mail address");
      return FALSE;
    }
  for (guint i = 0; card->emails[i] != NULL; i++)
    if (!tern_coi_builder_address_is_valid (card->emails[i]))
      {
        g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                     "E-mail address %u of the card is not valid", i + 1);
        return FALSE;
      }
  return TRUE;
}

/**
 * tern_coi_build_contact_storage:
 * @owner: the user (From)
 * @contact: the contact's h-card (at least one e-mail)
 * @blocked: the contact is blocked (`COI-Blocked: yes`)
 * @date: (nullable): when the contact was last changed [now]
 * @error: return location for an error
 *
 * A text/html message with `Chat-Content: contact`, one `COI-From-Hash` per
 * e-mail address of the contact, for COI/Contacts.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_contact_storage (const TernCoiMailbox *owner,
                                const TernCoiCard    *contact,
                                gboolean              blocked,
                                GDateTime            *date,
                                GError              **error)
{
  g_autoptr (GMimeMessage) message = NULL;
  GString *body;

  if (!check_card (contact, error))
    return NULL;
  message = storage_message (owner, "Contact", NULL, date, error);
  if (message == NULL)
    return NULL;

  for (guint i = 0; contact->emails[i] != NULL; i++)
    {
      g_autofree char *hash = tern_coi_address_hash (contact->emails[i]);
      tern_coi_builder_set_header (GMIME_OBJECT (message), "COI-From-Hash", hash, TRUE);
    }
  if (blocked)
    tern_coi_builder_set_header (GMIME_OBJECT (message), "COI-Blocked", "yes", FALSE);
  tern_coi_builder_set_header (GMIME_OBJECT (message), "Chat-Content", "contact", FALSE);

  body = g_string_new (NULL);
  tern_coi_html_append_hcard (body, contact, FALSE);
  tern_coi_builder_set_body (message, GMIME_OBJECT (tern_coi_builder_html_part_take (
                                          tern_coi_html_document (body->str), NULL)));
  g_string_free (body, TRUE);
  return g_steal_pointer (&message);
}

/**
 * tern_coi_build_profile_storage:
 * @owner: the user (From)
 * @profiles: the user's profiles, one per audience (`profile_categories`
 *   says which categories of contacts see it; NULL = everyone)
 * @n_profiles: at least 1
 * @date: (nullable): when the profile was last changed [now]
 * @error: return location for an error
 *
 * multipart/mixed with `Chat-Content: profile`, one text/html part per
 * profile marked `Chat-Content: profile[; categories=...]`.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_profile_storage (const TernCoiMailbox *owner,
                                const TernCoiCard    *profiles,
                                guint                 n_profiles,
                                GDateTime            *date,
                                GError              **error)
{
  g_autoptr (GMimeMessage) message = NULL;
  GMimeMultipart *mixed;

  if (n_profiles == 0 || profiles == NULL)
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "No profile to store");
      return NULL;
    }
  for (guint i = 0; i < n_profiles; i++)
    if (!check_card (&profiles[i], error))
      return NULL;
  message = storage_message (owner, "Profile", NULL, date, error);
  if (message == NULL)
    return NULL;
  tern_coi_builder_set_header (GMIME_OBJECT (message), "Chat-Content", "profile", FALSE);

  mixed = g_mime_multipart_new_with_subtype ("mixed");
  for (guint i = 0; i < n_profiles; i++)
    {
      g_autofree char *cc = NULL;
      GString         *body = g_string_new (NULL);
      GMimePart       *part;

      if (profiles[i].profile_categories != NULL && *profiles[i].profile_categories)
        {
          g_autoptr (GString) cats = g_string_new (NULL);
          g_auto (GStrv) items = g_strsplit (profiles[i].profile_categories, ",", -1);

          for (guint k = 0; items[k]; k++)
            {
              g_strstrip (items[k]);
              for (char *p = items[k]; *p; p++)
                if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
                  *p = '_';
              if (*items[k])
                g_string_append_printf (cats, "%s%s", cats->len ? "," : "", items[k]);
            }
          cc = g_strdup_printf ("profile; categories=%s", cats->str);
        }
      tern_coi_html_append_hcard (body, &profiles[i], FALSE);
      part = tern_coi_builder_html_part_take (tern_coi_html_document (body->str),
                                              cc != NULL ? cc : "profile");
      g_string_free (body, TRUE);
      g_mime_multipart_add (mixed, GMIME_OBJECT (part));
      g_object_unref (part);
    }
  tern_coi_builder_set_body (message, GMIME_OBJECT (mixed));
  return g_steal_pointer (&message);
}

/**
 * tern_coi_build_group_storage:
 * @owner: the user (From)
 * @group: the group (`id` required), members with their e-mails
 * @date: (nullable): when the group was last changed [now]
 * @error: return location for an error
 *
 * `Chat-Content: group`, a group Message-ID, multipart/mixed with one
 * text/html part holding the h-group (p-id) and the participants as h-cards
 * with p-hash.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_group_storage (const TernCoiMailbox *owner,
                              const TernCoiGroup   *group,
                              GDateTime            *date,
                              GError              **error)
{
  g_autoptr (GMimeMessage) message = NULL;
  GMimeMultipart *mixed;
  GMimePart      *part;
  GString        *body;

  if (group == NULL || group->id == NULL || (group->n_members > 0 && group->members == NULL))
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                   "A group storage message needs the group id");
      return NULL;
    }
  for (guint i = 0; i < group->n_members; i++)
    if (!check_card (&group->members[i], error))
      return NULL;
  message = storage_message (owner, "Group", group->id, date, error);
  if (message == NULL)
    return NULL;
  tern_coi_builder_set_header (GMIME_OBJECT (message), "Chat-Content", "group", FALSE);

  body = g_string_new (NULL);
  tern_coi_html_append_hgroup (body, group, NULL, TRUE);
  part = tern_coi_builder_html_part_take (tern_coi_html_document (body->str), "group");
  g_string_free (body, TRUE);
  mixed = g_mime_multipart_new_with_subtype ("mixed");
  g_mime_multipart_add (mixed, GMIME_OBJECT (part));
  g_object_unref (part);
  tern_coi_builder_set_body (message, GMIME_OBJECT (mixed));
  return g_steal_pointer (&message);
}
