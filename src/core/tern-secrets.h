/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * Passwords in the Secret Service (libsecret), one secret per account:
 * schema named after the application ID (default "io.github.ternchat.Tern"),
 * attributes "address" (lower-cased) and "protocol" ("imap"; the same
 * password serves SMTP). Every call is bounded by a timeout (default 10 s)
 * so a locked keyring waiting on a prompt cannot hang the caller; no
 * Secret Service, a timeout or a refused unlock give
 * TERN_CORE_ERROR_NO_SECRET_SERVICE. Nothing is ever written elsewhere.
 */

void      tern_secrets_set_timeout      (guint                seconds);
/* FALSE: never ask the keyring to unlock (no one can answer its prompt, as
 * in tern-cli): a password in a locked keyring gives at once
 * TERN_CORE_ERROR_NO_SECRET_SERVICE saying the keyring is locked. Default
 * TRUE: the lookup asks it to unlock, bounded by the timeout. */
void      tern_secrets_set_interactive  (gboolean             interactive);

void      tern_secrets_store_async      (const char          *schema_name,
                                         const char          *address,
                                         const char          *password,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean  tern_secrets_store_finish     (GAsyncResult        *result,
                                         GError             **error);

/* NULL with TERN_CORE_ERROR_NO_PASSWORD when there is no secret. */
void      tern_secrets_lookup_async     (const char          *schema_name,
                                         const char          *address,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
char     *tern_secrets_lookup_finish    (GAsyncResult        *result,
                                         GError             **error);

/* TRUE also when there was nothing to delete. */
void      tern_secrets_clear_async      (const char          *schema_name,
                                         const char          *address,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean  tern_secrets_clear_finish     (GAsyncResult        *result,
                                         GError             **error);

G_END_DECLS
