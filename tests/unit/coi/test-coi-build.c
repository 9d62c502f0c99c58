/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The structure of built messages, checked with GMime directly (no parser):
 * MIME shapes, parameters, Delta Chat headers, encodings, ids, HTML writing
 * and the errors of bad drafts. */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "coi-assert.h"
#include "tern-coi-builder-private.h"
#include "tern-coi-builder.h"
#include "tern-coi-error.h"
#include "tern-coi-hash.h"
#include "tern-coi-html.h"
#include "tern-coi-ids.h"

static const TernCoiMailbox bob[] = { { "Bob Bär", "bob@example.test" } };

static TernCoiDraft
base_draft (void)
{
  TernCoiDraft d = { 0 };

  d.from = (TernCoiMailbox){ "Alice", "alice@example.test" };
  d.to = bob;
  d.n_to = 1;
  d.text = "Hello";
  return d;
}

static GMimeMessage *
wire (GMimeMessage *m, const char *in_reply_to)
{
  g_autoptr (GBytes) bytes = NULL;

  g_assert_nonnull (m);
  coi_assert_header_rules (m, in_reply_to);
  bytes = tern_coi_message_to_bytes (m);
  return coi_assert_wire_rules (bytes, in_reply_to);
}

static const char *
ctype (GMimeObject *obj)
{
  static char       buf[128];
  GMimeContentType *ct = g_mime_object_get_content_type (obj);

  g_snprintf (buf, sizeof buf, "%s/%s", g_mime_content_type_get_media_type (ct),
              g_mime_content_type_get_media_subtype (ct));
  return buf;
}

static const char *
ct_param (GMimeObject *obj, const char *name)
{
  return g_mime_content_type_get_parameter (g_mime_object_get_content_type (obj), name);
}

static char *
part_text (GMimeObject *obj)
{
  GMimeDataWrapper *w = g_mime_part_get_content (GMIME_PART (obj));
  g_autoptr (GMimeStream) mem = g_mime_stream_mem_new ();
  GByteArray *array;

  g_mime_data_wrapper_write_to_stream (w, mem);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
  return g_strndup ((const char *)array->data, array->len);
}

static void
test_text_shape (void)
{
  TernCoiDraft d = base_draft ();
  g_autoptr (GMimeMessage) built = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autofree char *body = NULL;
  GMimeObject     *part;

  d.text = "plain ascii text";
  built = tern_coi_build_text (&d, NULL);
  m = wire (built, NULL);
  part = g_mime_message_get_mime_part (m);
  g_assert_true (GMIME_IS_TEXT_PART (part));
  g_assert_cmpstr (ctype (part), ==, "text/plain");
  g_assert_cmpstr (ct_param (part, "charset"), ==, "UTF-8");
  g_assert_cmpstr (ct_param (part, "format"), ==, "flowed");
  g_assert_null (ct_param (part, "delsp"));
  g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (part)), ==,
                   GMIME_CONTENT_ENCODING_7BIT);
  body = part_text (part);
  g_assert_cmpstr (body, ==, "plain ascii text\r\n");
  /* No receipt requested, no group headers. */
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (m), "Disposition-Notification-To"));
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (m), "Chat-Disposition-Notification-To"));
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (m), "Chat-Group-ID"));
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (m), "References"));
  g_assert_cmpstr (g_mime_message_get_subject (m), ==, "Chat: plain ascii text");
}

static void
test_text_encodings (void)
{
  TernCoiDraft d = base_draft ();
  g_autoptr (GMimeMessage) latin = NULL;
  g_autoptr (GMimeMessage) cjk = NULL;
  g_autoptr (GMimeMessage) m1 = NULL;
  g_autoptr (GMimeMessage) m2 = NULL;
  g_autofree char *t1 = NULL;
  g_autofree char *t2 = NULL;
  const char *cjk_text = "\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xb8\x96\xe7\x95\x8c\xe4\xbd\xa0\xe5\xa5\xbd";

  d.text = "Grüße aus Köln";
  latin = tern_coi_build_text (&d, NULL);
  m1 = wire (latin, NULL);
  g_assert_cmpint (
      g_mime_part_get_content_encoding (GMIME_PART (g_mime_message_get_mime_part (m1))), ==,
      GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
  t1 = part_text (g_mime_message_get_mime_part (m1));
  g_assert_cmpstr (t1, ==, "Grüße aus Köln\r\n");

  d.text = cjk_text;
  cjk = tern_coi_build_text (&d, NULL);
  m2 = wire (cjk, NULL);
  g_assert_cmpint (
      g_mime_part_get_content_encoding (GMIME_PART (g_mime_message_get_mime_part (m2))), ==,
      GMIME_CONTENT_ENCODING_BASE64);
  t2 = part_text (g_mime_message_get_mime_part (m2));
  g_assert_true (g_str_has_prefix (t2, cjk_text));
}

static void
test_headers_encoded (void)
{
  TernCoiDraft d = base_draft ();
  g_autoptr (GMimeMessage) built = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  InternetAddress *to;
  const char      *raw;
  gsize            len;

  d.from.name = "Ålice \"Q\" Ünïcode";
  d.subject = "Ünïcode – subject";
  built = tern_coi_build_text (&d, NULL);
  bytes = tern_coi_message_to_bytes (built);
  raw = g_bytes_get_data (bytes, &len);
  /* Encoded words, no raw 8bit in the header block (checked by wire rules too). */
  g_assert_nonnull (g_strstr_len (raw, len, "=?"));
  m = coi_assert_wire_rules (bytes, NULL);
  g_assert_cmpstr (g_mime_message_get_subject (m), ==, "Ünïcode – subject");
  g_assert_cmpstr (internet_address_get_name (
                       internet_address_list_get_address (g_mime_message_get_from (m), 0)),
                   ==, "Ålice \"Q\" Ünïcode");
  to = internet_address_list_get_address (g_mime_message_get_to (m), 0);
  g_assert_cmpstr (internet_address_get_name (to), ==, "Bob Bär");
}

static void
test_address_names (void)
{
  g_autoptr (GString) long_name = g_string_new (NULL);
  TernCoiMailbox many[40];
  char          *addresses[40];
  TernCoiDraft   d = base_draft ();
  g_autoptr (GMimeMessage) built = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  InternetAddressList *list;

  for (int i = 0; i < 60; i++)
    g_string_append (long_name, "Ünïcödé ");
  g_string_append (long_name, "\xe2\x9c\x8f\xef\xb8\x8f end");
  for (guint i = 0; i < G_N_ELEMENTS (many); i++)
    {
      addresses[i] = g_strdup_printf ("user%u@example.test", i);
      many[i].address = addresses[i];
      switch (i % 5)
        {
        case 0:
          many[i].name = "Doe, John (work) \"JD\"";
          break;
        case 1:
          many[i].name = long_name->str;
          break;
        case 2:
          many[i].name = NULL;
          break;
        case 3:
          many[i].name = "Plain Name";
          break;
        default:
          many[i].name = "Line\r\nBreak";
          break;
        }
    }
  d.to = many;
  d.n_to = G_N_ELEMENTS (many);
  d.from.name = long_name->str;
  d.request_receipt = TRUE;
  built = tern_coi_build_text (&d, NULL);
  m = wire (built, NULL);
  list = g_mime_message_get_to (m);
  g_assert_cmpint (internet_address_list_length (list), ==, G_N_ELEMENTS (many));
  for (guint i = 0; i < G_N_ELEMENTS (many); i++)
    {
      InternetAddress *ia = internet_address_list_get_address (list, i);
      const char      *want = i % 5 == 4 ? "Line  Break" : many[i].name;

      g_assert_cmpstr (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (ia)), ==,
                       many[i].address);
      /* GMime gives "" or NULL for a bare address. */
      if (want == NULL)
        g_assert_true (internet_address_get_name (ia) == NULL
                       || *internet_address_get_name (ia) == '\0');
      else
        g_assert_cmpstr (internet_address_get_name (ia), ==, want);
      g_free (addresses[i]);
    }
  g_assert_cmpstr (internet_address_get_name (
                       internet_address_list_get_address (g_mime_message_get_from (m), 0)),
                   ==, long_name->str);
}

static void
test_header_injection (void)
{
  TernCoiDraft                d = base_draft ();
  static const TernCoiMailbox evil_to[] = { { "Eve\r\nBcc: x@evil.test", "bob@example.test" } };
  TernCoiGroup                group = { .id = "abcdEFGH_-1234", .name = "Crew\nBcc: y@evil.test" };
  g_autoptr (GBytes) data = g_bytes_new_static ("x", 1);
  TernCoiAttachmentDraft att = { .bytes = data, .filename = "a\r\nContent-Type: text/html.txt" };
  g_autoptr (GMimeMessage) b1 = NULL;
  g_autoptr (GMimeMessage) b2 = NULL;
  g_autoptr (GBytes) w1 = NULL;
  g_autoptr (GBytes) w2 = NULL;
  g_autoptr (GMimeMessage) m1 = NULL;
  g_autoptr (GMimeMessage) m2 = NULL;

  d.subject = "Hi\r\nBcc: z@evil.test";
  d.to = evil_to;
  b1 = tern_coi_build_text (&d, NULL);
  w1 = tern_coi_message_to_bytes (b1);
  g_assert_null (g_strstr_len (g_bytes_get_data (w1, NULL), g_bytes_get_size (w1), "\nBcc:"));
  m1 = coi_assert_wire_rules (w1, NULL);
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (m1), "Bcc"));
  g_assert_cmpstr (g_mime_message_get_subject (m1), ==, "Hi  Bcc: z@evil.test");

  d.group = &group;
  d.attachments = &att;
  d.n_attachments = 1;
  d.text = NULL;
  b2 = tern_coi_build_attachments (&d, NULL);
  w2 = tern_coi_message_to_bytes (b2);
  g_assert_null (g_strstr_len (g_bytes_get_data (w2, NULL), g_bytes_get_size (w2), "\nBcc:"));
  g_assert_null (g_strstr_len (g_bytes_get_data (w2, NULL), g_bytes_get_size (w2),
                               "\nContent-Type: text/html"));
  m2 = coi_assert_wire_rules (w2, NULL);
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (m2), "Bcc"));
  g_assert_true (GMIME_IS_PART (g_mime_message_get_mime_part (m2)));
  g_assert_cmpstr (ctype (g_mime_message_get_mime_part (m2)), ==, "text/plain");
}

/* A message is written twice (SMTP, then the Sent folder): the same bytes,
 * files and GBytes read again from the start. */
static void
test_write_twice (void)
{
  TernCoiDraft d = base_draft ();
  g_autoptr (GBytes) data = g_bytes_new_static ("0123456789abcdef", 16);
  g_autoptr (GBytes) preview = g_bytes_new_static ("\xff\xd8\xff\xe0 preview", 12);
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  TernCoiAttachmentDraft atts[2] = { { .bytes = data, .filename = "a.bin", .preview = preview } };
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (GBytes) first = NULL;
  g_autoptr (GBytes) second = NULL;
  int fd = g_file_open_tmp ("tern-coi-twice-XXXXXX.txt", &path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (write (fd, "file contents\n", 14), ==, 14);
  close (fd);
  atts[1].path = path;
  d.attachments = atts;
  d.n_attachments = 2;
  m = tern_coi_build_attachments (&d, &error);
  g_assert_no_error (error);
  first = tern_coi_message_to_bytes (m);
  second = tern_coi_message_to_bytes (m);
  g_assert_true (g_bytes_equal (first, second));
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (first, NULL), g_bytes_get_size (first),
                                  "ZmlsZSBjb250ZW50cwo="));
  g_unlink (path);
}

static long
peak_rss_kb (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

/* A 25 MB file is streamed: the peak RSS of a fresh process writing the
 * message to a file stays far below twice the base64 output. */
static void
test_attachment_streamed (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *dir = g_dir_make_tmp ("tern-coi-build-XXXXXX", NULL);
      g_autofree char *in = g_build_filename (dir, "big.bin", NULL);
      g_autofree char *out = g_build_filename (dir, "big.eml", NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (GMimeMessage) m = NULL;
      g_autoptr (GMimeStream) stream = NULL;
      TernCoiAttachmentDraft att = { 0 };
      TernCoiDraft           d = base_draft ();
      guint8                 chunk[65536];
      GStatBuf               st;
      FILE                  *f = fopen (in, "wb");

      for (guint i = 0; i < sizeof chunk; i++)
        chunk[i] = (guint8)(i * 13 + 7);
      for (int i = 0; i < 25 * 16; i++)
        g_assert_cmpuint (fwrite (chunk, 1, sizeof chunk, f), ==, sizeof chunk);
      fclose (f);

      att.path = in;
      d.attachments = &att;
      d.n_attachments = 1;
      m = tern_coi_build_attachments (&d, &error);
      g_assert_no_error (error);
      stream = g_mime_stream_fs_open (out, O_WRONLY | O_CREAT | O_TRUNC, 0600, &error);
      g_assert_no_error (error);
      g_assert_true (tern_coi_message_write (m, stream, &error));
      g_assert_no_error (error);
      g_clear_object (&stream);
      g_assert_cmpint (g_stat (out, &st), ==, 0);
      g_assert_cmpint (st.st_size, >, 25 * 1024 * 1024 * 4 / 3);
      g_test_message ("output %.1f MB, peak RSS %.1f MB", st.st_size / 1048576.0,
                      peak_rss_kb () / 1024.0);
      g_assert_cmpint (peak_rss_kb () * 1024, <, 2 * st.st_size);
      /* Streaming, not buffering: less than the input itself. */
      g_assert_cmpint (peak_rss_kb () * 1024, <, 25 * 1024 * 1024);
      g_unlink (in);
      g_unlink (out);
      g_rmdir (dir);
      return;
    }
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_receipt_and_references (void)
{
  TernCoiDraft d = base_draft ();
  g_autoptr (GMimeMessage) built = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (GMimeMessage) same = NULL;
  const char *refs;

  d.request_receipt = TRUE;
  d.in_reply_to = "chat$b@example.test";
  d.references_first = "chat$a@example.test";
  built = tern_coi_build_text (&d, NULL);
  m = wire (built, "chat$b@example.test");
  refs = g_mime_object_get_header (GMIME_OBJECT (m), "References");
  g_assert_nonnull (strstr (refs, "<chat$a@example.test>"));
  g_assert_nonnull (strstr (refs, "<chat$b@example.test>"));
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "Chat-Disposition-Notification-To"),
                   ==, "alice@example.test");

  /* First == last: one id only. */
  d.in_reply_to = "chat$a@example.test";
  same = tern_coi_build_text (&d, NULL);
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (same), "References"), ==,
                   "<chat$a@example.test>");
}

static void
test_edit_shape (void)
{
  TernCoiDraft d = base_draft ();
  g_autoptr (GMimeMessage) built = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autofree char *text = NULL;
  GMimeObject     *body;
  GMimeObject     *first;

  built = tern_coi_build_edit (&d, "chat$orig@example.test", "fixed", NULL);
  m = wire (built, "chat$orig@example.test");
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "Chat-Content"), ==, "editrequest");
  /* Delta Chat form: Chat-Edit in the first part of a multipart/mixed only. */
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (m), "Chat-Edit"));
  body = g_mime_message_get_mime_part (m);
  g_assert_cmpstr (ctype (body), ==, "multipart/mixed");
  first = g_mime_multipart_get_part (GMIME_MULTIPART (body), 0);
  g_assert_cmpstr (g_mime_object_get_header (first, "Chat-Edit"), ==, "<chat$orig@example.test>");
  text = part_text (first);
  g_assert_cmpstr (text, ==,
                   "\xe2\x9c\x8f\xef\xb8\x8f"
                   "fixed\r\n");
}

static void
test_delete_shape (void)
{
  TernCoiDraft d = base_draft ();
  g_autoptr (GMimeMessage) built = NULL;
  g_autoptr (GMimeMessage) m = NULL;

  built = tern_coi_build_delete (&d, "chat$orig@example.test", NULL);
  m = wire (built, "chat$orig@example.test");
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "Chat-Content"), ==,
                   "deleterequest");
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "Chat-Delete"), ==,
                   "<chat$orig@example.test>");
  g_assert_true (GMIME_IS_TEXT_PART (g_mime_message_get_mime_part (m)));
}

static void
test_receipt_shape (void)
{
  TernCoiDraft d = base_draft ();
  g_autoptr (GMimeMessage) built = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autofree char *fields = NULL;
  GMimeObject     *body;
  GMimeObject     *mdn;

  d.request_receipt = TRUE; /* never honoured on a receipt */
  built = tern_coi_build_read_receipt (&d, "chat$orig@example.test", NULL, NULL);
  m = wire (built, NULL);
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (m), "Disposition-Notification-To"));
  body = g_mime_message_get_mime_part (m);
  g_assert_cmpstr (ctype (body), ==, "multipart/report");
  g_assert_cmpstr (ct_param (body, "report-type"), ==, "disposition-notification");
  g_assert_cmpint (g_mime_multipart_get_count (GMIME_MULTIPART (body)), ==, 2);
  g_assert_cmpstr (ctype (g_mime_multipart_get_part (GMIME_MULTIPART (body), 0)), ==, "text/plain");
  mdn = g_mime_multipart_get_part (GMIME_MULTIPART (body), 1);
  g_assert_cmpstr (ctype (mdn), ==, "message/disposition-notification");
  fields = part_text (mdn);
  g_assert_nonnull (strstr (fields, "Original-Message-ID: <chat$orig@example.test>\r\n"));
  g_assert_nonnull (strstr (fields, "Disposition: manual-action/MDN-sent-manually; displayed\r\n"));
  g_assert_nonnull (strstr (fields, "Final-Recipient: rfc822;alice@example.test\r\n"));
}

static void
test_attachment_shape (void)
{
  TernCoiDraft d = base_draft ();
  g_autoptr (GBytes) data = g_bytes_new_static ("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", 15);
  TernCoiAttachmentDraft att = { .bytes = data, .filename = "Bericht über Ärger.pdf" };
  g_autoptr (GMimeMessage) built = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autoptr (GBytes) bytes = NULL;
  GMimeObject             *body;
  GMimeObject             *file;
  GMimeContentDisposition *disp;

  d.attachments = &att;
  d.n_attachments = 1;
  built = tern_coi_build_attachments (&d, NULL);
  bytes = tern_coi_message_to_bytes (built);
  /* RFC 2231 for the non-ASCII file name. */
  g_assert_nonnull (
      g_strstr_len (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "filename*"));
  m = coi_assert_wire_rules (bytes, NULL);
  body = g_mime_message_get_mime_part (m);
  g_assert_cmpstr (ctype (body), ==, "multipart/mixed");
  g_assert_cmpint (g_mime_multipart_get_count (GMIME_MULTIPART (body)), ==, 2);
  file = g_mime_multipart_get_part (GMIME_MULTIPART (body), 1);
  g_assert_cmpstr (ctype (file), ==, "application/pdf");
  g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (file)), ==,
                   GMIME_CONTENT_ENCODING_BASE64);
  disp = g_mime_object_get_content_disposition (file);
  g_assert_cmpstr (g_mime_content_disposition_get_disposition (disp), ==, "inline");
  g_assert_cmpstr (g_mime_content_disposition_get_parameter (disp, "filename"), ==,
                   "Bericht über Ärger.pdf");
  g_assert_cmpstr (g_mime_content_disposition_get_parameter (disp, "size"), ==, "15");
}

static void
test_group_shape (void)
{
  TernCoiDraft d = base_draft ();
  TernCoiGroup group = { .id = "abcdEFGH_-1234", .name = "Crew" };
  g_autoptr (GMimeMessage) built = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  g_autofree char *gid = NULL;

  d.group = &group;
  built = tern_coi_build_text (&d, NULL);
  m = wire (built, NULL);
  gid = coi_message_id_group (g_mime_message_get_message_id (m));
  g_assert_cmpstr (gid, ==, group.id);
  g_assert_cmpstr (g_mime_message_get_subject (m), ==, "Crew");
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "Chat-Group-ID"), ==, group.id);
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "Chat-Group-Name"), ==, "Crew");
}

static void
test_group_left_shape (void)
{
  static const TernCoiMailbox rest[]
      = { { NULL, "carol@example.test" }, { NULL, "dave@example.test" } };
  TernCoiDraft d = base_draft ();
  TernCoiGroup group = { .id = "abcdEFGH_-1234", .name = "Crew" };
  g_autoptr (GMimeMessage) built = NULL;
  g_autoptr (GMimeMessage) m = NULL;
  InternetAddressList *reply_to;

  d.group = &group;
  d.to = rest;
  d.n_to = 2;
  built = tern_coi_build_group_left (&d, NULL);
  m = wire (built, NULL);
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "Chat-Content"), ==, "groupleft");
  reply_to = g_mime_message_get_reply_to (m);
  g_assert_cmpint (internet_address_list_length (reply_to), ==, 2);
  g_assert_cmpstr (internet_address_mailbox_get_addr (
                       INTERNET_ADDRESS_MAILBOX (internet_address_list_get_address (reply_to, 1))),
                   ==, "dave@example.test");
}

static void
test_contact_storage_shape (void)
{
  static const char *emails[] = { "John.Doe@COI-dev.org", "john.doe@example.com", NULL };
  TernCoiMailbox     owner = { "Me", "me@example.test" };
  TernCoiCard        card = { .name = "John Doe", .emails = emails };
  g_autoptr (GMimeMessage) built = tern_coi_build_contact_storage (&owner, &card, TRUE, NULL, NULL);
  g_autoptr (GMimeMessage) m = wire (built, NULL);
  GMimeHeaderList *headers = g_mime_object_get_header_list (GMIME_OBJECT (m));
  g_autoptr (GPtrArray) hashes = g_ptr_array_new ();

  for (int i = 0; i < g_mime_header_list_get_count (headers); i++)
    {
      GMimeHeader *h = g_mime_header_list_get_header_at (headers, i);
      if (g_ascii_strcasecmp (g_mime_header_get_name (h), "COI-From-Hash") == 0)
        g_ptr_array_add (hashes, (gpointer)g_mime_header_get_value (h));
    }
  /* The vectors of COI-NOTES.md, from differently cased input. */
  g_assert_cmpuint (hashes->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (hashes, 0), ==,
                   "74b3c446c189580045a942b90b7461128bc334b3b67e9f63c0c06189248c9bb0");
  g_assert_cmpstr (g_ptr_array_index (hashes, 1), ==,
                   "834d1654133366cef4d81e81a7099f413b1b85b9fc9dd62140491303dec56532");
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "COI-Blocked"), ==, "yes");
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (m), "Chat-Content"), ==, "contact");
  g_assert_cmpstr (ctype (g_mime_message_get_mime_part (m)), ==, "text/html");
  g_assert_cmpstr (g_mime_message_get_subject (m), ==, "Contact");
}

static void
test_bad_drafts (void)
{
  TernCoiDraft                d = base_draft ();
  static const TernCoiMailbox bad_to[] = { { NULL, "not an address" } };
  TernCoiGroup                short_group = { .id = "tooShort", .name = "x" };
  TernCoiGroup                no_id = { .name = "x" };
  TernCoiAttachmentDraft      both = { .path = "/etc/hostname", .bytes = NULL };
  TernCoiAttachmentDraft      missing = { .path = "/nonexistent/file.png" };
  GError                     *error = NULL;

  d.from.address = "nobody";
  g_assert_null (tern_coi_build_text (&d, &error));
  g_assert_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID);
  g_clear_error (&error);

  d = base_draft ();
  d.to = bad_to;
  g_assert_null (tern_coi_build_text (&d, &error));
  g_assert_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID);
  g_clear_error (&error);

  d = base_draft ();
  d.in_reply_to = "<chat$x@example.test>";
  g_assert_null (tern_coi_build_text (&d, &error));
  g_assert_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID);
  g_clear_error (&error);

  d = base_draft ();
  d.group = &short_group;
  g_assert_null (tern_coi_build_text (&d, &error));
  g_assert_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID);
  g_clear_error (&error);
  d.group = &no_id;
  g_assert_null (tern_coi_build_text (&d, &error));
  g_assert_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID);
  g_clear_error (&error);

  d = base_draft ();
  g_assert_null (tern_coi_build_attachments (&d, &error));
  g_assert_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID);
  g_clear_error (&error);
  both.bytes = g_bytes_new_static ("x", 1);
  d.attachments = &both;
  d.n_attachments = 1;
  g_assert_null (tern_coi_build_attachments (&d, &error));
  g_assert_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID);
  g_clear_error (&error);
  g_bytes_unref (both.bytes);
  d.attachments = &missing;
  g_assert_null (tern_coi_build_attachments (&d, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  d = base_draft ();
  d.to = NULL;
  d.n_to = 3;
  g_assert_null (tern_coi_build_text (&d, &error));
  g_assert_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID);
  g_clear_error (&error);

  d = base_draft ();
  g_assert_null (tern_coi_build_edit (&d, "no-at-sign", "x", &error));
  g_assert_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (tern_coi_build_group_left (&d, &error));
  g_assert_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (
      tern_coi_build_contact_storage (&d.from, &(TernCoiCard){ .name = "x" }, FALSE, NULL, &error));
  g_assert_error (error, TERN_COI_ERROR, TERN_COI_ERROR_INVALID);
  g_clear_error (&error);
}

static void
test_ids (void)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (int i = 0; i < 1000; i++)
    {
      char            *gid = tern_coi_ids_new_group_id ();
      g_autofree char *mid = tern_coi_ids_new_message_id ("example.test", gid);
      g_autofree char *plain = tern_coi_ids_new_message_id ("example.test", NULL);
      g_autofree char *prefix = g_strdup_printf ("chat$group.%s.", gid);

      g_assert_cmpuint (strlen (gid), ==, TERN_COI_GROUP_ID_LEN);
      g_assert_true (tern_coi_ids_group_id_is_valid (gid));
      g_assert_true (g_str_has_prefix (mid, prefix));
      g_assert_true (g_str_has_suffix (mid, "@example.test"));
      g_assert_true (g_str_has_prefix (plain, "chat$"));
      /* 26 base32 characters of randomness. */
      g_assert_cmpuint (strlen (plain), ==, strlen ("chat$") + 26 + strlen ("@example.test"));
      g_assert_true (g_hash_table_add (seen, gid));
    }
  g_assert_false (tern_coi_ids_group_id_is_valid ("short"));
  g_assert_false (tern_coi_ids_group_id_is_valid ("has.a.dot.in.it"));
  g_assert_false (tern_coi_ids_group_id_is_valid (NULL));
  g_assert_true (tern_coi_ids_group_id_is_valid ("1234abcd4321"));
  {
    g_autofree char *dom = tern_coi_ids_domain_of ("Someone@Example.TEST");
    g_assert_cmpstr (dom, ==, "example.test");
    g_assert_null (tern_coi_ids_domain_of ("nodomain@"));
  }
}

static void
test_html_escaping (void)
{
  g_autoptr (GString) out = g_string_new (NULL);
  static const char *emails[] = { "x@example.test\"><script>", NULL };
  TernCoiCard card = { .name = "<b>Bold</b> & \"quoted\"", .emails = emails, .status = "it's" };
  g_autofree char *esc = tern_coi_html_escape ("<a href='x'>&</a>");

  g_assert_cmpstr (esc, ==, "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
  tern_coi_html_append_hcard (out, &card, FALSE);
  g_assert_null (strstr (out->str, "<b>"));
  g_assert_null (strstr (out->str, "<script>"));
  g_assert_nonnull (strstr (out->str, "&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot;"));
  g_assert_nonnull (strstr (out->str, "it&#39;s"));

  g_string_truncate (out, 0);
  tern_coi_html_append_text (
      out, "a < b\n@\"Full Name\":full@example.test, @Short:s@example.test. @all @x");
  g_assert_cmpstr (out->str, ==,
                   "a &lt; b<br>\n"
                   "<a class=\"mention\" href=\"mailto:full@example.test\">@Full Name</a>, "
                   "<a class=\"mention\" href=\"mailto:s@example.test\">@Short</a>. @all @x");
}

static void
test_hgeo_locale (void)
{
  g_autoptr (GString) out = g_string_new (NULL);

  tern_coi_html_append_hgeo (out, -33.5, 151.25);
  g_assert_nonnull (strstr (out->str, "<span class=\"p-latitude\">-33.500000</span>"));
  g_assert_nonnull (strstr (out->str, "<span class=\"p-longitude\">151.250000</span>"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_mime_init ();

  g_test_add_func ("/coi/build/text-shape", test_text_shape);
  g_test_add_func ("/coi/build/text-encodings", test_text_encodings);
  g_test_add_func ("/coi/build/headers-encoded", test_headers_encoded);
  g_test_add_func ("/coi/build/address-names", test_address_names);
  g_test_add_func ("/coi/build/header-injection", test_header_injection);
  g_test_add_func ("/coi/build/attachment-streamed", test_attachment_streamed);
  g_test_add_func ("/coi/build/write-twice", test_write_twice);
  g_test_add_func ("/coi/build/receipt-and-references", test_receipt_and_references);
  g_test_add_func ("/coi/build/edit-shape", test_edit_shape);
  g_test_add_func ("/coi/build/delete-shape", test_delete_shape);
  g_test_add_func ("/coi/build/receipt-shape", test_receipt_shape);
  g_test_add_func ("/coi/build/attachment-shape", test_attachment_shape);
  g_test_add_func ("/coi/build/group-shape", test_group_shape);
  g_test_add_func ("/coi/build/group-left-shape", test_group_left_shape);
  g_test_add_func ("/coi/build/contact-storage-shape", test_contact_storage_shape);
  g_test_add_func ("/coi/build/bad-drafts", test_bad_drafts);
  g_test_add_func ("/coi/build/ids", test_ids);
  g_test_add_func ("/coi/build/html-escaping", test_html_escaping);
  g_test_add_func ("/coi/build/hgeo", test_hgeo_locale);
  return g_test_run ();
}
