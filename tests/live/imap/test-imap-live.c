/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-test"

#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "tern-imap-client.h"
#include "tern-net-error.h"

/* Live tests of TernImapClient against the Dovecot of the test stack
 * (tests/stack/with-stack). Plain flavour (example.test) for the commands;
 * COI flavour (coi.test) for its capability and the Sieve filing of chat
 * messages into COI/Chats with $Chat. Every test works in mailboxes of its
 * own (random names) so tests running in parallel do not disturb it. */

/* ------------------------------------------------------------------------
 * Environment and helpers
 * ------------------------------------------------------------------------ */

static const char *
env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || *value == '\0')
    g_error ("%s is not set: run the live tests inside tests/stack/with-stack", name);
  return value;
}

static guint16
env_port (const char *name)
{
  return (guint16) g_ascii_strtoull (env (name), NULL, 10);
}

static char *
user_address (const char *user,
              gboolean    coi)
{
  return g_strdup_printf ("%s@%s", user, env (coi ? "TERN_TEST_COI_DOMAIN" : "TERN_TEST_DOMAIN"));
}

static char *
unique_name (const char *prefix)
{
  return g_strdup_printf ("%s-%08x%04x", prefix, g_random_int (), (guint) getpid () & 0xffff);
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (*slot == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return *slot;
}

/* Each `CALL (finish, start...)` runs one async call and returns its result. */
#define RESULT_BEGIN \
  G_STMT_START { g_autoptr(GAsyncResult) _r = NULL;
#define RESULT_END \
  } G_STMT_END

static TernImapClient *
new_client (TernNetSecurity security,
            gboolean        coi,
            gboolean        pinned)
{
  guint16 port;

  if (security == TERN_NET_SECURITY_TLS)
    port = env_port (coi ? "TERN_TEST_COI_IMAPS_PORT" : "TERN_TEST_IMAPS_PORT");
  else
    port = env_port (coi ? "TERN_TEST_COI_IMAP_PORT" : "TERN_TEST_IMAP_PORT");
  return tern_imap_client_new (env ("TERN_TEST_HOST"), port, security,
                               pinned ? env ("TERN_TEST_CERT_SHA256") : NULL);
}

static gboolean
do_connect (TernImapClient  *client,
            GError         **error)
{
  g_autoptr(GAsyncResult) r = NULL;

  tern_imap_client_connect_async (client, NULL, got_result, &r);
  return tern_imap_client_connect_finish (client, wait_result (&r), error);
}

static gboolean
do_login (TernImapClient  *client,
          const char      *user,
          const char      *password,
          GError         **error)
{
  g_autoptr(GAsyncResult) r = NULL;

  tern_imap_client_login_async (client, user, password, NULL, got_result, &r);
  return tern_imap_client_login_finish (client, wait_result (&r), error);
}

/* A logged-in client of @user (plain flavour unless @coi), STARTTLS with the
 * pinned certificate. */
static TernImapClient *
logged_in_client (const char           *user,
                  gboolean              coi,
                  TernImapClientQuirks  quirks)
{
  TernImapClient *client = new_client (TERN_NET_SECURITY_STARTTLS, coi, TRUE);
  g_autofree char *address = user_address (user, coi);
  g_autoptr(GError) error = NULL;

  tern_imap_client_set_quirks (client, quirks);
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (do_login (client, address, env ("TERN_TEST_PASSWORD"), &error));
  g_assert_no_error (error);
  g_assert_cmpint (tern_imap_client_get_state (client), ==, TERN_IMAP_CLIENT_STATE_AUTHENTICATED);
  return client;
}

static void
do_logout_and_free (TernImapClient *client)
{
  g_autoptr(GAsyncResult) r = NULL;
  g_autoptr(GError) error = NULL;

  tern_imap_client_logout_async (client, NULL, got_result, &r);
  g_assert_true (tern_imap_client_logout_finish (client, wait_result (&r), &error));
  g_assert_no_error (error);
  g_assert_cmpint (tern_imap_client_get_state (client), ==, TERN_IMAP_CLIENT_STATE_DISCONNECTED);
  g_clear_object (&r);
  /* Let cancelled reads settle, then the client must really go. */
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_finalize_object (client);
}

static void
do_create (TernImapClient *client,
           const char     *mailbox)
{
  g_autoptr(GAsyncResult) r = NULL;
  g_autoptr(GError) error = NULL;

  tern_imap_client_create_async (client, mailbox, NULL, got_result, &r);
  g_assert_true (tern_imap_client_create_finish (client, wait_result (&r), &error));
  g_assert_no_error (error);
}

static void
do_select (TernImapClient        *client,
           const char            *mailbox,
           gboolean               read_only,
           const TernImapQresync *qresync)
{
  g_autoptr(GAsyncResult) r = NULL;
  g_autoptr(GError) error = NULL;

  tern_imap_client_select_async (client, mailbox, read_only, TRUE, qresync, NULL, got_result, &r);
  g_assert_true (tern_imap_client_select_finish (client, wait_result (&r), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (tern_imap_client_get_selected_mailbox (client), ==, mailbox);
}

static TernImapAppendResult
do_append (TernImapClient    *client,
           const char        *mailbox,
           const char *const *flags,
           GDateTime         *date,
           GBytes            *message)
{
  g_autoptr(GAsyncResult) r = NULL;
  g_autoptr(GError) error = NULL;
  TernImapAppendResult appended = { 0 };

  tern_imap_client_append_async (client, mailbox, flags, date, message, NULL, got_result, &r);
  g_assert_true (tern_imap_client_append_finish (client, wait_result (&r), &appended, &error));
  g_assert_no_error (error);
  return appended;
}

typedef struct {
  guint      n_batches;
  guint      max_batch;
  gsize      max_batch_bytes;
  GPtrArray *fetches;  /* kept when non-NULL */
  guint      total;
} Collected;

static void
collect_batch (TernImapClient *client,
               GPtrArray      *fetches,
               gpointer        user_data)
{
  Collected *collected = user_data;
  gsize bytes = 0;

  collected->n_batches++;
  collected->total += fetches->len;
  collected->max_batch = MAX (collected->max_batch, fetches->len);
  for (guint i = 0; i < fetches->len; i++)
    {
      TernImapFetch *fetch = g_ptr_array_index (fetches, i);
      for (guint j = 0; j < fetch->sections->len; j++)
        {
          TernImapBodySection *section = g_ptr_array_index (fetch->sections, j);
          if (section->data != NULL)
            bytes += g_bytes_get_size (section->data);
        }
      if (collected->fetches != NULL)
        g_ptr_array_add (collected->fetches, g_steal_pointer (&fetches->pdata[i]));
    }
  collected->max_batch_bytes = MAX (collected->max_batch_bytes, bytes);
}

/* Fetches @uid_set and returns the messages (TernImapFetch*). */
static GPtrArray *
do_fetch (TernImapClient             *client,
          const char                 *uid_set,
          TernImapFetchWant           want,
          const TernImapFetchOptions *options)
{
  g_autoptr(GAsyncResult) r = NULL;
  g_autoptr(GError) error = NULL;
  Collected collected = { 0 };
  guint n = 0;

  collected.fetches = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_imap_fetch_free);
  tern_imap_client_uid_fetch_async (client, uid_set, want, options, collect_batch, &collected, NULL,
                                    got_result, &r);
  g_assert_true (tern_imap_client_uid_fetch_finish (client, wait_result (&r), &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, collected.fetches->len);
  return collected.fetches;
}

static GArray *
do_search (TernImapClient      *client,
           TernImapSearchQuery *query)
{
  g_autoptr(GAsyncResult) r = NULL;
  g_autoptr(GError) error = NULL;
  GArray *uids;

  tern_imap_client_uid_search_async (client, query, NULL, got_result, &r);
  uids = tern_imap_client_uid_search_finish (client, wait_result (&r), &error);
  g_assert_no_error (error);
  g_assert_nonnull (uids);
  return uids;
}

static GBytes *
make_message (const char *subject,
              const char *message_id,
              const char *extra_headers,
              gsize       body_size)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s,
                          "From: Alice <alice@example.test>\r\n"
                          "To: Bob <bob@example.test>\r\n"
                          "Subject: %s\r\n"
                          "Message-ID: <%s>\r\n"
                          "Date: Tue, 05 Mar 2024 14:07:09 +0100\r\n"
                          "%s"
                          "MIME-Version: 1.0\r\n"
                          "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
                          "\r\n"
                          "--b1\r\n"
                          "Content-Type: text/plain; charset=utf-8\r\n"
                          "\r\n"
                          "Hello from the live test. Grüße!\r\n",
                          subject, message_id, extra_headers ? extra_headers : "");
  while (s->len < body_size)
    g_string_append (s, "The quick brown fox jumps over the lazy dog 0123456789.\r\n");
  g_string_append (s, "--b1\r\n"
                      "Content-Type: application/octet-stream; name=\"a.bin\"\r\n"
                      "Content-Disposition: attachment; filename=\"a.bin\"\r\n"
                      "Content-Transfer-Encoding: base64\r\n"
                      "\r\n"
                      "AAECAwQFBgcICQ==\r\n"
                      "--b1--\r\n");
  return g_string_free_to_bytes (s);
}

/* ------------------------------------------------------------------------
 * Connection and authentication
 * ------------------------------------------------------------------------ */

static void
test_tls_untrusted_then_pinned (void)
{
  TernImapClient *client = new_client (TERN_NET_SECURITY_TLS, FALSE, FALSE);
  TernImapClient *pinned = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = user_address ("alice", FALSE);

  g_assert_false (do_connect (client, &error));
  g_assert_error (error, TERN_NET_ERROR, TERN_NET_ERROR_CERTIFICATE_UNTRUSTED);
  g_assert_cmpstr (tern_net_error_get_fingerprint (error), ==, env ("TERN_TEST_CERT_SHA256"));
  g_assert_false (tern_imap_error_is_transient (error));
  g_assert_cmpint (tern_imap_client_get_state (client), ==, TERN_IMAP_CLIENT_STATE_DISCONNECTED);
  g_assert_finalize_object (client);
  g_clear_error (&error);

  /* The user trusts it: pin the fingerprint from the error. */
  pinned = new_client (TERN_NET_SECURITY_TLS, FALSE, TRUE);
  g_assert_true (do_connect (pinned, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tern_imap_client_get_state (pinned), ==, TERN_IMAP_CLIENT_STATE_NOT_AUTHENTICATED);
  g_assert_true (tern_imap_client_has_capability (pinned, "IMAP4REV1"));
  g_assert_true (do_login (pinned, address, env ("TERN_TEST_PASSWORD"), &error));
  g_assert_no_error (error);
  /* Capabilities were refreshed after login. */
  g_assert_true (tern_imap_client_has_capability (pinned, "IDLE"));
  g_assert_true (tern_imap_client_has_capability (pinned, "METADATA"));
  do_logout_and_free (pinned);
}

static void
test_starttls (void)
{
  TernImapClient *client = new_client (TERN_NET_SECURITY_STARTTLS, FALSE, FALSE);
  g_autoptr(GError) error = NULL;

  /* Unpinned: the upgraded connection has the untrusted certificate too. */
  g_assert_false (do_connect (client, &error));
  g_assert_error (error, TERN_NET_ERROR, TERN_NET_ERROR_CERTIFICATE_UNTRUSTED);
  g_assert_cmpstr (tern_net_error_get_fingerprint (error), ==, env ("TERN_TEST_CERT_SHA256"));
  g_assert_finalize_object (client);
  g_clear_error (&error);

  client = logged_in_client ("alice", FALSE, TERN_IMAP_QUIRK_NONE);
  /* Capabilities after TLS + login: no STARTTLS any more. */
  g_assert_false (tern_imap_client_has_capability (client, "STARTTLS"));
  g_assert_true (tern_imap_client_has_capability (client, "IDLE"));
  RESULT_BEGIN
  g_auto(GStrv) caps = NULL;
  tern_imap_client_capability_async (client, NULL, got_result, &_r);
  caps = tern_imap_client_capability_finish (client, wait_result (&_r), &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const char *const *) caps, "UIDPLUS"));
  g_assert_true (g_strv_equal ((const char *const *) caps,
                               tern_imap_client_get_capabilities (client)));
  RESULT_END;
  do_logout_and_free (client);
}

static void
test_plain_loopback (void)
{
  TernImapClient *client = new_client (TERN_NET_SECURITY_PLAIN, FALSE, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *address = user_address ("bob", FALSE);

  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (do_login (client, address, env ("TERN_TEST_PASSWORD"), &error));
  g_assert_no_error (error);

  /* Closed without LOGOUT, the same client connects again. */
  tern_imap_client_close (client);
  g_assert_cmpint (tern_imap_client_get_state (client), ==, TERN_IMAP_CLIENT_STATE_DISCONNECTED);
  g_assert_null (tern_imap_client_get_capabilities (client));
  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (do_login (client, address, env ("TERN_TEST_PASSWORD"), &error));
  g_assert_no_error (error);
  g_assert_true (tern_imap_client_has_capability (client, "IDLE"));
  do_logout_and_free (client);
}

static void
test_wrong_password (void)
{
  TernImapClient *client = new_client (TERN_NET_SECURITY_STARTTLS, FALSE, TRUE);
  g_autoptr(GError) error = NULL;
  g_autofree char *address = user_address ("alice", FALSE);

  g_assert_true (do_connect (client, &error));
  g_assert_no_error (error);
  g_assert_false (do_login (client, address, "not-the-password", &error));
  g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_AUTH);
  g_assert_false (tern_imap_error_is_transient (error));
  g_assert_cmpint (tern_imap_client_get_state (client), ==,
                   TERN_IMAP_CLIENT_STATE_NOT_AUTHENTICATED);
  do_logout_and_free (client);
}

static void
test_login_variants (void)
{
  /* LOGIN instead of AUTHENTICATE, and AUTHENTICATE PLAIN without SASL-IR. */
  TernImapClient *client = logged_in_client ("carol", FALSE, TERN_IMAP_QUIRK_IGNORE_AUTH_PLAIN);
  do_logout_and_free (client);
  client = logged_in_client ("carol", FALSE, TERN_IMAP_QUIRK_IGNORE_SASL_IR);
  do_logout_and_free (client);
}

/* ------------------------------------------------------------------------
 * Commands
 * ------------------------------------------------------------------------ */

static void
test_enable_namespace_list (void)
{
  TernImapClient *client = logged_in_client ("alice", FALSE, TERN_IMAP_QUIRK_NONE);
  g_autoptr(GError) error = NULL;
  g_autofree char *base = unique_name ("tern-list");
  g_autofree char *child = NULL;
  g_autofree char *umlaut = NULL;
  const char *extensions[] = { "CONDSTORE", "QRESYNC", "UTF8=ACCEPT", NULL };
  gboolean seen_inbox = FALSE, seen_sent = FALSE, seen_child = FALSE, seen_umlaut = FALSE;

  RESULT_BEGIN
  g_auto(GStrv) enabled = NULL;
  tern_imap_client_enable_async (client, extensions, NULL, got_result, &_r);
  enabled = tern_imap_client_enable_finish (client, wait_result (&_r), &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const char *const *) enabled, "QRESYNC"));
  g_assert_true (tern_imap_client_is_enabled (client, "QRESYNC"));
  g_assert_true (tern_imap_client_is_enabled (client, "CONDSTORE"));
  RESULT_END;

  RESULT_BEGIN
  g_autoptr(TernImapNamespace) ns = NULL;
  tern_imap_client_namespace_async (client, NULL, got_result, &_r);
  ns = tern_imap_client_namespace_finish (client, wait_result (&_r), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ns->personal->len, >=, 1);
  g_assert_cmpint (tern_imap_client_get_delimiter (client), !=, '\0');
  RESULT_END;

  child = g_strdup_printf ("%s%cSub", base, tern_imap_client_get_delimiter (client));
  umlaut = g_strdup_printf ("%s-Entwürfe-台北", base);
  do_create (client, base);
  do_create (client, child);
  do_create (client, umlaut);

  RESULT_BEGIN
  tern_imap_client_subscribe_async (client, umlaut, NULL, got_result, &_r);
  g_assert_true (tern_imap_client_subscribe_finish (client, wait_result (&_r), &error));
  g_assert_no_error (error);
  RESULT_END;

  RESULT_BEGIN
  g_autoptr(GPtrArray) list = NULL;
  tern_imap_client_list_async (client, "", "*", NULL, got_result, &_r);
  list = tern_imap_client_list_finish (client, wait_result (&_r), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      TernImapMailbox *mailbox = g_ptr_array_index (list, i);
      if (g_str_equal (mailbox->name, "INBOX"))
        seen_inbox = TRUE;
      if (mailbox->flags & TERN_IMAP_MAILBOX_SENT)
        seen_sent = TRUE;
      if (g_str_equal (mailbox->name, child))
        seen_child = TRUE;
      if (g_str_equal (mailbox->name, umlaut))
        {
          seen_umlaut = TRUE;
          /* Sent as modified UTF-7 (UTF8=ACCEPT is not offered by the stack). */
          g_assert_nonnull (strstr (mailbox->raw_name, "&"));
        }
    }
  g_assert_true (seen_inbox);
  g_assert_true (seen_sent);
  g_assert_true (seen_child);
  g_assert_true (seen_umlaut);
  RESULT_END;

  /* The umlaut mailbox can be selected by its UTF-8 name. */
  do_select (client, umlaut, TRUE, NULL);
  g_assert_true (tern_imap_client_get_read_only (client));

  RESULT_BEGIN
  tern_imap_client_create_async (client, base, NULL, got_result, &_r);
  g_assert_false (tern_imap_client_create_finish (client, wait_result (&_r), &error));
  g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_NO);
  g_clear_error (&error);
  RESULT_END;

  RESULT_BEGIN
  tern_imap_client_delete_async (client, child, NULL, got_result, &_r);
  g_assert_true (tern_imap_client_delete_finish (client, wait_result (&_r), &error));
  g_assert_no_error (error);
  RESULT_END;
  RESULT_BEGIN
  tern_imap_client_select_async (client, child, FALSE, FALSE, NULL, NULL, got_result, &_r);
  g_assert_false (tern_imap_client_select_finish (client, wait_result (&_r), &error));
  g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_NO);
  g_clear_error (&error);
  /* A failed SELECT leaves no mailbox selected. */
  g_assert_cmpint (tern_imap_client_get_state (client), ==, TERN_IMAP_CLIENT_STATE_AUTHENTICATED);
  g_assert_null (tern_imap_client_get_selected_mailbox (client));
  RESULT_END;

  do_logout_and_free (client);
}

static void
test_append_fetch_search_store (void)
{
  TernImapClient *client = logged_in_client ("alice", FALSE, TERN_IMAP_QUIRK_NONE);
  g_autoptr(GError) error = NULL;
  g_autofree char *box = unique_name ("tern-append");
  g_autofree char *msgid = unique_name ("live-msg");
  g_autofree char *uid_str = NULL;
  g_autoptr(GBytes) message = make_message ("Live test", msgid, "Chat-Version: 1.0\r\n", 2000);
  g_autoptr(GBytes) other = make_message ("Other", "other@example.test", NULL, 100);
  g_autoptr(GTimeZone) tz = g_time_zone_new_offset (-7 * 3600);
  g_autoptr(GDateTime) date = g_date_time_new (tz, 2023, 11, 2, 9, 5, 7);
  const char *flags[] = { "\\Seen", "$Chat", NULL };
  const char *mdn[] = { "$MDNSent", NULL };
  TernImapAppendResult appended, appended2;
  guint64 modseq_before;

  do_create (client, box);
  appended = do_append (client, box, flags, date, message);
  appended2 = do_append (client, box, NULL, NULL, other);
  g_assert_cmpuint (appended.uidvalidity, !=, 0);
  g_assert_cmpuint (appended.uid, !=, 0);
  g_assert_cmpuint (appended2.uid, >, appended.uid);
  uid_str = g_strdup_printf ("%u", appended.uid);

  do_select (client, box, FALSE, NULL);
  g_assert_cmpuint (tern_imap_client_get_exists (client), ==, 2);
  g_assert_cmpuint (tern_imap_client_get_uidvalidity (client), ==, appended.uidvalidity);
  g_assert_cmpuint (tern_imap_client_get_uidnext (client), ==, appended2.uid + 1);
  g_assert_cmpuint (tern_imap_client_get_highestmodseq (client), >, 0);
  g_assert_false (tern_imap_client_get_read_only (client));
  modseq_before = tern_imap_client_get_highestmodseq (client);

  /* Whole message back, byte-identical, with flags, date, size, envelope,
   * structure and modseq. */
  {
    g_autoptr(GPtrArray) fetches =
      do_fetch (client, uid_str,
                TERN_IMAP_WANT_FLAGS | TERN_IMAP_WANT_INTERNALDATE | TERN_IMAP_WANT_RFC822_SIZE |
                  TERN_IMAP_WANT_ENVELOPE | TERN_IMAP_WANT_BODYSTRUCTURE |
                  TERN_IMAP_WANT_MODSEQ | TERN_IMAP_WANT_BODY,
                NULL);
    TernImapFetch *fetch;
    TernImapBodySection *section;

    g_assert_cmpuint (fetches->len, ==, 1);
    fetch = g_ptr_array_index (fetches, 0);
    g_assert_cmpuint (fetch->uid, ==, appended.uid);
    g_assert_true (g_strv_contains ((const char *const *) fetch->flags, "\\Seen"));
    g_assert_true (g_strv_contains ((const char *const *) fetch->flags, "$Chat"));
    g_assert_nonnull (fetch->internaldate);
    g_assert_cmpint (g_date_time_to_unix (fetch->internaldate), ==, g_date_time_to_unix (date));
    g_assert_cmpuint (fetch->rfc822_size, ==, g_bytes_get_size (message));
    g_assert_cmpuint (fetch->modseq, >, 0);
    g_assert_nonnull (fetch->envelope);
    g_assert_cmpstr (fetch->envelope->subject, ==, "Live test");
    g_assert_cmpuint (fetch->envelope->from->len, ==, 1);
    g_assert_cmpstr (((TernImapAddress *) g_ptr_array_index (fetch->envelope->from, 0))->host, ==,
                     "example.test");
    g_assert_nonnull (fetch->body);
    g_assert_cmpstr (fetch->body->type, ==, "multipart");
    g_assert_cmpuint (fetch->body->children->len, ==, 2);
    section = tern_imap_fetch_get_section (fetch, "");
    g_assert_nonnull (section);
    g_assert_true (g_bytes_equal (section->data, message));
  }

  /* Headers only (some fields), and one body part. */
  {
    const char *fields[] = { "Message-ID", "Chat-Version", NULL };
    const char *sections[] = { "1", NULL };
    TernImapFetchOptions options = { .header_fields = fields, .sections = sections };
    g_autoptr(GPtrArray) fetches = do_fetch (client, uid_str, TERN_IMAP_WANT_HEADER, &options);
    TernImapFetch *fetch = g_ptr_array_index (fetches, 0);
    TernImapBodySection *header = NULL, *part = NULL;
    g_autofree char *header_text = NULL;

    for (guint i = 0; i < fetch->sections->len; i++)
      {
        TernImapBodySection *s = g_ptr_array_index (fetch->sections, i);
        if (g_str_has_prefix (s->section, "HEADER.FIELDS"))
          header = s;
        else if (g_str_equal (s->section, "1"))
          part = s;
      }
    g_assert_nonnull (header);
    g_assert_nonnull (part);
    header_text = g_strndup (g_bytes_get_data (header->data, NULL), g_bytes_get_size (header->data));
    g_assert_nonnull (strstr (header_text, msgid));
    g_assert_nonnull (strstr (header_text, "Chat-Version: 1.0"));
    g_assert_null (strstr (header_text, "Subject:"));
    g_assert_nonnull (g_strstr_len (g_bytes_get_data (part->data, NULL), g_bytes_get_size (part->data),
                                    "Hello from the live test"));
  }
  {
    g_autoptr(GPtrArray) fetches = do_fetch (client, uid_str, TERN_IMAP_WANT_HEADER, NULL);
    TernImapBodySection *header = tern_imap_fetch_get_section (g_ptr_array_index (fetches, 0),
                                                               "HEADER");
    g_assert_nonnull (header);
    g_assert_nonnull (g_strstr_len (g_bytes_get_data (header->data, NULL),
                                    g_bytes_get_size (header->data), "Subject: Live test"));
  }

  /* UID SEARCH with HEADER and KEYWORD criteria, and a non-ASCII string. */
  {
    g_autoptr(TernImapSearchQuery) query = tern_imap_search_query_new ();
    g_autoptr(TernImapSearchQuery) query2 = tern_imap_search_query_new ();
    g_autoptr(TernImapSearchQuery) query3 = tern_imap_search_query_new ();
    g_autoptr(GArray) uids = NULL;
    g_autoptr(GArray) uids2 = NULL;
    g_autoptr(GArray) uids3 = NULL;

    tern_imap_search_query_add_header (query, "Message-ID", msgid);
    tern_imap_search_query_add_keyword (query, "$Chat", TRUE);
    uids = do_search (client, query);
    g_assert_cmpuint (uids->len, ==, 1);
    g_assert_cmpuint (g_array_index (uids, guint32, 0), ==, appended.uid);

    tern_imap_search_query_add_keyword (query2, "$Chat", FALSE);
    uids2 = do_search (client, query2);
    g_assert_cmpuint (uids2->len, ==, 1);
    g_assert_cmpuint (g_array_index (uids2, guint32, 0), ==, appended2.uid);

    tern_imap_search_query_add_string (query3, "BODY", "Grüße");
    tern_imap_search_query_add_raw (query3, "UNDELETED");
    uids3 = do_search (client, query3);
    g_assert_cmpuint (uids3->len, ==, 2);
  }

  /* UID STORE a keyword; CHANGEDSINCE then finds only that message. */
  RESULT_BEGIN
  tern_imap_client_uid_store_async (client, uid_str, TERN_IMAP_STORE_ADD, mdn, NULL, got_result,
                                    &_r);
  g_assert_true (tern_imap_client_uid_store_finish (client, wait_result (&_r), &error));
  g_assert_no_error (error);
  RESULT_END;
  {
    TernImapFetchOptions options = { .changed_since = modseq_before };
    g_autoptr(GPtrArray) fetches = do_fetch (client, "1:*", TERN_IMAP_WANT_FLAGS, &options);
    TernImapFetch *fetch;

    g_assert_cmpuint (fetches->len, ==, 1);
    fetch = g_ptr_array_index (fetches, 0);
    g_assert_cmpuint (fetch->uid, ==, appended.uid);
    g_assert_true (g_strv_contains ((const char *const *) fetch->flags, "$MDNSent"));
    g_assert_cmpuint (fetch->modseq, >, modseq_before);
  }
  RESULT_BEGIN
  tern_imap_client_uid_store_async (client, uid_str, TERN_IMAP_STORE_REMOVE, mdn, NULL,
                                    got_result, &_r);
  g_assert_true (tern_imap_client_uid_store_finish (client, wait_result (&_r), &error));
  RESULT_END;
  {
    g_autoptr(GPtrArray) fetches = do_fetch (client, uid_str, TERN_IMAP_WANT_FLAGS, NULL);
    g_assert_false (g_strv_contains ((const char *const *) ((TernImapFetch *) fetches->pdata[0])->flags,
                                     "$MDNSent"));
  }

  /* Invalid input is refused before anything is sent. */
  RESULT_BEGIN
  tern_imap_client_uid_store_async (client, "1 FLAGS x", TERN_IMAP_STORE_ADD, mdn, NULL,
                                    got_result, &_r);
  g_assert_false (tern_imap_client_uid_store_finish (client, wait_result (&_r), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  RESULT_END;

  do_logout_and_free (client);
}

static void
test_append_synchronising_literal (void)
{
  TernImapClient *client = logged_in_client ("bob", FALSE, TERN_IMAP_QUIRK_IGNORE_LITERAL_PLUS);
  g_autofree char *box = unique_name ("tern-sync");
  g_autoptr(GBytes) message = make_message ("Sync literal", "sync@example.test", NULL, 20000);
  TernImapAppendResult appended;
  g_autofree char *uid = NULL;

  do_create (client, box);
  appended = do_append (client, box, NULL, NULL, message);
  g_assert_cmpuint (appended.uid, !=, 0);
  uid = g_strdup_printf ("%u", appended.uid);
  do_select (client, box, TRUE, NULL);
  {
    g_autoptr(GPtrArray) fetches = do_fetch (client, uid, TERN_IMAP_WANT_BODY, NULL);
    g_assert_cmpuint (fetches->len, ==, 1);
    g_assert_true (g_bytes_equal (tern_imap_fetch_get_section (fetches->pdata[0], "")->data,
                                  message));
  }
  do_logout_and_free (client);
}

/* COPY, MOVE (native), MOVE fallback with UID EXPUNGE, MOVE fallback with
 * plain EXPUNGE, then QRESYNC reports what vanished. */
static void
vanished_cb (TernImapClient         *client,
             const TernImapVanished *vanished,
             gpointer                user_data)
{
  GArray *out = user_data;
  g_autoptr(GArray) uids = tern_imap_uid_set_to_array (vanished->uids, 10000, NULL);

  if (vanished->earlier && uids != NULL)
    g_array_append_vals (out, uids->data, uids->len);
}

static guint
count_messages (TernImapClient *client,
                const char     *mailbox)
{
  g_autoptr(TernImapSearchQuery) query = tern_imap_search_query_new ();
  g_autoptr(GArray) uids = NULL;

  do_select (client, mailbox, TRUE, NULL);
  uids = do_search (client, query);
  return uids->len;
}

static void
move_case (TernImapClientQuirks quirks)
{
  TernImapClient *client = logged_in_client ("dave", FALSE, quirks);
  g_autoptr(GError) error = NULL;
  g_autofree char *src = unique_name ("tern-src");
  g_autofree char *dst = unique_name ("tern-dst");
  g_autofree char *missing = unique_name ("tern-missing");
  TernImapAppendResult a[4];
  g_autofree char *move_set = NULL;
  g_autofree char *copy_set = NULL;
  g_autoptr(GArray) vanished = g_array_new (FALSE, FALSE, sizeof (guint32));
  const char *extensions[] = { "QRESYNC", NULL };
  guint32 uidvalidity;
  guint64 modseq;

  RESULT_BEGIN
  g_auto(GStrv) enabled = NULL;
  tern_imap_client_enable_async (client, extensions, NULL, got_result, &_r);
  enabled = tern_imap_client_enable_finish (client, wait_result (&_r), &error);
  g_assert_no_error (error);
  RESULT_END;

  do_create (client, src);
  do_create (client, dst);
  for (guint i = 0; i < G_N_ELEMENTS (a); i++)
    {
      g_autofree char *id = g_strdup_printf ("move-%u@example.test", i);
      g_autoptr(GBytes) message = make_message ("Move me", id, NULL, 300);
      a[i] = do_append (client, src, NULL, NULL, message);
    }
  uidvalidity = a[0].uidvalidity;
  do_select (client, src, FALSE, NULL);
  modseq = tern_imap_client_get_highestmodseq (client);

  /* A message marked \Deleted beforehand: plain EXPUNGE (no UIDPLUS)
   * removes it too, UID EXPUNGE does not. */
  RESULT_BEGIN
  g_autofree char *u = g_strdup_printf ("%u", a[3].uid);
  const char *deleted[] = { "\\Deleted", NULL };
  tern_imap_client_uid_store_async (client, u, TERN_IMAP_STORE_ADD, deleted, NULL, got_result, &_r);
  g_assert_true (tern_imap_client_uid_store_finish (client, wait_result (&_r), &error));
  RESULT_END;

  copy_set = g_strdup_printf ("%u", a[0].uid);
  RESULT_BEGIN
  g_autoptr(TernImapCopyResult) copied = NULL;
  tern_imap_client_uid_copy_async (client, copy_set, dst, NULL, got_result, &_r);
  copied = tern_imap_client_uid_copy_finish (client, wait_result (&_r), &error);
  g_assert_no_error (error);
  if (quirks & TERN_IMAP_QUIRK_IGNORE_UIDPLUS)
    g_assert_nonnull (copied); /* COPYUID comes regardless: the server has UIDPLUS */
  g_assert_cmpuint (copied->uidvalidity, !=, 0);
  g_assert_cmpstr (copied->source_uids, ==, copy_set);
  RESULT_END;

  RESULT_BEGIN
  tern_imap_client_uid_copy_async (client, copy_set, missing, NULL, got_result, &_r);
  g_assert_null (tern_imap_client_uid_copy_finish (client, wait_result (&_r), &error));
  g_assert_error (error, TERN_IMAP_ERROR, TERN_IMAP_ERROR_TRYCREATE);
  g_clear_error (&error);
  RESULT_END;

  move_set = g_strdup_printf ("%u:%u", a[1].uid, a[2].uid);
  RESULT_BEGIN
  g_autoptr(TernImapCopyResult) moved = NULL;
  tern_imap_client_uid_move_async (client, move_set, dst, NULL, got_result, &_r);
  moved = tern_imap_client_uid_move_finish (client, wait_result (&_r), &error);
  g_assert_no_error (error);
  g_assert_nonnull (moved);
  g_assert_cmpstr (moved->source_uids, ==, move_set);
  g_assert_nonnull (moved->dest_uids);
  RESULT_END;

  if (quirks & TERN_IMAP_QUIRK_IGNORE_UIDPLUS)
    g_assert_cmpuint (tern_imap_client_get_exists (client), ==, 1); /* a[3] went too */
  else
    g_assert_cmpuint (tern_imap_client_get_exists (client), ==, 2);

  g_assert_cmpuint (count_messages (client, dst), ==, 3);
  g_assert_cmpuint (count_messages (client, src),
                    ==, (quirks & TERN_IMAP_QUIRK_IGNORE_UIDPLUS) ? 1 : 2);

  /* QRESYNC: reselect with what we knew; the moved UIDs have vanished. */
  {
    g_autofree char *known = g_strdup_printf ("%u:%u", a[0].uid, a[3].uid);
    TernImapQresync qresync = { uidvalidity, modseq, known };
    gulong id = g_signal_connect (client, "vanished", G_CALLBACK (vanished_cb), vanished);

    do_select (client, src, FALSE, &qresync);
    g_assert_cmpuint (vanished->len, ==, (quirks & TERN_IMAP_QUIRK_IGNORE_UIDPLUS) ? 3 : 2);
    g_assert_cmpuint (g_array_index (vanished, guint32, 0), ==, a[1].uid);

    /* UID FETCH (CHANGEDSINCE n VANISHED) reports the same. */
    {
      TernImapFetchOptions options = { .changed_since = modseq, .vanished = TRUE };
      g_autoptr(GPtrArray) fetches = NULL;

      g_array_set_size (vanished, 0);
      fetches = do_fetch (client, known, TERN_IMAP_WANT_FLAGS, &options);
      g_assert_cmpuint (vanished->len, ==, (quirks & TERN_IMAP_QUIRK_IGNORE_UIDPLUS) ? 3 : 2);
      g_assert_cmpuint (g_array_index (vanished, guint32, 0), ==, a[1].uid);
    }
    g_signal_handler_disconnect (client, id);
  }

  do_logout_and_free (client);
}

static void
test_move_native (void)
{
  move_case (TERN_IMAP_QUIRK_NONE);
}

static void
test_move_fallback_uid_expunge (void)
{
  move_case (TERN_IMAP_QUIRK_IGNORE_MOVE);
}

static void
test_move_fallback_expunge (void)
{
  move_case (TERN_IMAP_QUIRK_IGNORE_MOVE | TERN_IMAP_QUIRK_IGNORE_UIDPLUS);
}

static void
test_metadata (void)
{
  TernImapClient *client = logged_in_client ("alice", FALSE, TERN_IMAP_QUIRK_NONE);
  g_autoptr(GError) error = NULL;
  g_autofree char *suffix = unique_name ("t");
  g_autofree char *enabled_entry = g_strdup_printf ("/private/vendor/vendor.dovecot/coi/%s/enabled", suffix);
  g_autofree char *mode_entry = g_strdup_printf ("/private/vendor/vendor.dovecot/coi/%s/mode", suffix);
  g_autofree char *root = g_strdup_printf ("/private/vendor/vendor.dovecot/coi/%s", suffix);
  g_autoptr(GBytes) yes = g_bytes_new_static ("yes", 3);
  g_autoptr(GBytes) mode = g_bytes_new_static ("active\r\nline two ü", strlen ("active\r\nline two ü"));
  const char *entries[] = { enabled_entry, mode_entry, NULL };
  GBytes *values[] = { yes, mode };

  RESULT_BEGIN
  tern_imap_client_set_metadata_async (client, "", entries, values, NULL, got_result, &_r);
  g_assert_true (tern_imap_client_set_metadata_finish (client, wait_result (&_r), &error));
  g_assert_no_error (error);
  RESULT_END;

  RESULT_BEGIN
  g_autoptr(GHashTable) got = NULL;
  tern_imap_client_get_metadata_async (client, "", entries, 0, NULL, got_result, &_r);
  got = tern_imap_client_get_metadata_finish (client, wait_result (&_r), &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (g_hash_table_lookup (got, enabled_entry), yes));
  g_assert_true (g_bytes_equal (g_hash_table_lookup (got, mode_entry), mode));
  RESULT_END;

  /* DEPTH 1 under the root finds both; DEPTH 0 finds none (no value there). */
  RESULT_BEGIN
  const char *root_entries[] = { root, NULL };
  g_autoptr(GHashTable) got = NULL;
  tern_imap_client_get_metadata_async (client, "", root_entries, 1, NULL, got_result, &_r);
  got = tern_imap_client_get_metadata_finish (client, wait_result (&_r), &error);
  g_assert_no_error (error);
  g_assert_true (g_hash_table_contains (got, enabled_entry));
  g_assert_true (g_hash_table_contains (got, mode_entry));
  RESULT_END;

  /* Removing (NIL). */
  RESULT_BEGIN
  const char *one[] = { mode_entry, NULL };
  GBytes *nil[] = { NULL };
  tern_imap_client_set_metadata_async (client, "", one, nil, NULL, got_result, &_r);
  g_assert_true (tern_imap_client_set_metadata_finish (client, wait_result (&_r), &error));
  g_assert_no_error (error);
  RESULT_END;
  RESULT_BEGIN
  const char *root_entries[] = { root, NULL };
  g_autoptr(GHashTable) got = NULL;
  tern_imap_client_get_metadata_async (client, "", root_entries, -1, NULL, got_result, &_r);
  got = tern_imap_client_get_metadata_finish (client, wait_result (&_r), &error);
  g_assert_no_error (error);
  g_assert_true (g_hash_table_contains (got, enabled_entry));
  g_assert_null (g_hash_table_lookup (got, mode_entry));
  RESULT_END;

  /* Mailbox metadata on INBOX too. */
  RESULT_BEGIN
  const char *comment[] = { "/private/comment", NULL };
  GBytes *text[] = { yes };
  tern_imap_client_set_metadata_async (client, "INBOX", comment, text, NULL, got_result, &_r);
  g_assert_true (tern_imap_client_set_metadata_finish (client, wait_result (&_r), &error));
  g_assert_no_error (error);
  RESULT_END;

  do_logout_and_free (client);
}

/* ------------------------------------------------------------------------
 * IDLE, NOOP, and the COI flavour
 * ------------------------------------------------------------------------ */

static void
deliver (const char *rcpt,
         GBytes     *message)
{
  g_autofree char *script = g_build_filename (env ("TERN_SOURCE_ROOT"), "tests", "stack",
                                              "deliver-raw", NULL);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  int fd = g_file_open_tmp ("tern-live-XXXXXX.eml", &path, &error);
  int status = 0;
  const char *argv[] = { "python3", script, path, rcpt, NULL };

  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, g_bytes_get_data (message, NULL), g_bytes_get_size (message), &error);
  g_assert_no_error (error);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_unlink (path);
}

static void
exists_cb (TernImapClient *client,
           guint           n,
           gpointer        user_data)
{
  *(guint *) user_data = n;
}

static void
test_idle_delivery (void)
{
  TernImapClient *client = logged_in_client ("carol", FALSE, TERN_IMAP_QUIRK_NONE);
  g_autoptr(GError) error = NULL;
  g_autofree char *msgid = unique_name ("idle");
  g_autofree char *rcpt = user_address ("carol", FALSE);
  g_autoptr(GBytes) message = make_message ("Delivered while idling", msgid, NULL, 200);
  guint exists_before, exists = 0;
  gint64 deadline;

  do_select (client, "INBOX", FALSE, NULL);
  exists_before = tern_imap_client_get_exists (client);
  g_signal_connect (client, "exists", G_CALLBACK (exists_cb), &exists);
  g_assert_true (tern_imap_client_idle_start (client, &error));
  g_assert_no_error (error);
  while (!tern_imap_client_is_idle (client))
    g_main_context_iteration (NULL, TRUE);

  deliver (rcpt, message);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  /* Other live tests may deliver to this INBOX too: wait for EXISTS, look
   * for our message (the search ends IDLE transparently), else idle on. */
  for (;;)
    {
      g_autoptr(TernImapSearchQuery) query = tern_imap_search_query_new ();
      g_autoptr(GArray) uids = NULL;

      while (exists <= exists_before)
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_main_context_iteration (NULL, TRUE);
        }
      g_assert_true (tern_imap_client_is_idle (client));
      exists_before = exists;
      tern_imap_search_query_add_header (query, "Message-ID", msgid);
      uids = do_search (client, query);
      g_assert_false (tern_imap_client_is_idle (client));
      if (uids->len == 1)
        break;
      g_assert_true (tern_imap_client_idle_start (client, &error));
      g_assert_no_error (error);
    }

  /* And it can be restarted and stopped. */
  g_assert_true (tern_imap_client_idle_start (client, &error));
  while (!tern_imap_client_is_idle (client))
    g_main_context_iteration (NULL, TRUE);
  RESULT_BEGIN
  tern_imap_client_idle_stop_async (client, NULL, got_result, &_r);
  g_assert_true (tern_imap_client_idle_stop_finish (client, wait_result (&_r), &error));
  g_assert_no_error (error);
  RESULT_END;
  g_assert_cmpint (tern_imap_client_get_state (client), ==, TERN_IMAP_CLIENT_STATE_SELECTED);

  RESULT_BEGIN
  tern_imap_client_noop_async (client, NULL, got_result, &_r);
  g_assert_true (tern_imap_client_noop_finish (client, wait_result (&_r), &error));
  RESULT_END;

  do_logout_and_free (client);
}

static void
test_coi_flavour (void)
{
  TernImapClient *client = logged_in_client ("bob", TRUE, TERN_IMAP_QUIRK_NONE);
  g_autoptr(GError) error = NULL;
  g_autofree char *msgid = NULL;
  g_autofree char *full_id = NULL;
  g_autofree char *rcpt = user_address ("bob", TRUE);
  g_autoptr(GBytes) message = NULL;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint found = 0;

  g_assert_true (tern_imap_client_has_capability (client, "COI"));
  g_assert_true (tern_imap_client_has_capability (client, "WEBPUSH"));

  msgid = unique_name ("coi");
  full_id = g_strdup_printf ("chat$%s@coi.test", msgid);
  message = make_message ("Chat", full_id, "Chat-Version: 1.0\r\n", 100);
  deliver (rcpt, message);

  /* The Sieve rule files it into COI/Chats with $Chat. */
  while (found == 0)
    {
      g_autoptr(GPtrArray) list = NULL;
      g_autoptr(GAsyncResult) r = NULL;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      tern_imap_client_list_async (client, "", "COI*", NULL, got_result, &r);
      list = tern_imap_client_list_finish (client, wait_result (&r), &error);
      g_assert_no_error (error);
      for (guint i = 0; i < list->len; i++)
        if (g_str_equal (((TernImapMailbox *) list->pdata[i])->name, "COI/Chats") ||
            g_str_equal (((TernImapMailbox *) list->pdata[i])->name, "COI.Chats"))
          {
            g_autoptr(TernImapSearchQuery) query = tern_imap_search_query_new ();
            g_autoptr(GArray) uids = NULL;

            do_select (client, ((TernImapMailbox *) list->pdata[i])->name, TRUE, NULL);
            tern_imap_search_query_add_header (query, "Message-ID", full_id);
            tern_imap_search_query_add_keyword (query, "$Chat", TRUE);
            uids = do_search (client, query);
            found = uids->len;
          }
      if (found == 0)
        g_usleep (100 * 1000);
    }
  g_assert_cmpuint (found, ==, 1);
  do_logout_and_free (client);
}

/* ------------------------------------------------------------------------
 * Streaming 500 messages
 * ------------------------------------------------------------------------ */

static void
test_fetch_500_in_batches (void)
{
  TernImapClient *client = logged_in_client ("dave", FALSE, TERN_IMAP_QUIRK_NONE);
  g_autoptr(GError) error = NULL;
  g_autofree char *box = unique_name ("tern-500");
  Collected collected = { 0 };
  TernImapFetchOptions options = { .batch_count = 100, .batch_bytes = 256 * 1024 };
  gsize message_size = 0;
  guint n = 0;

  do_create (client, box);
  for (guint i = 0; i < 500; i++)
    {
      g_autofree char *id = g_strdup_printf ("m%u@example.test", i);
      g_autoptr(GBytes) message = make_message ("Batch", id, NULL, 1000 + (i % 7) * 1000);
      message_size = MAX (message_size, g_bytes_get_size (message));
      do_append (client, box, NULL, NULL, message);
    }
  do_select (client, box, TRUE, NULL);
  g_assert_cmpuint (tern_imap_client_get_exists (client), ==, 500);

  RESULT_BEGIN
  tern_imap_client_uid_fetch_async (client, "1:*", TERN_IMAP_WANT_FLAGS | TERN_IMAP_WANT_BODY,
                                    &options, collect_batch, &collected, NULL, got_result, &_r);
  g_assert_true (tern_imap_client_uid_fetch_finish (client, wait_result (&_r), &n, &error));
  g_assert_no_error (error);
  RESULT_END;

  g_assert_cmpuint (n, ==, 500);
  g_assert_cmpuint (collected.total, ==, 500);
  g_assert_cmpuint (collected.max_batch, <=, 100);
  /* A batch is handed on once it reaches the byte bound: at most one
   * message over it. */
  g_assert_cmpuint (collected.max_batch_bytes, <, options.batch_bytes + message_size);
  g_assert_cmpuint (collected.n_batches, >=, 500 * 1000 / options.batch_bytes);
  g_test_message ("500 messages in %u batches, largest %u messages / %" G_GSIZE_FORMAT " bytes",
                  collected.n_batches, collected.max_batch, collected.max_batch_bytes);

  do_logout_and_free (client);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/imap/live/tls-untrusted-then-pinned", test_tls_untrusted_then_pinned);
  g_test_add_func ("/imap/live/starttls", test_starttls);
  g_test_add_func ("/imap/live/plain-loopback", test_plain_loopback);
  g_test_add_func ("/imap/live/wrong-password", test_wrong_password);
  g_test_add_func ("/imap/live/login-variants", test_login_variants);
  g_test_add_func ("/imap/live/enable-namespace-list-create", test_enable_namespace_list);
  g_test_add_func ("/imap/live/append-fetch-search-store", test_append_fetch_search_store);
  g_test_add_func ("/imap/live/append-synchronising-literal", test_append_synchronising_literal);
  g_test_add_func ("/imap/live/move-native", test_move_native);
  g_test_add_func ("/imap/live/move-fallback-uid-expunge", test_move_fallback_uid_expunge);
  g_test_add_func ("/imap/live/move-fallback-expunge", test_move_fallback_expunge);
  g_test_add_func ("/imap/live/metadata", test_metadata);
  g_test_add_func ("/imap/live/idle-delivery", test_idle_delivery);
  g_test_add_func ("/imap/live/coi-flavour", test_coi_flavour);
  g_test_add_func ("/imap/live/fetch-500-in-batches", test_fetch_500_in_batches);

  return g_test_run ();
}
