/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tern-coi-hash.h"

typedef struct
{
  const char *address;
  const char *hash;
} Vector;

/* From COI-NOTES.md (they match the examples in the client spec). */
static const Vector vectors[] = {
  { "john.doe@coi-dev.org", "74b3c446c189580045a942b90b7461128bc334b3b67e9f63c0c06189248c9bb0" },
  { "john.doe@example.com", "834d1654133366cef4d81e81a7099f413b1b85b9fc9dd62140491303dec56532" },
  { "alice@example.com", "18cfe3debfc85e80d4a66a8be182342e13d3d23b8b65573783f9094fb084770b" },
};

static void
test_vectors (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autofree char *hash = tern_coi_address_hash (vectors[i].address);
      g_assert_cmpstr (hash, ==, vectors[i].hash);
      g_assert_true (tern_coi_hash_is_valid (hash));
    }
}

static void
test_normalisation (void)
{
  const char *forms[] = {
    "John.Doe@COI-dev.org",
    "  <john.doe@coi-dev.org>  ",
    "\"john.doe\"@coi-dev.org",
    "JOHN.DOE@COI-DEV.ORG",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autofree char *hash = tern_coi_address_hash (forms[i]);
      g_assert_cmpstr (hash, ==, vectors[0].hash);
    }
}

static void
test_unicode (void)
{
  g_autofree char *a = tern_coi_normalize_address ("ÄLICE@BEISPIEL.DE");
  g_autofree char *h1 = tern_coi_address_hash ("älice@beispiel.de");
  g_autofree char *h2 = tern_coi_address_hash ("Älice@Beispiel.de");

  g_assert_cmpstr (a, ==, "älice@beispiel.de");
  g_assert_cmpstr (h1, ==, h2);
}

static void
test_invalid (void)
{
  g_assert_null (tern_coi_address_hash (NULL));
  g_assert_null (tern_coi_address_hash (""));
  g_assert_null (tern_coi_address_hash ("   "));
  g_assert_null (tern_coi_address_hash ("\"\""));
  g_assert_null (tern_coi_address_hash ("bad\xff@example.com"));
  g_assert_false (tern_coi_hash_is_valid (NULL));
  g_assert_false (tern_coi_hash_is_valid ("abc"));
  g_assert_false (
      tern_coi_hash_is_valid ("74b3c446c189580045a942b90b7461128bc334b3b67e9f63c0c06189248c9bb0a"));
  g_assert_false (
      tern_coi_hash_is_valid ("74b3c446c189580045a942b90b7461128bc334b3b67e9f63c0c06189248c9bbz"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/coi/hash/vectors", test_vectors);
  g_test_add_func ("/coi/hash/normalisation", test_normalisation);
  g_test_add_func ("/coi/hash/unicode", test_unicode);
  g_test_add_func ("/coi/hash/invalid", test_invalid);
  return g_test_run ();
}
