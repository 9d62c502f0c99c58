/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tern-store-error.h"

G_DEFINE_QUARK (tern-store-error-quark, tern_store_error)
