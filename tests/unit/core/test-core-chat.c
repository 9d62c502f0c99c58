/* SPDX-License-Identifier: GPL-3.0-or-later */
/* TernChat against a real store: a 1:1 chat without a picture of its own
 * shows its contact's, follows the contact's picture through the chat
 * list's updates, and its own picture wins; groups never borrow one. */
#include "config.h"

#include "store-test-util.h"
#include "tern-chat-list.h"

typedef struct
{
  char      *dir;
  TernStore *store;
  gint64     account;
  gint64     bob, carol;               /* contacts */
  gint64     bob_chat, carol_chat, group;
  char      *bob_avatar;               /* hashes */
  char      *carol_avatar;
  char      *group_avatar;
} Fixture;

static void
flush_signals (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
commit (Fixture        *f,
        TernStoreBatch *batch)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tern_store_commit (f->store, batch, &error));
  g_assert_no_error (error);
  flush_signals ();
}

static char *
add_picture (TernStoreBatch *batch,
             const char     *contents)
{
  g_autoptr(GBytes) bytes = g_bytes_new (contents, strlen (contents));

  return tern_store_batch_add_file (batch, bytes);
}

static void
set_contact_avatar (Fixture    *f,
                    gint64      contact,
                    const char *contents,
                    char      **hash)
{
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  TernStoreContactRow values = { 0 };

  g_free (*hash);
  *hash = contents ? add_picture (batch, contents) : NULL;
  values.avatar = *hash;
  tern_store_batch_update_contact (batch, contact, TERN_STORE_CONTACT_FIELD_AVATAR, &values);
  commit (f, batch);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TernStoreBatch) batch = NULL;
  gint64 bob, carol, bob_chat, carol_chat, group;

  f->dir = store_test_tmpdir ();
  f->store = tern_store_open (f->dir, &error);
  g_assert_no_error (error);
  f->account = store_test_add_account (f->store, "me@example.test");

  batch = tern_store_begin_batch (f->store);
  bob = tern_store_batch_ensure_contact (batch, f->account, "bob@example.test", "Bob");
  carol = tern_store_batch_ensure_contact (batch, f->account, "carol@example.test", "Carol");
  bob_chat = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_DIRECT,
                                           "bob@example.test", "Bob", bob);
  carol_chat = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_DIRECT,
                                             "carol@example.test", "Carol", carol);
  group = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_GROUP,
                                        "group-0001", "Friends", 0);
  tern_store_batch_set_chat_member (batch, group, bob, TRUE);
  commit (f, batch);
  f->bob = tern_store_batch_get_id (batch, bob);
  f->carol = tern_store_batch_get_id (batch, carol);
  f->bob_chat = tern_store_batch_get_id (batch, bob_chat);
  f->carol_chat = tern_store_batch_get_id (batch, carol_chat);
  f->group = tern_store_batch_get_id (batch, group);

  set_contact_avatar (f, f->bob, "bob's picture", &f->bob_avatar);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  flush_signals ();
  tern_store_close (f->store);
  g_assert_finalize_object (f->store);
  store_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->bob_avatar);
  g_free (f->carol_avatar);
  g_free (f->group_avatar);
}

static TernChat *
chat_new (Fixture *f,
          gint64   id)
{
  g_autoptr(TernStoreChatRow) row = tern_store_get_chat (f->store, id, NULL);

  g_assert_nonnull (row);
  return tern_chat_new_from_row (f->store, row);
}

static char *
path_of (Fixture    *f,
         const char *hash)
{
  return tern_store_get_attachment_path (f->store, hash);
}

static char *
property_path (TernChat *chat)
{
  char *path = NULL;

  g_object_get (chat, "avatar-path", &path, NULL);
  return path;
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

/* Bob's chat has no picture: Bob's shows, by getter and property; the
 * file is there. Carol has none: nothing. The group borrows nobody's. */
static void
test_fallback (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(TernChat) bob_chat = chat_new (f, f->bob_chat);
  g_autoptr(TernChat) carol_chat = chat_new (f, f->carol_chat);
  g_autoptr(TernChat) group = chat_new (f, f->group);
  g_autofree char *expected = path_of (f, f->bob_avatar);
  g_autofree char *property = property_path (bob_chat);
  g_autofree char *contents = NULL;

  g_assert_nonnull (expected);
  g_assert_cmpstr (tern_chat_get_avatar_path (bob_chat), ==, expected);
  g_assert_cmpstr (property, ==, expected);
  g_assert_true (g_file_get_contents (expected, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "bob's picture");
  g_assert_null (tern_chat_get_avatar_path (carol_chat));
  g_assert_null (tern_chat_get_avatar_path (group));
}

/* Through the chat list (what the window shows): the contact's new
 * picture is notified and shown; one removed goes; the chat's own picture
 * wins over the contact's. */
static void
test_follows_contact (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(TernChatList) list = tern_chat_list_new (f->store, 0, TERN_STORE_CHAT_FILTER_ALL);
  g_autoptr(TernChat) bob_chat = NULL;
  g_autoptr(TernChat) carol_chat = NULL;
  g_autoptr(TernChat) group = NULL;
  guint bob_notified = 0, carol_notified = 0, group_notified = 0;

  /* Loaded into the list's table as the window's rows do. */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    {
      g_autoptr(TernChat) chat = g_list_model_get_item (G_LIST_MODEL (list), i);

      if (tern_chat_get_id (chat) == f->bob_chat)
        bob_chat = g_object_ref (chat);
      else if (tern_chat_get_id (chat) == f->carol_chat)
        carol_chat = g_object_ref (chat);
      else if (tern_chat_get_id (chat) == f->group)
        group = g_object_ref (chat);
    }
  g_assert_nonnull (bob_chat);
  g_assert_nonnull (carol_chat);
  g_assert_nonnull (group);
  g_assert_nonnull (tern_chat_get_avatar_path (bob_chat));
  g_assert_null (tern_chat_get_avatar_path (carol_chat));
  g_assert_null (tern_chat_get_avatar_path (group));
  g_signal_connect (bob_chat, "notify::avatar-path", G_CALLBACK (count_notify), &bob_notified);
  g_signal_connect (carol_chat, "notify::avatar-path", G_CALLBACK (count_notify), &carol_notified);
  g_signal_connect (group, "notify::avatar-path", G_CALLBACK (count_notify), &group_notified);

  /* Carol gets a picture: her chat shows it; Bob's chat is not disturbed. */
  set_contact_avatar (f, f->carol, "carol's picture", &f->carol_avatar);
  {
    g_autofree char *expected = path_of (f, f->carol_avatar);

    g_assert_cmpuint (carol_notified, ==, 1);
    g_assert_cmpstr (tern_chat_get_avatar_path (carol_chat), ==, expected);
    g_assert_cmpuint (bob_notified, ==, 0);
    g_assert_cmpuint (group_notified, ==, 0);
  }

  /* Bob changes his picture. */
  set_contact_avatar (f, f->bob, "bob's new picture", &f->bob_avatar);
  {
    g_autofree char *expected = path_of (f, f->bob_avatar);

    g_assert_cmpuint (bob_notified, ==, 1);
    g_assert_cmpstr (tern_chat_get_avatar_path (bob_chat), ==, expected);
  }

  /* Bob removes it. */
  set_contact_avatar (f, f->bob, NULL, &f->bob_avatar);
  g_assert_cmpuint (bob_notified, ==, 2);
  g_assert_null (tern_chat_get_avatar_path (bob_chat));

  /* Carol's chat gets its own picture: that one shows. */
  {
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    TernStoreChatRow values = { 0 };
    g_autofree char *expected = NULL;

    f->group_avatar = add_picture (batch, "a picture for the chat with Carol");
    values.avatar = f->group_avatar;
    tern_store_batch_update_chat (batch, f->carol_chat, TERN_STORE_CHAT_FIELD_AVATAR, &values);
    commit (f, batch);
    expected = path_of (f, f->group_avatar);
    g_assert_cmpuint (carol_notified, ==, 2);
    g_assert_cmpstr (tern_chat_get_avatar_path (carol_chat), ==, expected);
  }
  /* A change of Carol's picture no longer matters to it. */
  set_contact_avatar (f, f->carol, "carol's other picture", &f->carol_avatar);
  g_assert_cmpuint (carol_notified, ==, 2);
  g_assert_cmpuint (group_notified, ==, 0);

  g_signal_handlers_disconnect_by_func (bob_chat, count_notify, &bob_notified);
  g_signal_handlers_disconnect_by_func (carol_chat, count_notify, &carol_notified);
  g_signal_handlers_disconnect_by_func (group, count_notify, &group_notified);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/core/chat/avatar-fallback", Fixture, NULL,
              fixture_setup, test_fallback, fixture_teardown);
  g_test_add ("/core/chat/avatar-follows-contact", Fixture, NULL,
              fixture_setup, test_follows_contact, fixture_teardown);

  return g_test_run ();
}
