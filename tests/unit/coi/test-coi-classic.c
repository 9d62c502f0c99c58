/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Classic mail in real-world shapes (tests/data/coi/classic/): shown as
 * text with quotes and signatures folded, charsets and encoded names right. */
#include "config.h"

#include <string.h>

#include <gmime/gmime.h>

#include "tern-coi-parser.h"

static TernCoiInfo *
parse_fixture (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("TERN_TEST_DATA"), "coi", "classic", name, NULL);
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  TernCoiInfo *info;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  bytes = g_bytes_new_take (g_steal_pointer (&data), len);
  info = tern_coi_parse_bytes (bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
  g_assert_true (g_utf8_validate (info->text, -1, NULL));
  return info;
}

static void
test_thunderbird_reply_to_group (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("thunderbird-reply.eml");

  /* A classic reply to a COI group message: a chat by its first References
   * id, in the group that id names. */
  g_assert_true (info->is_chat);
  g_assert_cmpint (info->criteria, ==, TERN_COI_CRITERIA_REFERENCES);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_TEXT);
  g_assert_cmpstr (info->group_id, ==, "1234abcd4321");
  g_assert_cmpstr (info->group_name, ==, "My Crew");
  g_assert_cmpstr (info->text, ==,
                   "Count me in! I will bring the drinks and some snacks for everyone who comes along.");
  g_assert_cmpstr (info->quoted_text, ==,
                   "On 04.12.19 15:51, Alice wrote:\n> Hello folks, let's chat!\n> \n> See you tonight.");
  g_assert_cmpstr (info->signature, ==, "Dean Example\nhttps://dean.example.org");
  g_assert_false (info->text_from_html);
  g_assert_cmpuint (info->to->len, ==, 2);
  g_assert_cmpuint (info->cc->len, ==, 1);
  g_assert_cmpuint (info->attachments->len, ==, 0);
  /* Not a COI sender: no rules to break. */
  g_assert_false (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_CHAT_RULES));
}

static void
test_outlook_html_only (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("outlook-html-only.eml");

  g_assert_true (info->text_from_html);
  g_assert_cmpstr (info->subject, ==, "AW: Projekt");
  g_assert_cmpstr (info->text, ==,
                   "Hallo Alice,\n\ndie Zahlen f\xc3\xbcr M\xc3\xa4rz sind fertig \xe2\x80\x93 "
                   "sch\xc3\xb6ne Gr\xc3\xbc\xc3\x9f" "e!");
  g_assert_nonnull (info->quoted_text);
  g_assert_true (g_str_has_prefix (info->quoted_text, "From: Alice <alice@example.com>\nSent:"));
  g_assert_true (g_str_has_suffix (info->quoted_text, "Hast du die Zahlen?"));
  g_assert_null (strstr (info->full_text, "alert"));
  g_assert_null (strstr (info->full_text, "MsoNormal"));
  g_assert_nonnull (info->html);
  g_assert_false (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_BAD_CHARSET));
}

static void
test_apple_mail (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("apple-mail.eml");
  TernCoiAttachment *a;
  g_autoptr(GBytes) content = NULL;

  g_assert_false (info->is_chat);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_CLASSIC);
  g_assert_cmpstr (info->text, ==, "Here is the one from the beach.\n\nCarol");
  g_assert_true (g_str_has_prefix (info->quoted_text, "> On 4. Dec 2019, at 15:51, Alice"));
  g_assert_cmpuint (info->attachments->len, ==, 1);
  a = g_ptr_array_index (info->attachments, 0);
  g_assert_cmpstr (a->filename, ==, "IMG_0042.jpeg");
  g_assert_cmpstr (a->mime_type, ==, "image/jpeg");
  g_assert_cmpstr (a->path, ==, "2");
  content = tern_coi_attachment_get_bytes (a, NULL);
  g_assert_cmpuint (g_bytes_get_size (content), ==, 10 + 256);
}

static void
test_mailing_list (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("mailing-list.eml");

  g_assert_false (info->is_chat);
  g_assert_cmpstr (info->list_id, ==, "dev.lists.example.org");
  g_assert_cmpstr (info->text, ==, "I agree, let's branch on Monday.");
  g_assert_cmpstr (info->quoted_text, ==, "Frank wrote:\n> Should we branch this week?");
  g_assert_cmpstr (info->signature, ==, "dev mailing list\ndev@lists.example.org");
  g_assert_cmpstr (info->in_reply_to, ==, "20191205090000.GA9999@example.com");
  g_assert_null (info->group_id);
}

static void
test_latin1 (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("latin1-qp.eml");

  g_assert_cmpstr (info->from->name, ==, "J\xc3\xb6rg M\xc3\xbcller");
  g_assert_cmpstr (info->subject, ==, "Gr\xc3\xbc\xc3\x9f" "e aus M\xc3\xbcnchen");
  g_assert_cmpstr (info->text, ==, "Gr\xc3\xbc\xc3\x9f" "e aus M\xc3\xbcnchen - das Caf\xc3\xa9 ist ge\xc3\xb6" "ffnet.");
  g_assert_cmpuint (info->problems->len, ==, 0);
}

static void
test_koi8r (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("koi8r-base64.eml");

  g_assert_cmpstr (info->from->name, ==, "Павел");
  g_assert_cmpstr (info->subject, ==, "Привет");
  g_assert_cmpstr (info->text, ==, "Привет, как дела?");
}

static void
test_iso2022jp (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("iso2022jp.eml");

  g_assert_cmpstr (info->subject, ==, "にほんご");
  g_assert_cmpstr (info->text, ==, "こんにちは世界");
}

static void
test_undeclared_8bit (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("undeclared-8bit.eml");

  g_assert_cmpstr (info->text, ==, "Caf\xc3\xa9 cr\xc3\xa8me \xe2\x82\xac 5");
  g_assert_true (g_utf8_validate (info->subject, -1, NULL));
  g_assert_nonnull (info->subject);
}

static void
test_rfc2047_2231 (void)
{
  g_autoptr(TernCoiInfo) info = parse_fixture ("rfc2231-names.eml");
  TernCoiAttachment *pdf, *evil;

  g_assert_cmpstr (info->from->name, ==, "\xc3\x89lod\xc3\xa9" "e N\xc3\xbc\xc3\xb1" "ez");
  g_assert_cmpstr (((TernCoiAddress *) g_ptr_array_index (info->to, 0))->name, ==, "Al\xc3\xae" "ce");
  g_assert_cmpstr (info->subject, ==, "Facture \xe2\x82\xac d\xc3\xa9" "cembre");
  g_assert_cmpuint (info->attachments->len, ==, 2);
  pdf = g_ptr_array_index (info->attachments, 0);
  g_assert_cmpstr (pdf->filename, ==, "facture \xe2\x82\xac d\xc3\xa9" "cembre.pdf");
  g_assert_cmpstr (pdf->mime_type, ==, "application/pdf");
  /* "../../.bashrc\n<RLO>fdp.exe" split over filename*0* / filename*1* */
  evil = g_ptr_array_index (info->attachments, 1);
  g_assert_nonnull (evil->raw_filename);
  g_assert_nonnull (strstr (evil->raw_filename, "../"));
  g_assert_null (strchr (evil->filename, '/'));
  g_assert_null (strchr (evil->filename, '\n'));
  g_assert_null (strstr (evil->filename, "\xe2\x80\xae"));
  g_assert_cmpint (evil->filename[0], !=, '.');
  g_assert_cmpstr (evil->filename, ==, "bashrc_fdp.exe");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_mime_init ();

  g_test_add_func ("/coi/classic/thunderbird-reply-to-group", test_thunderbird_reply_to_group);
  g_test_add_func ("/coi/classic/outlook-html-only", test_outlook_html_only);
  g_test_add_func ("/coi/classic/apple-mail", test_apple_mail);
  g_test_add_func ("/coi/classic/mailing-list", test_mailing_list);
  g_test_add_func ("/coi/classic/latin1", test_latin1);
  g_test_add_func ("/coi/classic/koi8r", test_koi8r);
  g_test_add_func ("/coi/classic/iso2022jp", test_iso2022jp);
  g_test_add_func ("/coi/classic/undeclared-8bit", test_undeclared_8bit);
  g_test_add_func ("/coi/classic/rfc2047-2231", test_rfc2047_2231);

  return g_test_run ();
}
