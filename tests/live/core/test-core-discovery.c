/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-test"

#include <string.h>

#include "tern-account.h"
#include "tern-core-error.h"

/* Server discovery: a fake DNS (a GResolver set as the default) answers the
 * SRV queries of RFC 6186/8314 with records pointing at the test stack's
 * real ports on 127.0.0.1, and fails every host name lookup, so the
 * fallback host names (imap.<domain>...) fail fast. What is tested is the
 * discovery logic: SRV first, implicit TLS preferred, a dead preferred
 * candidate skipped, "." (service not offered) skipped, manual settings
 * winning, no candidate at all giving TERN_CORE_ERROR_DISCOVERY. */

typedef struct {
  GResolver   parent_instance;
  GHashTable *srv;  /* "_imaps._tcp.example.test" -> "host:port,host:port" */
  guint       lookups;
} FakeResolver;

typedef struct {
  GResolverClass parent_class;
} FakeResolverClass;

static GType fake_resolver_get_type (void);
G_DEFINE_TYPE (FakeResolver, fake_resolver, G_TYPE_RESOLVER)

static GList *
parse_targets (const char *spec)
{
  g_auto(GStrv) items = g_strsplit (spec, ",", -1);
  GList *list = NULL;

  for (guint i = 0; items[i] != NULL; i++)
    {
      char *colon = strrchr (items[i], ':');
      *colon = '\0';
      list = g_list_append (list, g_srv_target_new (items[i], (guint16) atoi (colon + 1), i, 0));
    }
  return list;
}

static void
fake_lookup_service_async (GResolver           *resolver,
                           const char          *rrname,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  FakeResolver *self = (FakeResolver *) resolver;
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  const char *spec = g_hash_table_lookup (self->srv, rrname);

  self->lookups++;
  if (spec == NULL)
    g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "no %s", rrname);
  else
    g_task_return_pointer (task, parse_targets (spec), (GDestroyNotify) g_resolver_free_targets);
}

static GList *
fake_lookup_service_finish (GResolver    *resolver,
                            GAsyncResult *result,
                            GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static GList *
fake_lookup_by_name (GResolver    *resolver,
                     const char   *hostname,
                     GCancellable *cancellable,
                     GError      **error)
{
  g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "no host %s", hostname);
  return NULL;
}

static void
fake_lookup_by_name_async (GResolver           *resolver,
                           const char          *hostname,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "no host %s",
                           hostname);
}

static GList *
fake_lookup_by_name_finish (GResolver    *resolver,
                            GAsyncResult *result,
                            GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
fake_lookup_by_name_with_flags_async (GResolver                *resolver,
                                      const char               *hostname,
                                      GResolverNameLookupFlags  flags,
                                      GCancellable             *cancellable,
                                      GAsyncReadyCallback       callback,
                                      gpointer                  user_data)
{
  fake_lookup_by_name_async (resolver, hostname, cancellable, callback, user_data);
}

static void
fake_resolver_finalize (GObject *object)
{
  g_hash_table_unref (((FakeResolver *) object)->srv);
  G_OBJECT_CLASS (fake_resolver_parent_class)->finalize (object);
}

static void
fake_resolver_class_init (FakeResolverClass *klass)
{
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = fake_resolver_finalize;
  resolver_class->lookup_service_async = fake_lookup_service_async;
  resolver_class->lookup_service_finish = fake_lookup_service_finish;
  resolver_class->lookup_by_name = fake_lookup_by_name;
  resolver_class->lookup_by_name_async = fake_lookup_by_name_async;
  resolver_class->lookup_by_name_finish = fake_lookup_by_name_finish;
  resolver_class->lookup_by_name_with_flags_async = fake_lookup_by_name_with_flags_async;
  resolver_class->lookup_by_name_with_flags_finish = fake_lookup_by_name_finish;
}

static void
fake_resolver_init (FakeResolver *self)
{
  self->srv = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static const char *
env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || *value == '\0')
    g_error ("%s is not set: run the live tests inside tests/stack/with-stack", name);
  return value;
}

static FakeResolver *resolver;

static void
set_srv (const char *service,
         const char *spec)
{
  g_hash_table_replace (resolver->srv,
                        g_strdup_printf ("_%s._tcp.%s", service, env ("TERN_TEST_DOMAIN")),
                        spec != NULL ? g_strdup (spec) : NULL);
  if (spec == NULL)
    g_hash_table_remove (resolver->srv, service);
}

static char *
at_port (const char *variable)
{
  return g_strdup_printf ("%s:%s", env ("TERN_TEST_HOST"), env (variable));
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static TernAccountSettings *
discover (TernAccountSettings *settings,
          GError             **error,
          gint64              *elapsed_ms)
{
  g_autoptr(GAsyncResult) result = NULL;
  gint64 start = g_get_monotonic_time ();

  tern_account_discover_async (settings, NULL, got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (elapsed_ms != NULL)
    *elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  return tern_account_discover_finish (result, error);
}

static TernAccountSettings *
new_settings (void)
{
  g_autofree char *address = g_strdup_printf ("alice@%s", env ("TERN_TEST_DOMAIN"));
  TernAccountSettings *s = tern_account_settings_new (address);

  s->trusted_certificate = g_strdup (env ("TERN_TEST_CERT_SHA256"));
  return s;
}

static void
reset (void)
{
  g_hash_table_remove_all (resolver->srv);
  resolver->lookups = 0;
}

static void
test_srv_prefers_tls (void)
{
  g_autoptr(TernAccountSettings) s = new_settings ();
  g_autoptr(TernAccountSettings) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *imaps = at_port ("TERN_TEST_IMAPS_PORT");
  g_autofree char *imap = at_port ("TERN_TEST_IMAP_PORT");
  g_autofree char *smtps = at_port ("TERN_TEST_SMTPS_PORT");
  g_autofree char *smtp = at_port ("TERN_TEST_SMTP_PORT");

  reset ();
  set_srv ("imaps", imaps);
  set_srv ("imap", imap);
  set_srv ("submissions", smtps);
  set_srv ("submission", smtp);
  found = discover (s, &error, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (resolver->lookups, ==, 4);
  g_assert_cmpstr (found->imap_host, ==, env ("TERN_TEST_HOST"));
  g_assert_cmpuint (found->imap_port, ==, atoi (env ("TERN_TEST_IMAPS_PORT")));
  g_assert_cmpint (found->imap_security, ==, TERN_ACCOUNT_SECURITY_TLS);
  g_assert_cmpuint (found->smtp_port, ==, atoi (env ("TERN_TEST_SMTPS_PORT")));
  g_assert_cmpint (found->smtp_security, ==, TERN_ACCOUNT_SECURITY_TLS);
}

static guint16
dead_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_socket_bind (socket, any, TRUE, NULL);
  bound = g_socket_get_local_address (socket, NULL);
  g_socket_close (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
test_srv_dead_tls_falls_back (void)
{
  g_autoptr(TernAccountSettings) s = new_settings ();
  g_autoptr(TernAccountSettings) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dead = g_strdup_printf ("%s:%u", env ("TERN_TEST_HOST"), dead_port ());
  g_autofree char *imap = at_port ("TERN_TEST_IMAP_PORT");
  g_autofree char *smtp = at_port ("TERN_TEST_SMTP_PORT");

  reset ();
  /* implicit TLS "offered" on a port nobody listens on; STARTTLS works */
  set_srv ("imaps", dead);
  set_srv ("imap", imap);
  set_srv ("submissions", ".:0");
  set_srv ("submission", smtp);
  found = discover (s, &error, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (found->imap_port, ==, atoi (env ("TERN_TEST_IMAP_PORT")));
  g_assert_cmpint (found->imap_security, ==, TERN_ACCOUNT_SECURITY_STARTTLS);
  g_assert_cmpuint (found->smtp_port, ==, atoi (env ("TERN_TEST_SMTP_PORT")));
  g_assert_cmpint (found->smtp_security, ==, TERN_ACCOUNT_SECURITY_STARTTLS);
}

static void
test_manual_wins (void)
{
  g_autoptr(TernAccountSettings) s = new_settings ();
  g_autoptr(TernAccountSettings) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *imaps = at_port ("TERN_TEST_IMAPS_PORT");

  reset ();
  set_srv ("imaps", imaps);
  s->imap_host = g_strdup (env ("TERN_TEST_HOST"));
  s->imap_port = atoi (env ("TERN_TEST_IMAP_PORT"));
  s->imap_security = TERN_ACCOUNT_SECURITY_STARTTLS;
  s->smtp_host = g_strdup (env ("TERN_TEST_HOST"));
  s->smtp_port = atoi (env ("TERN_TEST_SMTPS_PORT"));
  /* security AUTO on a non-standard port: both are tried, TLS wins */
  found = discover (s, &error, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (resolver->lookups, ==, 0);
  g_assert_cmpuint (found->imap_port, ==, atoi (env ("TERN_TEST_IMAP_PORT")));
  g_assert_cmpint (found->imap_security, ==, TERN_ACCOUNT_SECURITY_STARTTLS);
  g_assert_cmpint (found->smtp_security, ==, TERN_ACCOUNT_SECURITY_TLS);
}

static void
test_nothing_found (void)
{
  g_autoptr(TernAccountSettings) s = new_settings ();
  g_autoptr(TernAccountSettings) found = NULL;
  g_autoptr(GError) error = NULL;
  gint64 ms = 0;

  reset ();
  found = discover (s, &error, &ms);
  g_assert_null (found);
  g_assert_error (error, TERN_CORE_ERROR, TERN_CORE_ERROR_DISCOVERY);
  g_test_message ("%s (%" G_GINT64_FORMAT " ms)", error->message, ms);
  g_assert_cmpint (ms, <, 5000);
}

static void
test_untrusted_candidate_reported (void)
{
  g_autoptr(TernAccountSettings) s = new_settings ();
  g_autoptr(TernAccountSettings) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *imaps = at_port ("TERN_TEST_IMAPS_PORT");
  g_autofree char *smtps = at_port ("TERN_TEST_SMTPS_PORT");

  reset ();
  g_clear_pointer (&s->trusted_certificate, g_free);
  set_srv ("imaps", imaps);
  set_srv ("submissions", smtps);
  found = discover (s, &error, NULL);
  g_assert_null (found);
  g_assert_error (error, TERN_CORE_ERROR, TERN_CORE_ERROR_CERTIFICATE);
  g_assert_cmpstr (tern_core_error_get_fingerprint (error), ==, env ("TERN_TEST_CERT_SHA256"));
}

static void
test_invalid (void)
{
  g_autoptr(TernAccountSettings) s = tern_account_settings_new ("not an address");
  g_autoptr(GError) error = NULL;

  g_assert_null (discover (s, &error, NULL));
  g_assert_error (error, TERN_CORE_ERROR, TERN_CORE_ERROR_INVALID);
  g_clear_error (&error);
  g_free (s->address);
  s->address = g_strdup ("alice@example.test");
  s->trusted_certificate = g_strdup ("12:34");
  g_assert_null (discover (s, &error, NULL));
  g_assert_error (error, TERN_CORE_ERROR, TERN_CORE_ERROR_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  resolver = g_object_new (fake_resolver_get_type (), NULL);
  g_resolver_set_default (G_RESOLVER (resolver));

  g_test_add_func ("/core/discovery/srv-prefers-tls", test_srv_prefers_tls);
  g_test_add_func ("/core/discovery/srv-dead-tls-falls-back", test_srv_dead_tls_falls_back);
  g_test_add_func ("/core/discovery/manual-wins", test_manual_wins);
  g_test_add_func ("/core/discovery/nothing-found", test_nothing_found);
  g_test_add_func ("/core/discovery/untrusted-candidate-reported", test_untrusted_candidate_reported);
  g_test_add_func ("/core/discovery/invalid", test_invalid);

  return g_test_run ();
}
