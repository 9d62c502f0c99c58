/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "imap-test-common.h"

/* Transcripts recorded from Dovecot 2.3 (tests/data/imap/record-transcripts.py)
 * plus synthetic.txt (RFC examples and edge forms). UIDVALIDITY and
 * internal dates differ per recording, so those are checked for shape. */

static void
assert_strv (char      **strv,
             const char *joined)
{
  g_autofree char *s = g_strjoinv (" ", strv);
  g_assert_cmpstr (s, ==, joined);
}

static void
test_greeting_capability (void)
{
  g_autoptr(GPtrArray) greet = parse_transcript ("greeting.txt");
  g_autoptr(GPtrArray) cap = parse_transcript ("capability.txt");
  g_autoptr(GPtrArray) login = parse_transcript ("login.txt");
  g_auto(GStrv) c1 = NULL;
  g_auto(GStrv) c2 = NULL;
  g_auto(GStrv) c3 = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (greet->len, ==, 1);
  g_assert_cmpint (tern_imap_response_get_status (greet->pdata[0]), ==, TERN_IMAP_STATUS_OK);
  c1 = tern_imap_capabilities_decode (greet->pdata[0], &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const char *const *) c1, "IMAP4REV1"));
  g_assert_true (g_strv_contains ((const char *const *) c1, "STARTTLS"));
  g_assert_true (g_strv_contains ((const char *const *) c1, "AUTH=PLAIN"));
  g_assert_cmpstr (tern_imap_response_get_text (greet->pdata[0]), ==, "Dovecot (Debian) ready.");

  g_assert_cmpuint (cap->len, ==, 2);
  c2 = tern_imap_capabilities_decode (cap->pdata[0], &error);
  g_assert_no_error (error);
  for (const char *want = "IDLE CONDSTORE QRESYNC UIDPLUS MOVE NAMESPACE SPECIAL-USE LITERAL+ "
                          "ESEARCH METADATA BINARY ENABLE";
       *want;)
    {
      const char *sp = strchr (want, ' ');
      g_autofree char *name = sp ? g_strndup (want, sp - want) : g_strdup (want);
      g_assert_true (g_strv_contains ((const char *const *) c2, name));
      want = sp ? sp + 1 : want + strlen (want);
    }
  g_assert_cmpint (tern_imap_response_get_status (cap->pdata[1]), ==, TERN_IMAP_STATUS_OK);

  g_assert_cmpuint (login->len, ==, 1);
  g_assert_cmpint (tern_imap_response_get_kind (login->pdata[0]), ==, TERN_IMAP_RESPONSE_TAGGED);
  g_assert_cmpint (tern_imap_response_get_code (login->pdata[0]), ==, TERN_IMAP_CODE_CAPABILITY);
  c3 = tern_imap_response_dup_code_capabilities (login->pdata[0]);
  g_assert_true (g_strv_contains ((const char *const *) c3, "METADATA"));
  g_assert_cmpstr (tern_imap_response_get_text (login->pdata[0]), ==, "Logged in");

  /* not a capability response */
  {
    g_autoptr(TernImapResponse) r = parse_one ("* 1 EXISTS\r\n");
    g_auto(GStrv) none = tern_imap_capabilities_decode (r, &error);
    g_assert_null (none);
    g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_PARSE);
  }
}

static void
test_list (void)
{
  g_autoptr(GPtrArray) all = parse_transcript ("list.txt");
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  gboolean seen_sent = FALSE, seen_lsub = FALSE;

  for (guint i = 0; i < all->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TernImapMailbox) mb = NULL;
      TernImapResponse *r = all->pdata[i];

      if (!tern_imap_response_is_data (r, "LIST") && !tern_imap_response_is_data (r, "LSUB"))
        continue;
      mb = tern_imap_mailbox_decode (r, FALSE, &error);
      g_assert_no_error (error);
      g_assert_cmpint (mb->delimiter, ==, '/');
      if (g_strcmp0 (mb->name, "Sent") == 0)
        {
          g_assert_true (mb->flags & TERN_IMAP_MAILBOX_SENT);
          seen_sent = TRUE;
        }
      if (g_strcmp0 (mb->name, "Archive") == 0)
        g_assert_true (mb->flags & TERN_IMAP_MAILBOX_NONEXISTENT);
      if (g_strcmp0 (mb->name, "Drafts") == 0)
        g_assert_cmpint (mb->flags, ==, TERN_IMAP_MAILBOX_DRAFTS);
      if (mb->lsub)
        seen_lsub = TRUE;
      else
        g_ptr_array_add (names, g_strdup (mb->name));
    }
  g_assert_true (seen_sent);
  g_assert_true (seen_lsub);
  {
    static const char *const want[] = { "Entwürfe", "Отправленные", "Tom & Jerry", "INBOX",
                                        "Archive/2026", "Junk", "Trash" };
    for (gsize i = 0; i < G_N_ELEMENTS (want); i++)
      {
        gboolean found = FALSE;
        for (guint j = 0; j < names->len; j++)
          found |= g_strcmp0 (names->pdata[j], want[i]) == 0;
        g_assert_true (found);
      }
  }
}

static void
test_list_synthetic (void)
{
  g_autoptr(GPtrArray) all = parse_transcript ("synthetic.txt");
  g_autoptr(GError) error = NULL;
  g_autoptr(TernImapMailbox) a = tern_imap_mailbox_decode (find_data (all, "LIST", 0), FALSE,
                                                           &error);
  g_autoptr(TernImapMailbox) b = NULL;
  g_autoptr(TernImapMailbox) raw = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (a->delimiter, ==, '\0');
  g_assert_cmpstr (a->name, ==, "台北");
  g_assert_cmpstr (a->raw_name, ==, "&U,BTFw-");
  g_assert_cmpint (a->flags, ==,
                   TERN_IMAP_MAILBOX_HAS_NO_CHILDREN | TERN_IMAP_MAILBOX_ARCHIVE
                     | TERN_IMAP_MAILBOX_NOSELECT | TERN_IMAP_MAILBOX_ALL
                     | TERN_IMAP_MAILBOX_FLAGGED | TERN_IMAP_MAILBOX_TRASH
                     | TERN_IMAP_MAILBOX_JUNK | TERN_IMAP_MAILBOX_DRAFTS
                     | TERN_IMAP_MAILBOX_SENT);
  g_assert_cmpuint (g_strv_length (a->flag_names), ==, 10);
  g_assert_cmpstr (a->flag_names[9], ==, "\\X-Custom");

  b = tern_imap_mailbox_decode (find_data (all, "LIST", 1), FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (b->name, ==, "My Mail");
  g_assert_cmpint (b->delimiter, ==, '.');

  /* UTF8=ACCEPT: the name is taken as is */
  raw = tern_imap_mailbox_decode (find_data (all, "LIST", 0), TRUE, &error);
  g_assert_cmpstr (raw->name, ==, "&U,BTFw-");

  /* wrong response */
  g_assert_null (tern_imap_mailbox_decode (find_data (all, "FLAGS", 0), FALSE, &error));
  g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_PARSE);
}

static void
test_namespace (void)
{
  g_autoptr(GPtrArray) dovecot = parse_transcript ("namespace.txt");
  g_autoptr(GPtrArray) syn = parse_transcript ("synthetic.txt");
  g_autoptr(GError) error = NULL;
  g_autoptr(TernImapNamespace) a = tern_imap_namespace_decode (dovecot->pdata[0], &error);
  g_autoptr(TernImapNamespace) b = NULL;
  TernImapNamespaceEntry *e;

  g_assert_no_error (error);
  g_assert_cmpuint (a->personal->len, ==, 1);
  e = a->personal->pdata[0];
  g_assert_cmpstr (e->prefix, ==, "");
  g_assert_cmpint (e->delimiter, ==, '/');
  g_assert_cmpuint (a->other->len, ==, 0);
  g_assert_cmpuint (a->shared->len, ==, 0);

  b = tern_imap_namespace_decode (find_data (syn, "NAMESPACE", 0), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (b->personal->len, ==, 2);
  e = b->personal->pdata[1];
  g_assert_cmpstr (e->prefix, ==, "#mh/");
  e = b->other->pdata[0];
  g_assert_cmpstr (e->prefix, ==, "~");
  g_assert_cmpuint (b->shared->len, ==, 2);
  e = b->shared->pdata[1];
  g_assert_cmpstr (e->prefix, ==, "#public/");
  g_assert_cmpint (e->delimiter, ==, '\0');
}

static void
test_select (void)
{
  g_autoptr(GPtrArray) all = parse_transcript ("select.txt");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) flags = tern_imap_flags_decode (find_data (all, "FLAGS", 0), &error);
  g_auto(GStrv) perm = NULL;
  guint64 n = 0, uidvalidity = 0, uidnext = 0, modseq = 0;
  TernImapResponse *last = all->pdata[all->len - 1];

  g_assert_no_error (error);
  assert_strv (flags, "\\Answered \\Flagged \\Deleted \\Seen \\Draft $Chat");
  tern_imap_response_get_number (find_data (all, "EXISTS", 0), &n);
  g_assert_cmpuint (n, ==, 3);
  for (guint i = 0; i < all->len; i++)
    {
      TernImapResponse *r = all->pdata[i];
      switch (tern_imap_response_get_code (r))
        {
        case TERN_IMAP_CODE_UIDVALIDITY:
          g_assert_true (tern_imap_response_get_code_number (r, &uidvalidity));
          break;
        case TERN_IMAP_CODE_UIDNEXT:
          g_assert_true (tern_imap_response_get_code_number (r, &uidnext));
          break;
        case TERN_IMAP_CODE_HIGHESTMODSEQ:
          g_assert_true (tern_imap_response_get_code_number (r, &modseq));
          break;
        case TERN_IMAP_CODE_PERMANENTFLAGS:
          perm = tern_imap_response_dup_code_flags (r);
          break;
        default:
          break;
        }
    }
  g_assert_cmpuint (uidvalidity, >, 0);
  g_assert_cmpuint (uidvalidity, <=, G_MAXUINT32);
  g_assert_cmpuint (uidnext, ==, 4);
  g_assert_cmpuint (modseq, >=, 3);
  assert_strv (perm, "\\Answered \\Flagged \\Deleted \\Seen \\Draft $Chat \\*");
  g_assert_cmpint (tern_imap_response_get_code (last), ==, TERN_IMAP_CODE_READ_WRITE);
}

static void
test_fetch_dovecot (void)
{
  g_autoptr(GPtrArray) all = parse_transcript ("fetch.txt");
  g_autoptr(GError) error = NULL;
  g_autoptr(TernImapFetch) f1 = tern_imap_fetch_decode (find_data (all, "FETCH", 0), &error);
  g_autoptr(TernImapFetch) f2 = NULL;
  g_autoptr(TernImapFetch) f3 = NULL;
  TernImapAddress *a;
  TernImapBodyPart *p;
  TernImapBodySection *s;
  g_autofree char *email = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (f1->seq, ==, 1);
  g_assert_cmpuint (f1->uid, ==, 1);
  g_assert_cmpint (f1->present, ==,
                   TERN_IMAP_FETCH_UID | TERN_IMAP_FETCH_FLAGS | TERN_IMAP_FETCH_INTERNALDATE
                     | TERN_IMAP_FETCH_RFC822_SIZE | TERN_IMAP_FETCH_MODSEQ
                     | TERN_IMAP_FETCH_ENVELOPE | TERN_IMAP_FETCH_BODYSTRUCTURE
                     | TERN_IMAP_FETCH_SECTIONS);
  g_assert_true (g_strv_contains ((const char *const *) f1->flags, "\\Seen"));
  g_assert_true (g_strv_contains ((const char *const *) f1->flags, "$Chat"));
  g_assert_nonnull (f1->internaldate);
  /* APPENDed with "02-Nov-2026 10:15:00 +0100" */
  g_assert_cmpint (g_date_time_to_unix (f1->internaldate), ==, 1793610900);
  g_assert_cmpuint (f1->modseq, >, 0);
  g_assert_cmpstr (f1->envelope->subject, ==, "=?utf-8?q?Gr=C3=BC=C3=9Fe_aus_Berlin?=");
  g_assert_cmpstr (f1->envelope->date, ==, "Mon, 02 Nov 2026 10:15:00 +0100");
  g_assert_cmpstr (f1->envelope->message_id, ==, "<alt-1@example.test>");
  g_assert_null (f1->envelope->in_reply_to);
  g_assert_cmpuint (f1->envelope->from->len, ==, 1);
  a = f1->envelope->from->pdata[0];
  g_assert_cmpstr (a->name, ==, "Alice Example");
  email = tern_imap_address_dup_email (a);
  g_assert_cmpstr (email, ==, "alice@example.test");
  g_assert_cmpuint (f1->envelope->to->len, ==, 2);
  a = f1->envelope->to->pdata[1];
  g_assert_null (a->name);
  g_assert_cmpstr (a->mailbox, ==, "carol");
  g_assert_cmpuint (f1->envelope->bcc->len, ==, 0);
  g_assert_true (f1->body_extended);
  g_assert_cmpstr (f1->body->type, ==, "multipart");
  g_assert_cmpstr (f1->body->subtype, ==, "alternative");
  g_assert_cmpstr (tern_imap_body_part_get_param (f1->body, "BOUNDARY"), ==, "b1");
  g_assert_cmpuint (f1->body->children->len, ==, 2);
  p = tern_imap_body_part_find (f1->body, "1");
  g_assert_cmpstr (p->subtype, ==, "plain");
  g_assert_cmpstr (p->encoding, ==, "quoted-printable");
  g_assert_cmpstr (tern_imap_body_part_get_param (p, "charset"), ==, "utf-8");
  g_assert_true (p->has_lines);
  g_assert_cmpuint (p->lines, ==, 1);
  p = tern_imap_body_part_find (f1->body, "2");
  g_assert_cmpstr (p->subtype, ==, "html");
  g_assert_cmpuint (f1->sections->len, ==, 1);
  s = tern_imap_fetch_get_section (f1, "");
  g_assert_nonnull (s);
  g_assert_cmpint (s->origin, ==, -1);
  g_assert_cmpuint (g_bytes_get_size (s->data), ==, f1->rfc822_size);
  g_assert_true (g_str_has_prefix (g_bytes_get_data (s->data, NULL), "From: Alice Example"));

  f2 = tern_imap_fetch_decode (find_data (all, "FETCH", 1), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (f2->envelope->in_reply_to, ==, "<alt-1@example.test>");
  /* To: Friends: alice@example.test, carol@example.test; */
  g_assert_cmpuint (f2->envelope->to->len, ==, 2);
  a = f2->envelope->to->pdata[0];
  g_assert_cmpstr (a->group, ==, "Friends");
  g_assert_cmpstr (a->mailbox, ==, "alice");
  g_assert_cmpstr (f2->body->subtype, ==, "mixed");
  g_assert_cmpuint (f2->body->children->len, ==, 3);
  p = tern_imap_body_part_find (f2->body, "2");
  g_assert_cmpstr (p->type, ==, "image");
  g_assert_cmpstr (p->id, ==, "<dot@example.test>");
  g_assert_cmpstr (p->disposition, ==, "attachment");
  g_assert_cmpstr (tern_imap_body_part_get_disposition_param (p, "filename"), ==, "dot.png");
  p = tern_imap_body_part_find (f2->body, "3");
  g_assert_cmpstr (p->type, ==, "message");
  g_assert_cmpstr (p->envelope->subject, ==, "Inner note");
  g_assert_cmpuint (p->children->len, ==, 1);
  p = tern_imap_body_part_find (f2->body, "3.1");
  g_assert_nonnull (p);
  g_assert_cmpstr (p->subtype, ==, "plain");

  f3 = tern_imap_fetch_decode (find_data (all, "FETCH", 2), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (f3->body->type, ==, "text");
  g_assert_cmpstr (f3->body->part_id, ==, "1");
  g_assert_cmpstr (tern_imap_body_part_get_param (f3->body, "format"), ==, "flowed");
  g_assert_cmpstr (f3->envelope->message_id, ==, "<chat$abc123@coi.test>");
}

static void
test_fetch_sections (void)
{
  g_autoptr(GPtrArray) all = parse_transcript ("fetch-sections.txt");
  g_autoptr(GError) error = NULL;
  g_autoptr(TernImapFetch) f1 = tern_imap_fetch_decode (find_data (all, "FETCH", 0), &error);
  g_autoptr(TernImapFetch) f2 = NULL;
  TernImapBodySection *s;

  g_assert_no_error (error);
  g_assert_false (f1->body_extended);
  g_assert_cmpstr (f1->body->subtype, ==, "alternative");
  g_assert_null (f1->body->params);
  g_assert_cmpuint (f1->sections->len, ==, 3);
  s = tern_imap_fetch_get_section (f1, "HEADER.FIELDS (FROM SUBJECT)");
  g_assert_nonnull (s);
  g_assert_true (g_str_has_prefix (g_bytes_get_data (s->data, NULL), "From: Alice"));
  s = f1->sections->pdata[1];
  g_assert_cmpstr (s->section, ==, "1");
  g_assert_cmpint (s->origin, ==, 0);
  g_assert_false (s->binary);
  g_assert_cmpmem (g_bytes_get_data (s->data, NULL), g_bytes_get_size (s->data), "Hallo Bob,",
                   10);
  s = f1->sections->pdata[2];
  g_assert_true (s->binary);
  g_assert_cmpstr (s->section, ==, "1");
  g_assert_nonnull (strstr (g_bytes_get_data (s->data, NULL), "Grüße"));

  f2 = tern_imap_fetch_decode (find_data (all, "FETCH", 1), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tern_imap_body_part_find (f2->body, "3")->envelope->message_id, ==,
                   "<inner-3@example.test>");
}

static void
test_fetch_synthetic (void)
{
  g_autoptr(GPtrArray) all = parse_transcript ("synthetic.txt");
  g_autoptr(GError) error = NULL;
  g_autoptr(TernImapFetch) f = tern_imap_fetch_decode (find_data (all, "FETCH", 0), &error);
  g_autoptr(TernImapFetch) g = NULL;
  g_autoptr(TernImapFetch) h = NULL;
  g_autoptr(GDateTime) want = NULL;
  TernImapAddress *a;
  TernImapBodyPart *p;
  TernImapBodySection *s;

  g_assert_no_error (error);
  g_assert_cmpuint (f->seq, ==, 7);
  g_assert_cmpuint (f->uid, ==, 42);
  g_assert_nonnull (f->flags);
  g_assert_null (f->flags[0]);
  want = g_date_time_new_utc (1996, 7, 7, 9, 44, 25);
  g_assert_true (g_date_time_equal (f->internaldate, want));
  g_assert_cmpuint (f->modseq, ==, 12345678901ull);
  g_assert_cmpuint (f->rfc822_size, ==, 4286);
  g_assert_cmpstr (f->envelope->subject, ==, "IMAP4rev1 WG mtg");
  /* empty group in From */
  g_assert_cmpuint (f->envelope->from->len, ==, 1);
  a = f->envelope->from->pdata[0];
  g_assert_cmpstr (a->group, ==, "undisclosed-recipients");
  g_assert_null (a->mailbox);
  g_assert_cmpuint (f->envelope->sender->len, ==, 0);
  /* To: Friends: gray, "Mr \"Q\"";, empty: ; */
  g_assert_cmpuint (f->envelope->to->len, ==, 3);
  a = f->envelope->to->pdata[1];
  g_assert_cmpstr (a->name, ==, "Mr \"Q\"");
  g_assert_cmpstr (a->adl, ==, "@relay");
  g_assert_cmpstr (a->group, ==, "Friends");
  a = f->envelope->to->pdata[2];
  g_assert_cmpstr (a->group, ==, "empty");
  g_assert_null (a->mailbox);
  g_assert_null (tern_imap_address_dup_email (a));
  g_assert_null (f->envelope->cc->len ? f->envelope->cc->pdata[0] : NULL);
  s = tern_imap_fetch_get_section (f, "header.fields (subject)");
  g_assert_nonnull (s);
  g_assert_null (s->data);
  g_assert_cmpint (s->origin, ==, 0);
  s = tern_imap_fetch_get_section (f, "TEXT");
  g_assert_cmpuint (g_bytes_get_size (s->data), ==, 0);

  g = tern_imap_fetch_decode (find_data (all, "FETCH", 1), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g->uid, ==, 43);
  g_assert_cmpstr (g->body->part_id, ==, "");
  g_assert_cmpstr (g->body->disposition, ==, "inline");
  p = tern_imap_body_part_find (g->body, "1");
  g_assert_cmpstr (p->type, ==, "text");
  g_assert_cmpstr (p->md5, ==, "Q2hlY2sgSW50ZWdyaXR5IQ==");
  g_assert_cmpuint (p->lines, ==, 23);
  g_assert_cmpstr (p->disposition, ==, "inline");
  g_assert_null (p->disposition_params);
  assert_strv (p->language, "en de");
  g_assert_cmpstr (p->location, ==, "http://x.test/a");
  p = tern_imap_body_part_find (g->body, "2");
  g_assert_cmpstr (p->subtype, ==, "rfc822");
  g_assert_cmpstr (p->description, ==, "forwarded");
  g_assert_cmpuint (p->lines, ==, 73);
  assert_strv (p->language, "fr");
  /* the forwarded message is multipart: its parts are 2.1 and 2.2 */
  p = tern_imap_body_part_find (g->body, "2.2");
  g_assert_nonnull (p);
  g_assert_cmpstr (p->subtype, ==, "pdf");
  g_assert_false (p->has_lines);
  g_assert_cmpstr (p->disposition, ==, "attachment");
  g_assert_cmpstr (tern_imap_body_part_get_disposition_param (p, "filename"), ==, "x.pdf");
  g_assert_null (tern_imap_body_part_find (g->body, "2.3"));

  h = tern_imap_fetch_decode (find_data (all, "FETCH", 2), &error);
  g_assert_no_error (error);
  s = h->sections->pdata[0];
  g_assert_true (s->binary);
  g_assert_cmpstr (s->section, ==, "2");
  g_assert_cmpmem (g_bytes_get_data (s->data, NULL), 4, "\0\1\2\3", 4);
  s = tern_imap_fetch_get_section (h, "HEADER");
  g_assert_cmpmem (g_bytes_get_data (s->data, NULL), 2, "H:", 2);
  s = tern_imap_fetch_get_section (h, "TEXT");
  g_assert_null (s->data);
}

static void
test_fetch_errors (void)
{
  static const char *const bad[] = {
    "* 1 FETCH (UID)\r\n",
    "* 1 FETCH (UID x)\r\n",
    "* 1 FETCH UID 5\r\n",
    "* 1 FETCH (UID 99999999999)\r\n",
    "* 1 FETCH (ENVELOPE (NIL))\r\n",
    "* 1 FETCH (BODYSTRUCTURE ())\r\n",
    "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\"))\r\n",
    "* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)))\r\n",
    "* 1 FETCH (FLAGS \\Seen)\r\n",
    "* 1 FETCH (MODSEQ 5)\r\n",
    "* 1 FETCH (BODY[] (a))\r\n",
    "* 1 FETCH (\"UID\" 4)\r\n",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(TernImapResponse) notfetch = parse_one ("* 1 EXISTS\r\n");

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(TernImapResponse) r = parse_one (bad[i]);
      g_autoptr(TernImapFetch) f = tern_imap_fetch_decode (r, &error);
      g_test_message ("%s", bad[i]);
      g_assert_null (f);
      g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_PARSE);
      g_clear_error (&error);
    }
  g_assert_null (tern_imap_fetch_decode (notfetch, &error));
  g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_PARSE);
  g_clear_error (&error);
  /* unknown items and an unparsable date are tolerated */
  {
    g_autoptr(TernImapResponse) r =
      parse_one ("* 1 FETCH (X-GM-MSGID 123 INTERNALDATE \"yesterday\" SAVEDATE NIL UID 3)\r\n");
    g_autoptr(TernImapFetch) f = tern_imap_fetch_decode (r, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (f->uid, ==, 3);
    g_assert_null (f->internaldate);
    g_assert_true (f->present & TERN_IMAP_FETCH_INTERNALDATE);
  }
}

static void
test_date_time (void)
{
  g_autoptr(GDateTime) a = tern_imap_parse_date_time ("17-Jul-1996 02:44:25 -0700");
  g_autoptr(GDateTime) b = tern_imap_parse_date_time (" 1-jan-2000 00:00:00 +0000");
  static const char *const bad[] = { "", "17-Jul-1996", "17-Foo-1996 02:44:25 -0700",
                                     "17-Jul-1996 02:44:25 0700", "32-Jul-1996 02:44:25 +0000",
                                     "17-Jul-1996 25:44:25 +0000", "17-Jul-1996 02:44:25 +0000x",
                                     "17-Jul-96 02:44:25 +0000" };

  g_assert_cmpint (g_date_time_to_unix (a), ==, 837596665);
  g_assert_cmpint (g_date_time_to_unix (b), ==, 946684800);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      GDateTime *d = tern_imap_parse_date_time (bad[i]);
      g_assert_null (d);
    }
  /* the time zones are shared per offset: each date keeps its own offset */
  for (int round = 0; round < 2; round++)
    {
      static const struct { const char *text; gint64 unix_time; gint64 offset_min; } ok[] = {
        { "17-Jul-1996 02:44:25 -0700", 837596665, -420 },
        { "17-Jul-1996 09:44:25 +0000", 837596665, 0 },
        { "17-Jul-1996 15:14:25 +0530", 837596665, 330 },
        { "18-Jul-1996 09:44:25 +2400", 837596665, 1440 },
        { "16-Jul-1996 09:44:25 -2400", 837596665, -1440 },
      };
      for (gsize i = 0; i < G_N_ELEMENTS (ok); i++)
        {
          g_autoptr(GDateTime) d = tern_imap_parse_date_time (ok[i].text);

          g_assert_nonnull (d);
          g_assert_cmpint (g_date_time_to_unix (d), ==, ok[i].unix_time);
          g_assert_cmpint (g_date_time_get_utc_offset (d) / G_TIME_SPAN_MINUTE, ==,
                           ok[i].offset_min);
        }
    }
  g_assert_null (tern_imap_parse_date_time ("17-Jul-1996 02:44:25 +2401"));
  g_assert_null (tern_imap_parse_date_time ("17-Jul-1996 02:44:25 -2500"));
}

static void
test_search_esearch (void)
{
  g_autoptr(GPtrArray) s = parse_transcript ("search.txt");
  g_autoptr(GPtrArray) es = parse_transcript ("esearch.txt");
  g_autoptr(GPtrArray) syn = parse_transcript ("synthetic.txt");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) a = tern_imap_search_decode (find_data (s, "SEARCH", 0), NULL, &error);
  g_autoptr(GArray) b = NULL;
  g_autoptr(GArray) c = NULL;
  g_autoptr(GArray) d = NULL;
  g_autoptr(TernImapEsearch) e1 = NULL;
  g_autoptr(TernImapEsearch) e2 = NULL;
  g_autoptr(TernImapEsearch) e3 = NULL;
  g_autoptr(TernImapEsearch) e4 = NULL;
  g_autofree char *set = NULL;
  guint64 modseq = 1;

  g_assert_no_error (error);
  g_assert_cmpuint (a->len, ==, 3);
  g_assert_cmpuint (g_array_index (a, guint32, 2), ==, 3);
  b = tern_imap_search_decode (find_data (s, "SEARCH", 1), &modseq, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (b->len, ==, 3);
  g_assert_cmpuint (modseq, >, 0);
  c = tern_imap_search_decode (find_data (s, "SEARCH", 2), &modseq, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (c->len, ==, 0);
  g_assert_cmpuint (modseq, ==, 0);
  d = tern_imap_search_decode (find_data (syn, "SEARCH", 0), &modseq, &error);
  g_assert_cmpuint (d->len, ==, 3);
  g_assert_cmpuint (g_array_index (d, guint32, 2), ==, 882);
  g_assert_cmpuint (modseq, ==, 917162500);

  e1 = tern_imap_esearch_decode (find_data (es, "ESEARCH", 0), &error);
  g_assert_no_error (error);
  g_assert_true (e1->uid);
  g_assert_cmpstr (e1->tag, ==, "a22");
  g_assert_true (e1->has_min && e1->has_max && e1->has_count);
  g_assert_cmpuint (e1->min, ==, 1);
  g_assert_cmpuint (e1->max, ==, 3);
  g_assert_cmpuint (e1->count, ==, 3);
  set = tern_imap_uid_set_to_string (e1->all);
  g_assert_cmpstr (set, ==, "1:3");
  e2 = tern_imap_esearch_decode (find_data (es, "ESEARCH", 1), &error);
  g_assert_no_error (error);
  g_assert_false (e2->uid);
  g_assert_true (e2->has_count);
  g_assert_cmpuint (e2->count, ==, 0);
  g_assert_false (e2->has_min);
  g_assert_null (e2->all);

  e3 = tern_imap_esearch_decode (find_data (syn, "ESEARCH", 0), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (e3->max, ==, 3800);
  g_assert_cmpuint (e3->modseq, ==, 917162500);
  e4 = tern_imap_esearch_decode (find_data (syn, "ESEARCH", 1), &error);
  g_assert_no_error (error);
  g_assert_null (e4->tag);
  g_assert_cmpuint (tern_imap_uid_set_count (e4->all), ==, 4);
  g_assert_true (tern_imap_uid_set_contains (e4->all, 11));
  g_assert_false (tern_imap_uid_set_contains (e4->all, 9));

  {
    g_autoptr(TernImapResponse) r = parse_one ("* SEARCH 1 x\r\n");
    g_autoptr(GArray) none = tern_imap_search_decode (r, NULL, &error);
    g_assert_null (none);
    g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_PARSE);
  }
}

static void
test_metadata (void)
{
  g_autoptr(GPtrArray) all = parse_transcript ("metadata.txt");
  g_autoptr(GPtrArray) syn = parse_transcript ("synthetic.txt");
  g_autoptr(GError) error = NULL;
  g_autoptr(TernImapMetadata) a = tern_imap_metadata_decode (find_data (all, "METADATA", 0), &error);
  g_autoptr(TernImapMetadata) b = NULL;
  g_autoptr(TernImapMetadata) u = NULL;
  g_autoptr(TernImapMetadata) n = NULL;
  GBytes *v;
  TernImapMetadataEntry *e;

  g_assert_no_error (error);
  g_assert_cmpstr (a->mailbox, ==, "");
  g_assert_false (a->unsolicited);
  g_assert_cmpuint (a->entries->len, ==, 2);
  v = tern_imap_metadata_lookup (a, "/private/vendor/vendor.dovecot/coi/config/enabled");
  g_assert_nonnull (v);
  g_assert_cmpmem (g_bytes_get_data (v, NULL), g_bytes_get_size (v), "yes", 3);
  g_assert_null (tern_imap_metadata_lookup (a, "/private/vendor/vendor.dovecot/coi/config/missing"));
  e = a->entries->pdata[1];
  g_assert_null (e->value);

  b = tern_imap_metadata_decode (find_data (all, "METADATA", 1), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (b->mailbox, ==, "INBOX");
  v = tern_imap_metadata_lookup (b, "/private/comment");
  g_assert_cmpmem (g_bytes_get_data (v, NULL), g_bytes_get_size (v), "Inbox comment", 13);

  u = tern_imap_metadata_decode (find_data (syn, "METADATA", 0), &error);
  g_assert_no_error (error);
  g_assert_true (u->unsolicited);
  g_assert_cmpuint (u->entries->len, ==, 2);
  e = u->entries->pdata[1];
  g_assert_cmpstr (e->name, ==, "/private/vendor/x");
  g_assert_null (e->value);

  n = tern_imap_metadata_decode (find_data (syn, "METADATA", 1), &error);
  g_assert_no_error (error);
  g_assert_null (tern_imap_metadata_lookup (n, "/shared/comment"));
  v = tern_imap_metadata_lookup (n, "/private/comment");
  g_assert_nonnull (v);
  g_assert_cmpuint (g_bytes_get_size (v), ==, 0);
}

static void
test_append_copy (void)
{
  g_autoptr(GPtrArray) ap = parse_transcript ("append.txt");
  g_autoptr(GPtrArray) cp = parse_transcript ("copy.txt");
  g_autoptr(GPtrArray) syn = parse_transcript ("synthetic.txt");
  guint32 uv = 0, uv2 = 0;
  g_autoptr(TernImapUidSet) uids = NULL;
  g_autoptr(TernImapUidSet) src = NULL;
  g_autoptr(TernImapUidSet) dst = NULL;
  g_autofree char *s1 = NULL;
  g_autofree char *s2 = NULL;

  g_assert_cmpuint (ap->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_clear_pointer (&uids, tern_imap_uid_set_free);
      g_assert_true (tern_imap_response_get_appenduid (ap->pdata[i], &uv, &uids));
      g_assert_cmpuint (uv, >, 0);
      g_assert_cmpuint (tern_imap_uid_set_get_n_ranges (uids), ==, 1);
      g_assert_cmpuint (tern_imap_uid_set_get_range (uids, 0).first, ==, i + 1);
    }
  g_assert_false (tern_imap_response_get_copyuid (ap->pdata[0], NULL, NULL, NULL));

  g_assert_true (tern_imap_response_get_copyuid (cp->pdata[cp->len - 1], &uv2, &src, &dst));
  g_assert_cmpuint (uv2, >, 0);
  s1 = tern_imap_uid_set_to_string (src);
  g_assert_cmpstr (s1, ==, "1:2");
  g_clear_pointer (&src, tern_imap_uid_set_free);
  g_clear_pointer (&dst, tern_imap_uid_set_free);

  for (guint i = 0; i < syn->len; i++)
    if (tern_imap_response_get_code (syn->pdata[i]) == TERN_IMAP_CODE_COPYUID)
      {
        g_assert_true (tern_imap_response_get_copyuid (syn->pdata[i], &uv, &src, &dst));
        g_assert_cmpuint (uv, ==, 38505);
        s2 = tern_imap_uid_set_to_string (src);
        g_assert_cmpstr (s2, ==, "304,319:320");
        g_assert_cmpuint (tern_imap_uid_set_count (dst), ==, 3);
      }
  g_assert_nonnull (s2);

  {
    g_autoptr(TernImapResponse) bad = parse_one ("A1 OK [APPENDUID x 5] hm\r\n");
    g_autoptr(TernImapResponse) bad2 = parse_one ("A1 OK [COPYUID 5 1:x 3] hm\r\n");
    g_assert_false (tern_imap_response_get_appenduid (bad, &uv, NULL));
    g_assert_false (tern_imap_response_get_copyuid (bad2, &uv, NULL, NULL));
  }
}

static void
test_status_vanished (void)
{
  g_autoptr(GPtrArray) st = parse_transcript ("status.txt");
  g_autoptr(GPtrArray) ex = parse_transcript ("expunge.txt");
  g_autoptr(GPtrArray) qr = parse_transcript ("qresync.txt");
  g_autoptr(GPtrArray) idle = parse_transcript ("idle.txt");
  g_autoptr(GPtrArray) syn = parse_transcript ("synthetic.txt");
  g_autoptr(GError) error = NULL;
  g_autoptr(TernImapMailboxStatus) a = tern_imap_mailbox_status_decode (find_data (st, "STATUS", 0),
                                                                        FALSE, &error);
  g_autoptr(TernImapMailboxStatus) b = NULL;
  g_autoptr(TernImapMailboxStatus) c = NULL;
  g_autoptr(TernImapVanished) v1 = NULL;
  g_autoptr(TernImapVanished) v2 = NULL;
  g_autoptr(TernImapVanished) v3 = NULL;
  g_autoptr(TernImapVanished) v4 = NULL;
  g_autofree char *s = NULL;
  g_autoptr(TernImapFetch) f = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (a->mailbox, ==, "Entwürfe");
  g_assert_cmpstr (a->raw_mailbox, ==, "Entw&APw-rfe");
  g_assert_cmpuint (a->messages, ==, 0);
  g_assert_cmpuint (a->uidnext, ==, 1);
  g_assert_cmpint (a->present, ==,
                   TERN_IMAP_STATUS_ITEM_MESSAGES | TERN_IMAP_STATUS_ITEM_UIDNEXT
                     | TERN_IMAP_STATUS_ITEM_UIDVALIDITY | TERN_IMAP_STATUS_ITEM_UNSEEN
                     | TERN_IMAP_STATUS_ITEM_HIGHESTMODSEQ);
  b = tern_imap_mailbox_status_decode (find_data (st, "STATUS", 1), FALSE, &error);
  g_assert_cmpuint (b->messages, ==, 2);
  g_assert_cmpuint (b->uidnext, ==, 3);
  g_assert_cmpuint (b->highestmodseq, >, 0);
  c = tern_imap_mailbox_status_decode (find_data (syn, "STATUS", 0), FALSE, &error);
  g_assert_cmpstr (c->mailbox, ==, "台北");
  g_assert_cmpuint (c->size, ==, 123456789012ull);
  g_assert_cmpuint (c->deleted, ==, 2);

  v1 = tern_imap_vanished_decode (find_data (ex, "VANISHED", 0), &error);
  g_assert_no_error (error);
  g_assert_false (v1->earlier);
  g_assert_true (tern_imap_uid_set_contains (v1->uids, 2));
  v2 = tern_imap_vanished_decode (find_data (ex, "VANISHED", 1), &error);
  g_assert_true (v2->earlier);
  v3 = tern_imap_vanished_decode (find_data (qr, "VANISHED", 0), &error);
  g_assert_true (v3->earlier);
  g_assert_cmpuint (tern_imap_uid_set_count (v3->uids), ==, 1);
  v4 = tern_imap_vanished_decode (find_data (syn, "VANISHED", 0), &error);
  s = tern_imap_uid_set_to_string (v4->uids);
  g_assert_cmpstr (s, ==, "300:310,405,411");
  g_assert_cmpuint (tern_imap_uid_set_count (v4->uids), ==, 13);

  /* IDLE: + idling, then untagged updates from another session */
  g_assert_cmpint (tern_imap_response_get_kind (idle->pdata[0]), ==,
                   TERN_IMAP_RESPONSE_CONTINUATION);
  g_assert_nonnull (find_data (idle, "EXISTS", 0));
  g_assert_nonnull (find_data (idle, "VANISHED", 0));
  f = tern_imap_fetch_decode (find_data (idle, "FETCH", 0), &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const char *const *) f->flags, "\\Flagged"));
  g_assert_cmpuint (f->uid, ==, 1);

  {
    g_autoptr(GPtrArray) en = parse_transcript ("enable.txt");
    g_auto(GStrv) caps = tern_imap_capabilities_decode (find_data (en, "ENABLED", 0), &error);
    g_auto(GStrv) caps2 = tern_imap_capabilities_decode (find_data (syn, "ENABLED", 0), &error);
    assert_strv (caps, "CONDSTORE QRESYNC");
    assert_strv (caps2, "UTF8=ACCEPT");
  }
  {
    g_autoptr(GPtrArray) lo = parse_transcript ("logout.txt");
    g_assert_cmpint (tern_imap_response_get_status (lo->pdata[0]), ==, TERN_IMAP_STATUS_BYE);
  }
  {
    TernImapResponse *last = syn->pdata[syn->len - 2];
    g_assert_cmpint (tern_imap_response_get_code (last), ==, TERN_IMAP_CODE_UNAVAILABLE);
  }
}

static void
test_uid_set (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TernImapUidSet) s = tern_imap_uid_set_parse ("1:5,7,9:*,12:10", &error);
  g_autoptr(GArray) arr = NULL;
  g_autofree char *str = NULL;
  static const char *const bad[] = { "", "0", "1:", ":1", "1,,2", "1:2:3", "a", "4294967296",
                                     "1 2", "1,", "-1" };
  static const guint32 u1[] = { 1, 2, 3, 5, 7, 8 };
  static const guint32 u2[] = { 4 };
  static const guint32 u3[] = { 1, 1, 2, 2, 10, 4294967294u, 4294967295u };

  g_assert_no_error (error);
  g_assert_cmpuint (tern_imap_uid_set_get_n_ranges (s), ==, 4);
  g_assert_cmpuint (tern_imap_uid_set_get_range (s, 2).last, ==, G_MAXUINT32);
  g_assert_cmpuint (tern_imap_uid_set_get_range (s, 3).first, ==, 10);
  g_assert_cmpuint (tern_imap_uid_set_get_range (s, 3).last, ==, 12);
  str = tern_imap_uid_set_to_string (s);
  g_assert_cmpstr (str, ==, "1:5,7,9:*,10:12");
  g_assert_true (tern_imap_uid_set_contains (s, 4000000000u));
  g_assert_false (tern_imap_uid_set_contains (s, 6));
  arr = tern_imap_uid_set_to_array (s, 100, &error);
  g_assert_null (arr);
  g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_LIMIT);
  g_clear_error (&error);
  {
    g_autoptr(TernImapUidSet) t = tern_imap_uid_set_parse ("3:1,8", &error);
    g_autoptr(GArray) a = tern_imap_uid_set_to_array (t, 100, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (a->len, ==, 4);
    g_assert_cmpuint (g_array_index (a, guint32, 0), ==, 1);
    g_assert_cmpuint (g_array_index (a, guint32, 3), ==, 8);
  }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      TernImapUidSet *x = tern_imap_uid_set_parse (bad[i], &error);
      g_assert_null (x);
      g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_PARSE);
      g_clear_error (&error);
    }
  {
    g_autofree char *f1 = tern_imap_uid_set_format (u1, G_N_ELEMENTS (u1));
    g_autofree char *f2 = tern_imap_uid_set_format (u2, 1);
    g_autofree char *f3 = tern_imap_uid_set_format (u3, G_N_ELEMENTS (u3));
    g_assert_cmpstr (f1, ==, "1:3,5,7:8");
    g_assert_cmpstr (f2, ==, "4");
    g_assert_cmpstr (f3, ==, "1:2,10,4294967294:4294967295");
    g_assert_null (tern_imap_uid_set_format (u1, 0));
  }
  /* format then parse round-trips */
  {
    g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
    g_autofree char *f = NULL;
    g_autoptr(TernImapUidSet) back = NULL;
    g_autoptr(GArray) again = NULL;
    guint32 u = 0;
    for (guint i = 0; i < 500; i++)
      {
        u += 1 + g_test_rand_int_range (0, 3) * (g_test_rand_int_range (0, 4) == 0 ? 7 : 1);
        g_array_append_val (uids, u);
      }
    f = tern_imap_uid_set_format ((const guint32 *) uids->data, uids->len);
    back = tern_imap_uid_set_parse (f, &error);
    g_assert_no_error (error);
    again = tern_imap_uid_set_to_array (back, 10000, &error);
    g_assert_cmpmem (again->data, again->len * 4, uids->data, uids->len * 4);
  }
}

static void
test_quote (void)
{
  static const struct {
    const char     *in;
    gboolean        allow_8bit;
    TernImapQuoting want;
    const char     *out;
  } cases[] = {
    { "INBOX", FALSE, TERN_IMAP_QUOTING_ATOM, "INBOX" },
    { "Archive/2026", FALSE, TERN_IMAP_QUOTING_ATOM, "Archive/2026" },
    { "", FALSE, TERN_IMAP_QUOTING_QUOTED, "\"\"" },
    { "Tom & Jerry", FALSE, TERN_IMAP_QUOTING_QUOTED, "\"Tom & Jerry\"" },
    { "a\"b\\c", FALSE, TERN_IMAP_QUOTING_QUOTED, "\"a\\\"b\\\\c\"" },
    { "50%", FALSE, TERN_IMAP_QUOTING_QUOTED, "\"50%\"" },
    { "x*", FALSE, TERN_IMAP_QUOTING_QUOTED, "\"x*\"" },
    { "a]b", FALSE, TERN_IMAP_QUOTING_QUOTED, "\"a]b\"" },
    { "(x)", FALSE, TERN_IMAP_QUOTING_QUOTED, "\"(x)\"" },
    { "{5}", FALSE, TERN_IMAP_QUOTING_QUOTED, "\"{5}\"" },
    { "NIL", FALSE, TERN_IMAP_QUOTING_QUOTED, "\"NIL\"" },
    { "Entw\xc3\xbcrfe", FALSE, TERN_IMAP_QUOTING_LITERAL, "" },
    { "Entw\xc3\xbcrfe", TRUE, TERN_IMAP_QUOTING_QUOTED, "\"Entw\xc3\xbcrfe\"" },
    { "two\r\nlines", TRUE, TERN_IMAP_QUOTING_LITERAL, "" },
    { "pass word", FALSE, TERN_IMAP_QUOTING_QUOTED, "\"pass word\"" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) out = g_string_new (NULL);
      TernImapQuoting q = tern_imap_quote_astring (out, cases[i].in, -1, cases[i].allow_8bit);
      g_assert_cmpint (q, ==, cases[i].want);
      g_assert_cmpstr (out->str, ==, cases[i].out);
      /* what we quote parses back to the same text */
      if (q != TERN_IMAP_QUOTING_LITERAL)
        {
          g_autofree char *line = g_strdup_printf ("* X %s\r\n", out->str);
          g_autoptr(TernImapResponse) r = parse_one (line);
          const TernImapValue *v = tern_imap_value_get_child (tern_imap_response_get_data (r), 0);
          g_assert_cmpstr (tern_imap_value_get_text (v, NULL), ==, cases[i].in);
        }
    }
  {
    g_autoptr(GString) out = g_string_new (NULL);
    g_assert_cmpint (tern_imap_quote_astring (out, "a\0b", 3, TRUE), ==, TERN_IMAP_QUOTING_LITERAL);
  }
}

static void
test_wrong_kinds (void)
{
  /* every decoder refuses what is not its response, with an error */
  g_autoptr(TernImapResponse) ok = parse_one ("A1 OK done\r\n");
  g_autoptr(TernImapResponse) list = parse_one ("* LIST (\\X) \"/\" (a)\r\n");
  g_autoptr(TernImapResponse) ns = parse_one ("* NAMESPACE ((\"\" \"//\")) NIL NIL\r\n");
  g_autoptr(TernImapResponse) md = parse_one ("* METADATA INBOX (/a)\r\n");
  g_autoptr(TernImapResponse) van = parse_one ("* VANISHED (LATER) 1\r\n");
  g_autoptr(TernImapResponse) st = parse_one ("* STATUS x (MESSAGES y)\r\n");
  g_autoptr(GError) error = NULL;

#define EXPECT_FAIL(expr)                                         \
  G_STMT_START                                                    \
  {                                                               \
    gpointer p_ = (gpointer) (expr);                              \
    g_assert_null (p_);                                           \
    g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_PARSE); \
    g_clear_error (&error);                                       \
  }                                                               \
  G_STMT_END

  EXPECT_FAIL (tern_imap_namespace_decode (ok, &error));
  EXPECT_FAIL (tern_imap_metadata_decode (ok, &error));
  EXPECT_FAIL (tern_imap_esearch_decode (ok, &error));
  EXPECT_FAIL (tern_imap_vanished_decode (ok, &error));
  EXPECT_FAIL (tern_imap_mailbox_status_decode (ok, FALSE, &error));
  EXPECT_FAIL (tern_imap_flags_decode (ok, &error));
  EXPECT_FAIL (tern_imap_search_decode (ok, NULL, &error));
  EXPECT_FAIL (tern_imap_mailbox_decode (list, FALSE, &error));
  EXPECT_FAIL (tern_imap_namespace_decode (ns, &error));
  EXPECT_FAIL (tern_imap_metadata_decode (md, &error));
  EXPECT_FAIL (tern_imap_vanished_decode (van, &error));
  EXPECT_FAIL (tern_imap_mailbox_status_decode (st, FALSE, &error));
#undef EXPECT_FAIL
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/imap/parser/decode/capability", test_greeting_capability);
  g_test_add_func ("/imap/parser/decode/list", test_list);
  g_test_add_func ("/imap/parser/decode/list-synthetic", test_list_synthetic);
  g_test_add_func ("/imap/parser/decode/namespace", test_namespace);
  g_test_add_func ("/imap/parser/decode/select", test_select);
  g_test_add_func ("/imap/parser/decode/fetch", test_fetch_dovecot);
  g_test_add_func ("/imap/parser/decode/fetch-sections", test_fetch_sections);
  g_test_add_func ("/imap/parser/decode/fetch-synthetic", test_fetch_synthetic);
  g_test_add_func ("/imap/parser/decode/fetch-errors", test_fetch_errors);
  g_test_add_func ("/imap/parser/decode/date-time", test_date_time);
  g_test_add_func ("/imap/parser/decode/search", test_search_esearch);
  g_test_add_func ("/imap/parser/decode/metadata", test_metadata);
  g_test_add_func ("/imap/parser/decode/appenduid-copyuid", test_append_copy);
  g_test_add_func ("/imap/parser/decode/status-vanished-idle", test_status_vanished);
  g_test_add_func ("/imap/parser/decode/wrong-kinds", test_wrong_kinds);
  g_test_add_func ("/imap/parser/uid-set", test_uid_set);
  g_test_add_func ("/imap/parser/quote-astring", test_quote);

  return g_test_run ();
}
