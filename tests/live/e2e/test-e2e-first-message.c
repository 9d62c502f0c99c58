/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The first proof through every layer, against the real servers of the test
 * stack: alice's chat message is built by the COI codec, submitted to
 * Postfix by Tern's SMTP client (STARTTLS, AUTH, pinned certificate), read
 * back from bob's mailbox by Tern's IMAP client (STARTTLS and implicit TLS),
 * and understood as a chat message by the codec's parser. */
#include "config.h"

#include <gio/gio.h>

#include "tern-coi-builder.h"
#include "tern-coi-parser.h"
#include "tern-coi.h"
#include "tern-imap-client.h"
#include "tern-smtp-client.h"

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
address_of (const char *user)
{
  return g_strdup_printf ("%s@%s", user, env ("TERN_TEST_DOMAIN"));
}

/* Runs the main loop until an async call gives its result. */
static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static GBytes *
build_message (const char  *from,
               const char  *to,
               const char  *text,
               char       **message_id)
{
  g_autoptr(GError) error = NULL;
  TernCoiMailbox recipient = { "Bob", to };
  TernCoiDraft draft = { 0 };
  GMimeMessage *message;
  GBytes *bytes;

  draft.from.name = "Alice";
  draft.from.address = from;
  draft.to = &recipient;
  draft.n_to = 1;
  draft.text = text;
  draft.request_receipt = TRUE;
  message = tern_coi_build_text (&draft, &error);
  g_assert_no_error (error);
  *message_id = g_strdup (g_mime_message_get_message_id (message));
  bytes = tern_coi_message_to_bytes (message);
  g_object_unref (message);
  return bytes;
}

static void
submit (const char *from,
        const char *to,
        GBytes     *bytes)
{
  g_autoptr(TernSmtpClient) smtp = NULL;
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr(TernSmtpSendResult) sent = NULL;
  g_autoptr(GError) error = NULL;
  const char *recipients[] = { to, NULL };
  GAsyncResult *result = NULL;

  smtp = tern_smtp_client_new (env ("TERN_TEST_HOST"), env_port ("TERN_TEST_SMTP_PORT"),
                               TERN_NET_SECURITY_STARTTLS, env ("TERN_TEST_CERT_SHA256"));
  tern_smtp_client_connect_async (smtp, NULL, result_cb, &result);
  g_assert_true (tern_smtp_client_connect_finish (smtp, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (tern_smtp_client_is_encrypted (smtp));

  tern_smtp_client_authenticate_async (smtp, from, env ("TERN_TEST_PASSWORD"), NULL, result_cb,
                                       &result);
  g_assert_true (tern_smtp_client_authenticate_finish (smtp, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  tern_smtp_client_send_async (smtp, from, recipients, stream, g_bytes_get_size (bytes), NULL,
                               result_cb, &result);
  sent = tern_smtp_client_send_finish (smtp, wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (tern_smtp_send_result_get_n_accepted (sent), ==, 1);

  tern_smtp_client_quit_async (smtp, NULL, result_cb, &result);
  tern_smtp_client_quit_finish (smtp, wait_result (&result), NULL);
  g_clear_object (&result);
}

static void
collect_cb (TernImapClient *client,
            GPtrArray      *fetches,
            gpointer        user_data)
{
  GPtrArray *all = user_data;

  for (guint i = 0; i < fetches->len; i++)
    {
      TernImapFetch *fetch = g_ptr_array_index (fetches, i);
      TernImapBodySection *body = tern_imap_fetch_get_section (fetch, "");

      if (body != NULL && body->data != NULL)
        g_ptr_array_add (all, g_bytes_ref (body->data));
    }
}

/* Logs in as @user and waits (up to 20 s) until the message with @message_id
 * is in INBOX; returns its bytes as the server has them. */
static GBytes *
receive (const char      *user,
         TernNetSecurity  security,
         guint16          port,
         const char      *message_id)
{
  g_autoptr(TernImapClient) imap = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) bodies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GArray) uids = NULL;
  g_autofree char *uid_set = NULL;
  GAsyncResult *result = NULL;
  guint n_fetched = 0;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  imap = tern_imap_client_new (env ("TERN_TEST_HOST"), port, security,
                               env ("TERN_TEST_CERT_SHA256"));
  tern_imap_client_connect_async (imap, NULL, result_cb, &result);
  g_assert_true (tern_imap_client_connect_finish (imap, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  tern_imap_client_login_async (imap, user, env ("TERN_TEST_PASSWORD"), NULL, result_cb, &result);
  g_assert_true (tern_imap_client_login_finish (imap, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  tern_imap_client_select_async (imap, "INBOX", TRUE, FALSE, NULL, NULL, result_cb, &result);
  g_assert_true (tern_imap_client_select_finish (imap, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  /* Delivery through LMTP is asynchronous: look until it is there. */
  while (uids == NULL || uids->len == 0)
    {
      g_autoptr(TernImapSearchQuery) query = tern_imap_search_query_new ();

      g_clear_pointer (&uids, g_array_unref);
      if (g_get_monotonic_time () > deadline)
        g_error ("message %s did not arrive in %s's INBOX", message_id, user);
      tern_imap_search_query_add_header (query, "Message-ID", message_id);
      tern_imap_client_noop_async (imap, NULL, result_cb, &result);
      tern_imap_client_noop_finish (imap, wait_result (&result), NULL);
      g_clear_object (&result);
      tern_imap_client_uid_search_async (imap, query, NULL, result_cb, &result);
      uids = tern_imap_client_uid_search_finish (imap, wait_result (&result), &error);
      g_assert_no_error (error);
      g_clear_object (&result);
      if (uids->len == 0)
        g_usleep (100 * 1000);
    }
  g_assert_cmpuint (uids->len, ==, 1);

  uid_set = g_strdup_printf ("%u", g_array_index (uids, guint32, 0));
  tern_imap_client_uid_fetch_async (imap, uid_set, TERN_IMAP_WANT_BODY | TERN_IMAP_WANT_FLAGS,
                                    NULL, collect_cb, bodies, NULL, result_cb, &result);
  g_assert_true (tern_imap_client_uid_fetch_finish (imap, wait_result (&result), &n_fetched,
                                                    &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (n_fetched, ==, 1);
  g_assert_cmpuint (bodies->len, ==, 1);

  tern_imap_client_logout_async (imap, NULL, result_cb, &result);
  tern_imap_client_logout_finish (imap, wait_result (&result), NULL);
  g_clear_object (&result);

  return g_bytes_ref (g_ptr_array_index (bodies, 0));
}

static void
assert_chat_message (GBytes     *received,
                     const char *message_id,
                     const char *from,
                     const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TernCoiInfo) info = tern_coi_parse_bytes (received, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (info->is_chat);
  g_assert_cmpstr (info->message_id, ==, message_id);
  g_assert_nonnull (info->from);
  g_assert_cmpstr (info->from->address, ==, from);
  g_assert_cmpstr (info->text, ==, text);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (received, NULL), g_bytes_get_size (received),
                                  "Chat-Version: 1.0"));
}

static void
test_alice_to_bob (void)
{
  g_autofree char *alice = address_of ("alice");
  g_autofree char *bob = address_of ("bob");
  g_autofree char *message_id = NULL;
  const char *text = "Hello Bob, this is Tern speaking. Café? 🙂";
  g_autoptr(GBytes) sent = build_message (alice, bob, text, &message_id);
  g_autoptr(GBytes) over_starttls = NULL;
  g_autoptr(GBytes) over_tls = NULL;

  g_assert_true (g_str_has_prefix (message_id, "chat$"));
  submit (alice, bob, sent);

  over_starttls = receive (bob, TERN_NET_SECURITY_STARTTLS, env_port ("TERN_TEST_IMAP_PORT"),
                           message_id);
  assert_chat_message (over_starttls, message_id, alice, text);

  /* The same copy over implicit TLS. */
  over_tls = receive (bob, TERN_NET_SECURITY_TLS, env_port ("TERN_TEST_IMAPS_PORT"), message_id);
  g_assert_true (g_bytes_equal (over_starttls, over_tls));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  tern_coi_init ();

  g_test_add_func ("/e2e/first-message/alice-to-bob", test_alice_to_bob);

  return g_test_run ();
}
