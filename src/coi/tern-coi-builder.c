/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-coi"

#include "tern-coi-builder.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "tern-coi.h"
#include "tern-coi-error.h"
#include "tern-coi-builder-private.h"
#include "tern-coi-bytes-stream-private.h"
#include "tern-coi-flowed.h"
#include "tern-coi-hash.h"
#include "tern-coi-html.h"
#include "tern-coi-ids.h"

/* Delta Chat's edit marker, U+270F U+FE0F. */
#define EDIT_PREFIX "\xe2\x9c\x8f\xef\xb8\x8f"

/* ---------------------------------------------------------------- helpers */

gboolean
tern_coi_builder_address_is_valid (const char *address)
{
  const char *at;

  if (address == NULL || *address == '\0' || !g_utf8_validate (address, -1, NULL))
    return FALSE;
  at = strrchr (address, '@');
  if (at == NULL || at == address || at[1] == '\0')
    return FALSE;
  for (const char *p = address; *p; p++)
    if (g_ascii_isspace (*p) || *p == '<' || *p == '>' || *p == ',' || *p == ';')
      return FALSE;
  return TRUE;
}

static gboolean
id_is_valid (const char *id)
{
  if (id == NULL || *id == '\0' || strchr (id, '@') == NULL)
    return FALSE;
  for (const char *p = id; *p; p++)
    if ((guchar)*p <= ' ' || (guchar)*p >= 0x7f || *p == '<' || *p == '>')
      return FALSE;
  return TRUE;
}

static gboolean
check_mailboxes (const TernCoiMailbox *list, guint n, const char *what, GError **error)
{
  for (guint i = 0; i < n; i++)
    if (!tern_coi_builder_address_is_valid (list[i].address))
      {
        g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                     "%s address %u is not a valid address", what, i + 1);
        return FALSE;
      }
  return TRUE;
}

static char *
default_subject (const char *text)
{
  g_autofree char *first = NULL;
  const char      *nl;
  glong            n;

  if (text == NULL)
    return g_strdup ("Chat");
  nl = strchr (text, '\n');
  first = nl ? g_strndup (text, nl - text) : g_strdup (text);
  g_strstrip (first);
  if (*first == '\0')
    return g_strdup ("Chat");
  n = g_utf8_strlen (first, -1);
  if (n > 40)
    {
      g_autofree char *cut = g_utf8_substring (first, 0, 40);
      return g_strdup_printf ("Chat: %s...", cut);
    }
  return g_strdup_printf ("Chat: %s", first);
}

/* ---------------------------------------------------- the message frame */

GMimeMessage *
tern_coi_builder_new_message (const TernCoiDraft        *draft,
                              const TernCoiBuilderFrame *frame,
                              GError                   **error)
{
  g_autoptr (GMimeMessage) message = NULL;
  g_autofree char *domain = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *subject = NULL;
  const char      *in_reply_to;
  GMimeObject     *obj;

  tern_coi_init ();

  if (!tern_coi_builder_address_is_valid (draft->from.address))
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "The From address is not valid");
      return NULL;
    }
  if ((draft->n_to > 0 && draft->to == NULL) || (draft->n_cc > 0 && draft->cc == NULL)
      || (draft->n_attachments > 0 && draft->attachments == NULL)
      || (draft->group != NULL && draft->group->n_members > 0 && draft->group->members == NULL))
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                   "A list has a count but no items");
      return NULL;
    }
  if (!check_mailboxes (draft->to, draft->n_to, "To", error)
      || !check_mailboxes (draft->cc, draft->n_cc, "Cc", error))
    return NULL;
  if (frame->group_id != NULL && !tern_coi_ids_group_id_is_valid (frame->group_id))
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                   "A group id needs at least 12 characters of [0-9A-Za-z_-]");
      return NULL;
    }
  in_reply_to = frame->in_reply_to != NULL ? frame->in_reply_to : draft->in_reply_to;
  if (frame->no_conversation)
    in_reply_to = NULL;
  if ((in_reply_to != NULL && !id_is_valid (in_reply_to))
      || (!frame->no_conversation
          && ((draft->references_first != NULL && !id_is_valid (draft->references_first))
              || (draft->references_last != NULL && !id_is_valid (draft->references_last)))))
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                   "A message id to refer to is not valid (no <>, one @)");
      return NULL;
    }
  if (draft->message_id != NULL && !id_is_valid (draft->message_id))
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "The Message-ID is not valid");
      return NULL;
    }

  message = g_mime_message_new (FALSE);
  obj = GMIME_OBJECT (message);

  tern_coi_builder_set_address_header (message, "From", GMIME_ADDRESS_TYPE_FROM, &draft->from, 1);
  tern_coi_builder_set_address_header (message, "To", GMIME_ADDRESS_TYPE_TO, draft->to,
                                       draft->n_to);
  tern_coi_builder_set_address_header (message, "Cc", GMIME_ADDRESS_TYPE_CC, draft->cc,
                                       draft->n_cc);

  if (frame->subject != NULL)
    subject = tern_coi_builder_header_text (frame->subject);
  else if (draft->group != NULL && draft->group->name != NULL)
    subject = tern_coi_builder_header_text (draft->group->name);
  else if (draft->subject != NULL)
    subject = tern_coi_builder_header_text (draft->subject);
  else
    {
      g_autofree char *d = default_subject (draft->text);
      subject = tern_coi_builder_header_text (d);
    }
  tern_coi_builder_set_header (obj, "Subject", subject, FALSE);

  {
    g_autoptr (GDateTime) now = draft->date == NULL ? g_date_time_new_now_local () : NULL;
    g_autofree char *date = g_mime_utils_header_format_date (draft->date ? draft->date : now);

    tern_coi_builder_set_header (obj, "Date", date, FALSE);
  }

  if (draft->message_id != NULL)
    message_id = g_strdup (draft->message_id);
  else
    {
      domain = tern_coi_ids_domain_of (draft->from.address);
      message_id = tern_coi_ids_new_message_id (domain, frame->group_id);
    }
  {
    g_autofree char *v = tern_coi_builder_bracket (message_id);
    tern_coi_builder_set_header (obj, "Message-ID", v, FALSE);
  }

  if (in_reply_to != NULL)
    {
      g_autofree char *v = tern_coi_builder_bracket (in_reply_to);
      tern_coi_builder_set_header (obj, "In-Reply-To", v, FALSE);
    }
  if (!frame->no_conversation)
    {
      const char *first = draft->references_first;
      const char *last = draft->references_last != NULL ? draft->references_last : in_reply_to;
      g_autoptr (GString) refs = g_string_new (NULL);

      if (first != NULL)
        g_string_append_printf (refs, "<%s>", first);
      if (last != NULL && g_strcmp0 (first, last) != 0)
        g_string_append_printf (refs, "%s<%s>", refs->len ? " " : "", last);
      if (refs->len > 0)
        tern_coi_builder_set_header (obj, "References", refs->str, FALSE);
    }

  tern_coi_builder_set_header (obj, "MIME-Version", "1.0", FALSE);
  tern_coi_builder_set_header (obj, "Chat-Version", "1.0", FALSE);

  if (draft->request_receipt && !frame->no_receipt)
    {
      tern_coi_builder_set_address_header (message, "Disposition-Notification-To", -1, &draft->from,
                                           1);
      tern_coi_builder_set_header (obj, "Chat-Disposition-Notification-To", draft->from.address,
                                   FALSE);
    }

  if (frame->group_id != NULL)
    {
      tern_coi_builder_set_header (obj, "Chat-Group-ID", frame->group_id, FALSE);
      if (draft->group != NULL && draft->group->name != NULL)
        {
          g_autofree char *name = tern_coi_builder_header_text (draft->group->name);
          tern_coi_builder_set_header (obj, "Chat-Group-Name", name, FALSE);
        }
    }

  return g_steal_pointer (&message);
}

/* Pinned messages: Content-Disposition of the top-level entity. */
static void
apply_pinned (const TernCoiDraft *draft, GMimeObject *body)
{
  g_autoptr (GMimeContentDisposition) disp = NULL;

  if (!draft->pinned)
    return;
  disp = g_mime_content_disposition_new ();
  g_mime_content_disposition_set_disposition (disp, "pinned");
  if (draft->pinned_until != NULL)
    {
      g_autofree char *date = g_mime_utils_header_format_date (draft->pinned_until);
      g_mime_content_disposition_set_parameter (disp, "timeout", date);
    }
  g_mime_object_set_content_disposition (body, disp);
}

void
tern_coi_builder_set_body (GMimeMessage *message, GMimeObject *body)
{
  g_mime_message_set_mime_part (message, body);
  g_object_unref (body);
}

static const char *
draft_group_id (const TernCoiDraft *draft)
{
  return draft->group != NULL ? draft->group->id : NULL;
}

static gboolean
check_group (const TernCoiDraft *draft, GError **error)
{
  if (draft->group != NULL && draft->group->id == NULL)
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                   "A group message needs the group id (tern_coi_convert_to_group creates one)");
      return FALSE;
    }
  return TRUE;
}

/* --------------------------------------------------------- text bodies */

static GMimeObject *
structured_part (const TernCoiDraft *draft,
                 const char         *group_id,
                 gboolean            profile,
                 const char         *text_html)
{
  g_autoptr (GString) body = g_string_new (text_html);

  if (profile)
    {
      if (body->len > 0)
        g_string_append (body, "<hr>\n");
      tern_coi_html_append_hcard (body, draft->profile, FALSE);
      return GMIME_OBJECT (
          tern_coi_builder_html_part_take (tern_coi_html_document (body->str), "profile"));
    }
  g_string_append (body, "<div style=\"display: none\">\n<hr>\n");
  tern_coi_html_append_hgroup (body, draft->group, group_id, FALSE);
  g_string_append (body, "</div>\n");
  return GMIME_OBJECT (
      tern_coi_builder_html_part_take (tern_coi_html_document (body->str), "groupinfo"));
}

/*
 * The text of a message with what goes along with it:
 *   text only                      text/plain (flowed)
 *   formatted                      alternative [plain, markdown?, html | mixed [html, ignore]]
 *   text + profile or groupinfo    alternative [plain, html marked profile/groupinfo]
 *   formatted + profile/groupinfo  mixed [alternative [...], html profile, html groupinfo]
 *   text + profile + groupinfo     mixed [alternative [plain, html groupinfo], html profile]
 */
static GMimeObject *
text_body (const TernCoiDraft *draft, const char *group_id, const char *text)
{
  gboolean         formatted = draft->html != NULL || draft->markdown != NULL;
  gboolean         want_group = draft->group_info && draft->group != NULL;
  gboolean         want_profile = draft->profile != NULL;
  g_autofree char *text_html = NULL;
  GMimeMultipart  *alt;
  GMimeMultipart  *mixed = NULL;
  GMimeObject     *html = NULL;

  if (!formatted && !want_group && !want_profile && draft->ignore_html == NULL)
    return GMIME_OBJECT (tern_coi_builder_plain_part (text));

  text_html
      = draft->html != NULL ? g_strdup (draft->html) : tern_coi_builder_text_to_html_body (text);
  alt = g_mime_multipart_new_with_subtype ("alternative");
  g_mime_multipart_add (alt, GMIME_OBJECT (tern_coi_builder_plain_part (text)));
  g_object_unref (g_mime_multipart_get_part (alt, 0));
  if (draft->markdown != NULL)
    {
      GMimePart *md
          = tern_coi_builder_text_part_take ("markdown", g_strdup (draft->markdown), FALSE);
      g_mime_multipart_add (alt, GMIME_OBJECT (md));
      g_object_unref (md);
    }

  if (formatted || (!want_group && !want_profile))
    html
        = GMIME_OBJECT (tern_coi_builder_html_part_take (tern_coi_html_document (text_html), NULL));
  else if (want_group)
    {
      html = structured_part (draft, group_id, FALSE, text_html);
      want_group = FALSE;
    }
  else
    {
      html = structured_part (draft, group_id, TRUE, text_html);
      want_profile = FALSE;
    }

  if (draft->ignore_html != NULL)
    {
      GMimeMultipart *inner = g_mime_multipart_new_with_subtype ("mixed");
      GMimePart      *ign
          = tern_coi_builder_html_part_take (tern_coi_html_document (draft->ignore_html), "ignore");

      g_mime_multipart_add (inner, html);
      g_mime_multipart_add (inner, GMIME_OBJECT (ign));
      g_object_unref (html);
      g_object_unref (ign);
      html = GMIME_OBJECT (inner);
    }
  g_mime_multipart_add (alt, html);
  g_object_unref (html);

  if (!want_group && !want_profile)
    return GMIME_OBJECT (alt);

  mixed = g_mime_multipart_new_with_subtype ("mixed");
  g_mime_multipart_add (mixed, GMIME_OBJECT (alt));
  g_object_unref (alt);
  if (want_group)
    {
      GMimeObject *p = structured_part (draft, group_id, FALSE, "");
      g_mime_multipart_add (mixed, p);
      g_object_unref (p);
    }
  if (want_profile)
    {
      GMimeObject *p = structured_part (draft, group_id, TRUE, "");
      g_mime_multipart_add (mixed, p);
      g_object_unref (p);
    }
  return GMIME_OBJECT (mixed);
}

/* A text message with a top-level Chat-Content (NULL: none). */
static GMimeMessage *
build_text_kind (const TernCoiDraft *draft,
                 const char         *chat_content,
                 const char         *text,
                 GError            **error)
{
  TernCoiBuilderFrame frame = { 0 };
  g_autoptr (GMimeMessage) message = NULL;
  GMimeObject *body;

  if (!check_group (draft, error))
    return NULL;
  frame.group_id = draft_group_id (draft);
  message = tern_coi_builder_new_message (draft, &frame, error);
  if (message == NULL)
    return NULL;
  if (chat_content != NULL)
    tern_coi_builder_set_header (GMIME_OBJECT (message), "Chat-Content", chat_content, FALSE);
  body = text_body (draft, frame.group_id, text != NULL ? text : draft->text);
  apply_pinned (draft, body);
  tern_coi_builder_set_body (message, body);
  return g_steal_pointer (&message);
}

/**
 * tern_coi_build_text:
 * @draft: the message
 * @error: return location for a #TERN_COI_ERROR_INVALID on a bad draft
 *
 * A chat text message: `text/plain; charset=UTF-8; format=flowed`, or with
 * `html`/`markdown` a multipart/alternative (formatted text); with
 * `profile` a Chat-Content: profile part, with `group_info` a groupinfo
 * part; `pinned` sets Content-Disposition: pinned.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_text (const TernCoiDraft *draft, GError **error)
{
  g_return_val_if_fail (draft != NULL, NULL);
  return build_text_kind (draft, NULL, NULL, error);
}

/* ------------------------------------------------------------ attachments */

static GMimePart *
preview_part (const TernCoiAttachmentDraft *a)
{
  gsize            len;
  const guint8    *data = g_bytes_get_data (a->preview, &len);
  g_autofree char *mime = a->preview_mime_type
                              ? g_strdup (a->preview_mime_type)
                              : tern_coi_builder_guess_mime_type (NULL, data, MIN (len, 4096));
  g_autoptr (GMimeStream) stream = tern_coi_bytes_stream_new (a->preview, 0, -1);
  GMimePart *part;

  if (!g_str_has_prefix (mime, "image/"))
    {
      g_free (mime);
      mime = g_strdup ("image/jpeg");
    }
  part = tern_coi_builder_binary_part (mime, stream);
  tern_coi_builder_set_header (GMIME_OBJECT (part), "Chat-Content", "preview", FALSE);
  tern_coi_builder_set_disposition (GMIME_OBJECT (part), "inline", NULL, (gint64)len);
  return part;
}

static GMimePart *
attachment_part (const TernCoiAttachmentDraft *a, GError **error)
{
  g_autoptr (GMimeStream) stream = NULL;
  g_autofree char *mime = NULL;
  g_autofree char *filename = NULL;
  gint64           size;
  GMimePart       *part;

  if ((a->path == NULL) == (a->bytes == NULL))
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                   "An attachment needs a path or bytes (one of them)");
      return NULL;
    }

  {
    g_autofree char *base = NULL;

    if (a->filename != NULL)
      base = g_path_get_basename (a->filename);
    else if (a->path != NULL)
      base = g_filename_display_basename (a->path);
    if (base == NULL || *base == '\0' || strcmp (base, ".") == 0 || strcmp (base, "/") == 0
        || strcmp (base, "..") == 0)
      {
        g_free (base);
        base = g_strdup ("file");
      }
    filename = tern_coi_builder_header_text (base);
  }

  if (a->path != NULL)
    {
      struct stat st;
      guint8      head[4096];
      gssize      n;

      stream = g_mime_stream_fs_open (a->path, O_RDONLY | O_CLOEXEC, 0, error);
      if (stream == NULL)
        {
          g_prefix_error (error, "%s: ", a->path);
          return NULL;
        }
      if (fstat (GMIME_STREAM_FS (stream)->fd, &st) != 0 || !S_ISREG (st.st_mode))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE, "%s: not a regular file",
                       a->path);
          return NULL;
        }
      size = st.st_size;
      if (a->mime_type == NULL)
        {
          n = g_mime_stream_read (stream, (char *)head, sizeof head);
          mime = tern_coi_builder_guess_mime_type (filename, head, n > 0 ? (gsize)n : 0);
          g_mime_stream_reset (stream);
        }
    }
  else
    {
      gsize         len;
      const guint8 *data = g_bytes_get_data (a->bytes, &len);

      stream = tern_coi_bytes_stream_new (a->bytes, 0, -1);
      size = len;
      if (a->mime_type == NULL)
        mime = tern_coi_builder_guess_mime_type (filename, data, MIN (len, 4096));
    }
  if (mime == NULL)
    mime = g_ascii_strdown (a->mime_type, -1);

  part = tern_coi_builder_binary_part (mime, stream);
  tern_coi_builder_set_disposition (GMIME_OBJECT (part), "inline", filename, size);
  return part;
}

/**
 * tern_coi_build_attachments:
 * @draft: the message; `attachments` must hold at least one file, `text`
 *   is optional
 * @error: return location for an error (bad draft, file not readable)
 *
 * One file alone becomes the body itself (the spec's first example);
 * several, a text or previews make a multipart/mixed with the text first
 * and each preview right before its full part. Files are streamed from
 * disk when the message is written, base64.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_attachments (const TernCoiDraft *draft, GError **error)
{
  TernCoiBuilderFrame frame = { 0 };
  g_autoptr (GMimeMessage) message = NULL;
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_object_unref);
  GMimeObject *body;

  g_return_val_if_fail (draft != NULL, NULL);

  if (draft->n_attachments == 0)
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "No attachment to send");
      return NULL;
    }
  if (!check_group (draft, error))
    return NULL;
  frame.group_id = draft_group_id (draft);
  message = tern_coi_builder_new_message (draft, &frame, error);
  if (message == NULL)
    return NULL;

  if ((draft->text != NULL && *draft->text != '\0') || draft->html != NULL || draft->profile != NULL
      || (draft->group_info && draft->group != NULL))
    g_ptr_array_add (parts, text_body (draft, frame.group_id, draft->text));

  for (guint i = 0; i < draft->n_attachments; i++)
    {
      const TernCoiAttachmentDraft *a = &draft->attachments[i];
      GMimePart                    *full = attachment_part (a, error);

      if (full == NULL)
        return NULL;
      if (a->preview != NULL)
        g_ptr_array_add (parts, preview_part (a));
      g_ptr_array_add (parts, full);
    }

  /* A pinned single file keeps its own inline disposition: wrap it. */
  if (parts->len == 1 && !draft->pinned)
    body = g_object_ref (g_ptr_array_index (parts, 0));
  else
    {
      GMimeMultipart *mixed = g_mime_multipart_new_with_subtype ("mixed");

      for (guint i = 0; i < parts->len; i++)
        g_mime_multipart_add (mixed, g_ptr_array_index (parts, i));
      body = GMIME_OBJECT (mixed);
    }
  apply_pinned (draft, body);
  tern_coi_builder_set_body (message, body);
  return g_steal_pointer (&message);
}

/* ------------------------------------------------------- edit and delete */

/**
 * tern_coi_build_edit:
 * @draft: the conversation (from, to, group, references)
 * @target_id: the Message-ID (no <>) of the message edited, or of its last edit
 * @new_text: the new text; "" means the message is deleted
 * @error: return location for an error
 *
 * COI form: `Chat-Content: editrequest` + `In-Reply-To: <target>`. Delta Chat
 * form alongside: a multipart/mixed whose first part has `Chat-Edit:
 * <target>` and the text "✏️" + new text.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_edit (const TernCoiDraft *draft,
                     const char         *target_id,
                     const char         *new_text,
                     GError            **error)
{
  TernCoiBuilderFrame frame = { 0 };
  g_autoptr (GMimeMessage) message = NULL;
  g_autofree char *target = NULL;
  g_autofree char *text = NULL;
  GMimeMultipart  *mixed;
  GMimePart       *part;

  g_return_val_if_fail (draft != NULL, NULL);

  if (!id_is_valid (target_id))
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                   "The edited message id is not valid");
      return NULL;
    }
  if (!check_group (draft, error))
    return NULL;
  frame.group_id = draft_group_id (draft);
  frame.in_reply_to = target_id;
  message = tern_coi_builder_new_message (draft, &frame, error);
  if (message == NULL)
    return NULL;
  tern_coi_builder_set_header (GMIME_OBJECT (message), "Chat-Content", "editrequest", FALSE);

  target = tern_coi_builder_bracket (target_id);
  text = g_strconcat (EDIT_PREFIX, new_text != NULL ? new_text : "", NULL);
  part = tern_coi_builder_plain_part (text);
  tern_coi_builder_set_header (GMIME_OBJECT (part), "Chat-Edit", target, FALSE);
  mixed = g_mime_multipart_new_with_subtype ("mixed");
  g_mime_multipart_add (mixed, GMIME_OBJECT (part));
  g_object_unref (part);
  tern_coi_builder_set_body (message, GMIME_OBJECT (mixed));
  return g_steal_pointer (&message);
}

/**
 * tern_coi_build_delete:
 * @draft: the conversation; `text` is the line a classic client shows
 *   [the spec's "(original message marked as deleted)"]
 * @target_id: the Message-ID (no <>) of the message deleted
 * @error: return location for an error
 *
 * `Chat-Content: deleterequest`, `In-Reply-To: <target>` and Delta Chat's
 * `Chat-Delete: <target>`.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_delete (const TernCoiDraft *draft, const char *target_id, GError **error)
{
  TernCoiBuilderFrame frame = { 0 };
  g_autoptr (GMimeMessage) message = NULL;
  g_autofree char *target = NULL;

  g_return_val_if_fail (draft != NULL, NULL);

  if (!id_is_valid (target_id))
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                   "The deleted message id is not valid");
      return NULL;
    }
  if (!check_group (draft, error))
    return NULL;
  frame.group_id = draft_group_id (draft);
  frame.in_reply_to = target_id;
  message = tern_coi_builder_new_message (draft, &frame, error);
  if (message == NULL)
    return NULL;
  target = tern_coi_builder_bracket (target_id);
  tern_coi_builder_set_header (GMIME_OBJECT (message), "Chat-Content", "deleterequest", FALSE);
  tern_coi_builder_set_header (GMIME_OBJECT (message), "Chat-Delete", target, FALSE);
  tern_coi_builder_set_body (
      message, GMIME_OBJECT (tern_coi_builder_plain_part (
                   draft->text != NULL ? draft->text : "(original message marked as deleted)")));
  return g_steal_pointer (&message);
}

/* ------------------------------------------------------------ read receipt */

/**
 * tern_coi_build_read_receipt:
 * @draft: from = the reader, to = the sender of the original; `subject`
 *   [Chat: Read receipt]; references as for any message
 * @original_message_id: the Message-ID (no <>) of the message read
 * @reporting_ua: (nullable): the Reporting-UA field [Tern]
 * @error: return location for an error
 *
 * An RFC 8098 multipart/report (report-type=disposition-notification) with a
 * human-readable part and the message/disposition-notification part
 * (`Disposition: manual-action/MDN-sent-manually; displayed`), without a
 * copy of the original, with Chat-Version: 1.0; never requests a receipt.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_read_receipt (const TernCoiDraft *draft,
                             const char         *original_message_id,
                             const char         *reporting_ua,
                             GError            **error)
{
  TernCoiBuilderFrame frame = { 0 };
  g_autoptr (GMimeMessage) message = NULL;
  g_autofree char *human = NULL;
  g_autofree char *fields = NULL;
  g_autofree char *ua = NULL;
  GMimeMultipart  *report;
  GMimePart       *mdn;

  g_return_val_if_fail (draft != NULL, NULL);

  if (!id_is_valid (original_message_id))
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                   "The original message id is not valid");
      return NULL;
    }
  frame.no_receipt = TRUE;
  frame.group_id = NULL; /* a receipt is 1:1 even in groups */
  frame.subject = draft->subject != NULL ? draft->subject : "Chat: Read receipt";
  message = tern_coi_builder_new_message (draft, &frame, error);
  if (message == NULL)
    return NULL;

  report = g_mime_multipart_new_with_subtype ("report");
  g_mime_content_type_set_parameter (g_mime_object_get_content_type (GMIME_OBJECT (report)),
                                     "report-type", "disposition-notification");

  human = g_strdup_printf ("The message <%s> was displayed to %s.\n"
                           "This is no guarantee that it was read or understood.",
                           original_message_id, draft->from.address);
  {
    GMimePart *p = tern_coi_builder_plain_part (human);
    g_mime_multipart_add (report, GMIME_OBJECT (p));
    g_object_unref (p);
  }

  /* Header-like fields: keep them 7bit (an odd UA string is cleaned). */
  ua = g_strdup (reporting_ua != NULL ? reporting_ua : "Tern");
  for (char *p = ua; *p; p++)
    if ((guchar)*p < ' ' || (guchar)*p >= 0x7f)
      *p = '?';
  fields = g_strdup_printf ("Reporting-UA: %s\r\n"
                            "Original-Recipient: rfc822;%s\r\n"
                            "Final-Recipient: rfc822;%s\r\n"
                            "Original-Message-ID: <%s>\r\n"
                            "Disposition: manual-action/MDN-sent-manually; displayed\r\n",
                            ua, draft->from.address, draft->from.address, original_message_id);
  mdn = g_mime_part_new_with_type ("message", "disposition-notification");
  {
    g_autoptr (GMimeStream) stream = g_mime_stream_mem_new_with_buffer (fields, strlen (fields));
    g_autoptr (GMimeDataWrapper) w
        = g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);
    g_mime_part_set_content (mdn, w);
  }
  g_mime_part_set_content_encoding (mdn, GMIME_CONTENT_ENCODING_7BIT);
  g_mime_multipart_add (report, GMIME_OBJECT (mdn));
  g_object_unref (mdn);

  tern_coi_builder_set_body (message, GMIME_OBJECT (report));
  return g_steal_pointer (&message);
}

/* ------------------------------------------------------------------ groups */

/**
 * tern_coi_build_group_left:
 * @draft: `group` set, `to` = the remaining members, `text` = a short
 *   explanation (the user's reason or a default)
 * @error: return location for an error
 *
 * `Chat-Content: groupleft`, Reply-To = the remaining members, and Delta
 * Chat's `Chat-Group-Member-Removed` naming the sender.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_group_left (const TernCoiDraft *draft, GError **error)
{
  g_autoptr (GMimeMessage) message = NULL;
  TernCoiDraft d;

  g_return_val_if_fail (draft != NULL, NULL);
  if (draft->group == NULL)
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "Leaving needs a group");
      return NULL;
    }
  d = *draft;
  d.group_info = FALSE;
  d.profile = NULL;
  if (d.text == NULL)
    d.text = "I left the group.";
  message = build_text_kind (&d, "groupleft", NULL, error);
  if (message == NULL)
    return NULL;
  {
    g_autoptr (GArray) rest = g_array_new (FALSE, FALSE, sizeof (TernCoiMailbox));

    g_array_append_vals (rest, draft->to, draft->n_to);
    g_array_append_vals (rest, draft->cc, draft->n_cc);
    tern_coi_builder_set_address_header (message, "Reply-To", GMIME_ADDRESS_TYPE_REPLY_TO,
                                         (const TernCoiMailbox *)(gpointer)rest->data, rest->len);
  }
  tern_coi_builder_set_header (GMIME_OBJECT (message), "Chat-Group-Member-Removed",
                               draft->from.address, FALSE);
  return g_steal_pointer (&message);
}

/**
 * tern_coi_build_group_info_request:
 * @draft: a group text message (`group` set)
 * @error: return location for an error
 *
 * A text message with `Chat-Content: grouprequested`.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_group_info_request (const TernCoiDraft *draft, GError **error)
{
  g_return_val_if_fail (draft != NULL, NULL);
  if (draft->group == NULL)
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                   "A group info request needs a group");
      return NULL;
    }
  return build_text_kind (draft, "grouprequested", NULL, error);
}

/**
 * tern_coi_build_profile_request:
 * @draft: a text message (the spec recommends sending it with one)
 * @error: return location for an error
 *
 * A text message with `Chat-Content: profilerequest`.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_profile_request (const TernCoiDraft *draft, GError **error)
{
  g_return_val_if_fail (draft != NULL, NULL);
  return build_text_kind (draft, "profilerequest", NULL, error);
}

/**
 * tern_coi_convert_to_group:
 * @draft: the first message of the new group: `group` set (its `id` may be
 *   %NULL: one is generated), `to`/`cc` = the members
 * @new_group_id: (out) (optional) (transfer full): the group id used
 * @error: return location for an error
 *
 * Turns a 1:1 chat into a group: a new thread (a group Message-ID, no
 * In-Reply-To, no References) with a groupinfo part.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_convert_to_group (const TernCoiDraft *draft, char **new_group_id, GError **error)
{
  g_autofree char *id = NULL;
  TernCoiGroup     group;
  TernCoiDraft     d;
  GMimeMessage    *message;

  g_return_val_if_fail (draft != NULL, NULL);
  if (draft->group == NULL)
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "Converting needs the new group");
      return NULL;
    }
  group = *draft->group;
  id = group.id != NULL ? g_strdup (group.id) : tern_coi_ids_new_group_id ();
  group.id = id;
  d = *draft;
  d.group = &group;
  d.group_info = TRUE;
  d.in_reply_to = NULL;
  d.references_first = NULL;
  d.references_last = NULL;
  message = build_text_kind (&d, NULL, NULL, error);
  if (message != NULL && new_group_id != NULL)
    *new_group_id = g_steal_pointer (&id);
  return message;
}

/* ---------------------------------------------------------------- location */

/**
 * tern_coi_build_location:
 * @draft: the message (`text` is shown above the position)
 * @latitude: degrees north, -90..90
 * @longitude: degrees east, -180..180
 * @error: return location for an error
 *
 * multipart/alternative: text/plain with "Position: LAT, LON" and a
 * text/html part marked `Chat-Content: location` with an h-geo.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_location (const TernCoiDraft *draft,
                         double              latitude,
                         double              longitude,
                         GError            **error)
{
  TernCoiBuilderFrame frame = { 0 };
  g_autoptr (GMimeMessage) message = NULL;
  g_autofree char *plain = NULL;
  char             lat[G_ASCII_DTOSTR_BUF_SIZE];
  char             lon[G_ASCII_DTOSTR_BUF_SIZE];
  GMimeMultipart  *alt;
  GString         *html;

  g_return_val_if_fail (draft != NULL, NULL);

  if (!(latitude >= -90.0 && latitude <= 90.0 && longitude >= -180.0 && longitude <= 180.0))
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID, "The position is out of range");
      return NULL;
    }
  if (!check_group (draft, error))
    return NULL;
  frame.group_id = draft_group_id (draft);
  message = tern_coi_builder_new_message (draft, &frame, error);
  if (message == NULL)
    return NULL;

  g_ascii_formatd (lat, sizeof lat, "%.6f", latitude);
  g_ascii_formatd (lon, sizeof lon, "%.6f", longitude);
  if (draft->text != NULL && *draft->text)
    plain = g_strdup_printf ("%s\n-\nPosition: %s, %s", draft->text, lat, lon);
  else
    plain = g_strdup_printf ("Position: %s, %s", lat, lon);

  html = g_string_new (NULL);
  if (draft->text != NULL && *draft->text)
    {
      g_string_append (html, "<p>");
      tern_coi_html_append_text (html, draft->text);
      g_string_append (html, "</p>\n<hr>\n");
    }
  g_string_append (html, "<p>Position:</p>\n");
  tern_coi_html_append_hgeo (html, latitude, longitude);

  alt = g_mime_multipart_new_with_subtype ("alternative");
  {
    GMimePart *p = tern_coi_builder_plain_part (plain);
    GMimePart *h = tern_coi_builder_html_part_take (tern_coi_html_document (html->str), "location");

    g_mime_multipart_add (alt, GMIME_OBJECT (p));
    g_mime_multipart_add (alt, GMIME_OBJECT (h));
    g_object_unref (p);
    g_object_unref (h);
  }
  g_string_free (html, TRUE);
  apply_pinned (draft, GMIME_OBJECT (alt));
  tern_coi_builder_set_body (message, GMIME_OBJECT (alt));
  return g_steal_pointer (&message);
}

/* --------------------------------------------------------------- extension */

static gboolean
extension_name_is_valid (const char *name)
{
  if (name == NULL || strchr (name, '.') == NULL || name[0] == '.')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

/**
 * tern_coi_build_extension:
 * @draft: the message; `text` explains the content to classic clients
 * @name: the Chat-Content value, starting with a reverse domain
 *   (`com.example.Poll`)
 * @content_type: the data's type (`application/json`)
 * @data: the data
 * @error: return location for an error
 *
 * multipart/mixed: the explanation (text/plain), then the data part marked
 * `Chat-Content: NAME`.
 *
 * Returns: (transfer full): the message, or %NULL with @error set.
 */
GMimeMessage *
tern_coi_build_extension (const TernCoiDraft *draft,
                          const char         *name,
                          const char         *content_type,
                          GBytes             *data,
                          GError            **error)
{
  TernCoiBuilderFrame frame = { 0 };
  g_autoptr (GMimeMessage) message = NULL;
  g_autoptr (GMimeStream) stream = NULL;
  GMimeMultipart *mixed;
  GMimePart      *part;
  gsize           len;
  const char     *raw;

  g_return_val_if_fail (draft != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);

  if (!extension_name_is_valid (name))
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                   "An extension name starts with a reverse domain: [A-Za-z0-9._-] with a dot");
      return NULL;
    }
  if (content_type == NULL || strchr (content_type, '/') == NULL)
    {
      g_set_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID,
                   "The extension needs a content type");
      return NULL;
    }
  if (!check_group (draft, error))
    return NULL;
  frame.group_id = draft_group_id (draft);
  message = tern_coi_builder_new_message (draft, &frame, error);
  if (message == NULL)
    return NULL;

  mixed = g_mime_multipart_new_with_subtype ("mixed");
  {
    GMimeObject *t = text_body (draft, frame.group_id,
                                draft->text != NULL ? draft->text
                                                    : "This message needs a chat app to be shown.");
    g_mime_multipart_add (mixed, t);
    g_object_unref (t);
  }
  raw = g_bytes_get_data (data, &len);
  stream = tern_coi_bytes_stream_new (data, 0, -1);
  part = tern_coi_builder_binary_part (content_type, stream);
  if (g_str_has_prefix (content_type, "text/"))
    g_mime_content_type_set_parameter (g_mime_object_get_content_type (GMIME_OBJECT (part)),
                                       "charset", "UTF-8");
  g_mime_part_set_content_encoding (part, tern_coi_builder_choose_text_encoding (raw, len)
                                                  == GMIME_CONTENT_ENCODING_7BIT
                                              ? GMIME_CONTENT_ENCODING_7BIT
                                              : GMIME_CONTENT_ENCODING_BASE64);
  tern_coi_builder_set_header (GMIME_OBJECT (part), "Chat-Content", name, FALSE);
  g_mime_multipart_add (mixed, GMIME_OBJECT (part));
  g_object_unref (part);
  apply_pinned (draft, GMIME_OBJECT (mixed));
  tern_coi_builder_set_body (message, GMIME_OBJECT (mixed));
  return g_steal_pointer (&message);
}
