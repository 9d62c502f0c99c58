/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_LOG_DOMAIN "tern-core"

#include <string.h>

#include "tern-account-private.h"
#include "tern-secrets.h"

/* Set-up: server discovery (manual settings, DNS SRV per RFC 6186/8314,
 * then the usual host names), probing candidates concurrently, login to
 * both servers, the password into the Secret Service, the account row. */

#define PROBE_TIMEOUT_SECONDS 6

typedef enum {
  PROTO_IMAP,
  PROTO_SMTP,
} Proto;

typedef enum {
  CANDIDATE_PENDING,
  CANDIDATE_OK,
  CANDIDATE_FAILED,
} CandidateState;

typedef struct {
  char               *host;
  guint16             port;
  TernAccountSecurity security;
  CandidateState      state;
  GError             *error;
  GObject            *client;  /* TernImapClient or TernSmtpClient while probing */
} Candidate;

typedef struct {
  Proto         proto;
  char         *domain;
  char         *pin;
  GPtrArray    *candidates;     /* Candidate*, in order of preference */
  guint         srv_pending;
  GPtrArray    *srv_answers[2]; /* GSrvTarget lists of the two SRV names */
  gboolean      manual;
  gboolean      finished;
  GCancellable *cancellable;    /* cancels the other probes once decided */
} Discovery;

static void
candidate_free (Candidate *candidate)
{
  g_free (candidate->host);
  g_clear_error (&candidate->error);
  g_clear_object (&candidate->client);
  g_free (candidate);
}

static void
discovery_free (Discovery *disc)
{
  g_cancellable_cancel (disc->cancellable);
  g_clear_object (&disc->cancellable);
  g_free (disc->domain);
  g_free (disc->pin);
  g_clear_pointer (&disc->candidates, g_ptr_array_unref);
  for (guint i = 0; i < 2; i++)
    g_clear_pointer (&disc->srv_answers[i], g_ptr_array_unref);
  g_free (disc);
}

static guint16
default_port (Proto               proto,
              TernAccountSecurity security)
{
  if (proto == PROTO_IMAP)
    return security == TERN_ACCOUNT_SECURITY_TLS ? 993 : 143;
  return security == TERN_ACCOUNT_SECURITY_TLS ? 465 : 587;
}

static void
add_candidate (Discovery          *disc,
               const char         *host,
               guint16             port,
               TernAccountSecurity security)
{
  Candidate *candidate;

  for (guint i = 0; i < disc->candidates->len; i++)
    {
      Candidate *other = disc->candidates->pdata[i];
      if (g_ascii_strcasecmp (other->host, host) == 0 && other->port == port &&
          other->security == security)
        return;
    }
  candidate = g_new0 (Candidate, 1);
  candidate->host = g_strdup (host);
  candidate->port = port;
  candidate->security = security;
  g_ptr_array_add (disc->candidates, candidate);
}

static TernNetSecurity
to_net (TernAccountSecurity security)
{
  switch (security)
    {
    case TERN_ACCOUNT_SECURITY_STARTTLS:
      return TERN_NET_SECURITY_STARTTLS;
    case TERN_ACCOUNT_SECURITY_PLAIN:
      return TERN_NET_SECURITY_PLAIN;
    case TERN_ACCOUNT_SECURITY_TLS:
    case TERN_ACCOUNT_SECURITY_AUTO:
    default:
      return TERN_NET_SECURITY_TLS;
    }
}

/* The best error to show when no candidate worked: a certificate problem
 * first (the user can pin it), then the first candidate's. */
static GError *
discovery_error (Discovery *disc)
{
  const char *what = disc->proto == PROTO_IMAP ? "IMAP server" : "SMTP server";

  for (guint i = 0; i < disc->candidates->len; i++)
    {
      Candidate *candidate = disc->candidates->pdata[i];
      if (candidate->error != NULL && tern_core_error_get_fingerprint (candidate->error) != NULL)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *context = g_strdup_printf ("%s %s:%u", what, candidate->host,
                                                      candidate->port);
          error = tern_core_error_wrap (candidate->error, context);
          return g_steal_pointer (&error);
        }
    }
  if (disc->manual && disc->candidates->len > 0)
    {
      Candidate *candidate = disc->candidates->pdata[0];
      g_autofree char *context = g_strdup_printf ("%s %s:%u", what, candidate->host,
                                                  candidate->port);
      if (candidate->error != NULL)
        return tern_core_error_wrap (candidate->error, context);
    }
  return g_error_new (TERN_CORE_ERROR, TERN_CORE_ERROR_DISCOVERY,
                      "No %s found for %s (tried %u candidates; give the host by hand)", what,
                      disc->domain, disc->candidates->len);
}

static void
discovery_check (GTask *task)
{
  Discovery *disc = g_task_get_task_data (task);
  gboolean all_failed = TRUE;

  if (disc->finished)
    return;
  for (guint i = 0; i < disc->candidates->len; i++)
    {
      Candidate *candidate = disc->candidates->pdata[i];
      if (candidate->state == CANDIDATE_PENDING)
        return; /* a better one may still answer */
      if (candidate->state == CANDIDATE_OK)
        {
          disc->finished = TRUE;
          g_debug ("%s: chose %s:%u (%s)", disc->domain, candidate->host, candidate->port,
                   tern_account_security_to_string (candidate->security));
          g_cancellable_cancel (disc->cancellable);
          g_task_return_pointer (task, candidate, NULL);
          return;
        }
      all_failed = all_failed && candidate->state == CANDIDATE_FAILED;
    }
  if (all_failed)
    {
      disc->finished = TRUE;
      g_task_return_error (task, discovery_error (disc));
    }
}

typedef struct {
  GTask     *task;
  Candidate *candidate;
} Probe;

static void
probe_done (Probe  *probe,
            GError *error)
{
  Discovery *disc = g_task_get_task_data (probe->task);

  if (error != NULL)
    {
      probe->candidate->state = CANDIDATE_FAILED;
      probe->candidate->error = error;
      g_debug ("probe %s:%u failed: %s", probe->candidate->host, probe->candidate->port,
               error->message);
    }
  else
    probe->candidate->state = CANDIDATE_OK;

  if (probe->candidate->client != NULL)
    {
      if (disc->proto == PROTO_IMAP)
        tern_imap_client_close (TERN_IMAP_CLIENT (probe->candidate->client));
      else
        tern_smtp_client_close (TERN_SMTP_CLIENT (probe->candidate->client));
      g_clear_object (&probe->candidate->client);
    }
  discovery_check (probe->task);
  g_object_unref (probe->task);
  g_free (probe);
}

static void
probe_imap_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GError *error = NULL;

  tern_imap_client_connect_finish (TERN_IMAP_CLIENT (object), result, &error);
  probe_done (user_data, error);
}

static void
probe_smtp_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GError *error = NULL;

  tern_smtp_client_connect_finish (TERN_SMTP_CLIENT (object), result, &error);
  probe_done (user_data, error);
}

static void
discovery_probe_all (GTask *task)
{
  Discovery *disc = g_task_get_task_data (task);

  if (disc->candidates->len == 0)
    {
      disc->finished = TRUE;
      g_task_return_error (task, discovery_error (disc));
      return;
    }
  for (guint i = 0; i < disc->candidates->len; i++)
    {
      Candidate *candidate = disc->candidates->pdata[i];
      Probe *probe = g_new0 (Probe, 1);

      probe->task = g_object_ref (task);
      probe->candidate = candidate;
      g_debug ("probing %s %s:%u (%s)", disc->proto == PROTO_IMAP ? "IMAP" : "SMTP",
               candidate->host, candidate->port,
               tern_account_security_to_string (candidate->security));
      if (disc->proto == PROTO_IMAP)
        {
          TernImapClient *imap = tern_imap_client_new (candidate->host, candidate->port,
                                                       to_net (candidate->security), disc->pin);
          tern_imap_client_set_timeouts (imap, PROBE_TIMEOUT_SECONDS, PROBE_TIMEOUT_SECONDS, 0);
          candidate->client = G_OBJECT (imap);
          tern_imap_client_connect_async (imap, disc->cancellable, probe_imap_cb, probe);
        }
      else
        {
          TernSmtpClient *smtp = tern_smtp_client_new (candidate->host, candidate->port,
                                                       to_net (candidate->security), disc->pin);
          tern_smtp_client_set_timeouts (smtp, PROBE_TIMEOUT_SECONDS, PROBE_TIMEOUT_SECONDS, 0);
          candidate->client = G_OBJECT (smtp);
          tern_smtp_client_connect_async (smtp, disc->cancellable, probe_smtp_cb, probe);
        }
    }
}

static void
discovery_add_fallbacks (Discovery *disc)
{
  /* SRV answers first (RFC 6186 order: priority, then weight, as GResolver
   * sorted them), implicit TLS (RFC 8314) before STARTTLS. */
  for (guint s = 0; s < 2; s++)
    {
      GPtrArray *answers = disc->srv_answers[s];
      TernAccountSecurity security = s == 0 ? TERN_ACCOUNT_SECURITY_TLS
                                            : TERN_ACCOUNT_SECURITY_STARTTLS;
      for (guint i = 0; answers != NULL && i < answers->len; i++)
        {
          GSrvTarget *target = answers->pdata[i];
          const char *host = g_srv_target_get_hostname (target);
          if (host == NULL || *host == '\0' || g_str_equal (host, "."))
            continue; /* "service not offered" */
          add_candidate (disc, host, g_srv_target_get_port (target), security);
        }
    }

  {
    const char *const imap_prefixes[] = { "imap.", "mail.", "", NULL };
    const char *const smtp_prefixes[] = { "smtp.", "mail.", "", NULL };
    const char *const *prefixes = disc->proto == PROTO_IMAP ? imap_prefixes : smtp_prefixes;

    for (guint i = 0; prefixes[i] != NULL; i++)
      {
        g_autofree char *host = g_strconcat (prefixes[i], disc->domain, NULL);
        add_candidate (disc, host, default_port (disc->proto, TERN_ACCOUNT_SECURITY_TLS),
                       TERN_ACCOUNT_SECURITY_TLS);
        add_candidate (disc, host, default_port (disc->proto, TERN_ACCOUNT_SECURITY_STARTTLS),
                       TERN_ACCOUNT_SECURITY_STARTTLS);
      }
  }
}

typedef struct {
  GTask *task;
  guint  index;
} SrvLookup;

static void
srv_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  SrvLookup *lookup = user_data;
  g_autoptr(GTask) task = lookup->task;
  Discovery *disc = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GList *targets = g_resolver_lookup_service_finish (G_RESOLVER (object), result, &error);

  if (targets != NULL)
    {
      GPtrArray *answers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_srv_target_free);
      for (GList *l = targets; l != NULL; l = l->next)
        g_ptr_array_add (answers, l->data);
      g_list_free (targets);
      disc->srv_answers[lookup->index] = answers;
    }
  else
    g_debug ("SRV lookup: %s", error->message);
  g_free (lookup);

  if (--disc->srv_pending > 0)
    return;
  if (g_task_return_error_if_cancelled (task))
    return;
  discovery_add_fallbacks (disc);
  discovery_probe_all (task);
}

static void
discover_one_async (Proto                      proto,
                    const TernAccountSettings *settings,
                    GCancellable              *cancellable,
                    GAsyncReadyCallback        callback,
                    gpointer                   user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Discovery *disc = g_new0 (Discovery, 1);
  const char *at = strrchr (settings->address, '@');
  const char *host = proto == PROTO_IMAP ? settings->imap_host : settings->smtp_host;
  guint16 port = proto == PROTO_IMAP ? settings->imap_port : settings->smtp_port;
  TernAccountSecurity security = proto == PROTO_IMAP ? settings->imap_security
                                                     : settings->smtp_security;

  g_task_set_source_tag (task, discover_one_async);
  g_task_set_name (task, "[tern-core] discover");
  disc->proto = proto;
  disc->domain = g_ascii_strdown (at + 1, -1);
  disc->pin = settings->trusted_certificate != NULL
                ? tern_net_normalize_fingerprint (settings->trusted_certificate)
                : NULL;
  disc->candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) candidate_free);
  disc->cancellable = g_cancellable_new ();
  g_task_set_task_data (task, disc, (GDestroyNotify) discovery_free);
  if (cancellable != NULL)
    g_signal_connect_object (cancellable, "cancelled", G_CALLBACK (g_cancellable_cancel),
                             disc->cancellable, G_CONNECT_SWAPPED);

  if (host != NULL && *host != '\0')
    {
      disc->manual = TRUE;
      if (security == TERN_ACCOUNT_SECURITY_AUTO && port != 0)
        {
          if (port == 993 || port == 465)
            security = TERN_ACCOUNT_SECURITY_TLS;
          else if (port == 143 || port == 587)
            security = TERN_ACCOUNT_SECURITY_STARTTLS;
        }
      if (security == TERN_ACCOUNT_SECURITY_AUTO)
        {
          add_candidate (disc, host, port != 0 ? port : default_port (proto, TERN_ACCOUNT_SECURITY_TLS),
                         TERN_ACCOUNT_SECURITY_TLS);
          add_candidate (disc, host,
                         port != 0 ? port : default_port (proto, TERN_ACCOUNT_SECURITY_STARTTLS),
                         TERN_ACCOUNT_SECURITY_STARTTLS);
        }
      else
        add_candidate (disc, host, port != 0 ? port : default_port (proto, security), security);
      discovery_probe_all (task);
      return;
    }

  {
    GResolver *resolver = g_resolver_get_default ();
    const char *services[2];

    services[0] = proto == PROTO_IMAP ? "imaps" : "submissions";
    services[1] = proto == PROTO_IMAP ? "imap" : "submission";
    disc->srv_pending = 2;
    for (guint i = 0; i < 2; i++)
      {
        SrvLookup *lookup = g_new0 (SrvLookup, 1);
        lookup->task = g_object_ref (task);
        lookup->index = i;
        g_resolver_lookup_service_async (resolver, services[i], "tcp", disc->domain,
                                         disc->cancellable, srv_cb, lookup);
      }
    g_object_unref (resolver);
  }
}

static Candidate *
discover_one_finish (GAsyncResult *result,
                     GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- discover ------------------------------------------------------------- */

typedef struct {
  TernAccountSettings *settings;
  guint                pending;
  GError              *error;
} DiscoverData;

static void
discover_data_free (DiscoverData *data)
{
  tern_account_settings_free (data->settings);
  g_clear_error (&data->error);
  g_free (data);
}

static void
discover_part_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DiscoverData *data = g_task_get_task_data (task);
  Discovery *disc = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  Candidate *candidate = discover_one_finish (result, &error);

  if (candidate == NULL)
    {
      /* the IMAP error wins: it is reported first */
      if (data->error == NULL || disc->proto == PROTO_IMAP)
        {
          g_clear_error (&data->error);
          data->error = g_steal_pointer (&error);
        }
    }
  else if (disc->proto == PROTO_IMAP)
    {
      g_free (data->settings->imap_host);
      data->settings->imap_host = g_strdup (candidate->host);
      data->settings->imap_port = candidate->port;
      data->settings->imap_security = candidate->security;
    }
  else
    {
      g_free (data->settings->smtp_host);
      data->settings->smtp_host = g_strdup (candidate->host);
      data->settings->smtp_port = candidate->port;
      data->settings->smtp_security = candidate->security;
    }

  if (--data->pending > 0)
    return;
  if (data->error != NULL)
    g_task_return_error (task, g_steal_pointer (&data->error));
  else
    g_task_return_pointer (task, g_steal_pointer (&data->settings),
                           (GDestroyNotify) tern_account_settings_free);
}

static gboolean
validate_settings (const TernAccountSettings *settings,
                   GError                   **error)
{
  const char *at;

  if (settings == NULL || settings->address == NULL)
    {
      g_set_error_literal (error, TERN_CORE_ERROR, TERN_CORE_ERROR_INVALID, "No address given");
      return FALSE;
    }
  at = strrchr (settings->address, '@');
  if (at == NULL || at == settings->address || at[1] == '\0' || strchr (at + 1, '.') == NULL ||
      strpbrk (settings->address, " \t\r\n<>\"") != NULL)
    {
      g_set_error (error, TERN_CORE_ERROR, TERN_CORE_ERROR_INVALID,
                   "“%s” is not an e-mail address", settings->address);
      return FALSE;
    }
  if (settings->trusted_certificate != NULL)
    {
      g_autofree char *normal = tern_net_normalize_fingerprint (settings->trusted_certificate);
      if (normal == NULL)
        {
          g_set_error (error, TERN_CORE_ERROR, TERN_CORE_ERROR_INVALID,
                       "“%s” is not a SHA-256 fingerprint (64 hex digits)",
                       settings->trusted_certificate);
          return FALSE;
        }
    }
  return TRUE;
}

void
tern_account_discover_async (const TernAccountSettings *settings,
                             GCancellable              *cancellable,
                             GAsyncReadyCallback        callback,
                             gpointer                   user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  DiscoverData *data;
  GError *error = NULL;

  g_task_set_source_tag (task, tern_account_discover_async);
  g_task_set_name (task, "[tern-core] discover servers");
  if (!validate_settings (settings, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  data = g_new0 (DiscoverData, 1);
  data->settings = tern_account_settings_copy (settings);
  data->pending = 2;
  g_task_set_task_data (task, data, (GDestroyNotify) discover_data_free);
  discover_one_async (PROTO_IMAP, settings, cancellable, discover_part_cb, g_object_ref (task));
  discover_one_async (PROTO_SMTP, settings, cancellable, discover_part_cb, g_object_ref (task));
}

TernAccountSettings *
tern_account_discover_finish (GAsyncResult *result,
                              GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- set-up --------------------------------------------------------------- */

typedef struct {
  TernContext         *context;
  TernAccountSettings *settings;  /* discovered */
  TernAccount         *account;   /* not yet in the context */
  TernImapClient      *imap;
  TernSmtpClient      *smtp;
  TernStoreBatch      *batch;
  gint64               ref;
} SetupData;

static void
setup_data_free (SetupData *data)
{
  g_clear_object (&data->context);
  tern_account_settings_free (data->settings);
  if (data->imap != NULL)
    tern_imap_client_close (data->imap);
  g_clear_object (&data->imap);
  if (data->smtp != NULL)
    tern_smtp_client_close (data->smtp);
  g_clear_object (&data->smtp);
  g_clear_object (&data->account);
  g_clear_object (&data->batch);
  g_free (data);
}

static TernStoreSecurity
to_store (TernAccountSecurity security)
{
  switch (security)
    {
    case TERN_ACCOUNT_SECURITY_STARTTLS:
      return TERN_STORE_SECURITY_STARTTLS;
    case TERN_ACCOUNT_SECURITY_PLAIN:
      return TERN_STORE_SECURITY_PLAIN;
    default:
      return TERN_STORE_SECURITY_TLS;
    }
}

static void
setup_committed_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SetupData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!tern_store_commit_finish (TERN_STORE (object), result, &error))
    {
      g_task_return_error (task, tern_core_error_wrap (error, "Cannot save the account"));
      return;
    }
  data->account->row->id = tern_store_batch_get_id (data->batch, data->ref);
  g_clear_pointer (&data->account->setup_pin, g_free);
  if (!data->settings->store_password)
    tern_account_set_password_for_session (data->account, data->settings->password);
  tern_context_add_account (data->context, data->account);
  g_task_return_pointer (task, g_object_ref (data->account), g_object_unref);
}

static void
setup_save (GTask *task)
{
  SetupData *data = g_task_get_task_data (task);
  TernStore *store = tern_context_get_store (data->context);
  g_autofree char *pin = NULL;

  data->batch = tern_store_begin_batch (store);
  data->ref = tern_store_batch_add_account (data->batch, data->account->row);
  if (data->settings->trusted_certificate != NULL)
    {
      pin = tern_net_normalize_fingerprint (data->settings->trusted_certificate);
      tern_store_batch_pin_certificate (data->batch, data->ref, data->settings->imap_host, pin);
      if (g_ascii_strcasecmp (data->settings->imap_host, data->settings->smtp_host) != 0)
        tern_store_batch_pin_certificate (data->batch, data->ref, data->settings->smtp_host, pin);
    }
  tern_store_commit_async (store, data->batch, g_task_get_cancellable (task), setup_committed_cb,
                           task);
}

static void
setup_secret_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!tern_secrets_store_finish (result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  setup_save (task);
}

static void
setup_smtp_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  SetupData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->smtp = tern_account_open_smtp_finish (data->account, result, &error);
  if (data->smtp == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  tern_smtp_client_quit_async (data->smtp, NULL, NULL, NULL);
  if (data->settings->store_password)
    tern_secrets_store_async (tern_context_get_secret_schema_name (data->context),
                              data->settings->address, data->settings->password,
                              g_task_get_cancellable (task), setup_secret_cb, task);
  else
    setup_save (task);
}

static void
setup_imap_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  SetupData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *caps = NULL;

  data->imap = tern_account_open_imap_finish (data->account, result, &error);
  if (data->imap == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  caps = g_strjoinv (" ", (char **) tern_imap_client_get_capabilities (data->imap));
  g_free (data->account->row->capabilities);
  data->account->row->capabilities = g_steal_pointer (&caps);
  data->account->row->coi_server = tern_imap_client_has_capability (data->imap, "COI");
  data->account->coi_server = data->account->row->coi_server;
  tern_imap_client_logout_async (data->imap, NULL, NULL, NULL);
  tern_account_open_smtp_async (data->account, g_task_get_cancellable (task), setup_smtp_cb, task);
}

static void
setup_discovered_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  SetupData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(TernStoreAccountRow) row = tern_store_account_row_new ();
  TernAccountSettings *s;

  data->settings = tern_account_discover_finish (result, &error);
  if (data->settings == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  s = data->settings;
  row->address = g_strdup (s->address);
  row->display_name = g_strdup (s->display_name);
  row->login = g_strdup (s->login != NULL ? s->login : s->address);
  row->imap_host = g_strdup (s->imap_host);
  row->imap_port = s->imap_port;
  row->imap_security = to_store (s->imap_security);
  row->smtp_host = g_strdup (s->smtp_host);
  row->smtp_port = s->smtp_port;
  row->smtp_security = to_store (s->smtp_security);
  row->filter_mode = (TernStoreFilterMode) s->filter_mode;
  row->mailbox_root = g_strdup ("COI");
  row->enabled = TRUE;

  data->account = tern_account_new_from_row (data->context, row);
  if (s->trusted_certificate != NULL)
    data->account->setup_pin = tern_net_normalize_fingerprint (s->trusted_certificate);
  tern_account_set_password_for_session (data->account, s->password);
  tern_account_open_imap_async (data->account, g_task_get_cancellable (task), setup_imap_cb, task);
}

void
tern_account_setup_async (TernContext               *context,
                          const TernAccountSettings *settings,
                          GCancellable              *cancellable,
                          GAsyncReadyCallback        callback,
                          gpointer                   user_data)
{
  GTask *task;
  SetupData *data;
  GError *error = NULL;

  g_return_if_fail (TERN_IS_CONTEXT (context));

  task = g_task_new (context, cancellable, callback, user_data);
  g_task_set_source_tag (task, tern_account_setup_async);
  g_task_set_name (task, "[tern-core] set up account");
  if (!validate_settings (settings, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (settings->password == NULL || *settings->password == '\0')
    {
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_NO_PASSWORD,
                               "No password given for %s", settings->address);
      g_object_unref (task);
      return;
    }
  if (tern_context_find_account (context, settings->address) != NULL)
    {
      g_task_return_new_error (task, TERN_CORE_ERROR, TERN_CORE_ERROR_EXISTS,
                               "The account %s exists already", settings->address);
      g_object_unref (task);
      return;
    }
  data = g_new0 (SetupData, 1);
  data->context = g_object_ref (context);
  g_task_set_task_data (task, data, (GDestroyNotify) setup_data_free);
  tern_account_discover_async (settings, cancellable, setup_discovered_cb, task);
}

TernAccount *
tern_account_setup_finish (GAsyncResult *result,
                           GError      **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
