/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tern_coi_parse_bytes () reads a plain header block itself and hands only
 * the MIME part to GMime (the fast path); anything else is GMime's full
 * parse. Both must describe every message identically: every field of the
 * TernCoiInfo, and what the GMime objects of its parts hold
 * (tern_coi_info_dump ()). Checked on every fixture in tests/data, the
 * coi-message fuzz corpus, generated variants (encoded words, folding,
 * charsets, transfer encodings, format=flowed, CRLF/LF, missing and
 * duplicate fields, Content-* fields anywhere, multiparts) and seeded
 * random mutations of all of them. */
#include "config.h"

#include <string.h>

#include "tern-coi-parser-private.h"
#include "tern-test-asan.h"

static const char *const own[] = { "me@example.test", "bob@example.test", NULL };

/* Under AddressSanitizer (tools/check unwinds every allocation slowly there:
 * the full test takes minutes) the mutations run one round with one option
 * set and the guard's large inputs are left out (~30 s). */
static const gboolean under_asan = TERN_TEST_UNDER_ASAN;

typedef struct {
  guint inputs;
  guint fast;
} Stats;

static char *
dump_path (GBytes *raw, const TernCoiParseOptions *opts, TernCoiParsePath path, gboolean *fast)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TernCoiInfo) info = tern_coi_parse_bytes_path (raw, opts, path, fast, &error);

  if (info == NULL)
    return g_strdup_printf ("error: %s", error->message);
  return tern_coi_info_dump (info);
}

/* Parses @raw both ways (with a few option sets) and fails on any
 * difference. Returns whether the fast path took it. */
static gboolean
check_same_n (GBytes *raw, const char *label, Stats *stats, guint n_opts)
{
  TernCoiParseOptions opts[3] = { { 0 }, { 0 }, { 0 } };
  gboolean took = FALSE;

  opts[0].self_addresses = own;
  opts[1].headers_only = TRUE;
  opts[2].max_parts = 2;
  opts[2].max_text = 40;
  opts[2].self_addresses = own;
  for (guint i = 0; i < MIN (n_opts, G_N_ELEMENTS (opts)); i++)
    {
      gboolean fast = FALSE;
      g_autofree char *full = dump_path (raw, &opts[i], TERN_COI_PARSE_FULL, NULL);
      g_autofree char *autop = dump_path (raw, &opts[i], TERN_COI_PARSE_AUTO, &fast);

      if (g_strcmp0 (full, autop) != 0)
        {
          gsize len;
          const char *data = g_bytes_get_data (raw, &len);
          g_autofree char *input = g_strescape (g_strndup (data, MIN (len, 4000)), NULL);

          g_error ("%s (options %u): the fast path differs\ninput: %s\n--- full\n%s\n--- fast\n%s",
                   label, i, input, full, autop);
        }
      if (i == 0)
        took = fast;
    }
  stats->inputs++;
  if (took)
    stats->fast++;
  return took;
}

static gboolean
check_same (GBytes *raw, const char *label, Stats *stats)
{
  return check_same_n (raw, label, stats, 3);
}

static void
collect_dir (GPtrArray *out, GPtrArray *names, const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      char *contents;
      gsize len;

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        collect_dir (out, names, child);
      else if (g_file_get_contents (child, &contents, &len, NULL))
        {
          if (len == 0)
            {
              g_free (contents);
              continue;
            }
          g_ptr_array_add (out, g_bytes_new_take (contents, len));
          g_ptr_array_add (names, g_strdup (child));
        }
    }
}

static void
collect_fixtures (GPtrArray *out, GPtrArray *names)
{
  const char *data = g_getenv ("TERN_TEST_DATA");
  const char *root = g_getenv ("TERN_SOURCE_ROOT");
  g_autofree char *corpus = NULL;

  g_assert_nonnull (data);
  g_assert_nonnull (root);
  /* every mail-like fixture: the codec's, the engine's and the CLI's */
  for (const char *const *sub = (const char *const[]) { "coi", "core", "cli", NULL }; *sub; sub++)
    {
      g_autofree char *dir = g_build_filename (data, *sub, NULL);
      collect_dir (out, names, dir);
    }
  corpus = g_build_filename (root, "tests", "fuzz", "corpus", "coi-message", NULL);
  collect_dir (out, names, corpus);
}

/* ---- generated variants ------------------------------------------------- */

static const char *const simple_headers[] = {
  "From: Peer 7 <peer7@example.test>",
  "To: <carol@example.test>",
  "Date: Fri, 27 Nov 2026 10:00:00 +0000",
  "Message-ID: <chat$bench.1234abcd.7@example.test>",
  "Subject: Chat: message 7",
  "Chat-Version: 1.0",
  "MIME-Version: 1.0",
  "Content-Type: text/plain; charset=utf-8",
  NULL,
};

static GBytes *
join (const char *const *headers, const char *body, const char *eol)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; headers[i]; i++)
    {
      g_auto(GStrv) lines = g_strsplit (headers[i], "\n", -1);

      for (guint k = 0; lines[k]; k++)
        g_string_append_printf (s, "%s%s", lines[k], eol);
    }
  g_string_append (s, eol);
  if (body != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (body, "\n", -1);
      for (guint k = 0; lines[k]; k++)
        g_string_append_printf (s, "%s%s", lines[k], lines[k + 1] ? eol : "");
    }
  return g_string_free_to_bytes (s);
}

/* Variants of the simple chat message: each replaces, adds or removes
 * fields ("-Name" removes the field Name). */
typedef struct {
  const char *label;
  const char *const *edits;
  const char *body;
} Variant;

static GBytes *
variant (const Variant *v, const char *eol)
{
  g_autoptr(GPtrArray) h = g_ptr_array_new ();

  for (guint i = 0; simple_headers[i]; i++)
    {
      gboolean drop = FALSE;
      gsize nlen = strchr (simple_headers[i], ':') - simple_headers[i];

      for (guint k = 0; v->edits && v->edits[k]; k++)
        {
          const char *e = v->edits[k];
          if (e[0] == '-' && strlen (e + 1) == nlen
              && g_ascii_strncasecmp (e + 1, simple_headers[i], nlen) == 0)
            drop = TRUE;
          if (e[0] == '=' && g_ascii_strncasecmp (e + 1, simple_headers[i], nlen) == 0
              && e[1 + nlen] == ':')
            drop = TRUE;
        }
      if (!drop)
        g_ptr_array_add (h, (gpointer) simple_headers[i]);
    }
  for (guint k = 0; v->edits && v->edits[k]; k++)
    {
      const char *e = v->edits[k];
      if (e[0] == '=')
        g_ptr_array_add (h, (gpointer) (e + 1));
      else if (e[0] == '^')
        g_ptr_array_insert (h, 0, (gpointer) (e + 1));
      else if (e[0] != '-')
        g_ptr_array_add (h, (gpointer) e);
    }
  g_ptr_array_add (h, NULL);
  return join ((const char *const *) h->pdata, v->body ? v->body
               : "Message 7 of the benchmark, chat 7: a line of ordinary chat text.", eol);
}

#define E(...) ((const char *const[]) { __VA_ARGS__, NULL })

static const Variant variants[] = {
  { "plain", NULL, NULL },
  { "q-subject", E ("=Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?="), NULL },
  { "b-pair-subject", E ("=Subject: =?UTF-8?B?YWI=?= =?UTF-8?B?Y2Q=?="), NULL },
  { "b-from", E ("=From: =?UTF-8?B?w4RsaWNl?= <alice@example.test>"), NULL },
  { "q-from-latin1", E ("=From: =?iso-8859-1?q?J=F6rg?= <j@example.test>"), NULL },
  { "raw-utf8-subject", E ("=Subject: Gr\xc3\xbc\xc3\x9f" "e \xf0\x9f\x99\x82"), NULL },
  { "raw-latin1-subject", E ("=Subject: Gr\xfc\xdf" "e"), NULL },
  { "folded-subject", E ("=Subject: a subject\n that is folded\n\tover three lines"), NULL },
  { "folded-references", E ("References: <chat$a.1@example.test>\n <chat$b.2@example.test>\n  <c@d>"), NULL },
  { "in-reply-to", E ("In-Reply-To: <chat$a.1@example.test> (comment)"), NULL },
  { "folded-content-type", E ("=Content-Type: text/plain;\n charset=\"utf-8\";\n format=flowed; delsp=yes"),
    "a flowed line \nthat goes on \nand ends.\n-- \nsig" },
  { "flowed-no-delsp", E ("=Content-Type: text/plain; charset=utf-8; format=flowed"),
    "one \ntwo\n> quoted \n> more\n\nOn Mon, Bob wrote:\n> old" },
  { "latin1-body", E ("=Content-Type: text/plain; charset=iso-8859-1"), "Gr\xfc\xdf" "e aus K\xf6ln" },
  { "koi8r-body", E ("=Content-Type: text/plain; charset=koi8-r"), "\xf0\xd2\xc9\xd7\xc5\xd4" },
  { "unknown-charset", E ("=Content-Type: text/plain; charset=x-unknown"), "caf\xe9" },
  { "qp-body", E ("Content-Transfer-Encoding: quoted-printable"), "caf=C3=A9 and a soft=\nbreak =3D" },
  { "bad-qp-body", E ("Content-Transfer-Encoding: quoted-printable"), "=ZZ=4" },
  { "base64-body", E ("Content-Transfer-Encoding: base64"), "SGVsbG8gV29ybGQgwqkK\nYWdhaW4=" },
  { "bad-base64-body", E ("Content-Transfer-Encoding: base64"), "SGVsbG8*&^%" },
  { "7bit", E ("Content-Transfer-Encoding: 7bit"), NULL },
  { "no-content-type", E ("-Content-Type"), NULL },
  { "no-mime-version", E ("-MIME-Version"), NULL },
  { "no-date", E ("-Date"), NULL },
  { "bad-date", E ("=Date: yesterday at noon"), NULL },
  { "no-message-id", E ("-Message-ID"), NULL },
  { "bad-message-id", E ("=Message-ID: not an id"), NULL },
  { "no-from", E ("-From"), NULL },
  { "no-subject", E ("-Subject"), NULL },
  { "empty-subject", E ("=Subject:"), NULL },
  { "no-to", E ("-To"), NULL },
  { "two-from", E ("From: Other <other@example.test>"), NULL },
  { "from-list", E ("=From: a@example.test, b@example.test"), NULL },
  { "two-to", E ("To: dave@example.test"), NULL },
  { "semicolon-to", E ("=To: a@example.test; b@example.test"), NULL },
  { "group-to", E ("=To: friends: a@example.test, b@example.test;"), NULL },
  { "cc-reply-to", E ("Cc: Carol <carol@example.test>, dave@example.test", "Reply-To: r@example.test"), NULL },
  { "two-subjects", E ("Subject: second subject"), NULL },
  { "two-dates", E ("Date: Sat, 28 Nov 2026 11:00:00 +0100"), NULL },
  { "two-dates-bad-last", E ("Date: garbage"), NULL },
  { "two-message-ids", E ("Message-ID: <second@example.test>"), NULL },
  { "two-content-types", E ("Content-Type: text/html; charset=utf-8"), "<p>hi</p>" },
  { "content-type-first", E ("-Content-Type", "^Content-Type: text/plain; charset=utf-8"), NULL },
  { "content-split", E ("-Content-Type", "^Content-Type: text/plain; charset=utf-8",
                        "Content-Transfer-Encoding: 8bit"), "caf\xc3\xa9" },
  { "content-disposition-pinned", E ("Content-Disposition: pinned; timeout=Tue, 5 Dec 2019 0:00:00 +0100"), NULL },
  { "content-id", E ("Content-ID: <x@y>"), NULL },
  { "html-only", E ("=Content-Type: text/html; charset=utf-8"), "<html><body><p>Hello <b>you</b></p></body></html>" },
  { "markdown", E ("=Content-Type: text/markdown; charset=utf-8"), "**bold** text" },
  { "attachment", E ("=Content-Type: application/pdf; name=\"a.pdf\"",
                     "Content-Disposition: attachment; filename=\"a.pdf\"; size=5"), "%PDF-" },
  { "image-b64", E ("=Content-Type: image/png", "Content-Transfer-Encoding: base64"), "iVBORw0KGgo=" },
  { "rfc2231", E ("=Content-Type: application/octet-stream",
                  "Content-Disposition: attachment; filename*=utf-8''caf%C3%A9.txt"), "x" },
  { "multipart-dc", E ("=Content-Type: multipart/mixed; boundary=\"XyZ\""),
    "--XyZ\nContent-Type: text/plain; charset=\"utf-8\"; format=flowed; delsp=no\n\n"
    "Hi Bob \xf0\x9f\x99\x82 @all\n--\nSent with my Delta Chat Messenger\n\n--XyZ--\n" },
  { "multipart-alt", E ("=Content-Type: multipart/alternative; boundary=b1"),
    "preamble\n--b1\nContent-Type: text/plain\n\nplain\n--b1\nContent-Type: text/html\n\n<p>html</p>\n--b1--\nepilogue" },
  { "multipart-truncated", E ("=Content-Type: multipart/mixed; boundary=b1"),
    "--b1\nContent-Type: text/plain\n\nplain and no end" },
  { "multipart-no-boundary", E ("=Content-Type: multipart/mixed"), "--b1\n\nx" },
  { "message-rfc822", E ("=Content-Type: message/rfc822"), "From: x@y\nSubject: inner\n\nbody" },
  { "mdn", E ("=Content-Type: multipart/report; report-type=disposition-notification; boundary=R"),
    "--R\nContent-Type: text/plain\n\nread\n--R\nContent-Type: message/disposition-notification\n\n"
    "Original-Message-ID: <chat$a.1@example.test>\nDisposition: manual-action/MDN-sent-manually; displayed\n--R--\n" },
  { "encrypted", E ("=Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=E"),
    "--E\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n--E\nContent-Type: application/octet-stream\n\n-----BEGIN PGP MESSAGE-----\nabc\n-----END PGP MESSAGE-----\n--E--\n" },
  { "pgp-inline", NULL, "-----BEGIN PGP MESSAGE-----\nabc\n-----END PGP MESSAGE-----" },
  { "chat-content-edit", E ("Chat-Content: editrequest", "In-Reply-To: <chat$orig.1@example.test>"), "\xe2\x9c\x8f\xef\xb8\x8f new text" },
  { "chat-content-params", E ("Chat-Content: profile; categories=\"a, b\"; x=1;"), NULL },
  { "dc-headers", E ("Chat-Group-ID: abcd1234", "Chat-Group-Name: =?utf-8?q?Cr=C3=A9w?=",
                     "Chat-Edit: <chat$x.2@example.test>", "Chat-Delete: <y@z>",
                     "Chat-Disposition-Notification-To: Peer 7 <peer7@example.test>",
                     "Chat-User-Avatar: avatar.jpg", "Chat-Group-Member-Added: a@b",
                     "Chat-Group-Member-Removed: c@d"), NULL },
  { "dnt-differs", E ("Disposition-Notification-To: other@example.test"), NULL },
  { "sender-autocrypt", E ("Sender: s@example.test", "Autocrypt: addr=a@b; keydata=AAAA",
                           "Auto-Submitted: auto-replied", "List-Id: The List <list.example.test>"), NULL },
  { "coi-storage", E ("COI-From-Hash: ABCDEF", "COI-From-Hash: 123456 ", "COI-Blocked: yes"), NULL },
  { "mentions", NULL, "Hi @Bob:bob@example.test and @all, also @Me:me@example.test" },
  { "empty-body", NULL, "" },
  { "space-before-colon", E ("X-Odd : value"), NULL },
  { "empty-value", E ("X-Empty:"), NULL },
  { "tab-value", E ("X-Tab:\tvalue\t"), NULL },
  { "colon-in-name-line", E ("X-Weird:: value"), NULL },
  { "8bit-name", E ("X-Caf\xc3\xa9: value"), NULL },
  /* the shapes read without GMime's decoders, and their near misses */
  { "spaces-subject", E ("=Subject:    two  spaces   inside   and after   "), NULL },
  { "tab-subject", E ("=Subject:\tx\ty\t"), NULL },
  { "no-space-subject", E ("=Subject:x"), NULL },
  { "eq-subject", E ("=Subject: a = b ?= c =?"), NULL },
  { "from-bare", E ("=From: peer7@example.test"), NULL },
  { "from-angle", E ("=From: <peer7@example.test>"), NULL },
  { "from-angle-spaces", E ("=From: < peer7@example.test >"), NULL },
  { "from-quoted", E ("=From: \"Dora Delta\" <dora@example.test>"), NULL },
  { "from-quoted-edge-space", E ("=From: \" Dora \" <dora@example.test>"), NULL },
  { "from-quoted-comma", E ("=From: \"Delta, Dora\" <dora@example.test>"), NULL },
  { "from-double-space", E ("=From: Dora  Delta <dora@example.test>"), NULL },
  { "from-no-space", E ("=From: Dora<dora@example.test>"), NULL },
  { "from-dots", E ("=From: A.B. Name <a.b@ex-ample.test>"), NULL },
  { "from-local-dots", E ("=From: a..b@example.test"), NULL },
  { "from-trailing-dot", E ("=From: ab.@example.test"), NULL },
  { "from-plus", E ("=From: Name 2 <a+tag_x@EXAMPLE.Test>"), NULL },
  { "from-idn", E ("=From: Name <a@xn--caf-dma.example>"), NULL },
  { "from-no-domain", E ("=From: Name <a@>"), NULL },
  { "from-at-only", E ("=From: <@example.test>"), NULL },
  { "from-two-at", E ("=From: <a@b@c>"), NULL },
  { "from-comment", E ("=From: a@example.test (Alice)"), NULL },
  { "from-empty", E ("=From:"), NULL },
  { "from-folded", E ("=From: Peer 7\n <peer7@example.test>"), NULL },
  { "from-digits-name", E ("=From: 42 <a@b.c>"), NULL },
  { "to-trailing-space", E ("=To: <carol@example.test>   "), NULL },
  { "two-to-simple", E ("To: Dave <dave@example.test>"), NULL },
  { "two-to-mixed", E ("To: dave@example.test, erin@example.test"), NULL },
  { "reply-to-simple", E ("Reply-To: Reply Here <r@example.test>"), NULL },
  { "long-folded-to", E ("=To: a@example.test,\n b@example.test,\n \"C, D\" <cd@example.test>,\n =?utf-8?q?=C3=89?= <e@example.test>"), NULL },
};

static void
add_raw_cases (GPtrArray *out)
{
  static const char *const raw[] = {
    "From x@y Fri Nov 27 10:00:00 2026\r\nFrom: a@b\r\n\r\nbody",
    ">From x@y\r\nFrom: a@b\r\n\r\nbody",
    "From: a@b\r\nSubject: no empty line and no end",
    "From: a@b\r\nSubject: ends at the header\r\n",
    "From: a@b\r\n",
    " leading continuation\r\nFrom: a@b\r\n\r\nx",
    "From: a@b\r\nSubject: x\ry\r\n\r\nlone CR",
    "From: a@b\r\nSubj\x00" "ect: nul\r\n\r\nx",
    "From: a@b\r\nnot a header line\r\nSubject: s\r\n\r\nx",
    "From: a@b\r\n\r\n",
    "\r\nbody only",
    "\nbody only",
    "From: a@b\n\n--x\n--y\n",
    ":empty name\r\n\r\nx",
    "From: a@b\r\n \r\n\r\nblank continuation",
    "From: a@b\r\nSubject: s\r\n\t\r\nTo: c@d\r\n\r\nx",
    "Content-Type: text/plain\r\n\r\nonly content fields",
    "Content-Type: multipart/mixed; boundary=q\r\nFrom: a@b\r\nContent-Transfer-Encoding: 7bit\r\n\r\n--q\r\n\r\nx\r\n--q--\r\n",
    "From: a@b\r\nContent-Type: text/plain\r\n\r\n",
    "junk without any colon",
    "\x00\x01\x02",
    "From: a@b\r\n\r\n-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA256\r\n\r\nx\r\n-----BEGIN PGP SIGNATURE-----\r\nabc\r\n-----END PGP SIGNATURE-----\r\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (raw); i++)
    g_ptr_array_add (out, g_bytes_new_static (raw[i], strlen (raw[i]) + (raw[i][0] == '\0' ? 3 : 0)));
  /* with a NUL kept */
  g_ptr_array_add (out, g_bytes_new_static ("From: a@b\r\nSubj\0ect: nul\r\n\r\nx", 29));
}

/* ---- tests --------------------------------------------------------------- */

static void
test_fixtures (void)
{
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  Stats stats = { 0 };

  collect_fixtures (inputs, names);
  g_assert_cmpuint (inputs->len, >=, 60);
  for (guint i = 0; i < inputs->len; i++)
    check_same (inputs->pdata[i], names->pdata[i], &stats);
  g_test_message ("%u fixtures, %u on the fast path", stats.inputs, stats.fast);
  /* most fixtures have a plain header block */
  g_assert_cmpuint (stats.fast, >=, stats.inputs / 2);
}

static void
test_variants (void)
{
  Stats stats = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    for (guint e = 0; e < 2; e++)
      {
        g_autoptr(GBytes) raw = variant (&variants[i], e ? "\n" : "\r\n");
        g_autofree char *label = g_strdup_printf ("variant %s (%s)", variants[i].label,
                                                  e ? "LF" : "CRLF");
        gboolean fast = check_same (raw, label, &stats);

        /* a header block of fields only is always the fast path's */
        if (strcmp (variants[i].label, "space-before-colon") != 0
            && strcmp (variants[i].label, "8bit-name") != 0)
          {
            if (!fast)
              g_error ("%s: not on the fast path", label);
          }
        else
          g_assert_false (fast);
      }
  g_test_message ("%u variants, %u on the fast path", stats.inputs, stats.fast);
}

/* Inputs the guard cuts (the full parse then): more boundary-like lines
 * than it lets through, a 70 KiB header line, a header block over 1 MiB;
 * and the same just inside the limits. */
static void
add_guard_cases (GPtrArray *out)
{
  GString *s = g_string_new ("From: <peer@example.test>\r\nMessage-ID: <m@x>\r\n"
                             "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n");

  for (guint i = 0; i < 1100; i++)
    {
      g_string_append_printf (s, "--b\r\nContent-Type: text/plain\r\n\r\npart %u\r\n", i);
      if (i == 1022)
        g_ptr_array_add (out, g_bytes_new (s->str, s->len));
    }
  g_string_append (s, "--b--\r\n");
  g_ptr_array_add (out, g_bytes_new (s->str, s->len));

  g_string_assign (s, "From: <peer@example.test>\r\nSubject: ");
  for (guint i = 0; i < 70 * 1024; i++)
    g_string_append_c (s, 'a' + i % 26);
  g_string_append (s, "\r\nMessage-ID: <long@x>\r\n\r\nbody\r\n");
  g_ptr_array_add (out, g_bytes_new (s->str, s->len));

  g_string_assign (s, "From: <peer@example.test>\r\nX-Big: start\r\n");
  while (s->len < 1100 * 1024)
    g_string_append (s, " a folded line of a very large header field\r\n");
  g_string_append (s, "Message-ID: <huge@x>\r\n\r\nbody\r\n");
  g_ptr_array_add (out, g_bytes_new (s->str, s->len));

  g_string_assign (s, "From: <peer@example.test>\r\nX-Big: start\r\n");
  while (s->len < 900 * 1024)
    g_string_append (s, " a folded line of a large header field\r\n");
  g_string_append (s, "Message-ID: <large@x>\r\n\r\nbody\r\n");
  g_ptr_array_add (out, g_bytes_new (s->str, s->len));

  /* Content-* fields apart and a body over 1 MiB: the fast path would copy
   * them, so it leaves the message to the full parse */
  g_string_assign (s, "Content-Type: text/plain; charset=utf-8\r\nFrom: <peer@example.test>\r\n"
                      "Content-Transfer-Encoding: 8bit\r\nMessage-ID: <body@x>\r\n\r\n");
  while (s->len < 1100 * 1024)
    g_string_append (s, "a line of a long text body\r\n");
  g_ptr_array_add (out, g_bytes_new (s->str, s->len));
  g_string_free (s, TRUE);
}

static void
test_raw_cases (void)
{
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  Stats stats = { 0 };

  add_raw_cases (inputs);
  /* minutes under ASan; test-coi-hostile runs such inputs there */
  if (!under_asan)
    add_guard_cases (inputs);
  for (guint i = 0; i < inputs->len; i++)
    {
      g_autofree char *label = g_strdup_printf ("raw case %u", i);
      check_same (inputs->pdata[i], label, &stats);
    }
  g_test_message ("%u raw cases, %u on the fast path", stats.inputs, stats.fast);
}

/* Seeded mutations of every input above: bytes flipped, inserted or
 * removed, with a bias to the characters that matter in a header block. */
static GBytes *
mutate (GBytes *in, GRand *rand)
{
  static const char *const tokens[] = {
    ":", " ", "\t", "\r\n", "\n", "\r", "\r\n ", "=?utf-8?q?=C3=A9?=", "=?utf-8?b?w6k=?=",
    "Content-", "From: x@y\r\n", "\r\n\r\n", "--", "<", ">", ",", ";", "\"", "\0", "\xc3",
    "Content-Type: multipart/mixed; boundary=b\r\n", "\r\n--b\r\n", "Date: ", "(",
  };
  gsize len;
  const char *data = g_bytes_get_data (in, &len);
  GByteArray *out = g_byte_array_new ();
  guint n = g_rand_int_range (rand, 1, 4);

  g_byte_array_append (out, (const guint8 *) data, len);
  for (guint k = 0; k < n; k++)
    {
      guint at = out->len ? g_rand_int_range (rand, 0, out->len + 1) : 0;
      /* mostly in the header block */
      if (g_rand_boolean (rand) && at > 300)
        at = g_rand_int_range (rand, 0, MIN (out->len, 300) + 1);
      switch (g_rand_int_range (rand, 0, 3))
        {
        case 0:
          {
            const char *t = tokens[g_rand_int_range (rand, 0, G_N_ELEMENTS (tokens))];
            gsize tl = t[0] == '\0' ? 1 : strlen (t);
            guint old = out->len;

            g_byte_array_set_size (out, old + tl);
            memmove (out->data + at + tl, out->data + at, old - at);
            memcpy (out->data + at, t, tl);
          }
          break;
        case 1:
          if (at < out->len)
            {
              guint cut = g_rand_int_range (rand, 1, 8);
              g_byte_array_remove_range (out, at, MIN (cut, out->len - at));
            }
          break;
        default:
          if (at < out->len)
            out->data[at] = (guint8) g_rand_int_range (rand, 0, 256);
          break;
        }
    }
  if (out->len == 0)
    g_byte_array_append (out, (const guint8 *) "x", 1);
  return g_byte_array_free_to_bytes (out);
}

static void
test_mutations (void)
{
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GRand *rand = g_rand_new_with_seed (20261128);
  Stats stats = { 0 };
  guint rounds = under_asan ? 1 : g_test_slow () ? 40 : 6;
  guint n_opts = under_asan ? 1 : 3;

  collect_fixtures (inputs, names);
  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    g_ptr_array_add (inputs, variant (&variants[i], i % 2 ? "\n" : "\r\n"));
  add_raw_cases (inputs);
  for (guint r = 0; r < rounds; r++)
    for (guint i = 0; i < inputs->len; i++)
      {
        g_autoptr(GBytes) m = mutate (inputs->pdata[i], rand);
        g_autofree char *label = g_strdup_printf ("mutation %u of input %u", r, i);
        check_same_n (m, label, &stats, n_opts);
      }
  g_rand_free (rand);
  g_test_message ("%u mutations, %u on the fast path", stats.inputs, stats.fast);
  g_assert_cmpuint (stats.fast, >, 0);
}

/* The message bench-core-sync appends: the fast path's main customer. */
static void
test_bench_message (void)
{
  static const char msg[] =
    "From: Peer 7 <peer7@example.test>\r\nTo: <carol@example.test>\r\n"
    "Date: Fri, 27 Nov 2026 10:00:00 +0000\r\nMessage-ID: <chat$bench.1234abcd.7@example.test>\r\n"
    "Subject: Chat: message 7\r\nChat-Version: 1.0\r\nMIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    "Message 7 of the benchmark, chat 7: a line of ordinary chat text.\r\n";
  g_autoptr(GBytes) raw = g_bytes_new_static (msg, sizeof msg - 1);
  g_autoptr(TernCoiInfo) info = NULL;
  gboolean fast = FALSE;
  Stats stats = { 0 };

  g_assert_true (check_same (raw, "bench message", &stats));
  info = tern_coi_parse_bytes_path (raw, NULL, TERN_COI_PARSE_AUTO, &fast, NULL);
  g_assert_true (fast);
  g_assert_true (info->is_chat);
  g_assert_cmpint (info->kind, ==, TERN_COI_KIND_TEXT);
  g_assert_cmpstr (info->message_id, ==, "chat$bench.1234abcd.7@example.test");
  g_assert_cmpstr (info->from->address, ==, "peer7@example.test");
  g_assert_cmpstr (info->from->name, ==, "Peer 7");
  g_assert_cmpstr (info->subject, ==, "Chat: message 7");
  g_assert_cmpstr (info->text, ==, "Message 7 of the benchmark, chat 7: a line of ordinary chat text.");
  g_assert_nonnull (info->date);
  g_assert_cmpuint (info->parts->len, ==, 1);
  g_assert_true (GMIME_IS_TEXT_PART (((TernCoiPart *) info->parts->pdata[0])->object));
}

/* Parses on two threads at once: each has its own parser. */
static gpointer
parse_many (gpointer data)
{
  GPtrArray *inputs = data;

  for (guint r = 0; r < 3; r++)
    for (guint i = 0; i < inputs->len; i++)
      {
        g_autofree char *a = dump_path (inputs->pdata[i], NULL, TERN_COI_PARSE_AUTO, NULL);
        g_autofree char *b = dump_path (inputs->pdata[i], NULL, TERN_COI_PARSE_FULL, NULL);
        if (strcmp (a, b) != 0)
          return GINT_TO_POINTER (1);
      }
  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GThread *a, *b;

  collect_fixtures (inputs, names);
  a = g_thread_new ("parse-a", parse_many, inputs);
  b = g_thread_new ("parse-b", parse_many, inputs);
  g_assert_null (g_thread_join (a));
  g_assert_null (g_thread_join (b));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_mime_init ();
  g_test_add_func ("/coi/fastpath/bench-message", test_bench_message);
  g_test_add_func ("/coi/fastpath/fixtures", test_fixtures);
  g_test_add_func ("/coi/fastpath/variants", test_variants);
  g_test_add_func ("/coi/fastpath/raw-cases", test_raw_cases);
  g_test_add_func ("/coi/fastpath/mutations", test_mutations);
  g_test_add_func ("/coi/fastpath/threads", test_threads);
  return g_test_run ();
}
