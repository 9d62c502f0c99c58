/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TERN_STORE_ERROR (tern_store_error_quark ())

/**
 * TernStoreError:
 * @TERN_STORE_ERROR_FAILED: anything else (a bug, or SQLite said so)
 * @TERN_STORE_ERROR_FULL: the disk (or quota) is full: nothing of the batch
 *   was written; free space and retry
 * @TERN_STORE_ERROR_CORRUPT: the database file is damaged or not a database
 * @TERN_STORE_ERROR_TOO_NEW: the database was written by a newer Tern
 *   (its schema version is higher than this build knows)
 * @TERN_STORE_ERROR_BUSY: another process holds the database locked
 * @TERN_STORE_ERROR_IO: a read or write of the database or an attachment
 *   file failed (permissions, a removed disk)
 * @TERN_STORE_ERROR_NOT_FOUND: the row asked for does not exist
 * @TERN_STORE_ERROR_CONSTRAINT: the batch breaks a rule of the schema
 *   (e.g. a reference to a row that does not exist); nothing was written
 * @TERN_STORE_ERROR_CLOSED: the store was closed
 *
 * Errors of the store layer. The codes say what the caller should do.
 */
typedef enum {
  TERN_STORE_ERROR_FAILED,
  TERN_STORE_ERROR_FULL,
  TERN_STORE_ERROR_CORRUPT,
  TERN_STORE_ERROR_TOO_NEW,
  TERN_STORE_ERROR_BUSY,
  TERN_STORE_ERROR_IO,
  TERN_STORE_ERROR_NOT_FOUND,
  TERN_STORE_ERROR_CONSTRAINT,
  TERN_STORE_ERROR_CLOSED,
} TernStoreError;

GQuark tern_store_error_quark (void);

G_END_DECLS
