/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The examples of coi-client-spec.md (tests/data/coi/spec/, fixes listed in
 * its README) and the Delta Chat wire shapes of COI-NOTES.md parse the way
 * the spec and the notes describe them. */
#include "config.h"

#include <gmime/gmime.h>

#include "tern-coi-parser.h"

static TernCoiInfo *
parse_fixture (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("TERN_TEST_DATA"), "coi", "spec", name, NULL);
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  TernCoiInfo *info;

  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  g_assert_no_error (error);
  bytes = g_bytes_new_take (g_steal_pointer (&data), len);
  info = tern_coi_parse_bytes (bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
  return info;
}

static void
assert_address (GPtrArray *list, guint index, const char *name, const char *address)
{
  TernCoiAddress *a;

  g_assert_cmpuint (list->len, >, index);
  a = g_ptr_array_index (list, index);
  g_assert_cmpstr (a->name, ==, name);
  g_assert_cmpstr (a->address, ==, address);
}

/* Every spec example is a chat message with one From and a Date. */
static void
assert_chat_basics (TernCoiInfo *info)
{
  g_assert_true (info->is_chat);
  g_assert_false (info->is_classic);
  g_assert_cmpuint (info->n_from, ==, 1);
  g_assert_nonnull (info->date);
  g_assert_cmpstr (info->chat_version, ==, "1.0");
  g_assert_true (info->criteria & TERN_COI_CRITERIA_CHAT_VERSION);
  g_assert_true (info->criteria & TERN_COI_CRITERIA_MESSAGE_ID);
  g_assert_false (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_TRUNCATED));
}

static void
test_text (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("text.eml");

  assert_chat_basics (info);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_TEXT);
  g_assert_cmpstr (info->message_id, ==, "chat$S2571BC.2878&8@sample.com");
  g_assert_cmpstr (info->references[0], ==, "chat$434571BC.89A707D2@sample.com");
  g_assert_null (info->references[1]);
  g_assert_true (info->criteria & TERN_COI_CRITERIA_REFERENCES);
  g_assert_cmpstr (info->from->name, ==, "Me Myself");
  g_assert_cmpstr (info->from->address, ==, "me@example.com");
  assert_address (info->to, 0, "You", "you@recipientdomain.com");
  g_assert_true (info->receipt_requested);
  g_assert_cmpstr (info->receipt_address, ==, "me@example.com");
  g_assert_cmpstr (info->text, ==, "Hello World\nMy dear friend, this is a message to you!");
  g_assert_cmpint (g_date_time_to_unix (info->date), ==, 1575471097);
  g_assert_null (info->group_id);
  g_assert_cmpuint (info->attachments->len, ==, 0);
  g_assert_cmpuint (info->problems->len, ==, 0);
}

static void
test_formatted (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("formatted.eml");
  const TernCoiPart *ignored;

  assert_chat_basics (info);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_FORMATTED);
  g_assert_cmpstr (info->text, ==, "hello COI world!");
  g_assert_cmpstr (info->markdown, ==, "hello **COI** world!\n");
  g_assert_cmpuint (info->parts->len, ==, 4);
  ignored = tern_coi_info_find_part (info, "ignore");
  g_assert_nonnull (ignored);
  g_assert_true (ignored->ignore);
  g_assert_cmpstr (ignored->path, ==, "2.2");
  g_assert_cmpstr (ignored->content_type, ==, "text/html");
  /* The shown HTML is the first one, never the ignored part. */
  g_assert_nonnull (info->html);
  g_assert_nonnull (strstr (info->html, "<b>COI</b>"));
  g_assert_null (strstr (info->html, "awesome"));
  g_assert_cmpuint (info->attachments->len, ==, 0);
}

static void
test_image (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("image.eml");
  TernCoiAttachment *a;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GError) error = NULL;

  assert_chat_basics (info);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_ATTACHMENTS);
  g_assert_cmpuint (info->attachments->len, ==, 1);
  a = g_ptr_array_index (info->attachments, 0);
  g_assert_cmpstr (a->mime_type, ==, "image/jpeg");
  g_assert_cmpstr (a->filename, ==, "earth.jpg");
  g_assert_cmpint (a->size, ==, 2048);
  g_assert_false (a->is_preview);
  g_assert_cmpint (a->preview_index, ==, -1);
  content = tern_coi_attachment_get_bytes (a, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (content), ==, 269);
  g_assert_cmpmem (g_bytes_get_data (content, NULL), 8, "Man is d", 8);
}

static void
test_audio_image (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("audio-image.eml");
  TernCoiAttachment *a, *b;

  assert_chat_basics (info);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_ATTACHMENTS);
  g_assert_cmpuint (info->attachments->len, ==, 2);
  a = g_ptr_array_index (info->attachments, 0);
  b = g_ptr_array_index (info->attachments, 1);
  g_assert_cmpstr (a->mime_type, ==, "audio/webm");
  g_assert_cmpint (a->size, ==, -1);
  g_assert_cmpstr (a->filename, ==, "audio.webm"); /* none sent: named from the type */
  g_assert_null (a->raw_filename);
  g_assert_cmpstr (a->path, ==, "1");
  g_assert_cmpstr (b->mime_type, ==, "image/jpeg");
  g_assert_cmpstr (b->filename, ==, "venus.jpg");
  g_assert_cmpint (b->size, ==, 4096);
  g_assert_cmpstr (b->path, ==, "2");
}

static void
test_preview (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("preview-video.eml");
  TernCoiAttachment *preview, *video;

  assert_chat_basics (info);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_ATTACHMENTS);
  g_assert_cmpuint (info->attachments->len, ==, 2);
  preview = g_ptr_array_index (info->attachments, 0);
  video = g_ptr_array_index (info->attachments, 1);
  g_assert_true (preview->is_preview);
  g_assert_false (video->is_preview);
  g_assert_cmpint (preview->full_index, ==, 1);
  g_assert_cmpint (video->preview_index, ==, 0);
  g_assert_cmpstr (video->filename, ==, "bigbuckbunny.webm");
}

static void
test_edit (void)
{
  g_autoptr(TernCoiInfo) original = parse_fixture ("edit-original.eml");
  g_autoptr(TernCoiInfo) info = parse_fixture ("edit.eml");

  assert_chat_basics (original);
  g_assert_cmpint (original->kind, ==, TERN_COI_KIND_TEXT);
  g_assert_cmpstr (original->text, ==, "My dear friend, this sdkalsk.");

  /* "Chat-Content: edit;" is the spec example's spelling of editrequest. */
  assert_chat_basics (info);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_EDIT);
  g_assert_cmpstr (info->edit_target_id, ==, original->message_id);
  g_assert_cmpstr (info->edit_text, ==, "My dear friend, this is a message to you!");
  g_assert_false (info->receipt_requested);
}

static void
test_delete (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("delete.eml");

  assert_chat_basics (info);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_DELETE);
  g_assert_cmpstr (info->delete_target_id, ==, "chat$2131232.AKJSD@sample.com");
  g_assert_null (info->edit_target_id);
}

static void
test_mdn (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("mdn.eml");

  assert_chat_basics (info);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_MDN);
  g_assert_nonnull (info->mdn);
  g_assert_cmpstr (info->mdn->original_message_id, ==, "chat$199509192301.23456@sample.com");
  g_assert_cmpstr (info->mdn->disposition_type, ==, "displayed");
  g_assert_cmpstr (info->mdn->disposition, ==, "manual-action/MDN-sent-manually; displayed");
  g_assert_cmpstr (info->mdn->final_recipient, ==, "you@recipientdomain.com");
  g_assert_cmpstr (info->mdn->original_recipient, ==, "you@recipientdomain.com");
  g_assert_cmpstr (info->mdn->reporting_ua, ==, "joes-pc.cs.recipientdomain.com; Foomail 97.1");
  g_assert_cmpuint (info->attachments->len, ==, 0);
  g_assert_false (info->is_bounce);
}

static void
test_contact_storage (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("contact-storage.eml");
  TernCoiHCard *card;

  g_assert_true (info->is_chat);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_CONTACT_STORAGE);
  g_assert_cmpuint (info->from_hashes->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (info->from_hashes, 0), ==,
                   "74b3c446c189580045a942b90b7461128bc334b3b67e9f63c0c06189248c9bb0");
  g_assert_cmpstr (g_ptr_array_index (info->from_hashes, 1), ==,
                   "834d1654133366cef4d81e81a7099f413b1b85b9fc9dd62140491303dec56532");
  g_assert_false (info->blocked);
  card = info->profile;
  g_assert_nonnull (card);
  g_assert_cmpstr (card->name, ==, "John Doe");
  g_assert_cmpstr (card->nickname, ==, "Johnny");
  g_assert_cmpuint (card->emails->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (card->emails, 0), ==, "john.doe@coi-dev.org");
  g_assert_cmpstr (g_ptr_array_index (card->emails, 1), ==, "john.doe@example.com");
  g_assert_cmpstr (card->status, ==, "working from home...");
  g_assert_nonnull (card->categories);
  g_assert_cmpuint (card->categories->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (card->categories, 0), ==, "friend");
  g_assert_cmpstr (g_ptr_array_index (card->categories, 1), ==, "work");
  g_assert_cmpstr (card->bday, ==, "--12-09");
  g_assert_cmpstr (card->notification, ==,
                   "enabled=true; types=sound,banner;sounds=friend;filters=message,mention");
  g_assert_cmpstr (card->photo_type, ==, "image/png");
  g_assert_nonnull (card->photo);
  g_assert_cmpmem (g_bytes_get_data (card->photo, NULL), 4, "\x89PNG", 4);
}

static void
test_profile_storage (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("profile-storage.eml");
  TernCoiHCard *friends, *work, *all;

  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_PROFILE_STORAGE);
  g_assert_cmpuint (info->profiles->len, ==, 3);
  friends = g_ptr_array_index (info->profiles, 0);
  work = g_ptr_array_index (info->profiles, 1);
  all = g_ptr_array_index (info->profiles, 2);
  g_assert_true (info->profile == friends);
  g_assert_nonnull (friends->profile_categories);
  g_assert_cmpuint (friends->profile_categories->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (friends->profile_categories, 0), ==, "friend");
  g_assert_cmpstr (g_ptr_array_index (friends->profile_categories, 1), ==, "family");
  g_assert_cmpstr (friends->bday, ==, "1998-12-24");
  g_assert_cmpstr (friends->nickname, ==, "Al");
  g_assert_cmpuint (work->profile_categories->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (work->profile_categories, 0), ==, "work");
  g_assert_cmpstr (work->status, ==, "working from home...");
  g_assert_cmpstr (g_ptr_array_index (work->emails, 0), ==, "angel@work-example.com");
  g_assert_null (all->profile_categories);
  g_assert_cmpstr (all->bday, ==, "--12-24");
}

static void
test_profile_part (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("profile-part.eml");

  g_assert_true (info->is_chat);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_TEXT);
  g_assert_cmpstr (info->text, ==, "Hello my friend, this is my first COI message!");
  g_assert_nonnull (info->profile);
  g_assert_cmpstr (info->profile->name, ==, "Alice Angel");
  g_assert_cmpstr (info->profile->status, ==, "working from home..."); /* x-coi-status */
  g_assert_cmpstr (info->profile->bday, ==, "--04-30");
  g_assert_cmpuint (info->attachments->len, ==, 0);
}

static void
test_profile_request (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("profile-request.eml");

  assert_chat_basics (info);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_PROFILE_REQUEST);
  g_assert_cmpstr (info->text, ==, "Hi Alice, can you please advise me?");
  /* The example's Disposition-Notification-To is not its From: reported. */
  g_assert_true (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_CHAT_RULES));
}

static void
test_group_message (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("group-message.eml");

  assert_chat_basics (info);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_TEXT);
  g_assert_cmpstr (info->group_id, ==, "4321dcba1234");
  g_assert_cmpstr (info->group_name, ==, "My Crew");
  /* "To: alice@example.com; bob@example.com" */
  g_assert_cmpuint (info->to->len, ==, 2);
  assert_address (info->to, 0, NULL, "alice@example.com");
  assert_address (info->to, 1, NULL, "bob@example.com");
}

static void
test_group_storage (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("group-storage.eml");
  TernCoiHCard *alice;

  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_GROUP_STORAGE);
  g_assert_cmpstr (info->group_id, ==, "1234abcd4321");
  g_assert_nonnull (info->group);
  g_assert_cmpstr (info->group->id, ==, "1234abcd4321");
  g_assert_cmpstr (info->group->name, ==, "My Crew");
  g_assert_cmpstr (info->group->description, ==, "This is just a fun place to hang out virtually");
  g_assert_cmpstr (info->group->notification, ==, "enabled=true;types=banner;filters=mention");
  g_assert_nonnull (info->group->photo);
  g_assert_cmpstr (info->group->photo_type, ==, "image/png");
  g_assert_cmpuint (info->group->participants->len, ==, 3);
  alice = g_ptr_array_index (info->group->participants, 0);
  g_assert_cmpstr (alice->name, ==, "Alice Angel");
  g_assert_cmpstr (alice->hash, ==, "5457683cbe3191ab696f4d0a1c71ff48105d733d406239bb45439969672ea51c");
  g_assert_cmpstr (alice->key, ==, "...base64 key data...");
  g_assert_cmpstr (((TernCoiHCard *) g_ptr_array_index (info->group->participants, 1))->name, ==,
                   "John Doe");
  g_assert_cmpstr (g_ptr_array_index (((TernCoiHCard *) g_ptr_array_index (info->group->participants, 2))->emails, 0),
                   ==, "carrol@example.com");
  /* Participants are not top-level profiles. */
  g_assert_cmpuint (info->profiles->len, ==, 0);
}

static void
test_group_info (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("group-info.eml");

  g_assert_true (info->is_chat);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_TEXT);
  g_assert_cmpstr (info->group_id, ==, "1234abcd4321");
  g_assert_cmpstr (info->group_name, ==, "My Crew");
  g_assert_cmpstr (info->text, ==, "Hello folks, let's chat!");
  g_assert_nonnull (info->group);
  g_assert_cmpstr (info->group->description, ==, "This is just a fun place to hang out virtually");
  g_assert_cmpuint (info->group->participants->len, ==, 3);
  g_assert_cmpuint (info->to->len, ==, 2);
  assert_address (info->to, 1, NULL, "carrol@example.com");
}

static void
test_group_left (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("group-left.eml");

  assert_chat_basics (info);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_GROUP_LEFT);
  g_assert_cmpstr (info->group_id, ==, "1234abcd4321");
  g_assert_cmpuint (info->reply_to->len, ==, 3);
  assert_address (info->reply_to, 2, NULL, "dean@example.com");
  g_assert_cmpuint (info->to->len, ==, 3);
  g_assert_cmpstr (info->in_reply_to, ==, "chat$group.1234abcd4321.123213.213223@example.com");
  g_assert_cmpstr (info->references[1], ==, "chat$group.1234abcd4321.123213.213223@example.com");
}

static void
test_group_info_request (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("group-info-request.eml");

  assert_chat_basics (info);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_GROUP_INFO_REQUEST);
  g_assert_cmpstr (info->group_id, ==, "5422989123KJKK");
  g_assert_cmpuint (info->to->len, ==, 3);
}

static void
test_location (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("location.eml");

  g_assert_true (info->is_chat);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_LOCATION);
  g_assert_nonnull (info->location);
  g_assert_cmpfloat_with_epsilon (info->location->latitude, 53.07516, 1e-9);
  g_assert_cmpfloat_with_epsilon (info->location->longitude, 8.80777, 1e-9);
  g_assert_cmpstr (info->location->text, ==, "Let's meet here.\n-\nPosition: 53.07516, 8.80777");
}

static void
test_pinned (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("pinned.eml");
  g_autoptr(GDateTime) expected = g_date_time_new_from_iso8601 ("2019-12-05T00:00:00+01:00", NULL);

  assert_chat_basics (info);
  g_assert_true (info->pinned);
  g_assert_nonnull (info->pinned_until);
  g_assert_true (g_date_time_equal (info->pinned_until, expected));
  g_assert_cmpstr (info->text, ==, "Hello COI world, this message is pinned!");
}

/* ------------------------------------------------------------ Delta Chat */

static void
test_dc_text (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("deltachat/text.eml");
  TernCoiMention *m;

  g_assert_true (info->is_chat);
  g_assert_cmpint (info->criteria, ==, TERN_COI_CRITERIA_CHAT_VERSION);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_TEXT);
  g_assert_true (info->has_autocrypt);
  g_assert_true (info->receipt_requested);
  g_assert_cmpstr (info->receipt_address, ==, "alice@example.test");
  g_assert_cmpstr (info->dc.dnt, ==, "alice@example.test");
  g_assert_cmpstr (info->dc.user_avatar, ==, "avatar.jpg");
  g_assert_cmpstr (info->text, ==, "Hi Bob, this is Delta Chat talking \xf0\x9f\x99\x82 @all");
  g_assert_cmpstr (info->signature, ==, "Sent with my Delta Chat Messenger: https://delta.chat");
  g_assert_cmpuint (info->mentions->len, ==, 1);
  m = g_ptr_array_index (info->mentions, 0);
  g_assert_true (m->is_all);
  g_assert_null (info->group_id);
}

static void
test_dc_edit (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("deltachat/edit.eml");
  g_autoptr(TernCoiInfo) top = parse_fixture ("deltachat/edit-top-level.eml");

  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_EDIT);
  g_assert_cmpstr (info->dc.edit_target, ==, "4d1f2c1e-8f0a-4b7e-9d1a-6c2f3e4a5b6c@localhost");
  g_assert_true (info->dc.edit_in_first_part);
  g_assert_cmpstr (info->edit_target_id, ==, "4d1f2c1e-8f0a-4b7e-9d1a-6c2f3e4a5b6c@localhost");
  g_assert_cmpstr (info->edit_text, ==, "Hi Bob, this is Delta Chat speaking");
  g_assert_cmpstr (info->quoted_text, ==, "> Hi Bob, this is Delta Chat talking");

  /* A top-level Chat-Edit is read as an edit too (Delta Chat itself would show
   * it as a new message): the flag says where it was. */
  g_assert_cmpint (top->kind, ==, TERN_COI_KIND_EDIT);
  g_assert_false (top->dc.edit_in_first_part);
  g_assert_cmpstr (top->edit_text, ==, "second try");
}

static void
test_dc_group (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("deltachat/group.eml");

  g_assert_true (info->is_chat);
  g_assert_cmpstr (info->dc.group_id, ==, "Wq3Tz9LpV2xN");
  g_assert_cmpstr (info->dc.group_name, ==, "Fam\xc3\xadlia \xf0\x9f\x8f\xa0");
  g_assert_cmpstr (info->dc.member_added, ==, "carol@example.test");
  g_assert_null (info->dc.member_removed);
  /* No COI group id: Delta Chat's is used, the name is the Subject without "Re:". */
  g_assert_cmpstr (info->group_id, ==, "Wq3Tz9LpV2xN");
  g_assert_cmpstr (info->group_name, ==, "Fam\xc3\xadlia \xf0\x9f\x8f\xa0");
  g_assert_cmpuint (info->to->len, ==, 2);
}

static void
test_dc_delete (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("deltachat/delete.eml");

  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_DELETE);
  g_assert_cmpstr (info->delete_target_id, ==, "4d1f2c1e-8f0a-4b7e-9d1a-6c2f3e4a5b6c@localhost");
}

static void
test_dc_mdn (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("deltachat/mdn.eml");

  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_MDN);
  g_assert_cmpstr (info->mdn->original_message_id, ==, "4d1f2c1e-8f0a-4b7e-9d1a-6c2f3e4a5b6c@localhost");
  g_assert_cmpstr (info->mdn->disposition_type, ==, "displayed");
  g_assert_cmpstr (info->mdn->final_recipient, ==, "bob@example.test");
  g_assert_cmpuint (info->attachments->len, ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_mime_init ();

  g_test_add_func ("/coi/spec/text", test_text);
  g_test_add_func ("/coi/spec/formatted", test_formatted);
  g_test_add_func ("/coi/spec/image", test_image);
  g_test_add_func ("/coi/spec/audio-image", test_audio_image);
  g_test_add_func ("/coi/spec/preview", test_preview);
  g_test_add_func ("/coi/spec/edit", test_edit);
  g_test_add_func ("/coi/spec/delete", test_delete);
  g_test_add_func ("/coi/spec/mdn", test_mdn);
  g_test_add_func ("/coi/spec/contact-storage", test_contact_storage);
  g_test_add_func ("/coi/spec/profile-storage", test_profile_storage);
  g_test_add_func ("/coi/spec/profile-part", test_profile_part);
  g_test_add_func ("/coi/spec/profile-request", test_profile_request);
  g_test_add_func ("/coi/spec/group-message", test_group_message);
  g_test_add_func ("/coi/spec/group-storage", test_group_storage);
  g_test_add_func ("/coi/spec/group-info", test_group_info);
  g_test_add_func ("/coi/spec/group-left", test_group_left);
  g_test_add_func ("/coi/spec/group-info-request", test_group_info_request);
  g_test_add_func ("/coi/spec/location", test_location);
  g_test_add_func ("/coi/spec/pinned", test_pinned);
  g_test_add_func ("/coi/deltachat/text", test_dc_text);
  g_test_add_func ("/coi/deltachat/edit", test_dc_edit);
  g_test_add_func ("/coi/deltachat/group", test_dc_group);
  g_test_add_func ("/coi/deltachat/delete", test_dc_delete);
  g_test_add_func ("/coi/deltachat/mdn", test_dc_mdn);

  return g_test_run ();
}
