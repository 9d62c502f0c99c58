/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every builder round-trips: build, serialise, parse (tern_coi_parse_bytes),
 * and the description equals the intention. The header rules are checked on
 * the built message and on its wire form by coi-assert. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "coi-assert.h"
#include "tern-coi-builder-private.h"
#include "tern-coi-builder.h"
#include "tern-coi-error.h"
#include "tern-coi-hash.h"
#include "tern-coi-ids.h"
#include "tern-coi-parser.h"

static const TernCoiMailbox recipients[] = {
  { "Bob Bär", "bob@example.test" },
  { NULL, "carol@example.test" },
};

static const char *alice_emails[] = { "alice@example.test", "alice.work@example.test", NULL };
static const char *bob_emails[] = { "bob@example.test", NULL };
static const char *carol_emails[] = { "carol@example.test", NULL };

/* A 1x1 transparent PNG. */
static const guint8 png[] = {
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
  0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
  0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78,
  0x9c, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00,
  0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};

typedef struct
{
  TernCoiDraft draft;
  GDateTime   *date;
  GBytes      *photo;
  TernCoiCard  alice;
  TernCoiCard  members[3];
  TernCoiGroup group;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->date = g_date_time_new_utc (2026, 11, 27, 12, 34, 56);
  f->photo = g_bytes_new_static (png, sizeof png);

  f->alice = (TernCoiCard){ .name = "Alice Ängel",
                            .nickname = "Al",
                            .emails = alice_emails,
                            .photo = f->photo,
                            .photo_type = "image/png",
                            .status = "working from home <3",
                            .categories = "friend, work",
                            .bday = "--12-24",
                            .notification = "enabled=true;types=banner" };
  f->members[0] = (TernCoiCard){ .name = "Alice Ängel", .emails = alice_emails };
  f->members[1] = (TernCoiCard){ .name = "Bob Bär", .emails = bob_emails };
  f->members[2] = (TernCoiCard){ .name = "Carol", .emails = carol_emails, .key = "bWFkZSB1cA==" };
  f->group = (TernCoiGroup){ .id = "Grp_4321-dcba1234",
                             .name = "My Crëw: the \"best\"",
                             .description = "A fun place & more",
                             .photo = f->photo,
                             .photo_type = "image/png",
                             .members = f->members,
                             .n_members = 3 };

  f->draft.from = (TernCoiMailbox){ "Alice Ängel", "alice@example.test" };
  f->draft.to = recipients;
  f->draft.n_to = G_N_ELEMENTS (recipients);
  f->draft.date = f->date;
  f->draft.text = "Hello wörld!\nMy dear friend, this is a message to you.";
  f->draft.references_first = "chat$first.1@example.test";
  f->draft.in_reply_to = "chat$prev.2@example.test";
  f->draft.request_receipt = TRUE;
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_date_time_unref (f->date);
  g_bytes_unref (f->photo);
}

/* Build checks, serialise, wire checks, parse, common comparisons. */
static TernCoiInfo *
roundtrip (GMimeMessage *message, const TernCoiDraft *draft, const char *in_reply_to)
{
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GMimeMessage) wire = NULL;
  g_autoptr (GError) error = NULL;
  TernCoiInfo *info;

  g_assert_nonnull (message);
  coi_assert_header_rules (message, in_reply_to);
  bytes = tern_coi_message_to_bytes (message);
  wire = coi_assert_wire_rules (bytes, in_reply_to);
  info = tern_coi_parse_bytes (bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);

  if (g_test_verbose ())
    {
      g_autofree char *dump = tern_coi_info_to_string (info);
      g_test_message ("%s", dump);
    }

  g_assert_true (info->is_chat);
  g_assert_false (info->is_classic);
  g_assert_true (info->criteria & TERN_COI_CRITERIA_CHAT_VERSION);
  g_assert_true (info->criteria & TERN_COI_CRITERIA_MESSAGE_ID);
  g_assert_cmpstr (info->message_id, ==, g_mime_message_get_message_id (message));
  g_assert_cmpuint (info->n_from, ==, 1);
  g_assert_false (info->has_sender);
  g_assert_cmpstr (info->from->address, ==, draft->from.address);
  {
    /* Names go out on one line, trimmed; an empty name is no name. */
    g_autofree char *want = g_strdup (draft->from.name);
    if (want != NULL)
      {
        for (char *p = want; *p; p++)
          if ((guchar)*p < ' ')
            *p = ' ';
        g_strstrip (want);
        if (*want == '\0')
          g_clear_pointer (&want, g_free);
      }
    g_assert_cmpstr (info->from->name, ==, want);
  }
  g_assert_cmpstr (info->chat_version, ==, "1.0");
  g_assert_nonnull (info->date);
  if (draft->date != NULL)
    g_assert_cmpint (g_date_time_to_unix (info->date), ==, g_date_time_to_unix (draft->date));
  g_assert_cmpstr (info->in_reply_to, ==, in_reply_to);
  g_assert_false (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_CHAT_RULES));
  g_assert_false (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_BAD_ENCODING));
  g_assert_false (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_BAD_CHARSET));
  g_assert_false (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_TRUNCATED));
  return info;
}

static void
assert_recipients (GPtrArray *list, const TernCoiMailbox *boxes, guint n)
{
  g_assert_cmpuint (list->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      TernCoiAddress *a = g_ptr_array_index (list, i);
      g_assert_cmpstr (a->address, ==, boxes[i].address);
      g_assert_cmpstr (a->name, ==, boxes[i].name);
    }
}

static void
assert_conversation (TernCoiInfo *info, const TernCoiDraft *draft, const char *last)
{
  g_assert_cmpuint (g_strv_length (info->references), ==, 2);
  g_assert_cmpstr (info->references[0], ==, draft->references_first);
  g_assert_cmpstr (info->references[1], ==, last);
}

static void
assert_receipt (TernCoiInfo *info, const TernCoiDraft *draft)
{
  g_assert_true (info->receipt_requested);
  g_assert_cmpstr (info->receipt_address, ==, draft->from.address);
  g_assert_cmpstr (info->dc.dnt, ==, draft->from.address);
}

static void
assert_card (const TernCoiHCard *card, const TernCoiCard *want, gboolean with_hash)
{
  guint n = 0;

  g_assert_nonnull (card);
  g_assert_cmpstr (card->name, ==, want->name);
  g_assert_cmpstr (card->nickname, ==, want->nickname);
  while (want->emails[n] != NULL)
    n++;
  g_assert_cmpuint (card->emails->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (card->emails, i), ==, want->emails[i]);
  g_assert_cmpstr (card->status, ==, want->status);
  g_assert_cmpstr (card->key, ==, want->key);
  g_assert_cmpstr (card->bday, ==, want->bday);
  if (want->photo != NULL)
    {
      g_assert_nonnull (card->photo);
      g_assert_true (g_bytes_equal (card->photo, want->photo));
      g_assert_cmpstr (card->photo_type, ==, want->photo_type);
    }
  else
    g_assert_null (card->photo);
  if (want->categories != NULL)
    {
      g_auto (GStrv) cats = g_strsplit (want->categories, ",", -1);
      g_assert_nonnull (card->categories);
      g_assert_cmpuint (card->categories->len, ==, g_strv_length (cats));
      for (guint i = 0; cats[i]; i++)
        g_assert_cmpstr (g_ptr_array_index (card->categories, i), ==, g_strstrip (cats[i]));
    }
  if (want->notification != NULL)
    g_assert_cmpstr (card->notification, ==, want->notification);
  if (with_hash)
    {
      g_autofree char *hash = tern_coi_address_hash (want->emails[0]);
      g_assert_cmpstr (card->hash, ==, hash);
    }
}

static void
assert_group (const TernCoiHGroup *g, const TernCoiGroup *want, gboolean with_hash)
{
  g_assert_nonnull (g);
  g_assert_cmpstr (g->id, ==, want->id);
  g_assert_cmpstr (g->name, ==, want->name);
  g_assert_cmpstr (g->description, ==, want->description);
  if (want->photo)
    g_assert_true (g->photo != NULL && g_bytes_equal (g->photo, want->photo));
  g_assert_cmpuint (g->participants->len, ==, want->n_members);
  for (guint i = 0; i < want->n_members; i++)
    assert_card (g_ptr_array_index (g->participants, i), &want->members[i], with_hash);
}

/* ------------------------------------------------------------------ tests */

static void
test_text (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = tern_coi_build_text (&f->draft, &error);
  g_autoptr (TernCoiInfo) info = NULL;

  g_assert_no_error (error);
  info = roundtrip (m, &f->draft, f->draft.in_reply_to);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_TEXT);
  g_assert_cmpstr (info->text, ==, f->draft.text);
  g_assert_cmpstr (info->full_text, ==, f->draft.text);
  g_assert_false (info->text_from_html);
  g_assert_null (info->html);
  assert_recipients (info->to, f->draft.to, f->draft.n_to);
  g_assert_cmpuint (info->cc->len, ==, 0);
  assert_conversation (info, &f->draft, f->draft.in_reply_to);
  assert_receipt (info, &f->draft);
  g_assert_cmpstr (info->subject, ==, "Chat: Hello wörld!");
  g_assert_null (info->group_id);
  g_assert_false (info->pinned);
  g_assert_cmpuint (info->attachments->len, ==, 0);
}

static void
test_text_flowed (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;
  g_autoptr (GString) text = g_string_new (NULL);
  static const TernCoiMailbox cc[] = { { "Dave \"the\" Øne", "dave@example.test" } };

  for (int i = 0; i < 30; i++)
    g_string_append_printf (text, "%sword%d äöü", i ? " " : "", i);
  g_string_append (text, "\n From the start\n\nlast -- line");
  f->draft.text = text->str;
  f->draft.subject = "Ünïcode subject that is long enough to need folding when it is encoded";
  f->draft.request_receipt = FALSE;
  f->draft.in_reply_to = NULL;
  f->draft.references_last = "chat$last@example.test";
  f->draft.cc = cc;
  f->draft.n_cc = 1;
  m = tern_coi_build_text (&f->draft, &error);
  g_assert_no_error (error);
  info = roundtrip (m, &f->draft, NULL);
  g_assert_cmpstr (info->text, ==, text->str);
  g_assert_cmpstr (info->subject, ==, f->draft.subject);
  assert_recipients (info->cc, cc, 1);
  assert_conversation (info, &f->draft, "chat$last@example.test");
  g_assert_false (info->receipt_requested);
  g_assert_null (info->dc.dnt);
}

static void
test_text_quote_signature (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;

  f->draft.text = "Sure, see you!\n\n> Shall we meet at noon?\n\n-- \nAlice";
  m = tern_coi_build_text (&f->draft, &error);
  info = roundtrip (m, &f->draft, f->draft.in_reply_to);
  g_assert_cmpstr (info->full_text, ==, f->draft.text);
  g_assert_cmpstr (info->text, ==, "Sure, see you!");
  g_assert_nonnull (info->quoted_text);
  g_assert_nonnull (strstr (info->quoted_text, "Shall we meet at noon?"));
  g_assert_cmpstr (info->signature, ==, "Alice");
}

static void
test_formatted (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;
  const TernCoiPart *ignore;

  f->draft.text = "hello COI world!";
  f->draft.html = "<p>hello <b>COI</b> world!</p>";
  f->draft.markdown = "hello **COI** world!";
  f->draft.ignore_html = "<p><i>This is a chat message.</i></p>";
  m = tern_coi_build_text (&f->draft, &error);
  g_assert_no_error (error);
  g_assert_true (GMIME_IS_MULTIPART (g_mime_message_get_mime_part (m)));
  info = roundtrip (m, &f->draft, f->draft.in_reply_to);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_FORMATTED);
  g_assert_cmpstr (info->text, ==, "hello COI world!");
  g_assert_cmpstr (info->markdown, ==, f->draft.markdown);
  g_assert_nonnull (info->html);
  g_assert_nonnull (strstr (info->html, "<b>COI</b>"));
  ignore = tern_coi_info_find_part (info, "ignore");
  g_assert_nonnull (ignore);
  g_assert_true (ignore->ignore);
  g_assert_cmpstr (ignore->content_type, ==, "text/html");
  g_assert_cmpuint (info->attachments->len, ==, 0);
}

static char *
write_temp_file (gsize size, char **path)
{
  g_autoptr (GError) error = NULL;
  char *contents = g_malloc (size);
  int   fd;

  for (gsize i = 0; i < size; i++)
    contents[i] = (char)(i * 7 + (i >> 8));
  fd = g_file_open_tmp ("tern-coi-XXXXXX.bin", path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (*path, contents, size, &error));
  g_assert_no_error (error);
  return contents;
}

static void
test_attachments (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = write_temp_file (100000, &path);
  g_autoptr (GBytes) file_bytes = g_bytes_new (contents, 100000);
  g_autoptr (GBytes) jpeg = NULL;
  TernCoiAttachmentDraft atts[3] = { 0 };
  static const guint8    jpeg_head[]
      = { 0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 0 };
  TernCoiAttachment *a;

  jpeg = g_bytes_new_static (jpeg_head, sizeof jpeg_head);
  atts[0] = (TernCoiAttachmentDraft){ .bytes = f->photo, .filename = "Grüße aus Köln.png" };
  atts[1] = (TernCoiAttachmentDraft){ .path = path, .filename = "big video.webm", .preview = jpeg };
  atts[2] = (TernCoiAttachmentDraft){ .bytes = jpeg,
                                      .filename = "../../etc/passwd",
                                      .mime_type = "application/octet-stream" };
  f->draft.attachments = atts;
  f->draft.n_attachments = 3;
  f->draft.text = "Look at these!";
  m = tern_coi_build_attachments (&f->draft, &error);
  g_assert_no_error (error);
  info = roundtrip (m, &f->draft, f->draft.in_reply_to);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_ATTACHMENTS);
  g_assert_cmpstr (info->text, ==, "Look at these!");
  g_assert_cmpuint (info->attachments->len, ==, 4);

  a = g_ptr_array_index (info->attachments, 0);
  g_assert_cmpstr (a->mime_type, ==, "image/png");
  g_assert_cmpint (a->size, ==, sizeof png);
  g_assert_cmpstr (a->raw_filename, ==, "Grüße aus Köln.png");
  g_assert_false (a->is_preview);
  {
    g_autoptr (GBytes) got = tern_coi_attachment_get_bytes (a, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (got, f->photo));
  }

  a = g_ptr_array_index (info->attachments, 1);
  g_assert_true (a->is_preview);
  g_assert_cmpstr (a->mime_type, ==, "image/jpeg");
  g_assert_cmpint (a->full_index, ==, 2);

  a = g_ptr_array_index (info->attachments, 2);
  g_assert_false (a->is_preview);
  g_assert_cmpint (a->preview_index, ==, 1);
  g_assert_cmpstr (a->raw_filename, ==, "big video.webm");
  g_assert_cmpstr (a->mime_type, ==, "video/webm");
  g_assert_cmpint (a->size, ==, 100000);
  {
    g_autoptr (GBytes) got = tern_coi_attachment_get_bytes (a, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (got, file_bytes));
  }

  /* The path was cut to its base name by the builder. */
  a = g_ptr_array_index (info->attachments, 3);
  g_assert_cmpstr (a->raw_filename, ==, "passwd");
  g_assert_cmpstr (a->mime_type, ==, "application/octet-stream");

  g_unlink (path);
}

static void
test_single_attachment (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;
  TernCoiAttachmentDraft att = { .bytes = f->photo, .filename = "dot.png" };
  GMimeObject           *body;

  f->draft.attachments = &att;
  f->draft.n_attachments = 1;
  f->draft.text = NULL;
  m = tern_coi_build_attachments (&f->draft, &error);
  g_assert_no_error (error);
  body = g_mime_message_get_mime_part (m);
  g_assert_true (GMIME_IS_PART (body));
  g_assert_cmpstr (g_mime_object_get_disposition (body), ==, "inline");
  info = roundtrip (m, &f->draft, f->draft.in_reply_to);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_ATTACHMENTS);
  g_assert_cmpuint (info->attachments->len, ==, 1);
  g_assert_cmpstr (((TernCoiAttachment *)info->attachments->pdata[0])->filename, ==, "dot.png");
}

static void
test_edit (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;
  const char *target = "chat$S2571BC.287888@example.test";

  m = tern_coi_build_edit (&f->draft, target, "My dear friend, this is a message to you!", &error);
  g_assert_no_error (error);
  info = roundtrip (m, &f->draft, target);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_EDIT);
  g_assert_cmpstr (info->edit_target_id, ==, target);
  g_assert_cmpstr (info->edit_text, ==, "My dear friend, this is a message to you!");
  g_assert_cmpstr (info->dc.edit_target, ==, target);
  g_assert_true (info->dc.edit_in_first_part);
  assert_conversation (info, &f->draft, target);
  assert_receipt (info, &f->draft);
}

static void
test_edit_empty (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;
  const char *target = "chat$x.1@example.test";

  m = tern_coi_build_edit (&f->draft, target, "", &error);
  g_assert_no_error (error);
  info = roundtrip (m, &f->draft, target);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_EDIT);
  g_assert_cmpstr (info->edit_text, ==, "");
}

static void
test_delete (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;
  const char *target = "chat$2131232.AKJSD@example.test";

  f->draft.text = NULL;
  m = tern_coi_build_delete (&f->draft, target, &error);
  g_assert_no_error (error);
  info = roundtrip (m, &f->draft, target);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_DELETE);
  g_assert_cmpstr (info->delete_target_id, ==, target);
  g_assert_cmpstr (info->dc.delete_target, ==, target);
  g_assert_cmpstr (info->text, ==, "(original message marked as deleted)");
}

static void
test_read_receipt (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;
  const char                 *original = "chat$199509192301.23456@example.test";
  static const TernCoiMailbox bob[] = { { "Bob", "bob@example.test" } };

  f->draft.to = bob;
  f->draft.n_to = 1;
  f->draft.in_reply_to = NULL;
  f->draft.references_last = original;
  m = tern_coi_build_read_receipt (&f->draft, original, "Tern 0.1", &error);
  g_assert_no_error (error);
  info = roundtrip (m, &f->draft, NULL);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_MDN);
  g_assert_nonnull (info->mdn);
  g_assert_cmpstr (info->mdn->original_message_id, ==, original);
  g_assert_cmpstr (info->mdn->disposition_type, ==, "displayed");
  g_assert_cmpstr (info->mdn->disposition, ==, "manual-action/MDN-sent-manually; displayed");
  g_assert_cmpstr (info->mdn->final_recipient, ==, "alice@example.test");
  g_assert_cmpstr (info->mdn->reporting_ua, ==, "Tern 0.1");
  g_assert_false (info->receipt_requested);
  g_assert_cmpstr (info->subject, ==, "Chat: Read receipt");
  /* No copy of the original. */
  g_assert_cmpuint (info->attachments->len, ==, 0);
  assert_recipients (info->to, bob, 1);
}

static void
test_group_text (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;

  f->draft.group = &f->group;
  f->draft.subject = "ignored in groups";
  m = tern_coi_build_text (&f->draft, &error);
  g_assert_no_error (error);
  info = roundtrip (m, &f->draft, f->draft.in_reply_to);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_TEXT);
  g_assert_cmpstr (info->group_id, ==, f->group.id);
  g_assert_cmpstr (info->group_name, ==, f->group.name);
  g_assert_cmpstr (info->subject, ==, f->group.name);
  g_assert_cmpstr (info->dc.group_id, ==, f->group.id);
  g_assert_cmpstr (info->dc.group_name, ==, f->group.name);
  g_assert_null (info->group);
  assert_recipients (info->to, f->draft.to, f->draft.n_to);
}

static void
test_group_info_and_profile (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;

  f->draft.group = &f->group;
  f->draft.group_info = TRUE;
  f->draft.profile = &f->alice;
  m = tern_coi_build_text (&f->draft, &error);
  g_assert_no_error (error);
  info = roundtrip (m, &f->draft, f->draft.in_reply_to);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_TEXT);
  g_assert_cmpstr (info->text, ==, f->draft.text);
  g_assert_nonnull (tern_coi_info_find_part (info, "groupinfo"));
  g_assert_nonnull (tern_coi_info_find_part (info, "profile"));
  assert_group (info->group, &f->group, FALSE);
  g_assert_cmpuint (info->profiles->len, ==, 1);
  assert_card (info->profile, &f->alice, FALSE);
  g_assert_cmpuint (info->attachments->len, ==, 0);
}

static void
test_profile_only (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;

  f->draft.profile = &f->alice;
  m = tern_coi_build_text (&f->draft, &error);
  g_assert_no_error (error);
  g_assert_true (GMIME_IS_MULTIPART (g_mime_message_get_mime_part (m)));
  g_assert_cmpstr (g_mime_content_type_get_media_subtype (
                       g_mime_object_get_content_type (g_mime_message_get_mime_part (m))),
                   ==, "alternative");
  info = roundtrip (m, &f->draft, f->draft.in_reply_to);
  g_assert_cmpstr (info->text, ==, f->draft.text);
  assert_card (info->profile, &f->alice, FALSE);
}

static void
test_formatted_with_group_info (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;

  f->draft.group = &f->group;
  f->draft.group_info = TRUE;
  f->draft.html = "<p><b>Welcome</b> all</p>";
  f->draft.text = "Welcome all";
  m = tern_coi_build_text (&f->draft, &error);
  g_assert_no_error (error);
  info = roundtrip (m, &f->draft, f->draft.in_reply_to);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_FORMATTED);
  g_assert_cmpstr (info->text, ==, "Welcome all");
  assert_group (info->group, &f->group, FALSE);
}

static void
test_group_left (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;

  f->draft.group = &f->group;
  f->draft.text = "Bye!";
  f->draft.request_receipt = FALSE;
  m = tern_coi_build_group_left (&f->draft, &error);
  g_assert_no_error (error);
  info = roundtrip (m, &f->draft, f->draft.in_reply_to);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_GROUP_LEFT);
  g_assert_cmpstr (info->text, ==, "Bye!");
  g_assert_cmpstr (info->group_id, ==, f->group.id);
  assert_recipients (info->to, f->draft.to, f->draft.n_to);
  assert_recipients (info->reply_to, f->draft.to, f->draft.n_to);
  g_assert_cmpstr (info->dc.member_removed, ==, "alice@example.test");
}

static void
test_group_info_request (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;

  f->draft.group = &f->group;
  m = tern_coi_build_group_info_request (&f->draft, &error);
  g_assert_no_error (error);
  info = roundtrip (m, &f->draft, f->draft.in_reply_to);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_GROUP_INFO_REQUEST);
  g_assert_cmpstr (info->group_id, ==, f->group.id);
  g_assert_cmpstr (info->text, ==, f->draft.text);
}

static void
test_profile_request (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;

  m = tern_coi_build_profile_request (&f->draft, &error);
  g_assert_no_error (error);
  info = roundtrip (m, &f->draft, f->draft.in_reply_to);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_PROFILE_REQUEST);
  g_assert_cmpstr (info->text, ==, f->draft.text);
}

static void
test_convert_to_group (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;
  g_autofree char *id = NULL;
  TernCoiGroup     fresh = f->group;

  fresh.id = NULL;
  f->draft.group = &fresh;
  m = tern_coi_convert_to_group (&f->draft, &id, &error);
  g_assert_no_error (error);
  g_assert_true (tern_coi_ids_group_id_is_valid (id));
  info = roundtrip (m, &f->draft, NULL);
  g_assert_cmpstr (info->group_id, ==, id);
  g_assert_cmpuint (g_strv_length (info->references), ==, 0);
  g_assert_nonnull (info->group);
  g_assert_cmpstr (info->group->id, ==, id);
  g_assert_cmpstr (info->group_name, ==, fresh.name);
  g_assert_cmpuint (info->group->participants->len, ==, 3);
}

static void
test_contact_storage (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;
  TernCoiDraft owner = { .from = { "Me Myself", "me@example.test" }, .date = f->date };

  m = tern_coi_build_contact_storage (&owner.from, &f->alice, TRUE, f->date, &error);
  g_assert_no_error (error);
  info = roundtrip (m, &owner, NULL);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_CONTACT_STORAGE);
  g_assert_cmpuint (info->from_hashes->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *hash = tern_coi_address_hash (alice_emails[i]);
      g_assert_cmpstr (g_ptr_array_index (info->from_hashes, i), ==, hash);
    }
  g_assert_true (info->blocked);
  g_assert_false (info->receipt_requested);
  assert_card (info->profile, &f->alice, FALSE);

  g_clear_object (&m);
  g_clear_pointer (&info, tern_coi_info_free);
  m = tern_coi_build_contact_storage (&owner.from, &f->members[1], FALSE, f->date, &error);
  info = roundtrip (m, &owner, NULL);
  g_assert_false (info->blocked);
  g_assert_cmpuint (info->from_hashes->len, ==, 1);
}

static void
test_profile_storage (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;
  TernCoiDraft  owner = { .from = { "Alice Ängel", "alice@example.test" }, .date = f->date };
  TernCoiCard   profiles[3];
  TernCoiHCard *card;

  profiles[0] = f->alice;
  profiles[0].profile_categories = "friend, family";
  profiles[1] = f->members[0];
  profiles[1].profile_categories = "work";
  profiles[1].status = "working";
  profiles[2] = f->members[0];
  m = tern_coi_build_profile_storage (&owner.from, profiles, 3, f->date, &error);
  g_assert_no_error (error);
  info = roundtrip (m, &owner, NULL);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_PROFILE_STORAGE);
  g_assert_cmpuint (info->profiles->len, ==, 3);
  card = g_ptr_array_index (info->profiles, 0);
  assert_card (card, &profiles[0], FALSE);
  g_assert_cmpuint (card->profile_categories->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (card->profile_categories, 0), ==, "friend");
  g_assert_cmpstr (g_ptr_array_index (card->profile_categories, 1), ==, "family");
  card = g_ptr_array_index (info->profiles, 1);
  assert_card (card, &profiles[1], FALSE);
  g_assert_cmpuint (card->profile_categories->len, ==, 1);
  card = g_ptr_array_index (info->profiles, 2);
  g_assert_true (card->profile_categories == NULL || card->profile_categories->len == 0);
}

static void
test_group_storage (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;
  TernCoiDraft owner = { .from = { "Alice Ängel", "alice@example.test" }, .date = f->date };

  f->group.notification = "enabled=true;types=banner;filters=mention";
  m = tern_coi_build_group_storage (&owner.from, &f->group, f->date, &error);
  g_assert_no_error (error);
  info = roundtrip (m, &owner, NULL);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_GROUP_STORAGE);
  g_assert_cmpstr (info->group_id, ==, f->group.id);
  assert_group (info->group, &f->group, TRUE);
  g_assert_cmpstr (info->group->notification, ==, f->group.notification);
}

static void
test_location (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;

  f->draft.text = "Let's meet here.";
  m = tern_coi_build_location (&f->draft, 53.07516, -8.80777, &error);
  g_assert_no_error (error);
  info = roundtrip (m, &f->draft, f->draft.in_reply_to);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_LOCATION);
  g_assert_nonnull (info->location);
  g_assert_cmpfloat_with_epsilon (info->location->latitude, 53.07516, 1e-9);
  g_assert_cmpfloat_with_epsilon (info->location->longitude, -8.80777, 1e-9);
  g_assert_true (g_str_has_prefix (info->text, "Let's meet here."));
  g_assert_nonnull (strstr (info->location->text, "53.075160, -8.807770"));

  g_assert_null (tern_coi_build_location (&f->draft, 91.0, 0.0, &error));
  g_assert_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (tern_coi_build_location (&f->draft, NAN, 0.0, &error));
  g_assert_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID);
}

static void
test_pinned (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;
  g_autoptr (GDateTime) until = g_date_time_new_utc (2026, 12, 5, 0, 0, 0);
  TernCoiAttachmentDraft att = { .bytes = f->photo, .filename = "dot.png" };

  f->draft.pinned = TRUE;
  f->draft.pinned_until = until;
  m = tern_coi_build_text (&f->draft, &error);
  g_assert_no_error (error);
  info = roundtrip (m, &f->draft, f->draft.in_reply_to);
  g_assert_true (info->pinned);
  g_assert_nonnull (info->pinned_until);
  g_assert_cmpint (g_date_time_to_unix (info->pinned_until), ==, g_date_time_to_unix (until));
  g_assert_cmpstr (info->text, ==, f->draft.text);

  /* Pinned without timeout, on a single file: the file stays inline. */
  g_clear_object (&m);
  g_clear_pointer (&info, tern_coi_info_free);
  f->draft.pinned_until = NULL;
  f->draft.text = NULL;
  f->draft.attachments = &att;
  f->draft.n_attachments = 1;
  m = tern_coi_build_attachments (&f->draft, &error);
  g_assert_no_error (error);
  info = roundtrip (m, &f->draft, f->draft.in_reply_to);
  g_assert_true (info->pinned);
  g_assert_null (info->pinned_until);
  g_assert_cmpuint (info->attachments->len, ==, 1);
  g_assert_cmpstr (((TernCoiAttachment *)info->attachments->pdata[0])->filename, ==, "dot.png");
}

static gboolean
has_mention (GPtrArray *mentions, const char *name, const char *address, gboolean is_all)
{
  for (guint i = 0; i < mentions->len; i++)
    {
      TernCoiMention *m = g_ptr_array_index (mentions, i);
      if (m->is_all == is_all && g_strcmp0 (m->address, address) == 0
          && (name == NULL || g_strcmp0 (m->name, name) == 0))
        return TRUE;
    }
  return FALSE;
}

static void
test_mentions (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;
  g_autofree char *m1 = tern_coi_mention_text ("Gabe", "gabe+private@example.test");
  g_autofree char *m2 = tern_coi_mention_text ("Gabe Lastname", "gabe2@example.test");
  g_autofree char *m3 = tern_coi_mention_text (NULL, NULL);
  g_autofree char *text = NULL;

  g_assert_cmpstr (m1, ==, "@Gabe:gabe+private@example.test");
  g_assert_cmpstr (m2, ==, "@\"Gabe Lastname\":gabe2@example.test");
  g_assert_cmpstr (m3, ==, "@all");
  text = g_strdup_printf ("Hi %s and %s, and %s, lunch?", m1, m2, m3);
  f->draft.text = text;
  /* The HTML alternative, written from the text, carries the link form. */
  f->draft.html = NULL;
  f->draft.ignore_html = "<p>classic clients only</p>";
  f->draft.group = &f->group;
  m = tern_coi_build_text (&f->draft, &error);
  g_assert_no_error (error);
  info = roundtrip (m, &f->draft, f->draft.in_reply_to);
  g_assert_cmpstr (info->text, ==, text);
  g_assert_true (has_mention (info->mentions, "Gabe", "gabe+private@example.test", FALSE));
  g_assert_true (has_mention (info->mentions, "Gabe Lastname", "gabe2@example.test", FALSE));
  g_assert_true (has_mention (info->mentions, NULL, NULL, TRUE));
  g_assert_nonnull (info->html);
  g_assert_nonnull (strstr (
      info->html, "<a class=\"mention\" href=\"mailto:gabe2@example.test\">@Gabe Lastname</a>"));
}

static void
test_extension (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (TernCoiInfo) info = NULL;
  g_autoptr (GBytes) json = g_bytes_new_static ("{\"poll\": [\"E.T.\", \"Alien\"]}", 27);
  const TernCoiPart *part;

  f->draft.text = "A poll: E.T. or Alien?";
  m = tern_coi_build_extension (&f->draft, "io.github.ternchat.Poll", "application/json", json,
                                &error);
  g_assert_no_error (error);
  info = roundtrip (m, &f->draft, f->draft.in_reply_to);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_EXTENSION);
  g_assert_cmpstr (info->extension_name, ==, "io.github.ternchat.poll");
  g_assert_cmpstr (info->text, ==, f->draft.text);
  part = tern_coi_info_find_part (info, "io.github.ternchat.poll");
  g_assert_nonnull (part);
  g_assert_cmpstr (part->content_type, ==, "application/json");

  g_assert_null (tern_coi_build_extension (&f->draft, "poll", "application/json", json, &error));
  g_assert_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID);
}

/* Random drafts: names, subjects and texts with any Unicode, specials and
 * control characters; the header rules hold and the text comes back. */
static void
test_random_drafts (Fixture *f, gconstpointer data)
{
  static const char *pieces[]
      = { "a",
          "Zoë",
          "\xe4\xbd\xa0\xe5\xa5\xbd",
          "\xf0\x9f\x98\x80",
          ",",
          "\"",
          "(x)",
          "<y>",
          "@",
          ":",
          ";",
          "\\",
          "=?",
          "?=",
          "From ",
          ".",
          "  ",
          "\t",
          "-",
          "longwordlongwordlongwordlongwordlongwordlongwordlongwordlongword" };
  g_autoptr (GRand) rand = g_rand_new_with_seed (5322);

  for (int iter = 0; iter < 300; iter++)
    {
      g_autoptr (GString) name = g_string_new (NULL);
      g_autoptr (GString) subject = g_string_new (NULL);
      g_autoptr (GString) text = g_string_new (NULL);
      g_autoptr (GString) expected = g_string_new (NULL);
      g_autoptr (GMimeMessage) m = NULL;
      g_autoptr (TernCoiInfo) info = NULL;
      g_autoptr (GError) error = NULL;
      TernCoiMailbox to[1] = { { NULL, "bob@example.test" } };
      TernCoiDraft   d = f->draft;
      int            n;

      /* Names: any piece but the quote and the backslash, which GMime's
       * own encoding handles only in some combinations (see the fixed
       * names in the other tests). */
      n = g_rand_int_range (rand, 0, 12);
      for (int i = 0; i < n; i++)
        {
          const char *piece = pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))];
          if (strchr (piece, '"') == NULL && strchr (piece, '\\') == NULL)
            g_string_append (name, piece);
        }
      n = g_rand_int_range (rand, 0, 30);
      for (int i = 0; i < n; i++)
        g_string_append (subject, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
      n = g_rand_int_range (rand, 1, 80);
      for (int i = 0; i < n; i++)
        {
          int k = g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces) + 3);
          g_string_append (text, k < (int)G_N_ELEMENTS (pieces)    ? pieces[k]
                                 : k == (int)G_N_ELEMENTS (pieces) ? "\n"
                                                                   : " ");
        }
      /* The text as it must come back: no trailing blanks on a line, no
       * leading/trailing empty lines. */
      {
        g_auto (GStrv) lines = g_strsplit (text->str, "\n", -1);
        for (guint i = 0; lines[i]; i++)
          {
            gsize l = strlen (lines[i]);
            while (l > 0 && lines[i][l - 1] == ' ')
              l--;
            lines[i][l] = '\0';
            g_string_append_printf (expected, "%s%s", i ? "\n" : "", lines[i]);
          }
      }

      to[0].name = name->str;
      d.from.name = name->str;
      d.to = to;
      d.n_to = 1;
      d.subject = subject->len ? subject->str : NULL;
      d.text = text->str;
      m = tern_coi_build_text (&d, &error);
      g_assert_no_error (error);
      if (g_test_verbose ())
        {
          g_autoptr (GBytes) b = tern_coi_message_to_bytes (m);
          g_test_message ("name [%s]\n%.*s", name->str, (int)MIN (600, g_bytes_get_size (b)),
                          (const char *)g_bytes_get_data (b, NULL));
        }
      info = roundtrip (m, &d, d.in_reply_to);
      g_assert_cmpint (info->kind, ==, TERN_COI_KIND_TEXT);
      g_assert_cmpstr (g_strstrip (info->full_text), ==, g_strstrip (expected->str));
      g_assert_cmpuint (info->to->len, ==, 1);
      g_assert_cmpstr (((TernCoiAddress *)info->to->pdata[0])->address, ==, "bob@example.test");
      if (subject->len > 0)
        {
          g_strdelimit (subject->str, "\t", ' ');
          g_assert_cmpstr (g_strstrip (info->subject), ==, g_strstrip (subject->str));
        }
    }
}

static void
test_fresh_ids (Fixture *f, gconstpointer data)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  f->draft.date = NULL;
  for (int i = 0; i < 200; i++)
    {
      g_autoptr (GMimeMessage) m = tern_coi_build_text (&f->draft, NULL);
      const char *id = g_mime_message_get_message_id (m);

      coi_assert_header_rules (m, f->draft.in_reply_to);
      g_assert_true (g_hash_table_add (seen, g_strdup (id)));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_mime_init ();

#define ADD(path, fn)                                                                              \
  g_test_add ("/coi/roundtrip/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("text", test_text);
  ADD ("text-flowed", test_text_flowed);
  ADD ("text-quote-signature", test_text_quote_signature);
  ADD ("formatted", test_formatted);
  ADD ("attachments", test_attachments);
  ADD ("single-attachment", test_single_attachment);
  ADD ("edit", test_edit);
  ADD ("edit-empty", test_edit_empty);
  ADD ("delete", test_delete);
  ADD ("read-receipt", test_read_receipt);
  ADD ("group-text", test_group_text);
  ADD ("group-info-and-profile", test_group_info_and_profile);
  ADD ("profile", test_profile_only);
  ADD ("formatted-with-group-info", test_formatted_with_group_info);
  ADD ("group-left", test_group_left);
  ADD ("group-info-request", test_group_info_request);
  ADD ("profile-request", test_profile_request);
  ADD ("convert-to-group", test_convert_to_group);
  ADD ("contact-storage", test_contact_storage);
  ADD ("profile-storage", test_profile_storage);
  ADD ("group-storage", test_group_storage);
  ADD ("location", test_location);
  ADD ("pinned", test_pinned);
  ADD ("mentions", test_mentions);
  ADD ("extension", test_extension);
  ADD ("random-drafts", test_random_drafts);
  ADD ("fresh-ids", test_fresh_ids);
#undef ADD
  return g_test_run ();
}
