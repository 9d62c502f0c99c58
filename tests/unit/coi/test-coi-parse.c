/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The parser's pieces: names (subject prefixes, file names, group ids),
 * microformats read with libxml2, mentions, options and tolerant headers. */
#include "config.h"

#include <string.h>

#include <gmime/gmime.h>

#include "tern-coi-microformats.h"
#include "tern-coi-names.h"
#include "tern-coi-parser.h"

static TernCoiInfo *
parse (const char *text, const TernCoiParseOptions *opts)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  TernCoiInfo *info = tern_coi_parse_bytes (bytes, opts, &error);

  g_assert_no_error (error);
  g_assert_nonnull (info);
  return info;
}

/* ------------------------------------------------------------------ names */

static void
test_strip_subject (void)
{
  struct { const char *in, *out; } cases[] = {
    { "My Crew", "My Crew" },
    { "Re: My Crew", "My Crew" },
    { "RE: re: Fwd: My Crew", "My Crew" },
    { "AW: SV: WG: My Crew", "My Crew" },
    { "Re[2]: My Crew", "My Crew" },
    { "Re (3) : nope", "Re (3) : nope" },
    { "Re(3): My Crew", "My Crew" },
    { "  Fw:   My Crew  ", "My Crew" },
    { "Chat: Hello COI...", "Hello COI..." },
    { "Rechnung: März", "Rechnung: März" },
    { "Reunion", "Reunion" },
    { "Re:", "" },
    { "VS: Antw: Tr: x", "x" },
    { "回复：你好", "你好" },
    { "[dev] Re: Release", "[dev] Re: Release" },
    { "", "" },
    /* A prefix compared against a cut through a character (read past the
     * end before it was checked). */
    { "My Crëw: the \"best\"", "My Crëw: the \"best\"" },
    { "aaë: x", "aaë: x" },
    { "ëëë", "ëëë" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = tern_coi_names_strip_subject (cases[i].in);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
  {
    g_autofree char *null_out = tern_coi_names_strip_subject (NULL);
    g_assert_cmpstr (null_out, ==, "");
  }
}

static void
test_sanitize_filename (void)
{
  struct { const char *in, *out; } cases[] = {
    { "earth.jpg", "earth.jpg" },
    { "../../etc/passwd", "passwd" },
    { "..\\..\\windows\\system32\\evil.dll", "evil.dll" },
    { ".bashrc", "bashrc" },
    { "...", "file" },
    { "", "file" },
    { "a\nb\tc\x01" "d.txt", "a_b_c_d.txt" },
    { "invoice\xe2\x80\xae" "fdp.exe", "invoice_fdp.exe" },
    { "trailing dots...", "trailing dots" },
    { "CON", "_CON" },
    { "con.txt", "_con.txt" },
    { "what?*<>|\":.txt", "what_.txt" },
    { "caf\xc3\xa9 \xe2\x82\xac.pdf", "caf\xc3\xa9 \xe2\x82\xac.pdf" },
    { "bad\xff\xfeutf8.txt", "bad_utf8.txt" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = tern_coi_names_sanitize_filename (cases[i].in, NULL);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_sanitize_filename_length (void)
{
  GString *name = g_string_new (NULL);
  g_autofree char *out = NULL;
  g_autofree char *noext = NULL;

  for (int i = 0; i < 1000; i++)
    g_string_append (name, "\xc3\xa9");
  noext = tern_coi_names_sanitize_filename (name->str, NULL);
  g_assert_cmpuint (strlen (noext), <=, TERN_COI_FILENAME_MAX);
  g_assert_true (g_utf8_validate (noext, -1, NULL));
  g_string_append (name, ".jpeg");
  out = tern_coi_names_sanitize_filename (name->str, NULL);
  g_assert_cmpuint (strlen (out), <=, TERN_COI_FILENAME_MAX);
  g_assert_true (g_str_has_suffix (out, ".jpeg"));
  g_assert_true (g_utf8_validate (out, -1, NULL));
  g_string_free (name, TRUE);
}

static void
test_group_id (void)
{
  struct { const char *in, *out; } cases[] = {
    { "chat$group.4321dcba1234.S2571BC.2878&8@sample.com", "4321dcba1234" },
    { "chat$group.a_b-C.x@y", "a_b-C" },
    { "chat$group..x@y", NULL },
    { "chat$group.abc", NULL },
    { "chat$group.ab$c.x@y", NULL },
    { "chat$S2571BC@sample.com", NULL },
    { "group.4321dcba1234.x@y", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = tern_coi_names_group_id_from_message_id (cases[i].in);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
  g_assert_true (tern_coi_names_is_chat_id ("chat$x@y"));
  g_assert_false (tern_coi_names_is_chat_id ("Chat$x@y"));
  g_assert_false (tern_coi_names_is_chat_id (NULL));
}

/* ----------------------------------------------------------- microformats */

static void
test_mentions_text (void)
{
  g_autoptr(GPtrArray) m = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_coi_mention_free);
  TernCoiMention *x;

  tern_coi_microformats_read_mentions_text (
    "Hi @Gabe:gabe+private@example.com and @\"Gabe Lastname\":gabe2@example.com, "
    "also @all! Not mail@example.com nor @nobody or @x:notanaddress; "
    "(@Bob:bob@example.com). Again @Gabe:GABE+private@example.com.",
    m);
  g_assert_cmpuint (m->len, ==, 4);
  x = g_ptr_array_index (m, 0);
  g_assert_cmpstr (x->name, ==, "Gabe");
  g_assert_cmpstr (x->address, ==, "gabe+private@example.com");
  g_assert_false (x->is_all);
  x = g_ptr_array_index (m, 1);
  g_assert_cmpstr (x->name, ==, "Gabe Lastname");
  g_assert_cmpstr (x->address, ==, "gabe2@example.com");
  x = g_ptr_array_index (m, 2);
  g_assert_true (x->is_all);
  g_assert_null (x->address);
  x = g_ptr_array_index (m, 3);
  g_assert_cmpstr (x->address, ==, "bob@example.com");
}

static htmlDocPtr
doc_from (const char *html)
{
  htmlDocPtr doc = tern_coi_html_parse (html, strlen (html));
  g_assert_nonnull (doc);
  return doc;
}

static void
test_mentions_html (void)
{
  g_autoptr(GPtrArray) m = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_coi_mention_free);
  htmlDocPtr doc = doc_from ("<p>Hey <a class=\"mention\" href=\"mailto:gabe%2Bprivate@example.com\">@Gabe</a>"
                             " and <a class=\"link mention\" href=\"mailto:al@example.com?subject=x\">@Al Li</a>"
                             " <a class=\"mention\">@all</a> <a href=\"mailto:not@example.com\">@Not</a>"
                             " <a class=\"mention\" href=\"https://x\">@Bad</a></p>");
  TernCoiMention *x;

  tern_coi_microformats_read_mentions_html (doc, m);
  xmlFreeDoc (doc);
  g_assert_cmpuint (m->len, ==, 3);
  x = g_ptr_array_index (m, 0);
  g_assert_cmpstr (x->name, ==, "Gabe");
  g_assert_cmpstr (x->address, ==, "gabe+private@example.com");
  x = g_ptr_array_index (m, 1);
  g_assert_cmpstr (x->name, ==, "Al Li");
  g_assert_cmpstr (x->address, ==, "al@example.com");
  g_assert_true (((TernCoiMention *) g_ptr_array_index (m, 2))->is_all);
}

static void
test_hcard_nested_and_mailto (void)
{
  htmlDocPtr doc = doc_from ("<div class=\"h-card\"><a class=\"u-email\" href=\"mailto:a@example.com\">write</a>"
                             "<span class=\"p-name\"> Ann  <b>Example</b> </span>"
                             "<span class=\"p-category\">friend , ,family</span>"
                             "<img class=\"u-photo\" src=\"data:image/gif,GIF89a%01\">"
                             "<div class=\"h-card\"><span class=\"p-name\">Inner</span></div>"
                             "</div><span class=\"p-name\">stray after</span>");
  g_autoptr(GPtrArray) cards = tern_coi_microformats_read_hcards (doc);
  TernCoiHCard *c;

  xmlFreeDoc (doc);
  g_assert_cmpuint (cards->len, ==, 2);
  c = g_ptr_array_index (cards, 0);
  g_assert_cmpstr (c->name, ==, "Ann Example");
  g_assert_cmpstr (g_ptr_array_index (c->emails, 0), ==, "a@example.com");
  g_assert_cmpuint (c->categories->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (c->categories, 1), ==, "family");
  g_assert_cmpstr (c->photo_type, ==, "image/gif");
  g_assert_cmpuint (g_bytes_get_size (c->photo), ==, 7);
  g_assert_cmpstr (((TernCoiHCard *) g_ptr_array_index (cards, 1))->name, ==, "Inner");
}

static void
test_hgeo_invalid (void)
{
  const char *bad[] = {
    "<p class=\"h-geo\"><span class=\"p-latitude\">95</span><span class=\"p-longitude\">8</span></p>",
    "<p class=\"h-geo\"><span class=\"p-latitude\">nan</span><span class=\"p-longitude\">8</span></p>",
    "<p class=\"h-geo\"><span class=\"p-latitude\">53.1x</span><span class=\"p-longitude\">8</span></p>",
    "<p class=\"h-geo\"><span class=\"p-latitude\">53.1</span></p>",
  };
  double lat, lon;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      htmlDocPtr doc = doc_from (bad[i]);
      g_assert_false (tern_coi_microformats_read_hgeo (doc, &lat, &lon));
      xmlFreeDoc (doc);
    }
}

static void
test_html_never_fetches (void)
{
  /* External entities and DTDs are not loaded (NONET, HTML parser). */
  htmlDocPtr doc = doc_from ("<!DOCTYPE html SYSTEM \"http://127.0.0.1:1/x.dtd\">"
                             "<html><body><p class=\"h-card\"><span class=\"p-name\">&xxe;</span>"
                             "<img class=\"u-photo\" src=\"http://127.0.0.1:1/track.png\"></p></body></html>");
  g_autoptr(GPtrArray) cards = tern_coi_microformats_read_hcards (doc);
  TernCoiHCard *c;

  xmlFreeDoc (doc);
  g_assert_cmpuint (cards->len, ==, 1);
  c = g_ptr_array_index (cards, 0);
  g_assert_cmpstr (c->photo_uri, ==, "http://127.0.0.1:1/track.png");
  g_assert_null (c->photo);
}

static void
test_data_uri (void)
{
  g_autofree char *type = NULL;
  g_autoptr(GBytes) b = tern_coi_data_uri_decode ("data:image/png;base64,\n iVBO\n Rw==", 100, &type);
  g_autoptr(GBytes) big = tern_coi_data_uri_decode ("data:text/plain;base64,QUFBQUFBQUFB", 3, NULL);

  g_assert_nonnull (b);
  g_assert_cmpstr (type, ==, "image/png");
  g_assert_cmpmem (g_bytes_get_data (b, NULL), 4, "\x89PNG", 4);
  g_assert_null (big);
  g_assert_null (tern_coi_data_uri_decode ("http://x", 100, NULL));
  g_assert_null (tern_coi_data_uri_decode ("data:nocomma", 100, NULL));
}

/* ------------------------------------------------------------------ parser */

#define HEAD "From: Alice <alice@example.com>\r\nTo: bob@example.com\r\n" \
             "Date: Mon, 4 Dec 2019 15:51:37 +0100\r\nMIME-Version: 1.0\r\n"

static void
test_criteria (void)
{
  g_autoptr(TernCoiInfo) a = parse (HEAD "Message-ID: <x@y>\r\nChat-Version: 1.0;foo=bar ; x = \"y z\"\r\n\r\nhi\r\n", NULL);
  g_autoptr(TernCoiInfo) b = parse (HEAD "Message-ID: <chat$x@y>\r\n\r\nhi\r\n", NULL);
  g_autoptr(TernCoiInfo) c = parse (HEAD "Message-ID: <x@y>\r\nReferences: <chat$first@y> <other@y>\r\n\r\nhi\r\n", NULL);
  g_autoptr(TernCoiInfo) d = parse (HEAD "Message-ID: <x@y>\r\nReferences: <other@y> <chat$second@y>\r\n\r\nhi\r\n", NULL);

  g_assert_cmpint (a->criteria, ==, TERN_COI_CRITERIA_CHAT_VERSION);
  g_assert_cmpstr (a->chat_version, ==, "1.0");
  g_assert_nonnull (a->chat_version_params);
  g_assert_cmpstr (g_hash_table_lookup (a->chat_version_params, "foo"), ==, "bar");
  g_assert_cmpstr (g_hash_table_lookup (a->chat_version_params, "x"), ==, "y z");
  g_assert_cmpint (b->criteria, ==, TERN_COI_CRITERIA_MESSAGE_ID);
  g_assert_cmpint (c->criteria, ==, TERN_COI_CRITERIA_REFERENCES);
  g_assert_true (c->is_chat);
  g_assert_cmpint (d->criteria, ==, TERN_COI_CRITERIA_NONE);
  g_assert_false (d->is_chat);
  g_assert_true (d->is_classic);
  g_assert_cmpint (d->kind, ==, TERN_COI_KIND_CLASSIC);
}

static void
test_chat_content_forms (void)
{
  struct { const char *value; TernCoiKind kind; } cases[] = {
    { "editrequest", TERN_COI_KIND_EDIT },
    { "Edit;", TERN_COI_KIND_EDIT },
    { "deleterequest;", TERN_COI_KIND_DELETE },
    { "DELETEREQUEST ; reason=x", TERN_COI_KIND_DELETE },
    { "groupleft", TERN_COI_KIND_GROUP_LEFT },
    { "grouprequested", TERN_COI_KIND_GROUP_INFO_REQUEST },
    { "groupprofilerequest", TERN_COI_KIND_GROUP_INFO_REQUEST },
    { "profilerequest", TERN_COI_KIND_PROFILE_REQUEST },
    { "com.awesomeclient.MyCustomMessage", TERN_COI_KIND_EXTENSION },
    { "status", TERN_COI_KIND_TEXT },
    { "something", TERN_COI_KIND_TEXT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf (HEAD "Message-ID: <chat$k%u@y>\r\nIn-Reply-To: <chat$target@y\r\n"
                                               "Chat-Version: 1.0\r\nChat-Content: %s\r\n\r\nbody\r\n",
                                               i, cases[i].value);
      g_autoptr(TernCoiInfo) info = parse (text, NULL);

      g_assert_cmpint (info->kind, ==, cases[i].kind);
      /* In-Reply-To without its ">" is still read. */
      g_assert_cmpstr (info->in_reply_to, ==, "chat$target@y");
      if (cases[i].kind == TERN_COI_KIND_EDIT)
        {
          g_assert_cmpstr (info->edit_target_id, ==, "chat$target@y");
          g_assert_cmpstr (info->edit_text, ==, "body");
        }
      if (cases[i].kind == TERN_COI_KIND_DELETE)
        g_assert_cmpstr (info->delete_target_id, ==, "chat$target@y");
      if (cases[i].kind == TERN_COI_KIND_EXTENSION)
        g_assert_cmpstr (info->extension_name, ==, "com.awesomeclient.mycustommessage");
    }
}

static void
test_empty_edit_means_deleted (void)
{
  g_autoptr(TernCoiInfo) info = parse (HEAD "Message-ID: <chat$e@y>\r\nIn-Reply-To: <chat$t@y>\r\n"
                                       "Chat-Version: 1.0\r\nChat-Content: editrequest\r\n\r\n", NULL);

  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_EDIT);
  g_assert_cmpstr (info->edit_text, ==, "");
}

static void
test_blocked_and_hashes (void)
{
  g_autoptr(TernCoiInfo) info = parse ("From: me@example.com\r\nCOI-From-Hash: ABCDEF\r\nCOI-Blocked: yes\r\n"
                                       "Message-ID: <chat$c@y>\r\nChat-Version: 1.0\r\nChat-Content: contact\r\n"
                                       "Content-Type: text/html\r\n\r\n<p class=h-card><span class=p-name>X</span></p>\r\n",
                                       NULL);

  g_assert_true (info->blocked);
  g_assert_cmpstr (g_ptr_array_index (info->from_hashes, 0), ==, "abcdef");
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_CONTACT_STORAGE);
  g_assert_cmpstr (info->profile->name, ==, "X");
}

static void
test_rules_problems (void)
{
  g_autoptr(TernCoiInfo) info = parse ("From: a@example.com, b@example.com\r\nSender: s@example.com\r\n"
                                       "Chat-Version: 1.0\r\nDisposition-Notification-To: other@example.com\r\n"
                                       "\r\nhi\r\n",
                                       NULL);

  g_assert_true (info->is_chat);
  g_assert_cmpuint (info->n_from, ==, 2);
  g_assert_true (info->has_sender);
  g_assert_true (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_BAD_FROM));
  g_assert_true (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_BAD_DATE));
  g_assert_true (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_BAD_MESSAGE_ID));
  g_assert_true (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_CHAT_RULES));
  g_assert_true (info->receipt_requested);
  g_assert_cmpstr (info->receipt_address, ==, "other@example.com");
}

static void
test_self_mentions (void)
{
  const char *const self[] = { "bob@example.com", NULL };
  TernCoiParseOptions opts = { .self_addresses = self };
  g_autoptr(TernCoiInfo) info = parse (HEAD "Message-ID: <chat$m@y>\r\nChat-Version: 1.0\r\n\r\n"
                                       "@Bob:BOB@example.com and @Carol:carol@example.com\r\n", &opts);
  TernCoiMention *bob, *carol;

  g_assert_cmpuint (info->mentions->len, ==, 2);
  bob = g_ptr_array_index (info->mentions, 0);
  carol = g_ptr_array_index (info->mentions, 1);
  g_assert_true (bob->is_me);
  g_assert_false (carol->is_me);
}

static void
test_classic_mentions_ignored (void)
{
  g_autoptr(TernCoiInfo) info = parse (HEAD "Message-ID: <m@y>\r\n\r\n@Bob:bob@example.com\r\n", NULL);

  g_assert_cmpuint (info->mentions->len, ==, 0);
}

static void
test_headers_only (void)
{
  TernCoiParseOptions opts = { .headers_only = TRUE };
  g_autoptr(TernCoiInfo) info = parse (HEAD "Message-ID: <chat$group.abcdefghijkl.x@y>\r\nSubject: Re: Team\r\n"
                                       "Chat-Version: 1.0\r\nChat-Content: groupleft\r\n\r\nbye\r\n", &opts);

  g_assert_true (info->is_chat);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_GROUP_LEFT);
  g_assert_cmpstr (info->group_id, ==, "abcdefghijkl");
  g_assert_cmpstr (info->group_name, ==, "Team");
  g_assert_null (info->text);
  g_assert_cmpuint (info->parts->len, ==, 0);
}

static void
test_max_size (void)
{
  TernCoiParseOptions opts = { .max_size = 64 };
  g_autoptr(TernCoiInfo) info = parse (HEAD "Message-ID: <chat$big@y>\r\nChat-Version: 1.0\r\n\r\nbody\r\n", &opts);

  g_assert_true (tern_coi_info_has_problem (info, TERN_COI_PROBLEM_TOO_LARGE));
  g_assert_true (info->is_chat);
  g_assert_null (info->text);
}

static void
test_parse_message (void)
{
  const char *text = HEAD "Message-ID: <chat$pm@y>\r\nChat-Version: 1.0\r\n\r\nfrom a GMimeMessage\r\n";
  GMimeStream *stream = g_mime_stream_mem_new_with_buffer (text, strlen (text));
  GMimeParser *parser = g_mime_parser_new_with_stream (stream);
  GMimeMessage *message = g_mime_parser_construct_message (parser, NULL);
  TernCoiInfo *info = tern_coi_parse_message (message, NULL);

  g_object_unref (parser);
  g_object_unref (stream);
  g_object_unref (message);
  /* The description keeps what it needs. */
  g_assert_cmpstr (info->text, ==, "from a GMimeMessage");
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_TEXT);
  tern_coi_info_free (info);
}

static void
test_attachment_after_free_of_bytes (void)
{
  /* The info keeps the bytes alive (zero-copy stream holds a ref). */
  char *text = g_strdup (HEAD "Message-ID: <chat$a@y>\r\nChat-Version: 1.0\r\nContent-Type: application/pdf\r\n"
                         "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=a.pdf; size=x\r\n"
                         "\r\nJVBERi0=\r\n");
  GBytes *bytes = g_bytes_new_take (text, strlen (text));
  TernCoiInfo *info = tern_coi_parse_bytes (bytes, NULL, NULL);
  g_autoptr(GBytes) content = NULL;
  TernCoiAttachment *a;

  g_bytes_unref (bytes);
  g_assert_cmpuint (info->attachments->len, ==, 1);
  a = g_ptr_array_index (info->attachments, 0);
  g_assert_cmpint (a->size, ==, -1); /* "size=x" is not a size */
  content = tern_coi_attachment_get_bytes (a, NULL);
  g_assert_cmpmem (g_bytes_get_data (content, NULL), g_bytes_get_size (content), "%PDF-", 5);
  tern_coi_info_free (info);
}

static void
test_bounce (void)
{
  g_autoptr(TernCoiInfo) info = parse (
    "From: MAILER-DAEMON@example.com\r\nTo: alice@example.com\r\nSubject: Undelivered Mail\r\n"
    "Auto-Submitted: auto-replied\r\nMessage-ID: <b@example.com>\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n"
    "--r\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
    "--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; example.com\r\n\r\n"
    "Final-Recipient: rfc822; nobody@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
    "--r\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <chat$orig@example.com>\r\n"
    "--r--\r\n", NULL);

  g_assert_true (info->is_bounce);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_BOUNCE);
  g_assert_cmpstr (info->auto_submitted, ==, "auto-replied");
  g_assert_cmpstr (info->text, ==, "The mail could not be delivered.");
  g_assert_cmpuint (info->attachments->len, ==, 0);
}

/* GMime 3.2.13 loses the text after a padded B word that another encoded
 * word follows; senders write such pairs all the time. */
static void
test_padded_b_words (void)
{
  g_autoptr(TernCoiInfo) info = parse (
    "From: =?UTF-8?B?w6k=?= =?UTF-8?B?dGllbm5l?= <etienne@example.com>\r\n"
    "To: =?UTF-8?B?YWI=?= =?UTF-8?B?Y2Q=?= <abcd@example.com>, plain@example.com\r\n"
    "Cc: =?ISO-8859-1?b?6Q==?==?ISO-8859-1?b?6Q==?= <ee@example.com>\r\n"
    "Subject: Re: =?UTF-8?B?YWI=?=\r\n =?UTF-8?B?Y2Q=?= and more\r\n"
    "Date: Mon, 4 Dec 2019 15:51:37 +0100\r\nMessage-ID: <pad@example.com>\r\n"
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nhello\r\n", NULL);

  g_assert_cmpstr (info->from->name, ==, "étienne");
  g_assert_cmpstr (info->from->address, ==, "etienne@example.com");
  g_assert_cmpuint (info->to->len, ==, 2);
  g_assert_cmpstr (((TernCoiAddress *) g_ptr_array_index (info->to, 0))->name, ==, "abcd");
  g_assert_cmpstr (((TernCoiAddress *) g_ptr_array_index (info->cc, 0))->name, ==, "éé");
  g_assert_cmpstr (info->subject, ==, "Re: abcd and more");
}

static void
test_forwarded_message_part (void)
{
  g_autoptr(TernCoiInfo) info = parse (
    HEAD "Message-ID: <f@y>\r\nSubject: Fwd: x\r\nContent-Type: multipart/mixed; boundary=\"f\"\r\n\r\n"
    "--f\r\nContent-Type: text/plain\r\n\r\nsee below\r\n"
    "--f\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@example.com\r\nSubject: Old/../news\r\n\r\nold body\r\n"
    "--f--\r\n", NULL);
  TernCoiAttachment *a;

  g_assert_cmpstr (info->text, ==, "see below");
  g_assert_cmpuint (info->attachments->len, ==, 1);
  a = g_ptr_array_index (info->attachments, 0);
  g_assert_cmpstr (a->mime_type, ==, "message/rfc822");
  g_assert_cmpstr (a->filename, ==, "news.eml");
}

static void
test_encrypted (void)
{
  g_autoptr(TernCoiInfo) info = parse (
    HEAD "Message-ID: <enc@localhost>\r\nChat-Version: 1.0\r\nAutocrypt: addr=alice@example.com; keydata=AAAA\r\n"
    "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"e\"\r\n\r\n"
    "--e\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n"
    "--e\r\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\r\n\r\n"
    "-----BEGIN PGP MESSAGE-----\r\n\r\nwV4D\r\n-----END PGP MESSAGE-----\r\n--e--\r\n", NULL);

  g_assert_true (info->is_encrypted);
  g_assert_true (info->has_autocrypt);
  g_assert_true (info->is_chat);
  g_assert_cmpuint (info->attachments->len, ==, 0);
  g_assert_cmpstr (info->text, ==, "");
}

static void
test_to_string (void)
{
  g_autoptr(TernCoiInfo) info = parse (HEAD "Message-ID: <chat$s@y>\r\nChat-Version: 1.0\r\n\r\nline1\r\nline2\r\n", NULL);
  g_autofree char *s = tern_coi_info_to_string (info);

  g_assert_nonnull (strstr (s, "kind: text\n"));
  g_assert_nonnull (strstr (s, "text: line1\\nline2\n"));
  g_assert_nonnull (strstr (s, "message_id: chat$s@y\n"));
  g_assert_cmpstr (tern_coi_kind_to_string (TERN_COI_KIND_GROUP_INFO_REQUEST), ==, "group-info-request");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_mime_init ();

  g_test_add_func ("/coi/parse/names/strip-subject", test_strip_subject);
  g_test_add_func ("/coi/parse/names/sanitize-filename", test_sanitize_filename);
  g_test_add_func ("/coi/parse/names/sanitize-filename-length", test_sanitize_filename_length);
  g_test_add_func ("/coi/parse/names/group-id", test_group_id);
  g_test_add_func ("/coi/parse/microformats/mentions-text", test_mentions_text);
  g_test_add_func ("/coi/parse/microformats/mentions-html", test_mentions_html);
  g_test_add_func ("/coi/parse/microformats/hcard", test_hcard_nested_and_mailto);
  g_test_add_func ("/coi/parse/microformats/hgeo-invalid", test_hgeo_invalid);
  g_test_add_func ("/coi/parse/microformats/never-fetches", test_html_never_fetches);
  g_test_add_func ("/coi/parse/microformats/data-uri", test_data_uri);
  g_test_add_func ("/coi/parse/criteria", test_criteria);
  g_test_add_func ("/coi/parse/chat-content-forms", test_chat_content_forms);
  g_test_add_func ("/coi/parse/empty-edit", test_empty_edit_means_deleted);
  g_test_add_func ("/coi/parse/blocked-and-hashes", test_blocked_and_hashes);
  g_test_add_func ("/coi/parse/rules-problems", test_rules_problems);
  g_test_add_func ("/coi/parse/self-mentions", test_self_mentions);
  g_test_add_func ("/coi/parse/classic-mentions-ignored", test_classic_mentions_ignored);
  g_test_add_func ("/coi/parse/headers-only", test_headers_only);
  g_test_add_func ("/coi/parse/max-size", test_max_size);
  g_test_add_func ("/coi/parse/parse-message", test_parse_message);
  g_test_add_func ("/coi/parse/attachment-outlives-bytes", test_attachment_after_free_of_bytes);
  g_test_add_func ("/coi/parse/bounce", test_bounce);
  g_test_add_func ("/coi/parse/padded-b-words", test_padded_b_words);
  g_test_add_func ("/coi/parse/forwarded-message", test_forwarded_message_part);
  g_test_add_func ("/coi/parse/encrypted", test_encrypted);
  g_test_add_func ("/coi/parse/to-string", test_to_string);

  return g_test_run ();
}
