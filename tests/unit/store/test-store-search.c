/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "store-test-util.h"
#include "tern-store-private.h"

typedef struct {
  char      *dir;
  TernStore *store;
  gint64     account;
  gint64     other_account;
  gint64     chat;
  gint64     ids[8];
} Fixture;

static const char *const texts[] = {
  "We met at the Café de Flore yesterday",                          /* 0 */
  "cafe cafe CAFE: the best café is the one you share",             /* 1 */
  "A long message about many things, trains, weather, books, and somewhere a cafe", /* 2 */
  "Nothing to see here",                                            /* 3 */
  "Crème brûlée for dessert",                                       /* 4 */
  "naïve coöperation über alles",                                   /* 5 */
  "Zürich and Ærøskøbing",                                          /* 6 */
};

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TernStoreBatch) batch = NULL;
  gint64 chat, other_chat, bob;
  gint64 refs[G_N_ELEMENTS (texts)];

  f->dir = store_test_tmpdir ();
  f->store = tern_store_open (f->dir, &error);
  g_assert_no_error (error);
  f->account = store_test_add_account (f->store, "alice@example.test");
  f->other_account = store_test_add_account (f->store, "alice@coi.test");

  batch = tern_store_begin_batch (f->store);
  chat = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_GROUP, "g1",
                                       "Wandergruppe Köln", 0);
  bob = tern_store_batch_ensure_contact (batch, f->account, "bob@example.test", "Renée Ødegård");
  tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_DIRECT, "bob@example.test",
                                NULL, bob);
  other_chat = tern_store_batch_ensure_chat (batch, f->other_account, TERN_STORE_CHAT_KIND_GROUP,
                                             "g2", "Koln elsewhere", 0);
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *mid = g_strdup_printf ("s%u@x", i);
      TernStoreMessageRow row = store_test_message (f->account, chat, mid, texts[i], 100 + i, TRUE,
                                                    FALSE);
      refs[i] = tern_store_batch_add_message (batch, &row, 0, 0);
    }
  {
    TernStoreMessageRow row = store_test_message (f->other_account, other_chat, "o@x",
                                                  "cafe in the other account", 50, TRUE, FALSE);
    f->ids[7] = tern_store_batch_add_message (batch, &row, 0, 0);
  }
  tern_store_commit (f->store, batch, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    f->ids[i] = tern_store_batch_get_id (batch, refs[i]);
  f->ids[7] = tern_store_batch_get_id (batch, f->ids[7]);
  f->chat = tern_store_batch_get_id (batch, chat);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  tern_store_close (f->store);
  g_assert_finalize_object (f->store);
  store_test_rm_rf (f->dir);
  g_free (f->dir);
}

static GPtrArray *
search (Fixture    *f,
        gint64      account,
        const char *query)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *hits = tern_store_search_messages (f->store, account, query, 20, &error);

  g_assert_no_error (error);
  g_assert_nonnull (hits);
  return hits;
}

static gint64
hit_id (GPtrArray *hits,
        guint      i)
{
  return ((TernStoreSearchHit *) hits->pdata[i])->message_id;
}

static void
test_diacritics (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) cafe = search (f, f->account, "cafe");
  g_autoptr(GPtrArray) cafe_accent = search (f, f->account, "CAFÉ");
  g_autoptr(GPtrArray) creme = search (f, f->account, "creme brulee");
  g_autoptr(GPtrArray) zurich = search (f, f->account, "zurich aeroskobing");
  g_autoptr(GPtrArray) zur = search (f, f->account, "zur");
  g_autoptr(GPtrArray) naive = search (f, f->account, "NAIVE uber");

  /* "Café", "cafe", "CAFE" are one word; the other account is not searched. */
  g_assert_cmpuint (cafe->len, ==, 3);
  g_assert_cmpuint (cafe_accent->len, ==, 3);
  for (guint i = 0; i < cafe->len; i++)
    g_assert_cmpint (hit_id (cafe, i), ==, hit_id (cafe_accent, i));
  g_assert_cmpuint (creme->len, ==, 1);
  g_assert_cmpint (hit_id (creme, 0), ==, f->ids[4]);
  g_assert_cmpuint (naive->len, ==, 1);
  g_assert_cmpint (hit_id (naive, 0), ==, f->ids[5]);
  g_assert_cmpuint (zur->len, ==, 1);
  g_assert_cmpint (hit_id (zur, 0), ==, f->ids[6]);
  /* remove_diacritics folds ø/æ only where Unicode decomposes them: "Ærøskøbing"
   * does not become "aeroskobing", so this must not match. */
  g_assert_cmpuint (zurich->len, ==, 0);
}

static void
test_ranking (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) hits = search (f, f->account, "cafe");
  g_autoptr(GPtrArray) all = search (f, 0, "cafe");

  /* Four times in a short text beats once in a short text beats once in a long one. */
  g_assert_cmpuint (hits->len, ==, 3);
  g_assert_cmpint (hit_id (hits, 0), ==, f->ids[1]);
  g_assert_cmpint (hit_id (hits, 1), ==, f->ids[0]);
  g_assert_cmpint (hit_id (hits, 2), ==, f->ids[2]);
  for (guint i = 1; i < hits->len; i++)
    g_assert_cmpfloat (((TernStoreSearchHit *) hits->pdata[i - 1])->rank, <=,
                       ((TernStoreSearchHit *) hits->pdata[i])->rank);
  g_assert_cmpint (((TernStoreSearchHit *) hits->pdata[0])->chat_id, ==, f->chat);
  /* The snippet marks the match. */
  g_assert_nonnull (strstr (((TernStoreSearchHit *) hits->pdata[1])->snippet,
                            TERN_STORE_SNIPPET_START "Café" TERN_STORE_SNIPPET_END));
  g_assert_cmpuint (all->len, ==, 4);

  {
    g_autoptr(GPtrArray) limited = tern_store_search_messages (f->store, 0, "cafe", 2, NULL);
    g_assert_cmpuint (limited->len, ==, 2);
  }
}

static void
test_syntax_is_text (Fixture       *f,
                     gconstpointer  data)
{
  const char *queries[] = { "\"", "cafe\"", "NEAR(cafe", "*", "cafe OR", "AND", "-cafe",
                            "col:cafe", "^cafe", "(", ")", "", "   ", "caf\xc3", NULL };

  for (guint i = 0; queries[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) hits = tern_store_search_messages (f->store, 0, queries[i], 10, &error);

      g_assert_no_error (error);
      g_assert_nonnull (hits);
    }
  {
    /* All words required; the last one (still being typed) is a prefix. */
    g_autoptr(GPtrArray) hits = search (f, 0, "cafe flo");
    g_autoptr(GPtrArray) whole = search (f, 0, "caf flore");

    g_assert_cmpuint (hits->len, ==, 1);
    g_assert_cmpint (hit_id (hits, 0), ==, f->ids[0]);
    g_assert_cmpuint (whole->len, ==, 0);
  }
  {
    /* A word the tokenizer cuts in two matches both parts, not a phrase. */
    g_autoptr(GPtrArray) hits = search (f, 0, "Café-de");

    g_assert_cmpuint (hits->len, ==, 1);
    g_assert_cmpint (hit_id (hits, 0), ==, f->ids[0]);
  }
}

static void
test_chats (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GArray) koln = tern_store_search_chats (f->store, f->account, "koln", 10, NULL);
  g_autoptr(GArray) koln_all = tern_store_search_chats (f->store, 0, "KÖLN", 10, NULL);
  g_autoptr(GArray) renee = tern_store_search_chats (f->store, 0, "renee", 10, NULL);
  g_autoptr(GArray) by_address = tern_store_search_chats (f->store, 0, "bob", 10, NULL);

  g_assert_cmpuint (koln->len, ==, 1);
  g_assert_cmpint (g_array_index (koln, gint64, 0), ==, f->chat);
  g_assert_cmpuint (koln_all->len, ==, 2);
  /* The 1:1 chat is found by its peer's name and address. */
  g_assert_cmpuint (renee->len, ==, 1);
  g_assert_cmpuint (by_address->len, ==, 1);
  g_assert_cmpint (g_array_index (renee, gint64, 0), ==, g_array_index (by_address, gint64, 0));

  {
    /* Renaming reindexes. */
    g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
    TernStoreChatRow values = { .name = (char *) "Lesekreis" };
    g_autoptr(GArray) old = NULL;
    g_autoptr(GArray) renamed = NULL;

    tern_store_batch_update_chat (batch, f->chat, TERN_STORE_CHAT_FIELD_NAME, &values);
    tern_store_commit (f->store, batch, NULL);
    old = tern_store_search_chats (f->store, f->account, "koln", 10, NULL);
    renamed = tern_store_search_chats (f->store, f->account, "lese", 10, NULL);
    g_assert_cmpuint (old->len, ==, 0);
    g_assert_cmpuint (renamed->len, ==, 1);
  }
}

static void
search_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = tern_store_search_messages_finish (TERN_STORE (object), result, &error);
  g_assert_no_error (error);
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) hits = NULL;

  tern_store_search_messages_async (f->store, f->account, "dessert", 5, NULL, search_cb, &hits);
  while (hits == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpint (hit_id (hits, 0), ==, f->ids[4]);
}

/* Ranking looks at the 1,000 most recently stored matches only. */
/* The snippet comes from the text, not the subject ("Chat: ..." lines). */
static void
test_snippet_from_text (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  g_autoptr(GPtrArray) hits = NULL;
  TernStoreMessageRow row = store_test_message (f->account, f->chat, "subj@x",
                                                "Saw a marmoset at the zoo today", 5000, TRUE, FALSE);
  TernStoreMessageRow only = store_test_message (f->account, f->chat, "subj2@x", NULL, 5001, TRUE, FALSE);

  row.subject = (char *) "Chat: Saw a marmoset";
  only.subject = (char *) "Marmoset sighting report";
  tern_store_batch_add_message (batch, &row, 0, 0);
  tern_store_batch_add_message (batch, &only, 0, 0);
  g_assert_true (tern_store_commit (f->store, batch, NULL));

  hits = search (f, 0, "marmoset");
  g_assert_cmpuint (hits->len, ==, 2);
  for (guint i = 0; i < hits->len; i++)
    {
      const char *snippet = ((TernStoreSearchHit *) hits->pdata[i])->snippet;

      g_assert_null (strstr (snippet, "Chat:"));
      g_assert_nonnull (strstr (snippet, TERN_STORE_SNIPPET_START));
    }
}

static void
test_window (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 oldest_in_window;

  for (guint i = 0; i < 1200; i++)
    {
      g_autofree char *mid = g_strdup_printf ("w%u@x", i);
      /* The oldest match is the best one (the word three times, short). */
      const char *text = i == 0 ? "frequent frequent frequent" : "frequent and many other words here";
      TernStoreMessageRow row = store_test_message (f->account, f->chat, mid, text, 1000 + i, TRUE, FALSE);
      gint64 ref = tern_store_batch_add_message (batch, &row, 0, 0);

      g_array_append_val (ids, ref);
    }
  g_assert_true (tern_store_commit (f->store, batch, NULL));
  oldest_in_window = tern_store_batch_get_id (batch, g_array_index (ids, gint64, 200));

  hits = search (f, 0, "frequent");
  g_assert_cmpuint (hits->len, ==, 20);
  for (guint i = 0; i < hits->len; i++)
    g_assert_cmpint (hit_id (hits, i), >=, oldest_in_window);
}

/* New chats and contacts are indexed at the end of their batch (schema 9),
 * and before anything in the same batch renames or deletes them: the
 * index stays consistent and finds the final names. */
static void
test_names_in_one_batch (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);
  TernStoreChatRow chat_values = { .name = (char *) "Bergsteiger" };
  TernStoreContactRow contact_values = { .display_name = (char *) "Ingrid Nyström" };
  gint64 renamed, gone, kept, contact;
  sqlite3 *raw;

  renamed = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_GROUP, "n1",
                                          "Kletterhalle", 0);
  gone = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_GROUP, "n2",
                                       "Schachclub", 0);
  contact = tern_store_batch_ensure_contact (batch, f->account, "ingrid@example.test", "Ingrid");
  kept = tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_DIRECT,
                                       "ingrid@example.test", NULL, contact);
  tern_store_batch_update_chat (batch, renamed, TERN_STORE_CHAT_FIELD_NAME, &chat_values);
  tern_store_batch_delete_chat (batch, gone);
  tern_store_batch_update_contact (batch, contact, TERN_STORE_CONTACT_FIELD_DISPLAY_NAME,
                                   &contact_values);
  tern_store_batch_ensure_chat (batch, f->account, TERN_STORE_CHAT_KIND_GROUP, "n3", "Chorprobe", 0);
  tern_store_commit (f->store, batch, &error);
  g_assert_no_error (error);

  raw = store_test_open_raw (f->dir);
  store_test_assert_fts_ok (raw);
  sqlite3_close (raw);
  {
    g_autoptr(GArray) old = tern_store_search_chats (f->store, f->account, "kletterhalle", 10, NULL);
    g_autoptr(GArray) now = tern_store_search_chats (f->store, f->account, "bergsteiger", 10, NULL);
    g_autoptr(GArray) deleted = tern_store_search_chats (f->store, f->account, "schachclub", 10, NULL);
    g_autoptr(GArray) last = tern_store_search_chats (f->store, f->account, "chorprobe", 10, NULL);
    g_autoptr(GArray) person = tern_store_search_chats (f->store, f->account, "nystrom", 10, NULL);

    g_assert_cmpuint (old->len, ==, 0);
    g_assert_cmpuint (now->len, ==, 1);
    g_assert_cmpint (g_array_index (now, gint64, 0), ==, tern_store_batch_get_id (batch, renamed));
    g_assert_cmpuint (deleted->len, ==, 0);
    g_assert_cmpuint (last->len, ==, 1);
    /* The 1:1 chat by its peer's new name. */
    g_assert_cmpuint (person->len, ==, 1);
    g_assert_cmpint (g_array_index (person, gint64, 0), ==, tern_store_batch_get_id (batch, kept));
  }
}

/* A sync batch only adds a segment to the message index (schema 9); the
 * store merges them when it has had nothing to do for a second, and the
 * index then answers the same. */
static gint64 *
sorted_hit_ids (GPtrArray *hits)
{
  gint64 *ids = g_new0 (gint64, hits->len + 1);

  for (guint i = 0; i < hits->len; i++)
    ids[i] = hit_id (hits, i);
  for (guint i = 1; i < hits->len; i++)
    for (guint j = i; j > 0 && ids[j - 1] > ids[j]; j--)
      {
        gint64 t = ids[j];
        ids[j] = ids[j - 1];
        ids[j - 1] = t;
      }
  return ids;
}

static void
test_idle_merge (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autofree gint64 *ids_before = NULL;
  g_autofree gint64 *ids_after = NULL;
  sqlite3 *raw;
  gint64 pages_before, pages;
  gint64 waited = 0;

  for (guint b = 0; b < 40; b++)
    {
      g_autoptr(TernStoreBatch) batch = tern_store_begin_batch (f->store);

      for (guint i = 0; i < 3; i++)
        {
          g_autofree char *mid = g_strdup_printf ("merge%u.%u@x", b, i);
          g_autofree char *text = g_strdup_printf ("tundra word%u and word%u", b, i);
          TernStoreMessageRow row = store_test_message (f->account, f->chat, mid, text,
                                                        1000 + b * 3 + i, TRUE, FALSE);

          tern_store_batch_add_message (batch, &row, 0, 0);
        }
      tern_store_commit (f->store, batch, &error);
      g_assert_no_error (error);
    }

  raw = store_test_open_raw (f->dir);
  pages_before = store_test_query_int (raw, "SELECT COUNT(*) FROM messages_fts_data");
  before = search (f, f->account, "tundra");
  g_assert_cmpuint (before->len, ==, 20);  /* the limit: all 120 match */
  ids_before = sorted_hit_ids (before);

  /* No call: the store thread merges after a second without work. */
  do
    {
      g_usleep (100 * 1000);
      waited += 100;
      pages = store_test_query_int (raw, "SELECT COUNT(*) FROM messages_fts_data");
    }
  while (pages >= pages_before && waited < 10000);
  g_assert_cmpint (pages, <, pages_before / 2);

  g_assert_true (tern_store_merge_search_index (f->store, &error));
  g_assert_no_error (error);
  store_test_assert_fts_ok (raw);
  after = search (f, f->account, "tundra");
  ids_after = sorted_hit_ids (after);
  g_assert_cmpmem (ids_before, before->len * sizeof (gint64), ids_after, after->len * sizeof (gint64));
  {
    g_autoptr(GPtrArray) last = search (f, f->account, "word39");
    g_assert_cmpuint (last->len, ==, 3);  /* the last batch */
  }
  sqlite3_close (raw);
}

static void
test_query_builder (void)
{
  struct { const char *in; const char *out; } cases[] = {
    { "hello", "\"hello\"*" },
    { "  two   words ", "\"two\" \"words\"*" },
    { "say \"hi\"", "\"say\" \"hi\"*" },
    { "e-mail to Zoë", "\"e\" \"mail\" \"to\" \"Zoë\"*" },
    { "NEAR(a b) OR c*", "\"NEAR\" \"a\" \"b\" \"OR\" \"c\"*" },
    { "- * ( )", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *q = tern_store_fts_query (cases[i].in);
      g_assert_cmpstr (q, ==, cases[i].out);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/store/search/diacritics", test_diacritics);
  ADD ("/store/search/ranking", test_ranking);
  ADD ("/store/search/syntax-is-text", test_syntax_is_text);
  ADD ("/store/search/chats", test_chats);
  ADD ("/store/search/async", test_async);
  ADD ("/store/search/window", test_window);
  ADD ("/store/search/snippet-from-text", test_snippet_from_text);
  ADD ("/store/search/idle-merge", test_idle_merge);
  ADD ("/store/search/names-in-one-batch", test_names_in_one_batch);
#undef ADD
  g_test_add_func ("/store/search/query-builder", test_query_builder);

  return g_test_run ();
}
