/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-test"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "tern-account-send.h"
#include "tern-account.h"
#include "tern-context.h"
#include "tern-core-error.h"
#include "tern-ingest.h"
#include "tern-outbox.h"

/* Sending through the outbox on the test stack: alice sends to bob over
 * real SMTP; the entry ends SENT, a copy is in alice's COI/Chats, bob
 * receives it exactly once (raw IMAP count and bob's own TernAccount); a
 * permanent 5xx ends FAILED with the server's text; Postfix deferring (4xx)
 * leaves the message queued and it is sent once after the fault is off.
 * Messages are told apart by unique texts / Message-IDs, so other suites
 * sharing the mailboxes do not disturb the counts. */

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
  gint64 deadline = g_get_monotonic_time () + 90 * G_USEC_PER_SEC;

  while (*slot == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return *slot;
}

/* Runs the main loop until @check is true or @seconds pass. */
static gboolean
wait_until (gboolean (*check) (gpointer),
            gpointer  data,
            guint     seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!check (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
  return TRUE;
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  if (dir != NULL)
    g_dir_close (dir);
  g_rmdir (path);
}

typedef struct {
  char        *dir;
  TernContext *context;
  TernAccount *account;
} Side;

static void
side_open (Side       *side,
           const char *user)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) synced = NULL;
  g_autofree char *address = g_strdup_printf ("%s@%s", user, env ("TERN_TEST_DOMAIN"));
  g_autoptr(TernAccountSettings) s = tern_account_settings_new (address);

  side->dir = g_dir_make_tmp ("tern-live-send-XXXXXX", &error);
  g_assert_no_error (error);
  side->context = tern_context_new (side->dir, &error);
  g_assert_no_error (error);
  s->password = g_strdup (env ("TERN_TEST_PASSWORD"));
  s->store_password = FALSE;
  s->imap_host = g_strdup (env ("TERN_TEST_HOST"));
  s->imap_port = env_port ("TERN_TEST_IMAP_PORT");
  s->imap_security = TERN_ACCOUNT_SECURITY_STARTTLS;
  s->smtp_host = g_strdup (env ("TERN_TEST_HOST"));
  s->smtp_port = env_port ("TERN_TEST_SMTP_PORT");
  s->smtp_security = TERN_ACCOUNT_SECURITY_STARTTLS;
  s->trusted_certificate = g_strdup (env ("TERN_TEST_CERT_SHA256"));
  s->filter_mode = TERN_FILTER_MODE_NONE;
  tern_account_setup_async (side->context, s, NULL, got_result, &result);
  side->account = tern_account_setup_finish (wait_result (&result), &error);
  g_assert_no_error (error);
  tern_account_set_password_for_session (side->account, env ("TERN_TEST_PASSWORD"));
  /* One sync pass: folders known (COI/Chats, Sent) for the copies. */
  tern_account_sync_once_async (side->account, NULL, got_result, &synced);
  tern_account_sync_once_finish (side->account, wait_result (&synced), &error);
  g_assert_no_error (error);
}

static void
side_sync (Side *side)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) synced = NULL;

  tern_account_sync_once_async (side->account, NULL, got_result, &synced);
  tern_account_sync_once_finish (side->account, wait_result (&synced), &error);
  g_assert_no_error (error);
}

static void
side_close (Side *side)
{
  tern_outbox_stop (tern_outbox_get_for_account (side->account));
  tern_account_stop (side->account);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&side->account);
  g_clear_object (&side->context);
  remove_tree (side->dir);
  g_free (side->dir);
}

static TernStore *
side_store (Side *side)
{
  return tern_context_get_store (side->context);
}

/* ---- a raw IMAP client to count copies (as in test-core-account-live.c) ---- */

static TernImapClient *
raw_imap (const char *user)
{
  g_autofree char *address = g_strdup_printf ("%s@%s", user, env ("TERN_TEST_DOMAIN"));
  TernImapClient *imap = tern_imap_client_new (env ("TERN_TEST_HOST"),
                                               env_port ("TERN_TEST_IMAP_PORT"),
                                               TERN_NET_SECURITY_STARTTLS,
                                               env ("TERN_TEST_CERT_SHA256"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;

  tern_imap_client_connect_async (imap, NULL, got_result, &r1);
  tern_imap_client_connect_finish (imap, wait_result (&r1), &error);
  g_assert_no_error (error);
  tern_imap_client_login_async (imap, address, env ("TERN_TEST_PASSWORD"), NULL, got_result, &r2);
  tern_imap_client_login_finish (imap, wait_result (&r2), &error);
  g_assert_no_error (error);
  return imap;
}

/* Copies of Message-ID @id in @mailbox (0 when the mailbox does not exist). */
static guint
count_in (TernImapClient *imap,
          const char     *mailbox,
          const char     *id)
{
  g_autoptr(GAsyncResult) r = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TernImapSearchQuery) q = tern_imap_search_query_new ();
  g_autoptr(GArray) uids = NULL;
  g_autofree char *bracketed = g_strdup_printf ("<%s>", id);

  tern_imap_client_select_async (imap, mailbox, TRUE, FALSE, NULL, NULL, got_result, &r);
  if (!tern_imap_client_select_finish (imap, wait_result (&r), &error))
    return 0;
  tern_imap_search_query_add_header (q, "Message-ID", bracketed);
  tern_imap_client_uid_search_async (imap, q, NULL, got_result, &r2);
  uids = tern_imap_client_uid_search_finish (imap, wait_result (&r2), &error);
  g_assert_no_error (error);
  return uids->len;
}

/* Copies of @id at @user, in INBOX and COI/Chats together (the user's
 * filter may have moved it). */
static guint
count_at (const char *user,
          const char *id)
{
  g_autoptr(TernImapClient) imap = raw_imap (user);
  guint n = count_in (imap, "INBOX", id) + count_in (imap, "COI/Chats", id)
            + count_in (imap, "INBOX.COI.Chats", id);

  tern_imap_client_close (imap);
  return n;
}

typedef struct {
  TernStore *store;
  gint64     message;
  TernStoreDeliveryState state;
} StateWait;

static gboolean
state_reached (gpointer data)
{
  StateWait *w = data;
  g_autoptr(TernStoreMessageRow) row = tern_store_get_message (w->store, w->message, NULL);

  return row != NULL && row->state == w->state;
}

static gint64
send_text (Side       *side,
           const char *to,
           const char *text)
{
  const char *rcpt[] = { to, NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  tern_account_send_text_async (side->account, 0, rcpt, text, NULL, NULL, got_result, &result);
  id = tern_account_send_finish (side->account, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static TernStoreOutboxRow *
outbox_entry (TernStore            *store,
              gint64                account,
              gint64                message,
              TernStoreOutboxState  state)
{
  g_autoptr(GPtrArray) rows = tern_store_list_outbox (store, account, state, NULL);

  for (guint i = 0; rows != NULL && i < rows->len; i++)
    {
      TernStoreOutboxRow *row = rows->pdata[i];

      if (row->message_id == message)
        return tern_store_outbox_row_copy (row);
    }
  return NULL;
}

typedef struct {
  const char *user;
  const char *id;
  guint       want;
} CountWait;

static gboolean
count_reached (gpointer data)
{
  CountWait *w = data;

  return count_at (w->user, w->id) >= w->want;
}

static void
test_send_text (void)
{
  Side alice = { 0 }, bob = { 0 };
  g_autofree char *text = g_strdup_printf ("hello bob %08x", g_random_int ());
  g_autoptr(TernStoreMessageRow) row = NULL;
  g_autoptr(TernStoreOutboxRow) entry = NULL;
  g_autoptr(TernStoreMessageRow) received = NULL;
  g_autoptr(TernImapClient) imap = NULL;
  g_autoptr(GPtrArray) locations = NULL;
  g_autofree char *bob_address = g_strdup_printf ("bob@%s", env ("TERN_TEST_DOMAIN"));
  const char *chats;
  StateWait w;
  CountWait c;
  gint64 id;

  side_open (&alice, "alice");
  id = send_text (&alice, bob_address, text);
  w.store = side_store (&alice);
  w.message = id;
  w.state = TERN_STORE_STATE_SENT;
  g_assert_true (wait_until (state_reached, &w, 60));
  row = tern_store_get_message (side_store (&alice), id, NULL);
  g_assert_cmpstr (row->text, ==, text);
  g_assert_true (row->outgoing);
  entry = outbox_entry (side_store (&alice), tern_account_get_id (alice.account), id,
                        TERN_STORE_OUTBOX_SENT);
  g_assert_nonnull (entry);
  g_assert_cmpuint (entry->attempts, ==, 1);

  /* The \Seen copy in alice's COI/Chats, its location recorded. */
  while (tern_outbox_is_busy (tern_outbox_get_for_account (alice.account)))
    g_main_context_iteration (NULL, TRUE);
  chats = tern_account_get_folder_name (alice.account, TERN_STORE_FOLDER_ROLE_CHATS);
  g_assert_nonnull (chats);
  imap = raw_imap ("alice");
  g_assert_cmpuint (count_in (imap, chats, row->message_id), ==, 1);
  tern_imap_client_close (imap);
  locations = tern_store_list_locations (side_store (&alice), id, NULL);
  g_assert_cmpuint (locations->len, ==, 1);

  /* bob gets it once; his own account stores it in the chat with alice. */
  c.user = "bob";
  c.id = row->message_id;
  c.want = 1;
  g_assert_true (wait_until (count_reached, &c, 30));
  g_assert_cmpuint (count_at ("bob", row->message_id), ==, 1);
  side_open (&bob, "bob");
  received = tern_store_find_message (side_store (&bob), tern_account_get_id (bob.account),
                                      row->message_id, NULL);
  g_assert_nonnull (received);
  g_assert_cmpstr (received->text, ==, text);
  g_assert_false (received->outgoing);
  g_assert_cmpstr (received->sender_address, ==, tern_account_get_address (alice.account));

  /* alice's next sync sees her copy: no new row, no new location. */
  {
    guint before = tern_store_count_messages (side_store (&alice), row->chat_id, NULL);
    g_autoptr(GPtrArray) after = NULL;

    side_sync (&alice);
    g_assert_cmpuint (tern_store_count_messages (side_store (&alice), row->chat_id, NULL), ==,
                      before);
    after = tern_store_list_locations (side_store (&alice), id, NULL);
    g_assert_cmpuint (after->len, ==, 1);
  }

  side_close (&bob);
  side_close (&alice);
}

static void
test_permanent_failure (void)
{
  Side alice = { 0 };
  g_autofree char *nobody = g_strdup_printf ("nosuchuser%08x@%s", g_random_int (),
                                             env ("TERN_TEST_DOMAIN"));
  g_autoptr(TernStoreOutboxRow) entry = NULL;
  StateWait w;
  gint64 id;

  side_open (&alice, "alice");
  id = send_text (&alice, nobody, "to nobody");
  w.store = side_store (&alice);
  w.message = id;
  w.state = TERN_STORE_STATE_FAILED;
  g_assert_true (wait_until (state_reached, &w, 60));
  entry = outbox_entry (side_store (&alice), tern_account_get_id (alice.account), id,
                        TERN_STORE_OUTBOX_FAILED);
  g_assert_nonnull (entry);
  g_assert_nonnull (entry->last_error);
  g_test_message ("server said: %s", entry->last_error);
  g_assert_true (entry->last_error[0] == '5');
  side_close (&alice);
}

/* bob accepted, a stranger refused: the message is SENT; the refused
 * recipient has a FAILED entry of its own with the server's reply. */
static void
test_one_recipient_refused (void)
{
  Side alice = { 0 };
  g_autofree char *bob_address = g_strdup_printf ("bob@%s", env ("TERN_TEST_DOMAIN"));
  g_autofree char *nobody = g_strdup_printf ("nosuchuser%08x@%s", g_random_int (),
                                             env ("TERN_TEST_DOMAIN"));
  const char *rcpt[] = { bob_address, nobody, NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TernStoreMessageRow) row = NULL;
  g_autoptr(GPtrArray) failed = NULL;
  TernStoreOutboxRow *refused = NULL;
  StateWait w;
  CountWait c;
  gint64 id;

  side_open (&alice, "alice");
  tern_account_send_text_async (alice.account, 0, rcpt, "to bob and a stranger", NULL, NULL,
                                got_result, &result);
  id = tern_account_send_finish (alice.account, wait_result (&result), &error);
  g_assert_no_error (error);
  w.store = side_store (&alice);
  w.message = id;
  w.state = TERN_STORE_STATE_SENT;
  g_assert_true (wait_until (state_reached, &w, 60));
  row = tern_store_get_message (w.store, id, NULL);
  failed = tern_store_list_outbox (w.store, tern_account_get_id (alice.account),
                                   TERN_STORE_OUTBOX_FAILED, NULL);
  for (guint i = 0; i < failed->len; i++)
    {
      TernStoreOutboxRow *e = failed->pdata[i];

      if (g_strcmp0 (e->rfc822_message_id, row->message_id) == 0)
        refused = e;
    }
  g_assert_nonnull (refused);
  g_assert_cmpint (refused->message_id, ==, 0);
  g_assert_cmpuint (g_strv_length (refused->recipients), ==, 1);
  g_assert_cmpstr (refused->recipients[0], ==, nobody);
  g_assert_true (g_str_has_prefix (refused->last_error, "550"));
  c.user = "bob";
  c.id = row->message_id;
  c.want = 1;
  g_assert_true (wait_until (count_reached, &c, 30));
  side_close (&alice);
}

static void
stack_switch (const char *what)
{
  g_autofree char *script = g_build_filename (env ("TERN_SOURCE_ROOT"), "tests", "stack",
                                              "tern-stack", NULL);
  const char *argv[] = { script, "smtp-defer", what, env ("TERN_TEST_STACK_DIR"), NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

typedef struct {
  TernStore *store;
  gint64     account;
  gint64     message;
} QueuedWait;

static gboolean
requeued (gpointer data)
{
  QueuedWait *w = data;
  g_autoptr(TernStoreOutboxRow) entry = outbox_entry (w->store, w->account, w->message,
                                                      TERN_STORE_OUTBOX_QUEUED);

  return entry != NULL && entry->attempts >= 1 && entry->last_error != NULL;
}

static void
test_deferred_then_sent (void)
{
  Side alice = { 0 };
  g_autofree char *bob_address = g_strdup_printf ("bob@%s", env ("TERN_TEST_DOMAIN"));
  g_autofree char *text = g_strdup_printf ("deferred %08x", g_random_int ());
  g_autoptr(TernStoreOutboxRow) entry = NULL;
  g_autoptr(TernStoreMessageRow) row = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  QueuedWait q;
  StateWait w;
  CountWait c;
  gint64 id;

  side_open (&alice, "alice");
  stack_switch ("on");
  id = send_text (&alice, bob_address, text);
  q.store = side_store (&alice);
  q.account = tern_account_get_id (alice.account);
  q.message = id;
  if (!wait_until (requeued, &q, 60))
    {
      stack_switch ("off");
      g_error ("the deferred message was not queued for a retry");
    }
  entry = outbox_entry (q.store, q.account, id, TERN_STORE_OUTBOX_QUEUED);
  g_test_message ("deferred: %s", entry->last_error);
  g_assert_nonnull (strstr (entry->last_error, "4"));
  /* The next try waits for the backoff (a minute at least). */
  g_assert_cmpint (entry->next_attempt, >=, g_get_real_time () / G_USEC_PER_SEC + 30);
  row = tern_store_get_message (q.store, id, NULL);
  g_assert_cmpint (row->state, ==, TERN_STORE_STATE_PENDING);
  stack_switch ("off");

  /* Retry now instead of waiting out the backoff. */
  tern_account_retry_async (alice.account, id, NULL, got_result, &result);
  tern_account_send_op_finish (alice.account, wait_result (&result), &error);
  g_assert_no_error (error);
  w.store = q.store;
  w.message = id;
  w.state = TERN_STORE_STATE_SENT;
  g_assert_true (wait_until (state_reached, &w, 60));
  c.user = "bob";
  c.id = row->message_id;
  c.want = 1;
  g_assert_true (wait_until (count_reached, &c, 30));
  g_usleep (G_USEC_PER_SEC);
  g_assert_cmpuint (count_at ("bob", row->message_id), ==, 1);
  side_close (&alice);
}

/* ---- killed mid-send ---------------------------------------------------------- */

static gboolean
outbox_idle (gpointer data)
{
  TernAccount *account = data;
  TernStore *store = tern_account_get_store (account);
  g_autoptr(GPtrArray) queued = tern_store_list_outbox (store, tern_account_get_id (account),
                                                        TERN_STORE_OUTBOX_QUEUED, NULL);
  g_autoptr(GPtrArray) sending = tern_store_list_outbox (store, tern_account_get_id (account),
                                                         TERN_STORE_OUTBOX_SENDING, NULL);

  return queued != NULL && queued->len == 0 && sending != NULL && sending->len == 0
         && !tern_outbox_is_busy (tern_outbox_get_for_account (account));
}

/* The child: opens the profile, queues TERN_SEND_CHILD_TEXT (if set) to
 * bob, and sends until the outbox is empty (or it is killed). */
static int
child_main (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TernContext) context = tern_context_new (dir, &error);
  g_autoptr(TernAccount) account = NULL;
  const char *text = g_getenv ("TERN_SEND_CHILD_TEXT");

  g_assert_no_error (error);
  account = g_list_model_get_item (tern_context_get_accounts (context), 0);
  g_assert_nonnull (account);
  tern_account_set_password_for_session (account, env ("TERN_TEST_PASSWORD"));
  if (text != NULL)
    {
      g_autofree char *bob = g_strdup_printf ("bob@%s", env ("TERN_TEST_DOMAIN"));
      const char *rcpt[] = { bob, NULL };
      g_autoptr(GAsyncResult) result = NULL;

      tern_account_send_text_async (account, 0, rcpt, text, NULL, NULL, got_result, &result);
      tern_account_send_finish (account, wait_result (&result), &error);
      g_assert_no_error (error);
    }
  tern_outbox_start (tern_outbox_get_for_account (account));
  if (!wait_until (outbox_idle, account, 120))
    return 1;
  tern_outbox_stop (tern_outbox_get_for_account (account));
  return 0;
}

static int
run_child (const char *self_exe,
           const char *dir,
           const char *text,
           guint       kill_after_ms)
{
  g_auto(GStrv) envp = g_get_environ ();
  const char *argv[] = { self_exe, NULL };
  g_autoptr(GError) error = NULL;
  GPid pid;
  int status = 0;

  envp = g_environ_setenv (envp, "TERN_SEND_CHILD_DIR", dir, TRUE);
  if (text != NULL)
    envp = g_environ_setenv (envp, "TERN_SEND_CHILD_TEXT", text, TRUE);
  g_spawn_async (NULL, (char **) argv, envp, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &error);
  g_assert_no_error (error);
  if (kill_after_ms > 0)
    {
      g_usleep (kill_after_ms * 1000);
      kill (pid, SIGKILL);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  return status;
}

static char *self_exe;

static void
test_killed_mid_send (void)
{
  Side alice = { 0 };
  g_autofree char *tag = g_strdup_printf ("%08x", g_random_int ());
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TernContext) context = NULL;
  g_autoptr(TernAccount) account = NULL;
  g_autoptr(GPtrArray) chats = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  Side bob = { 0 };
  guint duplicates = 0;
  gint64 bob_chat = 0;
  int status;

  side_open (&alice, "alice");
  dir = g_strdup (alice.dir);
  tern_account_stop (alice.account);
  g_clear_object (&alice.account);
  g_clear_object (&alice.context);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *text = g_strdup_printf ("killed %s %u", tag, i);

      run_child (self_exe, dir, text, g_random_int_range (50, 2500));
    }
  /* A last run without a kill sends whatever is left. */
  status = run_child (self_exe, dir, NULL, 0);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  /* Every message stored as queued arrived at bob: never lost. A second
   * copy can only come from a kill inside the documented window (after
   * the final "." of DATA reached Postfix, before the SENT commit: tens of
   * ms of the ~2.5 s each child lives); it carries the same Message-ID, so
   * bob's Tern shows each message exactly once. */
  context = tern_context_new (dir, &error);
  g_assert_no_error (error);
  account = g_list_model_get_item (tern_context_get_accounts (context), 0);
  chats = tern_store_list_chats (tern_context_get_store (context), tern_account_get_id (account),
                                 TERN_STORE_CHAT_FILTER_ALL, 0, 0, &error);
  g_assert_no_error (error);
  for (guint c = 0; c < chats->len; c++)
    {
      TernStoreChatRow *chat = chats->pdata[c];
      g_autoptr(GPtrArray) rows = tern_store_get_messages (tern_context_get_store (context),
                                                           chat->id, NULL, 1000, NULL);

      for (guint i = 0; rows != NULL && i < rows->len; i++)
        {
          TernStoreMessageRow *row = rows->pdata[i];
          g_autofree char *prefix = g_strdup_printf ("killed %s ", tag);
          CountWait cw = { "bob", row->message_id, 1 };
          guint copies;

          if (!row->outgoing || row->text == NULL || !g_str_has_prefix (row->text, prefix))
            continue;
          g_assert_cmpint (row->state, ==, TERN_STORE_STATE_SENT);
          g_assert_true (wait_until (count_reached, &cw, 30));
          copies = count_at ("bob", row->message_id);
          g_assert_cmpuint (copies, >=, 1);
          g_assert_cmpuint (copies, <=, 2);
          duplicates += copies - 1;
          g_ptr_array_add (ids, g_strdup (row->message_id));
        }
    }
  g_test_message ("%u messages were queued before their sender was killed; each arrived, "
                  "%u twice (killed inside the SMTP-accepted..SENT window)", ids->len, duplicates);
  g_assert_cmpuint (ids->len, >=, 5);
  g_assert_cmpuint (duplicates, <=, 3);

  /* bob's Tern: one row per Message-ID, whatever the copies. */
  side_open (&bob, "bob");
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(TernStoreMessageRow) got =
        tern_store_find_message (side_store (&bob), tern_account_get_id (bob.account),
                                 ids->pdata[i], NULL);

      g_assert_nonnull (got);
      bob_chat = got->chat_id;
    }
  {
    g_autoptr(GPtrArray) rows = tern_store_get_messages (side_store (&bob), bob_chat, NULL, 10000,
                                                         NULL);
    g_autofree char *prefix = g_strdup_printf ("killed %s ", tag);
    guint n = 0;

    for (guint i = 0; rows != NULL && i < rows->len; i++)
      if (((TernStoreMessageRow *) rows->pdata[i])->text != NULL
          && g_str_has_prefix (((TernStoreMessageRow *) rows->pdata[i])->text, prefix))
        n++;
    g_assert_cmpuint (n, ==, ids->len);
  }
  side_close (&bob);
  g_clear_object (&account);
  g_clear_object (&context);
  remove_tree (dir);
  g_free (alice.dir);
}

/* ---- the copy of a sent message: an APPEND that fails is tried later --------- */

static void
raw_mailbox_op (const char *user,
                const char *mailbox,
                gboolean    create)
{
  g_autoptr(TernImapClient) imap = raw_imap (user);
  g_autoptr(GAsyncResult) r = NULL;
  g_autoptr(GError) error = NULL;

  if (create)
    {
      tern_imap_client_create_async (imap, mailbox, NULL, got_result, &r);
      tern_imap_client_create_finish (imap, wait_result (&r), &error);
    }
  else
    {
      tern_imap_client_delete_async (imap, mailbox, NULL, got_result, &r);
      tern_imap_client_delete_finish (imap, wait_result (&r), &error);
    }
  g_assert_no_error (error);
  tern_imap_client_close (imap);
}

/* The APPEND entries (outbox entries holding a sent message's copy) of
 * Message-ID @id, in any state. */
static GPtrArray *
append_entries (TernStore  *store,
                gint64      account,
                const char *id)
{
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) tern_store_outbox_row_free);

  for (int state = TERN_STORE_OUTBOX_QUEUED; state <= TERN_STORE_OUTBOX_FAILED; state++)
    {
      g_autoptr(GPtrArray) rows = tern_store_list_outbox (store, account, state, NULL);

      for (guint i = 0; rows != NULL && i < rows->len; i++)
        {
          TernStoreOutboxRow *row = rows->pdata[i];

          if (tern_outbox_row_is_append (row) && g_strcmp0 (row->rfc822_message_id, id) == 0)
            g_ptr_array_add (found, tern_store_outbox_row_copy (row));
        }
    }
  return found;
}

typedef struct {
  TernStore  *store;
  gint64      account;
  const char *id;
} AppendWait;

static gboolean
no_append_left (gpointer data)
{
  AppendWait *w = data;
  g_autoptr(GPtrArray) left = append_entries (w->store, w->account, w->id);

  return left->len == 0;
}

/* alice's COI/Chats is gone when she sends: SMTP accepts, the APPEND gets
 * NO [TRYCREATE]. The message is SENT (bob has it once), its copy waits in
 * an APPEND entry with the error; once the folder is back and the entry is
 * due, the copy is appended once, its location recorded, the entry gone,
 * and bob still has exactly one copy (SMTP was not used again). */
static void
test_append_failed_then_retried (void)
{
  Side alice = { 0 };
  g_autofree char *bob_address = g_strdup_printf ("bob@%s", env ("TERN_TEST_DOMAIN"));
  g_autofree char *text = g_strdup_printf ("copy later %08x", g_random_int ());
  g_autoptr(TernStoreMessageRow) row = NULL;
  g_autoptr(GPtrArray) waiting = NULL;
  g_autoptr(GPtrArray) locations = NULL;
  g_autoptr(TernImapClient) imap = NULL;
  g_autofree char *chats = NULL;
  TernOutbox *outbox;
  TernStoreOutboxRow *entry;
  StateWait w;
  CountWait c;
  AppendWait a;
  gint64 id, account;

  side_open (&alice, "alice");
  account = tern_account_get_id (alice.account);
  outbox = tern_outbox_get_for_account (alice.account);
  chats = g_strdup (tern_account_get_folder_name (alice.account, TERN_STORE_FOLDER_ROLE_CHATS));
  g_assert_nonnull (chats);
  raw_mailbox_op ("alice", chats, FALSE);

  id = send_text (&alice, bob_address, text);
  w.store = side_store (&alice);
  w.message = id;
  w.state = TERN_STORE_STATE_SENT;
  g_assert_true (wait_until (state_reached, &w, 60));
  while (tern_outbox_is_busy (outbox))
    g_main_context_iteration (NULL, TRUE);
  row = tern_store_get_message (w.store, id, NULL);
  g_assert_cmpint (row->state, ==, TERN_STORE_STATE_SENT);

  waiting = append_entries (w.store, account, row->message_id);
  g_assert_cmpuint (waiting->len, ==, 1);
  entry = waiting->pdata[0];
  g_assert_cmpint (entry->state, ==, TERN_STORE_OUTBOX_QUEUED);
  g_assert_nonnull (entry->raw);
  g_assert_nonnull (entry->last_error);
  g_test_message ("APPEND failed: %s", entry->last_error);
  g_assert_cmpint (entry->next_attempt, >, g_get_real_time () / G_USEC_PER_SEC);
  c.user = "bob";
  c.id = row->message_id;
  c.want = 1;
  g_assert_true (wait_until (count_reached, &c, 30));

  /* the folder is back; the entry is made due (instead of waiting a minute) */
  raw_mailbox_op ("alice", chats, TRUE);
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (w.store);
    g_autoptr(GAsyncResult) r = NULL;
    g_autoptr(GError) error = NULL;

    tern_store_batch_outbox_retry (batch, entry->id, entry->last_error,
                                   g_get_real_time () / G_USEC_PER_SEC);
    tern_store_commit_async (w.store, batch, NULL, got_result, &r);
    tern_store_commit_finish (w.store, wait_result (&r), &error);
    g_assert_no_error (error);
  }
  tern_outbox_kick (outbox);
  a.store = w.store;
  a.account = account;
  a.id = row->message_id;
  g_assert_true (wait_until (no_append_left, &a, 60));
  while (tern_outbox_is_busy (outbox))
    g_main_context_iteration (NULL, TRUE);

  imap = raw_imap ("alice");
  g_assert_cmpuint (count_in (imap, chats, row->message_id), ==, 1);
  tern_imap_client_close (imap);
  locations = tern_store_list_locations (w.store, id, NULL);
  g_assert_cmpuint (locations->len, ==, 1);
  g_assert_cmpuint (count_at ("bob", row->message_id), ==, 1);
  {
    g_autoptr(TernStoreMessageRow) after = tern_store_get_message (w.store, id, NULL);

    g_assert_cmpint (after->state, ==, TERN_STORE_STATE_SENT);
  }
  side_close (&alice);
}

int
main (int   argc,
      char *argv[])
{
  if (g_getenv ("TERN_SEND_CHILD_DIR") != NULL)
    {
      g_mime_init ();
      return child_main (g_getenv ("TERN_SEND_CHILD_DIR"));
    }
  self_exe = g_canonicalize_filename (argv[0], NULL);
  g_test_init (&argc, &argv, NULL);
  g_mime_init ();
  env ("TERN_TEST_HOST");
  tern_ingest_install ();
  g_test_add_func ("/core/live/send/killed-mid-send", test_killed_mid_send);
  g_test_add_func ("/core/live/send/text", test_send_text);
  g_test_add_func ("/core/live/send/permanent-failure", test_permanent_failure);
  g_test_add_func ("/core/live/send/deferred-then-sent", test_deferred_then_sent);
  g_test_add_func ("/core/live/send/one-recipient-refused", test_one_recipient_refused);
  g_test_add_func ("/core/live/send/append-failed-then-retried", test_append_failed_then_retried);
  return g_test_run ();
}
